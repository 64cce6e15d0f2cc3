"""What one build leaves for the next, in `.digest-cache/state/`.

Everything here is a remembered answer, never an input: the corpus (every article's
facts), the pairs of articles found to be copies, sumy's rankings of topic shortlists,
and the keys of the pages and fragments the build wrote. Each is keyed by the content it
was computed from (analysis keys), so a rebuild takes an answer only where the question
is the same, and a build with no state, or a state it cannot read, computes everything
and gives the same site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from digest.cache import Cache
from digest.compare import Grouped
from digest.corpus import EMPTY, Corpus
from digest.models import SentenceRef
from digest.overlaps import NONE, Overlaps
from digest.syndication import Syndication


@dataclass(frozen=True)
class State:
    corpus: Corpus = EMPTY
    syndication: Syndication | None = None
    ranks: dict[str, tuple[SentenceRef, ...]] = field(default_factory=dict)
    grouped: Grouped | None = None
    overlaps: Overlaps = NONE
    pages: dict[str, str] = field(default_factory=dict)
    """Path -> key of every page the build wrote."""
    fragments: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    """Where each article's fragment sits in digest.json and the search index."""
    files: dict[str, tuple[tuple[int, int, int, int], str]] = field(default_factory=dict)
    """Content file label -> its signature (size, times, inode) and analysis key."""
    sentences: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)
    """Text and HTML of sentences topic pages showed, by (analysis key, index)."""
    output: tuple[str, str] | None = None
    """The output folder and the digest of its files (names, sizes, times) just after
    the build: pages and fragments are taken from it only while it still matches."""


class StateStore:
    """The state file of one site; `folder=None` remembers nothing (``--no-cache``)."""

    def __init__(self, folder: Path | None, context: bytes) -> None:
        self._cache = Cache(folder, "state", context)
        self._key = self._cache.key(b"state")

    def load(self) -> State:
        found = self._cache.load(self._key)
        return found if isinstance(found, State) else State()

    def save(self, state: State) -> None:
        self._cache.store(self._key, state)
        self._cache.prune()
