"""`rag models` and the cheap model-file checks: a bad RAG_LLM_GGUF is reported as not OK with the
reason `rag ask` would give; `--verify` re-hashes the bundled model whatever the saved record says;
the report reads at 80 columns. Small synthetic GGUF files stand in for real models."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rag.cli.output
from rag import models
from rag.cli import app
from rag.errors import ConfigError
from rag.models import check_user_gguf, is_verified, verify
from rag.settings import Settings


def _gguf(n_floats: int = 64) -> bytes:
    """A well-formed GGUF v3: one metadata key (general.alignment = 32) and one F32 tensor."""
    key = b"general.alignment"
    head = b"GGUF" + struct.pack("<IQQ", 3, 1, 1)
    head += struct.pack("<Q", len(key)) + key + struct.pack("<II", 4, 32)  # type 4: uint32
    name = b"w"
    head += struct.pack("<Q", len(name)) + name + struct.pack("<IQIQ", 1, n_floats, 0, 0)  # 1 dim, F32, offset 0
    head += b"\0" * (-len(head) % 32)
    return head + b"\1" * (4 * n_floats)


@pytest.fixture
def no_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(key, raising=False)


# --- the cheap checks of the user's GGUF (shared by `rag ask` and `rag models`) --------------------


def test_a_whole_gguf_passes_and_the_real_one_too(tmp_path: Path) -> None:
    path = tmp_path / "ok.gguf"
    path.write_bytes(_gguf())
    check_user_gguf(path)
    assert models.resolve_gguf(Settings(answerer="local", llm_gguf=path)) == path


@pytest.mark.parametrize(("cut", "match"), [(20, "truncated: the file ends inside its header"),
                                            (-8, "truncated: its header describes 352 bytes but the file has 344")])
def test_a_truncated_gguf_is_refused_before_llama_cpp(tmp_path: Path, cut: int, match: str) -> None:
    path = tmp_path / "cut.gguf"
    path.write_bytes(_gguf()[:cut])
    with pytest.raises(ConfigError, match=f"RAG_LLM_GGUF=.*{match}"):
        models.resolve_gguf(Settings(answerer="local", llm_gguf=path))


def test_a_header_this_check_does_not_know_is_left_to_llama_cpp(tmp_path: Path) -> None:
    path = tmp_path / "new.gguf"
    data = bytearray(_gguf())
    tensor_type_at = data.index(b"w") + 1 + 4 + 8  # after the name, n_dims and the one dim
    data[tensor_type_at:tensor_type_at + 4] = struct.pack("<I", 999)  # a tensor type from the future
    path.write_bytes(bytes(data[:-8]))
    check_user_gguf(path)  # no verdict: llama.cpp decides


# --- `rag models` with RAG_LLM_GGUF ------------------------------------------------------------------


@pytest.mark.parametrize(("content", "reason"), [
    (b"garbage\n", "is not a GGUF file (it does not start with 'GGUF')"),
    (_gguf()[:-100], "is truncated"),
    (None, "is not a file"),
])
def test_rag_models_reports_a_bad_user_gguf_as_not_ok_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_openai: None, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "m-bad.gguf"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv("RAG_ANSWERER", "local")
    monkeypatch.setenv("RAG_LLM_GGUF", str(path))
    result = CliRunner().invoke(app, ["models", "--json"])
    assert result.exit_code == 0, result.output
    local = next(r for r in json.loads(result.stdout) if (r["kind"], r["name"]) == ("answerer", "local"))
    assert local["available"] is False and local["active"] is True
    assert reason in local["note"] and f"RAG_LLM_GGUF={path}" in local["note"]
    text = CliRunner().invoke(app, ["models"])
    block = " ".join(text.output.split("local (m-bad.gguf)")[1].split("\n\n")[0].split())
    assert "ok: no" in block and reason.split("(")[0].strip() in block, text.output


def test_rag_models_says_yes_for_a_whole_user_gguf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  no_openai: None) -> None:
    path = tmp_path / "mine.gguf"
    path.write_bytes(_gguf())
    monkeypatch.setenv("RAG_LLM_GGUF", str(path))
    result = CliRunner().invoke(app, ["models", "--json"])
    local = next(r for r in json.loads(result.stdout) if (r["kind"], r["name"]) == ("answerer", "local"))
    assert local["available"] is models.llama_cpp_available()
    assert local["size_bytes"] == len(_gguf()) and local["hash_status"] == "not checked (your own file)"


def test_rag_models_reads_at_80_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_openai: None) -> None:
    path = tmp_path / ("a-rather-long-directory-name-for-models" * 2) / "m-bad.gguf"
    path.parent.mkdir()
    path.write_bytes(b"garbage\n")
    monkeypatch.setenv("RAG_LLM_GGUF", str(path))
    monkeypatch.setenv("COLUMNS", "80")
    # at a terminal of 80 columns (to a file or a pipe each line is written whole: tests/test_cli_newuser3.py)
    monkeypatch.setattr(rag.cli.output.out, "_force_terminal", True)
    result = CliRunner().invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    # one block per model: a header line naming the model and whether it is OK, values at least 60 wide
    assert "answerer  extractive (no model file)   ok: yes" in result.output
    assert "answerer  local (m-bad.gguf)   ok: no" in result.output
    assert "embedder  openai (text-embedding-3-small)   ok: no" in result.output
    file_line = next(line for line in lines if line.lstrip().startswith("file  ") and str(tmp_path)[:20] in line)
    assert len(file_line.rstrip()) >= 70  # the path uses the width, not a one-character column


# --- `rag models --verify` re-hashes whatever the saved record says ---------------------------------------


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small fake "bundled model" in a private cache, with its hash recorded as verified."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = _gguf(4096)
    fake = replace(models.BUNDLED_LLM, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    monkeypatch.setattr(models, "BUNDLED_LLM", fake)
    dest = models.cache_dir() / fake.filename
    dest.parent.mkdir(parents=True)
    dest.write_bytes(data)
    verify(dest, fake.sha256)
    assert is_verified(dest, fake.sha256)
    return dest


def _tamper_keeping_size_and_mtime(path: Path) -> None:
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_forced_verify_catches_a_same_size_same_mtime_edit_that_the_record_misses(bundled: Path) -> None:
    digest = models.BUNDLED_LLM.sha256
    _tamper_keeping_size_and_mtime(bundled)
    assert is_verified(bundled, digest)  # the saved record alone cannot tell
    verify(bundled, digest)  # normal loading trusts the record (no 1.1 GB read per start)
    seen: list[tuple[int, int]] = []
    with pytest.raises(ConfigError, match="refusing to load.*not the expected"):
        verify(bundled, digest, force=True, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, bundled.stat().st_size) and seen[-1] == (bundled.stat().st_size,) * 2
    assert not is_verified(bundled, digest)  # the record no longer vouches for it
    with pytest.raises(ConfigError, match="refusing to load"):
        verify(bundled, digest)  # so normal loading refuses it too


def test_rag_models_verify_hashes_again_and_fails_on_a_tampered_file(
    bundled: Path, monkeypatch: pytest.MonkeyPatch, no_openai: None
) -> None:
    calls: list[Path] = []
    real = models.sha256_file
    monkeypatch.setattr(models, "sha256_file", lambda p, **kw: calls.append(p) or real(p, **kw))
    plain = CliRunner().invoke(app, ["models", "--json"])
    assert plain.exit_code == 0 and calls == []  # without --verify the record is enough
    good = CliRunner().invoke(app, ["models", "--verify", "--json"])
    assert good.exit_code == 0, good.output
    assert calls == [bundled]  # hashed although the record said verified
    local = next(r for r in json.loads(good.stdout) if (r["kind"], r["name"]) == ("answerer", "local"))
    assert local["hash_status"] == "verified"

    _tamper_keeping_size_and_mtime(bundled)
    bad = CliRunner().invoke(app, ["models", "--verify", "--json"])
    assert bad.exit_code == 1, bad.output
    local = next(r for r in json.loads(bad.stdout) if (r["kind"], r["name"]) == ("answerer", "local"))
    assert local["available"] is False and local["hash_status"].startswith("MISMATCH")
    assert "not the expected" in local["note"]
    after = CliRunner().invoke(app, ["models", "--json"])  # the record was dropped: no longer "verified"
    local = next(r for r in json.loads(after.stdout) if (r["kind"], r["name"]) == ("answerer", "local"))
    assert local["hash_status"] != "verified"


def test_rag_models_verify_says_when_there_is_nothing_to_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_openai: None
) -> None:
    path = tmp_path / "mine.gguf"
    path.write_bytes(_gguf())
    monkeypatch.setenv("RAG_LLM_GGUF", str(path))
    result = CliRunner().invoke(app, ["models", "--verify"])
    assert result.exit_code == 0
    assert "--verify hashed nothing: RAG_LLM_GGUF is set" in " ".join(result.output.split())
