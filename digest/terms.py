"""Words as the digest compares them: lowercased, possessives dropped, stemmed.

Topic keywords and sentence similarity must agree on what "the same word" is
("Olympics" = "Olympic", "Russia's" = "Russia"), so both go through this one class.
An instance memoises stems; make one per build (it is never shared through a global).
"""

from __future__ import annotations

import pkgutil
import re

import Stemmer

from digest.sentences import words
from digest.sumy_api import get_stop_words, parse_stop_words

_POSSESSIVE = re.compile(r"['’]s?\Z")


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
        self._weighed: dict[str, str] = {}
        """Word as written -> its stem, or "" for a stop word (`kept`)."""
        self._content: dict[str, str | None] = {}
        """Word as written -> its stem, or None when `content` leaves it out."""

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)  # as written: most words were seen before
        if stem is None:
            lower = word.lower()
            key = _POSSESSIVE.sub("", lower) or lower
            stem = self._by_key.get(key)
            if stem is None:
                stem = self._by_key[key] = self._stemmer.stemWord(key)
            self._stems[word] = stem
            stop = lower in self.stop_words
            self._weighed[word] = "" if stop else stem
            self._content[word] = None if stop or len(word) < 2 else stem
        return stem

    def stem_all(self, tokens: list[str]) -> list[str]:
        """`stem` of each token: one list lookup, as nearly every word was seen before."""
        found = list(map(self._stems.get, tokens))
        if all(found):
            return found  # type: ignore[return-value]
        return [s or self.stem(t) for s, t in zip(found, tokens, strict=True)]

    def kept(self, tokens: list[str]) -> tuple[tuple[str, ...], frozenset[str]]:
        """Of a sentence's tokens: the stems LexRank weighs (stop words out, repeats
        kept, in order) and the `content` stems. Looked up per word as written, like
        `stem_all`: a word's stop-word test and stem are made once per build, not once
        per occurrence."""
        weighed = list(map(self._weighed.get, tokens))
        if None in weighed:  # a word not seen before
            for token in tokens:
                self.stem(token)
            weighed = list(map(self._weighed.get, tokens))
        content = set(map(self._content.get, tokens))
        content.discard(None)
        return tuple(filter(None, weighed)), frozenset(content)  # type: ignore[arg-type]

    def stems(self, text: str) -> list[str]:
        """Every word of `text`, stemmed, in order (for phrase matching)."""
        return [self.stem(w) for w in words(text)]

    def content(self, text: str) -> frozenset[str]:
        """The stems of the words that carry meaning (for similarity)."""
        return self.kept(words(text))[1]


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
