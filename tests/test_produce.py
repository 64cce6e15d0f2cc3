"""A rebuild makes the files beside the pages (digest.json, the search index, feeds) and
stores its answers in a process forked before the plan: what that process does must
reach the site and the next build, and its failure must fail the build cleanly."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

import digest.build as build_module
import digest.prepare as prepare_module
import digest.produce as produce_module
from digest.build import build
from digest.cache import FOLDER, code_fingerprint
from digest.config import load_config
from digest.errors import DigestError
from digest.processes import cpu_count
from digest.schema import as_json
from digest.state import State, StateStore
from tests.conftest import HARBOUR_AND_COUNCIL, SiteMaker, short_reports
from tests.test_incremental import cold, tree

pytestmark = pytest.mark.skipif(cpu_count() < 2, reason="the process forks only with two CPUs")


@pytest.fixture
def site(make_site: SiteMaker) -> Path:
    """Eight articles on two topics, built once, cold, in one process."""
    config = make_site(
        HARBOUR_AND_COUNCIL.format(title="Beside", slug="beside"), short_reports(8, 3)
    )
    build(config, jobs=1)
    return config


def stored_state(config: Path) -> State:
    """The state the next build of the site will start from."""
    settings = load_config(config, None, None).config
    analysis = as_json(settings, prepare_module._ANALYSIS_CONFIG)
    folder = config.parent / FOLDER
    return StateStore(folder, f"{code_fingerprint()}{analysis}".encode()).load()


def edit(config: Path, name: str, words: str) -> None:
    path = config.parent / "content" / name
    path.write_text(path.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


def test_its_files_and_state_reach_the_site_and_the_next_build(
    site: Path, tmp_path: Path, forks: list[object]
) -> None:
    edit(site, "a3.md", "A second ferry was added to the harbour timetable.")
    build(site, jobs=2)
    assert len(forks) == 1
    out = site.parent / "public"
    assert tree(out) == cold(site, tmp_path)  # digest.json, index, feeds, sitemap included
    assert b"second ferry" in (out / "digest.json").read_bytes()
    # The answers it stored survive this process's pruning: the next build starts from
    # every article's entry, the edited one's included, not from an empty corpus.
    state = stored_state(site)
    keys = {e.key for e in state.corpus.entries}
    assert len(keys) == 8 and keys == {key for _, key in state.files.values()}
    edit(site, "a4.md", "The council will vote again next week.")
    result = build(site, jobs=2)
    assert len(forks) == 2
    assert 0 < result.rendered < result.pages / 2
    assert tree(out) == cold(site, tmp_path)


@pytest.mark.parametrize("failure", ["error", "death"])
def test_its_failure_fails_the_build_and_leaves_the_site(
    site: Path, forks: list[object], monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    out = site.parent / "public"
    site_before = tree(out)

    def broken(*args: Any, **kwargs: Any) -> object:
        if failure == "death":
            os._exit(3)
        raise DigestError("cannot write digest.json", "public/digest.json")

    monkeypatch.setattr(produce_module, "other_files", broken)
    edit(site, "a3.md", "A second ferry was added to the harbour timetable.")
    expected = DigestError if failure == "error" else RuntimeError
    with pytest.raises(expected, match=r"digest\.json"):
        build(site, jobs=2)
    assert len(forks) == 1
    assert tree(out) == site_before
    assert multiprocessing.active_children() == []
    assert not list(site.parent.glob(".public.digest-*"))


def test_a_failure_here_ends_it(
    site: Path, forks: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = site.parent / "public"
    site_before = tree(out)

    def failing_plan(*args: Any, **kwargs: Any) -> object:
        raise DigestError("the plan failed")

    monkeypatch.setattr(build_module, "plan", failing_plan)
    edit(site, "a3.md", "A second ferry was added to the harbour timetable.")
    with pytest.raises(DigestError, match="the plan failed"):
        build(site, jobs=2)
    assert len(forks) == 1
    assert multiprocessing.active_children() == []
    assert tree(out) == site_before
    assert not list(site.parent.glob(".public.digest-*"))


def test_a_failure_here_ends_it_while_it_sends_a_large_reply(
    site: Path, forks: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its reply (where every article's fragments sit: a megabyte at 10,000 articles)
    can outgrow the pipe; blocked sending it, it is still ended when this process fails
    before reading it, and the build does not hang."""

    def large(*args: Any, **kwargs: Any) -> object:
        return {}, {}, [f"pages/page-{n}.html" for n in range(20_000)]

    def failing_plan(*args: Any, **kwargs: Any) -> object:
        time.sleep(0.5)  # long enough for it to fill the pipe and wait
        raise DigestError("the plan failed")

    def hung(*_: object) -> None:
        # Not a TimeoutError: an OSError raised in the wait for a child is swallowed.
        raise AssertionError("the build hung waiting for it")

    monkeypatch.setattr(produce_module, "_others", large)
    monkeypatch.setattr(build_module, "plan", failing_plan)
    edit(site, "a3.md", "A second ferry was added to the harbour timetable.")
    before = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        with pytest.raises(DigestError, match="the plan failed"):
            build(site, jobs=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
        for child in multiprocessing.active_children():
            child.kill()
    assert len(forks) == 1
    assert not list(site.parent.glob(".public.digest-*"))
