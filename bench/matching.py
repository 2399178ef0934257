"""Matching benchmark: quality on the evaluation set (engine against the baseline), then
speed and size with many collaborators.

Quality: nDCG@5 and precision@5 on `tests/data/matching-dev.json` (a copy of
`../shared/data/matching-dev.json`; another file with MATCHING_EVAL).
Scale: MATCHING_COLLABORATORS (default 100,000) collaborators made by recombining the
evaluation set's collaborators (sentences of their introductions shuffled, offers, wards,
categories, availability and load drawn at random); reports the index build time, the
resident memory the index adds, and p50/p95 of a top-10 query over the set's proposals."""

from __future__ import annotations

import gc
import os
import random
import re
import statistics
import time
from pathlib import Path

from matching import lexicon as lx
from matching.engine import CATEGORIES, CollaboratorDoc, Index
from matching.evaluation import EvalSet, evaluate, load

DEFAULT_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "matching-dev.json"


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def synthetic(evalset: EvalSet, count: int, seed: int = 7) -> list[CollaboratorDoc]:
    rng = random.Random(seed)
    sentences = [
        s for c in evalset.collaborators for s in re.split(r"(?<=。)", c.intro) if s
    ]
    wards = (*lx.WARDS, lx.CITYWIDE)
    docs = []
    for i in range(count):
        capacity = rng.randint(1, 3)
        docs.append(
            CollaboratorDoc(
                id=f"s{i:06d}",
                categories=tuple(rng.sample(CATEGORIES, rng.randint(1, 3))),
                wards=tuple(rng.sample(wards, rng.randint(1, 2))),
                offers=tuple(rng.sample(lx.OFFER_TAGS, rng.randint(1, 4))),
                availability=rng.choice(lx.AVAILABILITY_CODES),
                capacity=capacity,
                active_projects=rng.randint(0, capacity),
                # A serial in every sentence: no two introductions share a sentence, so
                # nothing is read from a cache.
                intro="".join(
                    f"{s[:-1]}（{i}）。" for s in rng.sample(sentences, rng.randint(4, 8))
                ),
            )
        )
    return docs


def main() -> None:
    path = Path(os.environ.get("MATCHING_EVAL", DEFAULT_SET))
    count = int(os.environ.get("MATCHING_COLLABORATORS", "100000"))
    evalset = load(path)
    figures = evaluate(evalset)
    print(f"matching quality on {path.name} ({len(evalset.proposals)} proposals)")
    for name, m in figures.items():
        print(f"  {name:<9} nDCG@5 {m['ndcg@5']:.3f}  precision@5 {m['precision@5']:.3f}")

    gc.collect()
    before = rss_mib()
    docs = synthetic(evalset, count)
    started = time.perf_counter()
    index = Index(docs)
    index.structured_scores(index.query(evalset.proposals[0]))  # materialise the arrays
    build = time.perf_counter() - started
    del docs
    gc.collect()
    after = rss_mib()
    timings = []
    for _ in range(5):
        for proposal in evalset.proposals:
            started = time.perf_counter()
            index.rank(proposal, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"scale: {count:,} collaborators")
    print(
        f"  index build {build:.2f} s; resident memory of the index with its documents "
        f"{after - before:.0f} MiB"
    )
    print(
        f"  top-10 for one proposal: p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms ({len(timings)} queries)"
    )
    started = time.perf_counter()
    index.add(
        CollaboratorDoc(
            id="s000001", categories=("elderly",), wards=("kita",), offers=("配送",),
            availability="anytime", capacity=2, active_projects=0, intro="配達できます。",
        )
    )
    index.rank(evalset.proposals[0], limit=10)
    print(f"  one edited collaborator re-indexed and queried in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
