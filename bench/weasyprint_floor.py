"""WeasyPrint alone on our final print HTML: the floor under our PDF time.

Builds the print HTML once (untimed, written next to the project), then, in a fresh process
as the benchmark runs it, only imports WeasyPrint, lays out and writes the PDF. With `quick`,
WeasyPrint is imported as our build imports it (footnoted.weasyprint_import: no library search,
hyphenation patterns parsed on demand; the cycle collector set as build.py sets it): the floor
under our own work, as against WeasyPrint's.
"""

from __future__ import annotations

import sys
from pathlib import Path

project = Path(sys.argv[1])
html_path = project / "print.html"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # footnoted, for the HTML and `quick`
if not html_path.exists():  # the first (warm-up) run prepares the HTML
    from footnoted.bibliography import bibliography_files, load_bibliography
    from footnoted.parse import parse_essay_file
    from footnoted.render_pdf import print_document_html
    from footnoted.resolve import resolve
    from footnoted.targets import RenderOptions

    essay = parse_essay_file(project / "essay" / "essay.md")
    resolved = resolve(essay, load_bibliography(bibliography_files(project / "citations")))
    html_path.write_text(print_document_html(resolved, RenderOptions()), encoding="utf-8")

import os

if sys.argv[2:] == ["prepare"]:  # only the HTML, for a book whose layout is timed once, with no warm-up
    os._exit(0)
if sys.argv[2:] == ["quick"]:
    import gc

    gc.set_threshold(200_000, 30, 30)  # as build.py sets it
    from footnoted.weasyprint_import import weasyprint
else:
    import weasyprint

weasyprint.HTML(string=html_path.read_text(encoding="utf-8"), base_url=str(project)).write_pdf(project / "floor.pdf")
os._exit(0)  # as build.py leaves: without the interpreter's teardown
