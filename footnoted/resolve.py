"""Resolve an essay against the bibliography: citations and footnotes become numbered notes.

Numbering follows the order of first call, citations and author footnotes alike. A
citation's note gives the full reference the first time a source is cited, the short form
after. A citation inside an author footnote is written into that note's text. Every
problem (unknown key or quote, undefined footnote) is collected; unused entries, quotes and
footnotes are warnings.
"""

from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple

from footnoted.bibliography import EMPTY, Bibliography, Entry, Passage
from footnoted.diagnostics import CloseMatches, Diagnostic, InputError, did_you_mean, error, has_errors, warning
from footnoted.essay import Essay
from footnoted.styles import Citation, CitationItem, NoteStyle, essay_style
from footnoted.styles.common import attribution, short_author
from footnoted.tree import (
    Block,
    BlockQuote,
    Blocks,
    Break,
    Cite,
    CiteItem,
    FootnoteRef,
    Inline,
    InlineNote,
    InlineReference,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    PassageQuote,
    RawHtml,
    ResolvedPassage,
    Run,
    Styled,
    TableBlock,
    Text,
    map_inlines,
    plain_text,
)
from footnoted.typography import typeset_blocks, typeset_text


class CitedSource(NamedTuple):
    entry: Entry
    runs: tuple[Run, ...]  # the reference with its prefix, locator and suffix
    passage: Passage | None  # shown in the note; None when the body shows it already
    full: bool
    item: CiteItem  # as written: its locator, prefix and suffix, for targets that format their own


class Note(NamedTuple):
    number: int
    line: int
    sources: tuple[CitedSource, ...] = ()  # a citation note
    blocks: Blocks = ()  # an author footnote
    label: str = ""
    url: str = ""  # a link's target, given as a note where links cannot be clicked (print)

    @property
    def is_citation(self) -> bool:
        return bool(self.sources)

    @property
    def url_text(self) -> str:
        """The URL as a reader types it: a DOI as doi:…"""
        return "doi:" + self.url.removeprefix("https://doi.org/") if self.url.startswith("https://doi.org/") else self.url


class ResolvedEssay(NamedTuple):
    essay: Essay
    blocks: Blocks
    notes: tuple[Note, ...]
    references: tuple[tuple[Entry, tuple[Run, ...]], ...]
    warnings: tuple[Diagnostic, ...]
    # Every entry cited, by id: a CSL style may leave one out of its reference list (Chicago's
    # personal communications), and a target that writes its own short forms still needs it.
    cited: Mapping[str, Entry] = EMPTY

    @property
    def front(self):  # type: ignore[no-untyped-def]
        return self.essay.front


def resolve(essay: Essay, bibliography: Bibliography) -> ResolvedEssay:
    resolver = _Resolver(essay, bibliography)
    blocks = resolver.blocks(essay.blocks)
    resolver.format_citations()
    problems = [*essay.diagnostics, *resolver.problems, *resolver.unused_footnotes(), *resolver.unknown_nocite()]
    if has_errors(problems):
        raise InputError(sorted(problems))
    if essay.front.typography and essay.front.is_chinese:
        front = essay.front._replace(title=typeset_text(essay.front.title), subtitle=typeset_text(essay.front.subtitle))
        essay = essay._replace(front=front)
        blocks = typeset_blocks(blocks)
        notes = tuple(n._replace(blocks=typeset_blocks(n.blocks)) for n in resolver.notes)
    else:
        notes = tuple(resolver.notes)
    assert resolver.style is not None  # else an error was reported
    references = resolver.style.bibliography(list(resolver.first_cited.values()) + resolver.not_cited())
    cited = MappingProxyType(resolver.first_cited)
    return ResolvedEssay(essay, blocks, notes, references, tuple(sorted(problems)), cited)


def calls_after_punctuation(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """For notes set as numbers (blog, print): in English the call follows the punctuation
    ("are.²", as pandoc and Chicago set them); Chinese keeps it before (GB/T 7714: "样子[2]。").
    Xiaohongshu writes the source in parentheses, before the punctuation, and does not use this."""
    nodes = [n for n in inlines if not (isinstance(n, Text) and not n.text)]  # "[@a] [@b]" leaves ""
    for index in range(len(nodes) - 1):
        after = nodes[index + 1]
        if isinstance(nodes[index], NoteRef) and isinstance(after, Text) and after.text and after.text[0] in ".,;:!?":
            moved = after.text[0]
            start = index
            while start > 0 and isinstance(nodes[start - 1], NoteRef):
                start -= 1
            if start > 0 and isinstance(nodes[start - 1], Text):
                nodes[start - 1] = Text(nodes[start - 1].text + moved)
                nodes[index + 1] = Text(after.text[1:])
    return tuple(n for n in nodes if not (isinstance(n, Text) and not n.text))


def unused_in_bibliography(essays: list[Essay], bibliography: Bibliography) -> list[Diagnostic]:
    """Entries and quotes no essay cites: warnings (errors under --strict)."""
    used_keys, used_quotes = set(), set()
    for essay in essays:
        if "*" in essay.front.nocite:  # pandoc's `nocite: '@*'`: every entry is listed
            return []
        used_keys.update(essay.front.nocite)
        for item in cite_items(essay):
            key, quote, _problem = resolve_key(item, bibliography)
            used_keys.add(key)
            used_quotes.add((key, quote))
    problems = []
    broken = bibliography.broken
    for entry in bibliography.entries.values():
        if entry.id not in used_keys:
            if entry.id in broken:
                continue  # its problems are reported already
            problems.append(warning(entry.path, entry.line, entry.col, f"entry '{entry.id}' is never cited", "bib.unused-entry"))
            continue
        for passage in entry.quotes.values():
            if (entry.id, passage.id) not in used_quotes:
                problems.append(warning(entry.path, passage.line, passage.col, f"quote '{entry.id}:{passage.id}' is never cited", "bib.unused-quote"))
    return problems


def resolve_key(item: CiteItem, bibliography: Bibliography) -> tuple[str, str, tuple[str, str] | None]:
    """(key, quote id, problem) of a citation as written. `@a:b` is the key 'a:b' when the
    bibliography has it, else the quote 'b' of the key 'a' (quote ids hold no ':'); both at once
    is ambiguous, a problem (message, code). `@{a:b}` is always the key, `@{a}:b` the quote."""
    if item.quote or item.braced or ":" not in item.key:
        return item.key, item.quote, None
    head, _, tail = item.key.rpartition(":")
    whole = item.key in bibliography.entries
    entry = bibliography.entries.get(head)
    if whole and entry is not None and tail in entry.quotes:
        message = (f"'@{item.key}' is both the key '{item.key}' and the quote '{tail}' of '{head}': "
                   f"write '@{{{item.key}}}' for the key or '@{{{head}}}:{tail}' for the quote")
        return item.key, "", (message, "cite.ambiguous-key")
    if whole or entry is None:
        return item.key, "", None
    return head, tail, None


def cite_items(essay: Essay) -> list[CiteItem]:
    """Every citation item of an essay, in its text and in its footnotes, as written."""
    items: list[CiteItem] = []

    def walk(node: object) -> None:
        if isinstance(node, Cite):
            items.extend(node.items)
        elif isinstance(node, PassageQuote):
            items.extend(node.cite.items)
        for child in _children(node):
            walk(child)

    for block in (*essay.blocks, *(b for f in essay.footnotes.values() for b in f.blocks)):
        walk(block)
    return items


def _children(node: object) -> tuple:
    if isinstance(node, ListBlock):
        return tuple(b for item in node.items for b in item)
    if isinstance(node, TableBlock):
        return tuple(n for cell in (*node.header, *(c for row in node.rows for c in row)) for n in cell)
    return getattr(node, "children", ())


class _Resolver:
    def __init__(self, essay: Essay, bibliography: Bibliography) -> None:
        self.essay, self.bibliography = essay, bibliography
        self.chinese = essay.front.is_chinese
        self.problems: list[Diagnostic] = []
        try:
            self.style: NoteStyle | None = essay_style(essay)
        except InputError as exc:  # a CSL file that cannot be read: reported with the essay's other problems
            self.problems += exc.diagnostics
            self.style = None
        self.notes: list[Note] = []
        self.footnote_numbers: dict[str, int] = {}
        self.first_cited: dict[str, Entry] = {}  # by id, in order of first citation
        # Every citation in order, formatted at once when the essay is walked (see format_citations):
        # a style's note may depend on the notes before it.
        self.citations: list[Citation] = []
        self.citation_of_note: dict[int, int] = {}  # a citation note's number → its citation's index
        self.broken = bibliography.broken  # entries with errors: citing one blocks this essay

    @cached_property
    def known_keys(self) -> CloseMatches:
        """Indexed once for every mistyped key: a bibliography may hold thousands."""
        return CloseMatches(self.bibliography.entries)

    @cached_property
    def known_footnotes(self) -> CloseMatches:
        return CloseMatches(self.essay.footnotes)

    # --- blocks ---

    def blocks(self, blocks: Blocks, in_note: bool = False) -> Blocks:
        return map_inlines(
            blocks, lambda nodes, _block: self.inlines(nodes, in_note),
            on_block=lambda block: self.passage_quote(block) if isinstance(block, PassageQuote) else None,
        )

    def passage_quote(self, block: PassageQuote) -> Block:
        found = self.lookup(block.cite.items[0])
        if not found:
            return block
        entry, passage, item = found
        if passage is None:  # `> [@a:b]` where 'a:b' is a key: a blockquote holding a citation
            return self.blocks((BlockQuote((Paragraph((block.cite,), block.line),), block.line),))[0]
        label, value = self.locator_of(item, passage)
        note = self.add_citation_note((item,), block.line, show_passages=False)
        return ResolvedPassage(entry, passage, attribution(entry, label, value, self.chinese), note, block.line)

    # --- inlines ---

    def inlines(self, nodes: tuple[Inline, ...], in_note: bool) -> tuple[Inline, ...]:
        result: list[Inline] = []
        for node in nodes:
            if isinstance(node, Cite):
                if not node.in_text and not in_note:
                    # "they are [@key]." is written with a space; a note call stands against the word.
                    while result and isinstance(result[-1], Break) and not result[-1].hard:
                        result.pop()
                    if result and isinstance(result[-1], Text):
                        result[-1] = Text(result[-1].text.rstrip(" "))
                result.extend(self.cite(node, in_note))
            elif isinstance(node, FootnoteRef):
                result.extend(self.footnote_ref(node, in_note))
            elif isinstance(node, InlineNote):
                result.extend(self.inline_note(node, in_note))
            elif isinstance(node, (Styled, Link)):
                result.append(node._replace(children=self.inlines(node.children, in_note)))
            else:
                result.append(node)
        return tuple(result)

    def cite(self, cite: Cite, in_note: bool) -> list[Inline]:
        found = [self.lookup(item) for item in cite.items]
        if not all(found):
            return []
        items = tuple(f[2] for f in found)  # type: ignore[index]
        if in_note:  # inside an author footnote: the reference joins the note's own text
            # "As @lee says" there is the reference itself, which opens with the author's name:
            # no name before it as well ("As Lee Ann Lee, …"). Its runs come in format_citations.
            sources = self.cited_sources(items, show_passages=False, note_number=len(self.notes), in_note=True)
            return [InlineReference((), tuple(source.item for source in sources), cite.in_text, len(self.citations) - 1)]
        lead: list[Inline] = [Text(short_author(found[0][0], self.chinese))] if cite.in_text else []  # type: ignore[index]
        return [*lead, self.add_citation_note(items, cite.line, show_passages=True)]

    def footnote_ref(self, ref: FootnoteRef, in_note: bool) -> list[Inline]:
        definition = self.essay.footnotes.get(ref.label)
        if definition is None:
            hint = did_you_mean(ref.label, self.known_footnotes)
            self.problems.append(error(self.essay.path, ref.line, ref.col, f"footnote '[^{ref.label}]' is not defined{hint}", "footnote.undefined"))
            return []
        if in_note:
            self.problems.append(error(self.essay.path, ref.line, ref.col, "a footnote cannot call another footnote", "footnote.nested"))
            return []
        if ref.label in self.footnote_numbers:
            return [NoteRef(self.footnote_numbers[ref.label], first_call=False)]
        number = len(self.notes) + 1
        self.footnote_numbers[ref.label] = number
        self.notes.append(Note(number, definition.line, label=ref.label))  # placeholder keeps the order
        blocks = self.blocks(definition.blocks, in_note=True)
        self.notes[number - 1] = Note(number, definition.line, blocks=blocks, label=ref.label)
        return [NoteRef(number, first_call=True)]

    def inline_note(self, note: InlineNote, in_note: bool) -> list[Inline]:
        """`^[…]`: numbered with the other notes at its call; its citations join its text."""
        if in_note:
            message = "a footnote cannot call another footnote"
            self.problems.append(error(self.essay.path, note.line, note.col, message, "footnote.nested"))
            return []
        number = len(self.notes) + 1
        self.notes.append(Note(number, note.line))  # placeholder keeps the order
        children = self.inlines(note.children, in_note=True)
        self.notes[number - 1] = Note(number, note.line, blocks=(Paragraph(children, note.line),))
        return [NoteRef(number, first_call=True)]

    # --- notes ---

    def add_citation_note(self, items: tuple[CiteItem, ...], line: int, show_passages: bool) -> NoteRef:
        number = len(self.notes) + 1
        self.notes.append(Note(number, line, sources=self.cited_sources(items, show_passages, number)))
        self.citation_of_note[number] = len(self.citations) - 1
        return NoteRef(number, first_call=True)

    def cited_sources(self, items: tuple[CiteItem, ...], show_passages: bool, note_number: int,
                      in_note: bool = False) -> tuple[CitedSource, ...]:
        """The sources of one citation, their runs still to come; the citation joins the list the style formats."""
        sources, style_items = [], []
        for item in items:
            entry, passage, item = self.lookup(item)  # type: ignore[misc]
            label, value = self.locator_of(item, passage)
            full = entry.id not in self.first_cited
            self.first_cited.setdefault(entry.id, entry)
            style_items.append(CitationItem(entry, label, value, tuple(runs_of(item.prefix)), tuple(runs_of(item.suffix)),
                                            item.suppress_author))
            sources.append(CitedSource(entry, (), passage if show_passages else None, full, item))
        self.citations.append(Citation(tuple(style_items), note_number, in_note))
        return tuple(sources)

    def format_citations(self) -> None:
        """Every citation's runs from the style, into its note or into the author footnote that holds it."""
        if self.style is None:
            return
        try:
            formatted = self.style.notes(self.citations)
        except InputError as exc:  # citeproc-js could not use the CSL style
            self.problems += exc.diagnostics
            return
        for number, index in self.citation_of_note.items():
            note = self.notes[number - 1]
            sources = tuple(s._replace(runs=runs) for s, runs in zip(note.sources, formatted[index], strict=True))
            self.notes[number - 1] = note._replace(sources=sources)

        def fill(nodes: tuple[Inline, ...], _block: object = None) -> tuple[Inline, ...]:
            result: list[Inline] = []
            for node in nodes:
                if isinstance(node, InlineReference) and node.citation >= 0:
                    runs = [r for source in formatted[node.citation] for r in source]
                    if runs and runs[-1].text.endswith("."):  # the sentence of the note ends it, not the reference
                        runs[-1] = runs[-1]._replace(text=runs[-1].text[:-1])
                    elif runs and runs[-1].text.endswith(".”"):  # a CSL style's full stop inside the quotes
                        runs[-1] = runs[-1]._replace(text=runs[-1].text[:-2] + "”")
                    node = node._replace(runs=tuple(runs))
                elif isinstance(node, (Styled, Link)):
                    node = node._replace(children=fill(node.children))
                result.append(node)
            return tuple(result)

        self.notes = [note._replace(blocks=map_inlines(note.blocks, fill)) if note.blocks else note for note in self.notes]

    def locator_of(self, item: CiteItem, passage: Passage | None) -> tuple[str, str]:
        if item.locator:
            return item.locator_label, item.locator
        if passage and passage.page:
            return "page", passage.page
        if passage and passage.locator:
            return "", passage.locator
        return "", ""

    def lookup(self, item: CiteItem) -> tuple[Entry, Passage | None, CiteItem] | None:
        """The entry and passage a citation names, and the item with its key and quote decided."""
        key, quote, problem = resolve_key(item, self.bibliography)
        if problem:
            self.problems.append(error(self.essay.path, item.line, item.col, *problem))
            return None
        entry = self.bibliography.entries.get(key)
        if entry is None:
            hint = did_you_mean(key, self.known_keys)
            self.problems.append(error(self.essay.path, item.line, item.col, f"unknown citation key '{key}'{hint}", "cite.unknown-key"))
            return None
        if key in self.broken:
            self.problems.append(error(self.essay.path, item.line, item.col,
                f"'{key}' cannot be cited until its entry is fixed ({entry.path}:{entry.line})", "cite.broken-entry"))
            return None
        item = item._replace(key=key, quote=quote, braced=True)  # decided: never split again
        if not quote:
            return entry, None, item
        passage = entry.quotes.get(quote)
        if passage is None:
            hint = did_you_mean(quote, entry.quotes)
            self.problems.append(error(self.essay.path, item.line, item.col,
                f"unknown quote '{quote}' in '{key}'{hint}", "cite.unknown-quote"))
            return None
        return entry, passage, item

    def not_cited(self) -> list[Entry]:
        """The entries `nocite:` lists that no citation names, in the bibliography's order."""
        listed = self.essay.front.nocite
        if not listed:
            return []
        keys = self.bibliography.entries.keys() if "*" in listed else listed
        return [self.bibliography.entries[key] for key in keys
                if key in self.bibliography.entries and key not in self.first_cited and key not in self.broken]

    def unknown_nocite(self) -> list[Diagnostic]:
        return [warning(self.essay.path, 1, 1, f"nocite: unknown citation key '{key}'{did_you_mean(key, self.known_keys)}",
                        "cite.unknown-key")
                for key in self.essay.front.nocite if key != "*" and key not in self.bibliography.entries]

    def unused_footnotes(self) -> list[Diagnostic]:
        return [warning(self.essay.path, f.line, 1, f"footnote '[^{f.label}]' is never called", "footnote.unused")
                for f in self.essay.footnotes.values() if f.label not in self.footnote_numbers]


def runs_of(nodes: tuple[Inline, ...], italic: bool = False) -> list[Run]:
    """A prefix's or suffix's Markdown as runs: emphasis in italics, a link its words and URL."""
    runs: list[Run] = []
    for node in nodes:
        if isinstance(node, Styled):
            runs += runs_of(node.children, italic or node.style == "em")
        elif isinstance(node, Link):
            runs.append(Run(plain_text(node.children), italic, node.url))
        elif isinstance(node, Break):
            runs.append(Run(" ", italic))
        else:
            text = plain_text((node,)) if not isinstance(node, RawHtml) else node.html
            if text:
                runs.append(Run(text, italic))
    return runs
