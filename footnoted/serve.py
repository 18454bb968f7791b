"""`build.py serve`: a preview of the blog page on 127.0.0.1 that reloads itself after each rebuild.

The server only reads the output folder; the watcher (footnoted.watch) writes it. Each page
served gets a small script that long-polls `/__footnoted__/version`: the request waits until
the next build finishes (or 25 s pass), then the page reloads. While the draft is broken, the
last good page stays, under a box listing the diagnostics; before any good build, a page of the
diagnostics alone. Loopback only: nothing here is meant for another machine.

What it answers is kept narrow, because any web page the writer has open could try it:
only requests naming this machine in their Host header (a page from elsewhere whose name was
made to resolve to 127.0.0.1 names itself), only the blog pages of the drafts being built and
the version endpoint (never another file of the output folder), a 400 for a malformed request,
and a bounded number of threads, each connection's socket with a timeout.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, unquote

from footnoted.diagnostics import Severity
from footnoted.pipeline import BuildResult, UsageError
from footnoted.watch import Watcher

HOST = "127.0.0.1"
VERSION_PATH = "/__footnoted__/version"
LONG_POLL_SECONDS = 25.0
# Each read or write on a connection may wait this long, so a silent or stalled client gives its
# thread back. The long poll's wait reads nothing and is not cut by it; the figure still stays
# above the poll's, so nothing the page's script does ever meets it.
SOCKET_TIMEOUT_SECONDS = 30.0
# Connections answered at once; beyond, a 503. A browser opens at most 6 at a time to one site,
# and each open preview tab holds 1 for its long poll: 64 leaves room for many tabs.
MAX_HANDLER_THREADS = 64
BUSY_ANSWER = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
               b"Content-Length: 42\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
               b"busy: too many open connections; try again")

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
    """What the server shows: the pages of the drafts (asked each time: a new draft is a new page),
    the last build's outcome, and a version counting the builds."""

    def __init__(self, out: Path, pages: Callable[[], Iterable[str]]) -> None:
        self.out = out
        self.pages = pages
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
    """One thread per connection, at most MAX_HANDLER_THREADS at once, each socket read or write
    bounded by SOCKET_TIMEOUT_SECONDS: a page left idle or a flood of slow connections holds
    neither threads nor memory for long."""

    daemon_threads = True  # a waiting long poll never holds up the exit
    request_queue_size = 128  # the kernel's backlog: a burst of connections is queued, not refused

    def __init__(self, port: int, preview: Preview) -> None:
        self.preview = preview
        self.socket_timeout = SOCKET_TIMEOUT_SECONDS  # read here, so a test can lower the module's figure
        self.handler_slots = threading.BoundedSemaphore(MAX_HANDLER_THREADS)
        super().__init__((HOST, port), PreviewHandler)
        self.allowed_hosts = allowed_hosts(self.server_port)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        # Refused at once rather than queued: the accept loop never blocks, so Ctrl-C stays prompt,
        # and the page's script polls again a second after a failed answer.
        if not self.handler_slots.acquire(blocking=False):
            self.refuse_busy(request)
            return
        try:
            super().process_request(request, client_address)  # type: ignore[arg-type]
        except BaseException:  # no thread started: the slot is free again
            self.handler_slots.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)  # type: ignore[arg-type]
        finally:
            self.handler_slots.release()

    def refuse_busy(self, request: socket.socket) -> None:
        """A short 503 written without waiting, from the accept loop itself; then the socket is closed."""
        request.setblocking(False)
        try:
            request.recv(65536)  # what already came: closing on unread bytes would reset the connection
        except OSError:
            pass
        try:
            request.send(BUSY_ANSWER)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that left mid-answer (a reload, a closed tab) or went silent is no error; else one line."""
        problem = sys.exc_info()[1]
        if not isinstance(problem, (ConnectionError, TimeoutError)):
            print(f"preview: could not answer a request: {problem}", file=sys.stderr, flush=True)


def allowed_hosts(port: int) -> frozenset[str]:
    """The Host headers of a page opened on this machine. A page from elsewhere that got its name
    resolved to 127.0.0.1 (DNS rebinding) sends its own name, and so is refused. Browsers give the
    port whenever it is not 80."""
    names = ("127.0.0.1", "localhost", "[::1]")
    return frozenset({f"{name}:{port}" for name in names} | (set(names) if port == 80 else set()))


def blog_pages(options: argparse.Namespace) -> frozenset[str]:
    """The pages the preview shows: one per draft being built (the blog page is self-contained)."""
    drafts = options.essay or sorted(Path("essay").glob("*.md"))
    return frozenset(f"{draft.stem}.html" for draft in drafts)


class BadRequest(Exception):
    """A request no browser sends: answered 400 with the message."""


class Answer(NamedTuple):
    status: HTTPStatus
    kind: str
    body: bytes
    location: str = ""


def text_answer(status: HTTPStatus, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", message.encode())


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_VERSION_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only; 18 fit any count of builds


def request_path(target: str) -> tuple[str, str]:
    """The decoded path and the raw query of a request target; BadRequest for anything malformed."""
    if not target.startswith("/"):
        raise BadRequest("the request target must be a path starting with '/'")
    raw_path, _, query = target.partition("?")
    if not raw_path.isascii() or _CONTROL.search(raw_path):
        raise BadRequest("the path has characters that must be percent-encoded")
    if _BAD_ESCAPE.search(raw_path):
        raise BadRequest("the path has a '%' not followed by two hex digits")
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("the path's percent-encoding is not UTF-8") from None
    if _CONTROL.search(path):
        raise BadRequest("the path has a control character (NUL or the like)")
    return path, query


def since_version(query: str) -> int:
    """`since=N` of a long poll: the version the page has; -1 (answer at once) when absent."""
    try:
        values = [value for name, value in parse_qsl(query, keep_blank_values=True, errors="strict") if name == "since"]
    except UnicodeDecodeError:
        raise BadRequest("the query is not valid percent-encoded UTF-8") from None
    if not values:
        return -1
    if len(values) > 1 or not _VERSION_NUMBER.fullmatch(values[0]):
        raise BadRequest("since= takes one version number: 1 to 18 ASCII digits")
    return int(values[0])


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer

    def setup(self) -> None:
        self.timeout = self.server.socket_timeout  # StreamRequestHandler applies it to the socket
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for the build's output, not for each request

    def do_GET(self) -> None:
        try:
            answer = self.answer()
        except BadRequest as problem:
            answer = text_answer(HTTPStatus.BAD_REQUEST, f"bad request: {problem}\n")
        except Exception as problem:  # a bug must not drop the connection: one line on the terminal, a 500 here
            print(f"preview: internal error ({type(problem).__name__}: {problem}); please report it",
                  file=sys.stderr, flush=True)
            answer = text_answer(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error: see the terminal\n")
        self.send(answer)

    def answer(self) -> Answer:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            raise BadRequest("a request needs exactly one Host header")
        if hosts[0].strip().lower() not in self.server.allowed_hosts:
            return text_answer(HTTPStatus.MISDIRECTED_REQUEST,
                               f"this preview answers only at http://{HOST}:{self.server.server_port}/\n")
        path, query = request_path(self.path)
        if path == VERSION_PATH:
            return self.version(since_version(query))
        if path == "/":
            return self.index()
        name = path[1:]
        if name in self.server.preview.pages():
            return self.page(name)
        return text_answer(HTTPStatus.NOT_FOUND, "not found: the preview shows only the blog pages of the drafts\n")

    def version(self, since: int) -> Answer:
        version = self.server.preview.wait_for_change(since, LONG_POLL_SECONDS)
        return Answer(HTTPStatus.OK, "application/json", json.dumps({"version": version}).encode())

    def index(self) -> Answer:
        out = self.server.preview.out
        pages = sorted(name for name in self.server.preview.pages() if (out / name).is_file())
        if len(pages) == 1:
            return Answer(HTTPStatus.FOUND, "text/plain; charset=utf-8", b"", location="/" + quote(pages[0]))
        links = "".join(f'<li><a href="/{html.escape(quote(name))}">{html.escape(name)}</a></li>' for name in pages)
        return self.preview_page(f"<h1>footnoted preview</h1><ul>{links or '<li>nothing built yet</li>'}</ul>")

    def page(self, name: str) -> Answer:
        target = self.server.preview.out / name
        if not target.is_file():
            if self.server.preview.banner():
                return self.preview_page("")  # nothing good built yet: the diagnostics alone
            return text_answer(HTTPStatus.NOT_FOUND, "not built\n")
        version = self.server.preview.version  # before reading: a build in between must still reload the page
        page = target.read_text(encoding="utf-8")
        return Answer(HTTPStatus.OK, "text/html; charset=utf-8", self.with_preview(page, version).encode())

    def with_preview(self, page: str, version: int) -> str:
        preview = self.server.preview
        script = RELOAD_SCRIPT % (version, VERSION_PATH)
        banner = preview.banner()
        body_open = page.find(">", page.find("<body")) + 1 if "<body" in page else 0
        page = page[:body_open] + banner + page[body_open:]
        body_close = page.rfind("</body>")
        return page[:body_close] + script + page[body_close:] if body_close >= 0 else page + script

    def preview_page(self, body: str) -> Answer:
        page = ('<!DOCTYPE html>\n<html lang="en">\n<meta charset="utf-8">\n<title>footnoted preview</title>\n'
                f"<body>\n{body}\n</body>\n</html>\n")
        version = self.server.preview.version
        return Answer(HTTPStatus.OK, "text/html; charset=utf-8", self.with_preview(page, version).encode())

    def send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        if answer.location:
            self.send_header("Location", answer.location)
        self.send_header("Content-Type", answer.kind)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(answer.body)


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
    preview = Preview(options.out, lambda: blog_pages(options))
    server, thread = start_server(preview, options.port)
    print(f"serving the preview at http://{HOST}:{server.server_port}/ (Ctrl-C to stop)", flush=True)
    try:
        Watcher(options, on_build=preview.published).run(threading.Event())
    except KeyboardInterrupt:
        print("stopped serving", file=sys.stderr)
    finally:
        stop_server(server, thread)
    return 0
