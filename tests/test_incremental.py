"""Rebuilds: the cache, the worker pool and the no-op check never change a byte of output.

Each test builds a site, changes it the way a user does (edit, add, delete an article,
edit a template or the config, corrupt the cache), rebuilds with the cache, and compares
every file with a cold build of the same input made with no cache at all.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import digest.ahead as ahead_module
import digest.analysis as analysis_module
import digest.articles as articles_module
import digest.cache as cache_module
import digest.freshness as freshness
import digest.prepare as prepare_module
import digest.state as state_module
from digest.ahead import Ahead, look_ahead
from digest.articles import ArticleStore, read_all
from digest.build import build
from digest.cache import FOLDER, LIBRARIES, Cache, code_fingerprint, companion, versions
from digest.cli import main
from digest.config import load_config
from digest.models import SentenceRef
from digest.processes import cpu_count
from digest.schema import as_json
from digest.state import StateStore
from tests.conftest import SiteMaker, recorded

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "content").glob("*.txt"))

CONFIG = """
title: Rebuilds
topics:
  - name: Olympics boycott
    keywords: [Olympics, boycott, Beijing]
  - name: Ukraine
    keywords: [Ukraine, Russia]
"""


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cold(config: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site a first build on a fresh machine makes: no cache, one process."""
    out = tmp_path / "cold-output"
    shutil.rmtree(out, ignore_errors=True)
    build(config, out, use_cache=False, jobs=1)
    return tree(out)


@pytest.fixture
def site(make_site: SiteMaker) -> Path:
    """The example articles plus variants of them, enough to start the worker pool."""
    files = {path.name: path.read_text(encoding="utf-8") for path in SEEDS}
    for number in range(16):
        lines = SEEDS[number % len(SEEDS)].read_text(encoding="utf-8").splitlines()
        front = f"---\ntitle: Variant {number}\nsource: Outlet {number % 7}\n"
        front += f"date: 2022-01-{10 + number}\n---\n"
        files[f"variant-{number:02}.md"] = front + "\n\n".join(lines[number % 3 :])
    return make_site(CONFIG, files)


def test_pool_cache_and_rebuilds_give_the_cold_build(site: Path, tmp_path: Path) -> None:
    content = site.parent / "content"
    out = site.parent / "public"
    build(site, jobs=2)  # the pool computes and caches every article
    assert tree(out) == cold(site, tmp_path)
    assert stored_articles(site) == len(SEEDS) + 16
    packs = list((site.parent / FOLDER / "analysis").glob("*.pack"))
    assert 2 <= len(packs) < len(SEEDS) + 16  # the workers stored them in a few files

    edited = content / "variant-03.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("said", "stated"), "utf-8")
    (content / "added.md").write_text(
        "---\ntitle: A late report\nsource: Late Wire\ndate: 2022-02-10\n---\n"
        "Officials said on Thursday that the boycott of the Beijing Olympics would widen.\n",
        encoding="utf-8",
    )
    (content / "variant-07.md").unlink()
    build(site, jobs=2)
    assert tree(out) == cold(site, tmp_path)

    (site.parent / "templates").mkdir()
    (site.parent / "templates" / "404.html").write_text(
        '{% extends "default/404.html" %}{% block title %}Lost{% endblock %}', encoding="utf-8"
    )
    site.write_text(CONFIG.replace("Rebuilds", "Rebuilt"), encoding="utf-8")
    build(site, jobs=2)
    rebuilt = tree(out)
    assert rebuilt == cold(site, tmp_path)
    assert b"Lost" in rebuilt["404.html"] and b"Rebuilt" in rebuilt["index.html"]


@pytest.mark.skipif(cpu_count() < 2, reason="needs two CPUs for the worker pool")
def test_workers_start_on_the_first_files_while_the_rest_are_read(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = len(list((site.parent / "content").iterdir()))
    read: list[str] = []
    sent: list[int] = []
    key, send = Cache.key, analysis_module._send

    def keyed(self: Cache, *parts: bytes) -> str:
        if parts and parts[0].endswith((b".md", b".txt")):
            read.append(parts[0].decode())
        return key(self, *parts)

    def sending(pool: Any, batch: Any) -> Any:
        sent.append(len(read))
        return send(pool, batch)

    monkeypatch.setattr(Cache, "key", keyed)
    monkeypatch.setattr(analysis_module, "_send", sending)
    steps: list[tuple[str, int, int]] = []
    build(site, jobs=2, progress=lambda *step: steps.append(step))
    assert len(sent) >= 2 and sent[0] < files  # a batch went before the last file was read
    assert sorted(read) == sorted(set(read)) and len(read) == files
    assert [s for s in steps if s[0] == "read"][-1] == ("read", files, files)
    assert tree(site.parent / "public") == cold(site, tmp_path)


def test_analyses_found_in_the_cache_while_reading_count_as_done(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The state is gone, the analyses are not: every file is read, found in the cache
    # and counted, and none analysed again (in this process or a worker forked from it).
    files = len(list((site.parent / "content").iterdir()))
    expected = cold(site, tmp_path)
    build(site, jobs=2)
    shutil.rmtree(site.parent / FOLDER / "state")

    def refuse(*args: object) -> None:
        raise AssertionError("analysed again")

    monkeypatch.setattr(analysis_module.Analyser, "analyse", refuse)
    steps: list[tuple[str, int, int]] = []
    build(site, jobs=2, progress=lambda *step: steps.append(step))
    assert [s for s in steps if s[0] == "read"][-1] == ("read", files, files)
    assert tree(site.parent / "public") == expected


def analyses(site: Path) -> Cache:
    return Cache(site.parent / FOLDER, "analysis", b"")


def stored_articles(site: Path) -> int:
    """How many articles the cache holds, each with its sentences stored beside it."""
    stored = analyses(site).stored()
    whole = {key for key in stored if key != companion(key)}
    assert stored - whole == {companion(key) for key in whole}
    return len(whole)


@pytest.mark.skipif(cpu_count() < 2, reason="needs two CPUs for the worker pool")
def test_sentences_come_without_loading_whole_analyses(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Topic summaries and topic pages quote sentences of most articles; the store
    gives them from the small entry beside each analysis, and falls back to the
    analysis when that entry is damaged."""
    cache = Cache(site.parent / FOLDER, "analysis", b"store")
    corpus, store, _ = read_all(load_config(site), lambda problem: None, cache, jobs=2)
    expected = {
        entry.key: [(s.text, s.html) for s in store.get(entry).article.sentences]
        for entry in corpus.entries
    }
    # A rebuild's store: the articles are known, their analyses not loaded.
    _, store, _ = read_all(load_config(site), lambda problem: None, cache, previous=corpus)
    loads = recorded(monkeypatch, cache, "load")
    for entry in corpus.entries:
        sentences = [store.sentence(entry, n) for n in range(entry.sentence_count)]
        assert sentences == expected[entry.key]
    assert {key for (key,) in loads} == {companion(e.key) for e in corpus.entries}

    damaged = corpus.entries[0]
    cache.store(companion(damaged.key), (("cut", "short"),))
    _, store, _ = read_all(load_config(site), lambda problem: None, cache, previous=corpus)
    assert store.sentence(damaged, 1) == expected[damaged.key][1]


@pytest.mark.skipif(cpu_count() < 2, reason="needs two CPUs for the worker pool")
def test_analyses_loaded_ahead_while_waiting_are_not_loaded_again(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the compare stage waits for agreement, new articles' analyses are loaded
    in order (`preload`) until it comes; pages then take them without loading."""
    cache = Cache(site.parent / FOLDER, "analysis", b"ahead")
    corpus, _, _ = read_all(load_config(site), lambda problem: None, cache, jobs=2)
    entries = corpus.entries
    _, store, _ = read_all(load_config(site), lambda problem: None, cache, previous=corpus)
    asked: list[int] = []

    def ready() -> bool:  # agreement comes after the fifth look
        asked.append(1)
        return len(asked) > 5

    loads = recorded(monkeypatch, cache, "load")
    store.preload(entries, ready)
    assert [key for (key,) in loads] == [e.key for e in entries[:5]]
    expected = [store.get(e) for e in entries[:5]]
    assert len(loads) == 5  # not loaded again
    assert [a.entry for a in expected] == list(entries[:5])
    store.get(entries[5])
    assert len(loads) == 6  # the others load when asked, as before

    # At most AHEAD sentences' worth: a long article does not hold the site in memory.
    monkeypatch.setattr(articles_module, "AHEAD", sum(e.sentence_count for e in entries[:3]))
    _, store, _ = read_all(load_config(site), lambda problem: None, cache, previous=corpus)
    loads.clear()
    store.preload(entries, lambda: False)
    assert len(loads) == 3

    # A build does it while its compare stage waits, for the articles it has not seen.
    shutil.rmtree(site.parent / FOLDER)
    preloaded = recorded(monkeypatch, ArticleStore, "preload")
    build(site, jobs=2)
    assert [[e.key for e in entries] for _, entries, _ in preloaded] == [
        [e.key for e in load_corpus(site).entries]
    ]
    preloaded.clear()
    build(site, jobs=2)  # nothing changed, nothing new: nothing to load
    assert [list(entries) for _, entries, _ in preloaded] in ([], [[]])


@pytest.mark.skipif(cpu_count() < 2, reason="needs two CPUs for the worker pool")
def test_templates_compile_while_the_workers_analyse(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    seen: list[int] = []
    compile_templates = prepare_module.compile_templates

    def compiling(theme: Any) -> None:
        seen.append(len(multiprocessing.active_children()))
        compile_templates(theme)

    monkeypatch.setattr(prepare_module, "compile_templates", compiling)
    build(site, jobs=2)
    assert seen and seen[0] >= 1  # the analysis workers were running
    assert tree(site.parent / "public") == cold(site, tmp_path)
    seen.clear()
    edited = site.parent / "content" / "variant-05.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA new line.\n", "utf-8")
    build(site, jobs=2)
    assert seen == []  # one file analysed here: nothing to wait for, nothing compiled


def test_packs_of_deleted_articles_shrink_and_go(site: Path, tmp_path: Path) -> None:
    build(site, jobs=2)
    folder = site.parent / FOLDER / "analysis"
    size = sum(p.stat().st_size for p in folder.glob("*.pack"))
    kept = sorted((site.parent / "content").iterdir())[:3]
    for path in sorted((site.parent / "content").iterdir())[3:]:
        path.unlink()
    build(site, jobs=2)
    assert tree(site.parent / "public") == cold(site, tmp_path)
    # What is left of the packs holds the three articles, and nothing much else.
    assert stored_articles(site) == len(kept)
    assert sum(p.stat().st_size for p in folder.glob("*.pack")) < size / 3
    shutil.rmtree(site.parent / "public")  # every page needs its article again
    build(site, jobs=2)
    assert tree(site.parent / "public") == cold(site, tmp_path)


def test_a_rebuild_finds_packed_entries_without_opening_the_packs(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(site, jobs=2)
    index = site.parent / FOLDER / "analysis" / "packs.index"
    assert index.is_file()
    heads = recorded(monkeypatch, cache_module, "_pack_spans")
    edited = sorted((site.parent / "content").glob("variant-*.md"))[3]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    build(site, jobs=2)
    assert heads == []
    assert tree(site.parent / "public") == cold(site, tmp_path)
    # A damaged index is read around, and written again.
    index.write_bytes(b"not an index")
    shutil.rmtree(site.parent / "public")  # every page needs its article again
    build(site, jobs=2)
    assert len(heads) == len(list(index.parent.glob("*.pack")))
    assert tree(site.parent / "public") == cold(site, tmp_path)
    assert index.read_bytes() != b"not an index"


def test_a_corrupt_pack_is_recomputed(site: Path, tmp_path: Path) -> None:
    build(site, jobs=2)
    packs = sorted((site.parent / FOLDER / "analysis").glob("*.pack"))
    packs[0].write_bytes(packs[0].read_bytes()[:-100])  # the last entry cut short
    packs[1].write_bytes(packs[1].read_bytes()[:50])  # the head cut short
    shutil.rmtree(site.parent / "public")
    build(site, jobs=2)
    assert tree(site.parent / "public") == cold(site, tmp_path)
    assert stored_articles(site) == len(SEEDS) + 16


def test_corrupt_cache_entries_are_recomputed(site: Path, tmp_path: Path) -> None:
    build(site, jobs=1)
    entries = sorted((site.parent / FOLDER / "analysis").glob("*.pickle"))
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(entries[1].read_bytes()[:40])
    build(site, jobs=1)
    assert tree(site.parent / "public") == cold(site, tmp_path)
    # Unchanged articles are not opened; once every page needs its article again (the
    # output is gone), a corrupt entry is analysed again from its file.
    shutil.rmtree(site.parent / "public")
    build(site, jobs=1)
    assert tree(site.parent / "public") == cold(site, tmp_path)
    assert entries[0].read_bytes() != b"not a pickle"
    assert len(entries[1].read_bytes()) > 40


def test_a_corrupt_state_is_ignored(site: Path, tmp_path: Path) -> None:
    build(site, jobs=1)
    for entry in (site.parent / FOLDER / "state").glob("*.pickle"):
        entry.write_bytes(entry.read_bytes()[:100])
    edited = site.parent / "content" / "variant-03.md"
    edited.write_text(edited.read_text() + "\nThe ministry confirmed the figures on Friday.\n")
    build(site, jobs=1)
    assert tree(site.parent / "public") == cold(site, tmp_path)


def test_the_cache_drops_entries_no_article_uses(site: Path) -> None:
    build(site, jobs=1)
    before = stored_articles(site)
    (site.parent / "content" / "variant-00.md").unlink()
    build(site, jobs=1)
    assert stored_articles(site) == before - 1  # its sentences went with it


def test_library_versions_are_the_installed_ones() -> None:
    # The cache is keyed by the versions of the libraries that shape the output (a new
    # stemmer release changes stems); they are read from the dist-info folders.
    from importlib import metadata

    found = versions((*LIBRARIES, "no-such-library-anywhere"))
    assert found == {name: metadata.version(name) for name in LIBRARIES}
    assert "PyStemmer" in LIBRARIES and "Jinja2" in LIBRARIES


def test_library_versions_come_from_dist_info_folder_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folder names alone answer (importlib.metadata is not asked), whatever the
    # case and separators of the name; a name's own dashes are not its version.
    from importlib import metadata

    for folder in (
        "numpy_financial-1.0.0.dist-info",
        "numpy-financial-1.0.0.dist-info",
        "numpy-2.9.0.dist-info",
        "jinja2-9.9.dist-info",
        "PyStemmer-1.0-1.dist-info",
        "markdown_it_py-3.0.0.dist-info",
        "sumy-0.1.egg-info",
    ):
        (tmp_path / folder).mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path)])

    def not_asked(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_asked)
    found = versions(("numpy", "Jinja2", "PyStemmer", "markdown-it-py", "sumy"))
    assert found == {
        "numpy": "2.9.0",
        "Jinja2": "9.9",
        "PyStemmer": "1.0-1",
        "markdown-it-py": "3.0.0",
    }


def test_a_library_upgrade_changes_the_code_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    before = code_fingerprint()
    code_fingerprint.cache_clear()
    installed = versions(LIBRARIES)
    monkeypatch.setattr(cache_module, "versions", lambda names: {**installed, "PyStemmer": "99.0"})
    try:
        assert code_fingerprint() != before
    finally:
        code_fingerprint.cache_clear()


def test_a_topic_change_recomputes_what_depends_on_it(site: Path, tmp_path: Path) -> None:
    build(site, jobs=1)
    site.write_text(CONFIG + "  - name: Taiwan\n    keywords: [Taiwan]\n", encoding="utf-8")
    build(site, jobs=1)
    assert (site.parent / "public" / "topics" / "taiwan.html").is_file()
    assert tree(site.parent / "public") == cold(site, tmp_path)


def test_noop_rebuild_writes_nothing_and_says_so(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--config", str(site)]) == 0
    out = site.parent / "public"
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    capsys.readouterr()
    assert main(["build", "--config", str(site)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Up to date: ") and "nothing changed" in said
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps

    # Anything the site is made of, or the output itself, changed: a real build.
    for change in (
        lambda: (site.parent / "content" / "variant-01.md").write_text("Harbour news.\n"),
        lambda: (out / "index.html").unlink(),
        lambda: (site.parent / "static").mkdir(),
        lambda: (site.parent / "static" / "extra.css").write_text("body{}"),
    ):
        change()
        assert main(["build", "--config", str(site)]) == 0
        assert capsys.readouterr().out.startswith("Built ")
    assert main(["build", "--config", str(site), "--drafts"]) == 0
    assert capsys.readouterr().out.startswith("Built "), "other options, other output"
    assert main(["build", "--config", str(site), "--no-cache"]) == 0
    assert capsys.readouterr().out.startswith("Built ")


def test_noop_rebuild_repeats_the_warnings(
    make_site: SiteMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_site(
        CONFIG,
        {"a.txt": "Russia massed troops near Ukraine on Monday, officials said.\n", "b.md": ""},
    )
    assert main(["build", "--config", str(config)]) == 0
    first = capsys.readouterr().err
    assert "b.md: empty file" in first
    assert main(["build", "--config", str(config)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Up to date: ") and captured.err == first
    assert main(["build", "--config", str(config), "--strict"]) == 1, "strict still fails"


FIRST = "Fishing boats stayed in port. The mayor asked residents to stay indoors until noon."
SECOND = "Shops near the quay opened late on Tuesday. Insurers began to count the damage."


def test_a_new_article_changes_what_other_pages_say_about_their_sentences(
    make_site: SiteMaker, tmp_path: Path
) -> None:
    # The old article's page is unchanged on disk, but who reports its summary sentence
    # is not: the rebuild must render it again.
    lead = "The harbour authority closed the northern pier on Monday after the storm."
    config = make_site(
        CONFIG,
        {
            "first.md": f"---\ntitle: First\nsource: Coast Post\n---\n{lead} {FIRST}\n",
            "other.md": "---\ntitle: Other\nsource: Bay Wire\n---\nThe ferry ran late.\n",
        },
    )
    out = config.parent / "public"
    build(config, jobs=1)
    assert b"Reported by" not in (out / "articles" / "first.html").read_bytes()
    (config.parent / "content" / "second.md").write_text(
        f"---\ntitle: Second\nsource: Hill Times\n---\n{SECOND} {lead}\n", encoding="utf-8"
    )
    result = build(config, jobs=1)
    page = (out / "articles" / "first.html").read_bytes()
    assert b"Reported by 2 sources" in page and b"Hill Times" in page
    assert result.rendered < result.pages  # the rest were kept
    assert tree(out) == cold(config, tmp_path)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_edits_rebuild_to_the_cold_build(
    site: Path, tmp_path: Path, seed: int, forks: list[object]
) -> None:
    """Rounds of the edits users make (a sentence changed, an article copied from
    another, one deleted, a date moved), each rebuilt from the last and compared with a
    cold build of the same files."""
    rng = random.Random(seed)
    content = site.parent / "content"
    build(site, jobs=1)
    for round_number in range(4):
        files = sorted(content.glob("*.*"))
        victim = rng.choice(files)
        action = rng.choice(["edit", "copy", "delete", "date", "retitle"])
        text = victim.read_text(encoding="utf-8")
        if action == "edit":
            victim.write_text(text + f"\nA spokesman added {round_number} more details.\n")
        elif action == "copy":
            source = rng.choice(files)
            body = source.read_text(encoding="utf-8").split("---")[-1]
            front = f"---\ntitle: Copy {round_number}\nsource: Echo {round_number}\n---\n"
            (content / f"copy-{seed}-{round_number}.md").write_text(front + body)
        elif action == "delete" and len(files) > 3:
            victim.unlink()
        elif action == "retitle":
            body = text.split("---")[-1]
            victim.write_text(
                f"---\ntitle: Renamed {round_number}\nsource: Renamed Wire\n---\n{body}"
            )
        else:
            (content / f"dated-{seed}-{round_number}.md").write_text(
                f"---\ntitle: Dated {round_number}\ndate: 2022-03-0{round_number + 1}\n---\n"
                "The Ukraine talks resumed in Geneva on Tuesday, officials said.\n"
            )
        # Two jobs: the small rebuild makes digest.json and the rest in a forked process.
        build(site, jobs=2)
        assert tree(site.parent / "public") == cold(site, tmp_path), (round_number, action)
    assert forks or cpu_count() < 2, "the rebuilds never made their files side by side"


def test_an_edit_that_keeps_size_and_time_is_still_seen(site: Path, tmp_path: Path) -> None:
    # Same length, modification time set back: the change time still gives it away.
    build(site, jobs=1)
    path = site.parent / "content" / "variant-05.md"
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    changed = text.replace("Olympics", "Olympiad", 1)
    assert len(changed) == len(text) and changed != text
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert main(["build", "--config", str(site)]) == 0
    assert tree(site.parent / "public") == cold(site, tmp_path)


def test_an_edit_renders_again_only_what_shows_it(site: Path, tmp_path: Path) -> None:
    first = build(site, jobs=1)
    assert first.rendered == first.pages
    path = site.parent / "content" / "variant-09.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe weather was mild that day.\n")
    again = build(site, jobs=1)
    # Its own page; lists show its summary and title, which did not change.
    assert 1 <= again.rendered <= 3, again.rendered
    assert tree(site.parent / "public") == cold(site, tmp_path)


def test_an_edit_rebuild_records_its_output_as_a_fresh_look_finds_it(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The output's listing after a rebuild is made from what it kept and wrote, not by
    # looking at every file: it must be what looking would find.
    assert main(["build", "--config", str(site)]) == 0
    path = site.parent / "content" / "variant-09.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe weather was mild that day.\n")
    assert main(["build", "--config", str(site)]) == 0
    capsys.readouterr()
    assert main(["build", "--config", str(site)]) == 0
    assert capsys.readouterr().out.startswith("Up to date: ")
    path.write_text(path.read_text(encoding="utf-8") + "\nRain followed at night.\n")
    again = build(site, jobs=1)
    assert 1 <= again.rendered <= 3, "the output was still taken as intact"


def _built_watching_ahead(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Ahead], Path, Path]:
    """The site built by the command line; every folder it starts linking ahead of a
    build from here on, the content folder and the output folder."""
    started = _ahead_of_builds(monkeypatch)
    assert main(["build", "--config", str(site)]) == 0
    assert not _linking(started), "nothing to link on a first build"
    return started, site.parent / "content", site.parent / "public"


def _ahead_of_builds(monkeypatch: pytest.MonkeyPatch) -> list[Ahead]:
    """Every process the command line forks ahead of a build (to check, then link)."""
    started: list[Ahead] = []

    def spy(config: Path, options: dict[str, object], link: bool) -> Ahead | None:
        ahead = look_ahead(config, options, link)
        if ahead is not None:
            started.append(ahead)
        return ahead

    monkeypatch.setattr(ahead_module, "look_ahead", spy)
    return started


def _linking(started: list[Ahead]) -> list[Ahead]:
    """Those that linked the previous output ahead of a build (the others only checked
    it: nothing had changed, or there was no previous build)."""
    return [a for a in started if a.out is not None]


def _beside(out: Path) -> list[str]:
    """The folders beside the output (the build's own leftovers)."""
    return sorted(
        p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.digest-new")
    )


def test_a_command_line_rebuild_adopts_the_output_linked_ahead(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, content, out = _built_watching_ahead(site, monkeypatch)
    unchanged = out / "articles" / "variant-11.html"
    inode = unchanged.stat().st_ino
    path = content / "variant-09.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe weather was mild that day.\n")
    (content / "variant-04.md").unlink()
    assert (out / "articles" / "variant-04.html").is_file()
    looked = recorded(monkeypatch, freshness, "output_listing")
    checks = recorded(monkeypatch, freshness, "check")
    assert main(["build", "--config", str(site)]) == 0
    if cpu_count() >= 2:
        assert [a.adopted for a in _linking(started)] == [True]
        assert looked == [], "the process beside looked at the previous output"
        assert checks == [], "and checked the inputs, while this one loaded its modules"
    assert unchanged.stat().st_ino == inode, "an unchanged page is a link to the last one"
    assert tree(out) == cold(site, tmp_path), "the deleted article's page is gone too"
    assert _beside(out) == []


def test_a_check_beside_that_fails_is_made_here(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started, content, out = _built_watching_ahead(site, monkeypatch)

    def broken(*args: object) -> object:
        raise RuntimeError("the process beside fails")

    monkeypatch.setattr(ahead_module, "check", broken)
    checks = recorded(monkeypatch, freshness, "check")
    assert main(["build", "--config", str(site)]) == 0
    assert "Up to date" in capsys.readouterr().out
    path = content / "variant-09.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe weather was mild that day.\n")
    assert main(["build", "--config", str(site)]) == 0
    assert "Built" in capsys.readouterr().out
    assert tree(out) == cold(site, tmp_path) and _beside(out) == []
    if cpu_count() >= 2:
        assert len(checks) == 2, "each build checked here instead"
        assert _linking(started) == []


def test_one_job_checks_beside_but_links_nothing(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, content, out = _built_watching_ahead(site, monkeypatch)
    path = content / "variant-09.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe weather was mild that day.\n")
    checks = recorded(monkeypatch, freshness, "check")
    assert main(["build", "--config", str(site), "--jobs", "1"]) == 0
    assert tree(out) == cold(site, tmp_path) and _beside(out) == []
    assert _linking(started) == []
    if cpu_count() >= 2:
        assert checks == [] and len(started) == 2, "checked beside all the same"


def test_links_ahead_of_a_failed_or_stateless_build_are_deleted(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, content, out = _built_watching_ahead(site, monkeypatch)
    before = tree(out)
    (content / "empty.md").write_text("")
    assert main(["build", "--config", str(site), "--strict"]) == 1
    assert tree(out) == before and _beside(out) == []

    # The state is lost: the output cannot be trusted to match it, nothing is adopted.
    (content / "empty.md").unlink()
    shutil.rmtree(site.parent / FOLDER / "state")
    path = content / "variant-09.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe weather was mild that day.\n")
    assert main(["build", "--config", str(site)]) == 0
    assert tree(out) == cold(site, tmp_path) and _beside(out) == []
    if cpu_count() >= 2:
        assert [a.adopted for a in _linking(started)] == [False, False]


def test_the_state_folder_is_pruned_after_the_answers_are_written(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[object]
) -> None:
    # A rebuild's answers are written by the process beside it after it replied; the
    # build must wait for them before it prunes the state folder (else it deletes
    # files being written, or misses what they replace).
    marker = tmp_path / "written"
    written, finish = StateStore.written, StateStore.finish

    def slow(self: StateStore) -> None:
        time.sleep(0.3)
        written(self)
        marker.write_text("done")

    def checked(self: StateStore) -> None:
        assert not forks or marker.exists(), "pruned while the answers were being written"
        finish(self)

    monkeypatch.setattr(StateStore, "written", slow)
    monkeypatch.setattr(StateStore, "finish", checked)
    build(site, jobs=2)
    path = site.parent / "content" / "variant-09.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe weather was mild that day.\n")
    marker.unlink(missing_ok=True)
    again = build(site, jobs=2)
    assert forks or cpu_count() < 2
    assert 1 <= again.rendered <= 3
    assert not list((site.parent / FOLDER / "state").glob(".*.tmp"))
    third = build(site, jobs=2)  # the state the rebuild wrote is whole: nothing to redo
    assert third.rendered == 0
    assert tree(site.parent / "public") == cold(site, tmp_path)


def _stored_columns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The column files each build writes (names), in the order stored."""
    written: list[str] = []
    store_later = Cache.store_later

    def spy(self: Cache, entries: dict[str, Any]) -> None:
        written.extend(k for k, v in entries.items() if _is_columns(v))
        store_later(self, entries)

    monkeypatch.setattr(Cache, "store_later", spy)
    return written


def _is_columns(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == len(state_module.COLUMNS) + 1


def test_an_edit_rewrites_one_column_file_and_a_lost_one_is_recomputed(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_module, "CHUNK", 2)  # about two articles per file
    written = _stored_columns(monkeypatch)
    build(site, jobs=1)
    first = list(written)
    assert len(first) >= 5
    written.clear()
    path = site.parent / "content" / "variant-09.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe weather was mild that day.\n")
    assert build(site, jobs=1).rendered <= 3
    assert len(written) == 1, "only the file of the edited article is written again"
    assert tree(site.parent / "public") == cold(site, tmp_path)

    folder = site.parent / FOLDER / "state"
    lost = next(n for n in first if (folder / f"{n}.pickle").is_file())
    (folder / f"{lost}.pickle").unlink()
    written.clear()
    build(site, jobs=1)  # the state is ignored: the corpus is made from the analyses
    assert written == [lost], "the others are still there, named by what they hold"
    assert tree(site.parent / "public") == cold(site, tmp_path)


def test_quotation_groups_kept_are_stored_without_looking_up_their_places(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked = recorded(monkeypatch, state_module, "_Places")
    content = site.parent / "content"
    build(site, jobs=1)
    assert len(looked) == 1
    path = content / "variant-09.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe weather was mild that day.\n")
    build(site, jobs=1)
    assert len(looked) == 1, "no quotation changed and the articles are in the same order"
    # A new first article (by id) moves every other one: the places are looked up.
    (content / "aaa-first.md").write_text(
        '---\ntitle: First\nsource: Early Wire\n---\n"The boycott will widen," an official '
        "said on Tuesday about the Beijing Olympics.\n",
        encoding="utf-8",
    )
    build(site, jobs=1)
    assert len(looked) == 2
    path.write_text(path.read_text(encoding="utf-8") + "\nRain followed at night.\n")
    build(site, jobs=1)  # from the state the last build stored
    assert len(looked) == 2
    assert tree(site.parent / "public") == cold(site, tmp_path)


def test_stored_entries_come_back_as_the_records_they_were(site: Path) -> None:
    # Shards hold entries as plain tuples (loaded several times faster than named
    # tuples) and make the records again; a damaged shard is not taken.
    build(site, jobs=1)
    corpus = load_corpus(site)
    entries = corpus.entries
    assert sum(len(e.quotations) for e in entries) > 10
    again = state_module._unpacked(state_module._packed(entries))
    assert again == list(entries)
    assert {type(q) for e in again or () for q in e.quotations} == {state_module.Quotation}
    assert {type(q.ref) for e in again or () for q in e.quotations} == {SentenceRef}
    assert {type(e) for e in again or ()} == {type(entries[0])}
    _, rows, counts, flat = state_module._packed(entries)
    assert state_module._unpacked(("entries 2", rows, counts, flat[:-1])) is None
    assert state_module._unpacked(("entries 2", rows[1:], counts, flat)) is None
    assert state_module._unpacked(tuple(entries)) is None  # the format before


def load_corpus(site: Path) -> Any:
    """The corpus the site's last build stored."""
    from digest.prepare import _ANALYSIS_CONFIG

    config = load_config(site).config
    context = f"{code_fingerprint()}{as_json(config, _ANALYSIS_CONFIG)}"
    return StateStore(site.parent / FOLDER, context.encode()).load().corpus
