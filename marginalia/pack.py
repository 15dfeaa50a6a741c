"""Pack the built site into one zip for reading offline: unzip anywhere, open ``index.html``.

Input: a site folder. Output: a zip file holding a fresh build under one
top-level folder named after the zip. The same input gives the same bytes:
entries sorted, one fixed timestamp (``SOURCE_DATE_EPOCH`` when set, else
1980-01-01), fixed permissions, fixed compression. Writes the zip beside its
destination and renames it into place, so a failed pack leaves no half file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pathlib
import tempfile
import zipfile

from .errors import Problem, SiteError
from .feeds import source_date_epoch
from .pipeline import BuildReport
from .pipeline import build as build_site
from .writer import MARKER

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


@dataclasses.dataclass
class PackReport:
    """What ``pack`` made: the zip, how many files, the build behind it."""

    zip_path: pathlib.Path
    files: int
    build: BuildReport


def zip_time() -> tuple[int, int, int, int, int, int]:
    """The one timestamp every entry gets."""
    when = source_date_epoch()
    if when is None or when.year < 1980:
        return ZIP_EPOCH
    when = when.astimezone(dt.UTC)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)


def pack(site: pathlib.Path, destination: pathlib.Path, *, base_url: str | None = None) -> PackReport:
    """Build ``site`` into a scratch folder and zip it to ``destination``."""
    destination = destination.absolute()
    if destination.suffix.lower() != ".zip":
        raise SiteError([Problem(str(destination), 0, 0, "the pack must be a .zip file",
                                 "for example --output archive.zip")])
    with tempfile.TemporaryDirectory(prefix="marginalia-pack-") as tmp:
        output = pathlib.Path(tmp) / "site"
        report = build_site(site, output=output, base_url=base_url)
        count = write_zip(output, destination, folder=destination.stem)
    return PackReport(destination, count, report)


def write_zip(tree: pathlib.Path, destination: pathlib.Path, *, folder: str) -> int:
    """Zip every file under ``tree`` into ``folder/`` inside ``destination``; return the count."""
    files = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file())
    files = [f for f in files if f != MARKER]
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial-{os.getpid()}")
    stamp = zip_time()
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for rel in files:
                info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so the permissions below are read
                info.external_attr = 0o100644 << 16
                archive.writestr(info, (tree / rel).read_bytes(), compresslevel=9)
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return len(files)
