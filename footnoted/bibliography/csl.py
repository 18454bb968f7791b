"""One CSL item, as any reader gives it, made into an `Entry`: the converter every format shares.

Lenient as pandoc is: what pandoc reads is never an error here. A value of the wrong shape, a
DOI that is not one, a URL that is not http(s), a date that does not exist: each is a warning
with its place, and the value is left out of what the styles read (a `javascript:` URL is never
a link). Only our own extension, `quotes:`, has errors: an entry with one is broken, and blocks
the essays that cite it, not the others.

The readers hand over a mapping of CSL variables with the places of its values: a YamlMap from
YAML (`value_places`, `key_places`), or a `Located` mapping from JSON and BibTeX.
"""

import datetime
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from footnoted.bibliography.model import Date, Entry, LiteralDate, Name, Passage, Table, Variable
from footnoted.bibliography.richtext import has_markup, markdown_to_rich, plain, unescape
from footnoted.diagnostics import Diagnostic, did_you_mean, error, warning
from footnoted.yamlsafe import Place, YamlList

# CSL 1.0.2 (the CSL-JSON schema, as citeproc-js and pandoc read it).
NAME_VARIABLES = frozenset((
    "author", "chair", "collection-editor", "compiler", "composer", "container-author", "contributor", "curator",
    "director", "editor", "editorial-director", "editor-translator", "executive-producer", "guest", "host",
    "illustrator", "interviewer", "narrator", "organizer", "original-author", "performer", "producer", "recipient",
    "reviewed-author", "script-writer", "series-creator", "translator",
))
DATE_VARIABLES = frozenset(("accessed", "available-date", "event-date", "issued", "original-date", "submitted"))
NUMBER_VARIABLES = frozenset((
    "chapter-number", "citation-number", "collection-number", "edition", "first-reference-note-number", "issue",
    "locator", "number", "number-of-pages", "number-of-volumes", "page", "page-first", "part-number",
    "printing-number", "section", "supplement-number", "version", "volume",
))
# Text taken as written: identifiers and addresses are not Markdown ("snake_case" in a URL).
VERBATIM_VARIABLES = frozenset((
    "id", "type", "DOI", "URL", "ISBN", "ISSN", "PMID", "PMCID", "language", "citation-key", "citation-label",
    "call-number", "pdf", "video", "snapshot", "year-suffix", "license",
))
STRING_VARIABLES = frozenset((
    "abstract", "annote", "archive", "archive_collection", "archive_location", "archive-place", "authority",
    "call-number", "categories", "citation-key", "citation-label", "collection-title", "container-title",
    "container-title-short", "dimensions", "division", "DOI", "event", "event-title", "event-place", "genre", "ISBN",
    "ISSN", "journalAbbreviation", "jurisdiction", "keyword", "language", "license", "medium", "note",
    "original-publisher", "original-publisher-place", "original-title", "part-title", "PMCID", "PMID", "publisher",
    "publisher-place", "references", "reviewed-genre", "reviewed-title", "scale", "shortTitle", "source", "status",
    "title", "title-short", "URL", "volume-title", "year-suffix",
))
TYPES = (
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast", "chapter",
    "classic", "collection", "dataset", "document", "entry", "entry-dictionary", "entry-encyclopedia", "event",
    "figure", "graphic", "hearing", "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical", "personal_communication",
    "post", "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech", "standard",
    "thesis", "treaty", "webpage",
)
_KNOWN_TYPES = frozenset(TYPES)
# Our extensions: links to the source's files, and the passages an essay quotes.
EXTENSIONS = frozenset(("others", "quotes", "pdf", "video", "snapshot"))
_URL_VARIABLES = ("URL", "pdf", "video")

_NOT_VARIABLES = frozenset(("id", "quotes"))
_STRUCTURED = NAME_VARIABLES | DATE_VARIABLES | {"others"}
_CANONICAL = {name.lower(): name for name in ("DOI", "URL", "ISBN", "ISSN", "PMID", "PMCID")}
# The other typed fields: names, and dates that are dates (a date in words no style prints yet).
_TYPED_OTHER = {"author": "authors", "interviewer": "interviewers", "issued": "issued", "accessed": "accessed"}
_TYPED_TEXT = {  # variable -> Entry field, plain text
    "title": "title", "container-title": "container_title", "collection-title": "collection_title",
    "publisher": "publisher", "volume": "volume", "issue": "issue", "page": "page", "number": "number",
    "language": "language", "snapshot": "snapshot",
}
_DOI = re.compile(r"10\.\d{4,9}/\S+\Z|10/[A-Za-z0-9]+\Z")  # shortDOIs (10/abcd) resolve at doi.org too
_DOI_PREFIX = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"]+\Z", re.IGNORECASE)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_SEASONS = {13: 1, 14: 2, 15: 3, 16: 4, 21: 1, 22: 2, 23: 3, 24: 4}
# EDTF as pandoc and Better BibTeX write dates: 2005, 1999-08, 2004-22 (a season), 2004-05-05,
# with ~ or ? for circa, and a range with "/".
_EDTF = re.compile(r"(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?([~?%]*)\Z")


class Located(dict):  # type: ignore[type-arg]
    """A CSL item read from JSON or BibTeX: a dict that knows where it and each of its values stand."""

    __slots__ = ("key_places", "place", "value_places")
    place: Place
    value_places: dict[str, Place]
    key_places: dict[str, Place]


class Converted(NamedTuple):
    entry: Entry | None  # None when the item cannot be cited (no id, not a mapping)
    broken: bool  # it has errors: the essays that cite it are not built


class _Problems:
    def __init__(self, path: str, problems: list[Diagnostic]) -> None:
        self.path, self.list = path, problems
        self.errors = 0

    def warn(self, place: Place, message: str, code: str) -> None:
        self.list.append(warning(self.path, place.line, place.col, message, code))

    def fail(self, place: Place, message: str, code: str) -> None:
        self.errors += 1
        self.list.append(error(self.path, place.line, place.col, message, code))


def convert(path: str, item: object, place: Place, problems: list[Diagnostic], markdown: bool) -> Converted:
    """One CSL item to an Entry. `markdown`: its text is pandoc's Markdown (CSL-YAML), else CSL markup."""
    report = _Problems(path, problems)
    if not isinstance(item, Mapping):
        report.warn(place, f"an entry must be a mapping of CSL variables, not {_kind(item)}: skipped", "bib.entry-type")
        return Converted(None, False)
    reader = _ItemReader(item, place, report, markdown)
    return Converted(reader.read(), report.errors > 0)


# Zotero keeps variables it has no field for in "Extra", exported as `note` lines "DOI: 10.1/x" or
# "original-date: 1900" (also written "Original Date"); citeproc-js and pandoc read them as the
# variables themselves. Names ("author: A || B") are left to the note: their form is Zotero's own.
_NOTE_VARIABLE = re.compile(r"^\s*\{?:?([A-Za-z][A-Za-z _-]*?)\s*:\s*(\S.*?)\s*\}?\s*$", re.MULTILINE)
_NOTE_READABLE = {name.lower().replace("_", "-"): name for name in STRING_VARIABLES | NUMBER_VARIABLES | DATE_VARIABLES}
_NOTE_READABLE["type"] = "type"


def _note_variables(item: Mapping) -> dict[str, str]:
    note = item.get("note")
    if not isinstance(note, str) or ":" not in note:
        return {}
    found: dict[str, str] = {}
    for match in _NOTE_VARIABLE.finditer(note):
        name = _NOTE_READABLE.get(match.group(1).lower().replace(" ", "-").replace("_", "-"))
        if name and name != "note":
            found.setdefault(name, match.group(2))
    return found


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return {str: "text", int: "a number", float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


def _value_place(container: object, key: object, fallback: Place) -> Place:
    places = getattr(container, "value_places", None) if isinstance(key, str) else getattr(container, "item_places", None)
    if places is None:
        return fallback
    try:
        return places[key]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return fallback


class _ItemReader:
    def __init__(self, item: Mapping, place: Place, report: _Problems, markdown: bool) -> None:
        self.item, self.place, self.report, self.markdown = item, place, report, markdown

    def at(self, key: str) -> Place:
        place = _value_place(self.item, key, self.place)
        if place is self.place and key.lower() != key:  # written doi: or url:
            place = _value_place(self.item, key.lower(), self.place)
        return place

    def read(self) -> Entry | None:
        item = self.item
        entry_id = self.identifier()
        if entry_id is None:
            return None
        extra = _note_variables(item)
        if extra:
            item = {**extra, **item}  # a variable given as itself wins over its line in `note`
        variables: dict[str, Variable] = {}
        fields: dict[str, object] = {"title": ""}
        markdown, verbatim, typed = self.markdown, VERBATIM_VARIABLES, _TYPED_TEXT
        # One pass, with the common case (a text field) done inline: a large bibliography has millions.
        for key, value in item.items():
            if value is None or key in _NOT_VARIABLES:
                continue  # a null field is no field (pandoc reads it as empty)
            if key in _CANONICAL:
                key = _CANONICAL[key]  # pandoc writes doi: and url:, CSL says DOI and URL
            if value.__class__ is str and key not in _STRUCTURED:
                text = (value if not markdown else unescape(value) if key in verbatim else markdown_to_rich(value)).strip()
                variables[key] = text
                if key in typed:
                    fields[typed[key]] = plain(text)
                continue
            converted = self.variable(key, value)
            if converted is None:
                continue
            variables[key] = converted
            if key in typed:
                fields[typed[key]] = plain(str(converted))
            elif key in _TYPED_OTHER and converted.__class__ is not LiteralDate:
                fields[_TYPED_OTHER[key]] = converted
        entry_type = variables.get("type", "")
        if entry_type and entry_type not in _KNOWN_TYPES:
            self.report.warn(self.at("type"), f"'{entry_type}' is not a CSL type{did_you_mean(str(entry_type), TYPES)}",
                             "bib.unknown-type")
        if "DOI" in variables or "URL" in variables or "pdf" in variables or "video" in variables:
            fields.update(self.links(variables))
        if "others" in variables:
            fields["others"] = self.others(variables)
        if "quotes" in item and item["quotes"] is not None:
            fields["quotes"] = self.quotes()
        return Entry(id=entry_id, type=str(entry_type), path=self.report.path, line=self.place.line, col=self.place.col,
                     variables=MappingProxyType(variables), **fields)  # type: ignore[arg-type]

    def identifier(self) -> str | None:
        value = self.item.get("id")
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
        if value is None or value == "":
            self.report.warn(self.place, "entry has no 'id', so nothing can cite it: skipped", "bib.missing-field")
        else:
            self.report.warn(self.at("id"), f"'id' must be text, not {_kind(value)}: entry skipped", "bib.field-type")
        return None

    # --- one variable ---

    def variable(self, key: str, value: object) -> Variable | None:
        if key in NAME_VARIABLES:
            return self.names(key, value)
        if key in DATE_VARIABLES:
            return self.date(key, value)
        if key == "others":
            return value if isinstance(value, bool) else self.wrong(key, value, "true or false")
        if isinstance(value, str):
            if key in VERBATIM_VARIABLES:
                return value.strip()
            return (markdown_to_rich(value) if self.markdown else value).strip()
        if isinstance(value, bool):
            return "true" if value else "false"  # as pandoc prints it
        if isinstance(value, (int, float)):
            return str(value)
        if key == "custom" and isinstance(value, Mapping):
            return MappingProxyType(dict(value))  # type: ignore[return-value]  # CSL-JSON's own extension object
        if key in STRING_VARIABLES or key in NUMBER_VARIABLES or key in EXTENSIONS:
            return self.wrong(key, value, "text")
        return None  # a key no CSL processor reads, of a shape nothing can print: check reports it

    def wrong(self, key: str, value: object, expected: str) -> None:
        self.report.warn(self.at(key), f"'{key}' must be {expected}, not {_kind(value)}: ignored", "bib.field-type")

    def links(self, variables: dict[str, Variable]) -> dict[str, str]:
        """The DOI and the links the styles make clickable: only what is really one."""
        fields = {}
        doi = variables.get("DOI")
        if isinstance(doi, str) and doi:
            bare = _DOI_PREFIX.sub("", doi, count=1).strip()
            if _DOI.match(bare):
                fields["doi"] = bare
            else:
                self.report.warn(self.at("DOI"), f"DOI '{doi}' is not of the form 10.NNNN/suffix: not linked", "bib.bad-doi")
        for key in _URL_VARIABLES:
            url = variables.get(key)
            if not isinstance(url, str) or not url:
                continue
            if _URL.match(url):
                fields[key.lower()] = url
            else:
                scheme = _SCHEME.match(url)
                what = f"a '{scheme.group(1)}:' address" if scheme else "not a web address"
                self.report.warn(self.at(key), f"'{key}' is {what}, not http or https: not linked", "bib.bad-url")
        return fields

    def others(self, variables: dict[str, Variable]) -> bool:
        if variables["others"] is True and "author" not in variables:  # "et al." needs someone before it
            self.report.warn(self.at("others"), "'others: true' needs at least one 'author': ignored", "bib.field-type")
            return False
        return variables["others"] is True

    # --- names ---

    def names(self, key: str, value: object) -> tuple[Name, ...] | None:
        """A list of names; pandoc also takes one name alone, as a mapping or as text."""
        if not isinstance(value, list):
            if not isinstance(value, (str, dict)):
                return self.wrong(key, value, "a list of names")
            value = [value]
        names = []
        for index, name in enumerate(value):
            converted = self.name(key, name, value, index)
            if converted is not None:
                names.append(converted)
        return tuple(names)

    def name(self, key: str, value: object, names: list, index: int) -> Name | None:
        """One name; its place (`names`, `index`) is looked up only for a warning."""
        if value is None:
            return None
        if value.__class__ in (str, int, float):
            text = self.text(value)
            return Name(literal=text) if text else None  # as pandoc: "John Doe" is one literal name
        if not isinstance(value, dict):
            self.report.warn(_value_place(names, index, self.at(key)),
                             f"each '{key}' must be a name ({{family, given}} or {{literal}}), not {_kind(value)}: ignored", "bib.field-type")
            return None
        text = self.text
        family, given = value.get("family"), value.get("given")
        if len(value) == 2 and family.__class__ is str and given.__class__ is str:  # nearly every name: done here
            name = Name(text(family), text(given))
        else:
            parts = {k: text(v) for k, v in value.items() if k in _NAME_PARTS and v.__class__ in (str, int, float)}
            name = Name(parts.get("family", ""), parts.get("given", ""), parts.get("literal", ""),
                        parts.get("non-dropping-particle", ""), parts.get("dropping-particle", ""), parts.get("suffix", ""))
        if not (name.family or name.given or name.literal):
            self.report.warn(_value_place(names, index, self.at(key)), f"each '{key}' needs 'family', 'given' or 'literal': ignored",
                             "bib.field-type")
            return None
        if not name.family and not name.literal:  # a given name alone ("Plato" written as given) is printed whole
            name = name._replace(literal=" ".join(p for p in (name.given, name.suffix) if p))
        return name

    def text(self, value: object) -> str:
        text = value.strip() if value.__class__ is str else str(value)  # type: ignore[attr-defined]
        if not has_markup(text):  # most names
            return text
        return plain(markdown_to_rich(text)) if self.markdown else plain(text)

    # --- dates ---

    def date(self, key: str, value: object) -> Date | LiteralDate | None:
        try:
            return _date(value)
        except _NotADate as problem:
            self.report.warn(self.at(key), f"'{key}' {problem}: ignored", "bib.bad-date")
        except _ImpossibleDate as problem:
            self.report.warn(self.at(key), f"'{key}' {problem.args[0]} is not a real date: its {problem.args[1]} is left out", "bib.bad-date")
            return problem.args[2]
        return None

    # --- quotes: our extension, checked strictly ---

    def quotes(self) -> Mapping[str, Passage]:
        value = self.item["quotes"]
        if not isinstance(value, Mapping):
            self.report.fail(self.at("quotes"), "'quotes' must map quote ids to passages", "bib.field-type")
            return MappingProxyType({})
        passages = {}
        for quote_id, body in value.items():
            place = _value_place(value, quote_id, self.at("quotes"))
            key_place = getattr(value, "key_places", {}).get(quote_id, place)
            if ":" in str(quote_id) or not str(quote_id).strip():
                self.report.fail(key_place, f"quote id '{quote_id}' may not be empty or contain ':'", "bib.bad-id")
            elif not isinstance(body, Mapping) or not isinstance(body.get("text"), str):
                self.report.fail(place, f"quote '{quote_id}' needs 'text'", "bib.missing-field")
            else:
                passages[str(quote_id)] = self.passage(str(quote_id), body, place)
        return MappingProxyType(passages)

    def passage(self, quote_id: str, body: Mapping, place: Place) -> Passage:
        text = body["text"]
        fields: dict[str, object] = {}
        for key in ("page", "locator", "translation"):
            if key in body:
                value = body[key]
                if isinstance(value, bool) or not isinstance(value, (str, int)):
                    self.report.fail(_value_place(body, key, place), f"'{key}' must be text, not {_kind(value)}", "bib.field-type")
                else:
                    fields[key] = str(value).strip()
        emphasis = body.get("emphasis", [])
        emphasis_place = _value_place(body, "emphasis", place)
        if not isinstance(emphasis, list) or not all(isinstance(e, str) for e in emphasis):
            self.report.fail(emphasis_place, "'emphasis' must be a list of phrases", "bib.field-type")
            emphasis = []
        for phrase in emphasis:
            if phrase not in text:
                self.report.fail(emphasis_place, f"emphasis '{phrase}' is not in the text of quote '{quote_id}'", "bib.emphasis-not-found")
        if "table" in body:
            fields["table"] = self.table(body, place)
        return Passage(id=quote_id, text=text.strip(), emphasis=tuple(emphasis), line=place.line, col=place.col, **fields)  # type: ignore[arg-type]

    def table(self, body: Mapping, place: Place) -> Table | None:
        table = body["table"]
        rows = table.get("rows") if isinstance(table, Mapping) else None
        header = table.get("header") if isinstance(table, Mapping) else None
        if not (isinstance(rows, list) and all(isinstance(r, list) for r in rows) and isinstance(header, list)):
            self.report.fail(_value_place(body, "table", place), "'table' needs 'header' (a list) and 'rows' (a list of lists)",
                             "bib.field-type")
            return None
        return Table(header=tuple(str(c) for c in header), rows=tuple(tuple(str(c) for c in row) for row in rows),
                     caption=str(table.get("caption", "")))  # type: ignore[union-attr]


_NAME_PARTS = frozenset(("family", "given", "literal", "non-dropping-particle", "dropping-particle", "suffix"))


class _NotADate(Exception):
    pass


class _ImpossibleDate(Exception):
    """args: the date as written, the part left out, and the date without it."""


def _date(value: object) -> Date | LiteralDate | None:
    """Every form pandoc reads: 2005, "1999-08", "2004/2005", {date-parts: …} with numbers or
    numeric text, seasons, circa, literal and raw, {year: …}, and Better BibTeX's [{year: …}]."""
    if isinstance(value, dict):
        return _date_map(value)
    if isinstance(value, bool):
        raise _NotADate(f"must be a date, not {_kind(value)}")
    if isinstance(value, int):
        return _checked([value], value)
    if isinstance(value, str):
        try:
            return _edtf(value.replace("\\", "").strip(), value)  # pandoc writes 1723\~ (Markdown's escape)
        except _NotADate:  # how pandoc writes a date in words: `issued: 1865（清同治四年）`
            return LiteralDate(value.strip()) if value.strip() else None
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):  # Better BibTeX: [{year: 2017, month: 4}]
            return _range([_map_parts(v) for v in value], value, any(_truthy(v.get("circa")) for v in value))
        if value and all(isinstance(v, list) for v in value):  # date-parts without their key
            return _range(value, value, False)
        raise _NotADate(f"must be a date, not {_kind(value)}")
    raise _NotADate(f"must be a date, not {_kind(value)}")


def _date_map(value: dict) -> Date | LiteralDate | None:
    parts = value.get("date-parts")
    if len(value) == 1 and parts.__class__ in (list, YamlList) and len(parts) == 1:  # nearly every date: done here
        first = parts[0]
        if first.__class__ in (list, YamlList) and 1 <= len(first) <= 3 and all(p.__class__ is int for p in first):
            if len(first) == 1:
                return Date(first[0])
            if 1 <= first[1] <= 12 and (len(first) == 2 or 1 <= first[2] <= 28):  # a day every month has
                return Date(first[0], first[1], first[2] if len(first) == 3 else None)
    circa = _truthy(value.get("circa"))
    if value.get("date-parts") not in (None, [], [[]]):
        date = _range(value["date-parts"], value, circa)
    elif "year" in value:
        date = _range([_map_parts(value)], value, circa)
    elif isinstance(value.get("raw"), str) and value["raw"].strip():
        try:
            date = _edtf(value["raw"].strip(), value)
        except _NotADate:  # "May 5, 2004": a raw date in words is printed as written
            return LiteralDate(value["raw"].strip())
        date = date._replace(circa=True) if circa and isinstance(date, Date) else date
    elif isinstance(value.get("literal"), (str, int)) and str(value["literal"]).strip():
        return LiteralDate(str(value["literal"]).strip())
    elif value.get("date-parts") in ([], [[]]):
        return None  # an empty date, as pandoc writes one: no date
    else:
        raise _NotADate("must be {date-parts: [[year, month, day]]}, a 'literal' or a 'raw' date")
    if isinstance(date, Date) and value.get("season") not in (None, "") and not date.month and not date.season:
        season = _number(value["season"], value)
        date = date._replace(season=_SEASONS.get(season, season if 1 <= season <= 4 else None))
    return date


def _truthy(value: object) -> bool:
    return value is not None and (value is True or value in (1, "1", "true", "yes"))


def _map_parts(value: Mapping) -> list[object]:
    parts = [value.get("year")]
    for key in ("month", "day"):
        if value.get(key) in (None, ""):
            break
        parts.append(value[key])
    if len(parts) == 1 and value.get("season") not in (None, ""):
        parts.append(20 + _number(value["season"], value) if _number(value["season"], value) <= 4 else value["season"])
    return parts


def _range(parts: object, written: object, circa: bool) -> Date | None:
    if not isinstance(parts, list) or not parts or len(parts) > 2 or not all(isinstance(p, list) for p in parts):
        raise _NotADate("must be {date-parts: [[year, month, day]]} (two of them for a range)")
    dates = [_checked(p, written) for p in parts if p]
    if not dates:
        return None
    first = dates[0]
    end = dates[1] if len(dates) == 2 and dates[1] != first else None
    return first._replace(circa=circa, end=end) if circa or end else first


def _number(part: object, written: object) -> int:
    if part.__class__ is int:
        return part  # type: ignore[return-value]
    if isinstance(part, str) and re.fullmatch(r"-?\d+", part.strip()):  # Zotero writes [["2021", 10, 2]]
        return int(part)
    raise _NotADate(f"{_shown(written)} holds {part!r}, not a number")


def _checked(parts: list[object], written: object) -> Date:
    if not 1 <= len(parts) <= 3:
        raise _NotADate(f"{_shown(written)} must be [year, month, day]")
    numbers = [_number(p, written) for p in parts]
    year, month, day = [*numbers, 0, 0][:3]
    if month in _SEASONS and not day:
        return Date(year, season=_SEASONS[month])
    if month and not 1 <= month <= 12:
        raise _ImpossibleDate(str(numbers), "month", Date(year))
    if day and not _real_day(year, month, day):
        raise _ImpossibleDate(str(numbers), "day", Date(year, month or None))
    return Date(year, month or None, day or None)


def _real_day(year: int, month: int, day: int) -> bool:
    """The day exists in its month. Any year will do: CSL writes 380 BCE as -379."""
    try:
        datetime.date(year if 1 <= year <= 9999 else 2000, month or 1, day)
    except ValueError:
        return False
    return True


def _edtf(text: str, written: object) -> Date | LiteralDate:
    ends = [end for end in text.split("/") if end.strip() not in ("", "..")]  # an open range: from its start
    if 1 <= len(ends) <= 2 and text.count("/") <= 1:
        dates = []
        for part in ends:
            match = _EDTF.match(part.strip())
            if not match:
                break
            year, month, day, mark = match.groups()
            parts: list[object] = [int(year)] + [int(p) for p in (month, day) if p]
            date = _checked(parts, written)
            dates.append(date._replace(circa=True) if "~" in mark or "%" in mark else date)  # "?" is uncertain: dropped, as pandoc
        else:
            first = dates[0]
            return first._replace(end=dates[1]) if len(dates) == 2 else first
    raise _NotADate(f"{_shown(written)} is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a range A/B)")


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, Mapping):
        return str(dict(value))
    return str(value)

