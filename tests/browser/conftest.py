"""Browser test setup: Debian's chromium, axe-core, and the example served under a subpath.

Nothing here downloads a browser build: Playwright drives the system's chromium. When
it is missing, the setup installs it with apt-get (as root, as on a CI machine). The
tests skip, with the reason, only when chromium truly cannot be had; with
DIGEST_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead, so CI never skips them.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from digest.build import build
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_DEPS = ROOT / ".browser-deps"
AXE = BROWSER_DEPS / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SUBPATH = "digest-demo"


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("DIGEST_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (DIGEST_REQUIRE_BROWSER is set, so this is an error)")
    pytest.skip(reason)


def ensure_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        unavailable(f"{CHROMIUM} is missing and apt-get cannot install it here (needs root)")
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
    if not CHROMIUM.exists():  # a fresh machine may have no package lists yet
        subprocess.run(["apt-get", "update"], capture_output=True, env=env, check=False)
        result = subprocess.run(install, capture_output=True, text=True, env=env, check=False)
    if not CHROMIUM.exists():
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        unavailable(f"apt-get install chromium failed: {last}")
    return CHROMIUM


def ensure_axe() -> Path:
    if AXE.exists():
        return AXE
    npm = shutil.which("npm")
    if npm is None:
        unavailable("axe-core is not installed and npm is missing to install it")
    install = [npm or "npm", "install", "--prefix", str(BROWSER_DEPS), "--no-audit", "--no-fund"]
    result = subprocess.run(
        [*install, "axe-core@4"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if not AXE.exists():
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        unavailable(f"npm install axe-core failed: {last}")
    return AXE


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


# Package scope: the server's thread and the browser end with the browser tests, so the
# tests after them run in a process without other threads (builds fork only then).
@pytest.fixture(scope="package")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example, built for and served at http://127.0.0.1:PORT/digest-demo/.

    A plain static server over a folder whose `digest-demo/` is the build, as GitHub
    Pages serves a project site: nothing the site needs may sit above its subpath.
    """
    www = tmp_path_factory.mktemp("www")
    handler = functools.partial(_Quiet, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    url = f"http://127.0.0.1:{server.server_address[1]}/{SUBPATH}/"
    build(ROOT / "config.yaml", output_dir=www / SUBPATH, base_url=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    executable = ensure_chromium()
    try:
        import playwright.sync_api as sync_api
    except ImportError:
        unavailable("Playwright's Python client is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(executable), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    return ensure_axe()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
