"""Font subsets made in one pass of HarfBuzz, not two, for WeasyPrint 70 (the PDF's speed, issue #16).

WeasyPrint subsets each embedded font twice: once keeping the used glyphs at their ids
(`RETAIN_GIDS`), then again keeping every glyph up to the last used one, "to drop the empty
glyphs after it", without hinting. The HarfBuzz that Debian ships already ends a retained-ids
subset at the last glyph kept, so the second pass only walks it again: for a CJK face whose
last used glyph is near id 63,000, 24-30 ms a face, 80 ms of the essay's PDF (three CJK faces).
One pass with both passes' flags makes the same subsets (the essay's PDF is the same bytes; an
English one differs only in a FontForge timestamp table the second pass dropped, its pages
drawn the same). Where a HarfBuzz leaves glyphs after the last one kept, WeasyPrint's second pass
runs as before. tests/test_pdf_subset.py pins WeasyPrint's version and the function replaced.
"""

from __future__ import annotations

# First: WeasyPrint imported without its slow library search, before any of its modules.
from footnoted.weasyprint_import import weasyprint  # noqa: F401, I001
from weasyprint.logger import LOGGER
from weasyprint.pdf import fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import get_hb_object_data

_WEASYPRINTS_SUBSET = fonts.Font._harfbuzz_subset
# The tables WeasyPrint drops from every subset (as its _harfbuzz_subset lists them)
DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def glyphs_after(face, last_glyph: int) -> bool:  # type: ignore[no-untyped-def]
    """Does the subset hold glyphs after the last one kept (a HarfBuzz that keeps the face's count)?"""
    return harfbuzz.hb_face_get_glyph_count(face) > last_glyph + 1


def _harfbuzz_subset(self, to_unicode, hinting) -> None:  # type: ignore[no-untyped-def]
    """Font._harfbuzz_subset (pdf/fonts.py), its two passes in one where HarfBuzz allows."""
    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    kept = ffi.new(f"hb_codepoint_t[{len(to_unicode)}]", sorted(to_unicode))
    harfbuzz.hb_set_add_sorted_array(glyphs, kept, len(to_unicode))
    flags = (harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
             | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE)
    if not hinting:  # WeasyPrint's second pass drops the hinting: here, the only pass
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if self.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    dropped = harfbuzz_subset.hb_subset_input_set(subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = ffi.new(f"hb_codepoint_t[{len(DROPPED_TABLES)}]", [harfbuzz.hb_tag_from_string(tag, -1) for tag in DROPPED_TABLES])
    harfbuzz.hb_set_add_sorted_array(dropped, tags, len(DROPPED_TABLES))
    face = ffi.gc(harfbuzz_subset.hb_subset_or_fail(self.hb_face, subset_input), harfbuzz.hb_face_destroy)
    if face == ffi.NULL or glyphs_after(face, max(to_unicode)):
        _WEASYPRINTS_SUBSET(self, to_unicode, hinting)  # its two passes, its warning if they fail too
        return
    content = get_hb_object_data(face)
    if content:
        self.file_content = content
    else:
        LOGGER.warning('Unable to subset "%s" with HarfBuzz', self.family)


fonts.Font._harfbuzz_subset = _harfbuzz_subset  # Font.subset calls it by this name
