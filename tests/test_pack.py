"""``build.py pack``: one deterministic zip that works unzipped and opened from disk."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import zipfile

import pytest

from marginalia.errors import SiteError
from marginalia.pack import pack

from conftest import REPO
from sitegen import CONFIG, many_articles


@pytest.fixture
def site(make_site) -> pathlib.Path:
    return make_site(many_articles(12), config=CONFIG)


def test_pack_is_byte_for_byte_reproducible(site: pathlib.Path, tmp_path: pathlib.Path) -> None:
    first = pack(site, tmp_path / "one/archive.zip")
    second = pack(site, tmp_path / "two/archive.zip")
    assert first.files > 50
    assert (tmp_path / "one/archive.zip").read_bytes() == (tmp_path / "two/archive.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one/archive.zip") as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
    names = [i.filename for i in infos]
    assert names == sorted(names) and len(names) == second.files
    assert all(n.startswith("archive/") for n in names) and "archive/index.html" in names
    assert "archive/.marginalia-output" not in names
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_pack_honours_source_date_epoch(site: pathlib.Path, tmp_path: pathlib.Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1402999200")  # 2014-06-17 10:00:00 UTC
    pack(site, tmp_path / "dated.zip")
    with zipfile.ZipFile(tmp_path / "dated.zip") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2014, 6, 17, 10, 0, 0)}


def test_pack_refuses_other_file_types(site: pathlib.Path, tmp_path: pathlib.Path) -> None:
    with pytest.raises(SiteError, match="must be a .zip file"):
        pack(site, tmp_path / "archive.tar")
    assert not (tmp_path / "archive.tar").exists()


def test_pack_command(site: pathlib.Path, tmp_path: pathlib.Path) -> None:
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "pack", "--site", str(site),
                             "--output", str(tmp_path / "news.zip")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"into {tmp_path / 'news.zip'}" in result.stdout and "open news/index.html" in result.stdout
    with zipfile.ZipFile(tmp_path / "news.zip") as archive:
        assert "news/index.html" in archive.namelist()


@pytest.mark.browser
def test_unzipped_pack_opens_from_disk_and_navigates(site: pathlib.Path, tmp_path: pathlib.Path, chromium) -> None:
    pack(site, tmp_path / "archive.zip")
    with zipfile.ZipFile(tmp_path / "archive.zip") as archive:
        archive.extractall(tmp_path / "unzipped")
    root = (tmp_path / "unzipped/archive").as_uri() + "/"
    page = chromium.new_page()
    outside: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(root) else outside.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(root + "index.html")
    page.click("text=Story 11: the news")
    page.wait_for_load_state("load")
    assert page.url == root + "2019/01/story-11.html"
    assert page.locator("h1").inner_text() == "Story 11: the news"
    page.click(".kicker a >> nth=0")
    page.wait_for_load_state("load")  # the stylesheet too: the URL changes before it is applied
    assert page.url == root + "tags/science/index.html"
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).top").startswith("-")
    assert page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.controller : null") is None
    assert outside == [] and failed == []
    page.close()
