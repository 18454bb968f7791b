"""Diagnostics: every problem found in the inputs, with its place and a code.

The library collects them; only the CLI prints them. A stage that finds errors raises
`InputError` carrying all of them at once, so the writer sees every problem in one run.
"""

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from enum import Enum
from typing import NamedTuple


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Diagnostic(NamedTuple):
    path: str
    line: int  # 1-based; 0 when the problem has no place in the file
    col: int  # 1-based, in characters of the line
    severity: Severity
    message: str
    code: str

    def __str__(self) -> str:
        """One short line, whatever the file's name or the message hold: a newline or other control
        character is escaped (`\\n`), and a message longer than MAX_MESSAGE is cut."""
        path = _printable(self.path)
        place = f"{path}:{self.line}:{self.col}" if self.line else path
        message = self.message if len(self.message) <= MAX_MESSAGE else self.message[: MAX_MESSAGE - 1] + "…"
        return f"{place}: {self.severity.value}: {_printable(message)} [{self.code}]"


MAX_MESSAGE = 500  # characters; the longest real message, a snapshot's word diff, stays well under it
# Control characters (a newline would split the line), line and paragraph separators, bidi overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    return _UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def error(path: str, line: int, col: int, message: str, code: str) -> Diagnostic:
    return Diagnostic(path, line, col, Severity.ERROR, message, code)


def warning(path: str, line: int, col: int, message: str, code: str) -> Diagnostic:
    return Diagnostic(path, line, col, Severity.WARNING, message, code)


class InputError(Exception):
    """Raised by a stage whose input has errors; carries every diagnostic it found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(map(str, self.diagnostics)))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def did_you_mean(word: str, choices: "Iterable[str] | CloseMatches") -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close.

    For many words against one large set of choices, pass a CloseMatches built once."""
    index = choices if isinstance(choices, CloseMatches) else CloseMatches(choices)
    close = index.closest(word)
    return f" (did you mean '{close}'?)" if close is not None else ""


CUTOFF = 0.6  # difflib's own: a ratio below it is no suggestion


class CloseMatches:
    """The choices a mistyped name is compared with, indexed once for many look-ups.

    The closest is difflib's: the highest ratio of at least 0.6 (difflib.get_close_matches). Up
    to EVERY choices, each is compared. A larger set (a bibliography of 20,000 entries: 0.3 s a
    word) is first narrowed to a shortlist, so the work for one word no longer grows with the set:
    - every choice one letter away (a letter wrong, missing, added, or two swapped), found as
      the word and the choice with one letter left out agree (at most NEIGHBOURS for each);
    - the choices sharing most pairs of neighbouring letters with the word, through an index
      of the pairs, reading at most BUDGET places in it, rarest pair first.
    """

    EVERY = 200
    SHORTLIST = 32
    BUDGET = 2048  # places read in the index of pairs for one word
    NEIGHBOURS = 64  # choices taken for one form with a letter left out

    def __init__(self, choices: Iterable[str]) -> None:
        self.choices = sorted(set(choices))
        self.pairs: dict[str, list[int]] | None = None
        self.shortened: dict[str, list[int]] = {}  # each choice, and it with one letter left out
        if len(self.choices) > self.EVERY:
            self.pairs = {}
            for number, choice in enumerate(self.choices):
                for pair in _pairs(choice):
                    self.pairs.setdefault(pair, []).append(number)
                for form in _one_left_out(choice):
                    self.shortened.setdefault(form, []).append(number)

    def closest(self, word: str) -> str | None:
        """difflib.get_close_matches(word, candidates, n=1, cutoff=0.6), its answer exactly, comparing
        in full (ratio) only while a candidate's bound (quick_ratio) can still beat the best found."""
        import difflib  # only when a name is wrong: not every build pays for it

        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        bounded = []
        for choice in self.choices if self.pairs is None else self.shortlist(word):
            matcher.set_seq1(choice)
            if matcher.real_quick_ratio() >= CUTOFF and (bound := matcher.quick_ratio()) >= CUTOFF:
                bounded.append((bound, choice))
        best: tuple[float, str] | None = None
        for bound, choice in sorted(bounded, reverse=True):
            if best and bound < best[0]:
                break  # a ratio is never above its bound
            matcher.set_seq1(choice)
            if (ratio := matcher.ratio()) >= CUTOFF and (best is None or (ratio, choice) > best):
                best = (ratio, choice)
        return best[1] if best else None

    def shortlist(self, word: str) -> list[str]:
        """The choices one letter away, and those sharing most pairs with the word."""
        assert self.pairs is not None
        read, budget = [], self.BUDGET
        for places in sorted((self.pairs.get(pair, []) for pair in _pairs(word)), key=len):
            read.append(places[:budget])
            budget -= len(places)
            if budget <= 0:
                break
        shared = Counter(itertools.chain.from_iterable(read))
        near = {n for form in _one_left_out(word) for n in self.shortened.get(form, [])[: self.NEIGHBOURS]}
        numbers = near | {number for number, _ in shared.most_common(self.SHORTLIST)}
        return [self.choices[number] for number in sorted(numbers)]


def _one_left_out(word: str) -> set[str]:
    """The word, and the word with each of its letters left out."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _pairs(word: str) -> set[str]:
    """The word's pairs of neighbouring characters, its first and last marked as such."""
    padded = f"\0{word}\0"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}
