"""Keys of listing contexts (fingerprint.context_key): what changes them and what does not."""

from __future__ import annotations

import datetime

from marginalia.fingerprint import SHARED_MIN, context_key
from marginalia.library import Group
from marginalia.model import Article
from marginalia.views import Item


def _years(count: int, last_members: int = 3) -> tuple[Group, ...]:
    groups = [Group("years", str(y), str(y), f"{y}/index.html", (1, 2, 3)) for y in range(2000, 2000 + count - 1)]
    groups.append(Group("years", "1999", "1999", "1999/index.html", tuple(range(last_members))))
    return tuple(groups)


def _item(n: int) -> Item:
    article = Article(path=f"content/a{n}.md", slug=f"a{n}", title=f"A {n}", body="", body_line=1,
                      date=datetime.date(2020, 1, 1 + n % 28))
    return Item(article, f"2020/01/a{n}.html")


def test_a_shared_sequence_keys_as_its_content_with_or_without_the_memo() -> None:
    years = _years(SHARED_MIN + 4)
    shared: dict[int, tuple[object, str]] = {}
    keys = [context_key({"years": years, "items": [_item(i)], "total": 9}, {}, shared) for i in range(3)]
    assert len(shared) == 1  # walked once for the three pages
    alone = [context_key({"years": years, "items": [_item(i)], "total": 9}, {}) for i in range(3)]
    assert keys == alone
    assert len(set(keys)) == 3  # each page's own items still count
    # An equal sequence that is another object: the same key; a member more: another key.
    assert context_key({"years": tuple(years), "items": [_item(0)], "total": 9}, {}, shared) == keys[0]
    assert context_key({"years": _years(SHARED_MIN + 4, last_members=4), "items": [_item(0)], "total": 9},
                       {}, shared) != keys[0]


def test_listing_items_count_by_their_article_key() -> None:
    items = [_item(i) for i in range(SHARED_MIN + 2)]
    shared: dict[int, tuple[object, str]] = {}
    before = context_key({"items": items}, {"content/a1.md": "k1"}, shared)
    after = context_key({"items": items}, {"content/a1.md": "k2"}, shared)
    assert before != after  # a page's own listing is never taken from the memo
    assert not shared
