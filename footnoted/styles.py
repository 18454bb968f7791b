"""Reference formatting: GB/T 7714-2015 note forms for Chinese essays, Chicago notes for English.

Formatting yields `Run`s (text, italic, link), neutral to the output: the blog makes them HTML,
the PDF the same, the Xiaohongshu text plain words. "等"/"et al." in a reference follows the
source's language; a name in running text follows the essay's.
"""

from __future__ import annotations

import re

from footnoted.bibliography import Date, Entry, Name
from footnoted.locators import short_label
from footnoted.tree import Run

GB_TYPE_CODES = {
    "article-journal": "J", "paper-conference": "C", "book": "M", "chapter": "M", "thesis": "D",
    "report": "R", "dataset": "DS", "article": "EB/OL", "webpage": "EB/OL", "post": "EB/OL",
    "post-weblog": "EB/OL", "interview": "EB/OL", "broadcast": "EB/OL", "speech": "EB/OL",
    "software": "CP/OL",
}
_MONTHS = ("January February March April May June July August September October November December").split()


_CHINESE_LOCATORS = {"chapter": "第 {} 章", "section": "第 {} 节", "volume": "第 {} 卷", "paragraph": "第 {} 段", "line": "第 {} 行"}


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


# --- names --------------------------------------------------------------------


def _gb_name(name: Name) -> str:
    if name.literal:
        return name.literal
    if _has_han(name.family):
        return name.family + name.given
    initials = " ".join(part[0].upper() for part in re.split(r"[\s.-]+", name.given) if part)
    return f"{name.full_family.upper()} {initials}".strip()


def _plain_name(name: Name, inverted: bool = False) -> str:
    if name.literal:
        return name.literal
    if _has_han(name.family):
        return name.family + name.given
    if inverted:
        return f"{name.full_family}, {name.given}".strip(", ")
    return f"{name.given} {name.full_family}".strip()


def family_name(name: Name) -> str:
    return name.literal or name.full_family


def _et_al(entry: Entry) -> str:
    return "等" if is_chinese_source(entry) else "et al."


def gb_authors(entry: Entry) -> str:
    names = [_gb_name(n) for n in entry.authors]
    if len(names) > 3 or entry.others:
        return ", ".join(names[:3]) + ", " + _et_al(entry)
    return ", ".join(names)


def short_author(entry: Entry, running_chinese: bool) -> str:
    """'Shumailov 等' in a Chinese sentence, 'Shumailov et al.' in an English one."""
    if not entry.authors:
        return entry.container_title or entry.title
    first = family_name(entry.authors[0])
    if len(entry.authors) == 2 and not entry.others:
        joiner = "和" if running_chinese else "and"
        return f"{first} {joiner} {family_name(entry.authors[1])}"
    if len(entry.authors) > 2 or entry.others:
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


# --- GB/T 7714-2015 -------------------------------------------------------------


def _link_runs(entry: Entry) -> list[Run]:
    if entry.doi:
        return [Run(f"DOI:{entry.doi}", url=f"https://doi.org/{entry.doi}"), Run(".")]
    if entry.url:
        return [Run(entry.url, url=entry.url), Run(".")]
    return []


def gb_reference(entry: Entry, locator: str = "", short: bool = False, suppress_author: bool = False) -> tuple[Run, ...]:
    code = GB_TYPE_CODES.get(entry.type, "Z")
    authors = "" if suppress_author else gb_authors(entry)
    head = _end_sentence(authors) + " " if authors else ""
    if short:  # the same authors (three at most), the title and the place: no venue, no link
        tail = f": {locator}." if locator else "."
        return (Run(f"{head}{entry.title}[{code}]{tail}"),)
    pages = locator or entry.page.replace("--", "-")
    if code == "J":
        issue = f"({entry.issue})" if entry.issue else ""
        body = f"{entry.container_title}, {entry.year}, {entry.volume}{issue}"
        body += f": {pages}." if pages else "."
    elif code == "C":
        series = ", ".join(p for p in (entry.collection_title, entry.volume and f"vol. {entry.volume}") if p)
        body = f"//{entry.container_title}." + (f" {series}." if series else "")
        body += f" {entry.publisher + ', ' if entry.publisher else ''}{entry.year}" + (f": {pages}." if pages else ".")
    elif code in ("M", "D", "R"):
        imprint = ", ".join(p for p in (entry.publisher, entry.year) if p)
        body = imprint + (f": {pages}" if pages and imprint else pages) + "." if imprint or pages else ""
    else:
        dates = f"({entry.issued.iso()})" if entry.issued else ""
        dates += f"[{entry.accessed.iso()}]" if entry.accessed else ""
        where = ", ".join(p for p in (entry.container_title, entry.number and _number(entry)) if p)
        body = ". ".join(p for p in (where, dates) if p)
        body += f": {locator}." if locator else "."
        if body == ".":
            body = ""
    sep = "" if code == "C" else ". "
    text = f"{head}{entry.title}[{code}]{sep}{body}".rstrip()
    return (Run(text + (" " if _link_runs(entry) else "")), *_link_runs(entry))


def _end_sentence(text: str) -> str:
    """'et al.' already ends with its full stop: never 'et al..'."""
    return text if text.endswith(".") else text + "."


def _number(entry: Entry) -> str:
    if entry.publisher.lower() == "arxiv":
        return f"arXiv:{entry.number}"
    return f"No. {entry.number}" if entry.number.isdigit() else entry.number


# --- Chicago notes-bibliography -------------------------------------------------


def _date_words(date: Date | None) -> str:
    if not date:
        return ""
    if date.month and date.day:
        return f"{_MONTHS[date.month - 1]} {date.day}, {date.year}"
    if date.month:
        return f"{_MONTHS[date.month - 1]} {date.year}"
    return str(date.year)


def _chicago_note_authors(entry: Entry) -> str:
    names = [_plain_name(n) for n in entry.authors]
    if len(names) > 3 or entry.others:
        return f"{names[0]} et al."
    if len(names) == 3:
        return f"{names[0]}, {names[1]}, and {names[2]}"
    return " and ".join(names)


def _chicago_bib_authors(entry: Entry) -> str:
    names = [_plain_name(entry.authors[0], inverted=True)] + [_plain_name(n) for n in entry.authors[1:]]
    if entry.others:
        return ", ".join(names) + ", et al."
    if len(names) > 10:
        return ", ".join(names[:7]) + ", et al."
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", and " + names[-1]


def _short_title(title: str) -> str:
    """Chicago's short title: the main title, or the subtitle after a one-word label ("Position:")."""
    main, _, rest = title.partition(": ")
    if len(main.split()) < 2 and rest:
        main = re.split(r"(?<=[?.!])\s", rest)[0]
    words = main.split()
    return " ".join(words[:5]).rstrip(",;:")


def chicago_reference(entry: Entry, locator: str = "", short: bool = False, bibliography: bool = False,
                      suppress_author: bool = False) -> tuple[Run, ...]:
    """A note (full or short) or a bibliography entry. `suppress_author`: the sentence names the
    author already (`[-@key]`), so the note starts at the title."""
    sep = ". " if bibliography else ", "
    authors = (_chicago_bib_authors(entry) if bibliography else _chicago_note_authors(entry)) if entry.authors else ""
    if suppress_author:
        authors = ""
    if bibliography and authors:
        authors = _end_sentence(authors)[:-1]
    if short:
        names = "" if suppress_author else short_author(entry, running_chinese=False) + ", "
        title = _short_title(entry.title)
        return (Run(f"{names}“{title},” {locator}." if locator else f"{names}“{title}.”"),)
    runs: list[Run] = [Run(f"{authors}{sep}" if authors else "")]
    close = ".”" if bibliography else ",”"
    runs.append(Run(f"“{entry.title}{close} "))
    pages = locator or ("" if not bibliography else entry.page.replace("-", "–"))
    if entry.type == "article-journal":
        runs.append(Run(entry.container_title, italic=True))
        issue = f", no. {entry.issue}" if entry.issue else ""
        runs.append(Run(f" {entry.volume}{issue} ({entry.year})" + (f": {pages}" if pages else "")))
    elif entry.type == "paper-conference":
        runs += [Run("In " if bibliography else "in "), Run(entry.container_title, italic=True)]
        series = f", {entry.collection_title} {entry.volume}".rstrip() if entry.collection_title else ""
        runs.append(Run(f"{series} ({entry.year})" + (f": {pages}" if pages else "")))
    elif entry.type in ("interview", "broadcast"):
        if entry.interviewers:
            runs.append(Run(f"{'Interview' if bibliography else 'interview'} by {', '.join(_plain_name(n) for n in entry.interviewers)}, "))
        runs.append(Run(entry.container_title, italic=True))
        number = f", no. {entry.number}" if entry.number else ""
        runs.append(Run(f"{number}, {_date_words(entry.issued)}" + (f", {pages}" if pages else "")))
    else:
        venue = _number(entry) if entry.number else entry.container_title or entry.publisher
        runs.append(Run(", ".join(p for p in (venue, _date_words(entry.issued)) if p) + (f", {pages}" if pages else "")))
    link = f"https://doi.org/{entry.doi}" if entry.doi else entry.url
    if link:
        runs += [Run(sep), Run(link, url=link)]
    runs.append(Run("."))
    return tuple(r for r in runs if r.text)


def format_reference(style: str, entry: Entry, locator: str = "", short: bool = False,
                     suppress_author: bool = False) -> tuple[Run, ...]:
    if style == "chicago":
        return chicago_reference(entry, locator, short, suppress_author=suppress_author)
    return gb_reference(entry, locator, short, suppress_author)


def format_bibliography_entry(style: str, entry: Entry) -> tuple[Run, ...]:
    if style == "chicago":
        return chicago_reference(entry, bibliography=True)
    return gb_reference(entry)
