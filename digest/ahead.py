"""The previous output linked into the next staging folder, ahead of the build.

A rebuild keeps most pages as they were: hard links from the previous output into the
staging folder (`write.Staging`), one system call each, 14,000 on a site of 10,000
articles (a fifth of a second of a one-article rebuild, spent after the plan, on one
CPU). They need nothing the build computes, only the listing of the previous output
that the no-op check has just taken. So the command line forks a process as soon as the
check has failed, before it loads the build's modules (a small process forks in a
millisecond), and that process links every file of the listing on the other CPU while
this one imports, loads its state and compares. `Staging` then adopts the folder:
unchanged pages stay as they are, a file written again replaces its link, and what the
build no longer makes is deleted before the swap; or, when the previous output turns
out not to be reusable after all, the folder is deleted beside the build.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path


class Ahead:
    """The folder a forked process is filling with links to the previous output."""

    def __init__(self, out: Path, folder: Path, paths: tuple[str, ...], pid: int) -> None:
        self.out = out
        self.folder = folder
        self.paths = paths
        """Every file linked (output paths with '/'), once `ready` says so."""
        self._pid = pid
        self._status: int | None = None
        self.adopted = False
        """Set by the staging folder that took it over; else `close` deletes it."""

    def ready(self) -> bool:
        """Wait until the process is done; whether it linked every file."""
        if self._status is None:
            try:
                _, status = os.waitpid(self._pid, 0)
                self._status = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                self._status = -1
        return self._status == 0

    def close(self) -> None:
        """Delete the folder, unless a build adopted it (it is then the new output, or
        the build deleted it, or its own staging folder took its place and name, and is
        gone by now: committed or deleted). Deleted before returning: a
        build that failed leaves nothing beside the output (and one that could not
        reuse the previous output, which is rare, pays for the links it did not use)."""
        if self.adopted:
            return
        self.ready()
        shutil.rmtree(self.folder, ignore_errors=True)


def link_ahead(out: Path, files: Iterable[str]) -> Ahead | None:
    """Fork a process that links `files` of the output folder `out` into a new folder
    beside it; None where that is not possible or not worth it (no fork, links not
    relative to open folders, one CPU)."""
    if not hasattr(os, "fork") or os.link not in os.supports_dir_fd or _cpus() < 2:
        return None
    # The staging folder's own name: a build killed meanwhile leaves what it always
    # leaves, which the next one deletes (`write.recover`).
    folder = out.parent / f".{out.name}.digest-new-{os.getpid()}"
    paths = tuple(files)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked process (its work is tested through Ahead)
        code = 1
        try:
            _link_all(out, folder, paths)
            code = 0
        finally:
            os._exit(code)
    return Ahead(out, folder, paths, pid)


def _link_all(out: Path, folder: Path, paths: tuple[str, ...]) -> None:
    """Any failure (the folder exists, a file is gone, no hard links) raises: the build
    then starts a staging folder of its own."""
    folder.mkdir()
    made = {""}
    old = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        new = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for path in paths:
                parent = path.rpartition("/")[0]
                if parent not in made:
                    os.makedirs(folder / parent, exist_ok=True)
                    made.add(parent)
                os.link(path, path, src_dir_fd=old, dst_dir_fd=new)
        finally:
            os.close(new)
    finally:
        os.close(old)


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
