"""Choose claim verification's support threshold (``rag.verify.SUPPORT_MIN``) and the offline
fallback's bar (``rag.api.FALLBACK_MIN_CONFIDENCE``) on real model answers.

    python -m benchmarks.answerers --subset-store --split tune --limit 80 --unanswerable-share 0.25 --answerers local
    python -m evals.fit_verify /tmp/rag-bench/answerers/rows-realtimeqa-tune-subset-local_default.json

The rows a ``benchmarks.answerers`` run keeps hold what the model wrote for each question. Each
question's passages are retrieved again from the same store, as of its ``asked_on`` (the run
records the chunk ids it saw; questions whose passages changed since are counted and skipped), and
every claim of the model's answer is labelled from the gold answers:

* *right*: the question is answerable and the claim states a gold answer;
* *wrong*: the question is unanswerable, or the model's whole answer states no gold answer (an
  invented or mistaken answer; some such claims are true statements of a passage that answer
  nothing, which verification rightly keeps, so "wrong removed" cannot reach 1).

For each threshold it prints the share of right claims kept, of wrong claims removed, and of
answerable questions left with no supported claim (refused). Then, for each bar of the fallback
(when verification removed everything the model wrote, the offline answer stands in if its
P(answerable) reaches the bar), the whole product path replayed (``Recorded``): containment, correct
and wrong refusals; the bar chosen is the highest whose wrong refusals stay within ``--max-wrong``
(the local-model issue's target, 0.10). Tuning questions only: the checking slice is for
``benchmarks.answerers`` figures.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

GRID = (0.3, 0.4, 0.5, 0.6, 0.7)
FALLBACK_GRID = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: never fall back


class Recorded:
    """An answerer that replays what a generating answerer wrote (kept rows' ``model_wrote``) through
    the same reply reader, so a change to verification is measured on the model's real answers
    without running the model again. Questions it has no recording of are refused."""

    def __init__(self, rows: list[dict[str, Any]], name: str, top_k: int) -> None:
        self.by_question = {r["question"]: r for r in rows}
        self.name = name
        self.top_k = top_k  # the passages the model was shown (their numbers are the valid markers)
        self.missing = 0  # questions asked that were never recorded (replayed as refusals)
        self.changed = 0  # questions whose passages differ from the recording's (markers may point elsewhere)

    def stream(self, question: str, passages: Any, **_: Any) -> Any:
        from rag.prompt import ReplyReader

        row = self.by_question.get(question)
        self.missing += row is None
        if row is not None and "passage_ids" in row and [p.chunk_id for p in passages] != row["passage_ids"]:
            self.changed += 1
        reader = ReplyReader({p.n for p in list(passages)[: self.top_k]})
        out = reader.feed(row["model_wrote"] if row else "")
        if out:
            yield out
        tail = reader.finish()
        if tail:
            yield tail
        yield reader.draft(messages=(), usage={})


def claims_table(rows: Sequence[dict[str, Any]], rag: Any, asked: dict[str, str | None]) -> list[dict[str, Any]]:
    """Per question: its passages now, what the model wrote, and whether it is answerable."""
    out = []
    for r in rows:
        if not r.get("model_wrote"):
            continue
        day = asked.get(r["id"])
        passages = rag.search(r["question"], as_of=date.fromisoformat(day[:10]) if day else None)
        same = [p.chunk_id for p in passages] == r.get("passage_ids", [p.chunk_id for p in passages])
        out.append({"row": r, "passages": passages, "same": same})
    return out


def score(table: Sequence[dict[str, Any]], support_min: float) -> dict[str, float]:
    from evals.metrics import contains_answer
    from rag import verify as v

    saved = v.SUPPORT_MIN
    v.SUPPORT_MIN = support_min
    try:
        right = right_kept = wrong = wrong_removed = answerable = refused = 0
        for t in table:
            r, passages = t["row"], t["passages"]
            checked = v.verify(r["model_wrote"], passages, r["question"])
            ok = bool(r["answers"]) and r["type"] != "unanswerable"
            model_right = ok and bool(contains_answer(r["model_wrote"], r["answers"]))
            kept_claims = [_bare(c) for c in v.split_claims(checked.text)]
            for claim in v.split_claims(r["model_wrote"]):
                body = _bare(claim)
                # what of it the answer still says: all of it, or the head verification kept (None: removed)
                said = next((k for k in kept_claims if k and (body.startswith(k) or k.startswith(body))), None)
                if ok and contains_answer(body, r["answers"]):
                    right += 1
                    right_kept += said is not None and bool(contains_answer(said, r["answers"]))
                elif not model_right:
                    wrong, wrong_removed = wrong + 1, wrong_removed + (said is None)
            if ok:
                answerable += 1
                refused += not checked.citations
    finally:
        v.SUPPORT_MIN = saved
    return {"support_min": support_min, "right_kept": round(right_kept / max(right, 1), 3), "right": right,
            "wrong_removed": round(wrong_removed / max(wrong, 1), 3), "wrong": wrong,
            "answerable_refused": round(refused / max(answerable, 1), 3), "answerable": answerable}


def _bare(claim: str) -> str:
    """A claim without its markers, spacing and closing punctuation, for comparing kept and written text."""
    from rag.text import MARKER

    return re.sub(r"\s+", " ", MARKER.sub("", claim)).strip().rstrip(".!?\"'”’) ").replace(" ,", ",")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rows", type=Path, help="a rows file of benchmarks.answerers (a tuning-slice run)")
    ap.add_argument("--max-wrong", type=float, default=0.10, help="wrong refusals allowed for the fallback bar")
    args = ap.parse_args(argv)
    from evals.fit_answerer import split_for, subset_files
    from evals.store import open_store

    kept = json.loads(args.rows.read_text(encoding="utf-8"))
    if kept.get("args", {}).get("subset_store") != "True":
        print("rows must come from a --subset-store run (its store and questions are the ones reopened here)",
              file=sys.stderr)
        return 2
    corpus, suite = subset_files()
    asked = {}
    for line in suite.open(encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            asked[row["id"]] = row.get("asked_on")
    rag, _ = open_store([str(corpus)])
    rows = [r for name, rs in kept["rows"].items() if not name.startswith("extractive") for r in rs]
    if any(split_for(asked.get(r["id"]), r["id"]) == "check" for r in rows):
        print("these rows include checking-slice questions: fit on a --split tune run", file=sys.stderr)
        return 2
    table = claims_table(rows, rag, asked)
    changed = sum(not t["same"] for t in table)
    table = [t for t in table if t["same"]]
    print(f"{len(table)} answers ({changed} skipped: their passages changed since the run)")
    print("support_min  right kept  wrong removed  answerable refused")
    for m in GRID:
        s = score(table, m)
        print(f"{m:>11}  {s['right_kept']:>6} ({s['right']})  {s['wrong_removed']:>8} ({s['wrong']})"
              f"  {s['answerable_refused']:>9} ({s['answerable']})")
    print(f"\nfallback bar  containment  correct refusals  wrong refusals   (chosen: highest with wrong <= {args.max_wrong})")
    grid = fallback_grid(rag, rows, kept["args"])
    ok = [g["bar"] for g in grid if g["wrong_refusal_rate"] <= args.max_wrong]
    for g in grid:
        print(f"{g['bar']:>12}  {g['containment']:>11.3f}  {g['correct_refusal_rate']:>16.2f}  {g['wrong_refusal_rate']:>14.3f}"
              + ("   <- chosen" if ok and g["bar"] == max(ok) else ""))
    return 0


def fallback_grid(rag: Any, rows: Sequence[dict[str, Any]], run_args: dict[str, str]) -> list[dict[str, float]]:
    """The product path replayed per fallback bar, on the questions the rows' run picked."""
    import contextlib
    import io

    import benchmarks.answerers as bench
    from rag import api

    from evals.fit_answerer import subset_files

    cases = bench.pick_cases(int(run_args["limit"]), int(run_args["seed"]), float(run_args["unanswerable_share"]),
                             run_args.get("split", "tune"), subset_files()[1])
    saved = api.FALLBACK_MIN_CONFIDENCE
    out = []
    try:
        for bar in FALLBACK_GRID:
            api.FALLBACK_MIN_CONFIDENCE = bar
            with contextlib.redirect_stdout(io.StringIO()):  # its per-question progress lines
                s = bench.summarise(bench.run_answerer("replay", rag, Recorded(list(rows), "local", rag.settings.local_top_k),
                                                       cases, None))
            out.append({"bar": bar, **{k: round(s[k] or 0.0, 4) for k in
                                       ("containment", "correct_refusal_rate", "wrong_refusal_rate")}})
    finally:
        api.FALLBACK_MIN_CONFIDENCE = saved
    return out


if __name__ == "__main__":
    raise SystemExit(main())
