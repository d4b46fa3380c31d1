"""Time expressions -> windows (``rag.timewindow.understand``) and the temporal retrieval prior.

The table is asked on 2024-12-01, a Sunday (so "this week" is 2024-11-25 .. 2024-12-01 and "on
Sunday" is the day itself), plus a few other reference dates where the rule depends on the day.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rag.timewindow import TimePrior, rescore, time_prior, understand
from rag.types import TimeWindow

AS_OF = date(2024, 12, 1)  # a Sunday
D = date.fromisoformat

# question -> (start, end, recency); None: no time expression at all
TABLE: list[tuple[str, tuple[date | None, date | None, bool] | None]] = [
    ("What did the rebels capture this week?", (D("2024-11-25"), AS_OF, False)),
    ("What happened last week?", (D("2024-11-18"), D("2024-11-24"), False)),
    ("What happened today?", (AS_OF, AS_OF, False)),
    ("What happened yesterday?", (D("2024-11-30"), D("2024-11-30"), False)),
    ("What happened this month?", (AS_OF, AS_OF, False)),
    ("What happened last month?", (D("2024-11-01"), D("2024-11-30"), False)),
    ("What happened this year?", (D("2024-01-01"), AS_OF, False)),
    ("What happened last year?", (D("2023-01-01"), D("2023-12-31"), False)),
    ("What happened on Sunday?", (AS_OF, AS_OF, False)),  # on or before as_of: today
    ("What happened on Monday?", (D("2024-11-25"), D("2024-11-25"), False)),
    ("What did he say last Sunday?", (D("2024-11-24"), D("2024-11-24"), False)),
    ("What happened in March?", (D("2024-03-01"), D("2024-03-31"), False)),
    ("What happened in March 2023?", (D("2023-03-01"), D("2023-03-31"), False)),
    ("What happened on 12 March?", (D("2024-03-12"), D("2024-03-12"), False)),
    ("What happened on December 1, 2024?", (AS_OF, AS_OF, False)),
    ("What happened on 2024-11-05?", (D("2024-11-05"), D("2024-11-05"), False)),
    ("How has it changed since 2016?", (D("2016-01-01"), None, False)),
    ("What has happened since March?", (D("2024-03-01"), None, False)),
    ("What happened before 2020?", (None, D("2019-12-31"), False)),
    ("What happened after March 2023?", (D("2023-04-01"), None, False)),
    ("What happened between March and May 2023?", (D("2023-03-01"), D("2023-05-31"), False)),
    ("What changed from 2019 to today?", (D("2019-01-01"), AS_OF, False)),
    ("Who won two years ago?", (D("2022-01-01"), D("2022-12-31"), False)),
    ("What happened 3 days ago?", (D("2024-11-28"), D("2024-11-28"), False)),
    ("What happened in the past 7 days?", (D("2024-11-25"), AS_OF, False)),
    ("What happened in the last 24 hours?", (D("2024-11-30"), AS_OF, False)),
    ("What happened over the weekend?", (D("2024-11-30"), AS_OF, False)),
    ("Which bands were big in the 1990s?", (D("1990-01-01"), D("1999-12-31"), False)),
    ("How much have prices risen since last year?", (D("2023-01-01"), None, False)),
    ("What happened in Q1 2024?", (D("2024-01-01"), D("2024-03-31"), False)),
    ("What did it report for the third quarter of 2023?", (D("2023-07-01"), D("2023-09-30"), False)),
    # recency
    ("What is the latest on Aleppo?", (None, None, True)),
    ("Is Assad still in power?", (None, None, True)),
    ("Who currently leads the polls?", (None, None, True)),
    ("How many have died so far?", (None, None, True)),
    ("Has the ceasefire been signed yet?", (None, None, True)),
    ("What is the most recent figure?", (None, None, True)),
    ("Who is in charge now?", (None, None, True)),
    ("What happened recently in Gaza?", (None, None, True)),
    ("What has the government said lately?", (None, None, True)),
    ("How many have died this week so far?", (D("2024-11-25"), AS_OF, True)),
    # look-alikes: not time expressions
    ("Who won the election?", None),
    ("What may happen to interest rates?", None),  # "may" the verb
    ("May the court overturn the ruling?", None),
    ("Protesters march on the capital: who leads them?", None),  # "march" the verb
    ("Who came second in the race?", None),  # "second" the ordinal
    ("Will he seek a second term?", None),
    ("What did the FBI find at Mar-a-Lago?", None),
    ("What did a USA TODAY poll find?", None),
    ("How much did shoppers spend on Black Friday?", None),
    ("What did The Sunday Times report?", None),
    ("What is the plan for 2050?", None),  # a year after as_of: nothing is published there
    ("What is the forecast for next week?", None),
    ("Who owns the now-defunct chain?", None),
    ("What may the rebels do in May?", (D("2024-05-01"), D("2024-05-31"), False)),  # verb and month
]


@pytest.mark.parametrize(("question", "expected"), TABLE, ids=[q for q, _ in TABLE])
def test_understand_table(question: str, expected: tuple[date | None, date | None, bool] | None) -> None:
    w = understand(question, AS_OF)
    assert (None if w is None else (w.start, w.end, w.recency)) == expected


@pytest.mark.parametrize(("question", "as_of", "expected"), [
    ("Who resigned on Thursday?", D("2023-03-30"), (D("2023-03-30"), D("2023-03-30"))),  # a Thursday
    ("Who resigned on Friday?", D("2023-03-30"), (D("2023-03-24"), D("2023-03-24"))),
    ("What happened over the weekend?", D("2023-03-30"), (D("2023-03-25"), D("2023-03-26"))),
    ("What happened in December?", D("2023-01-10"), (D("2022-12-01"), D("2022-12-31"))),  # the latest December
    ("What happened last week?", D("2023-01-10"), (D("2023-01-02"), D("2023-01-08"))),  # across the new year
    ("What happened on Sunday in March 2023?", D("2023-03-30"), (D("2023-03-26"), D("2023-03-26"))),
])
def test_understand_depends_on_the_reference_date(question: str, as_of: date, expected: tuple[date, date]) -> None:
    w = understand(question, as_of)
    assert w is not None and (w.start, w.end) == expected


def test_coming_day_and_season_are_not_windows() -> None:
    # "expires on May 11" asked on May 4 is the coming May 11, not last year's
    assert understand("What happens when the policy expires on May 11?", D("2023-05-04")) is None
    assert understand("Who will pay more to keep warm this winter?", D("2022-09-29")) is None


def test_phrase_and_label_say_what_was_understood() -> None:
    w = understand("What did the rebels capture this week?", AS_OF)
    assert w is not None and w.phrase == "this week" and w.label() == "2024-11-25 .. 2024-12-01"
    since = understand("What has changed since 2016?", AS_OF)
    assert since is not None and since.label() == "2016-01-01 .. ..."


# --- the prior -----------------------------------------------------------------------------------

P = TimePrior(scale_days=7.0, recency_days=30.0, implicit_days=None, floor=0.3)
WEEK = TimeWindow(D("2024-11-25"), AS_OF, "this week")


def test_prior_is_highest_inside_and_decays_with_distance() -> None:
    inside = time_prior("2024-11-27", WEEK, AS_OF, P)
    near = time_prior("2024-11-20", WEEK, AS_OF, P)
    far = time_prior("2024-06-01", WEEK, AS_OF, P)
    assert inside == 1.0
    assert inside > near > far >= P.floor
    assert far == pytest.approx(P.floor, abs=1e-6)
    # an article from after the question counts as outside too
    assert time_prior("2024-12-09", WEEK, AS_OF, P) < 1.0


def test_recency_prefers_newer_and_undated_is_neutral() -> None:
    latest = TimeWindow(None, None, "latest", recency=True)
    assert time_prior("2024-11-30", latest, AS_OF, P) > time_prior("2024-10-01", latest, AS_OF, P)
    assert time_prior(None, WEEK, AS_OF, P) == 1.0
    assert time_prior("not a date", WEEK, AS_OF, P) == 1.0
    assert time_prior("2019-01-01", None, AS_OF, P) == 1.0  # no window, no implicit prior


def test_rescore_reorders_by_window_and_keeps_an_old_collection_as_ranked() -> None:
    scores = {"old": 1.0, "inside": 0.8, "undated": 0.7}
    dates = {"old": "2023-05-01", "inside": "2024-11-28", "undated": None}
    out = rescore(scores, dates, WEEK, AS_OF, P)
    assert max(out, key=out.__getitem__) == "inside"
    # an undated candidate may be from any time: the dated candidates' mean factor (in a mixed
    # collection, undated articles at full score beat every dated one outside a short window)
    assert out["undated"] == pytest.approx(0.7 * (out["old"] / 1.0 + out["inside"] / 0.8) / 2)
    assert out["undated"] < 0.7
    # every dated candidate far from the window: factors normalised, nothing sinks below the undated
    old = rescore({"a": 1.0, "b": 0.9, "u": 0.5}, {"a": "2004-01-01", "b": "2004-01-02", "u": None}, WEEK, AS_OF, P)
    assert old == {"a": 1.0, "b": 0.9, "u": 0.5}


def test_fitted_parameters_load_and_fall_back(tmp_path: Path) -> None:
    good = tmp_path / "timeprior.json"
    good.write_text(json.dumps({"params": {"scale_days": 3.0, "recency_days": 60.0, "implicit_days": None,
                                           "floor": 0.5}}), encoding="utf-8")
    assert TimePrior.load(good) == TimePrior(3.0, 60.0, None, 0.5)  # an older fit: no future_* fields
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"params": {"scale_days": 3.0, "recency_days": 7.0, "implicit_days": 7.0, "floor": 0.4,
                                            "future_factor": 0.05, "future_grace_days": 1}}), encoding="utf-8")
    assert TimePrior.load(newer) == TimePrior(3.0, 7.0, 7.0, 0.4, 0.05, 1)
    assert TimePrior.load(tmp_path / "missing.json") == TimePrior()
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert TimePrior.load(bad) == TimePrior()


# --- nothing from the asked time: uncovered() and the prior stage that drops such candidates --------------

SEPT_WEEK = TimeWindow(date(2022, 9, 12), date(2022, 9, 16), "this week")
FRIDAY = date(2022, 9, 16)
LATER = "2022-12-15"  # a candidate from after as_of: the collection goes on past the question's day


def test_uncovered_closed_window() -> None:
    from rag.timewindow import uncovered

    assert uncovered(SEPT_WEEK, ["2022-08-04", "2022-07-07", None, LATER], FRIDAY, 21, None)  # all far before it
    assert not uncovered(SEPT_WEEK, ["2022-08-04", "2022-09-01", LATER], FRIDAY, 21, None)  # one within 21 days
    assert not uncovered(SEPT_WEEK, ["2022-08-04", LATER], FRIDAY, None, None)  # the limit off
    assert uncovered(SEPT_WEEK, ["2022-09-20", "2022-10-01"], FRIDAY, 21, None)  # only from after as_of: unknowable
    assert not uncovered(SEPT_WEEK, [None, None], FRIDAY, 0, None)  # an undated collection says nothing about time
    # a report on an old window may come out any time after it ("in 2019" from a 2022 article)
    year = TimeWindow(date(2019, 1, 1), date(2019, 12, 31), "in 2019")
    assert not uncovered(year, ["2022-03-01", "2022-04-01"], date(2022, 3, 2), 0, None)
    # windows with recency and open windows are left alone
    today = TimeWindow(date(2022, 9, 16), date(2022, 9, 16), "today", True)
    assert not uncovered(today, ["2020-01-01", LATER], FRIDAY, 0, 0)
    assert not uncovered(TimeWindow(date(2016, 1, 1), None, "since 2016"), ["2010-01-01", LATER], FRIDAY, 0, 0)


def test_an_old_collection_asked_today_is_not_a_gap() -> None:
    from rag.timewindow import uncovered

    # nothing after as_of: the collection may simply end before "today"; the rule keeps out of it
    assert not uncovered(SEPT_WEEK, ["2022-08-04", "2022-07-07"], FRIDAY, 21, None)
    assert not uncovered(TimeWindow(None, None, "now", True), ["2022-08-04"], date(2026, 11, 26), None, 60)


def test_uncovered_recency_question() -> None:
    from rag.timewindow import uncovered

    now = TimeWindow(None, None, "right now", True)
    assert uncovered(now, ["2022-12-28", "2022-08-11", "2023-05-01"], date(2023, 4, 14), None, 90)  # newest 107 days old
    assert not uncovered(now, ["2023-03-01", "2023-05-01"], date(2023, 4, 14), None, 90)
    assert not uncovered(now, ["2022-12-28", "2023-05-01"], date(2023, 4, 14), None, None)
    assert uncovered(now, ["2022-10-03", "2018-10-11"], date(2022, 9, 26), None, 90)  # the storm is news from after as_of


def test_prior_stage_keeps_nothing_dated_when_the_window_is_uncovered() -> None:
    from index.db import ChunkRow
    from rag.recency import RecencyRules
    from rag.retrieve.prior import apply_time_prior

    def row(cid: str, published: str | None) -> ChunkRow:
        return ChunkRow(cid, cid, "t", "s", None, published, "text", 0, 4, ((0, 4),))

    rows = {"a": row("a", "2022-08-04"), "b": row("b", "2022-07-07"), "z": row("z", LATER), "u": row("u", None)}
    scores = {"a": 1.0, "b": 0.8, "z": 0.6, "u": 0.5}
    on, off = RecencyRules(window_limit_days=21), RecencyRules()
    assert apply_time_prior(scores, rows, SEPT_WEEK, FRIDAY, on) == {"u": 0.5}
    kept = apply_time_prior(scores, rows, SEPT_WEEK, FRIDAY, off)
    assert set(kept) == {"a", "b", "z", "u"} and kept["a"] > kept["b"]  # off: the soft prior only
    rows["c"] = row("c", "2022-09-14")
    assert set(apply_time_prior({**scores, "c": 0.1}, rows, SEPT_WEEK, FRIDAY, on)) == {"a", "b", "z", "u", "c"}


@pytest.mark.parametrize("question", [
    "Who won Euro 2022?", "Who scored in the World Cup 2018 final?", "What was said at COP 2021?",
    "What did Windows 2000 fix?", "Wimbledon 2019: who won?",
])
def test_a_year_that_is_part_of_a_name_is_no_period(question: str) -> None:
    # "Euro 2022" was read as "published in 2022", a prior against the tournament's own reports of 2021
    assert understand(question, D("2026-11-27")) is None


@pytest.mark.parametrize("question", ["What did BA plan for 2009?", "Will the UK reach net zero by 2050?"])
def test_a_target_year_is_no_period(question: str) -> None:
    # a plan "for 2009" is reported before 2009: the year says what it is about, not when it was written
    assert understand(question, D("2026-11-27")) is None


@pytest.mark.parametrize(("question", "span"), [
    ("What happened in 2009?", (D("2009-01-01"), D("2009-12-31"))),
    ("What was the 2004 budget?", (D("2004-01-01"), D("2004-12-31"))),
    ("What happened on Sunday 2022?", (D("2022-01-01"), D("2022-12-31"))),
    ("What happened in Jan 2020?", (D("2020-01-01"), D("2020-01-31"))),
    ("In 2019, who won?", (D("2019-01-01"), D("2019-12-31"))),
])
def test_a_year_of_its_own_is_still_a_period(question: str, span: tuple[date, date]) -> None:
    window = understand(question, D("2026-11-27"))
    assert window is not None and (window.start, window.end) == span


def test_no_notice_when_the_cited_sentence_is_about_the_year_asked() -> None:
    from rag.api import outside_window
    from rag.types import Citation

    as_of = D("2026-11-27")
    about = [Citation(1, "a", "T", "s", "2005-02-01", "BA expects to return to profit in 2009.", 0, 39)]
    window = understand("Will BA make a profit in 2009?", as_of)
    assert window is not None and outside_window(window, about, as_of) is None
    other = [Citation(1, "a", "T", "s", "2005-02-01", "BA expects a profit.", 0, 20)]
    assert "2009" in (outside_window(window, other, as_of) or "")
