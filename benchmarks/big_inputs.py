"""Time whole builds of very large articles, to show the build stays linear in its input.

Usage::

    python benchmarks/big_inputs.py [--article-mb 20] [--line-mb 1]

Writes two throw-away sites in a temporary folder, each with one generated article of
invented harbour news, and builds each with per-stage timings: a long article of many
paragraphs (`--article-mb`, default 20 MB) and one paragraph on a single line
(`--line-mb`, default 1 MB). Nothing is written to the repository. tests/test_big_inputs.py
uses the same generator at 1 MB, which is enough to catch quadratic behaviour.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.build import build

CONFIG = "title: Harbour watch\ntopics:\n  - name: Harbour\n    keywords: [harbour, pier]\n"
_WORDS = [
    "harbour",
    "pier",
    "storm",
    "ferry",
    "council",
    "mayor",
    "repairs",
    "crews",
    "tide",
    "wind",
    "closed",
    "reopened",
    "engineers",
    "port",
    "boats",
    "fishermen",
    "weather",
    "warning",
    "inspection",
    "budget",
]


def sentences(size: int, seed: int = 1) -> list[str]:
    """Invented sentences of about `size` characters in all, each one unique (day N)."""
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < size:
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 18)))
        out.append(f"{words.capitalize()} on day {len(out)}.")
        total += len(out[-1]) + 1
    return out


def article_text(size: int, one_line: bool) -> str:
    """Paragraphs of five sentences; `one_line` puts everything on a single line."""
    parts = sentences(size)
    if one_line:
        return " ".join(parts) + "\n"
    paragraphs = [" ".join(parts[i : i + 5]) for i in range(0, len(parts), 5)]
    return "\n\n".join(paragraphs) + "\n"


def write_site(root: Path, files: dict[str, str]) -> Path:
    (root / "content").mkdir(parents=True)
    for name, text in files.items():
        (root / "content" / name).write_text(text, encoding="utf-8")
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return root / "config.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article-mb", type=float, default=20.0)
    parser.add_argument("--line-mb", type=float, default=1.0)
    args = parser.parse_args()
    cases = {
        f"{args.article_mb:g} MB article": ("long.txt", args.article_mb, False),
        f"{args.line_mb:g} MB single line": ("line.txt", args.line_mb, True),
    }
    with tempfile.TemporaryDirectory() as folder:
        for number, (label, (name, mb, one_line)) in enumerate(cases.items()):
            text = article_text(int(mb * 1_000_000), one_line)
            config = write_site(Path(folder) / str(number), {name: text})
            started = time.perf_counter()
            result = build(config)
            seconds = time.perf_counter() - started
            stages = ", ".join(f"{n} {t:.1f}" for n, t in result.stages)
            print(f"{label}: {seconds:.1f} s ({stages})")


if __name__ == "__main__":
    main()
