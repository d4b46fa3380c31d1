"""One settings object for the whole tool: every knob, its default, and its env var (prefix ``RAG_``).

>>> s = Settings(home="/tmp/rag-demo", top_k=3)
>>> s.top_k, s.chroma_path.name
(3, 'chroma')

A bad value given in code is an ``InputError`` naming the setting and the fix (a bad environment
variable: ``load_settings`` says which, as a ``ConfigError``):

>>> Settings(top_k=0)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
rag.errors.InputError: top_k: got 0, which should be greater than or equal to 1; give top_k a value that is ...

So is a keyword that names no setting, which would otherwise change nothing without a word:

>>> Settings(topk=3)
Traceback (most recent call last):
...
rag.errors.InputError: topk: no such setting; did you mean top_k?

A ``RAG_*`` environment variable that names no setting is ignored (other tools may have their own);
one that looks like a misspelt setting (``RAG_TOPK``) is logged once, as a warning naming the
setting it resembles.

Secrets (``OPENAI_API_KEY``) are never fields: they are read from the environment at the
moment a client is built, so they cannot end up in a repr, a log line or a saved config.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo, PydanticUndefined
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError, InputError

log = logging.getLogger(__name__)


def _default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "rag"


class Settings(BaseSettings):
    # extra="forbid": a keyword that names no setting (Settings(topk=3)) was accepted and ignored, so a
    # typo silently changed nothing; the environment is not affected (pydantic-settings reads only the
    # fields' own variables; unknown RAG_* ones are checked by ``warn_unknown_env``)
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid", frozen=True)

    # --- storage -------------------------------------------------------------------------
    home: Path = Field(default_factory=_default_home, description="data directory (RAG_HOME)")
    chroma_url: str | None = Field(None, description="Chroma server, e.g. http://127.0.0.1:8000; unset = embedded")
    # Chroma's own HTTP client waits without a time limit: a server that hangs (accepts the connection,
    # never answers) blocked `rag ask` and `rag ingest` for good; past this, a request is a StoreError
    chroma_timeout: float = Field(30.0, gt=0, description="seconds a Chroma server may take to answer one "
                                                          "request (RAG_CHROMA_URL only)")
    collection: str = Field("articles", min_length=3, max_length=60,
                            description="collection name: the Chroma collection, and (for a name other than "
                                        "'articles') its own article database in RAG_HOME (see ``db_path``)")

    # --- embedding -----------------------------------------------------------------------
    embedder: Literal["local", "openai"] = "local"
    embed_model: str = Field("text-embedding-3-small", description="model name for RAG_EMBEDDER=openai")
    embed_batch: int = Field(64, ge=1, le=2048)
    embed_runtime: Literal["onnx", "torch"] = Field(
        "onnx", description="runtime of the local model: onnx (starts at once) or torch (sentence-transformers)"
    )

    # --- chunking: sized for all-MiniLM-L6-v2's 256 word-piece window ---------------------
    chunk_tokens: int = Field(180, ge=32, le=2000, description="target chunk size in tiktoken tokens")
    chunk_overlap: int = Field(1, ge=0, le=5, description="sentences repeated between neighbouring chunks")

    # --- retrieval -----------------------------------------------------------------------
    top_k: int = Field(5, ge=1, le=50)
    candidates: int = Field(40, ge=5, le=500, description="per-retriever candidates before fusion")
    per_article: int = Field(3, ge=1, le=50, description="max passages from one article")
    per_story: int = Field(3, ge=1, le=50, description="max passages from one story (near-copies of one "
                                                         "wire story from several outlets, index/stories.py)")

    # --- answering -----------------------------------------------------------------------
    answerer: Literal["auto", "extractive", "llm", "local"] = Field(
        "auto",
        description="auto = LLM when OPENAI_API_KEY or OPENAI_BASE_URL is set, else extractive; "
        "local = a GGUF model in-process through llama-cpp-python",
    )
    llm_model: str = "gpt-4o-mini"
    # Every OpenAI-compatible client (answers, RAG_EMBEDDER=openai, rag eval --judge) is built by
    # rag/openai_client.py with these two: the openai SDK retries timeouts, dropped connections,
    # 408/409/429 and 5xx itself (jittered backoff, honouring Retry-After), llm_retries times.
    llm_timeout: float = Field(60.0, gt=0, description="seconds per request to an OpenAI-compatible endpoint")
    llm_retries: int = Field(
        2, ge=0, le=10, description="retries of a failed request (the openai SDK's max_retries); an answer "
        "that gave no text (a stream that broke off before its first token, a blank reply) is also asked again "
        "up to this many times")
    # --- local answerer (RAG_ANSWERER=local): defaults sized for a small CPU ------------------
    llm_gguf: Path | None = Field(None, description="a GGUF file to use instead of the bundled model (RAG_LLM_GGUF)")
    llm_threads: int | None = Field(None, ge=1, le=256, description="llama.cpp threads; unset = os.cpu_count()")
    llm_ctx: int = Field(2048, ge=512, le=131072, description="llama.cpp context size in tokens (prompt + answer)")
    llm_max_tokens: int = Field(200, ge=16, le=4096, description="most tokens the local model may write per answer")
    local_top_k: int = Field(3, ge=1, le=20, description="passages given to the local model (prompt time grows with each)")
    context_tokens: int = Field(1000, ge=100, description="token budget for passages in the LLM prompt")
    llm_fallback: Literal["extractive", "refuse"] = Field(
        "extractive", description="when verification removes every sentence an LLM wrote (and the model did "
        "not refuse): show the offline answer, with a notice, if that one is confident; or refuse")
    max_answer_sentences: int = Field(2, ge=1, le=10)
    refuse_below: float | None = Field(
        None, ge=0.0, le=1.0,
        description="offline answerer: refuse when P(answerable) is under this; unset = the fitted default (rag/fitted)")

    # --- ingestion limits ----------------------------------------------------------------
    max_file_mb: float = Field(20.0, gt=0)
    # a local dump (.json/.jsonl/.csv/.tsv) is many articles: RealTime QA's 3,359 are 24.6 MB, over the
    # 20 MB a file of one article may be, and a new user's first ingest was refused
    max_dump_mb: float = Field(1000.0, gt=0)
    fetch_timeout: float = Field(20.0, gt=0)
    fetch_max_redirects: int = Field(5, ge=0, le=20)
    # link-local (169.254.0.0/16, fe80::/10) and cloud metadata addresses stay refused even when on:
    # the setting is for a feed on 127.0.0.1 or an intranet, not a host's credentials (index.fetch.check_address)
    allow_private_urls: bool = Field(False, description=(
        "allow URLs on loopback/private addresses; link-local and cloud metadata addresses "
        "(169.254.0.0/16, fe80::/10) are never fetched"))
    feed_max_items: int = Field(500, ge=1, le=100_000,
                                description="articles read from one feed or sitemap (a URL sent to `rag serve` "
                                            "cannot make the server fetch more pages than this)")
    # a dump's all-numeric dates that read both ways (03/12/2022: 3 December in the UK, March 12 in the
    # US) follow the dump's own unambiguous ones (a 25/12/2022 in it makes it day-first); this decides
    # them when the dump shows no order (auto: month-first, with a warning naming the records)
    date_order: Literal["auto", "dmy", "mdy"] = Field(
        "auto", description="day/month order of a dump's ambiguous numeric dates when the dump does not show it")

    # --- UI ------------------------------------------------------------------------------
    ui_host: str = "127.0.0.1"
    ui_port: int = Field(7860, ge=1, le=65535)
    ui_auth: str | None = Field(None, description="'user:password' for basic auth", repr=False)

    # --- REST API (rag serve) and MCP over HTTP (rag mcp --http); the key is RAG_API_KEY ---------
    api_host: str = "127.0.0.1"
    api_port: int = Field(8080, ge=1, le=65535)

    if not TYPE_CHECKING:  # type checkers and IDEs keep the fields' own signature
        def __init__(self, **values: Any) -> None:
            """Validated as pydantic does; a bad value given here (``Settings(top_k=0)``) is an
            ``InputError`` naming it and the fix (``code_problem``), as a bad argument of ``rag.ask``
            is; so is a keyword that names no setting (``Settings(topk=3)``: the closest one named).
            Bad environment variables alone stay pydantic's ``ValidationError``, which
            ``load_settings`` words naming each variable."""
            warn_unknown_env(type(self))
            try:
                super().__init__(**values)
            except ValidationError as exc:
                if _RAW_ERRORS.get() or not any(_key(e) in values for e in exc.errors(include_url=False)):
                    raise
                raise code_problem(exc, type(self), values) from None

    def api_key(self) -> str | None:
        """``RAG_API_KEY``, read when a server starts: a secret, so never a field (no repr, no log)."""
        return os.environ.get("RAG_API_KEY") or None

    @field_validator("home", mode="before")
    @classmethod
    def _expand(cls, v: object) -> object:
        return Path(os.path.expanduser(str(v))) if v is not None else v

    @field_validator("home")
    @classmethod
    def _a_directory(cls, v: Path) -> Path:
        """A data directory, or one that can be made: a RAG_HOME that is a file (or under one) read as an
        empty collection, "the collection is empty" with exit 0 (new user 29), and failed an ingest with a
        traceback."""
        for part in (v, *v.parents):
            try:
                if part.is_dir():
                    return v
                if part.exists():
                    where = "is a file" if part == v else f"is under {part}, a file"
                    raise ValueError(f"{where}, not a directory: point RAG_HOME at a directory")
            except OSError:  # unreadable: the store's own open says what is wrong
                return v
        return v

    @field_validator("llm_gguf", mode="before")
    @classmethod
    def _expand_gguf(cls, v: object) -> object:
        return Path(os.path.expanduser(str(v))) if v not in (None, "") else None

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, v: str | None) -> str | None:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("RAG_CHROMA_URL must look like http://host:port")
        if v:
            u = urlparse(v)
            # Chroma's HttpClient takes a host and a port only: a path (a server behind a proxy
            # prefix) was silently dropped, and the client talked to whatever answered at the root
            extra = u.path.rstrip("/") or (f"?{u.query}" if u.query else f"#{u.fragment}" if u.fragment else "")
            if extra:
                raise ValueError(f"RAG_CHROMA_URL must be http://host:port without a path: Chroma's client "
                                 f"ignores {extra!r} and would talk to the server's root instead; give the address "
                                 "the server listens on (`chroma run --host HOST --port PORT`)")
            try:
                u.port  # noqa: B018 - raises for a port that is not a number
            except ValueError:
                raise ValueError("RAG_CHROMA_URL must look like http://host:port, with a numeric port") from None
            if not u.hostname:
                raise ValueError("RAG_CHROMA_URL must look like http://host:port: the host is missing")
        return v or None

    @field_validator("collection")
    @classmethod
    def _check_collection(cls, v: str) -> str:
        # Chroma's own rule for collection names; it also keeps the name usable in a file name
        # (articles-<name>.sqlite3)
        if not _COLLECTION_NAME.match(v) or ".." in v:
            raise ValueError("should be letters, digits, '.', '_' or '-', starting and ending with a letter or "
                             "digit (a Chroma collection name)")
        return v

    # derived paths ---------------------------------------------------------------------
    @property
    def chroma_path(self) -> Path:
        """The embedded Chroma directory: one per RAG_HOME, holding every collection of it."""
        return self.home / "chroma"

    @property
    def db_path(self) -> Path:
        """The article database of this collection (texts, sources, chunks, lexical index).

        ``articles.sqlite3`` for the default collection ``articles``; another name gets its own
        ``articles-<name>.sqlite3`` beside it, so ``RAG_COLLECTION`` separates sets of articles. A
        name that an earlier version used with the shared database keeps using it (nothing moves):
        the database records the names it is used with, and ``index.store.open_article_db``
        decides a name not seen yet, once, from what its Chroma collection holds. Until then (a
        command that opens no vector store, such as ``rag list``) the shared database is shown."""
        return self.home / (SHARED_DB if db_choice(self.home, self.collection) != "own"
                            else own_db_name(self.collection))

    @property
    def shared_db(self) -> bool:
        """Whether this collection uses the shared ``articles.sqlite3`` (see ``db_path``)."""
        return self.db_path.name == SHARED_DB

    @property
    def lock_path(self) -> Path:
        """One write lock per RAG_HOME, whatever the collection: the embedded Chroma directory is shared."""
        return self.home / "ingest.lock"

    @property
    def feedback_path(self) -> Path:
        """Answer feedback (the UI's ratings), one file per article database."""
        return self.home / ("feedback.jsonl" if self.shared_db else f"feedback-{self.collection}.jsonl")

    @property
    def watch_path(self) -> Path:
        """The watched feeds and the items seen (``index.watch``), one file per article database: an
        item stored in one collection is not stored in another."""
        return self.home / ("watch.sqlite3" if self.shared_db else f"watch-{self.collection}.sqlite3")

    def use_llm(self) -> bool:
        """Whether answers go through an LLM: explicit setting, else presence of OpenAI env vars."""
        if self.answerer == "auto":
            return bool(os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"))
        return self.answerer == "llm"


DEFAULT_COLLECTION = "articles"
SHARED_DB = "articles.sqlite3"  # the default collection's article database (every collection's, before)
_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$")

DbChoice = Literal["shared", "own", "undecided"]


def own_db_name(collection: str) -> str:
    """The file name of a collection's own article database."""
    return f"articles-{collection}.sqlite3"


def used_by_key(collection: str) -> str:
    """Meta key recording that an article database is used with ``collection``."""
    return f"used_by:{collection}"


def db_choice(home: Path, collection: str) -> DbChoice:
    """Which article database ``collection`` uses in ``home``, as far as the files tell:

    - ``shared`` (``articles.sqlite3``): the default name, or a name the shared database records;
    - ``own`` (``articles-<name>.sqlite3``): that file exists, or the shared one holds nothing to keep;
    - ``undecided``: the shared database holds chunks and has never been used with this name by this
      version; an older one may have (every name shared it), and only the vector store can tell:
      ``index.store.open_article_db`` asks it and records the answer."""
    if collection == DEFAULT_COLLECTION:
        return "shared"
    if (home / own_db_name(collection)).exists():
        return "own"
    shared = home / SHARED_DB
    if not shared.exists():
        return "own"
    try:
        con = sqlite3.connect(shared.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return "undecided"
    try:
        keys = (used_by_key(collection), f"collection:{collection}")  # the second: a reindex's swapped-in name
        if con.execute("SELECT 1 FROM meta WHERE key IN (?, ?)", keys).fetchone():
            return "shared"
        if con.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is None:
            return "own"  # nothing stored there that this name could be looking for
        return "undecided"
    except sqlite3.Error:  # no tables yet (own), or unreadable: let opening it say so
        has_tables = _has_tables(con)
        return "undecided" if has_tables is not False else "own"
    finally:
        con.close()


def _has_tables(con: sqlite3.Connection) -> bool | None:
    try:
        return con.execute("SELECT 1 FROM sqlite_master WHERE type='table' LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return None


def load_settings(**overrides: object) -> Settings:
    """Settings from env + overrides, with validation errors turned into a fixable message:
    one line per bad setting naming its environment variable, the value given (never a secret's)
    and what is allowed.

    >>> import os; os.environ["RAG_TOP_K"] = "0"
    >>> try:
    ...     load_settings()
    ... except ConfigError as exc:
    ...     print(exc)
    invalid setting: RAG_TOP_K='0': should be greater than or equal to 1
    >>> del os.environ["RAG_TOP_K"]
    """
    raw = _RAW_ERRORS.set(True)  # named here by environment variable or keyword, as a ConfigError
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = setting_problems(exc, Settings, overrides)
        head = "invalid setting: " if len(lines) == 1 else f"{len(lines)} invalid settings:\n  "
        raise ConfigError(head + "\n  ".join(lines)) from None  # the pydantic text (and its URL) adds nothing
    except Exception as exc:  # e.g. pydantic-settings failing to parse a value
        raise ConfigError(f"invalid settings (environment variables start with RAG_): {exc}") from exc
    finally:
        _RAW_ERRORS.reset(raw)


#: set while ``load_settings`` builds the settings: it words pydantic's errors itself
_RAW_ERRORS: ContextVar[bool] = ContextVar("rag_settings_raw_errors", default=False)


def code_problem(exc: ValidationError, cls: type[BaseSettings], values: Mapping[str, object]) -> InputError:
    """``exc`` (raised by settings class ``cls`` built with keyword ``values``) as an ``InputError``:
    each bad setting named as given (the keyword; one read from the environment by its variable),
    the value given (never a secret's), what is allowed, and the fix: a value that is allowed, or
    the keyword left out for the default."""
    errors = exc.errors(include_url=False)
    lines, fixes = [], []
    for err in errors:
        key = _key(err)
        name, field = _field(key, cls)
        line = _problem(err, cls, values)
        if key not in values:  # from the environment: as load_settings names it
            lines.append(line)
            fixes.append(f"fix or unset {line.split('=', 1)[0].split(' ', 1)[0]}")
            continue
        if err.get("type") == "extra_forbidden":
            near = closest_setting(key, cls)
            lines.append(f"{key}: {_no_such(near)}")
            fixes.append(f"rename {key} to {near}" if near else
                         f"leave {key} out: the settings are the fields of {cls.__name__} (one per RAG_* variable)")
            continue
        env = _env_name(name, field, cls)
        msg = line.split(": ", 1)[1].replace(env, key) if ": " in line else "is not allowed"
        msg = re.sub(r"^Input (?=is )", "", msg)
        should = msg.startswith("should ")
        got = "" if _is_secret(name, field) else f"got {_shown(err.get('input'))}{', which ' if should else ': '}"
        fix = (f"give {key} a value that {_allowed(msg)}" if should else f"give {key} another value") + \
            f", or leave it out{_default_words(field)}"
        lines.append(f"{key}: {got}{msg}; {fix}")
        fixes.append(fix)
    if len(lines) == 1:
        key, said = lines[0].split(": ", 1)
        return InputError(key, said, fix=fixes[0])
    return InputError(cls.__name__, f"{len(lines)} invalid settings:\n  " + "\n  ".join(lines),
                      fix="; ".join(fixes))


def closest_setting(name: str, cls: type[BaseSettings] = Settings) -> str | None:
    """The field of ``cls`` that ``name`` (a keyword, or an environment variable's name) most likely
    misspells: compared lower-cased and without the ``RAG_`` prefix, so ``TopK`` and ``RAG_TOPK``
    both find ``top_k``; None when no field is close.

    >>> closest_setting("topk"), closest_setting("RAG_CHUNK_SIZE"), closest_setting("colour")
    ('top_k', 'chunk_tokens', None)
    """
    from difflib import get_close_matches  # only for a name that is not a setting: kept off every start

    prefix = str(cls.model_config.get("env_prefix") or "").lower()
    word = name.lower()
    word = word[len(prefix):] if prefix and word.startswith(prefix) else word
    near = get_close_matches(word, list(cls.model_fields), n=1, cutoff=0.6)
    return near[0] if near else None


def _no_such(near: str | None) -> str:
    return f"no such setting; did you mean {near}?" if near else "no such setting"


#: ``RAG_*`` variables that are read directly from the environment, not settings: never warned about
NOT_SETTINGS = frozenset({
    "RAG_API_KEY",     # Settings.api_key(): a secret, so never a field
    "RAG_EVAL_CACHE",  # evals/store.py: where eval stores are cached
    "RAG_BENCH_DIR",   # benchmarks/: where benchmark stores are built
})

_ENV_SEEN: set[tuple[type, str]] = set()  # (settings class, variable) checked in this process: warned once at most


def warn_unknown_env(cls: type[BaseSettings] = Settings) -> None:
    """Log a warning, once per process and variable, for a ``RAG_*`` environment variable that
    names no setting of ``cls`` but looks like a misspelt one (``RAG_TOPK``: ignored, so the
    default stays in force without a word). Other unknown ``RAG_*`` variables stay silent: other
    tools may set their own, and starting never fails over one."""
    prefix = str(cls.model_config.get("env_prefix") or "").lower()
    if not prefix:
        return
    fresh = [k for k in os.environ if k.lower().startswith(prefix) and (cls, k) not in _ENV_SEEN]
    if not fresh:
        return
    known = {a.lower() for f in cls.model_fields.values() for a in _aliases(f)}
    known |= {f"{prefix}{name}" for name, f in cls.model_fields.items() if not _aliases(f)}
    known |= {n.lower() for n in NOT_SETTINGS}
    for var in fresh:
        _ENV_SEEN.add((cls, var))
        if var.lower() in known:
            continue
        near = closest_setting(var, cls)
        if near is not None:
            meant = _env_name(near, cls.model_fields[near], cls)
            log.warning("%s is not a setting and is ignored; did you mean %s?", var, meant)


def _key(err: Mapping[str, Any]) -> str:
    loc = err.get("loc") or ()
    return str(loc[0]) if loc else ""


def _shown(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _allowed(msg: str) -> str:
    """What a value must be, as a relative clause: "should be greater than or equal to 1" -> "is
    greater than or equal to 1" (pydantic's detail after a comma left out: "unable to parse ...")."""
    clause = msg.split(", unable", 1)[0]
    for said, meant in (("should be ", "is "), ("should have ", "has "), ("should match ", "matches ")):
        if clause.startswith(said):
            return meant + clause[len(said):]
    return clause


def _default_words(field: FieldInfo | None) -> str:
    if field is None:
        return ""
    if field.default_factory is not None:
        return " for its default"
    if field.default is PydanticUndefined:
        return ""
    if field.default is None:
        return " (unset by default)"
    return f" for its default ({field.default!r})"


# Words of a setting's name that mark it a secret whose value is never printed (besides repr=False
# and SecretStr): RAG_API_KEY, OPENAI_API_KEY, RAG_UI_AUTH ('user:password'); not RAG_CHUNK_TOKENS.
_SECRET_WORDS = frozenset({"key", "secret", "password", "passwd", "token", "auth", "credential", "credentials"})


def setting_problems(
    exc: ValidationError, cls: type[BaseSettings] = Settings, overrides: Mapping[str, object] | None = None
) -> list[str]:
    """One ``RAG_X='value': what is allowed`` line per error in ``exc`` (raised by settings class ``cls``):
    named by environment variable (or by keyword, for a value in ``overrides``), a secret's value hidden."""
    return [_problem(err, cls, overrides or {}) for err in exc.errors(include_url=False)]


def _problem(err: Mapping[str, Any], cls: type[BaseSettings], overrides: Mapping[str, object]) -> str:
    loc = err.get("loc") or ()
    key = str(loc[0]) if loc else ""
    name, field = _field(key, cls)
    where = key if key in overrides else _env_name(name, field, cls)  # a value given in code, not the environment
    if err.get("type") == "extra_forbidden":  # only a keyword can be one: the environment is read by field
        return f"{where}: {_no_such(closest_setting(key, cls))}"  # its value says nothing (may be a secret)
    if err.get("type") == "missing":
        shown = " is not set"
    elif _is_secret(name, field):
        shown = " (value hidden: a secret)"
    else:
        value = repr(err.get("input"))
        shown = "=" + (value if len(value) <= 80 else value[:77] + "...")
    msg = str(err.get("msg", "invalid value"))
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    msg = re.sub(r"^(Input|String|Value|Number|List|Path) should", "should", msg)
    msg = re.sub(r"\s*\[?(for further information visit )?https://errors\.pydantic\.dev/\S*\]?", "", msg)
    return f"{where}{shown}: {msg}"


def _field(key: str, cls: type[BaseSettings]) -> tuple[str, FieldInfo | None]:
    """The field an error location names: by its name, or by one of its aliases."""
    fields = cls.model_fields
    if key in fields:
        return key, fields[key]
    for name, field in fields.items():
        if key.lower() in (a.lower() for a in _aliases(field)):
            return name, field
    return key, None


def _aliases(field: FieldInfo) -> list[str]:
    """The environment names a field declares instead of ``RAG_<NAME>`` (``validation_alias``/``alias``)."""
    va = field.validation_alias
    if isinstance(va, str):
        return [va]
    if isinstance(va, AliasChoices):
        return [c for c in va.choices if isinstance(c, str)]
    return [field.alias] if field.alias else []


def _env_name(name: str, field: FieldInfo | None, cls: type[BaseSettings]) -> str:
    """The environment variable that sets field ``name``: the one of its aliases that is set, else
    the first alias, else the prefixed name."""
    aliases = _aliases(field) if field is not None else []
    if not aliases:
        return f"{cls.model_config.get('env_prefix', '')}{name}".upper()
    env = {k.lower() for k in os.environ}
    chosen = next((a for a in aliases if a.lower() in env), aliases[0])
    return chosen if cls.model_config.get("case_sensitive") else chosen.upper()


def _is_secret(name: str, field: FieldInfo | None) -> bool:
    names = (name, *(_aliases(field) if field is not None else ()))
    if any(_SECRET_WORDS & set(re.split(r"[_\W]+", n.lower())) for n in names):
        return True
    return field is not None and (field.repr is False or "Secret" in str(field.annotation))
