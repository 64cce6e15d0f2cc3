"""Properties that must hold for any input, checked with Hypothesis.

Whatever a user pastes into content/, the reader either returns an Article or raises a
DigestError (never a crash with a traceback); sentences lose no character; slugs are safe
path segments; and whatever markup the text holds, a sentence's HTML carries no script,
event handler or script URL.
"""

from __future__ import annotations

import os
import re
import tempfile
import textwrap
import warnings
from itertools import pairwise
from pathlib import Path

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.clean import compile_rules, is_furniture, take_date_marker
from digest.errors import DigestError
from digest.models import Article
from digest.read import read_article
from digest.sentences import sentence_spans, split_sentences
from digest.slugs import slugify

SAFE_SEGMENT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RULES = compile_rules([r"Follow .* on Twitter"])
SETTINGS = settings(
    max_examples=int(os.environ.get("DIGEST_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Pieces that exercise the reader's branches far more often than uniform text would.
PIECES = st.sampled_from(
    [
        "---\n",
        "title: ",
        "date: ",
        "2022-02-30",
        "2024-03-04T10:00:00+08:00",
        "topics: ",
        "slug: ",
        "../",
        "[",
        "]",
        "{",
        "}",
        "- ",
        ": ",
        "'",
        '"',
        "!!python/object ",
        "&a ",
        "*a ",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        " ",
        "# ",
        "> ",
        "```\n",
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "![i](data:text/html,x)",
        "<javascript:alert(1)>",
        "**",
        "_",
        "`",
        "\\",
        "&amp;",
        "&#0;",
        "\u2026",
        "\u201c",
        "\u201d",
        "U.S. ",
        "Mr. ",
        "...",
        "?!",
        "date 2022-01-27 ",
        "Photo: Reuters",
        "Read more",
        "\ufeff",
        "\x00",
        "\x0c",
        "\x85",
        "\u2028",
        "\U0001f600",
        "北京",
        "é",
    ]
)
TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=40).map("".join),
)
DATA = st.one_of(
    st.binary(max_size=300),
    TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass")),
    TEXTS.map(lambda t: t.encode("cp1252", "ignore")),
)

ALLOWED_TAGS = {"a", "em", "strong", "code", "img", "br"}


def read_bytes(data: bytes, name: str) -> Article | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return read_article(path, Path(folder), RULES)
        except DigestError:
            return None


def assert_safe_html(fragment: str) -> None:
    # A generated sentence may look like a file name or URL to Beautiful Soup, which
    # then warns; it is parsed as HTML all the same.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in ALLOWED_TAGS, fragment
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), fragment
            target = str(value).strip().lower()
            assert not target.startswith(("javascript:", "vbscript:", "data:text")), fragment


@SETTINGS
@given(data=DATA, name=st.sampled_from(["a.md", "a.txt", "a.markdown"]))
@example(data=b"---\ndate: 2022-02-30\n---\nText.\n", name="a.md")
@example(data=b"---\ntitle: " + b"[" * 3000 + b"\n---\nText.\n", name="a.md")
@example(data=b"---\na: &x [*x]\n---\nText.\n", name="a.md")
@example(data=b",\n```\n !", name="a.md")
@example(data=b"Text.\n\n```\n    deep\n  shallow\n\n```\n", name="a.md")
def test_the_reader_returns_an_article_or_a_digest_error(data: bytes, name: str) -> None:
    article = read_bytes(data, name)
    if article is None:
        return
    assert SAFE_SEGMENT.fullmatch(article.id)
    assert article.title
    assert article.sentences
    for sentence in article.sentences:
        if article.blocks[sentence.block].kind == "code":
            # code keeps its indentation, but no margin and no blank first or last line
            assert sentence.text == textwrap.dedent(sentence.text).strip("\n").rstrip()
        else:
            assert sentence.text and sentence.text == sentence.text.strip()
        assert "\x00" not in sentence.text
        assert_safe_html(sentence.html)
    for slug in article.forced_topics:
        assert SAFE_SEGMENT.fullmatch(slug)


@SETTINGS
@given(text=TEXTS)
def test_the_cleaner_never_fails(text: str) -> None:
    is_furniture(text, RULES)
    date, rest, problem = take_date_marker(text)
    assert text.endswith(rest)
    assert date is None or problem is None


@SETTINGS
@given(text=TEXTS)
@example(text="." * 5000)
def test_splitting_loses_no_character(text: str) -> None:
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert [c for c in "".join(sentences) if not c.isspace()] == [
        c for c in text if not c.isspace()
    ]
    spans = sentence_spans(text)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


@SETTINGS
@given(text=TEXTS, fallback=st.sampled_from(["article", "topic"]))
@example(text="..", fallback="article")
@example(text="../../etc/passwd", fallback="article")
@example(text="北京", fallback="topic")
def test_slugs_are_safe_path_segments(text: str, fallback: str) -> None:
    slug = slugify(text, fallback)
    assert SAFE_SEGMENT.fullmatch(slug), slug
    assert len(slug) <= 80
    assert slug == slugify(text, fallback)


def test_names_in_other_scripts_get_distinct_slugs() -> None:
    assert slugify("北京", "topic") != slugify("上海", "topic")
    assert slugify("北京", "topic").startswith("topic-")
    assert slugify("?!…", "topic") == "topic"
    assert slugify("..", "") == ""
