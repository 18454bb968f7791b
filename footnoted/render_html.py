"""HTML for the blog (and, with the print template, for the PDF): Jinja templates, autoescaped.

All markup lives in templates/; this module only prepares what the templates cannot easily
compute (a passage split at its bullets and emphasis, the meta description, dates in words).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from footnoted.bibliography import Passage
from footnoted.disclosure import ai_disclosure, aigc_label
from footnoted.numbering import number_notes
from footnoted.resolve import ResolvedEssay
from footnoted.targets import Rendered, RenderOptions
from footnoted.tree import Paragraph, block_text, plain_text
from footnoted.typography import clipped, is_cjk
from footnoted.user_cache import cache_folder

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def environment(folder: Path = TEMPLATES) -> Environment:
    """One Jinja environment, templates compiled once per process."""
    env = Environment(
        loader=FileSystemLoader(str(folder)), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, bytecode_cache=_bytecode_cache(),
    )
    env.globals.update(passage_paragraphs=passage_paragraphs, translation_paragraphs=translation_paragraphs,
                       date_words=date_words, plain=block_text, passage_length=passage_length,
                       long_passage=LONG_PASSAGE)
    env.filters["fixed_cjk_spaces"] = fixed_cjk_spaces
    env.filters["url_breaks"] = url_breaks
    env.filters["latin_apostrophes"] = latin_apostrophes
    env.filters["running_text"] = running_text
    env.filters["title_phrases"] = title_phrases
    return env


_INNER_SPACE = re.compile(r"(?<=\S) (?=\S)")


def fixed_cjk_spaces(text: str) -> str:
    """Print: the space between Chinese and Latin becomes a quarter-em space that justification
    does not stretch. WeasyPrint justifies by widening U+0020 only, so in a Chinese line those few
    spaces would take all the slack and open wide gaps around every Latin word."""
    if text.isascii():
        return text

    def beside_cjk(space: re.Match[str]) -> str:
        return "\u2005" if is_cjk(text[space.start() - 1]) or is_cjk(text[space.end()]) else " "

    return _INNER_SPACE.sub(beside_cjk, text)


# A curly apostrophe inside a Latin word (Meta’s, it’s, rock’n’roll)
LATIN_APOSTROPHE = re.compile(r"(?<=[A-Za-z0-9])\u2019(?=[A-Za-z])")


def latin_apostrophes(text: str, chinese: bool = True) -> Markup:
    """A Chinese essay: the text escaped, each apostrophe inside a Latin word in a span of its own,
    which the stylesheets set in the Latin face. The faces leave U+2019 to the CJK one, which sets
    it full-width, as it must as a closing quote in Chinese (‘…’); inside a word it is an
    apostrophe, and `Meta’s` would read `Meta’ s`. Markup in, markup out (after url_breaks)."""
    escaped = text if isinstance(text, Markup) else escape(text)
    if not chinese or "\u2019" not in escaped:
        return Markup(escaped)
    return Markup(LATIN_APOSTROPHE.sub('<span class="latin-apostrophe">\u2019</span>', str(escaped)))


# After a mark that ends a phrase of a Chinese title, where more follows
_PHRASE_END = re.compile(r"(?<=[，、；：！？。])(?=\S)")


def title_phrases(text: str, chinese: bool = True) -> Markup:
    """A Chinese title or subtitle whose lines break between its phrases, not inside one: each
    phrase, with the mark that ends it, an inline block (`人类数据耗尽之后，` / `AI 会停滞吗？`,
    where a phone broke `…耗尽之` / `后，AI…` and a card `…之后，AI` / `会停滞吗？`). A phrase longer
    than the line still breaks inside itself. Apostrophes marked as latin_apostrophes does."""
    phrases = _PHRASE_END.split(text) if chinese else [text]
    if len(phrases) < 2:
        return latin_apostrophes(text, chinese)
    return Markup("".join(f'<span class="phrase">{latin_apostrophes(phrase, chinese)}</span>' for phrase in phrases))


def running_text(text: str, chinese: bool = True) -> str:
    """A Chinese essay's running head, a string (CSS string-set) that no span can mark: there an
    apostrophe inside a Latin word is U+02BC, the modifier letter apostrophe, which the Latin face
    draws as its own (the title and the heading themselves keep U+2019, marked)."""
    return LATIN_APOSTROPHE.sub("\u02bc", text) if chinese else text


# A run of Latin text without spaces that reads as an address (a scheme, www., doi:), or any
# such run of 25 characters and more (a path, a DOI, a hash): wider than a few words.
_ADDRESS = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.|doi:)[!-~]+|[!-~]{25,}")
# Where a line may break inside it: after a run of these, before what follows.
_AFTER_DELIMITERS = re.compile(r"(?<=[/.\-_?&=#~])(?=[^/.\-_?&=#~])")


def url_breaks(text: str, marked: bool = False) -> Markup:
    """Print: the text escaped, with a zero-width space after each `/`, `.`, `-` (and `_ ? & = # ~`)
    of a URL or long word, so that it breaks there before it breaks anywhere (overflow-wrap, the
    stylesheet's last resort). Not <wbr>: WeasyPrint (70) lays each piece between two <wbr> out as
    a box of its own, and inside a link in a note it then breaks the URL anywhere but there. The
    space is only a break opportunity: the href is not touched, and WeasyPrint draws nothing for
    it, so the text read or copied from the PDF is the URL whole."""

    def with_breaks(address: re.Match[str]) -> str:
        pieces = "\u200b".join(str(escape(piece)) for piece in _AFTER_DELIMITERS.split(address.group(0)))
        # `marked`: in a span of its own, since an English essay is hyphenated (print.css), an address never.
        return f'<span class="url">{pieces}</span>' if marked else pieces

    pieces, position = [], 0
    for address in _ADDRESS.finditer(text):
        pieces += [str(escape(text[position : address.start()])), with_breaks(address)]
        position = address.end()
    pieces.append(str(escape(text[position:])))
    return Markup("".join(pieces))


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs (checked against the template's source), so a cold
    build does not compile the templates again: compiling costs more than rendering."""
    folder = cache_folder("templates")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home: compile every time, still correct
    return FileSystemBytecodeCache(str(folder))


# A passage in a note longer than this (characters, with its translation) folds into a <details> in
# the blog: in a 17rem margin it would stand some 10 lines tall and push the notes below it away.
LONG_PASSAGE = 240


def passage_length(passage: Passage) -> int:
    """The characters a passage shows: its text or table cells, and its translation."""
    table = passage.table
    cells = [*table.header, *(cell for row in table.rows for cell in row), table.caption] if table else []
    return len(passage.text) + len(passage.translation) + sum(len(cell) for cell in cells)


def passage_paragraphs(passage: Passage) -> list[list[tuple[str, bool]]]:
    """The passage as paragraphs (a new one at each '•' bullet), each a list of
    (text, emphasised) pieces: the words stay verbatim, only their layout changes."""
    return [_emphasis_pieces(piece, passage.emphasis) for piece in _bullet_split(passage.text)]


def _bullet_split(text: str) -> list[str]:
    return [piece for piece in re.split(r"\s*(?=•\s)", text) if piece.strip()]


def translation_paragraphs(passage: Passage) -> list[str]:
    return _bullet_split(passage.translation) if passage.translation else []


def _emphasis_pieces(text: str, phrases: tuple[str, ...]) -> list[tuple[str, bool]]:
    if not phrases:
        return [(text, False)]
    pattern = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    pieces, position = [], 0
    for match in re.finditer(pattern, text):
        pieces += [(text[position : match.start()], False), (match.group(0), True)]
        position = match.end()
    pieces.append((text[position:], False))
    return [p for p in pieces if p[0]]


def date_words(iso: str, chinese: bool) -> str:
    if not iso:
        return ""
    year, month, day = (int(p) for p in iso.split("-"))
    if chinese:
        return f"{year} 年 {month} 月 {day} 日"
    months = "January February March April May June July August September October November December".split()
    return f"{months[month - 1]} {day}, {year}"


def description(resolved: ResolvedEssay) -> str:
    """The meta description: the front matter's, else the opening words of the first paragraph
    (of the essay as the target shows it)."""
    if resolved.front.description:
        return resolved.front.description
    first = next((b for b in resolved.blocks if isinstance(b, Paragraph)), None)
    text = re.sub(r"\s+", " ", plain_text(first.children)).strip() if first else ""
    return clipped(text, 120)


def render_blog(resolved: ResolvedEssay, options: RenderOptions) -> Rendered:
    shown = number_notes(resolved, "blog", link_notes=False).shown_in(resolved)
    html = environment().get_template("blog.html.j2").render(
        essay=shown, front=shown.front, target="blog", description=description(shown),
        chinese=shown.front.is_chinese, disclosure=ai_disclosure(shown.essay), aigc_label=aigc_label(shown.essay),
    )
    return Rendered(files=((f"{resolved.essay.stem}.html", html.encode("utf-8")),), summary=f"{len(shown.notes)} notes")
