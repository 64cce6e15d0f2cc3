"""Sentence -> topic assignment: explainable keyword and phrase matching on stems.

Assignment is per sentence, so an article about three stories feeds three topics, and
each hit records the keywords that caused it: a reader (and a test) can see why any
sentence is where it is. Keywords are matched on word stems, case-insensitively, except
short all-capital keywords ("US", "UK", "EU"), which must match case and all, because
"US" and "us" are different words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from digest.config import TopicConfig
from digest.models import Article, ArticleTopics, SentenceRef, TopicCoverage, TopicHit
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

    def hits(self, text: str) -> tuple[TopicHit, ...]:
        """The topics whose keywords occur in `text`, each with the keywords found."""
        tokens = words(text)
        return self.hits_in(tokens, [self._terms.stem(t) for t in tokens])

    def hits_in(self, tokens: Sequence[str], stems: Sequence[str]) -> tuple[TopicHit, ...]:
        """`hits` for a sentence already split into words and stemmed."""
        found: dict[str, list[str]] = {}
        for i in range(len(tokens)):
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


def assign(article: Article, matcher: TopicMatcher, order: Sequence[str]) -> ArticleTopics:
    """Which topics each sentence of `article` belongs to, and so the article."""
    hits = tuple(matcher.hits(s.text) for s in article.sentences)
    member = {h.topic for sentence_hits in hits for h in sentence_hits} | set(article.forced_topics)
    return ArticleTopics(article.id, hits, tuple(slug for slug in order if slug in member))


def cover(
    topics: Sequence[TopicConfig],
    articles: Sequence[Article],
    assignments: dict[str, ArticleTopics],
) -> tuple[TopicCoverage, ...]:
    """Gather, per topic, its member articles (newest first) and assigned sentences.

    An article put in a topic by its front matter, with no sentence that matches, still
    speaks for the topic: all its prose sentences are the topic's.
    """
    ordered = sorted(articles, key=_newest_first)
    coverage = []
    for topic in topics:
        members: list[str] = []
        refs: list[SentenceRef] = []
        for article in ordered:
            assignment = assignments[article.id]
            if topic.slug not in assignment.topics:
                continue
            members.append(article.id)
            matched = [
                SentenceRef(article.id, s.index)
                for s, hits in zip(article.sentences, assignment.hits, strict=True)
                if any(h.topic == topic.slug for h in hits)
            ]
            refs.extend(
                matched
                or [
                    SentenceRef(article.id, s.index)
                    for s in article.sentences
                    if article.is_prose(s)
                ]
            )
        coverage.append(
            TopicCoverage(
                topic.slug,
                topic.name,
                topic.description,
                topic.keywords,
                tuple(members),
                tuple(refs),
            )
        )
    return tuple(coverage)


def _newest_first(article: Article) -> tuple[int, int, str]:
    """Dated articles newest first, then undated ones, each group by id for stability."""
    if article.date is None:
        return (1, 0, article.id)
    return (0, -dt.date.toordinal(article.date), article.id)
