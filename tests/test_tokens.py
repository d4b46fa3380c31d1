"""index/tokens.py builds cl100k_base from llama-index-core's bundled file without touching
os.environ, and it is the same encoding tiktoken's own loader gives for that file."""

from __future__ import annotations

import os

import pytest
import tiktoken
from tiktoken_ext.openai_public import cl100k_base

from index import tokens

SAMPLES = [
    "",
    "hello world",
    "Rebels said on Sunday they had captured the town of Khansir, south of Aleppo.",
    "Numbers 1234567 and 3.14159, code `x += 1`\n\n\ttabs  and   spaces   ",
    "Ünïcödé: 東京都, Ελληνικά, emoji 🚋 and the Oslo tram [1][2].",
    "I'll say it's they're we've he'd DON'T",
]


def tiktokens_own() -> tiktoken.Encoding:
    """cl100k_base as tiktoken itself builds it, reading the bundled file as its cache (no network)."""
    path = tokens.bundled_file()
    assert path is not None, "llama-index-core's bundled cl100k_base file is missing"
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("TIKTOKEN_CACHE_DIR", str(path.parent))
        return tiktoken.Encoding(**cl100k_base())
    finally:
        mp.undo()


def test_same_encoding_as_tiktoken_builds() -> None:
    ours = tokens._from_file(tokens.bundled_file())  # type: ignore[arg-type]
    theirs = tiktokens_own()
    assert ours._pat_str == theirs._pat_str
    assert ours._special_tokens == theirs._special_tokens
    assert ours._mergeable_ranks == theirs._mergeable_ranks
    for text in SAMPLES:
        assert ours.encode(text) == theirs.encode(text), text
    assert ours.encode("<|endoftext|>", allowed_special="all") == [100257]


def test_get_encoding_leaves_the_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    tokens.get_encoding.cache_clear()
    before = dict(os.environ)
    try:
        enc = tokens.get_encoding()
    finally:
        tokens.get_encoding.cache_clear()
    assert dict(os.environ) == before
    assert enc.encode_ordinary("hello world") == [15339, 1917]
