"""The in-process llama.cpp answerer (RAG_ANSWERER=local) and the bundled model's join + hash check.

Logic tests use small fake parts and a scripted stand-in for ``llama_cpp.Llama`` (it streams
chunks shaped like llama-cpp-python's and records what it was asked); one integration test loads
the real bundled Qwen2.5-Coder-1.5B model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rag.errors import ConfigError, LLMError
from rag.followup import rewrite_query
from rag.settings import Settings
from rag import models
from rag.local_llm import LocalAnswerer
from rag.models import BundledModel, ensure_joined, is_verified, join_parts, verify
from rag.prompt import CITE_REMINDER, ONE_SHOT, build_messages
from rag.types import Draft
from tests.llm_fixtures import SAMPLE_PASSAGES, make_passage

INSTALL = 'pip install -e ".[local-llm]"'


@pytest.fixture(autouse=True)
def _no_user_gguf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAG_LLM_GGUF", raising=False)


# --- joining and the hash check ---------------------------------------------------------------


def _parts(tmp_path: Path, chunks: list[bytes]) -> tuple[list[Path], str]:
    paths = []
    for i, data in enumerate(chunks, start=1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(data)
        paths.append(p)
    return paths, hashlib.sha256(b"".join(chunks)).hexdigest()


def test_join_writes_the_parts_in_order_and_remembers_the_hash(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path, [b"GGUF-a" * 1000, b"b" * 333, b"c"])
    dest = join_parts(parts, tmp_path / "cache" / "m.gguf", digest)
    assert dest.read_bytes() == b"GGUF-a" * 1000 + b"b" * 333 + b"c"
    assert is_verified(dest, digest)
    assert [p.name for p in dest.parent.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_join_refuses_a_tampered_part_and_leaves_no_file(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path, [b"GGUF-a" * 1000, b"b" * 333])
    parts[1].write_bytes(b"b" * 332 + b"X")  # one byte changed after the hash was published
    dest = tmp_path / "cache" / "m.gguf"
    with pytest.raises(ConfigError, match="refusing.*SHA-256.*tampered") as err:
        join_parts(parts, dest, digest)
    assert INSTALL in str(err.value)
    assert list(dest.parent.iterdir()) == []  # neither the model nor a temp file


def test_a_joined_file_changed_later_is_hashed_again_and_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts, digest = _parts(tmp_path, [b"GGUF" + b"x" * 5000, b"y" * 100])
    dest = ensure_joined(parts, tmp_path / "cache" / "m.gguf", digest)
    calls: list[Path] = []
    real = models.sha256_file
    monkeypatch.setattr(models, "sha256_file", lambda p: calls.append(p) or real(p))
    ensure_joined(parts, dest, digest)
    assert calls == []  # verified once: an unchanged file is not read again
    data = bytearray(dest.read_bytes())
    data[10] ^= 0xFF
    dest.write_bytes(bytes(data))  # same size, new mtime
    with pytest.raises(ConfigError, match="refusing to load"):
        ensure_joined(parts, dest, digest)
    assert calls == [dest]
    assert not is_verified(dest, digest)


def test_stamp_of_another_hash_does_not_count(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path, [b"GGUF" + b"z" * 10])
    dest = join_parts(parts, tmp_path / "m.gguf", digest)
    other = "0" * 64
    assert not is_verified(dest, other)
    with pytest.raises(ConfigError, match="not the expected 0000"):
        verify(dest, other)


def test_missing_parts_are_named_with_the_install_command() -> None:
    model = BundledModel(label="x", filename="x.gguf", dists=("rag-test-no-such-part1", "rag-test-no-such-part2"),
                         version="0.2.0", sha256="0" * 64, size=1, license="Apache-2.0")
    with pytest.raises(ConfigError, match="rag-test-no-such-part1, rag-test-no-such-part2") as err:
        models.part_paths(model)
    assert INSTALL in str(err.value)


@pytest.mark.parametrize("content, match", [(None, "is not a file"), (b"PK\x03\x04zip", "not a GGUF file")])
def test_user_gguf_must_exist_and_be_gguf(tmp_path: Path, content: bytes | None, match: str) -> None:
    path = tmp_path / "mine.gguf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError, match=f"RAG_LLM_GGUF=.*{match}"):
        models.resolve_gguf(Settings(answerer="local", llm_gguf=path))


def test_user_gguf_is_used_as_is_without_hash_check(tmp_path: Path) -> None:
    path = tmp_path / "mine.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 20)
    assert models.resolve_gguf(Settings(answerer="local", llm_gguf=str(path))) == path


# --- without the extra ---------------------------------------------------------------------------


def test_without_llama_cpp_the_local_answerer_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes `import llama_cpp` fail, find_spec None
    with pytest.raises(ConfigError) as err:
        LocalAnswerer(Settings(answerer="local"))
    assert INSTALL in str(err.value)


def test_rag_answerer_local_without_llama_cpp_fails_naming_the_install_command(
    settings: Settings, fake_embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.collection import Collection
    from rag.api import RAG

    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    monkeypatch.setenv("RAG_ANSWERER", "local")
    s = Settings(home=settings.home, collection=settings.collection)
    assert s.answerer == "local"
    rag = RAG(s, collection=Collection.open(s, embedder=fake_embedder))
    with pytest.raises(ConfigError) as err:
        _ = rag.llm
    assert INSTALL in str(err.value)


# --- the answerer, with a scripted model ---------------------------------------------------------


class ScriptedLlama:
    """Streams ``reply`` token by token like ``llama_cpp.Llama.create_chat_completion(stream=True)``."""

    def __init__(self, reply: list[str], *, delay: float = 0.0) -> None:
        self.reply = reply
        self.delay = delay
        self.calls: list[dict[str, Any]] = []
        self.closed = 0
        self.produced = 0
        self.n_tokens = 0
        self._active = 0
        self.overlapped = False

    def create_chat_completion(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls.append(kwargs)
        return self._chunks()

    def _chunks(self) -> Iterator[dict[str, Any]]:
        self._active += 1
        self.overlapped |= self._active > 1
        try:
            yield {"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
            for piece in self.reply:
                time.sleep(self.delay)
                self.produced += 1
                yield {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.n_tokens = 300 + len(self.reply)
            yield {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        finally:
            self._active -= 1
            self.closed += 1


def _local(llama: ScriptedLlama, **overrides: Any) -> LocalAnswerer:
    return LocalAnswerer(Settings(answerer="local", **overrides), llama=llama)


def test_stream_yields_deltas_then_a_draft_with_normalised_markers() -> None:
    llama = ScriptedLlama(["The tram", " line was approved", " [1", ", 7]", " and costs 2 billion", " [2]", "."])
    items = list(_local(llama).stream("What was approved?", SAMPLE_PASSAGES))
    draft = items[-1]
    assert isinstance(draft, Draft)
    assert "".join(x for x in items if isinstance(x, str)) == draft.text
    assert draft.text == "The tram line was approved [1] and costs 2 billion [2]."
    assert draft.dropped_markers == (7,) and not draft.refused
    assert draft.usage == {"prompt_tokens": 300, "completion_tokens": 7, "total_tokens": 307}
    call = llama.calls[0]
    assert call["stream"] is True and call["temperature"] == 0.0 and call["max_tokens"] == 200
    example_q, example_a = call["messages"][1:3]  # the worked example comes first
    assert example_q["content"].startswith(ONE_SHOT[0]["content"]) and example_a == ONE_SHOT[1]
    assert example_q["content"].endswith(CITE_REMINDER) and call["messages"][-1]["content"].endswith(CITE_REMINDER)
    assert draft.messages == tuple(call["messages"])


def test_only_the_top_passages_go_into_the_prompt() -> None:
    passages = [make_passage(n, f"Fact number {n} about trams.") for n in range(1, 6)]
    llama = ScriptedLlama(["Fact [4]."])
    draft = _local(llama, local_top_k=3).answer("q?", passages)
    prompt = llama.calls[0]["messages"][-1]["content"]
    assert "[3] Article 3" in prompt and "[4]" not in prompt
    assert draft.dropped_markers == (4,)


def test_local_prompt_names_a_url_source_by_its_host_only() -> None:
    from dataclasses import replace

    url = "https://www.cnn.com/2022/10/31/tech/musk-twitter-verification/index.html"
    passage = replace(make_passage(1, "Twitter may charge for blue checks.", published="2022-10-31"), source=url)
    llama = ScriptedLlama(["Twitter [1]."])
    _local(llama).answer("Which platform?", [passage])
    prompt = llama.calls[0]["messages"][-1]["content"]
    assert "[1] Article 1 (2022-10-31, www.cnn.com)" in prompt and "/tech/" not in prompt
    assert url in build_messages("Which platform?", [passage])[-1]["content"]  # the OpenAI path: unchanged


def test_small_context_window_leaves_out_passages_with_a_notice() -> None:
    long = [make_passage(n, "word " * 400) for n in (1, 2, 3)]
    llama = ScriptedLlama(["Words [1]."])
    draft = _local(llama, llm_ctx=1024, llm_max_tokens=100).answer("q?", long)
    assert any("RAG_LLM_CTX=1024" in n for n in draft.notices)
    assert "[2]" not in llama.calls[0]["messages"][-1]["content"]


@pytest.mark.parametrize("reply", [[], ["  ", "\n\t"], ["[9]"]])
def test_a_blank_reply_is_a_failure_not_a_refusal(reply: list[str]) -> None:
    """The model refuses in words; no word at all is a failure, which ``RAG.ask`` answers offline."""
    with pytest.raises(LLMError, match=r"returned an empty reply \(finish_reason=stop\).*RAG_LLM_MAX_TOKENS"):
        list(_local(ScriptedLlama(reply)).stream("q?", SAMPLE_PASSAGES))


def test_a_refusal_in_words_is_a_refusal() -> None:
    draft = _local(ScriptedLlama(["I could not find this", " in the articles."])).answer("q?", SAMPLE_PASSAGES)
    assert draft.refused and draft.text == "I could not find this in the articles."


def test_closing_the_stream_stops_generation_and_frees_the_model() -> None:
    llama = ScriptedLlama([f" w{i}" for i in range(50)])
    answerer = _local(llama)
    stream = answerer.stream("q?", SAMPLE_PASSAGES)
    assert next(stream).strip() == "w0"
    stream.close()  # what the UI's cancel button / a dropped client does
    assert llama.closed == 1 and llama.produced < 5
    done = threading.Event()
    threading.Thread(target=lambda: (answerer.answer("again?", SAMPLE_PASSAGES), done.set()), daemon=True).start()
    assert done.wait(5), "the generation lock was not released by the cancelled stream"


def test_concurrent_questions_are_generated_one_at_a_time() -> None:
    llama = ScriptedLlama(["A", " [1]", "."], delay=0.01)
    answerer = _local(llama)
    results: list[Draft] = []
    ask = lambda: results.append(answerer.answer("q?", SAMPLE_PASSAGES))  # noqa: E731
    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == 4 and all(r.text == "A [1]." for r in results)
    assert not llama.overlapped


def test_prompt_too_long_for_the_model_is_an_llm_error() -> None:
    class TooLong(ScriptedLlama):
        def _chunks(self) -> Iterator[dict[str, Any]]:
            raise ValueError("Requested tokens (3000) exceed context window of 2048")
            yield {}

    with pytest.raises(LLMError, match="RAG_LLM_CTX"):
        _local(TooLong([])).answer("q?", SAMPLE_PASSAGES)


def test_rewrite_is_the_offline_rewrite_without_a_model_call() -> None:
    # changed: the local model rewrote follow-ups until the fifteenth session; it dropped what they asked
    # ("the new team president") and carried names from answers, so the offline rewrite is used (LocalAnswerer.rewrite)
    llama = ScriptedLlama(["Query:", " Oslo tram line cost"])
    answerer = _local(llama)
    assert answerer.rewrite((), "how much?") == "how much?" and not llama.calls
    history = (("Who bought the Denver Broncos?", "Rob Walton bought the Denver Broncos [1]."),
               ("When was the sale approved?", "On Tuesday [1]."))
    got = answerer.rewrite(history, "And who is the new team president?")
    assert got == rewrite_query("And who is the new team president?", history) and not llama.calls
    assert "president" in got and "Denver Broncos" in got and "Rob" not in got


def test_openai_path_prompt_is_unchanged_unless_one_shot_is_asked() -> None:
    plain = build_messages("q?", SAMPLE_PASSAGES)
    shot = build_messages("q?", SAMPLE_PASSAGES, one_shot=True)
    assert [m["role"] for m in plain] == ["system", "user"]
    assert [m["role"] for m in shot] == ["system", "user", "assistant", "user"]
    assert shot[-1] == plain[-1] and "[2]" in shot[2]["content"]


# --- rag models -------------------------------------------------------------------------------


def test_rag_models_lists_answerers_and_embedders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.cli import app

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:secret@127.0.0.1:9/v1")
    result = CliRunner().invoke(app, ["models", "--json"])
    assert result.exit_code == 0, result.output
    import json

    rows = {(r["kind"], r["name"], r["label"]): r for r in json.loads(result.output)}
    names = {(k, n) for k, n, _ in rows}
    assert {("answerer", "extractive"), ("answerer", "local"), ("answerer", "llm"), ("embedder", "local")} <= names
    local = next(r for (k, n, _), r in rows.items() if (k, n) == ("answerer", "local"))
    assert local["label"] == "local (Qwen2.5-Coder-1.5B)"
    if local["available"]:
        assert local["size_bytes"] == models.BUNDLED_LLM.size  # the parts, not joined yet in this cache
    assert "secret" not in result.output and "127.0.0.1:9" in result.output


# --- the real bundled model -------------------------------------------------------------------


def _real_model_missing() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed ({INSTALL})"
    try:
        models.part_paths()
    except ConfigError as exc:
        return f"the bundled model parts are not installed ({INSTALL}): {exc}"
    return None


@pytest.mark.slow
@pytest.mark.llm
@pytest.mark.integration
@pytest.mark.skipif(_real_model_missing() is not None, reason=str(_real_model_missing()))
def test_real_bundled_model_loads_verified_streams_and_cites() -> None:
    """Joins the parts into the user cache on first run (1.1 GB, ~40 s), then reuses the verified file."""
    answerer = LocalAnswerer(Settings(answerer="local", llm_max_tokens=48))
    passages = (
        make_passage(1, "Heavy rain flooded parts of Bergen on Tuesday, officials said.", title="Bergen floods"),
        make_passage(2, "The city of Oslo opened a new library called Deichman Bjorvika in June 2020.",
                     title="Oslo library"),
    )
    items = list(answerer.stream("Which city opened the Deichman Bjorvika library?", passages))
    draft = items[-1]
    assert isinstance(draft, Draft)
    deltas = [x for x in items if isinstance(x, str)]
    assert len(deltas) > 3  # streamed token by token, not in one piece
    assert "".join(deltas) == draft.text
    assert answerer.model_path is not None and is_verified(answerer.model_path, models.BUNDLED_LLM.sha256)
    assert os.path.getsize(answerer.model_path) == models.BUNDLED_LLM.size
    assert not draft.refused and "Oslo" in draft.text
    assert "[2]" in draft.text and draft.dropped_markers == ()
    assert draft.usage["prompt_tokens"] > 100 and draft.usage["completion_tokens"] > 3
