import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from jinja2 import pass_context
from jinja2.runtime import Context

from digest.errors import DigestError
from digest.render import environment, linker, relative_url, render_page
from digest.site import Page
from digest.theme import Theme


@pytest.mark.parametrize(
    ("page", "target", "expected"),
    [
        ("index.html", "static/style.css", "static/style.css"),
        ("articles/a.html", "static/style.css", "../static/style.css"),
        ("articles/a.html", "topics/t.html", "../topics/t.html"),
        ("articles/a.html", "articles/b.html#s3", "b.html#s3"),
        ("articles/a.html", "articles/a.html#s3", "a.html#s3"),
        ("topics/t.html", "index.html", "../index.html"),
        ("index.html", "#top", "index.html#top"),
        ("editions/2024-05-02/page-2.html", "editions/2024-05-02.html", "../2024-05-02.html"),
        ("topics/t/page-2.html", "articles/a.html#s1", "../../articles/a.html#s1"),
        ("topics/t/page-2.html", "topics/t/page-3.html", "page-3.html"),
        ("topics/t.html", "./", "../"),
        ("topics/t.html", "topics/../index.html", "../index.html"),
    ],
)
def test_relative_url(page: str, target: str, expected: str) -> None:
    assert relative_url(page, target) == expected
    # Pages get `url()` bound to themselves; it must answer the same.
    site: Any = SimpleNamespace(base_url="https://user.github.io/repo/")
    assert linker(page, site)(target) == expected


def test_the_404_page_links_absolutely_when_there_is_a_base_url() -> None:
    site: Any = SimpleNamespace(base_url="https://user.github.io/repo/")
    assert linker("404.html", site)("static/style.css") == (
        "https://user.github.io/repo/static/style.css"
    )
    site = SimpleNamespace(base_url="")
    assert linker("404.html", site)("static/style.css") == "static/style.css"


def test_calls_from_templates_answer_as_jinja_does(tmp_path: Path) -> None:
    """Pages skip Jinja's check for what to pass a callable (`url()`, macros, built-in
    methods); a function that asks for the context still gets it."""
    (tmp_path / "page.html").write_text(
        "{% macro m(x, y=1) %}{{ x }}-{{ y }}{% endmacro %}"
        "{% for t in ['a.html', 'b.html#s1'] %}{{ url(t) }} {{ m(t, y=2) }} {% endfor %}"
        "{{ when.isoformat() }} {{ page_of() }} {{ url(target='c.html') }}",
        encoding="utf-8",
    )
    env = environment(Theme("t", (tmp_path,), ()))

    @pass_context
    def page_of(context: Context) -> str:
        return str(context["page"].path)

    env.globals.update(page_of=page_of)
    page = Page("topics/t.html", "page.html", "T", ("topic",))
    site: Any = SimpleNamespace(base_url="")
    html = render_page(env, page, site, {"when": dt.date(2024, 5, 2)})
    assert html.decode() == (
        "../a.html a.html-2 ../b.html#s1 b.html#s1-2 2024-05-02 topics/t.html ../c.html"
    )


def test_values_are_written_as_jinja_writes_them(tmp_path: Path) -> None:
    """Pages compile `{{ value }}` to a leaner escape than Jinja's; the bytes are the same
    for every kind of value, in and out of autoescaping."""

    class Html:
        def __html__(self) -> str:
            return "<b>safe</b>"

    class Text(str):
        pass

    source = (
        "{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}{% set block %}{{ s }}{% endset %}"
        "{{ s }} {{ m(s) }} {{ s|safe }} {{ n }} {{ none }} {{ html }} {{ text }} {{ block }}"
        " {{ [s] }} {% autoescape false %}{{ s }}{% endautoescape %}"
        " {{ d.key }} {{ d.items }} {{ d.key.upper() }} {{ html.__html__() }} {{ n.real }}"
        "{% for x in [d, d] %}{{ loop.index }}{{ x.key }}{% endfor %}"
        " {{ html|safe }} {{ n|safe }} {{ none|safe }} {{ text|safe }} {{ (s ~ 1)|safe }}"
        " {{ '<b>'|safe }} {{ s|safe|upper }} {{ s|upper|safe }}"
        "{% autoescape flag %}{{ s }}{% endautoescape %}"
    )
    (tmp_path / "page.html").write_text(source, encoding="utf-8")
    values = {
        "s": "<a href='x'>&\"",
        "n": 3.5,
        "none": None,
        "html": Html(),
        "text": Text("<"),
        "d": {"key": "<k>", "items": "i"},
    }
    for flag in (True, False):
        expected = jinja2.Environment(autoescape=True).from_string(source)
        page = Page("index.html", "page.html", "T", ("index",))
        site: Any = SimpleNamespace(base_url="")
        env = environment(Theme("t", (tmp_path,), ()))
        html = render_page(env, page, site, {**values, "flag": flag}).decode()
        assert html == expected.render(**values, flag=flag, url=None, page=page, site=site)


def test_a_missing_attribute_is_reported_as_jinja_reports_it(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("{{ d.nope }}", encoding="utf-8")
    expected = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string("{{ d.nope }}")
    with pytest.raises(jinja2.UndefinedError) as jinja_error:
        expected.render(d={})
    env = environment(Theme("t", (tmp_path,), ()))
    page = Page("index.html", "page.html", "T", ("index",))
    site: Any = SimpleNamespace(base_url="")
    with pytest.raises(DigestError, match=f"template error in page.html: {jinja_error.value}"):
        render_page(env, page, site, {"d": {}})


def test_a_theme_using_all_of_jinja_renders_as_under_plain_jinja(tmp_path: Path) -> None:
    """The page environment compiles calls, attributes and output its own way; call
    blocks, recursive loops, namespaces, filter blocks, includes, imports and super()
    still give plain Jinja's bytes."""
    templates = {
        "base.html": "<title>{% block title %}T{{ page.title }}{% endblock %}</title>\n"
        "{% block body %}{% endblock %}\n",
        "inc.html": "[inc {{ url('x/y.html#z') }} {{ page.path }}]\n",
        "mac.html": "{% macro box(x, cls='b') %}<div class=\"{{ cls }}\">{{ x }}"
        "{{ caller() if caller is defined else '' }}</div>{% endmacro %}\n"
        "{% macro rec(n) %}{{ n }}{% if n > 0 %},{{ rec(n - 1) }}{% endif %}{% endmacro %}\n",
        "page.html": """{% extends "base.html" %}
{% from "mac.html" import box, rec with context %}
{% block title %}{{ super() }} · {{ page.title|upper }}{% endblock %}
{% block body %}
{% set ns = namespace(total=0) %}
{% for item in items recursive %}{% set ns.total = ns.total + 1 %}LOOP{% endfor %}
total {{ ns.total }}
{% call box('<x>', cls='c') %}inside {{ url('a.html') }}{% endcall %}
{{ box(url('b.html'), cls=items[0].name) }} {{ rec(3) }}
{% set u = url('c/d.html') %}{{ u }} {{ items|map(attribute='name')|join('|') }} {{ d['k'] }}
{% include "inc.html" %}
{% with q = items|first %}{{ q.name }}{% endwith %}
{{ "%s-%s"|format(page.path, url('#top')) }} {{ (items|length) ~ "x" }}
{% for a, b in d.items() %}{{ a }}={{ b }}{% endfor %} {{ [1, 2, 3]|sum }}
{% filter upper %}{{ page.title }} {{ url('f.html') }}{% endfilter %}
{% autoescape false %}{{ '<raw>' }}{{ d.k|safe }}{% endautoescape %}
{% endblock %}
""",
    }
    loop = (
        "<li class=\"{{ loop.cycle('a', 'b') }}\">{{ item.name }}{{ url(item.href) }}"
        "{% if item.kids %}<ul>{{ loop(item.kids) }}</ul>{% endif %}</li>"
    )
    for name, text in templates.items():
        (tmp_path / name).write_text(text.replace("LOOP", loop), encoding="utf-8")
    site: Any = SimpleNamespace(base_url="")
    page = Page("topics/t.html", "page.html", "<T&>", ("topic",))
    kids = [{"name": "k", "href": "k.html", "kids": []}]
    items = [
        {"name": "n<1>", "href": "articles/a.html#s1", "kids": kids},
        {"name": "n2", "href": "b.html", "kids": []},
    ]
    values = {"items": items, "d": {"k": "<v>"}}
    plain = jinja2.Environment(
        loader=jinja2.FileSystemLoader(tmp_path),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    url = linker(page.path, site)
    expected = plain.get_template("page.html").render(page=page, site=site, url=url, **values)
    env = environment(Theme("t", (tmp_path,), ()))
    assert render_page(env, page, site, values).decode() == expected
    assert "inside ../a.html" in expected
