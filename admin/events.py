"""What the case workflow tells the packages above it (core/hooks.py): matching withdraws a
closed case's open introductions, publishing takes its stories down (matching/reactions.py,
publishing/reactions.py). admin never imports them."""

from __future__ import annotations

from dataclasses import dataclass

from core.hooks import Hook
from intake.models import Proposal, ProposalStatus


@dataclass(frozen=True)
class CaseClosed:
    """A case reached a closed status (completed, declined, withdrawn, spam)."""

    proposal: Proposal
    status: ProposalStatus


case_closed: Hook[CaseClosed] = Hook("admin.case_closed")
