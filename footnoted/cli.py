"""The command line: `python build.py [--target …] [--essay …] [--citations …] [--out …] [--strict]`.

The library raises `InputError` with diagnostics; this module prints them, one line each,
and turns them into exit codes: 0 built, 1 input errors, 2 usage errors. The stages run in
the open, in the order a reader expects: load the bibliography, parse each essay, resolve,
render each target, write.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from footnoted.bibliography import Bibliography, bibliography_files, load_bibliography
from footnoted.diagnostics import Diagnostic, InputError, Severity, has_errors
from footnoted.essay import Essay
from footnoted.output import OutputError, remove_stale, write_atomic
from footnoted.parse import parse_essay_file
from footnoted.resolve import ResolvedEssay, resolve, unused_in_bibliography
from footnoted.targets import RenderOptions, available_targets, renderer


class UsageError(Exception):
    pass


def make_argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build footnoted essays: a blog page, a print PDF and Xiaohongshu text."
    )
    parser.add_argument("--target", choices=["blog", "pdf", "xhs", "all"], default="all",
                        help="what to build (default: all targets that exist)")
    parser.add_argument("--essay", nargs="+", type=Path, metavar="FILE", help="the drafts to build (default: essay/*.md)")
    parser.add_argument("--citations", type=Path, default=Path("citations"), metavar="FILE_OR_DIR",
                        help="a CSL-YAML file or a folder of them (default: citations/)")
    parser.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="where outputs go (default: build/)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--paper", choices=["a5", "b5", "a4"], help="pdf: the paper size (default: front matter, else a5)")
    parser.add_argument("--pdf-tagged", action="store_true", help="pdf: a tagged, accessible PDF (PDF/UA)")
    parser.add_argument("--pdf-press", action="store_true", help="pdf: crop marks and 3 mm bleed for a print shop")
    parser.add_argument("--xhs-original", choices=["yes", "no"], default="yes",
                        help="xhs: give the original after a passage's translation (default: yes)")
    return parser


def render_options(options: argparse.Namespace) -> RenderOptions:
    return RenderOptions(paper=options.paper or "", xhs_original=options.xhs_original == "yes",
                         pdf_tagged=options.pdf_tagged, pdf_press=options.pdf_press)


def main(argv: list[str] | None = None) -> int:
    try:
        options = make_argument_parser().parse_args(argv)
    except SystemExit as exc:  # argparse printed the usage message
        return int(exc.code or 0)
    try:
        return build(options)
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("build.py: interrupted; earlier outputs are unchanged", file=sys.stderr)
        return 130


def build(options: argparse.Namespace) -> int:
    if not options.citations.exists():
        raise UsageError(f"no bibliography at '{options.citations}'")
    essays_paths = options.essay or sorted(Path("essay").glob("*.md"))
    if not essays_paths:
        raise UsageError("no essays: put drafts in essay/*.md or name them with --essay")
    existing = available_targets()
    if options.target != "all" and options.target not in existing:
        raise UsageError(f"the {options.target} target is not built yet (targets: {', '.join(existing)})")
    targets = existing if options.target == "all" else [options.target]

    diagnostics: list[Diagnostic] = []
    try:
        bibliography = load_bibliography(bibliography_files(options.citations))
    except InputError as exc:
        return report(exc.diagnostics, strict=options.strict)  # shared input broken: write nothing

    essays, failed = parse_all(essays_paths, diagnostics)
    resolved = resolve_all(essays, bibliography, diagnostics)
    if not has_errors(diagnostics):  # with a broken essay, "never cited" would only be noise
        diagnostics += unused_in_bibliography(essays, bibliography)
    if options.strict:
        diagnostics = [replace(d, severity=Severity.ERROR) for d in diagnostics]
    essay_paths = {str(p) for p in essays_paths}
    if has_errors(d for d in diagnostics if d.path not in essay_paths):
        return report(diagnostics, strict=options.strict)  # a shared input is wrong: write nothing
    for essay in resolved:
        if has_errors(d for d in diagnostics if d.path == essay.essay.path):
            continue
        for target in targets:
            try:
                failed |= not build_target(essay, target, options, diagnostics)
            except OutputError as exc:
                print(exc, file=sys.stderr)
                return 1
    return report(diagnostics, strict=options.strict) or (1 if failed else 0)


def build_target(essay: ResolvedEssay, target: str, options: argparse.Namespace, diagnostics: list[Diagnostic]) -> bool:
    """Render and write one target; an input error blocks only this target. True when written."""
    started = time.perf_counter()
    try:
        rendered = renderer(target)(essay, render_options(options))
    except InputError as exc:
        diagnostics.extend(exc.diagnostics)
        return False
    diagnostics.extend(rendered.diagnostics)
    if options.strict and rendered.diagnostics:
        return False
    for name, data in rendered.files:
        write_atomic(options.out / name, data)
    if rendered.owned_folder:
        remove_stale(options.out / rendered.owned_folder, {options.out / name for name, _ in rendered.files})
    elapsed = time.perf_counter() - started
    for name, data in rendered.files:
        print(f"wrote {options.out / name} ({len(data):,} bytes)", flush=True)
    print(f"  {target}: {rendered.summary + ', ' if rendered.summary else ''}{elapsed * 1000:.0f} ms", flush=True)
    return True


def parse_all(paths: list[Path], diagnostics: list[Diagnostic]) -> tuple[list[Essay], bool]:
    essays: list[Essay] = []
    stems: dict[str, Path] = {}
    failed = False
    for path in paths:
        if path.stem in stems:
            diagnostics.append(Diagnostic(str(path), 0, 0, Severity.ERROR,
                f"two essays share the stem '{path.stem}' (also {stems[path.stem]}): their outputs would collide", "essay.duplicate-stem"))
            failed = True
            continue
        stems[path.stem] = path
        try:
            essays.append(parse_essay_file(path))
        except InputError as exc:
            diagnostics.extend(exc.diagnostics)
            failed = True
        except OSError as exc:
            diagnostics.append(Diagnostic(str(path), 0, 0, Severity.ERROR, f"cannot read the essay: {exc.strerror}", "essay.unreadable"))
            failed = True
    return essays, failed


def resolve_all(essays: list[Essay], bibliography: Bibliography, diagnostics: list[Diagnostic]) -> list[ResolvedEssay]:
    resolved = []
    for essay in essays:
        try:
            result = resolve(essay, bibliography)
        except InputError as exc:
            diagnostics.extend(exc.diagnostics)
            continue
        diagnostics.extend(result.warnings)
        resolved.append(result)
    return resolved


def report(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], strict: bool) -> int:
    """Print every diagnostic once, in file order; 1 when any is an error."""
    unique = sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.col, d.code, d.message))
    for diagnostic in unique:
        shown = replace(diagnostic, severity=Severity.ERROR) if strict else diagnostic
        print(shown, file=sys.stderr)
    return 1 if has_errors(unique) or (strict and unique) else 0
