"""CSL-JSON, as Zotero and pandoc export it: an array of items (or `{"references": [...]}`).

Each item's place is where its `{` stands. A key given twice in one item is read as pandoc reads
it: the first counts; twice the same value is no problem, two different values a warning."""

import bisect
import json
from collections.abc import Iterator, Mapping

from footnoted.bibliography.csl import Located
from footnoted.diagnostics import Diagnostic, InputError, error, warning
from footnoted.yamlsafe import Place

MARKDOWN = False


def read(path: str, text: str, problems: list[Diagnostic]) -> Iterator[tuple[object, Place]]:
    lines = _LineStarts(text)
    duplicates: list[tuple[str, bool]] = []
    decoder = json.JSONDecoder(object_pairs_hook=lambda pairs: _first_wins(pairs, duplicates), parse_constant=str)
    position = _skip_space(text, 0)
    if position == len(text):
        return
    wrapped = False
    if text.startswith("{", position):  # {"references": [...]}, or one item alone
        try:
            whole, _ = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise _syntax(path, exc) from None
        if "references" not in whole:
            raise InputError([error(path, *lines.place(position), "a CSL-JSON bibliography is an array of items", "bib.not-a-list")])
        position = text.index("[", position + text[position:].index('"references"'))
        wrapped = True
    if not text.startswith("[", position):
        raise InputError([error(path, *lines.place(position), "a CSL-JSON bibliography is an array of items", "bib.not-a-list")])
    position = _skip_space(text, position + 1)
    if text.startswith("]", position):
        return
    while True:
        duplicates.clear()
        try:
            item, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise _syntax(path, exc) from None
        place = Place(*lines.place(position))
        if isinstance(item, dict):
            located = Located(item)
            located.place = place
            located.value_places = _Places(text, position, end, lines)  # type: ignore[assignment]
            located.key_places = located.value_places
            for key, identical in duplicates:
                if not identical:
                    where = located.value_places.second(key)
                    problems.append(warning(path, where.line, where.col,
                                            f"duplicate key '{key}' with another value: the first one is used", "json.duplicate-key"))
            item = located
        yield item, place
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif text.startswith("]", position):
            break
        else:
            raise InputError([error(path, *lines.place(position), "JSON syntax: expected ',' or ']'", "json.syntax")])
    rest = _skip_space(text, position + 1)
    if wrapped:
        return
    if rest < len(text):
        raise InputError([error(path, *lines.place(rest), "JSON syntax: text after the array", "json.syntax")])


def _first_wins(pairs: list[tuple[str, object]], duplicates: list[tuple[str, bool]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            duplicates.append((key, result[key] == value))
        else:
            result[key] = value
    return result


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n\r":
        position += 1
    return position


def _syntax(path: str, exc: json.JSONDecodeError) -> InputError:
    return InputError([error(path, exc.lineno, exc.colno, f"JSON syntax: {exc.msg}", "json.syntax")])


class _LineStarts:
    def __init__(self, text: str) -> None:
        self.starts = [0]
        index = text.find("\n")
        while index >= 0:
            self.starts.append(index + 1)
            index = text.find("\n", index + 1)

    def place(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


class _Places(Mapping):
    """Where a key's value stands in the item's text, found only when a warning needs it."""

    def __init__(self, text: str, start: int, end: int, lines: _LineStarts) -> None:
        self.text, self.start, self.end, self.lines = text, start, end, lines

    def _find(self, key: str, nth: int) -> Place | None:
        needle = json.dumps(key)
        position = self.start
        for _ in range(nth):
            position = self.text.find(needle, position, self.end)
            if position < 0:
                return None
            position += len(needle)
        colon = self.text.find(":", position, self.end)
        value = _skip_space(self.text, colon + 1) if colon >= 0 else position
        return Place(*self.lines.place(value))

    def __getitem__(self, key: str) -> Place:
        found = self._find(key, 1)
        if found is None:
            raise KeyError(key)
        return found

    def second(self, key: str) -> Place:
        return self._find(key, 2) or self._find(key, 1) or Place(*self.lines.place(self.start))

    def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
        return self._find(key, 1) or default

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(())

    def __len__(self) -> int:
        return 0
