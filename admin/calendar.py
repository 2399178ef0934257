"""The secretariat's working days: Monday to Friday in Japan time, except national holidays
(国民の祝日, with substitute holidays and citizens' holidays) and the year-end closure of
municipal offices (12/29–1/3).

Holidays follow the Act on National Holidays as amended through 2019 (Emperor's Birthday on
23 February, Sports Day, the 2020/2021 Olympic moves); the equinox days use the standard
approximation valid from 1980 to 2099. A holiday added by a future amendment needs a line
in `_SPECIAL`."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")

# Moves and one-off holidays by year: {year: {date: True (holiday) / False (not)}}.
_SPECIAL: dict[int, dict[date, bool]] = {
    2019: {date(2019, 4, 30): True, date(2019, 5, 1): True, date(2019, 5, 2): True,
           date(2019, 10, 22): True},
    2020: {date(2020, 7, 20): False, date(2020, 7, 23): True, date(2020, 10, 12): False,
           date(2020, 7, 24): True, date(2020, 8, 11): False, date(2020, 8, 10): True},
    2021: {date(2021, 7, 19): False, date(2021, 7, 22): True, date(2021, 10, 11): False,
           date(2021, 7, 23): True, date(2021, 8, 11): False, date(2021, 8, 8): True,
           date(2021, 8, 9): True},
}


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def _equinox(year: int, base: float) -> int:
    return int(base + 0.242194 * (year - 1980) - (year - 1980) // 4)


@functools.lru_cache(maxsize=256)
def holidays(year: int) -> frozenset[date]:
    """National holidays of `year`, substitute and citizens' holidays included."""
    days = {
        date(year, 1, 1),
        _nth_monday(year, 1, 2),  # 成人の日
        date(year, 2, 11),  # 建国記念の日
        date(year, 3, _equinox(year, 20.8431)),  # 春分の日
        date(year, 4, 29),  # 昭和の日
        date(year, 5, 3),
        date(year, 5, 4),
        date(year, 5, 5),
        _nth_monday(year, 7, 3),  # 海の日
        _nth_monday(year, 9, 3),  # 敬老の日
        date(year, 9, _equinox(year, 23.2488)),  # 秋分の日
        _nth_monday(year, 10, 2),  # スポーツの日
        date(year, 11, 3),
        date(year, 11, 23),
    }
    if year >= 2020:
        days.add(date(year, 2, 23))  # 天皇誕生日
    if year >= 2016:
        days.add(date(year, 8, 11))  # 山の日
    for day, is_holiday in _SPECIAL.get(year, {}).items():
        (days.add if is_holiday else days.discard)(day)
    # 国民の休日: a day between two holidays is one too.
    for day in sorted(days):
        between = day + timedelta(days=1)
        if between + timedelta(days=1) in days and between not in days and between.weekday() != 6:
            days.add(between)
    # 振替休日: a holiday on a Sunday moves to the next day that is not a holiday.
    for day in sorted(days):
        if day.weekday() == 6:
            substitute = day + timedelta(days=1)
            while substitute in days:
                substitute += timedelta(days=1)
            days.add(substitute)
    return frozenset(days)


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5 or day in holidays(day.year):
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def working_days_before(moment: datetime, days: int) -> datetime:
    """The moment `days` working days before `moment`, counted in Japan time: the same time
    of day, on the `days`-th working day back."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(JST)
    current = local
    while days > 0:
        current -= timedelta(days=1)
        if is_working_day(current.date()):
            days -= 1
    return current.astimezone(UTC)


def japan_today(now: datetime | None = None) -> date:
    """Today's date in Japan, the calendar the law's 30 days count in."""
    return (now or datetime.now(UTC)).astimezone(JST).date()


def japan_time(moment: datetime) -> str:
    """A stored moment as staff read it: Japan wall-clock time (a Jinja filter)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(JST).strftime("%Y-%m-%d %H:%M")
