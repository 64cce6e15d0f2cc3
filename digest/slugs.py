"""URL slugs: safe, readable path segments derived from names and file names.

A slug becomes a file name on disk and a URL segment on GitHub Pages, so it must never
contain a separator, a dot-only segment, or characters that need escaping. Non-ASCII
letters are folded to ASCII where Unicode gives a decomposition, so "Zürich" is "zurich".
"""

from __future__ import annotations

import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "item") -> str:
    """Lowercase ASCII words joined by '-'; `fallback` when nothing of `text` survives."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")
    return slug[:80].rstrip("-") or fallback
