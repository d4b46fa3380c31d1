"""Importers for other people's eval sets: SQuAD JSON, ragas EvaluationDataset, LlamaIndex LabelledRagDataset.

* SQuAD v1.1/v2.0 (``{"data": [{"title", "paragraphs": [{"context", "qas": [...]}]}]}``): every
  article becomes a corpus record (title + paragraphs joined by blank lines, url
  ``squad://<title>``), which is each question's gold article; the question's paragraph is its
  gold context; v2's ``is_impossible`` questions are ``unanswerable``.
* ragas ``EvaluationDataset`` JSONL (``user_input``, ``reference``, ``reference_contexts``): the
  reference is a free-text answer.
* LlamaIndex ``LabelledRagDataset`` JSON (``examples[].query`` / ``reference_answer`` /
  ``reference_contexts``): the same.

Each row (a SQuAD article, paragraph and question; a ragas sample; a LlamaIndex example) is
validated by a pydantic model. A malformed row is skipped and reported with the line it starts on,
the offending field and what to write there; the rest still load. JSON files are parsed with a
position-keeping reader so those line numbers are exact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from evals.cases import (
    Case, CorpusRecord, Problem, Suite, SuiteError, Text, as_id, case_from_record, case_type, iter_jsonl, problem_from,
)

# --- JSON with line numbers -------------------------------------------------------------------
# Kept by hand because no library we have does it: pydantic (and json, orjson) report where a value
# is in the *data* (``data[0].paragraphs[3].qas[1]``), never where it is in the *file*, and a
# SQuAD/LlamaIndex file is one pretty-printed (or one-line) JSON document, not one row per line. The
# reader below notes the line and column each object, array and value starts at, so a skipped row
# is reported where an editor shows it (``line 1, column 5231`` in a one-line file). Only the
# containers are walked in Python; strings and numbers go through the stdlib's C scanner. The
# json-source-map package does the same but is unmaintained (last release 2022) and not a dependency.

_WS = " \t\n\r"
_decoder = json.JSONDecoder()


class LDict(dict):
    """A JSON object that remembers where it starts and where each of its values starts."""

    line: int = 0
    col: int = 0
    at: dict[str, tuple[int, int]]  # key -> (line, column) of its value


class LList(list):
    line: int = 0
    col: int = 0
    at: list[tuple[int, int]]  # (line, column) of each item


class _Located:
    """A small JSON reader: containers in Python (to note their line), scalars by the C decoder."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.newlines = [i for i, ch in enumerate(raw) if ch == "\n"]

    def line_of(self, idx: int) -> tuple[int, int]:
        import bisect

        n = bisect.bisect_left(self.newlines, idx)
        return n + 1, idx - (self.newlines[n - 1] if n else -1)

    def _ws(self, i: int) -> int:
        raw = self.raw
        while i < len(raw) and raw[i] in _WS:
            i += 1
        return i

    def _error(self, msg: str, i: int) -> json.JSONDecodeError:
        return json.JSONDecodeError(msg, self.raw, i)

    def value(self, i: int) -> tuple[Any, int]:
        i = self._ws(i)
        if i >= len(self.raw):
            raise self._error("Expecting value", i)
        ch = self.raw[i]
        if ch == "{":
            return self._object(i)
        if ch == "[":
            return self._array(i)
        if ch == '"':
            return json.decoder.scanstring(self.raw, i + 1)  # type: ignore[attr-defined]
        return _decoder.raw_decode(self.raw, i)

    def _object(self, i: int) -> tuple[LDict, int]:
        out = LDict()
        out.line, out.col = self.line_of(i)
        out.at = {}
        i = self._ws(i + 1)
        if self.raw.startswith("}", i):
            return out, i + 1
        while True:
            i = self._ws(i)
            if not self.raw.startswith('"', i):
                raise self._error("Expecting property name enclosed in double quotes", i)
            key, i = json.decoder.scanstring(self.raw, i + 1)  # type: ignore[attr-defined]
            i = self._ws(i)
            if not self.raw.startswith(":", i):
                raise self._error("Expecting ':' delimiter", i)
            start = self._ws(i + 1)
            out.at[key] = self.line_of(start)
            out[key], i = self.value(start)
            i = self._ws(i)
            if self.raw.startswith(",", i):
                i += 1
            elif self.raw.startswith("}", i):
                return out, i + 1
            else:
                raise self._error("Expecting ',' delimiter", i)

    def _array(self, i: int) -> tuple[LList, int]:
        out = LList()
        out.line, out.col = self.line_of(i)
        out.at = []
        i = self._ws(i + 1)
        if self.raw.startswith("]", i):
            return out, i + 1
        while True:
            i = self._ws(i)
            out.at.append(self.line_of(i))
            item, i = self.value(i)
            out.append(item)
            i = self._ws(i)
            if self.raw.startswith(",", i):
                i += 1
            elif self.raw.startswith("]", i):
                return out, i + 1
            else:
                raise self._error("Expecting ',' delimiter", i)


def loads_located(raw: str) -> Any:
    """``json.loads`` whose objects and arrays carry ``.line`` (1-based)."""
    reader = _Located(raw)
    value, end = reader.value(0)
    if reader._ws(end) != len(raw):
        raise json.JSONDecodeError("Extra data", raw, end)
    return value


def _load_json(path: Path, raw: str) -> Any:
    try:
        return loads_located(raw)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise SuiteError(f"{path}: the JSON is nested too deeply to read") from None


def _at(parent: Any, key: Any) -> tuple[int | None, int | None]:
    """(line, column) where ``parent[key]`` starts, else where ``parent`` starts."""
    try:
        line, col = parent.at[key]
    except (AttributeError, LookupError, TypeError):
        line, col = getattr(parent, "line", None), getattr(parent, "col", None)
    return line, col or None


def _line_at(parent: Any, key: Any) -> int | None:
    return _at(parent, key)[0]


def _check(model: type[BaseModel], value: Any, parent: Any, key: Any, where: str,
           fixes: dict[str, str]) -> Any:
    """``model`` validated from ``parent[key]``, or the ``Problem`` (located at that value) saying why not."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        line, col = _at(parent, key)
        return problem_from(exc, line, fixes, col=col, prefix=where)


def _or_empty(value: Any) -> Any:
    """Missing/null/empty -> [] (a string stays a string, to be reported as not a list)."""
    return value or []


# --- SQuAD ----------------------------------------------------------------------------------------


class SquadAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str

    @model_validator(mode="before")
    @classmethod
    def _bare_string(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value  # some exports list plain strings


class SquadQA(BaseModel):
    """One SQuAD question: ``{"id", "question", "answers": [{"text", "answer_start"}], "is_impossible"}``."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    question: Text
    answers: list[SquadAnswer]
    is_impossible: bool = False  # SQuAD 2.0: no answer in the paragraph

    @field_validator("id", mode="before")
    @classmethod
    def _number_id(cls, value: Any) -> Any:
        return as_id(value)

    @model_validator(mode="after")
    def _answerable_or_impossible(self) -> SquadQA:
        if not self.is_impossible and not any(a.text.strip() for a in self.answers):
            raise ValueError("has no answers (and is not marked is_impossible)")
        return self

    def texts(self) -> tuple[str, ...]:
        """The distinct non-blank answer texts, first-seen order (SQuAD repeats them per annotator)."""
        return tuple(dict.fromkeys(a.text.strip() for a in self.answers if a.text.strip()))


class SquadParagraph(BaseModel):
    model_config = ConfigDict(extra="ignore")

    context: Text
    qas: list[Any] = Field(default_factory=list)  # each question is validated on its own

    @field_validator("qas", mode="before")
    @classmethod
    def _no_qas(cls, value: Any) -> Any:
        return _or_empty(value)


class SquadArticle(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: Any = None  # not a non-blank string: the article is named article-<i>
    paragraphs: list[Any]  # each paragraph is validated on its own


SQUAD_FIXES = {
    "paragraphs": "write a list of paragraphs",
    "context": "write the paragraph's text (its questions are skipped)",
    "qas": "write a list of questions",
    "id": "write a string",
    "question": "write the question as a non-empty string",
    "answers": 'write a list of {"text": ...} objects ([] with "is_impossible": true)',
    "is_impossible": "write true or false",
}


def squad_url(title: str) -> str:
    return f"squad://{title}"


def load_squad(path: Path, raw: str) -> Suite:
    """SQuAD v1.1 / v2.0: articles -> corpus, paragraphs -> gold contexts, questions -> cases."""
    data = _load_json(path, raw)
    problems: list[Problem] = []
    cases: list[Case] = []
    corpus: list[CorpusRecord] = []
    articles = data.get("data") if isinstance(data, Mapping) else None
    if not isinstance(articles, list):
        raise SuiteError(f"{path}: not a SQuAD file (no top-level 'data' list of articles)")
    for ai, raw_art in enumerate(articles):
        art = _check(SquadArticle, raw_art, articles, ai, f"data[{ai}]", SQUAD_FIXES)
        if isinstance(art, Problem):
            problems.append(art)
            continue
        title = art.title if isinstance(art.title, str) and art.title.strip() else f"article-{ai}"
        paragraphs = raw_art["paragraphs"]
        contexts: list[str] = []
        for pi, raw_para in enumerate(paragraphs):
            where = f"data[{ai}].paragraphs[{pi}]"
            para = _check(SquadParagraph, raw_para, paragraphs, pi, where, SQUAD_FIXES)
            if isinstance(para, Problem):
                problems.append(para)
                continue
            contexts.append(para.context)
            for qi, raw_qa in enumerate(para.qas):
                qa = _check(SquadQA, raw_qa, raw_para["qas"], qi, f"{where}.qas[{qi}]", SQUAD_FIXES)
                if isinstance(qa, Problem):
                    problems.append(qa)
                    continue
                cases.append(Case(
                    id=qa.id or f"{where}.qas[{qi}]",
                    question=qa.question,
                    answers=() if qa.is_impossible else qa.texts(),
                    articles=(squad_url(title),),
                    type="unanswerable" if qa.is_impossible else "factoid",
                    contexts=() if qa.is_impossible else (para.context,),
                    line=_line_at(raw_para["qas"], qi),
                ))
        if contexts:
            corpus.append(CorpusRecord(title=title.replace("_", " "), text="\n\n".join(contexts), url=squad_url(title)))
    return Suite(path.stem, str(path), "squad", cases, problems, corpus)


# --- ragas EvaluationDataset ---------------------------------------------------------------------


class _ExportedRow(BaseModel):
    """What ragas and LlamaIndex rows share: an optional id (numbers become strings) and reference
    contexts (null or missing: none)."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    reference_contexts: list[str] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _number_id(cls, value: Any) -> Any:
        return as_id(value)

    @field_validator("reference_contexts", mode="before")
    @classmethod
    def _no_contexts(cls, value: Any) -> Any:
        return _or_empty(value)


class RagasSample(_ExportedRow):
    """One ``SingleTurnSample``/``MultiTurnSample`` row: ``user_input``, ``reference``, ``reference_contexts``."""

    user_input: Text  # a multi-turn sample's last human message is the question
    reference: str | None = None  # the reference answer (free text)
    type: Any = None  # ours, when a sample carries it (checked); not a string: derived from ``reference``

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: Any) -> Any:
        return case_type(value) if isinstance(value, str) and value.strip() else None

    @field_validator("user_input", mode="before")
    @classmethod
    def _last_human_turn(cls, value: Any) -> Any:
        if isinstance(value, list):
            turns = [m.get("content") for m in value if isinstance(m, Mapping) and m.get("type", "human") == "human"]
            return turns[-1] if turns else None
        return value

    def to_case(self, line: int | None, fallback_id: str) -> Case:
        ref = (self.reference or "").strip()
        typ = self.type if isinstance(self.type, str) else ("free text" if ref else "unanswerable")
        return Case(id=self.id or fallback_id, question=self.user_input, answers=(ref,) if ref else (), type=typ,
                    contexts=tuple(c for c in self.reference_contexts if c.strip()), line=line)


RAGAS_FIXES = {
    "id": "write a string",
    "user_input": "write the question as a non-empty string (or a list of chat turns)",
    "reference": "write the reference answer as a string",
    "reference_contexts": "write a list of strings",
    "type": "write factoid, unanswerable or free text",
}


def _ragas_case(rec: Any, line: int | None, fallback_id: str, *, col: int | None = None,
                where: str = "") -> Case | Problem:
    try:
        return RagasSample.model_validate(rec).to_case(line, fallback_id)
    except ValidationError as exc:
        return problem_from(exc, line, RAGAS_FIXES, col=col, prefix=where)


def load_ragas(path: Path, raw: str) -> Suite:
    """ragas ``EvaluationDataset.to_jsonl()`` output (or its JSON form: a list, or ``{"samples": [...]}``).

    A row without an id is named ``<file stem>-<line>`` in JSONL and ``<file stem>-<index>`` in the
    JSON form, where every row of a one-line file starts on line 1 (as ``load_ours_json`` does)."""
    cases: list[Case] = []
    problems: list[Problem] = []
    stripped = raw.lstrip()
    if stripped.startswith("[") or (path.suffix.lower() == ".json" and stripped.startswith("{")):
        data = _load_json(path, raw)
        rows = data.get("samples") if isinstance(data, Mapping) else data
        if not isinstance(rows, list):
            raise SuiteError(f"{path}: not a ragas dataset (a JSON list of samples, or {{\"samples\": [...]}})")
        key = "samples" if isinstance(data, Mapping) else ""
        for i, rec in enumerate(rows):
            line, col = _at(rows, i)
            item = _ragas_case(rec, line, f"{path.stem}-{i}", col=col, where=f"{key}[{i}]")
            (problems if isinstance(item, Problem) else cases).append(item)  # type: ignore[arg-type]
        return Suite(path.stem, str(path), "ragas", cases, problems)
    for n, rec, err in iter_jsonl(raw):
        item = Problem(n, err) if err else _ragas_case(rec, n, f"{path.stem}-{n}")
        (problems if isinstance(item, Problem) else cases).append(item)  # type: ignore[arg-type]
    return Suite(path.stem, str(path), "ragas", cases, problems)


# --- LlamaIndex LabelledRagDataset ----------------------------------------------------------------


class LabelledExample(_ExportedRow):
    """One ``LabelledRagDataExample``: ``query``, ``reference_answer``, ``reference_contexts``."""

    query: Text
    reference_answer: str | None = None


LLAMAINDEX_FIXES = {
    "id": "write a string",
    "query": "write the question as a non-empty string",
    "reference_answer": "write the reference answer as a string",
    "reference_contexts": "write a list of strings",
}


def load_llamaindex(path: Path, raw: str) -> Suite:
    """``LabelledRagDataset.save_json()`` output: ``{"examples": [{"query", "reference_answer", ...}]}``."""
    data = _load_json(path, raw)
    examples = data.get("examples") if isinstance(data, Mapping) else None
    if not isinstance(examples, list):
        raise SuiteError(f"{path}: not a LabelledRagDataset (no top-level 'examples' list)")
    cases: list[Case] = []
    problems: list[Problem] = []
    for i, raw_ex in enumerate(examples):
        ex = _check(LabelledExample, raw_ex, examples, i, f"examples[{i}]", LLAMAINDEX_FIXES)
        if isinstance(ex, Problem):
            problems.append(ex)
            continue
        ref = (ex.reference_answer or "").strip()
        cases.append(Case(
            id=ex.id or f"{path.stem}-{i}",
            question=ex.query,
            answers=(ref,) if ref else (),
            type="free text" if ref else "unanswerable",
            contexts=tuple(c for c in ex.reference_contexts if c.strip()),
            line=_line_at(examples, i),
        ))
    return Suite(path.stem, str(path), "llamaindex", cases, problems)


# --- our format as a JSON list --------------------------------------------------------------------


def load_ours_json(path: Path, raw: str) -> Suite:
    data = _load_json(path, raw)
    cases: list[Case] = []
    problems: list[Problem] = []
    for i, rec in enumerate(data):
        item = case_from_record(rec, _line_at(data, i), f"{path.stem}-{i}")
        (problems if isinstance(item, Problem) else cases).append(item)  # type: ignore[arg-type]
    return Suite(path.stem, str(path), "ours", cases, problems)
