"""Citation keys that look like other keys: invisible characters, mixed scripts, compatibility forms.

`smith2020` with a Cyrillic `і`, or with a zero-width space, or with a right-to-left override,
looks like `smith2020` on screen and in review, yet is another key: it resolves to another entry
(a look-alike entry placed in the bibliography) or to none. These are warnings, in `check` and in
every build, so `--strict` refuses them. Only `unicodedata` is used: a build pays nothing else.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from footnoted.bibliography import Bibliography
from footnoted.diagnostics import Diagnostic, warning
from footnoted.essay import Essay
from footnoted.resolve import cite_items, resolve_key

# Invisible though not of an invisible category (Unicode's Default_Ignorable_Code_Point, in part).
_IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0, *range(0x180B, 0x1810), *range(0xFE00, 0xFE10),
     *range(0xE0100, 0xE01F0)]
)
_INVISIBLE_CATEGORIES = ("Cf", "Cc", "Zl", "Zp", "Co", "Cn")  # bidi controls and zero-widths are Cf
# Unicode's "highly restrictive" mixes (UTS #39): Latin with the scripts Chinese, Japanese and Korean are written in.
_ALLOWED_MIXES = (frozenset({"Latin", "Han", "Hiragana", "Katakana"}), frozenset({"Latin", "Han", "Bopomofo"}),
                  frozenset({"Latin", "Han", "Hangul"}))


def lookalike_keys(essays: Iterable[Essay], bibliography: Bibliography | None) -> list[Diagnostic]:
    """A warning for each key, in the drafts' citations and in the bibliography, that is not what it looks like."""
    problems = []
    for essay in essays:
        for item in cite_items(essay):
            # `@a:b` is a key or a key and its quote only against the bibliography (resolve_key).
            key, quote, _ = resolve_key(item, bibliography) if bibliography else (item.key, item.quote, None)
            for what, text, code in (("citation key", key, "cite"), ("quote id", quote, "cite")):
                problems += [warning(essay.path, item.line, item.col, f"{what} '{_shown(text)}' {message}", f"{code}.{kind}")
                             for message, kind in _suspect(text)]
    for entry in bibliography.entries.values() if bibliography else ():
        problems += [warning(entry.path, entry.line, entry.col, f"entry id '{_shown(entry.id)}' {message}", f"bib.{kind}")
                     for message, kind in _suspect(entry.id)]
        for passage in entry.quotes.values():
            problems += [warning(entry.path, passage.line, passage.col, f"quote id '{_shown(passage.id)}' {message}",
                                 f"bib.{kind}") for message, kind in _suspect(passage.id)]
    return problems


def _suspect(key: str) -> list[tuple[str, str]]:
    """(what is wrong, code) for one key; [] for a plain one (the common case, settled by one test)."""
    if key.isascii() and key.isprintable():
        return []
    problems = []
    invisible = [(i, c) for i, c in enumerate(key, 1) if _invisible(c)]
    if invisible:
        problems.append((f"has {_count(len(invisible), 'invisible character')}: {_listed(invisible)}; retype the key",
                         "invisible-character"))
    compatible = [(i, c) for i, c in enumerate(key, 1) if not _invisible(c) and unicodedata.normalize("NFKC", c) != c]
    if compatible:
        plain = "".join(unicodedata.normalize("NFKC", c) for _, c in compatible)
        problems.append((f"has {_count(len(compatible), 'look-alike character')} for '{plain}': {_listed(compatible)}",
                         "lookalike-character"))
    elif unicodedata.normalize("NFC", key) != key:
        marks = [(i, c) for i, c in enumerate(key, 1) if unicodedata.combining(c)]
        problems.append((f"is spelt with combining marks, unlike the same letters typed whole: {_listed(marks)}",
                         "lookalike-character"))
    scripts: dict[str, list[tuple[int, str]]] = {}
    for i, c in enumerate(key, 1):
        script = _script(c)
        if script:
            scripts.setdefault(script, []).append((i, c))
    if len(scripts) > 1 and not any(scripts.keys() <= allowed for allowed in _ALLOWED_MIXES):
        ranked = sorted(scripts, key=lambda s: (-len(scripts[s]), s))
        odd = [place for script in ranked[1:] for place in scripts[script]]
        problems.append((f"mixes {' and '.join(ranked)} letters, so it only looks like a {ranked[0]} key: {_listed(odd)}",
                         "mixed-scripts"))
    return problems


def _invisible(c: str) -> bool:
    category = unicodedata.category(c)
    return category in _INVISIBLE_CATEGORIES or ord(c) in _IGNORABLE or (category == "Zs" and c != " ")


def _script(c: str) -> str:
    """The script of a letter, from its Unicode name ('' for digits, punctuation, marks)."""
    if not unicodedata.category(c).startswith("L") or unicodedata.category(c) == "Lm":
        return ""
    words = unicodedata.name(c, "").split()
    if words[:1] in (["FULLWIDTH"], ["HALFWIDTH"]):  # the compatibility forms of the script of their next word
        words = words[1:]
    first = words[0] if words else ""
    return {"CJK": "Han", "": ""}.get(first, first.capitalize())


def _listed(places: list[tuple[int, str]]) -> str:
    named = [f"U+{ord(c):04X} {unicodedata.name(c, 'an unnamed character')} (character {i})" for i, c in places[:3]]
    return ", ".join(named) + (f" and {len(places) - 3} more" if len(places) > 3 else "")


def _shown(key: str) -> str:
    """The key as it may be printed: an invisible character as <U+200B>, so no bidi control reorders the line."""
    return "".join(f"<U+{ord(c):04X}>" if _invisible(c) else c for c in key)


def _count(number: int, noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}" if number == 1 else f"{number} {noun}s"
