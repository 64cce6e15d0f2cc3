"""digest init, new, check and build --drafts, through the command line."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import yaml

from digest.build import build
from digest.check import check
from digest.cli import main
from digest.read import read_article
from digest.scaffold import SCAFFOLD
from tests.conftest import ROOT, SiteMaker, copy_example

CONFIG = """
title: Harbour watch
topics:
  - name: Harbour
    keywords: [harbour, pier]
"""
STORY = "The harbour reopened on Sunday after repairs to the pier.\n"


@pytest.fixture
def in_folder(tmp_path: Path) -> Path:
    """Run the command in tmp_path, as a user in their site folder would."""
    before = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path  # type: ignore[misc]
    os.chdir(before)


def test_init_writes_a_site_that_builds_and_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "news"
    assert main(["init", str(site)]) == 0
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/pages.yml",
        ".gitignore",
        "config.yaml",
        "content/library-opens.md",
        "requirements.txt",
    ]
    assert "/public/" in (site / ".gitignore").read_text().splitlines()
    capsys.readouterr()
    assert main(["check", "--config", str(site / "config.yaml")]) == 0
    assert main(["build", "--config", str(site / "config.yaml")]) == 0
    data = json.loads((site / "public" / "digest.json").read_text())
    assert [t["slug"] for t in data["topics"]] == ["town-library"]
    assert data["topics"][0]["articles"] == ["library-opens"], "the example matches its topic"
    assert data["topics"][0]["summary"], "and the topic has a summary"


def test_init_workflow_is_the_repositorys_except_how_digest_is_installed() -> None:
    ours = (ROOT / ".github/workflows/pages.yml").read_text().splitlines()
    shipped = (SCAFFOLD / "pages.yml").read_text().splitlines()
    changed = [(a, b) for a, b in zip(ours, shipped, strict=True) if a != b]
    assert changed == [
        ("        run: pip install -e .", "        run: pip install -r requirements.txt")
    ]
    workflow = yaml.safe_load("\n".join(shipped))
    build_steps = workflow["jobs"]["build"]["steps"]
    assert any("digest build --base-url" in step.get("run", "") for step in build_steps)


def test_scaffold_ships_in_the_wheel() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"digest.starter" = ["*"]' in pyproject
    assert {p.name for p in SCAFFOLD.iterdir()} >= {"config.yaml", "article.md", "pages.yml"}


def test_init_refuses_a_folder_with_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"error: {tmp_path.as_posix()}: folder is not empty; digest init only " + (
        "writes into a new or empty folder"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_new_writes_front_matter_that_builds(
    make_site: SiteMaker, in_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_site(CONFIG, {"a.txt": STORY})
    title = 'Pier "safe again": harbour master'
    assert main(["new", title, "--source", "Coast Gazette", "--date", "2024-03-04"]) == 0
    assert capsys.readouterr().out.strip() == "content/pier-safe-again-harbour-master.md"
    path = in_folder / "content" / "pier-safe-again-harbour-master.md"
    text = path.read_text()
    assert text.startswith("---\n") and text.endswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert (meta["title"], meta["source"], meta["date"]) == (
        title,
        "Coast Gazette",
        dt.date(2024, 3, 4),
    )
    path.write_text(text + "The harbour master said the pier is safe again.\n")
    article = read_article(path, in_folder / "content", ())
    assert (article.title, article.source) == (title, "Coast Gazette")
    capsys.readouterr()
    path.write_text(text)
    assert main(["build"]) == 0, "an article with no text yet does not stop the build"
    assert "pier-safe-again-harbour-master.md: no sentence of article text" in (
        capsys.readouterr().err
    )


def test_new_dates_today_and_never_overwrites(
    make_site: SiteMaker, in_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_site(CONFIG)
    assert main(["new", "Storm warning"]) == 0
    path = in_folder / "content" / "storm-warning.md"
    meta = yaml.safe_load(path.read_text().split("---")[1])
    assert meta == {"title": "Storm warning", "date": dt.date.today()}
    path.write_text(path.read_text() + "The storm reached the pier at noon.\n")
    capsys.readouterr()
    assert main(["new", "Storm warning"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_text().endswith("at noon.\n")


def test_drafts_are_left_out_unless_asked_for(make_site: SiteMaker) -> None:
    config = make_site(
        CONFIG,
        {
            "a.txt": STORY,
            "b.md": "---\ntitle: Pier plans\ndraft: true\n---\nThe pier will get a new roof.\n",
        },
    )
    out = config.parent / "public"
    assert main(["build", "--config", str(config)]) == 0
    assert not (out / "articles" / "b.html").exists()
    assert "Pier plans" not in (out / "index.html").read_text()
    assert main(["build", "--config", str(config), "--drafts"]) == 0
    assert (out / "articles" / "b.html").is_file()


def test_check_passes_the_example_with_and_without_base_url() -> None:
    for base in (None, "https://user.github.io/repo/"):
        result = check(ROOT / "config.yaml", base)
        assert result.broken == ()
        assert result.pages > 10 and result.links > result.pages * 10


def test_check_renders_every_page_of_a_site_large_enough_for_workers(
    make_site: SiteMaker,
) -> None:
    # Seventy articles: more pages than one process renders alone. The check renders
    # into memory, which a forked worker's pages would never reach; every page a build
    # writes must be there, and every link must resolve.
    files = {
        f"story-{n:02d}.md": (
            f"---\ntitle: Harbour report {n}\nsource: Outlet {n % 7}\n"
            f"date: 2024-03-{n % 28 + 1:02d}\n---\n"
            f"The harbour council met for the {n}th time on the pier repairs. "
            f"Engineers said section {n} of the pier needs {n + 3} new pylons.\n"
        )
        for n in range(70)
    }
    config = make_site(
        "title: Harbour\ntopics:\n  - name: Harbour\n    keywords: [harbour]\n", files
    )
    result = check(config)
    assert result.broken == () and result.pages > 70
    built = build(config, jobs=2).output_dir
    assert result.pages == sum(1 for _ in built.rglob("*.html"))


def test_check_reports_each_broken_link_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_example(tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    article = (ROOT / "themes/default/templates/article.html").read_text()
    extra = (
        "<a href=\"{{ url('topics/nowhere.html') }}\">x</a>"
        "<a href=\"{{ url('index.html') }}#no-such-id\">y</a>"
        '<a href="/static/style.css">z</a><a href="https://example.org/">ok</a>'
    )
    (templates / "article.html").write_text(
        article.replace("{% endblock %}", extra + "{% endblock %}", 1)
    )
    assert main(["check", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    articles = len(list((tmp_path / "content").iterdir()))
    assert len(errors) == 3 * articles
    first = sorted(e for e in errors if "nowhere" in e)[0]
    assert first.startswith("error: articles/") and first.endswith(
        "broken link '../topics/nowhere.html': no file topics/nowhere.html"
    )
    assert any(e.endswith("no id 'no-such-id' in index.html") for e in errors)
    assert any("root-relative link breaks on a project subpath" in e for e in errors)
    assert "3 broken" not in captured.out and f"{3 * articles} broken" in captured.out
    assert not (tmp_path / "public").exists()


def test_check_reports_bad_content_as_one_line(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_site(CONFIG, {"a.md": "---\ndate: soon\n---\nThe pier.\n"})
    assert main(["check", "--config", str(config)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("warning: content/a.md:2: 'date'")
