"""The blog page in real headless Chromium (Debian's, installed by ./dev test)."""

from __future__ import annotations

import shutil

import pytest
from conftest import copy_real_project, run_cli
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (./dev test installs it)")


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
    assert "SHUMAILOV I, SHUMAYLOV Z, ZHAO Y, et al. AI models collapse when trained on recursively generated data[J]: 755." in page.inner_text("#fn-3")
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
