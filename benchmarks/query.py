"""Query benchmark: p50/p95 latency of retrieval alone and of a full offline ask, at 1/4/16 callers.

    .venv/bin/python -m benchmarks.query [CORPUS] [--callers 1,4,16] [--requests 96] [--server]

Runs over the BBC collection built with the real model (all-MiniLM-L6-v2) in $RAG_BENCH_DIR/bbc
(default /tmp/rag-bench/bbc, outside the repo; built on first use). Each caller is a thread of one
process sharing one ``RAG`` (as the UI's workers do); every request embeds its question with the
real model. ``--server`` also measures with the vectors behind a `chroma run` server on loopback
(the vectors are copied from the embedded store into the server once).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from benchmarks.common import (
    DEFAULT_CORPUS,
    DEFAULT_STORE,
    QUESTIONS,
    bbc_store,
    machine,
    pct,
    table,
    write_json,
)
from rag.types import Filters


def measure(fn, questions: list[str], callers: int, requests: int) -> dict[str, float]:
    """Run ``requests`` calls of ``fn(question)`` from ``callers`` threads; latency percentiles in ms."""
    lat: list[float] = []

    def one(i: int) -> None:
        q = questions[i % len(questions)]
        t = time.perf_counter()
        fn(q)
        lat.append((time.perf_counter() - t) * 1000)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(callers) as pool:
        list(pool.map(one, range(requests)))
    wall = time.perf_counter() - t0
    return {"p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1),
            "mean_ms": round(sum(lat) / len(lat), 1), "qps": round(requests / wall, 1), "requests": requests}


DATED = Filters(published_from=date(2004, 1, 1))


def run_suite(rag, callers: list[int], requests: int) -> dict:
    from rag.retrieve import retrieve

    coll = rag.collection
    questions = QUESTIONS
    for q in questions[:6]:  # warm up: HNSW index load, stemmer, caches
        rag.ask(q, offline=True)
    out: dict[str, dict] = {}
    for c in callers:
        n = max(requests, 4 * c)
        out[str(c)] = {
            "retrieve": measure(lambda q: retrieve(coll.store, q, embed=coll.embedder), questions, c, n),
            "ask_offline": measure(lambda q: rag.ask(q, offline=True), questions, c, n),
            # a date filter admitting most of the collection (BBC: 2004-2005): Chroma's own ``where``
            # scanned every chunk's metadata; ``rag.retrieve.scope.dense_within`` filters a wider search
            "ask_offline_dated": measure(lambda q: rag.ask(q, offline=True, filters=DATED), questions, c, n),
        }
        print(f"  {c:>2} callers: retrieve {out[str(c)]['retrieve']}  ask {out[str(c)]['ask_offline']}", flush=True)
    # where the time goes at one caller
    parts: dict[str, list[float]] = {}
    for q in questions:
        for k, v in rag.ask(q, offline=True).timings_ms.items():
            parts.setdefault(k, []).append(v)
    out["breakdown_1_caller_p50_ms"] = {k: round(pct(v, 50), 2) for k, v in parts.items()}
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    port = _free_port()
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(exe) if exe.exists() else "chroma", "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("chroma run did not start")


def copy_vectors(src, dst) -> None:
    """Copy every vector (with metadata) from one store to another, in pages."""
    if dst.count() == src.count():
        return
    offset, page = 0, 2000
    while True:
        got = src.collection.get(include=["embeddings", "metadatas"], limit=page, offset=offset)
        if not got["ids"]:
            return
        dst.upsert(got["ids"], got["embeddings"], got["metadatas"])
        offset += page


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--home", type=Path, default=DEFAULT_STORE, help="where the BBC store is kept (reused)")
    ap.add_argument("--callers", default="1,4,16")
    ap.add_argument("--requests", type=int, default=96, help="requests per (mode, callers) cell")
    ap.add_argument("--server", action="store_true", help="also measure behind a `chroma run` server")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    callers = [int(x) for x in args.callers.split(",")]

    from index.collection import Collection
    from rag.api import RAG

    coll = bbc_store(args.corpus, args.home)
    counts = coll.db.counts()
    load = [round(os.getloadavg()[0], 2)]
    results = {"benchmark": "query", "machine": machine(), "store": counts, "modes": {}}
    print(f"embedded Chroma, {counts['articles']} articles, {counts['chunks']} chunks")
    results["modes"]["embedded"] = run_suite(RAG(coll.settings, collection=coll, llm=None), callers, args.requests)

    if args.server:
        server_dir = args.home.parent / (args.home.name + "-chroma-server")
        proc, url = start_server(server_dir)
        try:
            s = coll.settings.model_copy(update={"chroma_url": url})
            remote = Collection.open(s, embedder=coll.embedder)
            copy_vectors(coll.vectors, remote.vectors)
            print(f"`chroma run` server at {url}")
            results["modes"]["server"] = run_suite(RAG(s, collection=remote, llm=None), callers, args.requests)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    load.append(round(os.getloadavg()[0], 2))
    results["loadavg_1min_before_after"] = load

    rows = []
    for mode, res in results["modes"].items():
        for c in callers:
            r, a, d = res[str(c)]["retrieve"], res[str(c)]["ask_offline"], res[str(c)]["ask_offline_dated"]
            rows.append([mode, c, r["p50_ms"], r["p95_ms"], a["p50_ms"], a["p95_ms"], a["qps"], d["p50_ms"]])
    print(table(f"Query latency (ms), BBC: {counts['chunks']} chunks; targets at 1 caller: retrieve p50 <= 50, ask p50 <= 150",
                ["store", "callers", "retrieve p50", "retrieve p95", "ask p50", "ask p95", "ask/s", "dated ask p50"], rows))
    print("1-caller breakdown (p50 ms):", results["modes"]["embedded"]["breakdown_1_caller_p50_ms"])
    write_json("query", results, args.out)
    return results


if __name__ == "__main__":
    main()
