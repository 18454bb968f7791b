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
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from footnoted.bibliography import Bibliography, bibliography_files, load_bibliography
from footnoted.diagnostics import Diagnostic, InputError, Severity, has_errors
from footnoted.essay import Essay
from footnoted.output import OutputError, write_atomic
from footnoted.parse import parse_essay_file
from footnoted.resolve import ResolvedEssay, resolve, unused_in_bibliography


def _render_blog(resolved: ResolvedEssay) -> bytes:
    from footnoted.render_html import render_html

    return render_html(resolved, "blog").encode("utf-8")


@dataclass(frozen=True)
class Target:
    name: str
    suffix: str
    render: Callable[[ResolvedEssay], bytes]


# Each target imports only what it needs, inside its render function: the blog never loads WeasyPrint.
TARGETS: dict[str, Target] = {"blog": Target("blog", ".html", _render_blog)}


class UsageError(Exception):
    pass


def make_argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build footnoted essays: a blog page, a print PDF and Xiaohongshu text."
    )
    parser.add_argument("--target", choices=[*TARGETS, "all"], default="all", help="what to build (default: all)")
    parser.add_argument("--essay", nargs="+", type=Path, metavar="FILE", help="the drafts to build (default: essay/*.md)")
    parser.add_argument("--citations", type=Path, default=Path("citations"), metavar="FILE_OR_DIR",
                        help="a CSL-YAML file or a folder of them (default: citations/)")
    parser.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="where outputs go (default: build/)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    return parser


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
    targets = list(TARGETS.values()) if options.target == "all" else [TARGETS[options.target]]

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
            started = time.perf_counter()
            data = target.render(essay)
            path = options.out / f"{essay.essay.stem}{target.suffix}"
            try:
                write_atomic(path, data)
            except OutputError as exc:
                print(exc, file=sys.stderr)
                return 1
            elapsed = time.perf_counter() - started
            print(f"wrote {path} ({len(data):,} bytes, {elapsed * 1000:.0f} ms)")
    return report(diagnostics, strict=options.strict) or (1 if failed else 0)


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
