"""Writing outputs atomically: a temporary file beside the target, then a rename.

An error, Ctrl-C or a full disk at any moment leaves the previous output as it was: the
rename is the only step that changes what a reader of the folder sees.
"""

from __future__ import annotations

import os
import shutil
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


def replace_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Give a folder this output owns (the Xiaohongshu parts) its new files all at once.

    The parts are written into a fresh folder beside it, which then takes the old one's place
    by two renames: a reader, or an interruption, meets the old set or the new set, never a
    mix, and parts an earlier build made but this one does not are gone with the old folder.
    """
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    except OSError as exc:
        raise OutputError(f"{folder.parent}: error: cannot write here: {exc.strerror} [output.unwritable]") from None
    retired = folder.with_name(f".{folder.name}.old")
    try:
        for name, data in files.items():
            write_atomic(staging / name, data)
        os.chmod(staging, 0o755)
        if retired.exists():
            shutil.rmtree(retired)
        if folder.exists():
            os.replace(folder, retired)
        os.replace(staging, folder)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not folder.exists():
            os.replace(retired, folder)  # put the old parts back
        if isinstance(exc, OSError):
            raise OutputError(f"{folder}: error: cannot write: {exc.strerror} [output.unwritable]") from None
        raise
