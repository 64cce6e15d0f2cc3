"""Whole builds of small sites written in the test: safety, determinism, Pages URLs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from digest.build import build
from digest.errors import DigestError
from digest.reporter import BufferReporter
from tests.conftest import SiteMaker, copy_example
from tests.test_example import scripts_only_where_search_needs_them

CONFIG = """
title: Harbour watch
topics:
  - name: Harbour
    keywords: [harbour, pier]
  - name: Weather
    keywords: [storm]
"""

HOSTILE_CONFIG = """
title: <script>alert("site")</script> Harbour watch
description: '"><svg onload=alert("description")>'
topics:
  - name: <script>alert("topic")</script> Harbour
    description: <img src=x onerror=alert("topic description")>
    keywords: [harbour, '"><b onmouseover=alert(1)>']
  - name: Weather
    keywords: [storm]
"""

HOSTILE = """\
---
title: <script>alert("title")</script> Harbour news
source: '"><svg onload=alert(1)>'
url: https://example.org/a?x="><b>
author: <img src=x onerror=alert(2)>
topics: ['<script>alert("topic")</script> Harbour']
---
The harbour <script>alert("body")</script> closed after the storm on Monday.

Read [the notice](javascript:alert(3)) or <a href="#" onclick="alert(4)">this</a>
before the pier reopens.

<iframe src="https://evil.example"></iframe>

- [a list link](JaVaScRiPt:alert(5)) and ![an image](javascript:alert(6)) in the harbour.
- [an entity link](java&#x09;script:alert(7)) and <javascript:alert(8)> in the storm.
- [a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==) by the pier.

> [a reference link][evil] quoted from the harbour master.

[evil]: vbscript:msgbox(10)

# <svg/onload=alert(11)> harbour heading
"""

SCRIPT_URL = ("javascript:", "vbscript:", "data:text/html")


def html_pages(out: Path) -> dict[str, BeautifulSoup]:
    return {
        p.relative_to(out).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in sorted(out.rglob("*.html"))
    }


def test_markup_in_every_field_is_shown_as_text_never_executed(make_site: SiteMaker) -> None:
    bad_url = "---\nurl: javascript:alert(12)\n---\nThe harbour is calm.\n"
    config = make_site(HOSTILE_CONFIG, {"hostile.md": HOSTILE, "bad-url.md": bad_url})
    result = build(config)
    assert [str(w) for w in result.warnings] == [
        "content/bad-url.md:2: 'url': must be a web address starting with http:// or https://;"
        " file skipped"
    ]
    out = result.output_dir
    site = html_pages(out)
    assert {"index.html", "404.html", "articles/hostile.html", "search.html"} <= set(site)
    assert sum(name.startswith("topics/") for name in site) == 2
    for name, soup in site.items():
        scripts_only_where_search_needs_them(name, soup)
        assert soup.find(["svg", "iframe", "img", "b"]) is None, name
        for tag in soup.find_all(True):
            assert not any(attr.lower().startswith("on") for attr in tag.attrs), (name, tag)
            for attr in ("href", "src", "action", "formaction"):
                target = str(tag.get(attr, "")).strip().lower()
                assert not target.startswith(SCRIPT_URL), (name, tag)
    article = site["articles/hostile.html"]
    text = article.get_text(" ")
    assert '<script>alert("body")</script>' in text
    assert '<script>alert("title")</script> Harbour news' in article.find("h1").get_text()
    for shown in ('"><svg onload=alert(1)>', "<img src=x onerror=alert(2)>", "a list link"):
        assert shown in text, shown
    index = site["index.html"].get_text(" ")
    assert '<script>alert("site")</script> Harbour watch' in index
    assert '"><svg onload=alert("description")>' in index
    topic = site["topics/script-alert-topic-script-harbour.html"]
    assert '<script>alert("topic")</script> Harbour' in topic.find("h1").get_text()
    assert '<img src=x onerror=alert("topic description")>' in topic.get_text(" ")
    # digest.json is data: every value comes back exactly as written.
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert data["site"]["title"] == '<script>alert("site")</script> Harbour watch'
    assert data["articles"][0]["source"] == '"><svg onload=alert(1)>'
    assert data["articles"][0]["url"] == 'https://example.org/a?x="><b>'
    assert data["articles"][0]["topics"] == ["script-alert-topic-script-harbour", "weather"]
    assert data["topics"][0]["keywords"] == ["harbour", '"><b onmouseover=alert(1)>']


PAGES = ("--base-url", "https://user.github.io/repo/")


def test_two_builds_are_byte_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    config = copy_example(tmp_path)
    trees = []
    for seed, name in (("1", "one"), ("2", "two")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "digest", "build", "--config", str(config), "-o", name, *PAGES],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
        out = tmp_path / name
        trees.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert trees[0].keys() == trees[1].keys()
    assert len(trees[0]) > 10
    assert {"atom.xml", "rss.xml", "feed.json", "sitemap.xml", "search-index.js"} <= {
        p.as_posix() for p in trees[0]
    }
    assert trees[0] == trees[1]


def test_the_404_page_uses_the_base_url_and_other_pages_stay_relative(
    make_site: SiteMaker,
) -> None:
    config = make_site(CONFIG, {"a.txt": "The harbour reopened after the storm on Sunday.\n"})
    out = build(config, base_url="https://user.github.io/repo").output_dir
    missing = BeautifulSoup((out / "404.html").read_text(encoding="utf-8"), "html.parser")
    hrefs = [a["href"] for a in missing.find_all("a") if a["href"] != "#main"]
    assert hrefs and all(h.startswith("https://user.github.io/repo/") for h in hrefs)
    css = missing.find("link", rel="stylesheet")["href"]
    assert css == "https://user.github.io/repo/static/style.css"
    for name, soup in html_pages(out).items():
        if name != "404.html":
            assert not any("://" in a["href"] for a in soup.find_all("a", href=True)), name


def test_front_matter_forces_a_topic_the_text_does_not_mention(make_site: SiteMaker) -> None:
    forced = "---\ntopics: [weather]\n---\nFerries ran late all afternoon.\n"
    config = make_site(CONFIG, {"a.md": forced})
    out = build(config).output_dir
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    weather = next(t for t in data["topics"] if t["slug"] == "weather")
    assert weather["articles"] == ["a"]
    assert weather["summary"] == [{"article": "a", "sentence": 0, "reported_by": ["a"]}]


def test_unknown_forced_topic_skips_the_file_or_fails_when_strict(make_site: SiteMaker) -> None:
    config = make_site(
        CONFIG,
        {"a.md": "---\ntopics: [sport]\n---\nText.\n", "b.txt": "The pier reopened today.\n"},
    )
    result = build(config)
    assert [str(w) for w in result.warnings] == [
        "content/a.md: front matter names unknown topic 'sport'; "
        "topics in config.yaml: harbour, weather; file skipped",
        "config.yaml:5: topic 'Weather' matches no article; check its keywords",
    ]
    assert result.articles == 1
    with pytest.raises(DigestError, match=r"^2 warnings with --strict"):
        build(config, strict=True)


def test_two_articles_with_one_url_keep_the_first(make_site: SiteMaker) -> None:
    files = {"pier news.txt": "The pier is shut.\n", "pier-news.txt": "The pier is open.\n"}
    config = make_site(CONFIG, files)
    result = build(config)
    assert str(result.warnings[0]) == (
        "content/pier-news.txt: same page URL articles/pier-news.html as content/pier news.txt; "
        "give one of them a different `slug` in its front matter; file skipped"
    )
    data = json.loads((result.output_dir / "digest.json").read_text(encoding="utf-8"))
    assert [a["file"] for a in data["articles"]] == ["pier news.txt"]


def test_warnings_reach_the_reporter_in_the_order_they_were_found(make_site: SiteMaker) -> None:
    files = {"a.md": "", "b.txt": "The pier reopened today.\n", "c.md": "---\ndate: soon\n---\n"}
    config = make_site(CONFIG, files)
    reporter = BufferReporter()
    result = build(config, reporter=reporter)
    assert reporter.warnings == list(result.warnings)
    assert [(str(w.path), w.line) for w in reporter.warnings] == [
        ("content/a.md", None),
        ("content/c.md", 2),
        ("config.yaml", 5),
    ]
