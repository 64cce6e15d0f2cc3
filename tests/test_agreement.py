"""Sentence agreement measured on a labelled set of invented sentence pairs.

The figures in README ("Where sources agree") come from `measure()`; this test keeps
them from silently getting worse.
"""

from __future__ import annotations

import multiprocessing
import pickle
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import digest.agreement as agreement
import digest.beside as beside_module
from digest import overlaps, syndication
from digest.agreement import (
    SAME_STATEMENT,
    SentenceTerms,
    compare,
    sentence_terms,
)
from digest.compare import Comparison, compare_beside, compare_corpus, corpus_of
from digest.corpus import Corpus
from digest.models import Article, Block, SentenceRef
from digest.terms import Terms
from tests.conftest import plain_article

DATA = Path(__file__).parent / "data" / "agreement.yaml"


def load() -> tuple[SentenceTerms, list[tuple[SentenceRef, SentenceRef, bool]]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    index = sentence_terms(corpus_of(_articles(data["articles"]), Terms()))

    def ref(name: str) -> SentenceRef:
        article, _, i = name.rpartition("/")
        return SentenceRef(article, int(i))

    return index, [(ref(a), ref(b), same) for a, b, same in data["pairs"]]


def _articles(texts: dict[str, list[str]]) -> list[Article]:
    return [plain_article(name, sentences) for name, sentences in texts.items()]


def measure(threshold: float = SAME_STATEMENT) -> tuple[float, float, int, int]:
    index, pairs = load()
    agreement = compare(index, threshold)
    tp = sum(1 for a, b, same in pairs if same and b in agreement.of(a))
    fp = sum(1 for a, b, same in pairs if not same and b in agreement.of(a))
    positives = sum(1 for *_, same in pairs if same)
    return tp / max(1, tp + fp), tp / positives, positives, len(pairs) - positives


def test_the_labelled_pairs_are_well_formed() -> None:
    index, pairs = load()
    assert len(pairs) >= 60
    assert len({(a, b) for a, b, _ in pairs}) == len(pairs)
    for a, b, _ in pairs:
        assert index.stems(a) is not None and index.stems(b) is not None
        assert a.article != b.article  # agreement is between articles


def test_agreement_precision_and_recall_on_the_labelled_pairs() -> None:
    precision, recall, _, _ = measure()
    assert precision >= 0.9
    assert recall >= 0.6


def test_the_index_finds_what_the_score_finds() -> None:
    # Candidate generation (rare-stem index) must not lose pairs the score accepts.
    index, pairs = load()
    agreement = compare(index)
    for a, b, _ in pairs:
        accepted = index.score(a, b)
        assert (b in agreement.of(a)) == (accepted >= SAME_STATEMENT)


def test_remembered_overlaps_give_the_same_agreement() -> None:
    # What a rebuild does: the stems pairs share come from the last build's answers,
    # for a corpus where one article changed and every weight moved with it.
    index, pairs = load()
    before = compare(index)
    assert len(before.overlaps.names) > 0
    articles = [index.corpus.entries[n].id for n in range(len(index.corpus.entries))]
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    texts = dict(data["articles"])
    texts[articles[0]] = [*texts[articles[0]], "The minister said the talks would resume."]
    changed = sentence_terms(corpus_of(_articles(texts), Terms()))
    remembered = compare(changed, previous=before.overlaps)
    fresh = compare(changed)
    for a, b, _ in pairs:
        assert remembered.of(a) == fresh.of(a)
        assert remembered.of(b) == fresh.of(b)
    assert (remembered.links == fresh.links).all()


def test_the_bitmap_bound_leaves_agreement_as_counting_all_pairs_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pairs the bound shows to share fewer than MIN_SHARED stems are never looked up;
    # with 64-bit bitmaps (stems collide all the time) or bitmaps so large that
    # nothing collides, the statements found are the same, and so are the stems.
    index, pairs = load()
    monkeypatch.setattr(overlaps, "BITS", 1 << 16)
    roomy = compare(index)
    monkeypatch.setattr(overlaps, "BITS", 64)
    crowded = compare(index)
    assert (crowded.links == roomy.links).all()
    assert (crowded.statement == roomy.statement).all()
    assert any(b in crowded.of(a) for a, b, same in pairs if same)
    # Only pairs the bound could not set aside are remembered for the next build.
    assert 0 < len(roomy.overlaps.names) <= len(crowded.overlaps.names)
    assert (roomy.overlaps.counts >= 0).all()


def test_lookups_in_many_chunks_give_the_same_agreement(monkeypatch: pytest.MonkeyPatch) -> None:
    # Large sites measure pairs in chunks, two threads at a time; tiny chunks here.
    index, pairs = load()
    whole = compare(index)
    monkeypatch.setattr(overlaps, "_CHUNK", 16)
    chunked = compare(index)
    assert (chunked.links == whole.links).all()
    assert (chunked.overlaps.counts == whole.overlaps.counts).all()
    assert (chunked.overlaps.shared == whole.overlaps.shared).all()
    assert any(b in chunked.of(a) for a, b, same in pairs if same)


def test_packed_sort_keys_order_as_sorting_by_each_key_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Keys are packed into one number for a single sort where they fit; sorting by
    # each key in turn (a site too large to pack) finds the same agreement.
    index, pairs = load()
    packed = compare(index)
    monkeypatch.setattr(agreement, "_PACKED", 0)
    monkeypatch.setattr(agreement, "_PACKED_PAIRS", 0)
    apart = compare(index)
    assert (apart.links == packed.links).all() and (apart.members == packed.members).all()
    assert (apart.statement == packed.statement).all()
    assert any(b in packed.of(a) for a, b, same in pairs if same)


def test_statements_alike_in_the_first_half_of_their_name_stay_apart() -> None:
    first = np.array([7, 3, 7, 7, 3], np.uint64)
    second = np.array([1, 2, 9, 1, 2], np.uint64)  # 7/1 and 7/9: two sets, one half alike
    lengths = np.array([4, 5, 4, 4, 5])
    order = agreement._same_keys_together(first, second, lengths)
    assert order.tolist() == np.lexsort((np.arange(5), second, first, lengths)).tolist()
    assert agreement._same_keys_together(first, first, lengths).tolist() == [1, 4, 0, 2, 3]


def _refused(message: str) -> type:
    """An executor class that fails when made: where agreement must not run."""

    class Refused:
        def __init__(self, *args: object) -> None:
            raise AssertionError(message)

    return Refused


@pytest.fixture
def compared() -> tuple[Corpus, Comparison, list[tuple[SentenceRef, SentenceRef, bool]]]:
    """The labelled articles' corpus, compared in this process, and the labelled pairs."""
    index, pairs = load()
    return index.corpus, compare_corpus(index.corpus), pairs


def test_agreement_computed_in_a_forked_process_is_the_same(
    monkeypatch: pytest.MonkeyPatch,
    compared: tuple[Corpus, Comparison, list[tuple[SentenceRef, SentenceRef, bool]]],
) -> None:
    # Large sites compute agreement in a forked process beside copy detection.
    corpus, beside, pairs = compared

    monkeypatch.setattr(beside_module, "ThreadPoolExecutor", _refused("agreement ran in a thread"))
    with pytest.raises(AssertionError, match="in a thread"):
        compare_corpus(corpus)  # a small site: a thread
    monkeypatch.setattr(beside_module, "APART", 1)
    apart = compare_corpus(corpus)
    assert apart.agreement.corpus is corpus
    for name in ("statement", "member_start", "members", "link_start", "links"):
        assert (getattr(apart.agreement, name) == getattr(beside.agreement, name)).all()
    assert (apart.agreement.overlaps.shared == beside.agreement.overlaps.shared).all()
    assert any(b in apart.agreement.of(a) for a, b, same in pairs if same)


def test_a_rebuild_of_a_few_articles_computes_agreement_in_a_thread(
    monkeypatch: pytest.MonkeyPatch,
    compared: tuple[Corpus, Comparison, list[tuple[SentenceRef, SentenceRef, bool]]],
) -> None:
    # Forking a large build process costs a rebuild of one article more than it saves;
    # a cold build (every article new) still forks.
    corpus, cold, _ = compared
    assert len(corpus.entries) >= 3
    monkeypatch.setattr(beside_module, "APART", 2)

    monkeypatch.setattr(beside_module, "ProcessPoolExecutor", _refused("forked"))
    one = {corpus.entries[0].key}
    again = compare_corpus(corpus, cold.syndication, one, cold.grouped, cold.agreement.overlaps)
    assert (again.counts == cold.counts).all()
    assert (again.agreement.statement == cold.agreement.statement).all()
    with pytest.raises(AssertionError, match="forked"):
        compare_corpus(corpus)
    two = {e.key for e in corpus.entries[:2]}
    with pytest.raises(AssertionError, match="forked"):
        compare_corpus(corpus, cold.syndication, two, cold.grouped, cold.agreement.overlaps)


def test_agreement_in_a_thread_gets_the_lock_back_often() -> None:
    # While agreement runs in a thread, the interpreter lock changes hands every
    # SWITCH seconds (NumPy passes joined by a little Python would otherwise wait up to
    # 5 ms for it after each pass); the caller's interval is back afterwards, also when
    # the stage fails.
    index, _ = load()
    before = sys.getswitchinterval()
    seen: list[float] = []
    compare_beside(index.corpus, lambda _: seen.append(sys.getswitchinterval()))
    assert seen == [pytest.approx(beside_module.SWITCH)]
    assert seen != [pytest.approx(before)]
    assert sys.getswitchinterval() == before

    def failing(_: object) -> None:
        raise RuntimeError("meanwhile failed")

    with pytest.raises(RuntimeError, match="meanwhile failed"):
        compare_beside(index.corpus, failing)
    assert sys.getswitchinterval() == before


def test_meanwhile_runs_while_agreement_is_computed_in_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The build hands the compare stage work that needs no agreement (the topics'
    # coverage): it must run while agreement is computed, not after. Agreement here
    # waits for it; run one after the other, the stage would never finish.
    index, _ = load()
    started = threading.Event()
    compare = beside_module.compare

    def waiting(*args: Any, **kwargs: Any) -> Any:
        assert started.wait(timeout=20), "meanwhile did not run while agreement ran"
        return compare(*args, **kwargs)

    monkeypatch.setattr(beside_module, "compare", waiting)
    comparison, done = compare_beside(index.corpus, lambda _: started.set() or "covered")
    assert done == "covered"
    assert (comparison.counts == compare_corpus(index.corpus).counts).all()


def test_meanwhile_runs_before_the_agreement_process_is_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index, _ = load()
    monkeypatch.setattr(beside_module, "APART", 1)
    order: list[str] = []
    agreement = beside_module.Agreement

    def received(*args: Any) -> Any:
        order.append("agreement")
        return agreement(*args)

    monkeypatch.setattr(beside_module, "Agreement", received)

    def meanwhile(_: object) -> str:
        order.append(f"meanwhile, {len(multiprocessing.active_children())} process")
        return "covered"

    comparison, done = compare_beside(index.corpus, meanwhile)
    assert done == "covered"
    assert order == ["meanwhile, 1 process", "agreement"]
    assert (comparison.counts == compare_corpus(index.corpus).counts).all()


@pytest.mark.parametrize("apart", [False, True])
def test_idle_runs_after_meanwhile_until_agreement_has_come(
    monkeypatch: pytest.MonkeyPatch, apart: bool
) -> None:
    # In a thread (a rebuild) or in a forked process (a large cold build), `idle` is
    # told when agreement has come, not before; the build loads analyses until then.
    index, _ = load()
    monkeypatch.setattr(beside_module, "APART", 1 if apart else 10**9)
    released = threading.Event()
    name = "agree" if apart else "compare"
    computing = getattr(beside_module, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        # Forked, the process cannot see the event: it takes its time instead.
        if apart:
            time.sleep(0.5)
        else:
            assert released.wait(timeout=20), "idle never looked"
        return computing(*args, **kwargs)

    monkeypatch.setattr(beside_module, name, held)
    order: list[str] = []
    looks: list[bool] = []

    def idle(ready: Any) -> None:
        order.append("idle")
        looks.append(ready())  # agreement is still being computed
        released.set()
        deadline = time.monotonic() + 20
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.001)
        looks.append(ready())

    comparison, _ = compare_beside(index.corpus, lambda _: order.append("meanwhile"), idle=idle)
    assert order == ["meanwhile", "idle"]
    assert looks == [False, True]
    assert (comparison.counts == compare_corpus(index.corpus).counts).all()


WIRE_STORY = [
    "The northern harbour closed on Monday after a storm tore a hole in the main pier.",
    "Engineers said the damage ran along forty metres and would take months to fix.",
    "Fishing crews moved their boats to the southern marina while divers inspected it.",
    "The port authority said repairs could cost about four million euros in all.",
]


def wire_copies() -> dict[str, list[str]]:
    """Six outlets running the same wire story, each with a closing line of its own."""
    return {
        f"wire-{n}": [*WIRE_STORY, f"Outlet {n} will follow the repairs closely."] for n in range(6)
    }


def test_copies_found_half_in_the_forked_process_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Beside agreement, the forked process finds the copies among the second part of
    # the candidate pairs (split by first article), this process among the first.
    texts = wire_copies()
    texts["own"] = ["The harbour master said the pier would reopen in stages from June."]
    corpus = corpus_of(_articles(texts), Terms())
    start, shingles = corpus.shingle_start, corpus.shingles
    whole = syndication._candidates(start, shingles).tolist()
    for parts in (2, 3):
        split = [syndication._candidates(start, shingles, None, (i, parts)) for i in range(parts)]
        assert [pair for part in split for pair in part.tolist()] == whole
    assert all(len(syndication._candidates(start, shingles, None, (i, 2))) for i in (0, 1))
    alone = compare_corpus(corpus).syndication
    monkeypatch.setattr(beside_module, "APART", 1)
    parts_here: list[tuple[int, int] | None] = []
    find_copies = syndication.find_copies

    def counting(
        corpus: Any, among: Any = None, threshold: float = syndication.COPY, part: Any = None
    ) -> Any:
        parts_here.append(part)
        return find_copies(corpus, among, threshold, part)

    monkeypatch.setattr(beside_module, "find_copies", counting)
    apart = compare_corpus(corpus).syndication
    assert parts_here == [(0, 2)]  # this process's part; the other was found apart
    assert apart == alone
    assert sorted(apart.copies.groups) == [tuple(f"wire-{n}" for n in range(6))]


def test_weights_count_prose_sentences_only() -> None:
    # Headings and code lines are not compared, so their words must not make a stem
    # look common: the weights are those of the same corpus without them.
    a = ["Harbour pilots refused the night shift.", "Pilots said the cranes stood idle."]
    b = ["The port authority counted the ships."]
    expected = sentence_terms(corpus_of(_articles({"a": a, "b": b}), Terms()))
    plain, other = _articles({"a": a, "b": ["Harbour pilots strike", "pilots strike()", *b]})
    headed = Article(
        **{f: getattr(other, f) for f in other.__dataclass_fields__ if f != "blocks"},
        blocks=(Block("heading", 0, 1, 2), Block("code", 1, 2), Block("paragraph", 2, 3)),
    )
    found = sentence_terms(corpus_of([plain, headed], Terms()))
    assert found.corpus.prose.tolist() == [True, True, False, False, True]

    def by_stem(index: SentenceTerms) -> dict[int, float]:
        vocabulary = index.corpus.vocabulary.tolist()
        return dict(zip(vocabulary, index.weights.idf.tolist(), strict=True))

    # The prose's stems weigh what they weigh without the heading and the code.
    assert by_stem(found) == by_stem(expected)


def test_copies_carried_over_from_the_last_build_are_those_found_afresh() -> None:
    # A rebuild measures only the pairs with a changed article and keeps the rest.
    texts = wire_copies()
    corpus = corpus_of(_articles(texts), Terms())
    first = syndication.detect(corpus)
    assert len(first.pairs) == 15  # six copies, pairwise
    texts["wire-2"] = [
        "The ferry company said its new timetable starts in the spring.",
        "Fares rise by a tenth, the company added, citing fuel.",
    ]
    edited = corpus_of(_articles(texts), Terms())
    measured: list[list[tuple[int, int]]] = []

    def find(among: Any) -> list[tuple[int, int]]:
        start, shingles = edited.shingle_start, edited.shingles
        measured.append(syndication._candidates(start, shingles, among).tolist())
        return syndication.find_copies(edited, among)

    again = syndication.detect(edited, known=first, fresh={"wire-2"}, find=find)
    assert again == syndication.detect(edited)
    assert len(again.pairs) == 10
    assert "wire-2" not in again.copies
    number = {e.id: n for n, e in enumerate(edited.entries)}
    assert all(number["wire-2"] in pair for pair in measured[0])  # no unchanged pair
    unchanged = syndication.detect(corpus, known=first, fresh=set())
    assert unchanged.pairs is first.pairs  # every pair kept, none new: the same answers
    stored = pickle.loads(pickle.dumps(first.pairs))
    assert stored == first.pairs
    assert stored.as_set() == {
        (f"wire-{a}", f"wire-{b}") for a in range(6) for b in range(a + 1, 6)
    }
