"""tiktoken, offline: llama-index-core ships the cl100k_base BPE file, so no download ever happens.

The encoding is built straight from that file (``tiktoken.Encoding(...)``), not through
``tiktoken.get_encoding``, which looks for the file under a URL-derived name in a cache folder
named by ``TIKTOKEN_CACHE_DIR`` and downloads it when absent: pointing that variable at the bundled
folder meant mutating ``os.environ`` for the whole process.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path

from rag.errors import ConfigError

ENCODING = "cl100k_base"
# tiktoken names its cache files by the sha1 of the download URL; the sha256 is the one tiktoken checks.
_CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
_CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
# tiktoken_ext.openai_public.cl100k_base() holds this pattern only inside the function that also
# fetches the file; tests/test_tokens.py checks it (and the whole encoding) against tiktoken's own.
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


def bundled_file() -> Path | None:
    """llama-index-core's copy of the cl100k_base BPE file, if installed."""
    try:
        spec = importlib.util.find_spec("llama_index.core")
    except (ImportError, ValueError):
        return None
    name = hashlib.sha1(_CL100K_URL.encode()).hexdigest()
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "_static" / "tiktoken_cache" / name
        if path.is_file():
            return path
    return None


def _from_file(path: Path):  # noqa: ANN202 - tiktoken.Encoding
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    from tiktoken_ext.openai_public import ENDOFPROMPT, ENDOFTEXT, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX

    return tiktoken.Encoding(
        name=ENCODING,
        pat_str=CL100K_PATTERN,
        mergeable_ranks=load_tiktoken_bpe(str(path), expected_hash=_CL100K_SHA256),  # a local path: no fetch
        special_tokens={ENDOFTEXT: 100257, FIM_PREFIX: 100258, FIM_MIDDLE: 100259, FIM_SUFFIX: 100260,
                        ENDOFPROMPT: 100276},
    )


@functools.lru_cache(maxsize=1)
def get_encoding():  # noqa: ANN201 - tiktoken.Encoding
    """The cl100k_base encoding, from llama-index-core's bundled file unless TIKTOKEN_CACHE_DIR is set
    (then tiktoken's own loader reads that folder, as the user asked)."""
    import tiktoken

    path = None if os.environ.get("TIKTOKEN_CACHE_DIR") else bundled_file()
    try:
        return tiktoken.get_encoding(ENCODING) if path is None else _from_file(path)
    except Exception as exc:
        raise ConfigError(
            f"cannot load the tiktoken {ENCODING} encoding ({exc}); install llama-index-core "
            "(it bundles the file), or set TIKTOKEN_CACHE_DIR to a folder holding it"
        ) from exc


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in ``text`` (offline)."""
    return len(get_encoding().encode_ordinary(text))
