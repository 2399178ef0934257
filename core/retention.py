"""Every retention rule of ouen in one table (DESIGN.md §5.5; the README shows the same table).

A rule says what ends, how long after which moment, and which setting changes the period;
each package applies its own rules (intake: submissions and people, notifications: sent
mail, admin: the audit log's addresses) when `ouen purge` — or the worker, daily — runs
them all. A period of 0 means "at the next purge". The privacy page is rendered from this
table, so what it promises is what runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from core.i18n import N_
from core.settings import Settings


@dataclass(frozen=True)
class Rule:
    """One retention rule."""

    code: str
    setting: str  # the OUEN_* variable that sets the period
    what: str  # marked for translation: what ends
    after: str  # marked for translation: "%(period)s after …", counted from which moment
    unit: str  # "hours" or "days"

    def period(self, settings: Settings) -> timedelta:
        amount = getattr(settings, self.field)
        return timedelta(hours=amount) if self.unit == "hours" else timedelta(days=amount)

    def amount(self, settings: Settings) -> int:
        value: int = getattr(settings, self.field)
        return value

    def when(self, settings: Settings, _: Callable[..., str]) -> str:
        """When the rule applies, in words of the reader's language ("365 days after the
        case closed"; 0: at the next daily purge)."""
        amount = self.amount(settings)
        if amount == 0:
            return _(AT_NEXT_PURGE)
        return _(self.after, period=_(HOURS if self.unit == "hours" else DAYS, n=amount))

    @property
    def field(self) -> str:
        """The Settings attribute of the period."""
        return self.setting.removeprefix("OUEN_").lower()


HOURS, DAYS = N_("%(n)s hours"), N_("%(n)s days")
AT_NEXT_PURGE = N_("at the next daily deletion")

RULES = (
    Rule("unverified", "OUEN_RETENTION_UNVERIFIED_HOURS",
         N_("Submissions whose email address was never confirmed, with their links and "
            "queued emails"),
         N_("%(period)s after they were sent"), "hours"),
    Rule("closed", "OUEN_RETENTION_CLOSED_DAYS",
         N_("Contact data and texts of closed cases (completed, declined, withdrawn); the "
            "case stays as a statistic"), N_("%(period)s after the case closed"), "days"),
    Rule("spam", "OUEN_RETENTION_SPAM_DAYS",
         N_("Contact data and texts of proposals marked as spam"),
         N_("%(period)s after they were marked"), "days"),
    Rule("retired", "OUEN_RETENTION_RETIRED_DAYS",
         N_("Contact data and introduction of collaborators who retired"),
         N_("%(period)s after they retired"), "days"),
    Rule("mail", "OUEN_RETENTION_MAIL_DAYS",
         N_("Delivery records of sent emails (their address and text are erased when sent)"),
         N_("%(period)s after sending"), "days"),
    Rule("links", "OUEN_RETENTION_LINK_DAYS",
         N_("Email links that have ended (used, expired, answered or withdrawn)"),
         N_("%(period)s after they ended"), "days"),
    Rule("audit_ip", "OUEN_RETENTION_AUDIT_IP_DAYS",
         N_("Client network addresses in the audit log (the log itself stays)"),
         N_("%(period)s after the event"), "days"),
)
BY_CODE = {rule.code: rule for rule in RULES}


def period(settings: Settings, code: str) -> timedelta:
    return BY_CODE[code].period(settings)
