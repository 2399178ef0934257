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

# How people write contact values so that a simple pattern misses them: digits as kanji
# numerals (〇九〇), spaced out or with long separators (090 - 5678 - 1234), "at" and "dot"
# written out (other (at) example.com). Text is folded (NFKC: full-width forms) first.
_KANJI_DIGITS = "〇零○一二三四五六七八九"
DIGIT = rf"[0-9{_KANJI_DIGITS}]"
ZERO = r"[0〇零○]"
_SEPCHARS = r"[\s\-‐‑‒–—―−ー().・,、_/]"
_SEP = rf"{_SEPCHARS}*"  # what people put between the digits of a number
_SEP1 = rf"{_SEPCHARS}{{0,3}}"
_OPEN, _CLOSE = r"[(\[{<（【]", r"[)\]}>）】]"
_AT = (r"(?:\s*@\s*|\s*" + _OPEN + r"\s*(?:at|アット|あっと)\s*" + _CLOSE
       + r"\s*|\s+at\s+|\s*(?:アット|あっと)\s*)")
_DOT = (r"(?:\s*\.\s*|\s*" + _OPEN + r"\s*(?:dot|ドット|どっと)\s*" + _CLOSE
        + r"\s*|\s+dot\s+|\s*(?:ドット|どっと)\s*)")
EMAIL = re.compile(rf"[A-Za-z0-9._%+-]+{_AT}[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)+", re.IGNORECASE)
PHONE = re.compile(
    rf"(?<![0-9{_KANJI_DIGITS}])(?:(?:\+?81{_SEP1}|{ZERO}){DIGIT}{{1,4}}{_SEP1}{DIGIT}{{1,4}}"
    rf"{_SEP1}{DIGIT}{{3,4}}|{ZERO}(?:{_SEPCHARS}{{0,2}}{DIGIT}){{9,10}})(?![0-9{_KANJI_DIGITS}])"
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


def _digit(ch: str) -> str:
    """One digit of a known number, as ASCII or as the kanji numeral people write for it."""
    kanji = {"0": "〇零○", "1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六",
             "7": "七", "8": "八", "9": "九"}[ch]
    return f"[{ch}{kanji}]"


def _phone_pattern(digits: str) -> str:
    spaced = _SEP.join(_digit(d) for d in digits)
    if digits.startswith("0"):
        rest = _SEP.join(_digit(d) for d in digits[1:])
        return rf"(?<!{DIGIT})(?:{spaced}|\+?81{_SEP}{rest})(?!{DIGIT})"
    return rf"(?<!{DIGIT}){spaced}(?!{DIGIT})"


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
        local, at, domain = value.rpartition("@")
        if not at:
            return None
        labels = [re.escape(label) for label in domain.split(".")]
        return re.escape(local) + _AT + _DOT.join(labels)
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
