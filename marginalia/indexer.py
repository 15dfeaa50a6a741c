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

import contextlib
import multiprocessing
import queue
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .model import ENTITY_KINDS, Article
from .workers import forking, reply

if TYPE_CHECKING:
    from .search import Prescan, SearchCache, SearchDoc

BATCH = 200  # documents a message
Files = list[tuple[str, bytes | None]]  # (None: as in the index the output holds, see Indexer.files)
TextLoader = Callable[[str], str]  # a content file's path in the site -> its document's text


def search_doc(article: Article, url: str, text: str | None, key: str = "") -> SearchDoc:
    """One article as the search index sees it (``text``: the body's plain text; None when the
    build did not read it again, so the index reads it only if it must)."""
    from .search import SearchDoc

    people, organizations, places = (tuple(e.name for e in article.entities_of(kind)) for kind in ENTITY_KINDS) \
        if article.entities else ((), (), ())  # (most articles name none: a build makes a document of each)
    return SearchDoc(url=url, title=article.title, date=article.date.isoformat() if article.date else None,
                     content_note=article.content_note or None,
                     text="" if text is None else doc_text(article, text), tags=article.tags,
                     people=people, organizations=organizations, places=places, key=key)


def doc_text(article: Article, text: str) -> str:
    """What the index reads of an article: its standfirst, then its body's plain text."""
    return "\n".join(t for t in (article.standfirst, text) if t)


class _Forked:
    """A process forked to work beside the build: a pipe to it (``outbox``) and one for its answer,
    an ``("ok", value)`` or ``("error", exception)`` pair."""

    process: Any = None

    def _fork(self, *, daemon: bool) -> None:
        """Start :meth:`_serve` in a forked process, where ``fork`` exists (else leave ``process`` None)."""
        if not forking():
            return
        ctx = multiprocessing.get_context("fork")
        self.inbox, self.outbox = ctx.Pipe(duplex=False)
        self.answers, answer = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=self._serve, args=(answer,), name="marginalia-search", daemon=daemon)
        self.process.start()
        self.inbox.close()
        answer.close()

    def _serve(self, answer: Any) -> None:
        raise NotImplementedError

    def _send(self, message: Any) -> None:
        """Send the process a message; should it have died, it is not read: the process's answer
        (:meth:`_answer`) then says how it ended."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.outbox.send(message)

    def cancel(self) -> None:
        """Stop the process, if any, without an answer (the build failed, or needs none)."""
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process = None
            self.outbox.close()
            self.answers.close()

    def close(self) -> None:
        """Wait for the process to end."""
        if self.process is not None:
            self.process.join()
            self.process = None

    def _answer(self) -> Any:
        """The process's answer (its exception raised here)."""
        try:
            kind, value = self.answers.recv()
        except EOFError:  # the process died without a word (killed, out of memory)
            process = self.process
            self.close()
            kind, value = "error", RuntimeError(f"the search index process ended with exit code "
                                                f"{process.exitcode if process is not None else '?'}")
        finally:
            self.answers.close()
        if kind == "error":
            self.close()
            raise value
        return value


class Indexer(_Forked):
    """Collects the documents, in a forked process when ``background``, and builds the index."""

    def __init__(self, language: str, cache: SearchCache, load_text: TextLoader, *, background: bool) -> None:
        self.language, self.cache, self.load_text = language, cache, load_text
        self.rels: list[str] = []  # in this process, without a background one
        self.docs: list[SearchDoc] = []
        self.batch: list[tuple[str, SearchDoc]] = []
        if background:
            self._fork(daemon=False)

    def add(self, rel: str, doc: SearchDoc) -> None:
        """One document (``rel``: its content file, for reading its text if need be)."""
        if self.process is None:
            self.rels.append(rel)
            self.docs.append(doc)
            return
        self.batch.append((rel, doc))
        if len(self.batch) >= BATCH:
            self._send(self.batch)
            self.batch = []

    def files(self, token: str = "", since: str | None = None) -> Callable[[], Files]:
        """Ask for the index now (``token``: its name, ``since``: the name of the index the output
        holds, whose files that stay the same then come as None; see
        :func:`~marginalia.search.update_index`); the returned callable waits for its files."""
        if self.process is None:
            return lambda: _build(self.docs, self.rels, self.language, self.cache, self.load_text, token=token,
                                  since=since)
        self._send(self.batch)
        self._send((token, since))  # no more documents: build
        self.outbox.close()
        return self._wait

    def _wait(self) -> Files:
        try:
            return self._answer()  # type: ignore[no-any-return]
        finally:
            self.close()

    def _serve(self, answer: Any) -> None:
        """The indexing process: documents until ``None``, then the index's files back. A thread
        takes the documents off the pipe as they come, so the build never waits on a full pipe
        while this process scans."""
        from .search import Prescan

        self.outbox.close()
        self.answers.close()
        arrived: queue.SimpleQueue[list[tuple[str, SearchDoc]] | tuple[str, str | None] | BaseException] = \
            queue.SimpleQueue()
        threading.Thread(target=_receive, args=(self.inbox, arrived), daemon=True).start()
        rels: list[str] = []
        docs: list[SearchDoc] = []
        try:
            prescan = Prescan(self.language)  # documents scanned as they come, while the build reads
            # The last build's index (none after --clean), read now, before the build asks: a rebuild
            # after a new headline waited 90 ms for it at 10,000 articles.
            self.cache.load(self.language)
            while isinstance(batch := arrived.get(), list):
                for rel, doc in batch:
                    rels.append(rel)
                    docs.append(prescan.add(doc))  # (without its text once scanned: ~230 MB at 100,000)
            if isinstance(batch, BaseException):
                return  # the build went away (failed): nothing to answer
            token, since = batch
            outcome: tuple[str, Any] = ("ok", _build(docs, rels, self.language, self.cache, self.load_text,
                                                     prescan, token, since))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the build
            outcome = ("error", exc)
        reply(answer, outcome)


def _receive(inbox: Any, arrived: queue.SimpleQueue[Any]) -> None:
    """Move batches of documents from the pipe to ``arrived``, then the index's name (or the pipe's
    error)."""
    try:
        while isinstance(batch := inbox.recv(), list):
            arrived.put(batch)
        arrived.put(batch)
    except BaseException as exc:  # noqa: BLE001 - EOF: the build is gone
        arrived.put(exc)


def _build(docs: Sequence[SearchDoc], rels: Sequence[str], language: str, cache: SearchCache,
           load_text: TextLoader, prescan: Prescan | None = None, token: str = "", since: str | None = None
           ) -> Files:
    """The index's files, sorted (with ``since``, as :func:`~marginalia.search.update_index` gives
    them); texts the documents lack are read through ``load_text``."""
    from .search import build_index, update_index

    def load_texts(indexes: Sequence[int]) -> list[str]:
        return [load_text(rels[i]) for i in indexes]

    # One process: the pages render on the other cores meanwhile.
    if since is not None:
        return sorted(update_index(docs, language=language, cache=cache, token=token, since=since,
                                   load_texts=load_texts, prescan=prescan).items())
    return sorted(build_index(docs, language=language, jobs=1, cache=cache, load_texts=load_texts,
                              prescan=prescan, token=token).items())



class Updater(_Forked):
    """The index after a few documents changed (a quick rebuild: :mod:`marginalia.quick`).

    In the background, a process forked as soon as the build knows it may need one loads the
    index's machinery, the cache's state and the other documents while the build reads the changed
    files; given those, it updates the index and answers with only the files that changed (None
    for those the build's output holds already), then writes the cache's new state."""

    def __init__(self, language: str, cache: SearchCache, load_text: TextLoader,
                 docs: Callable[[], list[tuple[str, SearchDoc]]], *, background: bool) -> None:
        """``docs()``: every document as the last build indexed it, with its content file, in order."""
        self.language, self.cache, self.load_text, self.docs = language, cache, load_text, docs
        if background:
            self.cache.deferred = True  # written after the answer
            self._fork(daemon=True)  # should the build fail before it asks, the process ends with it

    def files(self, changed: dict[str, SearchDoc], token: str, since: str | None,
              rels: list[str] | None = None) -> Callable[[], Files]:
        """Ask for the index with the ``changed`` documents (by content file), named ``token``,
        ``since``: the name of the index the build's output holds; the callable waits for it.
        ``rels``: every document's content file, in content order, when not the last build's
        (documents added or gone: a document is then the changed one, else the last build's)."""
        if self.process is None:
            return lambda: _update(self.docs(), changed, self.language, self.cache, self.load_text, token, since,
                                   rels)
        self._send((changed, token, since, rels))
        self.outbox.close()
        return self._answer

    def _serve(self, answer: Any) -> None:
        """The process: everything loaded first, then the changes, the files back, the cache written."""
        self.outbox.close()
        self.answers.close()
        try:
            from .search import update_index  # noqa: F401 - the machinery, loaded while the build reads
            from .search.incremental import build_files  # noqa: F401

            self.cache.load(self.language)
            docs = self.docs()
            try:
                message = self.inbox.recv()
            except EOFError:
                return  # the build went away: nothing to answer
            changed, token, since, rels = message
            outcome: tuple[str, Any] = ("ok", _update(docs, changed, self.language, self.cache, self.load_text,
                                                      token, since, rels))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the build
            outcome = ("error", exc)
        reply(answer, outcome)
        self.cache.flush()


def _update(docs: list[tuple[str, SearchDoc]], changed: dict[str, SearchDoc], language: str, cache: SearchCache,
            load_text: TextLoader, token: str, since: str | None, rels: list[str] | None = None) -> Files:
    """The index's changed files, sorted, after replacing the ``changed`` documents in ``docs``
    (``rels``: the documents' content files, when not those of ``docs``: see :meth:`Updater.files`)."""
    from .search import update_index

    order = rels if rels is not None else [rel for rel, _doc in docs]
    last = dict(docs)
    current = [changed[rel] if rel in changed else last[rel] for rel in order]

    def load_texts(indexes: Sequence[int]) -> list[str]:
        return [load_text(order[i]) for i in indexes]

    return sorted(update_index(current, language=language, cache=cache, token=token, since=since,
                               load_texts=load_texts).items())


class Revision:
    """What the build hands the search index in a rebuild of a few changed files that changed more
    than their text (a new headline, a tag, a date; :func:`~marginalia.pipeline._made_in_place`),
    in place of an :class:`Indexer`: only the documents that are not the last build's, which the
    last build's :class:`Updater`, started already with the others, puts in their place. The build
    need not make or send the ten thousand others."""

    def __init__(self, updater: Updater) -> None:
        self.updater = updater
        self.changed: dict[str, SearchDoc] = {}
        self.rels: list[str] | None = None  # every document's content file, in content order

    def add(self, rel: str, doc: SearchDoc) -> None:
        """A document that is not the last build's (its content file's entry changed)."""
        self.changed[rel] = doc

    def files(self, token: str = "", since: str | None = None) -> Callable[[], Files]:
        """As :meth:`Indexer.files`, once :attr:`rels` names every document."""
        assert self.rels is not None
        return self.updater.files(self.changed, token, since, self.rels)

    def cancel(self) -> None:
        self.updater.cancel()

    def close(self) -> None:
        """Wait for the updater, which writes the search cache after it answered."""
        self.updater.close()
