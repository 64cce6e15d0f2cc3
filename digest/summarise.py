"""Summaries with sumy: rank sentences, then keep the best that say something new.

sumy ranks; digest chooses. sumy's summarisers return the top N sentences, which across
five outlets quoting the same words would be the same quote five times. So we ask sumy
for its full ranking (through the callable `count` its summarisers accept) and walk it
best first, skipping any sentence too similar to one already chosen. The result is a
tuple of sentence references, never text, so each summary sentence links to its source.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from digest.agreement import SentenceTerms, same_statement_score
from digest.config import Algorithm, Settings
from digest.lexrank import FastLexRank
from digest.models import Article, SentenceRef
from digest.sentences import Tokenizer, words
from digest.sumy_api import (
    EdmundsonSummarizer,
    KLSummarizer,
    LsaSummarizer,
    LuhnSummarizer,
    ObjectDocumentModel,
    Paragraph,
    ReductionSummarizer,
    SumBasicSummarizer,
    TextRankSummarizer,
)
from digest.sumy_api import Sentence as SumySentence
from digest.terms import Terms

_SUMMARISERS: dict[Algorithm, Callable[..., Any]] = {
    "lexrank": FastLexRank,
    "lsa": LsaSummarizer,
    "textrank": TextRankSummarizer,
    "luhn": LuhnSummarizer,
    "edmundson": EdmundsonSummarizer,
    "kl": KLSummarizer,
    "sumbasic": SumBasicSummarizer,
    "reduction": ReductionSummarizer,
}

MIN_WORDS = 8
"""Shorter sentences ("Price said.", a bare dateline) rarely stand alone, so they are not
summary material unless nothing longer is left."""

AGREEMENT_WEIGHT = 1.0
"""How much "reported by every other source" adds to sumy's rank score (which runs from 1
for the best sentence down to 0). A statement several outlets carry is what the story is
about. Chosen on DUC 2003 (README, "Summary quality")."""

SHORTLIST = 300
"""Graph rankers (LexRank, TextRank) compare every pair of sentences; a topic with
thousands of sentences first keeps this many by a linear score (lead position, sources
that agree, closeness to the topic's centroid), so cost grows linearly with the topic."""

LEAD_WEIGHT = 0.3
"""How much being an article's first sentence adds (1/(1+position) of it): news puts the
essentials first."""


class Candidate(NamedTuple):
    """A sentence that may go into a summary, with the group (article) it came from. (A
    named tuple: an article's analysis makes one per sentence, three times as fast as
    a frozen dataclass.)"""

    ref: SentenceRef
    text: str
    length: int | None = None
    """Its words, when the caller has counted them (else counted here)."""
    terms: tuple[str, ...] | None = None
    """Its stems as LexRank weighs them (stop words out, repeats kept), when known."""
    content: frozenset[str] | None = None
    """Its content stems (`Terms.content`), when known."""


class _Sentence(SumySentence):  # type: ignore[misc]
    """A sumy sentence that brings its stems along, so LexRank need not tokenise it."""

    __slots__ = ("terms",)

    def __init__(self, candidate: Candidate, tokenizer: Tokenizer) -> None:
        super().__init__(candidate.text, tokenizer)
        self.terms = candidate.terms


class Summariser:
    """One configured sumy algorithm plus the de-duplicating choice of sentences."""

    def __init__(
        self,
        settings: Settings,
        terms: Terms,
        index: SentenceTerms | None = None,
        bonus_words: Sequence[str] = (),
    ) -> None:
        self._settings = settings
        self._terms = terms
        self._index = index
        self._tokenizer = Tokenizer()
        summariser = _SUMMARISERS[settings.algorithm](terms.stem)
        if hasattr(summariser, "stop_words"):
            summariser.stop_words = terms.stop_words
        if settings.algorithm == "edmundson":
            # Edmundson's cue method needs words that mark important sentences: the
            # topics' keywords are exactly that in a digest.
            summariser.null_words = terms.stop_words
            summariser.bonus_words = [w for kw in bonus_words for w in words(kw)] or ["said"]
            summariser.stigma_words = ["advertisement"]
        self._summariser = summariser

    def rank(self, groups: Sequence[Sequence[Candidate]]) -> list[Candidate]:
        """All candidates, most important first (each group is one sumy paragraph)."""
        flat = [c for group in groups for c in group]
        if len(flat) <= 1:
            return flat
        if isinstance(self._summariser, FastLexRank):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                order = self._summariser.order([(c.text, c.terms) for c in flat])
            return [flat[i] for i in order]
        by_sentence: dict[int, Candidate] = {}
        paragraphs = []
        for group in groups:
            sentences = []
            for candidate in group:
                sentence = _Sentence(candidate, self._tokenizer)
                by_sentence[id(sentence)] = candidate
                sentences.append(sentence)
            paragraphs.append(Paragraph(sentences))
        ranking: list[Any] = []

        def keep_all(infos: list[Any]) -> list[Any]:
            ranking.extend(infos)
            return infos

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._summariser(ObjectDocumentModel(paragraphs), keep_all)
        ranked = [by_sentence[id(info.sentence)] for info in ranking]
        # sumy drops sentences it cannot score (no content words); keep them, last.
        missing = {id(c) for c in ranked}
        return ranked + [c for c in flat if id(c) not in missing]

    def pick(
        self,
        groups: Sequence[Sequence[Candidate]],
        support: Callable[[SentenceRef], float] | None = None,
        position: Mapping[str, int] | None = None,
        same: Callable[[SentenceRef, Sequence[SentenceRef]], bool] | None = None,
    ) -> tuple[SentenceRef, ...]:
        """The best candidates, no two saying the same thing, within the length limits.

        `support` (0 to 1: the share of the other sources that report a sentence) lifts
        sentences many outlets carry; `position` orders articles for `order: source`;
        `same(ref, chosen)` says whether a sentence is known to say the same as one
        already chosen (agreement, shared quotations): it then stays out.
        """
        if sum(len(g) for g in groups) > SHORTLIST:
            groups = self._shortlist(groups, support)
        ranked = self.rank(groups)
        by_ref = {c.ref: c for c in ranked}
        return self.choose(
            [c.ref for c in ranked],
            lambda ref: _length(by_ref[ref]),
            lambda ref: self._content(by_ref[ref]),
            support,
            position,
            same,
        )

    def choose(
        self,
        ranked: Sequence[SentenceRef],
        length_of: Callable[[SentenceRef], int],
        content_of: Callable[[SentenceRef], frozenset[Hashable]],
        support: Callable[[SentenceRef], float] | None = None,
        position: Mapping[str, int] | None = None,
        same: Callable[[SentenceRef, Sequence[SentenceRef]], bool] | None = None,
    ) -> tuple[SentenceRef, ...]:
        """`pick` once sumy has ranked the candidates: the text itself is no longer
        needed, only each sentence's length in words and its stems."""
        n = len(ranked)
        score = {
            ref: (n - i) / n
            + LEAD_WEIGHT / (1 + ref.index)
            + (AGREEMENT_WEIGHT * support(ref) if support else 0.0)
            for i, ref in enumerate(ranked)
        }
        ordered = sorted(ranked, key=lambda ref: -score[ref])
        long_enough = [r for r in ordered if length_of(r) >= MIN_WORDS] or ordered
        settings = self._settings
        chosen: list[SentenceRef] = []
        chosen_terms: list[frozenset[Hashable]] = []
        total = 0
        for ref in long_enough:
            terms = content_of(ref)
            if any(self._alike(terms, other) for other in chosen_terms):
                continue
            if same is not None and same(ref, chosen):
                continue
            length = length_of(ref)
            if settings.words is not None and chosen and total + length > settings.words:
                continue
            chosen.append(ref)
            chosen_terms.append(terms)
            total += length
            if len(chosen) == settings.sentences:
                break
        if settings.order == "source":
            place = position or {}
            chosen.sort(key=lambda r: (place.get(r.article, 0), r))
        return tuple(chosen)

    def _shortlist(
        self,
        groups: Sequence[Sequence[Candidate]],
        support: Callable[[SentenceRef], float] | None,
    ) -> list[list[Candidate]]:
        stems = {c.ref: self._content(c) for g in groups for c in g}
        centroid: dict[Hashable, int] = {}
        for terms in stems.values():
            for stem in terms:
                centroid[stem] = centroid.get(stem, 0) + 1
        top = max(centroid.values(), default=1)

        def score(c: Candidate) -> float:
            terms = stems[c.ref]
            central = sum(centroid[t] for t in terms) / (top * max(1, len(terms)))
            lifted = AGREEMENT_WEIGHT * support(c.ref) if support else 0.0
            return central + LEAD_WEIGHT / (1 + c.ref.index) + lifted

        flat = sorted((c for g in groups for c in g), key=lambda c: (-score(c), c.ref))
        keep = {c.ref for c in flat[:SHORTLIST]}
        return [[c for c in g if c.ref in keep] for g in groups if any(c.ref in keep for c in g)]

    def _content(self, candidate: Candidate) -> frozenset[Hashable]:
        """The sentence's stems: numbered ones from the site's index when it has them
        (so they can be weighted), else the stems of its text."""
        if self._index is not None:
            return self._index.stems(candidate.ref) or frozenset()
        if candidate.content is not None:
            return candidate.content
        return frozenset(self._terms.content(candidate.text))

    def _alike(self, a: frozenset[Any], b: frozenset[Any]) -> bool:
        limit = self._settings.max_similarity
        if self._index is not None:
            return same_statement_score(a, b, self._index.weights) > limit
        return similarity(a, b) > limit


def _length(candidate: Candidate) -> int:
    return len(words(candidate.text)) if candidate.length is None else candidate.length


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Unweighted overlap coefficient, for text outside a site (no sentence weights)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    smaller = min(len(a), len(b))
    if smaller < 4:
        return shared / len(a | b)
    return shared / smaller


def article_candidates(article: Article) -> list[Candidate]:
    """An article's summary candidates: its prose sentences, in order."""
    return [
        Candidate(SentenceRef(article.id, s.index), s.text)
        for s in article.sentences
        if article.is_prose(s)
    ]
