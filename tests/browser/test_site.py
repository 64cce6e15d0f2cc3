"""The example digest as a reader sees it: headless chromium, from a project subpath.

One crawl starts at the home page and follows every link that stays inside the site,
recording for each page its status, console errors, failed requests, element ids and
axe-core violations; the tests below each assert one property of that record. No page
list is fixed: pages added later (by new features) are crawled as soon as they are
linked. A second pass at 375 px, in the dark colour scheme, checks overflow and runs
axe again, since contrast differs between the schemes.

Run alone with `python -m pytest -m browser`; skip with `-m "not browser"`.
"""

from __future__ import annotations

import io
import json
import re
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 800}
SERIOUS = ("serious", "critical")
# Every element wider than the viewport, to say what overflows, not just that it does.
_OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
_AXE = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""


@dataclass
class PageRecord:
    url: str
    status: int
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    violations: list[dict[str, Any]] = field(default_factory=list)
    overflow: tuple[int, list[str]] | None = None


@dataclass
class Crawl:
    root: str
    pages: dict[str, PageRecord]
    """Every HTML page reached, by URL without fragment."""
    files: dict[str, int]
    """Every other linked file of the site (feeds, styles, scripts): its status."""
    external: set[str]

    def first(self, pattern: str) -> str:
        return next(url for url in sorted(self.pages) if re.search(pattern, url))


def _is_page(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith((".html", "/"))


def _visit(context: Any, url: str, root: str, axe: Path, mobile: bool = False) -> PageRecord:
    page = context.new_page()
    record = PageRecord(url, 0)
    page.on("console", lambda m: m.type == "error" and record.console_errors.append(m.text))
    page.on("pageerror", lambda e: record.console_errors.append(str(e)))
    page.on("requestfailed", lambda r: record.failed_requests.append(f"{r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and record.failed_requests.append(f"{r.url} {r.status}"),
    )

    def only_this_site(route: Any) -> None:
        if route.request.url.startswith(root):
            route.continue_()
        else:
            record.failed_requests.append(f"{route.request.url} (outside the site)")
            route.abort()

    page.route("**/*", only_this_site)
    response = page.goto(url, wait_until="load")
    record.status = response.status if response else 0
    if mobile:
        width = page.evaluate("document.documentElement.scrollWidth")
        record.overflow = (width, page.evaluate(_OVERFLOWING))
    else:
        hrefs = page.eval_on_selector_all("a[href], link[href]", "es => es.map(e => e.href)")
        record.links = [h for h in hrefs if h]
        record.ids = set(page.eval_on_selector_all("[id]", "es => es.map(e => e.id)"))
    page.add_script_tag(path=str(axe))
    record.violations = page.evaluate(_AXE)
    page.close()
    return record


def _crawl(browser: Any, root: str, axe: Path) -> Crawl:
    context = browser.new_context(viewport=DESKTOP)
    pages: dict[str, PageRecord] = {}
    files: dict[str, int] = {}
    external: set[str] = set()
    queue = deque([root])
    seen = {root}
    while queue:
        url = queue.popleft()
        if not _is_page(url):
            with urllib.request.urlopen(url, timeout=10) as response:
                files[url] = response.status
            continue
        record = pages[url] = _visit(context, url, root, axe)
        for link in record.links:
            target = urldefrag(link).url
            if not target.startswith(root):
                external.add(target)
            elif target not in seen:
                seen.add(target)
                queue.append(target)
    context.close()
    return Crawl(root, pages, files, external)


@pytest.fixture(scope="module")
def crawl(browser: Any, site_url: str, axe_script: Path) -> Crawl:
    return _crawl(browser, site_url, axe_script)


@pytest.fixture(scope="module")
def mobile(browser: Any, crawl: Crawl, axe_script: Path) -> dict[str, PageRecord]:
    context = browser.new_context(viewport=MOBILE, color_scheme="dark", is_mobile=True)
    records = {url: _visit(context, url, crawl.root, axe_script, True) for url in crawl.pages}
    context.close()
    return records


def test_the_crawl_reaches_every_kind_of_page(crawl: Crawl) -> None:
    digest = json.loads(urllib.request.urlopen(crawl.root + "digest.json").read())
    expected = {crawl.root + a["path"] for a in digest["articles"]}
    expected |= {crawl.root + t["path"] for t in digest["topics"]}
    assert expected <= set(crawl.pages), "every article and topic is linked"
    assert crawl.root + "static/style.css" in crawl.files


def test_every_page_and_file_answers_200(crawl: Crawl) -> None:
    bad = {u: r.status for u, r in crawl.pages.items() if r.status != 200}
    bad |= {u: s for u, s in crawl.files.items() if s != 200}
    assert bad == {}


def test_no_console_errors(crawl: Crawl) -> None:
    errors = {u: r.console_errors for u, r in crawl.pages.items() if r.console_errors}
    assert errors == {}


def test_no_failed_or_outside_requests(crawl: Crawl) -> None:
    failed = {u: r.failed_requests for u, r in crawl.pages.items() if r.failed_requests}
    assert failed == {}


def test_every_fragment_link_lands_on_an_element(crawl: Crawl) -> None:
    missing = []
    for url, record in crawl.pages.items():
        for link in record.links:
            target, fragment = urldefrag(link)
            if fragment and target in crawl.pages and fragment not in crawl.pages[target].ids:
                missing.append(f"{url} -> {link}")
    assert missing == []
    linked = sum("#s" in link for r in crawl.pages.values() for link in r.links)
    assert linked > 20, "summary sentences link to their place in the articles"


def _serious(records: dict[str, PageRecord]) -> list[str]:
    """One line per serious or critical axe violation: page, rule, what, where."""
    return [
        f"{url}: {v['id']} ({v['impact']}): {v['help']}: {', '.join(v['nodes'])}"
        for url, record in sorted(records.items())
        for v in record.violations
        if v["impact"] in SERIOUS
    ]


def test_no_serious_accessibility_violation_light_desktop(crawl: Crawl) -> None:
    found = _serious(crawl.pages)
    assert not found, "\n".join(found)


def test_no_serious_accessibility_violation_dark_mobile(mobile: dict[str, PageRecord]) -> None:
    found = _serious(mobile)
    assert not found, "\n".join(found)


def test_nothing_overflows_at_375px(mobile: dict[str, PageRecord]) -> None:
    wide = {u: r.overflow for u, r in mobile.items() if r.overflow and r.overflow[0] > 375}
    assert wide == {}
    assert all(r.status == 200 and not r.console_errors for r in mobile.values())


def test_search_finds_an_article_by_a_word_of_its_body(browser: Any, crawl: Crawl) -> None:
    search = crawl.root + "search.html"
    if search not in crawl.pages:
        pytest.skip("the site has no search.html linked from its pages (search not built)")
    digest = json.loads(urllib.request.urlopen(crawl.root + "digest.json").read())
    word, article = _body_only_word(digest)
    page = browser.new_page(viewport=DESKTOP)
    page.goto(search)
    page.fill("#search-input", word)
    page.press("#search-input", "Enter")
    page.wait_for_selector("#search-results li a")
    results = page.eval_on_selector_all("#search-results li a", "es => es.map(e => e.href)")
    page.close()
    assert crawl.root + article["path"] in results, f"searching {word!r}"


def _body_only_word(digest: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A long word that only one article has, and only in its body (not title, summary)."""
    words: dict[str, set[str]] = {}
    for article in digest["articles"]:
        for sentence in article["sentences"]:
            for word in re.findall(r"[a-z]{8,}", sentence["text"]):
                words.setdefault(word, set()).add(article["id"])
    by_id = {a["id"]: a for a in digest["articles"]}
    for word, ids in sorted(words.items()):
        article = by_id[next(iter(ids))]
        summary = " ".join(article["sentences"][r["sentence"]]["text"] for r in article["summary"])
        if len(ids) == 1 and word not in (article["title"] + summary).lower():
            return word, article
    raise AssertionError("the example has no word found in one article's body only")


def test_screenshots(browser: Any, crawl: Crawl, artifacts: Path) -> None:
    """Home, a topic and an article, desktop (light) and mobile (dark), for a person to look at."""
    shots = {
        "home": crawl.root,
        "topic": crawl.first(r"/topics/[^/]+\.html$"),
        "article": crawl.first(r"/articles/[^/]+\.html$"),
    }
    for size, viewport, scheme in (("desktop", DESKTOP, "light"), ("mobile", MOBILE, "dark")):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        for name, url in shots.items():
            page.goto(url)
            path = artifacts / f"{name}-{size}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000
        context.close()


def test_serve_reloads_the_open_page_after_a_change(browser: Any, make_site: Any) -> None:
    """digest serve end to end: the page in the browser shows an edit without a click."""
    from digest.serve import DevServer

    config = make_site(
        "title: Harbour watch\nbase_url: https://user.github.io/harbour/\n"
        "topics:\n  - name: Harbour\n    keywords: [harbour]\n",
        {"pier.txt": "The harbour pier reopened on Sunday.\n"},
    )
    server = DevServer(config, port=0, err=io.StringIO())
    server.start()
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(f"{m.text} {m.location}"))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.url} {r.status}"))
    try:
        page.goto(server.url + "articles/pier.html")
        assert "lighthouse" not in page.content()
        (config.parent / "content" / "pier.txt").write_text(
            "The harbour pier reopened on Sunday with a new lighthouse lamp.\n"
        )
        assert server.poll()
        page.wait_for_function("document.body.textContent.includes('lighthouse lamp')")
        assert errors == []
    finally:
        page.close()
        server.stop()
