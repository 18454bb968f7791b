"""A Chinese essay's Latin words in a Latin face (issue #16): read back from the real PDF (the face
that draws each character, and the font program embedded), from the blog's stylesheet, and the
URL fetcher that lets WeasyPrint read the system's font files and nothing else."""

from __future__ import annotations

import hashlib
import inspect
import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, copy_real_project, run_cli
from fontTools.ttLib import TTFont
from pdf_reading import font_programs, text_by_face
from pdf_reading import words as pdf_words
from pypdf import PdfReader

from footnoted.pdf_layout import _ProjectOnlyFetcher
from footnoted.safe_read import UnsafeFile

FACES = ROOT / "templates" / "latin_faces.css.j2"
# The marks Chinese text sets full-width, from the CJK face: — ― ‘ ’ “ ” ‥ … ‧ · ※
CHINESE_MARKS = "\u2014\u2015\u2018\u2019\u201c\u201d\u2025\u2026\u2027\u00b7\u203b"


def latin_range() -> set[int]:
    ranges = re.search(r'latin_range = "([^"]+)"', FACES.read_text(encoding="utf-8"))
    assert ranges, "the faces' unicode-range"
    points: set[int] = set()
    for part in ranges.group(1).split(", "):
        first, _, last = part.removeprefix("U+").partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


def font_file(name: str) -> Path:
    found = subprocess.run(["fc-match", "-f", "%{file}", name], capture_output=True, text=True, check=True).stdout
    assert Path(found).name.startswith(name.split(":")[0].replace(" ", "")), f"{name} is not installed: {found}"
    return Path(found)


def test_every_code_point_of_the_latin_faces_is_in_each_noto_face_and_no_chinese_mark_is():
    # A unicode-range claiming a character the face lacks prints a box (fontconfig takes the range
    # as the face's coverage); one that took a Chinese mark would set it proportional.
    points = latin_range()
    assert {ord(c) for c in "Az09.,;:?!%()[]-–'\"é€αЖ\u2005"} <= points
    assert not points & {ord(c) for c in CHINESE_MARKS}
    assert not points & {*range(0x200B, 0x2010), *range(0x2060, 0x2070)}  # joiners stay with their neighbours
    for face in ("Serif", "Sans"):
        for style in ("", ":bold", ":italic", ":bold:italic"):
            cmap = set(TTFont(font_file(f"Noto {face}{style}"), fontNumber=0).getBestCmap())
            assert points - cmap == set(), (face, style)


@pytest.fixture(scope="module")
def essay_pdf(tmp_path_factory) -> Path:
    folder = copy_real_project(tmp_path_factory.mktemp("essay"))
    assert run_cli(["--target", "pdf", "--essay", "essay/model-collapse.md"], folder).code == 0
    return folder / "build" / "model-collapse.pdf"


def body_baselines(path: Path, size: float = 10.5) -> list[list[float]]:
    """Per page, the heights of the baselines of the text set at the body's size, top down."""
    pages = []
    for page in PdfReader(path).pages:
        found: set[float] = set()

        def visit(text, cm, tm, _font, font_size, found=found):  # type: ignore[no-untyped-def]
            if text.strip() and abs(font_size * tm[0] * cm[0] - size) < 0.05:
                found.add(round(cm[5] + tm[5] * cm[3], 2))

        page.extract_text(visitor_text=visit)
        pages.append(sorted(found, reverse=True))
    return pages


def test_a_chinese_essays_latin_words_are_set_in_noto_serif_its_marks_in_the_cjk_face_at_one_line_height(essay_pdf):
    pages = text_by_face(essay_pdf)
    drawn = {face: "".join(page.get(face, "") for page in pages) for page in pages for face in page}
    # Before: every Latin word of the Chinese text in Noto Serif CJK SC's own Latin letters.
    in_cjk = {face: re.findall(r"[A-Za-z0-9]+", text) for face, text in drawn.items() if "CJK" in face}
    assert {face: words for face, words in in_cjk.items() if words} == {}
    body = drawn["Noto-Serif-Latin"]
    for words in ("AlphaGo", "Zero", "stack", "overflow", "collapse", "Nature", "2024"):
        assert words in body
    assert "AI" in drawn["Noto-Sans-Latin"]  # the running head (the title) and the headings: sans
    assert "2026-03-25" in drawn["Noto-Sans-Latin-Bold"]  # a heading
    # The Chinese text's quotes and dashes stay full-width, from the CJK face (“世界”, “为了给…”).
    cjk = drawn["Noto-Serif-CJK-SC"]
    assert "“" in cjk and "”" in cjk and "—" in cjk
    assert not set("“”—…") & set(body)
    # An English passage keeps Noto Serif's own proportional quotes and apostrophes.
    assert "’" in drawn["Noto-Serif"]
    # And the lines keep the body's line-height. A face with other heights for the Latin words grew
    # the lines that held them (and, through the strut, every line): 18.8-18.9 pt, where the measure
    # is 1.75 x 10.5 = 18.375 pt.
    pitch = 1.75 * 10.5
    gaps = [above - below for page in body_baselines(essay_pdf) for above, below in itertools.pairwise(page)]
    within_paragraphs = [gap for gap in gaps if gap < 1.5 * pitch]
    assert len(within_paragraphs) > 40
    assert [gap for gap in within_paragraphs if abs(gap - pitch) > 0.02] == []


def test_the_latin_face_embedded_is_noto_serif_itself_and_the_same_bytes_come_out_twice(essay_pdf, tmp_path):
    programs = {name: font["name"].getDebugName(6) for name, font in font_programs(essay_pdf).items()}
    assert programs["Noto-Serif-Latin"] == "NotoSerif-Regular"
    assert programs["Noto-Sans-Latin"] == "NotoSans-Regular"
    # WeasyPrint copies the faces into a new temporary folder each time: no trace of it in the PDF.
    folder = copy_real_project(tmp_path)
    assert run_cli(["--target", "pdf", "--essay", "essay/model-collapse.md"], folder).code == 0
    assert (folder / "build" / "model-collapse.pdf").read_bytes() == essay_pdf.read_bytes()


APOSTROPHES = """---
title: Meta’s 模型
lang: zh-CN
---

Meta’s LLaMA 和 OpenAI’s GPT 的训练数据都来自网络，it’s 一个*关于 Meta’s 数据*的老问题。中文里的引号‘嵌套’与“外层”照旧用全角。
rock’n’roll 也是一个词。这一段需要足够长，才能看到两端对齐：模型崩溃是一个反复被提起的问题，Meta’s 研究者也写过论文，
我们在这里只看其中的一小部分，再看 Meta’s 另一篇，以及 Meta’s 第三篇，都在两端对齐的行里。

## Meta’s 的标题

正文，代码 `it’s_fine()` 用它自己的等宽字体。
"""


def test_an_apostrophe_inside_a_latin_word_is_the_latin_faces_and_is_not_spaced_apart(tmp_path):
    """`Meta’s` in Chinese text: the faces leave U+2019 to the CJK face (a Chinese closing quote, full
    width), so inside a Latin word it is marked and set in the Latin face, in the body, an emphasis,
    a heading and the title, and justification spaces it no more than the letters around it.
    The Chinese quotes ‘嵌套’ stay full-width. Before: `Meta’ s`, the apostrophe a CJK em wide."""
    folder = copy_real_project(tmp_path)
    (folder / "essay" / "model-collapse.md").write_text(APOSTROPHES, encoding="utf-8")
    assert run_cli(["--target", "pdf"], folder).code == 0
    assert run_cli(["--target", "blog"], folder).code == 0
    pdf = folder / "build" / "model-collapse.pdf"
    drawn: dict[str, str] = {}
    for page in text_by_face(pdf):
        for face, text in page.items():
            drawn[face] = drawn.get(face, "") + text
    in_latin = {face: text.count("’") for face, text in drawn.items() if "CJK" not in face and "’" in text}
    # the body; the emphasis; the title, the heading, the colophon; code, in its own face
    assert in_latin == {"Noto-Serif": 8, "Noto-Sans": 1, "Noto-Sans-Bold": 3, "DejaVu-Sans-Mono": 1}
    in_cjk = "".join(text for face, text in drawn.items() if "CJK" in face)
    assert in_cjk.count("‘") == 1 and in_cjk.count("’") == 1  # ‘嵌套’
    # A running head is a string (string-set), no markup: there the apostrophe is U+02BC, in the Latin face.
    assert "Metaʼs" in drawn["Noto-Sans-Latin"]
    assert "ʼ" not in in_cjk
    # The body's `Meta’s` (10.5 pt: poppler's word boxes 14.3 pt tall) as wide as its letters, kerning aside
    found = [word for word in pdf_words(pdf) if word.text == "Meta’s" and 13 < word.bottom - word.top < 15]
    assert len(found) >= 3  # poppler joins some to the Chinese before them
    natural = {face: 10.5 * sum(advance(char, face) for char in "Meta’s") / 1000 for face in ("Noto Serif", "Noto Sans")}
    assert [word.right - word.left for word in found
            if min(abs(word.right - word.left - width) for width in natural.values()) > 0.35] == []
    blog = (folder / "build" / "model-collapse.html").read_text(encoding="utf-8")
    assert blog.count('<span class="latin-apostrophe">’</span>') == 11  # the body 8, the emphasis, the heading, the title
    assert "‘嵌套’" in blog


def advance(char: str, face: str) -> float:
    """A character's advance in this face, in thousandths of an em."""
    font = TTFont(font_file(face), fontNumber=0)
    return font["hmtx"][font.getBestCmap()[ord(char)]][0] * 1000 / font["head"].unitsPerEm


BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (./dev test installs it)")
def test_the_blog_sets_a_chinese_essays_latin_in_noto_serif_and_its_marks_in_the_cjk_face(tmp_path):
    """In real Chromium: the fonts it draws a Latin run and a run of Chinese marks with, in a body
    paragraph, and the heading's (CSS.getPlatformFontsForNode). Before: both runs in Noto Serif CJK SC."""
    from playwright.sync_api import sync_playwright

    folder = copy_real_project(tmp_path)
    shutil.copy(ROOT / "tests" / "fixtures" / "english.md", folder / "essay" / "english.md")
    assert run_cli(["--target", "blog"], folder).code == 0
    assert "@font-face" not in (folder / "build" / "english.html").read_text(encoding="utf-8")  # as before
    runs = {"latin": "AlphaGo Zero stack overflow", "marks": "“世界”——……"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto((folder / "build" / "model-collapse.html").as_uri())
        page.evaluate("""runs => { for (const [id, text] of Object.entries(runs)) {
            const span = document.createElement('span'); span.id = id; span.textContent = text;
            document.querySelector('.essay-body > p').appendChild(span); } }""", runs)
        page.evaluate("""() => { const span = document.createElement('span'); span.id = 'apostrophe';
            span.className = 'latin-apostrophe'; span.textContent = '\u2019';
            document.querySelector('.essay-body > p').append('Meta', span, 's'); }""")
        page.evaluate("document.fonts.ready")
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]

        def faces(selector: str) -> set[str]:
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            return {font["postScriptName"] for font in fonts}

        found = {"latin": faces("#latin"), "marks": faces("#marks"), "title": faces("h1"), "apostrophe": faces("#apostrophe")}
        browser.close()
    assert found == {"latin": {"NotoSerif-Regular"}, "marks": {"NotoSerifCJKsc-Regular"},
                     "title": {"NotoSansCJKsc-Bold", "NotoSans-Bold"}, "apostrophe": {"NotoSerif-Regular"}}


# --- the URL fetcher: system font files, nothing else ------------------------------------------


HOSTILE_URLS = (
    "file:///etc/passwd",
    "file:///usr/share/fonts/../../../etc/passwd",
    "file:///usr/share/fonts/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "file:///usr/share/fonts/",  # a folder
    "file://example.com/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
    "file:///usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf?x",
    "http://127.0.0.1/NotoSerif-Regular.ttf",
    "https://fonts.example/NotoSerif-Regular.ttf",
)


def test_the_fetcher_reads_a_system_font_file_and_nothing_else():
    font = font_file("Noto Serif")
    assert _ProjectOnlyFetcher().fetch(font.as_uri()).read() == font.read_bytes()  # before: refused
    assert _ProjectOnlyFetcher().fetch("data:text/plain,ok").read() == b"ok"
    for url in HOSTILE_URLS:
        with pytest.raises(ValueError):
            _ProjectOnlyFetcher().fetch(url)


def test_a_symlink_out_of_the_font_folder_or_a_special_file_in_it_is_refused(tmp_path):
    fonts, elsewhere = tmp_path / "fonts", tmp_path / "elsewhere"
    fonts.mkdir()
    elsewhere.mkdir()
    real = font_file("Noto Serif")
    (elsewhere / "copy.ttf").write_bytes(real.read_bytes())
    (fonts / "passwd.ttf").symlink_to("/etc/passwd")
    (fonts / "outside.ttf").symlink_to(elsewhere / "copy.ttf")
    (fonts / "inside.ttf").symlink_to(real)  # a symlink to a font in another font folder: not this one
    (fonts / "font.ttf").write_bytes(real.read_bytes())
    (fonts / "font.txt").write_bytes(b"secret")
    os.mkfifo(fonts / "fifo.ttf")
    fetcher = _ProjectOnlyFetcher(font_folders=(fonts,))
    assert fetcher.fetch((fonts / "font.ttf").as_uri()).read() == real.read_bytes()
    for name in ("passwd.ttf", "outside.ttf", "inside.ttf", "font.txt"):
        with pytest.raises(ValueError):
            fetcher.fetch((fonts / name).as_uri())
    with pytest.raises(UnsafeFile):  # read without blocking: refused before it is opened
        fetcher.fetch((fonts / "fifo.ttf").as_uri())


def test_weasyprint_internals_the_line_height_relies_on_are_those_it_was_written_for():
    # pdf_line_height replaces split_text_box (its margins and baseline, as it sets them) and reads strut.
    from weasyprint import __version__
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    from footnoted import pdf_line_height

    assert __version__ == "70.0"
    read = {"layout.inline.split_text_box": pdf_line_height._ORIGINAL_SPLIT_TEXT_BOX,
            "text.line_break.strut": line_break.strut}
    digests = {name: hashlib.sha256(inspect.getsource(code).encode()).hexdigest()[:16] for name, code in read.items()}
    assert digests == {"layout.inline.split_text_box": "8c564329599ef23f", "text.line_break.strut": "b57885b70dd08efe"}
    assert inline.split_text_box is pdf_line_height._split_text_box


def test_a_chinese_titles_phrases_are_inline_blocks_and_its_text_stays_escaped():
    from footnoted.render_html import title_phrases

    assert str(title_phrases("人类数据耗尽之后，AI 会停滞吗？")) == (
        '<span class="phrase">人类数据耗尽之后，</span><span class="phrase">AI 会停滞吗？</span>')
    assert str(title_phrases("没有标点的标题")) == "没有标点的标题"  # one phrase: no span
    assert str(title_phrases("结尾的问号？")) == "结尾的问号？"  # a mark at the end ends no phrase
    assert str(title_phrases("Meta’s 模型：<b>粗</b>")) == (
        '<span class="phrase">Meta<span class="latin-apostrophe">’</span>s 模型：</span>'
        '<span class="phrase">&lt;b&gt;粗&lt;/b&gt;</span>')
    assert str(title_phrases("English, titles: whole", chinese=False)) == "English, titles: whole"
