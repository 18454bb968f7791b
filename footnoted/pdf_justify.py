"""Chinese line layout for WeasyPrint 70 (issue #16), as W3C clreq describes it.

WeasyPrint justifies a line by widening its spaces only, and knows nothing of Chinese
punctuation. This extends its line layout, in three places:

- Punctuation compression (标点挤压, clreq 3.1.6). Two full-width marks side by side take 1.5 em,
  not 2 (`帖子：“为了给`, `可以有。（不过`): the blank half between them goes, brackets hugging
  what they enclose. A mark that ends a line loses its trailing blank half (GB/T 15834-2011,
  5.1.10), an opening mark that starts one (not after a paragraph's indent) its leading blank
  half. Done with the fonts' own `halt` feature (Debian's Noto CJK has it; its build has no
  `chws`), set on those characters only, as Pango attributes in every layout of the text
  (Layout.set_text).
- Justification (clreq 3.8.4, the order of expansion). Every line of a justified paragraph but
  its last fills the measure: its slack goes first to the spaces between Latin words (up to half
  an em each), then to the seams between Chinese and Latin (the quarter-em U+2005 spaces the
  templates set, up to a third of an em), then, evenly, to every gap between characters where
  a Chinese character or mark stands on either side; not inside a dash or an ellipsis, not beside
  a hyphen or a slash, not inside Latin words, not between a Latin word and the mark that ends it
  (`4.5%，`) or opens it. Only a line with no such gap, or whose gaps would pass half an em,
  spreads its slack between Latin letters, and only one without letters either widens its spaces
  beyond half an em.
  The gaps are letter spacing on single characters (Pango adds half of it on each side of a
  character, none at a layout's ends, so a chain of values gives each gap its own width) and,
  between two boxes, a shift of the boxes after (justify_line, which text_align calls for a line
  to justify).
- Text, before layout (the box tree, as built): a space between Chinese and Latin in any text
  (notes, translations, captions, not only the body) becomes the same quarter-em seam; and a
  paragraph never ends on a line of one Chinese character (孤字, clreq 3.8.3): word joiners glue
  its last two characters, so the line before gives one up.

Line-start and line-end prohibitions (避头尾) are Pango's line breaking (UAX #14): it never breaks
before a closing mark or after an opening one; the tests hold the pages to that.

All of it reads and replaces WeasyPrint 70.0's internals: tests/test_justify.py pins the
version and the source of every function it replaces or relies on.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from itertools import pairwise

# First: WeasyPrint imported without its slow library search, before any of its modules.
from footnoted.weasyprint_import import weasyprint  # noqa: F401, I001
from weasyprint import document as weasyprint_document
from weasyprint.draw import text as draw_text
from weasyprint.formatting_structure import boxes
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

# --- characters -------------------------------------------------------------------

# Full-width marks whose glyph sits on the left of its em, the blank half on the right (in the
# mainland style of Noto CJK SC), and those with the blank half on the left.
CLOSING = frozenset("、。，．：；？！）］｝」』》〉】〕〗〙〛")
OPENING = frozenset("（［｛「『《〈【〔〖〘〚")
CLOSING_QUOTES, OPENING_QUOTES = frozenset("”’"), frozenset("“‘")  # full-width only in a Chinese font
SPACES = frozenset(" \u00a0\u2005")
SEAM = "\u2005"  # the quarter-em space the templates set between Chinese and Latin
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u00ad\ufeff")
WORD_JOINER = "\u2060"
CONNECTORS = frozenset("-\u2010\u2011\u2012\u2013~～/／")  # no space stretched beside these (clreq 3.8.4)
UNSPLIT = frozenset("—…⋯")  # a dash or an ellipsis: two characters set as one mark
HALT = b"halt 1"


def is_han(char: str) -> bool:
    """A Chinese character or kana (the characters a Chinese line is made of, punctuation aside)."""
    return ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\u3040" <= char <= "\u30ff"
            or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f")


def is_wide(char: str, chinese: bool) -> bool:
    """A character set on the em square: Chinese, kana, CJK and full-width punctuation (and, in
    Chinese text, curly quotes, dashes and ellipses, which a Chinese font sets full-width)."""
    return (is_han(char) or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"
            or (chinese and char in "“”‘’—…⋯·"))


def _chinese(style) -> bool:  # type: ignore[no-untyped-def]
    return (style["lang"] or "").lower().startswith(("zh", "ja", "ko"))


# By whether the text is Chinese: curly quotes are full-width marks only there
_CLOSING = {False: CLOSING, True: CLOSING | CLOSING_QUOTES}
_OPENING = {False: OPENING, True: OPENING | OPENING_QUOTES}
_PUNCTUATION = {chinese: re.compile("[" + re.escape("".join(sorted(_CLOSING[chinese] | _OPENING[chinese]))) + "]")
                for chinese in (False, True)}


def _closing(chinese: bool) -> frozenset[str]:
    return _CLOSING[chinese]


def _opening(chinese: bool) -> frozenset[str]:
    return _OPENING[chinese]


def paired_marks(text: str, chinese: bool) -> list[int]:
    """The indexes of marks that lose their blank half beside another mark: a closing mark before
    any mark, an opening mark after an opening mark (each pair then takes 1.5 em)."""
    closing, opening = _closing(chinese), _opening(chinese)
    halved = []
    for index in _PUNCTUATION[chinese].finditer(text) if len(text) > 1 else ():
        at = index.start()
        if at + 1 < len(text):
            char, following = text[at], text[at + 1]
            if char in closing and (following in closing or following in opening):
                halved.append(at)
            elif char in opening and following in opening:
                halved.append(at + 1)
    return halved



# --- Pango layouts: the attributes ---------------------------------------------------------

_ORIGINAL_SET_TEXT = line_break.Layout.set_text


def _set_text(self, text, justify=False):  # type: ignore[no-untyped-def]
    """Layout.set_text, then `halt` on the marks compressed and, when drawing justified text, the
    letter spacing of each character as justification gave it (kept on the layout)."""
    _ORIGINAL_SET_TEXT(self, text, justify)
    text = self.text
    chinese = _chinese(self.style)
    halved = getattr(self, "edge_halts", set())
    if not text.isascii():
        halved = halved | set(paired_marks(text, chinese))
    spacing = getattr(self, "character_spacing", None) if justify else None
    if not halved and not spacing:
        return
    offsets = _byte_offsets(text)
    attr_list = pango.pango_layout_get_attributes(self.layout)
    if attr_list == ffi.NULL:
        attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    for index in sorted(halved):
        if index < len(text):
            attr = pango.pango_attr_font_features_new(HALT)
            attr.start_index, attr.end_index = offsets[index], offsets[index + 1]
            pango.pango_attr_list_insert(attr_list, attr)
    for start, end, units in spacing or ():
        if start < len(text):
            attr = pango.pango_attr_letter_spacing_new(units)
            attr.start_index, attr.end_index = offsets[start], offsets[min(end, len(text))]
            pango.pango_attr_list_change(attr_list, attr)
    pango.pango_layout_set_attributes(self.layout, attr_list)


def _byte_offsets(text: str) -> list[int]:
    offsets, at = [0], 0
    for char in text:
        at += len(char.encode())
        offsets.append(at)
    return offsets


def _relayout(box, edge_halts: set[int], spacing: list[tuple[int, int, int]] | None) -> float:  # type: ignore[no-untyped-def]
    """Give a text box a new layout with these halved edges and letter spacings; its new width."""
    layout = line_break.Layout(box.style)
    layout.edge_halts = edge_halts
    layout.character_spacing = spacing
    layout.set_text(box.text, justify=True)
    line, _ = layout.get_first_line()
    width, _ = line_break.line_size(line, box.style)
    layout.deactivate()
    box.pango_layout = layout
    return width


# --- lines: compression at their ends, then justification ---------------------------------

_ORIGINAL_TEXT_ALIGN = inline.text_align
_ORIGINAL_JUSTIFY_LINE = inline.justify_line


def _text_align(context, line, available_width, last):  # type: ignore[no-untyped-def]
    """text_align (layout/inline.py), with a justified paragraph's line ends halved first (a centred
    title keeps its mark whole: its box is centred). Every line of every paragraph comes here, once
    laid out; text_align then calls justify_line for those to justify."""
    if line.style["direction"] == "ltr" and line.style["text_align_all"] == "justify":
        _halve_line_ends(line, list(_leaves(line)))
    return _ORIGINAL_TEXT_ALIGN(context, line, available_width, last)


def _justify_line(context, line, extra_width) -> None:  # type: ignore[no-untyped-def]
    """justify_line (layout/inline.py): the slack spread as clreq has it, where WeasyPrint widens
    spaces only."""
    if line.style["direction"] != "ltr":
        _ORIGINAL_JUSTIFY_LINE(context, line, extra_width)
        return
    _justify(line, list(_leaves(line)), extra_width)


def _leaves(box):  # type: ignore[no-untyped-def]
    """The line's text boxes and atomic boxes (inline blocks, images) in flow, in order."""
    for child in box.children:
        if not child.is_in_normal_flow():
            continue
        if isinstance(child, (boxes.InlineBox, boxes.LineBox)):
            yield from _leaves(child)
        else:
            yield child


def _halve_line_ends(line, leaves) -> None:  # type: ignore[no-untyped-def]
    """A mark that ends a line of a justified paragraph loses its trailing blank half (clreq 3.1.6.3,
    GB/T 15834 5.1.10), and an opening mark that starts one its leading blank half (clreq 3.1.6.3:
    it may), so that the bracket's ink, not its em, stands at the margin; not after a paragraph's
    indent, where the bracket keeps its em."""
    texts = [leaf for leaf in leaves if isinstance(leaf, boxes.TextBox) and leaf.text.strip()]
    if not texts:
        return
    halts: dict[object, set[int]] = {}
    last = texts[-1]
    index = _last_visible(last.text)
    if leaves[-1] is last and index is not None and last.text[index] in _closing(_chinese(last.style)):
        halts.setdefault(last, set()).add(index)
    first = texts[0]
    indented = getattr(line, "text_indent", 0)  # a paragraph's first line keeps its bracket whole after the indent
    if leaves[0] is first and not indented and first.text[0] in _opening(_chinese(first.style)):
        halts.setdefault(first, set()).add(0)
    if halts:
        _shift(line, {leaf: _relayout(leaf, indexes, None) for leaf, indexes in halts.items()}, {}, 0)


def _last_visible(text: str) -> int | None:
    return next((i for i in range(len(text) - 1, -1, -1) if text[i] not in ZERO_WIDTH and not text[i].isspace()), None)


def _shift(box, widths: dict, gaps_before: dict, x_advance: float) -> float:  # type: ignore[no-untyped-def]
    """Move every box of the line by what the boxes before it grew, as add_word_spacing does:
    `widths` gives text boxes their new widths, `gaps_before` opens a gap before a box."""
    if not isinstance(box, boxes.LineBox):
        x_advance += gaps_before.pop(_first_leaf(box), 0)
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if box in widths:
            x_advance += widths[box] - box.width
            box.width = widths[box]
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        start = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _shift(child, widths, gaps_before, x_advance)
        box.width += x_advance - start
    else:
        box.translate(x_advance, 0)
    return x_advance


def _first_leaf(box):  # type: ignore[no-untyped-def]
    while isinstance(box, (boxes.InlineBox, boxes.LineBox)):
        flow = [child for child in box.children if child.is_in_normal_flow()]
        if not flow:
            return box
        box = flow[0]
    return box


# In em. clreq 3.8.4: a space at most half an em (a little less here, for the kerning a comma may add), a seam a third.
SPACE_MOST, SEAM_MOST = 0.48, 1 / 3


def _justify(line, leaves, slack: float) -> None:  # type: ignore[no-untyped-def]
    """Spread `slack` over the line in clreq's order, as letter spacing: a character's spacing
    stands half before it, half after it. Spaces between Latin words widen first (to about half
    an em), then seams between Chinese and Latin (to a third), then every wide character by the
    same amount, so that two side by side stand that much further apart; the Latin characters
    too on a line with no wide ones, or where the wide ones alone would stand more than
    LOOSEST apart. A space keeps its width: it gives back what its spaced neighbours lend it.
    The line's own ends get nothing (its first and last characters lose their outer half)."""
    chars = [(leaf, index) for leaf in leaves
             for index in (range(len(leaf.text)) if isinstance(leaf, boxes.TextBox) else (None,))]
    visible = [position for position, (leaf, index) in enumerate(chars)
               if index is not None and leaf.text[index] not in ZERO_WIDTH]
    if not visible:
        return
    edges = {visible[0], visible[-1]}  # half of their spacing would stand outside the measure
    spaces, seams, wide, latin = [], [], [], []
    for position in visible:
        leaf, index = chars[position]
        char = leaf.text[index]
        if char in SPACES:
            (seams if _beside_chinese(chars, visible, position) else spaces).append(position)
        elif (char in UNSPLIT or char in CONNECTORS or _beside_other_size(chars, visible, position)
              or _held_by_latin(chars, visible, position)):
            continue  # half its spacing would open a dash, part a note's call (H₂O, 数据¹) or a mark (4.5%，) from its word
        elif is_wide(char, _chinese(leaf.style)) and not _inside_latin_word(chars, visible, position):
            wide.append(position)
        else:
            latin.append(position)
    spacing: dict[int, float] = {}

    def em(position: int) -> float:
        return chars[position][0].style["font_size"]

    slack = _fill(spaces, {p: SPACE_MOST * em(p) - _space_width(chars[p][0].style) for p in spaces}, slack, spacing)
    slack = _fill(seams, {p: SEAM_MOST * em(p) - _space_width(chars[p][0].style) for p in seams}, slack, spacing)
    each, spread = _spread(wide, edges, spaces + seams, visible, slack)
    if wide and (each is None or each > LOOSEST * line.style["font_size"]) and latin:
        each, spread = _spread(wide + latin, edges, spaces + seams, visible, slack)
    elif not wide:
        each, spread = _spread(latin, edges, spaces + seams, visible, slack)
    if each is not None:
        for position in spread:
            spacing[position] = each
        for position in spaces + seams:  # what its spaced neighbours lend it, given back
            lent = sum(0.5 * each for n in _neighbours(visible, position) if n in spread)
            spacing[position] = spacing.get(position, 0) - lent
    elif spaces or seams:  # nothing else on the line: its spaces take it all
        for position in spaces or seams:
            spacing[position] = spacing.get(position, 0) + slack / len(spaces or seams)
    if spacing:
        _set_spacing(line, chars, spacing)


# Em between two wide characters, beyond which Latin letters take their share too. Half an em, the
# widest gap the tests allow: a Chinese line spreads its characters before it tracks a Latin word,
# which then reads as letters, not a word (at 0.3 em, `Agent` and `facebookresearch/` on p. 8 of
# the essay were letter-spaced).
LOOSEST = 0.5


def _spread(spread: list[int], edges: set[int], spaces: list[int], visible: list[int], slack: float):  # type: ignore[no-untyped-def]
    """(the spacing of each character of `spread` that fills `slack`, the set of them), or
    (None, ...) where they cannot: the line's end characters count half, and each space loses
    half of a neighbour's spacing back."""
    chosen = set(spread)
    weight = len(chosen) - 0.5 * len(edges & chosen)
    weight -= sum(0.5 for p in spaces for n in _neighbours(visible, p) if n in chosen)
    return (slack / weight if weight > 0 and chosen else None), chosen


def _neighbours(visible: list[int], position: int) -> list[int]:
    """The visible characters either side of a space (its position's neighbours in `visible`)."""
    at = _index_in(visible, position)
    return [visible[i] for i in (at - 1, at + 1) if 0 <= i < len(visible)]


def _index_in(visible: list[int], position: int) -> int:
    return bisect_left(visible, position)


def _beside_chinese(chars, visible: list[int], position: int) -> bool:  # type: ignore[no-untyped-def]
    """Is this space a seam: has it a Chinese character or mark on either side?"""
    return any(is_wide(_char(chars, n), _chinese(chars[n][0].style)) for n in _neighbours(visible, position))


def _inside_latin_word(chars, visible: list[int], position: int) -> bool:  # type: ignore[no-untyped-def]
    """An apostrophe between Latin letters (Meta’s): set in the Latin face (the templates mark it), a
    letter of the word, not a Chinese quote to space apart."""
    neighbours = [_char(chars, n) for n in _neighbours(visible, position)]
    return len(neighbours) == 2 and all(char.isascii() and char.isalnum() for char in neighbours)


def _held_by_latin(chars, visible: list[int], position: int) -> bool:  # type: ignore[no-untyped-def]
    """A closing mark right after a Latin letter or digit (`4.5%，`, `AI。`), or an opening one
    right before one (`（ground`): its blank half is its room; spacing half before it would
    stand it apart from the word it ends or opens."""
    char, chinese = _char(chars, position), _chinese(chars[position][0].style)
    at = _index_in(visible, position)
    if char in _closing(chinese) and at > 0:
        before = _char(chars, visible[at - 1])
        return before.isascii() and (before.isalnum() or before in "%)]")
    if char in _opening(chinese) and at + 1 < len(visible):
        after = _char(chars, visible[at + 1])
        return after.isascii() and after.isalnum()
    return False


def _beside_other_size(chars, visible: list[int], position: int) -> bool:  # type: ignore[no-untyped-def]
    """Is this character, or one beside it, set in another size (a note's call, a subscript)?"""
    size = chars[position][0].style["font_size"]
    return any(chars[n][0].style["font_size"] != size for n in _neighbours(visible, position))


def _fill(positions: list[int], room: dict[int, float], slack: float, amounts: dict[int, float]) -> float:
    """Widen the characters at `positions` by the same amount, each up to its room, while slack lasts."""
    open_ = sorted((p for p in positions if room[p] > 0), key=lambda p: room[p])
    while open_ and slack > 1e-9:
        step = min(slack / len(open_), room[open_[0]] - amounts.get(open_[0], 0))
        for p in open_:
            amounts[p] = amounts.get(p, 0) + step
        slack -= step * len(open_)
        open_ = [p for p in open_ if room[p] - amounts[p] > 1e-9]
    return slack


_SPACE_WIDTHS: dict[str, float] = {}


def _space_width(style) -> float:  # type: ignore[no-untyped-def]
    """The width of a space in this style's font and size."""
    key = line_break._font_style_cache_key(style, include_size=True)
    if key not in _SPACE_WIDTHS:
        layout = line_break.Layout(style)
        _ORIGINAL_SET_TEXT(layout, " \u200b")
        line, _ = layout.get_first_line()
        _SPACE_WIDTHS[key] = line_break.line_size(line, style)[0]
        layout.deactivate()
    return _SPACE_WIDTHS[key]


def _set_spacing(line, chars, spacing: dict[int, float]) -> None:  # type: ignore[no-untyped-def]
    """Give each text box its characters' letter spacing (one attribute per run of equal values,
    so that a Latin word stays one run and keeps its kerning), and shift each box after another
    by the halves Pango leaves out at a layout's ends."""
    units: dict[object, list[int]] = {}
    for position, amount in spacing.items():
        leaf, index = chars[position]
        units.setdefault(leaf, [0] * len(leaf.text))[index] = _pango_units(amount)
    widths, gaps_before, previous_right = {}, {}, 0.0
    for leaf in dict.fromkeys(leaf for leaf, _ in chars):
        values = units.get(leaf)
        if values:
            halts = getattr(leaf.pango_layout, "edge_halts", set())  # a leaf never laid out has none
            widths[leaf] = _relayout(leaf, halts, _runs(values))
            left = int(values[0] / 2)  # Pango's halves: C's division, towards zero
            gaps_before[leaf] = previous_right + left / TO_UNITS
            previous_right = (values[-1] - int(values[-1] / 2)) / TO_UNITS
        else:
            gaps_before[leaf] = previous_right
            previous_right = 0.0
    first = chars[0][0]
    gaps_before.pop(first, None)
    _shift(line, widths, {leaf: gap for leaf, gap in gaps_before.items() if gap}, 0)


def _pango_units(amount: float) -> int:
    units = round(amount * TO_UNITS)
    # Pango rounds half of a spacing that is a whole number of pixels (hinting): avoid those.
    return units + 1 if units and units % TO_UNITS == 0 else units


def _runs(values: list[int]) -> list[tuple[int, int, int]]:
    """(start, end, value) for each run of equal non-zero values."""
    runs = []
    for index, value in enumerate(values):
        if value and runs and runs[-1][1] == index and runs[-1][2] == value:
            runs[-1] = (runs[-1][0], index + 1, value)
        elif value:
            runs.append((index, index + 1, value))
    return runs


# --- text, before layout: seams and the last line's two characters -------------------------


def build_boxes(element_tree, style_for, get_image_from_uri, base_url, target_collector, counter_style, footnotes):  # type: ignore[no-untyped-def]
    """build_formatting_structure, then the seams and the glued last characters in every paragraph
    (the notes too: they are taken out of the tree into `footnotes`)."""
    root = build_formatting_structure(element_tree, style_for, get_image_from_uri, base_url, target_collector,
                                      counter_style, footnotes)
    for tree in (root, *footnotes):
        for paragraph in _paragraphs(tree):
            leaves = list(_leaves_for_text(paragraph))
            chars = [(leaf, index) for leaf, _ in leaves for index in range(len(leaf.text))]
            edits: dict[object, dict[int, str]] = {}
            _seams(chars, edits)
            _glue_last_characters(chars, {leaf for leaf, raised in leaves if raised}, edits)
            _glue_calls(leaves, edits)
            for leaf, changes in edits.items():
                leaf.text = "".join(changes.get(i, char) for i, char in enumerate(leaf.text))
    return root


def _paragraphs(tree):  # type: ignore[no-untyped-def]
    """Each run of inline content in the tree: a block's line box once the tree is built, or, in a
    note (taken out of the tree before its anonymous boxes are made), the inline boxes and text
    between its blocks."""
    stack = [tree]
    while stack:
        box = stack.pop()
        run: list = []
        for child in getattr(box, "children", ()):
            if isinstance(child, (boxes.LineBox, boxes.InlineBox, boxes.TextBox)):
                run.append(child)
                continue
            if run:
                yield run
                run = []
            stack.append(child)  # a block, or an inline block: paragraphs of its own
        if run:
            yield run


def _leaves_for_text(run, raised: bool = False):  # type: ignore[no-untyped-def]
    """(text box, raised) for the text of a paragraph, in order (not its floats, notes or inline
    blocks); raised: inside a superscript or subscript (a note's call)."""
    for child in run:
        if not child.is_in_normal_flow():
            continue
        if isinstance(child, (boxes.InlineBox, boxes.LineBox)):
            yield from _leaves_for_text(child.children, raised or is_raised(child.style))
        elif isinstance(child, boxes.TextBox) and child.style["white_space"] in ("normal", "nowrap", "pre-line"):
            yield child, raised


def _char(chars, position: int) -> str:  # type: ignore[no-untyped-def]
    leaf, index = chars[position]
    return leaf.text[index]


def _seams(chars, edits) -> None:  # type: ignore[no-untyped-def]
    """The templates' quarter-em seams become spaces again: Pango draws U+2005 with the space's
    glyph (Noto CJK has none of its own), and a PDF maps a glyph to one character, so the
    seams and the spaces of a book would be read back as all one or all the other. Justification
    tells a seam by its neighbours, in every text alike."""
    for leaf, index in chars:
        if leaf.text[index] == SEAM:
            edits.setdefault(leaf, {})[index] = " "
    _glue_spaces_to_marks(chars, edits)


def _glue_spaces_to_marks(chars, edits) -> None:  # type: ignore[no-untyped-def]
    """A space (or seam) before a closing mark, or after an opening one, is no place to break: UAX #14
    breaks after any space, and `2.5% ：` would start the next line with `：`. A word joiner on its
    far side keeps the mark on the space's line."""
    for position, (leaf, index) in enumerate(chars):
        if leaf.text[index] not in (" ", SEAM):
            continue
        chinese = _chinese(leaf.style)
        if position + 1 < len(chars) and _char(chars, position + 1) in _closing(chinese):
            changes = edits.setdefault(leaf, {})
            changes[index] = changes.get(index, " ") + WORD_JOINER
        elif position and _char(chars, position - 1) in _opening(chinese):
            changes = edits.setdefault(leaf, {})
            changes[index] = WORD_JOINER + changes.get(index, " ")


def _glue_last_characters(chars, raised: set, edits) -> None:  # type: ignore[no-untyped-def]
    """Where a paragraph ends in a Chinese character, no line may break between its last two
    characters or after them (punctuation and note calls included): a word joiner after each."""
    letters = []
    for position in range(len(chars) - 1, -1, -1):
        leaf, index = chars[position]
        char = leaf.text[index]
        if char == "\n" and leaf.style["white_space"] == "pre-line":
            break  # a forced line break (<br>) ends the last line's text
        if leaf in raised or not _is_letter(char):
            continue
        letters.append(position)
        if len(letters) == 2:
            break
    if len(letters) < 2 or not is_han(_char(chars, letters[0])):
        return
    start = letters[1]
    for position in range(start, len(chars) - 1):
        leaf, index = chars[position]
        char, after = leaf.text[index], _char(chars, position + 1)
        changes = edits.setdefault(leaf, {})
        if char in (" ", SEAM):
            changes[index] = " " + WORD_JOINER  # not a no-break space: it would share the space's glyph
        elif not (char.isascii() and char.isalnum() and after.isascii() and after.isalnum()):
            changes[index] = changes.get(index, char) + WORD_JOINER


def _glue_calls(leaves, edits) -> None:  # type: ignore[no-untyped-def]
    """A note's call (a superscript) never starts a line: a word joiner ties it to the character
    before it. (Pango may break between a closing mark and a digit, and would leave `。` alone
    at the start of the next line, after the call.)"""
    for (before, raised_before), (_, raised) in pairwise(leaves):
        if raised and not raised_before and before.text:
            changes = edits.setdefault(before, {})
            last = len(before.text) - 1
            if not changes.get(last, before.text[last]).endswith(WORD_JOINER):
                changes[last] = changes.get(last, before.text[last]) + WORD_JOINER


def is_raised(style) -> bool:  # type: ignore[no-untyped-def]
    """Set above or below the baseline (super, sub: WeasyPrint computes them to a length)."""
    value = style["vertical_align"]
    return isinstance(value, (int, float)) and value != 0


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


# --- drawing --------------------------------------------------------------------------------

_ORIGINAL_DRAW_FIRST_LINE = draw_text.draw_first_line
SPACING_DRAWN_CLOSE_ENOUGH = 4 * TO_UNITS  # 4 px of spacing: its glyph 0.05 px off; the usual spacing is a fraction of a px


def _draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):  # type: ignore[no-untyped-def]
    """draw_first_line (draw/text.py), its glyph offsets read right. It takes a glyph's x_offset,
    in Pango units (1/1024 px), for thousandths of the font size: a glyph moved by letter spacing
    is drawn 2.4% of its half-spacing too far (1.3 px for a line spread over four characters).
    The advances are right, so only the glyph moves: its offset is scaled for it to land right."""
    spacing = getattr(textbox.pango_layout, "character_spacing", None)
    if spacing and max(abs(units) for _, _, units in spacing) > SPACING_DRAWN_CLOSE_ENOUGH:
        # First what draw_first_line does first: setting it later would lay the text out anew.
        pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
        line, _ = textbox.pango_layout.get_first_line()
        run = line.runs
        while run != ffi.NULL:
            glyphs = run.data.glyphs
            for index in range(glyphs.num_glyphs):
                geometry = glyphs.glyphs[index].geometry
                geometry.x_offset = round(geometry.x_offset * 1000 / TO_UNITS)
            run = run.next
    return _ORIGINAL_DRAW_FIRST_LINE(stream, textbox, text_overflow, block_ellipsis, matrix)


# --- installed once, when imported --------------------------------------------------------

inline.text_align = _text_align  # get_next_linebox calls it by this name
inline.justify_line = _justify_line  # text_align calls it by this name
line_break.Layout.set_text = _set_text
weasyprint_document.build_formatting_structure = build_boxes  # Document._render, the whole layout
draw_text.draw_first_line = _draw_first_line  # draw_text calls it by this name
