"""Messages of the staff pages, marked for the catalogues."""

from __future__ import annotations

from core.i18n import N_

MESSAGES = {
    "login_refused": N_("The email address or password is not correct. After several failed "
                        "attempts the account is locked for 15 minutes."),
    "too_many": N_("Too many sign-in attempts. Please wait 15 minutes and try again."),
    "code_refused": N_("That code is not valid (or was already used). Enter the current code "
                       "from your authenticator app."),
    "current_wrong": N_("The current password is not correct."),
    "mismatch": N_("The two new passwords do not match."),
    "too_short": N_("The new password must have at least 12 characters."),
    "contains_email": N_("The new password must not contain your email address."),
    "too_simple": N_("The new password is too simple; use more different characters."),
    "same": N_("The new password must differ from the current one."),
    "transition_invalid": N_("This status change is not possible from the current status."),
    "reason_required": N_("Please give a reason for declining or marking as spam."),
    "closed": N_("This case is closed and can no longer be changed."),
    "contact_invalid": N_("Please choose how you made contact and what came of it."),
    "summary_too_long": N_("The summary must be 2,000 characters or fewer."),
    "date_invalid": N_("Please enter the next-action date as a date."),
    "contact_time_invalid": N_("Please enter when the contact took place as a date and time "
                               "(Japan time), not in the future and not before the proposal "
                               "arrived."),
    "reveal_invalid": N_("Please choose a field that has a value, and a reason."),
    "assignee_invalid": N_("Please choose an active staff member."),
    "reason_required_reopen": N_("Please give a reason for reopening."),
    "staff_email_invalid": N_("Could not create the account: please enter the staff "
                              "member's email address, such as name@city.example.jp."),
    "staff_email_taken": N_("Could not create the account: an account with this email "
                            "address exists already."),
    "role_invalid": N_("Please choose a role."),
    "not_yourself": N_("You cannot change your own role or deactivate yourself."),
    "note_empty": N_("Please write the note before saving it."),
    "source_invalid": N_("Please choose how the proposal was received."),
    "consent_method_invalid": N_("Please choose how the person's consent was obtained."),
    "totp_needed": N_("Your role or an administrator requires a second factor; it stays on."),
    "rights_unknown_ref": N_("No proposal or collaborator has this reference number (such as "
                             "OU-7KQM-2XPD or CO-4DNM-8RTA)."),
    "rights_choose": N_("Please choose one of the options."),
    "rights_bad_date": N_("Please give the date the request was received (YYYY-MM-DD), "
                          "today or within the last year."),
    "rights_closed": N_("This request is closed already; nothing was changed."),
    "rights_confirm": N_("Nothing was changed: please tick the box to confirm."),
    "rights_erased": N_("This person's data has been erased."),
}

SOURCE_LABELS = {
    "phone": N_("By phone"),
    "paper": N_("On paper"),
    "in_person": N_("In person"),
}

CONSENT_LABELS = {
    "verbal_phone": N_("Read the privacy policy out on the phone; the person agreed"),
    "signed_paper": N_("Signed the paper form with the privacy policy"),
    "in_person": N_("Agreed in person after reading the privacy policy"),
    "web_form": N_("Ticked the box on the web form"),
}

CHANNEL_LABELS = {
    "phone": N_("Phone"),
    "email": N_("Email"),
    "meeting": N_("Meeting"),
    "other": N_("Other"),
}

OUTCOME_LABELS = {
    "reached": N_("Spoke with the applicant"),
    "no_answer": N_("No answer"),
    "left_message": N_("Left a message"),
    "wrong_number": N_("Wrong number or address"),
    "follow_up": N_("Follow-up needed"),
    "closed": N_("Nothing more to do"),
}

REVEAL_LABELS = {
    "contact_applicant": N_("To contact the applicant"),
    "verify_identity": N_("To check who the applicant is"),
    "contact_collaborator": N_("To contact the collaborator"),
    "arrange_introduction": N_("To arrange an introduction"),
    "other": N_("Other business need"),
}

STATUS_LABELS = {
    "new": N_("New"),
    "in_contact": N_("In contact"),
    "seeking": N_("Seeking collaborators"),
    "matched": N_("Matched"),
    "active": N_("Active"),
    "completed": N_("Completed"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
    "spam": N_("Spam"),
}

ROLE_LABELS = {
    "admin": N_("Administrator"),
    "coordinator": N_("Coordinator"),
    "editor": N_("Editor"),
    "auditor": N_("Auditor"),
}
