"""Writing outputs atomically: a temporary file beside the target, then a rename.

An error, Ctrl-C or a full disk at any moment leaves the previous output as it was: the
rename is the only step that changes what a reader of the folder sees.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    pass


def write_atomic(path: Path, data: bytes) -> None:
    if path.is_dir():
        raise OutputError(f"{path}: error: the output path is a folder [output.is-folder]")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        # "File exists" for `--out notes.txt` hides the cause: a file stands where a folder must.
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise OutputError(f"{blocker}: error: cannot write here: it is a file, not a folder [output.unwritable]") from None
        raise OutputError(f"{path.parent}: error: cannot write here: {exc.strerror} [output.unwritable]") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: error: cannot write: {exc.strerror} [output.unwritable]") from None
        raise


def remove_stale(folder: Path, keep: set[Path]) -> None:
    """Remove files an earlier build left in a folder this output owns (parts no longer made)."""
    try:
        for path in sorted(folder.iterdir()):
            if path.is_file() and path not in keep:
                path.unlink()
    except OSError as exc:
        raise OutputError(f"{folder}: error: cannot remove an earlier part: {exc.strerror} [output.unwritable]") from None
