"""tiktoken, offline: llama-index-core ships the BPE files, so no download ever happens."""

from __future__ import annotations

import functools
import os
from pathlib import Path

ENCODING = "cl100k_base"


def _bundled_cache() -> Path | None:
    try:
        import llama_index.core as lic
    except ImportError:  # pragma: no cover - llama-index-core is a hard dependency
        return None
    path = Path(lic.__file__).parent / "_static" / "tiktoken_cache"
    return path if path.is_dir() else None


@functools.lru_cache(maxsize=4)
def get_encoding(name: str = ENCODING):  # noqa: ANN201 - tiktoken.Encoding
    """The tiktoken encoding, read from llama-index-core's bundled cache unless one is configured."""
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        cache = _bundled_cache()
        if cache is not None:
            os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    import tiktoken

    return tiktoken.get_encoding(name)
