"""BibTeX and BibLaTeX (`.bib`), mapped to CSL variables as pandoc maps them.

The mapping follows pandoc's Text.Pandoc.Citeproc.BibTeX (pandoc 2.17): entry types to CSL
types, BibLaTeX's title, subtitle and titleaddon joined, `number` read as the issue of an
article and as the collection number of a book, `crossref` inherited, names split into given,
particle, family and suffix (BibLaTeX's reading: "Drummond de Andrade, Carlos" has no
particle), English titles in sentence case with braced words kept as written. LaTeX becomes
CSL's markup: `\\emph{…}` is `<i>…</i>`, accents are letters, `--` a dash. Where we differ
from pandoc, tests/test_bibliography.py lists it and says why.
"""

import re
import unicodedata
from collections.abc import Iterator

from footnoted.bibliography.csl import Located
from footnoted.bibliography.richtext import plain
from footnoted.diagnostics import Diagnostic, InputError, error, warning
from footnoted.yamlsafe import Place

MARKDOWN = False

# --- reading the file -------------------------------------------------------------------------

_KEY_CHARS = re.compile(r"[^\s,{}\"#%~\\]+")  # pandoc's key characters and then some: any but these
_FIELD_NAME = re.compile(r"[A-Za-z0-9_:+.-]+")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_MACROS = {m: str(i) for i, m in enumerate(_MONTHS, 1)}


class _Item:
    __slots__ = ("field_places", "fields", "key", "place", "type")

    def __init__(self, key: str, entry_type: str, place: Place) -> None:
        self.key, self.type, self.place = key, entry_type, place
        self.fields: dict[str, str] = {}
        self.field_places: dict[str, Place] = {}


class _Scanner:
    def __init__(self, path: str, text: str) -> None:
        self.path, self.text, self.position = path, text, 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def place(self, offset: int) -> Place:
        import bisect

        line = bisect.bisect_right(self.line_starts, offset)
        return Place(line, offset - self.line_starts[line - 1] + 1)

    def fail(self, message: str) -> InputError:
        place = self.place(min(self.position, len(self.text)))
        return InputError([error(self.path, place.line, place.col, f"BibTeX syntax: {message}", "bibtex.syntax")])

    def space(self) -> None:
        text, position = self.text, self.position
        while position < len(text) and text[position].isspace():
            position += 1
        self.position = position

    def expect(self, char: str) -> None:
        self.space()
        if not self.text.startswith(char, self.position):
            found = self.text[self.position : self.position + 1] or "the end of the file"
            raise self.fail(f"expected '{char}', found '{found}'")
        self.position += 1

    def braced(self) -> str:
        """From an opening brace to its match; the braces inside are kept."""
        return self._delimited(closes_at_depth_zero="}", unclosed="a '{' is never closed")

    def quoted(self) -> str:
        """From an opening '"' to the next one outside braces."""
        return self._delimited(closes_at_depth_zero='"', unclosed="a '\"' is never closed")

    def _delimited(self, closes_at_depth_zero: str, unclosed: str) -> str:
        """The text between the opening character at `position` and its closer. A closer counts only
        outside nested braces (the opening brace of a braced value is itself one level); a backslash
        escapes the character after it."""
        text, start = self.text, self.position
        depth = 1 if closes_at_depth_zero == "}" else 0
        position = start + 1
        while position < len(text):
            char = text[position]
            if char == "\\":
                position += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            if char == closes_at_depth_zero and depth == 0:
                self.position = position + 1
                return text[start + 1 : position]
            position += 1
        self.position = start
        raise self.fail(unclosed)

    def value(self, strings: dict[str, str]) -> str:
        parts = []
        while True:
            self.space()
            char = self.text[self.position : self.position + 1]
            if char == "{":
                parts.append(self.braced())
            elif char == '"':
                parts.append(self.quoted())
            else:
                match = _FIELD_NAME.match(self.text, self.position)
                if not match:
                    raise self.fail(f"expected a value, found '{char or 'the end of the file'}'")
                self.position = match.end()
                word = match.group().lower()
                parts.append(match.group() if match.group().isdigit() else strings.get(word, _MONTH_MACROS.get(word, match.group())))
            self.space()
            if self.text.startswith("#", self.position):
                self.position += 1
                continue
            return "".join(parts)


def read(path: str, text: str, problems: list[Diagnostic]) -> Iterator[tuple[object, Place]]:
    items = _parse(path, text)
    by_key = {item.key.lower(): item for item in items}
    for item in items:
        if item.type == "xdata":
            continue
        _inherit(item, by_key, problems, path)
        located = _to_csl(item)
        yield located, item.place


def _parse(path: str, text: str) -> list[_Item]:
    scanner = _Scanner(path, text)
    strings: dict[str, str] = {}
    items: list[_Item] = []
    while True:
        at = text.find("@", scanner.position)
        if at < 0:
            return items
        scanner.position = at + 1
        match = re.compile(r"[A-Za-z]+").match(text, scanner.position)
        if not match:
            continue  # an "@" in a comment between entries
        kind = match.group().lower()
        scanner.position = match.end()
        scanner.space()
        if kind == "comment":
            if text.startswith("{", scanner.position):
                scanner.braced()
            continue
        opener = text[scanner.position : scanner.position + 1]
        if opener not in "{(" or not opener:
            continue
        closer = "}" if opener == "{" else ")"
        if kind == "preamble":
            scanner.braced() if opener == "{" else scanner.expect(")")
            continue
        scanner.position += 1
        if kind == "string":
            scanner.space()
            name = _FIELD_NAME.match(text, scanner.position)
            if not name:
                raise scanner.fail("expected a @string name")
            scanner.position = name.end()
            scanner.expect("=")
            strings[name.group().lower()] = scanner.value(strings)
            scanner.expect(closer)
            continue
        scanner.space()
        key = _KEY_CHARS.match(text, scanner.position)
        if not key:
            raise scanner.fail("expected the entry's key")
        item = _Item(key.group(), kind, scanner.place(at))
        scanner.position = key.end()
        scanner.space()
        while True:
            scanner.space()
            if text.startswith(closer, scanner.position):
                scanner.position += 1
                break
            if text.startswith(",", scanner.position):
                scanner.position += 1
                continue
            name = _FIELD_NAME.match(text, scanner.position)
            if not name:
                raise scanner.fail(f"expected a field name or '{closer}'")
            field = name.group().lower()
            field = {"archiveprefix": "eprinttype", "primaryclass": "eprintclass"}.get(field, field)
            field_place = scanner.place(name.start())
            scanner.position = name.end()
            scanner.expect("=")
            value = scanner.value(strings)
            if field not in item.fields:  # pandoc keeps one; BibTeX warns and keeps the first
                item.fields[field] = value.strip()
                item.field_places[field] = field_place
        items.append(item)


# --- crossref and xdata ------------------------------------------------------------------------

_STANDARD = {"title": "maintitle", "subtitle": "mainsubtitle", "titleaddon": "maintitleaddon"}
_BOOKISH = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}
_NOT_INHERITED = {"ids", "crossref", "xref", "entryset", "entrysubtype", "execute", "label", "options", "presort",
                  "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand", "shorthandintro", "sortkey"}
_UNTITLED = {"shorttitle", "sorttitle", "indextitle", "indexsorttitle"}


def _transform(source: str, target: str, key: str) -> list[str]:
    if key in _NOT_INHERITED:
        return []
    if key == "author" and ((source in ("mvbook", "book") and target in ("inbook", "bookinbook", "suppbook"))
                            or (source == "mvbook" and target == "book")):
        return ["bookauthor", "author"]
    table = None
    if (source == "mvbook" and target in ("book", "inbook", "bookinbook", "suppbook")) or (
        source in ("mvcollection", "mvreference") and target in ("collection", "reference", "incollection", "inreference", "suppcollection")
    ) or (source == "mvproceedings" and target in ("proceedings", "inproceedings")):
        table = _STANDARD
    elif (source == "book" and target in ("inbook", "bookinbook", "suppbook")) or (
        source in ("collection", "reference") and target in ("incollection", "inreference", "suppcollection")
    ) or (source == "proceedings" and target == "inproceedings"):
        table = _BOOKISH
    elif source == "periodical" and target in ("article", "suppperiodical"):
        table = {"title": "journaltitle", "subtitle": "journalsubtitle"}
    if table is not None:
        if key in _UNTITLED:
            return []
        return [table.get(key, key)]
    return [key]


def _inherit(item: _Item, by_key: dict[str, _Item], problems: list[Diagnostic], path: str, depth: int = 0) -> None:
    for link in ("crossref", "xdata"):
        if link not in item.fields or depth > 8:
            continue
        for parent_key in filter(None, re.split(r"[\s,]+", item.fields[link])):
            parent = by_key.get(parent_key.lower())
            if parent is None:
                place = item.field_places[link]
                problems.append(warning(path, place.line, place.col, f"{link} '{parent_key}' is not in this file", "bibtex.crossref"))
                continue
            _inherit(parent, by_key, problems, path, depth + 1)
            for key, value in parent.fields.items():
                for target in _transform(parent.type, item.type, key) if link == "crossref" else [key]:
                    if target not in item.fields and key not in ("crossref", "xdata"):
                        item.fields[target] = value
                        item.field_places[target] = item.place


# --- LaTeX to CSL's markup -------------------------------------------------------------------

_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
            "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323",
            "b": "\u0331"}
_SYMBOLS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "l": "ł",
            "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "dag": "†", "ddag": "‡",
            "S": "§", "P": "¶", "copyright": "©", "pounds": "£", "textendash": "–", "textemdash": "—",
            "ldots": "…", "dots": "…", "textellipsis": "…", "LaTeX": "LaTeX", "TeX": "TeX", "textbackslash": "\\",
            "textasciitilde": "~", "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“",
            "textquotedblright": "”", "guillemotleft": "«", "guillemotright": "»", "textregistered": "®",
            "texttrademark": "™", "textdegree": "°", "textperiodcentered": "·", "nobreakspace": "\u00a0",
            "quad": "\u2003", "qquad": "\u2003\u2003", "space": " ", "slash": "/", "ng": "ŋ", "NG": "Ŋ"}
_STYLE_COMMANDS = {"emph": "i", "textit": "i", "textsl": "i", "mkbibemph": "i", "mkbibitalic": "i", "textbf": "b",
                   "mkbibbold": "b", "textsc": "sc", "textsuperscript": "sup", "mkbibsuperscript": "sup",
                   "textsubscript": "sub", "mkbibsubscript": "sub"}
_STYLE_SWITCHES = {"em": "i", "it": "i", "itshape": "i", "sl": "i", "bf": "b", "bfseries": "b", "sc": "sc", "scshape": "sc"}
# TeX's ligatures in text, longest first (a lone '-' is none).
_LIGATURES = {"---": "—", "--": "–", "``": "“", "''": "”", "`": "‘", "'": "’"}


def _ligature_at(text: str, position: int) -> str:
    return next((ligature for ligature in _LIGATURES if text.startswith(ligature, position)), "")


_TAGS = {"i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>"),
         "sc": ('<span style="font-variant:small-caps;">', "</span>"), "nocase": ('<span class="nocase">', "</span>")}
_DROPPED_COMMANDS = {"url", "nolinkurl", "path", "mbox", "hbox", "text", "textnormal", "textrm", "textsf", "texttt",
                     "textup", "textmd", "uppercase", "lowercase", "MakeUppercase",
                     "MakeLowercase", "ensuremath", "mathrm", "mathit", "mathbf", "hyphenation", "foreignlanguage"}


class _Latex:
    """LaTeX in a field to pieces of text: (text, protected, styles). A brace group protects its
    words from a change of case, as in BibTeX."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def pieces(self, protected: bool = False, styles: tuple[str, ...] = (), until: str = "") -> list[tuple[str, bool, tuple[str, ...]]]:
        out: list[tuple[str, bool, tuple[str, ...]]] = []
        text = self.text
        buffer: list[str] = []

        def flush() -> None:
            if buffer:
                out.append(("".join(buffer), protected, styles))
                buffer.clear()

        while self.position < len(text):
            char = text[self.position]
            if until and char == until:
                self.position += 1
                break
            if char == "{":
                flush()
                self.position += 1
                inner = _Latex(text)
                inner.position = self.position
                group = inner.pieces(True, styles, "}")
                self.position = inner.position
                out.extend(self._switched(group))
            elif char == "\\":
                flush()
                out.extend(self.command(protected, styles))
            elif char == "$":
                end = text.find("$", self.position + 1)
                end = end if end >= 0 else len(text)
                buffer.append(self.text[self.position + 1 : end].replace("\\", ""))
                self.position = end + 1
            elif char == "~":
                buffer.append("\u00a0")
                self.position += 1
            elif char in "-`'" and (ligature := _ligature_at(text, self.position)):
                buffer.append(_LIGATURES[ligature])
                self.position += len(ligature)
            elif char.isspace():
                if not buffer or buffer[-1] != " ":
                    buffer.append(" ")
                self.position += 1
            else:
                buffer.append(char)
                self.position += 1
        flush()
        return out

    @staticmethod
    def _switched(group: list[tuple[str, bool, tuple[str, ...]]]) -> list[tuple[str, bool, tuple[str, ...]]]:
        """`{\\em x}`: a style switch applies to the rest of its group."""
        return group

    def argument(self) -> str:
        text = self.text
        while self.position < len(text) and text[self.position] == " ":
            self.position += 1
        if self.position < len(text) and text[self.position] == "{":
            depth, start = 0, self.position
            while self.position < len(text):
                char = text[self.position]
                if char == "\\":
                    self.position += 2
                    continue
                depth += char == "{"
                depth -= char == "}"
                self.position += 1
                if depth == 0:
                    return text[start + 1 : self.position - 1]
            return text[start + 1 :]
        if self.position < len(text):
            self.position += 1
            return text[self.position - 1]
        return ""

    def command(self, protected: bool, styles: tuple[str, ...]) -> list[tuple[str, bool, tuple[str, ...]]]:
        text = self.text
        self.position += 1
        if self.position >= len(text):
            return []
        match = re.compile(r"[A-Za-z]+").match(text, self.position)
        if not match:  # \& \% \{ \' and kin
            char = text[self.position]
            self.position += 1
            if char in _ACCENTS:
                return [(_accented(char, _Latex(self.argument()).plain()), protected, styles)]
            if char == "\\":
                return [(" ", protected, styles)]
            return [(char if char not in "/-," else ("" if char in "/-" else " "), protected, styles)]
        name = match.group()
        self.position = match.end()
        if name in _ACCENTS and len(name) == 1:
            return [(_accented(name, _Latex(self.argument()).plain()), protected, styles)]
        if name in _SYMBOLS:
            if text.startswith("{}", self.position):
                self.position += 2
            elif self.position < len(text) and text[self.position] == " ":
                self.position += 1
            return [(_SYMBOLS[name], protected, styles)]
        if name in _STYLE_COMMANDS:
            inner = _Latex(self.argument())
            return inner.pieces(protected, (*styles, _STYLE_COMMANDS[name]))
        if name in _STYLE_SWITCHES:
            rest = _Latex(text)
            rest.position = self.position
            group = rest.pieces(protected, (*styles, _STYLE_SWITCHES[name]), "}" if protected else "")
            self.position = rest.position - (1 if protected and rest.position <= len(text) and text[rest.position - 1 : rest.position] == "}" else 0)
            return group
        if name in ("enquote", "mkbibquote", "textquote"):
            single = text.startswith("*", self.position)
            self.position += single
            opening, closing = ("‘", "’") if single else ("“", "”")
            inner = _Latex(self.argument()).pieces(True, styles)  # pandoc changes no case inside quotes
            return [(opening, protected, styles), *inner, (closing, protected, styles)]
        if name == "hyphen":
            if self.position < len(text) and text[self.position] == " ":
                self.position += 1
            return [("-", protected, styles)]
        if name == "href":
            self.argument()
            return _Latex(self.argument()).pieces(protected, styles)
        if name in ("bibstring", "autocap"):
            word = self.argument()
            return [(_BIBSTRINGS.get(word.lower(), word), protected, styles)]
        if name in ("noopsort", "sortname"):
            self.argument()
            return []
        # Any other command: its argument's text (\url{…}, \textrm{…}, \mbox{…}), or nothing.
        if self.position < len(text) and text[self.position] == "{":
            return _Latex(self.argument()).pieces(protected or name not in _DROPPED_COMMANDS, styles)
        if self.position < len(text) and text[self.position] == " ":
            self.position += 1
        return []

    def plain(self) -> str:
        return "".join(piece[0] for piece in self.pieces())


def _accented(accent: str, letter: str) -> str:
    letter = {"\\i": "i", "ı": "i", "\\j": "j"}.get(letter, letter)
    if not letter:
        return {"~": "~", "^": "^"}.get(accent, "")
    return unicodedata.normalize("NFC", letter[0] + _ACCENTS[accent]) + letter[1:]


def _rich(pieces: list[tuple[str, bool, tuple[str, ...]]], nocase: bool = True) -> str:
    out = []
    for text, protected, styles in pieces:
        out += [_TAGS[style][0] for style in styles]
        wrap = nocase and protected and any(w[:1].islower() for w in re.split(r"[\s\W]+", text) if w)
        out.append(f"{_TAGS['nocase'][0]}{text}{_TAGS['nocase'][1]}" if wrap else text)
        out += [_TAGS[style][1] for style in reversed(styles)]
    return re.sub(r"</(i|b|sup|sub)><\1>", "", "".join(out))


def _latex(value: str) -> str:
    return _rich(_Latex(value).pieces()).strip()


def _sentence_case(pieces: list[tuple[str, bool, tuple[str, ...]]]) -> list[tuple[str, bool, tuple[str, ...]]]:
    """English titles as pandoc gives them to CSL (citeproc's sentence case): a word with one
    capital, first (each part of "Higher-Dimensional", "Reddit.Com"), is lowercased, except at
    the start and after a colon, where the first letter is capitalized; braces protect ("{NASA}")."""
    result = []
    first = True
    for text, protected, styles in pieces:
        if protected:
            result.append((text, protected, styles))
            first = first and not text.strip()
            continue
        out = []
        for token in _TOKENS.findall(text):
            if token[0].isalpha():
                if first:
                    token = token[0].upper() + token[1:]
                    first = False
                elif _capitalized_word(token):
                    token = token.lower()
            else:
                if any(c.isalnum() for c in token):
                    first = False  # "V: 2-groups": a number is the first word after the colon
                if ":" in token or "?" in token or "!" in token:
                    first = True
            out.append(token)
        result.append(("".join(out), protected, styles))
    return result


_TOKENS = re.compile(r"[^\W\d_]+|\d+|[\W_]+")


def _capitalized_word(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


# --- the mapping to CSL ----------------------------------------------------------------------

_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "pamphlet", "bookinbook": "chapter", "collection": "book",
    "dataset": "dataset", "electronic": "webpage", "inbook": "chapter", "incollection": "chapter",
    "inreference": "entry-encyclopedia", "inproceedings": "paper-conference", "conference": "paper-conference",
    "manual": "book", "mastersthesis": "thesis", "misc": "", "mvbook": "book", "mvcollection": "book",
    "mvproceedings": "book", "mvreference": "book", "online": "webpage", "patent": "patent",
    "periodical": "article-journal", "phdthesis": "thesis", "proceedings": "book", "reference": "book",
    "report": "report", "software": "book", "suppbook": "chapter", "suppcollection": "chapter",
    "suppperiodical": "article-journal", "techreport": "report", "thesis": "thesis", "unpublished": "manuscript",
    "www": "webpage", "artwork": "graphic", "audio": "song", "commentary": "book", "image": "graphic",
    "jurisdiction": "legal_case", "legislation": "legislation", "legal": "treaty", "letter": "personal_communication",
    "movie": "motion_picture", "music": "song", "performance": "speech", "review": "review", "standard": "legislation",
    "video": "motion_picture", "data": "dataset", "letters": "personal_communication", "newsarticle": "article-newspaper",
}
_BIBSTRINGS = {  # BibLaTeX's localisation keys, in English, as pandoc resolves them
    "mathesis": "Master’s thesis", "phdthesis": "PhD thesis", "candthesis": "Candidate thesis",
    "techreport": "technical report", "resreport": "research report", "software": "computer software",
    "datacd": "CD-ROM", "audiocd": "audio CD", "patent": "patent", "patentde": "German patent",
    "patenteu": "European patent", "patentfr": "French patent", "patentuk": "British patent", "patentus": "U.S. patent",
    "patreq": "patent request", "patreqde": "German patent request", "patreqeu": "European patent request",
    "patreqfr": "French patent request", "patrequk": "British patent request", "patrequs": "U.S. patent request",
    "newseries": "new series", "oldseries": "old series", "inpress": "in press", "forthcoming": "forthcoming",
    "inpreparation": "in preparation", "submitted": "submitted", "prepublished": "pre-published",
    "countryde": "Germany", "countryeu": "European Union", "countryep": "European Union", "countryfr": "France",
    "countryuk": "United Kingdom", "countryus": "United States of America", "jourser": "ser.",
}
_LANGUAGES = {
    "english": "en-US", "american": "en-US", "british": "en-GB", "australian": "en-AU", "newzealand": "en-NZ",
    "canadian": "en-CA", "german": "de-DE", "ngerman": "de-DE", "austrian": "de-AT", "naustrian": "de-AT",
    "swissgerman": "de-CH", "nswissgerman": "de-CH", "french": "fr-FR", "francais": "fr-FR", "spanish": "es-ES",
    "italian": "it-IT", "dutch": "nl-NL", "portuguese": "pt-PT", "portuges": "pt-PT", "brazil": "pt-BR",
    "brazilian": "pt-BR", "russian": "ru-RU", "polish": "pl-PL", "czech": "cs-CZ", "danish": "da-DK", "finnish": "fi-FI",
    "swedish": "sv-SE", "norsk": "nb-NO", "norwegian": "nb-NO", "nynorsk": "nn-NO", "greek": "el-GR", "turkish": "tr-TR",
    "hungarian": "hu-HU", "magyar": "hu-HU", "latin": "la", "hebrew": "he-IL", "arabic": "ar", "chinese": "zh-CN",
    "japanese": "ja-JP", "korean": "ko-KR", "catalan": "ca-AD", "croatian": "hr-HR", "slovak": "sk-SK",
    "slovene": "sl-SI", "slovenian": "sl-SI", "ukrainian": "uk-UA", "icelandic": "is-IS", "estonian": "et-EE",
    "latvian": "lv-LV", "lithuanian": "lt-LT", "romanian": "ro-RO", "bulgarian": "bg-BG", "serbian": "sr-RS",
    "vietnamese": "vi-VN", "thai": "th-TH", "basque": "eu", "galician": "gl-ES", "irish": "ga-IE", "welsh": "cy-GB",
    "afrikaans": "af-ZA", "indonesian": "id-ID", "persian": "fa-IR", "farsi": "fa-IR", "mongolian": "mn-MN",
}
_ARTICLES = ("article", "periodical", "suppperiodical", "review")
_CHAPTERS = ("inbook", "incollection", "inproceedings", "inreference", "bookinbook")
_COLLECTION_NUMBERED = ("book", "collection", "proceedings", "reference", "mvbook", "mvcollection", "mvproceedings",
                        "mvreference", "bookinbook", "inbook", "incollection", "inproceedings", "inreference",
                        "suppbook", "suppcollection")
_EPRINT_URLS = {"arxiv": "https://arxiv.org/abs/", "jstor": "https://www.jstor.org/stable/",
                "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/", "googlebooks": "https://books.google.com?id="}
_EDTF_DATE = re.compile(r"(-?\d{1,4}|\d{2}[uX]{2}|\d{3}[uX])(?:-(\d{2}|XX|uu)(?:-(\d{2}|XX|uu))?)?([~?%]*)\Z")


def _concat(separator: str, parts: list[str]) -> str:
    """pandoc's concatWith: joined by "sep ", or by a space after punctuation."""
    result = ""
    for part in parts:
        if not part:
            continue
        if not result:
            result = part
        elif plain(result)[-1:] in "!?.,:;":
            result += " " + part
        else:
            result += separator + " " + part
    return result


class _Mapper:
    def __init__(self, item: _Item) -> None:
        self.item = item
        self.fields = item.fields
        self.type = item.type
        language = self.fields.get("langid") or self.fields.get("hyphenation")
        self.language = _LANGUAGES.get(language.strip().lower(), language.strip().lower()) if language else ""
        self.english = not self.language or self.language.startswith("en")

    def field(self, name: str) -> str:
        return _latex(self.fields[name]) if self.fields.get(name) else ""

    def title(self, name: str) -> str:
        if not self.fields.get(name):
            return ""
        pieces = _Latex(self.fields[name]).pieces()
        if self.english:
            pieces = _sentence_case(pieces)
        return _capitalize_first(_rich(pieces).strip())

    def literal_list(self, name: str) -> str:
        value = self.fields.get(name, "")
        return "; ".join(_latex(part) for part in _split_and(value)) if value else ""

    def map(self) -> dict[str, object]:
        fields, et = self.fields, self.type
        csl: dict[str, object] = {"id": self.item.key}
        subtype = fields.get("entrysubtype", "")
        csl_type = _TYPES.get(et, "")
        if et in ("article", "periodical", "suppperiodical") and subtype in ("magazine", "newspaper"):
            csl_type = f"article-{subtype}"
        if et == "unpublished" and any(k in fields for k in ("eventdate", "eventtitle", "venue")):
            csl_type = "speech"
        csl["type"] = csl_type
        genre = _BIBSTRINGS.get(fields.get("type", "").lower(), fields.get("type", ""))
        if not genre and et in ("mastersthesis", "phdthesis"):
            genre = _BIBSTRINGS["mathesis" if et == "mastersthesis" else "phdthesis"]
        if genre:
            csl["genre"] = _latex(genre) if genre == fields.get("type") else genre
        if self.language:
            csl["language"] = self.language
        if "ids" in fields:
            csl["other-ids"] = fields["ids"]
        # dates
        for key, field, prefix in (("issued", "date", ""), ("event-date", "eventdate", "event"),
                                   ("original-date", "origdate", "orig"), ("accessed", "urldate", "url")):
            date = self.date(field, prefix)
            if date is not None:
                csl[key] = date
        # names
        names = {"author": "author", "container-author": "bookauthor", "translator": "translator", "editor": "editor",
                 "director": "director"}
        if fields.get("editortype", "").strip().lower() == "director":
            names["director"], names["editor"] = "editor", ""
        for key, field in names.items():
            if field and fields.get(field):
                parsed, others = _names(fields[field], _options(fields.get("options", "")).get("useprefix") == "true")
                if parsed:
                    csl[key] = parsed
                if others and key == "author":
                    csl["others"] = True
        # locators
        if fields.get("pages"):
            csl["page"] = self.field("pages").replace("–", "-")
        for key, field in (("number-of-pages", "pagetotal"), ("number-of-volumes", "volumes"),
                           ("chapter-number", "chapter"), ("edition", "edition"), ("version", "version")):
            if fields.get(field):
                csl[key] = self.field(field)
        volume = [self.field(f) for f in ("volume", "part") if fields.get(f)]
        if volume:
            csl["volume"] = ".".join(volume)
        if fields.get("number"):
            number = self.field("number")
            if et in _COLLECTION_NUMBERED:
                csl["collection-number"] = number
            elif et in _ARTICLES:
                csl["issue"] = _concat(",", [number, self.field("issue")])
            else:
                csl["number"] = number
        self.titles(csl)
        # publisher and places
        publisher = [self.field(f) if f == "howpublished" else self.literal_list(f)
                     for f in ("school", "institution", "organization", "howpublished", "publisher") if fields.get(f)]
        if publisher:
            csl["publisher"] = _concat(";", publisher)
        for key, field in (("original-publisher", "origpublisher"), ("event-place", "venue")):
            if fields.get(field):
                csl[key] = self.field(field)
        if fields.get("address"):
            csl["publisher-place"] = self.literal_list("address")
        elif fields.get("location") and et != "patent":
            csl["publisher-place"] = self.literal_list("location")
        if fields.get("origlocation"):
            csl["original-publisher-place"] = self.literal_list("origlocation")
        if csl_type == "patent" and fields.get("location"):
            csl["jurisdiction"] = "; ".join(_BIBSTRINGS.get(p.lower(), p) for p in (_latex(x) for x in _split_and(fields["location"])))
        # links and numbers
        options = _options(fields.get("options", ""))
        if fields.get("url") and (et == "online" or options.get("url") != "false"):
            csl["URL"] = fields["url"]
        elif fields.get("eprinttype", "").lower() in _EPRINT_URLS and fields.get("eprint"):
            csl["URL"] = _EPRINT_URLS[fields["eprinttype"].lower()] + fields["eprint"]
        if fields.get("doi") and options.get("doi") != "false":
            csl["DOI"] = fields["doi"]
        for key, field in (("ISBN", "isbn"), ("ISSN", "issn"), ("PMID", "pmid"), ("PMCID", "pmcid"), ("call-number", "library")):
            if fields.get(field):
                csl[key] = fields[field]
        # notes
        annotation = fields.get("annotation") or fields.get("annote")
        if annotation:
            csl["annote"] = _latex(annotation)
        for key, field in (("abstract", "abstract"), ("keyword", "keywords")):
            if fields.get(field):
                csl[key] = self.field(field)
        notes = [self.field("note") if et != "periodical" else "", self.field("addendum")]
        if any(notes):
            csl["note"] = _concat(".", notes)
        if fields.get("pubstate"):
            csl["status"] = _BIBSTRINGS.get(fields["pubstate"].strip().lower(), self.field("pubstate"))
        elif isinstance(csl.get("issued"), dict) and csl["issued"].get("literal") == "forthcoming":  # type: ignore[union-attr]
            csl["status"] = "forthcoming"
        return csl

    def titles(self, csl: dict[str, object]) -> None:
        fields, et = self.fields, self.type
        periodical, chapterlike = et == "periodical", et in _CHAPTERS
        main = "maintitle" in fields
        title = self.title("issuetitle") if periodical and "issuetitle" in fields else (
            self.title("maintitle") if main and not chapterlike else self.title("title"))
        subtitle = (self.title("issuesubtitle") if periodical and "issuesubtitle" in fields else
                    self.title("mainsubtitle") if main and not chapterlike and "mainsubtitle" in fields else self.title("subtitle"))
        addon = self.title("maintitleaddon") if main and not chapterlike and "maintitleaddon" in fields else self.title("titleaddon")
        if title or (periodical and "issuetitle" in fields) or "title" in fields or (main and not chapterlike):
            whole = _concat(".", [_concat(":", [title, subtitle]), addon])
            if whole:
                csl["title"] = whole
        if main:
            volume_title = self.title("title") if not chapterlike else self.title("booktitle")
            volume_subtitle = self.title("subtitle") if not chapterlike else self.title("booksubtitle")
            volume_addon = self.title("titleaddon") if not chapterlike else self.title("booktitleaddon")
            whole = _concat(".", [_concat(":", [volume_title, volume_subtitle]), volume_addon])
            if whole:
                csl["volume-title"] = whole
        if periodical and fields.get("title"):
            container, container_sub, container_addon = self.field("title"), self.field("subtitle"), self.field("titleaddon")
        elif chapterlike and fields.get("maintitle"):
            container, container_sub, container_addon = self.title("maintitle"), self.title("mainsubtitle"), self.title("maintitleaddon")
        elif chapterlike and fields.get("booktitle"):
            container, container_sub, container_addon = self.title("booktitle"), self.title("booksubtitle"), self.title("booktitleaddon")
        else:
            container = self.field("journaltitle") or self.field("journal")
            container_sub, container_addon = self.field("journalsubtitle"), ""
        whole = _concat(".", [_concat(":", [container, container_sub]), container_addon])
        if whole:
            csl["container-title"] = whole
        if periodical and not main and fields.get("shorttitle"):
            csl["container-title-short"] = self.field("shorttitle")
        elif fields.get("shortjournal"):
            csl["container-title-short"] = self.field("shortjournal")
        if fields.get("series"):
            series = self.title("series")
            raw = fields["series"].strip()
            if re.fullmatch(r"-?\d+", raw):
                series = f"{_ordinal(raw)} series"
            elif raw.lower() in _BIBSTRINGS:
                series = _capitalize_first(_BIBSTRINGS[raw.lower()])
            csl["collection-title"] = series
        if fields.get("shorttitle") and (not main or chapterlike):
            csl["title-short"] = self.title("shorttitle")
        elif fields.get("title"):  # the title field up to a colon; with a subtitle, the title field whole
            full = self.title("title")
            if ((subtitle or addon) and not main) or ":" in plain(full):
                csl["title-short"] = full.split(":", 1)[0].strip()
        for key, field in (("event", "eventtitle"), ("original-title", "origtitle")):
            if fields.get(field):
                csl[key] = self.title(field)

    def date(self, field: str, prefix: str) -> dict[str, object] | None:
        raw = self.fields.get(field, "").strip().replace("~", "~")
        if raw:
            parsed = _edtf(raw)
            if parsed is not None:
                return parsed
        year = self.fields.get(prefix + "year", "").strip()
        if not year and not raw:
            return None
        parts = []
        for start in ("", "end"):
            y = _latex(self.fields.get(prefix + start + "year", "")).replace("–", "-").replace("—", "-")
            if not re.fullmatch(r"-?\d+", y):
                continue
            part = [int(y)]
            month = _month(self.fields.get(prefix + start + "month", ""))
            if month:
                part.append(month)
                day = self.fields.get(prefix + start + "day", "").strip()
                if day.isdigit():
                    part.append(int(day))
            parts.append(part)
        if parts:
            return {"date-parts": parts}
        literal = year or raw
        return {"literal": _latex(literal)} if literal else None


def _capitalize_first(text: str) -> str:
    """The first letter upper case, outside tags, unless a nocase span protects it."""
    index = 0
    inside_nocase = False
    while index < len(text):
        if text[index] == "<":
            end = text.find(">", index)
            if end < 0:
                return text
            inside_nocase = inside_nocase or "nocase" in text[index:end]
            index = end + 1
            continue
        char = text[index]
        if char.isalpha():
            return text if inside_nocase else text[:index] + char.upper() + text[index + 1 :]
        index += 1
    return text


def _ordinal(number: str) -> str:
    n = int(number)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _month(value: str) -> int | None:
    value = value.strip().lower()
    if value in _MONTH_MACROS:
        return int(_MONTH_MACROS[value])
    return int(value) if value.isdigit() and 1 <= int(value) <= 24 else None


def _edtf(raw: str) -> dict[str, object] | None:
    """BibLaTeX's date field, EDTF as pandoc reads it: ranges ("2004/2005"; open with "", "..",
    "open" or "unknown"), circa and uncertain ("~", "?", "%"), a time after "T" dropped, and
    unspecified digits ("20uu", "19XX") as the range they span."""
    circa = False
    parts: list[list[int]] = []
    ends = raw.split("/")
    if len(ends) > 2:
        return None
    for end in ends:
        end = end.strip().split("T", 1)[0]
        if end in ("", "..", "open", "unknown"):
            continue
        match = _EDTF_DATE.match(end)
        if not match:
            return None
        year, month, day, mark = match.groups()
        circa = circa or "~" in mark or "%" in mark  # "?" is uncertain, not approximate: pandoc drops it
        if re.search("[uX]", year):  # unspecified digits: the range they span
            if len(ends) == 2:
                return None
            parts = [[int(re.sub("[uX]", "0", year))], [int(re.sub("[uX]", "9", year))]]
            break
        part = [int(year)]
        if month and month not in ("XX", "uu"):
            part.append(int(month))
            if day and day not in ("XX", "uu"):
                part.append(int(day))
        parts.append(part)
    if not parts:
        return None
    date: dict[str, object] = {"date-parts": parts}
    if circa:
        date["circa"] = True
    return date


def _options(text: str) -> dict[str, str]:
    options = {}
    for option in text.split(","):
        name, _, value = option.partition("=")
        if name.strip():
            options[name.strip().lower()] = value.strip().lower() or "true"
    return options


def _split_and(value: str) -> list[str]:
    """A name list or a literal list split at " and " outside braces."""
    parts, depth, start = [], 0, 0
    index = 0
    while index < len(value):
        char = value[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and value[index : index + 5].lower() == " and " and value[index + 1 : index + 4] == "and":
            parts.append(value[start:index])
            start = index + 5
            index += 4
        index += 1
    parts.append(value[start:])
    return [p.strip() for p in parts if p.strip()]


def _split_top(value: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        if depth == 0 and char in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _names(value: str, useprefix: bool) -> tuple[list[dict[str, str]], bool]:
    names, others = [], False
    for raw in _split_and(" ".join(value.split())):
        if raw == "others":
            others = True
            continue
        name = _name(raw)
        if useprefix and "dropping-particle" in name:  # BibLaTeX's useprefix: "van Gennep" sorted under v
            name["non-dropping-particle"] = name.pop("dropping-particle")
        if name:
            names.append(name)
    return names, others


def _name(raw: str) -> dict[str, str]:
    if raw.startswith("{") and raw.endswith("}") and _split_top(raw[1:-1], "") == [raw[1:-1]] and _balanced(raw[1:-1]):
        return {"literal": _plain_latex(raw[1:-1])}  # a braced name is an institution's, written whole
    if "=" in raw.split(",")[0] and re.match(r"\s*(given|family|prefix|suffix|useprefix)\s*=", raw):
        return _extended_name(raw)
    commas = [part.strip() for part in _split_top(raw, ",")]
    words = [[w for w in _split_top(part, " \u00a0") if w] for part in commas]
    if len(words) == 1:
        fvl = words[0]
        index = 0
        while index < len(fvl) and _capital(fvl[index]):
            index += 1
        if index == len(fvl) and fvl:
            first, vonlast, jr = fvl[:-1], fvl[-1:], []
        else:
            first, vonlast, jr = fvl[:index], fvl[index:], []
    elif len(words) == 2:
        vonlast, first, jr = words[0], words[1], []
    else:
        vonlast, jr, first = words[0], words[1], words[2]
    split = next((i for i, w in enumerate(vonlast) if _capital(w)), len(vonlast))
    if split == len(vonlast) and vonlast:
        von, last = vonlast[:-1], vonlast[-1:]
    else:
        von, last = vonlast[:split], vonlast[split:]
    name = {"family": _words(last), "given": _words(first), "dropping-particle": _words(von), "suffix": _words(jr)}
    name["given"] = re.sub(r"\b([A-Z])\.(?=[A-Z]\b)", r"\1. ", name["given"])  # "J.G. Smith" as "J. G. Smith"
    return {k: v for k, v in name.items() if v}


def _extended_name(raw: str) -> dict[str, str]:
    name: dict[str, str] = {}
    useprefix = False
    for part in _split_top(raw, ","):
        key, _, value = part.partition("=")
        key, value = key.strip().lower(), _plain_latex(value.strip().strip("{}"))
        if key == "given":
            name["given"] = f"{name['given']} {value}" if "given" in name else value
        elif key == "family":
            name["family"] = value
        elif key == "prefix":
            name["dropping-particle"] = value
        elif key == "suffix":
            name["suffix"] = value
        elif key == "useprefix":
            useprefix = value == "true"
    if useprefix and "dropping-particle" in name:
        name["non-dropping-particle"] = name.pop("dropping-particle")
    return name


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def _capital(word: str) -> bool:
    """pandoc's isCapitalized: the first letter upper case; a word in braces counts as capitalized."""
    if word.startswith("{") and not word.startswith("{\\"):
        return True
    text = _plain_latex(word)
    for char in text:
        if char.isupper():
            return True
        if not char.isdigit():
            return not char.isalpha()
    return True


def _plain_latex(text: str) -> str:
    return "".join(piece[0] for piece in _Latex(text).pieces()).strip()


def _words(words: list[str]) -> str:
    return " ".join(_plain_latex(w) for w in words)


def _to_csl(item: _Item) -> Located:
    located = Located(_Mapper(item).map())
    located.place = item.place
    places = {}
    for csl_key in located:
        places[csl_key] = item.place
    located.value_places = places
    located.key_places = places
    return located
