// citeproc-js for footnoted (footnoted/styles/csl.py): one request a line on stdin, one answer a
// line on stdout, both JSON. The process lives as long as the build, `--watch` or `serve` that
// started it: an engine costs a second or more to make (citeproc-js compiles the style), so each
// style's engine is kept, by the style's text and the language asked for, and reset before each
// use, so that a rebuild gives what a fresh engine gives.
//
// Request {id, style, lang, items, citations, uncited, bibliography, after}:
//   items: CSL-JSON, as the bibliography was loaded; citations: [{noteIndex, citationItems}] in
//   the essay's order; uncited: ids listed but not cited (nocite); bibliography: true for the
//   reference list as well.
// Answer {id, notes: [html], bibliography: {ids: [id], entries: [html]} | null} or {id, error}.
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");

let CSL;
try {
  CSL = require("citeproc");
} catch (error) {
  process.stdout.write(JSON.stringify({ fatal: "citeproc-js (npm 'citeproc') is not installed" }) + "\n");
  process.exit(0);
}

const LOCALES = path.join(__dirname, "csl_locales");
const KEPT_ENGINES = 4; // a few styles at once (essays in different styles); the oldest goes first

const localeCache = new Map();
function retrieveLocale(lang) {
  // Only the locales shipped with the project; a language without one gets the English terms.
  if (!localeCache.has(lang)) {
    const file = path.join(LOCALES, `locales-${lang}.xml`);
    localeCache.set(lang, fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null);
  }
  return localeCache.get(lang) || retrieveLocale("en-US");
}

// The items of the request being answered: an engine asks for them by id while it works.
let items = new Map();
const sys = {
  retrieveLocale,
  retrieveItem: (id) => items.get(id),
};

const engines = new Map();
function engineFor(style, lang) {
  const key = JSON.stringify([style, lang]);
  let engine = engines.get(key);
  if (engine) {
    engines.delete(key); // to the back of the queue: used last
  } else {
    engine = new CSL.Engine(sys, style, lang || undefined);
    engine.opt.development_extensions.wrap_url_and_doi = true; // links as <a href>
    if (engines.size >= KEPT_ENGINES) {
      engines.delete(engines.keys().next().value);
    }
  }
  engines.set(key, engine);
  return engine;
}

function answer(request) {
  items = new Map(request.items.map((item) => [String(item.id), item]));
  const engine = engineFor(request.style, request.lang);
  const citations = request.citations.map((citation, index) => ({
    citationID: `c${index + 1}`,
    citationItems: citation.citationItems,
    properties: { noteIndex: citation.noteIndex },
  }));
  const notes = new Array(citations.length).fill("");
  if (request.after !== undefined && engine.footnotedLast === request.after) {
    // The reference list of the citations just set (the request before, on this engine): their
    // state is the engine's already, only the entries listed but not cited are added.
    engine.updateUncitedItems(request.uncited);
  } else {
    // A full reset first, as citeproc-js's restoreProcessorState([]) does: nothing of the last build
    // (its items, their disambiguation, the citations' positions) is left to colour this one.
    engine.registry = new CSL.Registry(engine);
    engine.tmp = new CSL.Engine.Tmp();
    engine.disambiguate = new CSL.Disambiguation(engine);
    for (const [citationID, , html] of engine.rebuildProcessorState(citations, "html", request.uncited)) {
      notes[Number(citationID.slice(1)) - 1] = html;
    }
  }
  engine.footnotedLast = request.id;
  let bibliography = null;
  if (request.bibliography) {
    const made = engine.makeBibliography();
    if (made) {
      // entry_ids holds the entries the style sets as nothing too (Chicago's personal communications):
      // bibliography_errors names them by their place in it.
      const skipped = new Set(made[0].bibliography_errors.map((problem) => problem.index));
      const ids = made[0].entry_ids.map((ids) => String(ids[0])).filter((_, index) => !skipped.has(index));
      bibliography = { ids, entries: made[1] };
    } else {
      // A style without a <bibliography>: each source as its first citation gives it.
      engine.setOutputFormat("html");
      const ids = [...new Set([...request.citations.flatMap((c) => c.citationItems.map((i) => String(i.id))),
                               ...request.uncited])];
      bibliography = { ids, entries: ids.map((id) => engine.makeCitationCluster([{ id }])) };
    }
  }
  return { id: request.id, notes, bibliography };
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
process.stdout.write(JSON.stringify({ ready: true, citeproc: CSL.PROCESSOR_VERSION }) + "\n");
lines.on("line", (line) => {
  let request = { id: null };
  let reply;
  try {
    request = JSON.parse(line);
    reply = answer(request);
  } catch (error) {
    // The style's fault most often (citeproc-js throws on what it cannot read): one line for the user.
    reply = { id: request.id, error: String((error && error.message) || error).split("\n")[0] };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
