"""Files assembled from new bytes and from ranges of the files the last build wrote.

digest.json and the search index hold every article: a hundred megabytes on a large
site, of which an edit changes one article's part. The unchanged parts are ranges of
the previous build's files, and the kernel copies them into the new file
(`copy_file_range`, page cache to page cache) without the build reading, slicing,
joining or writing them itself. Where the kernel cannot, the range is read and written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Slice:
    """The bytes `start` to `end` of a file of the previous output."""

    path: Path
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def read(self) -> bytes:
        with self.path.open("rb") as source:
            source.seek(self.start)
            data = source.read(len(self))
        if len(data) != len(self):
            raise OSError(f"{self.path} is shorter than the last build left it")
        return data


Part = bytes | Slice
"""A piece of a file: new bytes, or a range of an old file."""


def joined(
    head: bytes, items: Sequence[Part], separator: bytes, tail: bytes
) -> tuple[list[Part], list[tuple[int, int]]]:
    """`head + separator.join(items) + tail`, as parts, and where each item sits.

    Items that sat one after the other in their old file, with the same separator
    between them (the old file was made by this function too), become one range: an
    edit leaves digest.json as two ranges and one new article.
    """
    parts: list[Part] = [head]
    spans = []
    at = len(head)
    gap = len(separator)
    path: Path | None = None  # the range being extended, from the items so far
    start = end = 0
    for number, item in enumerate(items):
        if number:
            at += gap
        if isinstance(item, Slice):
            size = item.end - item.start
            if path is not None and end + gap == item.start and item.path == path:
                end = item.end
            else:
                if path is not None:
                    parts.append(Slice(path, start, end))
                if number:
                    parts.append(separator)
                path, start, end = item.path, item.start, item.end
        else:
            size = len(item)
            if path is not None:
                parts.append(Slice(path, start, end))
                path = None
            if number:
                parts.append(separator)
            parts.append(item)
        spans.append((at, at + size))
        at += size
    if path is not None:
        parts.append(Slice(path, start, end))
    parts.append(tail)
    return parts, spans


def resolve(parts: Sequence[Part]) -> bytes:
    """The whole file in memory (for a build that writes nowhere)."""
    return b"".join(p if isinstance(p, bytes) else p.read() for p in parts)


def write_parts(target: Path, parts: Sequence[Part]) -> None:
    """Write the file: runs of new bytes joined, ranges copied by the kernel."""
    sources: dict[Path, int] = {}
    try:
        with target.open("wb", buffering=0) as out:
            pending: list[bytes] = []
            for part in parts:
                if isinstance(part, bytes):
                    pending.append(part)
                    continue
                if pending:
                    _write(out.fileno(), b"".join(pending))
                    pending.clear()
                source = sources.get(part.path)
                if source is None:
                    source = sources[part.path] = os.open(part.path, os.O_RDONLY)
                _copy(source, out.fileno(), part)
            if pending:
                _write(out.fileno(), b"".join(pending))
    finally:
        for source in sources.values():
            os.close(source)


def _copy(source: int, target: int, part: Slice) -> None:
    offset, count = part.start, len(part)
    while count:
        try:
            done = os.copy_file_range(source, target, count, offset)
        except (AttributeError, OSError):  # not Linux, or not between these files
            done = -1
        if done <= 0:
            os.lseek(source, offset, os.SEEK_SET)
            while count:
                data = os.read(source, min(count, 1 << 24))
                if not data:
                    raise OSError(f"{part.path} is shorter than the last build left it")
                _write(target, data)
                count -= len(data)
            return
        offset += done
        count -= done


def _write(target: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(target, view) :]
