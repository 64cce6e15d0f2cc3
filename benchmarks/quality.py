"""Summary quality on DUC 2003 multi-document clusters: digest's topic summariser against
plain sumy algorithms and a lead baseline, on the same sentences, in one process.

Usage::

    python benchmarks/quality.py PATH/duc2003 [--clusters N] [--words 100]

PATH may also come from the DIGEST_EVAL_DATA environment variable (its duc2003/ folder).
Each cluster's documents are read by digest's own reader (as pasted text with a date), so
every system ranks exactly the sentences the site would. Summaries are cut to 100 words
and scored with `rouge-score` (stemming on) against every reference of the cluster;
per-cluster scores are the mean over references, the table the mean over clusters.

Systems:
- digest: the topic summariser the site uses (sumy LexRank ranking, lifted by how many
  documents report a sentence, then redundancy removal and the short-sentence filter);
- sumy LexRank, TextRank, LSA, Luhn: the algorithm's full ranking, best first, as is;
- lead: the newest document's first sentences (the DUC baseline).
The data is read in place and never copied.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rouge_score import rouge_scorer

from digest.clean import compile_rules
from digest.compare import compare_articles
from digest.config import Settings
from digest.models import Article, SentenceRef
from digest.read import read_article
from digest.summarise import Candidate, Summariser
from digest.terms import Terms

_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]{1,40}(?:\([A-Za-z ]+\))?\s+(?:--|_)\s+")


def parse_doc(path: Path) -> tuple[str, str, list[str]]:
    """(doc id, date, paragraphs) of one NIST SGML document."""
    raw = path.read_text(encoding="latin-1")
    docno = re.search(r"<DOCNO>\s*(\S+)\s*</DOCNO>", raw)
    when = re.search(r"<DATE_TIME>\s*(\d{4}-\d{2}-\d{2})", raw)
    text = raw.split("<TEXT>", 1)[-1].split("</TEXT>", 1)[0]
    paragraphs = re.findall(r"<P>(.*?)</P>", text, re.S) or [text]
    cleaned = []
    for p in paragraphs:
        p = html.unescape(re.sub(r"<[^>]+>", " ", p))
        p = " ".join(p.split()).replace("``", "“").replace("''", "”")
        p = _DATELINE.sub("", p)
        if p:
            cleaned.append(p)
    doc_id = docno.group(1) if docno else path.name
    date = when.group(1) if when else ""
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        date = ""  # a few documents carry impossible dates; leave them undated
    return doc_id, date, cleaned


def read_cluster(folder: Path, scratch: Path) -> list[Article]:
    articles = []
    rules = compile_rules(())
    for path in sorted(folder.iterdir()):
        doc_id, date, paragraphs = parse_doc(path)
        front = f"---\nsource: {doc_id}\n" + (f"date: {date}\n" if date else "") + "---\n"
        file = scratch / f"{doc_id}.txt"
        file.write_text(front + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        articles.append(read_article(file, scratch, rules))
        file.unlink()
    return articles


def references(models: Path, cluster: str) -> list[str]:
    name = cluster[:-1].upper()  # d100a -> D100
    return [p.read_text(encoding="latin-1") for p in sorted(models.glob(f"{name}.M.100.*"))]


def cut(texts: Sequence[str], words: int) -> str:
    return " ".join(" ".join(texts).split()[:words])


SETTINGS = Settings("lexrank", 50, None, 0.6, "importance")


def systems(articles: Sequence[Article], terms: Terms) -> dict[str, Callable[[], list[str]]]:
    by_id = {a.id: a for a in articles}
    groups = [
        [Candidate(SentenceRef(a.id, s.index), s.text) for s in a.sentences if a.is_prose(s)]
        for a in articles
    ]

    def text(ref: SentenceRef) -> str:
        return by_id[ref.article].sentences[ref.index].text

    def ours() -> list[str]:
        comparison = compare_articles(articles, terms)
        n = len(articles)

        def support(ref: SentenceRef) -> float:
            return (len(comparison.reported_by(ref)) - 1) / max(1, n - 1)

        summariser = Summariser(SETTINGS, terms, comparison.terms)
        return [text(r) for r in summariser.pick(groups, support, None, comparison.says_same)]

    def plain(algorithm: str) -> Callable[[], list[str]]:
        settings = Settings(algorithm, 50, None, 1.0, "importance")  # type: ignore[arg-type]

        def run() -> list[str]:
            return [c.text for c in Summariser(settings, terms).rank(groups)]

        return run

    def lead() -> list[str]:
        newest = max(articles, key=lambda a: (str(a.date), a.id))
        return [s.text for s in newest.sentences if newest.is_prose(s)]

    return {
        "digest (topic summariser)": ours,
        "sumy LexRank": plain("lexrank"),
        "sumy TextRank": plain("textrank"),
        "sumy LSA": plain("lsa"),
        "sumy Luhn": plain("luhn"),
        "lead baseline": lead,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, help="the duc2003 folder")
    parser.add_argument("--clusters", type=int, default=0, help="only the first N clusters")
    parser.add_argument("--words", type=int, default=100)
    args = parser.parse_args(argv)
    path = args.path
    if path is None and os.environ.get("DIGEST_EVAL_DATA"):
        path = Path(os.environ["DIGEST_EVAL_DATA"]) / "duc2003"
    if path is None:
        parser.error("give the duc2003 folder or set DIGEST_EVAL_DATA")
    docs, models = path / "docs.without.headlines", path / "detagged.duc2003.abstracts" / "models"
    clusters = sorted(p for p in docs.iterdir() if p.is_dir())
    if args.clusters:
        clusters = clusters[: args.clusters]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    terms = Terms()
    scores: dict[str, dict[str, list[float]]] = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for cluster in clusters:
            refs = references(models, cluster.name)
            if not refs:
                continue
            articles = read_cluster(cluster, Path(scratch))
            for name, run in systems(articles, terms).items():
                begin = time.perf_counter()
                summary = cut(run(), args.words)
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - begin
                per = [scorer.score(ref, summary) for ref in refs]
                table = scores.setdefault(name, {})
                for metric in ("rouge1", "rouge2", "rougeL"):
                    table.setdefault(metric + "_r", []).append(
                        statistics.fmean(s[metric].recall for s in per)
                    )
                    table.setdefault(metric + "_f", []).append(
                        statistics.fmean(s[metric].fmeasure for s in per)
                    )
    n = len(next(iter(scores.values()))["rouge1_r"])
    print(f"{n} clusters, summaries cut to {args.words} words, ROUGE recall / F1 (stemmed)\n")
    print("| system | ROUGE-1 R | ROUGE-1 F | ROUGE-2 R | ROUGE-2 F | ROUGE-L R | ROUGE-L F | s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, table in scores.items():
        cells = [
            f"{statistics.fmean(table[m]):.4f}"
            for m in ("rouge1_r", "rouge1_f", "rouge2_r", "rouge2_f", "rougeL_r", "rougeL_f")
        ]
        print(f"| {name} | " + " | ".join(cells) + f" | {seconds[name]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
