"""Ragged rows in flat arrays: the layout every site-wide array of the corpus uses.

A list of variable-length rows (the stems of each sentence, the sentences of each
article) is kept as one flat array plus the offset where each row starts, with one more
offset for the end. These helpers build and slice that layout without a Python loop per
row, which is what keeps a 300,000-sentence site in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Offsets = npt.NDArray[Any]
"""int32"""


def starts(lengths: npt.ArrayLike) -> Offsets:
    """The offsets of consecutive rows of the given lengths, and the end."""
    flat = np.asarray(lengths, np.int64)
    out = np.zeros(len(flat) + 1, np.int32)
    np.cumsum(flat, out=out[1:])
    return out


def starts_of(parts: Sequence[npt.NDArray[Any]]) -> Offsets:
    """`starts` of several arrays of lengths, one after the other."""
    return starts(np.concatenate(parts) if parts else np.zeros(0, np.int64))


def ranges(begins: npt.ArrayLike, lengths: npt.ArrayLike) -> npt.NDArray[Any]:
    """The concatenation of range(b, b + n) for each begin b and length n."""
    first = np.asarray(begins, np.int64)
    size = np.asarray(lengths, np.int64)
    total = int(size.sum())
    if not total:
        return np.zeros(0, np.int64)
    offsets = np.repeat(np.cumsum(size) - size, size)
    return np.repeat(first, size) + np.arange(total) - offsets


def gather(
    offsets: Offsets, values: npt.NDArray[Any], rows: npt.ArrayLike
) -> tuple[Offsets, npt.NDArray[Any]]:
    """The chosen rows (in the order given) as a new offsets-and-values pair."""
    chosen = np.asarray(rows, np.int64)
    lengths = offsets[chosen + 1] - offsets[chosen]
    return starts(lengths), values[ranges(offsets[chosen], lengths)]


def distinct(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The sorted distinct values of a 1-D array. (numpy 2's `np.unique` hashes, which is many times
    slower than sorting for the millions of integer keys a large site has.)"""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), np.bool_)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def row_lengths(offsets: Sequence[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    """The row lengths of several offset arrays (each from 0 to its end), one after
    the other: `np.diff` of each, concatenated, in three array passes rather than one
    call per array (20,000 calls on a cold build of 10,000 articles: 0.1 s)."""
    if not offsets:
        return np.zeros(0, np.int64)
    joined = np.concatenate(offsets)
    within = np.ones(max(len(joined) - 1, 0), np.bool_)
    ends = np.cumsum(np.fromiter(map(len, offsets), np.int64, len(offsets)))
    within[ends[:-1] - 1] = False  # from one array's end to the next one's start
    return np.diff(joined)[within]


MARKED = 2**25
"""Up to this bound, and up to 16 times the number of values, `distinct_below` marks a
table of flags (32 MB at most) instead of sorting: a pass over the values and one over
the table, which a bound far above the values' count would make the longer."""


def distinct_below(values: npt.NDArray[Any], bound: int) -> npt.NDArray[Any]:
    """`distinct` of non-negative integers below `bound`. Where the bound is small (keys
    that pack a statement with one of a site's few dozen sources) a table of flags
    finds them in a twentieth of the time of sorting half a million keys."""
    if bound > MARKED or bound > 16 * len(values):
        return distinct(values)
    seen = np.zeros(bound, np.bool_)
    seen[values] = True
    found: npt.NDArray[Any] = np.flatnonzero(seen).astype(values.dtype, copy=False)
    return found


def merged_distinct(first: npt.NDArray[Any], second: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """`distinct` of two arrays each already sorted: NumPy's stable sort (a merge sort
    that finds runs) merges the two runs in one pass, where sorting from scratch would
    cost four times as long."""
    ordered = np.sort(np.concatenate([first, second]), kind="stable")
    keep = np.ones(len(ordered), np.bool_)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def member(values: npt.NDArray[Any], among: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Whether each of `values` is one of `among` (`np.isin`, by sorting; NumPy's
    loads its masked-array module the first time, 15 ms of every build)."""
    known = distinct(among)
    if not len(known):
        return np.zeros(len(values), np.bool_)
    at = np.minimum(np.searchsorted(known, values), len(known) - 1)
    found: npt.NDArray[np.bool_] = known[at] == values
    return found


def first_places(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Where each distinct value first occurs, in the order of the values
    (`np.unique(..., return_index=True)[1]`)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.ones(len(ordered), np.bool_)
    new[1:] = ordered[1:] != ordered[:-1]
    return order[new]


def scramble(values: npt.NDArray[Any], salt: int = 0) -> npt.NDArray[Any]:
    """splitmix64: spreads every input bit over the whole 64-bit word; a different salt
    gives an independent scramble. Sums of scrambled values name a set in any order."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64((0x9E3779B97F4A7C15 * salt) % (1 << 64))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        scrambled: npt.NDArray[Any] = z ^ (z >> np.uint64(31))
    return scrambled


def segment_sums(values: npt.NDArray[Any], offsets: Offsets) -> npt.NDArray[Any]:
    """Wrapping (uint64) sums of consecutive rows; an empty row sums to 0."""
    running = np.zeros(len(values) + 1, np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(values, out=running[1:])
        sums: npt.NDArray[Any] = running[offsets[1:]] - running[offsets[:-1]]
    return sums


def set_keys(offsets: Offsets, hashes: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A 128-bit key (two uint64 columns) per row naming the set of its hashes: two
    independent scrambles summed, so the order within a row does not matter."""
    return np.stack([segment_sums(scramble(hashes, salt), offsets) for salt in (1, 2)], axis=1)
