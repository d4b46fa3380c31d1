"""Growth benchmark: ingest memory and query latency of synthetic collections 1x, 10x, 50x the BBC.

    .venv/bin/python -m benchmarks.growth [CORPUS] [--scales 1,10,50] [--queries 48]

Synthetic articles: copy k of every BBC article, its sentences shuffled (seeded), titled
"<title> (k)", written as one JSONL dump per copy and category in a temp dir outside the repo
(copy 0 keeps the original sentence order). Each scale runs in a fresh child process, so peak
memory is per scale.

How vectors are made (the real model would need ~8 h for 50x here): every synthetic chunk gets
the real all-MiniLM-L6-v2 vector of a chunk of its source article (from the 1x store the query
benchmark builds with the real model), chosen by a hash of the chunk text, plus Gaussian noise
(sigma 0.015 per dimension, cosine ~0.98 to the original), re-normalised. So everything except the
model's forward pass is real: loading the dumps, sentence chunking, the model's tokenizer check of
every chunk, Chroma HNSW inserts, SQLite + FTS5 writes; and questions are embedded by the real
model and searched against vectors with the real corpus' structure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import (
    DEFAULT_CORPUS,
    DEFAULT_STORE,
    QUESTIONS,
    RSSSampler,
    bbc_store,
    corpus_files,
    machine,
    pct,
    rss_anon_mb,
    rss_mb,
    table,
    write_json,
)

INDEX_BYTES_PER_VECTOR = 384 * 4 + 16 * 2 * 4 + 64  # float32 vector + HNSW links (M=16, two layers-ish) + id


class ReuseEmbedder:
    """Real vectors of the source article's chunks + small noise (see the module docstring)."""

    def __init__(self, by_title: dict[str, np.ndarray], model) -> None:
        self.name, self.dim, self.window = model.name, model.dim, model.window
        self.by_title = by_title
        self._model = model
        self.texts = 0

    def __call__(self, texts):
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            title = t.split("\n", 1)[0].rsplit(" (", 1)[0]
            h = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            pool = self.by_title.get(title)
            rng = np.random.default_rng(h)
            base = pool[h % len(pool)] if pool is not None else rng.standard_normal(self.dim)
            v = base + rng.normal(0, 0.015, self.dim)
            out[i] = v / np.linalg.norm(v)
        self.texts += len(texts)
        return out

    def count_tokens(self, texts):
        return self._model.count_tokens(texts)


def write_synthetic(corpus: Path, dest: Path, scale: int, limit: int | None) -> tuple[int, float]:
    """One JSONL dump per (copy, category); returns (articles, MB)."""
    from index.chunk import split_sentences

    files = corpus_files(corpus, limit)
    n, size = 0, 0
    for k in range(scale):
        dumps: dict[str, list[str]] = {}
        for p in files:
            raw = p.read_text(encoding="utf-8", errors="replace").strip()
            title, _, body = raw.partition("\n")
            body = body.strip()
            if k:
                sents = [body[a:b] for a, b in split_sentences(body)]
                random.Random(f"{k}/{p.parent.name}/{p.name}").shuffle(sents)
                body = " ".join(sents)
            dumps.setdefault(p.parent.name, []).append(json.dumps({"title": f"{title.strip()} ({k})", "text": body}))
            n += 1
        for cat, lines in dumps.items():
            out = dest / f"copy{k:03d}-{cat}.jsonl"
            out.write_text("\n".join(lines) + "\n", encoding="utf-8")
            size += out.stat().st_size
    return n, size / 2**20


def one_scale(args: argparse.Namespace) -> dict:
    from index.collection import Collection
    from rag.settings import Settings
    from rag.api import RAG
    from rag.retrieve import retrieve

    real = bbc_store(args.corpus, args.home, limit=args.limit)  # the 1x store built with the real model
    model = real.embedder
    got = real.vectors.collection.get(include=["embeddings", "metadatas"])
    titles = {a.id: a.title for a in real.db.list_articles(limit=10**6)}
    pools: dict[str, list[np.ndarray]] = {}
    for emb, meta in zip(got["embeddings"], got["metadatas"], strict=True):
        pools.setdefault(titles.get(meta["article_id"], ""), []).append(np.asarray(emb, dtype=np.float32))
    by_title = {t: np.stack(v) for t, v in pools.items()}
    real.close()
    del got, pools

    work = Path(tempfile.mkdtemp(prefix=f"rag-bench-growth-{args.one}x-"))
    try:
        data = work / "dumps"
        data.mkdir()
        n_articles, mb = write_synthetic(args.corpus.resolve(), data, args.one, args.limit)
        settings = Settings(home=work / "home", collection="growth", max_file_mb=200)
        emb = ReuseEmbedder(by_title, model)
        coll = Collection.open(settings, embedder=emb)
        with RSSSampler() as mem:
            t = time.perf_counter()
            rep = coll.ingest([str(data)])
            ingest_s = time.perf_counter() - t
        counts = coll.db.counts()
        t = time.perf_counter()
        rep2 = coll.ingest([str(data)])
        reingest_s = time.perf_counter() - t
        coll.close()

        # queries: real model for the question, as a user would run them
        coll = Collection.open(settings, embedder=model)
        rag = RAG(settings, collection=coll, llm=None)
        for q in QUESTIONS[:4]:
            rag.ask(q, offline=True)
        lat_r, lat_a = [], []
        for i in range(args.queries):
            q = QUESTIONS[i % len(QUESTIONS)]
            t = time.perf_counter()
            retrieve(coll.store, q, embed=coll.embedder)
            lat_r.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            rag.ask(q, offline=True)
            lat_a.append((time.perf_counter() - t) * 1000)
        disk = sum(f.stat().st_size for f in (work / "home").rglob("*") if f.is_file()) / 2**20
        index_mb = counts["chunks"] * INDEX_BYTES_PER_VECTOR / 2**20
        return {
            "scale": args.one,
            "articles_in": n_articles,
            "dump_mb": round(mb, 1),
            "stored": counts,
            "summary": rep.summary(),
            "ingest_s": round(ingest_s, 1),
            "chunks_per_s_storage_path": round(counts["chunks"] / ingest_s, 1),
            "rss_start_mb": round(mem.start_mb, 1),
            "rss_peak_mb": round(mem.peak_mb, 1),
            "rss_growth_mb": round(mem.growth_mb, 1),
            "anon_growth_mb": round(mem.peak_anon_mb - mem.start_anon_mb, 1),
            "hnsw_index_estimate_mb": round(index_mb, 1),
            "anon_growth_minus_index_mb": round(mem.peak_anon_mb - mem.start_anon_mb - index_mb, 1),
            "reingest_unchanged_s": round(reingest_s, 2),
            "reingest_summary": rep2.summary(),
            "retrieve_p50_ms": round(pct(lat_r, 50), 1),
            "retrieve_p95_ms": round(pct(lat_r, 95), 1),
            "ask_p50_ms": round(pct(lat_a, 50), 1),
            "ask_p95_ms": round(pct(lat_a, 95), 1),
            "store_disk_mb": round(disk, 1),
            "rss_end_mb": round(rss_mb(), 1),
            "anon_end_mb": round(rss_anon_mb(), 1),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--home", type=Path, default=DEFAULT_STORE, help="the real-model 1x store (built on first use)")
    ap.add_argument("--scales", default="1,10,50")
    ap.add_argument("--queries", type=int, default=48)
    ap.add_argument("--limit", type=int, default=None, help="base on an evenly spread sample of N articles")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)  # child process: one scale
    args = ap.parse_args(argv)

    if args.one:
        print("RESULT " + json.dumps(one_scale(args)), flush=True)
        return {}

    bbc_store(args.corpus, args.home, limit=args.limit).close()  # build the real 1x store once, before the children
    points = []
    for s in [int(x) for x in args.scales.split(",")]:
        print(f"scale {s}x ...", flush=True)
        cmd = [sys.executable, "-m", "benchmarks.growth", str(args.corpus), "--home", str(args.home), "--one", str(s),
               "--queries", str(args.queries)] + (["--limit", str(args.limit)] if args.limit else [])
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
                              env=dict(os.environ))
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if proc.returncode or line is None:
            raise SystemExit(f"scale {s} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        point = json.loads(line[7:])
        points.append(point)
        print(f"  {point}", flush=True)
        write_json("growth", {"benchmark": "growth", "machine": machine(), "points": points}, args.out)  # so far

    rows = [[p["scale"], p["stored"]["articles"], p["stored"]["chunks"], p["ingest_s"], p["chunks_per_s_storage_path"],
             p["rss_growth_mb"], p["anon_growth_minus_index_mb"], p["hnsw_index_estimate_mb"], p["reingest_unchanged_s"],
             p["retrieve_p50_ms"], p["retrieve_p95_ms"], p["ask_p50_ms"], p["ask_p95_ms"]] for p in points]
    print(table("Growth (synthetic copies of the BBC; storage path real, vectors reused from the real model)",
                ["scale", "articles", "chunks", "ingest s", "chunks/s", "RSS growth MB", "anon growth - index MB",
                 "HNSW est. MB", "re-ingest s", "retr p50", "retr p95", "ask p50", "ask p95"], rows))
    result = {"benchmark": "growth", "machine": machine(), "points": points}
    write_json("growth", result, args.out)
    return result


if __name__ == "__main__":
    main()
