"""Our Markdown: CommonMark plus citations, footnotes, fenced divs and provenance marks.

Plugins are shaped as in mdit-py-plugins: one function per syntax, rules registered by name
relative to markdown-it's own. Inline tokens carry no position, so every rule we care about
records its offset in the inline source (`meta["offset"]`); the parser turns that into a
line and column of the draft.
"""

import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

# Deep enough for any real essay; deeper nesting is reported, never silently dropped.
MAX_NESTING = 100
# Emphasis, strikethrough and links inside one another: markdown-it sets no limit, and every
# stage after the parser walks them recursively. Real prose nests three or four.
MAX_INLINE_NESTING = 20

# --- citations --------------------------------------------------------------

# Pandoc's citation keys: a letter, digit or _ first, then internal punctuation allowed.
_KEY = r"[\w][\w.#$%&+?<>~/-]*"
_KEY_RE = re.compile(rf"(?:\{{(?P<braced>[^}}]+)\}}|(?P<key>{_KEY}))(?::(?P<quote>[\w][\w.-]*)?)?")
_TRAILING_PUNCT = ".#$%&+?<>~/-"
_EMAIL_BEFORE = re.compile(r"[A-Za-z0-9._%+-]")

LOCATOR_TERMS = {
    "book": "book", "bk": "book", "chapter": "chapter", "chap": "chapter", "ch": "chapter",
    "column": "column", "col": "column", "figure": "figure", "fig": "figure",
    "folio": "folio", "fol": "folio", "number": "number", "no": "number", "line": "line",
    "l": "line", "ll": "line", "note": "note", "n": "note", "opus": "opus", "op": "opus",
    "page": "page", "pages": "page", "p": "page", "pp": "page", "paragraph": "paragraph",
    "para": "paragraph", "¶": "paragraph", "part": "part", "pt": "part", "section": "section",
    "sec": "section", "§": "section", "sub verbo": "sub verbo", "s.v": "sub verbo",
    "verse": "verse", "v": "verse", "vv": "verse", "volume": "volume", "vol": "volume",
    "table": "table", "tab": "table",
}
_CHINESE_UNITS = {"页": "page", "章": "chapter", "节": "section", "卷": "volume", "段": "paragraph", "行": "line"}


@cache
def _locator_patterns() -> tuple[tuple[re.Pattern[str], str | None], ...]:
    """Compiled on the first locator, not at import: the terms in any case cost 1 ms to compile,
    and many essays cite passages (their page is in the bibliography), never a locator."""
    terms = "|".join(sorted((re.escape(t) for t in LOCATOR_TERMS), key=len, reverse=True))
    value = r"[\w:–—-]+(?:\s*[,&]\s*\d[\w:–—-]*)*"
    return (
        (re.compile(r"第?\s*(?P<value>\d+(?:\s*[-–—]\s*\d+)?)\s*(?P<term>[页章节卷段行])(?P<rest>.*)\Z", re.S), None),
        (re.compile(rf"(?P<term>{terms})\.?\s*(?P<value>{value})(?P<rest>.*)\Z", re.S | re.I), None),
        (re.compile(r"(?P<value>\d+(?:\s*[-–—]\s*\d+)?)(?P<rest>(?:\s*[,;].*)?)\Z", re.S), "page"),
    )

class ParsedItem(NamedTuple):
    key: str
    quote: str
    prefix: str
    locator_label: str
    locator: str
    suffix: str
    suppress_author: bool
    offset: int  # of the '@' in the inline source


class CiteSyntaxError(ValueError):
    def __init__(self, message: str, code: str, offset: int) -> None:
        super().__init__(message)
        self.code, self.offset = code, offset


def split_locator(text: str) -> tuple[str, str, str]:
    """', pp. 33–35, emphasis added' -> ('page', '33–35', 'emphasis added')."""
    text = text.strip().removeprefix(",").strip()
    if not text:  # [@key] alone
        return "", "", ""
    for pattern, label in _locator_patterns():
        match = pattern.match(text)
        if match:
            term = label or _CHINESE_UNITS.get(match.group("term")) or LOCATOR_TERMS[match.group("term").lower()]
            return term, match.group("value").strip(), match.group("rest").strip().removeprefix(",").strip()
    return "", "", text


def parse_key(src: str, at: int) -> tuple[str, str, int]:
    """Parse the key after '@' at `at`; return (key, quote id, end offset)."""
    match = _KEY_RE.match(src, at + 1)
    if not match:
        raise CiteSyntaxError("citation key is empty after '@'", "cite.empty-key", at)
    key = match.group("braced") or match.group("key")
    end = match.end()
    if match.group("key") and not match.group("quote"):
        stripped = key.rstrip(_TRAILING_PUNCT)
        end -= len(key) - len(stripped)
        key = stripped
    if match.group(0).endswith(":"):
        raise CiteSyntaxError(f"quote id is empty after '@{key}:'", "cite.empty-quote", at)
    quote = match.group("quote") or ""
    quote = quote.rstrip(".-")
    if match.group("quote"):
        end = match.start("quote") + len(quote)
    return key.strip(), quote, end


def parse_bracketed(src: str, start: int, end: int) -> list[ParsedItem] | None:
    """Items of `[see @a, p. 3; @b]` between start ('[') and end (']'), or None if not a citation."""
    items = []
    offset = start + 1
    for part in src[start + 1 : end].split(";"):
        at = part.find("@")
        if at < 0 or (at > 0 and _EMAIL_BEFORE.match(part[at - 1]) and part[at - 1] != "-"):
            return None
        suppress = at > 0 and part[at - 1] == "-"
        prefix = part[: at - 1 if suppress else at].strip()
        key, quote, key_end = parse_key(src, offset + at)
        label, locator, suffix = split_locator(src[key_end : offset + len(part)])
        items.append(ParsedItem(key, quote, prefix, label, locator, suffix, suppress, offset + at))
        offset += len(part) + 1
    return items


def cite_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    try:
        if src[pos] == "[":
            return _bracketed(state, silent)
        if src[pos] == "@":
            return _in_text(state, silent)
    except CiteSyntaxError as exc:
        if not silent:
            token = state.push("cite_error", "", 0)
            token.meta = {"message": str(exc), "code": exc.code, "offset": exc.offset}
        state.pos = _skip_past_error(src, pos, state.posMax)
        return True
    return False


def _skip_past_error(src: str, pos: int, maximum: int) -> int:
    """Skip the broken citation (to its ']', else to the end of the line) so it is reported once."""
    close = src.find("]", pos, maximum)
    if close >= 0 and "\n" not in src[pos:close]:
        return close + 1
    newline = src.find("\n", pos, maximum)
    return newline if newline > pos else maximum


def _bracketed(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src.startswith("[^", start) or silent:
        # Only a link's label is scanned silently. Seen as the brackets it is, a citation there
        # lets the link form, and its text then reports the citation inside it; taken as a
        # citation, it broke the link: "[see [@a]](url)" showed its brackets and URL as text.
        return False
    head = re.match(r"\[[^\[\]@]*?-?@", src[start : state.posMax])
    if not head:
        return False
    end = src.find("]", start, state.posMax)
    nested = src.find("[", start + 1, state.posMax)
    if end < 0 or (0 <= nested < end):
        raise CiteSyntaxError("citation is not closed: missing ']'", "cite.unclosed", start)
    if src.startswith("(", end + 1):  # "[@a][@b]" is two citations, not a reference link
        return False  # [text @x](url) is a link whose words hold an '@'
    items = parse_bracketed(src, start, end)
    if items is None:
        return False
    if not silent:
        token = state.push("cite", "", 0)
        token.meta = {"items": items, "in_text": False, "offset": start}
    state.pos = end + 1
    return True


def _in_text(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if start > 0 and _EMAIL_BEFORE.match(src[start - 1]):
        return False  # an e-mail address, not a citation
    if start + 1 >= state.posMax or not re.match(r"[\w{]", src[start + 1]):
        return False  # a lone '@' is just a character in running text
    key, quote, end = parse_key(src, start)
    label = locator = suffix = ""
    bracket = re.match(r" ?\[([^\[\]@]*)\]", src[end : state.posMax])
    if bracket and not src.startswith(("(", "["), end + bracket.end()):
        label, locator, suffix = split_locator(bracket.group(1))
        end += bracket.end()
    if not silent:
        item = ParsedItem(key, quote, "", label, locator, suffix, False, start)
        token = state.push("cite", "", 0)
        token.meta = {"items": [item], "in_text": True, "offset": start}
    state.pos = end
    return True


def cite_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "cite", cite_rule)
    md.inline.add_terminator_char("@")


# --- provenance marks -------------------------------------------------------

PROVENANCE_MARKS = {"#mine": "mine", "#llm-draft": "llm-draft", "#llm-draft/reviewed": "llm-reviewed"}


def provenance_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.is_code_block(start_line):
        return False
    line = state.src[state.bMarks[start_line] + state.tShift[start_line] : state.eMarks[start_line]].strip()
    if line not in PROVENANCE_MARKS:
        return False
    if not silent:
        token = state.push("provenance", "", 0)
        token.meta = {"mark": PROVENANCE_MARKS[line]}
        token.map = [start_line, start_line + 1]
    state.line = start_line + 1
    return True


def provenance_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("paragraph", "provenance", provenance_rule, {"alt": ["paragraph", "blockquote", "list"]})


# --- positions of inline tokens ---------------------------------------------


def record_offsets(md: MarkdownIt, rule_names: tuple[str, ...]) -> None:
    """Wrap inline rules (each pushes one token) so the token remembers where it started."""
    for name in rule_names:
        rule = md.inline.ruler.__rules__[md.inline.ruler.__find__(name)].fn
        md.inline.ruler.at(name, _with_offset(rule))


def _with_offset(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    def wrapped(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        first = count + 1 if state.pending else count  # the first push flushes pending text as a token
        matched = rule(state, silent)
        if matched and not silent and len(state.tokens) > first:
            # The rule's own (opening) token is the first it pushed: a link pushes link_open,
            # its text, then link_close.
            token = state.tokens[first]
            token.meta = {**(token.meta or {}), "offset": start}
        return matched

    return wrapped


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin, inline=False, move_to_end=False, always_match_refs=True)
    md.use(container_plugin, name="div", validate=lambda params, *_: params.strip().startswith("{"))
    md.use(cite_plugin)
    md.use(provenance_plugin)
    record_offsets(md, ("footnote_ref", "image", "link", "autolink"))
    return md
