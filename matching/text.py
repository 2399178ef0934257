"""Reading Japanese free text the way a coordinator does: what is asked for (and what
matters most), when, about what, and how similar two texts are."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from matching import lexicon as lx

_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")
# Where a sentence turns ("…は自分たちでできますが、配達を…"): clauses are judged alone.
_CLAUSE_BREAK = re.compile(
    r"(?<=ので、)|(?<=ですが、)|(?<=けれど、)|(?<=けど、)|(?<=ますが、)|(?<=ため、)"
)

MAIN_WEIGHT = 1.0
EXTRA_WEIGHT = 0.5


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(normalise(text)) if s.strip()]


@dataclass(frozen=True, slots=True)
class Need:
    """One kind of help a text asks for, how much it matters, and the words that said so."""

    tag: str
    weight: float
    main: bool
    evidence: str


def offers_in(text: str) -> dict[str, str]:
    """Kinds of help named in a piece of text, each with the words that named it."""
    found: dict[str, str] = {}
    for tag, patterns in lx.OFFER_PATTERNS.items():
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                found[tag] = match.group(0)
                break
    if not found:
        for pattern in lx.HANDS_PATTERNS:
            match = pattern.search(text)
            if match:
                found[lx.HANDS] = match.group(0)
                break
    if len(found) > 1 and lx.WEAK_WHEN_OTHERS & found.keys():
        # "ホームページ作りに詳しい方": IT first; expertise only if named as such.
        for weak in lx.WEAK_WHEN_OTHERS & found.keys():
            if not _named_strongly(weak, text):
                found[weak] = "~" + found[weak]
    return found


def _named_strongly(tag: str, text: str) -> bool:
    # Professions and explicit advice name expertise on their own; "詳しい" does not.
    weak_words = ("詳しい", "知識", "経験")
    patterns = lx.OFFER_PATTERNS[tag]
    return any(
        (m := p.search(text)) is not None and m.group(0) not in weak_words for p in patterns
    )


def _request_clauses(sentence: str) -> list[str]:
    clauses = [c for c in _CLAUSE_BREAK.split(sentence) if c]
    return [c for c in clauses if not lx.COVERED.search(c)]


def needs_of(text: str) -> list[Need]:
    """What a proposal asks for. The first request marked as the main one (何より, いちばん,
    特に …), or else the first request, is the main need; the others count half. Sentences
    that say something is already covered, generic closings and pure time preferences ask
    for nothing."""
    found: dict[str, Need] = {}
    main_seen = False
    first_unmarked: list[tuple[str, str]] = []
    first_any: list[tuple[str, str]] = []
    prior = ""
    for sentence in sentences(text):
        before, prior = prior, sentence
        if not lx.REQUEST.search(sentence) or lx.CLOSING.search(sentence):
            continue
        clauses = _request_clauses(sentence)
        if clauses and not any(offers_in(c) for c in clauses) and not lx.COVERED.search(before):
            # "子ども服を集めています。ご提供いただけると助かります。": the request
            # refers back to what the previous sentence named.
            clauses = [before + clause for clause in clauses]
        for clause in clauses:
            offers = offers_in(clause)
            if not offers:
                continue
            time_only = lx.HANDS in offers and len(offers) == 1 and _mentions_time(clause)
            if time_only:
                continue
            is_main = bool(lx.MAIN_MARKER.search(clause)) and not lx.EXTRA_MARKER.search(
                clause
            )
            is_extra = bool(lx.EXTRA_MARKER.search(clause))
            for tag, evidence in offers.items():
                weak = evidence.startswith("~")
                evidence = evidence.lstrip("~")
                main = is_main and not weak and not main_seen_for(found, tag)
                weight = MAIN_WEIGHT if main else EXTRA_WEIGHT
                if weak:
                    weight *= 0.6
                if not is_main and not is_extra and not weak:
                    first_unmarked.append((tag, evidence))
                if not weak:
                    first_any.append((tag, evidence))
                previous = found.get(tag)
                if previous is None or previous.weight < weight:
                    found[tag] = Need(tag, weight, main, evidence)
            if is_main and any(not e.startswith("~") for e in offers.values()):
                main_seen = True
    if not main_seen and (first_unmarked or first_any):
        # No request marked as the main one: the first plain request is, or else the first
        # request at all ("それと…も探しています" as the only one still is what is asked).
        tag, evidence = (first_unmarked or first_any)[0]
        found[tag] = Need(tag, MAIN_WEIGHT, True, evidence)
    return sorted(found.values(), key=lambda n: (-n.weight, lx.OFFER_TAGS.index(n.tag)))


def main_seen_for(found: dict[str, Need], tag: str) -> bool:
    need = found.get(tag)
    return need is not None and need.main


def _mentions_time(text: str) -> bool:
    return any(pattern.search(text) for pattern, _ in lx.TIME_CUES)


def time_wanted(text: str) -> str | None:
    """When a proposal's activity happens (availability code), or None when it does not say.
    A sentence that says "any time" wins over the days it names."""
    wanted: list[str] = []
    for sentence in sentences(text):
        for pattern, code in lx.TIME_CUES:
            if pattern.search(sentence):
                if code == "anytime":
                    return "anytime"
                wanted.append(code)
                break
    return wanted[0] if wanted else None


def time_offered(text: str) -> str | None:
    """When an introduction says its author is free (the same codes)."""
    return time_wanted(text)


def topics_of(text: str) -> set[str]:
    text = normalise(text)
    return {topic for topic, pattern in lx.TOPIC_ANY.items() if pattern.search(text)}


@functools.lru_cache(maxsize=65536)
def _sentence_topics(sentence: str) -> tuple[frozenset[str], frozenset[str]]:
    # Introductions share many sentences; each is read once per process.
    if lx.INTEREST.search(sentence):
        return frozenset(), frozenset(topics_of(sentence))
    if lx.EXPERIENCE.search(sentence):
        return frozenset(topics_of(sentence)), frozenset()
    return frozenset(), frozenset()


def experience_topics(intro: str) -> tuple[set[str], set[str]]:
    """Topics an introduction says its author has done, and topics they are interested in."""
    done: set[str] = set()
    interested: set[str] = set()
    for sentence in sentences(intro):
        has_done, has_interest = _sentence_topics(sentence)
        done |= has_done
        interested |= has_interest
    return done, interested - done


# --- character n-grams ------------------------------------------------------------------

_NOISE = re.compile(r"[\s、。,.!?！？「」『』（）()・…〜~\-]+")


def ngrams(text: str) -> Counter[str]:
    """Character bigrams, the usual way to compare Japanese text without a word
    segmenter ("子ども食堂" → 子ど, ども, も食, 食堂)."""
    grams: Counter[str] = Counter()
    for chunk in _NOISE.sub(" ", normalise(text).lower()).split():
        grams.update(chunk[i : i + 2] for i in range(len(chunk) - 1))
    return grams


def tfidf(grams: Counter[str], idf: Mapping[str, float], default_idf: float) -> dict[str, float]:
    vector = {g: (1.0 + math.log(c)) * idf.get(g, default_idf) for g, c in grams.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {g: v / norm for g, v in vector.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(g, 0.0) for g, v in a.items())


def shared_phrase(proposal: str, intro: str, minimum: int = 3) -> str:
    """The longest stretch of text the proposal and the introduction share (for "similar
    text: 子ども食堂"), ignoring punctuation; empty when nothing of `minimum` characters."""
    a = normalise(proposal)
    b = normalise(intro)
    best = ""
    for i in range(len(b)):
        length = len(best) + 1
        while i + length <= len(b) and b[i : i + length] in a:
            candidate = b[i : i + length]
            if not any(ch in "、。,. 　" for ch in candidate):
                best = candidate
            length += 1
    stripped = best.strip("のをにがはでとやもへ")
    return stripped if len(stripped) >= minimum and not _is_boilerplate(stripped) else ""


_BOILERPLATE = ("しています", "できます", "います", "ています", "ください", "したい", "ます")


def _is_boilerplate(phrase: str) -> bool:
    return any(phrase.endswith(tail) or phrase.startswith(tail) for tail in _BOILERPLATE) or (
        phrase in ("地域の活動", "神戸市内", "活動して")
    )
