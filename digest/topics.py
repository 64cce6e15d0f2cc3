"""Sentence -> topic assignment: explainable keyword and phrase matching on stems.

Assignment is per sentence, so an article about three stories feeds three topics, and
each hit records the keywords that caused it: a reader (and a test) can see why any
sentence is where it is. Keywords are matched on word stems, case-insensitively, except
short all-capital keywords ("US", "UK", "EU"), which must match case and all, because
"US" and "us" are different words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from digest.config import TopicConfig
from digest.corpus import Corpus
from digest.models import TopicCoverage, TopicHit
from digest.sentences import words
from digest.terms import Terms


@dataclass(frozen=True)
class _Keyword:
    topic: str
    text: str
    stems: tuple[str, ...]
    exact: bool
    """Match the words' exact spelling (short acronyms) instead of stems."""


class TopicMatcher:
    """Finds the configured topics' keywords in sentences."""

    def __init__(self, topics: Sequence[TopicConfig], terms: Terms) -> None:
        self._terms = terms
        self._by_first: dict[str, list[_Keyword]] = {}
        for topic in topics:
            for keyword in topic.keywords:
                exact = _is_acronym(keyword)
                stems = tuple(words(keyword)) if exact else tuple(terms.stems(keyword))
                if stems:
                    entry = _Keyword(topic.slug, keyword, stems, exact)
                    self._by_first.setdefault(stems[0], []).append(entry)
        self._firsts = frozenset(self._by_first)

    def hits(self, text: str) -> tuple[TopicHit, ...]:
        """The topics whose keywords occur in `text`, each with the keywords found."""
        tokens = words(text)
        return self.hits_in(tokens, [self._terms.stem(t) for t in tokens])

    def hits_in(self, tokens: Sequence[str], stems: Sequence[str]) -> tuple[TopicHit, ...]:
        """`hits` for a sentence already split into words and stemmed."""
        firsts = self._firsts
        if firsts.isdisjoint(stems) and firsts.isdisjoint(tokens):
            return ()  # most sentences: two set operations instead of a loop over words
        found: dict[str, list[str]] = {}
        for i in [i for i, s in enumerate(stems) if s in firsts or tokens[i] in firsts]:
            for key in (stems[i], tokens[i]):
                for kw in self._by_first.get(key, ()):
                    seq = tokens if kw.exact else stems
                    if tuple(seq[i : i + len(kw.stems)]) == kw.stems:
                        terms = found.setdefault(kw.topic, [])
                        if kw.text not in terms:
                            terms.append(kw.text)
        return tuple(TopicHit(topic, tuple(terms)) for topic, terms in found.items())


def _is_acronym(keyword: str) -> bool:
    return 2 <= len(keyword) <= 3 and keyword.isalpha() and keyword.isupper()


def cover(topics: Sequence[TopicConfig], corpus: Corpus) -> tuple[TopicCoverage, ...]:
    """Gather, per topic, its member articles (newest first) and assigned sentences.

    An article put in a topic by its front matter, with no sentence that matches, still
    speaks for the topic: all its prose sentences are the topic's.
    """
    entries = corpus.entries
    ordered = corpus.newest
    rank = np.empty(len(entries), np.int64)
    rank[np.asarray(ordered, np.int64)] = np.arange(len(entries))
    members: dict[str, list[int]] = {t.slug: [] for t in topics}
    for n in ordered:
        for slug in entries[n].topics:
            members[slug].append(n)
    counts = np.diff(corpus.topic_start)
    sentence_of = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    article_of = corpus.article_of
    ids = [e.id for e in entries]
    coverage = []
    for number, topic in enumerate(topics):
        hit = sentence_of[corpus.topic_ids == number]
        found = np.zeros(len(entries), np.bool_)
        found[article_of[hit]] = True
        # Put there by the front matter alone: all its prose speaks for the topic.
        forced = [n for n in members[topic.slug] if not found[n]]
        if forced:
            whole = np.concatenate(
                [np.arange(corpus.sentence_start[n], corpus.sentence_start[n + 1]) for n in forced]
            )
            hit = np.concatenate([hit, whole[corpus.prose[whole]]])
        # Newest article first, then by position: one sort of the two packed together.
        span = max(1, len(corpus.prose))
        hit = np.sort(rank[article_of[hit]] * span + hit) % span
        coverage.append(
            TopicCoverage(
                topic.slug,
                topic.name,
                topic.description,
                topic.keywords,
                tuple(map(ids.__getitem__, members[topic.slug])),
                hit,
            )
        )
    return tuple(coverage)
