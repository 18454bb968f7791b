"""Where footnoted keeps what it makes once and reuses between runs (compiled templates, WeasyPrint's
parsed C declarations): the user's cache folder, as the XDG base directories name it."""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder(kind: str) -> Path:
    """$XDG_CACHE_HOME/footnoted/<kind>, else ~/.cache/footnoted/<kind> (not made here)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "footnoted" / kind
