"""Writing outputs so that a reader, or an interruption, meets a whole old or a whole new output.

A file: a temporary file beside it, then a rename over it.

A folder this output owns (the Xiaohongshu parts): `NAME` is a symbolic link to a hidden version
folder `.NAME.xxxxxxxx`. A new version is written whole as `.NAME.yyyyyyyy.tmp`, renamed to
`.NAME.yyyyyyyy`, and a new link made beside the old one is renamed over it. That last rename is
the only step a reader of `NAME` sees, and it is atomic: `NAME` never goes missing, never shows a
mix. The version it replaced stays until the next build, for a reader still in the middle of it.

Builds into one folder take turns (output_lock), and each removes what an earlier, killed one
left of its outputs: `.NAME.xxxxxxxx.tmp` files and folders, versions no link points to, and the
`.NAME.old` folder the previous scheme used. Nothing else in the folder is touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

# tempfile's names: the prefix we give, 8 of these characters, the suffix we give.
_RANDOM = "[a-z0-9_]{8}"
LOCK_WAIT_SECONDS = 60.0


class OutputError(Exception):
    pass


@contextlib.contextmanager
def output_lock(folder: Path, on_wait: Callable[[], None] | None = None,
                wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the output folder while writing into it: builds into one `--out` take turns.

    The lock is flock(2) on the folder itself, so no lock file joins the outputs, and the kernel
    lets go of it when its holder dies, even by SIGKILL. A build holds it only while it writes one
    target (milliseconds), so a second build waits its turn and both succeed; refusing would fail
    a build for a collision it cannot avoid (`--watch` and a manual build, two terminals). Past
    `wait_seconds` the holder is taken to be stopped (Ctrl-Z) and the build gives up.
    """
    make_folder(folder)
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # a folder we may write but not read: the writes tell whether it works
        yield
        return
    try:
        deadline = None
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is None:
                    deadline = time.monotonic() + wait_seconds
                    if on_wait:
                        on_wait()
                elif time.monotonic() >= deadline:
                    raise OutputError(f"{folder}: error: another build has been writing here for {wait_seconds:g} s; "
                                      "is it stopped (Ctrl-Z)? [output.locked]") from None
                time.sleep(0.01)
            except OSError:  # a file system without flock: each output is still whole, the turns are not kept
                break
        yield
    finally:
        os.close(descriptor)  # and with it the lock


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # "File exists" for `--out notes.txt` hides the cause: a file stands where a folder must.
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise OutputError(f"{blocker}: error: cannot write here: it is a file, not a folder [output.unwritable]") from None
        raise OutputError(f"{folder}: error: cannot write here: {exc.strerror} [output.unwritable]") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write one output file whole; first remove what a killed write of it left (the caller holds output_lock)."""
    if path.is_dir():
        raise OutputError(f"{path}: error: the output path is a folder [output.is-folder]")
    make_folder(path.parent)
    ours = re.compile(rf"\.{re.escape(path.name)}\.{_RANDOM}\.tmp\Z")
    _remove_leftovers(path.parent, ours)
    with _leftovers_removed_on_failure(path.parent, ours, lambda: ()):
        _write_new(path, data)


@contextlib.contextmanager
def _leftovers_removed_on_failure(parent: Path, ours: re.Pattern[str], keep: Callable[[], Collection[str]]) -> Iterator[None]:
    """On any exception, remove what matches `ours` but `keep()`, then raise it on. An interrupt can
    land where a temporary file or folder exists but the write does not yet know its name (inside
    tempfile.mkstemp, or before its `try`): what matches our names, our write made."""
    try:
        yield
    except BaseException:
        with interrupt_after():
            _remove_leftovers(parent, ours, keep=keep())
        raise


@contextlib.contextmanager
def interrupt_after() -> Iterator[None]:
    """Ctrl-C (SIGINT) during the block takes effect when the block is over: a clean-up after an
    interrupted write is not itself cut short by a second one. Only the main thread receives
    signals; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
        if received:
            if callable(previous):
                previous(signal.SIGINT, None)  # Python's own raises KeyboardInterrupt
            elif previous == signal.SIG_DFL:
                os.kill(os.getpid(), signal.SIGINT)


def _write_new(path: Path, data: bytes) -> None:
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path.parent}: error: cannot write here: {exc.strerror} [output.unwritable]") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: error: cannot write: {exc.strerror} [output.unwritable]") from None
        raise


def replace_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Give a folder this output owns (the Xiaohongshu parts and cards) its new files all at once (the caller holds output_lock).

    A reader of `folder`, or an interruption at any moment, meets the old set or the new set,
    never a mix and never nothing; parts an earlier build made but this one does not are gone.
    """
    make_folder(folder.parent)
    name = folder.name
    current = _current_version(folder)
    ours = re.compile(rf"\.{re.escape(name)}\.(?:{_RANDOM}(?:\.tmp)?|old)\Z")
    _remove_leftovers(folder.parent, ours, keep={current})  # all but what `folder` shows now
    # Never the version `folder` shows now, nor the one it showed (kept for a reader in the middle of it)
    with _leftovers_removed_on_failure(folder.parent, ours, lambda: {current, _current_version(folder)}):
        _replace_versions(folder, files)


def _replace_versions(folder: Path, files: dict[str, bytes]) -> None:
    name = folder.name
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=folder.parent))
    except OSError as exc:
        raise OutputError(f"{folder.parent}: error: cannot write here: {exc.strerror} [output.unwritable]") from None
    version = staging.with_name(staging.name.removesuffix(".tmp"))
    link = staging  # the name is free again once the version is complete
    swapped = False
    try:
        for part, data in files.items():
            (staging / part).parent.mkdir(parents=True, exist_ok=True)  # the cards' own folders inside
            _write_new(staging / part, data)
        staging.chmod(0o755)
        staging.rename(version)  # complete: from here it is a version, not a leftover
        link.symlink_to(version.name)
        if folder.is_symlink() or not folder.is_dir():
            link.replace(folder)  # the one step a reader sees
        else:  # a real folder, from a build before versions: swap it for the link in one step
            _swap(link, folder)  # the old folder is now at `link`'s name, a leftover for the next build
        swapped = True
        _sync_folder(folder.parent)
    except BaseException as exc:
        if not swapped:
            for leftover in (link, staging, version):
                _remove(leftover)
        if isinstance(exc, OSError):
            raise OutputError(f"{folder}: error: cannot write: {exc.strerror} [output.unwritable]") from None
        raise


def _current_version(folder: Path) -> str:
    """The name of the version folder `folder` links to; '' when it is no link of ours."""
    try:
        target = str(folder.readlink())
    except OSError:
        return ""
    return target if re.fullmatch(rf"\.{re.escape(folder.name)}\.{_RANDOM}", target) else ""


def _remove_leftovers(parent: Path, ours: re.Pattern[str], keep: Collection[str] = ()) -> None:
    """Remove what matches `ours` in `parent` but the names in `keep`: only names our own writes make."""
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return  # the write itself will say what is wrong
    for entry in entries:
        if entry.name.startswith(".") and ours.match(entry.name) and entry.name not in keep:
            temporary = entry.name.endswith(".tmp")
            # A version or `.old` is a folder we made; a file or link of that name is someone else's.
            if temporary or entry.is_dir(follow_symlinks=False):
                _remove(Path(entry.path))


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _swap(first: Path, second: Path) -> None:
    """Exchange two names in one step (Linux renameat2 RENAME_EXCHANGE).

    Where the system cannot, two renames: for that moment, once, `second` is missing.
    """
    import ctypes  # only for this one-time step

    exchange = 2  # RENAME_EXCHANGE
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        at_cwd = -100  # AT_FDCWD
        if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
            return
    aside = Path(tempfile.mkdtemp(prefix=f".{second.name}.", suffix=".tmp", dir=second.parent))
    second.replace(aside)  # a folder may take an empty folder's place
    try:
        first.replace(second)
    except BaseException:
        aside.replace(second)  # put the old folder back
        raise


def _sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable: after a power cut it shows the new link, not the old one."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
