"""Search with no server: an index written at build time, searched in the browser.

The index is a plain script, `search-index.js`, that sets one global; the theme's
`static/search.js` searches it. A script file rather than a JSON file fetched at run
time, because browsers refuse `fetch()` on pages opened from disk: this way search
works on GitHub Pages, on any static host, and from a folder on disk, with nothing
downloaded from anywhere. (Pagefind was the alternative; its WebAssembly and index
chunks are fetched at run time, which fails from disk, and it is a native binary to run
on each build.) The index is built from the build's records in a fixed order and serialised
with sorted keys, so two builds of the same content give the same bytes.

Each entry holds what a result shows (title, source, date, summary) and the folded text
that is matched: lower case, accents removed, punctuation turned into spaces, so that
"Zürich," is found by "zurich". `search.js` folds the query the same way and requires
every word of it to begin a word of the entry.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

from digest.models import Article, Summaries, TopicCoverage
from digest.site import Page, article_path, date_text, topic_path
from digest.topics import newest_first

INDEX = "search-index.js"
PAGE = "search.html"
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """The text as search.js matches it (keep the two in step)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", bare.lower()).split())


def search_page() -> Page:
    return Page(PAGE, "search.html", "Search", {})


def search_index(
    articles: Sequence[Article], coverage: Sequence[TopicCoverage], summaries: Summaries
) -> dict[str, bytes]:
    """`search-index.js`: topics first (in config order), then articles newest first."""

    def text(article: Article, index: int) -> str:
        return article.sentences[index].text

    by_id = {a.id: a for a in articles}
    entries: list[dict[str, str]] = []
    for topic in coverage:
        summary = " ".join(text(by_id[r.article], r.index) for r in summaries.topics[topic.slug])
        entries.append(
            {
                "kind": "Topic",
                "title": topic.name,
                "path": topic_path(topic.slug),
                "source": f"{len(topic.articles)} articles",
                "date": "",
                "summary": topic.description or summary,
                "words": fold(" ".join((topic.name, topic.description, *topic.keywords, summary))),
            }
        )
    for article in sorted(articles, key=newest_first):
        summary = " ".join(text(article, r.index) for r in summaries.articles[article.id])
        body = " ".join(s.text for s in article.sentences)
        entries.append(
            {
                "kind": "Article",
                "title": article.title,
                "path": article_path(article.id),
                "source": article.source,
                "date": date_text(article.date),
                "summary": summary,
                "words": fold(
                    " ".join((article.title, article.source, article.author or "", body))
                ),
            }
        )
    data = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    script = f"/* digest search index; made by `digest build`. */\nwindow.DIGEST_SEARCH = {data};\n"
    return {INDEX: script.encode("utf-8")}
