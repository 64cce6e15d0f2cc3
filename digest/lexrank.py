"""sumy's LexRank with its similarity matrix computed by NumPy.

sumy's LexRankSummarizer compares every pair of sentences in pure Python (a cosine per
pair, an IDF that rescans all sentences per word), which dominates a build. This subclass
keeps sumy's algorithm, thresholding, normalisation and power method unchanged and only
computes the same quantities as matrix products: TF-IDF vectors W, cosines W·Wᵀ over the
norms, then sumy's 0/1 threshold and row normalisation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from digest.sumy_api import LexRankSummarizer


class FastLexRank(LexRankSummarizer):  # type: ignore[misc]
    def _to_words_set(self, sentence: Any) -> list[str]:
        """sumy's word list (normalised, stop words out, stemmed), memoised per word:
        the same few thousand words recur in every sentence. A sentence whose analysis
        already stemmed its words brings them (`terms`)."""
        known: tuple[str, ...] | None = getattr(sentence, "terms", None)
        if known is not None:
            return list(known)
        stop_words = self._stop_words
        memo: tuple[object, dict[str, str]] | None = getattr(self, "_memo", None)
        if memo is None or memo[0] is not stop_words:
            memo = (stop_words, {})
            self._memo = memo
        stems = memo[1]
        found = []
        for word in sentence.words:
            stem = stems.get(word)
            if stem is None:
                normal = self.normalize_word(word)
                stem = stems[word] = "" if normal in stop_words else self.stem_word(normal)
            if stem:
                found.append(stem)
        return found

    @staticmethod
    def _compute_idf(sentences: Sequence[Sequence[str]]) -> dict[str, float]:
        count = len(sentences)
        df = Counter(term for sentence in sentences for term in set(sentence))
        return {term: math.log(count / (1 + n)) for term, n in df.items()}

    def _create_matrix(
        self,
        sentences: Sequence[Sequence[str]],
        threshold: float,
        tf_metrics: Sequence[dict[str, float]],
        idf_metrics: dict[str, float],
    ) -> Any:
        vocabulary = {term: i for i, term in enumerate(sorted(idf_metrics))}
        weights = np.zeros((len(sentences), len(vocabulary)))
        for row, tf in enumerate(tf_metrics):
            for term, value in tf.items():
                weights[row, vocabulary[term]] = value * idf_metrics[term]
        norms = np.sqrt((weights**2).sum(axis=1))
        dots = weights @ weights.T
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = dots / np.outer(norms, norms)
        cosine[~np.isfinite(cosine)] = 0.0
        cosine[(norms == 0)[:, None] | (norms == 0)[None, :]] = 0.0
        matrix = (cosine > threshold).astype(float)
        degrees = matrix.sum(axis=1)
        degrees[degrees == 0] = 1.0
        return matrix / degrees[:, None]
