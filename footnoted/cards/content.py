"""What goes on the cards: the resolved essay as a flat list of atoms, the pieces a card never splits.

An atom is a sentence of a paragraph, a list item or a quoted passage (never less, unless the
sentence is longer than a card), a heading, a table, a rule, or a line of the 出处 list. Each
atom carries its place in the essay's structure (`path`: the paragraph, list, item or passage it
belongs to), so that the atoms of one card are put back together as the blocks they came from,
and a block continued from the card before is reopened as a continuation (no first-line indent,
no second list marker). The citations an atom calls travel with it: a card's foot gives the short
sources of exactly the notes called on it.

The wording of the short sources, the 出处 lines and the sentence ends is the Xiaohongshu text's
own (footnoted.render_xhs): the cards and the text series say the same thing.
"""

from __future__ import annotations

import re
from html import escape
from typing import NamedTuple

from footnoted.bibliography import Entry, Passage
from footnoted.render_html import (
    LATIN_APOSTROPHE,
    fixed_cjk_spaces,
    latin_apostrophes,
    passage_paragraphs,
    translation_paragraphs,
)
from footnoted.render_xhs import _clause_pieces, _locator, _sentence_pieces, _strip_html, _Writer
from footnoted.resolve import ResolvedEssay
from footnoted.targets import RenderOptions
from footnoted.tree import ListBlock, Paragraph, plain_text


class Frame(NamedTuple):
    """An element atoms sit in: `key` tells one paragraph from another; `tag` opens it, and
    `continued` opens it again on a later card."""

    key: str
    tag: str
    close: str
    continued: str


class Atom(NamedTuple):
    path: tuple[Frame, ...]
    html: str
    text: str  # the words, for estimating and for reading back
    notes: tuple[int, ...] = ()  # the note numbers called in it
    llm: bool = False  # AI-drafted: the card holding it carries the label
    keep_with_next: bool = False  # a heading, or words that lead into what follows: never last on a card
    line: int = 0
    kind: str = "text"  # text, heading, table, rule, reference
    rows: tuple[str, ...] = ()  # a table's rows, should it not fit a card whole
    split_level: int = 0  # 0 a sentence; 1 a clause; 2 characters (a sentence longer than a card)


class Piece(NamedTuple):
    """A run of inline content: text inside some tags, or a note call (`call` > 0, no text)."""

    text: str
    tags: tuple[tuple[str, str], ...] = ()
    call: int = 0


class CardContent(NamedTuple):
    atoms: tuple[Atom, ...]  # the essay's text cards
    references: tuple[Atom, ...]  # the 出处 list: a heading, then one atom per source
    foot: dict[int, str]  # note number -> its short source(s), as the card's foot gives it
    reference_keys: tuple[str, ...]  # entry id of each reference atom after the heading
    cited_by_note: dict[int, tuple[str, ...]]  # note number -> the entries it cites


def pieces_html(pieces: list[Piece] | tuple[Piece, ...], mark_apostrophes: bool = True) -> str:
    """The pieces' markup; `mark_apostrophes`: text in Chinese (an English passage's apostrophes are
    its own face's already, and a mark would only part the kerning around them)."""
    out = []
    for piece in pieces:
        if piece.call:
            out.append(f'<sup class="call">{piece.call}</sup>')
            continue
        # Beside Chinese, a quarter-em space that justification does not stretch (as in print); an
        # apostrophe inside a Latin word marked for the Latin face (the stylesheet: Chinese cards only).
        text = str(latin_apostrophes(fixed_cjk_spaces(piece.text), mark_apostrophes))
        for opening, closing in reversed(piece.tags):
            text = opening + text + closing
        out.append(text)
    return "".join(out)


def pieces_text(pieces: list[Piece] | tuple[Piece, ...]) -> str:
    return "".join(p.text for p in pieces)


def split_pieces(pieces: list[Piece], splitter) -> list[list[Piece]]:  # type: ignore[no-untyped-def]
    """The pieces cut where `splitter` cuts their text (a list of strings that join to it).
    A note call stays with the words before it."""
    text = pieces_text(pieces)
    ends, position = [], 0
    for chunk in splitter(text):
        position += len(chunk)
        ends.append(position)
    groups: list[list[Piece]] = [[] for _ in ends] or [[]]
    index, offset = 0, 0
    for piece in pieces:
        if piece.call or not piece.text:  # with the words before it: a chunk just ended keeps it
            just_ended = index > 0 and offset == ends[index - 1]
            groups[index - 1 if just_ended else index].append(piece)
            continue
        text = piece.text
        while text:
            room = ends[index] - offset
            taken, text = text[:room], text[room:]
            groups[index].append(piece._replace(text=taken))
            offset += len(taken)
            if offset == ends[index] and index < len(ends) - 1:
                index += 1
    return [g for g in groups if g]


class ContentBuilder:
    def __init__(self, resolved: ResolvedEssay, options: RenderOptions) -> None:
        self.resolved, self.options = resolved, options
        self.front = resolved.front
        self.chinese = self.front.is_chinese
        self.writer = _Writer(resolved, options)  # the text series' wording of sources, its numbering
        self.numbered, self.llm_lines = self.writer.numbered, self.writer.llm_lines
        self.notes = {note.number: note for note in self.numbered.notes}
        self.atoms: list[Atom] = []
        self.counter = 0
        self.foot: dict[int, str] = {}
        self.pending: list[tuple[Entry, Passage, str, int]] = []

    def key(self, name: str) -> str:
        self.counter += 1
        return f"{name}{self.counter}"

    def build(self) -> CardContent:
        for block in self.numbered.blocks:
            self.block(block, (), llm=False)
        references, keys = self.reference_atoms()
        cited = {n: tuple(s.entry.id for s in note.sources) for n, note in self.notes.items()}
        return CardContent(tuple(self.atoms), references, self.foot, keys, cited)

    # --- blocks ---

    def block(self, block, path: tuple[Frame, ...], llm: bool) -> None:  # type: ignore[no-untyped-def]
        kind = block.kind
        line = getattr(block, "line", 0)
        llm = llm or line in self.llm_lines
        if kind == "div":
            for child in block.children:
                self.block(child, path, llm)
        elif kind == "paragraph":
            frame = Frame(self.key("p"), "<p>", "</p>", '<p class="cont">')
            self.sentences(self.inline_pieces(block.children), (*path, frame), llm, line)
            self.flush_passages(path, llm)
        elif kind == "heading":
            tag = "h2" if block.level <= 2 else "h3"
            pieces = self.inline_pieces(block.children)
            html = f"<{tag}>{pieces_html(pieces)}</{tag}>"
            self.add(Atom(path, html, plain_text(block.children), _calls(pieces), llm, True, line, "heading"))
        elif kind == "blockquote":
            frame = Frame(self.key("q"), "<blockquote>", "</blockquote>", '<blockquote class="cont">')
            for child in block.children:
                self.block(child, (*path, frame), llm)
        elif kind == "list":
            self.list_block(block, path, llm)
        elif kind == "resolved_passage":
            source = self.writer.source_of_block(block)
            self.passage(block.entry, block.passage, source, path, llm, line, block.note.number)
        elif kind == "table":
            self.table(block, path, llm)
        elif kind == "code_block":
            frame = Frame(self.key("pre"), "<pre>", "</pre>", '<pre class="cont">')
            for text in block.text.rstrip("\n").splitlines(keepends=True):
                self.add(Atom((*path, frame), escape(text), text, (), llm, False, line))
        elif kind == "html_block":
            frame = Frame(self.key("p"), "<p>", "</p>", '<p class="cont">')
            text = _strip_html(block.html).strip()
            if text:
                self.sentences([Piece(text)], (*path, frame), llm, line)
        elif kind == "rule":
            self.add(Atom(path, "<hr>", "", (), llm, False, line, "rule"))

    def list_block(self, block: ListBlock, path: tuple[Frame, ...], llm: bool) -> None:
        tag = "ol" if block.ordered else "ul"
        outer = Frame(self.key(tag), f'<{tag} start="{block.start}">' if block.ordered else f"<{tag}>", f"</{tag}>", "")
        for number, item in enumerate(block.items, block.start):
            # A list continued on the next card goes on with its numbering, its item without a second marker.
            opening = f'<{tag} start="{number}">' if block.ordered else f"<{tag}>"
            list_frame = outer._replace(continued=opening)
            item_frame = Frame(self.key("li"), "<li>", "</li>", '<li class="cont">')
            for child in item:
                if isinstance(child, Paragraph):
                    frame = Frame(self.key("p"), '<p class="item">', "</p>", '<p class="item cont">')
                    self.sentences(self.inline_pieces(child.children), (*path, list_frame, item_frame, frame),
                                   llm or child.line in self.llm_lines, child.line)
                    self.flush_passages((*path, list_frame, item_frame), llm)
                else:
                    self.block(child, (*path, list_frame, item_frame), llm)

    def table(self, block, path: tuple[Frame, ...], llm: bool) -> None:  # type: ignore[no-untyped-def]
        calls: list[int] = []  # the note calls in the cells, as they are made

        def cell(tag: str, inlines) -> str:  # type: ignore[no-untyped-def]
            pieces = self.inline_pieces(inlines)
            calls.extend(_calls(pieces))
            return f"<{tag}>{pieces_html(pieces)}</{tag}>"

        head = "<thead><tr>" + "".join(cell("th", c) for c in block.header) + "</tr></thead>"
        rows = tuple("<tr>" + "".join(cell("td", c) for c in row) + "</tr>" for row in block.rows)
        words = " ".join(plain_text(c) for row in (block.header, *block.rows) for c in row)
        frame = Frame(self.key("table"), f"<table>{head}<tbody>", "</tbody></table>", f'<table class="cont">{head}<tbody>')
        self.add(Atom((*path, frame), "".join(rows), words, tuple(calls), llm, False, block.line, "table", rows))

    def passage(self, entry: Entry, passage: Passage, source: str, path: tuple[Frame, ...], llm: bool, line: int,
                call: int = 0) -> None:
        """A quotation: the original (unless --xhs-original no and there is a translation), its
        translation, its source (with the note call when the body holds the passage itself)."""
        figure = Frame(self.key("fig"), '<figure class="passage">', "</figure>", '<figure class="passage cont">')
        lang = escape(entry.language or "en")  # as print sets a passage: its own language, else English
        if passage.table:
            table = passage.table
            caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
            head = "<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in table.header) + "</tr></thead>"
            rows = tuple("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table.rows)
            frame = Frame(self.key("table"), f'<table class="quoted">{caption}{head}<tbody>', "</tbody></table>",
                          f'<table class="quoted cont">{head}<tbody>')
            words = " ".join([table.caption, *table.header, *(c for row in table.rows for c in row)])
            self.add(Atom((*path, figure, frame), "".join(rows), words, (), llm, False, line, "table", rows))
        else:
            show_original = self.options.xhs_original or not passage.translation
            if show_original:
                quote = Frame(self.key("bq"), f'<blockquote lang="{lang}">', "</blockquote>",
                              f'<blockquote class="cont" lang="{lang}">')
                for paragraph in passage_paragraphs(passage):
                    frame = Frame(self.key("p"), "<p>", "</p>", '<p class="cont">')
                    pieces = [Piece(text, (('<em class="emphasis-added">', "</em>"),) if emphasised else ())
                              for text, emphasised in paragraph]
                    self.sentences(pieces, (*path, figure, quote, frame), llm, line, lang.lower().startswith("zh"))
            label = "译文：" if self.chinese else "Translation: "
            for index, text in enumerate(translation_paragraphs(passage)):
                frame = Frame(self.key("p"), '<p class="translation">', "</p>", '<p class="translation cont">')
                pieces = [Piece(label, (('<span class="label">', "</span>"),))] * (index == 0 and show_original)
                self.sentences([*pieces, Piece(text)], (*path, figure, frame), llm, line)
        if self.atoms and self.atoms[-1].path[: len(path) + 1] == (*path, figure):
            # The source never stands alone at the top of a card: the passage's last sentence goes with it.
            self.atoms[-1] = self.atoms[-1]._replace(keep_with_next=True)
        dash = "——" if self.chinese else "— "
        pieces = [Piece(dash + source), *([Piece("", call=call)] if call else [])]
        html = f'<p class="source">{pieces_html(pieces)}</p>'
        self.add(Atom((*path, figure), html, dash + source, (call,) if call else (), llm, False, line))

    def flush_passages(self, path: tuple[Frame, ...], llm: bool) -> None:
        """Passages cited in a sentence follow their paragraph, as in the text series (each once)."""
        pending, self.pending = self.pending, []
        seen = set()
        for entry, passage, source, line in pending:
            if (entry.id, passage.id) not in seen:
                seen.add((entry.id, passage.id))
                self.passage(entry, passage, source, path, llm, line)

    # --- sentences ---

    def sentences(self, pieces: list[Piece], path: tuple[Frame, ...], llm: bool, line: int,
                  mark_apostrophes: bool = True) -> None:
        pieces = _trimmed(pieces)
        if not pieces:
            return
        sentences = split_pieces(pieces, _sentence_pieces)
        for index, sentence in enumerate(sentences):
            text = pieces_text(sentence)
            last = index == len(sentences) - 1
            leads_on = last and text.rstrip().endswith(("：", ":", "——"))
            calls = _calls(sentence)
            self.add(Atom(path, pieces_html(sentence, mark_apostrophes), text, calls, llm, leads_on, line))

    def add(self, atom: Atom) -> None:
        for number in atom.notes:
            self.foot.setdefault(number, self.foot_text(number))
        self.atoms.append(atom)

    # --- inlines ---

    def inline_pieces(self, nodes, tags: tuple[tuple[str, str], ...] = ()) -> list[Piece]:  # type: ignore[no-untyped-def]
        out: list[Piece] = []
        for node in nodes:
            kind = node.kind
            if kind in ("text", "run"):
                out.append(Piece(node.text, tags))
            elif kind == "code":
                out.append(Piece(node.text, (*tags, ("<code>", "</code>"))))
            elif kind == "styled" and node.style == "del":
                continue  # struck-through words are left out, as in the text series (which warns)
            elif kind == "styled":
                tag = {"em": "em", "strong": "strong", "sub": "sub", "sup": "sup"}.get(node.style, "span")
                out += self.inline_pieces(node.children, (*tags, (f"<{tag}>", f"</{tag}>")))
            elif kind == "link":
                out += self.inline_pieces(node.children, (*tags, ('<span class="link">', "</span>")))
            elif kind == "image":
                out.append(Piece(self.writer.image_label(node.alt), tags))
            elif kind == "break":
                out.append(Piece("\n" if node.hard else " ", tags))
            elif kind == "html":
                out.append(Piece(_strip_html(node.html), tags))
            elif kind == "note_ref":
                out.append(Piece("", call=node.number))
                note = self.notes[node.number]
                for source in note.sources:
                    if source.passage is not None:
                        text = self.writer.short_source(source.entry, *_locator(source.item, source.passage))
                        self.pending.append((source.entry, source.passage, text, note.line))
            elif kind == "inline_reference":
                out.append(Piece(self.writer.short_sources(node.items, None, [], 0), tags))
                self.writer.pending.clear()
        return out

    def foot_text(self, number: int) -> str:
        """A note as the card's foot gives it: its short sources, or an author footnote's words."""
        note = self.notes[number]
        if note.is_citation:
            texts = []
            for source in note.sources:
                text = self.writer.short_source(source.entry, *_locator(source.item, source.passage))
                texts.append(" ".join(p for p in (plain_text(source.item.prefix), text) if p) + plain_text(source.item.suffix))
            return ("；" if self.chinese else "; ").join(texts)
        words = self.writer.footnote_words(note)
        self.writer.pending.clear()  # a passage it quotes is the text series' to show, not the foot's
        return words

    # --- the 出处 list ---

    def reference_atoms(self) -> tuple[tuple[Atom, ...], tuple[str, ...]]:
        lines = self.writer.references_text().split("\n")
        if len(lines) < 2:
            return (), ()
        frame = Frame("refs", '<ol class="references">', "</ol>", '<ol class="references cont">')
        title = "出处" if self.chinese else "Sources"
        atoms = [Atom((), f"<h2>{title}</h2>", title, (), False, True, 0, "heading")]
        keys = []
        for (entry, _), text in zip(self.numbered.references, lines[1:], strict=False):
            words = re.sub(r"^\d+\.\s*", "", text)
            atoms.append(Atom((frame,), f"<li>{escape(words)}</li>", words, (), False, False, 0, "reference"))
            keys.append(entry.id)
        return tuple(atoms), tuple(keys)


def _trimmed(pieces: list[Piece]) -> list[Piece]:
    """Without the spaces at either end (a note call aside)."""
    pieces = list(pieces)
    while pieces and not pieces[0].call and not pieces[0].text.strip():
        pieces.pop(0)
    while pieces and not pieces[-1].call and not pieces[-1].text.strip():
        pieces.pop()
    if pieces and not pieces[0].call:
        pieces[0] = pieces[0]._replace(text=pieces[0].text.lstrip())
    return pieces


def finer_atoms(atom: Atom) -> list[Atom]:
    """An atom too tall for a card, cut finer: a table into its rows, a sentence at its clause
    marks (，；：), else into halves between characters. [] when it cannot be cut."""
    if atom.kind == "table" and len(atom.rows) > 1:
        return [atom._replace(html=row, rows=(row,), notes=atom.notes if index == 0 else ())
                for index, row in enumerate(atom.rows)]
    if atom.kind != "text" or atom.split_level >= 2:
        return []
    pieces = _html_pieces(atom.html)
    if atom.split_level == 0:
        groups = split_pieces(pieces, _clause_pieces)
        if len(groups) > 1:
            return [_atom_of(atom, g, 1) for g in groups]
    text = pieces_text(pieces)
    if len(text) < 2:
        return []
    middle = len(text) // 2
    return [_atom_of(atom, g, 2) for g in split_pieces(pieces, lambda t: [t[:middle], t[middle:]])]


def _calls(pieces: list[Piece]) -> tuple[int, ...]:
    return tuple(p.call for p in pieces if p.call)


def _atom_of(atom: Atom, pieces: list[Piece], level: int) -> Atom:
    calls = _calls(pieces)
    marked = APOSTROPHE_MARKED in atom.html or not LATIN_APOSTROPHE.search(atom.text)  # as the whole atom was
    return atom._replace(html=pieces_html(pieces, marked), text=pieces_text(pieces), notes=calls, split_level=level,
                         keep_with_next=False)


APOSTROPHE_MARKED = str(latin_apostrophes("a\u2019s"))[1:-1]  # the markup latin_apostrophes gives one
_TAG = re.compile(r"(<sup class=\"call\">(\d+)</sup>)|(<[^>]+>)|([^<]+)")


def _html_pieces(html: str) -> list[Piece]:
    """An atom's inline HTML back as pieces (it was made from pieces, so this is exact)."""
    from html import unescape

    pieces: list[Piece] = []
    stack: list[tuple[str, str]] = []
    html = html.replace(APOSTROPHE_MARKED, "\u2019")  # a letter of its word again: pieces_html marks it anew
    for match in _TAG.finditer(html):
        if match.group(1):
            pieces.append(Piece("", call=int(match.group(2))))
        elif match.group(3):
            tag = match.group(3)
            if tag.startswith("</"):
                stack.pop()
            else:
                name = re.match(r"<(\w+)", tag).group(1)  # type: ignore[union-attr]
                stack.append((tag, f"</{name}>"))
        else:
            pieces.append(Piece(unescape(match.group(4)), tuple(stack)))
    return pieces
