"""Which passages the local model should read: the share of answerable RealTime QA questions whose
gold answer is in the first ``RAG_LOCAL_TOP_K`` passages, by the per-story and per-article caps.

The local answerer reads only the first three passages (its prompt time grows with each), and the
retrieval cap allows three from one story, so near-copies of one wire story from several outlets
can fill all three. A tighter cap gives the model more stories; whether that puts the answer in
front of it more often is measured here, retrieval only (no model run):

    python -m evals.local_passages          # tuning slice; --split check for the checking slice

Measured (Nov 26, 194 tuning / 75 checking questions): per story 3 / 2 / 1 -> answer in the
three passages 0.861 / 0.845 / 0.809 (tuning), 0.853 / 0.880 / 0.880 (checking). The tuning slice
decides: the cap stays at 3 (``RAG_PER_STORY``), diversity costs the model more answers than it adds.
Needs the RealTime QA subset store that ``python -m evals.fit_answerer`` builds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

CAPS = ((3, 3), (2, 3), (1, 3), (2, 2), (1, 1))  # (per story, per article)


def answer_shares(split: str = "tune", caps: Sequence[tuple[int, int]] = CAPS) -> tuple[int, int, list[float]]:
    """(questions, passages read, share of them with a gold answer in those passages per cap in ``caps``)."""
    from evals.fit_answerer import split_of, subset_files
    from evals.metrics import contains_answer
    from evals.store import open_store
    from evals.suite import load_suite
    from rag.evidence import prepare
    from rag.retrieve import retrieve
    from rag.timewindow import understand

    corpus, suite = subset_files()
    rag, _ = open_store([str(corpus)])
    k = rag.settings.local_top_k
    cases = [c for c in load_suite(suite).cases if c.answerable and c.answers and split_of(c) == split]
    shares = []
    for per_story, per_article in caps:
        hits = 0
        for c in cases:
            q = prepare(c.question, rag.store.doc_freqs, rag.store.n_lexical())
            got = retrieve(rag.store, c.question, embed=rag.collection.embedder, top_k=k, per_story=per_story,
                           per_article=per_article, question=q, time_window=understand(c.question, c.as_of),
                           as_of=c.as_of)
            hits += bool(contains_answer(" ".join(p.text for p in got.passages), c.answers))
        shares.append(hits / len(cases))
    return len(cases), k, shares


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("tune", "check"), default="tune")
    args = ap.parse_args(argv)
    n, k, shares = answer_shares(args.split)
    lines = [f"{n} answerable {args.split} questions, the first {k} passages",
             "per story  per article  answer in the passages",
             *(f"{story:>9}  {article:>11}  {share:.3f}" for (story, article), share in zip(CAPS, shares, strict=True))]
    sys.stdout.write("\n".join(lines) + "\n")  # the command's output: the CLI edge, as in evals.fit_phrases
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
