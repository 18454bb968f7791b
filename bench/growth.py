"""Growth cases (issue #18): inputs that once made a stage superlinear, at 1× and 4×.

Each case is a small project (a draft, a bibliography, maybe a snapshot) built by `project(scale)`
and the command that once took quadratic or cubic time on it. `./dev bench` times each at 1× and
4×: a linear stage takes about 4× the time (plus the interpreter's fixed start). The tests build
the same inputs and count the work done (tests/test_growth.py).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

FRONT_ZH = '---\ntitle: 增长测试\nlang: zh-CN\ndate: "2026-01-01"\n---\n\n'
FRONT_EN = '---\ntitle: Growth test\nlang: en\ndate: "2026-01-01"\n---\n\n'


def _entry(key: str, quote_text: str = "", snapshot: str = "", language: str = "en") -> str:
    lines = [f"- id: {key}", "  type: article-journal", "  author: [{family: Smith, given: Ann}]",
             f"  title: On {key}", "  container-title: Journal", "  issued: {date-parts: [[2020]]}", f"  language: {language}"]
    if snapshot:
        lines.append(f"  snapshot: {snapshot}")
    if quote_text:
        lines += ["  quotes:", "    q:", f'      text: "{quote_text}"', "      page: 3"]
    return "\n".join(lines) + "\n"


def footnote_calls(scale: float) -> dict[str, str]:
    """`[^x` over and over, never closed: 3 KB of them at 1×. Each one once scanned to the paragraph's end."""
    draft = FRONT_ZH + "正文" + "[^x" * int(1000 * scale) + "\n"
    return {"essay/essay.md": draft, "citations/refs.yaml": "references:\n" + _entry("a")}


def seams_paragraph(scale: float) -> dict[str, str]:
    """One long Chinese paragraph with spacing, punctuation and quote problems: 6 KB at 1×."""
    sentence = '研究发现AI模型在2024年的实验中"崩溃"了,数据质量下降了10%,作者用GPT-4复现.'
    count = max(1, int(6000 * scale) // len(sentence.encode()))
    draft = FRONT_ZH + "".join(sentence for _ in range(count)) + "\n"
    return {"essay/essay.md": draft, "citations/refs.yaml": "references:\n" + _entry("a")}


def dense_seams(scale: float) -> dict[str, str]:
    """The worst case for a character diff: a seam every character ('中a中a…'), 2 KB at 1×."""
    draft = FRONT_ZH + "中a" * int(500 * scale) + "\n"
    return {"essay/essay.md": draft, "citations/refs.yaml": "references:\n" + _entry("a")}


def _key(index: int) -> str:
    """Author-year keys as Zotero makes them: 'smith2020a'."""
    names = ("smith", "jones", "zhang", "wang", "garcia", "mueller", "tanaka", "kowalski", "dubois", "rossi")
    return f"{names[index % 10]}{index // 10 % 997}x{index // 9970}y{2000 + index % 25}"


def unknown_keys(scale: float) -> dict[str, str]:
    """A bibliography of 2,500 entries and a draft with 125 mistyped keys at 1×: each asks 'did you mean'."""
    entries = int(2500 * scale)
    bibliography = "references:\n" + "".join(_entry(_key(i)) for i in range(entries))
    typos = [_key(i * 20 + 7)[:-1] + "9" for i in range(int(125 * scale))]  # a wrong last digit of the year
    draft = FRONT_EN + "".join(f"Claim {n} [@{key}].\n\n" for n, key in enumerate(typos)) + f"Known [@{_key(0)}].\n"
    return {"essay/essay.md": draft, "citations/refs.yaml": bibliography}


def abbreviation_stops(scale: float) -> dict[str, str]:
    """An English paragraph whose full stops are mostly abbreviations ('p.', 'et al.'): 16 KB at 1×."""
    sentence = "As Smith et al. Jones et al. and Lee et al. Vol. 3 show on p. 4 and in Fig. 2, cf. Sec. 5 "
    draft = FRONT_EN + sentence * int(160 * scale) + "\n"
    return {"essay/essay.md": draft, "citations/refs.yaml": "references:\n" + _entry("a")}


def cited_passages(scale: float) -> dict[str, str]:
    """One paragraph citing stored passages 5,000 times at 1× (the xhs text queues each after the paragraph)."""
    bibliography = "references:\n" + "".join(_entry(f"s{i}", f"Passage {i} says what it says.") for i in range(200))
    draft = FRONT_EN + "".join(f"Point {n} [@s{n % 200}:q]. " for n in range(int(5000 * scale))) + "\n"
    return {"essay/essay.md": draft, "citations/refs.yaml": bibliography}


def repetitive_snapshot(scale: float) -> dict[str, str]:
    """A snapshot of 256 KB saying nearly the same thing over and over, and a 2 KB quote it holds,
    at 1×; a second quote it does not hold, to be shown with its closest passage."""
    phrase = "model data "
    snapshot = phrase * int(256 * 1024 * scale / len(phrase)) + "and at last the end came.\n"
    held = (phrase * int(2048 * scale / len(phrase))).strip() + " and at last the end came."
    missing = (phrase * int(2048 * scale / len(phrase))).strip() + " and at last the start came."
    entry = _entry("snap", held, "snapshot.txt").replace("  quotes:\n", "  page: 1-9\n  quotes:\n")
    entry += f'    r:\n      text: "{missing}"\n'
    draft = FRONT_EN + "Quoted [@snap:q] and [@snap:r].\n"
    return {"essay/essay.md": draft, "citations/refs.yaml": "references:\n" + entry, "citations/snapshot.txt": snapshot}


def alike_headings(scale: float) -> dict[str, str]:
    """2,000 headings with the same words at 1× (each needs an anchor of its own)."""
    draft = FRONT_EN + "## Notes\n\nText.\n\n" * int(2000 * scale)
    return {"essay/essay.md": draft, "citations/refs.yaml": "references:\n" + _entry("a")}


def long_passage(scale: float) -> dict[str, str]:
    """A quoted passage of 2,000 sentences at 1×, shortened to fit a Xiaohongshu part."""
    quote = " ".join(f"Sentence {i} says a thing." for i in range(int(2000 * scale)))
    return {"essay/essay.md": FRONT_EN + "> [@a:q]\n", "citations/refs.yaml": "references:\n" + _entry("a", quote)}


class Case(NamedTuple):
    label: str
    project: Callable[[float], dict[str, str]]  # the files at a scale (the tests use fractions)
    command: tuple[str, ...]  # build.py's arguments
    exit_code: int  # what the command is expected to return (a mistyped key is an error)


CASES = (
    Case("growth: [^x repeated, blog", footnote_calls, ("--target", "blog"), 0),
    Case("growth: Chinese paragraph with seams, check", seams_paragraph, ("check",), 0),
    Case("growth: a seam every character, check", dense_seams, ("check",), 0),
    Case("growth: mistyped keys, did you mean, blog", unknown_keys, ("--target", "blog"), 1),
    # The xhs cases grow the text series; the cards (a WeasyPrint layout a card) are not in them.
    Case("growth: stops after abbreviations, xhs", abbreviation_stops, ("--target", "xhs", "--xhs-cards", "no"), 0),
    Case("growth: cited passages in a paragraph, xhs", cited_passages, ("--target", "xhs", "--xhs-cards", "no"), 0),
    Case("growth: cited passages in a paragraph, blog", cited_passages, ("--target", "blog"), 0),
    Case("growth: quotes in a repetitive snapshot, check", repetitive_snapshot, ("check",), 1),
    # found by profiling larger inputs
    Case("growth: headings alike, blog", alike_headings, ("--target", "blog"), 0),
    Case("growth: a passage of many sentences, xhs", long_passage, ("--target", "xhs", "--xhs-cards", "no"), 0),
)
SCALES = (1, 4)


def write_project(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def command_of(case: Case, python: str, build: Path) -> list[str]:
    return [python, str(build), *case.command, "--essay", "essay/essay.md", "--citations", "citations/refs.yaml",
            *(("--out", "out") if case.command[0] != "check" else ())]


class Growth(NamedTuple):
    label: str
    seconds: tuple[float, float]  # median wall time at 1× and 4×
    peak_mib: tuple[float, float]


def measure_growth(scratch: Path, python: str, build: Path, env: dict[str, str], runs: int,
                   cases: tuple[Case, ...] = CASES) -> list[Growth]:
    """Each case at 1× and 4×, `runs` times (rounds of each, as the main table does), medians."""
    import subprocess

    jobs = []
    for number, case in enumerate(cases):
        for scale in SCALES:
            folder = write_project(scratch / f"growth{number}-{scale}", case.project(scale))
            jobs.append((case, scale, folder))
    times: dict[tuple[str, int], list[tuple[float, float]]] = {(c.label, s): [] for c, s, _ in jobs}
    for _ in range(runs):
        for case, scale, folder in jobs:
            started = time.perf_counter()
            process = subprocess.Popen(command_of(case, python, build), cwd=folder, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - started
            if os.waitstatus_to_exitcode(status) != case.exit_code:
                raise SystemExit(f"{case.label} at {scale}×: exit {os.waitstatus_to_exitcode(status)}, not {case.exit_code}")
            times[case.label, scale].append((elapsed, usage.ru_maxrss / 1024))
    return [Growth(case.label, tuple(statistics.median(t for t, _ in times[case.label, s]) for s in SCALES),  # type: ignore[arg-type]
                   tuple(max(m for _, m in times[case.label, s]) for s in SCALES))  # type: ignore[arg-type]
            for case in cases]


def print_growth(rows: list[Growth]) -> None:
    """One line a case: its time and peak memory at 1× and 4×, and the ratio (linear is about 4×)."""
    print(f"{'growth case (issue #18)':<48} {'1× s':>7} {'4× s':>7} {'ratio':>6} {'1× MiB':>7} {'4× MiB':>7}")
    for row in rows:
        (small, large), (small_mib, large_mib) = row.seconds, row.peak_mib
        print(f"{row.label:<48} {small:>7.3f} {large:>7.3f} {large / small:>5.2f}× {small_mib:>7.1f} {large_mib:>7.1f}")
