"""Which candidate copy pairs could be copies: a bound from bitmaps, before the count.

A copy holds at least `COPY` of the shorter text's shingles. Counting them exactly is a
binary search per shingle, in Python per pair; a 10,000-article site has half a million
candidate pairs (every article that carries a paragraph also found elsewhere), and
counting them all took 8 s of CPU, nearly all on pairs that share a paragraph or two.

Each article's shingles also set bits in a bitmap of `BITS` bits. Two texts' shared
shingles can only fall on bits both bitmaps set, and several can share a bit only when
shingles of the same text collide; so the shared shingles are at most the bits the two
bitmaps share, plus, for either text, its shingles minus its set bits. A pair whose
bound is under the threshold cannot be a copy; only the rest are counted exactly, so the
copies found are exactly those the count alone finds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from digest.facts import Ints
from digest.rows import ranges

BITS = 8192
"""Bits per bitmap: 1 KiB per article. An article has about 700 shingles, so a pair that
shares a fifth of them (the typical candidate) is bounded near a third, well under the
threshold."""

_WORDS = BITS // 64
_ROWS = 4096
"""Articles' bitmaps set at once, and pairs bounded at once (memory: a few MiB)."""

FROM = 256
"""Fewer candidates than this are counted without a bound: a rebuild's few."""


def could_be_copies(
    pairs: npt.NDArray[Any], start: Ints, values: npt.NDArray[Any], threshold: float
) -> npt.NDArray[np.bool_]:
    """For each pair (a, b) of articles (rows of `start`/`values`, sorted distinct
    uint32 shingles), whether the bound lets it reach `threshold` of the smaller's."""
    lengths = np.diff(start).astype(np.int64)
    used, row = np.unique(pairs, return_inverse=True)
    row = row.reshape(pairs.shape)
    maps = _bitmaps(start, values, used)
    lost = lengths[used] - np.bitwise_count(maps).sum(axis=1, dtype=np.int64)
    size = np.minimum(lengths[pairs[:, 0]], lengths[pairs[:, 1]])
    # One shingle fewer than the threshold's product, so rounding never rejects a copy.
    needed = np.floor(threshold * size).astype(np.int64) - 1
    possible = np.empty(len(pairs), np.bool_)
    for begin in range(0, len(pairs), _ROWS):
        first, second = row[begin : begin + _ROWS, 0], row[begin : begin + _ROWS, 1]
        common = np.bitwise_count(maps[first] & maps[second]).sum(axis=1, dtype=np.int64)
        bound = common + np.minimum(lost[first], lost[second])
        possible[begin : begin + _ROWS] = bound >= needed[begin : begin + _ROWS]
    return possible


def _bitmaps(start: Ints, values: npt.NDArray[Any], articles: Ints) -> npt.NDArray[np.uint64]:
    """One bitmap per article of `articles`: bit `h mod BITS` set for each shingle h."""
    maps = np.zeros((len(articles), _WORDS), np.uint64)
    for begin in range(0, len(articles), _ROWS):
        chosen = articles[begin : begin + _ROWS]
        lengths = start[chosen + 1] - start[chosen]
        owner = np.repeat(np.arange(len(chosen)), lengths)
        bit = values[ranges(start[chosen], lengths)].astype(np.int64) & (BITS - 1)
        flags = np.zeros((len(chosen), BITS), np.bool_)
        flags[owner, bit] = True
        packed = np.packbits(flags, axis=1, bitorder="little")
        maps[begin : begin + len(chosen)] = packed.view(np.uint64)
    return maps
