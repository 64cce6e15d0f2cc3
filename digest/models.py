"""The frozen records passed between build stages.

Each stage takes these and returns new ones; none is ever changed after it is made.
That is what lets a later stage be cached by content hash or run in a process pool
without surprises. Summaries hold references to sentences, never copies of their text,
so every summary sentence can be traced to (and linked to) its place in a source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

if TYPE_CHECKING:
    from digest.facts import Ints

Record = TypeVar("Record", bound=type)


def pickled_as_tuple(cls: Record) -> Record:
    """Pickle a frozen, slotted dataclass as the tuple of its fields.

    The cache holds hundreds of thousands of these records, and dataclasses' own
    pickling calls `fields()` and sets each field in Python for every object, which made
    loading a 10,000-article site's state twice as slow as it needs to be.
    """
    names = tuple(f.name for f in fields(cls))

    def reduce(self: Any) -> tuple[Any, ...]:
        return (_rebuild, (cls, tuple(getattr(self, name) for name in names)))

    setattr(cls, "__reduce__", reduce)  # noqa: B010 (a method, set on the class)
    _FIELDS[cls] = names
    return cls


_FIELDS: dict[type, tuple[str, ...]] = {}
"""Each record class's field names, in order (filled when its module is imported)."""


def _rebuild(cls: type, values: tuple[Any, ...]) -> Any:
    record: Any = object.__new__(cls)
    for name, value in zip(_FIELDS[cls], values, strict=True):
        object.__setattr__(record, name, value)
    return record


BlockKind = Literal["paragraph", "heading", "quote", "item", "code"]


class Sentence(NamedTuple):
    """One sentence of an article, verbatim. (A named tuple, like the other records an
    article has hundreds of: they are made, pickled and loaded in C.)"""

    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing calls
    """Position in the article, from 0; with the article id it names the sentence."""
    text: str
    """Plain text exactly as the source wrote it (markup removed)."""
    html: str
    """The same sentence as safe inline HTML (links and emphasis kept, HTML escaped)."""
    block: int
    """Index of the block (paragraph, heading, ...) that holds it."""


class Block(NamedTuple):
    """A paragraph, heading, quote or list item: sentences `start` to `stop - 1`."""

    kind: BlockKind
    start: int
    stop: int
    level: int = 0
    """Heading level (1-6) for headings, else 0."""


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Article:
    """One content file, read, cleaned and split into sentences."""

    id: str
    """URL-safe identifier, unique in the site (from `slug` or the file name)."""
    source_path: str
    """Path of the content file relative to the content folder, with '/'."""
    title: str
    source: str
    """The outlet; the file name when the front matter names none."""
    date: dt.date | None
    url: str | None
    author: str | None
    forced_topics: tuple[str, ...]
    """Topic slugs the front matter assigns regardless of keywords."""
    sentences: tuple[Sentence, ...]
    blocks: tuple[Block, ...]
    draft: bool = False
    """`draft: true` in the front matter: built only with `--drafts`."""

    def is_prose(self, sentence: Sentence) -> bool:
        """Headings are labels and code is not prose: shown, but never summarised."""
        return self.blocks[sentence.block].kind not in ("heading", "code")


class SentenceRef(NamedTuple):
    """Names one sentence of the site: article id and sentence index.

    A named tuple rather than a dataclass: hundreds of thousands are hashed, sorted and
    pickled per build, and tuples do all three in C.
    """

    article: str
    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing calls

    @property
    def anchor(self) -> str:
        """The fragment id of the sentence on its article page."""
        return f"s{self.index}"


class TopicHit(NamedTuple):
    """Why a sentence belongs to a topic: the keywords found in it."""

    topic: str
    terms: tuple[str, ...]


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class ArticleTopics:
    """Topic assignment of one article: the hits of each sentence, in sentence order."""

    article: str
    hits: tuple[tuple[TopicHit, ...], ...]
    topics: tuple[str, ...]
    """Slugs of every topic the article belongs to, in config order."""


@dataclass(frozen=True, slots=True)
class TopicCoverage:
    """A configured topic and everything the sources say about it."""

    slug: str
    name: str
    description: str
    keywords: tuple[str, ...]
    articles: tuple[str, ...]
    """Ids of member articles, newest first (undated last)."""
    positions: Ints = field(compare=False)
    """Every sentence assigned to the topic, in article then sentence order, by its
    site-wide position in the corpus (`Corpus.ref` names it): an array, as every
    stage that reads it passes over it with NumPy (a large topic has 100,000)."""


@dataclass(frozen=True, slots=True)
class Summaries:
    """Summary of every article and every topic, as sentence references."""

    articles: Mapping[str, tuple[SentenceRef, ...]]
    topics: Mapping[str, tuple[SentenceRef, ...]]
