"""The one state machine of a proposal (DESIGN.md §2)."""

from __future__ import annotations

OPEN = ("new", "in_contact", "seeking", "matched", "active")
CLOSED = ("completed", "declined", "withdrawn", "spam")
FORWARD = {
    "new": ("in_contact",),
    "in_contact": ("seeking", "matched"),
    "seeking": ("matched",),
    "matched": ("active",),
    "active": ("completed",),
}
NEEDS_REASON = ("declined", "spam")


def allowed_next(status: str) -> tuple[str, ...]:
    """Where a proposal may go from `status`; closed cases go nowhere (reopen is separate)."""
    if status not in OPEN:
        return ()
    return (*FORWARD.get(status, ()), "declined", "withdrawn", "spam")


def check_transition(current: str, target: str, reason: str) -> str | None:
    """A message key when the change is refused, else None."""
    if target not in allowed_next(current):
        return "transition_invalid"
    if target in NEEDS_REASON and not reason.strip():
        return "reason_required"
    return None
