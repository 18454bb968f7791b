"""Property-based tests over generated drafts and bibliographies (hypothesis).

For any draft and bibliography the build either succeeds or reports diagnostics; it never
raises anything else. Every diagnostic is one well-formed line whose place exists in its
file. A page it writes parses, holds nothing that could run, and is the same bytes on every
run and under every PYTHONHASHSEED; the Xiaohongshu text has no markup in it.

Drafts are made of fragments that exercise the syntax (citations good and broken, links with
allowed and refused schemes, raw HTML, comments, footnotes, nesting) joined by text that may
hold any character, including ones that mean something to Markdown, YAML or HTML.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st
from test_hostile import audit_page

from footnoted.diagnostics import InputError
from footnoted.parse import parse_essay
from footnoted.yamlsafe import load_yaml

# derandomize and no example database: every run tries the same examples, here and in CI.
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- drafts --------------------------------------------------------------------------------------------
# A "good" draft is made of pieces that build, joined by text that may hold any character that
# is not markup; "anything" adds pieces that are errors and characters that are markup. Each
# example is good, or anything, and so is its bibliography: most examples get as far as a page.

WORDS = ["中文", "模型崩溃", "的", "数据", "English", "words", "AI", "2024", "，", "。", "、", "；", "：", "？", "！",
         "“", "”", "《书》", "(", ")", ",", ".", ";", "?", "'", '"', " ", "  ", "…", "——", "😀", "é", "\u200b",
         "ﬁ", "Ａ", "１", "\t"]
# Markup that builds: it must show as text (or as what the draft means by it), never run.
SAFE_MARKUP = ["<", ">", "&", "&amp;", "&#x3C;", "<b>", "</b>", "<script>alert(1)</script>",
               "<img src=x onerror=alert(1)>", "*", "_", "`", "#", "|", "~", "^", "{", "}", "$", "\u202e",
               "javascript:alert(1)", "data:text/html,x"]
RISKY_MARKUP = ["[", "]", "!", "@", "%", "%%", "<!--", "-->", ":::", "\\", ":"]
# Citations end with a space: "@smith2020" and a word after it would be another key.
GOOD_INLINE = [
    "[@smith2020] ", "[@smith2020, p. 3] ", "[@smith2020:finding] ", "@smith2020 ", "@smith2020 [p. 5] ",
    "[-@lee2019] ", "[see @smith2020, pp. 1–2; @lee2019, chap. 3] ", "[@lee2019, 第 7 页] ", "@{lee2019} ",
    "jane@example.com ", "\\@smith2020 ", "*强调*", "**粗体**", "~~删除~~", "_斜_", "`代码`", "`[@nope]`",
    "[链接](https://example.com)", "[doi](doi:10.1000/1)", "<https://example.com>", "[信](mailto:a@b.c)",
    "[^a]", "[^b]", "<!-- 注释 -->", "%% 注释 %%", "<b>粗</b>", '<span onclick="x">s</span>', "  \n", "\n",
]
BAD_INLINE = ["[@nope]", "[@]", "[@smith2020", "[@smith2020:]", "[坏](javascript:alert(1))", "[相对](x.html)",
              "[链接 [@smith2020]](https://example.com)", "[^nope]", "![图](https://example.com/a.png)", "@nope"]
# For the plain-text property: nothing in the draft is markup but what the syntax means.
PLAIN_INLINE = ["[@smith2020] ", "[@smith2020, p. 3] ", "[@smith2020:finding] ", "@smith2020 ", "[-@lee2019] ",
                " *强调* ", " **粗体** ", " `代码` ", "[链接](https://example.com)", "[^a]", "<!-- 注释 -->", "%% 注释 %%",
                "\n"]

CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"))  # any character but controls
GOOD_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="[]!@%:\\<>&*_`#|~^{}$-+=.")


def inline_text(kind: str) -> st.SearchStrategy[str]:
    if kind == "plain":  # (and no line indented into a code block, whose words are verbatim)
        pieces = st.one_of(st.sampled_from(WORDS), st.sampled_from(PLAIN_INLINE))
        return st.lists(pieces, min_size=1, max_size=12).map(lambda p: "\n".join(line.lstrip() for line in "".join(p).split("\n")))
    elif kind == "good":
        pieces = st.one_of(st.sampled_from(WORDS + SAFE_MARKUP), st.sampled_from(GOOD_INLINE),
                           st.text(GOOD_CHARACTERS, min_size=1, max_size=3))
    else:
        pieces = st.one_of(st.sampled_from(WORDS + SAFE_MARKUP + RISKY_MARKUP), st.sampled_from(GOOD_INLINE + BAD_INLINE),
                           st.text(min_size=1, max_size=3))
    return st.lists(pieces, min_size=1, max_size=12).map("".join)


def block(kind: str) -> st.SearchStrategy[str]:
    words = inline_text(kind)
    # Code is verbatim: in the plain-text property it may hold only words that are not markup.
    code = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map("".join) if kind == "plain" else words
    blocks = [
        words, words, words,
        st.builds(lambda level, t: "#" * level + " " + t, st.integers(1, 6), words),
        words.map(lambda t: "> " + t),
        st.just("> [@smith2020:finding]"),
        st.lists(words, min_size=1, max_size=3).map(lambda items: "\n".join("- " + i.replace("\n", " ") for i in items)),
        st.builds(lambda a, b: f"1. {a}\n   - {b}", words, words),
        code.map(lambda t: f"```\n{t}\n```"),
        st.builds(lambda a, b: f"| {a} | b |\n| --- | --- |\n| {b} | 2 |", words, words).map(lambda t: t.replace("\n\n", "\n")),
        words.map(lambda t: f'::: {{.content-hidden when-format="blog"}}\n{t}\n:::'),
        words.map(lambda t: f"::: {{.aside}}\n{t}\n:::"),
        st.sampled_from(["#llm-draft", "#llm-draft/reviewed", "#mine", "---", "***", "<!--\n多行\n注释\n-->"]),
        st.builds(lambda depth, t: "> " * depth + t, st.integers(1, 20), words),
    ]
    if kind != "plain":  # raw HTML is markup (and its words are not parsed: a citation there is text)
        blocks.append(words.map(lambda t: f"<div>\n{t}\n</div>"))
    if kind == "anything":
        blocks += [
            st.builds(lambda label, t: f"[^{label}]: {t}", st.sampled_from("ab"), words),
            st.builds(lambda depth, t: "> " * depth + t, st.integers(90, 120), words),
        ]
    return st.one_of(*blocks)


def front_matter(kind: str) -> st.SearchStrategy[dict]:
    text = st.text(GOOD_CHARACTERS if kind == "good" else CHARACTERS, min_size=1, max_size=10)
    if kind == "plain":
        return st.fixed_dictionaries({"title": st.sampled_from(["测试", "Essay"]), "lang": st.sampled_from(["zh-CN", "en"])})
    dates = ["2024-02-29", "2025-12-31"] + (["2024-13-01", "2024-1-1"] if kind == "anything" else [])
    styles = ["gb7714", "chicago"] + (["apa"] if kind == "anything" else [])
    return st.fixed_dictionaries(
        {"title": st.one_of(st.sampled_from(["测试", "Essay", "no", "00:23:57", "<script>x</script>"]), text.filter(str.strip))},
        optional={"lang": st.sampled_from(["zh-CN", "en", "zh", ""]), "typography": st.booleans(), "subtitle": text,
                  "date": st.sampled_from(dates), "style": st.sampled_from(styles), "description": text},
    )


@st.composite
def drafts(draw, kind: str) -> str:
    head = "---\n" + yaml.safe_dump(draw(front_matter(kind)), allow_unicode=True, sort_keys=True) + "---\n"
    if kind == "anything":
        head = draw(st.sampled_from([head] * 6 + [head[:-4], "---\ntitle: [broken\n---\n", ""]))
    body = draw(st.lists(block(kind), max_size=8))
    notes = "" if kind == "anything" else "\n\n[^a]: 注一。\n\n[^b]: 注二 [@lee2019]。"
    return head + "\n\n".join(body) + notes + draw(st.sampled_from(["\n", "", "\r\n"]))


# --- bibliographies ----------------------------------------------------------------------------------------

PLAIN_TEXT = st.lists(st.sampled_from([*WORDS, "Smith", "数据", "a", "1"]), max_size=6).map("".join)


def field_text(kind: str) -> st.SearchStrategy[str]:
    if kind == "plain":
        return PLAIN_TEXT
    return st.one_of(st.text(CHARACTERS, max_size=12), st.sampled_from(SAFE_MARKUP + RISKY_MARKUP + WORDS))


def names(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
    return st.one_of(
        st.fixed_dictionaries({"family": text, "given": text}),
        st.fixed_dictionaries({"literal": text}),
        st.fixed_dictionaries({"family": text}, optional={"non-dropping-particle": text}),
    )


def dates(kind: str) -> st.SearchStrategy[dict]:
    good = st.one_of(st.lists(st.integers(-500, 2100), min_size=1, max_size=1),
                     st.tuples(st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 28)).map(list))
    bad = st.tuples(st.integers(1900, 2100), st.integers(0, 13), st.integers(0, 32)).map(list)
    return st.one_of(good, bad) if kind == "anything" else good.map(lambda parts: {"date-parts": [parts]})


@st.composite
def passages(draw, kind: str) -> dict:
    text = draw(field_text(kind).filter(str.strip))
    passage: dict = {"text": text}
    if draw(st.booleans()):
        passage["emphasis"] = [text[: draw(st.integers(1, len(text)))]] if kind != "anything" else [draw(field_text(kind))]
    for key in ("page", "locator", "translation"):
        if draw(st.booleans()):
            passage[key] = draw(st.one_of(field_text(kind), st.integers(0, 999)))
    if draw(st.integers(0, 4)) == 0:
        passage["table"] = {"header": draw(st.lists(field_text(kind), max_size=3)),
                            "rows": draw(st.lists(st.lists(field_text(kind), max_size=3), max_size=3)),
                            "caption": draw(field_text(kind))}
    return passage


@st.composite
def entries(draw, key: str, kind: str) -> dict:
    text = field_text(kind)
    entry = {"id": key, "type": draw(st.sampled_from(["article-journal", "book", "chapter", "paper-conference",
                                                      "webpage", "interview", "report", "thesis", "software", "odd"])),
             "title": draw(st.one_of(text.filter(str.strip), st.just("标题")))}
    for field_name in ("container-title", "publisher", "volume", "issue", "page", "number", "language"):
        if draw(st.booleans()):
            entry[field_name] = draw(st.one_of(text, st.integers(0, 99999), st.sampled_from(["no", "2302.13971", "zh"])))
    if draw(st.booleans()):
        entry["author"] = draw(st.lists(names(text), min_size=1, max_size=5))
        entry["others"] = draw(st.booleans())
    if draw(st.booleans()):
        entry["issued"] = draw(dates(kind))
    good_doi, good_url = ["10.1000/xyz", "https://doi.org/10.1000/abc"], ["https://example.com/a"]
    if kind != "plain":  # a DOI or URL holding markup: valid, and must stay inert
        good_doi, good_url = [*good_doi, "10.1234/<b>\"x\""], [*good_url, "https://example.com/a?b=c&d='e'"]
    bad = ["not a doi", "javascript:alert(1)", "https://example.com/<x>"] if kind == "anything" else []
    if draw(st.booleans()):
        entry["DOI"] = draw(st.sampled_from(good_doi + bad))
    if draw(st.booleans()):
        entry["URL"] = draw(st.sampled_from(good_url + bad))
    quotes = {"finding": draw(passages(kind))} if key == "smith2020" else {}
    if draw(st.booleans()):
        quotes[draw(st.sampled_from(["q", "其他"] + (["a:b", ""] if kind == "anything" else [])))] = draw(passages(kind))
    if quotes:
        entry["quotes"] = quotes
    if kind == "anything" and draw(st.integers(0, 5)) == 0:
        entry[draw(st.sampled_from(["title", "author", "issued", "quotes", "page", "others"]))] = draw(
            st.sampled_from([[1, 2], {"a": 1}, True, None, "x", ""]))
    return entry


@st.composite
def bibliographies(draw, kind: str) -> str:
    keys = ["smith2020", "lee2019", *draw(st.lists(st.sampled_from(["x1", "x2", "x3"]), max_size=2, unique=True))]
    text = yaml.safe_dump({"references": [draw(entries(key, kind)) for key in keys]}, allow_unicode=True, sort_keys=False)
    if kind == "anything" and draw(st.booleans()):  # not valid YAML, or not a bibliography at all
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["[", ": :", "\t", "&a x\n*a", "!!python/object:os.system x", "- "])) + text[cut:]
    return text


KINDS = st.sampled_from(["good", "good", "anything"])


# --- known crashes in parts we do not own ------------------------------------------------------------
# Each has a corpus case (strict xfail) and a probe that reproduces it. An example that meets
# one is skipped only while its probe still crashes: fixed, the probe says so, and any such
# crash fails again. Anything else that raises fails the property.


def _english_notes_crash() -> bool:
    from footnoted.resolve import calls_after_punctuation
    from footnoted.tree import NoteRef, Text

    try:
        calls_after_punctuation((Text("a"), NoteRef(1, True), Text(""), NoteRef(2, True)))
    except IndexError:
        return True
    return False


def _xhs_empty_quote_crash() -> bool:
    from footnoted.bibliography import Bibliography
    from footnoted.render_xhs import render_xhs
    from footnoted.resolve import resolve
    from footnoted.targets import RenderOptions

    essay = parse_essay("x.md", b"---\ntitle: t\n---\n>\n", Path())
    try:
        render_xhs(resolve(essay, Bibliography({})), RenderOptions())
    except IndexError:
        return True
    return False


KNOWN_CRASHES = {  # (file, function) where it raises: its probe (corpus cases en-note-after-note, xhs-empty-quote)
    ("resolve.py", "calls_after_punctuation"): _english_notes_crash,
    ("render_xhs.py", "block_units"): _xhs_empty_quote_crash,
}


def is_known_crash(exc: BaseException) -> bool:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    probe = KNOWN_CRASHES.get((Path(where.filename).name, where.name))
    return isinstance(exc, IndexError) and probe is not None and probe()


# --- building them -----------------------------------------------------------------------------------

DIAGNOSTIC = re.compile(r"(?P<path>essay/x\.md|citations/refs\.yaml)(?::(?P<line>\d+):(?P<col>\d+))?: "
                        r"(?P<severity>error|warning): .+ \[[a-z-]+\.[a-z-]+\]\Z")


def build(draft: str, bib: str, target: str = "blog") -> tuple[int, str, dict[str, bytes]]:
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "essay").mkdir()
        (project / "citations").mkdir()
        (project / "essay" / "x.md").write_text(draft, encoding="utf-8", newline="")
        (project / "citations" / "refs.yaml").write_text(bib, encoding="utf-8", newline="")
        try:
            # The xhs properties are the text series': the cards take WeasyPrint seconds a draft (test_cards).
            result = run_cli(["--target", target, *(["--xhs-cards", "no"] if target == "xhs" else [])], project)
        except IndexError as exc:
            if not is_known_crash(exc):
                raise
            reject()  # a known crash (above): not this property's finding
        outputs = {str(p.relative_to(project / "build")): p.read_bytes()
                   for p in sorted((project / "build").rglob("*")) if p.is_file()} if (project / "build").exists() else {}
    return result.code, result.err, outputs


def check_diagnostics(code: int, err: str, files: dict[str, str]) -> None:
    """Each line a diagnostic whose place exists in its file; an error exactly when the exit is 1."""
    lines = err.splitlines()
    severities = []
    for line in lines:
        match = DIAGNOSTIC.match(line)
        assert match, f"not a diagnostic: {line!r}"
        severities.append(match["severity"])
        if match["line"]:
            text_lines = files[match["path"]].replace("\r\n", "\n").replace("\r", "\n").split("\n")
            number, col = int(match["line"]), int(match["col"])
            assert 1 <= number <= len(text_lines) + 1, line
            if number <= len(text_lines):
                assert 1 <= col <= len(text_lines[number - 1].removeprefix("\ufeff")) + 1, line
    assert code == (1 if "error" in severities else 0), (code, err)


@SETTINGS
@given(st.data(), KINDS, KINDS)
def test_any_draft_builds_or_reports(data, draft_kind, bib_kind):
    draft, bib = data.draw(drafts(draft_kind), "draft"), data.draw(bibliographies(bib_kind), "bib")
    code, err, outputs = build(draft, bib)
    event(f"exit {code} ({draft_kind} draft, {bib_kind} bibliography)")
    check_diagnostics(code, err, {"essay/x.md": draft, "citations/refs.yaml": bib})
    if code == 1:
        if any(line.startswith("essay/x.md") and ": error: " in line for line in err.splitlines()):
            assert outputs == {}, "an error in the essay (or in an entry it cites) writes nothing"
        if not outputs:
            return
        # Only entries the essay does not cite are broken: it is built, and the page is as sound as any.
    assert list(outputs) == ["x.html"]
    audit = audit_page(outputs["x.html"].decode("utf-8"))
    assert audit.problems == []
    assert audit.count("script") == 1
    assert build(draft, bib) == (code, err, outputs), "the same inputs give the same bytes"


@SETTINGS
@given(st.data(), KINDS, KINDS)
def test_any_draft_makes_xiaohongshu_text_or_reports(data, draft_kind, bib_kind):
    draft, bib = data.draw(drafts(draft_kind), "draft"), data.draw(bibliographies(bib_kind), "bib")
    code, err, outputs = build(draft, bib, target="xhs")
    event(f"exit {code} ({draft_kind} draft, {bib_kind} bibliography)")
    check_diagnostics(code, err, {"essay/x.md": draft, "citations/refs.yaml": bib})
    if code == 0:
        assert "x.xhs.txt" in outputs
        assert all(content.decode("utf-8") for content in outputs.values())


@SETTINGS
@given(drafts("plain"), bibliographies("plain"))
def test_xiaohongshu_text_has_no_markup(draft, bib):
    code, err, outputs = build(draft, bib, target="xhs")
    event(f"exit {code}")
    check_diagnostics(code, err, {"essay/x.md": draft, "citations/refs.yaml": bib})
    if code == 1:
        return
    # No character of the draft or the bibliography is markup here ("plain"), so any in the text is ours.
    text = "".join(data.decode("utf-8") for data in outputs.values())
    assert re.findall(r"<[a-zA-Z/!][^>]*>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);|\*\*|`|\[@|\[\^|%%|<!--|:::", text) == []


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(["> ", "- ", "1. ", "* ", ">", "-  ", "::: {.a}\n"]), max_size=150), st.booleans())
def test_deep_nesting_is_rendered_or_named(prefixes, close_divs):
    # markdown-it drops content past its nesting limit without a word: it must show, or be named.
    nesting = "".join(prefixes)
    closing = "\n:::" * nesting.count(":::") if close_divs else ""
    draft = "---\ntitle: t\n---\n正文[@smith2020:finding]，[@lee2019]。\n\n" + nesting + "最深处的字" + closing + "\n"
    code, err, outputs = build(draft, (ROOT / "tests" / "corpus" / "refs.yaml").read_text(encoding="utf-8") + LEE)
    event(f"exit {code}")
    if code == 0:
        assert "最深处的字" in outputs["x.html"].decode("utf-8")
    else:
        assert ("[markdown.too-deep]" in err) or ("[div.unclosed]" in err), err


LEE = "- id: lee2019\n  type: book\n  title: The Book\n  issued: {date-parts: [[2019]]}\n"


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from([*"-:[]{}&*!|>'\"%@`#,?\n\t ab1.~\\", "<<", "---", "...", "\ufeff", "\uffff", "\x85", "é",
                                  "  ", "- ", ": ", "!!int ", "&a ", "*a", "? "]), max_size=40).map("".join))
def test_any_yaml_loads_or_reports(text):
    try:
        load_yaml(text, "refs.yaml")
    except InputError as exc:
        assert exc.diagnostics and all("\n" not in str(d) for d in exc.diagnostics)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=80).map(lambda b: b"---\ntitle: t\n---\n" + b))
def test_any_bytes_parse_or_report(data):
    try:
        parse_essay("x.md", data, Path())
    except InputError as exc:
        assert exc.diagnostics


# --- determinism across processes and hash seeds ------------------------------------------------------


def sample_drafts(count: int, seed: int) -> list[str]:
    """Drafts made of the same pieces as above, by a seeded random choice (the same in any process)."""
    rng = random.Random(seed)
    pieces = WORDS + SAFE_MARKUP + GOOD_INLINE
    blocks = ["{t}", "# {t}", "> {t}", "> [@smith2020:finding]", "- {t}\n- {t}", "```\n{t}\n```", "[^a]: {t}",
              "| {t} | b |\n| --- | --- |\n| c | d |", '::: {{.content-hidden when-format="xhs"}}\n{t}\n:::', "#llm-draft"]
    result = []
    for _ in range(count):
        body = []
        for _ in range(rng.randint(1, 10)):
            words = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))).replace("\n", " ")
            body.append(rng.choice(blocks).format(t=words))
        lang = rng.choice(["zh-CN", "en"])
        result.append(f"---\ntitle: 测试\nlang: {lang}\ntags: [AI, 数据]\n---\n" + "\n\n".join(body) + "\n[@smith2020]，[@lee2019]\n")
    return result


# The outputs as a reader of out/ meets them: through the parts folders' links, not their hidden versions.
BUILD_ALL = """\
import hashlib, os, sys
from pathlib import Path
from footnoted.cli import main
for target in ("blog", "xhs"):
    main(["--target", target, "--out", "out"])
paths = []
for folder, folders, files in os.walk("out", followlinks=True):
    folders[:] = [name for name in folders if not name.startswith(".")]
    paths += [Path(folder, name) for name in files]
for path in sorted(paths):
    print(path, hashlib.sha256(path.read_bytes()).hexdigest())
"""


# The English drafts here meet the resolve.py crash: until it is fixed, this test cannot get to the bytes.
@pytest.mark.xfail(KNOWN_CRASHES[("resolve.py", "calls_after_punctuation")](), reason="footnoted/resolve.py:95 IndexError")
def test_outputs_are_the_same_bytes_under_any_hash_seed(tmp_path):
    (tmp_path / "essay").mkdir()
    (tmp_path / "citations").mkdir()
    for index, draft in enumerate(sample_drafts(30, seed=7)):
        (tmp_path / "essay" / f"e{index:02d}.md").write_text(draft, encoding="utf-8")
    (tmp_path / "citations" / "refs.yaml").write_text(
        (ROOT / "tests" / "corpus" / "refs.yaml").read_text(encoding="utf-8") + LEE, encoding="utf-8")
    listings = []
    for seed in ("1", "31337"):
        for output in (tmp_path / "out").rglob("*") if (tmp_path / "out").exists() else ():
            if output.is_file():
                output.unlink()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
        child = subprocess.run([sys.executable, "-c", BUILD_ALL], cwd=tmp_path, env=env, capture_output=True, text=True,
                               timeout=300, check=False)
        assert "Traceback" not in child.stderr, child.stderr
        listings.append([line for line in child.stdout.splitlines() if line.startswith("out/")])
    assert len(listings[0]) >= 30, "most drafts build"
    assert listings[0] == listings[1]
