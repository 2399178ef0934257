"""Every field rule of DESIGN.md §4 at its boundary, plus property tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.validation import (
    FIELDS,
    normalise_phone,
    twitter_handle,
    valid_email,
    validate_proposal,
)
from tests.conftest import VALID_FORM


def errors_for(**changes: str) -> dict[str, str]:
    return validate_proposal({**VALID_FORM, **changes}).errors


def test_valid_form_passes_and_is_normalised() -> None:
    result = validate_proposal(VALID_FORM)
    assert result.errors == {}
    assert result.data is not None
    assert result.data.phone == "0783225211"
    assert result.data.twitter == "kobe_kodomo"
    assert result.data.body.count("\n") == 1 and "\r" not in result.data.body


@pytest.mark.parametrize(
    ("name", "ok", "bad", "code"),
    [
        ("org_name", "団" * 100, "団" * 101, "too_long_100"),
        ("nickname", "名" * 50, "名" * 51, "too_long_50"),
        ("catchphrase", "応" * 60, "応" * 61, "too_long_60"),
        ("body", "あ" * 8000, "あ" * 8001, "too_long_8000"),
    ],
)
def test_length_limits_at_the_boundary(name: str, ok: str, bad: str, code: str) -> None:
    assert name not in errors_for(**{name: ok})
    assert errors_for(**{name: bad})[name] == code


def test_crlf_counts_as_one_character() -> None:
    body = "あ\r\n" * 3999 + "ああ"  # 11,999 code points as sent; 8,000 once CRLF → LF
    assert "body" not in errors_for(body=body)
    assert errors_for(body=body + "あ")["body"] == "too_long_8000"


@pytest.mark.parametrize("name", ["nickname", "email", "phone", "catchphrase", "category",
                                  "body", "consent"])
def test_required_fields(name: str) -> None:
    assert name in errors_for(**{name: ""})
    assert name in errors_for(**{name: "   "})


@pytest.mark.parametrize("name", ["org_name", "website_url", "facebook_url", "twitter", "ward"])
def test_optional_fields(name: str) -> None:
    assert name not in errors_for(**{name: ""})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("078-322-5211", "0783225211"),
        ("０７８－３２２－５２１１", "0783225211"),
        ("090 1234 5678", "09012345678"),
        ("(078)322-5211", "0783225211"),
        ("+81 90-1234-5678", "09012345678"),
        ("0120-123-456", "0120123456"),
        ("12345", None),
        ("078-322-521", None),
        ("090-1234-56789", None),
        ("tel:0783225211", None),
        ("0٧٨٣٢٢٥٢١١", None),  # Arabic-Indic digits are digits to \d, not a phone number
    ],
)
def test_phone_numbers(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "email",
    ["taro@example.jp", "ＴＡＲＯ@example.jp", "a.b+c@sub.example.co.jp"],
)
def test_valid_emails(email: str) -> None:
    assert "email" not in errors_for(email=email)


@pytest.mark.parametrize(
    "email",
    ["taro", "taro@", "@example.jp", "taro@example", "ta ro@example.jp", "taro..x@example.jp",
     "taro@example.jp\r\nBcc: evil@example.com", "taro@example.jp\nBcc: x@y.jp",
     "a" * 65 + "@example.jp", "x@" + "a" * 250 + ".jp", "taro@-example.jp"],
)
def test_invalid_emails(email: str) -> None:
    assert "email" in errors_for(email=email)


def address_of_length(total: int) -> str:
    """A 64-character local part at a domain of valid labels (63 at most), `total` long."""
    local = "a" * 64
    last = total - len(local) - 1 - (63 + 1 + 63 + 1) - len(".jp")
    address = f"{local}@{'b' * 63}.{'c' * 63}.{'d' * last}.jp"
    assert len(address) == total and last <= 63
    return address


def test_email_length_limit_is_254_at_the_boundary() -> None:
    """Every label is valid, so only the whole address's length decides."""
    assert "email" not in errors_for(email=address_of_length(254))
    assert errors_for(email=address_of_length(255))["email"] == "email_invalid"
    assert valid_email(address_of_length(254)) and not valid_email(address_of_length(255))
    assert valid_email("a" * 64 + "@example.jp") and not valid_email("a" * 65 + "@example.jp")
    assert valid_email(f"x@{'b' * 63}.jp") and not valid_email(f"x@{'b' * 64}.jp")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "ftp://x.jp",
            "https://", "//example.jp", "https://user:pw@example.jp/", "http://exa mple.jp"]
)
def test_website_must_be_http_or_https(url: str) -> None:
    assert errors_for(website_url=url)["website_url"] == "url_invalid"


def test_facebook_must_be_facebook() -> None:
    assert "facebook_url" not in errors_for(facebook_url="https://facebook.com/kobe")
    assert errors_for(facebook_url="https://evil.example/facebook.com")["facebook_url"]
    assert errors_for(facebook_url="javascript:alert('facebook.com')")["facebook_url"]


@pytest.mark.parametrize(
    ("raw", "handle"),
    [("@kobe_ouen", "kobe_ouen"), ("kobe_ouen", "kobe_ouen"),
     ("https://x.com/kobe_ouen", "kobe_ouen"), ("https://twitter.com/kobe_ouen/", "kobe_ouen"),
     ("@bad-handle", None), ("https://evil.example/kobe", None), ("@" + "a" * 16, None)],
)
def test_twitter_handles(raw: str, handle: str | None) -> None:
    assert twitter_handle(raw) == handle


def test_category_and_ward_choices() -> None:
    assert errors_for(category="cats")["category"] == "choice_invalid"
    assert errors_for(ward="osaka")["ward"] == "choice_invalid"
    assert "ward" not in errors_for(ward="citywide")


@pytest.mark.parametrize("name", ["nickname", "catchphrase", "org_name", "twitter"])
def test_line_breaks_refused_in_single_line_fields(name: str) -> None:
    assert errors_for(**{name: "abc\r\nBcc: evil@example.com"})[name] == "bad_characters"


def test_control_characters_refused_in_body_but_newlines_kept() -> None:
    assert errors_for(body="ok\x00bad")["body"] == "bad_characters"
    assert "body" not in errors_for(body="一行目\n二行目\tタブ")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*FIELDS, "unexpected"]), st.text(max_size=300)))
def test_no_input_raises(form: dict[str, str]) -> None:
    result = validate_proposal(form)
    assert (result.data is None) == bool(result.errors)
    assert set(result.errors) <= set(FIELDS)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_phone_normaliser_never_raises(raw: str) -> None:
    value = normalise_phone(raw)
    assert value is None or (value.isascii() and value.isdigit() and value.startswith("0"))
