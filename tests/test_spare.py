"""The spare process computes the agreement the build would have computed itself, and
the build copes when it cannot."""

from __future__ import annotations

import os
import platform
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from digest import beside, spare
from digest.agreement import Agreement, SentenceTerms, agree, compare
from digest.cli import main
from digest.overlaps import NONE
from tests.conftest import copy_example, recorded
from tests.test_agreement import load


def _same(found: tuple[object, ...], expected: tuple[object, ...]) -> None:
    *arrays, overlaps = found
    *wanted, wanted_overlaps = expected
    for got, want in zip(arrays, wanted, strict=True):
        assert np.array_equal(got, want)  # type: ignore[arg-type]
    for name in ("names", "counts", "shared_start", "shared"):
        assert np.array_equal(getattr(overlaps, name), getattr(wanted_overlaps, name))


def _started() -> spare.Spare:
    helper = spare.start_spare()
    assert helper is not None
    return helper


def _beside(index: SentenceTerms, helper: spare.Spare) -> Agreement:
    """The agreement a rebuild's compare stage gets with `helper` as its spare."""
    with beside.start(index, NONE, False, helper) as (agreement_of, _, _):
        return agreement_of()


@pytest.fixture
def index() -> SentenceTerms:
    return load()[0]


def test_the_spare_process_finds_the_agreement_computed_here(index: SentenceTerms) -> None:
    corpus, idf = index.corpus, index.weights.idf
    before = compare(index)
    helper = _started()
    try:
        waiting = helper.agree(corpus, idf, before.overlaps)
        assert waiting is not None
        found = waiting()
        assert found is not None
        _same(found, agree(corpus, idf, previous=before.overlaps))
        assert len(found[5].names) > 0  # the overlaps came back, not only the statements
        assert helper.agree(corpus, idf, NONE) is None  # one computation each
    finally:
        helper.close()


def test_ready_says_without_waiting_whether_the_answer_has_come(
    index: SentenceTerms,
) -> None:
    # The compare stage loads analyses while it waits (`ArticleStore.preload`) and asks
    # between two whether agreement has come: never blocked, never told too early.
    helper = _started()
    try:
        os.kill(helper._pid, signal.SIGSTOP)  # computing, for as long as it is stopped
        waiting = helper.agree(index.corpus, index.weights.idf, NONE)
        assert waiting is not None
        started = time.monotonic()
        assert not helper.ready()
        assert time.monotonic() - started < 0.1
        os.kill(helper._pid, signal.SIGCONT)
        deadline = time.monotonic() + 10
        while not helper.ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert helper.ready()
        assert waiting() is not None
        assert helper.ready()  # its pipes are closed now: nothing to wait for
    finally:
        helper.close()


def test_a_build_whose_spare_died_computes_agreement_itself(index: SentenceTerms) -> None:
    expected = compare(index)
    helper = _started()
    os.kill(helper._pid, signal.SIGKILL)
    found = _beside(index, helper)
    helper.close()
    assert np.array_equal(found.statement, expected.statement)
    assert np.array_equal(found.links, expected.links)


def test_a_spare_that_does_not_answer_is_ended_and_agreement_computed_here(
    index: SentenceTerms, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spare, "PATIENCE", 0.2)
    helper = _started()
    os.kill(helper._pid, signal.SIGSTOP)  # alive, and never answering
    found = _beside(index, helper)
    assert np.array_equal(found.statement, compare(index).statement)
    with pytest.raises(ChildProcessError):
        os.waitpid(helper._pid, os.WNOHANG)  # ended and waited for already
    helper.close()


def test_columns_too_large_to_share_are_computed_here(
    index: SentenceTerms, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spare, "CAPACITY", 4096)
    helper = _started()
    assert helper.agree(index.corpus, index.weights.idf, NONE) is None
    helper.close()
    assert np.array_equal(_beside(index, helper).statement, compare(index).statement)


def test_arrays_come_back_as_they_were_put() -> None:
    import mmap

    memory = mmap.mmap(-1, 1 << 16)
    arrays = {
        "flags": np.array([True, False, True]),
        "pairs": np.arange(12, dtype=np.uint64).reshape(6, 2),
        "empty": np.zeros((0, 2), np.int32),
        "ints": np.array([5, -1, 7], np.int32),
    }
    placed = spare.put(memory, 3, arrays)
    assert placed is not None
    layout, end = placed
    assert all(at % 64 == 0 for _, at, _, _ in layout)
    back = spare.take(memory, layout)
    for name, array in arrays.items():
        assert back[name].dtype == array.dtype and back[name].shape == array.shape
        assert np.array_equal(back[name], array)
    assert end <= len(memory)
    assert spare.put(memory, len(memory) - 8, {"big": np.zeros(100, np.int64)}) is None


def test_a_rebuild_asks_the_spare_and_leaves_no_process_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = copy_example(tmp_path)
    asked = recorded(monkeypatch, spare.Spare, "agree")
    started: list[spare.Spare] = []
    start = spare.start_spare

    def counted() -> spare.Spare | None:
        helper = start()
        if helper is not None:
            started.append(helper)
        return helper

    monkeypatch.setattr(spare, "start_spare", counted)
    assert main(["build", "--config", str(config)]) == 0
    (tmp_path / "content" / "extra.md").write_text(
        "---\ntitle: Extra\nsource: Wire\ndate: 2022-02-01\n---\n\n"
        "Officials said the ferry would sail again on Monday after the repairs.\n",
        encoding="utf-8",
    )
    assert main(["build", "--config", str(config)]) == 0  # a rebuild
    assert len(asked) == 2  # the first build and the rebuild, each with a few articles
    assert main(["build", "--config", str(config)]) == 0  # a no-op
    assert len(asked) == 2
    assert len(started) == 3  # the no-op build's too, ended unasked
    for helper in started:
        with pytest.raises(ChildProcessError):
            os.waitpid(helper._pid, os.WNOHANG)  # ended and waited for
    # The same site as one built here alone, without cache or spare.
    alone = tmp_path / "alone"
    assert (
        main(["build", "--config", str(config), "--no-cache", "--jobs", "1", "-o", str(alone)]) == 0
    )
    assert _files(alone) == _files(tmp_path / "public")


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


_ALLOCATE = """
import resource, sys
import numpy as np
from digest import spare
if sys.argv[1] == "ready":
    spare._ready_heap(64 * 2**20)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
arrays = [np.ones(2**21, np.uint8) for _ in range(16)]  # 32 MB as agreement's passes
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _kernel() -> tuple[int, ...]:
    numbers = re.match(r"(\d+)\.(\d+)", platform.release())
    return tuple(map(int, numbers.groups())) if numbers else (0, 0)


@pytest.mark.skipif(
    sys.platform != "linux" or _kernel() < (5, 14),
    reason="glibc's heap, and Linux's MADV_POPULATE_WRITE (5.14)",
)
def test_the_readied_heap_gives_large_arrays_pages_without_faults() -> None:
    def faults(mode: str) -> int:
        run = subprocess.run(
            [sys.executable, "-c", _ALLOCATE, mode], capture_output=True, text=True, check=True
        )
        return int(run.stdout)

    # Each page of a fresh array faults when first written (8,192 pages here); in the
    # heap the spare readied while it waited, they have their pages already.
    assert faults("fresh") > 4000
    assert faults("ready") < 500
