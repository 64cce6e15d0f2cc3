"""digest serve: the site from memory under its published path, rebuilt on change."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from digest.serve import VERSION_PATH, DevServer
from tests.conftest import SiteMaker

CONFIG = """
title: Harbour watch
base_url: https://user.github.io/harbour/
topics:
  - name: Harbour
    keywords: [harbour, pier]
"""


def fetch(url: str) -> tuple[int, str, str]:
    """Status, final URL and text, without following redirects to other hosts."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.url, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, url, error.read().decode()


@pytest.fixture
def served(make_site: SiteMaker) -> Iterator[tuple[DevServer, io.StringIO]]:
    config = make_site(CONFIG, {"pier.txt": "The harbour pier reopened on Sunday.\n"})
    err = io.StringIO()
    server = DevServer(config, port=0, err=err)
    server.start()
    yield server, err
    server.stop()


def test_serves_under_the_published_path_with_local_absolute_links(
    served: tuple[DevServer, io.StringIO],
) -> None:
    server, _ = served
    assert server.url == f"http://127.0.0.1:{server.port}/harbour/"
    status, _, home = fetch(server.url)
    assert status == 200 and "Harbour watch" in home
    assert f'<link rel="canonical" href="{server.url}index.html">' in home, "local address"
    assert "https://user.github.io" not in home
    assert fetch(f"http://127.0.0.1:{server.port}/")[1] == server.url, "/ redirects"
    assert fetch(server.url + "articles/pier.html")[0] == 200
    status, _, missing = fetch(server.url + "articles/nothing.html")
    assert status == 404 and f'href="{server.url}index.html"' in missing, "the site's 404 page"


def test_reload_script_only_in_served_html_never_on_disk(
    served: tuple[DevServer, io.StringIO],
) -> None:
    server, _ = served
    home = fetch(server.url)[2]
    assert home.count(VERSION_PATH) == 1
    assert home.index(VERSION_PATH) < home.rindex("</body>")
    assert VERSION_PATH not in fetch(server.url + "static/style.css")[2]
    assert not (server.config_path.parent / "public").exists(), "serve writes nothing"


def test_rebuilds_on_change_and_keeps_the_last_good_site_on_error(
    served: tuple[DevServer, io.StringIO],
) -> None:
    server, err = served
    version = f"http://127.0.0.1:{server.port}{VERSION_PATH}"
    assert fetch(version)[2] == "1"
    assert server.poll() is False, "nothing changed"
    story = server.config_path.parent / "content" / "pier.txt"
    story.write_text("The harbour pier reopened on Sunday with a new lighthouse lamp.\n")
    assert server.poll() is True
    assert fetch(version)[2] == "2"
    assert "lighthouse lamp" in fetch(server.url + "articles/pier.html")[2]
    assert err.getvalue().startswith("Rebuilt ")

    server.config_path.write_text(CONFIG + "colour: blue\n")
    assert server.poll() is False
    lines = err.getvalue().splitlines()
    assert lines[-2].startswith("error: ") and "unknown key 'colour'" in lines[-2]
    assert lines[-1] == "still serving the last good build"
    assert fetch(version)[2] == "2"
    assert "lighthouse lamp" in fetch(server.url + "articles/pier.html")[2]

    server.config_path.write_text(CONFIG.replace("Harbour watch", "Harbour daily"))
    assert server.poll() is True
    assert "Harbour daily" in fetch(server.url)[2]


def test_theme_change_is_watched(served: tuple[DevServer, io.StringIO]) -> None:
    server, _ = served
    static = server.config_path.parent / "static"
    static.mkdir()
    (static / "site.css").write_text("body { color: teal; }\n")
    assert server.poll() is True, "a new folder in the lookup order counts"
    assert fetch(server.url + "static/site.css")[2] == "body { color: teal; }\n"


def test_without_base_url_serves_at_the_root(make_site: SiteMaker) -> None:
    config = make_site(CONFIG.replace("base_url: https://user.github.io/harbour/\n", ""))
    server = DevServer(config, port=0)
    server.start()
    try:
        assert server.url == f"http://127.0.0.1:{server.port}/"
        status, _, home = fetch(server.url)
        assert status == 200 and "atom.xml" not in home, "no feeds without a base_url"
    finally:
        server.stop()


def test_serve_runs_with_the_cyclic_collector_on(
    make_site: SiteMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console script turns Python's collector off (a build's objects live until the
    process ends); `digest serve` runs for hours and must turn it back on."""
    import gc

    import digest.serve
    from digest.cli import main

    config = make_site("title: Watch\n", {"a.txt": "The harbour reopened on Monday.\n"})
    seen: list[bool] = []

    def fake_serve(server: DevServer) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(digest.serve, "serve", fake_serve)
    gc.disable()
    try:
        assert main(["serve", "--config", str(config), "--port", "0"]) == 0
    finally:
        gc.enable()
    assert seen == [True]
