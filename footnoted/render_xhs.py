"""The Xiaohongshu target: plain text a phone reader can follow, posted as a numbered series.

Xiaohongshu shows no Markdown and no clickable links, and a body holds at most 1000 characters.
So the essay becomes what a careful writer would type on the phone: headings as lines of their
own, 「」 for quotations, • or 1. for items, a table as one line per row. A phone reader cannot
follow a note number, so every note is expanded where it is called: a citation becomes a short
source (Shumailov 等, Nature 2024, p. 755), a quoted passage follows its paragraph, an author
footnote stands in （注：…）. The text is then split at paragraph boundaries into parts that each
fit the limit with their （i/N） header, the AI disclosure where needed and the hashtags.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from footnoted.bibliography import Entry, Passage, Table
from footnoted.diagnostics import Diagnostic, InputError, error, warning
from footnoted.resolve import Note, ResolvedEssay
from footnoted.styles import locator_text, short_author
from footnoted.targets import Rendered, RenderOptions
from footnoted.tree import Cite, CiteItem, Div, ListBlock, PassageQuote, TableBlock, Text
from footnoted.typography import CJK, typeset_text

BODY_LIMIT = 1000  # UTF-16 units, header and hashtags included; the editor's own rule is unpublished
TITLE_LIMIT = 20  # as the editor counts: see title_count
MAX_TAGS = 10
_WIDE_PUNCTUATION = "（）「」『』，。、；：！？"
_BLOCK_KINDS = {"paragraph", "heading", "blockquote", "resolved_passage", "list", "code_block", "table", "rule", "html_block", "div"}
_ABBREVIATION = re.compile(r"(?:\b(?:Fig|Figs|Eq|Sec|Tab|No|Vol|al|cf|vs|pp?|Dr|Mr|Mrs|Ms|St|e\.g|i\.e|etc)|\b[A-Z])\.\s*\Z")


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def title_count(title: str) -> int:
    """The editor's count: a UTF-16 unit above 127 counts 2, an ASCII character 1, halved, rounded up."""
    data = title.encode("utf-16-le")
    total = sum(2 if int.from_bytes(data[i : i + 2], "little") > 127 else 1 for i in range(0, len(data), 2))
    return (total + 1) // 2


@dataclass(frozen=True)
class Unit:
    """A piece of the body a part never splits: a paragraph, a list, a quoted passage."""

    text: str
    llm: bool = False  # drafted by an LLM: the part holding it carries the disclosure
    keep_with_next: bool = False  # a heading, or a paragraph that leads into a quotation


@dataclass(frozen=True)
class _Pending:
    """A passage cited inside a paragraph: it follows the paragraph, since it cannot stand mid-sentence."""

    entry: Entry
    passage: Passage
    source: str
    line: int


def render_xhs(resolved: ResolvedEssay, options: RenderOptions) -> Rendered:
    return _Writer(resolved, options).render()


class _Writer:
    def __init__(self, resolved: ResolvedEssay, options: RenderOptions) -> None:
        self.resolved, self.options = resolved, options
        self.front = resolved.front
        self.chinese = self.front.is_chinese
        self.dash = "——" if self.chinese else "— "  # before the source under a quotation
        self.path = resolved.essay.path
        self.diagnostics: list[Diagnostic] = []
        self.images: list[str] = []
        self.pending: list[_Pending] = []
        self.entries = {entry.id: entry for entry, _ in resolved.references}
        self.items_by_note = _cite_items_by_note(resolved)
        self.footnote_cites: list[tuple[CiteItem, ...]] = []
        self.llm_lines = {m.block_line for m in resolved.essay.provenance if m.mark.startswith("llm")}
        self.tags = self.hashtags()
        self.disclosure = self.front.ai_disclosure
        if self.chinese and self.front.typography:
            self.disclosure = typeset_text(self.disclosure)

    def warn(self, line: int, message: str, code: str) -> None:
        self.diagnostics.append(warning(self.path, line, 1 if line else 0, message, code))

    # --- the whole output ---

    def render(self) -> Rendered:
        title = self.front.xhs_title or self.front.title
        self.check_title(title)
        if self.room(llm=True) < 200:
            raise InputError([error(self.path, 0, 0, "the hashtags and the AI disclosure leave too little room in a part", "xhs.no-room")])
        units = [unit for block in self.resolved.blocks for unit in self.block_units(block)]
        if self.resolved.references:
            units += [Unit(piece) for piece in self.fit(self.references_text(), self.room(False), 0)]
        parts = self.pack(units)
        stem = self.resolved.essay.stem
        width = max(2, len(str(len(parts))))
        files = [(f"{stem}.xhs/{i:0{width}d}.txt", part.encode("utf-8")) for i, part in enumerate(parts, 1)]
        whole = self.whole_text(title, parts)
        return Rendered(files=((f"{stem}.xhs.txt", whole.encode("utf-8")), *files),
                        summary=self.summary(title, parts), diagnostics=tuple(self.diagnostics), owned_folder=f"{stem}.xhs")

    def check_title(self, title: str) -> None:
        count = title_count(title)
        if count > TITLE_LIMIT:
            key = "xhs_title" if self.front.xhs_title else "title"
            line, col = _front_matter_place(self.path, key)
            raise InputError([error(self.path, line, col,
                f"the Xiaohongshu title '{title}' counts {count} (limit {TITLE_LIMIT}): give a shorter one as 'xhs_title' in the front matter",
                "xhs.title-too-long")])

    def hashtags(self) -> str:
        tags = [re.sub(r"[\s#]+", "", tag) for tag in self.front.tags]
        tags = [tag for tag in tags if tag]
        if len(tags) > MAX_TAGS:
            self.warn(0, f"{len(tags)} tags: Xiaohongshu takes {MAX_TAGS}, the rest are left out ({', '.join(tags[MAX_TAGS:])})", "xhs.too-many-tags")
        return " ".join("#" + tag for tag in tags[:MAX_TAGS])

    def summary(self, title: str, parts: list[str]) -> str:
        counts = ", ".join(f"{utf16_units(p)}/{BODY_LIMIT}" for p in parts)
        lines = [f"{len(parts)} part{'s' if len(parts) > 1 else ''}: {counts}", f"title {title_count(title)}/{TITLE_LIMIT}"]
        if self.images:
            lines.append(f"attach {len(self.images)} image{'s' if len(self.images) > 1 else ''} when posting: " + "、".join(f"〔图：{a}〕" for a in self.images))
        if self.resolved.essay.has_llm_text:
            lines.append("the text carries the AI disclosure: also declare AI-assisted content in the app when posting")
        return "; ".join(lines)

    def whole_text(self, title: str, parts: list[str]) -> str:
        label = "标题：" if self.chinese else "Title: "
        sections = [f"{label}{title}\n"]
        for index, part in enumerate(parts, 1):
            head = f"第 {index}/{len(parts)} 篇" if self.chinese else f"Part {index}/{len(parts)}"
            sections.append(f"━━━━━━ {head} · {utf16_units(part)}/{BODY_LIMIT} ━━━━━━\n\n{part}")
        return "\n".join(sections)

    # --- parts ---

    def part_text(self, index: int, total: int, texts: list[str], llm: bool) -> str:
        pieces = [f"（{index}/{total}）"] if total > 1 else []
        pieces += texts
        if llm:
            pieces.append(self.disclosure)
        if self.tags:
            pieces.append(self.tags)
        return "\n\n".join(pieces) + "\n"

    def room(self, llm: bool) -> int:
        """What one unit may take in a part of the widest series (a header of three digits)."""
        return BODY_LIMIT - utf16_units(self.part_text(999, 999, [""], llm))

    def pack(self, units: list[Unit]) -> list[str]:
        """Fill parts in order; a header widens with the count, so pack again when it does."""
        digits = 1
        while True:
            widest = 10**digits - 1
            groups = self.pack_with_header(units, widest)
            if len(groups) <= widest:
                return [self.part_text(i, len(groups), [u.text for u in g], any(u.llm for u in g)) for i, g in enumerate(groups, 1)]
            digits += 1

    def pack_with_header(self, units: list[Unit], widest: int) -> list[list[Unit]]:
        def fits(group: list[Unit]) -> bool:
            text = self.part_text(widest, widest, [u.text for u in group], any(u.llm for u in group))
            return utf16_units(text) <= BODY_LIMIT

        parts: list[list[Unit]] = [[]]
        for chain in _chains(units):
            if fits(parts[-1] + chain):
                parts[-1] += chain
            elif fits(chain):  # a heading moves on with the paragraph it heads
                parts.append(list(chain))
            else:
                for unit in chain:
                    if not fits(parts[-1] + [unit]):
                        parts.append([])
                    parts[-1].append(unit)
        return [p for p in parts if p] or [[]]

    def fit(self, text: str, room: int, line: int) -> list[str]:
        """A unit too long for any part is cut at line ends, else between sentences (with a warning)."""
        pieces, mid_line = _split_to_fit(text, room)
        if mid_line:
            self.warn(line, f"a paragraph of {utf16_units(text)} characters is longer than a part ({room}): split between sentences", "xhs.paragraph-split")
        return pieces

    # --- blocks ---

    def block_units(self, block: object) -> list[Unit]:
        if isinstance(block, Div):
            return [] if "xhs" in block.hidden_in else [u for child in block.children for u in self.block_units(child)]
        llm = bool(_lines_of(block) & self.llm_lines)
        line = getattr(block, "line", 0)
        if block.kind == "resolved_passage":
            source = self.short_source_for(block.note.number, block.passage)
            texts = [self.passage_text(block.entry, block.passage, source, line, self.room(llm))]
        elif block.kind == "blockquote":
            texts = [self.quote(self.text_of(child, 2)) for child in block.children]
        else:
            texts = [self.text_of(block, 1)]
        leads_on = block.kind == "heading" or texts[-1].rstrip().endswith(("：", ":", "——"))
        units = [Unit(piece, llm, leads_on) for text in texts if text.strip() for piece in self.fit(_no_hash(text), self.room(llm), line)]
        pending, self.pending = self.pending, []
        for p in {(p.entry.id, p.passage.id): p for p in pending}.values():  # a passage cited twice shows once
            units.append(Unit(_no_hash(self.passage_text(p.entry, p.passage, p.source, p.line, self.room(llm))), llm))
        return units

    def text_of(self, block: object, depth: int) -> str:
        """Any block as plain lines; `depth` picks the quotation marks of a nested quote."""
        kind = getattr(block, "kind", "")
        if kind == "paragraph":
            return _tidy(self.inlines(block.children, block.line))
        if kind == "heading":
            words = _tidy(self.inlines(block.children, block.line))
            return f"【{words}】" if block.level <= 2 else words
        if kind == "blockquote":
            return "\n".join(self.quote(self.text_of(child, depth + 1), depth) for child in block.children)
        if kind == "list":
            return "\n".join(self.list_lines(block, 0))
        if kind == "table":
            return "\n".join(self.table_lines([_tidy(self.inlines(c, block.line)) for c in block.header],
                                              [[_tidy(self.inlines(c, block.line)) for c in row] for row in block.rows]))
        if kind == "code_block":
            return block.text.rstrip("\n")
        if kind == "html_block":
            return _strip_html(block.html).strip()
        if kind == "resolved_passage":
            return self.passage_text(block.entry, block.passage, self.short_source_for(block.note.number, block.passage), block.line)
        if isinstance(block, Div):
            return "" if "xhs" in block.hidden_in else "\n".join(self.text_of(c, depth) for c in block.children)
        return ""  # a rule: the blank lines around paragraphs already mark the break

    def list_lines(self, block: ListBlock, depth: int) -> list[str]:
        lines = []
        for number, item in enumerate(block.items, block.start):
            marker = f"{number}." if block.ordered else ("•" if depth == 0 else "◦")
            indent = "  " * depth
            first = True
            for child in item:
                if isinstance(child, ListBlock):
                    lines += self.list_lines(child, depth + 1)
                    continue
                for text in self.text_of(child, 1).split("\n"):
                    lines.append(f"{indent}{marker} {text}" if first else f"{indent}{' ' * len(marker)} {text}")
                    first = False
            if first:
                lines.append(f"{indent}{marker}")
        return lines

    def table_lines(self, header: list[str], rows: list[list[str]]) -> list[str]:
        """One line a row: the first cell, then the others ('CommonCrawl：67.0% / 1.10 / 3.3 TB')."""
        colon = "：" if self.chinese else ": "
        lines = []
        for row in [header, *rows]:
            cells = [c.strip() for c in row]
            if any(cells):
                lines.append(cells[0] + (colon + " / ".join(cells[1:]) if len(cells) > 1 else ""))
        return lines

    def quote(self, text: str, depth: int = 1) -> str:
        if self.chinese:
            return f"「{text}」" if depth <= 1 else f"『{text}』"
        return f"“{text}”" if depth <= 1 else f"‘{text}’"

    # --- inlines ---

    def inlines(self, nodes: tuple, line: int) -> str:
        out: list[str] = []
        for node in nodes:
            kind = node.kind
            if kind in ("text", "code", "run"):
                out.append(node.text)
            elif kind == "styled" and node.style == "del":
                self.warn(line, f"struck-through text '{_short(self.inlines(node.children, line))}' is left out of the Xiaohongshu text", "xhs.strikethrough")
                out.append("\0")
            elif kind == "styled":  # a phone editor has no italics or bold: the words stay
                out.append(self.inlines(node.children, line))
            elif kind == "link":
                out.append(_link_words(self.inlines(node.children, line), node.url))
            elif kind == "image":
                alt = _plain_markdown(node.alt)
                self.images.append(alt)
                out.append(f"〔图：{alt}〕" if alt else "〔图〕")
            elif kind == "break":
                out.append("\n" if node.hard else " ")
            elif kind == "html":
                out.append(_strip_html(node.html))
            elif kind == "note_ref":
                out.append(self.note_call(node, "".join(out), line))
            elif kind == "inline_reference":
                if self.footnote_cites:
                    out.append(self.sources_in_parentheses(self.footnote_cites.pop(0), "".join(out), line))
                else:  # not found again in the footnote: the reference's words, without its links
                    out.append(_no_hash("".join(r.text for r in node.runs if not r.url)))
        return "".join(out)

    def note_call(self, ref, before: str, line: int) -> str:
        note: Note = self.resolved.notes[ref.number - 1]
        if note.is_citation:
            items = self.items_by_note.get(note.number) or tuple(CiteItem(s.entry.id) for s in note.sources)
            return self.sources_in_parentheses(items, before, note.line, [s.passage for s in note.sources])
        if not ref.first_call:  # the note was expanded at its first call already
            return ""
        self.footnote_cites = list(_cite_items_in(self.resolved.essay.footnotes[note.label].blocks))
        text = " ".join(t for t in (self.text_of(b, 1).replace("\n", " ") for b in note.blocks) if t)
        return f"（注：{text}）" if self.chinese else f" (Note: {text})"

    def sources_in_parentheses(self, items: tuple, before: str, line: int, passages: list | None = None) -> str:
        """A citation as short sources; a quoted passage is queued to follow the paragraph."""
        texts = []
        for position, item in enumerate(items):
            entry = self.entries[item.key]
            if passages is not None:
                passage = passages[position]
            else:  # a citation in an author footnote: the parsed item names its quote
                passage = entry.quotes.get(item.quote) if item.quote else None
            label, value = _locator(item, passage)
            named = position == 0 and before.rstrip().endswith(short_author(entry, self.chinese))
            text = " ".join(p for p in (item.prefix, self.short_source(entry, label, value, not named)) if p)
            texts.append(text + (f", {item.suffix}" if item.suffix else ""))
            if passage:
                self.pending.append(_Pending(entry, passage, self.short_source(entry, label, value), line))
        words = ("；" if self.chinese else "; ").join(t for t in texts if t)
        if not words:
            return ""
        if self.chinese:
            return f"（{words}）"
        return f"({words})" if not before or before[-1].isspace() else f" ({words})"

    def short_source_for(self, number: int, passage: Passage) -> str:
        items = self.items_by_note.get(number)
        entry = self.resolved.notes[number - 1].sources[0].entry
        label, value = _locator(items[0] if items else None, passage)
        return self.short_source(entry, label, value)

    def short_source(self, entry: Entry, label: str, value: str, with_author: bool = True) -> str:
        """'Shumailov 等, Nature 2024, p. 755': enough to find the source in the 参考 list."""
        author = short_author(entry, self.chinese) if with_author else ""
        venue = _short_venue(entry)
        when = " ".join(p for p in (venue if venue != author else "", entry.year) if p)
        if label == "page":
            place = f"pp. {value}" if re.search(r"[-–,&]", value) else f"p. {value}"
        else:
            place = locator_text(label, value, self.chinese)
        return _no_hash(", ".join(p for p in (author, when, place) if p))

    # --- passages and the reference list ---

    def passage_text(self, entry: Entry, passage: Passage, source: str, line: int, room: int | None = None) -> str:
        """Translation first, then the original (unless --xhs-original no), then the short source.
        Too long for a part, the original keeps its most telling sentences, an ellipsis for the rest."""
        if passage.table:
            return "\n".join([*self.passage_table(passage.table), self.dash + source])
        translation = passage.translation
        original = passage.text if (self.options.xhs_original or not translation) else ""

        def compose(translation: str, original: str) -> str:
            lines = [self.quote(_bullet_lines(translation))] if translation else []
            if original:
                lines.append(("原文：" if self.chinese else "Original: ") + _bullet_lines(original) if translation else self.quote(_bullet_lines(original)))
            return "\n".join([*lines, self.dash + source])

        full = compose(translation, original)
        if room is None or utf16_units(full) <= room:
            return full
        fits = lambda text: utf16_units(text) <= room  # noqa: E731
        shortened = _shorten(original, passage.emphasis, lambda o: fits(compose(translation, o))) if original else None
        if shortened is not None:
            kept = f"its original is shortened to {shortened[1]} of {len(_sentences(original))} sentences"
            text = compose(translation, shortened[0])
        elif translation and fits(compose(translation, "")):
            kept, text = "its original is left out", compose(translation, "")
        else:
            words = translation or original
            cut = _shorten(words, (), lambda t: fits(compose(t, "") if translation else compose("", t)))
            kept = "it is shortened to its first sentences" if cut else "it is cut"
            text = compose(cut[0], "") if cut and translation else compose("", cut[0]) if cut else source
        self.warn(line, f"passage '{entry.id}:{passage.id}' ({utf16_units(full)} characters) is too long for one part ({room}): {kept}", "xhs.passage-shortened")
        return text

    def passage_table(self, table: Table) -> list[str]:
        return ([table.caption] if table.caption else []) + self.table_lines(list(table.header), [list(r) for r in table.rows])

    def references_text(self) -> str:
        """Each source as a reader can search for it: author, title, venue, year, DOI or arXiv id."""
        lines = ["参考" if self.chinese else "Sources"]
        for number, (entry, _) in enumerate(self.resolved.references, 1):
            arxiv = entry.publisher.lower() == "arxiv"
            venue = f"arXiv:{entry.number}" if arxiv and entry.number else entry.container_title or entry.publisher
            ident = f"DOI: {entry.doi}" if entry.doi else ""
            fields = [short_author(entry, self.chinese), entry.title, ", ".join(p for p in (venue, entry.year) if p), ident]
            lines.append(f"{number}. " + _no_hash(". ".join(f.rstrip(".") for f in fields if f)))
        return "\n".join(lines)


# --- helpers ----------------------------------------------------------------------


def _chains(units: list[Unit]) -> list[list[Unit]]:
    """Units bound by keep_with_next, as runs a part takes whole when it can."""
    chains: list[list[Unit]] = []
    for unit in units:
        if chains and chains[-1][-1].keep_with_next:
            chains[-1].append(unit)
        else:
            chains.append([unit])
    return chains


def _split_to_fit(text: str, room: int) -> tuple[list[str], bool]:
    """Pieces of `text` each within `room`, and whether a cut fell inside a line."""
    chunks, current, mid_line = [], "", False
    for atom in _atoms(text, room, 0):
        if current and utf16_units(current + atom) > room:
            chunks.append(current)
            mid_line |= not current.endswith("\n")
            current = ""
        current += atom
    chunks.append(current)
    return [c.strip() for c in chunks if c.strip()], mid_line


def _atoms(text: str, room: int, level: int) -> list[str]:
    """Text cut at line ends, then sentence ends, clauses, characters: only as finely as needed.
    Every splitter keeps the text whole, so the atoms joined give the text back."""
    if utf16_units(text) <= room or level > 3:
        return [text]
    splitters = (lambda t: t.splitlines(keepends=True), _sentence_pieces, _clause_pieces, list)
    return [atom for piece in splitters[level](text) for atom in _atoms(piece, room, level + 1)]


def _sentence_pieces(text: str) -> list[str]:
    """Sentences with the space after them, so joining the pieces gives the text back."""
    pieces, start = [], 0
    for match in re.finditer(r"[。！？][”’」』）]*|[.!?…][”’\"]?\s+(?=[^a-z])|\s+(?=•\s)", text):
        piece = text[start : match.end()]
        if _ABBREVIATION.search(piece):  # "Fig. 1b" and "et al. 2024" do not end a sentence
            continue
        pieces.append(piece)
        start = match.end()
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _clause_pieces(text: str) -> list[str]:
    return [p for p in re.split(r"(?<=[，、；：,;:]\s?)|(?<=\s)", text) if p]


def _sentences(text: str) -> list[str]:
    return [p.strip() for p in _sentence_pieces(text) if p.strip()]


def _shorten(text: str, emphasis: tuple[str, ...], fits) -> tuple[str, int] | None:  # type: ignore[no-untyped-def]
    """The sentences that matter most (those the author emphasised, then the first, then in
    order) while they fit, in their own order; "…" stands for every gap. None if none fits."""
    sentences = _sentences(text)
    order = sorted(range(len(sentences)), key=lambda i: (not any(e in sentences[i] for e in emphasis), i != 0, i))
    kept: set[int] = set()
    for index in order:
        if fits(_with_gaps(sentences, kept | {index})):
            kept.add(index)
    return (_with_gaps(sentences, kept), len(kept)) if kept else None


def _with_gaps(sentences: list[str], kept: set[int]) -> str:
    chinese = bool(re.search(r"[\u4e00-\u9fff]", "".join(sentences)))
    gap = "……" if chinese else "…"
    pieces, previous = [], -1
    for index in sorted(kept):
        if index != previous + 1:
            pieces.append(gap)
        pieces.append(sentences[index])
        previous = index
    if previous != len(sentences) - 1:
        pieces.append(gap)
    return ("" if chinese else " ").join(pieces)


def _bullet_lines(text: str) -> str:
    """A passage's '•' items each on a line of their own, as the blog shows them."""
    return re.sub(r"\s*•\s*", "\n• ", text).strip()


def _locator(item: CiteItem | None, passage: Passage | None) -> tuple[str, str]:
    if item and item.locator:
        return item.locator_label, item.locator
    if passage and passage.page:
        return "page", passage.page
    if passage and passage.locator:
        return "", passage.locator
    return "", ""


def _short_venue(entry: Entry) -> str:
    """A venue short enough for a parenthesis ('Nature', 'arXiv'); a long proceedings title is left to 参考."""
    if entry.publisher.lower() == "arxiv":
        return "arXiv"
    venue = entry.container_title if entry.type != "book" else ""
    return venue if len(venue) <= 24 else ""


def _link_words(words: str, url: str) -> str:
    """A link keeps its words; words that are the URL itself shrink to the site's name."""
    if re.match(r"(?:https?://|www\.)", words.strip()):
        return re.sub(r"^(?:https?://)?(?:www\.)?([^/\s]+).*$", r"\1", words.strip())
    return words


def _no_hash(text: str) -> str:
    """A '#' outside the hashtag line would become a topic: '#494' reads 'No. 494'."""
    return re.sub(r"#(?=\d)", "No. ", text).replace("#", "＃")


def _strip_html(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def _plain_markdown(source: str) -> str:
    """The words of Markdown source (an image's alt text is stored as written)."""
    from footnoted.parse import parser

    tokens = parser().parseInline(source)
    children = tokens[0].children if tokens and tokens[0].children else []
    return "".join(t.content for t in children if t.type in ("text", "code_inline")).strip()


def _tidy(text: str) -> str:
    """No space beside full-width punctuation (a note call can leave one), none at a line's end."""
    text = re.sub(f"[ \\t]+(?=[{_WIDE_PUNCTUATION}])", "", text)
    text = re.sub(f"(?<=[{_WIDE_PUNCTUATION}])[ \\t]+", "", text)
    # Where struck-out words were (marked \0): nothing between Chinese, else one space at most.
    text = re.sub(f"(?<=[{CJK}])[ \\t]*\0[ \\t]*(?=[{CJK}])", "", text)
    text = re.sub(r"[ \t]*\0[ \t]*", lambda m: " " if m.group(0).strip("\0") else "", text)
    return re.sub(r"[ \t]+(?=\n)", "", text).strip()


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"


def _lines_of(block: object) -> set[int]:
    """The lines of a block and of every block inside it (provenance marks name a block's line)."""
    lines = {getattr(block, "line", 0)}
    children = [b for item in block.items for b in item] if isinstance(block, ListBlock) else getattr(block, "children", ())
    for child in children:
        if getattr(child, "kind", "") in _BLOCK_KINDS:
            lines |= _lines_of(child)
    return lines


def _cite_items_in(blocks: tuple) -> list[tuple[CiteItem, ...]]:
    """Every citation under `blocks`, in the order the resolver numbers them."""
    found: list[tuple[CiteItem, ...]] = []

    def walk(node: object) -> None:
        if isinstance(node, Cite):
            found.append(node.items)
        elif isinstance(node, PassageQuote):
            found.append(node.cite.items)
        if isinstance(node, ListBlock):
            children: tuple = tuple(b for item in node.items for b in item)
        elif isinstance(node, TableBlock):
            children = tuple(n for cell in (*node.header, *(c for row in node.rows for c in row)) for n in cell)
        else:
            children = getattr(node, "children", ())
        for child in children:
            if not isinstance(child, Text):
                walk(child)

    for block in blocks:
        walk(block)
    return found


def _cite_items_by_note(resolved: ResolvedEssay) -> dict[int, tuple[CiteItem, ...]]:
    """Each citation note's cite items (their locators, prefixes and suffixes).

    The resolved note keeps only the formatted reference, so the items are found again in the
    parsed essay: the resolver numbers body citations in document order, so the n-th citation
    note is the n-th citation of the body. Checked key by key; on any mismatch, none are used.
    """
    notes = [note for note in resolved.notes if note.is_citation]
    cites = _cite_items_in(resolved.essay.blocks)
    pairs = list(zip(notes, cites))
    if len(notes) != len(cites) or any([s.entry.id for s in n.sources] != [i.key for i in items] for n, items in pairs):
        return {}
    return {note.number: items for note, items in pairs}


def _front_matter_place(path: str, key: str) -> tuple[int, int]:
    """The line and column of a front matter key's value, for the title error."""
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except OSError:
        return 1, 1
    for number, text in enumerate(lines[1:], 2):
        if text.rstrip() in ("---", "..."):
            break
        match = re.match(rf"{re.escape(key)}\s*:\s*", text)
        if match:
            return number, match.end() + 1
    return 1, 1
