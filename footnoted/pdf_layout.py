"""Laying out the print HTML with WeasyPrint, and laying it out again after a nudge.

A nudge is what a CSS rule would do to the blocks around a misplaced note's call (render_pdf
decides which). WeasyPrint offers only a whole layout from the HTML, so the Book keeps its
layout context, box tree and pages, sets the rule's computed values on the boxes concerned and
makes again only the pages around them. That reaches into WeasyPrint 70.0's internals, which
is why it lives here, apart: test_pdf.py fails loudly if any of them changes, and holds every
Book's PDF to the FullLayout's (WeasyPrint's own way) byte for byte.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextlib import contextmanager
from functools import cached_property
from itertools import pairwise
from math import inf
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit
from urllib.request import url2pathname

# First: WeasyPrint imported without its slow library search, before any of its modules.
from footnoted.weasyprint_import import weasyprint  # noqa: I001
from weasyprint import DEFAULT_OPTIONS
from weasyprint.css import declaration_precedence
from weasyprint.css.counters import CounterStyle
from weasyprint.css.properties import INHERITED
from weasyprint.document import Document, Page
from weasyprint.formatting_structure.boxes import FootnoteAreaBox, TextBox
from weasyprint.html import get_html_metadata
from weasyprint.layout import initialize_page_maker, layout_fixed_boxes
from weasyprint.layout.background import layout_backgrounds
from weasyprint.layout.page import make_margin_boxes, remake_page
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from footnoted.pdf_justify import build_boxes  # Chinese line layout: installed in WeasyPrint when imported
from footnoted.pdf_line_height import _split_text_box  # noqa: F401  lines of one height: installed when imported
from footnoted.pdf_subset import _harfbuzz_subset  # noqa: F401  font subsets in one pass: installed when imported
from footnoted.safe_read import MAX_FONT_BYTES, read_regular_file


class Nudge(NamedTuple):
    """What a CSS rule does to the blocks around a call, two ways: as the rule, and as its effect."""

    css: str  # the rule, for a layout from the HTML
    elements: tuple[str, ...]  # what it selects: "block" [data-line="N"], "next" [data-line="N"] + *
    values: dict[str, object]  # the computed values it gives them (the Book sets them on the boxes)


# What render_pdf sets on blocks around a note WeasyPrint put on the page after its call.
# A nudge given is (block line, index here): the rule with N = that line.
NUDGES = (
    Nudge('[data-line="{line}"] + * {{ break-before: page; }}', ("next",), {"break_before": "page"}),
    Nudge('[data-line="{line}"], [data-line="{line}"] + * {{ orphans: 1; widows: 1; }}', ("block", "next"), {"orphans": 1, "widows": 1}),
    Nudge('[data-line="{line}"] {{ break-before: page; }}', ("block",), {"break_before": "page"}),
)
NEXT_STARTS_PAGE, LOOSER_ORPHANS, BLOCK_STARTS_PAGE = range(len(NUDGES))
Nudges = frozenset[tuple[int, int]]  # (block line, index in NUDGES)
# (pages made so far, index of a page whose next page is made, nudges set) -> nudges to set now
PageCheck = Callable[[list, int, Nudges], Nudges]


# Where the fonts a stylesheet's @font-face local() names may come from: WeasyPrint finds them with
# fontconfig and loads them through the URL fetcher as file:// URLs.
SYSTEM_FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc"})


class _ProjectOnlyFetcher(URLFetcher):
    """Fetches nothing from the network: our HTML embeds everything as data: URIs. The one file it
    reads is a system font that the stylesheet's @font-face local() names (a Chinese essay's Latin
    faces): a file:// URL that resolves, symlinks followed, to a regular .ttf/.otf/.ttc file inside
    the system's font folders. Any other URL, file or not, is refused."""

    def __init__(self, font_folders: tuple[Path, ...] = SYSTEM_FONT_FOLDERS) -> None:
        super().__init__(timeout=5, allowed_protocols={"data"}, allow_redirects=False)
        self.font_folders = tuple(Path(os.path.realpath(folder)) for folder in font_folders)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:  # type: ignore[no-untyped-def]
        if url[:5].lower() == "file:":
            return URLFetcherResponse(url, read_regular_file(self.font_file(url), MAX_FONT_BYTES))
        return super().fetch(url, headers)

    def font_file(self, url: str) -> Path:
        """The font file a file:// URL names, resolved; ValueError for anything else."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
            raise ValueError(f"URI refused: {url[:200]}")
        path = Path(os.path.realpath(url2pathname(parts.path)))  # url2pathname decodes %XX
        in_a_font_folder = any(path.is_relative_to(folder) for folder in self.font_folders)
        if path.suffix.lower() not in FONT_SUFFIXES or not in_a_font_folder:
            raise ValueError(f"URI refused: only a system font file may be read, not {url[:200]}")
        return path


def weasyprint_html(html: str) -> weasyprint.HTML:
    return weasyprint.HTML(string=html, base_url=str(Path.cwd()), url_fetcher=_ProjectOnlyFetcher())


def lay_out(html: str):  # type: ignore[no-untyped-def]
    """WeasyPrint's own whole layout of `html`, with what it logged."""
    with captured_logs() as logs:
        document = weasyprint_html(html).render()
    return document, logs


def with_nudges(html: str, nudges: Nudges) -> str:
    rules = [NUDGES[kind].css.format(line=line) for line, kind in sorted(nudges)]
    return html.replace("</style>", "\n".join(rules) + "\n</style>", 1) if rules else html


class FullLayout:
    """The book laid out whole by WeasyPrint for every nudge, the nudges as CSS rules in the HTML.
    Slow (every nudge costs a whole layout) but WeasyPrint's own way: used when its layout must
    repeat itself (page-based counters, which the Book does not follow), and by the tests as the
    reference the Book must match byte for byte."""

    def __init__(self, html: str, nudges: Nudges, check: PageCheck | None = None) -> None:
        # `check` is the Book's: a whole layout is only checked whole, once made.
        self.html, self.nudges = html, frozenset(nudges)
        self._lay_out()

    def nudge(self, nudges: Nudges) -> None:
        self.nudges |= nudges
        self._lay_out()

    def document(self):  # type: ignore[no-untyped-def]
        return self._document, self._logs

    def _lay_out(self) -> None:
        self._document, self._logs = lay_out(with_nudges(self.html, self.nudges))
        self.pages = [page._page_box for page in self._document.pages]


class RepaginationNeeded(Exception):
    """WeasyPrint would lay this document out more than once (page-based counters): the Book cannot."""


class Book:
    """The print HTML laid out once, with its styles, boxes and pages kept, so that a nudge changes
    the computed styles of the boxes it concerns and re-makes only the pages around them, reusing
    the others (a page after a re-made one where it starts at the same point as before). A full layout
    with the nudge as CSS costs the whole book again (0.4 s for the essay, 3 s for 60 A5 pages).

    This reaches into WeasyPrint's layout, read in WeasyPrint 70.0: Document._render (document.py),
    layout_document and initialize_page_maker (layout/__init__.py), make_all_pages and remake_page
    (layout/page.py), ComputedStyle and AnonymousStyle (css/__init__.py). test_pdf.py fails if any
    of them changes, and holds the Book's PDFs to the FullLayout's byte for byte."""

    def __init__(self, html: str, nudges: Nudges, check: PageCheck | None = None) -> None:
        """Lay out `html` with `nudges` set. With `check`, each page is read as soon as the page
        after it is made, and the nudges it asks for are set there and then: the pages around
        them are re-made and the book goes on, rather than being made to its end and then again
        from the nudge on (which, in a book of chapters, means to the chapter's end)."""
        self.check = check
        with captured_logs() as logs:
            self.html = weasyprint_html(html)
            self.font_config = FontConfiguration()  # kept: WeasyPrint drops its fonts when it goes
            self.context, self.root = styled_boxes(self.html, self.font_config)
        self.build_logs = logs
        self.footnotes = list(self.context.footnotes)  # every note, before layout takes them
        initialize_page_maker(self.context, self.root)
        self.pages: list = []  # page boxes, before margin boxes
        self.page_logs: list[list[logging.LogRecord]] = []  # what WeasyPrint logged making each page
        self.passes_on: list[bool] = []  # a page hands notes (or a broken float) on to the next
        self.page_elements: list[frozenset | None] = []  # the elements each page holds boxes of, once asked
        self._blocks = _blocks_by_line(self.html.etree_element)
        self.nudges: Nudges = frozenset()  # those set on the boxes
        self._restyle(nudges)
        self._make_pages(0, set())

    def nudge(self, nudges: Nudges) -> None:
        """Set these nudges on the boxes too, then re-make the pages that may change: each page
        that holds a nudged box, the pages before it that may have tried to fit the box, and the
        pages after it until one starts where it did before. Pages between two such stretches are
        kept: a long book's nudges lie chapters apart."""
        redo = self._pages_to_redo(self._restyle(nudges), made_to_the_end=True)
        if redo:  # else the rule matches no laid-out box: the layout stays as it is
            self._make_pages(min(redo), redo)

    def _pages_to_redo(self, changed: set, made_to_the_end: bool) -> set[int]:
        """Each page that holds a box of the `changed` elements, and the pages before it that may
        have tried to fit the box. In a book made only so far, a box may lie on no page yet: the
        pages before the next one to make may have tried it."""
        held = [i for i in range(len(self.pages)) if changed & self._elements_on(i)]
        if changed and not made_to_the_end:
            held.append(len(self.pages))
        redo: set[int] = set()
        for index in held:
            first = max(index - PAGES_THAT_MAY_HAVE_TRIED, 0)
            while first and self.passes_on[first - 1]:  # a page continuing notes of its previous one: from there
                first -= 1
            redo.update(range(first, min(index + 1, len(self.pages))))
        return redo

    def _elements_on(self, index: int) -> frozenset:
        """The elements page `index` holds boxes of: read once per page made, not once per nudge
        (a book nudged in each chapter as it is made would read every page made so far each time)."""
        elements = self.page_elements[index]
        if elements is None:
            elements = self.page_elements[index] = frozenset(box.element for box in self.pages[index].descendants())
        return elements

    def document(self):  # type: ignore[no-untyped-def]
        """The Document, as Document._render makes it from the pages, and everything WeasyPrint logged
        for the pages it holds, in the order a whole layout logs it."""
        with captured_logs() as logs:
            pages = _finish_pages(self.html, self.context, self.pages)
            document = Document([Page(page) for page in pages], DocumentMetadata(**get_html_metadata(self.html)),
                                self.html.url_fetcher, self.font_config, {}, DEFAULT_OPTIONS["output_intent"])
        document._html = self.html
        return document, [*self.build_logs, *(record for page in self.page_logs for record in page), *logs]

    def _restyle(self, nudges: Nudges) -> set:
        """Set the nudges not set yet. The elements whose boxes changed."""
        todo = sorted(nudges - self.nudges)
        self.nudges |= nudges
        selected = [(NUDGES[kind], self._selected(line, NUDGES[kind])) for line, kind in todo]
        changed = set()
        for nudge, elements in selected:
            changed |= self._restyle_boxes(nudge, [box for element in elements for box in self._nudgeable_boxes.get(element, ())])
        return changed

    @cached_property
    def _nudgeable_boxes(self) -> dict:
        """element -> its outermost boxes, for every element a nudge may select: one walk of the
        box tree for the whole build, not one per nudge."""
        return _outermost_boxes(self.root, {e for pairs in self._blocks.values() for pair in pairs for e in pair if e is not None})

    def _selected(self, line: int, nudge: Nudge) -> set:
        """The elements the nudge's rule selects: [data-line="N"], [data-line="N"] + *, or both."""
        elements = set()
        for block, following in self._blocks.get(str(line), ()):
            if "block" in nudge.elements:
                elements.add(block)
            if "next" in nudge.elements and following is not None:
                elements.add(following)
        return elements

    def _restyle_boxes(self, nudge: Nudge, boxes: list) -> set:
        """What the nudge's CSS rule does to computed styles, done to the boxes already built: each
        box concerned gets a copy of its style (a style may be shared by many elements) with the
        rule's values. The elements whose boxes changed."""
        changed = set()
        for box in boxes:
            own = self.context.style_for(box.element)
            # The rule wins over the element's own declarations of no more weight, as in the cascade.
            values = {name: value for name, value in nudge.values.items()
                      if name not in own.cascaded or own.cascaded[name][1] <= NUDGE_WEIGHT}
            inherited = {name: value for name, value in values.items() if name in INHERITED}
            if values.keys() - inherited.keys():  # break-before: on the element's outermost box only
                box.style = box.style.copy()
                box.style.update({name: value for name, value in values.items() if name not in inherited})
            if inherited:  # orphans, widows: also every box below that inherits them
                restyled = _inheriting(own.cascaded, inherited)
                for descendant in box.descendants():
                    descendant.style = restyled(descendant.style)
            if values:
                changed.add(box.element)
        return changed

    def _make_pages(self, start: int, redo: set[int]) -> None:
        """make_all_pages from page `start` on, re-making the pages in `redo`, and any other page
        only when it would not start from the same point in the same state as before. Unlike
        make_all_pages, a page is never reused after a page that handed notes on to it. Where
        the check asks for nudges, from the first page they may change on, again."""
        restart: tuple[int, set[int]] | None = (start, redo)
        while restart:
            restart = self._make_pages_until_nudged(*restart)
        if any(state["content_changed"] or state["pages_wanted"] for *_, state in self.context.page_maker):
            raise RepaginationNeeded  # layout_document would loop again, for page-based counters

    def _make_pages_until_nudged(self, start: int, redo: set[int]) -> tuple[int, set[int]] | None:
        """The pages from `start` on, to the end or to the first page the check nudges: then the
        nudges are set and the pages to make again returned."""
        context = self.context
        old_pages, old_makers, old_logs, old_passes_on = self.pages, context.page_maker, self.page_logs, self.passes_on
        pages, logs, passes_on = old_pages[:start], old_logs[:start], old_passes_on[:start]
        old_elements, elements = self.page_elements, self.page_elements[:start]
        context.page_maker = old_makers[:start + 1]  # page_maker[i]: the state page i starts in
        # As layout_document before it repaginates: every note waits again (those on reused pages
        # are never met); nothing is handed on to the first page re-made.
        context.footnotes = _WaitingNotes(self.footnotes)
        context.reported_footnotes = []
        context.broken_out_of_flow = {}
        context.rendered_notes = []
        index = start
        while True:
            reuse = (index not in redo and index < len(old_pages) and not passes_on[-1] and not old_passes_on[index - 1]
                     and not old_passes_on[index] and context.page_maker[index][:4] == old_makers[index][:4])
            if reuse:
                context.page_maker[index] = old_makers[index]
                context.page_maker.append(old_makers[index + 1])
                page, resume_at, page_logs, passes = old_pages[index], old_makers[index + 1][0], old_logs[index], False
            else:
                context.page_maker[index][-1].update(content_changed=False, pages_wanted=False, anchors=[], content_lookups=[])
                with captured_logs() as page_logs:
                    page, resume_at = remake_page(index, context, self.root, self.html)
                passes = bool(context.reported_footnotes or context.broken_out_of_flow)
            pages.append(page)
            logs.append(page_logs)
            passes_on.append(passes)
            elements.append(old_elements[index] if reuse else None)
            index += 1
            if self.check and index >= 2 and (asked := self.check(pages, index - 2, self.nudges) - self.nudges):
                context.page_maker = context.page_maker[:index + 1]
                self.pages, self.page_logs, self.passes_on, self.page_elements = pages, logs, passes_on, elements
                again = self._pages_to_redo(self._restyle(asked), made_to_the_end=False)
                if again:
                    return min(again), again
            if resume_at is None and not context.reported_footnotes:
                break
        context.page_maker = context.page_maker[:index + 1]
        self.pages, self.page_logs, self.passes_on, self.page_elements = pages, logs, passes_on, elements
        return None


class _WaitingNotes(list):
    """WeasyPrint's list of the notes not laid out yet (LayoutContext.footnotes), answering `in`
    from a set. For each box of each line, WeasyPrint asks whether its note is waiting: a scan of
    the list, 1,100 notes long at the start of the 100x book, and as long again on every page the
    Book re-makes (every note waits again there). WeasyPrint 70.0 only appends, removes and asks
    `in` (layout/__init__.py, block.py, page.py); notes are boxes, equal only to themselves."""

    def __init__(self, notes: list) -> None:
        super().__init__(notes)
        self._waiting = set(notes)

    def __contains__(self, note: object) -> bool:
        return note in self._waiting

    def append(self, note) -> None:  # type: ignore[no-untyped-def, override]
        super().append(note)
        self._waiting.add(note)

    def remove(self, note) -> None:  # type: ignore[no-untyped-def, override]
        super().remove(note)
        if not list.__contains__(self, note):  # a scan, as list.remove's: once per note laid out
            self._waiting.discard(note)


# How many pages before a box may have tried to fit it: usually the page before, but a page
# can try a block, find no room for it, and send it on with the heading and block before it
# (break-after: avoid), whose note then fills the next page and pushes the block one page
# further. Found by comparing Books with whole relayouts on random small books: with one page,
# 1 of 120 differed (seed 56 in tests/test_pdf.py); with two, none of 400. A bound measured,
# not proved: a page's lookahead is at most a page of text, which notes can spread wider.
PAGES_THAT_MAY_HAVE_TRIED = 2


NUDGE_WEIGHT = (declaration_precedence("author", False), inf, (0, 1, 0))  # an author rule [data-line="N"] (+ *), unlayered


def _blocks_by_line(root) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """data-line value -> [(element, the element after it or None)]: what [data-line="N"] and
    [data-line="N"] + * select."""
    blocks: dict[str, list] = {}
    for parent in root.iter():
        children = [child for child in parent if isinstance(child.tag, str)]  # no comments
        for block, following in pairwise([*children, None]):
            if (line := block.get("data-line")) is not None:
                blocks.setdefault(line, []).append((block, following))
    return blocks


def _outermost_boxes(root, elements: set) -> dict:  # type: ignore[no-untyped-def]
    """element -> the boxes it makes that hold all the others it makes (a table's wrapper, not the
    table), for each of `elements`, in one walk of the tree."""
    found: dict = {}
    stack = [(root, None)]
    while stack:
        box, parent_element = stack.pop()
        if box.element in elements and box.element is not parent_element:
            found.setdefault(box.element, []).append(box)
        stack.extend((child, box.element) for child in getattr(box, "children", ()))
    return found


def _inheriting(own_cascaded: dict, values: dict):  # type: ignore[no-untyped-def]
    """style -> that style as the rule makes it, for a style under the nudged element: the element's
    own style (or a copy of it: same cascaded values) takes `values`, a style that inherits them
    takes its new parent's. Styles are WeasyPrint 70.0's ComputedStyle and AnonymousStyle: values
    computed on first use, inherited from `parent_style`."""
    made: dict[int, tuple] = {}  # id(style) -> (style, its copy): the style kept so its id stays its own

    def restyled(style):  # type: ignore[no-untyped-def]
        if style is None:
            return None
        if id(style) not in made:
            parent = style.parent_style
            if getattr(style, "cascaded", None) is own_cascaded:
                changes = values
            else:
                parent = restyled(parent)
                declared = getattr(style, "cascaded", {})  # an anonymous box declares nothing
                changes = {} if parent is style.parent_style else {n: parent[n] for n in values if n not in declared}
            new = style
            if changes:
                new = style.copy()
                new.update(changes)
                new.parent_style = parent
            made[id(style)] = (style, new)
        return made[id(style)][1]

    return restyled


def styled_boxes(html, font_config):  # type: ignore[no-untyped-def]
    """The layout context and the box tree, as Document._render (WeasyPrint 70.0) makes them."""
    counter_style = CounterStyle()
    context = Document._build_layout_context(html, font_config, counter_style, {}, DEFAULT_OPTIONS.copy())
    root = build_boxes(html.etree_element, context.style_for, context.get_image_from_uri, html.base_url,
                       context.target_collector, counter_style, context.footnotes)
    return context, root


def _finish_pages(html, context, pages):  # type: ignore[no-untyped-def]
    """The end of layout_document (WeasyPrint 70.0, layout/__init__.py), after its pagination loop:
    page totals, string-sets and bookmark labels, then margin boxes and backgrounds. Changes the
    page boxes: run once, on the pages of the final layout."""
    for _, _, _, page_state, _ in context.page_maker:
        page_state[1]["pages"] = [len(pages)]
    watch_elements: list = []
    watch_elements_before: list = []
    watch_elements_after: list = []
    for i, page in enumerate(pages):
        page_counter_values = context.page_maker[i + 1][3][1]
        for child in page.descendants():
            if child.bookmark_label:  # only one bookmark per original box
                if child.element_tag.endswith("::before"):
                    checklist = watch_elements_before
                elif child.element_tag.endswith("::after"):
                    checklist = watch_elements_after
                else:
                    checklist = watch_elements
                if child.element in checklist:
                    child.bookmark_label = ""
                else:
                    checklist.append(child.element)
            if child.missing_link:
                for (box, css_token), item in context.target_collector.counter_lookup_items.items():
                    if child.missing_link == box and css_token != "content":
                        if css_token == "bookmark-label" and not child.bookmark_label:
                            continue
                        item.parse_again(page_counter_values)
                        if css_token == "bookmark-label":
                            child.bookmark_label = box.bookmark_label
            string_sets = child.string_set
            if string_sets and string_sets != "none":
                for string_name, text in string_sets:
                    context.string_set[string_name][i + 1].append(text)
    finished = []
    for i, page in enumerate(pages):
        root, footnote_area, note_area = page.children
        root.children = [*layout_fixed_boxes(context, pages[:i], page), *root.children,
                         *layout_fixed_boxes(context, pages[i + 1:], page)]
        context.current_page = i + 1
        state = context.page_maker[context.current_page][3]
        children = [root]
        if footnote_area.children:
            children.append(footnote_area)
        if note_area.children:
            children.append(note_area)
        children.extend(make_margin_boxes(context, page, state))
        page.children = tuple(children)
        layout_backgrounds(page, context.get_image_from_uri)
        finished.append(page)
    return finished


@contextmanager
def captured_logs():  # type: ignore[no-untyped-def]
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("weasyprint")
    handler = Collect(level=logging.WARNING)
    previous = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
