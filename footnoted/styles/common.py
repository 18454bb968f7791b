"""What every note style shares: an entry's fields as styles read them, names, locators, the
short author of running text and the attribution under a passage in the body.

Formatting yields `Run`s (text, italic, a style such as "b sup", link), neutral to the output:
the blog makes them HTML, the PDF the same, the Xiaohongshu text plain words. "等"/"et al." in a
reference follows the source's language; a name in running text follows the essay's.

Every field is read from `entry.variables` through `Fields`, so that `check` can tell which
fields of an entry a style printed (see `Recording`): what it never reads, it reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from footnoted.bibliography import Date, Entry, LiteralDate, Name
from footnoted.bibliography.richtext import Segment, plain, segments
from footnoted.locators import short_label
from footnoted.tree import Run

# Parts of a larger work: a title in quotes, then "in" the container's.
PARTS = frozenset(("chapter", "entry", "entry-dictionary", "entry-encyclopedia", "paper-conference"))

_CHINESE_LOCATORS = {
    "chapter": "第 {} 章", "section": "第 {} 节", "volume": "第 {} 卷", "paragraph": "第 {} 段", "line": "第 {} 行",
}

# The typed fields an entry made without `variables` (a test's, a snapshot check's) still has.
_TYPED = {"title": "title", "container-title": "container_title", "collection-title": "collection_title",
          "publisher": "publisher", "volume": "volume", "issue": "issue", "page": "page", "number": "number",
          "author": "authors", "interviewer": "interviewers", "issued": "issued", "accessed": "accessed",
          "language": "language", "DOI": "doi", "URL": "url"}


def has_han(text: str) -> bool:
    """Chinese characters in a title or name (compared, not matched: see typography.is_cjk)."""
    return not text.isascii() and any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def is_chinese_source(entry: Entry) -> bool:
    """The source's language (§6.1: a reference is written in it): its `language`, else Chinese characters
    in its title, its container's, its publisher's, its place's or its first creator's name ("哈尔滨: [出版者不详], 2013")."""
    language = entry.language.lower() or str(entry.variables.get("language") or "").lower()
    if language:  # Japanese takes 等 as Chinese does (GB/T 7714-2025's own example, §8.10)
        return language.startswith(("zh", "ja"))
    fields = Fields(entry)
    names = main_creators(fields)[1]
    texts = (fields.text("title"), fields.text("container-title"), fields.text("publisher"),
             fields.text("publisher-place"), names[0].literal or names[0].family if names else "")
    return any(has_han(t) for t in texts)


def locator_text(label: str, value: str, chinese: bool) -> str:
    """A locator as it stands after a reference: '755', 'chap. 2', 'chaps. 2–3', '00:23:57'.
    A page goes bare, as Chicago and GB/T set it; other places take the locale's short term,
    plural for a range or a list."""
    if not value:
        return ""
    if label in ("page", ""):
        return value
    chinese_form = _CHINESE_LOCATORS.get(label) if chinese else None
    return chinese_form.format(value) if chinese_form else f"{short_label(label, value)} {value}"


class Fields:
    """An entry's CSL variables as the styles read them: text plain, titles as runs, names, dates.
    Every read goes through `entry.variables`, so a recording mapping there sees it."""

    def __init__(self, entry: Entry) -> None:
        self.entry, self.variables = entry, entry.variables

    def _get(self, key: str) -> object:
        value = self.variables.get(key)
        if value is None and key in _TYPED and not self.variables:
            return getattr(self.entry, _TYPED[key]) or None
        return value

    def text(self, key: str) -> str:
        value = self._get(key)
        return plain(value).strip() if isinstance(value, str) else ""

    def rich(self, key: str, italic: bool = False,
             recase: Callable[[list[Segment]], list[Segment]] | None = None) -> list[Run]:
        """A title's runs, its markup kept: inside an italic title, italics flip to roman (CSL).
        `recase`: a style's capitalization (Chicago's headline style), given the `nocase` marks."""
        value = self._get(key)
        if not isinstance(value, str):
            return []
        runs: list[Run] = []
        parts = segments(value.strip())
        for segment in recase(parts) if recase else parts:
            run = Run(segment.text, italic != ("i" in segment.styles), style=" ".join(sorted(segment.styles - {"i", "nocase"})))
            if runs and runs[-1]._replace(text="") == run._replace(text=""):  # "nocase" is no style of ours
                runs[-1] = runs[-1]._replace(text=runs[-1].text + run.text)
            else:
                runs.append(run)
        return runs

    def names(self, key: str) -> tuple[Name, ...]:
        value = self._get(key)
        return value if isinstance(value, tuple) else ()

    def date(self, key: str) -> Date | LiteralDate | None:
        value = self._get(key)
        return value if isinstance(value, (Date, LiteralDate)) else None

    def link(self) -> str:
        """The DOI's address, else the URL: read through the variables, linked only when valid."""
        if self._get("DOI") and self.entry.doi:
            return f"https://doi.org/{self.entry.doi}"
        return self.entry.url if self._get("URL") and self.entry.url else ""


def plain_name(name: Name, inverted: bool = False) -> str:
    """'Ludwig van Beethoven', 'Vincent van Gogh', 'Martin Luther King Jr.'; inverted, 'Beethoven,
    Ludwig van', 'Gogh, Vincent van', 'King, Martin Luther, Jr.'."""
    if name.literal:
        return name.literal
    if has_han(name.family):
        return name.family + name.given
    if inverted:  # Chicago's "Gogh, Vincent van", as pandoc's style demotes the particle
        given = " ".join(p for p in (name.given, name.dropping_particle, name.particle) if p)
        return ", ".join(p for p in (name.family, given, name.suffix) if p)
    return " ".join(p for p in (name.given, name.dropping_particle, name.full_family, name.suffix) if p)


def family_name(name: Name) -> str:
    return name.literal or name.full_family


def main_creators(fields: Fields) -> tuple[str, tuple[Name, ...]]:
    """Who a reference is by: its authors, else its editors (an edited volume), else its translators."""
    for role in ("author", "editor", "translator"):
        names = fields.names(role)
        if names:
            return role, names
    return "", ()


def short_author(entry: Entry, running_chinese: bool) -> str:
    """'Shumailov 等' in a Chinese sentence, 'Shumailov et al.' in an English one; an edited
    volume by its editors; the title only when nobody is named."""
    fields = Fields(entry)
    role, names = main_creators(fields)
    if not names:
        return fields.text("title") or fields.text("container-title")
    others = entry.others and role == "author"
    first = family_name(names[0])
    if len(names) == 2 and not others:
        joiner = "和" if running_chinese else "and"
        return f"{first} {joiner} {family_name(names[1])}"
    if len(names) > 2 or others:
        return f"{first} 等" if running_chinese else f"{first} et al."
    return first


def attribution(entry: Entry, label: str, value: str, running_chinese: bool) -> str:
    """The short source under a passage shown in the body: 'Shumailov 等, 2024, p. 755'."""
    parts = [short_author(entry, running_chinese)]
    if entry.year:
        parts.append(entry.year)
    if value:
        parts.append(f"p. {value}" if label == "page" else locator_text(label, value, False))
    return ", ".join(parts)


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def edition_text(text: str, chinese: bool) -> str:
    """'2' → '2nd ed.' (版 in Chinese); an edition in words is printed as written."""
    if not text:
        return ""
    if text.isdigit():
        return f"{text}版" if chinese else f"{ordinal(int(text))} ed."
    return text


def page_range(text: str) -> str:
    return re.sub(r"\s*-+\s*", "–", text)


def publisher_unless_numbered(fields: Fields) -> str:
    """The publisher, unless the number names it already: 'arXiv:2302.13971', never 'arXiv, arXiv:…'."""
    publisher = fields.text("publisher")
    return "" if publisher.lower() == "arxiv" and fields.text("number") else publisher


def number_text(fields: Fields) -> str:
    """'arXiv:2305.17493' for an arXiv preprint (its publisher said by the prefix), however the id is
    stored ('2305.17493', or 'arXiv:2305.17493' as Zotero exports it); 'No. 12'; or as written."""
    number = fields.text("number")
    if fields.text("publisher").lower() == "arxiv":
        return "arXiv:" + re.sub(r"(?i)^arxiv:\s*", "", number)
    return f"No. {number}" if number.isdigit() else number


class Recording(Mapping):  # type: ignore[type-arg]
    """An entry's variables that note each one a style reads."""

    def __init__(self, variables: Mapping) -> None:
        self.variables, self.read = variables, set()

    def __getitem__(self, key: str) -> object:
        self.read.add(key)
        return self.variables[key]

    def get(self, key: str, default: object = None) -> object:
        self.read.add(key)
        return self.variables.get(key, default)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def __contains__(self, key: object) -> bool:
        return key in self.variables
