"""The print PDF: the same resolved essay, set as a small book by WeasyPrint, then checked.

WeasyPrint (70.0) can set a footnote on the page after its call, or drop it, on long
documents. So after laying out we read the rendered pages back: every note must stand in the
footnote area of the page that holds its call. A misplaced note gets a nudge (a CSS rule's
effect, set on the boxes already built), found as soon as the page after its call's is made,
and the pages around the nudged blocks are made again, the others kept (footnoted.pdf_layout);
a note that cannot be placed fails the build, naming it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

import pydyf

from footnoted.diagnostics import Diagnostic, InputError, error, warning
from footnoted.disclosure import ai_disclosure, aigc_label, xmp_description, xmp_packet
from footnoted.numbering import Numbered, number_notes
from footnoted.pdf_layout import (
    BLOCK_STARTS_PAGE,
    LOOSER_ORPHANS,
    NEXT_STARTS_PAGE,
    Book,
    FootnoteAreaBox,
    FullLayout,
    Nudges,
    RepaginationNeeded,
    TextBox,
    captured_logs,
)
from footnoted.render_html import description, environment
from footnoted.resolve import Note, ResolvedEssay
from footnoted.safe_read import MAX_DRAFT_BYTES, read_regular_file
from footnoted.targets import Rendered, RenderOptions
from footnoted.tree import Image

MM_PER_PT = 25.4 / 72


class Paper(NamedTuple):
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
        pdf = document.write_pdf(pdf_identifier=_identifier(resolved), finisher=finisher(resolved), **pdf_options)
    problems = diagnostics_from_logs(resolved.essay.path, [*logs, *draw_logs], resolved.essay)
    long_notes_title = "长注" if resolved.front.is_chinese else "Long notes"  # as the book names the section
    problems += [
        warning(resolved.essay.path, notes[n - 1].line, 1, f"note {n} is longer than a page's note area can hold: "
                f"its passage is set in full under {long_notes_title} at the end, the foot of the page refers to it",
                "pdf.long-note")
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
    front, essay = resolved.front, numbered.shown_in(resolved)
    return environment().get_template("pdf.html.j2").render(
        essay=essay, front=front, target="pdf",
        notes={n.number: n for n in numbered.notes},
        description=description(essay), chinese=front.is_chinese, disclosure=ai_disclosure(resolved.essay),
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
    if not epoch:
        return front_date
    try:  # the essay is not to blame for a wrong environment: the diagnostic names the variable
        if not epoch.isdigit():
            raise ValueError
        return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%d")
    except (ValueError, OverflowError, OSError):
        shown = epoch if len(epoch) <= 30 else epoch[:29] + "…"
        message = (f"the environment variable is '{shown}', not a date: it must be whole seconds since 1970-01-01 "
                   "(at most 253402300799); set it right or unset it")
        raise InputError([error("SOURCE_DATE_EPOCH", 0, 0, message, "env.source-date-epoch")]) from None


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


def finisher(resolved: ResolvedEssay):  # type: ignore[no-untyped-def]
    """write_pdf's finisher: the AI label when the essay has AI-drafted blocks, then streams_serialized_once."""
    label, disclosure = aigc_label(resolved.essay), ai_disclosure(resolved.essay)

    def finish(document, pdf: pydyf.PDF) -> None:  # type: ignore[no-untyped-def]
        if label:
            add_ai_label(pdf, label, disclosure)
        streams_serialized_once(document, pdf)

    return finish


def add_ai_label(pdf: pydyf.PDF, label: str, disclosure: str) -> None:
    """The implicit label: /AIGC in the document Info (the key GB 45438-2025 gives file metadata) and
    TC260:AIGC in the XMP packet, beside the visible disclosure as /AIDisclosure. WeasyPrint (70)
    writes Info keys only from <meta> names it lower-cases, and XMP only for PDF/A, /UA and /X:
    so we add both here. A PDF/UA build already has a packet: the label joins its RDF."""
    pdf.info["AIGC"] = pydyf.String(label)
    pdf.info["AIDisclosure"] = pydyf.String(disclosure)
    packets = [o for o in pdf.objects if isinstance(o, pydyf.Stream) and o.extra.get("Type") == "/Metadata"]
    if packets:
        packets[0].stream = [b"".join(map(bytes, packets[0].stream)).replace(
            b"</rdf:RDF>", xmp_description(label) + b"</rdf:RDF>", 1)]
        return
    packet = pydyf.Stream([xmp_packet(label)], {"Type": "/Metadata", "Subtype": "/XML"})  # uncompressed: findable
    pdf.add_object(packet)
    pdf.catalog["Metadata"] = packet.reference


def streams_serialized_once(_document, pdf: pydyf.PDF) -> None:  # type: ignore[no-untyped-def]
    """write_pdf's finisher, called when every object is final, just before the PDF is written:
    the same bytes, 50 ms sooner for the essay."""
    pdf.objects = [_SerializedStream(o) if isinstance(o, pydyf.Stream) else o for o in pdf.objects]


# --- laying out, checking, nudging -------------------------------------------------------


def lay_out_with_checks(resolved: ResolvedEssay, print_html, notes: list[Note], call_lines: dict[int, int], layout=None):  # type: ignore[no-untyped-def]
    """Lay out, check every note's page, nudge the blocks around misplaced calls, repeat.
    A note too tall for any page's note area (WeasyPrint cannot split one) moves to the end.
    `layout` is how a nudge is laid out: the Book (only the pages it changes; it also checks each
    page as it goes, see Remedies.for_page) unless told, or, for a document whose layout WeasyPrint
    must repeat, the FullLayout (the whole book again)."""
    if layout is None:
        try:
            return lay_out_with_checks(resolved, print_html, notes, call_lines, Book)
        except RepaginationNeeded:
            layout = FullLayout
    remedy = Remedies(call_lines)
    long_notes: frozenset[int] = frozenset()
    book = layout(print_html(long_notes), frozenset(), remedy.for_page)
    while True:
        too_long = overlong_notes(book.pages)
        if too_long - long_notes:  # the HTML changes: a new layout, with the nudges so far
            long_notes |= too_long
            book = layout(print_html(long_notes), book.nudges, remedy.for_page)
            continue
        calls, placed = note_pages(book.pages)
        wrong = misplaced_notes(calls, placed, len(notes))
        if not wrong:
            document, logs = book.document()
            return document, logs, len({line for line, _ in book.nudges}), long_notes
        more = remedy.next(wrong, book.pages, calls, book.nudges)
        if not more:  # every remedy tried
            raise InputError([
                error(resolved.essay.path, notes[n - 1].line, 1, f"note {n} could not be set on the page of its call ({why})", "pdf.note-placement")
                for n, why in sorted(wrong.items())
            ])
        book.nudge(more)


class Remedies:
    """The remedies tried so far for the notes misplaced, by the line of their call's block."""

    def __init__(self, call_lines: dict[int, int]) -> None:
        self.call_lines = call_lines
        self.planned: dict[int, list[tuple[int, int]]] = {}  # call's block line -> the remedies not tried yet

    def next(self, wrong: Iterable[int], pages, calls: dict[int, int], given: Nudges) -> Nudges:  # type: ignore[no-untyped-def]
        """For each call's block with notes set elsewhere, its next remedy not given yet (none once all are)."""
        first_wrong: dict[int, int] = {}  # call's block line -> its first misplaced note
        for number in sorted(wrong):
            first_wrong.setdefault(self.call_lines[number], number)
        more: set[tuple[int, int]] = set()
        for line, number in sorted(first_wrong.items()):
            if line not in self.planned:
                self.planned[line] = remedies(line, pages, calls.get(number))
            plan = self.planned[line]
            while plan and plan[0] in given | more:
                plan.pop(0)
            if plan:
                more.add(plan.pop(0))
        return frozenset(more)

    def for_page(self, pages, index: int, given: Nudges) -> Nudges:  # type: ignore[no-untyped-def]
        """The Book's check, once the page after page `index` is made: the remedies for the calls
        on it whose notes it does not hold. Its notes are final, and the first remedy reads the
        next page. A page with a note too tall for it waits for the check of the whole book."""
        page = pages[index]
        if overlong_notes(pages[index:index + 2]):
            return frozenset()
        calls, placed = note_pages([page])
        wrong = [number for number in calls if number not in placed]
        return self.next(wrong, pages, dict.fromkeys(wrong, index + 1), given) if wrong else frozenset()


def remedies(line: int, pages, call_page: int | None) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """The nudges to try, one at a time and each kept, for a note set after its call's page.
    Every note already has `footnote-policy: line` (in the stylesheet). What still goes wrong
    (read in WeasyPrint 70's layout/block.py, and measured): when the first lines of a block at
    the foot of the page do not fit, with the notes, and orphans forbid a break before them,
    WeasyPrint moves notes already on the page to the next one to make room. So, the mildest
    first: the block that opens the next page starts it, the least white space left behind;
    then the block after the call's starts a new page; then orphans and widows are relaxed
    around the call; then the call's own block starts a new page."""
    # call_page counts from 1: pages[call_page] is the page after the call's.
    foot = opening_block(pages[call_page]) if call_page is not None and call_page < len(pages) else None
    mildest = []
    if foot is not None and foot > line and not ends_with_heading(pages[call_page - 1], leaving=foot):
        mildest = [(foot, BLOCK_STARTS_PAGE)]
    return [*mildest, (line, NEXT_STARTS_PAGE), (line, LOOSER_ORPHANS), (line, BLOCK_STARTS_PAGE)]


def opening_block(page) -> int | None:  # type: ignore[no-untyped-def]
    """The line of the block a page opens with; none where a heading or other text comes first."""
    first = next(page_flow(page), None)
    return None if first is None else block_line(first)


def ends_with_heading(page, leaving: int) -> bool:  # type: ignore[no-untyped-def]
    """Whether the page would end with a heading once the block of line `leaving` has left it:
    a page break before that block beats the heading's break-after: avoid, and would leave the
    heading alone at the foot of the page, its text on the next."""
    blocks = [box for box in page_flow(page) if not isinstance(box, TextBox) and block_line(box) != leaving]
    return bool(blocks) and blocks[-1].element_tag in HEADINGS


def page_flow(page):  # type: ignore[no-untyped-def]
    """The boxes a page's text runs through, in reading order, not looking inside them: its
    headings, its blocks with a data-line, and text outside both (a list's marker, say)."""
    stack = [page.children[0]]  # the root box; the note area and margin boxes follow it
    while stack:
        box = stack.pop()
        if box.element_tag in HEADINGS or isinstance(box, TextBox) or block_line(box) is not None:
            yield box
        else:
            stack.extend(reversed(getattr(box, "children", ())))


def block_line(box) -> int | None:  # type: ignore[no-untyped-def]
    line = box.element.get("data-line") if box.element is not None and box.element_tag else None
    return None if line is None else int(line)


HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


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


def misplaced_notes(calls: dict[int, int], notes: dict[int, int], count: int) -> dict[int, str]:
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


def diagnostics_from_logs(path: str, records: list[logging.LogRecord], essay: object = None) -> list[Diagnostic]:
    problems = []
    for record in records:
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg.startswith("Failed to load image at") and len(args) == 2 and str(args[0]).startswith("data:"):
            problems.append(_image_problem(path, essay, *args))  # one of the draft's images, embedded by parse
            continue
        message = _without_data(record.getMessage())
        if "glyph rendered for Unicode string unsupported by fonts" in message:
            missing = message.rsplit(":", 1)[-1].strip()
            line, col = _first_place(path, missing)
            problems.append(error(path, line, col, f"no font has a glyph for {missing}: it would print as a box", "pdf.missing-glyph"))
        elif message.startswith("Failed to load"):
            problems.append(error(path, 0, 0, f"the PDF may not load outside resources: {message}", "pdf.fetch-refused"))
        else:
            problems.append(warning(path, 0, 0, f"WeasyPrint: {message}", "pdf.weasyprint"))
    return problems


def _image_problem(path: str, essay: object, url: object, exception: object) -> Diagnostic:
    """An image WeasyPrint could not decode, named and placed as the draft has it, with the real cause:
    WeasyPrint's own message has the image inlined (megabytes of base64) and its cause left out."""
    cause = getattr(exception, "__cause__", None) or exception
    reason = _without_data(str(cause).strip() or type(cause).__name__)
    place = _image_places(essay).get(str(url), (0, 0)) if essay is not None else (0, 0)
    name = _image_name(path, *place) if place[0] else ""
    what = f"image '{name}'" if name else "an image"
    return error(path, *place, f"{what} cannot be put in the PDF: {reason[:200]}", "pdf.image")


def _image_places(node: object, found: dict[str, tuple[int, int]] | None = None) -> dict[str, tuple[int, int]]:
    """Each image's data: URI and its place in the draft, from the whole tree (notes too)."""
    found = {} if found is None else found
    if isinstance(node, Image):
        found.setdefault(node.src, (node.line, node.col))
    elif isinstance(node, tuple) and not isinstance(node, str):
        for child in node:
            _image_places(child, found)
    elif isinstance(node, Mapping):
        for child in node.values():
            _image_places(child, found)
    return found


def _image_name(path: str, line: int, col: int) -> str:
    """The file name written at `![…](` on that line of the draft."""
    try:
        lines = read_regular_file(path, MAX_DRAFT_BYTES).decode("utf-8", "replace").split("\n")
    except OSError:
        return ""
    match = _IMAGE_TARGET.search(lines[line - 1], col - 1) if 0 < line <= len(lines) else None
    return unquote(match.group(1) or match.group(2))[:80] if match else ""


_IMAGE_TARGET = re.compile(r"\]\(\s*(?:<([^>]*)>|([^\s)]+))")
_DATA_URI = re.compile(r"data:[^\s'\",;]*(;base64)?,[^\s'\")]{20,}")
_OBJECT = re.compile(r"\s*<[^<>]* at 0x[0-9a-f]+>")  # "<_io.BytesIO object at 0x7f…>": an address, new every run


def _without_data(message: str) -> str:
    """A message with any data: URI in it cut to its head, and without Python object addresses."""
    message = _OBJECT.sub("", message)
    return _DATA_URI.sub(lambda match: match.group()[: match.group().index(",") + 1] + "…", message)


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
