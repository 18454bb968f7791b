"""Font subsets in one HarfBuzz pass (footnoted/pdf_subset.py): the same fonts as WeasyPrint's two
passes, read back from real PDFs, and WeasyPrint's own two passes where HarfBuzz leaves more."""

from __future__ import annotations

import hashlib
import inspect
import subprocess
from pathlib import Path

import pytest
import weasyprint
from conftest import copy_real_project
from pdf_reading import font_programs

from footnoted import pdf_subset, render_pdf
from footnoted.bibliography import bibliography_files, load_bibliography
from footnoted.parse import parse_essay_file
from footnoted.resolve import resolve
from footnoted.targets import RenderOptions

WEASYPRINTS = pdf_subset._WEASYPRINTS_SUBSET


def essay_pdf(project: Path) -> bytes:
    resolved = resolve(parse_essay_file(project / "essay" / "model-collapse.md"),
                       load_bibliography(bibliography_files(project / "citations")))
    return render_pdf._render_pdf(resolved, RenderOptions()).files[0][1]


def pages_drawn(pdf: bytes, folder: Path) -> list[bytes]:
    folder.mkdir()
    (folder / "x.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(folder / "x.pdf"), str(folder / "p")], check=True)
    return [path.read_bytes() for path in sorted(folder.glob("p-*.png"))]


@pytest.fixture(scope="module")
def essay_both_ways(tmp_path_factory) -> tuple[bytes, bytes]:
    project = copy_real_project(tmp_path_factory.mktemp("essay"))
    ours = essay_pdf(project)
    weasyprint.pdf.fonts.Font._harfbuzz_subset = WEASYPRINTS
    try:
        theirs = essay_pdf(project)
    finally:
        weasyprint.pdf.fonts.Font._harfbuzz_subset = pdf_subset._harfbuzz_subset
    return ours, theirs


def test_the_essays_pdf_is_the_same_bytes_with_one_pass_as_with_weasyprints_two(essay_both_ways):
    ours, theirs = essay_both_ways
    assert ours == theirs
    fonts = font_programs(ours)
    assert any("CJK" in name for name in fonts) and len(fonts) >= 6


def test_an_english_page_draws_the_same_and_its_fonts_keep_the_same_glyphs(tmp_path, monkeypatch):
    html = weasyprint.HTML(string="<html lang=en><body style='font-family: Noto Serif'><p>It’s an <i>old</i> "
                                  "<b>worry</b>: “copy of a copy”.</p><pre style='font-family: DejaVu Sans Mono'>"
                                  "code()</pre><p lang=zh-CN style='font-family: Noto Serif CJK SC'>中文字（括号）。</p>")
    ours = html.write_pdf()
    monkeypatch.setattr(weasyprint.pdf.fonts.Font, "_harfbuzz_subset", WEASYPRINTS)
    theirs = html.write_pdf()
    assert pages_drawn(ours, tmp_path / "ours") == pages_drawn(theirs, tmp_path / "theirs")
    ours_fonts, their_fonts = font_programs(ours), font_programs(theirs)
    assert ours_fonts.keys() == their_fonts.keys() and len(ours_fonts) >= 5
    for name, font in ours_fonts.items():
        theirs_font = their_fonts[name]
        assert font.getGlyphOrder() == theirs_font.getGlyphOrder(), name
        for table in ("glyf", "CFF ", "hmtx", "cmap"):
            if table in theirs_font:
                assert font.getTableData(table) == theirs_font.getTableData(table), (name, table)


def test_where_harfbuzz_leaves_glyphs_after_the_last_one_weasyprints_two_passes_run(monkeypatch, tmp_path):
    html = weasyprint.HTML(string="<p style='font-family: Noto Serif CJK SC'>中文字</p>")
    calls = []
    monkeypatch.setattr(pdf_subset, "glyphs_after", lambda face, last: calls.append(last) or True)
    ours = html.write_pdf()
    monkeypatch.setattr(weasyprint.pdf.fonts.Font, "_harfbuzz_subset", WEASYPRINTS)
    assert calls and ours == html.write_pdf()


def test_weasyprints_subsetting_is_the_one_this_was_written_for():
    assert weasyprint.__version__ == "70.0"
    digest = hashlib.sha256(inspect.getsource(WEASYPRINTS).encode()).hexdigest()[:16]
    assert digest == "f80805663ede8080"  # read against pdf_subset; a change: read it again, then update
    subset = hashlib.sha256(inspect.getsource(weasyprint.pdf.fonts.Font.subset).encode()).hexdigest()[:16]
    assert subset == "61ed6bc2e9a7e43a"  # calls _harfbuzz_subset by its name on the class
    assert weasyprint.pdf.fonts.Font._harfbuzz_subset is pdf_subset._harfbuzz_subset
