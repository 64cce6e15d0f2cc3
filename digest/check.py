"""`digest check`: the build's validation and a link check, with nothing written.

The site is rendered in memory exactly as `digest build` would write it, then every
`href` and `src` of every HTML page is resolved against the page's own path and looked
up among the rendered files, fragment included: a summary sentence links to
`articles/<id>.html#s<N>`, and a link to a missing sentence is as broken as a link to a
missing page. Links elsewhere (another host, `mailto:`) are not ours to check.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from digest.rendered import RenderedSite, render_site
from digest.reporter import StreamReporter

_LINK_ATTRIBUTES = frozenset({"href", "src", "poster", "action"})


@dataclass(frozen=True, order=True)
class BrokenLink:
    page: str
    """The page that holds the link, relative to the site root."""
    link: str
    """The link as written."""
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: broken link '{self.link}': {self.reason}"


@dataclass(frozen=True)
class CheckResult:
    pages: int
    links: int
    broken: tuple[BrokenLink, ...]
    warnings: int = 0
    """Content problems reported while rendering (printed as they happen)."""

    def summary(self) -> str:
        found = f"Checked {self.links} links on {self.pages} pages: {len(self.broken)} broken"
        return found + (f", {self.warnings} warnings" if self.warnings else "")

    @property
    def ok(self) -> bool:
        return not self.broken and not self.warnings


def check(
    config_path: Path,
    base_url: str | None = None,
    drafts: bool = False,
    log: Callable[[str], None] | None = None,
) -> CheckResult:
    """Render the site in memory and check its links. Config errors raise; content
    problems are printed as warnings and, like broken links, make the check fail."""
    rendered = render_site(config_path, None, base_url, log, drafts, reporter=StreamReporter())
    return replace(check_links(rendered), warnings=len(rendered.warnings))


def check_links(rendered: RenderedSite) -> CheckResult:
    files = rendered.files
    base_url = rendered.site.config.base_url or ""
    pages = {path: _Page.parse(data) for path, data in files.items() if path.endswith(".html")}
    broken: list[BrokenLink] = []
    count = 0
    for path, page in sorted(pages.items()):
        for link in page.links:
            count += 1
            reason = _problem(path, link, files, pages, base_url)
            if reason:
                broken.append(BrokenLink(path, link, reason))
    return CheckResult(len(pages), count, tuple(sorted(set(broken))))


def _problem(
    page: str, link: str, files: Mapping[str, bytes], pages: Mapping[str, _Page], base_url: str
) -> str | None:
    """Why `link` on `page` leads nowhere, or None when it arrives."""
    if base_url and link.startswith(base_url):
        # The 404 page and canonical links are absolute; they point into this site too.
        link = link[len(base_url) :]
        page = "index.html"
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    if parts.path.startswith("/"):
        return "root-relative link breaks on a project subpath; use url()"
    target = page
    if parts.path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
        if target.startswith("../") or target == "..":
            return "points above the site root"
        if parts.path.endswith("/") or target == ".":
            target = posixpath.join(target, "index.html").removeprefix("./")
        if target not in files:
            return f"no file {target}"
    fragment = unquote(parts.fragment)
    if fragment and target in pages and fragment not in pages[target].ids:
        return f"no id '{fragment}' in {target}"
    return None


class _Page(HTMLParser):
    """The link targets and element ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    @classmethod
    def parse(cls, data: bytes) -> _Page:
        page = cls()
        page.feed(data.decode("utf-8", errors="replace"))
        page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._collect(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._collect(tag, attrs)

    def _collect(self, tag: str, attrs: Iterable[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in _LINK_ATTRIBUTES:
                self.links.append(value.strip())
