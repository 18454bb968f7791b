"""How a reader meets an output folder: it opens the folder once and reads every part through that
handle (a reader going by path name would mix two sets across any replacement). Used by the tests
and by their child processes."""

from __future__ import annotations

import os


def read_set(folder: os.PathLike[str] | str) -> dict[str, str] | str | None:
    """{name: text} of every file; None when the folder is missing (or no folder); "retired" when it was
    removed while being read (the writer kept it too briefly for this reader)."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        parts = {}
        for name in sorted(os.listdir(handle)):  # noqa: PTH208 (listed through the open handle, not by name)
            part = os.open(name, os.O_RDONLY, dir_fd=handle)
            with os.fdopen(part, "rb") as stream:
                parts[name] = stream.read().decode("utf-8")
        return "retired" if _retired(folder, handle) else parts
    except FileNotFoundError:  # a part gone between the listing and its reading
        return "retired" if _retired(folder, handle) else {"vanished": ""}
    finally:
        os.close(handle)


def _retired(folder: os.PathLike[str] | str, handle: int) -> bool:
    """The folder this reader opened is no longer the one `folder` names: a later build replaced
    it and may be removing it (a slow reader's read of it is then no fault of the writer's).
    A folder still current must have been read whole."""
    opened = os.fstat(handle)
    if opened.st_nlink == 0:
        return True
    try:
        current = os.stat(folder)
    except OSError:
        return True
    return (current.st_dev, current.st_ino) != (opened.st_dev, opened.st_ino)
