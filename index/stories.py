"""Story groups: near-duplicate articles (one wire story from several outlets) share a story id.

An article's text is cut into word shingles (``shingle`` consecutive words of the casefolded,
NFKC-normalised text; the title is left out, so a retitled copy still matches) and summarised by a
MinHash signature (``datasketch``). A MinHash LSH index finds the candidates whose estimated
Jaccard similarity may reach ``jaccard``; a candidate is the same story when its estimated
Jaccard is at least ``jaccard`` *and* its estimated containment (shared shingles over the smaller
article's) is at least ``containment``. Containment is what keeps a trimmed copy (the last
paragraphs dropped) in its story: its Jaccard falls with every paragraph cut, its containment stays
near 1. Both thresholds, the shingle size and the number of permutations are fitted on labelled
pairs by ``python -m evals.fit_stories`` and read from ``rag/fitted/stories.json``.

The story id is the article id of the story's first article: an article that matches an existing
story takes its id (the best-matching candidate's, when several match), any other starts a new
story with its own id. Signatures and story ids live in the article database (``stories`` table),
so the LSH is rebuilt from stored signatures, never from texts, and lazily (on the first
``assign``), so opening a collection to ask questions costs nothing.

>>> stories = StoryIndex(db)                          # doctest: +SKIP
>>> stories.assign(article.id, article.text)          # doctest: +SKIP
'5f0c1e2d3a4b5c6d'
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from index.db import ArticleDB
from rag.errors import ConfigError

log = logging.getLogger(__name__)

FITTED = Path(__file__).resolve().parent.parent / "rag" / "fitted" / "stories.json"

#: Bump when the normalisation or shingling changes: stored signatures of another version are
#: stale and ``backfill`` recomputes them.
SHINGLE_VERSION = 1
_SCHEME = "affine32"  # datasketch's hashing scheme; stored signatures are only comparable within one
_SEED = 1
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class StoryParams:
    """How articles are compared; fitted (see module docstring), never hand-set."""

    shingle: int  # words per shingle
    num_perm: int  # MinHash permutations (signature length)
    jaccard: float  # minimum estimated Jaccard (also the LSH candidate threshold)
    containment: float  # minimum estimated containment
    min_shingles: int = 8  # an article with fewer shingles is never grouped (too little text to tell)
    lsh_weights: tuple[float, float] = (0.2, 0.8)  # LSH (false positive, false negative) weights: favour recall,
    # since each candidate is checked against the thresholds anyway

    @property
    def key(self) -> str:
        """What a stored signature depends on: a signature with another key must be recomputed."""
        return f"v{SHINGLE_VERSION}-{_SCHEME}-s{_SEED}-k{self.shingle}-p{self.num_perm}"

    @classmethod
    def load(cls, path: Path = FITTED) -> StoryParams:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                shingle=int(raw["shingle"]),
                num_perm=int(raw["num_perm"]),
                jaccard=float(raw["jaccard"]),
                containment=float(raw["containment"]),
                min_shingles=int(raw.get("min_shingles", 8)),
                lsh_weights=tuple(raw.get("lsh_weights", (0.2, 0.8))),  # type: ignore[arg-type]
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"cannot read the fitted story-grouping parameters {path} ({exc}); reinstall the package, "
                "or refit them with `python -m evals.fit_stories`"
            ) from exc


@dataclass(frozen=True)
class Signature:
    """One article's MinHash signature and its number of distinct shingles."""

    hashvalues: np.ndarray  # uint32, length num_perm
    size: int

    def to_bytes(self) -> bytes:
        return self.hashvalues.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes, size: int) -> Signature:
        return cls(np.frombuffer(blob, dtype="<u4").astype(np.uint64), size)

    def minhash(self) -> LeanMinHash:
        """For the LSH: a LeanMinHash skips the permutation setup a MinHash does (60x faster to
        build, which is most of rebuilding the LSH from stored signatures)."""
        return LeanMinHash(seed=_SEED, hashvalues=self.hashvalues, scheme=_SCHEME)


def words(text: str) -> list[str]:
    """The normalised words of ``text``: NFKC, casefolded, word characters only (punctuation,
    quotes and dashes, which outlets restyle, are ignored)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, k: int) -> set[str]:
    """Distinct runs of ``k`` consecutive normalised words (the whole text when shorter)."""
    w = words(text)
    if not w:
        return set()
    return {" ".join(w[i : i + k]) for i in range(max(1, len(w) - k + 1))}


def signature(text: str, params: StoryParams) -> Signature:
    sh = shingles(text, params.shingle)
    m = MinHash(params.num_perm, seed=_SEED, scheme=_SCHEME)
    if sh:
        m.update_batch([s.encode("utf-8") for s in sh])
    return Signature(np.asarray(m.hashvalues, dtype=np.uint64), len(sh))


def similarity(a: Signature, b: Signature) -> tuple[float, float]:
    """(estimated Jaccard, estimated containment) of two articles' shingle sets.

    Containment |A∩B| / min(|A|, |B|) follows from the Jaccard estimate and the exact set sizes:
    |A∩B| = J (|A| + |B|) / (1 + J)."""
    if not a.size or not b.size or len(a.hashvalues) != len(b.hashvalues):
        return 0.0, 0.0
    j = float(np.count_nonzero(a.hashvalues == b.hashvalues)) / len(a.hashvalues)
    inter = j * (a.size + b.size) / (1.0 + j)
    return j, min(1.0, inter / min(a.size, b.size))


def same_story(a: Signature, b: Signature, params: StoryParams) -> bool:
    """The fitted decision on one pair (what ``StoryIndex`` applies to each LSH candidate)."""
    if min(a.size, b.size) < params.min_shingles:
        return False
    j, c = similarity(a, b)
    return j >= params.jaccard and c >= params.containment


def make_lsh(params: StoryParams) -> MinHashLSH:
    return MinHashLSH(threshold=params.jaccard, num_perm=params.num_perm, weights=params.lsh_weights)


class StoryIndex:
    """Assigns story ids at ingest; the LSH lives in memory, signatures and ids in ``ArticleDB``.

    Call ``assign`` after the article row is committed (``ArticleDB.put_article``): the story row
    references it, and is deleted with it (``remove_article`` / ``remove_source``; the database
    relabels the rest of a story whose first article went). Thread-safe; another process's
    assignments are picked up before each ``assign`` (new rows since the last look)."""

    def __init__(self, db: ArticleDB, params: StoryParams | None = None) -> None:
        self.db = db
        self.params = params or StoryParams.load()
        self._lock = threading.RLock()
        self._lsh: MinHashLSH | None = None
        self._keys: set[str] = set()
        self._seen = 0  # highest stories.seq loaded into the LSH

    # --- the write path ------------------------------------------------------------------------
    def assign(self, article_id: str, text: str) -> str:
        """Put the (stored) article into a story and return the story id."""
        return self.assign_signature(article_id, signature(text, self.params))

    def assign_signature(self, article_id: str, sig: Signature) -> str:
        p = self.params
        with self._lock:
            self._sync()
            old = self.db.story_rows([article_id]).get(article_id)
            story = None
            if old is not None and old.params == p.key:
                prev = Signature.from_bytes(old.signature, old.size)
                if same_story(prev, sig, p):
                    story = old.story_id  # an update of a still-matching article keeps its story
            if story is None:
                story = self._best_match(article_id, sig)
            new = story is None
            if new:
                story = article_id
            self.db.put_story(article_id, story, p.key, sig.size, sig.to_bytes(), new_story=new)
            # not marked seen: a row another process wrote meanwhile has a lower seq than ours, and
            # the next _sync must still load it (re-reading our own row is harmless)
            self._insert(article_id, sig)
            return story

    def remove(self, article_id: str) -> None:
        """Forget an article (whether or not its row is still in the database)."""
        with self._lock:
            self.db.delete_story(article_id)
            self._drop(article_id)

    # --- reads ---------------------------------------------------------------------------------
    def story_of(self, article_id: str) -> str | None:
        row = self.db.story_rows([article_id]).get(article_id)
        return row.story_id if row else None

    def pending(self) -> int:
        """Articles not yet in a story with the current parameters (0 when nothing to backfill)."""
        return self.db.count_unstoried(self.params.key)

    # --- existing collections ----------------------------------------------------------------------
    def backfill(self, progress: Callable[[int, int], None] | None = None, batch: int = 256) -> int:
        """Group every stored article that has no current story row; returns how many were assigned.

        Rows signed with other parameters (a refit) are dropped and regrouped. Articles go
        earliest-published first, so a story's id is its earliest article. Resumable: a killed
        backfill keeps the rows it wrote."""
        with self._lock:
            dropped = self.db.delete_stale_stories(self.params.key)
            if dropped:
                log.info("stories: %d signatures were made with other parameters; regrouping them", dropped)
                self._reset()
            ids = self.db.unstoried_ids(self.params.key)
            total, done = len(ids), 0
            if progress:
                progress(0, total)
            for i in range(0, total, batch):
                part = ids[i : i + batch]
                texts = self.db.article_texts(part)
                for aid in part:
                    if aid in texts:  # else removed meanwhile
                        try:
                            self.assign(aid, texts[aid])
                        except Exception as exc:  # noqa: BLE001 - one bad article never stops the batch
                            log.warning("stories: grouping article %s failed: %s", aid, exc)
                    done += 1
                if progress:
                    progress(done, total)
            return done

    # --- internals -------------------------------------------------------------------------------
    def _best_match(self, article_id: str, sig: Signature) -> str | None:
        if sig.size < self.params.min_shingles:
            return None
        assert self._lsh is not None
        cands = [k for k in self._lsh.query(sig.minhash()) if k != article_id]
        if not cands:
            return None
        best: tuple[float, float, str] | None = None
        for aid, row in self.db.story_rows(cands).items():  # the database is the truth: skips removed ones
            if row.params != self.params.key:
                continue
            other = Signature.from_bytes(row.signature, row.size)
            if same_story(sig, other, self.params):
                j, c = similarity(sig, other)
                if best is None or (c, j) > best[:2]:
                    best = (c, j, row.story_id)
        return best[2] if best else None

    def _sync(self) -> None:
        """Load rows written since the last look (all of them the first time) into the LSH."""
        if self._lsh is None:
            self._reset()
        for rows in self.db.iter_stories_after(self._seen, self.params.key):
            for seq, aid, size, blob in rows:
                self._insert(aid, Signature.from_bytes(blob, size))
                self._seen = max(self._seen, seq)

    def _reset(self) -> None:
        self._lsh = make_lsh(self.params)
        self._keys = set()
        self._seen = 0

    def _insert(self, article_id: str, sig: Signature) -> None:
        assert self._lsh is not None
        self._drop(article_id)
        if sig.size >= self.params.min_shingles:
            self._lsh.insert(article_id, sig.minhash())
            self._keys.add(article_id)

    def _drop(self, article_id: str) -> None:
        if self._lsh is not None and article_id in self._keys:
            self._lsh.remove(article_id)
            self._keys.discard(article_id)


def group(texts: Sequence[tuple[str, str]], params: StoryParams) -> dict[str, str]:
    """Story ids for (id, text) pairs without a database (evaluation, tests): the same decision
    as ``StoryIndex``, first come first served."""
    lsh = make_lsh(params)
    sigs: dict[str, Signature] = {}
    story: dict[str, str] = {}
    for aid, text in texts:
        sig = sigs[aid] = signature(text, params)
        best = None
        if sig.size >= params.min_shingles:
            for other in lsh.query(sig.minhash()):
                if same_story(sig, sigs[other], params):
                    j, c = similarity(sig, sigs[other])
                    if best is None or (c, j) > best[:2]:
                        best = (c, j, story[other])
            lsh.insert(aid, sig.minhash())
        story[aid] = best[2] if best else aid
    return story


def lsh_candidate(a: Signature, b: Signature, params: StoryParams) -> bool:
    """Whether the LSH built from ``params`` would return ``b`` for ``a`` (some band equal)."""
    bands, rows = _bands(params)
    eq = (a.hashvalues[: bands * rows] == b.hashvalues[: bands * rows]).reshape(bands, rows)
    return bool(eq.all(axis=1).any())


@functools.lru_cache(maxsize=32)
def _bands(params: StoryParams) -> tuple[int, int]:
    lsh = make_lsh(params)  # datasketch picks (bands, rows) for the threshold and weights
    return lsh.b, lsh.r
