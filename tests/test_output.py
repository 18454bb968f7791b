"""Outputs replaced whole, with real processes and real files: a reader polling the parts folder
during rebuilds, builds killed with SIGKILL at every step, two builds into one `--out` at once,
and what killed builds left behind. The builds make the text parts only (`--xhs-cards no`): the
cards go into the same folder through the same writer (test_cards builds them), and thirty
rebuilds with cards would take minutes."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BIB, ROOT, run_cli
from output_reading import read_set

HEAD = "---\ntitle: 测试\n---\n"
SENTENCE = "这是一句不长不短的中文句子，用来填满篇幅。"

def essay(mark: str, paragraphs: int) -> str:
    return HEAD + "\n\n".join(f"{mark}第 {n} 段。" + SENTENCE * 12 for n in range(paragraphs)) + "\n"


ESSAY_A, ESSAY_B = essay("甲", 6), essay("乙", 11)


def scratch(root: Path, text: str, stems: tuple[str, ...] = ("x",)) -> Path:
    (root / "essay").mkdir(parents=True)
    (root / "citations").mkdir()
    (root / "citations" / "refs.yaml").write_text(BIB, encoding="utf-8")
    for stem in stems:
        (root / "essay" / f"{stem}.md").write_text(text, encoding="utf-8")
    return root


def built_sets(tmp_path: Path) -> tuple[dict, dict]:
    """The whole parts set of essay A and of essay B, each built once on its own."""
    sets = []
    for name, text in (("a", ESSAY_A), ("b", ESSAY_B)):
        project = scratch(tmp_path / f"reference-{name}", text)
        assert run_cli(["--target", "xhs", "--xhs-cards", "no"], project).code == 0
        sets.append(read_set(project / "build" / "x.xhs"))
    assert len(sets[0]) != len(sets[1])  # the two sets differ in their names too
    return sets[0], sets[1]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join((str(ROOT), str(ROOT / "tests")))}


# A child that builds once and, before each step it takes in the output folder, looks at the parts
# folder as a reader would: the hook runs before each rename, removal, link, mkdir, write.
OBSERVED_BUILD = '''
import json, os, sys
from output_reading import read_set
out = os.path.abspath("build")
folder = os.path.join(out, "x.xhs")
wholes = json.loads(sys.argv[1])
seen, looking = [], False
def hook(event, args):
    global looking
    if looking or event not in ("os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.symlink", "shutil.rmtree", "open"):
        return
    if not (args and isinstance(args[0], (str, os.PathLike)) and os.path.abspath(args[0]).startswith(out)):
        return
    looking = True
    try:
        found = read_set(folder)
        seen.append("whole" if found in wholes else repr(found)[:80] + " before " + event)
    finally:
        looking = False
sys.addaudithook(hook)
from footnoted.cli import main
code = main(["--target", "xhs", "--xhs-cards", "no"])
print(json.dumps([code, seen]))
'''


@pytest.mark.parametrize("earlier", ["a link to a version", "a real folder from an older build"])
def test_the_parts_folder_is_whole_before_every_step_of_a_rebuild(tmp_path, earlier):
    set_a, set_b = built_sets(tmp_path)
    project = scratch(tmp_path / "project", ESSAY_A)
    assert run_cli(["--target", "xhs", "--xhs-cards", "no"], project).code == 0
    folder = project / "build" / "x.xhs"
    if earlier == "a real folder from an older build":  # the migration: a real folder becomes a link
        for path in folder.parent.iterdir():
            if path.name != "x.xhs.txt":
                subprocess.run(["rm", "-rf", str(path)], check=True)
        folder.mkdir()
        for name, text in set_a.items():
            (folder / name).write_text(text, encoding="utf-8")
        (folder / "99.txt").write_text("a part no longer made", encoding="utf-8")
        set_a = read_set(folder)
    (project / "essay" / "x.md").write_text(ESSAY_B, encoding="utf-8")
    child = subprocess.run([sys.executable, "-c", OBSERVED_BUILD, json.dumps([set_a, set_b])], cwd=project,
                           env=environment(), capture_output=True, text=True, timeout=120, check=False)
    code, seen = json.loads(child.stdout.splitlines()[-1])
    assert code == 0, child.stderr
    assert len(seen) >= 8  # every step was looked at: the parts' writes, the renames, the link
    assert [s for s in seen if s != "whole"] == []
    assert read_set(folder) == set_b and folder.is_symlink()


READER = '''
import json, os, sys
from output_reading import read_set
folder, wholes = sys.argv[1], json.loads(sys.argv[2])
counts = {"whole": 0, "missing": 0, "mixed": 0, "retired": 0}
print("ready", flush=True)
while not os.path.exists(sys.argv[3]):
    found = read_set(folder)
    key = "missing" if found is None else "retired" if found == "retired" else "whole" if found in wholes else "mixed"
    counts[key] += 1
print(json.dumps(counts), flush=True)
'''


def test_a_reader_polling_during_rebuilds_never_finds_the_parts_missing_or_mixed(tmp_path):
    set_a, set_b = built_sets(tmp_path)
    project = scratch(tmp_path / "project", ESSAY_A)
    assert run_cli(["--target", "xhs", "--xhs-cards", "no"], project).code == 0
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(project / "build" / "x.xhs"), json.dumps([set_a, set_b]),
                               str(stop)], stdout=subprocess.PIPE, text=True, env=environment())
    try:
        assert reader.stdout.readline() == "ready\n"
        for round_ in range(30):
            (project / "essay" / "x.md").write_text(ESSAY_B if round_ % 2 == 0 else ESSAY_A, encoding="utf-8")
            assert run_cli(["--target", "xhs", "--xhs-cards", "no"], project).code == 0
        stop.touch()
        counts = json.loads(reader.stdout.readline())
    finally:
        reader.kill()
        reader.wait()
    print(f"\nreader: {counts}")
    assert counts["missing"] == 0 and counts["mixed"] == 0
    assert counts["whole"] > 0


# A child that builds and kills itself with SIGKILL just before its n-th step in the output folder.
KILLED_BUILD = '''
import os, signal, sys
out = os.path.abspath("build")
kill_at, steps = int(sys.argv[1]), 0
def hook(event, args):
    global steps
    if event not in ("os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.symlink", "os.chmod", "shutil.rmtree", "open"):
        return
    if not (args and isinstance(args[0], (str, os.PathLike)) and os.path.abspath(args[0]).startswith(out)):
        return
    if event == "open" and not args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_DIRECTORY):
        return  # reading a file changes nothing; the folder itself is opened to lock it and to sync it
    steps += 1
    if steps == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(hook)
from footnoted.cli import main
sys.exit(main(["--target", "xhs", "--xhs-cards", "no"]))
'''


def leftovers(out: Path) -> list[str]:
    """What is in `out` beyond the outputs, the version the link shows and the one it replaced (kept for its readers)."""
    others = sorted({p.name for p in out.iterdir()} - {"x.xhs", "x.xhs.txt", str((out / "x.xhs").readlink())})
    previous = [name for name in others if re.fullmatch(r"\.x\.xhs\.[a-z0-9_]{8}", name)][:1]
    return [name for name in others if name not in previous]


def test_a_build_killed_at_any_step_leaves_a_whole_set_and_the_next_build_cleans_up(tmp_path):
    set_a, set_b = built_sets(tmp_path)
    project = scratch(tmp_path / "project", ESSAY_A)
    out = project / "build"
    assert run_cli(["--target", "xhs", "--xhs-cards", "no"], project).code == 0
    text_a = (out / "x.xhs.txt").read_text(encoding="utf-8")
    outcomes = []
    for kill_at in range(1, 200):
        (project / "essay" / "x.md").write_text(ESSAY_B, encoding="utf-8")
        child = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(kill_at)], cwd=project, env=environment(),
                               capture_output=True, text=True, timeout=120, check=False)
        found = read_set(out / "x.xhs")
        assert found in (set_a, set_b), (kill_at, found)  # never missing, never a mix
        outcomes.append("new" if found == set_b else "old")
        if child.returncode == 0:
            break
        assert child.returncode == -9, child.stderr
        (project / "essay" / "x.md").write_text(ESSAY_A, encoding="utf-8")
        assert run_cli(["--target", "xhs", "--xhs-cards", "no"], project).code == 0  # the next build, after the kill
        assert read_set(out / "x.xhs") == set_a
        assert (out / "x.xhs.txt").read_text(encoding="utf-8") == text_a
        assert leftovers(out) == [], (kill_at, outcomes)
    print(f"\n{kill_at - 1} kills: {' '.join(outcomes)}")
    assert child.returncode == 0 and kill_at > 8
    assert "old" in outcomes[:-1] and "new" in outcomes[:-1]  # the kills came before and after the switch


def test_two_builds_into_one_out_both_succeed_and_leave_one_whole_set(tmp_path):
    stems = ("x1", "x2", "x3", "x4")
    projects = [scratch(tmp_path / name, text, stems) for name, text in (("a", ESSAY_A), ("b", ESSAY_B))]
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "build.py"), "--target", "xhs", "--xhs-cards", "no", "--out", str(out)]
    wholes = {}
    for name, project in zip("ab", projects, strict=True):
        assert subprocess.run([*command[:-1], str(tmp_path / f"only-{name}")], cwd=project, env=environment(),
                              capture_output=True, check=False).returncode == 0
        wholes[name] = read_set(tmp_path / f"only-{name}" / "x1.xhs"), (tmp_path / f"only-{name}" / "x1.xhs.txt").read_text()
    for round_ in range(10):
        builds = [subprocess.Popen(command, cwd=project, env=environment(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True) for project in projects]
        results = [(build.wait(timeout=120), build.stderr.read()) for build in builds]
        for build in builds:
            build.stderr.close()
        for code, err in results:
            assert code == 0 and " error: " not in err, (round_, err)
        for stem in stems:  # each essay's parts and whole text: both from one build, A's or B's
            found = read_set(out / f"{stem}.xhs"), (out / f"{stem}.xhs.txt").read_text()
            assert found in wholes.values(), (round_, stem)
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_build_removes_what_killed_builds_left_and_only_that(project):
    project.write("essay/x.md", ESSAY_A)
    out = project / "build"
    out.mkdir()
    ours = [".x.html.abcdefgh.tmp", ".x.xhs.txt.k2j_9x0a.tmp", ".x.xhs.00000000.tmp/01.txt", ".x.xhs.zzzzzzzz/01.txt",
            ".x.xhs.old/01.txt"]
    theirs = ["notes.tmp", ".x.html.mine.tmp", ".y.html.abcdefgh.tmp", "x.xhs.old/01.txt", ".x.xhs.notes/01.txt"]
    for name in ours + theirs:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(b"\0" * 4096)  # as a killed write leaves it: full size
    assert run_cli(["--target", "blog"], project).code == 0
    assert run_cli(["--target", "xhs", "--xhs-cards", "no"], project).code == 0
    names = {str(p.relative_to(out)) for p in out.rglob("*")}
    assert not [name for name in ours if name in names or name.split("/")[0] in names]
    assert all(name in names for name in theirs)


def test_a_stale_old_file_never_becomes_the_parts(project):
    project.write("essay/x.md", ESSAY_A)
    (project / "build").mkdir()
    stale = project / "build" / ".x.xhs.old"  # not a folder: not ours to remove, and never the output
    stale.write_text("stale", encoding="utf-8")
    result = run_cli(["--target", "xhs", "--xhs-cards", "no"], project)
    assert result.code == 0, result.err
    assert read_set(project / "build" / "x.xhs")["01.txt"].startswith("（1/2）")
    assert stale.read_text(encoding="utf-8") == "stale"


def test_a_build_waits_its_turn_and_gives_up_on_a_stopped_holder(tmp_path):
    from footnoted.output import OutputError, output_lock

    out = tmp_path / "out"
    out.mkdir()
    holder = os.open(out, os.O_RDONLY | os.O_DIRECTORY)  # another build's hold: a lock on its own open folder
    fcntl.flock(holder, fcntl.LOCK_EX)
    waits = []
    try:
        with pytest.raises(OutputError) as raised, output_lock(out, on_wait=lambda: waits.append(1), wait_seconds=0.2):
            pass
    finally:
        os.close(holder)
    assert str(raised.value) == (f"{out}: error: another build has been writing here for 0.2 s; is it stopped (Ctrl-Z)? "
                                 "[output.locked]")
    assert waits == [1]
    with output_lock(out, on_wait=lambda: waits.append(2)):  # let go: the next build goes straight in
        pass
    assert waits == [1]


@pytest.mark.parametrize("made", ["file", "folder"])
def test_an_interrupt_inside_tempfile_before_the_name_is_known_leaves_nothing_behind(tmp_path, monkeypatch, made):
    """Ctrl-C can land inside tempfile.mkstemp/mkdtemp after the file or folder exists and before
    its name is returned (a clean-clone CI run met it: `.essay.html.uu_v3k14.tmp` left after an
    interrupted blog build). The write's own clean-up never knew the name; the caller's removes it,
    and the earlier output stays as it was."""
    import tempfile

    from footnoted.output import replace_folder, write_atomic

    out = tmp_path / "out"
    write_atomic(out / "essay.html", b"old")
    replace_folder(out / "essay.xhs", {"01.txt": b"old part"})
    before = sorted(p.name for p in out.iterdir())
    real = tempfile.mkstemp if made == "file" else tempfile.mkdtemp

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)  # made, then the interrupt: its name is lost
        raise KeyboardInterrupt

    monkeypatch.setattr(tempfile, "mkstemp" if made == "file" else "mkdtemp", interrupted)
    with pytest.raises(KeyboardInterrupt):
        if made == "file":
            write_atomic(out / "essay.html", b"new")
        else:
            replace_folder(out / "essay.xhs", {"01.txt": b"new part"})
    assert sorted(p.name for p in out.iterdir()) == before
    assert (out / "essay.html").read_bytes() == b"old" and (out / "essay.xhs" / "01.txt").read_bytes() == b"old part"


def test_a_second_interrupt_waits_until_the_clean_up_is_done(monkeypatch):
    import signal

    from footnoted.output import interrupt_after

    with pytest.raises(KeyboardInterrupt):
        with interrupt_after():
            os.kill(os.getpid(), signal.SIGINT)
            finished = True  # reached: the interrupt waited for the block's end
    assert finished
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
