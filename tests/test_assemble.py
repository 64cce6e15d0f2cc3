"""The corpus a rebuild assembles from the last build's is the one a first build makes.

A rebuild copies the unchanged articles' rows out of the previous corpus and renumbers
stems only when it must (a new word, a word no article uses any more); whatever the
edit, the arrays must come out as assembling every article afresh makes them.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from digest import corpus as corpus_module
from digest.analysis import describe, entry_of
from digest.corpus import EMPTY, Corpus, Item, assemble
from digest.quotes import extract
from digest.syndication import shingles
from digest.terms import Terms
from tests.conftest import plain_article

TERMS = Terms()

STORIES = {
    "north": ["Dock workers walked out at dawn.", "The harbour master counted idle cranes."],
    "south": ["Ferries kept sailing to the islands.", "Dock workers in the south stayed."],
    "east": ["Fishing crews moored in the river mouth.", "Prices of fish rose by noon."],
}


def fresh(name: str, sentences: list[str]) -> Item:
    a = plain_article(name, sentences)
    facts, topics, _ = describe(a, TERMS)
    return Item(
        entry_of(a, f"key-{name}-{'|'.join(sentences)}", topics, (), extract(a)),
        facts,
        shingles(a),
    )


def rebuilt(previous: Corpus, stories: dict[str, list[str]]) -> Corpus:
    """What a rebuild assembles: the unchanged articles by reference, the others fresh."""
    items = []
    for name, sentences in stories.items():
        item = fresh(name, sentences)
        known = [e for e in previous.entries if e.key == item.entry.key]
        items.append(Item(known[0], None, None) if known else item)
    return assemble(previous, items)


def assert_same(found: Corpus, expected: Corpus) -> None:
    for f in fields(Corpus):
        a, b = getattr(found, f.name), getattr(expected, f.name)
        if f.name == "entries":
            assert a == b
        else:
            assert a.dtype == b.dtype and np.array_equal(a, b), f.name


@pytest.mark.parametrize(
    "edit",
    [
        # the same words in another order: no stem is new or gone
        {"east": ["Prices of fish rose by noon.", "Fishing crews moored in the river mouth."]},
        # a word the site never had
        {"east": [*STORIES["east"], "Lighthouse keepers signalled the trawlers."]},
        # the only sentence with "ferries" and "islands" gone
        {"south": ["Dock workers in the south stayed."]},
        # an article gone, another new
        {"north": [], "west": ["Harbour pilots refused the night shift."]},
    ],
)
def test_a_rebuild_assembles_what_a_first_build_would(edit: dict[str, list[str]]) -> None:
    before = assemble(EMPTY, [fresh(n, s) for n, s in STORIES.items()])
    after = {n: s for n, s in (STORIES | edit).items() if s}
    found = rebuilt(before, after)
    assert_same(found, assemble(EMPTY, [fresh(n, s) for n, s in after.items()]))
    # Unchanged articles were copied from the last build, not analysed again.
    assert sum(e.key in {k.key for k in before.entries} for e in found.entries) >= 1


def test_assembling_in_two_threads_makes_the_same_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    # A large site's stems are keyed, sorted and looked up two passes at a time.
    items = [fresh(n, s) for n, s in STORIES.items()]
    before = assemble(EMPTY, items)
    after = STORIES | {"east": [*STORIES["east"], "Lighthouse keepers signalled the trawlers."]}
    edited = rebuilt(before, after)
    threads: list[bool] = []
    beside = corpus_module._beside

    def spying(pool: object, *args: object) -> object:
        threads.append(pool is not None)
        return beside(pool, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(corpus_module, "_beside", spying)
    monkeypatch.setattr(corpus_module, "THREADED_FROM", 1)
    assert_same(assemble(EMPTY, items), before)
    assert_same(rebuilt(before, after), edited)
    assert threads and all(threads)
