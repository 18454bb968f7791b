"""The command line: `python build.py [check|serve] [--target …] [--essay …] [--citations …] [--out …] [--strict]`.

Reads the options and runs a build (footnoted.pipeline, the stages in the open), `check` (the
same stages without rendering, plus what is still open: footnoted.check), or `--watch` and
`serve`, which rebuild on every save (footnoted.watch, footnoted.serve). Exit codes: 0 built,
1 input errors, 2 usage errors.
"""

import argparse
import sys
from pathlib import Path

from footnoted.bibliography import Bibliography, citation_files, load_bibliography
from footnoted.diagnostics import Diagnostic, InputError, Severity, did_you_mean, has_errors
from footnoted.essay import provenance_report
from footnoted.lookalike import lookalike_keys
from footnoted.pipeline import (
    EssayBibliographies,
    UsageError,
    build,
    chosen_targets,
    citation_places,
    essay_paths,
    parse_all,
    render_options,
    report,
    resolve_all,
    skipped_snapshots,
)
from footnoted.resolve import unused_in_bibliography

COMMANDS = ("check", "serve")


def make_argument_parser(command: str | None = None) -> argparse.ArgumentParser:
    descriptions = {
        None: "Build footnoted essays: a blog page, a print PDF and Xiaohongshu text.",
        "check": "Report every problem and everything still open, without writing outputs.",
        "serve": "Preview the blog page on 127.0.0.1: rebuilt on every save, reloaded in the browser.",
    }
    epilog = None if command else "commands: 'build.py check [options]' reports what is open; 'build.py serve [options]' previews the blog page"
    parser = argparse.ArgumentParser(prog="build.py" + (f" {command}" if command else ""), description=descriptions[command],
                                     epilog=epilog)
    parser.add_argument("--target", choices=["blog", "pdf", "xhs", "all"], default=None,
                        help="what to build (default: all; serve: blog)")
    parser.add_argument("--essay", nargs="+", type=Path, metavar="FILE", help="the drafts to build (default: essay/*.md)")
    parser.add_argument("--citations", type=Path, nargs="+", action="extend", default=None, metavar="FILE_OR_DIR",
                        help="bibliographies (CSL-YAML, CSL-JSON, BibTeX) or folders of them, used by every essay beside "
                             "its own 'bibliography:' (default: citations/, where there is one)")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings as errors (an unreviewed LLM-drafted block among them)")
    parser.add_argument("--xhs-original", choices=["yes", "no"], default="yes",
                        help="xhs: give the original after a passage's translation (default: yes)")
    parser.add_argument("--xhs-cards", choices=["yes", "no"], default="yes",
                        help="xhs: also make the image cards and note.txt (default: yes)")
    parser.add_argument("--xhs-max-cards", type=_card_cap, default=18, metavar="N",
                        help="xhs: the most cards a note holds; past it the essay is cut at headings into notes (default: 18)")
    parser.set_defaults(out=Path("build"), paper=None, pdf_tagged=False, pdf_press=False, watch=False, serve=False, port=8000)
    if command == "check":
        return parser
    parser.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="where outputs go (default: build/)")
    parser.add_argument("--paper", choices=["a5", "b5", "a4"], help="pdf: the paper size (default: front matter, else a5)")
    parser.add_argument("--pdf-tagged", action="store_true", help="pdf: a tagged, accessible PDF (PDF/UA)")
    parser.add_argument("--pdf-press", action="store_true", help="pdf: crop marks and 3 mm bleed for a print shop")
    if command is None:
        parser.add_argument("--watch", action="store_true", help="rebuild on every save of a draft, the bibliography or a template")
        parser.add_argument("--serve", action="store_true", help="the same as the serve command")
    parser.add_argument("--port", type=int, default=8000, help="serve: the port on 127.0.0.1 (default: 8000; 0: any free one)")
    return parser


def _card_cap(text: str) -> int:
    if not text.isdigit() or not 3 <= int(text) <= 99:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of cards from 3 to 99")
    return int(text)


# Each output is written whole or not at all: one written before Ctrl-C is new, the others are as they were.
INTERRUPTED = "build.py: interrupted; outputs written so far are complete, the others unchanged"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and not args[0].startswith("-") else None
    if command is not None and command not in COMMANDS:
        print(f"build.py: error: unknown command '{command}' (commands: {', '.join(COMMANDS)})"
              f"{did_you_mean(command, COMMANDS)}", file=sys.stderr)
        return 2
    try:
        options = make_argument_parser(command).parse_args(args[1:] if command else args)
    except SystemExit as exc:  # argparse printed the usage message
        return int(exc.code or 0)
    except KeyboardInterrupt:  # Ctrl-C while the options are read (argparse loads gettext, locale): nothing written
        print(INTERRUPTED, file=sys.stderr)
        return 130
    serving = command == "serve" or options.serve
    options.target = options.target or ("blog" if serving else "all")
    try:
        if command == "check":
            return check(options)
        if serving:
            from footnoted.serve import serve

            return serve(options)
        if options.watch:
            from footnoted.watch import watch

            return watch(options)
        return build(options)
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130


def check(options: argparse.Namespace) -> int:
    """Every diagnostic of a build, and what is still open, without rendering anything but the limits."""
    from footnoted import check as open_work

    paths = essay_paths(options)
    targets = chosen_targets(options)
    files, skipped = citation_files(citation_places(options))
    diagnostics: list[Diagnostic] = list(skipped)
    try:
        bibliography: Bibliography | None = load_bibliography(files)._replace(strict=options.strict)
        diagnostics += bibliography.diagnostics  # type: ignore[union-attr]
        snapshots = skipped_snapshots(skipped, bibliography)  # type: ignore[arg-type]
        diagnostics = [d for d in diagnostics if d not in snapshots]
    except InputError as exc:
        diagnostics += exc.diagnostics
        bibliography = None
    essays, _ = parse_all(paths, diagnostics)
    diagnostics += lookalike_keys(essays, bibliography)
    for essay in essays:
        diagnostics += [*open_work.editorial_todos(essay), *open_work.missing_links(essay), *open_work.typography_problems(essay),
                        *open_work.unreviewed_drafts(essay), *open_work.raw_html_urls(essay)]
    notes = [provenance_report(essay) for essay in essays]
    field_places: dict = {}
    diagnostics += open_work.bibliography_problems(files, field_places)
    checked = 0
    if bibliography is None:  # the essays' own problems still count; their citations cannot be judged
        diagnostics += [d for essay in essays for d in essay.diagnostics]
    else:
        resolved = resolve_all(essays, EssayBibliographies(bibliography, files), diagnostics)
        if not has_errors(diagnostics):  # as in a build: with a broken essay, "never cited" is noise
            diagnostics += unused_in_bibliography(essays, bibliography)
        quotes = open_work.quote_problems(bibliography)
        diagnostics += quotes.problems
        checked = quotes.quotes_checked
        diagnostics += [d for essay in resolved for d in open_work.unprinted_fields(essay, field_places)]
        for essay in resolved if "xhs" in targets else ():
            # check judges the text's limits; the cards are pictures, made only by a build
            limits, summary = open_work.xhs_limits(essay, render_options(options)._replace(xhs_cards=False))
            diagnostics += limits
            notes += [summary] if summary else []
    code = report(diagnostics, strict=options.strict)
    for note in notes:
        print(note)
    print(check_summary(diagnostics, options.strict, checked), flush=True)
    return code


def check_summary(diagnostics: list[Diagnostic], strict: bool, quotes_checked: int) -> str:
    """'check: 1 error, 8 warnings (6 TODOs, 2 typography); 2 quotes checked against snapshots'."""
    unique = set(diagnostics)
    errors = len(unique) if strict else sum(d.severity is Severity.ERROR for d in unique)
    todos = sum(d.code == "comment.todo" for d in unique)
    typography = sum(d.code.startswith("typography.") for d in unique)
    return (f"check: {_count(errors, 'error')}, {_count(len(unique) - errors, 'warning')} "
            f"({_count(todos, 'TODO')}, {typography} typography); {_count(quotes_checked, 'quote')} checked against snapshots")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"

