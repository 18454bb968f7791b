"""The parsed essay and its front matter: what the parser hands on to resolving."""

import datetime
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from footnoted.bibliography import Bibliography, entries_from_items
from footnoted.diagnostics import Diagnostic, did_you_mean, error, warning
from footnoted.disclosure import ai_disclosure, drafted_kinds, says_not_reviewed
from footnoted.source import EditorialComment
from footnoted.styles import STYLE_NAMES, is_csl
from footnoted.tree import Blocks
from footnoted.yamlsafe import YamlList, YamlMap

TARGETS = ("blog", "pdf", "xhs")
STYLES = STYLE_NAMES
PAPERS = ("a5", "b5", "a4")


class FrontMatter(NamedTuple):
    title: str
    lang: str = "zh-CN"
    subtitle: str = ""
    author: str = ""
    date: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    style: str = "gb7714"
    typography: bool = True
    raw_html: bool = False
    paper: str = "a5"
    xhs_title: str = ""
    ai_disclosure: str = ""  # "": the wording follows the provenance marks (footnoted.disclosure)
    accent: str = ""  # the Xiaohongshu cards' accent colour, '#rrggbb' or '#rgb'; "": their own
    bibliography: tuple[str, ...] = ()  # the essay's own bibliography files, relative to it (as in pandoc)
    references: Bibliography | None = None  # entries written in the front matter (pandoc's `references:`)
    nocite: tuple[str, ...] = ()  # keys listed though not cited; "*" for every entry
    style_place: tuple[int, int] = (1, 1)  # line and column of `style:` or `csl:`: a CSL file's problems point there

    @property
    def is_chinese(self) -> bool:
        return self.lang.lower().startswith("zh")


_TEXT_KEYS = ("title", "lang", "subtitle", "author", "date", "description", "xhs_title", "ai_disclosure", "accent")
_KNOWN_KEYS = (*_TEXT_KEYS, "tags", "style", "csl", "typography", "raw_html", "paper", "bibliography", "references",
               "nocite")
# pandoc's citation key: "@key", "@{key with spaces}", "@*"; a final "." or ":" ends the sentence, not the key.
_NOCITE_KEY = re.compile(r"@(\*|\{[^{}]*\}|[\w][\w:.#$%&+?<>~/-]*)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}\Z")


def read_front_matter(path: str, data: object) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Check the front matter's keys and types; every problem becomes a diagnostic."""
    problems: list[Diagnostic] = []
    if data is None:
        data = YamlMap()
        data.place, data.key_places, data.value_places = None, {}, {}
    if not isinstance(data, YamlMap):
        return None, [error(path, 2, 1, "front matter must be a mapping of 'key: value' lines", "frontmatter.not-a-mapping")]

    def place_of(key: str) -> tuple[int, int]:
        """Where the key's value stands, else the key, else the file's start."""
        place = data.value_places.get(key) or data.key_places.get(key)
        return (place.line, place.col) if place else (1, 1)

    def at(key: str, message: str, code: str) -> None:
        problems.append(error(path, *place_of(key), message, code))

    fields: dict[str, object] = {}
    for key in data:
        if key not in _KNOWN_KEYS:
            place = data.key_places[key]
            problems.append(warning(path, place.line, place.col,
                f"unknown front matter key '{key}'{did_you_mean(key, _KNOWN_KEYS)}", "frontmatter.unknown-key"))
    for key in _TEXT_KEYS:
        if key in data and data[key] is not None:
            if isinstance(data[key], (str, int)) and not isinstance(data[key], bool):
                fields[key] = str(data[key]).strip()
            else:
                at(key, f"'{key}' must be text", "frontmatter.type")
    if not fields.get("title") and not _wrong_type(data.get("title")):  # a wrong type is reported already
        problems.append(error(path, 1, 1, "front matter needs a 'title'", "frontmatter.missing-title"))
    if fields.get("date") and not _is_date(str(fields["date"])):
        at("date", f"'date' must be YYYY-MM-DD, not '{fields['date']}'", "frontmatter.date")
    if fields.get("accent") and not _COLOUR.match(str(fields["accent"])):
        problems.append(warning(path, *place_of("accent"),
                                f"'accent' must be a colour written '#rrggbb' or '#rgb', not '{fields['accent']}': "
                                "the cards keep their own", "frontmatter.accent"))
        del fields["accent"]
    tags = data.get("tags", [])
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,，\s]+", tags) if t]
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) and not isinstance(t, bool) for t in tags):
        at("tags", "'tags' must be a list of words", "frontmatter.type")
    else:
        fields["tags"] = tuple(str(t).lstrip("#") for t in tags)
    for key in ("typography", "raw_html"):
        if key in data:
            if isinstance(data[key], bool):
                fields[key] = data[key]
            else:
                at(key, f"'{key}' must be true or false", "frontmatter.type")
    lang = str(fields.get("lang", "zh-CN"))
    fields["style"] = "gb7714" if lang.lower().startswith("zh") else "chicago"
    for key, choices in (("style", STYLES), ("paper", PAPERS)):
        if key in data:
            if key == "style" and isinstance(data[key], str) and data[key].strip().lower().endswith(".csl"):
                fields["style"] = data[key].strip()  # a CSL file, relative to the essay (styles/csl.py)
            elif data[key] in choices:
                fields[key] = data[key]
            else:
                also = " or a CSL file (name.csl)" if key == "style" else ""
                at(key, f"'{key}' must be one of {', '.join(choices)}{also}{did_you_mean(str(data[key]), choices)}",
                   "frontmatter.choice")
    _read_csl(data, fields, at, place_of)
    _read_citation_keys(path, data, fields, at)
    if any(p.severity.value == "error" for p in problems):
        return None, problems
    return FrontMatter(**fields), problems


def _read_csl(data: YamlMap, fields: dict[str, object], at, place_of) -> None:  # type: ignore[no-untyped-def]
    """`csl: file` as pandoc and Quarto spell it (without an extension, '.csl' is added, as pandoc
    does); it outranks `style:`, as pandoc's `csl` is the only style it knows."""
    csl = data.get("csl")
    if csl is not None:
        if not isinstance(csl, str) or not csl.strip():
            at("csl", "'csl' must be the name of a CSL style file", "frontmatter.type")
            return
        name = csl.strip()
        fields["style"] = name if Path(name).suffix else name + ".csl"
    key = "csl" if csl is not None else "style"
    if key in data and is_csl(str(fields.get("style", ""))):
        fields["style_place"] = place_of(key)


def _read_citation_keys(path: str, data: YamlMap, fields: dict[str, object], at) -> None:  # type: ignore[no-untyped-def]
    """`bibliography:` (one path or a list), `references:` (CSL entries, as in a CSL-YAML file)
    and `nocite:` (`@key, @key` or `@*`, as text or a list), as pandoc reads them."""
    files = data.get("bibliography")
    if isinstance(files, str):
        files = [files]
    if files is not None:
        if isinstance(files, list) and all(isinstance(f, str) and f.strip() for f in files):
            fields["bibliography"] = tuple(f.strip() for f in files)
        else:
            at("bibliography", "'bibliography' must be a file name or a list of them", "frontmatter.type")
    references = data.get("references")
    if isinstance(references, YamlMap) and isinstance(references.get("references"), YamlList):
        references = references["references"]
    if isinstance(references, YamlList):
        fields["references"] = entries_from_items(path, zip(references, references.item_places, strict=True), markdown=True)
    elif references is not None:
        at("references", "'references' must be a list of CSL entries", "frontmatter.type")
    nocite = data.get("nocite")
    if isinstance(nocite, str):
        nocite = [nocite]
    if nocite is not None:
        if isinstance(nocite, list) and all(isinstance(n, str) for n in nocite):
            keys = [match.group(1).strip("{}").rstrip(".:") for text in nocite for match in _NOCITE_KEY.finditer(text)]
            fields["nocite"] = tuple(dict.fromkeys(keys))
        else:
            at("nocite", "'nocite' must be citations such as '@key1, @key2' or '@*'", "frontmatter.type")  # type: ignore[arg-type]


def text_language(text: str) -> str:
    """'zh-CN' when most of the letters are Chinese characters, else 'en' (for an essay without `lang`)."""
    chinese = latin = 0
    for char in text:
        if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff":
            chinese += 1
        elif char.isascii() and char.isalpha():
            latin += 1
    return "zh-CN" if chinese >= latin and chinese else "en"


def _is_date(text: str) -> bool:
    """YYYY-MM-DD and a real day: '2024-13-01' would crash the date in words."""
    try:
        return bool(_DATE.match(text)) and bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False


def _wrong_type(value: object) -> bool:
    return value is not None and (isinstance(value, bool) or not isinstance(value, (str, int)))


class FootnoteDef(NamedTuple):
    label: str
    blocks: Blocks
    line: int


class ProvenanceMark(NamedTuple):
    """`#llm-draft` and kin: who wrote the block at `block_line`."""

    mark: str  # "mine", "llm-draft" or "llm-reviewed"
    line: int
    block_line: int


class Essay(NamedTuple):
    path: str
    stem: str
    front: FrontMatter
    blocks: Blocks
    footnotes: Mapping[str, FootnoteDef] = MappingProxyType({})
    provenance: tuple[ProvenanceMark, ...] = ()
    comments: tuple[EditorialComment, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()  # found while parsing; errors stop this essay's outputs

    @property
    def has_llm_text(self) -> bool:
        return any(m.mark.startswith("llm") for m in self.provenance)


_MARK_WORDS = {"llm-draft": "LLM-drafted, not reviewed", "llm-reviewed": "LLM-drafted, reviewed", "mine": "the author's"}


def provenance_report(essay: Essay) -> str:
    """'provenance essay/x.md: 1 LLM-drafted, reviewed (line 38); 1 the author's (line 41); disclosure: "…"':
    the marked blocks and what the outputs tell the reader; a second line when a block is not reviewed."""
    counts = []
    for mark, words in _MARK_WORDS.items():
        lines = [m.block_line for m in essay.provenance if m.mark == mark]
        places = f" (line{'s' * (len(lines) > 1)} {', '.join(map(str, lines))})" if lines else ""
        counts.append(f"{len(lines)} {words}{places}")
    report = f"provenance {essay.path}: " + "; ".join(counts)
    disclosure = ai_disclosure(essay)
    if disclosure:
        report += f'; disclosure: "{disclosure}"'
    if drafted_kinds(essay.provenance)[0]:
        told = "says so" if not essay.front.ai_disclosure or says_not_reviewed(disclosure) else "does NOT say so"
        report += (f"\nprovenance {essay.path}: NOT REVIEWED: LLM-drafted text nobody has reviewed; "
                   f"the disclosure {told}")
    return report
