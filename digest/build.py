"""build(): the stages of a digest build, in order.

Each stage is a function from frozen records to new frozen records; this module only
wires them together and times them. Read `prepare_site` and `build` top to bottom to know
what a build does.

A rebuild does the same stages as a first build, on the same records, and arrives at
the same site byte for byte; it is fast because each stage's costly part is remembered
by what it was made from: an article's analysis by its file, sumy's topic ranking by the
articles it ranks, a page by its key (`plan.py`). What did not change is taken from
`.digest-cache/` and from the previous output.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from digest import freshness
from digest.ahead import Ahead
from digest.articles import ArticleStore, read_all, relative_label
from digest.cache import FOLDER as CACHE_FOLDER
from digest.cache import Cache, code_fingerprint
from digest.compare import Related, compare_beside
from digest.config import Site, load_config
from digest.corpus import EMPTY
from digest.errors import DigestError
from digest.freshness import Signature
from digest.heap import collector_paused, keep_until_exit
from digest.models import SentenceRef, TopicCoverage
from digest.outputs import Fragments, fragment_keys
from digest.overlaps import NONE
from digest.plan import Keys, digest_of, plan
from digest.produce import Beside, produce, start_beside
from digest.progress import Timer
from digest.publish import Job, Sink, compile_templates
from digest.render import tidy_compiled
from digest.reporter import NullReporter, Reporter
from digest.schema import as_json
from digest.site import Page, site_view
from digest.spare import Spare, spare_columns
from digest.state import State, StateStore
from digest.terms import Terms
from digest.theme import BUNDLED, Theme, load_theme
from digest.topic_comparison import TopicBasics, compare_topic, topic_basics
from digest.topic_summaries import summarise
from digest.topics import cover
from digest.validation import line_in_file
from digest.views import Records, Views
from digest.write import Staging, check_output_dir

_ANALYSIS_CONFIG = {"boilerplate", "topics", "summary"}
"""The config keys a file's analysis depends on; changing another one (a title, the
theme) keeps the cache."""


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
    rendered: int = 0
    """Pages rendered by this build; the others were unchanged and kept."""

    def contents(self) -> str:
        return f"{self.pages} pages from {self.articles} articles ({self.topics} topics)"

    def summary(self) -> str:
        return f"Built {self.contents()} in {self.seconds:.1f} s"


@dataclass(frozen=True)
class Prepared:
    """The site as the stages before the plan leave it."""

    site: Site
    theme: Theme
    records: Records
    store: ArticleStore
    previous: State
    ranks: dict[str, tuple[SentenceRef, ...]]
    signatures: dict[str, tuple[Signature, str]]
    cache: Cache
    states: StateStore
    warnings: tuple[DigestError, ...]

    def job(
        self, sink: Sink, kept: Fragments, known: Mapping[tuple[str, int], tuple[str, str]]
    ) -> Job:
        """What rendering needs: views (with the sentences the last build showed), the
        theme, where files go, and how to make an article's fragments."""
        views = Views(self.records, self.store, known)
        maker = kept.maker(self.records, self.store)
        return Job(views, self.theme, site_view(self.records.config), sink, maker)


def prepare_site(
    config_path: Path,
    output_dir: Path | None,
    base_url: str | None,
    drafts: bool,
    for_output: bool,
    reporter: Reporter | None,
    use_cache: bool,
    jobs: int,
    timer: Timer,
    inputs: freshness.Inputs | None = None,
    spare: Spare | None = None,
) -> Prepared:
    """Every stage before the plan. `for_output` also vets the output folder, up front;
    `inputs` are what the no-op check saw of the files; `spare` computes agreement."""
    problems: list[DigestError] = []

    def warn(problem: DigestError) -> None:
        problems.append(problem)
        (reporter or NullReporter()).warn(problem)

    with timer("config"):
        site = load_config(config_path, output_dir, base_url)
        config = site.config
        if for_output:
            check_output_dir(site)
        theme = _theme(site)
        if use_cache:
            theme = replace(theme, compiled=tidy_compiled(site.root / CACHE_FOLDER / "templates"))
    with timer("read"):
        folder = site.root / CACHE_FOLDER if use_cache else None
        context = f"{code_fingerprint()}{as_json(config, _ANALYSIS_CONFIG)}"
        cache = Cache(folder, "analysis", context.encode())
        states = StateStore(folder, context.encode())
        previous = states.load()
        if spare is not None:
            spare.load(spare_columns(previous.corpus))
        corpus, store, signatures = read_all(
            site,
            warn,
            cache,
            jobs,
            timer.counter("read"),
            previous.corpus,
            drafts,
            previous.files,
            inputs.folders.get(str(site.content_dir)) if inputs else None,
            # Rendering many pages compiles every template first; this process has
            # time for it while the workers analyse.
            partial(compile_templates, theme),
        )
    with timer("compare"):
        kept = {e.key for e in previous.corpus.entries}
        fresh = {e.key for e in corpus.entries if e.key not in kept}
        # Which articles each topic covers, and most of how its sources compare, need no
        # agreement: found while it is computed.

        def meanwhile(related: Related) -> tuple[tuple[TopicCoverage, ...], dict[str, TopicBasics]]:
            coverage = cover(config.topics, corpus)
            return coverage, {t.slug: topic_basics(t, corpus, related) for t in coverage}

        comparison, (coverage, basics) = compare_beside(
            corpus,
            meanwhile,
            previous.syndication,
            fresh,
            previous.grouped,
            previous.overlaps,
            spare,
        )
        for number, topic in enumerate(coverage):
            if not topic.articles:
                where = line_in_file(site.config_path, ("topics", number))
                message = f"topic '{topic.name}' matches no article; check its keywords"
                label = relative_label(site.config_path.resolve(), site.root)
                warn(DigestError(message, label, where))
        compared = {t.slug: compare_topic(t, corpus, comparison, basics[t.slug]) for t in coverage}
    # Of the previous build, only what rendering reuses is kept from here on.
    previous = replace(previous, corpus=EMPTY, syndication=None, grouped=None, overlaps=NONE)
    with timer("summarise"):
        overrides = {t.slug: t.summary for t in config.topics}

        def text_of(ref: SentenceRef) -> str:
            entry = corpus.entries[corpus.number[ref.article]]
            return store.sentence(entry, ref.index)[0]

        summaries, ranks = summarise(
            corpus,
            coverage,
            config.summary,
            overrides,
            Terms(),
            comparison,
            text_of,
            previous.ranks,
            {slug: c.independent_sources for slug, c in compared.items()},
        )
    if timer.log and not config.base_url:
        timer.log("note: no base_url, so no feeds, sitemap or canonical links (they need it)")
    return Prepared(
        site,
        theme,
        Records(config, corpus, comparison, summaries, coverage, compared),
        store,
        previous,
        ranks,
        signatures,
        cache,
        states,
        tuple(problems),
    )


def plan_pages(prepared: Prepared, timer: Timer) -> tuple[tuple[Page, ...], Keys]:
    with timer("plan"):
        config = prepared.site.config
        code = (code_fingerprint(), prepared.theme.fingerprint(), as_json(config))
        return plan(prepared.records, digest_of(*code))


def _theme(site: Site) -> Theme:
    try:
        return load_theme(site.config.theme, site.root)
    except DigestError as exc:
        if exc.path is not None:
            raise
        line = line_in_file(site.config_path, ("theme",))
        raise DigestError(exc.message, site.config_path, line) from None


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
    inputs: freshness.Inputs | None = None,
    linger: bool = False,
    ahead: Ahead | None = None,
    spare: Spare | None = None,
) -> BuildResult:
    """Build the site; bad content files are skipped with a warning (`strict`: fail).
    `inputs`: the digest of the inputs taken just before (the CLI's no-op check);
    `ahead`: the previous output being linked into a staging folder meanwhile (the
    CLI starts it after the check; the caller deletes it if this build does not adopt it);
    `spare`: the process that computes agreement (`spare.py`; the caller ends it);
    `linger`: return while `rm` still deletes the previous output (the command line);
    in a one-shot process (`heap.one_shot`) the records are then not freed either."""
    started = time.perf_counter()
    timer = Timer(log, progress)
    prepared = prepare_site(
        config_path,
        output_dir,
        base_url,
        drafts,
        True,
        reporter,
        use_cache,
        jobs,
        timer,
        inputs,
        spare,
    )
    if strict and prepared.warnings:
        n = len(prepared.warnings)
        count = f"{n} warning{'s' if n > 1 else ''}"
        raise DigestError(f"{count} with --strict; the previous output is unchanged")
    site, records, previous = prepared.site, prepared.records, prepared.previous
    out = site.output_dir
    # The output is as the last build left it (nobody edited, added or removed a file):
    # its pages and fragments can be kept. The no-op check, or the process linking it
    # ahead, has just looked.
    looked = inputs is not None and inputs.output[0] == str(out) and inputs.listing is not None
    if inputs is not None and looked:
        before = inputs.listing
    else:
        listed = ahead.listing() if ahead is not None and ahead.out == out else None
        before = listed if listed is not None else freshness.output_listing(out)
    intact = use_cache and previous.output == (str(out), freshness.listing_digest(before))
    staging = Staging(out, reuse=intact, ahead=ahead)
    beside = None
    try:
        keys = fragment_keys(records)
        search = records.config.search
        kept = Fragments.load(out, previous.fragments, search) if intact else Fragments.empty()
        job = prepared.job(staging, kept, previous.sentences if intact else {})
        answers = State(
            corpus=records.corpus,
            syndication=records.comparison.syndication,
            grouped=records.comparison.grouped,
            overlaps=records.comparison.agreement.overlaps,
            ranks=prepared.ranks,
            files=prepared.signatures,
        )
        # The answers hold whatever the output: stored while the files are made, by the
        # process that makes the files beside the pages from here on a rebuild.
        store = partial(prepared.states.store_answers, answers) if use_cache else None
        shown = previous.pages if intact else {}
        wait = prepared.states.written
        beside = start_beside(records, prepared.theme, job, keys, kept, shown, jobs, store, wait)
        pages, _ = plan_pages(prepared, timer)
        with timer("render"):
            made = produce(
                records,
                pages,
                prepared.theme,
                job,
                keys,
                kept,
                shown,
                jobs,
                timer.counter("render"),
                between=partial(prepared.states.save_answers, answers) if use_cache else None,
                beside=beside,
            )
        with timer("write"):
            staging.settle([page.path for page in pages] + made.files)
            staging.commit()
    except BaseException:
        if beside is not None:
            beside.stop()  # before its folder goes: it may still be writing there
        staging.abort()
        raise
    prepared.states.adopt(made.adopted)
    recorded = {p.path: p.key for p in pages} | made.keyed
    result = BuildResult(
        output_dir=out,
        pages=len(pages),
        files=len(pages) + len(made.files),
        articles=len(records.corpus.entries),
        topics=len(records.coverage),
        seconds=time.perf_counter() - started,
        stages=tuple(timer.stages),
        warnings=prepared.warnings,
        rendered=made.rendered,
    )
    try:
        if use_cache:
            paths = [page.path for page in pages] + made.files
            listing = freshness.updated_listing(out, before or {}, staging.kept, paths)
            written = freshness.listing_digest(listing)
            state = replace(
                answers,
                pages=recorded,
                fragments=made.spans,
                sentences=job.views.sentences,
                output=(str(out), written),
            )
            options = freshness.options(output_dir, base_url, drafts)
            _remember(prepared, state, result, options, written, inputs, beside)
    finally:
        if beside is not None:
            beside.stop()  # it may still be writing the answers' files
        staging.close(wait=not linger)
    if linger:
        keep_until_exit(locals())
    return result


def _remember(
    prepared: Prepared,
    state: State,
    result: BuildResult,
    options: dict[str, object],
    written: str,
    inputs: freshness.Inputs | None,
    beside: Beside | None,
) -> None:
    """Keep what the next build starts from: the cache entries this build used, its
    state, and what the no-op check compares with."""
    site = prepared.site
    prepared.cache.prune()
    prepared.states.save_output(state)
    if beside is not None:
        beside.stop()  # the answers' files are written before the state folder is pruned
    prepared.states.finish()
    watched = (site.content_dir, *(site.root / f for f in ("templates", "static", "themes")))
    freshness.record(
        site.config_path,
        options,
        (*watched, BUNDLED),
        site.output_dir,
        result.contents(),
        [str(w) for w in prepared.warnings],
        written,
        inputs,
    )
