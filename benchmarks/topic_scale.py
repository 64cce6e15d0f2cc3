"""One topic that grows: does its summary stay affordable at 5,000 articles?

Usage::

    python benchmarks/topic_scale.py [--sizes 1250,2500,5000] [--data PATH/duc2003]
                                     [--work DIR]

For each size a corpus is generated (benchmarks/corpus.py) with a single topic that
every article belongs to, and built cold (`--no-cache`) by a `digest build -v`
subprocess. The cross-article stages are the ones whose cost could grow with the square
of a topic (every sentence against every other): `compare` (agreement, key quotes,
copies) and `summarise` (the topic's ranking). The table gives their seconds per
thousand sentences; flat means linear. It also checks that the topic got its summary.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import data_folder, generate

STAGE = re.compile(r"^(\w+)\s+([\d.]+) ms$")


def stage_times(site: Path) -> dict[str, float]:
    """Seconds per stage of one cold build, from `digest build -v`."""
    run = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-v", "--no-cache"],
        cwd=site,
        capture_output=True,
        text=True,
        check=True,
    )
    times = {}
    for line in run.stderr.splitlines():
        match = STAGE.match(line.strip())
        if match:
            times[match.group(1)] = float(match.group(2)) / 1000
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1250,2500,5000")
    parser.add_argument("--data", help="DUC 2003 folder (default: $DIGEST_EVAL_DATA)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/digest-topic-scale"))
    args = parser.parse_args(argv)
    data = data_folder(args.data)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        info = generate(args.work / f"topic{size}", size, data, topic_count=1)
        site = args.work / f"topic{size}" / "digest-site"
        times = stage_times(site)
        topic = json.loads((site / "public" / "digest.json").read_text())["topics"][0]
        sentences = round(size * float(str(info["sentences_mean"])))
        work = times["compare"] + times["summarise"]
        rows.append((size, sentences, times["compare"], times["summarise"], work, topic))
        print(
            f"{size} articles: compare {times['compare']:.2f} s, "
            f"summarise {times['summarise']:.2f} s",
            file=sys.stderr,
        )
    print(
        "| articles in the topic | sentences | compare | summarise | s per 1,000 sentences "
        "| summary sentences |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, sentences, compare, summarise, work, topic in rows:
        print(
            f"| {size:,} | {sentences:,} | {compare:.2f} s | {summarise:.2f} s "
            f"| {1000 * work / sentences:.3f} | {len(topic['summary'])} |"
        )
    missing = [r[0] for r in rows if not r[5]["summary"]]
    if missing:
        print(f"error: no topic summary at {missing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
