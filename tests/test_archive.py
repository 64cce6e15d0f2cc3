"""Archive, editions and source pages, with pagination and undated articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from digest.build import build
from tests.conftest import SiteMaker

CONFIG = """
title: Valley news
paginate: 2
topics:
  - name: Bridge
    keywords: [bridge]
"""


def article(title: str, source: str, date: str | None, text: str) -> str:
    dated = f"date: {date}\n" if date else ""
    return f"---\ntitle: {title}\nsource: {source}\n{dated}---\n{text}\n"


FILES = {
    "a.md": article("Bridge opens", "Valley Post", "2024-05-02", "The new bridge opened."),
    "b.md": article("Bridge tolls set", "Valley Post", "2024-05-02", "Tolls start in June."),
    "c.md": article("Market day", "Hill Times", "2024-05-02", "The market moved indoors."),
    "d.md": article("Bridge inspected", "Valley Post", "2024-04-28", "Inspectors walked it."),
    "e.md": article("Old ferry sold", "Hill Times", None, "The ferry found a buyer."),
}


def soup(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def titles(page: BeautifulSoup) -> list[str]:
    return [li.a.get_text() for li in page.select("main li.archive-entry")]


@pytest.fixture
def out(make_site: SiteMaker) -> Path:
    return build(make_site(CONFIG, FILES)).output_dir


def test_archive_is_paginated_newest_first_with_undated_last(out: Path) -> None:
    first, second, third = (
        soup(out, p) for p in ("archive.html", "archive/page-2.html", "archive/page-3.html")
    )
    assert not (out / "archive" / "page-4.html").exists()
    assert titles(first) == ["Bridge opens", "Bridge tolls set"]
    assert titles(second) == ["Market day", "Bridge inspected"]
    assert titles(third) == ["Old ferry sold"]
    assert [h.get_text() for h in second.select("main h2")] == ["2 May 2024", "28 April 2024"]
    undated = third.select_one("main h2")
    assert undated.get_text() == "Undated" and undated.a is None
    assert second.find("a", rel="prev")["href"] == "../archive.html"
    assert second.find("a", rel="next")["href"] == "page-3.html"
    assert first.find(attrs={"aria-current": "page"}, string="1") is not None
    assert second.title.get_text().startswith("Archive (page 2 of 3)")


def test_an_edition_per_day_that_has_dated_articles(out: Path) -> None:
    editions = sorted(p.name for p in (out / "editions").glob("*.html"))
    assert editions == ["2024-04-28.html", "2024-05-02.html"]
    may = soup(out, "editions/2024-05-02.html")
    assert may.h1.get_text() == "Edition of 2 May 2024"
    assert titles(may) == ["Bridge opens", "Bridge tolls set"]
    assert titles(soup(out, "editions/2024-05-02/page-2.html")) == ["Market day"]
    # each entry carries its summary, linked to the sentence
    assert may.select_one("li.archive-entry ol.summary a")["href"] == "../articles/a.html#s0"
    assert may.find("a", rel="prev")["href"] == "2024-04-28.html"
    april = soup(out, "editions/2024-04-28.html")
    assert april.find("a", rel="next")["href"] == "2024-05-02.html"
    # the undated article is in no edition
    assert all("Old ferry sold" not in p.read_text() for p in (out / "editions").rglob("*.html"))


def test_a_page_per_source(out: Path) -> None:
    index = soup(out, "sources.html")
    rows = {a.get_text(): a["href"] for a in index.select("main ul.source-list a")}
    assert rows == {
        "Hill Times": "sources/hill-times.html",
        "Valley Post": "sources/valley-post.html",
    }
    post = soup(out, "sources/valley-post.html")
    assert post.h1.get_text() == "Valley Post"
    assert titles(post) == ["Bridge opens", "Bridge tolls set"]
    assert titles(soup(out, "sources/valley-post/page-2.html")) == ["Bridge inspected"]
    assert titles(soup(out, "sources/hill-times.html")) == ["Market day", "Old ferry sold"]


def test_sources_whose_names_slugify_alike_get_their_own_pages(make_site: SiteMaker) -> None:
    files = {
        "a.md": article("One", "Bay News", "2024-01-01", "First text."),
        "b.md": article("Two", "Bay-News", "2024-01-02", "Second text."),
    }
    out = build(make_site(CONFIG, files)).output_dir
    assert soup(out, "sources/bay-news.html").h1.get_text() == "Bay News"
    assert soup(out, "sources/bay-news-2.html").h1.get_text() == "Bay-News"


def test_archive_pages_are_linked_from_every_page(out: Path) -> None:
    for path in ("index.html", "articles/a.html", "editions/2024-05-02/page-2.html"):
        nav = soup(out, path).find("nav", attrs={"aria-label": "Site"})
        links = {a.get_text(): a["href"] for a in nav.find_all("a")}
        depth = path.count("/")
        assert links["Archive"] == "../" * depth + "archive.html", path
        assert links["Sources"] == "../" * depth + "sources.html", path


def test_paginate_must_be_positive(make_site: SiteMaker) -> None:
    from digest.errors import DigestError

    with pytest.raises(DigestError, match=r"config\.yaml:2: .*paginate.*should be at least 1"):
        build(make_site(CONFIG.replace("paginate: 2", "paginate: 0"), FILES))


def test_topic_pages_list_their_articles_a_page_at_a_time(make_site: SiteMaker) -> None:
    files = {
        "a.md": article("Bridge opens", "Valley Post", "2024-05-02", "The new bridge opened."),
        "b.md": article("Tolls set", "Valley Post", "2024-05-01", "The bridge toll is 2 euros."),
        "c.md": article("Inspection", "Valley Post", "2024-04-28", "Inspectors walked the bridge."),
        "d.md": article("Market day", "Hill Times", "2024-05-02", "The market moved indoors."),
    }
    out = build(make_site(CONFIG, files)).output_dir
    first = soup(out, "topics/bridge.html")
    second = soup(out, "topics/bridge/page-2.html")
    assert not (out / "topics" / "bridge" / "page-3.html").exists()

    def listed(page: BeautifulSoup) -> list[str]:
        return [a.get_text() for a in page.select("main article.topic-article h3 a")]

    assert listed(first) == ["Bridge opens", "Tolls set"]
    assert listed(second) == ["Inspection"]
    # the digest of the topic is on its first page only; the count is the whole topic's
    assert first.find(id="summary-heading") is not None
    assert second.find(id="summary-heading") is None and second.find(id="timeline-heading") is None
    assert "3 articles from 1 source" in second.select_one("p.counts").get_text()
    assert second.h1.get_text() == "Bridge (page 2 of 2)"
    assert second.find("a", rel="prev")["href"] == "../bridge.html"
    assert first.find("a", rel="next")["href"] == "bridge/page-2.html"
    # links from a numbered page climb out of its folder
    assert second.select_one("article.topic-article h3 a")["href"] == "../../articles/c.html"


def test_a_busy_day_in_a_topic_timeline_links_to_its_edition(make_site: SiteMaker) -> None:
    files = {
        f"{n}.md": article(f"Bridge report {n}", f"Outlet {n}", "2024-05-02", "The bridge shook.")
        for n in range(7)
    }
    out = build(make_site(CONFIG, files)).output_dir
    day = soup(out, "topics/bridge.html").select_one("ol.timeline > li")
    assert len(day.select("ul li a[href^='../articles/']")) == 5
    more = day.select_one("li.more a")
    assert more.get_text() == "2 more that day"
    assert more["href"] == "../editions/2024-05-02.html"


def test_list_pages_name_six_reporters_and_link_the_rest(make_site: SiteMaker) -> None:
    """A statement nine outlets carry: its own article page names all nine; a card on
    a list page names six and links "3 more" to the article page's summary."""
    said = "The council voted on Monday to close the old bridge to lorries for repairs."
    towns = ("Valley", "Hill", "River", "Lake", "Coast", "Ridge", "Bay", "Moor", "Dale")
    # Each outlet's own news around the shared sentence, so that no two articles are
    # copies of each other (copies would count as one source).
    own = (
        "Ferry crews reported calm water all week. A bakery on Elm Street reopened after "
        "a fire. Students planted two hundred oak saplings near the school.",
        "The library extended its weekend hours. Farmers expect a strong apple harvest "
        "this year. A jazz festival drew record crowds to the square.",
        "Fishermen complained about the new quotas. The hospital opened a maternity "
        "wing. Cyclists asked the mayor for a protected lane.",
        "A retired teacher won the regional chess title. Two foxes were seen near the "
        "station. The choir will tour three cities in July.",
        "Rain delayed the cricket final by a day. The museum bought a medieval map. "
        "Volunteers cleared litter from the riverbank.",
        "A new bus route links the hospital and the college. Bees returned to the "
        "community garden. The cinema will show silent films in winter.",
        "Potters opened their studios to visitors. The swimming pool lost its diving "
        "board. A lost parrot was found on a rooftop.",
        "The brewery doubled its staff. Hikers were rescued from the ridge at dawn. The "
        "town band bought new uniforms.",
        "Owls nested in the church tower. A chef from the harbour won a national prize. "
        "The market added a Sunday flower stall.",
    )
    files = {
        f"{n}.md": article(f"Bridge vote {n}", f"{town} Post", "2024-05-02", f"{said} {news}")
        for n, (town, news) in enumerate(zip(towns, own, strict=True))
    }
    out = build(make_site(CONFIG.replace("paginate: 2", "paginate: 20"), files)).output_dir
    own = soup(out, "articles/0.html").select_one(".summary .reported")
    assert own is not None and own.get_text().startswith("Reported by 9 sources")
    assert len(own.select("a")) == 9
    for page in ("topics/bridge.html", "editions/2024-05-02.html", "sources/valley-post.html"):
        cards = soup(out, page).select("main article .summary .reported, li .summary .reported")
        assert cards, page
        for card in cards:
            links = card.select("a")
            assert card.get_text().startswith("Reported by 9 sources"), page
            assert len(links) == 7 and links[-1].get_text() == "3 more", page
            assert links[-1]["href"].endswith("#summary-heading"), page
