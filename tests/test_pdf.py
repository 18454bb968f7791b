"""The print PDF, read back from the real file: every note on the page of its call."""

from __future__ import annotations

import hashlib
import inspect
import random
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pydyf
import pytest
import weasyprint
from conftest import ROOT, copy_real_project, run_cli
from pdf_reading import embedded_fonts, note_places, page_lines, page_texts
from pypdf import PdfReader
from weasyprint import css, document, layout
from weasyprint.layout import page as layout_page
from weasyprint.text.fonts import FontConfiguration

from footnoted import pdf_layout, render_pdf
from footnoted.bibliography import bibliography_files, load_bibliography
from footnoted.diagnostics import InputError
from footnoted.parse import parse_essay_file
from footnoted.resolve import ResolvedEssay, resolve
from footnoted.targets import RenderOptions

sys.path.insert(0, str(ROOT / "bench"))
from synthetic import dense_book, scaled_essay  # noqa: E402

HEAD = "---\ntitle: 测试\n---\n"
CLOSING_PUNCTUATION = tuple("，。、；：？！）」』”")


@pytest.fixture(scope="module")
def real_pdf(tmp_path_factory) -> tuple[Path, str]:
    project = copy_real_project(tmp_path_factory.mktemp("real"))
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    return project / "build" / "model-collapse.pdf", result.err


def assert_every_note_on_its_page(path: Path, expected_notes: int) -> None:
    places = note_places(path)
    assert sorted(places.calls) == list(range(1, expected_notes + 1))
    assert sorted(places.notes) == list(range(1, expected_notes + 1))
    misplaced = {n: (places.calls[n], places.notes[n]) for n in places.calls if places.calls[n] != places.notes[n]}
    assert misplaced == {}


def test_real_essay_every_note_present_and_on_its_call_page(real_pdf):
    path, stderr = real_pdf
    # 10 citation notes and 1 link note (the HyperAgents code link), numbered together.
    assert_every_note_on_its_page(path, 11)
    assert stderr == ""  # no WeasyPrint warning, no warning of ours


def test_real_essay_embeds_the_named_fonts(real_pdf):
    fonts = embedded_fonts(real_pdf[0])
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold", "Noto-Serif"} <= fonts


def test_real_essay_metadata_and_outline(real_pdf):
    reader = PdfReader(real_pdf[0])
    assert reader.metadata.title == "人类数据耗尽之后，AI 会停滞吗？"
    assert reader.metadata["/Keywords"] == "AI, 训练数据, 模型崩溃, 合成数据, Agent"
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    titles = [item["/Title"] for item in reader.outline if isinstance(item, dict)]
    assert titles == ["人类数据耗尽之后，AI 会停滞吗？"]
    nested = [item["/Title"] for item in reader.outline[1] if isinstance(item, dict)]
    assert nested == ["补记", "参考文献"]


def test_real_essay_reads_like_a_book(real_pdf):
    pages = page_texts(real_pdf[0])
    assert "人类数据耗尽之后，AI 会停滞吗？" in pages[0] and "2026 年 3 月 25 日" in pages[0]
    assert pages[1].strip() == ""  # the title's verso is blank; the essay opens on a right-hand page
    assert "参考文献" in "".join(pages) and "出版日期：2026 年 3 月 25 日" in pages[-2]
    assert "本文部分内容由 AI 辅助起草，经作者审阅。" in pages[-2]  # the colophon discloses the LLM-drafted block
    assert "不过不得不说" in "".join(pages)  # hidden on the blog, shown in print
    for line in visual_lines(real_pdf[0]):
        assert not line.startswith(CLOSING_PUNCTUATION), line


def visual_lines(path: Path) -> list[str]:
    """The text of each line as it is seen: pdftotext's lines that share a height joined left to right
    (a mark drawn half-width, as in "（7676）：354", can come out as a line of its own a little higher)."""
    pages, _ = page_lines(path)
    seen = []
    for page in pages:
        rows: list[list] = []
        for line in page:  # by top, then left
            if rows and line.top < min(other.bottom for other in rows[-1]) - (line.bottom - line.top) / 2:
                rows[-1].append(line)
            else:
                rows.append([line])
        seen += [" ".join(line.text for line in sorted(row, key=lambda line: line.left)).strip() for row in rows]
    return seen


def test_real_essay_link_becomes_a_note_but_cited_sources_do_not(real_pdf):
    text = "".join(page_texts(real_pdf[0]))
    assert "10 https://github.com/facebookresearch/HyperAgents" in " ".join(text.split())


def test_pdf_rebuild_is_byte_identical(tmp_path):
    project = copy_real_project(tmp_path)
    run_cli(["--target", "pdf", "--out", "one"], project)
    run_cli(["--target", "pdf", "--out", "two"], project)
    assert (tmp_path / "one" / "model-collapse.pdf").read_bytes() == (tmp_path / "two" / "model-collapse.pdf").read_bytes()


def resolved_project(folder: Path, essay: str) -> ResolvedEssay:
    return resolve(parse_essay_file(folder / "essay" / essay), load_bibliography(bibliography_files(folder / "citations")))


NUDGES_GIVEN: list[pdf_layout.Nudges] = []


class RecordingBook(pdf_layout.Book):
    """The real Book, noting in NUDGES_GIVEN each round of nudges set on its laid-out pages,
    whether asked by its check of each page as it goes or by the check of the whole book."""

    def _restyle(self, nudges: pdf_layout.Nudges) -> set:
        if self.pages and nudges - self.nudges:
            NUDGES_GIVEN.append(nudges - self.nudges)
        return super()._restyle(nudges)


def up_to(levels: dict[int, int]) -> pdf_layout.Nudges:
    """{line: k} -> the first k nudges of NUDGES on each line."""
    return frozenset((line, kind) for line, level in levels.items() for kind in range(level))


# What pdf_layout.Book copies or relies on, read in WeasyPrint 70.0 and pydyf 0.13 (sha256 of the
# source, first 16 hex digits). A change here means: read the new code against Book, _finish_pages,
# _inheriting, _WaitingNotes and streams_serialized_once, then update the digest.
READ_INTERNALS = {
    "document.Document._render": (document.Document._render, "ebaceeb0fa8e79aa"),
    "document.Document._build_layout_context": (document.Document._build_layout_context, "2b072254ab89701b"),
    "layout.initialize_page_maker": (layout.initialize_page_maker, "5bb3c878d722af53"),
    "layout.layout_document": (layout.layout_document, "a5cbf437e99caf72"),
    "layout.page.make_all_pages": (layout_page.make_all_pages, "b5e4034894841caa"),
    "layout.page.remake_page": (layout_page.remake_page, "1ff09b2dffa17839"),
    "layout.page.make_page": (layout_page.make_page, "656f183328e8b1b5"),
    "css.ComputedStyle": (css.ComputedStyle, "4ff0512c0af12674"),
    "css.AnonymousStyle": (css.AnonymousStyle, "414bbf41061e0a4a"),
    "layout.LayoutContext": (layout.LayoutContext, "211f859ff4e2d663"),  # what it does to .footnotes
    "layout.block._linebox_layout": (layout.block._linebox_layout, "e07bbe000974787e"),  # asks `in .footnotes`
    "pydyf.PDF.write": (pydyf.PDF.write, "242cd38f92ecd33f"),
    "pydyf.Stream.data": (pydyf.Stream.data.fget, "bdc2bc513f286de7"),
}


def test_weasyprint_internals_the_book_relies_on_are_those_it_was_written_for():
    assert weasyprint.__version__ == "70.0"
    changed = [name for name, (code, digest) in READ_INTERNALS.items()
               if hashlib.sha256(inspect.getsource(code).encode()).hexdigest()[:16] != digest]
    assert changed == [], f"changed since pdf_layout.Book was written against them: {changed}"


def test_real_essay_book_is_byte_identical_to_whole_layout(real_pdf, monkeypatch):
    # The Book makes the pages itself, as WeasyPrint's make_all_pages would: the same file.
    # (The nudged books below hold the Book's re-made pages to whole relayouts.)
    path, _ = real_pdf
    project = path.parent.parent
    monkeypatch.chdir(project)
    whole = render_pdf._render_pdf(resolved_project(project, "model-collapse.md"), RenderOptions(), pdf_layout.FullLayout)
    assert whole.files[0][1] == path.read_bytes()


def test_an_attribution_stays_with_the_end_of_its_passage(monkeypatch):
    # The attribution line carries the passage's note call. Where it and its note did not both
    # fit under the end of the passage, WeasyPrint moved the line alone to the next page, away
    # from its passage; with break-before: avoid the passage's last lines (here, the last row of
    # the LLaMA table, under its repeated header) go along.
    monkeypatch.chdir(ROOT)
    html = render_pdf.print_document_html(resolved_project(ROOT, "model-collapse.md"), RenderOptions())
    book = pdf_layout.Book(html, frozenset())
    figures = [(number, box) for number, page in enumerate(book.pages, 1) for box in page.descendants()
               if box.element_tag == "figure"]
    assert len(figures) > 5
    alone = [number for number, box in figures if [child.element_tag for child in box.children][:1] == ["figcaption"]]
    assert alone == []


def test_each_nudge_set_on_built_boxes_lays_out_as_its_css_rule(monkeypatch):
    # All three nudges, on paragraphs and on passages (a figure, its table, its caption's
    # inherited orphans), on a block before a heading and on the last block (no next one):
    # after every step the Book's pages hold the notes where a whole relayout puts them, and
    # the final PDFs are the same bytes.
    monkeypatch.chdir(ROOT)
    html = render_pdf.print_document_html(resolved_project(ROOT, "model-collapse.md"), RenderOptions())
    lines = [int(n) for n in re.findall(r'data-line="(\d+)"', html)]
    figures = [int(n) for n in re.findall(r'<figure class="passage" data-line="(\d+)"', html)]
    before_heading = [int(n) for n in re.findall(r'data-line="(\d+)"[^\n]*\n<h[234]', html)]
    assert len(figures) >= 3 and before_heading
    steps = [
        {lines[1]: 1, figures[0]: 1, before_heading[0]: 1},
        {figures[0]: 2, figures[1]: 1, lines[-1]: 1},
        {figures[0]: 3, figures[1]: 2, before_heading[0]: 2, lines[len(lines) // 2]: 1},
        {figures[1]: 3, lines[-1]: 3},
    ]
    book = pdf_layout.Book(html, frozenset())
    levels: dict[int, int] = {}
    for step in steps:
        levels.update(step)
        book.nudge(up_to(step))
        whole = pdf_layout.FullLayout(html, up_to(levels))
        assert render_pdf.note_pages(book.pages) == render_pdf.note_pages(whole.pages)
        assert len(book.pages) == len(whole.pages)
    # The styles themselves, box by box, as WeasyPrint's cascade gives them with the rules.
    nudged = pdf_layout.weasyprint_html(pdf_layout.with_nudges(html, up_to(levels)))
    _, cascaded_root = pdf_layout.styled_boxes(nudged, FontConfiguration())
    assert list(styles_of_boxes(book.root)) == list(styles_of_boxes(cascaded_root))
    assert book.document()[0].write_pdf() == whole.document()[0].write_pdf()


def styles_of_boxes(root):  # type: ignore[no-untyped-def]
    """(box type, tag, break-before, orphans, widows) for every box of a tree, in tree order."""
    stack = [root]
    while stack:
        box = stack.pop()
        yield type(box).__name__, box.element_tag, box.style["break_before"], box.style["orphans"], box.style["widows"]
        stack.extend(reversed(getattr(box, "children", [])))


def test_a_nudge_remakes_the_page_before_its_block(monkeypatch):
    # The heading does not keep with a paragraph that cannot start on page 1, so both open page
    # 2; once the paragraph must start a page, the heading stays on page 1: page 1 changes,
    # though the nudged paragraph is not on it.
    monkeypatch.chdir(ROOT)
    html = ("<html><head><style>@page { size: 100mm 100mm; margin: 10mm } html { font-size: 5mm; line-height: 10mm }"
            " h2 { break-after: avoid; margin: 0; font-size: 5mm }</style></head><body>"
            f'<p data-line="1">{"<br>".join(["line"] * 6)}</p><h2>Heading</h2><p data-line="3">a<br>b</p><p>after</p></body></html>')
    book = pdf_layout.Book(html, frozenset())
    assert [page_words(page) for page in book.pages] == [["line"] * 6, ["Heading", "a", "b", "after"]]
    for level in (1, 2, 3):
        book.nudge(up_to({3: level}))
    whole = pdf_layout.FullLayout(html, up_to({3: 3}))
    assert [page_words(page) for page in book.pages] == [[*["line"] * 6, "Heading"], ["a", "b"], ["after"]]
    assert book.document()[0].write_pdf() == whole.document()[0].write_pdf()


def test_nudges_chapters_apart_keep_the_pages_between_them(monkeypatch):
    # Six chapters of two pages, each opening a page. A nudge in chapter 1 and one in chapter 6
    # each move a paragraph to their chapter's second page: the pages of chapters 2 to 4 start
    # where they did, and are kept.
    monkeypatch.chdir(ROOT)
    chapters = "".join(f"<h2>Chapter {c}</h2>" + "".join(f'<p data-line="{c * 10 + i}">{c}{i}a<br>{c}{i}b</p>' for i in range(1, 5))
                       for c in range(6))
    html = ("<html><head><style>@page { size: 100mm 100mm; margin: 10mm } html { font-size: 5mm; line-height: 10mm }"
            " h2 { break-before: page; margin: 0; font-size: 5mm } p { margin: 0 }</style></head><body>"
            f"{chapters}</body></html>")
    book = pdf_layout.Book(html, frozenset())
    assert [page_words(page)[-1] for page in book.pages] == [word for c in range(6) for word in (f"{c}3b", f"{c}4b")]
    remade: list[int] = []

    def remake_page(index, *args):  # type: ignore[no-untyped-def]
        remade.append(index)
        return original(index, *args)

    original = pdf_layout.remake_page
    monkeypatch.setattr(pdf_layout, "remake_page", remake_page)
    book.nudge(up_to({2: 1, 52: 1}))  # [data-line="2"] + * { break-before: page }: paragraph 3 opens page 2
    assert remade == [0, 1, 8, 9, 10, 11]  # the two pages before a nudged box's page, that page, and on
    assert page_words(book.pages[0])[-1] == "02b" and page_words(book.pages[1])[0] == "03a"
    whole = pdf_layout.FullLayout(html, up_to({2: 1, 52: 1}))
    assert book.document()[0].write_pdf() == whole.document()[0].write_pdf()


def random_book(rng) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """(html, last block line): chapters of paragraphs, passages and list items on small pages,
    many with notes, with our stylesheet's breaking rules, in DejaVu Sans (the font the cases
    below were found in; ./dev installs it for the tests)."""
    parts, line = [], 1
    for chapter in range(rng.randint(3, 6)):
        parts.append(f"<h2>C{chapter}</h2>")
        for _ in range(rng.randint(3, 7)):
            kind = rng.random()
            words = " ".join(f"w{line}x{k}" for k in range(rng.randint(3, 25)))
            note = ""
            if rng.random() < 0.5:
                note = f'<span class="fn" id="fn-{line}">{" ".join(f"n{line}y{k}" for k in range(rng.randint(2, 30)))}</span>'
            if kind < 0.15:
                parts.append(f'<figure data-line="{line}"><blockquote><p>{words}</p></blockquote><figcaption>cap{note}</figcaption></figure>')
            elif kind < 0.25:
                parts.append(f'<ul><li><p data-line="{line}">{words}{note}</p></li><li>tight {line}</li></ul>')
            else:
                parts.append(f'<p data-line="{line}">{words}{note}</p>')
            line += 1
    css = ("@page { size: 80mm 90mm; margin: 8mm; @footnote { max-height: 75% } } html { font-size: 4mm; line-height: 6mm; font-family: DejaVu Sans }"
           " h2 { break-after: avoid; margin: 0; font-size: 4mm } p { margin: 0; orphans: 2; widows: 2 } figure { margin: 0 }"
           " figcaption { break-before: avoid } .fn { float: footnote; footnote-policy: line; font-size: 3mm; line-height: 4mm }"
           + (" h2 { break-before: page }" if rng.random() < 0.5 else ""))
    return f"<html><head><style>{css}</style></head><body>{''.join(parts)}</body></html>", line - 1


@pytest.mark.parametrize("seed", [56, 1, 2, 3, 4, 5])
def test_book_matches_whole_relayouts_on_random_books(seed, tmp_path, monkeypatch):
    # Three rounds of random nudges: after each, the Book's pages hold every note where a whole
    # relayout does; at the end, the same PDF. Seed 56: a page tried a block two pages on (see
    # pdf_layout.PAGES_THAT_MAY_HAVE_TRIED).
    monkeypatch.chdir(ROOT)
    rng = random.Random(seed)
    html, lines = random_book(rng)
    book = pdf_layout.Book(html, frozenset())
    given: frozenset = frozenset()
    for _ in range(3):
        more = frozenset((rng.randint(1, lines), rng.randrange(len(pdf_layout.NUDGES))) for _ in range(rng.randint(1, 3)))
        given |= more
        book.nudge(more)
        whole = pdf_layout.FullLayout(html, given)
        assert (len(book.pages), render_pdf.note_pages(book.pages)) == (len(whole.pages), render_pdf.note_pages(whole.pages))
    pdf = book.document()[0].write_pdf()
    assert pdf == whole.document()[0].write_pdf()
    (tmp_path / "book.pdf").write_bytes(pdf)
    # In another font it is another book, not the case found: ./dev installs DejaVu for the tests.
    assert embedded_fonts(tmp_path / "book.pdf") == {"DejaVu-Sans", "DejaVu-Sans-Bold"}


@pytest.mark.parametrize("seed", [56, 1, 2, 3, 4, 5])
def test_book_nudged_as_it_is_made_matches_a_whole_relayout(seed, tmp_path, monkeypatch):
    # A check that now and then, as pages are made, asks for a random nudge: on a block behind,
    # on the pages made, or on one not laid out yet (which the last pages made may have tried).
    monkeypatch.chdir(ROOT)
    rng = random.Random(seed)
    html, lines = random_book(rng)

    def check(pages: list, index: int, given: pdf_layout.Nudges) -> pdf_layout.Nudges:
        if rng.random() < 0.5 and len(given) < 6:
            return frozenset({(rng.randint(1, lines), rng.randrange(len(pdf_layout.NUDGES)))})
        return frozenset()

    book = pdf_layout.Book(html, frozenset(), check)
    assert len(book.nudges) >= 2
    whole = pdf_layout.FullLayout(html, book.nudges)
    assert book.document()[0].write_pdf() == whole.document()[0].write_pdf()


def test_a_nudge_gives_way_to_weightier_declarations_as_the_cascade_does(monkeypatch):
    # [data-line="N"] weighs (0,1,0): p.keep (0,1,1) keeps its orphans, h2 + p (0,0,2) does not.
    monkeypatch.chdir(ROOT)
    html = ("<html><head><style>p.keep { orphans: 3; widows: 3 } h2 + p { orphans: 4 }</style></head><body>"
            '<p class="keep" data-line="1">a<span>b</span></p><p data-line="2">c</p><h2>d</h2><p data-line="4">e</p></body></html>')
    book = pdf_layout.Book(html, up_to({1: 2, 2: 2, 4: 2}))
    nudged = pdf_layout.weasyprint_html(pdf_layout.with_nudges(html, up_to({1: 2, 2: 2, 4: 2})))
    _, cascaded_root = pdf_layout.styled_boxes(nudged, FontConfiguration())
    assert list(styles_of_boxes(book.root)) == list(styles_of_boxes(cascaded_root))
    assert {style[3] for style in styles_of_boxes(book.root) if style[1] == "p"} == {3, 1}


def page_words(page_box) -> list[str]:  # type: ignore[no-untyped-def]
    return [box.text for box in page_box.descendants() if hasattr(box, "text")]


def test_long_book_nudged_twice_is_byte_identical_to_whole_relayouts(tmp_path, monkeypatch):
    # A book where a nudge leaves its note misplaced, and the block is nudged again one level up: seed 11
    # with GB/T 7714-2025's notes. Not every book is so: seeds 3, 4, 7 and 10 now give a Book that differs
    # from the whole relayouts (the Book, checking pages as they are made, nudges one misplaced note and the
    # next is then in place; the whole layout nudges both at once): a difference of the Book's, not the notes'.
    essay, bibliography = dense_book(150, seed=11)
    (tmp_path / "essay").mkdir()
    (tmp_path / "essay" / "long.md").write_text(essay, encoding="utf-8")
    (tmp_path / "citations").mkdir()
    (tmp_path / "citations" / "long.yaml").write_text(bibliography, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    resolved = resolved_project(tmp_path, "long.md")
    NUDGES_GIVEN.clear()
    by_book = render_pdf._render_pdf(resolved, RenderOptions(), RecordingBook)
    earlier: set = set()
    again = []
    for given in NUDGES_GIVEN:
        again += [(line, kind) for line, kind in given if (line, kind - 1) in earlier]
        earlier |= given
    assert again  # one level up
    whole = render_pdf._render_pdf(resolved, RenderOptions(), pdf_layout.FullLayout)
    assert by_book.summary == whole.summary
    assert by_book.files == whole.files


def with_filler(essay: str, lengths: dict[int, int]) -> str:
    """The scaled essay with a paragraph of filler before 一方面… in the chapters given ({chapter: characters}):
    the call of note 6, in that paragraph, then falls near a page's foot (lengths found by trying)."""
    chapters = essay.split("\n## 第 ")
    for chapter, length in lengths.items():
        chapters[chapter] = chapters[chapter].replace("\n一方面", "\n" + ("开篇" * 400)[:length] + "。\n\n一方面", 1)
    return "\n## 第 ".join(chapters)


def test_a_misplaced_note_first_moves_the_block_that_opens_the_next_page(tmp_path, monkeypatch):
    # The essay as a book's first chapter: WeasyPrint sets note 6 on the page after its call,
    # having given its room to the first lines of 另一方面… at the page's foot. The mildest nudge
    # starts that paragraph on the next page: the page keeps note 6 and the paragraph before
    # (不过不得不说…), which the next remedy, a break after the call's paragraph, would move too.
    essay = with_filler(scaled_essay(1), {1: 670})
    copy_real_project(tmp_path)
    (tmp_path / "essay" / "model-collapse.md").write_text(essay, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    NUDGES_GIVEN.clear()
    rendered = render_pdf._render_pdf(resolved_project(tmp_path, "model-collapse.md"), RenderOptions(), RecordingBook)
    opening = next(number for number, line in enumerate(essay.splitlines(), 1) if line.startswith("另一方面"))
    assert NUDGES_GIVEN == [frozenset({(opening, pdf_layout.BLOCK_STARTS_PAGE)})]
    (tmp_path / "book.pdf").write_bytes(rendered.files[0][1])
    note_6_page = next(text for text in page_texts(tmp_path / "book.pdf") if "del Rio-Chanona" in text)
    assert "不过不得不说" in note_6_page and "另一方面" not in note_6_page
    assert_every_note_on_its_page(tmp_path / "book.pdf", 11)
    # The Book re-made only the pages around it; WeasyPrint laying the whole HTML out again with the
    # nudge as a CSS rule gives the same file.
    whole = render_pdf._render_pdf(resolved_project(tmp_path, "model-collapse.md"), RenderOptions(), pdf_layout.FullLayout)
    assert whole.files == rendered.files


def test_the_mildest_nudge_never_leaves_a_heading_alone_at_the_foot(monkeypatch):
    # Note 1 lands on page 2, its room taken by the paragraph under the heading. A page break
    # before that paragraph would place the note but leave the heading at the foot of page 1
    # (a forced break beats break-after: avoid); the next remedy breaks before the heading.
    monkeypatch.chdir(ROOT)
    css = ("@page { size: 80mm 80mm; margin: 8mm } html { font-size: 4mm; line-height: 6mm }"
           " p { margin: 0; orphans: 2; widows: 2 } h3 { margin: 0; font-size: 4mm; break-after: avoid }"
           " .fn { float: footnote; footnote-policy: line; font-size: 3mm; line-height: 4mm }")
    lines, note, text = "<br>".join(f"x{i}" for i in range(5)), " ".join(f"n{i}" for i in range(5)), "<br>".join(f"y{i}" for i in range(8))
    html = (f"<html><head><style>{css}</style></head><body><p data-line='1'>{lines}</p>"
            f"<p data-line='3'>call<a id='call-1'>1</a><span class='fn' id='fn-1'>{note}</span></p>"
            f"<h3>Heading</h3><p data-line='6'>{text}</p></body></html>")
    book = pdf_layout.Book(html, frozenset())
    calls, placed = render_pdf.note_pages(book.pages)
    assert (calls[1], placed[1]) == (1, 2)
    assert render_pdf.opening_block(book.pages[1]) == 6 and render_pdf.ends_with_heading(book.pages[0], leaving=6)
    assert render_pdf.remedies(3, book.pages, calls[1])[0] == (3, pdf_layout.NEXT_STARTS_PAGE)
    essay = SimpleNamespace(essay=SimpleNamespace(path="essay/x.md"))
    document, _, nudged, _ = render_pdf.lay_out_with_checks(essay, lambda _: html, [SimpleNamespace(line=3)], {1: 3})
    assert nudged == 1
    assert [page_words(page._page_box) for page in document.pages][1][0] == "Heading"


def test_a_note_no_nudge_can_place_fails_the_build_naming_it(monkeypatch):
    # A call whose note never reaches any page: every remedy is tried once, in order, and then
    # the build fails with the note's number, its draft line and what the pages show.
    monkeypatch.chdir(ROOT)
    html = '<html><body><p data-line="4">text<a id="call-1">1</a></p><p data-line="6">more</p></body></html>'
    essay = SimpleNamespace(essay=SimpleNamespace(path="essay/x.md"))
    NUDGES_GIVEN.clear()
    with pytest.raises(InputError) as failure:
        render_pdf.lay_out_with_checks(essay, lambda _: html, [SimpleNamespace(line=4)], {1: 4}, RecordingBook)
    assert NUDGES_GIVEN == [frozenset({(4, kind)}) for kind in range(len(pdf_layout.NUDGES))]
    assert [str(d) for d in failure.value.diagnostics] == [
        ("essay/x.md:4:1: error: note 1 could not be set on the page of its call (the note is missing; "
         "its call is on page 1) [pdf.note-placement]")]


def test_page_based_counters_fall_back_to_whole_relayouts(project):
    # counter(pages) makes WeasyPrint lay the document out twice: the Book cannot follow that,
    # the build lays out whole documents instead.
    style = "<style>.essay-body h2::after { content: ' / ' counter(pages); }</style>"
    html = render_pdf.print_document_html(resolved_project(ROOT, "model-collapse.md"), RenderOptions())
    with pytest.raises(pdf_layout.RepaginationNeeded):
        pdf_layout.Book(html.replace("</style>", "</style>" + style, 1), frozenset())
    project.write("essay/x.md", "---\ntitle: t\nraw_html: true\n---\n## 一\n\n" + style + "\n\n正文[@smith2020]，[@lee2019]。\n")
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    total = len(PdfReader(project / "build" / "x.pdf").pages)
    assert f"一/{total}" in "".join(page_texts(project / "build" / "x.pdf"))  # known after a second pass
    assert_every_note_on_its_page(project / "build" / "x.pdf", 2)


def test_streams_serialized_once_write_the_same_bytes(real_pdf, monkeypatch):
    monkeypatch.chdir(real_pdf[0].parent.parent)
    document, _ = pdf_layout.FullLayout("<p>正文 text</p>", frozenset()).document()
    assert (document.write_pdf(pdf_identifier=b"x" * 16, finisher=render_pdf.streams_serialized_once)
            == document.write_pdf(pdf_identifier=b"x" * 16))


def test_long_book_every_note_on_its_page(tmp_path):
    # WeasyPrint alone misplaces about 43 of these 400 notes (and drops some); we must not.
    essay, bibliography = dense_book(400)
    (tmp_path / "long.md").write_text(essay, encoding="utf-8")
    (tmp_path / "long.yaml").write_text(bibliography, encoding="utf-8")
    result = run_cli(["--target", "pdf", "--essay", "long.md", "--citations", "long.yaml"], tmp_path)
    assert result.code == 0, result.err
    assert "400 notes each on the page of its call" in result.out
    path = tmp_path / "build" / "long.pdf"
    assert len(PdfReader(path).pages) > 50
    assert_every_note_on_its_page(path, 400)


def test_missing_glyph_is_an_error_not_a_box(project):
    project.write("essay/x.md", HEAD + "私用区字符\ue000出现[@smith2020:finding]，[@lee2019]。\n")
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 1
    assert result.err == 'essay/x.md:4:6: error: no font has a glyph for "\ue000" (U+E000): it would print as a box [pdf.missing-glyph]\n'
    assert not (project / "build" / "x.pdf").exists()


def test_link_note_uses_doi_form_and_cited_links_get_none(project):
    project.write("essay/x.md", HEAD + (
        "见[这篇](https://doi.org/10.1000/xyz123)[@smith2020]与[那篇](doi:10.5555/abc)，又[@lee2019]。\n"
    ))
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    text = " ".join("".join(page_texts(project / "build" / "x.pdf")).split())
    assert "doi:10.5555/abc" in text  # a link of its own: a note, in doi: form
    assert text.count("10.1000/xyz123") == 2  # the cited source's DOI: its citation note and the references
    assert_every_note_on_its_page(project / "build" / "x.pdf", 3)


def test_note_longer_than_a_page_warns_by_number(project):
    long_text = " ".join(["This sentence is long enough to fill a good part of a line."] * 160)
    project.write("citations/refs.yaml", (
        "- id: big\n  type: book\n  title: Big\n  issued: {date-parts: [[2020]]}\n  language: en\n"
        f"  quotes:\n    all:\n      text: \"{long_text}\"\n      page: 1\n"
    ))
    project.write("essay/x.md", HEAD + "正文引用很长的段落[@big:all]。\n")
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    assert result.err == (
        "essay/x.md:4:1: warning: note 1 is longer than a page's note area can hold: its passage is set in full "
        "under 长注 at the end, the foot of the page refers to it [pdf.long-note]\n"
    )
    pdf = project / "build" / "x.pdf"
    assert_every_note_on_its_page(pdf, 1)
    text = re.sub(r"-\s*\n\s*", "", "".join(page_texts(pdf)))  # undo hyphenation at line ends
    text = " ".join(text.split())
    assert "引文较长，全文见书末“长注”。" in text and "长注" in text and len(re.findall(r"\bThis\b", text)) == 160
    assert "出版日期" not in text  # no date anywhere: no edition line rather than an invented one


@pytest.mark.parametrize(("paper", "size"), [("a5", (419.5, 595.3)), ("b5", (498.9, 708.7)), ("a4", (595.3, 841.9))])
def test_paper_sizes(project, paper, size):
    project.write("essay/x.md", HEAD + "正文[@smith2020]，[@lee2019]。\n")
    assert run_cli(["--target", "pdf", "--paper", paper], project).code == 0
    box = PdfReader(project / "build" / "x.pdf").pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == size


def test_press_output_has_bleed_and_tagged_output_has_structure(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020]，[@lee2019]。\n")
    assert run_cli(["--target", "pdf", "--pdf-press", "--pdf-tagged"], project).code == 0
    reader = PdfReader(project / "build" / "x.pdf")
    page = reader.pages[0]
    assert float(page.mediabox.width) > 419.5 + 2 * 8  # 3 mm bleed on each side, plus crop marks
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_pdf_fetches_nothing_outside(project):
    project.write("essay/x.md", "---\ntitle: t\nraw_html: true\n---\n<img src=\"file:///etc/hostname\" alt=\"x\">\n\n正文[@smith2020]，[@lee2019]。\n")
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 1
    assert "[pdf.fetch-refused]" in result.err


def test_hyphenation_patterns_read_on_demand_are_pyphens_own(tmp_path):
    """Every dictionary Pyphen ships, and a few made to hit the edges, read our way and its way."""
    import pyphen

    from footnoted.weasyprint_import import PYPHENS_HYPHDICT, patterns_on_demand

    made = {
        "edges": "UTF-8\n  % a comment after spaces\nLEFTHYPHENMIN 2\n.ab1c\nb2c3\nx0y\n.ab1c\nb0c\n\nz4\n",
        "one_line": "UTF-8",
        "hex": "UTF-8\n.a^^e91b\n",  # Pyphen's ^^hh escape: its parser reads this file
        "alternative": "UTF-8\nc1k/k=k,1,1\n",  # nonstandard hyphenation: its parser too
    }
    dictionaries = sorted(set(pyphen.LANGUAGES.values()))
    for name, text in made.items():
        (tmp_path / f"hyph_{name}.dic").write_text(text, encoding="utf-8")
        dictionaries.append(tmp_path / f"hyph_{name}.dic")
    ours_read = 0
    for path in dictionaries:
        theirs = PYPHENS_HYPHDICT(path) if path.read_text("utf-8", "replace").count("\n") else None
        ours = patterns_on_demand(path)
        if ours is None:
            continue
        ours_read += 1
        assert {letters: ours.get(letters) for letters in list(ours)} == (theirs.patterns if theirs else {}), path.name
    assert patterns_on_demand(pyphen.LANGUAGES["en_US"]) is not None  # the one our essays hyphenate with
    assert patterns_on_demand(tmp_path / "hyph_hex.dic") is None
    assert patterns_on_demand(tmp_path / "hyph_alternative.dic") is None
    assert ours_read > 30  # 41 of 50: the rest have lines only Pyphen reads right
    dictionary = pyphen.Pyphen(lang="en_US")
    assert type(dictionary.hd).__name__ == "_QuickHyphDict"
    assert dictionary.inserted("hyphenation") == "hy-phen-ation"


def test_each_page_is_checked_as_soon_as_the_next_is_made(tmp_path, monkeypatch):
    # A book of three chapters, two of them nudged. Checked once the book is made, each nudge
    # re-makes its chapter from the call's page to the chapter's end; checked as the book is made,
    # only the pages around the call, and the chapter goes on from there.
    copy_real_project(tmp_path)
    essay = with_filler(scaled_essay(3), {1: 670, 2: 100, 3: 580})  # chapter 2's filler keeps its notes in place
    # GB/T 7714-2025's later notes (同 + a number) are short: a tail keeps pages in chapters 1 and 3 after
    # their nudge, which a check once the book is made re-makes and a check as it is made does not.
    chapters = essay.split("\n## 第 ")
    for chapter in (1, 3):
        chapters[chapter] = chapters[chapter].rstrip("\n") + "\n\n" + "结尾" * 600 + "。\n"
    essay = "\n## 第 ".join(chapters)
    (tmp_path / "essay" / "model-collapse.md").write_text(essay, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    resolved = resolved_project(tmp_path, "model-collapse.md")
    made: list[int] = []
    make_page = pdf_layout.remake_page
    monkeypatch.setattr(pdf_layout, "remake_page", lambda index, *rest: made.append(index) or make_page(index, *rest))

    class BookCheckedWhole(pdf_layout.Book):  # no check of each page
        def __init__(self, html: str, nudges: pdf_layout.Nudges, check: pdf_layout.PageCheck | None = None) -> None:
            super().__init__(html, nudges)

    as_made = render_pdf._render_pdf(resolved, RenderOptions())
    made_as_checked, made[:] = list(made), []
    whole = render_pdf._render_pdf(resolved, RenderOptions(), BookCheckedWhole)
    pages = int(as_made.summary.split()[0])
    assert "(2 blocks nudged)" in as_made.summary and as_made.files == whole.files
    assert len(made_as_checked) <= pages + 2 * (pdf_layout.PAGES_THAT_MAY_HAVE_TRIED + 2) < len(made)


def test_waiting_notes_are_the_list_weasyprint_keeps_answering_in_from_a_set(monkeypatch):
    first, second, third = object(), object(), object()  # boxes: equal only to themselves
    waiting = pdf_layout._WaitingNotes([first, second])
    assert first in waiting and third not in waiting
    waiting.remove(first)
    waiting.append(third)
    assert list(waiting) == [second, third] and first not in waiting and third in waiting
    with pytest.raises(ValueError):
        waiting.remove(first)
    monkeypatch.chdir(ROOT)
    book = pdf_layout.Book('<p>a<span style="float: footnote">n</span></p>', frozenset())
    assert type(book.context.footnotes) is pdf_layout._WaitingNotes and not book.context.footnotes  # laid out
