"""Reading a PDF back as a reader's tools do: pages, text, links, fonts, metadata (pypdf, poppler)."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

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


def page_texts(path: Path) -> list[str]:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return result.stdout.split("\f")


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    text: str
    left: float  # points from the page's left edge
    right: float


def words(path: Path) -> list[Word]:
    """Every word pdftotext finds on the pages, with its box (a word broken over lines is a word a line)."""
    result = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True)
    found, page = [], 0
    for line in result.stdout.splitlines():
        page += "<page " in line
        box = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>', line)
        if box:
            found.append(Word(page, html.unescape(box.group(3)), float(box.group(1)), float(box.group(2))))
    return found
