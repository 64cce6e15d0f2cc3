"""A second process, forked at the start of a build, that computes agreement for it.

Agreement (`agreement.py`) is NumPy passes over the whole corpus, and while it runs the
compare stage finds copies, quotations and each topic's coverage, which is Python. In a
thread of the build process the two share one interpreter lock: agreement's passes wait
for it between passes, and a one-article rebuild of 10,000 articles took 0.49 s for what
takes 0.33 s alone. A process forked from the build there would not share the lock,
but everything the build process holds then becomes copy-on-write, and each page it
touches afterwards is copied again (a one-article rebuild: 0.1 to 0.4 s slower).

So the command line forks this process before the build loads anything (a small process
forks in a millisecond). It loads NumPy and the agreement code at a low priority, on
whatever CPU the build leaves free, readies the memory agreement will use (see
`_ready_heap`), then waits. When the build asks, it puts the corpus' stem columns and
the last build's overlaps in memory the two processes share (mapped before the fork),
and this process answers with the agreement's arrays the same way. The answer is the
one the build would have computed itself; if this process is gone, or the arrays do not
fit, the build computes it itself.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import select
import signal
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

from digest.processes import cpu_count

if TYPE_CHECKING:  # NumPy is loaded by the process, after the fork
    import numpy.typing as npt

    from digest.agreement import Columns, Found
    from digest.overlaps import Overlaps

CAPACITY = 256 * 2**20
"""Bytes of shared memory, for the request and the answer together (a site of 10,000
articles needs 40 MB; pages are only given memory as they are written)."""

_LOAD = "load"

PATIENCE = 120.0
"""Seconds the build waits for the answer before it ends the process and computes
agreement itself (a site of 10,000 articles takes a third of a second): a process
that is stuck must not hold the build forever."""

Layout = list[tuple[str, int, str, tuple[int, ...]]]
"""Arrays in shared memory: name, offset, dtype and shape of each."""

_COLUMNS = ("prose", "stem_start", "stems", "stem_sets", "vocabulary", "article_of", "id_rank")
_OVERLAPS = ("names", "counts", "shared_start", "shared")
_FOUND = ("statement", "member_start", "members", "link_start", "links")


class Spare:
    """The process, seen from the build: `agree` hands it one computation."""

    def __init__(self, pid: int, requests: BinaryIO, answers: BinaryIO, memory: mmap.mmap):
        self._pid = pid
        self._requests = requests
        self._answers = answers
        self._memory = memory
        self._used = False
        self._answered = False
        self._loading = False

    def load(self, expect: int = 0) -> None:
        """Let it load its modules now: once this process has loaded its own, so the
        two do not take turns at the same CPUs while the build starts (the no-op
        check's process has the other one then). `expect`: bytes of columns the build
        expects to share (`spare_columns`), whose pages it readies meanwhile."""
        if not self._loading:
            self._loading = True
            with contextlib.suppress(OSError):
                pickle.dump((_LOAD, expect), self._requests)
                self._requests.flush()

    def agree(
        self, corpus: Columns, idf: npt.NDArray[Any], previous: Overlaps
    ) -> Callable[[], Found | None] | None:
        """Start agreement (`agreement.agree`) there; what waits for its `Found`. None,
        and the process told to end, when it was used already or the arrays do not fit."""
        if self._used:
            return None
        self.load()
        self._used = True
        arrays: dict[str, npt.NDArray[Any]] = {name: getattr(corpus, name) for name in _COLUMNS}
        arrays |= {"idf": idf} | {f"previous.{n}": getattr(previous, n) for n in _OVERLAPS}
        placed = put(self._memory, 0, arrays)
        try:
            if placed is None:
                raise OSError("too large to share")
            layout, end = placed
            pickle.dump((layout, len(corpus.entries), end), self._requests)
            self._requests.flush()
        except OSError:
            self.close()
            return None

        def found() -> Found | None:
            from digest.overlaps import Overlaps

            answer = None
            try:
                if select.select([self._answers], [], [], PATIENCE)[0]:
                    answer = pickle.load(self._answers)
                    self._answered = True
            except (OSError, EOFError, pickle.UnpicklingError, ValueError):
                pass
            if answer is None:
                self.close()  # gone, or stuck: ended, and the build computes it itself
                return None
            self._close_pipes()  # it ends by itself now: reaped by `close`, later
            got = {name: array.copy() for name, array in take(self._memory, answer).items()}
            overlaps = Overlaps(*(got[n] for n in _OVERLAPS))
            statement, member_start, members, link_start, links = (got[n] for n in _FOUND)
            return statement, member_start, members, link_start, links, overlaps

        return found

    def ready(self) -> bool:
        """Whether its answer (or its end) has come, so that taking it would not wait."""
        try:
            return bool(select.select([self._answers], [], [], 0)[0])
        except (OSError, ValueError):
            return True  # its pipe is closed: nothing to wait for

    def close(self) -> None:
        """End it: once it has answered it ends by itself; before, it is still loading
        or computing what nobody will take (a no-op build, a large cold build, a failed
        one), and is not waited for."""
        if not self._answered:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        self._close_pipes()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)

    def _close_pipes(self) -> None:
        for pipe in (self._requests, self._answers):
            with contextlib.suppress(OSError):
                pipe.close()


def spare_columns(corpus: Columns) -> int:
    """About the bytes of shared memory a build of `corpus` (the last build's) needs:
    the process gives them pages while it waits, since writing a page the first time
    costs most of copying the columns in (38 ms of a 10,000-article rebuild); none
    before a first build, whose workers want every CPU meanwhile."""
    return int(sum(getattr(corpus, name).nbytes for name in _COLUMNS) * 2)


def start_spare() -> Spare | None:
    """Fork the process; None where a process cannot fork, or on one CPU."""
    if not hasattr(os, "fork") or cpu_count() < 2:
        return None
    memory = mmap.mmap(-1, CAPACITY)  # shared with the child: mapped before the fork
    to_child, from_parent = os.pipe()[::-1]
    from_child, to_parent = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked process (tested through Spare)
        code = 1
        try:
            os.close(to_child)
            os.close(from_child)
            _close_others({from_parent, to_parent})
            _serve(os.fdopen(from_parent, "rb"), os.fdopen(to_parent, "wb"), memory)
            code = 0
        finally:
            os._exit(code)
    os.close(from_parent)
    os.close(to_parent)
    return Spare(pid, os.fdopen(to_child, "wb"), os.fdopen(from_child, "rb"), memory)


def _serve(requests: BinaryIO, answers: BinaryIO, memory: mmap.mmap) -> None:  # pragma: no cover
    """The process: when told to, load and ready the shared memory; then answer the one
    request, if one comes."""
    os.nice(10)  # on a CPU the build leaves free, not on the build's own
    try:
        told, expect = pickle.load(requests)
        if told != _LOAD:
            return
        from digest.agreement import agree
        from digest.overlaps import Overlaps

        _populate(memory, min(len(memory), expect))
        _ready_heap(max(HEAP, 2 * expect))
        layout, articles, end = pickle.load(requests)
    except (EOFError, OSError, pickle.UnpicklingError):
        return  # the build had nothing to ask
    try:
        arrays = take(memory, layout)
        previous = Overlaps(*(arrays[f"previous.{n}"] for n in _OVERLAPS))
        found = agree(_Columns(arrays, articles), arrays["idf"], previous=previous)
        out = dict(zip(_FOUND, found[:5], strict=True))
        out |= {n: getattr(found[5], n) for n in _OVERLAPS}
        placed = put(memory, end, out)
        pickle.dump(None if placed is None else placed[0], answers)
    except Exception:
        pickle.dump(None, answers)  # the build computes it itself
    answers.flush()


class _Columns:
    """The corpus' columns as `agreement.Columns`, read from shared memory."""

    def __init__(self, arrays: Mapping[str, npt.NDArray[Any]], articles: int) -> None:
        self.entries = range(articles)
        self.prose = arrays["prose"]
        self.stem_start = arrays["stem_start"]
        self.stems = arrays["stems"]
        self.stem_sets = arrays["stem_sets"]
        self.vocabulary = arrays["vocabulary"]
        self.article_of = arrays["article_of"]
        self.id_rank = arrays["id_rank"]


def put(
    memory: mmap.mmap, start: int, arrays: Mapping[str, npt.NDArray[Any]]
) -> tuple[Layout, int] | None:
    """Copy the arrays into `memory` from `start`, each at a 64-byte boundary; where
    each went, and where the last ends. None if they do not fit."""
    import numpy as np

    layout: Layout = []
    at = start
    for name, array in arrays.items():
        at = -(-at // 64) * 64
        if at + array.nbytes > len(memory):
            return None
        if array.size:
            target = np.frombuffer(memory, array.dtype, array.size, at)
            target[:] = array.ravel()
        layout.append((name, at, array.dtype.str, array.shape))
        at += array.nbytes
    return layout, at


def take(memory: mmap.mmap, layout: Layout) -> dict[str, npt.NDArray[Any]]:
    """The arrays `put` placed, as views of `memory`."""
    import numpy as np

    arrays = {}
    for name, at, dtype, shape in layout:
        count = int(np.prod(shape, dtype=np.int64))
        if count:
            view = np.frombuffer(memory, np.dtype(dtype), count, at).reshape(shape)
        else:
            view = np.zeros(shape, np.dtype(dtype))
        arrays[name] = view
    return arrays


_POPULATE_WRITE = 23
"""Linux's MADV_POPULATE_WRITE (5.14 and later; Python 3.11's mmap does not name it)."""


def _populate(memory: mmap.mmap, size: int) -> None:  # pragma: no cover - in the process
    """Give the first `size` bytes of the shared memory their pages, as writing them
    would but without writing (the build may be copying its arrays in meanwhile); on
    other systems or older kernels the build's copy gives them pages instead."""
    if sys.platform == "linux" and size > 0:
        with contextlib.suppress(OSError, ValueError):
            memory.madvise(_POPULATE_WRITE, 0, size)


HEAP = 96 * 2**20
"""Bytes of heap the process gives pages to while it waits, at least: about what
agreement's passes allocate and free (at 1,000 articles and at 10,000 alike: 19,000
pages each time)."""

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_HEAP_BLOCK = 24 * 2**20
"""glibc's `mallopt` parameters, and a size it allocates from its heap once told to."""


def _ready_heap(size: int) -> None:  # pragma: no cover - in the process
    """Give `size` bytes of this process's heap their pages now, while it waits, and
    have glibc keep them and allocate NumPy's large arrays from them: agreement's passes
    then write to memory that has pages. Left to glibc, each large array is mapped
    afresh and each of its pages faults when first written: 19,000 faults, 30 to 130
    ms of an agreement that then took 250 to 460 ms (a one-article rebuild of 10,000,
    interleaved runs); with the pages given here, 280 faults and 215 to 245 ms, and
    the build waited 0 to 37 ms for it instead of 25 to 210. (Asked for at once, the
    kernel gives 96 MB its pages in 50 ms of this process's time.) Elsewhere than
    glibc on Linux, nothing is done."""
    if sys.platform != "linux":
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        mallopt, malloc, free, madvise = libc.mallopt, libc.malloc, libc.free, libc.madvise
    except (OSError, AttributeError):
        return
    # Freed memory stays in the heap, and blocks up to twice _HEAP_BLOCK come from it.
    if not (mallopt(_M_TRIM_THRESHOLD, 2**30) and mallopt(_M_MMAP_THRESHOLD, 2 * _HEAP_BLOCK)):
        return
    malloc.restype, malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    free.argtypes = [ctypes.c_void_p]
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    blocks = [malloc(_HEAP_BLOCK) for _ in range(-(-size // _HEAP_BLOCK))]
    page = mmap.PAGESIZE
    for block in blocks:
        if block:
            start = -(-block // page) * page
            madvise(start, (block + _HEAP_BLOCK - start) // page * page, _POPULATE_WRITE)
    for block in blocks:
        free(block)  # kept by the heap, with their pages, for the arrays to come


def _close_others(keep: set[int]) -> None:  # pragma: no cover - in the forked process
    """Close every other descriptor the build process had open (the no-op check's pipe
    among them), so none is held open by this process past the build's own use."""
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    for fd in open_fds:
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
