"""What intake tells the packages above it (core/hooks.py): they register reactions in
their own `reactions.py`; intake never imports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.audit import Actor
from core.hooks import Hook
from core.redaction import Known
from intake.models import Collaborator, Proposal


@dataclass(frozen=True)
class CollaboratorLeft:
    """A collaborator paused or retired (by staff, or themselves): nobody may be introduced
    to them any more (matching withdraws their open introductions)."""

    collaborator: Collaborator


collaborator_left: Hook[CollaboratorLeft] = Hook("intake.collaborator_left")


@dataclass(frozen=True)
class PersonErased:
    """A person's data is being erased (retention, their own request, or a rights request):
    each package clears what it holds of them in the same transaction — texts staff wrote
    about them have `known` (their own name and contact values, as patterns, taken before
    the key went) and every other contact value replaced."""

    record: Proposal | Collaborator
    known: list[Known]


person_erased: Hook[PersonErased] = Hook("intake.person_erased")


@dataclass(frozen=True)
class Disclosure:
    """Someone asked what we hold about them (開示): each package adds what it holds about
    the record to `sections` (introductions, stories …), in plain values, no staff data."""

    record: Proposal | Collaborator
    sections: dict[str, list[dict[str, Any]]]


disclosure_requested: Hook[Disclosure] = Hook("intake.disclosure_requested")


@dataclass(frozen=True)
class WithdrawalRequested:
    """An applicant withdraws their proposal themselves (/my, or staff on their behalf):
    the case workflow (admin) moves it to `withdrawn`, which withdraws its introductions and
    takes its stories down."""

    proposal: Proposal
    actor: Actor


withdrawal_requested: Hook[WithdrawalRequested] = Hook("intake.withdrawal_requested")
