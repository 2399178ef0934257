"""Registering collaborators (協力者): from the public form with email verification, or entered
by staff on someone's behalf. Contact data is encrypted like applicants'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core import i18n
from core.audit import AuditLog
from core.crypto import FieldCipher, hash_token, new_token
from core.db import utcnow
from intake.collaborator_validation import CollaboratorInput
from intake.messages import OFFER_LABELS
from intake.models import VerificationToken
from intake.services import POLICY_VERSION, TOKEN_VALIDITY, new_reference
from matching.models import Collaborator
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
    session: AsyncSession, cipher: FieldCipher, data: CollaboratorInput, *, status: str,
    locale: str, now: datetime, email_bidx: str | None = None,
    verified_at: datetime | None = None, entered_by_id: int | None = None,
    consent_method: str = "web_form",
) -> Collaborator:
    collaborator = Collaborator(
        ref=new_reference(REF_PREFIX), status=status,
        display_name_enc=cipher.encrypt(data.display_name), org_name=data.org_name,
        org_type=data.org_type, email_enc=cipher.encrypt(data.email),
        email_bidx=email_bidx or cipher.blind_index(data.email),
        phone_enc=cipher.encrypt(data.phone), categories=data.categories, wards=data.wards,
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
    collaborator = await _insert(session, cipher, data, status="unverified", locale=locale,
                                 now=now, email_bidx=email_bidx)
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
        session, "collaborator.submitted", actor="collaborator", object_type="collaborator",
        object_id=collaborator.id, detail=f"source={source} locale={locale}", ip=ip, now=now,
    )
    return Registered(ref=collaborator.ref, collaborator_id=collaborator.id)


async def enter_collaborator_on_behalf(
    session: AsyncSession, cipher: FieldCipher, audit: AuditLog, data: CollaboratorInput, *,
    staff_id: int, actor: str, organisation: str, consent_method: str, locale: str = "ja",
    ip: str = "",
) -> Registered:
    """A collaborator registered by phone, on paper or in person: active at once, no email
    round trip; the record says who entered it and how consent was obtained."""
    now = utcnow()
    collaborator = await _insert(
        session, cipher, data, status="active", locale=locale, now=now, verified_at=now,
        entered_by_id=staff_id, consent_method=consent_method,
    )
    assert collaborator.id is not None
    await audit.record(
        session, "collaborator.entered_on_behalf", actor=actor, organisation=organisation,
        object_type="collaborator", object_id=collaborator.id,
        detail=f"consent={consent_method}", ip=ip, now=now,
    )
    return Registered(ref=collaborator.ref, collaborator_id=collaborator.id)
