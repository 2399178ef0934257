"""Collaborators (協力者): registration from the public form (with email verification) or by
staff on someone's behalf, the pool's filtered keyset lists, profile edits, and pausing,
retiring and reactivating. Contact data is encrypted like applicants'."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, or_, type_coerce
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import i18n
from core.audit import Actor, AuditLog
from core.crypto import FieldCipher, hash_token, new_token
from core.db import utcnow
from core.errors import DomainError
from core.hooks import Unit
from core.models import RecordKey
from core.redaction import fold
from intake.collaborator_validation import CollaboratorInput
from intake.contact import sealed
from intake.events import CollaboratorLeft, collaborator_left
from intake.messages import OFFER_LABELS
from intake.models import Collaborator, CollaboratorStatus, VerificationToken
from intake.search import escape_like
from intake.services import POLICY_VERSION, TOKEN_VALIDITY, new_reference
from intake.vocabulary import CITYWIDE, OFFER_SUGGESTIONS
from notifications.services import enqueue_email

REF_PREFIX = "CO"


def offer_names(offers: list[str], locale: str) -> str:
    """The offers as one line in `locale`: suggested tags translated, free tags as typed."""
    _ = i18n.make_gettext(locale if locale in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE)
    names = [_(OFFER_LABELS[tag]) if tag in OFFER_LABELS else tag for tag in offers]
    return ("、" if locale == "ja" else ", ").join(names)


@dataclass(frozen=True)
class Registered:
    ref: str
    collaborator_id: int


async def _insert(
    session: AsyncSession, cipher: FieldCipher, data: CollaboratorInput, *,
    status: CollaboratorStatus,
    locale: str, now: datetime, email_bidx: str | None = None,
    verified_at: datetime | None = None, entered_by_id: int | None = None,
    consent_method: str = "web_form",
) -> Collaborator:
    key, columns = sealed(cipher, {"display_name": data.display_name, "email": data.email,
                                   "phone": data.phone}, now)
    collaborator = Collaborator(
        **columns, key=RecordKey(**key), ref=new_reference(REF_PREFIX), status=status,
        org_name=data.org_name,
        org_type=data.org_type, email_bidx=email_bidx or cipher.blind_index(data.email),
        categories=data.categories, wards=data.wards,
        offers=data.offers, availability=data.availability, capacity=data.capacity,
        intro=data.intro, locale=locale, consent_at=now, policy_version=POLICY_VERSION,
        consent_method=consent_method, entered_by_id=entered_by_id, call_id=data.call_id,
        created_at=now, updated_at=now, verified_at=verified_at,
    )
    session.add(collaborator)
    await session.flush()
    return collaborator


async def register_collaborator(
    session: AsyncSession, cipher: FieldCipher, audit: AuditLog, data: CollaboratorInput, *,
    locale: str, base_url: str, sender_domain: str, email_bidx: str | None = None,
    ip: str = "", now: datetime | None = None,
) -> Registered:
    """Store an unverified collaborator and queue the confirmation email, in one transaction."""
    now = now or utcnow()
    collaborator = await _insert(session, cipher, data, status=CollaboratorStatus.UNVERIFIED,
                                 locale=locale, now=now, email_bidx=email_bidx)
    assert collaborator.id is not None
    token = new_token()
    session.add(VerificationToken(collaborator_id=collaborator.id, token_hash=hash_token(token),
                                  expires_at=now + TOKEN_VALIDITY))
    await enqueue_email(
        session, cipher, template="collaborator_verify", locale=locale, recipient=data.email,
        context={
            "ref": collaborator.ref,
            "verify_url": f"{base_url}/verify/{token}",
            "offers": offer_names(data.offers, locale),
            "valid_hours": int(TOKEN_VALIDITY.total_seconds() // 3600),
        },
        sender_domain=sender_domain, now=now, object_type="collaborator",
        object_id=collaborator.id,
    )
    source = "call" if data.call_id else "web"
    await audit.record(
        session, "collaborator.submitted", Actor("collaborator", ip=ip),
        object_type="collaborator", object_id=collaborator.id,
        detail=f"source={source} locale={locale}", now=now,
    )
    return Registered(ref=collaborator.ref, collaborator_id=collaborator.id)


async def enter_collaborator_on_behalf(
    session: AsyncSession, cipher: FieldCipher, audit: AuditLog, data: CollaboratorInput,
    actor: Actor, *, consent_method: str, locale: str = "ja",
) -> Registered:
    """A collaborator registered by phone, on paper or in person: active at once, no email
    round trip; the record says who entered it and how consent was obtained."""
    now = utcnow()
    collaborator = await _insert(
        session, cipher, data, status=CollaboratorStatus.ACTIVE, locale=locale, now=now,
        verified_at=now, entered_by_id=actor.staff_id, consent_method=consent_method,
    )
    assert collaborator.id is not None
    await audit.record(
        session, "collaborator.entered_on_behalf", actor, object_type="collaborator",
        object_id=collaborator.id, detail=f"consent={consent_method}", now=now,
    )
    return Registered(ref=collaborator.ref, collaborator_id=collaborator.id)


CONTACT_FIELDS = ("display_name", "email", "phone")
REVEAL_REASONS = ("contact_collaborator", "verify_identity", "arrange_introduction", "other")
PAGE_SIZE = 50
_ACTIVE, _PAUSED, _RETIRED = (CollaboratorStatus.ACTIVE, CollaboratorStatus.PAUSED,
                              CollaboratorStatus.RETIRED)
# action: (the states it applies to, the state it leads to)
ACTIONS: dict[str, tuple[tuple[CollaboratorStatus, ...], CollaboratorStatus]] = {
    "pause": ((_ACTIVE,), _PAUSED),
    "retire": ((_ACTIVE, _PAUSED), _RETIRED),
    "reactivate": ((_PAUSED, _RETIRED), _ACTIVE),
}
PROFILE = ("org_name", "org_type", "categories", "wards", "offers", "availability", "capacity",
           "intro")


@dataclass
class CollaboratorFilters:
    status: str = ""
    category: str = ""
    ward: str = ""
    offer: str = ""
    availability: str = ""
    q: str = ""
    after: int | None = None  # keyset: the last id of the previous page
    sort: str = "newest"  # or "oldest"


@dataclass
class CollaboratorPage:
    rows: list[Collaborator]
    next_after: int | None


def _has(column: Any, item: str) -> ColumnElement[bool]:
    """The JSON list in `column` holds `item` (its quoted JSON form, so `nada` does not
    match `higashinada`). Read as text: the same test on SQLite and PostgreSQL."""
    pattern = f"%{escape_like(json.dumps(item, ensure_ascii=False))}%"
    return type_coerce(column, Text).like(pattern, escape="\\")


async def list_collaborators(
    db: AsyncSession, filters: CollaboratorFilters, limit: int = PAGE_SIZE,
    screen: Callable[[Collaborator, str], str] | None = None,
) -> CollaboratorPage:
    """A page of verified collaborators (newest or oldest first) and the keyset for the next.
    With `screen` (for readers who see no contact data), a search term must be in the text
    as they may read it: a number found only where it is blacked out would tell them it is
    there, and could be rebuilt digit by digit."""
    query = select(Collaborator).where(
        col(Collaborator.status) != CollaboratorStatus.UNVERIFIED)
    if filters.status:
        query = query.where(col(Collaborator.status) == filters.status)
    if filters.availability:
        query = query.where(col(Collaborator.availability) == filters.availability)
    if filters.category:
        query = query.where(_has(Collaborator.categories, filters.category))
    if filters.ward:
        # Someone who helps anywhere in the city helps in every ward too.
        query = query.where(or_(_has(Collaborator.wards, filters.ward),
                                _has(Collaborator.wards, CITYWIDE)))
    if filters.offer:
        query = query.where(_has(Collaborator.offers, filters.offer))
    if filters.q:
        # Profile text only: names and contact data are encrypted and never searched.
        pattern = f"%{escape_like(filters.q)}%"
        query = query.where(or_(col(Collaborator.org_name).like(pattern, escape="\\"),
                                col(Collaborator.intro).like(pattern, escape="\\"),
                                type_coerce(Collaborator.offers, Text).like(pattern, escape="\\")))
    oldest = filters.sort == "oldest"
    order = col(Collaborator.id).asc() if oldest else col(Collaborator.id).desc()
    after, rows = filters.after, list[Collaborator]()
    while len(rows) <= limit:
        batch_query = query
        if after:
            batch_query = query.where(col(Collaborator.id) > after if oldest
                                      else col(Collaborator.id) < after)
        batch = list((await db.exec(batch_query.order_by(order).limit(limit + 1))).all())
        if screen is None or not filters.q:
            rows = batch
            break
        rows += [c for c in batch if _readable_match(c, filters.q, screen)]
        if len(batch) <= limit:
            break
        after = batch[-1].id
    if len(rows) > limit:
        return CollaboratorPage(rows[:limit], rows[limit - 1].id)
    return CollaboratorPage(rows, None)


def _readable_match(collaborator: Collaborator, term: str,
                    screen: Callable[[Collaborator, str], str]) -> bool:
    """The term is in the profile text as the reader sees it."""
    texts = (collaborator.org_name or "", collaborator.intro, " ".join(collaborator.offers))
    needle = fold(term).lower()
    return any(needle in screen(collaborator, text).lower() for text in texts)


async def update_profile(
    db: AsyncSession, audit: AuditLog, collaborator: Collaborator, data: CollaboratorInput,
    actor: Actor,
) -> list[str]:
    """Change what someone offers (never contact data); the audit event names the fields
    that changed, not their values. Returns those field names."""
    changed = [name for name in PROFILE
               if getattr(collaborator, name) != getattr(data, name)]
    if not changed:
        return []
    for name in changed:
        setattr(collaborator, name, getattr(data, name))
    collaborator.updated_at = utcnow()
    db.add(collaborator)
    await audit.record(db, "collaborator.updated", actor, object_type="collaborator",
                       object_id=collaborator.id or "", detail=f"fields={','.join(changed)}")
    return changed


async def change_status(
    db: AsyncSession, audit: AuditLog, collaborator: Collaborator, action: str, actor: Actor,
) -> None:
    """Pause, retire or reactivate. Leaving (pause, retire) is told to the packages above
    (intake.events.collaborator_left) in this transaction."""
    sources, target = ACTIONS.get(action, ((), None))
    if target is None or collaborator.status not in sources:
        raise DomainError("collaborator_action_invalid")
    await audit.record(db, "collaborator.status_changed", actor, object_type="collaborator",
                       object_id=collaborator.id or "",
                       detail=f"{collaborator.status} -> {target}")
    collaborator.status = target
    collaborator.updated_at = utcnow()
    collaborator.left_at = collaborator.updated_at if target == _RETIRED else None
    db.add(collaborator)
    if target != CollaboratorStatus.ACTIVE:
        await collaborator_left.emit(Unit(db, audit), CollaboratorLeft(collaborator))


def actions_for(status: CollaboratorStatus) -> list[str]:
    return [action for action, (sources, _target) in ACTIONS.items() if status in sources]


def profile_values(
    collaborator: Collaborator, suggestions: tuple[str, ...] = OFFER_SUGGESTIONS,
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A stored profile as form values: suggested offers as ticked boxes, the rest as text."""
    values = {
        "org_name": collaborator.org_name or "", "org_type": collaborator.org_type,
        "availability": collaborator.availability, "capacity": str(collaborator.capacity),
        "intro": collaborator.intro,
        "offers_other": "、".join(o for o in collaborator.offers if o not in suggestions),
    }
    lists = {"categories": list(collaborator.categories), "wards": list(collaborator.wards),
             "offers": [o for o in collaborator.offers if o in suggestions]}
    return values, lists

