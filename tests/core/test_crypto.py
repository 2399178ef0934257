"""Field encryption with rotation, blind index, tokens and signatures."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from core.crypto import FieldCipher, Signer, hash_token, new_token, same_secret


def test_round_trip_and_ciphertext_hides_value() -> None:
    cipher = FieldCipher((Fernet.generate_key().decode(),), "secret")
    token = cipher.encrypt("taro@example.jp")
    assert "taro" not in token
    assert cipher.decrypt(token) == "taro@example.jp"
    assert cipher.encrypt("x") != cipher.encrypt("x")  # randomised


def test_key_rotation_old_values_still_readable() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = FieldCipher((old,), "secret")
    value = before.encrypt("090-1234-5678")
    after = FieldCipher((new, old), "secret")
    assert after.decrypt(value) == "090-1234-5678"
    rotated = after.rotate(value)
    assert FieldCipher((new,), "secret").decrypt(rotated) == "090-1234-5678"
    with pytest.raises(ValueError):
        FieldCipher((new,), "secret").decrypt(value)


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
    with pytest.raises(ValueError, match="cannot be decrypted"):
        FieldCipher((Fernet.generate_key().decode(),), "secret").decrypt(text)


def test_signed_non_ascii_values_round_trip() -> None:
    signer = Signer("secret", "form")
    assert signer.unsign(signer.sign("応援")) == "応援"
    assert signer.unsign(signer.sign("応援")[:-1] + "ａ") is None
