"""The built-in styles' common frame: a source in full at its first citation, short after; the
writer's prefix and suffix around it; several sources in one note joined with one full stop."""

from __future__ import annotations

from collections.abc import Sequence

from footnoted.bibliography import Entry
from footnoted.styles import Citation, CitationItem, FormattedNotes
from footnoted.styles.common import locator_text
from footnoted.tree import Run

class BuiltinStyle:
    """The frame: a source `full` at its first citation, as `subsequent` has it after, the writer's
    words around it, several sources in one note joined by `separator`. A style gives the forms."""

    separator: str  # between the sources of one note

    def __init__(self, name: str, title: str, chinese: bool) -> None:
        self.name, self.title, self.chinese = name, title, chinese

    def full(self, item: CitationItem, locator: str) -> tuple[Run, ...]:
        raise NotImplementedError

    def subsequent(self, item: CitationItem, locator: str, first: Citation) -> tuple[Run, ...]:
        """A source cited before, in note `first`."""
        raise NotImplementedError

    def bibliography_entry(self, entry: Entry) -> tuple[Run, ...]:
        raise NotImplementedError

    def notes(self, citations: Sequence[Citation]) -> FormattedNotes:
        first_cited: dict[str, tuple[CitationItem, Citation]] = {}  # each source's first citation
        formatted: dict[tuple[str, str, bool, bool], tuple[Run, ...]] = {}  # a book cites the same few pages often

        def source(item: CitationItem, citation: Citation) -> list[Run]:
            first_item, first = first_cited.setdefault(item.entry.id, (item, citation))
            full = first_item is item
            # The locator's words ("第 3 章", "chap. 3") follow the language of the note, the essay's.
            locator = locator_text(item.locator_label, item.locator, self.chinese)
            key = (item.entry.id, locator, not full, item.suppress_author)
            if key not in formatted:
                formatted[key] = self.full(item, locator) if full else self.subsequent(item, locator, first)
            return with_writers_words(formatted[key], item)

        return tuple(one_note([source(item, citation) for item in citation.items], self.separator)
                     for citation in citations)

    def bibliography(self, entries: Sequence[Entry]) -> tuple[tuple[Entry, tuple[Run, ...]], ...]:
        return tuple((entry, self.bibliography_entry(entry)) for entry in entries)  # in the order of citation


def with_writers_words(reference: tuple[Run, ...], item: CitationItem) -> list[Run]:
    """The writer's prefix before the reference, the suffix inside its full stop."""
    runs = list(reference)
    if item.prefix:
        runs[:0] = [*item.prefix, Run(" ")]
    if item.suffix:  # inside the note's full stop, as pandoc sets it: "…, 33, emphasis added."
        runs = with_suffix(runs, list(item.suffix))
    return runs


def one_note(sources: list[list[Run]], separator: str) -> tuple[tuple[Run, ...], ...]:
    """The sources of one citation as one note: "A, 3; B, 5.", one full stop ending it."""
    return tuple(tuple([*without_full_stop(runs), Run(separator)] if position < len(sources) - 1 else runs)
                 for position, runs in enumerate(sources))


def without_full_stop(runs: list[Run]) -> list[Run]:
    """The reference without its closing full stop ("et al." keeps its own)."""
    runs = list(runs)
    while runs and not runs[-1].text.strip():  # a space before a link that is not there
        runs.pop()
    if runs and runs[-1].text != runs[-1].text.rstrip() and not runs[-1].url:
        runs[-1] = runs[-1]._replace(text=runs[-1].text.rstrip())
    if runs and runs[-1].text.endswith(".”") and not runs[-1].url:
        runs[-1] = runs[-1]._replace(text=runs[-1].text[:-2] + "”")
    elif runs and runs[-1].text.endswith(".") and not runs[-1].url and not runs[-1].text.endswith("et al."):
        runs[-1] = runs[-1]._replace(text=runs[-1].text[:-1])
        if not runs[-1].text:
            runs.pop()
    return runs


def with_suffix(reference: list[Run], suffix: list[Run]) -> list[Run]:
    """The suffix inside the note's full stop: "Title, 33, emphasis added.", not "Title, 33. emphasis added".
    A comma goes inside closing quotes, as pandoc's English notes set it: "“Title,” passim."."""
    runs = without_full_stop(reference)
    if runs and runs[-1].text.endswith("”") and suffix and suffix[0].text.startswith(",") and not suffix[0].italic:
        runs[-1] = runs[-1]._replace(text=runs[-1].text[:-1] + ",”")
        suffix = [suffix[0]._replace(text=suffix[0].text[1:]), *suffix[1:]]
    runs += [r for r in suffix if r.text]
    ending = "".join(r.text for r in suffix).rstrip()
    if not ending.endswith((".", "?", "!", "…", "。", "？", "！")):
        runs.append(Run("."))
    return runs
