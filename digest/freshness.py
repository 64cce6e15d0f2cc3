"""The no-op fast path: know, without building, that a build would change nothing.

A scheduled CI job rebuilds a digest many times a day, mostly with nothing new. After
each build digest records what the site was made from (every byte of the config and of
digest's own code, the signature of every content, template, static and theme file,
plus the command-line options) and what it wrote (every output file's path, size and
modification time). When both still match, the output is already what a build would
write, so `digest build` says so and stops. A file's signature is its size, its
modification and change times and its inode, as in git's index: any write changes the
change time, which no tool can set back, so the check need not read 10,000 articles to
know that none changed. It imports nothing heavy either, which is what keeps it cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from digest.cache import FOLDER, code_fingerprint

MANIFEST = "last-build.json"

Signature = tuple[int, int, int, int]
"""A file's size, modification and change times (ns) and inode: as git's index does,
a file whose signature is unchanged is taken to be unchanged. Any write changes the
change time, which no tool can set back."""


@dataclass(frozen=True)
class LastBuild:
    """What the previous successful build reported, to repeat it."""

    summary: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Inputs:
    """The digest of a build's inputs, taken before it started: the build records it
    instead of reading every input again (an input changed meanwhile makes the next
    check fail, which is the safe side)."""

    watched: tuple[str, ...]
    digest: str
    output: tuple[str, str]
    """The output folder and `output_digest` of it, taken at the same time (empty when
    the inputs had changed: then the output was not looked at)."""
    listing: Listing | None = None
    """What that digest was taken of (None: not looked at)."""
    folders: Mapping[str, Mapping[str, Signature]] = field(default_factory=dict)
    """Each watched folder's files (relative paths) with the signatures the digest was
    taken of: the build takes the content files from here instead of looking again."""


def options(output_dir: Path | None, base_url: str | None, drafts: bool) -> dict[str, object]:
    """The command-line options a build's output depends on."""
    return {
        "output": None if output_dir is None else str(output_dir.resolve()),
        "base_url": base_url,
        "drafts": drafts,
    }


def inputs_digest(
    config_path: Path,
    watched: Iterable[str],
    options: Mapping[str, object],
    folders: dict[str, Mapping[str, Signature]] | None = None,
) -> str:
    """The digest of everything a build reads; `folders` receives each watched folder's
    files and signatures."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(json.dumps(options, sort_keys=True).encode())
    for path in [str(config_path), *sorted(watched)]:
        files = _hash_tree(Path(path), digest)
        if folders is not None and files is not None:
            folders[path] = files
    return digest.hexdigest()


Listing = dict[str, tuple[int, int]]
"""Output file (path relative to the folder) -> its size and modification time (ns)."""


def output_listing(out: Path) -> Listing | None:
    """Every output file's size and time; None when there is no output folder."""
    if not out.is_dir():
        return None
    listing: Listing = {}
    for relative, entry in _files(str(out)):
        stat = entry.stat()
        listing[relative] = (stat.st_size, stat.st_mtime_ns)
    return listing


def listing_digest(listing: Listing | None) -> str:
    """Paths, sizes and times of the output files: any change by hand shows."""
    if listing is None:
        return "missing"
    digest = hashlib.sha256()
    for relative in sorted(listing):
        size, mtime = listing[relative]
        digest.update(f"{relative}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def output_digest(out: Path) -> str:
    return listing_digest(output_listing(out))


def updated_listing(
    out: Path, before: Listing, kept: Iterable[str], paths: Iterable[str]
) -> Listing:
    """The listing of `out` after a build that wrote `paths`, of which `kept` are hard
    links to the previous output's files: their size and time are the ones `before`
    has, so only the files written are looked at (a few, after an edit)."""
    paths = list(paths)
    if len({path.casefold() for path in paths}) != len(paths):
        # Paths that differ only in case are one file on a case-insensitive disk: look.
        return output_listing(out) or {}
    kept = set(kept)
    listing: Listing = {}
    folder = str(out)
    for path in paths:
        known = before.get(path) if path in kept else None
        if known is None:
            stat = os.stat(f"{folder}/{path}")
            known = (stat.st_size, stat.st_mtime_ns)
        listing[path] = known
    return listing


def _files(top: str, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file under `top` as (path relative to it, entry), in name order, folders
    depth first: the same order on every machine."""
    with os.scandir(top) as found:
        entries = sorted(found, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _files(entry.path, f"{prefix}{entry.name}/")
        elif entry.is_file():
            yield f"{prefix}{entry.name}", entry


def record(
    config_path: Path,
    options: Mapping[str, object],
    watched: Sequence[Path],
    out: Path,
    summary: str,
    warnings: Sequence[str],
    outputs: str | None = None,
    inputs: Inputs | None = None,
) -> None:
    """Remember a successful build; a manifest that cannot be written costs only speed.
    `outputs` is `output_digest(out)` and `inputs` the inputs' digest, when the caller
    has them already."""
    folder = config_path.parent / FOLDER
    names = [str(p.resolve()) for p in watched]
    known = inputs is not None and list(inputs.watched) == names
    manifest = {
        "inputs": inputs.digest
        if inputs is not None and known
        else inputs_digest(config_path.resolve(), names, options),
        "watched": names,
        "output": str(out.resolve()),
        "output_digest": outputs or output_digest(out),
        "summary": summary,
        "warnings": list(warnings),
    }
    try:
        folder.mkdir(exist_ok=True)
        temporary = folder / f".{MANIFEST}.{os.getpid()}"
        temporary.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.replace(temporary, folder / MANIFEST)
    except OSError:
        pass


def check(
    config_path: Path, options: Mapping[str, object]
) -> tuple[LastBuild | None, Inputs | None]:
    """The previous build's report when nothing it depends on has changed (else None),
    and the inputs' digest when it had to take it (the build records that one)."""
    try:
        text = (config_path.parent / FOLDER / MANIFEST).read_text(encoding="utf-8")
        manifest = json.loads(text)
        watched = [str(w) for w in manifest["watched"]]
        out = Path(manifest["output"])
        folders: dict[str, Mapping[str, Signature]] = {}
        digest = inputs_digest(config_path.resolve(), watched, options, folders)
        if manifest["inputs"] != digest:
            # A build follows, which looks at the output itself (or has a process
            # beside it look, see ahead.py).
            return None, Inputs(tuple(watched), digest, (str(out), ""), None, folders)
        listing = output_listing(out)
        outputs = listing_digest(listing)
        inputs = Inputs(tuple(watched), digest, (str(out), outputs), listing, folders)
        if manifest["output_digest"] != outputs:
            return None, inputs
        summary = str(manifest["summary"])
        return LastBuild(summary, tuple(str(w) for w in manifest["warnings"])), inputs
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def _hash_tree(path: Path, digest: hashlib._Hash) -> dict[str, Signature] | None:
    """A file's bytes, or every file under a folder (names and signatures), or its
    absence. Returns a folder's files and their signatures."""
    digest.update(f"\0{path}\0".encode())
    if path.is_file():
        digest.update(path.read_bytes())
        return None
    if not path.is_dir():
        digest.update(b"missing")
        return None
    files: dict[str, Signature] = {}
    for relative, entry in _files(str(path)):
        stat = entry.stat()
        mark = files[relative] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        digest.update(f"{relative}\0{mark}\n".encode())
    return files
