"""`rag eval` end to end: the real model, embedded Chroma, files written, compare, --fail-under exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app

REPO = Path(__file__).resolve().parents[1]
SUITE = str(REPO / "seeds" / "suite.jsonl")
SEED = str(REPO / "seeds" / "000_2ee66f902f40f20f.txt")


def said(res) -> str:  # noqa: ANN001 - click Result
    """The output with rich's line wrapping undone."""
    return " ".join(res.output.split())


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("RAG_EVAL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    return CliRunner()


def test_help_and_bad_arguments(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(app, ["eval", "--help"])
    assert res.exit_code == 0 and "compare" in said(res) and "squad" in said(res)
    res = runner.invoke(app, ["eval", SUITE, "--fail-under", "hit@five=1"])
    assert res.exit_code == 2 and "unknown metric 'hit@five'" in said(res)
    res = runner.invoke(app, ["eval", SUITE, "--fail-under", "hit@5"])
    assert res.exit_code == 2 and "METRIC=VALUE" in said(res)
    res = runner.invoke(app, ["eval", str(tmp_path / "missing.jsonl")])
    assert res.exit_code == 2 and "no such suite file" in said(res)
    res = runner.invoke(app, ["eval", "compare", str(tmp_path), str(tmp_path)])
    assert res.exit_code == 2 and "not a finished eval run" in said(res)


@pytest.mark.slow
@pytest.mark.integration
def test_eval_seed_suite_end_to_end(runner: CliRunner, tmp_path: Path) -> None:
    out_a = tmp_path / "runs" / "a"
    res = runner.invoke(app, ["eval", SUITE, "--corpus", SEED, "--out", str(out_a), "--offline",
                              "--fail-under", "hit@5=0.9", "--fail-under", "citation_precision=0.9",
                              "--fail-under", "correct_refusal_rate=0.4"])
    assert res.exit_code == 0, res.output
    assert "built; 1 article," in said(res)  # was "1 articles"
    for name in ("results.jsonl", "summary.json", "report.md", "report.html", "plots/retrieval_at_k.png",
                 "plots/latency.png", "plots/by_kind.png"):
        assert (out_a / name).stat().st_size > 0, name
    rows = [json.loads(line) for line in (out_a / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 29 and rows[0]["id"] == "seed-01"
    summary = json.loads((out_a / "summary.json").read_text())
    assert summary["meta"]["cases"] == 29 and summary["meta"]["isolated"] is True
    assert summary["metrics"]["correct_refusal_rate"] >= 0.4
    assert all(c["ok"] for c in summary["thresholds"])

    # a threshold that cannot be met: the run still writes its files, and exits 1
    out_b = tmp_path / "runs" / "b"
    res = runner.invoke(app, ["eval", SUITE, "--corpus", SEED, "--out", str(out_b), "--offline",
                              "--fail-under", "hit@5=0.9", "--fail-under", "containment=1.01",
                              "--fail-over", "latency_total_p50_ms=0.001"])
    assert res.exit_code == 1, res.output
    assert "reused" in said(res)  # the store built by the first run
    assert "threshold missed: containment" in said(res) and "latency_total_p50_ms" in said(res)
    assert "threshold missed: hit@5" not in said(res)
    assert (out_b / "report.md").is_file()

    # compare: same questions and answers -> no per-question regressions
    res = runner.invoke(app, ["eval", "compare", str(out_a), str(out_b), "--fail-on-regression",
                              "--out", str(tmp_path / "cmp.md")])
    assert res.exit_code == 0, res.output
    assert "29 questions in both runs; 0 regressions" in said(res)
    assert (tmp_path / "cmp.md").read_text().startswith("# Compare:")

    # make run b lose the gold article on one question: compare names it and fails
    rows_b = [json.loads(line) for line in (out_b / "results.jsonl").read_text().splitlines()]
    rows_b[0]["metrics"]["hit@5"] = 0.0
    (out_b / "results.jsonl").write_text("\n".join(json.dumps(r) for r in rows_b) + "\n")
    res = runner.invoke(app, ["eval", "compare", str(out_a), str(out_b), "--fail-on-regression"])
    assert res.exit_code == 1
    assert "regressed seed-01: gold article fell out of the top 5" in said(res)


@pytest.mark.slow
@pytest.mark.integration
def test_eval_against_the_current_collection(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(app, ["ingest", SEED])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["eval", SUITE, "--offline", "--out", str(tmp_path / "cur")])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "cur" / "summary.json").read_text())
    assert summary["meta"]["isolated"] is False and summary["meta"]["store"] == str(tmp_path / "home")
    assert summary["metrics"]["hit@1"] == 1.0


def _suite_file(path: Path, rows: list[dict]) -> str:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.slow
@pytest.mark.integration
def test_llm_run_is_labelled_and_costed_whichever_question_comes_first(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first question's LLM answer is withheld (the offline answer stands in): the run is still
    the LLM's, its fallbacks are counted, and tokens and cost count the model's replies."""
    from tests.fault_server import Fault, FaultServer

    suite = _suite_file(tmp_path / "llm.jsonl", [
        {"id": "q1", "question": "Which town did the rebels capture south of Aleppo?", "answers": ["Khansir"],
         "article": "000_2ee66f902f40f20f.txt"},
        {"id": "q2", "question": "How many people were killed in the Idlib raid?", "answers": ["At least four"],
         "article": "000_2ee66f902f40f20f.txt"},
    ])
    script = [Fault.ok("The Eiffel Tower was finished in 1889 in Paris [1]."),  # supported by nothing: withheld
              Fault.ok("At least four people were killed and dozens injured, according to rescuers at the scene [1].")]
    with FaultServer(script, default=Fault.status(500)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("RAG_LLM_MODEL", "gpt-4o-mini")
        monkeypatch.setenv("RAG_LLM_RETRIES", "0")
        res = runner.invoke(app, ["eval", suite, "--corpus", SEED, "--out", str(tmp_path / "run")])
        assert res.exit_code == 0, res.output
        assert len(server.completions) == 2
    rows = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert rows[0]["answerer"] == "extractive" and "withheld" in " ".join(rows[0]["notices"])
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    meta = summary["meta"]
    assert meta["answerer"] == "llm:gpt-4o-mini" and meta["llm_calls"] == 2
    assert meta["fallbacks"] == sum(r["answerer"] == "extractive" for r in rows) >= 1
    assert summary["metrics"]["completion_tokens"] == 7.0  # the server's count of each 7-token reply
    assert summary["metrics"]["cost_usd_total"] == pytest.approx((2 * 11 * 0.15 + 2 * 7 * 0.60) / 1e6)
    assert "llm:gpt-4o-mini" in said(res) and f"{meta['fallbacks']} of 2 answers came from the offline answerer" \
        in said(res)
    assert f"{meta['fallbacks']} of 2 answers came from the offline answerer" in \
        (tmp_path / "run" / "report.md").read_text()


@pytest.mark.slow
@pytest.mark.integration
def test_gold_warnings_report_and_compare_messages(runner: CliRunner, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for folder in ("business", "tech"):
        (corpus / folder).mkdir(parents=True)
        (corpus / folder / "000.txt").write_text(Path(SEED).read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "tech" / "000.txt").write_text("Tram line approved in Oslo\n\nThe city council of Oslo approved a "
                                             "new tram line on Monday.\n", encoding="utf-8")
    rows = [
        {"id": "a1", "question": "Who are the Syrian army's allies?", "answers": ["Russia"],
         "article": "business/000.txt"},
        {"id": "a2", "question": "Which town did the rebels capture south of Aleppo?", "answers": ["Khansir"],
         "article": "000.txt"},  # business/000.txt and tech/000.txt
        {"id": "a3", "question": "Who won the Australian Open?", "answers": ["Marat Safin"],
         "article": "sport/001.txt"},  # not in the corpus
        {"id": "a4", "question": "Who are the rebels?", "article": "business/000.txt"},  # retrieval only
    ]
    bad = [f'{{"id": "b{i}", "answer": ["x"], "question": "Q{i}?"}}' for i in range(25)]  # 25 misspelt rows
    suite = tmp_path / "g.jsonl"
    suite.write_text("\n".join([json.dumps(r) for r in rows] + bad) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    res = runner.invoke(app, ["eval", str(suite), "--corpus", str(corpus), "--offline", "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = said(res)
    assert "case 'a2' (line 2): gold article \"000.txt\" is ambiguous: it matches 2 stored articles" in text
    squeezed = "".join(res.output.split())  # rich breaks a long path across lines
    assert f"({corpus}/business/000.txt,{corpus}/tech/000.txt)" in squeezed
    assert "case 'a3' (line 3): gold article \"sport/001.txt\" matches no stored article" in text
    for metric in ("short_answer_present", "short_answer_correct", "short_answer_correct_all"):  # C5
        assert f" {metric} " in text
    assert "│ errors │ 0 │ 4 │" in " ".join(res.output.replace("  ", " ").split())  # n: every question (C4)

    summary = json.loads((out / "summary.json").read_text())
    assert summary["meta"]["gold_issues"] == {"unmatched": 1, "ambiguous": 1}
    assert summary["n"]["errors"] == 4 and summary["n"]["correct_refusal_rate"] == 0  # a4 is no refusal case
    report = (out / "report.md").read_text()
    assert "skipped 25 malformed rows: line 5: answer: not a field" in report
    assert "; and 5 more (all in summary.json, meta.skipped_rows)" in report  # C1
    assert "2 gold article references match no stored article or several: case 'a3' (line 3)" in report
    assert "| Answers | short_answer_correct_all |" in report and "| Run | errors | 0 | 4 |" in report

    # compare: a run dir that does not exist is named as given (C2); different suites are refused (C3)
    res = runner.invoke(app, ["eval", "compare", str(out), str(tmp_path / "runs" / "nonexist")])
    assert res.exit_code == 2 and f"{tmp_path / 'runs' / 'nonexist'}: no such run directory" in said(res)
    other = tmp_path / "other"
    other.mkdir()
    (other / "summary.json").write_text(json.dumps({"meta": {"suite": "seeds"}, "metrics": summary["metrics"]}))
    (other / "results.jsonl").write_text(json.dumps({"id": "seed-01", "question": "Q?", "metrics": {}}) + "\n")
    res = runner.invoke(app, ["eval", "compare", str(out), str(other)])
    assert res.exit_code == 2 and "have no question in common (4 questions and 1, suites g and seeds)" in said(res)
    assert "┃ metric" not in res.output
