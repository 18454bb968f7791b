"""Note and reference forms: GB/T 7714-2015 for Chinese essays, Chicago for English ones."""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest
from conftest import ROOT, run_cli


def notes_of(project, name: str = "x") -> list[str]:
    html = (project / "build" / f"{name}.html").read_text(encoding="utf-8")
    section = html.split('role="doc-endnotes"', 1)[1]
    return [item.split("<p>", 1)[1].split(" <a class=\"back-link\"", 1)[0] for item in section.split('<li id="fn-')[1:]]


def test_gb7714_full_then_short_with_locators_and_prefixes(project):
    project.write("essay/x.md", "---\ntitle: t\n---\n一[@smith2020, p. 12]，二[见 @smith2020, pp. 14–15; @lee2019, chap. 3]。\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project) == [
        'Smith J，Doe J. A study of things[J/OL]. Journal of Things，2020，3（2）：12. '
        '<a href="https://doi.org/10.1000/xyz123">DOI:10.1000/xyz123</a>.',
        "见 同1：14–15；Lee A. The Book[M]. [S.l.]：Press，2019：第 3 章.",  # GB/T 7714-2025, later notes 同 + note number
    ]


def test_chicago_for_an_english_essay(project):
    project.write("essay/x.md", "---\ntitle: t\nlang: en\n---\nOne [@smith2020, p. 12]; two [@smith2020, 14]. As @lee2019 says.\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project) == [
        'Jane Smith and John Doe, “A Study of Things,” <i>Journal of Things</i> 3, no. 2 (2020): 12, '
        '<a href="https://doi.org/10.1000/xyz123">https://doi.org/10.1000/xyz123</a>.',
        "Smith and Doe, “Study of Things,” 14.",
        "Ann Lee, <i>The Book</i> (Press, 2019).",
    ]
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert "As Lee<a class=\"note-call\"" in html  # in-text citation: the name in the sentence
    references = html.split('role="doc-bibliography"', 1)[1]
    assert references.index("Lee, Ann") < references.index("Smith, Jane")  # alphabetical


def test_a_chinese_essay_set_in_chicago_joins_its_sources_with_chicagos_semicolon(project):
    """The punctuation inside a note is the style's, not the essay's script's (issue #16)."""
    project.write("essay/x.md", "---\ntitle: t\nstyle: chicago\n---\n一[@smith2020, p. 12; @lee2019, p. 3]。\n")
    assert run_cli(["--target", "blog"], project).code == 0
    [note] = notes_of(project)
    assert "</a>; Ann Lee" in note and "；" not in note


def test_style_in_front_matter_overrides_the_language(project):
    project.write("essay/x.md", "---\ntitle: t\nstyle: chicago\n---\n中文[@lee2019]，[@smith2020]。\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project)[0] == "Ann Lee, <i>The Book</i> (Press, 2019)."


def test_quote_note_carries_passage_translation_and_emphasis(project):
    project.write("essay/x.md", "---\ntitle: t\n---\n正如所说[@smith2020:finding]，又[@lee2019]。\n")
    assert run_cli(["--target", "blog"], project).code == 0
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    note = html.split('id="fn-1"', 1)[1].split("</li>", 1)[0]
    assert "Smith J，Doe J. A study of things[J/OL]. Journal of Things，2020，3（2）：12." in note  # page from the quote
    assert '<p>Things are <em class="emphasis-added">what they are</em>.</p>' in note
    assert "译文：事物就是它们本来的样子。" in note and "强调为引者所加。" in note


def test_author_footnote_shares_numbering_and_holds_its_citation(project):
    project.write("essay/x.md", "---\ntitle: t\n---\n甲[^a]乙[@lee2019]丙[^a]。\n\n[^a]: 作者的话，见[@smith2020, p. 3]。\n")
    assert run_cli(["--target", "blog"], project).code == 0
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert html.count('<li id="fn-') == 2  # the footnote is 1, the citation 2; no nested note
    first = html.split('id="fn-1"', 1)[1].split("</li>", 1)[0]
    assert "作者的话，见 Smith J，Doe J. A study of things[J/OL]. Journal of Things，2020，3（2）：3." in first
    assert html.count('href="#fn-1"') == 2 and html.count('id="fnref-1"') == 1  # called twice, one back-link target


def test_local_image_is_embedded_remote_is_refused_and_alt_is_required(project):
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    (project / "essay" / "dot.png").write_bytes(png)
    project.write("essay/x.md", "---\ntitle: t\n---\n![一个点](dot.png)\n\n![](dot.png)[@smith2020:finding]，[@lee2019]。\n")
    result = run_cli(["--target", "blog"], project)
    assert result.code == 0
    assert result.err == "essay/x.md:6:1: warning: image 'dot.png' has no alt text: describe it between the brackets [image.no-alt]\n"
    assert 'src="data:image/png;base64,iVBORw0KGgo' in (project / "build" / "x.html").read_text(encoding="utf-8")
    project.write("essay/x.md", "---\ntitle: t\n---\n图 ![远程](https://example.com/a.png)\n")
    result = run_cli(["--target", "blog"], project)
    assert result.code == 1
    assert result.err == (
        "essay/x.md:4:3: error: remote image 'https://example.com/a.png' is not fetched: "
        "save it next to the essay and link the file [image.remote]\n"
    )


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc is installed by ./dev test")
def test_pandoc_citeproc_reads_our_bibliography():
    result = subprocess.run(
        ["pandoc", "--citeproc", "--bibliography", str(ROOT / "citations" / "references.yaml"), "-t", "plain"],
        input="[@shumailov2024; @villalobos2024; @touvron2023; @huang2026]\n", capture_output=True, text=True, check=True,
    )
    assert result.stderr == ""
    assert "Shumailov" in result.stdout and "Villalobos" in result.stdout and "Huang" in result.stdout


def test_a_book_with_no_imprint_has_no_empty_punctuation():
    from footnoted.bibliography import Entry
    from footnoted.styles.gb7714 import EDITIONS, reference

    book = Entry(id="t", type="book", title="T", path="x.yaml", line=1)
    assert "".join(r.text for r in reference(book, "", EDITIONS["gb7714-2025"])) == "T[M]."
    assert "".join(r.text for r in reference(book, "7", EDITIONS["gb7714-2025"])) == "T[M]. 7."
