"""The render stage: pages rendered in parallel, and only those whose key changed.

A page whose key is the one the previous build recorded for its path is not rendered:
the sink keeps the previous build's file (a hard link, no copy). The others are rendered
by a pool of worker processes, in two passes: first every article that needs its page,
its card (what lists show of it) or its fragments of `digest.json` and the search index;
then the list pages (topics, archive, editions, sources, home), which are made from the
cards. Workers write their files themselves, so no page crosses a process boundary.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice
from typing import Any, Protocol

import jinja2

from digest.analysis import cpu_count
from digest.render import environment, render_page
from digest.site import Page, Quote, SiteView
from digest.splice import Part, resolve
from digest.theme import Theme
from digest.views import Views, context

POOL_FROM = 64
"""Fewer pages than this are rendered in-process: starting workers costs more."""


class Sink(Protocol):
    """Where rendered files go: a staging folder (a build) or memory (check, serve)."""

    shared: bool
    """Whether what a forked worker writes reaches it: a folder's files do; a worker's
    writes to memory stay in the worker's copy, so for such a sink the worker sends
    its pages back (`_sent_back`)."""

    def write(self, path: str, data: bytes) -> None: ...

    def write_parts(self, path: str, parts: Sequence[Part]) -> None:
        """Write a file assembled from new bytes and ranges of old files."""
        ...

    def keep(self, path: str) -> bool:
        """Keep the previous build's file at `path`; False when there is none."""
        ...

    def keep_all(self, paths: Sequence[str]) -> list[bool]:
        """`keep` for each path."""
        ...


@dataclass
class MemorySink:
    """Files in memory; nothing of a previous build to keep."""

    files: dict[str, bytes] = field(default_factory=dict)
    shared = False

    def write(self, path: str, data: bytes) -> None:
        self.files[path] = data

    def write_parts(self, path: str, parts: Sequence[Part]) -> None:
        self.files[path] = resolve(parts)

    def keep(self, path: str) -> bool:
        return False

    def keep_all(self, paths: Sequence[str]) -> list[bool]:
        return [False] * len(paths)


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


@dataclass(frozen=True)
class Job:
    """What every worker needs, inherited when the pool forks."""

    views: Views
    theme: Theme
    site: SiteView
    sink: Sink
    fragments: Callable[[int], tuple[bytes, bytes]] | None


def keep_unchanged(pages: Sequence[Page], previous: Mapping[str, str], sink: Sink) -> list[Page]:
    """Keep every page whose key is `previous`'s for its path (a hard link each, all in
    one go); returns the pages still to render."""
    same = [page.path for page in pages if previous.get(page.path) == page.key]
    kept = dict(zip(same, sink.keep_all(same), strict=True))
    return [page for page in pages if not kept.get(page.path, False)]


def render(
    todo: Sequence[Page],
    job: Job,
    need_fragments: Iterable[int],
    jobs: int = 0,
    progress: Callable[[int, int], None] | None = None,
    meanwhile: Callable[[dict[int, tuple[bytes, bytes]]], None] | None = None,
) -> tuple[int, dict[int, tuple[bytes, bytes]]]:
    """Render the pages of `todo`; returns how many, and the fragments of the articles
    in `need_fragments`. `meanwhile(fragments)` is run by this process once the
    articles are done, while the workers render the first list pages: the files made
    from the fragments (`digest.json`, the search index) would otherwise be made after
    the pages, with every other CPU idle."""
    articles: dict[int, Page | None] = {n: None for n in need_fragments}
    rest = []
    for page in todo:
        if page.recipe[0] == "article":
            articles[page.recipe[1]] = page
        else:
            rest.append(page)
    work = [ArticleWork(n, page) for n, page in sorted(articles.items())]
    fragments: dict[int, tuple[bytes, bytes]] = {}
    total = len(todo)
    done = 0
    for result in _run(_articles, work, job, jobs):
        assert isinstance(result, ArticleDone)
        for slug, quotes in result.matched.items():
            job.views.matched[(result.article, slug)] = quotes
        if result.fragments is not None:
            fragments[result.article] = result.fragments
        done += articles[result.article] is not None
        if progress:
            progress(done, total)
    first = partial(meanwhile, fragments) if meanwhile else None
    for remembered in _run(_pages, rest, job, jobs, first):
        assert isinstance(remembered, dict)
        job.views.sentences.update(remembered)
        done += 1
        if progress:
            progress(done, total)
    return done, fragments


_job: Job | None = None
"""The job of this process's pass: set before the pool forks, read by the workers."""


def _run(
    task: Callable[[Sequence[object]], list[object]],
    items: Sequence[object],
    job: Job,
    jobs: int,
    first: Callable[[], None] | None = None,
) -> Iterator[object]:
    """Run `task` over `items` in chunks: in this process, and in `jobs - 1` forked
    workers beside it. The build process works too rather than wait: one process fewer
    holds a copy of what the build knows (forked memory is copied as it is touched).
    Chunks are handed out as the processes get through them, two queued ahead for each
    worker: split in advance, a worker (which also sends its results back) finished
    the article pages of a 10,000-article site 2.3 s after this process. `first` runs
    before this process takes a chunk; with workers, while they render (see
    `_beside_workers`)."""
    global _job
    _job = job
    chunks = _chunks(items, jobs)
    try:
        workers = min(jobs or cpu_count(), len(chunks))
        parallel = (
            len(items) >= POOL_FROM
            and workers > 1
            and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()
        )
        if not parallel:
            if first:
                first()
            for chunk in chunks:
                yield from task(chunk)
            return
        compile_templates(job.theme)
        context = multiprocessing.get_context("fork")
        ahead = 2 * (workers - 1)
        # A worker writes its pages into a folder itself; pages for memory come back.
        run = task if job.sink.shared else partial(_sent_back, task)
        with ProcessPoolExecutor(workers - 1, context) as pool:
            queued: deque[Future[list[object]]] = deque()
            waiting = deque(chunks)

            def feed() -> None:
                while waiting and sum(not f.done() for f in queued) < ahead:
                    queued.append(pool.submit(run, waiting.popleft()))

            feed()  # with "fork" the pool starts every worker here, before any thread
            if first:
                _beside_workers(first, feed, queued)
            while waiting:
                feed()
                while queued and queued[0].done():
                    yield from _received(job, queued.popleft().result())
                if waiting:
                    yield from task(waiting.popleft())
            for future in queued:
                yield from _received(job, future.result())
    finally:
        _job = None


def _sent_back(
    task: Callable[[Sequence[object]], list[object]], chunk: Sequence[object]
) -> list[object]:
    """`task` in a worker, for a sink in memory (check, serve), which the worker's own
    writes would never reach: its pages are collected and sent back after the results."""
    global _job
    own = _job
    assert own is not None, "worker started without its job"
    pages = MemorySink()
    _job = replace(own, sink=pages)
    try:
        return [*task(chunk), _Pages(pages.files)]
    finally:
        _job = own


@dataclass(frozen=True)
class _Pages:
    """The pages a worker rendered for a sink in memory (see `_sent_back`)."""

    files: dict[str, bytes]


def _received(job: Job, results: list[object]) -> list[object]:
    """A worker's results; the pages it sent back go to this process's sink."""
    if results and isinstance(results[-1], _Pages):
        for path, data in results[-1].files.items():
            job.sink.write(path, data)
        return results[:-1]
    return results


def _beside_workers(
    first: Callable[[], None], feed: Callable[[], None], queued: Sequence[Future[list[object]]]
) -> None:
    """Run `first` in a thread while this one keeps the workers supplied with chunks,
    whose results wait in `queued`. Run in this thread instead, it would leave each
    worker only the two chunks queued before it, which a large site's `digest.json` and
    search index can outlast. The pool has forked its workers already, and nothing
    forks while the thread runs."""
    with ThreadPoolExecutor(1) as thread:
        running = thread.submit(first)
        while not running.done():
            busy: list[Future[Any]] = [running, *(f for f in queued if not f.done())]
            wait(busy, return_when=FIRST_COMPLETED)
            feed()
        running.result()


def _chunks(items: Sequence[object], jobs: int) -> list[Sequence[object]]:
    """Each a quarter of what is left per process, at most 100 and at least 4 pages:
    large chunks while there is plenty (fewer hand-overs) and small ones at the end,
    so no process still renders a large last chunk while the others wait. (A fixed
    eighth of each process's share left one 0.1 to 0.2 s behind at the end of each pass
    of a 1,000-article build: a topic page costs ten edition pages.)"""
    processes = max(1, jobs or cpu_count())
    chunks = []
    start = 0
    while start < len(items):
        size = max(4, min(100, (len(items) - start) // (4 * processes)))
        chunks.append(items[start : start + size])
        start += size
    return chunks


def _articles(chunk: Sequence[object]) -> list[object]:
    job = _job
    assert job is not None, "worker started without its job"
    env = _environment(job.theme)
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
    job = _job
    assert job is not None, "worker started without its job"
    env = _environment(job.theme)
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


_environments: dict[int, tuple[Theme, jinja2.Environment]] = {}


def _environment(theme: Theme) -> jinja2.Environment:
    """One Jinja2 environment per theme and process, so templates compile once. Each
    build loads its theme afresh, so an environment never outlives its build's theme
    (it holds it: no later theme can take its `id`), and need not look at the template
    files again (`auto_reload` off: a stat per page otherwise)."""
    found = _environments.get(id(theme))
    if found is None or found[0] is not theme:
        _environments.clear()
        found = _environments[id(theme)] = (theme, environment(theme, auto_reload=False))
    return found[1]


def compile_templates(theme: Theme) -> None:
    """Compile every page template before the workers fork, so they inherit them
    instead of each compiling them again. (In one process, templates compile as pages
    need them.) A cold build does it while the analysis workers run; then this is a
    check that the files did not change."""
    env = _environment(theme)
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    if len(theme.template_dirs) == 1:
        # Nothing overrides the theme, so nothing has reason to name its templates
        # `"<theme>/<template>"`: the same files compiled again under those names took
        # half of this (0.17 s; one that is used after all compiles when first used).
        named = tuple(f"{name}/" for name, _ in theme.named_template_dirs)
        names = [n for n in names if not n.startswith(named)]
    for name in names:
        # A broken template is reported, with its line, by the page that uses it.
        with suppress(jinja2.TemplateError):
            env.get_template(name)
