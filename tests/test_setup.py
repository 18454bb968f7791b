"""`./dev` sets up `.venv/` with the pinned dependencies and puts this working tree on its path
with a plain .pth line: the project is not installed, so no build backend runs (nothing for a
setuptools release to deprecate or remove) and no import hook loads on every start."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import ROOT

VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

LOOK = """\
import importlib.metadata, json, pathlib, sys, sysconfig
import footnoted
site = pathlib.Path(sysconfig.get_path("purelib"))
try:
    installed = str(importlib.metadata.distribution("footnoted").locate_file(""))
except importlib.metadata.PackageNotFoundError:
    installed = None
print(json.dumps({
    "footnoted": list(footnoted.__path__),
    "installed": installed,
    "editable": sorted(p.name for p in site.iterdir() if "editable" in p.name.lower()),
    "finders": [getattr(f, "__name__", type(f).__name__) for f in sys.meta_path],
    "pth": (site / "footnoted-source.pth").read_text(encoding="utf-8") if (site / "footnoted-source.pth").exists() else None,
}))
"""


@pytest.mark.skipif(not VENV_PYTHON.exists(), reason="no .venv here: ./dev sets it up")
def test_dev_puts_the_working_tree_on_the_path_without_installing_it(tmp_path):
    result = subprocess.run([str(VENV_PYTHON), "-c", LOOK], cwd=tmp_path, capture_output=True, text=True, check=True)
    found = json.loads(result.stdout)
    assert found["footnoted"] == [str(ROOT / "footnoted")]  # this working tree, found on the plain path
    assert found["installed"] is None  # no distribution: nothing was built or installed
    assert found["editable"] == []  # no editable install
    assert found["finders"] == ["BuiltinImporter", "FrozenImporter", "PathFinder"]  # Python's own: no import hook
    assert found["pth"] == f"{ROOT}\n"  # one plain path line, no code
