"""The bitmap bound (`bitmaps.py`) that copy detection and agreement apply before
counting what two rows share."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest import containment, syndication
from digest.bitmaps import shared_at_most
from digest.compare import compare_corpus, corpus_of
from digest.corpus import Corpus
from digest.rows import starts
from digest.terms import Terms
from tests.test_agreement import WIRE_STORY, _articles, wire_copies


def _bound(small: list[int], large: list[int], threshold: float) -> bool:
    rows = [np.array(sorted(small), np.uint32), np.array(sorted(large), np.uint32)]
    start = starts([len(r) for r in rows])
    pairs = np.array([[0, 1]], np.int64)
    return bool(containment.could_be_copies(pairs, start, np.concatenate(rows), threshold)[0])


@given(
    st.lists(st.integers(0, 400), unique=True, max_size=50),
    st.lists(st.integers(0, 400), unique=True, max_size=50),
    st.lists(st.integers(0, 400), unique=True, max_size=50),
    st.sampled_from([0.6, 0.5, 1 / 3, 0.9, 1.0]),
    st.sampled_from([1, 7, containment.BITS]),
)
def test_the_bound_never_rejects_a_pair_that_is_a_copy(
    shared: list[int], only_a: list[int], only_b: list[int], threshold: float, spread: int
) -> None:
    """Whatever the texts and however their shingles collide in the bitmaps (`spread`
    BITS puts every shingle on bit 0), a pair the exact count finds a copy passes."""
    a = sorted({v * spread for v in shared + only_a})
    b = sorted({v * spread for v in shared + only_b})
    if not a or not b:
        return
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    common = len(set(small) & set(large))
    if common / len(small) >= threshold:
        assert _bound(a, b, threshold)


@given(
    st.lists(st.lists(st.integers(0, 10**6), unique=True, max_size=40), min_size=2, max_size=6),
    st.sampled_from([64, 128, 1024]),
)
def test_the_bound_is_at_least_what_two_rows_share(rows: list[list[int]], bits: int) -> None:
    arrays = [np.array(sorted(r), np.int64) for r in rows]
    start = starts([len(a) for a in arrays])
    pairs = np.array([(i, j) for i in range(len(rows)) for j in range(len(rows))], np.int64)
    bound = shared_at_most(pairs, start, np.concatenate(arrays), bits)
    for (i, j), most in zip(pairs.tolist(), bound.tolist(), strict=True):
        assert len(set(rows[i]) & set(rows[j])) <= most
        if i == j:
            assert most == len(rows[i])  # a row with itself: the bound is exact


def test_the_bound_rejects_texts_that_share_little() -> None:
    first = list(range(0, 700))
    second = list(range(560, 1300))  # a fifth of the first's shingles
    assert not _bound(first, second, syndication.COPY)
    assert _bound(first, list(range(200, 1300)), syndication.COPY)  # shares 500 of 700
    # Shingles that all fall on one bit: the bitmaps alone would say they share one.
    collide = [n * containment.BITS for n in range(700)]
    assert _bound(collide, collide[:600] + [n * containment.BITS + 1 for n in range(200)], 0.6)


def test_copies_found_with_the_bound_are_those_the_count_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = wire_copies()
    # Each quotes one sentence of the story: candidates, but far from copies.
    own = [
        ("Residents of Dunmore said the quay had been neglected for years.", "Pickets left."),
        ("A ferry captain blamed dredging delays on the council budget.", "Rain fell all day."),
        ("Shopkeepers near the pier reported fewer visitors since March.", "Tolls rose."),
        ("The lifeboat crew trained in the bay instead of the harbour.", "Gulls circled."),
        ("Tourists photographed the broken railings from the cliff path.", "Bins overflowed."),
        ("An engineer from Galway questioned the cost estimate at length.", "Nobody replied."),
    ]
    for n, (first, second) in enumerate(own):
        texts[f"quote-{n}"] = [WIRE_STORY[n % 4], first, second]
    corpus = corpus_of(_articles(texts), Terms())
    pairs = syndication._candidates(corpus.shingle_start, corpus.shingles)
    possible = containment.could_be_copies(
        pairs, corpus.shingle_start, corpus.shingles, syndication.COPY
    )
    assert 0 < possible.sum() < len(pairs)  # the bound sets some candidates aside
    monkeypatch.setattr(containment, "FROM", 10**9)
    counted = compare_corpus(corpus).syndication
    monkeypatch.setattr(containment, "FROM", 0)
    bounded = compare_corpus(corpus).syndication
    assert bounded == counted
    assert sorted(bounded.copies.groups) == [tuple(f"wire-{n}" for n in range(6))]


class _Listed:
    """What grouping copies reads of a corpus: its entries, their order by id, and
    their dates as day numbers (as `Corpus` gives them)."""

    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = entries
        order = sorted(range(len(entries)), key=lambda n: entries[n].id)
        self.id_rank = np.empty(len(entries), np.int32)
        self.id_rank[order] = np.arange(len(entries), dtype=np.int32)
        self.ordinals = Corpus.ordinals.func(self)  # type: ignore[arg-type]


class _Entry(NamedTuple):
    id: str
    key: str
    date: dt.date | None


@given(
    st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=1, max_size=14),
    st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13)), max_size=20),
)
def test_copies_are_grouped_as_joining_pairs_one_by_one_does(
    days: list[int | None], pairs: list[tuple[int, int]]
) -> None:
    # Article ids out of date order, some days shared, some undated.
    entries = [
        _Entry(f"a{(n * 5 + 3) % 17:02}", f"k{n:02}", dt.date(2022, 1, d) if d else None)
        for n, d in enumerate(days)
    ]
    copies = [(a % len(days), b % len(days)) for a, b in pairs if a % len(days) != b % len(days)]
    keys = frozenset(tuple(sorted((entries[a].key, entries[b].key))) for a, b in copies)
    rows = np.asarray(copies, np.int64).reshape(-1, 2)
    pairs = syndication.KeyPairs.of([e.key for e in entries], rows)
    assert pairs.as_set() == keys
    found = syndication._groups(_Listed(entries), rows, pairs)  # type: ignore[arg-type]
    # The reference: components by search; each stands for the earliest, then first id.
    partners: dict[int, set[int]] = {n: set() for n in range(len(entries))}
    for a, b in copies:
        partners[a].add(b)
        partners[b].add(a)
    component: dict[int, frozenset[int]] = {}
    for n in partners:
        seen, todo = {n}, [n]
        while todo:
            for m in partners[todo.pop()] - seen:
                seen.add(m)
                todo.append(m)
        component[n] = frozenset(seen)

    def earliest(n: int) -> tuple[int, str]:
        date = entries[n].date
        return (date.toordinal() if date else 10**7, entries[n].id)

    original = {entries[n].id: entries[min(c, key=earliest)].id for n, c in component.items()}
    assert found.original == original
    assert list(found.original) == sorted(original)
    groups = sorted(
        {tuple(sorted(entries[m].id for m in c)) for c in component.values() if len(c) > 1}
    )
    assert list(found.copies.groups) == groups
