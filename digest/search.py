"""Search with no server: an index written at build time, searched in the browser.

The index is a plain script, `search-index.js`, that sets one global; the theme's
`static/search.js` searches it. A script file rather than a JSON file fetched at run
time, because browsers refuse `fetch()` on pages opened from disk: this way search
works on GitHub Pages, on any static host, and from a folder on disk, with nothing
downloaded from anywhere. (Pagefind was the alternative; its WebAssembly and index
chunks are fetched at run time, which fails from disk, and it is a native binary to run
on each build.) The index is built from the build's records in a fixed order and serialised
with sorted keys, so two builds of the same content give the same bytes.

Each entry holds what a result shows (title, source, date, summary) and the folded words
that are matched, each once: lower case, accents removed, punctuation turned into spaces, so that
"Zürich," is found by "zurich". `search.js` folds the query the same way and requires
every word of it to begin a word of the entry.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence

from digest.models import Article, SentenceRef, Summaries, TopicCoverage
from digest.site import Page, article_path, date_text, topic_path
from digest.splice import Part, joined

INDEX = "search-index.js"
PAGE = "search.html"
_WORD = re.compile(r"[^\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SPACES = str.maketrans({c: " " for c in range(128) if not _WORD.fullmatch(chr(c))})


def fold(text: str) -> str:
    """The text as search.js matches it (keep the two in step): decomposed (NFKD), marks
    (accents) removed, lower case, runs of anything but letters and digits a space."""
    return " ".join(_folded_words(text))


def _folded_words(text: str) -> list[str]:
    text = _unmarked(text).lower()
    if not text.isascii():
        # What is left beyond ASCII is mostly curly quotes: each distinct character that
        # is not a word character becomes a space, which splits words as it does.
        for c in set(_NON_ASCII.findall(text)):
            if not _WORD.fullmatch(c):
                text = text.replace(c, " ")
        if not text.isascii():
            return _WORD.findall(text)
    # ASCII words are runs of letters and digits: translating the rest to spaces and
    # splitting is several times faster than the regular expression.
    return text.translate(_SPACES).split()


def _unmarked(text: str) -> str:
    if text.isascii():  # plain ASCII has nothing to decompose
        return text
    if not unicodedata.is_normalized("NFKD", text):
        text = unicodedata.normalize("NFKD", text)
    # Most non-ASCII news text is curly quotes and dashes, with no mark to delete: look
    # at each distinct character once rather than translate every one.
    marks = {ord(c): None for c in set(_NON_ASCII.findall(text)) if _MARKS[ord(c)] is None}
    return text.translate(marks) if marks else text


class _Marks(dict[int, int | None]):
    """For `str.translate`: mark characters (Unicode category M, search.js's \\p{M})
    map to None (deleted), every other character to itself; each looked up once."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.category(chr(code)).startswith("M") else code
        self[code] = value
        return value


_MARKS = _Marks()


def search_page(key: str) -> Page:
    return Page(PAGE, "search.html", "Search", ("search",), key)


def search_index(
    coverage: Sequence[TopicCoverage],
    summaries: Summaries,
    text_of: Callable[[SentenceRef], str],
    articles: Sequence[Part],
) -> tuple[list[Part], list[tuple[int, int]]]:
    """`search-index.js`: topics first (in config order), then the articles' entries
    (`article_entry`), which the caller gives newest first; and where each article's
    entry sits in it."""
    entries: list[bytes] = []
    for topic in coverage:
        summary = " ".join(text_of(r) for r in summaries.topics[topic.slug])
        fields = {
            "kind": "Topic",
            "title": topic.name,
            "path": topic_path(topic.slug),
            "source": f"{len(topic.articles)} articles",
            "date": "",
            "summary": topic.description or summary,
            "words": _distinct(" ".join((topic.name, topic.description, *topic.keywords, summary))),
        }
        entries.append(_json(fields))
    head = b"/* digest search index; made by `digest build`. */\nwindow.DIGEST_SEARCH = ["
    start = head + b"".join(e + b"," for e in entries) if articles else head + b",".join(entries)
    return joined(start, articles, b",", b"];\n")


def article_entry(article: Article, summary: Sequence[SentenceRef]) -> bytes:
    """One article's entry of the index: what a result shows, and its folded words."""
    text = " ".join(article.sentences[r.index].text for r in summary)
    body = " ".join(s.text for s in article.sentences)
    return _json(
        {
            "kind": "Article",
            "title": article.title,
            "path": article_path(article.id),
            "source": article.source,
            "date": date_text(article.date),
            "summary": text,
            "words": _distinct(
                " ".join((article.title, article.source, article.author or "", body))
            ),
        }
    )


def _distinct(text: str) -> str:
    """The folded words of `text`, each once, in first-seen order: search.js asks only
    whether a word is there, and a news article repeats most of its words (the index is
    half the size)."""
    return " ".join(dict.fromkeys(_folded_words(text)))


def _json(entry: dict[str, str]) -> bytes:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
