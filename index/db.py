"""The article database: article texts, source -> article mapping, chunk spans and the lexical index.

One SQLite file (WAL mode) holds what Chroma does not: the full article texts (so `rag reindex`
never re-reads sources), the sources each article was seen at (dedup across sources), chunk spans,
and an FTS5 table ranked with BM25. Article row, chunks and lexical entries change in one
transaction, so the lexical index can never disagree with the article table; Chroma is reconciled
against this database by chunk id (see ``index.pipeline.reconcile``).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from rag.errors import StoreError
from index.types import Article, Chunk
from rag.text import query_words

log = logging.getLogger(__name__)

STORE_ID_KEY = "store_id"  # meta key: this database's id, stamped into its Chroma collections
#: the fewest characters of an article id (16 hex digits) that name it: one character removed whichever article
#: happened to be the only one starting with it
MIN_ID_PREFIX = 6

_SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT,
    author TEXT,
    published TEXT,
    content_hash TEXT NOT NULL UNIQUE,
    version TEXT NOT NULL,
    text TEXT NOT NULL,
    n_chunks INTEGER NOT NULL,
    extra TEXT NOT NULL DEFAULT '{}',
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    url TEXT  -- the address this source gave for the text (a copy at another outlet keeps its own)
);
CREATE INDEX IF NOT EXISTS sources_article ON sources(article_id);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);  -- date filters, newest stories
CREATE TABLE IF NOT EXISTS chunks (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    sentences TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(title, body, tokenize='porter unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
"""

# --- story groups (index/stories.py) ---------------------------------------------------------
# One row per grouped article: its MinHash signature (so the LSH is rebuilt without re-reading
# texts) and its story id. CREATE ... IF NOT EXISTS is the migration: an older database gets the
# empty table on open, and `StoryIndex.backfill` (run by `rag reindex`) groups its articles; until
# then an article without a row is its own story (ChunkRow.story_id falls back to the article id).
# Removing an article deletes its row (ON DELETE CASCADE); when that article was the one whose id
# names its story, the trigger renames the rest of the story after its earliest remaining article,
# so a story id never outlives its article and a re-added article never collides with an old story.
_STORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE,
    story_id TEXT NOT NULL,
    params TEXT NOT NULL,
    size INTEGER NOT NULL,
    signature BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_story ON stories(story_id);
CREATE TRIGGER IF NOT EXISTS stories_renamed AFTER DELETE ON stories
WHEN OLD.story_id = OLD.article_id AND NOT EXISTS (SELECT 1 FROM articles WHERE id = OLD.article_id)
BEGIN
    UPDATE stories SET story_id = (
        SELECT s.article_id FROM stories s JOIN articles a ON a.id = s.article_id
        WHERE s.story_id = OLD.article_id ORDER BY a.published IS NULL, a.published, s.seq LIMIT 1
    ) WHERE story_id = OLD.article_id;
END;
"""

@dataclass(frozen=True)
class ChunkRow:
    id: str
    article_id: str
    title: str
    source: str
    url: str | None
    published: str | None
    text: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]
    story_id: str | None = None  # the article's story group (index/stories.py); its own id when ungrouped
    author: str | None = None  # the article's byline (cited with its passages)


@dataclass(frozen=True)
class ArticleInfo:
    id: str
    title: str
    source: str
    url: str | None
    author: str | None
    published: str | None
    n_chunks: int
    chars: int
    sources: tuple[str, ...]
    story_id: str | None = None  # story group: articles with equal story_id carry the same story
    story_size: int = 1  # articles in that story (1: no other outlet carries it)

    def to_dict(self) -> dict[str, object]:
        """Every field, its sources a list: an article as REST, MCP and `rag list --json` give it."""
        return asdict(self) | {"sources": list(self.sources)}


def article_page(arts: list[ArticleInfo], total: int, offset: int) -> dict[str, object]:
    """A page of ``ArticleDB.list_articles`` as ``GET /v1/articles``, the MCP ``list_articles`` tool and
    `rag list --json` give it: the articles, ``total`` (how many match), ``offset`` and ``next_offset``
    (the ``offset`` of the next page; null on the last)."""
    shown = offset + len(arts)
    return {"articles": [a.to_dict() for a in arts], "total": total, "offset": offset,
            "next_offset": shown if arts and shown < total else None}


@dataclass(frozen=True)
class StoryRow:
    """One article's stored story assignment (see ``index.stories``)."""

    seq: int
    article_id: str
    story_id: str
    params: str
    size: int
    signature: bytes


@dataclass(frozen=True)
class StoryVersion:
    """One version of a story (``ArticleDB.story_versions``): a stored article, or an exact copy of one
    ingested from another address and kept as one more source of it (``add_source``), never an article
    of its own. The old plain tuple put the article's id first for one and the copy's source name
    for the other, so a caller could not tell which it held; here ``article_id`` is always an
    article's id and ``is_copy`` says which kind this is."""

    article_id: str  # the stored article: this one, or, for a copy, the article whose text it is
    source: str  # where this version was ingested from: the article's own source, or the copy's
    url: str | None  # the address that source gave for it, when it gave one
    title: str
    published: str | None  # YYYY-MM-DD; a copy has its article's date
    is_copy: bool = False

    @property
    def address(self) -> str:
        """What to show for it (an "also in" entry): its URL, else its source."""
        return self.url or self.source


@dataclass(frozen=True)
class StoredArticle:
    id: str
    content_hash: str
    version: str


def stored_links(articles: Path | None, links: Iterable[str]) -> dict[str, str]:
    """Which of ``links`` are stored in the article database ``articles`` (a source of that URL, or
    an article or source whose address it is): link -> article id. Read-only, without an ``ArticleDB``
    (which creates and migrates its file): ``rag watch --list`` asks it of a data directory it must not
    change. A database that is not there (or not readable) stores none."""
    links = list(dict.fromkeys(links))
    if articles is None or not links or not articles.exists():
        return {}
    found: dict[str, str] = {}
    try:
        with closing(sqlite3.connect(articles.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)) as db:
            columns = {r[1] for r in db.execute("PRAGMA table_info(sources)")}
            for n in range(0, len(links), 400):
                part = links[n:n + 400]
                marks = ",".join("?" * len(part))
                queries = [f"SELECT source, article_id FROM sources WHERE source IN ({marks})",
                           f"SELECT url, id FROM articles WHERE url IN ({marks})"]
                if "url" in columns:  # a database from before sources had an address has none
                    queries.append(f"SELECT url, article_id FROM sources WHERE url IN ({marks})")
                for query in queries:
                    for link, article_id in db.execute(query, part):
                        found.setdefault(link, article_id)
    except sqlite3.Error as exc:  # no articles table yet, a locked or damaged file: said by the commands using it
        log.info("could not look up stored articles in %s: %s", articles, exc)
    return found


class ArticleDB:
    """Thread-safe wrapper (one connection, one lock): readers and the ingest writer share it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30, isolation_level=None)
        except (OSError, sqlite3.DatabaseError) as exc:  # a read-only or missing place: not a traceback
            raise self._error(exc) from exc
        self._lock = threading.RLock()
        try:
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
            _tune(self._conn)
            with self._lock:
                self._conn.executescript(_SCHEMA)
                self._conn.executescript(_STORY_SCHEMA)
                self._migrate_sources()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise self._error(exc) from exc
        # Reads go through one connection per thread (WAL readers never block each other or the
        # writer, and sqlite3 releases the GIL while a query runs); writes through self._conn.
        self._local = threading.local()
        self._readers: weakref.WeakSet[_Reader] = weakref.WeakSet()
        self._cache: dict[str, object] = {}
        self._cache_key: tuple[int, int] | None = None

    def _migrate_sources(self) -> None:
        """Give a database from before ``sources.url`` the column. Each article's own source takes the
        article's URL; the address of an exact copy ingested from another source was not kept, and
        is recorded when that source is ingested again (``Indexer._classify``)."""
        if "url" in {r[1] for r in self._conn.execute("PRAGMA table_info(sources)")}:
            return
        with _Tx(self._conn, lambda exc: exc):
            if "url" in {r[1] for r in self._conn.execute("PRAGMA table_info(sources)")}:
                return  # another process migrated it while we waited for the write lock
            self._conn.execute("ALTER TABLE sources ADD COLUMN url TEXT")
            self._conn.execute("UPDATE sources SET url = (SELECT a.url FROM articles a WHERE a.id = sources.article_id"
                               " AND a.source = sources.source)")

    def close(self) -> None:
        with self._lock:
            for r in list(self._readers):
                r.conn.close()
            self._conn.close()

    def data_version(self) -> int:
        """A number that changes whenever *another* connection (another process) commits a write.

        Long-running readers compare it to decide when their embedded Chroma handle is stale."""
        with self._lock:
            return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def change_key(self) -> tuple[int, int]:
        """Changes whenever anything (this connection or another process) commits a write."""
        with self._lock:
            return self._conn.execute("PRAGMA data_version").fetchone()[0], self._conn.total_changes

    def _error(self, exc: sqlite3.DatabaseError | OSError) -> Exception:
        """A corrupt file, or one that cannot be opened or written (a read-only data directory, a file where
        the directory should be), as a ``StoreError`` naming the file and the fix; other errors unchanged (new
        user 29's read-only RAG_HOME gave an 80-line traceback, even to `rag stats`)."""
        code = getattr(exc, "sqlite_errorcode", None)
        text = str(exc)
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
            return StoreError(
                f"the article database {self.path} is unreadable ({text}); restore it from a backup, or move it "
                f"aside (e.g. `mv {self.path} {self.path}.corrupt`) and re-ingest your sources to rebuild it"
            )
        if isinstance(exc, OSError) or code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM) \
                or "unable to open" in text or "readonly" in text:
            return StoreError(
                f"cannot open the article database {self.path} ({text}): its directory must exist and be writable "
                "by this user, even to read (SQLite keeps its write-ahead log beside it); check the permissions "
                "and free space there, or copy the data directory to a writable place and point RAG_HOME at it"
            )
        return exc

    def _reader(self) -> sqlite3.Connection:
        r = getattr(self._local, "reader", None)
        if r is None:
            conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30, isolation_level=None)
            conn.execute("PRAGMA query_only=ON")
            _tune(conn)
            r = self._local.reader = _Reader(conn)
            with self._lock:
                self._readers.add(r)
        return r.conn

    def _cached(self, name: str, compute):
        """``compute()`` cached until the database changes (here or in another process)."""
        with self._lock:
            key = self.change_key()
            if key != self._cache_key:
                self._cache.clear()
                self._cache_key = key
            if name not in self._cache:
                self._cache[name] = compute()
            return self._cache[name]

    # --- meta ----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._q("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Set (or, with ``None``, delete) one meta value."""
        with self._lock:
            try:
                if value is None:
                    self._conn.execute("DELETE FROM meta WHERE key=?", (key,))
                else:
                    self._conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from exc

    def store_id(self) -> str:
        """This database's random id, made on first use and kept: the Chroma collections it writes
        are stamped with it (``index.vectors``), so two databases never share, and prune, one
        collection (two RAG_HOMEs on one Chroma server)."""
        sid = self.get_meta(STORE_ID_KEY)
        if sid:
            return sid
        with self._lock:
            try:  # INSERT OR IGNORE: two processes making it at once agree on the first one
                self._conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
                                   (STORE_ID_KEY, uuid.uuid4().hex))
                return self._conn.execute("SELECT value FROM meta WHERE key=?", (STORE_ID_KEY,)).fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from exc

    def meta_keys(self, prefix: str) -> list[str]:
        """Meta keys that start with ``prefix``."""
        rows = self._q("SELECT key FROM meta WHERE key LIKE ? ESCAPE '\\'", (_like_prefix(prefix),))
        return [r[0] for r in rows if r[0].startswith(prefix)]  # LIKE ignores ASCII case

    def has_chunks(self) -> bool:
        return self._q("SELECT 1 FROM chunks LIMIT 1").fetchone() is not None

    # --- lookups used by ingest ----------------------------------------------------------
    def by_source(self, source: str) -> StoredArticle | None:
        row = self._q(
            "SELECT a.id, a.content_hash, a.version FROM sources s JOIN articles a ON a.id = s.article_id "
            "WHERE s.source=?",
            (source,),
        ).fetchone()
        return StoredArticle(*row) if row else None

    def described(self, article_id: str) -> tuple[str, str, str | None, str | None, str | None] | None:
        """What an article is stored as besides its text: (source, title, author, published, url)."""
        row = self._q("SELECT source, title, author, published, url FROM articles WHERE id=?", (article_id,)).fetchone()
        return tuple(row) if row else None  # type: ignore[return-value]

    def by_hash(self, chash: str) -> StoredArticle | None:
        row = self._q("SELECT id, content_hash, version FROM articles WHERE content_hash=?", (chash,)).fetchone()
        return StoredArticle(*row) if row else None

    def chunk_ids(self, article_id: str | None = None) -> list[str]:
        if article_id is None:
            return [r[0] for r in self._q("SELECT id FROM chunks")]
        return [r[0] for r in self._q("SELECT id FROM chunks WHERE article_id=?", (article_id,))]

    def counts(self) -> dict[str, int]:
        """Row counts; cached until the database changes (the offline answerer asks on every question)."""
        return dict(self._cached("counts", self._count))

    def n_chunks(self) -> int:
        """Number of chunks in the lexical index (the N of IDF), cached like ``counts``."""
        return self.counts()["lexical"]

    def _count(self) -> dict[str, int]:
        return {
            "articles": self._q("SELECT count(*) FROM articles").fetchone()[0],
            "chunks": self._q("SELECT count(*) FROM chunks").fetchone()[0],
            "sources": self._q("SELECT count(*) FROM sources").fetchone()[0],
            "lexical": self._q("SELECT count(*) FROM chunks_fts").fetchone()[0],
        }

    # --- writes ----------------------------------------------------------------------------
    def put_article(self, article: Article, chunks: Sequence[Chunk]) -> list[str]:
        """Insert or replace one article with its chunks and lexical entries, atomically.

        Returns the chunk ids that were replaced (the caller deletes them from the vector store)."""
        aid = article.id
        with self._lock, self._tx():
            old = [r[0] for r in self._conn.execute("SELECT id FROM chunks WHERE article_id=?", (aid,))]
            self._delete_chunks(aid)
            self._conn.execute(
                "INSERT INTO articles(id, title, source, url, author, published, content_hash, version, text,"
                " n_chunks, extra, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(id) DO UPDATE SET title=excluded.title, source=excluded.source, url=excluded.url,"
                " author=excluded.author, published=excluded.published, content_hash=excluded.content_hash,"
                " version=excluded.version, text=excluded.text, n_chunks=excluded.n_chunks,"
                " extra=excluded.extra, updated_at=excluded.updated_at",
                (
                    aid,
                    article.title,
                    article.source,
                    article.url,
                    article.author,
                    article.published.isoformat() if article.published else None,
                    article.content_hash,
                    article.content_hash[:10],
                    article.text,
                    len(chunks),
                    json.dumps(article.extra),
                    time.time(),
                ),
            )
            for ch in chunks:
                cur = self._conn.execute(
                    'INSERT INTO chunks(id, article_id, n, start, "end", tokens, sentences) VALUES (?,?,?,?,?,?,?)',
                    (ch.id, aid, ch.n, ch.start, ch.end, ch.tokens,
                     json.dumps(ch.sentences)),
                )
                self._conn.execute(
                    "INSERT INTO chunks_fts(rowid, title, body) VALUES (?,?,?)", (cur.lastrowid, article.title, ch.text)
                )
            self._conn.execute("INSERT OR REPLACE INTO sources(source, article_id, url) VALUES (?,?,?)",
                               (article.source, aid, article.url))
        return old

    def add_source(self, source: str, article_id: str, url: str | None = None) -> str | None:
        """Map another source (an exact copy: a second file, another outlet's page, at ``url``) to an
        existing article; returns an article orphaned by the move, if any."""
        with self._lock, self._tx():
            prev = self._conn.execute("SELECT article_id FROM sources WHERE source=?", (source,)).fetchone()
            self._conn.execute("INSERT OR REPLACE INTO sources(source, article_id, url) VALUES (?,?,?)",
                               (source, article_id, url))
            if prev and prev[0] != article_id:
                left = self._conn.execute("SELECT count(*) FROM sources WHERE article_id=?", (prev[0],)).fetchone()[0]
                return prev[0] if left == 0 else None
        return None

    def sources_of(self, article_id: str) -> list[str]:
        """Every source the article was ingested from."""
        return [r[0] for r in self._q("SELECT source FROM sources WHERE article_id=? ORDER BY rowid", (article_id,))]

    def sources_named(self, article_id: str, ref: str) -> list[str]:
        """The article's sources that ``ref`` names: the source itself, or every source at that URL."""
        return [r[0] for r in self._q("SELECT source FROM sources WHERE article_id=? AND (source=? OR url=?)"
                                      " ORDER BY rowid", (article_id, ref, ref))]

    def sources_called(self, name: str) -> list[str]:
        """Stored sources whose last path component is ``name`` (a file name a server shows its
        clients: ``rag.service.public``), at most two: one is the source, two say it is ambiguous."""
        rows = self._q("SELECT source FROM sources WHERE source LIKE ? ESCAPE '\\' ORDER BY rowid",
                       ("%" + _like_prefix(name)[:-1],)).fetchall()
        return [r[0] for r in rows if r[0].replace("\\", "/").rsplit("/", 1)[-1] == name][:2]

    def set_source_url(self, source: str, url: str | None) -> bool:
        """Record the address a stored source now gives (an exact copy whose URL changed, or one stored
        before addresses were kept); False when it already had it (or is not stored).

        Read first: an unchanged re-ingest asks this of every source, and takes no write for it."""
        row = self._q("SELECT url FROM sources WHERE source=?", (source,)).fetchone()
        if row is None or row[0] == url:
            return False
        with self._lock, self._tx():
            return self._conn.execute("UPDATE sources SET url=? WHERE source=? AND url IS NOT ?",
                                      (url, source, url)).rowcount > 0

    def remove_article(self, article_id: str) -> list[str]:
        """Delete an article, its sources, chunks and lexical entries; returns its chunk ids."""
        with self._lock, self._tx():
            ids = [r[0] for r in self._conn.execute("SELECT id FROM chunks WHERE article_id=?", (article_id,))]
            self._delete_chunks(article_id)
            self._conn.execute("DELETE FROM sources WHERE article_id=?", (article_id,))
            self._conn.execute("DELETE FROM articles WHERE id=?", (article_id,))
        return ids

    def remove_source(self, source: str) -> tuple[str | None, list[str]]:
        """Unmap a source; the article goes too when no other source points at it (its chunk ids are
        returned then; none while it stays, shown from a source it still has)."""
        with self._lock, self._tx():
            row = self._conn.execute("SELECT article_id FROM sources WHERE source=?", (source,)).fetchone()
            if not row:
                return None, []
            self._conn.execute("DELETE FROM sources WHERE source=?", (source,))
            left = self._conn.execute("SELECT source, url FROM sources WHERE article_id=? ORDER BY rowid LIMIT 1",
                                      (row[0],)).fetchone()
            if left:  # the article stays; it is now shown and cited from a source it still has, at its address
                self._conn.execute("UPDATE articles SET source=?, url=? WHERE id=? AND source=?",
                                   (left[0], left[1], row[0], source))
                self._conn.execute("UPDATE articles SET url=NULL WHERE id=? AND url=?", (row[0], source))
                return row[0], []
            ids = [r[0] for r in self._conn.execute("SELECT id FROM chunks WHERE article_id=?", (row[0],))]
            self._delete_chunks(row[0])
            self._conn.execute("DELETE FROM sources WHERE article_id=?", (row[0],))
            self._conn.execute("DELETE FROM articles WHERE id=?", (row[0],))
            return row[0], ids

    def sources_under(self, root: str, separators: Sequence[str] = ("/", "#")) -> list[str]:
        """Sources equal to ``root`` or below it on a path boundary: ``root`` followed by one of
        ``separators`` (a path separator, or ``#`` for the records of a dump file).

        ``/data/prune`` matches ``/data/prune/a.txt`` and ``/data/prune.jsonl#3`` never; a plain
        prefix match once let ``--prune`` of one folder delete a sibling folder's articles."""
        root = root.rstrip("/\\") or root
        out = [r[0] for r in self._q("SELECT source FROM sources WHERE source=?", (root,))]
        for sep in dict.fromkeys(separators):
            rows = self._q("SELECT source FROM sources WHERE source LIKE ? ESCAPE '\\'", (_like_prefix(root + sep),))
            out += [r[0] for r in rows if r[0].startswith(root + sep)]  # LIKE is case-insensitive for ASCII
        return sorted(set(out))

    def _delete_chunks(self, article_id: str) -> None:
        self._conn.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT rid FROM chunks WHERE article_id=?)", (article_id,)
        )
        self._conn.execute("DELETE FROM chunks WHERE article_id=?", (article_id,))

    # --- reads for retrieval -----------------------------------------------------------------
    def chunks_by_ids(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        out: dict[str, ChunkRow] = {}
        for i in range(0, len(ids), 500):
            part = list(ids[i : i + 500])
            rows = self._q(
                'SELECT c.id, c.article_id, a.title, a.source, a.url, a.published, c.start, c."end", c.sentences,'
                " a.text, coalesce(st.story_id, c.article_id), a.author"
                " FROM chunks c JOIN articles a ON a.id = c.article_id"
                f' LEFT JOIN stories st ON st.article_id = c.article_id WHERE c.id IN ({",".join("?" * len(part))})',
                part,
            ).fetchall()
            for cid, aid, title, source, url, pub, s, e, sents, text, story, author in rows:
                out[cid] = ChunkRow(cid, aid, title, source, url, pub, text[s:e], s, e,
                                    tuple(tuple(x) for x in json.loads(sents)), story, author)
        return out

    def iter_chunks(self, batch: int = 512) -> Iterable[list[tuple[str, str, str]]]:
        """(chunk id, title, chunk text) in batches, for re-embedding without re-reading sources."""
        for rows in self.iter_chunks_after(0, batch):
            yield [(r[1], r[2], r[3]) for r in rows]

    def iter_chunks_after(self, after: int, batch: int = 512) -> Iterable[list[tuple[int, str, str, str]]]:
        """(rowid, chunk id, title, chunk text) with rowid > ``after``, in rowid order: a reindex
        records the last rowid it finished, so a killed one resumes there."""
        last = after
        while True:
            rows = self._q(
                'SELECT c.rid, c.id, a.title, substr(a.text, c.start + 1, c."end" - c.start) FROM chunks c'
                " JOIN articles a ON a.id = c.article_id WHERE c.rid > ? ORDER BY c.rid LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [tuple(r) for r in rows]

    def sample_chunk_ids(self, n: int) -> list[str]:
        """Up to ``n`` chunk ids picked at random."""
        return [r[0] for r in self._q("SELECT id FROM chunks ORDER BY random() LIMIT ?", (n,))]

    def chunks_upto(self, rid: int) -> int:
        """How many chunks have a rowid <= ``rid`` (a resumed reindex's progress)."""
        return self._q("SELECT count(*) FROM chunks WHERE rid <= ?", (rid,)).fetchone()[0]

    def chunk_meta(self, ids: Sequence[str]) -> list[dict[str, str | int]]:
        rows = self.chunks_by_ids(ids)
        return [chunk_metadata(rows[i].article_id, rows[i].source, rows[i].published) for i in ids]

    def lexical(self, query: str, k: int, article_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """BM25 over chunk title+body (FTS5, porter stemming); any query word may match."""
        words = query_words(query)  # lowercased, LEXICAL_STOPWORDS out
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in dict.fromkeys(words))
        sql = (
            "SELECT c.id, bm25(chunks_fts, 0.5, 1.0) AS s FROM chunks_fts JOIN chunks c ON c.rid = chunks_fts.rowid"
            " WHERE chunks_fts MATCH ?"
        )
        args: list[object] = [match]
        if article_ids is not None:
            sql += f" AND c.article_id IN ({','.join('?' * len(article_ids))})"
            args += list(article_ids)
        sql += " ORDER BY s LIMIT ?"
        args.append(k)
        return [(cid, -score) for cid, score in self._q(sql, args)]

    def stories_with_phrase(self, words: Sequence[str], at_most: int) -> int:
        """How many stories (an article not grouped into one counts as its own) hold ``words`` as a
        phrase of their chunks' text in the lexical index, counted up to ``at_most`` (the lookup stops
        there): a sentence several stories carry verbatim is a site's boilerplate (``rag.boilerplate``).
        Words only, quoted, so there is nothing for FTS5 to parse."""
        phrase = 'body : "' + " ".join(w.replace('"', "") for w in words) + '"'
        row = self._q(
            "SELECT count(*) FROM (SELECT DISTINCT coalesce(st.story_id, c.article_id) FROM chunks_fts"
            " JOIN chunks c ON c.rid = chunks_fts.rowid LEFT JOIN stories st ON st.article_id = c.article_id"
            " WHERE chunks_fts MATCH ? LIMIT ?)", (phrase, at_most)).fetchone()
        return int(row[0]) if row else 0

    def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        terms = list(dict.fromkeys(terms))
        if not terms:
            return {}
        rows = self._q(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({','.join('?' * len(terms))})", terms)
        return dict(rows.fetchall())

    def filter_article_ids(
        self, sources: Sequence[str] = (), start: date | None = None, end: date | None = None
    ) -> list[str]:
        sql, args = "SELECT DISTINCT a.id FROM articles a LEFT JOIN sources s ON s.article_id = a.id WHERE 1=1", []
        if sources:  # any source's name or address: an exact copy from another outlet matches by its own
            sql += " AND (" + " OR ".join(["s.source LIKE ? OR s.url LIKE ? OR a.url LIKE ? OR a.title LIKE ?"]
                                          * len(sources)) + ")"
            for src in sources:
                args += [f"%{src}%"] * 4
        sql, args = _period(sql, args, start, end)
        return [r[0] for r in self._q(sql, args)]

    def first_published(self) -> date | None:
        """The oldest article's publication day (None when no article is dated)."""
        row = self._q("SELECT min(published) FROM articles WHERE published IS NOT NULL").fetchone()
        try:
            return date.fromisoformat(row[0][:10]) if row and row[0] else None
        except ValueError:
            return None

    def first_chunks(self, sources: Sequence[str] = (), start: date | None = None, end: date | None = None,
                     limit: int = 50) -> tuple[list[ChunkRow], int]:
        """The first chunk of the newest ``limit`` stories published between ``start`` and ``end``
        (inclusive; one article per story: its earliest version), newest first by the date of the
        version told, and how many stories were published then in all (``rag.brief.digest``: "What
        happened this week?")."""
        ids = set(self.filter_article_ids(sources, start, end))
        if not ids:
            return [], 0
        # only the period's articles: a story's earliest version *in the period* is the one told
        sql, args = _period("SELECT a.id, a.published, COALESCE(st.story_id, a.id) FROM articles a "
                            "LEFT JOIN stories st ON st.article_id = a.id WHERE a.published IS NOT NULL", [],
                            start, end)
        rows = self._q(sql + " ORDER BY a.published DESC, a.id", args).fetchall()
        earliest: dict[str, str] = {}  # story -> its earliest article in the period (rows run newest first)
        order: list[str] = []
        day: dict[str, str] = {}
        for aid, published, story in rows:
            if aid in ids:
                if story not in earliest:
                    order.append(story)
                earliest[story] = aid
                day[aid] = published
        if not order:
            return [], 0
        # by the day of the version told, not of the story's newest one: a story of 11, 12 and 13 March
        # is told by its 11 March version, and listed as of 13 March it read "11 March, 12 March, 11
        # March" under "newest first" (new user 9); a stable sort keeps the order of equal days
        order.sort(key=lambda st: day[earliest[st]], reverse=True)
        firsts = [r[0] for r in self._q(
            "SELECT id FROM chunks WHERE n=0 AND article_id IN (%s)" % ",".join("?" * min(len(order), limit)),
            [earliest[st] for st in order[:limit]])]
        by_article = {c.article_id: c for c in self.chunks_by_ids(firsts).values()}
        return [by_article[earliest[st]] for st in order[:limit] if earliest[st] in by_article], len(order)

    # --- collection management -------------------------------------------------------------
    def list_articles(self, search: str | None = None, limit: int = 200, offset: int = 0) -> list[ArticleInfo]:
        """Stored articles, newest first (then by title), the ``offset``-th on; with ``search``, only those
        with a title word starting with it, a URL or one of whose sources (a file name, a copy's address)
        contains it, literally and in any case (``_search``), or whose id it is."""
        sql = (
            "SELECT a.id, a.title, a.source, a.url, a.author, a.published, a.n_chunks, length(a.text),"
            " (SELECT group_concat(source, char(10)) FROM sources s WHERE s.article_id = a.id),"
            " coalesce(st.story_id, a.id),"  # story group (index/stories.py)
            " CASE WHEN st.story_id IS NULL THEN 1 ELSE"
            " (SELECT count(*) FROM stories s2 WHERE s2.story_id = st.story_id) END"
            " FROM articles a LEFT JOIN stories st ON st.article_id = a.id"
        )
        where, args = _search(search)
        sql += where + " ORDER BY a.published DESC, a.title, a.id LIMIT ? OFFSET ?"
        args += [limit, max(offset, 0)]
        return [ArticleInfo(*r[:8], tuple((r[8] or "").split("\n")), r[9], r[10]) for r in self._q(sql, args)]

    def count_articles(self, search: str | None = None) -> int:
        """How many articles ``list_articles(search)`` pages through."""
        where, args = _search(search)
        return self._q("SELECT count(*) FROM articles a" + where, args).fetchone()[0]

    def count_matching(self, search: str | None = None) -> tuple[int, int]:
        """(articles, chunks) that ``list_articles(search)`` pages through, in one query."""
        where, args = _search(search)
        n, chunks = self._q("SELECT count(*), coalesce(sum(a.n_chunks), 0) FROM articles a" + where, args).fetchone()
        return n, chunks

    def article_text(self, article_id: str) -> str | None:
        row = self._q("SELECT text FROM articles WHERE id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def resolve(self, ref: str) -> str | None:
        """An article id from an id, a source, the URL of one of its sources (when no other article's
        source has it), or a unique id prefix of at least ``MIN_ID_PREFIX`` characters."""
        row = self._q("SELECT id FROM articles WHERE id=?", (ref,)).fetchone()
        row = row or self._q("SELECT article_id FROM sources WHERE source=?", (ref,)).fetchone()
        if row:
            return row[0]
        at = self._q("SELECT DISTINCT article_id FROM sources WHERE url=?", (ref,)).fetchall()
        if len(at) == 1:
            return at[0][0]
        if len(ref) < MIN_ID_PREFIX:  # `rag remove e` removed the one article whose id began with "e" (new user 29)
            return None
        ids = self._ids_starting(ref)
        return ids[0] if len(ids) == 1 else None

    def _ids_starting(self, ref: str) -> list[str]:
        # escaped: `rag remove %` once matched (and removed) every article
        rows = self._q("SELECT id FROM articles WHERE id LIKE ? ESCAPE '\\'", (_like_prefix(ref),)).fetchall()
        return [r[0] for r in rows if r[0].startswith(ref)]  # LIKE ignores ASCII case; ids are case-sensitive

    def unresolved(self, ref: str) -> str:
        """Why ``resolve(ref)`` found no article: several ids start with it, or nothing is it."""
        ids = self._ids_starting(ref) if ref else []
        if len(ids) > 1:
            return f"{ref!r} is the start of {len(ids)} article ids; give more of the id"
        if ids:  # one, but too short a prefix to be taken for it: a typo or a stray word must never remove
            return (f"{ref!r} is too short to name an article: give at least {MIN_ID_PREFIX} characters of its id "
                    f"(article {ids[0]} starts with it)")
        return "no such article id or source"

    # --- story groups (index/stories.py; schema in _STORY_SCHEMA) -------------------------------
    def story_rows(self, article_ids: Sequence[str]) -> dict[str, StoryRow]:
        """Stored story rows of these articles (those without one are left out)."""
        out: dict[str, StoryRow] = {}
        ids = list(dict.fromkeys(article_ids))
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = self._q("SELECT seq, article_id, story_id, params, size, signature FROM stories"
                           f" WHERE article_id IN ({','.join('?' * len(part))})", part)
            out.update((r[1], StoryRow(*r)) for r in rows)
        return out

    def story_seq(self, article_id: str) -> int | None:
        row = self._q("SELECT seq FROM stories WHERE article_id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def story_versions(self, story_id: str) -> list[StoryVersion]:
        """Each version of one story, earliest first: each article of the story, followed by each
        other address its exact text was ingested from (``StoryVersion.is_copy``: a copy at another
        outlet or a second file, a duplicate stored as one more source of the article, ``add_source``).
        An address is one version however many sources gave it. An article without a story row (not
        grouped yet) is a story of its own."""
        query = ("SELECT a.id, a.source, a.url, a.title, a.published FROM stories s JOIN articles a"
                 " ON a.id = s.article_id WHERE s.story_id=? ORDER BY a.published IS NULL, a.published, s.seq")
        articles = [StoryVersion(*r) for r in self._q(query, (story_id,))]
        if not articles:
            articles = [StoryVersion(*r) for r in self._q(
                "SELECT id, source, url, title, published FROM articles WHERE id=?", (story_id,))]
        copies: dict[str, list[tuple[str, str | None]]] = {}
        ids = [a.article_id for a in articles]
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            for aid, source, url in self._q("SELECT article_id, source, url FROM sources"
                                            f" WHERE article_id IN ({','.join('?' * len(part))}) ORDER BY rowid",
                                            part):
                copies.setdefault(aid, []).append((source, url))
        out: list[StoryVersion] = []
        shown = {a.address for a in articles}
        for a in articles:
            out.append(a)
            for source, url in copies.get(a.article_id, ()):
                copy = StoryVersion(a.article_id, source, url, a.title, a.published, is_copy=True)
                if source != a.source and copy.address not in shown:
                    shown.add(copy.address)
                    out.append(copy)
        return out

    def story_members(self, story_id: str) -> list[str]:
        """Article ids of one story, earliest published first (a story's "also in" list)."""
        return [r[0] for r in self._q(
            "SELECT s.article_id FROM stories s JOIN articles a ON a.id = s.article_id WHERE s.story_id=?"
            " ORDER BY a.published IS NULL, a.published, s.seq", (story_id,))]

    def put_story(
        self, article_id: str, story_id: str, params: str, size: int, signature: bytes, *, new_story: bool = False
    ) -> None:
        """Store one article's story row (a new ``seq``, so other processes' indexes pick it up).

        ``new_story``: the article starts a story named after itself; rows still carrying that name
        (the article led them before it changed) are renamed after their earliest member first."""
        with self._lock, self._tx():
            self._conn.execute("DELETE FROM stories WHERE article_id=?", (article_id,))
            if new_story:
                self._rename_story(article_id)
            self._conn.execute(
                "INSERT INTO stories(article_id, story_id, params, size, signature) VALUES (?,?,?,?,?)",
                (article_id, story_id, params, size, signature),
            )

    def delete_story(self, article_id: str) -> None:
        """Drop an article's story row; the rest of its story is renamed if it was named after it."""
        with self._lock, self._tx():
            row = self._conn.execute("SELECT story_id FROM stories WHERE article_id=?", (article_id,)).fetchone()
            self._conn.execute("DELETE FROM stories WHERE article_id=?", (article_id,))
            if row and row[0] == article_id:
                self._rename_story(article_id)

    def _rename_story(self, story_id: str) -> None:
        """Rename the rows of ``story_id`` after its earliest member (the trigger does this on cascade)."""
        first = self._conn.execute(
            "SELECT s.article_id FROM stories s JOIN articles a ON a.id = s.article_id WHERE s.story_id=?"
            " ORDER BY a.published IS NULL, a.published, s.seq LIMIT 1", (story_id,)).fetchone()
        if first:
            self._conn.execute("UPDATE stories SET story_id=? WHERE story_id=?", (first[0], story_id))

    def delete_stale_stories(self, params: str) -> int:
        """Drop rows signed with other parameters (a refit); returns how many."""
        with self._lock, self._tx():
            return self._conn.execute("DELETE FROM stories WHERE params != ?", (params,)).rowcount

    def count_unstoried(self, params: str) -> int:
        return self._q("SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM stories s"
                       " WHERE s.article_id = a.id AND s.params = ?)", (params,)).fetchone()[0]

    def unstoried_ids(self, params: str) -> list[str]:
        """Ids of articles without a current story row, earliest published first (backfill order)."""
        return [r[0] for r in self._q(
            "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.article_id = a.id"
            " AND s.params = ?) ORDER BY a.published IS NULL, a.published, a.id", (params,))]

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for i in range(0, len(article_ids), 500):
            part = list(article_ids[i : i + 500])
            out.update(self._q(f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(part))})", part))
        return out

    def iter_stories_after(self, seq: int, params: str, batch: int = 2000) -> Iterable[list[tuple[int, str, int, bytes]]]:
        """(seq, article id, size, signature) of rows with ``seq`` above the given one, in order."""
        last = seq
        while True:
            rows = self._q("SELECT seq, article_id, size, signature FROM stories WHERE seq > ? AND params = ?"
                           " ORDER BY seq LIMIT ?", (last, params, batch)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [tuple(r) for r in rows]

    # --- plumbing ------------------------------------------------------------------------------
    def _q(self, sql: str, args: Sequence[object] = ()) -> _Rows:
        """A read, on this thread's reader connection (sees everything committed)."""
        try:
            return _Rows(self._reader().execute(sql, args).fetchall())
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from exc

    def _tx(self):
        return _Tx(self._conn, self._error)


def _tune(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA cache_size=-65536")  # 64 MB page cache (the default 2 MB thrashes on big stores)
    conn.execute("PRAGMA mmap_size=268435456")  # read through mmap: no copy into the page cache
    conn.execute("PRAGMA temp_store=MEMORY")


class _Reader:
    """Holds one thread's read connection (weak-referenceable, unlike sqlite3.Connection)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn


class _Rows(list):
    """Rows fetched while holding the lock, with the cursor methods callers use."""

    def fetchone(self) -> tuple | None:
        return self[0] if self else None

    def fetchall(self) -> list[tuple]:
        return list(self)


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error); a corrupt file surfaces as a ``StoreError``."""

    def __init__(self, conn: sqlite3.Connection, translate) -> None:  # noqa: ANN001
        self.conn = conn
        self.translate = translate

    def __enter__(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self.translate(exc) from exc

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        except sqlite3.DatabaseError as err:
            raise self.translate(err) from (exc or err)
        if isinstance(exc, sqlite3.DatabaseError):
            translated = self.translate(exc)
            if translated is not exc:
                raise translated from exc
        return False


def _search(search: str | None) -> tuple[str, list[object]]:
    """The WHERE clause of ``rag list SEARCH``: ``%`` and ``_`` in it are literal (``rag list 50%``). A
    title matches from the start of one of its words ("Ian": "Hurricane Ian", "Ian's path"; not
    "Iranian", "Asian" or "Guardian", which a new user's `rag list Ian` listed); a source or URL
    anywhere in it (a folder's name, a site)."""
    if not search:
        return "", []
    pattern = "%" + _like_prefix(search)
    if search[:1].isalnum():
        starts = [_like_prefix(search), *(f"%{sep}{_like_prefix(search)}" for sep in _WORD_BEFORE)]
        title = "(" + " OR ".join(["a.title LIKE ? ESCAPE '\\'"] * len(starts)) + ")"
    else:
        starts, title = [pattern], "a.title LIKE ? ESCAPE '\\'"
    # a source's name or address too: an exact copy from another outlet is one more source of its article
    return (f" WHERE {title} OR a.source LIKE ? ESCAPE '\\' OR a.url LIKE ? ESCAPE '\\' OR a.id = ?"
            " OR EXISTS (SELECT 1 FROM sources so WHERE so.article_id = a.id"
            " AND (so.source LIKE ? ESCAPE '\\' OR so.url LIKE ? ESCAPE '\\'))",
            [*starts, pattern, pattern, search, pattern, pattern])


#: what may stand before a title's word: a space, a quote, a bracket, a dash, a slash
_WORD_BEFORE = (" ", "'", "‘", '"', "“", "(", "[", "-", "–", "—", "/")


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern (ESCAPE '\\') matching strings that start with ``prefix`` literally."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def chunk_metadata(article_id: str, source: str, published: str | None) -> dict[str, str | int]:
    """What Chroma stores beside each vector: enough to filter by article and date server-side."""
    return {
        "article_id": article_id,
        "source": source[:500],
        "published": int(published.replace("-", "")) if published else 0,
    }


def _period(sql: str, args: list[object], start: date | None, end: date | None) -> tuple[str, list[object]]:
    """``sql`` (over ``articles a``) limited to articles published from ``start`` to ``end`` (inclusive)."""
    if start:
        sql += " AND a.published >= ?"
        args = [*args, start.isoformat()]
    if end:
        sql += " AND a.published <= ?"
        args = [*args, end.isoformat()]
    return sql, args
