"""Content files -> `Article`: Markdown with front matter, or text pasted from the web.

Both formats end in the same model: blocks (paragraphs, headings, quotes, list items) of
verbatim sentences, furniture removed. Sentences are split on the source text of each
block so that a sentence's plain text and its inline HTML come from the same characters.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import os
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from markdown_it import MarkdownIt
from markdown_it.token import Token

from digest import schema
from digest.clean import all_furniture, is_furniture, take_date_marker
from digest.errors import DigestError
from digest.models import Article, Block, BlockKind, Sentence
from digest.schema import Before, Bounds, Check, as_list
from digest.sentences import sentence_spans
from digest.slugs import slugify
from digest.validation import YamlDocument

SUFFIXES = (".md", ".markdown", ".txt")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_MATTER_OPEN = re.compile(r"\A---[ \t]*\n")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_ADD_TEXT = "add the article text or move the file out of the content folder"
_SECTION_SUFFIX = re.compile(r"\s+\|\s+[^|]{1,60}\Z")
_TERMINAL = re.compile(r"[.!?…:;,\"”’'»)]\s*\Z")
# Characters that can change how Markdown renders a fragment; without them a fragment
# renders to its own escaped text and the (slow) Markdown parser can be skipped.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>&]")
_NOT_UNDERSCORE = re.compile(r"[\\`*\[\]<>&]")
_HEADLINE_MAX_WORDS = 25
# A line that may start a block other than a paragraph, or end one: indented (code, or a
# marker after spaces), a heading, quote, fence, HTML, link reference definition, list
# item, thematic break or setext underline. A body without one (searched after a line end:
# a literal first character lets the regex skip ahead) or a carriage return (a line end to
# markdown-it) is only paragraphs, split at blank lines (spaces and tabs, as CommonMark).
_BLOCK_START = re.compile(
    r"\n(?:[ \t]+[^ \t\n]|[#>`~<\[|]|[*+-](?:[ \t]|$)|\d+[.)]|[-_*=][-_*= \t]*$)", re.MULTILINE
)
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
# A front matter line as most files write it, which YAML reads as exactly this text: a
# double-quoted string without escape, quote, line break or refused character; a date;
# a web address in plain characters.
_SIMPLE_LINE = re.compile(
    r'([a-z]+): (?:"([^"\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]*)"'
    r"|(\d{4})-(\d{2})-(\d{2})|(https?://[\w./?=&%+~-]+))"
)
_QUOTED_KEYS = frozenset({"title", "source", "author", "slug"})


def _date_part(value: object) -> object:
    # The digest is dated by day, the day the source printed: a date-time (YAML's
    # 2022-01-27 10:00+08:00, or the same quoted) keeps its own calendar day and
    # drops the time and the zone, rather than shifting to UTC and another day.
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool):
        # 20220127 is a number to YAML; read as seconds since 1970 it is a wrong date.
        raise ValueError("write the date as YYYY-MM-DD")
    return value


def _web_url(value: str) -> str:
    if not re.match(r"^https?://\S+$", value):
        raise ValueError("must be a web address starting with http:// or https://")
    return value


@dataclass(frozen=True, kw_only=True)
class FrontMatter:
    """The keys an article's front matter may set (checked by `schema.py`)."""

    title: Annotated[str, Bounds(min_length=1)] | None = None
    date: Annotated[dt.date | None, Before(_date_part)] = None
    source: Annotated[str, Bounds(min_length=1)] | None = None
    url: Annotated[str, Check(_web_url)] | None = None
    author: str | None = None
    topics: Annotated[tuple[str, ...], Before(as_list)] = ()
    slug: str | None = None
    draft: bool = False
    """Left out of the site unless built with `--drafts`."""


@dataclass(frozen=True)
class _RawBlock:
    kind: BlockKind
    source: str
    """Markdown source (or plain text) of the block, on one line."""
    markdown: bool
    level: int = 0

    @functools.cached_property
    def spans(self) -> list[tuple[int, int]]:
        """Where its sentences are in `source`: a heading or code block is one."""
        if self.kind in ("heading", "code"):
            return [(0, len(self.source))]
        return sentence_spans(self.source)


def _is_furniture(block: _RawBlock, rules: tuple[re.Pattern[str], ...]) -> bool:
    if block.kind in ("heading", "code"):
        return is_furniture(block.source, rules)  # a credit line can look like a heading
    return all_furniture([block.source[b:e] for b, e in block.spans], rules)


def discover(
    content_dir: Path, label: Path | None = None, listed: Iterable[str] | None = None
) -> list[str]:
    """Content files (their paths) in a stable order; hidden and `_`-prefixed entries
    are skipped. `listed`: every file under the folder (relative paths), when the
    caller has just looked. Paths are strings: a `Path` each costs 60 ms at 10,000
    files, and a rebuild opens only the few that changed."""
    if not content_dir.is_dir():
        raise DigestError(
            "content folder not found; create it or set content_dir in config.yaml",
            label or content_dir,
        )
    found: list[tuple[str, str]] = []
    if listed is not None:
        top = str(content_dir)
        for relative in listed:
            parts = relative.split("/")
            if any(part.startswith((".", "_")) for part in parts):
                continue
            if os.path.splitext(parts[-1])[1].lower() in SUFFIXES:
                found.append((relative, f"{top}/{relative}"))
        return [path for _, path in sorted(found)]
    folders = [(str(content_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith((".", "_")):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif os.path.splitext(entry.name)[1].lower() in SUFFIXES and entry.is_file():
                    found.append((f"{prefix}{entry.name}", entry.path))
    return [path for _, path in sorted(found)]


def read_article(
    path: Path,
    content_dir: Path,
    rules: tuple[re.Pattern[str], ...],
    label: Path | None = None,
    data: bytes | None = None,
) -> Article:
    """Read one content file. `label` is the path used in error messages; `data`, when
    given, is the file's content already read (the bytes its cache key was made from)."""
    label = label or path
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DigestError(f"cannot read the file ({exc.strerror})", label) from None
    text = _decode(data, label)
    if not text.strip():
        raise DigestError(f"{'only whitespace' if text else 'empty file'}; {_ADD_TEXT}", label)
    meta, body, body_line = _split_front_matter(text, label)
    marker_date, body, problem = take_date_marker(body)
    if problem:
        raise DigestError(problem, label, body_line)
    markdown = path.suffix.lower() in (".md", ".markdown")
    raw = _markdown_blocks(body) if markdown else _text_blocks(body)
    raw = [b for b in raw if not _is_furniture(b, rules)]
    headline = None
    if meta.title is None and raw and raw[0].kind == "heading" and raw[0].level <= 2:
        # A pasted page opens with its headline, often with the section glued on
        # ("... | World news"); a Markdown file may open with a level-1 heading.
        headline = _SECTION_SUFFIX.sub("", raw[0].source).strip()
        if markdown:
            headline = _render(headline)[0]
        raw = raw[1:]
    sentences, blocks = _split(raw)
    if not any(blocks[s.block].kind not in ("heading", "code") for s in sentences):
        raise DigestError(f"no sentence of article text; {_ADD_TEXT}", label)
    relative = path.relative_to(content_dir)
    stem = relative.with_suffix("").as_posix()
    # A slug with nothing usable in it ("..", "???") falls back to the file name.
    return Article(
        id=slugify(meta.slug or "", fallback="")
        or slugify(stem.replace("/", "-"), fallback="article"),
        source_path=relative.as_posix(),
        title=meta.title or headline or _title_from(sentences) or path.stem,
        source=meta.source or path.stem,
        date=meta.date or marker_date,
        url=meta.url,
        author=meta.author,
        forced_topics=tuple(slugify(t, fallback="topic") for t in meta.topics),
        sentences=sentences,
        blocks=blocks,
        draft=meta.draft,
    )


def _decode(data: bytes, label: Path) -> str:
    if b"\0" in data:
        raise DigestError("not a text file (binary data); move it out of the content folder", label)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Text saved by Windows tools: cp1252 covers Latin-1 plus curly quotes and dashes.
        text = (
            data.decode("cp1252", errors="strict") if _is_cp1252(data) else data.decode("latin-1")
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters are invisible in an editor and invalid in HTML; form feeds and
    # vertical tabs from old tools separate lines.
    return _CONTROL.sub("", text.replace("\f", "\n").replace("\v", "\n"))


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _split_front_matter(text: str, label: Path) -> tuple[FrontMatter, str, int]:
    """Front matter model, the body after it, and the body's first line number."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if _FRONT_MATTER_OPEN.match(text):
            # Read as body, the keys would end up as the article's first paragraph.
            raise DigestError("front matter is never closed; end it with a line '---'", label, 1)
        return FrontMatter(), text, 1
    meta = _simple_front_matter(match.group(1) or "")
    if meta is None:
        doc = YamlDocument(match.group(1) or "", label, first_line=2)
        meta = doc.validate(FrontMatter, what="front matter")
    return meta, text[match.end() :], text.count("\n", 0, match.end()) + 1


def _simple_front_matter(text: str) -> FrontMatter | None:
    """The front matter of lines that are all `_SIMPLE_LINE`s (quoted text for the text
    keys, a date for `date`, an address for `url`, no key twice), read without YAML:
    libyaml took 60 us a file, as long as the rest of reading the front matter. None
    for anything else, and for a model error, which `YamlDocument` reports at its line."""
    data: dict[str, object] = {}
    for line in text.split("\n")[:-1]:
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None or match[1] in data:
            return None
        key, quoted, year, month, day, url = match.groups()
        if quoted is not None and key in _QUOTED_KEYS:
            data[key] = quoted
        elif year is not None and key == "date":
            try:
                data[key] = dt.date(int(year), int(month), int(day))
            except ValueError:
                return None
        elif url is not None and key == "url":
            data[key] = url
        else:
            return None
    try:
        return schema.parse(FrontMatter, data)
    except schema.Invalid:
        return None


def _text_blocks(body: str) -> list[_RawBlock]:
    """Pasted text: blank lines separate paragraphs; without any, each line is one.

    Web pages pasted as text come in two shapes: one paragraph per line (no blank lines)
    or hard-wrapped paragraphs separated by blank lines. A short line without closing
    punctuation standing on its own is a headline or sub-heading.
    """
    body = body.strip("\n")
    if re.search(r"\n[ \t]*\n", body):
        chunks = [" ".join(c.split()) for c in re.split(r"\n[ \t]*\n", body)]
    else:
        chunks = [" ".join(line.split()) for line in body.split("\n")]
    blocks = []
    for chunk in chunks:
        if not chunk:
            continue
        heading = len(chunk.split()) <= _HEADLINE_MAX_WORDS and not _TERMINAL.search(chunk)
        blocks.append(_RawBlock("heading" if heading else "paragraph", chunk, False, 2 * heading))
    return blocks


def _markdown_blocks(body: str) -> list[_RawBlock]:
    if "\r" not in body and not _BLOCK_START.search(f"\n{body}"):
        # Most articles are plain paragraphs: the blocks markdown-it would find, without
        # its parser (a third of reading a file).
        sources = (" ".join(chunk.split()) for chunk in _BLANK_LINES.split(body))
        return [_RawBlock("paragraph", source, True) for source in sources if source]
    blocks: list[_RawBlock] = []
    context: list[str] = []
    last_open: Token | None = None
    for token in _BLOCKS.parse(body):
        if token.nesting == 1 and token.type in ("blockquote_open", "list_item_open"):
            context.append(token.type)
        elif token.nesting == -1 and token.type in ("blockquote_close", "list_item_close"):
            context.pop()
        elif token.type == "inline" and token.content.strip() and last_open is not None:
            blocks.append(_inline_block(token, context, last_open))
        elif token.type in ("fence", "code_block") and token.content.strip():
            # Code keeps its lines and their relative indentation, not its margins.
            code = textwrap.dedent(token.content).strip("\n").rstrip()
            blocks.append(_RawBlock("code", code, False))
        if token.nesting == 1:
            last_open = token
    return blocks


def _inline_block(token: Token, context: list[str], opener: Token) -> _RawBlock:
    source = " ".join(token.content.split())
    if opener.type == "heading_open":
        return _RawBlock("heading", source, True, int(opener.tag[1:]))
    if context and context[-1] == "list_item_open":
        return _RawBlock("item", source, True)
    if "blockquote_open" in context:
        return _RawBlock("quote", source, True)
    return _RawBlock("paragraph", source, True)


def _split(raw: list[_RawBlock]) -> tuple[tuple[Sentence, ...], tuple[Block, ...]]:
    sentences: list[Sentence] = []
    blocks: list[Block] = []
    for block_index, block in enumerate(raw):
        start = len(sentences)
        for begin, end in block.spans:
            fragment = block.source[begin:end]
            text, markup = (
                _render(fragment) if block.markdown else (fragment, html.escape(fragment))
            )
            if text:
                sentences.append(Sentence(len(sentences), text, markup, block_index))
        blocks.append(Block(block.kind, start, len(sentences), block.level))
    return tuple(sentences), tuple(blocks)


def _render(fragment: str) -> tuple[str, str]:
    """Plain text and inline HTML of a Markdown fragment."""
    if not _MARKDOWN_SPECIAL.search(fragment):
        return fragment, html.escape(fragment, quote=False)
    if "_" not in f" {fragment} ".replace(" _ ", "") and not _NOT_UNDERSCORE.search(fragment):
        # Wire copy's " _ " dash: between spaces "_" can neither open nor close emphasis;
        # markdown-it renders it as text, and escapes double quotes.
        return " ".join(fragment.split()), fragment.replace('"', "&quot;")
    tokens = _MD.parseInline(fragment)
    text = "".join(_plain(child) for t in tokens for child in (t.children or []))
    return " ".join(text.split()), _MD.renderer.render(tokens, _MD.options, {})


def _plain(token: Token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "image":
        return "".join(_plain(c) for c in token.children or [])
    return ""


def _title_from(sentences: tuple[Sentence, ...]) -> str:
    """Without a headline the lead sentence names the article, cut at a word boundary."""
    if not sentences:
        return ""
    first = sentences[0].text
    if len(first) <= 90:
        return first
    return first[:90].rsplit(" ", 1)[0].rstrip(",;:") + "…"


# Raw HTML stays text (never markup) and links are checked by markdown-it's validateLink,
# which refuses javascript:, vbscript:, file: and non-image data: URLs.
_MD = MarkdownIt("commonmark", {"html": False})
# Blocks are found by the block rules alone: each sentence's inline Markdown is parsed
# on its own (`_render`), so parsing every block's inline content as well (a third of a
# file's parse) would be thrown away.
_BLOCKS = MarkdownIt("commonmark", {"html": False}).disable("inline")
