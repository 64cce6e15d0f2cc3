"""The array helpers the site-wide stages stand on, against NumPy's own answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from digest.rows import distinct, first_places, member

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
