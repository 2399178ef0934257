"""Requests about a person's own data that reach the secretariat by phone, letter, email or
at the counter (開示・訂正・利用停止・消去): recorded with how the person's identity was
checked and the answer due 30 days after receipt, then carried out with the same functions
as the person's own page (/my: intake.self_service, intake.erasure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.models import RightsKind, RightsRequest, RightsStatus
from core.audit import Actor, AuditLog
from core.crypto import FieldCipher
from core.db import utcnow
from core.errors import DomainError
from core.hooks import Unit
from core.i18n import N_
from intake.collaborators import change_status as change_collaborator_status
from intake.contact import contact_values
from intake.erasure import erase_collaborator, erase_proposal
from intake.events import WithdrawalRequested, withdrawal_requested
from intake.models import Collaborator, CollaboratorStatus, Proposal
from intake.self_service import Person, correct_collaborator, correct_proposal
from intake.validation import normalise_phone, normalise_text, valid_email, validate_proposal

ANSWER_DAYS = 30  # 個人情報保護法: a decision within 30 days of the request
KINDS = {
    RightsKind.DISCLOSURE: N_("Disclosure: see what we hold"),
    RightsKind.CORRECTION: N_("Correction of contact data or texts"),
    RightsKind.WITHDRAWAL: N_("Stop using the data (withdraw the proposal, or retire)"),
    RightsKind.ERASURE: N_("Erasure of the data"),
}
CHANNELS = {"phone": N_("Phone"), "letter": N_("Letter"), "counter": N_("At the counter"),
            "email": N_("Email")}
IDENTITY_CHECKS = {
    "registered_phone": N_("Called back on the phone number we hold"),
    "registered_email": N_("Answered from the email address we hold"),
    "id_document": N_("Identity document shown at the counter"),
    "reference_letter": N_("Letter quoting the reference number, answered to the address we hold"),
}
OUTCOMES = {
    "carried_out": N_("Carried out"),
    "answered": N_("Answered: the data was sent to the person"),
    "identity_not_confirmed": N_("Refused: identity could not be confirmed"),
    "withdrawn_by_person": N_("Closed: the person withdrew the request"),
}
REFUSALS = {"identity_not_confirmed", "withdrawn_by_person"}


@dataclass(frozen=True)
class NewRequest:
    """A checked request form: the subject found by its reference, and the facts."""

    subject: Person
    kind: RightsKind
    channel: str
    identity_check: str
    received_on: date


async def find_subject(db: AsyncSession, ref: str) -> Person | None:
    """The proposal (OU-…) or collaborator (CO-…) with this reference number."""
    ref = ref.strip().upper()
    if not ref:
        return None
    proposal = (await db.exec(select(Proposal).where(col(Proposal.ref) == ref))).first()
    if proposal is not None:
        return proposal
    return (await db.exec(select(Collaborator).where(col(Collaborator.ref) == ref))).first()


async def check_request(db: AsyncSession, form: Mapping[str, str], today: date
                        ) -> tuple[NewRequest | None, dict[str, str]]:
    """The request form checked: (request, {}) or (None, {field: message code})."""
    errors: dict[str, str] = {}
    subject = await find_subject(db, form.get("ref", "")[:20])
    if subject is None:
        errors["ref"] = "rights_unknown_ref"
    kind = form.get("kind", "")
    if kind not in KINDS:
        errors["kind"] = "rights_choose"
    channel, check = form.get("channel", ""), form.get("identity_check", "")
    if channel not in CHANNELS:
        errors["channel"] = "rights_choose"
    if check not in IDENTITY_CHECKS:
        errors["identity_check"] = "rights_choose"
    try:
        received = date.fromisoformat(form.get("received_on", "")[:10])
    except ValueError:
        received = None
    if received is None or not today - timedelta(days=365) <= received <= today:
        errors["received_on"] = "rights_bad_date"
    if errors or subject is None or received is None:
        return None, errors
    return NewRequest(subject, RightsKind(kind), channel, check, received), {}


async def record_request(db: AsyncSession, audit: AuditLog, actor: Actor, staff_id: int,
                         new: NewRequest) -> RightsRequest:
    """Store the request with its due date (30 days after receipt) and audit it."""
    row = RightsRequest(
        kind=new.kind, subject_type=new.subject.__tablename__, subject_id=new.subject.id or 0,
        subject_ref=new.subject.ref, channel=new.channel, identity_check=new.identity_check,
        received_on=new.received_on, due_on=new.received_on + timedelta(days=ANSWER_DAYS),
        created_by_id=staff_id, created_at=utcnow())
    db.add(row)
    await db.flush()
    await audit.record(db, "rights.recorded", actor, object_type="rights_request",
                       object_id=row.id or "", detail=(
                           f"kind={row.kind} subject={row.subject_type}:{row.subject_id} "
                           f"channel={row.channel} identity={row.identity_check}"))
    return row


async def subject_of(db: AsyncSession, request: RightsRequest) -> Person | None:
    model = Proposal if request.subject_type == "proposal" else Collaborator
    found: Person | None = await db.get(model, request.subject_id)
    return found


async def close_request(db: AsyncSession, audit: AuditLog, actor: Actor, staff_id: int,
                        request: RightsRequest, outcome: str) -> None:
    if request.status != RightsStatus.OPEN:
        raise DomainError("rights_closed")
    if outcome not in OUTCOMES:
        raise DomainError("rights_choose")
    request.status = RightsStatus.REFUSED if outcome in REFUSALS else RightsStatus.DONE
    request.outcome, request.closed_by_id, request.closed_at = outcome, staff_id, utcnow()
    db.add(request)
    await audit.record(db, "rights.closed", actor, object_type="rights_request",
                       object_id=request.id or "", detail=f"outcome={outcome}")


async def carry_out(db: AsyncSession, cipher: FieldCipher, audit: AuditLog, actor: Actor,
                    staff_id: int, request: RightsRequest, person: Person) -> None:
    """Withdrawal (利用停止) or erasure, exactly as the person's own page does it; the
    request is then closed as carried out."""
    if request.status != RightsStatus.OPEN:
        raise DomainError("rights_closed")
    if request.kind == RightsKind.ERASURE:
        if isinstance(person, Proposal):
            await erase_proposal(db, cipher, audit, person, actor, "rights_request")
        else:
            await erase_collaborator(db, cipher, audit, person, actor, "rights_request")
    elif request.kind == RightsKind.WITHDRAWAL:
        if isinstance(person, Proposal):
            await withdrawal_requested.emit(Unit(db, audit), WithdrawalRequested(person, actor))
        elif person.status != CollaboratorStatus.RETIRED:
            await change_collaborator_status(db, audit, person, "retire", actor)
    else:
        raise DomainError("rights_choose")
    await close_request(db, audit, actor, staff_id, request, "carried_out")


CORRECTABLE = {
    "proposal": ("nickname", "email", "phone", "org_name", "website_url", "facebook_url",
                 "twitter"),
    "collaborator": ("display_name", "email", "phone"),
}


OPTIONAL = ("org_name", "website_url", "facebook_url", "twitter")


async def correct(db: AsyncSession, cipher: FieldCipher, audit: AuditLog, actor: Actor,
                  person: Person, form: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """The values the person gave by phone or letter; an empty field keeps what we hold.
    Returns (fields changed, {}) or ([], {field: message code}) and changes nothing."""
    given = {name: normalise_text(form.get(name, ""))
             for name in CORRECTABLE[person.__tablename__]}
    cleared = {name: "" for name in OPTIONAL if form.get(f"clear_{name}") == "yes"}
    given = {**{name: value for name, value in given.items() if value}, **cleared}
    held = {name: value or "" for name, value in contact_values(cipher, person).items()}
    if isinstance(person, Proposal):
        merged = {**held, "org_name": person.org_name or "", "catchphrase": person.catchphrase,
                  "body": person.body, "category": person.category, "ward": person.ward or "",
                  "consent": "yes", **given}
        result = validate_proposal(merged)
        if result.errors or result.data is None:
            return [], {name: code for name, code in result.errors.items() if name in given}
        return await correct_proposal(db, cipher, audit, person, result.data, actor), {}
    errors: dict[str, str] = {}
    if "email" in given and not valid_email(given["email"]):
        errors["email"] = "email_invalid"
    if "phone" in given:
        phone = normalise_phone(given["phone"])
        if phone is None:
            errors["phone"] = "phone_invalid"
        else:
            given["phone"] = phone
    if len(given.get("display_name", "")) > 50:
        errors["display_name"] = "nickname_too_long"
    if errors:
        return [], errors
    merged_contact = {**held, **given}
    return await correct_collaborator(db, cipher, audit, person, merged_contact, actor), {}


async def open_requests(db: AsyncSession) -> list[RightsRequest]:
    return list((await db.exec(select(RightsRequest).where(
        col(RightsRequest.status) == RightsStatus.OPEN).order_by(
        col(RightsRequest.due_on), col(RightsRequest.id)))).all())


async def closed_requests(db: AsyncSession, limit: int = 50) -> list[RightsRequest]:
    return list((await db.exec(select(RightsRequest).where(
        col(RightsRequest.status) != RightsStatus.OPEN).order_by(
        col(RightsRequest.closed_at).desc()).limit(limit))).all())


async def overdue_requests(db: AsyncSession, today: date) -> int:
    """Open requests whose answer was due before today (shown on the dashboard)."""
    count = (await db.exec(select(func.count()).select_from(RightsRequest).where(
        col(RightsRequest.status) == RightsStatus.OPEN, col(RightsRequest.due_on) < today))).one()
    return int(count)
