"""Locators: where in a source a citation points ("chap. 3", "pp. 33–35"), split off its suffix as
pandoc's citeproc splits it (pandoc 2.17, Text.Pandoc.Citeproc.Locator), and named back in words.

The suffix is cut into tokens: words, single punctuation marks (but ':'), spaces, and whole
Markdown pieces (emphasis, code, links). A label is the longest run of tokens that is one of the
English locale's terms, whole (`passim` is no "p." and `pace` no "p."); a value is one or more
words that hold a digit or a roman numeral, joined by ',' or ';' (`VIII, 89` after no label is no
locator: a page needs an arabic digit). `{…}` forces a locator: `{p. a}`, `{35-89, 102}`.
Whatever follows the locator stays the suffix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import NamedTuple

from footnoted.tree import Break, Inline, Text, plain_text

# CSL's English locale (locales-en-US.xml): each locator term, long and short, single and
# multiple, then its symbol forms. pandoc 2.17 looks these up whole and case-folded. Its own copy
# of the locale lacks three that newer locales have, so they are no terms here either: chapter's
# symbol ("c.", "cc."), the long "issue"/"issues", and sub verbo ("s.v."), whose name pandoc spells
# "sub verbo" where the locale has "sub-verbo".
_TERMS: dict[str, tuple[str, ...]] = {
    "book": ("book", "books", "bk.", "bks."),
    "chapter": ("chapter", "chapters", "chap.", "chaps."),
    "column": ("column", "columns", "col.", "cols."),
    "figure": ("figure", "figures", "fig.", "figs."),
    "folio": ("folio", "folios", "fol.", "fols."),
    "issue": ("", "", "no.", "nos."),
    "line": ("line", "lines", "l.", "ll."),
    "note": ("note", "notes", "n.", "nn."),
    "opus": ("opus", "opera", "op.", "opp."),
    "page": ("page", "pages", "p.", "pp."),
    "paragraph": ("paragraph", "paragraphs", "para.", "paras.", "¶", "¶¶"),
    "part": ("part", "parts", "pt.", "pts."),
    "section": ("section", "sections", "sec.", "secs.", "§", "§§"),
    "verse": ("verse", "verses", "v.", "vv."),
    "volume": ("volume", "volumes", "vol.", "vols."),
}
TERM_OF: dict[str, str] = {form: name for name, forms in _TERMS.items() for form in forms if form}
_LONGEST_TERM = max(map(len, TERM_OF))
_ROMAN = re.compile(r"M*(?:CM)?D?(?:CD)?C*(?:XC)?L?(?:XL)?X*(?:IX)?V?(?:IV)?I*")
_BRACES = (("{", "}"), ("[", "]"), ("(", ")"))  # tried in this order, as pandoc folds its list
# A suffix's text in pieces: TeX math ($…$, as pandoc reads it), spaces, single marks, words.
_PIECES = re.compile(r"\$(?=\S)[^$]*?(?<=\S)\$(?!\d)|\s+|[^\s\w:]|[\w:]+")
_CHINESE_UNITS = {"页": "page", "章": "chapter", "节": "section", "卷": "volume", "段": "paragraph", "行": "line"}
_CHINESE = re.compile(r"\s*,?\s*第?\s*(?P<value>\d+(?:\s*[-–—]\s*\d+)?)\s*(?P<unit>[页章节卷段行])")
_PLURAL = re.compile(r"[-–—,&]|\band\b|\d\s+\d")


class Locator(NamedTuple):
    label: str  # a CSL locator type: "page", "chapter", …; "" when there is none
    value: str
    suffix: tuple[Inline, ...]  # what the suffix keeps


def short_label(label: str, value: str) -> str:
    """The term before a locator's value, in its short form: 'chap.', 'chaps.' (several), 'no.'."""
    forms = _TERMS.get(label)
    if not forms:
        return label
    return forms[3] if _PLURAL.search(value) else forms[2]


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


class _Token(NamedTuple):
    text: str  # as pandoc's stringify gives it
    kind: str  # "str", "space" or "node"
    node: Inline | None = None


def _tokens(nodes: Sequence[Inline]) -> list[_Token]:
    """pandoc's splitInp: words, each punctuation mark but ':' alone, one token per run of spaces."""
    tokens: list[_Token] = []
    for node in nodes:
        if isinstance(node, Break):
            tokens.append(_Token(" ", "space"))
        elif not isinstance(node, Text):
            tokens.append(_Token(plain_text((node,)), "node", node))
        else:
            for piece in _PIECES.findall(node.text):
                if piece.startswith("$") and len(piece) > 2:
                    tokens.append(_Token(piece, "math"))  # TeX math: never a locator
                elif piece.isspace():
                    tokens.append(_Token(" ", "space"))
                elif len(piece) == 1 and _is_punctuation(piece) and piece != ":":
                    tokens.append(_Token(piece, "str"))
                elif tokens and tokens[-1].kind == "str" and not tokens[-1].text.isspace() and not _split_after(tokens[-1].text):
                    tokens[-1] = _Token(tokens[-1].text + piece, "str")  # a symbol ('+', '$') is part of a word
                else:
                    tokens.append(_Token(piece, "str"))
    return tokens


def _split_after(text: str) -> bool:
    """A token that is one punctuation mark stands alone: nothing joins it."""
    return len(text) == 1 and _is_punctuation(text) and text != ":"


def _nodes(tokens: Sequence[_Token]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for token in tokens:
        if token.node is not None:
            out.append(token.node)
        elif out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + token.text)
        else:
            out.append(Text(token.text))
    return tuple(out)


_Result = tuple[bool, str, int]  # (has digits or roman numerals, text, position after)


class _Parser:
    """pandoc's locator parser, on positions: each method returns None where pandoc's fails."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens

    def char(self, at: int, test: Callable[[str], bool]) -> bool:
        if at >= len(self.tokens):
            return False
        token = self.tokens[at]
        return token.kind == "str" and len(token.text) == 1 and test(token.text)

    def space(self, at: int) -> bool:
        return at < len(self.tokens) and (self.tokens[at].kind == "space" or self.tokens[at].text == "\u00a0")

    def words(self) -> tuple[str, str, int] | None:
        at = 0
        if self.char(at, lambda c: c == ","):
            at += 1
        if self.space(at):
            at += 1
        return self.delimited(at) or self.integrated(at)

    def delimited(self, at: int) -> tuple[str, str, int] | None:
        if not self.char(at, lambda c: c == "{"):
            return None
        at += 1
        while self.space(at):
            at += 1
        found = self.label(at, lambda pos: pos < len(self.tokens))
        label = "page"
        if found:
            label, at = found
        parts = []
        while (inner := self.balanced(at, _BRACES[:2], self.any_token)) is not None:
            parts.append(inner[1])
            at = inner[2]
        if not self.char(at, lambda c: c == "}"):
            return None
        return label, "".join(parts), at + 1

    def integrated(self, at: int) -> tuple[str, str, int] | None:
        found = self.label(at, lambda pos: self.roman_or_digits(self.word(pos, True)) is not None)
        if found:
            label, at = found
            check: Callable[[_Result | None], _Result | None] = self.roman_or_digits
        elif self.digits(self.word(at, True)):
            label, check = "page", self.digits
        else:
            return None
        first = check(self.word(at, found is not None))
        if first is None:
            return None
        parts, at = [first[1]], first[2]
        while (more := check(self.word(at, False))) is not None:
            parts.append(more[1])
            at = more[2]
        return label, "".join(parts), at

    def label(self, at: int, limit: Callable[[int], bool]) -> tuple[str, int] | None:
        """The longest run of tokens that is a term, ending where `limit` holds."""
        text, best = "", None
        while at < len(self.tokens):
            end = at + 1
            while not limit(end):
                if end >= len(self.tokens):
                    return best
                end += 1
            text += "".join(t.text for t in self.tokens[at:end])
            key = text.strip().casefold()
            if len(key) > _LONGEST_TERM:
                break
            if key in TERM_OF:
                best = (TERM_OF[key], end)
            at = end
        return best

    @staticmethod
    def digits(result: _Result | None) -> _Result | None:
        return result if result and any(c in "0123456789" for c in result[1]) else None

    @staticmethod
    def roman_or_digits(result: _Result | None) -> _Result | None:
        return result if result and result[0] else None

    def word(self, at: int, first: bool) -> _Result | None:
        punct = ""
        if not first and self.char(at, lambda c: c in ",;"):
            punct, at = self.tokens[at].text, at + 1
        space = ""
        if self.space(at):
            space, at = " ", at + 1
        found = self.balanced(at, _BRACES, self.page_sequence)
        return (found[0], punct + space + found[1], found[2]) if found else None

    def balanced(self, at: int, braces: Sequence[tuple[str, str]], inner: Callable[[int], _Result | None]) -> _Result | None:
        marks = {c for pair in braces for c in pair}

        def bare(pos: int) -> _Result | None:
            return None if self.char(pos, lambda c: c in marks) else inner(pos)

        def surround(pos: int) -> _Result | None:
            for open_, close in braces:
                if self.char(pos, lambda c, o=open_: c == o):
                    middle = bare(pos + 1) or (False, "", pos + 1)
                    if self.char(middle[2], lambda c, e=close: c == e):
                        return middle[0], open_ + middle[1] + close, middle[2] + 1
            return bare(pos)

        parts: list[_Result] = []
        while (found := surround(at)) is not None:
            parts.append(found)
            at = found[2]
        if not parts:
            return None
        return any(p[0] for p in parts), "".join(p[1] for p in parts), at

    def any_token(self, at: int) -> _Result | None:
        return (True, self.tokens[at].text, at + 1) if at < len(self.tokens) else None

    def page_sequence(self, at: int) -> _Result | None:
        """1, 1.2, 1.2.3 (a trailing '.' stays out)."""
        found = self.page_unit(at)
        if found is None:
            return self.with_period(at)
        parts = [found]
        while (more := self.with_period(parts[-1][2])) is not None:
            parts.append(more)
        return any(p[0] for p in parts), "".join(p[1] for p in parts), parts[-1][2]

    def with_period(self, at: int) -> _Result | None:
        if not self.char(at, lambda c: c == "."):
            return None
        unit = self.page_unit(at + 1)
        return (unit[0], "." + unit[1], unit[2]) if unit else None

    def page_unit(self, at: int) -> _Result | None:
        if at < len(self.tokens):
            token = self.tokens[at]
            if token.kind == "str" and token.text and _ROMAN.fullmatch(token.text.upper()):
                return True, token.text, at + 1
        end = at
        while (end < len(self.tokens) and not self.space(end) and not self.char(end, _locator_punctuation)
               and self.tokens[end].kind != "math"):
            end += 1
        if end == at:
            return None
        text = "".join(t.text for t in self.tokens[at:end])
        return any(c in "0123456789" for c in text), text, end


def _locator_punctuation(char: str) -> bool:
    return char not in "-–:" and _is_punctuation(char)


def _maybe_add_comma(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A suffix with no locator is set off by a comma, unless it starts with a space or a mark."""
    if not nodes:
        return nodes
    first = plain_text(nodes[:1])
    if not first or first[0].isspace() or _is_punctuation(first[0]):
        return nodes
    return (Text(", "), *nodes)


_NONE = Locator("", "", ())


def split_locator(suffix: Sequence[Inline]) -> Locator:
    """', pp. 33–35, emphasis added' -> Locator('page', '33–35', (Text(', emphasis added'),))."""
    nodes = tuple(suffix)
    if not nodes:
        return _NONE
    tokens = _tokens(nodes)
    found = _Parser(tokens).words()
    if found is None:
        chinese = _CHINESE.match(nodes[0].text) if nodes and isinstance(nodes[0], Text) else None
        if chinese:  # our own: "第 7 页", "第 3 章" (pandoc's English terms know none)
            rest = (Text(nodes[0].text[chinese.end() :]), *nodes[1:]) if chinese.end() < len(nodes[0].text) else nodes[1:]
            return Locator(_CHINESE_UNITS[chinese.group("unit")], chinese.group("value"), rest)
        return Locator("", "", _maybe_add_comma(nodes))
    label, value, at = found
    rest = _nodes(tokens[at:])
    if not label and not value:
        return Locator("", "", _maybe_add_comma(rest))
    return Locator(label, value.strip().replace("--", "–"), rest)
