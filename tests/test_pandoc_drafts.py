"""Drafts written for pandoc or Quarto build as they are (issue #14): inline notes, smart
punctuation, sub- and superscripts, heading attributes, a metadata block at the end, Quarto's
format names, and the language taken from the text. Each draft goes through the real CLI into
every target; where pandoc is the reference, its own HTML is compared."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import run_cli
from pdf_reading import note_places, page_texts

from footnoted.parse import parse_essay
from scripts.corpus import SHARED_CORPUS

PANDOC_TESTS = SHARED_CORPUS / "interop" / "pandoc-tests" / "cases"

DRAFT = """\
---
title: Water and words
---

# Water {#water .intro}

As @smith2020 [p. 12] notes, "water is H~2~O" -- and 2^10^ is 1024... it's true [@lee2019, pp. 3--5].^[An
inline note citing [@smith2020:finding].] A label note[^label] and another^[Second *inline* note.].

[^label]: The label note.

## Method {-}

Done---finally.

---
subtitle: Written for pandoc
...
"""


def essay_body(html: str) -> str:
    return html[html.index('<div class="essay-body">') : html.index("</div>", html.index('<div class="essay-body">'))]


def notes_of(html: str) -> dict[int, str]:
    """Note number -> the note's text, tags taken out."""
    start = html.index('<section class="notes"')
    section = html[start : html.index("</section>", start)]
    found = re.findall(r'<li id="fn-(\d+)"[^>]*>(.*?)</li>', section, re.S)
    return {int(number): re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).replace("↩︎", "").strip()
            for number, text in found}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from conftest import BIB

    root = tmp_path_factory.mktemp("pandoc-draft")
    (root / "essay").mkdir()
    (root / "citations").mkdir()
    (root / "essay" / "water.md").write_text(DRAFT, encoding="utf-8")
    (root / "citations" / "refs.yaml").write_text(BIB, encoding="utf-8")
    result = run_cli(["--strict"], root)
    assert result.code == 0, result.err
    return root / "build"


def test_blog_numbers_inline_notes_with_the_others_in_order_of_call(built):
    html = (built / "water.html").read_text(encoding="utf-8")
    notes = notes_of(html)
    assert list(notes) == [1, 2, 3, 4, 5]
    assert notes[1].startswith("Jane Smith and John Doe, “A Study of Things,”")  # @smith2020 [p. 12]
    assert notes[2].startswith("Ann Lee, The Book (Press, 2019), 3")  # [@lee2019, pp. 3--5]
    assert notes[3] == "An inline note citing Smith and Doe, “Study of Things,” 12."  # its citation inline
    assert notes[4] == "The label note."
    assert notes[5] == "Second inline note."
    assert "<p>Second <em>inline</em> note.</p>" in html


def test_blog_body_has_smart_punctuation_scripts_and_heading_attributes(built):
    html = (built / "water.html").read_text(encoding="utf-8")
    body = essay_body(html)
    assert '<h2 id="water" class="intro">Water</h2>' in body
    assert '<h2 id="method" class="unnumbered">Method</h2>' in body
    assert "“water is H<sub>2</sub>O” – and 2<sup>10</sup> is 1024… it’s true" in body
    assert "Done—finally." in body
    assert "{" not in body and "<hr>" not in body and "subtitle" not in body
    assert '<p class="subtitle">Written for pandoc</p>' in html  # the metadata block at the end
    assert '<html lang="en"' in html  # no `lang`: the text is English
    assert '<h2 id="notes-title">Notes</h2>' in html


def test_pdf_sets_inline_notes_at_the_foot_of_their_page(built):
    pdf = built / "water.pdf"
    places = note_places(pdf)
    assert sorted(places.calls) == [1, 2, 3, 4, 5]
    assert all(places.notes[number] == places.calls[number] for number in places.calls)
    text = "\n".join(page_texts(pdf))
    flat = re.sub(r"\s+", " ", text)
    assert "An inline note citing Smith and Doe" in flat
    assert "Second inline note." in flat
    assert "H2O" in flat and "210 is 1024…" in flat  # <sub>, <sup>: pdftotext reads them in line
    assert "Written for pandoc" in flat and "subtitle:" not in flat and "{-}" not in flat


def test_xhs_expands_inline_notes_and_writes_unicode_scripts(built):
    text = (built / "water.xhs.txt").read_text(encoding="utf-8")
    assert "“water is H₂O” – and 2¹⁰ is 1024… it’s true (Lee, 2019, pp. 3–5)." in text
    assert "(Note: An inline note citing Smith and Doe, Journal of Things 2020, p. 12.)" in text  # no (…(…)) (#17)
    assert "(Note: Second inline note)." in text
    assert "Method" in text and "{-}" not in text and "subtitle" not in text


def test_errors_in_an_inline_note_point_at_their_place(project):
    draft = "---\ntitle: t\nlang: en\n---\n\nText here^[a note\nciting [@smith2021] and[^x].] ok.\n\n[^x]: x.\n"
    project.write("essay/x.md", draft)
    result = run_cli(["--target", "blog"], project)
    assert result.code == 1
    assert result.err == (
        "essay/x.md:7:9: error: unknown citation key 'smith2021' (did you mean 'smith2020'?) [cite.unknown-key]\n"
        "essay/x.md:7:24: error: a footnote cannot call another footnote [footnote.nested]\n"
        "essay/x.md:9:1: warning: footnote '[^x]' is never called [footnote.unused]\n"
    )


def test_a_note_inside_an_inline_note_is_an_error(project):
    project.write("essay/x.md", "---\ntitle: t\nlang: en\n---\n\nText^[a ^[nested] note][@lee2019].\n")
    result = run_cli(["--target", "blog"], project)
    assert result.code == 1
    assert result.err == "essay/x.md:6:9: error: a footnote cannot call another footnote [footnote.nested]\n"


def test_quarto_format_names_choose_our_targets(project):
    draft = ("---\ntitle: t\nlang: en\n---\n\nAlways [@lee2019].\n\n"
             '::: {.content-visible when-format="html"}\nweb only\n:::\n\n'
             '::: {.content-visible when-format="pdf"}\nprint only\n:::\n\n'
             '::: {.content-hidden when-format="latex"}\nnot in print\n:::\n')
    project.write("essay/x.md", draft)
    assert run_cli(["--target", "blog"], project).code == 0
    assert run_cli(["--target", "xhs"], project).code == 0
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    xhs = (project / "build" / "x.xhs.txt").read_text(encoding="utf-8")
    assert "web only" in html and "not in print" in html and "print only" not in html
    assert "web only" not in xhs and "print only" not in xhs and "not in print" in xhs
    project.write("essay/x.md", draft.replace('"latex"', '"latx"'))
    result = run_cli(["--target", "blog"], project)
    assert result.code == 1
    assert "unknown target 'latx' (targets: blog, pdf, xhs) (did you mean 'latex'?) [div.unknown-target]" in result.err


def test_an_essay_without_lang_takes_the_language_of_its_text(project):
    for text, lang, notes_title in [
        ("Most of these letters are English, 虽然有几个汉字。", "en", "Notes"),
        ("这篇文章的大部分字母都是汉字，英文只有 a few words。", "zh-CN", "注释"),
    ]:
        project.write("essay/x.md", f"---\ntitle: t\n---\n\n{text}[@lee2019]\n")
        assert run_cli(["--target", "blog"], project).code == 0
        html = (project / "build" / "x.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html
        assert f'<h2 id="notes-title">{notes_title}</h2>' in html


def test_check_finds_nothing_to_fix_in_smart_punctuation_but_reads_inline_notes(project):
    draft = "---\ntitle: 测试\n---\n\n中文--中文，好...了。正文^[注里有English混排]。[@lee2019]\n\n他说\"你好\"--走了。\n"
    project.write("essay/x.md", draft)
    assert run_cli(["--target", "blog"], project).code == 0
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert "中文——中文，好……了。正文" in html
    assert notes_of(html)[1] == "注里有 English 混排"  # the typography pass sets the note as the text
    result = run_cli(["check"], project)
    assert result.code == 0
    assert [line for line in result.err.splitlines() if "typography" in line] == [
        "essay/x.md:5:21: warning: no space between Chinese and Latin: '里有En' → '里有 En' [typography.spacing]",
        "essay/x.md:5:28: warning: no space between Chinese and Latin: 'sh混排' → 'sh 混排' [typography.spacing]",
        # found in the draft beside what smart punctuation changed (`--` is —— in the parsed text)
        "essay/x.md:7:3: warning: straight quotes in Chinese text: '他说\"你好' → '他说“你好' [typography.quotes]",
        "essay/x.md:7:6: warning: straight quotes in Chinese text: '你好\"--' → '你好”--' [typography.quotes]",
    ]


# --- pandoc as the reference -------------------------------------------------------------------

REFERENCE = """\
# One {#first .lead}

## Two {-}

## Three {.unnumbered .x}

"Quoted" -- and --- then... it's 'single' in 1990--2000, rock 'n' roll.

H~2~O and 2^10^ and ~~struck~~ and *emphasis* and `co--de`.

Don't "quote" me on 'this'...
"""


class _Elements(HTMLParser):
    """(tag, id, classes) of the headings and the inner HTML of each paragraph."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.paragraphs: list[str] = []
        self._in_p = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append((attributes.get("id", ""), attributes.get("class", "")))
        elif tag == "p":
            self._in_p = True
            self.paragraphs.append("")
        elif self._in_p:
            self.paragraphs[-1] += f"<{tag}>"

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "p":
            self._in_p = False
        elif self._in_p:
            self.paragraphs[-1] += f"</{tag}>"

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._in_p:
            self.paragraphs[-1] += re.sub(r"\s+", " ", data)


def elements(html: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(html)
    return parsed


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed")
def test_blog_gives_what_pandoc_gives(project):
    pandoc = subprocess.run(["pandoc", "-f", "markdown", "-t", "html"], input=REFERENCE, capture_output=True,
                            text=True, check=True).stdout
    project.write("essay/x.md", "---\ntitle: t\nlang: en\n---\n\n" + REFERENCE)
    assert run_cli(["--target", "blog"], project).code == 0
    ours = elements(essay_body((project / "build" / "x.html").read_text(encoding="utf-8")))
    theirs = elements(pandoc)
    assert ours.headings == theirs.headings
    assert ours.paragraphs == theirs.paragraphs


# --- pandoc's own test drafts: a metadata block at the end ----------------------------------


@pytest.mark.skipif(not PANDOC_TESTS.is_dir(), reason="the shared corpus is not here")
@pytest.mark.parametrize("case", ["6765-1", "citeproc-20-1"])
def test_pandoc_test_drafts_with_metadata_at_the_end(case):
    """pandoc's own tests put `references:` in a metadata block after the text: it is metadata,
    never a rule and a heading, and the text is the only block."""
    source = (PANDOC_TESTS / case / "input.md").read_text(encoding="utf-8")
    essay = parse_essay("t.md", f"---\ntitle: t\n---\n{source}".encode(), Path("."))
    assert [block.kind for block in essay.blocks] == ["paragraph"]
    text = " ".join(getattr(node, "text", "") for node in essay.blocks[0].children)
    assert "references" not in text and "csl" not in text
    assert not any(d.code == "frontmatter.missing-title" for d in essay.diagnostics)


def test_an_inline_note_inside_link_text_is_an_error(project):
    project.write("essay/x.md", "---\ntitle: t\nlang: en\n---\n\nSee [the site^[a note]](https://example.com) [@lee2019].\n")
    result = run_cli(["--target", "blog"], project)
    assert result.code == 1
    assert result.err == "essay/x.md:6:14: error: a note inside link text: move it after the link [footnote.in-link]\n"


FIXTURE_BIBLIOGRAPHIES = Path(__file__).parent / "fixtures" / "bibliographies"


def test_a_pandoc_draft_with_a_zotero_json_and_a_bib_file_builds_every_target(project):
    """Issue #14's whole case: a draft as a pandoc user writes it, its `bibliography:` line naming
    a Zotero CSL-JSON export and a BibTeX file, both as they are; nothing of ours in it."""
    shutil.rmtree(project / "citations")  # only what the draft names
    project.write("essay/zotero.json", (FIXTURE_BIBLIOGRAPHIES / "zotero-chinese-apa-slice.json").read_text(encoding="utf-8"))
    project.write("essay/refs.bib", "@book{doe2001,\n  author = {Doe, Jane and van der Berg, Jan},\n"
                  "  title = {Rivers of {Europe}},\n  publisher = {Harbor Press},\n  address = {Boston},\n  year = 2001,\n}\n")
    project.write("essay/x.md", (
        "---\ntitle: Rivers\nbibliography: [zotero.json, refs.bib]\n---\n\n"
        "As @apa.10.1:1 [p. 4] argue, \"language is use\" -- and it's learned...^[Compare @doe2001 [chap. 2].] "
        "Rivers run [see @doe2001, pp. 33--35, *passim*; -@apa.10.1:3a].\n"))
    result = run_cli(["--target", "all"], project)
    assert (result.code, result.err) == (0, "")
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    text = (project / "build" / "x.xhs.txt").read_text(encoding="utf-8")
    pdf = " ".join(" ".join(page_texts(project / "build" / "x.pdf")).split())
    for shown in (html, text, pdf):
        assert "McCauley" in shown and "Rivers of Europe" in shown and "Berg" in shown
        assert "“language is use” – and it’s learned…" in shown  # pandoc's smart punctuation
        assert "@apa" not in shown and "@doe" not in shown  # every citation resolved
    assert "<i>passim</i>" in html and "33–35" in html
    assert "Compare Jane Doe and Jan van der Berg, <i>Rivers of Europe</i>" in html  # the inline note's own reference
    # pandoc reads "van der" as a dropping particle, which a short name leaves out (CSL).
    assert "(Note: Compare Doe and Berg, 2001, chap. 2.)" in text  # no bracket inside a bracket (#17)
    assert "(see Doe and Berg, 2001, pp. 33–35, passim; Educational Leadership 2018)" in text  # -@: no author
