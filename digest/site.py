"""The SiteModel: every page of the site, its URL and the view object it renders.

Templates never see internal records; they get the views below, which already hold
display-ready values and site-root-relative paths (the `url()` template function makes
those relative to the page being rendered, so the site works from any subpath and from
disk). Pages are plain `.html` files, not `dir/index.html`, for the same reason: a
browser opening files from disk does not look for index.html inside a folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from digest import __version__
from digest.compare import Comparison, TopicComparison
from digest.config import Config
from digest.coverage import CoverageView, SourceLink, coverage_view, reported_by
from digest.models import Article, ArticleTopics, SentenceRef, Summaries, TopicCoverage

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Link:
    title: str
    path: str


@dataclass(frozen=True)
class Quote:
    """A sentence shown away from its article (in a summary), linked back to it."""

    text: str
    html: str
    href: str
    """Site-relative link to the sentence on its article page."""
    source: str
    article_title: str
    reported_by: tuple[SourceLink, ...] = ()
    """Every independent source that reports this statement, itself first."""


@dataclass(frozen=True)
class SentenceView:
    anchor: str
    html: str
    topics: tuple[Link, ...]
    """Topics this sentence was assigned to (empty when it fits none)."""
    keywords: tuple[str, ...]
    """The keywords that put it there, to explain the assignment."""
    in_summary: bool


@dataclass(frozen=True)
class BlockView:
    kind: str
    level: int
    sentences: tuple[SentenceView, ...]


@dataclass(frozen=True)
class ArticleView:
    id: str
    title: str
    source: str
    date: dt.date | None
    date_text: str
    """"27 January 2022", or "" when undated; fixed English month names, no locale."""
    url: str | None
    author: str | None
    path: str
    summary: tuple[Quote, ...]
    topics: tuple[Link, ...]
    blocks: tuple[BlockView, ...] = field(repr=False)
    sentence_count: int
    also_published: tuple[Link, ...] = ()
    """Syndicated copies of this text: the same article from other outlets."""


@dataclass(frozen=True)
class TopicArticleView:
    article: ArticleView
    matched: tuple[Quote, ...]
    """The sentences of this article that were assigned to the topic."""


@dataclass(frozen=True)
class TopicView:
    slug: str
    name: str
    description: str
    keywords: tuple[str, ...]
    path: str
    summary: tuple[Quote, ...]
    article_count: int
    """Articles in the topic; its pages list them `paginate` at a time."""
    sources: tuple[str, ...]
    coverage: CoverageView


@dataclass(frozen=True)
class SiteView:
    title: str
    description: str
    language: str
    base_url: str
    generator: str
    topics: tuple[Link, ...]
    """Every topic, for site-wide navigation."""
    search: bool = False
    """Whether the site has a search page."""


@dataclass(frozen=True)
class Pager:
    """Where one page of a long list sits among its siblings."""

    number: int
    count: int
    previous: str | None
    next: str | None
    pages: tuple[Link, ...]
    """Every page of the list, titled by its number, for numbered navigation."""


@dataclass(frozen=True)
class Page:
    """One output HTML file: where it goes, which template, and what it is given."""

    path: str
    template: str
    title: str
    context: Mapping[str, object]


def article_path(article_id: str) -> str:
    return f"articles/{article_id}.html"


def topic_path(slug: str) -> str:
    return f"topics/{slug}.html"


def edition_path(day: dt.date) -> str:
    return f"editions/{day.isoformat()}.html"


def page_path(first: str, number: int) -> str:
    """Page 1 of a list keeps the plain path, so a link to a list never changes when it
    grows; later pages go in a folder named after it (`archive/page-2.html`)."""
    return first if number == 1 else f"{first.removesuffix('.html')}/page-{number}.html"


Item = TypeVar("Item")


def paginate(
    first: str, items: Sequence[Item], size: int
) -> Iterator[tuple[str, Pager, tuple[Item, ...]]]:
    """`items` cut into pages of `size`: each page's path, pager and slice (one empty
    page for an empty list)."""
    count = max(1, -(-len(items) // size))
    links = tuple(Link(str(n), page_path(first, n)) for n in range(1, count + 1))
    for n in range(1, count + 1):
        pager = Pager(
            number=n,
            count=count,
            previous=page_path(first, n - 1) if n > 1 else None,
            next=page_path(first, n + 1) if n < count else None,
            pages=links,
        )
        yield page_path(first, n), pager, tuple(items[(n - 1) * size : n * size])


def date_text(date: dt.date | None) -> str:
    return "" if date is None else f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def plan(
    config: Config,
    articles: Sequence[Article],
    assignments: Mapping[str, ArticleTopics],
    coverage: Sequence[TopicCoverage],
    summaries: Summaries,
    comparison: Comparison,
    compared: Mapping[str, TopicComparison],
) -> tuple[Page, ...]:
    """Every page of the site, in a stable order."""
    by_id = {a.id: a for a in articles}
    sources = {a.id: a.source for a in articles}
    topic_links = {t.slug: Link(t.name, topic_path(t.slug)) for t in coverage}

    def quote(ref: SentenceRef) -> Quote:
        article = by_id[ref.article]
        sentence = article.sentences[ref.index]
        href = f"{article_path(article.id)}#{ref.anchor}"
        who = reported_by(ref, comparison, sources, article_path)
        return Quote(sentence.text, sentence.html, href, article.source, article.title, who)

    views = {
        a.id: _article_view(a, assignments[a.id], summaries.articles[a.id], topic_links, quote)
        for a in articles
    }
    for article_id, copies in comparison.syndication.copies.items():
        also = tuple(Link(by_id[c].source, article_path(c)) for c in copies)
        views[article_id] = replace(views[article_id], also_published=also)
    topics = tuple(
        TopicView(
            slug=t.slug,
            name=t.name,
            description=t.description,
            keywords=t.keywords,
            path=topic_path(t.slug),
            summary=tuple(quote(r) for r in summaries.topics[t.slug]),
            article_count=len(t.articles),
            sources=tuple(sorted({by_id[aid].source for aid in t.articles})),
            coverage=coverage_view(compared[t.slug], by_id, article_path, date_text, edition_path),
        )
        for t in coverage
    )
    topic_pages = [
        page
        for topic, t in zip(topics, coverage, strict=True)
        for page in _topic_pages(topic, t, views, quote, config.paginate)
    ]
    newest = sorted(
        views.values(), key=lambda v: (v.date is None, -(v.date or dt.date.min).toordinal(), v.id)
    )
    pages = [
        Page(
            "index.html",
            "index.html",
            config.title,
            {
                "topics": topics,
                "latest": tuple(newest[: config.latest_articles]),
                "article_count": len(views),
            },
        ),
        *topic_pages,
        *(Page(v.path, "article.html", v.title, {"article": v}) for v in newest),
        Page("404.html", "404.html", "Page not found", {"topics": topics}),
    ]
    return tuple(pages)


def _topic_pages(
    topic: TopicView,
    coverage: TopicCoverage,
    views: Mapping[str, ArticleView],
    quote: Callable[[SentenceRef], Quote],
    size: int,
) -> Iterator[Page]:
    """The topic's page, then numbered pages for the rest of its articles; each lists
    its articles with the sentences that put them in the topic."""
    matched: dict[str, list[SentenceRef]] = {}
    for ref in coverage.sentences:
        matched.setdefault(ref.article, []).append(ref)
    for path, pager, chunk in paginate(topic.path, coverage.articles, size):
        items = tuple(
            TopicArticleView(views[aid], tuple(quote(r) for r in matched.get(aid, ())))
            for aid in chunk
        )
        title = topic.name
        if pager.number > 1:
            title = f"{title} (page {pager.number} of {pager.count})"
        yield Page(path, "topic.html", title, {"topic": topic, "articles": items, "pager": pager})


def site_view(config: Config) -> SiteView:
    return SiteView(
        title=config.title,
        description=config.description,
        language=config.language,
        base_url=config.base_url,
        generator=f"digest {__version__}",
        topics=tuple(Link(t.name, topic_path(t.slug)) for t in config.topics),
        search=config.search,
    )


def _article_view(
    article: Article,
    assignment: ArticleTopics,
    summary: Sequence[SentenceRef],
    topic_links: Mapping[str, Link],
    quote: Callable[[SentenceRef], Quote],
) -> ArticleView:
    in_summary = {r.index for r in summary}
    sentences = [
        SentenceView(
            anchor=f"s{s.index}",
            html=s.html,
            topics=tuple(topic_links[h.topic] for h in hits),
            keywords=tuple(term for h in hits for term in h.terms),
            in_summary=s.index in in_summary,
        )
        for s, hits in zip(article.sentences, assignment.hits, strict=True)
    ]
    blocks = tuple(
        BlockView(b.kind, b.level, tuple(sentences[b.start : b.stop])) for b in article.blocks
    )
    return ArticleView(
        id=article.id,
        title=article.title,
        source=article.source,
        date=article.date,
        date_text=date_text(article.date),
        url=article.url,
        author=article.author,
        path=article_path(article.id),
        summary=tuple(quote(r) for r in summary),
        topics=tuple(topic_links[slug] for slug in assignment.topics),
        blocks=blocks,
        sentence_count=len(article.sentences),
    )
