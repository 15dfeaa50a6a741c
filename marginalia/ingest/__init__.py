"""The importer: raw article text to Markdown content files with front matter.

``run_import(paths, site=…, force=…, as_json=…)`` is the entry point that
``build.py import`` calls; see docs/import.md.
"""

from .run import ImportReport, run_import

__all__ = ["ImportReport", "run_import"]
