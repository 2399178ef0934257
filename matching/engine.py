"""The matching engine: ranks collaborators for a proposal, with the reasons in words.

It works on plain documents (no database, no HTTP), so the same code serves the back office,
the `ouen matching` commands and the tests. The index keeps what it needs per collaborator
in numpy arrays (bit masks for offers, wards, categories and topics; numbers for capacity),
so scoring 100,000 collaborators is a handful of vector operations; only the few that can
still reach the top are compared by text.

How a candidate is scored follows how a coordinator judges an introduction:
- what the proposal's text asks for (its main need counts fully, the others half) that the
  collaborator offers, each weighed by place: same ward or city-wide, a neighbouring ward,
  or far away (publicity, IT, translation and donations work from anywhere);
- a time clash and a full workload lower that; a busy note in the introduction a little;
- the same category, experience with the same topic, and similar wording add a little.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from intake.vocabulary import CATEGORIES as CATEGORY_CODES
from matching import lexicon as lx
from matching import text as tx

CATEGORIES = CATEGORY_CODES  # the 12 categories of the form (DESIGN.md §4)
TOPICS = tuple(lx.TOPIC_ANY)

# Weights. Place and time mirror the grading a coordinator gives (ideal / minor drawback /
# marginal); the additive signals only order candidates that cover the same needs.
PLACE_NEAR = 1.0
PLACE_ADJACENT = 0.7
PLACE_FAR = 0.3
TIME_CLASH = 0.7
FULL_LOAD = 0.35
BUSY_NOTE = 0.8
OTHER_NEEDS = 0.25
CATEGORY_BONUS = 0.12
EXPERIENCE_BONUS = 0.1
INTEREST_BONUS = 0.04
TEXT_WEIGHT = 0.15
SPARE_BONUS = 0.02
TEXT_MIN = 0.08
TEXT_POOL = 300  # most candidates compared by wording per query
IDF_SAMPLE = 2000  # below this, wording similarity is not worth a reason

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ProposalDoc:
    id: str
    category: str
    ward: str | None
    catchphrase: str
    body: str
    org_name: str = ""


@dataclass(frozen=True, slots=True)
class CollaboratorDoc:
    id: str
    categories: Sequence[str]
    wards: Sequence[str]
    offers: Sequence[str]
    availability: str
    capacity: int
    active_projects: int
    intro: str
    org_type: str = ""
    org_name: str = ""


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason in words; `code` says which kind, `value` is shown as written."""

    code: str
    value: str = ""
    warning: bool = False


@dataclass(frozen=True, slots=True)
class Suggestion:
    collaborator_id: str
    score: float
    reasons: tuple[Reason, ...]
    over_capacity: bool


@dataclass(slots=True)
class Query:
    """What the engine reads from a proposal, kept so reasons can quote it."""

    proposal: ProposalDoc
    needs: list[tx.Need]
    time: str | None
    topics: set[str]
    vector: dict[str, float] = field(default_factory=dict)


def bits(values: Iterable[str], universe: Sequence[str]) -> int:
    mask = 0
    for value in values:
        if value in universe:
            mask |= 1 << universe.index(value)
    return mask


def canonical_offers(tags: Iterable[str]) -> set[str]:
    """Offer tags as the engine knows them: known tags as they are; free tags read through
    the same vocabulary as proposals ("通訳" → 翻訳, "軽トラで配達" → 配送)."""
    known: set[str] = set()
    for tag in tags:
        tag = tx.normalise(tag).strip()
        if tag in lx.OFFER_TAGS:
            known.add(tag)
        elif tag:
            known |= {t for t, e in tx.offers_in(tag).items() if not e.startswith("~")}
    return known


def with_wording(
    scores: Array,
    ids: Sequence[str],
    limit: int,
    similarity: Callable[[int], float],
) -> list[tuple[float, int, float]]:
    """The best `limit` (score with wording, position, similarity), best first. Wording adds
    at most TEXT_WEIGHT, so only candidates within that of the limit-th best structured
    score can still reach the top; beyond TEXT_POOL of them candidates tie on everything but
    wording, and the first TEXT_POOL by structured score are compared (ties in index order)."""
    k = min(limit, len(scores))
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]
    pool = np.flatnonzero(scores >= kth - TEXT_WEIGHT)
    if len(pool) > TEXT_POOL:
        pool = pool[np.argsort(-scores[pool], kind="stable")[:TEXT_POOL]]
    final: list[tuple[float, int, float]] = []
    for position in pool.tolist():
        if scores[position] == -np.inf:
            continue
        similar = similarity(position)
        final.append((float(scores[position]) + TEXT_WEIGHT * similar, position, similar))
    final.sort(key=lambda item: (-item[0], ids[item[1]]))
    return final[:limit]


class Index:
    """Collaborators prepared for ranking. Build once; `add` replaces one document (new or
    edited) without rebuilding the rest."""

    def __init__(self, collaborators: Iterable[CollaboratorDoc] = ()) -> None:
        self._ids: list[str] = []
        self._position: dict[str, int] = {}
        self._docs: list[CollaboratorDoc] = []
        self._rows: list[tuple[int, ...]] = []
        self._arrays: dict[str, npt.NDArray[np.int64]] | None = None
        self._idf: dict[str, float] = {}
        self._idf_size = 0
        self._idf_default = 1.0
        for doc in collaborators:
            self.add(doc)

    def __len__(self) -> int:
        return len(self._ids)

    # -- building ------------------------------------------------------------------------

    def add(self, doc: CollaboratorDoc) -> None:
        wards = set(doc.wards)
        intro = tx.normalise(doc.intro)
        done, interested = tx.experience_topics(intro)
        row = (
            bits(canonical_offers(doc.offers), lx.OFFER_TAGS),
            bits(wards, (*lx.WARDS, lx.CITYWIDE)),
            bits(doc.categories, CATEGORIES),
            lx.AVAILABILITY_CODES.index(doc.availability)
            if doc.availability in lx.AVAILABILITY_CODES
            else 0,
            max(doc.capacity, 0),
            max(doc.active_projects, 0),
            int(bool(lx.GOES_ANYWHERE.search(intro)) or lx.CITYWIDE in wards),
            int(bool(lx.BUSY_NOW.search(intro))),
            bits(done, TOPICS),
            bits(interested, TOPICS),
            1,
        )
        position = self._position.get(doc.id)
        if position is None:
            position = len(self._ids)
            self._position[doc.id] = position
            self._ids.append(doc.id)
            self._docs.append(doc)
            self._rows.append(row)
            if self._arrays is not None:
                self._arrays = {
                    name: np.append(column, row[i])
                    for i, (name, column) in enumerate(self._arrays.items())
                }
        else:
            self._docs[position] = doc
            self._rows[position] = row
            if self._arrays is not None:
                for i, column in enumerate(self._arrays.values()):
                    column[position] = row[i]

    def remove(self, collaborator_id: str) -> None:
        """Take a collaborator out of suggestions (paused, retired, erased)."""
        position = self._position.get(collaborator_id)
        if position is None:
            return
        self._rows[position] = (*self._rows[position][:-1], 0)
        if self._arrays is not None:
            self._arrays["listed"][position] = 0

    def __contains__(self, collaborator_id: object) -> bool:
        position = self._position.get(str(collaborator_id))
        return position is not None and self._rows[position][-1] == 1

    def _columns(self) -> dict[str, npt.NDArray[np.int64]]:
        if self._arrays is None:
            names = (
                "offers",
                "wards",
                "categories",
                "availability",
                "capacity",
                "active",
                "anywhere",
                "busy",
                "done",
                "interested",
                "listed",
            )
            table = np.array(self._rows, dtype=np.int64).reshape(len(self._rows), len(names))
            self._arrays = {name: table[:, i].copy() for i, name in enumerate(names)}
        return self._arrays

    def _weights(self) -> dict[str, float]:
        """Inverse document frequencies of bigrams, from an even sample of introductions;
        recomputed when the pool has grown or shrunk by a quarter."""
        size = len(self._ids)
        if not self._idf or abs(size - self._idf_size) > self._idf_size / 4:
            step = max(1, size // IDF_SAMPLE)
            sample = self._docs[::step]
            df: Counter[str] = Counter()
            for doc in sample:
                df.update(tx.ngrams(doc.intro).keys())
            n = len(sample)
            self._idf = {g: math.log((1 + n) / (1 + c)) + 1.0 for g, c in df.items()}
            self._idf_default = math.log(1 + n) + 1.0
            self._idf_size = size
        return self._idf

    def _vector(self, position: int) -> dict[str, float]:
        return tx.tfidf(tx.ngrams(self._docs[position].intro), self._weights(), self._idf_default)

    # -- ranking -------------------------------------------------------------------------

    def query(self, proposal: ProposalDoc) -> Query:
        text = f"{proposal.catchphrase}。{proposal.body}"
        vector = tx.tfidf(tx.ngrams(text), self._weights(), self._idf_default)
        return Query(
            proposal=proposal,
            needs=tx.needs_of(proposal.body) or tx.needs_of(text),
            time=tx.time_wanted(proposal.body),
            topics=tx.topics_of(text),
            vector=vector,
        )

    def structured_scores(self, query: Query) -> Array:
        """Every collaborator's score without the wording similarity (vectorised)."""
        c = self._columns()
        n = len(self._ids)
        if n == 0:
            return np.zeros(0)
        ward = query.proposal.ward
        citywide_bit = 1 << len(lx.WARDS)
        if ward in lx.WARDS:
            near = ((c["wards"] & ((1 << lx.WARDS.index(ward)) | citywide_bit)) != 0) | (
                c["anywhere"] == 1
            )
            adjacent_mask = bits(lx.ADJACENT[ward], lx.WARDS)
            adjacent = (c["wards"] & adjacent_mask) != 0
            place = np.where(near, PLACE_NEAR, np.where(adjacent, PLACE_ADJACENT, PLACE_FAR))
        else:
            place = np.full(n, PLACE_NEAR)
        values = []
        for need in query.needs:
            bit = 1 << lx.OFFER_TAGS.index(need.tag)
            covered = (c["offers"] & bit) != 0
            where = 1.0 if need.tag in lx.REMOTE_OFFERS else place
            values.append(np.where(covered, need.weight * where, 0.0))
        if values:
            stacked = np.vstack(values)
            best = stacked.max(axis=0)
            coverage = best + OTHER_NEEDS * (stacked.sum(axis=0) - best)
        else:
            coverage = np.zeros(n)
        score = coverage * self._time_factor(query.time, c["availability"])
        full = c["active"] >= c["capacity"]
        score = score * np.where(full, FULL_LOAD, 1.0) * np.where(c["busy"] == 1, BUSY_NOTE, 1.0)
        spare = np.clip(c["capacity"] - c["active"], 0, 3)
        score = score + SPARE_BONUS * spare
        if query.proposal.category in CATEGORIES:
            category_bit = 1 << CATEGORIES.index(query.proposal.category)
            score = score + CATEGORY_BONUS * ((c["categories"] & category_bit) != 0)
        topics = bits(query.topics, TOPICS)
        if topics:
            score = score + EXPERIENCE_BONUS * ((c["done"] & topics) != 0)
            score = score + INTEREST_BONUS * ((c["interested"] & topics) != 0)
        return np.asarray(score, dtype=np.float64)

    @staticmethod
    def _time_factor(wanted: str | None, availability: npt.NDArray[np.int64]) -> Array:
        if wanted is None or wanted == "anytime":
            return np.ones(len(availability))
        code = lx.AVAILABILITY_CODES.index(wanted)
        fits = (availability == 0) | (availability == code)
        return np.where(fits, 1.0, TIME_CLASH)

    def rank(
        self,
        proposal: ProposalDoc,
        limit: int = 10,
        exclude: Iterable[str] = (),
    ) -> list[Suggestion]:
        """The best `limit` collaborators, best first. Excluded ids (declined for this
        proposal, already proposed) never appear."""
        if not self._ids or limit <= 0:
            return []
        query = self.query(proposal)
        scores = self.structured_scores(query)
        scores[self._columns()["listed"] == 0] = -np.inf
        for cid in exclude:
            position = self._position.get(cid)
            if position is not None:
                scores[position] = -np.inf
        final = with_wording(
            scores, self._ids, limit, lambda p: tx.cosine(query.vector, self._vector(p))
        )
        return [
            Suggestion(
                collaborator_id=self._ids[position],
                score=round(total, 4),
                reasons=tuple(self.reasons(query, position, similarity)),
                over_capacity=self._docs[position].active_projects
                >= self._docs[position].capacity,
            )
            for total, position, similarity in final
        ]

    def reasons(self, query: Query, position: int, similarity: float) -> list[Reason]:
        doc = self._docs[position]
        offers = canonical_offers(doc.offers)
        reasons: list[Reason] = []
        if query.proposal.category in doc.categories:
            reasons.append(Reason("category"))
        ward = query.proposal.ward
        wards = set(doc.wards)
        if ward in lx.WARDS and ward in wards:
            reasons.append(Reason("ward", ward))
        elif lx.CITYWIDE in wards:
            reasons.append(Reason("citywide"))
        elif ward in lx.WARDS and wards & lx.ADJACENT[ward]:
            reasons.append(Reason("adjacent", sorted(wards & lx.ADJACENT[ward])[0]))
        for need in query.needs:
            if need.tag in offers:
                reasons.append(Reason("offers_main" if need.main else "offers", need.tag))
        if query.time and query.time != "anytime":
            if doc.availability in ("anytime", query.time):
                reasons.append(Reason("available", query.time))
            else:
                reasons.append(Reason("time_clash", doc.availability, warning=True))
        done, interested = tx.experience_topics(tx.normalise(doc.intro))
        for topic in sorted(done & query.topics):
            reasons.append(Reason("experience", topic))
        for topic in sorted(interested & query.topics):
            reasons.append(Reason("interest", topic))
        if similarity >= TEXT_MIN:
            phrase = tx.shared_phrase(
                f"{query.proposal.catchphrase}。{query.proposal.body}", doc.intro)
            if phrase:
                reasons.append(Reason("similar_text", phrase))
        if doc.active_projects >= doc.capacity:
            reasons.append(Reason("full", f"{doc.active_projects}/{doc.capacity}", warning=True))
        else:
            reasons.append(Reason("load", f"{doc.active_projects}/{doc.capacity}"))
        return reasons
