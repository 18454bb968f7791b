"""What a target is: a render function from the resolved essay to files.

Targets are named by module path and imported only when built, so building the blog never
loads WeasyPrint.
"""

import importlib
from collections.abc import Callable
from typing import NamedTuple

from footnoted.diagnostics import Diagnostic
from footnoted.resolve import ResolvedEssay


class RenderOptions(NamedTuple):
    paper: str = ""  # --paper; "" means the front matter's, else A5
    xhs_original: bool = True  # --xhs-original no: translations only
    pdf_tagged: bool = False  # --pdf-tagged: a tagged PDF (PDF/UA)
    pdf_press: bool = False  # --pdf-press: crop marks and 3 mm bleed
    xhs_cards: bool = True  # --xhs-cards no: the text series only, no image cards
    xhs_max_cards: int = 18  # --xhs-max-cards: past it, the cards are cut into several notes


class Rendered(NamedTuple):
    files: tuple[tuple[str, bytes], ...]  # names relative to the output folder
    summary: str = ""  # one line for the build report: "12 pages", "3 parts"
    diagnostics: tuple[Diagnostic, ...] = ()  # warnings; a target with errors raises InputError
    owned_folder: str = ""  # a folder this output owns: files in it from earlier builds are removed


RenderFunction = Callable[[ResolvedEssay, RenderOptions], Rendered]

_MODULES = {
    "blog": "footnoted.render_html:render_blog",
    "pdf": "footnoted.render_pdf:render_pdf",
    "xhs": "footnoted.cards:render_xhs_with_cards",  # the text series, and the cards unless --xhs-cards no
}


def available_targets() -> list[str]:
    return list(_MODULES)


def renderer(name: str) -> RenderFunction:
    module, function = _MODULES[name].split(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]
