"""YAML read strictly: no aliases, no duplicate keys, no silent type changes.

PyYAML follows YAML 1.1, where `00:23:57` is the integer 1437, `2302.13971` a float and `no`
False. In a bibliography those are a timestamp, an arXiv id and a word, so every scalar stays
the string it was written as, except plain decimal integers, `true`/`false` and `null`.
Aliases are refused outright (an alias bomb expands to gigabytes); duplicate keys, which
PyYAML silently resolves to the last one, are errors. Every mapping and list remembers where
its keys and items stand, so later stages can point at the exact line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from footnoted.diagnostics import InputError, error

try:  # libyaml is much faster on a large bibliography; fall back to pure Python
    _Loader: type = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.BaseLoader

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_STANDARD_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass(frozen=True)
class Place:
    line: int  # 1-based
    col: int  # 1-based


class YamlMap(dict):  # type: ignore[type-arg]
    """A mapping that knows where it and each of its keys and values stand."""

    place: Place
    key_places: dict[str, Place]
    value_places: dict[str, Place]


class YamlList(list):  # type: ignore[type-arg]
    place: Place
    item_places: list[Place]


def _place(node: yaml.Node, line_offset: int) -> Place:
    return Place(node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


def load_yaml(text: str, path: str, line_offset: int = 0) -> object:
    """Parse one YAML document; raise InputError with every problem found."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else 0
        col = mark.column + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError([error(path, line, col, f"YAML syntax: {problem}", "yaml.syntax")]) from None
    except yaml.YAMLError as exc:
        raise InputError([error(path, 0, 0, f"YAML: {exc}", "yaml.syntax")]) from None
    if root is None:
        return None
    converter = _Converter(path, line_offset)
    value = converter.convert(root)
    if converter.problems:
        raise InputError(converter.problems)
    return value


class _Converter:
    def __init__(self, path: str, line_offset: int) -> None:
        self.path = path
        self.line_offset = line_offset
        self.seen: set[int] = set()
        self.problems: list = []

    def fail(self, node: yaml.Node, message: str, code: str) -> None:
        place = _place(node, self.line_offset)
        self.problems.append(error(self.path, place.line, place.col, message, code))

    def convert(self, node: yaml.Node) -> object:
        # A node met twice is an alias: the composer shares the anchored node.
        if id(node) in self.seen:
            self.fail(node, "YAML anchors and aliases are not allowed", "yaml.alias")
            return None
        self.seen.add(id(node))
        if node.tag.startswith("!") or (node.tag.startswith("tag:") and node.tag not in _STANDARD_TAGS):
            self.fail(node, f"YAML tag '{node.tag}' is not allowed", "yaml.tag")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node)
        if isinstance(node, yaml.SequenceNode):
            items = YamlList(self.convert(item) for item in node.value)
            items.place = _place(node, self.line_offset)
            items.item_places = [_place(item, self.line_offset) for item in node.value]
            return items
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode) -> YamlMap:
        result = YamlMap()
        result.place = _place(node, self.line_offset)
        result.key_places, result.value_places = {}, {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "a mapping key must be a plain value", "yaml.key-type")
                continue
            if key_node.value == "<<" and key_node.style is None:
                self.fail(key_node, "YAML merge keys ('<<') are not allowed", "yaml.alias")
                continue
            key = key_node.value
            if key in result:
                first = result.key_places[key]
                self.fail(key_node, f"duplicate key '{key}' (first at line {first.line})", "yaml.duplicate-key")
                continue
            result[key] = self.convert(value_node)
            result.key_places[key] = _place(key_node, self.line_offset)
            result.value_places[key] = _place(value_node, self.line_offset)
        return result

    @staticmethod
    def scalar(node: yaml.ScalarNode) -> object:
        text = node.value
        if node.style:  # quoted or block scalar: always a string (plain is None or "")
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
