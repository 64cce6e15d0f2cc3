"""Article pages are rendered while the topics' summaries and the page plan are made
(`produce.start_article_pages`): on a cold build of a site with enough articles for page
workers, which then render the same site, and are ended if the build fails first."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pytest

import digest.build as build_module
import digest.produce as produce_module
from digest.build import build
from digest.cache import FOLDER
from digest.corpus import EMPTY
from digest.errors import DigestError
from digest.processes import cpu_count
from digest.topic_summaries import articles_only
from tests.conftest import HARBOUR_AND_COUNCIL, SiteMaker, short_reports
from tests.test_incremental import cold, tree


@pytest.fixture
def site(make_site: SiteMaker) -> Path:
    """Seventy short articles on two topics: more than the page workers start for."""
    return make_site(HARBOUR_AND_COUNCIL.format(title="Early", slug="early"), short_reports(70, 9))


@pytest.fixture
def early(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The page workers `start_articles` started during the test."""
    returned: list[object] = []
    start = produce_module.start_articles

    def recorded(*args: Any, **kwargs: Any) -> object:
        started = start(*args, **kwargs)
        if started is not None:
            returned.append(started)
        return started

    monkeypatch.setattr(produce_module, "start_articles", recorded)
    return returned


@pytest.mark.skipif(cpu_count() < 2, reason="page workers start only with two CPUs")
def test_a_cold_build_renders_article_pages_before_the_plan_and_the_same_site(
    site: Path, tmp_path: Path, early: list[object]
) -> None:
    build(site, jobs=2)
    assert len(early) == 1
    out = site.parent / "public"
    assert tree(out) == cold(site, tmp_path)
    assert multiprocessing.active_children() == []

    # A rebuild keeps most pages, and learns which only from the plan: not started.
    article = site.parent / "content" / "a7.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA ferry was late.\n", "utf-8")
    build(site, jobs=2)
    assert len(early) == 1
    assert tree(out) == cold(site, tmp_path)

    # Without the cache, every page is made again: started, the same site.
    shutil.rmtree(site.parent / FOLDER)
    build(site, jobs=2)
    assert len(early) == 2
    assert tree(out) == cold(site, tmp_path)  # (one process: none started there)
    assert len(early) == 2


@pytest.mark.skipif(cpu_count() < 2, reason="page workers start only with two CPUs")
def test_a_failure_before_the_pages_ends_their_workers_and_keeps_the_site(
    site: Path, early: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(site, jobs=2)
    out = site.parent / "public"
    before = tree(out)
    shutil.rmtree(site.parent / FOLDER)  # so the next build starts the article pages

    def failing_plan(*args: Any, **kwargs: Any) -> object:
        raise DigestError("the plan failed")

    monkeypatch.setattr(build_module, "plan", failing_plan)
    with pytest.raises(DigestError, match="the plan failed"):
        build(site, jobs=2)
    assert len(early) == 2
    assert multiprocessing.active_children() == []
    assert tree(out) == before
    assert not list(site.parent.glob(".public.digest-*"))


def test_topic_summaries_asked_for_before_they_are_made_fail_loudly() -> None:
    # What article pages are rendered with meanwhile: any page that showed a topic's
    # summary would fail rather than be made without it.
    summaries = articles_only(EMPTY)
    with pytest.raises(RuntimeError, match="topic 'harbour'"):
        summaries.topics["harbour"]
    with pytest.raises(RuntimeError):
        list(summaries.topics)
