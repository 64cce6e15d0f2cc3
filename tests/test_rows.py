"""The array helpers the site-wide stages stand on, against NumPy's own answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from digest import rows
from digest.rows import (
    distinct,
    distinct_below,
    first_places,
    member,
    merged_distinct,
    row_lengths,
)

small_ints = st.lists(st.integers(-5, 40), max_size=60)


@given(small_ints, small_ints)
def test_member_is_isin(values: list[int], among: list[int]) -> None:
    a, b = np.array(values, np.int64), np.array(among, np.int64)
    assert member(a, b).tolist() == np.isin(a, b).tolist()


@given(small_ints)
def test_first_places_are_where_unique_finds_each_value_first(values: list[int]) -> None:
    a = np.array(values, np.int64)
    uniques, first = np.unique(a, return_index=True)
    assert first_places(a).tolist() == first.tolist()
    assert distinct(a).tolist() == uniques.tolist()


@given(st.lists(st.integers(0, 40), max_size=60), st.integers(0, 3))
def test_distinct_below_is_unique_by_table_or_by_sorting(values: list[int], room: int) -> None:
    a = np.array(values, np.int64)
    bound = max(values, default=-1) + 1 + room
    assert distinct_below(a, bound).tolist() == np.unique(a).tolist()
    assert distinct_below(a, 16 * len(values) + 1).tolist() == np.unique(a).tolist()
    assert distinct_below(a, bound).dtype == np.int64
    tight = rows.MARKED
    try:
        rows.MARKED = bound - 1  # a bound over the table's size: sorted instead
        assert distinct_below(a, bound).tolist() == np.unique(a).tolist()
    finally:
        rows.MARKED = tight


@given(small_ints, small_ints)
def test_merged_distinct_is_unique_of_both(first: list[int], second: list[int]) -> None:
    a, b = np.array(sorted(first), np.int64), np.array(sorted(second), np.int64)
    assert merged_distinct(a, b).tolist() == np.unique(np.concatenate([a, b])).tolist()


@given(st.lists(st.lists(st.integers(0, 9), max_size=6), max_size=8))
def test_row_lengths_are_each_arrays_diff_joined(rows_of: list[list[int]]) -> None:
    offsets = [np.cumsum([0, *lengths]).astype(np.int32) for lengths in rows_of]
    expected = [n for lengths in rows_of for n in lengths]
    assert row_lengths(offsets).tolist() == expected
