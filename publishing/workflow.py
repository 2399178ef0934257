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

from publishing.models import StoryStatus as S


@dataclass(frozen=True)
class Step:
    sources: tuple[S, ...]
    target: S


STEPS: dict[str, Step] = {
    "submit": Step((S.DRAFT, S.CHANGES_REQUESTED), S.IN_REVIEW),
    "approve": Step((S.IN_REVIEW,), S.APPROVED),
    "return": Step((S.IN_REVIEW,), S.CHANGES_REQUESTED),
    # Asking again (a lost email, an expired link) sends a fresh link.
    "request_consent": Step((S.APPROVED, S.CONSENT_REQUESTED), S.CONSENT_REQUESTED),
    "consent": Step((S.CONSENT_REQUESTED,), S.CONSENTED),
    # The case closed while the applicant was being asked: the link dies, the ask is off.
    "cancel_consent": Step((S.CONSENT_REQUESTED,), S.APPROVED),
    "ask_changes": Step((S.CONSENT_REQUESTED,), S.CHANGES_REQUESTED),
    "publish": Step((S.CONSENTED, S.UNPUBLISHED), S.PUBLISHED),
    "unpublish": Step((S.PUBLISHED,), S.UNPUBLISHED),
    # The applicant's link from the "published" email keeps working whatever staff do next.
    "withdraw": Step((S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.CONSENT_REQUESTED,
                      S.CONSENTED, S.PUBLISHED, S.UNPUBLISHED), S.UNPUBLISHED),
}
EDITABLE = (S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.CONSENT_REQUESTED,
            S.CONSENTED, S.UNPUBLISHED)
BACK_TO_REVIEW = (S.APPROVED, S.CONSENT_REQUESTED, S.CONSENTED, S.UNPUBLISHED)
# Steps that need the text checked for personal data first (warnings must be confirmed).
CHECKED = ("submit", "publish")


def can(step: str, status: str, *, consented: bool = True) -> bool:
    """Whether `step` may happen to a story in `status`. Publishing needs consent in force
    (an unpublished story whose consent was withdrawn goes through review again)."""
    found = STEPS.get(step)
    if found is None or status not in found.sources:
        return False
    return consented or step != "publish"


def target_of(step: str) -> S:
    return STEPS[step].target


def after_edit(status: S) -> S:
    """The status a story has once its text or photos changed."""
    return S.IN_REVIEW if status in BACK_TO_REVIEW else status


def editable(status: str) -> bool:
    return status in EDITABLE
