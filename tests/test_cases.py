"""Whole-pipeline cases: tests/cases/<name>/ holds a draft, its bibliography and the expected
outputs. To accept a deliberate change: UPDATE_CASES=1 ./dev test tests/test_cases.py, then
read the diff."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

CASES = Path(__file__).parent / "cases"


def essay_body(html: str) -> str:
    """The part of the page that the essay makes (the head and the stylesheet are the templates')."""
    return html[html.index('<div class="essay-body">') : html.index("<script>")]


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(name, tmp_path):
    case = CASES / name
    (tmp_path / "essay").mkdir()
    shutil.copy(case / "essay.md", tmp_path / "essay" / "case.md")
    shutil.copy(case / "refs.yaml", tmp_path / "refs.yaml")
    result = run_cli(["--target", "blog", "--citations", "refs.yaml"], tmp_path)
    assert result.code == 0, result.err
    result = run_cli(["--target", "xhs", "--citations", "refs.yaml"], tmp_path)
    assert result.code == 0, result.err
    outputs = {
        "expected.html": essay_body((tmp_path / "build" / "case.html").read_text(encoding="utf-8")),
        "expected.xhs.txt": (tmp_path / "build" / "case.xhs.txt").read_text(encoding="utf-8"),
    }
    for filename, actual in outputs.items():
        if os.environ.get("UPDATE_CASES"):
            (case / filename).write_text(actual, encoding="utf-8")
        assert actual == (case / filename).read_text(encoding="utf-8"), f"{name}/{filename}"
