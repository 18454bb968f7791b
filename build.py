#!/usr/bin/env python3
"""Build the essays: `python build.py --target blog|pdf|xhs|all`. See README.md."""

import os
import sys

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
