"""Any CSL style, through citeproc-js (npm `citeproc`, the processor Zotero uses) under Node.

`style: path/to/file.csl` or `csl: path/to/file.csl` (as pandoc and Quarto spell it), relative
to the essay. The entries go to citeproc-js as they were loaded, as CSL-JSON, nothing cleaned
up; each citation is a citation cluster with its note number, so that the style's ibid., its
subsequent forms and its disambiguation work as in Zotero. A note is exactly what citeproc-js
gives; our own parts (the quoted passage, its translation, the attribution under a passage in
the body, the Xiaohongshu short forms) stand around it, as with the built-in styles.

One Node process (citeproc_bridge.js) serves every build of this Python process: `--watch` and
`serve` keep it, and it keeps each style's engine, which costs a second or more to make. Node is
needed only when a CSL style is asked for; without it, that essay's build says so in one line.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import select
import shutil
import subprocess
import threading
import xml.parsers.expat
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from footnoted.bibliography import Date, Entry, LiteralDate, Name
from footnoted.diagnostics import InputError, error
from footnoted.safe_read import MAX_STYLE_BYTES, UnsafeFile, read_regular_file
from footnoted.styles import Citation, CitationItem, FormattedNotes
from footnoted.tree import Run

BRIDGE = Path(__file__).with_name("citeproc_bridge.js")
CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"
# citeproc-js on a long essay in a big style takes seconds; beyond this it is stuck, not slow.
ANSWER_SECONDS = 300.0
KEPT_ANSWERS = 8  # the notes and the reference list of a few essays


class StylePlace(NamedTuple):
    """Where the essay names its style, for the messages."""

    essay: str
    line: int
    col: int


def csl_style(style: str, place: StylePlace, lang: str) -> CslStyle:
    """The CSL style file an essay names (relative to it), read and checked; else InputError
    placed at the front matter (no such file) or in the file (not XML, not a CSL style)."""
    path = Path(place.essay).parent / style
    try:
        data = read_regular_file(path, MAX_STYLE_BYTES)
    except OSError as exc:
        reason = exc.strerror if isinstance(exc, UnsafeFile) else f"cannot read it ({exc.strerror})"
        code = f"style.{exc.kind}" if isinstance(exc, UnsafeFile) else "style.unreadable"
        raise InputError([error(place.essay, place.line, place.col, f"CSL style '{style}': {reason}", code)]) from None
    text = _checked_csl(str(path), data)
    return CslStyle(style, text, str(path), place, lang)


def _checked_csl(path: str, data: bytes) -> str:
    """The style's text, once it is known to be well-formed XML whose root is a CSL <style> with a
    <citation>: what citeproc-js would otherwise reject with a message that names no place."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    elements: list[str] = []

    doctype: list[tuple[int, int]] = []

    def no_doctype(*_args: object) -> None:  # no CSL file has one; entities are how XML bombs work
        start = data.find(b"<!DOCTYPE")  # expat is past its name by now: the place where it starts
        line_start = data.rfind(b"\n", 0, start) + 1
        doctype.append((data.count(b"\n", 0, start) + 1, len(data[line_start:start].decode("utf-8", "replace")) + 1))
        raise ValueError("a DOCTYPE is not allowed in a CSL style")

    parser.StartDoctypeDeclHandler = no_doctype
    parser.StartElementHandler = lambda name, _attributes: elements.append(name)
    try:
        parser.Parse(data, True)
    except (xml.parsers.expat.ExpatError, ValueError) as exc:
        line, col = doctype[0] if doctype else (parser.ErrorLineNumber, parser.ErrorColumnNumber + 1)
        message = exc.args[0] if isinstance(exc, ValueError) else xml.parsers.expat.errors.messages[exc.code]
        raise InputError([error(path, line, col, f"not a valid CSL style: {message}", "style.invalid-csl")]) from None
    if not elements or elements[0] != f"{CSL_NAMESPACE} style":
        root = elements[0].rpartition(" ")[2] if elements else "none"
        raise InputError([error(path, 1, 1, f"not a CSL style: its root element is <{root}>, not a CSL <style>",
                                "style.invalid-csl")])
    if f"{CSL_NAMESPACE} citation" not in elements:
        raise InputError([error(path, 1, 1, "not a CSL style: it has no <citation>", "style.invalid-csl")])
    return data.decode("utf-8-sig") if data[:3] == b"\xef\xbb\xbf" else data.decode("utf-8", "replace")


class CslStyle:
    """A CSL style as a NoteStyle: notes and the reference list from citeproc-js."""

    def __init__(self, name: str, text: str, path: str, place: StylePlace, lang: str) -> None:
        self.name, self.text, self.path, self.place, self.lang = name, text, path, place, lang
        self.title = f"the CSL style '{name}'"
        self.citations: Sequence[Citation] = ()
        self.notes_answer: int | None = None  # the engine's answer to notes(), which bibliography() builds on

    def notes(self, citations: Sequence[Citation]) -> FormattedNotes:
        """Each citation's whole cluster, as citeproc-js gives it, in its first item's runs."""
        self.citations = citations
        answer = self._ask(citations, (), bibliography=False)
        self.notes_answer = answer["id"]
        return tuple((html_runs(note), *(((),) * (len(citation.items) - 1)))
                     for citation, note in zip(citations, answer["notes"], strict=True))

    def bibliography(self, entries: Sequence[Entry]) -> tuple[tuple[Entry, tuple[Run, ...]], ...]:
        cited = {item.entry.id for citation in self.citations for item in citation.items}
        uncited = [entry for entry in entries if entry.id not in cited]
        answer = self._ask(self.citations, uncited, bibliography=True, after=self.notes_answer)
        by_id = {entry.id: entry for entry in entries}
        made = answer["bibliography"]
        return tuple((by_id[key], html_runs(html)) for key, html in zip(made["ids"], made["entries"], strict=True)
                     if key in by_id)

    def _ask(self, citations: Sequence[Citation], uncited: Sequence[Entry], bibliography: bool,
             after: int | None = None) -> dict:
        """citeproc-js's notes (and reference list) for these citations; `after`: the answer that set
        the same citations, which the engine need not set again if nothing came between."""
        entries = {item.entry.id: item.entry for citation in citations for item in citation.items}
        entries.update((entry.id, entry) for entry in uncited)
        request = {
            "style": self.text, "lang": self.lang, "bibliography": bibliography,
            "items": [csl_json(entry) for entry in entries.values()],
            "citations": [{"noteIndex": citation.note_number,
                           "citationItems": [cluster_item(item) for item in citation.items]} for citation in citations],
            "uncited": [entry.id for entry in uncited],
        }
        if after is not None:
            request["after"] = after
        try:
            answer = engine().ask(request)
        except EngineError as exc:
            raise InputError([error(self.place.essay, self.place.line, self.place.col,
                                    f"CSL style '{self.name}': {exc}", exc.code)]) from None
        if "error" in answer:  # citeproc-js threw: the style asks for what it cannot do
            raise InputError([error(self.path, 1, 1, f"citeproc-js cannot use this style: {answer['error']}",
                                    "style.citeproc")])
        return answer


# --- to citeproc-js -----------------------------------------------------------------------


def csl_json(entry: Entry) -> dict:
    """The entry as CSL-JSON: its variables as loaded, names and dates in CSL-JSON's own form."""
    item: dict[str, object] = {"id": entry.id, "type": entry.type}
    for key, value in entry.variables.items():
        if isinstance(value, Date):  # before names: a Date is a tuple too
            item[key] = _date(value)
        elif isinstance(value, LiteralDate):
            item[key] = {"literal": value.text}
        elif isinstance(value, tuple):
            item[key] = [_name(name) for name in value]
        else:
            item[key] = value
    item["id"] = entry.id
    return item


def _name(name: Name) -> dict[str, str]:
    fields = {"family": name.family, "given": name.given, "literal": name.literal, "suffix": name.suffix,
              "non-dropping-particle": name.particle, "dropping-particle": name.dropping_particle}
    return {key: value for key, value in fields.items() if value}


def _date(date: Date) -> dict[str, object]:
    def parts(day: Date) -> list[int]:
        return [p for p in (day.year, day.month, day.day) if p is not None]

    result: dict[str, object] = {"date-parts": [parts(date)] + ([parts(date.end)] if date.end else [])}
    if date.season:
        result["season"] = date.season
    if date.circa:
        result["circa"] = True
    return result


def cluster_item(item: CitationItem) -> dict[str, object]:
    """One source of a citation cluster: where (locator and label), the writer's words around it."""
    result: dict[str, object] = {"id": item.entry.id}
    if item.locator:
        result["locator"] = item.locator
        if item.locator_label:
            result["label"] = item.locator_label
    if item.prefix:
        result["prefix"] = _markup(item.prefix) + " "  # pandoc's "see @a" is "see " before the source
    if item.suffix:
        result["suffix"] = _markup(item.suffix)
    if item.suppress_author:
        result["suppress-author"] = True
    return result


def _markup(runs: tuple[Run, ...]) -> str:
    """A prefix or suffix in citeproc-js's rich text: italics as <i>, everything else as text
    (escaped: a '<' the writer typed stays a '<')."""
    out = []
    for run in runs:
        text = run.text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")
        out.append(f"<i>{text}</i>" if run.italic else text)
    return "".join(out)


# --- from citeproc-js -------------------------------------------------------------------------

_SPAN_STYLES = {  # citeproc-js's HTML for CSL's formatting: (italic, style to add, style to take away)
    "font-style:italic": (True, "", ""), "font-style:normal": (False, "", ""),
    "font-weight:bold": (None, "b", ""), "font-weight:normal": (None, "", "b"),
    "font-variant:small-caps": (None, "sc", ""), "font-variant:normal": (None, "", "sc"),
}


class _Format(NamedTuple):
    italic: bool = False
    styles: frozenset[str] = frozenset()
    url: str = ""


class _RunsParser(HTMLParser):
    """citeproc-js's HTML as runs. Only the formatting it writes is read (italics, bold, small
    capitals, super- and subscript, links to http(s)); any other tag adds nothing, and the text
    itself, its entities decoded, stays text: the targets escape it as they escape every run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, _Format]] = []
        self.runs: list[Run] = []

    @property
    def current(self) -> _Format:
        return self.stack[-1][1] if self.stack else _Format()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        now = self.current
        attributes = {key: value or "" for key, value in attrs}
        if tag in ("i", "em", "cite"):
            now = now._replace(italic=True)
        elif tag in ("b", "strong"):
            now = now._replace(styles=now.styles | {"b"})
        elif tag in ("sup", "sub"):
            now = now._replace(styles=now.styles | {tag})
        elif tag == "a":
            href = attributes.get("href", "")
            if href.startswith(("https://", "http://")):
                now = now._replace(url=href)
        elif tag == "span":
            for declaration in attributes.get("style", "").replace(" ", "").split(";"):
                italic, add, remove = _SPAN_STYLES.get(declaration, (None, "", ""))
                if italic is not None:
                    now = now._replace(italic=italic)
                now = now._replace(styles=(now.styles | {add}) - {remove, ""})
        elif tag == "div":
            self._block_break()
        if tag not in ("br", "img", "hr", "wbr"):  # void elements have no end tag to pop them
            self.stack.append((tag, now))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break
        if tag == "div":
            self._block_break()

    def _block_break(self) -> None:
        """Between a numbered entry's number and its text (csl-left-margin, csl-right-inline): a space."""
        if self.runs and not self.runs[-1].text.endswith(" "):
            self.runs.append(Run(" "))

    def handle_data(self, data: str) -> None:
        if not data:
            return
        now = self.current
        run = Run(data, now.italic, now.url, " ".join(sorted(now.styles)))
        if self.runs and self.runs[-1]._replace(text="") == run._replace(text=""):
            self.runs[-1] = self.runs[-1]._replace(text=self.runs[-1].text + data)
        else:
            self.runs.append(run)


def html_runs(html: str) -> tuple[Run, ...]:
    parser = _RunsParser()
    parser.feed(html.strip())
    parser.close()
    runs = parser.runs
    while runs and not runs[-1].text.strip():
        runs.pop()
    while runs and not runs[0].text.strip():
        runs.pop(0)
    if runs:  # a block's line breaks and indents are no part of the note
        runs[0] = runs[0]._replace(text=runs[0].text.lstrip())
        runs[-1] = runs[-1]._replace(text=runs[-1].text.rstrip())
    return tuple(runs)


# --- the Node process ---------------------------------------------------------------------


class EngineError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Engine:
    """The Node process running citeproc_bridge.js: started at the first request, kept for the
    next, started again if it died."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()  # serve's watcher thread and the main thread may both build
        self.requests = 0
        self.starts = 0  # how many Node processes this engine has started (the tests count them)
        self.answers: dict[bytes, dict] = {}  # the last answers, by their request's digest, oldest first

    def ask(self, request: dict) -> dict:
        """citeproc-js's answer. The same request (style, language, entries, citations) gets the same
        answer, the engine being reset before each use: a rebuild whose citations and entries did
        not change (an edit of the text in --watch) reuses it without asking Node."""
        key = hashlib.sha256(json.dumps({k: v for k, v in request.items() if k != "after"}, ensure_ascii=False,
                                        sort_keys=True).encode()).digest()
        with self.lock:
            if key in self.answers:
                self.answers[key] = self.answers.pop(key)  # used last: kept longest
                return self.answers[key]
            answer = self._ask_node(request)
            if "error" not in answer:
                self.answers[key] = answer
                while len(self.answers) > KEPT_ANSWERS:
                    del self.answers[next(iter(self.answers))]
            return answer

    def _ask_node(self, request: dict) -> dict:
        """One request to the Node process (its lock held); it is started when it is not running."""
        process = self._running()
        self.requests += 1
        request = {**request, "id": self.requests}
        try:
            assert process.stdin is not None
            process.stdin.write(json.dumps(request, ensure_ascii=False).encode() + b"\n")
            process.stdin.flush()
        except OSError:
            self._stop()
            raise EngineError("citeproc-js stopped unexpectedly", "style.citeproc") from None
        answer = self._read_line(process)
        if answer is None or answer.get("id") != self.requests:
            self._stop()
            raise EngineError("citeproc-js stopped or gave no answer", "style.citeproc")
        return answer

    def _running(self) -> subprocess.Popen[bytes]:
        if self.process is not None and self.process.poll() is None:
            return self.process
        node = shutil.which("node")
        if node is None:
            raise EngineError("needs Node.js ('node' is not on PATH): install it (./dev setup) or use a built-in style",
                              "style.no-node")
        try:
            process = subprocess.Popen([node, str(BRIDGE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            raise EngineError(f"cannot start Node.js ({exc.strerror})", "style.no-node") from None
        self.starts += 1
        hello = self._read_line(process)
        if hello is None or not hello.get("ready"):
            process.kill()
            process.wait()
            missing = hello.get("fatal") if hello else "Node.js could not run citeproc-js"
            raise EngineError(f"{missing}: run ./dev setup (npm ci)", "style.no-citeproc")
        self.process = process
        return process

    def _read_line(self, process: subprocess.Popen[bytes]) -> dict | None:
        """One JSON line from the process, or None when it ended or said nothing for ANSWER_SECONDS."""
        assert process.stdout is not None
        descriptor = process.stdout.fileno()
        chunks = []
        while True:
            ready, _, _ = select.select([descriptor], [], [], ANSWER_SECONDS)
            if not ready:
                return None
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                return None
            chunks.append(chunk)
            if chunk.endswith(b"\n"):  # the bridge writes one line per answer and waits for the next request
                try:
                    return json.loads(b"".join(chunks))
                except json.JSONDecodeError:
                    return None

    def _stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def close(self) -> None:
        with self.lock:
            if self.process is not None:
                assert self.process.stdin is not None
                self.process.stdin.close()  # the bridge ends when its input does
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._stop()
                self.process = None


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """This process's one citeproc-js engine."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
            atexit.register(_engine.close)
        return _engine
