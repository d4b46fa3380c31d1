"""evals.run / report / store / baseline / judge over a real store built with the hash-seeded fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.run import question_kind, run_suite
from evals.suite import Case, Suite
from index.collection import Collection
from rag.settings import Settings
from rag.api import RAG
from tests.fakes import HashEmbedder

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_2ee66f902f40f20f.txt"

OTHER = """Tram line approved in Oslo

The city council of Oslo approved a new tram line on Monday. Construction of the line will start in 2025.
The project will cost two billion kroner, the transport department said. Residents welcomed the decision.
"""


@pytest.fixture
def fake_rag(settings: Settings, tmp_path: Path) -> RAG:
    other = tmp_path / "oslo.txt"
    other.write_text(OTHER, encoding="utf-8")
    coll = Collection.open(settings, embedder=HashEmbedder())
    report = coll.ingest([str(SEED), str(other)])
    assert report.count("added") == 2, report
    return RAG(settings, collection=coll, llm=None)


def _suite() -> Suite:
    cases = [
        Case("c1", "Which town did the rebels capture south of Aleppo?", ("Khansir",), ("000_2ee66f902f40f20f.txt",)),
        Case("c2", "How much will the Oslo tram project cost?", ("two billion kroner",), ("oslo.txt",),
             contexts=("The project will cost two billion kroner, the transport department said.",)),
        Case("c3", "Who won the 2024 Eurovision Song Contest?", (), (), "unanswerable"),
    ]
    return Suite("mini", "mini.jsonl", "ours", cases, total=3)


def test_question_kind() -> None:
    assert [question_kind(q) for q in ("How many people died?", "In what year?", "When did it start?",
                                        "Whose idea?", "How did it go?", "Which town?", "What is it?", "Name it.")] == [
        "how many", "when", "when", "who", "how", "which", "what", "other"]


def test_run_suite_scores_every_question(fake_rag: RAG) -> None:
    seen: list[int] = []
    rows = [r.to_dict() for r in run_suite(fake_rag, _suite(), ks=(1, 3, 5, 10), offline=True,
                                           progress=lambda i, n, r: seen.append(i))]
    assert seen == [1, 2, 3]
    c1, c2, c3 = rows
    # the ranked list: first the passages ask() used (numbered), then deeper ones from one more retrieve
    shown = [p for p in c1["retrieved"] if p["n"] is not None]
    assert [p["rank"] for p in c1["retrieved"]] == list(range(1, len(c1["retrieved"]) + 1))
    assert all("text" in p for p in shown) and all("text" not in p for p in c1["retrieved"][len(shown):])
    assert c1["metrics"]["hit@10"] == 1.0 and c1["metrics"]["mrr"] > 0
    assert c1["metrics"]["context_tokens"] == sum(p["tokens"] for p in shown)
    assert c2["metrics"]["recall@10"] == 1.0
    assert c2["metrics"]["answer_in_context@10"] == 1.0
    assert "recall@5" not in c1["metrics"]  # no gold contexts: not applicable, not zero
    for r in (c1, c2):
        if not r["refused"]:
            assert r["metrics"]["citations"] == len(r["citations"]) >= 1
            assert r["metrics"]["dangling_citations"] == 0
            assert {"containment", "f1", "exact_match"} <= set(r["metrics"])
        assert r["metrics"]["wrong_refusal"] == float(r["refused"])
    assert "hit@5" not in c3["metrics"] and c3["metrics"]["correct_refusal"] == float(c3["refused"])
    assert set(c1["timings_ms"]) >= {"retrieve", "answer", "cite", "total"}
    assert c1["answerer"] == "extractive" and c1["kind"] == "which"
    # a "which" question is no who/when/where/how-many one; every answerable kind counts in the _all figure
    assert "short_answer_correct" not in c1["metrics"]
    assert c1["short_answer"] == "Khansir" and c1["metrics"]["short_answer_correct_all"] == 1.0
    assert c1["metrics"]["short_answer_precision"] == 1.0  # shown, and right
    assert c1["metrics"]["answer_correct"] == c1["metrics"]["containment"] == 1.0
    assert "short_answer_precision" not in c3["metrics"]  # no answer to be right about: not applicable


def test_a_failing_question_is_a_result(fake_rag: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    real = fake_rag.ask

    def flaky(question: str, **kw: object):  # noqa: ANN202
        if "Oslo" in question:
            raise RuntimeError("boom")
        return real(question, **kw)

    monkeypatch.setattr(fake_rag, "ask", flaky)
    rows = run_suite(fake_rag, _suite(), offline=True)
    assert [r.error for r in rows] == [None, "RuntimeError: boom", None]


def test_reports_and_compare(fake_rag: RAG, tmp_path: Path) -> None:
    from evals.cli import build_summary, write_run
    from evals.report import compare_markdown
    from evals.summary import compare_runs, parse_threshold

    suite = _suite()
    rows = [r.to_dict() for r in run_suite(fake_rag, suite, offline=True)]
    meta = {"suite": "mini", "format": "ours", "cases": 3, "ks": [1, 3, 5, 10], "answerer": "extractive"}
    summary = build_summary(suite, rows, (1, 3, 5, 10), [parse_threshold("hit@10=0.5"), parse_threshold("f1=1.01")],
                            None, meta=meta)
    assert [c["ok"] for c in summary["thresholds"]] == [True, False]
    assert set(summary["by_type"]) == {"factoid", "unanswerable"} and summary["by_type"]["factoid"]["n"] == 2
    paths = write_run(tmp_path / "run", summary, rows, None)
    names = sorted(p.name for p in paths)
    assert names == ["by_kind.png", "latency.png", "report.html", "report.md", "results.jsonl",
                     "retrieval_at_k.png", "summary.json"]
    for p in paths:
        assert p.stat().st_size > 0
    assert (tmp_path / "run" / "plots" / "retrieval_at_k.png").read_bytes()[:4] == b"\x89PNG"
    md = (tmp_path / "run" / "report.md").read_text()
    assert "## Summary" in md and "| Retrieval | hit@5 |" in md and "## By type" in md and "MISSED" in md
    assert "(plots/retrieval_at_k.png)" in md
    html = (tmp_path / "run" / "report.html").read_text()
    assert html.startswith("<!doctype html>") and 'src="plots/latency.png"' in html
    loaded = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in loaded] == ["c1", "c2", "c3"]
    assert set(loaded[0]) >= {"question", "gold", "answer", "refused", "citations", "retrieved", "metrics", "timings_ms"}

    worse = [dict(r, metrics=dict(r["metrics"])) for r in loaded]
    worse[0]["metrics"]["hit@5"] = 0.0 if loaded[0]["metrics"]["hit@5"] == 1.0 else 1.0
    cmp = compare_runs(summary, summary, loaded, worse)
    assert len(cmp["regressions"]) + len(cmp["fixes"]) == 1
    assert "# Compare: a -> b" in compare_markdown(cmp, "a", "b")


def test_open_store_is_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from evals.store import corpus_key, open_store
    from evals.suite import CorpusRecord

    monkeypatch.setenv("RAG_EVAL_CACHE", str(tmp_path / "cache"))
    records = [CorpusRecord("Oslo tram", OTHER, "squad://Oslo_tram")]
    rag, info = open_store([str(SEED)], records=records, embedder=HashEmbedder())
    assert (info["reused"], info["articles"]) == (False, 2)
    assert Path(info["store"]).parent == tmp_path / "cache"
    sources = {p.source for p in rag.ask("Oslo tram cost", offline=True).passages}
    assert "squad://Oslo_tram" in sources
    rag2, info2 = open_store([str(SEED)], records=records, embedder=HashEmbedder())
    assert info2["reused"] and info2["store"] == info["store"]
    _, info3 = open_store([str(SEED)], records=[CorpusRecord("Oslo tram", OTHER + "More.", "squad://Oslo_tram")],
                          embedder=HashEmbedder())
    assert info3["store"] != info["store"]  # changed content: a fresh store
    s = Settings(home=tmp_path)
    assert corpus_key([str(SEED)], s) != corpus_key([str(SEED)], Settings(home=tmp_path, chunk_tokens=100))
    # `rag eval --store DIR` with no corpus: that store as it is (it used to re-key to "nothing")
    rag4, info4 = open_store(store_dir=Path(info["store"]), embedder=HashEmbedder())
    assert info4["reused"] and info4["articles"] == 2
    assert "squad://Oslo_tram" in {p.source for p in rag4.ask("Oslo tram cost", offline=True).passages}


def test_llamaindex_baseline_leaves_global_settings_alone(fake_rag: RAG, tmp_path: Path) -> None:
    from llama_index.core import Settings as LISettings

    from evals.baseline import LlamaIndexBaseline, run_baseline

    before = (LISettings._llm, LISettings._embed_model, LISettings._callback_manager)
    bl = LlamaIndexBaseline(fake_rag.collection, workdir=tmp_path / "li")
    assert bl.n_docs == 2 and bl.n_nodes >= 2
    assert bl.splitter.chunk_size == 1024 and bl.splitter.chunk_overlap == 200
    rows = run_baseline(bl, _suite().cases, ks=(1, 5))
    assert (LISettings._llm, LISettings._embed_model, LISettings._callback_manager) == before
    assert rows[0]["metrics"]["hit@5"] == 1.0  # two articles, both retrieved
    assert rows[1]["metrics"]["recall@5"] == 1.0 and rows[1]["metrics"]["answer_in_context@5"] == 1.0
    assert rows[0]["retrieved"][0]["source"]


class _ScriptedClient:
    """Shaped like openai.OpenAI for chat.completions.create; records the prompts it got."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls: list[dict] = []
        self.chat = self
        self.completions = self

    def create(self, **kw: object):  # noqa: ANN201
        from types import SimpleNamespace

        self.calls.append(kw)
        return SimpleNamespace(choices=[SimpleNamespace(message=SimpleNamespace(content=self.reply))])


def test_judge_scores_with_named_model(fake_rag: RAG) -> None:
    from evals.judge import Judge, parse_scores

    assert parse_scores('sure: {"faithfulness": 0.5, "correctness": 2}') == {"faithfulness": 0.5, "correctness": 1.0}
    assert parse_scores("no json") == {"faithfulness": None, "correctness": None}
    client = _ScriptedClient('{"faithfulness": 1, "correctness": 0.5}')
    judge = Judge("judge-model", client=client)
    rows = run_suite(fake_rag, _suite(), offline=True, judge=judge)
    answered = [r for r in rows if not r.refused]
    assert answered and len(client.calls) == len(answered)
    assert all(r.judge and r.judge["model"] == "judge-model" for r in rows)
    assert answered[0].metrics["judge_faithfulness"] == 1.0
    assert client.calls[0]["model"] == "judge-model" and "Reference answer" in client.calls[0]["messages"][1]["content"]


class _RecordingEmbedder(HashEmbedder):
    """The fake embedder, remembering every batch of texts it embedded."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[list[str]] = []

    def __call__(self, texts):  # noqa: ANN001, ANN204
        self.texts.append(list(texts))
        return super().__call__(texts)


def test_the_query_is_embedded_once_and_nothing_is_patched(settings: Settings, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from evals.run import _ask_takes_vector

    other = tmp_path / "oslo.txt"
    other.write_text(OTHER, encoding="utf-8")
    embedder = _RecordingEmbedder()
    coll = Collection.open(settings, embedder=embedder)
    coll.ingest([str(SEED), str(other)])
    rag = RAG(settings, collection=coll, llm=None)
    real = rag.ask
    seen: list[object] = []

    def spy(question: str, **kw: object):  # noqa: ANN202
        seen.append(rag.collection.embedder)
        return real(question, **kw)

    monkeypatch.setattr(rag, "ask", spy)
    suite = _suite()
    rows = run_suite(rag, suite, ks=(1, 3, 5, 10), top_k=2, offline=True)  # top 2 shown: 3..10 from the deeper call
    assert all(e is embedder for e in seen) and rag.collection.embedder is embedder
    assert all(r.error is None for r in rows)
    deeper = [r for r in rows if any(p["n"] is None for p in r.retrieved)]
    assert deeper  # the deeper retrieve ran, so its vector must have come from the one embedding
    per_question = 1 if _ask_takes_vector(rag) else 2  # until RAG.ask takes query_vector, ask embeds again
    for case in suite.cases[1:]:  # the first question is also asked once to warm up
        assert embedder.texts.count([case.question]) == per_question, case.id


def test_asked_on_is_passed_as_as_of_unless_turned_off(fake_rag: RAG) -> None:
    from datetime import date, timedelta

    cases = [Case("w1", "Which town did the rebels capture this week?", ("Khansir",), ("000_2ee66f902f40f20f.txt",),
                  asked_on="2019-05-10"),
             Case("w2", "Which town did the rebels capture?", ("Khansir",), ("000_2ee66f902f40f20f.txt",))]
    suite = Suite("news", "news.jsonl", "ours", cases, total=2)
    with_date = [r.to_dict() for r in run_suite(fake_rag, suite, offline=True)]
    without = [r.to_dict() for r in run_suite(fake_rag, suite, offline=True, use_as_of=False)]
    assert [r["as_of"] for r in with_date] == ["2019-05-10", None]
    assert [r["as_of"] for r in without] == [None, None]
    assert [r["window"] for r in with_date] == ["understood", "none"] and with_date[1]["time_window"] is None
    start, end = (date.fromisoformat(with_date[0]["time_window"][k]) for k in ("start", "end"))
    assert date(2019, 5, 10) - timedelta(days=7) < start <= end <= date(2019, 5, 10)  # the week it was asked
    assert date.fromisoformat(without[0]["time_window"]["end"]) > date(2019, 5, 10)  # as of today instead
    assert json.loads(json.dumps(with_date[0]))["as_of"] == "2019-05-10"  # results.jsonl carries it


BA = """High fuel prices hit BA's profits

British Airways has blamed high fuel prices for a 40% drop in profits. Rod Eddington, BA's chief executive, said
the results were respectable in a third quarter when fuel costs rose by 106m pounds.
"""
PC = """Digital guru floats sub-$100 PC

Nicholas Negroponte, chairman and founder of MIT's Media Labs, says he is developing a laptop PC that will go on
sale for less than $100.
"""


def test_gold_references_are_resolved_against_every_source_of_an_article(settings: Settings, tmp_path: Path) -> None:
    """A file name matches an article whose passages carry its front-matter URL; a reference naming
    no article or several is reported, with the case and the articles."""
    corpus = tmp_path / "corpus"
    (corpus / "business").mkdir(parents=True)
    (corpus / "tech").mkdir()
    (corpus / "business" / "004.txt").write_text(BA, encoding="utf-8")
    (corpus / "tech" / "004.txt").write_text(PC, encoding="utf-8")
    (corpus / "oslo_tram.md").write_text("---\ntitle: Tram line approved in Oslo\ndate: 2025-03-11\n"
                                         "url: https://news.example/oslo/1\n---\n" + OTHER.split("\n", 2)[2],
                                         encoding="utf-8")
    coll = Collection.open(settings, embedder=HashEmbedder())
    assert coll.ingest([str(corpus)]).count("added") == 3
    rag = RAG(settings, collection=coll, llm=None)
    cases = [
        Case("g1", "How much will the Oslo tram project cost?", ("two billion kroner",), ("oslo_tram.md",)),
        Case("g2", "Who is BA's chief executive?", ("Rod Eddington",), ("004.txt",), line=2),
        Case("g3", "Who won the Australian Open?", ("Marat Safin",), ("sport/001.txt",), line=3),
        Case("g4", "Who is BA's chief executive?", ("Rod Eddington",), ("business/004.txt", "sport/001.txt"), line=4),
    ]
    suite = Suite("gold", "gold.jsonl", "ours", cases, total=4)
    rows = {r.id: r.to_dict() for r in run_suite(rag, suite, ks=(1, 3), offline=True)}
    g1 = rows["g1"]
    oslo = [p for p in g1["retrieved"] if p["source"] == "https://news.example/oslo/1"]
    assert oslo and all(p["gold"] for p in oslo)  # the passage names the URL; the gold names the file
    assert g1["metrics"]["hit@3"] == 1.0 and g1["metrics"]["gold_rank"] == oslo[0]["rank"]
    assert rows["g3"]["metrics"]["hit@3"] == 0.0 and not any(p["gold"] for p in rows["g3"]["retrieved"])
    # an ambiguous name: both articles count as gold
    assert {(p["source"].endswith("004.txt"), p["gold"]) for p in rows["g2"]["retrieved"]} == {(True, True),
                                                                                               (False, False)}

    from evals.run import gold_ids

    golds, issues = gold_ids(rag, suite)
    assert [str(i) for i in issues] == [
        f"case 'g2' (line 2): gold article \"004.txt\" is ambiguous: it matches 2 stored articles "
        f"({corpus}/business/004.txt, {corpus}/tech/004.txt), and each counts as gold; name one by a longer path, "
        "its URL or its id",
        "case 'g3' (line 3): gold article \"sport/001.txt\" matches no stored article, so its retrieval metrics are "
        "0; check the name, or ingest the article",
        "case 'g4' (line 4): gold article \"sport/001.txt\" matches no stored article, so its retrieval metrics are "
        "0; check the name, or ingest the article",
    ]
    assert len(golds["g1"]) == 1 and len(golds["g2"]) == 2 and golds["g3"] == frozenset() and len(golds["g4"]) == 1


def test_a_retrieval_only_case_is_answerable_not_a_refusal_case(fake_rag: RAG, tmp_path: Path) -> None:
    from evals.suite import load_suite
    from evals.summary import summarise

    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"id": "r1", "question": "Which town did the rebels capture south of Aleppo?",
                                "article": "000_2ee66f902f40f20f.txt"}) + "\n", encoding="utf-8")
    rows = [r.to_dict() for r in run_suite(fake_rag, load_suite(path), ks=(1, 5), offline=True)]
    (r1,) = rows
    assert r1["type"] == "factoid" and r1["metrics"]["hit@5"] == 1.0
    assert "correct_refusal" not in r1["metrics"] and "wrong_refusal" in r1["metrics"]
    metrics, n = summarise(rows, (1, 5))
    assert n["correct_refusal_rate"] == 0 and metrics["correct_refusal_rate"] is None
    assert n["wrong_refusal_rate"] == 1


def _llm_rag(settings: Settings, tmp_path: Path, script: list) -> RAG:
    from rag.llm import LLMAnswerer
    from tests.llm_fixtures import ScriptedClient

    other = tmp_path / "oslo.txt"
    other.write_text(OTHER, encoding="utf-8")
    coll = Collection.open(settings, embedder=HashEmbedder())
    coll.ingest([str(SEED), str(other)])
    llm = LLMAnswerer(Settings(home=settings.home, llm_model="gpt-4o-mini", llm_retries=0),
                      client=ScriptedClient(script))
    return RAG(settings, collection=coll, llm=llm)


def test_completion_tokens_are_the_models_reply_not_the_shown_answer(settings: Settings, tmp_path: Path) -> None:
    """usage["completion_tokens"] (the server's count of the reply) is what is counted and billed;
    an answer the LLM never wrote (its call failed: the offline answer) counts no reply tokens."""
    import openai

    from evals.summary import summarise
    from tests.llm_fixtures import chunks, httpx

    denied = openai.AuthenticationError(
        "Error code: 401", response=httpx.Response(401, request=httpx.Request("POST", "http://llm.test/v1")), body=None)
    rag = _llm_rag(settings, tmp_path, [
        chunks(["The Oslo tram project will cost two billion kroner [1]."], usage=True),  # completion_tokens 20
        denied,
    ])
    cases = [Case("c2", "How much will the Oslo tram project cost?", ("two billion kroner",), ("oslo.txt",)),
             Case("c1", "Which town did the rebels capture south of Aleppo?", ("Khansir",),
                  ("000_2ee66f902f40f20f.txt",))]
    rows = [r.to_dict() for r in run_suite(rag, Suite("llm", "llm.jsonl", "ours", cases, total=2), ks=(1, 5))]
    replied, failed = rows
    assert replied["usage"]["completion_tokens"] == 20 and "completion_tokens_tiktoken" not in replied["usage"]
    assert replied["usage"]["prompt_tokens_tiktoken"] > 0  # the exact messages sent, counted
    assert failed["answerer"] == "extractive" and failed["usage"] == {} and not failed["refused"]
    metrics, n = summarise(rows, (1, 5), model="llm:gpt-4o-mini")
    assert metrics["completion_tokens"] == 20.0 and n["completion_tokens"] == 1
    assert metrics["cost_usd_total"] == pytest.approx((100 * 0.15 + 20 * 0.60) / 1e6)
    from evals.summary import answerer_meta

    who = answerer_meta(rows, rag.answerer_name, rag.extractive.name)
    assert who == {"answerer": "llm:gpt-4o-mini", "llm_calls": 1, "fallbacks": 1}
    # the label does not depend on which question came first
    assert answerer_meta(rows[::-1], rag.answerer_name, rag.extractive.name) == who


def test_answerer_meta_labels_the_run_not_its_first_row() -> None:
    from evals.summary import answerer_meta

    def row(answerer: str, usage: dict | None = None, error: str | None = None) -> dict:
        return {"answerer": answerer, "usage": usage or {}, "error": error}

    fell_back_first = [row("extractive", {"prompt_tokens": 900, "completion_tokens": 12}),
                       row("llm:m", {"prompt_tokens": 900, "completion_tokens": 12}), row("error", error="boom")]
    assert answerer_meta(fell_back_first, "llm:m", "extractive") == {"answerer": "llm:m", "llm_calls": 2,
                                                                     "fallbacks": 1}
    assert answerer_meta([row("extractive")] * 3, "extractive", "extractive") == {
        "answerer": "extractive", "llm_calls": 0, "fallbacks": 0}
    # configured offline, yet an answer came from an LLM: the label says so
    assert answerer_meta([row("extractive"), row("local:smol", {"completion_tokens": 3})], "extractive",
                         "extractive")["answerer"] == "local:smol"
