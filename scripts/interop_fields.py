#!/usr/bin/env python3
"""Which fields pandoc prints in a Chicago note and footnoted does not: `python scripts/interop_fields.py`.

Over the bibliographies of scripts/interop_bibliographies.py (the corpus's CSL-JSON and CSL-YAML,
pandoc's BibLaTeX test files, GB/T 7714's examples, and the CSL-YAML pandoc writes from those),
each entry is cited once, in a note of its own, by pandoc 2.17 (`--citeproc` with the corpus's
chicago-fullnote-bibliography.csl) and formatted by footnoted's Chicago note. For each field of
the entry whose value pandoc's note shows, the entry counts for that field when ours does not.

A value "shows" when its words are in the note, compared without case, spacing, quotes and dashes:
a name by its family name (or literal), a date by its year (or its words), text as plain text.
Short values (a volume "3") can be found by chance in either note: the figures are a floor.
`--list FIELD` prints the entries missing FIELD, with both notes.
"""

import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from footnoted.bibliography import Date, Entry, LiteralDate, Name, load_bibliography  # noqa: E402
from footnoted.bibliography.richtext import plain  # noqa: E402
from footnoted.diagnostics import InputError  # noqa: E402
from footnoted.styles import Citation, CitationItem, note_style  # noqa: E402
from scripts.interop_bibliographies import bibliographies, corpus  # noqa: E402

# Not the source's description: how it is filed, and our own extensions.
NOT_PRINTED_FIELDS = frozenset(("id", "type", "language", "custom", "quotes", "others", "snapshot", "pdf", "video",
                                "citation-key", "citation-label"))
_DASHES = re.compile(r"[\u2010-\u2015\u2212-]+")
_QUOTES = re.compile(r"[\u2018\u2019\u201c\u201d'\"«»]")
_SPACE = re.compile(r"\s+")


def normal(text: str) -> str:
    text = _QUOTES.sub("", _DASHES.sub("-", plain(text))).casefold()
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def shown_values(value: object) -> list[str]:
    """The pieces of a field's value a note shows: each name, the year of a date, the text."""
    if isinstance(value, tuple) and all(isinstance(n, Name) for n in value):
        return [n.literal or n.family for n in value if n.literal or n.family]
    if isinstance(value, Date):
        return [str(abs(value.year))]
    if isinstance(value, LiteralDate):
        return [value.text]
    if isinstance(value, str):
        return [value]
    return []


def pandoc_notes(path: Path, keys: list[str], csl: Path) -> dict[str, str]:
    """Each key's note, as pandoc prints it (plain text)."""
    body = "\n\n".join(f"A[@{{{key}}}]." for key in keys)
    document = f"---\nsuppress-bibliography: true\n---\n\n{body}\n"
    result = subprocess.run(["pandoc", "--citeproc", "--csl", str(csl), "--bibliography", str(path), "-f", "markdown",
                             "-t", "plain", "--wrap=none"], input=document, capture_output=True, text=True, check=True)
    notes: dict[str, str] = {}
    for match in re.finditer(r"^\[(\d+)\] (.*?)(?=^\[\d+\] |\Z)", result.stdout, re.MULTILINE | re.DOTALL):
        index = int(match.group(1)) - 1
        if index < len(keys):
            notes[keys[index]] = match.group(2).strip()
    return notes


def our_note(entry: Entry) -> str:
    (runs,), = note_style("chicago-17", chinese=False).notes((Citation((CitationItem(entry),), 1),))
    return "".join(run.text for run in runs)


def measure(files: list[Path], csl: Path, listed: str = "") -> tuple[Counter, int, int]:
    missing: Counter = Counter()
    entries = lost = 0
    for path in files:
        try:
            bibliography = load_bibliography([path])
        except InputError:
            continue
        keys = [k for k in bibliography.entries if "}" not in k]
        try:
            notes = pandoc_notes(path, keys, csl)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"  pandoc failed on {path.name}: {exc}", file=sys.stderr)
            continue
        for key in keys:
            theirs, entry = notes.get(key, ""), bibliography.entries[key]
            if not theirs or theirs.endswith("?"):
                continue
            entries += 1
            ours_text = our_note(entry)
            ours, pandoc = normal(ours_text), normal(theirs)
            fields = [name for name, value in entry.variables.items() if name not in NOT_PRINTED_FIELDS
                      and any(normal(v) and normal(v) in pandoc and normal(v) not in ours for v in shown_values(value))]
            missing.update(fields)
            lost += bool(fields)
            if listed and listed in fields:
                print(f"{path.name} {key}\n  pandoc: {theirs}\n  ours:   {ours_text}")
    return missing, entries, lost


def main() -> int:
    shared = corpus()
    if shared is None:
        print("no corpus (../shared/corpus): nothing to measure")
        return 0
    csl = shared / "interop" / "pandoc-tests" / "command" / "chicago-fullnote-bibliography.csl"
    listed = sys.argv[sys.argv.index("--list") + 1] if "--list" in sys.argv else ""
    with tempfile.TemporaryDirectory() as scratch:
        missing, entries, lost = measure(bibliographies(Path(scratch)), csl, listed)
    print(f"{entries} entries cited; {lost} lose a field pandoc prints; {sum(missing.values())} fields lost")
    for field, count in missing.most_common():
        print(f"  {field:<24} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
