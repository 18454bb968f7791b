#!/usr/bin/env python3
"""Build the essays: `python build.py --target blog|pdf|xhs|all`. See README.md."""

import sys

from footnoted.cli import main

if __name__ == "__main__":
    sys.exit(main())
