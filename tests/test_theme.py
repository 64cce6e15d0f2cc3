"""Theme inheritance: the bundled newsletter theme extends the default one."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from digest import publish
from digest.build import build
from digest.errors import DigestError
from digest.theme import BUNDLED, load_theme
from tests.conftest import copy_example


def read(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def newsletter_example(tmp_path: Path) -> Path:
    config = copy_example(tmp_path)
    text = config.read_text(encoding="utf-8").replace("theme: default", "theme: newsletter")
    config.write_text(text, encoding="utf-8")
    return config


def test_the_newsletter_theme_overrides_the_home_page_and_inherits_the_rest(
    tmp_path: Path,
) -> None:
    out = build(newsletter_example(tmp_path)).output_dir
    home = read(out, "index.html")
    # the override: the home page is an issue with its contents
    contents = home.select_one("nav.in-this-issue")
    assert contents is not None and contents.h2.get_text() == "In this issue"
    anchors = [a["href"] for a in contents.find_all("a")]
    assert anchors == ["#topic-olympics-boycott", "#topic-ukraine", "#topic-taiwan"]
    assert all(home.find(id=a[1:]) for a in anchors)
    # inherited: article, archive and search pages are the default theme's templates
    article = next((out / "articles").glob("002-*.html")).relative_to(out).as_posix()
    assert read(out, article).select_one("section.full-text") is not None
    assert read(out, "archive.html").h1.get_text() == "Archive"
    assert read(out, "search.html").find("form", role="search") is not None
    # base.html extends the default base.html: default styles first, then the theme's
    for page in ("index.html", article, "search.html"):
        sheets = [
            link["href"].rsplit("/", 1)[-1]
            for link in read(out, page).find_all("link", rel="stylesheet")
        ]
        assert sheets == ["style.css", "newsletter.css"], page
    assert (out / "static" / "style.css").is_file() and (
        out / "static" / "newsletter.css"
    ).is_file()


def test_the_newsletter_chain_names_each_theme(tmp_path: Path) -> None:
    theme = load_theme("newsletter", tmp_path)
    assert theme.template_dirs == (
        BUNDLED / "newsletter" / "templates",
        BUNDLED / "default" / "templates",
    )
    assert [name for name, _ in theme.named_template_dirs] == ["newsletter", "default"]


def test_a_site_template_overrides_one_page_of_a_theme(tmp_path: Path) -> None:
    config = newsletter_example(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "sources.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Our outlets</h1>'
        "{% for s in sources %}<p>{{ s.name }}</p>{% endfor %}{% endblock %}",
        encoding="utf-8",
    )
    out = build(config).output_dir
    sources = read(out, "sources.html")
    assert sources.h1.get_text() == "Our outlets" and len(sources.select("main p")) == 5
    # the site's template still sits inside the newsletter look
    assert sources.find("link", href="static/newsletter.css") is not None
    assert read(out, "index.html").select_one("nav.in-this-issue") is not None


def test_a_template_edited_between_builds_in_one_process_is_used(tmp_path: Path) -> None:
    # As `digest serve` does: builds in one process, a template edited in between.
    # Environments skip Jinja's per-page file check, so each build must start afresh.
    config = newsletter_example(tmp_path)
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "sources.html"
    for heading in ("Our outlets", "Who we read"):
        template.write_text(
            f'{{% extends "base.html" %}}{{% block main %}}<h1>{heading}</h1>{{% endblock %}}',
            encoding="utf-8",
        )
        out = build(config, jobs=1).output_dir
        assert read(out, "sources.html").h1.get_text() == heading


def test_the_readme_example_extends_the_template_it_replaces(tmp_path: Path) -> None:
    config = copy_example(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base.html").write_text(
        '{% extends "default/base.html" %}\n'
        "{% block styles %}{{ super() }}"
        '<link rel="stylesheet" href="{{ url(\'static/site.css\') }}">{% endblock %}\n',
        encoding="utf-8",
    )
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.css").write_text("body { color: teal; }\n", encoding="utf-8")
    out = build(config).output_dir
    topic = read(out, "topics/taiwan.html")
    sheets = [link["href"] for link in topic.find_all("link", rel="stylesheet")]
    assert sheets == ["../static/style.css", "../static/site.css"]
    assert topic.h1.get_text() == "Taiwan" and (out / "static" / "site.css").is_file()


def test_a_broken_template_is_an_error_naming_its_line_only_when_a_page_uses_it(
    tmp_path: Path,
) -> None:
    config = copy_example(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "unused.html").write_text("<p>{% if %}</p>\n", encoding="utf-8")
    out = build(config).output_dir
    assert read(out, "sources.html").h1 is not None
    (tmp_path / "templates" / "sources.html").write_text(
        '{% extends "base.html" %}\n{% block main %}{% for s in %}{% endblock %}\n',
        encoding="utf-8",
    )
    with pytest.raises(DigestError) as raised:
        build(config)
    assert raised.value.path is not None and raised.value.path.name == "sources.html"
    assert raised.value.line == 2 and "template error" in raised.value.message


def test_templates_compiled_before_workers_fork_skip_a_broken_one(tmp_path: Path) -> None:
    copy_example(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "unused.html").write_text("<p>{% if %}</p>\n", encoding="utf-8")
    theme = load_theme("default", tmp_path)
    publish.compile_templates(theme)  # what a parallel render does before it forks
    env = publish._environment(theme)
    assert env.cache is not None
    compiled = {name for _, name in env.cache}
    assert {"article.html", "topic.html", "base.html", "_macros.html"} <= compiled
    assert "unused.html" not in compiled


def test_templates_are_compiled_once_unless_an_override_may_name_the_themes_own(
    tmp_path: Path,
) -> None:
    # A theme on its own: each template once, under its plain name.
    copy_example(tmp_path)
    theme = load_theme("default", tmp_path)
    publish.compile_templates(theme)
    env = publish._environment(theme)
    assert env.cache is not None
    compiled = {name for _, name in env.cache}
    assert "topic.html" in compiled and "default/topic.html" not in compiled
    # A site's templates/ may extend "default/base.html": those are compiled too.
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base.html").write_text(
        '{% extends "default/base.html" %}\n', encoding="utf-8"
    )
    theme = load_theme("default", tmp_path)
    publish.compile_templates(theme)
    env = publish._environment(theme)
    assert env.cache is not None
    compiled = {name for _, name in env.cache}
    assert {"base.html", "default/base.html", "default/topic.html"} <= compiled


def _where(chunk: list[object]) -> list[object]:
    return [(os.getpid(), item) for item in chunk]


class _Folder(publish.MemorySink):
    """A sink whose files forked workers' writes would reach, as a folder's do: these
    tests' tasks write nothing."""

    shared = True


def _job(tmp_path: Path, sink: publish.Sink | None = None) -> publish.Job:
    theme = load_theme("default", tmp_path)
    return publish.Job(None, theme, None, sink or _Folder(), None)  # type: ignore[arg-type]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_render_chunks_are_shared_and_each_done_once(tmp_path: Path) -> None:
    # Chunks go to whichever process is free: every item once, by both processes.
    items = list(range(400))
    done = list(publish._run(_where, items, _job(tmp_path), 2))  # type: ignore[arg-type]
    assert sorted(item for _, item in done) == items
    assert len({pid for pid, _ in done}) == 2 and os.getpid() in {pid for pid, _ in done}


def _writing(chunk: list[object]) -> list[object]:
    """A render task that writes one page per item into the job's sink."""
    job = publish._job
    assert job is not None
    for item in chunk:
        job.sink.write(f"page-{item}.html", str(os.getpid()).encode())
    return list(chunk)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_pages_a_worker_renders_for_memory_are_sent_back(tmp_path: Path) -> None:
    # `digest check` and `serve` render into memory, which a worker's own writes would
    # never reach: its pages come back with its results.
    sink = publish.MemorySink()
    done = list(publish._run(_writing, list(range(400)), _job(tmp_path, sink), 2))  # type: ignore[arg-type]
    assert sorted(done) == list(range(400))  # type: ignore[type-var]
    assert sorted(sink.files) == sorted(f"page-{n}.html" for n in range(400))
    assert len({data for data in sink.files.values()}) == 2  # both processes rendered


def _waiting(chunk: list[object]) -> list[object]:
    """A render task whose first chunk in each process marks that it started, then
    waits (2 s at most) for `first` to have run; each item says whether it had."""
    folder = Path(str(chunk[0][0]))  # type: ignore[index]
    mine = folder / f"started-{os.getpid()}"
    if not mine.exists():
        mine.touch()
        deadline = time.monotonic() + 2
        while not (folder / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    ran = (folder / "go").exists()
    return [(os.getpid(), ran, item) for _, item in chunk]  # type: ignore[misc]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_first_runs_here_while_the_worker_renders(tmp_path: Path) -> None:
    # The build process makes digest.json and the search index (`first`) while the
    # worker renders list pages: `first` sees the worker at work (not before it
    # started) and the worker sees `first` done (not after it finished).
    items = [(str(tmp_path), n) for n in range(400)]
    worker_seen: list[bool] = []

    def first() -> None:
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not any(tmp_path.glob("started-*")):
            time.sleep(0.01)
        worker_seen.append(any(tmp_path.glob("started-*")))
        (tmp_path / "go").touch()

    done = list(publish._run(_waiting, items, _job(tmp_path), 2, first))  # type: ignore[arg-type]
    assert worker_seen == [True]
    assert sorted(item for _, _, item in done) == list(range(400))
    assert len({pid for pid, _, _ in done}) == 2
    assert all(ran for _, ran, _ in done)  # no process waited for it in vain


@pytest.mark.parametrize("count", [0, 3])
def test_first_runs_once_when_pages_are_too_few_for_workers(tmp_path: Path, count: int) -> None:
    # No list page to render (a rebuild that kept them all) still makes the other files.
    calls: list[int] = []
    items = list(range(count))
    done = list(publish._run(_where, items, _job(tmp_path), 2, lambda: calls.append(1)))  # type: ignore[arg-type]
    assert calls == [1] and [item for _, item in done] == items


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for a render worker")
def test_a_failure_in_first_leaves_no_worker_or_thread(tmp_path: Path) -> None:
    def first() -> None:
        raise OSError("disk full")

    threads = threading.active_count()
    with pytest.raises(OSError, match="disk full"):
        list(publish._run(_where, list(range(400)), _job(tmp_path), 2, first))  # type: ignore[arg-type]
    assert multiprocessing.active_children() == []
    assert threading.active_count() == threads


def test_chunks_shrink_towards_the_end_of_a_pass() -> None:
    # No process is left with a large last chunk while the others wait.
    sizes = [len(c) for c in publish._chunks(list(range(1000)), 2)]
    assert sum(sizes) == 1000
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == 100 and sizes[-1] <= 4


def test_templates_compiled_by_one_build_are_taken_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    from digest.cache import FOLDER
    from tests.conftest import recorded

    config = copy_example(tmp_path)
    out = build(config, jobs=1).output_dir
    compiled = config.parent / FOLDER / "templates"
    assert sorted(p.suffix for p in compiled.iterdir()) == [".cache"] * len(
        list(compiled.iterdir())
    )
    stale = compiled / "0000000000000000-left-by-an-older-digest.cache"
    stale.write_bytes(b"old")
    compiles = recorded(monkeypatch, jinja2.Environment, "compile")
    shutil.rmtree(out)  # every page is rendered again
    build(config, jobs=1)
    assert compiles == []
    assert not stale.exists()
    # A template the site overrides is compiled from its own source.
    own = config.parent / "templates" / "404.html"
    own.parent.mkdir()
    source = (BUNDLED / "default" / "templates" / "404.html").read_text(encoding="utf-8")
    own.write_text(source.replace("</h1>", " (ours)</h1>", 1), encoding="utf-8")
    build(config, jobs=1)
    assert [call[2] for call in compiles] == ["404.html"]
    assert "(ours)</h1>" in (out / "404.html").read_text(encoding="utf-8")
    # Without the cache nothing is kept.
    shutil.rmtree(config.parent / FOLDER)
    build(config, jobs=1, use_cache=False)
    assert not (config.parent / FOLDER).exists()
