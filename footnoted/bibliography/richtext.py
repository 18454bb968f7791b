"""Rich text in bibliography fields: CSL's HTML-like markup, read from any format.

CSL-JSON marks up titles with `<i>`, `<b>`, `<sup>`, `<sub>`, `<sc>` and two spans (small caps,
and `nocase` for words a style must not recase). Every reader turns its own markup into that:
pandoc's CSL-YAML is Markdown (`*Homo sapiens*`, `\\[…\\]`, `[iPod]{.nocase}`), BibTeX is LaTeX
(see bibtex.py). The entry's `variables` keep it; the typed fields the styles read hold plain
text, so markup is never printed raw. Only these tags mean anything, as in pandoc: any other `<…>`
is text (and a renderer escapes it), and entities such as `&amp;` stay as written.
"""

import re
from typing import NamedTuple

_TAG = re.compile(
    r"<(/?)(i|b|sup|sub|sc)>|<span (?:class=\"nocase\"|style=\"font-variant:\s*small-caps;?\")>|</span>"
)
_HAS_TAG = re.compile(r"</?(?:i|b|sup|sub|sc|span)\b")


class Segment(NamedTuple):
    text: str
    styles: frozenset[str] = frozenset()  # "i", "b", "sup", "sub", "sc", "nocase"


def segments(rich: str) -> list[Segment]:
    """The text in runs of one style each; an unmatched closing tag is text, as in pandoc."""
    if "<" not in rich or not _HAS_TAG.search(rich):
        return [Segment(rich)] if rich else []
    result: list[Segment] = []
    open_styles: list[str] = []
    position = 0
    for match in _TAG.finditer(rich):
        closing, tag = match.group(1), match.group(2)
        whole = match.group(0)
        if whole == "</span>" or closing:
            name = tag or "span"
            index = next((i for i in range(len(open_styles) - 1, -1, -1) if _closes(open_styles[i], name)), None)
            if index is None:
                continue  # a closing tag that closes nothing stays text
        _add(result, rich[position : match.start()], open_styles)
        position = match.end()
        if whole == "</span>" or closing:
            del open_styles[index]  # type: ignore[arg-type]
        elif tag:
            open_styles.append(tag)
        else:
            open_styles.append("nocase" if "nocase" in whole else "sc-span")
    _add(result, rich[position:], open_styles)
    return result


def _closes(style: str, name: str) -> bool:
    return style == name or (name == "span" and style in ("nocase", "sc-span"))


def _add(result: list[Segment], text: str, open_styles: list[str]) -> None:
    if text:
        styles = frozenset("sc" if s == "sc-span" else s for s in open_styles)
        if result and result[-1].styles == styles:
            result[-1] = Segment(result[-1].text + text, styles)
        else:
            result.append(Segment(text, styles))


def plain(rich: str) -> str:
    """The text without its markup: what a style prints when it prints no italics."""
    if "<" not in rich or not _HAS_TAG.search(rich):
        return rich
    return "".join(segment.text for segment in segments(rich))


# --- pandoc's Markdown, as pandoc reads a CSL-YAML title -------------------------------------

_MARKDOWN_CHARS = re.compile(r"[\\*_^~`\['\"]|--|\.\.\.")
_PROTECTED = "\ue000"  # private use: a placeholder for a character taken literally, never in a bibliography


def _protect(text: str, kept: list[str]) -> str:
    kept.append(text)
    return f"{_PROTECTED}{len(kept) - 1}{_PROTECTED}"


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CODE = re.compile(r"`([^`]+)`")
_SPAN = re.compile(r"\[([^\[\]]*)\]\{\.(smallcaps|nocase|underline|mark)\}")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![\w\\])__(?=\S)(.+?)(?<=\S)__(?!\w)")
_EMPH = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*|(?<![\w\\])_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_SUPER = re.compile(r"\^([^\s^]+)\^")
_SUB = re.compile(r"~([^\s~]+)~")
_RESTORE = re.compile(f"{_PROTECTED}(\\d+){_PROTECTED}")


def has_markup(text: str) -> bool:
    """Whether the text may hold markup of either kind; False for nearly every name and title."""
    return "<" in text or _MARKDOWN_CHARS.search(text) is not None


def unescape(text: str) -> str:
    """Markdown's backslash escapes taken out of text that is no Markdown (a DOI: `19:4\\<377`)."""
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def markdown_to_rich(text: str) -> str:
    """Pandoc's inline Markdown (emphasis, strong, super- and subscript, small caps and nocase
    spans, code, links, backslash escapes) as CSL markup. Text without such characters is returned
    as it is, which is nearly every title: a large bibliography pays one regex search per field."""
    if not _MARKDOWN_CHARS.search(text):
        return text
    kept: list[str] = []
    text = _ESCAPE.sub(lambda m: _protect(m.group(1), kept), text)
    text = _CODE.sub(lambda m: _protect(m.group(1), kept), text)
    for _ in range(3):  # spans hold emphasis and emphasis holds spans: a few rounds settle it
        text = _SPAN.sub(_span, text)
        text = _LINK.sub(r"\1", text)
    text = _STRONG.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", text)
    text = _EMPH.sub(lambda m: f"<i>{m.group(1) or m.group(2)}</i>", text)
    text = _STRIKE.sub(r"\1", text)
    text = _SUPER.sub(r"<sup>\1</sup>", text)
    text = _SUB.sub(r"<sub>\1</sub>", text)
    text = _smart(text)
    return _RESTORE.sub(lambda m: kept[int(m.group(1))], text)


_TAG_SPLIT = re.compile(r"(<[^<>]*>)")
_OPENING_QUOTE = re.compile(r"(^|(?<=[\s(\[{\u2014\u2013-]))([\"'])(?=\S)")


def _smart(text: str) -> str:
    """pandoc's `smart` extension, on by default for Markdown: dashes, ellipses and curly quotes."""
    if "<" in text:  # not in the tags: <span class="nocase"> keeps its quotes
        parts = _TAG_SPLIT.split(text)
        if len(parts) > 1:
            return "".join(part if _TAG_SPLIT.fullmatch(part) else _smart_text(part) for part in parts)
    return _smart_text(text)


def _smart_text(text: str) -> str:
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    if "'" in text or '"' in text:
        text = _OPENING_QUOTE.sub(lambda m: m.group(1) + ("\u201c" if m.group(2) == '"' else "\u2018"), text)
        text = text.replace('"', "\u201d").replace("'", "\u2019")
    return text


def _span(match: re.Match[str]) -> str:
    inner, kind = match.group(1), match.group(2)
    if kind == "smallcaps":
        return f'<span style="font-variant:small-caps;">{inner}</span>'
    if kind == "nocase":
        return f'<span class="nocase">{inner}</span>'
    return inner
