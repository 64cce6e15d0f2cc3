"""Very large input builds in time and keeps every sentence.

Sizes here are 1 MB, not the 20 MB of benchmarks/big_inputs.py: a stage that is
quadratic in its input (as LexRank over every sentence was: ~35 s for 200 KB) already
takes minutes at 1 MB, while the linear build takes about two seconds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from benchmarks.big_inputs import article_text, sentences, write_site
from digest.build import build
from digest.clean import is_furniture
from digest.read import read_article
from digest.sentences import sentence_spans

MB = 1_000_000
LIMIT = 20.0
"""Seconds; generous for a loaded CI machine, far below what quadratic work would take."""


def test_a_one_megabyte_article_and_a_one_megabyte_line_build_whole(tmp_path: Path) -> None:
    files = {"long.txt": article_text(MB, one_line=False), "line.txt": article_text(MB, True)}
    config = write_site(tmp_path, files)
    started = time.perf_counter()
    result = build(config)
    assert time.perf_counter() - started < LIMIT
    data = json.loads((result.output_dir / "digest.json").read_text(encoding="utf-8"))
    expected = sentences(MB)
    for article in data["articles"]:
        assert [s["text"] for s in article["sentences"]] == expected, article["file"]
        assert 0 < len(article["summary"]) <= 3
    page = (result.output_dir / "articles" / "line.html").read_text(encoding="utf-8")
    assert expected[-1] in page


def test_pathological_lines_are_read_in_linear_time(tmp_path: Path) -> None:
    # A quarter of a megabyte of dots took the splitter about ten minutes when it was
    # quadratic; now each of these takes well under a second.
    size = MB // 4
    lines = {
        "dots": "." * size,
        "ellipses": "... " * (size // 4),
        "initials": "U.S. " * (size // 5),
        "one-word": "a" * size,
        "credit": "Photo: " + "a" * size,
    }
    for name, line in lines.items():
        started = time.perf_counter()
        sentence_spans(line)
        is_furniture(line)
        path = tmp_path / f"{name}.txt"
        path.write_text(f"The harbour reopened.\n\n{line}\n", encoding="utf-8")
        read_article(path, tmp_path, ())
        assert time.perf_counter() - started < LIMIT / 4, name
