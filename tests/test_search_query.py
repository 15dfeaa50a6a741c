"""Query semantics through the real runtime (static/search.js) in headless Chromium.

Phrases, exclusions, prefixes, stemming, did-you-mean, facets and paging are
checked against a small index whose answers are known, from file://.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
from test_search_browser import make_site

from marginalia.search import SearchDoc
from marginalia.search.codec import base36
from marginalia.search.terms import INLINE_MAX

pytestmark = pytest.mark.browser
WEATHER = INLINE_MAX + 120  # articles with "weather": more than a stem record keeps inline, so it has a chunk


def docs() -> list[SearchDoc]:
    """Articles built so each query below has one known answer."""
    rows = [
        ("a", "Bank of England holds rates", "2010-01-01", "The Bank of England kept interest rates on hold.",
         "business"),
        ("b", "England bank holiday traffic", "2011-01-01", "Traffic jams on every bank holiday in England.", "travel"),
        ("c", "Running the marathon", "2012-01-01", "She runs daily; runners love running. The runner ran.", "sport"),
        ("d", "Elections in spring", "2013-01-01", "The election was held in spring; elected officials spoke.",
         "politics"),
        ("e", "Electric cars", "2014-01-01", "Electricity prices and electrical grids matter for electric cars.",
         "tech"),
        ("f", "Parliament debates", "2015-01-01", "Parliament debated the budget for hours.", "politics"),
    ]
    out = [SearchDoc(f"{y[:4]}/{slug}/index.html", title, y, None, text, tags=(tag,))
           for slug, title, y, text, tag in rows]
    # many articles with a common word, to exercise top blocks, chunks and counts
    for i in range(WEATHER):
        out.append(SearchDoc(f"2020/common-{i:03d}/index.html", f"Weather report {i}", f"2020-{1 + i % 12:02d}-01",
                             None, "The weather today is " + ("sunny" if i % 2 else "rainy") + " and common.",
                             tags=("weather" if i % 3 else "climate",)))
    for i in range(30):
        out.append(SearchDoc(f"{2001 + i % 3}/kiwi-{i:02d}/index.html", f"Kiwi harvest {i}", f"{2001 + i % 3}-05-05",
                             None, "Kiwi growers met.", tags=("food",)))
    return out


@pytest.fixture(scope="module")
def page(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root: pathlib.Path = make_site(tmp_path_factory.mktemp("q"), docs())
    p = chromium.new_page()
    p.goto((root / "search/index.html").as_uri())
    p.wait_for_selector("#search-app[data-state=idle]")
    yield p
    p.close()


def search(page: Any, q: str, **opts: Any) -> dict[str, Any]:
    return page.evaluate("([q, o]) => window.__marginaliaSearch.search(q, o)", [q, opts])  # type: ignore[no-any-return]


def slugs(res: dict[str, Any]) -> list[str]:
    return [r["url"].split("/")[1] for r in res["results"]]


def test_and_is_the_default(page: Any) -> None:
    assert sorted(slugs(search(page, "bank england "))) == ["a", "b"]
    assert slugs(search(page, "bank parliament ")) == []


def test_headline_outranks_body(page: Any) -> None:
    assert slugs(search(page, "bank holiday "))[0] == "b"


def test_exact_phrase(page: Any) -> None:
    assert slugs(search(page, '"bank of england"')) == ["a"]
    assert slugs(search(page, '"england bank"')) == ["b"]
    assert slugs(search(page, '"of bank"')) == []


def test_exclude(page: Any) -> None:
    assert slugs(search(page, "bank -holiday")) == ["a"]
    assert slugs(search(page, 'bank -"bank of"')) == ["b"]
    assert slugs(search(page, "bank -zzzz")) != []


def test_stemming_matches_word_forms(page: Any) -> None:
    res = search(page, "running ")
    assert slugs(res) == ["c"]
    assert {"running", "runs"} <= set(res["highlight"])


def test_last_word_is_a_prefix_while_typing(page: Any) -> None:
    assert set(slugs(search(page, "electri"))) == {"e"}
    assert set(slugs(search(page, "elect"))) >= {"d"}  # "elect" is not itself a word here: completions
    assert slugs(search(page, "parliam")) == ["f"]
    assert slugs(search(page, "parliam ")) == []  # followed by a space it is a whole word


def test_did_you_mean(page: Any) -> None:
    res = search(page, "parliment")
    assert res["total"] == 0
    assert res["suggestion"] == "parliament"


def test_common_word_counts_and_paging(page: Any) -> None:
    res = search(page, "weather ")
    assert res["total"] == WEATHER and len(res["results"]) == 10
    counts = {c["dim"]: {v["value"]: v["count"] for v in c["values"]} for c in res["counts"]}
    assert counts["tag"] == {"weather": len([i for i in range(WEATHER) if i % 3]),
                             "climate": len([i for i in range(WEATHER) if not i % 3])}
    assert counts["year"] == {"2020": WEATHER}
    more = search(page, "weather ", want=250)
    assert len(more["results"]) == 250 and len(set(more["ids"])) == 250


def test_filters_and_sort(page: Any) -> None:
    res = search(page, "weather sunny", filters={"tag": "climate"}, sort="newest")
    assert res["total"] == len([i for i in range(WEATHER) if i % 2 and not i % 3])
    assert res["ids"] == sorted(res["ids"], reverse=True)
    assert search(page, "spring", filters={"year": "2013"})["total"] == 1
    assert search(page, "spring", filters={"year": "2012"})["total"] == 0


def test_phrase_with_common_words(page: Any) -> None:
    assert search(page, '"weather today is sunny"')["total"] == WEATHER // 2


def test_counts_of_a_complete_word_include_years(page: Any) -> None:
    res = search(page, "kiwi ")
    counts = {c["dim"]: {v["value"]: v["count"] for v in c["values"]} for c in res["counts"]}
    assert res["total"] == 30
    assert counts["year"] == {"2001": 10, "2002": 10, "2003": 10}
    assert counts["tag"] == {"food": 30}
    assert search(page, "kiwi ", filters={"year": "2002"})["total"] == 10


def test_date_order_of_a_common_word(page: Any) -> None:
    newest = search(page, "weather ", sort="newest")
    oldest = search(page, "weather ", sort="oldest")
    everything = search(page, "weather ", want=WEATHER + 40)
    ids = sorted(everything["ids"])
    assert newest["ids"] == ids[::-1][:10] and oldest["ids"] == ids[:10]
    assert newest["total"] == oldest["total"] == WEATHER


def test_a_common_word_loads_a_bounded_amount(chromium: Any, tmp_path: pathlib.Path) -> None:
    root = make_site(tmp_path, docs())
    fresh = chromium.new_page()
    fresh.goto((root / "search/index.html").as_uri())
    fresh.wait_for_selector("#search-app[data-state=idle]")
    res = search(fresh, "weather ")
    assert res["total"] == WEATHER
    loaded = fresh.evaluate("window.__marginaliaSearch.loaded()")
    kinds = {key.split("/")[0] for key in loaded}
    assert kinds <= {"meta", "v", "t", "d", "f"}, loaded  # no chunk (p/) and no forward (w/) file
    assert "f/tag" not in loaded  # counts came from the stem record
    assert len([k for k in loaded if k.startswith("d/")]) <= 10
    search(fresh, "weather ", want=20)
    assert not any(k.startswith("p/") for k in fresh.evaluate("window.__marginaliaSearch.loaded()"))
    search(fresh, "weather ", want=150)  # beyond the top block of 100: now the chunk is read
    assert any(k.startswith("p/") for k in fresh.evaluate("window.__marginaliaSearch.loaded()"))
    fresh.close()


def harbour_docs() -> list[SearchDoc]:
    """'harbour' in 40 articles, each in a different file of rows; 'harbourmaster' in 3 headlines."""
    out = []
    for i in range(40):
        out.append(SearchDoc(f"2001/harbour-{i:02d}/index.html", f"Harbour news {i}", f"2001-01-{1 + i % 28:02d}",
                             None, "Boats came into the harbour.", tags=("sea",)))
        out += [SearchDoc(f"2001/filler-{i:02d}-{j}/index.html", f"Filler {i} {j}", f"2001-01-{1 + i % 28:02d}",
                          None, "Nothing else.", tags=("other",)) for j in range(8)]
    out += [SearchDoc(f"2002/master-{i}/index.html", "Harbourmaster retires", "2002-02-02", None,
                      "The harbourmaster retired.", tags=("sea",)) for i in range(3)]
    return out


def test_typing_loads_the_rows_of_the_likely_word(chromium: Any, tmp_path: pathlib.Path) -> None:
    root = make_site(tmp_path, harbour_docs())
    fresh = chromium.new_page()
    fresh.goto((root / "search/index.html").as_uri())
    fresh.wait_for_selector("#search-app[data-state=idle]")
    partial = search(fresh, "harbou")  # completions: harbour (40 articles), harbourmaster (3)
    assert {r["title"] for r in partial["results"][:3]} == {"Harbourmaster retires"}
    per_file = fresh.evaluate("window.__marginaliaSearch.index.meta().docsPerShard")
    whole = search(fresh, "harbour ")
    wanted = sorted({f"d/{base36(int(i) // per_file)}" for i in whole["ids"]})
    shown = {f"d/{base36(int(i) // per_file)}" for i in partial["ids"]}
    assert set(wanted) - shown  # rows that only the likely word shows ...
    # ... were loaded while "harbou" was typed: check on a fresh page, before "harbour" is asked for
    again = chromium.new_page()
    again.goto((root / "search/index.html").as_uri())
    again.wait_for_selector("#search-app[data-state=idle]")
    search(again, "harbou")
    again.wait_for_function("keys => keys.every(k => window.__marginaliaSearch.loaded().includes(k))",
                            arg=wanted, timeout=5000)
    fresh.close()
    again.close()


def test_a_stale_query_stops_loading(chromium: Any, tmp_path: pathlib.Path) -> None:
    root = make_site(tmp_path, harbour_docs())
    fresh = chromium.new_page()
    fresh.goto((root / "search/index.html").as_uri())
    fresh.wait_for_selector("#search-app[data-state=idle]")
    res = fresh.evaluate("window.__marginaliaSearch.search('harbour ', {stale: () => true})")
    assert res is None
    loaded = fresh.evaluate("window.__marginaliaSearch.loaded()")
    assert not [k for k in loaded if k.startswith(("t/", "d/", "p/"))], loaded
    fresh.close()
