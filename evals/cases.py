"""The types every suite reader shares: ``Case``, ``Problem``, ``CorpusRecord``, ``Suite``, and the
pydantic schema of one line of our JSONL format (``CaseRecord``).

``evals.suite`` (our JSONL, format detection, ``load_suite``) and ``evals.importers`` (SQuAD, ragas,
LlamaIndex) both import this module and not each other's types, so neither imports the other at
load time.

A row is validated by a pydantic model; a row that fails becomes a ``Problem`` naming its line, the
field (pydantic's error location, e.g. ``answers[1]``) and how to fix it, and the suite goes on
(``problem_from``). ``Case`` stays a frozen dataclass: it is what the runner, the baselines and the
tests pass around (built positionally in places), independent of any one file format.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from difflib import get_close_matches
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

log = logging.getLogger(__name__)

TYPES = ("factoid", "unanswerable", "free text")
DEFAULT_SEED = 466  # the fixed SQuAD sample of the README's quality bar


@dataclass(frozen=True)
class Case:
    """One question with its gold answers, gold articles and gold contexts."""

    id: str
    question: str
    answers: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    type: str = "factoid"
    contexts: tuple[str, ...] = ()  # reference contexts (gold passages), if the suite has them
    line: int | None = None  # where the case was read (for messages)
    # the ISO date (YYYY-MM-DD) the question was asked (news suites): its reference date. Kept as text
    # because evals.fit_answerer slices weeks from it; ``as_of`` is the same day as a ``date``
    asked_on: str | None = None

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @property
    def short_answers(self) -> bool:
        """Gold answers are short strings (EM, containment, answer-in-context apply), not free text."""
        return bool(self.answers) and self.type not in ("free text", "unanswerable")

    @property
    def as_of(self) -> date | None:
        """``asked_on`` as a date: what ``RAG.ask(as_of=...)`` resolves "this week" against."""
        return date.fromisoformat(self.asked_on[:10]) if self.asked_on else None


@dataclass(frozen=True)
class Problem:
    """A row that was skipped, and why."""

    line: int | None
    reason: str
    col: int | None = None  # for JSON files (a one-line JSON file has every row on line 1)
    field: str | None = None  # the first offending field, as pydantic locates it (``answers[1]``)

    def __str__(self) -> str:
        if not self.line:
            return self.reason
        return f"line {self.line}" + (f", column {self.col}" if self.col else "") + f": {self.reason}"


@dataclass(frozen=True)
class CorpusRecord:
    """An article a suite brings with it (SQuAD's articles); written out as a JSONL dump to ingest."""

    title: str
    text: str
    url: str


@dataclass
class Suite:
    name: str
    path: str
    format: str  # ours | squad | ragas | llamaindex
    cases: list[Case]
    problems: list[Problem] = field(default_factory=list)
    corpus: list[CorpusRecord] = field(default_factory=list)
    total: int = 0  # cases before sampling

    def sample(self, n: int | None, seed: int = DEFAULT_SEED) -> Suite:
        """The first ``n`` cases after shuffling all of them with ``random.Random(seed)``."""
        if not n or n >= len(self.cases):
            return self
        cases = list(self.cases)
        random.Random(seed).shuffle(cases)
        return replace(self, cases=cases[:n])


class SuiteError(Exception):
    """The suite file as a whole cannot be read (missing, not JSON, unknown format)."""


# --- validation helpers shared by every format ----------------------------------------------------


class FieldError(ValueError):
    """A validator's complaint about one field, raised where pydantic's location cannot name it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]  # a non-empty string


def as_id(value: Any) -> Any:
    """Ids may be numbers in other people's files: 7 -> "7" (a bool is left to be reported)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def as_list(value: Any) -> Any:
    """null -> [], one string -> [it]; anything else is left for the list[str] check to judge."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


def stripped(items: Iterable[str]) -> tuple[str, ...]:
    """The non-blank items, stripped, order kept."""
    return tuple(s.strip() for s in items if s.strip())


def where(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location as a path: ``('answers', 1)`` -> ``answers[1]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problem_from(exc: ValidationError, line: int | None, fixes: Mapping[str, str], *, col: int | None = None,
                 prefix: str = "") -> Problem:
    """One ``Problem`` for a row that failed validation: every error's location, what to write
    there (``fixes``, keyed by top-level field) and pydantic's own words, in field order."""
    parts: list[str] = []
    first: str | None = None
    seen: set[Any] = set()
    for err in exc.errors(include_url=False):
        top = err["loc"][0] if err["loc"] else None
        if top in seen:  # one message per field: the first of its errors
            continue
        seen.add(top)
        cause = (err.get("ctx") or {}).get("error")
        loc = where(tuple(err["loc"])) or getattr(cause, "field", "")
        path = prefix + ("." if prefix and loc else "") + loc if loc else prefix
        first = first or loc or None
        if err["type"] in ("model_type", "model_attributes_type", "dict_type"):
            parts.append(f"{path + ': ' if path else ''}expected a JSON object, got {_json_type(err['input'])}")
            continue
        fix = fixes.get(str(err["loc"][0])) if err["loc"] else None
        detail = str(cause) if err["type"] == "value_error" else err["msg"]  # ours, without "Value error, "
        said = err["type"] == "value_error" and _short(err["input"]) in detail  # our message quotes it already
        if err["type"] != "missing" and err["loc"] and not said:
            detail += f", got {_short(err['input'])}"
        parts.append(f"{path}: {fix} ({detail})" if fix and path else f"{path + ': ' if path else ''}{detail}")
    return Problem(line, "; ".join(parts), col, first)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number", float: "number"}
    for t, name in names.items():
        if isinstance(value, t):
            return name
    return "null" if value is None else type(value).__name__


def _short(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- our format: one case per line -----------------------------------------------------------------


class CaseRecord(BaseModel):
    """One line of our JSONL format (also each item of the same cases written as a JSON list).

    Unknown keys are kept (suites carry their own metadata), unless a key looks like a misspelt
    field (``answer`` for ``answers``): that would silently change what the case means, so the
    line is reported instead."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str | None = None
    question: Text
    answers: list[str] = Field(default_factory=list)  # acceptable short answers (or one reference text)
    article: list[str] = Field(default_factory=list)  # the gold article: file name, path suffix, URL or id
    articles: list[str] | None = None  # several gold articles; wins over ``article`` when given
    also_in: list[str] = Field(default_factory=list)  # other articles stating the same answer (wire copies)
    article_ids: list[str] = Field(default_factory=list)  # RealTime QA: the corpus ids of ``articles`` (same articles)
    type: str | None = None  # factoid | unanswerable | free text (default: factoid with answers or articles)
    reference_contexts: list[str] = Field(default_factory=list)  # gold passages
    asked_on: date | None = None  # the day the question was asked: its "today"
    note: str | None = None  # unanswerable items: what the corpus says instead
    wh: str | None = None  # BBC suite: the question word
    near: str | None = None  # BBC suite: the article an unanswerable question is about
    paraphrased_number: bool | None = None  # BBC suite: the question writes the number differently

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        return as_id(value)

    @field_validator("answers", "article", "also_in", "article_ids", "reference_contexts", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return as_list(value)

    @field_validator("articles", mode="before")
    @classmethod
    def _many(cls, value: Any) -> Any:
        return None if value is None else as_list(value)

    @field_validator("asked_on", mode="before")
    @classmethod
    def _iso_day(cls, value: Any) -> Any:
        """An ISO date, or an ISO date-time (its day); not a number (pydantic would read a timestamp)."""
        if value is None or isinstance(value, date):
            return value
        if not isinstance(value, str):
            raise ValueError("Input should be an ISO date string")
        try:
            return date.fromisoformat(value)
        except ValueError:
            try:
                return datetime.fromisoformat(value).date()
            except ValueError:
                raise ValueError("Input should be an ISO date string") from None

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else case_type(value)  # blank: the default

    @model_validator(mode="after")
    def _no_misspelt_fields(self) -> CaseRecord:
        for key in self.model_extra or {}:
            # compared lower-cased: "Type" or "Answers" is a misspelling too, and would be ignored
            near = get_close_matches(key.lower(), FIXES, n=1, cutoff=0.8)
            if near:
                raise FieldError(key, f"not a field; did you mean '{near[0]}'? Rename it")
        return self

    def to_case(self, line: int | None, fallback_id: str) -> Case:
        articles = stripped([*(self.articles if self.articles is not None else self.article), *self.also_in])
        answers = stripped(self.answers)
        # an unanswerable case may keep its real-world answer (RealTime QA does: the answer's articles were
        # removed from the corpus); it is never scored as gold, only used to spot an answer that leaks it.
        # No type: a case with answers or a gold article is answerable (gold article alone: a retrieval-only
        # case, scored on hit@k/mrr, the usual first draft of a suite); one with neither is unanswerable
        return Case(
            id=self.id if self.id else fallback_id,
            question=self.question,
            answers=answers,
            articles=articles,
            type=self.type or ("factoid" if answers or articles else "unanswerable"),
            contexts=tuple(c for c in self.reference_contexts if c.strip()),
            line=line,
            asked_on=self.asked_on.isoformat() if self.asked_on else None,
        )


def case_type(value: str) -> str:
    """A case's ``type`` normalised (case, ``_``/``-`` for spaces: ``Free_Text`` -> ``free text``) and
    checked against ``TYPES``; an unknown one is a ``ValueError`` saying what it was and what is near."""
    typ = " ".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
    if typ in TYPES:
        return typ
    near = get_close_matches(typ, TYPES, n=1, cutoff=0.6)
    raise ValueError(f"unknown type {json.dumps(value, ensure_ascii=False)}"
                     + (f"; did you mean {json.dumps(near[0])}?" if near else ""))


# what to write in each field, for the messages
FIXES: dict[str, str] = {
    "id": "write a string or a number",
    "question": "write the question as a non-empty string",
    "answers": "write a list of strings, one string or null",
    "article": "write a string, a list of strings or null",
    "articles": "write a string, a list of strings or null",
    "also_in": "write a list of article names",
    "article_ids": "write a list of article ids",
    "type": "write factoid, unanswerable or free text",
    "reference_contexts": "write a list of strings",
    "asked_on": "write an ISO date (YYYY-MM-DD) or null",
    "note": "write a string or null",
    "wh": "write a string or null",
    "near": "write a string (an article name) or null",
    "paraphrased_number": "write true or false",
}


def case_from_record(rec: Any, line: int | None, fallback_id: str, *, col: int | None = None) -> Case | Problem:
    """Validate one record of our format; a ``Problem`` says where and what to fix."""
    try:
        return CaseRecord.model_validate(rec).to_case(line, fallback_id)
    except ValidationError as exc:
        return problem_from(exc, line, FIXES, col=col)


def iter_jsonl(raw: str) -> Iterable[tuple[int, Any | None, str | None]]:
    """(line number, record or None, error or None) for every non-blank line."""
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line), None
        except (json.JSONDecodeError, RecursionError) as exc:
            yield n, None, f"not valid JSON ({getattr(exc, 'msg', exc)})"
