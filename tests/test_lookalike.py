"""Look-alike citation keys: invisible characters, mixed scripts and compatibility forms, in the
draft's citations and in the bibliography's ids, found by `check` and by every build (`--strict`
refuses them)."""

from __future__ import annotations

import pytest
from conftest import BIB, run_cli

HEAD = "---\ntitle: 测试\n---\n"
CYRILLIC_I = "\u0456"  # і


def with_ids(smith: str = "smith2020", lee: str = "lee2019", quote: str = "finding") -> str:
    return BIB.replace("id: smith2020", f"id: {smith}").replace("id: lee2019", f"id: {lee}").replace(
        "    finding:", f"    {quote}:")


def test_a_cyrillic_letter_in_a_key_is_named_in_check_and_in_the_build(project):
    key = f"sm{CYRILLIC_I}th2020"
    # Beside it, keys that are not suspect: one script (the quote id), Latin with Chinese.
    project.write("citations/refs.yaml", with_ids(smith=key, lee="王wang2020", quote="ключ"))
    project.write("essay/x.md", HEAD + f"正文[@{key}:ключ]，[@王wang2020]。\n")
    said = ("mixes Latin and Cyrillic letters, so it only looks like a Latin key: "
            "U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I (character 3) [{code}]")
    in_draft = f"essay/x.md:4:4: warning: citation key '{key}' " + said.format(code="cite.mixed-scripts")
    in_bibliography = f"citations/refs.yaml:2:3: warning: entry id '{key}' " + said.format(code="bib.mixed-scripts")
    checked = run_cli(["check"], project)
    assert checked.err.splitlines() == [in_bibliography, in_draft]
    built = run_cli(["--target", "blog"], project)  # it resolves, so it builds, with the warnings
    assert built.code == 0 and in_draft in built.err and in_bibliography in built.err
    strict = run_cli(["--target", "blog", "--strict", "--out", "strict"], project)
    assert strict.code == 1 and in_draft.replace("warning", "error") in strict.err
    assert not (project / "strict").exists()  # a suspect shared bibliography: nothing written


@pytest.mark.parametrize(("character", "name"), [
    ("\u200b", "U+200B ZERO WIDTH SPACE"),
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("\u00ad", "U+00AD SOFT HYPHEN"),
    ("\ufe0f", "U+FE0F VARIATION SELECTOR-16"),
    ("\u2060", "U+2060 WORD JOINER"),
])
def test_an_invisible_character_in_a_key_is_named_and_never_printed(project, character, name):
    key = f"lee{character}2019"
    project.write("citations/refs.yaml", with_ids(lee=f'"{key}"'))
    project.write("essay/x.md", HEAD + f"正文[@smith2020:finding]，又见[@{{{key}}}]。\n")
    shown = f"lee<U+{ord(character):04X}>2019"
    message = f"'{shown}' has an invisible character: {name} (character 4); retype the key"
    result = run_cli(["check"], project)
    assert f"essay/x.md:4:27: warning: citation key {message} [cite.invisible-character]" in result.err.splitlines()
    assert f"citations/refs.yaml:21:3: warning: entry id {message} [bib.invisible-character]" in result.err.splitlines()
    assert run_cli(["--strict", "--target", "xhs"], project).code == 1


def test_compatibility_forms_and_combining_marks_are_look_alikes(project):
    project.write("citations/refs.yaml", with_ids(lee="\uff4cee2019", quote="cafe\u0301"))
    project.write("essay/x.md", HEAD + "正文[@smith2020]，[@{\uff4cee2019}]。\n")
    lines = run_cli(["check"], project).err.splitlines()
    fullwidth = "'ｌee2019' has a look-alike character for 'l': U+FF4C FULLWIDTH LATIN SMALL LETTER L (character 1)"
    assert f"essay/x.md:4:17: warning: citation key {fullwidth} [cite.lookalike-character]" in lines
    assert f"citations/refs.yaml:21:3: warning: entry id {fullwidth} [bib.lookalike-character]" in lines
    assert ("citations/refs.yaml:17:7: warning: quote id 'cafe\u0301' is spelt with combining marks, unlike the same letters "
            "typed whole: U+0301 COMBINING ACUTE ACCENT (character 5) [bib.lookalike-character]") in lines
    assert not [line for line in lines if "mixed-scripts" in line]  # a fullwidth Latin letter is still Latin
