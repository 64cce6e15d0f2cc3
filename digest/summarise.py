"""Summaries with sumy: rank sentences, then keep the best that say something new.

sumy ranks; digest chooses. sumy's summarisers return the top N sentences, which across
five outlets quoting the same words would be the same quote five times. So we ask sumy
for its full ranking (through the callable `count` its summarisers accept) and walk it
best first, skipping any sentence too similar to one already chosen. The result is a
tuple of sentence references, never text, so each summary sentence links to its source.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from digest.config import Algorithm, SummaryConfig
from digest.models import Article, SentenceRef, Summaries, TopicCoverage
from digest.sentences import Tokenizer, words
from digest.terms import Terms

_SUMMARISERS: dict[Algorithm, Callable[..., Any]] = {
    "lexrank": LexRankSummarizer,
    "lsa": LsaSummarizer,
    "textrank": TextRankSummarizer,
    "luhn": LuhnSummarizer,
    "edmundson": EdmundsonSummarizer,
    "kl": KLSummarizer,
    "sumbasic": SumBasicSummarizer,
    "reduction": ReductionSummarizer,
}

MAX_RANKED = 300
"""sumy's graph algorithms compare every pair of sentences in pure Python (LexRank: about
10 µs a pair), so a 20 MB article would take days. Beyond this many candidates only the
leading sentences of each group are ranked (news puts what matters first); the rest
follow them, in order, in case the summary needs them."""

MIN_WORDS = 5
"""Shorter sentences ("Price said.") rarely stand alone, so they are not summary material
unless nothing longer is left."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that may go into a summary, with the group (article) it came from."""

    ref: SentenceRef
    text: str


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """How much two sentences' content words overlap, from 0 to 1.

    The overlap coefficient (shared / smaller set) treats a quote and the same quote
    with extra words around it as the same statement, which is how outlets differ. For
    very short sentences it is too eager, so those fall back to Jaccard.
    """
    if not a or not b:
        return 0.0
    shared = len(a & b)
    smaller = min(len(a), len(b))
    if smaller < 4:
        return shared / len(a | b)
    return shared / smaller


class Summariser:
    """One configured sumy algorithm plus the de-duplicating choice of sentences."""

    def __init__(
        self, config: SummaryConfig, terms: Terms, bonus_words: Sequence[str] = ()
    ) -> None:
        self._config = config
        self._terms = terms
        self._tokenizer = Tokenizer()
        summariser = _SUMMARISERS[config.algorithm](terms.stem)
        if hasattr(summariser, "stop_words"):
            summariser.stop_words = terms.stop_words
        if config.algorithm == "edmundson":
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
        if len(flat) > MAX_RANKED:
            leads = _leads(groups, MAX_RANKED)
            ranked = {c.ref for group in leads for c in group}
            return self.rank(leads) + [c for c in flat if c.ref not in ranked]
        by_sentence: dict[int, Candidate] = {}
        paragraphs = []
        for group in groups:
            sentences = []
            for candidate in group:
                sentence = SumySentence(candidate.text, self._tokenizer)
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
        return [by_sentence[id(info.sentence)] for info in ranking]

    def pick(
        self,
        groups: Sequence[Sequence[Candidate]],
        count: int,
        order: Literal["importance", "source"],
    ) -> tuple[SentenceRef, ...]:
        """Up to `count` of the best candidates, no two of them saying the same thing."""
        ranked = self.rank(groups)
        long_enough = [c for c in ranked if len(words(c.text)) >= MIN_WORDS] or ranked
        chosen: list[Candidate] = []
        chosen_terms: list[frozenset[str]] = []
        for candidate in long_enough:
            terms = self._terms.content(candidate.text)
            limit = self._config.max_similarity
            if any(similarity(terms, other) > limit for other in chosen_terms):
                continue
            chosen.append(candidate)
            chosen_terms.append(terms)
            if len(chosen) == count:
                break
        refs = [c.ref for c in chosen]
        if order == "source":
            refs.sort()
        return tuple(refs)


def _leads(groups: Sequence[Sequence[Candidate]], limit: int) -> list[list[Candidate]]:
    """The first candidates of every group, taken in turns, `limit` in all."""
    leads: list[list[Candidate]] = [[] for _ in groups]
    depth, taken = 0, 0
    while taken < limit and depth < max(map(len, groups), default=0):
        for group, lead in zip(groups, leads, strict=True):
            if depth < len(group) and taken < limit:
                lead.append(group[depth])
                taken += 1
        depth += 1
    return [lead for lead in leads if lead]


def summarise(
    articles: Sequence[Article],
    coverage: Sequence[TopicCoverage],
    config: SummaryConfig,
    terms: Terms,
) -> Summaries:
    """Every article's summary (in source order) and every topic's (best first)."""
    all_keywords = [kw for topic in coverage for kw in topic.keywords]
    per_article = Summariser(config, terms, all_keywords)
    article_summaries = {
        a.id: per_article.pick(
            [[Candidate(SentenceRef(a.id, s.index), s.text) for s in a.sentences if a.is_prose(s)]],
            config.article_sentences,
            order="source",
        )
        for a in articles
    }
    by_id = {a.id: a for a in articles}
    topic_summaries = {}
    for topic in coverage:
        groups: dict[str, list[Candidate]] = {}
        for ref in topic.sentences:
            article = by_id[ref.article]
            sentence = article.sentences[ref.index]
            if article.is_prose(sentence):
                groups.setdefault(ref.article, []).append(Candidate(ref, sentence.text))
        summariser = Summariser(config, terms, topic.keywords)
        topic_summaries[topic.slug] = summariser.pick(
            list(groups.values()), config.topic_sentences, order="importance"
        )
    return Summaries(article_summaries, topic_summaries)
