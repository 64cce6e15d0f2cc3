"""Syndicated copies: one text published by several outlets.

Wire copy is republished nearly verbatim, and a scraped repost is the same text again.
Such copies are one source's reporting, not corroboration, so they are counted once when
sources are counted as independent, and shown as "also published by".

Each article is reduced to the set of its word 5-gram shingles (hashed with a fixed
function, never Python's seeded `hash`), and a bottom-k sketch of that set proposes
candidate pairs through an inverted index; a bound from bitmaps sets aside the
candidates that cannot be copies (`containment.py`), and only the rest are measured
exactly. Cost grows with the number of articles, not with its square.
"""

from __future__ import annotations

import hashlib
import math
import re
import zlib
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from digest import containment
from digest.facts import Flags, Ints
from digest.models import Article
from digest.rows import distinct, member, ranges

if TYPE_CHECKING:
    from digest.corpus import Corpus

Shingles = npt.NDArray[Any]
"""Sorted distinct shingle hashes (uint32): compact, and intersected in C."""
Pairs = npt.NDArray[Any]
"""Rows (a, b), a < b, of article numbers (int64)."""

SHINGLE = 5
"""Words per shingle: long enough that two independent reports rarely share one."""
SKETCH = 64
"""Hashes kept per article to propose candidates."""
COPY = 0.6
"""Containment of the shorter text's shingles in the longer from which it is a copy."""

_WORD = re.compile(r"\w+")


class Copies(Mapping[str, tuple[str, ...]]):
    """Article id -> the other articles of its group (absent when it has none), made on
    access: stored as groups, since a wire story with a hundred copies would otherwise
    be listed a hundred times over, in memory and in the state of every build."""

    def __init__(self, groups: Sequence[tuple[str, ...]]) -> None:
        self.groups = tuple(groups)
        """Each group's members, sorted by id."""
        self._group = {article: members for members in self.groups for article in members}

    def __getitem__(self, article: str) -> tuple[str, ...]:
        return tuple(m for m in self._group[article] if m != article)

    def __iter__(self) -> Iterator[str]:
        return iter(self._group)

    def __len__(self) -> int:
        return len(self._group)

    def __contains__(self, article: object) -> bool:
        return article in self._group

    def __reduce__(self) -> tuple[type[Copies], tuple[tuple[tuple[str, ...], ...]]]:
        return (Copies, (self.groups,))


class KeyPairs:
    """Pairs of articles by their analysis keys: each key once, and the pairs as rows of
    two numbers into them. (As a set of key tuples, a site whose wire stories run in
    forty outlets held 44,000 pairs, and every rebuild looked up 88,000 keys and made
    as many tuples to carry them over: 0.05 s.) Equal when they hold the same pairs."""

    __slots__ = ("keys", "rows")

    def __init__(self, keys: Sequence[str] = (), rows: Pairs | None = None) -> None:
        self.keys = tuple(keys)
        self.rows: Pairs = np.zeros((0, 2), np.int64) if rows is None else rows

    @staticmethod
    def of(keys: Sequence[str], rows: Pairs) -> KeyPairs:
        """The pairs `rows` (numbers into `keys`), keeping only the keys they use."""
        used = distinct(rows.ravel())
        at = np.searchsorted(used, rows)
        return KeyPairs([keys[n] for n in used.tolist()], at.astype(np.int64))

    def as_set(self) -> frozenset[tuple[str, str]]:
        keys = self.keys
        return frozenset(
            (keys[a], keys[b]) if keys[a] < keys[b] else (keys[b], keys[a])
            for a, b in self.rows.tolist()
        )

    def __len__(self) -> int:
        return len(self.rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeyPairs) and self.as_set() == other.as_set()

    def __hash__(self) -> int:
        return hash(self.as_set())

    def __reduce__(self) -> tuple[type[KeyPairs], tuple[tuple[str, ...], Pairs]]:
        return (KeyPairs, (self.keys, self.rows))


NO_PAIRS = KeyPairs()


@dataclass(frozen=True, slots=True)
class Syndication:
    """Groups of articles that are copies of one text."""

    original: Mapping[str, str]
    """Article id -> the id of the copy that stands for its group (itself when alone)."""
    copies: Copies
    pairs: KeyPairs = NO_PAIRS
    """Every pair of copies found, by the articles' analysis keys: whether two texts are
    copies depends on the two texts alone, so the next build reuses these answers for
    every pair of unchanged articles."""

    def independent(self, article_ids: Sequence[str], source_of: Mapping[str, str]) -> int:
        """How many independent sources the articles are: copies count once, and so do
        several articles of one outlet."""
        originals = map(self.original.get, article_ids, article_ids)
        return len(set(map(source_of.__getitem__, originals)))


def group_digests(syndication: Syndication, source_of: Mapping[str, str]) -> dict[str, str]:
    """Per article that has copies, a name for its group: the members and their outlets.
    What a page or an export shows of an article's copies follows from this and the
    article's own id, and a group is hashed once however many members it has (a wire
    story can have a hundred)."""
    result: dict[str, str] = {}
    for members in syndication.copies.groups:
        text = "\0".join(f"{m}\1{source_of[m]}" for m in members)
        digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        result.update(dict.fromkeys(members, digest))
    return result


def shingles(article: Article) -> Shingles:
    """The article's distinct shingle hashes, sorted (its first SKETCH are the sketch).

    Each word is hashed (crc32, the same on every machine; in C, which is no slower
    than looking it up in a memo) and a shingle's hash is a polynomial of its words'
    hashes, computed for all shingles at once.
    """
    words = _WORD.findall(" ".join(s.text for s in article.sentences).lower())
    if not words:
        return np.zeros(0, np.uint32)
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), np.uint64, len(words))
    width = min(SHINGLE, len(words))
    count = len(words) - width + 1
    # The polynomial modulo 2**32, as the final cast to uint32 takes it: the uint64
    # arithmetic wraps modulo a multiple of 2**32, so no step needs its own mask.
    combined = hashes[:count].copy()
    for offset in range(1, width):
        combined *= _BASE
        combined += hashes[offset : offset + count]
    return distinct(combined.astype(np.uint32))


_BASE = np.uint64(1_000_003)


Find = Callable[["Flags | None"], list[tuple[int, int]]]
"""`find(among)`: the copy pairs (a, b), a < b, in order, of the pairs with an article
`among` marks (all pairs when None): `find_copies` of a corpus."""


def detect(
    corpus: Corpus,
    threshold: float = COPY,
    known: Syndication | None = None,
    fresh: Container[str] = (),
    find: Find | None = None,
) -> Syndication:
    """Group copies. With `known` (the previous build's), only pairs with an article in
    `fresh` (analysis keys of new or changed files) are measured; two unchanged
    articles are copies exactly when `known` says so, which is what measuring them
    would find. `find` finds the copies (`find_copies` with `threshold` unless given:
    the compare stage shares the work with a process).
    """
    entries = corpus.entries
    keys = [e.key for e in entries]
    changed = None
    if known is not None:
        changed = np.fromiter(map(fresh.__contains__, keys), np.bool_, len(keys))
    kept = np.zeros((0, 2), np.int64)
    same = False
    if known is not None and changed is not None:
        # Pairs of two unchanged articles are copies as before (thousands: in arrays).
        number = {k: n for n, k in enumerate(keys)}
        before = known.pairs
        now = np.fromiter(map(number.get, before.keys, repeat(-1)), np.int64, len(before.keys))
        rows = now[before.rows]
        whole = (rows[:, 0] >= 0) & (rows[:, 1] >= 0)
        whole[whole] = ~(changed[rows[whole, 0]] | changed[rows[whole, 1]])
        kept = rows[whole]
        same = bool(whole.all())
    measured = find_copies(corpus, changed, threshold) if find is None else find(changed)
    copies = np.concatenate([kept, np.asarray(measured, np.int64).reshape(-1, 2)])
    if known is not None and same and not measured:
        return _groups(corpus, copies, known.pairs)  # every pair kept, none new
    return _groups(corpus, copies, KeyPairs.of(keys, copies))


def find_copies(
    corpus: Corpus,
    among: Flags | None = None,
    threshold: float = COPY,
    part: tuple[int, int] | None = None,
) -> list[tuple[int, int]]:
    """The copy pairs among the candidates (`among`: only pairs with an article it
    marks), in order. `part` (i, n): only those of the i-th of n parts of the
    candidates, split by their first article where the candidates count alike; the n
    parts' answers, one after the other, are the whole answer."""
    start, values = corpus.shingle_start, corpus.shingles
    pairs = _candidates(start, values, among, part)
    if len(pairs) >= containment.FROM:
        pairs = pairs[containment.could_be_copies(pairs, start, values, threshold)]
    return measure_copies(corpus, pairs, threshold)


def measure_copies(corpus: Corpus, pairs: Pairs, threshold: float = COPY) -> list[tuple[int, int]]:
    """The candidate pairs (a, b) that are copies, in the order given."""
    if not len(pairs):
        return []
    start, values = corpus.shingle_start, corpus.shingles
    # Each article's shingles as a view, made once: slicing them afresh for each of
    # half a million pairs would take as long as measuring them. (A rebuild's few
    # pairs slice their own: making ten thousand views would take longer.)
    if 4 * len(pairs) < len(start):
        bounds = start.tolist()
        shingles: Sequence[Shingles] | _Views = _Views(values, bounds)
    else:
        shingles = np.split(values, start[1:-1]) if len(start) > 1 else []
    copies = []
    for a, b in pairs.tolist():
        first, second = shingles[a], shingles[b]
        small, large = (first, second) if first.size <= second.size else (second, first)
        if small.size and _contained(small, large, threshold):
            copies.append((a, b))
    return copies


class _Views:
    """Article n's shingles, sliced when asked for."""

    def __init__(self, values: Shingles, bounds: list[int]) -> None:
        self._values, self._bounds = values, bounds

    def __getitem__(self, n: int) -> Shingles:
        return self._values[self._bounds[n] : self._bounds[n + 1]]


def _contained(small: Shingles, large: Shingles, threshold: float) -> bool:
    """Whether at least `threshold` of `small`'s shingles are in `large` (both sorted,
    distinct). Each of the smaller's is looked up in the larger by binary search (half
    the time of `np.intersect1d`, which sorts the two together), half of them first:
    most candidates share a fifth of their shingles, and half the lookups show that
    they cannot reach the threshold (a 10,000-article cold build has half a million
    candidates). The answer is exact either way."""
    size = small.size
    needed = _least(size, threshold)
    half = size // 2
    found = _shared(small[:half], large)
    if found + (size - half) < needed:
        return False
    return found >= needed or found + _shared(small[half:], large) >= needed


def _least(size: int, threshold: float) -> int:
    """The fewest shared shingles `n` with `n / size >= threshold` (as the division
    rounds, not as the product does)."""
    least = max(0, min(size, math.ceil(threshold * size)))
    while least > 0 and (least - 1) / size >= threshold:
        least -= 1
    while least <= size and least / size < threshold:
        least += 1
    return least


def _shared(small: Shingles, large: Shingles) -> int:
    if not large.size:
        return 0
    at = large.searchsorted(small)
    return int(np.count_nonzero(large.take(at, mode="clip") == small))


def _groups(corpus: Corpus, copies: Pairs, found: KeyPairs) -> Syndication:
    """The groups the copy pairs join (`found`: the same pairs by analysis keys); the
    earliest copy (then first by id) stands for its group. In array passes: each
    article takes the smallest rank (by date, then id) among its copy partners, and
    then its partners' partners', until no rank moves; the rank a group ends with is
    its earliest member's."""
    entries = corpus.entries
    count = len(entries)
    ids = [e.id for e in entries]
    by_id = corpus.id_rank.astype(np.int64)
    ranked = np.lexsort((by_id, corpus.ordinals))
    rank = np.empty(count, np.int64)
    rank[ranked] = np.arange(count)
    pairs = copies
    a, b = pairs[:, 0], pairs[:, 1]
    label = rank.copy()
    while len(pairs):
        least = np.minimum(label[a], label[b])
        moved = label.copy()
        np.minimum.at(moved, a, least)
        np.minimum.at(moved, b, least)
        moved = moved[ranked[moved]]  # a label is a rank: take that article's label
        if (moved == label).all():
            break
        label = moved
    root = ranked[label]
    in_id_order = np.argsort(by_id).tolist()
    roots = root[in_id_order].tolist()
    original = {ids[n]: ids[r] for n, r in zip(in_id_order, roots, strict=True)}
    size = np.bincount(label, minlength=count)
    grouped = np.flatnonzero(size[label] > 1)
    first_id = np.full(count, count, np.int64)
    np.minimum.at(first_id, label[grouped], by_id[grouped])
    order = grouped[np.lexsort((by_id[grouped], first_id[label[grouped]]))]
    members: dict[int, list[str]] = {}
    for n, group in zip(order.tolist(), label[order].tolist(), strict=True):
        members.setdefault(group, []).append(ids[n])
    return Syndication(original, Copies([tuple(m) for m in members.values()]), found)


def _candidates(
    start: Ints,
    values: Shingles,
    among: Flags | None = None,
    part: tuple[int, int] | None = None,
) -> Pairs:
    """Pairs (a, b), a < b, worth measuring (`among`: only pairs with an article it
    marks), each once, in order; `part`: only those of that part (see `find_copies`).

    Two articles are candidates when their sketches (their SKETCH smallest shingles)
    share a value. The share of sketch values two texts have in common estimates how
    alike they are (MinHash): a pair whose sketches share less than a quarter of what a
    copy of its sizes would share is not measured. That skips the many articles that
    merely quote the same paragraph, and loses a real copy about once in a thousand;
    an article shorter than its sketch is always measured.
    """
    lengths = np.diff(start)
    sketched = np.minimum(lengths, SKETCH)
    count = len(lengths)
    # A pair is named by one number, a * count + b: in 32 bits when that fits, since
    # sorting the eight million of 10,000 articles takes half the time it does in 64.
    kind = np.uint32 if count < 2**16 else np.int64
    owner: Ints = np.repeat(np.arange(count, dtype=kind), sketched)
    sketch = values[ranges(start[:-1], sketched)]
    if among is not None:
        wanted = member(sketch, sketch[among[owner]])
        sketch, owner = sketch[wanted], owner[wanted]
    by_value = np.lexsort((owner, sketch))
    sketch, owner = sketch[by_value], owner[by_value]
    # Each holder of a value pairs with the holders after it in the same run.
    run_end = np.searchsorted(sketch, sketch, side="right")
    later = run_end - np.arange(len(sketch)) - 1
    at = np.arange(len(sketch))
    if part is not None:
        lo, hi = _part_of(owner, later, count, *part)
        at = at[(owner >= lo) & (owner < hi)]
    first = np.repeat(owner[at], later[at])
    second = owner[ranges(at + 1, later[at])]
    if among is not None:
        keep = among[first] | among[second]
        first, second = first[keep], second[keep]
    keys = np.sort(first * count + second)  # (a Python int keeps the type)
    if not len(keys):
        return np.zeros((0, 2), np.int64)
    new = np.ones(len(keys), np.bool_)
    new[1:] = keys[1:] != keys[:-1]
    unique = keys[new]
    shared = np.diff(np.append(np.flatnonzero(new), len(keys)))
    a, b = unique // count, unique % count
    small = np.minimum(lengths[a], lengths[b]).astype(np.float64)
    large = np.maximum(lengths[a], lengths[b]).astype(np.float64)
    # Resemblance (Jaccard) of a pair whose smaller text is COPY contained in the other.
    least = COPY * small / (small + large - COPY * small)
    worth = (shared >= SKETCH * least / 4) | (small < SKETCH)
    return np.stack([a[worth], b[worth]], axis=1).astype(np.int64, copy=False)


def _part_of(owner: Ints, later: Ints, count: int, index: int, parts: int) -> tuple[int, int]:
    """The first articles (lo, hi) of part `index` of `parts`: where the pairs they
    start add up to an equal share of all pairs (a pair's first article is the smaller
    number, so the first half of the articles starts three quarters of the pairs)."""
    made = np.cumsum(np.bincount(owner, weights=later, minlength=count))
    total = float(made[-1]) if count else 0.0
    cuts = [0, *(int(np.searchsorted(made, total * k / parts)) + 1 for k in range(1, parts)), count]
    return min(cuts[index], count), min(cuts[index + 1], count)
