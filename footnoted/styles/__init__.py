"""Note styles: how a source is written in a note and in the reference list.

A style sees every citation of an essay at once, in order, because a note may depend on the
others: a later note points back at the first (GB/T 7714's 同 + note number, a CSL style's
ibid.), and two works that would read alike are told apart (Chicago). It returns, for each
citation, the runs of each of its sources, and the reference list.

The built-in styles are GB/T 7714 (gb7714.py, through `BuiltinStyle`, builtin.py) and Chicago
(chicago.py, 18th and 17th editions); a style is looked up by the name the front matter gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, NamedTuple, Protocol

from footnoted.bibliography import Entry
from footnoted.tree import Run

if TYPE_CHECKING:
    from footnoted.essay import Essay


class CitationItem(NamedTuple):
    """One source of a citation, as the style sees it: the entry, where in it, and the writer's
    own words around it (already runs)."""

    entry: Entry
    locator_label: str = ""  # 'page', 'chapter', … ('' with a value: a place without a label)
    locator: str = ""
    prefix: tuple[Run, ...] = ()
    suffix: tuple[Run, ...] = ()
    suppress_author: bool = False  # `[-@key]`: the sentence names the author already


class Citation(NamedTuple):
    items: tuple[CitationItem, ...]
    note_number: int  # the note it stands in (an author footnote's number when `in_note`)
    in_note: bool = False  # written into an author footnote's own text


# For each citation, for each of its items, the runs (an item may get none when the style set
# the whole citation in its first item's runs).
FormattedNotes = tuple[tuple[tuple[Run, ...], ...], ...]


class NoteStyle(Protocol):
    name: str  # as the front matter gives it, its edition decided: 'gb7714-2015'
    title: str  # as a message names it: 'GB/T 7714 notes'

    def notes(self, citations: Sequence[Citation]) -> FormattedNotes: ...

    def bibliography(self, entries: Sequence[Entry]) -> tuple[tuple[Entry, tuple[Run, ...]], ...]:
        """The reference list of `entries` (given in order of first citation), in the style's order."""
        ...


# The names the front matter may give; a bare name means the current edition.
ALIASES = {
    "gb7714": "gb7714-2025",
    "chicago": "chicago-18",
}
BUILTIN_NAMES = (
    "gb7714-2025", "gb7714-2015",
    "chicago-18", "chicago-17",
)
STYLE_NAMES = (*ALIASES, *BUILTIN_NAMES)


def note_style(name: str, chinese: bool) -> NoteStyle:
    """The style a front matter names; `chinese`: the essay's language, which decides the words
    around a locator ('第 3 章' or 'chap. 3') and 'et al.' or '等' before a name in running text."""
    name = ALIASES.get(name, name)
    if name.startswith("chicago"):
        from footnoted.styles.chicago import ChicagoStyle

        return ChicagoStyle(name, chinese)
    from footnoted.styles import gb7714

    return gb7714.style(name, chinese)


def is_csl(style: str) -> bool:
    """A style named by a CSL file (`style: x.csl`, `csl: x.csl`, styles/csl.py): a file name has an
    extension (front matter adds '.csl' where `csl:` gives none), a built-in style's name none."""
    return bool(PurePath(style).suffix)


def essay_style(essay: Essay) -> NoteStyle:
    """The style an essay's front matter names: built in, or a CSL file named relative to the essay."""
    front = essay.front
    if is_csl(front.style):
        from footnoted.styles.csl import StylePlace, csl_style

        return csl_style(front.style, StylePlace(essay.path, *front.style_place), front.lang)
    return note_style(front.style, front.is_chinese)


def printed_variables(style: NoteStyle, entry: Entry) -> set[str]:
    """The variables of an entry the style reads for its full note, its short note and its
    bibliography entry: what it can print. Anything else in the entry it drops."""
    from footnoted.styles.common import Recording, short_author

    recording = Recording(entry.variables)
    recorded = entry._replace(variables=recording)
    item = CitationItem(recorded)
    style.notes((Citation((item,), 1), Citation((item,), 2)))
    style.bibliography((recorded,))
    short_author(recorded, False)
    return recording.read & set(entry.variables)
