"""Reading a PDF back as a reader's tools do: pages, text, links, fonts, metadata (pypdf, poppler)."""

from __future__ import annotations

import html
import io
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from pypdf import PdfReader


@dataclass(frozen=True)
class NotePlaces:
    calls: dict[int, int]  # note number -> page (1-based) of its call in the text
    notes: dict[int, int]  # note number -> page of the note (its marker links back to the call)


def note_places(path: Path) -> NotePlaces:
    """Calls link to '#fn-N' and each note's marker links back to '#call-N': the link
    annotations on a page say which calls and which notes that page really shows."""
    calls: dict[int, int] = {}
    notes: dict[int, int] = {}
    for page_number, page in enumerate(PdfReader(path).pages, 1):
        for annotation in page.get("/Annots", []):
            destination = str(annotation.get_object().get("/Dest", ""))
            if destination.startswith("fn-"):
                calls.setdefault(int(destination[3:]), page_number)
            elif destination.startswith("call-"):
                notes.setdefault(int(destination[5:]), page_number)
    return NotePlaces(calls, notes)


def embedded_fonts(path: Path) -> set[str]:
    """Font names (subset prefix removed) that pdffonts reports as embedded."""
    result = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    fonts = set()
    for line in result.stdout.splitlines()[2:]:
        columns = line.split()
        if len(columns) >= 7 and columns[-5] == "yes":
            fonts.add(columns[0].split("+")[-1])
    return fonts


def font_programs(pdf: Path | bytes) -> dict[str, TTFont]:
    """The font program embedded for each font the pages use (TrueType or CFF), by its name with the
    subset prefix removed."""
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    programs = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            programs[str(font["/BaseFont"]).split("+")[-1]] = TTFont(io.BytesIO(program.get_object().get_data()))
    return programs


def text_by_face(pdf: Path) -> list[dict[str, str]]:
    """Per page, the text each font face draws (subset prefix removed), as pypdf reads the content streams."""
    pages = []
    for page in PdfReader(pdf).pages:
        drawn: dict[str, str] = defaultdict(str)

        def visit(text, _cm, _tm, font, _size, drawn=drawn):  # type: ignore[no-untyped-def]
            if font is not None and text.strip():
                drawn[str(font.get("/BaseFont", "")).split("+")[-1]] += text

        page.extract_text(visitor_text=visit)
        pages.append(dict(drawn))
    return pages


def page_texts(path: Path) -> list[str]:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return result.stdout.split("\f")


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    text: str
    left: float  # points from the page's left and top edges
    right: float
    top: float
    bottom: float


def words(path: Path) -> list[Word]:
    """Every word pdftotext finds on the pages, with its box (a word broken over lines is a word a line)."""
    result = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True)
    found, page = [], 0
    for line in result.stdout.splitlines():
        page += "<page " in line
        box = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if box:
            left, top, right, bottom = (float(box.group(i)) for i in range(1, 5))
            found.append(Word(page, html.unescape(box.group(5)), left, right, top, bottom))
    return found


def words_by_page(path: Path) -> list[list[Word]]:
    """The words of each page, in pdftotext's order."""
    pages: list[list[Word]] = []
    for word in words(path):
        while len(pages) < word.page:
            pages.append([])
        pages[word.page - 1].append(word)
    return pages


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    text: str  # its words, joined by spaces
    left: float  # points from the page's left and top edges
    top: float
    right: float
    bottom: float


def page_lines(path: Path) -> tuple[list[list[Line]], tuple[float, float]]:
    """The lines pdftotext -bbox-layout finds, page by page (an empty page is an empty list), and the page size."""
    result = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True)
    pages: list[list[Line]] = []
    size = (0.0, 0.0)
    for chunk in result.stdout.split("<page ")[1:]:
        box = re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk)
        size = (float(box.group(1)), float(box.group(2))) if box else size
        found = []
        for line in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                                chunk, re.S):
            text = " ".join(html.unescape(w) for w in re.findall(r"<word [^>]*>(.*?)</word>", line.group(5)))
            found.append(Line(len(pages) + 1, text, *(float(line.group(i)) for i in range(1, 5))))
        pages.append(sorted(found, key=lambda line: (line.top, line.left)))
    return pages, size
