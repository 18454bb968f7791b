#!/usr/bin/env python3
"""How many of GB/T 7714-2015's own examples our GB/T 7714 style gives: `python scripts/gb7714_examples.py [-v]`.

The examples are gbt7714-bibtex-style's transcription (../shared/corpus/styles/gbt7714-2015-examples.bib), the
expected text its rendering (2015-numeric.json). Compared: each complete reference (not the clauses that show a
single element, 8.1 to 8.4 and 8.8), formatted by `style: gb7714-2015` from the entry our BibTeX reader makes.
Differences of no substance are evened out on both sides: full-width marks inside titles as the data has them,
TeX's spacing between Chinese and Latin, `---` and ``` `` ```, and the unknown place and publisher the standard
prints (`[出版地不详]`) where that style, by default, prints nothing. Letter case is counted apart: the .bst
lower-cases English titles, we keep them as the data has them. `-v` prints every difference.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from footnoted.bibliography import load_bibliography  # noqa: E402
from footnoted.styles import note_style  # noqa: E402
from scripts.corpus import SHARED_CORPUS  # noqa: E402

FRAGMENTS = ("8.1.", "8.2", "8.3:", "8.4", "8.8.")  # clauses whose examples show one element alone


def evened(text: str, fold: bool = False) -> str:
    for wide, narrow in (("（", "("), ("）", ")"), ("---", "—"), ("``", "“"), ("''", "”"), ("；", "; "), ("：", ": "),
                         ("，", ", "), ("？", "?")):
        text = text.replace(wide, narrow)
    text = re.sub(r"\s*\(", "(", text)
    text = re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])\s+(?=[\u3400-\u9fff])", "", text)
    text = re.sub(r"\[出版地不详\]: |\[S\.l\.\]: |: \[出版者不详\]|: \[s\.n\.\]", "", text)
    return text.casefold() if fold else text


def main() -> int:
    styles = SHARED_CORPUS / "styles"
    if not (styles / "2015-numeric.json").exists():
        print(f"no {styles}: the examples are in ../shared/corpus/styles", file=sys.stderr)
        return 1
    entries = load_bibliography([styles / "gbt7714-2015-examples.bib"]).entries
    expected = json.loads((styles / "2015-numeric.json").read_text(encoding="utf-8"))
    style = note_style("gb7714-2015", True)
    exact = folded = total = 0
    for key, want in expected.items():
        entry = entries.get("gbt7714." + key)
        if key.startswith(FRAGMENTS) or entry is None:
            continue
        total += 1
        ((_, runs),) = style.bibliography((entry,))
        got = "".join(run.text for run in runs)
        if evened(got) == evened(want):
            exact += 1
        elif evened(got, True) == evened(want, True):
            folded += 1
        elif "-v" in sys.argv:
            print(f"{key}\n  standard {want}\n  ours     {got}")
    print(f"{exact} of {total} complete examples match ({exact + folded} when letter case is not compared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
