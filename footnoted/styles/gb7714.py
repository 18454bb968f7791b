"""GB/T 7714 note forms: the reference in full at a source's first citation, the short form after."""

from __future__ import annotations

import re

from footnoted.bibliography import Date, Entry, LiteralDate, Name
from footnoted.styles.common import (
    PARTS,
    Fields,
    edition_text,
    has_han,
    is_chinese_source,
    main_creators,
    number_text,
    publisher_unless_numbered,
)
from footnoted.tree import Run

GB_TYPE_CODES = {
    "article-journal": "J", "paper-conference": "C", "book": "M", "chapter": "M", "thesis": "D",
    "report": "R", "dataset": "DS", "article": "EB/OL", "webpage": "EB/OL", "post": "EB/OL",
    "post-weblog": "EB/OL", "interview": "EB/OL", "broadcast": "EB/OL", "speech": "EB/OL",
    "software": "CP/OL", "collection": "G", "classic": "M", "entry-encyclopedia": "M", "entry-dictionary": "M",
    "article-newspaper": "N", "patent": "P", "standard": "S", "article-magazine": "J", "map": "CM",
}


def _gb_name(name: Name) -> str:
    if name.literal:
        return name.literal
    if has_han(name.family):
        return name.family + name.given
    initials = " ".join(part[0].upper() for part in re.split(r"[\s.-]+", name.given) if part)
    family = " ".join(p for p in (name.dropping_particle, name.particle, name.family) if p).upper()
    return " ".join(p for p in (family, initials, name.suffix) if p)


def _et_al(entry: Entry) -> str:
    return "等" if is_chinese_source(entry) else "et al."


def _gb_names(entry: Entry, names: tuple[Name, ...], others: bool = False) -> str:
    shown = [_gb_name(n) for n in names]
    if len(shown) > 3 or others:
        return ", ".join(shown[:3]) + ", " + _et_al(entry)
    return ", ".join(shown)


def gb_authors(entry: Entry) -> str:
    return _gb_names(entry, Fields(entry).names("author"), entry.others)


def _year_text(date: Date | LiteralDate | None) -> str:
    """A year as GB/T 7714 prints it: 2005, 2004-2005, [1936] for a circa date, words as written."""
    if date is None:
        return ""
    if isinstance(date, LiteralDate):
        return date.text
    year = f"{date.year}" if date.year > 0 else f"公元前{-date.year}" if date.year else ""
    if date.end and date.end.year != date.year:
        year += f"-{date.end.year}"
    return f"[{year}]" if date.circa else year


def _link_runs(fields: Fields) -> list[Run]:
    """获取和访问路径, then the DOI, as the standard's examples give both: 'https://…. DOI:10.…'."""
    runs = []
    if fields._get("URL") and fields.entry.url:
        runs += [Run(fields.entry.url, url=fields.entry.url), Run(".")]
    if fields._get("DOI") and fields.entry.doi:
        runs += [Run(" ")] if runs else []
        runs += [Run(f"DOI:{fields.entry.doi}", url=f"https://doi.org/{fields.entry.doi}"), Run(".")]
    return runs


def _gb_responsibility(entry: Entry, names: tuple[Name, ...], role: str) -> str:
    return f"{_gb_names(entry, names)}, {role}" if names else ""


def _gb_imprint(fields: Fields, pages: str) -> str:
    """出版地: 出版者, 出版年: 页码."""
    place, publisher, year = fields.text("publisher-place"), fields.text("publisher"), _year_text(fields.date("issued"))
    imprint = ": ".join(p for p in (place, publisher) if p)
    imprint = ", ".join(p for p in (imprint, year) if p)
    return imprint + (f": {pages}" if pages and imprint else pages)


def gb_reference(entry: Entry, locator: str = "", short: bool = False, suppress_author: bool = False) -> tuple[Run, ...]:
    fields = Fields(entry)
    chinese = is_chinese_source(entry)
    code = GB_TYPE_CODES.get(entry.type, "Z")
    role, names = main_creators(fields)
    authors = "" if suppress_author or not names else (
        gb_authors(entry) if role == "author" else _gb_responsibility(entry, names, "编" if role == "editor" else "译"))
    head = [Run(_end_sentence(authors) + " ")] if authors else []
    title = fields.rich("title")
    volume = fields.text("volume") if code in ("M", "R", "G") and entry.type not in PARTS else ""
    if volume:
        title.append(Run(f": {_gb_volume(volume, chinese)}"))
    if code in ("R", "S", "P") and fields.text("number"):  # 题名: 报告编号, 标准编号, 专利号[R]
        title.append(Run(f": {fields.text('number')}"))
    if short:  # the same authors (three at most), the title and the place: no venue, no link
        tail = f": {locator}." if locator else "."
        return tuple(r for r in (*head, *title, Run(f"[{code}]{tail}")) if r.text)
    pages = locator or fields.text("page").replace("--", "-")
    others = [p for p in (
        _gb_responsibility(entry, fields.names("translator"), "译"),
        _gb_responsibility(entry, fields.names("interviewer"), "采访"),
        _gb_responsibility(entry, fields.names("editor"), "编") if role == "author" and entry.type not in PARTS else "",
        edition_text(fields.text("edition"), chinese) if entry.type not in PARTS else "",
    ) if p]
    if code == "N":  # 报纸: 报纸名, 出版日期(版次).
        issued = fields.date("issued")
        day = issued.iso() if isinstance(issued, Date) else _year_text(issued)
        section = fields.text("section") or fields.text("issue")
        body = ", ".join(p for p in (fields.text("container-title"), day + (f"({section})" if section else "")) if p)
        parts = [*others, body + "." if body else ""]
    elif code == "J":
        issue = f"({fields.text('issue')})" if fields.text("issue") else ""
        body = ", ".join(p for p in (fields.text("container-title"), _year_text(fields.date("issued")),
                                     fields.text("volume") + issue) if p)
        body += f": {pages}." if pages else "."
        parts = [*others, body]
    elif entry.type in PARTS or code == "C":
        # 析出文献: //专著主要责任者. 专著题名. 版本项. 出版地: 出版者, 出版年: 页码. The book's author
        # leads when it has one, its editors after its title; else the editors lead.
        container_author = fields.names("container-author")
        edited = _gb_responsibility(entry, fields.names("editor"), "编")
        volume = fields.text("volume")
        series = ", ".join(p for p in (_gb_series(entry, fields), _gb_volume(volume, chinese, "vol.")) if p)
        container = [p for p in (
            _gb_names(entry, container_author) if container_author else edited, fields.text("container-title"),
            edited if container_author else "", series, edition_text(fields.text("edition"), chinese)) if p]
        imprint = _gb_imprint(fields, pages)
        parts = [*others, "//" + ". ".join(container) if container else "", imprint + "." if imprint else ""]
    elif code in ("M", "D", "R", "G", "S", "P", "A", "N"):
        imprint = _gb_imprint(fields, pages)
        parts = [*others, _gb_series(entry, fields), imprint + "." if imprint else ""]
    else:
        dates = f"({fields.date('issued').iso()})" if isinstance(fields.date("issued"), Date) else _year_text(fields.date("issued"))
        accessed = fields.date("accessed")
        dates += f"[{accessed.iso()}]" if isinstance(accessed, Date) else ""
        where = ", ".join(p for p in (fields.text("container-title") or publisher_unless_numbered(fields),
                                      fields.text("number") and number_text(fields)) if p)
        body = ". ".join(p for p in (where, dates) if p)
        body += f": {locator}." if locator else "."
        parts = [*others, "" if body == "." else body]
    parts = [p for p in parts if p]
    runs = [*head, *title, Run(f"[{code}]")]
    text = _join_gb(parts) or "."
    links = _link_runs(fields)
    runs.append(Run(text + (" " if links else "")))
    return tuple(r for r in (*runs, *links) if r.text)


def _gb_volume(volume: str, chinese: bool, english: str = "Vol.") -> str:
    """'第 3 卷' or 'Vol. 3'; a volume in words ('第 1 册') as written."""
    if not volume or not volume.isdigit():
        return volume
    return f"第 {volume} 卷" if chinese else f"{english} {volume}"


def _gb_series(entry: Entry, fields: Fields) -> str:
    """The series and its number, with its editors: 'Lecture Notes 12, SMITH J, 编'."""
    series = " ".join(p for p in (fields.text("collection-title"), fields.text("collection-number")) if p)
    return ", ".join(p for p in (series, _gb_responsibility(entry, fields.names("collection-editor"), "编")) if p)


def _join_gb(parts: list[str]) -> str:
    """The parts after the title: '. ' between them, none before a `//` container; every part ends with its stop."""
    text = ""
    for part in parts:
        if part.startswith("//"):
            text += part
        else:
            text = (_end_sentence(text) + " " if text else ". ") + part
    return _end_sentence(text) if text else text


def _end_sentence(text: str) -> str:
    """'et al.' already ends with its full stop: never 'et al..'."""
    return text if text.endswith(".") else text + "."


def reference(entry: Entry, locator: str, short: bool, suppress_author: bool) -> tuple[Run, ...]:
    return gb_reference(entry, locator, short, suppress_author)


def bibliography_entry(entry: Entry) -> tuple[Run, ...]:
    """The reference list repeats the full reference, in order of first citation."""
    return gb_reference(entry)
