"""Every file of the site: the pages (`publish.py`) and the files beside them
(`outputs.py`: digest.json, the search index, feeds, sitemap).

When few articles are new or changed (a rebuild, or any build of a small site), the
two are made side by side: a process forked before the plan (`start_beside`) makes the
files beside the pages (on a large site digest.json and the search index are a hundred
megabytes to assemble and write) and stores the build's answers, while this one plans
the pages, renders those that changed and links the rest. A large cold build renders
with every core (a process must not fork while threads run, and
the page workers want all the CPUs); this process makes the other files once the
article pages are done, while the workers start on the list pages.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from digest.outputs import Fragments, Pair, Spans, other_files, seo_output, write_outputs
from digest.plan import Keys, article_page
from digest.processes import cpu_count, forkable
from digest.publish import ArticleWork, keep_unchanged, render, start_articles
from digest.site import Page
from digest.theme import Theme
from digest.views import Records
from digest.workers import POOL_FROM, Job, Started

Made = tuple[dict[str, str], Spans, list[str]]
"""What making the other files gives: path -> key of those that have one, where the
fragments sit, and every path."""


@dataclass(frozen=True)
class Produced:
    rendered: int
    """How many pages were rendered (the rest were kept)."""
    keyed: dict[str, str]
    """Path -> key of the files beside the pages that have one (feeds, sitemap)."""
    spans: Spans
    """Where each article's fragments sit in digest.json and the search index."""
    files: list[str]
    """Every file beside the pages."""
    adopted: frozenset[str] = frozenset()
    """The state entries the forked process used and wrote (`StateStore.adopt`)."""


class Beside:
    """The forked process making the files beside the pages (see `start_beside`)."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self._process = process
        self._connection = connection
        self._received = False

    def result(self) -> tuple[Made, frozenset[str]]:
        """Its files, and what its `also` returned; its error, raised here."""
        try:
            ok, value = self._connection.recv()
        except EOFError:
            raise RuntimeError("the process making digest.json and the feeds died") from None
        finally:
            self._received = True
        if not ok:
            raise value
        made, adopted = value
        return made, adopted

    def stop(self) -> None:
        """Wait for it to end; if its result was not taken (this build failed first), end
        it: it may be blocked sending a reply larger than the pipe holds."""
        if not self._received:
            self._process.terminate()
        self._process.join()
        self._connection.close()


def start_beside(
    records: Records,
    theme: Theme,
    job: Job,
    keys: Sequence[str],
    kept: Fragments,
    previous: Mapping[str, str],
    jobs: int,
    also: Callable[[], frozenset[str]] | None,
    then: Callable[[], None] | None = None,
) -> Beside | None:
    """Fork the process that makes the files beside the pages, all but robots.txt and
    the sitemap (which list the pages, so this process writes them after the plan),
    then runs `also` (storing the build's answers) and, once its result is sent,
    `then` (waiting for those files). Only when few articles' fragments
    are new, which this process makes first: a rebuild (one after a theme or config
    change too, which renders every page again with the workers meanwhile) or any
    build of a small site; a large cold build's are made by the page workers. Forked
    before the plan, it works while the plan is made, the unchanged pages are linked
    and the changed ones rendered (a one-article rebuild of 10,000: plan 0.4 s, then
    0.3 s here against 0.6 s there, where it started after the plan and the answers
    were stored here). None when it is not worth it or not possible: one CPU, `--jobs
    1`, a thread running (forking would copy a held lock).
    """
    need = [n for n, key in enumerate(keys) if not kept.has(key)]
    if len(need) >= POOL_FROM or jobs == 1 or cpu_count() < 2 or not forkable():
        return None
    assert job.fragments is not None, "a build that writes files makes fragments"
    made = {n: job.fragments(n) for n in need}
    work = partial(_others, records, None, theme, keys, kept, job, previous, made)
    receiving, sending = multiprocessing.Pipe(duplex=False)
    context = multiprocessing.get_context("fork")
    process = context.Process(
        target=_beside, args=(work, also, then, receiving, sending), daemon=True
    )
    try:
        process.start()
    finally:
        sending.close()
    return Beside(process, receiving)


def _beside(
    work: Callable[[], Made],
    also: Callable[[], frozenset[str]] | None,
    then: Callable[[], None] | None,
    unused: Connection,
    connection: Connection,
) -> None:
    """The forked process: its work, then `also`; the result or the error goes back,
    then `then` runs (the answers' files are written while the build process goes on
    to swap the site in; it waits for this process before it prunes the cache). (It
    closes its copy of the reading end first, so that if the build process dies, a
    send fails instead of waiting for a reader forever.)"""
    unused.close()
    sent = False
    try:
        made = work()
        connection.send((True, (made, also() if also else frozenset())))
        sent = True
    except BaseException as exc:
        try:
            connection.send((False, exc))
        except Exception:  # an error that does not pickle: its message
            connection.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        connection.close()
    if sent and then is not None:
        then()


def start_article_pages(
    records: Records,
    job: Job,
    site_key: str,
    kept: Fragments,
    previous: Mapping[str, str],
    jobs: int,
) -> Started | None:
    """Start rendering the article pages before the plan (`start_articles`), when every
    one of them and of their fragments is to be made: a cold build, or one whose
    previous output is gone (a rebuild keeps most, and decides which after the plan)."""
    if previous or kept.spans:
        return None
    keys = Keys(records, site_key)
    work = [ArticleWork(n, article_page(keys, n)) for n in range(len(records.corpus.entries))]
    return start_articles(work, job, jobs)


def produce(
    records: Records,
    pages: Sequence[Page],
    theme: Theme,
    job: Job,
    keys: Sequence[str],
    kept: Fragments,
    previous: Mapping[str, str],
    jobs: int = 0,
    progress: Callable[[int, int], None] | None = None,
    between: Callable[[], None] | None = None,
    beside: Beside | None = None,
    started: Started | None = None,
) -> Produced:
    """Render the pages whose key is not `previous`'s and write the other files.

    `keys` are the articles' fragment keys and `kept` the previous build's fragments.
    With `beside` (few articles changed), that process makes the other files but
    robots.txt and the sitemap, which this one writes after keeping the unchanged
    pages and rendering the rest. Without, this process
    makes them once the article pages are rendered, beside the workers' list pages,
    after running `between`. `started`: the workers rendering the article pages since
    before the plan (`start_article_pages`).
    """
    todo = keep_unchanged(pages, previous, job.sink)
    if beside is not None:
        if started is not None:  # not both, as they start; if so, the pages are rendered here
            started.stop()
        rendered, _ = render(todo, replace(job, fragments=None), [], jobs, progress)
        seo = seo_output(records, pages)
        paths = write_outputs([seo], job.sink, previous)
        (keyed, spans, files), adopted = beside.result()
        keyed |= dict.fromkeys(seo.paths, seo.key)
        return Produced(rendered, keyed, spans, files + paths, adopted)
    need = [n for n, key in enumerate(keys) if not kept.has(key)]
    others = partial(_others, records, pages, theme, keys, kept, job, previous)
    done: list[Made] = []

    def meanwhile(made: Mapping[int, Pair]) -> None:
        if between:
            between()
        done.append(others(made))

    rendered, _ = render(todo, job, need, jobs, progress, meanwhile, started)
    keyed, spans, files = done[0]
    return Produced(rendered, keyed, spans, files)


def _others(
    records: Records,
    pages: Sequence[Page] | None,
    theme: Theme,
    keys: Sequence[str],
    kept: Fragments,
    job: Job,
    previous: Mapping[str, str],
    made: Mapping[int, Pair],
) -> Made:
    outputs, spans = other_files(records, pages, theme, keys, made, kept, job.views)
    files = write_outputs(outputs, job.sink, previous)
    keyed = {path: o.key for o in outputs if o.key for path in o.paths}
    return keyed, spans, files
