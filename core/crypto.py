"""Data at rest sealed for its purpose and row (per-record keys for contact data), keyed blind
indexes, short-lived sealed values, tokens and signatures."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import time
from collections import OrderedDict

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte subkey of `secret` for one purpose, so one key never serves two uses."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(secret.encode())


def _utf8(text: str) -> bytes:
    """Any str as bytes, lone surrogates included (a forged form value may hold anything)."""
    return text.encode("utf-8", "surrogatepass")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error) as exc:
        raise ValueError("not a sealed value") from exc


def _aead_open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < NONCE + 16:
        raise ValueError("not a sealed value")
    try:
        return AESGCM(key).decrypt(blob[:NONCE], blob[NONCE:], aad)
    except InvalidTag as exc:
        raise ValueError("value cannot be opened with these keys for this purpose") from exc


def _aead_seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


NONCE = 12
SEALED, RECORD = "s1", "r1"  # token prefixes: sealed under a data key, under a record key


class RecordCipher:
    """One record's contact data under the record's own data key (AES-256-GCM). Each value
    is bound to its record key and field, so a value copied into another row or field does
    not open; destroying the record's key (erasure) makes every copy of its ciphertexts —
    in WAL, replicas, backups — unreadable."""

    def __init__(self, key_id: str, data_key: bytes) -> None:
        self.key_id = key_id
        self._key = data_key

    def _aad(self, field: str) -> bytes:
        return f"ouen:record:{self.key_id}:{field}".encode()

    def seal(self, field: str, value: str) -> str:
        return f"{RECORD}.{_b64(_aead_seal(self._key, _utf8(value), self._aad(field)))}"

    def open(self, field: str, token: str) -> str:
        prefix, _, body = token.partition(".")
        if prefix != RECORD:
            raise ValueError("not a record value")
        return _aead_open(self._key, _unb64(body), self._aad(field)).decode()


class FieldCipher:
    """Data at rest under OUEN_DATA_KEYS: the first key seals, every key opens (rotation).

    Every value is sealed for one purpose (`staff.totp`, `outbox.recipient`, `record-key`)
    with a key derived from the data key for that purpose, and bound to a context (the
    row): nothing sealed for one use opens in another. Contact data is sealed under
    per-record keys (`RecordCipher`) which are themselves sealed here (`record-key`)."""

    def __init__(self, keys: tuple[str, ...], index_secret: str) -> None:
        if not keys:
            raise ValueError("at least one data key is required")
        self._keys = [(_key_id(raw), raw) for raw in (_key_bytes(k) for k in keys)]
        self._by_id = dict(self._keys)
        self._derived: dict[tuple[str, str], bytes] = {}
        self._records: OrderedDict[str, tuple[str, RecordCipher]] = OrderedDict()
        self._index_key = derive_key(index_secret, "ouen:blind-index:v1")

    def _purpose_key(self, key_id: str, purpose: str) -> bytes:
        found = self._derived.get((key_id, purpose))
        if found is None:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                        info=f"ouen:seal:v1:{purpose}".encode())
            found = self._derived[(key_id, purpose)] = hkdf.derive(self._by_id[key_id])
        return found

    def seal(self, purpose: str, value: str, context: str = "") -> str:
        """`value` sealed for `purpose` and `context` under the first (newest) data key."""
        key_id = self._keys[0][0]
        aad = f"{purpose}|{context}".encode()
        blob = _aead_seal(self._purpose_key(key_id, purpose), _utf8(value), aad)
        return f"{SEALED}.{key_id}.{_b64(blob)}"

    def open(self, purpose: str, token: str, context: str = "") -> str:
        """What `seal(purpose, …, context)` sealed; ValueError for anything else (another
        purpose or context, a retired key, a forged or foreign value)."""
        prefix, key_id, body = [*token.split(".", 2), "", ""][:3]
        if prefix != SEALED or key_id not in self._by_id:
            raise ValueError("value cannot be opened with the configured keys")
        aad = f"{purpose}|{context}".encode()
        return _aead_open(self._purpose_key(key_id, purpose), _unb64(body), aad).decode()

    def key_of(self, token: str) -> str:
        """The id of the data key a sealed value was sealed under (for rotation)."""
        return [*token.split(".", 2), ""][1]

    @property
    def current_key(self) -> str:
        return self._keys[0][0]

    def new_record(self) -> tuple[str, str, RecordCipher]:
        """A fresh record key: its id, the key sealed for storage, and its cipher."""
        key_id = secrets.token_hex(16)
        data_key = os.urandom(32)
        wrapped = self.seal("record-key", _b64(data_key), key_id)
        return key_id, wrapped, self._remember(key_id, wrapped, RecordCipher(key_id, data_key))

    def record(self, key_id: str | None, wrapped: str | None) -> RecordCipher | None:
        """The cipher of a record's key; None when the key is gone (erased)."""
        if not key_id or not wrapped:
            return None
        cached = self._records.get(key_id)
        if cached is not None and cached[0] == wrapped:
            self._records.move_to_end(key_id)
            return cached[1]
        data_key = _unb64(self.open("record-key", wrapped, key_id))
        return self._remember(key_id, wrapped, RecordCipher(key_id, data_key))

    def _remember(self, key_id: str, wrapped: str, cipher: RecordCipher) -> RecordCipher:
        self._records[key_id] = (wrapped, cipher)
        if len(self._records) > RECORD_CACHE:
            self._records.popitem(last=False)
        return cipher

    def rewrap(self, purpose: str, token: str, context: str = "") -> str:
        """A sealed value sealed again under the first (newest) key (`ouen keys rewrap`)."""
        return self.seal(purpose, self.open(purpose, token, context), context)

    def blind_index(self, value: str) -> str:
        """A keyed, deterministic digest for equality lookups (never a plain hash)."""
        normalised = _utf8(value.strip().lower())
        return hmac.new(self._index_key, normalised, hashlib.sha256).hexdigest()


RECORD_CACHE = 10_000


def _key_bytes(key: str) -> bytes:
    """An OUEN_DATA_KEYS entry (32 url-safe base64 bytes, the Fernet key format)."""
    raw = base64.urlsafe_b64decode(key.encode())
    if len(raw) != 32:
        raise ValueError("a data key must be 32 url-safe base64 bytes")
    return raw


def _key_id(raw: bytes) -> str:
    """A short public name of a data key, so a sealed value says which key opens it."""
    return hashlib.sha256(b"ouen:data-key-id:" + raw).hexdigest()[:8]


class Sealer:
    """Short-lived values carried through a browser (a search term in a list URL, a second
    factor being enrolled): sealed with a key of their own derived from OUEN_SECRET_KEY for
    one purpose, bound to a context (the staff member) and valid for `ttl` seconds."""

    def __init__(self, secret: str, purpose: str, ttl: int) -> None:
        self._key = derive_key(secret, f"ouen:sealer:{purpose}")
        self._purpose = purpose
        self.ttl = ttl

    def seal(self, value: str, context: str = "", now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + self.ttl)
        aad = f"{self._purpose}|{context}".encode()
        return _b64(_aead_seal(self._key, _utf8(f"{expires}|{value}"), aad))

    def unseal(self, token: str, context: str = "", now: float | None = None) -> str | None:
        """The value, or None when `token` is not ours, for another context, or expired."""
        try:
            plain = _aead_open(self._key, _unb64(token), f"{self._purpose}|{context}".encode())
            expires, _, value = plain.decode().partition("|")
            alive = int(expires) >= (now if now is not None else time.time())
        except (ValueError, UnicodeDecodeError):
            return None
        return value if alive else None


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
        """The time, signed, with a random part so that no two stamps are alike (a form
        opened twice in one second still gets two: each may be used once)."""
        moment = int(now if now is not None else time.time())
        return self.sign(f"{moment}:{secrets.token_urlsafe(12)}")

    def age(self, signed: str, now: float | None = None) -> float | None:
        """Seconds since `timestamp()` produced `signed`, or None if it was not ours."""
        value = (self.unsign(signed) or "").partition(":")[0]
        if not (value.isascii() and value.isdigit()):  # "²".isdigit()
            return None
        return (now if now is not None else time.time()) - int(value)
