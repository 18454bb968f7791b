"""`build.py serve`: the real server on 127.0.0.1 (a free port), the real watcher, urllib as the browser."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from conftest import run_cli
from test_watch import watch_options, watching

from footnoted import serve
from footnoted.serve import HOST, VERSION_PATH, Preview, blog_pages, start_server, stop_server

HEAD = "---\ntitle: 测试\n---\n"
GOOD = HEAD + "第一版正文[@smith2020:finding; @lee2019]。\n"


@contextmanager
def serving(project) -> Iterator[tuple[str, Preview, object]]:  # type: ignore[no-untyped-def]
    """Server and watcher both running; the base URL, the preview state and the builds."""
    options = watch_options(project.root)
    preview = Preview(options.out, lambda: blog_pages(options))
    server, thread = start_server(preview, 0)
    try:
        with watching(options, also=preview.published) as (_, builds):
            yield f"http://{HOST}:{server.server_port}", preview, builds
    finally:
        stop_server(server, thread)
    assert not thread.is_alive()


def fetch(url: str, timeout: float = 10.0) -> tuple[int, str, str]:
    """(status, final URL, body) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.url, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8")


def test_the_page_is_served_on_loopback_with_the_reload_script(project):
    project.write("essay/x.md", GOOD)
    with serving(project) as (base, preview, builds):
        builds.wait_for(1)
        assert base.startswith("http://127.0.0.1:")
        status, final, page = fetch(base + "/")
        assert (status, final) == (200, base + "/x.html")
        assert "第一版正文" in page
        assert f"<script>/* footnoted preview: reload after each rebuild */\n(function () {{\n  var version = {preview.version};" in page
        assert page.index("footnoted preview") < page.index("</body>")
        assert "footnoted-diagnostics" not in page


def test_a_rebuild_is_signalled_to_the_waiting_page(project):
    draft = project.write("essay/x.md", GOOD)
    with serving(project) as (base, preview, builds):
        builds.wait_for(1)
        seen = preview.version
        answer: dict[str, object] = {}
        poll = threading.Thread(target=lambda: answer.update(json.loads(fetch(f"{base}{VERSION_PATH}?since={seen}")[2])))
        poll.start()
        draft.write_text(GOOD.replace("第一版", "第二版"), encoding="utf-8")
        poll.join(timeout=10)
        assert not poll.is_alive()
        assert answer == {"version": seen + 1}
        assert "第二版正文" in fetch(base + "/x.html")[2]


def test_a_broken_draft_shows_its_diagnostics_over_the_last_good_page(project):
    draft = project.write("essay/x.md", GOOD)
    with serving(project) as (base, _, builds):
        builds.wait_for(1)
        draft.write_text(HEAD + "坏了[@nope]。\n", encoding="utf-8")
        assert builds.wait_for(2).code == 1
        page = fetch(base + "/x.html")[2]
        assert "<strong>build failed: the page below is the last good build</strong>\n" in page
        assert f"{project.root}/essay/x.md:4:4: error: unknown citation key &#x27;nope&#x27; [cite.unknown-key]" in page
        assert "第一版正文" in page


def test_before_any_good_build_the_diagnostics_page_stands_alone(project):
    project.write("essay/x.md", HEAD + "坏了[@nope]。\n")
    with serving(project) as (base, _, builds):
        builds.wait_for(1)
        status, _, page = fetch(base + "/x.html")
        assert status == 200
        assert "unknown citation key &#x27;nope&#x27;" in page and "var version = 1;" in page


def test_nothing_outside_the_output_folder_is_served(project):
    project.write("essay/x.md", GOOD)
    project.write("secret.txt", "not for the browser")
    with serving(project) as (base, _, builds):
        builds.wait_for(1)
        assert fetch(base + "/%2e%2e/secret.txt")[0] == 404
        assert fetch(base + "/missing.css")[0] == 404


def test_a_port_in_use_is_a_usage_error(project):
    project.write("essay/x.md", GOOD)
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(["serve", "--port", str(port)], project)
    assert result.code == 2
    assert result.err == (f"build.py: error: cannot serve on 127.0.0.1:{port}: Address already in use; "
                          "pick another port with --port\n")


def raw_get(port: int, target: bytes, host: bytes | None = b"", timeout: float = 10.0) -> tuple[int, str]:
    """(status, body) of a GET written byte for byte; host b"" is the right one, None sends none.
    Status 0: the server closed the connection without an answer."""
    host = f"{HOST}:{port}".encode() if host == b"" else host
    request = b"GET " + target + b" HTTP/1.1\r\n" + (b"Host: " + host + b"\r\n" if host is not None else b"") + b"\r\n"
    with socket.create_connection((HOST, port), timeout=timeout) as connection:
        connection.sendall(request)
        return read_answer(connection)


def read_answer(connection: socket.socket) -> tuple[int, str]:
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    if not answer:
        return 0, ""
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8")


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def test_only_requests_naming_this_machine_are_answered(project):
    """DNS rebinding: a page from evil.example, its name now resolving to 127.0.0.1, must not read the draft."""
    project.write("essay/x.md", GOOD)
    with serving(project) as (base, _, builds):
        builds.wait_for(1)
        port = port_of(base)
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LocalHost:{port}"):
            status, page = raw_get(port, b"/x.html", host.encode())
            assert (status, "第一版正文" in page) == (200, True), host
        refusal = f"this preview answers only at http://127.0.0.1:{port}/\n"
        for host in (f"evil.example:{port}", "evil.example", "127.0.0.1", "localhost", f"127.0.0.1:{port + 1}",
                     f"127.0.0.1.evil.example:{port}"):
            assert raw_get(port, b"/x.html", host.encode()) == (421, refusal), host
            assert raw_get(port, f"{VERSION_PATH}?since=0".encode(), host.encode()) == (421, refusal), host
        assert raw_get(port, b"/x.html", None) == (400, "bad request: a request needs exactly one Host header\n")


def test_only_the_drafts_blog_pages_are_served(project):
    project.write("essay/x.md", GOOD)
    for name in (".env", "x.pdf", "x.xhs.txt", "x.xhs/1.txt", "old.html", ".hidden.html", "notes/x.html"):
        project.write(f"build/{name}", "not for the browser")
    with serving(project) as (base, _, builds):
        builds.wait_for(1)
        port = port_of(base)
        not_found = (404, "not found: the preview shows only the blog pages of the drafts\n")
        for target in (b"/.env", b"/x.pdf", b"/x.xhs.txt", b"/x.xhs/1.txt", b"/old.html", b"/.hidden.html",
                       b"/notes/x.html", b"/%2e%2e/build/x.html", b"/x.html/", b"/X.html"):
            assert raw_get(port, target) == not_found, target
        assert raw_get(port, b"/x.html")[0] == 200
        status, final, _ = fetch(base + "/")  # old.html is no draft's page: not listed, so one page and a redirect
        assert (status, final) == (200, base + "/x.html")


def test_a_page_named_in_chinese_is_found_by_its_percent_encoded_name(project):
    project.write("essay/测试.md", GOOD)
    options = watch_options(project.root)
    options.essay = [project / "essay" / "测试.md"]
    preview = Preview(options.out, lambda: blog_pages(options))
    server, thread = start_server(preview, 0)
    try:
        with watching(options, also=preview.published) as (_, builds):
            builds.wait_for(1)
            status, final, page = fetch(f"http://{HOST}:{server.server_port}/")
    finally:
        stop_server(server, thread)
    assert (status, final) == (200, f"http://{HOST}:{server.server_port}/%E6%B5%8B%E8%AF%95.html")
    assert "第一版正文" in page


def test_a_malformed_request_gets_a_400_never_a_dropped_connection(project, capsys):
    project.write("essay/x.md", GOOD)
    with serving(project) as (base, _, builds):
        builds.wait_for(1)
        port = port_of(base)
        path = "bad request: the path has characters that must be percent-encoded\n"
        since = "bad request: since= takes one version number: 1 to 18 ASCII digits\n"
        cases = {
            b"/x\x00.html": path,
            b"/x\x7f.html": path,
            "/测试.html".encode(): path,
            b"/x%00.html": "bad request: the path has a control character (NUL or the like)\n",
            b"/x%zz.html": "bad request: the path has a '%' not followed by two hex digits\n",
            b"/x.html%": "bad request: the path has a '%' not followed by two hex digits\n",
            b"/%ff.html": "bad request: the path's percent-encoding is not UTF-8\n",
            b"*": "bad request: the request target must be a path starting with '/'\n",
            f"{VERSION_PATH}?since=%C2%B2".encode(): since,  # ², a digit to str.isdigit(), not to int()
            f"{VERSION_PATH}?since=²".encode(): since,
            f"{VERSION_PATH}?since=%D9%A3".encode(): since,  # ٣, an Arabic-Indic digit int() would take
            f"{VERSION_PATH}?since={'9' * 5000}".encode(): since,  # beyond int()'s 4,300 digits
            f"{VERSION_PATH}?since=-5".encode(): since,
            f"{VERSION_PATH}?since=".encode(): since,
            f"{VERSION_PATH}?since=1&since=2".encode(): since,
            f"{VERSION_PATH}?since=%ff".encode(): "bad request: the query is not valid percent-encoded UTF-8\n",
        }
        for target, message in cases.items():
            assert raw_get(port, target) == (400, message), target
        assert raw_get(port, f"{VERSION_PATH}?since=999".encode())[0] == 200  # a version ahead: answered at once
    err = capsys.readouterr().err
    assert "preview:" not in err and "Traceback" not in err


def test_idle_connections_time_out_and_cannot_hold_more_than_the_cap_of_threads(project, monkeypatch):
    """100 connections that send nothing: at most MAX_HANDLER_THREADS threads, a quick 503 beyond them,
    every one closed after the socket timeout; then the page is served again."""
    monkeypatch.setattr(serve, "SOCKET_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(serve, "LONG_POLL_SECONDS", 1.5)  # a long poll outlasts the socket timeout unharmed
    project.write("essay/x.md", GOOD)
    with serving(project) as (base, preview, builds):
        builds.wait_for(1)
        port = port_of(base)
        before = threading.active_count()
        idle = [socket.create_connection((HOST, port), timeout=10) for _ in range(100)]
        try:
            # The server accepts in order: once this one is answered, all 100 have been taken in.
            probe = raw_get(port, b"/x.html")
            handler_threads = threading.active_count() - before
            assert handler_threads <= serve.MAX_HANDLER_THREADS
            assert probe == (503, "busy: too many open connections; try again")
            answers = [read_answer(connection) for connection in idle]  # each closed by the server
        finally:
            for connection in idle:
                connection.close()
        refused = answers.count((503, "busy: too many open connections; try again"))
        assert answers.count((0, "")) + refused == 100
        assert refused >= 100 - serve.MAX_HANDLER_THREADS
        status, page = raw_get(port, b"/x.html")
        assert status == 200 and "第一版正文" in page
        seen = preview.version
        assert raw_get(port, f"{VERSION_PATH}?since={seen}".encode()) == (200, f'{{"version": {seen}}}')


def test_a_page_that_cannot_be_read_is_a_500_and_one_line_on_the_terminal(project, capsys):
    project.write("essay/x.md", GOOD)
    with serving(project) as (base, _, builds):
        builds.wait_for(1)
        (project / "build" / "x.html").write_bytes(b"<body>\xff</body>")  # not UTF-8: not ours, but it happens
        assert raw_get(port_of(base), b"/x.html") == (500, "internal error: see the terminal\n")
    err = capsys.readouterr().err
    assert err.count("preview: internal error (UnicodeDecodeError: ") == 1 and "Traceback" not in err
