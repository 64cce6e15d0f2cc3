"""The plan stage: every page of the site, with the key of what it shows.

A page's key is a hash of everything its HTML is made from: the theme, the config and
digest's code (the site key, shared by all pages), and the analysis keys and
cross-article facts (who reports a summary sentence, which copies an article has) of
the articles it shows. Keys are made from the records alone, without making a view or
opening an article, so a rebuild learns which of 15,000 pages changed in a fraction of
a second and renders only those.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import chain
from operator import attrgetter

import numpy as np

from digest.archive import archive_pages
from digest.coverage import KEY_QUOTES, TIMELINE_PER_DAY
from digest.models import SentenceRef
from digest.rows import scramble, segment_sums
from digest.search import search_page
from digest.site import Link, Page, Pager, article_path, paginate, topic_path
from digest.topic_comparison import Day
from digest.views import Records

_SUMMARY = attrgetter("summary")
"""An entry's summary indices, read in C."""


def digest_of(*parts: object) -> str:
    """A stable hash of plain data (strings, numbers, tuples of them, and the links,
    pagers, dates and dicts of a page's recipe), through its `repr`: the same data
    gives the same text in every process."""
    return hashlib.blake2b(repr(tuple(map(_plain, parts))).encode(), digest_size=16).hexdigest()


def _plain(value: object) -> object:
    """`value` with the few dataclasses that go into keys as tuples: a dataclass's repr
    is a Python call per field, and keys are made for every page of every build."""
    if isinstance(value, Link):
        return (value.title, value.path)
    if isinstance(value, Pager):
        return (value.number, value.count, value.previous, value.next)
    if isinstance(value, dict):
        return tuple((k, _plain(v)) for k, v in value.items())
    return value


class Keys:
    """The keys of cards and pages, each made once per build."""

    def __init__(self, records: Records, site_key: str) -> None:
        self.records = records
        self.site = site_key
        self._reporting = records.comparison.reporting_keys
        self.cards = self._cards()
        self._topics: dict[str, str] = {}
        self._matched: dict[str, dict[int, int]] = {}
        self._headers: dict[str, str] = {}
        self._entry_cards: list[str] | None = None

    def reporting(self, ref: SentenceRef) -> int:
        """What decides who reports a sentence, as a number (see `reporting_digests`)."""
        position = self.records.corpus.find(ref)
        return -1 if position is None else int(self._reporting[position])

    def card(self, article: int) -> str:
        """What lists show of an article: its card (title, source, date, summary...),
        who reports its summary sentences, and its copies."""
        return self.cards[article]

    def whole(self, article: int) -> str:
        """What an article's own page is made from: its card and its analysis key."""
        return self.cards[article] + self.records.corpus.entries[article].key

    def byline(self, article: str) -> tuple[str, str]:
        """The title and source a quoted sentence is shown with."""
        entry = self.records.corpus.entries[self.records.corpus.number[article]]
        return entry.title, entry.source

    def text(self, ref: SentenceRef) -> int:
        """A sentence's text (a hash of it, see Facts)."""
        position = self.records.corpus.find(ref)
        return -1 if position is None else int(self.records.corpus.texts[position])

    def matched(self, slug: str) -> dict[int, int]:
        """Per member article, a digest of the sentences that put it in the topic (a
        topic's list shows them)."""
        found = self._matched.get(slug)
        if found is None:
            corpus = self.records.corpus
            topic = next(t for t in self.records.coverage if t.slug == slug)
            positions = topic.positions
            article = corpus.article_of[positions]
            index = (positions - corpus.sentence_start[article]).astype(np.uint64)
            named = scramble(corpus.texts[positions] ^ scramble(index, 5))
            first = np.flatnonzero(np.diff(article, prepend=-1))
            sums = segment_sums(named, np.append(first, len(positions)).astype(np.int64))
            found = self._matched[slug] = dict(
                zip(article[first].tolist(), sums.tolist(), strict=True)
            )
        return found

    def _cards(self) -> list[str]:
        """Per article: its card digest, then a digest of who reports each of its summary
        sentences, then its group of copies. Joined, not hashed: a key is only compared,
        and hashing 10,000 of them would cost more than the rest of the plan."""
        records = self.records
        corpus = records.corpus
        groups = records.comparison.copy_groups
        entries = corpus.entries
        summaries = list(map(_SUMMARY, entries))
        sizes = np.fromiter(map(len, summaries), np.int64, len(entries))
        offsets = np.zeros(len(entries) + 1, np.int64)
        np.cumsum(sizes, out=offsets[1:])
        flat = np.fromiter(chain.from_iterable(summaries), np.int64, int(offsets[-1]))
        owner = np.repeat(np.arange(len(entries)), sizes)
        rank = np.arange(len(flat)) - offsets[owner]
        positions = corpus.sentence_start[owner] + flat
        named = scramble(self._reporting[positions] ^ scramble(rank.astype(np.uint64), 7))
        reporting = segment_sums(named, offsets).tolist()
        cards = []
        for entry, digest in zip(entries, reporting, strict=True):
            cards.append(f"{entry.card}{digest:016x}{groups.get(entry.id, '')}")
        return cards

    def header(self, slug: str) -> str:
        """What every page of a topic shows: its counts and sources."""
        key = self._headers.get(slug)
        if key is None:
            records = self.records
            topic = next(t for t in records.coverage if t.slug == slug)
            sources = records.comparison.sources
            key = self._headers[slug] = digest_of(
                len(topic.articles),
                sorted({sources[a] for a in topic.articles}),
                records.compared[slug].independent_sources,
            )
        return key

    def topic(self, slug: str) -> str:
        """What a topic's first page shows: its summary, key quotes, "only in" and
        timeline, each with the texts, titles and sources it quotes."""
        key = self._topics.get(slug)
        if key is None:
            records = self.records
            summary = records.summaries.topics[slug]
            compared = records.compared[slug]
            key = self._topics[slug] = digest_of(
                self.header(slug),
                tuple(
                    (r, self.text(r), self.reporting(r), self.byline(r.article)) for r in summary
                ),
                tuple(
                    (
                        k.group.quotations[0].text,
                        k.group.speaker,
                        k.articles,
                        tuple(q.ref for q in k.group.quotations),
                    )
                    for k in compared.key_quotes[:KEY_QUOTES]
                ),
                tuple((o.source, o.sentences) for o in compared.only_in),
                self._timeline(compared.timeline),
                tuple(self.text(r) for o in compared.only_in for r in o.sentences),
                tuple(
                    tuple(records.comparison.sources[a] for a in k.articles)
                    for k in compared.key_quotes[:KEY_QUOTES]
                ),
            )
        return key

    def _timeline(self, timeline: Sequence[Day]) -> str:
        """What a topic's timeline shows: each day, its count, and the title, source and
        link of its first articles, by their cards (a fixed-length digest of those and
        the article id). Hashed as one string: a large topic's timeline is tens of
        thousands of articles, whose tuples' `repr` cost a one-article rebuild of
        10,000 a tenth of the page plan."""
        number = self.records.corpus.number
        if self._entry_cards is None:
            self._entry_cards = [e.card for e in self.records.corpus.entries]
        cards = self._entry_cards
        days = [
            f"{d.date}|{len(d.articles)}|"
            + "".join([cards[number[a]] for a in d.articles[:TIMELINE_PER_DAY]])
            for d in timeline
        ]
        return hashlib.blake2b("\n".join(days).encode(), digest_size=16).hexdigest()

    def page(self, *parts: object) -> str:
        return digest_of(self.site, *parts)

    def listing(self, *parts: object, cards: Sequence[int], topic: str | None = None) -> str:
        """The key of a page that lists articles: `parts`, and the listed cards' keys
        (joined, not put through `repr`: list pages are thousands); `topic`: the page
        shows each article's sentences in that topic too."""
        joined = "".join(map(self.cards.__getitem__, cards))
        if topic is not None:
            matched = self.matched(topic)
            joined += repr([matched.get(n) for n in cards])
        return digest_of(self.site, *parts, hashlib.blake2b(joined.encode()).hexdigest())


def plan(records: Records, site_key: str) -> tuple[tuple[Page, ...], Keys]:
    """Every page of the site in a stable order, keyed; and the keys, for the cards."""
    config = records.config
    corpus = records.corpus
    keys = Keys(records, site_key)
    order = corpus.newest
    latest = order[: config.latest_articles]
    topics = tuple(t.slug for t in records.coverage)
    pages = [
        Page(
            "index.html",
            "index.html",
            config.title,
            ("index", latest),
            keys.page(
                "index",
                tuple(keys.topic(t) for t in topics),
                tuple(keys.card(n) for n in latest),
                len(corpus.entries),
            ),
        ),
        *(page for slug in topics for page in _topic_pages(records, keys, slug)),
        *(article_page(keys, n) for n in order),
        Page("404.html", "404.html", "Page not found", ("404",), keys.page("404")),
    ]
    pages += archive_pages(config, corpus, order, keys.listing, keys.page)
    if config.search:
        pages.append(search_page(keys.page("search")))
    return tuple(pages), keys


def article_page(keys: Keys, article: int) -> Page:
    """An article's own page (which shows no topic summary, so its key needs none)."""
    entry = keys.records.corpus.entries[article]
    return Page(
        article_path(entry.id),
        "article.html",
        entry.title,
        ("article", article),
        keys.site + keys.whole(article),
    )


def _topic_pages(records: Records, keys: Keys, slug: str) -> Sequence[Page]:
    """The topic's page, then numbered pages for the rest of its articles."""
    topic = next(t for t in records.coverage if t.slug == slug)
    number = records.corpus.number
    pages = []
    members = [number[a] for a in topic.articles]
    for path, pager, chunk in paginate(topic_path(slug), members, records.config.paginate):
        title = topic.name
        if pager.number > 1:
            title = f"{title} (page {pager.number} of {pager.count})"
        shown = keys.topic(slug) if pager.number == 1 else keys.header(slug)
        key = keys.listing("topic", slug, shown, pager, cards=chunk, topic=slug)
        pages.append(Page(path, "topic.html", title, ("topic", slug, chunk, pager), key))
    return pages
