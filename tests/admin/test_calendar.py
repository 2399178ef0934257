"""Working days for the first-contact deadline: Japanese national holidays, substitute and
citizens' holidays, the year-end closure, and Japan time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from admin.calendar import holidays, is_working_day, working_days_before


def test_national_holidays_2025_and_2026_match_the_cabinet_office_lists() -> None:
    assert sorted(holidays(2026)) == [date(2026, m, d) for m, d in (
        (1, 1), (1, 12), (2, 11), (2, 23), (3, 20), (4, 29), (5, 3), (5, 4), (5, 5), (5, 6),
        (7, 20), (8, 11), (9, 21), (9, 22), (9, 23), (10, 12), (11, 3), (11, 23))]
    assert sorted(holidays(2025)) == [date(2025, m, d) for m, d in (
        (1, 1), (1, 13), (2, 11), (2, 23), (2, 24), (3, 20), (4, 29), (5, 3), (5, 4), (5, 5),
        (5, 6), (7, 21), (8, 11), (9, 15), (9, 23), (10, 13), (11, 3), (11, 23), (11, 24))]


def test_the_olympic_year_moves() -> None:
    assert date(2021, 7, 23) in holidays(2021) and date(2021, 10, 11) not in holidays(2021)


def test_year_end_closure_and_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 12, 29)) and not is_working_day(date(2027, 1, 4 - 1))
    assert is_working_day(date(2027, 1, 4))
    assert not is_working_day(date(2026, 11, 28))  # Saturday


def test_three_working_days_skip_silver_week_and_count_in_japan_time() -> None:
    # Friday 2026-09-25 10:00 JST = 01:00 UTC; back: Thu 24 (1), 21–23 holidays and the
    # weekend skipped, Fri 18 (2), Thu 17 (3).
    friday = datetime(2026, 9, 25, 1, 0, tzinfo=UTC)
    assert working_days_before(friday, 3) == datetime(2026, 9, 17, 1, 0, tzinfo=UTC)
    # Monday 08:00 JST is still Sunday 23:00 UTC: the count starts from the Japanese Monday.
    monday_morning = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert working_days_before(monday_morning, 1) == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
