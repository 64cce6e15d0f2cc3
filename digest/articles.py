"""The site's articles: every content file read into the corpus, and each article in
full (text, sentences, topic hits) fetched only when a page needs it.

The site-wide stages work from the corpus; only rendering needs an article's sentences.
A build keeps in memory the analyses it made itself and loads the others from the
analysis cache, so a rebuild after one edit opens the few articles whose pages change,
not all of them (a cold build loads new articles' analyses ahead, while it would only wait:
`ArticleStore.preload`). An entry missing from the cache (deleted by hand mid-build) is analysed
again from its file, so a page never goes without its article.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeGuard

from digest.analysis import Analyser, Analysis, Job, Problem, Sentences, analyse_all, store
from digest.cache import Cache, companion
from digest.config import Site
from digest.corpus import EMPTY, Corpus, Entry, Item, assemble
from digest.errors import DigestError
from digest.freshness import Signature
from digest.read import discover

RECENT = 256
"""Loaded analyses kept at hand (per process)."""

AHEAD = 64_000
"""Sentences whose articles' analyses may be loaded ahead (`ArticleStore.preload`):
about 75 MB of news articles, whatever their lengths."""


class ArticleStore:
    def __init__(
        self,
        job: Job,
        cache: Cache,
        fresh: Mapping[str, Analysis],
        files: Mapping[str, tuple[str, str]],
    ) -> None:
        self._job = job
        self._cache = cache
        self._fresh = fresh
        self._loaded: OrderedDict[str, Analysis] = OrderedDict()
        self._ahead: dict[str, Analysis] = {}
        self._sentences: OrderedDict[str, Sentences] = OrderedDict()
        self._files = files
        self._analyser: Analyser | None = None

    def get(self, entry: Entry) -> Analysis:
        """The full analysis of the article `entry` stands for."""
        found = self._at_hand(entry.key)
        if found is None:
            cached = self._cache.load(entry.key)
            found = cached if isinstance(cached, Analysis) else self._analyse(entry)
            self._loaded[entry.key] = found
            # A few recent ones: a page asks for the same article several times, and
            # keeping every article loaded would hold the whole site in memory.
            if len(self._loaded) > RECENT:
                self._loaded.popitem(last=False)
        return found

    def sentence(self, entry: Entry, index: int) -> tuple[str, str]:
        """Text and HTML of one sentence of the article `entry` stands for: from its
        analysis when at hand, else from the sentences stored beside it."""
        found = self._at_hand(entry.key)
        if found is not None:
            sentence = found.article.sentences[index]
            return sentence.text, sentence.html
        sentences = self._sentences.get(entry.key)
        if sentences is None:
            loaded = self._cache.load(companion(entry.key))
            if not _whole(loaded, entry.sentence_count):
                sentence = self.get(entry).article.sentences[index]
                return sentence.text, sentence.html
            sentences = self._sentences[entry.key] = loaded
            if len(self._sentences) > RECENT:
                self._sentences.popitem(last=False)
        return sentences[index]

    def _at_hand(self, key: str) -> Analysis | None:
        """The analysis of `key` if this process holds it: made, loaded ahead or lately."""
        return self._fresh.get(key) or self._ahead.get(key) or self._loaded.get(key)

    def preload(self, entries: Sequence[Entry], ready: Callable[[], bool]) -> None:
        """Load the analyses of `entries`, in order, until `ready()` (and while they hold
        fewer than AHEAD sentences in all): what a build does while it would only wait
        (for agreement), so the pages of new articles, rendered later by this process
        and the workers it forks, find them loaded. Loading took a 1,000-article cold
        build's page workers 0.15 s."""
        room = AHEAD
        for entry in entries:
            room -= entry.sentence_count
            if room < 0 or ready():
                return
            if entry.key not in self._fresh and entry.key not in self._ahead:
                found = self._cache.load(entry.key)
                if isinstance(found, Analysis):
                    self._ahead[entry.key] = found

    def _analyse(self, entry: Entry) -> Analysis:
        path, label = self._files[entry.key]
        if self._analyser is None:
            self._analyser = Analyser(self._job)
        result = self._analyser.analyse(Path(path), label, Path(path).read_bytes(), entry.key)
        if isinstance(result, Problem) or result.entry != entry:
            raise DigestError("changed while the site was being built; build again", label)
        store(self._cache, result)
        return result


def _whole(loaded: object, count: int) -> TypeGuard[Sentences]:
    """Whether a stored entry is an article's sentences, all `count` of them."""
    return isinstance(loaded, tuple) and len(loaded) == count


def read_all(
    site: Site,
    warn: Callable[[DigestError], None],
    cache: Cache | None = None,
    jobs: int = 0,
    progress: Callable[[int, int], None] | None = None,
    previous: Corpus = EMPTY,
    drafts: bool = True,
    seen: Mapping[str, tuple[Signature, str]] | None = None,
    listed: Mapping[str, Signature] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[Corpus, ArticleStore, dict[str, tuple[Signature, str]]]:
    """Every readable content file, as the corpus and a store of full analyses; each
    bad file is skipped with a warning.

    One bad file should not cost the reader the other fifty, so a problem with a file
    (bad front matter, no text, a page URL already taken) is reported and the file left
    out; `--strict` turns those warnings into a failed build. Files the `previous`
    corpus holds unchanged are not analysed, and not even read when their signature is
    the one `seen` recorded. `listed`: the content folder's files (relative paths) and
    signatures, when the no-op check has just taken them. `meanwhile` runs while the
    files are analysed (see `analyse_all`).
    """
    topics = {t.slug for t in site.config.topics}
    content = relative_label(site.content_dir, site.root)
    paths = discover(site.content_dir, content, listed)
    if not paths:
        warn(DigestError("no articles (.md, .markdown, .txt) found", content))
    # Labels are the paths relative to the site, made by string work: Path arithmetic
    # for ten thousand files is a tenth of a rebuild.
    folder = str(site.content_dir)
    prefix = content.as_posix()
    labelled = [(path, f"{prefix}/{path[len(folder) + 1 :]}") for path in paths]
    job = Job(site.config, site.content_dir)
    cache = cache or Cache(None, "analysis", b"")
    known = {e.key: e for e in previous.entries}
    items: list[Item] = []
    fresh: dict[str, Analysis] = {}
    files: dict[str, tuple[str, str]] = {}
    taken: dict[str, str] = {}
    stamps = {f"{folder}/{name}": stamp for name, stamp in (listed or {}).items()}
    results, signatures = analyse_all(
        labelled, job, cache, jobs, progress, known, seen, stamps, meanwhile
    )
    for (path, label), result in zip(labelled, results, strict=True):
        try:
            if isinstance(result, Problem):
                raise result.error()
            entry = result if isinstance(result, Entry) else result.entry
            if entry.id in taken:
                raise DigestError(
                    f"same page URL articles/{entry.id}.html as {taken[entry.id]}; "
                    "give one of them a different `slug` in its front matter",
                    label,
                )
            unknown = sorted(set(entry.forced_topics) - topics)
            if unknown:
                raise DigestError(
                    f"front matter names unknown topic '{unknown[0]}'; "
                    f"topics in config.yaml: {', '.join(sorted(topics)) or 'none'}",
                    label,
                )
        except DigestError as problem:
            warn(DigestError(f"{problem.message}; file skipped", problem.path, problem.line))
            continue
        taken[entry.id] = label
        if entry.draft and not drafts:
            continue
        files[entry.key] = (path, label)
        if isinstance(result, Entry):
            items.append(Item(entry, None, None))
        else:
            items.append(Item(entry, result.facts, result.shingles))
            if isinstance(result, Analysis):
                fresh[entry.key] = result
    return assemble(previous, items), ArticleStore(job, cache, fresh, files), signatures


def relative_label(path: Path, root: Path) -> Path:
    """Paths in messages are relative to the site, as the user thinks of them."""
    try:
        return path.relative_to(root)
    except ValueError:
        return path
