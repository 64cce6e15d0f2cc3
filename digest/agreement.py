"""Which sentences of different articles say the same thing.

Two outlets rarely use the same words for a fact, but they share its *rare* words: the
names, numbers and the quoted phrase. So the measure weights each shared content stem by
its inverse sentence frequency and divides by the weight of the shorter sentence
("weighted containment"): a quote with "Wang said" around it still contains the quote,
and two sentences that only share "China" and "US" share little weight. The same measure
decides what a summary may not repeat and which sources "report" a summary sentence, so
there is one definition of "the same statement" in the whole digest, measured against a
labelled set (tests/data/agreement/, README "Where sources agree").

Candidates come from an inverted index of rare stems, so a sentence is compared only
with sentences that share a rare word with it, never with every sentence of the site.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from digest.models import Article, SentenceRef
from digest.terms import Terms

SAME_STATEMENT = 0.5
"""Weighted containment from which two sentences count as one statement; chosen on the
labelled pairs (see README for its precision and recall)."""

MIN_SHARED = 3
"""Shared content stems needed besides the weight, so two short sentences that share one
name do not agree."""

_PROBES = 8
"""Rarest stems of a sentence through which it looks for sentences that agree with it."""
_PROBE_DF = 64
"""A stem in more sentences than this is too common to propose candidates: the cost per
sentence stays bounded however large the site grows."""


@dataclass(frozen=True, slots=True)
class Weights:
    """Inverse sentence frequency of every content stem of the site."""

    idf: Mapping[str, float]
    default: float

    def of(self, stems: Iterable[str]) -> float:
        return sum(self.idf.get(s, self.default) for s in stems)


def weigh(stem_sets: Sequence[frozenset[str]]) -> Weights:
    """IDF over the given sentences; unseen stems count as the rarest."""
    df: dict[str, int] = defaultdict(int)
    for stems in stem_sets:
        for stem in stems:
            df[stem] += 1
    n = len(stem_sets) + 1
    idf = {stem: math.log(n / count) + 1.0 for stem, count in df.items()}
    return Weights(idf, math.log(n) + 1.0)


def same_statement_score(a: frozenset[str], b: frozenset[str], weights: Weights) -> float:
    """Weighted containment of the smaller sentence in the other, 0 to 1."""
    shared = a & b
    if len(shared) < MIN_SHARED:
        return 0.0
    smaller = min(weights.of(a), weights.of(b))
    return weights.of(shared) / smaller if smaller else 0.0


@dataclass(frozen=True, slots=True)
class Agreement:
    """For every prose sentence, the sentences of *other* articles that say the same.

    Sentences with the same content stems are one *statement* (wire copy repeats them
    word for word); agreement is stored between statements and expanded on demand, so a
    sentence printed by twenty outlets costs one entry, not twenty squared.
    """

    statement: Mapping[SentenceRef, int]
    """Sentence -> its statement, only for sentences that agree with another article's."""
    members: Sequence[tuple[SentenceRef, ...]]
    """Statement -> its sentences, in order."""
    linked: Mapping[int, tuple[int, ...]]
    """Statement -> the other statements that say the same."""

    def of(self, ref: SentenceRef) -> tuple[SentenceRef, ...]:
        own = self.statement.get(ref)
        if own is None:
            return ()
        found = [
            other
            for s in (own, *self.linked.get(own, ()))
            for other in self.members[s]
            if other.article != ref.article
        ]
        return tuple(sorted(found))


@dataclass(frozen=True, slots=True)
class SentenceTerms:
    """Content stems of every prose sentence, with the weights computed over them."""

    stems: Mapping[SentenceRef, frozenset[str]]
    weights: Weights

    @classmethod
    def of(cls, stems: Mapping[SentenceRef, frozenset[str]]) -> SentenceTerms:
        return cls(stems, weigh(list(stems.values())))

    def score(self, a: SentenceRef, b: SentenceRef) -> float:
        return same_statement_score(self.stems[a], self.stems[b], self.weights)


def sentence_terms(articles: Sequence[Article], terms: Terms) -> SentenceTerms:
    return SentenceTerms.of(
        {
            SentenceRef(a.id, s.index): terms.content(s.text)
            for a in articles
            for s in a.sentences
            if a.is_prose(s)
        }
    )


def compare(index: SentenceTerms, threshold: float = SAME_STATEMENT) -> Agreement:
    """Find, for each sentence, the sentences of other articles at or above `threshold`.

    Two sentences that agree share most of the smaller one's weight, which sits in its
    rarest words; so each statement looks for partners only through its few rarest stems
    (and only stems rare enough to be telling). The work per statement is bounded, so the
    stage grows with the number of distinct sentences, not with its square.
    """
    by_stems: dict[frozenset[str], list[SentenceRef]] = defaultdict(list)
    for ref in sorted(index.stems):
        stems = index.stems[ref]
        if len(stems) >= MIN_SHARED:  # fewer stems can never share enough
            by_stems[stems].append(ref)
    stem_sets = list(by_stems)
    members = [tuple(refs) for refs in by_stems.values()]
    idf, default = index.weights.idf, index.weights.default
    totals = [sum(idf.get(t, default) for t in stems) for stems in stem_sets]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, stems in enumerate(stem_sets):
        for stem in stems:
            postings[stem].append(i)
    linked: dict[int, list[int]] = defaultdict(list)
    for i, stems in enumerate(stem_sets):
        # Stems no other statement has cannot link anything: probe the rarest shared ones.
        shared = sorted((len(postings[t]), t) for t in stems if len(postings[t]) > 1)
        candidates: set[int] = set()
        for df, stem in shared[:_PROBES]:
            if df > _PROBE_DF:
                break  # the rest are commoner still
            candidates.update(postings[stem])
        for j in sorted(c for c in candidates if c > i):
            common = stems & stem_sets[j]
            if len(common) < MIN_SHARED:
                continue
            weight = sum(idf.get(t, default) for t in common)
            if weight / min(totals[i], totals[j]) >= threshold:
                linked[i].append(j)
                linked[j].append(i)
    statement = {
        ref: i
        for i, refs in enumerate(members)
        if _crosses(refs, [members[j] for j in linked.get(i, ())])
        for ref in refs
    }
    return Agreement(statement, members, {i: tuple(sorted(js)) for i, js in linked.items()})


def _crosses(refs: tuple[SentenceRef, ...], others: list[tuple[SentenceRef, ...]]) -> bool:
    """Whether a statement has a sentence in another article than its own sentences'."""
    articles = {r.article for r in refs}
    return len(articles) > 1 or any(r.article not in articles for o in others for r in o)
