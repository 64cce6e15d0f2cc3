"""`digest serve`: the site on 127.0.0.1, rebuilt when its sources change.

The site is rendered in memory and served from there, so nothing on disk changes: the
live-reload script is added to HTML responses as they are sent, never to a built file.
A site published under a path (`https://user.github.io/repo/`) is served under the same
path (`http://127.0.0.1:8000/repo/`) and rendered with that local address as its base
URL, so relative links, the 404 page's absolute links and the feeds all work as they
will once published. Changes are found by polling modification times: a digest site is
a few hundred small files, and polling needs no native watcher and no dependency.
"""

from __future__ import annotations

import mimetypes
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlsplit

from digest.config import load_config
from digest.errors import DigestError
from digest.rendered import render_site
from digest.reporter import StreamReporter
from digest.theme import load_theme

VERSION_PATH = "/__digest__/version"
_RELOAD = (
    '<script>(function(){{var v="{version}";function poll(){{'
    'fetch("{path}",{{cache:"no-store"}}).then(function(r){{return r.text()}})'
    ".then(function(t){{if(t!==v)location.reload()}}).catch(function(){{}})"
    ".finally(function(){{setTimeout(poll,700)}})}}setTimeout(poll,700)}})();</script>"
)
_TYPES = {".js": "text/javascript", ".json": "application/json", ".xml": "application/xml"}

Snapshot = dict[Path, tuple[int, int]]


@dataclass(frozen=True)
class Served:
    """One good build: what every request is answered from until the next one."""

    version: int
    files: dict[str, bytes]


class DevServer:
    """Build, serve, watch, rebuild. `start()` raises DigestError if the first build fails."""

    def __init__(
        self,
        config_path: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        base_url: str | None = None,
        drafts: bool = False,
        err: TextIO | None = None,
    ) -> None:
        self.config_path = config_path
        self.host = host
        self.port = port
        self.base_url = base_url
        self.drafts = drafts
        self.err = err or sys.stderr
        self.prefix = "/"
        self.published = False
        self.served = Served(0, {})
        self._snapshot: Snapshot = {}
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.prefix}"

    def start(self) -> None:
        published = load_config(self.config_path, base_url=self.base_url).config.base_url
        self.published = bool(published)
        self.prefix = (urlsplit(published).path or "/") if published else "/"
        self._httpd = ThreadingHTTPServer((self.host, self.port), _handler(self))
        self.port = self._httpd.server_address[1]
        try:
            self._snapshot = self._scan()
            self._render()
        except BaseException:
            self._httpd.server_close()
            raise
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    def poll(self) -> bool:
        """Rebuild if a watched file changed; True if the served site changed."""
        snapshot = self._scan()
        if snapshot == self._snapshot:
            return False
        self._snapshot = snapshot
        try:
            began = time.perf_counter()
            pages = self._render()
        except DigestError as exc:
            print(f"error: {exc}", file=self.err, flush=True)
            print("still serving the last good build", file=self.err, flush=True)
            return False
        seconds = time.perf_counter() - began
        print(f"Rebuilt {pages} pages in {seconds:.1f} s", file=self.err, flush=True)
        return True

    def watch(self, interval: float = 0.5) -> None:
        """Poll until interrupted (Ctrl+C)."""
        while True:
            time.sleep(interval)
            self.poll()

    def _render(self) -> int:
        local = self.url if self.published else None
        rendered = render_site(
            self.config_path, None, local, None, self.drafts, reporter=StreamReporter()
        )
        self.served = Served(self.served.version + 1, rendered.files)
        return rendered.pages

    def _scan(self) -> Snapshot:
        """Modification time and size of every watched file; missing folders are empty."""
        snapshot: Snapshot = {}
        for path in self._watched_files():
            try:
                stat = path.stat()
            except OSError:
                continue
            snapshot[path] = (stat.st_mtime_ns, stat.st_size)
        return snapshot

    def _watched_files(self) -> Iterator[Path]:
        yield self.config_path
        try:
            site = load_config(self.config_path)
            theme_dirs = load_theme(site.config.theme, site.root)
            folders = [site.content_dir, *theme_dirs.template_dirs, *theme_dirs.static_dirs]
        except DigestError:
            # A broken config: watch the usual places, so its fix is noticed.
            root = self.config_path.resolve().parent
            folders = [root / "content", root / "templates", root / "static", root / "themes"]
        for folder in dict.fromkeys(folders):
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        yield path


def serve(server: DevServer, out: Callable[[str], None] = print) -> int:
    server.start()
    out(f"Serving {server.url} (Ctrl+C to stop); rebuilding when the site's files change")
    try:
        server.watch()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _handler(server: DevServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the terminal is for build messages."""

        def _answer(self, body: bool) -> None:
            served = server.served
            path = unquote(urlsplit(self.path).path)
            if path == VERSION_PATH:
                self._send(200, "text/plain", str(served.version).encode(), body)
                return
            prefix = server.prefix
            if not path.startswith(prefix):
                if path in ("/", prefix.rstrip("/")):
                    self._redirect(prefix)
                else:
                    self._not_found(served, body)
                return
            relative = path[len(prefix) :]
            if relative == "" or relative.endswith("/"):
                relative += "index.html"
            data = served.files.get(relative)
            if data is None:
                if f"{relative}/index.html" in served.files:
                    self._redirect(path + "/")
                else:
                    self._not_found(served, body)
                return
            self._send(200, _content_type(relative), _inject(relative, data, served), body)

        def _not_found(self, served: Served, body: bool) -> None:
            page = served.files.get("404.html", b"<h1>Not found</h1>")
            self._send(404, "text/html", _inject("404.html", page, served), body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, status: int, kind: str, data: bytes, body: bool) -> None:
            self.send_response(status)
            text = kind.startswith("text/") or kind.endswith(("/json", "/xml"))
            self.send_header("Content-Type", f"{kind}; charset=utf-8" if text else kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(data)

    return Handler


def _content_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def _inject(path: str, data: bytes, served: Served) -> bytes:
    """The live-reload script, before the last </body> of an HTML page."""
    if not path.endswith(".html"):
        return data
    script = _RELOAD.format(version=served.version, path=VERSION_PATH).encode()
    at = data.rfind(b"</body>")
    return data[:at] + script + data[at:] if at >= 0 else data + script
