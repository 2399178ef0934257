"""The people who come to us: proposals and collaborators (knows only core, notifications).

models.py (Proposal, Collaborator, VerificationToken and their status enums), vocabulary.py
(categories, wards, offers), validation.py / collaborator_validation.py (the form rules),
controllers.py / collaborator_controllers.py (the public forms), submission.py (honeypot,
timing, rate limits, CAPTCHA), writer.py (group commit of web submissions), verification.py
(email links), services.py / collaborators.py (records, staff entry on someone's behalf, the
collaborator pool, pause/retire), search.py (the proposal n-gram index), contact.py (a
person's own values as patterns), events.py (the `collaborator_left` hook), demo.py."""
