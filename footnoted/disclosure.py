"""What the outputs say about text drafted with AI: the visible disclosure and the implicit label.

The visible line follows the provenance marks (`#llm-draft`: not reviewed; `#llm-draft/reviewed`:
reviewed by the author) and the essay's language; `ai_disclosure:` in the front matter replaces it.
The implicit label is the metadata that GB 45438-2025 (under the Measures for Labeling
AI-Generated Synthetic Content, in force 2025-09-01) asks files to carry: a JSON value under the
key `AIGC`, in XMP under the TC260 namespace. It is written only when some block is AI-drafted.
README ("Editorial matter") says which parts of this we verified and which we could not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from html import escape

from footnoted.diagnostics import Diagnostic, warning

if TYPE_CHECKING:  # essay.py imports this module: the types only, no cycle at run time
    from footnoted.essay import Essay, FrontMatter, ProvenanceMark

# (chinese, unreviewed blocks present, reviewed blocks present) -> the wording
_WORDING = {
    (True, True, False): "本文部分内容由 AI 辅助起草，未经作者审阅。",
    (True, False, True): "本文部分内容由 AI 辅助起草，经作者审阅。",
    (True, True, True): "本文部分内容由 AI 辅助起草，其中一部分经作者审阅，其余未经作者审阅。",
    (False, True, False): "Parts of this essay were drafted with AI and have not been reviewed by the author.",
    (False, False, True): "Parts of this essay were drafted with AI and reviewed by the author.",
    (False, True, True):
        "Parts of this essay were drafted with AI: some have been reviewed by the author, others have not.",
}

# A custom wording that already tells the reader that something is not reviewed.
_SAYS_NOT_REVIEWED = re.compile(r"未经?[^。，,.]{0,6}审|尚未[^。，,.]{0,6}审|没有?[^。，,.]{0,6}审|待[^。，,.]{0,4}审"
                                r"|\bun-?reviewed\b|\bnot\b[\w\s-]{0,24}\breviewed\b", re.IGNORECASE)

TC260_NAMESPACE = "http://www.tc260.org.cn/ns/AIGC/1.0/"


def drafted_kinds(marks: Iterable[ProvenanceMark]) -> tuple[bool, bool]:
    """(some block is AI-drafted and not reviewed, some is AI-drafted and reviewed)."""
    kinds = {m.mark for m in marks}
    return "llm-draft" in kinds, "llm-reviewed" in kinds


def default_disclosure(chinese: bool, marks: Iterable[ProvenanceMark]) -> str:
    """The wording the marks call for, or '' when no block is AI-drafted."""
    unreviewed, reviewed = drafted_kinds(marks)
    return _WORDING.get((chinese, unreviewed, reviewed), "")


def ai_disclosure(essay: Essay) -> str:
    """The line every output prints: '' when no block is AI-drafted (then nothing is claimed)."""
    wording = default_disclosure(essay.front.is_chinese, essay.provenance)
    return (essay.front.ai_disclosure or wording) if wording else ""


def says_not_reviewed(wording: str) -> bool:
    return bool(_SAYS_NOT_REVIEWED.search(wording))


def custom_disclosure_warnings(path: str, front: FrontMatter, marks: Iterable[ProvenanceMark],
                               key_line: int, key_col: int) -> list[Diagnostic]:
    """A custom `ai_disclosure:` printed over an unreviewed block must not pass for a review."""
    unreviewed = [m.block_line for m in marks if m.mark == "llm-draft"]
    if not unreviewed or not front.ai_disclosure or says_not_reviewed(front.ai_disclosure):
        return []
    places = f"line{'s' * (len(unreviewed) > 1)} {', '.join(map(str, unreviewed))}"
    example = _WORDING[(front.is_chinese, True, False)]
    return [warning(path, key_line, key_col,
                    f"'ai_disclosure' is printed over LLM-drafted text nobody has reviewed ({places}): say so in its "
                    f"wording (e.g. '{example}'), or review the text and mark it '#llm-draft/reviewed'",
                    "provenance.disclosure-unreviewed")]


def aigc_label(essay: Essay) -> str:
    """The implicit label's value (GB 45438-2025, file metadata, key `AIGC`), or '' when no block
    is AI-drafted. Label "1": the content is AI-generated/synthesised (in part). The producer
    (the AI service), the platform and their content IDs and signatures are not known to us:
    they stay empty, never guessed; a platform fills its own when it publishes."""
    if not any(drafted_kinds(essay.provenance)):
        return ""
    fields = {"Label": "1", "ContentProducer": "", "ProduceID": "", "ReservedCode1": "",
              "ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def xmp_description(label: str) -> bytes:
    """An `rdf:Description` holding the label as `TC260:AIGC`, for a PDF's XMP packet."""
    return (f'<rdf:Description rdf:about="" xmlns:TC260="{TC260_NAMESPACE}">'
            f"<TC260:AIGC>{escape(label)}</TC260:AIGC></rdf:Description>").encode("utf-8")


def xmp_packet(label: str) -> bytes:
    """A whole XMP packet with only the label (no dates, no random IDs: the same bytes every build)."""
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' + xmp_description(label)
            + b'</rdf:RDF></x:xmpmeta>\n<?xpacket end="r"?>')
