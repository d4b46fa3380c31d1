"""evals.metrics and evals.summary on hand-made cases with exact expected numbers."""

from __future__ import annotations

import pytest

from evals import metrics as m
from evals.summary import Threshold, check_thresholds, compare_runs, lower_is_better, parse_threshold, summarise

# --- normalisation and answer scores -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Denver Broncos!", "denver broncos"),
        ("  a   cat,  AN owl and THE dog ", "cat owl and dog"),
        ("the army’s main supply route [2].", "army s main supply route"),
        ("Hyat Tahrir al-Sham [1, 3]", "hyat tahrir al sham"),
        ("“Quoted” — text", "quoted text"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert m.normalize(text) == expected


def test_exact_match() -> None:
    assert m.exact_match("The Denver Broncos [1].", ["Denver Broncos"]) == 1.0
    assert m.exact_match("Denver", ["Denver Broncos"]) == 0.0
    assert m.exact_match("anything", []) == 0.0
    assert m.exact_match("", ["the"]) == 0.0  # a gold answer that normalises to nothing matches nothing


def test_token_f1_exact_numbers() -> None:
    # pred: denver broncos won (3), gold: denver broncos (2): p=2/3, r=1 -> 0.8
    assert m.token_f1("Denver Broncos won", ["Denver Broncos"]) == pytest.approx(0.8)
    # best over golds: "carolina panthers" shares nothing, "broncos" gives p=1/3, r=1 -> 0.5
    assert m.token_f1("Denver Broncos won", ["Carolina Panthers", "Broncos"]) == pytest.approx(0.5)
    assert m.token_f1("nothing shared", ["Denver"]) == 0.0
    # repeated tokens count as a multiset: pred "a b b", gold "b b b" -> common 2, p=2/3, r=2/3
    assert m.token_f1("x y y", ["y y y"]) == pytest.approx(2 / 3)


def test_containment_respects_word_boundaries() -> None:
    assert m.contains_answer("Rebels captured the town of Khansir [1].", ["Khansir"]) == 1.0
    assert m.contains_answer("It was in 2011.", ["201"]) == 0.0  # not a substring of a word
    assert m.contains_answer("Russian and Syrian jets", ["Russia and Syria", "Russian and Syrian"]) == 1.0
    assert m.contains_answer("anything", []) == 0.0


def test_count_sentences_ignores_markers_and_abbreviations() -> None:
    assert m.count_sentences("Mr. Smith went to Washington. [1] He arrived at 5 p.m. on Monday! [2]") == 2
    assert m.count_sentences("One claim [1]") == 1
    assert m.count_sentences("") == 0


# --- retrieval -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "article_id", "source", "expected"),
    [
        ("000_x.txt", "a1", "/home/u/seeds/000_x.txt", True),  # file name
        ("seeds/000_x.txt", "a1", "/home/u/seeds/000_x.txt", True),  # path suffix
        ("0_x.txt", "a1", "/home/u/seeds/000_x.txt", False),  # suffix not at a path boundary
        ("https://ex.org/a", "a1", "https://ex.org/a", True),  # url
        ("https://ex.org/a/", "a1", "https://ex.org/a", True),
        ("a1", "a1", "/elsewhere.txt", True),  # article id
        ("squad://Warsaw", "a2", "squad://Warsaw", True),
        ("squad://War", "a2", "squad://Warsaw", False),
        ("dump.jsonl#3", "a3", "/d/dump.jsonl#3", True),
        ("", "a1", "/x", False),
    ],
)
def test_matches_article(gold: str, article_id: str, source: str, expected: bool) -> None:
    assert m.matches_article(gold, article_id, source) is expected


def test_hit_rank_hit_at_and_mrr() -> None:
    ranked = [("a", "/x/one.txt"), ("b", "/x/two.txt"), ("c", "/x/gold.txt"), ("d", "/x/gold.txt")]
    rank = m.hit_rank(ranked, ["gold.txt"])
    assert rank == 3
    assert [m.hit_at(rank, k) for k in (1, 3, 5, 10)] == [0.0, 1.0, 1.0, 1.0]
    assert m.reciprocal_rank(rank) == pytest.approx(1 / 3)
    assert m.hit_rank(ranked, ["missing.txt"]) is None
    assert m.hit_at(None, 10) == 0.0 and m.reciprocal_rank(None) == 0.0
    assert m.hit_rank(ranked, ["missing.txt", "b"]) == 2  # any gold counts


def test_context_recall_and_overlap() -> None:
    ctx1 = "The council approved a new tram line for the city centre on Monday after a long debate."
    ctx2 = "Construction will start next year and cost two billion kroner according to officials."
    chunk_inside = "approved a new tram line for the city centre on Monday"  # inside ctx1
    straddle = ctx1 + " " + ctx2  # a passage holding both contexts
    other = "Completely unrelated sentence about football results and weather in the north."
    assert m.context_overlap(chunk_inside, ctx1) == 1.0
    assert m.context_overlap(other, ctx1) == 0.0
    assert m.context_recall([other, chunk_inside], [ctx1, ctx2], 1) == 0.0
    assert m.context_recall([other, chunk_inside], [ctx1, ctx2], 2) == 0.5
    assert m.context_recall([straddle], [ctx1, ctx2], 1) == 1.0
    assert m.context_recall([straddle], [], 1) is None


def test_answer_in_context_at_k() -> None:
    passages = ["Nothing here.", "The Broncos beat the Panthers 24–10.", "More text."]
    assert m.answer_in_context(passages, ["24–10"], 1) == 0.0
    assert m.answer_in_context(passages, ["24–10"], 2) == 1.0
    assert m.answer_in_context(passages, ["Panthers win"], 3) == 0.0


# --- citations -----------------------------------------------------------------------------------


def test_claims_split_at_markers() -> None:
    assert m.claims("Rebels took Khansir [1]. Jets struck Idlib [2, 3].") == [
        ("Rebels took Khansir", (1,)), (". Jets struck Idlib", (2, 3))]
    assert m.claims("no markers") == []


def test_citation_support_exact() -> None:
    answer = "Rebels captured the town of Khansir [1]. Four people were killed in Idlib [2]."
    cites = [
        (1, "Rebels said they captured the town of Khansir south of Aleppo."),  # supports claim 1
        (2, "Russian jets struck the city of Idlib on Sunday."),  # topic only: lacks 'four killed'
        (3, "Rebels captured the town of Khansir."),  # its marker is on no claim
    ]
    assert m.citation_support(answer, cites) == [True, False, False]


def test_support_is_the_products_rule_plus_the_gold_answer() -> None:
    claim = "The rebels captured Khansir on Friday"
    assert m.supports(claim, "On Friday the rebels captured Khansir.", ["Khansir"])
    # the product's rule: a number (or name) the claim states must be in the quote
    claim = "Four people were killed in the Idlib raid"
    assert not m.supports(claim, "People were killed in the Idlib raid, officials said.")
    assert m.supports(claim, "At least four people were killed in the Idlib raid.", ["four"])
    # the same topic words, but the quote does not state the gold answer the claim states
    claim = "The jets struck a hospital in Idlib"
    quote = "The jets struck Idlib on Sunday."
    assert m.supports(claim, quote)
    assert not m.supports(claim, quote, ["a hospital"])
    assert not m.supports(claim, "The army shelled Aleppo.", [])
    assert not m.supports("", "anything")


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        ("The rebels captured the town and the villages", "The rebels captured it."),  # 2 of 4 stems: half
        ("The rebels captured the town, the villages and the roads", "The rebels captured it."),  # 2 of 5
        ("Rebels captured Khansir and Aleppo", "Rebels captured Khansir."),  # 3 of 4, but not Aleppo
        ("Four people were killed in the raid", "Four people were killed in the raid."),
        ("Five people were killed in the raid", "Four people were killed in the raid."),  # wrong number
        ("The jets struck the city", "Russian jets struck the city of Idlib on Sunday."),
    ],
)
def test_evaluator_and_verifier_agree_on_support(claim: str, sentence: str) -> None:
    """citation_precision counts a citation as supported exactly when ``rag.verify`` would keep it."""
    from rag.types import Passage
    from rag.verify import verify

    p = Passage(1, "c", "a", "T", "s", None, 1.0, sentence, 0, len(sentence), ((0, len(sentence)),))
    v = verify(f"{claim} [1].", [p])
    if v.citations:  # what the answer then says (the whole claim, or its backed head) is supported
        assert m.supports(v.text.replace(" [1]", ""), sentence)
    else:
        assert not m.supports(claim, sentence)


def test_dangling_citations() -> None:
    passages = {1: ("art1", "Alpha beta gamma. Delta epsilon.", 100), 2: ("art2", "Zeta eta.", 0)}
    good = (1, "art1", "Delta epsilon.", 118, 132)
    wrong_span = (1, "art1", "Delta epsilon.", 100, 114)
    wrong_article = (2, "art9", "Zeta eta.", 0, 9)
    no_passage = (7, "art1", "x", 0, 1)
    assert m.dangling_citations("A [1].", [good], passages) == 0
    assert m.dangling_citations("A [1]. B [4].", [good, wrong_span, wrong_article, no_passage], passages) == 4


def test_percentile_and_mean() -> None:
    assert m.percentile([1, 2, 3, 4], 50) == 2.5
    assert m.percentile([10.0], 95) == 10.0
    assert m.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == pytest.approx(9.55)
    assert m.percentile([], 50) is None
    assert m.mean([1.0, None, 0.0]) == 0.5 and m.mean([None]) is None


# --- aggregation ---------------------------------------------------------------------------------


def _row(i: int, typ: str = "factoid", *, refused: bool = False, **metrics: float | None) -> dict:
    mt = {"refused": float(refused)}
    mt["wrong_refusal" if typ != "unanswerable" else "correct_refusal"] = float(refused)
    mt.update(metrics)
    return {"id": f"q{i}", "type": typ, "kind": "what", "question": f"q{i}?", "answer": "", "refused": refused,
            "metrics": mt, "timings_ms": {"total": float(10 * i), "answer": 1.0}, "usage": {}}


def test_summarise_rates_and_pooled_citation_precision() -> None:
    rows = [
        _row(1, **{"hit@5": 1.0, "mrr": 1.0, "containment": 1.0, "citations": 2, "citations_supported": 2,
                   "citation_recall": 1.0}),
        _row(2, **{"hit@5": 0.0, "mrr": 0.0, "containment": 0.0, "citations": 1, "citations_supported": 0}),
        _row(3, refused=True, **{"hit@5": 1.0, "mrr": 0.5, "containment": 0.0}),
        _row(4, "unanswerable", refused=True),
        _row(5, "unanswerable", refused=False, **{"citations": 1, "citations_supported": 1}),
    ]
    metrics, n = summarise(rows, (5,))
    assert metrics["hit@5"] == pytest.approx(2 / 3) and n["hit@5"] == 3
    assert metrics["mrr"] == pytest.approx(0.5)
    assert metrics["containment"] == pytest.approx(1 / 3)
    assert metrics["citation_precision"] == pytest.approx(3 / 4)  # pooled: 3 supported of 4 citations
    assert metrics["citation_recall"] == 1.0 and n["citation_recall"] == 1
    assert metrics["wrong_refusal_rate"] == pytest.approx(1 / 3) and n["wrong_refusal_rate"] == 3
    assert metrics["correct_refusal_rate"] == 0.5 and n["correct_refusal_rate"] == 2
    assert metrics["latency_total_p50_ms"] == 30.0
    assert metrics["latency_total_p95_ms"] == pytest.approx(48.0)
    assert metrics["errors"] == 0.0


def test_summarise_citation_article_precision_and_short_answers() -> None:
    rows = [
        _row(1, **{"citations": 2, "citations_supported": 2, "citations_gold_article": 1,
                   "short_answer_present": 1.0, "short_answer_correct": 1.0, "short_answer_correct_all": 1.0,
                   "short_answer_precision": 1.0}),
        _row(2, **{"citations": 1, "citations_supported": 1, "citations_gold_article": 1,
                   "short_answer_present": 1.0, "short_answer_correct": 0.0, "short_answer_correct_all": 0.0,
                   "short_answer_precision": 0.0}),
        _row(3, **{"citations": 3, "citations_supported": 3,  # no gold articles known: not counted
                   "short_answer_correct_all": 1.0, "short_answer_precision": 1.0}),  # a "which country" question
        _row(6, **{"short_answer_correct_all": 0.0}),  # none shown: wrong for _all, not counted for precision
        _row(4, "unanswerable", refused=False, **{"answer_leak": 1.0}),
        _row(5, "unanswerable", refused=False, **{"answer_leak": 0.0}),
    ]
    metrics, n = summarise(rows, (5,))
    assert metrics["citation_article_precision"] == pytest.approx(2 / 3)  # pooled: 2 of 3 citations
    assert metrics["short_answer_present"] == 1.0 and metrics["short_answer_correct"] == 0.5
    assert metrics["short_answer_correct_all"] == 0.5 and n["short_answer_correct_all"] == 4
    assert metrics["short_answer_precision"] == pytest.approx(2 / 3) and n["short_answer_precision"] == 3
    assert metrics["answer_leak_rate"] == 0.5 and n["answer_leak_rate"] == 2


def test_summarise_counts_errors_and_skips_them() -> None:
    rows = [_row(1, **{"hit@5": 1.0}), {"id": "q2", "type": "factoid", "error": "boom", "metrics": {}, "timings_ms": {}}]
    metrics, _ = summarise(rows, (5,))
    assert metrics["hit@5"] == 1.0 and metrics["errors"] == 1.0


def test_summarise_llm_usage_and_cost() -> None:
    rows = [_row(1), _row(2)]
    rows[0]["usage"] = {"prompt_tokens": 1000, "completion_tokens": 100, "prompt_tokens_tiktoken": 990,
                        "completion_tokens_tiktoken": 100}
    rows[1]["usage"] = {"prompt_tokens_tiktoken": 3000, "completion_tokens_tiktoken": 300}
    metrics, _ = summarise(rows, (5,), model="llm:gpt-4o-mini")
    assert metrics["prompt_tokens"] == 1995.0 and metrics["completion_tokens"] == 200.0
    # billed: reported usage where present, else tiktoken: (1000+3000)*0.15 + (100+300)*0.6, per million
    assert metrics["cost_usd_total"] == pytest.approx((4000 * 0.15 + 400 * 0.6) / 1e6)
    metrics, _ = summarise(rows, (5,), model="my-local-model")
    assert "cost_usd_total" not in metrics  # unknown price: no made-up cost


# --- thresholds and compare ------------------------------------------------------------------------


def test_thresholds() -> None:
    t = parse_threshold("hit@5=0.9")
    assert t == Threshold("hit@5", 0.9, True)
    assert check_thresholds([t], {"hit@5": 0.95}) == []
    assert check_thresholds([t], {"hit@5": 0.85}) == ["hit@5 = 0.85 < 0.9"]
    assert check_thresholds([t], {}) == ["hit@5: not measured in this run (threshold 0.9)"]
    over = parse_threshold("latency_total_p50_ms=150", under=False)
    assert check_thresholds([over], {"latency_total_p50_ms": 151.0}) == ["latency_total_p50_ms = 151 > 150"]
    with pytest.raises(ValueError, match="METRIC=VALUE"):
        parse_threshold("hit@5")
    with pytest.raises(ValueError, match="not a number"):
        parse_threshold("hit@5=high")


def test_lower_is_better() -> None:
    assert lower_is_better("latency_total_p50_ms") and lower_is_better("wrong_refusal_rate")
    assert not lower_is_better("hit@5") and not lower_is_better("citation_precision")


def test_compare_runs_deltas_and_regressions() -> None:
    a = {"metrics": {"hit@5": 0.8, "latency_total_p50_ms": 100.0, "containment": 0.5}}
    b = {"metrics": {"hit@5": 0.9, "latency_total_p50_ms": 120.0, "containment": 0.5}}
    ra = [_row(1, **{"hit@5": 1.0, "containment": 1.0}), _row(2, **{"hit@5": 0.0, "containment": 0.0}),
          _row(3, "unanswerable", refused=True)]
    rb = [_row(1, **{"hit@5": 0.0, "containment": 1.0}), _row(2, **{"hit@5": 1.0, "containment": 1.0}),
          _row(3, "unanswerable", refused=False), _row(4)]
    cmp = compare_runs(a, b, ra, rb)
    verdicts = {d["metric"]: (round(d["delta"], 6), d["verdict"]) for d in cmp["deltas"]}
    assert verdicts == {"hit@5": (0.1, "better"), "latency_total_p50_ms": (20.0, "worse"), "containment": (0.0, "same")}
    assert sorted((r["id"], r["metric"]) for r in cmp["regressions"]) == [("q1", "hit@5"), ("q3", "correct_refusal")]
    assert sorted((r["id"], r["metric"]) for r in cmp["fixes"]) == [("q2", "containment"), ("q2", "hit@5")]
    assert (cmp["common_questions"], cmp["only_a"], cmp["only_b"]) == (3, 0, 1)


def test_support_reads_the_claim_as_an_answer_to_the_question() -> None:
    """The question's own names may be restated without the quote naming them, as ``rag.verify`` allows."""
    claim, quote = "Aaron Judge broke the league record held by Roger Maris", "Judge broke Roger Maris' league record."
    assert not m.supports(claim, quote)  # "Aaron" is in no quote
    assert m.supports(claim, quote, question="Aaron Judge broke the league record held by whom?")
    assert not m.supports("Aaron Judge broke the league record held by Babe Ruth", quote,
                          question="Aaron Judge broke the league record held by whom?")


@pytest.mark.parametrize(("short", "correct", "precision"), [
    ("Khansir", 1.0, 1.0),   # the bold answer is the gold one
    ("Aleppo", 0.0, 0.0),    # a wrong bold answer above a right sentence: a reader takes away the wrong one
    (None, 1.0, None),       # no short answer: the sentence holds the answer
])
def test_answer_correct_counts_a_wrong_short_answer_as_a_wrong_answer(short: str | None, correct: float,
                                                                    precision: float | None) -> None:
    from types import SimpleNamespace

    from evals.run import score_case
    from evals.suite import Case

    text = "Rebels captured the town of Khansir, south of Aleppo [1]."
    answer = SimpleNamespace(text=f"{short}. {text}" if short else text, refused=False, supporting=text,
                             short_answer=short, passages=(), dropped_markers=())
    out = score_case(Case("c", "Which town did the rebels capture?", ("Khansir",)), answer, [], [], [], (1,))
    assert out["containment"] == 1.0
    assert out["answer_correct"] == correct
    assert out.get("short_answer_precision") == precision
