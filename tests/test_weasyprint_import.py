"""WeasyPrint imported as our build imports it (footnoted/weasyprint_import.py): its C declarations
parsed once and kept, fontTools' subsetter imported when used, and the PDF the same either way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cffi
import pytest
import weasyprint.text.ffi as weasyprint_ffi
from conftest import ROOT, copy_real_project

from footnoted import weasyprint_import
from footnoted.weasyprint_import import FFI_MODULE, prebuilt_ffi

# The libraries WeasyPrint opens, by the names the dynamic loader knows them by on Linux
LIBRARIES = ("libgobject-2.0.so.0", "libpango-1.0.so.0", "libharfbuzz.so.0", "libharfbuzz-subset.so.0",
             "libfontconfig.so.1", "libpangoft2-1.0.so.0")


def weasyprints_declarations() -> str:
    source = Path(weasyprint_ffi.__file__).read_text(encoding="utf-8")
    declared = weasyprint_import._DECLARATIONS.search(source)
    assert declared, "WeasyPrint's ffi.py no longer opens with its cdef: the prebuilt declarations are off"
    return declared.group(1)


def shape(ffi, ctype, depth: int = 2):  # type: ignore[no-untyped-def]
    """A C type as cffi knows it, by structure (a struct's C name differs between the two modes:
    `struct _FcConfig` out of line for the typedef `FcConfig`)."""
    unknown_size = (ValueError, TypeError, getattr(ffi, "error", ValueError))  # the out-of-line FFI's own error
    try:
        size = ffi.sizeof(ctype)
    except unknown_size:
        size = None  # opaque, or a function
    if depth == 0:
        return ctype.kind, size
    if ctype.kind == "pointer":
        return "pointer", shape(ffi, ctype.item, depth - 1)
    if ctype.kind == "array":
        return "array", ctype.length, shape(ffi, ctype.item, depth - 1)
    if ctype.kind == "function":
        return ("function", tuple(shape(ffi, arg, depth - 1) for arg in ctype.args), shape(ffi, ctype.result, depth - 1),
                ctype.ellipsis)
    if ctype.kind in ("struct", "union"):
        if size is None:  # opaque (`typedef ... PangoLayout;`): its fields are no one's to read
            return ctype.kind, None
        fields = tuple((name, field.offset, shape(ffi, field.type, depth - 1)) for name, field in ctype.fields)
        return ctype.kind, size, fields
    if ctype.kind == "enum":
        return "enum", size, tuple(sorted(ctype.elements.items()))
    return ctype.kind, size, ctype.cname


def test_the_prebuilt_declarations_are_weasyprints_own(tmp_path):
    """Every function WeasyPrint declares has the same C type in the FFI kept in the cache as in the
    one cffi parses from WeasyPrint's source, in each library WeasyPrint opens; and every type too."""
    declarations = weasyprints_declarations()
    prebuilt = prebuilt_ffi(declarations, tmp_path)
    assert type(prebuilt).__module__ == "_cffi_backend"
    parsed = cffi.FFI()
    parsed.cdef(declarations)
    kinds = [key.split(" ", 1) for key in parsed._parser._declarations]
    functions = [name for kind, name in kinds if kind == "function"]
    typedefs = [name for kind, name in kinds if kind == "typedef"]
    assert len(functions) > 100 and len(typedefs) > 50
    for name in typedefs:
        assert shape(prebuilt, prebuilt.typeof(name)) == shape(parsed, parsed.typeof(name)), name
    found = set()
    for soname in LIBRARIES:
        ours, theirs = prebuilt.dlopen(soname), parsed.dlopen(soname)
        for name in functions:
            try:
                their_type = parsed.typeof(getattr(theirs, name))
            except AttributeError:
                continue  # not in this library
            assert shape(prebuilt, prebuilt.typeof(getattr(ours, name))) == shape(parsed, their_type), name
            found.add(name)
    assert len(found) > 0.9 * len(functions)  # a few are in none of these (newer HarfBuzz only)


def test_the_build_imports_weasyprint_with_them(tmp_path):
    """Imported through footnoted, WeasyPrint's `ffi` is the kept one, the stand-ins are gone from
    sys.modules, and fontTools' subsetter is the real one when asked for (a fresh process: this
    one may have imported WeasyPrint directly)."""
    script = """
import sys
from footnoted.weasyprint_import import weasyprint
import weasyprint.text.ffi, weasyprint.pdf.fonts as pdf_fonts
assert type(weasyprint.text.ffi.ffi).__module__ == "_cffi_backend", type(weasyprint.text.ffi.ffi)
assert "pycparser" not in sys.modules and "fontTools.subset" not in sys.modules
assert pdf_fonts.subset.Subsetter.__module__ == "fontTools.subset"  # the stand-in imports it, here
import fontTools.subset
assert pdf_fonts.subset.Options is fontTools.subset.Options and hasattr(sys.modules["fontTools.subset"], "__file__")
from fontTools.varLib import instancer
assert "fontTools.varLib.instancer" in sys.modules and instancer.instantiateVariableFont.__module__ == instancer.__name__
print("ok")
"""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    prebuilt_ffi(weasyprints_declarations(), tmp_path / "footnoted" / "cffi")  # as a first build leaves it
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.stdout == "ok\n", result.stderr[-2000:]


def test_fonttools_subsetting_through_the_stand_in(tmp_path, monkeypatch):
    """Where HarfBuzz's subsetter is missing WeasyPrint subsets with fontTools, through the stand-in."""
    import weasyprint
    import weasyprint.pdf.fonts as pdf_fonts
    from pypdf import PdfReader

    monkeypatch.setattr(pdf_fonts, "harfbuzz_subset", None)
    path = tmp_path / "t.pdf"
    weasyprint.HTML(string="<p lang=en style='font-family: Noto Serif'>Subset by fontTools</p>").write_pdf(path)
    assert "Subset by fontTools" in PdfReader(path).pages[0].extract_text()


def _build(project: Path, out: str, cache: str) -> tuple[bytes, str]:
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    result = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "build.py"), "--target", "pdf", "--out", out],
                            cwd=project, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    return (project / out / "model-collapse.pdf").read_bytes(), "\n".join(sorted(imported))


def test_the_same_pdf_with_the_kept_declarations_or_without(tmp_path):
    """The essay's PDF, built with the declarations kept in a cache (the first build writes them,
    the second reads them) and with a cache that cannot be written (WeasyPrint's own import): the
    same bytes; only the builds that could keep them go without pycparser and fontTools.subset."""
    project = copy_real_project(tmp_path / "project")
    cache = tmp_path / "cache"
    first, first_imports = _build(project, "first", str(cache))
    kept, kept_imports = _build(project, "kept", str(cache))
    unwritable = tmp_path / "a-file"
    unwritable.write_text("not a folder")
    own, own_imports = _build(project, "own", str(unwritable))
    assert first == kept == own
    assert list((cache / "footnoted" / "cffi").glob("_weasyprint_ffi_*.py"))
    assert "pycparser" not in kept_imports.split("\n")
    assert "fontTools.subset" not in kept_imports.split("\n")
    assert "pycparser" in own_imports.split("\n")  # parsed as WeasyPrint parses it
    assert FFI_MODULE in first_imports.split("\n") and FFI_MODULE in kept_imports.split("\n")


def test_a_damaged_cache_file_means_weasyprints_own_import(tmp_path):
    declarations = weasyprints_declarations()
    prebuilt_ffi(declarations, tmp_path)
    (kept,) = tmp_path.glob("_weasyprint_ffi_*.py")
    kept.write_text("ffi = (\n")  # cut short
    for cached in tmp_path.glob("__pycache__/*"):
        cached.unlink()
    assert prebuilt_ffi(declarations, tmp_path) is None


@pytest.mark.parametrize("declarations", ["void f(int);", weasyprints_declarations()])
def test_the_kept_module_is_named_by_its_declarations(tmp_path, declarations):
    first = prebuilt_ffi(declarations, tmp_path)
    assert first is not None
    assert prebuilt_ffi(declarations + "\nint g(void);", tmp_path) is not None
    assert len(list(tmp_path.glob("_weasyprint_ffi_*.py"))) == 2  # another declaration, another module
    assert not list(tmp_path.glob("*.tmp"))  # written whole, then renamed
