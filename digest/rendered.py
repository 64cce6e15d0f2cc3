"""The whole site rendered into memory and written nowhere: what `digest check` and
`digest serve` read. The same stages as `build()`, up to the render, into a sink in
memory; a forked render worker sends its pages back with its results, since its own
writes would never reach this process's memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digest.build import plan_pages
from digest.config import Site
from digest.errors import DigestError
from digest.heap import collector_paused
from digest.outputs import Fragments, fragment_keys
from digest.prepare import prepare_site, summarise_site
from digest.produce import produce
from digest.progress import Timer
from digest.reporter import Reporter
from digest.workers import MemorySink


@dataclass(frozen=True)
class RenderedSite:
    """The whole site in memory: what `check` and `serve` read."""

    site: Site
    files: dict[str, bytes]
    """Output path (with '/') -> file content."""
    pages: int
    articles: int
    topics: int
    stages: tuple[tuple[str, float], ...]
    warnings: tuple[DigestError, ...] = ()


@collector_paused()
def render_site(
    config_path: Path,
    output_dir: Path | None = None,
    base_url: str | None = None,
    log: Callable[[str], None] | None = None,
    drafts: bool = False,
    reporter: Reporter | None = None,
    use_cache: bool = True,
    jobs: int = 0,
) -> RenderedSite:
    """The whole site, rendered into memory and written nowhere (check, serve)."""
    timer = Timer(log, None)
    prepared = prepare_site(
        config_path, output_dir, base_url, drafts, False, reporter, use_cache, jobs, timer
    )
    prepared = summarise_site(prepared, timer)
    records = prepared.records
    pages, _ = plan_pages(prepared, timer)
    with timer("render"):
        sink = MemorySink()
        keys = fragment_keys(records)
        job = prepared.job(sink, Fragments.empty(), {})
        produce(records, pages, prepared.theme, job, keys, Fragments.empty(), {}, jobs)
    return RenderedSite(
        site=prepared.site,
        files=sink.files,
        pages=len(pages),
        articles=len(records.corpus.entries),
        topics=len(records.coverage),
        stages=tuple(timer.stages),
        warnings=prepared.warnings,
    )
