"""Contact values in free text: found by kind without ever being shown, or blacked out.

Generic patterns catch any email address, phone number, social-network account or LINE ID;
a person's own values (their nickname, address, number — decrypted by the caller, see
intake/contact.py) become patterns that tolerate how people write them (full-width
characters, spaces inside a name, hyphens or +81 in a number). `find` names only the *kind*
of what was found where ("the applicant's phone number appears in the body"), `redact`
replaces it with [...]: editors read stories, change requests and proposals this way."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

_SEP = r"[\s\-‐‑‒–—―−ー().]*"  # what people put between the digits of a number
_SEP1 = r"[\s\-‐‑‒–—―−ー().]?"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    rf"(?<!\d)(?:\+?81{_SEP1}|0)\d{{1,4}}{_SEP1}\d{{1,4}}{_SEP1}\d{{3,4}}(?!\d)"
)
# Accounts that lead to a person: social-network links, @handles, LINE IDs. (Other links,
# such as an organisation's activity report, are fine in a story.)
ACCOUNT = re.compile(
    r"(?:https?://)?(?:www\.)?(?:instagram\.com|facebook\.com|fb\.com|x\.com|twitter\.com"
    r"|tiktok\.com|line\.me|threads\.net)/\S*"
    r"|(?<![\w@.])@[A-Za-z0-9_]{3,}(?![\w@])|LINE\s*(?:ID)?\s*[:：]\s*\S+",
    re.IGNORECASE,
)
_MIN_LENGTH = 2  # a one-letter nickname would match everywhere
REDACTED = "[…]"


@dataclass(frozen=True)
class Known:
    """One contact value of someone in the story's project, as a search pattern."""

    who: str  # "applicant" or "member"
    kind: str  # nickname, email, phone, website, facebook, twitter
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Finding:
    field: str
    who: str  # "applicant", "member" or "anyone" (a pattern, not a known value)
    kind: str


def fold(text: str) -> str:
    """Full-width letters and digits as ASCII, compatibility forms unified."""
    return unicodedata.normalize("NFKC", text)


def _spaced(value: str) -> str:
    """`value` with any whitespace allowed between its characters (こうべ 太郎)."""
    return r"\s*".join(re.escape(ch) for ch in value if not ch.isspace())


def _phone_pattern(digits: str) -> str:
    spaced = _SEP.join(digits)
    if digits.startswith("0"):
        rest = _SEP.join(digits[1:])
        return rf"(?<!\d)(?:{spaced}|\+?81{_SEP}{rest})(?!\d)"
    return rf"(?<!\d){spaced}(?!\d)"


def _url_key(url: str) -> str:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    return (host + parts.path).rstrip("/")


def _patterns(kind: str, value: str) -> str | None:
    value = fold(value).strip()
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        return _phone_pattern(digits) if len(digits) >= 6 else None
    if kind in ("website", "facebook"):
        key = _url_key(value)
        return re.escape(key) if len(key) >= 4 else None
    if kind == "twitter":
        handle = value.lstrip("@")
        return rf"(?<![\w]){re.escape(handle)}(?![\w])" if len(handle) >= 3 else None
    if kind == "email":
        return re.escape(value) if "@" in value else None
    compact = "".join(value.split())
    return _spaced(compact) if len(compact) >= _MIN_LENGTH else None


def known_values(who: str, values: Iterable[tuple[str, str | None]]) -> list[Known]:
    """Patterns for one person's values, given as (kind, value); empty values are skipped."""
    found = []
    for kind, value in values:
        pattern = _patterns(kind, value) if value else None
        if pattern:
            found.append(Known(who, kind, re.compile(pattern, re.IGNORECASE)))
    return found


def find(texts: dict[str, str], known: list[Known]) -> list[Finding]:
    """What kinds of personal data appear in which field; each (field, who, kind) once."""
    findings: list[Finding] = []
    for field_name, raw in texts.items():
        text = fold(raw)
        here: list[Finding] = []
        for item in known:
            if item.pattern.search(text):
                here.append(Finding(field_name, item.who, item.kind))
        kinds = {f.kind for f in here}
        # A generic hit adds nothing when the same kind was already named more precisely.
        if "email" not in kinds and EMAIL.search(text):
            here.append(Finding(field_name, "anyone", "email"))
        if "phone" not in kinds and PHONE.search(text):
            here.append(Finding(field_name, "anyone", "phone"))
        if not kinds & {"website", "facebook", "twitter"} and ACCOUNT.search(text):
            here.append(Finding(field_name, "anyone", "account"))
        for finding in here:
            if finding not in findings:
                findings.append(finding)
    return findings


def redact(text: str, known: list[Known]) -> str:
    """Free text from someone (a change request) as an editor may read it."""
    text = fold(text)
    for item in known:
        text = item.pattern.sub(REDACTED, text)
    return ACCOUNT.sub(REDACTED, PHONE.sub(REDACTED, EMAIL.sub(REDACTED, text)))
