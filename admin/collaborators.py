"""The collaborator pool for staff: filtered keyset lists, profile edits, pause / retire /
reactivate, and the record's history. Masking and reveals are those of admin.cases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Text, or_, type_coerce
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.cases import PAGE_SIZE, TimelineItem, escape_like
from admin.models import StaffUser
from admin.services import actor_of
from core.audit import AuditEvent, AuditLog
from core.db import utcnow
from intake.collaborator_validation import CITYWIDE, CollaboratorInput
from matching.models import Collaborator

CONTACT_FIELDS = ("display_name", "email", "phone")
REVEAL_REASONS = ("contact_collaborator", "verify_identity", "arrange_introduction", "other")
# action: (the states it applies to, the state it leads to)
ACTIONS = {
    "pause": (("active",), "paused"),
    "retire": (("active", "paused"), "retired"),
    "reactivate": (("paused", "retired"), "active"),
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
    db: AsyncSession, filters: CollaboratorFilters, limit: int = PAGE_SIZE
) -> CollaboratorPage:
    """A page of verified collaborators (newest or oldest first) and the keyset for the next."""
    query = select(Collaborator).where(col(Collaborator.status) != "unverified")
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
    if filters.after:
        query = query.where(col(Collaborator.id) > filters.after if oldest
                            else col(Collaborator.id) < filters.after)
    order = col(Collaborator.id).asc() if oldest else col(Collaborator.id).desc()
    rows = list((await db.exec(query.order_by(order).limit(limit + 1))).all())
    if len(rows) > limit:
        return CollaboratorPage(rows[:limit], rows[limit - 1].id)
    return CollaboratorPage(rows, None)


async def update_profile(
    db: AsyncSession, audit: AuditLog, collaborator: Collaborator, data: CollaboratorInput,
    staff: StaffUser, ip: str,
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
    await audit.record(db, "collaborator.updated", actor=actor_of(staff),
                       organisation=staff.organisation, object_type="collaborator",
                       object_id=collaborator.id or "", detail=f"fields={','.join(changed)}",
                       ip=ip)
    return changed


async def change_status(
    db: AsyncSession, audit: AuditLog, collaborator: Collaborator, action: str,
    staff: StaffUser, ip: str,
) -> str | None:
    """Pause, retire or reactivate; a message key when the action does not apply."""
    sources, target = ACTIONS.get(action, ((), ""))
    if collaborator.status not in sources:
        return "collaborator_action_invalid"
    await audit.record(db, "collaborator.status_changed", actor=actor_of(staff),
                       organisation=staff.organisation, object_type="collaborator",
                       object_id=collaborator.id or "",
                       detail=f"{collaborator.status} -> {target}", ip=ip)
    collaborator.status = target
    collaborator.updated_at = utcnow()
    db.add(collaborator)
    if target != "active":
        from matching.introductions import close_open_matches

        await close_open_matches(db, audit, collaborator_id=collaborator.id,
                                 reason=f"reason=collaborator {target}")
    return None


def actions_for(status: str) -> list[str]:
    return [action for action, (sources, _target) in ACTIONS.items() if status in sources]


async def history(
    db: AsyncSession, collaborator: Collaborator, staff_list: list[StaffUser]
) -> list[TimelineItem]:
    """The audit events of one collaborator, newest first, with staff names."""
    staff = {u.id: f"{u.display_name} ({u.organisation})" for u in staff_list}
    events = await db.exec(select(AuditEvent).where(
        col(AuditEvent.object_type) == "collaborator",
        col(AuditEvent.object_id) == str(collaborator.id)).order_by(col(AuditEvent.id).desc()))
    items = []
    for e in events.all():
        who = staff.get(int(e.actor.split(":")[1]), "") if e.actor.startswith("staff:") else e.actor
        items.append(TimelineItem(e.at, "event", e.action, who, {"detail": e.detail}))
    return items


def profile_values(collaborator: Collaborator, suggestions: tuple[str, ...]) -> tuple[
    dict[str, str], dict[str, list[str]]
]:
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

