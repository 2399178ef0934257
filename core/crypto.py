"""Field encryption with key rotation, keyed blind indexes, tokens and signatures."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte subkey of `secret` for one purpose, so one key never serves two uses."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(secret.encode())


class FieldCipher:
    """Encrypts contact data at rest: the first key encrypts, every key decrypts."""

    def __init__(self, keys: tuple[str, ...], index_secret: str) -> None:
        if not keys:
            raise ValueError("at least one data key is required")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        self._index_key = derive_key(index_secret, "ouen:blind-index:v1")

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("value cannot be decrypted with the configured keys") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a value under the first (newest) key."""
        return self._fernet.rotate(token.encode()).decode()

    def blind_index(self, value: str) -> str:
        """A keyed, deterministic digest for equality lookups (never a plain hash)."""
        normalised = value.strip().lower().encode()
        return hmac.new(self._index_key, normalised, hashlib.sha256).hexdigest()


def new_token() -> str:
    """A URL-safe random token (256 bits) for links sent by email."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Signer:
    """HMAC signatures for small values carried through forms (e.g. the form's start time)."""

    def __init__(self, secret: str, purpose: str) -> None:
        self._key = derive_key(secret, f"ouen:signer:{purpose}")

    def sign(self, value: str) -> str:
        mac = hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{value}.{mac}"

    def unsign(self, signed: str) -> str | None:
        value, _, mac = signed.rpartition(".")
        expected = hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:32]
        return value if value and hmac.compare_digest(mac, expected) else None

    def timestamp(self, now: float | None = None) -> str:
        return self.sign(str(int(now if now is not None else time.time())))

    def age(self, signed: str, now: float | None = None) -> float | None:
        """Seconds since `timestamp()` produced `signed`, or None if it was not ours."""
        value = self.unsign(signed)
        if value is None or not value.isdigit():
            return None
        return (now if now is not None else time.time()) - int(value)
