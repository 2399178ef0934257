"""Words for the matching pages and reasons, marked for the catalogues."""

from __future__ import annotations

from collections.abc import Callable

from admin import messages as admin_messages
from core.i18n import N_, Messages
from intake import messages as intake_messages
from intake.messages import WARD_LABELS
from matching import lexicon as lx
from matching.engine import Reason

MESSAGES = {
    "match_proposal_closed": N_("Only verified, open proposals can be matched."),
    "match_collaborator_unavailable": N_("This collaborator is not active at the moment."),
    "match_exists": N_("This collaborator has already been proposed for this proposal."),
    "match_over_capacity": N_(
        "This collaborator is already in as many projects as they said they can take on. "
        "Tick the box to propose them anyway."
    ),
    "match_not_open": N_("This introduction is no longer open."),
    "match_link_used": N_("This link has already been answered."),
    "match_no_email": N_("There is no email address on record to ask this person by."),
    "collaborator_invalid": N_("Please choose a collaborator from the suggestions."),
    "project_proposal_closed": N_("A project can be formed only from a verified, open proposal."),
    "member_unknown": N_("No proposal or collaborator has that reference number."),
    "member_not_introduced": N_(
        "This collaborator has not been introduced to this proposal yet. Propose them first; "
        "they join once both sides have agreed."
    ),
    "member_exists": N_("This person is already a member of the project."),
    "call_title_required": N_("Please enter a title."),
    "call_title_too_long": N_("The title must be 80 characters or fewer."),
    "call_needed_required": N_("Please describe what is needed."),
    "call_needed_too_long": N_("The description must be 1,000 characters or fewer."),
    "call_personal_data": N_(
        "This text seems to contain an email address or a phone number. Calls are public: "
        "please remove it."
    ),
    "call_category_invalid": N_("Please choose a category."),
    "call_ward_invalid": N_("Please choose an area from the list."),
    "call_closed": N_("This call is already closed."),
}

MATCH_STATUS_LABELS = {
    "proposed": N_("Asked the collaborator"),
    "collaborator_accepted": N_("Collaborator agreed; asked the proposer"),
    "introduced": N_("Introduced"),
    "declined": N_("Declined"),
    "expired": N_("Expired without an answer"),
    "withdrawn": N_("Withdrawn"),
}
DECLINED_BY_LABELS = {"collaborator": N_("by the collaborator"), "applicant": N_("by the proposer")}

AVAILABILITY_LABELS = {
    "anytime": N_("any time"),
    "weekdays": N_("weekdays"),
    "weekends": N_("weekends"),
    "evenings": N_("evenings"),
}

_REASONS = {
    "category": N_("same category"),
    "ward": N_("in %(value)s"),
    "citywide": N_("anywhere in the city"),
    "adjacent": N_("neighbouring ward: %(value)s"),
    "offers_main": N_("offers %(value)s (the main need)"),
    "offers": N_("offers %(value)s"),
    "available": N_("available %(value)s"),
    "time_clash": N_("time clash: available %(value)s"),
    "experience": N_("has done %(value)s before"),
    "interest": N_("interested in %(value)s"),
    "similar_text": N_("similar text: %(value)s"),
    "full": N_("at full capacity (%(value)s projects)"),
    "load": N_("%(value)s projects"),
}


def in_words(reason: Reason, _: Callable[..., str], lang: str) -> str:
    """One reason as staff read it ("offers 配送 (the main need)"); offer tags and phrases
    quoted from the texts stay as written."""
    value = reason.value
    if reason.code in ("ward", "adjacent"):
        value = _(WARD_LABELS[value]) if value in WARD_LABELS else value
    elif reason.code in ("available", "time_clash"):
        value = _(AVAILABILITY_LABELS.get(value, value))
    elif reason.code in ("offers_main", "offers") and lang == "en":
        value = f"{value} ({lx.OFFER_NAMES_EN.get(value, value)})"
    template = _REASONS.get(reason.code)
    return _(template, value=value) if template else value


COLLABORATOR_STATUS_LABELS = {
    "active": N_("Available"),
    "paused": N_("Paused"),
    "retired": N_("Retired"),
}

COLLABORATOR_ACTION_LABELS = {
    "pause": N_("Pause"),
    "retire": N_("Retire"),
    "reactivate": N_("Reactivate"),
}


# What matching's pages may have to explain: their own refusals and those of the services
# below them that they call (case workflow, the collaborator pool).
ALL = Messages(MESSAGES, admin_messages.MESSAGES, intake_messages.MESSAGES)
