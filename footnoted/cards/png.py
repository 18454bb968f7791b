"""The cards' PDF pages as PNG images: rasterised by poppler's pdftoppm, then given only our metadata.

WeasyPrint (53 and later) writes no PNG. pdftoppm (Debian's poppler-utils, which ./dev installs
for the PDF checks already) renders each page at 96 dpi: a 1080×1440 CSS px page becomes
1080×1440 pixels. It writes them as PPM, and Pillow (WeasyPrint's own dependency) encodes the
PNG: pdftoppm's PNG encoder took 0.4 s a card, Pillow's 0.06 s. The PNG is then rewritten chunk
by chunk: the image chunks are kept, anything else (a resolution, a time, a program's name) is
dropped, and our text chunks are added, so the same PDF gives the same bytes on every build. With AI-drafted text on a card, the implicit label
(GB 45438-2025's `AIGC`, as footnoted.disclosure words it) goes in a tEXt chunk, and the visible
disclosure in an iTXt chunk (UTF-8) beside it.
"""

from __future__ import annotations

import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IMAGE_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
WIDTH, HEIGHT = 1080, 1440
_DPI = 96  # CSS px to pixels one to one
RASTER_TIME_LIMIT_S = 300


class RasterError(Exception):
    pass


def rasterise(pdf: bytes) -> list[bytes]:
    """Each page of the PDF as a PNG (no metadata yet: see with_metadata)."""
    import io

    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="footnoted-cards-") as folder:
        source = Path(folder) / "cards.pdf"
        source.write_bytes(pdf)
        command = ["pdftoppm", "-r", str(_DPI), "-scale-to-x", str(WIDTH), "-scale-to-y", str(HEIGHT),
                   str(source), str(Path(folder) / "card")]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=RASTER_TIME_LIMIT_S)
        except FileNotFoundError:
            raise RasterError("pdftoppm is not installed (Debian: poppler-utils; ./dev installs it)") from None
        except subprocess.CalledProcessError as exc:
            raise RasterError(f"pdftoppm failed: {exc.stderr.decode('utf-8', 'replace').strip()[:200]}") from None
        except subprocess.TimeoutExpired:
            raise RasterError(f"pdftoppm took longer than {RASTER_TIME_LIMIT_S} s") from None
        # pdftoppm numbers its files with as many digits as the last page needs: sorted by number.
        pages = sorted(Path(folder).glob("card-*.ppm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        pngs = []
        for page in pages:
            with Image.open(page) as image:
                stream = io.BytesIO()
                image.save(stream, format="PNG", compress_level=6)
                pngs.append(stream.getvalue())
        return pngs


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise RasterError("not a PNG")
    out, position = [], len(PNG_SIGNATURE)
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        out.append((kind, png[position + 8 : position + 8 + length]))
        position += 12 + length
    return out


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def with_metadata(png: bytes, text: dict[str, str]) -> bytes:
    """The image chunks only, then `text`: Latin-1 values as tEXt, others as iTXt (UTF-8), keys sorted."""
    kept = [(kind, data) for kind, data in chunks(png) if kind in _IMAGE_CHUNKS]
    extra = []
    for key, value in sorted(text.items()):
        try:
            extra.append(_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1")))
        except UnicodeEncodeError:
            extra.append(_chunk(b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" + value.encode("utf-8")))
    header, rest = kept[0], kept[1:]
    return PNG_SIGNATURE + _chunk(*header) + b"".join(extra) + b"".join(_chunk(k, d) for k, d in rest)


def text_chunks(png: bytes) -> dict[str, str]:
    """The tEXt and iTXt entries of a PNG (for the tests, and anyone checking a card's label)."""
    found = {}
    for kind, data in chunks(png):
        if kind == b"tEXt":
            key, _, value = data.partition(b"\0")
            found[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = data.partition(b"\0")
            value = rest[2:].split(b"\0", 2)[-1]  # compression flag, method, language, translated key
            found[key.decode("latin-1")] = value.decode("utf-8")
    return found


def size(png: bytes) -> tuple[int, int]:
    header = chunks(png)[0][1]
    return struct.unpack(">II", header[:8])
