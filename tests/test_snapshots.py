"""Quote verification against snapshots: the real Nature excerpt, and synthetic noise of every kind."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import MappingProxyType

import pytest
from conftest import ROOT, run_cli

from footnoted.bibliography import Entry, Passage, bibliography_files, load_bibliography
from footnoted.snapshots import find_quote, prepare, read_snapshot, repair_mojibake, stated_pages, verify_entry

REAL_CITATIONS = ROOT / "citations"
FILLER = "Some words of the preamble that come before the passage and say nothing much at all. " * 4


@pytest.fixture(scope="module")
def shumailov() -> Entry:
    return load_bibliography(bibliography_files(REAL_CITATIONS)).entries["shumailov2024"]


def with_quotes(entry: Entry, **passages: Passage) -> Entry:
    return entry._replace(quotes=MappingProxyType(passages))


# --- the real excerpt -----------------------------------------------------------


def test_both_passages_of_the_essay_are_found_on_their_pages(shumailov):
    snapshot = read_snapshot(REAL_CITATIONS / shumailov.snapshot, 755)
    indiscriminate = find_quote(snapshot, shumailov.quotes["indiscriminate"].text)
    two_settings = find_quote(snapshot, shumailov.quotes["two-settings"].text)
    assert indiscriminate is not None and indiscriminate.pages == (755, 755)
    assert two_settings is not None and two_settings.pages == (758, 758)
    assert verify_entry(shumailov) == []


def test_an_altered_word_is_reported_with_the_closest_passage_and_a_word_diff(shumailov):
    passage = shumailov.quotes["indiscriminate"]
    altered = passage._replace(text=passage.text.replace("irreversible", "reversible"))
    [problem] = verify_entry(with_quotes(shumailov, indiscriminate=altered))
    assert str(problem) == (
        f"{REAL_CITATIONS}/references.yaml:32:7: error: quote 'indiscriminate' is not in the snapshot "
        "'snapshots/shumailov2024-nature-excerpt.txt'; closest passage (line 34, p. 755), [-quote-]{+snapshot+}: "
        "… in training causes [-reversible-]{+irreversible+} defects in the … [snapshot.quote-not-found]"
    )


def test_a_changed_word_in_the_long_passage_is_caught(shumailov):
    passage = shumailov.quotes["two-settings"]
    altered = passage._replace(text=passage.text.replace("only minor degradation", "no degradation"))
    [problem] = verify_entry(with_quotes(shumailov, **{"two-settings": altered}))
    assert problem.code == "snapshot.quote-not-found"
    assert problem.message.endswith("(line 82, p. 758), [-quote-]{+snapshot+}: … and leads to [-no-]{+only minor+} degradation of performance")


def test_a_quote_on_another_page_than_the_bibliography_says_is_an_error(shumailov):
    moved = shumailov.quotes["two-settings"]._replace(page="757")
    [problem] = verify_entry(with_quotes(shumailov, **{"two-settings": moved}))
    assert str(problem) == (
        f"{REAL_CITATIONS}/references.yaml:38:7: error: quote 'two-settings' is on p. 758 of the snapshot, "
        "not p. 757 as its 'page' says [snapshot.wrong-page]"
    )


def test_a_quote_without_a_page_is_told_where_the_snapshot_has_it(shumailov):
    unpaged = shumailov.quotes["indiscriminate"]._replace(page="")
    [problem] = verify_entry(with_quotes(shumailov, indiscriminate=unpaged))
    assert problem.severity.value == "warning"
    assert problem.message == "quote 'indiscriminate' has no 'page': the snapshot shows it on p. 755"


def test_the_real_excerpt_is_mangled_and_repaired():
    raw = (REAL_CITATIONS / "snapshots" / "shumailov2024-nature-excerpt.txt").read_text(encoding="utf-8")
    assert "æmodel collapseÆ" in raw
    assert "‘model collapse’" in repair_mojibake(raw)
    assert "•  Five epochs" in repair_mojibake(raw)


# --- synthetic noise ------------------------------------------------------------


def test_hyphenated_line_breaks_quotes_and_non_breaking_spaces():
    snapshot = prepare(FILLER + "They train on data produced by their predeces-\nsors. The model’s “tails”\xa0vanish "
                       "from the self-\nconsuming loop.", is_plain_text=True)
    quote = 'They train on data produced by their predecessors. The model\'s "tails" vanish from the self-consuming loop.'
    assert find_quote(snapshot, quote) is not None
    assert find_quote(snapshot, quote.replace("tails", "heads")) is None


def test_a_page_footer_in_the_middle_of_a_passage_is_skipped_and_gives_the_pages():
    text = (FILLER + "The passage begins on one page and\n\nJournal of Things  |  Vol 3  |  12\n\n"
            "ends on the next one.\n\n13  |  Journal of Things  |  Vol 3\n")
    snapshot = prepare(text, is_plain_text=True)
    found = find_quote(snapshot, "The passage begins on one page and ends on the next one.")
    assert found is not None and found.pages == (12, 13)
    assert "Journal" not in snapshot.text


def test_page_headers_open_their_pages():
    text = "Page 4\nFirst words of page four.\n\nPage 5\nWords of page five.\n"
    snapshot = prepare(text, is_plain_text=True)
    assert find_quote(snapshot, "Words of page five.").pages == (5, 5)
    assert find_quote(snapshot, "First words of page four.").pages == (4, 4)


def test_a_number_that_is_no_page_marker_is_not_taken_for_one():
    text = FILLER + "Table rows\n115\n\nNature  |  Vol 631  |  755\nMore words after.\n"
    snapshot = prepare(text, is_plain_text=True)
    assert find_quote(snapshot, "Table rows").pages == (755, 755)  # 115 does not follow 755: not a page
    assert find_quote(snapshot, "More words after.").pages == (756, 756)


def test_an_ellipsis_is_a_cut_whose_pieces_come_in_order():
    snapshot = prepare(FILLER + "Alpha beta gamma. Delta epsilon zeta. Eta theta iota.", is_plain_text=True)
    assert find_quote(snapshot, "Alpha beta gamma … eta theta iota.") is not None
    assert find_quote(snapshot, "Alpha beta gamma [...] eta theta") is not None
    assert find_quote(snapshot, "We find that alpha beta gamma…") is None
    assert find_quote(snapshot, "Eta theta iota … alpha beta gamma") is None


def test_pieces_out_of_order_are_reported_as_such(tmp_path):
    (tmp_path / "s.txt").write_text(FILLER + "Alpha beta gamma. Delta epsilon zeta.", encoding="utf-8")
    [problem] = verify_entry(entry_with_snapshot(tmp_path, "s.txt", "Delta epsilon … alpha beta"))
    assert problem.message == ("quote 'q' is not in the snapshot 's.txt': each part between its ellipses is there, "
                               "but not in this order within 300 words")


def test_an_ellipsis_does_not_bridge_pages_of_text():
    far = prepare("Start of it. " + "filler words " * 400 + "End of it.", is_plain_text=True)
    assert find_quote(far, "Start of it … End of it.") is None


def test_utf8_read_as_windows_1252_is_repaired():
    assert repair_mojibake("the modelâ€™s â€œtailsâ€\x9d") == "the model’s “tails”"


def test_a_text_with_real_accents_is_left_alone():
    assert repair_mojibake("café, crème brûlée — “quoted”") == "café, crème brûlée — “quoted”"


def test_chinese_snapshots_match_character_by_character():
    snapshot = prepare("前言。我们发现，在训练中不加区分地使用模型生成的内容会导致缺陷。", is_plain_text=True)
    assert find_quote(snapshot, "在训练中不加区分地使用模型生成的内容") is not None
    assert find_quote(snapshot, "在训练中有区分地使用模型生成的内容") is None


def test_stated_pages():
    assert stated_pages("755") == {755}
    assert stated_pages("757–758") == {757, 758}
    assert stated_pages("12, 14") == {12, 14}
    assert stated_pages("xii") is None


# --- files: text, HTML, PDF -------------------------------------------------------


def entry_with_snapshot(folder: Path, snapshot: str, text: str, page: str = "", article_pages: str = "") -> Entry:
    passage = Passage(id="q", text=text, page=page, line=9, col=7)
    return Entry(id="src", type="article", title="T", path=str(folder / "refs.yaml"), line=2, col=3, page=article_pages,
                 snapshot=snapshot, quotes=MappingProxyType({"q": passage}))


def test_an_html_snapshot_is_read_without_tags_scripts_or_entities(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><style>p{color:red}</style><script>var words = 'We find';</script></head><body>"
        "<p>We find that <em>indiscriminate</em>&nbsp;use of model&#8209;generated content &amp; more.</p></body></html>",
        encoding="utf-8")
    entry = entry_with_snapshot(tmp_path, "page.html", "We find that indiscriminate use of model-generated content & more.")
    assert verify_entry(entry) == []


def minimal_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with one line of Helvetica text per string: enough for pdftotext."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        body = "BT /F1 11 Tf 14 TL 50 780 Td " + " ".join(f"({line}) '" for line in lines) + " ET"
        objects.append(f"<< /Length {len(body)} >>\nstream\n{body}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {len(objects)} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode() + b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


@needs_pdftotext
def test_a_pdf_snapshot_gives_its_printed_page_numbers(tmp_path):
    pages = [["Words on the first page."], ["The quoted passage stands on this page."], ["Last words."]]
    (tmp_path / "paper.pdf").write_bytes(minimal_pdf([[*lines, str(41 + i)] for i, lines in enumerate(pages)]))
    entry = entry_with_snapshot(tmp_path, "paper.pdf", "The quoted passage stands on this page.", page="41")
    assert [d.message for d in verify_entry(entry)] == [
        "quote 'q' is on p. 42 of the snapshot, not p. 41 as its 'page' says"]
    assert verify_entry(entry_with_snapshot(tmp_path, "paper.pdf", "The quoted passage stands on this page.", page="42")) == []


@needs_pdftotext
def test_a_pdf_without_page_numbers_counts_from_the_articles_first_page(tmp_path):
    (tmp_path / "paper.pdf").write_bytes(minimal_pdf([["First page."], ["Second page holds the quote."]]))
    entry = entry_with_snapshot(tmp_path, "paper.pdf", "Second page holds the quote.", page="101", article_pages="100-101")
    assert verify_entry(entry) == []


def test_a_missing_snapshot_is_an_error_on_the_entry(tmp_path):
    [problem] = verify_entry(entry_with_snapshot(tmp_path, "nope.txt", "Anything."))
    assert str(problem) == (f"{tmp_path}/refs.yaml:2:3: error: snapshot 'nope.txt' of 'src': cannot read it: "
                            "No such file or directory [snapshot.missing]")


def test_a_binary_file_is_not_a_snapshot(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    [problem] = verify_entry(entry_with_snapshot(tmp_path, "image.png", "Anything."))
    assert problem.message == "snapshot 'image.png' of 'src': it is not a text, HTML or PDF file"


def test_check_reports_a_quote_missing_from_its_snapshot(project):
    project.write("citations/snap.txt", FILLER + "Things are what they seem.\n")
    bib = (project / "citations" / "refs.yaml").read_text(encoding="utf-8")
    bib = bib.replace("  DOI: 10.1000/xyz123\n", "  DOI: 10.1000/xyz123\n  snapshot: snap.txt\n")
    project.write("citations/refs.yaml", bib)
    project.write("essay/x.md", "---\ntitle: 测试\n---\n正文[@smith2020:finding]，[@lee2019]。\n")
    result = run_cli(["check"], project)
    assert result.code == 1
    assert result.err == (
        "citations/refs.yaml:18:7: error: quote 'finding' is not in the snapshot 'snap.txt'; closest passage (line 1), "
        "[-quote-]{+snapshot+}: … are what they [-are-]{+seem+} [snapshot.quote-not-found]\n"
    )
    assert result.out.endswith("check: 1 error, 0 warnings (0 TODOs, 0 typography); 1 quote checked against snapshots\n")
