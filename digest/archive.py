"""Archive pages: the archive index, one edition per day, one page per source.

These pages rearrange the articles' cards (site.py's ArticleView without the full
text) by day and by source. Long lists are split into numbered pages of `paginate`
articles: the first page keeps the plain path (`archive.html`), later ones go in a
folder named after it (`archive/page-2.html`), so a link to a list never changes when
the list grows.

An undated article has no day: it is listed under "Undated" in the archive and on its
source's page, and never placed in an edition (it is not given the build's date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from digest.config import Config
from digest.corpus import Corpus
from digest.site import ArticleView, Link, Page, Pager, date_text, edition_path, paginate
from digest.slugs import slugify

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


def source_paths(names: Sequence[str]) -> dict[str, str]:
    """Source name -> page path; names that slugify alike get -2, -3 in name order."""
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names)):
        base = slugify(name, fallback="source")
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        paths[name] = f"sources/{slug}.html"
    return paths


def archive_pages(
    config: Config,
    corpus: Corpus,
    newest: Sequence[int],
    list_key: Callable[..., str],
    page_key: Callable[..., str],
) -> list[Page]:
    """The archive, every edition and every source page, in a stable order.

    `newest` is every article number, newest first; a list page's key (`list_key`) is
    made from its place in the list and its articles' cards.
    """
    entries = corpus.entries
    size = config.paginate

    def pages_of(
        first: str, template: str, title: str, items: Sequence[int], extra: Mapping[str, object]
    ) -> list[Page]:
        out = []
        for path, pager, chunk in paginate(first, items, size):
            page_title = (
                title if pager.number == 1 else f"{title} (page {pager.number} of {pager.count})"
            )
            key = list_key("list", path, page_title, extra, pager, len(items), cards=chunk)
            recipe = ("list", dict(extra), chunk, pager, len(items))
            out.append(Page(path, template, page_title, recipe, key))
        return out

    out = pages_of(ARCHIVE, "archive.html", "Archive", newest, {})
    by_day: dict[dt.date, list[int]] = {}
    by_source: dict[str, list[int]] = {}
    for n in newest:
        day = entries[n].date
        if day is not None:
            by_day.setdefault(day, []).append(n)
        by_source.setdefault(entries[n].source, []).append(n)
    days = list(by_day)
    for i, day in enumerate(days):
        newer = Link(date_text(days[i - 1]), edition_path(days[i - 1])) if i > 0 else None
        older = (
            Link(date_text(days[i + 1]), edition_path(days[i + 1])) if i + 1 < len(days) else None
        )
        extra = {"day": day, "day_text": date_text(day), "newer": newer, "older": older}
        title = f"Edition of {date_text(day)}"
        out += pages_of(edition_path(day), "edition.html", title, by_day[day], extra)
    sources = []
    for name, path in source_paths(list(by_source)).items():
        own = by_source[name]
        latest = next((date_text(entries[n].date) for n in own if entries[n].date), "")
        sources.append(SourceView(name, path, len(own), latest))
        out += pages_of(path, "source.html", name, own, {"source_name": name})
    listed = tuple(sources)
    out.insert(
        0,
        Page(SOURCES, "sources.html", "Sources", ("sources", listed), page_key("sources", listed)),
    )
    return out


def list_context(
    extra: Mapping[str, object], cards: Sequence[ArticleView], pager: Pager, total: int
) -> dict[str, object]:
    """What a list page's template gets: its slice both flat (`articles`) and grouped by
    day (`groups`), its `pager` and the list's `total`."""
    chunk = tuple(cards)
    return {**extra, "articles": chunk, "groups": _by_day(chunk), "pager": pager, "total": total}


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
