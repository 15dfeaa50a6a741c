"""The search index, built beside the pages: by a process of its own, fed each article as it is read.

Input: each published article's :class:`~marginalia.search.SearchDoc` (with its
key), handed over by the build as it reads the content files. Output: the
index's files, ``[(relative path, bytes)]``, when the build asks for them.

A large build forks the indexing process before it reads anything, so the
process holds only the documents and the index, not the build's memory; the
build sends it documents through a pipe as its readers send them back, and
the texts never stay in the build's own memory. Documents whose article the
build did not read again (unchanged since the last build) come without text;
the index reads the texts of those its own cache does not know
(``load_texts``), which this process does through the build's reader. The process
scans each document as it arrives, so that when the build asks for the index
only the counting and writing are left. A small build, or one without
``fork``, indexes in the build's process when asked.
Writes only the search cache's file.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .model import ENTITY_KINDS, Article

if TYPE_CHECKING:
    from .search import Prescan, SearchCache, SearchDoc

BATCH = 200  # documents a message
Files = list[tuple[str, bytes]]
TextLoader = Callable[[str], str]  # a content file's path in the site -> its document's text


def search_doc(article: Article, url: str, text: str | None, key: str = "") -> SearchDoc:
    """One article as the search index sees it (``text``: the body's plain text; None when the
    build did not read it again, so the index reads it only if it must)."""
    from .search import SearchDoc

    names = {kind: tuple(e.name for e in article.entities_of(kind)) for kind in ENTITY_KINDS}
    return SearchDoc(url=url, title=article.title, date=article.date.isoformat() if article.date else None,
                     content_note=article.content_note or None,
                     text="" if text is None else doc_text(article, text), tags=article.tags,
                     people=names["people"], organizations=names["organizations"], places=names["places"],
                     key=key)


def doc_text(article: Article, text: str) -> str:
    """What the index reads of an article: its standfirst, then its body's plain text."""
    return "\n".join(t for t in (article.standfirst, text) if t)


class Indexer:
    """Collects the documents, in a forked process when ``background``, and builds the index."""

    def __init__(self, language: str, cache: SearchCache, load_text: TextLoader, *, background: bool) -> None:
        self.language, self.cache, self.load_text = language, cache, load_text
        self.rels: list[str] = []  # in this process, without a background one
        self.docs: list[SearchDoc] = []
        self.batch: list[tuple[str, SearchDoc]] = []
        self.process: Any = None
        if background and "fork" in multiprocessing.get_all_start_methods() \
                and not multiprocessing.current_process().daemon:
            ctx = multiprocessing.get_context("fork")
            self.inbox, self.outbox = ctx.Pipe(duplex=False)  # documents in
            self.answers, answer = ctx.Pipe(duplex=False)  # files out
            self.process = ctx.Process(target=self._serve, args=(answer,), name="marginalia-search")
            self.process.start()
            self.inbox.close()
            answer.close()

    def add(self, rel: str, doc: SearchDoc) -> None:
        """One document (``rel``: its content file, for reading its text if need be)."""
        if self.process is None:
            self.rels.append(rel)
            self.docs.append(doc)
            return
        self.batch.append((rel, doc))
        if len(self.batch) >= BATCH:
            self.outbox.send(self.batch)
            self.batch = []

    def files(self) -> Callable[[], Files]:
        """Ask for the index now; the returned callable waits for its files."""
        if self.process is None:
            return lambda: _build(self.docs, self.rels, self.language, self.cache, self.load_text)
        self.outbox.send(self.batch)
        self.outbox.send(None)  # no more documents: build
        self.outbox.close()
        return self._wait

    def cancel(self) -> None:
        """Stop the indexing process, if any, without an index (the build failed, or needs none)."""
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process = None
            self.outbox.close()
            self.answers.close()

    def _wait(self) -> Files:
        try:
            kind, value = self.answers.recv()
        except EOFError:  # the process died without a word (killed, out of memory)
            kind, value = "error", RuntimeError(f"the search index process ended with exit code "
                                                f"{self.process.exitcode if self.process else '?'}")
        finally:
            if self.process is not None:
                self.process.join()
                self.process = None
            self.answers.close()
        if kind == "error":
            raise value
        return value  # type: ignore[no-any-return]

    def _serve(self, answer: Any) -> None:
        """The indexing process: documents until ``None``, then the index's files back. A thread
        takes the documents off the pipe as they come, so the build never waits on a full pipe
        while this process scans."""
        from .search import Prescan

        self.outbox.close()
        self.answers.close()
        arrived: queue.SimpleQueue[list[tuple[str, SearchDoc]] | None | BaseException] = queue.SimpleQueue()
        threading.Thread(target=_receive, args=(self.inbox, arrived), daemon=True).start()
        rels: list[str] = []
        docs: list[SearchDoc] = []
        try:
            prescan = Prescan(self.language)  # documents scanned as they come, while the build reads
            while (batch := arrived.get()) is not None:
                if isinstance(batch, BaseException):
                    return  # the build went away (failed): nothing to answer
                for rel, doc in batch:
                    rels.append(rel)
                    docs.append(doc)
                    prescan.add(doc)
            outcome: tuple[str, Any] = ("ok", _build(docs, rels, self.language, self.cache, self.load_text,
                                                     prescan))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the build
            outcome = ("error", exc)
        try:
            answer.send(outcome)
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            answer.send(("error", RuntimeError(traceback.format_exc())))
        answer.close()


def _receive(inbox: Any, arrived: queue.SimpleQueue[Any]) -> None:
    """Move batches of documents from the pipe to ``arrived``, then ``None`` (or the pipe's error)."""
    try:
        while (batch := inbox.recv()) is not None:
            arrived.put(batch)
        arrived.put(None)
    except BaseException as exc:  # noqa: BLE001 - EOF: the build is gone
        arrived.put(exc)


def _build(docs: Sequence[SearchDoc], rels: Sequence[str], language: str, cache: SearchCache,
           load_text: TextLoader, prescan: Prescan | None = None) -> Files:
    """The index's files, sorted; texts the documents lack are read through ``load_text``."""
    from .search import build_index

    def load_texts(indexes: Sequence[int]) -> list[str]:
        return [load_text(rels[i]) for i in indexes]

    # One process: the pages render on the other cores meanwhile.
    return sorted(build_index(docs, language=language, jobs=1, cache=cache, load_texts=load_texts,
                              prescan=prescan).items())
