"""Which stems two statements share: measured once, remembered between builds.

Agreement weighs the stems two statements share by how rare they are on the whole site,
and that weight changes with every article added; which stems they share does not: it
depends on the two statements alone. Finding the shared stems is the costly part of
agreement (a lookup per stem of every candidate pair), so each build keeps them, by the
names of the two statements, and the next build looks up only the pairs it has not
seen, then weighs all of them afresh. The answer is the same either way; only the
lookups are saved.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from digest.bitmaps import shared_at_most
from digest.facts import Hashes, Ints
from digest.rows import Offsets, ranges, scramble, starts

_CHUNK = 1 << 19
"""Candidate (pair, stem) rows looked up at once, to bound memory on large sites."""

BITS = 512
"""Bits of each statement's bitmap for the bound (`bitmaps.py`): a statement has about
twelve stems, so a pair that shares one is bounded at one or two. Of the 620,000
candidate pairs of 1,000 articles, 94 % share fewer than three stems and are set aside
by the bound; looking their stems up was most of agreement's time (1,000 articles:
0.64 to 0.44 s; 10,000: 1.32 to 0.69 s). 512 bits rather than 256 leave fewer pairs
whose stems collide on a bit to be looked up (1,000 articles: 142,117 to 82,995; 10,000:
172,361 to 100,873) for a bound of twice the words: agreement of a cold 1,000 0.20 to
0.17 s, of a cold 10,000 0.27 to 0.23 s, a rebuild's the same (1,024 bits gained no more
on a rebuild)."""


@dataclass(frozen=True)
class Overlaps:
    """Measured pairs by name (sorted), with the stems each shares (as stem hashes)
    when it shares enough to matter, else only how many."""

    names: Hashes
    """(n, 2) uint64: the pairs' names, sorted by the first column."""
    counts: Ints
    shared_start: Offsets
    shared: Hashes


NONE = Overlaps(
    np.zeros((0, 2), np.uint64),
    np.zeros(0, np.int32),
    np.zeros(1, np.int32),
    np.zeros(0, np.uint64),
)


def pair_names(first: Hashes, second: Hashes) -> Hashes:
    """A 128-bit name for each pair of statements (rows of two uint64 statement keys),
    the same whichever comes first."""
    low = np.where((first[:, 0] <= second[:, 0])[:, None], first, second)
    high = np.where((first[:, 0] <= second[:, 0])[:, None], second, first)
    with np.errstate(over="ignore"):
        return np.stack(
            [
                scramble(low[:, 0] ^ scramble(high[:, 0], 3)),
                scramble(low[:, 1] ^ scramble(high[:, 1], 4)),
            ],
            axis=1,
        )


def shared_stems(
    pairs: npt.NDArray[Any],
    keys: Hashes,
    stem_start: Offsets,
    stems: Ints,
    vocabulary: Hashes,
    previous: Overlaps,
    least: int,
) -> tuple[Ints, Offsets, Ints, Overlaps]:
    """For each candidate pair (i, j) of statements (rows of `stem_start`/`stems`, named
    by `keys`): how many stems they share, or for a pair that shares fewer than `least`
    a number under `least`; which (stem numbers, for pairs sharing `least` or more; rows
    in pair order); plus what to remember for the next build.

    Most candidates share only the rare stem that proposed them: the bitmap bound shows
    they share fewer than `least` without looking anything up, and they are neither
    named nor remembered (the bound is as quick as a lookup of the remembered pairs)."""
    counts = shared_at_most(pairs, stem_start, stems, BITS)
    rows = np.flatnonzero(counts >= least)
    names = pair_names(keys[pairs[rows, 0]], keys[pairs[rows, 1]])
    # Sorted, the lookups walk the remembered names in order (ten times faster than
    # probing them at random), and the names are remembered in this order too.
    order = np.argsort(names[:, 0])
    in_order = names[order]
    found = np.empty(len(rows), np.int64)
    found[order] = _find(previous.names, in_order)
    known = found >= 0
    counts[rows[known]] = previous.counts[found[known]]
    fresh = rows[~known]
    fresh_counts, fresh_start, fresh_stems = _measure(pairs[fresh], stem_start, stems)
    counts[fresh] = fresh_counts
    # The stems of the pairs that may agree, in pair order, as stem numbers.
    wanted = counts >= least
    lengths = np.where(wanted, counts, 0)
    shared_start = starts(lengths)
    shared = np.zeros(int(lengths.sum()), np.int64)
    old_rows = rows[known & wanted[rows]]
    if len(old_rows):
        old = found[known & wanted[rows]]
        hashes = previous.shared[ranges(previous.shared_start[old], previous.counts[old])]
        shared[ranges(shared_start[old_rows], lengths[old_rows])] = np.searchsorted(
            vocabulary, hashes
        )
    new_rows = fresh[fresh_counts >= least]
    if len(new_rows):
        keep = fresh_counts >= least
        taken = fresh_stems[ranges(fresh_start[:-1][keep], fresh_counts[keep])]
        shared[ranges(shared_start[new_rows], lengths[new_rows])] = taken
    kept = rows[order]
    remembered = Overlaps(
        names=in_order,
        counts=counts[kept].astype(np.int32),
        shared_start=starts(lengths[kept]),
        shared=vocabulary[shared[ranges(shared_start[kept], lengths[kept])]],
    )
    return counts, shared_start, shared, remembered


def _find(known: Hashes, names: Hashes) -> Ints:
    """The row of each name in `known` (sorted by its first column), or -1."""
    if not len(known) or not len(names):
        return np.full(len(names), -1, np.int64)
    at = np.minimum(np.searchsorted(known[:, 0], names[:, 0]), len(known) - 1)
    same = (known[at, 0] == names[:, 0]) & (known[at, 1] == names[:, 1])
    result: Ints = np.where(same, at, -1)
    return result


def _measure(
    pairs: npt.NDArray[Any], stem_start: Offsets, stems: Ints
) -> tuple[Ints, Offsets, Ints]:
    """Shared stems of each pair, found by looking each stem of i up among j's. The
    lookups go in chunks, two at a time: NumPy's array passes release the interpreter
    lock, so two threads keep two CPUs busy."""
    vocabulary = int(stems.max()) + 1 if len(stems) else 1
    owner = np.repeat(np.arange(len(stem_start) - 1, dtype=np.int64), np.diff(stem_start))
    entry_keys = owner * vocabulary + stems
    lengths = np.diff(stem_start)[pairs[:, 0]] if len(pairs) else np.zeros(0, np.int64)
    bounds = np.searchsorted(
        np.cumsum(lengths), np.arange(_CHUNK, int(lengths.sum()) + _CHUNK, _CHUNK)
    )
    edges = [0, *bounds.tolist(), len(pairs)]
    spans = [(a, b) for a, b in pairwise(edges) if b > a]

    def chunk(span: tuple[int, int]) -> tuple[Ints, Ints]:
        begin, end = span
        size = end - begin
        rows = np.repeat(np.arange(size), lengths[begin:end])
        stem = stems[ranges(stem_start[pairs[begin:end, 0]], lengths[begin:end])]
        probe = pairs[begin:end, 1][rows] * vocabulary + stem
        at = np.minimum(np.searchsorted(entry_keys, probe), len(entry_keys) - 1)
        hit = entry_keys[at] == probe
        return np.bincount(rows[hit], minlength=size), stem[hit]

    if len(spans) > 1:
        with ThreadPoolExecutor(2) as pool:
            measured = list(pool.map(chunk, spans))
    else:
        measured = [chunk(span) for span in spans]
    counts = np.zeros(len(pairs), np.int64)
    for (begin, end), (found, _) in zip(spans, measured, strict=True):
        counts[begin:end] = found
    shared = [found for _, found in measured]
    all_found = np.concatenate(shared) if shared else np.zeros(0, np.int64)
    return counts, starts(counts), all_found
