"""Broken and hostile input through the command line: a correct result or a located error.

The cases are listed in ``tests/hostile/cases.py`` and, one row each, in
``docs/hostile-input.md``. Each runs ``build.py build`` or ``build.py import``
in-process, beside a good article: the command exits 0 (or 1 with
``path:line:col: message`` on stderr, never a traceback), the good article is
unaffected, and a failed build leaves the previous ``output/`` byte for byte.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable

import pytest
from hostile.cases import BUILD_CASES, IMPORT_CASES, Case

from marginalia import cli

from conftest import REPO, article, article_pages, tree_bytes

GOOD = article("Good article", "2019-05-05", "Unaffected text stays.")
GOOD_RAW = "Good raw article\n\nThis text is imported whatever its neighbours hold.\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run the command line in-process; return (exit status, stderr)."""
    status = cli.main(list(argv))
    return status, capsys.readouterr().err


def check_outcome(case: Case, status: int, err: str) -> None:
    assert "Traceback" not in err
    if case.outcome == "error":
        assert status == 1, err
        located = [line for line in err.splitlines() if line.startswith(case.where) and case.says in line]
        assert located, f"expected {case.where}…: …{case.says}… in:\n{err}"
    else:
        assert status == 0, err
        if case.outcome == "warning":
            assert any("warning:" in line and case.says in line for line in err.splitlines()), err
        else:
            assert "warning:" not in err, err


@pytest.mark.parametrize("case", BUILD_CASES, ids=lambda c: c.id)
def test_build(case: Case, make_site: Callable[..., pathlib.Path], capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"content/good.md": GOOD})
    assert run(capsys, "build", "--site", str(site), "-q")[0] == 0
    before = tree_bytes(site / "output")
    for rel, data in case.files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    status, err = run(capsys, "build", "--site", str(site), "-q")
    check_outcome(case, status, err)
    if status:
        assert tree_bytes(site / "output") == before  # a failed build changes nothing
    else:
        assert "Unaffected text stays." in (site / "output/2019/05/good.html").read_text(encoding="utf-8")


def test_encoded_content_files_read_right(make_site: Callable[..., pathlib.Path],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    by_id = {c.id: c for c in BUILD_CASES}
    for case_id in ("utf8-bom", "utf16-le-bom", "utf16-be-bom", "utf32-bom", "crlf", "cr"):
        site = make_site(dict(by_id[case_id].files), name=case_id)
        assert run(capsys, "build", "--site", str(site), "-q")[0] == 0
        page = (site / "output/2020/01/x.html").read_text(encoding="utf-8")
        assert "<h1 id=\"article-title\">Encoded – café</h1>" in page, case_id
        assert "Über die Brücke, 20 °C." in page, case_id


def test_templates_in_every_field_render_literally(make_site: Callable[..., pathlib.Path]) -> None:
    """``{{ 7*7 }}`` and ``{% include %}`` in titles, bylines, tags, entities and annotations are text."""
    from marginalia.pipeline import build

    jinja = "{{ 7*7 }} {% include 'base.html' %} {{ site.title }}"
    site = make_site({
        "content/x.md": (f"---\ntitle: \"{jinja}\"\ndate: 2020-01-02\nbyline: \"{jinja}\"\n"
                         f"standfirst: \"{jinja}\"\ntags: [\"{jinja}\"]\npeople: [\"{jinja}\"]\n"
                         f"content_note: \"{jinja}\"\n---\nBody {jinja}\n"),
        "content/x.annotations.yaml": (f"annotations:\n- motivation: commenting\n  target: Body\n  body: \"{jinja}\"\n"
                                       f"- motivation: questioning\n  question: \"{jinja}\"\n"),
    })
    build(site)
    for path in (site / "output").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert ">49<" not in text and " 49 " not in text, path
    page = (site / "output/2020/01/x.html").read_text(encoding="utf-8")
    assert page.count("{{ 7*7 }}") >= 7 and page.count("{% include &#39;base.html&#39; %}") >= 5


@pytest.mark.parametrize("case", IMPORT_CASES, ids=lambda c: c.id)
def test_import(case: Case, make_site: Callable[..., pathlib.Path], tmp_path: pathlib.Path,
                capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD_RAW, encoding="utf-8")
    for rel, data in case.files.items():
        (tmp_path / rel).write_bytes(data)
    status, err = run(capsys, "import", str(raw), "--site", str(site))
    check_outcome(case, status, err)
    written = {p.name for p in (site / "content").rglob("*.md")}
    assert "good-raw-article.md" in written  # the rest of the archive is unaffected
    assert len(written) == (1 if case.outcome == "error" else 2), written
    status, err = run(capsys, "build", "--site", str(site), "-q")  # whatever was imported builds
    assert status == 0 and "Traceback" not in err, err


def test_imported_hostile_text_is_shown_literally(make_site: Callable[..., pathlib.Path], tmp_path: pathlib.Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    text = ("<script>alert(1)</script> {{ 7*7 }}\n\n<img src=x onerror=alert(1)> [a](javascript:x) *b* "
            "{% include 'x' %} &amp; \\\n")
    (raw / "a.txt").write_text(text, encoding="utf-8")
    site = make_site()
    assert run(capsys, "import", str(raw), "--site", str(site))[0] == 0
    assert run(capsys, "build", "--site", str(site), "-q")[0] == 0
    page = article_pages(site / "output/undated")[0].read_text(encoding="utf-8")
    assert "<h1 id=\"article-title\">&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}</h1>" in page
    assert ("&lt;img src=x onerror=alert(1)&gt; [a](javascript:x) *b* {% include 'x' %} &amp;amp; \\</p>"
            in page)


def test_docs_table_lists_every_case() -> None:
    table = (REPO / "docs/hostile-input.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", table, re.M))
    assert {c.id for c in BUILD_CASES + IMPORT_CASES} <= listed
