"""Contact data as staff may see it: masked values, audited reveals, and applicants' free
text screened for the roles that never see contact data (admin/permissions.py)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from admin.permissions import Permission, allowed
from core.audit import Actor, AuditLog
from core.crypto import FieldCipher
from core.errors import DomainError
from core.redaction import Known, redact
from intake.contact import collaborator_values, contact_value, proposal_values
from intake.models import Collaborator, Proposal

CONTACT_FIELDS = ("nickname", "email", "phone", "website_url", "facebook_url", "twitter")
REVEAL_REASONS = ("contact_applicant", "verify_identity", "arrange_introduction", "other")
COLLABORATOR_FIELDS = ("display_name", "email", "phone")
COLLABORATOR_REASONS = ("contact_collaborator", "verify_identity", "arrange_introduction",
                        "other")


def mask_email(value: str) -> str:
    """`taro@example.jp` → `t***@e***.jp`."""
    local, _, domain = value.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}" if host else f"{local[:1]}***@***"


def mask_phone(value: str) -> str:
    """`0783225211` → `***-****-5211`."""
    return f"***-****-{value[-4:]}"


def mask_other(value: str) -> str:
    return value[:1] + "***" if value else ""


_MASKS = {"email": mask_email, "phone": mask_phone}


def masked(
    cipher: FieldCipher, record: Proposal | Collaborator,
    fields: tuple[str, ...] = CONTACT_FIELDS,
) -> dict[str, str]:
    """Every contact field as staff may see it without a reveal ("" when empty or erased)."""
    out: dict[str, str] = {}
    for name in fields:
        value = contact_value(cipher, record, name)
        out[name] = _MASKS.get(name, mask_other)(value) if value else ""
    return out


def sees_contact_data(role: str) -> bool:
    """Coordinators and admins; editors and auditors never do, not even masked."""
    return allowed(role, Permission.CONTACT_REVEAL)


def screened(
    text: str, role: str | None, record: Proposal | Collaborator | None = None, *,
    cipher: FieldCipher | None = None,
) -> str:
    """Free text from an applicant as a staff member of `role` may read it: roles that never
    see contact data (editors, auditors) get email addresses, phone numbers and social-network
    accounts written into it replaced, and, given the proposal (and the cipher, bound when
    the filter is registered), its applicant's own name and contact values too. A Jinja
    filter: `{{ p.catchphrase | screened(staff.role, p) }}`."""
    if role is not None and sees_contact_data(role):
        return text
    known: list[Known] = []
    if isinstance(record, Proposal) and cipher is not None:
        known = proposal_values(cipher, record, "applicant")
    elif isinstance(record, Collaborator) and cipher is not None:
        known = collaborator_values(cipher, record)
    return redact(text, known)


def generic_screen(text: str) -> str:
    """`screened` for a reader who sees no contact data, without the record's own values."""
    return screened(text, None)


def screened_proposal(cipher: FieldCipher, proposal: Proposal, role: str) -> dict[str, str]:
    """Catchphrase and body for the case page, as `screened` leaves them for `role`."""
    return {name: screened(value, role, proposal, cipher=cipher)
            for name, value in (("catchphrase", proposal.catchphrase), ("body", proposal.body))}


async def reveal(
    db: AsyncSession, cipher: FieldCipher, audit: AuditLog, record: Proposal | Collaborator,
    field_name: str, reason: str, actor: Actor, *, object_type: str = "proposal",
    fields: tuple[str, ...] = CONTACT_FIELDS, reasons: tuple[str, ...] = REVEAL_REASONS,
) -> str:
    """One contact value in clear, for a stated reason; always an audit event."""
    value = contact_value(cipher, record, field_name) if field_name in fields else None
    if not value or reason not in reasons:
        raise DomainError("reveal_invalid")
    await audit.record(db, "contact.revealed", actor, object_type=object_type,
                       object_id=record.id or "", detail=f"field={field_name} reason={reason}")
    return value
