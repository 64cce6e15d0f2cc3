"""Held-out measurements on an invented corpus written apart from the code
(tests/data/agreement/: four stories, fourteen articles, labelled pairs and quotes).
README quotes these figures; the thresholds keep them from silently getting worse."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from digest.clean import compile_rules
from digest.compare import Comparison, compare_articles
from digest.models import Article, SentenceRef
from digest.quotes import extract
from digest.read import read_article
from digest.terms import Terms

ROOT = Path(__file__).parent / "data" / "agreement"


@cache
def corpus() -> tuple[tuple[Article, ...], Comparison]:
    folder = ROOT / "articles"
    articles = tuple(
        read_article(p, folder, compile_rules(())) for p in sorted(folder.glob("*.md"))
    )
    return articles, compare_articles(articles, Terms())


def find(text: str) -> SentenceRef:
    articles, _ = corpus()
    for article in articles:
        for sentence in article.sentences:
            if sentence.text == text:
                return SentenceRef(article.id, sentence.index)
    raise AssertionError(f"sentence not found: {text}")


def agreement_figures() -> tuple[float, float, int]:
    _, comparison = corpus()
    pairs = yaml.safe_load((ROOT / "pairs.yaml").read_text(encoding="utf-8"))
    tp = fp = fn = 0
    for pair in pairs:
        a, b = find(pair["a"]), find(pair["b"])
        said = b in comparison.same_as(a)
        assert comparison.says_same(a, [SentenceRef(a.article, 0), b]) == said
        tp += said and pair["same"]
        fp += said and not pair["same"]
        fn += pair["same"] and not said
    return tp / (tp + fp), tp / (tp + fn), len(pairs)


def quote_figures() -> tuple[float, float, float]:
    """Share of gold quotations found word for word, of found ones that are gold, and of
    named speakers found as the same person (same surname)."""
    articles, _ = corpus()
    by_id = {a.id: a for a in articles}
    entries = yaml.safe_load((ROOT / "quotes.yaml").read_text(encoding="utf-8"))
    gold = found = matched = named = same_person = 0
    for entry in entries:
        ref = find(entry["sentence"])
        got = [q for q in extract(by_id[ref.article]) if q.ref == ref]
        gold += len(entry["quotes"])
        found += len(got)
        for expected in entry["quotes"]:
            hits = [q for q in got if q.text == expected["text"]]
            matched += bool(hits)
            if hits and expected["speaker"]:
                named += 1
                speaker = hits[0].speaker or ""
                same_person += speaker.split()[-1:] == expected["speaker"].split()[-1:]
    return matched / gold, matched / found, same_person / named


def test_agreement_on_held_out_pairs() -> None:
    precision, recall, pairs = agreement_figures()
    assert pairs >= 100
    assert precision >= 0.9
    assert recall >= 0.65


def test_quotations_and_speakers_on_held_out_sentences() -> None:
    recall, precision, speakers = quote_figures()
    assert recall >= 0.95 and precision >= 0.95
    assert speakers >= 0.85


def test_the_republished_story_is_found_as_a_copy() -> None:
    _, comparison = corpus()
    assert dict(comparison.syndication.copies) == {
        "drought-herald": ("drought-meridian",),
        "drought-meridian": ("drought-herald",),
    }


def _count_everywhere() -> tuple[list[int], list[int]]:
    """Per sentence: the count the compare stage made in array passes, and the length
    of `reporting`, which finds each sentence's sources one by one."""
    _, comparison = corpus()
    site = comparison.agreement.corpus
    positions = range(len(site.prose))
    counted = [int(comparison.counts[p]) for p in positions]
    return counted, [len(comparison.reporting(site.ref(p))) for p in positions]


def test_every_sentence_counts_the_sources_reporting_names() -> None:
    counted, named = _count_everywhere()
    assert counted == named
    # Sentences in a statement and carrying a shared quotation exist here, and
    # several of them at once: the counts that join two units' sources are tested.
    _, comparison = corpus()
    both = {p for p in comparison.quoting[0] if comparison.agreement.statement[p] >= 0}
    assert len(both) >= 3
    assert max(counted) >= 4


def test_sources_of_units_named_alike_are_counted_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every combination of units named the same (as a collision of the sums would):
    # the check finds them unequal and counts every sentence on its own.
    from digest import reporting

    monkeypatch.setattr(reporting, "scramble", lambda values, salt=0: values * 0)
    corpus.cache_clear()
    try:
        counted, named = _count_everywhere()
    finally:
        corpus.cache_clear()
    assert counted == named
