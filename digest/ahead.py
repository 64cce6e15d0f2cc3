"""The no-op check, then the previous output listed and linked into the next staging
folder, ahead of the build.

A rebuild keeps most pages as they were: hard links from the previous output into the
staging folder (`write.Staging`), one system call each, 14,000 on a site of 10,000
articles (a fifth of a second of a one-article rebuild, spent after the plan, on one
CPU); and before that it looks at every file of the previous output (its size and
time: is it as the last build left it?), 14,000 more. Neither needs anything the build
computes, and neither does the no-op check (the signature of every input file: 0.1 s
at 10,000 articles). So the command line forks a process before it loads the build's
modules (a small process forks in a millisecond): that process checks whether anything
changed and says so, then, if something did, lists the previous output and links every
file of it, on the other CPU, while this one imports, loads its state and compares.
(A no-op build only waits for the answer: at most one module's loading longer than the
check.) `Staging` then adopts the folder: unchanged pages stay as they are, a file
written again replaces its link, and what the build no longer makes is deleted before
the swap; or, when the previous output turns out not to be reusable after all, the
folder is deleted.
"""

from __future__ import annotations

import os
import pickle
import select
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from digest.freshness import Inputs, LastBuild, Listing, check, output_listing
from digest.processes import cpu_count


class Ahead:
    """A forked process working ahead of the build: the no-op check (`look_ahead`),
    then the previous output listed and linked into a staging folder beside it."""

    def __init__(
        self, out: Path | None, pid: int, reading: int, checks: bool, links: bool = True
    ) -> None:
        self.out = out
        """The output folder it links (known once it has checked, for `look_ahead`)."""
        self._links = links
        self._owner = os.getpid()
        self._pid = pid
        self._reading = reading
        self._pipe = os.fdopen(reading, "rb")
        self._checks = checks
        self._checked: tuple[LastBuild | None, Inputs | None] | None = None
        self._listing: Listing | None = None
        self._listed = False
        self._status: int | None = None
        self.adopted = False
        """Set by the staging folder that took it over; else `close` deletes it."""

    @property
    def folder(self) -> Path:
        """The staging folder it fills: named as a build's own (`write.recover` knows
        a killed build's), by the build's process id."""
        assert self.out is not None, "no output folder to link"
        return _folder(self.out, self._owner)

    def answered(self) -> bool:
        """Whether its first answer has come (or it has ended), without waiting."""
        return bool(select.select([self._reading], [], [], 0)[0])

    def checked(self) -> tuple[LastBuild | None, Inputs | None] | None:
        """What the no-op check found (`freshness.check`), once it has; None if it failed."""
        if self._checks and self._checked is None:
            answer = self._receive()
            if isinstance(answer, tuple):
                self._checked = answer
                last, inputs = answer
                changed = last is None and inputs is not None and inputs.listing is None
                if self._links and changed and inputs is not None:
                    self.out = Path(inputs.output[0])
            self._checks = False
        return self._checked

    def listing(self) -> Listing | None:
        """What the process found in the previous output (every file's size and time),
        once it has linked them all; None if it failed or did not link."""
        if not self._listed:
            self.checked()
            self._listed = True
            found = self._receive() if self.out is not None else None
            self._status = _exit_code(self._pid)
            if self._status == 0 and isinstance(found, dict):
                self._listing = found
        return self._listing

    def ready(self) -> bool:
        """Wait until the process is done; whether it linked every file."""
        return self.listing() is not None and self.out is not None and self.out.is_dir()

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
        self._pipe.close()
        if self.out is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _receive(self) -> object:
        try:
            return pickle.load(self._pipe)
        except Exception:  # it failed or died before it answered
            return None


def look_ahead(config: Path, options: Mapping[str, object], link: bool) -> Ahead | None:
    """Fork a process that runs the no-op check and answers, then, when an input has
    changed and `link`, lists the previous output and links its files into a staging
    folder beside it. The caller loads the build's modules meanwhile, until the
    answer is in (a no-op build then only exits: the check took 0.1 s of a
    one-article rebuild of 10,000 articles, which now starts loading at once). None
    where a process cannot fork, or on one CPU (where the two would take turns)."""
    if not hasattr(os, "fork") or cpu_count() < 2:
        return None
    link = link and os.link in os.supports_dir_fd
    owner = os.getpid()

    def work(pipe: BinaryIO) -> None:
        last, inputs = check(config, options)
        # Nothing changed: the build is not made (and one made all the same, with
        # --strict, looks at the output itself), so 24,000 signatures need not travel.
        pickle.dump((last, None if last else inputs), pipe, pickle.HIGHEST_PROTOCOL)
        pipe.flush()
        if link and last is None and inputs is not None and inputs.listing is None:
            _list_and_link(Path(inputs.output[0]), owner, pipe)

    return Ahead(None, *_fork(work), checks=True, links=link)


def link_ahead(out: Path) -> Ahead | None:
    """Fork a process that lists the output folder `out` and links its files into a new
    folder beside it; None where that is not possible or not worth it (no fork, links
    not relative to open folders, one CPU)."""
    if not hasattr(os, "fork") or os.link not in os.supports_dir_fd or cpu_count() < 2:
        return None
    owner = os.getpid()
    return Ahead(out, *_fork(lambda pipe: _list_and_link(out, owner, pipe)), checks=False)


def _fork(work: Callable[[BinaryIO], None]) -> tuple[int, int]:
    """Run `work` in a forked process, writing to a pipe; its process id and the pipe's
    reading end. The process ends when its work does (failing: what it sent so far)."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked process (its work is tested through Ahead)
        code = 1
        try:
            os.close(reading)
            with os.fdopen(writing, "wb") as pipe:
                work(pipe)
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    return pid, reading


def _list_and_link(out: Path, owner: int, pipe: BinaryIO) -> None:
    """The listing of `out`, sent once every file is linked (None when there is no
    output; nothing sent when linking failed: the build then links itself)."""
    listing = output_listing(out)
    if listing is not None:
        _link_all(out, _folder(out, owner), listing)
    pickle.dump(listing, pipe, pickle.HIGHEST_PROTOCOL)


def _folder(out: Path, owner: int) -> Path:
    return out.parent / f".{out.name}.digest-new-{owner}"


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
