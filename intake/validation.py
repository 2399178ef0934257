"""The rules of the public proposal form (DESIGN.md §4). Pure functions; no I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from core.addresses import valid_address
from intake.vocabulary import CATEGORIES, WARDS

FIELDS = (
    "org_name",
    "nickname",
    "email",
    "phone",
    "website_url",
    "facebook_url",
    "twitter",
    "catchphrase",
    "category",
    "body",
    "ward",
    "consent",
)
BODY_MAX = 8000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAK = re.compile(r"[\r\n]")
_PHONE = re.compile(r"^0[0-9]{9,10}$")
_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_DASHES = "-‐‑‒–—―−ー－ｰ"  # hyphen-like characters people type in phone numbers
_FACEBOOK_HOSTS = ("facebook.com", "www.facebook.com", "m.facebook.com", "fb.com")
_TWITTER_HOSTS = ("x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com")


@dataclass
class ProposalInput:
    """Normalised, valid form values."""

    nickname: str
    email: str
    phone: str
    catchphrase: str
    category: str
    body: str
    org_name: str | None = None
    website_url: str | None = None
    facebook_url: str | None = None
    twitter: str | None = None
    ward: str | None = None


@dataclass
class Validation:
    """The outcome: values to show again, error codes per field, and the input if valid."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    data: ProposalInput | None = None


def normalise_text(value: str) -> str:
    """NFC, CRLF→LF, trimmed. Structured fields additionally go through NFKC."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def has_bad_characters(value: str, multiline: bool) -> bool:
    stripped = value.replace("\n", "").replace("\t", "") if multiline else value
    return bool(_CONTROL.search(stripped) or (not multiline and _LINE_BREAK.search(value)))


def normalise_phone(raw: str) -> str | None:
    """Japanese numbers; full-width digits, hyphens, spaces, brackets and +81 accepted."""
    value = unicodedata.normalize("NFKC", raw)
    for ch in _DASHES + " ()（）\u3000":
        value = value.replace(ch, "")
    if value.startswith("+81"):
        value = "0" + value[3:].lstrip("0")
    return value if _PHONE.match(value) else None


def valid_email(value: str) -> bool:
    """core.addresses.valid_address: the one test of an address."""
    return valid_address(value)


def web_url(value: str, hosts: tuple[str, ...] | None = None) -> str | None:
    """An http(s) URL with a host (optionally one of `hosts`), else None."""
    if len(value) > 2000 or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or parts.username:
        return None
    if hosts is not None and host not in hosts:
        return None
    return value


def twitter_handle(value: str) -> str | None:
    """`@handle`, `handle` or an x.com/twitter.com profile URL → the handle."""
    if value.startswith("@"):
        value = value[1:]
    elif "/" in value:
        if not web_url(value, _TWITTER_HOSTS):
            return None
        value = urlsplit(value).path.strip("/").split("/")[0]
    return value if _HANDLE.match(value) else None


def _length(value: str, maximum: int) -> bool:
    return len(value) <= maximum


def validate_proposal(form: Mapping[str, str]) -> Validation:
    """Validate the form. Error codes are message keys (see intake.messages)."""
    values = {name: str(form.get(name, "") or "") for name in FIELDS}
    multiline = {"body"}
    for name in FIELDS:
        values[name] = normalise_text(values[name])
    for name in ("email", "website_url", "facebook_url", "twitter", "category", "ward"):
        values[name] = unicodedata.normalize("NFKC", values[name]).strip()
    errors: dict[str, str] = {}
    for name in FIELDS:
        if has_bad_characters(values[name], name in multiline):
            errors[name] = "bad_characters"

    def need(name: str) -> bool:
        if name in errors:
            return False
        if not values[name]:
            errors[name] = "required"
            return False
        return True

    if values["org_name"] and not _length(values["org_name"], 100):
        errors.setdefault("org_name", "too_long_100")
    if need("nickname") and not _length(values["nickname"], 50):
        errors["nickname"] = "too_long_50"
    if need("email") and not valid_email(values["email"]):
        errors["email"] = "email_invalid"
    phone = normalise_phone(values["phone"]) if need("phone") else None
    if values["phone"] and "phone" not in errors and phone is None:
        errors["phone"] = "phone_invalid"
    if values["website_url"] and "website_url" not in errors and not web_url(values["website_url"]):
        errors["website_url"] = "url_invalid"
    if (values["facebook_url"] and "facebook_url" not in errors
            and not web_url(values["facebook_url"], _FACEBOOK_HOSTS)):
        errors["facebook_url"] = "facebook_invalid"
    handle = twitter_handle(values["twitter"]) if values["twitter"] else None
    if values["twitter"] and "twitter" not in errors and handle is None:
        errors["twitter"] = "twitter_invalid"
    if need("catchphrase") and not _length(values["catchphrase"], 60):
        errors["catchphrase"] = "too_long_60"
    if need("category") and values["category"] not in CATEGORIES:
        errors["category"] = "choice_invalid"
    if need("body") and not _length(values["body"], BODY_MAX):
        errors["body"] = "too_long_8000"
    if values["ward"] and "ward" not in errors and values["ward"] not in WARDS:
        errors["ward"] = "choice_invalid"
    if not values["consent"]:
        errors["consent"] = "consent_required"
    if errors:
        return Validation(values=values, errors=errors)
    data = ProposalInput(
        nickname=values["nickname"],
        email=values["email"],
        phone=phone or "",
        catchphrase=values["catchphrase"],
        category=values["category"],
        body=values["body"],
        org_name=values["org_name"] or None,
        website_url=values["website_url"] or None,
        facebook_url=values["facebook_url"] or None,
        twitter=handle,
        ward=values["ward"] or None,
    )
    return Validation(values=values, errors={}, data=data)
