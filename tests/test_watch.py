"""`build.py --watch`: a real watcher in a thread, real files edited, builds counted."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from footnoted.cli import make_argument_parser
from footnoted.pipeline import BuildResult
from footnoted.watch import TEMPLATES, Watcher, watched_files

HEAD = "---\ntitle: 测试\n---\n"
QUIET = 0.3  # long enough for several polls and a settle: no build may come in it


class Builds:
    """Records each build's result; lets a test wait (bounded) for the n-th."""

    def __init__(self, also: Callable[[BuildResult], None] | None = None) -> None:
        self.results: list[BuildResult] = []
        self.changed = threading.Condition()
        self.also = also

    def __call__(self, result: BuildResult) -> None:
        if self.also:
            self.also(result)
        with self.changed:
            self.results.append(result)
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> BuildResult:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.results) >= count, timeout), f"no build {count} in {timeout} s"
            return self.results[count - 1]


def watch_options(root: Path, target: str = "blog"):  # type: ignore[no-untyped-def]
    return make_argument_parser().parse_args([
        "--essay", str(root / "essay" / "x.md"), "--citations", str(root / "citations"),
        "--out", str(root / "build"), "--target", target,
    ])


@contextmanager
def watching(options, also: Callable[[BuildResult], None] | None = None, settle: float = 0.05) -> Iterator[tuple[Watcher, Builds]]:  # type: ignore[no-untyped-def]
    """A watcher running in a thread; stopped and joined however the test ends."""
    builds = Builds(also)
    watcher = Watcher(options, on_build=builds, poll=0.02, settle=settle)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), name="test-watcher", daemon=True)
    thread.start()
    try:
        yield watcher, builds
    finally:
        stop.set()
        thread.join(timeout=5)
        assert not thread.is_alive()


def test_one_save_gives_exactly_one_rebuild(project):
    draft = project.write("essay/x.md", HEAD + "正文[@smith2020:finding; @lee2019]。\n")
    output = project / "build" / "x.html"
    with watching(watch_options(project.root)) as (_, builds):
        assert builds.wait_for(1).code == 0
        draft.write_text(HEAD + "改过的正文[@smith2020:finding; @lee2019]。\n", encoding="utf-8")
        assert builds.wait_for(2).code == 0
        time.sleep(QUIET)
        assert len(builds.results) == 2
    assert "改过的正文" in output.read_text(encoding="utf-8")


def test_a_save_in_several_steps_is_one_rebuild(project):
    draft = project.write("essay/x.md", HEAD + "正文[@smith2020:finding; @lee2019]。\n")
    with watching(watch_options(project.root), settle=0.2) as (_, builds):
        builds.wait_for(1)
        draft.write_text("", encoding="utf-8")  # an editor truncates, then writes
        time.sleep(0.02)
        draft.write_text(HEAD + "第二版[@smith2020:finding; @lee2019]。\n", encoding="utf-8")
        assert builds.wait_for(2).code == 0
        time.sleep(QUIET)
        assert len(builds.results) == 2


def test_parsed_inputs_are_reused_between_builds(project):
    draft = project.write("essay/x.md", HEAD + "正文[@smith2020:finding; @lee2019]。\n")
    with watching(watch_options(project.root)) as (watcher, builds):
        builds.wait_for(1)
        [bibliography] = watcher.inputs.bibliographies.values()
        essay_before = watcher.inputs.essays[draft][1]
        draft.write_text(HEAD + "新的正文[@smith2020:finding; @lee2019]。\n", encoding="utf-8")
        builds.wait_for(2)
        assert list(watcher.inputs.bibliographies.values()) == [bibliography]  # the same object: not loaded again
        assert watcher.inputs.essays[draft][1] is not essay_before  # the draft that changed is parsed again
        refs = project / "citations" / "refs.yaml"
        refs.write_text(refs.read_text(encoding="utf-8").replace("The Book", "The Other Book"), encoding="utf-8")
        builds.wait_for(3)
        [reloaded] = watcher.inputs.bibliographies.values()
        assert reloaded is not bibliography and reloaded.entries["lee2019"].title == "The Other Book"


def test_a_broken_draft_keeps_the_last_good_output_until_it_is_fixed(project):
    draft = project.write("essay/x.md", HEAD + "好的正文[@smith2020:finding; @lee2019]。\n")
    output = project / "build" / "x.html"
    with watching(watch_options(project.root)) as (_, builds):
        builds.wait_for(1)
        good = output.read_bytes()
        draft.write_text(HEAD + "坏的正文[@nope]。\n", encoding="utf-8")
        broken = builds.wait_for(2)
        assert broken.code == 1
        assert [d.code for d in broken.diagnostics] == ["cite.unknown-key"]
        assert output.read_bytes() == good
        draft.write_text(HEAD + "修好的正文[@smith2020:finding; @lee2019]。\n", encoding="utf-8")
        assert builds.wait_for(3).code == 0
    assert "修好的正文" in output.read_text(encoding="utf-8")


def test_only_the_targets_asked_for_are_built(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020:finding; @lee2019]。\n")
    with watching(watch_options(project.root, target="xhs")) as (_, builds):
        assert [r.target for r in builds.wait_for(1).built] == ["xhs"]
    assert not (project / "build" / "x.html").exists()


def test_the_watcher_reads_what_a_build_reads(project):
    options = watch_options(project.root)
    watched = watched_files(options)
    assert project / "essay" / "x.md" in watched
    assert project / "citations" / "refs.yaml" in watched
    assert TEMPLATES / "blog.html.j2" in watched


def test_a_bibliography_named_in_the_drafts_front_matter_is_watched(project):
    """`bibliography: mine.yaml` beside the draft: saving it rebuilds, as saving citations/ does."""
    own = project.write("essay/mine.yaml", "- id: own2021\n  type: book\n  title: First Title\n  publisher: P\n"
                        "  issued: 2021\n  language: en\n")
    project.write("essay/x.md", "---\ntitle: 测试\nbibliography: mine.yaml\n---\n正文[@own2021]。\n")
    output = project / "build" / "x.html"
    with watching(watch_options(project.root)) as (_, builds):
        assert builds.wait_for(1).code == 0
        assert "First Title" in output.read_text(encoding="utf-8")
        own.write_text(own.read_text(encoding="utf-8").replace("First Title", "Second Title"), encoding="utf-8")
        assert builds.wait_for(2).code == 0
        assert "Second Title" in output.read_text(encoding="utf-8")
        time.sleep(QUIET)
        assert len(builds.results) == 2  # knowing the file after the first build is no change in itself
