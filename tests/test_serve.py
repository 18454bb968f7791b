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

from footnoted.serve import HOST, VERSION_PATH, Preview, start_server, stop_server

HEAD = "---\ntitle: 测试\n---\n"
GOOD = HEAD + "第一版正文[@smith2020:finding; @lee2019]。\n"


@contextmanager
def serving(project) -> Iterator[tuple[str, Preview, object]]:  # type: ignore[no-untyped-def]
    """Server and watcher both running; the base URL, the preview state and the builds."""
    options = watch_options(project.root)
    preview = Preview(options.out)
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
