"""Chicago notes-bibliography: full notes, short notes and bibliography entries."""

from __future__ import annotations

import re
from collections.abc import Iterable

from footnoted.bibliography import Date, Entry, LiteralDate, Name
from footnoted.styles.common import (
    PARTS,
    Fields,
    edition_text,
    main_creators,
    number_text,
    page_range,
    plain_name,
    publisher_unless_numbered,
    short_author,
)
from footnoted.tree import Run

_MONTHS = ("January February March April May June July August September October November December").split()

_SEASONS = ("Spring", "Summer", "Autumn", "Winter")

# Chicago sets these titles in italics, with the imprint in parentheses in a note: whole works.
_WHOLE_WORKS = frozenset(("book", "report", "pamphlet", "classic", "collection", "periodical", "motion_picture",
                          "musical_score", "map", "graphic", "software", "dataset", "standard"))


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
        shown = [plain_name(n) for n in names]
        if len(shown) > 3 or others:
            return f"{shown[0]} et al."
        if len(shown) == 3:
            return f"{shown[0]}, {shown[1]}, and {shown[2]}"
        return " and ".join(shown)
    shown = [plain_name(names[0], inverted=True)] + [plain_name(n) for n in names[1:]]
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
        names = "" if suppress_author or not main_creators(fields)[1] else short_author(entry, running_chinese=False)
        short_title = fields.text("title-short") or _short_title(fields.text("title"))  # the source's own, else ours
        shown = [Run(short_title, italic=True)] if whole else _quoted([Run(short_title)] if short_title else [])
        built = _Runs()
        built.add("", names)
        built.add(", ", shown)
        built.add(", ", locator)
        built.end()
        return tuple(built.runs)
    sep = ". " if bibliography else ", "
    role, creators = main_creators(fields)
    authors = "" if suppress_author else _chicago_names(creators, entry.others and role == "author", bibliography)
    if authors and role != "author":
        plural = len(creators) > 1
        term = {"editor": "eds." if plural else "ed.", "translator": "trans."}[role]
        authors = f"{authors}, {term}"
    built = _Runs()
    built.add("", authors)
    built.add(sep, title)
    pages = locator or page_range(fields.text("page"))
    translator = fields.names("translator") if role != "translator" else ()
    editor = fields.names("editor") if role == "author" else ()
    trans = _contributors(translator, "trans.", "Translated by", bibliography)
    edited = _contributors(editor, "ed.", "Edited by", bibliography)
    edition = edition_text(fields.text("edition"), False)
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
    elif entry.type in PARTS:
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
            built.add(sep, f"{'Interview' if bibliography else 'interview'} by {', '.join(plain_name(n) for n in interviewers)}")
        built.add(", " if interviewers else sep, fields.text("genre"))
        built.add(", " if interviewers else sep, container)
        built.add(", ", f"no. {fields.text('number')}" if fields.text("number") else "")
        built.add(", ", fields.text("publisher"))
        built.add(", ", _date_words(fields.date("issued")))
        built.add(", ", locator if not bibliography else pages)
    else:
        built.parts(sep, (trans, edited, edition))
        venue = [Run(number_text(fields))] if fields.text("number") else container or [Run(fields.text("publisher"))]
        built.add(sep, venue)
        built.add(", ", fields.text("genre"))
        built.add(", ", fields.text("medium"))
        built.add(", ", fields.text("publisher-place"))
        built.add(", ", publisher_unless_numbered(fields) if fields.text("number") or container else "")
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


def reference(entry: Entry, locator: str, short: bool, suppress_author: bool) -> tuple[Run, ...]:
    return chicago_reference(entry, locator, short, suppress_author=suppress_author)


def bibliography_entry(entry: Entry) -> tuple[Run, ...]:
    return chicago_reference(entry, bibliography=True)


def sort_key(entry: Entry) -> tuple[str, str, str]:
    """The bibliography's alphabetical order: by author (or title), then year and title."""
    return short_author(entry, False).lower(), entry.year, entry.title
