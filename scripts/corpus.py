"""Where the third-party corpus is: `shared/corpus` beside the project (a clone, CI) or beside
the folder that holds it (a work tree in a folder of work trees). One answer for the scripts and
the tests; the path is returned even when absent, so callers test `is_dir()` and skip."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_corpus() -> Path:
    candidates = [folder / "shared" / "corpus" for folder in (ROOT.parent, ROOT.parent.parent)]
    return next((candidate for candidate in candidates if candidate.is_dir()), candidates[0])


SHARED_CORPUS = shared_corpus()
