"""Shared helpers: run the real CLI in a scratch project, build small bibliographies."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from footnoted.cli import main

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(args: list[str], cwd: os.PathLike[str]) -> Run:
    """Call main() in-process, in `cwd`, capturing what a terminal would show."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


BIB = """\
references:
- id: smith2020
  type: article-journal
  author:
  - {family: Smith, given: Jane}
  - {family: Doe, given: John}
  title: A study of things
  container-title: Journal of Things
  volume: "3"
  issue: "2"
  page: 10-20
  issued: {date-parts: [[2020, 5, 1]]}
  DOI: 10.1000/xyz123
  language: en
  quotes:
    finding:
      text: "Things are what they are."
      page: 12
      emphasis: ["what they are"]
      translation: "事物就是它们本来的样子。"
- id: lee2019
  type: book
  author:
  - {family: Lee, given: Ann}
  title: The Book
  publisher: Press
  issued: {date-parts: [[2019]]}
  language: en
"""


class Project:
    """A scratch project folder: `project / "build"` is a path, `project.write()` adds a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __truediv__(self, name: str) -> Path:
        return self.root / name

    def __fspath__(self) -> str:
        return str(self.root)

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A scratch project with essay/ and citations/refs.yaml (the templates are the real ones)."""
    (tmp_path / "essay").mkdir()
    scratch = Project(tmp_path)
    scratch.write("citations/refs.yaml", BIB)
    return scratch


def copy_real_project(destination: Path) -> Path:
    for name in ("essay", "citations"):
        shutil.copytree(ROOT / name, destination / name)
    return destination
