#!/usr/bin/env python3
"""Marginalia's command line: import raw articles, build, check, start a new archive.

    python build.py [build] [--site DIR] [--output DIR] [--base-url URL] [--strict]
    python build.py import PATH... [--site DIR] [--json] [--force]
    python build.py init DIR
    python build.py check [--site DIR]
"""

import os
import sys

from marginalia.cli import main

if __name__ == "__main__":
    status = main(sys.argv[1:], exiting=True)
    if status == 0:
        # Done, and every file and process of the command closed: exit without freeing the archive's
        # objects one by one (~25 ms after a rebuild of 10,000 articles).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    sys.exit(status)
