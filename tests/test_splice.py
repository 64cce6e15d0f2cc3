"""Files spliced from new bytes and ranges of the previous build's files, and the
staging folder that keeps the rest as links."""

from __future__ import annotations

import gc
import itertools
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest import write
from digest.ahead import link_ahead
from digest.freshness import output_listing, updated_listing
from digest.splice import Part, Slice, joined, resolve, write_parts
from digest.write import Staging

ITEMS = [f'{{"article": {n}, "text": "{"word " * n}"}}'.encode() for n in range(1, 9)]


def _old_file(tmp_path: Path) -> tuple[Path, list[tuple[int, int]]]:
    parts, spans = joined(b"[\n", ITEMS, b",\n", b"\n]\n")
    path = tmp_path / "old.json"
    path.write_bytes(resolve(parts))
    return path, spans


def test_joined_bytes_are_the_plain_join_with_spans() -> None:
    parts, spans = joined(b"[", ITEMS, b",", b"]")
    whole = resolve(parts)
    assert whole == b"[" + b",".join(ITEMS) + b"]"
    assert [whole[a:b] for a, b in spans] == ITEMS


def test_an_edit_keeps_two_ranges_and_writes_the_same_file(tmp_path: Path) -> None:
    old, spans = _old_file(tmp_path)
    edited = b'{"article": 4, "text": "changed"}'
    items = [Slice(old, a, b) for a, b in spans]
    items[3] = edited
    parts, new_spans = joined(b"[\n", items, b",\n", b"\n]\n")
    # head, one range for items 0-2, separator, the edit, separator, one range for 4-7, tail
    assert [type(p).__name__ for p in parts] == [
        "bytes", "Slice", "bytes", "bytes", "bytes", "Slice", "bytes",
    ]  # fmt: skip
    target = tmp_path / "new.json"
    write_parts(target, parts)
    expected = [*ITEMS[:3], edited, *ITEMS[4:]]
    data = target.read_bytes()
    assert data == b"[\n" + b",\n".join(expected) + b"\n]\n"
    assert [data[a:b] for a, b in new_spans] == expected


def test_reordered_ranges_are_not_merged(tmp_path: Path) -> None:
    old, spans = _old_file(tmp_path)
    items = [Slice(old, a, b) for a, b in reversed(spans)]
    parts, _ = joined(b"[", items, b",", b"]")
    assert sum(isinstance(p, Slice) for p in parts) == len(ITEMS)
    target = tmp_path / "new.json"
    write_parts(target, parts)
    assert target.read_bytes() == b"[" + b",".join(reversed(ITEMS)) + b"]"


def test_without_copy_file_range_the_ranges_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, spans = _old_file(tmp_path)

    def refuse(*args: object) -> int:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refuse, raising=False)
    parts, _ = joined(b"[", [Slice(old, a, b) for a, b in spans], b",\n", b"]")
    assert len(parts) == 3  # the ranges are one, and still copied whole
    target = tmp_path / "new.json"
    write_parts(target, parts)
    assert target.read_bytes() == b"[" + b",\n".join(ITEMS) + b"]"


def test_an_old_file_cut_short_is_an_error_not_a_short_file(tmp_path: Path) -> None:
    old, spans = _old_file(tmp_path)
    old.write_bytes(old.read_bytes()[: spans[2][0]])
    parts, _ = joined(b"[", [Slice(old, a, b) for a, b in spans], b",", b"]")
    with pytest.raises(OSError, match="shorter"):
        write_parts(tmp_path / "new.json", parts)


@pytest.mark.parametrize("with_folders", [True, False], ids=["linkat", "whole paths"])
def test_staging_keeps_files_as_links_and_leaves_the_old_output_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_folders: bool
) -> None:
    if not with_folders:  # as on Windows, where links cannot be named from open folders
        monkeypatch.setattr(os, "supports_dir_fd", set())
    out = tmp_path / "public"
    (out / "articles").mkdir(parents=True)
    (out / "index.html").write_text("home")
    (out / "articles" / "a.html").write_text("article a")
    staging = Staging(out, reuse=True)
    kept = staging.keep_all(["index.html", "articles/a.html", "articles/gone.html"])
    assert kept == [True, True, False]
    assert staging.kept == {"index.html", "articles/a.html"}
    staging.write("articles/b.html", b"article b")
    staging.commit()
    staging.close()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == [
        "articles/a.html", "articles/b.html", "index.html",
    ]  # fmt: skip
    assert (out / "articles" / "a.html").read_text() == "article a"
    assert [p.name for p in tmp_path.iterdir()] == ["public"], "the old output is deleted"


@pytest.mark.skipif(shutil.which("rm") is None, reason="deletes with `rm` where there is one")
def test_a_deletion_not_waited_for_is_kept_until_done_and_then_reaped(tmp_path: Path) -> None:
    # A build that lingers (the command line) returns while `rm` deletes the old site;
    # in a process that lives on, that `rm` must not be collected while it runs.
    out = tmp_path / "public"
    out.mkdir()
    for n in range(200):
        (out / f"{n}.html").write_text("old")
    staging = Staging(out, reuse=False)
    staging.write("index.html", b"new")
    staging.commit()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        staging.close(wait=False)
        running = list(write._RUNNING)
        del staging
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert running and all(isinstance(p, subprocess.Popen) for p in running)
    for process in running:
        assert process.wait(timeout=30) == 0
    write._left_running([])  # the next build's close: what is done is let go
    assert not set(map(id, running)) & set(map(id, write._RUNNING))
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_writing_over_a_kept_file_leaves_the_old_output_alone(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "robots.txt").write_text("old")
    staging = Staging(out, reuse=True)
    assert staging.keep_all(["robots.txt"]) == [True]
    staging.write("robots.txt", b"new")  # a file of a group whose other file was gone
    assert (out / "robots.txt").read_text() == "old", "written through the hard link"
    assert "robots.txt" not in staging.kept
    staging.abort()


def test_keeping_from_an_output_that_vanished_keeps_nothing(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("home")
    staging = Staging(out, reuse=True)
    (out / "index.html").unlink()
    out.rmdir()
    assert staging.keep_all(["index.html", "a/b.html"]) == [False, False]
    staging.abort()


def test_a_listing_with_paths_one_case_apart_is_looked_at(tmp_path: Path) -> None:
    out = tmp_path / "public"
    (out / "static").mkdir(parents=True)
    (out / "static" / "logo.png").write_bytes(b"png")
    made = updated_listing(out, {}, [], ["static/Logo.png", "static/logo.png"])
    assert made == output_listing(out)


def test_a_folder_linked_ahead_is_adopted_and_settled(tmp_path: Path) -> None:
    out = tmp_path / "public"
    for path, text in {
        "index.html": "home",
        "articles/a.html": "article a",
        "articles/b.html": "article b",
        "gone/old.html": "an article since deleted",
    }.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text)
    ahead = link_ahead(out)
    if ahead is None:
        pytest.skip("no fork, or one CPU")
    assert ahead.listing() == output_listing(out), "it looked at every file"
    staging = Staging(out, reuse=True, ahead=ahead)
    assert ahead.adopted and staging.folder == ahead.folder
    assert staging.keep_all(["articles/a.html", "articles/c.html"]) == [True, False]
    staging.write("index.html", b"new home")  # replaces its link, not the old file
    staging.write("articles/c.html", b"article c")
    assert (out / "index.html").read_text() == "home", "written through the hard link"
    inode = (out / "articles" / "a.html").stat().st_ino
    staging.settle(["index.html", "articles/a.html", "articles/b.html", "articles/c.html"])
    staging.commit()
    staging.close()
    ahead.close()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "articles", "articles/a.html", "articles/b.html", "articles/c.html", "index.html",
    ]  # fmt: skip
    assert (out / "index.html").read_text() == "new home"
    assert (out / "articles" / "a.html").stat().st_ino == inode, "kept as a link"
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_links_ahead_of_an_output_not_reused_are_deleted(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("home")
    ahead = link_ahead(out)
    if ahead is None:
        pytest.skip("no fork, or one CPU")
    staging = Staging(out, reuse=False, ahead=ahead)
    assert not ahead.adopted and not any(staging.folder.iterdir()), "a fresh folder"
    assert staging.keep_all(["index.html"]) == [False]
    staging.abort()
    ahead.close()
    assert [p.name for p in tmp_path.iterdir()] == ["public"]
    assert (out / "index.html").read_text() == "home"


def test_links_ahead_that_failed_are_not_adopted(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("home")
    (tmp_path / f".public.digest-new-{os.getpid()}").mkdir()  # a leftover in its way
    ahead = link_ahead(out)
    if ahead is None:
        pytest.skip("no fork, or one CPU")
    assert not ahead.ready() and ahead.listing() is None
    staging = Staging(out, reuse=True, ahead=ahead)
    assert not ahead.adopted
    assert staging.keep_all(["index.html"]) == [True]
    staging.abort()
    ahead.close()


@given(
    st.lists(st.binary(max_size=5), min_size=1, max_size=8),
    st.lists(st.one_of(st.binary(max_size=5), st.integers(0, 7)), max_size=12),
    st.sampled_from([b"", b",", b",\n"]),
)
def test_joined_parts_are_the_plain_join_with_neighbours_merged(
    old_items: list[bytes], items: list[bytes | int], separator: bytes
) -> None:
    # The previous file was joined the same way; the new one takes some of its items
    # (numbers: which), in any order, between new bytes.
    old = Path(tempfile.mkdtemp()) / "old.json"
    old_parts, old_spans = joined(b"[", old_items, separator, b"]")
    old.write_bytes(resolve(old_parts))
    parts_in: list[Part] = [
        i if isinstance(i, bytes) else Slice(old, *old_spans[i % len(old_items)]) for i in items
    ]
    plain = [p if isinstance(p, bytes) else p.read() for p in parts_in]
    parts, spans = joined(b"[", parts_in, separator, b"]")
    whole = resolve(parts)
    assert whole == b"[" + separator.join(plain) + b"]"
    assert [whole[a:b] for a, b in spans] == plain
    # Each range that runs on from the one before (separator included) joins it.
    mergeable = sum(
        isinstance(a, Slice) and isinstance(b, Slice) and a.end + len(separator) == b.start
        for a, b in itertools.pairwise(parts_in)
    )
    separators = max(len(parts_in) - 1, 0)
    assert len(parts) == 2 + len(parts_in) + separators - 2 * mergeable
