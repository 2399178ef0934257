"""The matching engine without HTTP or database: quality against the baseline, the signals
one at a time, reasons in words, exclusions, capacity and live updates of the index."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from cli import main
from matching.engine import CollaboratorDoc, Index, ProposalDoc
from matching.evaluation import baseline, evaluate, load, ndcg_at, precision_at
from matching.peers import ProposalIndex, proposal_as_helper

DEV_SET = Path(__file__).resolve().parents[1] / "data" / "matching-dev.json"

PROPOSAL = ProposalDoc(
    id="p",
    category="elderly",
    ward="nada",
    catchphrase="お年寄りにお弁当を届けたい",
    body=(
        "灘区でひとり暮らしのお年寄りの見守りをしています。"
        "何よりお弁当をご自宅まで届けてくれる方を探しています。"
        "あわせてチラシで活動を知らせてくださる方も募集しています。"
        "活動は土日が中心です。"
    ),
)


def collaborator(cid: str, **changes: object) -> CollaboratorDoc:
    base = CollaboratorDoc(
        id=cid,
        categories=("elderly",),
        wards=("nada",),
        offers=("配送",),
        availability="weekends",
        capacity=2,
        active_projects=0,
        intro="灘区で活動しています。よろしくお願いします。",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def ranked(index: Index, proposal: ProposalDoc = PROPOSAL, **kwargs: object) -> list[str]:
    return [s.collaborator_id for s in index.rank(proposal, **kwargs)]  # type: ignore[arg-type]


def test_engine_beats_the_baseline_on_the_dev_set_by_at_least_0_15() -> None:
    figures = evaluate(load(DEV_SET))
    assert figures["engine"]["proposals"] == 40
    assert figures["engine"]["ndcg@5"] >= figures["baseline"]["ndcg@5"] + 0.15
    assert figures["engine"]["precision@5"] > figures["baseline"]["precision@5"]


def test_metrics_follow_their_definitions() -> None:
    grades = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at(["a", "b", "c"], grades, 5) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], grades, 5) == 0.0
    assert 0 < ndcg_at(["c", "b", "a"], grades, 5) < 1
    assert precision_at(["a", "b", "c", "x", "y"], grades, 5) == pytest.approx(0.4)


def test_the_main_need_outranks_a_secondary_one_and_nothing_offered_ranks_last() -> None:
    index = Index(
        [
            collaborator("flyers", offers=("広報",)),
            collaborator("nothing", offers=("翻訳",)),
            collaborator("delivery"),
        ]
    )
    assert ranked(index) == ["delivery", "flyers", "nothing"]


def test_place_same_ward_before_neighbour_before_far_but_remote_help_goes_anywhere() -> None:
    index = Index(
        [
            collaborator("far", wards=("tarumi",)),
            collaborator("neighbour", wards=("higashinada",)),
            collaborator("same"),
            collaborator("citywide", wards=("citywide",)),
        ]
    )
    order = ranked(index)
    assert order.index("same") < order.index("neighbour") < order.index("far")
    assert order.index("citywide") < order.index("neighbour")
    flyers = Index(
        [collaborator("far-flyers", wards=("tarumi",), offers=("広報",)),
         collaborator("near-flyers", offers=("広報",))]
    ).rank(PROPOSAL)
    assert flyers[0].score == pytest.approx(flyers[1].score, abs=0.05)


def test_time_clash_and_full_capacity_lower_a_candidate_and_say_so() -> None:
    index = Index(
        [
            collaborator("clash", availability="weekdays"),
            collaborator("full", capacity=1, active_projects=1),
            collaborator("fits"),
        ]
    )
    suggestions = {s.collaborator_id: s for s in index.rank(PROPOSAL)}
    assert ranked(index)[0] == "fits"
    assert suggestions["full"].over_capacity and not suggestions["fits"].over_capacity
    full_codes = {r.code for r in suggestions["full"].reasons if r.warning}
    clash_codes = {r.code for r in suggestions["clash"].reasons if r.warning}
    assert full_codes == {"full"} and clash_codes == {"time_clash"}


def test_reasons_name_category_ward_offers_experience_and_similar_text() -> None:
    index = Index(
        [
            collaborator(
                "c",
                offers=("配送", "広報"),
                intro="昨年はひとり暮らしのお年寄りの見守りにスタッフとして参加しました。",
            )
        ]
    )
    (suggestion,) = index.rank(PROPOSAL)
    reasons = {(r.code, r.value) for r in suggestion.reasons}
    assert ("category", "") in reasons
    assert ("ward", "nada") in reasons
    assert ("offers_main", "配送") in reasons
    assert ("offers", "広報") in reasons
    assert ("available", "weekends") in reasons
    assert ("experience", "見守り") in reasons
    assert any(code == "similar_text" and "お年寄り" in value for code, value in reasons)


def test_declined_candidates_never_come_back_and_paused_ones_leave() -> None:
    index = Index([collaborator("a"), collaborator("b"), collaborator("c")])
    assert "a" not in ranked(index, exclude={"a"})
    index.remove("b")
    assert ranked(index) == ["a", "c"]
    assert "b" not in index


def test_new_and_edited_collaborators_show_up_at_once() -> None:
    index = Index([collaborator("a", offers=("翻訳",))])
    index.rank(PROPOSAL)  # the index is built and in use
    index.add(collaborator("new"))
    assert ranked(index)[0] == "new"
    index.add(collaborator("a"))  # edited: now offers delivery too, and has spare capacity
    index.add(collaborator("new", active_projects=2))
    assert ranked(index)[0] == "a"


def test_free_offer_tags_are_read_like_text() -> None:
    index = Index(
        [
            collaborator("truck", offers=("軽トラで配達",)),
            collaborator("other", offers=("将棋",)),
        ]
    )
    assert ranked(index)[0] == "truck"


def test_baseline_is_category_then_ward() -> None:
    docs = [
        collaborator("ward-only", categories=("children",)),
        collaborator("both"),
        collaborator("none", categories=("children",), wards=("tarumi",)),
    ]
    assert baseline(PROPOSAL, docs) == ["both", "ward-only", "none"]


def test_cli_rank_prints_top_ten_per_proposal_and_evaluate_prints_both(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["matching", "rank", str(DEV_SET)]) == 0
    ranking = json.loads(capsys.readouterr().out)
    assert len(ranking) == 40 and all(len(ids) == 10 for ids in ranking.values())
    assert ranking["p001"][0].startswith("c")
    assert main(["matching", "evaluate", str(DEV_SET)]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["engine"]["ndcg@5"] > figures["baseline"]["ndcg@5"]


def test_cli_reports_an_unreadable_file_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["matching", "rank", str(bad)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_ranking_from_the_collaborators_side_uses_the_same_judgement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matching.engine as engine

    monkeypatch.setattr(engine, "TEXT_WEIGHT", 0.0)
    dev = load(DEV_SET)
    proposals, collaborators = dev.proposals[:12], dev.collaborators[:30]
    forward = Index(collaborators)
    reverse = ProposalIndex(proposals)
    for collaborator in collaborators:
        from_collaborator = {
            s.collaborator_id: s.score for s in reverse.rank(collaborator, limit=len(proposals))
        }
        for proposal in proposals:
            from_proposal = {
                s.collaborator_id: s.score
                for s in forward.rank(proposal, limit=len(collaborators))
            }
            assert from_collaborator[proposal.id] == pytest.approx(
                from_proposal[collaborator.id], abs=1e-3
            ), (proposal.id, collaborator.id)


def test_for_a_collaborator_the_proposals_needing_their_offer_come_first() -> None:
    needs_delivery = PROPOSAL
    needs_translation = replace(
        PROPOSAL, id="q", body="外国人の家族向けの案内を訳してくれる方を探しています。"
    )
    index = ProposalIndex([needs_translation, needs_delivery])
    (first, second) = index.rank(collaborator("c"))
    assert (first.collaborator_id, second.collaborator_id) == ("p", "q")
    assert ("offers_main", "配送") in {(r.code, r.value) for r in first.reasons}
    assert [s.collaborator_id for s in index.rank(collaborator("c"), exclude={"p"})] == ["q"]


def test_a_proposal_can_be_read_as_an_offer_of_help() -> None:
    kitchen = ProposalDoc(
        id="k", category="restaurants", ward="nada", catchphrase="店の厨房を活かしたい",
        body="灘区で食堂を営んでいます。厨房で大量調理ができ、店舗の2階を開放できます。"
        "配達を手伝ってくれる方を探しています。",
    )
    helper = proposal_as_helper(kitchen)
    assert {"調理", "会場提供"} <= set(helper.offers)
    assert "配送" not in helper.offers  # that is what it asks for, not what it gives
    assert helper.wards == ("nada",)
