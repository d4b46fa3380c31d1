"""A real ingest in a child process, for the kill -9 and two-writers tests.

    python -m tests.ingest_worker HOME COLLECTION INPUT... [--delay S] [--batch N]

Opens ``Collection`` with the HashEmbedder (slowed by ``--delay`` seconds per embedding call so a
test can kill it mid-run) and small pipeline batches, then ingests. Prints one line per item
(``item <status>``) as the pipeline reports it and ``done <summary json>`` at the end; a
``RagError`` (e.g. the store is busy) is printed as ``error <message>`` with exit code 3.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from rag.errors import RagError
from index.collection import Collection
from index.pipeline import Indexer
from rag.settings import Settings
from tests.fakes import HashEmbedder


class SlowHashEmbedder(HashEmbedder):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def __call__(self, texts):
        time.sleep(self.delay)
        return super().__call__(texts)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("home")
    ap.add_argument("collection")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--chunk-tokens", type=int, default=40)
    args = ap.parse_args()
    Indexer.batch_chunks = Indexer.first_batch_chunks = args.batch
    settings = Settings(home=args.home, collection=args.collection, chunk_tokens=args.chunk_tokens)
    try:
        coll = Collection.open(settings, embedder=SlowHashEmbedder(args.delay))
        report = coll.ingest(args.inputs, progress=lambda r: print("item", r.status, flush=True))
    except RagError as exc:
        print("error", exc, flush=True)
        return 3
    print("done", json.dumps(report.summary()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
