"""The Xiaohongshu target: plain text a phone reader can follow, posted as a numbered series.

Xiaohongshu shows no Markdown and no clickable links, and a body holds at most 1000 characters.
So the essay becomes what a careful writer types on the phone: headings on lines of their own,
「」 for quotations, • or 1. for items, a table as one line per row. A phone reader cannot follow
a note number, so every note is expanded where it is called: a citation becomes a short source
(Shumailov 等, Nature 2024, p. 755), a quoted passage follows its paragraph, an author footnote
stands in （注：…）, and no bracket stands inside another (a citation in a footnote is set off by
dashes). The text, its title first, is then cut at paragraph boundaries into as few parts as fit
the limit with their （i/N） header, the AI disclosure where needed, and the hashtags, and as even
in length as the paragraphs allow: a series is read part by part, and a scrap of a part reads as
one left over.
"""

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from footnoted.bibliography import Entry, Passage
from footnoted.diagnostics import Diagnostic, InputError, error, warning
from footnoted.disclosure import ai_disclosure
from footnoted.numbering import number_notes
from footnoted.resolve import ResolvedEssay
from footnoted.styles.common import locator_text, short_author
from footnoted.targets import Rendered, RenderOptions
from footnoted.tree import CiteItem, Div, ListBlock, plain_text, shown
from footnoted.typography import has_cjk, is_cjk, typeset_text

BODY_LIMIT = 1000  # UTF-16 units, header and hashtags included; the editor's own rule is unpublished
TITLE_LIMIT = 20  # as the editor counts: see title_count
MAX_TAGS = 10
_WIDE_PUNCTUATION = "（）「」『』，。、；：！？"
_BLOCKS = {"paragraph", "heading", "blockquote", "resolved_passage", "list", "code_block", "table", "html_block", "div"}
# A full stop after these does not end a sentence: "Fig. 1b", "et al.", "J. Smith".
_ABBREVIATION = re.compile(r"(?:\b(?:Figs?|Eq|Sec|Tab|No|Vol|al|cf|vs|pp?|Dr|Mrs?|Ms|St|e\.g|i\.e|etc)|\b[A-Z])\.\s*\Z")
_LONGEST_ABBREVIATION = 4  # characters before its full stop, in _ABBREVIATION
# Marks left in the text for _tidy, which sees what follows them: a closing mark stays only
# before words, not before punctuation or the end; _GLUE takes the spaces before it away.
_CLOSING_DASH, _CLOSING_DASH_EN, _CLOSING_SPACE, _CLOSING_COMMA, _GLUE = "\x01", "\x02", "\x03", "\x04", "\x05"
_MARKS = (_CLOSING_DASH, _CLOSING_DASH_EN, _CLOSING_SPACE, _CLOSING_COMMA, _GLUE)
_CLOSINGS = {_CLOSING_DASH: "——", _CLOSING_DASH_EN: " —", _CLOSING_SPACE: " ", _CLOSING_COMMA: ","}
_OPENS_CLAUSE = set("（(「『“‘，、；：,;:.。!?！？")  # after these, words set off need no dash before them
_BRACKETS = {"（": 1, "(": 1, "）": -1, ")": -1}
# Words after which a source is named without a dash: "见 Lee, 2019", "see Lee, 2019".
# Patterns, not compiled: only a citation inside brackets needs them (a compile costs a build 0.3 ms).
_INTRODUCING = {True: r"(?:见|引|引用|据|如|载于|参看|出自)\Z",
                False: r"(?i)(?:^|[\s(“‘])(?:see|cf\.|in|from|by|as|citing|quoting)\Z"}
_LONGEST_INTRODUCTION = 8  # characters of the text before a citation that _INTRODUCING reads
# What a part costs the reader (pack_for), as weights far enough apart that each outweighs all
# below it: a part's squared length is at most 1000² and a series has fewer than 10⁶ parts.
_ALONE, _CUT_INSIDE, _PART, _UNDER_HALF = 10**42, 10**34, 10**24, 10**14
_Span = Callable[[int, int], int]  # of a run of items from start to end: its length, or its cost
_GRAIN = 50  # pack_for: units this small are joined with their neighbours before parts are cut...
_EXACT_WORK = 400_000  # ...where cutting unit by unit would look at more (part, unit) pairs than this


_SCRIPTS = {
    "sub": str.maketrans("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"),
    "sup": str.maketrans("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ"),
}


def _script(text: str, style: str) -> str:
    """A sub- or superscript in Unicode's own characters when it has one for each, else as written."""
    converted = text.translate(_SCRIPTS[style])
    return text if any(char == original for char, original in zip(converted, text, strict=True)) else converted


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def title_count(title: str) -> int:
    """The editor's count: a UTF-16 unit above 127 counts 2, an ASCII character 1, halved, rounded up."""
    data = title.encode("utf-16-le")
    total = sum(2 if int.from_bytes(data[i : i + 2], "little") > 127 else 1 for i in range(0, len(data), 2))
    return (total + 1) // 2


class Unit(NamedTuple):
    """A piece of the body that a part never splits: a paragraph, a list, a quoted passage."""

    text: str
    llm: bool = False  # drafted by an LLM: the part holding it carries the disclosure
    keep_with_next: bool = False  # a heading, or a paragraph that leads into a quotation
    reference: bool = False  # the 参考 list: a part holding nothing else would be a post of titles


class _Pending(NamedTuple):
    """A passage cited in a sentence: it follows the paragraph, as it cannot stand mid-sentence."""

    entry: Entry
    passage: Passage
    source: str
    line: int


def render_xhs(resolved: ResolvedEssay, options: RenderOptions) -> Rendered:
    return _Writer(resolved, options).render()


class _Writer:
    def __init__(self, resolved: ResolvedEssay, options: RenderOptions) -> None:
        self.resolved, self.options, self.front = resolved, options, resolved.front
        self.chinese = self.front.is_chinese
        self.dash = "——" if self.chinese else "— "  # before the source under a quotation
        self.path = resolved.essay.path
        self.diagnostics: list[Diagnostic] = []
        self.images: list[str] = []
        self.pending: list[_Pending] = []
        self.enclosing = 0  # brackets open around the block being written: 1 inside an author footnote's （注：…）
        self.entries = {**resolved.cited, **{entry.id: entry for entry, _ in resolved.references}}
        self.numbered = number_notes(resolved, "xhs", link_notes=False)  # as Xiaohongshu shows the essay
        self.references = self.numbered.references  # none cited only in hidden text
        self.llm_lines = {m.block_line for m in resolved.essay.provenance if m.mark.startswith("llm")}
        self.tags = self.hashtags()
        self.disclosure = ai_disclosure(resolved.essay)
        if self.chinese and self.front.typography:
            self.disclosure = typeset_text(self.disclosure)

    def warn(self, line: int, message: str, code: str) -> None:
        self.diagnostics.append(warning(self.path, line, 1 if line else 0, message, code))

    # --- the output ---

    def render(self) -> Rendered:
        title = self.front.xhs_title or self.front.title
        self.check_title(title)
        if self.room(llm=True) < 200:
            message = "the hashtags and the AI disclosure leave too little room in a part"
            raise InputError([error(self.path, 0, 0, message, "xhs.no-room")])
        # The title opens the first part: a reader who meets the series there knows what it is.
        title_pieces = self.fit(_no_hash(self.front.title), self.room(False), 0)
        units = [Unit(piece, keep_with_next=True) for piece in title_pieces]
        units += [unit for block in shown(self.resolved.blocks, "xhs") for unit in self.block_units(block)]
        if self.references:
            units += [Unit(piece, reference=True) for piece in self.fit(self.references_text(), self.room(False), 0)]
        parts = self.pack(units)
        stem, width = self.resolved.essay.stem, max(2, len(str(len(parts))))
        files = [(f"{stem}.xhs/{i:0{width}d}.txt", part.encode("utf-8")) for i, part in enumerate(parts, 1)]
        whole = (f"{stem}.xhs.txt", self.whole_text(title, parts).encode("utf-8"))
        return Rendered(files=(whole, *files), summary=self.summary(title, parts),
                        diagnostics=tuple(self.diagnostics), owned_folder=f"{stem}.xhs")

    def check_title(self, title: str) -> None:
        count = title_count(title)
        if count > TITLE_LIMIT:
            line, col = _front_matter_place(self.path, "xhs_title" if self.front.xhs_title else "title")
            message = (f"the Xiaohongshu title '{title}' counts {count} (limit {TITLE_LIMIT}): "
                       "give a shorter one as 'xhs_title' in the front matter")
            raise InputError([error(self.path, line, col, message, "xhs.title-too-long")])

    def hashtags(self) -> str:
        tags = [tag for tag in (re.sub(r"[\s#]+", "", t) for t in self.front.tags) if tag]  # a topic has no spaces
        if len(tags) > MAX_TAGS:
            left_out = ", ".join(tags[MAX_TAGS:])
            self.warn(0, f"{len(tags)} tags: Xiaohongshu takes {MAX_TAGS}, the rest are left out ({left_out})",
                      "xhs.too-many-tags")
        return " ".join("#" + tag for tag in tags[:MAX_TAGS])

    def summary(self, title: str, parts: list[str]) -> str:
        counts = ", ".join(f"{utf16_units(p)}/{BODY_LIMIT}" for p in parts)
        lines = [f"{len(parts)} part{'s' * (len(parts) > 1)}: {counts}", f"title {title_count(title)}/{TITLE_LIMIT}"]
        if self.images:
            lines.append(f"attach {len(self.images)} image{'s' * (len(self.images) > 1)} when posting: "
                         + ("、" if self.chinese else ", ").join(self.image_label(alt) for alt in self.images))
        if self.resolved.essay.has_llm_text:
            lines.append("the text carries the AI disclosure: also declare AI-assisted content in the app when "
                         "posting, as plain text has no metadata for the implicit AIGC label")
        return "; ".join(lines)

    def whole_text(self, title: str, parts: list[str]) -> str:
        sections = [("标题：" if self.chinese else "Title: ") + title + "\n"]
        for index, part in enumerate(parts, 1):
            head = f"第 {index}/{len(parts)} 篇" if self.chinese else f"Part {index}/{len(parts)}"
            sections.append(f"━━━━━━ {head} · {utf16_units(part)}/{BODY_LIMIT} ━━━━━━\n\n{part}")
        return "\n".join(sections)

    # --- parts ---

    def part_text(self, index: int, total: int, texts: list[str], llm: bool) -> str:
        header = f"（{index}/{total}）" if self.chinese else f"({index}/{total})"
        pieces = [header] * (total > 1) + texts + [self.disclosure] * llm + [self.tags] * bool(self.tags)
        return "\n\n".join(pieces) + "\n"

    def room(self, llm: bool) -> int:
        """What one unit may take in a part of the widest series (a header of three digits)."""
        return BODY_LIMIT - utf16_units(self.part_text(999, 999, [""], llm))

    def pack(self, units: list[Unit]) -> list[str]:
        """Cut the units into parts; the header widens with the count, so pack again when it does.
        The text's length over the limit is fewer parts than any packing makes: a header too
        narrow for that many is not tried."""
        widest, fewest = 9, sum(utf16_units(unit.text) for unit in units) // BODY_LIMIT
        while widest < fewest:
            widest = widest * 10 + 9
        while len(groups := self.pack_for(units, widest)) > widest:
            widest = widest * 10 + 9
        return [self.part_text(i, len(groups), [u.text for u in group], any(u.llm for u in group))
                for i, group in enumerate(groups, 1)]

    def pack_for(self, units: list[Unit], widest: int) -> list[list[Unit]]:
        """The fewest parts, as even as they can be: a series of seven whose second holds a
        paragraph and whose last holds only the 参考 list reads as scraps. Cut points are chosen
        over the whole essay (a shortest path over the places a part may end), each part costed by
        what a reader minds, most first: the 参考 list alone in a part; a heading or lead-in cut from
        what it leads into (only where their run is longer than a part); one more part; a part under
        half the limit; then the sum of the squared lengths, which is least when the parts are even.
        A part's length is summed from its units' lengths, never joined and counted again."""
        if not units:
            return [[]]
        count = len(units)
        bare = utf16_units(self.part_text(widest, widest, [], False))  # header, hashtags, final newline
        with_disclosure = utf16_units(self.part_text(widest, widest, [], True))
        length_before, llm_before = [0], [0]  # per unit: its length and the blank line before it
        for unit in units:
            length_before.append(length_before[-1] + utf16_units(unit.text) + 2)
            llm_before.append(llm_before[-1] + unit.llm)

        def length(start: int, end: int) -> int:
            overhead = with_disclosure if llm_before[end] > llm_before[start] else bare
            return overhead + length_before[end] - length_before[start]

        # Where a part may end: after a unit that does not lead into the next, and inside a run of
        # such units only if the run is too long for one part (then at a cost).
        run_start = [0] * count
        for index in range(1, count):
            run_start[index] = run_start[index - 1] if units[index - 1].keep_with_next else index
        run_end = [count] * count
        for index in range(count - 2, -1, -1):
            run_end[index] = run_end[index + 1] if units[index].keep_with_next else index + 1
        cut_inside = [False] * (count + 1)  # an end inside a run (a cost), by the index of the unit after it
        may_end = [True] * (count + 1)
        for index in range(1, count):
            if units[index - 1].keep_with_next:
                cut_inside[index] = True
                may_end[index] = length(run_start[index - 1], run_end[index - 1]) > BODY_LIMIT
        references_before = [0]
        for unit in units:
            references_before.append(references_before[-1] + unit.reference)
        has_body = references_before[-1] < count

        # Small units that follow each other go in blocks of up to _GRAIN, and a part ends only
        # between blocks: any two blocks side by side hold more than _GRAIN, so a part's end is
        # looked for at most 2 × BODY_LIMIT / _GRAIN blocks back. Only where unit by unit would be
        # too much work (20,000 one-line paragraphs took 40 s): evenness is then lost by at most a
        # block, and if blocks need more parts than filling each part in turn, that is taken.
        grain = _GRAIN if _window_work(count, length, BODY_LIMIT) > _EXACT_WORK else 0
        bounds = [0]
        for index in range(1, count):
            if (length_before[index + 1] - length_before[bounds[-1]] > grain
                    or units[index].reference != units[index - 1].reference):
                bounds.append(index)
        bounds.append(count)

        def block_length(start: int, end: int) -> int:
            return length(bounds[start], bounds[end])

        def cost(start: int, end: int) -> int:
            first, last = bounds[start], bounds[end]
            alone = has_body and references_before[last] - references_before[first] == last - first
            return _ALONE * alone + _CUT_INSIDE * cut_inside[last]

        runs = _even_runs(len(bounds) - 1, block_length, BODY_LIMIT, [may_end[index] for index in bounds], cost)
        cuts = [(bounds[start], bounds[end]) for start, end in runs]
        if grain and len(filled := _filled_runs(units, length, run_end)) < len(cuts):
            cuts = filled
        return [units[start:end] for start, end in cuts]

    def fit(self, text: str, room: int, line: int) -> list[str]:
        """A unit too long for any part is cut at line ends, else between sentences (with a warning)."""
        pieces, mid_line = _split_to_fit(text, room)
        if mid_line:
            self.warn(line, f"a paragraph of {utf16_units(text)} characters is longer than a part ({room}): "
                      "split between sentences", "xhs.paragraph-split")
        return pieces

    # --- blocks ---

    def block_units(self, block: object) -> list[Unit]:
        if isinstance(block, Div):
            return [u for child in block.children for u in self.block_units(child)]
        llm, line = bool(_lines_of(block) & self.llm_lines), getattr(block, "line", 0)
        if block.kind == "resolved_passage":
            texts = [self.passage_text(block.entry, block.passage, self.source_of_block(block), line, self.room(llm))]
        elif block.kind == "blockquote":  # a quotation per paragraph, so parts may break between them
            texts = [self.quote(self.text_of(child, 2)) for child in block.children]
        else:
            texts = [self.text_of(block, 1)]
        leads_on = block.kind == "heading" or bool(texts) and texts[-1].rstrip().endswith(("：", ":", "——"))
        units = [Unit(piece, llm, leads_on) for text in texts if text.strip()
                 for piece in self.fit(_no_hash(text), self.room(llm), line)]
        pending, self.pending = self.pending, []
        for p in {(p.entry.id, p.passage.id): p for p in pending}.values():  # a passage cited twice shows once
            units.append(Unit(_no_hash(self.passage_text(p.entry, p.passage, p.source, p.line, self.room(llm))), llm))
        return units

    def text_of(self, block: object, depth: int) -> str:
        """Any block as plain lines; `depth` picks the marks of a quotation inside a quotation."""
        kind = getattr(block, "kind", "")
        if kind == "paragraph":
            return _tidy(self.inlines(block.children, block.line))
        if kind == "heading":
            words = _tidy(self.inlines(block.children, block.line))
            if block.level > 2:
                return words
            # A section heading set off as the platform's writers set one: 【】 in Chinese, which an
            # English post would show as two foreign brackets; there a square before it.
            return f"【{words}】" if self.chinese else f"■ {words}"
        if kind == "blockquote":
            return "\n".join(self.quote(self.text_of(child, depth + 1), depth) for child in block.children)
        if kind == "list":
            return "\n".join(self.list_lines(block, 0))
        if kind == "table":
            cells = [[_tidy(self.inlines(cell, block.line)) for cell in row] for row in (block.header, *block.rows)]
            return "\n".join(self.table_lines(cells))
        if kind == "code_block":
            return block.text.rstrip("\n")
        if kind == "html_block":
            return _strip_html(block.html).strip()
        if kind == "resolved_passage":
            return self.passage_text(block.entry, block.passage, self.source_of_block(block), block.line)
        if kind == "div":
            return "\n".join(self.text_of(child, depth) for child in block.children)
        return ""  # a rule: the blank lines around paragraphs already mark the break

    def list_lines(self, block: ListBlock, depth: int) -> list[str]:
        lines = []
        for number, item in enumerate(block.items, block.start):
            marker = f"{number}." if block.ordered else ("•" if depth == 0 else "◦")
            lead = "  " * depth + marker + " "
            for child in item:
                if isinstance(child, ListBlock):
                    if lead.strip():  # an item that is only a list: its marker first
                        lines.append(lead.rstrip())
                        lead = " " * len(lead)
                    lines += self.list_lines(child, depth + 1)
                    continue
                for text in self.text_of(child, 1).split("\n"):
                    lines.append(lead + text)
                    lead = " " * len(lead)  # an item's later lines align with its first
            if lead.strip():
                lines.append(lead.rstrip())
        return lines

    def table_lines(self, rows: list[list[str]]) -> list[str]:
        """One line a row: the first cell, then the others ('CommonCrawl：67.0% / 1.10 / 3.3 TB')."""
        colon = "：" if self.chinese else ": "
        cells_of = ([c.strip() for c in row] for row in rows)
        return [cells[0] + (colon + " / ".join(cells[1:])) * (len(cells) > 1) for cells in cells_of if any(cells)]

    def quote(self, text: str, depth: int = 1) -> str:
        marks = ("「」", "『』") if self.chinese else ("“”", "‘’")
        opening, closing = marks[depth > 1]
        return opening + text + closing

    # --- inlines ---

    def inlines(self, nodes: tuple, line: int, depth: int | None = None) -> str:
        """`depth`: how many brackets stand open before these words. A citation or a footnote
        inside brackets is set off by dashes, not put in brackets of its own: （注：…（Lee, 2019）。）
        is what a phone reader stumbles on."""
        out: list[str] = []
        depth = self.enclosing if depth is None else depth
        group = -1  # the index in `out` of the last citation group, to join the next one if it follows at once
        for node in nodes:
            kind = node.kind
            written = len(out)
            if kind in ("text", "code", "run"):
                out.append(node.text)
            elif kind == "styled" and node.style == "del":
                words = self.inlines(node.children, line, depth).replace("\0", "")[:30]
                message = f"struck-through text '{words}' is left out of the Xiaohongshu text"
                self.warn(line, message, "xhs.strikethrough")
                out.append("\0")  # where the words were: _tidy closes the gap
            elif kind == "styled" and node.style in ("sub", "sup"):  # CO₂, 2¹⁰ where Unicode has the characters
                out.append(_script(self.inlines(node.children, line, depth), node.style))
            elif kind == "styled":  # a phone editor has no italics or bold: the words stay
                out.append(self.inlines(node.children, line, depth))
            elif kind == "link":
                out.append(_link_words(self.inlines(node.children, line, depth)))
            elif kind == "image":
                alt = _plain_markdown(node.alt)
                self.images.append(alt)
                out.append(self.image_label(alt))
            elif kind == "break":
                out.append("\n" if node.hard else " ")
            elif kind == "html":
                out.append(_strip_html(node.html))
            elif kind == "note_ref":  # `out` so far, not joined at each call: a paragraph may hold thousands
                call = self.note_call(node, out, depth)
                grouped = bool(call) and not depth and self.resolved.notes[node.number - 1].is_citation
                if grouped and out and group == len(out) - 1:
                    out[-1] = self.joined_groups(out[-1], call)  # [@a][@b]: one pair of brackets, not two
                else:
                    out.append(call)
                group = len(out) - 1 if grouped else -1
                continue
            elif kind == "inline_reference":  # a citation inside an author footnote
                if node.in_text and node.items:  # "As Lee (2020, p. 3) says"
                    gap = "" if self.chinese or depth else " "  # set off by a comma in brackets: "As Lee, 2020, says"
                    out.append(short_author(self.entries[node.items[0].key], self.chinese) + gap)
                out.append(self.short_sources(node.items, None, out, line, depth))
            group = -1
            for piece in out[written:]:
                depth = _depth_after(piece, depth)
        return "".join(out)

    def joined_groups(self, first: str, second: str) -> str:
        """Two citation groups that follow each other as one: （A, 2020；B, 2021）."""
        opening, closing, joiner = ("（", "）", "；") if self.chinese else ("(", ")", "; ")
        second = second.lstrip()
        if first.endswith(closing) and second.startswith(opening):
            return first[: -len(closing)] + joiner + second[len(opening) :]
        return first + second

    def image_label(self, alt: str) -> str:
        """Where an image stood: the post's images are attached in the app, the text names them."""
        if self.chinese:
            return f"〔图：{alt}〕" if alt else "〔图〕"
        return f"(Image: {alt})" if alt else "(Image)"

    def note_call(self, ref, before: list[str], depth: int = 0) -> str:  # type: ignore[no-untyped-def]
        """A citation's short sources, or an author footnote's words in （注：…） at its first call.
        `depth`: brackets open around the call. There, or if its words hold brackets of their own,
        the footnote is set off by dashes instead: ——注：…——."""
        note = self.resolved.notes[ref.number - 1]
        if note.is_citation:
            items = tuple(source.item for source in note.sources)
            return self.short_sources(items, [s.passage for s in note.sources], before, note.line, depth)
        if not ref.first_call:  # the footnote was expanded at its first call
            return ""
        text = self.footnote_words(note)
        if not _ends_sentence(before):  # a note inside a sentence ends with the sentence's stop, not its own
            text = re.sub(r"(?<!\.)[。.]\Z", "", text)
        if depth or any(char in _BRACKETS for char in text):  # inside brackets, or brackets of its own inside
            return self.set_off(("注：" if self.chinese else "note: ") + text, before)
        return f"（注：{text}）" if self.chinese else f" (Note: {text})"

    def footnote_words(self, note) -> str:  # type: ignore[no-untyped-def]
        """An author footnote's words on one line (the text series' and the cards' feet alike)."""
        enclosing, self.enclosing = self.enclosing, 1  # its citations stand inside its brackets
        try:
            return " ".join(t for t in (self.text_of(b, 1).replace("\n", " ") for b in shown(note.blocks, "xhs")) if t)
        finally:
            self.enclosing = enclosing

    def set_off(self, words: str, before: list[str]) -> str:
        """Words inside brackets that would have had brackets of their own, between dashes: the
        closing dash stays only if words follow (_tidy decides: it sees what comes next)."""
        last = _last_character(before)
        if self.chinese:  # no space beside a dash ("引 " before a citation is the blog's)
            visible = _last_visible(before)
            opening = "" if not visible or visible in _OPENS_CLAUSE or visible == "—" else "——"
            return _GLUE + opening + words + _CLOSING_DASH
        opening = "— " if last.isspace() else "" if not last or last in _OPENS_CLAUSE else " — "
        return opening + words + _CLOSING_DASH_EN

    def short_sources(self, items: tuple, passages: list | None, before: list[str], line: int, depth: int = 0) -> str:
        """A citation as short sources in parentheses; a quoted passage is queued to follow the paragraph.
        `passages` are the note's; None in an author footnote, where the item names its quote. `before`:
        the pieces of text before it in its paragraph. `depth`: brackets open around it; then the
        sources are set off by dashes, or follow the author's name after a comma ("As Lee, 2020, says")."""
        texts, named_first = [], False
        for position, item in enumerate(items):
            entry = self.entries[item.key]
            passage = passages[position] if passages is not None else entry.quotes.get(item.quote)
            label, value = _locator(item, passage)
            author = short_author(entry, self.chinese)
            named = position == 0 and _ends_with(before, author)  # @key in text
            named_first |= named
            with_author = not named and not item.suppress_author  # `[-@key]`: the sentence names them
            text = " ".join(p for p in (plain_text(item.prefix), self.short_source(entry, label, value, with_author)) if p)
            texts.append(_unbracketed(text + plain_text(item.suffix)))  # the suffix brings its own ", " or " "
            if passage:
                self.pending.append(_Pending(entry, passage, self.short_source(entry, label, value), line))
        words = ("；" if self.chinese else "; ").join(t for t in texts if t)
        if not words:
            return ""
        closing = _CLOSING_SPACE if self.chinese else _CLOSING_COMMA
        if depth and named_first:  # "As Lee, 2020, p. 3, says"
            return _GLUE + ", " + words + closing
        if depth and re.search(_INTRODUCING[self.chinese], _tail(before, _LONGEST_INTRODUCTION)):  # "see Lee, 2020"
            last = _last_character(before)
            return ("" if not last or last.isspace() or is_cjk(words[0]) else " ") + words + closing
        if depth:
            return self.set_off(words, before)
        if self.chinese:
            return f"（{words}）"
        last = _last_character(before)
        return f"({words})" if not last or last.isspace() else f" ({words})"

    def source_of_block(self, block) -> str:  # type: ignore[no-untyped-def]
        item = self.resolved.notes[block.note.number - 1].sources[0].item
        return self.short_source(block.entry, *_locator(item, block.passage))

    def short_source(self, entry: Entry, label: str, value: str, with_author: bool = True) -> str:
        """'Shumailov 等, Nature 2024, p. 755': enough to find the source in the 参考 list."""
        author = short_author(entry, self.chinese) if with_author else ""
        venue = _short_venue(entry)
        when = " ".join(p for p in (venue if venue != author else "", entry.year) if p)
        if label == "page":
            place = ("pp. " if re.search(r"[-–,&]", value) else "p. ") + value
        else:
            place = locator_text(label, value, self.chinese)
        return ", ".join(p for p in (author, when, place) if p)

    # --- passages and the reference list ---

    def passage_text(self, entry: Entry, passage: Passage, source: str, line: int, room: int | None = None) -> str:
        """Translation first, then the original (unless --xhs-original no), then the short source.
        Too long for `room`, the original keeps its most telling sentences, "…" for the rest."""
        if passage.table:
            table = passage.table
            rows = [list(table.header), *map(list, table.rows)]
            return "\n".join([table.caption] * bool(table.caption) + self.table_lines(rows) + [self.dash + source])

        def compose(translation: str, original: str) -> str:
            lines = [self.quote(_bullet_lines(translation))] * bool(translation)
            if original and translation:
                lines.append(("原文：" if self.chinese else "Original: ") + _bullet_lines(original))
            elif original:
                lines.append(self.quote(_bullet_lines(original)))
            return "\n".join([*lines, self.dash + source])

        translation = passage.translation
        original = passage.text if (self.options.xhs_original or not translation) else ""
        full = compose(translation, original)
        if room is None or utf16_units(full) <= room:
            return full

        def fits(text: str) -> bool:
            return utf16_units(text) <= room

        # With the original, the text is longer than without: where the translation alone is too
        # long, no sentence of the original fits beside it, and trying each composed it again.
        can_cut = original and fits(compose(translation, ""))
        cut = _shorten(original, passage.emphasis, lambda o: fits(compose(translation, o))) if can_cut else None
        if cut:
            text, done = compose(translation, cut[0]), f"its original is shortened to {cut[1]} sentences"
        else:  # not even a sentence of the original fits beside the translation: the translation alone
            words = translation or original
            cut = _shorten(words, (), lambda w: fits(compose(w, "") if translation else compose("", w)))
            text = (compose(cut[0], "") if translation else compose("", cut[0])) if cut else self.dash + source
            done = f"it is shortened to {cut[1]} sentences, without the original" if cut else "only its source is given"
        self.warn(line, f"passage '{entry.id}:{passage.id}' ({utf16_units(full)} characters) is too long for one part "
                  f"({room}): {done}", "xhs.passage-shortened")
        return text

    def references_text(self) -> str:
        """Each source as a reader can search for it: author, title, venue, year, DOI or arXiv id; no URLs."""
        lines = ["参考" if self.chinese else "Sources"]
        for number, (entry, _) in enumerate(self.references, 1):
            arxiv = entry.publisher.lower() == "arxiv" and entry.number
            venue = f"arXiv:{entry.number}" if arxiv else entry.container_title or entry.publisher
            fields = (short_author(entry, self.chinese), entry.title, ", ".join(p for p in (venue, entry.year) if p),
                      f"DOI: {entry.doi}" * bool(entry.doi))
            lines.append(f"{number}. " + ". ".join(f.rstrip(".") for f in fields if f))
        return _no_hash("\n".join(lines))


# --- cutting text -------------------------------------------------------------------


def _even_runs(count: int, length: _Span, limit: int, may_end: list[bool], cost: _Span) -> list[tuple[int, int]]:
    """Items 0..count-1 in runs of at most `limit` (`length(start, end)` of a run), fewest first,
    then as even as they can be: no run under half the limit where it can be helped, then the
    least sum of squared lengths. `may_end[i]`: may a run end before item i; `cost(start, end)`:
    what else a run costs, in weights above a run's own (_PART). A shortest path over the places a
    run may end, each looked at only as far back as a run can reach: linear in the items."""
    best: list[int | None] = [0] + [None] * count
    start_of = [0] * (count + 1)
    for end in range(1, count + 1):
        if not may_end[end]:
            continue
        for start in range(end - 1, -1, -1):
            size = length(start, end)
            if size > limit and end - start > 1:  # one item too long stands alone, as it must
                break
            if best[start] is None or not may_end[start]:
                continue
            total = best[start] + cost(start, end) + _PART + _UNDER_HALF * (size * 2 < limit) + size * size
            if best[end] is None or total < best[end]:
                best[end], start_of[end] = total, start
    runs, end = [], count
    while end:
        runs.append((start_of[end], end))
        end = start_of[end]
    return runs[::-1]


def _window_work(count: int, length: _Span, limit: int) -> int:
    """How many (start, end) pairs _even_runs would look at: for each end, the starts within reach."""
    work, start = 0, 0
    for end in range(1, count + 1):
        while end - start > 1 and length(start, end) > limit:
            start += 1
        work += end - start
    return work


def _filled_runs(units: list[Unit], length: _Span, run_end: list[int]) -> list[tuple[int, int]]:
    """Each part filled in turn (the series before parts were evened): a run of units bound by
    keep_with_next moves on whole when it fits a part, else is cut where the part is full."""
    runs, start, index = [], 0, 0
    while index < len(units):
        chain_end = run_end[index]
        if length(start, chain_end) <= BODY_LIMIT:
            index = chain_end
        elif start < index and length(index, chain_end) <= BODY_LIMIT:
            runs.append((start, index))
            start = index
        else:
            while index < chain_end:
                if start < index and length(start, index + 1) > BODY_LIMIT:
                    runs.append((start, index))
                    start = index
                index += 1
    runs.append((start, len(units)))
    return runs


def _split_to_fit(text: str, room: int) -> tuple[list[str], bool]:
    """Pieces of `text` each within `room`, as even as they can be (a paragraph cut into 960 and
    300 leaves a scrap), and whether a cut fell inside a line. Filled to the room first, which
    gives the fewest pieces; then filled again towards an even share, cut where the share is
    nearest, kept if that needs no more pieces. Two passes over the atoms: a paragraph of
    thousands of sentences costs no more than its length."""
    if utf16_units(text) <= room:
        return [text.strip()] * bool(text.strip()), False
    atoms = [(atom, utf16_units(atom)) for atom in _atoms(text, room, 0)]
    fewest = _filled(atoms, room, room)
    total = sum(size for _, size in atoms)
    even = _filled(atoms, room, -(-total // len(fewest))) if len(fewest) > 1 else fewest
    chunks = even if len(even) == len(fewest) else fewest
    mid_line = any(not chunk.endswith("\n") for chunk in chunks[:-1])
    return [c.strip() for c in chunks if c.strip()], mid_line


def _filled(atoms: list[tuple[str, int]], room: int, share: int) -> list[str]:
    """Atoms joined into chunks within `room`, each cut where its length comes nearest `share`."""
    chunks, current, length = [], [], 0
    for atom, size in atoms:
        over = length + size > room or (length + size > share and share - length < length + size - share)
        if current and over:
            chunks.append("".join(current))
            current, length = [], 0
        current.append(atom)
        length += size
    chunks.append("".join(current))
    return chunks


def _atoms(text: str, room: int, level: int) -> list[str]:
    """Text cut at line ends, then sentence ends, clauses, characters, only as finely as needed.
    Every splitter keeps the text whole: the atoms joined give the text back."""
    if utf16_units(text) <= room or level > 3:
        return [text]
    splitters = (lambda t: t.splitlines(keepends=True), _sentence_pieces, _clause_pieces, list)
    return [atom for piece in splitters[level](text) for atom in _atoms(piece, room, level + 1)]


def _sentence_pieces(text: str) -> list[str]:
    """Sentences, each with the space after it."""
    pieces, start = [], 0
    for match in re.finditer(r"[。！？][”’」』）]*|[.!?…][”’\"]?\s+(?=[^a-z])|\s+(?=•\s)", text):
        if not _after_abbreviation(text, start, match.end()):
            pieces.append(text[start : match.end()])
            start = match.end()
    return [p for p in [*pieces, text[start:]] if p]


def _after_abbreviation(text: str, start: int, end: int) -> bool:
    """Does text[start:end] end in an abbreviation's full stop? _ABBREVIATION on the sentence's
    last few characters only: on the whole sentence so far, a paragraph whose stops are all
    abbreviations was read again at each (136 KB took 19 s)."""
    dot = end
    while dot > start and text[dot - 1].isspace():  # the space after a stop is its own: read once
        dot -= 1
    if dot == start or text[dot - 1] != ".":
        return False
    # The longest abbreviation ('Figs', 'e.g') has four characters: a fifth before it decides its \b.
    return bool(_ABBREVIATION.search(text[max(start, dot - 1 - _LONGEST_ABBREVIATION - 1) : end]))


def _clause_pieces(text: str) -> list[str]:
    return [p for p in re.findall(r"[^，、；：,;:\s]*(?:[，、；：,;:]\s*|\s+|$)", text) if p]


def _shorten(text: str, emphasis: tuple[str, ...], fits) -> tuple[str, int] | None:  # type: ignore[no-untyped-def]
    """The sentences that matter most (those the author emphasised, then the first, then in order)
    while they fit, kept in their order, "…" for each gap; with how many were kept. None if none fits."""
    sentences = [p.strip() for p in _sentence_pieces(text) if p.strip()]
    order = sorted(range(len(sentences)), key=lambda i: (not any(e in sentences[i] for e in emphasis), i != 0, i))
    chinese = has_cjk("".join(sentences))  # once: for each sentence tried, it read the whole passage
    kept: set[int] = set()
    for index in order:
        if fits(_with_gaps(sentences, kept | {index}, chinese)):
            kept.add(index)
    return (_with_gaps(sentences, kept, chinese), f"{len(kept)} of {len(sentences)}") if kept else None


def _with_gaps(sentences: list[str], kept: set[int], chinese: bool) -> str:
    gap, pieces, previous = ("……" if chinese else "…"), [], -1
    for index in sorted(kept):
        pieces += [gap] * (index != previous + 1) + [sentences[index]]
        previous = index
    pieces += [gap] * (previous != len(sentences) - 1)
    return ("" if chinese else " ").join(pieces)


def _ends_with(pieces: list[str], words: str) -> bool:
    """Does "".join(pieces).rstrip() end with `words`?"""
    return _tail(pieces, len(words)).endswith(words)


def _tail(pieces: list[str], length: int) -> str:
    """The last `length` characters of "".join(pieces).rstrip(). Read from the end only as far as it
    takes: a paragraph of thousands of citations was joined again for each (50,000 took 10 minutes)."""
    ending: list[str] = []
    needed = length
    for piece in reversed(pieces):
        if not ending:
            piece = piece.rstrip()  # the space at the end, if the piece is all space the next piece's too
            if not piece:
                continue
        ending.append(piece[max(len(piece) - needed, 0) :])
        needed -= len(ending[-1])
        if needed <= 0:
            break
    return "".join(reversed(ending))


def _last_character(pieces: list[str]) -> str:
    return next((piece[-1] for piece in reversed(pieces) if piece), "")


def _last_visible(pieces: list[str]) -> str:
    """The last character of the text so far that is not a space."""
    return next((piece.rstrip()[-1] for piece in reversed(pieces) if piece.strip()), "")


def _ends_sentence(pieces: list[str]) -> bool:
    """Does the text so far end a sentence (a note called after it is a sentence of its own)?"""
    return _last_visible(pieces) in tuple("。！？.!?…")


def _depth_after(text: str, depth: int) -> int:
    """Brackets open after `text`, `depth` open before it (never below none: ':)' is not a bracket closed)."""
    if "(" in text or ")" in text or "（" in text or "）" in text:
        for char in text:
            depth = max(0, depth + _BRACKETS.get(char, 0))
    return depth


def _unbracketed(words: str) -> str:
    """A source's words with brackets of their own ('p. 3 (emphasis added)', a venue '(ICML)'): set
    in the citation's parentheses, the inner pair becomes a comma."""
    if not any(char in _BRACKETS for char in words):
        return words
    words = re.sub(r"\s*[(（]\s*", ", ", words)
    words = re.sub(r"\s*[)）]", "", words)
    return re.sub(r"(?:,\s*){2,}", ", ", words).strip(" ,")


# --- words ----------------------------------------------------------------------------


def _bullet_lines(text: str) -> str:
    """A passage's '•' items each on a line of their own, as the blog shows them."""
    return re.sub(r"\s*•\s*", "\n• ", text).strip()


def _locator(item: CiteItem | None, passage: Passage | None) -> tuple[str, str]:
    """The citation's own locator, else the passage's page or place (as the resolver decides)."""
    if item and item.locator:
        return item.locator_label, item.locator
    if passage and (passage.page or passage.locator):
        return ("page", passage.page) if passage.page else ("", passage.locator)
    return "", ""


def _short_venue(entry: Entry) -> str:
    """A venue short enough for a parenthesis ('Nature', 'arXiv'); a long proceedings title is left to 参考."""
    if entry.publisher.lower() == "arxiv":
        return "arXiv"
    venue = entry.container_title if entry.type != "book" else ""
    return venue if len(venue) <= 24 else ""


def _link_words(words: str) -> str:
    """A link keeps its words; words that are the URL itself shrink to the site's name."""
    return re.sub(r"^\s*(?:https?://|www\.)(?:www\.)?([^/\s]+).*$", r"\1", words, flags=re.S)


def _no_hash(text: str) -> str:
    """A '#' outside the hashtag line would become a topic: '#494' reads 'No. 494'."""
    return re.sub(r"#(?=\d)", "No. ", text).replace("#", "＃")


def _strip_html(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def _plain_markdown(source: str) -> str:
    """The words of some Markdown (an image's alt text is kept as written in the draft)."""
    from footnoted.parse import parser  # the essay's own parser, built once

    tokens = parser().parseInline(source)
    children = (tokens[0].children or []) if tokens else []
    return "".join(t.content for t in children if t.type in ("text", "code_inline")).strip()


def _tidy(text: str) -> str:
    """No space beside full-width punctuation (a note call can leave one), none at a line's end;
    where struck-out words were (\\0): nothing between Chinese, else one space at most; the
    closing marks of words set off in brackets (set_off) resolved by what follows them."""
    if any(mark in text for mark in _MARKS):
        text = re.sub(r"[ \t]*\x05", "", text)
        text = re.sub(r"([\x01-\x04])(?=[ \t]*(?:[^\w\s（(“‘「『]|\n|\Z))|([\x01-\x04])([ \t]?)",
                      _closing, text)
    text = re.sub(f"[ \\t]+(?=[{_WIDE_PUNCTUATION}])|(?<=[{_WIDE_PUNCTUATION}])[ \\t]+", "", text)
    text = re.sub(r"[ \t]*\0[ \t]*", lambda m: _struck_out_gap(m, text), text)
    return re.sub(r"[ \t]+(?=\n)", "", text).strip()


def _closing(match: re.Match[str]) -> str:
    """A closing mark before punctuation or the end goes; before words it is written, its own
    space folded into a space that follows ("2020 和", not "2020  和")."""
    if match.group(1):
        return ""
    closing = _CLOSINGS[match.group(2)]
    if closing == "——":  # a Chinese dash takes no space after it
        return closing
    return closing.rstrip() + match.group(3) if match.group(3) else closing


def _struck_out_gap(match: re.Match[str], text: str) -> str:
    between_cjk = match.start() > 0 and is_cjk(text[match.start() - 1]) and is_cjk(text[match.end() : match.end() + 1])
    return "" if between_cjk or not match.group(0).strip("\0") else " "


# --- the parsed essay -------------------------------------------------------------------


def _lines_of(block: object) -> set[int]:
    """The lines of a block and of every block inside it (a provenance mark names a block's line)."""
    lines = {getattr(block, "line", 0)}
    if isinstance(block, ListBlock):
        children: tuple = tuple(b for item in block.items for b in item)
    else:
        children = getattr(block, "children", ())
    for child in children:
        if getattr(child, "kind", "") in _BLOCKS:
            lines |= _lines_of(child)
    return lines


def _front_matter_place(path: str, key: str) -> tuple[int, int]:
    """Line and column of a front matter key's value in the draft, for the title error."""
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except OSError:
        return 1, 1
    for number, text in enumerate(lines[1:], 2):
        if text.rstrip() in ("---", "..."):
            break
        if match := re.match(rf"{re.escape(key)}\s*:\s*", text):
            return number, match.end() + 1
    return 1, 1
