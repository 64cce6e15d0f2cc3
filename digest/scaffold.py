"""`digest init` and `digest new`: start a site, start an article.

The starter files live in `digest/starter/` (package data, so an installed digest has
them). They are a working site, not a template to fill in: `digest build` succeeds right
after `digest init`, and `digest new` writes no placeholder that the build would refuse.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml

from digest import __version__
from digest.config import load_config
from digest.errors import DigestError
from digest.slugs import slugify

SCAFFOLD = Path(__file__).resolve().parent / "starter"

STARTER_FILES = {
    "config.yaml": "config.yaml",
    "content/library-opens.md": "article.md",
    ".github/workflows/pages.yml": "pages.yml",
    ".gitignore": "gitignore",
}
"""Site path -> scaffold file. Data files have no leading dot so packaging keeps them."""


def init_site(folder: Path) -> list[Path]:
    """Write a new site into `folder` (created if missing); returns the files written."""
    if folder.exists() and not folder.is_dir():
        raise DigestError("exists and is not a folder; choose a new folder for the site", folder)
    if folder.is_dir() and any(folder.iterdir()):
        raise DigestError(
            "folder is not empty; digest init only writes into a new or empty folder", folder
        )
    files = {
        site: (SCAFFOLD / name).read_text(encoding="utf-8") for site, name in STARTER_FILES.items()
    }
    files["requirements.txt"] = requirements()
    written = []
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def requirements() -> str:
    """What the Pages workflow installs: digest from where this copy came from, if known.

    pip records a direct install (`pip install git+https://...`) in `direct_url.json`;
    that address works on a CI machine, while a local folder or a plain version number
    may not, so those get a comment saying what to change.
    """
    line = f"digest=={__version__}"
    try:
        raw = metadata.distribution("digest").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        raw = None
    if raw:
        origin = json.loads(raw)
        url, vcs = origin.get("url", ""), origin.get("vcs_info")
        if vcs and url.startswith(("https://", "http://")):
            revision = vcs.get("requested_revision") or vcs.get("commit_id")
            return f"digest @ {vcs['vcs']}+{url}" + (f"@{revision}" if revision else "") + "\n"
    return (
        "# The Pages workflow installs digest from this file. If digest is not on your\n"
        "# package index, replace the line below with where you install it from, e.g.\n"
        "# digest @ git+https://github.com/OWNER/digest@v0.1.0\n"
        f"{line}\n"
    )


@dataclass(frozen=True)
class NewArticle:
    title: str
    source: str | None = None
    date: dt.date | None = None
    draft: bool = False


def new_article(config_path: Path, article: NewArticle, today: dt.date | None = None) -> Path:
    """Write `content/<slug>.md` with front matter for `article`; never overwrites."""
    if not article.title.strip():
        raise DigestError("the title is empty; give the article a title")
    content_dir = load_config(config_path).content_dir
    path = content_dir / f"{slugify(article.title, fallback='article')}.md"
    meta: dict[str, object] = {
        "title": article.title.strip(),
        "date": article.date or today or dt.date.today(),
    }
    if article.source:
        meta["source"] = article.source
    if article.draft:
        meta["draft"] = True
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    content_dir.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(f"---\n{front}---\n")
    except FileExistsError:
        raise DigestError(
            "already exists; digest new never overwrites, so edit it or choose another title",
            path,
        ) from None
    return path
