"""Fit the offline answerer: its sentence ranker (``rag/fitted/sentences.json``) and its
answer-or-refuse model (``rag/fitted/answerer.json``), and report both on tuning and checking slices.

    python -m evals.fit_answerer                      # the default dev sets (below), writes the JSONs
    python -m evals.fit_answerer --dry-run            # fit and report, write nothing
    python -m evals.fit_answerer --reuse              # refit from the last run's retrieved passages

Every question is run once through the product's retrieval (``RAG.search`` over an isolated eval
store, as of the case's ``asked_on``: the passages ``ask`` answers from), and the passages, the
question's vector and the embeddings of the first stage's best sentences (for the refusal model's
``dense_sentence``) are kept (a pickle in the
eval cache), so refitting after a change to the answerer's features takes seconds, not a rerun.

* The sentence ranker is a conditional logit (a softmax over each question's candidate sentences,
  maximising the probability of the sentences that hold a gold answer inside a gold article), fitted
  on the answerable tuning questions with short answers; then the likelihood ratios at which a second
  sentence joins the answer are chosen on the same slice (containment + citation article precision).
* The answer-or-refuse model is a logistic regression over the evidence of the ranked best sentence
  (``rag.confidence.FEATURES``), answerable vs unanswerable.

The datasets:

* RealTime QA dev (``../shared/corpora/realtimeqa-dev``): news questions, 77 of them unanswerable
  on-topic (their answer's articles were removed from the corpus);
* the same RealTime QA answerable questions and a SQuAD sample with their gold articles filtered
  out of retrieval: the collection still covers the topic, the answer is gone;
* any extra suite given with ``--suite PATH --corpus PATH`` (e.g. our BBC paraphrase suite).

Every dataset is split into a *tuning* slice, the only one the weights and the threshold see, and a
*checking* slice reported separately: by week for suites with ``asked_on`` (a question never shares
its week's news with the other slice), else by a hash of the case id. The threshold written as the
default is the highest one whose wrong refusals on the tuning slice stay within ``--max-wrong``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import pickle
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from evals.suite import Case, load_suite
from rag.confidence import FEATURES, FITTED
from rag.extractive import SENTENCES_FITTED

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass(frozen=True)
class Retrieved:
    """One question as the answerer sees it: what ``collect`` keeps and every fit reads."""

    dataset: str
    case_id: str
    split: str  # "tune" | "check"
    label: int  # 1 = answerable from the collection
    answers: tuple[str, ...]
    articles: tuple[str, ...]  # gold article references (``evals.metrics.matches_article``)
    short_answers: bool  # the answers are short spans (containment applies)
    question: Any  # rag.evidence.Question
    passages: tuple[Any, ...]  # rag.types.Passage, in rank order
    query_vector: Any  # np.ndarray | None
    embeddings: dict[str, Any]  # sentence text -> its vector (the first stage's best sentences)
    as_of: date | None = None  # the case's ``asked_on`` (None: asked today); rows kept before it: ``_dated``


@dataclass(frozen=True)
class Example:
    dataset: str
    case_id: str
    split: str  # "tune" | "check"
    label: int  # 1 = answerable from the collection
    features: dict[str, float]
    refused_early: bool = False  # nothing retrieved, or no sentence to score: refused whatever the model says


def split_of(case: Case) -> str:
    """'check' for one week in three (suites with asked_on), else one case id in three."""
    return split_for(case.asked_on, case.id)


def split_for(asked_on: str | None, case_id: str) -> str:
    """``split_of`` from the two fields it reads (for fitters that hold no ``Case``)."""
    key = _week(asked_on) if asked_on else case_id
    return "check" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 3 == 0 else "tune"


COLLECTED = 30  # first-stage sentences embedded per question by ``collect``


def collect(rag: Any, cases: Iterable[Case], dataset: str, *, drop_gold: bool = False,
            candidates: int = COLLECTED) -> list[Retrieved]:
    """Run each case's question through retrieval (as of its ``asked_on``) and keep what the answerer
    sees, with the embeddings of the first stage's best ``candidates`` sentences.

    ``drop_gold``: retrieve from every article except the case's gold ones, labelled unanswerable."""
    import numpy as np

    from rag.types import Filters

    db = rag.collection.db
    embed = rag.collection.embedder
    all_ids: list[str] | None = None
    out: list[Retrieved] = []
    for case in cases:
        filters = None
        label = 1 if case.answerable else 0
        if drop_gold:
            if not case.answerable or not case.articles:
                continue
            gold = {db.resolve(a) for a in case.articles} - {None}
            if not gold:
                continue
            all_ids = all_ids or [a.id for a in db.list_articles(limit=10**9)]
            filters = Filters(article_ids=tuple(a for a in all_ids if a not in gold))
            label = 0
        query = rag.search_query(case.question)
        passages = rag.search(query, filters=filters, as_of=case.as_of)
        q = rag.extractive.prepare(case.question)
        texts = list(dict.fromkeys(s.text for s in rag.extractive.score(q, passages)[:candidates]))
        vectors = embed([query, *texts]) if texts else embed([query])
        out.append(Retrieved(
            dataset + ("-dropgold" if drop_gold else ""), case.id, split_of(case), label, tuple(case.answers),
            tuple(case.articles), case.short_answers, q, tuple(passages), np.asarray(vectors[0], dtype=np.float32),
            {t: np.asarray(v, dtype=np.float16) for t, v in zip(texts, vectors[1:], strict=True)}, case.as_of,
        ))
    return out


def _answerer(r: Retrieved, sentences: Any, refusal: Any = None) -> Any:
    """An ``ExtractiveAnswerer`` whose embedder reads ``r``'s kept sentence vectors."""
    import numpy as np

    from rag.extractive import ExtractiveAnswerer

    def embed(texts: Sequence[str]) -> Any:
        return np.array([r.embeddings[t] for t in texts], dtype=np.float32)

    return ExtractiveAnswerer(embed=embed, sentences=sentences, model=refusal, nouns=bundled_embedder())


def kept_retrievals() -> list[Retrieved]:
    """The retrievals ``fit_answerer`` kept (what ``fit_phrases`` and ``fit_nouns`` fit on)."""
    kept = cache_dir() / "fit_answerer-retrieved.pkl"
    if not kept.is_file():
        raise SystemExit(f"{kept} is missing: run `python -m evals.fit_answerer` first (it keeps the retrievals)")
    with kept.open("rb") as fh:
        return [Retrieved(**row) for row in pickle.load(fh)]  # noqa: S301 - our own cache file


@lru_cache(maxsize=1)
def bundled_embedder() -> Any:
    """The bundled model, which tells counted nouns apart in the product (``RAG``) and the fits alike."""
    from index.embed import make_embedder
    from rag.settings import load_settings

    return make_embedder(load_settings(embedder="local"))


@dataclass(frozen=True)
class Block:
    """One answerable question's candidate sentences: features, labels, and what the answer rule needs."""

    retrieved: Retrieved
    cands: list[Any]  # rag.extractive.Scored, first-stage order
    x: Any  # np.ndarray (candidates x SENTENCE_FEATURES)
    y: Any  # np.ndarray: 1 = holds a gold answer, in a gold article
    gold: list[bool]  # the candidate's article is a gold article


def sentence_blocks(data: Sequence[Retrieved], candidates: int) -> list[Block]:
    """The sentence ranker's training and checking data: answerable questions with short answers."""
    import numpy as np

    from evals.metrics import contains_answer, matches_article
    from rag.extractive import ExtractiveAnswerer, sentence_features

    first_stage = ExtractiveAnswerer()
    out = []
    for r in data:
        if not (r.label and r.short_answers and r.answers and r.passages):
            continue
        first = first_stage.score(r.question, r.passages)
        if not first:
            continue
        cands = first[:candidates]
        gold = [any(matches_article(g, c.passage.article_id, c.passage.source) for g in r.articles) or not r.articles
                for c in cands]
        y = np.array([float(ok and contains_answer(c.text, r.answers)) for c, ok in zip(cands, gold, strict=True)])
        out.append(Block(r, cands, sentence_features(r.question, r.passages, cands), y, gold))
    return out


def fit_sentences(blocks: Sequence[Block], l2: float = 1.0) -> list[float]:
    """Conditional logit: per question, softmax over its candidates; maximise log P(a gold sentence)
    with an L2 penalty on standardised features (scipy's L-BFGS; scikit-learn has no grouped softmax)."""
    import numpy as np
    from scipy.optimize import minimize

    used = [b for b in blocks if b.y.sum() > 0]
    stacked = np.vstack([b.x for b in used])
    mu, sd = stacked.mean(0), stacked.std(0) + 1e-6
    zs = [((b.x - mu) / sd, b.y > 0) for b in used]

    def loss(w: Any) -> tuple[float, Any]:
        value, grad = 0.5 * l2 * float(w @ w), l2 * w
        for z, pos in zs:
            s = z @ w
            e = np.exp(s - s.max())
            p, pp = e / e.sum(), e[pos] / e[pos].sum()
            value -= float(np.log(e[pos].sum()) - np.log(e.sum()))
            grad = grad - (z[pos].T @ pp - z.T @ p)
        return value, grad

    w = minimize(loss, np.zeros(stacked.shape[1]), jac=True, method="L-BFGS-B").x
    return [float(v) for v in w / sd]  # raw feature scale (a constant shift does not change a softmax)


def answer_rule(blocks: Sequence[Block], sentences: Any, max_sentences: int = 2) -> dict[str, float]:
    """Containment and citation article precision of the answers ``sentences`` would give."""
    from dataclasses import replace

    from evals.metrics import contains_answer
    from rag.extractive import SENTENCE_FEATURES

    contained = cited = gold = 0.0
    for b in blocks:
        ans = _answerer(b.retrieved, sentences)
        ans.max_sentences = max_sentences
        logits = sentences.scores(b.x)
        own = b.x[:, SENTENCE_FEATURES.index("own")]
        ranked = sorted((replace(c, score=float(z), own=float(o)) for c, z, o in zip(b.cands, logits, own, strict=True)),
                        key=lambda c: c.score, reverse=True)
        chosen = ans.choose(ranked)
        contained += contains_answer(" ".join(c.text for c in chosen), b.retrieved.answers)
        gold_of = {(c.passage.chunk_id, c.span): g for c, g in zip(b.cands, b.gold, strict=True)}
        arts = {c.passage.article_id: gold_of[(c.passage.chunk_id, c.span)] for c in chosen}
        cited += len(arts)
        gold += sum(arts.values())
    n = len(blocks) or 1
    return {"n": len(blocks), "containment": round(contained / n, 4),
            "citation_article_precision": round(gold / cited, 4) if cited else None,
            "top1": round(sum(float(b.y[int((sentences.scores(b.x)).argmax())]) for b in blocks) / n, 4)}


def examples(data: Sequence[Retrieved], sentences: Any) -> list[Example]:
    """The answer-or-refuse model's data: the evidence features of every question's ranked best sentence."""
    from rag.confidence import RefusalModel

    from rag.timewindow import reported_in, understand

    dummy = RefusalModel(FEATURES, (0.0,) * len(FEATURES), 0.0, 0.5, 1, {})
    out = []
    for r in data:
        as_of = r.as_of or date.today()  # as ``RAG.ask`` reads the question's period: against its reference date
        reported = reported_in(understand(r.question.text, as_of), as_of)
        _, feats = _answerer(r, sentences, dummy).evidence(r.question, r.passages, r.query_vector, reported)
        if feats is None:
            out.append(Example(r.dataset, r.case_id, r.split, r.label, dict.fromkeys(FEATURES, 0.0), True))
        else:
            out.append(Example(r.dataset, r.case_id, r.split, r.label, feats))
    return out


def fit(examples: Sequence[Example], c: float = 1.0) -> tuple[list[float], float]:
    """Logistic regression (scikit-learn), classes balanced so the rarer unanswerables weigh as much."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([[e.features[f] for f in FEATURES] for e in examples if not e.refused_early])
    y = np.array([e.label for e in examples if not e.refused_early])
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x, y)
    return [float(w) for w in model.coef_[0]], float(model.intercept_[0])


def fit_added(examples: Sequence[Example], in_use: Path, name: str, c: float = 1.0) -> tuple[list[float], float]:
    """The weight of one feature, ``name``, alone, with the other weights and the bias of the model in use
    (``in_use``, fitted before ``name`` was a feature, or with it): a feature added so that only the decisions it
    bears on move. ``fit``'s objective (logistic loss, classes balanced, its L2 penalty at ``c``) in that one
    weight, minimised by Newton's method (convex in one dimension).

    Why not refit all the weights (``fit``): with ``dated_outside`` added (Nov 29) a full refit caught more
    unanswerable RealTime QA questions (tuning 0.33 -> 0.45), but the weights of the other features relaxed, as the
    new one explained part of what they had, so questions naming no period were refused less: the BBC on-topic
    unanswerable questions, which name none, 0.30 -> 0.26 (tuning) and 0.23 -> 0.19 (checking), by ``rag eval``."""
    import numpy as np

    raw = json.loads(in_use.read_text(encoding="utf-8"))
    kept = dict(zip(raw["features"], (float(w) for w in raw["weights"]), strict=True))
    lacking = sorted(set(FEATURES) - set(kept) - {name})
    if lacking:
        raise SystemExit(f"{in_use} has no weight for {lacking}: refit all of them (without --only)")
    bias = float(raw["bias"])
    used = [e for e in examples if not e.refused_early]
    x = np.array([e.features[name] for e in used])
    y = np.array([e.label for e in used], dtype=float)
    base = np.array([bias + sum(kept[f] * e.features[f] for f in FEATURES if f != name) for e in used])
    n, pos = len(y), float(y.sum())
    balanced = np.where(y == 1, n / (2 * pos), n / (2 * (n - pos)))
    w = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(base + w * x)))
        step = (w + c * np.sum(balanced * (p - y) * x)) / (1.0 + c * np.sum(balanced * p * (1 - p) * x * x))
        w -= step
        if abs(step) < 1e-10:
            break
    return [float(w) if f == name else kept[f] for f in FEATURES], bias


def curve(examples: Sequence[Example], weights: Sequence[float], bias: float) -> list[dict[str, float]]:
    """Correct refusals (unanswerable refused) and wrong refusals (answerable refused) per threshold."""
    from rag.confidence import RefusalModel

    model = RefusalModel(FEATURES, tuple(weights), bias, 0.5, 1, {})
    probs = [(0.0 if e.refused_early else model.probability(e.features), e.label) for e in examples]
    pos = [p for p, y in probs if y == 1]
    neg = [p for p, y in probs if y == 0]
    rows = []
    for t in THRESHOLDS:
        rows.append({
            "threshold": t,
            "wrong_refusal_rate": round(sum(p < t for p in pos) / len(pos), 4) if pos else None,
            "correct_refusal_rate": round(sum(p < t for p in neg) / len(neg), 4) if neg else None,
        })
    return rows


def choose_threshold(rows: Sequence[dict[str, float]], max_wrong: float) -> float:
    ok = [r["threshold"] for r in rows if r["wrong_refusal_rate"] is not None and r["wrong_refusal_rate"] <= max_wrong]
    return max(ok) if ok else THRESHOLDS[0]


def rtqa_subset(rtqa: Path, share: float, neighbours: int = 3) -> tuple[list[Case], Path]:
    """A reproducible part of RealTime QA: the questions of ``share`` of its weeks, and a corpus of
    their gold articles plus, per question, the ``neighbours`` articles most like it by TF-IDF (the
    on-topic noise that makes refusing hard). The whole corpus (3,359 articles, ~33k chunks) takes
    20+ minutes to embed on 2 cores; this keeps the questions' own topics at a fraction of it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    cases = [c for c in load_suite(rtqa / "suite.jsonl").cases
             if c.asked_on and _bucket(_week(c.asked_on)) < share]
    rows = [json.loads(line) for line in (rtqa / "corpus.jsonl").open(encoding="utf-8") if line.strip()]
    keep = {r["id"] for r in rows if any(r["id"] in c.articles or r.get("url") in c.articles for c in cases)}
    vec = TfidfVectorizer(stop_words="english", max_features=200_000, sublinear_tf=True)
    docs = vec.fit_transform([r["title"] + " " + r["text"][:4000] for r in rows])
    sims = (vec.transform([c.question for c in cases]) @ docs.T).toarray()
    for row in sims:
        keep.update(rows[j]["id"] for j in row.argsort()[::-1][:neighbours])
    out = cache_dir() / f"realtimeqa-subset-{share}-{neighbours}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for r in rows:
            if r["id"] in keep:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    # its questions too, for `rag eval run SUITE --corpus CORPUS` (kept in the cache: the data is not ours to commit)
    ids = {c.id for c in cases}
    with out.with_suffix(".suite.jsonl").open("w", encoding="utf-8") as fh:
        for line in (rtqa / "suite.jsonl").open(encoding="utf-8"):
            if line.strip() and json.loads(line)["id"] in ids:
                fh.write(line)
    return cases, out


def subset_files(share: float = 0.5, neighbours: int = 3) -> tuple[Path, Path]:
    """The corpus and suite files ``rtqa_subset`` writes (the store ``rag eval`` figures and the
    local-model tuning runs use)."""
    corpus = cache_dir() / f"realtimeqa-subset-{share}-{neighbours}.jsonl"
    return corpus, corpus.with_suffix(".suite.jsonl")


def cache_dir() -> Path:
    from evals.store import cache_root

    return cache_root() / "subsets"


def _week(day: str) -> str:
    iso = date.fromisoformat(day[:10]).isocalendar()
    return f"{iso.year}-{iso.week}"


def _bucket(key: str) -> float:
    """A stable number in [0, 1) for ``key``."""
    return int(hashlib.sha256(("subset:" + key).encode()).hexdigest(), 16) % 1000 / 1000


#: the BBC suites fitted on. Not ``bbc-heldout*`` nor ``bbc-ontopic`` (100 paraphrased and 100 on-topic
#: unanswerable questions over articles no other suite uses, Nov 2026): fitted on with the others, it
#: moved the refusal model's on-topic correct refusals from 0.06 to 0.06-0.09 (its own and the
#: paraphrase suite's checking slices) and the checking containment of the other suites 0.797 -> 0.775
#: (262 questions): the evidence features cannot tell a question the articles do not answer from one
#: they do when both share the article's names and words (``evals/HISTORY.md``, Nov 27), so it stays a check
BBC_SUITES = ("bbc-paraphrase",)


def _datasets(args: argparse.Namespace) -> list[tuple[str, Path, list[str], bool]]:
    """(name, suite, corpus inputs, also a drop-gold variant?)"""
    out = []
    rtqa = SHARED / "realtimeqa-dev"
    if not args.no_rtqa and (rtqa / "suite.jsonl").is_file():
        out.append(("realtimeqa", rtqa / "suite.jsonl", [], True))
    for name in BBC_SUITES:  # our own paraphrased and on-topic unanswerable questions over the BBC corpus
        bbc = ROOT / "evals" / "suites" / f"{name}.jsonl"
        if not args.no_bbc and bbc.is_file() and (SHARED / "bbc-news" / "bbc").is_dir():
            out.append((name, bbc, [str(SHARED / "bbc-news" / "bbc")], False))
    squad = SHARED / "squad-v1.1-dev" / "dev-v1.1.json"
    if args.squad and squad.is_file():
        out.append(("squad", squad, [], True))
    for suite, corpus in zip(args.suite or [], args.corpus or [], strict=True):
        out.append((Path(suite).stem, Path(suite), [corpus], False))
    return out


def squad_cases(suite: Any, n: int) -> list[Case]:
    """``n`` SQuAD cases disjoint from the README's regression sample (the first 1,000 of Random(466))."""
    from evals.suite import DEFAULT_SEED

    held = {c.id for c in suite.sample(1000, DEFAULT_SEED).cases}
    rest = [c for c in suite.cases if c.id not in held]
    random.Random(2026).shuffle(rest)
    return rest[:n]


SECOND_GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.01)  # likelihood ratios tried for a second sentence (1.01: never)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=FITTED)
    ap.add_argument("--sentences-out", type=Path, default=SENTENCES_FITTED)
    ap.add_argument("--report", type=Path, default=ROOT / "evals" / "results" / "fit_answerer.json")
    ap.add_argument("--max-wrong", type=float, default=0.04, help="wrong refusals allowed on the tuning slice")
    ap.add_argument("--candidates", type=int, default=20, help="first-stage sentences the ranker scores per question")
    ap.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the sentence ranker (standardised features)")
    ap.add_argument("--squad", type=int, default=400, help="SQuAD questions (0 = none)")
    ap.add_argument("--no-rtqa", action="store_true")
    ap.add_argument("--rtqa-share", type=float, default=0.5, help="share of RealTime QA weeks used (see rtqa_subset)")
    ap.add_argument("--no-bbc", action="store_true")
    ap.add_argument("--suite", action="append", help="an extra suite (pairs with --corpus)")
    ap.add_argument("--corpus", action="append")
    ap.add_argument("--reuse", action="store_true", help="reuse the retrieved passages kept by the last run (collecting only the datasets they lack)")
    ap.add_argument("--keep-sentences", action="store_true",
                    help="refit only the answer-or-refuse model, over the sentence ranker in use (sentences.json kept)")
    ap.add_argument("--only", choices=FEATURES, metavar="FEATURE",
                    help="fit only this feature's weight, the others and the bias kept from --out (see fit_added)")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    t0 = time.time()
    kept = cache_dir() / "fit_answerer-retrieved.pkl"
    data: list[Retrieved] = []
    if args.reuse and kept.is_file():
        with kept.open("rb") as fh:  # rows of field values: readable whether this runs as __main__ or imported
            data = [Retrieved(**row) for row in pickle.load(fh)]  # noqa: S301 - our own cache file, written below
    data = _dated(data, args)
    have = {r.dataset.removesuffix("-dropgold") for r in data}
    missing = [d for d in _datasets(args) if d[0] not in have]
    if missing:  # everything without --reuse; with it, the datasets the kept retrievals lack
        data += _collect_all(args, missing)
        kept.parent.mkdir(parents=True, exist_ok=True)
        with kept.open("wb") as fh:
            pickle.dump([{f.name: getattr(r, f.name) for f in fields(r)} for r in data], fh)

    # 1. the sentence ranker, then the second-sentence bars, on the tuning slice
    from rag.extractive import SENTENCE_FEATURES, SentenceModel

    if args.candidates > COLLECTED:
        ap.error(f"--candidates {args.candidates}: at most {COLLECTED} (the sentences collect() embeds)")
    blocks = sentence_blocks(data, args.candidates)
    tune_blocks = [b for b in blocks if b.retrieved.split == "tune"]
    if args.keep_sentences:
        sentences = SentenceModel.load(args.sentences_out)
        weights_s, same, other = list(sentences.weights), sentences.second_same, sentences.second_other
    else:
        weights_s = fit_sentences(tune_blocks, args.l2)

        def model(same: float, other: float) -> SentenceModel:
            return SentenceModel(SENTENCE_FEATURES, tuple(weights_s), args.candidates, same, other, 1, {})

        def objective(m: SentenceModel) -> float:
            r = answer_rule(tune_blocks, m)
            return r["containment"] + (r["citation_article_precision"] or 0.0)

        same, other = max(((a, b) for a in SECOND_GRID for b in SECOND_GRID if b >= a),
                          key=lambda ab: objective(model(*ab)))
        sentences = model(same, other)
    lexical = SentenceModel(SENTENCE_FEATURES, tuple(float(f == "lexical") for f in SENTENCE_FEATURES),
                            args.candidates, 1.01, 1.01, 1, {})
    ranking: dict[str, dict[str, Any]] = {}
    for ds in sorted({b.retrieved.dataset for b in blocks}):
        for split in ("tune", "check"):
            part = [b for b in blocks if b.retrieved.dataset == ds and b.retrieved.split == split]
            ranking[f"{ds}/{split}"] = {"fitted": answer_rule(part, sentences),
                                        "first_stage_one_sentence": answer_rule(part, lexical)}

    # 2. the answer-or-refuse model over the ranked best sentence's evidence
    exs = examples(data, sentences)
    tune = [e for e in exs if e.split == "tune"]
    check = [e for e in exs if e.split == "check"]
    weights, bias = fit_added(tune, args.out, args.only) if args.only else fit(tune)
    tune_curve, check_curve = curve(tune, weights, bias), curve(check, weights, bias)
    threshold = choose_threshold(tune_curve, args.max_wrong)
    by_set: dict[str, dict[str, Any]] = {}
    per_set_curves: dict[str, list[dict[str, float]]] = {}
    for ds in sorted({e.dataset for e in exs}):
        for split in ("tune", "check"):
            part = [e for e in exs if e.dataset == ds and e.split == split]
            rows = curve(part, weights, bias)
            if split == "check":
                per_set_curves[ds] = rows
            row = next(r for r in rows if r["threshold"] == threshold)
            by_set[f"{ds}/{split}"] = {"n": len(part), "answerable": sum(e.label for e in part), **row}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    provenance = {
        "date": date.today().isoformat(), "commit": commit, "script": "python -m evals.fit_answerer",
        "datasets": sorted({r.dataset for r in data}),
    }
    fitted = {
        "version": 1,
        "features": list(FEATURES),
        "weights": [round(w, 6) for w in weights],
        "bias": round(bias, 6),
        "threshold": threshold,
        "fitted_on": {**provenance, "tune_examples": len(tune), "tune_answerable": sum(e.label for e in tune),
                      "max_wrong_refusals_tune": args.max_wrong, "sentence_ranker_kept": args.keep_sentences,
                      "only": args.only},
    }
    fitted_s = {
        "version": 1,
        "features": list(SENTENCE_FEATURES),
        "weights": [round(w, 6) for w in weights_s],
        "candidates": args.candidates,
        "second_same": same,
        "second_other": other,
        "fitted_on": {**provenance, "tune_questions": len(tune_blocks), "l2": args.l2,
                      "objective": "containment + citation_article_precision (tuning slice)"},
    }
    if args.keep_sentences:  # the ranker in use, as its file says (not refitted now)
        fitted_s = json.loads(args.sentences_out.read_text(encoding="utf-8"))
    report = {"fitted": fitted, "sentences": fitted_s, "ranking": ranking, "at_threshold": by_set,
              "tune_curve": tune_curve, "check_curve": check_curve, "check_curve_by_dataset": per_set_curves,
              "seconds": round(time.time() - t0, 1)}
    print(json.dumps({"sentence_weights": dict(zip(SENTENCE_FEATURES, fitted_s["weights"], strict=True)),
                      "second_same": same, "second_other": other, "ranking": ranking,
                      "weights": dict(zip(FEATURES, fitted["weights"], strict=True)), "bias": fitted["bias"],
                      "threshold": threshold, "at_threshold": by_set}, indent=1))
    print("threshold  tune wrong/correct   check wrong/correct")
    for a, b in zip(tune_curve, check_curve, strict=True):
        print(f"{a['threshold']:>9}  {a['wrong_refusal_rate']!s:>6} {a['correct_refusal_rate']!s:>6}"
              f"        {b['wrong_refusal_rate']!s:>6} {b['correct_refusal_rate']!s:>6}")
    if not args.dry_run:
        written = ((args.out, fitted), (args.report, report)) if args.keep_sentences else \
            ((args.out, fitted), (args.sentences_out, fitted_s), (args.report, report))
        for path, obj in written:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(obj, indent=1) + "\n", encoding="utf-8")
        print("wrote " + ", ".join(str(path) for path, _ in written), file=sys.stderr)
    return 0


def _dated(data: list[Retrieved], args: argparse.Namespace) -> list[Retrieved]:
    """``data`` with each row's ``as_of`` read from its case (rows kept before ``Retrieved`` held it lack it;
    only suites with ``asked_on`` have any)."""
    asked: dict[str, date] = {}
    for name, path, _, _ in _datasets(args):
        if name != "squad":  # no dates there
            asked.update((c.id, c.as_of) for c in load_suite(path).cases if c.as_of is not None)
    return [r if r.as_of is not None or r.case_id not in asked else replace(r, as_of=asked[r.case_id]) for r in data]


def _collect_all(args: argparse.Namespace, datasets: Sequence[tuple[str, Path, list[str], bool]]) -> list[Retrieved]:
    from evals.store import open_store

    data: list[Retrieved] = []
    for name, path, corpus, drop in datasets:
        suite = load_suite(path)
        cases = squad_cases(suite, args.squad) if name == "squad" else list(suite.cases)
        if name == "realtimeqa":
            cases, subset = rtqa_subset(path.parent, args.rtqa_share)
            corpus = [str(subset)]
            suite = load_suite(subset.with_name(subset.stem + ".suite.jsonl"))  # the store `rag eval run` uses
        rag, info = open_store(corpus, records=suite.corpus)
        print(f"{name}: {len(cases)} cases over {info['articles']} articles ({info['store']})", file=sys.stderr)
        data += collect(rag, cases, name)
        if drop:
            data += collect(rag, cases, name, drop_gold=True)
        rag.collection.close()
    return data


if __name__ == "__main__":
    raise SystemExit(main())
