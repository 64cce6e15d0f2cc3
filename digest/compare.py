"""Across sources: what everyone reports, what one outlet adds, who said what.

The compare stage joins three measurements of the articles (sentence agreement, quoted
speech, syndicated copies) into one `Comparison`; `topic_comparison.py` turns it, per
topic, into what a reader scans first.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from operator import attrgetter, itemgetter
from typing import TypeVar

import numpy as np

from digest import beside
from digest.agreement import Agreement, SentenceTerms, sentence_terms
from digest.corpus import EMPTY, Corpus, Item, assemble
from digest.facts import Ints
from digest.models import Article, SentenceRef
from digest.overlaps import NONE, Overlaps
from digest.quotes import QuoteGroup, extract, group
from digest.reporting import reporting_digests, source_counts, source_of_sentences
from digest.rows import distinct, first_places, member
from digest.spare import Spare
from digest.syndication import (
    Syndication,
    detect,
    group_digests,
    shingles,
)
from digest.terms import Terms

T = TypeVar("T")


@dataclass(frozen=True)
class Grouped:
    """Quotation groups and what they were made from: every article's quotations."""

    key: str
    groups: tuple[QuoteGroup, ...]


@dataclass(frozen=True)
class Related:
    """What the compare stage knows of how articles relate before agreement is done:
    enough for the parts of a topic's comparison that do not need it."""

    syndication: Syndication
    sources: Mapping[str, str]
    """Article id -> source name."""
    quote_groups: tuple[QuoteGroup, ...]
    quote_positions: tuple[Ints, Ints]
    """See `Comparison.quote_positions`."""


_QUOTATIONS, _REF, _ID = attrgetter("quotations"), itemgetter(0), attrgetter("id")
"""A quotation group's quotations, a quotation's reference, an entry's id: read in C."""


def quotations_key(corpus: Corpus) -> str:
    """Changes exactly when some article's quotations (or where they are) change."""
    digest = hashlib.blake2b(digest_size=16)
    for entry in corpus.entries:
        if entry.quotations:
            digest.update(entry.quoted.encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Comparison:
    """Everything the build knows about how the articles relate to each other."""

    terms: SentenceTerms
    agreement: Agreement
    syndication: Syndication
    sources: Mapping[str, str]
    """Article id -> source name."""
    quote_groups: tuple[QuoteGroup, ...]
    """The same quotation across articles, site-wide."""
    grouped: Grouped
    """The groups with the key of the quotations they were made from, for next time."""
    quoting: tuple[list[int], list[int]]
    """The sentence positions that carry a quotation other articles carry too, in order
    (with a position once per group), and that group: what `quoted_with` looks up, by
    bisection (lists: a lookup in C, without NumPy's cost per call)."""
    counts: Ints
    """Per site-wide sentence position, `len(reporting(ref))`: how many independent
    sources report it."""
    source_ids: Ints
    """Per sentence position, the number of the independent source it stands for."""
    quote_positions: tuple[Ints, Ints]
    """The sentence position of every quotation of `quote_groups`, in group order, and
    the group each belongs to."""
    reporting_keys: Ints
    """Per sentence position, a digest of who reports it (`reporting_digests`): what
    the page plan keys pages by."""
    _firsts: dict[int, Ints] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Memo: statement -> the first sentence of each source among its group (a pure
    function of the fields above, so the record stays what it was made as)."""

    def reporting(self, ref: SentenceRef) -> tuple[SentenceRef, ...]:
        """The sentences that report the statement of `ref`: itself, then one sentence
        per other independent source (copies and second articles of an outlet add
        nothing), in article order."""
        corpus = self.agreement.corpus
        position = corpus.find(ref)
        if position is None:
            return (ref,)
        return (ref, *(corpus.ref(int(p)) for p in self.reporters(position)[1:]))

    def reporters(self, position: int) -> Ints:
        """`reporting` as sentence positions (the sentence's own first)."""
        own = self.source_ids[position]
        quoted = self._quoted_at(position) if self.quoting[0] else ()
        statement = int(self.agreement.statement[position])
        if quoted:
            corpus = self.agreement.corpus
            partners = np.asarray([corpus.find(q) for q in quoted], np.int64)
            group = self.agreement.group(statement) if statement >= 0 else partners[:0]
            firsts = self._firsts_of(distinct(np.concatenate([partners, group])))
        elif statement < 0:
            return np.asarray([position], np.int64)
        else:
            # Every sentence of a statement has the same partners, but for its own
            # article's sentences, whose source is its own: so one pass per statement
            # serves all its sentences.
            known = self._firsts.get(statement)
            if known is None:
                known = self._firsts[statement] = self._firsts_of(self.agreement.group(statement))
            firsts = known
        others = firsts[self.source_ids[firsts] != own]
        return np.concatenate([np.asarray([position], np.int64), others.astype(np.int64)])

    def _firsts_of(self, positions: Ints) -> Ints:
        """Of the sentences at `positions`, the first (in reference order) of each
        independent source, in that order."""
        ordered = self.agreement.corpus.in_order(positions)
        sources = self.source_ids[ordered]
        chosen: Ints = ordered[np.sort(first_places(sources))]
        return chosen

    @cached_property
    def copy_groups(self) -> dict[str, str]:
        """Article id -> the name of its group of copies (see `group_digests`)."""
        return group_digests(self.syndication, self.sources)

    def count(self, ref: SentenceRef) -> int:
        """How many independent sources report the statement of `ref` (at least 1)."""
        position = self.agreement.corpus.find(ref)
        return 1 if position is None else int(self.counts[position])

    def quoted_with(self, ref: SentenceRef) -> tuple[SentenceRef, ...]:
        """The sentences of other articles that carry a quotation `ref` carries."""
        position = self.agreement.corpus.find(ref)
        return () if position is None else self._quoted_at(position)

    def _quoted_at(self, position: int) -> tuple[SentenceRef, ...]:
        at, groups = self.quoting
        first = bisect_left(at, position)
        last = bisect_right(at, position, first)
        if first == last:
            return ()
        ref = self.agreement.corpus.ref(position)
        carriers = {q.ref for g in groups[first:last] for q in self.quote_groups[g].quotations}
        return tuple(sorted(r for r in carriers if r.article != ref.article))

    def says_same(self, ref: SentenceRef, others: Sequence[SentenceRef]) -> bool:
        """Whether `ref` says the same as one of `others`: `same_as` without making it
        (a statement many outlets carry has hundreds of sentences)."""
        others = [o for o in others if o.article != ref.article]
        if not others:
            return False
        agreement = self.agreement
        statement = agreement.statement_of(ref)
        if statement >= 0:
            found = [p for p in map(agreement.corpus.find, others) if p is not None]
            if member(np.asarray(found, np.int64), agreement.group(statement)).any():
                return True
        quoted = self.quoted_with(ref)
        return bool(quoted) and not set(quoted).isdisjoint(others)

    def same_as(self, ref: SentenceRef) -> frozenset[SentenceRef]:
        """Every sentence of another article that says the same as `ref`."""
        return frozenset(self.agreement.of(ref)) | frozenset(self.quoted_with(ref))

    def reported_by(self, ref: SentenceRef) -> tuple[str, ...]:
        """Article ids of `reporting`."""
        return tuple(r.article for r in self.reporting(ref))


def compare_articles(articles: Sequence[Article], terms: Terms) -> Comparison:
    """Relate articles outside a site (the quality measurements and tests do)."""
    return compare_corpus(corpus_of(articles, terms))


def corpus_of(articles: Sequence[Article], terms: Terms) -> Corpus:
    """The corpus of articles analysed here and now (no topics, no summaries): for
    comparing text outside a site, as the quality measurements do."""
    from digest.analysis import describe, entry_of

    items = []
    for article in articles:
        facts, topics, _ = describe(article, terms)
        entry = entry_of(article, article.id, topics, (), extract(article))
        items.append(Item(entry, facts, shingles(article)))
    return assemble(EMPTY, items)


def compare_corpus(
    corpus: Corpus,
    previous: Syndication | None = None,
    fresh: Collection[str] = (),
    grouped: Grouped | None = None,
    overlaps: Overlaps = NONE,
) -> Comparison:
    """Relate the corpus' articles: agreement, quotations and syndicated copies.

    `previous` and `fresh` (keys of changed articles) let copy detection measure only
    the pairs that changed; `grouped` (the previous build's quotation groups) is taken
    as it is when no article's quotations changed; `overlaps` are the stems statement
    pairs were found to share.
    """
    return compare_beside(corpus, lambda _: None, previous, fresh, grouped, overlaps)[0]


def compare_beside(
    corpus: Corpus,
    meanwhile: Callable[[Related], T],
    previous: Syndication | None = None,
    fresh: Collection[str] = (),
    grouped: Grouped | None = None,
    overlaps: Overlaps = NONE,
    spare: Spare | None = None,
    idle: Callable[[Callable[[], bool]], None] | None = None,
) -> tuple[Comparison, T]:
    """`compare_corpus`, and what `meanwhile` returns: it is run while agreement is
    computed (in the `spare` process, or a thread, or in a process of its own on a cold
    build of a large site: see `beside.py`), the last thing before this process waits
    for it, with what is known by then. A build gives it the work of later stages that
    needs no agreement (the topics' coverage, most of each topic's comparison), which
    would otherwise wait. `idle(ready)` is run next, if given, and should return once
    `ready()` (agreement has come): work for a CPU that would otherwise wait."""
    index = sentence_terms(corpus)
    changed = len(corpus.entries) if previous is None else len(fresh)
    apart = changed >= beside.APART
    with beside.start(index, overlaps, apart, spare) as (agreement_of, find, later):
        syndication = detect(corpus, known=previous, fresh=fresh, find=find)
        key = quotations_key(corpus)
        if grouped is not None and grouped.key == key:
            groups = grouped.groups
        else:
            groups = group([q for e in corpus.entries for q in e.quotations])
        # All that needs no agreement is done while it is computed (a rebuild of a
        # large site waits for it otherwise).
        source_ids = source_of_sentences(corpus, syndication.original)
        quoted = list(map(_QUOTATIONS, groups))
        where = corpus.positions(list(map(_REF, chain.from_iterable(quoted))))
        owner = np.repeat(np.arange(len(groups)), list(map(len, quoted)))
        quote_positions = (where[where >= 0], owner[where >= 0])
        sources = {e.id: e.source for e in corpus.entries}
        quoting = _shared_quotations(corpus, *quote_positions, len(groups))
        done = meanwhile(Related(syndication, sources, groups, quote_positions))
        if idle is not None:
            idle(agreement_of.ready)
        agreement = agreement_of()
        # Both array passes: the digests beside (the page plan's), the counts here.
        digests = later(reporting_digests, corpus, agreement, quote_positions, syndication.original)
        counts = source_counts(corpus, agreement, len(groups), quote_positions, source_ids)
        reporting_keys = digests()
    comparison = Comparison(
        terms=index,
        agreement=agreement,
        syndication=syndication,
        sources=sources,
        quote_groups=groups,
        grouped=Grouped(key, groups),
        quoting=quoting,
        counts=counts,
        source_ids=source_ids,
        quote_positions=quote_positions,
        reporting_keys=reporting_keys,
    )
    return comparison, done


def _shared_quotations(
    corpus: Corpus, at: Ints, group: Ints, groups: int
) -> tuple[list[int], list[int]]:
    """`Comparison.quoting`, from the position and group of every quotation: the
    groups with quotations in more than one article, and where their quotations sit."""
    articles, span = max(len(corpus.entries), 1), max(groups, 1)
    spread = distinct(group * articles + corpus.article_of[at])
    shared = np.bincount(spread // articles, minlength=groups)[group] > 1
    places = distinct(at[shared] * span + group[shared])
    return (places // span).tolist(), (places % span).tolist()
