"""The output folder, written atomically.

The site is rendered into a staging folder beside the output (pages that did not change
are hard links to the previous output's files) and swapped in with two renames. A build
that fails at any point before the swap leaves the previous site exactly as it was;
readers of a served folder never see half a site. digest only ever replaces a folder
it wrote itself (one with digest.json), and never one that holds the project, its
content or its config.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from digest.ahead import Ahead
from digest.config import Site
from digest.errors import DigestError
from digest.splice import Part, write_parts

MARKER = "digest.json"
"""Every digest output has it; a folder without it is not ours to replace."""


def check_output_dir(site: Site) -> None:
    out = site.output_dir
    if out == Path(out.anchor) or out == Path.home():
        raise DigestError(f"refusing to write the site to {out}; choose a folder of its own")
    for name, protected in (
        ("the project folder", site.root),
        ("the content folder", site.content_dir),
        ("config.yaml", site.config_path.resolve()),
    ):
        if protected == out or out in protected.parents:
            raise DigestError(
                f"output folder {out} would replace {name}; set output_dir to a folder of its own"
            )
    if site.content_dir in out.parents:
        raise DigestError("output folder is inside the content folder; move it out", out)
    if out.exists() and not out.is_dir():
        raise DigestError("output path exists and is not a folder", out)
    # What an interrupted build left is put right when the staging folder is made; the
    # one thing it may do to `out` is restore it where it is missing, which passes this.
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise DigestError(
            f"refusing to replace {out}: it is not empty and was not written by digest "
            f"(no {MARKER}); empty it or choose another output folder"
        )


Removal = subprocess.Popen[bytes] | threading.Thread
"""A folder being deleted beside the build (see `_remove_beside`)."""


def recover(out: Path) -> list[Removal]:
    """Undo what an interrupted build (killed, power cut) left beside the output.

    A build killed while writing leaves its staging folder; one killed between the two
    renames of the swap leaves the previous site under its temporary name, with no
    output folder. Put that previous site back and start deleting the rest, beside the
    build (`finish` waits). Folders of a build that is still running (its process id is
    alive) are left alone. The most common leftover is no accident: a command line
    build returns while `rm` still deletes the site it replaced, and the next build,
    started at once, finds that folder; deleting it here would be waiting for it.
    """
    removals = []
    for kind in ("old", "new"):
        for folder in sorted(out.parent.glob(f".{out.name}.digest-{kind}-*")):
            pid = folder.name.rsplit("-", 1)[-1]
            if not pid.isdigit() or _alive(int(pid)) or not folder.is_dir():
                continue
            if kind == "old" and not out.exists() and (folder / MARKER).is_file():
                folder.rename(out)
            else:
                removals.append(_remove_beside(folder))
    return removals


def finish(removals: Sequence[Removal]) -> None:
    """Wait until the folders are deleted."""
    for removal in removals:
        if isinstance(removal, threading.Thread):
            removal.join()
        else:
            removal.wait()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False  # no harmless liveness probe; one build per output folder at a time
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def collect_static(static_dirs: tuple[Path, ...]) -> dict[str, bytes]:
    """Theme and site static files under `static/`, later folders overriding earlier."""
    files: dict[str, bytes] = {}
    for folder in static_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files["static/" + path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


class Staging:
    """The next output folder, filled beside the current one and swapped in at the end.

    `write` adds a file; `keep` takes the current output's file at the same path as it
    is, by a hard link (no copy, and the current output stays untouched). Worker
    processes forked from the build write into the same folder. Nothing replaces the
    current output until `commit`; `abort` (or a crash) leaves it exactly as it was.
    """

    shared = True
    """Workers forked from the build write their pages into the folder themselves."""

    def __init__(self, out: Path, reuse: bool, ahead: Ahead | None = None) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        self._removals = recover(out)
        self.out = out
        self._reuse = reuse and out.is_dir()
        self._made: set[str] = {""}
        self.kept: set[str] = set()
        """The files kept from the previous output (by this process)."""
        self.linked: set[str] = set()
        """Files of the previous output linked ahead (`ahead.py`) and not yet kept or
        written by this process."""
        self._owner = os.getpid()
        if ahead is not None and self._reuse and ahead.out == out and ahead.ready():
            ahead.adopted = True
            self.folder = ahead.folder
            self.linked = set(ahead.paths)
            self._made |= {path.rpartition("/")[0] for path in self.linked}
            return
        if ahead is not None:
            ahead.ready()  # its process is done with the folder this one may replace
        self.folder = out.parent / f".{out.name}.digest-new-{os.getpid()}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()

    def write(self, path: str, data: bytes) -> None:
        self._make_way(path)
        (self.folder / path).write_bytes(data)

    def write_parts(self, path: str, parts: Sequence[Part]) -> None:
        self._make_way(path)
        try:
            write_parts(self.folder / path, parts)
        except OSError as exc:  # the previous output changed under the build
            raise DigestError(
                f"cannot reuse the previous output ({exc}); build again", path
            ) from None

    def _make_way(self, path: str) -> None:
        """Ready `path` for writing. A file kept at it is a hard link: writing through
        it would change the previous output's file, so it goes first. A process whose
        build is gone (an orphaned worker, its parent killed) writes nothing."""
        if os.getpid() != self._owner and os.getppid() != self._owner:
            raise SystemExit(1)
        self._folder_for(path)
        if path in self.kept or path in self.linked:
            os.unlink(self.folder / path)
            self.kept.discard(path)
            self.linked.discard(path)

    def keep(self, path: str) -> bool:
        return self.keep_all([path])[0]

    def keep_all(self, paths: Sequence[str]) -> list[bool]:
        """`keep` for many files: one system call each, named relative to the two open
        folders (15,000 links in a tenth of a second); False where a file is gone or the
        file system has no hard links (the page is rendered again)."""
        if not self._reuse:
            return [False] * len(paths)
        # Files linked ahead are kept as they are; the others are linked now.
        ahead = [path in self.linked for path in paths]
        now = iter(self._link_many([p for p, done in zip(paths, ahead, strict=True) if not done]))
        for path, done in zip(paths, ahead, strict=True):
            if done:
                self.linked.discard(path)
                self.kept.add(path)
        return [done or next(now) for done in ahead]

    def _link_many(self, paths: Sequence[str]) -> list[bool]:
        if not paths:
            return []
        for parent in sorted({path.rpartition("/")[0] for path in paths}):
            self._folder_for(parent + "/")
        if os.link not in os.supports_dir_fd:  # Windows: whole paths
            return [self._link(str(self.out / p), str(self.folder / p), p) for p in paths]
        try:
            old = os.open(self.out, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:  # the previous output is gone: render everything
            return [False] * len(paths)
        try:
            new = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                return [self._link(path, path, path, old, new) for path in paths]
            finally:
                os.close(new)
        finally:
            os.close(old)

    def _link(
        self, source: str, target: str, path: str, old: int | None = None, new: int | None = None
    ) -> bool:
        try:
            os.link(source, target, src_dir_fd=old, dst_dir_fd=new)
        except OSError:
            return False
        self.kept.add(path)
        return True

    def _folder_for(self, path: str) -> None:
        parent = path.rpartition("/")[0]
        if parent not in self._made:
            (self.folder / parent).mkdir(parents=True, exist_ok=True)
            self._made.add(parent)

    def settle(self, paths: Iterable[str]) -> None:
        """Delete the files linked ahead that are not among `paths`, every file of the
        new site (pages the build no longer makes), and folders they leave empty."""
        gone = self.linked.difference(paths)
        for path in gone:
            os.unlink(self.folder / path)
        self.linked.clear()
        parents = {p for path in gone for p in _parents(path)}
        for parent in sorted(parents, key=lambda p: (-p.count("/"), p)):
            with contextlib.suppress(OSError):  # not empty: it holds a file of the site
                (self.folder / parent).rmdir()
                self._made.discard(parent)

    def commit(self) -> None:
        """Swap the new folder in with two renames. The previous site is deleted beside
        the build, which records its state meanwhile; `close` waits for it."""
        previous = self.out.parent / f".{self.out.name}.digest-old-{os.getpid()}"
        try:
            if self.out.exists():
                self.out.rename(previous)
            self.folder.rename(self.out)
        except BaseException:
            if previous.exists() and not self.out.exists():
                previous.rename(self.out)
            raise
        self._removals.append(_remove_beside(previous))

    def close(self, wait: bool = True) -> None:
        """Wait until the previous site and any leftovers are deleted (an interrupted
        deletion is finished by the next build's `recover`). Without `wait`, a deletion
        by `rm` goes on after this process ends: a command line build need not wait
        for it (0.2 s for 14,000 pages), the new site is in place already. A deletion
        in a thread (no `rm`) is always waited for."""
        removals, self._removals = self._removals, []
        finish([r for r in removals if wait or isinstance(r, threading.Thread)])
        if not wait:
            _left_running([r for r in removals if isinstance(r, subprocess.Popen)])

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


_RUNNING: list[subprocess.Popen[bytes]] = []
"""Deletions a build returned without waiting for. A command line build's process ends
first; one that lives on (`digest serve`, a program that embeds digest, the tests) keeps
them here until they are done, so none is collected while still running (Python warns
of that) and each is reaped."""


def _left_running(started: Sequence[subprocess.Popen[bytes]]) -> None:
    _RUNNING[:] = [p for p in _RUNNING if p.poll() is None]
    _RUNNING.extend(started)


def _parents(path: str) -> list[str]:
    """The folders `path` is in, below the top one: "a/b/c.html" -> ["a", "a/b"]."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def _remove_beside(folder: Path) -> Removal:
    """Start deleting `folder`. `rm -rf` where there is one: unlinking 15,000 files from
    a Python thread would wait for the interpreter lock after every file while the build
    goes on. (Its own session: a Ctrl-C meant for the next command does not stop it.)"""
    rm = shutil.which("rm") if os.name == "posix" else None
    if rm is not None:
        try:
            # Quiet: another `rm` (the build that made the folder) may be deleting it too.
            return subprocess.Popen(
                [rm, "-rf", "--", str(folder)],
                stdin=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            pass
    thread = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True})
    thread.start()
    return thread
