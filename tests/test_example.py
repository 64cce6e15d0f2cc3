"""End to end: the example digest, checked for what a reader relies on."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from digest.build import BuildResult

BOILERPLATE = (
    "Photo: Reuters",
    "Source link",
    "Leave a Reply",
    "Your email address will not be published",
    "Required fields are marked",
    "(Image: AP)",
)


def pages(out: Path) -> dict[str, BeautifulSoup]:
    return {
        p.relative_to(out).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in sorted(out.rglob("*.html"))
    }


@pytest.fixture(scope="module")
def out(example_site: BuildResult) -> Path:
    return example_site.output_dir


@pytest.fixture(scope="module")
def data(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "digest.json").read_text(encoding="utf-8"))


def members(data: dict, slug: str) -> set[str]:  # type: ignore[type-arg]
    files = {a["id"]: a["file"] for a in data["articles"]}
    topic = next(t for t in data["topics"] if t["slug"] == slug)
    return {files[aid][:3] for aid in topic["articles"]}


def test_the_build_reports_what_it_made(example_site: BuildResult) -> None:
    assert (example_site.articles, example_site.topics) == (5, 3)
    # home, three topics, five articles, 404; archive, one edition (the dated articles' day),
    # the sources index and five source pages (the sources are file names); search
    assert example_site.pages == 19
    assert re.fullmatch(
        r"Built 19 pages from 5 articles \(3 topics\) in \d+\.\d s", example_site.summary()
    )


def test_topic_membership(data: dict) -> None:  # type: ignore[type-arg]
    assert members(data, "taiwan") == {"001", "002", "003"}
    assert members(data, "olympics-boycott") == {"000", "001", "002", "003", "004"}
    assert members(data, "ukraine") == {"000", "001", "002", "003", "004"}


def test_pasted_text_metadata(data: dict) -> None:  # type: ignore[type-arg]
    by_file = {a["file"][:3]: a for a in data["articles"]}
    assert (
        by_file["004"]["title"] == "Vladimir Putin to attend opening of Winter Olympics in Beijing"
    )
    assert by_file["002"]["date"] == "2022-01-27" and by_file["003"]["date"] == "2022-01-27"
    assert by_file["000"]["date"] is None
    assert by_file["002"]["sentences"][0]["text"].startswith("China on Thursday urged")
    # no outlet is invented: sources are the file names
    assert by_file["001"]["source"] == "001_5f94aa7432ed9324"


def test_every_summary_sentence_is_verbatim_on_the_page_it_links_to(out: Path) -> None:
    site = pages(out)
    checked = 0
    for name, soup in site.items():
        for item in soup.select("ol.summary li"):
            quote = item.select_one(".quote").get_text()
            href = item.select_one("a.cite")["href"]
            target_path, _, anchor = href.partition("#")
            target = (out / name).parent.joinpath(target_path).resolve().relative_to(out.resolve())
            sentence = site[target.as_posix()].find(id=anchor)
            assert sentence is not None, f"{name}: {href} points at no sentence"
            assert sentence.get_text() == quote
            checked += 1
    assert checked >= 3 * 5 + 5 * 3


def test_summaries_in_digest_json_are_real_sentences(data: dict) -> None:  # type: ignore[type-arg]
    articles = {a["id"]: a for a in data["articles"]}
    refs = [r for t in data["topics"] for r in t["summary"]]
    refs += [r for a in data["articles"] for r in a["summary"]]
    for ref in refs:
        sentence = articles[ref["article"]]["sentences"][ref["sentence"]]
        assert sentence["index"] == ref["sentence"] and sentence["kind"] != "heading"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_topic_summaries_never_repeat_themselves(data: dict) -> None:  # type: ignore[type-arg]
    articles = {a["id"]: a for a in data["articles"]}
    for topic in data["topics"]:
        texts = [
            articles[r["article"]]["sentences"][r["sentence"]]["text"] for r in topic["summary"]
        ]
        # Taiwan has four matching sentences that make two statements (the demands to
        # "stop playing with fire", and the Olympics one): two survive.
        assert len(texts) == (2 if topic["slug"] == "taiwan" else 5), topic["slug"]
        assert sum("Cold War mentality" in t for t in texts) <= 1
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                ratio = SequenceMatcher(None, _words(a), _words(b)).ratio()
                assert ratio < 0.6, (topic["slug"], a, b)


def test_no_boilerplate_reaches_any_page(out: Path) -> None:
    for name, soup in pages(out).items():
        text = soup.get_text(" ")
        for line in BOILERPLATE:
            assert line not in text, (name, line)
    raw = (out / "digest.json").read_text(encoding="utf-8")
    assert not any(line in raw for line in BOILERPLATE)
    assert "date 2022-01-27" not in raw


def test_every_internal_link_and_asset_resolves(out: Path) -> None:
    site = pages(out)
    for name, soup in site.items():
        if name == "404.html":
            continue  # its links are absolute when a base URL is set; checked separately
        for tag in soup.find_all(["a", "link", "script", "img"]):
            ref = tag.get("href") or tag.get("src")
            if not ref or urlsplit(ref).scheme in ("http", "https", "mailto"):
                continue
            path, _, anchor = ref.partition("#")
            target = (out / name).parent.joinpath(path or Path(name).name).resolve()
            assert target.is_file(), f"{name}: {ref}"
            if anchor:
                key = target.relative_to(out.resolve()).as_posix()
                assert site[key].find(id=anchor) is not None, f"{name}: {ref}"


def test_github_pages_files(out: Path) -> None:
    assert (out / ".nojekyll").is_file()
    assert (out / "404.html").is_file()
    assert (out / "static" / "style.css").is_file()


def test_article_page_shows_where_sentences_went(out: Path, data: dict) -> None:  # type: ignore[type-arg]
    article = next(a for a in data["articles"] if a["file"].startswith("001"))
    soup = pages(out)[article["path"]]
    taiwan = next(s for s in article["sentences"] if "taiwan" in s["topics"])
    span = soup.find(id=f"s{taiwan['index']}")
    assert span.get_text() == taiwan["text"]
    label = span.find_next_sibling("small")
    assert label is not None and "Taiwan" in label.get_text()
    unassigned = [s for s in article["sentences"] if not s["topics"]]
    for s in unassigned:
        span = soup.find(id=f"s{s['index']}")
        sibling = span.find_next_sibling()
        assert sibling is None or sibling.name == "span", s["text"]


def test_pages_are_accessible_html(out: Path) -> None:
    for name, soup in pages(out).items():
        assert soup.html["lang"] == "en", name
        assert soup.find("main") is not None, name
        assert len(soup.find_all("h1")) == 1, name
        assert soup.find("meta", attrs={"name": "viewport"}) is not None, name
        scripts_only_where_search_needs_them(name, soup)


def scripts_only_where_search_needs_them(name: str, soup: BeautifulSoup) -> None:
    """The search page loads the index and the theme's search code; no page has inline
    script or any other script."""
    sources = [s.get("src") for s in soup.find_all("script")]
    assert not any(s.get_text().strip() for s in soup.find_all("script")), name
    if name == "search.html":
        assert sources == ["search-index.js", "static/search.js"], sources
    else:
        assert not sources, name


def key_quote(data: dict, slug: str, words: str) -> dict:  # type: ignore[type-arg]
    topic = next(t for t in data["topics"] if t["slug"] == slug)
    return next(k for k in topic["key_quotes"] if words in k["text"])


def test_the_cold_war_quote_is_one_key_quote_carried_by_the_four_outlets_that_print_it(
    data: dict,  # type: ignore[type-arg]
) -> None:
    files = {a["id"]: a["file"][:3] for a in data["articles"]}
    quote = key_quote(data, "ukraine", "Cold War mentality")
    assert quote["speaker"] == "Wang"
    # 004 does not print it; the other four do, each in its own wording.
    assert {files[s["article"]] for s in quote["sources"]} == {"000", "001", "002", "003"}
    topic = next(t for t in data["topics"] if t["slug"] == "ukraine")
    assert topic["key_quotes"][0] == quote  # the most widely carried quote comes first
    cold_war = [q for q in topic["key_quotes"] if "Cold War" in q["text"]]
    assert len(cold_war) == 1


def test_the_taiwan_quote_is_carried_by_the_three_outlets_that_print_it(
    data: dict,  # type: ignore[type-arg]
) -> None:
    files = {a["id"]: a["file"][:3] for a in data["articles"]}
    quote = key_quote(data, "taiwan", "playing with fire")
    assert {files[s["article"]] for s in quote["sources"]} == {"001", "002", "003"}


def test_summary_sentences_say_who_reports_them(data: dict) -> None:  # type: ignore[type-arg]
    articles = {a["id"]: a for a in data["articles"]}
    for topic in data["topics"]:
        for item in topic["summary"]:
            assert item["reported_by"][0] == item["article"]
            assert len(set(item["reported_by"])) == len(item["reported_by"])
            assert set(item["reported_by"]) <= set(topic["articles"]) | set(articles)
    ukraine = next(t for t in data["topics"] if t["slug"] == "ukraine")
    widest = max(len(i["reported_by"]) for i in ukraine["summary"])
    assert widest >= 4


def test_only_in_lists_what_no_other_source_reports(data: dict) -> None:  # type: ignore[type-arg]
    articles = {a["id"]: a for a in data["articles"]}
    boycott = next(t for t in data["topics"] if t["slug"] == "olympics-boycott")
    assert boycott["only_in"]
    for entry in boycott["only_in"]:
        for ref in entry["sentences"]:
            text = articles[ref["article"]]["sentences"][ref["sentence"]]["text"]
            assert articles[ref["article"]]["source"] == entry["source"]
            assert "Cold War mentality" not in text
            assert "most urgent priority" not in text


def test_timeline_lists_dated_articles_by_day_and_undated_last(
    data: dict,  # type: ignore[type-arg]
) -> None:
    files = {a["id"]: a["file"][:3] for a in data["articles"]}
    taiwan = next(t for t in data["topics"] if t["slug"] == "taiwan")
    timeline = [(d["date"], sorted(files[a] for a in d["articles"])) for d in taiwan["timeline"]]
    assert timeline == [("2022-01-27", ["002", "003"]), (None, ["001"])]


def test_topic_page_shows_agreement_quotes_only_in_and_timeline(out: Path) -> None:
    soup = pages(out)["topics/ukraine.html"]
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert {"Key quotes", "What each source adds", "Timeline"} <= set(headings)
    reported = soup.select(".summary .reported")
    assert reported and reported[0].get_text().startswith("Reported by")
    for link in soup.select(".reported a, .key-quotes a"):
        target, _, anchor = link["href"].partition("#")
        page = (out / "topics" / target).resolve()
        assert page.is_file()
        assert BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find(id=anchor)
    assert soup.find("span", class_="undated").get_text() == "Undated"
