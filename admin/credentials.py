"""Passwords (argon2id, hashed in a thread) and TOTP codes (reuse refused)."""

from __future__ import annotations

import asyncio
import secrets
import time
import unicodedata

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 12
TOTP_ISSUER = "ouen"


def make_hasher(fast: bool = False) -> PasswordHasher:
    """argon2id; `fast` is a cheap profile for tests only (64 MiB per hash otherwise)."""
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    return PasswordHasher()


class Passwords:
    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        # Checked when the account does not exist, so both answers take as long.
        self._dummy = hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(stored or self._dummy, password) and stored is not None
            except (VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(check)

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def one_time_password() -> str:
    """A first password to hand over; it must be changed at first login."""
    return secrets.token_urlsafe(12)


def password_problem(password: str, email: str) -> str | None:
    """A message key when a new password is too weak, else None."""
    if len(password) < MIN_PASSWORD:
        return "too_short"
    if email.split("@")[0].lower() in password.lower():
        return "contains_email"
    if len(set(password)) < 5:
        return "too_simple"
    return None


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step the code belongs to (±1 step of drift), or None. A step at or before
    `last_step` was already used: pyotp itself does not stop a replay (PITFALLS)."""
    # Full-width digits from a Japanese input method count as the digits they are.
    code = unicodedata.normalize("NFKC", code).strip().replace(" ", "")
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = now if now is not None else time.time()
    for offset in (0, -1, 1):
        moment = now + offset * totp.interval
        step = totp.timecode(moment)
        if secrets.compare_digest(totp.at(moment), code):
            return step if last_step is None or step > last_step else None
    return None

