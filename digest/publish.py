"""The render stage: pages rendered in parallel, and only those whose key changed.

A page whose key is the one the previous build recorded for its path is not rendered:
the sink keeps the previous build's file (a hard link, no copy). The others are rendered
by a pool of worker processes, in two passes: first every article that needs its page,
its card (what lists show of it) or its fragments of `digest.json` and the search index;
then the list pages (topics, archive, editions, sources, home), which are made from the
cards. Workers write their files themselves, so no page crosses a process boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice

from digest import workers
from digest.render import page_environment, render_page
from digest.site import Page, Quote
from digest.views import context
from digest.workers import Job, Sink, Started


@dataclass(frozen=True, slots=True)
class ArticleWork:
    """What one article needs this build; the pass returns its card and fragments."""

    article: int
    page: Page | None
    """Its page, when that must be rendered."""


@dataclass(frozen=True, slots=True)
class ArticleDone:
    article: int
    matched: dict[str, tuple[Quote, ...]]
    fragments: tuple[bytes, bytes] | None


def keep_unchanged(pages: Sequence[Page], previous: Mapping[str, str], sink: Sink) -> list[Page]:
    """Keep every page whose key is `previous`'s for its path (a hard link each, all in
    one go); returns the pages still to render."""
    same = [page.path for page in pages if previous.get(page.path) == page.key]
    kept = dict(zip(same, sink.keep_all(same), strict=True))
    return [page for page in pages if not kept.get(page.path, False)]


def start_articles(work: list[ArticleWork], job: Job, jobs: int) -> Started | None:
    """Fork the page workers now and hand them the first article pages, before the
    plan, while this process makes the topics' summaries (`render` then goes on with
    them, given what this returns). Article pages show no topic summary, so `job`'s
    records need none: a 1,000-article cold build otherwise left a CPU idle for the
    0.2 s those and the plan take."""
    return workers.start(_articles, work, job, jobs)


def render(
    todo: Sequence[Page],
    job: Job,
    need_fragments: Iterable[int],
    jobs: int = 0,
    progress: Callable[[int, int], None] | None = None,
    meanwhile: Callable[[dict[int, tuple[bytes, bytes]]], None] | None = None,
    started: Started | None = None,
) -> tuple[int, dict[int, tuple[bytes, bytes]]]:
    """Render the pages of `todo`; returns how many, and the fragments of the articles
    in `need_fragments`. `meanwhile(fragments)` is run by this process once the
    articles are done, while the workers render the first list pages: the files made
    from the fragments (`digest.json`, the search index) would otherwise be made after
    the pages, with every other CPU idle. `started`: the workers already rendering the
    first of the article pages (`start_articles`), on the same pages."""
    articles: dict[int, Page | None] = {n: None for n in need_fragments}
    rest = []
    for page in todo:
        if page.recipe[0] == "article":
            articles[page.recipe[1]] = page
        else:
            rest.append(page)
    work = [ArticleWork(n, page) for n, page in sorted(articles.items())]
    if started is not None and started.items != work:
        # Not what the workers were started on (a file changed meanwhile): they end,
        # and this pass starts its own.
        started.stop()
        started = None
    fragments: dict[int, tuple[bytes, bytes]] = {}
    total = len(todo)
    done = 0
    for result in workers.run(_articles, work, job, jobs, started=started):
        assert isinstance(result, ArticleDone)
        for slug, quotes in result.matched.items():
            job.views.matched[(result.article, slug)] = quotes
        if result.fragments is not None:
            fragments[result.article] = result.fragments
        done += articles[result.article] is not None
        if progress:
            progress(done, total)
    first = partial(meanwhile, fragments) if meanwhile else None
    for remembered in workers.run(_pages, rest, job, jobs, first):
        assert isinstance(remembered, dict)
        job.views.sentences.update(remembered)
        done += 1
        if progress:
            progress(done, total)
    return done, fragments


def _articles(chunk: Sequence[object]) -> list[object]:
    job = workers.current()
    env = page_environment(job.theme)
    out: list[object] = []
    views = job.views
    for work in chunk:
        assert isinstance(work, ArticleWork)
        if work.page is not None:
            values = {"article": views.article(work.article)}
            job.sink.write(work.page.path, render_page(env, work.page, job.site, values))
        entry = views.records.corpus.entries[work.article]
        matched = {slug: views.matched_in(work.article, slug) for slug in entry.topics}
        made = job.fragments(work.article) if job.fragments else None
        out.append(ArticleDone(work.article, matched, made))
    return out


def _pages(chunk: Sequence[object]) -> list[object]:
    job = workers.current()
    env = page_environment(job.theme)
    out: list[object] = []
    for page in chunk:
        assert isinstance(page, Page)
        before = len(job.views.sentences)
        job.sink.write(page.path, render_page(env, page, job.site, context(job.views, page)))
        # What the page added to the memo (a dict keeps insertion order), for the parent.
        out.append(_newest(job.views.sentences, len(job.views.sentences) - before))
    return out


def _newest(
    memo: dict[tuple[str, int], tuple[str, str]], count: int
) -> dict[tuple[str, int], tuple[str, str]]:
    """The last `count` entries of `memo`, in order: taken from its end, not found by
    walking past all the others, as each page did (walks that grow with the number of
    pages times the size of the memo)."""
    return dict(reversed(list(islice(reversed(memo.items()), count))))
