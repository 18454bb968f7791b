"""Every field pandoc prints, our notes print (issue #14): editors, translators, containers, places,
editions, volumes, name particles and suffixes, every form of date, rich titles; `check` reports
what a style leaves out, found by what the formatter read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_cli
from pdf_reading import embedded_fonts, page_texts
from test_styles import notes_of

from scripts.corpus import SHARED_CORPUS

FIELDS_BIB = (Path(__file__).parent / "fixtures" / "bibliographies" / "fields.yaml").read_text(encoding="utf-8")
EN = "---\ntitle: t\nlang: en\n---\n"
EN17 = "---\ntitle: t\nlang: en\nstyle: chicago-17\n---\n"  # the edition that prints the place of publication
ZH = "---\ntitle: 测试\n---\n"
ZH_2015 = "---\ntitle: 测试\nstyle: gb7714-2015\n---\n"


def entries(*keys: str) -> str:
    """Those entries of fields.yaml alone (an entry never cited is a warning of its own)."""
    blocks = FIELDS_BIB.split("\n- id: ")[1:]
    return "".join(f"- id: {block.rstrip()}\n" for block in blocks if block.split("\n", 1)[0] in keys)


def note(project, key: str, head: str = EN) -> str:
    project.write("citations/refs.yaml", entries(key))
    project.write("essay/x.md", head + (f"Text [@{key}].\n" if head != ZH else f"正文[@{key}]。\n"))
    result = run_cli(["--target", "blog"], project)
    assert (result.code, result.err) == (0, ""), result.err
    return notes_of(project)[0]


@pytest.mark.parametrize(("key", "expected"), [
    # editors: an edited volume is named by them, with "eds."; beside an author, "ed."
    ("edited", "Sam Editor and Jo Roe, eds., <i>The Edited Volume</i> (Oxford: Oxford University Press, 2007)."),
    ("withEditor", "Ann Author, <i>The Book</i>, ed. Sam Editor (Press, 2001)."),
    # translator, edition, volume of a work in several, place of publication
    ("translated", "Leo Tolstoy, <i>War and Peace</i>, trans. Louise Maude, 2nd ed., vol. 3, 4 vols. "
                   "(Cambridge: Cambridge University Press, 2005)."),
    # a chapter: in its book, by the book's author, edited by its editors, in its series
    ("chapter", "John Doe, “Why Water Is Wet,” in <i>The Third Book</i>, by Jenny Roe, ed. Sam Smith, Studies in Water 12, "
                "ed. Ed Series (Oxford: OUP, 2007), 12–20."),
    # particles, dropping and not, and a suffix
    ("particles", "Vincent van Gogh, Ludwig van Beethoven, and Martin Luther King Jr., <i>Letters</i> (Press, 1890)."),
    ("fontaine", "Jean de la Fontaine, <i>Fables</i> (Barbin, 1668)."),
    # a literal name, a date range
    ("literal", "World Health Organization, <i>World Report</i> (Geneva: WHO, 2004–2006)."),
    # a season, circa, a date in words
    ("season", "Trevor Reese, “Georgia in Diplomacy,” <i>William and Mary Quarterly</i> 15 (Spring 1958)."),
    ("circa", "A. Anon, <i>An Old Book</i> (Printer, ca. 1700)."),
    ("literalDate", "B. Anon, <i>An Undated Book</i> (Printer, Michaelmas term, 1621)."),
    # rich text: italics inside an italic title flip to roman; sub-, superscript, bold, small caps; nocase is no tag;
    # headline style inside the markup too, small caps and nocase as written (as citeproc-js sets them)
    ("rich", "Carl Linnaeus, <i>On </i>Homo Sapiens<i> and H</i><i><sub>2</sub></i><i>O: </i><i><b>Bold</b></i><i> </i>"
             "<i><span class=\"small-caps\">small caps</span></i><i> and iPod</i> (Press, 1758)."),
])
def test_a_chicago_note_prints_every_field(project, key, expected):
    assert note(project, key, EN17) == expected


@pytest.mark.parametrize(("key", "expected"), [
    # GB/T 7714-2015 §8.1.2: the editors of an edited volume lead, bare; beside an author, 其他责任者 in the
    # source's language (§6.1: "ed.", "trans."); §8.4.1.3: a place not known is "[S.l.]"; no series (§4.1.1 has none)
    ("edited", "EDITOR S, ROE J. The Edited Volume[M]. Oxford: Oxford University Press, 2007."),
    ("withEditor", "AUTHOR A. The Book[M]. EDITOR S, ed. [S.l.]: Press, 2001."),
    ("translated", "TOLSTOY L. War and Peace: Vol. 3[M]. MAUDE L, trans. 2nd ed. Cambridge: Cambridge University Press, 2005."),
    ("chapter", "DOE J. Why Water Is Wet[M]//ROE J. The Third Book. SMITH S, ed. Oxford: OUP, 2007: 12-20."),
    ("particles", "VAN GOGH V, VAN BEETHOVEN L, KING M L, Jr. Letters[M]. [S.l.]: Press, 1890."),  # A.7: "NORD G L, Jr"
    ("circa", "ANON A. An Old Book[M]. [S.l.]: Printer, [1700]."),
    ("literalDate", "ANON B. An Undated Book[M]. [S.l.]: Printer, Michaelmas term, 1621."),
])
def test_a_gb7714_note_prints_every_field(project, key, expected):
    assert note(project, key, ZH_2015) == expected


def test_a_short_note_takes_the_sources_short_title(project):
    project.write("citations/refs.yaml", entries("shortTitle"))
    project.write("essay/x.md", EN + "One [@shortTitle]. Two [@shortTitle, 7].\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project)[1] == "Author, <i>Long Title</i>, 7."


def test_a_short_note_without_anyone_named_is_its_title_once(project):
    project.write("citations/refs.yaml", "- id: anon\n  type: book\n  title: Beowulf\n  publisher: Press\n  issued: 1999\n")
    project.write("essay/x.md", EN + "One [@anon]. Two [@anon, 7].\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project) == ["<i>Beowulf</i> (Press, 1999).", "<i>Beowulf</i>, 7."]


@pytest.mark.parametrize(("key", "expected"), [  # GB/T 7714-2015's own examples
    ("standard", "信息与文献 参考文献著录规则: GB/T 7714—2015[S]. 北京: 中国标准出版社, 2015."),
    ("newspaper", "丁文祥. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15)."),
])
def test_gb7714_numbers_standards_and_dates_newspapers(project, key, expected):
    assert note(project, key, ZH_2015) == expected


def test_a_chinese_translation_names_its_translator_with_yi(project):
    project.write("citations/refs.yaml", (
        "- id: zh\n  type: book\n  author: [{family: 萨克斯, given: ''}]\n  translator: [{family: 谢, given: 远涛}]\n"
        "  title: 贫穷的终结\n  edition: 2\n  publisher: 中信出版社\n  publisher-place: 北京\n  issued: 2012\n"))
    project.write("essay/x.md", ZH + "正文[@zh]。\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project) == ["萨克斯. 贫穷的终结[M]. 谢远涛，译. 2版. 北京：中信出版社，2012."]  # 2025: ，： full-width


def test_an_edited_volume_in_a_sentence_is_named_by_its_editors(project):
    project.write("citations/refs.yaml", entries("edited"))
    project.write("essay/x.md", ZH + "@edited 指出，事情如此。\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert run_cli(["--target", "xhs"], project).code == 0
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    xhs = (project / "build" / "x.xhs.txt").read_text(encoding="utf-8")
    assert "Editor 和 Roe<a class=\"note-call\"" in html and "The Edited Volume<a" not in html
    assert "Editor 和 Roe" in xhs


def test_rich_titles_are_plain_text_in_xhs_and_markup_in_print(project):
    project.write("citations/refs.yaml", entries("rich"))
    project.write("essay/x.md", EN + "Text [@rich].\n")
    assert run_cli(["--target", "all"], project).code == 0
    xhs = (project / "build" / "x.xhs.txt").read_text(encoding="utf-8")
    assert "On Homo sapiens and H2O: bold small caps and iPod" in xhs  # the xhs list as the entry gives it
    assert "<" not in xhs and "*" not in xhs and "{.nocase}" not in xhs
    printed = " ".join(page_texts(project / "build" / "x.pdf"))
    assert "Homo Sapiens" in printed and "<i>" not in printed and "<sub>" not in printed and "*" not in printed
    fonts = embedded_fonts(project / "build" / "x.pdf")  # the title set in italics, its **bold** in bold italics
    assert any("Italic" in f and "Bold" not in f for f in fonts) and any("Bold-Italic" in f for f in fonts), fonts


# --- check: what a style leaves out ------------------------------------------------------------


def test_check_reports_each_field_the_style_does_not_print_at_its_line(project):
    bib = entries("withEditor", "edited").replace("  title: The Book\n", "  title: The Book\n  abstract: A summary.\n")
    project.write("citations/refs.yaml", bib)
    project.write("essay/x.md", EN17 + "Text [@withEditor]. More [@edited].\n")
    result = run_cli(["check"], project)
    assert result.code == 0
    line = bib.split("\n").index("  abstract: A summary.") + 1
    assert result.err.splitlines() == [
        f"citations/refs.yaml:{line}:3: warning: 'abstract' of 'withEditor' is not printed: Chicago notes (17th edition) "
        "leave it out [bib.unprinted-field]",
    ]  # the editors, the publisher, its place and the rest are printed: no warning
    project.write("essay/x.md", EN + "Text [@withEditor]. More [@edited].\n")  # the 18th edition leaves the place out
    place = bib.split("\n").index("  publisher-place: Oxford") + 1
    assert run_cli(["check"], project).err.splitlines()[0] == (
        f"citations/refs.yaml:{place}:3: warning: 'publisher-place' of 'edited' is not printed: Chicago notes "
        "(18th edition) leave it out [bib.unprinted-field]")


def test_check_reports_by_the_essays_style(project):
    bib = entries("translated", "edited")
    project.write("citations/refs.yaml", bib)
    project.write("essay/x.md", ZH + "正文[@translated]。\n\n[^1]\n\n[^1]: 又见 [@edited]。\n")
    result = run_cli(["check"], project)
    line = bib.split("\n").index("  number-of-volumes: 4") + 1
    assert result.err.splitlines() == [  # GB/T 7714 has no place for the number of volumes
        f"citations/refs.yaml:{line}:3: warning: 'number-of-volumes' of 'translated' is not printed: GB/T 7714 notes "
        "leave it out [bib.unprinted-field]",
    ]


# --- against pandoc ------------------------------------------------------------------------------

CSL = SHARED_CORPUS / "interop" / "pandoc-tests" / "command" / "chicago-fullnote-bibliography.csl"


@pytest.mark.skipif(not shutil.which("pandoc") or not CSL.is_file(), reason="pandoc and ../shared/corpus")
def test_every_field_pandoc_prints_in_a_chicago_note_ours_prints_too():
    from scripts.interop_fields import measure

    missing, entries, lost = measure([Path(__file__).parent / "fixtures" / "bibliographies" / "fields.yaml"], CSL)
    assert entries == FIELDS_BIB.count("- id:")
    assert (dict(missing), lost) == ({}, 0)


def test_variables_in_zoteros_note_are_read_as_pandoc_reads_them(project):
    """Zotero exports what it has no field for ("Extra") as `note` lines such as `DOI: …` or
    `genre: …`; pandoc and citeproc-js read them as the variables, and so do we. A variable given
    as itself wins over its line in the note; a line that names no variable stays a note."""
    project.write("citations/refs.json", (
        '[{"id": "brown", "type": "book", "title": "Feminist therapy", "publisher": "APA", "edition": "2",'
        ' "author": [{"family": "Brown", "given": "L. S."}], "issued": {"date-parts": [["2018"]]},'
        ' "note": "DOI: 10.1037/0000092-000\\nTitle: Not This\\nRemember: a plain note"},'
        ' {"id": "case", "type": "legal_case", "title": "包郑照诉苍南县人民政府强制拆除房屋案",'
        ' "authority": "浙江省高级人民法院", "number": "（1988）浙法民上字 7 号", "note": "genre: 民事判决书"},'
        ' {"id": "ed", "type": "article-journal", "title": "Study abroad programs", "container-title": "J",'
        ' "author": [{"family": "Cuellar", "given": "N. G."}], "issued": {"date-parts": [[2016]]},'
        ' "note": "genre: Editorial"}]'))
    project.write("essay/x.md", EN + "Text [@brown]. Law [@case]. Note [@ed].\n")
    result = run_cli(["--target", "blog", "--citations", "citations/refs.json"], project)
    assert (result.code, result.err) == (0, "")
    brown, case, editorial = (n.split("</p>", 1)[0] for n in notes_of(project))
    assert brown.startswith("L. S. Brown, <i>Feminist Therapy</i>, 2nd ed. (APA, 2018)") and "10.1037/0000092-000" in brown
    # a case's name stands once, unquoted, then its genre (pandoc: "…案, 民事判决书, No. …")
    assert case.startswith("包郑照诉苍南县人民政府强制拆除房屋案, 民事判决书, （1988）浙法民上字 7 号"), case
    assert editorial == "N. G. Cuellar, “Study Abroad Programs,” Editorial, <i>J</i> (2016).", editorial
