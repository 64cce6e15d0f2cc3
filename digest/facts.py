"""The numbers the cross-article stages need of one article, as flat arrays.

Comparing 10,000 articles means looking at three million (sentence, word) pairs. As
Python sets and strings that is seconds of work and hundreds of megabytes before any
comparing starts; as arrays of integers it is a few milliseconds, and the whole site's
arrays load from the cache in one read. So the analysis stage reduces each article to
these facts, and `corpus.py` lays every article's facts end to end.

Words are named by a 64-bit hash of their stem (BLAKE2b, the same on every machine and
in every process, unlike Python's seeded `hash`), so facts made in different worker
processes, or in different builds, agree on what "the same word" is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from digest.models import Article, ArticleTopics, pickled_as_tuple

# Site-wide arrays are typed loosely (their dtypes are in the docstrings): numpy's
# precise generic types change with every operation and would add casts, not safety.
Hashes = npt.NDArray[Any]
"""uint64"""
Ints = npt.NDArray[Any]
"""int32 or int64"""
Flags = npt.NDArray[Any]
"""bool"""


def word_hash(word: str) -> int:
    """A stem's name in the arrays: stable across processes, machines and builds."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Facts:
    """One article, reduced to what agreement, coverage and summaries count.

    Per sentence arrays are indexed by the sentence's index in the article. Stems are
    stored for prose sentences only (headings and code are never compared).
    """

    prose: Flags
    """Whether each sentence is prose (not a heading or code)."""
    words: Ints
    """Number of words in each sentence."""
    stem_start: Ints
    """`stems[stem_start[i]:stem_start[i + 1]]` are sentence i's content stems."""
    stems: Hashes
    """Content stems (stop words and one-letter words left out), hashed, sorted and
    distinct within each sentence."""
    topic_start: Ints
    """`topic_ids[topic_start[i]:topic_start[i + 1]]` are the topics sentence i was
    assigned to, as positions in the config's topic list."""
    topic_ids: Ints
    texts: Hashes
    """Per sentence, a hash of its text and HTML: pages that quote a sentence are keyed
    by it, so an edit elsewhere in the article leaves them alone."""


def make_facts(
    article: Article,
    stems: Mapping[int, Iterable[str]],
    topics: ArticleTopics,
    topic_order: Sequence[str],
    word_counts: Sequence[int],
    memo: dict[str, int] | None = None,
) -> Facts:
    """The facts of one analysed article; `memo` caches word hashes across articles."""
    known = memo if memo is not None else {}
    count = len(article.sentences)
    ends = [0] * (count + 1)
    hashed: list[int] = []
    for sentence in article.sentences:
        own = stems.get(sentence.index)
        if own:
            try:
                values = set(map(known.__getitem__, own))
            except KeyError:  # a stem not hashed before
                for stem in own:
                    if stem not in known:
                        known[stem] = word_hash(stem)
                values = set(map(known.__getitem__, own))
            hashed.extend(sorted(values))
        ends[sentence.index + 1] = len(hashed)
    stem_start = np.asarray(ends, np.int32)
    position = {slug: i for i, slug in enumerate(topic_order)}
    topic_ends = [0] * (count + 1)
    topic_ids: list[int] = []
    for i, hits in enumerate(topics.hits):
        if hits:
            topic_ids.extend(sorted({position[h.topic] for h in hits}))
        topic_ends[i + 1] = len(topic_ids)
    prose = [block.kind not in ("heading", "code") for block in article.blocks]
    # `word_hash` of each sentence's text and HTML, read from the digests at once.
    texts = b"".join(
        hashlib.blake2b(f"{s.text}\0{s.html}".encode(), digest_size=8).digest()
        for s in article.sentences
    )
    return Facts(
        prose=np.array([prose[s.block] for s in article.sentences], np.bool_),
        words=np.asarray(word_counts, np.int32),
        stem_start=stem_start,
        stems=np.asarray(hashed, np.uint64),
        topic_start=np.asarray(topic_ends, np.int32),
        topic_ids=np.asarray(topic_ids, np.int32),
        texts=np.frombuffer(texts, "<u8").astype(np.uint64),
    )
