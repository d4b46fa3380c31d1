"""The real `rag` command in a child process, with the HashEmbedder instead of the model.

    python -m tests.rag_cli_hash ingest ~/news/      # same arguments as `rag`

For tests of what the CLI writes to a terminal (real stdout/stderr bytes of a real process) that
need no real embeddings: starting in a second instead of loading all-MiniLM-L6-v2 each time.
"""

from __future__ import annotations

import index.collection
from tests.fakes import HashEmbedder

index.collection.make_embedder = lambda _settings: HashEmbedder()  # type: ignore[assignment]

from rag.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
