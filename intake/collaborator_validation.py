"""The rules of the collaborator form (協力者登録). Pure functions; no I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.web import parse_id
from intake.validation import has_bad_characters, normalise_phone, normalise_text, valid_email
from intake.vocabulary import (
    AVAILABILITIES,
    CAPACITY_MAX,
    CAPACITY_MIN,
    CATEGORIES,
    CITYWIDE,
    INTRO_MAX,
    OFFER_MAX_LENGTH,
    OFFER_SUGGESTIONS,
    OFFERS_MAX,
    ORG_TYPES,
    WARDS,
)

TEXT_FIELDS = (
    "display_name",
    "org_name",
    "org_type",
    "email",
    "phone",
    "offers_other",
    "availability",
    "capacity",
    "intro",
    "consent",
    "call",
)
LIST_FIELDS = ("categories", "wards", "offers")
FORM_ORDER = ("display_name", "org_name", "org_type", "email", "phone", "categories", "wards",
              "offers", "offers_other", "availability", "capacity", "intro", "consent")
# Free tags are separated by commas, 、 or semicolons (full-width ones become ASCII by NFKC).
_TAG_SEPARATORS = re.compile(r"[,、;\n]")


@dataclass
class CollaboratorInput:
    """Normalised, valid form values."""

    display_name: str
    email: str
    phone: str
    org_type: str
    categories: list[str]
    wards: list[str]
    offers: list[str]
    availability: str
    capacity: int
    intro: str
    org_name: str | None = None
    call_id: int | None = None


@dataclass
class CollaboratorValidation:
    """Values to show again (text and lists), error codes per field, and the input if valid."""

    values: dict[str, str]
    lists: dict[str, list[str]]
    errors: dict[str, str] = field(default_factory=dict)
    data: CollaboratorInput | None = None


def _in_form_order(errors: dict[str, str]) -> dict[str, str]:
    """The error summary lists problems in the order the fields appear."""
    return {name: errors[name] for name in FORM_ORDER if name in errors}


def split_tags(raw: str) -> list[str]:
    """`配送、 見守り,チラシ配り` → three tags, each NFKC-normalised and trimmed."""
    parts = _TAG_SEPARATORS.split(unicodedata.normalize("NFKC", raw))
    return [tag.strip() for tag in parts if tag.strip()]


def _chosen(raw: Sequence[str], allowed: Sequence[str]) -> tuple[list[str], bool]:
    """The allowed codes picked, in the allowed order; False if anything else was sent."""
    picked = {unicodedata.normalize("NFKC", value).strip() for value in raw}
    return [code for code in allowed if code in picked], picked <= set(allowed)


def _offers(checked: list[str], values: dict[str, str], errors: dict[str, str]) -> list[str]:
    """The ticked suggestions, then the free tags typed in `offers_other`, without repeats."""
    offers = list(checked)
    for tag in split_tags(values["offers_other"]):
        if len(tag) > OFFER_MAX_LENGTH:
            errors.setdefault("offers_other", "offer_too_long")
        elif tag.casefold() not in {o.casefold() for o in offers}:
            offers.append(tag)
    if len(offers) > OFFERS_MAX:
        errors.setdefault("offers_other", "offers_too_many")
    if not offers and "offers" not in errors and "offers_other" not in errors:
        errors["offers"] = "offers_required"
    return offers


def _capacity(value: str, errors: dict[str, str]) -> int:
    number = parse_id(value) if value else None
    if not value:
        errors.setdefault("capacity", "required")
    elif number is None or not CAPACITY_MIN <= number <= CAPACITY_MAX:
        errors.setdefault("capacity", "capacity_invalid")
    return number or 0


def _normalise(form: Mapping[str, str]) -> dict[str, str]:
    values = {name: normalise_text(str(form.get(name, "") or "")) for name in TEXT_FIELDS}
    for name in ("email", "org_type", "availability", "capacity", "call"):
        values[name] = unicodedata.normalize("NFKC", values[name]).strip()
    return values


def validate_profile(
    form: Mapping[str, str], lists: Mapping[str, Sequence[str]]
) -> CollaboratorValidation:
    """What someone offers: the fields shared by the public form and staff edits."""
    values = _normalise(form)
    errors: dict[str, str] = {}
    for name in ("org_name", "offers_other", "intro"):
        if has_bad_characters(values[name], multiline=name == "intro"):
            errors[name] = "bad_characters"
    categories, known_categories = _chosen(lists.get("categories", ()), CATEGORIES)
    wards, known_wards = _chosen(lists.get("wards", ()), WARDS)
    if CITYWIDE in wards:
        wards = [CITYWIDE]  # the whole city includes every ward
    if values["org_name"] and len(values["org_name"]) > 100:
        errors.setdefault("org_name", "too_long_100")
    if values["org_type"] not in ORG_TYPES:
        errors["org_type"] = "choice_invalid" if values["org_type"] else "required"
    checked, known_offers = _chosen(lists.get("offers", ()), OFFER_SUGGESTIONS)
    for name, chosen, known in (("categories", categories, known_categories),
                                ("wards", wards, known_wards), ("offers", checked, known_offers)):
        if not known:
            errors[name] = "choice_invalid"
        elif not chosen and name != "offers":
            errors[name] = "choose_some"
    offers = _offers(checked, values, errors)
    if values["availability"] not in AVAILABILITIES:
        errors["availability"] = "choice_invalid" if values["availability"] else "required"
    capacity = _capacity(values["capacity"], errors)
    if not values["intro"]:
        errors.setdefault("intro", "required")
    elif len(values["intro"]) > INTRO_MAX:
        errors.setdefault("intro", "too_long_2000")
    # The boxes to tick again; free tags stay in the `offers_other` text as typed.
    shown = {"categories": categories, "wards": wards, "offers": checked}
    data = None
    if not errors:
        data = CollaboratorInput(
            display_name="", email="", phone="", org_type=values["org_type"],
            categories=categories, wards=wards, offers=offers,
            availability=values["availability"], capacity=capacity, intro=values["intro"],
            org_name=values["org_name"] or None,
        )
    return CollaboratorValidation(values=values, lists=shown, errors=_in_form_order(errors),
                                  data=data)


def validate_collaborator(
    form: Mapping[str, str], lists: Mapping[str, Sequence[str]]
) -> CollaboratorValidation:
    """The whole registration: contact data, profile and consent."""
    result = validate_profile(form, lists)
    values, errors = result.values, result.errors
    for name in ("display_name", "email", "phone"):
        if has_bad_characters(values[name], multiline=False):
            errors[name] = "bad_characters"
        elif not values[name]:
            errors[name] = "required"
    if "display_name" not in errors and len(values["display_name"]) > 50:
        errors["display_name"] = "too_long_50"
    if "email" not in errors and not valid_email(values["email"]):
        errors["email"] = "email_invalid"
    phone = normalise_phone(values["phone"]) if "phone" not in errors else None
    if "phone" not in errors and phone is None:
        errors["phone"] = "phone_invalid"
    if not values["consent"]:
        errors["consent"] = "consent_required"
    # A hidden field from /collaborate?call=N: kept when it is a plausible id, else dropped.
    call_id = parse_id(values["call"])
    values["call"] = str(call_id or "")
    result.errors = _in_form_order(errors)
    if result.errors or result.data is None:
        result.data = None
        return result
    data = result.data
    data.display_name, data.email, data.phone = values["display_name"], values["email"], phone or ""
    data.call_id = call_id
    return result
