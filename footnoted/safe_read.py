"""Reading an input file safely: a regular file only, up to a size limit, without ever blocking.

Every file a build or a check reads comes through `read_regular_file`: drafts and bibliography
files (wherever the user names them), images (only inside the essay's folder) and snapshots (only
inside the bibliography file's folder). A name can point at a FIFO, whose read waits forever, at a
device such as /dev/zero, which fills the memory, or (in a shared bibliography) at a secret file
elsewhere. Each is refused with its reason before a byte is read, and the error for a file outside
the folder says nothing about that file, not even whether it exists.
"""

from __future__ import annotations

import errno
import math
import os
import stat
import struct
from pathlib import Path

MB = 1024 * 1024
# The limits, in one place (README, "What the build reads"). A file over its limit is an error that names it.
MAX_DRAFT_BYTES = 20 * MB
MAX_BIBLIOGRAPHY_BYTES = 32 * MB  # a Zotero export of 100,000 entries is 27 MB: 35 s and 820 MB to load
MAX_IMAGE_BYTES = 20 * MB
MAX_STYLE_BYTES = 5 * MB  # a CSL style: the biggest official ones are near 250 kB
MAX_IMAGE_PIXELS = 50_000_000  # 8,660 px square; Pillow refuses 179 million as a "decompression bomb"
# A text or HTML snapshot, and a PDF's text: checking one takes ~43 times its size in memory (20 MB: 850 MB, 33 s).
MAX_SNAPSHOT_BYTES = 10 * MB
MAX_PDF_SNAPSHOT_BYTES = 200 * MB  # a PDF snapshot itself (pictures make PDFs big; pdftotext reads it, not us)
MAX_FONT_BYTES = 64 * MB  # a system font file the print stylesheet names (Debian's largest, Noto Serif CJK Bold, is 27 MB)

_CHUNK = 1 << 16


class UnsafeFile(OSError):
    """A file refused before it is read. `strerror` says why; `kind` ends the diagnostic's code
    ('not-a-file', 'too-large', 'outside')."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__({"too-large": errno.EFBIG, "outside": errno.EACCES}.get(kind, errno.EINVAL), reason)
        self.kind = kind


def inside(name: str | os.PathLike[str], folder: Path) -> Path:
    """`folder / name` with its symlinks resolved, if it lies in `folder`, written and resolved alike;
    else UnsafeFile('outside'). Decided on names alone, so it tells nothing about the file."""
    base = Path(os.path.normpath(Path(folder).absolute()))
    written = Path(os.path.normpath(base / name))  # as the name reads: "a/../../b" is outside
    resolved = written.resolve()  # as the file system has it: a symlink that points out is outside
    if not (written.is_relative_to(base) and resolved.is_relative_to(base.resolve())):
        raise UnsafeFile("it lies outside the folder", "outside")
    return resolved


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; else UnsafeFile or the OSError of the read."""
    try:
        _check(Path(path).stat(), limit)  # before opening: opening a device may itself do something
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except ValueError:  # a NUL in the name: no file can have it
        raise FileNotFoundError(errno.ENOENT, "No such file or directory") from None
    try:
        info = os.fstat(descriptor)
        _check(info, limit)  # the name may point elsewhere since the stat
        chunks, total = [], 0
        while total <= limit:  # the file may grow while we read: never more than limit + 1 bytes
            chunk = os.read(descriptor, min(limit + 1 - total, max(info.st_size + 1 - total, _CHUNK)))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(descriptor)
    if total > limit:
        raise UnsafeFile(f"it is larger than the limit of {_size(limit)}", "too-large")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def check_regular_file(path: str | os.PathLike[str], limit: int) -> None:
    """What `read_regular_file` checks before reading, for a file another program reads (pdftotext)."""
    try:
        _check(Path(path).stat(), limit)
    except ValueError:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory") from None


def _check(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(f"it is {_kind(info.st_mode)}, not a regular file", "not-a-file")
    if info.st_size > limit:
        raise UnsafeFile(f"it is {_size(info.st_size)}, over the limit of {_size(limit)}", "too-large")


def _kind(mode: int) -> str:
    kinds = {stat.S_ISDIR: "a folder", stat.S_ISFIFO: "a FIFO (named pipe)", stat.S_ISCHR: "a character device",
             stat.S_ISBLK: "a block device", stat.S_ISSOCK: "a socket"}
    return next((name for test, name in kinds.items() if test(mode)), "a special file")


def _size(count: int) -> str:
    """'20 MB', '20.1 MB' (rounded up: a file just over the limit must not read as the limit), '900 bytes'."""
    if count < MB:
        return f"{count:,} bytes"
    return f"{math.ceil(count * 10 / MB) / 10:.1f} MB".replace(".0 MB", " MB")


# --- image dimensions, from the header alone ------------------------------------------


def image_pixels(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, JPEG or WebP from its header; None for SVG or what is not understood.
    Decoding a 20,000-pixel square needs 1.6 GB: it is refused before anything decodes it."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        return _jpeg_pixels(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        return _webp_pixels(data)
    return None


def _jpeg_pixels(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            at += 2
            continue
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    return None


def _webp_pixels(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None
