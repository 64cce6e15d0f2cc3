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

import contextlib
import functools
import hashlib
import mmap
import os
import pickle
import re
import struct
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FOLDER = ".digest-cache"
"""Beside config.yaml; add it to .gitignore (``digest init`` does)."""


LIBRARIES = (
    "sumy",
    "numpy",
    "PyStemmer",
    "markdown-it-py",
    "mdurl",
    "PyYAML",
    "Jinja2",
    "MarkupSafe",
)
"""The libraries whose version can change what a build makes: its sentences, stems,
summaries, parsed front matter and config, or its HTML."""


@functools.cache
def code_fingerprint() -> str:
    """Changes whenever digest's code or the libraries that shape its output change."""
    digest = hashlib.sha256(sys.version.encode())
    found = versions(LIBRARIES)
    for name in LIBRARIES:
        digest.update(f"{name}={found.get(name, '')}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def versions(names: Sequence[str]) -> dict[str, str]:
    """The installed version of each library (none for one that is not installed), as
    the name of its `*.dist-info` folder on the import path gives it. Every build, the
    no-op check included, needs them; `importlib.metadata` finds the same, but importing
    it takes 30 to 40 ms, a sixth of a no-op build, so it is asked only about a library
    this does not find (installed as an egg, or not at all)."""
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            named = _DIST_INFO.fullmatch(entry)
            chosen = wanted.get(_normal(named[1])) if named else None
            if named and chosen is not None and chosen not in found:
                found[chosen] = named[2]
    missing = [name for name in names if name not in found]
    if missing:
        from importlib import metadata

        for name in missing:
            with contextlib.suppress(metadata.PackageNotFoundError):
                found[name] = metadata.version(name)
    return found


_DIST_INFO = re.compile(r"(.+?)-(\d.*)\.dist-info")
"""A dist-info folder: the name, then the version from the first `-` before a digit (an
old installer kept a name's own dashes: `numpy-financial-1.0.0.dist-info` is not numpy)."""


def _normal(name: str) -> str:
    """A distribution name as a comparison key, whatever its case and separators."""
    return re.sub(r"[-_.]+", "_", name).lower()


class Cache:
    """One namespace of the cache folder; `folder=None` keeps nothing (``--no-cache``)."""

    def __init__(self, folder: Path | None, namespace: str, context: bytes) -> None:
        self.folder = None if folder is None else folder / namespace
        self._context = hashlib.sha256(context).digest()
        self.used: set[str] = set()
        self._writing: list[threading.Thread] = []
        self._packs: dict[str, tuple[str, int, int]] | None = None
        self._heads_read: Heads = {}

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
        packed = self._index().get(key)
        try:
            if packed is None:
                path, offset, size = self.folder / f"{key}.pickle", 0, -1
            else:
                path, offset, size = self.folder / packed[0], packed[1], packed[2]
            with path.open("rb", buffering=0) as file:
                if size < 0:
                    size = os.fstat(file.fileno()).st_size
                if packed is None and size >= MAPPED:
                    data: bytearray | mmap.mmap = mmap.mmap(
                        file.fileno(), size, access=mmap.ACCESS_COPY
                    )
                else:
                    file.seek(offset)
                    data = bytearray(size)
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

    def store_pack(self, entries: Sequence[tuple[str, Any]]) -> Packed | None:
        """Store many entries in one file. A cold build stores one entry per article,
        and on a file system that has just deleted a site, creating a file can take a
        millisecond: a thousand articles in 32 files rather than 1,000 is half a second.
        Returns where each entry went, for `register` in the process that loads them."""
        self.used.update(key for key, _ in entries)
        if self.folder is None or not entries:
            return None
        encoded = [(key, _encode(value)) for key, value in entries]
        name = hashlib.sha256("".join(key for key, _ in entries).encode()).hexdigest()[:32]
        at = len(_PACK) + 8 + len(encoded) * _SLOT
        spans = []
        for key, parts in encoded:
            at += -at % _ALIGN
            size = sum(len(part) for part in parts)
            spans.append((key, at, size))
            at += size
        head = [_PACK, struct.pack("<Q", len(spans))]
        head += [key.encode() + struct.pack("<QQ", offset, size) for key, offset, size in spans]
        body: list[bytes | memoryview] = []
        at = sum(len(part) for part in head)
        for (_, offset, _), (_, parts) in zip(spans, encoded, strict=True):
            body.append(bytes(offset - at))
            body.extend(parts)
            at = offset + sum(len(part) for part in parts)
        if not self._write(f"{name}.pack", [*head, *body]):
            return None
        packed = Packed(f"{name}.pack", tuple(spans))
        self.register(packed)
        return packed

    def stored(self) -> set[str]:
        """The keys of every entry in the folder, packed or in a file of its own."""
        if self.folder is None or not self.folder.is_dir():
            return set()
        alone = {path.stem for path in self.folder.glob("*.pickle")}
        return alone | {key for path in self.folder.glob("*.pack") for key, *_ in _pack_spans(path)}

    def register(self, packed: Packed) -> None:
        """Know the entries of a pack another process wrote (a worker of this build)."""
        if self._packs is not None:
            self._packs.update((key, (packed.name, at, size)) for key, at, size in packed.spans)

    def _index(self) -> dict[str, tuple[str, int, int]]:
        """Key -> pack file, offset and size of every packed entry, found the first time
        an entry is looked up."""
        if self._packs is None:
            self._packs = {}
            for name, (_, spans) in sorted(self._heads()[0].items()):
                self._packs.update((key, (name, at, size)) for key, at, size in spans)
        return self._packs

    def _heads(self, known: Heads | None = None) -> tuple[Heads, Heads]:
        """Each pack's size and time, and the entries its head lists; and what
        `packs.index` (written by `prune`) holds, unless `known` is what it holds. A
        head is read from its pack only where the index has not the pack as it is:
        opening the 300 packs of a 10,000-article site to read their heads cost a
        one-article rebuild 0.03 s, and its pruning 0.01 s more."""
        if self.folder is None or not self.folder.is_dir():
            return {}, {}
        if known is None:
            try:
                known = pickle.loads((self.folder / _HEADS).read_bytes())
            except Exception:  # none yet, or damaged: read the heads
                known = {}
            if not isinstance(known, dict):
                known = {}
        heads: Heads = {}
        with os.scandir(self.folder) as found:
            for entry in found:
                if entry.name.endswith(".pack"):
                    stat = entry.stat()
                    stamp = (stat.st_size, stat.st_mtime_ns)
                    earlier = (known.get(entry.name), self._heads_read.get(entry.name))
                    spans = next((b[1] for b in earlier if b and b[0] == stamp), None)
                    heads[entry.name] = (stamp, spans or _pack_spans(Path(entry.path)))
        self._heads_read = heads
        return heads, known

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

    def _write(self, name: str, parts: Sequence[bytes | memoryview]) -> bool:
        assert self.folder is not None
        path = self.folder / (name if "." in name else f"{name}.pickle")
        temporary = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as file:
                for part in parts:
                    file.write(part)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)
            return False
        return True

    def prune(self) -> None:
        """Drop entries this build did not use, so the folder does not grow with edits.
        A pack goes when none of its entries is used; one that is mostly unused (its
        articles edited or deleted) is written again with only the used ones. An
        entry's companion is kept with it."""
        self.flush()
        if self.folder is None or not self.folder.is_dir():
            return
        self.used.update([companion(key) for key in self.used])
        packs = self._index()
        heads, known = self._heads()
        for path in list(self.folder.iterdir()):  # (a pack written again lands here)
            if path.suffix == ".pack":
                self._prune_pack(path, heads[path.name][1] if path.name in heads else [])
            elif path.name != _HEADS and (path.suffix != ".pickle" or path.stem not in self.used):
                path.unlink(missing_ok=True)
        self._packs = {key: at for key, at in packs.items() if key in self.used}
        after, _ = self._heads(known)  # (the index file is as it was read above)
        if after != known:
            self._write(_HEADS, [pickle.dumps(after, pickle.HIGHEST_PROTOCOL)])

    def _prune_pack(self, path: Path, spans: Spans) -> None:
        used = [(key, at, size) for key, at, size in spans if key in self.used]
        if used and 2 * sum(size for *_, size in used) >= sum(size for *_, size in spans):
            return
        if used:
            data = path.read_bytes()
            kept = [(key, _Raw(data[at : at + size])) for key, at, size in used]
            self.store_pack(kept)
        if not used or self._index().get(used[0][0], ("",))[0] != path.name:
            path.unlink(missing_ok=True)


def companion(key: str) -> str:
    """The key of a smaller entry stored beside the entry `key`, which lives and dies
    with it (an article's sentences beside its whole analysis). Its last character is
    not a hex digit, so it is never the key of an entry of its own."""
    return f"{key[:-1]}s"


_HEADS = "packs.index"
Spans = Sequence[tuple[str, int, int]]
Heads = dict[str, tuple[tuple[int, int], Spans]]
"""Pack file name -> its size and modification time, and the entries its head lists."""

_MAGIC = b"digest cache 2\n"
MAPPED = 1 << 20
"""Entries of a file of their own this large or larger are mapped, not read: their
arrays are made on the file's pages in the page cache (private to this process, so
writing to one copies only that page), where reading would first fill a buffer with
zeros and then copy the file into it; the state of a 10,000-article site is 90 MB."""
_PACK = b"digest pack 1\n"
_SLOT = 64 + 16
"""A pack's head holds, per entry, its key (64 hex digits), offset and size."""
_ALIGN = 64


@dataclass(frozen=True)
class Packed:
    """Where a pack's entries are: its file name and (key, offset, size) of each."""

    name: str
    spans: tuple[tuple[str, int, int], ...]


class _Raw(bytes):
    """An entry already encoded (moved from one pack to another as it is)."""


def _pack_spans(path: Path) -> list[tuple[str, int, int]]:
    """The entries a pack's head lists; none if it is not a whole pack."""
    try:
        with path.open("rb") as file:
            start = file.read(len(_PACK) + 8)
            if len(start) != len(_PACK) + 8 or not start.startswith(_PACK):
                return []
            (count,) = struct.unpack_from("<Q", start, len(_PACK))
            head = file.read(count * _SLOT)
            end = os.fstat(file.fileno()).st_size
    except OSError:
        return []
    if len(head) != count * _SLOT:
        return []
    spans = []
    for n in range(count):
        key = head[n * _SLOT : n * _SLOT + 64].decode("ascii", "replace")
        at, size = struct.unpack_from("<QQ", head, n * _SLOT + 64)
        if at + size > end:
            return []
        spans.append((key, at, size))
    return spans


def _encode(value: object) -> list[bytes | memoryview]:
    """The pickle, a table of buffer sizes, then each buffer (aligned for NumPy)."""
    if isinstance(value, _Raw):
        return [value]
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


def _decode(data: bytearray | mmap.mmap) -> object:
    if data[: len(_MAGIC)] != _MAGIC:
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
