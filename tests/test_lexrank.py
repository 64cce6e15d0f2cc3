"""FastLexRank must rank exactly as sumy's own LexRank does."""

from __future__ import annotations

from pathlib import Path

import pytest
from sumy.summarizers.lex_rank import LexRankSummarizer

import digest.lexrank as lexrank
import digest.summarise as summarise
from digest.analysis import describe
from digest.articles import read_all
from digest.config import Settings, load_config
from digest.models import SentenceRef
from digest.sentences import Tokenizer
from digest.summarise import Candidate, Summariser
from digest.terms import Terms

ROOT = Path(__file__).resolve().parent.parent


def test_same_ranking_as_sumy_on_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    site = load_config(ROOT / "config.yaml", None, None)
    corpus, store, _ = read_all(site, print)
    articles = [store.get(entry).article for entry in corpus.entries]
    groups = [
        [Candidate(SentenceRef(a.id, s.index), s.text) for s in a.sentences if a.is_prose(s)]
        for a in articles
    ]
    settings = Settings("lexrank", 5, None, 0.6, "importance")
    terms = Terms()
    fast = [c.ref for c in Summariser(settings, terms).rank(groups)]
    monkeypatch.setitem(summarise._SUMMARISERS, "lexrank", LexRankSummarizer)
    slow = [c.ref for c in Summariser(settings, terms).rank(groups)]
    assert len(fast) > 50
    assert fast == slow


def test_stems_from_the_analysis_rank_and_choose_as_the_text_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An article's summary takes its words from `describe` instead of tokenising each
    sentence again; it must pick what sumy picks from the text itself."""
    site = load_config(ROOT / "config.yaml", None, None)
    corpus, store, _ = read_all(site, print)
    terms = Terms()
    settings = site.config.summary.for_articles()
    described = [describe(store.get(e).article, terms).candidates for e in corpus.entries]
    expected = [
        Summariser(settings, terms).pick([[Candidate(c.ref, c.text) for c in candidates]])
        for candidates in described
    ]
    tokenised: list[str] = []

    def counted(text: str) -> list[str]:
        tokenised.append(text)
        return []

    monkeypatch.setattr(summarise, "words", counted)
    monkeypatch.setattr(Tokenizer, "to_words", lambda self, text: tuple(counted(text)))
    monkeypatch.setattr(terms, "content", lambda text: frozenset(counted(text)))
    given = [Summariser(settings, terms).pick([candidates]) for candidates in described]
    assert tokenised == []  # nothing was tokenised again
    assert given == expected
    assert all(len(summary) == settings.sentences for summary in given)


def test_cosines_near_the_threshold_are_decided_by_the_exact_matrix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast matrix sums cosines in another order than sumy; one within `_CLOSE` of
    the threshold sends the article to the exact matrix, which must rank as sumy does."""
    site = load_config(ROOT / "config.yaml", None, None)
    corpus, store, _ = read_all(site, print)
    groups = [
        [Candidate(SentenceRef(a.id, s.index), s.text) for s in a.sentences if a.is_prose(s)]
        for a in (store.get(entry).article for entry in corpus.entries)
    ]
    settings = Settings("lexrank", 5, None, 0.6, "importance")
    terms = Terms()
    fast = [c.ref for c in Summariser(settings, terms).rank(groups)]
    monkeypatch.setattr(lexrank, "_CLOSE", 1e9)  # every cosine is "near": always exact
    exact = [c.ref for c in Summariser(settings, terms).rank(groups)]
    monkeypatch.setitem(summarise._SUMMARISERS, "lexrank", LexRankSummarizer)
    slow = [c.ref for c in Summariser(settings, terms).rank(groups)]
    assert exact == slow == fast
