"""The SiteModel: every page of the site, its URL, and the view objects templates get.

Templates never see internal records; they get the views below, which already hold
display-ready values and site-root-relative paths (the `url()` template function makes
those relative to the page being rendered, so the site works from any subpath and from
disk). Pages are plain `.html` files, not `dir/index.html`, for the same reason: a
browser opening files from disk does not look for index.html inside a folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from digest import __version__
from digest.config import Config
from digest.coverage import CoverageView, SourceLink

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
    """The sentences of this article that were assigned to the topic (their
    `reported_by` is left empty: the article's summary carries who reports what)."""


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
    """One output HTML file: where it goes, which template, and what it shows.

    The view objects are not made when the page is planned: `recipe` names them
    (`views.context` makes them), and `key` is a hash of everything they are made from,
    so a rebuild renders a page again only when its key changed.
    """

    path: str
    template: str
    title: str
    recipe: tuple[Any, ...]
    key: str = ""


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
