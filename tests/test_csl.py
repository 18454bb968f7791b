"""Any CSL style, through citeproc-js under Node (footnoted/styles/csl.py): real Node, the real
citeproc-js the lockfile pins, the official CSL files (copied into tests/fixtures/csl/)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli
from pdf_reading import page_texts
from test_watch import watching

from footnoted.bibliography import load_file
from footnoted.cli import make_argument_parser
from footnoted.parse import parse_essay_file
from footnoted.resolve import resolve
from footnoted.styles import csl

FIXTURES = Path(__file__).parent / "fixtures" / "csl"
CHICAGO = FIXTURES / "chicago-notes-bibliography.csl"
GB2025 = FIXTURES / "china-national-standard-gb-t-7714-2025-note.csl"
DIRECT = Path(__file__).parent / "citeproc_direct.js"

pytestmark = pytest.mark.skipif(not shutil.which("node") or not (ROOT / "node_modules" / "citeproc").is_dir(),
                                reason="Node and citeproc-js: ./dev test installs them")

# CSL-JSON written as YAML: what the build loads, and, read with a plain YAML reader, what
# citeproc-js gets directly. Two works titled alike by two Smiths (disambiguation), markup and
# hostile text in titles.
REFERENCES = """\
- id: smith
  type: book
  title: 'The Making of Notes: A History'
  author: [{family: Smith, given: Jane}]
  publisher: Penguin
  publisher-place: London
  issued: {date-parts: [[2001]]}
- id: smithjohn
  type: book
  title: Notes on Style
  author: [{family: Smith, given: John}]
  publisher: Norton
  issued: {date-parts: [[2010]]}
- id: smithjane
  type: book
  title: Notes on Style
  author: [{family: Smith, given: Jane}]
  publisher: Norton
  issued: {date-parts: [[2012]]}
- id: lee
  type: article-journal
  title: On <i>Ibid.</i> & its kin
  author: [{family: Lee, given: Ann}]
  container-title: Journal of Notes
  volume: '3'
  issue: '2'
  page: 1-20
  issued: {date-parts: [[2020, 5, 1]]}
  DOI: 10.1000/xyz123
- id: grafton
  type: chapter
  title: Footnotes in print
  author: [{family: Grafton, given: Anthony}]
  editor: [{family: Doe, given: John}]
  container-title: The Book of Books
  publisher: Oxford University Press
  page: 33-50
  issued: {date-parts: [[1997]]}
- id: hostile
  type: webpage
  title: <script>alert(1)</script> & <img src=x onerror=alert(2)>
  URL: https://example.org/x?a=1&b=2
  issued: {date-parts: [[2024]]}
"""

BODY = """
First [@smith, 33]. Again [@smith, 33]. Another page [@smith, 35].

Two [see @lee, 4-5; @grafton, chap. 2]. Back [@smith, 40, emphasis added].

Without the name [-@lee, 7]. One Smith [@smithjohn] and the other [@smithjane]. Hostile [@hostile].

Later [@smithjohn, 3].
"""

# The same citations as citation clusters, written out here: what a word processor's plugin hands citeproc-js.
CLUSTERS = [
    [{"id": "smith", "locator": "33", "label": "page"}],
    [{"id": "smith", "locator": "33", "label": "page"}],
    [{"id": "smith", "locator": "35", "label": "page"}],
    [{"id": "lee", "locator": "4-5", "label": "page", "prefix": "see "},
     {"id": "grafton", "locator": "2", "label": "chapter"}],
    [{"id": "smith", "locator": "40", "label": "page", "suffix": ", emphasis added"}],
    [{"id": "lee", "locator": "7", "label": "page", "suppress-author": True}],
    [{"id": "smithjohn"}],
    [{"id": "smithjane"}],
    [{"id": "hostile"}],
    [{"id": "smithjohn", "locator": "3", "label": "page"}],
]


def essay(style_line: str, lang: str = "en") -> str:
    return f"---\ntitle: Notes\nlang: {lang}\n{style_line}\nbibliography: refs.yaml\n---\n{BODY}"


def direct(style: Path, lang: str, references: str = REFERENCES) -> dict:
    """What citeproc-js gives for CLUSTERS, used directly (tests/citeproc_direct.js)."""
    request = {"style": style.read_text(encoding="utf-8"), "lang": lang, "items": yaml.safe_load(references),
               "citations": [{"noteIndex": n, "citationItems": items} for n, items in enumerate(CLUSTERS, 1)]}
    result = subprocess.run(["node", str(DIRECT)], input=json.dumps(request), capture_output=True, text=True,
                            check=True, cwd=ROOT)
    return json.loads(result.stdout)


class _Marked(HTMLParser):
    """HTML as its text with italics marked _so_, entities decoded: to compare two renderings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.italic, self.out = 0, []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "div":  # a numbered entry's number and its text are two blocks: set apart
            self.out.append(" ")
        if tag == "i":
            self.italic += 1
            self.out.append("_")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "i":
            self.italic -= 1
            self.out.append("_")

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.out.append(data)


def marked(html: str) -> str:
    parser = _Marked()
    parser.feed(html)
    return " ".join("".join(parser.out).replace("__", "").split())


def marked_runs(runs) -> str:  # type: ignore[no-untyped-def]
    return " ".join("".join(f"_{r.text}_" if r.italic else r.text for r in runs).replace("__", "").split())


def scratch(tmp_path: Path, style_line: str, lang: str = "en", style: Path = CHICAGO) -> Path:
    (tmp_path / "essay").mkdir(exist_ok=True)
    shutil.copy(style, tmp_path / "essay" / style.name)
    (tmp_path / "essay" / "refs.yaml").write_text(REFERENCES, encoding="utf-8")
    (tmp_path / "essay" / "x.md").write_text(essay(style_line, lang), encoding="utf-8")
    return tmp_path / "essay" / "x.md"


@pytest.mark.parametrize(("style", "lang"), [(CHICAGO, "en"), (GB2025, "zh-CN")], ids=["chicago-18", "gb7714-2025"])
def test_notes_and_bibliography_are_what_citeproc_js_gives_directly(tmp_path, style, lang):
    path = scratch(tmp_path, f"csl: {style.name}", lang, style)
    resolved = resolve(parse_essay_file(path), load_file(tmp_path / "essay" / "refs.yaml"))
    expected = direct(style, lang)
    ours = [marked_runs(note.sources[0].runs) for note in resolved.notes]
    assert len(ours) == len(CLUSTERS)
    assert ours == [marked(html) for html in expected["notes"]]
    # every other source of a cluster is in its first one's runs: none printed twice
    assert all(not source.runs for note in resolved.notes for source in note.sources[1:])
    assert [marked_runs(runs) for _, runs in resolved.references] == [marked(h) for h in expected["bibliography"]]
    # The cases are real: a later note short (Chicago) or 同 + the first note's number (GB/T 7714), two
    # Smiths' "Notes on Style" told apart by the first name, prefix, suffix, label, author left out.
    if style == CHICAGO:
        assert ours[1] == "Smith, _The Making of Notes: A History_, 33."
        assert ours[9] == "John Smith, _Notes on Style_, 3."
        assert ours[3].startswith("see Ann Lee") and ours[3].endswith("chap. 2.")
        assert ours[4].endswith("40, emphasis added.") and ours[5] == "“On _Ibid._ & Its Kin,” 7."
    else:
        assert (ours[1], ours[5], ours[9]) == ("同1：33.", "同4：7.", "同7：3.")


def test_an_essay_with_csl_builds_in_every_target(tmp_path):
    scratch(tmp_path, "csl: chicago-notes-bibliography.csl")
    result = run_cli(["--target", "all", "--essay", "essay/x.md"], tmp_path)
    assert result.code == 0, result.err
    expected = [marked(html) for html in direct(CHICAGO, "en")["notes"]]
    page = (tmp_path / "build" / "x.html").read_text(encoding="utf-8")
    notes = re.findall(r'<li id="fn-\d+"[^>]*>\s*<p>(.*?)<a class="back-link', page, re.S)
    assert [marked(n) for n in notes] == expected
    assert "<script>alert" not in page and "<img src=x" not in page  # hostile text stays text
    assert "&lt;script&gt;alert(1)&lt;/Script&gt;" in page
    assert 'class="csl"' in page and "Smith, Jane. <i>The Making of Notes: A History</i>" in page
    printed = " ".join(" ".join(page_texts(tmp_path / "build" / "x.pdf")).split())
    assert "Jane Smith, The Making of Notes: A History (Penguin, 2001), 33." in printed
    xhs = (tmp_path / "build" / "x.xhs.txt").read_text(encoding="utf-8")
    assert "(Smith, 2001, p. 33)" in xhs and "The Making of Notes: A History" in xhs  # our own short forms


def test_style_may_name_the_csl_file_and_csl_may_leave_out_its_extension(tmp_path):
    scratch(tmp_path, "style: chicago-notes-bibliography.csl")
    assert run_cli(["--target", "blog", "--essay", "essay/x.md"], tmp_path).code == 0
    by_style = (tmp_path / "build" / "x.html").read_bytes()
    scratch(tmp_path, "csl: chicago-notes-bibliography")
    assert run_cli(["--target", "blog", "--essay", "essay/x.md"], tmp_path).code == 0
    assert (tmp_path / "build" / "x.html").read_bytes() == by_style
    assert b"(Penguin, 2001), 33." in by_style


# --- what is wrong is said, at its place ------------------------------------------------------------


def test_a_missing_csl_file_is_an_error_at_the_front_matter(tmp_path):
    scratch(tmp_path, "title2: x\ncsl: styles/nowhere.csl")
    result = run_cli(["--target", "blog", "--essay", "essay/x.md"], tmp_path)
    assert result.code == 1 and "Traceback" not in result.err
    assert ("essay/x.md:5:6: error: CSL style 'styles/nowhere.csl': cannot read it (No such file or directory) "
            "[style.unreadable]") in result.err.splitlines()
    assert not (tmp_path / "build" / "x.html").exists()


def test_a_csl_file_that_is_not_xml_is_an_error_at_its_line(tmp_path):
    scratch(tmp_path, "csl: broken.csl")
    (tmp_path / "essay" / "broken.csl").write_text(
        '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl">\n'
        "  <citation><layout></citation>\n</style>\n",
        encoding="utf-8")
    result = run_cli(["--target", "blog", "--essay", "essay/x.md"], tmp_path)
    assert result.code == 1 and "Traceback" not in result.err
    assert "essay/broken.csl:3:23: error: not a valid CSL style: mismatched tag [style.invalid-csl]" in result.err


def test_xml_that_is_no_csl_style_is_an_error(tmp_path):
    scratch(tmp_path, "csl: locale.csl")
    shutil.copy(ROOT / "footnoted" / "styles" / "csl_locales" / "locales-en-US.xml", tmp_path / "essay" / "locale.csl")
    result = run_cli(["--target", "blog", "--essay", "essay/x.md"], tmp_path)
    assert result.code == 1
    assert ("essay/locale.csl:1:1: error: not a CSL style: its root element is <locale>, not a CSL <style> "
            "[style.invalid-csl]") in result.err


def test_an_entity_bomb_is_refused_before_it_expands(tmp_path):
    scratch(tmp_path, "csl: bomb.csl")
    lol = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10 if i else "lol"}">' for i in range(10))
    bomb = f'<?xml version="1.0"?>\n<!DOCTYPE style [{lol}]>\n<style>&l9;</style>\n'
    (tmp_path / "essay" / "bomb.csl").write_text(bomb, encoding="utf-8")
    result = run_cli(["--target", "blog", "--essay", "essay/x.md"], tmp_path)
    assert result.code == 1
    assert "essay/bomb.csl:2:1: error: not a valid CSL style: a DOCTYPE is not allowed in a CSL style" in result.err


def test_a_style_name_that_is_neither_built_in_nor_a_csl_file_says_both(tmp_path):
    scratch(tmp_path, "style: chicago.xml")
    result = run_cli(["--target", "blog", "--essay", "essay/x.md"], tmp_path)
    assert result.code == 1 and "or a CSL file (name.csl)" in result.err and "[frontmatter.choice]" in result.err


def test_without_node_a_csl_essay_says_so_in_one_line_and_the_others_build(tmp_path):
    scratch(tmp_path, "csl: chicago-notes-bibliography.csl")
    (tmp_path / "essay" / "plain.md").write_text("---\ntitle: Plain\nlang: en\nbibliography: refs.yaml\n---\n\n"
                                                 "Text [@smith].\n", encoding="utf-8")
    no_node = tmp_path / "bin"  # a PATH without node: the machine as it is without Node installed
    no_node.mkdir()
    env = {**os.environ, "PATH": str(no_node), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--target", "blog"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == ["essay/x.md:4:6: error: CSL style 'chicago-notes-bibliography.csl': needs Node.js ('node' is not "
                      "on PATH): install it (./dev setup) or use a built-in style [style.no-node]"]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "build" / "plain.html").exists() and not (tmp_path / "build" / "x.html").exists()


# --- one engine, kept ----------------------------------------------------------------------------------


def test_watch_keeps_the_engine_and_rebuilds_when_the_csl_file_changes(tmp_path):
    path = scratch(tmp_path, "csl: chicago-notes-bibliography.csl")
    (tmp_path / "citations").mkdir()
    options = make_argument_parser().parse_args(["--essay", str(path), "--citations", str(tmp_path / "citations"),
                                                 "--out", str(tmp_path / "build"), "--target", "blog"])
    output, engine = tmp_path / "build" / "x.html", csl.engine()
    with watching(options) as (_, builds):
        assert builds.wait_for(1).code == 0
        starts, requests = engine.starts, engine.requests
        path.write_text(path.read_text(encoding="utf-8").replace("First", "Firstly"), encoding="utf-8")
        assert builds.wait_for(2).code == 0  # the text changed, not the citations: citeproc-js's answers are kept
        assert (engine.starts, engine.requests) == (starts, requests)
        assert "Firstly." in output.read_text(encoding="utf-8")
        path.write_text(path.read_text(encoding="utf-8").replace("[@smith, 35]", "[@smith, 36]"), encoding="utf-8")
        assert builds.wait_for(3).code == 0
        assert (engine.starts, engine.requests) == (starts, requests + 2)  # the same Node: notes, then the bibliography
        assert "(Penguin, 2001), 33." in output.read_text(encoding="utf-8")
        assert "Smith, <i>The Making of Notes: A History</i>, 36." in output.read_text(encoding="utf-8")
        style = path.parent / "chicago-notes-bibliography.csl"  # the style edited: its notes end in "!"
        text = style.read_text(encoding="utf-8")
        layout = re.search(r'<citation\b.*?<layout[^>]*suffix="\."', text, re.S)
        assert layout
        style.write_text(text[: layout.end() - 2] + '!"' + text[layout.end():], encoding="utf-8")
        assert builds.wait_for(4).code == 0  # the CSL file is watched
        assert engine.starts == starts
    changed = output.read_text(encoding="utf-8")
    assert "(Penguin, 2001), 33!" in changed and "(Penguin, 2001), 33." not in changed


def test_a_kept_engine_gives_what_a_fresh_one_gives(tmp_path, monkeypatch):
    """A rebuild after the entries changed: nothing of the last build (items, names told apart,
    positions) may colour the next one."""
    path = scratch(tmp_path, "csl: chicago-notes-bibliography.csl")
    refs = tmp_path / "essay" / "refs.yaml"
    resolve(parse_essay_file(path), load_file(refs))  # the kept engine has seen the first version
    changed = REFERENCES.replace("Jane", "John").replace("The Making of Notes", "The Unmaking of Notes")
    refs.write_text(changed, encoding="utf-8")
    later = essay("csl: chicago-notes-bibliography.csl").replace("Later [@smithjohn, 3].", "Later [@smith, 3].")
    path.write_text(later, encoding="utf-8")
    warm = resolve(parse_essay_file(path), load_file(refs))
    fresh = csl.Engine()
    monkeypatch.setattr(csl, "_engine", fresh)  # a second, new Node process: a cold build's engine
    cold = resolve(parse_essay_file(path), load_file(refs))
    fresh.close()
    assert fresh.starts == 1
    assert [n.sources[0].runs for n in warm.notes] == [n.sources[0].runs for n in cold.notes]
    assert warm.references == cold.references
    assert any("Unmaking" in r.text for n in warm.notes for r in n.sources[0].runs)


# --- check ---------------------------------------------------------------------------------------------


def test_check_leaves_a_csl_style_its_fields(project):
    """What a CSL style prints is the style file's to decide: check reports no unprinted field for it
    (the built-in Chicago, given the same entry, reports its abstract)."""
    with_abstract = REFERENCES.replace("  publisher: Penguin\n", "  publisher: Penguin\n  abstract: A summary.\n")
    project.write("citations/refs.yaml", with_abstract)
    shutil.copy(CHICAGO, project / "essay" / CHICAGO.name)
    project.write("essay/x.md", "---\ntitle: Notes\nlang: en\nstyle: chicago\n---\n\nText [@smith].\n")
    assert "'abstract' of 'smith' is not printed" in run_cli(["check"], project).err
    project.write("essay/x.md", f"---\ntitle: Notes\nlang: en\ncsl: {CHICAGO.name}\n---\n\nText [@smith].\n")
    result = run_cli(["check"], project)
    assert result.code == 0 and "[bib.unprinted-field]" not in result.err


# --- from citeproc-js's HTML --------------------------------------------------------------------------


def test_citeprocs_html_becomes_runs_and_nothing_else():
    runs = csl.html_runs('<i>Title <span style="font-style:normal;">Roman</span></i>, <b>b</b>'
                         '<span style="font-variant:small-caps;">sc</span><sup>2</sup> '
                         '<a href="javascript:alert(1)">x</a> <a href="https://doi.org/10.1/x">doi</a>'
                         ' &#60;script&#62; <script>y</script>')
    assert runs == (
        csl.Run("Title ", True), csl.Run("Roman, "), csl.Run("b", style="b"), csl.Run("sc", style="sc"),
        csl.Run("2", style="sup"), csl.Run(" x "), csl.Run("doi", url="https://doi.org/10.1/x"),
        csl.Run(" <script> y"),
    )


def test_a_citation_in_an_author_footnote_joins_its_sentence(tmp_path):
    """The footnote's sentence ends it: the style's full stop goes, also inside closing quotes."""
    path = scratch(tmp_path, "csl: chicago-notes-bibliography.csl")
    path.write_text("---\ntitle: Notes\nlang: en\ncsl: chicago-notes-bibliography.csl\nbibliography: refs.yaml\n---\n\n"
                    "One [@lee].^[As @lee says, and [@smith].]\n", encoding="utf-8")
    resolved = resolve(parse_essay_file(path), load_file(tmp_path / "essay" / "refs.yaml"))
    words = ["".join(getattr(node, "text", "") or "".join(run.text for run in node.runs) for node in block.children)
             for note in resolved.notes for block in note.blocks]
    assert words == ["As Lee, “On Ibid. & Its Kin” says, and Jane Smith, The Making of Notes: A History "
                     "(Penguin, 2001)."]


def test_entries_listed_but_not_cited_join_the_style_s_reference_list(tmp_path):
    path = scratch(tmp_path, "csl: chicago-notes-bibliography.csl")
    path.write_text(essay("csl: chicago-notes-bibliography.csl").replace("---\n\n", "nocite: '@grafton'\n---\n\n", 1)
                    .replace("[see @lee, 4-5; @grafton, chap. 2]", "[see @lee, 4-5]"), encoding="utf-8")
    resolved = resolve(parse_essay_file(path), load_file(tmp_path / "essay" / "refs.yaml"))
    listed = [entry.id for entry, _ in resolved.references]
    assert listed == ["hostile", "grafton", "lee", "smithjane", "smith", "smithjohn"]  # the style's order: by author
    assert "Grafton, Anthony. “Footnotes in Print.”" in "".join(r.text for r in resolved.references[1][1])


def test_without_citeproc_js_installed_the_build_says_how_to_install_it(tmp_path, monkeypatch):
    path = scratch(tmp_path, "csl: chicago-notes-bibliography.csl")
    elsewhere = tmp_path / "no-node-modules" / "citeproc_bridge.js"  # a copy with no node_modules above it
    elsewhere.parent.mkdir()
    shutil.copy(csl.BRIDGE, elsewhere)
    monkeypatch.setattr(csl, "BRIDGE", elsewhere)
    monkeypatch.setattr(csl, "_engine", csl.Engine())
    result = run_cli(["--target", "blog", "--essay", str(path.relative_to(tmp_path))], tmp_path)
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.splitlines() == [
        "essay/x.md:4:6: error: CSL style 'chicago-notes-bibliography.csl': citeproc-js (npm 'citeproc') is not "
        "installed: run ./dev setup (npm ci) [style.no-citeproc]"]


def test_a_style_citeproc_js_cannot_use_is_an_error_that_says_what_it_said(tmp_path):
    scratch(tmp_path, "csl: odd.csl")
    (tmp_path / "essay" / "odd.csl").write_text(
        '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">\n'
        '<info><title>odd</title><id>odd</id><updated>2020-01-01T00:00:00+00:00</updated></info>\n'
        '<macro name="again"><text macro="again"/></macro>\n'
        '<citation><layout><text macro="again"/></layout></citation>\n</style>\n', encoding="utf-8")
    result = run_cli(["--target", "blog", "--essay", "essay/x.md"], tmp_path)
    assert result.code == 1 and "Traceback" not in result.err
    [line] = result.err.splitlines()
    assert line.startswith("essay/odd.csl:1:1: error: citeproc-js cannot use this style: ") and "infinite loop" in line
    assert line.endswith("[style.citeproc]")
