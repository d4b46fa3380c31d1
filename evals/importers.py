"""Importers for other people's eval sets: SQuAD JSON, ragas EvaluationDataset, LlamaIndex LabelledRagDataset.

* SQuAD v1.1/v2.0 (``{"data": [{"title", "paragraphs": [{"context", "qas": [...]}]}]}``): every
  article becomes a corpus record (title + paragraphs joined by blank lines, url
  ``squad://<title>``), which is each question's gold article; the question's paragraph is its
  gold context; v2's ``is_impossible`` questions are ``unanswerable``.
* ragas ``EvaluationDataset`` JSONL (``user_input``, ``reference``, ``reference_contexts``): the
  reference is a free-text answer.
* LlamaIndex ``LabelledRagDataset`` JSON (``examples[].query`` / ``reference_answer`` /
  ``reference_contexts``): the same.

A malformed row is skipped and reported with the line it starts on; JSON files are parsed with a
position-keeping reader so those line numbers are exact.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evals.suite import Case, CorpusRecord, Problem, Suite, case_from_record, iter_jsonl

# --- JSON with line numbers -------------------------------------------------------------------

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
    from evals.suite import SuiteError

    try:
        return loads_located(raw)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise SuiteError(f"{path}: the JSON is nested too deeply to read") from None


def _problem(parent: Any, key: Any, reason: str) -> Problem:
    """A problem located at ``parent[key]`` (line and column of that value)."""
    try:
        line, col = parent.at[key]
    except (AttributeError, LookupError, TypeError):
        line, col = getattr(parent, "line", None), getattr(parent, "col", None)
    return Problem(line, reason, col or None)


def _line_at(parent: Any, key: Any) -> int | None:
    try:
        return parent.at[key][0]
    except (AttributeError, LookupError, TypeError):
        return getattr(parent, "line", None)


# --- SQuAD ----------------------------------------------------------------------------------------


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
        from evals.suite import SuiteError

        raise SuiteError(f"{path}: not a SQuAD file (no top-level 'data' list of articles)")
    for ai, art in enumerate(articles):
        if not isinstance(art, Mapping) or not isinstance(art.get("paragraphs"), list):
            problems.append(_problem(articles, ai, f"data[{ai}] is not an article with a 'paragraphs' list"))
            continue
        title = art.get("title") if isinstance(art.get("title"), str) and art["title"].strip() else f"article-{ai}"
        contexts: list[str] = []
        for pi, para in enumerate(art["paragraphs"]):
            where = f"data[{ai}].paragraphs[{pi}]"
            if not isinstance(para, Mapping) or not isinstance(para.get("context"), str) or not para["context"].strip():
                problems.append(_problem(art["paragraphs"], pi, f"{where} has no 'context' text; its questions are skipped"))
                continue
            context = para["context"]
            contexts.append(context.strip())
            qas = para.get("qas") or []
            for qi, qa in enumerate(qas):
                item = _squad_case(qa, title, context, f"{where}.qas[{qi}]", qas, qi)
                (problems if isinstance(item, Problem) else cases).append(item)  # type: ignore[arg-type]
        if contexts:
            corpus.append(CorpusRecord(title=title.replace("_", " "), text="\n\n".join(contexts), url=squad_url(title)))
    return Suite(path.stem, str(path), "squad", cases, problems, corpus)


def _squad_case(qa: Any, title: str, context: str, where: str, qas: Any, qi: int) -> Case | Problem:
    line = _line_at(qas, qi)

    def bad(reason: str) -> Problem:
        return _problem(qas, qi, f"{where}{reason}")

    if not isinstance(qa, Mapping):
        return bad(" is not an object")
    q = qa.get("question")
    if not isinstance(q, str) or not q.strip():
        return bad(" has no 'question'")
    impossible = bool(qa.get("is_impossible"))
    raw_answers = qa.get("answers")
    if not isinstance(raw_answers, list):
        return bad(": 'answers' is not a list")
    answers: list[str] = []
    for a in raw_answers:
        text = a.get("text") if isinstance(a, Mapping) else a if isinstance(a, str) else None
        if not isinstance(text, str):
            return bad(": an answer has no 'text'")
        if text.strip() and text.strip() not in answers:
            answers.append(text.strip())
    if not answers and not impossible:
        return bad(" has no answers (and is not marked is_impossible)")
    return Case(
        id=str(qa.get("id") or where),
        question=q.strip(),
        answers=() if impossible else tuple(answers),
        articles=(squad_url(title),),
        type="unanswerable" if impossible else "factoid",
        contexts=() if impossible else (context.strip(),),
        line=line,
    )


# --- ragas EvaluationDataset ---------------------------------------------------------------------


def _ragas_case(rec: Any, line: int | None, fallback_id: str) -> Case | Problem:
    if not isinstance(rec, Mapping):
        return Problem(line, f"expected a JSON object, got {type(rec).__name__}")
    q = rec.get("user_input")
    if isinstance(q, list):  # multi-turn sample: the last human message is the question
        turns = [m.get("content") for m in q if isinstance(m, Mapping) and m.get("type", "human") == "human"]
        q = turns[-1] if turns else None
    if not isinstance(q, str) or not q.strip():
        return Problem(line, "no 'user_input' (the question)")
    ref = rec.get("reference")
    if ref is not None and not isinstance(ref, str):
        return Problem(line, "'reference' must be a string")
    ctx = rec.get("reference_contexts") or []
    if not isinstance(ctx, list) or not all(isinstance(c, str) for c in ctx):
        return Problem(line, "'reference_contexts' must be a list of strings")
    typ = rec.get("type") if isinstance(rec.get("type"), str) else ("free text" if ref and ref.strip() else "unanswerable")
    return Case(
        id=str(rec.get("id") or fallback_id),
        question=q.strip(),
        answers=(ref.strip(),) if ref and ref.strip() else (),
        type=typ,
        contexts=tuple(c for c in ctx if c.strip()),
        line=line,
    )


def load_ragas(path: Path, raw: str) -> Suite:
    """ragas ``EvaluationDataset.to_jsonl()`` output (or its JSON form: a list, or ``{"samples": [...]}``)."""
    cases: list[Case] = []
    problems: list[Problem] = []
    stripped = raw.lstrip()
    if stripped.startswith("[") or (path.suffix.lower() == ".json" and stripped.startswith("{")):
        data = _load_json(path, raw)
        rows = data.get("samples") if isinstance(data, Mapping) else data
        items = [(_line_at(rows, i), r, None) for i, r in enumerate(rows or [])]
    else:
        items = list(iter_jsonl(raw))
    for n, rec, err in items:
        item = Problem(n, err) if err else _ragas_case(rec, n, f"{path.stem}-{n}")
        (problems if isinstance(item, Problem) else cases).append(item)  # type: ignore[arg-type]
    return Suite(path.stem, str(path), "ragas", cases, problems)


# --- LlamaIndex LabelledRagDataset ----------------------------------------------------------------


def load_llamaindex(path: Path, raw: str) -> Suite:
    """``LabelledRagDataset.save_json()`` output: ``{"examples": [{"query", "reference_answer", ...}]}``."""
    data = _load_json(path, raw)
    examples = data.get("examples") if isinstance(data, Mapping) else None
    if not isinstance(examples, list):
        from evals.suite import SuiteError

        raise SuiteError(f"{path}: not a LabelledRagDataset (no top-level 'examples' list)")
    cases: list[Case] = []
    problems: list[Problem] = []
    for i, ex in enumerate(examples):
        line = _line_at(examples, i)
        if not isinstance(ex, Mapping):
            problems.append(_problem(examples, i, f"examples[{i}] is not an object"))
            continue
        q, ref, ctx = ex.get("query"), ex.get("reference_answer"), ex.get("reference_contexts") or []
        if not isinstance(q, str) or not q.strip():
            problems.append(_problem(examples, i, f"examples[{i}] has no 'query'"))
            continue
        if ref is not None and not isinstance(ref, str):
            problems.append(_problem(examples, i, f"examples[{i}]: 'reference_answer' must be a string"))
            continue
        if not isinstance(ctx, list) or not all(isinstance(c, str) for c in ctx):
            problems.append(_problem(examples, i, f"examples[{i}]: 'reference_contexts' must be a list of strings"))
            continue
        cases.append(Case(
            id=str(ex.get("id") or f"{path.stem}-{i}"),
            question=q.strip(),
            answers=(ref.strip(),) if ref and ref.strip() else (),
            type="free text" if ref and ref.strip() else "unanswerable",
            contexts=tuple(c for c in ctx if c.strip()),
            line=line,
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
