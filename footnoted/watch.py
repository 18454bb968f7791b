"""`build.py --watch`: rebuild the targets asked for each time a draft, the bibliography or a
template is saved.

Polling, not inotify: no dependency, and it works the same on every file system and editor.
A change is acted on once the files have stood still for a moment, because editors save in
steps (write a temporary file, rename, touch), and one save must give one rebuild. Parsed
inputs are kept between builds: the bibliography is loaded again only when one of its files
changed, a draft parsed again only when its bytes changed. Templates are Jinja's to reload (it
checks their dates). A broken draft writes nothing, so the last good outputs stay.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from footnoted.bibliography import Bibliography, citation_files, load_bibliography
from footnoted.diagnostics import InputError
from footnoted.essay import Essay
from footnoted.parse import parse_essay
from footnoted.pipeline import BuildResult, Inputs, UsageError, citation_places, run_build
from footnoted.safe_read import MAX_BIBLIOGRAPHY_BYTES, MAX_DRAFT_BYTES, read_regular_file
from footnoted.styles import is_csl

POLL_SECONDS = 0.1
SETTLE_SECONDS = 0.1  # the files must stand still this long before a rebuild
MAX_SETTLE_SECONDS = 3.0  # a file rewritten without pause is built anyway after this
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

Stamp = dict[Path, tuple[int, int]]


class RememberingInputs(Inputs):
    """Parsed inputs kept by content: an unchanged file is never parsed twice."""

    def __init__(self) -> None:
        self.bibliographies: dict[bytes, Bibliography | InputError] = {}
        self.essays: dict[Path, tuple[bytes, Essay | InputError]] = {}

    def bibliography(self, files: list[Path]) -> Bibliography:
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path).encode() + b"\0" + _read_or_empty(path) + b"\0")
        key = digest.digest()
        if key not in self.bibliographies:
            self.bibliographies = {key: _outcome(lambda: load_bibliography(files))}
        return _value(self.bibliographies[key])

    def essay(self, path: Path) -> Essay:
        # An unreadable draft, or one that is a FIFO or a device now, raises OSError, which the build reports.
        data = read_regular_file(path, MAX_DRAFT_BYTES)
        known = self.essays.get(path)
        if known is None or known[0] != data:
            known = (data, _outcome(lambda: parse_essay(str(path), data, path.parent)))
            self.essays[path] = known
        return _value(known[1])


def _outcome(step: Callable[[], object]):  # type: ignore[no-untyped-def]
    try:
        return step()
    except InputError as exc:  # remembered too: an unchanged broken draft is not parsed again
        return exc


def _value(outcome):  # type: ignore[no-untyped-def]
    if isinstance(outcome, InputError):
        raise outcome
    return outcome


def _read_or_empty(path: Path) -> bytes:
    try:
        return read_regular_file(path, MAX_BIBLIOGRAPHY_BYTES)
    except OSError:  # loading the bibliography reports it
        return b""


def watched_files(options: argparse.Namespace) -> list[Path]:
    """What a build reads: the drafts (new ones in essay/ too), the bibliography, the templates."""
    drafts = options.essay or sorted(Path("essay").glob("*.md"))
    citations = citation_files(citation_places(options))[0] or list(options.citations or ())
    templates = sorted(p for p in TEMPLATES.iterdir() if p.is_file()) if TEMPLATES.is_dir() else []
    return [*drafts, *citations, *templates]


def stamp(paths: list[Path]) -> Stamp:
    stamps = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            stamps[path] = (-1, -1)  # gone (mid-save): a change like any other
            continue
        stamps[path] = (info.st_mtime_ns, info.st_size)
    return stamps


class Watcher:
    """Builds once, then once per settled change, until `stop` is set."""

    def __init__(self, options: argparse.Namespace, on_build: Callable[[BuildResult], None] | None = None,
                 poll: float = POLL_SECONDS, settle: float = SETTLE_SECONDS) -> None:
        self.options, self.on_build = options, on_build
        self.poll, self.settle = poll, settle
        self.inputs = RememberingInputs()
        self.builds = 0
        self.watched_after_build: Stamp = {}

    def watched(self) -> list[Path]:
        """The files of every build, and the bibliographies and CSL styles the drafts' front matter names
        (a CSL style changed is read again by the next build, and citeproc-js makes its engine anew)."""
        own = [path.parent / name for path, (_, essay) in self.inputs.essays.items() if isinstance(essay, Essay)
               for name in (*essay.front.bibliography, *[essay.front.style] * is_csl(essay.front.style))]
        return [*watched_files(self.options), *own]

    def run(self, stop: threading.Event) -> None:
        seen = stamp(self.watched())  # before building: a save during the build is a change
        self.build("start")
        seen = {**self.watched_after_build, **seen}  # files the build found named in a draft: watched from now on
        while not stop.wait(self.poll):
            now = stamp(self.watched())
            if now == seen:
                continue
            now = self.settled(now, stop)
            changed = sorted(str(p) for p in now.keys() | seen.keys() if now.get(p) != seen.get(p))
            seen = now
            if not stop.is_set():
                self.build(", ".join(changed))
                seen = {**self.watched_after_build, **seen}

    def settled(self, now: Stamp, stop: threading.Event) -> Stamp:
        """Wait until nothing changes for `settle` seconds (bounded), so one save is one rebuild."""
        deadline = time.monotonic() + MAX_SETTLE_SECONDS
        while not stop.wait(self.settle) and time.monotonic() < deadline:
            later = stamp(self.watched())
            if later == now:
                break
            now = later
        return now

    def build(self, reason: str) -> BuildResult:
        started = time.perf_counter()
        try:
            result = run_build(self.options, self.inputs)
        except UsageError as exc:  # e.g. the last draft was deleted: say so and keep watching
            print(f"build.py: error: {exc}", file=sys.stderr, flush=True)
            result = BuildResult(2)
        # A bug must not end the session the writer relies on: one line, no traceback, keep watching.
        except Exception as exc:
            print(f"build.py: internal error ({type(exc).__name__}: {exc}); please report it", file=sys.stderr, flush=True)
            result = BuildResult(1)
        self.builds += 1
        # Stamped before anyone hears of the build, so a save that follows it is a change.
        self.watched_after_build = stamp(self.watched())
        elapsed = (time.perf_counter() - started) * 1000
        verdict = "built" if result.code == 0 else "build failed"
        kept = "" if result.code == 0 else ": the last good outputs stay"
        print(f"[{time.strftime('%H:%M:%S')}] {verdict} in {elapsed:.0f} ms ({reason}){kept}; watching for changes",
              flush=True)
        if self.on_build:
            self.on_build(result)
        return result


def watch(options: argparse.Namespace) -> int:
    stop = threading.Event()
    try:
        Watcher(options).run(stop)
    except KeyboardInterrupt:
        print("stopped watching", file=sys.stderr)
    return 0
