"""The temporal suite (evals/suites/temporal.jsonl) loads with the project's loader, and its checker
catches the mistakes it exists to catch (answer not in the gold article, gold dated after asked_on)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.suite import load_suite
from evals.temporal_suite import KINDS, SPLITS, SRC, SUITE, Article, check_case, check_suite, occurs, read_corpus


def _records() -> list[dict]:
    return [json.loads(line) for line in SUITE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_committed_suite_loads_with_every_case_dated_and_kinded() -> None:
    suite = load_suite(SUITE)
    assert suite.format == "ours" and suite.problems == []
    assert len(suite.cases) >= 60
    assert all(c.asked_on for c in suite.cases)
    recs = {r["id"]: r for r in _records()}
    assert set(recs) == {c.id for c in suite.cases}
    assert all(r["kind"] in KINDS and r["split"] in SPLITS for r in recs.values())
    assert sum(not c.answerable for c in suite.cases) >= 10
    # the loader and the suite agree on which cases are unanswerable
    unanswerable = {i for i, r in recs.items() if r["kind"] == "unanswerable"}
    assert {c.id for c in suite.cases if not c.answerable} == unanswerable


def test_split_is_by_story_and_about_a_third() -> None:
    recs = _records()
    stories: dict[str, set[str]] = {}
    for r in recs:
        stories.setdefault(r["story"], set()).add(r["split"])
    assert all(len(s) == 1 for s in stories.values()), "a story must not straddle tune and check"
    share = Counter(r["split"] for r in recs)["check"] / len(recs)
    assert 0.25 <= share <= 0.40


CORPUS = {
    "a1": Article("a1", "Storm toll rises", "At least 45 people died, officials said on Friday.", "https://x/a1",
                  "2022-09-30"),
    "a2": Article("a2", "Toll passes 100", "The count rose to at least 101 on Monday.", "https://x/a2", "2022-10-03"),
}


def _case(**kw: object) -> dict:
    rec = {"id": "t-1", "question": "How many had died by Friday?", "answers": ["45"], "articles": ["https://x/a1"],
           "article_ids": ["a1"], "type": "factoid", "asked_on": "2022-10-01", "kind": "weekday", "split": "tune",
           "story": "ian"}
    rec.update(kw)
    return rec


def test_checker_accepts_a_sound_case() -> None:
    assert check_case(1, _case(), CORPUS) == []


def test_checker_rejects_an_answer_missing_from_its_gold() -> None:
    problems = check_case(1, _case(answers=["46"]), CORPUS)
    assert any("'46' occurs in none" in p for p in problems)


def test_checker_rejects_a_gold_published_after_the_reference_date() -> None:
    problems = check_case(1, _case(answers=["101"], articles=["https://x/a2"], article_ids=["a2"]), CORPUS)
    assert any("after asked_on" in p for p in problems)


def test_checker_rejects_a_copied_question_and_an_unknown_kind() -> None:
    problems = check_case(1, _case(question="At least 45 people died, officials said on Friday?", kind="soon"), CORPUS)
    assert any("paraphrase" in p for p in problems) and any("kind 'soon'" in p for p in problems)


def test_answers_match_whole_words_only() -> None:
    assert occurs("11", "failed in 11 ballots") and not occurs("11", "the 11th ballot")
    assert not occurs("1,800", "11,800 dead") and occurs("$3.35", "stood at $3.35 a gallon.")


@pytest.mark.skipif(not (Path(SRC) / "corpus.jsonl").is_file(), reason="needs ../shared/corpora/realtimeqa-dev")
def test_every_answer_is_in_its_dated_gold_article() -> None:
    report = check_suite(SUITE, read_corpus(SRC))
    assert report.problems == ()


def test_score_counts_newest_and_stale_figures_and_refusals() -> None:
    from evals.temporal_suite import score

    suite = [
        {"id": "a", "kind": "latest", "split": "tune", "answers": ["125"], "stale_answers": ["109"]},
        {"id": "b", "kind": "latest", "split": "tune", "answers": ["55"], "stale_answers": ["54"]},
        {"id": "c", "kind": "latest", "split": "check", "answers": ["7.08%"], "stale_answers": ["6.94%"]},
        {"id": "u", "kind": "unanswerable", "split": "check", "answers": []},
    ]
    rows = {
        "a": {"answer": "At least 125 have died; an earlier report said 109.", "refused": False,
              "metrics": {"hit@1": 1.0}},
        "b": {"answer": "At least 54 people died in Lee County.", "refused": False, "metrics": {"hit@1": 0.0}},
        "c": {"answer": "", "refused": True, "metrics": {"hit@1": 1.0}},
        "u": {"answer": "", "refused": True, "metrics": {}},
    }
    fig = score(suite, rows)
    assert fig["all"]["newest_chosen"] == pytest.approx(1 / 3)
    assert fig["all"]["stale_only"] == pytest.approx(1 / 3)  # b gave only the older figure
    assert fig["split:tune"]["hit@1"] == 0.5 and fig["split:tune"]["containment"] == 0.5
    assert fig["split:check"]["refused_answerable"] == 1.0 and fig["kind:unanswerable"]["correct_refusal"] == 1.0
