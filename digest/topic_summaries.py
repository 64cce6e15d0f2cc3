"""The summarise stage: every article's summary, and each topic's drawn from all its
sources.

An article's summary is made with its analysis (it depends on the article alone). A
topic's needs the whole topic, which on a large site is a hundred thousand sentences, so
it is made in three steps: a linear shortlist in array passes (closeness to the topic's
centroid, lead position, sources that agree), sumy's ranking of the shortlist, and the
de-duplicating choice. sumy's ranking depends only on the shortlisted sentences' text,
so it is remembered between builds under a key made of the articles' analysis keys: a
rebuild ranks again only the topics whose shortlist changed, without opening a single
article for the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from digest.compare import Comparison
from digest.config import SummaryConfig, SummaryOverride
from digest.corpus import Corpus
from digest.facts import Ints
from digest.models import SentenceRef, Summaries, TopicCoverage
from digest.rows import gather
from digest.summarise import AGREEMENT_WEIGHT, LEAD_WEIGHT, SHORTLIST, Candidate, Summariser
from digest.terms import Terms

Ranks = Mapping[str, tuple[SentenceRef, ...]]
"""Remembered sumy rankings: key of a shortlist -> its sentences, best first."""


def summarise(
    corpus: Corpus,
    coverage: Sequence[TopicCoverage],
    config: SummaryConfig,
    overrides: Mapping[str, SummaryOverride],
    terms: Terms,
    comparison: Comparison,
    text_of: Callable[[SentenceRef], str],
    ranks: Ranks,
    sources: Mapping[str, int],
) -> tuple[Summaries, dict[str, tuple[SentenceRef, ...]]]:
    """Every article's summary (in source order) and every topic's; also the rankings
    this build used, to remember for the next. `sources`: how many independent sources
    each topic has (its comparison counted them already)."""
    used: dict[str, tuple[SentenceRef, ...]] = {}
    topics = {}
    dates = {e.id: _dated(e.date, e.id) for e in corpus.entries}
    for topic in coverage:
        settings = config.for_topic(overrides.get(topic.slug, SummaryOverride()))
        summariser = Summariser(settings, terms, comparison.terms, topic.keywords)
        positions = topic.positions
        positions = positions[corpus.prose[positions]] if len(positions) else positions
        counts = comparison.counts[positions] if len(positions) else positions
        support = (counts - 1) / max(1, sources[topic.slug] - 1)
        if len(positions) > SHORTLIST:
            kept = _shortlist(corpus, positions, support)
            positions, support = positions[kept], support[kept]
        refs = [corpus.ref(int(p)) for p in positions]
        key = _ranking_key(corpus, settings.algorithm, topic.keywords, refs)
        ranked = ranks.get(key)
        if ranked is None:
            groups: dict[str, list[Candidate]] = {}
            for ref in refs:
                groups.setdefault(ref.article, []).append(Candidate(ref, text_of(ref)))
            ranked = tuple(c.ref for c in summariser.rank(list(groups.values())))
        used[key] = ranked
        lifted = dict(zip(refs, support.tolist(), strict=True))
        length = dict(zip(refs, corpus.words[positions].tolist(), strict=True))
        chronological = sorted(topic.articles, key=dates.__getitem__)
        topics[topic.slug] = summariser.choose(
            ranked,
            length.__getitem__,
            lambda ref: comparison.terms.stems(ref) or frozenset(),
            lifted.__getitem__,
            {a: i for i, a in enumerate(chronological)},
            comparison.says_same,
        )
    return Summaries(ArticleSummaries(corpus), topics), used


def articles_only(corpus: Corpus) -> Summaries:
    """The summaries before the topics' are made: article pages are rendered meanwhile
    (`publish.start_articles`), and nothing they show depends on a topic's summary. A
    page that asked for one would fail loudly rather than show a site without it."""
    return Summaries(ArticleSummaries(corpus), _Pending())


class _Pending(Mapping[str, tuple[SentenceRef, ...]]):
    def __getitem__(self, slug: str) -> tuple[SentenceRef, ...]:
        raise RuntimeError(f"the summary of topic '{slug}' was asked for before it was made")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("the topics' summaries were asked for before they were made")

    def __len__(self) -> int:
        raise RuntimeError("the topics' summaries were asked for before they were made")


class ArticleSummaries(Mapping[str, tuple[SentenceRef, ...]]):
    """Each article's summary, from the indices its analysis chose, made when a page asks
    for it: making all ten thousand up front cost a rebuild 0.06 s, for the few pages
    it renders."""

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus

    def __getitem__(self, article: str) -> tuple[SentenceRef, ...]:
        entry = self._corpus.entries[self._corpus.number[article]]
        return tuple(SentenceRef(article, i) for i in entry.summary)

    def __iter__(self) -> Iterator[str]:
        return (entry.id for entry in self._corpus.entries)

    def __len__(self) -> int:
        return len(self._corpus.entries)


def _shortlist(corpus: Corpus, positions: Ints, support: np.ndarray) -> Ints:
    """The SHORTLIST best candidates by a linear score, as indices into `positions` in
    their original order: closeness to the topic's centroid (how common its stems are
    in the topic), lead position, and the sources that report it."""
    start, stems = gather(corpus.stem_start, corpus.stems, positions)
    lengths = np.diff(start)
    centroid = np.bincount(stems, minlength=len(corpus.vocabulary))
    top = int(centroid.max()) if len(stems) else 1
    running = np.zeros(len(stems) + 1, np.int64)
    np.cumsum(centroid[stems], out=running[1:])
    central = (running[start[1:]] - running[start[:-1]]) / (top * np.maximum(1, lengths))
    article = corpus.article_of[positions]
    index = positions - corpus.sentence_start[article]
    score = central + LEAD_WEIGHT / (1 + index) + AGREEMENT_WEIGHT * support
    return best(score, corpus.id_rank[article], index, SHORTLIST)


def best(score: np.ndarray, rank: Ints, index: Ints, count: int) -> Ints:
    """The `count` best by score, then rank, then index, as indices in their original
    order. Those scoring at least the count-th best score (ties included) are found in
    one pass, and only they are sorted: a large topic has 100,000 candidates."""
    if len(score) > count:
        least = np.partition(score, len(score) - count)[len(score) - count]
        among = np.flatnonzero(score >= least)
    else:
        among = np.arange(len(score))
    order = among[np.lexsort((index[among], rank[among], -score[among]))]
    kept: Ints = np.sort(order[:count])
    return kept


def _ranking_key(
    corpus: Corpus, algorithm: str, keywords: Sequence[str], refs: Sequence[SentenceRef]
) -> str:
    """Names a shortlist by what sumy reads: the algorithm, its cue words, and each
    sentence (by its article's analysis key, which changes with the article's text)."""
    digest = hashlib.sha256(f"{algorithm}\0{chr(1).join(keywords)}".encode())
    for ref in refs:
        entry = corpus.entries[corpus.number[ref.article]]
        digest.update(f"\0{entry.key}:{ref.index}".encode())
    return digest.hexdigest()


def _dated(date: dt.date | None, article_id: str) -> tuple[int, str]:
    return (date.toordinal() if date else 10**7, article_id)
