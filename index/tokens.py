"""tiktoken, offline: llama-index-core ships the BPE file, so no download ever happens."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import threading
from pathlib import Path

from index.errors import ConfigError

ENCODING = "cl100k_base"
# tiktoken names its cache files by the sha1 of the download URL.
_CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
_env_lock = threading.Lock()


def _bundled_cache() -> Path | None:
    try:
        spec = importlib.util.find_spec("llama_index.core")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        cache = Path(location) / "_static" / "tiktoken_cache"
        if (cache / hashlib.sha1(_CL100K_URL.encode()).hexdigest()).is_file():
            return cache
    return None


@functools.lru_cache(maxsize=1)
def get_encoding():  # noqa: ANN201 - tiktoken.Encoding
    """The cl100k_base encoding, from llama-index-core's bundled file unless TIKTOKEN_CACHE_DIR is set."""
    import tiktoken

    cache = None if os.environ.get("TIKTOKEN_CACHE_DIR") else _bundled_cache()
    try:
        if cache is None:
            return tiktoken.get_encoding(ENCODING)
        # point tiktoken at the bundled file for this load only, not for the whole process
        with _env_lock:
            os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
            try:
                return tiktoken.get_encoding(ENCODING)
            finally:
                os.environ.pop("TIKTOKEN_CACHE_DIR", None)
    except Exception as exc:
        raise ConfigError(
            f"cannot load the tiktoken {ENCODING} encoding ({exc}); install llama-index-core "
            "(it bundles the file), or set TIKTOKEN_CACHE_DIR to a folder holding it"
        ) from exc


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in ``text`` (offline)."""
    return len(get_encoding().encode_ordinary(text))
