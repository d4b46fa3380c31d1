"""Time windows from news questions: our grammar (``rag.timewindow``) vs ``dateparser``'s ``search_dates``.

Accuracy = the window (start, end) and the recency flag both match the expected ones exactly; also
reported: found-or-not agreement (a window where one is expected and none where none is), and
milliseconds per question (warm; the cold first call, import included, is timed in a fresh process).

Two labelled sets (expected windows written by hand from the question text, not from either parser):

* ``OWN``: questions written for the rules and their traps ("may"/"march" as verbs, "second" as an
  ordinal, "Black Friday", "USA TODAY", "Mar-a-Lago"), asked on 2024-12-01 (a Sunday) unless given.
* ``HELDOUT`` and ``FRESH``: written after the grammar (see their comments); ``FRESH`` is asked on
  2025-06-18 (a Wednesday) unless given.
* ``SEASONAL``: seasons without a year, decades in words, moveable holidays and "the holidays", and
  names holding those words ("Spring Statement", "Easter Island"), labelled before the grammar read
  them (see its comment; each gives its as_of).
* ``MONTHS_RELATIVE``: "last March", "this April", "since last June" (see its comment).
* ``FESTIVALS``: Christmas, parts of a decade in words, Labour/MLK/Presidents' Day and the lunar and
  lunisolar festivals (Ramadan, Eid, Passover, Hanukkah, Yom Kippur, Diwali, Chinese New Year), with
  names holding those words ("Christmas Island", "Ramadan Kadyrov"), labelled before the grammar read
  them (see its comment).
* ``RTQA``: RealTime QA dev questions (``../shared/corpora/realtimeqa-dev/suite.jsonl``, read in place,
  never copied) by id, each asked on its ``asked_on``. Expected windows are written as rules
  (``week`` = Monday .. asked_on, ``wd:Sunday`` = the latest Sunday on or before it, ...) that
  ``expected()`` turns into dates with plain date arithmetic.

dateparser returns points, so it is given a thin wrapper (``dateparser_window``) that turns each
found phrase into a span by its granularity (a "week"/"month"/"year" phrase, a month name, a bare
year) and honours since/before/after just before the phrase: without it its accuracy would be
near zero, which would not be a fair comparison.

Run: ``.venv/bin/python -m benchmarks.timewindow [--show-errors]``
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from rag.timewindow import WEEKDAYS, understand
from rag.types import TimeWindow

SUITE = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "realtimeqa-dev" / "suite.jsonl"
AS_OF = date(2024, 12, 1)  # a Sunday
D = date.fromisoformat
Win = tuple[date | None, date | None, bool]  # start, end, recency (None: no window and no recency)


def _d(days: int) -> date:
    return AS_OF + timedelta(days=days)


#: (question, expected (start, end, recency) or None, as_of if not AS_OF)
OWN: list[tuple[str, Win | None, date | None]] = [
    ("What did the rebels capture this week?", (D("2024-11-25"), AS_OF, False), None),
    ("What happened in Aleppo last week?", (D("2024-11-18"), D("2024-11-24"), False), None),
    ("What happened on Sunday in Bucharest?", (AS_OF, AS_OF, False), None),
    ("What did the minister announce on Monday?", (D("2024-11-25"), D("2024-11-25"), False), None),
    ("Who resigned on Saturday?", (D("2024-11-30"), D("2024-11-30"), False), None),
    ("What did the president say last Sunday?", (D("2024-11-24"), D("2024-11-24"), False), None),
    ("What was agreed yesterday in Brussels?", (D("2024-11-30"), D("2024-11-30"), False), None),
    ("What happened today in Gaza?", (AS_OF, AS_OF, False), None),
    ("How many people were arrested last night?", (D("2024-11-30"), AS_OF, False), None),
    ("What did the central bank do this month?", (AS_OF, AS_OF, False), None),
    ("What did the central bank do last month?", (D("2024-11-01"), D("2024-11-30"), False), None),
    ("Which films were released this year?", (D("2024-01-01"), AS_OF, False), None),
    ("Who won the Nobel Peace Prize last year?", (D("2023-01-01"), D("2023-12-31"), False), None),
    ("What happened over the weekend in Paris?", (D("2024-11-30"), AS_OF, False), None),
    ("What did the rebels capture in the past 7 days?", (_d(-6), AS_OF, False), None),
    ("What happened in the last 24 hours?", (_d(-1), AS_OF, False), None),
    ("What happened in the past week?", (_d(-6), AS_OF, False), None),
    ("What was announced three days ago?", (D("2024-11-28"), D("2024-11-28"), False), None),
    ("Who won the election two years ago?", (D("2022-01-01"), D("2022-12-31"), False), None),
    ("What happened two weeks ago in Syria?", (D("2024-11-11"), D("2024-11-17"), False), None),
    ("What did the court rule a month ago?", (D("2024-10-29"), D("2024-11-04"), False), None),  # that day +- 3
    ("What did the company report in March?", (D("2024-03-01"), D("2024-03-31"), False), None),
    ("What did the company report in March 2023?", (D("2023-03-01"), D("2023-03-31"), False), None),
    ("What happened on 12 March?", (D("2024-03-12"), D("2024-03-12"), False), None),
    ("What happened on March 12, 2023?", (D("2023-03-12"), D("2023-03-12"), False), None),
    ("What was said on December 1, 2024?", (AS_OF, AS_OF, False), None),
    ("What happened on 2024-11-05 in the US?", (D("2024-11-05"), D("2024-11-05"), False), None),
    ("How has the city changed since 2016?", (D("2016-01-01"), D("2024-12-01"), False), None),  # up to as_of
    ("What has the party done since March?", (D("2024-03-01"), D("2024-12-01"), False), None),
    ("What happened before 2020 in Hong Kong?", (None, D("2019-12-31"), False), None),
    ("What happened after March 2023?", (D("2023-04-01"), None, False), None),
    ("What happened between 2019 and 2021?", (D("2019-01-01"), D("2021-12-31"), False), None),
    ("Who won the World Cup in 2022?", (D("2022-01-01"), D("2022-12-31"), False), None),
    ("Which bands were popular in the 1990s?", (D("1990-01-01"), D("1999-12-31"), False), None),
    ("What was decided in early June?", (D("2024-06-01"), D("2024-06-10"), False), None),  # days 1-10
    ("What happened in the past month in Sudan?", (_d(-29), AS_OF, False), None),
    ("What did the court decide since Monday?", (D("2024-11-25"), D("2024-12-01"), False), None),
    ("What is the latest on Aleppo?", (None, None, True), None),
    ("Is Assad still in power?", (None, None, True), None),
    ("Who currently leads the polls?", (None, None, True), None),
    ("How many people have died so far?", (None, None, True), None),
    ("Has the ceasefire been signed yet?", (None, None, True), None),
    ("What is the most recent death toll?", (None, None, True), None),
    ("Who is in charge now?", (None, None, True), None),
    ("What is the death toll as of now?", (None, None, True), None),
    ("What happened recently in Gaza?", (None, None, True), None),
    ("How many people have died this week so far?", (D("2024-11-25"), AS_OF, True), None),
    ("Who won the election?", None, None),
    ("What may happen to interest rates?", None, None),
    ("May the court overturn the ruling?", None, None),
    ("Protesters march on the capital: who leads them?", None, None),
    ("Who came second in the race?", None, None),
    ("Who became the second woman to lead the party?", None, None),
    ("Will he seek a second term?", None, None),
    ("What did the FBI find at Mar-a-Lago?", None, None),
    ("What did a USA TODAY poll find?", None, None),
    ("How much did shoppers spend on Black Friday?", None, None),
    ("What did The Sunday Times report about the minister?", None, None),
    ("What is the plan for 2050?", None, None),
    ("What is the forecast for next week?", None, None),
    ("Which party won the last election?", None, None),
    ("What is the capital of Syria?", None, None),
    ("Who owns the now-defunct chain?", None, None),
    ("What may the rebels do in May?", (D("2024-05-01"), D("2024-05-31"), False), None),
    ("What happened between March and May 2023?", (D("2023-03-01"), D("2023-05-31"), False), None),
    ("Which team won the 2022-23 season?", (D("2022-01-01"), D("2023-12-31"), False), None),
    ("What happened on Sunday in March 2023?", (D("2023-03-26"), D("2023-03-26"), False), D("2023-03-30")),
    ("What did the rebels capture this week?", (D("2023-03-27"), D("2023-03-30"), False), D("2023-03-30")),
    ("Who resigned on Thursday?", (D("2023-03-30"), D("2023-03-30"), False), D("2023-03-30")),
    ("Who resigned on Friday?", (D("2023-03-24"), D("2023-03-24"), False), D("2023-03-30")),
    ("What happened over the weekend?", (D("2023-03-25"), D("2023-03-26"), False), D("2023-03-30")),
    ("What happened last month?", (D("2022-12-01"), D("2022-12-31"), False), D("2023-01-10")),
    ("What happened in December?", (D("2022-12-01"), D("2022-12-31"), False), D("2023-01-10")),
    ("What happened last week?", (D("2023-01-02"), D("2023-01-08"), False), D("2023-01-10")),
    ("What happened on 31 December?", (D("2022-12-31"), D("2022-12-31"), False), D("2023-01-10")),
    ("Which record was set last summer?", (D("2022-06-01"), D("2022-08-31"), False), D("2023-01-10")),
    ("How many were killed in the past two days?", (D("2023-01-09"), D("2023-01-10"), False), D("2023-01-10")),
    ("What was decided in mid-2021?", (D("2021-05-01"), D("2021-08-31"), False), D("2023-01-10")),  # May-Aug
    ("Who won on Super Tuesday?", None, D("2023-01-10")),
    ("What did Saturday Night Live parody?", None, D("2023-01-10")),
]

H = date(2025, 3, 14)  # a Friday
#: Written after the grammar was finished and before running either parser on them (the two sets
#: above were labelled while the grammar was being written, so its figures there are training figures).
HELDOUT: list[tuple[str, Win | None, date | None]] = [
    ("What did the senate vote on Tuesday?", (D("2025-03-11"), D("2025-03-11"), False), H),
    ("Which company cut jobs earlier this week?", (D("2025-03-10"), H, False), H),
    ("What did the prime minister announce on Friday?", (H, H, False), H),
    ("How did markets react last Friday?", (D("2025-03-07"), D("2025-03-07"), False), H),
    ("What happened in the final days of February?", (D("2025-02-01"), D("2025-02-28"), False), H),
    ("Who has been arrested since January?", (D("2025-01-01"), H, False), H),
    ("What was the inflation rate in January 2025?", (D("2025-01-01"), D("2025-01-31"), False), H),
    ("What happened on 3 March?", (D("2025-03-03"), D("2025-03-03"), False), H),
    ("What did the court rule 10 days ago?", (D("2025-03-04"), D("2025-03-04"), False), H),
    ("How many migrants arrived over the past 30 days?", (D("2025-02-13"), H, False), H),
    ("Who won the league in 2019?", (D("2019-01-01"), D("2019-12-31"), False), H),
    ("What changed after 2021?", (D("2022-01-01"), None, False), H),
    ("What did the mayor say this morning?", (H, H, False), H),
    ("What has the government said about it lately?", (None, None, True), H),
    ("Is the bridge still closed?", (None, None, True), H),
    ("What is the current death toll?", (None, None, True), H),
    ("Who will march in the parade?", None, H),
    ("Who finished second in the vote?", None, H),
    ("What did analysts expect for the year ahead?", None, H),
    ("What happened on the weekend?", (D("2025-03-08"), D("2025-03-09"), False), H),
    ("What was reported in the last two weeks?", (D("2025-03-01"), H, False), H),
    ("What did the president sign a year ago?", (D("2024-03-11"), D("2024-03-17"), False), H),  # that day +- 3
    ("Which film topped the box office last weekend?", (D("2025-03-08"), D("2025-03-09"), False), H),
    ("What did the study published in 2023 find?", (D("2023-01-01"), D("2023-12-31"), False), H),
    ("How much has the price risen since last year?", (D("2024-01-01"), H, False), H),
    ("What happened in Q1 2024?", (D("2024-01-01"), D("2024-03-31"), False), H),
    ("What was the unemployment rate in mid-February?", (D("2025-02-11"), D("2025-02-20"), False), H),  # days 11-20
    ("Who was hurt in the storm on Wednesday night?", (D("2025-03-12"), D("2025-03-12"), False), H),
    ("What was decided at the May 2024 summit?", (D("2024-05-01"), D("2024-05-31"), False), H),
]

N = date(2025, 6, 18)  # a Wednesday
J = date(2025, 1, 8)  # a Wednesday
#: Also written after the grammar (HELDOUT's) and labelled before running either parser on them:
#: phrases news readers use that the grammar might not cover, and look-alikes that must give no
#: window. The grammar was then extended for the ones it missed, so its figures on this set after
#: that are training figures. Before: grammar 19/32 right (the first two are the misses that
#: prompted the set, wrong; of the other thirty, written blind, 19), dateparser 7/32.
FRESH: list[tuple[str, Win | None, date | None]] = [
    ("What did the central bank do early last year?", (D("2024-01-01"), D("2024-04-30"), False), N),
    ("What did the central bank decide in March or May?", (D("2025-03-01"), D("2025-05-31"), False), N),
    ("What did the club announce this past weekend?", (D("2025-06-14"), D("2025-06-15"), False), N),
    ("Which film topped the box office at the weekend?", (D("2025-06-14"), D("2025-06-15"), False), N),
    ("What did the regulator say earlier this month?", (D("2025-06-01"), N, False), N),
    ("Which minister resigned late last month?", (D("2025-05-21"), D("2025-05-31"), False), N),  # days 21-end
    ("How many migrants crossed the Channel in the past fortnight?", (D("2025-06-05"), N, False), N),
    ("How did the economy perform in the first half of 2022?", (D("2022-01-01"), D("2022-06-30"), False), N),
    ("What did the company earn in Q3 2022?", (D("2022-07-01"), D("2022-09-30"), False), N),
    # labelled 2025-06-12 .. N (a week) when written; relabelled to 3 days, as "a few"/"several" are
    # read everywhere else ("a few days ago" is 3 days ago), when the grammar was extended
    ("What has happened in Gaza over the past few days?", (D("2025-06-16"), N, False), N),
    ("What happened the day before yesterday in Kyiv?", (D("2025-06-16"), D("2025-06-16"), False), N),
    ("Who won the race this past Sunday?", (D("2025-06-15"), D("2025-06-15"), False), N),
    ("How many jobs were cut at the start of the year?", (D("2025-01-01"), D("2025-04-30"), False), N),  # = early
    ("What did the minister announce at the end of last week?", (D("2025-06-09"), D("2025-06-15"), False), N),
    ("How much did prices rise between March and May?", (D("2025-03-01"), D("2025-05-31"), False), N),
    ("Where were the wildfires in the summer of 2021?", (D("2021-06-01"), D("2021-08-31"), False), N),
    ("How many homes lost power last winter?", (D("2024-12-01"), D("2025-02-28"), False), N),
    # labelled 2024-12-24 .. 2025-01-01 (Christmas Eve .. New Year's Day) when written and not read then;
    # relabelled to 20 December .. 2 January when "the holidays" were given a rule (SEASONAL, below):
    # the window asked for, the part the US holiday season and the UK school holidays both cover
    ("What did the royal family do over the holidays?", (D("2024-12-20"), D("2025-01-02"), False), J),
    ("What did the King say on Christmas Day?", (D("2024-12-25"), D("2024-12-25"), False), N),
    ("Which bands defined music in the '90s?", (D("1990-01-01"), D("1999-12-31"), False), N),
    ("Who organised the May Day protests?", None, N),
    ("Which teams are favourites for March Madness?", None, N),
    ("What did the Sunday Times reveal about the deal?", None, N),
    ("What did the Week magazine say about the budget?", None, N),
    ("Why did the rail unions call a 24-hour strike?", None, N),
    ("How did Chinese families celebrate the Year of the Rabbit?", None, N),
    ("Who scored in the second half?", None, N),
    ("What caused the Arab Spring?", None, N),
    ("What does the Good Friday Agreement say about borders?", None, N),
    ("What did the minister tell the Today programme?", None, N),
    ("What did Friday's jobs report show?", (D("2025-06-13"), D("2025-06-13"), False), N),
    ("What happened in the week before last?", (D("2025-06-02"), D("2025-06-08"), False), N),
]

S = date(2025, 10, 15)  # a Wednesday
E = date(2025, 4, 25)  # a Friday, the week after Easter 2025 (Good Friday 18 April .. Easter Monday 21 April)
T = date(2024, 12, 3)  # a Tuesday, the week after Thanksgiving 2024 (Thursday 28 November)
#: Bare seasons ("over the summer", "this spring"), decades in words ("the nineties", "the early
#: 2000s") and moveable holidays (Easter, Thanksgiving, Memorial Day, "over the holidays"), with
#: names holding those words that must give no window ("Spring Statement", "Easter Island"). Labelled
#: from the phrase and the rules asked for, before the grammar read any of them: a bare season is the
#: latest that has begun (whole); "this <season>" the one running (to as_of) or just over, else none
#: (to come); decades: early = years 0-3, mid = 3-6, late = 6-9; Easter without "Sunday" is Good
#: Friday .. Easter Monday, "on Easter" the Sunday; Thanksgiving is the Thursday, "over" it or its
#: weekend Thursday .. Sunday; Memorial/Labor Day weekend Saturday .. Monday; Mother's Day US unless
#: a UK cue (then Mothering Sunday, three weeks before Easter); the holidays 20 December .. 2 January.
#: Before the rules for them: grammar 20/52 (the 18 with no window, "last winter", already read, and
#: "on Easter Sunday", read as the latest Sunday, which it happened to be), dateparser 20/52; after:
#: grammar 52/52 (training figures from then on), dateparser 20/52.
SEASONAL: list[tuple[str, Win | None, date | None]] = [
    # bare seasons: the latest that has begun by as_of
    ("What did the central bank do over the summer?", (D("2025-06-01"), D("2025-08-31"), False), S),
    ("How many migrants crossed the Channel in the spring?", (D("2025-03-01"), D("2025-05-31"), False), S),
    ("What has the government done since the spring?", (D("2025-03-01"), S, False), S),
    ("What happened to house prices in the autumn?", (D("2024-09-01"), D("2024-11-30"), False), D("2025-01-20")),
    ("Which candidates dropped out in the fall?", (D("2024-09-01"), D("2024-11-30"), False), D("2025-01-20")),
    ("Which companies cut jobs during the winter?", (D("2024-12-01"), D("2025-02-28"), False), D("2025-02-10")),
    ("Which players did the club sign over the summer?", (D("2025-06-01"), D("2025-08-31"), False), D("2025-07-10")),
    # "this <season>": the one running (to as_of) or the one just over
    ("What did the mayor promise this spring?", (D("2025-03-01"), D("2025-05-31"), False), N),
    ("Which heat records were broken this summer?", (D("2025-06-01"), D("2025-08-31"), False), D("2025-09-20")),
    ("How many homes lost power last winter?", (D("2024-12-01"), D("2025-02-28"), False), S),
    # decades in words, and parts of decades (early 0-3, mid 3-6, late 6-9)
    ("Which bands dominated the charts in the nineties?", (D("1990-01-01"), D("1999-12-31"), False), N),
    ("How fast did the economy grow in the eighties?", (D("1980-01-01"), D("1989-12-31"), False), N),
    ("What did the company make in the early 2000s?", (D("2000-01-01"), D("2003-12-31"), False), N),
    ("Who ran the city in the late nineties?", (D("1996-01-01"), D("1999-12-31"), False), N),
    ("What was the unemployment rate in the mid-1990s?", (D("1993-01-01"), D("1996-12-31"), False), N),
    ("How has the town changed since the seventies?", (D("1970-01-01"), N, False), N),
    ("Which films were hits in the late '80s?", (D("1986-01-01"), D("1989-12-31"), False), N),
    # moveable holidays
    ("What did the Pope say on Easter Sunday?", (D("2025-04-20"), D("2025-04-20"), False), E),
    ("How many people travelled over Easter?", (D("2025-04-18"), D("2025-04-21"), False), E),
    ("Which shops opened on Good Friday?", (D("2025-04-18"), D("2025-04-18"), False), E),
    ("What happened in Jerusalem at Easter 2023?", (D("2023-04-07"), D("2023-04-10"), False), E),
    ("What has the party done since Easter?", (D("2025-04-18"), N, False), N),
    ("What did the archbishop say last Easter?", (D("2025-04-18"), D("2025-04-21"), False), N),
    ("How many Americans flew over Thanksgiving weekend?", (D("2024-11-28"), D("2024-12-01"), False), T),
    ("What did the president say on Thanksgiving?", (D("2024-11-28"), D("2024-11-28"), False), T),
    ("What deals did retailers offer on Black Friday?", (D("2024-11-29"), D("2024-11-29"), False), T),
    ("How much did online sales grow on Black Friday 2023?", (D("2023-11-24"), D("2023-11-24"), False), T),
    ("How many people died on the roads over Memorial Day weekend?", (D("2025-05-24"), D("2025-05-26"), False), N),
    ("What did the president say on Labor Day?", (D("2025-09-01"), D("2025-09-01"), False), S),
    ("What did florists sell on Mother's Day?", (D("2025-05-11"), D("2025-05-11"), False), N),
    ("How busy were UK restaurants on Mother's Day?", (D("2025-03-30"), D("2025-03-30"), False), N),
    ("What did the King do over the holidays?", (D("2024-12-20"), D("2025-01-02"), False), D("2025-01-08")),
    ("How did retailers fare during the holiday season?", (D("2024-12-20"), D("2025-01-02"), False), D("2025-01-15")),
    ("How many people were hurt over the festive period?", (D("2024-12-20"), D("2025-01-02"), False), D("2025-01-06")),
    # to come: no window
    ("How will retailers fare this holiday season?", None, D("2025-11-10")),
    ("Which stores will open on Thanksgiving?", None, D("2025-11-10")),
    # names holding a season or holiday word, and look-alikes: no window
    ("What did the Chancellor announce in the Spring Statement?", None, S),
    ("Which country topped the medal table at the Summer Olympics?", None, S),
    ("Who won gold during the Winter Olympics?", None, S),
    ("What happened in Egypt after the Arab Spring?", None, S),
    ("Could a war between nuclear powers cause a nuclear winter?", None, S),
    ("What was in the Autumn Budget?", None, S),
    ("What happened to Afghan interpreters since the fall of Kabul?", None, S),
    ("What role did short sellers play in the fall in bank shares?", None, S),
    ("Who signed the Good Friday Agreement?", None, S),
    ("What did scientists find on Easter Island?", None, S),
    ("Who led the Easter Rising?", None, S),
    ("Who performed at the Thanksgiving Day Parade?", None, S),
    ("How much did Britons spend on Easter eggs?", None, S),
    ("Were temperatures in the nineties across Texas?", None, S),
    ("How many of the residents are in their eighties?", None, S),
    ("Which airline had a holiday travel meltdown?", None, S),
    # a decade saying who or what is meant (new user 17, Nov 28 2026: read as the 1970s, and a notice said the
    # undated articles could not be checked against them); not when the decade is the time asked
    ("How old was the former Labour prime minister from the 1970s when he died?", None, S),
    ("Which singer of the nineties announced a comeback tour?", None, S),
    ("Who was prime minister in the 1970s?", (D("1970-01-01"), D("1979-12-31"), False), S),
]

#: "last <month>", "this <month>", "since last <month>", written when a follow-up ("And last March?")
#: showed the grammar read none of them (0/8 with a window before the rule, 2/2 negatives; after: 10/10).
#: "last March" is the latest March over before as_of's month; "this March" this year's, up to as_of.
MONTHS_RELATIVE: list[tuple[str, Win | None, date | None]] = [
    ("What did the Fed decide last March?", (D("2025-03-01"), D("2025-03-31"), False), S),
    ("How many homes were sold last December?", (D("2024-12-01"), D("2024-12-31"), False), S),
    ("What did the minister promise last October?", (D("2024-10-01"), D("2024-10-31"), False), S),
    ("Who resigned last Sept.?", (D("2025-09-01"), D("2025-09-30"), False), S),  # the month just over
    ("How much did prices rise this March?", (D("2025-03-01"), D("2025-03-31"), False), E),
    ("What has the company said this April?", (D("2025-04-01"), E, False), E),
    ("How many jobs have gone since last June?", (D("2025-06-01"), S, False), S),
    ("What has changed since this past January?", (D("2025-01-01"), S, False), S),
    ("Who won this March Madness bracket challenge?", None, E),
    ("The first may be the last: may the best team win?", None, S),
]

F = date(2025, 2, 20)  # a Thursday, after MLK Day (20 January), Chinese New Year (29 January), Presidents' Day
K = date(2025, 10, 24)  # a Friday, after Yom Kippur (2 October) and Diwali (20 October)
#: Festivals and named days the grammar did not read (Christmas without "Day", parts of a decade in
#: words, Labour Day, MLK Day, Presidents' Day, and the lunar/lunisolar festivals), with names that
#: hold their words and are no time ("Christmas Island", "Ramadan Kadyrov", "the Yom Kippur War",
#: "MLK Boulevard", "Eid Mubarak" messages: a greeting). Labelled from the phrase and the rules asked
#: for, before the grammar read any of them (dates from the published calendars: Umm al-Qura for
#: Ramadan and Eid, the Hebrew calendar as kept outside Israel, India's gazetted Diwali):
#: Christmas alone, "over"/"at" it: Christmas Eve .. Boxing Day, "on Christmas" the day, "since
#: Christmas" from the Eve; "the start/beginning/middle/end of" a decade as early/mid/late; MLK Day
#: the third Monday of January, Presidents' Day the third of February, their "sales" Saturday ..
#: Monday; Labour Day the first Monday of September (Canada, as the US Labor Day) unless a UK cue:
#: then 1 May; Ramadan the month (1 Ramadan .. the day before Eid al-Fitr); Eid al-Fitr 1 Shawwal,
#: bare "Eid" the latest of al-Fitr and al-Adha; Passover 15-22 Nisan, "a Passover Seder" the eve and
#: the first day; Hanukkah 25 Kislev and the seven days after; Yom Kippur the day; Diwali the day,
#: "over"/"during" it or its "sales" the five days around it; Chinese/Lunar New Year the day, "over"/
#: "at" it the eve .. six days after (China's week off). The festivals' dates were checked afterwards
#: against the ``holidays`` package's tables the grammar reads: all the same. Before the rules: grammar
#: 8/37 (the 8 with no window: 7 names and "over Christmas" to come), dateparser 8/37; after: grammar
#: 37/37 (training figures from then on), dateparser 8/37.
FESTIVALS: list[tuple[str, Win | None, date | None]] = [
    # Christmas
    ("What happened over Christmas?", (D("2024-12-24"), D("2024-12-26"), False), J),
    ("How many people were stranded at Christmas?", (D("2024-12-24"), D("2024-12-26"), False), J),
    ("What did the Pope say on Christmas?", (D("2024-12-25"), D("2024-12-25"), False), J),
    ("What did the King say at Christmas 2023?", (D("2023-12-24"), D("2023-12-26"), False), J),
    ("How many flights have been cancelled since Christmas?", (D("2024-12-24"), J, False), J),
    ("What will shops do over Christmas?", None, D("2025-11-20")),  # to come
    ("What did scientists find on Christmas Island?", None, J),
    ("Which Christmas markets were cancelled?", None, J),
    # parts of a decade in words
    ("Who ran the country at the end of the nineties?", (D("1996-01-01"), D("1999-12-31"), False), N),
    ("Which startups were founded at the start of the 2010s?", (D("2010-01-01"), D("2013-12-31"), False), N),
    ("How did the economy do at the beginning of the 2000s?", (D("2000-01-01"), D("2003-12-31"), False), N),
    ("What happened in the middle of the eighties?", (D("1983-01-01"), D("1986-12-31"), False), N),
    # US federal holidays
    ("What did the president say on Martin Luther King Jr. Day?", (D("2025-01-20"), D("2025-01-20"), False), F),
    ("Who marched on MLK Day?", (D("2025-01-20"), D("2025-01-20"), False), F),
    ("Which stores opened on MLK Boulevard?", None, F),
    ("Where did protesters rally on Presidents' Day?", (D("2025-02-17"), D("2025-02-17"), False), F),
    ("What did retailers offer in the Presidents' Day sales?", (D("2025-02-15"), D("2025-02-17"), False), F),
    # Labour Day: Canada's (as the US Labor Day), or 1 May with a UK cue
    ("What did Canadian unions say on Labour Day?", (D("2025-09-01"), D("2025-09-01"), False), S),
    ("How many people were killed on the roads over the Labour Day weekend?",
     (D("2025-08-30"), D("2025-09-01"), False), S),
    ("How many marched in London on Labour Day?", (D("2025-05-01"), D("2025-05-01"), False), D("2025-05-10")),
    ("What does the Labour Day Act say about overtime?", None, S),
    # Ramadan and Eid
    ("How many Muslims fasted during Ramadan?", (D("2025-03-01"), D("2025-03-29"), False), E),
    ("What has changed in Gaza since Ramadan?", (D("2025-03-01"), E, False), E),
    ("What did Ramadan Kadyrov say about Ukraine?", None, E),
    ("What did the king say on Eid al-Fitr?", (D("2025-03-30"), D("2025-03-30"), False), E),
    ("How many worshippers prayed in Mecca on Eid?", (D("2025-03-30"), D("2025-03-30"), False), E),
    ("Who sent Eid Mubarak messages to the troops?", None, E),
    # Passover, Hanukkah, Yom Kippur
    ("What happened in Jerusalem over Passover?", (D("2025-04-13"), D("2025-04-20"), False), E),
    ("Which hostages' families held a Passover Seder?", (D("2025-04-12"), D("2025-04-13"), False), E),
    ("What did the president say during Hanukkah?", (D("2024-12-26"), D("2025-01-02"), False), J),
    ("Which synagogues were guarded on Yom Kippur?", (D("2025-10-02"), D("2025-10-02"), False), K),
    ("Who fought in the Yom Kippur War?", None, K),
    # Diwali, Chinese/Lunar New Year
    ("What did the prime minister say on Diwali?", (D("2025-10-20"), D("2025-10-20"), False), K),
    ("How much did shoppers spend in the Diwali sales?", (D("2025-10-18"), D("2025-10-22"), False), K),
    ("How many people travelled over Chinese New Year?", (D("2025-01-28"), D("2025-02-04"), False), F),
    ("What did Xi say on Lunar New Year?", (D("2025-01-29"), D("2025-01-29"), False), F),
    ("What happened at Chinese New Year 2024?", (D("2024-02-09"), D("2024-02-16"), False), F),
]

#: RealTime QA dev question id -> expected window rule (see ``expected``); "+R" adds recency.
RTQA: dict[str, str] = {
    # "this week" (the bulk of the suite)
    "rtqa-20220729-0": "week", "rtqa-20220805-0": "week", "rtqa-20220909-5": "week", "rtqa-20230210-11": "week",
    "rtqa-20230519-7": "week", "rtqa-20220902-0": "week", "rtqa-20230505-13": "week", "rtqa-20220819-13": "week",
    "rtqa-20230106-0": "week", "rtqa-20230303-0": "week", "rtqa-20220902-16": "week", "rtqa-20230324-7": "week",
    "rtqa-20221209-12": "week", "rtqa-20221021-6": "week+R",
    "rtqa-20221202-0": "wd:Tuesday", "rtqa-20230106-13": "wd:Monday",  # "this week ... on Tuesday": the Tuesday
    # weekdays
    "rtqa-20220729-10": "wd:Tuesday", "rtqa-20220729-26": "wd:Sunday", "rtqa-20220826-6": "wd:Wednesday",
    "rtqa-20220902-8": "wd:Monday", "rtqa-20220909-10": "wd:Thursday", "rtqa-20220916-2": "wd:Monday",
    "rtqa-20220930-1": "wd:Thursday", "rtqa-20221007-4": "wd:Wednesday", "rtqa-20221118-5": "wd:Wednesday",
    "rtqa-20221118-10": "wd:Thursday", "rtqa-20221202-3": "wd:Tuesday", "rtqa-20221202-15": "wd:Saturday",
    "rtqa-20221209-8": "wd:Wednesday", "rtqa-20230113-10": "wd:Monday", "rtqa-20230113-18": "wd:Wednesday",
    "rtqa-20230120-19": "wd:Monday", "rtqa-20230210-5": "wd:Tuesday", "rtqa-20230310-5": "wd:Sunday",
    "rtqa-20230324-6": "wd:Wednesday", "rtqa-20230331-16": "wd:Wednesday", "rtqa-20230421-29": "wd:Monday",
    "rtqa-20230602-2": "wd:Tuesday",
    # weeks, weekends, years, months
    "rtqa-20220819-20": "lastweek", "rtqa-20221104-24": "lastweekend", "rtqa-20230303-10": "lastweekend",
    "rtqa-20230217-10": "past:7", "rtqa-20230217-6": "weeksago:2+R",
    "rtqa-20220729-4": "thisyear", "rtqa-20220826-17": "thisyear", "rtqa-20220930-29": "thisyear",
    "rtqa-20221223-0": "thisyear", "rtqa-20221230-13": "thisyear", "rtqa-20230127-13": "thisyear",
    "rtqa-20230407-5": "thisyear", "rtqa-20220812-26": "lastyear", "rtqa-20221104-19": "lastyear",
    "rtqa-20230106-29": "lastyear", "rtqa-20230203-3": "lastyear", "rtqa-20221125-7": "yearsago:2",
    "rtqa-20230210-20": "pastyears:2+R", "rtqa-20230414-24": "pastyears:10",
    "rtqa-20220805-26": "Y:2022", "rtqa-20220812-14": "Y:2022", "rtqa-20220902-12": "Y:2022",
    "rtqa-20221111-16": "Y:2022", "rtqa-20221209-4": "Y:2022", "rtqa-20221209-9": "Y:2022",
    "rtqa-20221230-12": "Y:2022", "rtqa-20230113-23": "Y:2023", "rtqa-20230414-2": "Y:2023",
    "rtqa-20230519-3": "Y:2023", "rtqa-20230120-14": "Y:2022", "rtqa-20220729-21": "Y:2017",
    "rtqa-20221230-17": "Y:1973", "rtqa-20230414-4": "none", "rtqa-20230331-29": "none",
    "rtqa-20221230-10": "M:9", "rtqa-20221230-11": "M:2", "rtqa-20221230-14": "M:7", "rtqa-20221230-15": "M:10",
    "rtqa-20230505-5": "none",  # "expires on May 11" asked on May 4: a coming day, no window
    "rtqa-20230331-12": "none",  # "this fall" asked in March: to come
    "rtqa-20220930-2": "none",  # "this winter" asked in September: to come
    # recency
    "rtqa-20220916-8": "R", "rtqa-20220923-4": "R", "rtqa-20220930-23": "R", "rtqa-20221021-8": "R",
    "rtqa-20221118-28": "R", "rtqa-20221202-21": "R", "rtqa-20221216-22": "R", "rtqa-20221230-5": "R",
    "rtqa-20230106-7": "R", "rtqa-20230127-16": "R", "rtqa-20230421-4": "R", "rtqa-20230602-28": "R",
    # none: no time expression, or a look-alike ("USA TODAY", "Mar-a-Lago", "may" the verb, "2024" ahead)
    "rtqa-20220729-7": "none", "rtqa-20220805-11": "none", "rtqa-20220812-1": "none", "rtqa-20220812-16": "none",
    "rtqa-20220902-10": "none", "rtqa-20220923-6": "none", "rtqa-20230303-11": "none", "rtqa-20221216-12": "none",
    "rtqa-20230414-15": "none", "rtqa-20230526-25": "none", "rtqa-20230310-11": "none", "rtqa-20220909-15": "none",
    "rtqa-20221014-21": "none", "rtqa-20230324-2": "none", "rtqa-20230512-14": "none",
}


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def expected(rule: str, asked: date) -> Win | None:
    """An RTQA label's window for a question asked on ``asked`` (plain date arithmetic)."""
    recency = rule.endswith("+R")
    rule = rule.removesuffix("+R")
    if rule == "none":
        return None
    if rule == "R":
        return None, None, True
    kind, _, arg = rule.partition(":")
    y = asked.year
    if kind == "week":
        s, e = _monday(asked), asked
    elif kind == "wd":
        s = e = asked - timedelta(days=(asked.weekday() - WEEKDAYS.index(arg.lower())) % 7)
    elif kind == "lastweek":
        s = _monday(asked) - timedelta(days=7)
        e = s + timedelta(days=6)
    elif kind == "lastweekend":
        s = asked - timedelta(days=(asked.weekday() - 5) % 7 or 7)
        e = s + timedelta(days=1)
    elif kind == "past":
        s, e = asked - timedelta(days=int(arg) - 1), asked
    elif kind == "pastyears":
        s, e = asked - timedelta(days=365 * int(arg) - 1), asked
    elif kind == "weeksago":
        s = _monday(asked - timedelta(days=7 * int(arg)))
        e = s + timedelta(days=6)
    elif kind == "thisyear":
        s, e = date(y, 1, 1), asked
    elif kind == "lastyear":
        s, e = date(y - 1, 1, 1), date(y - 1, 12, 31)
    elif kind == "yearsago":
        s, e = date(y - int(arg), 1, 1), date(y - int(arg), 12, 31)
    elif kind == "Y":
        s, e = date(int(arg), 1, 1), date(int(arg), 12, 31)
    elif kind == "M":
        m = int(arg)
        yy = y if m <= asked.month else y - 1
        s, e = date(yy, m, 1), date(yy, m, calendar.monthrange(yy, m)[1])
    else:
        raise ValueError(f"unknown rule {rule!r}")
    return s, e, recency


# --- dateparser, with the thinnest wrapper that turns its points into windows -------------------

_RECENCY = re.compile(r"\b(latest|newest|now|currently|current|still|so far|yet|most recent(?:ly)?|recently|"
                      r"as of now|to date|right now)\b(?!-)", re.I)
_MONTH_NAMES = "january february march april may june july august september october november december".split()


def dateparser_window(question: str, as_of: date) -> Win | None:
    from dateparser.search import search_dates

    base = datetime(as_of.year, as_of.month, as_of.day, 12)
    hits = search_dates(question, languages=["en"],
                        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}) or []
    recency = bool(_RECENCY.search(question))
    spans: list[tuple[date | None, date | None]] = []
    for phrase, dt in hits:
        d = dt.date()
        p = phrase.lower()
        if re.search(r"\bweek\b", p):
            s, e = _monday(d), min(_monday(d) + timedelta(days=6), as_of)
        elif "month" in p or (any(m in p for m in _MONTH_NAMES) and not re.search(r"\d{1,2}\b(?!\d)", p)):
            s = d.replace(day=1)
            e = min(d.replace(day=calendar.monthrange(d.year, d.month)[1]), as_of) if "month" in p else \
                d.replace(day=calendar.monthrange(d.year, d.month)[1])
        elif "year" in p or re.fullmatch(r"(?:in |of |for )?\d{4}", p):
            s, e = date(d.year, 1, 1), date(d.year, 12, 31)
            if d.year == as_of.year and "year" in p:
                e = as_of
        else:
            s = e = d
        before = question[: question.lower().find(p)].lower().split()[-1:] if p in question.lower() else []
        if before == ["since"]:
            s, e = s, None
        elif before == ["before"]:
            s, e = None, s - timedelta(days=1)
        elif before == ["after"]:
            s, e = e + timedelta(days=1), None
        if s is not None and s > as_of:
            continue
        spans.append((s, e))
    if not spans:
        return (None, None, True) if recency else None
    s, e = spans[0]
    for s2, e2 in spans[1:]:
        lo = max((x for x in (s, s2) if x), default=None)
        hi = min((x for x in (e, e2) if x), default=None)
        if lo and hi and lo > hi:
            break
        s, e = lo, hi
    return s, e, recency


def grammar_window(question: str, as_of: date) -> Win | None:
    w: TimeWindow | None = understand(question, as_of)
    return None if w is None else (w.start, w.end, w.recency)


def cases() -> list[tuple[str, str, date, Win | None]]:
    """(label, question, as_of, expected) for every labelled question."""
    out = [(f"own-{i}", q, a or AS_OF, exp) for i, (q, exp, a) in enumerate(OWN)]
    out += [(f"heldout-{i}", q, a or AS_OF, exp) for i, (q, exp, a) in enumerate(HELDOUT)]
    out += [(f"fresh-{i}", q, a or AS_OF, exp) for i, (q, exp, a) in enumerate(FRESH)]
    out += [(f"seasonal-{i}", q, a or AS_OF, exp) for i, (q, exp, a) in enumerate(SEASONAL)]
    out += [(f"months-{i}", q, a or AS_OF, exp) for i, (q, exp, a) in enumerate(MONTHS_RELATIVE)]
    out += [(f"festivals-{i}", q, a or AS_OF, exp) for i, (q, exp, a) in enumerate(FESTIVALS)]
    if SUITE.exists():
        rows = {r["id"]: r for r in map(json.loads, SUITE.read_text(encoding="utf-8").splitlines()) if r.get("id") in RTQA}
        for qid, rule in RTQA.items():
            r = rows.get(qid)
            if r is None:
                print(f"warning: {qid} not in {SUITE}", file=sys.stderr)
                continue
            asked = date.fromisoformat(r["asked_on"])
            out.append((qid, r["question"], asked, expected(rule, asked)))
    else:
        print(f"warning: {SUITE} missing: RealTime QA questions skipped", file=sys.stderr)
    return out


def measure(fn: Callable[[str, date], Win | None], rows: list[tuple[str, str, date, Win | None]]) -> dict:
    fn(rows[0][1], rows[0][2])  # warm
    right = found_right = 0
    errors = []
    t = time.perf_counter()
    got_all = [fn(q, a) for _, q, a, _ in rows]
    ms = (time.perf_counter() - t) * 1000 / len(rows)
    for (label, q, a, exp), got in zip(rows, got_all, strict=True):
        right += got == exp
        found_right += (got is None) == (exp is None)
        if got != exp:
            errors.append((label, q, a, exp, got))
    return {"n": len(rows), "accuracy": round(right / len(rows), 3), "found_agreement": round(found_right / len(rows), 3),
            "ms_per_question": round(ms, 3), "errors": errors}


def cold_ms(which: str) -> float:
    """A fresh interpreter's import + first call, in ms."""
    code = {"grammar": "from rag.timewindow import understand as f; a=__import__('datetime').date(2024,12,1); f('on Sunday', a)",
            "dateparser": "from benchmarks.timewindow import dateparser_window as f; a=__import__('datetime').date(2024,12,1); f('on Sunday', a)"}[which]
    prog = f"import time; t=time.perf_counter(); {code}; print((time.perf_counter()-t)*1000)"
    out = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    rows = cases()
    own = [r for r in rows if r[0].startswith("own-")]
    held = [r for r in rows if r[0].startswith("heldout-")]
    fresh = [r for r in rows if r[0].startswith("fresh-")]
    seasonal = [r for r in rows if r[0].startswith("seasonal-")]
    festivals = [r for r in rows if r[0].startswith("festivals-")]
    rtqa = [r for r in rows if r[0].startswith("rtqa-")]
    report = {}
    for name, fn in (("grammar", grammar_window), ("dateparser", dateparser_window)):
        whole = measure(fn, rows)
        report[name] = {"all": {k: v for k, v in whole.items() if k != "errors"},
                        "own": {k: v for k, v in measure(fn, own).items() if k != "errors"},
                        "heldout": {k: v for k, v in measure(fn, held).items() if k != "errors"},
                        "fresh": {k: v for k, v in measure(fn, fresh).items() if k != "errors"},
                        "seasonal": {k: v for k, v in measure(fn, seasonal).items() if k != "errors"},
                        "festivals": {k: v for k, v in measure(fn, festivals).items() if k != "errors"},
                        "rtqa": {k: v for k, v in measure(fn, rtqa).items() if k != "errors"} if rtqa else None,
                        "cold_first_call_ms": cold_ms(name)}
        if args.show_errors:
            for label, q, a, exp, got in whole["errors"]:
                fmt = lambda w: None if w is None else (str(w[0]), str(w[1]), w[2])  # noqa: E731
                print(f"[{name}] {label} as_of={a} {q!r}\n    expected {fmt(exp)} got {fmt(got)}")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
