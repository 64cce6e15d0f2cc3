"""Shared fixtures: the example site built once per session, and tiny sites per test."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import digest.build as build_module
from digest.build import BuildResult, build
from digest.models import Article, Block, Sentence

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The repository's example digest, built into a temporary folder."""
    out = tmp_path_factory.mktemp("example") / "public"
    return build(ROOT / "config.yaml", output_dir=out)


SiteMaker = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> SiteMaker:
    """Write a small site: config text plus {relative path: file text}; returns config path."""

    def make(config: str, files: dict[str, str | bytes] | None = None) -> Path:
        (tmp_path / "content").mkdir(exist_ok=True)
        for name, text in (files or {}).items():
            path = tmp_path / "content" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        config_path = tmp_path / "config.yaml"
        config_path.write_text(textwrap.dedent(config).lstrip("\n"), encoding="utf-8")
        return config_path

    return make


HARBOUR_AND_COUNCIL = """
title: {title}
base_url: https://example.org/{slug}/
topics:
  - name: Harbour
    keywords: [harbour, ferry, port]
  - name: Council
    keywords: [council, budget, vote]
"""
"""The config of `short_reports` (title and base URL filled in)."""


def short_reports(count: int, sources: int) -> dict[str, str]:
    """`count` three-sentence reports alternating between a harbour and a council story,
    from `sources` outlets, dated in May 2024."""
    files = {}
    for n in range(count):
        topic = "The harbour ferry left the port" if n % 2 else "The council passed the budget"
        files[f"a{n}.md"] = (
            f"---\ntitle: Report {n}\nsource: Outlet {n % sources}\n"
            f"date: 2024-05-{n % 28 + 1:02}\n---\n"
            f"{topic} on day {n}, officials said. Crowds of {n + 20} people watched. "
            f"The vote number {n} was close, aides said.\n"
        )
    return files


def copy_example(dest: Path) -> Path:
    """A copy of the example site (config + content) that a test may change."""
    shutil.copy(ROOT / "config.yaml", dest / "config.yaml")
    shutil.copytree(ROOT / "content", dest / "content")
    return dest / "config.yaml"


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every process `start_beside` forks during the test (the files beside the pages
    on a rebuild)."""
    started: list[object] = []
    start = build_module.start_beside

    def counted(*args: Any, **kwargs: Any) -> object:
        beside = start(*args, **kwargs)
        if beside is not None:
            started.append(beside)
        return beside

    monkeypatch.setattr(build_module, "start_beside", counted)
    return started


def recorded(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple[Any, ...]]:
    """The arguments of every call of `owner.name` during the test; each call goes
    through to the original."""
    calls: list[tuple[Any, ...]] = []
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def plain_article(name: str, sentences: Sequence[str]) -> Article:
    """An article as the reader makes it, each sentence a paragraph of its own, with
    `name` as its id, title and source: for tests of what comes after reading."""
    return Article(
        id=name,
        source_path=f"{name}.md",
        title=name,
        source=name,
        date=None,
        url=None,
        author=None,
        forced_topics=(),
        sentences=tuple(Sentence(i, text, text, i) for i, text in enumerate(sentences)),
        blocks=tuple(Block("paragraph", i, i + 1) for i in range(len(sentences))),
    )
