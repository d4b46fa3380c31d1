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
    assert "built; 1 articles" in said(res)
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
