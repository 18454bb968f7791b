#!/usr/bin/env python3
"""Build the essays: `python build.py --target blog|pdf|xhs|all`. See README.md."""

import gc
import os
import sys

# The cycle collector runs after every 700 new objects and walks all that live: the modules,
# classes and functions imported, then the essay's trees, none of which are garbage. We run it
# after 200,000, as mypy does: in a blog build it took 13 ms (47 passes), in a PDF build 95 ms,
# and the peak memory is the same. `--watch` and `serve` still collect, just less often.
gc.set_threshold(200_000, 30, 30)

from footnoted.cli import main

if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader of our report went away (build.py | head): stop quietly
        code = 1
    # Every output is written and closed by now. Leave without the interpreter's teardown, which
    # frees every object one by one: 20-30 ms, a sixth of a blog build. (No atexit work of ours.)
    os._exit(code)
