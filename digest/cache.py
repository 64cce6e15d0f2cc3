"""`.digest-cache/`: results of per-file work, addressed by what they were made from.

A key is the hash of everything a result depends on: the file's bytes and path, the
config that shapes the work, and the code that does it (every module of the package,
plus the versions of the libraries it calls). Nothing is ever invalidated by a time
stamp, so a cache entry is either exactly right or never looked up; deleting the folder
only makes the next build cold. An entry that cannot be read (cut short, corrupted,
written by another Python) is ignored and recomputed.

Entries are pickles: the folder holds only what digest wrote in this project, read by
the user who builds it, the same trust as the project's own config and templates. Large
arrays travel beside the pickle (protocol 5's out-of-band buffers), so storing the state
of a 10,000-article site writes its 80 MB of arrays as they are, and loading it makes
the arrays on the bytes read, without copying either way.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import struct
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
            with (self.folder / f"{key}.pickle").open("rb", buffering=0) as file:
                data = bytearray(os.fstat(file.fileno()).st_size)
                if file.readinto(data) != len(data):
                    return None
            return _decode(data)
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
            self._write(key, _encode(value))

    def store_later(self, entries: dict[str, Any]) -> None:
        """Pickle now, write in a thread: writing tens of megabytes is system calls,
        during which the build goes on. `flush` waits for the writes."""
        self.used.update(entries)
        if self.folder is None or not entries:
            return
        pickled = [(k, _encode(v)) for k, v in entries.items()]
        writer = threading.Thread(target=self._write_all, args=(pickled,))
        writer.start()
        self._writing.append(writer)

    def flush(self) -> None:
        for writer in self._writing:
            writer.join()
        self._writing.clear()

    def _write_all(self, pickled: list[tuple[str, list[bytes | memoryview]]]) -> None:
        for key, parts in pickled:
            self._write(key, parts)

    def _write(self, key: str, parts: list[bytes | memoryview]) -> None:
        assert self.folder is not None
        path = self.folder / f"{key}.pickle"
        temporary = path.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as file:
                for part in parts:
                    file.write(part)
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


_MAGIC = b"digest cache 2\n"
_ALIGN = 64


def _encode(value: object) -> list[bytes | memoryview]:
    """The pickle, a table of buffer sizes, then each buffer (aligned for NumPy)."""
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    views = [buffer.raw() for buffer in buffers]
    parts: list[bytes | memoryview] = [
        _MAGIC,
        struct.pack("<QQ", len(head), len(views)),
        head,
        struct.pack(f"<{len(views)}Q", *(view.nbytes for view in views)),
    ]
    at = sum(len(part) for part in parts)
    for view in views:
        parts.append(bytes(-at % _ALIGN))
        at += -at % _ALIGN + view.nbytes
        parts.append(view)
    return parts


def _decode(data: bytearray) -> object:
    if not data.startswith(_MAGIC):
        raise ValueError("not a digest cache entry")
    view = memoryview(data)
    at = len(_MAGIC)
    size, count = struct.unpack_from("<QQ", data, at)
    at += 16
    head = view[at : at + size]
    at += size
    lengths = struct.unpack_from(f"<{count}Q", data, at)
    at += 8 * count
    buffers = []
    for length in lengths:
        at += -at % _ALIGN
        buffers.append(view[at : at + length])
        at += length
    if at != len(data):
        raise ValueError("cache entry cut short or too long")
    return pickle.loads(head, buffers=buffers)
