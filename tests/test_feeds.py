"""Feeds, sitemap and robots.txt, parsed back the way a feed reader or crawler reads them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from digest.build import build
from tests.conftest import SiteMaker

BASE = "https://user.github.io/harbour/"
CONFIG = f"""
title: Harbour & pier watch
description: Ferries, storms and the <new> pier.
base_url: {BASE}
topics:
  - name: Harbour
    keywords: [harbour]
  - name: Weather
    keywords: [storm]
"""
FILES = {
    "closure.md": """\
        ---
        title: Storm closes the <northern> harbour & pier
        date: 2024-03-04
        source: Coast Gazette
        url: https://example.org/closure
        ---
        The port authority closed the northern harbour on Monday after a storm.
        Ferries will wait at anchor until the wind drops below gale force.
        """,
    "reopen.md": """\
        ---
        title: Harbour reopens
        date: 2024-03-06
        source: Bay Herald
        author: Ana Ruiz
        ---
        The harbour reopened on Wednesday morning with two ferries running.
        """,
    "letters.md": """\
        ---
        title: Letters from the quay
        source: Bay Herald
        ---
        Readers wrote about the ferries all week.
        """,
}


@pytest.fixture
def out(make_site: SiteMaker) -> Path:
    return build(make_site(CONFIG, FILES)).output_dir


def test_site_feeds_parse_in_all_three_formats(out: Path) -> None:
    for name, version in (("atom.xml", "atom10"), ("rss.xml", "rss20")):
        feed = feedparser.parse((out / name).read_bytes())
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        assert feed.version == version
        assert feed.feed.title == "Harbour & pier watch"
        titles = [e.title for e in feed.entries]
        # newest first, the undated article last
        assert titles == [
            "Harbour reopens",
            "Storm closes the <northern> harbour & pier",
            "Letters from the quay",
        ]
        first = feed.entries[0]
        assert first.link == BASE + "articles/reopen.html"
        assert (
            first.summary == "The harbour reopened on Wednesday morning with two ferries running."
        )
        assert first.published_parsed[:3] == (2024, 3, 6)
        closure = feed.entries[1]
        assert closure.summary.startswith("The port authority closed the northern harbour")
    data = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == BASE + "feed.json"
    items = {i["title"]: i for i in data["items"]}
    assert items["Harbour reopens"]["date_published"] == "2024-03-06T00:00:00Z"
    assert items["Harbour reopens"]["authors"] == [{"name": "Ana Ruiz"}]
    assert items["Storm closes the <northern> harbour & pier"]["external_url"] == (
        "https://example.org/closure"
    )
    assert "date_published" not in items["Letters from the quay"]


def test_every_link_in_a_feed_is_absolute(out: Path) -> None:
    for path in out.rglob("*.xml"):
        root = ET.fromstring(path.read_bytes())
        for element in root.iter():
            for value in (
                element.get("href"),
                element.text if element.tag.endswith("link") else None,
            ):
                if value:
                    assert value.startswith(("https://", "http://")), (path.name, value)


def test_each_topic_has_its_own_feeds(out: Path) -> None:
    weather = feedparser.parse((out / "topics" / "weather.atom.xml").read_bytes())
    assert not weather.bozo
    assert [e.title for e in weather.entries] == ["Storm closes the <northern> harbour & pier"]
    assert weather.feed.link == BASE + "topics/weather.html"
    rss = feedparser.parse((out / "topics" / "harbour.rss.xml").read_bytes())
    assert len(rss.entries) == 2
    data = json.loads((out / "topics" / "weather.feed.json").read_text(encoding="utf-8"))
    assert [i["url"] for i in data["items"]] == [BASE + "articles/closure.html"]


def test_pages_announce_their_feeds(out: Path) -> None:
    home = (out / "index.html").read_text(encoding="utf-8")
    assert (
        'type="application/atom+xml" title="Harbour &amp; pier watch (Atom)" href="atom.xml"'
        in home
    )
    topic = (out / "topics" / "weather.html").read_text(encoding="utf-8")
    assert 'href="weather.atom.xml"' in topic


def test_feed_dates_come_from_articles_or_source_date_epoch(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = build(make_site(CONFIG, FILES)).output_dir
    assert b"<updated>2024-03-06T00:00:00Z</updated>" in (out / "atom.xml").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1710000000")
    out = build(make_site(CONFIG, FILES)).output_dir
    atom = feedparser.parse((out / "atom.xml").read_bytes())
    assert atom.feed.updated == "2024-03-09T16:00:00Z"


def test_without_a_base_url_there_are_no_feeds_and_no_sitemap(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_site(CONFIG.replace(f"base_url: {BASE}\n", ""), FILES)
    out = build(config, log=print).output_dir
    assert not list(out.rglob("*.xml")) and not (out / "feed.json").exists()
    assert (out / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    assert "no base_url" in capsys.readouterr().out
    assert "application/atom+xml" not in (out / "index.html").read_text(encoding="utf-8")


def test_sitemap_and_robots(out: Path) -> None:
    assert f"Sitemap: {BASE}sitemap.xml" in (out / "robots.txt").read_text()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring((out / "sitemap.xml").read_bytes())
    locs = {
        u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in root
    }
    assert locs[BASE + "articles/reopen.html"] == "2024-03-06"
    assert locs[BASE + "articles/letters.html"] is None
    assert BASE + "index.html" in locs and BASE + "topics/weather.html" in locs
    assert BASE + "404.html" not in locs
    listed = {loc.removeprefix(BASE) for loc in locs}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}
    assert listed == on_disk


def test_every_page_has_canonical_and_social_meta(out: Path) -> None:
    for path in out.rglob("*.html"):
        name = path.relative_to(out).as_posix()
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        og = {m["property"]: m["content"] for m in page.find_all("meta", property=True)}
        twitter = {m["name"]: m["content"] for m in page.find_all("meta", attrs={"name": True})}
        assert og["og:site_name"] == "Harbour & pier watch", name
        assert twitter["twitter:card"] == "summary" and twitter["twitter:title"], name
        canonical = page.find("link", rel="canonical")
        if name == "404.html":
            assert canonical is None
        else:
            assert canonical["href"] == og["og:url"] == BASE + name
    article = BeautifulSoup(
        (out / "articles/reopen.html").read_text(encoding="utf-8"), "html.parser"
    )
    meta = {m["property"]: m["content"] for m in article.find_all("meta", property=True)}
    assert meta["og:type"] == "article" and meta["article:published_time"] == "2024-03-06"
    # an article's description is its first summary sentence
    assert meta["og:description"].startswith("The harbour reopened on Wednesday morning")
    topic = BeautifulSoup((out / "topics/weather.html").read_text(encoding="utf-8"), "html.parser")
    assert topic.find("meta", property="og:type")["content"] == "website"
    assert topic.find("meta", attrs={"name": "description"})["content"].startswith("Ferries")


def test_feeds_carry_the_newest_feed_items_entries(make_site: SiteMaker) -> None:
    config = make_site(CONFIG + "feed_items: 2\n", FILES)
    out = build(config).output_dir
    site = feedparser.parse((out / "atom.xml").read_bytes())
    assert [e.title for e in site.entries] == [
        "Harbour reopens",
        "Storm closes the <northern> harbour & pier",
    ]
    harbour = json.loads((out / "topics" / "harbour.feed.json").read_text(encoding="utf-8"))
    assert [i["title"] for i in harbour["items"]] == [
        "Harbour reopens",
        "Storm closes the <northern> harbour & pier",
    ]
    assert len(feedparser.parse((out / "rss.xml").read_bytes()).entries) == 2
