"""The fitted answer-or-refuse model: its parameter file, its features, and what it decides on the seed article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import ConfigError
from rag.confidence import FEATURES, FITTED, RefusalModel, features
from rag.evidence import prepare
from rag.extractive import ExtractiveAnswerer
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
