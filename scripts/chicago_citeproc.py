"""Second opinion for tests/test_chicago.py: citeproc-js running the official Chicago styles.

Cites every entry of tests/fixtures/chicago/sources.json in a full note, then in a short note
(the same order again), then the last one once more right after its short note (CMOS 17's
"ibid." position), and writes what citeproc-js gives, notes and bibliography, to
tests/fixtures/chicago/citeproc-chicago-18.json and citeproc-chicago-17.json.

Made with citeproc-js 2.4.63 (npm `citeproc`) under Node, the styles and the en-US locale of
../shared/corpus/styles/csl/ (citation-style-language/styles @ 0819c0e0b7d4a0301ff063521f91818cb697ca5b):

    npm install --prefix /tmp/citeproc citeproc@2.4.63
    NODE_PATH=/tmp/citeproc/node_modules PYTHONPATH=. python scripts/chicago_citeproc.py

The fixtures are what an independent processor said, kept as a reference to compare with; the
tests' expected notes are written out from CMOS's rules, not from these.
"""

from __future__ import annotations

import json
import subprocess

from scripts.corpus import ROOT, SHARED_CORPUS

FIXTURES = ROOT / "tests" / "fixtures" / "chicago"
CSL = SHARED_CORPUS / "styles" / "csl"
STYLES = {"chicago-18": "chicago-notes-bibliography.csl", "chicago-17": "chicago-notes-bibliography-17th-edition.csl"}

RUNNER = r"""
const fs = require("fs");
const CSL = require("citeproc");
const [style, localeDir] = process.argv.slice(1);
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const items = Object.fromEntries(input.items.map((i) => [i.id, i]));
const sys = {
  retrieveLocale: (lang) => { try { return fs.readFileSync(`${localeDir}/locales-${lang}.xml`, "utf8"); } catch (e) { return false; } },
  retrieveItem: (id) => items[id],
};
const engine = new CSL.Engine(sys, fs.readFileSync(style, "utf8"), "en-US");
engine.setOutputFormat("html");
const notes = [];
const before = [];
input.notes.forEach((cites, i) => {
  const cluster = { citationID: `c${i}`, citationItems: cites, properties: { noteIndex: i + 1 } };
  const [, changed] = engine.processCitationCluster(cluster, before, []);
  for (const [index, text] of changed) notes[index] = text;
  before.push([`c${i}`, i + 1]);
});
engine.updateItems(input.items.map((i) => i.id));
const [, bibliography] = engine.makeBibliography();
console.log(JSON.stringify({ notes, bibliography: bibliography.map((s) => s.trim()) }, null, 1));
"""


def locator(item: dict, page: int) -> dict:
    """A page, or for a reference work's entry its head word ("s.v." in the 17th edition, "under" in the 18th)."""
    if item["type"].startswith("entry"):
        return {"id": item["id"], "locator": item["title"], "label": "sub-verbo"}
    return {"id": item["id"], "locator": str(page), "label": "page"}


def citations(items: list[dict]) -> list[list[dict]]:
    """Each source in full, each again short, then the last one again right after its short note."""
    full = [[locator(item, 10 + n)] for n, item in enumerate(items)]
    short = [[locator(item, 20 + n)] for n, item in enumerate(items)]
    return [*full, *short, [locator(items[-1], 99)]]


def main() -> None:
    items = json.loads((FIXTURES / "sources.json").read_text(encoding="utf-8"))
    given = json.dumps({"items": items, "notes": citations(items)})
    for name, csl in STYLES.items():
        out = subprocess.run(["node", "-e", RUNNER, str(CSL / csl), str(CSL)], input=given, capture_output=True,
                             text=True, check=True).stdout
        (FIXTURES / f"citeproc-{name}.json").write_text(out, encoding="utf-8")


if __name__ == "__main__":
    main()
