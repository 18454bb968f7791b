#!/usr/bin/env python3
"""How many real bibliographies footnoted reads as given: `python scripts/interop_bibliographies.py`.

The bibliographies: the Zotero CSL-JSON libraries and pandoc's CSL-YAML in ../shared/corpus
(whole files), pandoc's BibLaTeX test files and GB/T 7714's examples as BibTeX, the YAML pandoc
writes from each of those (`pandoc X.bib -s -t markdown`, when pandoc is installed), the Better
BibTeX-style fixture and our own citations/. For each: loaded as given (no error), its entries
loaded, and the fields dropped (a value of a shape nothing can read, such as `page: [1, 2]`).
"""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from footnoted.bibliography import FORMATS, load_bibliography, reader_of
from footnoted.bibliography.csl import convert
from footnoted.diagnostics import InputError
from footnoted.source import read_text
from scripts.corpus import SHARED_CORPUS


def corpus() -> Path | None:
    return SHARED_CORPUS if SHARED_CORPUS.is_dir() else None


def bibliographies(scratch: Path) -> list[Path]:
    files = [ROOT / "citations" / "references.yaml", ROOT / "tests" / "fixtures" / "bibliographies" / "better-csl.yaml"]
    shared = corpus()
    if shared:
        bibs = [*sorted((shared / "interop" / "pandoc-tests" / "command").glob("*.bib")), shared / "styles" / "gbt7714-2015-examples.bib"]
        files += sorted((shared / "interop" / "bibs").iterdir()) + bibs
        for bib in bibs:  # the CSL-YAML pandoc writes from them
            try:
                written = subprocess.run(["pandoc", str(bib), "-f", "biblatex", "-s", "-t", "markdown"], capture_output=True,
                                         text=True, check=True).stdout
            except (OSError, subprocess.CalledProcessError):
                continue
            files.append(scratch / f"{bib.stem}.pandoc.yaml")
            files[-1].write_text(written, encoding="utf-8")
    return files


def dropped_fields(path: Path) -> int:
    reader = reader_of(FORMATS[path.suffix])
    text = read_text(str(path), path.read_bytes())
    dropped = 0
    for item, place in reader.read(str(path), text, []):
        entry = convert(str(path), item, place, [], reader.MARKDOWN).entry
        if entry is None or not isinstance(item, dict):
            continue
        kept = {key.upper() if key.lower() in ("doi", "url", "isbn", "issn", "pmid", "pmcid") else key for key in entry.variables}
        dropped += sum(1 for key, value in item.items()
                       if value is not None and key not in ("id", "quotes") and (key.upper() if key.upper() in kept else key) not in kept)
    return dropped


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        files = bibliographies(Path(scratch))
        as_given = entries = dropped = warnings = 0
        for path in files:
            try:
                bibliography = load_bibliography([path])
            except InputError as exc:
                print(f"  NOT LOADED  {path.name}: {exc.diagnostics[0]}")
                continue
            errors = [d for d in bibliography.diagnostics if d.severity.value == "error"]
            as_given += not errors
            entries += len(bibliography.entries)
            warnings += len(bibliography.diagnostics) - len(errors)
            fields = dropped_fields(path)
            dropped += fields
            print(f"  {'ok' if not errors else 'ERRORS':<6} {path.name}: {len(bibliography.entries)} entries, "
                  f"{len(bibliography.diagnostics)} warnings, {fields} fields dropped")
        print(f"bibliographies loaded as given: {as_given} of {len(files)}; entries loaded: {entries}; "
              f"fields dropped: {dropped}; warnings: {warnings}")
    return 0 if as_given == len(files) else 1


if __name__ == "__main__":
    sys.exit(main())
