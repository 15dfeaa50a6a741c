"""No path escapes the site and nothing is overwritten silently.

The writer refuses unsafe output paths; linked folders and files never lead a
read or a write out of ``content/``; a build writes only into ``output/`` (and
its cache); two articles or two names never share a file without an error or
a warning; a re-import never overwrites a hand edit; every write is atomic.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable

import pytest

from marginalia import cli
from marginalia.errors import SiteError
from marginalia.ingest import run_import
from marginalia.ingest.store import ContentWriter, Outside, write_atomic
from marginalia.paths import path_problem
from marginalia.pipeline import build
from marginalia.slugs import group_slug
from marginalia.writer import check_path, write_site

from conftest import article, tree_bytes

RAW = "Police raid the docks\n\nOfficers searched a warehouse on Tuesday.\n"


@pytest.mark.parametrize("rel", [
    "../escape.html", "a/../../b.html", "/etc/passwd", "a\\b.html", "C:/x.html", "c:x.html", "a/\x00b.html",
    "a/b\n.html", "", "a//b.html", "./a.html", "con/index.html", "tags/NUL.txt", "tags/com1/index.html",
    "lpt9.html", "a/b./index.html", "a/b /index.html", "x" * 256 + ".html", "a/" * 600 + "b.html",
])
def test_the_writer_refuses_unsafe_paths(rel: str) -> None:
    assert check_path(rel) is not None


@pytest.mark.parametrize("rel", ["index.html", "tags/c/index.html", "2020/01/x.html", "assets/site.js",
                                 "tags/con-3f2a/index.html", "search/idx/t/0.js"])
def test_the_writer_accepts_the_sites_paths(rel: str) -> None:
    assert check_path(rel) is None


def test_an_escaping_path_stops_the_write_and_leaves_output_alone(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "output"
    write_site([("index.html", b"old")], out)
    with pytest.raises(SiteError) as caught:
        write_site([("index.html", b"new"), ("../evil.html", b"x")], out)
    assert "output/../evil.html" in str(caught.value)
    assert not (tmp_path / "evil.html").exists() and (out / "index.html").read_bytes() == b"old"


def test_duplicate_and_case_clashing_output_paths_are_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SiteError, match="two pages would write this file"):
        write_site([("a/index.html", b"1"), ("a/index.html", b"2")], tmp_path / "o1")
    with pytest.raises(SiteError, match="clashes with tags/c/index.html on case-insensitive disks"):
        write_site([("tags/c/index.html", b"1"), ("tags/C/index.html", b"2")], tmp_path / "o2")


@pytest.mark.parametrize("path, problem", [
    ("sources/a.txt", ""), ("../raw/a.txt", ""), ("../../x/y.txt", ""),
    ("/etc/passwd", "absolute"), ("C:/a.txt", "absolute"), ("sources/../../a", "'..'"), ("a/./b", "'.'"),
    ("a\\b", "backslash"), ("a\x00b", "control"), ("a/CON", "Windows"), ("nul.txt", "Windows"),
    ("a/b.", "Windows"), ("a" * 300, "longer than 255"), ("a/" * 600, "longer than 1024"),
])
def test_recorded_paths(path: str, problem: str) -> None:
    assert (problem in path_problem(path)) if problem else path_problem(path) == ""


def test_linked_folders_and_files_out_of_content_are_not_read(make_site: Callable[..., pathlib.Path],
                                                              tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(article("Secret", body="Do not publish."), encoding="utf-8")
    site = make_site({"content/a.md": article("Visible")})
    os.symlink(outside, site / "content/linked")
    os.symlink(outside / "secret.md", site / "content/secret.md")
    build(site)
    html = "".join(p.read_text(encoding="utf-8") for p in (site / "output").rglob("*.html"))
    assert "Visible" in html and "Secret" not in html and "Do not publish" not in html


def test_a_build_writes_only_into_output(make_site: Callable[..., pathlib.Path]) -> None:
    site = make_site({"content/a.md": article("A"), "content/b.md": article("B", "2021-03-04")})
    before = {rel: data for rel, data in tree_bytes(site).items()}
    build(site)
    after = tree_bytes(site)
    changed = {rel for rel in set(before) | set(after) if before.get(rel) != after.get(rel)}
    assert changed and all(rel.startswith(("output/", ".marginalia-cache/")) for rel in changed)


def test_building_into_the_sites_own_folders_is_refused(make_site: Callable[..., pathlib.Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"content/a.md": article("A")})
    for target in (site, site / "content", site / "content/sub", site.parent):
        assert cli.main(["build", "--site", str(site), "--output", str(target), "-q"]) == 1
        assert "refusing to build into the site's own folders" in capsys.readouterr().err
    assert sorted(p.name for p in (site / "content").iterdir()) == ["a.md"]


def test_import_never_writes_through_a_linked_folder(make_site: Callable[..., pathlib.Path],
                                                     tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("18 June 2014\n" + RAW, encoding="utf-8")
    (raw / "b.txt").write_text("Undated story\n\nIt has no date line.\n", encoding="utf-8")
    site = make_site()
    os.symlink(outside, site / "content/2014")
    report = run_import([raw], site=site)
    assert list(outside.iterdir()) == []
    assert [p.message for p in report.problems if p.severity == "error"] == [
        "not written: its folder is a link to a place outside content/"]
    assert report.written == ["content/undated-story.md"]  # the rest is imported


def test_reimport_never_overwrites_a_hand_edit(make_site: Callable[..., pathlib.Path],
                                               tmp_path: pathlib.Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(RAW, encoding="utf-8")
    site = make_site()
    first = run_import([raw], site=site)
    target = site / first.written[0]
    edited = target.read_text(encoding="utf-8").replace("Tuesday", "Wednesday (corrected by hand)")
    target.write_text(edited, encoding="utf-8")
    (raw / "a.txt").write_text(RAW.replace("warehouse", "shed"), encoding="utf-8")  # the source changed too
    again = run_import([raw], site=site)
    assert again.skipped_edited == [first.written[0]] and again.written == []
    assert target.read_text(encoding="utf-8") == edited
    assert any("edited since import" in p.message and p.severity == "warning" for p in again.problems)
    forced = run_import([raw], site=site, force=True)
    assert forced.written == [first.written[0]] and "shed" in target.read_text(encoding="utf-8")


def test_an_unchanged_reimport_rewrites_nothing(make_site: Callable[..., pathlib.Path],
                                                tmp_path: pathlib.Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(RAW, encoding="utf-8")
    site = make_site()
    run_import([raw], site=site)
    before = tree_bytes(site / "content")
    mtimes = {p: p.stat().st_mtime_ns for p in (site / "content").rglob("*")}
    again = run_import([raw], site=site)
    assert again.written == [] and tree_bytes(site / "content") == before
    assert {p: p.stat().st_mtime_ns for p in (site / "content").rglob("*")} == mtimes


def test_two_raw_files_with_one_headline_get_two_files(make_site: Callable[..., pathlib.Path],
                                                       tmp_path: pathlib.Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(RAW, encoding="utf-8")
    (raw / "b.txt").write_text(RAW + "\nA different ending.\n", encoding="utf-8")
    site = make_site()
    report = run_import([raw], site=site)
    assert report.written == ["content/police-raid-the-docks.md", "content/police-raid-the-docks-2.md"]


def test_atomic_write_leaves_the_old_file_whole_when_interrupted(tmp_path: pathlib.Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "content/a.md"
    write_atomic(target, b"old", root=tmp_path / "content")

    def crash(*_args: object, **_kwargs: object) -> None:  # the rename, by path or in a held folder
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new" * 1000, root=tmp_path / "content")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.md"]  # no temporary file left


def test_a_link_swapped_in_after_the_first_write_does_not_lead_the_next_out(tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    content = tmp_path / "content"
    with ContentWriter(content) as writer:
        writer.write(content / "2014/a.md", b"a")
        (content / "2014").rename(content / "moved")
        os.symlink(outside, content / "2014")
        writer.write(content / "2014/b.md", b"b")  # into the folder it checked, wherever that went
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in (content / "moved").iterdir()) == ["a.md", "b.md"]
    with ContentWriter(content) as writer, pytest.raises(Outside):
        writer.write(content / "2014/c.md", b"c")  # a new writer checks the folder afresh


def test_a_folder_removed_between_writes_is_made_again(tmp_path: pathlib.Path) -> None:
    content = tmp_path / "content"
    with ContentWriter(content) as writer:
        writer.write(content / "2014/a.md", b"a")
        (content / "2014/a.md").unlink()
        (content / "2014").rmdir()
        writer.write(content / "2014/b.md", b"b")
    assert sorted(p.relative_to(content).as_posix() for p in content.rglob("*")) == ["2014", "2014/b.md"]


def test_a_temporary_file_left_behind_is_not_written_over(tmp_path: pathlib.Path) -> None:
    content = tmp_path / "content"
    (content / "2014").mkdir(parents=True)
    for n in range(1, 4):
        (content / f"2014/.a.md.{os.getpid()}-{n}.tmp").write_bytes(b"left")
    write_atomic(content / "2014/a.md", b"new", root=content)
    assert (content / "2014/a.md").read_bytes() == b"new"
    assert oct((content / "2014/a.md").stat().st_mode & 0o777) == oct(0o644)
    assert all(p.read_bytes() == b"left" for p in (content / "2014").glob(".a.md.*"))


def test_names_that_share_a_slug_are_merged_with_a_warning(make_site: Callable[..., pathlib.Path]) -> None:
    site = make_site({
        "content/a.md": article("A", tags="[C++]"),
        "content/b.md": article("B", "2020-02-02", tags="[C, police]"),
        "content/c.md": article("C", "2020-03-03", tags="[Police]"),  # case only: the same tag, no warning
    })
    report = build(site)
    merged = [w for w in report.warnings if "shares the page" in w.message]
    assert len(merged) == 1 and merged[0].severity == "warning"
    assert "tags/c/" in merged[0].message and "'C++'" in merged[0].message and "'C'" in merged[0].message
    page = (site / "output/tags/c/index.html").read_text(encoding="utf-8")
    assert ">A</a>" in page and ">B</a>" in page  # both listed: nothing lost
    with pytest.raises(SiteError, match="shares the page tags/c/"):
        build(site, strict=True)


def test_names_without_latin_letters_get_pages_of_their_own(make_site: Callable[..., pathlib.Path]) -> None:
    site = make_site({"content/a.md": article("A", tags="[日本, 中国, '!!!', CON]")})
    build(site)
    slugs = sorted(p.name for p in (site / "output/tags").iterdir() if p.is_dir())
    assert slugs == sorted({group_slug(n) for n in ("日本", "中国", "!!!", "CON")}) and len(slugs) == 4
    assert all(s.startswith(("n-", "con-")) for s in slugs)
    page = (site / "output/2020/01/a.html").read_text(encoding="utf-8")
    for slug in slugs:
        assert f"tags/{slug}/index.html" in page


def test_a_linked_sidecar_out_of_content_is_not_read(make_site: Callable[..., pathlib.Path],
                                                     tmp_path: pathlib.Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("annotations:\n- motivation: commenting\n  body: Secret note\n", encoding="utf-8")
    site = make_site({"content/a.md": article("A")})
    os.symlink(secret, site / "content/a.annotations.yaml")
    build(site)
    assert "Secret note" not in (site / "output/2020/01/a.html").read_text(encoding="utf-8")


def test_a_fifo_in_content_is_a_located_error_not_a_hang(make_site: Callable[..., pathlib.Path],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"content/a.md": article("A")})
    os.mkfifo(site / "content/pipe.md")
    assert cli.main(["build", "--site", str(site), "-q"]) == 1
    assert "content/pipe.md: not a regular file" in capsys.readouterr().err
