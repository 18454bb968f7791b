"""No page of body text holds fewer than five lines (issue #16: the essay's p. 9 held 4, the end of
the translation that closes it), read back from the real PDFs: the essay's, and short essays whose
last paragraph is pushed a line further down each time, so that some page break falls at each of
its lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_real_project, run_cli
from pdf_reading import Line, page_lines

from footnoted.render_pdf import PAPERS

PT_PER_MM = 72 / 25.4
FEWEST_LINES = 5
SENTENCE = "这一段只是为了把后面的内容推到页面的不同位置，所以写得平平无奇。"
SHIFTS = 8  # the last paragraph starts 0, 1, … 7 lines further down


def rows(page: list[Line], height: float) -> int:
    """The lines of the page's text block (between its running head and its folio, above any notes),
    counted as rows: poppler starts a new line at a note's call, which shares its row."""
    geometry = PAPERS["a5"]
    inside = [line for line in page if line.bottom > geometry.top_mm * PT_PER_MM
              and line.top < height - geometry.bottom_mm * PT_PER_MM]
    count, bottom = 0, -1.0
    for line in inside:
        if line.text.isdigit() and count:  # a note's number opens the note area
            break
        if line.top >= bottom - 1:
            count += 1
        bottom = max(bottom, line.bottom) if line.top < bottom - 1 else line.bottom
    return count


def body_page_rows(path: Path, last_body_page: int | None = None) -> dict[int, int]:
    """Page number -> rows, for the pages after the title page up to the last page of body text
    (default: the page before the colophon), blank pages left out."""
    pages, (_, height) = page_lines(path)
    last = last_body_page or len(pages) - 1
    counted = {number: rows(page, height) for number, page in enumerate(pages[:last], 1) if number > 1}
    return {number: count for number, count in counted.items() if count}


def test_no_page_of_the_essay_holds_fewer_than_five_lines(tmp_path):
    # Before: p. 9 held the last 4 lines of the closing translation.
    project = copy_real_project(tmp_path)
    result = run_cli(["--target", "pdf", "--essay", "essay/model-collapse.md"], project)
    assert result.code == 0, result.err
    path = project / "build" / "model-collapse.pdf"
    pages, _ = page_lines(path)
    references = next(n for n, page in enumerate(pages, 1) if any(line.text == "参考文献" for line in page))
    counted = body_page_rows(path, references - 1)
    assert len(counted) >= 7
    assert {page: count for page, count in counted.items() if count < FEWEST_LINES} == {}


def shifted_essay(shift: int) -> str:
    """Fourteen full lines of text, then `shift` more, then a last paragraph of twelve lines: a page
    of A5 holds 26, so the last page holds 2, 3, … lines when nothing is done about it."""
    before = (SENTENCE * 40)[: 30 * (14 + shift) - 3] + "。"  # 30 characters a line, the first indented by two
    last = (SENTENCE * 20)[: 30 * 12 - 3] + "。"
    return f"---\ntitle: 短页测试\nlang: zh-CN\ndate: 2026-03-25\n---\n\n{before}\n\n{last}\n"


@pytest.fixture(scope="module")
def shifted(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("shifted")
    (project / "essay").mkdir()
    for shift in range(SHIFTS):
        (project / "essay" / f"shift{shift}.md").write_text(shifted_essay(shift), encoding="utf-8")
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    return project / "build"


def test_the_last_page_of_an_essay_holds_at_least_five_lines_wherever_the_page_breaks(shifted):
    counted = {shift: body_page_rows(shifted / f"shift{shift}.pdf") for shift in range(SHIFTS)}
    # The essays do test what they are meant to: their last paragraph goes over a page.
    assert all(len(pages) == 2 for pages in counted.values()), counted
    assert {shift: pages for shift, pages in counted.items() if min(pages.values()) < FEWEST_LINES} == {}, counted
