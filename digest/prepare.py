"""The stages before the page plan: config, reading and analysing the articles,
comparing the sources, and the topics' summaries (`summarise_site`, which `build`
runs while the article pages are rendered).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from digest import freshness
from digest.articles import ArticleStore, read_all, relative_label
from digest.cache import FOLDER as CACHE_FOLDER
from digest.cache import Cache, code_fingerprint
from digest.compare import Related, compare_beside
from digest.config import Site, load_config
from digest.corpus import EMPTY
from digest.errors import DigestError
from digest.freshness import Signature
from digest.models import SentenceRef, TopicCoverage
from digest.outputs import Fragments
from digest.overlaps import NONE
from digest.progress import Timer
from digest.render import compile_templates, tidy_compiled
from digest.reporter import NullReporter, Reporter
from digest.schema import as_json
from digest.site import site_view
from digest.spare import Spare, spare_columns
from digest.state import State, StateStore
from digest.terms import Terms
from digest.theme import Theme, load_theme
from digest.topic_comparison import TopicBasics, compare_topic, topic_basics
from digest.topic_summaries import articles_only, summarise
from digest.topics import cover
from digest.validation import line_in_file
from digest.views import Records, Views
from digest.workers import Job, Sink
from digest.write import check_output_dir

_ANALYSIS_CONFIG = {"boilerplate", "topics", "summary"}
"""The config keys a file's analysis depends on; changing another one (a title, the
theme) keeps the cache."""


@dataclass(frozen=True)
class Prepared:
    """The site as the stages before the plan leave it: after `prepare_site`, with the
    topics' summaries still to make (`summarise_site`)."""

    site: Site
    theme: Theme
    records: Records
    store: ArticleStore
    previous: State
    ranks: dict[str, tuple[SentenceRef, ...]]
    """The sumy rankings the topics' summaries used (none before `summarise_site`)."""
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
    """Every stage before the topics' summaries. `for_output` also vets the output
    folder, up front; `inputs` are what the no-op check saw of the files; `spare`
    computes agreement."""
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
            # Waiting for agreement, this process loads what new articles' pages need.
            partial(store.preload, [e for e in corpus.entries if e.key in fresh]),
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
    return Prepared(
        site,
        theme,
        Records(config, corpus, comparison, articles_only(corpus), coverage, compared),
        store,
        previous,
        {},
        signatures,
        cache,
        states,
        tuple(problems),
    )


def summarise_site(prepared: Prepared, timer: Timer) -> Prepared:
    """The topics' summaries: the last stage before the plan, which article pages need
    not wait for (`build` renders them meanwhile)."""
    records, store = prepared.records, prepared.store
    config, corpus = records.config, records.corpus
    with timer("summarise"):
        overrides = {t.slug: t.summary for t in config.topics}

        def text_of(ref: SentenceRef) -> str:
            entry = corpus.entries[corpus.number[ref.article]]
            return store.sentence(entry, ref.index)[0]

        summaries, ranks = summarise(
            corpus,
            records.coverage,
            config.summary,
            overrides,
            Terms(),
            records.comparison,
            text_of,
            prepared.previous.ranks,
            {slug: c.independent_sources for slug, c in records.compared.items()},
        )
    if timer.log and not config.base_url:
        timer.log("note: no base_url, so no feeds, sitemap or canonical links (they need it)")
    return replace(prepared, records=replace(records, summaries=summaries), ranks=ranks)


def _theme(site: Site) -> Theme:
    try:
        return load_theme(site.config.theme, site.root)
    except DigestError as exc:
        if exc.path is not None:
            raise
        line = line_in_file(site.config_path, ("theme",))
        raise DigestError(exc.message, site.config_path, line) from None
