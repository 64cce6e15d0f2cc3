"""The `digest` command line.

Errors the user can fix (DigestError) print as one line, `file:line: message`, and exit
with code 1; a traceback appears only with --debug, where it helps us, not the user.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from digest import __version__, heap
from digest.commands import COMMANDS, add_commands
from digest.errors import DigestError

if TYPE_CHECKING:
    from digest.ahead import Ahead
    from digest.freshness import Inputs
    from digest.spare import Spare


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="digest",
        description="Build a static news digest: topics summarised across sources, "
        "every summary sentence a verbatim, linked sentence of a named source.",
    )
    root.add_argument("--version", action="version", version=f"digest {__version__}")
    root.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = root.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site from config.yaml and content/")
    build.add_argument(
        "--config",
        type=Path,
        default=Path("config.yaml"),
        help="config file (default: config.yaml)",
    )
    build.add_argument("--output", "-o", type=Path, help="output folder (default: output_dir)")
    build.add_argument("--base-url", help="absolute URL the site is published at")
    build.add_argument("--verbose", "-v", action="store_true", help="show per-stage timings")
    build.add_argument(
        "--strict", action="store_true", help="fail on any warning instead of skipping the file"
    )
    build.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    build.add_argument("--drafts", action="store_true", help="include `draft: true` articles")
    build.add_argument(
        "--no-cache", action="store_true", help="neither read nor write .digest-cache/"
    )
    build.add_argument(
        "--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: CPUs)"
    )
    add_commands(commands)
    return root


def run() -> None:
    """The console script: `main`, then exit without freeing the build's objects one by
    one (a tenth of a second on a large site; the system takes the memory back at once).
    A build that succeeds has written, closed and joined everything before `main`
    returns; one that fails may leave a state file half written in the cache, which is
    only ever replaced whole and whose leftovers the next build deletes. Python's
    cyclic collector stays off (`heap.one_shot`); `digest serve` turns it back on."""
    heap.one_shot()
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    # digest parallelises by processes; BLAS threads inside each one (NumPy's default)
    # only fight over the same cores on the small matrices of a summary.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 0
    try:
        if args.command == "build":
            return _build(args)
        if args.command in COMMANDS:
            return COMMANDS[args.command](args)
    except DigestError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous output is unchanged", file=sys.stderr)
        return 130
    return 2


_MODULES = (
    "yaml",
    "digest.config",
    "jinja2",
    "numpy",
    "digest.corpus",
    "digest.read",
    "digest.analysis",
    "digest.compare",
    "digest.publish",
    "digest.build",
)
"""What a build loads first, in steps of a few hundredths of a second, while the process
beside checks whether anything changed: a no-op build waits at most one step longer than
the check. The smaller steps come first, for the small sites whose check is over
before the first few are."""


def _load_meanwhile(answered: Callable[[], bool]) -> None:
    for name in _MODULES:
        if answered():
            return
        importlib.import_module(name)


def _build(args: argparse.Namespace) -> int:
    from digest import freshness
    from digest.ahead import look_ahead
    from digest.spare import start_spare

    inputs = None
    ahead = None
    if not args.no_cache:
        # The no-op check runs in a process of its own, which then (an input changed)
        # links the previous output into the next one; this one loads the build's
        # modules meanwhile.
        options = freshness.options(args.output, args.base_url, args.drafts)
        ahead = look_ahead(args.config, options, link=args.jobs != 1)
    # Forked while this process is small, as the one above (see spare.py).
    spare = start_spare() if args.jobs != 1 else None
    try:
        if not args.no_cache:
            checked = None
            if ahead is not None:
                _load_meanwhile(ahead.answered)
                checked = ahead.checked()
            last, inputs = checked or freshness.check(args.config, options)
            if last is not None and not (args.strict and last.warnings):
                if ahead is not None:
                    ahead.close()
                for warning in last.warnings:
                    print(f"warning: {warning}", file=sys.stderr)
                print(f"Up to date: {last.summary}; nothing changed since the last build")
                return 0
        return _build_now(args, inputs, ahead, spare)
    finally:
        if spare is not None:
            spare.close()


def _build_now(
    args: argparse.Namespace, inputs: Inputs | None, ahead: Ahead | None, spare: Spare | None
) -> int:
    from digest.build import build
    from digest.progress import Progress

    progress = Progress()

    class Reporter:
        def warn(self, problem: DigestError) -> None:
            progress.print(f"warning: {problem}")

    try:
        result = build(
            args.config,
            args.output,
            args.base_url,
            progress.print if args.verbose else None,
            args.drafts,
            reporter=Reporter(),
            strict=args.strict,
            use_cache=not args.no_cache,
            jobs=args.jobs,
            progress=progress,
            inputs=inputs,
            linger=True,  # the process ends now; `rm` finishes deleting the old output
            ahead=ahead,
            spare=spare,
        )
    finally:
        progress.close()
        if ahead is not None:
            ahead.close()
    print(result.summary())
    return 0
