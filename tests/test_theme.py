"""Theme inheritance: the bundled newsletter theme extends the default one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from digest import render
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
    render.compile_templates(theme)  # what a parallel render does before it forks
    env = render.page_environment(theme)
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
    render.compile_templates(theme)
    env = render.page_environment(theme)
    assert env.cache is not None
    compiled = {name for _, name in env.cache}
    assert "topic.html" in compiled and "default/topic.html" not in compiled
    # A site's templates/ may extend "default/base.html": those are compiled too.
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base.html").write_text(
        '{% extends "default/base.html" %}\n', encoding="utf-8"
    )
    theme = load_theme("default", tmp_path)
    render.compile_templates(theme)
    env = render.page_environment(theme)
    assert env.cache is not None
    compiled = {name for _, name in env.cache}
    assert {"base.html", "default/base.html", "default/topic.html"} <= compiled


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
