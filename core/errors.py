"""The one error a service raises when a step cannot be taken.

`code` names a message (each package's `messages.MESSAGES`); `field` names the form field it
is about, when there is one. Controllers turn it into the page's message in the user's
language (core.i18n.Messages); services never hold prose."""

from __future__ import annotations


class DomainError(ValueError):
    """A refused step: a message key and, optionally, the field it belongs to."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, field={self.field!r})"
