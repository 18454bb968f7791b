"""YAML read strictly: no aliases, no duplicate keys, no silent type changes.

PyYAML follows YAML 1.1, where `00:23:57` is the integer 1437, `2302.13971` a float and `no`
False. In a bibliography those are a timestamp, an arXiv id and a word, so every scalar stays
the string it was written as, except plain decimal integers, `true`/`false` and `null`.
Aliases are refused outright (an alias bomb expands to gigabytes); duplicate keys, which
PyYAML silently resolves to the last one, are errors, except in a bibliography, where pandoc
reads them (the last one counts) and they are warnings. Every mapping and list remembers where
its keys and items stand, so later stages can point at the exact line.

The values are built straight from the parser's events, without PyYAML's node graph: a
100,000-entry bibliography composed into nodes took 1.6 GB and half a minute, and composing
recurses, so deeply nested YAML crashed it. Building from events is a loop with a stack.
"""

import contextlib
import gc
import re
import sys
from collections.abc import Iterator
from typing import NamedTuple

import yaml

from footnoted.diagnostics import Diagnostic, InputError, error, warning

try:  # libyaml is much faster on a large bibliography; fall back to pure Python
    _Loader: type = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.BaseLoader

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_STANDARD_TAGS = {None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
# Deeper than any bibliography or front matter. Deeper YAML is refused as soon as it is seen:
# later stages walk values recursively, and libyaml's time grows with the square of the depth.
MAX_DEPTH = 50


class Place(NamedTuple):
    line: int  # 1-based
    col: int  # 1-based


_new_place = tuple.__new__  # Place(line, col) without the Python-level __new__: one per YAML value


class YamlMap(dict):  # type: ignore[type-arg]
    """A mapping that knows where it and each of its keys and values stand."""

    __slots__ = ("key_places", "place", "value_places")  # no __dict__: a large bibliography holds many
    place: Place
    key_places: dict[str, Place]
    value_places: dict[str, Place]


class YamlList(list):  # type: ignore[type-arg]
    __slots__ = ("item_places", "place")
    place: Place
    item_places: list[Place]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Build a large tree of values without the cycle collector: the tree has no cycles to
    collect, and the collector's repeated passes over it took a third of the time of reading a
    100,000-entry bibliography."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load_yaml(text: str, path: str, line_offset: int = 0) -> object:
    """Parse one YAML document; raise InputError with every problem found."""
    builder = _Builder(path, line_offset)
    for _ in _events(text, path, line_offset, builder):
        pass  # a _Builder hands nothing over before the end
    if builder.problems:
        raise InputError(builder.problems)
    return builder.root


def iter_yaml_entries(text: str, path: str, line_offset: int = 0, warnings: list[Diagnostic] | None = None) -> Iterator[tuple[object, Place]]:
    """The items of a bibliography's list (bare, or under a top-level `references:`), each with its
    place, handed over as soon as each is read: a 100,000-entry file is never held whole as YAML
    values. Duplicate keys are warnings added to `warnings` (the last one counts, as in pandoc);
    any other problem raises InputError at the end, after the items read. The root is
    `builder.root` afterwards: the top-level mapping without its entries, or None."""
    builder = _EntryStreamer(path, line_offset)
    for _ in _events(text, path, line_offset, builder):
        if builder.ready:
            yield from builder.ready
            builder.ready.clear()
    if builder.entries:  # scalars after the last mapping: not entries, but the converter says so
        yield from zip(builder.entries, builder.entries.item_places, strict=True)
        builder.entries.clear()
    if warnings is not None:
        warnings += builder.warnings
    if builder.problems:
        raise InputError(builder.problems)
    root = builder.root
    references = root.get("references", root) if isinstance(root, YamlMap) else root
    if root is not None and references is not None and references is not builder.entries:
        raise InputError([error(path, 1 + line_offset, 1, "a bibliography is a 'references:' list of entries", "bib.not-a-list")])


def _events(text: str, path: str, line_offset: int, builder: "_Builder") -> Iterator[None]:
    try:
        with collector_paused():
            # The parser's own loop, without yaml.parse's generator, and the handler looked up here,
            # without builder.take: two Python calls fewer for each of millions of events.
            loader = _Loader(text)
            try:
                next_event, handlers, ready = loader.get_event, builder.handlers, builder.ready
                while True:
                    event = next_event()
                    kind = type(event)
                    if kind is yaml.StreamEndEvent or event is None:
                        break
                    handler = handlers.get(kind)
                    if handler is not None:
                        handler(event)
                        if ready:  # an entry is complete: hand it over
                            yield None
            finally:
                loader.dispose()
    except yaml.reader.ReaderError as exc:  # a character YAML refuses, such as U+FFFF
        raise InputError([_refused_character(text, path, line_offset, exc)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else 0
        col = mark.column + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError([error(path, line, col, f"YAML syntax: {problem}", "yaml.syntax")]) from None
    except yaml.YAMLError as exc:
        raise InputError([error(path, 0, 0, f"YAML: {exc}", "yaml.syntax")]) from None


def _refused_character(text: str, path: str, line_offset: int, exc: yaml.reader.ReaderError) -> Diagnostic:
    """The reader's own message spans two lines and counts bytes or characters depending on the
    parser; the refused character's first occurrence is where the reader stopped."""
    code = exc.character if isinstance(exc.character, int) else 0
    offset = text.find(chr(code)) if code else -1
    if offset < 0:
        return error(path, 0, 0, f"YAML: {exc.reason}", "yaml.syntax")
    line = text.count("\n", 0, offset) + 1 + line_offset
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return error(path, line, col, f"YAML: the character U+{code:04X} is not allowed", "yaml.syntax")


# What an open mapping waits for: a key, the end of a key that is not a plain value, or the
# value of a refused key (read, then dropped). Otherwise it holds the key whose value comes next.
_KEY, _COMPLEX_KEY, _REFUSED = object(), object(), object()


class _Builder:
    """Turns parser events into YamlMap/YamlList/scalars, collecting problems as it goes."""

    def __init__(self, path: str, line_offset: int) -> None:
        self.path = path
        self.line_offset = line_offset
        self.problems: list[Diagnostic] = []
        self.stack: list[list] = []  # per open collection: [collection, waiting-for (maps), tag allowed]
        self.root: object = None
        self.ready: list[tuple[object, Place]] = []  # finished entries, for _EntryStreamer
        self.entries: YamlList | None = None  # the list whose items are entries (_EntryStreamer), once open
        self.documents = 0
        self.aliases = 0
        self.alias_problem = 0  # the index of the one diagnostic for all aliases
        self.handlers = {
            yaml.ScalarEvent: self.scalar, yaml.MappingStartEvent: self.open, yaml.SequenceStartEvent: self.open,
            yaml.MappingEndEvent: self.close, yaml.SequenceEndEvent: self.close, yaml.AliasEvent: self.alias_event,
            yaml.DocumentStartEvent: self.document,
        }

    def place(self, event: yaml.Event) -> Place:
        mark = event.start_mark
        return _new_place(Place, (mark.line + 1 + self.line_offset, mark.column + 1))

    def fail(self, place: Place, message: str, code: str) -> None:
        self.problems.append(error(self.path, place.line, place.col, message, code))

    def take(self, event: yaml.Event) -> None:
        # One call per event, and there are millions in a large bibliography: dispatch by type.
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(event)

    def close(self, event: yaml.CollectionEndEvent) -> None:
        stack = self.stack
        collection, _, allowed = stack.pop()
        if stack and stack[-1][0] is self.entries:  # a bibliography's entry: handed over, not kept (_EntryStreamer)
            entries = self.entries
            if entries:  # scalars before it in the list: not entries, but the converter says so
                self.ready += zip(entries, entries.item_places, strict=True)
                entries.clear()
                entries.item_places.clear()
            self.ready.append((collection if allowed else None, collection.place))
        else:
            self.add(collection if allowed else None, collection.place)

    def alias_event(self, event: yaml.AliasEvent) -> None:
        place = self.place(event)
        self.alias(place)
        if self.wants_key():
            self.stack[-1][1] = _REFUSED
        else:
            self.add(None, place)

    def document(self, event: yaml.DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents > 1:
            place = self.place(event)
            raise InputError([*self.problems, error(self.path, place.line, place.col,
                "YAML syntax: a second document ('---'): a file holds one", "yaml.syntax")])

    def alias(self, place: Place) -> None:
        """One diagnostic, at the first alias: a bomb holds dozens, and one is enough to fix."""
        self.aliases += 1
        if self.aliases == 1:
            self.alias_problem = len(self.problems)
            self.fail(place, "YAML anchors and aliases are not allowed", "yaml.alias")
        else:
            first = self.problems[self.alias_problem]
            message = f"YAML anchors and aliases are not allowed ({self.aliases - 1} more after this one)"
            self.problems[self.alias_problem] = error(first.path, first.line, first.col, message, first.code)

    def wants_key(self) -> bool:
        return bool(self.stack) and self.stack[-1][1] is _KEY

    def tag_allowed(self, event: yaml.NodeEvent, place: Place) -> bool:
        if event.tag in _STANDARD_TAGS:
            return True
        self.fail(place, f"YAML tag '{event.tag}' is not allowed", "yaml.tag")
        return False

    def open(self, event: yaml.CollectionStartEvent) -> None:
        mark = event.start_mark
        place = _new_place(Place, (mark.line + 1 + self.line_offset, mark.column + 1))
        stack = self.stack
        if len(stack) >= MAX_DEPTH:
            raise InputError([*self.problems, error(self.path, place.line, place.col,
                f"YAML nested more than {MAX_DEPTH} levels deep", "yaml.too-deep")])
        if stack and stack[-1][1] is _KEY:
            self.fail(place, "a mapping key must be a plain value", "yaml.key-type")
            stack[-1][1] = _COMPLEX_KEY
        collection: YamlMap | YamlList
        if event.__class__ is yaml.MappingStartEvent:
            collection = YamlMap()
            collection.key_places, collection.value_places = {}, {}
            waiting: object = _KEY
        else:
            collection = YamlList()
            collection.item_places = []
            waiting = None
        collection.place = place
        stack.append([collection, waiting, event.tag in _STANDARD_TAGS or self.tag_allowed(event, place)])

    def scalar(self, event: yaml.ScalarEvent) -> None:
        mark = event.start_mark
        place = _new_place(Place, (mark.line + 1 + self.line_offset, mark.column + 1))
        allowed = event.tag in _STANDARD_TAGS or self.tag_allowed(event, place)
        stack = self.stack
        if not stack:
            self.add(_scalar(event) if allowed else None, place)
            return
        frame = stack[-1]
        waiting = frame[1]
        if waiting is _KEY:
            key = event.value
            if allowed and key != "<<" and key not in frame[0].key_places:  # the common case, without a call to key
                key = sys.intern(key)  # one string for the 100,000 'title' keys of a large bibliography, not one each
                frame[0].key_places[key] = place
                frame[1] = key
            else:
                self.key(key, event.style, place, allowed)
        elif waiting is None or waiting is _REFUSED or waiting is _COMPLEX_KEY or not allowed:
            self.add(_scalar(event) if allowed else None, place)
        else:  # the common case, a mapping's plain value, here without a call to add: millions in a bibliography
            frame[1] = _KEY
            frame[0][waiting] = _scalar(event)
            frame[0].value_places[waiting] = place

    def key(self, key: str, style: str | None, place: Place, allowed: bool) -> None:
        """A mapping key is the text as written: `1:` and `no:` are the keys '1' and 'no'."""
        frame = self.stack[-1]
        mapping = frame[0]
        frame[1] = _REFUSED
        if not allowed:
            return
        key = sys.intern(key)  # one string for the 100,000 'title' keys of a large bibliography, not one each
        if key == "<<" and not style:
            self.fail(place, "YAML merge keys ('<<') are not allowed", "yaml.alias")
        elif key in mapping.key_places:
            self.duplicate(mapping, key, place, frame)
        else:
            mapping.key_places[key] = place
            frame[1] = key

    def duplicate(self, mapping: YamlMap, key: str, place: Place, frame: list) -> None:
        first = mapping.key_places[key]
        self.fail(place, f"duplicate key '{key}' (first at line {first.line})", "yaml.duplicate-key")

    def add(self, value: object, place: Place) -> None:
        """A finished value: the document's root, a list's next item or a mapping's value."""
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        collection, waiting = frame[0], frame[1]
        if isinstance(collection, YamlList):
            collection.append(value)
            collection.item_places.append(place)
        elif waiting is _COMPLEX_KEY:  # the key that is not a plain value ended; drop its value
            frame[1] = _REFUSED
        else:
            frame[1] = _KEY
            if waiting is not _REFUSED:
                collection[waiting] = value
                collection.value_places[waiting] = place


def _scalar(event: yaml.ScalarEvent) -> object:
    text = event.value
    if event.style:  # quoted or block scalar: always a string (plain is None or "")
        return text
    if _INT.match(text):
        return int(text)
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    return text


class _EntryStreamer(_Builder):
    """A bibliography's items handed over one by one (see iter_yaml_entries)."""

    def __init__(self, path: str, line_offset: int) -> None:
        super().__init__(path, line_offset)
        self.warnings: list[Diagnostic] = []

    def open(self, event: yaml.CollectionStartEvent) -> None:
        depth = len(self.stack)
        waiting = self.stack[-1][1] if self.stack else None
        super().open(event)
        if self.entries is None and isinstance(self.stack[-1][0], YamlList) and (depth == 0 or (depth == 1 and waiting == "references")):
            self.entries = self.stack[-1][0]
            opening = super().open  # found: from here on, no detour through this method
            self.handlers[yaml.MappingStartEvent] = self.handlers[yaml.SequenceStartEvent] = opening

    def duplicate(self, mapping: YamlMap, key: str, place: Place, frame: list) -> None:
        """As pandoc: the last one counts. A warning, with both places."""
        first = mapping.key_places[key]
        self.warnings.append(warning(self.path, place.line, place.col,
                                     f"duplicate key '{key}' (first at line {first.line}): the last one is used", "yaml.duplicate-key"))
        mapping.key_places[key] = place
        frame[1] = key
