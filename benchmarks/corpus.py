"""A benchmark corpus: N news articles written three ways, for digest, Pelican and Hugo.

Usage::

    python benchmarks/corpus.py OUT --articles 1000 [--data PATH/duc2003] [--seed 1]

PATH may also come from the DIGEST_EVAL_DATA environment variable (its duc2003/ folder).
With the DUC 2003 documents (NIST SGML, one folder per story cluster) every article is
made of real paragraphs: it takes one cluster and draws 20-40 sentences' worth of that
cluster's paragraphs, lead paragraphs first, so each story stays coherent and ~600
documents stretch to 10,000 articles. Topics are groups of clusters; a topic's keywords
are its clusters' most distinctive words, so topic assignment finds real matches.
Without the data the corpus is built from a small synthetic sentence generator instead,
labelled as such in the site title and in OUT/corpus.json, so the harness still runs.

OUT receives::

    digest-site/config.yaml, digest-site/content/NNNNN-slug.md      (YAML front matter)
    pelican-site/pelicanconf.py, pelican-site/content/NNNNN-slug.md (Title:/Date: metadata)
    hugo-site/hugo.yaml, hugo-site/content/posts/NNNNN-slug.md, hugo-site/layouts/...
    corpus.json                                           (what was generated, from what)

Output depends only on the data, N, the topic count and the seed. The corpus is
generated data: write it outside the repository, never commit it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import math
import os
import random
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from competitors import write_hugo, write_pelican
from invented import OUTLETS, synthetic_stories

_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]{1,40}(?:\([A-Za-z ]+\))?\s+(?:--|_)\s+")
_SENTENCE_END = re.compile(r"[.!?][”\"’')]*(?=\s+[“\"A-Z]|\s*$)")
_WORD = re.compile(r"[A-Za-z][a-z]{3,}")
# Only to keep keywords readable; idf already sinks words every cluster uses.
_STOP_WORDS = """
that this with from have were they their there been which would could about after said
says will more than when what also into other some them only over such most year years
time told last first percent people while those where because between being before under
since against during through these very just like made make
"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Paragraph:
    doc: int
    position: int
    text: str
    sentences: int


@dataclass(frozen=True)
class Cluster:
    name: str
    dates: tuple[dt.date, ...]
    paragraphs: tuple[Paragraph, ...]
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    number: int
    cluster: int
    title: str
    date: dt.date
    source: str
    url: str
    paragraphs: tuple[str, ...]

    @property
    def stem(self) -> str:
        words = re.findall(r"[a-z0-9]+", self.title.lower())[:6]
        return f"{self.number:05d}-" + "-".join(words)


def sentence_count(text: str) -> int:
    return max(1, len(_SENTENCE_END.findall(text)))


def parse_doc(path: Path) -> tuple[dt.date | None, list[str]]:
    """Date and paragraphs of one NIST SGML document, joined into plain lines."""
    raw = path.read_text(encoding="latin-1")
    when = re.search(r"<DATE_TIME>\s*(\d{4}-\d{2}-\d{2})", raw)
    text = raw.split("<TEXT>", 1)[-1].split("</TEXT>", 1)[0]
    paragraphs = []
    for p in re.findall(r"<P>(.*?)</P>", text, re.S) or [text]:
        p = html.unescape(re.sub(r"<[^>]+>", " ", p))
        p = " ".join(p.split()).replace("``", "“").replace("''", "”")
        p = _DATELINE.sub("", p)
        if len(p) > 40:
            paragraphs.append(p)
    try:
        date = dt.date.fromisoformat(when.group(1)) if when else None
    except ValueError:
        date = None  # a few documents carry impossible dates
    return date, paragraphs


def duc_clusters(data: Path) -> list[Cluster]:
    clusters = []
    for folder in sorted(p for p in data.iterdir() if p.is_dir()):
        dates, paragraphs = [], []
        for doc, path in enumerate(sorted(p for p in folder.iterdir() if p.is_file())):
            date, texts = parse_doc(path)
            if date:
                dates.append(date)
            paragraphs += [Paragraph(doc, i, t, sentence_count(t)) for i, t in enumerate(texts)]
        if paragraphs:
            fallback = (dt.date(2000, 1, 1),)
            clusters.append(
                Cluster(folder.name, tuple(sorted(dates)) or fallback, tuple(paragraphs))
            )
    return clusters


def synthetic_clusters(rng: random.Random) -> list[Cluster]:
    clusters = []
    for k, (name, docs) in enumerate(synthetic_stories(rng)):
        paragraphs = tuple(
            Paragraph(d, i, t, sentence_count(t))
            for d, texts in enumerate(docs)
            for i, t in enumerate(texts)
        )
        clusters.append(
            Cluster(name, (dt.date(2024, 1, 1) + dt.timedelta(days=9 * k),), paragraphs)
        )
    return clusters


def with_keywords(clusters: list[Cluster], per_cluster: int = 3) -> list[Cluster]:
    """Each cluster's most distinctive words: in many of its documents, few other clusters."""
    doc_words: list[list[set[str]]] = []
    for c in clusters:
        docs: dict[int, set[str]] = {}
        for p in c.paragraphs:
            docs.setdefault(p.doc, set()).update(
                w.lower() for w in _WORD.findall(p.text) if w.lower() not in _STOP
            )
        doc_words.append(list(docs.values()))
    spread = Counter(w for docs in doc_words for w in set().union(*docs))
    result = []
    for c, docs in zip(clusters, doc_words, strict=True):
        within = Counter(w for d in docs for w in d)
        idf = {w: math.log(len(clusters) / spread[w]) for w in within}
        ranked = sorted(within, key=lambda w: (-within[w] / len(docs) * idf[w], w))
        result.append(Cluster(c.name, c.dates, c.paragraphs, tuple(ranked[:per_cluster])))
    return result


def make_article(number: int, clusters: list[Cluster], rng: random.Random) -> Article:
    """One article from one cluster: random paragraphs to 20-40 sentences, leads first."""
    index = rng.randrange(len(clusters))
    cluster = clusters[index]
    target = rng.randint(20, 40)
    pool = list(cluster.paragraphs)
    rng.shuffle(pool)
    chosen: list[Paragraph] = []
    total = 0
    for p in pool:
        if total >= target:
            break
        if chosen and total + p.sentences > 40:
            continue  # a long paragraph would overshoot: try a shorter one
        chosen.append(p)
        total += p.sentences
    chosen.sort(key=lambda p: (p.position, p.doc))
    lead = re.split(r"(?<=[.!?])\s", chosen[0].text, maxsplit=1)[0]
    words = lead.rstrip('.!?”"').split()
    title = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
    date = rng.choice(cluster.dates) + dt.timedelta(days=rng.randrange(45))
    source = OUTLETS[rng.randrange(len(OUTLETS))]
    host = re.sub(r"[^a-z]+", "-", source.lower()).strip("-")
    url = f"https://{host}.example/{date:%Y/%m}/{number:05d}.html"
    return Article(number, index, title, date, source, url, tuple(p.text for p in chosen))


def topics(clusters: list[Cluster], count: int) -> list[dict[str, object]]:
    """`count` topics, each a group of clusters (round robin), with their keywords."""
    count = max(1, min(count, len(clusters)))
    groups: list[list[Cluster]] = [clusters[i::count] for i in range(count)]
    result = []
    for i, group in enumerate(groups):
        keywords = list(dict.fromkeys(k for c in group for k in c.keywords))
        heads = [c.keywords[0].capitalize() for c in group if c.keywords][:4]
        result.append(
            {
                "name": ", ".join(heads) or f"Topic {i + 1}",
                "slug": f"topic-{i + 1:02d}",
                "description": f"Stories from clusters {', '.join(c.name for c in group)}.",
                "keywords": keywords,
            }
        )
    return result


def topic_of(clusters: list[Cluster], count: int) -> dict[int, int]:
    count = max(1, min(count, len(clusters)))
    return {i: i % count for i in range(len(clusters))}


def front_matter(article: Article) -> str:
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML strings

    return (
        f"---\ntitle: {q(article.title)}\ndate: {article.date.isoformat()}\n"
        f"source: {q(article.source)}\nurl: {article.url}\n---\n"
    )


def body(article: Article) -> str:
    return "\n\n".join(article.paragraphs) + "\n"


def write_digest(
    out: Path, articles: list[Article], topic_list: list[dict[str, object]], title: str
) -> None:
    content = out / "content"
    content.mkdir(parents=True)
    for a in articles:
        (content / f"{a.stem}.md").write_text(front_matter(a) + body(a), encoding="utf-8")
    config = {
        "title": title,
        "description": "A generated corpus for benchmarks/speed.py.",
        "base_url": "https://example.org/digest-bench/",
        "summary": {"algorithm": "lexrank", "article_sentences": 3, "topic_sentences": 5},
        "topics": topic_list,
    }
    # JSON is YAML, and json.dumps is stable and needs no extra dependency here.
    (out / "config.yaml").write_text(
        json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def generate(
    out: Path, count: int, data: Path | None, seed: int = 1, topic_count: int = 12
) -> dict[str, object]:
    """Write the corpus to `out` (replaced if it is an earlier corpus) and describe it."""
    if out.exists():
        if not (out / "corpus.json").is_file():
            raise SystemExit(f"error: {out} exists and is not a corpus folder; choose another")
        shutil.rmtree(out)
    rng = random.Random(seed)
    if data is not None:
        clusters, origin = duc_clusters(data), f"DUC 2003 ({data.name})"
    else:
        clusters, origin = synthetic_clusters(rng), "SYNTHETIC sentences (no data folder given)"
    clusters = with_keywords(clusters)
    articles = [make_article(n, clusters, rng) for n in range(count)]
    topic_list = topics(clusters, topic_count)
    title = f"Benchmark digest: {count} articles" + ("" if data else " (synthetic text)")
    write_digest(out / "digest-site", articles, topic_list, title)
    assign = topic_of(clusters, topic_count)
    categories = {a.number: str(topic_list[assign[a.cluster]]["name"]) for a in articles}
    write_pelican(out / "pelican-site", articles, categories, title)
    write_hugo(out / "hugo-site", articles, categories, title)
    sentences = [sum(sentence_count(p) for p in a.paragraphs) for a in articles]
    info: dict[str, object] = {
        "articles": count,
        "seed": seed,
        "topics": len(topic_list),
        "origin": origin,
        "clusters": len(clusters),
        "sources": len({a.source for a in articles}),
        "sentences_mean": round(sum(sentences) / max(1, count), 1),
        "sentences_min": min(sentences, default=0),
        "sentences_max": max(sentences, default=0),
        "bytes": sum(p.stat().st_size for p in (out / "digest-site" / "content").iterdir()),
    }
    (out / "corpus.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def data_folder(given: str | None) -> Path | None:
    """The DUC documents folder from the argument or DIGEST_EVAL_DATA, if it exists."""
    candidates = [Path(given)] if given else []
    env = os.environ.get("DIGEST_EVAL_DATA")
    if env:
        candidates.append(Path(env))
    for c in candidates:
        for p in (c / "duc2003" / "docs.without.headlines", c / "docs.without.headlines", c):
            if p.is_dir() and any(q.is_dir() for q in p.iterdir()):
                return p
    if given:
        raise SystemExit(f"error: {given}: no DUC 2003 docs.without.headlines folder there")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (replaced if a corpus)")
    parser.add_argument("--articles", "-n", type=int, default=1000)
    parser.add_argument("--data", help="DUC 2003 folder (default: $DIGEST_EVAL_DATA)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--topics", type=int, default=12, help="number of topics (default 12)")
    args = parser.parse_args(argv)
    data = data_folder(args.data)
    if data is None:
        print("note: no DUC data folder; using SYNTHETIC sentences", file=sys.stderr)
    info = generate(args.out, args.articles, data, args.seed, args.topics)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
