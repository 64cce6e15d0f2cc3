"""Every article's facts laid end to end: the site as a few flat arrays.

The cross-article stages (agreement, coverage, copies, summaries) read all articles at
once. Loading 10,000 analysed articles as Python objects takes seconds; the corpus holds
what those stages need as one record per article (`Entry`: title, source, date...)
plus numpy arrays over all sentences, and is kept in `.digest-cache/` between builds. A
rebuild reads it in one go, keeps the slices of unchanged articles and splices in only
the articles whose files changed, so it never opens the other analyses.

Sentences are numbered site-wide: article `a`'s sentence `i` is position
`sentence_start[a] + i`. Stems are numbered by their rank in `vocabulary` (the sorted
hashes of the stems in use), so two builds of the same articles number them alike,
whatever the corpus held before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, fields
from functools import cached_property
from itertools import pairwise, repeat
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from digest.facts import Facts, Flags, Hashes, Ints
from digest.models import SentenceRef
from digest.quotes import Quotation
from digest.rows import distinct, row_lengths, set_keys, starts, starts_of

Shingles = npt.NDArray[Any]
"""uint32"""


class Entry(NamedTuple):
    """One article as the site-wide stages see it: no text, only what they count. (A
    named tuple: every build loads and stores one per article, in C.)"""

    key: str
    """The analysis cache key: changes whenever anything the analysis read changes."""
    id: str
    title: str
    source: str
    date: dt.date | None
    author: str | None
    url: str | None
    draft: bool
    sentence_count: int
    topics: tuple[str, ...]
    """Slugs of the topics the article belongs to, in config order."""
    forced_topics: tuple[str, ...]
    """Topic slugs its front matter names (checked against the config by the build)."""
    summary: tuple[int, ...]
    """Indices of the article's summary sentences, in article order."""
    summary_sentences: tuple[tuple[str, str], ...]
    """Their text and HTML: every list that shows the article shows its summary, so
    lists never need to open the article."""
    quotations: tuple[Quotation, ...]
    quoted: str
    """A digest of `quotations`, so the build can tell whether any changed without
    looking at every one."""
    card: str
    """A digest of what lists show of the article (title, source, date, author, link,
    topics, summary): an edit elsewhere in its text leaves lists as they are."""


_ARTICLE, _INDEX = itemgetter(0), itemgetter(1)
"""A `SentenceRef`'s fields, read in C."""
_DATE, _PROSE = attrgetter("date"), attrgetter("prose")
UNDATED = 10**7
"""The day number of no date: after every real one (date.max is day 3,652,059)."""


@dataclass(frozen=True)
class Corpus:
    entries: tuple[Entry, ...]
    sentence_start: Ints
    """Per article, where its sentences start (one more item than articles)."""
    prose: Flags
    words: Ints
    texts: Hashes
    """Per sentence, a hash of its text and HTML (see Facts)."""
    stem_start: Ints
    """Per sentence, where its stems start in `stems` (one more item than sentences)."""
    stems: Ints
    """Stem numbers, sorted within each sentence."""
    stem_sets: Hashes
    """Per sentence, a 128-bit name of its set of stems (two uint64 columns): sentences
    with the same stems are one statement (see agreement.py)."""
    vocabulary: Hashes
    """The hash of stem number k is vocabulary[k]."""
    topic_start: Ints
    topic_ids: Ints
    shingle_start: Ints
    """Per article, where its shingles start in `shingles`."""
    shingles: Shingles

    @cached_property
    def number(self) -> dict[str, int]:
        """Article id -> its number (position in `entries`)."""
        return {e.id: n for n, e in enumerate(self.entries)}

    @cached_property
    def newest(self) -> tuple[int, ...]:
        """Article numbers in the order every list shows them (`newest_first`): sorted
        once per build for the topics, the plan and the search index."""
        entries = self.entries
        return tuple(sorted(range(len(entries)), key=lambda n: newest_first(entries[n])))

    @cached_property
    def ordinals(self) -> Ints:
        """Each article's date as a day number; undated articles after every date."""
        dates = map(_DATE, self.entries)
        days = (UNDATED if d is None else d.toordinal() for d in dates)
        return np.fromiter(days, np.int64, len(self.entries))

    @cached_property
    def id_rank(self) -> Ints:
        """Each article's rank by id: the order sentence references sort in."""
        rank = np.empty(len(self.entries), np.int32)
        rank[sorted(range(len(self.entries)), key=lambda n: self.entries[n].id)] = np.arange(
            len(self.entries), dtype=np.int32
        )
        return rank

    def find(self, ref: SentenceRef) -> int | None:
        """The site-wide position of a sentence, or None when the corpus lacks it."""
        article = self.number.get(ref.article)
        if article is None:
            return None
        start = int(self.sentence_start[article])
        if not 0 <= ref.index < int(self.sentence_start[article + 1]) - start:
            return None
        return start + ref.index

    def positions(self, refs: Sequence[SentenceRef]) -> Ints:
        """`find` for many references at once, -1 where the corpus lacks one: a hundred
        thousand quotations are looked up in milliseconds, not a tenth of a second."""
        # Mapped in C (no Python frame per reference): tens of thousands each build.
        found_in = map(self.number.get, map(_ARTICLE, refs), repeat(-1))
        article = np.fromiter(found_in, np.int64, len(refs))
        index = np.fromiter(map(_INDEX, refs), np.int64, len(refs))
        known = article >= 0
        row = np.where(known, article, 0)
        start = self.sentence_start[row].astype(np.int64)
        length = self.sentence_start[row + 1] - start
        found: Ints = np.where(known & (index >= 0) & (index < length), start + index, -1)
        return found

    def ref(self, position: int) -> SentenceRef:
        article = int(self.article_of[position])
        return SentenceRef(self.entries[article].id, position - int(self.sentence_start[article]))

    def in_order(self, positions: Ints) -> Ints:
        """The positions sorted as their sentence references sort: by article id, then
        index."""
        article = self.article_of[positions]
        order: Ints = positions[np.lexsort((positions, self.id_rank[article]))]
        return order

    @cached_property
    def article_of(self) -> Ints:
        """The article number of every sentence."""
        counts = np.diff(self.sentence_start)
        return np.repeat(np.arange(len(self.entries), dtype=np.int32), counts)

    def __getstate__(self) -> dict[str, object]:
        """Pickle the fields only: what `cached_property` derived is made again."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def stems_of(self, position: int) -> Ints:
        return self.stems[self.stem_start[position] : self.stem_start[position + 1]]


EMPTY = Corpus(
    entries=(),
    sentence_start=np.zeros(1, np.int32),
    prose=np.zeros(0, np.bool_),
    words=np.zeros(0, np.int32),
    texts=np.zeros(0, np.uint64),
    stem_start=np.zeros(1, np.int32),
    stems=np.zeros(0, np.int32),
    stem_sets=np.zeros((0, 2), np.uint64),
    vocabulary=np.zeros(0, np.uint64),
    topic_start=np.zeros(1, np.int32),
    topic_ids=np.zeros(0, np.int32),
    shingle_start=np.zeros(1, np.int32),
    shingles=np.zeros(0, np.uint32),
)


@dataclass(frozen=True, slots=True)
class Item:
    """One article of the new corpus: its entry, and its facts when the previous corpus
    does not hold them (a new or changed file)."""

    entry: Entry
    facts: Facts | None
    shingles: Shingles | None


def assemble(previous: Corpus, items: Sequence[Item]) -> Corpus:
    """The corpus of `items`, in their order, reusing `previous` for unchanged articles.

    The result depends only on the items, never on what `previous` held: slices are
    copied as they were and stems are renumbered by the stems now in use. Unchanged
    articles that were neighbours before are copied as one slice, so a rebuild after a
    few edits copies a few long runs, not ten thousand articles one by one.
    """
    where = {e.key: n for n, e in enumerate(previous.entries)}
    old = previous
    parts: list[_Part] = []
    for item in items:
        last = parts[-1] if parts else None
        if item.facts is None:
            a = where[item.entry.key]
            if isinstance(last, _Run) and last.stop == a:
                parts[-1] = _Run(last.start, a + 1)
            else:
                parts.append(_Run(a, a + 1))
        else:
            assert item.shingles is not None
            if isinstance(last, _Fresh):
                last.facts.append(item.facts)
                last.shingles.append(item.shingles)
            else:
                parts.append(_Fresh([item.facts], [item.shingles]))
    prose, words, stems, topics, shingles, stem_sets, texts = [], [], [], [], [], [], []
    stem_lengths, topic_lengths, sentence_counts, shingle_counts = [], [], [], []
    old_stem_lengths = np.diff(old.stem_start)
    old_topic_lengths = np.diff(old.topic_start)
    new = [p for p in parts if isinstance(p, _Fresh)]
    hashed = np.concatenate([old.vocabulary, *(f.stems for p in new for f in p.facts)])
    hashed = hashed.astype(np.uint64, copy=False)
    counted = [row_lengths([f.stem_start for f in p.facts]) for p in new]
    ends = np.cumsum([len(old.vocabulary), *(int(c.sum()) for c in counted)]).tolist()
    spans = list(pairwise(ends))  # each fresh part's stems in `hashed`
    # The three passes over the stems of a cold build (3 million at 10,000 articles)
    # are NumPy's, which lets a thread run beside: keys, sort, then lookups in halves.
    with ThreadPoolExecutor(1) if len(hashed) >= THREADED_FROM else nullcontext() as pool:
        keyed = [
            _beside(pool, set_keys, starts(c), hashed[a:b])
            for c, (a, b) in zip(counted, spans, strict=True)
        ]
        vocabulary = distinct(hashed)
        numbered = [_ranks(pool, vocabulary, hashed[a:b]) for a, b in spans]
        made = zip(counted, [n() for n in numbered], [k() for k in keyed], strict=True)
        fresh = iter(list(made))
    # An edit seldom brings a word the site has never had: then the old numbers stand,
    # and the three million stems are copied, not looked up one by one.
    same = len(vocabulary) == len(old.vocabulary)
    renumber = None if same else np.searchsorted(vocabulary, old.vocabulary).astype(np.int32)
    for part in parts:
        if isinstance(part, _Run):
            s0, s1 = int(old.sentence_start[part.start]), int(old.sentence_start[part.stop])
            prose.append(old.prose[s0:s1])
            words.append(old.words[s0:s1])
            texts.append(old.texts[s0:s1])
            stem_lengths.append(old_stem_lengths[s0:s1])
            kept = old.stems[old.stem_start[s0] : old.stem_start[s1]]
            stems.append(kept if renumber is None else renumber[kept])
            stem_sets.append(old.stem_sets[s0:s1])
            topic_lengths.append(old_topic_lengths[s0:s1])
            topics.append(old.topic_ids[old.topic_start[s0] : old.topic_start[s1]])
            h0, h1 = int(old.shingle_start[part.start]), int(old.shingle_start[part.stop])
            shingles.append(old.shingles[h0:h1])
            sentence_counts.append(np.diff(old.sentence_start[part.start : part.stop + 1]))
            shingle_counts.append(np.diff(old.shingle_start[part.start : part.stop + 1]))
        else:
            # New articles in a row (all of them, on a cold build) as one: each array
            # pass made once, not ten thousand times (2 s of a cold build's one CPU).
            batch = part.facts
            prose.extend(f.prose for f in batch)
            words.extend(f.words for f in batch)
            texts.extend(f.texts for f in batch)
            lengths, ranks, keys = next(fresh)
            stem_lengths.append(lengths)
            stems.append(ranks)
            stem_sets.append(keys)
            topic_lengths.append(row_lengths([f.topic_start for f in batch]))
            topics.extend(f.topic_ids for f in batch)
            shingles.extend(part.shingles)
            sentence_counts.append(np.fromiter(map(len, map(_PROSE, batch)), np.int64, len(batch)))
            shingle_counts.append(np.fromiter(map(len, part.shingles), np.int64, len(batch)))
    all_stems = _join(stems, np.int32)
    # Keep only the stems in use, so the numbering is the same for the same articles.
    used = np.bincount(all_stems, minlength=len(vocabulary)) > 0
    if not used.all():
        all_stems = (np.cumsum(used) - 1).astype(np.int32)[all_stems]
    return Corpus(
        entries=tuple(item.entry for item in items),
        sentence_start=starts_of(sentence_counts),
        prose=_join(prose, np.bool_),
        words=_join(words, np.int32),
        texts=_join(texts, np.uint64),
        stem_start=starts_of(stem_lengths),
        stems=all_stems,
        stem_sets=np.concatenate(stem_sets) if stem_sets else np.zeros((0, 2), np.uint64),
        vocabulary=vocabulary[used],
        topic_start=starts_of(topic_lengths),
        topic_ids=_join(topics, np.int32),
        shingle_start=starts_of(shingle_counts),
        shingles=_join(shingles, np.uint32),
    )


@dataclass(frozen=True, slots=True)
class _Run:
    """Articles start to stop - 1 of the previous corpus, unchanged and still in a row."""

    start: int
    stop: int


@dataclass(frozen=True, slots=True)
class _Fresh:
    """New or changed articles, in a row."""

    facts: list[Facts]
    shingles: list[Shingles]


_Part = _Run | _Fresh


THREADED_FROM = 1_000_000
"""Stems from which `assemble` runs its array passes two at a time (a thread costs
more than it saves on a rebuild's few)."""

T = TypeVar("T")


def _beside(
    pool: ThreadPoolExecutor | None, function: Callable[..., T], *args: Any
) -> Callable[[], T]:
    """`function(*args)`, in the pool's thread if there is one; call the result for it."""
    if pool is not None:
        return pool.submit(function, *args).result
    result = function(*args)
    return lambda: result


def _ranks(
    pool: ThreadPoolExecutor | None, ordered: npt.NDArray[Any], values: npt.NDArray[Any]
) -> Callable[[], npt.NDArray[Any]]:
    """The rank (int32) of each of `values` in `ordered`, which holds them all: half
    looked up in the pool's thread, if there is one, while this one looks up the rest."""
    half = len(values) // 2 if pool is not None else 0
    theirs = _beside(pool, np.searchsorted, ordered, values[half:])
    mine = np.searchsorted(ordered, values[:half])
    return lambda: np.concatenate([mine, theirs()]).astype(np.int32)


def _join(parts: Sequence[npt.NDArray[Any]], dtype: type) -> npt.NDArray[Any]:
    # No second copy when the parts have the type already (a 10,000-article site's
    # shingles are 30 MB).
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


class Dated(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def date(self) -> dt.date | None: ...


def newest_first(item: Dated) -> tuple[bool, int, str]:
    """Sort key for articles: newest day first, undated last, then by id for stability."""
    return (item.date is None, -(item.date or dt.date.min).toordinal(), item.id)
