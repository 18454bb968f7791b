"""The bibliography: CSL entries from any format pandoc reads, with the passages the essay quotes.

Formats, one module each, all with one interface, `read(path, text, problems)`: the CSL items
of a file, each with its place (`(item, Place)` pairs, handed over one by one), and `MARKDOWN`,
whether its text is pandoc's Markdown. One converter (csl.py) makes every item an `Entry`.

- cslyaml: CSL-YAML (`.yaml`, `.yml`), as pandoc, Zotero and Better BibTeX write it;
- csljson: CSL-JSON (`.json`), as Zotero and pandoc export it;
- bibtex: BibTeX and BibLaTeX (`.bib`), mapped to CSL as pandoc maps them.

Our one extension is `quotes:`, a mapping from a quote id to a passage. Everything else is CSL,
so `pandoc --citeproc` reads the same files. What pandoc reads we read: a suspect value is a
warning, never an error; a duplicate id is a warning, and the later entry is used, as in pandoc.
"""

import importlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import NamedTuple

from footnoted.bibliography.csl import convert
from footnoted.bibliography.model import EMPTY, Date, Entry, LiteralDate, Name, Passage, Table, Variable
from footnoted.diagnostics import Diagnostic, InputError, Severity, error, warning
from footnoted.safe_read import MAX_BIBLIOGRAPHY_BYTES, read_regular_file
from footnoted.source import read_text
from footnoted.yamlsafe import Place, collector_paused

__all__ = [
    "FORMATS", "Bibliography", "Date", "Entry", "LiteralDate", "Name", "Passage", "Table", "Variable",
    "bibliography_files", "citation_files", "entries_from_items", "load_bibliography",
]

# Each format's reader, by file ending; imported when a file of that kind is read (BibTeX's reader
# is the largest of our modules: a build from CSL-YAML alone should not pay for it).
FORMATS: dict[str, str] = {".yaml": "cslyaml", ".yml": "cslyaml", ".json": "csljson", ".bib": "bibtex"}


def reader_of(format_name: str) -> ModuleType:
    return importlib.import_module(f"footnoted.bibliography.{format_name}")


class Bibliography(NamedTuple):
    entries: Mapping[str, Entry]
    diagnostics: tuple[Diagnostic, ...] = ()  # warnings, and the errors of broken entries
    problems_of: Mapping[str, tuple[Diagnostic, ...]] = EMPTY  # by id: what was found in that entry
    strict: bool = False  # --strict: an entry with a warning is broken too

    @property
    def broken(self) -> Mapping[str, Diagnostic]:
        """The entries the essays may not cite, each with its first problem: an essay that cites
        one is not built, the others are."""
        return {key: problems[0] for key, problems in self.problems_of.items()
                if any(p.severity is Severity.ERROR for p in problems) or (self.strict and problems)}

    def merged(self, later: "Bibliography") -> "Bibliography":
        """Both, `later`'s entries used where an id is in both (as pandoc keeps the last), with a warning."""
        entries = dict(self.entries)
        problems_of = dict(self.problems_of)
        diagnostics = list(self.diagnostics)
        for key, entry in later.entries.items():
            if key in entries and entries[key] is not entry:
                duplicate = _duplicate(entry, entries[key])
                diagnostics.append(duplicate)
                problems_of[key] = (*later.problems_of.get(key, ()), duplicate)
            elif key in later.problems_of:
                problems_of[key] = later.problems_of[key]
            entries[key] = entry
        known = set(self.diagnostics)
        diagnostics += [d for d in later.diagnostics if d not in known]
        return Bibliography(MappingProxyType(entries), tuple(diagnostics), MappingProxyType(problems_of), self.strict)


def _duplicate(later: Entry, earlier: Entry) -> Diagnostic:
    return warning(later.path, later.line, later.col,
                   f"duplicate id '{later.id}' (also at {earlier.path}:{earlier.line}:{earlier.col}): this one is used, as in pandoc",
                   "bib.duplicate-id")


# --- which files ---------------------------------------------------------------------------


def bibliography_files(path: Path) -> list[Path]:
    """A file, or every bibliography in a folder (each format we read), in name order."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in FORMATS and p.is_file())
    return [path]


def citation_files(paths: Iterable[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The files of several `--citations` places, each file once, and a warning naming each file
    a folder holds that is no bibliography (a hidden file, such as an editor's, is passed over)."""
    files: list[Path] = []
    seen: set[Path] = set()
    skipped = []
    for place in paths:
        for file in bibliography_files(place):
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
        if place.is_dir():
            others = sorted(p for p in place.iterdir() if p.is_file() and p.suffix.lower() not in FORMATS and not p.name.startswith("."))
            skipped += [warning(str(other), 0, 0, f"not read: a bibliography is {', '.join(FORMATS)}", "bib.skipped-file")
                        for other in others]
    return files, skipped


# --- loading --------------------------------------------------------------------------------


def load_bibliography(paths: list[Path]) -> Bibliography:
    """Read every file. A file that cannot be read at all (its syntax, its encoding) raises
    InputError with every such problem across all files; an entry's problems are in the result."""
    loaded = Bibliography(MappingProxyType({}))
    unreadable: list[Diagnostic] = []
    for path in paths:
        try:
            loaded = loaded.merged(load_file(path))
        except InputError as exc:
            unreadable.extend(exc.diagnostics)
        except OSError as exc:
            unreadable.append(error(str(path), 0, 0, f"cannot read the bibliography: {exc.strerror}", "bib.unreadable"))
    if any(d.severity is Severity.ERROR for d in unreadable):
        raise InputError([*unreadable, *loaded.diagnostics])
    return loaded._replace(diagnostics=(*loaded.diagnostics, *unreadable))


def load_file(path: Path) -> Bibliography:
    name = str(path)
    text = read_text(name, read_regular_file(path, MAX_BIBLIOGRAPHY_BYTES))
    reader = reader_of(FORMATS.get(path.suffix.lower()) or _sniffed(text))
    with collector_paused():  # the entries are a tree too
        return entries_from_items(name, reader.read(name, text, problems := []), reader.MARKDOWN, problems)


def _sniffed(text: str) -> str:
    """A file named with another ending: by its first character, as JSON, BibTeX or YAML."""
    first = text.lstrip()[:1]
    return "csljson" if first in "[{" and first else "bibtex" if first in "@%" and first else "cslyaml"


def entries_from_items(path: str, items: Iterable[tuple[object, Place]], markdown: bool,
                       problems: list[Diagnostic] | None = None) -> Bibliography:
    """Entries from CSL items (a file's, or an essay's `references:`): a duplicate id is a warning
    on the later entry, which is used."""
    problems = problems if problems is not None else []
    entries: dict[str, Entry] = {}
    problems_of: dict[str, tuple[Diagnostic, ...]] = {}
    for item, place in items:
        before = len(problems)
        entry, _ = convert(path, item, place, problems, markdown)
        if entry is None:
            continue
        found = tuple(problems[before:])
        if entry.id in entries:
            duplicate = _duplicate(entry, entries[entry.id])
            problems.append(duplicate)
            found += (duplicate,)
        entries[entry.id] = entry
        if found:
            problems_of[entry.id] = found
        elif entry.id in problems_of:
            del problems_of[entry.id]
    return Bibliography(MappingProxyType(entries), tuple(problems), MappingProxyType(problems_of))
