"""Archive pages: the archive index, one edition per day, one page per source.

These pages only rearrange the article views that `site.plan` already made, so they
are planned from its pages rather than from the build's records. Long lists are split
into numbered pages of `paginate` articles: the first page keeps the plain path
(`archive.html`), later ones go in a folder named after it (`archive/page-2.html`), so a
link to a list never changes when the list grows.

An undated article has no day: it is listed under "Undated" in the archive and on its
source's page, and never placed in an edition (it is not given the build's date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from digest.config import Config
from digest.site import ArticleView, Link, Page, date_text, edition_path, paginate
from digest.slugs import slugify
from digest.topics import newest_first

ARCHIVE = "archive.html"
SOURCES = "sources.html"


@dataclass(frozen=True)
class DayGroup:
    """Articles of one day ("Undated" when `date` is None), newest day first."""

    date: dt.date | None
    title: str
    edition: str | None
    """Path of the day's edition page; None for undated articles."""
    articles: tuple[ArticleView, ...]


@dataclass(frozen=True)
class SourceView:
    name: str
    path: str
    count: int
    latest: str
    """Date text of its newest dated article, "" when none is dated."""


def source_paths(views: Sequence[ArticleView]) -> dict[str, str]:
    """Source name -> page path; names that slugify alike get -2, -3 in name order."""
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted({v.source for v in views}):
        base = slugify(name, fallback="source")
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        paths[name] = f"sources/{slug}.html"
    return paths


def archive_pages(config: Config, pages: Sequence[Page]) -> tuple[Page, ...]:
    """The archive, every edition and every source page, in a stable order."""
    planned = (p.context.get("article") for p in pages)
    views = sorted((v for v in planned if isinstance(v, ArticleView)), key=newest_first)
    size = config.paginate
    out = _paginate(ARCHIVE, "archive.html", "Archive", views, size)

    by_day: dict[dt.date, list[ArticleView]] = {}
    by_source: dict[str, list[ArticleView]] = {}
    for view in views:
        if view.date is not None:
            by_day.setdefault(view.date, []).append(view)
        by_source.setdefault(view.source, []).append(view)
    days = list(by_day)
    for i, day in enumerate(days):
        newer = Link(date_text(days[i - 1]), edition_path(days[i - 1])) if i > 0 else None
        older = (
            Link(date_text(days[i + 1]), edition_path(days[i + 1])) if i + 1 < len(days) else None
        )
        extra = {"day": day, "day_text": date_text(day), "newer": newer, "older": older}
        title = f"Edition of {date_text(day)}"
        out += _paginate(edition_path(day), "edition.html", title, by_day[day], size, extra)

    paths = source_paths(views)
    sources = []
    for name, path in paths.items():
        own = by_source[name]
        latest = next((v.date_text for v in own if v.date), "")
        sources.append(SourceView(name, path, len(own), latest))
        out += _paginate(path, "source.html", name, own, size, {"source_name": name})
    out.insert(0, Page(SOURCES, "sources.html", "Sources", {"sources": tuple(sources)}))
    return tuple(out)


def _by_day(chunk: Sequence[ArticleView]) -> tuple[DayGroup, ...]:
    return tuple(
        DayGroup(
            date=day,
            title=date_text(day) if day else "Undated",
            edition=edition_path(day) if day else None,
            articles=tuple(items),
        )
        for day, items in groupby(chunk, key=lambda v: v.date)
    )


def _paginate(
    first: str,
    template: str,
    title: str,
    items: Sequence[ArticleView],
    size: int,
    context: Mapping[str, object] | None = None,
) -> list[Page]:
    """`items` cut into pages of `size`; each page gets its slice both flat
    (`articles`) and grouped by day (`groups`), its `pager` and the list's `total`."""
    return [
        Page(
            path,
            template,
            title if pager.number == 1 else f"{title} (page {pager.number} of {pager.count})",
            {
                **(context or {}),
                "articles": chunk,
                "groups": _by_day(chunk),
                "pager": pager,
                "total": len(items),
            },
        )
        for path, pager, chunk in paginate(first, items, size)
    ]
