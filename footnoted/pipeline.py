"""A build, shared by the command line, `--watch` and `serve`: the stages in the open.

Load the bibliography, parse each essay, resolve, render each target, write; then a summary.
The library raises `InputError` with diagnostics; here they are collected and printed, one line
each, and turned into an exit code (0 built, 1 input errors). It sits below footnoted.cli,
footnoted.watch and footnoted.serve, which all run it, and imports none of them.
"""

import argparse
import html
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from footnoted.bibliography import Bibliography, citation_files, load_bibliography, load_file
from footnoted.diagnostics import Diagnostic, InputError, Severity, error, has_errors
from footnoted.essay import Essay, provenance_report
from footnoted.lookalike import lookalike_keys
from footnoted.output import OutputError, output_lock, replace_folder, write_atomic
from footnoted.parse import parse_essay_file
from footnoted.resolve import ResolvedEssay, resolve, unused_in_bibliography
from footnoted.safe_read import UnsafeFile
from footnoted.targets import Rendered, RenderOptions, available_targets, renderer


class UsageError(Exception):
    pass


def render_options(options: argparse.Namespace) -> RenderOptions:
    return RenderOptions(paper=options.paper or "", xhs_original=options.xhs_original == "yes",
                         pdf_tagged=options.pdf_tagged, pdf_press=options.pdf_press,
                         xhs_cards=options.xhs_cards == "yes", xhs_max_cards=options.xhs_max_cards)


class Inputs:
    """Where a build gets its parsed inputs. Watch mode uses one that remembers them."""

    def bibliography(self, files: list[Path]) -> Bibliography:
        return load_bibliography(files)

    def essay(self, path: Path) -> Essay:
        return parse_essay_file(path)


class TargetResult(NamedTuple):
    """One written target, for the build summary."""

    target: str
    files: tuple[tuple[Path, int], ...]  # each file and its size in bytes
    extent: str  # "11 pages", "6,210 characters"
    milliseconds: float
    warnings: int


@dataclass
class BuildResult:
    code: int
    diagnostics: list[Diagnostic] = field(default_factory=list)
    built: list[TargetResult] = field(default_factory=list)


def citation_places(options: argparse.Namespace) -> list[Path]:
    """The bibliographies every essay uses: those named with --citations, else citations/ where it exists."""
    if options.citations:
        return list(options.citations)
    default = Path("citations")
    return [default] if default.exists() else []


def essay_paths(options: argparse.Namespace) -> list[Path]:
    for place in options.citations or ():
        if not place.exists():
            raise UsageError(f"no bibliography at '{place}'")
    paths = options.essay or sorted(Path("essay").glob("*.md"))
    if not paths:
        raise UsageError("no essays: put drafts in essay/*.md or name them with --essay")
    return paths


def chosen_targets(options: argparse.Namespace) -> list[str]:
    return available_targets() if options.target == "all" else [options.target]


def build(options: argparse.Namespace, inputs: Inputs | None = None) -> int:
    return run_build(options, inputs or Inputs()).code


def run_build(options: argparse.Namespace, inputs: Inputs) -> BuildResult:
    essays_paths = essay_paths(options)
    targets = chosen_targets(options)

    files, skipped = citation_files(citation_places(options))
    diagnostics: list[Diagnostic] = list(skipped)
    try:
        bibliography = inputs.bibliography(files)._replace(strict=options.strict)
    except InputError as exc:  # shared input broken: write nothing
        return BuildResult(report([*exc.diagnostics, *skipped], strict=options.strict), [*exc.diagnostics, *skipped])
    diagnostics += bibliography.diagnostics
    snapshots = skipped_snapshots(skipped, bibliography)
    diagnostics = [d for d in diagnostics if d not in snapshots]
    sources = EssayBibliographies(bibliography, files)

    essays, failed = parse_all(essays_paths, diagnostics, inputs)
    if options.strict:  # an LLM's draft nobody reviewed may not be published
        from footnoted.check import unreviewed_drafts

        diagnostics += [d for essay in essays for d in unreviewed_drafts(essay)]
    resolved = resolve_all(essays, sources, diagnostics)
    if not has_errors(diagnostics):  # with a broken essay, "never cited" would only be noise
        diagnostics += unused_in_bibliography(essays, bibliography)
    diagnostics += lookalike_keys(essays, bibliography)  # a look-alike key builds, but --strict may not publish it
    if options.strict:
        diagnostics = [d._replace(severity=Severity.ERROR) for d in diagnostics]
    essay_paths_given = {str(p) for p in essays_paths}
    # An entry's problems, and those of an essay's own bibliography, block only the essays that use them.
    scoped = sources.scoped()
    if has_errors(d for d in diagnostics if d.path not in essay_paths_given and _place_of(d) not in scoped):
        return BuildResult(report(diagnostics, strict=options.strict), diagnostics)  # a shared input is wrong: write nothing
    built: list[TargetResult] = []
    for essay in resolved:
        if has_errors(d for d in diagnostics if d.path == essay.essay.path):
            continue
        for target in targets:
            try:
                result = build_target(essay, target, options, diagnostics)
            except OutputError as exc:
                print(exc, file=sys.stderr)
                return BuildResult(1, diagnostics, built)
            failed |= result is None
            built += [result] if result else []
    print_summary(built, essays)
    code = report(diagnostics, strict=options.strict) or (1 if failed else 0)
    return BuildResult(code, diagnostics, built)


def build_target(essay: ResolvedEssay, target: str, options: argparse.Namespace, diagnostics: list[Diagnostic]) -> TargetResult | None:
    """Render and write one target; an input error blocks only this target. The result when written."""
    started = time.perf_counter()
    try:
        rendered = renderer(target)(essay, render_options(options))
    except InputError as exc:
        diagnostics.extend(exc.diagnostics)
        return None
    diagnostics.extend(rendered.diagnostics)
    if options.strict and rendered.diagnostics:
        return None
    owned = rendered.owned_folder
    # One target's files under one hold of the folder: its whole text and its parts come from one build.
    with output_lock(options.out, on_wait=lambda: print(f"build.py: waiting for another build writing into {options.out}",
                                                        file=sys.stderr, flush=True)):
        for name, data in rendered.files:
            if not (owned and name.startswith(owned + "/")):
                write_atomic(options.out / name, data)
        if owned:
            parts = {name[len(owned) + 1 :]: data for name, data in rendered.files if name.startswith(owned + "/")}
            replace_folder(options.out / owned, parts)
    elapsed = time.perf_counter() - started
    for name, data in rendered.files:
        print(f"wrote {options.out / name} ({len(data):,} bytes)", flush=True)
    print(f"  {target}: {rendered.summary + ', ' if rendered.summary else ''}{elapsed * 1000:.0f} ms", flush=True)
    files = tuple((options.out / name, len(data)) for name, data in rendered.files)
    return TargetResult(target, files, extent_of(rendered), elapsed * 1000, len(rendered.diagnostics))


def extent_of(rendered: Rendered) -> str:
    """Pages when the target says how many, else the characters a reader gets of the main file."""
    pages = re.match(r"(\d+) pages?\b", rendered.summary)
    if pages:
        return f"{int(pages.group(1))} page{'s' * (pages.group(1) != '1')}"
    name, data = rendered.files[0]
    text = data.decode("utf-8", "replace")
    if name.endswith(".html"):
        text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]+>", " ", text)
        text = " ".join(html.unescape(text).split())  # split(), not a \s+ regex: 3× faster on a book
    return f"{len(text):,} characters"


def print_summary(built: list[TargetResult], essays: list[Essay]) -> None:
    if built:
        print("summary:")
    for result in built:
        (first, size), more = result.files[0], len(result.files) - 1
        name = f"{first}" + (f" (+{more} file{'s' * (more > 1)})" if more else "")
        warnings = f"{result.warnings} warning{'s' * (result.warnings != 1)}"
        print(f"  {result.target:<4}  {name}  {size:,} bytes  {result.extent}  {result.milliseconds:.0f} ms  {warnings}")
    for essay in essays:
        print(provenance_report(essay))
    sys.stdout.flush()


def parse_all(paths: list[Path], diagnostics: list[Diagnostic], inputs: Inputs | None = None) -> tuple[list[Essay], bool]:
    inputs = inputs or Inputs()
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
            essays.append(inputs.essay(path))
        except InputError as exc:
            diagnostics.extend(exc.diagnostics)
            failed = True
        except OSError as exc:
            code = f"essay.{exc.kind}" if isinstance(exc, UnsafeFile) else "essay.unreadable"  # a FIFO, a device, too big
            message = f"cannot read the essay: {exc.strerror}"
            diagnostics.append(Diagnostic(str(path), 0, 0, Severity.ERROR, message, code))
            failed = True
    return essays, failed


def skipped_snapshots(skipped: list[Diagnostic], bibliography: Bibliography) -> list[Diagnostic]:
    """The 'not read' warnings of files an entry names as its `snapshot:`: read, but not as bibliographies."""
    if not skipped:
        return []
    snapshots = {(Path(e.path).parent / e.snapshot).resolve() for e in bibliography.entries.values() if e.snapshot}
    return [d for d in skipped if Path(d.path).resolve() in snapshots]


def _place_of(diagnostic: Diagnostic) -> tuple[str, int, int, str, str]:
    """A diagnostic without its severity: --strict raises a warning to an error, the place stays."""
    return diagnostic.path, diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.message


class EssayBibliographies:
    """Each essay's bibliography: the shared one (--citations, or citations/), then the files its
    front matter names in `bibliography:` (relative to the essay), then its own `references:`.
    Where an id is in more than one, the later is used, as pandoc does, with a warning. A file
    read twice (named by --citations and by the essay) is read once: its entries are not doubled."""

    def __init__(self, shared: Bibliography, shared_files: list[Path]) -> None:
        self.shared = shared
        self.shared_files = {f.resolve() for f in shared_files}
        self.files: dict[Path, Bibliography | InputError | OSError] = {}
        self.own: list[Diagnostic] = []  # from essays' own bibliographies: they block only those essays

    def scoped(self) -> set[tuple[str, int, int, str, str]]:
        entries = {_place_of(d) for problems in self.shared.problems_of.values() for d in problems}
        return entries | {_place_of(d) for d in self.own}

    def for_essay(self, essay: Essay, diagnostics: list[Diagnostic]) -> Bibliography:
        bibliography = self.shared
        folder = Path(essay.path).parent
        for name in essay.front.bibliography:
            path = folder / name
            if path.resolve() in self.shared_files:
                continue
            loaded = self.load(path)
            if isinstance(loaded, Bibliography):
                bibliography = bibliography.merged(loaded._replace(strict=self.shared.strict))
                self.note(loaded.diagnostics, diagnostics)
            else:
                problems = loaded.diagnostics if isinstance(loaded, InputError) else ()
                self.note(problems, diagnostics)
                reason = "it cannot be read" if problems else f"no such file ({loaded.strerror})"  # type: ignore[union-attr]
                diagnostics.append(error(essay.path, 1, 1, f"bibliography '{name}': {reason}", "bib.unreadable"))
        if essay.front.references is not None:
            bibliography = bibliography.merged(essay.front.references._replace(strict=self.shared.strict))
            self.note(essay.front.references.diagnostics, diagnostics)
        return bibliography

    def load(self, path: Path) -> Bibliography | InputError | OSError:
        key = path.resolve()
        if key not in self.files:
            try:
                self.files[key] = load_file(path)
            except (InputError, OSError) as exc:
                self.files[key] = exc
        return self.files[key]

    def note(self, problems: tuple[Diagnostic, ...], diagnostics: list[Diagnostic]) -> None:
        self.own.extend(problems)
        diagnostics.extend(problems)


def resolve_all(essays: list[Essay], sources: EssayBibliographies | Bibliography, diagnostics: list[Diagnostic]) -> list[ResolvedEssay]:
    if isinstance(sources, Bibliography):
        sources = EssayBibliographies(sources, [])
    resolved = []
    for essay in essays:
        try:
            result = resolve(essay, sources.for_essay(essay, diagnostics))
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
        shown = diagnostic._replace(severity=Severity.ERROR) if strict else diagnostic
        print(shown, file=sys.stderr)
    return 1 if has_errors(unique) or (strict and unique) else 0
