"""The AI disclosure tells the truth: its wording follows the provenance marks and the essay's
language, in the blog page, the PDF's colophon and the xhs text, and the implicit label
(GB 45438-2025's AIGC value) rides in the blog's <meta> and the PDF's Info and XMP.
Every case builds the real outputs and reads them back (html.parser, pypdf, pdftotext)."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import Project, run_cli
from pypdf import PdfReader

EN_UNREVIEWED = "Parts of this essay were drafted with AI and have not been reviewed by the author."
EN_MIXED = "Parts of this essay were drafted with AI: some have been reviewed by the author, others have not."
ZH_REVIEWED = "本文部分内容由 AI 辅助起草，经作者审阅。"
ZH_MIXED = "本文部分内容由 AI 辅助起草，其中一部分经作者审阅，其余未经作者审阅。"
TC260 = "{http://www.tc260.org.cn/ns/AIGC/1.0/}AIGC"
AIGC_FIELDS = ["Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID",
               "ReservedCode2"]


def english(body: str, extra: str = "") -> str:
    return f"---\ntitle: A test essay\nlang: en-GB\n{extra}---\n\nThe author's opening words.\n\n{body}"


def chinese(body: str, extra: str = "") -> str:
    return f"---\ntitle: 测试\n{extra}---\n\n作者写的开头。\n\n{body}"


class _Page(HTMLParser):
    """The blog page as a browser sees it: the <meta> names and the disclosure paragraphs' text."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.disclosures: list[str] = []
        self._in_disclosure = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "meta" and named.get("name"):
            self.meta[str(named["name"])] = str(named.get("content"))
        if tag == "p" and "disclosure" in str(named.get("class", "")).split():
            self._in_disclosure = True
            self.disclosures.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_disclosure = self._in_disclosure and tag != "p"

    def handle_data(self, data: str) -> None:
        if self._in_disclosure:
            self.disclosures[-1] += data


class Outputs(NamedTuple):
    out: str
    err: str
    page: _Page
    pdf_info: dict[str, str]
    pdf_xmp_labels: list[str]  # every TC260:AIGC value in the PDF's XMP packet
    pdf_text: str
    xhs: str


def build(project: Project, draft: str, *args: str) -> Outputs:
    project.write("essay/x.md", draft)
    result = run_cli(["--target", "all", *args], project)
    assert result.code == 0, result.err
    page = _Page()
    page.feed((project / "build" / "x.html").read_text(encoding="utf-8"))
    pdf = project / "build" / "x.pdf"
    reader = PdfReader(pdf)
    info = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    packet = reader.trailer["/Root"].get("/Metadata")
    labels = []
    if packet is not None:
        labels = [e.text or "" for e in ElementTree.fromstring(packet.get_object().get_data()).iter(TC260)]
    pdftotext = ["pdftotext", "-enc", "UTF-8", str(pdf), "-"]
    text = subprocess.run(pdftotext, capture_output=True, text=True, check=True).stdout
    xhs = (project / "build" / "x.xhs.txt").read_text(encoding="utf-8")
    return Outputs(result.out, result.err, page, info, labels, " ".join(text.split()), xhs)


def assert_disclosed(outputs: Outputs, wording: str) -> None:
    """The same wording in all three targets and in the metadata, with the implicit label."""
    assert outputs.page.disclosures == [wording]
    assert outputs.page.meta["ai-disclosure"] == wording
    label = json.loads(outputs.page.meta["AIGC"])
    assert list(label) == AIGC_FIELDS and label["Label"] == "1"
    assert [v for k, v in label.items() if k != "Label"] == [""] * 6  # nothing we do not know is claimed
    assert json.loads(outputs.pdf_info["/AIGC"]) == label
    assert outputs.pdf_info["/AIDisclosure"] == wording
    assert [json.loads(v) for v in outputs.pdf_xmp_labels] == [label]
    assert " ".join(wording.split()) in outputs.pdf_text  # the colophon (pdftotext may break the line)
    assert outputs.xhs.count(wording) == 1


def test_an_unreviewed_block_in_an_english_essay_is_disclosed_as_unreviewed_in_english(project):
    outputs = build(project, english("#llm-draft\nA paragraph the model wrote.\n"))
    assert_disclosed(outputs, EN_UNREVIEWED)
    assert "审阅" not in outputs.xhs + outputs.pdf_text and not outputs.page.meta["ai-disclosure"].count("审")
    report = outputs.out.splitlines()[-2:]
    assert report == [
        f'provenance essay/x.md: 1 LLM-drafted, not reviewed (line 9); 0 LLM-drafted, reviewed; 0 the author\'s; '
        f'disclosure: "{EN_UNREVIEWED}"',
        "provenance essay/x.md: NOT REVIEWED: LLM-drafted text nobody has reviewed; "
        "the disclosure says so",
    ]
    assert run_cli(["--target", "blog", "--strict"], project).code == 1  # --strict still refuses it


def test_reviewed_blocks_in_a_chinese_essay_get_the_reviewed_wording_in_chinese(project):
    outputs = build(project, chinese("#llm-draft/reviewed\n模型起草、作者审过的段落。\n\n#mine\n作者写的段落。\n"))
    assert_disclosed(outputs, ZH_REVIEWED)
    assert "未经" not in outputs.xhs and "NOT REVIEWED" not in outputs.out
    assert outputs.out.splitlines()[-1] == (
        f'provenance essay/x.md: 0 LLM-drafted, not reviewed; 1 LLM-drafted, reviewed (line 8); '
        f'1 the author\'s (line 11); disclosure: "{ZH_REVIEWED}"')


@pytest.mark.parametrize(("draft", "wording"), [
    (english("#llm-draft/reviewed\nReviewed by the author.\n\n#llm-draft\nNot reviewed yet.\n"), EN_MIXED),
    (chinese("#llm-draft\n尚未审过的段落。\n\n#llm-draft/reviewed\n审过的段落。\n"), ZH_MIXED),
])
def test_reviewed_and_unreviewed_blocks_together_are_both_disclosed(project, draft, wording):
    outputs = build(project, draft)
    assert_disclosed(outputs, wording)
    assert "NOT REVIEWED" in outputs.out.splitlines()[-1]


def test_no_ai_drafted_block_no_disclosure_and_no_label_and_one_mark_brings_both(project):
    outputs = build(project, english("#mine\nEvery word mine.\n"), "--pdf-tagged")
    assert outputs.page.disclosures == []
    assert "AIGC" not in outputs.page.meta and "ai-disclosure" not in outputs.page.meta
    assert "/AIGC" not in outputs.pdf_info and "/AIDisclosure" not in outputs.pdf_info
    assert outputs.pdf_xmp_labels == []  # the PDF/UA packet is there, without a label
    assert "drafted with AI" not in outputs.pdf_text + outputs.xhs
    assert outputs.out.splitlines()[-1] == (
        "provenance essay/x.md: 0 LLM-drafted, not reviewed; 0 LLM-drafted, reviewed; 1 the author's (line 9)")
    # The same essay with its block marked as drafted by AI: now the label and the line are there
    # (a tagged PDF: the label joins the packet WeasyPrint writes for PDF/UA).
    assert_disclosed(build(project, english("#llm-draft\nEvery word mine.\n"), "--pdf-tagged"), EN_UNREVIEWED)


def test_a_custom_disclosure_over_an_unreviewed_block_is_warned_at_its_key(project):
    custom = "ai_disclosure: Written with a little help.\n"
    outputs = build(project, english("#llm-draft\nA paragraph the model wrote.\n", custom))
    assert [line for line in outputs.err.splitlines() if line.startswith("essay/")] == [
        "essay/x.md:4:1: warning: 'ai_disclosure' is printed over LLM-drafted text nobody has reviewed (line 10): "
        f"say so in its wording (e.g. '{EN_UNREVIEWED}'), or review the text and mark it '#llm-draft/reviewed' "
        "[provenance.disclosure-unreviewed]"]
    assert_disclosed(outputs, "Written with a little help.")  # the writer's words still win
    assert outputs.out.splitlines()[-1].endswith("the disclosure does NOT say so")
    strict = run_cli(["--target", "blog", "--strict"], project)
    assert strict.code == 1 and "error: 'ai_disclosure' is printed over" in strict.err
    # Reviewed, the block may go out under the writer's own words: no warning.
    project.write("essay/x.md", english("#llm-draft/reviewed\nA paragraph the model wrote.\n", custom))
    reviewed = run_cli(["--target", "blog", "--strict"], project)
    assert "provenance." not in reviewed.err and "NOT REVIEWED" not in reviewed.out


@pytest.mark.parametrize("custom", ["第三段由 AI 起草，未经审阅。", "第三段由 AI 起草，有待作者审阅。",
                                    "One paragraph is AI-drafted and not yet reviewed."])
def test_a_custom_disclosure_that_says_so_is_not_warned(project, custom):
    project.write("essay/x.md", english("#llm-draft\nA paragraph the model wrote.\n", f"ai_disclosure: {custom}\n"))
    result = run_cli(["--target", "blog"], project)
    assert "disclosure-unreviewed" not in result.err
    assert result.out.splitlines()[-1].endswith("the disclosure says so")
    page = _Page()
    page.feed((project / "build" / "x.html").read_text(encoding="utf-8"))
    assert page.disclosures == [custom]


def test_the_check_command_lists_the_warning_too(project):
    project.write("essay/x.md", english("#llm-draft\nA paragraph the model wrote.\n", "ai_disclosure: Edited by me.\n"))
    result = run_cli(["check"], project)
    assert "essay/x.md:4:1: warning: 'ai_disclosure' is printed over LLM-drafted text" in result.err
    assert not Path(project / "build").exists()
