"""Public intake: the proposal form, validation, CAPTCHA and email verification."""
