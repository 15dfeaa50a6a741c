"""``build.py check``: missing and outside assets are reported where they are, and the exit status is 1."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from marginalia.checker import check_links

from conftest import REPO, article

BAD_CREDITS = """{% extends "base.html" %}
{% block main %}
<h1>Credits</h1>
<img src="{{ root }}assets/missing.png" alt="">
<link rel="stylesheet" href="https://cdn.example.com/theme.css">
<script src="/absolute.js"></script>
<img srcset="{{ root }}assets/style.css 1x, {{ root }}assets/gone.png 2x" alt="">
<a href="https://example.com/fine.html">an outside link is fine</a>
{% endblock %}
"""


def run_check(site: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "check", "--site", str(site)],
                          capture_output=True, text=True)


def test_check_reports_located_asset_problems_and_fails(make_site) -> None:
    site = make_site({"content/a.md": article(), "layouts/credits.html": BAD_CREDITS})
    result = run_check(site)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("output/credits/index.html:")]
    messages = [line.split(": ", 1)[1] for line in lines]
    assert messages == [
        "missing image '../assets/missing.png': no file assets/missing.png",
        "stylesheet 'https://cdn.example.com/theme.css' loads from outside the site",
        "script '/absolute.js' starts at the host's root, so it breaks on disk and sub-paths",
        "missing image '../assets/gone.png': no file assets/gone.png",
    ], result.stderr
    assert all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in lines)  # line:col
    assert "4 errors; nothing was changed." in result.stderr


def test_check_passes_a_sound_site(make_site) -> None:
    result = run_check(make_site({"content/a.md": article()}))
    assert result.returncode == 0, result.stderr
    assert "every internal link, anchor and asset are fine" in result.stdout


def test_stylesheet_urls_are_checked(tmp_path: pathlib.Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<link rel="stylesheet" href="assets/site.css">', encoding="utf-8")
    (tmp_path / "assets/site.css").write_text(
        'body { background: url("bg.png"); }\n@import "https://fonts.example.com/f.css";\n'
        ".icon { background: url(data:image/png;base64,AAAA); }\n", encoding="utf-8")
    problems = [(p.path, p.line, p.col, p.message) for p in check_links(tmp_path)]
    assert problems == [
        ("output/assets/site.css", 1, 20, "missing asset 'bg.png': no file assets/bg.png"),
        ("output/assets/site.css", 2, 1, "asset 'https://fonts.example.com/f.css' loads from outside the site"),
    ]
