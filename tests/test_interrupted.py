"""A build killed half-way must leave the previous site exactly as it was.

The dangerous moment is the write stage, when the new site is on its way to disk: the
test waits for the staging folder to appear, kills the build with SIGKILL (no cleanup
code runs), and compares the previous output byte for byte. The next build must clear
what the killed one left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest.build import build
from digest.write import MARKER, finish, recover
from tests.conftest import SiteMaker

CONFIG = """
title: Harbour watch
topics:
  - name: Harbour
    keywords: [harbour]
"""
STATIC_FILES = 2000
"""Enough files that writing the site takes long enough to be interrupted reliably."""


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(root: Path) -> list[str]:
    staged = (p.name for p in root.iterdir() if ".digest-" in p.name)
    return sorted(name for name in staged if name != ".digest-cache")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_build_leaves_the_previous_output_and_the_next_build_cleans_up(
    make_site: SiteMaker,
) -> None:
    config = make_site(CONFIG, {"a.txt": "The harbour reopened on Sunday after repairs.\n"})
    root = config.parent
    static = root / "static" / "archive"
    static.mkdir(parents=True)
    for number in range(STATIC_FILES):
        (static / f"notice-{number:04}.txt").write_text(f"Harbour notice {number}.\n" * 40)
    out = build(config).output_dir
    before = tree(out)
    (root / "content" / "b.txt").write_text("The harbour master resigned on Monday.\n")

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "digest", "build", "--config", str(config)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    staging = f".public.digest-new-{process.pid}"
    deadline = time.monotonic() + 30
    while not (root / staging).exists() and process.poll() is None:
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the build finished before it could be killed"

    assert leftovers(root) == [staging]
    assert tree(out) == before
    assert not any(".digest-" in name for name in tree(out))

    result = build(config)
    assert leftovers(root) == []
    assert result.articles == 2
    assert "articles/b.html" in tree(out)


def test_a_swap_cut_between_its_two_renames_gets_the_previous_site_back(
    make_site: SiteMaker,
) -> None:
    config = make_site(CONFIG, {"a.txt": "The harbour reopened on Sunday after repairs.\n"})
    out = build(config).output_dir
    before = tree(out)
    # What a kill between `out -> .old` and `.new -> out` leaves: no output, two folders
    # of a process that no longer exists (no pid is this large).
    dead = 2**31 - 1
    out.rename(out.parent / f".public.digest-old-{dead}")
    (out.parent / f".public.digest-new-{dead}").mkdir()
    (out.parent / f".public.digest-new-{dead}" / MARKER).write_text("{}")
    finish(recover(out))
    assert tree(out) == before
    assert leftovers(out.parent) == []


def test_folders_of_a_running_build_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "public"
    mine = tmp_path / f".public.digest-new-{os.getpid()}"
    mine.mkdir()
    assert recover(out) == []
    assert mine.is_dir()


def test_the_command_line_leaves_the_old_output_to_rm(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`digest build` ends while `rm` deletes the previous output; `build()`, which a
    long-lived process (serve) calls, waits for it. A leftover is the next build's."""
    from digest import write
    from digest.cli import main

    config = make_site(CONFIG, {"a.txt": "The harbour reopened on Monday, officials said.\n"})
    started: list[list[str]] = []
    waited: list[list[str]] = []
    real = subprocess.Popen

    class Watched(real):  # type: ignore[type-arg, misc]
        def __init__(self, args: list[str], **options: object) -> None:
            super().__init__(args, **options)
            started.append(args)

        def wait(self, timeout: float | None = None) -> int:
            waited.append(self.args)
            return super().wait(timeout)

    monkeypatch.setattr(write.subprocess, "Popen", Watched)
    out = config.parent / "public"
    for run in range(2):
        text = f"The harbour reopened on day {run}, officials said.\n"
        (config.parent / "content" / "a.txt").write_text(text)
        assert main(["build", "--config", str(config)]) == 0
    assert started and waited == []
    from digest import heap

    assert heap._UNTIL_EXIT == []  # kept only in a process that ends with the command
    (config.parent / "content" / "a.txt").write_text("The harbour reopened on day 3.\n")
    before = len(started)
    build(config)
    # It waits for the site it replaced and for any leftover it found (the command
    # line's `rm` may still be deleting the site before).
    assert waited == started[before:] and started[-1][-1].startswith(str(config.parent))
    assert not list(config.parent.glob(".public.digest-old-*"))
    assert b"day 3" in (out / "articles" / "a.html").read_bytes()


def test_a_leftover_beside_a_whole_site_is_deleted_beside_the_build(tmp_path: Path) -> None:
    # What the command line's `rm` may still be deleting when the next build starts:
    # the next build does not wait for it, it deletes it beside itself.
    out = tmp_path / "public"
    out.mkdir()
    (out / MARKER).write_text("{}")
    dead = 2**31 - 1
    leftover = tmp_path / f".public.digest-old-{dead}"
    (leftover / "articles").mkdir(parents=True)
    for number in range(50):
        (leftover / "articles" / f"a{number}.html").write_text("<p>old</p>")
    removals = recover(out)
    assert len(removals) == 1
    if isinstance(removals[0], subprocess.Popen):
        assert removals[0].args[-1] == str(leftover)
    finish(removals)
    assert not leftover.exists()
    assert (out / MARKER).read_text() == "{}"
