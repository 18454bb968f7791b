"""`build.py check`: what is still open in a draft, beyond what building already reports.

Editorial comments left in the draft (as TODOs), the source's CJK/Latin spacing and
punctuation (what the typography pass would change, with the fix), blocks an LLM drafted that
nobody reviewed, bibliography fields nothing reads or of the wrong shape, fields of a cited
entry the essay's style does not print, quotes checked
against their snapshots, and the Xiaohongshu limits. Each is a diagnostic with its place.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from footnoted.bibliography import Bibliography
from footnoted.diagnostics import Diagnostic, InputError, did_you_mean, error, warning
from footnoted.essay import Essay
from footnoted.resolve import ResolvedEssay
from footnoted.safe_read import MAX_BIBLIOGRAPHY_BYTES, MAX_DRAFT_BYTES, read_regular_file
from footnoted.snapshots import EntryCheck, check_entry
from footnoted.source import read_text, split_front_matter, strip_comments
from footnoted.styles import is_csl, note_style, printed_variables
from footnoted.targets import RenderOptions, renderer
from footnoted.tree import (
    BlockQuote,
    Blocks,
    Div,
    Heading,
    HtmlBlock,
    Inline,
    InlineNote,
    Inlines,
    Link,
    ListBlock,
    Paragraph,
    RawHtml,
    Styled,
    TableBlock,
    Text,
    plain_text,
)
from footnoted.typography import typeset_inlines, typeset_text
from footnoted.yamlsafe import Place, YamlList, YamlMap, load_yaml

ALLOWED_SCHEMES = ("http", "https", "mailto", "doi")

# --- editorial comments -------------------------------------------------------


def editorial_todos(essay: Essay) -> list[Diagnostic]:
    """Every `%% … %%` and `<!-- … -->` still in the draft: a note to self is open work."""
    todos = []
    for comment in essay.comments:
        text = re.sub(r"\s+", " ", comment.text).strip() or "(an empty editorial comment)"
        text = text if len(text) <= 60 else text[:59] + "…"
        todos.append(warning(essay.path, comment.line, comment.col, f"TODO: {text}", "comment.todo"))
    return todos


# --- provenance ---------------------------------------------------------------

def unreviewed_drafts(essay: Essay) -> list[Diagnostic]:
    return [warning(essay.path, mark.line, 1, "block drafted by an LLM is not reviewed: review it, then mark it "
                    "'#llm-draft/reviewed'", "provenance.unreviewed")
            for mark in essay.provenance if mark.mark == "llm-draft"]


# --- typography ---------------------------------------------------------------


class _Draft:
    """The draft's text with comments taken out, to find where a piece of its text stands."""

    def __init__(self, essay: Essay) -> None:
        text = read_text(essay.path, read_regular_file(essay.path, MAX_DRAFT_BYTES))
        split = split_front_matter(essay.path, text)
        self.front_lines = text.split("\n")[: split.body_first_line - 1]
        stripped = strip_comments(essay.path, split.body, split.body_first_line)
        self.text, self.source_map = stripped.text, stripped.source_map
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def offset_of_line(self, draft_line: int) -> int:
        index = bisect.bisect_left(self.source_map.draft_lines, draft_line)
        return self.line_starts[min(index, len(self.line_starts) - 1)]

    def place(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return self.source_map.where(index + 1, offset - self.line_starts[index] + 1)

    def find(self, node_text: str, at: int, cursor: int) -> int | None:
        """Offset of node_text[at] in the draft at or after `cursor`: the widest neighbourhood found,
        both sides first, then one side (smart punctuation may have changed the other: `--` → ——)."""
        line_start = node_text.rfind("\n", 0, at) + 1
        line_end = node_text.find("\n", at)
        line_end = line_end if line_end >= 0 else len(node_text)
        for width in (8, 3, 1):
            for before, after in ((width, width), (width, 0), (0, width)):
                head = max(line_start, at - before)
                key = node_text[head : min(at + after + 1, line_end)]
                found = self.text.find(key, cursor) if len(key) > 1 else -1
                if found >= 0:
                    return found + (at - head)
        found = self.text.find(node_text[at : at + 1], cursor) if at < len(node_text) else -1
        return found if found >= 0 else None


def typography_problems(essay: Essay) -> list[Diagnostic]:
    """What the typography pass would change in a Chinese draft's prose, each with the fix."""
    if not essay.front.is_chinese:
        return []
    try:
        draft = _Draft(essay)
    except (OSError, InputError):  # the file changed since it was parsed: the next check will tell
        return []
    problems = _front_matter_typography(essay, draft)
    runs = list(_inline_runs(essay.blocks)) + [r for f in essay.footnotes.values() for r in _inline_runs(f.blocks)]
    for line, inlines in runs:
        cursor = draft.offset_of_line(line)
        typeset = [n for n in _flatten(typeset_inlines(inlines)) if isinstance(n, Text)]
        originals = [n for n in _flatten(inlines) if isinstance(n, Text)]
        for before, after in zip(originals, typeset, strict=False):
            for start, end, new_start, new_end in _changes(before.text, after.text):
                offset = draft.find(before.text, start, cursor)
                if offset is None:  # escaped or an entity in the source: show the node's own text
                    where, lead, trail = (line, 1), *_context(before.text, start, end)
                else:
                    where, lead, trail, cursor = draft.place(offset), *_context(draft.text, offset, offset + end - start), offset
                problems.append(_typography_warning(essay.path, where, lead + before.text[start:end] + trail,
                                                    lead + after.text[new_start:new_end] + trail))
    return problems


def _front_matter_typography(essay: Essay, draft: _Draft) -> list[Diagnostic]:
    problems = []
    for key in ("title", "subtitle"):
        value = getattr(essay.front, key)
        typeset = typeset_text(value)
        line = next((n for n, text in enumerate(draft.front_lines, 1) if text.startswith(f"{key}:")), 1)
        source = draft.front_lines[line - 1] if draft.front_lines else value
        for start, end, new_start, new_end in _changes(value, typeset):
            lead, trail = _context(value, start, end)
            col = source.find(lead + value[start:end] + trail) + 1 + len(lead)
            problems.append(_typography_warning(essay.path, (line, col if col > len(lead) else 1),
                                                lead + value[start:end] + trail, lead + typeset[new_start:new_end] + trail))
    return problems


def _changes(before: str, after: str) -> list[tuple[int, int, int, int]]:
    """Each change, changes less than two characters apart taken as one: (start, end) in `before`, in `after`."""
    groups: list[list[int]] = []
    for i1, i2, j1, j2 in _typography_edits(before, after):
        if groups and i1 - groups[-1][1] < 2:
            groups[-1][1], groups[-1][3] = i2, j2
        else:
            groups.append([i1, i2, j1, j2])
    return [(i1, i2, j1, j2) for i1, i2, j1, j2 in groups]


# What the typography pass puts in place of a character (typography.py): full-width marks,
# Chinese quotation marks and parentheses.
_DROPS_SPACE_AFTER = ",;:?!."
_TYPESET_AS = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", ".": "。", '"': "“”", "(": "（", ")": "）"}


def _typography_edits(before: str, after: str) -> Iterator[tuple[int, int, int, int]]:
    """The typography pass's edits, (start, end) in `before` and in `after`, in one walk along both.

    The pass only ever puts a full-width mark or a Chinese quotation mark in place of its ASCII
    one, drops the space after a full-width mark, and puts a space between Chinese and Latin; every
    other character stays, in order. So where the two texts differ, the edit is plain from the
    two characters there. A character diff (difflib) found the same edits in cubic time: a 6 KB
    paragraph took 14 s.
    """
    i = j = 0
    while i < len(before) and j < len(after):
        if before[i] == after[j]:
            i, j = i + 1, j + 1
        elif after[j] in _TYPESET_AS.get(before[i], ""):
            # The space after a full-width mark goes with it (even where another space follows).
            dropped = before[i] in _DROPS_SPACE_AFTER and before.startswith(" ", i + 1)
            yield i, i + 1 + dropped, j, j + 1
            i, j = i + 1 + dropped, j + 1
        elif after[j] == " ":
            yield i, i, j, j + 1
            j += 1
        elif before[i] == " ":
            yield i, i + 1, j, j
            i += 1
        else:  # not the typography pass's doing: taken as a change of that character
            yield i, i + 1, j, j + 1
            i, j = i + 1, j + 1
    if i < len(before) or j < len(after):
        yield i, len(before), j, len(after)


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """Up to two characters either side of text[start:end], never past a line's end."""
    lead = text[max(start - 2, 0) : start].rsplit("\n", 1)[-1]
    trail = text[end : end + 2].split("\n", 1)[0]
    return lead, trail


def _typography_warning(path: str, where: tuple[int, int], before: str, after: str) -> Diagnostic:
    changed = "".join(c for c in before if c not in after) + "".join(c for c in after if c not in before)
    if not changed.strip():
        message, code = "no space between Chinese and Latin", "typography.spacing"
    elif '"' in before and ("“" in after or "”" in after):
        message, code = "straight quotes in Chinese text", "typography.quotes"
    else:
        message, code = "half-width punctuation in Chinese text", "typography.punctuation"
    return warning(path, where[0], where[1], f"{message}: '{before}' → '{after}'", code)


def _inline_runs(blocks: Blocks) -> Iterator[tuple[int, Inlines]]:
    """(line, inline nodes) of every piece of prose, in the order of the draft."""
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            yield block.line, block.children
            yield from _inline_notes(block.children)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _inline_runs(item)
        elif isinstance(block, TableBlock):
            for cell in (*block.header, *(c for row in block.rows for c in row)):
                yield block.line, cell
        elif isinstance(block, (BlockQuote, Div)):
            yield from _inline_runs(block.children)


def _inline_notes(nodes: Inlines) -> Iterator[tuple[int, Inlines]]:
    """The words of pandoc's inline notes `^[…]`, prose of their own."""
    for node in nodes:
        if isinstance(node, InlineNote):
            yield node.line, node.children
        elif isinstance(node, (Styled, Link)):
            yield from _inline_notes(node.children)


def _flatten(nodes: Inlines) -> list[Inline]:
    flat: list[Inline] = []
    for node in nodes:
        flat.extend(_flatten(node.children) if isinstance(node, (Styled, Link)) else [node])
    return flat


# --- missing links ------------------------------------------------------------

_UNDEFINED_REFERENCE = re.compile(r"\[([^\[\]]+)\]\[([^\[\]]*)\]")  # left as text by Markdown: no definition


def missing_links(essay: Essay) -> list[Diagnostic]:
    """Links still to be filled in: a reference link whose label is never defined, a '#' placeholder."""
    try:
        draft: _Draft | None = _Draft(essay)
    except (OSError, InputError):
        draft = None
    problems = []
    runs = list(_inline_runs(essay.blocks)) + [r for f in essay.footnotes.values() for r in _inline_runs(f.blocks)]
    for line, inlines in runs:
        for node in _flatten(inlines):
            for match in _UNDEFINED_REFERENCE.finditer(node.text) if isinstance(node, Text) else ():
                label = match.group(2) or match.group(1)
                problems.append(warning(essay.path, *_find_in(draft, match.group(0), line),
                                        f"link '{match.group(0)}' has no target: add a line '[{label}]: URL'", "link.undefined"))
        for link in _links(inlines):
            if link.url == "#":
                where = _find_in(draft, "](#)", line, at=2)
                problems.append(warning(essay.path, *where, f"link '{plain_text(link.children)}' has no URL yet ('#')",
                                        "link.placeholder"))
    return problems


def _find_in(draft: _Draft | None, text: str, line: int, at: int = 0) -> tuple[int, int]:
    """Where `text` (its character `at`) first stands from the block's line on; the line itself if not found."""
    found = draft.text.find(text, draft.offset_of_line(line)) if draft else -1
    return draft.place(found + at) if draft and found >= 0 else (line, 1)


def _links(nodes: Inlines) -> Iterator[Link]:
    for node in nodes:
        if isinstance(node, Link):
            yield node
        if isinstance(node, (Styled, Link)):
            yield from _links(node.children)


# --- URLs in raw HTML ---------------------------------------------------------

_URL_ATTRIBUTE = re.compile(r"""\b(?:href|src|action|formaction)\s*=\s*["']?\s*([^"'\s>]+)""", re.IGNORECASE)


def raw_html_urls(essay: Essay) -> list[Diagnostic]:
    """With raw_html on, the page carries the draft's HTML as is: its links obey the same rule."""
    if not essay.front.raw_html:
        return []
    try:
        draft: _Draft | None = _Draft(essay)
    except (OSError, InputError):
        draft = None
    problems = []
    for line, html in _raw_html(essay.blocks):
        for match in _URL_ATTRIBUTE.finditer(html):
            url, scheme = match.group(1), _scheme(match.group(1))
            if scheme and scheme not in ALLOWED_SCHEMES:
                problems.append(error(essay.path, *_find_in(draft, url, line), f"link URL '{url[:60]}' in raw HTML is not allowed "
                                      f"({scheme}:): use http, https, mailto or doi:", "link.scheme"))
    return problems


def _raw_html(blocks: Blocks) -> Iterator[tuple[int, str]]:
    for block in blocks:
        if isinstance(block, HtmlBlock):
            yield block.line, block.html
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _raw_html(item)
        elif isinstance(block, (BlockQuote, Div)):
            yield from _raw_html(block.children)
        else:
            for line, inlines in _inline_runs((block,)):
                yield from ((line, n.html) for n in _flatten(inlines) if isinstance(n, RawHtml))


def _scheme(url: str) -> str:
    match = re.match(r"([a-z][a-z0-9+.-]*):", url.strip(), re.IGNORECASE)
    return match.group(1).lower() if match else ""


# --- the bibliography ---------------------------------------------------------

# Anything else in an entry is read by nothing: CSL processors ignore it, and so do we.
CSL_FIELDS = frozenset((  # CSL 1.0.2's variables and CSL-JSON's item keys; then ours
    "id", "type", "categories", "language", "journalAbbreviation", "shortTitle", "custom", "note", "abstract",
    "annote", "archive", "archive_collection", "archive_location", "archive-place", "authority", "call-number",
    "chapter-number", "citation-key", "citation-label", "citation-number", "collection-number", "collection-title",
    "container-title", "container-title-short", "dimensions", "division", "DOI", "edition", "event", "event-title",
    "event-place", "first-reference-note-number", "genre", "ISBN", "ISSN", "issue", "jurisdiction", "keyword",
    "license", "locator", "medium", "number", "number-of-pages", "number-of-volumes", "original-publisher",
    "original-publisher-place", "original-title", "page", "page-first", "part-number", "part-title", "PMCID",
    "PMID", "printing-number", "publisher", "publisher-place", "references", "reviewed-genre", "reviewed-title",
    "scale", "section", "source", "status", "supplement-number", "title", "title-short", "URL", "version", "volume",
    "volume-title", "year-suffix", "author", "chair", "collection-editor", "compiler", "composer",
    "container-author", "contributor", "curator", "director", "editor", "editorial-director", "editor-translator",
    "executive-producer", "guest", "host", "illustrator", "interviewer", "narrator", "organizer", "original-author",
    "performer", "producer", "recipient", "reviewed-author", "script-writer", "series-creator", "translator",
    "accessed", "available-date", "event-date", "issued", "original-date", "submitted", "others", "quotes", "pdf",
    "video", "snapshot",
))
PASSAGE_FIELDS = ("text", "page", "locator", "emphasis", "translation", "table")
_ARXIV_NEW = re.compile(r"(\d{2})(0[1-9]|1[0-2])\.(\d{4,5})(v\d+)?\Z")
_ARXIV_OLD = re.compile(r"[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?\Z")
_ARXIV_URL = re.compile(r"https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?\Z")


def bibliography_problems(files: list[Path], places: dict[tuple[str, str], Mapping[str, Place]] | None = None) -> list[Diagnostic]:
    """Fields no CSL processor reads, and URLs and arXiv ids of the wrong shape, read from the YAML
    itself: they are found even while another entry's error keeps the bibliography from loading.
    `places`, when given, is filled with where each entry's fields stand, by (path, id)."""
    problems = []
    for path in files:
        try:
            data = load_yaml(read_text(str(path), read_regular_file(path, MAX_BIBLIOGRAPHY_BYTES)), str(path))
        except (InputError, OSError):
            continue  # loading the bibliography has reported it already
        if isinstance(data, YamlMap) and isinstance(data.get("references"), YamlList):
            data = data["references"]
        for item in data if isinstance(data, YamlList) else ():
            if isinstance(item, YamlMap):
                problems += _entry_problems(str(path), item)
                if places is not None and isinstance(item.get("id"), (str, int)):
                    places[(str(path), str(item["id"]).strip())] = item.key_places
    return problems


# Not the source's description: how the entry is found and filed, which terms its reference takes
# (language), and our own extensions. Everything else a style does not print, check reports.
NOT_PRINTED = frozenset(("id", "type", "language", "citation-key", "citation-label", "others", "quotes", "pdf", "video",
                         "snapshot"))
def unprinted_fields(resolved: ResolvedEssay, places: Mapping[tuple[str, str], Mapping[str, Place]]) -> list[Diagnostic]:
    """Each field of an entry the essay cites (or lists) that its style does not print: what the
    formatter read of the entry (styles.printed_variables), not a list of fields known to be printed.
    A CSL style is not asked: what it prints is the style file's to decide, field by field and type
    by type, and citeproc-js does not say what it read."""
    if is_csl(resolved.front.style):
        return []
    style = note_style(resolved.front.style, resolved.front.is_chinese)
    problems = []
    for entry, _ in resolved.references:
        printed = printed_variables(style, entry)
        where = places.get((entry.path, entry.id), {})
        for key in entry.variables:
            if key in printed or key in NOT_PRINTED or (where and key not in CSL_FIELDS):
                continue  # a key no CSL processor reads: reported as an unknown field
            place = where.get(key) or where.get(key.lower())
            line, col = (place.line, place.col) if place else (entry.line, entry.col)
            problems.append(warning(entry.path, line, col, f"'{key}' of '{entry.id}' is not printed: "
                                    f"{style.title} leave it out", "bib.unprinted-field"))
    return problems


def quote_problems(bibliography: Bibliography) -> EntryCheck:
    """Each quote of an entry with a `snapshot:`, looked up in it (footnoted.snapshots), and how
    many quotes were: the summary must not count a snapshot that was refused or missing."""
    checks = [check_entry(entry) for entry in bibliography.entries.values()]
    return EntryCheck([p for c in checks for p in c.problems], sum(c.quotes_checked for c in checks))


def _entry_problems(path: str, item: YamlMap) -> list[Diagnostic]:
    entry_id = str(item.get("id", ""))
    problems = []
    for key, place in item.key_places.items():
        if key not in CSL_FIELDS:
            problems.append(warning(path, place.line, place.col, f"unknown field '{key}' in '{entry_id}': nothing reads it"
                                    f"{did_you_mean(key, CSL_FIELDS)}", "bib.unknown-field"))
        if isinstance(item[key], str) and key not in ("URL", "pdf", "video"):
            problems += _url_problems(path, item, key)  # those three are checked when the entry is read
    quotes = item.get("quotes")
    for quote_id, body in quotes.items() if isinstance(quotes, YamlMap) else ():
        for key, place in body.key_places.items() if isinstance(body, YamlMap) else ():
            if key not in PASSAGE_FIELDS:
                problems.append(warning(path, place.line, place.col, f"unknown field '{key}' in quote '{quote_id}'"
                                        f"{did_you_mean(key, PASSAGE_FIELDS)}", "bib.unknown-field"))
    return problems + _arxiv_problems(path, item, entry_id)


def _url_problems(path: str, item: YamlMap, key: str) -> list[Diagnostic]:
    value, place = item[key].strip(), item.value_places[key]
    if not re.match(r"[a-z][a-z0-9+.-]*://", value, re.IGNORECASE) and _scheme(value) not in ("javascript", "data", "vbscript", "file"):
        return []  # not a URL
    scheme = _scheme(value)
    if scheme not in ALLOWED_SCHEMES:
        return [error(path, place.line, place.col, f"'{key}' URL '{value[:60]}' is not allowed ({scheme}:): "
                      "use http, https, mailto or doi:", "bib.bad-url")]
    if scheme in ("http", "https") and not urlsplit(value).hostname:
        return [error(path, place.line, place.col, f"'{key}' URL '{value[:60]}' has no host", "bib.bad-url")]
    return []


def _arxiv_problems(path: str, item: YamlMap, entry_id: str) -> list[Diagnostic]:
    venues = {str(item.get(k, "")).strip().lower() for k in ("publisher", "container-title")}
    urls = {k: _ARXIV_URL.match(str(item.get(k, "")).strip()) for k in ("URL", "pdf")}
    ids = {k: m.group(1) for k, m in urls.items() if m}
    if "arxiv" in venues and "number" in item:
        ids = {"number": str(item["number"]).strip().removeprefix("arXiv:"), **ids}
    problems = []
    for key, arxiv_id in ids.items():
        if not (_ARXIV_NEW.match(arxiv_id) or _ARXIV_OLD.match(arxiv_id)) or not _arxiv_digits_fit(arxiv_id):
            place = item.value_places[key]
            problems.append(error(path, place.line, place.col, f"arXiv id '{arxiv_id}' in '{entry_id}' is not of the form "
                                  "YYMM.NNNNN (or archive/YYMMNNN)", "bib.bad-arxiv"))
    unversioned = {k: re.sub(r"v\d+\Z", "", v) for k, v in ids.items()}
    if len(set(unversioned.values())) > 1:
        (first, a), (second, b) = list(unversioned.items())[:2]
        place = item.value_places[second]
        problems.append(error(path, place.line, place.col, f"arXiv id '{b}' in '{second}' differs from '{a}' in '{first}'",
                              "bib.arxiv-mismatch"))
    return problems


def _arxiv_digits_fit(arxiv_id: str) -> bool:
    """Since 2015 (1501) the number after the dot has five digits; before, four."""
    match = _ARXIV_NEW.match(arxiv_id)
    return not match or (len(match.group(3)) == 5) == (match.group(1) + match.group(2) >= "1501")


# --- Xiaohongshu --------------------------------------------------------------


def xhs_limits(resolved: ResolvedEssay, options: RenderOptions) -> tuple[list[Diagnostic], str]:
    """The Xiaohongshu target's own verdict (title length, parts)."""
    try:
        rendered = renderer("xhs")(resolved, options)
    except InputError as exc:
        return list(exc.diagnostics), ""
    return list(rendered.diagnostics), f"xhs {resolved.essay.path}: {rendered.summary}"
