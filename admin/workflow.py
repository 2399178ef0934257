"""The one state machine of a proposal (DESIGN.md §2)."""

from __future__ import annotations

from intake.models import ProposalStatus as S

OPEN = (S.NEW, S.IN_CONTACT, S.SEEKING, S.MATCHED, S.ACTIVE)
CLOSED = (S.COMPLETED, S.DECLINED, S.WITHDRAWN, S.SPAM)
FORWARD: dict[S, tuple[S, ...]] = {
    S.NEW: (S.IN_CONTACT,),
    S.IN_CONTACT: (S.SEEKING, S.MATCHED),
    S.SEEKING: (S.MATCHED,),
    S.MATCHED: (S.ACTIVE,),
    S.ACTIVE: (S.COMPLETED,),
}
NEEDS_REASON = (S.DECLINED, S.SPAM)
# A closed case that tells of nothing: its stories come down (the consent belonged to a
# proposal that no longer stands).
RETRACTED = (S.WITHDRAWN, S.SPAM)


def allowed_next(status: str) -> tuple[S, ...]:
    """Where a proposal may go from `status`; closed cases go nowhere (reopen is separate)."""
    if status not in OPEN:
        return ()
    return (*FORWARD.get(S(status), ()), S.DECLINED, S.WITHDRAWN, S.SPAM)


def check_transition(current: str, target: str, reason: str) -> str | None:
    """A message key when the change is refused, else None."""
    if target not in allowed_next(current):
        return "transition_invalid"
    if target in NEEDS_REASON and not reason.strip():
        return "reason_required"
    return None
