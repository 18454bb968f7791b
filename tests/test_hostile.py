"""Hostile content is inert: checked in the real rendered page, parsed as a browser would read it.

Bibliographies are pasted from Zotero exports and web pages, and essays come from other
people's pull requests. Nothing they hold may become markup: `<script>`, event handlers and
`javascript:`/`data:`/`file:` URLs in titles, quotes, notes or links are escaped (shown as
the text they are) or refused with a diagnostic. Raw HTML in the draft is escaped unless the
front matter says `raw_html: true`; HTML comments are editorial and never reach a page.

`audit_page` is the check; the corpus and the property tests use it on every page they build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from conftest import BIB, ROOT, run_cli

from footnoted.render_html import environment

HEAD = "---\ntitle: 测试\n---\n"
TEMPLATES = ROOT / "templates"
# Elements no essay or bibliography may bring: our templates use none of them.
FORBIDDEN = {"iframe", "object", "embed", "form", "input", "button", "base", "link", "frame", "frameset", "svg",
             "math", "template", "applet", "textarea", "select", "noscript", "style", "script", "meta"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "poster", "data", "background", "xlink:href"}
_IMAGE_DATA = re.compile(r"data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]*\Z")


@dataclass
class Audit:
    problems: list[str] = field(default_factory=list)
    text: str = ""  # what a reader sees: the page's words outside <script> and <style>
    elements: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.elements if name == tag)


class _PageReader(HTMLParser):
    """Reads a page strictly: every element closed in order, and notes everything that could run."""

    def __init__(self, ours: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ours = ours  # the text of our own <script> and <style> elements (templates/*.js, *.css)
        self.audit = Audit()
        self.open: list[str] = []
        self.words: list[str] = []
        self.raw: list[str] | None = None  # the text of the <script> or <style> being read

    def problem(self, message: str) -> None:
        self.audit.problems.append(f"line {self.getpos()[0]}: {message}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.audit.elements.append((tag, dict(attrs)))
        in_head = self.open[-1:] == ["head"]
        allowed_here = (tag in ("meta", "style") and in_head) or (tag == "script" and self.open[-1:] == ["body"])
        if tag in FORBIDDEN and not allowed_here:
            self.problem(f"<{tag}> element")
        if tag == "meta" and {name for name, _ in attrs} - {"charset", "name", "content"}:
            self.problem(f"<meta> with {attrs}")
        for name, value in attrs:
            self.attribute(tag, name, value or "")
        if tag in ("script", "style"):
            self.raw = []
        if tag not in VOID:
            self.open.append(tag)

    def attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on") or name in ("srcdoc", "formaction"):
            self.problem(f"<{tag} {name}=…> event handler or script attribute")
        if name == "style" and not re.fullmatch(r"text-align:(left|center|right)", value):
            self.problem(f"<{tag} style={value!r}>")
        if name in URL_ATTRIBUTES:
            url = value.strip().lower()
            web = url.startswith(("http://", "https://", "mailto:", "#"))
            image = tag == "img" and name == "src" and bool(_IMAGE_DATA.match(value.strip()))
            if not (web or image):
                self.problem(f"<{tag} {name}={value[:60]!r}>: not an allowed URL")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.raw is not None:
            content = "".join(self.raw).strip()
            if content not in self.ours:
                self.problem(f"<{tag}> that is not ours: {content[:80]!r}")
            self.raw = None
        if not self.open or self.open[-1] != tag:
            self.problem(f"</{tag}> closes <{self.open[-1] if self.open else 'nothing'}>")
            if tag in self.open:
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.raw is not None:
            self.raw.append(data)
        else:
            self.words.append(data)

    def handle_comment(self, data: str) -> None:
        self.problem(f"an HTML comment reached the page: {data[:60]!r}")

    def handle_pi(self, data: str) -> None:
        self.problem(f"a processing instruction: {data[:60]!r}")


def our_scripts_and_styles() -> set[str]:
    """Our scripts and styles as a page includes them: blog.css, rendered for a Chinese and an English essay."""
    scripts = {path.read_text(encoding="utf-8").strip() for path in TEMPLATES.glob("*.js")}
    styles = {environment().get_template(path.name).render(chinese=chinese).strip()
              for path in TEMPLATES.glob("*.css") for chinese in (True, False)}
    return scripts | styles


def audit_page(html: str) -> Audit:
    """Parse a built page; `.problems` lists markup that did not come from our templates."""
    reader = _PageReader(our_scripts_and_styles())
    reader.feed(html)
    reader.close()
    if reader.open:
        reader.problem(f"never closed: {reader.open}")
    if not html.startswith("<!DOCTYPE html>\n"):
        reader.problem("no <!DOCTYPE html> first")
    reader.audit.text = "".join(reader.words)
    return reader.audit


def assert_inert(html: str) -> Audit:
    audit = audit_page(html)
    assert audit.problems == [], "\n".join(audit.problems)
    assert audit.count("script") == 1, "the page has exactly one script: ours (templates/sidenotes.js)"
    return audit


def build_blog(project, essay: str, refs: str = BIB, args: tuple[str, ...] = ()):
    project.write("essay/x.md", essay)
    project.write("citations/refs.yaml", refs)
    result = run_cli(["--target", "blog", *args], project)
    page = project / "build" / "x.html"
    return result, (page.read_text(encoding="utf-8") if page.exists() else None)


# --- the audit itself can fail --------------------------------------------------------------


@pytest.mark.parametrize(("fragment", "problem"), [
    ("<p onclick=\"x()\">a</p>", "event handler"),
    ("<script>alert(1)</script>", "that is not ours"),
    ('<a href="javascript:alert(1)">a</a>', "not an allowed URL"),
    ('<a href=" JavaScript:alert(1)">a</a>', "not an allowed URL"),
    ('<img src="data:text/html;base64,PHNjcmlwdD4=" alt="">', "not an allowed URL"),
    ('<iframe src="https://example.com"></iframe>', "<iframe> element"),
    ("<p><b>a</p></b>", "closes"),
    ("<p>a", "</body> closes <p>"),
    ("<!-- note -->", "comment"),
    ('<p style="position:fixed">a</p>', "style="),
])
def test_the_audit_catches_markup_that_is_not_ours(fragment, problem):
    page = f"<!DOCTYPE html>\n<html><head></head><body>{fragment}</body></html>"
    problems = audit_page(page).problems
    assert any(problem in p for p in problems), problems


def test_the_audit_catches_a_page_cut_short():
    assert audit_page("<!DOCTYPE html>\n<html><body><p>a").problems == ["line 2: never closed: ['html', 'body', 'p']"]
    assert audit_page("<html></html>").problems == ["line 1: no <!DOCTYPE html> first"]


def test_the_audit_accepts_a_page_of_ours(project):
    result, page = build_blog(project, HEAD + "正文[@smith2020:finding]，[@lee2019]。\n")
    assert result.code == 0, result.err
    audit = assert_inert(page)
    assert "事物就是它们本来的样子" in audit.text


# --- hostile content in every place text comes from -----------------------------------------

HOSTILE_BIB = """\
references:
- id: evil
  type: article-journal
  title: "<script>alert('title')</script> & <img src=x onerror=alert(1)>"
  container-title: "<iframe src=javascript:alert(2)></iframe>"
  author:
  - {family: "<b onmouseover=alert(3)>Evil</b>", given: "\\"><svg onload=alert(4)>"}
  - {literal: "<a href='javascript:alert(5)'>lit</a>"}
  volume: "1\\"><script>alert(6)</script>"
  issue: "<style>body{display:none}</style>"
  page: "<x>1-2</x>"
  issued: {date-parts: [[2020]]}
  DOI: "10.1234/\\"><script>alert(7)</script>"
  language: "en\\" onclick=\\"alert(8)"
  quotes:
    q:
      text: "<script>alert('quote')</script> javascript:alert(9) • <b>bold</b>"
      translation: "<img src=x onerror=alert(10)>译文"
      emphasis: ["<b>bold</b>"]
      page: "<i>3</i>"
    t:
      text: "table"
      table:
        caption: "<script>cap</script>"
        header: ["<th onclick=x>", "b"]
        rows: [["<script>r</script>", "<td onmouseover=y>"]]
- id: web
  type: webpage
  title: "data:text/html,<script>alert(11)</script>"
  URL: "https://example.com/'onmouseover='alert(12)&x=y"
  container-title: "file:///etc/passwd"
  issued: {date-parts: [[2021, 2, 3]]}
"""

HOSTILE_ESSAY = """\
---
title: "<script>alert('fm')</script>"
subtitle: "<img src=x onerror=alert('sub')>"
author: "\\" onload=\\"x"
description: "</title><script>d</script>"
tags: ["<b>t</b>", "x\\" onclick=\\"y"]
lang: 'zh-CN" onload="z'
ai_disclosure: "<script>ai</script>"
---

正文[@evil]，网页[@web]。

> [@evil:q]

> [@evil:t]

<script>alert('draft')</script>

段落 <img src=x onerror=alert('inline')> 与 <a href="javascript:alert(1)">链接</a>。

<!-- <script>comment</script> -->

`<script>code</script>` 和 [合法](https://example.com/"onclick="x "t\\"itle") [邮件](mailto:a@b.c) [DOI](doi:10.1/x)

```js" onclick="x
<script>fenced</script>
```

::: {.note" onclick="x}
分区
:::

[^n] 的脚注。

[^n]: <script>note</script> 和 [@evil, p. 5]

#llm-draft/reviewed
AI 段落。
"""

# Each payload must still be on the page, as text: escaped, not silently dropped.
PAYLOADS = [
    "<script>alert('fm')</script>", "<img src=x onerror=alert('sub')>", "<b>t</b>", "<script>ai</script>",
    # CSL-YAML text is Markdown, as in pandoc, with its smart quotes: 'title' is shown as ‘title’.
    "<script>alert(\u2018title\u2019)</script> & <img src=x onerror=alert(1)>", "<iframe src=javascript:alert(2)></iframe>",
    "<b onmouseover=alert(3)>", "<a href='javascript:alert(5)'>lit</a>", "<script>alert(6)</script>",
    "<style>body{display:none}</style>", "<script>alert('quote')</script> javascript:alert(9)",
    "<img src=x onerror=alert(10)>", "<i>3</i>", "<script>cap</script>", "<th onclick=x>", "<td onmouseover=y>",
    "<script>r</script>", "data:text/html,<script>alert(11)</script>", "file:///etc/passwd",
    "<script>alert('draft')</script>", '<a href="javascript:alert(1)">',
    # Not a valid tag, so Markdown text: pandoc's smart punctuation curls its quotes, as pandoc does.
    "<img src=x onerror=alert(‘inline’)>",
    "<script>code</script>", "<script>fenced</script>", "<script>note</script>",
]


def test_hostile_bibliography_and_draft_are_shown_as_text(project):
    result, page = build_blog(project, HOSTILE_ESSAY, HOSTILE_BIB)
    assert (result.code, result.err) == (0, "")
    audit = assert_inert(page)
    missing = [p for p in PAYLOADS if p not in audit.text]
    assert missing == []
    assert "comment" not in audit.text  # the HTML comment is editorial: gone, not escaped
    # Attribute values stay inside their quotes: the only attributes are the templates' own.
    names = {name for _, attrs in audit.elements for name in attrs}
    assert names <= {"lang", "charset", "name", "content", "class", "id", "href", "role", "value", "aria-label",
                     "aria-labelledby", "title", "scope", "datetime", "cite", "tabindex"}, names


def test_the_hostile_page_is_the_same_with_raw_html_allowed_except_the_drafts_own_html(project):
    essay = HOSTILE_ESSAY.replace("ai_disclosure:", "raw_html: true\nai_disclosure:")
    result, page = build_blog(project, essay, HOSTILE_BIB)
    assert (result.code, result.err) == (0, "")
    problems = [p.split(": ", 1)[1] for p in audit_page(page).problems]  # without the page's line numbers
    # What the draft's author opted in to is markup now; everything from the bibliography is not.
    assert problems == [
        "<script> element",
        "<script> that is not ours: \"alert('draft')\"",
        "<a href='javascript:alert(1)'>: not an allowed URL",
        "<script> element",  # the footnote's raw HTML: `[^n]: <script>note</script> …`
        "<script> that is not ours: 'note'",
    ]


# --- raw HTML and editorial comments -----------------------------------------------------------


def test_raw_html_is_escaped_unless_the_front_matter_opts_in(project):
    body = "按 <kbd>Ctrl</kbd> 键[@smith2020:finding]，[@lee2019]。\n\n<div class=\"box\">\n块\n</div>\n"
    result, page = build_blog(project, HEAD + body)
    assert (result.code, result.err) == (0, "")
    audit = assert_inert(page)
    assert audit.count("kbd") == 0 and "<kbd>Ctrl</kbd>" in audit.text
    assert '<div class="box">' in audit.text

    result, page = build_blog(project, "---\ntitle: 测试\nraw_html: true\n---\n" + body)
    assert (result.code, result.err) == (0, "")
    audit = assert_inert(page)
    assert audit.count("kbd") == 1 and "<kbd>" not in audit.text
    assert ("div", {"class": "box"}) in audit.elements


def test_html_comments_never_reach_the_page_even_with_raw_html(project):
    body = "前<!-- SECRET-A -->后[@smith2020:finding]，[@lee2019]。\n\n<!--\nSECRET-B\n-->\n\n<p>x<!-- SECRET-C --></p>\n"
    for front in ("---\ntitle: t\n---\n", "---\ntitle: t\nraw_html: true\n---\n"):
        result, page = build_blog(project, front + body)
        assert (result.code, result.err) == (0, "")
        assert "SECRET" not in page and "<!--" not in page
        assert_inert(page)


# --- URLs: the allow-list ------------------------------------------------------------------------

REFUSED_LINKS = [
    ("[x](javascript:alert(1))", 8, "javascript:alert(1)", "javascript:"),
    ("[x](JaVaScRiPt:alert(1))", 8, "JaVaScRiPt:alert(1)", "JaVaScRiPt:"),
    ("[x](java&#115;cript:alert(1))", 4, "javascript:alert(1)", "javascript:"),
    ("[x](&#x6A;avascript:alert(1))", 4, "javascript:alert(1)", "javascript:"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", 8, "data:text/html;base64,PHNjcmlwdD4=", "data:"),
    ("[x](file:///etc/passwd)", 8, "file:///etc/passwd", "file:"),
    ("[x](vbscript:msgbox)", 8, "vbscript:msgbox", "vbscript:"),
    ("[x](//evil.example/a)", 8, "//evil.example/a", "a relative link"),
    ("[x]( javascript:alert(1))", 4, "javascript:alert(1)", "javascript:"),
    ("[x](<javascript:alert(1)>)", 4, "javascript:alert(1)", "javascript:"),
    ("<javascript:alert(1)>", 4, "javascript:alert(1)", "javascript:"),
    ("[x][r]\n\n[r]: javascript:alert(1)", 4, "javascript:alert(1)", "javascript:"),
]


@pytest.mark.parametrize(("link", "col", "url", "scheme"), REFUSED_LINKS, ids=[r[0] for r in REFUSED_LINKS])
def test_links_outside_the_allow_list_are_refused(project, link, col, url, scheme):
    result, page = build_blog(project, HEAD + f"正文 {link}\n")
    assert result.code == 1
    assert result.err == (
        f"essay/x.md:4:{col}: error: link URL '{url}' is not allowed ({scheme}): use http, https, mailto or doi: [link.scheme]\n"
    )
    assert page is None


def test_allowed_links_keep_their_url(project):
    body = ("[a](http://example.com) [b](https://example.com/?q=<x>) [c](mailto:jane@example.com) "
            "[d](doi:10.1000/xyz) [e](DOI:10.1000/UP) [f](HTTPS://EXAMPLE.COM) [g](#notes-title)"
            "[@smith2020:finding]，[@lee2019]。\n")
    result, page = build_blog(project, HEAD + body)
    assert (result.code, result.err) == (0, "")
    audit = assert_inert(page)
    hrefs = [attrs["href"] for tag, attrs in audit.elements if tag == "a" and attrs.get("class") is None]
    assert hrefs[:7] == ["http://example.com", "https://example.com/?q=%3Cx%3E", "mailto:jane@example.com",
                         "https://doi.org/10.1000/xyz", "https://doi.org/10.1000/UP", "HTTPS://EXAMPLE.COM", "#notes-title"]


@pytest.mark.parametrize(("image", "url"), [
    ("![x](javascript:alert(1))", "javascript:alert(1)"),
    ("![x](data:image/svg+xml;base64,PHN2Zz4=)", "data:image/svg+xml;base64,PHN2Zz4="),
    ("![x](file:///etc/passwd)", "file:///etc/passwd"),
    ("![x](https://example.com/tracker.png)", "https://example.com/tracker.png"),
])
def test_images_are_never_fetched_or_linked(project, image, url):
    result, page = build_blog(project, HEAD + f"正文\n\n{image}\n")
    assert result.code == 1
    assert result.err == (
        f"essay/x.md:6:1: error: remote image '{url}' is not fetched: save it next to the essay and link the file [image.remote]\n"
    )
    assert page is None


def test_bibliography_urls_outside_the_allow_list_are_never_links(project):
    # pandoc reads these, so they are warnings, not errors; but no target makes them links.
    refs = BIB + (
        "- id: bad\n  type: webpage\n  title: T\n"
        "  URL: javascript:alert(1)\n  pdf: data:application/pdf;base64,AAAA\n  video: file:///etc/passwd\n"
        "  DOI: \"javascript:alert(1)\"\n"
    )
    result, page = build_blog(project, HEAD + "正文[@smith2020:finding]，[@lee2019]，[@bad]。\n", refs)
    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        "citations/refs.yaml:32:8: warning: 'URL' is a 'javascript:' address, not http or https: not linked [bib.bad-url]",
        "citations/refs.yaml:33:8: warning: 'pdf' is a 'data:' address, not http or https: not linked [bib.bad-url]",
        "citations/refs.yaml:34:10: warning: 'video' is a 'file:' address, not http or https: not linked [bib.bad-url]",
        "citations/refs.yaml:35:8: warning: DOI 'javascript:alert(1)' is not of the form 10.NNNN/suffix: not linked [bib.bad-doi]",
    ]
    assert page is not None
    assert_inert(page)
    assert "javascript:" not in page and "data:application" not in page and "file:///" not in page
    (project / "build" / "x.html").unlink()
    result, page = build_blog(project, HEAD + "正文[@smith2020:finding]，[@lee2019]，[@bad]。\n", refs, ("--strict",))
    assert result.code == 1 and page is None  # --strict: the entry is broken, and the essay that cites it is not built
    assert "essay/x.md:4:36: error: 'bad' cannot be cited until its entry is fixed (citations/refs.yaml:29) [cite.broken-entry]" in result.err
