"""Reading files safely (issue #18): what a draft, bibliography, snapshot or image may name.

A FIFO, a device, a file too big, a snapshot outside the bibliography's folder: each is a located
error that says why, and nothing blocks or fills the memory. Cases that hung or ran out of memory
before run the real `build.py` in a child process with a memory cap (2 GB of address space) and a
time-out: there, a hang or a MemoryError is a failure of the test, not of the test run.
"""

from __future__ import annotations

import os
import resource
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from conftest import BIB, ROOT, run_cli
from test_watch import HEAD, watch_options, watching

from footnoted.diagnostics import Diagnostic, error
from footnoted.safe_read import (
    MAX_DRAFT_BYTES,
    MAX_IMAGE_BYTES,
    MAX_SNAPSHOT_BYTES,
    UnsafeFile,
    image_pixels,
    inside,
    read_regular_file,
)

ESSAY = HEAD + "正文[@smith2020:finding]，[@lee2019]。\n"
HANG_GUARD_S = 60  # not a speed limit: the old code waited forever here


def run_child(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """build.py in a child process, its address space capped, so /dev/zero cannot take the machine."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, check=False,
                          timeout=HANG_GUARD_S, preexec_fn=cap, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def png(width: int, height: int, rows: bool = True) -> bytes:
    """A grey PNG; without `rows` only its header is right (enough to be judged by its size)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    body = zlib.compress(b"\0" * ((width + 1) * height)) if rows else b"\0"
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def with_snapshot(project, snapshot: str, quote: str = "Things are what they are.") -> None:  # type: ignore[no-untyped-def]
    bib = BIB.replace("  DOI: 10.1000/xyz123\n", f"  DOI: 10.1000/xyz123\n  snapshot: {snapshot}\n")
    bib = bib.replace('"Things are what they are."', f'"{quote}"').replace('      emphasis: ["what they are"]\n', "")
    project.write("citations/refs.yaml", bib)
    project.write("essay/x.md", ESSAY)


# --- the one reader ----------------------------------------------------------------


def test_only_a_regular_file_within_its_limit_is_read(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"12345")
    assert read_regular_file(tmp_path / "a.txt", 5) == b"12345"
    with pytest.raises(UnsafeFile, match=r"it is 5 bytes, over the limit of 4 bytes") as refused:
        read_regular_file(tmp_path / "a.txt", 4)
    assert refused.value.kind == "too-large"
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UnsafeFile, match=r"it is a FIFO \(named pipe\), not a regular file"):
        read_regular_file(tmp_path / "pipe", 100)  # before: waited for a writer forever
    with pytest.raises(UnsafeFile, match=r"it is a character device, not a regular file"):
        read_regular_file("/dev/zero", 100)  # before: read until the memory ran out
    with pytest.raises(UnsafeFile, match=r"it is a folder"):
        read_regular_file(tmp_path, 100)
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "a\0b", 100)


def test_inside_resolves_symlinks_and_decides_on_names_alone(tmp_path):
    folder = tmp_path / "citations"
    folder.mkdir()
    (folder / "sub").mkdir()
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (folder / "out").symlink_to(tmp_path / "secret.txt")
    (folder / "in").symlink_to(folder / "sub")
    assert inside("sub/../a.txt", folder) == folder.resolve() / "a.txt"
    assert inside("in/b.txt", folder) == folder.resolve() / "sub" / "b.txt"
    for name in ("../secret.txt", "../nothing-here.txt", "out", "/etc/passwd", "/dev/zero", str(tmp_path / "secret.txt")):
        with pytest.raises(UnsafeFile, match=r"\] it lies outside the folder$"):
            inside(name, folder)


def test_image_sizes_are_read_from_the_header():
    assert image_pixels(png(20000, 20000, rows=False)) == (20000, 20000)
    assert image_pixels(b"GIF89a" + struct.pack("<HH", 640, 480) + b"\0" * 8) == (640, 480)
    jpeg = b"\xff\xd8" + b"\xff\xe0\x00\x04ab" + b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 300, 400) + b"\x03"
    assert image_pixels(jpeg) == (400, 300)
    assert image_pixels(b"RIFF\0\0\0\0WEBPVP8X" + b"\0" * 8 + (4999).to_bytes(3, "little") + (99).to_bytes(3, "little")) == (5000, 100)
    assert image_pixels(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None


# --- snapshots: only inside the bibliography's folder, no oracle -------------------------


def test_a_snapshot_outside_the_bibliography_folder_is_refused_without_showing_it(project):
    (project / "secret").mkdir()
    (project / "secret" / "token.txt").write_text("sk-live-4f9a8b is the token\n", encoding="utf-8")
    with_snapshot(project, "../secret/token.txt", quote="sk-live-0000 is the token")
    result = run_cli(["check"], project)
    assert result.code == 1
    # Before: the word diff showed the secret, [-sk-live-0000-]{+sk-live-4f9a8b+}.
    assert "4f9a8b" not in result.err + result.out
    assert result.err == ("citations/refs.yaml:14:13: error: snapshot '../secret/token.txt' of 'smith2020': it lies outside "
                          "the bibliography's folder: only files there are read [snapshot.outside]\n")
    # A refused snapshot checks no quote, and the summary says so.
    assert result.out.rstrip().endswith("; 0 quotes checked against snapshots"), result.out


def test_a_file_outside_gets_the_same_answer_whether_it_exists_or_not(project):
    """Before, `snapshot: /etc/passwd` with a matching quote passed: an oracle for any file's content."""
    answers = []
    for name in ("/etc/passwd", "/etc/no-such-file-here"):
        with_snapshot(project, name, quote="root:x:0:0:root:/root:/bin/bash")
        result = run_cli(["check"], project)
        answers.append((result.code, result.err.replace(name, "NAME")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 1
    assert "[snapshot.outside]" in answers[0][1]


def test_a_symlink_in_the_folder_that_points_outside_is_refused(project):
    (project / "secret.txt").write_text("Things are what they are.\n", encoding="utf-8")
    # One at a time: a file in citations/ that no entry names is a warning of its own (bib.skipped-file).
    for name, target in (("zero.txt", Path("/dev/zero")), ("link.txt", project / "secret.txt")):  # zero: a MemoryError before
        (project / "citations" / name).symlink_to(target)
        with_snapshot(project, name)
        result = run_child(["check"], project.root)
        assert result.returncode == 1
        assert result.stderr == (f"citations/refs.yaml:14:13: error: snapshot '{name}' of 'smith2020': it lies outside the "
                                 "bibliography's folder: only files there are read [snapshot.outside]\n")
        (project / "citations" / name).unlink()


def test_a_snapshot_that_is_a_fifo_or_too_big_is_refused_unread(project):
    os.mkfifo(project / "citations" / "snap.txt")  # before: check waited for a writer forever
    with_snapshot(project, "snap.txt")
    result = run_child(["check"], project.root)
    assert result.stderr == ("citations/refs.yaml:14:13: error: snapshot 'snap.txt' of 'smith2020': it is a FIFO (named pipe), "
                             "not a regular file [snapshot.not-a-file]\n")
    (project / "citations" / "snap.txt").unlink()
    with (project / "citations" / "snap.txt").open("wb") as sparse:  # before: read whole (a 400 MB one took 12 GB)
        sparse.truncate(MAX_SNAPSHOT_BYTES + 1)
    result = run_child(["check"], project.root)
    assert result.stderr == ("citations/refs.yaml:14:13: error: snapshot 'snap.txt' of 'smith2020': it is 10.1 MB, "
                             "over the limit of 10 MB [snapshot.too-large]\n")


def test_a_utf16_snapshot_is_read(project):
    (project / "citations" / "snap.txt").write_bytes("Preamble.\r\nThings are what they are.\r\n".encode("utf-16"))
    with_snapshot(project, "snap.txt")
    result = run_cli(["check"], project)
    assert "snapshot" not in result.err  # before: "it is not a text, HTML or PDF file"


# --- drafts, bibliographies and images that are not regular files ------------------------


def test_a_draft_linked_to_dev_zero_is_an_error_and_the_other_essay_builds(project):
    project.write("essay/a.md", ESSAY)
    (project / "essay" / "zzz.md").symlink_to("/dev/zero")  # git stores symlinks; before: MemoryError traceback
    result = run_child(["--target", "blog"], project.root)
    assert result.returncode == 1
    assert result.stderr == "essay/zzz.md: error: cannot read the essay: it is a character device, not a regular file [essay.not-a-file]\n"
    assert (project / "build" / "a.html").exists()


def test_a_draft_or_bibliography_that_is_a_fifo_or_too_big_is_an_error(project):
    os.mkfifo(project / "essay" / "pipe.md")
    with (project / "essay" / "big.md").open("wb") as sparse:
        sparse.truncate(MAX_DRAFT_BYTES + 1)
    result = run_child(["--target", "blog"], project.root)
    assert result.stderr.splitlines() == [
        "essay/big.md: error: cannot read the essay: it is 20.1 MB, over the limit of 20 MB [essay.too-large]",
        "essay/pipe.md: error: cannot read the essay: it is a FIFO (named pipe), not a regular file [essay.not-a-file]",
    ]
    os.mkfifo(project / "refs.yaml")
    result = run_child(["check", "--citations", "refs.yaml", "--essay", "essay/pipe.md"], project.root)
    assert "refs.yaml: error: cannot read the bibliography: it is a FIFO (named pipe), not a regular file [bib.unreadable]" in result.stderr


def test_an_image_that_is_a_fifo_or_too_big_is_a_located_error(project):
    os.mkfifo(project / "essay" / "fig.png")  # before: the build waited forever
    with (project / "essay" / "big.png").open("wb") as sparse:  # before: embedded whole
        sparse.write(png(10, 10))
        sparse.truncate(MAX_IMAGE_BYTES + 1)
    (project / "essay" / "wide.png").write_bytes(png(20000, 20000, rows=False))
    project.write("essay/x.md", ESSAY + "\n![管道](fig.png)\n\n![大](big.png)\n\n![宽](wide.png)\n")
    result = run_child(["--target", "blog"], project.root)
    assert result.stderr.splitlines() == [
        "essay/x.md:6:1: error: image 'fig.png': it is a FIFO (named pipe), not a regular file [image.not-a-file]",
        "essay/x.md:8:1: error: image 'big.png': it is 20.1 MB, over the limit of 20 MB [image.too-large]",
        "essay/x.md:10:1: error: image 'wide.png' is 20,000×20,000 pixels, over the limit of 50 million: scale it down [image.too-large]",
    ]


def test_an_image_linked_outside_the_essays_folder_is_refused(project):
    (project / "secret.png").write_bytes(png(2, 2))
    (project / "essay" / "fig.png").symlink_to(project / "secret.png")
    project.write("essay/x.md", ESSAY + "\n![图](fig.png)\n")
    result = run_cli(["--target", "blog"], project)
    assert result.err == "essay/x.md:6:1: error: image 'fig.png' lies outside the essay's folder [image.outside]\n"


def test_a_draft_replaced_by_a_fifo_is_reported_and_watching_goes_on(project):
    draft = project.write("essay/x.md", ESSAY)
    try:
        with watching(watch_options(project.root)) as (_, builds):
            assert builds.wait_for(1).code == 0
            draft.unlink()
            os.mkfifo(draft)  # before: the watcher's read waited for a writer, and no build came again
            second = builds.wait_for(2)
            assert second.code == 1
            assert [str(d) for d in second.diagnostics] == [
                f"{draft}: error: cannot read the essay: it is a FIFO (named pipe), not a regular file [essay.not-a-file]"]
            draft.unlink()
            draft.write_text(ESSAY.replace("正文", "又一版"), encoding="utf-8")
            assert builds.wait_for(3).code == 0
    finally:  # on the old code, let its blocked read end
        if draft.exists() and not draft.is_file():
            descriptor = os.open(draft, os.O_WRONLY | os.O_NONBLOCK)
            os.close(descriptor)
    assert "又一版" in (project / "build" / "x.html").read_text(encoding="utf-8")


# --- names: spaces, Chinese, newlines -----------------------------------------------


def test_image_names_with_spaces_and_chinese_work_in_blog_and_pdf(project):
    (project / "essay" / "图.png").write_bytes(png(4, 4))
    (project / "essay" / "my fig.png").write_bytes(png(4, 4))
    project.write("essay/x.md", ESSAY + "\n![图一](图.png)\n\n![图二](my%20fig.png)\n\n![图三](<my fig.png>)\n")
    result = run_cli(["--target", "all"], project)
    assert (result.code, result.err) == (0, "")  # before: "image '%E5%9B%BE.png' not found", twice 'my%20fig.png'
    page = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') == 3
    if shutil.which("pdfimages"):  # poppler lists each image where it is drawn
        listing = subprocess.run(["pdfimages", "-list", str(project / "build" / "x.pdf")], capture_output=True, text=True,
                                 check=False)
        assert len(listing.stdout.splitlines()[2:]) == 3


def test_a_draft_named_with_spaces_and_chinese_builds(project):
    project.write("essay/我的 文章.md", ESSAY)
    result = run_cli(["--target", "all"], project)
    assert (result.code, result.err) == (0, "")
    assert (project / "build" / "我的 文章.html").exists()
    assert (project / "build" / "我的 文章.xhs.txt").exists()


def test_a_newline_in_a_file_name_stays_on_the_diagnostics_line(project):
    project.write("essay/a\nb.md", ESSAY + "[@nokey]\n")
    result = run_cli(["--target", "blog"], project)
    assert result.err == "essay/a\\nb.md:5:2: error: unknown citation key 'nokey' [cite.unknown-key]\n"


def test_a_diagnostic_is_one_short_line():
    assert str(error("a\u2028b\x1b[31m.md", 1, 2, "tab\there", "x.y")) == "a\\u2028b\\x1b[31m.md:1:2: error: tab\\there [x.y]"
    long = str(Diagnostic("p.md", 0, 0, error("", 0, 0, "", "").severity, "x" * 100_000, "x.y"))
    assert len(long) < 600
    assert long.endswith("x… [x.y]")


# --- what WeasyPrint and the environment get wrong, named right ----------------------------


def test_an_image_weasyprint_cannot_read_is_named_and_placed(project):
    (project / "essay" / "坏 图.png").write_text("not an image at all", encoding="utf-8")
    project.write("essay/x.md", ESSAY + "\n![坏图](<坏 图.png>)\n")
    result = run_cli(["--target", "pdf"], project)
    # before: "essay/x.md: error: the PDF may not load outside resources: Failed to load image at 'data:…' " (the
    # whole image inlined: 518 KB on one line for a big one) and no cause
    assert result.err == "essay/x.md:6:1: error: image '坏 图.png' cannot be put in the PDF: cannot identify image file [pdf.image]\n"


def test_a_bad_source_date_epoch_names_the_variable_not_the_essay(project, monkeypatch):
    project.write("essay/x.md", ESSAY)
    for value in ("99999999999999", "yesterday"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
        result = run_cli(["--target", "pdf"], project)
        assert result.code == 1
        # before: "essay/x.md: error: WeasyPrint failed: ValueError: year 3170843 is out of range [pdf.engine]"
        # for the first, and the second was ignored
        assert result.err == (f"SOURCE_DATE_EPOCH: error: the environment variable is '{value}', not a date: it must be whole "
                              "seconds since 1970-01-01 (at most 253402300799); set it right or unset it [env.source-date-epoch]\n")


def test_a_nul_or_a_bad_byte_is_placed_on_the_line_the_editor_shows_with_any_line_ending():
    """Lines end in LF, CRLF or old Mac CR; the place counts them as the text will read them. A
    stray NUL in a mostly ASCII file is a NUL, not a sign of UTF-16."""
    from footnoted.diagnostics import InputError
    from footnoted.source import read_text

    def place(data: bytes) -> str:
        with pytest.raises(InputError) as raised:
            read_text("f", data)
        first = raised.value.diagnostics[0]
        return f"{first.line}:{first.col} {first.code}"

    assert place(b"a\r\nb\rc\x00") == "3:2 source.nul"
    assert place(b"a\rb\r\xffz") == "3:1 source.encoding"
    assert place("x\n中x\x00".encode()) == "2:3 source.nul"
