"""WeasyPrint, imported without its slow search for C libraries, its hyphenation patterns read quickly.

Libraries. WeasyPrint opens each library (GObject, Pango, HarfBuzz, fontconfig...) by trying a
list of names, one per platform: 'libgobject-2.0-0', 'gobject-2.0-0', ..., 'libgobject-2.0.so.0'.
For every name the dynamic loader cannot open as it stands, cffi asks ctypes.util.find_library,
which on Linux runs `ldconfig -p`, then gcc and ld, in new processes: 22 searches, 54 processes,
0.2 s of a 1.7 s build where gcc is installed (0.05 s where it is not). On Linux, the names that
end in a soname (libgobject-2.0.so.0) are in every list, and the loader opens them itself (the
very files the search would find), so during the import every search is answered at once: not
found. Elsewhere (macOS, Windows) WeasyPrint searches as it always does.

Hyphenation. For `hyphens: auto` in English text, Pyphen (0.18.1) parses all 11,000 patterns of
its en_US dictionary, one regular expression and tuple at a time: 65-130 ms, on every PDF build.
A line break looks up a few hundred of them. So the patterns are read in bulk (each one's letters
as its key) and each is parsed when first looked up; dictionaries with lines only Pyphen's own
parser reads right (^^hex escapes, nonstandard hyphenation, two-digit values) are parsed by it.
test_pdf.py holds the result to Pyphen's own, pattern for pattern, for all its dictionaries.

C declarations. WeasyPrint declares the C functions it calls in `weasyprint/text/ffi.py`, 450
lines that cffi parses with pycparser (a C parser in pure Python) at every import, and each type
named in an `ffi.new("...")` is parsed by it again when first used: 60-80 ms of every PDF build.
cffi can parse them once and write the result as a Python module ("out-of-line ABI mode": the
same types and calls; type names are then read by cffi's C code). That module is written the
first time into the user's cache, named by a digest of the declarations and of cffi's version,
and WeasyPrint's ffi.py runs with it in place of its `cdef`: the rest of its code (the libraries
it opens, its helpers) runs as written. Where the declarations are not where WeasyPrint 70 has
them, or the cache cannot be written, WeasyPrint is imported as it stands.

Font subsetting. WeasyPrint imports fontTools' subsetter and variable-font instancer with its
PDF writer (80-90 ms). It subsets with HarfBuzz, and calls them only where HarfBuzz's subsetter
is missing or a font is variable: they are imported when first called.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import os
import re
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout, suppress
from pathlib import Path

from footnoted.user_cache import cache_folder


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


FFI_MODULE = "weasyprint.text.ffi"
# WeasyPrint 70's ffi.py opens with these two statements, its declarations between the quotes
_DECLARATIONS = re.compile(r"^ffi = cffi\.FFI\(\)\nffi\.cdef\('{3}(.*?)'{3}\)\n", re.DOTALL | re.MULTILINE)


def prebuilt_ffi(declarations: str, folder: Path):  # type: ignore[no-untyped-def]
    """The cffi FFI of these C declarations, parsed once: the module cffi writes for them ("out-of-line
    ABI mode"), kept in `folder` under a digest of the declarations and of cffi's version; None
    where the folder cannot be written."""
    import cffi

    digest = hashlib.sha256(f"{cffi.__version__}\0{declarations}".encode()).hexdigest()[:24]
    name = f"_weasyprint_ffi_{digest}"
    path = folder / f"{name}.py"
    if not path.is_file():
        builder = cffi.FFI()
        builder.cdef(declarations)
        builder.set_source(name, None)
        partial = folder / f"{name}.{os.getpid()}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with redirect_stdout(io.StringIO()):  # cffi says "generating …"
                builder.emit_python_code(str(partial))
            partial.replace(path)  # whole or not at all, for a build running beside this one
        except OSError:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
            return None
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        return module.ffi
    except Exception:  # noqa: BLE001  a cache file that does not load (edited, damaged): WeasyPrint's own import
        return None


class _PrebuiltDeclarations(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds WeasyPrint's ffi.py and runs it with its declarations already parsed (prebuilt_ffi)."""

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname != FFI_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None:
            return None
        source = Path(spec.origin).read_text(encoding="utf-8")
        declared = _DECLARATIONS.search(source)
        ffi = prebuilt_ffi(declared.group(1), cache_folder("cffi")) if declared else None
        if declared is None or ffi is None:
            return None  # WeasyPrint's own import
        self.ffi, self.origin = ffi, spec.origin
        # The declarations become blank lines: every other line keeps its number in tracebacks.
        self.rest = source[: declared.start()] + "\n" * declared.group(0).count("\n") + source[declared.end() :]
        ours = importlib.util.spec_from_loader(fullname, self, origin=spec.origin)
        ours.has_location = True  # __file__, as WeasyPrint's own import sets it
        return ours

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return None

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        module.ffi = self.ffi
        exec(compile(self.rest, self.origin, "exec"), module.__dict__)


class _ImportedWhenUsed(types.ModuleType):
    """Stands for a module during WeasyPrint's import: the real one is imported when one of its
    names is first read."""

    def __getattr__(self, attribute: str):  # type: ignore[no-untyped-def]
        if attribute.startswith("__"):  # asked of any module (its __file__ for its repr): not a use
            raise AttributeError(attribute)
        return getattr(importlib.import_module(self.__name__), attribute)


def _called_when_used(module: str, function: str):  # type: ignore[no-untyped-def]
    def imported_then_called(*args, **kwargs):  # type: ignore[no-untyped-def]
        return getattr(importlib.import_module(module), function)(*args, **kwargs)

    return imported_then_called


@contextmanager
def _fonttools_imported_when_used() -> Iterator[None]:
    """WeasyPrint's pdf/fonts.py runs `from fontTools import subset` and `from fontTools.varLib.instancer
    import instantiateVariableFont`: each name is bound to a stand-in that imports when used."""
    instancer = types.ModuleType("fontTools.varLib.instancer")
    instancer.instantiateVariableFont = _called_when_used("fontTools.varLib.instancer", "instantiateVariableFont")  # type: ignore[attr-defined]
    stand_ins = {"fontTools.subset": _ImportedWhenUsed("fontTools.subset"), "fontTools.varLib.instancer": instancer}
    if any(name in sys.modules for name in stand_ins):
        yield  # imported already: nothing to save
        return
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name in stand_ins:  # gone again: the real modules are imported by these names when used
            del sys.modules[name]


_FINDER = _PrebuiltDeclarations()
sys.meta_path.insert(0, _FINDER)
try:
    with _loader_opens_libraries(), _fonttools_imported_when_used():
        import weasyprint
finally:
    sys.meta_path.remove(_FINDER)

import pyphen  # noqa: E402  (WeasyPrint's, imported with it)

# A line Pyphen skips once stripped: a comment or a setting (LEFTHYPHENMIN 2...).
_IGNORED_LINE = re.compile(r"^[^\S\n]*(?:%s).*$" % "|".join(map(re.escape, pyphen.ignored)), re.M)
_ZEROS_ONLY = re.compile(r"^[^1-9]*$")  # a pattern Pyphen skips: it hyphenates nothing
_TWO_DIGITS = re.compile(r"[0-9][0-9]")


class PatternsOnDemand(dict):
    """letters -> the pattern line, parsed into Pyphen's (offset, values) when first looked up."""

    def get(self, letters, default=None):  # type: ignore[no-untyped-def, override]
        value = dict.get(self, letters, default)
        if type(value) is str:
            values = [0]  # the value before each letter, and after the last
            for char in value:
                if char in "0123456789":
                    values[-1] = int(char)
                else:
                    values.append(0)
            start, end = 0, len(values)
            while not values[start]:
                start += 1
            while not values[end - 1]:
                end -= 1
            value = self[letters] = start, tuple(values[start:end])
        return value


def patterns_on_demand(path: Path) -> PatternsOnDemand | None:
    """A hyph_*.dic's patterns as Pyphen's HyphDict reads them, or None where only it reads them right."""
    with path.open("rb") as file:
        encoding = file.readline().decode()
    if encoding.lower() == "microsoft-cp1251":
        encoding = "cp1251"
    body = path.read_text(encoding).partition("\n")[2]  # after the encoding's line
    lines = [line for line in map(str.strip, _IGNORED_LINE.sub("", body).split("\n")) if line]
    text = "\n".join(lines)
    odd_digits = any(char.isdecimal() and char not in "0123456789" for char in set(text))
    if "^^" in text or "/" in text or odd_digits or _TWO_DIGITS.search(text):
        return None
    if any(map(_ZEROS_ONLY.match, lines)):
        lines = [line for line in lines if not _ZEROS_ONLY.match(line)]
        text = "\n".join(lines)
    # ASCII digits are never part of a longer UTF-8 sequence: deleting their bytes deletes them.
    letters = text.encode("utf-8").translate(None, b"0123456789").decode("utf-8").split("\n")
    return PatternsOnDemand(zip(letters, lines))


class _QuickHyphDict(pyphen.HyphDict):
    def __init__(self, path: Path) -> None:
        patterns = patterns_on_demand(path)
        if patterns is None:
            super().__init__(path)
            return
        self.patterns, self.cache, self.maxlen = patterns, {}, max(map(len, patterns))


PYPHENS_HYPHDICT = pyphen.HyphDict
pyphen.HyphDict = _QuickHyphDict  # Pyphen(lang=...) makes its dictionaries from this name

__all__ = ["weasyprint"]
