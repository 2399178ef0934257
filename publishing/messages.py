"""Words of the story pages (staff and applicant), marked for the catalogues."""

from __future__ import annotations

from collections.abc import Callable

from core.i18n import N_
from core.redaction import Finding

MESSAGES = {
    "story_title_required": N_("Please enter a title."),
    "story_title_too_long": N_("The title must be 100 characters or fewer."),
    "story_summary_required": N_("Please write a short summary."),
    "story_summary_too_long": N_("The summary must be 300 characters or fewer."),
    "story_body_required": N_("Please write the story."),
    "story_body_too_long": N_("The story must be 20,000 characters or fewer."),
    "story_bad_characters": N_("This text contains characters that cannot be used (such as "
                               "control characters, or line breaks in a one-line field)."),
    "story_slug_invalid": N_("The web address may use only lower-case letters a–z, digits "
                             "and single hyphens (3 to 80 characters), e.g. kobe-food-bank."),
    "story_slug_taken": N_("Another story already uses this web address."),
    "story_category_invalid": N_("Please choose a category."),
    "story_ward_invalid": N_("Please choose an area from the list."),
    "story_source_invalid": N_("A story can be written only about a verified proposal or "
                               "its project that is not withdrawn, declined or spam."),
    "story_not_editable": N_("A story on the public site cannot be changed. Take it down "
                             "first; it then goes through review and consent again."),
    "story_step_invalid": N_("This step is not possible from the story's current status. "
                             "Someone may have changed it meanwhile; please look again."),
    "story_self_approval": N_("A story must be approved by someone other than its author."),
    "story_comment_required": N_("Please write what should be changed."),
    "story_comment_too_long": N_("The comment must be 2,000 characters or fewer."),
    "story_warnings_unconfirmed": N_("The story may contain personal data (see the warnings). "
                                     "Remove it, or tick the box to confirm that it may be "
                                     "published."),
    "story_no_email": N_("There is no email address for this applicant any more, so they "
                         "cannot be asked. Publication needs their consent."),
    "story_stale": N_("Someone else changed this story while you were editing it. Your text "
                      "is below; compare it with the current version and save again."),
    "story_changed_meanwhile": N_("The story has changed since you opened this page. Please "
                                  "look at it again below before you go on."),
    "photo_required": N_("Please choose a photo to upload."),
    "photo_too_large": N_("The photo must be 5 MB or smaller."),
    "photo_not_image": N_("This file is not a JPEG, PNG or WebP photo (or it is damaged)."),
    "photo_too_many_pixels": N_("This photo has too many pixels (at most 40 megapixels)."),
    "photo_too_many": N_("A story can have at most 20 photos."),
    "photo_alt_required": N_("Please describe the photo for people who cannot see it."),
    "photo_alt_too_long": N_("The description must be 200 characters or fewer."),
    "photo_unknown": N_("This photo is not part of the story."),
}

STATUS_LABELS = {
    "draft": N_("Draft"),
    "in_review": N_("Waiting for review"),
    "changes_requested": N_("Changes requested"),
    "approved": N_("Approved"),
    "consent_requested": N_("Waiting for the applicant's consent"),
    "consented": N_("Applicant consented"),
    "published": N_("On the public site"),
    "unpublished": N_("Taken down"),
}

FIELD_LABELS = {
    "title": N_("Title"),
    "slug": N_("Web address"),
    "summary": N_("Short summary"),
    "body": N_("Story"),
    "category": N_("Category"),
    "ward": N_("Area"),
    "photos": N_("photo descriptions"),
}

# Where personal data was found: the field, as it reads inside a sentence.
WHERE = {
    "title": N_("the title"),
    "slug": N_("the web address"),
    "summary": N_("the summary"),
    "body": N_("the story"),
    "photos": N_("the photo descriptions"),
}

# What was found: the kind, never the value.
WHAT = {
    ("anyone", "email"): N_("An email address"),
    ("anyone", "phone"): N_("A phone number"),
    ("anyone", "account"): N_("A social-network account or LINE ID"),
    ("applicant", "nickname"): N_("The applicant's nickname"),
    ("applicant", "email"): N_("The applicant's email address"),
    ("applicant", "phone"): N_("The applicant's phone number"),
    ("applicant", "website"): N_("The applicant's website address"),
    ("applicant", "facebook"): N_("The applicant's Facebook account"),
    ("applicant", "twitter"): N_("The applicant's X (Twitter) account"),
    ("member", "nickname"): N_("The name of another project member"),
    ("member", "email"): N_("The email address of another project member"),
    ("member", "phone"): N_("The phone number of another project member"),
    ("member", "website"): N_("The website address of another project member"),
    ("member", "facebook"): N_("The Facebook account of another project member"),
    ("member", "twitter"): N_("The X (Twitter) account of another project member"),
}


def warning_text(finding: Finding, _: Callable[..., str]) -> str:
    """"The applicant's phone number appears in the story." in the reader's language."""
    return _("%(what)s appears in %(where)s.", what=_(WHAT[(finding.who, finding.kind)]),
             where=_(WHERE[finding.field]))
