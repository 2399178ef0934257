"""The story form: normalised values, error codes per field, slugs."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from intake.validation import has_bad_characters, normalise_text
from intake.vocabulary import CATEGORIES, WARDS
from publishing.models import BODY_MAX, SLUG_MAX, SUMMARY_MAX, TITLE_MAX, Story

FIELDS = ("title", "slug", "summary", "body", "category", "ward")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MIN = 3
# Words the public site may want as paths beside /projects/{slug}.
RESERVED = frozenset({"feed", "atom", "rss", "new", "page", "photos", "calls", "index", "search"})


@dataclass(frozen=True)
class StoryInput:
    title: str
    slug: str
    summary: str
    body_md: str
    category: str
    ward: str | None


def slugify(text: str) -> str:
    """ASCII letters and digits of `text`, lower case, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


def suggest_slug(title: str, ref: str) -> str:
    """From the title when it has enough Latin letters, else a random one (Japanese titles
    have none): `story-3f9a1c2e`. Never the proposal's reference — the applicant and every
    collaborator asked know it, so it would tie the public page back to the case. (`ref` is
    kept in the signature for callers; it is not used.)"""
    slug = slugify(title)
    return slug if len(slug) >= 8 else f"story-{secrets.token_hex(4)}"


async def slug_taken(db: AsyncSession, slug: str, exclude_id: int | None = None) -> bool:
    query = select(Story.id).where(col(Story.slug) == slug)
    if exclude_id is not None:
        query = query.where(col(Story.id) != exclude_id)
    return (await db.exec(query)).first() is not None


async def free_slug(db: AsyncSession, base: str) -> str:
    """`base`, or `base-2`, `base-3`… whichever is free (and not reserved)."""
    base = base[: SLUG_MAX - 4].strip("-") or "story"
    candidate, n = base, 1
    while candidate in RESERVED or await slug_taken(db, candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _single_line(value: str, maximum: int, name: str, errors: dict[str, str]) -> None:
    if not value:
        errors[name] = f"story_{name}_required"
    elif has_bad_characters(value, multiline=False):
        errors[name] = "story_bad_characters"
    elif len(value) > maximum:
        errors[name] = f"story_{name}_too_long"


async def validate_story(
    db: AsyncSession, form: Mapping[str, str], exclude_id: int | None = None
) -> tuple[StoryInput | None, dict[str, str], dict[str, str]]:
    """(input or None, field → message key, the values to show again)."""
    values = {name: normalise_text(str(form.get(name, "") or "")) for name in FIELDS}
    values["slug"] = values["slug"].lower()
    errors: dict[str, str] = {}
    _single_line(values["title"], TITLE_MAX, "title", errors)
    _single_line(values["summary"], SUMMARY_MAX, "summary", errors)
    body = values["body"]
    if not body:
        errors["body"] = "story_body_required"
    elif has_bad_characters(body, multiline=True):
        errors["body"] = "story_bad_characters"
    elif len(body) > BODY_MAX:
        errors["body"] = "story_body_too_long"
    slug = values["slug"]
    if not (SLUG_MIN <= len(slug) <= SLUG_MAX and SLUG.match(slug)) or slug in RESERVED:
        errors["slug"] = "story_slug_invalid"
    elif await slug_taken(db, slug, exclude_id):
        errors["slug"] = "story_slug_taken"
    if values["category"] not in CATEGORIES:
        errors["category"] = "story_category_invalid"
    if values["ward"] and values["ward"] not in WARDS:
        errors["ward"] = "story_ward_invalid"
    if errors:
        return None, errors, values
    data = StoryInput(values["title"], slug, values["summary"], body, values["category"],
                      values["ward"] or None)
    return data, {}, values
