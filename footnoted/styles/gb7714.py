"""GB/T 7714 notes, in its 2025 edition (the default since it replaced 2015 on 2026-07-01) and in 2015.

A note gives the full reference at a source's first citation and "同" + the number of that first
note (+ the page) after (§10.1.3 of 2015 allows either form; 2025 keeps 同). Where the first note
cited several sources, "同1" would not say which, so the full reference is given again.

The two editions differ in a handful of settings, gathered in `Edition` below (2025 §7: "." "[ ]"
"/" half-width, every other mark full-width; surnames no longer in capitals; "Park J-R"; the standard
number before a standard's title; preprints [PP]; the access date only for what exists online
only). The forms are the standard's §4 (2015) and §8 (2025) ones; a clause named in a comment is
the 2015 one unless it says 2025.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from footnoted.bibliography import Date, Entry, LiteralDate, Name
from footnoted.styles import Citation, CitationItem
from footnoted.styles.builtin import BuiltinStyle
from footnoted.styles.common import (
    PARTS,
    Fields,
    edition_text,
    has_han,
    is_chinese_source,
    main_creators,
    number_text,
)
from footnoted.tree import Run


class Edition(NamedTuple):
    name: str
    comma: str  # between names, between the parts of an imprint
    colon: str  # before other title information, the publisher, the page
    semicolon: str  # between the sources of one note
    parens: tuple[str, str]  # around an issue, a newspaper's page, an update date
    capital_surnames: bool  # 2015 §8.1.1: "EINSTEIN A"; 2025: "Einstein A"
    hyphenated_initials: bool  # 2025 §7.1.1: "Godard J-L" (2015: "GODARD J L")
    suffix: str  # before "Jr": 2015 "PEEBLES P Z, Jr", 2025 "Peebles P Z Jr"
    standard_number_first: bool  # 2025 §8.9: "GB/T 3792—2021 信息与文献 资源描述[S]" (2015: "…: GB/T 3792—2021[S]. 北京: …")
    preprint_code: str  # 2025 §8.15 [PP]; 2015 has none: an online resource [EB]
    access_date_always: bool  # 2015 prints [引用日期] for every online resource, 2025 for web pages, data sets, preprints
    range_dash: str  # a serial's years: 2015 "1957-1990", 2025 "1957—1990"
    foreign_volume: str  # a volume of a book in a Western language: 2015 "Vol. 3", 2025 "v.3"
    particle_last: bool  # 2025, as its CSL: "Veen P H van der" (a dropping particle after the initials); 2015 "VAN DER VEEN P H"


EDITIONS = {
    "gb7714-2015": Edition(
        "gb7714-2015", comma=", ", colon=": ", semicolon="; ", parens=("(", ")"), capital_surnames=True,
        hyphenated_initials=False, suffix=", ", standard_number_first=False, preprint_code="EB",
        access_date_always=True, range_dash="-", foreign_volume="Vol. {}", particle_last=False),
    "gb7714-2025": Edition(
        "gb7714-2025", comma="，", colon="：", semicolon="；", parens=("（", "）"), capital_surnames=False,
        hyphenated_initials=True, suffix=" ", standard_number_first=True, preprint_code="PP",
        access_date_always=False, range_dash="—", foreign_volume="v.{}", particle_last=True),
}

# 文献类型标识 (2015 Appendix B, 2025 adds PP): the CSL type's code; a `genre` that names a code decides instead.
TYPE_CODES = {
    "book": "M", "chapter": "M", "classic": "M", "entry": "M", "entry-dictionary": "M", "entry-encyclopedia": "M",
    "paper-conference": "C", "article-journal": "J", "article-magazine": "J", "periodical": "J",
    "article-newspaper": "N", "thesis": "D", "report": "R", "standard": "S", "patent": "P", "dataset": "DS",
    "software": "CP", "map": "CM", "collection": "A", "manuscript": "A", "personal_communication": "A",
    "legislation": "A", "regulation": "A", "bill": "A", "webpage": "EB", "post": "EB", "post-weblog": "EB",
}
CODES = ("M", "C", "G", "N", "J", "D", "R", "S", "P", "DB", "CP", "EB", "A", "CM", "DS", "PP", "Z")
GENRE_CODES = {"汇编": "G", "会议录": "C", "数据库": "DB", "database": "DB", **{code: code for code in CODES}}
CARRIERS = ("MT", "DK", "CD", "OL")  # 文献载体标识: magnetic tape, disk, CD-ROM, online
# A standard as pandoc reads BibTeX's @standard (CSL 'legislation'): its number names the body, "GB/T 7714—2015", "ISO 690:2021".
_STANDARD_NUMBER = re.compile(r"^[A-Z][A-Z/ .]*\d")
_ENGLISH_EDITIONS = {w: i for i, w in enumerate(
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth"], 1)}
_ONLINE_ONLY = ("EB", "DS", "PP", "CP", "DB")  # resources that exist only online: dates as published and accessed


class GbStyle(BuiltinStyle):
    def __init__(self, edition: Edition, chinese: bool) -> None:
        super().__init__(edition.name, "GB/T 7714 notes", chinese)
        self.edition, self.separator = edition, edition.semicolon

    def full(self, item: CitationItem, locator: str) -> tuple[Run, ...]:
        return reference(item.entry, locator, self.edition, item.suppress_author)

    def bibliography_entry(self, entry: Entry) -> tuple[Run, ...]:
        return reference(entry, "", self.edition)

    def subsequent(self, item: CitationItem, locator: str, first: Citation) -> tuple[Run, ...]:
        """同 + the first note's number (+ the page): §10.1.3. When that note cited several sources,
        "同1" would not say which: the full reference again, the other form §10.1.3 allows."""
        if len(first.items) > 1:
            return reference(item.entry, locator, self.edition, item.suppress_author)
        return (Run(f"同{first.note_number}" + (f"{self.edition.colon}{locator}" if locator else "") + "."),)


def style(name: str, chinese: bool) -> GbStyle:
    return GbStyle(EDITIONS[name], chinese)


# --- names -----------------------------------------------------------------------------------


def _latin(text: str) -> bool:
    return all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in text)


def _name(name: Name, e: Edition) -> str:
    """§8.1.1: the family name first, the given names as initials without full stops ("EINSTEIN A");
    a Chinese name whole; a name in another script (Кочетков А Я) never in capitals."""
    if name.literal:
        return name.literal
    if has_han(name.family):
        return name.family + name.given
    parts = re.split(r"([\s.]+|-)", name.given)
    initials, joiner = "", ""
    for part in parts:
        if part == "-":
            joiner = "-" if e.hyphenated_initials else " "
        elif part.strip(" ."):
            initials += (joiner if initials else "") + part[0].upper()
            joiner = " "
    dropping = "" if e.particle_last else name.dropping_particle
    family = " ".join(p for p in (dropping, name.particle, name.family) if p)
    if e.capital_surnames and _latin(family):
        family = family.upper()
    text = " ".join(p for p in (family, initials, name.dropping_particle if e.particle_last else "") if p)
    return text + e.suffix + name.suffix.rstrip(".") if name.suffix else text


def _names(chinese: bool, names: Sequence[Name], e: Edition, others: bool = False) -> str:
    """§8.1.2: at most three, then 等 or "et al.", as the source's language has it."""
    shown = [_name(n, e) for n in names]
    if len(shown) > 3 or others:
        shown = [*shown[:3], "等" if chinese else "et al."]
    return e.comma.join(shown)


def _role(chinese: bool, names: Sequence[Name], role: str, e: Edition) -> str:
    """其他责任者: "谢远涛, 译", "MAUDE L, trans.": the word in the source's language (§6.1)."""
    if not names:
        return ""
    word = {"translator": ("译", "trans."), "editor": ("编", "ed."), "interviewer": ("采访", "interviewer")}[role]
    return _names(chinese, names, e) + e.comma + word[0 if chinese else 1]


# --- dates, editions, volumes ----------------------------------------------------------------


def _year(date: Date | LiteralDate | None, e: Edition) -> str:
    """出版年: 2005; a range 2004-2005; [1936] for a circa date (§8.4.3.3); words as written."""
    if date is None:
        return ""
    if isinstance(date, LiteralDate):
        return date.text
    year = f"{date.year}" if date.year > 0 else f"公元前{-date.year}" if date.year else ""
    if date.end and date.end.year != date.year:
        year += f"{e.range_dash}{date.end.year}"
    return f"[{year}]" if date.circa else year


def _day(date: Date | LiteralDate | None, e: Edition) -> str:
    """A full date, ISO 8601 (§8.4.3.2): 2013-01-08; words as written."""
    return date.iso() if isinstance(date, Date) else _year(date, e)


def _edition(text: str, chinese: bool) -> str:
    """版本项 (§8.3): "2版", "4th ed."; "Fourth" as "4th ed."; words such as 修订版 or "Rev. ed." as written."""
    number = _ENGLISH_EDITIONS.get(text.lower())
    return edition_text(str(number) if number else text, chinese)


def _volume(volume: str, chinese: bool, e: Edition) -> str:
    """A volume of a work in several (§8.2.3): "国史旧闻: 第1卷", "v.1"; in words ("第 1 册", "下册") as written."""
    if not volume.isdecimal():
        return volume
    return f"第{volume}卷" if chinese else e.foreign_volume.format(volume)


# --- the parts of a reference ---------------------------------------------------------------


def type_code(entry: Entry, fields: Fields, e: Edition) -> str:
    genre = fields.text("genre")
    if genre in GENRE_CODES or genre.upper() in CODES:  # "汇编", "DB", "db"
        return GENRE_CODES.get(genre) or genre.upper()
    if entry.type == "article":
        return e.preprint_code
    if entry.type == "legislation" and _STANDARD_NUMBER.match(fields.text("number")):
        return "S"
    return TYPE_CODES.get(entry.type) or ("EB" if _online(fields) else "Z")


def _online(fields: Fields) -> bool:
    return bool(fields._get("URL") and fields.entry.url) or bool(fields._get("DOI") and fields.entry.doi)


def _links(fields: Fields) -> list[Run]:
    """获取和访问路径, then the DOI (§8.6, §8.7): "http://…. DOI:10.…."; a URL that is the DOI's own address once."""
    runs: list[Run] = []
    doi = fields.entry.doi if fields._get("DOI") else ""
    url = fields.entry.url if fields._get("URL") else ""
    if url and not (doi and url.lower().rstrip("/").endswith(doi.lower()) and "doi.org/" in url.lower()):
        runs += [Run(url, url=url), Run(".")]
    if doi:
        runs += [Run(" ")] if runs else []
        runs += [Run(f"DOI:{doi}", url=f"https://doi.org/{doi}"), Run(".")]
    return runs


def _imprint(fields: Fields, chinese: bool, e: Edition, online: bool) -> str:
    """出版地: 出版者, 出版年 (§8.4). A place or a publisher not known is said so, in brackets, in the
    source's language (§8.4.1.3, §8.4.2.3), except for a resource read online, where both may go."""
    place, publisher = fields.text("publisher-place"), fields.text("publisher")
    year = _year(fields.date("issued"), e)
    if not online and (place or publisher):
        place = place or ("[出版地不详]" if chinese else "[S.l.]")
        publisher = publisher or ("[出版者不详]" if chinese else "[s.n.]")
    return e.comma.join(p for p in (e.colon.join(p for p in (place, publisher) if p), year) if p)


def _with_page(text: str, page: str, e: Edition) -> str:
    """引文页码 after the year, with a colon (§8.5): "2012: 112"."""
    return f"{text}{e.colon}{page}" if text and page else text or page


def _accessed_year(fields: Fields) -> str:
    """2025: a resource with no date of its own is dated by the year it was read, in brackets: "[2025]"."""
    accessed = fields.date("accessed")
    return f"[{accessed.year}]" if isinstance(accessed, Date) and _online(fields) else ""


def _accessed(fields: Fields, e: Edition, code: str) -> str:
    """[引用日期] (§8.6.2): for every online resource in 2015; in 2025 for what exists only online."""
    accessed = fields.date("accessed")
    if not accessed or not _online(fields) or not (e.access_date_always or code in _ONLINE_ONLY):
        return ""
    return f"[{_day(accessed, e)}]"


def _title_block(entry: Entry, fields: Fields, e: Edition, code: str, part: bool, chinese: bool) -> list[Run]:
    """题名: 其他题名信息 (the volume, a report's, patent's or standard's number) [文献类型标识/载体标识]."""
    runs = fields.rich("title")
    number = fields.text("call-number") if code == "P" and fields.text("call-number") else fields.text("number")
    if code == "A" and not number:
        number = fields.text("archive_location")
    extra = []
    if not part and code in ("M", "R", "G", "CM", "C") and fields.text("volume"):
        extra.append(_volume(fields.text("volume"), chinese, e))
    # 报告编号, 专利号, 档号, 标准号 and any other number as other title information (a preprint's, an article's
    # number is printed elsewhere; 2025 puts a standard's first)
    if number and code not in ("J", "N") and entry.type != "article" and not (code == "S" and e.standard_number_first):
        extra.append(number)
    if extra:
        runs.append(Run(e.colon + e.colon.join(extra)))
    if code == "S" and e.standard_number_first and number:
        runs.insert(0, Run(number + "\u2003"))  # the official CSL's em space: "GB/T 3792—2021 信息与文献 资源描述"
    if code == "CM" and fields.text("scale"):
        runs.append(Run(". " + fields.text("scale")))
    medium = fields.text("medium").upper()
    carrier = medium if medium in CARRIERS else "OL" if _online(fields) else ""
    runs.append(Run(f"[{code}/{carrier}]" if carrier else f"[{code}]"))
    return runs


def _body(entry: Entry, fields: Fields, e: Edition, code: str, part: bool, locator: str, chinese: bool) -> list[str]:
    """What follows the title: a list of sections, each to be closed with a full stop; one that
    begins with "//" hangs on the one before it (§4.2.1: 析出文献)."""
    online = _online(fields)
    role, _ = _creators(fields, part)
    page = locator or fields.text("page").replace("--", "-").replace("–", "-")
    accessed = _accessed(fields, e, code)
    open_, close = e.parens
    others = [_role(chinese, fields.names("translator"), "translator", e),
              _role(chinese, fields.names("interviewer"), "interviewer", e)]
    if role == "author" and not part:
        others.append(_role(chinese, fields.names("editor"), "editor", e))
    edition = _edition(fields.text("edition"), chinese)

    if code in ("J", "N") and not part:
        container = fields.text("container-title")
        issued = fields.date("issued")
        if code == "N":  # 报纸名, 出版日期(版次) (§4.4.1)
            section = locator or fields.text("page") or fields.text("section")
            where = e.comma.join(p for p in (container, _day(issued, e) + (f"{open_}{section}{close}" if section else "")) if p)
            return [*others, where + accessed]
        volume, issue = fields.text("volume"), fields.text("issue")
        # 刊名, 年, 卷(期): 页码 (§8.8); an article published online before its issue is dated to the day (2025 §8.5)
        year = _year(issued, e) if volume or issue or e.access_date_always else _day(issued, e)
        issue = f"{open_}{issue}{close}" if issue else ""
        numbering = volume + issue if volume else ""
        dated = year + ("" if volume else issue)
        where = e.comma.join(p for p in (container, dated, numbering) if p)
        page = page or ("" if e.access_date_always else fields.text("number"))  # 2025: an article number as its page
        return [*others, _with_page(where, page, e) + accessed]
    if code == "P":  # 公告日期或公开日期[引用日期] (§4.5.1)
        return [*others, _with_page(_day(fields.date("issued"), e), page, e) + accessed]
    if code == "S" and e.standard_number_first:  # 2025 §8.9: number, title, type; then only the links
        return [locator]
    if code == "A" and (fields.text("archive") or fields.text("archive-place")):
        # 2025 §8.12: 收藏地: 收藏者, 形成日期
        where = e.colon.join(p for p in (fields.text("archive-place"), fields.text("archive")) if p)
        return [*others, _with_page(e.comma.join(p for p in (where, _day(fields.date("issued"), e)) if p), page, e) + accessed]
    if not e.access_date_always and not part and code in ("R", "A") and not fields.text("publisher"):
        # 2025 §8.8: a report (or a paper of an archive) read online: its date, its page; no access date
        return [*others, _with_page(_day(fields.date("issued"), e) or _accessed_year(fields), page, e)]
    if code in _ONLINE_ONLY or (not part and code in ("Z", "A", "R") and online and not fields.text("publisher")):
        return [*others, *_online_only(fields, e, code, locator)]
    if part or (fields.text("event-title") and code == "C"):
        return [*[o for o in others if o], *_container(fields, e, page, accessed, online, chinese)]
    imprint = _imprint(fields, chinese, e, online)
    if not e.access_date_always and not fields.date("issued"):
        imprint = e.comma.join(p for p in (imprint, _accessed_year(fields)) if p)
    imprint = _with_page(imprint, page, e)
    dimensions = fields.text("dimensions") if code == "CM" else ""
    return [*others, edition, imprint + accessed if imprint else accessed, dimensions]


def _container(fields: Fields, e: Edition, page: str, accessed: str, online: bool, chinese: bool) -> list[str]:
    """//专著主要责任者. 专著题名: 卷次. 版本项. 出版地: 出版者, 出版年: 页码 (§4.2.1); a paper given at a
    conference with no proceedings: //会议名, 年: 页码 (2025 §8.6)."""
    title = fields.text("container-title")
    if not title:
        where = e.comma.join(p for p in (fields.text("event-title"), _year(fields.date("issued"), e)) if p)
        return ["//" + _with_page(where, page, e) + accessed]
    responsible = fields.names("container-author") or fields.names("editor")
    volume = _volume(fields.text("volume"), chinese, e)
    container = [_names(chinese, responsible, e) if responsible else "", title + (e.colon + volume if volume else "")]
    if fields.names("container-author"):  # a book by its author, edited by others: they follow its title
        container.append(_role(chinese, fields.names("editor"), "editor", e))
    imprint = _with_page(_imprint(fields, chinese, e, online), page, e)
    return ["//" + _sentences(container), _edition(fields.text("edition"), chinese),
            imprint + accessed]


def _online_only(fields: Fields, e: Edition, code: str, locator: str) -> list[str]:
    """出版地: 出版者(更新或修改日期)[引用日期] (§4.6.1); 2025: 版本. 发布者(发布日期)[引用日期] (§8.14, §8.15);
    a web page only its dates (2025 §8.11). An arXiv number stands for its publisher: never "arXiv:arXiv:"."""
    issued, accessed = fields.date("issued"), fields.date("accessed")
    open_, close = e.parens
    full = isinstance(issued, Date) and (issued.month or not e.access_date_always)
    dates = f"{open_}{_day(issued, e)}{close}" if full else _year(issued, e)
    dates += f"[{_day(accessed, e)}]" if accessed and (_online(fields) or not issued) else ""
    if locator:
        dates += e.colon + locator
    version = fields.text("version")
    version = ("V" + version if version[:1].isdigit() else version) if version else ""
    publisher, number = fields.text("publisher"), fields.text("number")
    if e.name == "gb7714-2015":
        if number and publisher.lower() == "arxiv":
            return [version, number_text(fields), dates]
        where = e.colon.join(p for p in (fields.text("publisher-place"), publisher or fields.text("container-title")) if p)
        if where:  # 出版地: 出版者, 出版年: 引文页码(更新或修改日期)[引用日期]
            where = _with_page(e.comma.join(p for p in (where, _year(issued, e)) if p), locator, e)
            dates = (f"{open_}{_day(issued, e)}{close}" if isinstance(issued, Date) and issued.month else "")
            dates += f"[{_day(accessed, e)}]" if accessed and _online(fields) else ""
            return [version, where + dates]
        return [version, dates]
    where = publisher or (fields.text("container-title") if code == "EB" else "")  # a web page's site, as its publisher
    return [version, where + dates]


def _sentences(parts: Sequence[str]) -> str:
    """Parts joined with full stops, none doubled: "SMITH J, et al. Title"."""
    text = ""
    for part in (p for p in parts if p):
        text = _stop(text) + " " + part if text else part
    return text


def _stop(text: str) -> str:
    """A section closed with its full stop; one that has its own ("et al.", "Inc.", "?") keeps it."""
    return text if text.endswith((".", "?", "!", "。", "？", "！")) else text + "."


def _creators(fields: Fields, part: bool) -> tuple[str, tuple[Name, ...]]:
    """主要责任者: the authors, or whoever made the work (a film's director, a podcast's host, as the
    2025 CSL reads them); else the editors, except of a part, whose editors are its book's (after "//")."""
    for role in ("author", "composer", "illustrator", "director", "host"):
        if fields.names(role):
            return "author", fields.names(role)
    return ("author", ()) if part else main_creators(fields)


def reference(entry: Entry, locator: str, e: Edition, suppress_author: bool = False) -> tuple[Run, ...]:
    fields = Fields(entry)
    code = type_code(entry, fields, e)
    part = bool(fields.text("container-title")) and (entry.type in PARTS or code in ("S", "A"))
    name, container = fields.text("title"), fields.text("container-title")
    serial = code == "J" and container in ("", name) and not fields.text("page") and bool(name or container)
    role, names = _creators(fields, part)
    if serial and not name:  # a serial as a whole (§4.3): 刊名[J]. 年, 卷(期)-年, 卷(期). 出版地: 出版者, 出版年-出版年.
        entry = entry._replace(variables={**entry.variables, "title": container})
        fields = Fields(entry)
    chinese = is_chinese_source(entry)  # 等 or et al., 译 or trans., …: read once for the whole reference
    show_author = names and not suppress_author and not (code == "S" and e.standard_number_first)
    head = [Run(_stop(_names(chinese, names, e, entry.others and role == "author")) + " ")] if show_author else []
    title = _title_block(entry, fields, e, code, part, chinese)
    if serial:
        sections = [fields.text("volume"), _imprint(fields, chinese, e, _online(fields))]
    else:
        sections = _body(entry, fields, e, code, part, locator, chinese)
    text = ""
    for section in (s for s in sections if s):
        if section.startswith("//"):
            text += section
        else:
            text = (_stop(text) + " " if text else ". ") + section
    text = _stop(text) if text else "."
    links = _links(fields)
    return tuple(r for r in (*head, *title, Run(text + (" " if links else "")), *links) if r.text)
