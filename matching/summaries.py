"""What each side of an introduction may learn about the other before both have agreed:
texts and labels, never names or contact details — not even those someone wrote into their
own text (they are blacked out)."""

from __future__ import annotations

from collections.abc import Callable

from core.crypto import FieldCipher
from core.i18n import make_gettext
from core.redaction import redact
from intake.contact import collaborator_values, proposal_values
from intake.messages import CATEGORY_LABELS, WARD_LABELS
from intake.models import Collaborator, Proposal

EXCERPT = 400


def _ward_label(code: str | None, _: Callable[..., str]) -> str:
    label = WARD_LABELS.get(code or "")
    return _(label) if label else ""


def proposal_summary(proposal: Proposal, locale: str, cipher: FieldCipher) -> dict[str, str]:
    """What a collaborator may learn about a proposal before both sides agree: its text,
    never the applicant's nickname or contact details — not even where the applicant wrote
    them into the text themselves (they are blacked out). Labels in the reader's language."""
    _ = make_gettext(locale)
    known = proposal_values(cipher, proposal, "applicant")
    body = redact(proposal.body, known)
    body = body if len(body) <= EXCERPT else body[:EXCERPT] + "…"
    category = CATEGORY_LABELS.get(proposal.category)
    return {
        "ref": proposal.ref,
        "catchphrase": redact(proposal.catchphrase, known),
        "category": _(category) if category else "",
        "ward": _ward_label(proposal.ward, _),
        "org_name": proposal.org_name or "",
        "body": body,
    }


def collaborator_summary(
    collaborator: Collaborator, locale: str, cipher: FieldCipher
) -> dict[str, object]:
    """What an applicant may learn about a collaborator before both sides agree: the
    organisation, what they offer and their introduction (contact values in it blacked
    out); not their name or contact details."""
    _ = make_gettext(locale)
    intro = redact(collaborator.intro, collaborator_values(cipher, collaborator))
    return {
        "ref": collaborator.ref,
        "org_name": collaborator.org_name or "",
        "offers": "、".join(collaborator.offers),
        "wards": "、".join(_ward_label(w, _) for w in collaborator.wards),
        "intro": intro if len(intro) <= EXCERPT else intro[:EXCERPT] + "…",
    }
