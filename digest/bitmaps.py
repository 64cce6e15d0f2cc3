"""A cheap upper bound on how many values two rows share, from a bitmap per row.

Copy detection (which shingles two articles share) and agreement (which stems two
statements share) both count, for many candidate pairs of rows, the values the two hold
in common, and both only care whether that count reaches a threshold; most candidates
fall far short of it. Each row also sets bit `value mod bits` of a bitmap. Values the
two rows share can only fall on bits both bitmaps set, and several can share a bit only
when values of the same row collide on it; so the shared values are at most the bits
the two bitmaps share, plus, for either row, its values minus its set bits. A pair
whose bound is under the threshold needs no count: the answer is the same without it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from digest.facts import Ints
from digest.rows import Offsets, ranges

_CELLS = 1 << 20
"""Bits set, or bitmap words compared, at once: a few MiB of temporary arrays."""


def shared_at_most(
    pairs: npt.NDArray[Any], start: Offsets, values: npt.NDArray[Any], bits: int
) -> Ints:
    """For each pair (i, j) of rows of `start`/`values` (each row's values distinct,
    non-negative integers), a number at least the count of values the two share.
    `bits` (a power of two, at least 64) is the size of each row's bitmap: larger is a
    closer bound for longer rows, at more memory."""
    maps = _bitmaps(start, values, bits)
    lengths = np.diff(start).astype(np.int64)
    lost = lengths - np.bitwise_count(maps).sum(axis=1, dtype=np.int64)
    bound = np.empty(len(pairs), np.int64)
    step = max(1, _CELLS // maps.shape[1])
    for begin in range(0, len(pairs), step):
        first, second = pairs[begin : begin + step, 0], pairs[begin : begin + step, 1]
        common = np.bitwise_count(maps[first] & maps[second]).sum(axis=1, dtype=np.int64)
        bound[begin : begin + step] = common + np.minimum(lost[first], lost[second])
    return bound


def _bitmaps(start: Offsets, values: npt.NDArray[Any], bits: int) -> npt.NDArray[np.uint64]:
    """One bitmap per row: bit `v mod bits` set for each value v."""
    count = len(start) - 1
    maps = np.zeros((count, bits // 64), np.uint64)
    step = max(1, _CELLS // bits)
    for begin in range(0, count, step):
        end = min(count, begin + step)
        lengths = np.diff(start[begin : end + 1])
        owner = np.repeat(np.arange(end - begin), lengths)
        bit = values[ranges(start[begin:end], lengths)].astype(np.int64) & (bits - 1)
        flags = np.zeros((end - begin, bits), np.bool_)
        flags[owner, bit] = True
        maps[begin:end] = np.packbits(flags, axis=1, bitorder="little").view(np.uint64)
    return maps
