"""Eval suites: question-answer cases, read from our JSONL format or imported (see ``evals.importers``).

Our format, one JSON object per line::

    {"id": "seed-01", "question": "Which town did the rebels capture?", "answers": ["Khansir"],
     "article": "000_2ee66f902f40f20f.txt", "type": "factoid"}

``answers`` are acceptable short answers (may be empty); ``article`` (one) or ``articles`` (a list)
name the gold articles by file name, source-path suffix, URL or article id (may be null); ``type``
is ``factoid``, ``unanswerable`` or ``free text``; ``reference_contexts`` (optional) are the gold
passages. A malformed line is reported with its line number and skipped; the rest still load.

>>> suite = load_suite("seeds/suite.jsonl")   # doctest: +SKIP
>>> len(suite.cases), suite.problems
(17, [])
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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
    asked_on: str | None = None  # ISO date the question was asked (news suites): the reference date

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @property
    def short_answers(self) -> bool:
        """Gold answers are short strings (EM, containment, answer-in-context apply), not free text."""
        return bool(self.answers) and self.type not in ("free text", "unanswerable")


@dataclass(frozen=True)
class Problem:
    """A row that was skipped, and why."""

    line: int | None
    reason: str
    col: int | None = None  # for JSON files (a one-line JSON file has every row on line 1)

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


# --- our JSONL ---------------------------------------------------------------------------------


def case_from_record(rec: Any, line: int | None, fallback_id: str) -> Case | Problem:
    """Validate one record of our format; a ``Problem`` says what to fix."""
    if not isinstance(rec, Mapping):
        return Problem(line, f"expected a JSON object, got {type(rec).__name__}")
    question = rec.get("question")
    if not isinstance(question, str) or not question.strip():
        return Problem(line, "no 'question' (a non-empty string)")
    answers = rec.get("answers", [])
    if answers is None:
        answers = []
    if isinstance(answers, str):
        answers = [answers]
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        return Problem(line, "'answers' must be a list of strings")
    if "articles" in rec and rec["articles"] is not None:
        articles = rec["articles"]
    else:
        articles = rec.get("article")
    if articles is None:
        articles = []
    if isinstance(articles, str):
        articles = [articles]
    also = rec.get("also_in") or []  # other articles that carry the same answer (wire copies of a story)
    if isinstance(also, list) and all(isinstance(a, str) for a in also):
        articles = [*articles, *also] if isinstance(articles, list) else articles
    if not isinstance(articles, list) or not all(isinstance(a, str) for a in articles):
        return Problem(line, "'article'/'articles' must be a string, a list of strings or null")
    typ = rec.get("type") or ("factoid" if answers else "unanswerable")
    if not isinstance(typ, str):
        return Problem(line, "'type' must be a string (factoid, unanswerable or free text)")
    typ = typ.strip().lower().replace("_", " ").replace("-", " ")
    contexts = rec.get("reference_contexts") or []
    if isinstance(contexts, str):
        contexts = [contexts]
    if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
        return Problem(line, "'reference_contexts' must be a list of strings")
    # an unanswerable case may keep its real-world answer (RealTime QA does: the answer's articles were
    # removed from the corpus); it is never scored as gold, only used to spot an answer that leaks it
    asked_on = rec.get("asked_on")
    if asked_on is not None and not (isinstance(asked_on, str) and _iso_date(asked_on)):
        return Problem(line, "'asked_on' must be an ISO date (YYYY-MM-DD) or null")
    cid = rec.get("id")
    return Case(
        id=str(cid) if cid not in (None, "") else fallback_id,
        question=question.strip(),
        answers=tuple(a.strip() for a in answers if a.strip()),
        articles=tuple(a.strip() for a in articles if a.strip()),
        type=typ,
        contexts=tuple(c for c in contexts if c.strip()),
        line=line,
        asked_on=asked_on,
    )


def _iso_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def iter_jsonl(raw: str) -> Iterable[tuple[int, Any | None, str | None]]:
    """(line number, record or None, error or None) for every non-blank line."""
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line), None
        except (json.JSONDecodeError, RecursionError) as exc:
            yield n, None, f"not valid JSON ({getattr(exc, 'msg', exc)})"


def load_ours(path: Path, raw: str) -> Suite:
    cases: list[Case] = []
    problems: list[Problem] = []
    for n, rec, err in iter_jsonl(raw):
        item = Problem(n, err) if err else case_from_record(rec, n, f"{path.stem}-{n}")
        (problems if isinstance(item, Problem) else cases).append(item)  # type: ignore[arg-type]
    return _finish(Suite(path.stem, str(path), "ours", cases, problems))


def _finish(suite: Suite) -> Suite:
    """Drop duplicate ids (reported), record the total, log the problems."""
    seen: dict[str, int | None] = {}
    kept: list[Case] = []
    for c in suite.cases:
        if c.id in seen:
            suite.problems.append(Problem(c.line, f"duplicate id {c.id!r} (first at line {seen[c.id]}); skipped"))
            continue
        seen[c.id] = c.line
        kept.append(c)
    suite.cases = kept
    suite.problems.sort(key=lambda p: p.line or 0)
    suite.total = len(kept)
    for p in suite.problems:
        log.info("%s: skipped %s", suite.path, p)
    return suite


# --- dispatch -------------------------------------------------------------------------------------


def detect_format(path: Path, raw: str) -> str:
    """ours / ragas (JSONL) or squad / llamaindex (JSON), from the content rather than the name."""
    head = raw.lstrip()[:1]
    if head == "{" and path.suffix.lower() == ".json" or head == "[":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, Mapping):
            if isinstance(data.get("examples"), list):
                return "llamaindex"
            if isinstance(data.get("data"), list):
                return "squad"
            if isinstance(data.get("samples"), list):
                return "ragas"
        if isinstance(data, list):
            return "ragas" if data and isinstance(data[0], Mapping) and "user_input" in data[0] else "ours-json"
        if data is not None:
            raise SuiteError(f"{path}: a JSON file that is neither SQuAD ('data') nor a LlamaIndex "
                             "LabelledRagDataset ('examples'); our own format is JSONL, one case per line")
    for _, rec, err in iter_jsonl(raw):
        if err is None and isinstance(rec, Mapping):
            return "ragas" if "user_input" in rec else "ours"
    return "ours"


def load_suite(path: str | Path, *, fmt: str | None = None) -> Suite:
    """Read a suite in any supported format (``fmt`` forces one: ours, squad, ragas, llamaindex)."""
    from evals import importers

    p = Path(path).expanduser()
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SuiteError(f"{p}: no such suite file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{p}: cannot read the suite ({exc})") from exc
    fmt = fmt or detect_format(p, raw)
    if fmt == "ours":
        return load_ours(p, raw)
    loaders = {"squad": importers.load_squad, "ragas": importers.load_ragas,
               "llamaindex": importers.load_llamaindex, "ours-json": importers.load_ours_json}
    if fmt not in loaders:
        raise SuiteError(f"unknown suite format {fmt!r}: use ours, squad, ragas or llamaindex")
    return _finish(loaders[fmt](p, raw))


# --- a corpus made of the suite's own reference contexts ------------------------------------------


def contexts_as_corpus(suite: Suite) -> Suite:
    """Each distinct reference context becomes an article (``context://<hash>``), and the cases'
    gold articles become the contexts they cite: for ragas/LlamaIndex datasets with no corpus."""
    import hashlib

    urls: dict[str, str] = {}
    records: list[CorpusRecord] = []
    cases: list[Case] = []
    for c in suite.cases:
        golds = []
        for ctx in c.contexts:
            key = " ".join(ctx.split())
            if key not in urls:
                urls[key] = "context://" + hashlib.sha1(key.encode()).hexdigest()[:16]
                first = key.split(". ")[0][:80]
                records.append(CorpusRecord(title=first, text=ctx, url=urls[key]))
            golds.append(urls[key])
        cases.append(replace(c, articles=tuple(dict.fromkeys(golds)) or c.articles))
    return replace(suite, cases=cases, corpus=suite.corpus + records)


def write_corpus(records: Sequence[CorpusRecord], path: Path) -> Path:
    """The records as a JSONL article dump (title, text, url) that ``rag ingest`` reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps({"title": r.title, "text": r.text, "url": r.url}, ensure_ascii=False) + "\n")
    return path
