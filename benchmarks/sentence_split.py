"""Measure `digest.sentences` against a one-sentence-per-line gold corpus.

Usage::

    python benchmarks/sentence_split.py PATH [--compare] [--errors N] [--runs N]

PATH is a folder whose ``article/<category>/NNN.txt`` files hold one sentence per line,
paragraphs separated by a blank line, the first line being the headline (its own
paragraph). Each paragraph's gold sentences are joined with single spaces and split again;
a boundary is the end offset of every sentence but a paragraph's last. We report boundary
precision, recall and F1 over the whole corpus, and throughput as gold sentences per second
(median of several timed runs, each long enough to be stable).

``--compare`` repeats the figures for the alternatives we evaluated (pysbd, syntok,
blingfire), each only if it can be imported. ``--errors N`` prints up to N wrong
boundaries of ours with context, which is how the misses in the report were reviewed.
The corpus is read in place and never copied.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from importlib import import_module, metadata
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.sentences import sentence_spans

Spans = Callable[[str], list[tuple[int, int]]]


def paragraphs(root: Path) -> Iterator[list[str]]:
    """Gold paragraphs (lists of sentences) of every article under root/article."""
    for path in sorted((root / "article").glob("*/*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        if not lines:
            continue
        yield [lines[0]]
        current: list[str] = []
        for line in lines[1:]:
            if line:
                current.append(line)
            elif current:
                yield current
                current = []
        if current:
            yield current


def gold_boundaries(sentences: list[str]) -> tuple[str, set[int]]:
    """The paragraph as one line, and the offsets where its inner sentences end."""
    cuts: set[int] = set()
    pos = 0
    for sentence in sentences[:-1]:
        pos += len(sentence)
        cuts.add(pos)
        pos += 1
    return " ".join(sentences), cuts


def boundaries(spans: list[tuple[int, int]]) -> set[int]:
    return {end for _, end in spans[:-1]}


def score(split: Spans, corpus: list[tuple[str, set[int]]]) -> tuple[int, int, int]:
    """True positive, false positive and false negative boundary counts."""
    tp = fp = fn = 0
    for text, gold in corpus:
        found = boundaries(split(text))
        tp += len(found & gold)
        fp += len(found - gold)
        fn += len(gold - found)
    return tp, fp, fn


def throughput(split: Spans, texts: list[str], sentences: int, runs: int) -> float:
    """Sentences per second, median of `runs`; each run repeats the corpus for >= 0.2 s."""
    start = time.perf_counter()
    for text in texts:
        split(text)
    once = max(time.perf_counter() - start, 1e-6)
    repeat = max(1, int(0.2 / once))
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(repeat):
            for text in texts:
                split(text)
        rates.append(sentences * repeat / (time.perf_counter() - start))
    return statistics.median(rates)


def show_errors(corpus: list[tuple[str, set[int]]], limit: int) -> None:
    shown = 0
    for text, gold in corpus:
        found = boundaries(sentence_spans(text))
        for kind, cuts in (("extra", found - gold), ("missed", gold - found)):
            for cut in sorted(cuts):
                if shown >= limit:
                    return
                shown += 1
                print(f"{kind:6} …{text[max(0, cut - 50) : cut]}‖{text[cut : cut + 40]}…")


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim whitespace that a library left inside its span, so ends compare like ours."""
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    return start + left, start + len(piece.rstrip())


def _load(module: str, distribution: str) -> tuple[str, ModuleType] | None:
    """The module and a "name version" label, or None when it is not installed."""
    try:
        return f"{distribution} {metadata.version(distribution)}", import_module(module)
    except ImportError:
        return None


def alternatives() -> dict[str, Spans]:
    """Span functions for the third-party splitters that can be imported here."""
    found: dict[str, Spans] = {}
    if loaded := _load("pysbd", "pysbd"):
        segmenter = loaded[1].Segmenter(language="en", clean=False, char_span=True)
        found[loaded[0]] = lambda t: [_stripped(t, s.start, s.end) for s in segmenter.segment(t)]
    if loaded := _load("syntok.segmenter", "syntok"):
        analyze = loaded[1].analyze
        found[loaded[0]] = lambda t: [
            (sentence[0].offset, sentence[-1].offset + len(sentence[-1].value))
            for paragraph in analyze(t)
            for sentence in paragraph
        ]
    if loaded := _load("blingfire", "blingfire"):
        to_offsets = loaded[1].text_to_sentences_and_offsets
        found[loaded[0]] = lambda t: [_stripped(t, s, e) for s, e in to_offsets(t)[1]]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="corpus folder holding article/")
    parser.add_argument("--compare", action="store_true", help="also measure alternatives")
    parser.add_argument("--errors", type=int, default=0, help="print up to N wrong boundaries")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (median reported)")
    args = parser.parse_args()

    corpus = [gold_boundaries(p) for p in paragraphs(args.path)]
    if not corpus:
        parser.error(f"no article/*/*.txt files under {args.path}")
    texts = [text for text, _ in corpus]
    sentences = sum(len(gold) + 1 for _, gold in corpus)
    gold_count = sum(len(gold) for _, gold in corpus)

    candidates: dict[str, Spans] = {"digest.sentences": sentence_spans}
    if args.compare:
        candidates.update(alternatives())

    print(f"{len(corpus)} paragraphs, {sentences} sentences, {gold_count} inner boundaries\n")
    print("| splitter | precision | recall | F1 | extra | missed | sentences/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, split in candidates.items():
        tp, fp, fn = score(split, corpus)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rate = throughput(split, texts, sentences, args.runs)
        print(f"| {name} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {fp} | {fn} | {rate:,.0f} |")
    if args.errors:
        print()
        show_errors(corpus, args.errors)


if __name__ == "__main__":
    main()
