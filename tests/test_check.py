"""`build.py check`: every diagnostic, with its exact message, and nothing written."""

from __future__ import annotations

from conftest import copy_real_project, run_cli

HEAD = "---\ntitle: 测试\n---\n"
CITED = "[@smith2020:finding; @lee2019]"


def check(project, *args: str):  # type: ignore[no-untyped-def]
    result = run_cli(["check", *args], project)
    assert not (project / "build").exists()  # check writes nothing
    return result


def test_a_clean_draft_checks_clean(project):
    project.write("essay/x.md", HEAD + f"正文。{CITED}\n")
    result = check(project)
    assert (result.code, result.err) == (0, "")
    assert result.out.endswith("check: 0 errors, 0 warnings (0 TODOs, 0 typography); 0 quotes checked against snapshots\n")


def test_editorial_comments_are_listed_as_todos_with_their_place(project):
    project.write("essay/x.md", HEAD + f"%% 补一个例子 %%\n\n正文。<!-- 查一下\n出处 -->{CITED}\n")
    result = check(project)
    assert result.code == 0
    assert result.err == (
        "essay/x.md:4:1: warning: TODO: 补一个例子 [comment.todo]\n"
        "essay/x.md:6:4: warning: TODO: 查一下 出处 [comment.todo]\n"
    )
    assert "(2 TODOs, 0 typography)" in result.out


def test_spacing_and_punctuation_warnings_carry_the_fix(project):
    project.write("essay/x.md", HEAD + f'中文和English混排,还有"引号"。{CITED}\n')
    result = check(project)
    assert result.code == 0
    assert result.err.splitlines() == [
        "essay/x.md:4:4: warning: no space between Chinese and Latin: '文和En' → '文和 En' [typography.spacing]",
        "essay/x.md:4:11: warning: no space between Chinese and Latin: 'sh混排' → 'sh 混排' [typography.spacing]",
        "essay/x.md:4:13: warning: half-width punctuation in Chinese text: '混排,还有' → '混排，还有' [typography.punctuation]",
        "essay/x.md:4:16: warning: straight quotes in Chinese text: '还有\"引号' → '还有“引号' [typography.quotes]",
        "essay/x.md:4:19: warning: straight quotes in Chinese text: '引号\"。[' → '引号”。[' [typography.quotes]",
    ]


def test_typography_places_survive_comments_and_markup(project):
    project.write("essay/x.md", HEAD + f"%% 注 %% **粗体**和Latin。{CITED}\n\n- 列表项,第二句\n")
    result = check(project)
    assert result.err.splitlines()[1:] == [
        "essay/x.md:4:16: warning: no space between Chinese and Latin: '*和La' → '*和 La' [typography.spacing]",
        "essay/x.md:6:6: warning: half-width punctuation in Chinese text: '表项,第二' → '表项，第二' [typography.punctuation]",
    ]


def test_missing_links_are_open_work(project):
    project.write("essay/x.md", HEAD + f"见[这篇文章][文章]和[那篇](#)。{CITED}\n")
    assert check(project).err == (
        "essay/x.md:4:2: warning: link '[这篇文章][文章]' has no target: add a line '[文章]: URL' [link.undefined]\n"
        "essay/x.md:4:18: warning: link '那篇' has no URL yet ('#') [link.placeholder]\n"
    )


def test_the_title_is_checked_too(project):
    project.write("essay/x.md", "---\ntitle: 人类数据耗尽后,AI会停滞吗\n---\n" + f"正文。{CITED}\n")
    assert check(project).err.splitlines() == [
        "essay/x.md:2:15: warning: half-width punctuation in Chinese text: '尽后,AI' → '尽后，AI' [typography.punctuation]",
        "essay/x.md:2:18: warning: no space between Chinese and Latin: 'AI会停' → 'AI 会停' [typography.spacing]",
    ]


def test_an_unreviewed_llm_draft_is_open_work_and_the_report_lists_provenance(project):
    project.write("essay/x.md", HEAD + f"#llm-draft\n模型起草的段落。{CITED}\n\n#llm-draft/reviewed\n审过的。\n\n#mine\n我写的。\n")
    result = check(project)
    assert result.code == 0
    assert result.err == ("essay/x.md:4:1: warning: block drafted by an LLM is not reviewed: review it, "
                          "then mark it '#llm-draft/reviewed' [provenance.unreviewed]\n")
    assert ("provenance essay/x.md: 1 LLM-drafted, not reviewed (line 5); 1 LLM-drafted, reviewed (line 8); "
            "1 the author's (line 11); disclosure: \"本文部分内容由 AI 辅助起草，其中一部分经作者审阅，其余未经作者审阅。\"\n"
            "provenance essay/x.md: NOT REVIEWED: LLM-drafted text nobody has reviewed; "
            "the disclosure says so\n") in result.out
    assert check(project, "--strict").code == 1


def test_unknown_and_unused_keys_and_quotes(project):
    project.write("essay/x.md", HEAD + "正文[@smith2020][@nope]。\n")
    result = check(project)
    assert result.code == 1
    assert result.err == "essay/x.md:4:16: error: unknown citation key 'nope' [cite.unknown-key]\n"
    project.write("essay/x.md", HEAD + "正文[@smith2020]。\n")
    assert check(project).err == (
        "citations/refs.yaml:17:7: warning: quote 'smith2020:finding' is never cited [bib.unused-quote]\n"
        "citations/refs.yaml:21:3: warning: entry 'lee2019' is never cited [bib.unused-entry]\n"
    )


def test_duplicate_ids_and_mapping_keys_are_warnings_and_missing_fields_no_problem(project):
    # pandoc reads all of these: the last key and the later entry count; an entry needs no title.
    project.write("essay/x.md", HEAD + f"正文。{CITED}\n")
    project.write("citations/more.yaml", "- id: lee2019\n  type: book\n  title: T\n  title: U\n- id: x2\n  type: book\n")
    result = check(project)
    assert result.code == 0
    assert result.err.splitlines() == [
        "citations/more.yaml:4:3: warning: duplicate key 'title' (first at line 3): the last one is used [yaml.duplicate-key]",
        "citations/more.yaml:5:3: warning: entry 'x2' is never cited [bib.unused-entry]",
        "citations/refs.yaml:21:3: warning: duplicate id 'lee2019' (also at citations/more.yaml:1:3): this one is used, as in pandoc [bib.duplicate-id]",
    ]
    assert check(project, "--strict").code == 1


def test_urls_dois_and_arxiv_ids_of_the_wrong_shape(project):
    project.write("essay/x.md", HEAD + f"正文[坏](javascript:alert(1))。{CITED}[@a1][@a2]\n")
    project.write("citations/more.yaml", (
        "- id: a1\n  type: article\n  title: P\n  publisher: arXiv\n  number: '2302.1397'\n"
        "  code: ftp://example.com/x\n  homepage: https:///nohost\n"
        "- id: a2\n  type: article\n  title: Q\n  publisher: arXiv\n  number: '2302.13971'\n"
        "  URL: https://arxiv.org/abs/2302.13972v2\n  DOI: 11.1/x\n"
    ))
    result = check(project)
    assert result.code == 1
    assert result.err.splitlines() == [
        "citations/more.yaml:5:11: error: arXiv id '2302.1397' in 'a1' is not of the form YYMM.NNNNN (or archive/YYMMNNN) [bib.bad-arxiv]",
        "citations/more.yaml:6:3: warning: unknown field 'code' in 'a1': nothing reads it [bib.unknown-field]",
        "citations/more.yaml:6:9: error: 'code' URL 'ftp://example.com/x' is not allowed (ftp:): use http, https, mailto or doi: [bib.bad-url]",
        "citations/more.yaml:7:3: warning: unknown field 'homepage' in 'a1': nothing reads it (did you mean 'page'?) [bib.unknown-field]",
        "citations/more.yaml:7:13: error: 'homepage' URL 'https:///nohost' has no host [bib.bad-url]",
        "citations/more.yaml:13:8: error: arXiv id '2302.13972' in 'URL' differs from '2302.13971' in 'number' [bib.arxiv-mismatch]",
        "citations/more.yaml:14:8: warning: DOI '11.1/x' is not of the form 10.NNNN/suffix: not linked [bib.bad-doi]",
        "essay/x.md:4:7: error: link URL 'javascript:alert(1)' is not allowed (javascript:): use http, https, mailto or doi: [link.scheme]",
    ]


def test_a_bibliography_url_that_is_not_http_is_a_warning(project):
    project.write("essay/x.md", HEAD + f"正文。{CITED}\n")
    project.write("citations/more.yaml", "- id: m\n  type: webpage\n  title: M\n  URL: mailto:someone@example.com\n")
    assert check(project).err.splitlines() == [
        "citations/more.yaml:1:3: warning: entry 'm' is never cited [bib.unused-entry]",
        "citations/more.yaml:4:8: warning: 'URL' is a 'mailto:' address, not http or https: not linked [bib.bad-url]",
    ]


def test_unknown_fields_of_a_quote_suggest_the_known_one(project):
    project.write("essay/x.md", HEAD + f"正文。{CITED}\n")
    bib = (project / "citations" / "refs.yaml").read_text(encoding="utf-8").replace("      page: 12\n", "      pgae: 12\n")
    project.write("citations/refs.yaml", bib)
    assert check(project).err == (
        "citations/refs.yaml:18:7: warning: unknown field 'pgae' in quote 'finding' (did you mean 'page'?) [bib.unknown-field]\n"
    )


def test_links_in_raw_html_obey_the_same_rule(project):
    project.write("essay/x.md", "---\ntitle: 测试\nraw_html: true\n---\n"
                  f'正文。{CITED}\n\n<p>看<a href="javascript:alert(1)">这里</a></p>\n')
    assert check(project).err == (
        "essay/x.md:7:14: error: link URL 'javascript:alert(1)' in raw HTML is not allowed (javascript:): "
        "use http, https, mailto or doi: [link.scheme]\n"
    )


def test_xhs_limits_where_that_target_exists(project):
    project.write("essay/x.md", "---\ntitle: 人类数据耗尽之后人工智能的进步会不会停滞下来呢\n---\n" + f"正文。{CITED}\n")
    result = check(project)
    assert result.code == 1
    assert result.err == (
        "essay/x.md:2:8: error: the Xiaohongshu title '人类数据耗尽之后人工智能的进步会不会停滞下来呢' counts 23 (limit 20): "
        "give a shorter one as 'xhs_title' in the front matter [xhs.title-too-long]\n"
    )
    project.write("essay/x.md", "---\ntitle: 测试\n---\n" + f"正文。{CITED}\n")
    assert "xhs essay/x.md: 1 part: " in check(project).out
    assert "xhs essay/x.md" not in check(project, "--target", "blog").out


def test_a_broken_bibliography_still_checks_the_drafts(project):
    project.write("essay/x.md", HEAD + "%% 待办 %%\n正文[@smith2020]。\n")
    project.write("citations/broken.yaml", "- id: b\n  title: [unclosed\n")
    result = check(project)
    assert result.code == 1
    assert result.err == (
        "citations/broken.yaml:3:1: error: YAML syntax: did not find expected ',' or ']' [yaml.syntax]\n"
        "essay/x.md:4:1: warning: TODO: 待办 [comment.todo]\n"
    )


def test_the_real_essay_checks_without_errors_and_lists_what_is_open(tmp_path):
    root = copy_real_project(tmp_path)
    result = run_cli(["check"], root)
    assert result.code == 0
    assert "essay/model-collapse.md:16:1: warning: TODO: 【这个一种说法能不能改一改】 [comment.todo]\n" in result.err
    assert ("essay/model-collapse.md:18:54: warning: no space between Chinese and Latin: '现在AI' → '现在 AI' "
            "[typography.spacing]\n") in result.err
    assert "snapshot." not in result.err  # both Shumailov passages verified
    assert "; 2 quotes checked against snapshots\n" in result.out
    assert not (root / "build").exists()


def test_strict_build_fails_on_an_unreviewed_llm_draft(project):
    project.write("essay/x.md", HEAD + f"#llm-draft\n模型起草的段落。{CITED}\n")
    result = run_cli(["--target", "blog", "--strict"], project)
    assert result.code == 1
    assert result.err == ("essay/x.md:4:1: error: block drafted by an LLM is not reviewed: review it, "
                          "then mark it '#llm-draft/reviewed' [provenance.unreviewed]\n")
    assert not (project / "build").exists()
    assert run_cli(["--target", "blog"], project).code == 0  # without --strict it is only reported


def test_the_build_summary_and_provenance_report(project):
    project.write("essay/x.md", HEAD + f"#llm-draft/reviewed\n审过的段落。{CITED}\n")
    result = run_cli(["--target", "blog"], project)
    assert result.code == 0, result.err
    size = (project / "build" / "x.html").stat().st_size
    lines = result.out.splitlines()
    summary = lines[lines.index("summary:") + 1]
    assert summary.startswith(f"  blog  build/x.html  {size:,} bytes  ")
    assert summary.endswith(" ms  0 warnings")
    assert " characters  " in summary
    assert lines[-1] == ("provenance essay/x.md: 0 LLM-drafted, not reviewed; 1 LLM-drafted, reviewed (line 5); "
                         "0 the author's; disclosure: \"本文部分内容由 AI 辅助起草，经作者审阅。\"")


def test_unknown_command_is_a_usage_error(project):
    result = run_cli(["chek"], project)
    assert result.code == 2
    assert result.err == "build.py: error: unknown command 'chek' (commands: check, serve) (did you mean 'check'?)\n"
