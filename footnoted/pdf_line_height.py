"""Lines of one height, whatever fonts their text falls back to (issue #16), for WeasyPrint 70.

A Chinese essay's body is set in two faces: Noto Serif for its Latin words (and the space, which
makes the line's strut), Noto Serif CJK SC for the rest. WeasyPrint gives each text box the height
Pango measures for its text: the tallest ascent and the deepest descent of the fonts it uses. With
the same line-height, a box in the CJK face (ascent 1.16 em, descent 0.29) and the strut in Noto
Serif (1.07, 0.29) put their baselines at different heights, and the line box, which holds both,
grew from 1.75 em to 1.80 (18.4 pt to 18.9 at 10.5 pt), unevenly, line by line. Browsers (Blink)
place text by its primary font when line-height is set: every text box here takes the strut's
baseline, as the strut's font gives it, and keeps its line-height. The glyphs are drawn where they
were, relative to the baseline; only the leading is shared out differently.
"""

from __future__ import annotations

# First: WeasyPrint imported without its slow library search, before any of its modules.
from footnoted.weasyprint_import import weasyprint  # noqa: F401, I001
from weasyprint.layout import inline
from weasyprint.text.line_break import strut

_ORIGINAL_SPLIT_TEXT_BOX = inline.split_text_box


def _split_text_box(context, box, available_width, skip, is_line_start=True):  # type: ignore[no-untyped-def]
    """split_text_box (layout/inline.py), then the box's baseline set where the strut has it: its
    margin box stays line-height tall (WeasyPrint sets margin_top to the half-leading and the baseline
    from the margin box's top)."""
    new_box, skip, preserved_line_break = _ORIGINAL_SPLIT_TEXT_BOX(context, box, available_width, skip, is_line_start)
    if new_box is not None and new_box.style["line_height"] != "normal" and new_box.style["font_size"]:
        line_height, strut_baseline = strut(new_box.style)
        own_baseline = new_box.baseline - new_box.margin_top  # from the top of its content box, as Pango has it
        new_box.margin_top = strut_baseline - own_baseline
        new_box.margin_bottom = line_height - new_box.height - new_box.margin_top
        new_box.baseline = strut_baseline
    return new_box, skip, preserved_line_break


inline.split_text_box = _split_text_box
