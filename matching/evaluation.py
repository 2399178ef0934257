"""Evaluation sets (`ouen-matching-eval/1`) and ranking metrics.

A set holds proposals, collaborators and graded judgments (0–3; pairs not listed are 0).
nDCG@k uses the exponential gain 2^grade − 1 and the ideal ordering of all judged grades
for the proposal; precision@k counts grade ≥ 2 ("good" or "ideal") as relevant."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matching import lexicon as lx
from matching.engine import CollaboratorDoc, Index, ProposalDoc

RELEVANT_GRADE = 2


@dataclass(frozen=True, slots=True)
class EvalSet:
    proposals: list[ProposalDoc]
    collaborators: list[CollaboratorDoc]
    grades: dict[str, dict[str, int]]


class EvalSetError(ValueError):
    pass


def load(path: str | Path) -> EvalSet:
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        proposals = [
            ProposalDoc(
                id=str(p["id"]),
                category=str(p.get("category", "")),
                ward=p.get("ward") or None,
                catchphrase=str(p.get("catchphrase", "")),
                body=str(p.get("body", "")),
                org_name=str(p.get("org_name", "")),
            )
            for p in data["proposals"]
        ]
        collaborators = [
            CollaboratorDoc(
                id=str(c["id"]),
                categories=tuple(c.get("categories", ())),
                wards=tuple(c.get("wards", ())),
                offers=tuple(c.get("offers", ())),
                availability=str(c.get("availability", "anytime")),
                capacity=int(c.get("capacity", 1)),
                active_projects=int(c.get("active_projects", 0)),
                intro=str(c.get("intro", "")),
                org_type=str(c.get("org_type", "")),
                org_name=str(c.get("org_name", "")),
            )
            for c in data["collaborators"]
        ]
        grades: dict[str, dict[str, int]] = defaultdict(dict)
        for judgment in data.get("judgments", ()):
            grades[str(judgment["proposal"])][str(judgment["collaborator"])] = int(
                judgment["grade"]
            )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EvalSetError(f"cannot read {path}: {exc}") from exc
    return EvalSet(proposals, collaborators, dict(grades))


def dcg(gains: Sequence[int]) -> float:
    return float(sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains)))


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([grades.get(cid, 0) for cid in ranked[:k]]) / ideal


def precision_at(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    return sum(grades.get(cid, 0) >= RELEVANT_GRADE for cid in ranked[:k]) / k


def rank_all(evalset: EvalSet, limit: int = 10) -> dict[str, list[str]]:
    index = Index(evalset.collaborators)
    return {
        p.id: [s.collaborator_id for s in index.rank(p, limit=limit)] for p in evalset.proposals
    }


def baseline_all(evalset: EvalSet, limit: int = 10) -> dict[str, list[str]]:
    return {p.id: baseline(p, evalset.collaborators, limit) for p in evalset.proposals}


def metrics(
    rankings: Mapping[str, Sequence[str]], evalset: EvalSet, k: int = 5
) -> dict[str, float]:
    judged = [p.id for p in evalset.proposals if evalset.grades.get(p.id)]
    if not judged:
        return {f"ndcg@{k}": 0.0, f"precision@{k}": 0.0, "proposals": 0}
    mean: Callable[[list[float]], float] = lambda xs: sum(xs) / len(xs)  # noqa: E731
    return {
        f"ndcg@{k}": round(
            mean([ndcg_at(rankings.get(pid, []), evalset.grades[pid], k) for pid in judged]), 4
        ),
        f"precision@{k}": round(
            mean([precision_at(rankings.get(pid, []), evalset.grades[pid], k) for pid in judged]),
            4,
        ),
        "proposals": len(judged),
    }


def evaluate(evalset: EvalSet, k: int = 5) -> dict[str, dict[str, float]]:
    return {
        "engine": metrics(rank_all(evalset), evalset, k),
        "baseline": metrics(baseline_all(evalset), evalset, k),
    }


def baseline(
    proposal: ProposalDoc, collaborators: Sequence[CollaboratorDoc], limit: int = 10
) -> list[str]:
    """The simple baseline the engine is measured against: same category first, then same
    ward (or city-wide), in file order otherwise."""
    scored = []
    for order, doc in enumerate(collaborators):
        category = proposal.category in doc.categories
        ward = proposal.ward is not None and (
            proposal.ward in doc.wards or lx.CITYWIDE in doc.wards or proposal.ward == lx.CITYWIDE
        )
        scored.append((-(2 * category + ward), order, doc.id))
    scored.sort()
    return [cid for _, _, cid in scored[:limit]]
