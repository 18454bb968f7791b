#!/usr/bin/env python3
"""Write tests/fixtures/pandoc_citations.json: every citation of pandoc's own citation tests as
pandoc 2.17 reads it. Run once, where pandoc and the corpus are (../shared/corpus); the JSON is
committed, so the tests need neither.

For each case (interop/pandoc-tests/cases/*/input.md): the Markdown, and each citation's key,
mode, prefix and suffix from `pandoc -t json`, plus the locator label and value that pandoc's
citeproc splits off the suffix, read from a probe style (tests/fixtures/locator-probe.csl) that
prints them as ⟦label|value⟧ (English terms: `-M lang=en-US`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.interop_citations import CORPUS, FIXTURE, case_folders

PROBE = ROOT / "tests" / "fixtures" / "locator-probe.csl"


def canonical(inlines: list) -> str:
    """pandoc inlines as one string, markup as a few tags (tests/test_interop_citations.py makes ours alike)."""
    out = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript"):
            tag = {"Emph": "em", "Strong": "strong", "Strikeout": "del", "Superscript": "sup", "Subscript": "sub"}[kind]
            out.append(f"<{tag}>{canonical(content)}</{tag}>")
        elif kind == "Code":
            out.append(f"<code>{content[1]}</code>")
        elif kind == "Link":
            out.append(f"<a>{canonical(content[1])}</a>")
        elif kind == "Quoted":
            marks = "“”" if content[0]["t"] == "DoubleQuote" else "‘’"
            out.append(marks[0] + canonical(content[1]) + marks[1])
        elif kind == "Math":
            out.append(f"${content[1]}$")
        elif kind == "RawInline":
            out.append(content[1])
        elif kind in ("Span", "SmallCaps", "Underline"):
            out.append(canonical(content[-1]))
        else:
            out.append(f"<{kind.lower()}>")
    return "".join(out)


def cites(tree: object) -> list[dict]:
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return found


def pandoc_json(case: Path, *args: str) -> dict:
    done = subprocess.run(["pandoc", "-f", "markdown", "-t", "json", *args, str(case / "input.md")],
                          cwd=CORPUS, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def probe_items(rendered: str) -> list[tuple[str, str, str] | None]:
    """(label, value, the suffix after the locator) of each item: no value, no label."""
    items: list[tuple[str, str, str] | None] = []
    for part in rendered.split("‖"):
        match = re.search(r"⟦([^|⟧]*)\|(.*?)⟧(.*)", part, re.DOTALL)
        if match is None:
            items.append(None)
        else:
            items.append((match.group(1) if match.group(2) else "", match.group(2), match.group(3)))
    return items


def case_fixture(case: Path) -> dict:
    blocks = pandoc_json(case)["blocks"]
    command = (case / "cmd.txt").read_text(encoding="utf-8")
    extra = ["--bibliography", match.group(1)] if (match := re.search(r"--bibliography (\S+)", command)) else []
    plain = cites(blocks)
    # Every key gets an entry (a dummy one where the case has none), so that every citation is probed.
    keys = sorted({c["citationId"] for cite in plain for c in cite["c"][0]})
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as dummies:
        json.dump([{"id": key, "type": "book", "title": "Dummy"} for key in keys], dummies)
        dummies.flush()
        args = ("--citeproc", "--csl", str(PROBE), "-M", "lang=en-US", "-M", "link-citations=false", *extra, "--bibliography", dummies.name)
        probed = cites(pandoc_json(case, *args)["blocks"])
    citations = []
    for number, cite in enumerate(plain):
        rendered = probe_items(canonical(probed[number]["c"][1])) if len(probed) == len(plain) else []
        for position, citation in enumerate(cite["c"][0]):
            probe = rendered[position] if position < len(rendered) else None
            citations.append({
                "cite": number, "key": citation["citationId"], "mode": citation["citationMode"]["t"],
                "prefix": canonical(citation["citationPrefix"]), "suffix": canonical(citation["citationSuffix"]),
                "label": probe[0] if probe else None, "locator": probe[1] if probe else None,
                "rest": probe[2] if probe else None,
            })
    return {"input": (case / "input.md").read_text(encoding="utf-8"), "citations": citations}


def main() -> None:
    version = subprocess.run(["pandoc", "--version"], capture_output=True, text=True, check=True).stdout.split("\n")[0]
    fixture = {"pandoc": version, "cases": {case.name: case_fixture(case) for case in case_folders()}}
    FIXTURE.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    total = sum(len(c["citations"]) for c in fixture["cases"].values())
    print(f"{FIXTURE.relative_to(ROOT)}: {len(fixture['cases'])} cases, {total} citations ({version})")


if __name__ == "__main__":
    main()
