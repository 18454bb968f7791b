"""The corpus of bad and odd inputs: every case gets its exact diagnostics or a correct page.

tests/corpus/<case>/ holds `essay.md` (bytes as they are: odd encodings are cases too), an
optional `refs.yaml` (else tests/corpus/refs.yaml), any files the essay links (images), and
`expected.txt`:

    # what the case is about
    args: --strict            (optional: more command-line options; `--target xhs` builds the text)
    xfail: FILE:LINE why      (optional: a known bug in a part we do not own; remove when fixed)
    exit: 1
    stderr:
    essay/essay.md:4:5: error: … [code]       (every line, exactly)
    page has:                                 (optional, for exit 0: substrings of the page;
    <h1>…</h1>                                 a `\\n` in them is a newline)
    page lacks:                               (optional)
    SECRET

Every case also checks what holds for all: no traceback, exit 0 or 1, nothing written on an
error, no temporary file left, and a page that parses with nothing in it that could run.
The huge inputs (a 10 MB line, 10,000-deep nesting, 100,000 entries) are generated here and
run in a child process that reports its time and peak memory. The last part tests atomic
writing for real: an unwritable --out, a full disk (a tiny tmpfs, as root) and Ctrl-C as a
real SIGINT to a child process.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from test_hostile import assert_inert

from footnoted.cli import INTERRUPTED

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


@dataclass
class Expected:
    about: str = ""
    args: list[str] = field(default_factory=list)
    xfail: str = ""
    exit: int = -1
    stderr: list[str] = field(default_factory=list)
    has: list[str] = field(default_factory=list)
    lacks: list[str] = field(default_factory=list)


def read_expected(path: Path) -> Expected:
    expected = Expected()
    section: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and not expected.about:
            expected.about = line[2:]
        elif line.startswith("args: "):
            expected.args = line[len("args: ") :].split()
        elif line.startswith("xfail: "):
            expected.xfail = line[len("xfail: ") :]
        elif line.startswith("exit: "):
            expected.exit = int(line[len("exit: ") :])
        elif line in ("stderr:", "page has:", "page lacks:"):
            section = {"stderr:": expected.stderr, "page has:": expected.has, "page lacks:": expected.lacks}[line]
        elif section is not None:
            section.append(line if section is expected.stderr else line.replace("\\n", "\n"))
        else:
            raise ValueError(f"{path}: what is {line!r}?")
    assert expected.exit in (0, 1), f"{path}: no 'exit: 0' or 'exit: 1'"
    return expected


def scratch_project(case: Path, tmp_path: Path) -> Path:
    """The case as a project: essay/essay.md (and its files), citations/refs.yaml."""
    (tmp_path / "essay").mkdir()
    (tmp_path / "citations").mkdir()
    for item in case.iterdir():
        if item.name == "refs.yaml":
            shutil.copy(item, tmp_path / "citations" / "refs.yaml")
        elif item.name != "expected.txt":
            shutil.copy(item, tmp_path / "essay" / item.name)
    if not (case / "refs.yaml").exists():
        shutil.copy(CORPUS / "refs.yaml", tmp_path / "citations" / "refs.yaml")
    return tmp_path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp")) if folder.exists() else []


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 40
    assert all((CORPUS / name / "expected.txt").is_file() for name in CASES)


@pytest.mark.parametrize("name", CASES)
def test_corpus_case(name, tmp_path, request):
    case = CORPUS / name
    expected = read_expected(case / "expected.txt")
    if expected.xfail:  # strict: once the bug is fixed, the case passes and this marker must go
        request.applymarker(pytest.mark.xfail(reason=expected.xfail, strict=True))
    project = scratch_project(case, tmp_path)
    result = run_cli(["--target", "blog", *expected.args], project)  # an exception here fails the case
    assert (result.code, result.err.splitlines()) == (expected.exit, expected.stderr), expected.about
    target = expected.args[expected.args.index("--target") + 1] if "--target" in expected.args else "blog"
    output = project / "build" / {"blog": "essay.html", "xhs": "essay.xhs.txt"}[target]
    assert leftovers(project / "build") == []
    if expected.exit == 1:
        assert not output.exists(), "an error writes nothing"
        return
    text = output.read_text(encoding="utf-8")
    if target == "blog":
        assert_inert(text)
    assert [h for h in expected.has if h not in text] == []
    assert [x for x in expected.lacks if x in text] == []


# --- huge inputs, generated: time and peak memory in a child process ---------------------------

# Peak memory is VmHWM, this program's own peak: on Linux, getrusage's ru_maxrss also keeps the
# peak of the process that forked it (pytest, hundreds of MB after the PDF tests).
MEASURE = """\
import re, resource, sys, time
from footnoted.cli import main
started = time.perf_counter()
code = main(sys.argv[1:])
seconds = time.perf_counter() - started
try:
    with open("/proc/self/status") as status:
        peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1)) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"\\nMEASURED {code} {seconds:.2f} {peak:.0f}", flush=True)
"""


@dataclass
class Measured:
    code: int
    err: str
    seconds: float
    peak_mb: float


def measure(project: Path, *args: str) -> Measured:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run([sys.executable, "-c", MEASURE, "--target", "blog", *args], cwd=project, env=env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in child.stderr, child.stderr[-3000:]
    _, code, seconds, peak = child.stdout.rsplit("\n", 2)[-2].split()
    measured = Measured(int(code), child.stderr, float(seconds), float(peak))
    print(f"\n{project.name}: exit {measured.code}, {measured.seconds:.2f} s, peak {measured.peak_mb:.0f} MB")
    return measured


HEAD = "---\ntitle: 测试\n---\n"
CITED = "正文[@smith2020:finding]。\n"


def huge_project(tmp_path: Path, name: str, essay: str, refs: str | None = None) -> Path:
    project = tmp_path / name
    (project / "essay").mkdir(parents=True)
    (project / "citations").mkdir()
    (project / "essay" / "essay.md").write_text(essay, encoding="utf-8")
    if refs is None:
        shutil.copy(CORPUS / "refs.yaml", project / "citations" / "refs.yaml")
    else:
        (project / "citations" / "refs.yaml").write_text(refs, encoding="utf-8")
    return project


def test_a_10_mb_line(tmp_path, record_property):
    # One paragraph of 10 MB: Chinese and English prose with code, emphasis, links and notes
    # every 100 KB (each of those is a node every later stage visits).
    prose = "中文与 English 混排的长句子，没有换行；"
    chunk = prose * (100_000 // len(prose.encode())) + "`代码` *强调* [链接](https://example.com)[@smith2020:finding]。"
    line = chunk * (10_000_000 // len(chunk.encode()))
    project = huge_project(tmp_path, "ten-mb-line", HEAD + line + "\n")
    assert 9_900_000 < (project / "essay" / "essay.md").stat().st_size < 10_100_000
    measured = measure(project)
    record_property("seconds", measured.seconds)
    record_property("peak_mb", measured.peak_mb)
    assert (measured.code, measured.err) == (0, "")
    html = (project / "build" / "essay.html").read_text(encoding="utf-8")
    body = html[html.index('<div class="essay-body">') : html.index('<section class="notes"')]
    assert body.count("混排的长句子") == line.count("混排的长句子"), "every word of the line is on the page"
    assert body.count('role="doc-noteref"') == line.count("[@smith2020:finding]")


@pytest.mark.parametrize(("name", "nesting"), [
    ("quotes", "> " * 10_000),
    ("list-items", "- " * 10_000),
    ("ordered-items", "1. " * 10_000),
    ("quotes-in-items", "- > " * 5_000),
])
def test_10000_deep_nesting_is_named_never_dropped(tmp_path, name, nesting, record_property):
    # markdown-it silently drops what lies past its nesting limit: the build must say where.
    project = huge_project(tmp_path, f"nested-{name}", HEAD + CITED + "\n" + nesting + "最深处的字\n")
    measured = measure(project)
    record_property("seconds", measured.seconds)
    record_property("peak_mb", measured.peak_mb)
    assert (measured.code, measured.err) == (
        1, "essay/essay.md:6:1: error: nested more than 99 levels deep: flatten the quotes or lists [markdown.too-deep]\n"
    )


def test_yaml_nested_10000_deep_is_refused_at_once(tmp_path):
    refs = "references:\n- id: a1\n  type: book\n  title: T\n  note: " + "[" * 10_000 + "]" * 10_000 + "\n"
    project = huge_project(tmp_path, "deep-yaml", HEAD + "正文[@a1]。\n", refs)
    measured = measure(project)
    assert (measured.code, measured.err) == (
        1, "citations/refs.yaml:5:56: error: YAML nested more than 50 levels deep [yaml.too-deep]\n"
    )


def big_bibliography(count: int) -> str:
    entry = """\
- id: {key}
  type: article-journal
  author:
  - {{family: Family{n}, given: Given}}
  - {{family: Other{n}, given: Name}}
  title: "Title number {n}: a study"
  container-title: Journal {n}
  volume: "{n}"
  page: 1-10
  issued: {{date-parts: [[2020, 1, 2]]}}
  DOI: 10.1000/{n}
"""
    return "references:\n" + "".join(entry.format(key=f"e{n}", n=n) for n in range(count))


def test_a_bibliography_of_100000_entries(tmp_path, record_property):
    project = huge_project(tmp_path, "bib-100000", HEAD + "正文[@e0]，[@e99999]。\n", big_bibliography(100_000))
    measured = measure(project)
    record_property("seconds", measured.seconds)
    record_property("peak_mb", measured.peak_mb)
    assert measured.code == 0
    warnings = measured.err.splitlines()
    assert len(warnings) == 99_998
    assert warnings[0] == "citations/refs.yaml:13:3: warning: entry 'e1' is never cited [bib.unused-entry]"
    assert warnings[-1] == "citations/refs.yaml:1099980:3: warning: entry 'e99998' is never cited [bib.unused-entry]"
    html = (project / "build" / "essay.html").read_text(encoding="utf-8")
    assert "Family0 G，Other0 N. Title number 0: a study[J/OL]" in html and "Title number 99999: a study" in html


# --- outputs are written atomically, and a place we cannot write is a clear error ----------------

ESSAY = HEAD + "正文[@smith2020:finding]。\n"


@pytest.fixture
def built(tmp_path) -> Path:
    """A project whose build/essay.html was written by a successful build."""
    project = huge_project(tmp_path, "project", ESSAY)
    assert run_cli(["--target", "blog"], project).code == 0
    return project


def test_out_that_is_a_file_is_a_clear_error(built):
    (built / "notes.txt").write_text("mine", encoding="utf-8")
    for out in ("notes.txt", "notes.txt/sub"):
        result = run_cli(["--target", "blog", "--out", out], built)
        assert (result.code, result.err) == (1, "notes.txt: error: cannot write here: it is a file, not a folder [output.unwritable]\n")
    assert (built / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_output_path_that_is_a_folder_is_a_clear_error(built):
    (built / "other" / "essay.html").mkdir(parents=True)
    result = run_cli(["--target", "blog", "--out", "other"], built)
    assert (result.code, result.err) == (1, "other/essay.html: error: the output path is a folder [output.is-folder]\n")


def mount_tmpfs(folder: Path, options: str) -> bool:
    """A tmpfs at `folder` (as root); False where this machine does not allow it."""
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None or os.geteuid() != 0:
        return False
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, check=False)
    return mount.returncode == 0


@pytest.fixture
def tmpfs(tmp_path):
    mounted: list[Path] = []

    def mount(name: str, options: str) -> Path:
        folder = tmp_path / name
        if not mount_tmpfs(folder, options):
            pytest.skip("mounting a tmpfs needs root")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_an_unwritable_out_is_a_clear_error(built, tmpfs, tmp_path):
    if os.geteuid() == 0:  # root writes through permissions: a read-only file system stops it
        readonly, reason = tmpfs("readonly", "size=64k,nr_inodes=64,ro"), "Read-only file system"
    else:
        readonly, reason = tmp_path / "readonly", "Permission denied"
        readonly.mkdir()
        readonly.chmod(0o555)
    for out in (readonly, readonly / "sub"):
        result = run_cli(["--target", "blog", "--out", str(out)], built)
        assert (result.code, result.err) == (1, f"{out}: error: cannot write here: {reason} [output.unwritable]\n")


def fill(folder: Path) -> None:
    """Write into `folder` until its file system is full."""
    with (folder / "filler").open("wb", buffering=0) as stream:
        try:
            while stream.write(b"\0" * 4096):
                pass
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_a_full_disk_leaves_the_previous_output(built, tmpfs):
    disk = tmpfs("disk", "size=64k,nr_inodes=64")
    assert run_cli(["--target", "blog", "--out", str(disk)], built).code == 0
    before = (disk / "essay.html").read_bytes()
    fill(disk)
    (built / "essay" / "essay.md").write_text(ESSAY + "\n新的一段。\n", encoding="utf-8")
    result = run_cli(["--target", "blog", "--out", str(disk)], built)
    assert (result.code, result.err) == (1, f"{disk}/essay.html: error: cannot write: No space left on device [output.unwritable]\n")
    assert (disk / "essay.html").read_bytes() == before
    assert sorted(p.name for p in disk.iterdir()) == ["essay.html", "filler"]


# Ctrl-C is a real SIGINT, sent by the child to itself at a chosen step of the write (the step
# itself then runs as usual), or from outside at a random moment.
INTERRUPT_AT = """\
import os, signal, sys
step = sys.argv[1]
real = getattr(os, step)
def interrupted(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    return real(*args, **kwargs)
setattr(os, step, interrupted)
from footnoted.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("step", ["fsync", "chmod", "replace"])
def test_ctrl_c_during_the_write_leaves_the_previous_output(built, step):
    output = built / "build" / "essay.html"
    before = output.read_bytes()
    (built / "essay" / "essay.md").write_text(ESSAY + "\n新的一段。\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run([sys.executable, "-c", INTERRUPT_AT, step, "--target", "blog"], cwd=built, env=env,
                           capture_output=True, text=True, timeout=60, check=False)
    assert (child.returncode, child.stderr) == (130, INTERRUPTED + "\n")
    assert output.read_bytes() == before
    assert sorted(p.name for p in output.parent.iterdir()) == ["essay.html"]


def test_ctrl_c_at_any_moment_leaves_old_or_new_output_whole(built):
    essay = HEAD + "".join(f"第 {n} 段，引用[@smith2020:finding]。\n\n" for n in range(600))
    output = built / "build" / "essay.html"
    old = output.read_bytes()
    (built / "essay" / "essay.md").write_text(essay, encoding="utf-8")
    # 131: the signal came after main() had returned (the harness's own moment, not the build's).
    child_code = (
        "import signal, sys\nfrom footnoted.cli import main\nprint('ready', flush=True)\ntry:\n"
        "    code = main(['--target', 'blog'])\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "except KeyboardInterrupt:\n    code = 131\nsys.exit(code)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(delay: float | None) -> tuple[int, str, float]:
        child = subprocess.Popen([sys.executable, "-c", child_code], cwd=built, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stdout.readline() == "ready\n"
        started = time.perf_counter()
        if delay is not None:
            time.sleep(delay)
            child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
        return child.returncode, err, time.perf_counter() - started

    code, _, duration = run(None)  # how long a whole build takes: the interrupts spread over it
    assert code == 0
    new = output.read_bytes()
    outcomes = []
    for step in range(8):
        output.write_bytes(old)
        code, err, _ = run(duration * step / 8)
        assert "Traceback" not in err, err
        assert code in (0, 130, 131), (step, code, err)
        # Interrupted after its write, the page is new; before, old; never anything else.
        assert output.read_bytes() in ((new,) if code == 0 else (old, new))
        assert sorted(p.name for p in output.parent.iterdir()) == ["essay.html"]
        outcomes.append(code)
    print(f"\nbuild {duration:.2f} s; exit codes {outcomes}")
    assert 130 in outcomes
