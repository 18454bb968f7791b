"""CSL-YAML, as pandoc, Zotero and Better BibTeX write it: a `references:` list or a bare list,
with or without the `---` and `---`/`...` lines around it (pandoc's `-s -t markdown` writes them).
Its text is Markdown, as pandoc reads it."""

from collections.abc import Iterator

from footnoted.diagnostics import Diagnostic
from footnoted.yamlsafe import Place, iter_yaml_entries

MARKDOWN = True


def read(path: str, text: str, problems: list[Diagnostic]) -> Iterator[tuple[object, Place]]:
    """Each item of the list, with its place; InputError for what makes the file unreadable."""
    text, offset = _without_fences(text)
    return iter_yaml_entries(text, path, offset, problems)


def _without_fences(text: str) -> tuple[str, int]:
    """The YAML between a first line `---` and a last line `---` or `...`, as in a Markdown
    file's metadata block; the text as it is otherwise."""
    if not text.startswith("---") or text[3:].split("\n", 1)[0].strip():
        return text, 0
    start = text.find("\n") + 1
    position = start
    while position < len(text):
        end = text.find("\n", position)
        line = text[position : end if end >= 0 else len(text)]
        if line.rstrip() in ("---", "..."):
            if text[position + len(line) :].strip():  # more after it: a second document, which YAML refuses
                return text, 0
            return text[start:position], 1
        if end < 0:
            break
        position = end + 1
    return text, 0
