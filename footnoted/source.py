"""Reading a draft: bytes to text, front matter, and editorial comments taken out.

Editorial comments (Obsidian's `%% … %%`, HTML's `<!-- … -->`) are removed before Markdown
ever sees the text, so no output can show them. Removing them shifts lines and columns, so
the stripped text comes with a `SourceMap` that takes every place back to the draft.
"""

import bisect
import re
from typing import NamedTuple

from footnoted.diagnostics import InputError, error


def read_text(path: str, data: bytes) -> str:
    """Decode a UTF-8 file: a byte-order mark is dropped, CRLF and CR become LF."""
    wide = wide_encoding(data)
    if wide:  # Windows Notepad's "Unicode": every other byte a NUL, which is not the real problem
        message = f"not UTF-8 (it looks like {wide}); save the file as UTF-8"
        raise InputError([error(path, 1, 1, message, "source.encoding")])
    if b"\x00" in data:
        raise InputError([error(path, *_byte_place(data, data.index(b"\x00")), "the file contains a NUL byte", "source.nul")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise InputError([error(path, *_byte_place(data, exc.start), message, "source.encoding")]) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    control = _CONTROL.search(text)
    if control:
        # Pasted from Word or a web page (U+000B is Word's line break, U+0080–U+009F mis-decoded
        # quotes): invisible in an editor, invalid in HTML and refused by YAML.
        offset = control.start()
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        message = f"the file contains the control character U+{ord(control.group()):04X}; delete it"
        raise InputError([error(path, line, col, message, "source.control")])
    return text


def _byte_place(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of a byte offset, lines ending in LF, CRLF or CR
    as the text will read them."""
    before = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", "replace")) + 1


_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32", "utf-32-le"), (b"\x00\x00\xfe\xff", "UTF-32", "utf-32-be"),
              (b"\xff\xfe", "UTF-16", "utf-16-le"), (b"\xfe\xff", "UTF-16", "utf-16-be"))


def wide_encoding(data: bytes) -> str:
    """'UTF-16, little-endian, with a byte-order mark' (or UTF-32, big-endian, without…) when the bytes
    look like it, else ''. Without a mark: ASCII in UTF-16 puts a NUL in every other byte, on one side."""
    for bom, name, codec in _WIDE_BOMS:
        if data.startswith(bom):
            return f"{name}, {_ENDIAN[codec[-2:]]}, with a byte-order mark"
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2 or b"\x00" not in sample:
        return ""
    for codec, nuls, others in (("utf-16-le", sample[1::2], sample[0::2]), ("utf-16-be", sample[0::2], sample[1::2])):
        # Half the pairs or more with a NUL on this side: a text mostly ASCII; a stray NUL is not that.
        if nuls.count(0) * 2 >= pairs >= 2 and others.count(0) * 8 <= nuls.count(0) and _decodes(sample[: pairs * 2], codec):
            return f"UTF-16, {_ENDIAN[codec[-2:]]}, without a byte-order mark"
    return ""


_ENDIAN = {"le": "little-endian", "be": "big-endian"}


def decode_wide(data: bytes) -> str | None:
    """The text of UTF-16 or UTF-32 bytes that `wide_encoding` recognises, else None (for snapshots)."""
    for bom, _, codec in _WIDE_BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    wide = wide_encoding(data)
    return data.decode("utf-16-le" if "little" in wide else "utf-16-be", errors="replace") if wide else None


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data"  # the sample may end inside a surrogate pair
    return True


class FrontMatterSplit(NamedTuple):
    yaml_text: str | None  # None when the file has no front matter
    body: str
    body_first_line: int  # 1-based line of the draft where the body starts


def split_front_matter(path: str, text: str) -> FrontMatterSplit:
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        # Front matter after blank lines is, as pandoc reads it, a metadata block in the body.
        return FrontMatterSplit(None, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return FrontMatterSplit("\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2)
    raise InputError([error(path, 1, 1, "front matter is not closed: add a line '---' after it", "frontmatter.unclosed")])


class EditorialComment(NamedTuple):
    line: int
    col: int
    text: str


class SourceMap(NamedTuple):
    """Maps (line, col) in the stripped text, both 1-based, back to the draft."""

    draft_lines: tuple[int, ...]  # per stripped line, its line in the draft
    anchors: tuple[tuple[tuple[int, int], ...], ...]  # per stripped line: (stripped col, draft col)

    def where(self, line: int, col: int) -> tuple[int, int]:
        if not self.draft_lines:
            return (1, 1)
        index = min(max(line, 1), len(self.draft_lines)) - 1
        anchors = self.anchors[index]
        at = bisect.bisect_right(anchors, (col, 1 << 62)) - 1
        stripped_col, draft_col = anchors[max(at, 0)]
        return (self.draft_lines[index], draft_col + (col - stripped_col))


class StrippedSource(NamedTuple):
    text: str
    source_map: SourceMap
    comments: tuple[EditorialComment, ...] = ()


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CLOSERS = {"%%": "%%", "<!--": "-->"}
_MARKS = re.compile(r"`|%%|<!--")


def strip_comments(path: str, body: str, first_line: int) -> StrippedSource:
    """Remove editorial comments; a line left holding only a comment disappears entirely."""
    out_lines: list[str] = []
    draft_lines: list[int] = []
    all_anchors: list[tuple[tuple[int, int], ...]] = []
    comments: list[EditorialComment] = []
    closer: str | None = None  # the closing mark while inside a comment
    opened_at = (0, 0)
    comment_text: list[str] = []
    fence: str | None = None
    for offset, line in enumerate(body.split("\n")):
        draft_line = first_line + offset
        if closer is None:
            fence_match = _FENCE.match(line)
            in_code = fence is not None or fence_match  # code is code: a `%%` there is not a comment
            if fence is None and fence_match:
                fence = fence_match.group(1)[0] * 3
            elif fence is not None and line.strip().startswith(fence):
                fence = None
            if in_code or not _MARKS.search(line):  # kept whole, as most lines are
                out_lines.append(line)
                draft_lines.append(draft_line)
                all_anchors.append(((1, 1),))
                continue
        kept: list[str] = []  # pieces of the line that stay
        kept_length = 0
        anchors: list[tuple[int, int]] = []
        had_comment = closer is not None
        pos = 0
        in_code_span = False
        while pos < len(line):
            if closer is not None:
                end = line.find(closer, pos)
                if end < 0:
                    comment_text.append(line[pos:] + "\n")
                    pos = len(line)
                    break
                comment_text.append(line[pos:end])
                comments.append(EditorialComment(*opened_at, "".join(comment_text).strip()))
                pos = end + len(closer)
                closer = None
                if kept and kept[-1].endswith(" ") and line.startswith(" ", pos):
                    pos += 1  # "a %% x %% b" leaves one space, not two
                continue
            # Jump to the next mark that matters: a line can be megabytes long.
            match = _MARKS.search(line, pos)
            stop = match.start() if match else len(line)
            mark = match.group() if match else ""
            if mark == "`":
                in_code_span = not in_code_span
                stop += 1
            elif mark and in_code_span:
                stop += len(mark)
            if stop > pos:
                if not anchors or anchors[-1][1] + (kept_length + 1 - anchors[-1][0]) != pos + 1:
                    anchors.append((kept_length + 1, pos + 1))
                kept.append(line[pos:stop])
                kept_length += stop - pos
                pos = stop
            if mark and mark != "`" and not in_code_span:
                had_comment = True
                closer, opened_at, comment_text = _CLOSERS[mark], (draft_line, pos + 1), []
                pos += len(mark)
        text = "".join(kept)
        if had_comment and not text.strip():
            continue
        out_lines.append(text)
        draft_lines.append(draft_line)
        all_anchors.append(tuple(anchors) or ((1, 1),))
    if closer is not None:
        mark = "%%" if closer == "%%" else "<!--"
        raise InputError(
            [error(path, opened_at[0], opened_at[1], f"editorial comment '{mark}' is never closed", "comment.unclosed")]
        )
    return StrippedSource("\n".join(out_lines), SourceMap(tuple(draft_lines), tuple(all_anchors)), tuple(comments))

