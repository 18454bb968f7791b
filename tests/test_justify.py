"""Justified Chinese print (issue #16), read back from real PDFs: every line of a justified paragraph
but its last runs flush, no gap between characters or words is wider than half an em, no paragraph
ends on a line of one character; adjacent full-width marks take 1.5 em; a line never starts with a
closing mark nor ends with an opening one. For the essay and for a long generated book.

WeasyPrint's boxes say which lines belong to a justified paragraph and which is its last; the
PDF (poppler) says where the glyphs stand (justify_reading.py)."""

from __future__ import annotations

import hashlib
import inspect
import random
from pathlib import Path

import pytest
import weasyprint
from conftest import BIB, Project, copy_real_project
from justify_reading import CLOSING_MARKS, RecordingBook, counts, justified_lines, line_texts, report
from pdf_reading import words_by_page
from weasyprint import document
from weasyprint.draw import text as draw_text
from weasyprint.formatting_structure import build
from weasyprint.layout import inline
from weasyprint.text import line_break

from footnoted import pdf_justify, render_pdf
from footnoted.bibliography import bibliography_files, load_bibliography
from footnoted.parse import parse_essay_file
from footnoted.pdf_justify import is_han
from footnoted.resolve import resolve
from footnoted.targets import RenderOptions

OPENING_MARKS = "（《「『【“‘"


def typeset(project: Path, essay: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The essay's PDF, made as the build makes it, and the lines of its justified paragraphs."""
    resolved = resolve(parse_essay_file(project / "essay" / essay), load_bibliography(bibliography_files(project / "citations")))
    rendered = render_pdf._render_pdf(resolved, RenderOptions(), RecordingBook)
    path = tmp_path / rendered.files[0][0]
    path.write_bytes(rendered.files[0][1])
    pages = RecordingBook.made[-1].pages
    return path, justified_lines(pages, path), pages


# --- a long book of Chinese and English -------------------------------------------------

_HAN = ["数据", "模型", "训练", "人类", "反馈", "实践", "校准", "合成", "质量", "筛选", "网络", "内容", "研究", "论文", "结论", "方法", "实验", "结果", "能力", "问题", "世界", "标准", "领域", "规模", "趋势", "作者", "读者", "文本", "引用", "证据", "我们", "发现", "可以", "但是", "因为", "所以", "这个", "那些", "已经", "还是", "也许", "一定"]
_LATIN = ["AI", "LLM", "GPT-4", "Nature", "token", "stack overflow", "AlphaGo Zero", "CUDA", "2024", "10%", "ArXiv 2.5%",
          "next token predictor", "benchmark", "agent", "Meta", "NeurIPS"]
_ASIDES = ["：“{w}{w}{w}”", "。（{w}{w}）", "——{w}{w}——", "，“《{w}》”", "……", "（{l}）", "、{w}、{w}", "？！", "；{w}"]


def _clause(rng: random.Random) -> str:
    words = [rng.choice(_HAN) for _ in range(rng.randint(3, 9))]
    if rng.random() < 0.6:
        words.insert(rng.randint(0, len(words)), f" {rng.choice(_LATIN)} ")
    if rng.random() < 0.35:
        aside = rng.choice(_ASIDES).format(w=rng.choice(_HAN), l=rng.choice(_LATIN))
        words.insert(rng.randint(1, len(words)), aside.replace("{w}", rng.choice(_HAN)))
    return "".join(words).strip()


def mixed_book(paragraphs: int = 160, seed: int = 16) -> str:
    """A long Chinese essay with English in it: Latin words and numbers among the characters,
    adjacent marks, dashes and ellipses, notes, quoted passages with their translations, a few
    English paragraphs, headings; paragraphs of every length, ending in every way."""
    rng = random.Random(seed)
    parts = ["---\ntitle: 长书：中文与 English 混排\nlang: zh-CN\ndate: 2026-03-25\n---\n",
             # A note's call after a closing mark at the end of the first line (28 em after the indent):
             # Pango may break between the mark and the call, which then starts the next line with `。`.
             "字" * 27 + "）[@smith2020]。" + "后文" * 20]
    for number in range(paragraphs):
        if number % 12 == 0:
            parts.append(f"## 第 {number // 12 + 1} 部分")
        kind = rng.random()
        if kind < 0.08:
            parts.append("> [@smith2020:finding]")
        elif kind < 0.14:
            parts.append(" ".join("The model was trained for five epochs, and the data was sampled at random." for _ in range(rng.randint(1, 4))))
        else:
            clauses = [_clause(rng) + rng.choice("，，，；。") for _ in range(rng.randint(1, 12))]
            text = "".join(clauses)[:-1] + rng.choice(["。", "。", "？", "！", "”。", "）。", "……"])
            if rng.random() < 0.3:
                text = text[:-1] + "[@smith2020]" + text[-1]
            if rng.random() < 0.25:
                text += rng.choice(["问题。", "题。", "我。", "AI。"])
            parts.append(text)
    return "\n\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def essay(tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("essay")
    return typeset(copy_real_project(folder), "model-collapse.md", folder)


@pytest.fixture(scope="module")
def book(tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("book")
    project = Project(folder)
    project.write("citations/refs.yaml", BIB)
    project.write("essay/book.md", mixed_book())
    return typeset(folder, "book.md", folder)


# --- the lines ----------------------------------------------------------------------------


def test_essay_justified_lines_run_flush_with_no_wide_gap_and_no_lone_last_character(essay):
    # Before: 31 of 77 lines short (by up to 42 pt), gaps up to 1.12 em (stack␣overflow), `题。` alone.
    _, lines, _ = essay
    counted = counts(lines)
    assert counted.justified > 70, report(counted)
    assert (counted.short, counted.over, counted.wide_gaps, counted.lone_last_lines) == ([], [], [], []), report(counted)


def test_long_book_justified_lines_run_flush_with_no_wide_gap_and_no_lone_last_character(book):
    _, lines, _ = book
    counted = counts(lines)
    assert counted.justified > 500, report(counted)
    assert (counted.short, counted.over, counted.wide_gaps, counted.lone_last_lines) == ([], [], [], []), report(counted)
    # The generated book does hold what is being tested: Latin words, adjacent marks, English lines.
    text = "".join(line.text for line in lines)
    assert "overflow" in text and "：“" in text and "。（" in text and "five epochs, and the data" in text


def test_lines_never_start_with_a_closing_mark_nor_end_with_an_opening_one(essay, book):
    # Read from the line boxes: poppler, reading the PDF, starts a new line at a note's call or at two
    # glyphs a compression made overlap. A note's call, as before, could start a line: `）¹` then `。`.
    for pages in (essay[2], book[2]):
        lines = line_texts(pages)
        assert len(lines) > 100
        starts = [line for line in lines if line[:1] in CLOSING_MARKS]
        ends = [line for line in lines if line[-1:] in OPENING_MARKS]
        assert (starts, ends) == ([], [])


# --- punctuation ----------------------------------------------------------------------------


def one_line_pdf(tmp_path: Path, paragraphs: list[str], css: str = "") -> list:  # type: ignore[no-untyped-def]
    html = ('<html lang="zh-CN"><head><style>@page { size: 200mm 100mm; margin: 10mm } '
            "body { font: 10pt 'Noto Serif CJK SC'; } p { margin: 0 0 1em; text-align: justify; width: 300pt }"
            f"{css}</style></head><body>{''.join(f'<p>{p}</p>' for p in paragraphs)}</body></html>")
    path = tmp_path / "lines.pdf"
    path.write_bytes(weasyprint.HTML(string=html).write_pdf())
    return words_by_page(path)[0]


def test_two_marks_side_by_side_take_one_and_a_half_em(tmp_path):
    # 帖子：“为了给 and 可以有。（不过: the colon's blank half, the full stop's, go; brackets hug what they enclose.
    words = one_line_pdf(tmp_path, ["甲：“乙”。（丙）丁"])
    assert [w.text for w in words] == ["甲：“乙”。（丙）丁"]
    # Ten characters, three of them marks before another mark: 8.5 em (the last, 丁, a whole em).
    assert words[0].right - words[0].left == pytest.approx(8.5 * 10, abs=0.2)


def test_a_mark_that_ends_a_line_keeps_only_its_inked_half_inside_the_measure(tmp_path):
    words = one_line_pdf(tmp_path, ["字" * 29 + "，" + "字" * 10])  # 30 em to a line
    first = words[0]
    line = [w for w in words if abs(w.top - first.top) < 1]
    # The comma's box (as poppler reads it: a whole em) goes half an em past the measure: its inked
    # half ends the line, flush with the lines below.
    assert max(w.right for w in line) == pytest.approx(first.left + 300 + 5, abs=0.3)


def test_an_opening_mark_that_starts_a_line_keeps_only_its_inked_half_inside_the_measure(tmp_path):
    # clreq 3.1.6.3: an opening bracket at a line's start may lose its leading blank half, its ink then at
    # the margin; not after a paragraph's indent, where it keeps its em. Poppler reads the glyph's
    # origin: half an em (5 pt) before the margin, the line's text in its order.
    words = one_line_pdf(tmp_path, ["字" * 30 + "（括号）" + "字" * 10, "（段首）" + "字" * 10],
                         css="p + p { text-indent: 2em }")
    margin = words[0].left
    lines = [w for w in words if w.text.startswith("（")]
    assert [w.text for w in lines] == ["（括号）" + "字" * 10, "（段首）" + "字" * 10]
    assert lines[0].left == pytest.approx(margin - 5, abs=0.2)  # its ink at the margin
    assert lines[1].left == pytest.approx(margin + 20, abs=0.2)  # whole, after the indent


def test_a_loose_chinese_line_spreads_its_characters_and_never_tracks_a_latin_word(tmp_path):
    # The line's slack, some 0.35 em between its Chinese characters, goes to them alone: before, past
    # 0.3 em, `Agent` and `facebookresearch/` (p. 8) were letter-spaced too.
    han = "数据模型训练人类反馈实践校准合成质量筛选网络内容"
    words = one_line_pdf(tmp_path, [han[:10] + " Agent " + han[10:20] + " facebookresearchhyperagentscode 结尾"])
    agent = next(w for w in words if w.text == "Agent")
    natural = one_line_pdf(tmp_path, ["Agent"])[0]
    assert agent.right - agent.left == pytest.approx(natural.right - natural.left, abs=0.05)
    first_line = [w for w in words if abs(w.top - agent.top) < 1]
    assert max(w.right for w in first_line) == pytest.approx(words[0].left + 300, abs=0.3)  # flush all the same


def test_a_mark_after_a_latin_word_stays_with_it_when_the_line_spreads(tmp_path):
    # A line of figures (the essay's p. 5: `GitHub 4.5%，Wikipedia 4.5%，…`) whose only Chinese
    # characters are its commas: spread half before each, they stood apart from their numbers
    # (`4.5% ，`, read as two words). The commas keep their place; the line fills all the same.
    words = one_line_pdf(tmp_path, ["GitHub 4.5%，Wikipedia 4.5%，Books 4.5%，ArXiv 2.5%，StackExchange 2%，"
                                    "以及更多的数据集合在这里继续写下去。"])
    first = [w for w in words if abs(w.top - words[0].top) < 1]
    assert "，" not in [w.text for w in first] and sum("%，" in w.text for w in first) >= 4
    # Flush: the line's last comma's box (a whole em, as poppler reads it) half an em past the measure
    assert first[-1].text.endswith("，") and first[-1].right == pytest.approx(words[0].left + 300 + 5, abs=0.3)


def seam_gaps(lines) -> list[float]:  # type: ignore[no-untyped-def]
    """The gaps, in em, between a word ending in a Chinese character and a Latin one, or the other way."""
    return [width for line in lines for width, before, after in line.gaps()
            if (is_han(before[-1]) and after[0].isascii()) or (before[-1].isascii() and is_han(after[0]))]


def test_every_seam_between_chinese_and_latin_widens_as_a_seam_and_no_more(essay, book):
    # In every text: the body, and translations from the bibliography (`现见图␣1b` opened to 0.94 em),
    # notes, captions. A seam takes part in justification (the fixed quarter-em seams did not), up to
    # a third of an em, and its neighbours' share of the spacing beside it.
    for _, lines, _ in (essay, book):
        gaps = seam_gaps(lines)
        assert len(gaps) > 20 and max(gaps) <= 1 / 3 + 0.05
    assert max(seam_gaps(book[1])) > 0.28  # stretched: the space is 0.256 em


# --- what the extension relies on -----------------------------------------------------------

# pdf_justify replaces or wraps these (read in WeasyPrint 70.0: sha256 of their source, first 16
# hex digits). A change: read the new code against pdf_justify, then update the digest.
READ_INTERNALS = {
    "layout.inline.text_align": (pdf_justify._ORIGINAL_TEXT_ALIGN, "e953d41b87ccfc30"),  # calls justify_line by its module name
    "layout.inline.justify_line": (pdf_justify._ORIGINAL_JUSTIFY_LINE, "f83b21ff8793ba6b"),
    "layout.inline.get_next_linebox": (inline.get_next_linebox, "67af458c2545e74f"),  # calls text_align by its module name
    "layout.inline.add_word_spacing": (inline.add_word_spacing, "879516e71f1b80fa"),  # what _shift does, with widths of its own
    "text.line_break.Layout.set_text": (pdf_justify._ORIGINAL_SET_TEXT, "fe23ca9937dbf520"),
    "text.line_break.Layout.reactivate": (line_break.Layout.reactivate, "0b89ee097104b713"),  # drawing sets the text again
    "text.line_break.line_size": (line_break.line_size, "03fa04fd51fc69aa"),
    "text.line_break._font_style_cache_key": (line_break._font_style_cache_key, "d6b09d54b8258d58"),
    "draw.text.draw_first_line": (pdf_justify._ORIGINAL_DRAW_FIRST_LINE, "1bb8eae6d88e71b1"),  # its x_offset
    "draw.text.draw_text": (draw_text.draw_text, "ebaf96239c6ca363"),  # calls draw_first_line by its module name
    "formatting_structure.build.build_formatting_structure": (build.build_formatting_structure, "cec02c4844472c92"),
    "document.Document._render": (document.Document._render, "ebaceeb0fa8e79aa"),  # calls build_formatting_structure by name
}


def test_weasyprint_internals_the_line_layout_relies_on_are_those_it_was_written_for():
    assert weasyprint.__version__ == "70.0"
    digests = {name: hashlib.sha256(inspect.getsource(code).encode()).hexdigest()[:16] for name, (code, _) in READ_INTERNALS.items()}
    assert digests == {name: digest for name, (_, digest) in READ_INTERNALS.items()}
    assert inline.text_align is pdf_justify._text_align and line_break.Layout.set_text is pdf_justify._set_text
    assert inline.justify_line is pdf_justify._justify_line
    assert document.build_formatting_structure is pdf_justify.build_boxes
    assert draw_text.draw_first_line is pdf_justify._draw_first_line
