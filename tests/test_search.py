"""The offline search index and the search page."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from digest.build import build
from digest.search import fold
from tests.conftest import SiteMaker

CONFIG = """
title: Valley news
topics:
  - name: Bridge
    description: The new crossing.
    keywords: [bridge]
"""
FILES = {
    "zurich.md": """\
        ---
        title: Zürich delegation visits
        source: Valley Post
        date: 2024-05-02
        ---
        The delegation from Zürich crossed the new bridge on foot.

        Afterwards the mayor's office served lunch by the river.
        """,
    "hostile.md": """\
        ---
        title: <img src=x onerror=alert(1)> Market report
        source: Hill Times
        ---
        Stalls sold apples and pears.
        """,
}


def index(out: Path) -> list[dict[str, str]]:
    text = (out / "search-index.js").read_text(encoding="utf-8")
    prefix = "window.DIGEST_SEARCH = "
    line = next(line for line in text.splitlines() if line.startswith(prefix))
    return json.loads(line.removeprefix(prefix).removesuffix(";"))  # type: ignore[no-any-return]


def test_fold_matches_words_regardless_of_case_accents_and_punctuation() -> None:
    assert fold("Zürich's MAYOR, «finally»!") == "zurich s mayor finally"
    assert fold("  Crème   brûlée ") == "creme brulee"


def test_index_holds_topics_and_articles_with_their_body_words(make_site: SiteMaker) -> None:
    out = build(make_site(CONFIG, FILES)).output_dir
    entries = index(out)
    assert [(e["kind"], e["title"]) for e in entries] == [
        ("Topic", "Bridge"),
        ("Article", "Zürich delegation visits"),
        ("Article", "<img src=x onerror=alert(1)> Market report"),
    ]
    zurich = entries[1]
    assert zurich["path"] == "articles/zurich.html"
    assert (zurich["source"], zurich["date"]) == ("Valley Post", "2 May 2024")
    # a word only in the body, not in the summary, is searchable
    assert " lunch " in f" {zurich['words']} " and " zurich " in f" {zurich['words']} "
    assert zurich["summary"].startswith("The delegation from Zürich crossed")
    assert entries[0]["summary"] == "The new crossing."
    assert (out / entries[2]["path"]).is_file()


def test_search_page_works_without_javascript(make_site: SiteMaker) -> None:
    out = build(make_site(CONFIG, FILES)).output_dir
    page = BeautifulSoup((out / "search.html").read_text(encoding="utf-8"), "html.parser")
    form = page.find("form", role="search")
    assert form["action"] == "search.html" and form.find("input")["name"] == "q"
    fallback = page.find("noscript")
    assert "needs JavaScript" in fallback.get_text()
    assert {a["href"] for a in fallback.find_all("a")} == {"archive.html", "sources.html"}
    script = (out / "static" / "search.js").read_text(encoding="utf-8")
    assert "textContent" in script and "innerHTML" not in script


def test_search_can_be_switched_off(make_site: SiteMaker) -> None:
    out = build(make_site(CONFIG + "search: false\n", FILES)).output_dir
    assert not (out / "search.html").exists() and not (out / "search-index.js").exists()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "search.html" not in home
