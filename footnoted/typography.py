"""The typography pass for Chinese prose, applied to the essay's text at render time.

What a careful writer types, done for them: full-width punctuation in Chinese sentences, a
space between Chinese and Latin letters or digits, and Chinese quotation marks. It works on
the text nodes of the tree, never on the source, and never on code, URLs or quoted passages
(those are verbatim). Spacing agrees with autocorrect's rules (the tests compare).
"""

from __future__ import annotations

import re

from footnoted.tree import Blocks, Break, Code, Inline, InlineReference, Link, Styled, Text, map_inlines

CJK = "\u2e80-\u2eff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # as a regex class, for `snapshots`
_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", ".": "。"}
_HALF_WIDTH_MARK = re.compile(r"[,;:?!.]")
# Python's re compiles a character class by visiting every code point in its ranges: a CJK class
# costs 2-4 ms per pattern at every start, more than the rest of a blog build. So patterns here
# match any non-ASCII character (a 128-point class) and is_cjk() decides, in plain comparisons.
# A run of the ASCII characters that take a space where they meet Chinese. Only a run's ends
# can meet Chinese, so a text is scanned run by run, not position by position.
_LATIN_RUN = re.compile(r"[A-Za-z0-9%`$]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def is_cjk(char: str) -> bool:
    """Is the first character of `char` a Chinese character, kana or CJK radical? ("" is not)."""
    return bool(char) and (
        "\u4e00" <= char[0] <= "\u9fff" or "\u3400" <= char[0] <= "\u4dbf" or "\u3040" <= char[0] <= "\u30ff"
        or "\u2e80" <= char[0] <= "\u2eff" or "\uf900" <= char[0] <= "\ufaff"
    )


def has_cjk(text: str) -> bool:
    return not text.isascii() and any(is_cjk(match.group()) for match in _NON_ASCII.finditer(text))


def _is_wide(char: str) -> bool:
    """CJK, or CJK punctuation and full-width forms: no space is seen between two of these."""
    return is_cjk(char) or ("\u3000" <= char <= "\u303f") or ("\uff00" <= char <= "\uffef")


def typeset_text(text: str, before: str = "", after: str = "") -> str:
    """One run of prose; `before`/`after` are the neighbouring characters outside it.

    A run spaces its own start from what comes before; `after` is given only where the next
    neighbour is not prose itself (code), since prose spaces its own start.
    """
    text = _punctuation(text, before, after)
    text = _quotes(text, before)
    spaced = _spacing(before[-1:] + text + after[:1])[len(before[-1:]) :]
    return spaced[: len(spaced) - len(after[:1])] if after else spaced


def _spacing(text: str) -> str:
    """A space between Chinese and Latin letters or digits (and code and $ after, % before Chinese)."""
    if text.isascii():
        return text
    pieces, start = [], 0
    for run in _LATIN_RUN.finditer(text):
        at, end = run.span()
        if at and text[at] != "%" and is_cjk(text[at - 1]):  # Chinese, then the run
            pieces += [text[start:at], " "]
            start = at
        if end < len(text) and text[end - 1] != "$" and is_cjk(text[end]):  # the run, then Chinese
            pieces += [text[start:end], " "]
            start = end
    return "".join(pieces) + text[start:] if pieces else text


def _neighbours(text: str, index: int, before: str, after: str) -> tuple[str, str]:
    left = text[index - 1] if index > 0 else before[-1:]
    right = text[index + 1] if index + 1 < len(text) else after[:1]
    return left, right


_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _verbatim(text: str) -> set[int]:
    """Where URLs and e-mail addresses stand: their dots and colons stay as typed. A URL runs
    to a space or a Chinese character or punctuation mark."""
    where = {i for match in _EMAIL.finditer(text) for i in range(match.start(), match.end())}
    end = 0
    for scheme in _URL_SCHEME.finditer(text):
        if scheme.start() < end:
            continue  # a "://" inside the URL before: each character is looked at once
        end = scheme.end()
        while end < len(text) and not text[end].isspace() and not _is_wide(text[end]):
            end += 1
        if end > scheme.end():
            where.update(range(scheme.start(), end))
    return where


def _punctuation(text: str, before: str, after: str) -> str:
    marks = [m.start() for m in _HALF_WIDTH_MARK.finditer(text)]
    if not marks:
        return _full_width_parentheses(text)
    chars = list(text)
    verbatim = _verbatim(text) if "@" in text or "://" in text else set()
    for index in marks:
        char = text[index]
        if index not in verbatim:
            left, right = _neighbours(text, index, before, after)
            if char == "." and not (is_cjk(left) and (not right or right.isspace() or is_cjk(right))):
                continue
            if char == ":" and text.startswith("//", index + 1):
                continue
            # A mark right after Chinese, or one glued between a Chinese clause and what follows.
            glued = right and not right.isspace() and not (left.isdigit() and right.isdigit())
            if is_cjk(left) or (glued and (is_cjk(right) or _chinese_before(text, index, before))):
                chars[index] = _FULL[char]
                if index + 1 < len(chars) and chars[index + 1] == " ":
                    chars[index + 1] = ""
    return _full_width_parentheses("".join(chars))


def _full_width_parentheses(text: str) -> str:
    """Parentheses around Chinese words are full-width; around Latin words they stay."""
    if "(" not in text:
        return text
    return _PARENTHESES.sub(lambda m: f"（{m.group(1)}）" if has_cjk(m.group(1)) else m.group(0), text)


_PARENTHESES = re.compile(r"\(([^()]*)\)")
_LATIN_CLAUSE_END = re.compile(r"[,.;:!?] ")
_ASCII = "".join(map(chr, range(128)))  # for str.rstrip: every ASCII character


def _chinese_before(text: str, index: int, before: str) -> bool:
    """Is the clause before text[index] Chinese? (looks back past Latin words to a CJK char)."""
    head = rest = (before + text[:index])[-200:]
    while rest := rest.rstrip(_ASCII):  # ASCII is neither Chinese nor a Chinese clause's end
        if rest[-1] in "，。；：":
            return False
        if is_cjk(rest[-1]):
            return not _LATIN_CLAUSE_END.search(head, len(rest) - 1)
        rest = rest[:-1]
    return False


def _quotes(text: str, before: str) -> str:
    """Straight double quotes in Chinese prose become “ ”."""
    if '"' not in text or not (has_cjk(text) or is_cjk(before[-1:])):
        return text
    out, opening = [], True
    for char in text:
        if char == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(char)
    return "".join(out)


# A Latin word's letters (an apostrophe or a hyphen inside it too), at a cut's end and after it
_LATIN_WORD_END = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*$")
_LATIN_WORD_GOES_ON = re.compile(r"[A-Za-z0-9'\u2019-]")


def clipped(text: str, limit: int) -> str:
    """The text, or as much of it as `limit` characters hold with an ellipsis, never cut inside a
    Latin word (`rock’…`): the cut goes back to the word's start."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if _LATIN_WORD_END.search(cut) and _LATIN_WORD_GOES_ON.match(text, limit - 1):
        cut = _LATIN_WORD_END.sub("", cut) or cut
    return cut.rstrip() + "…"


# --- over the tree ---------------------------------------------------------------


def typeset_blocks(blocks: Blocks) -> Blocks:
    return map_inlines(blocks, lambda nodes, _block: typeset_inlines(nodes))


def typeset_inlines(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Typeset each text node with its neighbours' characters as context."""
    flat = _flatten(nodes)
    # One pass each way finds every node's neighbours: a paragraph may hold thousands of notes.
    befores, last = [], ""
    for node in flat:
        befores.append(last)
        last = _edge(node, last=True) or last
    followings: list[Inline | None] = []
    upcoming: Inline | None = None
    for node in reversed(flat):
        followings.append(upcoming)
        if _edge(node, last=False):
            upcoming = node
    followings.reverse()
    contexts = {}
    for position, node in enumerate(flat):
        if isinstance(node, (Text, Break)):
            before, following = befores[position], followings[position]
            after = _edge(following, last=False) if following is not None else ""
            if isinstance(node, Text) and not isinstance(following, (Code, InlineReference)):
                after = ""  # the next text node spaces its own start
            contexts[id(node)] = (before, after)
    return _rebuild(nodes, contexts)


def _flatten(nodes: tuple[Inline, ...]) -> list[Inline]:
    result: list[Inline] = []
    for node in nodes:
        if isinstance(node, (Styled, Link)):
            result.extend(_flatten(node.children))
        else:
            result.append(node)
    return result


def _edge(node: Inline, last: bool) -> str:
    if isinstance(node, (Text, Code)):
        return node.text[-1:] if last else node.text[:1]
    if isinstance(node, InlineReference) and node.runs:
        return node.runs[-1].text[-1:] if last else node.runs[0].text[:1]
    if isinstance(node, Break):
        return " "
    return ""


def _rebuild(nodes: tuple[Inline, ...], contexts: dict) -> tuple[Inline, ...]:
    result: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            before, after = contexts[id(node)]
            result.append(Text(typeset_text(node.text, before, after)))
        elif isinstance(node, Break) and not node.hard:
            before, after = contexts[id(node)]
            # A line break inside a Chinese sentence is no space: browsers would show one.
            if not (_is_wide(before) and _is_wide(after)):
                result.append(node)
        elif isinstance(node, (Styled, Link)):
            result.append(node._replace(children=_rebuild(node.children, contexts)))
        else:
            result.append(node)
    return tuple(result)
