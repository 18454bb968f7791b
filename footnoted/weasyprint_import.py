"""WeasyPrint, imported without its slow search for the C libraries it needs.

WeasyPrint opens each library (GObject, Pango, HarfBuzz, fontconfig...) by trying a list of
names, one per platform: 'libgobject-2.0-0', 'gobject-2.0-0', ..., 'libgobject-2.0.so.0'. For
every name the dynamic loader cannot open as it stands, cffi asks ctypes.util.find_library,
which on Linux runs `ldconfig -p`, then gcc and ld, in new processes: 22 searches, 54 processes,
0.2 s of a 1.7 s build where gcc is installed (0.05 s where it is not).

On Linux, the names that end in a soname (libgobject-2.0.so.0) are in every list, and the
loader opens them itself (the very files the search would find), so during the import every
search is answered at once: not found. Elsewhere
(macOS, Windows) WeasyPrint searches as it always does.
"""

from __future__ import annotations

import ctypes.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def _loader_opens_libraries() -> Iterator[None]:
    if sys.platform != "linux":
        yield
        return
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


with _loader_opens_libraries():
    import weasyprint

__all__ = ["weasyprint"]
