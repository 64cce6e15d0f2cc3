"""Which candidate copy pairs could be copies, before their shingles are counted.

A copy holds at least `COPY` of the shorter text's shingles. Counting them exactly is a
binary search per shingle, in Python per pair; a 10,000-article site has half a million
candidate pairs (every article that carries a paragraph also found elsewhere), and
counting them all took 8 s of CPU, nearly all on pairs that share a paragraph or two.
The bitmap bound (`bitmaps.py`) sets those aside first; only the rest are counted, so
the copies found are exactly those the count alone finds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from digest.bitmaps import shared_at_most
from digest.facts import Ints

BITS = 8192
"""Bits per article's bitmap: 1 KiB. An article has about 700 shingles, so a pair that
shares a fifth of them (the typical candidate) is bounded near a third, well under the
threshold."""

FROM = 256
"""Fewer candidates than this are counted without a bound: a rebuild's few."""


def could_be_copies(
    pairs: npt.NDArray[Any], start: Ints, values: npt.NDArray[Any], threshold: float
) -> npt.NDArray[np.bool_]:
    """For each pair (a, b) of articles (rows of `start`/`values`, sorted distinct
    uint32 shingles), whether the bound lets it reach `threshold` of the smaller's."""
    lengths = np.diff(start)
    size = np.minimum(lengths[pairs[:, 0]], lengths[pairs[:, 1]])
    # One shingle fewer than the threshold's product, so rounding never rejects a copy.
    needed = np.floor(threshold * size).astype(np.int64) - 1
    possible: npt.NDArray[np.bool_] = shared_at_most(pairs, start, values, BITS) >= needed
    return possible
