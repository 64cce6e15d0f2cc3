"""The site configuration (`config.yaml`), declared once with types and defaults.

Every key a user may write is a field below, with its default and a docstring; any other
key is an error at its line (`schema.py` checks them). The records are frozen so stages
can share one config without anyone changing it under another stage's feet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from digest.errors import DigestError
from digest.schema import Before, Bounds, Check, as_list
from digest.slugs import slugify
from digest.validation import YamlDocument

Order = Literal["importance", "source"]
Algorithm = Literal[
    "lexrank", "lsa", "textrank", "luhn", "edmundson", "kl", "sumbasic", "reduction"
]


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} is not a regular expression: {exc}") from None
    return pattern


def _absolute_url(value: str) -> str:
    if value and not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("must start with http:// or https:// (or be left out)")
    return value.rstrip("/") + "/" if value else ""


Pattern = Annotated[str, Check(_compiles)]
Sentences = Annotated[int, Bounds(ge=1, le=50)]
Words = Annotated[int, Bounds(ge=10, le=5000)]
Similarity = Annotated[float, Bounds(gt=0.0, le=1.0)]


@dataclass(frozen=True, kw_only=True)
class SummaryOverride:
    """A topic's own summary settings; what is left out comes from `summary`."""

    algorithm: Algorithm | None = None
    sentences: Sentences | None = None
    words: Words | None = None
    max_similarity: Similarity | None = None
    order: Order | None = None


@dataclass(frozen=True, kw_only=True)
class TopicConfig:
    """A story to follow: sentences that mention one of its keywords belong to it."""

    name: Annotated[str, Bounds(min_length=1)]
    """Shown as the topic's heading."""
    slug: str = ""
    """URL segment of the topic page; derived from `name` when left out."""
    description: str = ""
    """One line under the heading."""
    keywords: Annotated[tuple[str, ...], Before(as_list), Bounds(min_length=1)]
    """Words or phrases; matched case-insensitively on word stems (see README)."""
    summary: SummaryOverride = SummaryOverride()
    """This topic's summary settings, over the site's."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "slug", slugify(self.slug or self.name, fallback="topic"))


@dataclass(frozen=True, kw_only=True)
class SummaryConfig:
    """How summaries are made, site-wide; topics may override it (see SummaryOverride)."""

    algorithm: Algorithm = "lexrank"
    """The sumy algorithm that ranks sentences."""
    article_sentences: Sentences = 3
    """Sentences in each article's summary."""
    article_words: Words | None = None
    """If set, an article summary also stops before it would pass this many words."""
    topic_sentences: Sentences = 5
    """Sentences in each topic's summary, drawn from all its sources."""
    topic_words: Words | None = None
    """If set, a topic summary also stops before it would pass this many words."""
    max_similarity: Similarity = 0.6
    """Two sentences more alike than this (weighted share of the shorter one's words) are
    one statement: a summary keeps only the better-ranked one. 1.0 turns this off."""
    order: Order = "importance"
    """Topic summaries: `importance` (best first) or `source` (date, then article order)."""

    def for_topic(self, override: SummaryOverride) -> Settings:
        return Settings(
            algorithm=override.algorithm or self.algorithm,
            sentences=override.sentences or self.topic_sentences,
            words=override.words if override.words is not None else self.topic_words,
            max_similarity=override.max_similarity or self.max_similarity,
            order=override.order or self.order,
        )

    def for_articles(self) -> Settings:
        return Settings(
            self.algorithm,
            self.article_sentences,
            self.article_words,
            self.max_similarity,
            "source",
        )


@dataclass(frozen=True)
class Settings:
    """The resolved summary settings of one summary."""

    algorithm: Algorithm
    sentences: int
    words: int | None
    max_similarity: float
    order: Order


@dataclass(frozen=True, kw_only=True)
class Config:
    """Everything `config.yaml` may hold."""

    title: str = "News digest"
    """Site title, in the header and the browser tab."""
    description: str = ""
    """One line under the title on the home page."""
    base_url: Annotated[str, Check(_absolute_url)] = ""
    """Absolute URL where the site is published (e.g. https://user.github.io/repo/);
    used only where a relative link cannot work, such as the 404 page."""
    language: str = "en"
    """The pages' `lang` attribute."""
    theme: str = "default"
    """A folder under the site's `themes/` or one bundled with digest."""
    content_dir: str = "content"
    """Where the articles are, relative to config.yaml."""
    output_dir: str = "public"
    """Where the site is written, relative to config.yaml."""
    latest_articles: Annotated[int, Bounds(ge=0)] = 10
    """How many recent articles the home page lists under the topics."""
    paginate: Annotated[int, Bounds(ge=1)] = 20
    """Articles per page on the archive, edition and source pages; longer lists get
    numbered pages."""
    feed_items: Annotated[int, Bounds(ge=1)] = 50
    """Entries in each feed, newest first (Pelican's FEED_MAX_ITEMS); a feed reader keeps
    the entries it fetched before, so a feed needs only the recent ones."""
    search: bool = True
    """Write the search page and its index; false leaves search out of the site."""
    boilerplate: tuple[Pattern, ...] = ()
    """Extra regular expressions; a line that matches one entirely is dropped."""
    summary: SummaryConfig = SummaryConfig()
    topics: tuple[TopicConfig, ...] = ()


@dataclass(frozen=True)
class Site:
    """A loaded config together with the folders it refers to, resolved once."""

    config: Config
    config_path: Path
    root: Path
    content_dir: Path
    output_dir: Path


def load_config(path: Path, output_dir: Path | None = None, base_url: str | None = None) -> Site:
    """Read and check config.yaml; command-line overrides win over the file."""
    if not path.is_file():
        raise DigestError(
            "config file not found; run digest in a site folder or pass --config", path
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DigestError(f"config must be UTF-8 text ({exc.reason})", path) from None
    doc = YamlDocument(text, path)
    if doc.data is None:
        # An empty file is a mistake (a failed save, the wrong file), not a wish for defaults.
        raise DigestError("config file is empty; add at least `topics:` (see README)", path)
    data = doc.data
    if isinstance(data, dict) and base_url is not None:
        data = {**data, "base_url": base_url}
    config = doc.validate(Config, data, what="config.yaml")
    _check_topics(config, doc)
    root = path.resolve().parent
    return Site(
        config=config,
        config_path=path,
        root=root,
        content_dir=(root / config.content_dir).resolve(),
        output_dir=(output_dir or root / config.output_dir).resolve(),
    )


def _check_topics(config: Config, doc: YamlDocument) -> None:
    seen: dict[str, int] = {}
    for number, topic in enumerate(config.topics):
        if topic.slug in seen:
            other = config.topics[seen[topic.slug]].name
            raise DigestError(
                f"topic '{topic.name}' has the same slug '{topic.slug}' as '{other}'; "
                "give one of them a different slug",
                doc.path,
                doc.line_of(("topics", number)),
            )
        seen[topic.slug] = number
