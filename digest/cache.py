"""`.digest-cache/`: results of per-file work, addressed by what they were made from.

A key is the hash of everything a result depends on: the file's bytes and path, the
config that shapes the work, and the code that does it (every module of the package,
plus the versions of the libraries it calls). Nothing is ever invalidated by a time
stamp, so a cache entry is either exactly right or never looked up; deleting the folder
only makes the next build cold. An entry that cannot be read (cut short, corrupted,
written by another Python) is ignored and recomputed.

Entries are pickles: the folder holds only what digest wrote in this project, read by
the user who builds it, the same trust as the project's own config and templates.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

FOLDER = ".digest-cache"
"""Beside config.yaml; add it to .gitignore (``digest init`` does)."""


@functools.cache
def code_fingerprint() -> str:
    """Changes whenever digest's code or the libraries that shape its output change."""
    digest = hashlib.sha256(sys.version.encode())
    for name in ("sumy", "numpy", "markdown-it-py", "snowballstemmer", "nltk"):
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Cache:
    """One namespace of the cache folder; `folder=None` keeps nothing (``--no-cache``)."""

    def __init__(self, folder: Path | None, namespace: str, context: bytes) -> None:
        self.folder = None if folder is None else folder / namespace
        self._context = hashlib.sha256(context).digest()
        self.used: set[str] = set()
        self._writing: list[threading.Thread] = []

    def key(self, *parts: bytes) -> str:
        digest = hashlib.sha256(self._context)
        for part in parts:
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
        return digest.hexdigest()

    def load(self, key: str) -> Any | None:
        self.used.add(key)
        if self.folder is None:
            return None
        try:
            return pickle.loads((self.folder / f"{key}.pickle").read_bytes())
        except Exception:  # missing or unreadable: recompute, whatever went wrong
            return None

    def keep(self, key: str) -> bool:
        """Mark an entry used if it exists (its name says what is in it)."""
        if self.folder is None or not (self.folder / f"{key}.pickle").is_file():
            return False
        self.used.add(key)
        return True

    def store(self, key: str, value: Any) -> None:
        """Write atomically; a cache that cannot be written only costs speed."""
        self.used.add(key)
        if self.folder is not None:
            self._write(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def store_later(self, entries: dict[str, Any]) -> None:
        """Pickle now, write in a thread: writing tens of megabytes is system calls,
        during which the build goes on. `flush` waits for the writes."""
        self.used.update(entries)
        if self.folder is None or not entries:
            return
        pickled = [
            (k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in entries.items()
        ]
        writer = threading.Thread(target=self._write_all, args=(pickled,))
        writer.start()
        self._writing.append(writer)

    def flush(self) -> None:
        for writer in self._writing:
            writer.join()
        self._writing.clear()

    def _write_all(self, pickled: list[tuple[str, bytes]]) -> None:
        for key, data in pickled:
            self._write(key, data)

    def _write(self, key: str, data: bytes) -> None:
        assert self.folder is not None
        path = self.folder / f"{key}.pickle"
        temporary = path.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)

    def prune(self) -> None:
        """Drop entries this build did not use, so the folder does not grow with edits."""
        self.flush()
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix != ".pickle" or path.stem not in self.used:
                path.unlink(missing_ok=True)
