"""Xiaohongshu cards: the essay as 1080×1440 PNG cards, made by real WeasyPrint and poppler, read back.

The real essay's cards are made once (in-process, as the target makes them) and read back three
ways: the PNGs themselves (size, bytes, metadata, pixels), the intermediate PDF's pages as poppler
reads their text, and the intermediate card markup (where a paragraph was split).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, copy_real_project, run_cli

from footnoted.bibliography import citation_files, load_bibliography
from footnoted.cards import render_cards
from footnoted.cards.png import size, text_chunks
from footnoted.disclosure import ai_disclosure
from footnoted.parse import parse_essay, parse_essay_file
from footnoted.render_xhs import title_count, utf16_units
from footnoted.resolve import resolve
from footnoted.styles.common import short_author
from footnoted.targets import RenderOptions
from footnoted.tree import Paragraph, plain_text, shown

sys.path.insert(0, str(ROOT / "bench"))
from synthetic import dense_book  # noqa: E402

SENTENCE_END = re.compile(r"[。！？.!?…][”’」』）)\"]*\s*\Z")


def squeezed(text: str) -> str:
    """Text without any whitespace: pdftotext breaks lines where the card does, and spaces beside
    Chinese are quarter-em spaces in the cards."""
    return re.sub(r"[\s\u2005\u200a\u200b\xad]+", "", text).replace("ﬁ", "fi").replace("ﬂ", "fl")


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "cards.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return text.decode("utf-8").split("\f")[:-1]


@pytest.fixture(scope="module")
def essay():
    files, _ = citation_files([ROOT / "citations"])
    essay = parse_essay_file(ROOT / "essay" / "model-collapse.md")
    return resolve(essay, load_bibliography(files))


@pytest.fixture(scope="module")
def made(essay):
    return render_cards(essay, RenderOptions())


@pytest.fixture(scope="module")
def pages(made, tmp_path_factory):
    return pdf_pages(made.pdfs[0], tmp_path_factory.mktemp("cards"))


def test_every_card_is_a_1080_by_1440_png_and_a_rebuild_gives_the_same_bytes(essay, made):
    from PIL import Image

    note = made.notes[0]
    assert 3 <= len(note.pngs) <= 18
    for png in note.pngs:
        assert size(png) == (1080, 1440)
        with Image.open(__import__("io").BytesIO(png)) as image:
            image.load()  # a whole, readable PNG, not only a right header
            assert image.size == (1080, 1440)
    again = render_cards(essay, RenderOptions())
    assert again.notes[0].pngs == note.pngs


def test_the_cover_holds_the_title_and_each_card_its_number(essay, made, pages):
    count = len(made.notes[0].pngs)
    assert len(pages) == count
    assert squeezed(essay.front.title) in squeezed(pages[0])
    assert squeezed(essay.front.subtitle) in squeezed(pages[0])
    for index, page in enumerate(pages, 1):
        assert f"{index}/{count}" in page


def test_the_cards_hold_every_paragraph_in_order(essay, made, pages):
    """Every paragraph the Xiaohongshu text shows, sentence by sentence, read back from the cards'
    pages in order (digits aside: a note's call number stands among the words)."""
    from footnoted.render_xhs import _sentence_pieces

    def words(text: str) -> str:
        return re.sub(r"\d", "", squeezed(text))

    text = words("".join(pages[1:]))
    paragraphs = [b for b in shown(essay.blocks, "xhs") if isinstance(b, Paragraph)]
    paragraphs += [b for d in shown(essay.blocks, "xhs") if d.kind == "div" for b in d.children if isinstance(b, Paragraph)]
    paragraphs.sort(key=lambda b: b.line)
    assert len(paragraphs) >= 19
    position = 0
    for paragraph in paragraphs:
        for sentence in _sentence_pieces(plain_text(paragraph.children)):
            found = text.find(words(sentence), position)
            assert found >= 0, f"not on the cards, in order: line {paragraph.line}: {sentence[:40]}"
            position = found


def test_each_citation_has_its_short_source_at_the_foot_of_the_card_of_its_call(essay, made, pages):
    cards = made.notes[0].cards
    checked = 0
    for card, page in zip(cards, pages, strict=True):
        calls = [int(n) for n in re.findall(r'<sup class="call">(\d+)</sup>', card.body)]
        foot = dict(card.foot)
        for number in calls:
            assert number in foot, f"note {number} called on a card without its source"
            # The foot as read from the page: the number, then the first author and the year.
            note = next(n for n in _xhs_notes(essay) if n.number == number)
            for source in note.sources:
                name = short_author(source.entry, True).removesuffix(" 等")
                assert re.search(rf"\n{number}\s*{re.escape(name)}[^\n]*{source.entry.year}", page), (number, page[-300:])
                checked += 1
    assert checked == sum(1 for n in _xhs_notes(essay) if n.is_citation) >= 9  # every call, each once


def _xhs_notes(essay):
    from footnoted.numbering import number_notes

    return number_notes(essay, "xhs", link_notes=False).notes


def test_no_card_ends_inside_a_sentence(made):
    """Where a paragraph or a passage goes on to the next card (which opens it as a continuation),
    the card before ends at a sentence's end."""
    cards = [card for card in made.notes[0].cards if card.kind == "text"]
    splits = 0
    for before, after in zip(cards, cards[1:]):
        last, first = before.atoms[-1], after.atoms[0]
        if last.path and first.path and last.path[-1].key == first.path[-1].key:  # one block on both cards
            splits += 1
            assert SENTENCE_END.search(last.text), last.text[-40:]
            assert re.match(r'<(?:p|figure|blockquote|ol|ul|li)[^>]* class="[^"]*cont', after.body)
    assert splits >= 2  # the essay has long paragraphs and passages: some do go on


def test_the_sources_card_lists_every_cited_source(essay, made, pages):
    last = squeezed(pages[-1])
    assert last.startswith("人类数据耗尽之后") and "出处" in last
    cited = {source.entry.id: source.entry for note in _xhs_notes(essay) for source in note.sources}
    assert len(cited) == 8
    for entry in cited.values():
        # pdftotext joins a word broken at its hyphen at a line's end ("High-Performance"): compare without hyphens
        # and '#494' reads 'No. 494', as in the text series (a '#' there would start a topic)
        title = re.sub(r"#(?=\d)", "No. ", entry.title)
        assert squeezed(title).replace("-", "")[:40] in last.replace("-", ""), entry.id
        assert entry.year in last
        if entry.doi:
            assert squeezed(entry.doi) in last


def test_the_ai_label_is_on_the_cards_with_ai_text_and_in_their_metadata(essay, made, pages):
    disclosure = ai_disclosure(essay.essay)  # the essay has one block drafted by AI, reviewed
    assert disclosure
    labelled = 0
    for card, page, png in zip(made.notes[0].cards, pages, made.notes[0].pngs, strict=True):
        llm = any(atom.llm for atom in card.atoms)
        metadata = text_chunks(png)
        assert ("AIGC" in metadata) == llm
        assert (squeezed(disclosure) in squeezed(page)) == llm
        if llm:
            labelled += 1
            assert metadata["AIGC"].startswith('{"Label":"1"')
            assert metadata["AIDisclosure"] == disclosure
        assert set(metadata) <= {"Software", "AIGC", "AIDisclosure"}  # no time, no resolution: same bytes
    assert labelled == 1


def test_note_text_has_a_title_within_20_and_a_body_within_1000(essay, made):
    text = made.notes[0].text
    title, blank, body = text.split("\n", 2)
    assert blank == "" and title == essay.front.title
    assert title_count(title) <= 20
    assert utf16_units(body.strip()) <= 1000
    assert "全文见图" in body and ai_disclosure(essay.essay) in body
    assert body.rstrip().endswith("#AI #训练数据 #模型崩溃 #合成数据 #Agent")


# --- through the command line ---------------------------------------------------------------


def test_the_build_writes_the_cards_in_the_parts_folder_and_no_cards_turns_them_off(tmp_path):
    project = copy_real_project(tmp_path)
    result = run_cli(["--target", "xhs"], project)
    assert result.code == 0, result.err
    folder = project / "build" / "model-collapse.xhs"
    cards = sorted(p.name for p in (folder / "cards").iterdir())
    assert cards == [f"{i:02d}.png" for i in range(1, len(cards) + 1)]
    assert (folder / "note.txt").read_text(encoding="utf-8").startswith("人类数据耗尽之后")
    assert sorted(p.name for p in folder.glob("**/*.png")) == cards  # no other PNG
    assert re.search(r"xhs: .*; \d+ cards, ", result.out)
    first = (folder / "cards" / "02.png").read_bytes()

    result = run_cli(["--target", "xhs", "--xhs-cards", "no"], project)
    assert result.code == 0, result.err
    assert not (folder / "cards").exists() and not (folder / "note.txt").exists()  # the folder is this build's
    assert (folder / "01.txt").exists()
    assert run_cli(["--target", "xhs"], project).code == 0
    assert (folder / "cards" / "02.png").read_bytes() == first


def test_without_cards_the_xhs_target_never_imports_weasyprint(tmp_path):
    project = copy_real_project(tmp_path)
    code = ("import sys; from footnoted.cli import main; "
            "code = main(['--target', 'xhs', '--xhs-cards', 'no']); print(code, 'weasyprint' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.stdout.split()[-2:] == ["0", "False"]


# --- drafts made for the case ------------------------------------------------------------------


def cards_of(tmp_path: Path, draft: str, bib: str = "references: []\n", **options):
    (tmp_path / "refs.yaml").write_text(bib, encoding="utf-8")
    essay = parse_essay("essay/x.md", draft.encode("utf-8"), tmp_path)
    return render_cards(resolve(essay, load_bibliography([tmp_path / "refs.yaml"])), RenderOptions(**options))


def test_a_sentence_longer_than_a_card_is_split_at_its_clauses_with_a_warning(tmp_path):
    clause = "这是一个很长的分句，其中有许多字在一起组成没有句号的话"
    made = cards_of(tmp_path, "---\ntitle: 长句\n---\n\n" + "，".join([clause] * 40) + "。\n")
    assert [d.code for d in made.diagnostics] == ["xhs.card-sentence-split"]
    texts = made.notes[0].card_texts[1:]
    assert len(texts) >= 3
    for text in texts[:-1]:
        assert text.rstrip().endswith("，")  # each card ends at a clause mark
    assert squeezed("".join(texts)).count(squeezed(clause)) == 40


def test_a_heading_never_ends_a_card_and_the_accent_colour_is_the_front_matters(tmp_path):
    from PIL import Image

    paragraph = "这是正文的一句话，用来填满卡片。" * 12
    body = "\n\n".join(f"## 第 {i} 节\n\n{paragraph}" for i in range(1, 6))
    made = cards_of(tmp_path, f'---\ntitle: 标题\naccent: "#0a7d5a"\n---\n\n{body}\n')
    for card in made.notes[0].cards[1:]:
        assert card.atoms[-1].kind != "heading"
    with Image.open(__import__("io").BytesIO(made.notes[0].pngs[0])) as cover:
        colours = {colour for _, colour in cover.convert("RGB").getcolors(1 << 20)}
    assert (0x0A, 0x7D, 0x5A) in colours  # the cover's bar, in the accent colour


def test_a_hundred_note_essay_is_cut_at_headings_into_notes_of_at_most_18_cards(tmp_path):
    essay_text, bib = dense_book(100)
    made = cards_of(tmp_path, essay_text, bib)
    assert len(made.notes) >= 2
    for note in made.notes:
        assert len(note.pngs) <= 18
        title, _, body = note.text.split("\n", 2)
        assert title_count(title) <= 20 and utf16_units(body.strip()) <= 1000
    assert made.summary.startswith(f"{sum(len(n.pngs) for n in made.notes)} cards in {len(made.notes)} notes")
    assert re.search(r"; \d+ cards are more than a note holds \(18, --xhs-max-cards\): cut at headings into \d+ notes, "
                     r"each in its own folder \(note 2 (from '第 \d 章'|between cards)", made.summary)
    # Every note but the first opens at a heading where one could start it.
    assert [n.place for n in made.notes] == [f"note-{i}/" for i in range(1, len(made.notes) + 1)]


def test_past_the_cap_notes_begin_at_headings_even_without_sources(tmp_path):
    paragraph = "这是正文的一句话，用来填满卡片的篇幅。" * 20
    body = "\n\n".join(f"## 第 {i} 节\n\n{paragraph}\n\n{paragraph}" for i in range(1, 5))
    made = cards_of(tmp_path, f"---\ntitle: 分节\ntags: [测试]\n---\n\n{body}\n", xhs_max_cards=5)
    assert len(made.notes) >= 2
    starts = re.findall(r"note \d+ from '(第 \d 节)'", made.summary)
    assert starts and "between cards" not in made.summary and made.diagnostics == ()  # no warning: the cap is met
    for note, start in zip(made.notes[1:], starts, strict=True):
        assert len(note.pngs) <= 5
        assert note.cards[1].atoms[0].text == start  # the note's first text card opens at the heading
        title = note.text.split("\n", 1)[0]
        assert re.fullmatch(rf"分节 \d/{len(made.notes)}", title)
    assert not any(card.kind == "references" for note in made.notes for card in note.cards)  # nothing cited


def test_the_accent_key_takes_a_colour_and_warns_about_anything_else(tmp_path):
    good = parse_essay("essay/x.md", '---\ntitle: 标题\naccent: "#0A7D5A"\n---\n\n正文。\n'.encode(), tmp_path)
    assert good.front.accent == "#0A7D5A" and good.diagnostics == ()
    bad = parse_essay("essay/x.md", "---\ntitle: 标题\naccent: green; }\n---\n\n正文。\n".encode(), tmp_path)
    assert bad.front.accent == ""  # the cards keep their own: nothing of it reaches the stylesheet
    assert [str(d) for d in bad.diagnostics] == [
        "essay/x.md:3:9: warning: 'accent' must be a colour written '#rrggbb' or '#rgb', not 'green; }': "
        "the cards keep their own [frontmatter.accent]"]


def test_an_apostrophe_inside_a_latin_word_is_marked_in_chinese_text_not_in_an_english_passage(tmp_path):
    """`Meta’s` on a Chinese card: marked for the Latin face (the CJK face sets U+2019 full-width, as
    a Chinese quote); an English passage's `don’t` is left as it is, whole or cut into finer pieces."""
    from footnoted.cards.content import APOSTROPHE_MARKED, ContentBuilder, finer_atoms
    from footnoted.render_html import LATIN_APOSTROPHE

    bib = ("references:\n- id: a\n  type: speech\n  title: Talk\n  author: [{family: Doe, given: J}]\n  language: en\n"
           "  quotes:\n    q:\n      text: \"People don’t realize it’s synthetic, you know, they don’t.\"\n"
           "      translation: 人们没有意识到它是合成的。\n")
    (tmp_path / "refs.yaml").write_text(bib, encoding="utf-8")
    draft = "---\ntitle: Meta’s 模型\n---\n\nMeta’s LLaMA 和 *OpenAI’s* 模型，rock’n’roll 也是。\n\n[@a:q]\n"
    resolved = resolve(parse_essay("essay/x.md", draft.encode("utf-8"), tmp_path), load_bibliography([tmp_path / "refs.yaml"]))
    content = ContentBuilder(resolved, RenderOptions()).build()
    body = next(atom for atom in content.atoms if "LLaMA" in atom.text)
    assert body.html.count(APOSTROPHE_MARKED) == 4 and "Meta’s LLaMA" in body.text
    quoted = next(atom for atom in content.atoms if "don’t" in atom.text)
    assert APOSTROPHE_MARKED not in quoted.html and "don’t" in quoted.html
    finer_body, finer_quoted = finer_atoms(body), finer_atoms(quoted)
    assert len(finer_body) > 1 and len(finer_quoted) > 1
    assert [finer.html.count(APOSTROPHE_MARKED) for finer in finer_body] == [len(LATIN_APOSTROPHE.findall(f.text)) for f in finer_body]
    assert sum(finer.html.count(APOSTROPHE_MARKED) for finer in finer_quoted) == 0
    made = render_cards(resolved, RenderOptions())
    assert made.notes and len(made.notes[0].card_texts) >= 2
