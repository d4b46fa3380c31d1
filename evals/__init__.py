"""Evaluation harness: run question-answer suites through ``RAG.ask`` and measure what changed.

suite.py / importers.py (read suites) -> store.py (isolated, cached store for a corpus) ->
run.py (ask + per-question metrics from metrics.py) -> summary.py (aggregate, thresholds, compare)
-> report.py (report.md/html, plots); baseline.py (stock LlamaIndex), judge.py (optional LLM judge),
cli.py (``rag eval``).
"""
