"""The previous output listed and linked into the next staging folder, ahead of the
build.

A rebuild keeps most pages as they were: hard links from the previous output into the
staging folder (`write.Staging`), one system call each, 14,000 on a site of 10,000
articles (a fifth of a second of a one-article rebuild, spent after the plan, on one
CPU); and before that it looks at every file of the previous output (its size and
time: is it as the last build left it?), 14,000 more. Neither needs anything the build
computes. So once the no-op check has found a changed input, the command line forks a
process, before it loads the build's modules (a small process forks in a millisecond),
and that process lists the previous output and links every file of it on the other
CPU while this one imports, loads its state and compares. `Staging` then adopts the
folder: unchanged pages stay as they are, a file written again replaces its link, and
what the build no longer makes is deleted before the swap; or, when the previous output
turns out not to be reusable after all, the folder is deleted.
"""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Iterable
from pathlib import Path

from digest.freshness import Listing, output_listing


class Ahead:
    """The folder a forked process is filling with links to the previous output."""

    def __init__(self, out: Path, folder: Path, pid: int, reading: int) -> None:
        self.out = out
        self.folder = folder
        self._pid = pid
        self._reading = reading
        self._listing: Listing | None = None
        self._status: int | None = None
        self.adopted = False
        """Set by the staging folder that took it over; else `close` deletes it."""

    def listing(self) -> Listing | None:
        """What the process found in the previous output (every file's size and time),
        once it has linked them all; None if it failed."""
        if self._status is None:
            with os.fdopen(self._reading, "rb") as pipe:
                data = pipe.read()
            self._status = _exit_code(self._pid)
            if self._status == 0 and data:
                self._listing = pickle.loads(data)
        return self._listing

    def ready(self) -> bool:
        """Wait until the process is done; whether it linked every file."""
        return self.listing() is not None and self.out.is_dir() and self._status == 0

    @property
    def paths(self) -> list[str]:
        return list(self.listing() or ())

    def close(self) -> None:
        """Delete the folder, unless a build adopted it (it is then the new output, or
        the build deleted it, or its own staging folder took its place and name, and is
        gone by now: committed or deleted). Deleted before returning: a build that
        failed leaves nothing beside the output (and one that could not reuse the
        previous output, which is rare, pays for the links it did not use)."""
        if self.adopted:
            return
        self.listing()
        shutil.rmtree(self.folder, ignore_errors=True)


def link_ahead(out: Path) -> Ahead | None:
    """Fork a process that lists the output folder `out` and links its files into a new
    folder beside it; None where that is not possible or not worth it (no fork, links
    not relative to open folders, one CPU)."""
    if not hasattr(os, "fork") or os.link not in os.supports_dir_fd or _cpus() < 2:
        return None
    # The staging folder's own name: a build killed meanwhile leaves what it always
    # leaves, which the next one deletes (`write.recover`).
    folder = out.parent / f".{out.name}.digest-new-{os.getpid()}"
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked process (its work is tested through Ahead)
        code = 1
        try:
            os.close(reading)
            listing = output_listing(out)
            if listing is not None:
                _link_all(out, folder, listing)
            with os.fdopen(writing, "wb") as pipe:
                pipe.write(pickle.dumps(listing, pickle.HIGHEST_PROTOCOL))
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    return Ahead(out, folder, pid, reading)


def _exit_code(pid: int) -> int:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return -1
    return os.waitstatus_to_exitcode(status)


def _link_all(out: Path, folder: Path, paths: Iterable[str]) -> None:
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
