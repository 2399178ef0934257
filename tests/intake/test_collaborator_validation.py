"""The collaborator form's rules, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from intake.collaborator_validation import split_tags, validate_collaborator, validate_profile

FIELDS = {
    "display_name": "みなと花子",
    "org_name": "みなと食堂",
    "org_type": "business",
    "email": "hanako.minato@example.jp",
    "phone": "０９０－１１１１－２２２２",
    "offers_other": "見守り、チラシ配り",
    "availability": "weekends",
    "capacity": "２",
    "intro": "中央区で食堂を営んでいます。\r\n週末は店舗を会場として貸し出せます。",
    "consent": "yes",
}
LISTS = {"categories": ["elderly", "children"], "wards": ["hyogo", "chuo"],
         "offers": ["調理", "会場提供"]}


def check(fields: dict[str, str] | None = None, **lists: Any) -> Any:
    return validate_collaborator({**FIELDS, **(fields or {})}, {**LISTS, **lists})


def test_valid_registration_is_normalised() -> None:
    result = check()
    assert result.errors == {}
    data = result.data
    assert data is not None
    assert data.phone == "09011112222" and data.capacity == 2
    assert data.categories == ["children", "elderly"]  # the form's order, not the sender's
    assert data.wards == ["chuo", "hyogo"]
    assert data.offers == ["会場提供", "調理", "見守り", "チラシ配り"]
    assert data.intro == "中央区で食堂を営んでいます。\n週末は店舗を会場として貸し出せます。"
    assert data.call_id is None


def test_free_tags_split_normalise_and_do_not_repeat_suggestions() -> None:
    assert split_tags("配送, 見守り，ＩＴ支援;  ;翻訳；英語\n手話") == [
        "配送", "見守り", "IT支援", "翻訳", "英語", "手話"]
    result = check({"offers_other": "ＩＴ支援、会場提供、パソコン教室"}, offers=["会場提供"])
    assert result.data is not None
    assert result.data.offers == ["会場提供", "IT支援", "パソコン教室"]


def test_only_free_tags_are_enough() -> None:
    result = check({"offers_other": "見守り"}, offers=[])
    assert result.data is not None and result.data.offers == ["見守り"]


@pytest.mark.parametrize(
    ("fields", "lists", "field", "code"),
    [
        ({"display_name": ""}, {}, "display_name", "required"),
        ({"display_name": "あ" * 51}, {}, "display_name", "too_long_50"),
        ({"email": "not-an-address"}, {}, "email", "email_invalid"),
        ({"phone": "12345"}, {}, "phone", "phone_invalid"),
        ({"org_type": ""}, {}, "org_type", "required"),
        ({"org_type": "government"}, {}, "org_type", "choice_invalid"),
        ({}, {"categories": []}, "categories", "choose_some"),
        ({}, {"categories": ["children", "pets"]}, "categories", "choice_invalid"),
        ({}, {"wards": []}, "wards", "choose_some"),
        ({}, {"offers": ["空を飛ぶ"]}, "offers", "choice_invalid"),
        ({"offers_other": ""}, {"offers": []}, "offers", "offers_required"),
        ({"offers_other": "あ" * 31}, {}, "offers_other", "offer_too_long"),
        ({"offers_other": "、".join(f"タグ{n}" for n in range(14))}, {}, "offers_other",
         "offers_too_many"),
        ({"availability": "never"}, {}, "availability", "choice_invalid"),
        ({"capacity": "0"}, {}, "capacity", "capacity_invalid"),
        ({"capacity": "21"}, {}, "capacity", "capacity_invalid"),
        ({"capacity": "two"}, {}, "capacity", "capacity_invalid"),
        ({"capacity": ""}, {}, "capacity", "required"),
        ({"intro": ""}, {}, "intro", "required"),
        ({"intro": "あ" * 2001}, {}, "intro", "too_long_2000"),
        ({"org_name": "a\x00b"}, {}, "org_name", "bad_characters"),
        ({"consent": ""}, {}, "consent", "consent_required"),
    ],
)
def test_each_rule(fields: dict[str, str], lists: dict[str, list[str]], field: str,
                   code: str) -> None:
    result = check(fields, **lists)
    assert result.errors.get(field) == code, result.errors
    assert result.data is None


def test_limits_are_inclusive() -> None:
    tags = "、".join(f"タグ{n}" for n in range(13))  # 2 ticked + 13 typed = 15
    result = check({"offers_other": tags, "capacity": "20", "intro": "応" * 2000,
                    "display_name": "あ" * 50})
    assert result.errors == {} and result.data is not None
    assert len(result.data.offers) == 15
    assert check({"offers_other": "あ" * 30}).errors == {}


def test_citywide_stands_for_every_ward() -> None:
    result = check(wards=["nada", "citywide"])
    assert result.data is not None and result.data.wards == ["citywide"]


def test_call_is_kept_when_plausible_and_dropped_otherwise() -> None:
    kept = check({"call": "12"}).data
    assert kept is not None and kept.call_id == 12
    for junk in ("0", "-3", "abc", "9" * 20):
        result = check({"call": junk})
        assert result.errors == {} and result.data is not None
        assert result.data.call_id is None and result.values["call"] == ""


def test_errors_come_in_form_order() -> None:
    result = check({"intro": "", "email": "x", "display_name": ""}, categories=[])
    assert list(result.errors) == ["display_name", "email", "categories", "intro"]


def test_profile_alone_needs_no_contact_data() -> None:
    profile = {k: v for k, v in FIELDS.items()
               if k not in ("display_name", "email", "phone", "consent")}
    result = validate_profile(profile, LISTS)
    assert result.errors == {} and result.data is not None
    assert result.data.email == "" and result.data.offers[-1] == "チラシ配り"
