"""Issue #18: every stage grows linearly with its input. Each input that once made a stage
quadratic or cubic (bench/growth.py builds them; `./dev bench` times them) is run at 1× and 4×,
and the work done is counted, never timed: Python's own steps in the modules doing the work
(lines executed, sys.settrace), or, where the old work was done in C, what that C was handed
(characters given to a pattern, words compared). Linear work grows about 4×; 4.5× is allowed.
"""

from __future__ import annotations

import difflib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT
from mdit_py_plugins.footnote import index as footnote_plugin

from footnoted import check, diagnostics, parse, render_xhs, snapshots, syntax, typography
from footnoted.bibliography import load_bibliography
from footnoted.diagnostics import InputError
from footnoted.parse import parse_essay_file, parser
from footnoted.resolve import resolve
from footnoted.targets import RenderOptions

_spec = importlib.util.spec_from_file_location("bench_growth", ROOT / "bench" / "growth.py")
assert _spec and _spec.loader
growth = sys.modules["bench_growth"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(growth)

LINEAR = 4.5  # growth allowed from 1× to 4×


def steps(work: Callable[[], object], *modules: ModuleType) -> int:
    """Lines of Python executed inside `modules` while `work` runs: a count that repeats exactly."""
    files = {module.__file__ for module in modules}
    count = 0

    def in_frame(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        count += event == "line"
        return in_frame

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: in_frame if frame.f_code.co_filename in files else None)
    try:
        work()
    finally:
        sys.settrace(previous)
    return count


def handed(work: Callable[[], object], *modules: ModuleType) -> int:
    """Characters of the strings handed to the functions of `modules` while `work` runs: what a
    function given a whole text each time (joined in C, where no step is counted) reads."""
    files = {module.__file__ for module in modules}
    count = 0

    def on_call(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if event == "call" and frame.f_code.co_filename in files:
            arguments = frame.f_code.co_varnames[: frame.f_code.co_argcount]
            count += sum(len(frame.f_locals[name]) for name in arguments if isinstance(frame.f_locals.get(name), str))

    previous = sys.getprofile()
    sys.setprofile(on_call)
    try:
        work()
    finally:
        sys.setprofile(previous)
    return count


def project(tmp_path: Path, make: Callable[[float], dict[str, str]], scale: float) -> Path:
    return growth.write_project(tmp_path / f"x{scale}", make(scale))


def growth_of(count: Callable[[float], int], scale: float) -> float:
    small, large = count(scale), count(4 * scale)
    assert small > 0
    return large / small


def test_unclosed_footnote_calls_are_read_once(tmp_path):
    """'[^x[^x…' never closed: each '[^' read on to the paragraph's end."""
    def count(scale: float) -> int:
        body = growth.footnote_calls(scale)["essay/essay.md"].split("---\n", 2)[2]
        tokens: list = []
        work = steps(lambda: tokens.extend(parser().parse(body)), footnote_plugin, syntax)
        assert "".join(t.content for t in tokens if t.type == "inline").count("[^x") == int(1000 * scale)  # all text
        return work

    assert growth_of(count, 0.1) <= LINEAR


@pytest.mark.parametrize("make", [growth.seams_paragraph, growth.dense_seams], ids=["realistic", "dense"])
def test_the_typography_check_walks_a_paragraph_once(tmp_path, make):
    """A long Chinese paragraph with spacing and quote problems: a character diff of it was cubic."""
    def count(scale: float) -> int:
        essay = parse_essay_file(project(tmp_path, make, scale) / "essay" / "essay.md")
        problems: list = []
        work = steps(lambda: problems.extend(check.typography_problems(essay)), check, difflib)
        assert problems and all(p.code.startswith("typography.") for p in problems)
        return work

    assert growth_of(count, 0.1) <= LINEAR


def test_did_you_mean_does_not_compare_every_key_with_every_entry(tmp_path):
    """Mistyped keys against a large bibliography: each was compared with every entry."""
    def count(scale: float) -> int:
        folder = project(tmp_path, growth.unknown_keys, scale)
        essay = parse_essay_file(folder / "essay" / "essay.md")
        bibliography = load_bibliography([folder / "citations" / "refs.yaml"])
        problems: list = []

        def resolving() -> None:
            try:
                resolve(essay, bibliography)
            except InputError as exc:
                problems.extend(exc.diagnostics)

        work = steps(resolving, diagnostics, difflib)
        hints = [d.message for d in problems if d.code == "cite.unknown-key"]
        assert len(hints) == int(125 * scale) and all("did you mean" in h for h in hints)
        return work

    assert growth_of(count, 0.16) <= LINEAR


def test_the_real_typo_is_still_suggested_from_a_large_bibliography():
    """A letter wrong, missing, added or two swapped: the suggestion is as close as difflib's best."""
    keys = [growth._key(i) for i in range(2000)]
    index = diagnostics.CloseMatches(keys)
    assert index.pairs is not None  # a shortlist is compared, not every key
    for key in keys[::67]:
        for typo in (key[:-1] + ("0" if key[-1] != "0" else "1"), key[1:], key[:3] + key[4:], key + "a", key[1] + key[0] + key[2:]):
            if typo not in keys:
                best = difflib.get_close_matches(typo, keys, n=1, cutoff=0.6)[0]
                suggested = index.closest(typo)
                assert difflib.SequenceMatcher(None, suggested, typo).ratio() == difflib.SequenceMatcher(None, best, typo).ratio(), typo


def test_a_small_set_of_choices_is_compared_whole_as_difflib_does():
    choices = ["smith2020", "smith2021", "smyth2020", "jones2020", "", "a"]
    index = diagnostics.CloseMatches(choices)
    assert index.pairs is None  # every choice is compared
    for word in ("smith2022", "smth2020", "jones", "x", "", "smith2020a"):
        close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
        assert index.closest(word) == (close[0] if close else None)
        assert diagnostics.did_you_mean(word, index) == (f" (did you mean '{close[0]}'?)" if close else "")


def render(folder: Path) -> object:
    essay = parse_essay_file(folder / "essay" / "essay.md")
    resolved = resolve(essay, load_bibliography([folder / "citations" / "refs.yaml"]))
    return render_xhs.render_xhs(resolved, RenderOptions())


def test_abbreviations_do_not_make_the_xhs_splitter_read_the_paragraph_again(tmp_path, monkeypatch):
    """A paragraph whose full stops are abbreviations ('et al.'): the abbreviation pattern read the
    whole paragraph so far at each. Counted: the characters the pattern is given."""
    read = [0]

    class Counted:
        def search(self, text: str, *args: int):  # type: ignore[no-untyped-def]
            read[0] += len(text)
            return pattern.search(text, *args)

    pattern = render_xhs._ABBREVIATION
    monkeypatch.setattr(render_xhs, "_ABBREVIATION", Counted())

    def count(scale: float) -> int:
        folder, rendered = project(tmp_path, growth.abbreviation_stops, scale), []
        read[0] = 0
        work = steps(lambda: rendered.append(render(folder)), render_xhs)
        assert any(d.code == "xhs.paragraph-split" for d in rendered[0].diagnostics)  # cut between sentences
        return work + read[0]

    assert growth_of(count, 0.25) <= LINEAR


def test_thousands_of_citations_in_a_paragraph_are_not_joined_again_for_each(tmp_path, monkeypatch):
    """Each citation got the paragraph so far joined into one string, to see what stands before it.
    Counted: the renderer's steps, and the characters of the strings a citation is given."""
    given = [0]
    for name in ("note_call", "short_sources"):
        method = getattr(render_xhs._Writer, name)

        def counted(self, *args, method=method):  # type: ignore[no-untyped-def]
            given[0] += sum(len(a) for a in args if isinstance(a, str))
            return method(self, *args)

        monkeypatch.setattr(render_xhs._Writer, name, counted)

    def count(scale: float) -> int:
        folder = project(tmp_path, growth.cited_passages, scale)
        given[0] = 0
        return steps(lambda: render(folder), render_xhs) + given[0]

    assert growth_of(count, 0.1) <= LINEAR


def test_a_long_passage_is_shortened_in_linear_time(tmp_path):
    """A passage too long for a part keeps the sentences that fit: for each sentence tried, the
    whole passage was joined and searched for Chinese again. Counted: the renderer's steps, and the
    characters handed to the typography's functions (has_cjk)."""
    def count(scale: float) -> int:
        folder, rendered = project(tmp_path, growth.long_passage, scale), []
        work = steps(lambda: rendered.append(render(folder)), render_xhs, typography)
        assert [d.code for d in rendered[0].diagnostics] == ["xhs.passage-shortened"]
        return work + handed(lambda: render(folder), typography)

    assert growth_of(count, 0.25) <= LINEAR


def test_headings_alike_get_their_anchors_in_linear_time(tmp_path):
    """Each of many headings alike counted its anchor's number up from 1."""
    def count(scale: float) -> int:
        path, essays = project(tmp_path, growth.alike_headings, scale) / "essay" / "essay.md", []
        work = steps(lambda: essays.append(parse_essay_file(path)), parse)
        anchors = [block.anchor for block in essays[0].blocks if block.kind == "heading"]
        assert anchors[:3] == ["notes", "notes-2", "notes-3"] and len(set(anchors)) == int(2000 * scale)
        return work

    assert growth_of(count, 0.1) <= LINEAR


class Word(str):
    """A snapshot's word that counts how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        Word.compared += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        Word.compared += 1
        return str.__ne__(self, other)

    __hash__ = str.__hash__


def test_quotes_are_found_in_a_repetitive_snapshot_in_linear_time(tmp_path):
    """A long quote in a snapshot saying the same thing over and over: the quote was compared
    at every place its first word stands, and the closest passage of one not found was aligned
    by difflib, in time growing with the square of the quote. Counted: comparisons of words."""
    def count(scale: float) -> int:
        folder = project(tmp_path, growth.repetitive_snapshot, scale)
        entry = load_bibliography([folder / "citations" / "refs.yaml"]).entries["snap"]
        snapshot = snapshots.read_snapshot(folder / "citations" / "snapshot.txt")
        counted = snapshot._replace(words=tuple(Word(w) for w in snapshot.words))
        Word.compared = 0
        held = snapshots.verify_passage(entry, entry.quotes["q"], counted)
        missing = snapshots.verify_passage(entry, entry.quotes["r"], counted)
        assert held == []
        assert [d.code for d in missing] == ["snapshot.quote-not-found"]
        assert missing[0].message.endswith("[-quote-]{+snapshot+}: … at last the [-start-]{+end+} came")
        return Word.compared + steps(lambda: snapshots.verify_passage(entry, entry.quotes["r"], counted), snapshots, difflib)

    assert growth_of(count, 0.5) <= LINEAR


def test_long_diffs_are_difflibs_own_blocks():
    """The suffix automaton finds the blocks difflib finds, on texts long enough to use it."""
    words = ["the", "model", "data", "was", "made", "by", "a", "model", "on", "data", "the"]
    for seed in range(6):
        a = [words[(i * 7 + seed) % len(words)] for i in range(700)]
        b = a[100:650]
        b[seed * 40] = "changed"
        expected = [tuple(x) for x in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()[:-1]]
        assert snapshots._matching_blocks(a, b) == expected
