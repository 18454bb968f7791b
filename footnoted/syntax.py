"""Our Markdown: CommonMark plus citations, footnotes, fenced divs and provenance marks.

Plugins are shaped as in mdit-py-plugins: one function per syntax, rules registered by name
relative to markdown-it's own. Inline tokens carry no position, so every rule we care about
records its offset in the inline source (`meta["offset"]`); the parser turns that into a
line and column of the draft.
"""

import re
from collections.abc import Callable
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

# Deep enough for any real essay; deeper nesting is reported, never silently dropped.
MAX_NESTING = 100
# Emphasis, strikethrough and links inside one another: markdown-it sets no limit, and every
# stage after the parser walks them recursively. Real prose nests three or four.
MAX_INLINE_NESTING = 20

# --- citations --------------------------------------------------------------
#
# Pandoc's grammar (its Markdown reader, 2.17): `[prefix @key suffix; …]`, `@key`, `@key [suffix]`,
# `@key [suffix; @more]` and `@key [@more]`, keys with internal punctuation or braced (`@{…}`),
# `-@key` for a citation without the author's name (in brackets and, as later pandoc, outside).
# Prefixes and suffixes are Markdown: the rule parses them as inlines in place, so their tokens
# keep their offsets in the source. The key is kept as written: whether `@a:b` is the key 'a:b'
# or the quote 'b' of the key 'a' only the bibliography can tell (footnoted.resolve decides).

# Between two key characters a key may hold these; "//" after ':' or '/' lets a URL be a key.
_KEY_PUNCT = frozenset(":.#$%&-+?<>~/")
# '@' after these is an e-mail address or a handle, not a citation (ASCII only: Chinese text may
# stand against a citation with no space).
_EMAIL_BEFORE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+")
_QUOTE_ID = re.compile(r"[\w][\w.-]*")
_IN_CITE = "footnoted.in_cite"  # env flag: a citation's prefix or suffix holds no citation
# A bracketed citation's start: '[', a prefix without brackets, then '@' (or `[@]`, an empty key).
_HEAD = re.compile(r"\[[^\[\]@]*?-?@(\]|;|\{\}|\Z)?")
_RUNS = {char: re.compile(re.escape(char) + "+") for char in "`*_"}
_BRACKETS = re.compile(r"[\[\]\\]")
# Where a prefix or suffix may end, or an inline unit begin: everything else is skipped at once.
_PREFIX_STOP = re.compile(r"[\];@\\`$\[*_<-]")
_SUFFIX_STOP = re.compile(r"[;\]\\`$\[*_<]")
# A citation's brackets hold a few words: past this many characters, a '[' opens none (and a
# hostile paragraph of unclosed brackets costs no more than this for each).
MAX_CITATION_CHARS = 5000
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*|[A-Za-z/][^<>]*)>")


class ParsedItem(NamedTuple):
    key: str  # as written, without braces: 'a:b' may still be key 'a' with quote 'b'
    quote: str  # named explicitly, `@{key}:quote`; else ""
    braced: bool  # `@{…}`: the whole is the key, never split at ':'
    suppress_author: bool
    prefix: list  # inline tokens (markdown-it), in place in the source
    suffix: list
    suffix_spaced: bool  # the suffix was written after a space: `[@a p. 3]`, not `[@a, p. 3]`
    offset: int  # of the '@' (or the '-' before it) in the inline source


class CiteSyntaxError(ValueError):
    def __init__(self, message: str, code: str, offset: int) -> None:
        super().__init__(message)
        self.code, self.offset = code, offset


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def scan_key(src: str, at: int, end: int) -> tuple[str, str, bool, int] | None:
    """The key after '@' at `at`: (key, explicit quote, braced, end offset), or None."""
    pos = at + 1
    if pos < end and src[pos] == "{":
        depth, index = 0, pos
        while index < end:
            char = src[index]
            if char.isspace():
                return None
            depth += (char == "{") - (char == "}")
            if depth == 0:
                break
            index += 1
        else:
            return None
        key, stop = src[pos + 1 : index], index + 1
        if not key:
            raise CiteSyntaxError("citation key is empty after '@'", "cite.empty-key", at)
        quote = ""
        if stop + 1 < end and src[stop] == ":" and (match := _QUOTE_ID.match(src, stop + 1, end)):
            quote = match.group().rstrip(".-")
            stop = stop + 1 + len(quote)
        return key, quote, True, stop
    if pos >= end or not _word(src[pos]):
        return None
    index = pos + 1
    while index < end:
        char = src[index]
        if _word(char):
            index += 1
        elif char in _KEY_PUNCT and index + 1 < end and _word(src[index + 1]):
            index += 2
        elif char in ":/" and index + 1 < end and src[index + 1] == "/":
            index += 1
        else:
            break
    if index + 1 < end and src[index] == ":" and src[index + 1] in "];":  # `[@key:]`: a quote id was meant
        raise CiteSyntaxError(f"quote id is empty after '@{src[pos:index]}:'", "cite.empty-quote", at)
    return src[pos:index], "", False, index


def _key_at(src: str, pos: int, end: int) -> bool:
    """Does a citation key (`@key`, `-@key`) start at `pos`, where pandoc allows one?"""
    if src.startswith("-@", pos, end):
        pos += 1
    elif not src.startswith("@", pos, end):
        return False
    if pos > 0 and src[pos - 1] in _EMAIL_BEFORE:
        return False
    return scan_key(src, pos, end) is not None


def _skip_unit(src: str, pos: int, end: int) -> int:
    """Past one inline unit at `pos`: an escape, a code span, math, a bracketed group, an emphasis,
    an autolink or tag, else one character. A ';' or ']' inside a unit does not end a citation."""
    char = src[pos]
    if char == "\\" and pos + 1 < end:
        return pos + 2
    if char in "`*_":
        run = _RUNS[char].match(src, pos, end).end() - pos  # type: ignore[union-attr]
        if char == "`":
            close = src.find("`" * run, pos + run, end)
            while close >= 0 and src.startswith("`", close + run, end):  # a longer run closes nothing
                close = src.find("`" * run, _RUNS["`"].match(src, close, end).end(), end)  # type: ignore[union-attr]
            return close + run if close >= 0 else pos + run
        if pos + run < end and not src[pos + run].isspace():
            close = src.find(char * run, pos + run, end)
            if close > 0 and not src[close - 1].isspace():
                return close + run
        return pos + run
    if char == "$" and pos + 1 < end and not src[pos + 1].isspace():
        close = src.find("$", pos + 1, end)
        return close + 1 if close > 0 and not src[close - 1].isspace() else pos + 1
    if char == "[":  # to its matching ']', counted (no recursion: brackets may nest deep)
        depth, index = 0, pos
        while (found := _BRACKETS.search(src, index, end)) is not None:
            index = found.start()
            if src[index] == "\\":
                index += 2
                continue
            depth += 1 if src[index] == "[" else -1
            index += 1
            if depth == 0:
                return index
        return pos + 1
    if char == "<" and (match := _AUTOLINK.match(src, pos, end)):
        return match.end()
    return pos + 1


def _skip_spnl(src: str, pos: int, end: int) -> int:
    """Spaces, and at most one line end among them (pandoc's spnl)."""
    while pos < end and src[pos] in " \t":
        pos += 1
    if pos < end and src[pos] == "\n":
        pos += 1
        while pos < end and src[pos] in " \t":
            pos += 1
    return pos


class _Span(NamedTuple):
    start: int
    end: int


class _RawItem(NamedTuple):
    key: str
    quote: str
    braced: bool
    suppress_author: bool
    prefix: _Span
    suffix: _Span
    suffix_spaced: bool
    offset: int


def _suffix_end(src: str, pos: int, end: int) -> int:
    while (found := _SUFFIX_STOP.search(src, pos, end)) is not None:
        pos = found.start()
        if src[pos] in ";]":
            return pos
        pos = _skip_unit(src, pos, end)
    return end


def _citation(src: str, pos: int, end: int) -> tuple[_RawItem, int] | None:
    """`prefix @key suffix` from `pos`; None when a ']' comes before a key."""
    start = pos
    while True:
        found = _PREFIX_STOP.search(src, pos, end)
        if found is None:
            return None
        pos = found.start()
        if _key_at(src, pos, end):
            break
        if src[pos] == "]" or (src[pos] == ";" and _key_at(src, _skip_spnl(src, pos + 1, end), end)):
            return None  # "[p. 33; @b]" is no prefix "p. 33;": after `@a` it is a's suffix
        pos = _skip_unit(src, pos, end)
    suppress = src[pos] == "-"
    at = pos + suppress
    key, quote, braced, key_end = scan_key(src, at, end)  # type: ignore[misc]
    stop = _suffix_end(src, key_end, end)
    spaced = key_end < stop and src[key_end].isspace()
    item = _RawItem(key, quote, braced, suppress, _Span(start, pos), _Span(key_end, stop), spaced, pos)
    return item, stop


def _citations(src: str, pos: int, end: int) -> tuple[list[_RawItem], int] | None:
    """pandoc's citeList: citations separated by ';'. Returns them and where the list stops."""
    items = []
    while True:
        found = _citation(src, pos, end)
        if found is None:
            return None
        item, pos = found
        items.append(item)
        if pos < end and src[pos] == ";":
            pos = _skip_spnl(src, pos + 1, end)
            continue
        return items, pos


def _normal_cite(src: str, start: int, end: int) -> tuple[list[_RawItem], int] | None:
    """`[…]` at `start`: its citations and the offset past ']', or None."""
    end = min(end, start + MAX_CITATION_CHARS)
    found = _citations(src, _skip_spnl(src, start + 1, end), end)
    if found is None:
        return None
    items, pos = found
    pos = _skip_spnl(src, pos, end)
    if pos < end and src[pos] == "]":
        return items, pos + 1
    return None


def _bare_locator(src: str, start: int, end: int) -> tuple[_Span, bool, list[_RawItem], int] | None:
    """`[p. 33]` or `[p. 33; @b]` after an in-text key: (its suffix, spaced, more items, past ']')."""
    if start >= end or src[start] != "[" or src.startswith("[^", start):
        return None
    end = min(end, start + MAX_CITATION_CHARS)
    stop = _suffix_end(src, start + 1, end)
    more: list[_RawItem] = []
    pos = stop
    if pos < end and src[pos] == ";":
        found = _citations(src, _skip_spnl(src, pos + 1, end), end)
        if found is None:
            return None
        more, pos = found
    pos = _skip_spnl(src, pos, end)
    if pos >= end or src[pos] != "]" or (pos + 1 < end and src[pos + 1] in "[("):
        return None
    spaced = start + 1 < stop and src[start + 1].isspace()
    return _Span(start + 1, stop), spaced, more, pos + 1


def _inline_tokens(state: StateInline, span: _Span, trim: bool = True) -> list:
    """The Markdown of a prefix or suffix, parsed in place: its tokens keep their source offsets."""
    start, end = span
    if trim:
        while start < end and state.src[start].isspace():
            start += 1
        while end > start and state.src[end - 1].isspace():
            end -= 1
    if start >= end:
        return []
    tokens: list = []
    # Parsed as a string of its own (markdown-it's text rule reads past posMax to the next
    # terminator); the offsets our rules record are then moved back to the draft's.
    nested = StateInline(state.src[start:end], state.md, state.env, tokens)
    state.env[_IN_CITE] = True
    try:
        state.md.inline.tokenize(nested)
        for rule in state.md.inline.ruler2.getRules(""):
            rule(nested)
    finally:
        state.env[_IN_CITE] = False
    for token in tokens:
        if token.type == "text_special":  # an escape: markdown-it's core joins these into text later
            token.type = "text"
        if token.meta and "offset" in token.meta:
            token.meta = {**token.meta, "offset": token.meta["offset"] + start}
    return tokens


def _parsed(state: StateInline, raw: _RawItem) -> ParsedItem:
    return ParsedItem(raw.key, raw.quote, raw.braced, raw.suppress_author, _inline_tokens(state, raw.prefix),
                      _inline_tokens(state, raw.suffix), raw.suffix_spaced, raw.offset)


def cite_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if state.env.get(_IN_CITE):
        return False
    try:
        if src[pos] == "[":
            return _bracketed(state, silent)
        if src[pos] in "@-":
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
    src, start, end = state.src, state.pos, state.posMax
    if src.startswith("[^", start) or silent:
        # Only a link's label is scanned silently. Seen as the brackets it is, a citation there
        # lets the link form, and its text then reports the citation inside it; taken as a
        # citation, it broke the link: "[see [@a]](url)" showed its brackets and URL as text.
        return False
    head = _HEAD.match(src, start, end)
    if head is None:
        # No '@' before a bracket: no citation (pandoc allows "[see [x] @a]"; we do not look so far).
        return False
    if head.group(1) is not None:  # `[@]`: a key was meant
        raise CiteSyntaxError("citation key is empty after '@'", "cite.empty-key", head.start(1) - 1)
    if start > 0 and src[start - 1] == "!":
        return False  # "Wow![@a]": pandoc reads the brackets as an image's that failed, the key in text
    found = _normal_cite(src, start, end)
    if found is None:
        if src.find("]", start, end) < 0:
            raise CiteSyntaxError("citation is not closed: missing ']'", "cite.unclosed", start)
        return False
    items, stop = found
    if src.startswith(("(", "{"), stop):  # "[@a][@b]" is two citations, not a reference link
        return False  # [text @x](url) is a link whose words hold an '@'; [@a]{.c} is a span
    token = state.push("cite", "", 0)
    token.meta = {"items": [_parsed(state, item) for item in items], "in_text": False, "offset": start}
    state.pos = stop
    return True


def _in_text(state: StateInline, silent: bool) -> bool:
    src, start, end = state.src, state.pos, state.posMax
    suppress = src[start] == "-"
    at = start + suppress
    if not src.startswith("@", at) or (at > 0 and src[at - 1] in _EMAIL_BEFORE):
        return False  # an e-mail address, or a '-' that is only a '-'
    if suppress and start > 0 and _word(src[start - 1]):
        return False  # "x-@a": the '-' belongs to the word; the '@' is tried next, on its own
    if at + 1 < end and src[at + 1] == "{" and src.startswith("{}", at + 1):
        raise CiteSyntaxError("citation key is empty after '@'", "cite.empty-key", at)
    scanned = scan_key(src, at, end)
    if scanned is None:
        return False  # a lone '@' is just a character in running text
    if silent:
        return False
    key, quote, braced, stop = scanned
    if key in state.env.get(_EXAMPLES, ()):
        return False
    first = _RawItem(key, quote, braced, suppress, _Span(at, at), _Span(stop, stop), False, start)
    items = [first]
    after = _skip_spnl(src, stop, end)
    more = _normal_cite(src, after, end) if src.startswith("[", after) and not src.startswith("[^", after) else None
    bare = None if more else _bare_locator(src, after, end)
    if more and not src.startswith(("(", "["), more[1]):
        items += more[0]
        stop = more[1]
    elif bare:
        suffix, spaced, rest, stop = bare
        items = [first._replace(suffix=suffix, suffix_spaced=spaced), *rest]
    token = state.push("cite", "", 0)
    # `-@key` is a citation whose note leaves out the author: the sentence does not name them.
    token.meta = {"items": [_parsed(state, item) for item in items], "in_text": not suppress, "offset": start}
    state.pos = stop
    return True


_EXAMPLE_MARKER = re.compile(r"(?m)^[ \t>]*\(@([\w-]+)\)(?:[ \t]|$)")
_EXAMPLES = "footnoted.examples"


def example_labels_rule(state: StateCore) -> None:
    """pandoc's numbered examples: after a list item `(@good)`, `@good` names the example, not a source."""
    state.env[_EXAMPLES] = frozenset(_EXAMPLE_MARKER.findall(state.src)) if "(@" in state.src else frozenset()


def cite_plugin(md: MarkdownIt) -> None:
    md.core.ruler.before("inline", "example_labels", example_labels_rule)
    md.inline.ruler.before("link", "cite", cite_rule)
    md.inline.add_terminator_char("@")


# --- locators, as pandoc's citeproc finds them in a suffix -------------------------------------

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


# --- footnote calls -----------------------------------------------------------

# What ends a footnote label: its ']', or a space or line end that makes it no label at all.
_LABEL_STOP = re.compile(r"[ \n\]]")


def linear_footnote_ref(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """mdit-py-plugins' footnote_ref, called only where a label really closes.

    Its own scan runs from each '[^' to the label's end: on a paragraph of '[^x[^x…', never
    closed, every '[^' read on to the paragraph's end (12 KB took 5 s). Here the stop after a
    position is found once and kept on the state while the rule moves on through the text, so
    each character is read once; the plugin then runs only on a label it will take.
    """

    def footnote_ref(state: StateInline, silent: bool) -> bool:
        src, start = state.src, state.pos
        if not src.startswith("[^", start):
            return False
        low, stop = getattr(state, "footnote_label_stop", (-1, -1))
        if not low <= start + 2 <= stop:  # no stop between `low` and `stop`: it holds for any start between
            found = _LABEL_STOP.search(src, start + 2)
            low, stop = start + 2, found.start() if found else len(src)
            state.footnote_label_stop = (low, stop)  # type: ignore[attr-defined]
        if stop >= state.posMax or src[stop] != "]":
            return False  # the plugin's answer too: a space or line end, or no end, before the label closes
        return rule(state, silent)

    return footnote_ref


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


# --- pandoc's Markdown: inline notes, sub- and superscripts, heading attributes, metadata blocks ---


def inline_note_rule(state: StateInline, silent: bool) -> bool:
    """`^[a note written where it is called]`: the note's words are parsed in place, between an
    open and a close token, so every offset inside them stays one of the paragraph's. (The footnote
    plugin's own `inline` option parses them as a separate string, whose offsets start again at 0.)"""
    src, start = state.src, state.pos
    if not src.startswith("^[", start) or src.find("]", start, state.posMax) < 0:  # unclosed: no scan
        return False
    end = parseLinkLabel(state, start + 1)
    if end < 0:
        return False
    if not silent:
        _parse_between(state, "inline_note", start + 2, end, {"offset": start})
    state.pos = end + 1
    return True


def _parse_between(state: StateInline, name: str, start: int, end: int, meta: dict) -> None:
    """Push `name`_open, the inline tokens of src[start:end], then `name`_close."""
    old_max = state.posMax
    token = state.push(f"{name}_open", "", 1)
    token.meta = meta
    state.pos, state.posMax = start, end
    state.md.inline.tokenize(state)
    state.push(f"{name}_close", "", -1)
    state.posMax = old_max


def _script_rule(marker: str, name: str) -> Callable[[StateInline, bool], bool]:
    """Pandoc's `H~2~O` and `2^10^`: the marker, then no unescaped space, then the marker again."""

    def rule(state: StateInline, silent: bool) -> bool:
        src, start, maximum = state.src, state.pos, state.posMax
        if src[start] != marker or silent or start + 2 >= maximum:
            return False
        if src.startswith(marker * 2, start) or src.startswith("^[", start):  # ~~struck~~, ^[note]
            return False
        word_start = max(src.rfind(" ", 0, start), src.rfind("\n", 0, start)) + 1
        if "://" in src[word_start:start]:  # https://example.com/~user/~x is a URL as typed
            return False
        state.pos = start + 1
        while state.pos < maximum and src[state.pos] != marker:
            state.md.inline.skipToken(state)
        end = state.pos
        state.pos = start
        content = src[start + 1 : end]
        if end >= maximum or not content or re.search(r"(?<!\\)\s", content):
            return False
        _parse_between(state, name, start + 1, end, {"offset": start})
        state.pos = end + 1
        return True

    return rule


def tex_math_rule(state: StateInline, silent: bool) -> bool:
    """Pandoc's `$…$` and `$$…$$` (tex_math_dollars): TeX, not Markdown, so `$a^2+b^2$` holds no
    superscript, emphasis or smart quotes. We do not typeset TeX: it stays as typed. The opening
    `$` has no space after it, the closing none before it and no digit after it ("$5 and $10" is
    money)."""
    src, start, maximum = state.src, state.pos, state.posMax
    if src[start] != "$":
        return False
    marks = "$$" if src.startswith("$$", start) else "$"
    begin = start + len(marks)
    if begin >= maximum or src[begin].isspace():
        return False
    end = src.find(marks, begin, maximum)
    while end >= 0:
        if marks == "$$" or (not src[end - 1].isspace() and src[end - 1] not in "\\$"
                             and not (end + 1 < maximum and (src[end + 1].isdigit() or src[end + 1] == "$"))):
            break  # (a `$$` is display math's, never the end of `$…$`)
        end = src.find(marks, end + 1, maximum)
    if end < 0 or end == begin:
        return False
    if not silent:
        token = state.push("math_inline", "", 0)
        token.content = src[start : end + len(marks)]
    state.pos = end + len(marks)
    return True


def pandoc_inline_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.after("backticks", "tex_math", tex_math_rule)
    md.inline.ruler.before("strikethrough", "inline_note", inline_note_rule)
    md.inline.ruler.after("inline_note", "superscript", _script_rule("^", "sup"))
    md.inline.ruler.after("strikethrough", "subscript", _script_rule("~", "sub"))


# A heading's trailing `{#id .class key=value}` (or `{-}`), as pandoc's header_attributes reads it.
_ATTRIBUTE = r"""(?:\#[^\s#.{}=]+|\.[^\s#.{}=]+|-|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s"'{}]+))"""
_HEADING_ATTRIBUTES = re.compile(rf"[ \t]*\{{[ \t]*((?:{_ATTRIBUTE}[ \t]*)+)\}}[ \t]*\Z")


def heading_attributes(state: StateCore) -> None:
    """Take the attributes off a heading's text, into the heading's meta["id"] and ["classes"]."""
    tokens = state.tokens
    for index in range(len(tokens) - 1):
        token, inline = tokens[index], tokens[index + 1]
        if token.type != "heading_open" or inline.type != "inline":
            continue
        match = _HEADING_ATTRIBUTES.search(inline.content)
        if not match or not inline.content[: match.start()].strip():
            continue
        inline.content = inline.content[: match.start()]
        ident, classes = "", []
        for item in re.findall(_ATTRIBUTE, match.group(1)):
            if item.startswith("#"):
                ident = item[1:]
            elif item.startswith("."):
                classes.append(item[1:])
            elif item == "-":
                classes.append("unnumbered")
        token.meta = {**(token.meta or {}), "id": ident, "classes": tuple(dict.fromkeys(classes))}


_YAML_KEY = re.compile(r"[^\s:#\-?&*!|>'\"%@`{}\[\],][^:]*:(?:[ \t]|\Z)")


def yaml_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Pandoc's metadata block anywhere in the text: `---` after a blank line (or at the start),
    a mapping, and a closing `---` or `...`. Not a thematic break and a heading."""
    if state.level or state.sCount[start_line] or state.blkIndent or state.src[state.bMarks[start_line]] != "-":
        return False
    if start_line > 0 and not state.isEmpty(start_line - 1):
        return False

    def line(number: int) -> str:
        return state.src[state.bMarks[number] + state.tShift[number] : state.eMarks[number]]

    if line(start_line).rstrip() != "---" or start_line + 1 >= end_line or not _YAML_KEY.match(line(start_line + 1)):
        return False
    close = start_line + 1
    while close < end_line and not (state.sCount[close] == 0 and line(close).rstrip() in ("---", "...")):
        close += 1
    if close >= end_line:
        return False
    if not silent:
        token = state.push("yaml_meta", "", 0)
        token.content = "\n".join(state.src[state.bMarks[n] : state.eMarks[n]] for n in range(start_line + 1, close))
        token.map = [start_line, close + 1]
    state.line = close + 1
    return True


def pandoc_block_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("hr", "yaml_meta", yaml_block_rule, {"alt": ["paragraph"]})
    md.core.ruler.before("inline", "heading_attributes", heading_attributes)


# --- pandoc's smart punctuation ---------------------------------------------------

_QUOTE_OR_DOTS = re.compile(r"""["']|--|\.\.\.""")
# A URL or e-mail address in running text, without the punctuation that ends its sentence (as
# GFM's autolinks).
_BARE_URL = re.compile(
    r"""(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)\S*?(?=[.,:;!?'")\]]*(?:\s|\Z))|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"""
)
_DASHES_AND_DOTS = re.compile(r"-{2,3}|(?:\.\.\.){1,2}")


def _is_wide_char(char: str) -> bool:
    """Chinese, or its punctuation: a quote or dash beside one is Chinese typography's."""
    return bool(char) and ("\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef")


def smart_punctuation(state: StateCore) -> None:
    """Pandoc's `smart`: -- –, --- —, ... …, and curly quotes and apostrophes, in prose only (never
    code, URLs or citations, which are tokens of their own). Beside Chinese, `--`/`---` is the
    Chinese dash —— and `...` the ellipsis ……; a straight quote there is left as typed: the
    typography pass pairs double ones as “ ” (pandoc would curl both as ”)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or not _QUOTE_OR_DOTS.search(block.content):
            continue
        kept: dict[int, set[int]] = {}  # per text token, where its straight quotes stay as typed
        in_autolink = False
        for index, token in enumerate(block.children):
            if token.type == "link_open":
                in_autolink = token.info == "auto" or token.markup == "autolink"
            elif token.type == "link_close":
                in_autolink = False
            elif token.type == "text" and not in_autolink:
                token.content, kept[index] = _dashes_and_kept_quotes(token.content)
        _curl_quotes(block.children, kept)


def _dashes_and_kept_quotes(text: str) -> tuple[str, set[int]]:
    """The text with its dashes and dots set, outside URLs; and where quotes stay straight (in a
    URL, or beside Chinese)."""
    pieces: list[str] = []
    kept: set[int] = set()
    length = start = 0
    urls = list(_BARE_URL.finditer(text)) if "://" in text or "www." in text or "@" in text else []
    for url in [*urls, None]:
        prose = _DASHES_AND_DOTS.sub(_dash_or_dots, text[start : url.start() if url else len(text)])
        pieces.append(prose)
        length += len(prose)
        if url:
            kept.update(length + m.start() for m in _QUOTE.finditer(url.group()))
            pieces.append(url.group())
            length += len(url.group())
            start = url.end()
    result = "".join(pieces)
    kept.update(m.start() for m in _QUOTE.finditer(result) if _beside_wide(result, m.start()))
    return result, kept


class _Opener(NamedTuple):
    token: int
    pos: int
    single: bool
    level: int


def _curl_quotes(tokens: list[Token], kept: dict[int, set[int]]) -> None:
    """markdown-it's smartquotes (which follows pandoc's rules for who opens and who closes), with
    the opener found in one step: markdown-it searches its whole stack of unclosed quotes at each
    closing one, and `"a' ` repeated took 5 s for 4,000."""
    stack: list[_Opener] = []
    tops: dict[bool, list[int]] = {True: [], False: []}  # indices in `stack` of each kind's openers
    # Marks are set in lists of characters, joined once: a string rebuilt at every quote is
    # quadratic in a long paragraph. Each mark takes one character's place, so offsets hold.
    curled: dict[int, list[str]] = {}

    def put(token: int, at: int, mark: str) -> None:
        if token not in curled:
            curled[token] = list(tokens[token].content)
        curled[token][at] = mark

    def truncate(length: int) -> None:
        del stack[length:]
        for kind in tops.values():
            while kind and kind[-1] >= length:
                kind.pop()

    for index, token in enumerate(tokens):
        level = token.level
        keep = len(stack)
        while keep and stack[keep - 1].level > level:
            keep -= 1
        truncate(keep)
        if token.type != "text" or index not in kept:
            continue
        pos = 0
        while (found := _QUOTE.search(token.content, pos)) is not None:
            at, text = found.start(), token.content
            pos = at + 1
            if at in kept[index]:
                continue
            single = found.group() == "'"
            last = text[at - 1] if at > 0 else _neighbour(tokens, index, -1)
            after = text[at + 1] if at + 1 < len(text) else _neighbour(tokens, index, 1)
            last_punct, next_punct = _is_punct(last), _is_punct(after)
            last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(after))
            can_open = not next_space and not (next_punct and not (last_space or last_punct))
            can_close = not last_space and not (last_punct and not (next_space or next_punct))
            if after == '"' and not single and "0" <= last <= "9":  # 1"": the first is an inch mark
                can_open = can_close = False
            if can_open and can_close:  # inside a word: "foo"bar"baz" stays
                can_open, can_close = last_punct, next_punct
            if not can_open and not can_close:
                if single:
                    put(index, at, "’")
                continue
            if can_close and tops[single] and stack[tops[single][-1]].level == level:
                opener = stack[tops[single][-1]]
                put(index, at, "’" if single else "”")
                put(opener.token, opener.pos, "‘" if single else "“")
                truncate(tops[single][-1])
                continue
            if can_open:
                tops[single].append(len(stack))
                stack.append(_Opener(index, at, single, level))
            elif can_close and single:
                put(index, at, "’")
    for index, chars in curled.items():
        tokens[index].content = "".join(chars)


_QUOTE = re.compile("['\"]")


def _neighbour(tokens: list[Token], index: int, step: int) -> str:
    """The character next to a text token's edge, across tokens up to a line break ("" -> a space)."""
    index += step
    while 0 <= index < len(tokens) and tokens[index].type not in ("softbreak", "hardbreak"):
        if tokens[index].content:
            return tokens[index].content[-1 if step < 0 else 0]
        index += step
    return " "


def _is_punct(char: str) -> bool:
    return isMdAsciiPunct(ord(char)) or isPunctChar(char)


def _beside_wide(text: str, at: int) -> bool:
    return _is_wide_char(text[at - 1 : at]) or _is_wide_char(text[at + 1 : at + 2])


def _dash_or_dots(match: re.Match[str]) -> str:
    mark, text = match.group(), match.string
    wide = _is_wide_char(text[match.start() - 1 : match.start()]) or _is_wide_char(text[match.end() : match.end() + 1])
    if mark.startswith("."):
        return "……" if wide else "…" * (len(mark) // 3)
    if wide:
        return "——"
    return "—" if mark == "---" else "–"


def smart_plugin(md: MarkdownIt) -> None:
    md.core.ruler.before("text_join", "smart_punctuation", smart_punctuation)


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin, inline=False, move_to_end=False, always_match_refs=True)
    md.inline.ruler.at("footnote_ref", linear_footnote_ref(md.inline.ruler.__rules__[md.inline.ruler.__find__("footnote_ref")].fn))
    md.use(container_plugin, name="div", validate=lambda params, *_: params.strip().startswith("{"))
    md.use(cite_plugin)
    md.use(provenance_plugin)
    md.use(pandoc_inline_plugin)
    md.use(pandoc_block_plugin)
    md.use(smart_plugin)
    record_offsets(md, ("footnote_ref", "image", "link", "autolink"))
    return md
