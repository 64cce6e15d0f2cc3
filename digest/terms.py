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

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)  # as written: most words were seen before
        if stem is None:
            key = _POSSESSIVE.sub("", word.lower()) or word.lower()
            stem = self._by_key.get(key)
            if stem is None:
                stem = self._by_key[key] = self._stemmer.stemWord(key)
            self._stems[word] = stem
        return stem

    def stem_all(self, tokens: list[str]) -> list[str]:
        """`stem` of each token: one list lookup, as nearly every word was seen before."""
        found = list(map(self._stems.get, tokens))
        if all(found):
            return found  # type: ignore[return-value]
        return [s or self.stem(t) for s, t in zip(found, tokens, strict=True)]

    def stems(self, text: str) -> list[str]:
        """Every word of `text`, stemmed, in order (for phrase matching)."""
        return [self.stem(w) for w in words(text)]

    def content(self, text: str) -> frozenset[str]:
        """The stems of the words that carry meaning (for similarity)."""
        return frozenset(
            self.stem(w) for w in words(text) if w.lower() not in self.stop_words and len(w) > 1
        )


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
