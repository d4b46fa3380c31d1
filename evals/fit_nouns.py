"""Fit how alike the noun after a number must be to what a how-many question counts
(``rag/fitted/nouns.json``, read by ``rag.short_answer.counts_other``).

    python -m evals.fit_nouns             # after `python -m evals.fit_answerer` (its kept retrievals)
    python -m evals.fit_nouns --dry-run   # report, write nothing

"How many staff work for Varig?" over "Varig operates in 18 countries": 18 counts countries, not
staff, so it is no candidate answer, and when no sentence holds a count of staff the question is
refused (``rag.extractive.lacks_figure``). The same word is easy ("18 staff"); a different word
may still be the thing asked ("65 lives" for deaths, "12 civilians" for people), so the two are
compared by the cosine of their embeddings (the bundled model), and a noun whose cosine is under
``threshold`` counts something else.

Data: the how-many questions of ``evals.fit_answerer``'s kept retrievals (RealTime QA, the BBC
paraphrase suite, SQuAD), every number in their passages followed by a plural noun that is not the
asked one:

* *right*: the number is a gold answer of an answerable question (must be kept);
* *other*: any number of an unanswerable question (on-topic, or with its gold articles removed),
  and any non-gold number of an answerable one (mostly counts of other things; some count the
  asked thing in another story, so "other dropped" cannot reach 1).

The threshold chosen is the highest at which at most ``--max-right-dropped`` of the tuning slice's
right numbers are dropped. The checking slice is reported beside it, never fitted on.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from evals.fit_answerer import ROOT, Retrieved, bundled_embedder, kept_retrievals

log = logging.getLogger(__name__)

GRID = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def pairs(data: Sequence[Retrieved], embed: Any) -> list[dict[str, Any]]:
    """Every (asked noun, counted noun) pair of the how-many questions, labelled and scored with the
    product's own cosine (``rag.short_answer.COUNTED``)."""
    from evals.metrics import contains_answer
    from rag import short_answer as sa
    from rag.text import terms

    out = []
    with sa.COUNTED.using(embed):
        for r in data:
            q = r.question
            asked = sa.asked_noun(q.text) if sa.counts(q.text) else None
            if not asked or sa.wanted_type(q) != "number":
                continue
            for p in r.passages:
                for a, b in p.sentences or ((p.start, p.end),):
                    sentence = p.text[a - p.start : b - p.start]
                    for c in sa._candidates(q.text, q.stems, q.atype, sentence):
                        noun = sa.counted_noun(sentence, c.end)
                        if c.bound or not noun or set(terms(noun)) & set(terms(asked)):
                            continue
                        right = bool(r.label and r.answers and contains_answer(c.phrase, list(r.answers)))
                        out.append({"dataset": r.dataset, "split": r.split, "case": r.case_id, "asked": asked.lower(),
                                    "noun": noun.lower(), "phrase": c.phrase, "right": right,
                                    "cosine": sa.COUNTED.cosine(asked, noun)})
    return out


def table(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per threshold: the share of right numbers dropped, and of the others."""
    right = [r for r in rows if r["right"]]
    other = [r for r in rows if not r["right"]]
    return [{"threshold": t,
             "right_dropped": round(sum(r["cosine"] < t for r in right) / max(1, len(right)), 3), "right": len(right),
             "other_dropped": round(sum(r["cosine"] < t for r in other) / max(1, len(other)), 3), "other": len(other)}
            for t in GRID]


def main(argv: Sequence[str] | None = None) -> int:
    from rag.short_answer import NOUNS_FITTED

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=NOUNS_FITTED)
    ap.add_argument("--max-right-dropped", type=float, default=0.05)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # progress on stderr, the table on stdout

    data = kept_retrievals()
    rows = pairs(data, bundled_embedder())
    tune = table([r for r in rows if r["split"] == "tune"])
    check = table([r for r in rows if r["split"] == "check"])
    ok = [t["threshold"] for t in tune if t["right_dropped"] <= args.max_right_dropped]
    chosen = max(ok) if ok else min(GRID)
    sys.stdout.write(report_text(tune, check, chosen))  # the command's output: the CLI edge
    if args.dry_run:
        return 0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    fitted = {"version": 1, "threshold": chosen,
              "fitted_on": {"date": date.today().isoformat(), "commit": commit, "script": "python -m evals.fit_nouns",
                            "max_right_dropped": args.max_right_dropped, "tuning": tune, "checking": check}}
    args.out.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
    log.info("wrote %s", args.out)
    return 0


def report_text(tune: Sequence[dict[str, Any]], check: Sequence[dict[str, Any]], chosen: float) -> str:
    """Per threshold, right and other numbers dropped on both slices; the chosen one marked."""
    lines = ["threshold  tuning: right dropped  other dropped  |  checking: right dropped  other dropped"]
    for t, c in zip(tune, check, strict=True):
        lines.append(f"{t['threshold']:>9}  {t['right_dropped']:>12} ({t['right']})  {t['other_dropped']:>9} ({t['other']})"
                     f"  |  {c['right_dropped']:>12} ({c['right']})  {c['other_dropped']:>9} ({c['other']})"
                     + ("   <- chosen" if t["threshold"] == chosen else ""))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
