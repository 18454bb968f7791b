"""Page make-up of the print PDF, read back from the real file (issue #16): a short table is never
split, a lead-in never ends a page, every page after the title carries its running heads, the
title page is centred, and the colophon is worded as a book in the essay's language words it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BIB, Project, copy_real_project, run_cli
from pdf_reading import Line, page_lines, page_texts, words

from footnoted.render_pdf import PAPERS, page_geometry

PT_PER_MM = 72 / 25.4
LEAD_IN_ENDINGS = ("——", "：", ":")
TABLES, ROWS, LONG_ROWS = 8, 7, 45  # 45 rows do not fit on one page


@pytest.fixture(scope="module")
def essay_pdf(tmp_path_factory) -> Path:
    project = copy_real_project(tmp_path_factory.mktemp("essay"))
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    return project / "build" / "model-collapse.pdf"


def filler(seed: int, length: int) -> str:
    sentence = "这一段只是为了把后面的内容推到页面的不同位置，所以写得平平无奇。"
    text = (sentence * (length // len(sentence) + 1))[:length]
    return f"填充{seed}：" + text + "。"


def made_up_book() -> str:
    """Short tables and lead-ins after more and more text, so that some fall at a page's foot."""
    parts = ["---\ntitle: 排版测试之书\nsubtitle: 表格、引子与书眉\nauthor: 测试者\ndate: 2026-03-25\n---\n"]
    for k in range(TABLES):
        for j in range(2 + k % 3):
            parts.append(filler(k * 10 + j, 70 + 37 * k + 23 * j))
        parts.append(f"引子 LEAD{k}A 是这样开始的——")
        parts.append(f"NEXT{k}A 紧接着引子的段落，说它所引出的事[@smith2020]。")
        parts.append(filler(k * 10 + 7, 55 + 19 * k))
        parts.append(f"表格 LEAD{k}B 的数据如下：")
        header = "| 名称 | 数值 | 单位 |\n|---|---|---|"
        rows = "\n".join(f"| T{k}R{r} | {r}.{k}5 | GB{r} |" for r in range(1, ROWS + 1))
        parts.append(header + "\n" + rows)
        parts.append(f"NEXT{k}B 表后的段落。")
        if k == TABLES // 2:
            parts.append("## 第二部分")
    header = "| 名称 | 数值 | 单位 |\n|---|---|---|"
    parts.append(header + "\n" + "\n".join(f"| L{r}ROW | {r}.5 | GB{r} |" for r in range(1, LONG_ROWS + 1)))
    parts.append(filler(99, 300))
    return "\n\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def book_pdf(tmp_path_factory) -> Path:
    project = Project(tmp_path_factory.mktemp("book"))
    project.write("citations/refs.yaml", BIB)
    project.write("essay/book.md", made_up_book())
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    return project / "build" / "book.pdf"


def pages_of(path: Path, token: str) -> set[int]:
    return {w.page for w in words(path) if token in w.text}


def body_lines(page: list[Line], height: float) -> list[Line]:
    """The page's text block: between the running heads and feet, above its notes (a note opens
    with a line that is its number alone)."""
    geometry = PAPERS["a5"]
    inside = [line for line in page if line.bottom > geometry.top_mm * PT_PER_MM
              and line.top < height - geometry.bottom_mm * PT_PER_MM]
    for index, line in enumerate(inside):
        if line.text.isdigit():  # the note's first line sits beside its number, at its height: not the text block's
            return [other for other in inside[:index] if other.bottom <= line.top + 1]
    return inside


def assert_no_page_ends_on_a_lead_in(path: Path) -> None:
    pages, (_, height) = page_lines(path)
    ending = {n: body[-1].text for n, page in enumerate(pages, 1) if (body := body_lines(page, height))}
    assert {n: text for n, text in ending.items() if text.endswith(LEAD_IN_ENDINGS)} == {}


def assert_running_heads_on_every_page(path: Path) -> None:
    """Every page after the title page carries a head, but the blank versos and the colophon."""
    pages, _ = page_lines(path)
    top = PAPERS["a5"].top_mm * PT_PER_MM
    headless = [n for n, page in enumerate(pages[1:-1], 2)
                if page and not any(line.bottom < top and line.text.strip() for line in page)]
    assert headless == []


def test_essay_short_table_on_one_page(essay_pdf):
    # Touvron's Table 1: caption, first row (67.0%) and last row (StackExchange, 2.0%).
    found = pages_of(essay_pdf, "Pre-training") | pages_of(essay_pdf, "67.0%") | pages_of(essay_pdf, "2.0%")
    assert len(found) == 1


def test_essay_no_page_ends_on_a_lead_in(essay_pdf):
    assert_no_page_ends_on_a_lead_in(essay_pdf)
    assert pages_of(essay_pdf, "不加筛选是个限定条件") == pages_of(essay_pdf, "indiscriminate")


def test_essay_running_heads(essay_pdf):
    assert_running_heads_on_every_page(essay_pdf)


def test_essay_title_page_centred(essay_pdf):
    pages, _ = page_lines(essay_pdf)
    geometry = page_geometry(PAPERS["a5"])
    inner = float(geometry["inner"].removesuffix("mm")) * PT_PER_MM  # page 1 is a recto: the spine is on its left
    centre = inner + float(geometry["measure"].removesuffix("pt")) / 2
    assert len(pages[0]) == 3  # title, subtitle, date
    assert [round(abs((line.left + line.right) / 2 - centre), 1) <= 1 for line in pages[0]] == [True] * 3


def test_essay_colophon_words_its_date_as_a_chinese_book(essay_pdf):
    colophon = page_texts(essay_pdf)[-2]
    assert "出版日期：2026 年 3 月 25 日" in colophon and "版次" not in colophon


def test_book_short_tables_never_split_and_long_table_repeats_its_header(book_pdf):
    split = {k: pages for k in range(TABLES)
             if len(pages := set().union(*(pages_of(book_pdf, f"T{k}R{r}") for r in range(1, ROWS + 1)))) != 1}
    assert split == {}
    long_pages = set().union(*(pages_of(book_pdf, f"L{r}ROW") for r in range(1, LONG_ROWS + 1)))
    header_pages = {w.page for w in words(book_pdf) if w.text == "名称"}
    assert len(long_pages) == 2 and long_pages <= header_pages  # the long table goes over, its header row with it


def test_book_lead_ins_stay_with_what_follows(book_pdf):
    parted = {f"{k}A" for k in range(TABLES) if pages_of(book_pdf, f"LEAD{k}A") != pages_of(book_pdf, f"NEXT{k}A")}
    parted |= {f"{k}B" for k in range(TABLES) if pages_of(book_pdf, f"LEAD{k}B") != pages_of(book_pdf, f"T{k}R1")}
    assert parted == set()
    assert_no_page_ends_on_a_lead_in(book_pdf)


def test_book_running_heads(book_pdf):
    assert_running_heads_on_every_page(book_pdf)


def test_english_colophon_is_worded_in_english(project):
    project.write("essay/x.md", "---\ntitle: An essay\nlang: en\nauthor: A. Writer\ndate: 2026-03-25\n---\n\n"
                  "The opening words [@smith2020].\n")
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    colophon = page_texts(project / "build" / "x.pdf")[-2]
    assert "Author: A. Writer" in colophon and "Published March 25, 2026" in colophon
    assert "：" not in colophon
