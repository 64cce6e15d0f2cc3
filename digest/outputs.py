"""The files besides the pages: static files, `digest.json`, the search index, feeds,
sitemap.xml and robots.txt.

`digest.json` and the search index hold every article, so on a 10,000-article site they
are 150 MB together, and making every article's part again would cost a rebuild seconds.
Each article's part (a *fragment*) is a pure function of its analysis and its copies,
so the build records where each fragment sits in the files it wrote, and the next build
copies the fragments of unchanged articles out of those files and makes only the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from digest.articles import ArticleStore
from digest.export import article_json, digest_json
from digest.feeds import build_time, channel_files, channels
from digest.plan import digest_of
from digest.search import INDEX, article_entry, search_index
from digest.seo import seo_files
from digest.site import Page, article_path
from digest.splice import Part, Slice
from digest.theme import Theme
from digest.views import Records, Views
from digest.workers import Sink
from digest.write import MARKER, collect_static

Pair = tuple[Part, Part]
"""An article's fragment of digest.json and of the search index: made now (bytes), or
a range of the previous build's file (a Slice)."""
Spans = dict[str, tuple[int, int, int, int]]
"""Fragment key -> where it sits: start and end in digest.json, then in the index."""


def fragment_keys(records: Records) -> list[str]:
    """Per article (corpus order), what its fragments are made from."""
    groups = records.comparison.copy_groups
    return [e.key + groups.get(e.id, "") for e in records.corpus.entries]


@dataclass(frozen=True)
class Fragments:
    """The previous build's fragments: ranges of the files it wrote, never read here
    (see splice.py)."""

    spans: Spans
    data: Path | None
    index: Path | None

    @classmethod
    def empty(cls) -> Fragments:
        return cls({}, None, None)

    @classmethod
    def load(cls, out: Path, spans: Spans, search: bool) -> Fragments:
        """The fragments in `out`, which the caller has checked is as it was written;
        none when a file they would come from is missing."""
        data, index = out / MARKER, out / INDEX
        if not data.is_file() or (search and not index.is_file()):
            return cls.empty()
        return cls(spans, data, index if search else None)

    def has(self, key: str) -> bool:
        return key in self.spans

    def get(self, key: str) -> Pair:
        assert self.data is not None, "no previous fragments to take"
        a, b, c, d = self.spans[key]
        return Slice(self.data, a, b), Slice(self.index, c, d) if self.index else b""

    def maker(self, records: Records, store: ArticleStore) -> Callable[[int], tuple[bytes, bytes]]:
        """Makes the fragments of an article (by number) from its analysis."""

        def make(article: int) -> tuple[bytes, bytes]:
            entry = records.corpus.entries[article]
            analysis = store.get(entry)
            copies = records.comparison.syndication.copies.get(entry.id, ())
            summary = records.summaries.articles[entry.id]
            return (
                article_json(analysis.article, analysis.topics, copies, summary),
                article_entry(analysis.article, summary),
            )

        return make


@dataclass(frozen=True)
class Output:
    """Files made together, with the key of what they are made from: when the key is
    the one the previous build wrote them with, they are kept as they are."""

    paths: tuple[str, ...]
    key: str
    make: Callable[[], Mapping[str, bytes | list[Part]]]


def other_files(
    records: Records,
    pages: Sequence[Page] | None,
    theme: Theme,
    keys: Sequence[str],
    made: Mapping[int, Pair],
    kept: Fragments,
    views: Views,
) -> tuple[list[Output], Spans]:
    """Every file but the pages, and where this build's fragments sit in them; without
    `pages` (not planned yet), all but robots.txt and the sitemap (`seo_output`)."""
    config, corpus = records.config, records.corpus
    pairs = [made[n] if n in made else kept.get(key) for n, key in enumerate(keys)]
    static: dict[str, bytes | list[Part]] = dict(collect_static(theme.static_dirs))
    static[".nojekyll"] = b""
    data, data_spans = digest_json(
        config,
        records.coverage,
        records.summaries,
        records.comparison,
        records.compared,
        [p[0] for p in pairs],
    )
    static[MARKER] = data
    outputs = [Output(tuple(static), "", lambda: static)]
    for channel in channels(
        config, corpus.entries, records.coverage, records.summaries, views.text, build_time()
    ):
        key = digest_of(config.title, config.base_url, config.language, channel)
        outputs.append(
            Output(tuple(channel.files.values()), key, partial(channel_files, channel, config))
        )
    if pages is not None:
        outputs.append(seo_output(records, pages))
    index_spans = [(0, 0)] * len(keys)
    if config.search:
        order = corpus.newest
        index, spans = search_index(
            records.coverage, records.summaries, views.text, [pairs[n][1] for n in order]
        )
        outputs.append(Output((INDEX,), "", lambda: {INDEX: index}))
        for n, span in zip(order, spans, strict=True):
            index_spans[n] = span
    where = {key: (*data_spans[n], *index_spans[n]) for n, key in enumerate(keys)}
    return outputs, where


def seo_output(records: Records, pages: Sequence[Page]) -> Output:
    """robots.txt and the sitemap, which list the pages."""
    base_url = records.config.base_url
    modified = {article_path(e.id): e.date for e in records.corpus.entries if e.date}
    listed = tuple((p.path, modified.get(p.path)) for p in pages)
    return Output(
        ("robots.txt", "sitemap.xml") if base_url else ("robots.txt",),
        digest_of(base_url, listed),
        lambda: seo_files(pages, base_url, modified),
    )


def write_outputs(outputs: Sequence[Output], sink: Sink, previous: Mapping[str, str]) -> list[str]:
    """Write or keep each output; returns every path."""
    paths: list[str] = []
    for output in outputs:
        paths += output.paths
        unchanged = output.key and all(previous.get(p) == output.key for p in output.paths)
        if unchanged and all(sink.keep(p) for p in output.paths):
            continue
        for path, data in output.make().items():
            if isinstance(data, bytes):
                sink.write(path, data)
            else:
                sink.write_parts(path, data)
    return paths
