"""Syndicated copies: one text published by several outlets.

Wire copy is republished nearly verbatim, and a scraped repost is the same text again.
Such copies are one source's reporting, not corroboration, so they are counted once when
sources are counted as independent, and shown as "also published by".

Each article is reduced to the set of its word 5-gram shingles (hashed with a fixed
function, never Python's seeded `hash`), and a bottom-k sketch of that set proposes
candidate pairs through an inverted index; only candidates get an exact resemblance.
Cost grows with the number of articles, not with its square.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from digest.models import Article

Shingles = npt.NDArray[np.uint32]
"""Sorted distinct shingle hashes: compact (4 bytes each), and intersected in C."""

SHINGLE = 5
"""Words per shingle: long enough that two independent reports rarely share one."""
SKETCH = 64
"""Hashes kept per article to propose candidates."""
COPY = 0.6
"""Containment of the shorter text's shingles in the longer from which it is a copy."""

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Syndication:
    """Groups of articles that are copies of one text."""

    original: Mapping[str, str]
    """Article id -> the id of the copy that stands for its group (itself when alone)."""
    copies: Mapping[str, tuple[str, ...]]
    """Article id -> the other articles of its group (absent when it has none)."""

    def independent(self, article_ids: Sequence[str], source_of: Mapping[str, str]) -> int:
        """How many independent sources the articles are: copies count once, and so do
        several articles of one outlet."""
        return len({source_of[self.original.get(a, a)] for a in article_ids})


def shingles(article: Article) -> Shingles:
    """The article's distinct shingle hashes, sorted (its first SKETCH are the sketch).

    Each word is hashed once (crc32, the same on every machine) and a shingle's hash is
    a polynomial of its words' hashes, computed for all shingles at once.
    """
    words = _WORD.findall(" ".join(s.text for s in article.sentences).lower())
    if not words:
        return np.zeros(0, np.uint32)
    memo: dict[str, int] = {}
    for word in words:
        if word not in memo:
            memo[word] = zlib.crc32(word.encode())
    hashes = np.fromiter((memo[w] for w in words), np.uint64, len(words))
    width = min(SHINGLE, len(words))
    count = len(words) - width + 1
    combined = np.zeros(count, np.uint64)
    for offset in range(width):
        combined = (combined * _BASE + hashes[offset : offset + count]) & _MASK
    return np.unique(combined.astype(np.uint32))


_BASE = np.uint64(1_000_003)
_MASK = np.uint64(0xFFFFFFFF)


def detect(
    articles: Sequence[Article],
    threshold: float = COPY,
    known: Mapping[str, Shingles] | None = None,
) -> Syndication:
    """Group copies; `known` holds shingles already computed (per-article analysis)."""
    given = known or {}
    sets = {a.id: given[a.id] if a.id in given else shingles(a) for a in articles}
    index: dict[int, list[str]] = defaultdict(list)
    for article_id, shingle_set in sets.items():
        for value in shingle_set[:SKETCH].tolist():
            index[value].append(article_id)
    parent = {a.id: a.id for a in articles}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = {a.id: (a.date.toordinal() if a.date else 10**7, a.id) for a in articles}
    checked: set[tuple[str, str]] = set()
    for ids in index.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pair = (a, b) if a < b else (b, a)
                if pair in checked:
                    continue
                checked.add(pair)
                small, large = sorted((sets[a], sets[b]), key=len)
                shared = np.intersect1d(small, large, assume_unique=True).size
                if small.size and shared / small.size >= threshold:
                    ra, rb = root(a), root(b)
                    # The earliest (then first by id) copy stands for the group.
                    first, second = sorted((ra, rb), key=order.__getitem__)
                    parent[second] = first
    groups: dict[str, list[str]] = defaultdict(list)
    for article_id in sorted(parent):
        groups[root(article_id)].append(article_id)
    original = {a: root(a) for a in sorted(parent)}
    copies = {
        a: tuple(x for x in members if x != a)
        for members in groups.values()
        if len(members) > 1
        for a in members
    }
    return Syndication(original, copies)
