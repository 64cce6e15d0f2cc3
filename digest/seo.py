"""What search engines read besides the pages: sitemap.xml and robots.txt.

A sitemap must list absolute URLs, so it is written only when the site has a base_url.
robots.txt is always written (it allows everything) and names the sitemap when there is
one. Crawlers read robots.txt only at a domain's root, so on a project subpath
(user.github.io/repo/) it is advisory; submit the sitemap URL to the search engine then.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from digest.feeds import xml_bytes
from digest.site import Page

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NOT_LISTED = frozenset({"404.html"})


def seo_files(
    pages: Sequence[Page], base_url: str, modified: Mapping[str, dt.date]
) -> dict[str, bytes]:
    files = {"robots.txt": robots(base_url)}
    if base_url:
        files["sitemap.xml"] = sitemap(pages, base_url, modified)
    return files


def sitemap(pages: Sequence[Page], base_url: str, modified: Mapping[str, dt.date]) -> bytes:
    """Every page but the 404, in path order; `modified` gives a page's `lastmod` (an
    article's date)."""
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for page in sorted(pages, key=lambda p: p.path):
        if page.path in NOT_LISTED:
            continue
        entry = ET.SubElement(root, "url")
        ET.SubElement(entry, "loc").text = base_url + page.path
        day = modified.get(page.path)
        if day:
            ET.SubElement(entry, "lastmod").text = day.isoformat()
    return xml_bytes(root)


def robots(base_url: str) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {base_url}sitemap.xml")
    return ("\n".join(lines) + "\n").encode("utf-8")
