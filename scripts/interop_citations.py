#!/usr/bin/env python3
"""How footnoted reads pandoc's own citation tests: `python scripts/interop_citations.py`.

Prints how many citations of the corpus's pandoc test cases (../shared/corpus/interop/pandoc-tests,
as pandoc 2.17 reads them: tests/fixtures/pandoc_citations.json) footnoted parses as pandoc
does — key, mode, prefix, locator label and value, and the suffix left after the locator — and
how many cases build: each case's input as a draft, its references as the bibliography, every
target and `check`, ending in exit 0 or in located errors, never a traceback. With `-v`, each
difference and each case that does not build; with `--pdf`, the pdf target too; with `--as-is`,
each draft as pandoc takes it (its own metadata blocks, no title added); with `--builds`, only
the builds (FOOTNOTED_CODE=/path/to/checkout measures that checkout's code).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# FOOTNOTED_CODE=/other/checkout measures another version's builds (`--builds` only), e.g. main's.
sys.path.insert(0, os.environ.get("FOOTNOTED_CODE", str(ROOT)))

from footnoted.parse import parse_essay
from footnoted.tree import (
    BlockQuote,
    Break,
    Cite,
    Code,
    Div,
    FootnoteRef,
    Heading,
    Image,
    InlineNote,
    Link,
    ListBlock,
    Paragraph,
    PassageQuote,
    RawHtml,
    Styled,
    TableBlock,
    Text,
)
from scripts.corpus import SHARED_CORPUS

CORPUS = SHARED_CORPUS / "interop" / "pandoc-tests"
FIXTURE = ROOT / "tests" / "fixtures" / "pandoc_citations.json"
# A pandoc metadata block: '---' then YAML (no blank first line), closed by '---' or '...'.
_YAML_BLOCK = re.compile(r"(?m)^---[ \t]*\n(?![ \t]*\n)(?:.*\n)*?(?:---|\.\.\.)[ \t]*(?:\n|\Z)")


def case_folders() -> list[Path]:
    return sorted(p for p in (CORPUS / "cases").iterdir() if (p / "input.md").is_file())


def load_fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def body_of(markdown: str) -> str:
    """The Markdown without pandoc's metadata blocks (blank lines keep the line numbers)."""
    return _YAML_BLOCK.sub(lambda m: "\n" * m.group().count("\n"), markdown)


def canonical(nodes) -> str:  # type: ignore[no-untyped-def]
    """Our inlines as the fixture writes pandoc's: text, and a few tags for markup."""
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Break):
            out.append(" ")
        elif isinstance(node, Code):
            out.append(f"<code>{node.text}</code>")
        elif isinstance(node, Styled):
            out.append(f"<{node.style}>{canonical(node.children)}</{node.style}>")
        elif isinstance(node, Link):
            out.append(f"<a>{canonical(node.children)}</a>")
        elif isinstance(node, RawHtml):
            out.append(node.html)
        elif isinstance(node, Image):
            out.append("<image>")
        else:
            out.append(f"<{node.kind}>")
    return "".join(out)


def normalized(text: str) -> str:
    """Smart punctuation (pandoc's reader makes it; ours is another layer's) and spaces aside."""
    for plain, smart in (('"', "“”„"), ("'", "‘’"), ("–", "—"), ("...", "…")):
        for char in smart:
            text = text.replace(char, plain)
    text = text.replace("---", "–").replace("--", "–").replace("-", "–")
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).rstrip()


def our_citations(markdown: str) -> list[dict]:
    """Every citation of a case as footnoted parses it, in pandoc's order (a note's at its call)."""
    essay = parse_essay("case.md", f"---\ntitle: t\n---\n{body_of(markdown)}".encode(), Path())
    found: list[dict] = []
    number = [0]

    def inlines(nodes) -> None:  # type: ignore[no-untyped-def]
        for node in nodes:
            if isinstance(node, Cite):
                for position, item in enumerate(node.items):
                    mode = ("SuppressAuthor" if item.suppress_author else
                            "AuthorInText" if node.in_text and position == 0 else "NormalCitation")
                    key = item.key + (f":{item.quote}" if item.quote else "")
                    found.append({"cite": number[0], "key": key, "mode": mode, "prefix": canonical(item.prefix),
                                  "label": item.locator_label, "locator": item.locator, "rest": canonical(item.suffix)})
                number[0] += 1
            elif isinstance(node, (Styled, Link, InlineNote)):
                inlines(node.children)
            elif isinstance(node, FootnoteRef) and node.label in essay.footnotes:
                blocks(essay.footnotes[node.label].blocks)

    def blocks(nodes) -> None:  # type: ignore[no-untyped-def]
        for block in nodes:
            if isinstance(block, (Paragraph, Heading)):
                inlines(block.children)
            elif isinstance(block, (BlockQuote, Div)):
                blocks(block.children)
            elif isinstance(block, ListBlock):
                for item in block.items:
                    blocks(item)
            elif isinstance(block, TableBlock):
                for cell in (*block.header, *(c for row in block.rows for c in row)):
                    inlines(cell)
            elif isinstance(block, PassageQuote):
                inlines((block.cite,))

    blocks(essay.blocks)
    return found


def differences(expected: list[dict], ours: list[dict]) -> list[str]:
    """What differs, citation by citation (pandoc's first): an empty list when all agree."""
    problems = []
    for index, want in enumerate(expected):
        got = ours[index] if index < len(ours) else None
        if got is None:
            problems.append(f"#{index} @{want['key']}: not parsed")
            continue
        for field in ("key", "mode", "prefix", "label", "locator", "rest"):
            mine, theirs = got[field], want[field]
            if field in ("prefix", "locator", "rest"):
                mine, theirs = normalized(mine), normalized(theirs)
            if mine != theirs:
                problems.append(f"#{index} @{want['key']}: {field} {got[field]!r}, pandoc {want[field]!r}")
    problems += [f"@{got['key']}: a citation pandoc does not see" for got in ours[len(expected):]]
    return problems


def matching(expected: list[dict], ours: list[dict]) -> int:
    """How many of pandoc's citations we parse alike (aligned in order)."""
    bad = {int(p.split(" ", 1)[0][1:]) for p in differences(expected, ours) if p.startswith("#")}
    return sum(1 for index in range(len(expected)) if index not in bad)


def references_of(markdown: str) -> list:
    """The CSL entries of a case's metadata blocks (`references:`), as written."""
    import yaml

    entries: list = []
    for block in _YAML_BLOCK.finditer(markdown):
        text = re.sub(r"(?m)^(?:---|\.\.\.)[ \t]*$", "", block.group())
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and isinstance(data.get("references"), list):
            entries += data["references"]
    return entries


class Built:
    """How one case went: each command's exit code, and the traceback of any that crashed."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.crashes: dict[str, str] = {}
        self.cite_errors: set[str] = set()  # the citation diagnostics (`[cite.…]`) of any command

    @property
    def ok(self) -> bool:
        return not self.crashes and all(code in (0, 1) for code in self.codes.values())


def build_case(name: str, markdown: str, keys: set[str], targets: tuple[str, ...], as_is: bool = False) -> Built:
    """The case as a project: its body as an English draft, its references (and an entry for each
    key it cites that they lack, as for biblio.bib) as citations/refs.yaml; then each target and
    `check`, in-process, exactly as `build.py` runs them."""
    import yaml

    from footnoted.cli import main as cli_main

    entries = references_of(markdown)
    ids = {str(e.get("id")) for e in entries if isinstance(e, dict)}
    entries += [{"id": key, "type": "book", "title": f"Entry {key}"} for key in sorted(keys - ids)]
    built = Built()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "essay").mkdir()
        (project / "citations").mkdir()
        draft = markdown if as_is else f"---\ntitle: {name}\nlang: en\n---\n{body_of(markdown)}"
        (project / "essay" / f"{name}.md").write_text(draft, encoding="utf-8")
        (project / "citations" / "refs.yaml").write_text(
            yaml.safe_dump({"references": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        commands = {target: ["--target", target] for target in targets}
        commands["check"] = ["check"]
        previous = Path.cwd()
        os.chdir(project)
        try:
            for label, args in commands.items():
                out = io.StringIO()
                try:
                    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                        built.codes[label] = cli_main(args)
                    built.cite_errors.update(re.findall(r"error: .*\[(cite\.[\w.-]+)\]", out.getvalue()))
                except BaseException as exc:
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    built.crashes[label] = "".join(traceback.format_exception(exc))
                    built.codes[label] = -1
        finally:
            os.chdir(previous)
            shutil.rmtree(project / "build", ignore_errors=True)
    return built


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    targets = ("blog", "xhs", "pdf") if "--pdf" in argv else ("blog", "xhs")
    fixture = load_fixture()
    cases = fixture["cases"]
    if "--builds" not in argv:
        total = same = 0
        for name, case in cases.items():
            ours = our_citations(case["input"])
            total += len(case["citations"])
            same += matching(case["citations"], ours)
            if verbose:
                for problem in differences(case["citations"], ours):
                    print(f"{name}: {problem}")
        print(f"citations parsed as pandoc 2.17 parses them: {same} of {total} ({len(cases)} cases, {fixture['pandoc']})")
    as_is = "--as-is" in argv  # the draft exactly as pandoc takes it: its own metadata, no title added
    built = {name: build_case(name, case["input"], {c["key"] for c in case["citations"]}, targets, as_is)
             for name, case in cases.items()}
    good = [name for name, b in built.items() if b.ok]
    clean = [name for name, b in built.items() if b.ok and not any(b.codes.values())]
    print(f"cases that build ({', '.join(targets)} and check: exit 0, or exit 1 with located errors, "
          f"no traceback): {len(good)} of {len(built)}; exit 0 everywhere: {len(clean)}")
    cited_wrong = {name: sorted(b.cite_errors) for name, b in built.items() if b.cite_errors}
    print(f"cases with citation errors ([cite.…]): {len(cited_wrong)}"
          + "".join(f"\n  {name}: {', '.join(codes)}" for name, codes in cited_wrong.items()) * verbose)
    for name, result in built.items():
        if verbose and not result.ok:
            for label, crash in result.crashes.items():
                print(f"--- {name} ({label}):\n{crash.rstrip().splitlines()[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
