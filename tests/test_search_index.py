"""The index builder in Python: words, stems, codes, scores, shards, determinism."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from marginalia.errors import SiteError
from marginalia.search import SearchDoc, build_index
from marginalia.search.codec import ALPHABET, dec_all, enc, enc_all, js_json, shard_file
from marginalia.search.corpus import order_docs
from marginalia.search.records import excerpt
from marginalia.search.scan import TITLE_WEIGHT
from marginalia.search.scores import BOUNDS, K1, LEVELS, W_HI, W_LO, B, levels, norms, rounded_average
from marginalia.search.tokens import Stemmer, normalize, words


def doc(url: str, title: str, text: str, date: str | None = "2020-01-01", **facets: tuple[str, ...]) -> SearchDoc:
    return SearchDoc(url, title, date, None, text, **facets)


def payload(files: dict[str, bytes], key: str) -> object:
    text = files[f"search/idx/{key}.js"].decode()
    match = re.fullmatch(r'__marginaliaSearch\.add\("([^"]+)",(.*)\);\n', text, re.S)
    assert match and match.group(1) == key
    return json.loads(match.group(2))


def test_words_are_normalised_like_the_browser() -> None:
    assert words("Café NAÏVE don’t £5.3bn ﬁnance O'Neill's") == ["cafe", "naive", "don't", "5", "3bn", "finance",
                                                                  "o'neill's"]
    assert words("e-mail, under_score") == ["e", "mail", "under", "score"]
    assert normalize("ÅNGSTRÖM") == "angstrom"


def test_stemmer_maps_word_forms_together_and_rejects_unknown_languages() -> None:
    s = Stemmer("english")
    assert s.stem("elections") == s.stem("election") == "elect"
    assert s.stem("2004") == "2004"
    with pytest.raises(SiteError, match="no Snowball stemmer"):
        Stemmer("klingon")


@pytest.mark.parametrize("value", [0, 1, 44, 45, 2024, 2025, 65535, 65536, 10**9])
def test_integer_code_round_trips(value: int) -> None:
    assert dec_all(enc(value)) == [value]
    assert dec_all(enc_all([value, 3, value])) == [value, 3, value]
    assert all(ch in ALPHABET for ch in enc(value))
    assert not set(ALPHABET) & set('"\\<~ ')


def test_data_cannot_close_a_script_element() -> None:
    text = js_json(["</script><script>alert(1)</script>", "\u2028\u2029"])
    assert "<" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == ["</script><script>alert(1)</script>", "\u2028\u2029"]
    assert b"</" not in shard_file("d/0", ["</script>"])


def test_bm25f_weights_the_headline() -> None:
    # w = (k1 + 1) * tf / (tf + k1 * (1 - b + b * length / avg)): a headline word counts TITLE_WEIGHT times
    lengths = np.array([TITLE_WEIGHT * 1 + 3, 1 + 3])  # "Ink" + 3 body words; "Other" + "Ink words here."
    avg = rounded_average(int(lengths.sum()), 2)
    doc_norms = norms(lengths, avg)
    lv = levels(np.array([TITLE_WEIGHT, 1]), doc_norms)
    assert lv[0] > lv[1]
    w = (K1 + 1) * 1 / (1 + K1 * (1 - B + B * lengths[1] / avg))
    step = (W_HI / W_LO) ** (1 / (LEVELS - 1))
    assert W_LO * step ** (lv[1] - 0.5) <= w < W_LO * step ** (lv[1] + 0.5)
    assert len(BOUNDS) == LEVELS - 1 and list(BOUNDS) == sorted(BOUNDS)


def test_the_average_length_moves_in_steps() -> None:
    assert rounded_average(0, 0) == 1.0
    assert rounded_average(1000 * 700, 1000) == rounded_average(1000 * 700 + 50, 1000)  # one edit: the same
    assert rounded_average(1000 * 700, 1000) < rounded_average(1000 * 800, 1000)


def test_documents_are_numbered_by_date_then_url() -> None:
    docs = [doc("b/index.html", "B", "x", "2020-01-02"), doc("a/index.html", "A", "x", None),
            doc("c/index.html", "C", "x", "2019-05-05")]
    assert [docs[i].url for i in order_docs(docs)] == ["a/index.html", "c/index.html", "b/index.html"]


def test_excerpt_cuts_at_a_word() -> None:
    text = "word " * 100
    cut = excerpt(text, 22)
    assert cut == "word word word word\u2026"
    assert excerpt("short\n text") == "short text"


def test_output_is_deterministic_and_under_search() -> None:
    docs = [doc(f"{i}/index.html", f"Title {i}", f"Body text number {i} with ink", tags=(f"t{i % 3}",))
            for i in range(300)]
    one = build_index(docs)
    two = build_index(list(reversed(docs)), jobs=2)
    assert one == two
    many = [doc(f"{i}/index.html", f"T {i}", f"word{i % 97} common", tags=("x",)) for i in range(6000)]
    assert build_index(many, jobs=1) == build_index(many, jobs=2)
    assert all(path.startswith("search/idx/") and path.endswith(".js") for path in one)
    meta = payload(one, "meta")
    assert isinstance(meta, dict) and meta["docs"] == 300 and meta["dims"] == ["tag", "year"]


def test_vocabulary_stores_word_to_stem_mapping() -> None:
    files = build_index([doc("a/index.html", "Elections", "The election was elected.")])
    names = [k[len("search/idx/"):-3] for k in files if k.startswith("search/idx/v/")]
    assert len(names) == 1
    vocab = payload(files, names[0])
    assert isinstance(vocab, str)
    records = vocab.split("~")
    assert len(records) == 5  # election, elections, elected, the, was
    stems: dict[str, str] = {}
    previous = ""
    for record in records:
        shared_and_suffix, codes = record.split(" ")
        shared = dec_all(shared_and_suffix[0])[0]
        word = previous[:shared] + shared_and_suffix[1:]
        df, cut = dec_all(codes[:2])
        stems[word] = word[:cut] + codes[2:]
        previous = word
    assert stems["election"] == stems["elections"] == stems["elected"] == "elect"
    assert stems["the"] == "the"


def test_empty_index_still_has_meta() -> None:
    files = build_index([])
    assert payload(files, "meta")["docs"] == 0  # type: ignore[index]


def test_shard_files_never_take_a_name_windows_reserves() -> None:
    from marginalia.search import file_name

    assert file_name("d/aux") == "d/_aux" and file_name("p/con.1") == "p/_con.1" and file_name("v/nul") == "v/_nul"
    assert file_name("d/auxa") == "d/auxa" and file_name("t/5") == "t/5" and file_name("meta") == "meta"
    # The browser names them the same way: test_search_browser.py


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_the_index_machinery_starts_no_blas_threads() -> None:
    # numpy's OpenBLAS would start a thread per core, which spins after each call; the index makes none.
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", "import os, marginalia.search.build; "
                          "print(len(os.listdir('/proc/self/task')))"], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "1"
