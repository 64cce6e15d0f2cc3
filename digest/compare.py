"""Across sources: what everyone reports, what one outlet adds, who said what.

The compare stage joins three measurements of the articles (sentence agreement, quoted
speech, syndicated copies) and, per topic, turns them into what a reader scans first:
key quotes ranked by how many independent sources carry them, the sentences only one
source reports, and the topic's articles in date order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from digest.agreement import Agreement, SentenceTerms, compare, sentence_terms
from digest.models import Article, SentenceRef, TopicCoverage
from digest.quotes import Quotation, QuoteGroup, extract, group
from digest.sentences import words
from digest.syndication import Syndication, detect
from digest.terms import Terms

if TYPE_CHECKING:
    from digest.analysis import Analysis

ONLY_IN_PER_SOURCE = 5
"""Sentences listed under "Only in <source>" per source, in article order."""
MIN_WORDS = 6
"""Shorter sentences ("Price said.") are not reported as a source's own contribution."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything the build knows about how the articles relate to each other."""

    terms: SentenceTerms
    agreement: Agreement
    quotations: Mapping[str, tuple[Quotation, ...]]
    syndication: Syndication
    sources: Mapping[str, str]
    """Article id -> source name."""
    quote_groups: tuple[QuoteGroup, ...]
    """The same quotation across articles, site-wide."""
    quoted_with: Mapping[SentenceRef, tuple[SentenceRef, ...]]
    """Sentence -> sentences of other articles that carry a quotation it carries."""

    reporters: Mapping[SentenceRef, tuple[SentenceRef, ...]]
    """`reporting` of every sentence that another independent source reports too."""

    def reporting(self, ref: SentenceRef) -> tuple[SentenceRef, ...]:
        """The sentences that report the statement of `ref`: itself, then one sentence
        per other independent source (copies and second articles of an outlet add
        nothing), in article order."""
        return self.reporters.get(ref) or (ref,)

    def same_as(self, ref: SentenceRef) -> frozenset[SentenceRef]:
        """Every sentence of another article that says the same as `ref`."""
        return frozenset(self.agreement.of(ref)) | frozenset(self.quoted_with.get(ref, ()))

    def reported_by(self, ref: SentenceRef) -> tuple[str, ...]:
        """Article ids of `reporting`."""
        return tuple(r.article for r in self.reporting(ref))


def compare_articles(
    articles: Sequence[Article],
    terms: Terms,
    analyses: Mapping[str, Analysis] | None = None,
) -> Comparison:
    """Relate the articles; `analyses` (by article id) supplies per-article work done
    in the analysis stage, else it is done here."""
    if analyses is None:
        index = sentence_terms(articles, terms)
        quotations = {a.id: extract(a) for a in articles}
        syndication = detect(articles)
    else:
        index = SentenceTerms.of(
            {SentenceRef(a.id, i): s for a in articles for i, s in analyses[a.id].stems.items()}
        )
        quotations = {a.id: analyses[a.id].quotations for a in articles}
        syndication = detect(articles, known={a.id: analyses[a.id].shingles for a in articles})
    groups = group([q for a in articles for q in quotations[a.id]])
    quoted_with: dict[SentenceRef, set[SentenceRef]] = {}
    for quote_group in groups:
        carriers = {q.ref for q in quote_group.quotations}
        for q in quote_group.quotations:
            others = {r for r in carriers if r.article != q.ref.article}
            if others:
                quoted_with.setdefault(q.ref, set()).update(others)
    agreement = compare(index)
    sources = {a.id: a.source for a in articles}
    reporters: dict[SentenceRef, tuple[SentenceRef, ...]] = {}
    for ref in sorted({*agreement.statement, *quoted_with}):
        partners = sorted({*agreement.of(ref), *quoted_with.get(ref, ())})
        seen: dict[str, SentenceRef] = {}
        for other in (ref, *partners):
            article = syndication.original.get(other.article, other.article)
            seen.setdefault(sources[article], other)
        if len(seen) > 1:
            reporters[ref] = tuple(seen.values())
    return Comparison(
        terms=index,
        agreement=agreement,
        quotations=quotations,
        syndication=syndication,
        sources=sources,
        quote_groups=groups,
        quoted_with={r: tuple(sorted(a)) for r, a in sorted(quoted_with.items())},
        reporters=reporters,
    )


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


def compare_topic(
    topic: TopicCoverage, articles: Mapping[str, Article], comparison: Comparison
) -> TopicComparison:
    in_topic = set(topic.sentences)
    members = set(topic.articles)
    key_quotes = _key_quotes(in_topic, members, comparison)
    shared_quotes = {q.ref for k in key_quotes if len(k.articles) > 1 for q in k.group.quotations}
    return TopicComparison(
        key_quotes=key_quotes,
        only_in=_only_in(topic, articles, comparison, shared_quotes),
        timeline=_timeline(topic, articles),
        independent_sources=comparison.syndication.independent(topic.articles, comparison.sources),
    )


def _key_quotes(
    in_topic: set[SentenceRef], members: set[str], comparison: Comparison
) -> tuple[KeyQuote, ...]:
    ranked = []
    for quote_group in comparison.quote_groups:
        inside = [q for q in quote_group.quotations if q.ref in in_topic]
        if not inside:
            continue
        carriers: dict[str, str] = {}
        for q in inside:
            article = q.ref.article
            key = comparison.sources[comparison.syndication.original.get(article, article)]
            carriers.setdefault(key, article)
        shown = quote_group if inside[0] is quote_group.quotations[0] else None
        ranked.append(
            KeyQuote(
                shown or QuoteGroup(tuple(inside), quote_group.speaker), tuple(carriers.values())
            )
        )
    ranked.sort(key=lambda k: (-len(k.articles), -len(k.group.quotations[0].words)))
    return tuple(ranked)


def _only_in(
    topic: TopicCoverage,
    articles: Mapping[str, Article],
    comparison: Comparison,
    shared_quotes: set[SentenceRef],
) -> tuple[OnlyIn, ...]:
    """Sentences no other independent source reports, neither in other words nor by
    quoting the same words."""
    by_source: dict[str, list[SentenceRef]] = {}
    for ref in sorted(topic.sentences):
        article = articles[ref.article]
        sentence = article.sentences[ref.index]
        if not article.is_prose(sentence) or len(words(sentence.text)) < MIN_WORDS:
            continue
        if ref not in shared_quotes and len(comparison.reported_by(ref)) == 1:
            source = comparison.sources[ref.article]
            by_source.setdefault(source, []).append(ref)
    independent = {
        comparison.sources[comparison.syndication.original.get(a, a)] for a in topic.articles
    }
    if len(independent) < 2:
        return ()  # With one source, everything is "only in" it: nothing to compare.
    return tuple(
        OnlyIn(source, tuple(refs[:ONLY_IN_PER_SOURCE]))
        for source, refs in sorted(by_source.items())
    )


def _timeline(topic: TopicCoverage, articles: Mapping[str, Article]) -> tuple[Day, ...]:
    days: dict[dt.date | None, list[str]] = {}
    for article_id in topic.articles:
        days.setdefault(articles[article_id].date, []).append(article_id)
    dated = sorted(d for d in days if d is not None)
    timeline = [Day(d, tuple(sorted(days[d]))) for d in dated]
    if None in days:
        timeline.append(Day(None, tuple(sorted(days[None]))))
    return tuple(timeline)
