"""Chicago notes-bibliography (The Chicago Manual of Style, 18th edition by default, 17th on request):
full notes, short notes and the bibliography.

What the two editions set differently is one table, `EDITIONS`, read against the official CSL
styles (`chicago-notes-bibliography.csl`, 18th, and `…-17th-edition.csl`) and checked with
citeproc-js running them. A note may depend on the essay's other notes: the short form of a name
grows a given name when two cited authors share a surname, a short title grows when two works
would read alike, and in the 17th edition a note on the source of the note just before it names
the author alone. So the style sees every citation at once (`ChicagoStyle.notes`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from footnoted.bibliography import Date, Entry, LiteralDate, Name
from footnoted.bibliography.richtext import Segment
from footnoted.styles import Citation, CitationItem, FormattedNotes
from footnoted.styles.builtin import one_note, with_writers_words
from footnoted.styles.common import (
    PARTS,
    Fields,
    edition_text,
    family_name,
    has_han,
    locator_text,
    main_creators,
    number_text,
    plain_name,
    publisher_unless_numbered,
)
from footnoted.tree import Run


class Edition(NamedTuple):
    """What CMOS 17 and CMOS 18 set differently (as their official CSL styles set it)."""

    number: int
    note_et_al_min: int  # this many names or more in a note: the first, then "et al."
    bibliography_et_al: tuple[int, int]  # this many names or more in the bibliography: the first so many, "et al."
    place: bool  # the place of publication before the publisher ("New York: Knopf")
    month_in_serial: bool  # a journal issue's date: "(April 2016)"; else "(2016)"
    part_pages_in_bibliography: bool  # a chapter's page range in its bibliography entry
    author_only_for_same_source: bool  # a note on the source of the note just before: "Smith, 99."
    repeated_names_dash: bool  # the bibliography's "———" for the names of the entry above
    sub_verbo: str  # a reference work's entry: "s.v. “Stanford University”" or "under “…”"


EDITIONS = {
    "chicago-18": Edition(18, note_et_al_min=3, bibliography_et_al=(7, 3), place=False, month_in_serial=False,
                          part_pages_in_bibliography=False, author_only_for_same_source=False,
                          repeated_names_dash=False, sub_verbo="under"),
    "chicago-17": Edition(17, note_et_al_min=4, bibliography_et_al=(11, 7), place=True, month_in_serial=True,
                          part_pages_in_bibliography=True, author_only_for_same_source=True,
                          repeated_names_dash=True, sub_verbo="s.v."),
}

_MONTHS = ("January February March April May June July August September October November December").split()

_SEASONS = ("Spring", "Summer", "Autumn", "Winter")

# Chicago sets these titles in italics, with the imprint in parentheses in a note: whole works.
_WHOLE_WORKS = frozenset(("book", "report", "pamphlet", "classic", "collection", "periodical", "motion_picture",
                          "musical_score", "map", "graphic", "software", "dataset", "standard"))

_SERIALS = frozenset(("article-journal", "article-magazine", "article-newspaper", "review", "post-weblog"))

# Headline style (CMOS 17 §8.159): these stay lowercase inside a title. Prepositions of any length;
# "up", "out", "down" and "off" are left out, as in titles they are mostly adverbs ("Working It Out").
_ARTICLES = frozenset(("a", "an", "the"))
_CONJUNCTIONS = frozenset(("and", "but", "for", "or", "nor"))
_PREPOSITIONS = frozenset((
    "about", "above", "across", "after", "against", "along", "amid", "among", "around", "at", "before", "behind",
    "below", "beneath", "beside", "besides", "between", "beyond", "by", "despite", "during", "except", "for", "from",
    "in", "inside", "into", "like", "near", "of", "on", "onto", "outside", "over", "past", "per", "since", "than",
    "through", "throughout", "till", "to", "toward", "towards", "under", "underneath", "unlike", "until", "upon",
    "versus", "via", "with", "within", "without", "v", "vs",
))
_LOWERCASE = _ARTICLES | _CONJUNCTIONS | _PREPOSITIONS | {"as"}
# A short title ends before one of these, so that what it keeps is a whole phrase ("Daily Notes
# of a Trip", not "Daily Notes of a"): a preposition, a conjunction, a clause's first word.
_CUT_BEFORE = _CONJUNCTIONS | _PREPOSITIONS | {"as", "when", "where", "while", "which", "that", "who", "whose",
                                               "because"}
# A one-word label before a title's colon, not its main title: "Position: Will We Run Out of Data?"
_LABELS = frozenset(("position", "review", "perspective", "commentary", "editorial", "comment", "reply", "response",
                     "correction", "erratum", "retraction"))


# --- titles ------------------------------------------------------------------------------------


def _headline_word(word: str, first: bool, last: bool) -> str:
    """One word in headline style: a lowercase word capitalized, unless an article, a preposition
    or a coordinating conjunction inside the title; words with capitals of their own (iPod,
    NVIDIA, LLaMA) kept; each part of a hyphenated compound (CMOS 17 §8.161: "Long-Duration")."""
    match = re.fullmatch(r"([\"'“‘(\[¿¡]*)(.*?)([\"'”’)\].,;:!?]*)", word)
    lead, core, trail = match.groups()  # type: ignore[union-attr]
    if not core:
        return word
    if "-" in core.strip("-"):
        first_piece, *pieces = core.split("-")
        cased = [_headline_word(first_piece, True, last and not pieces)]  # its first part always capitalized
        cased += [p.lower() if p.lower() in _LOWERCASE else _headline_word(p, True, False) for p in pieces]
        return lead + "-".join(cased) + trail
    lower = core.lower()
    if lower in _LOWERCASE and not first and not last and core in (lower, lower.capitalize()):
        core = lower
    elif core == lower and core[:1].isalpha():
        core = core[0].upper() + core[1:]
    return lead + core + trail


def headline(parts: list[Segment]) -> list[Segment]:
    """A title in headline style (CMOS 17 §8.159), its `nocase` and small-caps words as written.
    The first and last words, and the first after a colon, a question mark, an em dash or a
    sentence's full stop, are capitalized; after a dash inside the title, a small word stays as given."""
    return list(_headline(tuple(parts)))


@functools.lru_cache(maxsize=4096)  # a title is read for the full note, the short one and the bibliography
def _headline(parts: tuple[Segment, ...]) -> tuple[Segment, ...]:
    owners: list[int] = []  # the segment each token is in
    tokens: list[str] = []  # words and the spaces between them
    for index, part in enumerate(parts):
        for token in re.split(r"(\s+)", part.text):
            if token:
                owners.append(index)
                tokens.append(token)
    words = [k for k, token in enumerate(tokens) if not token.isspace()]
    starts = True
    for n, k in enumerate(words):
        token = tokens[k]
        after_dash = n > 0 and tokens[words[n - 1]] in ("–", "-")  # "Skald – and Music", "NVIDIA – The $4 …"
        as_written = {"nocase", "sc"} & parts[owners[k]].styles  # small caps as citeproc-js keeps them
        if not as_written and not (after_dash and token.lower() in _LOWERCASE):
            tokens[k] = _headline_word(token, starts, n == len(words) - 1)
        starts = token.endswith((":", "?", "!", "—")) or _ends_sentence(token)
    texts = [""] * len(parts)
    for index, token in zip(owners, tokens, strict=True):
        texts[index] += token
    return tuple(part._replace(text=texts[i]) for i, part in enumerate(parts))


def _ends_sentence(token: str) -> bool:
    """'Century.' ends a sentence inside a title ('… Twelfth Century. A Musicological Study');
    'v.', 'Mrs.', 'Jr.' and initials do not."""
    return token.endswith(".") and len(token) > 4 and token[:-1].isalpha() and token[:-1].lower() not in _LOWERCASE


def _english(fields: Fields) -> bool:
    """CSL recases only English titles: a source in another language keeps its own capitals."""
    language = fields.text("language").lower()
    return not language or language.startswith("en")


def _title(fields: Fields, key: str, italic: bool = False) -> list[Run]:
    english = _english(fields) and not has_han(fields.text(key))
    return fields.rich(key, italic, headline if english else None)


def _key_words(words: list[str]) -> int:
    return sum(w.lower().strip(",;") not in _LOWERCASE for w in words)


def short_title(title: str) -> str:
    """CMOS 17 §14.33 (18 §13.33): the key words of the main title, at most four, without an
    initial A, An or The, in the title's own order; a phrase that stands alone, cut before a
    preposition or a conjunction, never inside one ("Unreasonable Effectiveness", not
    "Unreasonable Effectiveness of Recurrent Neural"). A title of four words or fewer, a question,
    or one with no such phrase is given whole (its main title)."""
    main, rest = _main_title(title)
    if main.lower() in _LABELS and rest:  # "Position: Will We Run Out of Data?" is not "Position"
        main, _ = _main_title(rest)
    words = main.split()
    if len(words) > 1 and words[0].lower() in _ARTICLES:
        words = words[1:]
    if len(words) <= 4 or main.endswith(("?", "!")):  # a question cut short no longer asks
        return " ".join(words)
    for end in range(len(words) - 1, 0, -1):
        ends_phrase = words[end].lower() in _CUT_BEFORE or words[end - 1].endswith((",", ";"))
        kept = words[:end]
        if ends_phrase and 0 < _key_words(kept) <= 4 and kept[-1].lower().strip(",;") not in _LOWERCASE:
            return " ".join(kept).rstrip(",;")
    return " ".join(words)


def _main_title(title: str) -> tuple[str, str]:
    """The title before its subtitle (after a colon, a question's mark, or an em dash), and the rest."""
    match = re.search(r":\s|(?<=[?!])\s|\s?—\s?", title)
    if not match:
        return title.strip(), ""
    return title[: match.start()].strip(), title[match.end():].strip()


# --- names ---------------------------------------------------------------------------------


def _initials(given: str) -> str:
    """'Zadie' → 'Z.', 'Henry David' → 'H. D.', 'Jean-Paul' → 'J.-P.'."""
    return " ".join("-".join(f"{part[0]}." for part in word.split("-") if part) for word in given.split())


def _listed(shown: list[str], others: bool, et_al_min: int, first: int = 1, inverted: bool = False) -> str:
    if not shown:
        return ""
    if others or len(shown) >= et_al_min:
        kept = shown[:first]
        return f"{kept[0]} et al." if len(kept) == 1 and not inverted else ", ".join(kept) + ", et al."
    if len(shown) == 1:
        return shown[0]
    if len(shown) == 2 and not inverted:
        return " and ".join(shown)
    return ", ".join(shown[:-1]) + ", and " + shown[-1]


def _note_names(names: tuple[Name, ...], others: bool, edition: Edition) -> str:
    return _listed([plain_name(n) for n in names], others, edition.note_et_al_min)


def _bibliography_names(names: tuple[Name, ...], others: bool, edition: Edition) -> str:
    shown = [plain_name(names[0], inverted=True)] + [plain_name(n) for n in names[1:]] if names else []
    et_al_min, first = edition.bibliography_et_al
    return _listed(shown, others, et_al_min, first, inverted=True)


def _person_key(name: Name) -> tuple[str, str]:
    return family_name(name).lower(), name.given.lower()


class _Short(NamedTuple):
    """How a work is named in its short notes: its names and its short title, decided over the essay."""

    names: str
    title: str


def _short_forms(entries: Sequence[Entry], edition: Edition) -> dict[str, _Short]:
    """The short note's names and title of each work the essay cites. Two cited authors with one
    surname are told apart by their initials, or by their given names where the initials are
    alike too (CMOS 17 §14.32: 'Z. Smith', 'Jane Smith', 'John Smith'); two works that would still
    read alike get their main title whole, then their full title, then their year."""
    given_of: dict[str, set[str]] = {}
    for entry in entries:
        for name in main_creators(Fields(entry))[1]:
            if not name.literal and not has_han(name.family):
                given_of.setdefault(family_name(name).lower(), set()).add(name.given)

    def short_name(name: Name) -> str:
        family = family_name(name)
        givens = given_of.get(family.lower(), set())
        if len(givens) < 2 or not name.given:
            return family
        initials = _initials(name.given)
        alike = sum(_initials(g) == initials for g in givens)
        return f"{initials if alike == 1 else name.given} {family}"

    forms: dict[str, _Short] = {}
    for entry in entries:
        fields = Fields(entry)
        role, creators = main_creators(fields)
        names = _listed([short_name(n) for n in creators], entry.others and role == "author", edition.note_et_al_min)
        title = "".join(r.text for r in _title(fields, "title"))
        given_short = "".join(r.text for r in _title(fields, "title-short"))  # the source's own wins
        forms[entry.id] = _Short(names, given_short or short_title(title))
    for longer in (lambda e: _main_title(_plain_title(e))[0], _plain_title,
                   lambda e: f"{_plain_title(e)} ({e.year})" if e.year else _plain_title(e)):
        seen: dict[_Short, list[str]] = {}
        for entry in entries:
            seen.setdefault(forms[entry.id], []).append(entry.id)
        alike = {key for ids in seen.values() if len(ids) > 1 for key in ids}
        if not alike:
            break
        for entry in entries:
            if entry.id in alike:
                forms[entry.id] = forms[entry.id]._replace(title=longer(entry))
    return forms


def _plain_title(entry: Entry) -> str:
    return "".join(r.text for r in _title(Fields(entry), "title"))


# --- dates, pages ----------------------------------------------------------------------------


def _date_words(date: Date | LiteralDate | None, month: bool = True, day: bool = True) -> str:
    """'May 5, 2004', 'Spring 2004', 'ca. 1700', '380 BC', '2004–2005': every form a date has."""
    if date is None:
        return ""
    if isinstance(date, LiteralDate):
        return date.text
    year = str(date.year) if date.year > 0 else f"{-date.year} BC" if date.year else ""  # as citeproc: -379 is 379 BC
    if date.month and month and date.day and day:
        words = f"{_MONTHS[date.month - 1]} {date.day}, {year}"
    elif date.month and month:
        words = f"{_MONTHS[date.month - 1]} {year}"
    elif date.season and month:
        words = f"{_SEASONS[date.season - 1]} {year}"
    else:
        words = year
    if date.circa:
        words = f"ca. {words}"
    if date.end:
        words += f"–{_date_words(date.end, month, day)}"
    return words


def inclusive_numbers(text: str) -> str:
    """Page ranges as CMOS 17 §9.61 (18 §9.64) abbreviates them: 3–10, 100–104, 101–8, 321–28,
    498–532, 1496–500, 12991–3001; each range of a list, anything not a plain number as written."""
    def shortened(match: re.Match[str]) -> str:
        first, last = match.group(1), match.group(2)
        if int(last) <= int(first) or int(first) < 100 or int(first) % 100 == 0 or len(first) != len(last):
            return f"{first}–{last}"
        at_least = 1 if int(first) % 100 < 10 else 2
        same = 0
        while same < len(last) - at_least and first[same] == last[same]:
            same += 1
        return f"{first}–{last[same:]}"

    text = re.sub(r"(?<![\w.])(\d+)\s*[-–—]+\s*(\d+)(?![\w.])", shortened, text)
    return re.sub(r"\s*-+\s*", "–", text)


# --- a reference, part by part ------------------------------------------------------------------


class _Runs:
    """A reference put together part by part: a comma (or a full stop) before a closing quote goes
    inside it, and never doubles a full stop already there ("et al."). After a title's own "?",
    a comma stays (“Will We Run Out of Data?,”), as CMOS keeps it, and a full stop goes."""

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
        tail = "".join(r.text for r in self.runs[-2:])
        if last.url or not tail.endswith((".", "”", "?", "!")):
            self.runs.append(Run("."))
        elif last.text.endswith("”") and not tail.endswith((".”", ",”", "?”", "!”")):
            self.runs[-1] = last._replace(text=last.text[:-1] + ".”")

    def parts(self, separator: str, parts: Iterable[list[Run] | str]) -> None:
        for part in parts:
            self.add(separator, part)


def _quoted(runs: list[Run]) -> list[Run]:
    return [Run("“"), *runs, Run("”")] if runs else []


def _contributors(names: tuple[Name, ...], note_term: str, bib_term: str, bibliography: bool) -> str:
    """'ed. Sam Smith' in a note, 'Edited by Sam Smith' in the bibliography (every name: CSL's
    et al. is for the authors)."""
    if not names:
        return ""
    shown = _listed([plain_name(n) for n in names], False, len(names) + 1)
    return f"{bib_term} {shown}" if bibliography else f"{note_term} {shown}"


def _genre(fields: Fields) -> str:
    """A thesis as CMOS names it (17th ed., 'Theses and dissertations'): 'PhD diss.' (Zotero's 'PhD dissertation',
    'Doctoral thesis', 'Ph.D. thesis'); any other genre as written."""
    genre = fields.text("genre")
    if re.fullmatch(r"(?i)(ph\.?\s?d\.?|doctoral)\s+(dissertation|thesis|diss\.?)", genre):
        return "PhD diss."
    return genre


def chicago_reference(entry: Entry, edition: Edition, locator: str = "", form: str = "full",
                      suppress_author: bool = False, short: _Short | None = None) -> tuple[Run, ...]:
    """A note (form 'full', 'short' or 'author' — the author alone, for a note on the source of the
    note just before it) or a bibliography entry ('bibliography'). `suppress_author`: the sentence
    names the author already (`[-@key]`), so the note starts at the title."""
    fields = Fields(entry)
    whole = entry.type in _WHOLE_WORKS
    if form in ("short", "author"):
        short = short or _short_forms((entry,), edition)[entry.id]  # alone: told apart from nothing
        return _short_reference(entry, fields, whole, locator, form, suppress_author, short)
    bibliography = form == "bibliography"
    title = _title(fields, "title", italic=whole)
    title = title if whole or entry.type == "legal_case" else _quoted(title)  # a case's name stands unquoted
    sep = ". " if bibliography else ", "
    role, creators = main_creators(fields)
    others = entry.others and role == "author"
    authors = "" if suppress_author else (_bibliography_names(creators, others, edition) if bibliography
                                          else _note_names(creators, others, edition))
    built = _Runs()
    if authors:
        term = {"author": "", "editor": "eds." if len(creators) > 1 else "ed.", "translator": "trans."}[role]
        built.add("", [Run(authors), Run(f", {term}" if term else "")])  # the names a run of their own: "———, ed."
    built.add(sep, title)
    pages = locator or inclusive_numbers(fields.text("page"))
    translator = fields.names("translator") if role != "translator" else ()
    editor = fields.names("editor") if role == "author" else ()
    trans = _contributors(translator, "trans.", "Translated by", bibliography)
    edited = _contributors(editor, "ed.", "Edited by", bibliography)
    edition_words = edition_text(fields.text("edition"), False)
    container = _title(fields, "container-title", italic=entry.type != "webpage")  # a website's name is roman
    imprint_runs = _imprint(fields, edition)
    if entry.type in _LEGAL:
        built.parts(sep, (fields.text("genre"), edited, trans))
        _legal(built, fields, entry.type, locator)
    elif entry.type in _SERIALS:
        built.parts(sep, (fields.text("genre"), trans, edited))  # "“Title,” Editorial, Journal …"
        volume, issue = fields.text("volume"), fields.text("issue")
        if entry.type == "post-weblog" and container and "blog" not in fields.text("container-title").lower():
            container = [*container, Run(" (blog)")]  # CMOS 17, "Blog posts": "(blog)" unless the name says so
        built.add(sep if bibliography else ", ", container)
        if entry.type == "article-journal":
            built.add(", ", fields.text("collection-title"))  # a journal's series: "3rd series"
            built.add(" ", volume)
            built.add(", ", f"no. {issue}" if issue else "")
            issued = fields.date("issued")
            dated = _date_words(issued, month=edition.month_in_serial, day=False) if volume or issue else \
                _date_words(issued)
            built.add(" ", f"({dated})" if dated else "")
            built.add(": ", pages)
        else:
            built.add(", ", _date_words(fields.date("issued")))
            built.add(", ", f"sec. {fields.text('section')}" if fields.text("section") else "")  # a newspaper's
            built.add(", ", "" if bibliography else pages)  # a magazine's or a paper's pages: in the note only
    elif entry.type in PARTS:
        container_author = fields.names("container-author")
        unsigned = entry.type.startswith("entry") and not creators  # a reference work's entry, by no one named
        lead = container if unsigned else [Run("In " if bibliography else "in "), *container]
        built.add(sep, lead if container else [])
        built.add(", ", f"by {_note_names(container_author, False, edition)}" if container_author else "")
        built.add(", ", _contributors(fields.names("editor"), "ed.", "edited by", bibliography))
        built.add(", ", _contributors(translator, "trans.", "translated by", bibliography))
        built.add(", ", edition_words)
        built.add(", ", _volumes(fields, bibliography=False))
        built.add(", ", _series(fields, edition))
        if bibliography:
            built.add(", ", pages if edition.part_pages_in_bibliography else "")
            built.add(", " if unsigned else ". ", imprint_runs)
        else:  # "“Salvation Army,” Encyclopaedia Britannica, March 1, 2017, s.v. …": no publisher to set apart
            built.add(", " if unsigned else " ", imprint_runs if unsigned else [Run("("), *imprint_runs, Run(")")]
                      if imprint_runs else [])
            built.add(", ", pages)
    elif whole or entry.type == "thesis":
        container_author = fields.names("container-author")
        built.add(", ", f"by {_note_names(container_author, False, edition)}" if container_author else "")
        built.add(sep, container)  # one volume of a work in several: "Collected Works, vol. 3, 4 vols."
        built.parts(sep, (trans, edited, edition_words))
        built.add(sep, _volumes(fields, bibliography))
        built.add(sep, _series(fields, edition))
        genre = _genre(fields)
        number = fields.text("number")
        built.add(sep, fields.text("medium"))
        if entry.type == "thesis":
            if genre:
                imprint_runs = [Run(genre), *([Run(", ")] if imprint_runs else []), *imprint_runs]
        elif genre or number:
            if bibliography and _english(fields):  # a sentence of its own: "Technical Report TP-2019-220." (as the CSL)
                genre = "".join(part.text for part in headline([Segment(genre)]))
            built.add(sep, " ".join(p for p in (genre, number) if p))
        if bibliography:
            built.add(". ", imprint_runs)
            built.add(", ", pages if locator else "")
        else:
            built.add(" ", [Run("("), *imprint_runs, Run(")")] if imprint_runs else [])
            built.add(", ", pages if locator else "")
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
    elif entry.type == "article" and fields.text("number") and fields.text("publisher"):
        # a preprint or a working paper, as the CSL sets it: "Preprint arXiv:2302.13971 (arXiv, February 27, 2023)"
        built.parts(sep, (trans, edited, edition_words))
        built.add(sep, " ".join(p for p in (fields.text("genre"), number_text(fields)) if p))
        published = ", ".join(p for p in (fields.text("publisher"), _date_words(fields.date("issued"))) if p)
        built.add(". " if bibliography else " ", published if bibliography else f"({published})")
        built.add(", ", "" if bibliography else pages if locator else "")
    else:
        built.parts(sep, (trans, edited, edition_words))
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


def _short_reference(entry: Entry, fields: Fields, whole: bool, locator: str, form: str, suppress_author: bool,
                     short: _Short) -> tuple[Run, ...]:
    """CMOS 17 §14.29–14.34: the author's surname, the short title, the page: 'Ward and Burns, *War*, 52.'"""
    names = "" if suppress_author else short.names
    built = _Runs()
    built.add("", names)
    if entry.type.startswith("entry") and not names:  # a reference work's: "*Wikipedia*, s.v. “Stanford University.”"
        built.add("", _title(fields, "container-title", italic=True))
        if short.title in locator:  # the head word is the entry's title
            built.add(", ", locator)
            built.end()
            return tuple(built.runs)
    if form == "short" or not names:
        text = [Run(short.title)] if short.title else []
        built.add(", ", [Run(short.title, italic=True)] if whole and short.title
                  else text if entry.type == "legal_case" else _quoted(text))  # a case's name stands unquoted
    built.add(", ", locator)
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


def _series(fields: Fields, edition: Edition) -> str:
    series = "".join(r.text for r in _title(fields, "collection-title"))
    number = fields.text("collection-number")
    editors = fields.names("collection-editor")
    text = " ".join(p for p in (series, number) if p)
    if editors:
        text = ", ".join(p for p in (text, f"ed. {_note_names(editors, False, edition)}") if p)
    return text


def _imprint(fields: Fields, edition: Edition) -> list[Run]:
    """'New York: Knopf, 2016' (17th edition), 'Knopf, 2016' (18th: the place is left out where
    there is a publisher), or what of it there is; a reprint with its first edition: '2003; repr.,
    Oxford: OUP, 2012', 'Wiley, 1959; New York: Dover, 1997'."""
    publisher = fields.text("publisher")
    # a thesis is placed by its university alone (CMOS's "PhD diss., University of Chicago, 2013"; the CSL too)
    place = fields.text("publisher-place") if (edition.place and fields.entry.type != "thesis") or not publisher else ""
    date = _date_words(fields.date("issued")) or fields.text("status")  # "forthcoming"
    text = ": ".join(p for p in (place, publisher) if p)
    text = ", ".join(p for p in (text, date) if p)
    original_publisher = fields.text("original-publisher")
    original_place = fields.text("original-publisher-place") if edition.place or not original_publisher else ""
    original_publisher = ": ".join(p for p in (original_place, original_publisher) if p)
    original = ", ".join(p for p in (original_publisher, _date_words(fields.date("original-date"))) if p)
    if original and text:
        text = f"{original}; {'' if original_publisher else 'repr., '}{text}"
    return [Run(text or original)] if text or original else []


# --- the style ----------------------------------------------------------------------------------


class ChicagoStyle:
    """Chicago notes-bibliography, one edition: a source in full at its first citation, short after."""

    def __init__(self, name: str, chinese: bool) -> None:
        self.name, self.chinese, self.edition = name, chinese, EDITIONS[name]
        self.title = f"Chicago notes ({self.edition.number}th edition)"  # which edition leaves a field out

    def notes(self, citations: Sequence[Citation]) -> FormattedNotes:
        cited = list({item.entry.id: item.entry for citation in citations for item in citation.items}.values())
        short = _short_forms(cited, self.edition)
        first_cited: set[str] = set()
        formatted: dict[tuple[str, str, str, bool], tuple[Run, ...]] = {}  # a book cites the same few pages often
        previous: Citation | None = None

        def source(item: CitationItem, same_as_before: bool) -> list[Run]:
            form = "short" if item.entry.id in first_cited else "full"
            first_cited.add(item.entry.id)
            if (form == "short" and same_as_before and self.edition.author_only_for_same_source
                    and not item.suppress_author):
                form = "author"  # CMOS 17 §14.34: the author alone, where "ibid." would stand
            label = "sub-verbo" if item.locator_label in ("sub verbo", "sub-verbo") else item.locator_label
            if label == "sub-verbo":
                locator = f"{self.edition.sub_verbo} “{item.locator}”" if item.locator else ""
            else:
                # The locator's words ("第 3 章", "chap. 3") follow the language of the note, the essay's; a
                # page range is shortened as CMOS shortens it ("321–28"), another as written ("secs. 4-5").
                page = item.locator_label in ("page", "")
                locator = locator_text(item.locator_label, inclusive_numbers(item.locator) if page else item.locator,
                                       self.chinese)
            key = (item.entry.id, locator, form, item.suppress_author)
            if key not in formatted:
                formatted[key] = chicago_reference(item.entry, self.edition, locator, form, item.suppress_author,
                                                   short[item.entry.id])
            return with_writers_words(formatted[key], item)

        result = []
        for citation in citations:
            same_as_before = (previous is not None and len(citation.items) == 1 and len(previous.items) == 1
                              and previous.items[0].entry.id == citation.items[0].entry.id
                              and previous.note_number == citation.note_number - 1
                              and not previous.in_note and not citation.in_note)
            # The style's punctuation, in a Chinese essay too: a Chicago note is set in its own
            # marks ("张, 书名, 12; Kanamori …"), never half in full-width ones.
            result.append(one_note([source(item, same_as_before) for item in citation.items], "; "))
            previous = citation
        return tuple(result)

    def bibliography(self, entries: Sequence[Entry]) -> tuple[tuple[Entry, tuple[Run, ...]], ...]:
        """Alphabetical by author (or title), then title; in the 17th edition the names of the entry
        above stand as a 3-em dash. Every source is listed, an unsigned entry of a reference work too
        (CMOS 18 §14.131–14.132 and the CSL leave it out): the Xiaohongshu list and `check` read this list."""
        result = []
        names_above = ""
        for entry in sorted(entries, key=sort_key):
            runs = chicago_reference(entry, self.edition, form="bibliography")
            names = runs[0].text if runs and main_creators(Fields(entry))[1] else ""
            if self.edition.repeated_names_dash and names and names == names_above:
                runs = (Run("———"), *runs[1:])
            names_above = names
            result.append((entry, runs))
        return tuple(result)


def sort_key(entry: Entry) -> tuple[tuple[tuple[str, str], ...], str, str]:
    """The bibliography's order: by the authors' names, family name first (else the title), then
    the title without an initial article, then the year."""
    fields = Fields(entry)
    title = re.sub(r"(?i)^(a|an|the)\s+", "", fields.text("title")).lower()
    names = tuple((family_name(n).lower(), n.given.lower()) for n in main_creators(fields)[1])
    return names or ((title, ""),), title, entry.year
