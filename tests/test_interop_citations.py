"""pandoc's own citation tests, read by our parser as pandoc 2.17 reads them.

tests/fixtures/pandoc_citations.json holds every case of the corpus's pandoc tests
(interop/pandoc-tests/cases) with each citation as pandoc 2.17 gives it: key, mode, prefix
(`pandoc -t json`), and the locator label, value and remaining suffix its citeproc splits off
(a probe style prints them). It was written once by scripts/pandoc_citation_fixtures.py, so these
tests need neither pandoc nor the corpus; where pandoc is installed, a second test asks it afresh
about forms the corpus lacks.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.interop_citations import CORPUS, build_case, differences, load_fixture, our_citations

FIXTURE = load_fixture()
PROBE = Path(__file__).parent / "fixtures" / "locator-probe.csl"

# Where we differ from pandoc 2.17 on purpose, or where the difference is not in our parser.
KNOWN = {
    # `-@key` outside brackets leaves out the author, as later pandoc reads it (and the case's
    # expected output, from pandoc 3, shows "and also in (1958)"); 2.17 reads "-" and the key in text.
    ("7219-1", "#0 @reese: mode 'SuppressAuthor', pandoc 'AuthorInText'"),
    # The probe's rendering drops the space before TeX math; pandoc's AST suffix has ", $…$" as we do.
    ("7321-1", "#0 @fenner2012a: rest ', $a^2+b^2=c^2$', pandoc ',$a^2+b^2=c^2$'"),
}
# Cases whose difference lies outside the citation parser (none now: inline notes `^[…]` are
# parsed, and their citations come with them).
NOT_OURS: dict[str, str] = {}


def test_the_fixture_covers_the_corpus():
    assert len(FIXTURE["cases"]) >= 114
    assert sum(len(c["citations"]) for c in FIXTURE["cases"].values()) >= 392
    assert FIXTURE["pandoc"].startswith("pandoc 2.17")
    if CORPUS.is_dir():  # written from the corpus as it is now
        for name, case in FIXTURE["cases"].items():
            assert (CORPUS / "cases" / name / "input.md").read_text(encoding="utf-8") == case["input"], name


@pytest.mark.parametrize("name", sorted(FIXTURE["cases"]))
def test_case_parses_as_pandoc_does(name, request):
    if name in NOT_OURS:
        request.applymarker(pytest.mark.xfail(reason=NOT_OURS[name], strict=True))
    case = FIXTURE["cases"][name]
    problems = [p for p in differences(case["citations"], our_citations(case["input"])) if (name, p) not in KNOWN]
    assert problems == []


def test_the_known_differences_are_still_there():
    """A known difference that went away must leave KNOWN, so the list says what is true."""
    for name, problem in KNOWN:
        case = FIXTURE["cases"][name]
        assert problem in differences(case["citations"], our_citations(case["input"]))


@pytest.mark.parametrize("name", sorted(FIXTURE["cases"]))
def test_case_builds_with_no_traceback_and_no_false_citation_error(name):
    """Each case as a draft (its references as the bibliography): blog, xhs and check end in exit 0
    or located errors. No citation is refused that pandoc reads, but a citation inside a link."""
    case = FIXTURE["cases"][name]
    built = build_case(name, case["input"], {c["key"] for c in case["citations"]}, ("blog", "xhs"))
    assert built.crashes == {}
    assert set(built.codes.values()) <= {0, 1}
    assert built.cite_errors == ({"cite.in-link"} if name == "7632-3" else set())  # `[@a](url)`: our rule


# --- asked of pandoc itself, where it is installed --------------------------------------------

SAMPLES = [
    "[see *this* @a, chaps. 2--3 and *passim*; -@b, VIII, 89]",
    "@a [p. 33; @b, pace Smith] and @a [§§ 4-5]",
    "[@a, {foo bar}] [@a, passim] [@a, pp. 33--35, 40] [@a, ¶¶ 3-4] [@a, secs. 1, 2]",
    "[@a, vols. 2-3] [@a, ll. 10-12] [@a, nn. 3-4] [@a, no. 3] [@a, fig. 2] [@a, bk. IV]",
    "[@a, b\\; c] [@a, see [x] y] [@a, `b;c` d] [@a **b;** c] [see; @a] [@a; b]",
    "@a:b:c and @{a:b} and @http://x.org/y and @a//b and [@a.] x@a y -@a",
    "@a [@b; @c, 4] and @a [-@b] and [ see @a ] and [@a, p. 3 [q]] and @a\n[p. 3]",
    "[@a, P. 3] [@a, Chap. 3] [@a, c. 3] [@a, issue 3] [@a, s.v. foo] [@a, 3(a), 4.4.8]",
]


def _pandoc(markdown: str, *args: str) -> dict:
    done = subprocess.run(["pandoc", "-f", "markdown", "-t", "json", *args], input=markdown,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed")
@pytest.mark.parametrize("sample", SAMPLES)
def test_pandoc_agrees_on_more_forms(sample, tmp_path):
    from scripts.pandoc_citation_fixtures import canonical, cites, probe_items

    version = subprocess.run(["pandoc", "--version"], capture_output=True, text=True, check=True).stdout
    if not re.match(r"pandoc 2\.17", version):
        pytest.skip("another pandoc than 2.17")
    plain = cites(_pandoc(sample)["blocks"])
    keys = sorted({c["citationId"] for cite in plain for c in cite["c"][0]})
    bib = tmp_path / "bib.json"
    bib.write_text(json.dumps([{"id": key, "type": "book", "title": "T"} for key in keys]), encoding="utf-8")
    probed = cites(_pandoc(sample, "--citeproc", "--csl", str(PROBE), "-M", "lang=en-US", "--bibliography", str(bib))["blocks"])
    expected = []
    for number, cite in enumerate(plain):
        rendered = probe_items(canonical(probed[number]["c"][1]))
        for position, citation in enumerate(cite["c"][0]):
            label, value, rest = rendered[position]  # type: ignore[misc]
            expected.append({"cite": number, "key": citation["citationId"], "mode": citation["citationMode"]["t"],
                             "prefix": canonical(citation["citationPrefix"]), "label": label, "locator": value, "rest": rest})
    # `-@a` out of brackets: the one place we read as later pandoc does (see KNOWN).
    problems = [p for p in differences(expected, our_citations(sample))
                if not (" -@a" in sample and p.endswith("mode 'SuppressAuthor', pandoc 'AuthorInText'"))]
    assert problems == []
