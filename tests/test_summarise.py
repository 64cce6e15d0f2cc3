"""The summariser: sumy's ranking, our choice of sentences that each say something new."""

from __future__ import annotations

import pytest

from digest.config import SummaryConfig
from digest.models import SentenceRef
from digest.summarise import Candidate, Summariser, similarity
from digest.terms import Terms

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


def groups() -> list[list[Candidate]]:
    return [
        [Candidate(SentenceRef(f"a{g}", i), text) for i, text in enumerate(texts)]
        for g, texts in enumerate(HARBOUR)
    ]


ALGORITHMS = ["lexrank", "lsa", "textrank", "luhn", "edmundson", "kl", "sumbasic", "reduction"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_sumy_algorithm_gives_verbatim_references(algorithm: str) -> None:
    config = SummaryConfig(algorithm=algorithm)  # type: ignore[arg-type]
    refs = Summariser(config, TERMS, ["harbour"]).pick(groups(), 4, order="importance")
    assert 1 <= len(refs) <= 4
    assert len(set(refs)) == len(refs)
    for ref in refs:
        assert 0 <= ref.index < len(HARBOUR[int(ref.article[1:])])


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_same_quote_from_three_outlets_is_chosen_once(algorithm: str) -> None:
    config = SummaryConfig(algorithm=algorithm)  # type: ignore[arg-type]
    refs = Summariser(config, TERMS).pick(groups(), 10, order="importance")
    quoted = [r for r in refs if "safe for every vessel" in HARBOUR[int(r.article[1:])][r.index]]
    assert len(quoted) == 1
    # Everything else is distinct, so it all fits when ten sentences are asked for.
    assert len(refs) == sum(len(g) for g in HARBOUR) - 2


def test_max_similarity_one_keeps_paraphrases() -> None:
    config = SummaryConfig(max_similarity=1.0)
    refs = Summariser(config, TERMS).pick(groups(), 10, order="importance")
    assert len(refs) == sum(len(g) for g in HARBOUR)


def test_source_order_sorts_by_article_then_position() -> None:
    refs = Summariser(SummaryConfig(), TERMS).pick(groups(), 3, order="source")
    assert list(refs) == sorted(refs)


def test_short_sentences_are_used_only_when_nothing_longer_is_left() -> None:
    short = [[Candidate(SentenceRef("a", 0), "Price said."), *groups()[0][1:2]]]
    assert Summariser(SummaryConfig(), TERMS).pick(short, 1, "importance") == (
        SentenceRef("a0", 1),
    )
    only_short = [[Candidate(SentenceRef("a", 0), "Price said.")]]
    assert Summariser(SummaryConfig(), TERMS).pick(only_short, 1, "importance") == (
        SentenceRef("a", 0),
    )


def test_similarity_overlap_and_jaccard() -> None:
    quote = TERMS.content("We will reopen the harbour only when the pier is safe.")
    longer = TERMS.content("We will reopen the harbour only when the pier is safe, Ruiz said.")
    other = TERMS.content("Ferry services will run from the southern marina.")
    assert similarity(quote, longer) == 1.0
    assert similarity(quote, other) == 0.0
    # Tiny sentences use Jaccard, so one shared word does not make them the same.
    assert similarity(frozenset({"a", "b"}), frozenset({"a", "c"})) == pytest.approx(1 / 3)
    assert similarity(frozenset(), quote) == 0.0
