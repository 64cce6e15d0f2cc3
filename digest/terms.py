"""Words as the digest compares them: lowercased, possessives dropped, stemmed.

Topic keywords and sentence similarity must agree on what "the same word" is
("Olympics" = "Olympic", "Russia's" = "Russia"), so both go through this one class.
An instance memoises stems; make one per build (it is never shared through a global).
"""

from __future__ import annotations

import pkgutil
import re
from operator import itemgetter
from typing import cast

import Stemmer

from digest.sentences import words
from digest.sumy_api import get_stop_words, parse_stop_words

_POSSESSIVE = re.compile(r"['’]s?\Z")
_STEM, _WEIGHED, _CONTENT = itemgetter(0), itemgetter(1), itemgetter(2)


class Terms:
    """Stemming and stop words for one language (Snowball needs no downloaded data).

    The stemmer is Snowball's own C build (PyStemmer), not NLTK's Python port of it:
    a cold build stems every distinct word of the corpus once per worker process, and
    the port spent a tenth of an article's analysis doing that."""

    def __init__(self, language: str = "english") -> None:
        self.language = language
        self._stemmer = Stemmer.Stemmer(language)
        self._stems: dict[str, str] = {}
        self._by_key: dict[str, str] = {}
        self.stop_words = stop_words(language)
        self._records: dict[str, tuple[str, str, str | None]] = {}
        """Word as written -> its stem; the same or "" for a stop word (LexRank's);
        the same or None when `content` leaves it out (`weigh`)."""

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)  # as written: most words were seen before
        if stem is None:
            lower = word.lower()
            key = _POSSESSIVE.sub("", lower) or lower
            stem = self._by_key.get(key)
            if stem is None:
                stem = self._by_key[key] = self._stemmer.stemWord(key)
            self._stems[word] = stem
        return stem

    def weigh(self, tokens: list[str]) -> tuple[list[str], tuple[str, ...], frozenset[str]]:
        """Of a sentence's tokens: the stem of each, the stems LexRank weighs (stop words
        out, repeats kept, in order) and the `content` stems. One memo lookup per word
        as written, which finds all three: in a build's memo of tens of thousands of
        words each lookup is a cache miss, and the stop-word test and stem are made
        once per word, not per occurrence."""
        found = list(map(self._records.get, tokens))
        if not all(found):  # a word not seen before
            found = [r or self._record(t) for r, t in zip(found, tokens, strict=True)]
        records = cast("list[tuple[str, str, str | None]]", found)
        content = set(map(_CONTENT, records))
        content.discard(None)
        weighed = tuple(filter(None, map(_WEIGHED, records)))
        return list(map(_STEM, records)), weighed, frozenset(cast("set[str]", content))

    def _record(self, word: str) -> tuple[str, str, str | None]:
        stem = self.stem(word)
        stop = word.lower() in self.stop_words
        record = (stem, "" if stop else stem, None if stop or len(word) < 2 else stem)
        self._records[word] = record
        return record

    def stems(self, text: str) -> list[str]:
        """Every word of `text`, stemmed, in order (for phrase matching)."""
        return [self.stem(w) for w in words(text)]

    def content(self, text: str) -> frozenset[str]:
        """The stems of the words that carry meaning (for similarity)."""
        return self.weigh(words(text))[2]


def stop_words(language: str) -> frozenset[str]:
    """sumy's stop words for `language`, named as sumy names its lists ("english"),
    read from sumy's own file. (`get_stop_words` first looks the name up in pycountry's
    table of every language, which takes 50 ms to load, in every process of a build.)"""
    try:
        data = pkgutil.get_data("sumy", f"data/stopwords/{language}.txt")
    except OSError:
        data = None
    found: frozenset[str] = parse_stop_words(data) if data is not None else get_stop_words(language)
    return found
