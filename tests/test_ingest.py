"""The importer end to end: the seed, the Wikinews demo, manifests, edits, broken input."""

from __future__ import annotations

import hashlib
import json
import pathlib
import shutil

import pytest
import yaml

from marginalia.errors import SiteError
from marginalia.ingest import discover, manifest, run_import
from marginalia.ingest.document import is_hand_edited

REPO = pathlib.Path(__file__).resolve().parents[1]
SOURCES = REPO / "sources"
DATA = REPO / "tests" / "data" / "ingest"
SEED = "000_3dd9cadd05d23e49.txt"


def front(path: pathlib.Path) -> dict:
    """A content file's front matter."""
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---\n", 1)[0][4:])


def hashes(folder: pathlib.Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: pathlib.Path) -> pathlib.Path:
    """An empty site with the bundled raw sources copied in."""
    shutil.copytree(SOURCES, tmp_path / "sources")
    return tmp_path


@pytest.fixture
def seed_item(site: pathlib.Path) -> dict:
    """The seed's ``--json`` object."""
    report = run_import([site / "sources" / "seed" / SEED], site=site, as_json=True)
    assert len(report.json_items) == 1
    return report.json_items[0]


def test_bundled_seed_is_the_shared_seed_byte_for_byte() -> None:
    digest = hashlib.sha256((SOURCES / "seed" / SEED).read_bytes()).hexdigest()
    assert digest == "0459f0503bf8efdf07ed7cc5ca517298824dc1d93dc7a79e99acb05fb4f2dc18"


def test_seed_header(seed_item: dict) -> None:
    assert seed_item["title"] == "Anti-paedophile police fight child porn 'epidemic'"
    assert seed_item["date"] == "2014-06-18"
    assert seed_item["updated"] == "2014-06-18T11:59:00-04:00"
    assert seed_item["standfirst"] == ("Angus Crawford joins US authorities on a raid on a "
                                       "child pornography suspect")
    assert seed_item["byline"] is None
    assert "line 4: standfirst may name the reporter 'Angus Crawford'; byline not set" \
        in seed_item["warnings"]
    assert seed_item["source"] == {
        "path": f"sources/seed/{SEED}",
        "sha256": "0459f0503bf8efdf07ed7cc5ca517298824dc1d93dc7a79e99acb05fb4f2dc18"}


def test_seed_body(seed_item: dict) -> None:
    body = seed_item["body"]
    paragraphs = body.split("\n\n")
    assert paragraphs[0] == ('The internet trade in images that show child sex abuse is now '
                             '"an epidemic", according to the head of the global initiative '
                             'to combat the problem.')
    assert "Virtual Global Taskforce. Its chairman" in body
    bullets = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(bullets) == 9  # 3 figures, 3 aims, 3 arrest figures (the last two lists touch)
    assert "## Operation Predator\n\nThe US Department of Homeland Security" in body
    assert "## British arrest\n\nThe cooperation between" in body
    assert "## Undercover agent\n\nHomeland Security regularly deploys" in body
    for boilerplate in ("No comments", "Post a Comment", "Please leave a comment"):
        assert boilerplate not in body
    assert body.endswith('"We might not get you today or tomorrow, but we will get you, '
                         'and it will be when you least expect it."\n')
    assert "\n\n- In 2002" in body and "images of child sexual abuse\n\nHe was charged" in body


def test_seed_repairs(seed_item: dict) -> None:
    kinds = [(r["kind"], r["line"]) for r in seed_item["repairs"]]
    assert kinds == [("joined-wrap", 5), ("inserted-space", 9), ("bullet-list", 18),
                     ("split-subheading", 22), ("bullet-list", 25), ("split-subheading", 35),
                     ("split-subheading", 47), ("removed-boilerplate", 55),
                     ("removed-boilerplate", 56), ("removed-boilerplate", 57)]
    space = seed_item["repairs"][1]
    assert (space["before"], space["after"]) == ("Taskforce.Its", "Taskforce. Its")
    assert seed_item["repairs"][0]["before"].startswith("The\ninternet trade")


def test_json_writes_nothing_and_is_serialisable(site: pathlib.Path) -> None:
    before = hashes(site)
    report = run_import([site / "sources"], site=site, as_json=True)
    assert hashes(site) == before
    assert report.written == [] and len(report.json_items) == 292
    assert json.loads(json.dumps(report.json_items, sort_keys=True))
    assert set(report.json_items[0]["suggestions"]) >= {"people", "organizations", "places"}


def test_wikinews_keeps_date_headline_body_url_and_licence(site: pathlib.Path) -> None:
    report = run_import([site / "sources" / "wikinews"], site=site)
    assert len(report.written) == 291 and not [p for p in report.problems if p.severity == "error"]
    path = site / "content/2019/magnitogorsk-apartment-building-collapses-after-explosion.md"
    meta = front(path)
    url = ("https://en.wikinews.org/wiki/Magnitogorsk_apartment_building_collapses_after_"
           "explosion,_dozens_dead")
    assert meta["title"] == "Magnitogorsk apartment building collapses after explosion, dozens dead"
    assert str(meta["date"]) == "2019-01-04"
    assert meta["tags"] == ["disasters-accidents"]
    assert meta["source"]["name"] == "Wikinews" and meta["source"]["url"] == url
    assert meta["license"] == {
        "name": "CC BY 2.5", "url": "https://creativecommons.org/licenses/by/2.5/",
        "attribution": f'"{meta["title"]}", Wikinews, 4 January 2019, {url}. CC BY 2.5 '
                       "(https://creativecommons.org/licenses/by/2.5/)."}
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert body.startswith("\nAn apartment building collapsed on Monday in Magnitogorsk")
    assert "Source:" not in body and "real threat of \\[another\\] part" in body


def test_wikinews_body_words_survive(site: pathlib.Path) -> None:
    report = run_import([site / "sources" / "wikinews"], site=site, as_json=True)
    for item in report.json_items:
        raw = (site / item["source"]["path"]).read_text(encoding="utf-8").split("\n")
        text = " ".join(raw[3:-2])
        for repair in item["repairs"]:
            text = text.replace(repair["before"].replace("\n", " "), repair["after"])
        body = item["body"].replace("\\", "").replace("&lt;", "<").replace("  \n", " ")
        assert body.split() == text.split(), item["source"]["path"]


def test_reimport_is_byte_identical(site: pathlib.Path) -> None:
    first = run_import([site / "sources"], site=site)
    assert len(first.written) == 292
    before = hashes(site / "content")
    second = run_import([site / "sources"], site=site)
    assert second.written == [] and len(second.unchanged) == 292
    assert hashes(site / "content") == before
    assert not list((site / "content").rglob(".*.tmp"))


def test_hand_edit_is_kept_and_force_overwrites(site: pathlib.Path) -> None:
    run_import([site / "sources" / "seed"], site=site)
    path = site / "content/2014/anti-paedophile-police-fight-child-porn-epidemic.md"
    assert not is_hand_edited(path.read_text(encoding="utf-8"))
    edited = path.read_text(encoding="utf-8").replace("standfirst:", "byline: Angus Crawford\nstandfirst:")
    path.write_text(edited, encoding="utf-8")
    report = run_import([site / "sources" / "seed"], site=site)
    rel = "content/2014/anti-paedophile-police-fight-child-porn-epidemic.md"
    assert report.skipped_edited == [rel] and report.written == []
    assert path.read_text(encoding="utf-8") == edited
    warning = [p for p in report.problems if p.path == rel]
    assert warning[0].format() == (f"{rel}: warning: edited since import; skipped (use --force "
                                   f"to overwrite)\n  hint: imported from sources/seed/{SEED}")
    forced = run_import([site / "sources" / "seed"], site=site, force=True)
    assert forced.written == [rel] and "byline" not in front(path)


def test_reimport_follows_the_source_when_the_headline_changes(site: pathlib.Path) -> None:
    raw = site / "sources" / "seed" / SEED
    run_import([raw], site=site)
    raw.write_bytes(raw.read_bytes().replace(b"fight child porn", b"tackle online abuse"))
    report = run_import([raw], site=site)
    assert report.written == ["content/2014/anti-paedophile-police-fight-child-porn-epidemic.md"]
    assert len(list((site / "content").rglob("*.md"))) == 1


def test_bundled_content_is_current(tmp_path: pathlib.Path) -> None:
    """content/ holds exactly what importing each source folder gives, plus the hand-finished seed."""
    shutil.copytree(SOURCES, tmp_path / "sources")
    shutil.copytree(REPO / "content", tmp_path / "content")
    before = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "content").rglob("*")
              if p.is_file()}
    report = run_import([tmp_path / "sources" / "seed", tmp_path / "sources" / "wikinews"], site=tmp_path)
    seed = "content/2014/anti-paedophile-police-fight-child-porn-epidemic.md"
    assert report.written == [] and report.skipped_edited == [seed]
    assert len(report.unchanged) == 291
    meta = front(tmp_path / seed)
    assert meta["byline"] == "Angus Crawford" and meta["source"]["name"] == "BBC News"
    assert meta["content_note"] == ("Discusses child sexual abuse and the online trade in abuse "
                                    "images. No images or explicit detail.")
    assert {"online-safety", "policing"} <= set(meta["tags"])
    assert meta["people"][0] == {"name": "Ian Quinn", "role": "Chairman, Virtual Global Taskforce"}
    after = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "content").rglob("*") if p.is_file()}
    assert after == before  # no byte changed: articles, and the sidecars a person may have edited


def test_manifest_folder_tags_and_skipped_files(tmp_path: pathlib.Path) -> None:
    shutil.copytree(DATA / "manifest", tmp_path / "raw")
    report = run_import([tmp_path / "raw" / "stories"], site=tmp_path)
    assert sorted(report.written) == ["content/2020/jury-returns-verdict-in-verwood-case.md",
                                      "content/cafe-owner-wins-award.md"]
    meta = front(tmp_path / "content/2020/jury-returns-verdict-in-verwood-case.md")
    assert meta["tags"] == ["crime", "courts", "police", "trials"]
    assert str(meta["date"]) == "2020-05-01"
    assert meta["license"]["name"] == "CC BY 4.0"
    assert meta["source"]["url"] == "https://example.org/news/verdict"
    assert "tags" not in front(tmp_path / "content/cafe-owner-wins-award.md")


def test_manifest_rows_name_the_files_path_resolve_would(tmp_path: pathlib.Path) -> None:
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere.txt").write_text("x", encoding="utf-8")
    (real / "a.txt").write_text("x", encoding="utf-8")
    (real / "sub/b.txt").write_text("x", encoding="utf-8")
    (real / "file-link.txt").symlink_to(tmp_path / "elsewhere.txt")
    (real / "folder-link").symlink_to(real / "sub", target_is_directory=True)
    (real / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)  # the manifest's folder is a link
    names = ["a.txt", "missing.txt", "file-link.txt", "folder-link", "dangling.txt", "sub/b.txt",
             "folder-link/b.txt", "../elsewhere.txt", ".", "..", "", "a b.txt", "a\\b.txt", "/abs.txt"]
    for folder in (real, tmp_path / "linked"):
        where = manifest._Folder(folder)
        assert [where.resolve(n) for n in names] == [(folder / n).resolve() for n in names]


def test_folders_are_searched_as_rglob_would(tmp_path: pathlib.Path) -> None:
    raw = tmp_path / "raw"
    for name in ["a.txt", "b", "c.md", "README.txt", ".hidden.txt", "x/d.TXT", "x/y/e.txt", ".h/f.txt",
                 "x/.h/g.txt", "x/MANIFEST.tsv", "z z/h.txt", "x/y/~i.txt", "x/j.txt/k.txt"]:
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text("x", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/o.txt").write_text("x", encoding="utf-8")
    (raw / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    (raw / "x/link.txt").symlink_to(raw / "a.txt")
    (raw / "x/dangling.txt").symlink_to(tmp_path / "missing.txt")
    (raw / "x/loop.txt").symlink_to(raw / "x/loop.txt")
    (raw / "x/empty").mkdir()

    def by_rglob(folder: pathlib.Path) -> list[tuple[str, tuple[str, ...]]]:  # how it was done before
        root = folder.resolve()
        found = []
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if not any(part.startswith(".") for part in rel.parts) and path.is_file() \
                    and discover.is_article_name(path.name):
                found.append((path.as_posix(), rel.parts[:-1]))
        return found

    for folder in (raw, raw / "x", tmp_path / "raw/linked"):
        got = [(s.path.as_posix(), s.tags) for s in discover.discover([folder])]
        assert got == by_rglob(folder)
    assert [s.path.name for s in discover.discover([raw])] == [
        "a.txt", "b", "d.TXT", "k.txt", "link.txt", "e.txt", "h.txt"]


def test_broken_inputs_give_located_messages() -> None:
    report = run_import([DATA / "broken"], site=DATA, as_json=True)
    got = "\n".join(p.format() for p in report.problems) + "\n"
    assert got == (DATA / "broken.expected").read_text(encoding="utf-8")
    assert report.json_items == []


def test_broken_files_do_not_stop_good_ones(tmp_path: pathlib.Path) -> None:
    report = run_import([DATA / "broken", SOURCES / "seed"], site=tmp_path)
    assert report.written == ["content/2014/anti-paedophile-police-fight-child-porn-epidemic.md"]
    assert len([p for p in report.problems if p.severity == "error"]) == 8


def test_missing_path_is_a_site_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SiteError) as caught:
        run_import([tmp_path / "nope"], site=tmp_path)
    assert caught.value.problems[0].message == "no such file or folder"
    with pytest.raises(SiteError, match="site folder does not exist"):
        run_import([SOURCES / "seed"], site=tmp_path / "missing")


def test_markup_and_boilerplate_fixtures(tmp_path: pathlib.Path) -> None:
    report = run_import([DATA / "formats"], site=tmp_path, as_json=True)
    items = {pathlib.PurePath(i["source"]["path"]).name: i for i in report.json_items}
    wrapped = items["wrapped.txt"]
    assert wrapped["body"] == ("A paragraph hard wrapped over two lines, then another line.  \n"
                               "A line of its own.\n")
    assert [r["kind"] for r in wrapped["repairs"]] == ["joined-wrap"] + ["removed-boilerplate"] * 5
    markup = items["markup.txt"]["body"]
    assert "1\\. A line" in markup and "\\# A line" in markup and "&lt;" not in items["markup.txt"]["title"]


def test_many_copies_are_named_three_and_counted(tmp_path: pathlib.Path) -> None:
    """A source with five byte-identical copies names three of them in its warning and counts the
    rest (a warning naming every copy would grow with the square of the copies)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    text = "Council approves new bus lanes\n\nThe city council approved two new bus lanes on Monday.\n"
    for n in range(6):
        (raw / f"copy-{n}.txt").write_text(text, encoding="utf-8")
    report = run_import([raw], site=tmp_path)
    messages = {p.path.rsplit("/", 1)[-1]: p.message for p in report.problems
                if p.message.startswith("byte-identical to ")}
    assert len(messages) == 6
    assert messages["copy-0.txt"] == "byte-identical to raw/copy-1.txt, raw/copy-2.txt, raw/copy-3.txt and 2 more"
    assert messages["copy-5.txt"] == "byte-identical to raw/copy-0.txt, raw/copy-1.txt, raw/copy-2.txt and 2 more"
    stored = [front(p)["import"]["warnings"] for p in sorted((tmp_path / "content").rglob("*.md"))]
    assert len(stored) == 6 and all(any(w.endswith(" and 2 more") for w in ws) for ws in stored)
    (hint,) = {p.hint for p in report.problems if p.message.startswith("byte-identical to ")}
    assert "source.sha256" in hint
