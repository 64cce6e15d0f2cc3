"""build(): the stages of a digest build, in order.

Each stage is a function from frozen records to new frozen records; this function only
wires them together and times them. Read it top to bottom to know what a build does.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from digest import freshness
from digest.analysis import Analysis, Job, Problem, analyse_all
from digest.archive import archive_pages
from digest.articles import ArticleStore
from digest.cache import FOLDER as CACHE_FOLDER
from digest.cache import Cache, code_fingerprint
from digest.compare import compare_corpus, compare_topic
from digest.config import Site, load_config
from digest.corpus import EMPTY, Corpus, Entry, Item, assemble
from digest.errors import DigestError
from digest.export import digest_json
from digest.feeds import build_time, feeds
from digest.models import SentenceRef
from digest.read import discover
from digest.render import render
from digest.reporter import NullReporter, Reporter
from digest.search import search_index, search_page
from digest.seo import seo_files
from digest.site import plan, site_view
from digest.state import State, StateStore
from digest.terms import Terms
from digest.theme import BUNDLED, load_theme
from digest.topic_summaries import summarise
from digest.topics import cover
from digest.validation import line_in_file
from digest.write import MARKER, check_output_dir, collect_static, write_site

_ANALYSIS_CONFIG = {"boilerplate", "topics", "summary"}
"""The config keys a file's analysis depends on; changing another one (a title, the
theme) keeps the cache."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a build without Python's cyclic garbage collector.

    A build makes millions of small objects (sentences, stems, views) that all live
    until it ends, and the collector walks them over and over as they pile up: loading
    10,000 cached analyses took 5.3 s with it and 1.5 s without. The records are frozen
    dataclasses and tuples that form no cycles, so there is nothing for it to find; it
    is back on, as it was, when the build returns or fails.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class BuildResult:
    output_dir: Path
    pages: int
    files: int
    articles: int
    topics: int
    seconds: float
    stages: tuple[tuple[str, float], ...] = field(default=())
    warnings: tuple[DigestError, ...] = field(default=())

    def contents(self) -> str:
        return f"{self.pages} pages from {self.articles} articles ({self.topics} topics)"

    def summary(self) -> str:
        return f"Built {self.contents()} in {self.seconds:.1f} s"


@dataclass(frozen=True)
class RenderedSite:
    """The whole site in memory: what `build` writes and what `check` and `serve` read."""

    site: Site
    files: dict[str, bytes]
    """Output path (with '/') -> file content."""
    pages: int
    articles: int
    topics: int
    stages: tuple[tuple[str, float], ...]
    warnings: tuple[DigestError, ...] = ()


@collector_paused()
def build(
    config_path: Path,
    output_dir: Path | None = None,
    base_url: str | None = None,
    log: Callable[[str], None] | None = None,
    drafts: bool = False,
    reporter: Reporter | None = None,
    strict: bool = False,
    use_cache: bool = True,
    jobs: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> BuildResult:
    """Build the site; bad content files are skipped with a warning (`strict`: fail)."""
    started = time.perf_counter()
    rendered = render_site(
        config_path,
        output_dir,
        base_url,
        log,
        drafts,
        for_output=True,
        reporter=reporter,
        use_cache=use_cache,
        jobs=jobs,
        progress=progress,
    )
    if strict and rendered.warnings:
        n = len(rendered.warnings)
        count = f"{n} warning{'s' if n > 1 else ''}"
        raise DigestError(f"{count} with --strict; the previous output is unchanged")
    begin = time.perf_counter()
    if progress:
        progress("write", 0, 0)
    site = rendered.site
    written = write_site(rendered.files, site.output_dir)
    write_seconds = time.perf_counter() - begin
    if log:
        log(f"{'write':<10} {write_seconds * 1000:8.1f} ms")
    result = BuildResult(
        output_dir=rendered.site.output_dir,
        pages=rendered.pages,
        files=written,
        articles=rendered.articles,
        topics=rendered.topics,
        seconds=time.perf_counter() - started,
        stages=(*rendered.stages, ("write", write_seconds)),
        warnings=rendered.warnings,
    )
    if use_cache:
        watched = (site.content_dir, *(site.root / f for f in ("templates", "static", "themes")))
        freshness.record(
            site.config_path,
            freshness.options(output_dir, base_url, drafts),
            (*watched, BUNDLED),
            site.output_dir,
            result.contents(),
            [str(w) for w in rendered.warnings],
        )
    return result


@collector_paused()
def render_site(
    config_path: Path,
    output_dir: Path | None = None,
    base_url: str | None = None,
    log: Callable[[str], None] | None = None,
    drafts: bool = False,
    for_output: bool = False,
    reporter: Reporter | None = None,
    use_cache: bool = True,
    jobs: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> RenderedSite:
    """Every stage but writing. `for_output` also vets the output folder, up front."""
    stages: list[tuple[str, float]] = []
    problems: list[DigestError] = []

    def warn(problem: DigestError) -> None:
        problems.append(problem)
        (reporter or NullReporter()).warn(problem)

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        begin = time.perf_counter()
        if progress:
            progress(name, 0, 0)
        yield
        stages.append((name, time.perf_counter() - begin))
        if log:
            log(f"{name:<10} {stages[-1][1] * 1000:8.1f} ms")

    with stage("config"):
        site = load_config(config_path, output_dir, base_url)
        config = site.config
        if for_output:
            check_output_dir(site)
        try:
            theme = load_theme(config.theme, site.root)
        except DigestError as exc:
            if exc.path is not None:
                raise
            line = line_in_file(site.config_path, ("theme",))
            raise DigestError(exc.message, site.config_path, line) from None
    with stage("read"):
        folder = site.root / CACHE_FOLDER if use_cache else None
        context = f"{code_fingerprint()}{config.model_dump_json(include=_ANALYSIS_CONFIG)}"
        cache = Cache(folder, "analysis", context.encode())
        states = StateStore(folder, context.encode())
        previous = states.load()
        corpus, store = read_all(
            site, warn, cache, jobs, progress and partial(progress, "read"), previous.corpus, drafts
        )
        analysed = [store.get(e) for e in corpus.entries]
        articles = [a.article for a in analysed]
    with stage("topics"):
        terms = Terms()
        assignments = {a.article.id: a.topics for a in analysed}
        coverage = cover(config.topics, corpus)
        for number, topic in enumerate(coverage):
            if not topic.articles:
                where = line_in_file(site.config_path, ("topics", number))
                message = f"topic '{topic.name}' matches no article; check its keywords"
                warn(DigestError(message, _label(site.config_path.resolve(), site.root), where))
    with stage("compare"):
        kept = {e.key for e in previous.corpus.entries}
        fresh = {e.key for e in corpus.entries if e.key not in kept}
        comparison = compare_corpus(corpus, previous.syndication, fresh)
        compared = {t.slug: compare_topic(t, corpus, comparison) for t in coverage}
    with stage("summarise"):
        overrides = {t.slug: t.summary for t in config.topics}

        def text_of(ref: SentenceRef) -> str:
            entry = corpus.entries[corpus.number[ref.article]]
            return store.get(entry).article.sentences[ref.index].text

        summaries, ranks = summarise(
            corpus, coverage, config.summary, overrides, terms, comparison, text_of, previous.ranks
        )
    with stage("plan"):
        pages = plan(config, articles, assignments, coverage, summaries, comparison, compared)
        pages += archive_pages(config, pages)
        if config.search:
            pages += (search_page(),)
    with stage("render"):
        files = collect_static(theme.static_dirs)
        files |= render(pages, theme, site_view(config))
        files[".nojekyll"] = b""
        files[MARKER] = digest_json(
            config, articles, assignments, coverage, summaries, comparison, compared
        )
        files |= feeds(config, articles, coverage, summaries, build_time())
        files |= seo_files(pages, config.base_url)
        if config.search:
            files |= search_index(articles, coverage, summaries)
        if log and not config.base_url:
            log("note: no base_url, so no feeds, sitemap or canonical links (they need it)")
    if for_output:
        cache.prune()
        states.save(State(corpus, comparison.syndication, ranks))
    return RenderedSite(
        site=site,
        files=files,
        pages=len(pages),
        articles=len(articles),
        topics=len(coverage),
        stages=tuple(stages),
        warnings=tuple(problems),
    )


def read_all(
    site: Site,
    warn: Callable[[DigestError], None],
    cache: Cache | None = None,
    jobs: int = 0,
    progress: Callable[[int, int], None] | None = None,
    previous: Corpus = EMPTY,
    drafts: bool = True,
) -> tuple[Corpus, ArticleStore]:
    """Every readable content file, as the corpus and a store of full analyses; each
    bad file is skipped with a warning.

    One bad file should not cost the reader the other fifty, so a problem with a file
    (bad front matter, no text, a page URL already taken) is reported and the file left
    out; `--strict` turns those warnings into a failed build. Files the `previous`
    corpus holds unchanged are not opened beyond reading their bytes.
    """
    topics = {t.slug for t in site.config.topics}
    content = _label(site.content_dir, site.root)
    paths = discover(site.content_dir, content)
    if not paths:
        warn(DigestError("no articles (.md, .markdown, .txt) found", content))
    labelled = [(path, _label(path, site.root).as_posix()) for path in paths]
    job = Job(site.config, site.content_dir)
    cache = cache or Cache(None, "analysis", b"")
    known = {e.key: e for e in previous.entries}
    items: list[Item] = []
    fresh: dict[str, Analysis] = {}
    files: dict[str, tuple[Path, str]] = {}
    seen: dict[str, str] = {}
    results = analyse_all(labelled, job, cache, jobs, progress, known)
    for (path, label), result in zip(labelled, results, strict=True):
        try:
            if isinstance(result, Problem):
                raise result.error()
            entry = result if isinstance(result, Entry) else result.entry
            if entry.id in seen:
                raise DigestError(
                    f"same page URL articles/{entry.id}.html as {seen[entry.id]}; "
                    "give one of them a different `slug` in its front matter",
                    label,
                )
            unknown = sorted(set(entry.forced_topics) - topics)
            if unknown:
                raise DigestError(
                    f"front matter names unknown topic '{unknown[0]}'; "
                    f"topics in config.yaml: {', '.join(sorted(topics)) or 'none'}",
                    label,
                )
        except DigestError as problem:
            warn(DigestError(f"{problem.message}; file skipped", problem.path, problem.line))
            continue
        seen[entry.id] = label
        if entry.draft and not drafts:
            continue
        files[entry.key] = (path, label)
        if isinstance(result, Entry):
            items.append(Item(entry, None, None))
        else:
            items.append(Item(entry, result.facts, result.shingles))
            fresh[entry.key] = result
    return assemble(previous, items), ArticleStore(job, cache, fresh, files)


def _label(path: Path, root: Path) -> Path:
    """Paths in messages are relative to the site, as the user thinks of them."""
    try:
        return path.relative_to(root)
    except ValueError:
        return path
