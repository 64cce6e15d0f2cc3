"""Where agreement is computed: beside the rest of the compare stage.

Agreement (`agreement.py`) is NumPy passes over the whole corpus; copy detection and
quotation grouping, which the compare stage does meanwhile, are mostly Python. So the
two run side by side: on a rebuild in a thread (NumPy releases the interpreter lock in
its passes), and on a cold build of a large site in a forked process, which first
finds half of the copies.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

from digest.agreement import Agreement, Found, SentenceTerms, agree, compare
from digest.facts import Flags
from digest.overlaps import Overlaps
from digest.processes import forkable
from digest.spare import Spare
from digest.syndication import Find, find_copies

APART = 2_000
"""From this many new or changed articles, agreement is computed in a forked process
while this one finds copies and groups quotations. (A thread would do, as NumPy
releases the interpreter lock in its array passes, but the glue between them waits for
the lock while this process runs Python: 0.45 s in a thread against 0.27 s alone at
10,000.) That process first finds half of the copies (`find_copies`, part 2 of 2)
while this one finds the other half: a cold build of 10,000 articles sorts eight
million sketch matches into half a million candidate pairs and measures 58,000 of
them, about 2 s of one CPU, against 0.4 s for agreement; with agreement after its half,
that process ends about when this one has also grouped the quotations.
A rebuild of a few articles has few pairs to measure, and there the fork costs more
than it saves: every page the large build process writes to afterwards is first
copied or faulted in again (a one-article rebuild of 10,000: 0.1 to 0.4 s slower
with the process, and a quarter more page faults)."""


class Awaited:
    """Agreement being computed beside the caller: calling it waits for it; `ready()`
    says, without waiting, whether it has come (the caller does other work until)."""

    def __init__(self, wait: Callable[[], Agreement], ready: Callable[[], bool]) -> None:
        self._wait = wait
        self.ready = ready

    def __call__(self) -> Agreement:
        return self._wait()


Later = Callable[..., Callable[[], Any]]
"""`later(function, *args)`: the function started beside the caller, after what was
started before; the returned callable waits for its result."""


@contextmanager
def start(
    index: SentenceTerms, overlaps: Overlaps, apart: bool, spare: Spare | None = None
) -> Iterator[tuple[Awaited, Find, Later]]:
    """Start agreement beside the caller (`apart`: in a forked process, if this one may
    fork; else in the `spare` process, or in a thread); yields what waits for it, how to
    find copies (with the forked process's help, when there is one), and how to run
    more beside the caller once agreement is done (in a thread; with a forked process,
    in the caller)."""
    corpus = index.corpus
    if not apart or not forkable():
        asked = spare.agree(corpus, index.weights.idf, overlaps) if spare and not apart else None
        with ThreadPoolExecutor(1) as thread, _switching(SWITCH):
            computing = None if asked else thread.submit(compare, index, previous=overlaps)

            def agreement_of() -> Agreement:
                if computing is not None:
                    return computing.result()
                found = asked() if asked else None
                if found is None:  # the process is gone: computed here after all
                    return compare(index, previous=overlaps)
                return Agreement(corpus, *found)

            def ready() -> bool:
                if computing is not None:
                    return computing.done()
                return spare is None or spare.ready()

            def later(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
                return thread.submit(function, *args).result

            yield Awaited(agreement_of, ready), partial(find_copies, corpus), later
        return
    if spare is not None:
        spare.close()  # a large cold build computes it in a process forked from here
    global _apart
    _apart = (index, overlaps)
    try:
        with ProcessPoolExecutor(1, multiprocessing.get_context("fork")) as process:
            submitted: list[Future[Found]] = []

            def agreement() -> Future[Found]:
                # Asked for after the copies' half, which is needed first.
                if not submitted:
                    submitted.append(process.submit(_agree_apart))
                return submitted[0]

            def find(among: Flags | None) -> list[tuple[int, int]]:
                theirs = process.submit(_find_apart, among)
                agreement()
                return find_copies(corpus, among, part=(0, 2)) + theirs.result()

            awaited = Awaited(
                lambda: Agreement(corpus, *agreement().result()), lambda: agreement().done()
            )
            yield awaited, find, _here
    finally:
        _apart = None


SWITCH = 0.0001
"""Seconds a thread holds the interpreter lock before it must offer it to another, while
agreement runs in a thread (Python's default is 5 ms). Agreement is NumPy passes, which
run without the lock, joined by a little Python, which needs it: with the default, the
thread waited up to 5 ms for the lock after each pass while the build ran Python (a
10,000-article rebuild, interleaved runs: compare stage median 0.98 -> 0.86 s with 0.5
ms; 0.1 ms against 0.5 ms, two batches of 5 and 8 interleaved runs on a slow day,
since the build process also finds the topics' quotes and timelines meanwhile: compare
stage medians 1,070 and 979 -> 952 and 957 ms, the whole rebuild 3.65 and 3.42 -> 3.49
and 3.32 s; 20 us was no better). The
setting is the process's, so it applies to every thread meanwhile (`digest serve`'s
server threads too, which only hand the lock over more often)."""


@contextmanager
def _switching(interval: float) -> Iterator[None]:
    """The switch interval set for the block. Process-wide: it assumes one build at a
    time in a process, as the command line and `digest serve` (which builds from one
    thread) run them; the interval is put back however the block ends."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _here(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    result = function(*args)
    return lambda: result


_apart: tuple[SentenceTerms, Overlaps] | None = None
"""The forked process's inputs: set before it forks, so they are inherited, not sent."""


def _agree_apart() -> Found:
    """Agreement without its corpus, which the build process has already."""
    assert _apart is not None, "forked without its inputs"
    index, overlaps = _apart
    return agree(index.corpus, index.weights.idf, previous=overlaps)


def _find_apart(among: Flags | None) -> list[tuple[int, int]]:
    """The second half of the copies (the caller finds the first)."""
    assert _apart is not None, "forked without its inputs"
    return find_copies(_apart[0].corpus, among, part=(1, 2))
