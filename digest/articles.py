"""Articles in full (text, sentences, topic hits), fetched only when a page needs one.

The site-wide stages work from the corpus; only rendering needs an article's sentences.
A build keeps in memory the analyses it made itself and loads the others from the
analysis cache, so a rebuild after one edit opens the few articles whose pages change,
not all of them. An entry missing from the cache (deleted by hand mid-build) is analysed
again from its file, so a page never goes without its article.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from digest.analysis import Analyser, Analysis, Job, Problem
from digest.cache import Cache
from digest.corpus import Entry
from digest.errors import DigestError


class ArticleStore:
    def __init__(
        self,
        job: Job,
        cache: Cache,
        fresh: Mapping[str, Analysis],
        files: Mapping[str, tuple[Path, str]],
    ) -> None:
        self._job = job
        self._cache = cache
        self._loaded: dict[str, Analysis] = dict(fresh)
        self._files = files
        self._analyser: Analyser | None = None

    def get(self, entry: Entry) -> Analysis:
        """The full analysis of the article `entry` stands for."""
        found = self._loaded.get(entry.key)
        if found is None:
            cached = self._cache.load(entry.key)
            found = cached if isinstance(cached, Analysis) else self._analyse(entry)
            self._loaded[entry.key] = found
        return found

    def _analyse(self, entry: Entry) -> Analysis:
        path, label = self._files[entry.key]
        if self._analyser is None:
            self._analyser = Analyser(self._job)
        result = self._analyser.analyse(path, label, path.read_bytes(), entry.key)
        if isinstance(result, Problem) or result.entry != entry:
            raise DigestError("changed while the site was being built; build again", label)
        self._cache.store(entry.key, result)
        return result
