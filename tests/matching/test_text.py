"""Reading needs from Japanese text. The sentences here are written fresh, in the many ways
people ask for help, so that the vocabulary is tested beyond any one data set."""

from __future__ import annotations

import pytest

from matching import text as tx


@pytest.mark.parametrize(
    ("sentence", "tag"),
    [
        ("当日の受付や片付けを担ってくれるボランティアが足りません。", "人手"),
        ("設営や誘導を手伝える人を募っています。", "人手"),
        ("一緒に汗を流してくれる仲間を募集しています。", "人手"),
        ("できあがった食事を各家庭へ配ってくれる方を探しています。", "配送"),
        ("重いお米を家まで運ぶのを手伝っていただけると助かります。", "配送"),
        ("軽トラックを出していただける方を求めています。", "配送"),
        ("車いすの方を会場まで連れて行ってくれる方を探しています。", "送迎"),
        ("参加者を車で迎えに行ける方がいれば助かります。", "送迎"),
        ("使っていない机や椅子を譲っていただける方を探しています。", "物資提供"),
        ("子ども服のおさがりを集めています。ご提供いただけると助かります。", "物資提供"),
        ("活動資金が足りません。ご支援いただける企業を探しています。", "寄付"),
        ("運営の財源となるご寄附をお願いしたいです。", "寄付"),
        ("この取り組みを多くの人に知ってもらいたいので、力を貸してください。", "広報"),
        ("地域紙に記事を載せてくれる方がいれば心強いです。", "広報"),
        ("外国籍の家族に向けて、案内を訳してくれる方を探しています。", "翻訳"),
        ("ベトナム語が話せる方が必要です。", "翻訳"),
        ("Zoomの使い方を教えてくれる方を探しています。", "IT支援"),
        ("ITに強い方にネット注文の仕組みづくりをお願いしたいです。", "IT支援"),
        ("法律面で相談に乗っていただける弁護士の方を探しています。", "専門知識"),
        ("栄養のことに詳しい方の助言がほしいです。", "専門知識"),
        ("炊き出しを一緒に作ってくれる方を探しています。", "調理"),
        ("料理の得意な方にお弁当づくりをお願いしたいです。", "調理"),
        ("練習できる場所を探しています。", "会場提供"),
        ("配達を手伝ってくださる方を募ります。", "配送"),
        ("料理が得意な方、大歓迎です。", "調理"),
        ("会場を貸していただけたら助かります。", "会場提供"),
        ("月に一度集まれる部屋を貸していただける方がいれば助かります。", "会場提供"),
    ],
)
def test_needs_are_recognised_however_they_are_worded(sentence: str, tag: str) -> None:
    assert tag in {need.tag for need in tx.needs_of(sentence)}


def test_the_marked_request_is_the_main_need_and_the_rest_count_half() -> None:
    needs = {
        n.tag: n
        for n in tx.needs_of(
            "会場は確保できました。あわせてチラシを配ってくれる方も探しています。"
            "中でも、当日運営を担うボランティアが必要です。"
        )
    }
    assert needs["人手"].main and needs["人手"].weight == tx.MAIN_WEIGHT
    assert not needs["広報"].main and needs["広報"].weight == tx.EXTRA_WEIGHT
    assert "会場提供" not in needs  # already covered


def test_a_lone_request_is_the_main_need_even_when_worded_as_an_extra() -> None:
    (need,) = tx.needs_of("それと、チラシを置いてくれるお店も探しています。")
    assert need.tag == "広報" and need.main and need.weight == tx.MAIN_WEIGHT


@pytest.mark.parametrize(
    "text",
    [
        "配達は自分たちの車で回れます。",
        "費用は助成金でまかなえる見込みです。",
        "衛生用品を必要な方に渡す活動をしています。",
        "少しでも関心をお持ちの方は、ぜひお力を貸してください。",
        "週末に参加できる方を希望します。",
    ],
)
def test_what_is_covered_closings_and_time_preferences_ask_for_nothing(text: str) -> None:
    assert tx.needs_of(text) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("活動は土日が中心です。", "weekends"),
        ("仕事帰りの夕方以降に集まっています。", "evenings"),
        ("平日の昼間に動ける方を探しています。", "weekdays"),
        ("曜日や時間帯は問いません。週末も歓迎です。", "anytime"),
        ("よろしくお願いします。", None),
    ],
)
def test_when_the_activity_happens(text: str, code: str | None) -> None:
    assert tx.time_wanted(text) == code
