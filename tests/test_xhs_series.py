"""The Xiaohongshu text series read as a series (#17): parts even in length, the title in the
first, the 参考 list never alone in a part where it can share one, no bracket inside a bracket.

The real essay is built through the CLI; generated essays (short, long, citation-heavy, with
footnotes that cite) are rendered in-process. Each test here fails on the renderer before #17.
"""

from __future__ import annotations

import re

import pytest
from conftest import BIB, copy_real_project, run_cli
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from footnoted.bibliography import load_bibliography
from footnoted.parse import parse_essay, parse_essay_file
from footnoted.render_xhs import render_xhs, title_count
from footnoted.resolve import resolve
from footnoted.targets import RenderOptions

LIMIT = 1000
TAGS = "#话题一 #话题二"


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def head(title: str = "测试", lang: str = "zh-CN") -> str:
    return f"---\ntitle: {title}\nlang: {lang}\ntags: [话题一, 话题二]\n---\n"


@pytest.fixture(scope="module")
def bibliography(tmp_path_factory):
    folder = tmp_path_factory.mktemp("series")
    (folder / "refs.yaml").write_text(BIB, encoding="utf-8")
    return folder, load_bibliography([folder / "refs.yaml"])


def parts_of(bibliography, draft: str, **options) -> list[str]:
    folder, loaded = bibliography
    essay = parse_essay("essay/x.md", draft.encode("utf-8"), folder)
    rendered = render_xhs(resolve(essay, loaded), RenderOptions(**options))
    return [data.decode("utf-8") for name, data in rendered.files if "/" in name]


def blocks(part: str) -> list[str]:
    """A part's own text: its blocks without the （i/N） header and the hashtag line."""
    found = part.rstrip("\n").split("\n\n")
    if re.fullmatch(r"[（(]\d+/\d+[）)]", found[0]):
        found = found[1:]
    return found[:-1] if found and found[-1].startswith("#") else found


def nested_brackets(text: str) -> list[str]:
    """Each place where a bracket opens inside a bracket, or two close with at most a stop between:
    （注：…（Lee, 2019）。）, ').).', '))'."""
    found, depth = [], 0
    for index, char in enumerate(text):
        if char == "\n":
            depth = 0
        elif char in "（(":
            depth += 1
            if depth > 1:
                found.append(text[max(0, index - 20) : index + 20])
        elif char in "）)":
            depth = max(0, depth - 1)
    return found + re.findall(r".{0,20}[)）][.。]?[)）]", text)


def assert_series(parts: list[str], title: str) -> None:
    """What every series holds to: the limit, the headers, the title opening the first part, and
    no part that could have been joined with the next (the fewest parts)."""
    total = len(parts)
    assert all(units(part) <= LIMIT for part in parts)
    assert not any(re.search(r"[\x00-\x08]", part) for part in parts)  # no mark of the renderer's left behind
    assert title_count(title) <= 20
    first = blocks(parts[0])
    assert first[0] == title, "the title opens the first part"
    assert not any(title in block for part in parts[1:] for block in blocks(part))
    if total > 1:
        for index, part in enumerate(parts, 1):
            assert re.match(rf"[（(]{index}/{total}[）)]\n\n", part)
        for index in range(total - 1):
            together = f"（{total}/{total}）\n\n" + "\n\n".join(blocks(parts[index]) + blocks(parts[index + 1]))
            together += f"\n\n{TAGS}\n" if parts[index].endswith(TAGS + "\n") else "\n"
            assert units(together) > LIMIT, f"parts {index + 1} and {index + 2} fit in one"


# --- the real essay -----------------------------------------------------------------------


@pytest.fixture(scope="module", params=["yes", "no"], ids=["with-originals", "translations-only"])
def essay(request, tmp_path_factory):
    root = copy_real_project(tmp_path_factory.mktemp("essay"))
    result = run_cli(["--target", "xhs", "--xhs-cards", "no", "--xhs-original", request.param], root)
    assert result.code == 0, result.err
    parts = [p.read_text(encoding="utf-8") for p in sorted((root / "build" / "model-collapse.xhs").iterdir())]
    front = parse_essay_file(root / "essay" / "model-collapse.md").front
    return parts, front


def test_the_real_essay_is_an_even_series_that_opens_with_its_title(essay):
    parts, front = essay
    # The essay is not short: no part under half the limit (its second part held 286).
    assert min(units(part) for part in parts) >= LIMIT / 2, [units(p) for p in parts]
    assert_series(parts, front.title)
    assert parts[0].startswith(f"（1/{len(parts)}）\n\n人类数据耗尽之后，AI 会停滞吗？\n\n你可能听过这样的说法")
    for part in parts:
        assert not nested_brackets(part)
    # Its 参考 list (925 characters) stands alone in the last part only because nothing can share
    # that part: the essay ends in a quoted passage that nearly fills one of its own.
    references = next(index for index, part in enumerate(parts) if "\n参考\n" in "\n" + part)
    assert references == len(parts) - 1
    if blocks(parts[-1])[0].startswith("参考\n"):
        last_block = blocks(parts[-2])[-1]
        assert units(parts[-1]) + units(last_block) + 2 > LIMIT


# --- generated essays ---------------------------------------------------------------------


def test_a_short_essay_is_one_part_that_opens_with_its_title(bibliography):
    [part] = parts_of(bibliography, head("短文") + "一段话[@lee2019]。\n")
    assert part == f"短文\n\n一段话（Lee, 2019）。\n\n参考\n1. Lee. The Book. Press, 2019\n\n{TAGS}\n"


SENTENCE = "这是一句不长不短的中文句子。"


def paragraphs_draft(sizes: list[int], headings: bool = False) -> str:
    """A paragraph of `size` sentences for each size; every fourth led by a heading if asked."""
    body = []
    for index, size in enumerate(sizes):
        if headings and index % 4 == 3:
            body.append(f"## 第 {index} 节")
        body.append(f"第 {index} 段。" + SENTENCE * size)
    return head() + "\n\n".join(body) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(1, 14), min_size=1, max_size=60), headings=st.booleans())
@example(sizes=[12] * 8, headings=False)  # eight paragraphs of ~180: the last part held one before
@example(sizes=[14] * 9 + [1], headings=True)
def test_a_long_essay_is_cut_into_the_fewest_parts_none_a_scrap(bibliography, sizes, headings):
    parts = parts_of(bibliography, paragraphs_draft(sizes, headings))
    assert_series(parts, "测试")
    expected = []
    for index, size in enumerate(sizes):
        expected += [f"【第 {index} 节】"] * (headings and index % 4 == 3) + [f"第 {index} 段。" + SENTENCE * size]
    assert [block for part in parts for block in blocks(part)] == ["测试", *expected]  # all of it, in order
    assert not any(blocks(part)[-1].startswith("【") for part in parts)  # a heading moves on with its paragraph
    # Paragraphs of at most ~200 characters leave room to even the parts out: when they average
    # well over half the limit, none is under half.
    if len(parts) > 1 and sum(units(p) for p in parts) / len(parts) >= 650:
        assert min(units(p) for p in parts) >= LIMIT / 2, [units(p) for p in parts]


def test_a_paragraph_longer_than_a_part_is_cut_into_even_pieces(bibliography):
    parts = parts_of(bibliography, head() + SENTENCE * 90 + "\n")  # 1260 characters
    assert len(parts) == 2
    first, second = (units(blocks(p)[-1]) for p in parts)
    assert abs(first - second) <= len(SENTENCE) + units("测试\n\n"), (first, second)
    assert all(blocks(p)[-1].endswith("。") for p in parts)


def test_the_reference_list_shares_a_part_with_the_text_where_it_can(bibliography):
    """Paragraphs that fill a last part to the brim: the list went alone into a part of its own."""
    draft = paragraphs_draft([13, 13, 13, 13, 11]).replace("第 4 段。", "第 4 段[@lee2019][@smith2020]。")
    parts = parts_of(bibliography, draft)
    assert_series(parts, "测试")
    assert blocks(parts[-1])[-1].startswith("参考\n1. Lee.")
    assert len(blocks(parts[-1])) > 1, "the 参考 list alone in a part"
    assert min(units(part) for part in parts) >= LIMIT / 2, [units(p) for p in parts]


# --- citations and footnotes: no bracket inside a bracket ----------------------------------


@pytest.mark.parametrize(("lang", "draft", "expected"), [
    ("en", "It holds[^a].\n\n[^a]: Text [@lee2019, p. 590].\n",
     "It holds (Note: Text — Lee, 2019, p. 590)."),
    ("en", "It holds.[^a] Next.\n\n[^a]: Text [@lee2019, p. 590].\n",
     "It holds. (Note: Text — Lee, 2019, p. 590.) Next."),
    ("en", "Then[^b] more.\n\n[^b]: As @lee2019 [p. 3] says, fine [@lee2019, chap. 2; @smith2020, p. 4] and so on.\n",
     "Then (Note: As Lee, 2019, p. 3, says, fine — Lee, 2019, chap. 2; Smith and Doe, Journal of Things 2020, p. 4 — "
     "and so on) more."),
    ("en", "Again[^a].\n\n[^a]: See [@lee2019, p. 590] for more.\n",
     "Again (Note: See Lee, 2019, p. 590, for more)."),
    ("en", "A claim (as argued [@lee2019, p. 3]) and [@lee2019][@smith2020, p. 3 (emphasis added)].\n",
     "A claim (as argued — Lee, 2019, p. 3) and "
     "(Lee, 2019; Smith and Doe, Journal of Things 2020, p. 3, emphasis added)."),
    ("zh-CN", "作者的补充[^a]写在这里。\n\n[^a]: 脚注里的引用会写进脚注本身[@lee2019, p. 7]。\n",
     "作者的补充（注：脚注里的引用会写进脚注本身——Lee, 2019, p. 7）写在这里。"),
    ("zh-CN", "正文^[行内注，见[see @lee2019, chap. 3; @smith2020, pp. 14-15]。]。\n",
     "正文（注：行内注，见 see Lee, 2019, 第 3 章；Smith 和 Doe, Journal of Things 2020, pp. 14-15）。"),
    ("en", "Models collapse (as [@smith2020; @lee2019] show; see [@lee2019, p. 2]).\n",
     "Models collapse (as Smith and Doe, Journal of Things 2020; Lee, 2019, show; see Lee, 2019, p. 2)."),
    ("zh-CN", "作者的补充[^a]写在这里。\n\n[^a]: 这一点（作者以为）很重要。\n",
     "作者的补充——注：这一点（作者以为）很重要——写在这里。"),
    ("en", "It holds[^a]. And (so[^b]) on.\n\n[^a]: This (really) matters.\n\n[^b]: A note.\n",
     "It holds — note: This (really) matters. And (so — note: A note) on."),
    ("zh-CN", "（作者的话[@lee2019, p. 5]）再说[@lee2019][@smith2020]。\n",
     "（作者的话——Lee, 2019, p. 5）再说（Lee, 2019；Smith 和 Doe, Journal of Things 2020）。"),
])
def test_a_citation_in_brackets_is_set_off_not_bracketed_again(bibliography, lang, draft, expected):
    [part] = parts_of(bibliography, head("T", lang) + draft)
    assert blocks(part)[1] == expected


CITATIONS = st.sampled_from([
    "[@lee2019]", "[@lee2019, p. 590]", "[see @lee2019, chap. 3; @smith2020, pp. 14-15]",
    "[@smith2020, p. 3 (略改)]", "@smith2020 [p. 12] 说", "[-@lee2019]", "[@smith2020:finding]",
    "[@lee2019][@smith2020]", "^[行内注[@lee2019, p. 590]。]", "^[见[@smith2020; @lee2019, chap. 2]]",
    "[^a]", "[^b]", "[^c]", "（如[@lee2019, p. 3]所述）", "(as [@smith2020; @lee2019] show)",
])
WORDS = st.sampled_from(["数据", "模型", "model", "AI", "人类", "the text", "（括注）", "说"])
SENTENCES = st.lists(st.one_of(WORDS, CITATIONS), min_size=1, max_size=6).map(
    lambda pieces: "".join(pieces) + "。")
NOTES = ("[^a]: 注（括注），见[@lee2019, p. 590]。\n\n[^b]: 如 @lee2019 [p. 3] 所说，参见[@smith2020; @lee2019, chap. 2]"
         "和[@smith2020, p. 4 (表 1)]。\n\n[^c]: Text [@lee2019, p. 590].\n")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs=st.lists(st.lists(SENTENCES, min_size=1, max_size=8).map("".join), min_size=1, max_size=8),
       lang=st.sampled_from(["zh-CN", "en"]), original=st.booleans())
@example(paragraphs=["正文[^a]。"], lang="zh-CN", original=True)
@example(paragraphs=["It holds[^c]."], lang="en", original=True)
def test_no_citation_or_footnote_makes_a_bracket_inside_a_bracket(bibliography, paragraphs, lang, original):
    draft = head("测试", lang) + "\n\n".join(paragraphs) + "\n\n" + NOTES
    parts = parts_of(bibliography, draft, xhs_original=original)
    assert_series(parts, "测试")
    for part in parts:
        assert not nested_brackets(part), part

