"""FastLexRank must rank exactly as sumy's own LexRank does."""

from __future__ import annotations

from pathlib import Path

import pytest
from sumy.summarizers.lex_rank import LexRankSummarizer

import digest.summarise as summarise
from digest.articles import read_all
from digest.config import Settings, load_config
from digest.models import SentenceRef
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
