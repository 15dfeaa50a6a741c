"""Bad inputs and their outcomes, for ``build`` and ``import``.

Each case is one row of the table in ``docs/hostile-input.md`` (matched by
its ``id``) and is run by ``tests/test_hostile_input.py``. ``outcome`` is
"ok" (built or imported correctly), "error" (a located error: ``where`` is
the ``path:line:col`` it must name, ``says`` a part of its message) or
"warning" (done, with a located warning).
"""

from __future__ import annotations

import codecs
import dataclasses

FM = "---\ntitle: Hostile\ndate: 2020-01-02\n"
BODY = "\n---\nSome text.\n"


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, bytes]
    outcome: str  # "ok", "error" or "warning"
    says: str = ""
    where: str = ""


def _md(front: str, body: str = "Some text.\n") -> bytes:
    return ("---\n" + front + "\n---\n" + body).encode("utf-8")


def _fm(extra: str) -> bytes:
    return (FM + extra + BODY).encode("utf-8")


OK_TEXT = "---\ntitle: Encoded – café\ndate: 2020-01-02\n---\nÜber die Brücke, 20 °C.\n"
LAUGHS = "---\ntitle: bomb\nlol: &a [lol, lol]\nlol2: &b [*a, *a, *a]\nlol3: [*b, *b, *b]\n---\n"

BUILD_CASES: list[Case] = [
    # Encodings and line endings
    Case("utf8", {"content/x.md": OK_TEXT.encode()}, "ok"),
    Case("utf8-bom", {"content/x.md": codecs.BOM_UTF8 + OK_TEXT.encode()}, "ok"),
    Case("utf16-le-bom", {"content/x.md": OK_TEXT.encode("utf-16")}, "ok"),
    Case("utf16-be-bom", {"content/x.md": codecs.BOM_UTF16_BE + OK_TEXT.encode("utf-16-be")}, "ok"),
    Case("utf32-bom", {"content/x.md": OK_TEXT.encode("utf-32")}, "ok"),
    Case("utf16-no-bom", {"content/x.md": OK_TEXT.encode("utf-16-le")}, "error", "UTF-16 without a byte-order mark",
         "content/x.md:1:1"),
    Case("latin1", {"content/x.md": OK_TEXT.encode("latin-1", "replace")}, "error",
         "not valid UTF-8", "content/x.md:2:1"),
    Case("cp1252", {"content/x.md": OK_TEXT.replace("–", "\u201c").encode("cp1252")}, "error",
         "not valid UTF-8", "content/x.md:2:1"),
    Case("bad-utf16", {"content/x.md": codecs.BOM_UTF16_LE + b"a\x00b"}, "error", "not valid UTF-16-LE",
         "content/x.md:1:1"),
    Case("crlf", {"content/x.md": OK_TEXT.replace("\n", "\r\n").encode()}, "ok"),
    Case("cr", {"content/x.md": OK_TEXT.replace("\n", "\r").encode()}, "ok"),
    Case("mixed-newlines", {"content/x.md": b"---\r\ntitle: x\rdate: 2020-01-02\n---\r\nText.\n"}, "ok"),
    # Shapes of file
    Case("empty", {"content/x.md": b""}, "error", "missing front matter", "content/x.md:1:1"),
    Case("whitespace-only", {"content/x.md": b" \n\t\n"}, "error", "missing front matter", "content/x.md:1:1"),
    Case("binary", {"content/x.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, "error", "NUL byte",
         "content/x.md:3:1"),
    Case("nul-in-body", {"content/x.md": FM.encode() + b"---\nText\x00more\n"}, "error", "NUL byte",
         "content/x.md:5:1"),
    Case("long-line", {"content/x.md": _fm("") + ("word " * 2000 + "\n").encode()}, "ok"),
    Case("long-title", {"content/x.md": _md("title: " + "T" * 10000 + "\ndate: 2020-01-02")}, "ok"),
    Case("unclosed-front-matter", {"content/x.md": b"---\ntitle: x\nText.\n"}, "error",
         "front matter is not closed", "content/x.md:1:1"),
    Case("front-matter-list", {"content/x.md": _md("- a\n- b")}, "error", "not a list", "content/x.md:2:1"),
    Case("front-matter-scalar", {"content/x.md": _md("just a headline")}, "error", "not a str",
         "content/x.md:2:1"),
    Case("front-matter-empty", {"content/x.md": _md("")}, "error", "not empty", "content/x.md:2:1"),
    Case("invalid-yaml", {"content/x.md": _md('title: "unclosed')}, "error", "invalid YAML", "content/x.md:2:8"),
    Case("yaml-tab-indent", {"content/x.md": _md("title: x\n\tdate: 2020-01-02")}, "error", "invalid YAML",
         "content/x.md:2:8"),
    Case("yaml-anchor", {"content/x.md": _md("title: &t Hello\nbyline: *t")}, "error",
         "anchors and aliases are not allowed", "content/x.md:2:8"),
    Case("billion-laughs", {"content/x.md": LAUGHS.encode()}, "error", "anchors and aliases are not allowed",
         "content/x.md:3:6"),
    Case("yaml-python-tag", {"content/x.md": _md("title: !!python/object/apply:os.system [ls]")}, "error",
         "YAML tag !!python/object/apply:os.system is not allowed", "content/x.md:2:8"),
    Case("yaml-custom-tag", {"content/x.md": _md("title: !shell ls")}, "error", "YAML tag !shell is not allowed",
         "content/x.md:2:8"),
    Case("yaml-binary-tag", {"content/x.md": _md("title: !!binary aGk=")}, "error", "!!binary is not allowed",
         "content/x.md:2:8"),
    Case("yaml-deep-nesting", {"content/x.md": _md("title: x\ntags: " + "[" * 500 + "]" * 500)}, "error",
         "nested more than 50 levels", "content/x.md:3:"),
    Case("yaml-document-end-marker", {"content/x.md": _md("title: x\ndate: 2020-01-02\n...\n---\ntitle: y")}, "ok"),
    Case("yaml-duplicate-key", {"content/x.md": _md("title: First\ntitle: Second")}, "error",
         "'title' is given twice", "content/x.md:3:1"),
    Case("yaml-control-char", {"content/x.md": _md("title: bell\x07here")}, "error",
         "control character U+0007", "content/x.md:2:12"),
    Case("yaml-huge-int", {"content/x.md": _md("title: 1" + "0" * 5000)}, "ok"),
    Case("number-title-kept-as-written", {"content/x.md": _md("title: 1.10\ndate: 2020-01-02")}, "ok"),
    Case("unknown-field", {"content/x.md": _fm("permalink: /etc/passwd")}, "error",
         "unknown front-matter field 'permalink'", "content/x.md:4:1"),
    Case("aliases-field", {"content/x.md": _fm("aliases: [../../x]")}, "error",
         "unknown front-matter field 'aliases'", "content/x.md:4:1"),
    Case("missing-title", {"content/x.md": _md("date: 2020-01-02")}, "error", "missing 'title'",
         "content/x.md:2:1"),
    Case("title-a-list", {"content/x.md": _md("title: [a, b]")}, "error", "must be text", "content/x.md:2:8"),
    # Dates
    Case("date-yesterday", {"content/x.md": _md("title: x\ndate: yesterday")}, "error",
         "'date' is not a date: 'yesterday'", "content/x.md:3:7"),
    Case("date-impossible", {"content/x.md": _md("title: x\ndate: 2014-02-30")}, "error", "is not a date",
         "content/x.md:3:7"),
    Case("date-number", {"content/x.md": _md("title: x\ndate: 20140618")}, "error", "is not a date",
         "content/x.md:3:7"),
    Case("date-list", {"content/x.md": _md("title: x\ndate: [2014]")}, "error", "is not a date",
         "content/x.md:3:7"),
    Case("updated-no-zone", {"content/x.md": _md("title: x\nupdated: 2014-06-18T10:00:00")}, "error",
         "has no time-zone offset", "content/x.md:3:10"),
    Case("updated-year-99999", {"content/x.md": _md("title: x\nupdated: 99999-01-01T00:00:00+00:00")}, "error",
         "is not a date-time", "content/x.md:3:10"),
    # Tags and entities
    Case("tags-a-string", {"content/x.md": _fm("tags: police")}, "error", "'tags' must be a list",
         "content/x.md:4:7"),
    Case("tags-with-null", {"content/x.md": _fm("tags: [police, ~]")}, "error", "item 2 of 'tags'",
         "content/x.md:4:16"),
    Case("tags-a-mapping", {"content/x.md": _fm("tags: {a: 1}")}, "error", "'tags' must be a list",
         "content/x.md:4:7"),
    Case("people-not-a-list", {"content/x.md": _fm("people: Jane")}, "error", "'people' must be a list",
         "content/x.md:4:9"),
    Case("wikidata-not-an-id", {"content/x.md": _fm("people: [{name: Jane, wikidata: 'javascript:x'}]")}, "error",
         "is not a Wikidata id", "content/x.md:4:"),
    Case("tag-cjk", {"content/x.md": _fm("tags: [日本, 中国]")}, "ok"),
    Case("tag-windows-device", {"content/x.md": _fm("tags: [CON, nul, COM1]")}, "ok"),
    Case("tags-same-slug", {"content/x.md": _fm("tags: [C++, C]")}, "warning", "shares the page tags/c/"),
    Case("draft-not-boolean", {"content/x.md": _fm("draft: maybe")}, "error", "'draft' must be true or false",
         "content/x.md:4:8"),
    # URLs that reach an href
    Case("source-url-javascript", {"content/x.md": _fm("source: {name: S, url: 'javascript:alert(1)'}")}, "error",
         "URL scheme 'javascript:' is not allowed", "content/x.md:4:"),
    Case("source-url-disguised", {"content/x.md": _fm("source: {url: \" JaVa\\tScRiPt:alert(1)\"}")}, "error",
         "is not allowed in a link", "content/x.md:4:"),
    Case("license-url-data", {"content/x.md": _fm("license: {name: L, url: 'data:text/html,<script>x</script>'}")},
         "error", "URL scheme 'data:' is not allowed", "content/x.md:4:"),
    Case("license-url-vbscript", {"content/x.md": _fm("license: {name: L, url: 'vbscript:msgbox(1)'}")}, "error",
         "URL scheme 'vbscript:' is not allowed", "content/x.md:4:"),
    Case("markdown-javascript-link", {"content/x.md": _fm("") + b"[x](javascript:alert(1)) ![y](data:x)\n"}, "ok"),
    # Paths: slugs, file names, layouts, source paths
    Case("slug-dotdot", {"content/x.md": _fm("slug: ../../etc")}, "error", "not a safe URL slug",
         "content/x.md:4:7"),
    Case("slug-absolute", {"content/x.md": _fm("slug: /etc/passwd")}, "error", "not a safe URL slug",
         "content/x.md:4:7"),
    Case("slug-nul", {"content/x.md": _fm('slug: "a\\0b"')}, "error", "not a safe URL slug", "content/x.md:4:7"),
    Case("slug-drive-letter", {"content/x.md": _fm("slug: 'C:\\Windows'")}, "error", "not a safe URL slug",
         "content/x.md:4:7"),
    Case("slug-reserved-con", {"content/x.md": _fm("slug: con")}, "error", "not a safe URL slug",
         "content/x.md:4:7"),
    Case("slug-reserved-lpt1", {"content/x.md": _fm("slug: lpt1")}, "error", "not a safe URL slug",
         "content/x.md:4:7"),
    Case("slug-reserved-index", {"content/x.md": _fm("slug: index")}, "error", "not a safe URL slug",
         "content/x.md:4:7"),
    Case("slug-over-long", {"content/x.md": _fm("slug: " + "a" * 81)}, "error", "not a safe URL slug",
         "content/x.md:4:7"),
    Case("file-name-uppercase-con", {"content/CON.md": _fm("")}, "error", "the file name 'CON'",
         "content/CON.md:2:1"),
    Case("file-name-reserved", {"content/aux.md": _fm("")}, "error", "the file name 'aux'", "content/aux.md:2:1"),
    Case("file-name-spaces", {"content/my story.md": _fm("")}, "error", "the file name 'my story'",
         "content/my story.md:2:1"),
    Case("file-name-over-long", {f"content/{'a' * 120}.md": _fm("")}, "error", "is not a safe URL slug",
         f"content/{'a' * 120}.md:2:1"),
    Case("file-name-not-utf8", {"content/caf\udce9.md": _fm("")}, "error", "file or folder name is not valid UTF-8",
         "content/caf\\xe9.md"),
    Case("layout-dotdot", {"content/x.md": _fm("layout: ../../base")}, "error", "is not a template name",
         "content/x.md:4:9"),
    Case("layout-absolute", {"content/x.md": _fm("layout: /etc/passwd")}, "error", "is not a template name",
         "content/x.md:4:9"),
    Case("layout-missing", {"content/x.md": _fm("layout: nope")}, "error", "template not found: nope.html",
         "layouts"),
    Case("source-path-absolute", {"content/x.md": _fm("source: {path: /etc/passwd}")}, "error", "absolute path",
         "content/x.md:4:"),
    Case("source-path-drive", {"content/x.md": _fm("source: {path: 'C:/x.txt'}")}, "error", "absolute path",
         "content/x.md:4:"),
    Case("source-path-dotdot-inside", {"content/x.md": _fm("source: {path: sources/../../x.txt}")}, "error",
         "path segment '..'", "content/x.md:4:"),
    Case("source-path-nul", {"content/x.md": _fm('source: {path: "a\\0.txt"}')}, "error", "control character",
         "content/x.md:4:"),
    Case("source-path-reserved", {"content/x.md": _fm("source: {path: raw/CON.txt}")}, "error",
         "cannot be a file name on Windows", "content/x.md:4:"),
    Case("source-path-backslash", {"content/x.md": _fm("source: {path: 'raw\\x.txt'}")}, "error", "backslash",
         "content/x.md:4:"),
    Case("source-path-over-long", {"content/x.md": _fm("source: {path: " + "a/" * 600 + "x.txt}")}, "error",
         "longer than 1024", "content/x.md:4:"),
    Case("source-path-leading-dotdot", {"content/x.md": _fm("source: {path: ../raw/x.txt}")}, "ok"),
    # Collisions
    Case("same-url", {"content/a/x.md": _fm(""), "content/b/x.md": _fm("")}, "error",
         "two articles claim the URL 2020/01/x.html: content/a/x.md and content/b/x.md", "content/b/x.md:1:1"),
    Case("same-url-by-slug", {"content/x.md": _fm(""), "content/y.md": _fm("slug: x")}, "error",
         "two articles claim the URL 2020/01/x.html", "content/y.md:1:1"),
    # Markdown that nests too deeply for Python-Markdown
    Case("markdown-deep-lists", {"content/x.md": _fm("") + b"\n" + "".join(
        "    " * i + "- x\n" for i in range(400)).encode()}, "error", "nests too deeply", "content/x.md:6:1"),
    Case("markdown-deep-quotes", {"content/x.md": _fm("") + b">" * 2000 + b" deep\n"}, "ok"),
    # Annotation sidecars
    Case("sidecar-utf16", {"content/x.md": _fm(""), "content/x.annotations.yaml":
         "annotations:\n- motivation: commenting\n  target: Some text\n  body: Hi\n".encode("utf-16")}, "ok"),
    Case("sidecar-latin1", {"content/x.md": _fm(""), "content/x.annotations.yaml":
         "annotations:\n- motivation: commenting\n  body: caf\xe9\n".encode("latin-1")}, "error", "not valid UTF-8",
         "content/x.annotations.yaml:3:1"),
    Case("sidecar-alias-bomb", {"content/x.md": _fm(""), "content/x.annotations.yaml": b"a: &a [1]\nb: *a\n"},
         "error", "anchors and aliases are not allowed", "content/x.annotations.yaml:1:4"),
    Case("sidecar-python-tag", {"content/x.md": _fm(""), "content/x.annotations.yaml":
         b"annotations:\n- motivation: commenting\n  body: !!python/name:os.system x\n"}, "error",
         "!!python/name:os.system is not allowed", "content/x.annotations.yaml:3:9"),
    Case("sidecar-impossible-date", {"content/x.md": _fm(""), "content/x.annotations.yaml":
         b"annotations:\n- motivation: commenting\n  body: x\n  created: 2014-13-45\n"}, "error",
         "created must be a date", "content/x.annotations.yaml:4:12"),
    Case("sidecar-source-javascript", {"content/x.md": _fm(""), "content/x.annotations.yaml":
         b"annotations:\n- motivation: assessing\n  claim: c\n  verdict: 'false'\n"
         b"  sources: ['javascript:alert(1)']\n"}, "error", "source url: URL scheme 'javascript:'",
         "content/x.annotations.yaml:5:13"),
    Case("sidecar-figure-infinite", {"content/x.md": _fm(""), "content/x.annotations.yaml":
         b"figures:\n- title: t\n  label: l\n  values:\n  - {year: 2000, value: .inf}\n"}, "error",
         "finite numbers", "content/x.annotations.yaml:5:"),
    Case("sidecar-a-list", {"content/x.md": _fm(""), "content/x.annotations.yaml": b"- a\n- b\n"}, "error",
         "sidecar file must be a mapping", "content/x.annotations.yaml:1:1"),
    Case("sidecar-two-documents", {"content/x.md": _fm(""), "content/x.annotations.yaml":
         b"annotations: []\n---\nannotations: []\n"}, "error", "more than one YAML document",
         "content/x.annotations.yaml:2:1"),
    Case("sidecar-nul", {"content/x.md": _fm(""), "content/x.annotations.yaml": b"annotations: []\n\x00"},
         "error", "NUL byte", "content/x.annotations.yaml:2:1"),
    # Config
    Case("config-latin1", {"config.yaml": "title: Caf\xe9\n".encode("latin-1")}, "error", "not UTF-8",
         "config.yaml:1:1"),
    Case("config-a-list", {"config.yaml": b"- a\n"}, "error", "must be a mapping", "config.yaml:1:1"),
    Case("config-base-url-javascript", {"config.yaml": b"title: x\nbase_url: 'javascript:alert(1)'\n"}, "error",
         "must start with http", "config.yaml:2:11"),
    Case("config-base-url-markup", {"config.yaml": b"title: x\nbase_url: 'https://e.org/\"><script>alert(1)</script>'\n"},
         "error", "holds a character a URL cannot", "config.yaml:2:11"),
    # The importer's log, hand-edited into shapes the pages cannot list
    Case("import-repairs-not-a-list", {"content/x.md": _fm("import: {repairs: 5}")}, "error",
         "'import.repairs' must be a list", "content/x.md:4:19"),
    Case("import-warnings-not-texts", {"content/x.md": _fm("import: {warnings: [{a: 1}]}")}, "error",
         "'import.warnings' must be a list of texts", "content/x.md:4:20"),
    # Size
    Case("over-20-mb", {"content/x.md": _fm("") + b"x" * (20 * 1024 * 1024)}, "error", "larger than 20 MB",
         "content/x.md:1:1"),
]

_RAW = "Police raid the docks\n\nOfficers searched a warehouse on Tuesday.\n\nThey found nothing.\n"

IMPORT_CASES: list[Case] = [
    Case("raw-utf8", {"raw/a.txt": _RAW.encode()}, "ok"),
    Case("raw-utf8-bom", {"raw/a.txt": codecs.BOM_UTF8 + _RAW.encode()}, "ok"),
    Case("raw-utf16-le-bom", {"raw/a.txt": _RAW.encode("utf-16")}, "warning", "decoded as utf-16-le"),
    Case("raw-utf16-be-bom", {"raw/a.txt": codecs.BOM_UTF16_BE + _RAW.encode("utf-16-be")}, "warning",
         "decoded as utf-16-be"),
    Case("raw-utf16-no-bom", {"raw/a.txt": _RAW.encode("utf-16-le")}, "warning", "decoded as utf-16-le"),
    Case("raw-utf32-bom", {"raw/a.txt": _RAW.encode("utf-32")}, "warning", "decoded as utf-32-le"),
    Case("raw-cp1252", {"raw/a.txt": "Police \u201craid\u201d the caf\xe9\n\nOfficers \u2013 twelve.\n"
                        .encode("cp1252")}, "warning", "decoded as cp1252"),
    Case("raw-latin1", {"raw/a.txt": "Police raid the caf\xe9\n\nOfficers ate cr\xeape.\n".encode("latin-1")},
         "warning", "decoded as cp1252"),
    Case("raw-bad-utf16", {"raw/a.txt": codecs.BOM_UTF16_LE + b"a\x00b"}, "error", "is not utf-16-le",
         "../raw/a.txt:1:1"),
    Case("raw-crlf", {"raw/a.txt": _RAW.replace("\n", "\r\n").encode()}, "ok"),
    Case("raw-cr", {"raw/a.txt": _RAW.replace("\n", "\r").encode()}, "ok"),
    Case("raw-empty", {"raw/a.txt": b""}, "error", "empty file", "../raw/a.txt:1:1"),
    Case("raw-whitespace", {"raw/a.txt": b"  \n\t\n\n"}, "error", "empty file", "../raw/a.txt:1:1"),
    Case("raw-binary", {"raw/a.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, "error", "binary file",
         "../raw/a.txt:3:1"),
    Case("raw-headline-only", {"raw/a.txt": b"Just a headline\n"}, "warning", "no body text"),
    Case("raw-long-line", {"raw/a.txt": ("Headline\n\n" + "word " * 2000 + "\n").encode()}, "ok"),
    Case("raw-long-headline", {"raw/a.txt": ("H" * 10000 + "\n\nBody.\n").encode()}, "error", "no headline",
         "../raw/a.txt:1:1"),
    Case("raw-html", {"raw/a.txt": b"<script>alert(1)</script> headline\n\n<img src=x onerror=alert(1)> body\n"},
         "ok"),
    Case("raw-markdown-and-templates", {"raw/a.txt": b"Head {{ 7*7 }}\n\n[a](javascript:x) {% include 'x' %} *b*\n"},
         "ok"),
    Case("raw-yaml-lookalike", {"raw/a.txt": b"---\ntitle: !!python/object x\n---\n\nbody: &a *a\n"}, "ok"),
    Case("raw-control-chars", {"raw/a.txt": b"Head\x1bline\n\nBody \x0b\x0c\x7f end.\n"}, "ok"),
    Case("raw-name-con", {"raw/CON.txt": _RAW.encode()}, "error", "'CON.txt' cannot be a file name on Windows",
         "../raw/CON.txt"),
    Case("raw-name-newline", {"raw/a\nb.txt": _RAW.encode()}, "error", "control character", "../raw/a\\x0ab.txt"),
    Case("raw-name-not-utf8", {"raw/caf\udce9.txt": _RAW.encode()}, "error", "name is not valid UTF-8",
         "../raw/caf\\xe9.txt"),
    Case("raw-over-20-mb", {"raw/a.txt": b"Headline\n\n" + b"word " * (4 * 1024 * 1024 + 1)}, "error",
         "larger than 20 MB", "../raw/a.txt:1:1"),
    Case("raw-manifest-javascript-url", {
        "raw/a.txt": _RAW.encode(),
        "raw/MANIFEST.tsv": b"file\tsource_url\tlicence\tlicence_url\na.txt\tjavascript:alert(1)\tCC\tdata:x\n"},
        "warning", "manifest source_url left out: URL scheme 'javascript:'"),
    Case("raw-title-reserved-slug", {"raw/a.txt": b"Index\n\nBody text.\n"}, "ok"),
]
