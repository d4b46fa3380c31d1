"""Shared helpers for the benchmarks: corpus discovery, RSS sampling, percentiles, tables, JSON.

The BBC corpus is licensed: benchmarks read it where it lies (or copy it to a temp dir outside the
repo when they must edit files); nothing of it is ever written under the repository.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc-news" / "bbc"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def corpus_files(corpus: Path, limit: int | None = None) -> list[Path]:
    """The article files of a BBC-style corpus (category folders of .txt), sorted; README skipped.

    ``limit`` takes an evenly spread sample, so every category is represented."""
    files = sorted(p for p in corpus.rglob("*.txt") if p.parent != corpus)
    if not files:
        raise SystemExit(f"no articles under {corpus}: pass the BBC corpus folder (bbc/ with category folders)")
    if limit and limit < len(files):
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def rss_mb() -> float:
    """Current resident set size of this process, MB (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_anon_mb() -> float:
    """Anonymous resident memory, MB: heap and native allocations, without mmap'd files (SQLite mmap)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def max_rss_mb() -> float:
    """Peak RSS of this process since it started, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RSSSampler:
    """Samples RSS every ``interval`` s in a thread: peak and baseline for one phase of a run."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.start_mb = 0.0
        self.peak_mb = 0.0
        self.start_anon_mb = 0.0
        self.peak_anon_mb = 0.0
        self._stop = threading.Event()
        self._t: threading.Thread | None = None

    def __enter__(self) -> Self:
        self.start_mb = self.peak_mb = rss_mb()
        self.start_anon_mb = self.peak_anon_mb = rss_anon_mb()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, rss_mb())
            self.peak_anon_mb = max(self.peak_anon_mb, rss_anon_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._t is not None
        self._t.join()
        self.peak_mb = max(self.peak_mb, rss_mb())

    @property
    def growth_mb(self) -> float:
        return self.peak_mb - self.start_mb


def pct(values: Sequence[float], p: float) -> float:
    """Percentile by linear interpolation (p in 0..100)."""
    if not values:
        return float("nan")
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain fixed-width table (also valid Markdown)."""
    cells = [[str(h) for h in header]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
    out = [f"\n{title}", line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def _fmt(c: object) -> str:
    if isinstance(c, float):
        return f"{c:.3f}" if abs(c) < 1 else f"{c:.2f}" if abs(c) < 10 else f"{c:,.1f}"
    return str(c)


def machine() -> dict[str, object]:
    import torch

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def write_json(name: str, data: dict, out: Path | None = None) -> Path:
    path = out or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=False, default=str) + "\n")
    print(f"\nwrote {path}")
    return path


class CountingEmbedder:
    """Wraps an embedder: counts the texts it embeds and the time spent inside it."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.dim, self.window = inner.name, inner.dim, inner.window
        self.texts = 0
        self.seconds = 0.0
        self._lock = threading.Lock()

    def __call__(self, texts):
        t = time.perf_counter()
        out = self.inner(texts)
        with self._lock:
            self.seconds += time.perf_counter() - t
            self.texts += len(texts)
        return out

    def count_tokens(self, texts):
        return self.inner.count_tokens(texts)


# --- a reusable BBC store built with the real model (query and growth benchmarks) ---------------

DEFAULT_STORE = Path(os.environ.get("RAG_BENCH_DIR", "/tmp/rag-bench")) / "bbc"

QUESTIONS = [
    "How much did Time Warner's quarterly profit rise?",
    "Which company did the government fine over its advertising?",
    "What did the chancellor say about the budget deficit?",
    "Who won the best actor award at the Oscars?",
    "How many people watched the final on television?",
    "Which band topped the UK singles chart?",
    "What did the Prime Minister promise on immigration?",
    "When will the general election be held?",
    "Why did the Conservatives criticise the ID card plans?",
    "Who scored the winning goal for Chelsea?",
    "How much did the club pay for the striker?",
    "Which tennis player won the Australian Open?",
    "What new mobile phone features were announced?",
    "How many broadband users are there in the UK?",
    "What did Microsoft say about security flaws in Windows?",
    "Which games console sold best over Christmas?",
    "How did the dollar move against the euro?",
    "Why did oil prices rise to a record high?",
    "What did the airline say about job cuts?",
    "Who was appointed as the new England rugby coach?",
    "How much did the film earn at the box office?",
    "What happened to the price of shares in the bank?",
    "When did the athletics championships take place?",
    "What are the risks of spam and phishing emails?",
]


def bbc_store(corpus: Path, home: Path = DEFAULT_STORE, *, limit: int | None = None):
    """The BBC collection in ``home`` built with the real model (ingested on first use: minutes)."""
    from index.embed import LocalEmbedder
    from index.collection import Collection
    from rag.settings import Settings

    files = corpus_files(corpus.resolve(), limit)
    model = LocalEmbedder()
    coll = Collection.open(Settings(home=home, collection="bbc"), embedder=model)
    have = coll.db.counts()["sources"]
    if have < len(files):
        print(f"building the BBC store in {home} with the real model ({len(files)} articles; takes minutes) ...",
              flush=True)
        t = time.perf_counter()
        rep = coll.ingest([str(p) for p in files])
        print(f"  {rep.summary()} in {time.perf_counter() - t:.0f}s", flush=True)
    return coll
