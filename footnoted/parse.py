"""Parse one draft: front matter, comments out, Markdown tokens into the essay tree.

Positions: markdown-it gives blocks a line range but inline tokens nothing, so our inline
rules record their offset in the inline source, and `_Locator` turns an offset into the
line and column of the draft (through the comment-stripping source map).
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from footnoted.diagnostics import Diagnostic, InputError, did_you_mean, error, warning
from footnoted.disclosure import custom_disclosure_warnings
from footnoted.essay import TARGETS, Essay, FootnoteDef, FrontMatter, ProvenanceMark, read_front_matter, text_language
from footnoted.locators import split_locator
from footnoted.safe_read import (
    MAX_DRAFT_BYTES,
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    UnsafeFile,
    image_pixels,
    inside,
    read_regular_file,
)
from footnoted.source import SourceMap, read_text, split_front_matter, strip_comments
from footnoted.syntax import MAX_INLINE_NESTING, MAX_NESTING, make_parser
from footnoted.tree import (
    Block,
    BlockQuote,
    Break,
    Cite,
    CiteItem,
    Code,
    CodeBlock,
    Div,
    FootnoteRef,
    Heading,
    HtmlBlock,
    Image,
    Inline,
    InlineNote,
    Link,
    ListBlock,
    Paragraph,
    PassageQuote,
    RawHtml,
    Rule,
    Styled,
    TableBlock,
    Text,
    block_text,
    plain_text,
)
from footnoted.yamlsafe import YamlMap, load_yaml

_PARSER: MarkdownIt | None = None
_ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
# Blocks whose content markdown-it parses as blocks again, one level deeper.
_CONTAINERS = {"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open", "container_div_open",
               "footnote_reference_open"}
_DIV_CLOSE = re.compile(r"[ \t>]*:{3,}[ \t]*\Z")
_STYLE_OF = {"em_open": "em", "strong_open": "strong", "s_open": "del", "sub_open": "sub", "sup_open": "sup"}
# Quarto's format names for the formats we build; Quarto's others are never built here.
_QUARTO_TARGETS = {"html": "blog", "html5": "blog", "pdf": "pdf", "latex": "pdf"}
_QUARTO_OTHERS = ("html4", "docx", "odt", "rtf", "epub", "epub3", "revealjs", "beamer", "pptx", "typst", "context",
                  "markdown", "gfm", "commonmark", "commonmark_x", "markua", "plain", "ipynb", "jats", "docbook",
                  "asciidoc", "rst", "org", "man", "ms", "texinfo", "dashboard", "docusaurus-md", "hugo-md")


def parser() -> MarkdownIt:
    """The one Markdown parser, built on first use and reused (watch mode parses often)."""
    global _PARSER
    if _PARSER is None:
        _PARSER = make_parser()
        # We judge link URLs ourselves, with a message, instead of markdown-it's silent refusal.
        _PARSER.validateLink = lambda url: True  # type: ignore[method-assign]
    return _PARSER


def parse_essay_file(path: Path) -> Essay:
    """A draft from its file: a regular file (a FIFO or a device is refused, unread) of at most MAX_DRAFT_BYTES."""
    return parse_essay(str(path), read_regular_file(path, MAX_DRAFT_BYTES), path.parent)


def parse_essay(path: str, data: bytes, folder: Path) -> Essay:
    """Raise InputError only when the draft cannot be read at all (encoding, front matter);
    other problems ride on the essay, so resolving can add its own and all are reported at once."""
    text = read_text(path, data)
    split = split_front_matter(path, text)
    front_data = load_yaml(split.yaml_text, path, line_offset=1) if split.yaml_text is not None else None
    stripped = strip_comments(path, split.body, split.body_first_line)
    tokens = parser().parse(stripped.text)
    converter = _Converter(path, stripped.text, stripped.source_map, folder, None)
    converter.check_depth(tokens)
    blocks = converter.blocks(tokens)
    front_data = _with_metadata_blocks(path, front_data, converter.metadata_blocks)
    front, problems = read_front_matter(path, front_data)
    if front is not None and not (isinstance(front_data, dict) and front_data.get("lang")):
        front = _in_language_of_text(front, front_data, blocks)
    problems += converter.problems
    if front is None:
        raise InputError(sorted(problems))
    key = front_data.key_places.get("ai_disclosure") if front_data is not None else None
    problems += custom_disclosure_warnings(path, front, converter.marks, key.line if key else 1, key.col if key else 1)
    stem = Path(path).stem
    return Essay(
        path=path, stem=stem, front=front, blocks=blocks,
        footnotes=MappingProxyType(converter.footnotes), provenance=tuple(converter.marks),
        comments=stripped.comments, diagnostics=tuple(sorted(problems)),
    )


def _with_metadata_blocks(path: str, front_data: object, blocks: list[tuple[int, str]]) -> object:
    """The front matter with pandoc's later metadata blocks merged in. As pandoc (2.17) does, a
    later block's value for a key replaces an earlier one's."""
    for line, text in blocks:
        data = load_yaml(text, path, line_offset=line)
        if data is None:
            continue
        if not isinstance(data, YamlMap):
            message = "a metadata block must be a mapping of 'key: value' lines"
            raise InputError([error(path, line + 1, 1, message, "frontmatter.not-a-mapping")])
        if not isinstance(front_data, YamlMap):
            front_data = data
            continue
        for key, value in data.items():
            front_data[key] = value
            front_data.key_places[key] = data.key_places[key]
            if key in data.value_places:
                front_data.value_places[key] = data.value_places[key]
    return front_data


def _in_language_of_text(front: FrontMatter, data: object, blocks: tuple[Block, ...]) -> FrontMatter:
    """No `lang`: the essay is in the language most of its letters are in, and its notes in that style."""
    words = " ".join([front.title, *(block_text(b) for b in blocks if not isinstance(b, CodeBlock))])
    lang = text_language(words)
    given_style = isinstance(data, dict) and "style" in data
    style = front.style if given_style else ("gb7714" if lang.startswith("zh") else "chicago")
    return front._replace(lang=lang, style=style)


class _Locator:
    def __init__(self, text: str, source_map: SourceMap) -> None:
        self.lines = text.split("\n")
        self.source_map = source_map
        # Where the lines of the last inline token asked about start, and their leads: computed
        # once per token, since a paragraph of one long line can hold 100,000 citations.
        self._token: Token | None = None
        self._starts: list[int] = []
        self._leads: dict[int, int] = {}

    def block_line(self, token: Token) -> int:
        return self.source_map.where(token.map[0] + 1, 1)[0] if token.map else 0

    def closes_div(self, token: Token) -> bool:
        """Does a ':::' line end the div that `token` opens? (markdown-it does not say)"""
        end = token.map[1] if token.map else len(self.lines)
        return end < len(self.lines) and bool(_DIV_CLOSE.match(self.lines[end]))

    def inline(self, token: Token, offset: int) -> tuple[int, int]:
        """Draft line and column of `offset` in an inline token's content."""
        if not token.map:
            return (0, 0)
        if self._token is not token:
            self._token = token
            self._starts = [0, *(match.end() for match in re.finditer("\n", token.content))]
            self._leads = {}
        line_delta = bisect.bisect_right(self._starts, offset) - 1
        col_in_line = offset - self._starts[line_delta]
        index = min(token.map[0] + line_delta, len(self.lines) - 1)
        if line_delta not in self._leads:
            self._leads[line_delta] = self._lead(token.content, line_delta, index)
        return self.source_map.where(index + 1, self._leads[line_delta] + col_in_line + 1)

    def _lead(self, content: str, line_delta: int, index: int) -> int:
        """How many characters of the source line come before the content line."""
        starts = self._starts
        end = starts[line_delta + 1] - 1 if line_delta + 1 < len(starts) else len(content)
        content_line = content[starts[line_delta] : end].rstrip()
        source_line = self.lines[index].rstrip()
        # Markdown strips indentation and '>' markers: the content line is the source line's tail.
        if source_line.endswith(content_line):
            return len(source_line) - len(content_line)
        return max(source_line.find(content_line.strip()), 0)


class _Converter:
    def __init__(self, path: str, text: str, source_map: SourceMap, folder: Path, front: FrontMatter | None) -> None:
        self.path, self.folder, self.front = path, folder, front
        self.locate = _Locator(text, source_map)
        self.problems: list[Diagnostic] = []
        self.footnotes: dict[str, FootnoteDef] = {}
        self.marks: list[ProvenanceMark] = []
        self.anchors: set[str] = set()
        self.metadata_blocks: list[tuple[int, str]] = []  # (draft line before its first, its YAML)
        self.anchor_counts: dict[str, int] = {}  # see anchor()

    def fail(self, line: int, col: int, message: str, code: str) -> None:
        self.problems.append(error(self.path, line, col, message, code))

    def warn(self, line: int, col: int, message: str, code: str) -> None:
        self.problems.append(warning(self.path, line, col, message, code))

    # --- blocks ---

    def check_depth(self, tokens: list[Token]) -> None:
        """markdown-it drops, without a word, the content of a block opened at its nesting limit:
        name the first such block. (Paragraphs and tables there keep their content.)"""
        deepest = next((t for t in tokens if t.level >= MAX_NESTING - 1 and t.type in _CONTAINERS), None)
        if deepest is not None:
            line = self.locate.block_line(deepest)
            self.fail(line, 1, f"nested more than {MAX_NESTING - 1} levels deep: flatten the quotes or lists", "markdown.too-deep")

    def blocks(self, tokens: list[Token]) -> tuple[Block, ...]:
        result: list[Block] = []
        pending_mark: ProvenanceMark | None = None
        index = 0
        while index < len(tokens):
            token = tokens[index]
            end = _matching_close(tokens, index)
            if token.type == "provenance":
                if pending_mark:
                    self.warn(pending_mark.line, 1, "provenance mark marks nothing: another mark follows", "provenance.unused")
                line = self.locate.block_line(token)
                pending_mark = ProvenanceMark(token.meta["mark"], line, 0)
            elif token.type == "yaml_meta":
                first = self.locate.source_map.where(token.map[0] + 2, 1)[0]
                self.metadata_blocks.append((first - 1, token.content))
            elif token.type == "footnote_reference_open":
                self.footnote(token, self.blocks(tokens[index + 1 : end]))
            else:
                block = self.block(tokens, index, end)
                if block is not None:
                    if pending_mark:
                        self.marks.append(ProvenanceMark(pending_mark.mark, pending_mark.line, block.line))
                        pending_mark = None
                    result.append(block)
            index = end + 1
        if pending_mark:
            self.warn(pending_mark.line, 1, "provenance mark marks nothing: no block follows it", "provenance.unused")
        return tuple(result)

    def footnote(self, token: Token, blocks: tuple[Block, ...]) -> None:
        label, line = token.meta["label"], self.locate.block_line(token)
        if label in self.footnotes:  # markdown-it keeps both; the second would replace the first unseen
            first = self.footnotes[label].line
            self.fail(line, 1, f"footnote '[^{label}]' is defined twice (first at line {first})", "footnote.duplicate")
            return
        self.footnotes[label] = FootnoteDef(label, blocks, line)

    def block(self, tokens: list[Token], start: int, end: int) -> Block | None:
        token = tokens[start]
        line = self.locate.block_line(token)
        inner = tokens[start + 1 : end]
        kind = token.type
        if kind == "paragraph_open":
            return Paragraph(self.inlines(tokens[start + 1]), line)
        if kind == "heading_open":
            children = self.inlines(tokens[start + 1])
            meta = token.meta or {}
            anchor = self.given_anchor(meta["id"], line) if meta.get("id") else self.anchor(plain_text(children))
            return Heading(int(token.tag[1]), children, anchor, line, meta.get("classes", ()))
        if kind == "blockquote_open":
            return self.blockquote(self.blocks(inner), line)
        if kind in ("bullet_list_open", "ordered_list_open"):
            items = []
            index = start + 1
            while index < end:
                item_end = _matching_close(tokens, index)
                items.append(self.blocks(tokens[index + 1 : item_end]))
                index = item_end + 1
            tight = any(t.hidden for t in inner if t.type == "paragraph_open")
            return ListBlock(kind == "ordered_list_open", int(token.attrs.get("start", 1)), tuple(items), tight, line)
        if kind in ("fence", "code_block"):
            return CodeBlock(token.content, token.info.strip(), line)
        if kind == "hr":
            return Rule(line)
        if kind == "html_block":
            return HtmlBlock(token.content, line)
        if kind == "table_open":
            return self.table(inner, line)
        if kind == "container_div_open":
            if not self.locate.closes_div(token):
                # markdown-it runs an unclosed div to the end: a forgotten ':::' would hide the rest.
                self.fail(line, 1, "fenced div ':::' is never closed: add a line ':::' where it ends", "div.unclosed")
            return self.div(token, self.blocks(inner), line)
        if kind == "inline":  # a lone inline token (tight list items without paragraphs)
            return Paragraph(self.inlines(token), line)
        return None

    def blockquote(self, children: tuple[Block, ...], line: int) -> Block:
        # `> [@key:quote]` alone: the passage itself is shown, not the words of the citation.
        if len(children) == 1 and isinstance(children[0], Paragraph):
            nodes = [n for n in children[0].children if not (isinstance(n, Text) and not n.text.strip())]
            if len(nodes) == 1 and isinstance(nodes[0], Cite) and len(nodes[0].items) == 1 and _may_be_quote(nodes[0].items[0]):
                return PassageQuote(nodes[0], line)  # resolving tells: a key with ':' in it makes it a blockquote again
        return BlockQuote(children, line)

    def table(self, tokens: list[Token], line: int) -> TableBlock:
        rows: list[tuple] = []
        aligns: list[str] = []
        row: list = []
        for token in tokens:
            if token.type == "tr_open":
                row = []
            elif token.type in ("th_open", "td_open"):
                style = str(token.attrs.get("style", ""))
                if token.type == "th_open":
                    aligns.append(style.removeprefix("text-align:") if style else "")
            elif token.type == "inline":
                row.append(self.inlines(token))
            elif token.type == "tr_close":
                rows.append(tuple(row))
        return TableBlock(rows[0] if rows else (), tuple(rows[1:]), tuple(aligns), line)

    def div(self, token: Token, children: tuple[Block, ...], line: int) -> Div:
        params = token.info.strip()
        classes = tuple(re.findall(r"\.([\w-]+)", params))
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', params))
        hidden: set[str] = set()
        known = (*TARGETS, *_QUARTO_TARGETS, *_QUARTO_OTHERS)
        names: dict[str, set[str]] = {}
        for attr in ("when-format", "unless-format"):
            names[attr] = set()
            for target in attrs.get(attr, "").split():
                if target not in known:
                    col = token.info.find(target) + 4
                    message = f"unknown target '{target}' (targets: {', '.join(TARGETS)}){did_you_mean(target, known)}"
                    self.fail(line, col, message, "div.unknown-target")
                names[attr].add(_QUARTO_TARGETS.get(target, target))
        when = names["when-format"] & set(TARGETS)
        unless = names["unless-format"] & set(TARGETS)
        if names["when-format"] and not when:  # only formats we never build: no target is named
            named: set[str] = set()
        else:
            named = when or (set(TARGETS) - unless if unless else set(TARGETS))
        if "content-hidden" in classes:
            hidden = named
        elif "content-visible" in classes:
            hidden = set(TARGETS) - named
        return Div(classes, children, frozenset(hidden), line)

    def anchor(self, text: str) -> str:
        base = re.sub(r"[^\w-]+", "-", text.strip().lower()).strip("-") or "section"
        # Counting on from the number this base last reached: from 1 each time, 8,000 headings
        # alike took 41 s. The anchors taken only grow, so every number below it is still taken.
        count = self.anchor_counts.get(base, 1)
        anchor = base if count == 1 else f"{base}-{count}"
        while anchor in self.anchors:
            count += 1
            anchor = f"{base}-{count}"
        self.anchors.add(anchor)
        self.anchor_counts[base] = count
        return anchor

    def given_anchor(self, anchor: str, line: int) -> str:
        """A heading's own `{#id}`, as written."""
        if anchor in self.anchors:
            self.warn(line, 1, f"heading id '{anchor}' is used twice", "heading.duplicate-id")
        self.anchors.add(anchor)
        return anchor

    # --- inlines ---

    def inlines(self, token: Token) -> tuple[Inline, ...]:
        children = token.children or []
        nodes, _ = self._inline_run(token, children, 0, None, in_link=False, depth=0)
        return _merge_text(nodes)

    def _inline_run(self, parent: Token, children: list[Token], index: int, close: str | None, in_link: bool,
                    depth: int) -> tuple[list[Inline], int]:
        nodes: list[Inline] = []
        while index < len(children):
            child = children[index]
            kind = child.type
            if kind == close:
                return nodes, index + 1
            index += 1
            if (kind in _STYLE_OF or kind in ("link_open", "inline_note_open")) and depth >= MAX_INLINE_NESTING:
                # markdown-it nests emphasis without limit; every stage after walks it recursively.
                self.too_deep_inline(parent)
                continue
            if kind == "text":
                if child.content:  # markdown-it leaves empty text where emphasis marks were
                    nodes.append(Text(child.content))
            elif kind in ("softbreak", "hardbreak"):
                nodes.append(Break(kind == "hardbreak"))
            elif kind == "math_inline":  # pandoc's $…$: TeX as typed, no Markdown inside
                nodes.append(Text(child.content))
            elif kind == "code_inline":
                nodes.append(Code(child.content))
            elif kind in _STYLE_OF:
                inner, index = self._inline_run(parent, children, index, kind.replace("_open", "_close"), in_link, depth + 1)
                nodes.append(Styled(_STYLE_OF[kind], _merge_text(inner)))
            elif kind == "link_open":
                inner, index = self._inline_run(parent, children, index, "link_close", True, depth + 1)
                nodes.append(self.link(parent, child, _merge_text(inner)))
            elif kind == "image":
                nodes.append(self.image(parent, child))
            elif kind == "html_inline":
                nodes.append(RawHtml(child.content))
            elif kind == "cite":
                nodes.append(self.cite(parent, child, in_link))
            elif kind == "cite_error":
                line, col = self.locate.inline(parent, child.meta["offset"])
                self.fail(line, col, child.meta["message"], child.meta["code"])
            elif kind == "inline_note_open":
                inner, index = self._inline_run(parent, children, index, "inline_note_close", in_link, depth + 1)
                line, col = self.locate.inline(parent, child.meta["offset"])
                if in_link:  # its call would be a link inside the link
                    self.fail(line, col, "a note inside link text: move it after the link", "footnote.in-link")
                nodes.append(InlineNote(_merge_text(inner), line, col))
            elif kind == "footnote_ref":
                line, col = self.locate.inline(parent, child.meta.get("offset", 0))
                nodes.append(FootnoteRef(child.meta["label"], line, col))
        return nodes, index

    def too_deep_inline(self, parent: Token) -> None:
        line, col = self.locate.inline(parent, 0)
        message = f"emphasis and links nested more than {MAX_INLINE_NESTING} levels deep: simplify the markup"
        if not any(p.code == "markdown.too-deep" and p.line == line for p in self.problems):
            self.fail(line, col, message, "markdown.too-deep")

    def cite(self, parent: Token, token: Token, in_link: bool) -> Cite:
        line, col = self.locate.inline(parent, token.meta["offset"])
        if in_link:
            self.fail(line, col, "a citation inside link text: move it after the link", "cite.in-link")
        items = []
        for item in token.meta["items"]:
            item_line, item_col = self.locate.inline(parent, item.offset)
            prefix = _merge_text(self._inline_run(parent, item.prefix, 0, None, in_link, 1)[0]) if item.prefix else ()
            suffix = _merge_text(self._inline_run(parent, item.suffix, 0, None, in_link, 1)[0]) if item.suffix else ()
            if item.suffix_spaced and suffix:
                suffix = _merge_text([Text(" "), *suffix])
            # pandoc's citeproc takes the locator off the suffix: "chaps. 2-3" is chapter 2-3.
            locator = split_locator(suffix)
            items.append(CiteItem(item.key, item.quote, prefix, locator.label if locator.value else "", locator.value,
                                  locator.suffix, item.suppress_author, item_line, item_col, item.braced))
        return Cite(tuple(items), token.meta["in_text"], line, col)

    def link(self, parent: Token, token: Token, children: tuple[Inline, ...]) -> Link:
        url = str(token.attrs.get("href", ""))
        if url[:4].lower() == "doi:":
            url = "https://doi.org/" + url[4:]
        # Schemes are case-insensitive: HTTPS://… is a web link, and JavaScript:… is still refused.
        if not (url.lower().startswith(_ALLOWED_SCHEMES) or url.startswith("#")):
            line, col = self._position_of(parent, "](" + str(token.attrs.get("href", "")), token.meta.get("offset", 0))
            scheme = url.split(":", 1)[0] + ":" if ":" in url else "a relative link"
            self.fail(line, col, f"link URL '{_short(url)}' is not allowed ({scheme}): use http, https, mailto or doi:", "link.scheme")
        return Link(url, children, str(token.attrs.get("title", "") or ""))

    def image(self, parent: Token, token: Token) -> Image:
        line, col = self.locate.inline(parent, token.meta.get("offset", 0))
        src = str(token.attrs.get("src", ""))
        name = unquote(src)  # markdown-it percent-encodes the link: 图.png arrives as %E5%9B%BE.png
        alt = token.content
        if not alt.strip():
            self.warn(line, col, f"image '{_short(name)}' has no alt text: describe it between the brackets",
                      "image.no-alt")
        if re.match(r"[a-z][a-z0-9+.-]*:", src, re.I):
            self.fail(line, col, f"remote image '{_short(name)}' is not fetched: save it next to the essay and link "
                      "the file", "image.remote")
            return Image(src, alt, "", line, col)
        return Image(self.embed(name, line, col), alt, str(token.attrs.get("title", "") or ""), line, col)

    def embed(self, name: str, line: int, col: int) -> str:
        """A local image (its file name, percent-decoded) as a data: URI, so the page stays one self-contained file."""
        shown = _short(name)
        try:
            target = inside(name, self.folder)  # symlinks resolved first: one that points out is refused
        except UnsafeFile:
            self.fail(line, col, f"image '{shown}' lies outside the essay's folder", "image.outside")
            return ""
        import base64  # here, not at the top: only an essay with local images needs them
        import mimetypes

        mime = mimetypes.guess_type(name)[0] or ""
        if not mime.startswith("image/"):
            self.fail(line, col, f"'{shown}' is not an image (png, jpeg, gif, svg or webp)", "image.type")
            return ""
        try:
            data = read_regular_file(target, MAX_IMAGE_BYTES)
        except UnsafeFile as exc:
            self.fail(line, col, f"image '{shown}': {exc.strerror}", f"image.{exc.kind}")
            return ""
        except OSError:
            self.fail(line, col, f"image '{shown}' not found", "image.missing")
            return ""
        size = image_pixels(data)
        if size and size[0] * size[1] > MAX_IMAGE_PIXELS:
            self.fail(line, col, f"image '{shown}' is {size[0]:,}×{size[1]:,} pixels, over the limit of "
                      f"{MAX_IMAGE_PIXELS // 1_000_000} million: scale it down", "image.too-large")
            return ""
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

    def _position_of(self, parent: Token, needle: str, start: int) -> tuple[int, int]:
        """Where `needle` stands from `start` on (its third character: past the "]("), else `start`."""
        offset = parent.content.find(needle, start)
        return self.locate.inline(parent, offset + 2 if offset >= 0 else start)


def _may_be_quote(item: CiteItem) -> bool:
    """`@key:quote`, or `@{key}:quote`: until the bibliography is read, 'a:b' may be either."""
    return bool(item.quote) or (not item.braced and ":" in item.key)


def _matching_close(tokens: list[Token], index: int) -> int:
    """Index of the token closing tokens[index] (itself for a token that opens nothing)."""
    if tokens[index].nesting != 1:
        return index
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1


def _merge_text(nodes: list[Inline]) -> tuple[Inline, ...]:
    merged: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    return tuple(merged)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"
