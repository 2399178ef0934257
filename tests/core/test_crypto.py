"""Sealing for a purpose and a row, per-record keys, rotation, blind index, sealed browser
values, tokens and signatures."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from core.crypto import FieldCipher, Sealer, Signer, hash_token, new_token, same_secret


def _key() -> str:
    return Fernet.generate_key().decode()


def test_round_trip_and_ciphertext_hides_value() -> None:
    cipher = FieldCipher((_key(),), "secret")
    token = cipher.seal("staff.totp", "taro@example.jp", "7")
    assert "taro" not in token
    assert cipher.open("staff.totp", token, "7") == "taro@example.jp"
    assert cipher.seal("staff.totp", "x") != cipher.seal("staff.totp", "x")  # randomised


def test_a_value_opens_only_for_its_purpose_and_row() -> None:
    """A TOTP secret, an outbox address or a record key sealed for one use does not open as
    another, nor for another row (finding 1 of the attack)."""
    cipher = FieldCipher((_key(),), "secret")
    totp = cipher.seal("staff.totp", "JBSWY3DPEHPK3PXP", "1")
    with pytest.raises(ValueError):
        cipher.open("outbox.recipient", totp, "1")
    with pytest.raises(ValueError):
        cipher.open("staff.totp", totp, "2")  # another account's row
    key_id, wrapped, record = cipher.new_record()
    email = record.seal("email", "taro@example.jp")
    opened = cipher.record(key_id, wrapped)
    assert opened is not None and opened.open("email", email) == "taro@example.jp"
    with pytest.raises(ValueError):
        opened.open("phone", email)  # another field
    other_id, _other_wrapped, other = cipher.new_record()
    with pytest.raises(ValueError):
        other.open("email", email)  # another person's key
    with pytest.raises(ValueError):
        cipher.record(other_id, wrapped)  # a sealed key moved to another row
    with pytest.raises(ValueError):
        cipher.open("staff.totp", email)
    assert cipher.record(key_id, None) is None  # the key erased: nothing opens


def test_key_rotation_old_values_still_readable() -> None:
    old, new = _key(), _key()
    before = FieldCipher((old,), "secret")
    value = before.seal("staff.totp", "090-1234-5678", "1")
    key_id, wrapped, record = before.new_record()
    phone = record.seal("phone", "0783225211")
    after = FieldCipher((new, old), "secret")
    assert after.open("staff.totp", value, "1") == "090-1234-5678"
    rotated = after.rewrap("staff.totp", value, "1")
    assert after.key_of(rotated) == after.current_key != after.key_of(value)
    assert FieldCipher((new,), "secret").open("staff.totp", rotated, "1") == "090-1234-5678"
    with pytest.raises(ValueError):
        FieldCipher((new,), "secret").open("staff.totp", value, "1")
    # A record key re-sealed under the new key opens its values as before.
    rewrapped = after.rewrap("record-key", wrapped, key_id)
    moved = FieldCipher((new,), "secret").record(key_id, rewrapped)
    assert moved is not None and moved.open("phone", phone) == "0783225211"


def test_sealed_browser_values_expire_and_stay_with_their_reader() -> None:
    sealer = Sealer("secret-" + "s" * 32, "search-term", ttl=60)
    token = sealer.seal("高齢", "staff:1", now=1000)
    assert sealer.unseal(token, "staff:1", now=1059) == "高齢"
    assert sealer.unseal(token, "staff:1", now=1061) is None  # expired
    assert sealer.unseal(token, "staff:2", now=1010) is None  # someone else's link
    assert Sealer("secret-" + "s" * 32, "mfa-enrolment", 60).unseal(token, "staff:1",
                                                                   now=1010) is None
    data = FieldCipher((_key(),), "secret")
    stored = data.seal("staff.totp", "JBSWY3DPEHPK3PXP", "1")
    assert sealer.unseal(stored, "staff:1") is None  # a ciphertext from the database


def test_blind_index_is_keyed_and_normalised() -> None:
    key = Fernet.generate_key().decode()
    a = FieldCipher((key,), "secret-a")
    b = FieldCipher((key,), "secret-b")
    assert a.blind_index("Taro@Example.jp ") == a.blind_index("taro@example.jp")
    assert a.blind_index("taro@example.jp") != b.blind_index("taro@example.jp")
    import hashlib

    assert a.blind_index("taro@example.jp") != hashlib.sha256(b"taro@example.jp").hexdigest()


def test_tokens_are_random_and_hashed() -> None:
    t1, t2 = new_token(), new_token()
    assert t1 != t2 and len(t1) >= 43
    assert hash_token(t1) == hash_token(t1) and t1 not in hash_token(t1)


def test_signer_detects_tampering_and_measures_age() -> None:
    signer = Signer("secret", "form")
    stamp = signer.timestamp(now=1000)
    assert signer.age(stamp, now=1010) == 10
    _value, _, mac = stamp.rpartition(".")
    assert signer.age(f"999.{mac}", now=1010) is None
    assert signer.age("garbage", now=1010) is None
    assert Signer("other", "form").age(stamp, now=1010) is None


@pytest.mark.parametrize(
    "forged", ["1.あ", "あ", ".", "1.", "1.ａｂ", "1\ud800.x", "²." + "0" * 32]
)
def test_signer_refuses_non_ascii_forgeries_without_raising(forged: str) -> None:
    signer = Signer("secret", "form")
    assert signer.unsign(forged) is None
    assert signer.age(forged, now=1010) is None
    stamp = signer.timestamp(now=1000)
    assert signer.age(stamp + "ａ", now=1010) is None  # a valid stamp with a full-width tail
    assert signer.age(stamp[:-1] + "ａ", now=1010) is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_signer_and_token_helpers_take_any_text(text: str) -> None:
    """Lone surrogates included: nothing a forged form or link can carry raises."""
    signer = Signer("secret", "form")
    assert signer.unsign(text) is None or text == signer.sign(signer.unsign(text) or "")
    signer.age(text)
    assert len(hash_token(text)) == 64
    assert same_secret(text, text) and not same_secret(text, text + "x")
    cipher = FieldCipher((Fernet.generate_key().decode(),), "secret")
    with pytest.raises(ValueError):
        cipher.open("staff.totp", text)
    _key_id, _wrapped, record = cipher.new_record()
    with pytest.raises(ValueError):
        record.open("email", text)
    assert Sealer("secret", "search-term", 60).unseal(text) is None


def test_signed_non_ascii_values_round_trip() -> None:
    signer = Signer("secret", "form")
    assert signer.unsign(signer.sign("応援")) == "応援"
    assert signer.unsign(signer.sign("応援")[:-1] + "ａ") is None
