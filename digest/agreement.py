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
All of it runs on the corpus' arrays (numpy), a few passes over the site's stems, so a
build recomputes it whole in a fraction of a second even for 10,000 articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from digest.corpus import Corpus
from digest.facts import Flags, Hashes, Ints
from digest.models import SentenceRef
from digest.overlaps import NONE, Overlaps, shared_stems
from digest.rows import distinct, gather, ranges, starts

Floats = npt.NDArray[Any]

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
_PACKED = 2**63
_PACKED_PAIRS = 2**31
"""Below these, sort keys are packed in one 64-bit number, and pairs in 32 bits."""


@dataclass(frozen=True, slots=True)
class Weights:
    """Inverse sentence frequency of every stem (by number); unseen stems count as the
    rarest."""

    idf: Floats
    default: float
    values: list[float]
    """`idf` as Python floats: a summary compares a few thousand pairs of sentences,
    and a list is read many times faster than an array, one number at a time."""

    def of(self, stems: Iterable[int]) -> float:
        values = self.values
        return float(sum(values[s] for s in stems))


def weigh(document_frequency: Ints, sentences: int) -> Weights:
    """IDF over `sentences` sentences, given how many of them hold each stem."""
    n = sentences + 1
    with np.errstate(divide="ignore"):
        idf = np.log(n / np.maximum(document_frequency, 1)) + 1.0
    return Weights(idf, float(np.log(n) + 1.0), idf.tolist())


def same_statement_score(a: frozenset[int], b: frozenset[int], weights: Weights) -> float:
    """Weighted containment of the smaller sentence in the other, 0 to 1."""
    shared = a & b
    if len(shared) < MIN_SHARED:
        return 0.0
    smaller = min(weights.of(a), weights.of(b))
    return weights.of(shared) / smaller if smaller else 0.0


@dataclass(frozen=True)
class SentenceTerms:
    """The content stems of every prose sentence of the corpus, with their weights."""

    corpus: Corpus
    weights: Weights

    def stems(self, ref: SentenceRef) -> frozenset[int] | None:
        """The sentence's stems; None for a heading, code or unknown sentence."""
        position = self.corpus.find(ref)
        if position is None or not self.corpus.prose[position]:
            return None
        return frozenset(self.corpus.stems_of(position).tolist())

    def score(self, a: SentenceRef, b: SentenceRef) -> float:
        return same_statement_score(
            self.stems(a) or frozenset(), self.stems(b) or frozenset(), self.weights
        )


def sentence_terms(corpus: Corpus) -> SentenceTerms:
    """Weights counted over the prose sentences (headings and code are not compared).

    Every stem is counted, then those of headings and code lines (an analysis gives
    them none) taken off again: a mask over the site's three million stems to leave them
    out cost a rebuild of 10,000 articles 0.05 to 0.09 s, in memory faulted in first."""
    vocabulary = len(corpus.vocabulary)
    df = np.bincount(corpus.stems, minlength=vocabulary)
    other = np.flatnonzero(~corpus.prose)
    if len(other):
        _, stems = gather(corpus.stem_start, corpus.stems, other)
        df -= np.bincount(stems, minlength=vocabulary)
    return SentenceTerms(corpus, weigh(df, len(corpus.prose) - len(other)))


@dataclass(frozen=True)
class Agreement:
    """For every prose sentence, the sentences of *other* articles that say the same.

    Sentences with the same content stems are one *statement* (wire copy repeats them
    word for word); agreement is stored between statements and expanded on demand, so a
    sentence printed by twenty outlets costs one entry, not twenty squared.
    """

    corpus: Corpus
    statement: Ints
    """Per site-wide sentence position, its statement, or -1 when it agrees with no
    sentence of another article."""
    member_start: Ints
    members: Ints
    """Statement -> its sentence positions, in (article id, index) order."""
    link_start: Ints
    links: Ints
    """Statement -> the other statements that say the same, ascending."""
    overlaps: Overlaps = NONE
    """The stems the measured pairs share, for the next build."""

    def statement_of(self, ref: SentenceRef) -> int:
        position = self.corpus.find(ref)
        return -1 if position is None else int(self.statement[position])

    def group(self, statement: int) -> Ints:
        """Positions of the statement's sentences and of those of its linked statements."""
        own = [statement, *self.links[self.link_start[statement] : self.link_start[statement + 1]]]
        return np.concatenate(
            [self.members[self.member_start[s] : self.member_start[s + 1]] for s in own]
        )

    def of(self, ref: SentenceRef) -> tuple[SentenceRef, ...]:
        own = self.statement_of(ref)
        if own < 0:
            return ()
        corpus = self.corpus
        found = [corpus.ref(int(p)) for p in self.group(own)]
        return tuple(sorted(r for r in found if r.article != ref.article))


class Columns(Protocol):
    """What agreement reads of the corpus: its stem columns, nothing of its articles but
    their number, so it can run where only these arrays are (`spare.py`)."""

    @property
    def entries(self) -> Sized: ...
    @property
    def prose(self) -> Flags: ...
    @property
    def stem_start(self) -> Ints: ...
    @property
    def stems(self) -> Ints: ...
    @property
    def stem_sets(self) -> Hashes: ...
    @property
    def vocabulary(self) -> Hashes: ...
    @property
    def article_of(self) -> Ints: ...
    @property
    def id_rank(self) -> Ints: ...


Found = tuple[Ints, Ints, Ints, Ints, Ints, Overlaps]
"""An `Agreement` without its corpus: statement, member_start, members, link_start,
links, overlaps."""


def compare(
    terms: SentenceTerms, threshold: float = SAME_STATEMENT, previous: Overlaps = NONE
) -> Agreement:
    """Find, for each sentence, the sentences of other articles at or above `threshold`
    (see `agree`)."""
    return Agreement(terms.corpus, *agree(terms.corpus, terms.weights.idf, threshold, previous))


def agree(
    corpus: Columns, idf: Floats, threshold: float = SAME_STATEMENT, previous: Overlaps = NONE
) -> Found:
    """`compare` on the corpus' columns and the stems' weights (`idf`).

    Two sentences that agree share most of the smaller one's weight, which sits in its
    rarest words; so each statement looks for partners only through its few rarest stems
    (and only stems rare enough to be telling). The work per statement is bounded, so the
    stage grows with the number of distinct sentences, not with its square. Which stems a
    pair shares is taken from `previous` (the last build's) when it measured the pair.
    """
    statements, member_start, members = _statements(corpus)
    count = len(member_start) - 1
    representatives = members[member_start[:-1]]
    stem_start, stems = gather(corpus.stem_start, corpus.stems, representatives)
    owner = np.repeat(np.arange(count, dtype=np.int64), np.diff(stem_start))
    vocabulary = len(corpus.vocabulary)
    postings = np.bincount(stems, minlength=vocabulary)
    pairs = _candidates(owner, stems, postings, corpus.vocabulary, count)
    totals = np.add.reduceat(idf[stems], stem_start[:-1]) if count else np.zeros(0)
    keys = corpus.stem_sets[representatives]
    shared, shared_start, which, overlaps = shared_stems(
        pairs, keys, stem_start, stems, corpus.vocabulary, previous, MIN_SHARED
    )
    row = np.repeat(np.arange(len(pairs)), np.diff(shared_start))
    weight = np.bincount(row, weights=idf[which], minlength=len(pairs))
    smaller = np.minimum(totals[pairs[:, 0]], totals[pairs[:, 1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        agreeing = (shared >= MIN_SHARED) & (smaller > 0) & (weight / smaller >= threshold)
    linked = pairs[agreeing]
    both = np.concatenate([linked, linked[:, ::-1]]) if len(linked) else np.zeros((0, 2), np.int64)
    both = both[np.lexsort((both[:, 1], both[:, 0]))]
    link_start = starts(np.bincount(both[:, 0], minlength=count))
    links = both[:, 1].astype(np.int32)
    crossing = _crossing(corpus, member_start, members, link_start, links)
    statement = np.full(len(statements), -1, np.int32)
    valid = np.flatnonzero(statements >= 0)
    statement[valid] = np.where(crossing[statements[valid]], statements[valid], -1)
    return statement, member_start, members, link_start, links, overlaps


def _statements(corpus: Columns) -> tuple[Ints, Ints, Ints]:
    """Group the sentences with the same stems (at least MIN_SHARED) into statements,
    numbered in the order of their first sentence by (article id, index)."""
    lengths = np.diff(corpus.stem_start)
    eligible = np.flatnonzero(corpus.prose & (lengths >= MIN_SHARED))
    # In reference order: the articles by id, each one's sentences as they come.
    counts = np.bincount(corpus.article_of[eligible], minlength=len(corpus.entries))
    by_id = np.argsort(corpus.id_rank)
    order = eligible[ranges(starts(counts)[by_id], counts[by_id])]
    keys = [corpus.stem_sets[order, 0], corpus.stem_sets[order, 1]]
    by_key = _same_keys_together(keys[0], keys[1], lengths[order])
    sorted_keys = np.stack([lengths[order][by_key], keys[0][by_key], keys[1][by_key]])
    new_group = np.ones(len(order), np.bool_)
    new_group[1:] = np.any(sorted_keys[:, 1:] != sorted_keys[:, :-1], axis=0)
    group = np.cumsum(new_group) - 1
    first = by_key[new_group]  # canonical index of each group's first sentence
    by_first = np.argsort(first)
    number = np.empty(len(first), np.int64)
    number[by_first] = np.arange(len(first))
    statements = np.full(len(corpus.prose), -1, np.int64)
    statements[order[by_key]] = number[group]
    # Each group's sentences sit together in `by_key`, in canonical order: the groups
    # taken in statement order are the sentences sorted by statement.
    group_start = starts(np.bincount(group, minlength=len(first)))
    sizes = np.diff(group_start)[by_first]
    canonical = by_key[ranges(group_start[:-1][by_first], sizes)]
    return statements, starts(sizes), order[canonical].astype(np.int32)


def _same_keys_together(first: Hashes, second: Hashes, lengths: Ints) -> Ints:
    """An order of the sentences with equal (length, stem-set name) together, each
    group in canonical order. The name's first half almost always tells the groups
    apart, and one stable sort by it is a third faster than sorting by all three; when
    it does not (two sets alike in 64 bits), all three are sorted by."""
    order = np.argsort(first, kind="stable")
    a, b, n = first[order], second[order], lengths[order]
    tied = a[1:] == a[:-1]
    if np.any(tied & ((b[1:] != b[:-1]) | (n[1:] != n[:-1]))):
        order = np.lexsort((np.arange(len(first)), second, first, lengths))
    by_key: Ints = order
    return by_key


def _candidates(
    owner: npt.NDArray[Any],
    stems: Ints,
    postings: npt.NDArray[Any],
    tie: npt.NDArray[Any],
    count: int,
) -> npt.NDArray[Any]:
    """Pairs (i, j), i < j, where j holds one of i's probes: i's rarest stems that some
    other statement shares (at most _PROBES, each in at most _PROBE_DF statements)."""
    frequency = postings[stems]
    shared = np.flatnonzero(frequency > 1)
    # By statement, then frequency, then stem: stems are numbered in the order of
    # their hashes (`tie`), so one sort of the three packed in an integer, where they
    # fit, orders them as sorting by the three in turn does, three times faster.
    vocabulary = len(tie)
    if (count + 1) ** 2 * vocabulary < _PACKED:
        packed = (owner[shared] * (count + 1) + frequency[shared]) * vocabulary + stems[shared]
        order = shared[np.argsort(packed)]
    else:
        order = shared[np.lexsort((tie[stems[shared]], frequency[shared], owner[shared]))]
    first = np.searchsorted(owner[order], owner[order], side="left")
    rank = np.arange(len(order)) - first
    probes = order[(rank < _PROBES) & (frequency[order] <= _PROBE_DF)]
    by_stem = np.lexsort((owner, stems))
    posting_start = starts(postings)
    lengths = postings[stems[probes]]
    holders = owner[by_stem][ranges(posting_start[stems[probes]], lengths)]
    asking = np.repeat(owner[probes], lengths)
    keep = holders > asking
    span = max(count, 1)
    # Pairs as one number each; as 32-bit numbers, which sort in half the time, when
    # they fit (a site of up to 46,000 distinct statements).
    small = np.int32 if span * span < _PACKED_PAIRS else np.int64
    pairs = distinct(asking[keep].astype(small) * span + holders[keep].astype(small))
    pairs = pairs.astype(np.int64)
    return np.stack([pairs // span, pairs % span], axis=1)


def _crossing(
    corpus: Columns, member_start: Ints, members: Ints, link_start: Ints, links: Ints
) -> npt.NDArray[Any]:
    """Whether each statement has a sentence, or a linked statement's, in another article."""
    count = len(member_start) - 1
    if not count:
        return np.zeros(0, np.bool_)
    article = corpus.article_of[members]
    low = np.minimum.reduceat(article, member_start[:-1])
    high = np.maximum.reduceat(article, member_start[:-1])
    own = np.repeat(np.arange(count), np.diff(link_start))
    elsewhere = (low[links] != low[own]) | (high[links] != high[own])
    linked_elsewhere = np.bincount(own[elsewhere], minlength=count) > 0
    crossing: npt.NDArray[Any] = (low != high) | linked_elsewhere
    return crossing
