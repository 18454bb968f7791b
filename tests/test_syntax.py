"""Fixture-file tests of the draft syntax, markdown-it style: adding a case is adding text."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from footnoted.parse import parse_essay
from footnoted.tree import Blocks, Inlines

FIXTURES = Path(__file__).parent / "fixtures"


def dump_inline(node) -> str:
    kind = node.kind
    if kind == "text":
        return f'text "{node.text}"'
    if kind == "code":
        return f'code "{node.text}"'
    if kind == "link":
        return f"link {node.url} [{' | '.join(map(dump_inline, node.children))}]"
    if kind == "footnote_ref":
        return f"footnote_ref {node.label}"
    if kind == "inline_note":
        return f"note [{' | '.join(map(dump_inline, node.children))}]"
    if kind == "styled":
        return f"{node.style} [{' | '.join(map(dump_inline, node.children))}]"
    if kind == "cite":
        items = []
        for item in node.items:
            parts = [f'prefix="{markup(item.prefix)}"'] if item.prefix else []
            parts.append(f"key={item.key}")
            if item.quote:
                parts.append(f"quote={item.quote}")
            if item.locator:
                parts.append(f"locator={item.locator_label}:{item.locator}")
            if item.suffix:
                parts.append(f'suffix="{markup(item.suffix)}"')
            if item.suppress_author:
                parts.append("suppress-author")
            items.append(" ".join(parts))
        return f"cite{' in-text' if node.in_text else ''} [{' | '.join(items)}]"
    return kind


def markup(nodes: Inlines) -> str:
    """A citation's prefix or suffix in one line: its text, emphasis as *…*, code as `…`."""
    out = []
    for node in nodes:
        if node.kind == "styled":
            mark = {"em": "*", "strong": "**", "del": "~~"}[node.style]
            out.append(mark + markup(node.children) + mark)
        elif node.kind == "code":
            out.append(f"`{node.text}`")
        elif node.kind == "link":
            out.append(f"[{markup(node.children)}]({node.url})")
        else:
            out.append(getattr(node, "text", "") or " ")
    return "".join(out)


def dump_inlines(nodes: Inlines) -> list[str]:
    return [dump_inline(n) for n in nodes]


def dump_blocks(blocks: Blocks) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if block.kind == "paragraph":
            lines += dump_inlines(block.children)
        elif block.kind == "heading":
            classes = "".join(f" .{c}" for c in block.classes)
            lines.append(f"heading {block.level} #{block.anchor}{classes} [{' | '.join(dump_inlines(block.children))}]")
        elif block.kind == "code_block":
            lines.append(f"code_block {block.text!r}".replace("'", '"'))
        elif block.kind == "passage_quote":
            item = block.cite.items[0]
            lines.append(f"passage {item.key}" + f":{item.quote}" * bool(item.quote))
        elif block.kind == "blockquote":
            inner = [line for b in block.children for line in dump_inlines(b.children)]
            lines.append(f"blockquote [{' | '.join(inner)}]")
        elif block.kind == "div":
            inner = [line for b in block.children for line in dump_inlines(b.children)]
            lines.append(f"div hidden={','.join(sorted(block.hidden_in))} [{' | '.join(inner)}]")
        else:
            lines.append(block.kind)
    return lines


def dump_essay(source: str) -> str:
    essay = parse_essay("t.md", f"---\ntitle: t\n---\n{source}".encode(), Path("."))
    lines = [f"mark {m.mark} -> line {m.block_line - 3}" for m in essay.provenance]
    lines += dump_blocks(essay.blocks)
    for label, definition in essay.footnotes.items():
        inner = [line for b in definition.blocks for line in dump_inlines(b.children)]
        lines.append(f"footnote {label} [{' | '.join(inner)}]")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("line", "title", "source", "expected"),
    read_fixture_file(FIXTURES / "citations.md"),
    ids=[f"{case[0]}-{case[1]}" for case in read_fixture_file(FIXTURES / "citations.md")],
)
def test_syntax_fixture(line, title, source, expected):
    assert dump_essay(source) == expected.rstrip("\n")


PANDOC = read_fixture_file(FIXTURES / "pandoc.md")


@pytest.mark.parametrize(("line", "title", "source", "expected"), PANDOC, ids=[f"{c[0]}-{c[1]}" for c in PANDOC])
def test_pandoc_markdown_fixture(line, title, source, expected):
    """Pandoc's Markdown beyond citations: inline notes, sub/superscripts, smart punctuation,
    heading attributes, metadata blocks anywhere, Quarto's format names."""
    assert dump_essay(source) == expected.rstrip("\n")
