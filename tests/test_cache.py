"""cache.py: entries come back as they were stored, whether read or mapped."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digest.cache import MAPPED, Cache


def test_large_entries_are_mapped_and_stay_private(tmp_path: Path) -> None:
    cache = Cache(tmp_path, "state", b"test")
    columns = np.arange(MAPPED // 4, dtype=np.int64)  # twice MAPPED: mapped, not read
    small = np.arange(10, dtype=np.int32)
    cache.store("large", {"columns": columns, "names": ("a", "b"), "small": small})
    cache.store("small", {"small": small})
    stored = (tmp_path / "state" / "large.pickle").read_bytes()
    assert len(stored) >= MAPPED

    loaded = cache.load("large")
    assert loaded["names"] == ("a", "b")
    np.testing.assert_array_equal(loaded["columns"], columns)
    np.testing.assert_array_equal(cache.load("small")["small"], small)
    # The arrays are this process's own: writing to one changes neither the file nor
    # what the next load gives.
    loaded["columns"][:1000] = -1
    assert (tmp_path / "state" / "large.pickle").read_bytes() == stored
    np.testing.assert_array_equal(cache.load("large")["columns"], columns)


def test_large_entries_cut_short_or_damaged_are_ignored(tmp_path: Path) -> None:
    cache = Cache(tmp_path, "state", b"test")
    cache.store("large", np.zeros(MAPPED, np.uint8))
    path = tmp_path / "state" / "large.pickle"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 100])
    assert cache.load("large") is None
    path.write_bytes(b"\0" * len(whole))
    assert cache.load("large") is None
    path.write_bytes(whole + b"\0" * 64)
    assert cache.load("large") is None
