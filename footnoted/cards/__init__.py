"""Xiaohongshu image cards: the essay as a note of 1080×1440 PNG cards, with its citations kept.

`--target xhs` renders the text series (footnoted.render_xhs) and, unless `--xhs-cards no`, the
cards beside it, from the same resolved essay:

    <stem>.xhs/cards/01.png …   a cover, the text cards, the 出处 card(s)
    <stem>.xhs/note.txt         the note's title, a blank line, its body (at most 1000)

Past the card cap (18, `--xhs-max-cards`) the essay is cut at headings into several notes, each
in a folder of its own: `<stem>.xhs/note-1/cards/…` and `<stem>.xhs/note-1/note.txt`, ….

Stages: content (the essay as atoms, footnoted.cards.content), pagination (WeasyPrint says what
fits, footnoted.cards.layout), then one PDF per note, rasterised (footnoted.cards.png).
WeasyPrint is imported only when cards are made.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import NamedTuple

from footnoted.diagnostics import Diagnostic, InputError, error, warning
from footnoted.disclosure import aigc_label
from footnoted.render_xhs import BODY_LIMIT, TITLE_LIMIT, render_xhs, title_count, utf16_units
from footnoted.resolve import ResolvedEssay
from footnoted.targets import Rendered, RenderOptions
from footnoted.typography import clipped, has_cjk

DEFAULT_ACCENT = "#b5442f"
LEAD_CHARACTERS = 90  # the cover's lead: a thumbnail's worth


def render_xhs_with_cards(resolved: ResolvedEssay, options: RenderOptions) -> Rendered:
    text = render_xhs(resolved, options)
    if not options.xhs_cards:
        return text
    notes = render_cards(resolved, options)
    files = [*text.files]
    for note in notes.notes:
        files += [(f"{notes.folder}/{note.place}note.txt", note.text.encode("utf-8"))]
        files += [(f"{notes.folder}/{note.place}cards/{index:02d}.png", png) for index, png in enumerate(note.pngs, 1)]
    summary = "; ".join(p for p in (text.summary, notes.summary) if p)
    return text._replace(files=tuple(files), summary=summary, diagnostics=(*text.diagnostics, *notes.diagnostics))


class NoteOut(NamedTuple):
    place: str  # "" for a single note, else "note-1/", …
    text: str  # note.txt
    pngs: tuple[bytes, ...]
    card_texts: tuple[str, ...]  # the words on each card, as laid out (for the tests)
    cards: tuple  # the layout's Card values


class CardsOut(NamedTuple):
    folder: str
    notes: tuple[NoteOut, ...]
    summary: str
    diagnostics: tuple[Diagnostic, ...]
    pdfs: tuple[bytes, ...]  # each note's cards as PDF pages, before rasterising (for the tests)
    layouts: int  # WeasyPrint layouts made (the tests count work, not time)


def render_cards(resolved: ResolvedEssay, options: RenderOptions) -> CardsOut:
    from footnoted.render_pdf import time_limit

    try:
        with time_limit(600):
            return _Cards(resolved, options).render()
    except InputError:
        raise
    except TimeoutError:
        raise InputError([error(resolved.essay.path, 0, 0, "the cards took longer than 600 s to lay out",
                                "xhs.cards-timeout")]) from None
    except Exception as exc:  # WeasyPrint or pdftoppm failed: a diagnostic, never a traceback
        raise InputError([error(resolved.essay.path, 0, 0, f"the cards could not be made: {type(exc).__name__}: {exc}",
                                "xhs.cards-engine")]) from None


class _Cards:
    def __init__(self, resolved: ResolvedEssay, options: RenderOptions) -> None:
        from footnoted.cards.content import ContentBuilder

        self.resolved, self.options, self.front = resolved, options, resolved.front
        self.chinese = self.front.is_chinese
        self.path = resolved.essay.path
        self.diagnostics: list[Diagnostic] = []
        builder = ContentBuilder(resolved, options)
        self.content = builder.build()
        self.disclosure, self.tags = builder.writer.disclosure, builder.writer.tags  # as the text series words them
        self.label = aigc_label(resolved.essay)
        self.title = self.front.xhs_title or self.front.title

    def warn(self, line: int, message: str, code: str) -> None:
        self.diagnostics.append(warning(self.path, line, 1 if line else 0, message, code))

    def render(self) -> CardsOut:
        from footnoted.cards.layout import Layout, Paginator
        from footnoted.render_html import running_text

        accent = self.front.accent or DEFAULT_ACCENT
        page = {"front": self.front, "chinese": self.chinese, "accent": accent,
                "running_title": _css_string(running_text(self.title, self.chinese))}
        self.layout = Layout(page)
        self.paginator = Paginator(self.layout, self.content.foot, self.disclosure, self.warn)
        cap = self.options.xhs_max_cards
        atoms = list(self.content.atoms)
        text_cards = self.paginator.paginate(atoms)
        groups = [text_cards]
        cut_message = ""
        references = self.reference_cards(text_cards, last=True)
        if 1 + len(text_cards) + len(references) > cap:
            groups, cut_message = self.cut(atoms, cap, 1 + len(text_cards) + len(references))
        notes, pdfs = [], []
        for index, cards in enumerate(groups, 1):
            several = len(groups) > 1
            refs = references if cards is text_cards else self.reference_cards(cards, last=index == len(groups))
            cover = self.cover(cards, index, len(groups))
            whole = [cover, *cards, *refs]
            pngs, pdf = self.pictures(whole)
            place = f"note-{index}/" if several else ""
            notes.append(NoteOut(place, self.note_text(cards, index, len(groups)), tuple(pngs),
                                 tuple(_words(card) for card in whole), tuple(whole)))
            pdfs.append(pdf)
        counts = ", ".join(str(len(n.pngs)) for n in notes)
        summary = f"{sum(len(n.pngs) for n in notes)} cards" + (f" in {len(notes)} notes ({counts})" if len(notes) > 1 else "")
        if cut_message:
            summary += "; " + cut_message
        return CardsOut(f"{self.resolved.essay.stem}.xhs", tuple(notes), summary, tuple(self.diagnostics), tuple(pdfs),
                        self.layout.layouts)

    # --- notes past the cap ---

    def cut(self, atoms: list, cap: int, total: int) -> tuple[list[list], str]:
        """The essay cut at headings into notes of at most `cap` cards each (cover and 出处 included).
        Each section (a heading and what follows, to the next heading) is paginated on its own,
        and sections join a note while its cards stay within the cap. A section too long for a
        note of its own is cut between cards, and the message says so."""
        sections: list[list] = [[]]
        for atom in atoms:
            if atom.kind == "heading" and sections[-1]:
                sections.append([])
            sections[-1].append(atom)
        groups: list[list] = [[]]
        starts: list[str] = []
        forced = []
        for section in sections:
            cards = self.paginator.paginate(section)
            if groups[-1] and self.size(groups[-1] + cards) > cap:
                groups.append([])
                starts.append(section[0].text if section[0].kind == "heading" else "")
            for card in cards:
                if groups[-1] and self.size(groups[-1] + [card]) > cap:  # one section longer than a note
                    groups.append([])
                    starts.append("")
                    forced.append(section[0].text[:20])
                groups[-1].append(card)
        places = ", ".join(f"note {i} from '{start}'" if start else f"note {i} between cards" for i, start in enumerate(starts, 2))
        # Said in the build's summary, not as a warning: cutting is what the cap asks for, and
        # --strict (warnings as errors) would refuse every long essay. A section cut between
        # cards, not at a heading, is a warning.
        message = (f"{total} cards are more than a note holds ({cap}, --xhs-max-cards): cut at headings into "
                   f"{len(groups)} notes, each in its own folder ({places})")
        if forced:
            self.warn(0, f"a section is longer than a note of {cap} cards ('{forced[0]}'): cut between cards, "
                      "not at a heading", "xhs.cards-cut-section")
        return groups, message

    def size(self, cards: list) -> int:
        """A note's cards: its cover, these, and its 出处 cards, counted at the fewest sources a full
        出处 card of the whole essay holds (laying the list out again for every card tried cost
        three layouts a card)."""
        called = {n for card in cards for atom in card.atoms for n in atom.notes}
        sources = len({key for n in called for key in self.content.cited_by_note.get(n, ())})
        return 1 + len(cards) + -(-sources // self.per_references_card)

    @cached_property
    def per_references_card(self) -> int:
        """The fewest sources a full 出处 card of the whole essay holds."""
        every = self.paginator.paginate(list(self.content.references), kind="references")
        counts = [sum(a.kind == "reference" for a in card.atoms) for card in every]
        return max(1, min(counts[:-1] or counts or [1]))

    def reference_cards(self, cards: list, last: bool) -> list:
        """The 出处 card(s) for the sources cited on these cards (with the last note, those cited nowhere)."""
        refs = self.content.references
        if not refs:
            return []
        called = {n for card in cards for atom in card.atoms for n in atom.notes}
        cited = {key for n in called for key in self.content.cited_by_note.get(n, ())}
        every_cited = {key for keys in self.content.cited_by_note.values() for key in keys}
        chosen = [atom for atom, key in zip(refs[1:], self.content.reference_keys, strict=True)
                  if key in cited or (last and key not in every_cited)]
        if not chosen:
            return []
        return self.paginator.paginate([refs[0], *chosen], kind="references")

    # --- the cover and the note's text ---

    @cached_property
    def lead(self) -> str:
        """The essay's opening words, for the first note's cover and text."""
        from footnoted.render_html import description

        from footnoted.numbering import number_notes

        shown = number_notes(self.resolved, "xhs", link_notes=False).shown_in(self.resolved)  # not a paragraph hidden here
        return re.sub(r"\s+", " ", description(shown)).strip()

    def cover(self, cards: list, index: int, count: int):  # type: ignore[no-untyped-def]
        from footnoted.cards.layout import Card

        byline = " · ".join(p for p in (self.front.author, self.front.date) if p)
        kicker = ("长文 · 附出处" if self.chinese else "Essay · with sources") + (f" · {index}/{count}" if count > 1 else "")
        lead = self.lead if index == 1 else _first_words(cards)
        lead = clipped(lead, LEAD_CHARACTERS)
        card = Card("cover", (), "", (), "", kicker, byline, lead, self.tags)
        while not self.layout.fits(card) and card.lead:  # a long title: the lead gives way
            shorter = clipped(card.lead.removesuffix("…"), len(card.lead) * 2 // 3).removesuffix("…") + "…"
            card = card._replace(lead=shorter if 1 < len(shorter) < len(card.lead) else "")
        return card

    def note_text(self, cards: list, index: int, count: int) -> str:
        """note.txt: the title (at most 20 as the editor counts), a blank line, the body (at most 1000)."""
        title = self.title
        if count > 1:
            suffix = f" {index}/{count}"
            while title and title_count(title + suffix) > TITLE_LIMIT:
                title = title[:-1]
            title = title.rstrip() + suffix
        see = "全文见图" if self.chinese else "Full text in the images"
        llm = any(atom.llm for card in cards for atom in card.atoms)
        tail = [see + ("。" if self.chinese else ".")]
        if llm and self.disclosure:
            tail.append(self.disclosure)
        if self.tags:
            tail.append(self.tags)
        lead = self.lead if index == 1 else _first_words(cards)
        room = BODY_LIMIT - utf16_units("\n\n".join(["", *tail]))
        if utf16_units(lead) > room:
            while lead and utf16_units(lead + "…") > room:
                lead = lead[:-1]
            lead += "…"
        body = "\n\n".join([lead, *tail] if lead else tail)
        return f"{title}\n\n{body}\n"

    # --- pictures ---

    def pictures(self, cards: list) -> tuple[list[bytes], bytes]:
        from footnoted.cards.png import rasterise, with_metadata
        from footnoted.render_pdf import streams_serialized_once

        document = self.layout.document(cards)
        if len(document.pages) != len(cards):  # each card was laid out alone and fitted: this would be our bug
            raise InputError([error(self.path, 0, 0, f"{len(cards)} cards made {len(document.pages)} pages",
                                    "xhs.cards-layout")])
        pdf = document.write_pdf(pdf_identifier=self.resolved.essay.stem.encode("utf-8")[:32].ljust(16, b"-"),
                                 finisher=streams_serialized_once)
        pngs = rasterise(pdf)
        out = []
        for card, png in zip(cards, pngs, strict=True):
            text = {"Software": "footnoted"}
            if card.label and self.label:
                text["AIGC"] = self.label
                text["AIDisclosure"] = self.disclosure
            out.append(with_metadata(png, text))
        return out, pdf


def _words(card) -> str:  # type: ignore[no-untyped-def]
    from footnoted.cards.layout import card_texts

    return card_texts([card])[0]


def _first_words(cards: list, limit: int = 200) -> str:
    """A later note's lead: the words its text opens with (its heading, its first sentences; no
    quoted passage or source), about `limit` characters."""
    words: list[str] = []
    for atom in (atom for card in cards for atom in card.atoms):
        if sum(map(len, words)) >= limit:
            break
        if atom.kind in ("text", "heading") and not any(frame.key.startswith("fig") for frame in atom.path):
            colon = ("：" if has_cjk(atom.text) else ": ") if atom.kind == "heading" else ""
            words.append(atom.text + colon)
    text = re.sub(r"\s+", " ", "".join(words)).strip()
    return clipped(text, limit)


def _css_string(text: str):  # type: ignore[no-untyped-def]
    """Text for a CSS string in the stylesheet (the running title): quotes, backslashes, line ends
    and '<' (which could close the <style>) as CSS escapes. Safe for the template: HTML entities
    mean nothing inside <style>."""
    from markupsafe import Markup

    return Markup(re.sub(r'["\\\n<>&]', lambda m: f"\\{ord(m.group()):x} ", text))
