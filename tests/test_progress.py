"""The progress display: a bar on a terminal, a few plain lines in a CI log."""

from __future__ import annotations

import io

import pytest

import digest.progress
from digest.progress import Progress


@pytest.fixture(autouse=True)
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest.progress, "SHOW_AFTER", 0.0)


def test_terminal_bar_is_redrawn_in_place_and_erased() -> None:
    stream = io.StringIO()
    progress = Progress(stream, interactive=True)
    progress("read", 0, 400)
    progress("read", 400, 400)
    progress.print("warning: a.md: empty file")
    progress("render", 0, 0)
    progress.close()
    text = stream.getvalue()
    assert "read       [------------------------------] 0/400" in text
    assert "[##############################] 400/400" in text
    assert "render     ..." in text
    assert "\n" not in text.replace("warning: a.md: empty file\n", ""), "bars never scroll"
    assert text.endswith("\r\033[K"), "the bar is erased at the end"


def test_log_gets_a_line_per_quarter_of_a_large_site() -> None:
    stream = io.StringIO()
    progress = Progress(stream, interactive=False)
    for done in range(0, 1001):
        progress("read", done, 1000)
    progress("render", 0, 0)
    progress.close()
    assert stream.getvalue().splitlines() == [
        "read 0/1000",
        "read 250/1000",
        "read 500/1000",
        "read 750/1000",
        "read 1000/1000",
    ]


def test_small_sites_and_quick_builds_show_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    progress = Progress(stream, interactive=False)
    for done in range(0, 21):
        progress("read", done, 20)
    assert stream.getvalue() == ""
    monkeypatch.setattr(digest.progress, "SHOW_AFTER", 60.0)
    terminal = Progress(stream, interactive=True)
    terminal("read", 5, 1000)
    terminal.close()
    assert stream.getvalue() == ""
