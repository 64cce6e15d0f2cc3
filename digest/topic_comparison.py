"""Per topic: the quotes its sources share, what only one source reports, its days.

The compare stage (`compare.py`) measures how the site's articles relate; this turns
those measurements, for one topic's articles, into what a reader scans first: key
quotes ranked by how many independent sources carry them, the sentences only one source
reports, and the topic's articles in date order. The parts that need no agreement
(`topic_basics`) are made while agreement is computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from digest.compare import Comparison, Related
from digest.corpus import Corpus
from digest.facts import Flags
from digest.models import SentenceRef, TopicCoverage
from digest.quotes import QuoteGroup
from digest.rows import distinct, member

ONLY_IN_PER_SOURCE = 5
"""Sentences listed under "Only in <source>" per source, in article order."""
MIN_WORDS = 6
"""Shorter sentences ("Price said.") are not reported as a source's own contribution."""

_ID = attrgetter("id")


@dataclass(frozen=True, slots=True)
class KeyQuote:
    group: QuoteGroup
    articles: tuple[str, ...]
    """One article per independent source that carries the quote, first the shown one."""


@dataclass(frozen=True, slots=True)
class OnlyIn:
    source: str
    sentences: tuple[SentenceRef, ...]


@dataclass(frozen=True, slots=True)
class Day:
    date: dt.date | None
    """None for the undated articles, which are never given a date."""
    articles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TopicComparison:
    key_quotes: tuple[KeyQuote, ...]
    only_in: tuple[OnlyIn, ...]
    timeline: tuple[Day, ...]
    independent_sources: int


@dataclass(frozen=True, slots=True)
class TopicBasics:
    """The parts of a topic's comparison that need no agreement."""

    key_quotes: tuple[KeyQuote, ...]
    timeline: tuple[Day, ...]
    independent_sources: int


def topic_basics(topic: TopicCoverage, corpus: Corpus, related: Related) -> TopicBasics:
    inside = np.zeros(len(corpus.prose), np.bool_)
    inside[topic.positions] = True
    return TopicBasics(
        key_quotes=_key_quotes(inside, related),
        timeline=_timeline(topic, corpus),
        independent_sources=related.syndication.independent(topic.articles, related.sources),
    )


def compare_topic(
    topic: TopicCoverage,
    corpus: Corpus,
    comparison: Comparison,
    basics: TopicBasics | None = None,
) -> TopicComparison:
    """`basics`: the topic's `topic_basics`, when made already (while agreement was)."""
    if basics is None:
        related = Related(
            comparison.syndication,
            comparison.sources,
            comparison.quote_groups,
            comparison.quote_positions,
        )
        basics = topic_basics(topic, corpus, related)
    key_quotes = basics.key_quotes
    shared_quotes = [q.ref for k in key_quotes if len(k.articles) > 1 for q in k.group.quotations]
    return TopicComparison(
        key_quotes=key_quotes,
        only_in=_only_in(topic, corpus, comparison, shared_quotes, basics.independent_sources),
        timeline=basics.timeline,
        independent_sources=basics.independent_sources,
    )


def _key_quotes(inside: Flags, related: Related) -> tuple[KeyQuote, ...]:
    """Every quotation group with a quotation in the topic (marked by `inside`, per
    sentence position), carried by the most independent sources first."""
    where, owner = related.quote_positions
    groups = related.quote_groups
    ranked = []
    touched = distinct(owner[inside[where]]) if len(where) else owner[:0]
    first = np.searchsorted(owner, touched)
    for g, begin in zip(touched.tolist(), first.tolist(), strict=True):
        quote_group = groups[g]
        flags = inside[where[begin : begin + len(quote_group.quotations)]]
        inside_group = [q for q, flag in zip(quote_group.quotations, flags, strict=True) if flag]
        carriers: dict[str, str] = {}
        for q in inside_group:
            article = q.ref.article
            key = related.sources[related.syndication.original.get(article, article)]
            carriers.setdefault(key, article)
        shown = quote_group if flags[0] else QuoteGroup(tuple(inside_group), quote_group.speaker)
        ranked.append(KeyQuote(shown, tuple(carriers.values())))
    ranked.sort(key=lambda k: (-len(k.articles), -k.group.quotations[0].length))
    return tuple(ranked)


def _only_in(
    topic: TopicCoverage,
    corpus: Corpus,
    comparison: Comparison,
    shared_quotes: Sequence[SentenceRef],
    independent: int,
) -> tuple[OnlyIn, ...]:
    """Sentences no other independent source reports, neither in other words nor by
    quoting the same words: the first ONLY_IN_PER_SOURCE of each source. `independent`:
    how many independent sources the topic has."""
    if independent < 2:
        return ()  # With one source, everything is "only in" it: nothing to compare.
    positions = corpus.in_order(topic.positions)
    keep = corpus.prose[positions] & (corpus.words[positions] >= MIN_WORDS)
    keep &= comparison.counts[positions] == 1
    shared = corpus.positions(shared_quotes)
    keep &= ~member(positions, shared[shared >= 0])
    chosen = positions[keep]
    # Tens of thousands of candidates in a large topic, a few per source shown: each
    # source is numbered in name order, and its first few kept by array passes.
    articles = distinct(corpus.article_of[chosen])
    article_row = np.searchsorted(articles, corpus.article_of[chosen])
    names = [corpus.entries[a].source for a in articles.tolist()]
    ordered = sorted(set(names))
    number = {name: n for n, name in enumerate(ordered)}
    source = np.asarray([number[name] for name in names], np.int64)[article_row]
    by_source_order = np.argsort(source, kind="stable")
    grouped = source[by_source_order]
    rank = np.arange(len(grouped)) - np.searchsorted(grouped, grouped)
    shown = np.sort(by_source_order[rank < ONLY_IN_PER_SOURCE])
    by_source: dict[int, list[SentenceRef]] = {}
    for position, n in zip(chosen[shown].tolist(), source[shown].tolist(), strict=True):
        by_source.setdefault(n, []).append(corpus.ref(position))
    return tuple(OnlyIn(ordered[n], tuple(refs)) for n, refs in sorted(by_source.items()))


def _timeline(topic: TopicCoverage, corpus: Corpus) -> tuple[Day, ...]:
    """The topic's articles by day (the undated last), each day's by id: one sort of
    the articles by day and id rank together (a large topic has tens of thousands)."""
    count = len(topic.articles)
    if not count:
        return ()
    rows = np.fromiter(map(corpus.number.__getitem__, topic.articles), np.int64, count)
    days = corpus.ordinals[rows]
    order = np.argsort(days * len(corpus.entries) + corpus.id_rank[rows])
    rows, days = rows[order], days[order]
    ends = [*np.flatnonzero(days[1:] != days[:-1]).tolist(), count - 1]
    ids = list(map(_ID, map(corpus.entries.__getitem__, rows.tolist())))
    timeline = []
    start = 0
    for end in ends:
        timeline.append(Day(corpus.entries[int(rows[start])].date, tuple(ids[start : end + 1])))
        start = end + 1
    return tuple(timeline)
