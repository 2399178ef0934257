"""The engine from the other side: for one collaborator, which open proposals (and public
calls) need what they offer; and a proposal read as an offer of help, since applicants
are often each other's collaborators. Same formula as `engine.Index`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from matching import lexicon as lx
from matching import text as tx
from matching.engine import (
    BUSY_NOTE,
    CATEGORIES,
    CATEGORY_BONUS,
    EXPERIENCE_BONUS,
    FULL_LOAD,
    INTEREST_BONUS,
    OTHER_NEEDS,
    PLACE_ADJACENT,
    PLACE_FAR,
    PLACE_NEAR,
    SPARE_BONUS,
    TIME_CLASH,
    TOPICS,
    CollaboratorDoc,
    Index,
    ProposalDoc,
    Query,
    Suggestion,
    bits,
    with_wording,
)


class ProposalIndex:
    """Open proposals (and, through them, public calls) prepared for ranking from the other
    side: for one collaborator, which proposals need what they offer. Same formula as
    `Index`, vectorised over proposals instead of collaborators."""

    def __init__(self, proposals: Iterable[ProposalDoc] = ()) -> None:
        self._scorer = Index()
        self._ids: list[str] = []
        self._position: dict[str, int] = {}
        self._queries: list[Query] = []
        self._arrays: dict[str, npt.NDArray[Any]] | None = None
        for doc in proposals:
            self.add(doc)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, doc: ProposalDoc) -> None:
        query = self._scorer.query(doc)
        position = self._position.get(doc.id)
        if position is None:
            self._position[doc.id] = len(self._ids)
            self._ids.append(doc.id)
            self._queries.append(query)
        else:
            self._queries[position] = query
        self._arrays = None

    def remove(self, proposal_id: str) -> None:
        position = self._position.pop(proposal_id, None)
        if position is None:
            return
        self._ids.pop(position)
        self._queries.pop(position)
        self._position = {pid: i for i, pid in enumerate(self._ids)}
        self._arrays = None

    def _columns(self) -> dict[str, npt.NDArray[Any]]:
        if self._arrays is None:
            n = len(self._queries)
            weights = np.zeros((n, len(lx.OFFER_TAGS)))
            ward = np.full(n, -1, dtype=np.int64)
            time_code = np.zeros(n, dtype=np.int64)
            category = np.full(n, -1, dtype=np.int64)
            topics = np.zeros(n, dtype=np.int64)
            for i, q in enumerate(self._queries):
                for need in q.needs:
                    weights[i, lx.OFFER_TAGS.index(need.tag)] = need.weight
                if q.proposal.ward in lx.WARDS:
                    ward[i] = lx.WARDS.index(q.proposal.ward)
                if q.time in lx.AVAILABILITY_CODES:
                    time_code[i] = lx.AVAILABILITY_CODES.index(q.time)
                if q.proposal.category in CATEGORIES:
                    category[i] = CATEGORIES.index(q.proposal.category)
                topics[i] = bits(q.topics, TOPICS)
            self._arrays = {
                "weights": weights,
                "ward": ward,
                "time": time_code,
                "category": category,
                "topics": topics,
            }
        return self._arrays

    def rank(
        self, collaborator: CollaboratorDoc, limit: int = 10, exclude: Iterable[str] = ()
    ) -> list[Suggestion]:
        """The proposals this collaborator fits best (Suggestion.collaborator_id holds the
        proposal id here), with reasons as seen from the proposal."""
        if not self._ids or limit <= 0:
            return []
        one = Index([collaborator])
        c = {name: int(column[0]) for name, column in one._columns().items()}
        a = self._columns()
        wards = {w for w in collaborator.wards if w in lx.WARDS}
        everywhere = bool(c["anywhere"]) or lx.CITYWIDE in collaborator.wards
        near_ward = np.array([everywhere or w in wards for w in lx.WARDS] + [True])
        adjacent_ward = np.array(
            [any(w in lx.ADJACENT[x] for x in wards) for w in lx.WARDS] + [False]
        )
        ward_index = np.where(a["ward"] < 0, len(lx.WARDS), a["ward"])
        place = np.where(
            near_ward[ward_index],
            PLACE_NEAR,
            np.where(adjacent_ward[ward_index], PLACE_ADJACENT, PLACE_FAR),
        )
        offered = [i for i, _tag in enumerate(lx.OFFER_TAGS) if c["offers"] & (1 << i)]
        if offered:
            values = np.stack(
                [
                    a["weights"][:, i] * (1.0 if lx.OFFER_TAGS[i] in lx.REMOTE_OFFERS else place)
                    for i in offered
                ],
                axis=1,
            )
            best = values.max(axis=1)
            coverage = best + OTHER_NEEDS * (values.sum(axis=1) - best)
        else:
            coverage = np.zeros(len(self._ids))
        available = c["availability"]
        fits = (a["time"] == 0) | (available == 0) | (a["time"] == available)
        score = coverage * np.where(fits, 1.0, TIME_CLASH)
        if c["active"] >= c["capacity"]:
            score = score * FULL_LOAD
        if c["busy"]:
            score = score * BUSY_NOTE
        score = score + SPARE_BONUS * min(max(c["capacity"] - c["active"], 0), 3)
        category_mask = np.array(
            [category in collaborator.categories for category in CATEGORIES] + [False]
        )
        category_index = np.where(a["category"] < 0, len(CATEGORIES), a["category"])
        score = score + CATEGORY_BONUS * category_mask[category_index]
        score = score + EXPERIENCE_BONUS * ((a["topics"] & c["done"]) != 0)
        score = score + INTEREST_BONUS * ((a["topics"] & c["interested"]) != 0)
        for pid in exclude:
            position = self._position.get(pid)
            if position is not None:
                score[position] = -np.inf
        vector = one._vector(0)
        final = with_wording(
            score, self._ids, limit, lambda p: tx.cosine(self._queries[p].vector, vector)
        )
        return [
            Suggestion(
                collaborator_id=self._ids[position],
                score=round(total, 4),
                reasons=tuple(one.reasons(self._queries[position], 0, similarity)),
                over_capacity=collaborator.active_projects >= collaborator.capacity,
            )
            for total, position, similarity in final
        ]


def proposal_as_helper(doc: ProposalDoc) -> CollaboratorDoc:
    """Applicants are often each other's collaborators: a proposal read as an offer of
    help. What its text names outside its requests ("お弁当を作っています", "会場があります")
    is what it can give; its place, time and category are its own."""
    offers: set[str] = set()
    for sentence in tx.sentences(doc.body):
        if lx.REQUEST.search(sentence):
            continue
        offers |= {t for t, e in tx.offers_in(sentence).items() if not e.startswith("~")}
    time = tx.time_wanted(doc.body)
    return CollaboratorDoc(
        id=doc.id,
        categories=(doc.category,),
        wards=(doc.ward,) if doc.ward else (lx.CITYWIDE,),
        offers=tuple(sorted(offers)),
        availability=time if time in lx.AVAILABILITY_CODES else "anytime",
        capacity=1,
        active_projects=0,
        intro=f"{doc.catchphrase}。{doc.body}",
        org_name=doc.org_name,
    )
