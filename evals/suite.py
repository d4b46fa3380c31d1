"""Eval suites: question-answer cases, read from our JSONL format or imported (see ``evals.importers``).

Our format, one JSON object per line::

    {"id": "seed-01", "question": "Which town did the rebels capture?", "answers": ["Khansir"],
     "article": "000_2ee66f902f40f20f.txt", "type": "factoid"}

``answers`` are acceptable short answers (may be empty); ``article`` (one) or ``articles`` (a list)
name the gold articles by file name, source-path suffix, URL or article id (may be null), and
``also_in`` other articles that state the same answer; ``type`` is ``factoid``, ``unanswerable`` or
``free text`` (any other value is reported; without one, a case with answers or a gold article is a
``factoid``, a retrieval-only one when it has no answers, and a case with neither is ``unanswerable``);
``reference_contexts`` (optional) are the gold passages; ``asked_on`` (optional, ISO
date) is the day the question was asked, which ``rag eval`` passes to ``ask`` as ``as_of``. The
schema of a line is ``evals.cases.CaseRecord`` (pydantic). A malformed line is reported with its
line number, the field and what to write there, and skipped; the rest still load.

>>> suite = load_suite("seeds/suite.jsonl")   # doctest: +SKIP
>>> len(suite.cases), suite.problems
(27, [])
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from evals import importers
from evals.cases import (
    DEFAULT_SEED,
    TYPES,
    Case,
    CaseRecord,
    CorpusRecord,
    Problem,
    Suite,
    SuiteError,
    case_from_record,
    iter_jsonl,
)

__all__ = ["DEFAULT_SEED", "TYPES", "Case", "CaseRecord", "CorpusRecord", "Problem", "Suite", "SuiteError",
           "case_from_record", "contexts_as_corpus", "detect_format", "iter_jsonl", "load_suite", "write_corpus"]

log = logging.getLogger(__name__)


# --- our JSONL ---------------------------------------------------------------------------------


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


FORMATS_HELP = ("our JSONL (one JSON object per line: id, question, answers, article, type), SQuAD JSON, "
                "ragas JSONL/JSON or LlamaIndex LabelledRagDataset JSON (README, Suite formats)")
_CSV_HEADER = re.compile(r"^\ufeff?\s*[\"']?\w[\w ]*[\"']?\s*([,;\t]\s*[\"']?\w[\w ]*[\"']?\s*)+$")


def _not_csv(path: Path, raw: str) -> None:
    """A CSV/TSV suite is one clear error, not "not valid JSON" on every line: by its name, or by a
    header-like first line (``id,question,answers``) when no line of the file is JSON."""
    first = next((line for line in raw.splitlines() if line.strip()), "")
    looks = path.suffix.lower() in (".csv", ".tsv") or (
        bool(_CSV_HEADER.match(first)) and all(err for _, _, err in iter_jsonl(raw)))
    if looks:
        raise SuiteError(f"{path}: looks like CSV, and CSV suites are not supported; convert it to {FORMATS_HELP}")


def load_suite(path: str | Path, *, fmt: str | None = None) -> Suite:
    """Read a suite in any supported format (``fmt`` forces one: ours, squad, ragas, llamaindex)."""
    p = Path(path).expanduser()
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SuiteError(f"{p}: no such suite file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{p}: cannot read the suite ({exc})") from exc
    _not_csv(p, raw)
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
