"""What digest learns from one article on its own, computed once per file content.

Reading, stemming, topic hits, quotations, shingles and the article's own summary
depend on nothing but the file and the config. That is most of a build's work, so a
cold build spreads it over a process pool and a rebuild takes it from `.digest-cache/`;
the cross-article stages (agreement, key quotes, topic summaries) start from these
records. Results come back in file order whichever way they were made, so the site is
the same byte for byte.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from digest.cache import Cache, Packed, companion
from digest.clean import compile_rules
from digest.config import Config
from digest.corpus import Entry
from digest.errors import DigestError
from digest.facts import Facts, make_facts
from digest.freshness import Signature
from digest.models import Article, ArticleTopics, SentenceRef, pickled_as_tuple
from digest.processes import cpu_count, forkable
from digest.quotes import Quotation, extract
from digest.read import read_article
from digest.sentences import words
from digest.summarise import Candidate, Summariser
from digest.syndication import Shingles, shingles
from digest.terms import Terms
from digest.topics import TopicMatcher

POOL_FROM = 16
"""Fewer files than this are analysed in-process: starting workers costs more."""

PACK = 32
"""Files a worker analyses and stores together (one cache file, one reply)."""


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Analysis:
    article: Article
    entry: Entry
    """What the site-wide stages need of the article (see corpus.py)."""
    facts: Facts
    topics: ArticleTopics
    quotations: tuple[Quotation, ...]
    shingles: Shingles
    summary: tuple[SentenceRef, ...]


class Analysed(NamedTuple):
    """What a worker process sends back of an analysis it stored in the cache: only
    what the corpus takes. The build process then holds no article's text; pages load
    the analyses they show."""

    entry: Entry
    facts: Facts
    shingles: Shingles


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that cannot be used; a picklable stand-in for its DigestError."""

    message: str
    path: str
    line: int | None

    def error(self) -> DigestError:
        return DigestError(self.message, self.path, self.line)


@dataclass(frozen=True)
class Job:
    """What every file's analysis depends on besides the file: sent once to each worker."""

    config: Config
    content_dir: Path


class Analyser:
    """The per-process tools (stemmer memo, topic matcher, summariser) for one Job."""

    def __init__(self, job: Job) -> None:
        config = job.config
        self._content_dir = job.content_dir
        self._rules = compile_rules(config.boilerplate)
        self._terms = terms = Terms()
        self._matcher = TopicMatcher(config.topics, terms)
        self._order = [t.slug for t in config.topics]
        self._hashes: dict[str, int] = {}
        keywords = [kw for topic in config.topics for kw in topic.keywords]
        # An article summary depends on the article alone (no site-wide weights), so
        # editing one article never changes another's summary.
        self._summariser = Summariser(config.summary.for_articles(), terms, None, keywords)

    def analyse(self, path: Path, label: str, data: bytes, key: str) -> Analysis | Problem:
        try:
            article = read_article(path, self._content_dir, self._rules, Path(label), data)
        except DigestError as problem:
            return Problem(problem.message, label, problem.line)
        facts, topics, candidates = describe(
            article, self._terms, self._matcher, self._order, self._hashes
        )
        quotations = extract(article)
        summary = self._summariser.pick([candidates])
        return Analysis(
            article=article,
            entry=entry_of(article, key, topics, summary, quotations),
            facts=facts,
            topics=topics,
            quotations=quotations,
            shingles=shingles(article),
            summary=summary,
        )


class Described(NamedTuple):
    facts: Facts
    topics: ArticleTopics
    candidates: list[Candidate]
    """The article's summary candidates, with the words counted and stemmed here."""


def describe(
    article: Article,
    terms: Terms,
    matcher: TopicMatcher | None = None,
    order: Sequence[str] = (),
    hashes: dict[str, int] | None = None,
) -> Described:
    """The article's facts, topic assignment and summary candidates, from one pass over
    its words: tokenising and stemming is most of an article's analysis, so the summary
    takes its words from here rather than tokenise them again."""
    stems: dict[int, frozenset[str]] = {}
    hits = []
    counts = []
    candidates = []
    prose = [block.kind not in ("heading", "code") for block in article.blocks]
    for sentence in article.sentences:
        tokens = words(sentence.text)
        counts.append(len(tokens))
        stemmed, lexical, content = terms.weigh(tokens)
        hits.append(matcher.hits_in(tokens, stemmed) if matcher else ())
        if prose[sentence.block]:
            stems[sentence.index] = content
            ref = SentenceRef(article.id, sentence.index)
            candidates.append(Candidate(ref, sentence.text, len(tokens), lexical, content))
    member = {h.topic for sentence_hits in hits for h in sentence_hits}
    member |= set(article.forced_topics)
    topics = ArticleTopics(article.id, tuple(hits), tuple(slug for slug in order if slug in member))
    facts = make_facts(article, stems, topics, order, counts, hashes)
    return Described(facts, topics, candidates)


def entry_of(
    article: Article,
    key: str,
    topics: ArticleTopics,
    summary: Sequence[SentenceRef],
    quotations: tuple[Quotation, ...],
) -> Entry:
    summary_sentences = tuple(
        (article.sentences[r.index].text, article.sentences[r.index].html) for r in summary
    )
    shown = (
        article.id,
        article.title,
        article.source,
        article.date,
        article.url,
        article.author,
        article.draft,
        topics.topics,
        summary_sentences,
        tuple(r.index for r in summary),
    )
    return Entry(
        key=key,
        id=article.id,
        title=article.title,
        source=article.source,
        date=article.date,
        author=article.author,
        url=article.url,
        draft=article.draft,
        sentence_count=len(article.sentences),
        topics=topics.topics,
        forced_topics=article.forced_topics,
        summary=tuple(r.index for r in summary),
        summary_sentences=summary_sentences,
        quotations=quotations,
        quoted=_digest(quotations),
        card=_digest(shown),
    )


def _digest(value: object) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def signature(path: str | Path) -> Signature:
    stat = os.stat(path)
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def analyse_all(
    paths: Sequence[tuple[str, str]],
    job: Job,
    cache: Cache,
    jobs: int = 0,
    progress: Callable[[int, int], None] | None = None,
    known: Mapping[str, Entry] | None = None,
    seen: Mapping[str, tuple[Signature, str]] | None = None,
    stamps: Mapping[str, Signature] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[list[Analysis | Analysed | Entry | Problem], dict[str, tuple[Signature, str]]]:
    """Every file's analysis, in the order given: computed, or from the cache, or, for
    a file whose key `known` holds (the previous corpus has it), just its entry: the
    site-wide stages need nothing more, and pages load the rest when they need it.

    A file whose signature is the one `seen` (label -> signature and key) has for it is
    not even read: its key is the one it had. `stamps` (path -> signature) are the
    signatures the no-op check just took. Returns the signatures for next time.
    `paths` pairs each file with its label for messages; `jobs` is the number of worker
    processes (0: one per CPU). `progress(done, total)` is called as files finish.
    `meanwhile` is run by this process while worker processes analyse, if they do.
    """
    results: list[Analysis | Analysed | Entry | Problem | None] = [None] * len(paths)
    signed: list[tuple[str, tuple[Signature, str]] | None] = [None] * len(paths)
    unread: list[tuple[int, str, str, Signature]] = []
    for number, (path, label) in enumerate(paths):
        try:
            stamp = (stamps.get(path) if stamps else None) or signature(path)
        except OSError as exc:
            results[number] = Problem(f"cannot read the file ({exc.strerror})", label, None)
            continue
        before = seen.get(label) if seen else None
        entry = known.get(before[1]) if known and before is not None else None
        if before is not None and before[0] == stamp and entry is not None:
            # The corpus has it; its analysis is loaded (or, if gone, made again) only
            # when a page needs it.
            cache.used.add(before[1])
            results[number] = entry
            signed[number] = (label, (stamp, before[1]))
        else:
            unread.append((number, path, label, stamp))

    done = len(paths) - len(unread)

    def finished(number: int, result: Analysis | Analysed | Entry | Problem) -> None:
        nonlocal done
        results[number] = result
        done += 1
        if progress:
            progress(done, len(paths))

    # Read one after the other: a large build's workers start on the first files while
    # this process reads the rest (0.4 s of 10,000).
    def read() -> Iterator[tuple[int, str, Path, str, bytes]]:
        for number, path, label, stamp in unread:
            try:
                with open(path, "rb") as file:
                    data = file.read()
            except OSError as exc:
                finished(number, Problem(f"cannot read the file ({exc.strerror})", label, None))
                continue
            key = cache.key(label.encode(), data)
            signed[number] = (label, (stamp, key))
            found = known.get(key) if known else None
            if found is not None:
                cache.used.add(key)
                finished(number, found)
            elif isinstance(stored := cache.load(key), Analysis):
                finished(number, stored)
            else:
                yield number, key, Path(path), label, data

    if progress:
        progress(done, len(paths))
    for number, result in _compute(read(), len(unread), job, cache, jobs, meanwhile):
        finished(number, result)
    signatures = dict(s for s in signed if s is not None)
    return [r for r in results if r is not None], signatures


def _compute(
    missing: Iterable[tuple[int, str, Path, str, bytes]],
    expected: int,
    job: Job,
    cache: Cache,
    jobs: int,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[tuple[int, Analysis | Analysed | Problem]]:
    """Analyse and store each file (`expected`: about how many), with its number;
    workers store their own results, in parallel, and start on the first files while
    the rest are read. The build process would only wait for them: it runs `meanwhile`
    instead, work that would otherwise hold up a later stage on one core (without
    workers, nothing is waited for and `meanwhile` is not run)."""
    workers = min(jobs or cpu_count(), max(1, expected // 8))
    if workers < 2 or expected < POOL_FROM or not forkable():
        analyser = Analyser(job)
        for number, key, path, label, data in missing:
            yield number, _stored(cache, analyser, (key, path, label, data))
        return
    context = multiprocessing.get_context("fork")
    size = max(1, min(PACK, expected // (workers * 4)))
    start = (job, cache)
    with ProcessPoolExecutor(workers, context, initializer=_start, initargs=start) as pool:
        sent: list[tuple[list[int], Future[Reply]]] = []
        batch: list[tuple[int, str, Path, str, bytes]] = []
        for file in missing:
            batch.append(file)
            if len(batch) == size:
                sent.append(_send(pool, batch))
                batch = []
        if batch:
            sent.append(_send(pool, batch))
        if meanwhile:
            meanwhile()
        for numbers, reply in sent:
            results, packed = reply.result()
            if packed is not None:
                cache.register(packed)
            yield from zip(numbers, results, strict=True)


Reply = tuple[list["Analysis | Analysed | Problem"], Packed | None]


def _send(
    pool: ProcessPoolExecutor, batch: Sequence[tuple[int, str, Path, str, bytes]]
) -> tuple[list[int], Future[Reply]]:
    numbers = [number for number, *_ in batch]
    work = [(key, path, label, data) for _, key, path, label, data in batch]
    return numbers, pool.submit(_analyse, work)


def _stored(
    cache: Cache, analyser: Analyser, item: tuple[str, Path, str, bytes]
) -> Analysis | Problem:
    key, path, label, data = item
    result = analyser.analyse(path, label, data, key)
    if isinstance(result, Analysis):
        store(cache, result)
    return result


def store(cache: Cache, analysis: Analysis) -> None:
    """Store an analysis, and its sentences beside it (see `sentences_of`)."""
    cache.store(analysis.entry.key, analysis)
    cache.store(companion(analysis.entry.key), sentences_of(analysis))


Sentences = tuple[tuple[str, str], ...]
"""Text and HTML of each sentence of an article, by index."""


def sentences_of(analysis: Analysis) -> Sentences:
    """What topic summaries and topic pages take from most of the articles they quote:
    loading this costs a tenth of loading the whole analysis (a cold build of 1,000
    articles loads nearly every one to rank its topics' shortlists)."""
    return tuple((s.text, s.html) for s in analysis.article.sentences)


_worker: tuple[Analyser, Cache] | None = None
"""The worker process's Analyser and cache, made once by `_start` (one per process)."""


def _start(job: Job, cache: Cache) -> None:
    global _worker
    _worker = (Analyser(job), cache)


def _analyse(batch: Sequence[tuple[str, Path, str, bytes]]) -> Reply:
    """A batch of files, analysed and stored in one pack; what the build process needs
    of each, and where the pack put them."""
    assert _worker is not None, "worker started without its job"
    analyser, cache = _worker
    results = [analyser.analyse(path, label, data, key) for key, path, label, data in batch]
    done = [(r.entry.key, r) for r in results if isinstance(r, Analysis)]
    packed = cache.store_pack(done + [(companion(k), sentences_of(r)) for k, r in done])
    if cache.folder is None:
        return list(results), None
    return [
        Analysed(r.entry, r.facts, r.shingles) if isinstance(r, Analysis) else r for r in results
    ], packed
