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
