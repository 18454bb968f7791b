"""What print once lost without a word: a quoted table cited in a sentence (its note showed no
table), and URLs and words longer than a line (set past the right margin, off the page). Real
PDFs from the CLI, read back with poppler."""

from __future__ import annotations

import shutil
import string

import pytest
from conftest import run_cli
from pdf_reading import note_places, page_texts, words
from pypdf import PdfReader

from footnoted.render_pdf import MM_PER_PT, PAPERS

TABLE_BIB = """\
references:
- id: touvron2023
  type: report
  author:
  - {family: Touvron, given: Hugo}
  title: "LLaMA: Open and Efficient Foundation Language Models"
  publisher: arXiv
  issued: {date-parts: [[2023, 2, 27]]}
  language: en
  quotes:
    table1:
      text: "The pre-training data mixture."
      page: 2
      table:
        caption: "Table 1: Pre-training data."
        header: ["Dataset", "Sampling prop.", "Epochs", "Disk size"]
        rows:
%s
"""
ROWS = [["CommonCrawl", "67.0%", "1.10", "3.3 TB"], ["C4", "15.0%", "1.06", "783 GB"],
        ["StackExchange", "2.0%", "1.03", "78 GB"]]


def table_bib(rows: list[list[str]]) -> str:
    return TABLE_BIB % "\n".join(f"        - {row}".replace("'", '"') for row in rows)


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_table_cited_in_a_sentence_prints_in_its_note(project):
    project.write("citations/refs.yaml", table_bib(ROWS))
    project.write("essay/x.md", "---\ntitle: 表\n---\n正文引用表格[@touvron2023:table1]，接着说。\n")
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    pdf = project / "build" / "x.pdf"
    places = note_places(pdf)
    assert places.calls == places.notes == {1: places.calls[1]}
    page = one_line(page_texts(pdf)[places.calls[1] - 1])
    # The note: its reference, then the table, caption first, one row a line, cells in order.
    reference = "Touvron H. LLaMA: Open and Efficient Foundation Language Models[R]. [S.l.]：arXiv，2023：2."
    assert f"{reference} Table 1: Pre-training data." in page
    for row in [["Dataset", "Sampling prop.", "Epochs", "Disk size"], *ROWS]:
        assert " ".join(row) in page


def test_a_table_too_tall_for_the_note_area_is_set_under_long_notes(project):
    rows = [[f"Source {n}", f"{n}.0%", "1.00", f"{n} GB"] for n in range(1, 61)]
    project.write("citations/refs.yaml", table_bib(rows))
    project.write("essay/x.md", "---\ntitle: 表\n---\n正文引用表格[@touvron2023:table1]，接着说。\n")
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    assert "[pdf.long-note]" in result.err
    pdf = project / "build" / "x.pdf"
    places = note_places(pdf)
    assert places.calls == places.notes
    text = one_line("".join(page_texts(pdf)))
    assert "引文较长，全文见书末“长注”。" in text
    long_notes = text[text.index("长注 1 "):]
    assert "Table 1: Pre-training data." in long_notes
    assert all(f"Source {n} {n}.0% 1.00 {n} GB" in long_notes for n in range(1, 61))


def long_url(host: str) -> str:
    """300 characters, in pieces longer than a line with no break opportunity of their own."""
    path = "_".join(f"section{n}" for n in range(12))
    query = "&".join(f"utm_parameter{n}=value{n}" for n in range(20))
    url = f"https://{host}/archive/2024/{path}?{query}"[:300]
    assert len(url) == 300
    return url


def test_long_urls_and_words_break_inside_the_text_area_and_read_back_whole(project):
    body_url, link_url = long_url("body.example.org"), long_url("link.example.org")
    body_word = "".join(string.ascii_lowercase[n % 26] for n in range(200))
    note_word = "".join(string.ascii_uppercase[n % 26] for n in range(200))
    project.write("essay/x.md", (
        f"---\ntitle: 长网址\n---\n地址是 {body_url} 在正文中。\n\n"
        f"见[这个链接]({link_url})。\n\n"  # in print, a link gets a note with its URL
        f"一个长词 {body_word} 在这里[^long]。\n\n"
        f"[^long]: 注里的长词 {note_word} 也在。\n"
    ))
    result = run_cli(["--target", "pdf"], project)
    assert result.code == 0, result.err
    pdf = project / "build" / "x.pdf"
    places = note_places(pdf)
    assert places.calls == places.notes and sorted(places.notes) == [1, 2]
    # Every character, in order, and nothing added (the break opportunities are not text).
    texts = ["".join(text.split()) for text in page_texts(pdf)]
    assert body_url in "".join(texts)
    assert f"1{link_url}" in texts[places.notes[1] - 1]  # the link's note, on its call's page
    assert body_word in "".join(texts) and f"注里的长词{note_word}也在" in texts[places.notes[2] - 1]
    assert "\u200b" not in "".join(texts)
    annotations = [a.get_object() for page in PdfReader(pdf).pages for a in page.get("/Annots", [])]
    uris = [annotation["/A"]["/URI"] for annotation in annotations if "/A" in annotation]
    assert set(uris) == {link_url} and len(uris) > 2  # the link's words, its note's lines: the href as written
    # Every word box within the text area of its page (mirrored margins: the wider at the spine).
    paper = PAPERS["a5"]
    measure = paper.chars_per_line * paper.font_pt
    spare = paper.width_mm / MM_PER_PT - measure
    inner = spare * 0.55
    outside = []
    for word in words(pdf):
        left = inner if word.page % 2 else spare - inner
        if word.left < left - 0.5 or word.right > left + measure + 0.5:
            outside.append((word.page, word.text, round(word.left), round(word.right)))
    assert outside == []


def test_the_blog_breaks_them_too_on_a_phone(project):
    # The same URLs and word in the blog, at 375 px: no horizontal scroll (before: 1914 px wide).
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    from test_browser import CHROMIUM, FLAGS

    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (./dev test installs it)")
    url, word = long_url("body.example.org"), "".join(string.ascii_lowercase[n % 26] for n in range(200))
    project.write("essay/x.md", (f"---\ntitle: 长网址\n---\n地址是 {url} 在正文中，一个长词 {word} 在这里[^n]。\n\n"
                                f"[^n]: 注里 {url}。\n"))
    assert run_cli(["--target", "blog"], project).code == 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto((project / "build" / "x.html").as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        browser.close()
