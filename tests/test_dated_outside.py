"""The answer-or-refuse model's date-consistency feature (``dated_outside``): a question about "this week" answered
from an article of another year is refused, saying so; the same article answers when asked as of its own week.

RealTime QA's "The headliner for the Super Bowl halftime show in February was announced this week. Who will be
performing?" (asked 2022-09-30; the answer's articles removed) was answered **Bruno Mars** from a 2014 article: the
time prior only reorders the candidates it has, and nothing in the evidence features knew the date.
"""

from __future__ import annotations

import doctest
import json
from datetime import date
from pathlib import Path

import pytest

import rag.timewindow
from rag.confidence import FEATURES, RefusalModel, features
from rag.evidence import prepare
from rag.extractive import ExtractiveAnswerer, dated_notice
from rag.timewindow import OUTSIDE_SCALE_DAYS, dated_outside, reported_in, understand
from rag.types import Passage, TimeWindow

WEEK = TimeWindow(date(2022, 9, 26), date(2022, 9, 30), "this week")
HALFTIME = ("Chili Peppers to join Bruno Mars for Super Bowl show\n\n"
            "The Red Hot Chili Peppers will perform with Bruno Mars at the Super Bowl XLVIII halftime show on Feb. 2, it "
            "was announced Saturday during Fox's broadcast of the NFC playoff game between the New Orleans Saints and "
            "Seattle Seahawks. Bruno Mars previously announced he would headline the show at MetLife Stadium.\n")
ASKED = "The headliner for the Super Bowl halftime show was announced this week. Who will be performing?"


def test_the_reported_period_runs_from_the_named_period_to_the_reference_date() -> None:
    march = understand("What happened in March?", date(2024, 5, 2))
    assert march is not None
    got = reported_in(march, date(2024, 5, 2))
    assert got is not None and (got.start, got.end) == (date(2024, 3, 1), date(2024, 5, 2))  # a report of March in May
    assert reported_in(WEEK, date(2022, 9, 30)) == WEEK
    assert reported_in(None, date(2022, 9, 30)) is None
    assert reported_in(TimeWindow(None, None, "latest", recency=True), date(2022, 9, 30)) is None  # any age: recency
    assert reported_in(TimeWindow(date(2016, 1, 1), None, "since 2016"), date(2022, 9, 30)) is None  # open


@pytest.mark.parametrize(("published", "expected"), [
    ("2022-09-28", 0.0),       # inside
    (None, 0.0),               # undated: says nothing of time
    ("2014-01-11", 1.0),       # years before: saturates
    ("2022-10-30", None),      # a month after the reference date (a later article): outside too
])
def test_dated_outside_is_zero_inside_and_grows_with_the_distance(published: str | None, expected: float | None) -> None:
    got = dated_outside(published, WEEK)
    if expected is None:
        assert 0.5 < got < 1.0
    else:
        assert got == expected
    assert dated_outside(published, None) == 0.0  # no period named: no date to be outside of


def test_dated_outside_rises_with_the_days_outside() -> None:
    days = [1, 7, 30, 120, OUTSIDE_SCALE_DAYS, 3 * OUTSIDE_SCALE_DAYS]
    got = [dated_outside(date.fromordinal(WEEK.start.toordinal() - d), WEEK) for d in days]
    assert got == sorted(got) and got[0] > 0.0 and got[-2] == got[-1] == 1.0


def test_the_feature_reads_the_best_sentences_article_date() -> None:
    text = "The Red Hot Chili Peppers will perform with Bruno Mars at the Super Bowl halftime show."
    old = Passage(1, "c1", "a1", "Halftime", "s", "2014-01-11", 1.0, text, 0, len(text), ((0, len(text)),), 0.6)
    q = prepare(ASKED)
    ranked = ExtractiveAnswerer().score(q, [old])
    assert features(q, ranked, [old], 0.5, WEEK)["dated_outside"] == 1.0
    assert features(q, ranked, [old], 0.5)["dated_outside"] == 0.0
    this_week = Passage(1, "c1", "a1", "Halftime", "s", "2022-09-29", 1.0, text, 0, len(text), ((0, len(text)),), 0.6)
    assert features(q, ExtractiveAnswerer().score(q, [this_week]), [this_week], 0.5, WEEK)["dated_outside"] == 0.0
    assert "2014-01-11" in dated_notice(ranked, WEEK) and "2022-09-26 .. 2022-09-30" in dated_notice(ranked, WEEK)


def test_the_fitted_model_weighs_a_date_outside_against_answering() -> None:
    model = RefusalModel.load()
    assert "dated_outside" in model.features
    assert model.weights[model.features.index("dated_outside")] < 0
    base = dict.fromkeys(FEATURES, 0.5)
    assert model.probability({**base, "dated_outside": 1.0}) < model.probability({**base, "dated_outside": 0.0})


@pytest.fixture(scope="module")
def halftime(tmp_path_factory: pytest.TempPathFactory, real_embedder):  # noqa: ANN001, ANN201
    from index.collection import Collection
    from index.types import Article
    from rag.api import RAG
    from rag.settings import Settings

    s = Settings(home=tmp_path_factory.mktemp("halftime"), collection="halftime")
    coll = Collection.open(s, embedder=real_embedder)
    title, body = HALFTIME.split("\n\n", 1)
    art = Article(source="/news/halftime.txt", title=title, text=body, published=date(2014, 1, 11))
    assert coll.ingest_articles([art]).summary()["added"] == 1
    yield RAG(s, collection=coll, llm=None)
    coll.close()


def test_this_week_asked_years_after_the_article_is_refused_saying_when_it_is_from(halftime) -> None:  # noqa: ANN001
    answer = halftime.ask(ASKED, offline=True, as_of=date(2022, 9, 30))
    assert answer.refused, answer.text
    assert len(answer.notices) == 1
    assert "dated 2014-01-11" in answer.notices[0] and "this week, 2022-09-26 .. 2022-09-30" in answer.notices[0]


def test_the_same_question_asked_in_the_articles_week_is_answered(halftime) -> None:  # noqa: ANN001
    answer = halftime.ask(ASKED, offline=True, as_of=date(2014, 1, 12))
    assert not answer.refused and answer.short_answer == "Bruno Mars", answer.text


def test_a_question_naming_no_period_is_not_held_to_a_date(halftime) -> None:  # noqa: ANN001
    answer = halftime.ask("Who will perform with Bruno Mars at the Super Bowl halftime show?", offline=True,
                          as_of=date(2022, 9, 30))
    assert not answer.refused and "Red Hot Chili Peppers" in answer.text


def test_the_staged_fit_moves_only_the_added_weight(tmp_path: Path) -> None:
    from evals.fit_answerer import Example, fit_added

    in_use = json.loads((Path(rag.timewindow.__file__).parent / "fitted" / "answerer.json").read_text())
    kept = {f: w for f, w in zip(in_use["features"], in_use["weights"], strict=True) if f != "dated_outside"}
    old = tmp_path / "answerer.json"  # a model fitted before the feature existed
    old.write_text(json.dumps({**in_use, "features": list(kept), "weights": list(kept.values())}))
    plain = dict.fromkeys(FEATURES, 0.5)
    # answerable inside the period, unanswerable from years away: the added weight must come out negative
    exs = [Example("d", f"a{i}", "tune", 1, {**plain, "dated_outside": 0.0}) for i in range(30)]
    exs += [Example("d", f"u{i}", "tune", 0, {**plain, "dated_outside": 1.0}) for i in range(30)]
    weights, bias = fit_added(exs, old, "dated_outside")
    assert bias == in_use["bias"]
    assert {f: w for f, w in zip(FEATURES, weights, strict=True) if f != "dated_outside"} == kept
    assert weights[FEATURES.index("dated_outside")] < -1.0
    lacking = tmp_path / "short.json"
    lacking.write_text(json.dumps({**in_use, "features": list(kept)[1:], "weights": list(kept.values())[1:]}))
    with pytest.raises(SystemExit, match="coverage"):
        fit_added(exs, lacking, "dated_outside")


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(rag.timewindow).failed == 0
