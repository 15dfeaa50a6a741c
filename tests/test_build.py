"""The build: pages, URLs, relative links, determinism, atomic output, safety."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

from marginalia.checker import check_links
from marginalia.errors import SiteError
from marginalia.pipeline import build

from conftest import REPO, article, tree_bytes

SEED_LIKE = article(
    "Police raid: a test", "2014-06-18",
    "Hello *world* {{ 7*7 }} {% include 'x' %}\n\n## Operation Predator\n\n- one\n- two",
    updated="2014-06-18T11:59:00-04:00", byline="A Reporter", tags="[policing, online-safety]",
    people="[{name: Ian Quinn, role: chairman}]", places="[Los Angeles]",
    content_note='"Discusses abuse."')


def test_builds_every_kind_of_page(make_site) -> None:
    site = make_site({"content/2014/raid.md": SEED_LIKE,
                      "content/other.md": article("Second", "2020-03-04"),
                      "content/no-date.md": "---\ntitle: No date\n---\nText\n"})
    report = build(site)
    out = site / "output"
    assert report.articles == 3
    for page in ("index.html", "2014/06/raid.html", "2014/index.html", "2014/06/index.html",
                 "archive/index.html", "tags/index.html", "tags/policing/index.html",
                 "people/ian-quinn/index.html", "places/los-angeles/index.html", "credits/index.html",
                 "undated/no-date.html", "undated/index.html", "assets/style.css"):
        assert (out / page).is_file(), page
    assert check_links(out) == []


def test_article_page_shows_metadata_and_escapes_template_syntax(make_site) -> None:
    site = make_site({"content/raid.md": SEED_LIKE})
    build(site)
    html = (site / "output/2014/06/raid.html").read_text()
    assert "{{ 7*7 }}" in html and "{% include" in html and ">49<" not in html
    assert "18 June 2014, 11:59 (UTC\u221204:00)" in html
    assert 'datetime="2014-06-18T11:59:00-04:00"' in html
    assert "Content note:" in html and "Discusses abuse." in html
    assert '<a href="../../people/ian-quinn/index.html">Ian Quinn</a>' in html
    assert '<link rel="stylesheet" href="../../assets/style.css">' in html


def test_every_link_is_relative_with_explicit_index(make_site) -> None:
    site = make_site({"content/raid.md": SEED_LIKE})
    build(site)
    for page in (site / "output").rglob("*.html"):
        if page.name == "404.html":
            continue  # served at any missing path, so it links from the site's root path (docs/publishing.md)
        for href in re.findall(r'(?:href|src)="([^"]*)"', page.read_text()):
            if href.startswith(("http://", "https://", "#", "mailto:", "data:image/svg+xml,")):  # the inline icon
                continue
            assert not href.startswith("/"), (page, href)
            assert href.endswith((".html", ".css", ".js", ".xml", ".json", ".svg", ".webmanifest", ".jsonld")) \
                or "#" in href, (page, href)


def test_home_page_paginates_newest_first(make_site) -> None:
    files = {f"content/a{i:02d}.md": article(f"Article {i:02d}", f"2020-01-{i + 1:02d}") for i in range(12)}
    site = make_site(files)
    build(site)
    out = site / "output"
    first = (out / "index.html").read_text()
    assert first.index("Article 11") < first.index("Article 07")
    assert (out / "page/3/index.html").is_file() and not (out / "page/4/index.html").exists()
    assert "Article 00" in (out / "page/3/index.html").read_text()


def test_two_builds_are_byte_identical(make_site, tmp_path: pathlib.Path) -> None:
    site = make_site({"content/raid.md": SEED_LIKE, "content/b.md": article("B", "2019-01-01")})
    build(site, output=tmp_path / "one")
    build(site, output=tmp_path / "two")
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_unchanged_files_keep_their_mtime_and_removed_articles_disappear(make_site) -> None:
    site = make_site({"content/raid.md": SEED_LIKE, "content/b.md": article("B", "2019-01-01")})
    build(site)
    css = site / "output/assets/style.css"
    before = css.stat().st_mtime_ns
    (site / "content/b.md").unlink()
    report = build(site)
    assert css.stat().st_mtime_ns == before
    assert report.stats.unchanged > 0
    assert not (site / "output/2019/01/b.html").exists()


def test_errors_leave_previous_output_and_content(make_site) -> None:
    site = make_site({"content/raid.md": SEED_LIKE})
    build(site)
    before = tree_bytes(site / "output")
    content_before = tree_bytes(site / "content")
    (site / "content/bad.md").write_text("---\ntitle: [unclosed\n---\n")
    with pytest.raises(SiteError):
        build(site)
    assert tree_bytes(site / "output") == before
    assert tree_bytes(site / "content") == {**content_before, "bad.md": b"---\ntitle: [unclosed\n---\n"}


def test_raw_html_is_sanitized(make_site) -> None:
    body = ('<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> [link](javascript:alert(1)) '
            '<b onclick="alert(1)">bold</b>\n\n<div><iframe src="https://evil.example"></iframe>ok</div>')
    site = make_site({"content/x.md": article("X", body=body)})
    build(site)
    html = (site / "output/2020/01/x.html").read_text()
    main = html[html.index('<div class="article__body">'):html.index("</article>")]
    for bad in ("<script>alert", "onerror", "javascript:", "onclick", "<iframe", "<img"):
        assert bad not in main, bad
    assert "<b>bold</b>" in main and "ok</div>" in main


def test_site_layouts_override_defaults(make_site) -> None:
    site = make_site({"content/x.md": article("X"),
                      "layouts/credits.html": '{% extends "base.html" %}{% block main %}OUR CREDITS{% endblock %}'})
    build(site)
    assert "OUR CREDITS" in (site / "output/credits/index.html").read_text()
    assert "Latest articles" in (site / "output/index.html").read_text()


def test_broken_layout_is_a_located_error(make_site) -> None:
    site = make_site({"content/x.md": article("X"), "layouts/article.html": "{% if %}\n"})
    with pytest.raises(SiteError) as info:
        build(site)
    assert info.value.problems[0].format().startswith("layouts/article.html:1:")


def test_refuses_to_replace_a_folder_it_did_not_make(make_site, tmp_path: pathlib.Path) -> None:
    site = make_site({"content/x.md": article("X")})
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(SiteError, match="was not made by a build"):
        build(site, output=precious)
    with pytest.raises(SiteError, match="site's own folders"):
        build(site, output=site / "content")
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_command_line_exit_codes(make_site) -> None:
    site = make_site({"content/x.md": article("X")})
    run = [sys.executable, str(REPO / "build.py")]
    ok = subprocess.run(run + ["build", "--site", str(site), "--quiet"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    usage = subprocess.run(run + ["build", "--no-such-flag"], capture_output=True, text=True)
    assert usage.returncode == 2
    for command in ("build", "import", "init", "check"):
        helped = subprocess.run(run + [command, "--help"], capture_output=True, text=True)
        assert helped.returncode == 0 and "usage:" in helped.stdout
    checked = subprocess.run(run + ["check", "--site", str(site)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_init_creates_a_buildable_archive(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "new-archive"
    run = [sys.executable, str(REPO / "build.py")]
    assert subprocess.run(run + ["init", str(target)], capture_output=True).returncode == 0
    assert (target / "config.yaml").is_file() and (target / "layouts").is_dir()
    built = subprocess.run(run + ["build", "--site", str(target)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    again = subprocess.run(run + ["init", str(target)], capture_output=True, text=True)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_clean_build_ignores_the_cache_but_records_it(make_site) -> None:
    site = make_site({"content/a.md": article("A"), "content/b.md": article("B", "2020-02-02")})
    build(site, clean=True)
    assert build(site).nothing_changed
    (site / "content/b.md").write_text(article("B", "2020-02-02", body="Other text."))
    report = build(site)
    assert report.rendered == 1 and not report.nothing_changed
    assert build(site, clean=True).rendered == 2
