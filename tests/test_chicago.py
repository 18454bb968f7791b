"""Chicago notes-bibliography, conformance: one source of each kind in a full note, a short note and
the bibliography, the expected text written out from The Chicago Manual of Style's rules (18th
edition, the default; the 17th where it differs), with citeproc-js running the official CSL styles
as a second opinion (tests/fixtures/chicago/citeproc-*.json, made by scripts/chicago_citeproc.py).
Where we differ from the official CSL on purpose, `ON_PURPOSE` names the CMOS section that decides.

Section numbers are the 17th edition's (CMOS 17), unless marked CMOS 18."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from test_styles import notes_of

from footnoted.bibliography import load_bibliography
from footnoted.styles import Citation, CitationItem, note_style
from footnoted.styles.chicago import headline, inclusive_numbers, short_title
from footnoted.tree import Run

FIXTURES = Path(__file__).parent / "fixtures" / "chicago"
SOURCES = FIXTURES / "sources.json"
IDS = [item["id"] for item in json.loads(SOURCES.read_text(encoding="utf-8"))]


def html(runs: tuple[Run, ...]) -> str:
    return "".join(f"<i>{r.text}</i>" if r.italic else r.text for r in runs).replace("</i><i>", "")


def cite_all(style_name: str) -> tuple[list[str], list[tuple[str, str]]]:
    """As scripts/chicago_citeproc.py cites them: each source in full (page 10, 11, …), each again
    short (page 20, 21, …), the last once more right after its short note; and the bibliography."""
    entries = load_bibliography([SOURCES]).entries

    def item(key: str, page: int) -> CitationItem:  # a reference work's entry cited by its head word, s.v.
        entry = entries[key]
        return CitationItem(entry, "sub verbo", entry.title) if entry.type.startswith("entry") else \
            CitationItem(entry, "page", str(page))

    cited = [*((key, 10 + n) for n, key in enumerate(IDS)), *((key, 20 + n) for n, key in enumerate(IDS)), (IDS[-1], 99)]
    style = note_style(style_name, chinese=False)
    notes = style.notes([Citation((item(key, page),), n + 1) for n, (key, page) in enumerate(cited)])
    bibliography = [(entry.id, html(runs)) for entry, runs in style.bibliography(list(entries.values()))]
    return ["".join(html(runs) for runs in note) for note in notes], bibliography


# source: (full note, short note, bibliography entry), CMOS 18. Short titles: CMOS 17 §14.33 (18 §13.33), at most
# four key words of the main title, a phrase that stands alone, no initial article.
EXPECTED = {
    # a book: italic title, the facts of publication in parentheses; CMOS 18 leaves out the place
    "book": ("Zadie Smith, <i>Swing Time</i> (Penguin Press, 2016), 10.",
             "Z. Smith, <i>Swing Time</i>, 20.",  # §14.32: two other Smiths are cited: her initial
             "Smith, Zadie. <i>Swing Time</i>. Penguin Press, 2016."),
    "twoAuthors": ("Geoffrey C. Ward and Ken Burns, <i>The War: An Intimate History, 1941–1945</i> (Knopf, 2007), 11.",
                   "Ward and Burns, <i>War</i>, 21.",  # CMOS's own example
                   "Ward, Geoffrey C., and Ken Burns. <i>The War: An Intimate History, 1941–1945</i>. Knopf, 2007."),
    # three authors: CMOS 18 "et al." after the first in a note (17: from four)
    "threeAuthors": ("Andrej Karpathy et al., <i>The Unreasonable Effectiveness of Recurrent Neural Networks</i> "
                     "(Stanford University Press, 2015), 12.",
                     "Karpathy et al., <i>Unreasonable Effectiveness</i>, 22.",  # not "…of Recurrent Neural"
                     "Karpathy, Andrej, Justin Johnson, and Fei-Fei Li. <i>The Unreasonable Effectiveness of Recurrent "
                     "Neural Networks</i>. Stanford University Press, 2015."),
    # eight authors: CMOS 18 bibliography, seven or more: the first three, et al. (17: up to ten listed)
    "eightAuthors": ("A. Ann et al., <i>Cooperative Work</i> (Press, 2019), 13.",
                     "Ann et al., <i>Cooperative Work</i>, 23.",
                     "Ann, A., B. Bee, C. Cee, et al. <i>Cooperative Work</i>. Press, 2019."),
    "edited": ("Sara Ruddick and Pamela Daniels, eds., <i>Working It Out: 23 Women Writers, Artists, Scientists, and "
               "Scholars Talk about Their Lives and Work</i> (Pantheon Books, 1977), 14.",
               "Ruddick and Daniels, <i>Working It Out</i>, 24.",
               "Ruddick, Sara, and Pamela Daniels, eds. <i>Working It Out: 23 Women Writers, Artists, Scientists, and "
               "Scholars Talk about Their Lives and Work</i>. Pantheon Books, 1977."),
    "translated": ("Jhumpa Lahiri, <i>In Other Words</i>, trans. Ann Goldstein (Knopf, 2016), 15.",
                   "Lahiri, <i>In Other Words</i>, 25.",
                   "Lahiri, Jhumpa. <i>In Other Words</i>. Translated by Ann Goldstein. Knopf, 2016."),
    # a chapter: quoted, "in" the italic book, its editor, its publisher
    "chapter": ("Henry David Thoreau, “Walking,” in <i>The Making of the American Essay</i>, ed. John D’Agata "
                "(Graywolf Press, 2016), 16.",
                "Thoreau, “Walking,” 26.",
                "Thoreau, Henry David. “Walking.” In <i>The Making of the American Essay</i>, edited by John D’Agata. "
                "Graywolf Press, 2016."),
    # a journal: CMOS 18 gives the year alone beside volume and issue (17: the month too); pages §9.61
    "journal": ("Susan Satterfield, “Livy and the Pax Deum,” <i>Classical Philology</i> 111, no. 2 (2016): 17, "
                "https://doi.org/10.1086/685883.",
                "Satterfield, “Livy,” 27.",  # CMOS's own example
                "Satterfield, Susan. “Livy and the Pax Deum.” <i>Classical Philology</i> 111, no. 2 (2016): 165–76. "
                "https://doi.org/10.1086/685883."),
    "magazine": ("Rebecca Mead, “The Prophet of Dystopia,” <i>New Yorker</i>, April 17, 2017, 18.",
                 "Mead, “Prophet of Dystopia,” 28.",
                 "Mead, Rebecca. “The Prophet of Dystopia.” <i>New Yorker</i>, April 17, 2017."),
    # a newspaper's name in italics
    "newspaper": ("Farhad Manjoo, “Snap Makes a Bet on the Cultural Supremacy of the Camera,” <i>New York Times</i>, "
                  "March 8, 2017, 19, https://www.nytimes.com/2017/03/08/technology/"
                  "snap-makes-a-bet-on-the-cultural-supremacy-of-the-camera.html.",
                  "Manjoo, “Snap Makes a Bet,” 29.",  # CMOS's own example
                  "Manjoo, Farhad. “Snap Makes a Bet on the Cultural Supremacy of the Camera.” <i>New York Times</i>, "
                  "March 8, 2017. https://www.nytimes.com/2017/03/08/technology/"
                  "snap-makes-a-bet-on-the-cultural-supremacy-of-the-camera.html."),
    # a blog's name in italics
    "blog": ("Andrej Karpathy, “The Unreasonable Effectiveness of Recurrent Neural Networks,” <i>Andrej Karpathy "
             "Blog</i>, May 21, 2015, 20, https://karpathy.github.io/2015/05/21/rnn-effectiveness/.",
             "Karpathy, “Unreasonable Effectiveness,” 30.",
             "Karpathy, Andrej. “The Unreasonable Effectiveness of Recurrent Neural Networks.” <i>Andrej Karpathy "
             "Blog</i>, May 21, 2015. https://karpathy.github.io/2015/05/21/rnn-effectiveness/."),
    # a website's name in roman (CMOS 17, “Website titles”; the CSL too)
    "webpage": ("Google, “Privacy Policy,” Privacy & Terms, March 1, 2017, 21, https://www.google.com/policies/privacy/.",
                "Google, “Privacy Policy,” 31.",
                "Google. “Privacy Policy.” Privacy & Terms, March 1, 2017. https://www.google.com/policies/privacy/."),
    "thesis": ("Cynthia Lillian Rutz, “King Lear and Its Folktale Analogues” (PhD diss., University of Chicago, 2013), 22.",
               "Rutz, “King Lear,” 32.",  # CMOS's own example
               "Rutz, Cynthia Lillian. “King Lear and Its Folktale Analogues.” PhD diss., University of Chicago, 2013."),
    # a report: a whole work, italic, its number, the facts of publication in parentheses
    "report": ("Jane Doe, <i>Lunar Dust Hazards for Long-Duration Missions</i>, Technical report TP-2019-220 "
               "(NASA, 2019), 23.",
               "Doe, <i>Lunar Dust Hazards</i>, 33.",
               "Doe, Jane. <i>Lunar Dust Hazards for Long-Duration Missions</i>. Technical Report TP-2019-220. NASA, 2019."),
    # a standard: as a report; its main title ends at the dash
    "standard": ("International Organization for Standardization, <i>Information and Documentation — Guidelines for "
                 "Bibliographic References and Citations to Information Resources</i>, ISO 690:2021 (ISO, 2021), 24.",
                 "International Organization for Standardization, <i>Information and Documentation</i>, 34.",
                 "International Organization for Standardization. <i>Information and Documentation — Guidelines for "
                 "Bibliographic References and Citations to Information Resources</i>. ISO 690:2021. ISO, 2021."),
    # a paper in published proceedings: as a chapter
    "conference": ("Ashish Vaswani et al., “Attention Is All You Need,” in <i>Advances in Neural Information Processing "
                   "Systems 30</i> (Curran Associates, 2017), 25.",
                   "Vaswani et al., “Attention Is All You Need,” 35.",  # no phrase of it stands alone: the main title
                   "Vaswani, Ashish, Noam Shazeer, and Niki Parmar. “Attention Is All You Need.” In <i>Advances in Neural "
                   "Information Processing Systems 30</i>. Curran Associates, 2017."),
    # a preprint, its arXiv id once though the entry stores it as Zotero exports it ("arXiv:2302.13971")
    "preprint": ("Hugo Touvron and Thibaut Lavril, “LLaMA: Open and Efficient Foundation Language Models,” Preprint "
                 "arXiv:2302.13971 (arXiv, February 27, 2023), 26, https://doi.org/10.48550/arXiv.2302.13971.",
                 "Touvron and Lavril, “LLaMA,” 36.",  # the main title, never the subtitle
                 "Touvron, Hugo, and Thibaut Lavril. “LLaMA: Open and Efficient Foundation Language Models.” Preprint "
                 "arXiv:2302.13971. arXiv, February 27, 2023. https://doi.org/10.48550/arXiv.2302.13971."),
    # an unsigned entry of a reference work: cited by its head word (CMOS 18 §14.130–14.132)
    "encyclopedia": ("“Stanford University,” <i>Wikipedia</i>, March 1, 2017, under “Stanford University,” "
                     "https://en.wikipedia.org/wiki/Stanford_University.",
                     "<i>Wikipedia</i>, under “Stanford University.”",
                     "“Stanford University.” <i>Wikipedia</i>, March 1, 2017. "
                     "https://en.wikipedia.org/wiki/Stanford_University."),
    "question": ("Pablo Villalobos, “Position: Will We Run Out of Data? Limits of LLM Scaling Based on Human-Generated "
                 "Data,” in <i>Proceedings of the 41st International Conference on Machine Learning</i> (PMLR, 2024), 28.",
                 "Villalobos, “Will We Run Out of Data?,” 38.",  # a label is no main title; a question is kept whole
                 "Villalobos, Pablo. “Position: Will We Run Out of Data? Limits of LLM Scaling Based on Human-Generated "
                 "Data.” In <i>Proceedings of the 41st International Conference on Machine Learning</i>. PMLR, 2024."),
    # two books titled Notes on Style by two Smiths: their given names, as their initials are alike (§14.32)
    "janeSmith": ("Jane Smith, <i>Notes on Style</i> (Norton, 2001), 29.",
                  "Jane Smith, <i>Notes on Style</i>, 39.",
                  "Smith, Jane. <i>Notes on Style</i>. Norton, 2001."),
    "johnSmith": ("John Smith, <i>Notes on Style</i> (Knopf, 1999), 30.",
                  "John Smith, <i>Notes on Style</i>, 40.",
                  "Smith, John. <i>Notes on Style</i>. Knopf, 1999."),
}


@pytest.fixture(scope="module")
def chicago18() -> tuple[list[str], list[tuple[str, str]]]:
    return cite_all("chicago")


@pytest.mark.parametrize("key", IDS)
def test_full_note_short_note_and_bibliography_entry(chicago18, key):
    notes, bibliography = chicago18
    full, short, entry = EXPECTED[key]
    n = IDS.index(key)
    assert (notes[n], notes[n + len(IDS)], dict(bibliography)[key]) == (full, short, entry)


def test_the_bibliography_is_alphabetical_by_names_then_title():
    _, bibliography = cite_all("chicago-18")
    assert [key for key, _ in bibliography] == [
        "eightAuthors", "report", "webpage", "standard", "blog", "threeAuthors", "translated", "newspaper", "magazine",
        "edited", "thesis", "journal", "janeSmith", "johnSmith", "book", "encyclopedia", "chapter", "preprint",
        "conference", "question", "twoAuthors"]  # Karpathy alone before Karpathy with others; Smith: Jane, John, Zadie


# --- the 17th edition: what it sets differently (chicago-notes-bibliography-17th-edition.csl) ------------------

def test_the_17th_edition_keeps_the_place_the_month_and_up_to_three_names_in_a_note():
    notes, bibliography = cite_all("chicago-17")
    assert notes[IDS.index("book")] == "Zadie Smith, <i>Swing Time</i> (New York: Penguin Press, 2016), 10."
    assert notes[IDS.index("threeAuthors")] == (
        "Andrej Karpathy, Justin Johnson, and Fei-Fei Li, <i>The Unreasonable Effectiveness of Recurrent Neural "
        "Networks</i> (Stanford, CA: Stanford University Press, 2015), 12.")
    assert notes[IDS.index("threeAuthors") + len(IDS)] == "Karpathy, Johnson, and Li, <i>Unreasonable Effectiveness</i>, 22."
    assert notes[IDS.index("journal")].startswith("Susan Satterfield, “Livy and the Pax Deum,” <i>Classical Philology</i> "
                                                  "111, no. 2 (April 2016): 17")
    # the bibliography lists up to ten names; a chapter keeps its page range
    assert dict(bibliography)["eightAuthors"] == ("Ann, A., B. Bee, C. Cee, D. Dee, E. Eve, F. Eff, G. Gee, and H. Aitch. "
                                                  "<i>Cooperative Work</i>. Boston: Press, 2019.")
    assert dict(bibliography)["chapter"] == (
        "Thoreau, Henry David. “Walking.” In <i>The Making of the American Essay</i>, edited by John D’Agata, 167–95. "
        "Minneapolis: Graywolf Press, 2016.")


def test_a_note_on_the_source_of_the_note_before_names_the_author_alone_in_the_17th_edition_only():
    """CMOS 17 §14.34: where "ibid." would stand, the author's name and the page; CMOS 18's CSL
    repeats the short note."""
    assert cite_all("chicago-17")[0][-1] == "John Smith, 99."
    assert cite_all("chicago-18")[0][-1] == "John Smith, <i>Notes on Style</i>, 99."


def test_eleven_names_in_the_bibliography_are_seven_and_et_al_in_the_17th_edition_three_in_the_18th(project):
    names = [{"family": f"Name{n}", "given": "A."} for n in range(11)]
    project.write("citations/refs.json", json.dumps([{"id": "many", "type": "book", "title": "Many", "author": names,
                                                      "publisher": "P", "issued": {"date-parts": [[2000]]}}]))
    entries = list(load_bibliography([project / "citations" / "refs.json"]).entries.values())
    (_, runs17), = note_style("chicago-17", False).bibliography(entries)
    (_, runs18), = note_style("chicago-18", False).bibliography(entries)
    assert html(runs17) == ("Name0, A., A. Name1, A. Name2, A. Name3, A. Name4, A. Name5, A. Name6, et al. <i>Many</i>. "
                            "P, 2000.")
    assert html(runs18) == "Name0, A., A. Name1, A. Name2, et al. <i>Many</i>. P, 2000."


def test_the_17th_edition_sets_a_3_em_dash_for_the_names_of_the_entry_above(project):
    project.write("citations/refs.json", json.dumps([
        {"id": k, "type": "book", "title": t, "editor" if k == "b" else "author": [{"family": "Doe", "given": "Jane"}],
         "publisher": "P", "issued": {"date-parts": [[2000]]}} for k, t in (("a", "Alpha"), ("b", "Beta"))]))
    entries = list(load_bibliography([project / "citations" / "refs.json"]).entries.values())
    assert [html(r) for _, r in note_style("chicago-17", False).bibliography(entries)] == [
        "Doe, Jane. <i>Alpha</i>. P, 2000.", "———, ed. <i>Beta</i>. P, 2000."]
    assert [html(r) for _, r in note_style("chicago-18", False).bibliography(entries)] == [
        "Doe, Jane. <i>Alpha</i>. P, 2000.", "Doe, Jane, ed. <i>Beta</i>. P, 2000."]


# --- citeproc-js as a second opinion --------------------------------------------------------------------------

# Where our notes differ from citeproc-js on the official CSL, on purpose, and the rule that decides.
ON_PURPOSE = {
    "short title": "CMOS 17 §14.33 (18 §13.33): a short title of at most four key words of the main title (the "
                   "CSL, without a title-short in the entry, repeats the whole title)",
    "same surname": "CMOS 17 §14.32: authors who share a surname get their initials (the CSL tells them apart only "
                    "when their short notes would otherwise be alike)",
    "adverb": "CMOS 17 §8.159: a preposition used as an adverb is capitalized: Working It Out, Run Out",
    "PhD diss.": "CMOS 17 and 18, “Theses and dissertations”: a dissertation is “PhD diss.” (the CSL prints the "
                 "entry's genre as written)",
    "proceedings": "CMOS 17 §14.217: a paper published in proceedings is treated like a chapter in a book: "
                   "“in” the italic title, the facts of publication in parentheses",
    "sub verbo": "CMOS 18 §14.130 (“under”; 17: “s.v.”): the head word in quotation marks after s.v., which a "
                 "short note gives once, after the work's name (the CSL repeats the entry's title)",
    "listed": "NOT CMOS: CMOS 18 §14.132 (and the CSL) leave an unsigned reference entry out of the bibliography; we list "
              "every cited source, as the Xiaohongshu list and `check` read the bibliography for them",
    "standard": "issue #15's reading of CMOS 18 §14.159: a published standard is set as a whole work, like a report, "
                "its facts of publication in parentheses in a note (the CSL runs them on after a comma)",
}
DIFFERENCES = {  # (edition, source, form) → the reason
    **{(e, k, "short"): "short title" for e in (17, 18) for k in (
        "twoAuthors", "threeAuthors", "edited", "journal", "magazine", "newspaper", "blog", "thesis", "report",
        "standard", "preprint", "question")},
    **{(e, "book", "short"): "same surname" for e in (17, 18)},
    **{(e, "edited", form): "adverb" for e in (17, 18) for form in ("full", "bibliography")},
    **{(e, "edited", "short"): "short title" for e in (17, 18)},
    **{(e, "question", form): "proceedings" for e in (17, 18) for form in ("full", "bibliography")},
    **{(e, "conference", form): "proceedings" for e in (17, 18) for form in ("full", "bibliography")},
    **{(e, "thesis", form): "PhD diss." for e in (17, 18) for form in ("full", "bibliography")},
    **{(e, "standard", "full"): "standard" for e in (17, 18)},
    **{(e, "encyclopedia", form): "sub verbo" for e in (17, 18) for form in ("full", "short")},
    **{(e, "encyclopedia", "bibliography"): "listed" for e in (17, 18)},
}


@pytest.mark.parametrize("edition", [18, 17])
def test_where_we_differ_from_citeproc_js_on_the_official_style_a_cmos_rule_decides(edition):
    theirs = json.loads((FIXTURES / f"citeproc-chicago-{edition}.json").read_text(encoding="utf-8"))
    notes, bibliography = cite_all(f"chicago-{edition}")
    their_bibliography = {}
    for text in theirs["bibliography"]:
        text = text.removeprefix('<div class="csl-entry">').removesuffix("</div>").replace("&#38;", "&")
        their_bibliography[_whose(text)] = text
    compared = [((edition, key, "full"), notes[n], theirs["notes"][n]) for n, key in enumerate(IDS)]
    compared += [((edition, key, "short"), notes[n + len(IDS)], theirs["notes"][n + len(IDS)]) for n, key in enumerate(IDS)]
    compared += [((edition, key, "bibliography"), ours, their_bibliography.get(key, "")) for key, ours in bibliography]
    compared.append(((edition, IDS[-1], "same source again"), notes[-1], theirs["notes"][-1]))
    differing = {case for case, ours, their in compared if ours != their.replace("&#38;", "&")}
    expected = {case for case in DIFFERENCES if case[0] == edition}
    assert differing - expected == set(), "differs from citeproc-js with no CMOS rule named"
    assert expected - differing == set(), "named as a difference, but the same as citeproc-js"
    assert (len(compared), len(differing)) == (64, 25)  # the other 39 the same, character for character


def _whose(text: str) -> str:
    """The source a bibliography entry of citeproc-js's is: by its first name, inverted, and its title's
    first words; of two such (Karpathy's book and his blog post), the one whose every name it gives."""
    found = []
    for item in json.loads(SOURCES.read_text(encoding="utf-8")):
        names = item.get("author") or item.get("editor") or [{"literal": "“"}]  # an unsigned entry: its quoted title
        first = names[0].get("literal") or f"{names[0]['family']}, {names[0]['given']}"
        if text.lower().startswith(first.lower()) and item["title"][:14].lower() in text.lower():
            found.append((all(n.get("family", "") in text for n in names), item["id"]))
    return max(found)[1]


# --- the rules, one by one ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "short"), [
    ("The Unreasonable Effectiveness of Recurrent Neural Networks", "Unreasonable Effectiveness"),
    ("Daily Notes of a Trip around the World", "Daily Notes of a Trip"),  # CMOS 17 §14.33's own example
    ("The War: An Intimate History, 1941–1945", "War"),
    ("LLaMA: Open and Efficient Foundation Language Models", "LLaMA"),
    ("Position: Will We Run Out of Data? Limits of LLM Scaling", "Will We Run Out of Data?"),
    ("Attention Is All You Need", "Attention Is All You Need"),  # four words or fewer… and no phrase to cut
    ("Mastering the Game of Go without Human Knowledge", "Mastering the Game of Go"),
    ("AI Models Collapse When Trained on Recursively Generated Data", "AI Models Collapse"),
    ("Snap Makes a Bet on the Cultural Supremacy of the Camera", "Snap Makes a Bet"),
    ("In Other Words", "In Other Words"),
])
def test_a_short_title_is_a_phrase_of_at_most_four_key_words_from_the_main_title(title, short):
    assert short_title(title) == short


def test_the_entrys_own_short_title_wins(project):
    project.write("citations/refs.yaml", "- id: k\n  type: book\n  title: 'The Unreasonable Effectiveness of Recurrent "
                  "Neural Networks'\n  title-short: rnn effectiveness\n  author: [{family: K, given: A}]\n")
    project.write("essay/x.md", "---\ntitle: t\nlang: en\n---\nOne [@k]. Two [@k, 3].\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project)[1] == "K, <i>Rnn Effectiveness</i>, 3."  # in headline style, as every title


@pytest.mark.parametrize(("given", "printed"), [  # CMOS 17 §9.61, CMOS 18 §9.64: inclusive numbers
    ("3-10", "3–10"), ("71-72", "71–72"), ("96-117", "96–117"), ("100-104", "100–104"), ("1100-1113", "1100–1113"),
    ("101-108", "101–8"), ("808-833", "808–33"), ("1103-1104", "1103–4"), ("321-328", "321–28"), ("498-532", "498–532"),
    ("1087-1089", "1087–89"), ("1496-1500", "1496–500"), ("11564-11615", "11564–615"), ("12991-13001", "12991–3001"),
    ("xii-xiv", "xii–xiv"), ("5, 101-108", "5, 101–8"),
])
def test_page_ranges_are_inclusive_numbers_as_cmos_abbreviates_them(given, printed):
    assert inclusive_numbers(given) == printed


@pytest.mark.parametrize(("title", "cased"), [  # CMOS 17 §8.159
    ("the state of the art: a to-do list", "The State of the Art: A To-Do List"),
    ("what is it all about?", "What Is It All About?"),
    ("working it out", "Working It Out"),
    ("Roe v. wade", "Roe v. Wade"),
    ("skald – and music", "Skald – and Music"),  # after a dash inside the title, a small word as given
    ("nvidia – The $4 trillion company", "Nvidia – The $4 Trillion Company"),
    ("the twelfth century. a musicological study", "The Twelfth Century. A Musicological Study"),
    ("mr. and mrs. smith", "Mr. and Mrs. Smith"),
])
def test_titles_are_in_headline_style(title, cased):
    from footnoted.bibliography.richtext import segments

    assert "".join(s.text for s in headline(segments(title))) == cased


def test_a_nocase_span_and_a_title_in_another_language_keep_their_capitals(project):
    project.write("citations/refs.yaml", (
        "- id: a\n  type: book\n  title: 'on the [iPod]{.nocase} and [ipad]{.nocase}'\n  author: [{family: A, given: B}]\n"
        "- id: b\n  type: book\n  title: 'vivre: la vie'\n  language: fr\n  author: [{family: C, given: D}]\n"
        "- id: c\n  type: book\n  title: 'ai 与 文学'\n  author: [{family: E, given: F}]\n"))
    project.write("essay/x.md", "---\ntitle: t\nlang: en\n---\nOne [@a]. Two [@b]. Three [@c].\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project) == ["B A, <i>On the iPod and ipad</i>.", "D C, <i>vivre: la vie</i>.", "F E, <i>ai 与 文学</i>."]


def test_same_author_same_title_two_works_get_longer_short_titles(project):
    project.write("citations/refs.yaml", "".join(
        f"- id: {k}\n  type: book\n  title: '{t}'\n  author: [{{family: Smith, given: Jane}}]\n  issued: {y}\n"
        for k, t, y in (("a", "Notes on Style: The First Thoughts", 2001), ("b", "Notes on Style: Second Thoughts", 2002),
                        ("c", "Notes on Style", 2010), ("d", "Notes on Style", 2011))))
    project.write("essay/x.md", "---\ntitle: t\nlang: en\n---\n" + "".join(f"[@{k}] " for k in "abcd") + "and "
                  + "".join(f"[@{k}, 5] " for k in "abcd") + "\n")
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project)[4:] == [
        "Smith, <i>Notes on Style: The First Thoughts</i>, 5.", "Smith, <i>Notes on Style: Second Thoughts</i>, 5.",
        "Smith, <i>Notes on Style (2010)</i>, 5.", "Smith, <i>Notes on Style (2011)</i>, 5."]


# --- the whole build ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("style", ["chicago", "chicago-18", "chicago-17"])
def test_an_essay_in_each_edition_builds_with_italic_titles_and_a_hanging_unnumbered_bibliography(project, style):
    project.write("citations/refs.json", SOURCES.read_text(encoding="utf-8"))
    project.write("essay/x.md", f"---\ntitle: t\nlang: en\nstyle: {style}\n---\n"
                  "One [@twoAuthors, 52]. Two [@newspaper]. Three [@twoAuthors, 59-61].\n")
    result = run_cli(["--target", "blog", "--citations", "citations/refs.json"], project)
    assert result.code == 0, result.err
    place = "New York: " if style == "chicago-17" else ""
    assert notes_of(project)[0] == (f"Geoffrey C. Ward and Ken Burns, <i>The War: An Intimate History, 1941–1945</i> "
                                    f"({place}Knopf, 2007), 52.")
    assert notes_of(project)[1].startswith("Farhad Manjoo, “Snap Makes a Bet on the Cultural Supremacy of the Camera,” "
                                           "<i>New York Times</i>, March 8, 2017,")
    assert notes_of(project)[2] == "Ward and Burns, <i>War</i>, 59–61."
    page = (project / "build" / "x.html").read_text(encoding="utf-8")
    references = page.split('role="doc-bibliography"', 1)[1]
    assert '<ol class="hanging">' in references and "ref-number" not in references
    assert references.index("Manjoo, Farhad") < references.index("Ward, Geoffrey C.")
    assert ".references ol.hanging li { padding-left: 2em; text-indent: -2em; }" in page
    assert ".references ol.hanging { list-style: none;" in page


def test_the_pdfs_bibliography_hangs_each_entrys_later_lines_and_numbers_none(project):
    """Read back from the PDF WeasyPrint made: each entry's first line at the margin, the lines after
    it indented, no list numbers."""
    from pdf_reading import page_lines

    project.write("citations/refs.json", SOURCES.read_text(encoding="utf-8"))
    project.write("essay/x.md", "---\ntitle: t\nlang: en\n---\nOne [@edited]. Two [@standard]. Three [@newspaper].\n")
    result = run_cli(["--target", "pdf", "--citations", "citations/refs.json"], project)
    assert result.code == 0, result.err
    pages, _ = page_lines(project / "build" / "x.pdf")
    page = next(lines for lines in pages if any(line.text == "Bibliography" for line in lines))
    entries = page[[line.text for line in page].index("Bibliography") + 1:]
    firsts = [line for line in entries if line.text.startswith(("International", "Manjoo,", "Ruddick,"))]
    later = [line for line in entries if line not in firsts and line.bottom < page[-1].top]  # not the running foot
    assert len(firsts) == 3 and len(later) >= 3, [line.text for line in entries]
    margin = {round(line.left) for line in firsts}
    assert len(margin) == 1, [(line.text, line.left) for line in entries]
    assert all(line.left > min(margin) + 8 for line in later), [(line.text, line.left) for line in entries]
    assert not any(line.text[:1].isdigit() for line in firsts)


def test_a_blog_whose_name_does_not_say_so_is_marked_blog_and_a_doctoral_thesis_is_phd_diss(project):
    project.write("citations/refs.yaml", "".join((
        "- id: hiker\n  type: post-weblog\n  title: arts and crafts movement\n  container-title: The Urban Hiker\n"
        "  author: [{family: Kenyon, given: Germany}]\n  issued: 2015-06-03\n",
        *(f"- id: t{n}\n  type: thesis\n  title: T{n}\n  genre: {genre}\n  publisher: U\n  issued: 2000\n"
          for n, genre in enumerate(("Doctoral dissertation", "Ph.D. thesis", "PhD thesis", "Master's thesis"))))))
    project.write("essay/x.md", "---\ntitle: t\nlang: en\n---\nBlog [@hiker]. " + " ".join(f"[@t{n}]." for n in range(4)))
    assert run_cli(["--target", "blog"], project).code == 0
    assert notes_of(project) == [  # CMOS 17, “Blog posts”; “Theses and dissertations”
        "Germany Kenyon, “Arts and Crafts Movement,” <i>The Urban Hiker</i> (blog), June 3, 2015.",
        "“T0” (PhD diss., U, 2000).", "“T1” (PhD diss., U, 2000).", "“T2” (PhD diss., U, 2000).",
        "“T3” (Master’s thesis, U, 2000)."]  # other genres as written
