// The tests' second opinion (tests/test_csl.py): citeproc-js used directly, as a word processor's
// plugin uses it, without footnoted's bridge. A fresh engine; each citation added in turn with
// processCitationCluster, its note number and the citations before it, keeping the latest text
// citeproc-js gives for each (a later citation may change an earlier one, e.g. disambiguation).
// In: one JSON object {style, lang, items, citations: [{noteIndex, citationItems}]} on stdin.
// Out: a JSON list of each citation's HTML, and the bibliography's entries.
"use strict";

const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const locales = path.join(__dirname, "..", "footnoted", "styles", "csl_locales");
const sys = {
  retrieveLocale: (lang) => {
    const file = path.join(locales, `locales-${lang}.xml`);
    return fs.readFileSync(fs.existsSync(file) ? file : path.join(locales, "locales-en-US.xml"), "utf8");
  },
  retrieveItem: (id) => request.items.find((item) => String(item.id) === String(id)),
};
const engine = new CSL.Engine(sys, request.style, request.lang);
engine.opt.development_extensions.wrap_url_and_doi = true;
engine.updateItems(request.items.map((item) => String(item.id)));

const texts = [];
const before = [];
request.citations.forEach((citation, index) => {
  const cluster = { citationID: `direct${index}`, citationItems: citation.citationItems,
                    properties: { noteIndex: citation.noteIndex } };
  const [, changed] = engine.processCitationCluster(cluster, before, []);
  for (const [position, html] of changed) {
    texts[position] = html;
  }
  before.push([cluster.citationID, citation.noteIndex]);
});
const made = engine.makeBibliography();
process.stdout.write(JSON.stringify({ notes: texts, bibliography: made ? made[1] : null }));
