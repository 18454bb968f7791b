"""Reference formatting: GB/T 7714-2015 note forms for Chinese essays, Chicago notes for English.

Formatting yields `Run`s (text, italic, a style such as "b sup", link), neutral to the output:
the blog makes them HTML, the PDF the same, the Xiaohongshu text plain words. "等"/"et al." in a
reference follows the source's language; a name in running text follows the essay's.

Every field is read from `entry.variables` through `Fields`, so that `check` can tell which
fields of an entry a style printed (see printed_variables): what it never reads, it reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from footnoted.bibliography import Date, Entry, LiteralDate, Name
from footnoted.bibliography.richtext import plain, segments
from footnoted.locators import short_label
from footnoted.tree import Run

GB_TYPE_CODES = {
    "article-journal": "J", "paper-conference": "C", "book": "M", "chapter": "M", "thesis": "D",
    "report": "R", "dataset": "DS", "article": "EB/OL", "webpage": "EB/OL", "post": "EB/OL",
    "post-weblog": "EB/OL", "interview": "EB/OL", "broadcast": "EB/OL", "speech": "EB/OL",
    "software": "CP/OL", "collection": "G", "classic": "M", "entry-encyclopedia": "M", "entry-dictionary": "M",
    "article-newspaper": "N", "patent": "P", "standard": "S", "article-magazine": "J", "map": "CM",
}
_MONTHS = ("January February March April May June July August September October November December").split()
_SEASONS = ("Spring", "Summer", "Autumn", "Winter")
# Chicago sets these titles in italics, with the imprint in parentheses in a note: whole works.
_WHOLE_WORKS = frozenset(("book", "report", "pamphlet", "classic", "collection", "periodical", "motion_picture",
                          "musical_score", "map", "graphic", "software", "dataset", "standard"))
# Parts of a larger work: a title in quotes, then "in" the container's.
_PARTS = frozenset(("chapter", "entry", "entry-dictionary", "entry-encyclopedia", "paper-conference"))

_CHINESE_LOCATORS = {
    "chapter": "第 {} 章", "section": "第 {} 节", "volume": "第 {} 卷", "paragraph": "第 {} 段", "line": "第 {} 行",
}
# The typed fields an entry made without `variables` (a test's, a snapshot check's) still has.
_TYPED = {"title": "title", "container-title": "container_title", "collection-title": "collection_title",
          "publisher": "publisher", "volume": "volume", "issue": "issue", "page": "page", "number": "number",
          "author": "authors", "interviewer": "interviewers", "issued": "issued", "accessed": "accessed",
          "language": "language", "DOI": "doi", "URL": "url"}


def _has_han(text: str) -> bool:
    """Chinese characters in a title or name (compared, not matched: see typography.is_cjk)."""
    return not text.isascii() and any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def is_chinese_source(entry: Entry) -> bool:
    return entry.language.lower().startswith("zh") or _has_han(entry.title)


def locator_text(label: str, value: str, chinese: bool) -> str:
    """A locator as it stands after a reference: '755', 'chap. 2', 'chaps. 2–3', '00:23:57'.
    A page goes bare, as Chicago and GB/T set it; other places take the locale's short term,
    plural for a range or a list."""
    if not value:
        return ""
    if label in ("page", ""):
        return value
    chinese_form = _CHINESE_LOCATORS.get(label) if chinese else None
    return chinese_form.format(value) if chinese_form else f"{short_label(label, value)} {value}"


# --- reading an entry's fields --------------------------------------------------


class Fields:
    """An entry's CSL variables as the styles read them: text plain, titles as runs, names, dates.
    Every read goes through `entry.variables`, so a recording mapping there sees it."""

    def __init__(self, entry: Entry) -> None:
        self.entry, self.variables = entry, entry.variables

    def _get(self, key: str) -> object:
        value = self.variables.get(key)
        if value is None and key in _TYPED and not self.variables:
            return getattr(self.entry, _TYPED[key]) or None
        return value

    def text(self, key: str) -> str:
        value = self._get(key)
        return plain(value).strip() if isinstance(value, str) else ""

    def rich(self, key: str, italic: bool = False) -> list[Run]:
        """A title's runs, its markup kept: inside an italic title, italics flip to roman (CSL)."""
        value = self._get(key)
        if not isinstance(value, str):
            return []
        runs: list[Run] = []
        for segment in segments(value.strip()):
            run = Run(segment.text, italic != ("i" in segment.styles), style=" ".join(sorted(segment.styles - {"i", "nocase"})))
            if runs and runs[-1]._replace(text="") == run._replace(text=""):  # "nocase" is no style of ours
                runs[-1] = runs[-1]._replace(text=runs[-1].text + run.text)
            else:
                runs.append(run)
        return runs

    def names(self, key: str) -> tuple[Name, ...]:
        value = self._get(key)
        return value if isinstance(value, tuple) else ()

    def date(self, key: str) -> Date | LiteralDate | None:
        value = self._get(key)
        return value if isinstance(value, (Date, LiteralDate)) else None

    def link(self) -> str:
        """The DOI's address, else the URL: read through the variables, linked only when valid."""
        if self._get("DOI") and self.entry.doi:
            return f"https://doi.org/{self.entry.doi}"
        return self.entry.url if self._get("URL") and self.entry.url else ""


# --- names --------------------------------------------------------------------


def _gb_name(name: Name) -> str:
    if name.literal:
        return name.literal
    if _has_han(name.family):
        return name.family + name.given
    initials = " ".join(part[0].upper() for part in re.split(r"[\s.-]+", name.given) if part)
    family = " ".join(p for p in (name.dropping_particle, name.particle, name.family) if p).upper()
    return " ".join(p for p in (family, initials, name.suffix) if p)


def _plain_name(name: Name, inverted: bool = False) -> str:
    """'Ludwig van Beethoven', 'Vincent van Gogh', 'Martin Luther King Jr.'; inverted, 'Beethoven,
    Ludwig van', 'Gogh, Vincent van', 'King, Martin Luther, Jr.'."""
    if name.literal:
        return name.literal
    if _has_han(name.family):
        return name.family + name.given
    if inverted:  # Chicago's "Gogh, Vincent van", as pandoc's style demotes the particle
        given = " ".join(p for p in (name.given, name.dropping_particle, name.particle) if p)
        return ", ".join(p for p in (name.family, given, name.suffix) if p)
    return " ".join(p for p in (name.given, name.dropping_particle, name.full_family, name.suffix) if p)


def family_name(name: Name) -> str:
    return name.literal or name.full_family


def _et_al(entry: Entry) -> str:
    return "等" if is_chinese_source(entry) else "et al."


def _gb_names(entry: Entry, names: tuple[Name, ...], others: bool = False) -> str:
    shown = [_gb_name(n) for n in names]
    if len(shown) > 3 or others:
        return ", ".join(shown[:3]) + ", " + _et_al(entry)
    return ", ".join(shown)


def gb_authors(entry: Entry) -> str:
    return _gb_names(entry, Fields(entry).names("author"), entry.others)


def _creators(fields: Fields) -> tuple[str, tuple[Name, ...]]:
    """Who a reference is by: its authors, else its editors (an edited volume), else its translators."""
    for role in ("author", "editor", "translator"):
        names = fields.names(role)
        if names:
            return role, names
    return "", ()


def short_author(entry: Entry, running_chinese: bool) -> str:
    """'Shumailov 等' in a Chinese sentence, 'Shumailov et al.' in an English one; an edited
    volume by its editors; the title only when nobody is named."""
    fields = Fields(entry)
    role, names = _creators(fields)
    if not names:
        return fields.text("title") or fields.text("container-title")
    others = entry.others and role == "author"
    first = family_name(names[0])
    if len(names) == 2 and not others:
        joiner = "和" if running_chinese else "and"
        return f"{first} {joiner} {family_name(names[1])}"
    if len(names) > 2 or others:
        return f"{first} 等" if running_chinese else f"{first} et al."
    return first


def attribution(entry: Entry, label: str, value: str, running_chinese: bool) -> str:
    """The short source under a passage shown in the body: 'Shumailov 等, 2024, p. 755'."""
    parts = [short_author(entry, running_chinese)]
    if entry.year:
        parts.append(entry.year)
    if value:
        parts.append(f"p. {value}" if label == "page" else locator_text(label, value, False))
    return ", ".join(parts)


# --- dates and numbers ------------------------------------------------------------


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


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _edition(text: str, chinese: bool) -> str:
    """'2' → '2nd ed.' (版 in Chinese); an edition in words is printed as written."""
    if not text:
        return ""
    if text.isdigit():
        return f"{text}版" if chinese else f"{_ordinal(int(text))} ed."
    return text


def _pages(text: str) -> str:
    return re.sub(r"\s*-+\s*", "–", text)


# --- GB/T 7714-2015 -------------------------------------------------------------


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
    role, names = _creators(fields)
    authors = "" if suppress_author or not names else (
        gb_authors(entry) if role == "author" else _gb_responsibility(entry, names, "编" if role == "editor" else "译"))
    head = [Run(_end_sentence(authors) + " ")] if authors else []
    title = fields.rich("title")
    volume = fields.text("volume") if code in ("M", "R", "G") and entry.type not in _PARTS else ""
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
        _gb_responsibility(entry, fields.names("editor"), "编") if role == "author" and entry.type not in _PARTS else "",
        _edition(fields.text("edition"), chinese) if entry.type not in _PARTS else "",
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
    elif entry.type in _PARTS or code == "C":
        # 析出文献: //专著主要责任者. 专著题名. 版本项. 出版地: 出版者, 出版年: 页码. The book's author
        # leads when it has one, its editors after its title; else the editors lead.
        container_author = fields.names("container-author")
        edited = _gb_responsibility(entry, fields.names("editor"), "编")
        volume = fields.text("volume")
        series = ", ".join(p for p in (_gb_series(entry, fields), _gb_volume(volume, chinese, "vol.")) if p)
        container = [p for p in (
            _gb_names(entry, container_author) if container_author else edited, fields.text("container-title"),
            edited if container_author else "", series, _edition(fields.text("edition"), chinese)) if p]
        imprint = _gb_imprint(fields, pages)
        parts = [*others, "//" + ". ".join(container) if container else "", imprint + "." if imprint else ""]
    elif code in ("M", "D", "R", "G", "S", "P", "A", "N"):
        imprint = _gb_imprint(fields, pages)
        parts = [*others, _gb_series(entry, fields), imprint + "." if imprint else ""]
    else:
        dates = f"({fields.date('issued').iso()})" if isinstance(fields.date("issued"), Date) else _year_text(fields.date("issued"))
        accessed = fields.date("accessed")
        dates += f"[{accessed.iso()}]" if isinstance(accessed, Date) else ""
        where = ", ".join(p for p in (fields.text("container-title") or _publisher_unless_numbered(fields),
                                      fields.text("number") and _number(fields)) if p)
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


def _publisher_unless_numbered(fields: Fields) -> str:
    """The publisher, unless the number names it already: 'arXiv:2302.13971', never 'arXiv, arXiv:…'."""
    publisher = fields.text("publisher")
    return "" if publisher.lower() == "arxiv" and fields.text("number") else publisher


def _number(fields: Fields) -> str:
    """'arXiv:2305.17493' for an arXiv preprint (its publisher said by the prefix), 'No. 12', or as written."""
    number = fields.text("number")
    if fields.text("publisher").lower() == "arxiv":
        return f"arXiv:{number}"
    return f"No. {number}" if number.isdigit() else number


# --- Chicago notes-bibliography -------------------------------------------------


def _date_words(date: Date | LiteralDate | None) -> str:
    """'May 5, 2004', 'Spring 2004', 'ca. 1700', '380 BC', '2004–2005': every form a date has."""
    if date is None:
        return ""
    if isinstance(date, LiteralDate):
        return date.text
    year = str(date.year) if date.year > 0 else f"{-date.year} BC" if date.year else ""  # as citeproc: -379 is 379 BC
    if date.month and date.day:
        words = f"{_MONTHS[date.month - 1]} {date.day}, {year}"
    elif date.month:
        words = f"{_MONTHS[date.month - 1]} {year}"
    elif date.season:
        words = f"{_SEASONS[date.season - 1]} {year}"
    else:
        words = year
    if date.circa:
        words = f"ca. {words}"
    if date.end:
        words += f"–{_date_words(date.end)}"
    return words


def _chicago_names(names: tuple[Name, ...], others: bool, bibliography: bool) -> str:
    if not names:
        return ""
    if not bibliography:
        shown = [_plain_name(n) for n in names]
        if len(shown) > 3 or others:
            return f"{shown[0]} et al."
        if len(shown) == 3:
            return f"{shown[0]}, {shown[1]}, and {shown[2]}"
        return " and ".join(shown)
    shown = [_plain_name(names[0], inverted=True)] + [_plain_name(n) for n in names[1:]]
    if others:
        return ", ".join(shown) + ", et al."
    if len(shown) > 10:
        return ", ".join(shown[:7]) + ", et al."
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + ", and " + shown[-1]


def _contributors(names: tuple[Name, ...], note_term: str, bib_term: str, bibliography: bool) -> str:
    """'ed. Sam Smith' in a note, 'Edited by Sam Smith' in the bibliography."""
    if not names:
        return ""
    shown = _chicago_names(names, False, False)
    return f"{bib_term} {shown}" if bibliography else f"{note_term} {shown}"


def _short_title(title: str) -> str:
    """Chicago's short title: the main title, or the subtitle after a one-word label ("Position:")."""
    main, _, rest = title.partition(": ")
    if len(main.split()) < 2 and rest:
        main = re.split(r"(?<=[?.!])\s", rest)[0]
    words = main.split()
    return " ".join(words[:5]).rstrip(",;:")


class _Runs:
    """A reference put together part by part: a comma (or a full stop) before a closing quote goes
    inside it, and never doubles a full stop already there ("et al.")."""

    def __init__(self) -> None:
        self.runs: list[Run] = []

    def add(self, separator: str, runs: list[Run] | str) -> None:
        runs = [Run(runs)] if isinstance(runs, str) else runs
        runs = [r for r in runs if r.text]
        if not runs:
            return
        if self.runs:
            mark = separator.strip()
            last = self.runs[-1]
            if mark in (",", ".") and not last.url and last.text.endswith("”"):
                self.runs[-1] = last._replace(text=last.text[:-1] + mark + "”")
                separator = " "
            elif mark == "." and not last.url and last.text.endswith("."):
                separator = " "
            self.runs.append(Run(separator))
        self.runs.extend(runs)

    def end(self) -> None:
        """The closing full stop: inside a closing quote, never after one already there."""
        last = self.runs[-1] if self.runs else Run("")
        if last.url or not last.text.endswith((".", "”")):
            self.runs.append(Run("."))
        elif last.text.endswith("”") and not last.text.endswith((".”", ",”")):
            self.runs[-1] = last._replace(text=last.text[:-1] + ".”")

    def parts(self, separator: str, parts: Iterable[list[Run] | str]) -> None:
        for part in parts:
            self.add(separator, part)


def _quoted(runs: list[Run]) -> list[Run]:
    return [Run("“"), *runs, Run("”")] if runs else []


def chicago_reference(entry: Entry, locator: str = "", short: bool = False, bibliography: bool = False,
                      suppress_author: bool = False) -> tuple[Run, ...]:
    """A note (full or short) or a bibliography entry. `suppress_author`: the sentence names the
    author already (`[-@key]`), so the note starts at the title."""
    fields = Fields(entry)
    whole = entry.type in _WHOLE_WORKS
    title = fields.rich("title", italic=whole)
    title = title if whole or entry.type == "legal_case" else _quoted(title)  # a case's name stands unquoted
    if short:
        names = "" if suppress_author or not _creators(fields)[1] else short_author(entry, running_chinese=False)
        short_title = fields.text("title-short") or _short_title(fields.text("title"))  # the source's own, else ours
        shown = [Run(short_title, italic=True)] if whole else _quoted([Run(short_title)] if short_title else [])
        built = _Runs()
        built.add("", names)
        built.add(", ", shown)
        built.add(", ", locator)
        built.end()
        return tuple(built.runs)
    sep = ". " if bibliography else ", "
    role, creators = _creators(fields)
    authors = "" if suppress_author else _chicago_names(creators, entry.others and role == "author", bibliography)
    if authors and role != "author":
        plural = len(creators) > 1
        term = {"editor": "eds." if plural else "ed.", "translator": "trans."}[role]
        authors = f"{authors}, {term}"
    built = _Runs()
    built.add("", authors)
    built.add(sep, title)
    pages = locator or _pages(fields.text("page"))
    translator = fields.names("translator") if role != "translator" else ()
    editor = fields.names("editor") if role == "author" else ()
    trans = _contributors(translator, "trans.", "Translated by", bibliography)
    edited = _contributors(editor, "ed.", "Edited by", bibliography)
    edition = _edition(fields.text("edition"), False)
    container = fields.rich("container-title", italic=True)
    imprint_runs = _imprint(fields)
    if entry.type in _LEGAL:
        built.parts(sep, (fields.text("genre"), edited, trans))
        _legal(built, fields, entry.type, locator)
    elif entry.type in ("article-journal", "article-magazine", "article-newspaper", "review"):
        built.parts(sep, (fields.text("genre"), trans, edited))  # "“Title,” Editorial, Journal …"
        volume, issue = fields.text("volume"), fields.text("issue")
        built.add(sep if bibliography else ", ", container)
        if entry.type == "article-journal":
            built.add(", ", fields.text("collection-title"))  # a journal's series: "3rd series"
            built.add(" ", volume)
            built.add(", ", f"no. {issue}" if issue else "")
            built.add(" ", f"({_date_words(fields.date('issued'))})" if fields.date("issued") else "")
            built.add(": ", pages)
        else:
            built.add(", ", _date_words(fields.date("issued")))
            built.add(", ", f"sec. {fields.text('section')}" if fields.text("section") else "")  # a newspaper's
            built.add(", ", pages)
    elif entry.type in _PARTS:
        container_author = fields.names("container-author")
        lead = [Run("In " if bibliography else "in "), *container]
        built.add(sep, lead if container else [])
        built.add(", ", f"by {_chicago_names(container_author, False, False)}" if container_author else "")
        built.add(", ", _contributors(fields.names("editor"), "ed.", "edited by", bibliography))
        built.add(", ", _contributors(translator, "trans.", "translated by", bibliography))
        built.add(", ", edition)
        built.add(", ", _volumes(fields, bibliography=False))
        built.add(", ", _series(fields))
        if bibliography:
            built.add(", ", pages)
            built.add(". ", imprint_runs)
        else:
            built.add(" ", [Run("("), *imprint_runs, Run(")")] if imprint_runs else [])
            built.add(", ", pages)
    elif whole or entry.type == "thesis":
        container_author = fields.names("container-author")
        built.add(", ", f"by {_chicago_names(container_author, False, False)}" if container_author else "")
        built.add(sep, container)  # one volume of a work in several: "Collected Works, vol. 3, 4 vols."
        built.parts(sep, (trans, edited, edition))
        built.add(sep, _volumes(fields, bibliography))
        built.add(sep, _series(fields))
        genre = fields.text("genre")
        number = fields.text("number")
        built.add(sep, fields.text("medium"))
        if entry.type == "thesis":
            imprint_runs = [r for r in ([Run(genre), Run(", ")] if genre else []) + imprint_runs]
        elif genre or number:
            built.add(sep, " ".join(p for p in (genre, number) if p))
        if bibliography:
            built.add(". ", imprint_runs)
            built.add(", ", pages if locator else "")
        else:
            built.add(" ", [Run("("), *imprint_runs, Run(")")] if imprint_runs else [])
            built.add(", ", locator)
    elif entry.type in ("interview", "broadcast"):
        interviewers = fields.names("interviewer")
        if interviewers:
            built.add(sep, f"{'Interview' if bibliography else 'interview'} by {', '.join(_plain_name(n) for n in interviewers)}")
        built.add(", " if interviewers else sep, fields.text("genre"))
        built.add(", " if interviewers else sep, container)
        built.add(", ", f"no. {fields.text('number')}" if fields.text("number") else "")
        built.add(", ", fields.text("publisher"))
        built.add(", ", _date_words(fields.date("issued")))
        built.add(", ", locator if not bibliography else pages)
    else:
        built.parts(sep, (trans, edited, edition))
        venue = [Run(_number(fields))] if fields.text("number") else container or [Run(fields.text("publisher"))]
        built.add(sep, venue)
        built.add(", ", fields.text("genre"))
        built.add(", ", fields.text("medium"))
        built.add(", ", fields.text("publisher-place"))
        built.add(", ", _publisher_unless_numbered(fields) if fields.text("number") or container else "")
        built.add(", ", fields.text("authority"))  # a patent's office
        built.add(", ", _date_words(fields.date("issued")) or fields.text("status"))
        built.add(", ", locator or (pages if bibliography else ""))
    archive = ", ".join(p for p in (fields.text("archive_location"), fields.text("archive"), fields.text("archive-place")) if p)
    built.add(sep, archive)
    link = fields.link()
    if link and not fields.date("issued") and fields.date("accessed"):  # an online source with no date of its own
        built.add(sep, f"{'Accessed' if bibliography else 'accessed'} {_date_words(fields.date('accessed'))}")
    if link:
        built.add(sep, [Run(link, url=link)])
    built.end()
    return tuple(built.runs)


_LEGAL = frozenset(("legal_case", "legislation", "bill", "regulation", "treaty", "hearing"))


def _legal(built: _Runs, fields: Fields, kind: str, locator: str) -> None:
    """As pandoc's Chicago sets the law: 'Roe v. Wade, 410 U.S. 113 (1973)', '“Civil Rights Act of
    1964,” Pub. L. No. 88-352, 78 Stat. 241 (1964)': the reporter or code cited by volume and page."""
    number, section = fields.text("number"), fields.text("section")
    if kind in ("legislation", "bill") and number:
        built.add(", ", f"Pub. L. No. {number}" if kind == "legislation" and number[:1].isdigit() else number)
    elif number:
        built.add(", ", number)
    built.add(", ", f"§ {section}" if section and kind != "regulation" else "")
    cited = " ".join(p for p in (fields.text("volume"), fields.text("container-title"),
                                 f"§ {section}" if section and kind == "regulation" else "", fields.text("page")) if p)
    built.add(", ", cited)
    court = " ".join(p for p in (fields.text("authority"), _date_words(fields.date("issued"))) if p)
    built.add(" ", f"({court})" if court else "")
    built.add(", ", locator)


def _volumes(fields: Fields, bibliography: bool) -> str:
    """'vol. 3', '4 vols.', 'vol. 3, 4 vols.'."""
    volume, volumes = fields.text("volume"), fields.text("number-of-volumes")
    return ", ".join(p for p in (volume and f"{'Vol.' if bibliography else 'vol.'} {volume}", volumes and f"{volumes} vols.") if p)


def _series(fields: Fields) -> str:
    series, number = fields.text("collection-title"), fields.text("collection-number")
    editors = fields.names("collection-editor")
    text = " ".join(p for p in (series, number) if p)
    if editors:
        text = ", ".join(p for p in (text, f"ed. {_chicago_names(editors, False, False)}") if p)
    return text


def _imprint(fields: Fields) -> list[Run]:
    """'Cambridge: Cambridge University Press, 2005', or what of it there is; a reprint with its
    first edition: '2003; repr., Oxford: OUP, 2012', 'Wiley, 1959; New York: Dover, 1997'."""
    place, publisher = fields.text("publisher-place"), fields.text("publisher")
    date = _date_words(fields.date("issued")) or fields.text("status")  # "forthcoming"
    text = ": ".join(p for p in (place, publisher) if p)
    text = ", ".join(p for p in (text, date) if p)
    original_publisher = ": ".join(p for p in (fields.text("original-publisher-place"), fields.text("original-publisher")) if p)
    original = ", ".join(p for p in (original_publisher, _date_words(fields.date("original-date"))) if p)
    if original and text:
        text = f"{original}; {'' if original_publisher else 'repr., '}{text}"
    return [Run(text or original)] if text or original else []


def format_reference(style: str, entry: Entry, locator: str = "", short: bool = False,
                     suppress_author: bool = False) -> tuple[Run, ...]:
    if style == "chicago":
        return chicago_reference(entry, locator, short, suppress_author=suppress_author)
    return gb_reference(entry, locator, short, suppress_author)


def format_bibliography_entry(style: str, entry: Entry) -> tuple[Run, ...]:
    if style == "chicago":
        return chicago_reference(entry, bibliography=True)
    return gb_reference(entry)


# --- what a style prints: check's field report -----------------------------------


class _Recording(Mapping):  # type: ignore[type-arg]
    """An entry's variables that note each one a style reads."""

    def __init__(self, variables: Mapping) -> None:
        self.variables, self.read = variables, set()

    def __getitem__(self, key: str) -> object:
        self.read.add(key)
        return self.variables[key]

    def get(self, key: str, default: object = None) -> object:
        self.read.add(key)
        return self.variables.get(key, default)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def __contains__(self, key: object) -> bool:
        return key in self.variables


def printed_variables(style: str, entry: Entry) -> set[str]:
    """The variables of an entry the style reads for its full note, its short note and its
    bibliography entry: what it can print. Anything else in the entry it drops."""
    recording = _Recording(entry.variables)
    recorded = entry._replace(variables=recording)
    format_reference(style, recorded)
    format_reference(style, recorded, short=True)
    format_bibliography_entry(style, recorded)
    short_author(recorded, False)
    return recording.read & set(entry.variables)
