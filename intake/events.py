"""What intake tells the packages above it (core/hooks.py): they register reactions in
their own `reactions.py`; intake never imports them."""

from __future__ import annotations

from dataclasses import dataclass

from core.hooks import Hook
from intake.models import Collaborator


@dataclass(frozen=True)
class CollaboratorLeft:
    """A collaborator paused or retired (by staff, or themselves): nobody may be introduced
    to them any more (matching withdraws their open introductions)."""

    collaborator: Collaborator


collaborator_left: Hook[CollaboratorLeft] = Hook("intake.collaborator_left")
