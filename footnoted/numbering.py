"""Numbering the notes of one target.

The resolver numbers notes over the whole essay, but a target shows only what is not hidden
from it (Quarto's conditional content), and paper adds a note for each external link. So each
numbered-note target numbers again, in reading order, over what it shows: no gaps, no note
without its call.
"""

from typing import NamedTuple

from footnoted.bibliography import Entry
from footnoted.resolve import Note, ResolvedEssay, calls_after_punctuation
from footnoted.tree import (
    Block,
    Blocks,
    Inline,
    InlineReference,
    Inlines,
    Link,
    NoteRef,
    ResolvedPassage,
    Run,
    Styled,
    map_inlines,
    shown,
)


class Numbered(NamedTuple):
    blocks: Blocks
    notes: tuple[Note, ...]
    call_lines: dict[int, int]  # note number -> line of the block holding its call (print nudges)
    references: tuple[tuple[Entry, tuple[Run, ...]], ...]  # the sources these notes cite, in the resolver's order

    def shown_in(self, resolved: ResolvedEssay) -> ResolvedEssay:
        """The resolved essay as this target shows it: its blocks, notes and references."""
        return resolved._replace(blocks=self.blocks, notes=self.notes, references=self.references)


def number_notes(resolved: ResolvedEssay, target: str, link_notes: bool) -> Numbered:
    """Notes renumbered for `target`; with `link_notes`, an external link gets a note with its
    URL, unless a citation note this target shows already gives that source."""
    given_urls = None
    if link_notes:  # which citation notes the target shows is known after a first numbering
        first = _Numberer(resolved, target, None)
        map_inlines(shown(resolved.blocks, target), first.inlines, on_block=first.passage)
        given_urls = {url for note in first.notes for source in note.sources for url in _entry_urls(source.entry)}
    numberer = _Numberer(resolved, target, given_urls)

    def change(nodes: Inlines, block: Block) -> Inlines:  # in English, a note's call goes after the punctuation
        numbered = numberer.inlines(nodes, block)
        return numbered if resolved.front.is_chinese else calls_after_punctuation(numbered)

    blocks = map_inlines(shown(resolved.blocks, target), change, on_block=numberer.passage)
    cited = _cited_keys(numberer.notes)
    listed = set(resolved.front.nocite)  # `nocite:` lists these though nothing cites them
    references = tuple(reference for reference in resolved.references
                       if reference[0].id in cited or reference[0].id in listed or "*" in listed)
    return Numbered(blocks, tuple(numberer.notes), numberer.call_lines, references)


def _cited_keys(notes: list[Note]) -> set[str]:
    """The sources the notes give: citation notes, and citations inside author footnotes."""
    keys = {source.entry.id for note in notes for source in note.sources}

    def collect(nodes: Inlines, _block: Block) -> Inlines:
        for node in nodes:
            if isinstance(node, InlineReference):
                keys.update(item.key for item in node.items)
            elif isinstance(node, (Link, Styled)):
                collect(node.children, _block)
        return nodes

    for note in notes:
        map_inlines(note.blocks, collect)
    return keys


class _Numberer:
    def __init__(self, resolved: ResolvedEssay, target: str, given_urls: set[str] | None) -> None:
        """`given_urls`: the URLs of the sources the shown citation notes give; None: links get no notes."""
        self.resolved, self.target, self.given_urls = resolved, target, given_urls
        self.notes: list[Note] = []
        self.new_numbers: dict[int, int] = {}
        self.call_lines: dict[int, int] = {}

    def passage(self, block: Block) -> Block | None:
        if isinstance(block, ResolvedPassage):
            return block._replace(note=self.note_ref(block.note, block.line))
        return None

    def inlines(self, nodes: Inlines, block: Block) -> Inlines:
        result: list[Inline] = []
        for node in nodes:
            if isinstance(node, NoteRef):
                result.append(self.note_ref(node, block.line))
            elif isinstance(node, (Link, Styled)):
                result.append(node._replace(children=self.inlines(node.children, block)))
                if isinstance(node, Link) and self.wants_note(node.url):
                    result.append(self.add(Note(0, block.line, url=node.url), block.line))
            else:
                result.append(node)
        return tuple(result)

    def wants_note(self, url: str) -> bool:
        return self.given_urls is not None and url.startswith(("http://", "https://")) and url not in self.given_urls

    def note_ref(self, ref: NoteRef, line: int) -> NoteRef:
        if ref.number in self.new_numbers:
            return NoteRef(self.new_numbers[ref.number], first_call=False)
        new = self.add(self.resolved.notes[ref.number - 1], line)
        self.new_numbers[ref.number] = new.number
        return new

    def add(self, note: Note, line: int) -> NoteRef:
        number = len(self.notes) + 1
        self.notes.append(note._replace(number=number, blocks=shown(note.blocks, self.target)))
        self.call_lines[number] = line
        return NoteRef(number, first_call=True)


def _entry_urls(entry: Entry) -> set[str]:
    urls = {entry.url, entry.pdf}
    if entry.doi:
        urls.add(f"https://doi.org/{entry.doi}")
    return urls - {""}
