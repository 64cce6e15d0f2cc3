"""The page workers: chunks of pages rendered by this process and by workers forked
from it, each writing its files itself, and what they all need (`Job`).

Workers are forked, never spawned: they inherit the build's records, views and compiled
templates instead of receiving them, and the job of a pass is a global set before they
fork (`current`), not an argument pickled with each chunk.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from digest.processes import cpu_count
from digest.render import compile_templates
from digest.splice import Part, resolve

if TYPE_CHECKING:
    from digest.site import SiteView
    from digest.theme import Theme
    from digest.views import Views

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


@dataclass(frozen=True)
class Job:
    """What every worker needs, inherited when the pool forks."""

    views: Views
    theme: Theme
    site: SiteView
    sink: Sink
    fragments: Callable[[int], tuple[bytes, bytes]] | None


_job: Job | None = None
"""The job of this process's pass: set before the pool forks, read by the workers."""


def current() -> Job:
    """The job of this process's pass (in a worker: the one it was forked with)."""
    assert _job is not None, "worker started without its job"
    return _job


@dataclass(frozen=True)
class Started:
    """A task's workers forked ahead of `run`: their pool, the chunks queued to it, and
    those still waiting (see `start`)."""

    items: Sequence[object]
    pool: ProcessPoolExecutor
    queued: deque[Future[list[object]]]
    waiting: deque[Sequence[object]]
    ahead: int

    def stop(self) -> None:
        """End the workers (the build failed before it took their pages)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def start(
    task: Callable[[Sequence[object]], list[object]],
    items: Sequence[object],
    job: Job,
    jobs: int,
) -> Started | None:
    """Fork the workers of `run(task, items, ...)` now and queue them twice the chunks
    `run` would, for work this process does before it gets to `run` (which then goes
    on with them). None when `run` would use no workers, or when what they write would
    not reach a folder."""
    global _job
    chunks = _chunks(items, jobs)
    workers = min(jobs or cpu_count(), len(chunks))
    if not (_parallel(len(items), workers) and job.sink.shared):
        return None
    compile_templates(job.theme)
    pool = ProcessPoolExecutor(workers - 1, multiprocessing.get_context("fork"))
    _job = job  # inherited by the workers as they fork, at the first chunk
    try:
        ahead = 2 * (workers - 1)
        waiting: deque[Sequence[object]] = deque(chunks)
        count = min(2 * ahead, len(waiting))
        queued = deque(pool.submit(task, waiting.popleft()) for _ in range(count))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # no caller holds it yet to end it
        raise
    finally:
        _job = None
    return Started(items, pool, queued, waiting, ahead)


def _parallel(items: int, workers: int) -> bool:
    return (
        items >= POOL_FROM
        and workers > 1
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def run(
    task: Callable[[Sequence[object]], list[object]],
    items: Sequence[object],
    job: Job,
    jobs: int,
    first: Callable[[], None] | None = None,
    started: Started | None = None,
) -> Iterator[object]:
    """Run `task` over `items` in chunks: in this process, and in `jobs - 1` forked
    workers beside it (or those `started` before, with the chunks it has not taken).
    The build process works too rather than wait: one process fewer
    holds a copy of what the build knows (forked memory is copied as it is touched).
    Chunks are handed out as the processes get through them, two queued ahead for each
    worker: split in advance, a worker (which also sends its results back) finished
    the article pages of a 10,000-article site 2.3 s after this process. `first` runs
    before this process takes a chunk; with workers, while they render (see
    `_beside_workers`)."""
    global _job
    _job = job
    try:
        if started is None:
            chunks = _chunks(items, jobs)
            workers = min(jobs or cpu_count(), len(chunks))
            if not _parallel(len(items), workers):
                if first:
                    first()
                for chunk in chunks:
                    yield from task(chunk)
                return
            compile_templates(job.theme)
            context = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(workers - 1, context)
            queued: deque[Future[list[object]]] = deque()
            waiting = deque(chunks)
            ahead = 2 * (workers - 1)
        else:
            pool, queued, waiting, ahead = (
                started.pool,
                started.queued,
                started.waiting,
                started.ahead,
            )
        # A worker writes its pages into a folder itself; pages for memory come back.
        run = task if job.sink.shared else partial(_sent_back, task)
        with pool:

            def feed() -> None:
                while waiting and sum(not f.done() for f in queued) < ahead:
                    queued.append(pool.submit(run, waiting.popleft()))

            # With "fork" a new pool starts every worker here, before any thread.
            feed()
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
    own = current()
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
