"""Answer with a GGUF model running in this process through ``llama-cpp-python`` (``RAG_ANSWERER=local``).

The same seam as :class:`rag.llm.LLMAnswerer` (``stream``/``answer``/``rewrite``, text deltas then a
``Draft``), the same prompt builder, token budget, streaming and ``[n]`` parsing
(:class:`rag.prompt.ReplyReader`), so the citation checks downstream do not know which ran. The
differences are what a small CPU model needs:

- only the top ``RAG_LOCAL_TOP_K`` passages (3) go into the prompt: prompt processing runs at
  13-33 tokens/s on two cores, so every passage costs seconds before the first token;
- the prompt ends each question with a reminder to cite ``[n]`` (without it the 1.5B model
  marked 4 of 12 answers, with it 12 of 12) and carries a worked example turn; both sit in a
  fixed prefix that llama.cpp evaluates once and reuses for every later question;
- the model loads once per process, lazily, and generation is serialised by a lock (a llama.cpp
  context is not re-entrant); stopping iteration of ``stream`` stops generation at the next token,
  and a stop requested through :mod:`rag.cancel` (the chat's Stop) also stops the model while it
  reads its prompt, between two steps of llama.cpp's computation (its abort callback): without it
  the stopped answer held the model, and the next question waited, until its first word.

The model is ``RAG_LLM_GGUF`` when set, else the bundled, hash-verified Qwen2.5-Coder-1.5B-Instruct
(see :mod:`rag.models`).

>>> from rag.settings import Settings
>>> LocalAnswerer(Settings(answerer="local")).name   # doctest: +SKIP
'local:qwen2.5-coder-1.5b-instruct-q4_k_m'
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.cancel import requested
from rag.errors import ConfigError, LLMError
from rag.followup import rewrite_query
from rag.llm import final_draft
from rag.models import BUNDLED_LLM, INSTALL_HINT, llama_cpp_available, resolve_gguf
from rag.prompt import REFUSAL, ReplyReader, build_messages, count_tokens, fit_with_notice
from rag.types import Draft, Passage

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)

_PROMPT_MARGIN = 48  # tokens: chat-template tags, and tiktoken vs the model's tokenizer differences


def default_threads() -> int:
    """CPUs this process may run on (the affinity mask, which containers set), else ``os.cpu_count()``."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _import_llama_cpp() -> Any:
    # llama.cpp's CPU backend uses OpenMP; libgomp's default is to spin-wait ("ACTIVE") between
    # parallel regions. With the cores shared (the embedder, the UI, other processes), spinning
    # threads starve each other: 2 threads under contention fell below 1 token/s. PASSIVE makes
    # them sleep. libgomp reads this once, when llama_cpp's shared libraries load, so it must be
    # set before the first import; a value the user set is left alone.
    if "llama_cpp" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp
    except ImportError as exc:
        raise ConfigError(
            f"RAG_ANSWERER=local needs llama-cpp-python, which is not installed ({exc}): "
            f"run `{INSTALL_HINT}`, or set RAG_ANSWERER=extractive"
        ) from exc
    return llama_cpp


class LocalAnswerer:
    """Answer from numbered passages with an in-process llama.cpp model, citing ``[n]``.

    ``llama`` may be given (an object with ``create_chat_completion``, e.g. an already loaded
    ``llama_cpp.Llama``); by default the model is found, verified and loaded on first use.
    ``one_shot=False`` / ``cite_reminder=False`` drop the worked example turn / the citation
    reminder after the question (only to measure what each is worth: benchmarks/answerers.py).
    """

    def __init__(
        self, settings: Settings, *, llama: Any | None = None, one_shot: bool = True, cite_reminder: bool = True
    ) -> None:
        if llama is None and not llama_cpp_available():
            raise ConfigError(
                f"RAG_ANSWERER=local needs llama-cpp-python and a model: run `{INSTALL_HINT}` "
                f"(or set RAG_ANSWERER=extractive)"
            )
        self.settings = settings
        self.max_tokens = settings.llm_max_tokens
        self.threads = settings.llm_threads or default_threads()
        gguf = settings.llm_gguf
        self.name = f"local:{gguf.stem if gguf else Path(BUNDLED_LLM.filename).stem}"
        self.label = f"local ({gguf.name})" if gguf else BUNDLED_LLM.label
        self.one_shot = one_shot
        self.cite_reminder = cite_reminder
        self.model_path: Path | None = None
        self._llama = llama
        self._load_lock = threading.Lock()
        self._gen_lock = threading.Lock()
        self._stop: threading.Event | None = None  # the running generation's stop request (rag.cancel)
        self._abort_hooked: Any = None  # the model object the abort callback is installed on
        self._abort_callback: Any = None  # kept referenced: llama.cpp calls it from its threads

    # --- public API ---------------------------------------------------------------------

    def answer(
        self, question: str, passages: Sequence[Passage], *, history: Sequence[tuple[str, str]] = ()
    ) -> Draft:
        """One complete answer (the stream, collected)."""
        return final_draft(self.stream(question, passages, history=history))

    def stream(
        self, question: str, passages: Sequence[Passage], *, history: Sequence[tuple[str, str]] = (),
        as_of: date | None = None,
    ) -> Iterator[str | Draft]:
        """Yield text deltas as the model writes them, then one final ``Draft`` (``as_of``: the
        reference date the prompt states).

        Closing the iterator early (a cancel button, a dropped client) stops generation at the
        next token and frees the model for the next question.
        """
        passages = list(passages)[: self.settings.local_top_k]
        budget, why = self._passage_budget(question, history)
        fitted, notices = fit_with_notice(passages, budget, why, source_host=True)
        if not fitted:
            yield REFUSAL
            yield Draft(text=REFUSAL, refused=True, notices=notices)
            return
        messages = self._messages(question, fitted, history, as_of)
        reader = ReplyReader({p.n for p in fitted})
        started = time.perf_counter()
        first: float | None = None
        stats: dict[str, int] = {}
        finish: str | None = None
        stop = requested()
        gen = self._generate(messages, self.max_tokens, stats)
        try:
            for piece, finish in gen:
                if piece and first is None:
                    first = time.perf_counter()
                out = reader.feed(piece)
                if out:
                    yield out
        finally:
            gen.close()  # on an early stop too: ends generation and releases the model at once
        if stop is not None and stop.is_set():  # stopped: no one reads on
            log.info("%s stopped after %.1f s", self.name, time.perf_counter() - started)
            return
        if reader.blank:  # a model that refuses says so; no word at all is a failure (the caller falls back)
            raise LLMError(
                f"the local model {self.name} returned an empty reply (finish_reason={finish}); raise "
                f"RAG_LLM_MAX_TOKENS (now {self.max_tokens}), use a chat (instruct) model as RAG_LLM_GGUF, "
                f"or set RAG_ANSWERER=extractive"
            )
        tail = reader.finish()
        if tail:
            yield tail
        completion = stats.get("completion_tokens", 0)
        log.info(
            "%s answered in %.1f s (first token after %.1f s, %d tokens, finish=%s)",
            self.name, time.perf_counter() - started, (first or time.perf_counter()) - started, completion, finish,
        )
        prompt = stats.get("prompt_tokens", 0)
        yield reader.draft(
            messages=messages,
            usage={"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
            notices=notices,
            finish_reason=finish,
        )

    def rewrite(self, history: Sequence[tuple[str, str]], follow_up: str) -> str:
        """``follow_up`` as a standalone search query: the offline rewrite (``rag.followup``), not the model.

        Measured on ten follow-ups of the offline rewriter's tests with the bundled Qwen2.5-Coder-1.5B
        (1-5 s a call here): the model dropped what the follow-up asked ("And who is the new team
        president?" became "Rob Walton, Carrie Walton Penner, Greg Penner, Denver Broncos, sale approval,
        Tuesday", names from the answers and no "president": new user 21's chat missed the new president),
        pulled the last topic into a new one ("What about the Mega Millions?": "Denver Broncos Mega
        Millions") and took the new CEO for the old one ("What was the old CEO paid?": "Bob Iger CEO
        salary"); the offline rewrite kept each of the ten on its subject, at no model call."""
        return rewrite_query(follow_up, history) if history else follow_up

    # --- the model ------------------------------------------------------------------------

    def _messages(
        self, question: str, passages: Sequence[Passage], history: Sequence[tuple[str, str]],
        as_of: date | None = None,
    ) -> tuple[dict[str, str], ...]:
        return build_messages(question, passages, history=history, one_shot=self.one_shot,
                              cite_reminder=self.cite_reminder, source_host=True, as_of=as_of)

    def _passage_budget(self, question: str, history: Sequence[tuple[str, str]]) -> tuple[int, str]:
        """Tokens left for passages: RAG_CONTEXT_TOKENS, or less if the context window is smaller."""
        fixed = self._messages(question, [], history)
        overhead = sum(count_tokens(m["content"]) + 4 for m in fixed) + _PROMPT_MARGIN
        room = self.settings.llm_ctx - self.max_tokens - overhead
        if room < self.settings.context_tokens:
            return max(room, 0), f"RAG_LLM_CTX={self.settings.llm_ctx} (minus RAG_LLM_MAX_TOKENS={self.max_tokens})"
        return self.settings.context_tokens, f"RAG_CONTEXT_TOKENS={self.settings.context_tokens}"

    def _generate(
        self, messages: Sequence[dict[str, str]], max_tokens: int, stats: dict[str, int] | None = None
    ) -> Iterator[tuple[str, str | None]]:
        """``(delta, finish_reason so far)`` from the model, holding the generation lock throughout.

        ``stats`` receives ``prompt_tokens`` and ``completion_tokens`` (llama.cpp's own counts:
        tokens evaluated in the context, and pieces streamed) when generation ends. A stop
        requested (:func:`rag.cancel.requested`) while it waits for the lock, or while llama.cpp
        computes, ends it without a word more.
        """
        stop = requested()
        llama = self._get_llama()
        self._hook_abort(llama)
        waited = time.perf_counter()
        while not self._gen_lock.acquire(timeout=0.25):
            if stop is not None and stop.is_set():
                return
        try:
            self._stop = stop
            if time.perf_counter() - waited > 0.5:
                log.info("waited %.1f s for the local model to finish another answer", time.perf_counter() - waited)
            try:
                chunks = llama.create_chat_completion(
                    messages=list(messages), temperature=0.0, max_tokens=max_tokens, stream=True
                )
            except ValueError as exc:  # a chat template that rejects the messages, a prompt too long
                raise _prompt_error(exc) from exc
            finish: str | None = None
            pieces = 0
            try:
                for chunk in _checked(chunks):
                    choice = chunk["choices"][0]
                    finish = choice.get("finish_reason") or finish
                    piece = choice.get("delta", {}).get("content") or ""
                    if piece:
                        pieces += 1
                    if piece or finish:
                        yield piece, finish
            except RuntimeError:  # llama_decode returned 2: aborted by the stop request (_aborting)
                if stop is None or not stop.is_set():
                    raise
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()  # stops llama.cpp at the next token when the caller stopped early
                if stats is not None:
                    stats["completion_tokens"] = pieces
                    stats["prompt_tokens"] = max(_evaluated_tokens(llama) - pieces, 0)
        finally:
            self._stop = None
            self._gen_lock.release()

    def _aborting(self, _data: Any = None) -> bool:
        """llama.cpp's abort callback: True once the running generation's stop was requested."""
        stop = self._stop
        return stop is not None and stop.is_set()

    def _hook_abort(self, llama: Any) -> None:
        """Have ``llama`` ask :meth:`_aborting` between the steps of its computation: a
        ``llama_cpp.Llama`` through ``llama_set_abort_callback`` (a decode it aborts raises
        RuntimeError; llama-cpp-python drops its half-evaluated tokens from the cache before the
        next prompt), another model object through its own ``set_abort_callback`` if it has one."""
        if self._abort_hooked is llama:
            return
        ctx = getattr(getattr(llama, "_ctx", None), "ctx", None)
        if ctx is not None:
            llama_cpp = _import_llama_cpp()
            self._abort_callback = llama_cpp.ggml_abort_callback(self._aborting)
            llama_cpp.llama_set_abort_callback(ctx, self._abort_callback, None)
        elif callable(hook := getattr(llama, "set_abort_callback", None)):
            hook(self._aborting)
        self._abort_hooked = llama

    def _get_llama(self) -> Any:
        with self._load_lock:
            if self._llama is None:
                self._llama = self._load()
            return self._llama

    def _load(self) -> Any:
        llama_cpp = _import_llama_cpp()
        path = resolve_gguf(self.settings)  # verifies the bundled model's hash (once per file change)
        self.model_path = path
        started = time.perf_counter()
        try:
            llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=self.settings.llm_ctx,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ConfigError(
                f"llama.cpp could not load {path} ({exc}): check that it is a GGUF model it supports"
            ) from exc
        log.info("loaded %s in %.1f s (%d threads, n_ctx=%d)", path.name, time.perf_counter() - started,
                 self.threads, self.settings.llm_ctx)
        return llama


def _checked(chunks: Any) -> Iterator[Any]:
    """The chunks, with llama-cpp-python's prompt-too-long ``ValueError`` (raised lazily, on the
    first chunk) turned into an error that says which setting to change."""
    it = iter(chunks)
    try:
        first = next(it)
    except StopIteration:
        return
    except ValueError as exc:
        raise _prompt_error(exc) from exc
    yield first
    yield from it


def _prompt_error(exc: ValueError) -> LLMError:
    return LLMError(f"the local model rejected the prompt ({exc}); lower RAG_CONTEXT_TOKENS or raise RAG_LLM_CTX")


def _evaluated_tokens(llama: Any) -> int:
    """Tokens now in llama.cpp's context (prompt + generated), 0 if the object does not say."""
    n = getattr(llama, "n_tokens", None)
    return int(n) if isinstance(n, int) else 0
