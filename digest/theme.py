"""Themes: a folder of templates and static files, optionally extending another theme.

Lookup order, first match wins: the site's own `templates/` (and `static/`), then the
chosen theme, then the theme it `extends` in its `theme.yaml`, and so on. A site theme
folder (`themes/NAME` beside config.yaml) shadows a bundled theme of the same name.
Every theme of the chain is also reachable by name, `"default/base.html"`, so a theme can
override a template and still extend its parent's version of that same template.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from digest.errors import DigestError
from digest.validation import YamlDocument

_PACKAGE = Path(__file__).resolve().parent
# Installed from a wheel the themes sit inside the package; in a source checkout (and an
# editable install) they are the repository's top-level themes/ folder.
BUNDLED = next(
    (p for p in (_PACKAGE / "themes", _PACKAGE.parent / "themes") if p.is_dir()),
    _PACKAGE / "themes",
)
REQUIRED_TEMPLATES = (
    "index.html",
    "topic.html",
    "article.html",
    "404.html",
    "archive.html",
    "edition.html",
    "source.html",
    "sources.html",
)


@dataclass(frozen=True, kw_only=True)
class ThemeManifest:
    """What `theme.yaml` may say."""

    name: str = ""
    extends: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Theme:
    name: str
    template_dirs: tuple[Path, ...]
    """Searched in order for each template."""
    static_dirs: tuple[Path, ...]
    """Copied in order to the output's static/; later folders override earlier ones."""
    named_template_dirs: tuple[tuple[str, Path], ...] = ()
    """Each theme of the chain with its templates folder, for `"<theme>/<template>"`."""
    compiled: Path | None = None
    """Where its templates are kept compiled between builds (in `.digest-cache/`); None
    keeps them nowhere."""

    def fingerprint(self) -> str:
        """Changes when any template or static file of the chain changes (name or bytes):
        every page's key includes it."""
        digest = hashlib.sha256()
        folders = [
            *self.template_dirs,
            *self.static_dirs,
            *(d for _, d in self.named_template_dirs),
        ]
        for folder in folders:
            digest.update(f"\0{folder}\0".encode())
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    digest.update(f"{path.relative_to(folder)}\0".encode())
                    digest.update(path.read_bytes())
        return digest.hexdigest()


def load_theme(name: str, site_root: Path) -> Theme:
    chain: list[Path] = []
    names: list[str] = []
    current: str | None = name
    while current is not None:
        folder = _find(current, site_root)
        if folder in chain:
            raise DigestError(f"theme '{current}' extends itself through its parents", folder)
        chain.append(folder)
        names.append(current)
        manifest_path = folder / "theme.yaml"
        manifest = ThemeManifest()
        if manifest_path.is_file():
            doc = YamlDocument(manifest_path.read_text(encoding="utf-8-sig"), manifest_path)
            manifest = doc.validate(ThemeManifest, what="theme.yaml")
        current = manifest.extends
    template_dirs = (site_root / "templates", *(t / "templates" for t in chain))
    existing = tuple(d for d in template_dirs if d.is_dir())
    for template in REQUIRED_TEMPLATES:
        if not any((d / template).is_file() for d in existing):
            raise DigestError(
                f"theme '{name}' has no template '{template}'; add templates/{template}", chain[0]
            )
    statics = (*(t / "static" for t in reversed(chain)), site_root / "static")
    named = tuple((n, t / "templates") for n, t in zip(names, chain, strict=True))
    return Theme(
        name,
        existing,
        tuple(d for d in statics if d.is_dir()),
        tuple((n, d) for n, d in named if d.is_dir()),
    )


def _find(name: str, site_root: Path) -> Path:
    for base in (site_root / "themes", BUNDLED):
        folder = base / name
        if folder.is_dir():
            return folder
    raise DigestError(
        f"theme '{name}' not found in themes/ or the bundled themes; check `theme` in config.yaml"
    )
