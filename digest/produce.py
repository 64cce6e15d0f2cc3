"""Every file of the site: the pages (`publish.py`) and the files beside them
(`outputs.py`: digest.json, the search index, feeds, sitemap).

A small rebuild makes the two side by side: the files beside the pages (on a large site
digest.json and the search index are a hundred megabytes to assemble and write) in a
forked process, while this one renders the few pages that changed and links the rest.
A large build renders with every core (a process must not fork while threads run, and
the page workers want all the CPUs); this process makes the other files once the
article pages are done, while the workers start on the list pages.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

from digest.analysis import cpu_count, forkable
from digest.outputs import Fragments, Pair, Spans, other_files, write_outputs
from digest.publish import POOL_FROM, Job, keep_unchanged, render
from digest.site import Page
from digest.theme import Theme
from digest.views import Records


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
    side_by_side: bool = True,
    between: Callable[[], None] | None = None,
) -> Produced:
    """Render the pages whose key is not `previous`'s and write the other files.

    `keys` are the articles' fragment keys and `kept` the previous build's fragments;
    `side_by_side` allows the forked process (not for a sink in memory, whose files a
    child could not hand back; nor with `jobs` 1); `between` runs once the pages that
    need it are rendered: all of them on a small rebuild, the article pages on a large
    build (then beside the list pages, with the other files).
    """
    need = [n for n, key in enumerate(keys) if not kept.has(key)]
    others = partial(_others, records, pages, theme, keys, kept, job, previous)
    # Few pages to render: this process links the unchanged pages and renders the rest
    # while a forked one makes the other files (unless one process is asked for, or
    # there is one CPU). Many: render with every core; between the article pages and
    # the list pages, this process makes the other files while the workers go on.
    changed = sum(previous.get(page.path) != page.key for page in pages)
    few = changed + len(need) < POOL_FROM
    alone = jobs == 1 or cpu_count() < 2
    if side_by_side and few and not alone and forkable():
        assert job.fragments is not None, "a build that writes files makes fragments"
        made = {n: job.fragments(n) for n in need}
        global _beside
        _beside = partial(others, made)
        try:
            with ProcessPoolExecutor(1, multiprocessing.get_context("fork")) as pool:
                beside = pool.submit(_call_beside)
                todo = keep_unchanged(pages, previous, job.sink)
                rendered, _ = render(todo, replace(job, fragments=None), [], jobs, progress)
                if between:
                    between()
                keyed, spans, files = beside.result()
        finally:
            _beside = None
    else:
        todo = keep_unchanged(pages, previous, job.sink)
        done: list[tuple[dict[str, str], Spans, list[str]]] = []

        def meanwhile(made: Mapping[int, Pair]) -> None:
            if between:
                between()
            done.append(others(made))

        rendered, _ = render(todo, job, need, jobs, progress, meanwhile)
        keyed, spans, files = done[0]
    return Produced(rendered, keyed, spans, files)


def _others(
    records: Records,
    pages: Sequence[Page],
    theme: Theme,
    keys: Sequence[str],
    kept: Fragments,
    job: Job,
    previous: Mapping[str, str],
    made: Mapping[int, Pair],
) -> tuple[dict[str, str], Spans, list[str]]:
    outputs, spans = other_files(records, pages, theme, keys, made, kept, job.views)
    files = write_outputs(outputs, job.sink, previous)
    keyed = {path: o.key for o in outputs if o.key for path in o.paths}
    return keyed, spans, files


_beside: Callable[[], tuple[dict[str, str], Spans, list[str]]] | None = None
"""The work of the forked process: set before it forks, so it is inherited, not pickled."""


def _call_beside() -> tuple[dict[str, str], Spans, list[str]]:
    assert _beside is not None, "forked without its work"
    return _beside()
