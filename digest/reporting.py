"""How many independent sources report each sentence's statement, for every sentence.

"Reported by 4 sources" lifts a sentence in a topic summary and keeps it out of "Only in
…"; both look at every sentence of a topic, hundreds of thousands on a large site. The
count is the same for every sentence of a statement (and of a quotation group), so it is
computed per unit, in array passes, and only sentences that belong to a statement and
to a quotation group at once need their units' sources joined.

A source is counted once however many of its articles, or copies of one text, say it:
every article stands for the original of its syndication group, and that original's
outlet is the source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np

from digest.agreement import Agreement
from digest.corpus import Corpus
from digest.facts import Ints
from digest.rows import distinct_below, merged_distinct, ranges, scramble, segment_sums


def source_of_sentences(corpus: Corpus, original: Mapping[str, str]) -> Ints:
    """Per sentence position, a number for the independent source it stands for."""
    ids = [e.id for e in corpus.entries]
    outlets = [e.source for e in corpus.entries]
    originals = map(corpus.number.__getitem__, map(original.get, ids, ids))
    sources = list(map(outlets.__getitem__, originals))
    # Numbered in the order they first stand for an article.
    names = {name: n for n, name in enumerate(dict.fromkeys(sources))}
    per_article = np.fromiter(map(names.__getitem__, sources), np.int64, len(sources))
    result: Ints = per_article[corpus.article_of]
    return result


def source_counts(
    corpus: Corpus,
    agreement: Agreement,
    groups: int,
    quote_positions: tuple[Ints, Ints],
    source: Ints,
) -> Ints:
    """Per sentence position: its independent sources, itself included (1 for a
    sentence nobody else reports). `groups` quotation groups, whose quotations sit at
    `quote_positions` (positions, and the group of each)."""
    sentences = len(corpus.prose)
    # (unit, source) pairs are packed as `unit * sources + source`: a site has a few
    # dozen sources, so every key of every unit fits a small table (`distinct_below`).
    sources = int(source.max()) + 1 if len(source) else 1
    units, unit_source = _statement_sources(agreement, source, sources)
    quote_at, quote_group = quote_positions
    quote_unit = units + quote_group.astype(np.int64)
    span = units + groups
    # (unit, source) pairs of every unit, each once.
    pairs = distinct_below(
        np.concatenate([unit_source, quote_unit * sources + source[quote_at]]), span * sources
    )
    unit_of_pair = pairs // sources
    # Each sentence's units: its statement (if it agrees across articles) and the
    # quotation groups it carries a quotation of; the first are in order already.
    statement = agreement.statement.astype(np.int64)
    agreeing = np.flatnonzero(statement >= 0)
    belongs = merged_distinct(
        agreeing * span + statement[agreeing], np.sort(quote_at * span + quote_unit)
    )
    at, unit = belongs // span, belongs % span
    size = np.bincount(unit_of_pair, minlength=span)
    counts = np.ones(sentences, np.int64)
    several = np.bincount(at, minlength=sentences)[at] > 1
    counts[at[~several]] = size[unit[~several]]
    if several.any():
        start = np.searchsorted(unit_of_pair, np.arange(span + 1))
        sources_of = _Sources(pairs, start, size, sources)
        joined_at, joined = sources_of.joined(at[several], unit[several])
        counts[joined_at] = joined
    return counts


class _Sources:
    """Every unit's sources: (unit, source) pairs as `unit * sources + source`, sorted,
    with where each unit's pairs start and how many it has."""

    def __init__(self, pairs: Ints, start: Ints, size: Ints, sources: int) -> None:
        self.pairs, self.start, self.size, self.sources = pairs, start, size, sources

    def joined(self, at: Ints, unit: Ints) -> tuple[Ints, Ints]:
        """For sentences in several units (`at`, sorted, beside each of its units in
        order): each sentence, and the sources of its units together. Tens of
        thousands of sentences share a few thousand combinations of units (a
        statement and the quotation its sentences carry), so each combination is
        counted once: named by a sum of scrambled units, each name's first sentence
        counted, and every other sentence checked to have exactly its units (if one
        does not, a name stood for two combinations: everything is counted apart)."""
        first = np.flatnonzero(np.diff(at, prepend=-1))
        length = np.diff(np.append(first, len(at)))
        names = segment_sums(scramble(unit, 11), np.append(first, len(at)))
        order = np.argsort(names, kind="stable")
        new_name = np.ones(len(order), np.bool_)
        new_name[1:] = names[order[1:]] != names[order[:-1]]
        group = np.cumsum(new_name) - 1
        leaders = order[new_name]
        leader = np.empty(len(order), np.int64)
        leader[order] = leaders[group]
        # (`at` lists each sentence's units in a row, so `unit` is already every
        # sentence's units in order.)
        same = bool((length == length[leader]).all()) and bool(
            (unit == unit[ranges(first[leader], length)]).all()
        )
        if not same:
            return at[first], self._count(np.repeat(np.arange(len(first)), length), unit)
        owner = np.repeat(np.arange(len(leaders)), length[leaders])
        counted = self._count(owner, unit[ranges(first[leaders], length[leaders])])
        of_leader = np.empty(len(first), np.int64)
        of_leader[leaders] = np.arange(len(leaders))
        return at[first], counted[of_leader[leader]]

    def _count(self, owner: Ints, unit: Ints) -> Ints:
        """Per owner (numbered from 0, ascending in `owner`), the distinct sources of its
        units."""
        owners = int(owner[-1]) + 1 if len(owner) else 0
        rows = ranges(self.start[unit], self.size[unit])
        who = np.repeat(owner, self.size[unit])
        span = self.sources
        keys = distinct_below(who * span + self.pairs[rows] % span, owners * span)
        counted: Ints = np.bincount(keys // span, minlength=owners)
        return counted


def _statement_sources(agreement: Agreement, source: Ints, sources: int) -> tuple[int, Ints]:
    """The number of statements, and (statement, source) keys of every source among each
    statement's group (its sentences and those of the statements it is linked to)."""
    count = len(agreement.member_start) - 1
    if not count:
        return 0, np.zeros(0, np.int64)
    links_per = np.diff(agreement.link_start)
    owner = np.concatenate(
        [np.arange(count, dtype=np.int64), np.repeat(np.arange(count, dtype=np.int64), links_per)]
    )
    target = np.concatenate([np.arange(count, dtype=np.int64), agreement.links.astype(np.int64)])
    member_length = np.diff(agreement.member_start)
    rows = ranges(agreement.member_start[target], member_length[target])
    who = np.repeat(owner, member_length[target])
    return count, who * sources + source[agreement.members[rows]]


def reporting_digests(
    corpus: Corpus,
    agreement: Agreement,
    quote_positions: tuple[Ints, Ints],
    original: Mapping[str, str],
) -> Ints:
    """Per sentence position, a 64-bit digest of everything its reporting depends on:
    the sentences of its statement's group and of its quotations' groups, each named as
    reporting shows it (its article's id, its index and the outlet it counts for), so an
    edit elsewhere in an article that reports it changes nothing.

    Page keys need "who reports this sentence" for every summary sentence of the site;
    making each one's reporting would cost seconds on a large site, these digests cost
    a few array passes. Two builds give a sentence the same digest only when its
    reporting is the same (the digest may change when the reporting does not, which
    only costs a page rendered again).
    """
    entries = corpus.entries
    number = corpus.number
    article_key = np.array([_text_hash(e.id) for e in entries], np.uint64)
    outlet = np.array(
        [_text_hash(entries[number[original.get(e.id, e.id)]].source) for e in entries],
        np.uint64,
    )
    article = corpus.article_of
    index = (np.arange(len(article)) - corpus.sentence_start[article]).astype(np.uint64)
    with np.errstate(over="ignore"):
        named = scramble(article_key[article] ^ scramble(index) ^ (outlet[article] << 1))
        members = segment_sums(named[agreement.members], agreement.member_start)
        links = segment_sums(members[agreement.links], agreement.link_start)
        group = members + links
        statement = agreement.statement.astype(np.int64)
        digest = np.zeros(len(article), np.uint64)
        has = statement >= 0
        digest[has] = group[statement[has]]
        where, owner = quote_positions
        if len(where):
            carried = np.zeros(int(owner.max()) + 1, np.uint64)
            np.add.at(carried, owner, named[where])
            np.add.at(digest, where, scramble(carried[owner]))
        result: Ints = scramble(digest + named)
    return result


def _text_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
