"""The typography pass for Chinese prose, with autocorrect (autocorrect-py) as the anchor."""

from __future__ import annotations

import re
import string

import autocorrect_py
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from footnoted.tree import Break, Code, Styled, Text
from footnoted.typography import _chinese_before, is_cjk, typeset_inlines, typeset_text


@pytest.mark.parametrize(("draft", "typeset"), [
    ("2024年的Nature论文说,AI 如果一直在自己输出的东西上训练,会越来越差", "2024 年的 Nature 论文说，AI 如果一直在自己输出的东西上训练，会越来越差"),
    ("构成为:CommonCrawl 67%,C4 15%,StackExchange 2%。", "构成为：CommonCrawl 67%，C4 15%，StackExchange 2%。"),
    ("更清楚的叙述(非主线)——", "更清楚的叙述（非主线）——"),
    ('在它那个领域的"世界"进行实践', "在它那个领域的“世界”进行实践"),
    ("但问题是,是吗?——", "但问题是，是吗？——"),
    ("简单的例子;CUDA Agent涉及编码", "简单的例子；CUDA Agent 涉及编码"),
    ("10%的真实数据", "10% 的真实数据"),
    ("奖励信号设计(输/赢)达到", "奖励信号设计（输/赢）达到"),
    ("见 https://example.com/a:b 与 3.14 和 1,000", "见 https://example.com/a:b 与 3.14 和 1,000"),
    ("We find that, indeed: yes.", "We find that, indeed: yes."),
])
def test_typeset_text(draft, typeset):
    assert typeset_text(draft) == typeset


def test_spacing_agrees_with_autocorrect_on_the_real_essay():
    """Where autocorrect puts a space between Chinese and Latin, so do we (and nowhere else)."""
    body = (ROOT / "essay" / "model-collapse.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    paragraphs = [p for p in body.split("\n\n") if re.search(r"[\u4e00-\u9fff]", p) and not p.startswith(("%%", "#", ">", ":::"))]
    assert len(paragraphs) > 15
    for paragraph in paragraphs:
        prose = re.sub(r"\[@[^\]]*\]|%%.*?%%|\[([^\]]*)\]\([^)]*\)", r"\1", paragraph)

        def spaces(text: str) -> list[str]:
            return re.findall(r"[\u4e00-\u9fff] [A-Za-z0-9]|[A-Za-z0-9%] [\u4e00-\u9fff]", text)

        assert spaces(typeset_text(prose)) == spaces(autocorrect_py.format(prose)), prose


def test_context_crosses_inline_nodes():
    nodes = typeset_inlines((Text("用"), Code("x"), Text("和"), Styled("em", (Text("AI"),)), Text("模型")))
    assert nodes == (Text("用 "), Code("x"), Text(" 和"), Styled("em", (Text(" AI"),)), Text(" 模型"))


def test_a_line_break_inside_a_chinese_sentence_is_no_space():
    assert typeset_inlines((Text("前文"), Break(False), Text("后文"))) == (Text("前文"), Text("后文"))
    assert typeset_inlines((Text("words"), Break(False), Text("more"))) == (Text("words"), Break(False), Text("more"))


def test_typography_off_keeps_the_text(project):
    from conftest import run_cli

    project.write("essay/x.md", "---\ntitle: t\ntypography: false\n---\n中文English,混排[@smith2020]，[@lee2019]。\n")
    assert run_cli([], project).code == 0
    assert "中文English,混排" in (project / "build" / "x.html").read_text(encoding="utf-8")


# Texts of Chinese, kana, Latin, digits, the marks that take or refuse a space (% ` $), other
# wide and narrow characters, and no punctuation: typesetting them only adds spaces.
_UNPUNCTUATED = st.text(st.sampled_from(list("中文数据アAz09%`$ —“é\u3000\t-_")), max_size=40)
LATIN_AFTER_CHINESE = set(string.ascii_letters + string.digits + "`$")
LATIN_BEFORE_CHINESE = set(string.ascii_letters + string.digits + "%`")
_CLAUSES = st.text(st.sampled_from(list("中文，。；：AzZ9 ,.;:!?—“é\u3000")), max_size=60)


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(_UNPUNCTUATED)
def test_a_space_goes_at_every_chinese_latin_seam_and_nowhere_else(text):
    """The rule stated position by position; the code finds the seams run by run."""
    expected = []
    for index, char in enumerate(text):
        left = text[index - 1] if index else ""
        if (is_cjk(left) and char in LATIN_AFTER_CHINESE) or (left in LATIN_BEFORE_CHINESE and is_cjk(char)):
            expected.append(" ")
        expected.append(char)
    assert typeset_text(text) == "".join(expected)


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(_CLAUSES, _CLAUSES)
def test_the_clause_before_a_mark_is_chinese_when_its_last_wide_character_is(before, text):
    """Stated character by character, back from the mark; the code skips ASCII in one step."""
    head = (before + text)[-200:]
    expected = False
    for at in range(len(head) - 1, -1, -1):
        if head[at] in "，。；：":
            break
        if is_cjk(head[at]):
            expected = not re.search(r"[,.;:!?] ", head[at:])
            break
    assert _chinese_before(text, len(text), before) == expected


def test_a_clipped_text_ends_before_a_latin_word_it_would_cut():
    from footnoted.typography import clipped

    assert clipped("短文", 120) == "短文"
    assert clipped("一" * 110 + " rock’n’roll 也是一个词", 120) == "一" * 110 + "…"  # not `rock’n’r…`
    assert clipped("一" * 130, 120) == "一" * 119 + "…"
    assert clipped("ab cdefgh", 6) == "ab…"
    assert clipped("abcdefgh", 5) == "abcd…"  # one word longer than the room: cut in it, as nothing else can be
    assert clipped("数据 model collapse，模型", 12) == "数据 model…"
