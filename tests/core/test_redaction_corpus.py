"""How people really write contact values into free text, and what screening must leave
alone: a corpus of written-out variants (kanji numerals, spacing, "at" and "dot", full-width
forms, long separators), each blacked out for readers who see no contact data."""

from __future__ import annotations

import re

import pytest

from core.redaction import REDACTED, find, known_values, redact

PHONES = [
    "090-5678-1234", "09056781234", "090 5678 1234", "090 - 5678 - 1234", "090－5678－1234",
    "０９０－５６７８－１２３４", "〇九〇-五六七八-一二三四", "〇九〇五六七八一二三四",
    "０９０ー５６７８ー１２３４", "0 9 0 5 6 7 8 1 2 3 4", "0-9-0-5-6-7-8-1-2-3-4",
    "090.5678.1234", "(090)5678-1234", "（０９０）５６７８－１２３４", "+81-90-5678-1234",
    "+81 90 5678 1234", "078-322-5211", "078 (322) 5211", "０７８・３２２・５２１１",
    "〇七八 三二二 五二一一", "078‐322‐5211", "078—322—5211", "090_5678_1234",
    "090/5678/1234", "０９０  ５６７８  １２３４",
]
EMAILS = [
    "other@example.com", "other (at) example.com", "other(at)example.com",
    "other [at] example [dot] com", "other at example dot com", "other＠example．com",
    "ｏｔｈｅｒ＠ｅｘａｍｐｌｅ．ｃｏｍ", "other あっと example.com",
    "other アット example ドット com",
    "other【at】example.com", "other（at）example（dot）com", "other @ example . com",
    "first.last+tag@sub.example.co.jp", "OTHER@EXAMPLE.COM", "other<at>example<dot>com",
]
ACCOUNTS = ["@kobe_taro", "https://instagram.com/kobe.taro", "LINE ID: kobetaro",
            "ＬＩＮＥ ＩＤ：ｋｏｂｅｔａｒｏ", "x.com/kobe_taro"]
ORDINARY = [
    "2026年12月4日の10時から12時まで、定員30名です。", "参加費は500円、3歳以下は無料。",
    "一二三丁目の集会所で、第一・第三土曜に開きます。", "会場は三宮駅から徒歩5分。",
    "1日2回、100食を配ります。", "平成30年から続けています。", "電話番号は事務局が案内します。",
    "info を見てください", "午前9時〜午後5時", "〒650-0001 の近く",
]


@pytest.mark.parametrize("value", PHONES + EMAILS + ACCOUNTS)
def test_each_written_out_value_is_blacked_out(value: str) -> None:
    text = f"ご連絡は {value} までお願いします。"
    screened = redact(text, [])
    assert REDACTED in screened, (value, screened)
    assert not re.search(r"[0-9〇一二三四五六七八九]{4}", screened.replace("[…]", "")), screened
    assert "example" not in screened.lower() and "kobe" not in screened.lower(), screened


def test_the_corpus_is_large_enough() -> None:
    assert len(PHONES) + len(EMAILS) + len(ACCOUNTS) >= 40


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_stays_as_it_is(text: str) -> None:
    assert redact(text, []) == text
    assert find({"body": text}, []) == []


def test_a_persons_own_number_is_found_however_it_is_written() -> None:
    known = known_values("applicant", [("phone", "0785551234"), ("email", "taro@example.jp"),
                                       ("nickname", "こうべ太郎")])
    for text in ("〇七八-五五五-一二三四に", "０７８ ５５５ １２３４", "taro (at) example (dot) jp",
                 "こうべ 太郎です"):
        findings = find({"body": text}, known)
        assert findings and findings[0].who == "applicant", text
        assert REDACTED in redact(text, known), text
