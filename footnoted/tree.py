"""The essay as an immutable tree: what every target renders from.

The parser turns markdown-it's token stream into these nodes once; resolving replaces
citations and footnote references by numbered note calls; each renderer then walks the same
tree. Each node names its `kind`, which the templates dispatch on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar, Union

from footnoted.bibliography import Entry, Passage

# --- inline nodes -----------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    kind: ClassVar[str] = "text"


@dataclass(frozen=True)
class Code:
    text: str
    kind: ClassVar[str] = "code"


@dataclass(frozen=True)
class Styled:
    style: str  # "em", "strong" or "del"
    children: Inlines
    kind: ClassVar[str] = "styled"


@dataclass(frozen=True)
class Link:
    url: str
    children: Inlines
    title: str = ""
    kind: ClassVar[str] = "link"


@dataclass(frozen=True)
class Image:
    src: str  # after resolving: a data: URI for a local image
    alt: str
    title: str = ""
    line: int = 0
    col: int = 0
    kind: ClassVar[str] = "image"


@dataclass(frozen=True)
class Break:
    hard: bool
    kind: ClassVar[str] = "break"


@dataclass(frozen=True)
class RawHtml:
    html: str  # shown as text unless the essay opts in to raw HTML
    kind: ClassVar[str] = "html"


@dataclass(frozen=True)
class CiteItem:
    key: str
    quote: str = ""  # a quote id: @key:quote
    prefix: str = ""
    locator_label: str = ""  # "page", "chapter", …; "" when no locator
    locator: str = ""
    suffix: str = ""
    suppress_author: bool = False
    line: int = 0
    col: int = 0


@dataclass(frozen=True)
class Cite:
    items: tuple[CiteItem, ...]
    in_text: bool  # @key [p. 3]: the author's name stands in the sentence
    line: int
    col: int
    kind: ClassVar[str] = "cite"


@dataclass(frozen=True)
class FootnoteRef:
    label: str
    line: int
    col: int
    kind: ClassVar[str] = "footnote_ref"


@dataclass(frozen=True)
class NoteRef:
    """A resolved note call: a citation or an author footnote, numbered in order of first call."""

    number: int
    first_call: bool  # only the first call of a note is the target of its back-link
    kind: ClassVar[str] = "note_ref"


@dataclass(frozen=True)
class Run:
    """A piece of formatted reference text, output-neutral: each target renders it its way."""

    text: str
    italic: bool = False
    url: str = ""
    kind: ClassVar[str] = "run"


@dataclass(frozen=True)
class InlineReference:
    """A citation inside an author footnote: rendered in the note's text, never as a nested note."""

    runs: tuple[Run, ...]
    items: tuple[CiteItem, ...] = ()  # as written, for targets that format their own
    kind: ClassVar[str] = "inline_reference"


Inline = Union[Text, Code, Styled, Link, Image, Break, RawHtml, Cite, FootnoteRef, NoteRef, Run, InlineReference]
Inlines = tuple[Inline, ...]

# --- block nodes ------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    children: Inlines
    line: int
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Heading:
    level: int
    children: Inlines
    anchor: str
    line: int
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True)
class BlockQuote:
    children: Blocks
    line: int
    kind: ClassVar[str] = "blockquote"


@dataclass(frozen=True)
class PassageQuote:
    """`> [@key:quote]`: the passage itself in the body, its reference in a note."""

    cite: Cite
    line: int
    kind: ClassVar[str] = "passage_quote"


@dataclass(frozen=True)
class ResolvedPassage:
    entry: Entry
    passage: Passage
    attribution: str  # short: "Shumailov et al., 2024, p. 755"
    note: NoteRef
    line: int
    kind: ClassVar[str] = "resolved_passage"


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[Blocks, ...]
    tight: bool
    line: int
    kind: ClassVar[str] = "list"


@dataclass(frozen=True)
class CodeBlock:
    text: str
    info: str
    line: int
    kind: ClassVar[str] = "code_block"


@dataclass(frozen=True)
class TableBlock:
    header: tuple[Inlines, ...]
    rows: tuple[tuple[Inlines, ...], ...]
    aligns: tuple[str, ...]
    line: int
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class Rule:
    line: int
    kind: ClassVar[str] = "rule"


@dataclass(frozen=True)
class HtmlBlock:
    html: str
    line: int
    kind: ClassVar[str] = "html_block"


@dataclass(frozen=True)
class Div:
    """A fenced div; `hidden_in` names the targets that leave it out (Quarto's conditional content)."""

    classes: tuple[str, ...]
    children: Blocks
    hidden_in: frozenset[str]
    line: int
    kind: ClassVar[str] = "div"


Block = Union[Paragraph, Heading, BlockQuote, PassageQuote, ResolvedPassage, ListBlock, CodeBlock, TableBlock, Rule, HtmlBlock, Div]
Blocks = tuple[Block, ...]


def plain_text(inlines: Inlines) -> str:
    """The words of some inline nodes, for titles, anchors and alt text."""
    parts = []
    for node in inlines:
        if isinstance(node, (Text, Code, Run)):
            parts.append(node.text)
        elif isinstance(node, (Styled, Link)):
            parts.append(plain_text(node.children))
        elif isinstance(node, Break):
            parts.append(" ")
    return "".join(parts)


def map_inlines(
    blocks: Blocks, change: Callable[[Inlines, Block], Inlines], on_block: Callable[[Block], Block | None] | None = None
) -> Blocks:
    """The blocks with `change(inlines, block)` applied to the inline content of every paragraph,
    heading and table cell, however deeply nested. `on_block` may take a block over first: what
    it returns replaces the block, None lets the walk go on."""

    def block(node: Block) -> Block:
        taken = on_block(node) if on_block else None
        if taken is not None:
            return taken
        if isinstance(node, ListBlock):
            return replace(node, items=tuple(map_inlines(item, change, on_block) for item in node.items))
        if isinstance(node, TableBlock):
            return replace(node, header=tuple(change(c, node) for c in node.header),
                           rows=tuple(tuple(change(c, node) for c in row) for row in node.rows))
        if isinstance(node, (Div, BlockQuote)):
            return replace(node, children=map_inlines(node.children, change, on_block))
        if isinstance(node, (Paragraph, Heading)):
            return replace(node, children=change(node.children, node))
        return node

    return tuple(block(b) for b in blocks)


def block_text(block: object) -> str:
    """The words of a block and everything in it, for places that take plain text."""
    if isinstance(block, (Paragraph, Heading)):
        return plain_text(block.children)
    if isinstance(block, ListBlock):
        return " ".join(block_text(b) for item in block.items for b in item)
    if isinstance(block, CodeBlock):
        return block.text
    return " ".join(block_text(b) for b in getattr(block, "children", ()))
