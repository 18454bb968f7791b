"""The blog page in real headless Chromium (Debian's, installed by ./dev test)."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, copy_real_project, run_cli
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (./dev test installs it)")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # pinned in package-lock.json, installed by ./dev test
WIDE, PHONE = {"width": 1440, "height": 900}, {"width": 375, "height": 800}


@pytest.fixture(scope="module")
def page_url(tmp_path_factory) -> str:
    project = copy_real_project(tmp_path_factory.mktemp("blog"))
    assert run_cli(["--target", "blog"], project).code == 0
    return (project / "build" / "model-collapse.html").as_uri()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")


def test_note_call_jumps_to_its_note_and_the_back_link_returns(browser, page_url):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(page_url)
    page.click("#fnref-3")
    assert page.evaluate("location.hash") == "#fn-3"
    assert in_viewport(page, "#fn-3")
    assert "同2：755." in page.inner_text("#fn-3")
    page.click("#fn-3 a[role=doc-backlink]")
    assert page.evaluate("location.hash") == "#fnref-3"
    assert in_viewport(page, "#fnref-3")
    page.close()


def test_page_makes_no_request_beyond_itself(browser, page_url):
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_url)
    page.wait_for_load_state("networkidle")
    assert requests == [page_url]
    page.close()


def test_phone_width_has_no_horizontal_scroll_and_no_sidenotes(browser, page_url):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(page_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator(".sidenote").count() == 0
    page.close()


def test_wide_screen_shows_each_note_beside_its_call(browser, page_url):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(page_url)
    sidenotes = page.locator(".sidenote")
    assert sidenotes.count() == 10
    first = page.eval_on_selector_all(".sidenote", "els => els.map(e => e.getBoundingClientRect().left)")
    body_right = page.eval_on_selector(".essay-body", "e => e.getBoundingClientRect().right")
    assert min(first) > body_right  # in the margin, not over the text
    call_top = page.eval_on_selector("#fnref-1", "e => e.getBoundingClientRect().top")
    note_top = page.eval_on_selector(".sidenote", "e => e.getBoundingClientRect().top")
    assert abs(note_top - call_top) < 40  # level with its call
    page.close()


def test_dark_mode_changes_the_colours(browser, page_url):
    page = browser.new_page(color_scheme="dark")
    page.goto(page_url)
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(28, 26, 23)"
    page.close()


# Each note's box, its call's box and the essay's right edge, at the current scroll position.
SIDENOTE_BOXES = """() => [...document.querySelectorAll('[role=doc-endnotes] li')].map(note => {
  const call = document.querySelector('.essay-body a.note-call[href="#' + note.id + '"]');
  const box = note.getBoundingClientRect();
  return {id: note.id, top: box.top, bottom: box.bottom, left: box.left, call: call.getBoundingClientRect().top,
          text: document.querySelector('.essay-body').getBoundingClientRect().right};
})"""


def assert_sidenotes_near_their_calls(page) -> None:
    boxes = page.evaluate(SIDENOTE_BOXES)
    assert len(boxes) == 10
    above = None
    for box in boxes:
        assert box["left"] > box["text"], box  # in the margin, not over the text
        assert box["top"] >= box["call"] - 2, box  # never above its call
        if above is not None:
            assert box["top"] >= above["bottom"], (above, box)  # no overlap with the note above
        room = above is None or above["bottom"] + 16 <= box["call"]
        if room:
            assert box["top"] - box["call"] <= 3, box  # level with its call when nothing is in the way
        above = box


def test_each_sidenote_is_as_near_its_call_as_the_notes_above_allow(browser, page_url):
    page = browser.new_page(viewport=WIDE)
    page.goto(page_url)
    assert_sidenotes_near_their_calls(page)
    # Opening the long passage in note 1 makes it taller: the notes below move down, still apart.
    page.click("#fn-1 details summary")
    assert page.eval_on_selector("#fn-1 details", "d => d.open")
    assert_sidenotes_near_their_calls(page)
    page.close()


def test_a_long_passage_in_a_note_opens_in_place_and_is_never_cut(browser, page_url):
    page = browser.new_page(viewport=WIDE)
    page.goto(page_url)
    closed = page.eval_on_selector("#fn-1", "e => e.getBoundingClientRect().height")
    assert not page.is_visible("#fn-1 .note-passage")
    page.click("#fn-1 details summary")
    passage = page.locator("#fn-1 .note-passage")
    assert passage.is_visible() and "Our findings" in passage.inner_text()
    # The whole passage shows: nothing clipped, nothing faded out.
    assert passage.evaluate("e => e.scrollHeight <= e.clientHeight + 1 && getComputedStyle(e).maskImage === 'none'")
    assert page.eval_on_selector("#fn-1", "e => e.getBoundingClientRect().height") > closed + 100
    page.close()


def test_without_javascript_the_long_passage_is_one_click_away(browser, page_url):
    page = browser.new_page(viewport=WIDE, java_script_enabled=False)
    page.goto(page_url)
    assert page.locator(".sidenote").count() == 0  # the end list, as without sidenotes
    assert not page.is_visible("#fn-1 .note-passage")
    page.click("#fn-1 details summary")
    assert "Our findings" in page.inner_text("#fn-1 .note-passage")
    page.close()


def test_on_a_wide_screen_a_call_lands_on_its_sidenote_beside_it(browser, page_url):
    page = browser.new_page(viewport=WIDE)
    page.goto(page_url)
    page.click("#fnref-5")
    assert page.evaluate("location.hash") == "#fn-5"
    # The link's target is the sidenote itself: in the margin, on screen, with its call still in view.
    assert page.eval_on_selector("#fn-5", "e => e.classList.contains('sidenote') && e.matches(':target')")
    note = page.eval_on_selector("#fn-5", "e => e.getBoundingClientRect().toJSON()")
    assert note["left"] > page.eval_on_selector(".essay-body", "e => e.getBoundingClientRect().right")
    assert in_viewport(page, "#fn-5") and in_viewport(page, "#fnref-5")
    page.click("#fn-5 a[role=doc-backlink]")
    assert page.evaluate("location.hash") == "#fnref-5" and in_viewport(page, "#fnref-5")
    page.close()


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["375", "1440"])
def test_tab_never_lands_inside_something_hidden(browser, page_url, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(page_url)
    focusable = page.evaluate("document.querySelectorAll('a[href], summary, [tabindex]').length")
    stops = []
    for _ in range(focusable + 2):
        page.keyboard.press("Tab")
        stop = page.evaluate("""() => {
          const e = document.activeElement;
          if (e === document.body) return null;
          let hidden = false;
          for (let a = e; a; a = a.parentElement) {
            const style = getComputedStyle(a);
            if (a.getAttribute('aria-hidden') === 'true' || style.display === 'none') hidden = true;
            if (style.visibility === 'hidden') hidden = true;
          }
          const box = e.getBoundingClientRect();
          return {what: e.outerHTML.slice(0, 80), hidden, empty: box.width === 0 || box.height === 0};
        }""")
        if stop is None:
            break
        stops.append(stop)
    assert len(stops) > 20  # the calls, the back-links, the links in the notes
    assert [stop for stop in stops if stop["hidden"] or stop["empty"]] == []
    page.close()


def test_notes_carry_no_deprecated_role(browser, page_url):
    page = browser.new_page(viewport=WIDE)
    page.goto(page_url)
    assert page.locator("[role=doc-endnote]").count() == 0  # deprecated in DPUB-ARIA 1.1
    assert page.locator("[role=doc-endnotes] ol > li[id^=fn-]").count() == 10
    assert page.locator("a[role=doc-noteref]").count() >= 10 and page.locator("a[role=doc-backlink]").count() == 10
    page.close()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (./dev test runs npm ci)")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["375", "1440"])
def test_axe_core_finds_no_violation(browser, page_url, viewport, scheme):
    page = browser.new_page(viewport=viewport, color_scheme=scheme)
    page.goto(page_url)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""axe.run().then(result => result.violations.map(v =>
      v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', ')))""")
    assert violations == []
    page.close()


# The last line of each paragraph, in the body and in the notes, as the characters on it (a note
# call's number, raised, counts as on its line; it is no character of the text).
LAST_LINES = """() => [...document.querySelectorAll('.essay-body p, .notes li p')].map(p => {
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  const boxes = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode())
    for (let i = 0; i < n.data.length; i++) {
      if (!n.data[i].trim() || n.parentElement.closest('a.note-call')) continue;
      const range = document.createRange(); range.setStart(n, i); range.setEnd(n, i + 1);
      const box = range.getClientRects()[0];
      if (box) boxes.push([n.data[i], box.top, box.bottom]);
    }
  if (!boxes.length) return null;
  const last = boxes[boxes.length - 1];
  const line = boxes.filter(b => b[1] < last[2] && b[2] > last[1]);
  return line.length === boxes.length ? null : line.map(b => b[0]).join('');
}).filter(line => line !== null)"""


@pytest.mark.parametrize("width", [320, 375, 390, 414])
def test_no_paragraph_ends_on_a_line_of_one_character(browser, page_url, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(page_url)
    last_lines = page.evaluate(LAST_LINES)
    assert len(last_lines) > 20
    # One character on the last line: a 字 with at most one mark after it ("差。"), or a mark alone
    # ("——", "…", "↩︎", or "。" after a call at the start of the line).
    assert [line for line in last_lines if len(line) <= 2 and sum(char.isalnum() for char in line) <= 1] == []
    page.close()


def test_on_a_small_phone_the_table_scrolls_inside_its_box(browser, page_url):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(page_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # Nothing reaches past the right edge of the box it is set in, save what a scroller holds.
    spills = page.evaluate("""() => [...document.querySelectorAll('.essay *')].filter(e => {
      if (e.closest('.table-scroll') && !e.matches('.table-scroll')) return false;
      const box = e.getBoundingClientRect(), parent = e.parentElement.getBoundingClientRect();
      return box.width > 0 && (box.right > innerWidth || box.right > parent.right + 0.5);
    }).map(e => e.outerHTML.slice(0, 60))""")
    assert spills == []
    scroller = page.locator("figure.passage .table-scroll")
    assert scroller.count() == 1
    assert scroller.evaluate("e => getComputedStyle(e).overflowX === 'auto' && e.scrollWidth > e.clientWidth")
    page.close()


def test_on_a_phone_the_title_breaks_between_its_phrases(browser, page_url):
    # `人类数据耗尽之后，AI 会停滞吗？` at 375 px: `…耗尽之` / `后，AI 会停滞吗？` before (text-wrap:
    # balance alone); now each phrase, with its comma, whole on a line of its own.
    page = browser.new_page(viewport=PHONE)
    page.goto(page_url)
    page.evaluate("document.fonts.ready")
    lines = page.evaluate("""[...document.querySelectorAll('h1 .phrase')].map(span =>
        ({text: span.textContent, lines: span.getClientRects().length, top: span.getBoundingClientRect().top}))""")
    assert [line["text"] for line in lines] == ["人类数据耗尽之后，", "AI 会停滞吗？"]
    assert [line["lines"] for line in lines] == [1, 1] and lines[0]["top"] < lines[1]["top"]
    page.close()
