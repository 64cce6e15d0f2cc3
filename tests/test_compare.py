"""Syndicated copies, independent sources and per-topic summary settings on small sites."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import NamedTuple

import numpy as np
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from digest.build import build
from digest.corpus import Corpus
from digest.models import TopicCoverage
from digest.syndication import _contained
from digest.topic_comparison import _timeline
from tests.conftest import SiteMaker

CONFIG = """
title: Harbour watch
topics:
  - name: Harbour
    keywords: [harbour, pier]
    summary:
      sentences: 2
      order: source
"""

WIRE = """\
The northern harbour closed on Monday after a storm tore a hole in the main pier.
Engineers said the damage ran along forty metres of the structure and would take months to fix.
Fishing crews moved their boats to the southern marina while divers inspected the pier.
The port authority said repairs could cost about four million euros.
"""


def site(make_site: SiteMaker) -> Path:
    return make_site(
        CONFIG,
        {
            "wire.md": f"---\nsource: Coast Wire\ndate: 2024-03-04\n---\n{WIRE}",
            "repost.md": (
                f"---\nsource: Bay Daily\ndate: 2024-03-05\n---\n{WIRE}"
                "Bay Daily will follow the repairs.\n"
            ),
            "own.md": (
                "---\nsource: Harbour Post\ndate: 2024-03-05\n---\n"
                "The harbour master said the pier would reopen in stages from June.\n"
                "Ferry services to the islands were cancelled for the rest of the week.\n"
            ),
        },
    )


def test_a_republished_wire_story_is_one_independent_source(make_site: SiteMaker) -> None:
    out = build(site(make_site)).output_dir
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    copies = {a["id"]: a["copies"] for a in data["articles"]}
    assert copies == {"own": [], "repost": ["wire"], "wire": ["repost"]}
    topic = data["topics"][0]
    assert topic["independent_sources"] == 2
    page = BeautifulSoup((out / "articles/repost.html").read_text(encoding="utf-8"), "html.parser")
    also = page.find(class_="also")
    assert "Also published by" in also.get_text() and "Coast Wire" in also.get_text()
    assert also.find("a")["href"] == "wire.html"
    topic_page = (out / "topics/harbour.html").read_text(encoding="utf-8")
    assert "3 articles from 3 sources (2 independent" in topic_page


def test_copies_never_make_a_statement_look_corroborated(make_site: SiteMaker) -> None:
    out = build(site(make_site)).output_dir
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    for item in data["topics"][0]["summary"]:
        # wire and repost are one source: no sentence of theirs counts both.
        assert not {"wire", "repost"} <= set(item["reported_by"])


def test_per_topic_summary_settings_override_the_site(make_site: SiteMaker) -> None:
    out = build(site(make_site)).output_dir
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    summary = data["topics"][0]["summary"]
    assert len(summary) == 2
    dates = {a["id"]: a["date"] for a in data["articles"]}
    # order: source = oldest article first, then position in the article.
    keys = [(dates[i["article"]], i["article"], i["sentence"]) for i in summary]
    assert keys == sorted(keys)


def test_a_topic_word_budget(make_site: SiteMaker) -> None:
    config = make_site(
        "topics:\n  - name: Harbour\n    keywords: [harbour, pier]\n    summary:\n"
        "      sentences: 10\n      words: 30\n",
        {"wire.md": WIRE},
    )
    out = build(config).output_dir
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    texts = [
        data["articles"][0]["sentences"][i["sentence"]]["text"]
        for i in data["topics"][0]["summary"]
    ]
    assert texts and sum(len(t.split()) for t in texts) <= 30


@given(
    st.lists(st.integers(0, 60), unique=True, max_size=40),
    st.lists(st.integers(0, 60), unique=True, max_size=40),
    st.sampled_from([0.6, 0.5, 1 / 3, 0.7, 1.0, 0.0]),
)
def test_copy_measure_is_the_exact_containment(
    first: list[int], second: list[int], threshold: float
) -> None:
    """Copy detection looks half of the smaller text's shingles up first and may stop
    there; its answer is still exactly the share of shingles the two texts hold."""
    small = np.array(sorted(first), np.uint32)
    large = np.array(sorted(second), np.uint32)
    shared = np.intersect1d(small, large, assume_unique=True).size
    expected = bool(small.size) and shared / small.size >= threshold
    assert (bool(small.size) and _contained(small, large, threshold)) == expected


def test_only_in_keeps_each_sources_first_five_in_article_order(make_site: SiteMaker) -> None:
    # "What each source adds": sources by name, each with its first five sentences no
    # other source reports, in (article, sentence) order across its articles.
    zed_a = [
        "The harbour master counted nine trawlers stranded inside the outer wall.",
        "A crane barge reached the harbour from Rotterdam late on Tuesday evening.",
        "Harbour pilots said the channel markers had drifted several metres south.",
        "Volunteers cleared seaweed from the harbour slipway before the tide turned.",
    ]
    zed_b = [
        "The harbour café reopened with a generator borrowed from the lifeboat crew.",
        "An insurance assessor photographed every cracked bollard along the harbour.",
        "Children watched the harbour divers surface with a rusted anchor chain.",
    ]
    alpha = [
        "Alpha reporters saw harbour police close the promenade to walkers at noon.",
        "The harbour ferry timetable was printed again with a warning in red ink.",
    ]
    shared = "The northern harbour closed on Monday after a storm tore a hole in the main pier."
    front = "---\nsource: {}\ndate: 2024-03-0{}\n---\n"
    config = make_site(
        CONFIG,
        {
            "a-zed.md": front.format("Zed Times", 4) + "\n".join([shared, *zed_a]) + "\n",
            "b-zed.md": front.format("Zed Times", 5) + "\n".join(zed_b) + "\n",
            "c-alpha.md": front.format("Alpha News", 5) + "\n".join([shared, *alpha]) + "\n",
        },
    )
    out = build(config).output_dir
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    texts = {
        (a["id"], n): s["text"] for a in data["articles"] for n, s in enumerate(a["sentences"])
    }
    only_in = [
        (o["source"], [texts[(r["article"], r["sentence"])] for r in o["sentences"]])
        for o in data["topics"][0]["only_in"]
    ]
    assert only_in == [("Alpha News", alpha), ("Zed Times", [*zed_a, zed_b[0]])]


def test_only_in_is_empty_when_the_topic_has_one_independent_source(
    make_site: SiteMaker,
) -> None:
    # Two articles of one outlet, and a verbatim republication by another: one source,
    # so nothing is "only in" it.
    story = [
        "The harbour master counted nine trawlers stranded inside the outer wall.",
        "A crane barge reached the harbour from Rotterdam late on Tuesday evening.",
        "Harbour pilots said the channel markers had drifted several metres south.",
        "Volunteers cleared seaweed from the harbour slipway before the tide turned.",
        "The harbour café reopened with a generator borrowed from the lifeboat crew.",
    ]
    other = "An insurance assessor photographed every cracked bollard along the harbour."
    front = "---\nsource: {}\ndate: 2024-03-0{}\n---\n"
    config = make_site(
        CONFIG,
        {
            "a-zed.md": front.format("Zed Times", 4) + "\n".join(story) + "\n",
            "b-zed.md": front.format("Zed Times", 5) + other + "\n",
            "c-wire.md": front.format("Wire Service", 5) + "\n".join(story) + "\n",
        },
    )
    data = json.loads((build(config).output_dir / "digest.json").read_text(encoding="utf-8"))
    (topic,) = data["topics"]
    assert topic["independent_sources"] == 1
    assert topic["only_in"] == []


class _Dated(NamedTuple):
    id: str
    date: dt.date | None


class _Articles:
    """What a topic's timeline reads of a corpus, made as `Corpus` makes it."""

    def __init__(self, entries: list[_Dated]) -> None:
        self.entries = tuple(entries)
        self.number = Corpus.number.func(self)  # type: ignore[arg-type]
        self.ordinals = Corpus.ordinals.func(self)  # type: ignore[arg-type]
        self.id_rank = Corpus.id_rank.func(self)  # type: ignore[arg-type]


@given(st.lists(st.tuples(st.text("abc", min_size=1, max_size=3), st.none() | st.integers(1, 4))))
def test_a_timeline_is_its_articles_by_day_then_id_undated_last(
    articles: list[tuple[str, int | None]],
) -> None:
    dated = {name: None if day is None else dt.date(2022, 1, day) for name, day in articles}
    corpus = _Articles([_Dated(name, date) for name, date in dated.items()])
    topic = TopicCoverage("t", "T", "", ("k",), tuple(reversed(dated)), np.zeros(0, np.int64))
    days: dict[dt.date | None, list[str]] = {}
    for name, date in dated.items():
        days.setdefault(date, []).append(name)
    expected = [(d, sorted(days[d])) for d in sorted(d for d in days if d is not None)]
    expected += [(None, sorted(days[None]))] if None in days else []
    timeline = _timeline(topic, corpus)  # type: ignore[arg-type]
    assert [(day.date, list(day.articles)) for day in timeline] == expected
