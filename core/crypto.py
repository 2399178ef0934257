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


def _utf8(text: str) -> bytes:
    """Any str as bytes, lone surrogates included (a forged form value may hold anything)."""
    return text.encode("utf-8", "surrogatepass")


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
            return self._fernet.decrypt(_utf8(token)).decode()
        except InvalidToken as exc:
            raise ValueError("value cannot be decrypted with the configured keys") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a value under the first (newest) key."""
        return self._fernet.rotate(token.encode()).decode()

    def blind_index(self, value: str) -> str:
        """A keyed, deterministic digest for equality lookups (never a plain hash)."""
        normalised = _utf8(value.strip().lower())
        return hmac.new(self._index_key, normalised, hashlib.sha256).hexdigest()


def new_token() -> str:
    """A URL-safe random token (256 bits) for links sent by email."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(_utf8(token)).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time equality for text that arrived from outside. `hmac.compare_digest`
    raises TypeError when a str holds non-ASCII, so a forged `1.あ` was a 500: compare bytes."""
    return hmac.compare_digest(_utf8(given), _utf8(expected))


class Signer:
    """HMAC signatures for small values carried through forms (e.g. the form's start time)."""

    def __init__(self, secret: str, purpose: str) -> None:
        self._key = derive_key(secret, f"ouen:signer:{purpose}")

    def _mac(self, value: str) -> str:
        return hmac.new(self._key, _utf8(value), hashlib.sha256).hexdigest()[:32]

    def sign(self, value: str) -> str:
        return f"{value}.{self._mac(value)}"

    def unsign(self, signed: str) -> str | None:
        """The signed value, or None if `signed` (any text at all) is not our signature."""
        value, _, mac = signed.rpartition(".")
        return value if value and same_secret(mac, self._mac(value)) else None

    def timestamp(self, now: float | None = None) -> str:
        return self.sign(str(int(now if now is not None else time.time())))

    def age(self, signed: str, now: float | None = None) -> float | None:
        """Seconds since `timestamp()` produced `signed`, or None if it was not ours."""
        value = self.unsign(signed)
        if value is None or not (value.isascii() and value.isdigit()):  # "²".isdigit()
            return None
        return (now if now is not None else time.time()) - int(value)
