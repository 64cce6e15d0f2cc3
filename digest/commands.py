"""The commands beside `build`: serve, check, init and new (their options and dispatch).

cli.py owns the program and `build`; each command here parses its options and hands
over to the module that does its work, imported only when the command runs, so
`digest --help` stays fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
from collections.abc import Callable
from pathlib import Path

Subparsers = argparse._SubParsersAction  # argparse exposes no public name for it


def add_commands(commands: Subparsers[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild on change")
    _config(serve)
    serve.add_argument("--port", "-p", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    serve.add_argument("--base-url", help="the published URL; its path is served locally")
    check = commands.add_parser("check", help="validate config and content and check links")
    _config(check)
    check.add_argument("--base-url", help="absolute URL the site is published at")
    init = commands.add_parser("init", help="start a new digest site in a new folder")
    init.add_argument("folder", type=Path, help="the new site's folder (new or empty)")
    new = commands.add_parser("new", help="start an article: content/<slug>.md")
    new.add_argument("title", help="the article's headline")
    new.add_argument("--source", help="the outlet that published it")
    new.add_argument("--date", type=_date, help="publication day, YYYY-MM-DD (default: today)")
    new.add_argument("--draft", action="store_true", help="mark it `draft: true`")
    _config(new)
    for command in (serve, check):
        command.add_argument("--drafts", action="store_true", help="include draft articles")
    for command in (serve, check, init, new):
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )


def _config(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--config",
        type=Path,
        default=Path("config.yaml"),
        help="config file (default: config.yaml)",
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day like 2024-05-04") from None


def _serve(args: argparse.Namespace) -> int:
    from digest.serve import DevServer, serve

    gc.enable()  # (`run` turns it off for one-shot commands; this one runs for hours)
    server = DevServer(args.config, args.host, args.port, args.base_url, args.drafts)
    try:
        return serve(server)
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1


def _check(args: argparse.Namespace) -> int:
    from digest.check import check

    result = check(args.config, args.base_url, args.drafts)
    for broken in result.broken:
        print(f"error: {broken}", file=sys.stderr)
    print(result.summary())
    return 0 if result.ok else 1


def _init(args: argparse.Namespace) -> int:
    from digest.scaffold import init_site

    written = init_site(args.folder)
    for path in written:
        print(f"  {path.as_posix()}")
    print(
        f"New digest site in {args.folder.as_posix()}: cd into it and run `digest serve`, "
        "or push it to GitHub (Settings > Pages > Source: GitHub Actions)"
    )
    return 0


def _new(args: argparse.Namespace) -> int:
    from digest.scaffold import NewArticle, new_article

    path = new_article(args.config, NewArticle(args.title, args.source, args.date, args.draft))
    print(path.relative_to(Path.cwd()).as_posix() if path.is_relative_to(Path.cwd()) else path)
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": _serve,
    "check": _check,
    "init": _init,
    "new": _new,
}
