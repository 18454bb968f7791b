"""Cards laid out by WeasyPrint: which atoms fill each card, and the pages of a whole note.

A card is one page (1080×1440 CSS px). Whether some atoms fit one card is WeasyPrint's answer,
not ours: the card is laid out alone and fits when it makes one page, its notes' short sources
in the footnote area at its foot. A count of characters only guesses where to start looking;
the search then lays out a card at most a few times. Cards are filled in order, each as full
as it can be, ending only between atoms (sentences), never after a heading or a paragraph that
leads into what follows. An atom too tall for an empty card is cut finer (content.finer_atoms).
"""

from __future__ import annotations

import html as html_module
from typing import NamedTuple

# First: WeasyPrint imported without its slow library search, before any of its modules.
from footnoted.weasyprint_import import weasyprint  # noqa: I001
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from footnoted.cards.content import Atom, finer_atoms
from footnoted.pdf_subset import _harfbuzz_subset  # noqa: F401  font subsets in one pass: installed when imported
from footnoted.render_html import environment
from footnoted.typography import is_cjk

# What one card holds, in units of a Chinese character at body size, for the first guess only.
_GUESS_CAPACITY = 400
_FOOT_UNITS = 14  # a foot line takes about this much of the card's room


class Card(NamedTuple):
    kind: str  # "cover", "text", "references"
    atoms: tuple[Atom, ...] = ()
    body: str = ""
    foot: tuple[tuple[int, str], ...] = ()
    label: str = ""  # the AI label, on a card holding AI-drafted text
    kicker: str = ""
    byline: str = ""
    lead: str = ""
    tags: str = ""


class _Fetcher(URLFetcher):
    """Cards load nothing: no network, no file (an image in the draft is named in the text, not shown)."""

    def __init__(self) -> None:
        super().__init__(timeout=5, allowed_protocols=set(), allow_redirects=False)


class Layout:
    """Lays out cards with one font configuration and one template for the whole build."""

    def __init__(self, page: dict) -> None:
        self.page = page  # front, chinese, accent, running_title: what the template needs
        self.fonts = FontConfiguration()
        self.template = environment().get_template("cards.html.j2")
        # The stylesheet parsed once, not in every card's <style>: parsing it took a fifth of each layout.
        css = environment().get_template("cards.css.j2").render(**page)
        self.stylesheet = weasyprint.CSS(string=css, font_config=self.fonts, url_fetcher=_Fetcher())
        self.fit_cache: dict[str, bool] = {}
        self.layouts = 0  # how many times WeasyPrint laid something out: the tests count them

    def html(self, cards: list[Card]) -> str:
        """The cards' HTML (the stylesheet, parsed once, is given to WeasyPrint beside it)."""
        return self.template.render(cards=cards, **self.page)

    def document(self, cards: list[Card]):  # type: ignore[no-untyped-def]
        self.layouts += 1
        source = weasyprint.HTML(string=self.html(cards), base_url=None, url_fetcher=_Fetcher())
        return source.render(stylesheets=[self.stylesheet], font_config=self.fonts)

    def fits(self, card: Card) -> bool:
        key = self.html([card])
        if key not in self.fit_cache:
            self.fit_cache[key] = len(self.document([card]).pages) == 1
        return self.fit_cache[key]


def body_html(atoms: tuple[Atom, ...] | list[Atom], opened_before: set[str]) -> str:
    """The atoms put back into their blocks; a block begun on an earlier card opens as its continuation."""
    out: list[str] = []
    open_frames: list = []
    for atom in atoms:
        common = 0
        while (common < len(open_frames) and common < len(atom.path)
               and open_frames[common].key == atom.path[common].key):
            common += 1
        for frame in reversed(open_frames[common:]):
            out.append(frame.close)
        del open_frames[common:]
        for frame in atom.path[common:]:
            out.append(frame.continued if frame.key in opened_before and frame.continued else frame.tag)
            open_frames.append(frame)
        out.append(atom.html)
    for frame in reversed(open_frames):
        out.append(frame.close)
    return "".join(out)


def _units(text: str) -> float:
    return sum(1.0 if is_cjk(c) or ord(c) > 0x2000 else 0.5 for c in text)


class Paginator:
    def __init__(self, layout: Layout, foot: dict[int, str], label: str, warn) -> None:  # type: ignore[no-untyped-def]
        self.layout, self.foot, self.label, self.warn = layout, foot, label, warn

    def card(self, atoms: list[Atom], opened_before: set[str], kind: str = "text") -> Card:
        numbers = list(dict.fromkeys(n for atom in atoms for n in atom.notes))
        label = self.label if any(a.llm for a in atoms) else ""
        return Card(kind, tuple(atoms), body_html(atoms, opened_before), tuple((n, self.foot[n]) for n in numbers), label)

    def paginate(self, atoms: list[Atom], kind: str = "text") -> list[Card]:
        atoms = list(atoms)
        cards: list[Card] = []
        opened: set[str] = set()
        start = 0
        while start < len(atoms):
            count = self.fill(atoms, start, opened, kind)
            if count == 0:  # the first atom alone is taller than a card: cut it finer, or set it alone
                atom = atoms[start]
                finer = finer_atoms(atom)
                if finer:
                    if atom.kind == "text" and finer[0].split_level > atom.split_level:
                        how = "at its clause marks" if finer[0].split_level == 1 else "between characters"
                        self.warn(atom.line, f"a sentence is longer than a card ('{atom.text[:24]}…'): split {how}",
                                  "xhs.card-sentence-split")
                    atoms[start : start + 1] = finer
                    continue
                self.warn(atom.line, f"'{atom.text[:24]}' is taller than a card: it is cut off", "xhs.card-overflow")
                count = 1
            chosen = atoms[start : start + count]
            cards.append(self.card(chosen, opened, kind))
            opened |= {frame.key for atom in chosen for frame in atom.path}
            start += count
        return cards

    def fill(self, atoms: list[Atom], start: int, opened: set[str], kind: str) -> int:
        """How many atoms from `start` go on the next card: as many as fit, ending where a card may end."""
        def fits(count: int) -> bool:
            return self.layout.fits(self.card(atoms[start : start + count], opened, kind))

        left = len(atoms) - start
        guess, room = 0, _GUESS_CAPACITY
        for atom in atoms[start:]:
            room -= _units(atom.text) * (0.8 if atom.path and atom.path[0].key.startswith("fig") else 1.0)
            room -= _FOOT_UNITS * len(atom.notes) + (20 if atom.kind == "heading" else 0)
            if room < 0 and guess:
                break
            guess += 1
        # The largest count that fits, searched from the guess: lo fits (0 trivially), hi does not.
        # Out from the guess by 1, 2, 4… until the answer turns, then halving between the two.
        lo, hi = 0, left + 1
        probe, step, direction = max(1, min(guess, left)), 1, ""
        while hi - lo > 1:
            fitted = fits(probe)
            lo, hi = (probe, hi) if fitted else (lo, probe)
            if hi - lo <= 1:
                break
            if fitted and direction in ("", "up"):
                direction, probe, step = "up", min(lo + step, hi - 1), step * 2
            elif not fitted and direction in ("", "down"):
                direction, probe, step = "down", max(hi - step, lo + 1), step * 2
            else:
                direction, probe = "between", (lo + hi) // 2
        best = lo
        while best > 0 and start + best < len(atoms) and atoms[start + best - 1].keep_with_next:
            best -= 1  # a heading, or a lead-in, goes on with what it leads into
        return best or lo


def card_texts(cards: list[Card]) -> list[str]:
    """The words on each card, from its markup (for the tests and the summary)."""
    import re

    out = []
    for card in cards:
        text = re.sub(r"<[^>]+>", "", card.body) if card.kind != "cover" else card.lead
        out.append(html_module.unescape(text))
    return out
