"""Citations as notes print them: keys with ':' (a key or a stored passage), the author left out,
prefixes and suffixes in Markdown and inside the note's full stop, locators in the locale's words."""

from __future__ import annotations

import pytest
from conftest import BIB, run_cli
from test_styles import notes_of

EN = "---\ntitle: t\nlang: en\n---\n"
ZH = "---\ntitle: t\n---\n"

# Two ids with ':' as pandoc's own tests have them, and 'lee2019' with a stored passage 'intro'.
COLON_BIB = BIB.replace("  language: en\n", "  language: en\n", 1) + """\
- id: stotz:1996handbuch
  type: book
  author:
  - {family: Stotz, given: Peter}
  title: Handbuch zur lateinischen Sprache des Mittelalters
  publisher: Beck
  issued: {date-parts: [[1996]]}
  language: de
"""
LEE_QUOTE = """\
  quotes:
    intro:
      text: "A quoted passage."
      page: 7
"""


def with_quote_on_lee(bib: str) -> str:
    head, lee = bib.split("- id: lee2019\n", 1)
    return head + "- id: lee2019\n" + lee.replace("  language: en\n", "  language: en\n" + LEE_QUOTE, 1)


def ambiguous_bib() -> str:
    """'lee2019:intro' is an id, and 'intro' a quote of 'lee2019': `@lee2019:intro` could be either."""
    return with_quote_on_lee(BIB) + """\
- id: lee2019:intro
  type: book
  title: An introduction
  publisher: Press
  issued: {date-parts: [[2001]]}
  language: en
"""


def build(project, body: str, bib: str | None = None, head: str = EN, target: str = "blog"):
    if bib is not None:
        project.write("citations/refs.yaml", bib)
    project.write("essay/x.md", head + body)
    return run_cli(["--target", target], project)


# --- keys with ':' and stored passages --------------------------------------------------------


def test_a_key_with_a_colon_is_the_key_when_the_bibliography_has_it(project):
    result = build(project, "One [@stotz:1996handbuch, p. 4]. Two [@smith2020:finding].\n", COLON_BIB)
    assert result.code == 0, result.err
    notes = notes_of(project)
    assert notes[0] == "Peter Stotz, <i>Handbuch zur lateinischen Sprache des Mittelalters</i> (Beck, 1996), 4."
    assert notes[1].startswith("Jane Smith and John Doe, “A Study of Things,”")  # the key 'smith2020' …
    assert 'class="note-passage"' in (project / "build" / "x.html").read_text(encoding="utf-8")  # … its passage


def test_a_key_that_is_also_a_key_and_quote_is_an_error_showing_both_spellings(project):
    result = build(project, "One [@lee2019:intro].\n", ambiguous_bib())
    assert result.code == 1
    assert result.err.splitlines() == [(
        "essay/x.md:5:6: error: '@lee2019:intro' is both the key 'lee2019:intro' and the quote 'intro' of "
        "'lee2019': write '@{lee2019:intro}' for the key or '@{lee2019}:intro' for the quote [cite.ambiguous-key]"
    )]
    # `check` says the same, and so does every target.
    assert run_cli(["check"], project).err.count("[cite.ambiguous-key]") == 1
    assert run_cli(["--target", "xhs"], project).code == 1


def test_braces_say_which_one_is_meant(project):
    result = build(project, "Key [@{lee2019:intro}]. Quote [@{lee2019}:intro].\n\n> [@{lee2019}:intro]\n", ambiguous_bib())
    assert result.code == 0, result.err
    notes = notes_of(project)
    assert notes[0] == "<i>An Introduction</i> (Press, 2001)."  # headline style
    assert notes[1].startswith("Ann Lee, <i>The Book</i> (Press, 2019), 7.")  # the passage's page
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert html.count("A quoted passage.") == 2  # in the second note, and shown in the body
    assert run_cli(["--target", "xhs"], project).code == 0


def test_a_blockquote_of_a_key_with_a_colon_stays_a_blockquote(project):
    result = build(project, "> [@stotz:1996handbuch]\n", COLON_BIB)
    assert result.code == 0, result.err
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert '<blockquote>\n<p><a class="note-call"' in html
    assert notes_of(project) == ["Peter Stotz, <i>Handbuch zur lateinischen Sprache des Mittelalters</i> (Beck, 1996)."]


def test_unknown_colon_keys_are_reported_as_what_they_would_be(project):
    result = build(project, "[@nobody:intro] [@lee2019:outro]\n", with_quote_on_lee(BIB))
    assert result.code == 1
    assert result.err.splitlines() == [
        "essay/x.md:5:2: error: unknown citation key 'nobody:intro' [cite.unknown-key]",
        "essay/x.md:5:18: error: unknown quote 'outro' in 'lee2019' (did you mean 'intro'?) [cite.unknown-quote]",
    ]


# --- the author left out ------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["As Lee shows [-@lee2019, p. 3].\n", "As Lee shows -@lee2019 [p. 3].\n"])
def test_suppress_author_leaves_the_name_out_of_the_note(project, body):
    assert build(project, body).code == 0
    assert notes_of(project) == ["<i>The Book</i> (Press, 2019), 3."]
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert 'As Lee shows.<a class="note-call"' in html  # no name added in the sentence, no '-' left


def test_suppress_author_in_chinese_notes_and_the_short_form(project):
    assert build(project, "一[@lee2019]。二[-@lee2019, p. 9]。\n", head=ZH).code == 0
    assert notes_of(project) == ["Lee A. The Book[M]. [S.l.]：Press，2019.", "同1：9."]
    assert build(project, "一 [@lee2019]. 二 [-@lee2019, p. 9].\n").code == 0
    assert notes_of(project)[1] == "<i>Book</i>, 9."  # a short title without its article (CMOS 17 §14.33)


def test_suppress_author_on_xiaohongshu_gives_the_source_without_the_name(project):
    assert build(project, "As Lee shows [-@lee2019, p. 3].\n", target="xhs").code == 0
    text = (project / "build" / "x.xhs.txt").read_text(encoding="utf-8")
    assert "As Lee shows (2019, p. 3)." in text


# --- prefixes, suffixes, locators ---------------------------------------------------------------


@pytest.mark.parametrize(("citation", "note"), [
    ("[@lee2019, p. 33, emphasis added]", "Ann Lee, <i>The Book</i> (Press, 2019), 33, emphasis added."),
    ("[@lee2019, *passim*]", "Ann Lee, <i>The Book</i> (Press, 2019), <i>passim</i>."),
    ("[@lee2019, passim]", "Ann Lee, <i>The Book</i> (Press, 2019), passim."),
    ("[@lee2019, pace Smith]", "Ann Lee, <i>The Book</i> (Press, 2019), pace Smith."),
    ("[@lee2019, chaps. 2--3]", "Ann Lee, <i>The Book</i> (Press, 2019), chaps. 2–3."),
    ("[@lee2019, chap. 2]", "Ann Lee, <i>The Book</i> (Press, 2019), chap. 2."),
    ("[@lee2019, VIII, 89]", "Ann Lee, <i>The Book</i> (Press, 2019), VIII, 89."),
    ("[@lee2019, §§ 4-5]", "Ann Lee, <i>The Book</i> (Press, 2019), secs. 4-5."),
    ("[@lee2019, ¶ 7]", "Ann Lee, <i>The Book</i> (Press, 2019), para. 7."),
    ("[@lee2019, vols. 2, 3]", "Ann Lee, <i>The Book</i> (Press, 2019), vols. 2, 3."),
    ("[@lee2019, vols. 2 and 3]", "Ann Lee, <i>The Book</i> (Press, 2019), vol. 2 and 3."),  # pandoc: the value is "2"
    ("[@lee2019, {p. a}]", "Ann Lee, <i>The Book</i> (Press, 2019), a."),
    ("[@lee2019, {ss IV div 4}]", "Ann Lee, <i>The Book</i> (Press, 2019), ss IV div 4."),
    ("[@lee2019, pp. 33--35 and *passim*]", "Ann Lee, <i>The Book</i> (Press, 2019), 33–35 and <i>passim</i>."),
    ("[@lee2019, a\\; b]", "Ann Lee, <i>The Book</i> (Press, 2019), a; b."),
    ("[*see* @lee2019, p. 2; @smith2020, p. 12, cf. Jones]",
     ("<i>see</i> Ann Lee, <i>The Book</i> (Press, 2019), 2; Jane Smith and John Doe, “A Study of Things,” "
      "<i>Journal of Things</i> 3, no. 2 (2020): 12, "  # the suffix follows the whole reference, as in pandoc
      '<a href="https://doi.org/10.1000/xyz123">https://doi.org/10.1000/xyz123</a>, cf. Jones.')),
])
def test_notes_print_prefix_locator_and_suffix_as_pandoc_places_them(project, citation, note):
    result = build(project, f"Text {citation}.\n")
    assert result.code == 0, result.err
    assert notes_of(project)[0] == note


def test_a_suffix_after_a_short_note_goes_inside_the_closing_quote(project):
    assert build(project, "One [@smith2020]. Two [@smith2020, passim].\n").code == 0
    assert notes_of(project)[1] == "Smith and Doe, “Study of Things,” passim."


def test_chinese_notes_keep_their_own_locators_and_take_the_suffix_inside(project):
    assert build(project, "一[@lee2019, 第 3 章，引者注]。二[@lee2019, chap. 4]。\n", head=ZH).code == 0
    assert notes_of(project) == ["Lee A. The Book[M]. [S.l.]：Press，2019：第 3 章，引者注.", "同1：第 4 章."]


def test_a_suffix_ending_its_own_sentence_gets_no_second_full_stop(project):
    assert build(project, "One [@lee2019, p. 2, is it?].\n").code == 0
    assert notes_of(project)[0] == "Ann Lee, <i>The Book</i> (Press, 2019), 2, is it?"


# --- the author named in a note's sentence ---------------------------------------------------


def test_an_author_named_in_a_notes_sentence_is_printed_once(project):
    """`As @lee2019 [p. 3] says` inside a footnote: the reference opens with the name, so the
    note holds no second name before it; the xhs short source names the author once, then the rest."""
    body = "Text[^a]. More.^[As @lee2019 [p. 5] says.]\n\n[^a]: As @lee2019 [p. 3] says.\n"
    assert build(project, body, BIB).code == 0
    first, second = (note.split("</p>", 1)[0] for note in notes_of(project))
    assert first.startswith("As Ann Lee, ") and first.count("Lee") == 1, first
    assert second.startswith("As Lee, ") and second.count("Lee") == 1, second
    assert build(project, body, target="xhs").code == 0
    text = (project / "build" / "x.xhs.txt").read_text(encoding="utf-8")
    # In the xhs text's （注：…） its sources follow after a comma: no bracket inside a bracket (#17).
    assert "(Note: As Lee, 2019, p. 3, says)." in text and "(Note: As Lee, 2019, p. 5, says.)" in text, text
