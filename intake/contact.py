"""A person's own contact values as patterns (core/redaction.py), decrypted from their record:
what is looked for in text they or staff wrote, never shown."""

from __future__ import annotations

from core.crypto import FieldCipher
from core.redaction import Known, known_values
from intake.models import Collaborator, Proposal


def _decrypt(cipher: FieldCipher, token: str | None) -> str | None:
    if not token:
        return None
    try:
        return cipher.decrypt(token)
    except ValueError:
        return None  # erased or unreadable: nothing to look for


def proposal_values(cipher: FieldCipher, proposal: Proposal, who: str) -> list[Known]:
    return known_values(who, [
        ("nickname", _decrypt(cipher, proposal.nickname_enc)),
        ("email", _decrypt(cipher, proposal.email_enc)),
        ("phone", _decrypt(cipher, proposal.phone_enc)),
        ("website", _decrypt(cipher, proposal.website_url_enc)),
        ("facebook", _decrypt(cipher, proposal.facebook_url_enc)),
        ("twitter", _decrypt(cipher, proposal.twitter_enc)),
    ])


def collaborator_values(cipher: FieldCipher, collaborator: Collaborator) -> list[Known]:
    return known_values("member", [
        ("nickname", _decrypt(cipher, collaborator.display_name_enc)),
        ("email", _decrypt(cipher, collaborator.email_enc)),
        ("phone", _decrypt(cipher, collaborator.phone_enc)),
    ])
