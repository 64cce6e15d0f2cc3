"""The summariser: sumy's ranking, our choice of sentences that each say something new."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.config import Settings
from digest.models import SentenceRef
from digest.summarise import Candidate, Summariser, similarity
from digest.terms import Terms
from digest.topic_summaries import best

TERMS = Terms()

# A small story told by three invented outlets: the same quote in three wordings,
# plus facts that only some of them carry.
HARBOUR = [
    [
        "The port authority closed the northern harbour on Monday after a storm damaged the pier.",
        '"We will reopen the harbour only when the pier is safe for every vessel,"'
        " Mayor Ana Ruiz said.",
        "Fishing crews moved their boats to the southern marina for the week.",
        "Repairs are expected to cost about four million euros.",
    ],
    [
        "Mayor Ana Ruiz said the harbour would reopen only when the pier is safe for every vessel.",
        "The storm brought winds of 120 kilometres per hour to the coast on Sunday night.",
        "Insurers said claims from the storm could exceed ten million euros across the region.",
    ],
    [
        '"We will reopen the harbour only when the pier is safe for every vessel," the mayor said.',
        "Ferry services to the islands will run from the southern marina until repairs finish.",
        "Engineers began inspecting the damaged pier on Tuesday morning with divers and drones.",
    ],
]


def settings(**changes: object) -> Settings:
    base: dict[str, object] = {
        "algorithm": "lexrank",
        "sentences": 4,
        "words": None,
        "max_similarity": 0.6,
        "order": "importance",
    }
    return Settings(**{**base, **changes})  # type: ignore[arg-type]


def groups() -> list[list[Candidate]]:
    return [
        [Candidate(SentenceRef(f"a{g}", i), text) for i, text in enumerate(texts)]
        for g, texts in enumerate(HARBOUR)
    ]


ALGORITHMS = ["lexrank", "lsa", "textrank", "luhn", "edmundson", "kl", "sumbasic", "reduction"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_sumy_algorithm_gives_verbatim_references(algorithm: str) -> None:
    refs = Summariser(settings(algorithm=algorithm), TERMS, bonus_words=["harbour"]).pick(groups())
    assert 1 <= len(refs) <= 4
    assert len(set(refs)) == len(refs)
    for ref in refs:
        assert 0 <= ref.index < len(HARBOUR[int(ref.article[1:])])


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_same_quote_from_three_outlets_is_chosen_once(algorithm: str) -> None:
    refs = Summariser(settings(algorithm=algorithm, sentences=10), TERMS).pick(groups())
    quoted = [r for r in refs if "safe for every vessel" in HARBOUR[int(r.article[1:])][r.index]]
    assert len(quoted) == 1
    # Everything else is distinct, so it all fits when ten sentences are asked for.
    assert len(refs) == sum(len(g) for g in HARBOUR) - 2


def test_max_similarity_one_keeps_paraphrases() -> None:
    refs = Summariser(settings(max_similarity=1.0, sentences=10), TERMS).pick(groups())
    assert len(refs) == sum(len(g) for g in HARBOUR)


def test_source_order_sorts_by_article_then_position() -> None:
    refs = Summariser(settings(order="source", sentences=3), TERMS).pick(groups())
    assert list(refs) == sorted(refs)


def test_a_word_budget_stops_before_it_is_passed() -> None:
    refs = Summariser(settings(words=30, sentences=10), TERMS).pick(groups())
    lengths = [len(HARBOUR[int(r.article[1:])][r.index].split()) for r in refs]
    assert 1 < len(refs) < 10
    assert sum(lengths) <= 30


def test_support_lifts_what_more_sources_report() -> None:
    fact = SentenceRef("a1", 1)  # the wind speed
    plain = Summariser(settings(sentences=10), TERMS).pick(groups())
    lifted = Summariser(settings(sentences=10), TERMS).pick(
        groups(), support=lambda r: 1.0 if r == fact else 0.0
    )
    assert lifted.index(fact) < plain.index(fact)
    assert set(lifted) == set(plain)


def test_short_sentences_are_used_only_when_nothing_longer_is_left() -> None:
    short = [[Candidate(SentenceRef("a", 0), "Price said."), *groups()[0][1:2]]]
    assert Summariser(settings(sentences=1), TERMS).pick(short) == (SentenceRef("a0", 1),)
    only_short = [[Candidate(SentenceRef("a", 0), "Price said.")]]
    assert Summariser(settings(sentences=1), TERMS).pick(only_short) == (SentenceRef("a", 0),)


def test_similarity_overlap_and_jaccard() -> None:
    quote = TERMS.content("We will reopen the harbour only when the pier is safe.")
    longer = TERMS.content("We will reopen the harbour only when the pier is safe, Ruiz said.")
    other = TERMS.content("Ferry services will run from the southern marina.")
    assert similarity(quote, longer) == 1.0
    assert similarity(quote, other) == 0.0
    # Tiny sentences use Jaccard, so one shared word does not make them the same.
    assert similarity(frozenset({"a", "b"}), frozenset({"a", "c"})) == pytest.approx(1 / 3)
    assert similarity(frozenset(), quote) == 0.0


def test_article_summaries_are_the_sentences_each_analysis_chose() -> None:
    from dataclasses import replace

    from digest.compare import corpus_of
    from digest.topic_summaries import ArticleSummaries
    from tests.conftest import plain_article

    articles = [plain_article(f"outlet-{n}", story) for n, story in enumerate(HARBOUR)]
    corpus = corpus_of(articles, TERMS)
    chosen = {"outlet-0": (0, 3), "outlet-1": (), "outlet-2": (1,)}
    entries = tuple(e._replace(summary=chosen[e.id]) for e in corpus.entries)
    summaries = ArticleSummaries(replace(corpus, entries=entries))
    assert dict(summaries) == {
        "outlet-0": (SentenceRef("outlet-0", 0), SentenceRef("outlet-0", 3)),
        "outlet-1": (),
        "outlet-2": (SentenceRef("outlet-2", 1),),
    }
    assert len(summaries) == 3 and "outlet-3" not in summaries
    with pytest.raises(KeyError):
        summaries["outlet-3"]


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 9)), max_size=40),
    st.integers(1, 12),
)
def test_the_shortlist_is_the_best_by_score_then_rank_then_index(
    rows: list[tuple[int, int, int]], count: int
) -> None:
    score = np.array([r[0] / 4 for r in rows], np.float64)
    rank = np.array([r[1] for r in rows], np.int64)
    index = np.array([r[2] for r in rows], np.int64)
    everything = np.lexsort((index, rank, -score))  # the whole sort, for reference
    expected = sorted(everything[:count].tolist())
    assert best(score, rank, index, count).tolist() == expected
