"""CLI start benchmark: wall clock of `rag ask` and `rag list` from a fresh process, beside `python -c pass`.

    .venv/bin/python -m benchmarks.cli_start [CORPUS] [--limit 500] [--runs 5] [--compare LABEL=DIR] [--agreement 300]

Every run is a new interpreter (what a user typing `rag ask ...` in a shell gets): imports, settings,
opening SQLite and Chroma, loading the embedding model, one offline answer. Commands are run
round-robin (one unmeasured warm-up each, for the page cache), so load from other processes on the
machine spreads over all of them; the load average is recorded beside the figures. Rows:

- ``python -c pass``: the floor, interpreter start alone
- ``import rag.cli``: what every `rag` command pays before it parses its arguments
- ``rag list`` / ``rag ask --offline`` with the ONNX runtime (default) and with RAG_EMBED_RUNTIME=torch
- with ``--compare LABEL=DIR`` (repeatable): the same commands run from another checkout, e.g.
  ``git archive HEAD~1 | tar -x -C /tmp/before`` then ``--compare before=/tmp/before`` (the label
  ``before`` means code older than RAG_EMBED_RUNTIME: torch rows only)

The store is 500 evenly spread BBC articles (``--limit 0``: all 2,225) ingested once into
$RAG_BENCH_DIR/cli_start (default /tmp/rag-bench/cli_start, outside the repo) with the default
embedder. Besides the wall clock each row has the CPU time (user + sys) of the process: on a
shared machine the wall clock also counts waiting for a core, CPU time is close to an idle run. ``--agreement N`` also
embeds N real texts (BBC chunks as ingest embeds them, SQuAD questions) with both runtimes and
reports per-text cosine (min, mean, share >= 0.99) and whether token counts match.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import DEFAULT_CORPUS, QUESTIONS, ROOT, corpus_files, table, write_json

DEFAULT_HOME = Path(os.environ.get("RAG_BENCH_DIR", "/tmp/rag-bench")) / "cli_start"
SQUAD = ROOT.parent / "shared" / "corpora" / "squad-v1.1-dev" / "dev-v1.1.json"
TARGET_S = 1.5
COLLECTION = "cli_start"


def build_store(corpus: Path, home: Path, limit: int | None) -> dict[str, int]:
    """The BBC collection in ``home`` built with the default (ONNX) embedder; ingested on first use."""
    from index.collection import Collection
    from rag.settings import Settings

    files = corpus_files(corpus.resolve(), limit)
    with Collection.open(Settings(home=home, collection=COLLECTION)) as coll:
        if coll.db.counts()["sources"] < len(files):
            print(f"building the store in {home} ({len(files)} articles, {coll.embedder.name}) ...", flush=True)
            t = time.perf_counter()
            rep = coll.ingest([str(p) for p in files])
            print(f"  {rep.summary()} in {time.perf_counter() - t:.0f}s", flush=True)
        return coll.stats()


def commands(code: Path, label: str) -> list[tuple[str, str, list[str], dict[str, str], Path]]:
    """(command, runtime, argv, extra env, cwd) rows for one checkout."""
    py = sys.executable
    ask = [py, "-m", "rag.cli", "ask", "--offline"]
    lst = [py, "-m", "rag.cli", "list", "--limit", "20"]
    rows = []
    for runtime in ("onnx", "torch"):
        env = {"RAG_EMBED_RUNTIME": runtime}
        rows.append(("rag list", runtime, lst, env, code))
        rows.append(("rag ask --offline", runtime, ask, env, code))
    if label == "before":  # code older than RAG_EMBED_RUNTIME: one runtime, torch
        rows = [(c, "torch", argv, {}, code) for c, rt, argv, _, _ in rows if rt == "torch"]
    return rows


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_once(
    argv: list[str], env: dict[str, str], cwd: Path, question: str, importtime: bool = False
) -> tuple[float, float, str]:
    """(wall s, CPU s, stderr) of one fresh process. CPU time (user + sys) is what the run would
    take on an idle machine, near enough: on a shared machine the wall clock also counts waiting."""
    argv = argv + [question] if argv[-1] == "--offline" else argv
    if importtime:
        argv = [argv[0], "-X", "importtime", *argv[1:]]
    cpu = _children_cpu()
    t = time.perf_counter()
    out = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return wall, _children_cpu() - cpu, out.stderr


def top_imports(stderr: str, n: int = 6) -> list[tuple[str, float]]:
    """The slowest top-level imports in ``-X importtime`` output: (module, cumulative ms)."""
    rows = []
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(2)) == 1:
            rows.append((m.group(3), round(int(m.group(1)) / 1000, 1)))
    return sorted(rows, key=lambda r: -r[1])[:n]


def agreement(n: int) -> dict[str, object]:
    """Per-text cosine between the torch and the ONNX build over real texts."""
    from index.chunk import chunk_article, embed_text
    from index.embed import TorchEmbedder
    from index.embed_onnx import OnnxEmbedder
    from index.load import iter_articles
    from rag.settings import Settings

    s = Settings()
    chunks: list[str] = []
    for path in corpus_files(DEFAULT_CORPUS, max(1, n // 4)):
        for art in iter_articles([str(path)], s):
            chunks += [embed_text(art.title, c.text)
                       for c in chunk_article(art, max_tokens=s.chunk_tokens, overlap=s.chunk_overlap)[:3]]
    chunks = chunks[: n // 2]
    data = json.loads(SQUAD.read_text(encoding="utf-8"))["data"] if SQUAD.is_file() else []
    qs = [qa["question"] for art in data for p in art["paragraphs"] for qa in p["qas"]]
    qs = qs[:: max(1, len(qs) // (n - len(chunks)))][: n - len(chunks)] if qs else []
    torch_emb, onnx_emb = TorchEmbedder(), OnnxEmbedder()
    out: dict[str, object] = {}
    for name, texts in (("bbc_chunks", chunks), ("squad_questions", qs)):
        if not texts:
            continue
        cos = (torch_emb(texts) * onnx_emb(texts)).sum(axis=1)
        out[name] = {"texts": len(texts), "min": round(float(cos.min()), 5), "mean": round(float(cos.mean()), 5),
                     "share_ge_0.99": round(float((cos >= 0.99).mean()), 4),
                     "token_counts_equal": torch_emb.count_tokens(texts) == onnx_emb.count_tokens(texts)}
    out["fingerprint_cosine"] = round(float(torch_emb.fingerprint() @ onnx_emb.fingerprint()), 5)
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=500, help="articles in the store (evenly spread; 0 = all)")
    ap.add_argument("--home", type=Path, default=DEFAULT_HOME, help="where the store is kept (reused)")
    ap.add_argument("--runs", type=int, default=5, help="measured runs per command (median reported)")
    ap.add_argument("--compare", action="append", default=[], metavar="LABEL=DIR",
                    help="also measure the checkout in DIR under LABEL (repeatable; 'before' = torch only)")
    ap.add_argument("--no-torch", action="store_true", help="skip the RAG_EMBED_RUNTIME=torch rows")
    ap.add_argument("--agreement", type=int, default=0, help="also measure torch/ONNX agreement on N texts")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (default benchmarks/results/cli_start.json)")
    args = ap.parse_args(argv)

    store = build_store(args.corpus, args.home, args.limit or None)
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("RAG_", "OPENAI_"))}  # offline answers, the default embedder
    base_env |= {"RAG_HOME": str(args.home), "RAG_COLLECTION": COLLECTION}  # .pyc written by the warm-up, as for a user
    py = sys.executable
    rows = [("python -c pass", "-", "now", [py, "-c", "pass"], {}, ROOT),
            ("import rag.cli", "-", "now", [py, "-c", "import rag.cli"], {}, ROOT)]
    rows += [(c, rt, "now", a, e, cwd) for c, rt, a, e, cwd in commands(ROOT, "now")
             if not (args.no_torch and rt == "torch")]
    for spec in args.compare:
        label, _, folder = spec.rpartition("=")
        label = label or "before"
        if not any((Path(folder) / "rag" / c).is_file() for c in ("cli.py", "cli/__init__.py")):
            raise SystemExit(f"--compare {spec}: {folder} is not a checkout of this project (no rag/cli)")
        rows += [(c, rt, label, a, e, cwd) for c, rt, a, e, cwd in commands(Path(folder).resolve(), label)
                 if not (args.no_torch and rt == "torch" and label != "before")]

    times: list[list[float]] = [[] for _ in rows]
    cpus: list[list[float]] = [[] for _ in rows]
    imports: list[list[tuple[str, float]]] = []
    load_before = os.getloadavg()
    for i, (_, _, _, a, e, cwd) in enumerate(rows):  # warm-up (page cache, .pyc), and where the time goes
        _, _, err = run_once(a, base_env | e | {"PYTHONPATH": str(cwd)}, cwd, QUESTIONS[i % len(QUESTIONS)],
                          importtime=True)
        imports.append(top_imports(err))
    for r in range(args.runs):
        for i, (_, _, _, a, e, cwd) in enumerate(rows):
            wall, cpu, _ = run_once(a, base_env | e | {"PYTHONPATH": str(cwd)}, cwd,
                                    QUESTIONS[(r + i) % len(QUESTIONS)])
            times[i].append(wall)
            cpus[i].append(cpu)
    load_after = os.getloadavg()

    results: dict[str, object] = {
        "benchmark": "cli_start",
        "machine": {"python": sys.version.split()[0], "cpus": os.cpu_count(),
                    "loadavg_1m_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
                    "date": time.strftime("%Y-%m-%d %H:%M")},
        "store": store,
        "runs": args.runs,
        "target_s": TARGET_S,
        "rows": [],
    }
    table_rows = []
    for (cmd, rt, code, _, _, _), ts, cs, imp in zip(rows, times, cpus, imports, strict=True):
        med, cpu = statistics.median(ts), statistics.median(cs)
        results["rows"].append({"command": cmd, "runtime": rt, "code": code, "median_s": round(med, 3),
                                "min_s": round(min(ts), 3), "max_s": round(max(ts), 3),
                                "median_cpu_s": round(cpu, 3), "runs_s": [round(t, 3) for t in ts],
                                "slowest_imports_ms": imp})
        ok = "" if cmd.startswith(("python", "import")) else ("yes" if med <= TARGET_S else "NO")
        table_rows.append([cmd, rt, code, round(med, 2), round(min(ts), 2), round(max(ts), 2), round(cpu, 2), ok,
                           ", ".join(f"{m} {ms:.0f}" for m, ms in imp[:3])])
    print(table(f"fresh-process wall clock, median of {args.runs} ({store.get('articles')} articles, "
                f"{store.get('chunks')} chunks; load avg {load_before[0]:.1f} -> {load_after[0]:.1f})",
                ["command", "runtime", "code", "median s", "min s", "max s", "CPU s", f"<= {TARGET_S}s",
                 "slowest imports (ms, -X importtime)"], table_rows))
    if args.agreement:
        agree = agreement(args.agreement)
        results["agreement"] = agree
        print(table("torch vs ONNX (int8) vectors, per-text cosine", ["texts", "n", "min", "mean", ">= 0.99", "counts equal"],
                    [[k, v["texts"], f"{v['min']:.4f}", f"{v['mean']:.4f}", f"{v['share_ge_0.99']:.0%}",
                      v["token_counts_equal"]]
                     for k, v in agree.items() if isinstance(v, dict)]))
        print(f"fingerprint cosine: {agree['fingerprint_cosine']}")
    write_json("cli_start", results, args.out)
    return results


if __name__ == "__main__":
    main()
