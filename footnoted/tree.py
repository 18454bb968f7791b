"""The essay as an immutable tree: what every target renders from.

The parser turns markdown-it's token stream into these nodes once; resolving replaces
citations and footnote references by numbered note calls; each renderer then walks the same
tree. Each node names its `kind`, which the templates dispatch on.
"""

from collections.abc import Callable
from typing import NamedTuple, Union

from footnoted.bibliography import Entry, Passage

# Annotations here are evaluated (no `from __future__ import annotations`): NamedTuple turns a
# string annotation into a ForwardRef, compiling it, 0.1 ms a field at every start. Inside
# tuple[...] a name stays a plain string, so the two recursive types are spelled that way.
Inlines = tuple["Inline", ...]
Blocks = tuple["Block", ...]

# --- inline nodes -----------------------------------------------------------


class Text(NamedTuple):
    text: str
    kind = "text"


class Code(NamedTuple):
    text: str
    kind = "code"


class Styled(NamedTuple):
    style: str  # "em", "strong", "del", "sub" or "sup"
    children: Inlines
    kind = "styled"


class Link(NamedTuple):
    url: str
    children: Inlines
    title: str = ""
    kind = "link"


class Image(NamedTuple):
    src: str  # after resolving: a data: URI for a local image
    alt: str
    title: str = ""
    line: int = 0
    col: int = 0
    kind = "image"


class Break(NamedTuple):
    hard: bool
    kind = "break"


class RawHtml(NamedTuple):
    html: str  # shown as text unless the essay opts in to raw HTML
    kind = "html"


class CiteItem(NamedTuple):
    """One source of a citation. Parsed, `key` is as written: `@a:b` may be the key 'a:b' or the
    quote 'b' of the key 'a', which only the bibliography tells (footnoted.resolve decides, and
    hands on items whose `key` is the entry's id and `quote` the passage's)."""

    key: str
    quote: str = ""  # a quote id: `@{key}:quote`, or `@key:quote` once resolved
    prefix: Inlines = ()  # Markdown, as the writer wrote it
    locator_label: str = ""  # "page", "chapter", …; "" when no locator
    locator: str = ""
    suffix: Inlines = ()  # what follows the locator: ", emphasis added", " and *passim*"
    suppress_author: bool = False
    line: int = 0
    col: int = 0
    braced: bool = False  # `@{…}`: the key whole, never a key and a quote


class Cite(NamedTuple):
    items: tuple[CiteItem, ...]
    in_text: bool  # @key [p. 3]: the author's name stands in the sentence
    line: int
    col: int
    kind = "cite"


class FootnoteRef(NamedTuple):
    label: str
    line: int
    col: int
    kind = "footnote_ref"


class InlineNote(NamedTuple):
    """Pandoc's `^[…]`: a note written where it is called. Resolving numbers it with the others."""

    children: Inlines
    line: int
    col: int
    kind = "inline_note"


class NoteRef(NamedTuple):
    """A resolved note call: a citation or an author footnote, numbered in order of first call."""

    number: int
    first_call: bool  # only the first call of a note is the target of its back-link
    kind = "note_ref"


class Run(NamedTuple):
    """A piece of formatted reference text, output-neutral: each target renders it its way."""

    text: str
    italic: bool = False
    url: str = ""
    style: str = ""  # rich text in a title: any of "b", "sc", "sub", "sup", space-separated
    kind = "run"


class InlineReference(NamedTuple):
    """A citation inside an author footnote: rendered in the note's text, never as a nested note."""

    runs: tuple[Run, ...]
    items: tuple[CiteItem, ...] = ()  # as written, for targets that format their own
    in_text: bool = False  # `@key` in the note's sentence: a target giving a short source names the author first
    citation: int = -1  # its place in the essay's list of citations, while the style formats them
    kind = "inline_reference"


Inline = Union[
    Text, Code, Styled, Link, Image, Break, RawHtml, Cite, FootnoteRef, InlineNote, NoteRef, Run, InlineReference
]

# --- block nodes ------------------------------------------------------------


class Paragraph(NamedTuple):
    children: Inlines
    line: int
    kind = "paragraph"


class Heading(NamedTuple):
    level: int
    children: Inlines
    anchor: str
    line: int
    classes: tuple[str, ...] = ()  # pandoc's `{.class}` and `{-}` (unnumbered)
    kind = "heading"


class BlockQuote(NamedTuple):
    children: Blocks
    line: int
    kind = "blockquote"


class PassageQuote(NamedTuple):
    """`> [@key:quote]`: the passage itself in the body, its reference in a note."""

    cite: Cite
    line: int
    kind = "passage_quote"


class ResolvedPassage(NamedTuple):
    entry: Entry
    passage: Passage
    attribution: str  # short: "Shumailov et al., 2024, p. 755"
    note: NoteRef
    line: int
    kind = "resolved_passage"


class ListBlock(NamedTuple):
    ordered: bool
    start: int
    items: tuple[Blocks, ...]
    tight: bool
    line: int
    kind = "list"


class CodeBlock(NamedTuple):
    text: str
    info: str
    line: int
    kind = "code_block"


class TableBlock(NamedTuple):
    header: tuple[Inlines, ...]
    rows: tuple[tuple[Inlines, ...], ...]
    aligns: tuple[str, ...]
    line: int
    kind = "table"


class Rule(NamedTuple):
    line: int
    kind = "rule"


class HtmlBlock(NamedTuple):
    html: str
    line: int
    kind = "html_block"


class Div(NamedTuple):
    """A fenced div; `hidden_in` names the targets that leave it out (Quarto's conditional content)."""

    classes: tuple[str, ...]
    children: Blocks
    hidden_in: frozenset[str]
    line: int
    kind = "div"


Block = Union[Paragraph, Heading, BlockQuote, PassageQuote, ResolvedPassage, ListBlock, CodeBlock, TableBlock, Rule, HtmlBlock, Div]


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
            return node._replace(items=tuple(map_inlines(item, change, on_block) for item in node.items))
        if isinstance(node, TableBlock):
            return node._replace(header=tuple(change(c, node) for c in node.header),
                           rows=tuple(tuple(change(c, node) for c in row) for row in node.rows))
        if isinstance(node, (Div, BlockQuote)):
            return node._replace(children=map_inlines(node.children, change, on_block))
        if isinstance(node, (Paragraph, Heading)):
            return node._replace(children=change(node.children, node))
        return node

    return tuple(block(b) for b in blocks)


def shown(blocks: Blocks, target: str) -> Blocks:
    """The blocks without the divs hidden from `target` (Quarto's conditional content), however deeply nested."""
    result = []
    for node in blocks:
        if isinstance(node, Div):
            if target not in node.hidden_in:
                result.append(node._replace(children=shown(node.children, target)))
        elif isinstance(node, BlockQuote):
            result.append(node._replace(children=shown(node.children, target)))
        elif isinstance(node, ListBlock):
            result.append(node._replace(items=tuple(shown(item, target) for item in node.items)))
        else:
            result.append(node)
    return tuple(result)


def block_text(block: object) -> str:
    """The words of a block and everything in it, for places that take plain text."""
    if isinstance(block, (Paragraph, Heading)):
        return plain_text(block.children)
    if isinstance(block, ListBlock):
        return " ".join(block_text(b) for item in block.items for b in item)
    if isinstance(block, CodeBlock):
        return block.text
    return " ".join(block_text(b) for b in getattr(block, "children", ()))
