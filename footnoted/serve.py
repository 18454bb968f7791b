"""`build.py serve`: a preview of the blog page on 127.0.0.1 that reloads itself after each rebuild.

The server only reads the output folder; the watcher (footnoted.watch) writes it. Each page
served gets a small script that long-polls `/__footnoted__/version`: the request waits until
the next build finishes (or 25 s pass), then the page reloads. While the draft is broken, the
last good page stays, under a box listing the diagnostics; before any good build, a page of the
diagnostics alone. Loopback only: nothing here is meant for another machine.
"""

from __future__ import annotations

import argparse
import html
import json
import mimetypes
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from footnoted.cli import BuildResult, UsageError
from footnoted.diagnostics import Severity
from footnoted.watch import Watcher

HOST = "127.0.0.1"
VERSION_PATH = "/__footnoted__/version"
LONG_POLL_SECONDS = 25.0

RELOAD_SCRIPT = """<script>/* footnoted preview: reload after each rebuild */
(function () {
  var version = %d;
  function poll() {
    fetch("%s?since=" + version, {cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (data) { if (data.version !== version) { location.reload(); } else { poll(); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>
"""
BANNER_STYLE = ("position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:45vh;overflow:auto;margin:0;"
                "padding:.8em 1em;background:#fff4f2;color:#5c0f00;border-bottom:3px solid #c0392b;"
                "font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap")


class Preview:
    """What the server shows: the last build's outcome, and a version counting the builds."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.version = 0
        self.result: BuildResult | None = None
        self.changed = threading.Condition()
        self.closing = False

    def published(self, result: BuildResult) -> None:
        with self.changed:
            self.version += 1
            self.result = result
            self.changed.notify_all()

    def wait_for_change(self, since: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != since or self.closing, timeout)
            return self.version

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()

    def banner(self) -> str:
        """The diagnostics of a failed build, as a box at the top of the page; '' after a good build."""
        result = self.result
        if result is None or result.code == 0:
            return ""
        lines = sorted(set(result.diagnostics), key=lambda d: (d.severity is not Severity.ERROR, d.path, d.line, d.col))
        shown = "\n".join(html.escape(str(d)) for d in lines[:50]) or "the build failed: see the terminal"
        return (f'<pre id="footnoted-diagnostics" role="alert" style="{BANNER_STYLE}"><strong>build failed: '
                f"the page below is the last good build</strong>\n{shown}</pre>\n")


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # a waiting long poll never holds up the exit

    def __init__(self, port: int, preview: Preview) -> None:
        self.preview = preview
        super().__init__((HOST, port), PreviewHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that left mid-answer (a reload, a closed tab) is no error; anything else is one line."""
        problem = sys.exc_info()[1]
        if not isinstance(problem, ConnectionError):
            print(f"preview: could not answer a request: {problem}", file=sys.stderr, flush=True)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for the build's output, not for each request

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path == VERSION_PATH:
            self.version(parse_qs(url.query).get("since", ["-1"])[0])
        elif path == "/":
            self.index()
        elif path.endswith(".html"):
            self.page(path)
        else:
            self.file(path)

    def version(self, since: str) -> None:
        preview = self.server.preview
        known = int(since) if since.lstrip("-").isdigit() else -1
        version = preview.wait_for_change(known, LONG_POLL_SECONDS)
        self.send(HTTPStatus.OK, "application/json", json.dumps({"version": version}).encode())

    def index(self) -> None:
        pages = sorted(p.name for p in self.server.preview.out.glob("*.html"))
        if len(pages) == 1:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", "/" + pages[0])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        links = "".join(f'<li><a href="/{html.escape(name)}">{html.escape(name)}</a></li>' for name in pages)
        self.send_page(f"<h1>footnoted preview</h1><ul>{links or '<li>nothing built yet</li>'}</ul>")

    def page(self, path: str) -> None:
        target = self.inside_out(path)
        if target is None or not target.is_file():
            if self.server.preview.banner():
                self.send_page("")  # nothing good built yet: the diagnostics alone
            else:
                self.send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not built\n")
            return
        version = self.server.preview.version  # before reading: a build in between must still reload the page
        page = target.read_text(encoding="utf-8")
        self.send(HTTPStatus.OK, "text/html; charset=utf-8", self.with_preview(page, version).encode())

    def file(self, path: str) -> None:
        target = self.inside_out(path)
        if target is None or not target.is_file():
            self.send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self.send(HTTPStatus.OK, kind + ("; charset=utf-8" if kind.startswith("text/") else ""), target.read_bytes())

    def inside_out(self, path: str) -> Path | None:
        """The file in the output folder the path names; None for anything outside it."""
        root = self.server.preview.out.resolve()
        target = (root / path.lstrip("/")).resolve()
        return target if target.is_relative_to(root) else None

    def with_preview(self, page: str, version: int) -> str:
        preview = self.server.preview
        script = RELOAD_SCRIPT % (version, VERSION_PATH)
        banner = preview.banner()
        body_open = page.find(">", page.find("<body")) + 1 if "<body" in page else 0
        page = page[:body_open] + banner + page[body_open:]
        body_close = page.rfind("</body>")
        return page[:body_close] + script + page[body_close:] if body_close >= 0 else page + script

    def send_page(self, body: str) -> None:
        page = f'<!DOCTYPE html>\n<html lang="en">\n<meta charset="utf-8">\n<title>footnoted preview</title>\n<body>\n{body}\n</body>\n</html>\n'
        self.send(HTTPStatus.OK, "text/html; charset=utf-8", self.with_preview(page, self.server.preview.version).encode())

    def send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def start_server(preview: Preview, port: int) -> tuple[PreviewServer, threading.Thread]:
    try:
        server = PreviewServer(port, preview)
    except OSError as exc:
        raise UsageError(f"cannot serve on {HOST}:{port}: {exc.strerror}; pick another port with --port") from None
    thread = threading.Thread(target=server.serve_forever, name="footnoted-preview", daemon=True)
    thread.start()
    return server, thread


def stop_server(server: PreviewServer, thread: threading.Thread) -> None:
    server.preview.close()  # release the long polls
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def serve(options: argparse.Namespace) -> int:
    if options.target not in ("blog", "all"):
        raise UsageError("serve previews the blog page: use --target blog (the default) or all")
    if not 0 <= options.port <= 65535:
        raise UsageError(f"port {options.port} is not a port number (0 to 65535)")
    preview = Preview(options.out)
    server, thread = start_server(preview, options.port)
    print(f"serving the preview at http://{HOST}:{server.server_port}/ (Ctrl-C to stop)", flush=True)
    try:
        Watcher(options, on_build=preview.published).run(threading.Event())
    except KeyboardInterrupt:
        print("stopped serving", file=sys.stderr)
    finally:
        stop_server(server, thread)
    return 0
