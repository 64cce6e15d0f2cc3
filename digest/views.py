"""View objects, made on demand from the build's records.

Templates get views (see site.py), never the records; this module makes them. It makes
each only when a page that shows it is rendered, because a rebuild renders a handful of
pages and should open only the articles those pages show. A whole article (its text, for
its own page) comes from the article store; lists show *cards*, the same view without
the full text, which the article pass makes once per article and hands to the list
pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from digest.analysis import Analysis
from digest.archive import list_context
from digest.articles import ArticleStore
from digest.compare import Comparison
from digest.config import Config
from digest.corpus import Corpus
from digest.coverage import SourceLink, coverage_view, sentence_href
from digest.models import SentenceRef, Summaries, TopicCoverage
from digest.site import (
    ArticleView,
    BlockView,
    Link,
    Page,
    Quote,
    SentenceView,
    TopicArticleView,
    TopicView,
    article_path,
    date_text,
    edition_path,
    topic_path,
)
from digest.topic_comparison import TopicComparison


@dataclass(frozen=True)
class Records:
    """Everything the site-wide stages made: what views are made from."""

    config: Config
    corpus: Corpus
    comparison: Comparison
    summaries: Summaries
    coverage: tuple[TopicCoverage, ...]
    compared: Mapping[str, TopicComparison]


class Views:
    """Makes and remembers (for one build, in one process) the views of pages."""

    def __init__(
        self,
        records: Records,
        store: ArticleStore,
        known: Mapping[tuple[str, int], tuple[str, str]] | None = None,
    ) -> None:
        self.records = records
        self._store = store
        self._known = known or {}
        self.sentences: dict[tuple[str, int], tuple[str, str]] = {}
        """Text and HTML of the sentences shown away from their article this build, by
        (analysis key, index): kept for the next build, so a topic page made again
        opens only the articles that changed."""
        corpus = records.corpus
        self._topic_links = {t.slug: Link(t.name, topic_path(t.slug)) for t in records.coverage}
        self._topic_number = {t.slug: i for i, t in enumerate(records.config.topics)}
        self.cards: dict[int, ArticleView] = {}
        self.matched: dict[tuple[int, str], tuple[Quote, ...]] = {}
        self._topics: dict[str, TopicView] = {}
        self._links: dict[int, SourceLink] = {}
        self._copies_links: dict[str, Link] = {}
        self._copies = records.comparison.syndication.copies
        self._entries = corpus.entries
        self._last_hits: tuple[int, dict[int, list[int]]] = (-1, {})

    def analysis(self, article: int) -> Analysis:
        return self._store.get(self._entries[article])

    def sentence(self, ref: SentenceRef, remember: bool = True) -> tuple[str, str]:
        """A sentence's text and HTML: from its article's entry (a summary sentence),
        the previous build, or the article itself; `remember`: for the next build."""
        number = self.records.corpus.number[ref.article]
        entry = self._entries[number]
        if ref.index in entry.summary:
            return entry.summary_sentences[entry.summary.index(ref.index)]
        key = (entry.key, ref.index)
        found = self._known.get(key)
        if found is None:
            found = self._store.sentence(entry, ref.index)
        if remember:
            self.sentences[key] = found
        return found

    def text(self, ref: SentenceRef) -> str:
        return self.sentence(ref)[0]

    def quote(self, ref: SentenceRef, reporters: bool = True) -> Quote:
        """A sentence shown away from its article; `reporters`: with every independent
        source that reports it (and remembered for the next build: topic pages show
        them)."""
        entry = self._entries[self.records.corpus.number[ref.article]]
        text, html = self.sentence(ref, remember=reporters)
        href = sentence_href(ref, article_path)
        who = self.reported_by(ref) if reporters else ()
        return Quote(text, html, href, entry.source, entry.title, who)

    def reported_by(self, ref: SentenceRef) -> tuple[SourceLink, ...]:
        """Each independent source that reports the statement of `ref`, linked to its
        own sentence. A widely reported statement is shown on thousands of cards with
        forty links each: a sentence's link is made once and shared."""
        corpus = self.records.corpus
        position = corpus.find(ref)
        if position is None:
            return ()
        links = []
        for found in self.records.comparison.reporters(position).tolist():
            link = self._links.get(found)
            if link is None:
                other = corpus.ref(found)
                source = self.records.comparison.sources[other.article]
                link = self._links[found] = SourceLink(source, sentence_href(other, article_path))
            links.append(link)
        return tuple(links)

    def article(self, article: int) -> ArticleView:
        """The full view of an article, for its own page: its card with the text (the
        card is made once, and its lists' pages use it too)."""
        analysis = self.analysis(article)
        entry = self._entries[article]
        in_summary = {r.index for r in self.records.summaries.articles[entry.id]}
        links = self._topic_links
        sentences = []
        for s, hits in zip(analysis.article.sentences, analysis.topics.hits, strict=True):
            # Most sentences fit no topic: no tuples to make for them.
            topics = tuple(links[h.topic] for h in hits) if hits else ()
            keywords = tuple(term for h in hits for term in h.terms) if hits else ()
            sentences.append(
                SentenceView(f"s{s.index}", s.html, topics, keywords, s.index in in_summary)
            )
        blocks = tuple(
            BlockView(b.kind, b.level, tuple(sentences[b.start : b.stop]))
            for b in analysis.article.blocks
        )
        return replace(self.card(article), blocks=blocks)

    def _view(self, article: int, blocks: tuple[BlockView, ...]) -> ArticleView:
        entry = self._entries[article]
        summary = self.records.summaries.articles[entry.id]
        return ArticleView(
            id=entry.id,
            title=entry.title,
            source=entry.source,
            date=entry.date,
            date_text=date_text(entry.date),
            url=entry.url,
            author=entry.author,
            path=article_path(entry.id),
            summary=tuple(self.quote(r) for r in summary),
            topics=tuple(self._topic_links[slug] for slug in entry.topics),
            blocks=blocks,
            sentence_count=entry.sentence_count,
            also_published=tuple(self._copy_link(c) for c in self._copies.get(entry.id, ())),
        )

    def _copy_link(self, article_id: str) -> Link:
        """A link to a copy (made once: wire copy lists the same fifty outlets on each
        of its fifty articles)."""
        link = self._copies_links.get(article_id)
        if link is None:
            source = self._entries[self.records.corpus.number[article_id]].source
            link = self._copies_links[article_id] = Link(source, article_path(article_id))
        return link

    def card(self, article: int) -> ArticleView:
        """The article as lists show it: everything but the full text, made from its
        entry without opening it."""
        card = self.cards.get(article)
        if card is None:
            card = self.cards[article] = self._view(article, ())
        return card

    def matched_in(self, article: int, slug: str) -> tuple[Quote, ...]:
        """The article's sentences that put it in the topic (without their reporters)."""
        key = (article, slug)
        found = self.matched.get(key)
        if found is None:
            found = self.matched[key] = tuple(
                self.quote(r, reporters=False) for r in self.topic_sentences(article, slug)
            )
        return found

    def topic_sentences(self, article: int, slug: str) -> tuple[SentenceRef, ...]:
        """As `cover` assigns them: sentences that hit the topic, else (an article put in
        the topic by its front matter) all its prose."""
        entry = self._entries[article]
        if slug not in entry.topics:
            return ()
        hit = self._hits(article).get(self._topic_number[slug])
        if not hit:
            start = int(self.records.corpus.sentence_start[article])
            prose = self.records.corpus.prose[start : start + entry.sentence_count]
            hit = np.flatnonzero(prose).tolist()
        return tuple(SentenceRef(entry.id, i) for i in hit)

    def _hits(self, article: int) -> dict[int, list[int]]:
        """Topic number -> the article's sentences that hit it, in order. The last
        article's are kept: the article pass asks for each of its topics in turn."""
        if self._last_hits[0] == article:
            return self._last_hits[1]
        corpus = self.records.corpus
        start = int(corpus.sentence_start[article])
        count = self._entries[article].sentence_count
        # One array operation over the article's topic hits, not one per sentence.
        bounds = corpus.topic_start[start : start + count + 1]
        ids = corpus.topic_ids[bounds[0] : bounds[-1]]
        owner = np.repeat(np.arange(count), np.diff(bounds))
        found: dict[int, list[int]] = {}
        for topic, sentence in zip(ids.tolist(), owner.tolist(), strict=True):
            hit = found.setdefault(topic, [])
            if not hit or hit[-1] != sentence:  # a sentence's owner comes in order
                hit.append(sentence)
        self._last_hits = (article, found)
        return found

    def topic(self, slug: str) -> TopicView:
        found = self._topics.get(slug)
        if found is None:
            found = self._topics[slug] = self._topic(slug)
        return found

    def topics(self) -> tuple[TopicView, ...]:
        return tuple(self.topic(t.slug) for t in self.records.coverage)

    def _topic(self, slug: str) -> TopicView:
        records = self.records
        t = next(c for c in records.coverage if c.slug == slug)
        corpus = records.corpus
        entries = {e.id: e for e in corpus.entries}
        return TopicView(
            slug=t.slug,
            name=t.name,
            description=t.description,
            keywords=t.keywords,
            path=topic_path(t.slug),
            summary=tuple(self.quote(r) for r in records.summaries.topics[t.slug]),
            article_count=len(t.articles),
            sources=tuple(sorted({entries[a].source for a in t.articles})),
            coverage=coverage_view(
                records.compared[t.slug], entries, self.text, article_path, date_text, edition_path
            ),
        )


def context(views: Views, page: Page) -> dict[str, object]:
    """The view objects `page`'s template gets, made from its recipe."""
    kind, *rest = page.recipe
    if kind == "article":
        return {"article": views.article(rest[0])}
    if kind == "topic":
        slug, chunk, pager = rest
        items = tuple(TopicArticleView(views.card(n), views.matched_in(n, slug)) for n in chunk)
        return {"topic": views.topic(slug), "articles": items, "pager": pager}
    if kind == "index":
        count = len(views.records.corpus.entries)
        latest = tuple(views.card(n) for n in rest[0])
        return {"topics": views.topics(), "latest": latest, "article_count": count}
    if kind == "404":
        return {"topics": views.topics()}
    if kind == "list":
        extra, chunk, pager, total = rest
        return list_context(extra, [views.card(n) for n in chunk], pager, total)
    if kind == "sources":
        return {"sources": rest[0]}
    return {}
