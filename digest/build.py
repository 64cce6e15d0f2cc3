"""build(): the stages of a digest build, in order.

Each stage is a function from frozen records to new frozen records; this module only
wires them together and times them. Read `prepare_site` (`prepare.py`) and `build` top
to bottom to know what a build does.

A rebuild does the same stages as a first build, on the same records, and arrives at
the same site byte for byte; it is fast because each stage's costly part is remembered
by what it was made from: an article's analysis by its file, sumy's topic ranking by the
articles it ranks, a page by its key (`plan.py`). What did not change is taken from
`.digest-cache/` and from the previous output.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from digest import freshness
from digest.ahead import Ahead
from digest.cache import code_fingerprint
from digest.errors import DigestError
from digest.heap import collector_paused, keep_until_exit
from digest.outputs import Fragments, fragment_keys
from digest.plan import Keys, digest_of, plan
from digest.prepare import Prepared, prepare_site, summarise_site
from digest.produce import Beside, produce, start_article_pages, start_beside
from digest.progress import Timer
from digest.reporter import Reporter
from digest.schema import as_json
from digest.site import Page
from digest.spare import Spare
from digest.state import State
from digest.theme import BUNDLED
from digest.write import Staging


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


def plan_pages(
    prepared: Prepared, timer: Timer, key: str | None = None
) -> tuple[tuple[Page, ...], Keys]:
    """Every page with its key; `key`: the site's (`site_key`), when already made."""
    with timer("plan"):
        return plan(prepared.records, key or site_key(prepared))


def site_key(prepared: Prepared) -> str:
    """What every page is made with: digest's code, the theme and the config."""
    config = prepared.site.config
    return digest_of(code_fingerprint(), prepared.theme.fingerprint(), as_json(config))


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
    beside = early = None
    try:
        keys = fragment_keys(records)
        search = records.config.search
        kept = Fragments.load(out, previous.fragments, search) if intact else Fragments.empty()
        known = previous.sentences if intact else {}
        shown = previous.pages if intact else {}
        # Article pages show no topic summary: their workers start before those are made.
        job = prepared.job(staging, kept, known)
        key = site_key(prepared)  # once: the early pages' keys are the plan's
        early = start_article_pages(records, job, key, kept, shown, jobs)
        prepared = summarise_site(prepared, timer)
        records = prepared.records
        job = prepared.job(staging, kept, known)
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
        wait = prepared.states.written
        beside = start_beside(records, prepared.theme, job, keys, kept, shown, jobs, store, wait)
        pages, _ = plan_pages(prepared, timer, key)
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
                started=early,
            )
        with timer("write"):
            staging.settle([page.path for page in pages] + made.files)
            staging.commit()
    except BaseException:
        for process in (beside, early):
            if process is not None:
                process.stop()  # before its folder goes: it may still be writing there
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
