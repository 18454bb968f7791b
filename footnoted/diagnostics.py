"""Diagnostics: every problem found in the inputs, with its place and a code.

The library collects them; only the CLI prints them. A stage that finds errors raises
`InputError` carrying all of them at once, so the writer sees every problem in one run.
"""

import re
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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    import difflib  # only when a name is wrong: not every build pays for it

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
