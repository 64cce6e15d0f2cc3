"""URL slugs: safe, readable path segments derived from names and file names.

A slug becomes a file name on disk and a URL segment on GitHub Pages, so it must never
contain a separator, a dot-only segment, or characters that need escaping. Non-ASCII
letters are folded to ASCII where Unicode gives a decomposition, so "Zürich" is "zurich".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "item") -> str:
    """Lowercase ASCII words joined by '-'; `fallback` when nothing of `text` survives.

    A name in a script with no ASCII folding ("北京", "Москва") keeps a distinct slug,
    `fallback` plus a short hash of the name, so two such articles or topics do not end
    up on one URL. Punctuation alone ("...", "?!") carries nothing and gets `fallback`.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")[:80].rstrip("-")
    if slug or not fallback:
        return slug
    if any(char.isalnum() for char in text):
        name = unicodedata.normalize("NFC", text.strip())
        return f"{fallback}-{hashlib.sha256(name.encode('utf-8', 'replace')).hexdigest()[:8]}"
    return fallback
