import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

import digest.read as reader
from digest.clean import compile_rules
from digest.errors import DigestError
from digest.freshness import Signature, inputs_digest
from digest.read import discover, read_article
from digest.validation import YamlDocument

RULES = compile_rules(())


def read(tmp_path: Path, name: str, text: str | bytes) -> "object":
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return read_article(path, tmp_path, RULES)


def texts(article: object) -> list[str]:
    return [s.text for s in article.sentences]  # type: ignore[attr-defined]


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    article = read(
        tmp_path,
        "harbour.md",
        "---\ntitle: Harbour reopens\ndate: 2023-04-02\nsource: Coastal Post\n"
        "url: https://example.org/harbour\nauthor: A. Writer\ntopics: [Shipping]\n---\n"
        "The harbour reopened on *Sunday* after two weeks. Ferries ran at [full speed](https://example.org/f).\n\n"
        "## Next steps\n\n> Crews will inspect the pier again in May.\n\n- Tolls stay the same.\n",
    )
    assert article.title == "Harbour reopens"
    assert article.date == dt.date(2023, 4, 2)
    assert (article.source, article.author, article.url) == (
        "Coastal Post",
        "A. Writer",
        "https://example.org/harbour",
    )
    assert article.forced_topics == ("shipping",)
    assert texts(article) == [
        "The harbour reopened on Sunday after two weeks.",
        "Ferries ran at full speed.",
        "Next steps",
        "Crews will inspect the pier again in May.",
        "Tolls stay the same.",
    ]
    assert article.sentences[0].html == "The harbour reopened on <em>Sunday</em> after two weeks."
    assert '<a href="https://example.org/f">full speed</a>' in article.sentences[1].html
    assert [b.kind for b in article.blocks] == ["paragraph", "heading", "quote", "item"]


def test_markdown_h1_is_the_title_when_front_matter_has_none(tmp_path: Path) -> None:
    article = read(
        tmp_path, "x.md", "# Storm *closes* roads\n\nSnow fell all night in the hills.\n"
    )
    assert article.title == "Storm closes roads"
    assert texts(article) == ["Snow fell all night in the hills."]


def test_raw_html_and_javascript_links_stay_text(tmp_path: Path) -> None:
    article = read(
        tmp_path,
        "x.md",
        'Officials met <script>alert("x")</script> today. See [this](javascript:alert(1)) now.\n',
    )
    joined = " ".join(s.html for s in article.sentences)
    assert "<script>" not in joined and "&lt;script&gt;" in joined
    assert "<a" not in joined and "href" not in joined


def test_pasted_text_headline_with_section_suffix_and_no_source(tmp_path: Path) -> None:
    article = read(
        tmp_path,
        "0042_clip.txt",
        "Rail strike halts trains across the north | UK news\n\n"
        "Train drivers walked out on Monday. Services will resume on Wednesday.\n",
    )
    assert article.title == "Rail strike halts trains across the north"
    assert article.source == "0042_clip"
    assert article.id == "0042-clip"
    assert texts(article) == [
        "Train drivers walked out on Monday.",
        "Services will resume on Wednesday.",
    ]


def test_date_marker_glued_to_the_first_sentence_is_metadata(tmp_path: Path) -> None:
    article = read(
        tmp_path, "a.txt", " date 2021-11-05 Farmers protested in the capital on Friday.\n"
    )
    assert article.date == dt.date(2021, 11, 5)
    assert texts(article) == ["Farmers protested in the capital on Friday."]


def test_impossible_date_marker_is_an_error_with_a_line(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="not a real date") as info:
        read(tmp_path, "a.txt", "date 2022-02-30 Something happened.\n")
    assert info.value.line == 1


def test_title_from_the_lead_sentence_without_a_headline(tmp_path: Path) -> None:
    lead = (
        "The city council approved a budget on Tuesday that doubles spending on bus lanes "
        "and cuts the parking fund by a third over the next two years."
    )
    article = read(tmp_path, "a.txt", lead + "\nIt passed by six votes.\n")
    assert article.title.endswith("…") and len(article.title) <= 91
    assert lead.startswith(article.title[:-1])
    assert texts(article)[0] == lead


def test_one_paragraph_per_line_and_hard_wrapped_paragraphs(tmp_path: Path) -> None:
    per_line = read(tmp_path, "a.txt", "First line is a sentence.\nSecond line is another.\n")
    assert len(per_line.blocks) == 2  # type: ignore[attr-defined]
    wrapped = read(
        tmp_path, "b.txt", "A long sentence that\nwraps over lines.\n\nA second\nparagraph here.\n"
    )
    assert texts(wrapped) == ["A long sentence that wraps over lines.", "A second paragraph here."]


def test_boilerplate_lines_are_dropped(tmp_path: Path) -> None:
    article = read(
        tmp_path,
        "a.txt",
        "Divers found the wreck in June.\nPhoto: Harbour Agency\n(Image: AFP)\n"
        "The photo shows the bow.\nShare this article\nLeave a Reply\n"
        "Your email address will not be published. Required fields are marked *\n",
    )
    assert texts(article) == ["Divers found the wreck in June.", "The photo shows the bow."]


def test_front_matter_errors_name_the_file_line(tmp_path: Path) -> None:
    with pytest.raises(DigestError) as info:
        read(tmp_path, "a.md", "---\ntitle: ok\ndate: yesterday\n---\nText.\n")
    assert info.value.line == 3 and "date" in info.value.message
    with pytest.raises(DigestError) as info:
        read(tmp_path, "b.md", "---\ntitle: ok\ncolour: red\n---\nText.\n")
    assert info.value.line == 3 and "unknown key 'colour'" in info.value.message
    with pytest.raises(DigestError, match="web address"):
        read(tmp_path, "c.md", "---\nurl: javascript:alert(1)\n---\nText.\n")


def test_windows_1252_text_is_decoded_not_replaced(tmp_path: Path) -> None:
    data = "\u201cWe will rebuild,\u201d the mayor of Orl\u00e9ans said.\r\n".encode("cp1252")
    article = read(tmp_path, "a.txt", data)
    assert texts(article) == ["\u201cWe will rebuild,\u201d the mayor of Orl\u00e9ans said."]


def test_binary_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="not a text file"):
        read(tmp_path, "a.txt", b"\x89PNG\r\n\x1a\n\0\0\0")


@pytest.mark.parametrize("looked", [False, True], ids=["walked", "from the no-op check"])
def test_discover_skips_hidden_and_underscore_files(tmp_path: Path, looked: bool) -> None:
    names = ("b.md", "a.txt", ".hidden.md", "_draft/x.md", "notes.pdf", "sub/c.markdown")
    names += ("sub/.git/d.md", "sub/a-b.md", "sub-z.md", "C.MD")
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Text.", encoding="utf-8")
    listed = None
    if looked:  # what the no-op check saw of the folder: every file, with its signature
        folders: dict[str, Mapping[str, Signature]] = {}
        inputs_digest(tmp_path / "config.yaml", [str(tmp_path)], {}, folders)
        listed = folders[str(tmp_path)]
        assert "_draft/x.md" in listed and "notes.pdf" in listed
    found = discover(tmp_path, None, listed)
    assert [Path(p).relative_to(tmp_path).as_posix() for p in found] == [
        "C.MD",
        "a.txt",
        "b.md",
        "sub-z.md",
        "sub/a-b.md",
        "sub/c.markdown",
    ]


@pytest.mark.parametrize(
    "body",
    [
        "One.\nStill one.\n\nTwo.\n \t\nThree\u00a0\n\u00a0\n\n\n",
        "A\n    indented is lazy continuation\n\n    code",
        "A\n\u2028    x",
        "Para\n===\n\nPara\n---",
        "Para\n- item\n\n* item\n\n+ item\n\n1. one\n\n2) two",
        "# Head\n\n> quote\n\n```\ncode\n```\n\n~~~\nx\n~~~\n\n<div>x</div>\n\n[a]: /url",
        "***\n\n_ _ _\n\n*emphasis* and _this_\n\n-dash +plus =equals #tag",
        "Line\rline",
    ],
)
def test_plain_paragraphs_read_as_markdown_it_reads_them(
    body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bodies without block syntax skip markdown-it; where that shortcut is taken, the
    blocks must be markdown-it's."""
    fast = reader._markdown_blocks(body)
    monkeypatch.setattr(reader, "_BLOCK_START", re.compile(""))  # always markdown-it
    assert fast == reader._markdown_blocks(body)


@pytest.mark.parametrize(
    "front",
    [
        "",
        'title: "A: #1 & \'more\' … “quoted”"\ndate: 2000-03-16\nsource: "Daily"\n',
        'url: https://example.org/a/b?c=d&e=f%20g~h\nauthor: "  spaced  "\nslug: "x"\n',
        'title: "tab\there"\n',
        'title: "line\u2028break"\n',
        'title: "esc\\"aped"\n',
        "date: 2022-02-30\n",
        'title: ""\n',
        'title: "a"\ntitle: "b"\n',
        "url: https://example.org/x:\n",
        'title: "x" # comment\n',
        "draft: true\ntopics: [a, b]\n",
    ],
)
def test_simple_front_matter_reads_as_yaml_does(front: str) -> None:
    """Front matter of quoted text, dates and addresses is read without YAML; when that
    shortcut answers, it is what YAML and the model make of the same lines."""
    fast = reader._simple_front_matter(front)
    if fast is not None:
        doc = YamlDocument(front, Path("x.md"), first_line=2)
        assert fast == doc.validate(reader.FrontMatter, what="front matter")


@pytest.mark.parametrize(
    "fragment",
    ['ANKARA (AP) _ The "head" said _ twice.', "_ leading and trailing _", "a _ _ b", "x_y"],
)
def test_spaced_underscores_render_as_markdown_it_renders_them(fragment: str) -> None:
    """Wire copy's " _ " dash skips markdown-it; it must come out as markdown-it's."""
    tokens = reader._MD.parseInline(fragment)
    text = "".join(reader._plain(c) for t in tokens for c in (t.children or []))
    rendered = reader._MD.renderer.render(tokens, reader._MD.options, {})
    assert reader._render(fragment) == (" ".join(text.split()), rendered)
