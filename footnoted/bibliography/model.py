"""The values a bibliography is read into: entries, names, dates, quoted passages.

An `Entry` keeps every CSL variable it was given in `variables` (rich text as CSL's HTML-like
markup, names as `Name`s, dates as `Date`s or `LiteralDate`s), whether or not a style prints it
today. Beside them stand the typed fields the styles read: plain text, never markup.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

EMPTY: Mapping = MappingProxyType({})


class Name(NamedTuple):
    family: str = ""
    given: str = ""
    literal: str = ""
    particle: str = ""  # CSL's non-dropping-particle: "del" in "del Rio-Chanona"
    dropping_particle: str = ""  # "van" in "Ludwig van Beethoven", dropped when sorted by family name
    suffix: str = ""  # "Jr."

    @property
    def full_family(self) -> str:
        return f"{self.particle} {self.family}".strip()


class Date(NamedTuple):
    """A CSL date: a year, and a month or a season, and a day; a range has an `end`."""

    year: int
    month: int | None = None
    day: int | None = None
    season: int | None = None  # 1 spring, 2 summer, 3 autumn, 4 winter (CSL's 21–24)
    circa: bool = False
    end: "Date | None" = None  # the last date of a range: 2004/2005

    def iso(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)


class LiteralDate(NamedTuple):
    """A date given as words ("Spring 2004", "n.d."), printed as written."""

    text: str


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


Variable = str | tuple[Name, ...] | Date | LiteralDate | bool


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
    url: str = ""  # http or https only: anything else is kept in variables["URL"], never linked
    pdf: str = ""
    video: str = ""
    snapshot: str = ""
    language: str = ""
    quotes: Mapping[str, Passage] = EMPTY
    variables: Mapping[str, Variable] = EMPTY  # every CSL variable as given (rich text keeps its markup)

    @property
    def year(self) -> str:
        return str(self.issued.year) if self.issued else ""
