"""sumy's LexRank with its similarity matrix computed by NumPy.

sumy's LexRankSummarizer compares every pair of sentences in pure Python (a cosine per
pair, an IDF that rescans all sentences per word), which dominates a build. This subclass
keeps sumy's algorithm, thresholding, normalisation and power method unchanged and only
computes the same quantities in arrays: the TF-IDF weights, each pair's cosine, then
sumy's 0/1 threshold and row normalisation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import chain
from itertools import count as count_from
from typing import Any

import numpy as np
import numpy.typing as npt

from digest.rows import ranges
from digest.sentences import words
from digest.sumy_api import LexRankSummarizer

_CLOSE = 1e-9
"""Cosines nearer the threshold than this (relative) are decided by the exact matrix."""


class FastLexRank(LexRankSummarizer):  # type: ignore[misc]
    def __call__(self, document: Any, sentences_count: Any) -> Any:
        """sumy's `LexRankSummarizer.__call__`, with the term frequencies and IDF that
        sumy keeps as a dict per sentence (a Counter each) counted in arrays instead."""
        sentences = document.sentences
        sentences_words = [self._to_words_set(s) for s in sentences]
        if not sentences_words:
            return ()
        scores = self.power_method(self._matrix(sentences_words), self.epsilon)
        ratings = dict(zip(sentences, scores, strict=True))
        return self._get_best_sentences(sentences, sentences_count, ratings)

    def order(self, sentences: Sequence[tuple[str, Sequence[str] | None]]) -> list[int]:
        """The positions of (text, stems or None) sentences, best first: the order in
        which `__call__` hands a document of them, in one paragraph or several, to a
        callable count, without making sumy's objects (a sentence, a rating and a
        record each: a fifth of an article's summary). As sumy rates sentences by a
        dict keyed by sentence, sentences of the same (stripped) text all get the
        last one's score; the sort is sumy's, stable, best first."""
        texts = [text.strip() for text, _ in sentences]
        stems = [
            self._stems(words(text)) if known is None else known
            for text, (_, known) in zip(texts, sentences, strict=True)
        ]
        if not stems:
            return []
        scores = self.power_method(self._matrix(stems), self.epsilon).tolist()
        rating = dict(zip(texts, scores, strict=True))
        ratings = [rating[text] for text in texts]
        return sorted(range(len(texts)), key=ratings.__getitem__, reverse=True)

    def _to_words_set(self, sentence: Any) -> Sequence[str]:
        """sumy's word list (normalised, stop words out, stemmed). A sentence whose
        analysis already stemmed its words brings them (`terms`)."""
        known: tuple[str, ...] | None = getattr(sentence, "terms", None)
        return self._stems(sentence.words) if known is None else known

    def _stems(self, words: Sequence[str]) -> list[str]:
        """sumy's `_to_words_set` of a sentence's words, memoised per word: the same
        few thousand words recur in every sentence."""
        stop_words = self._stop_words
        memo: tuple[object, dict[str, str]] | None = getattr(self, "_memo", None)
        if memo is None or memo[0] is not stop_words:
            memo = (stop_words, {})
            self._memo = memo
        stems = memo[1]
        found = []
        for word in words:
            stem = stems.get(word)
            if stem is None:
                normal = self.normalize_word(word)
                stem = stems[word] = "" if normal in stop_words else self.stem_word(normal)
            if stem:
                found.append(stem)
        return found

    def _matrix(self, sentences: Sequence[Sequence[str]]) -> Any:
        """sumy's thresholded, row-normalised similarity matrix.

        Only which cosines exceed the threshold matters, so each pair's cosine is summed
        over the terms the two sentences share, not as a product of the dense TF-IDF
        matrix with itself: OpenBLAS runs that small product on threads that spin, and
        it took most of an article's summary. Summed in another order, a cosine can
        differ from sumy's in its last bits; the sums are of positive numbers, so by
        far less than `_CLOSE`, and a cosine that near the threshold sends the whole
        matrix to `_exact_matrix`, so the answer is always sumy's."""
        count = len(sentences)
        # Terms numbered in order of appearance, by C loops (no Python step per word).
        column = dict(zip(dict.fromkeys(chain.from_iterable(sentences)), count_from()))
        ids = list(map(column.__getitem__, chain.from_iterable(sentences)))
        width = len(column)
        if not width:
            return np.zeros((count, count))
        rows, columns, weights, df = _weights(sentences, ids, width)
        norms = np.sqrt(np.bincount(rows, weights * weights, count))
        # Each entry pairs with every entry of its column (itself included).
        by_column = columns.argsort(kind="stable")
        run = df[columns[by_column]]
        first = by_column.repeat(run)
        second = by_column[ranges((df.cumsum() - df).repeat(df), run)]
        pairs = rows[first] * count + rows[second]
        dots = np.bincount(pairs, weights[first] * weights[second], count * count)
        zero = norms == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = dots.reshape(count, count) / (norms[:, None] * norms[None, :])
        cosine[zero[:, None] | zero[None, :]] = 0.0
        threshold = self.threshold
        if (abs(cosine - threshold) <= _CLOSE * threshold).any():
            return self._exact_matrix(sentences)
        return _normalised(cosine > threshold)

    def _exact_matrix(self, sentences: Sequence[Sequence[str]]) -> Any:
        """The matrix as sumy's arithmetic makes it (its `_create_matrix` of its
        `_compute_tf` and `_compute_idf`): the same TF-IDF numbers in sorted term
        order, the product of the matrix with itself, then the same divisions."""
        count = len(sentences)
        column = {term: i for i, term in enumerate(sorted({t for s in sentences for t in s}))}
        ids = [column[term] for sentence in sentences for term in sentence]
        rows, columns, values, _ = _weights(sentences, ids, len(column))
        weights = np.zeros((count, len(column)))
        weights[rows, columns] = values
        norms = np.sqrt((weights**2).sum(axis=1))
        dots = weights @ weights.T
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = dots / np.outer(norms, norms)
        cosine[~np.isfinite(cosine)] = 0.0
        cosine[(norms == 0)[:, None] | (norms == 0)[None, :]] = 0.0
        return _normalised(cosine > self.threshold)


def _weights(
    sentences: Sequence[Sequence[str]], ids: list[int], width: int
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    """sumy's TF-IDF weight of each (sentence, term) present, by rows then term ids:
    count / the sentence's top count, times log(N / (1 + df)) by `math.log` (numpy's
    log may differ from it in the last bit); and each term's df."""
    count = len(sentences)
    lengths = np.fromiter(map(len, sentences), np.int64, count)
    flat = np.asarray(ids, np.int64) + (np.arange(count, dtype=np.int64) * width).repeat(lengths)
    counts = np.bincount(flat, minlength=count * width).reshape(count, width)
    df = (counts > 0).sum(axis=0)
    logs = {n: math.log(count / (1 + n)) for n in set(df.tolist())}
    idf = np.array([logs[n] for n in df.tolist()])
    top = np.maximum(counts.max(axis=1), 1)
    rows, columns = counts.nonzero()
    return rows, columns, counts[rows, columns] / top[rows] * idf[columns], df


def _normalised(linked: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """sumy's 0/1 matrix divided by each row's degree (1 for a row with none)."""
    matrix = linked.astype(float)
    degrees = matrix.sum(axis=1)
    degrees[degrees == 0] = 1.0
    result: npt.NDArray[Any] = matrix / degrees[:, None]
    return result
