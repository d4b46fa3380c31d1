"""Build the dated corpus of the temporal suite and check the suite against it.

    python -m evals.temporal_suite               # check evals/suites/temporal.jsonl, write the corpus
    python -m evals.temporal_suite --check-only  # check only, write nothing
    python -m evals.temporal_suite --src DIR --out DIR
    python -m evals.temporal_suite --score RUN_DIR [--score RUN_DIR ...]   # per-kind figures of rag eval runs

The suite (``evals/suites/temporal.jsonl``, committed) asks news questions that only have one right
answer at a reference date (``asked_on``): the newest death toll, the rate "last week", the tally
"on Tuesday", a figure "before" an event. It refers to RealTime QA dev articles by id and url only;
their text is not ours to commit (see ``../shared/corpora/realtimeqa-dev/SOURCE.txt``), so this
script assembles the corpus at run time from that folder into
``<eval cache>/temporal/corpus.jsonl`` (``~/.cache/rag/evals/temporal/``): every dated article on
the suite's stories (matched by a pattern per story, so older and newer versions of each figure and
other years' stories on the same topic are all in), and for every question its
``--neighbours`` most similar dated articles by TF-IDF (on-topic noise). Undated articles are left
out: the corpus is a dated one.

Every check below fails loudly (exit 1, one line per problem, naming the case and the fix):

* the suite loads with the project's loader (``evals.suite.load_suite``) with no problems;
* every case has ``asked_on``, a known ``kind``, a ``split`` (``tune``/``check``) and a ``story``;
* answerable cases: each gold article exists, is dated on or before ``asked_on`` (the answer was
  knowable on the reference date), ``articles`` and ``article_ids`` name the same articles, every
  answer occurs as whole words in a gold article and every gold article holds an answer;
* ``stale_answers`` (the older or newer figures a wrong answer would give) each occur in one of
  the ``stale_article_ids``, and none of them is also a gold answer;
* unanswerable cases: ``answers`` empty, ``articles`` null, a ``near`` article and a ``note``;
* questions end with '?' and share no run of 6+ words with a gold article (paraphrased).

``--score`` reads the ``results.jsonl`` of ``rag eval run ... --out RUN_DIR`` (with and without
``--no-as-of``) and reports, per split and kind: hit@1, answer containment, the **newest-figure rate**
(of the cases that carry ``stale_answers``, the share whose answer holds a gold figure), the
**stale rate** (holds a stale figure and no gold one) and, on unanswerable cases, the correct-refusal
rate, and (when the source corpus is at hand) how often the top passage or a citation comes from an
article published after ``asked_on``. Matching is ``evals.metrics.contains_answer``, the same as
``rag eval``'s containment.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "evals" / "suites" / "temporal.jsonl"
SRC = ROOT.parent / "shared" / "corpora" / "realtimeqa-dev"
KINDS = ("latest", "changing", "weekday", "relative", "before_after", "unanswerable")
SPLITS = ("tune", "check")
MAX_SHARED_RUN = 5  # a question sharing 6+ consecutive words with its gold article counts as copied

# Which dated articles belong to each story of the suite (title + text, case-insensitive). Broad on
# purpose: other years' quakes, hurricanes and jackpots are the distractors a temporal prior must beat.
STORIES: dict[str, str] = {
    "ian": r"\bhurricane ian\b|\bian\b[^.]{0,60}\b(storm|hurricane|landfall)",
    "quake": r"\bearthquake|\bquake\b",
    "mortgage": r"\bmortgage rates?\b|30-year fixed",
    "gas": r"\bgas prices?\b|price of gas|national average[^.]{0,40}gallon",
    "lottery": r"\bpowerball\b|mega millions",
    "speaker": r"\bhouse speaker\b|speaker of the house|\bspeakership\b",
    "uk": r"\bliz truss\b|\brishi sunak\b|british prime minister|uk prime minister|britain's (new )?prime minister",
    "artemis": r"\bartemis\b|space launch system|\borion (capsule|spacecraft)\b",
}


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    url: str
    date: str | None

    def record(self) -> dict[str, str | None]:
        return {"id": self.id, "title": self.title, "text": self.text, "url": self.url, "date": self.date}


@dataclass(frozen=True)
class Report:
    """What the check found: problems (any one fails the build) and counts for the summary."""

    problems: tuple[str, ...]
    counts: Mapping[str, int]


# --- reading ----------------------------------------------------------------------------------


def read_corpus(src: Path) -> dict[str, Article]:
    """The RealTime QA dev articles by id (read in place, never copied into the repo)."""
    path = src / "corpus.jsonl"
    if not path.is_file():
        raise SystemExit(f"{path}: not found; pass --src pointing at the realtimeqa-dev folder")
    out: dict[str, Article] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                out[r["id"]] = Article(r["id"], r.get("title") or "", r.get("text") or "", r.get("url") or "",
                                       (r.get("date") or None))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                log.warning("%s line %d skipped: %s", path, n, exc)
    return out


def read_suite(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append((n, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path} line {n}: not valid JSON ({exc.msg}); fix the quoting") from None
    return rows


# --- checking ---------------------------------------------------------------------------------


def norm(text: str) -> str:
    """Lower-case, straight quotes, collapsed whitespace: how answers are matched."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text).strip().lower()


def occurs(answer: str, text: str) -> bool:
    """``answer`` occurs in ``text`` as whole words ("11" is not found in "11th" nor "2011")."""
    a = re.escape(norm(answer))
    return re.search(rf"(?<![\w.,$]){a}(?![\w]|[.,]\d)", norm(text)) is not None


_WORD = re.compile(r"[a-z0-9$%]+(?:[',.][a-z0-9]+)*")


def longest_shared_run(question: str, text: str) -> list[str]:
    """The longest run of consecutive question words that also occurs consecutively in ``text``."""
    q, t = _WORD.findall(norm(question)), _WORD.findall(norm(text))
    best: list[str] = []
    for n in range(1, len(q) + 1):
        grams = {tuple(t[i:i + n]) for i in range(len(t) - n + 1)}
        hit = next((q[i:i + n] for i in range(len(q) - n + 1) if tuple(q[i:i + n]) in grams), None)
        if hit is None:
            break
        best = hit
    return best


def check_case(n: int, rec: Mapping[str, Any], corpus: Mapping[str, Article]) -> list[str]:
    """Every problem with one suite line (empty when it is sound)."""
    cid = rec.get("id") or f"line {n}"
    where = f"line {n} ({cid})"
    bad: list[str] = []
    for key in ("id", "question", "asked_on", "kind", "split", "story"):
        if not rec.get(key):
            bad.append(f"{where}: missing {key!r}")
    if bad:
        return bad
    try:
        asked = date.fromisoformat(rec["asked_on"])
    except ValueError:
        return [f"{where}: asked_on {rec['asked_on']!r} is not YYYY-MM-DD"]
    if rec["kind"] not in KINDS:
        bad.append(f"{where}: kind {rec['kind']!r} is not one of {', '.join(KINDS)}")
    if rec["split"] not in SPLITS:
        bad.append(f"{where}: split {rec['split']!r} is not tune or check")
    if rec["story"] not in STORIES:
        bad.append(f"{where}: story {rec['story']!r} has no pattern in STORIES; add one")
    if not rec["question"].rstrip().endswith("?"):
        bad.append(f"{where}: the question should end with '?'")
    answers = rec.get("answers") or []
    unanswerable = rec["kind"] == "unanswerable" or rec.get("type") == "unanswerable"
    if unanswerable:
        if rec["kind"] != "unanswerable" or rec.get("type") != "unanswerable":
            bad.append(f"{where}: an unanswerable case needs both kind and type 'unanswerable'")
        if answers or rec.get("articles"):
            bad.append(f"{where}: an unanswerable case has answers [] and articles null")
        if rec.get("near_id") not in corpus:
            bad.append(f"{where}: near_id {rec.get('near_id')!r} is not a corpus article; name the article it is about")
        elif corpus[rec["near_id"]].url != rec.get("near"):
            bad.append(f"{where}: near is not the url of near_id {rec['near_id']}")
        if not rec.get("note"):
            bad.append(f"{where}: say in 'note' why the corpus cannot answer it on {rec['asked_on']}")
        return bad
    ids, urls = rec.get("article_ids") or [], rec.get("articles") or []
    if not answers:
        bad.append(f"{where}: no answers")
    if not ids or len(ids) != len(urls):
        bad.append(f"{where}: article_ids and articles must list the same gold articles")
        return bad
    golds = []
    for aid, url in zip(ids, urls, strict=True):
        art = corpus.get(aid)
        if art is None:
            bad.append(f"{where}: gold {aid} is not in the corpus")
            continue
        if art.url != url:
            bad.append(f"{where}: articles has {url!r} where {aid} is {art.url!r}")
        if not art.date:
            bad.append(f"{where}: gold {aid} has no date; pick a dated article")
        elif date.fromisoformat(art.date[:10]) > asked:
            bad.append(f"{where}: gold {aid} is dated {art.date}, after asked_on {rec['asked_on']}")
        golds.append(art)
    for a in answers:
        if golds and not any(occurs(a, g.title + "\n" + g.text) for g in golds):
            bad.append(f"{where}: answer {a!r} occurs in none of its gold articles {ids}")
    for g in golds:
        if answers and not any(occurs(a, g.title + "\n" + g.text) for a in answers):
            bad.append(f"{where}: gold {g.id} holds none of the answers; drop it or add its wording")
        run = longest_shared_run(rec["question"], g.title + "\n" + g.text)
        if len(run) > MAX_SHARED_RUN:
            bad.append(f"{where}: shares {len(run)} words with {g.id} ({' '.join(run)!r}); paraphrase it")
    stale, stale_ids = rec.get("stale_answers") or [], rec.get("stale_article_ids") or []
    for s in stale:
        if any(norm(s) == norm(a) for a in answers):
            bad.append(f"{where}: stale answer {s!r} is also a gold answer")
        if not any(occurs(s, corpus[i].title + "\n" + corpus[i].text) for i in stale_ids if i in corpus):
            bad.append(f"{where}: stale answer {s!r} occurs in none of {stale_ids}")
    for i in stale_ids:
        if i not in corpus:
            bad.append(f"{where}: stale article {i} is not in the corpus")
    return bad


def check_suite(path: Path, corpus: Mapping[str, Article]) -> Report:
    """All the checks of the module docstring over one suite file."""
    from evals.suite import load_suite

    problems: list[str] = []
    suite = load_suite(path)
    problems += [f"{path}: loader skipped {p}" for p in suite.problems]
    if suite.format != "ours":
        problems.append(f"{path}: read as {suite.format!r}, expected our JSONL format")
    counts: Counter[str] = Counter()
    for n, rec in read_suite(path):
        problems += check_case(n, rec, corpus)
        counts[f"kind:{rec.get('kind')}"] += 1
        counts[f"split:{rec.get('split')}"] += 1
        counts[f"story:{rec.get('story')}"] += 1
        counts["cases"] += 1
        counts["unanswerable" if rec.get("type") == "unanswerable" else "answerable"] += 1
    return Report(tuple(problems), dict(counts))


# --- the corpus -----------------------------------------------------------------------------------


def story_articles(corpus: Mapping[str, Article]) -> dict[str, set[str]]:
    """Dated article ids per story pattern."""
    out: dict[str, set[str]] = {}
    for story, pattern in STORIES.items():
        rx = re.compile(pattern, re.I)
        out[story] = {a.id for a in corpus.values() if a.date and rx.search(a.title + "\n" + a.text)}
    return out


def neighbours(corpus: Mapping[str, Article], questions: Sequence[str], k: int) -> set[str]:
    """The ``k`` dated articles most like each question by TF-IDF (the noise around its topic)."""
    if k <= 0 or not questions:
        return set()
    from sklearn.feature_extraction.text import TfidfVectorizer

    dated = [a for a in corpus.values() if a.date]
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, max_features=200_000)
    docs = vec.fit_transform([a.title + " " + a.text[:4000] for a in dated])
    sims = (vec.transform(list(questions)) @ docs.T).toarray()
    return {dated[j].id for row in sims for j in row.argsort()[::-1][:k]}


def assemble(corpus: Mapping[str, Article], suite: Iterable[Mapping[str, Any]], k: int) -> list[Article]:
    """The dated corpus: every suite-referenced article, the stories' articles and the neighbours."""
    cases = list(suite)
    keep: set[str] = set()
    for rec in cases:
        keep.update(rec.get("article_ids") or [])
        keep.update(rec.get("stale_article_ids") or [])
        if rec.get("near_id"):
            keep.add(rec["near_id"])
    for ids in story_articles(corpus).values():
        keep |= ids
    keep |= neighbours(corpus, [r["question"] for r in cases], k)
    return sorted((corpus[i] for i in keep if corpus[i].date), key=lambda a: (a.date or "", a.id))


def write_corpus(articles: Sequence[Article], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps(a.record(), ensure_ascii=False) + "\n")
    return path


# --- scoring rag eval runs ---------------------------------------------------------------------------


def read_results(path: Path) -> dict[str, dict[str, Any]]:
    """``results.jsonl`` rows by case id (``path`` is the file or the ``--out`` directory)."""
    f = path / "results.jsonl" if path.is_dir() else path
    if not f.is_file():
        raise SystemExit(f"{f}: no results.jsonl; run `rag eval run evals/suites/temporal.jsonl --out DIR` first")
    return {r["id"]: r for r in (json.loads(line) for line in f.open(encoding="utf-8") if line.strip())}


def _after(url: str, asked_on: str, dates: Mapping[str, str | None]) -> bool:
    published = dates.get(url.rstrip("/"))
    return bool(published) and published[:10] > asked_on  # type: ignore[index]


def score(suite: Sequence[Mapping[str, Any]], results: Mapping[str, Mapping[str, Any]],
          dates: Mapping[str, str | None] | None = None) -> dict[str, dict[str, float | int]]:
    """Figures per group (``all``, ``split:check``, ``kind:latest`` ...): see the module docstring.
    With ``dates`` (url -> published day), also how often the top passage or a citation comes from an
    article published after ``asked_on`` (news from the question's future)."""
    from evals.metrics import contains_answer

    groups: dict[str, list[tuple[Mapping[str, Any], Mapping[str, Any]]]] = {}
    for rec in suite:
        row = results.get(rec["id"])
        if row is None:
            continue
        for g in ("all", f"split:{rec['split']}", f"kind:{rec['kind']}", f"split:{rec['split']}/kind:{rec['kind']}"):
            groups.setdefault(g, []).append((rec, row))
    out: dict[str, dict[str, float | int]] = {}
    for g, pairs in groups.items():
        ans = [(rec, row) for rec, row in pairs if rec["kind"] != "unanswerable"]
        una = [row for rec, row in pairs if rec["kind"] == "unanswerable"]
        text = {rec["id"]: "" if row.get("refused") else (row.get("answer") or "") for rec, row in ans}
        stale = [rec for rec, _ in ans if rec.get("stale_answers")]
        fig: dict[str, float | int] = {"n": len(pairs), "answerable": len(ans), "unanswerable": len(una)}
        if ans:
            fig["hit@1"] = sum(float(row["metrics"].get("hit@1") or 0) for _, row in ans) / len(ans)
            fig["containment"] = sum(contains_answer(text[r["id"]], r["answers"]) for r, _ in ans) / len(ans)
            fig["refused_answerable"] = sum(bool(row.get("refused")) for _, row in ans) / len(ans)
        if stale:
            new = [contains_answer(text[r["id"]], r["answers"]) for r in stale]
            old = [contains_answer(text[r["id"]], r["stale_answers"]) for r in stale]
            fig["with_stale"] = len(stale)
            fig["newest_chosen"] = sum(new) / len(stale)
            fig["stale_only"] = sum(1 for a, b in zip(new, old, strict=True) if b and not a) / len(stale)
        if una:
            fig["correct_refusal"] = sum(bool(row.get("refused")) for row in una) / len(una)
        if dates:
            top = [_after((row.get("retrieved") or [{}])[0].get("source") or "", rec["asked_on"], dates)
                   for rec, row in pairs]
            cited = [any(_after(c.get("source") or "", rec["asked_on"], dates) for c in row.get("citations") or [])
                     for rec, row in pairs]
            fig["top1_after_asked"] = sum(top) / len(pairs)
            fig["cites_after_asked"] = sum(cited) / len(pairs)
        out[g] = fig
    return out


def score_table(suite: Sequence[Mapping[str, Any]], runs: Sequence[Path],
                dates: Mapping[str, str | None] | None = None) -> str:
    """A markdown table: one row per group and figure, one column per run."""
    scored = [score(suite, read_results(p), dates) for p in runs]
    metrics = ("n", "hit@1", "containment", "newest_chosen", "stale_only", "refused_answerable", "correct_refusal",
               "top1_after_asked", "cites_after_asked")
    order = ["all", "split:tune", "split:check", *(f"kind:{k}" for k in KINDS),
             *(f"split:check/kind:{k}" for k in KINDS)]
    lines = ["| group | figure | " + " | ".join(p.name for p in runs) + " |", "|---|---|" + "---|" * len(runs)]
    for g in order:
        for m in metrics:
            vals = [s.get(g, {}).get(m) for s in scored]
            if all(v is None for v in vals):
                continue
            cells = ["" if v is None else (str(v) if isinstance(v, int) else f"{v:.2f}") for v in vals]
            lines.append(f"| {g} | {m} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def default_out() -> Path:
    from evals.store import cache_root

    return cache_root() / "temporal"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", type=Path, default=SUITE)
    ap.add_argument("--src", type=Path, default=SRC, help="the realtimeqa-dev folder (corpus.jsonl)")
    ap.add_argument("--out", type=Path, default=None, help="where corpus.jsonl goes (default: <eval cache>/temporal)")
    ap.add_argument("--neighbours", type=int, default=3, help="TF-IDF neighbours per question added as noise")
    ap.add_argument("--check-only", action="store_true", help="check the suite, write nothing")
    ap.add_argument("--score", type=Path, action="append", metavar="RUN_DIR",
                    help="report per-kind figures of a `rag eval --out RUN_DIR` run (repeatable: one column each)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.score:
        dates = None
        if (args.src / "corpus.jsonl").is_file():
            dates = {a.url.rstrip("/"): a.date for a in read_corpus(args.src).values()}
        print(score_table([rec for _, rec in read_suite(args.suite)], args.score, dates))
        return 0

    corpus = read_corpus(args.src)
    report = check_suite(args.suite, corpus)
    for p in report.problems:
        print("ERROR", p, file=sys.stderr)
    c = report.counts
    kinds = ", ".join(f"{k}: {c.get('kind:' + k, 0)}" for k in KINDS)
    print(f"{args.suite}: {c.get('cases', 0)} cases ({c.get('answerable', 0)} answerable, "
          f"{c.get('unanswerable', 0)} unanswerable); {kinds}; "
          f"tune: {c.get('split:tune', 0)}, check: {c.get('split:check', 0)}")
    if report.problems:
        print(f"{len(report.problems)} problem(s): the suite does not match its articles; fix them first",
              file=sys.stderr)
        return 1
    if args.check_only:
        return 0
    articles = assemble(corpus, (rec for _, rec in read_suite(args.suite)), args.neighbours)
    path = write_corpus(articles, args.out or default_out())
    years = Counter((a.date or "")[:4] for a in articles)
    print(f"wrote {path}: {len(articles)} dated articles ({', '.join(f'{y}: {n}' for y, n in sorted(years.items()))})")
    print(f"run: rag eval run {args.suite} --corpus {path} --offline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
