"""WeasyPrint, imported without its slow search for C libraries, its hyphenation patterns read quickly.

Libraries. WeasyPrint opens each library (GObject, Pango, HarfBuzz, fontconfig...) by trying a
list of names, one per platform: 'libgobject-2.0-0', 'gobject-2.0-0', ..., 'libgobject-2.0.so.0'.
For every name the dynamic loader cannot open as it stands, cffi asks ctypes.util.find_library,
which on Linux runs `ldconfig -p`, then gcc and ld, in new processes: 22 searches, 54 processes,
0.2 s of a 1.7 s build where gcc is installed (0.05 s where it is not). On Linux, the names that
end in a soname (libgobject-2.0.so.0) are in every list, and the loader opens them itself (the
very files the search would find), so during the import every search is answered at once: not
found. Elsewhere (macOS, Windows) WeasyPrint searches as it always does.

Hyphenation. For `hyphens: auto` in English text, Pyphen (0.18.1) parses all 11,000 patterns of
its en_US dictionary, one regular expression and tuple at a time: 65-130 ms, on every PDF build.
A line break looks up a few hundred of them. So the patterns are read in bulk (each one's letters
as its key) and each is parsed when first looked up; dictionaries with lines only Pyphen's own
parser reads right (^^hex escapes, nonstandard hyphenation, two-digit values) are parsed by it.
test_pdf.py holds the result to Pyphen's own, pattern for pattern, for all its dictionaries.
"""

from __future__ import annotations

import ctypes.util
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def _loader_opens_libraries() -> Iterator[None]:
    if sys.platform != "linux":
        yield
        return
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


with _loader_opens_libraries():
    import weasyprint

import pyphen  # noqa: E402  (WeasyPrint's, imported with it)

# A line Pyphen skips once stripped: a comment or a setting (LEFTHYPHENMIN 2...).
_IGNORED_LINE = re.compile(r"^[^\S\n]*(?:%s).*$" % "|".join(map(re.escape, pyphen.ignored)), re.M)
_ZEROS_ONLY = re.compile(r"^[^1-9]*$")  # a pattern Pyphen skips: it hyphenates nothing
_TWO_DIGITS = re.compile(r"[0-9][0-9]")


class PatternsOnDemand(dict):
    """letters -> the pattern line, parsed into Pyphen's (offset, values) when first looked up."""

    def get(self, letters, default=None):  # type: ignore[no-untyped-def, override]
        value = dict.get(self, letters, default)
        if type(value) is str:
            values = [0]  # the value before each letter, and after the last
            for char in value:
                if char in "0123456789":
                    values[-1] = int(char)
                else:
                    values.append(0)
            start, end = 0, len(values)
            while not values[start]:
                start += 1
            while not values[end - 1]:
                end -= 1
            value = self[letters] = start, tuple(values[start:end])
        return value


def patterns_on_demand(path: Path) -> PatternsOnDemand | None:
    """A hyph_*.dic's patterns as Pyphen's HyphDict reads them, or None where only it reads them right."""
    with path.open("rb") as file:
        encoding = file.readline().decode()
    if encoding.lower() == "microsoft-cp1251":
        encoding = "cp1251"
    body = path.read_text(encoding).partition("\n")[2]  # after the encoding's line
    lines = [line for line in map(str.strip, _IGNORED_LINE.sub("", body).split("\n")) if line]
    text = "\n".join(lines)
    odd_digits = any(char.isdecimal() and char not in "0123456789" for char in set(text))
    if "^^" in text or "/" in text or odd_digits or _TWO_DIGITS.search(text):
        return None
    if any(map(_ZEROS_ONLY.match, lines)):
        lines = [line for line in lines if not _ZEROS_ONLY.match(line)]
        text = "\n".join(lines)
    # ASCII digits are never part of a longer UTF-8 sequence: deleting their bytes deletes them.
    letters = text.encode("utf-8").translate(None, b"0123456789").decode("utf-8").split("\n")
    return PatternsOnDemand(zip(letters, lines))


class _QuickHyphDict(pyphen.HyphDict):
    def __init__(self, path: Path) -> None:
        patterns = patterns_on_demand(path)
        if patterns is None:
            super().__init__(path)
            return
        self.patterns, self.cache, self.maxlen = patterns, {}, max(map(len, patterns))


PYPHENS_HYPHDICT = pyphen.HyphDict
pyphen.HyphDict = _QuickHyphDict  # Pyphen(lang=...) makes its dictionaries from this name

__all__ = ["weasyprint"]
