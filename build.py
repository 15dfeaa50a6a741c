#!/usr/bin/env python3
"""Marginalia's command line: import raw articles, build, check, start a new archive.

    python build.py [build] [--site DIR] [--output DIR] [--base-url URL] [--strict]
    python build.py import PATH... [--site DIR] [--json] [--force]
    python build.py init DIR
    python build.py check [--site DIR]
"""

import sys

from marginalia.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
