"""The bibliography: CSL-YAML entries, extended with the verbatim passages the essay quotes.

Files are CSL-YAML as pandoc and Zotero/Better BibTeX write them (a `references:` list, or a
bare list), so `pandoc --citeproc` still reads them. Our one extension is `quotes:`, a mapping
from a quote id to a passage. Fields we do not use are accepted and ignored, as CSL allows.
"""

import datetime
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from footnoted.diagnostics import Diagnostic, InputError, error
from footnoted.safe_read import MAX_BIBLIOGRAPHY_BYTES, read_regular_file
from footnoted.source import read_text
from footnoted.yamlsafe import Place, YamlList, YamlMap, collector_paused, load_yaml


class Name(NamedTuple):
    family: str = ""
    given: str = ""
    literal: str = ""
    particle: str = ""  # CSL's non-dropping-particle: "del" in "del Rio-Chanona"

    @property
    def full_family(self) -> str:
        return f"{self.particle} {self.family}".strip()


class Date(NamedTuple):
    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)


class Table(NamedTuple):
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


class Passage(NamedTuple):
    id: str
    text: str
    page: str = ""
    locator: str = ""  # a place that is not a page, such as a timestamp "00:23:57"
    emphasis: tuple[str, ...] = ()  # exact substrings of text the essay's author emphasises
    translation: str = ""
    table: Table | None = None
    line: int = 0
    col: int = 0


class Entry(NamedTuple):
    id: str
    type: str
    title: str
    path: str
    line: int
    col: int = 1
    authors: tuple[Name, ...] = ()
    interviewers: tuple[Name, ...] = ()
    others: bool = False  # more authors exist than are listed
    container_title: str = ""
    collection_title: str = ""
    publisher: str = ""
    volume: str = ""
    issue: str = ""
    page: str = ""
    number: str = ""
    issued: Date | None = None
    accessed: Date | None = None
    doi: str = ""
    url: str = ""
    pdf: str = ""
    video: str = ""
    snapshot: str = ""
    language: str = ""
    quotes: Mapping[str, Passage] = MappingProxyType({})

    @property
    def year(self) -> str:
        return str(self.issued.year) if self.issued else ""


class Bibliography(NamedTuple):
    entries: Mapping[str, Entry]
    diagnostics: tuple[Diagnostic, ...] = ()


_STRING_FIELDS = {
    "title": "title", "container-title": "container_title", "collection-title": "collection_title",
    "publisher": "publisher", "volume": "volume", "issue": "issue", "page": "page", "number": "number",
    "DOI": "doi", "URL": "url", "pdf": "pdf", "video": "video", "snapshot": "snapshot", "language": "language",
}
_URL_FIELDS = ("URL", "pdf", "video")
_DOI = re.compile(r"10\.\d{4,9}/\S+\Z")
_URL = re.compile(r"https?://[^\s<>\"]+\Z")


def bibliography_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def load_bibliography(paths: list[Path]) -> Bibliography:
    """Read every file; raise InputError listing all problems across all files."""
    entries: dict[str, Entry] = {}
    problems: list[Diagnostic] = []
    for path in paths:
        try:
            with collector_paused():  # the entries are a tree too
                data = load_yaml(read_text(str(path), read_regular_file(path, MAX_BIBLIOGRAPHY_BYTES)), str(path))
                file_entries = _entries_of(str(path), data, problems)
            for entry in file_entries:
                if entry.id in entries:
                    first = entries[entry.id]
                    problems.append(error(entry.path, entry.line, entry.col,
                        f"duplicate id '{entry.id}' (first at {first.path}:{first.line})", "bib.duplicate-id"))
                else:
                    entries[entry.id] = entry
        except InputError as exc:
            problems.extend(exc.diagnostics)
        except OSError as exc:
            problems.append(error(str(path), 0, 0, f"cannot read the bibliography: {exc.strerror}", "bib.unreadable"))
    if problems:
        raise InputError(problems)
    return Bibliography(MappingProxyType(entries))


def _entries_of(path: str, data: object, problems: list[Diagnostic]) -> list[Entry]:
    if isinstance(data, YamlMap) and "references" in data:
        data = data["references"]
    if data is None:
        return []
    if not isinstance(data, YamlList):
        problems.append(error(path, 1, 1, "a bibliography is a 'references:' list of entries", "bib.not-a-list"))
        return []
    result = []
    for item, place in zip(data, data.item_places, strict=True):
        if not isinstance(item, YamlMap):
            problems.append(error(path, place.line, place.col, "an entry must be a mapping with 'id', 'type' and 'title'", "bib.entry-type"))
            continue
        entry = _EntryReader(path, item, problems).read()
        if entry:
            result.append(entry)
    return result


class _EntryReader:
    """Checks one entry's fields, appending a diagnostic for each problem."""

    def __init__(self, path: str, item: YamlMap, problems: list[Diagnostic]) -> None:
        self.path, self.item, self.problems = path, item, problems
        self.ok = True

    def fail(self, place: Place, message: str, code: str) -> None:
        self.ok = False
        self.problems.append(error(self.path, place.line, place.col, message, code))

    def at(self, key: str) -> Place:
        return self.item.value_places.get(key, self.item.place)

    def read(self) -> Entry | None:
        item = self.item
        fields: dict[str, object] = {}
        for key in ("id", "type", "title"):
            if item.get(key) in (None, ""):
                self.fail(item.place, f"entry is missing '{key}'", "bib.missing-field")
        for key in ("id", "type"):
            if item.get(key) not in (None, "") and _wrong_type(item[key]):
                self.fail(self.at(key), f"'{key}' must be text, not {_kind(item[key])}", "bib.field-type")
        entry_id = str(item.get("id", ""))
        if re.search(r"\s", entry_id):  # ':' is fine: `@a:b` finds the key 'a:b' first (footnoted.resolve)
            self.fail(self.at("id"), f"id '{entry_id}' may not contain spaces", "bib.bad-id")
        for key, attr in _STRING_FIELDS.items():
            if key in item:
                fields[attr] = self.string(key)
        for key in _URL_FIELDS:
            if fields.get(_STRING_FIELDS[key]) and not _URL.match(str(fields[_STRING_FIELDS[key]])):
                self.fail(self.at(key), f"'{key}' must be an http or https URL", "bib.bad-url")
        if fields.get("doi"):
            doi = str(fields["doi"]).removeprefix("https://doi.org/").removeprefix("doi:")
            fields["doi"] = doi
            if not _DOI.match(doi):
                self.fail(self.at("DOI"), f"DOI '{doi}' is not of the form 10.NNNN/suffix", "bib.bad-doi")
        for key, attr in (("author", "authors"), ("interviewer", "interviewers")):
            if key in item:
                fields[attr] = self.names(key)
        for key in ("issued", "accessed"):
            if key in item:
                fields[key] = self.date(key)
        if "others" in item:
            fields["others"] = item["others"] is True
            if not isinstance(item["others"], bool):
                self.fail(self.at("others"), "'others' must be true or false", "bib.field-type")
            elif item["others"] and "author" not in item:  # "et al." needs someone before it
                self.fail(self.at("others"), "'others: true' needs at least one 'author'", "bib.field-type")
        if "quotes" in item:
            fields["quotes"] = self.quotes()
        if not self.ok:
            return None
        return Entry(id=entry_id, type=str(item["type"]), path=self.path, line=item.place.line, col=item.place.col, **fields)  # type: ignore[arg-type]

    def string(self, key: str, container: YamlMap | None = None) -> str:
        mapping = container if container is not None else self.item
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(mapping.value_places[key], f"'{key}' must be text, not {_kind(value)}", "bib.field-type")
            return ""
        return str(value).strip()

    def names(self, key: str) -> tuple[Name, ...]:
        value = self.item[key]
        if not isinstance(value, YamlList):
            self.fail(self.at(key), f"'{key}' must be a list of names ({{family, given}} or {{literal}}), not {_kind(value)}", "bib.field-type")
            return ()
        names = []
        for name, place in zip(value, value.item_places, strict=True):
            if not isinstance(name, YamlMap) or not ({"family", "literal"} & name.keys()):
                self.fail(place, f"each '{key}' needs 'family' (and 'given') or 'literal'", "bib.field-type")
                continue
            fields = {k: self.string(k, name) for k in ("family", "given", "literal") if k in name}
            if "non-dropping-particle" in name:
                fields["particle"] = self.string("non-dropping-particle", name)
            names.append(Name(**fields))
        return tuple(names)

    def date(self, key: str) -> Date | None:
        value = self.item[key]
        parts = value.get("date-parts") if isinstance(value, YamlMap) else None
        first = parts[0] if isinstance(parts, list) and parts else None
        if not (isinstance(first, list) and 1 <= len(first) <= 3 and all(isinstance(p, int) and not isinstance(p, bool) for p in first)):
            self.fail(self.at(key), f"'{key}' must be {{date-parts: [[year, month, day]]}}", "bib.field-type")
            return None
        if not _real_date(*first):  # a month 13 would crash the date in words
            self.fail(self.at(key), f"'{key}' {first} is not a real date: [[year, month, day]]", "bib.bad-date")
            return None
        return Date(*first)

    def quotes(self) -> Mapping[str, Passage]:
        value = self.item["quotes"]
        if not isinstance(value, YamlMap):
            self.fail(self.at("quotes"), "'quotes' must map quote ids to passages", "bib.field-type")
            return MappingProxyType({})
        passages = {}
        for quote_id, body in value.items():
            place = value.value_places[quote_id]
            if ":" in quote_id or not quote_id.strip():
                self.fail(value.key_places[quote_id], f"quote id '{quote_id}' may not be empty or contain ':'", "bib.bad-id")
            elif not isinstance(body, YamlMap) or not isinstance(body.get("text"), str):
                self.fail(place, f"quote '{quote_id}' needs 'text'", "bib.missing-field")
            else:
                passages[quote_id] = self.passage(quote_id, body)
        return MappingProxyType(passages)

    def passage(self, quote_id: str, body: YamlMap) -> Passage:
        text = body["text"]
        fields: dict[str, object] = {}
        for key in ("page", "locator", "translation"):
            if key in body:
                fields[key] = self.string(key, body)
        emphasis = body.get("emphasis", [])
        if not isinstance(emphasis, list) or not all(isinstance(e, str) for e in emphasis):
            self.fail(body.value_places.get("emphasis", body.place), "'emphasis' must be a list of phrases", "bib.field-type")
            emphasis = []
        for phrase in emphasis:
            if phrase not in text:
                self.fail(body.value_places["emphasis"], f"emphasis '{phrase}' is not in the text of quote '{quote_id}'", "bib.emphasis-not-found")
        if "table" in body:
            fields["table"] = self.table(body)
        return Passage(id=quote_id, text=text.strip(), emphasis=tuple(emphasis), line=body.place.line, col=body.place.col, **fields)  # type: ignore[arg-type]

    def table(self, body: YamlMap) -> Table | None:
        table = body["table"]
        rows = table.get("rows") if isinstance(table, YamlMap) else None
        header = table.get("header") if isinstance(table, YamlMap) else None
        cells_ok = isinstance(rows, list) and all(isinstance(r, list) for r in rows) and isinstance(header, list)
        if not cells_ok or not isinstance(table, YamlMap):
            self.fail(body.value_places["table"], "'table' needs 'header' (a list) and 'rows' (a list of lists)", "bib.field-type")
            return None
        return Table(
            header=tuple(str(c) for c in header),  # type: ignore[union-attr]
            rows=tuple(tuple(str(c) for c in row) for row in rows),  # type: ignore[union-attr]
            caption=str(table.get("caption", "")),
        )


def _wrong_type(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, (str, int))


def _real_date(year: int, month: int = 1, day: int = 1) -> bool:
    """The month and day exist. Any year will do: CSL writes 380 BCE as -379."""
    try:
        datetime.date(year if 1 <= year <= 9999 else 2000, month, day)
    except ValueError:
        return False
    return True


def _kind(value: object) -> str:
    return {list: "a list", YamlList: "a list", dict: "a mapping", YamlMap: "a mapping", bool: "true/false"}.get(type(value), type(value).__name__)
