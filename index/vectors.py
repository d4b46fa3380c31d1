"""Chroma as the vector store: embedded ``PersistentClient`` by default, ``HttpClient`` for a server.

We always hand Chroma our own vectors: its default embedding function downloads a model, so no
collection is ever created with it. The collection's metadata records which embedder built it;
opening it with another embedder is an ``EmbedderMismatchError`` naming the fix (``rag reindex``).

The name is the model's, not the runtime's (torch and ONNX builds of all-MiniLM-L6-v2 share it), so
the metadata also records the runtime and, with the first vectors, the embedder's ``fingerprint()``
(one fixed sentence embedded): opening with another runtime of the same model re-embeds that
sentence and refuses only when the vectors disagree (cosine < 0.99), so no needless reindex.

A collection belongs to one article database: the database's random store id is stamped into the
collection's metadata when the collection is made, or first used by that database, and a collection
stamped by another database is refused (``ForeignCollectionError``). Without it, two RAG_HOMEs on one
Chroma server with the same collection name pruned each other's vectors as orphans. A collection an
older version made (no stamp) is adopted only when every vector in it is one of the database's
chunks (or it is empty).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar
from urllib.parse import urlparse

import numpy as np

from index.embed import decode_fingerprint, encode_fingerprint, fingerprints_agree
from rag.errors import EmbedderMismatchError, StoreError
from rag.settings import Settings

if TYPE_CHECKING:
    import httpx

    from index.db import ArticleDB

log = logging.getLogger(__name__)
T = TypeVar("T")

STORE_KEY = "rag_store"  # collection metadata: the store id of the article database it belongs to
# Vectors an interrupted write leaves behind (upserted before their article rows were committed):
# at most one pipeline batch (``Indexer.batch_chunks``) and the superseded chunks of its articles.
ORPHAN_ALLOWANCE = 2048

Ownership = Literal["ours", "free", "empty", "theirs"]


class ForeignCollectionError(StoreError):
    """The Chroma collection belongs to another article database (another RAG_HOME on the server)."""


def make_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        u = urlparse(settings.chroma_url)
        _answers_in_time(settings)  # the client's constructor asks the server 3 times, with no time limit
        try:
            client = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1",
                port=_port(settings.chroma_url),
                ssl=u.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise StoreError(unreachable_server(settings.chroma_url, exc)) from exc
        _limit_wait(client, settings.chroma_timeout)
        return client
    try:
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where the folder should be, a read-only data directory: not a traceback
        raise StoreError(f"cannot make the vector store's folder {settings.chroma_path} ({exc.strerror or exc}): "
                         "it must be a directory writable by this user; move aside what is there, or point "
                         "RAG_HOME at a writable directory") from exc
    try:
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except BaseException as exc:  # e.g. InternalError "(code: 26) file is not a database"
        if not is_chroma_failure(exc):
            raise
        raise unreadable_store(settings, exc) from exc


def _limit_wait(client: object, seconds: float) -> None:
    """Make every request of Chroma's HTTP ``client`` give up after ``seconds`` (connect, each read,
    each write) with an ``httpx.TimeoutException``, which ``store_error`` words as ``timed_out``.

    chromadb (1.5.9) builds its httpx session with ``timeout=None`` and has no setting for it
    (``chroma_query_request_timeout_seconds`` and the like are its distributed server's gRPC calls),
    so a hung server blocked every call forever. The session is this client's own (each
    ``HttpClient`` gets its own ``System``), so setting its timeout touches no other client."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)
    else:  # another chromadb layout: the client still works, without the limit
        log.warning("cannot set a timeout on this chromadb's HTTP client (chromadb changed); a Chroma server "
                    "that hangs will block until it answers")


def _answers_in_time(settings: Settings) -> None:
    """Raise ``timed_out`` when the server at ``settings.chroma_url`` accepts a connection but sends
    no heartbeat within ``chroma_timeout``: Chroma's client asks the server while it is built, before
    ``_limit_wait`` can apply. Any other failure is left to the client's own attempt (and
    ``unreachable_server``), which words it."""
    import httpx

    url = settings.chroma_url or ""
    try:
        httpx.get(_heartbeat_url(url), timeout=settings.chroma_timeout)
    except httpx.TimeoutException as exc:
        raise timed_out(settings) from exc
    except httpx.HTTPError:
        pass


def _heartbeat_url(url: str) -> str:
    """The heartbeat at the host and port ``make_client`` gives Chroma's client (not the URL's path)."""
    u = urlparse(url)
    scheme = "https" if u.scheme == "https" else "http"
    host = u.hostname or "127.0.0.1"
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    return f"{scheme}://{host}:{_port(url)}/api/v2/heartbeat"


def timed_out(settings: Settings, what: str = "") -> StoreError:
    """The Chroma server at ``settings.chroma_url`` took longer than ``chroma_timeout`` to answer (it
    hangs, or is overloaded): name it, the limit and the fix. Nothing half-done is claimed: a write
    it did not confirm is not recorded as stored, and the next ingest compares the two stores."""
    url, limit = settings.chroma_url or "", settings.chroma_timeout
    head = what + ": " if what else ""
    remedy = (f"is running and not overloaded ({start_hint(url)}), or raise RAG_CHROMA_TIMEOUT (now {limit:g} s), "
              "and try again")
    return StoreError(f"{head}the Chroma server at {url} did not answer within {limit:g} seconds; check it {remedy}",
                      fix=f"check the Chroma server at {url} {remedy}")


def _port(url: str) -> int:
    u = urlparse(url)
    return u.port or (443 if u.scheme == "https" else 8000)


def start_hint(url: str) -> str:
    """How to start a server at ``url``: the configured host and port, not Chroma's defaults."""
    return f"`chroma run --path DIR --host {urlparse(url).hostname} --port {_port(url)}`"


def unreachable_server(url: str, exc: BaseException) -> str:
    """Why no client could be made for the server at ``url``, in one line with the fix.

    Chroma's client says "Could not connect ... Are you sure it is running?" for a server that runs
    but speaks plain http to an https URL, and quotes a whole HTML page when something else answers
    the port; one request to its heartbeat tells these apart."""
    import httpx

    heartbeat = url.rstrip("/") + "/api/v2/heartbeat"
    try:
        r = httpx.get(heartbeat, timeout=3)
    except httpx.ConnectError as err:
        text = str(err)
        if urlparse(url).scheme == "https" and ("SSL" in text or "certificate" in text or "TLS" in text):
            plain = "http://" + url.split("://", 1)[1].rstrip("/")
            return (f"cannot talk https to {url} ({text}); check the scheme: `chroma run` serves plain http, so "
                    f"set RAG_CHROMA_URL={plain} unless a TLS proxy stands in front of it")
        return (f"cannot reach the Chroma server at {url} ({_short(text) or type(err).__name__}); start it "
                f"({start_hint(url)}) or unset RAG_CHROMA_URL to use the embedded store")
    except httpx.HTTPError as err:
        return (f"the Chroma server at {url} did not answer ({type(err).__name__}: {_short(str(err))}); check it is "
                f"running ({start_hint(url)}) and retry")
    if r.status_code != 200 or "heartbeat" not in r.text:
        return (f"{url} answered but is not a Chroma server (HTTP {r.status_code} on /api/v2/heartbeat); check "
                "the host and port in RAG_CHROMA_URL (those `chroma run` was given)")
    return f"cannot use the Chroma server at {url} ({type(exc).__name__}: {_short(str(exc))})"


_HTML = re.compile(r"<\s*(!doctype|html|head|body)\b", re.IGNORECASE)


def _short(text: str, limit: int = 300) -> str:
    """An error text fit for one line: an HTML page (something else answering) becomes its status."""
    if _HTML.search(text):
        code = re.search(r"(?:Error code:?|<title>)\s*(\d{3})\b", text, re.IGNORECASE)
        return f"it answered with an HTML page{f' (HTTP {code.group(1)})' if code else ''}, not as Chroma does"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def collection_gone(exc: BaseException) -> bool:
    """Chroma's "Collection [<uuid>] does not exist": the handle names a collection that was deleted,
    or a server restarted on another ``--path``; the collection may exist again under its name."""
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError)


def ownership(col, db: ArticleDB) -> Ownership:  # noqa: ANN001 - a chromadb Collection
    """Whom collection ``col`` belongs to, seen from article database ``db``: ``ours`` (stamped with its
    store id), ``theirs`` (stamped with another, or holding vectors that are none of its chunks),
    ``free`` (unstamped, and every vector is one of its chunks) or ``empty`` (unstamped, no vectors).

    An interrupted write leaves vectors whose article rows were never committed: while the
    database's last write is unfinished (its "clean" mark is off), up to ``ORPHAN_ALLOWANCE`` such
    ids beside its own chunks still count as ``free``."""
    stamp = (col.metadata or {}).get(STORE_KEY)
    if stamp:
        return "ours" if stamp == db.store_id() else "theirs"
    ids = set(col.get(include=[])["ids"])
    if not ids:
        return "empty"
    foreign = ids - set(db.chunk_ids())
    if not foreign:
        return "free"
    if db.get_meta("clean") != "1" and len(foreign) <= ORPHAN_ALLOWANCE and len(foreign) < len(ids):
        return "free"
    return "theirs"


def _store_ids_in(home: Path) -> set[str] | None:
    """The store ids of the article databases in ``home``; None when one of them cannot be read."""
    import sqlite3

    from index.db import STORE_ID_KEY

    ids: set[str] = set()
    for path in home.glob("articles*.sqlite3"):
        try:
            con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
            try:
                row = con.execute("SELECT value FROM meta WHERE key=?", (STORE_ID_KEY,)).fetchone()
            finally:
                con.close()
        except sqlite3.Error as exc:
            if "no such table" in str(exc):  # an empty file: it owns nothing
                continue
            return None
        if row:
            ids.add(row[0])
    return ids


def store_error(settings: Settings, name: str, exc: BaseException, what: str = "") -> BaseException:
    """``exc`` from collection ``name`` as a ``StoreError`` naming the store and the fix, when the
    store itself failed; a programming error (TypeError, ...) is returned unchanged."""
    if isinstance(exc, (StoreError, EmbedderMismatchError)) or not _store_failure(exc):
        return exc
    head = what + ": " if what else ""
    url = settings.chroma_url or ""
    if url and is_timeout(exc):
        return timed_out(settings, what)
    if collection_gone(exc):  # the store answers: the collection was deleted under us (twice)
        where = (f"the Chroma server at {url} (deleted, or the server restarted with another --path)" if url
                 else f"{settings.chroma_path} (deleted by another process)")
        return StoreError(
            f"{head}the Chroma collection {name!r} is gone from {where} and could not be opened again; try "
            "again (the collection is made again, and `rag ingest` or `rag reindex` refills it)"
        )
    if url:
        return StoreError(
            f"{head}the Chroma server at {url} failed ({type(exc).__name__}: {_short(str(exc))}); check it is "
            f"running ({start_hint(url)}) and try again"
        )
    return unreadable_store(settings, exc)


def _holds_none(path: Path, chunk_ids: Sequence[str]) -> bool:
    """Whether the article database at ``path`` is readable and has none of ``chunk_ids``."""
    import sqlite3

    if not chunk_ids:
        return True
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
        try:
            marks = ",".join("?" * len(chunk_ids))
            return con.execute(f"SELECT 1 FROM chunks WHERE id IN ({marks}) LIMIT 1", list(chunk_ids)).fetchone() is None
        finally:
            con.close()
    except sqlite3.Error as exc:
        return "no such table" in str(exc)  # an empty file holds nothing; an unreadable one may


def is_timeout(exc: BaseException) -> bool:
    """A request to the Chroma server got no answer within ``chroma_timeout`` (``_limit_wait``)."""
    import httpx

    return isinstance(exc, httpx.TimeoutException)


def is_chroma_failure(exc: BaseException) -> bool:
    """An error from Chroma: any ``Exception``, and the Rust core's ``PanicException``, which derives
    from ``BaseException`` (a damaged chroma.sqlite3 panics while the client starts)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _store_failure(exc: BaseException) -> bool:
    """The store failed (as opposed to a bug in the caller): Chroma's own errors, a panic in its
    Rust core, a connection or HTTP error, an OS error."""
    import httpx
    from chromadb.errors import ChromaError

    return (isinstance(exc, (ChromaError, httpx.HTTPError, OSError, ConnectionError))
            or type(exc).__name__ == "PanicException")


def unreadable_store(settings: Settings, exc: BaseException) -> StoreError:
    """The embedded Chroma directory cannot be read: name it and the fix (the texts are safe in the db)."""
    return StoreError(
        f"the vector store {settings.chroma_path / 'chroma.sqlite3'} is unreadable ({type(exc).__name__}: {exc}); "
        f"run `rag reindex`: it moves {settings.chroma_path} aside and rebuilds the vectors from the stored "
        "article texts (no source is re-read)"
    )


class VectorStore:
    """One Chroma collection of chunk vectors, keyed by chunk id."""

    def __init__(
        self,
        settings: Settings,
        embedder_name: str,
        client: object | None = None,
        *,
        check: bool = True,
        dim: int | None = None,
        name: str | None = None,
        runtime: str | None = None,
        fingerprint: Callable[[], np.ndarray] | None = None,
        owner: ArticleDB | None = None,
        own_client: bool | None = None,
    ) -> None:
        self.settings = settings
        self.embedder_name = embedder_name
        self.dim = dim or None  # 0 = not known yet (an OpenAI embedder learns it from its first reply)
        self.runtime = runtime  # e.g. "onnx-int8" or "torch": which build of the model makes the vectors
        self._fingerprint = fingerprint
        self._fp: np.ndarray | None = None
        self._stamped = fingerprint is None  # nothing to record without a fingerprint
        self.name = name or settings.collection  # a reindex to another embedder builds under a new name
        self.embedded = not settings.chroma_url
        self._check = check
        # an embedded store is reopened when another process wrote (see ``reopen``): queries and the
        # reopen hold this lock so no query runs on a client being closed
        self._lock: threading.RLock | contextlib.nullcontext = threading.RLock() if self.embedded else contextlib.nullcontext()
        # the article database the collection belongs to (its store id is stamped into the collection);
        # None: no ownership check (a reindex's new collection, adopted when the swap makes it active)
        self.owner = owner
        self._own_client = client is None if own_client is None else own_client
        self._probe: httpx.Client | None = None  # ``check_alive``'s own client, made on first use
        self.client = client or make_client(settings)
        try:
            self.collection = self._open(check)
        except BaseException:
            if self._own_client:
                self.close()  # do not keep an embedded store's files open behind an error
            raise

    def _metadata(self) -> dict[str, str | int]:
        meta: dict[str, str | int] = {"embedder": self.embedder_name, "hnsw:space": "cosine"}
        if self.owner is not None:
            meta[STORE_KEY] = self.owner.store_id()
        if self.dim:
            meta["dim"] = self.dim
        if self.runtime:
            meta["embedder_runtime"] = self.runtime
        return meta

    @staticmethod
    def _modify_metadata(col, meta: dict) -> None:  # noqa: ANN001
        # Chroma replaces the whole dict, and refuses any "hnsw:space" in modify(), even unchanged
        col.modify(metadata={k: v for k, v in meta.items() if not k.startswith("hnsw:")})

    def fingerprint(self) -> np.ndarray:
        """The embedder's fingerprint, computed once (it embeds a sentence: loads the model)."""
        if self._fp is None:
            assert self._fingerprint is not None
            self._fp = self._fingerprint()
        return self._fp

    def _open(self, check: bool = True):
        with self._failing_as_store(f"cannot open the Chroma collection {self.name!r}"):
            col = self.client.get_or_create_collection(
                name=self.name, metadata=self._metadata(), embedding_function=None
            )
        if self.owner is not None:
            self._claim(col)
        meta = col.metadata or {}
        stored, stored_dim = meta.get("embedder"), meta.get("dim")
        name_differs = bool(stored) and stored != self.embedder_name
        dim_differs = bool(stored_dim and self.dim) and int(stored_dim) != self.dim
        if name_differs or dim_differs:
            if col.count() == 0:
                stamp = {STORE_KEY: meta[STORE_KEY]} if STORE_KEY in meta else {}
                self._modify_metadata(col, stamp | self._metadata())
            elif check:
                raise self._mismatch(stored or self.embedder_name, stored_dim, self.dim)
        elif check:
            self._check_runtime(meta)
        return col

    def _claim(self, col) -> None:  # noqa: ANN001 - a chromadb Collection
        """Make sure ``col`` belongs to this store's article database: stamp it when it is new to
        it (made by an older version, or empty), refuse it when it belongs to another."""
        assert self.owner is not None
        with self._failing_as_store(f"cannot read the Chroma collection {self.name!r}"):
            state = ownership(col, self.owner)
        if state == "ours":
            return
        if state == "theirs":
            if not (self.embedded and self._owner_gone(col)):
                raise self._foreign(col)
            log.warning("the Chroma collection %r belonged to an article database that is no longer in %s; "
                        "%s takes it over", self.name, self.settings.home, self.owner.path.name)
        meta = dict(col.metadata or {})
        meta[STORE_KEY] = self.owner.store_id()
        self._modify_metadata(col, meta)
        log.info("Chroma collection %r now belongs to %s", self.name, self.owner.path)

    def _owner_gone(self, col) -> bool:  # noqa: ANN001
        """Embedded only (the collection lives inside this RAG_HOME, so only a database of this home
        can own it): whether no other article database here owns ``col``, i.e. its owner was deleted
        or replaced (moved aside to start over, as an unreadable database's message suggests), so
        this one may take it over. Any database here that cannot be read might be the owner."""
        assert self.owner is not None
        stamp = (col.metadata or {}).get(STORE_KEY)
        if stamp:
            ids = _store_ids_in(self.settings.home)
            return ids is not None and stamp not in ids
        foreign = sorted(set(col.get(include=[])["ids"]) - set(self.owner.chunk_ids()))[:500]
        others = [p for p in self.settings.home.glob("articles*.sqlite3") if p.resolve() != self.owner.path.resolve()]
        return all(_holds_none(p, foreign) for p in others)

    def _foreign(self, col) -> ForeignCollectionError:  # noqa: ANN001
        assert self.owner is not None
        where = (f"on the Chroma server at {self.settings.chroma_url}" if not self.embedded
                 else f"in {self.settings.chroma_path}")
        stamped = bool((col.metadata or {}).get(STORE_KEY))
        if self.embedded:
            whose = "another article database of this RAG_HOME"
        elif stamped:
            whose = "another article database (another RAG_HOME using the same server and collection name)"
        else:
            whose = (f"another article database: it holds vectors that are none of {self.owner.path.name}'s chunks "
                     "(another RAG_HOME using the same server and collection name wrote them)")
        fix = "set a different RAG_COLLECTION for this RAG_HOME (one collection name per RAG_HOME)"
        if self.owner.path.name != "articles.sqlite3" and self.owner.has_chunks():
            fix += (f", and rename {self.owner.path.name} to articles-<that name>.sqlite3 so its articles go "
                    "with it")
        if self.embedded:
            gone = ""
        else:
            u = urlparse(self.settings.chroma_url or "")
            gone = (" If the data directory that wrote it is gone for good, delete the collection on the server "
                    f"instead (`python -c \"import chromadb; chromadb.HttpClient(host='{u.hostname}', "
                    f"port={_port(self.settings.chroma_url or '')}).delete_collection('{self.name}')\"`)")
        return ForeignCollectionError(
            f"the Chroma collection {self.name!r} {where} belongs to {whose}; {self.owner.path} may not use it, "
            f"since its ingests would delete the other's vectors: {fix}.{gone}"
        )

    def _check_runtime(self, meta: dict) -> None:
        """Same model, another runtime (torch vs ONNX): interchangeable only if the vectors agree.

        A collection without a recorded runtime predates them: it was built by torch, which the ONNX
        build agrees with (cosine >= 0.998 per text on 300 BBC chunks and SQuAD questions)."""
        stored_rt = meta.get("embedder_runtime")
        if self._fingerprint is None or not stored_rt or stored_rt == self.runtime:
            return
        stored_fp = decode_fingerprint(str(meta.get("embedder_fingerprint") or ""))
        if stored_fp is None:
            return  # no vector was written under that runtime: nothing to disagree with
        if not fingerprints_agree(stored_fp, self.fingerprint()):
            raise EmbedderMismatchError(
                f"{self.embedder_name} (RAG_EMBED_RUNTIME={stored_rt})",
                f"{self.embedder_name} (RAG_EMBED_RUNTIME={self.runtime}), whose vectors differ",
            )
        log.info("collection built with runtime %s; %s agrees with it", stored_rt, self.runtime)

    def record_embedder(self, *, force: bool = False) -> None:
        """Record the runtime and fingerprint of the embedder writing the vectors.

        Called with the first vectors of an empty collection (not at creation: fingerprinting loads
        the model, and opening must not: ``rag list`` never embeds), never over an unrecorded
        collection that holds vectors (they may come from another runtime), and with ``force``
        after a reindex rewrote every vector."""
        self._stamped = True
        if self._fingerprint is None:
            return
        meta = dict(self.collection.metadata or {})
        if not force and ("embedder_fingerprint" in meta or self._call(lambda: self.collection.count())):
            return
        meta = dict(self.collection.metadata or {})  # the collection may have been reopened by the count
        meta["embedder_fingerprint"] = encode_fingerprint(self.fingerprint())
        if self.runtime:
            meta["embedder_runtime"] = self.runtime
        self._call(lambda: self._modify_metadata(self.collection, meta))

    def _mismatch(self, stored: str, stored_dim: object, dim: object) -> EmbedderMismatchError:
        if stored == self.embedder_name and stored_dim and dim:
            return EmbedderMismatchError(f"{stored} ({stored_dim} dimensions)", f"{self.embedder_name} ({dim} dimensions)")
        return EmbedderMismatchError(stored, self.embedder_name)

    def _dimension_error(self, exc: BaseException) -> BaseException:
        """Chroma's 'expecting embedding with dimension of N, got M' as an error that names the fix;
        anything else (a server gone, an unreadable file) as a ``StoreError`` naming the store."""
        m = re.search(r"dimension of (\d+), got (\d+)", str(exc))
        if m:
            return self._mismatch(self.embedder_name, m.group(1), m.group(2))
        return self._store_error(exc)

    def _store_error(self, exc: BaseException, what: str = "") -> BaseException:
        """``exc`` as a ``StoreError`` when the store itself failed (Chroma's errors, a Rust panic,
        the connection); a programming error (TypeError, ...) is returned unchanged."""
        if isinstance(exc, (StoreError, EmbedderMismatchError)) or not _store_failure(exc):
            return exc
        return store_error(self.settings, self.name, exc, what)

    def _reopen_gone(self, exc: BaseException) -> None:
        """The collection handle names a collection that no longer exists (deleted and made again, a
        server restarted on another path): open the collection by name again, with the same checks
        (embedder, owner) and never Chroma's default embedding function."""
        log.warning("the Chroma collection %r was gone (%s); opening it again by name", self.name, exc)
        self.__dict__.pop("_max_batch", None)
        self.collection = self._open(self._check)

    def _retry_gone(self, fn: Callable[[], T]) -> T:
        """``fn()``, run once more after reopening the collection when it failed because the
        collection was gone; any other failure (or a second one) is raised as it came."""
        try:
            return fn()
        except BaseException as exc:
            if not (is_chroma_failure(exc) and collection_gone(exc)):
                raise
            self._reopen_gone(exc)
        return fn()

    def _call(self, fn: Callable[[], T]) -> T:
        with self._failing_as_store():
            return self._retry_gone(fn)

    @contextlib.contextmanager
    def _failing_as_store(self, what: str = "") -> Iterator[None]:
        """Raise a failure of the store itself as a ``StoreError`` naming it and the fix (``what``: the
        step that failed); anything else (a programming error) as it came."""
        try:
            yield
        except BaseException as exc:
            err = self._store_error(exc, what) if is_chroma_failure(exc) else exc
            if err is exc:
                raise
            raise err from exc

    def built_with(self) -> tuple[str | None, int | None]:
        """(embedder name, dimension) recorded on the collection when it was created."""
        meta = self.collection.metadata or {}
        dim = meta.get("dim")
        return meta.get("embedder"), int(dim) if dim else None

    def reopen(self, name: str | None = None) -> None:
        """Close and reopen an embedded client (and the collection, maybe under a new ``name``).

        An embedded Chroma client keeps its index in memory and never sees vectors another process
        added; the caller reopens when the article database says another process wrote. Note
        Chroma shares one client per path in a process, so this only refreshes once every other
        client on the path in this process is closed too."""
        with self._lock:
            if self.embedded and self._own_client:
                self.close()
                self.__dict__.pop("_max_batch", None)
                self.client = make_client(self.settings)
            self.name = name or self.name
            self.collection = self._open(self._check)

    def check_alive(self) -> None:
        """Raise ``StoreError`` when the Chroma server no longer answers (the connection refused or
        reset, or no answer within ``chroma_timeout``, as any other request); nothing for the embedded
        store, nor for a server that answers at all (any HTTP status: a proxy's 401 is an answer too).

        One GET of its heartbeat, on an httpx client of its own with the same time limit.
        An ingest asks between model batches (``Indexer._store_gone``), so that a server that died
        stops the embedding then, not at the next write, a whole pipeline batch later."""
        if self.embedded:
            return
        import httpx

        heartbeat = _heartbeat_url(self.settings.chroma_url or "")
        try:
            if self._probe is None:
                self._probe = httpx.Client(timeout=self.settings.chroma_timeout)
            self._probe.get(heartbeat)
        except httpx.TransportError as exc:
            raise store_error(self.settings, self.name, exc) from exc

    @property
    def max_batch(self) -> int:
        try:
            return int(self.client.get_max_batch_size())
        except Exception as exc:  # noqa: BLE001 - older clients / servers
            if is_timeout(exc):  # a hung server: say so now, not after a write waits as long again
                raise self._store_error(exc) from exc
            return 1000

    @functools.cached_property
    def _max_batch(self) -> int:
        return self.max_batch  # asked once: over HTTP every call is a round trip

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
        if not self._stamped and len(ids):
            self.record_embedder()
        step = self._max_batch
        for i in range(0, len(ids), step):
            try:
                self._retry_gone(lambda i=i: self.collection.upsert(
                    ids=list(ids[i : i + step]),
                    embeddings=vectors[i : i + step],
                    metadatas=list(metadatas[i : i + step]),
                ))
            except BaseException as exc:
                err = self._dimension_error(exc) if is_chroma_failure(exc) else exc
                if err is exc:
                    raise
                raise err from exc

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            self._call(lambda part=part: self.collection.delete(ids=part))

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first.

        One round trip: Chroma (>= 1.0) returns fewer than ``k`` results when the collection (or the
        filtered part) is smaller, so no ``count()`` call is needed first."""
        with self._lock:
            try:
                res = self._retry_gone(lambda: self.collection.query(
                    query_embeddings=[vector], n_results=k, where=where or None, include=["distances"]))
            except BaseException as exc:
                if not is_chroma_failure(exc):
                    raise
                if is_timeout(exc):  # the count below would wait as long again for the hung server
                    raise self._store_error(exc) from exc
                if self._call(lambda: self.collection.count()) == 0:  # an old Chroma that refuses to query an empty index
                    return []
                err = self._dimension_error(exc)
                if err is exc:
                    raise
                raise err from exc
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def vectors_of(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of ``ids`` (those that have one)."""
        with self._lock:
            res = self._call(lambda: self.collection.get(ids=list(ids), include=["embeddings"]))
        return {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(res["ids"], res["embeddings"], strict=True)}

    def all_ids(self) -> set[str]:
        """Every id in the collection, in one call: paging with offsets is quadratic (each page
        re-scans the offset), which made it 3x slower at 100k ids and the bulk of reconcile at 400k."""
        with self._lock:
            return set(self._call(lambda: self.collection.get(include=[]))["ids"])

    def count(self) -> int:
        with self._lock:  # not while ``reopen`` swaps the client
            return self._call(lambda: self.collection.count())

    def drop(self, name: str) -> None:
        """Delete collection ``name`` (an absent one is fine): the old one after a reindex swap."""
        try:
            self.client.delete_collection(name)
        except Exception as exc:  # noqa: BLE001 - absent collection is fine
            log.debug("delete_collection %s: %s", name, exc)

    def reset(self, embedder_name: str, dim: int | None = None) -> None:
        """Drop the collection and start empty for ``embedder_name`` (used by reindex)."""
        try:
            self.client.delete_collection(self.name)
        except Exception as exc:  # noqa: BLE001 - absent collection is fine
            log.debug("delete_collection: %s", exc)
        self.embedder_name = embedder_name
        self.dim = dim or None
        self._stamped = self._fingerprint is None
        self.collection = self._open()

    def close(self) -> None:
        """Release the client (an embedded store's files); the object is unusable afterwards."""
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        close = getattr(self.client, "close", None)
        if close is not None:
            try:
                close()
            except Exception as exc:  # noqa: BLE001 - closing twice or a server gone: nothing to release
                log.debug("closing the Chroma client: %s", exc)
