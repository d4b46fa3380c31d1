#!/usr/bin/env python3
"""Validate a paraphrase question suite over the BBC news corpus (stdlib only).

Usage: python3 evals/suites/check_suite.py evals/suites/bbc-paraphrase.jsonl [--corpus DIR] [-v]

Checks: one JSON object per line, required fields, unique ids, article files exist,
every answer appears verbatim (case-insensitive, whitespace-normalised) in its article,
at most 2 questions per article (counting unanswerable "near" articles), optional
"also_in" paths (other articles stating the same answer) exist and contain an answer, and
every exact duplicate of an item's article is listed in its also_in.
Reports, per answerable question, the longest run of words shared with the article
(flagged when >= 4 consecutive words that are not all stopwords) and the share of the
question's content words found in the article's best-matching sentence.
Exit status 1 when any error or flag is found.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

from rag.text import STOPWORDS as BASE_STOPWORDS

DEFAULT_CORPUS = Path("/work/shared/corpora/bbc-news")
WH_TYPES = {"who", "how_many", "when", "where", "which"}
# number_paraphrase: the question writes a number/date differently from the article
# ("a fifth" for 20%); its question word goes in "wh".
ANSWERABLE_TYPES = WH_TYPES | {"number_paraphrase", "factoid"}
# the product's list plus words too common in news to show copying ("said", "last week")
STOPWORDS = set(BASE_STOPWORDS) | {"said", "last", "week", "one", "per", "may", "might", "i", "you", "we"}
WORD = re.compile(r"[a-z0-9£$€%]+(?:['.][a-z0-9]+)*")


def norm(text: str) -> str:
    """Lower-case and collapse whitespace so answers match across line breaks."""
    return re.sub(r"\s+", " ", text).strip().lower()


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def longest_shared_run(q: list[str], art: list[str]) -> list[str]:
    """Longest contiguous word sequence of the question that also occurs contiguously in the article."""
    best: list[str] = []
    art_ngrams: dict[int, set[tuple[str, ...]]] = {}
    for n in range(1, len(q) + 1):
        grams = art_ngrams.setdefault(n, {tuple(art[i : i + n]) for i in range(len(art) - n + 1)})
        found = None
        for i in range(len(q) - n + 1):
            if tuple(q[i : i + n]) in grams:
                found = q[i : i + n]
                if any(w not in STOPWORDS for w in found):
                    break
        if found is None:
            break
        best = found
    return best


def flagged_run(q: list[str], art: list[str]) -> list[str]:
    """Longest shared run of >= 4 words that is not stopwords only (empty if none)."""
    art_set: dict[int, set[tuple[str, ...]]] = {}
    worst: list[str] = []
    for n in range(4, len(q) + 1):
        grams = art_set.setdefault(n, {tuple(art[i : i + n]) for i in range(len(art) - n + 1)})
        hit = None
        for i in range(len(q) - n + 1):
            cand = q[i : i + n]
            if tuple(cand) in grams and any(w not in STOPWORDS for w in cand):
                hit = cand
                break
        if hit is None:
            break
        worst = hit
    return worst


CONNECTIVES = {"of", "the", "a", "an", "and", "in", "on", "for", "to", "at", "&"}


def is_name_run(run: list[str], question: str) -> bool:
    """True when the shared run is a proper name or title (e.g. 'Lord of the Rings').

    Users name films, bodies and people exactly, so such runs are not copied phrasing.
    The run counts as a name when, after trimming connectives at both ends, every word
    is written with a capital (or digit) in the question, connectives excepted.
    """
    core = list(run)
    while core and core[0] in CONNECTIVES:
        core.pop(0)
    while core and core[-1] in CONNECTIVES:
        core.pop()
    if not core:
        return False
    caps = {w.lower() for w in re.findall(r"[A-Z0-9][\w'&.£$%-]*", question)}
    caps |= {p.lower() for w in list(caps) for p in re.split(r"[-']", w)}
    return all(w in CONNECTIVES or w in caps or w.rstrip("'s") in caps for w in core)


def best_sentence_overlap(q: list[str], article: str) -> tuple[float, str]:
    content = {w for w in q if w not in STOPWORDS}
    if not content:
        return 0.0, ""
    best, best_s = 0.0, ""
    for sent in re.split(r"(?<=[.!?])\s+|\n+", article):
        sw = set(words(sent))
        share = len(content & sw) / len(content)
        if share > best:
            best, best_s = share, sent
    return best, best_s


def find_duplicates(corpus: Path) -> dict[str, list[str]]:
    """Map each article path to the other articles with identical (whitespace-normalised) text.

    The BBC corpus holds about 100 duplicated stories; a retriever that returns the twin
    has found the answer too, so every twin must be listed in the item's also_in.
    """
    groups: dict[str, list[str]] = collections.defaultdict(list)
    for path in sorted(corpus.glob("bbc/*/*.txt")):
        groups[norm(path.read_text(encoding="utf-8", errors="replace"))].append(str(path.relative_to(corpus)))
    return {p: [q for q in g if q != p] for g in groups.values() if len(g) > 1 for p in g}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", type=Path)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="directory holding bbc/<category>/NNN.txt")
    ap.add_argument("-v", "--verbose", action="store_true", help="print per-question overlap lines")
    ap.add_argument("--max-share", type=float, default=0.75, help="flag best-sentence content-word share above this")
    args = ap.parse_args()

    errors: list[str] = []
    flags: list[str] = []
    names: list[str] = []  # long shared runs that are proper names/titles: reported, not flagged
    seen: set[str] = set()
    per_article: collections.Counter[str] = collections.Counter()
    by_cat: collections.Counter[tuple[str, str]] = collections.Counter()
    by_type: collections.Counter[str] = collections.Counter()
    by_wh: collections.Counter[str] = collections.Counter()
    shares: list[float] = []
    n_ans = n_un = 0

    duplicates = find_duplicates(args.corpus)
    for lineno, line in enumerate(args.suite.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {lineno}: not JSON ({exc}); fix the quoting")
            continue
        qid = item.get("id")
        where = f"line {lineno} ({qid!r})"
        for field in ("id", "question", "answers", "article", "type"):
            if field not in item:
                errors.append(f"{where}: missing field {field!r}")
        if not isinstance(qid, str) or not qid:
            errors.append(f"{where}: id must be a non-empty string")
            continue
        if qid in seen:
            errors.append(f"{where}: duplicate id; renumber it")
        seen.add(qid)
        question = item.get("question") or ""
        if not isinstance(question, str) or not question.strip().endswith("?"):
            errors.append(f"{where}: question must be a string ending in '?'")
        answers = item.get("answers")
        if not isinstance(answers, list) or not all(isinstance(a, str) and a.strip() for a in answers):
            errors.append(f"{where}: answers must be a list of non-empty strings")
            continue
        qtype = item.get("type")
        by_type[qtype] += 1
        if qtype == "factoid":  # the project's suite type; the question word is in "wh"
            if item.get("wh") not in WH_TYPES:
                errors.append(f"{where}: factoid items need 'wh' (one of {sorted(WH_TYPES)})")
            by_wh[item.get("wh")] += 1

        if qtype == "unanswerable":
            n_un += 1
            if answers or item.get("article") is not None:
                errors.append(f"{where}: unanswerable items need answers [] and article null")
            near = item.get("near")
            if not near or not (args.corpus / near).is_file():
                errors.append(f"{where}: 'near' must name an existing article, got {near!r}")
                continue
            if not item.get("note"):
                errors.append(f"{where}: unanswerable items need a 'note' saying what the article says instead")
            per_article[near] += 1
            by_cat[(near.split("/")[1], "unanswerable")] += 1
            if not qid.startswith("bbc-u-"):
                errors.append(f"{where}: unanswerable ids start with 'bbc-u-'")
            continue

        n_ans += 1
        if qtype not in ANSWERABLE_TYPES:
            errors.append(f"{where}: unknown type {qtype!r}; use one of {sorted(ANSWERABLE_TYPES | {'unanswerable'})}")
        if not qid.startswith("bbc-p-"):
            errors.append(f"{where}: answerable ids start with 'bbc-p-'")
        rel = item.get("article")
        path = args.corpus / rel if isinstance(rel, str) else None
        if path is None or not path.is_file():
            errors.append(f"{where}: article file {rel!r} not found under {args.corpus}")
            continue
        per_article[rel] += 1
        by_cat[(rel.split("/")[1], "answerable")] += 1
        text = path.read_text(encoding="utf-8", errors="replace")
        ntext = norm(text)
        if not 1 <= len(answers) <= 3:
            errors.append(f"{where}: give 1-3 answer variants")
        for ans in answers:
            if norm(ans) not in ntext:
                errors.append(f"{where}: answer {ans!r} not found verbatim in {rel}")
            if len(ans.split()) > 6:
                errors.append(f"{where}: answer {ans!r} longer than 6 words")
        also_in = item.get("also_in", [])
        if not isinstance(also_in, list):
            errors.append(f"{where}: also_in must be a list of article paths")
            also_in = []
        for alt in also_in:
            alt_path = args.corpus / alt
            if not alt_path.is_file():
                errors.append(f"{where}: also_in file {alt!r} not found under {args.corpus}")
            elif not any(norm(a) in norm(alt_path.read_text(encoding="utf-8", errors="replace")) for a in answers):
                errors.append(f"{where}: also_in file {alt!r} contains none of the answers; remove it")
        for dup in duplicates.get(rel, ()):
            if dup not in also_in:
                errors.append(f"{where}: {dup} has the same text as {rel}; add it to also_in")
        qw, aw = words(question), words(text)
        run = flagged_run(qw, aw)
        share, sent = best_sentence_overlap(qw, text)
        shares.append(share)
        longest = longest_shared_run(qw, aw)
        if run and is_name_run(run, question):
            names.append(f"{where}: shares name/title {' '.join(run)!r}")
        elif run:
            flags.append(f"{where}: shares {len(run)}-word run with article: {' '.join(run)!r}")
        if share > args.max_share:
            flags.append(f"{where}: {share:.0%} of content words in one sentence: {sent[:100]!r}")
        if args.verbose:
            print(f"{qid}\tlongest_run={len(longest)} {' '.join(longest)!r}\tbest_sentence_share={share:.2f}")

    for art, n in per_article.items():
        if n > 2:
            errors.append(f"{art}: used by {n} questions (max 2); move some to other articles")

    print(f"\n{args.suite}: {n_ans} answerable, {n_un} unanswerable, {len(per_article)} distinct articles")
    cats = sorted({c for c, _ in by_cat})
    print("per category:  " + ", ".join(f"{c}: {by_cat[(c, 'answerable')]}+{by_cat[(c, 'unanswerable')]}u" for c in cats))
    print("per type:      " + ", ".join(f"{t}: {n}" for t, n in sorted(by_type.items(), key=lambda kv: str(kv[0]))))
    total_wh = sum(by_wh.values()) or 1
    print("question word: " + ", ".join(f"{t}: {n} ({n / total_wh:.0%})" for t, n in sorted(by_wh.items(), key=lambda kv: str(kv[0]))))
    if shares:
        print(f"best-sentence content-word share: mean {sum(shares) / len(shares):.2f}, max {max(shares):.2f}")
    for msg in errors:
        print("ERROR", msg)
    if args.verbose:
        for msg in names:
            print("NAME ", msg)
    for msg in flags:
        print("FLAG ", msg)
    print(f"{len(errors)} errors, {len(flags)} flags, {len(names)} long shared runs that are names/titles (not flagged; -v lists them)")
    return 1 if errors or flags else 0


if __name__ == "__main__":
    sys.exit(main())
