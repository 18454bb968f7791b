"""The real essay, end to end: what its author and readers are promised."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT, copy_real_project, run_cli


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = copy_real_project(tmp_path_factory.mktemp("essay"))
    result = run_cli(["--target", "blog", "--strict"], project)
    assert result.code == 0, result.err
    return result, (project / "build" / "model-collapse.html").read_text(encoding="utf-8")


def test_builds_with_no_warnings_even_under_strict(built):
    result, _ = built
    assert result.err == ""


def test_every_quoted_passage_lives_in_the_bibliography():
    essay = (ROOT / "essay" / "model-collapse.md").read_text(encoding="utf-8")
    bibliography = yaml.safe_load((ROOT / "citations" / "references.yaml").read_text(encoding="utf-8"))
    passages = [q["text"] for entry in bibliography["references"] for q in entry.get("quotes", {}).values()]
    assert len(passages) == 5
    for passage in passages:
        assert passage[:40] not in essay
    # No run of English prose in the draft: quotes are cited by key, not pasted.
    assert not re.search(r"[A-Za-z,]+(?: [A-Za-z,]+){8,}", essay)


def test_every_entry_is_cited_and_every_citation_resolves(built):
    _, html = built
    assert html.count('<li id="fn-') == 10
    assert html.count('<li id="ref-') == 8


def test_editorial_matter_never_reaches_the_page(built):
    _, html = built
    body = html.split("<body>", 1)[1]
    for leftover in ("%%", "【", "】", "#llm-draft", "#mine", "teaser", "emphasis mine", "~~", "add link", "blog略掉"):
        assert leftover not in body, leftover


def test_blog_leaves_out_what_the_author_hid_from_it(built):
    _, html = built
    assert "不过不得不说" not in html
    assert "另一方面，某种意义上" in html


def test_latest_variants_are_the_text(built):
    _, html = built
    assert "你可能听过这样的说法——AI 正在耗尽人类数据" in html
    assert "一种说法是" not in html
    assert "CUDA Agent" in html and "涉及编码、编译、性能分析" in html
    assert "【我的印象是profiling工具" not in html


def test_quote_notes_and_passages(built):
    _, html = built
    # The opening cites the abstract passage: its note carries the passage and its translation.
    note_1 = html.split('id="fn-1"', 1)[1].split("</li>", 1)[0]
    assert "Our findings indicate that if current LLM development trends continue" in note_1
    assert "译文：我们的研究结果表明" in note_1
    # First note for a source is the full form, later ones 同 + the first note's number + the page (GB/T 7714 §10.1.3).
    note_2 = html.split('id="fn-2"', 1)[1].split("</li>", 1)[0]
    note_3 = html.split('id="fn-3"', 1)[1].split("</li>", 1)[0]
    assert "Shumailov I，Shumaylov Z，Zhao Y，et al. AI models collapse" in note_2
    assert note_3.strip().startswith('value="3">\n<p>同2：755.')
    # Passages shown in the body, with the author's emphasis marked and said.
    assert '<em class="emphasis-added">indiscriminate use</em>' in html
    assert html.count("强调为引者所加") == 2
    assert "—— Shumailov 等, 2024, p. 758" in html
    assert "—— Huang, 2026, 00:23:57" in html
    assert "Jensen Huang (00:23:57)" not in html  # the speaker label is not part of the passage


def test_llama_table_is_a_table(built):
    _, html = built
    table = html.split('<table class="quoted-table">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 8
    assert "<th scope=\"row\">StackExchange</th><td>2.0%</td><td>1.03</td><td>78 GB</td>" in table
    assert "Scribd" not in html


def test_provenance_is_disclosed_and_addenda_close_the_essay(built):
    _, html = built
    assert '<p class="disclosure" role="note">本文部分内容由 AI 辅助起草，经作者审阅。</p>' in html
    body = html.split('<div class="essay-body">', 1)[1].split('<p class="disclosure"', 1)[0]
    body = body.rstrip().removesuffix("</div>")
    assert re.search(r'<h2 id="补记">补记</h2>\s*<h3 id="2026-03-25">2026-03-25</h3>', body)
    assert body.rstrip().endswith("</figure>")  # Jensen Huang's passage is the last thing in the essay


def test_page_head(built):
    _, html = built
    assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "<title>人类数据耗尽之后，AI 会停滞吗？</title>" in html
    assert '<meta name="description" content="你可能听过这样的说法——AI 正在耗尽人类数据' in html
    assert 'role="doc-noteref"' in html and 'role="doc-endnotes"' in html and 'role="doc-backlink"' in html
    # No author in the front matter: none printed, no empty byline.
    assert '<meta name="author"' not in html and 'class="author"' not in html
