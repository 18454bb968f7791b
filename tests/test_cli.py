"""The command line's contract: exact diagnostics, exit codes, and outputs never half-written."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT, run_cli
from pdf_reading import page_texts

from footnoted.bibliography import bibliography_files, load_bibliography
from footnoted.numbering import number_notes
from footnoted.parse import parse_essay_file
from footnoted.resolve import resolve

HEAD = "---\ntitle: 测试\n---\n"


def test_builds_blog_and_reports_what_it_wrote(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020]，又见[@lee2019]。\n")
    result = run_cli(["--target", "blog"], project)
    assert result.code == 0, result.err
    assert result.out.startswith("wrote build/x.html (")
    assert (project / "build" / "x.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_unknown_key_points_at_the_bracket_with_a_suggestion(project):
    project.write("essay/x.md", HEAD + "正文 [@smith2021, p. 3]。\n")
    result = run_cli([], project)
    assert result.code == 1
    assert result.err == (
        "essay/x.md:4:5: error: unknown citation key 'smith2021' (did you mean 'smith2020'?) [cite.unknown-key]\n"
    )
    assert not (project / "build").exists()


def test_unknown_quote_id_suggests_the_stored_one(project):
    project.write("essay/x.md", HEAD + "中文，中文 @smith2020:findings 说。\n")
    result = run_cli([], project)
    assert result.err == (
        "essay/x.md:4:7: error: unknown quote 'findings' in 'smith2020' (did you mean 'finding'?) [cite.unknown-quote]\n"
    )


def test_every_problem_is_reported_at_once_and_columns_count_characters(project):
    project.write("essay/x.md", HEAD + "第一[@nope]。\n\n> 引用 [@]\n\n- 列表 [@smith2020:]\n")
    result = run_cli([], project)
    assert result.code == 1
    assert result.err.splitlines() == [
        "essay/x.md:4:4: error: unknown citation key 'nope' [cite.unknown-key]",
        "essay/x.md:6:7: error: citation key is empty after '@' [cite.empty-key]",
        "essay/x.md:8:7: error: quote id is empty after '@smith2020:' [cite.empty-quote]",
    ]


def test_positions_survive_removed_comments(project):
    project.write("essay/x.md", HEAD + "%% 注释\n两行 %%\n前 %% 注 %% 文[@nope]。\n")
    result = run_cli([], project)
    assert result.err == "essay/x.md:6:13: error: unknown citation key 'nope' [cite.unknown-key]\n"


def test_unknown_target_name_in_conditional_content(project):
    project.write("essay/x.md", HEAD + '::: {.content-hidden when-format="blgo"}\n隐藏\n:::\n')
    result = run_cli([], project)
    assert result.code == 1
    assert result.err == (
        "essay/x.md:4:35: error: unknown target 'blgo' (targets: blog, pdf, xhs) (did you mean 'blog'?) [div.unknown-target]\n"
    )


def test_conditional_content_is_left_out_of_the_blog(project):
    project.write("essay/x.md", HEAD + '正文。\n\n::: {.content-hidden when-format="blog"}\n不在博客。\n:::\n')
    run_cli([], project)
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert "正文" in html and "不在博客" not in html


def test_bibliography_yaml_error_blocks_every_output(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020]。\n")
    project.write("citations/broken.yaml", "references:\n- id: a\n  title: [unclosed\n")
    result = run_cli([], project)
    assert result.code == 1
    assert result.err == "citations/broken.yaml:4:1: error: YAML syntax: did not find expected ',' or ']' [yaml.syntax]\n"
    assert not (project / "build").exists()


def test_duplicate_keys_and_ids_are_warnings_and_the_later_one_is_used_as_in_pandoc(project):
    # pandoc 2.17 reads both (the last key, the last entry of an id): a warning names both places.
    project.write("essay/x.md", HEAD + "正文[@smith2020:finding]，[@lee2019]。\n")
    project.write("citations/more.yaml", "- id: smith2020\n  type: book\n  title: T\n  title: U\n")
    result = run_cli(["--target", "blog"], project)
    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        "citations/more.yaml:4:3: warning: duplicate key 'title' (first at line 3): the last one is used [yaml.duplicate-key]",
        "citations/refs.yaml:2:3: warning: duplicate id 'smith2020' (also at citations/more.yaml:1:3): this one is used, as in pandoc [bib.duplicate-id]",
    ]
    result = run_cli(["--target", "blog", "--strict"], project)
    assert result.code == 1
    assert "citations/refs.yaml:2:3: error: duplicate id 'smith2020'" in result.err


def test_values_of_the_wrong_shape_are_warnings_and_left_out(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020:finding]，[@x1]。\n")
    project.write("citations/more.yaml", "- id: x1\n  type: book\n  title: T\n  page: [1, 2]\n  author: Jane\n- type: book\n")
    result = run_cli(["--target", "blog"], project)
    assert result.err.splitlines() == [
        "citations/more.yaml:4:9: warning: 'page' must be text, not a list: ignored [bib.field-type]",
        "citations/more.yaml:6:3: warning: entry has no 'id', so nothing can cite it: skipped [bib.missing-field]",
        "citations/refs.yaml:21:3: warning: entry 'lee2019' is never cited [bib.unused-entry]",
    ]
    assert result.code == 0
    assert "Jane" in (project / "build" / "x.html").read_text(encoding="utf-8")  # a name as text is one literal name


def test_yaml_11_surprises_are_kept_as_written(project):
    project.write("citations/refs.yaml", (
        "- id: t1\n  type: interview\n  title: T\n  number: 2302.13971\n  language: no\n"
        "  quotes:\n    q:\n      text: Hello.\n      locator: 00:23:57\n"
    ))
    project.write("essay/x.md", HEAD + "正文[@t1:q]。\n")
    result = run_cli([], project)
    assert result.code == 0, result.err
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert "00:23:57" in html and "2302.13971" in html and "1437" not in html


def test_alias_bomb_is_refused(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020]。\n")
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n"
    project.write("citations/refs.yaml", bomb)
    result = run_cli([], project)
    assert result.code == 1
    assert "[yaml.alias]" in result.err


def test_unused_entries_warn_and_strict_fails(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020:finding]。\n")
    result = run_cli([], project)
    assert result.code == 0
    assert result.err == "citations/refs.yaml:21:3: warning: entry 'lee2019' is never cited [bib.unused-entry]\n"
    result = run_cli(["--strict"], project)
    assert result.code == 1
    assert result.err == "citations/refs.yaml:21:3: error: entry 'lee2019' is never cited [bib.unused-entry]\n"


def test_usage_errors_exit_2(project):
    result = run_cli(["--target", "nope"], project)
    assert result.code == 2
    assert "invalid choice: 'nope'" in result.err
    result = run_cli(["--citations", "missing.yaml"], project)
    assert result.code == 2
    assert result.err == "build.py: error: no bibliography at 'missing.yaml'\n"


def test_two_essays_with_one_stem_are_an_error(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020]。\n")
    project.write("other/x.md", HEAD + "正文[@lee2019]。\n")
    result = run_cli(["--essay", "essay/x.md", "other/x.md"], project)
    assert result.code == 1
    assert "other/x.md: error: two essays share the stem 'x' (also essay/x.md): their outputs would collide [essay.duplicate-stem]" in result.err


def test_an_error_never_touches_the_previous_output(project):
    essay = project.write("essay/x.md", HEAD + "正文[@smith2020]，[@lee2019]。\n")
    assert run_cli([], project).code == 0
    output = project / "build" / "x.html"
    before = output.read_bytes()
    essay.write_text(HEAD + "改了[@nope]。\n", encoding="utf-8")
    assert run_cli([], project).code == 1
    assert output.read_bytes() == before
    assert not list(output.parent.rglob("*.tmp"))  # no temporary file left behind


def test_rebuild_is_byte_identical(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020]，[@lee2019]。[^a]\n\n[^a]: 注。\n")
    run_cli([], project)
    first = (project / "build" / "x.html").read_bytes()
    run_cli([], project)
    assert (project / "build" / "x.html").read_bytes() == first


def test_output_path_that_is_a_folder_is_a_clear_error(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020]，[@lee2019]。\n")
    (project / "build" / "x.html").mkdir(parents=True)
    result = run_cli([], project)
    assert result.code == 1
    assert result.err == "build/x.html: error: the output path is a folder [output.is-folder]\n"


def test_the_blog_never_imports_weasyprint_nor_a_network_client(tmp_path):
    """Each import is paid by every build: WeasyPrint is the PDF's alone, and nothing here talks to
    a network (xml.sax.saxutils once brought urllib.request, http.client and email: 25 ms)."""
    code = (
        "import sys; from footnoted.cli import main; "
        f"code = main(['--target', 'blog', '--out', {str(tmp_path)!r}]); "
        "print(code, *('weasyprint' in sys.modules, 'urllib.request' in sys.modules, 'http.client' in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split()[-4:] == ["0", "False", "False", "False"]


def test_the_pdf_imports_weasyprint_without_spawning_a_process():
    """WeasyPrint's own search for its C libraries runs ldconfig, gcc and ld (0.2 s); ours opens
    them by soname. The plain import, run the same way, shows the audit hook would see a spawn."""
    def spawns_when(importing: str) -> int:
        code = (
            "import sys; spawned = []\n"
            "sys.addaudithook(lambda event, args: event == 'subprocess.Popen' and spawned.append(args))\n"
            f"import {importing}; from weasyprint.text.ffi import pango, harfbuzz_subset\n"
            "print(len(spawned), harfbuzz_subset is not None)"
        )
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        count, subset_loaded = result.stdout.split()
        assert subset_loaded == "True"  # the optional library is found too, not silently left out
        return int(count)

    assert spawns_when("weasyprint") > 0
    assert spawns_when("footnoted.render_pdf") == 0


def test_the_cli_prints_no_traceback_for_a_non_utf8_draft(project):
    (project / "essay" / "x.md").write_bytes(HEAD.encode() + "正文".encode("gbk") + b"\n")
    result = run_cli([], project)
    assert result.code == 1
    assert result.err == "essay/x.md:4:1: error: not UTF-8 (byte 0xd5); save the file as UTF-8 [source.encoding]\n"


def test_parts_folder_is_replaced_whole_or_not_at_all(tmp_path):
    from footnoted.output import replace_folder

    folder = tmp_path / "x.xhs"
    replace_folder(folder, {"01.txt": b"old 1", "02.txt": b"old 2", "03.txt": b"old 3"})
    try:  # the second part fails to write: nothing of the new set may show
        replace_folder(folder, {"01.txt": b"new 1", "02.txt": None})  # type: ignore[dict-item]
    except TypeError:
        pass
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {"01.txt": b"old 1", "02.txt": b"old 2", "03.txt": b"old 3"}
    replace_folder(folder, {"01.txt": b"new 1"})
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {"01.txt": b"new 1"}  # stale parts gone
    # No staging folder left: only the link, the version it shows and the one it replaced (for a reader still in it).
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3 and names[2] == "x.xhs" and str(folder.readlink()) in names
    assert all(re.fullmatch(r"\.x\.xhs\.[a-z0-9_]{8}", name) for name in names[:2])


def test_notes_hidden_from_a_target_leave_no_gap_in_its_numbering(project):
    project.write("essay/x.md", HEAD + (
        '甲[@smith2020]。\n\n::: {.content-hidden when-format="blog"}\n乙[@lee2019]。\n:::\n\n丙[@smith2020:finding]。\n'
    ))
    result = run_cli(["--target", "blog"], project)
    assert result.code == 0 and "  blog: 2 notes, " in result.out  # the hidden note is not counted
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert html.count('role="doc-noteref"') == 2 and html.count('<li id="fn-') == 2
    assert 'href="#fn-2" role="doc-noteref">2</a>' in html and "LEE A." not in html.split('role="doc-endnotes"')[1].split("</section>")[0]


def test_a_source_cited_only_in_text_hidden_from_a_target_is_not_in_its_references(project):
    project.write("essay/x.md", HEAD + (
        '甲[@smith2020]。\n\n::: {.content-hidden when-format="blog"}\n乙[@lee2019]。\n:::\n\n'
        '::: {.content-hidden when-format="xhs"}\n丙[@smith2020:finding]。\n:::\n'
    ))
    assert run_cli(["--target", "all"], project).code == 0
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    blog_references = html.split('class="references"')[1].split("</section>")[0]
    assert "Smith" in blog_references or "SMITH" in blog_references
    assert "LEE" not in blog_references.upper()
    xhs = (project / "build" / "x.xhs.txt").read_text(encoding="utf-8")
    assert "乙" in xhs and "Lee" in xhs.split("参考")[-1]  # shown in xhs, so listed there
    pdf_text = "".join(page_texts(project / "build" / "x.pdf"))
    assert "乙" in pdf_text and "LEE" in pdf_text.upper()


def test_a_link_to_a_source_cited_only_where_print_hides_it_gets_a_note_of_its_own(project):
    # The link's source (smith2020, DOI 10.1000/xyz123) is cited only in text hidden from print:
    # no citation note in the PDF gives it, so the link gets its own note there.
    project.write("essay/x.md", HEAD + (
        "见[这篇](https://doi.org/10.1000/xyz123)。\n\n::: {.content-hidden when-format=\"pdf\"}\n乙[@smith2020]。\n:::\n"
    ))
    resolved = resolve(parse_essay_file(project / "essay" / "x.md"), load_bibliography(bibliography_files(project / "citations")))
    assert [note.url for note in number_notes(resolved, "pdf", link_notes=True).notes] == ["https://doi.org/10.1000/xyz123"]
    assert [note.url for note in number_notes(resolved, "blog", link_notes=False).notes] == [""]  # the blog shows the citation


def test_a_reader_that_stops_listening_gets_no_traceback(project):
    # build.py | head -1: the report's reader goes away after one line; the build stops quietly.
    project.write("essay/x.md", HEAD + "正文[@smith2020]，又见[@lee2019]。\n")
    child = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--target", "all"], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout.readline().startswith(b"wrote ")
    child.stdout.close()
    _, err = child.communicate(timeout=120)
    assert b"Traceback" not in err and child.returncode in (0, 1)
    assert (project / "build" / "x.html").exists()
