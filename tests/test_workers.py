"""The page workers (`workers.py`): chunks shared between this process and forked
workers, each done once; pages for memory sent back; work started ahead of `run`."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

from digest import workers
from digest.theme import load_theme


def _where(chunk: list[object]) -> list[object]:
    return [(os.getpid(), item) for item in chunk]


class _Folder(workers.MemorySink):
    """A sink whose files forked workers' writes would reach, as a folder's do: these
    tests' tasks write nothing."""

    shared = True


def _job(tmp_path: Path, sink: workers.Sink | None = None) -> workers.Job:
    theme = load_theme("default", tmp_path)
    return workers.Job(None, theme, None, sink or _Folder(), None)  # type: ignore[arg-type]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_render_chunks_are_shared_and_each_done_once(tmp_path: Path) -> None:
    # Chunks go to whichever process is free: every item once, by both processes.
    items = list(range(400))
    done = list(workers.run(_where, items, _job(tmp_path), 2))  # type: ignore[arg-type]
    assert sorted(item for _, item in done) == items
    assert len({pid for pid, _ in done}) == 2 and os.getpid() in {pid for pid, _ in done}


def _writing(chunk: list[object]) -> list[object]:
    """A render task that writes one page per item into the job's sink."""
    job = workers.current()
    for item in chunk:
        job.sink.write(f"page-{item}.html", str(os.getpid()).encode())
    return list(chunk)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_pages_a_worker_renders_for_memory_are_sent_back(tmp_path: Path) -> None:
    # `digest check` and `serve` render into memory, which a worker's own writes would
    # never reach: its pages come back with its results.
    sink = workers.MemorySink()
    done = list(workers.run(_writing, list(range(400)), _job(tmp_path, sink), 2))  # type: ignore[arg-type]
    assert sorted(done) == list(range(400))  # type: ignore[type-var]
    assert sorted(sink.files) == sorted(f"page-{n}.html" for n in range(400))
    assert len({data for data in sink.files.values()}) == 2  # both processes rendered


def _waiting(chunk: list[object]) -> list[object]:
    """A render task whose first chunk in each process marks that it started, then
    waits (2 s at most) for `first` to have run; each item says whether it had."""
    folder = Path(str(chunk[0][0]))  # type: ignore[index]
    mine = folder / f"started-{os.getpid()}"
    if not mine.exists():
        mine.touch()
        deadline = time.monotonic() + 2
        while not (folder / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    ran = (folder / "go").exists()
    return [(os.getpid(), ran, item) for _, item in chunk]  # type: ignore[misc]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_first_runs_here_while_the_worker_renders(tmp_path: Path) -> None:
    # The build process makes digest.json and the search index (`first`) while the
    # worker renders list pages: `first` sees the worker at work (not before it
    # started) and the worker sees `first` done (not after it finished).
    items = [(str(tmp_path), n) for n in range(400)]
    worker_seen: list[bool] = []

    def first() -> None:
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not any(tmp_path.glob("started-*")):
            time.sleep(0.01)
        worker_seen.append(any(tmp_path.glob("started-*")))
        (tmp_path / "go").touch()

    done = list(workers.run(_waiting, items, _job(tmp_path), 2, first))  # type: ignore[arg-type]
    assert worker_seen == [True]
    assert sorted(item for _, _, item in done) == list(range(400))
    assert len({pid for pid, _, _ in done}) == 2
    assert all(ran for _, ran, _ in done)  # no process waited for it in vain


@pytest.mark.parametrize("count", [0, 3])
def test_first_runs_once_when_pages_are_too_few_for_workers(tmp_path: Path, count: int) -> None:
    # No list page to render (a rebuild that kept them all) still makes the other files.
    calls: list[int] = []
    items = list(range(count))
    done = list(workers.run(_where, items, _job(tmp_path), 2, lambda: calls.append(1)))  # type: ignore[arg-type]
    assert calls == [1] and [item for _, item in done] == items


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_a_failure_in_first_leaves_no_worker_or_thread(tmp_path: Path) -> None:
    def first() -> None:
        raise OSError("disk full")

    threads = threading.active_count()
    with pytest.raises(OSError, match="disk full"):
        list(workers.run(_where, list(range(400)), _job(tmp_path), 2, first))  # type: ignore[arg-type]
    assert multiprocessing.active_children() == []
    assert threading.active_count() == threads


def test_chunks_shrink_towards_the_end_of_a_pass() -> None:
    # No process is left with a large last chunk while the others wait.
    sizes = [len(c) for c in workers._chunks(list(range(1000)), 2)]
    assert sum(sizes) == 1000
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == 100 and sizes[-1] <= 4


def _marking(chunk: list[object]) -> list[object]:
    """A task that leaves a file per chunk in the folder its items name (a worker
    started ahead has the job it was forked with)."""
    assert workers.current().sink.shared
    folder = Path(str(chunk[0][0]))  # type: ignore[index]
    (folder / f"chunk-{chunk[0][1]}-{os.getpid()}").touch()  # type: ignore[index]
    return [(os.getpid(), item) for _, item in chunk]  # type: ignore[misc]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_workers_started_ahead_work_before_run_and_run_goes_on_with_them(
    tmp_path: Path,
) -> None:
    # The build starts the article pages' workers before the plan: they render while
    # this process does something else, and `run` then shares the rest with them.
    items = [(str(tmp_path), n) for n in range(400)]
    started = workers.start(_marking, items, _job(tmp_path), 2)
    assert started is not None
    deadline = time.monotonic() + 5
    while not list(tmp_path.glob("chunk-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    early = list(tmp_path.glob("chunk-*"))
    assert early and all(not p.name.endswith(f"-{os.getpid()}") for p in early)
    done = list(workers.run(_marking, items, _job(tmp_path), 2, started=started))
    assert sorted(item for _, item in done) == list(range(400))  # type: ignore[misc]
    assert len({pid for pid, _ in done}) == 2  # type: ignore[misc]
    assert multiprocessing.active_children() == []


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_workers_started_ahead_are_ended_by_stop(tmp_path: Path) -> None:
    # A build that fails before it gets to `run` ends them (before it deletes the folder
    # they write into) and leaves no worker or thread behind.
    threads = threading.active_count()
    started = workers.start(_where, list(range(400)), _job(tmp_path), 2)
    assert started is not None
    started.stop()
    assert multiprocessing.active_children() == []
    assert threading.active_count() == threads


def test_nothing_is_started_ahead_that_run_would_not_share(tmp_path: Path) -> None:
    # Too few items, one job, or a sink in memory (whose pages a worker would have to
    # send back, which only `run` collects): `run` does it all as usual.
    assert workers.start(_where, list(range(10)), _job(tmp_path), 2) is None
    assert workers.start(_where, list(range(400)), _job(tmp_path), 1) is None
    memory = _job(tmp_path, workers.MemorySink())
    assert workers.start(_where, list(range(400)), memory, 2) is None
    assert multiprocessing.active_children() == []
