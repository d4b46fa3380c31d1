"""The fitted answer-or-refuse model and sentence ranker: their parameter files, features, and decisions."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.confidence import FEATURES, FITTED, RefusalModel, features
from rag.evidence import prepare
from rag.extractive import SENTENCE_FEATURES, SENTENCES_FITTED, ExtractiveAnswerer, SentenceModel, sentence_features
from rag.text import marker_numbers
from rag.types import Passage

ARTICLE = (
    "Residents said one of the raids hit a crowded residential area in the centre of Idlib. "
    "At least four people were killed and dozens injured, according to rescuers at the scene. "
    "Insurgents swept into the city of Aleppo on Friday night, forcing the army to redeploy."
)


def _passage(text: str = ARTICLE, similarity: float | None = 0.6) -> Passage:
    spans, start = [], 0
    for sent in text.split(". "):
        end = start + len(sent) + (1 if not sent.endswith(".") else 0)
        spans.append((start, min(end, len(text))))
        start = end + 1
    return Passage(1, "c1", "a1", "Syria", "s", "2024-12-01", 1.0, text, 0, len(text), tuple(spans), similarity)


def test_fitted_file_loads_and_matches_the_code_features() -> None:
    raw = json.loads(FITTED.read_text())
    assert raw["features"] == list(FEATURES)
    model = RefusalModel.load()
    assert len(model.weights) == len(FEATURES)
    assert 0.0 < model.threshold < 1.0
    assert model.fitted_on.get("script") == "python -m evals.fit_answerer"


def test_a_file_fitted_for_other_features_is_refused_with_the_fix(tmp_path: Path) -> None:
    raw = json.loads(FITTED.read_text())
    raw["features"] = raw["features"][:-1]
    raw["weights"] = raw["weights"][:-1]
    bad = tmp_path / "answerer.json"
    bad.write_text(json.dumps(raw))
    with pytest.raises(ConfigError, match="evals.fit_answerer"):
        RefusalModel.load(bad)


def test_features_see_missing_names_in_the_best_sentence_window() -> None:
    ans = ExtractiveAnswerer()
    p = _passage()
    q_ok = prepare("How many people were killed in the Idlib raid?")
    q_off = prepare("How many people were killed in Homs on Saturday?")
    f_ok = features(q_ok, ans.score(q_ok, [p]), [p])
    f_off = features(q_off, ans.score(q_off, [p]), [p])
    assert set(f_ok) == set(FEATURES)
    assert f_ok["names_window"] == 1.0 and f_ok["type_ok"] == 1.0
    assert f_off["names_window"] == 0.0 and f_off["names_anywhere"] == 0.0
    assert f_ok["dense_top"] == pytest.approx(0.6)


def test_confidence_orders_answerable_above_on_topic_unanswerable() -> None:
    ans = ExtractiveAnswerer()
    p = _passage()
    yes = ans.answer("How many people were killed in the Idlib raid?", [p])
    no = ans.answer("How many people were killed in Homs on Saturday?", [p])
    assert yes.confidence is not None and no.confidence is not None
    assert yes.confidence > no.confidence
    assert not yes.refused and "four" in yes.text
    assert no.refused


def test_refuse_below_is_the_users_knob_on_the_same_scale() -> None:
    p = _passage()
    q = "How many people were killed in the Idlib raid?"
    conf = ExtractiveAnswerer().answer(q, [p]).confidence
    assert conf is not None
    assert ExtractiveAnswerer(refuse_below=min(1.0, conf + 0.01)).answer(q, [p]).refused
    assert not ExtractiveAnswerer(refuse_below=max(0.0, conf - 0.01)).answer(q, [p]).refused


def test_sentence_ranker_file_loads_and_matches_the_code_features() -> None:
    raw = json.loads(SENTENCES_FITTED.read_text())
    assert raw["features"] == list(SENTENCE_FEATURES)
    model = SentenceModel.load()
    assert len(model.weights) == len(SENTENCE_FEATURES) and model.candidates >= 1
    assert 0.0 <= model.second_same <= model.second_other
    assert model.fitted_on.get("script") == "python -m evals.fit_answerer"
    p = _passage()
    q = prepare("How many people were killed in the Idlib raid?")
    cands = ExtractiveAnswerer().score(q, [p])
    assert sentence_features(q, [p], cands).shape == (len(cands), len(SENTENCE_FEATURES))


def test_a_sentence_ranker_fitted_for_other_features_is_refused_with_the_fix(tmp_path: Path) -> None:
    raw = json.loads(SENTENCES_FITTED.read_text())
    raw["features"], raw["weights"] = raw["features"][1:], raw["weights"][1:]
    bad = tmp_path / "sentences.json"
    bad.write_text(json.dumps(raw))
    with pytest.raises(ConfigError, match="evals.fit_answerer"):
        SentenceModel.load(bad)


def _ranker(**weights: float) -> SentenceModel:
    return SentenceModel(SENTENCE_FEATURES, tuple(weights.get(f, 0.0) for f in SENTENCE_FEATURES), 20, 0.0, 2.0, 1, {})


def test_the_ranker_orders_by_its_weights_and_the_answer_follows_it() -> None:
    p = _passage()
    question = "How many people were killed in the Idlib raid?"
    # weight on "holds a phrase of the asked-for type" alone: the sentence with the count wins ...
    typed = ExtractiveAnswerer(sentences=_ranker(short_answer=1.0, own=0.1), refuse_below=0.0)
    ranked, _ = typed.evidence(typed.prepare(question), [p])
    assert ranked[0].text.startswith("At least four people were killed")
    # ... weight on position in the article alone: the lead sentence wins
    lead = ExtractiveAnswerer(sentences=_ranker(lead=1.0), refuse_below=0.0)
    ranked, _ = lead.evidence(lead.prepare(question), [p])
    assert ranked[0].text.startswith("Residents said")


def test_a_second_sentence_joins_from_the_same_article_only_below_the_other_article_bar() -> None:
    # second_same=0 (any sentence of the best one's article joins), second_other=2 (never another article's)
    text = "Rescuers said at least four people were killed in the raid. Idlib was quiet on Monday, residents said."
    other = Passage(2, "c2", "a2", "Other", "s", "2024-12-01", 1.0, text, 0, len(text), ((0, 59), (60, len(text))), 0.6)
    question = "How many people were killed in the Idlib raid?"
    both = ExtractiveAnswerer(sentences=_ranker(own=1.0), refuse_below=0.0)
    ranked, _ = both.evidence(both.prepare(question), [_passage(), other])
    assert {s.passage.n for s in ranked[:3]} == {1, 2}  # close scores across the two articles
    ans = both.answer(question, [_passage(), other])
    assert len(marker_numbers(ans.text)) == 2 and len(set(marker_numbers(ans.text))) == 1
    one = ExtractiveAnswerer(sentences=replace(_ranker(own=1.0), second_same=2.0), refuse_below=0.0)
    assert len(marker_numbers(one.answer(question, [_passage(), other]).text)) == 1
