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
    """For every prose sentence, the sentences of *other* articles that say the same."""

    support: Mapping[SentenceRef, tuple[SentenceRef, ...]]

    def of(self, ref: SentenceRef) -> tuple[SentenceRef, ...]:
        return self.support.get(ref, ())


@dataclass(frozen=True, slots=True)
class SentenceTerms:
    """Content stems of every prose sentence, with the weights computed over them."""

    stems: Mapping[SentenceRef, frozenset[str]]
    weights: Weights

    def score(self, a: SentenceRef, b: SentenceRef) -> float:
        return same_statement_score(self.stems[a], self.stems[b], self.weights)


def sentence_terms(articles: Sequence[Article], terms: Terms) -> SentenceTerms:
    stems = {
        SentenceRef(a.id, s.index): terms.content(s.text)
        for a in articles
        for s in a.sentences
        if a.is_prose(s)
    }
    return SentenceTerms(stems, weigh(list(stems.values())))


def compare(index: SentenceTerms, threshold: float = SAME_STATEMENT) -> Agreement:
    """Find, for each sentence, the sentences of other articles at or above `threshold`.

    Two sentences that agree share most of the smaller one's weight, which sits in its
    rarest words; so each sentence looks for partners only through its few rarest stems
    (and only stems rare enough to be telling). The work per sentence is bounded, so the
    stage grows with the number of sentences, not with its square.
    """
    refs = sorted(index.stems)  # work on positions in this order: ints sort fast
    stem_sets = [index.stems[r] for r in refs]
    articles = [r.article for r in refs]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, stems in enumerate(stem_sets):
        for stem in stems:
            postings[stem].append(i)
    pairs: set[tuple[int, int]] = set()
    for i, stems in enumerate(stem_sets):
        # Stems no other sentence has cannot link anything: probe the rarest shared ones.
        shared = sorted((len(postings[s]), s) for s in stems if len(postings[s]) > 1)
        for df, stem in shared[:_PROBES]:
            if df > _PROBE_DF:
                break  # the rest are commoner still
            posting = postings[stem]
            for j in posting:
                if articles[j] != articles[i]:
                    pairs.add((i, j) if i < j else (j, i))
    support: dict[int, list[int]] = defaultdict(list)
    weights = index.weights
    for i, j in sorted(pairs):
        if same_statement_score(stem_sets[i], stem_sets[j], weights) >= threshold:
            support[i].append(j)
            support[j].append(i)
    return Agreement({refs[i]: tuple(refs[j] for j in sorted(support[i])) for i in sorted(support)})
