"""The one state machine of a story (情報発信): which step may happen from which status.

    draft ─submit─▶ in_review ─approve─▶ approved ─request_consent─▶ consent_requested
      ▲                │                                               │        │
      │             return (reviewer)                           consent│        │ask_changes
      │                ▼                                               ▼        ▼ (applicant)
      └────────── changes_requested ◀──────────────────────────── consented   changes_requested
                   (edit, then submit)                                 │
                                                          publish (editor)
                                                                       ▼
                 unpublished ◀─unpublish / withdraw (applicant)─── published
                      └──────────── publish again (consent still in force) ──▶

Editing a story that is approved or further along (and not published: a published story is
read-only until it is unpublished) sends it back to `in_review`: approval and consent were
given to the old text. Who may take each step is for the routes (admin/permissions.py);
this module only knows what is possible."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    target: str


STEPS: dict[str, Step] = {
    "submit": Step(("draft", "changes_requested"), "in_review"),
    "approve": Step(("in_review",), "approved"),
    "return": Step(("in_review",), "changes_requested"),
    # Asking again (a lost email, an expired link) sends a fresh link.
    "request_consent": Step(("approved", "consent_requested"), "consent_requested"),
    "consent": Step(("consent_requested",), "consented"),
    "ask_changes": Step(("consent_requested",), "changes_requested"),
    "publish": Step(("consented", "unpublished"), "published"),
    "unpublish": Step(("published",), "unpublished"),
    # The applicant's link from the "published" email keeps working whatever staff do next.
    "withdraw": Step(("in_review", "changes_requested", "approved", "consent_requested",
                      "consented", "published", "unpublished"), "unpublished"),
}
EDITABLE = ("draft", "in_review", "changes_requested", "approved", "consent_requested",
            "consented", "unpublished")
BACK_TO_REVIEW = ("approved", "consent_requested", "consented", "unpublished")
# Steps that need the text checked for personal data first (warnings must be confirmed).
CHECKED = ("submit", "publish")


def can(step: str, status: str, *, consented: bool = True) -> bool:
    """Whether `step` may happen to a story in `status`. Publishing needs consent in force
    (an unpublished story whose consent was withdrawn goes through review again)."""
    found = STEPS.get(step)
    if found is None or status not in found.sources:
        return False
    return consented or step != "publish"


def target_of(step: str) -> str:
    return STEPS[step].target


def after_edit(status: str) -> str:
    """The status a story has once its text or photos changed."""
    return "in_review" if status in BACK_TO_REVIEW else status


def editable(status: str) -> bool:
    return status in EDITABLE
