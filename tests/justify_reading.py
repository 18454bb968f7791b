"""Reading justified lines back from a real PDF (issue #16): WeasyPrint's own boxes say which lines
belong to a justified paragraph, where its measure runs and which line is a paragraph's last;
the PDF, read by poppler (`pdftotext -bbox`), says where the glyphs really stand on them.

Poppler starts a new word at any gap wider than a tenth of the font size, so every gap that
could be too wide is a gap between two of its words."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import ClassVar

from weasyprint.formatting_structure.boxes import LineBox, TextBox

from footnoted import pdf_layout  # first: WeasyPrint imported as footnoted imports it
from footnoted.pdf_justify import is_raised
from pdf_reading import Word, words_by_page  # noqa: I001  (after footnoted's WeasyPrint import)

PT_PER_PX = 0.75  # WeasyPrint lays out in CSS px; the PDF is in points


@dataclass
class JustifiedLine:
    page: int  # 1-based
    top: float  # the line box, in points
    bottom: float
    start: float  # the measure the line must fill: its left and right ends
    end: float
    font_pt: float  # the paragraph's font size
    final: bool  # the paragraph's last line (not stretched)
    text: str  # as the boxes hold it
    words: list[Word] = field(default_factory=list)  # what the PDF shows on it, left to right

    @property
    def shortfall(self) -> float:
        """How far the line's last glyph stops before the end of the measure, in points."""
        return self.end - max(word.right for word in self.words) if self.words else self.end - self.start

    def gaps(self) -> list[tuple[float, str, str]]:
        """(width in em, the word before, the word after) for every gap between two words of the line's own size."""
        own = [word for word in self.words if word.bottom - word.top > 0.8 * self.font_pt]  # not a note's call
        return [((after.left - before.right) / self.font_pt, before.text, after.text) for before, after in pairwise(own)]

    def letters(self) -> str:
        """The line's characters as the PDF shows them, without the note calls, spaces and punctuation."""
        own = "".join(word.text for word in self.words if word.bottom - word.top > 0.8 * self.font_pt)
        return "".join(char for char in own if not unicodedata.category(char).startswith(("P", "Z", "S")))


class RecordingBook(pdf_layout.Book):
    """The real Book, kept once made, so that its page boxes can be read."""

    made: ClassVar[list[pdf_layout.Book]] = []

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        RecordingBook.made.append(self)


def justified_lines(pages, path: Path) -> list[JustifiedLine]:  # type: ignore[no-untyped-def]
    """Every line of every justified paragraph on the pages (the Book's page boxes), with the words
    the PDF at `path` shows on it."""
    found: list[JustifiedLine] = []
    last_line_of: dict[object, JustifiedLine] = {}  # paragraph element -> its last line so far
    for number, page in enumerate(pages, 1):
        for block in _blocks_of_lines(page):
            style = block.style
            if style["text_align_all"] != "justify" or style["white_space"] not in ("normal", "nowrap", "pre-line"):
                continue
            start = block.content_box_x() * PT_PER_PX
            for line in (child for child in block.children if isinstance(child, LineBox)):
                found.append(JustifiedLine(
                    number, line.position_y * PT_PER_PX, (line.position_y + line.height) * PT_PER_PX,
                    start, start + block.width * PT_PER_PX, style["font_size"] * PT_PER_PX, False, _text(line)))
                last_line_of[block.element] = found[-1]
    for line in last_line_of.values():
        line.final = True
    words = words_by_page(path)
    for line in found:
        middle = [w for w in words[line.page - 1]
                  if line.top <= (w.top + w.bottom) / 2 <= line.bottom and w.right > line.start - 1 and w.left < line.end + 1]
        line.words = sorted(middle, key=lambda w: w.left)
    return found


def _blocks_of_lines(page):  # type: ignore[no-untyped-def]
    """The boxes on a page that hold lines of text (paragraphs, passages, notes), in reading order."""
    stack = [page]
    while stack:
        box = stack.pop()
        children = getattr(box, "children", ())
        if any(isinstance(child, LineBox) for child in children):
            yield box
        stack.extend(reversed([child for child in children if not isinstance(child, LineBox)]))


def _text(box) -> str:  # type: ignore[no-untyped-def]
    if isinstance(box, TextBox):
        return box.text
    return "".join(_text(child) for child in getattr(box, "children", ()))


@dataclass(frozen=True)
class Counts:
    justified: int  # lines of justified paragraphs, but their last ones
    short: list[JustifiedLine]  # of those, stopping more than 0.5 pt before the end of the measure
    over: list[JustifiedLine]  # any line running more than 0.5 pt past it (a closing mark: past its inked half)
    widest_gap: tuple[float, str, str]  # in em, between the words named
    wide_gaps: list[tuple[float, str, str]]  # wider than 0.5 em
    lone_last_lines: list[JustifiedLine]  # a paragraph's last line holding one character (and punctuation)


def counts(lines: list[JustifiedLine]) -> Counts:
    flush = [line for line in lines if not line.final]
    gaps = [gap for line in lines for gap in line.gaps()]
    return Counts(
        len(flush), [line for line in flush if line.shortfall > 0.5], [line for line in lines if _overshoot(line) > 0.5],
        max(gaps, default=(0.0, "", "")), [gap for gap in gaps if gap[0] > 0.5],
        [line for line in lines if line.final and len(line.letters()) == 1],
    )


CLOSING_MARKS = "、。，：；？！）》」』】”’"


def _overshoot(line: JustifiedLine) -> float:
    """How far the line runs past the measure. A closing mark's box, as poppler reads it, is a whole
    em; only its first half is inked, and that half may end a line (GB/T 15834 5.1.10)."""
    if not line.words:
        return 0.0
    last = line.words[-1]
    blank = 0.5 * line.font_pt if last.text[-1] in CLOSING_MARKS else 0.0
    return last.right - blank - line.end


def report(counted: Counts) -> str:
    return (f"{len(counted.short)} of {counted.justified} non-final justified lines short by more than 0.5 pt, "
            f"{len(counted.over)} lines over; "
            f"widest gap {counted.widest_gap[0]:.2f} em ({counted.widest_gap[1]}␣{counted.widest_gap[2]}), "
            f"{len(counted.wide_gaps)} gaps wider than 0.5 em; {len(counted.lone_last_lines)} last lines of one character")


def line_texts(pages) -> list[str]:  # type: ignore[no-untyped-def]
    """The text of every line on the pages (paragraphs and notes) as the boxes hold it, without the
    note calls (superscripts) and zero-width characters: what a reader sees start and end a line."""
    found = []
    for page in pages:
        stack = [page]
        while stack:
            box = stack.pop()
            if isinstance(box, LineBox):
                text = "".join(_own_text(box, raised=False))
                found.append("".join(char for char in text if char not in "\u200b\u2060\u00ad").strip())
            else:
                stack.extend(reversed(getattr(box, "children", ())))
    return found


def _own_text(box, raised: bool):  # type: ignore[no-untyped-def]
    if isinstance(box, TextBox):
        if not raised:
            yield box.text
        return
    for child in getattr(box, "children", ()):
        yield from _own_text(child, raised or is_raised(child.style))
