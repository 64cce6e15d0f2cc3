"""What one build leaves for the next, in `.digest-cache/state/`.

Everything here is a remembered answer, never an input: the corpus (every article's
facts), the pairs of articles found to be copies, sumy's rankings of topic shortlists,
and the keys of the pages and fragments the build wrote. Each is keyed by the content it
was computed from (analysis keys), so a rebuild takes an answer only where the question
is the same, and a build with no state, or a state it cannot read, computes everything
and gives the same site.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, repeat
from operator import attrgetter, getitem, itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from digest.cache import Cache
from digest.compare import Grouped
from digest.corpus import EMPTY, Corpus, Entry
from digest.models import SentenceRef
from digest.overlaps import NONE, Overlaps
from digest.quotes import Quotation, QuoteGroup
from digest.syndication import Syndication


@dataclass(frozen=True)
class State:
    corpus: Corpus = EMPTY
    syndication: Syndication | None = None
    ranks: dict[str, tuple[SentenceRef, ...]] = field(default_factory=dict)
    grouped: Grouped | None = None
    overlaps: Overlaps = NONE
    pages: dict[str, str] = field(default_factory=dict)
    """Path -> key of every page the build wrote."""
    fragments: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    """Where each article's fragment sits in digest.json and the search index."""
    files: dict[str, tuple[tuple[int, int, int, int], str]] = field(default_factory=dict)
    """Content file label -> its signature (size, times, inode) and analysis key."""
    sentences: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)
    """Text and HTML of sentences topic pages showed, by (analysis key, index)."""
    output: tuple[str, str] | None = None
    """The output folder and the digest of its files (names, sizes, times) just after
    the build: pages and fragments are taken from it only while it still matches."""


SHARDS = 64
"""Entries are stored in this many files, by their article's id: a rebuild after an
edit writes the one file whose entry changed, not all ten thousand entries again."""


OUTPUT_FIELDS = ("pages", "fragments", "sentences", "output")
"""What the state says of the output folder. The rest are answers keyed by what they
were computed from, true whatever happened to the output; so they are saved as soon as
they are known, and these only once the output they describe is in place."""


COLUMNS = ("prose", "words", "texts", "stem_sets")
"""The corpus's per-sentence arrays that are stored in column files (with each
article's shingles): what they hold of an article depends on that article alone, not on
how the site numbers its stems, so an edit changes one file of them."""

CHUNK = 128
"""Articles per column file, about: a file ends after each article whose id's checksum
this divides. Ends chosen by the articles, not by count, so an article added or removed
changes the file it falls in, not every file after it; and by id, not by content, so an
edit changes the one file of the edited article."""


_Groups = tuple[tuple[tuple[tuple[int, int], ...], str | None], ...]
"""Quotation groups as the places of their quotations (entry number, quotation number),
with their speakers."""


@dataclass(frozen=True)
class _Saved:
    """The state as stored: without the entries (in shard files), without the
    corpus's columns (in column files), and with quotation groups as places in the
    entries, so nothing is stored twice."""

    state: State
    order: tuple[str, ...]
    """Every entry's key, in corpus order."""
    shards: tuple[str, ...]
    groups: _Groups | None
    columns: tuple[str, ...] = ()
    """The column files, in corpus order."""


class _Places:
    """Where each quotation sits among the entries (entry number, quotation number).
    Looked up by identity, which is fast and almost always enough; the rest by value
    among their own article's quotations: groups kept from the last build hold equal
    quotations of articles analysed again, not the same objects."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = entries
        self._by_id = {
            id(q): (n, i) for n, e in enumerate(entries) for i, q in enumerate(e.quotations)
        }
        self._number: dict[str, int] | None = None

    def of(self, quotation: Quotation) -> tuple[int, int]:
        found = self._by_id.get(id(quotation))
        if found is not None:
            return found
        # An article analysed again: look among its own quotations only.
        if self._number is None:
            self._number = {e.id: n for n, e in enumerate(self._entries)}
        number = self._number[quotation.ref.article]
        return number, self._entries[number].quotations.index(quotation)


class StateStore:
    """The state files of one site; `folder=None` remembers nothing (``--no-cache``)."""

    def __init__(self, folder: Path | None, context: bytes) -> None:
        self._cache = Cache(folder, "state", context)
        self._key = self._cache.key(b"state")
        self._output_key = self._cache.key(b"output")
        self._places: tuple[tuple[QuoteGroup, ...], _Groups, tuple[str, ...]] | None = None
        """The quotation groups loaded, where they were stored, and the articles' ids in
        order then: when a build keeps the same groups (no quotation changed) for
        articles in the same order, it stores the same places without looking them up."""

    def load(self) -> State:
        state = self._answers()
        output = self._cache.load(self._output_key)
        if isinstance(output, dict) and set(output) == set(OUTPUT_FIELDS):
            state = replace(state, **output)
        return state

    def _answers(self) -> State:
        saved = self._cache.load(self._key)
        if not isinstance(saved, _Saved):
            return State()
        entries: dict[str, Entry] = {}
        for name in saved.shards:
            shard = _unpacked(self._cache.load(name))
            if shard is None:
                return State()  # a shard lost or damaged: start afresh
            entries.update(zip(map(_KEY, shard), shard, strict=True))
        try:
            ordered = tuple(entries[key] for key in saved.order)
        except KeyError:
            return State()
        state = saved.state
        corpus = _with_columns(state.corpus, [self._cache.load(name) for name in saved.columns])
        if corpus is None:
            return State()  # a column file lost or damaged
        grouped = state.grouped
        if saved.groups is not None and grouped is not None:
            quotations = list(map(_QUOTATIONS, ordered))
            groups = tuple(
                QuoteGroup(tuple(map(getitem, map(quotations.__getitem__, n), i)), speaker)
                for n, i, speaker in _columns_of(saved.groups)
            )
            grouped = Grouped(grouped.key, groups)
            self._places = (groups, saved.groups, tuple(e.id for e in ordered))
        return replace(state, corpus=replace(corpus, entries=ordered), grouped=grouped)

    def save(self, state: State) -> None:
        self.save_answers(state)
        self.save_output(state)
        self.finish()

    def save_answers(self, state: State) -> None:
        """Store all but the output fields, writing in the background (see Cache)."""
        stored: dict[str, object] = {}
        entries = state.corpus.entries
        buckets: list[list[Entry]] = [[] for _ in range(SHARDS)]
        for entry in entries:
            buckets[_checksum(entry.id) % SHARDS].append(entry)
        names = []
        for bucket in buckets:
            if not bucket:
                continue
            shard = tuple(sorted(bucket, key=lambda e: e.key))
            name = self._cache.key(b"shard", "".join(e.key for e in shard).encode())
            if not self._cache.keep(name):
                stored[name] = _packed(shard)
            names.append(name)
        columns = []
        corpus = state.corpus
        for first, last in _chunks(entries):
            keys = "".join(e.key for e in entries[first:last])
            name = self._cache.key(b"columns", keys.encode())
            if not self._cache.keep(name):
                stored[name] = _columns(corpus, first, last)
            columns.append(name)
        groups = None
        if state.grouped is not None:
            groups = self._same_places(state.grouped.groups, entries)
        if state.grouped is not None and groups is None:
            place = _Places(entries).of
            groups = tuple(
                (tuple(map(place, g.quotations)), g.speaker) for g in state.grouped.groups
            )
        bare = replace(
            state,
            corpus=replace(
                corpus,
                entries=(),
                prose=EMPTY.prose,
                words=EMPTY.words,
                texts=EMPTY.texts,
                stem_sets=EMPTY.stem_sets,
                shingles=EMPTY.shingles,
            ),
            grouped=replace(state.grouped, groups=()) if state.grouped else None,
            pages={},
            fragments={},
            sentences={},
            output=None,
        )
        order = tuple(e.key for e in entries)
        stored[self._key] = _Saved(bare, order, tuple(names), groups, tuple(columns))
        self._cache.store_later(stored)

    def _same_places(
        self, groups: tuple[QuoteGroup, ...], entries: Sequence[Entry]
    ) -> _Groups | None:
        if self._places is None or self._places[0] is not groups:
            return None
        _, places, ids = self._places
        return places if ids == tuple(e.id for e in entries) else None

    def store_answers(self, state: State) -> frozenset[str]:
        """`save_answers` in a process beside the build's: the entries it used or
        wrote, for the build's process to `adopt`. The files are still being written
        (`written` waits): the build's process waits for that process to end before
        it prunes."""
        self.save_answers(state)
        return frozenset(self._cache.used)

    def written(self) -> None:
        """Wait until the answers' files are written."""
        self._cache.flush()

    def adopt(self, used: Iterable[str]) -> None:
        """Count entries another process used or wrote as used, so `finish` keeps them."""
        self._cache.used.update(used)

    def save_output(self, state: State) -> None:
        self._cache.store(self._output_key, {name: getattr(state, name) for name in OUTPUT_FIELDS})

    def finish(self) -> None:
        """Wait for the writes, and drop the files of states before."""
        self._cache.prune()


_QUOTATIONS, _KEY = attrgetter("quotations"), attrgetter("key")
_AT = Entry._fields.index("quotations")
_SHARD = "entries 2"


def _packed(entries: Sequence[Entry]) -> tuple[object, ...]:
    """A shard's entries as plain tuples, their quotations apart and flat. Pickle
    loads a named tuple by calling its class's `__new__`, a Python function: the
    50,000 quotations and 10,000 entries of a large site took four times as long to
    load as plain tuples do, which `_unpacked` turns into records in C."""
    rows = tuple(e[:_AT] + e[_AT + 1 :] for e in entries)
    counts = tuple(len(e.quotations) for e in entries)
    flat = tuple(
        (tuple(q.ref), q.text, q.speaker, q.wording) for e in entries for q in e.quotations
    )
    return (_SHARD, rows, counts, flat)


def _unpacked(packed: object) -> list[Entry] | None:
    """The entries `_packed` stored; None for anything else (a damaged file)."""
    if not (isinstance(packed, tuple) and len(packed) == 4 and packed[0] == _SHARD):
        return None
    _, rows, counts, flat = packed
    if len(rows) != len(counts) or set(map(len, rows)) - {len(Entry._fields) - 1}:
        return None
    try:
        refs = map(_NEW, repeat(SentenceRef), map(itemgetter(0), flat))
        others = (map(itemgetter(n), flat) for n in (1, 2, 3))
        quotations = list(map(_NEW, repeat(Quotation), zip(refs, *others, strict=True)))
        ends = list(accumulate(counts))
        if (ends[-1] if ends else 0) != len(quotations):
            return None
        own = map(quotations.__getitem__, map(slice, [0, *ends[:-1]], ends))
        return list(map(_NEW, repeat(Entry), map(_with_quotations, rows, map(tuple, own))))
    except (TypeError, ValueError, IndexError):
        return None


def _with_quotations(
    row: tuple[object, ...], quotations: tuple[Quotation, ...]
) -> tuple[object, ...]:
    return (*row[:_AT], quotations, *row[_AT:])


_NEW = tuple.__new__
"""`tuple.__new__(Record, values)`: a named tuple made in C, without its `__new__`."""


def _columns_of(groups: _Groups) -> Iterator[tuple[tuple[int, ...], tuple[int, ...], str | None]]:
    """Each stored group as the entry numbers of its quotations, their numbers among
    their entry's quotations, and its speaker: so that the 50,000 quotations of a
    large site are looked up by `map` in C, not one Python step each."""
    for places, speaker in groups:
        numbers, indices = zip(*places, strict=True) if places else ((), ())
        yield numbers, indices, speaker


def _checksum(article_id: str) -> int:
    return zlib.crc32(article_id.encode())


def _chunks(entries: Sequence[Entry]) -> list[tuple[int, int]]:
    """The articles of each column file, as (first, last + 1)."""
    ends = [n + 1 for n, e in enumerate(entries) if _checksum(e.id) % CHUNK == 0]
    if not ends or ends[-1] != len(entries):
        ends.append(len(entries))
    return list(zip([0, *ends[:-1]], ends, strict=True)) if entries else []


def _columns(corpus: Corpus, first: int, last: int) -> tuple[npt.NDArray[Any], ...]:
    """The columns of articles first to last - 1, and their shingles."""
    s0, s1 = int(corpus.sentence_start[first]), int(corpus.sentence_start[last])
    h0, h1 = int(corpus.shingle_start[first]), int(corpus.shingle_start[last])
    return (*(getattr(corpus, name)[s0:s1] for name in COLUMNS), corpus.shingles[h0:h1])


def _with_columns(corpus: Corpus, parts: Sequence[object]) -> Corpus | None:
    """The corpus with its columns put back from the files' `parts`; None when one is
    missing or does not fit."""
    if not all(isinstance(p, tuple) and len(p) == len(COLUMNS) + 1 for p in parts):
        return None
    sentences, shingles = int(corpus.sentence_start[-1]), int(corpus.shingle_start[-1])
    if not parts:
        return corpus if sentences == shingles == 0 else None
    prose, words, texts, stem_sets, shingled = (np.concatenate(c) for c in zip(*parts, strict=True))
    if any(len(c) != sentences for c in (prose, words, texts, stem_sets)):
        return None
    if len(shingled) != shingles:
        return None
    return replace(
        corpus, prose=prose, words=words, texts=texts, stem_sets=stem_sets, shingles=shingled
    )
