"""Views of how sources cover a topic: who reports a sentence, key quotes, "only in",
timeline. Built from the compare stage's records for the topic and article pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from digest.corpus import Entry
from digest.models import SentenceRef
from digest.topic_comparison import TopicComparison


@dataclass(frozen=True)
class SourceLink:
    """One source's copy of a statement: its name and the sentence on its article page."""

    source: str
    href: str


@dataclass(frozen=True)
class KeyQuoteView:
    text: str
    speaker: str | None
    sources: tuple[SourceLink, ...]
    """One link per independent source that carries the quote."""


@dataclass(frozen=True)
class OnlyInView:
    source: str
    sentences: tuple[SourceLink, ...]
    texts: tuple[str, ...]


KEY_QUOTES = 8
"""Key quotes a topic page shows, most carried first."""
TIMELINE_PER_DAY = 5
"""Articles named per day in a topic's timeline; a busy day links to its edition for
the rest, so a story followed for months keeps a timeline one can read."""


@dataclass(frozen=True)
class DayView:
    date: dt.date | None
    date_text: str
    articles: tuple[tuple[str, str, str], ...]
    """(title, source, path) of the day's first TIMELINE_PER_DAY articles."""
    more: int = 0
    """How many more of the topic's articles that day has."""
    edition: str | None = None
    """Path of the day's edition page (None when undated), where the rest are."""


@dataclass(frozen=True)
class CoverageView:
    independent_sources: int
    key_quotes: tuple[KeyQuoteView, ...]
    only_in: tuple[OnlyInView, ...]
    timeline: tuple[DayView, ...]


def sentence_href(ref: SentenceRef, article_path: Callable[[str], str]) -> str:
    return f"{article_path(ref.article)}#{ref.anchor}"


def coverage_view(
    topic: TopicComparison,
    articles: Mapping[str, Entry],
    text_of: Callable[[SentenceRef], str],
    article_path: Callable[[str], str],
    date_text: Callable[[dt.date | None], str],
    edition_path: Callable[[dt.date], str],
    max_quotes: int = KEY_QUOTES,
) -> CoverageView:
    def link(ref: SentenceRef) -> SourceLink:
        return SourceLink(articles[ref.article].source, sentence_href(ref, article_path))

    quotes = []
    for key in topic.key_quotes[:max_quotes]:
        by_article = {q.ref.article: q for q in key.group.quotations}
        quotes.append(
            KeyQuoteView(
                text=key.group.quotations[0].text,
                speaker=key.group.speaker,
                sources=tuple(link(by_article[a].ref) for a in key.articles),
            )
        )
    only_in = tuple(
        OnlyInView(
            o.source,
            tuple(link(r) for r in o.sentences),
            tuple(text_of(r) for r in o.sentences),
        )
        for o in topic.only_in
    )
    timeline = tuple(
        DayView(
            day.date,
            date_text(day.date),
            tuple(
                (articles[a].title, articles[a].source, article_path(a))
                for a in day.articles[:TIMELINE_PER_DAY]
            ),
            max(0, len(day.articles) - TIMELINE_PER_DAY),
            None if day.date is None else edition_path(day.date),
        )
        for day in topic.timeline
    )
    return CoverageView(topic.independent_sources, tuple(quotes), only_in, timeline)
