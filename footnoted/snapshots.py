"""Quote verification: is every quoted passage really in the writer's saved copy of the source?

A bibliography entry may name a `snapshot:` (a text, HTML or PDF file, relative to the YAML
file). Snapshots are noisy extractions, so both the snapshot and the quote are reduced to the
same comparison form, a list of words: letters and digits only, case folded, NFKC (so "ﬁ" is
"fi"), a hyphen inside a word or at a line break dropped ("model-generated" and "predeces-\nsors"
become "modelgenerated" and "predecessors" on both sides), every quote mark, bullet, dash and
space a mere separator. Chinese characters are words of one character. Page footers are blanked
out before that (they also tell the pages), and text that was Windows-1252 read as code page 437
("æmodel collapseÆ") is repaired first. An ellipsis in a quote is a cut: the pieces must appear
in order, each soon after the previous one.
"""

import bisect
import contextlib
import difflib
import html.parser
import itertools
import os
import re
import subprocess
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path
from typing import ClassVar, NamedTuple

from footnoted.bibliography import Entry, Passage
from footnoted.diagnostics import Diagnostic, InputError, error, warning
from footnoted.safe_read import (
    MAX_BIBLIOGRAPHY_BYTES,
    MAX_PDF_SNAPSHOT_BYTES,
    MAX_SNAPSHOT_BYTES,
    MB,
    UnsafeFile,
    check_regular_file,
    inside,
    read_regular_file,
)
from footnoted.source import decode_wide, read_text
from footnoted.typography import CJK
from footnoted.yamlsafe import YamlList, YamlMap, load_yaml

MAX_CUT_WORDS = 300  # an ellipsis stands for a cut within a passage, not for pages of text
CONTEXT_WORDS = 3  # words shown around each difference of a word diff
_WORD = re.compile(rf"[{CJK}]|[^\W_{CJK}]+(?:[-\u2010\u2011\xad]\s*[^\W_{CJK}]+)*")
_JOINER = re.compile(r"[-\u2010\u2011\xad\s]")
_ELLIPSIS = re.compile(r"[\[(]?\s*(?:…+|\.\s?\.\s?\.)\s*[\])]?")

# --- reading ------------------------------------------------------------------


class SnapshotError(Exception):
    """The snapshot cannot be read; the message says why and how to fix it."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Snapshot(NamedTuple):
    text: str  # the text as read, repaired, page footers blanked (offsets are those of the file's text)
    words: tuple[str, ...]  # comparison form
    spans: tuple[tuple[int, int], ...]  # where each word stands in `text`
    pages: tuple[int, ...]  # the page of each word; () when the snapshot shows no pages
    is_plain_text: bool  # line numbers of `text` are those of the file


_CACHE: dict[tuple[str, int, int, int | None], Snapshot] = {}


def read_snapshot(path: Path, first_page: int | None = None, within: Path | None = None) -> Snapshot:
    """Read and prepare a snapshot, remembered until the file changes (watch mode checks often).
    With `within` (the bibliography file's folder) a file outside it is refused unread: a shared
    bibliography must not make `check` show, or confirm, what is in any other file."""
    try:
        if within is not None:
            path = inside(Path(path).absolute(), within)
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, first_page)
        if key not in _CACHE:
            if len(_CACHE) > 64:  # a long watch session: forget old versions
                _CACHE.clear()
            _CACHE[key] = prepare(*_extract(path), first_page=first_page)
    except UnsafeFile as exc:
        outside = "it lies outside the bibliography's folder: only files there are read"
        raise SnapshotError(outside if exc.kind == "outside" else exc.strerror, f"snapshot.{exc.kind}") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise SnapshotError(f"cannot read it: {getattr(exc, 'strerror', None) or 'No such file or directory'}",
                            "snapshot.missing") from None
    return _CACHE[key]


def snapshot_place(entry: Entry) -> tuple[int, int]:
    """Where the entry's `snapshot:` value stands in its YAML file; the entry's own place if it cannot be told."""
    try:
        data = load_yaml(read_text(entry.path, read_regular_file(entry.path, MAX_BIBLIOGRAPHY_BYTES)), entry.path)
    except (InputError, OSError):
        return entry.line, entry.col
    items = data.get("references") if isinstance(data, YamlMap) else data
    for item in items if isinstance(items, YamlList) else ():
        is_entry = isinstance(item, YamlMap) and (item.place.line, item.place.col) == (entry.line, entry.col)
        if is_entry and "snapshot" in item:
            place = item.value_places["snapshot"]
            return place.line, place.col
    return entry.line, entry.col


def prepare(text: str, is_plain_text: bool, first_page: int | None = None) -> Snapshot:
    text = repair_mojibake(text)
    text, page_starts = _blank_page_markers(text, first_page)
    words, spans = [], []
    for match in _WORD.finditer(text):
        words.append(comparison_form(match.group(0)))
        spans.append(match.span())
    starts = [start for start, _ in page_starts]
    pages = tuple(page_starts[bisect.bisect_right(starts, s) - 1][1] for s, _ in spans) if page_starts else ()
    return Snapshot(text, tuple(words), tuple(spans), pages, is_plain_text)


def comparison_form(word: str) -> str:
    return unicodedata.normalize("NFKC", _JOINER.sub("", word)).casefold()


def _extract(path: Path) -> tuple[str, bool]:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        check_regular_file(path, MAX_PDF_SNAPSHOT_BYTES)
        return _pdf_text(path), False
    data = read_regular_file(path, MAX_SNAPSHOT_BYTES)
    text = decode_wide(data)  # UTF-16 (Windows' "Unicode"), which would otherwise look binary
    if text is None:
        if b"\x00" in data:
            raise SnapshotError("it is not a text, HTML or PDF file", "snapshot.unreadable")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")  # an old Windows save; a few odd letters do no harm
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix in (".html", ".htm", ".xhtml"):
        return html_text(text), False
    return text, True


def _pdf_text(path: Path) -> str:
    # The text goes to a file, not a pipe: its size is checked before it is read.
    with tempfile.TemporaryFile() as text_file:
        try:
            result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], stdout=text_file,
                                    stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60, check=False)
        except FileNotFoundError:
            raise SnapshotError("reading a PDF needs pdftotext: install poppler-utils", "snapshot.unreadable") from None
        except subprocess.TimeoutExpired:
            raise SnapshotError("pdftotext took more than 60 s", "snapshot.unreadable") from None
        if result.returncode != 0:
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
            why = reason[-1][:200] if reason else "no reason given"
            raise SnapshotError(f"pdftotext failed: {why}", "snapshot.unreadable")
        if os.fstat(text_file.fileno()).st_size > MAX_SNAPSHOT_BYTES:
            raise SnapshotError(f"its text is over the limit of {MAX_SNAPSHOT_BYTES // MB} MB", "snapshot.too-large")
        text_file.seek(0)
        return text_file.read().decode("utf-8", "replace")  # one page per form feed


class _HtmlText(html.parser.HTMLParser):
    _BLOCK: ClassVar[set[str]] = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section",
              "article", "header", "footer", "pre", "table", "ul", "ol", "dd", "dt", "figcaption", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.skipping += tag in ("script", "style", "noscript")
        if tag in self._BLOCK:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript") and self.skipping:
            self.skipping -= 1
        if tag in self._BLOCK:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.pieces.append(data)


def html_text(source: str) -> str:
    parser = _HtmlText()
    parser.feed(source)
    parser.close()
    return "".join(parser.pieces)


# Windows-1252 punctuation read as code page 437: ‘’ became æÆ, • ò, – û, — ù, a no-break space á.
_CP437_AS_CP1252 = {}
for _byte in range(0x80, 0xA1):
    with contextlib.suppress(UnicodeDecodeError):  # five bytes mean nothing in Windows-1252
        _CP437_AS_CP1252[bytes([_byte]).decode("cp437")] = bytes([_byte]).decode("cp1252")
_CP437_SIGNS = set("æÆôöòûùá")  # the mangled quotes, bullet, dashes and no-break space


def repair_mojibake(text: str) -> str:
    """Undo the two usual mangles; a text with any other non-ASCII letter is left as it is."""
    if "â€" in text or "Ã" in text:  # UTF-8 read as Windows-1252: â€™ for ’, Ã© for é
        try:
            return _windows_1252_bytes(text).decode("utf-8")
        except UnicodeError:
            pass
    foreign = {c for c in text if ord(c) > 127}
    signs = sum(text.count(c) for c in _CP437_SIGNS & foreign)
    if foreign and foreign <= _CP437_AS_CP1252.keys() and signs >= 3:
        return "".join(_CP437_AS_CP1252.get(c, c) for c in text)
    return text


def _windows_1252_bytes(text: str) -> bytes:
    """Back to bytes as a Windows reader saw them; its five unused bytes (0x81, 0x8D, …) pass as is."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                raise
            out.append(ord(char))
    return bytes(out)


# --- pages --------------------------------------------------------------------

# A running footer or header: "Nature | Vol 631 | 25 July 2024 | 757", "758 | Nature | …",
# "Page 12", "12 of 30", "第 12 页"; weaker, a line holding only the number ("12", "- 12 -").
_MARKERS = (
    re.compile(r"(\d{1,5})(?:\s*\|\s*[^|\n]+)+"),
    re.compile(r"(?:[^|\n]+\|\s*)+(\d{1,5})"),
    re.compile(r"(?:page|p\.)\s*(\d{1,5})(?:\s+of\s+\d+)?", re.IGNORECASE),
    re.compile(r"(\d{1,5})\s+of\s+\d+"),
    re.compile(r"第\s*(\d{1,5})\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"),
)
_BARE_NUMBER = re.compile(r"[-–—]?\s*(\d{1,5})\s*[-–—]?")


def _marker_number(line: str) -> tuple[int, bool] | None:
    """The page number a marker line shows, and whether the line is unmistakably a marker."""
    stripped = line.strip().replace("\xa0", " ")
    if len(stripped) > 80:
        return None
    for pattern in _MARKERS:
        match = pattern.fullmatch(stripped)
        if match:
            return int(match.group(1)), True
    match = _BARE_NUMBER.fullmatch(stripped)
    return (int(match.group(1)), False) if match else None


def _blank_page_markers(text: str, first_page: int | None) -> tuple[str, list[tuple[int, int]]]:
    """Footer lines blanked (same length, so offsets and line numbers hold); pages as (offset, number)."""
    if "\f" in text:
        return _form_feed_pages(text, first_page)
    found = _marker_lines(text, 0, len(text))
    if any(strong for *_, strong in found):  # running footers: a lone number is then a table's, not a page's
        found = [line for line in found if line[3]]
    markers: list[tuple[int, int, int]] = []  # (start, end, number) of each marker line
    for start, end, number, _ in found:
        if not markers or number > markers[-1][2]:  # page numbers only grow
            markers.append((start, end, number))
    if not markers:
        return text, []
    blanked = _blank(text, markers)
    if len(_WORD.findall(blanked[: markers[0][0]])) < 30:  # the first opens the text: headers, each starting its page
        return blanked, [(0, markers[0][2] - 1)] + [(start, number) for start, _, number in markers]
    # footers: each closes its page; what follows the last one is the next page
    pages = [(0, markers[0][2])] + [(end, following[2]) for (_, end, _), following in itertools.pairwise(markers)]
    return blanked, [*pages, (markers[-1][1], markers[-1][2] + 1)]


def _marker_lines(text: str, low: int, high: int) -> list[tuple[int, int, int, bool]]:
    """(start, end, page number, unmistakable) of each marker line in text[low:high]."""
    return [(offset, offset + len(line), *marker) for offset, line in _lines(text, low, high)
            if (marker := _marker_number(line)) is not None]


def _lines(text: str, low: int, high: int) -> list[tuple[int, str]]:
    """Each line of text[low:high] with its offset."""
    found, offset = [], low
    for line in text[low:high].split("\n"):
        found.append((offset, line))
        offset += len(line) + 1
    return found


def _blank(text: str, markers: list[tuple[int, int, int]]) -> str:
    pieces, position = [], 0
    for start, end, _ in markers:
        pieces += [text[position:start], " " * (end - start)]
        position = end
    return "".join(pieces) + text[position:]


def _form_feed_pages(text: str, first_page: int | None) -> tuple[str, list[tuple[int, int]]]:
    """One page per form feed, numbered by a footer or header among its first or last two
    lines, else counted on from a numbered neighbour, else from the article's first page (or 1)."""
    starts = [0] + [m.end() for m in re.finditer("\f", text)]
    if len(starts) > 1 and not text[starts[-1] :].strip():
        starts.pop()  # pdftotext ends the last page with a form feed too
    numbers: list[int | None] = []
    markers: list[tuple[int, int, int]] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(text)
        filled = [(offset, line) for offset, line in _lines(text, start, end) if line.strip()]
        edges = [(offset, offset + len(line), marker[0]) for offset, line in filled[:2] + filled[-2:]
                 if (marker := _marker_number(line)) is not None]
        numbers.append(edges[0][2] if edges else None)
        markers += edges[:1]
    known = [(i, n) for i, n in enumerate(numbers) if n is not None] or [(0, first_page or 1)]
    return _blank(text, markers), [(start, _counted(index, known)) for index, start in enumerate(starts)]


def _counted(index: int, known: list[tuple[int, int]]) -> int:
    anchor_index, anchor_number = min(known, key=lambda k: (abs(k[0] - index), k[0] > index))
    return anchor_number + (index - anchor_index)


# --- matching -----------------------------------------------------------------


class Found(NamedTuple):
    start: int  # word indexes in the snapshot, end exclusive
    end: int
    pages: tuple[int, ...]  # first and last page; () when the snapshot shows none


def quote_pieces(quote: str) -> list[list[str]]:
    """The quote's words, in pieces cut at each ellipsis."""
    pieces = [[comparison_form(w) for w in _WORD.findall(piece)] for piece in _ELLIPSIS.split(quote)]
    return [piece for piece in pieces if piece]


def find_quote(snapshot: Snapshot, quote: str, stated: set[int] | None = None) -> Found | None:
    """Where the quote stands; of several places, one on a stated page is preferred."""
    pieces = quote_pieces(quote)
    if not pieces:
        return None
    found: dict[tuple[str, ...], list[int]] = {}  # each piece's starts in the snapshot, found once

    def starts(piece: list[str]) -> list[int]:
        if tuple(piece) not in found:
            found[tuple(piece)] = _occurrences(snapshot.words, piece)
        return found[tuple(piece)]

    matches = []
    for start in starts(pieces[0]):
        end = start + len(pieces[0])
        for piece in pieces[1:]:
            following = starts(piece)
            index = bisect.bisect_left(following, end)  # the first start at the end of the last piece or after
            if index == len(following) or following[index] > end + MAX_CUT_WORDS:
                break
            end = following[index] + len(piece)
        else:
            matches.append(Found(start, end, _page_range(snapshot, start, end)))
    on_stated = [m for m in matches if stated and m.pages and m.pages[0] in stated]
    return (on_stated or matches or [None])[0]


def _occurrences(words: tuple[str, ...], piece: list[str]) -> list[int]:
    """Every start of `piece` in `words`, in order, in one pass (Knuth-Morris-Pratt): comparing the
    piece at every place its first word stands read a repetitive snapshot once for each word of a
    long quote (1 MB and 8 KB took 34 s)."""
    fallback = [0] * len(piece)  # the longest proper border of piece[: i + 1]
    border = 0
    for index in range(1, len(piece)):
        while border and piece[index] != piece[border]:
            border = fallback[border - 1]
        if piece[index] == piece[border]:
            border += 1
        fallback[index] = border
    starts, matched = [], 0
    for index, word in enumerate(words):
        while matched and word != piece[matched]:
            matched = fallback[matched - 1]
        if word == piece[matched]:
            matched += 1
            if matched == len(piece):
                starts.append(index - len(piece) + 1)
                matched = fallback[matched - 1]
    return starts


def _page_range(snapshot: Snapshot, start: int, end: int) -> tuple[int, ...]:
    if not snapshot.pages:
        return ()
    return (snapshot.pages[start], snapshot.pages[end - 1])


class Closest(NamedTuple):
    start: int
    end: int
    ratio: float


def closest_passage(snapshot: Snapshot, words: list[str]) -> Closest | None:
    """The stretch of the snapshot most like the quote: the window sharing the most words, aligned
    by difflib on the words that match. None when nothing is alike."""
    size, haystack = len(words), snapshot.words
    if not size or not haystack:
        return None
    wanted, window = Counter(words), Counter(haystack[:size])
    shared = sum((window & wanted).values())
    best, best_shared = 0, shared
    for start in range(1, max(len(haystack) - size + 1, 1)):
        leaving, entering = haystack[start - 1], haystack[start + size - 1]
        shared -= window[leaving] <= wanted[leaving]
        window[leaving] -= 1
        window[entering] += 1
        shared += window[entering] <= wanted[entering]
        if shared > best_shared:
            best, best_shared = start, shared
    low, high = max(best - size // 2, 0), min(best + size + size // 2, len(haystack))
    blocks = _matching_blocks(haystack[low:high], words)
    if not blocks:
        return None
    # From where the quote's first word would stand to where its last would: a changed first or
    # last word still shows in the diff.
    (first_a, first_b, _), (last_a, last_b, last_size) = blocks[0], blocks[-1]
    start = max(low + first_a - first_b, 0)
    end = min(low + last_a + last_size + (size - last_b - last_size), len(haystack))
    passage = haystack[start:end]
    ratio = 2 * sum(size for *_, size in _matching_blocks(passage, words)) / (len(passage) + len(words))
    return Closest(start, end, ratio) if ratio >= 0.5 else None


DIFF_WORDS = 200  # up to this many words in all, difflib compares two stretches itself


def _matching_blocks(a: list[str] | tuple[str, ...], b: list[str]) -> list[tuple[int, int, int]]:
    """difflib's matching blocks of a and b (i, j, size), the empty last one left out: the same
    blocks, found as difflib finds them (the longest common stretch, then the same on either side).

    difflib finds a longest common stretch in time that grows with the square of the words, and
    more on a repetitive text (a 1,300-word quote in a repetitive snapshot: minutes). On a longer
    stretch a suffix automaton finds the same one in linear time. A text that matches only in
    many small pieces would still take many rounds: past a budget of rounds, what is left is
    compared in stretches of DIFF_WORDS, so the work stays linear whatever the texts."""
    blocks, queue, budget = [], [(0, len(a), 0, len(b))], 20 * (len(a) + len(b))
    while queue:
        a_low, a_high, b_low, b_high = queue.pop()
        work = a_high - a_low + b_high - b_low
        if work <= DIFF_WORDS:
            i, j, size = _difflib_longest(a, a_low, a_high, b, b_low, b_high)
        elif budget > 0:
            budget -= work
            i, j, size = _longest_common_stretch(a, a_low, a_high, b, b_low, b_high)
        else:
            blocks += _blocks_in_stretches(a, a_low, a_high, b, b_low, b_high)
            continue
        if size:
            blocks.append((i, j, size))
            if a_low < i and b_low < j:
                queue.append((a_low, i, b_low, j))
            if i + size < a_high and j + size < b_high:
                queue.append((i + size, a_high, j + size, b_high))
    merged: list[tuple[int, int, int]] = []
    for i, j, size in sorted(blocks):  # adjacent blocks joined, as difflib joins them
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + size)
        else:
            merged.append((i, j, size))
    return merged


def _difflib_longest(a, a_low: int, a_high: int, b, b_low: int, b_high: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    i, j, size = difflib.SequenceMatcher(None, a[a_low:a_high], b[b_low:b_high], autojunk=False).find_longest_match()
    return a_low + i, b_low + j, size


def _longest_common_stretch(a, a_low: int, a_high: int, b, b_low: int, b_high: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """difflib's find_longest_match without junk: the longest common stretch, the earliest in a,
    then the earliest in b; through a suffix automaton of b's stretch, in linear time."""
    link, length, first = [-1], [0], [-1]  # first: where a state's words first end in b
    moves: list[dict[str, int]] = [{}]
    last = 0
    for position in range(b_low, b_high):
        word, state = b[position], len(length)
        link.append(0), length.append(length[last] + 1), first.append(position), moves.append({})
        back = last
        while back != -1 and word not in moves[back]:
            moves[back][word] = state
            back = link[back]
        if back != -1:
            target = moves[back][word]
            if length[back] + 1 == length[target]:
                link[state] = target
            else:
                clone = len(length)
                link.append(link[target]), length.append(length[back] + 1), first.append(first[target])
                moves.append(dict(moves[target]))
                while back != -1 and moves[back].get(word) == target:
                    moves[back][word] = clone
                    back = link[back]
                link[target] = link[state] = clone
        last = state
    best, state, matched = (a_low, b_low, 0), 0, 0
    for position in range(a_low, a_high):
        word = a[position]
        while state and word not in moves[state]:
            state = link[state]
            matched = length[state]
        if word in moves[state]:
            state, matched = moves[state][word], matched + 1
        if matched > best[2]:  # strictly longer: of equally long ones, the earliest in a
            best = (position - matched + 1, first[state] - matched + 1, matched)
    return best


def _blocks_in_stretches(a, a_low: int, a_high: int, b, b_low: int, b_high: int) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    """Past the budget: the two stretches cut into as many pairs of pieces of DIFF_WORDS, each compared by difflib."""
    pieces = -(-(a_high - a_low + b_high - b_low) // DIFF_WORDS)
    blocks = []
    for number in range(pieces):
        a_start, a_end = a_low + (a_high - a_low) * number // pieces, a_low + (a_high - a_low) * (number + 1) // pieces
        b_start, b_end = b_low + (b_high - b_low) * number // pieces, b_low + (b_high - b_low) * (number + 1) // pieces
        matcher = difflib.SequenceMatcher(None, a[a_start:a_end], b[b_start:b_end], autojunk=False)
        blocks += [(a_start + i, b_start + j, size) for i, j, size in matcher.get_matching_blocks() if size]
    return blocks


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's get_opcodes, from _matching_blocks."""
    opcodes, i, j = [], 0, 0
    for a_start, b_start, size in [*_matching_blocks(a, b), (len(a), len(b), 0)]:
        tag = "replace" if i < a_start and j < b_start else "delete" if i < a_start else "insert" if j < b_start else ""
        if tag:
            opcodes.append((tag, i, a_start, j, b_start))
        i, j = a_start + size, b_start + size
        if size:
            opcodes.append(("equal", a_start, i, b_start, j))
    return opcodes


def word_diff(quote_words: list[str], quote_shown: list[str], passage_words: list[str], passage_shown: list[str]) -> str:
    """git's --word-diff=plain: [-in the quote only-]{+in the snapshot only+}, a few words of context."""
    out: list[str] = []
    opcodes = _opcodes(quote_words, passage_words)
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = quote_shown[i1:i2]
            head = same[:CONTEXT_WORDS] if index > 0 else []
            tail = same[-CONTEXT_WORDS:] if index < len(opcodes) - 1 else []
            out += same if len(same) <= len(head) + len(tail) else [*head, "…", *tail] if head or tail else ["…"]
            continue
        removed = "[-" + " ".join(quote_shown[i1:i2]) + "-]" if i2 > i1 else ""
        added = "{+" + " ".join(passage_shown[j1:j2]) + "+}" if j2 > j1 else ""
        out.append(removed + added)
    return " ".join(w for i, w in enumerate(out) if not (w == "…" and i and out[i - 1] == "…"))


# --- the check ----------------------------------------------------------------


def stated_pages(page: str) -> set[int] | None:
    """'755' → {755}; '757-758' → {757, 758}; '12, 14' → {12, 14}; None when not numbers ('xii')."""
    pages: set[int] = set()
    for part in re.split(r"\s*[,;]\s*", page.strip()):
        match = re.fullmatch(r"(\d+)(?:\s*[-–—]\s*(\d+))?", part)
        if not match:
            return None
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if last < first or last - first > 1000:
            return None
        pages |= set(range(first, last + 1))
    return pages or None


class EntryCheck(NamedTuple):
    problems: list[Diagnostic]
    quotes_checked: int  # quotes looked up in a snapshot that could be read: a refused one checks none


def verify_entry(entry: Entry) -> list[Diagnostic]:
    """Every quote of an entry that names a snapshot, looked up in it."""
    return check_entry(entry).problems


def check_entry(entry: Entry) -> EntryCheck:
    if not entry.snapshot or not entry.quotes:
        return EntryCheck([], 0)
    path = Path(entry.path).parent / entry.snapshot
    article = stated_pages(entry.page)
    try:
        snapshot = read_snapshot(path, min(article) if article else None, within=Path(entry.path).parent)
    except (SnapshotError, OSError) as exc:
        reason, code = (str(exc), exc.code) if isinstance(exc, SnapshotError) else (f"cannot read it: {exc.strerror}", "snapshot.missing")
        return EntryCheck([error(entry.path, *snapshot_place(entry), f"snapshot '{entry.snapshot}' of '{entry.id}': {reason}",
                                 code)], 0)
    if not snapshot.words:
        return EntryCheck([error(entry.path, *snapshot_place(entry), f"snapshot '{entry.snapshot}' of '{entry.id}' has no text "
                                 "(a scanned PDF without a text layer?)", "snapshot.empty")], 0)
    problems = [d for passage in entry.quotes.values() for d in verify_passage(entry, passage, snapshot)]
    return EntryCheck(problems, len(entry.quotes))


def verify_passage(entry: Entry, passage: Passage, snapshot: Snapshot) -> list[Diagnostic]:
    if not quote_pieces(passage.text):
        return []  # no words to look for
    stated = stated_pages(passage.page) if passage.page else None
    found = find_quote(snapshot, passage.text, stated)
    where = (entry.path, passage.line, passage.col)
    if found is None:
        return [error(*where, _not_found_message(entry, passage, snapshot), "snapshot.quote-not-found")]
    if not found.pages:
        return []
    shown = _pages_text(found.pages)
    if not passage.page:
        return [warning(*where, f"quote '{passage.id}' has no 'page': the snapshot shows it on {shown}", "snapshot.page-missing")]
    if stated is not None and found.pages[0] not in stated:
        return [error(*where, f"quote '{passage.id}' is on {shown} of the snapshot, not {_pages_text_of(passage.page)} as its 'page' says",
                      "snapshot.wrong-page")]
    return []


def _not_found_message(entry: Entry, passage: Passage, snapshot: Snapshot) -> str:
    head = f"quote '{passage.id}' is not in the snapshot '{entry.snapshot}'"
    missing = next((piece for piece in quote_pieces(passage.text) if find_quote(snapshot, " ".join(piece)) is None), None)
    if missing is None:
        return f"{head}: each part between its ellipses is there, but not in this order within {MAX_CUT_WORDS} words"
    closest = closest_passage(snapshot, missing)
    if closest is None:
        return head + "; no passage there resembles it"
    place = []
    if snapshot.is_plain_text:
        place.append(f"line {snapshot.text.count(chr(10), 0, snapshot.spans[closest.start][0]) + 1}")
    if snapshot.pages:
        place.append(_pages_text(_page_range(snapshot, closest.start, closest.end)))
    shown_quote = _shown_words_of(passage.text, missing)
    shown_passage = [snapshot.text[s:e] for s, e in snapshot.spans[closest.start : closest.end]]
    diff = word_diff(missing, shown_quote, list(snapshot.words[closest.start : closest.end]), shown_passage)
    return f"{head}; closest passage ({', '.join(place) or 'found'}), [-quote-]{{+snapshot+}}: {diff}"


def _shown_words_of(quote: str, piece: list[str]) -> list[str]:
    """The quote's words as written (with their hyphens), for the piece that was not found."""
    written = _WORD.findall(quote)
    starts = _occurrences(tuple(comparison_form(w) for w in written), piece)
    return [re.sub(r"\s+", "", w) for w in written[starts[0] : starts[0] + len(piece)]] if starts else piece


def _pages_text(pages: tuple[int, ...]) -> str:
    return f"p. {pages[0]}" if pages[0] == pages[-1] else f"pp. {pages[0]}–{pages[-1]}"


def _pages_text_of(page: str) -> str:
    return f"pp. {page}" if re.search(r"[-–—,]", page) else f"p. {page}"
