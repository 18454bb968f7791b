"""The print PDF: the same resolved essay, set as a small book by WeasyPrint, then checked.

WeasyPrint (70.0) can set a footnote on the page after its call, or drop it, on long
documents. So after laying out we read the rendered pages back: every note must stand in the
footnote area of the page that holds its call. A misplaced note gets a nudge (a CSS rule's
effect, set on the boxes already built) and the pages from there on are made again, the others
kept; a note that cannot be placed fails the build, naming it.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from math import inf
from pathlib import Path

import pydyf
import weasyprint
from weasyprint import DEFAULT_OPTIONS
from weasyprint.css import declaration_precedence
from weasyprint.css.counters import CounterStyle
from weasyprint.css.properties import INHERITED
from weasyprint.document import Document, Page
from weasyprint.formatting_structure.boxes import FootnoteAreaBox
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint.html import get_html_metadata
from weasyprint.layout import initialize_page_maker, layout_fixed_boxes
from weasyprint.layout.background import layout_backgrounds
from weasyprint.layout.page import make_margin_boxes, remake_page
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from footnoted.diagnostics import Diagnostic, InputError, error, warning
from footnoted.numbering import Numbered, number_notes
from footnoted.render_html import description, environment
from footnoted.resolve import Note, ResolvedEssay
from footnoted.targets import Rendered, RenderOptions

MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Paper:
    width_mm: float
    height_mm: float
    font_pt: float
    chars_per_line: int  # the measure, in Chinese characters: full lines then fill it exactly
    top_mm: float
    bottom_mm: float


PAPERS = {
    "a5": Paper(148, 210, 10.5, 30, 18, 20),
    "b5": Paper(176, 250, 11, 34, 22, 24),
    "a4": Paper(210, 297, 12, 38, 25, 27),
}

PDF_TIME_LIMIT_S = 600  # a draft that makes WeasyPrint loop must not hang CI

# Escalating remedies for a note WeasyPrint sets on the page after its call, mildest first.
# Every note already has `footnote-policy: line` (in the stylesheet). What still goes wrong
# (read in WeasyPrint 70's layout/block.py, and measured): when the first lines of the
# *next* block do not fit at the foot of the page and orphans forbid a break before them,
# WeasyPrint moves notes already on the page to the next one to make room. So: start that
# next block on a new page; failing that, relax orphans and widows around the call; failing
# that, start the call's own block on a new page. The remedy that works most often comes first.
@dataclass(frozen=True)
class Nudge:
    css: str  # the rule, for a layout from the HTML
    elements: tuple[str, ...]  # what it selects: "block" [data-line="N"], "next" [data-line="N"] + *
    values: dict[str, object]  # the computed values it gives them (the Book sets them on the boxes)


NUDGES = (
    Nudge('[data-line="{line}"] + * {{ break-before: page; }}', ("next",), {"break_before": "page"}),
    Nudge('[data-line="{line}"], [data-line="{line}"] + * {{ orphans: 1; widows: 1; }}', ("block", "next"), {"orphans": 1, "widows": 1}),
    Nudge('[data-line="{line}"] {{ break-before: page; }}', ("block",), {"break_before": "page"}),
)


def render_pdf(resolved: ResolvedEssay, options: RenderOptions) -> Rendered:
    try:
        with time_limit(PDF_TIME_LIMIT_S):
            return _render_pdf(resolved, options)
    except InputError:
        raise
    except TimeoutError:
        raise InputError([error(resolved.essay.path, 0, 0, f"the PDF took longer than {PDF_TIME_LIMIT_S} s to lay out", "pdf.timeout")]) from None
    except Exception as exc:  # a crash inside WeasyPrint: report it, never a traceback
        raise InputError([error(resolved.essay.path, 0, 0, f"WeasyPrint failed: {type(exc).__name__}: {exc}", "pdf.engine")]) from None


def _render_pdf(resolved: ResolvedEssay, options: RenderOptions, layout=None) -> Rendered:  # type: ignore[no-untyped-def]
    numbered = number_notes(resolved, "pdf", link_notes=True)
    notes = list(numbered.notes)

    def print_html(long_notes: frozenset[int]) -> str:
        return print_document_html(resolved, options, long_notes, numbered)

    document, logs, nudged, long_notes = lay_out_with_checks(resolved, print_html, notes, numbered.call_lines, layout)
    pdf_options = {"pdf_variant": "pdf/ua-1", "pdf_tags": True} if options.pdf_tagged else {}
    with captured_logs() as draw_logs:
        pdf = document.write_pdf(pdf_identifier=_identifier(resolved), finisher=streams_serialized_once, **pdf_options)
    problems = diagnostics_from_logs(resolved.essay.path, [*logs, *draw_logs])
    problems += [
        warning(resolved.essay.path, notes[n - 1].line, 1, f"note {n} is longer than a page's note area can hold: "
                "its passage is set in full under 长注 at the end, the foot of the page refers to it", "pdf.long-note")
        for n in sorted(long_notes)
    ]
    if any(p.severity.value == "error" for p in problems):
        raise InputError(problems)
    pages = len(document.pages)
    summary = f"{pages} pages, {len(notes)} notes each on the page of its call"
    if nudged:
        summary += f" ({nudged} block{'s' if nudged > 1 else ''} nudged)"
    return Rendered(files=((f"{resolved.essay.stem}.pdf", pdf),), summary=summary, diagnostics=tuple(problems))


def print_document_html(resolved: ResolvedEssay, options: RenderOptions, long_notes: frozenset[int] = frozenset(),
                        numbered: Numbered | None = None) -> str:
    """The print HTML, as WeasyPrint gets it (before any nudge)."""
    numbered = numbered or number_notes(resolved, "pdf", link_notes=True)
    front = resolved.front
    return environment().get_template("pdf.html.j2").render(
        essay=resolved._replace(blocks=numbered.blocks, notes=numbered.notes, references=numbered.references), front=front, target="pdf",
        notes={n.number: n for n in numbered.notes},
        description=description(resolved), chinese=front.is_chinese, has_llm_text=resolved.essay.has_llm_text,
        page=page_geometry(PAPERS[options.paper or front.paper]), press=options.pdf_press,
        edition_date=edition_date(front.date), long_notes=long_notes,
    )


# --- notes for paper -------------------------------------------------------------


# --- page geometry ----------------------------------------------------------------


def page_geometry(paper: Paper) -> dict[str, str]:
    measure = paper.chars_per_line * paper.font_pt * MM_PER_PT
    spare = paper.width_mm - measure
    inner = spare * 0.55  # the wider margin at the spine, for binding
    return {
        "width": f"{paper.width_mm}mm", "height": f"{paper.height_mm}mm", "font_size": f"{paper.font_pt}pt",
        "measure": f"{paper.chars_per_line * paper.font_pt:.2f}pt", "inner": f"{inner:.3f}mm",
        "outer": f"{spare - inner:.3f}mm", "top": f"{paper.top_mm}mm", "bottom": f"{paper.bottom_mm}mm",
        "text_height": f"{paper.height_mm - paper.top_mm - paper.bottom_mm - 1}mm",
    }


def edition_date(front_date: str) -> str:
    """The edition date: SOURCE_DATE_EPOCH when set (reproducible builds), else the essay's date,
    else none (a date that changed with every build would change the bytes)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%d")
    return front_date


def _identifier(resolved: ResolvedEssay) -> bytes:
    """A fixed PDF /ID from the essay's name: the same input gives the same bytes."""
    return resolved.essay.stem.encode("utf-8")[:32].ljust(16, b"-")


class _SerializedStream(pydyf.Stream):
    """A PDF stream serialized, and deflated, once: pydyf (0.13) serializes every stream twice when
    the PDF has an /ID, once to write it and once more to hash the whole file for the ID."""

    def __init__(self, stream: pydyf.Stream) -> None:
        self.__dict__.update(stream.__dict__)
        self._data = stream.data

    @property
    def data(self) -> bytes:
        return self._data


def streams_serialized_once(_document, pdf: pydyf.PDF) -> None:  # type: ignore[no-untyped-def]
    """write_pdf's finisher, called when every object is final, just before the PDF is written:
    the same bytes, 50 ms sooner for the essay."""
    pdf.objects = [_SerializedStream(o) if isinstance(o, pydyf.Stream) else o for o in pdf.objects]


# --- laying out, checking, nudging -------------------------------------------------------


class _ProjectOnlyFetcher(URLFetcher):
    """Fetches nothing from the network and no file: our HTML embeds everything as data: URIs."""

    def __init__(self) -> None:
        super().__init__(timeout=5, allowed_protocols={"data"}, allow_redirects=False)


def _html(html: str) -> weasyprint.HTML:
    return weasyprint.HTML(string=html, base_url=str(Path.cwd()), url_fetcher=_ProjectOnlyFetcher())


def lay_out(html: str):  # type: ignore[no-untyped-def]
    """WeasyPrint's own whole layout of `html`, with what it logged."""
    with captured_logs() as logs:
        document = _html(html).render()
    return document, logs


def lay_out_with_checks(resolved: ResolvedEssay, print_html, notes: list[Note], call_lines: dict[int, int], layout=None):  # type: ignore[no-untyped-def]
    """Lay out, check every note's page, nudge the blocks around misplaced calls, repeat.
    A note too tall for any page's note area (WeasyPrint cannot split one) moves to the end.
    `layout` is how a nudge is laid out: the Book (only the pages it changes) unless told, or,
    for a document whose layout WeasyPrint must repeat, the FullLayout (the whole book again)."""
    if layout is None:
        try:
            return lay_out_with_checks(resolved, print_html, notes, call_lines, Book)
        except RepaginationNeeded:
            layout = FullLayout
    levels: dict[int, int] = {}  # block line -> how many nudges it has had
    long_notes: frozenset[int] = frozenset()
    book = layout(print_html(long_notes), levels)
    while True:
        too_long = overlong_notes(book.pages)
        if too_long - long_notes:  # the HTML changes: a new layout, with the nudges so far
            long_notes |= too_long
            book = layout(print_html(long_notes), levels)
            continue
        wrong = misplaced_notes(book.pages, len(notes))
        if not wrong:
            document, logs = book.document()
            return document, logs, len(levels), long_notes
        lines = {call_lines[number] for number in wrong}
        if any(levels.get(line, 0) >= len(NUDGES) for line in lines):
            break
        for line in lines:
            levels[line] = levels.get(line, 0) + 1
        book.nudge({line: levels[line] for line in lines})
    raise InputError([
        error(resolved.essay.path, notes[n - 1].line, 1, f"note {n} could not be set on the page of its call ({why})", "pdf.note-placement")
        for n, why in sorted(wrong.items())
    ])


def _with_nudges(html: str, levels: dict[int, int]) -> str:
    rules = [NUDGES[level].css.format(line=line) for line, count in sorted(levels.items()) for level in range(count)]
    return html.replace("</style>", "\n".join(rules) + "\n</style>", 1) if rules else html


class FullLayout:
    """The book laid out whole by WeasyPrint for every nudge, the nudges as CSS rules in the HTML.
    Slow (every nudge costs a whole layout) but WeasyPrint's own way: used when its layout must
    repeat itself (page-based counters, which the Book does not follow), and by the tests as the
    reference the Book must match byte for byte."""

    def __init__(self, html: str, levels: dict[int, int]) -> None:
        self.html, self.levels = html, dict(levels)
        self._lay_out()

    def nudge(self, levels: dict[int, int]) -> None:
        self.levels.update(levels)
        self._lay_out()

    def document(self):  # type: ignore[no-untyped-def]
        return self._document, self._logs

    def _lay_out(self) -> None:
        self._document, self._logs = lay_out(_with_nudges(self.html, self.levels))
        self.pages = [page._page_box for page in self._document.pages]


class RepaginationNeeded(Exception):
    """WeasyPrint would lay this document out more than once (page-based counters): the Book cannot."""


class Book:
    """The print HTML laid out once, with its styles, boxes and pages kept, so that a nudge changes
    the computed styles of the boxes it concerns and re-makes only the pages from there on, reusing
    the pages before (and after, where a page starts at the same point as before). A full layout
    with the nudge as CSS costs the whole book again (0.4 s for the essay, 3 s for 60 A5 pages).

    This reaches into WeasyPrint's layout, read in WeasyPrint 70.0: Document._render (document.py),
    layout_document and initialize_page_maker (layout/__init__.py), make_all_pages and remake_page
    (layout/page.py), ComputedStyle and AnonymousStyle (css/__init__.py). test_pdf.py fails if any
    of them changes, and holds the Book's PDFs to the FullLayout's byte for byte."""

    def __init__(self, html: str, levels: dict[int, int]) -> None:
        with captured_logs() as logs:
            self.html = _html(html)
            self.font_config = FontConfiguration()  # kept: WeasyPrint drops its fonts when it goes
            self.context, self.root = _styled_boxes(self.html, self.font_config)
        self.build_logs = logs
        self.footnotes = list(self.context.footnotes)  # every note, before layout takes them
        initialize_page_maker(self.context, self.root)
        self.pages: list = []  # page boxes, before margin boxes
        self.page_logs: list[list[logging.LogRecord]] = []  # what WeasyPrint logged making each page
        self.passes_on: list[bool] = []  # a page hands notes (or a broken float) on to the next
        self._blocks = _blocks_by_line(self.html.etree_element)
        self.levels: dict[int, int] = {}  # block line -> nudges set on its boxes (as FullLayout's levels)
        self._restyle(levels)
        self._make_pages(0, -1)

    def nudge(self, levels: dict[int, int]) -> None:
        """Bring each block line to `levels[line]` nudges, then re-make the pages that may change:
        from the page before the first nudged box (that page may have tried to fit it), through
        the last page that held one."""
        changed = self._restyle(levels)
        held = [i for i, page in enumerate(self.pages) if any(box.element in changed for box in page.descendants())]
        if not held:
            return  # the rule matches no laid-out box: the layout stays as it is
        start = max(held[0] - 1, 0)
        while start and self.passes_on[start - 1]:  # a page continuing notes of its previous one: from there
            start -= 1
        self._make_pages(start, held[-1])

    def document(self):  # type: ignore[no-untyped-def]
        """The Document, as Document._render makes it from the pages, and everything WeasyPrint logged
        for the pages it holds, in the order a whole layout logs it."""
        with captured_logs() as logs:
            pages = _finish_pages(self.html, self.context, self.pages)
            document = Document([Page(page) for page in pages], DocumentMetadata(**get_html_metadata(self.html)),
                                self.html.url_fetcher, self.font_config, {}, DEFAULT_OPTIONS["output_intent"])
        document._html = self.html
        return document, [*self.build_logs, *(record for page in self.page_logs for record in page), *logs]

    def _restyle(self, levels: dict[int, int]) -> set:
        """The nudges each line has not had yet, up to `levels[line]`. The elements whose boxes changed."""
        changed = set()
        for line, level in sorted(levels.items()):
            for nudge in NUDGES[self.levels.get(line, 0):level]:
                changed |= self._restyle_one(line, nudge)
            self.levels[line] = max(level, self.levels.get(line, 0))
        return changed

    def _restyle_one(self, line: int, nudge: Nudge) -> set:
        """What the nudge's CSS rule does to computed styles, done to the boxes already built: each
        box concerned gets a copy of its style (a style may be shared by many elements) with the
        rule's values. The elements whose boxes changed."""
        elements = set()
        for block, following in self._blocks.get(str(line), ()):
            if "block" in nudge.elements:
                elements.add(block)
            if "next" in nudge.elements and following is not None:
                elements.add(following)
        changed = set()
        for box in _outermost_boxes(self.root, elements):
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

    def _make_pages(self, start: int, redo_until: int) -> None:
        """make_all_pages, re-making every page from `start` through `redo_until`, and a later page
        only when it would not start from the same point in the same state as before. Unlike
        make_all_pages, a page is never reused after a page that handed notes on to it."""
        context = self.context
        old_pages, old_makers, old_logs, old_passes_on = self.pages, context.page_maker, self.page_logs, self.passes_on
        pages, logs, passes_on = old_pages[:start], old_logs[:start], old_passes_on[:start]
        context.page_maker = old_makers[:start + 1]  # page_maker[i]: the state page i starts in
        # As layout_document before it repaginates: every note waits again (those on reused pages
        # are never met); nothing is handed on to the first page re-made.
        context.footnotes = list(self.footnotes)
        context.reported_footnotes = []
        context.broken_out_of_flow = {}
        context.rendered_notes = []
        index = start
        while True:
            reuse = (redo_until < index < len(old_pages) and not passes_on[-1] and not old_passes_on[index - 1]
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
            index += 1
            if resume_at is None and not context.reported_footnotes:
                break
        context.page_maker = context.page_maker[:index + 1]
        self.pages, self.page_logs, self.passes_on = pages, logs, passes_on
        if any(state["content_changed"] or state["pages_wanted"] for *_, state in context.page_maker):
            raise RepaginationNeeded  # layout_document would loop again, for page-based counters


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


def _outermost_boxes(root, elements: set):  # type: ignore[no-untyped-def]
    """The boxes an element makes that hold all the others it makes (a table's wrapper, not the table)."""
    stack = [root]
    while stack:
        box = stack.pop()
        if box.element in elements:
            yield box
        else:
            stack.extend(getattr(box, "children", ()))


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


def _styled_boxes(html, font_config):  # type: ignore[no-untyped-def]
    """The layout context and the box tree, as Document._render (WeasyPrint 70.0) makes them."""
    counter_style = CounterStyle()
    context = Document._build_layout_context(html, font_config, counter_style, {}, DEFAULT_OPTIONS.copy())
    root = build_formatting_structure(html.etree_element, context.style_for, context.get_image_from_uri, html.base_url,
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


def note_pages(pages) -> tuple[dict[int, int], dict[int, int]]:  # type: ignore[no-untyped-def]
    """Where each note's call and each note stand, by page number (1-based), read from the page boxes."""
    calls: dict[int, int] = {}
    notes: dict[int, int] = {}
    for page_number, page in enumerate(pages, 1):
        stack = [(page, False)]
        while stack:
            box, in_footnotes = stack.pop()
            in_footnotes = in_footnotes or isinstance(box, FootnoteAreaBox)
            element_id = box.element.get("id", "") if box.element is not None and box.element_tag else ""
            if element_id.startswith("call-") and not in_footnotes:
                calls.setdefault(int(element_id[5:]), page_number)
            elif element_id.startswith("fn-") and in_footnotes:
                notes.setdefault(int(element_id[3:]), page_number)
            stack.extend((child, in_footnotes) for child in getattr(box, "children", ()))
    return calls, notes


def misplaced_notes(pages, count: int) -> dict[int, str]:  # type: ignore[no-untyped-def]
    calls, notes = note_pages(pages)
    wrong = {}
    for number in range(1, count + 1):
        if number not in calls:
            wrong[number] = "its call is missing from the pages"
        elif number not in notes:
            wrong[number] = f"the note is missing; its call is on page {calls[number]}"
        elif notes[number] != calls[number]:
            wrong[number] = f"call on page {calls[number]}, note on page {notes[number]}"
    return wrong


def overlong_notes(pages) -> frozenset[int]:  # type: ignore[no-untyped-def]
    """Notes taller than the note area may grow (75% of the page, see print.css)."""
    numbers = set()
    for page in pages:
        for area in (c for c in page.children if isinstance(c, FootnoteAreaBox)):
            limit = page.height * 0.75
            for box in area.children:
                if box.margin_height() > limit and box.element is not None:
                    numbers.add(int(box.element.get("id", "fn-0")[3:]))
    return frozenset(numbers)


# --- WeasyPrint's logger as our diagnostics ------------------------------------------


@contextmanager
def time_limit(seconds: int):  # type: ignore[no-untyped-def]
    """Raise TimeoutError in the main thread after `seconds` (elsewhere, no limit: no signals there)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum, _frame):  # type: ignore[no-untyped-def]
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


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


def diagnostics_from_logs(path: str, records: list[logging.LogRecord]) -> list[Diagnostic]:
    problems = []
    for record in records:
        message = record.getMessage()
        if "glyph rendered for Unicode string unsupported by fonts" in message:
            missing = message.rsplit(":", 1)[-1].strip()
            line, col = _first_place(path, missing)
            problems.append(error(path, line, col, f"no font has a glyph for {missing}: it would print as a box", "pdf.missing-glyph"))
        elif message.startswith("Failed to load"):
            problems.append(error(path, 0, 0, f"the PDF may not load outside resources: {message}", "pdf.fetch-refused"))
        else:
            problems.append(warning(path, 0, 0, f"WeasyPrint: {message}", "pdf.weasyprint"))
    return problems


def _first_place(path: str, described: str) -> tuple[int, int]:
    """Where the draft first uses a character WeasyPrint names as '"x" (U+E000)'; (0, 0) if not in it."""
    character = described[1:2] if described.startswith('"') else ""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return (0, 0)
    offset = text.find(character) if character else -1
    if offset < 0:
        return (0, 0)
    line_start = text.rfind("\n", 0, offset) + 1
    return (text.count("\n", 0, offset) + 1, offset - line_start + 1)
