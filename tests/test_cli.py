from pathlib import Path

import pytest

from digest import __version__
from digest.cli import main
from tests.conftest import SiteMaker

CONFIG = """
title: Test digest
topics:
  - name: Harbour
    keywords: [harbour, pier]
"""


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"digest {__version__}"


def test_build_prints_one_line(make_site: SiteMaker, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_site(
        CONFIG, {"a.txt": "The harbour reopened on Sunday after repairs to the pier.\n"}
    )
    assert main(["build", "--config", str(config)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("Built 8 pages from 1 articles (1 topics) in ")
    assert (config.parent / "public" / "index.html").is_file()


def test_bad_config_is_one_line_and_exit_1(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_site("title: x\nsumary:\n  algorithm: lexrank\n")
    assert main(["build", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == f"error: {config}:2: unknown key 'sumary'; expected one of: " + ", ".join(
        [
            "title",
            "description",
            "base_url",
            "language",
            "theme",
            "content_dir",
            "output_dir",
            "latest_articles",
            "paginate",
            "feed_items",
            "search",
            "boilerplate",
            "summary",
            "topics",
        ]
    )
    assert "Traceback" not in captured.err


def test_bad_content_names_file_and_line(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "bad.md": "---\ntitle: A\ntopics: 5\n---\nText here.\n",
        "good.txt": "The harbour reopened on Sunday after repairs.\n",
    }
    config = make_site(CONFIG, files)
    assert main(["build", "--config", str(config)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("warning: content/bad.md:3: 'topics'")
    assert err[0].endswith("; file skipped")
    assert main(["build", "--strict", "--config", str(config)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        err[0],
        "error: 1 warning with --strict; the previous output is unchanged",
    ]


def test_debug_shows_the_traceback(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_site("title: [\n")
    assert main(["--debug", "build", "--config", str(config)]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_failed_build_leaves_the_previous_output(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_site(CONFIG, {"a.txt": "The harbour reopened on Sunday after repairs.\n"})
    assert main(["build", "--config", str(config)]) == 0
    before = {p: p.read_bytes() for p in (config.parent / "public").rglob("*") if p.is_file()}
    (config.parent / "content" / "b.md").write_text("---\ndate: never\n---\nx\n", encoding="utf-8")
    assert main(["build", "--strict", "--config", str(config)]) == 1
    after = {p: p.read_bytes() for p in (config.parent / "public").rglob("*") if p.is_file()}
    assert after == before
    # Only the output and the cache, never a half-written folder beside them.
    names = sorted(p.name for p in config.parent.iterdir())
    assert names == [".digest-cache", "config.yaml", "content", "public"]


def test_refuses_to_replace_a_folder_it_did_not_write(
    make_site: SiteMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_site(CONFIG, {"a.txt": "The harbour reopened.\n"})
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work", encoding="utf-8")
    assert main(["build", "--config", str(config), "--output", str(precious)]) == 1
    assert "was not written by digest" in capsys.readouterr().err
    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "years of work"


@pytest.mark.parametrize("output", [".", "content"])
def test_refuses_output_that_would_replace_the_project(
    make_site: SiteMaker, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_site(CONFIG, {"a.txt": "The harbour reopened.\n"})
    assert main(["build", "--config", str(config), "--output", str(config.parent / output)]) == 1
    assert "would replace" in capsys.readouterr().err
