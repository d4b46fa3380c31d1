"""New user 8's eval report: worst questions count wrong bold answers, metrics that cannot inform for
the answerer are shown apart, an article-disjoint checking slice, ingest progress in records, compare
verdicts beyond rounding, and per-question confidence with the refusal threshold in force."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from evals.cli import build_summary, settings_meta
from evals.fit_answerer import split_for
from evals.report import (
    NOT_INFORMATIVE,
    badness,
    delta_text,
    summary_table,
    uninformative,
    worst,
    write_markdown,
)
from evals.summary import compare_runs
from index.collection import Collection
from rag.api import RAG
from rag.settings import Settings
from tests.fakes import HashEmbedder

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_2ee66f902f40f20f.txt"


def _row(i: str, typ: str = "factoid", *, short: str | None = None, refused: bool = False,
         **metrics: float | None) -> dict[str, Any]:
    """A results.jsonl row as ``CaseResult.to_dict`` writes it, with the metrics given."""
    mt: dict[str, Any] = {"refused": float(refused)}
    mt["wrong_refusal" if typ != "unanswerable" else "correct_refusal"] = float(refused)
    mt.update(metrics)
    return {"id": i, "type": typ, "kind": "who", "question": f"{i}?", "gold": {"answers": ["Greenpeace"],
            "articles": []}, "answer": "" if refused else f"answer of {i} [1]", "refused": refused,
            "answerer": "extractive", "citations": [], "retrieved": [], "metrics": mt,
            "timings_ms": {"total": 10.0}, "usage": {}, "short_answer": short, "error": None}


RIGHT = {"hit@5": 1.0, "answer_in_context@5": 1.0, "containment": 1.0, "citation_precision": 1.0}


# --- 1. worst questions: a wrong bold answer is what a reader takes away ---------------------------


def test_a_wrong_bold_answer_over_a_right_sentence_is_a_worst_question() -> None:
    right = _row("a01", short="Greenpeace", answer_correct=1.0, short_answer_precision=1.0, **RIGHT)
    no_bold = _row("a02", answer_correct=1.0, **RIGHT)
    wrong_bold = _row("a10", short="Conservative Party", answer_correct=0.0, short_answer_precision=0.0, **RIGHT)
    assert badness(right) == badness(no_bold) == 0.0
    assert badness(wrong_bold) > 0
    # as bad as an answer that misses the gold answer altogether (containment 0)
    missed = _row("a03", answer_correct=0.0, **(RIGHT | {"containment": 0.0}))
    assert badness(wrong_bold) >= badness(missed)
    assert [r["id"] for r in worst([right, no_bold, wrong_bold, missed])] in (["a10", "a03"], ["a03", "a10"])


def test_an_unanswerable_question_answered_in_bold_ranks_above_one_answered_without() -> None:
    refused = _row("u01", "unanswerable", refused=True)
    plain = _row("u02", "unanswerable")
    bold = _row("u06", "unanswerable", short="Rishi Sunak")
    assert badness(refused) == 0.0 and 0 < badness(plain) < badness(bold)


def test_the_report_shows_the_bold_answer_and_answer_correct_of_a_worst_question(tmp_path: Path) -> None:
    rows = [_row("a10", short="Conservative Party", answer_correct=0.0, short_answer_precision=0.0, **RIGHT)]
    summary = build_summary(None, rows, (1, 5), [], None, meta={"suite": "s", "answerer": "extractive"})
    md = write_markdown(tmp_path, summary, rows, []).read_text()
    part = md.split("## Worst questions", 1)[1]
    assert "### a10" in part and "short answer (bold): Conservative Party" in part
    assert "answer correct: 0.000" in part


# --- 2. metrics that cannot inform for this answerer -----------------------------------------------


def _summary(answerer: str) -> dict[str, Any]:
    rows = [_row("a01", short="Greenpeace", answer_correct=1.0, exact_match=0.0, citations=1,
                 citations_supported=1, citation_recall=1.0, **RIGHT)]
    return build_summary(None, rows, (1, 5), [], None, meta={"suite": "s", "answerer": answerer})


def test_extractive_runs_show_exact_match_and_citation_recall_apart_with_the_reason(tmp_path: Path) -> None:
    summary = _summary("extractive")
    # kept in the summary (and so in summary.json and compare)
    assert {"exact_match", "citation_recall", "citation_precision"} <= set(summary["metrics"])
    assert set(uninformative(summary)) == {"exact_match", "citation_recall", "citation_precision"}
    _, rows = summary_table(summary)
    sections = {r[1]: r[0] for r in rows}
    assert sections["exact_match"] == sections["citation_recall"] == NOT_INFORMATIVE
    assert sections["containment"] == "Answers" and sections["citation_article_precision"] == "Citations"
    assert rows[-1][0] == NOT_INFORMATIVE  # shown last, not first under "Answers"
    md = write_markdown(tmp_path, summary, [], []).read_text()
    assert "Not informative for the extractive answerer" in md and "citation_recall (1 by construction" in md
    assert "exact_match (0 by construction" in md


def test_an_llm_run_shows_them_in_their_sections() -> None:
    summary = _summary("llm:gpt-4o-mini")
    assert uninformative(summary) == {}
    sections = {r[1]: r[0] for r in summary_table(summary)[1]}
    assert sections["exact_match"] == "Answers" and sections["citation_recall"] == "Citations"
    assert NOT_INFORMATIVE not in sections.values()


# --- 3. the article-disjoint checking slice --------------------------------------------------------


def _ids(split: str, n: int) -> list[str]:
    out = [f"q{i}" for i in range(200) if split_for(None, f"q{i}") == split][:n]
    assert len(out) == n
    return out


def test_article_disjoint_keeps_checking_questions_on_articles_no_tuning_question_uses(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from evals import split_report

    t1, t2, t3 = _ids("tune", 3)
    c1, c2, c3, c4, c5 = _ids("check", 5)
    cases = [
        {"id": t1, "question": "a?", "answers": ["x"], "article": "bbc/business/012.txt"},
        {"id": t2, "question": "b?", "answers": ["x"], "article": "bbc/tech/001.txt"},
        {"id": t3, "question": "c?", "answers": [], "article": None, "type": "unanswerable",
         "near": "bbc/sport/007.txt"},
        # the same article as a tuning question, named by a shorter suffix: not held out
        {"id": c1, "question": "d?", "answers": ["x"], "article": "business/012.txt"},
        # an article no tuning question uses: held out
        {"id": c2, "question": "e?", "answers": ["x"], "article": "bbc/business/099.txt"},
        # another file 012.txt of another section: held out
        {"id": c3, "question": "f?", "answers": ["x"], "article": "bbc/politics/012.txt"},
        # an article a tuning unanswerable is near: not held out
        {"id": c4, "question": "g?", "answers": ["x"], "article": "bbc/sport/007.txt"},
        # an unanswerable one about no article: held out
        {"id": c5, "question": "h?", "answers": [], "article": None, "type": "unanswerable"},
    ]
    suite = tmp_path / "suite.jsonl"
    suite.write_text("\n".join(json.dumps(c) for c in cases) + "\n", encoding="utf-8")
    from evals.suite import load_suite

    assert split_report.article_disjoint(load_suite(suite).cases, split_report._near(suite)) == {c2, c3, c5}

    run = tmp_path / "run"
    run.mkdir()
    contained = {t1: 1.0, t2: 0.0, c1: 0.0, c2: 1.0, c3: 1.0, c4: 0.0}
    rows = [_row(i, **{"containment": v, "hit@5": 1.0}) for i, v in contained.items()]
    rows.append(_row(t3, "unanswerable", refused=True))
    rows.append(_row(c5, "unanswerable", refused=False))
    (run / "results.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    table = split_report.slices(run, suite)
    assert list(table) == ["tune", "check", "check, article-disjoint", "all"]
    assert table["check"]["containment"] == (0.5, 4)
    assert table["check, article-disjoint"]["containment"] == (1.0, 2)
    assert table["check, article-disjoint"]["correct_refusal_rate"] == (0.0, 1)
    assert table["check, article-disjoint"]["questions"] == (None, 3)
    assert split_report.main([str(run), str(suite)]) == 0
    printed = capsys.readouterr().out
    assert "| check, article-disjoint | 3 | " in printed and "| questions |" in printed


# --- 4. rag eval --corpus: progress counts records against records --------------------------------


def test_expected_records_counts_dump_lines_and_rows(tmp_path: Path) -> None:
    from evals.store import expected_records

    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text('{"title": "a", "text": "x"}\n\n{"title": "b", "text": "y"}\n{oops\n', encoding="utf-8")
    csv_file = tmp_path / "d.csv"
    csv_file.write_text('title,text\na,"two\nlines"\nb,z\n', encoding="utf-8")
    txt = tmp_path / "a.txt"
    txt.write_text("A story.", encoding="utf-8")
    assert expected_records([str(jsonl), str(csv_file), str(txt)], 1000.0) == 3 + 2 + 1
    assert expected_records([str(txt), str(tmp_path / "d.json")], 1000.0) is None  # a .json dump: unknown
    assert expected_records([str(txt), "https://news.example/feed.xml"], 1000.0) is None  # may be a feed
    assert expected_records([str(jsonl)], 1e-9) is None  # too large to count


def _dump(path: Path, n: int) -> Path:
    rows = [{"title": f"Story {i}", "text": f"The council of town {i} approved a new bridge on Monday. "
             f"It will cost {i} million euros, officials said.", "url": f"https://news.example/{i}",
             "date": "2022-11-02"} for i in range(n)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_eval_corpus_progress_shows_records_of_the_records_in_the_dump(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import evals.store
    from evals import cli

    monkeypatch.setenv("RAG_EVAL_CACHE", str(tmp_path / "cache"))
    real = evals.store.open_store
    started: list[int | None] = []

    def open_store(*args: Any, **kwargs: Any) -> Any:
        on_start = kwargs.pop("on_start")
        return real(*args, embedder=HashEmbedder(), on_start=lambda n: (started.append(n), on_start(n)), **kwargs)

    monkeypatch.setattr(evals.store, "open_store", open_store)
    dump = _dump(tmp_path / "dump.jsonl", 4)
    rag, info = cli._open_rag(SimpleNamespace(corpus=[]), [str(dump)], tmp_path / "store", False)
    assert started == [4] and info["articles"] == 4
    err = " ".join(capsys.readouterr().err.split())
    assert "ingest 4/4" in err and "/1 (" not in err  # was "ingest 4/1"


def test_plain_progress_without_a_total_counts_without_one(capsys: pytest.CaptureFixture[str]) -> None:
    from evals.cli import _PlainProgress

    with _PlainProgress("ingest") as bar:
        task = bar.add_task("ingest", total=None)
        bar.update(task, total=None)
        for _ in range(5):
            bar.update(task, advance=1)
    err = capsys.readouterr().err
    assert "ingest 5 (" in err and "/" not in err


# --- 5. compare: a change only beyond rounding -----------------------------------------------------


def test_compare_calls_changes_that_round_away_the_same() -> None:
    a = {"metrics": {"latency_rewrite_p95_ms": 0.01, "answer_words": 55.54, "exact_match": 0.0,
                     "hit@5": 0.9, "containment": 0.5, "wrong_refusal_rate": 0.0, "answer_sentences_max": 2.0}}
    b = {"metrics": {"latency_rewrite_p95_ms": 0.0149, "answer_words": 55.47, "exact_match": 0.0,
                     "hit@5": 0.901, "containment": 0.5 + 1e-12, "wrong_refusal_rate": 0.0333,
                     "answer_sentences_max": 2.0}}
    verdicts = {d["metric"]: d["verdict"] for d in compare_runs(a, b, [], [])["deltas"]}
    assert verdicts == {"latency_rewrite_p95_ms": "same", "answer_words": "same", "exact_match": "same",
                        "hit@5": "better", "containment": "same", "wrong_refusal_rate": "worse",
                        "answer_sentences_max": "same"}
    assert delta_text("answer_words", 55.54, 55.47) == "0" and delta_text("f1", 0.5, 0.5 - 1e-12) == "0.000"
    assert delta_text("hit@5", 0.9, 0.901) == "+0.001" and delta_text("wrong_refusal_rate", 0.0333, 0.0) == "-0.033"
    assert delta_text("latency_total_p50_ms", 100.0, 104.0) == "+4.0"


def _run_dir(path: Path, metrics: dict[str, float], rows: list[dict[str, Any]]) -> Path:
    path.mkdir(parents=True)
    (path / "summary.json").write_text(json.dumps({"meta": {"suite": "s"}, "metrics": metrics}), encoding="utf-8")
    (path / "results.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_compare_fail_on_regression_needs_a_real_change(tmp_path: Path) -> None:
    from rag.cli import app

    rows = [_row("a01", **RIGHT), _row("a02", **RIGHT)]
    a = _run_dir(tmp_path / "a", {"answer_words": 55.54, "latency_rewrite_p95_ms": 0.0}, rows)
    b = _run_dir(tmp_path / "b", {"answer_words": 55.47, "latency_rewrite_p95_ms": 0.0}, rows)
    runner = CliRunner()
    res = runner.invoke(app, ["eval", "compare", str(a), str(b), "--fail-on-regression", "--out",
                              str(tmp_path / "cmp.md")])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "0 regressions" in out and "better" not in out and "worse" not in out and "-0.0" not in out
    assert "| answer_words | 55.5 | 55.5 | 0 | same |" in (tmp_path / "cmp.md").read_text()

    lost = [_row("a01", **(RIGHT | {"hit@5": 0.0})), _row("a02", **RIGHT)]
    c = _run_dir(tmp_path / "c", {"answer_words": 55.47}, lost)
    res = runner.invoke(app, ["eval", "compare", str(a), str(c), "--fail-on-regression"])
    assert res.exit_code == 1 and "regressed a01" in " ".join(res.output.split())


# --- 6. confidence per question, the refusal threshold in force ------------------------------------


@pytest.fixture
def hash_rag(settings: Settings) -> RAG:
    coll = Collection.open(settings, embedder=HashEmbedder())
    assert coll.ingest([str(SEED)]).count("added") == 1
    return RAG(settings, collection=coll, llm=None)


def test_results_rows_carry_the_answers_confidence(hash_rag: RAG) -> None:
    from evals.run import run_suite
    from evals.suite import Case, Suite

    cases = [Case("c1", "Which town did the rebels capture south of Aleppo?", ("Khansir",),
                  ("000_2ee66f902f40f20f.txt",)),
             Case("c2", "Who won the 2024 Eurovision Song Contest?", (), (), "unanswerable")]
    rows = [r.to_dict() for r in run_suite(hash_rag, Suite("mini", "mini.jsonl", "ours", cases, total=2),
                                           offline=True)]
    for r in rows:
        assert "confidence" in r
        answer = hash_rag.ask(r["question"], offline=True)
        assert r["confidence"] == answer.confidence
    assert any(isinstance(r["confidence"], float) for r in rows)
    json.dumps(rows)  # written to results.jsonl as it is


def test_summary_records_the_refusal_threshold_in_force(hash_rag: RAG, settings: Settings) -> None:
    meta = settings_meta(hash_rag)
    assert meta["refuse_below"] == hash_rag.extractive.model.threshold and meta["refuse_below"] is not None
    assert meta["refuse_below_default"] is True
    assert {"chunk_tokens", "top_k", "max_answer_sentences", "llm_model"} <= set(meta)
    set_rag = RAG(settings.model_copy(update={"refuse_below": 0.5}), collection=hash_rag.collection, llm=None)
    assert (settings_meta(set_rag)["refuse_below"], settings_meta(set_rag)["refuse_below_default"]) == (0.5, False)
