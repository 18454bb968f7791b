"""English essays as a first-class language (issue #16): Latin faces, English hyphenation and
English labels in every target, read back from the real outputs (WeasyPrint's PDF, the blog's
HTML, the Xiaohongshu text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from pdf_reading import page_texts, text_by_face

FIXTURE = ROOT / "tests" / "fixtures" / "english.md"
CJK_FACE = re.compile(r"CJK", re.I)
CHINESE_PUNCTUATION = ("：", "——", "（", "）", "，", "。", "〔", "〕", "【", "】")


def build(folder: Path, essay_text: str, name: str = "english") -> Path:
    """The essay built to every target in a scratch project; the build folder."""
    (folder / "essay").mkdir(parents=True)
    (folder / "citations").mkdir()
    (folder / "essay" / f"{name}.md").write_text(essay_text, encoding="utf-8")
    result = run_cli(["--target", "all"], folder)
    assert result.code == 0, result.err
    return folder / "build"


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("english"), FIXTURE.read_text(encoding="utf-8"))


def test_an_english_essay_is_set_in_latin_faces_only(english):
    """Body, headings, running heads, colophon: no CJK face draws anything (its quotes,
    apostrophes and colons are full-width), and the body is Noto Serif."""
    pages = text_by_face(english / "english.pdf")
    in_cjk = {face: text for page in pages for face, text in page.items() if CJK_FACE.search(face)}
    assert in_cjk == {}
    body = "".join(page.get("Noto-Serif", "") for page in pages)
    assert "It’s an old worry" in body and "“irreversible”" in body


def test_no_chinese_punctuation_in_an_english_essays_outputs(english):
    pdf = "".join(page_texts(english / "english.pdf"))
    blog = (english / "english.html").read_text(encoding="utf-8")
    xhs = (english / "english.xhs.txt").read_text(encoding="utf-8")
    for output in (pdf, blog, xhs):
        assert [mark for mark in CHINESE_PUNCTUATION if mark in output] == []
    assert "— Shumailov et al., 2024, p. 755" in pdf  # the attribution: an em dash and a space
    assert "<figcaption>— Shumailov et al., 2024, p. 755" in blog
    assert "Author: Jane Writer" in pdf and "Published March 14, 2025" in pdf
    assert "\n■ What the experiments show\n" in xhs  # a section heading, set off without 【】


def test_english_paragraphs_are_hyphenated_code_is_not(english):
    lines = "".join(page_texts(english / "english.pdf")).splitlines()
    hyphenated = [line for line in lines if re.search(r"[a-z]\u2010$", line)]  # WeasyPrint's hyphen, U+2010
    assert len(hyphenated) >= 3, lines
    text = "\n".join(lines)
    assert "model-collapse-replication" in text  # the URL in code breaks at its delimiters, never hyphenated
    words = {re.sub(r"\W", "", w) for line in hyphenated for w in line.split()[-1:]}
    assert words and all(w.isalpha() for w in words)


def test_a_note_written_over_two_lines_flows_as_one_paragraph(tmp_path, english):
    """A soft line break inside a footnote is a space: the note prints as it does written on one line."""
    draft = FIXTURE.read_text(encoding="utf-8")
    one_line = draft.replace("where feeding cattle\n    the remains", "where feeding cattle the remains")
    assert one_line != draft
    joined = build(tmp_path, one_line)
    assert page_texts(joined / "english.pdf") == page_texts(english / "english.pdf")
    note = re.search(r'<li id="fn-4".*?</li>', (english / "english.html").read_text(encoding="utf-8"), re.S)
    assert note and "<br" not in note.group(0)


def test_a_chinese_essay_keeps_its_chinese_labels(tmp_path):
    draft = FIXTURE.read_text(encoding="utf-8").replace("lang: en", "lang: zh-CN")
    built = build(tmp_path, draft, "zh")
    pdf = "".join(page_texts(built / "zh.pdf"))
    assert "—— Shumailov 等, 2024, p. 755" in pdf
    assert "作者：Jane Writer" in pdf
    assert "<figcaption>—— Shumailov 等" in (built / "zh.html").read_text(encoding="utf-8")



def test_in_a_chinese_essay_chinese_punctuation_stays_in_the_cjk_face(tmp_path):
    """The English rules do not reach a Chinese essay: its quotes, dash and ellipsis stay full-width."""
    draft = ("---\ntitle: 混排\nlang: zh-CN\n---\n\n2024 年的 Nature 论文说，"
             "“AI 如果一直在自己输出的东西上训练，会越来越差”——这是 Shumailov 等人的结论……\n")
    built = build(tmp_path, draft, "mixed")
    body = text_by_face(built / "mixed.pdf")[2]  # the title page, its blank back, then the text
    cjk = "".join(text for face, text in body.items() if CJK_FACE.search(face))
    latin = "".join(text for face, text in body.items() if not CJK_FACE.search(face))
    assert all(mark in cjk for mark in ("“", "”", "——", "……", "，"))
    assert not any(mark in latin for mark in ("“", "”", "—", "…"))


def test_the_blog_of_an_english_essay_lists_latin_faces_first(english, tmp_path):
    blog = (english / "english.html").read_text(encoding="utf-8")
    stacks = re.findall(r"--serif: ([^;]*);", blog)
    assert stacks and stacks[-1].startswith('"Noto Serif",')  # the last declaration wins
    chinese = build(tmp_path, FIXTURE.read_text(encoding="utf-8").replace("lang: en", "lang: zh-CN"), "zh")
    assert re.findall(r"--serif: ([^;]*);", (chinese / "zh.html").read_text(encoding="utf-8")) == [
        '"Noto Serif Latin", "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "STSong", "Noto Serif", Georgia, serif']
