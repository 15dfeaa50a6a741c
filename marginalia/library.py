"""The whole collection: read content, order it, give every page its URL.

Input: the site folder and config. Output: a :class:`Library` of entries
(newest first) and groups (tags, people, organisations, places, years,
months). Problems of every file are collected and raised together; two
articles claiming one URL are an error naming both. Reads ``content/`` only.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import pathlib
import stat
from collections.abc import Container, Iterable, Sequence

from .errors import Problem, Problems, SiteError
from .frontmatter import parse_article
from .model import ENTITY_KINDS, SIDECAR_SUFFIX, Article, Config, EntityRef
from .slugs import group_slug

CONTENT_DIR = "content"
MAX_CONTENT_BYTES = 20 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Group:
    """A listing: a tag, an entity, a year or a month, with its entries' indexes."""

    kind: str  # "tags", "people", "organizations", "places", "years", "months"
    slug: str
    name: str
    url: str
    members: tuple[int, ...]  # indexes into Library.entries, newest first
    roles: tuple[str, ...] = ()
    wikidata: str = ""


@dataclasses.dataclass(frozen=True)
class Library:
    """Every published article in order, and the groups that list them."""

    articles: tuple[Article, ...]
    urls: tuple[str, ...]
    groups: dict[str, tuple[Group, ...]]
    merged: tuple[Problem, ...] = ()  # warnings: different names that share one group page

    def group_url(self, kind: str, name: str) -> str | None:
        """The URL of the group page for ``name`` (None when there is none)."""
        slug = group_slug(name)
        for g in self.groups.get(kind, ()):
            if g.slug == slug:
                return g.url
        return None


def article_url(article: Article) -> str:
    """Where an article's page goes in ``output/``."""
    if article.date is None:
        return f"undated/{article.slug}.html"
    return f"{article.date.year}/{article.date.month:02d}/{article.slug}.html"  # as %Y/%m, faster


def stat_signature(path: pathlib.Path | str, sidecars: Container[str] | None = None) -> str:
    """A cheap change detector: size, mtime and inode of the file and of its sidecar. ``sidecars``
    (from :func:`content_files`) saves looking for a sidecar that was not there."""
    name = str(path)
    side = name.removesuffix(".md") + SIDECAR_SUFFIX
    listed = sidecars is None or side in sidecars
    return f"{_stat_part(name)}|{_stat_part(side) if listed else '-'}"


def _stat_part(name: str) -> str:
    try:
        st = os.stat(name)
    except OSError:
        return "-"
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


@dataclasses.dataclass(frozen=True)
class ContentFiles:
    """What ``content/`` holds: its articles and the sidecars beside them (full paths)."""

    paths: tuple[str, ...]  # every ``*.md`` to build, sorted as Paths sort
    sidecars: frozenset[str]  # every ``*.annotations.yaml`` in the folders walked, as found


def content_files(site: pathlib.Path) -> ContentFiles:
    """Every ``*.md`` under ``content/``, sorted (hidden files and links out of content/ skipped),
    and the sidecars there, so that readers need not look for a sidecar on disk per article."""
    root = site / CONTENT_DIR
    resolved = root.resolve()
    if root.is_symlink() and not resolved.is_relative_to(site.resolve()):
        raise SiteError([Problem(CONTENT_DIR, 0, 0, "content/ is a link to a folder outside the site",
                                 "links out of the site are not followed; move the articles into content/")])
    found: list[str] = []
    sidecars: set[str] = set()
    undecodable: list[Problem] = []
    folders = [str(root)]
    while folders:  # (os.walk's order does not matter: the list is sorted below)
        try:
            with os.scandir(folders.pop()) as listing:
                entries = list(listing)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed is skipped
        for entry in entries:
            name = entry.name
            if entry.is_dir():  # a link to a folder is never followed, so nothing outside is walked
                if not name.startswith((".", "_")) and not entry.is_symlink():
                    folders.append(entry.path)
            elif name.endswith(".md") and not name.startswith((".", "_")):
                # Only a link needs resolving (the type comes with the listing: no call per file).
                if entry.is_symlink() and not pathlib.Path(entry.path).resolve().is_relative_to(resolved):
                    continue
                if _utf8(entry.path):
                    found.append(entry.path)
                else:
                    shown = os.fsencode(os.path.relpath(entry.path, site)).decode("utf-8", "backslashreplace")
                    undecodable.append(Problem(shown, 0, 0, "file or folder name is not valid UTF-8",
                                               "rename it (its URL comes from the file name)"))
            elif name.endswith(SIDECAR_SUFFIX):
                sidecars.add(entry.path)  # checked when read: it may be a link out, or no regular file
    if undecodable:
        raise SiteError(sorted(undecodable, key=lambda problem: problem.path))
    return ContentFiles(tuple(sorted(found, key=lambda p: p.split(os.sep))), frozenset(sidecars))  # as Paths sort


def _utf8(path: str) -> bool:
    """False for a name whose bytes are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def inside_content(site: pathlib.Path, path: pathlib.Path | str) -> bool:
    """False when ``path`` is a link that leads out of ``site/content`` (a sidecar, say)."""
    name = os.fspath(path)
    return not os.path.islink(name) or _inside(name, (site / CONTENT_DIR).resolve())  # resolved for links only


def _inside(path: str, root: pathlib.Path) -> bool:
    """True unless ``path`` is a link that leads outside ``root`` (only links need resolving)."""
    if not os.path.islink(path):
        return True
    return pathlib.Path(path).resolve().is_relative_to(root)


def site_relative(site: pathlib.Path, path: pathlib.Path | str) -> str:
    """``path`` relative to ``site`` with forward slashes, or as given when it is not inside."""
    full = pathlib.Path(path)
    return full.relative_to(site).as_posix() if full.is_relative_to(site) else str(full)


def stem(path: pathlib.Path | str) -> str:
    """A file name without its last suffix, as ``Path.stem`` (``content/a.md`` -> ``a``)."""
    name = os.path.basename(path)
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def read_article(site: pathlib.Path, path: pathlib.Path | str, rel: str | None = None
                 ) -> tuple[Article | None, list[Problem]]:
    """Read and parse one content file (never raises for bad input); ``rel``, its path relative to
    the site, when the caller has it."""
    name = os.fspath(path)
    rel = site_relative(site, name) if rel is None else rel
    try:
        st = os.stat(name)  # before opening: a FIFO would block, a device never end
        if not stat.S_ISREG(st.st_mode):
            return None, [Problem(rel, 0, 0, "not a regular file", "content/ holds Markdown files only")]
        if st.st_size > MAX_CONTENT_BYTES:
            return None, [Problem(rel, 1, 1, "file is larger than 20 MB", "split the article")]
        raw = read_bytes(name, st.st_size)
    except OSError as exc:
        return None, [Problem(rel, 0, 0, f"cannot read file: {exc.strerror}", "")]
    text, problem = decode_content(raw, rel)
    if problem is not None:
        return None, [problem]
    return parse_article(text, rel, stem(name))


def read_bytes(name: str, size: int) -> bytes:
    """A whole file, ``size`` bytes long when ``stat`` was asked just before: read with the bare
    system calls, in one read unless it grew (open, read, close; ``open().read()`` makes eight
    calls, with three more ``stat`` and a seek: 5.5 against 4 us a file, measured)."""
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(fd, size + 1)  # a byte more than expected: a shorter read is the end of the file
        if len(data) <= size:
            return data
        parts = [data]
        while chunk := os.read(fd, 1 << 20):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


# A byte-order mark says what a file is, even when its bytes hold NULs (UTF-16 "Unicode" from Notepad).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF8, "utf-8"))


def decode_content(raw: bytes, rel: str) -> tuple[str, Problem | None]:
    """A content or sidecar file's text: UTF-8, or UTF-16/32 with a byte-order mark."""
    encoding, start = "utf-8", 0
    for bom, name in _BOMS:
        if raw.startswith(bom):
            encoding, start = name, len(bom)
            break
    if encoding == "utf-8" and b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        return "", Problem(rel, line, 1, "NUL byte: a binary file, or UTF-16 without a byte-order mark",
                           "content files are UTF-8 text")
    try:
        text = raw[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:start + exc.start].count(b"\n" if encoding == "utf-8" else "\n".encode(encoding)) + 1
        return "", Problem(rel, line, 1, f"file is not valid {encoding.upper()}",
                           "save it as UTF-8, or re-import the raw article with 'build.py import'")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return "", Problem(rel, line, 1, "binary file (NUL byte) in content/", "content files are UTF-8 text")
    return text, None


def _order_key(a: Article) -> tuple[int, int, str, str]:
    ordinal = a.date.toordinal() if a.date else 0
    return (0 if a.date else 1, -ordinal, a.title.casefold(), a.path)


def assemble(articles: Sequence[Article], config: Config, found: Problems | None = None) -> Library:
    """Order articles newest first, give them URLs, group them; refuse URL collisions."""
    found = found or Problems()
    published = sorted((a for a in articles if not a.draft), key=_order_key)
    urls = [article_url(a) for a in published]
    claimed: dict[str, Article] = {}
    for a, url in zip(published, urls, strict=True):
        if url in claimed:
            first, second = sorted((claimed[url].path, a.path))
            found.add(second, 1, 1, f"two articles claim the URL {url}: {first} and {second}",
                      "give one of them a different 'slug' in its front matter")
        claimed[url] = a
    found.raise_if_any()
    groups: dict[str, tuple[Group, ...]] = {}
    merged: list[Problem] = []
    for kind in config.taxonomies:
        groups[kind], clashes = _name_groups(kind, published)
        merged.extend(clashes)
    groups["years"], groups["months"] = _date_groups(published)
    return Library(tuple(published), tuple(urls), groups, tuple(merged))


def _name_groups(kind: str, articles: Sequence[Article]) -> tuple[tuple[Group, ...], list[Problem]]:
    """One group per distinct tag or entity name (by slug), sorted by name; a warning for each
    name that shares its slug with a different one ("C++" and "C" are both listed on tags/c/)."""
    members: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    refs: dict[str, list[EntityRef]] = {}
    spellings: dict[str, dict[str, tuple[str, str]]] = {}  # slug -> {folded name: (name, first path)}
    known: dict[str, tuple[str, str]] = {}  # name -> (slug, folded name): names recur across articles
    for i, a in enumerate(articles):
        if kind != "tags" and not a.entities:
            continue
        items: Iterable[str | EntityRef] = a.tags if kind == "tags" else a.entities_of(kind)
        for item in items:
            name = item if isinstance(item, str) else item.name
            if (seen := known.get(name)) is None:
                seen = known[name] = (group_slug(name), " ".join(name.split()).casefold())
            slug, folded = seen
            names.setdefault(slug, name)
            spellings.setdefault(slug, {}).setdefault(folded, (name, a.path))
            if not members.setdefault(slug, []) or members[slug][-1] != i:
                members[slug].append(i)
            if isinstance(item, EntityRef):
                refs.setdefault(slug, []).append(item)
    out = []
    for slug in sorted(members, key=lambda s: (names[s].casefold(), s)):
        entity_refs = refs.get(slug, [])
        roles = tuple(dict.fromkeys(r.role for r in entity_refs if r.role))
        wikidata = next((r.wikidata for r in entity_refs if r.wikidata), "")
        out.append(Group(kind, slug, names[slug], f"{kind}/{slug}/index.html",
                         tuple(members[slug]), roles, wikidata))
    return tuple(out), _merge_warnings(kind, spellings)


def _merge_warnings(kind: str, spellings: dict[str, dict[str, tuple[str, str]]]) -> list[Problem]:
    """A warning per name listed on the page of a different name with the same slug."""
    noun = {"tags": "tag", "people": "person", "organizations": "organisation", "places": "place"}.get(kind, kind)
    problems = []
    for slug, seen in sorted(spellings.items()):
        (first, first_path), *others = seen.values()
        for name, path in others:
            problems.append(Problem(path, 0, 0, severity="warning", message=(
                f"{noun} '{name}' shares the page {kind}/{slug}/ with '{first}' ({first_path}); "
                "both are listed there"), hint="if they are different, rename one so their slugs differ"))
    return problems


def _date_groups(articles: Sequence[Article]) -> tuple[tuple[Group, ...], tuple[Group, ...]]:
    """Groups by year and by month, newest first."""
    years: dict[str, list[int]] = {}
    months: dict[str, list[int]] = {}
    names: dict[tuple[int, int], tuple[str, str]] = {}  # (year, month) -> its year's and its month's name
    for i, a in enumerate(articles):
        if a.date:
            if (named := names.get(month := (a.date.year, a.date.month))) is None:
                named = names[month] = (f"{a.date:%Y}", f"{a.date:%Y/%m}")
            years.setdefault(named[0], []).append(i)
            months.setdefault(named[1], []).append(i)
    year_groups = tuple(Group("years", y, y, f"{y}/index.html", tuple(m))
                        for y, m in sorted(years.items(), reverse=True))
    month_groups = tuple(Group("months", k, k, f"{k}/index.html", tuple(m))
                         for k, m in sorted(months.items(), reverse=True))
    return year_groups, month_groups


__all__ = ["ENTITY_KINDS", "ContentFiles", "Group", "Library", "article_url", "assemble", "content_files"]
