"""One essay citing every kind of source twice (tests/fixtures/every-kind/), built in every style:
each built-in style the front matter may name, and the official CSL files through citeproc-js."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli

from footnoted.styles import STYLE_NAMES

FIXTURE = Path(__file__).parent / "fixtures" / "every-kind"
CSL_FILES = sorted((Path(__file__).parent / "fixtures" / "csl").glob("*.csl"))
HAS_CITEPROC = bool(shutil.which("node")) and (ROOT / "node_modules" / "citeproc").is_dir()
STYLES = [*STYLE_NAMES, *(pytest.param(f.name, marks=pytest.mark.skipif(not HAS_CITEPROC, reason="./dev test installs "
                                                                      "Node and citeproc-js")) for f in CSL_FILES)]


def words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).casefold().split())


@pytest.mark.parametrize("style", STYLES)
def test_every_kind_of_source_cited_twice_builds_and_every_title_is_in_the_notes(tmp_path, style):
    shutil.copytree(FIXTURE, tmp_path / "essay")
    for csl in CSL_FILES:
        shutil.copy(csl, tmp_path / "essay" / csl.name)
    draft = tmp_path / "essay" / "essay.md"
    text = draft.read_text(encoding="utf-8")
    draft.write_text(re.sub(r"(?m)^style: .*$", f"style: {style}", text, count=1), encoding="utf-8")
    result = run_cli(["--target", "all"], tmp_path)
    assert result.code == 0, result.err
    assert ": error:" not in result.err
    page = (tmp_path / "build" / "essay.html").read_text(encoding="utf-8")
    notes = words(re.search(r'<section class="notes".*?</section>', page, re.S).group())
    entries = yaml.safe_load((FIXTURE / "references.yaml").read_text(encoding="utf-8"))
    missing = [entry["id"] for entry in entries if words(entry["title"]) not in notes]
    assert missing == []
    assert len(re.findall(r'<li id="fn-\d+"', page)) == 2 * len(entries) + 1  # each twice, and two in one note
    assert (tmp_path / "build" / "essay.pdf").stat().st_size > 0 and (tmp_path / "build" / "essay.xhs.txt").exists()
