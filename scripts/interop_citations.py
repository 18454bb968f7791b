#!/usr/bin/env python3
"""How footnoted reads pandoc's own citation tests (placeholder, filled below)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent.parent / "shared" / "corpus" / "interop" / "pandoc-tests"
FIXTURE = ROOT / "tests" / "fixtures" / "pandoc_citations.json"


def case_folders() -> list[Path]:
    return sorted(p for p in (CORPUS / "cases").iterdir() if (p / "input.md").is_file())
