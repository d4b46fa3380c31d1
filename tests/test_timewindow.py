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
    ("How has it changed since 2016?", (D("2016-01-01"), AS_OF, False)),  # since: up to as_of
    ("What has happened since March?", (D("2024-03-01"), AS_OF, False)),
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
    ("How much have prices risen since last year?", (D("2023-01-01"), AS_OF, False)),
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


WED = D("2022-12-07")  # a Wednesday

# gaps a user found, asked on WED: question -> (start, end); None: no window
GAPS: list[tuple[str, tuple[date | None, date | None] | None]] = [
    # parts of a month: early 1-10, mid 11-20, late/end 21-end; first/last week; halves 1-15 / 16-end
    ("What happened in early November?", (D("2022-11-01"), D("2022-11-10"))),
    ("What happened at the start of November?", (D("2022-11-01"), D("2022-11-10"))),
    ("What happened at the beginning of November?", (D("2022-11-01"), D("2022-11-10"))),
    ("What happened mid-November?", (D("2022-11-11"), D("2022-11-20"))),
    ("What happened in late November?", (D("2022-11-21"), D("2022-11-30"))),
    ("What happened at the end of November?", (D("2022-11-21"), D("2022-11-30"))),
    ("What happened in the first week of November?", (D("2022-11-01"), D("2022-11-07"))),
    ("What happened in the last week of November?", (D("2022-11-24"), D("2022-11-30"))),  # not "last week"
    ("What happened in the first half of November?", (D("2022-11-01"), D("2022-11-15"))),
    ("What happened in the second half of November?", (D("2022-11-16"), D("2022-11-30"))),
    ("What happened in early November 2021?", (D("2021-11-01"), D("2021-11-10"))),
    ("What happened in mid-March 2021?", (D("2021-03-11"), D("2021-03-20"))),
    ("What happened in early December?", (D("2022-12-01"), D("2022-12-10"))),  # the month has begun
    ("What happened in late December?", (D("2021-12-21"), D("2021-12-31"))),  # the latest late December begun
    ("What happened in the past week of fighting?", (D("2022-12-01"), WED)),  # "of" no month: the past week
    # parts of a year: thirds, halves
    ("What happened in early 2022?", (D("2022-01-01"), D("2022-04-30"))),
    ("What happened in mid-2022?", (D("2022-05-01"), D("2022-08-31"))),
    ("What happened in late 2021?", (D("2021-09-01"), D("2021-12-31"))),
    ("How many did it employ at the end of 2021?", (D("2021-09-01"), D("2021-12-31"))),
    ("How many had it sold by the end of 2004?", (D("2004-09-01"), D("2004-12-31"))),  # a time, not a target
    ("What happened in the second half of 2021?", (D("2021-07-01"), D("2021-12-31"))),
    ("What happened between early March and late April?", (D("2022-03-01"), D("2022-04-30"))),
    ("What has happened since early November?", (D("2022-11-01"), WED)),
    # numeric dates: US month/day when both parts are up to 12, day/month when the first is over 12
    ("What happened on 12/01/2022?", (D("2022-12-01"), D("2022-12-01"))),
    ("What happened on 25/12/2021?", (D("2021-12-25"), D("2021-12-25"))),
    ("What happened on 11/25/2022?", (D("2022-11-25"), D("2022-11-25"))),
    ("What happened on 12/1/22?", (D("2022-12-01"), D("2022-12-01"))),
    ("What happened on 2022-12-01?", (D("2022-12-01"), D("2022-12-01"))),
    ("What happened on 2022/12/01?", (D("2022-12-01"), D("2022-12-01"))),
    ("What happened in 12/2021?", (D("2021-12-01"), D("2021-12-31"))),
    ("What happened on 12/1?", (D("2022-12-01"), D("2022-12-01"))),  # the latest 1 December
    ("What happened on 3/4?", (D("2022-03-04"), D("2022-03-04"))),
    ("What has happened since 12/1?", (D("2022-12-01"), WED)),
    ("What happened between 11/1 and 11/5?", (D("2022-11-01"), D("2022-11-05"))),
    ("What happened on 13/13/2022?", None),
    ("What happened on 2/30?", None),
    ("What changed after 9/11?", None),  # the attacks, not the latest 11 September
    ("Is the helpline open 24/7?", None),
    ("Who won a 3/4 majority?", None),
    ("What share rose from 1/3 to 1/2 of voters?", None),
    # "a month/year ago": that day ± 3 ("N days ago" is the day, "N weeks ago" that week)
    ("What happened a year ago?", (D("2021-12-04"), D("2021-12-10"))),
    ("What happened one year ago?", (D("2021-12-04"), D("2021-12-10"))),
    ("What happened a month ago?", (D("2022-11-04"), D("2022-11-10"))),
    ("What happened a year ago today?", (D("2021-12-07"), D("2021-12-07"))),
    ("What happened a week ago?", (D("2022-11-28"), D("2022-12-04"))),
    ("What happened 7 days ago?", (D("2022-11-30"), D("2022-11-30"))),
    ("What happened two years ago?", (D("2020-01-01"), D("2020-12-31"))),  # rounder: the calendar year
    ("What happened two months ago?", (D("2022-10-01"), D("2022-10-31"))),
    ("What happened a decade ago?", (D("2012-01-01"), D("2012-12-31"))),
    # the coming weekday is in the future: no window (and not the past one)
    ("What will happen next Tuesday?", None),
    ("What will happen this coming Friday?", None),
    ("What will happen on Tuesday next week?", None),
    ("What will happen next Wednesday?", None),
    ("What happened last Tuesday?", (D("2022-12-06"), D("2022-12-06"))),
    ("What happened on Wednesday?", (WED, WED)),
    # "X or Y" (and disjoint "X and Y") add up; "and" between overlapping or open ones narrows
    ("What happened today or yesterday?", (D("2022-12-06"), WED)),
    ("What happened yesterday or today?", (D("2022-12-06"), WED)),
    ("What happened today and yesterday?", (D("2022-12-06"), WED)),
    ("What happened in March or April?", (D("2022-03-01"), D("2022-04-30"))),
    ("What happened in 2019, 2020 or 2021?", (D("2019-01-01"), D("2021-12-31"))),
    ("What happened on Monday or on Tuesday?", (D("2022-12-05"), D("2022-12-06"))),
    ("What happened since 2016 and before 2020?", (D("2016-01-01"), D("2019-12-31"))),
    ("What happened today and this week?", (WED, WED)),
    # "since" ends on as_of
    ("How has it changed since 2016?", (D("2016-01-01"), WED)),
    ("What has the court decided since Monday?", (D("2022-12-05"), WED)),
    ("How much have prices risen since last month?", (D("2022-11-01"), WED)),
    ("What happened after 2016?", (D("2017-01-01"), None)),  # "after" stays open (the prior stops at as_of)
]


@pytest.mark.parametrize(("question", "expected"), GAPS, ids=[q for q, _ in GAPS])
def test_understand_gaps_asked_on_a_wednesday(question: str, expected: tuple[date | None, date | None] | None) -> None:
    w = understand(question, WED)
    assert (None if w is None else (w.start, w.end)) == expected
    if w is not None:
        assert not w.recency


JUNE = D("2025-06-18")  # a Wednesday

# phrases news readers use that the first grammar missed, asked on JUNE: question -> (start, end); None: no window
READERS: list[tuple[str, tuple[date | None, date | None] | None]] = [
    # parts of this/last week, month and year, as of a named one ("early 2021"); a week's part is the week
    ("What did the central bank do early last year?", (D("2024-01-01"), D("2024-04-30"))),
    ("What happened late last year?", (D("2024-09-01"), D("2024-12-31"))),
    ("Which minister resigned late last month?", (D("2025-05-21"), D("2025-05-31"))),
    ("What happened in the middle of last month?", (D("2025-05-11"), D("2025-05-20"))),
    ("What happened in the first half of last year?", (D("2024-01-01"), D("2024-06-30"))),
    ("What happened in the last week of last month?", (D("2025-05-25"), D("2025-05-31"))),
    ("How many jobs were cut at the start of the year?", (D("2025-01-01"), D("2025-04-30"))),  # "the": this
    ("What happened at the start of the month?", (D("2025-06-01"), D("2025-06-10"))),
    ("What has changed since the start of the year?", (D("2025-01-01"), JUNE)),
    ("What did the minister announce at the end of last week?", (D("2025-06-09"), D("2025-06-15"))),
    ("What happened at the end of the week?", (D("2025-06-16"), JUNE)),  # this week, up to as_of
    ("What happened at the end of the month?", None),  # 21-30 June: still to come
    ("What is the outlook for the end of the year?", None),
    ("What happened in the second half of the year?", None),
    ("Who scored in the second half?", None),  # a match's, not a year's
    # a month listed after another is a month, even "May"/"March"; the verbs still are not
    ("What did the central bank decide in March or May?", (D("2025-03-01"), D("2025-05-31"))),
    ("What happened in April, May and June?", (D("2025-04-01"), D("2025-06-30"))),
    ("Did the bank act in March or may it wait?", (D("2025-03-01"), D("2025-03-31"))),
    # a bare month before a capitalised word is a name; not before a month, a function word, all capitals
    ("Which teams are favourites for March Madness?", None),
    ("What happened at May Day rallies?", None),
    ("Who organised the May Day protests?", None),
    ("What happened in June UN talks?", (D("2025-06-01"), D("2025-06-30"))),
    ("What happened in March, Madrid?", (D("2025-03-01"), D("2025-03-31"))),
    ("What Did The Bank Say In March About Rates?", (D("2025-03-01"), D("2025-03-31"))),  # title case
    # a fortnight; "few" as "a few"
    ("How many migrants crossed the Channel in the past fortnight?", (D("2025-06-05"), JUNE)),
    ("What happened last fortnight?", (D("2025-06-05"), JUNE)),
    ("What happened a fortnight ago?", (D("2025-06-02"), D("2025-06-08"))),  # as "two weeks ago"
    ("What has happened in Gaza over the past few days?", (D("2025-06-16"), JUNE)),
    ("What has changed in the last few years?", (D("2022-06-20"), JUNE)),  # 3 x 365 days
    # the week (weekend, month, year) before last
    ("What happened in the week before last?", (D("2025-06-02"), D("2025-06-08"))),
    ("What happened the weekend before last?", (D("2025-06-07"), D("2025-06-08"))),
    ("What happened the month before last?", (D("2025-04-01"), D("2025-04-30"))),
    ("What happened the year before last?", (D("2023-01-01"), D("2023-12-31"))),
    # a season of a year (winter: the one beginning in December of that year)
    ("Where were the wildfires in the summer of 2021?", (D("2021-06-01"), D("2021-08-31"))),
    ("What happened in summer 2021?", (D("2021-06-01"), D("2021-08-31"))),
    ("What happened in the winter of 2021?", (D("2021-12-01"), D("2022-02-28"))),
    ("What caused the Arab Spring?", None),
    # named days with a fixed date, after "on" (or with a year), resolved like "25 December"
    ("What did the King say on Christmas Day?", (D("2024-12-25"), D("2024-12-25"))),
    ("What happened on New Years Eve?", (D("2024-12-31"), D("2024-12-31"))),
    ("What happened on Christmas Day 2020?", (D("2020-12-25"), D("2020-12-25"))),
    ("What has happened since Christmas Day?", (D("2024-12-25"), JUNE)),
    ("What caused the Boxing Day tsunami?", None),
    ("What did the Christmas Day speech say?", None),
    ("Why did protesters wear costumes in Halloween colours?", None),
    # two-digit decades need the apostrophe: "in the 90s" is mostly a temperature or an age
    ("Which bands defined music in the '90s?", (D("1990-01-01"), D("1999-12-31"))),
    ("What happened in the ’10s?", (D("2010-01-01"), D("2019-12-31"))),
    ("What was life like in the '20s?", (D("1920-01-01"), D("1929-12-31"))),  # the 2020s are not over
    ("Were temperatures in the 90s?", None),
    # "the" before "today"/"tonight" makes a title (not before "overnight")
    ("What did the minister tell the Today programme?", None),
    ("Who hosts The Tonight Show?", None),
    ("What did the minister say on the Today show today?", (JUNE, JUNE)),
    ("What did the overnight strikes hit?", (D("2025-06-17"), JUNE)),
    # other look-alikes
    ("What did the Sunday Times reveal about the deal?", None),
    ("What did the Week magazine say about the budget?", None),
    ("Why did the rail unions call a 24-hour strike?", None),
    ("How did Chinese families celebrate the Year of the Rabbit?", None),
    ("What does the Good Friday Agreement say about borders?", None),
]


@pytest.mark.parametrize(("question", "expected"), READERS, ids=[q for q, _ in READERS])
def test_understand_readers_phrases(question: str, expected: tuple[date | None, date | None] | None) -> None:
    w = understand(question, JUNE)
    assert (None if w is None else (w.start, w.end)) == expected
    if w is not None:
        assert not w.recency


OCT = D("2025-10-15")  # a Wednesday
APR = D("2025-04-25")  # a Friday, the week after Easter 2025 (Good Friday 18 .. Easter Monday 21 April)
DEC = D("2024-12-03")  # a Tuesday, the week after Thanksgiving 2024 (Thursday 28 November)

# seasons without a year, decades in words, moveable named days, "the holidays": (question, as_of, (start,
# end) or None)
CALENDAR: list[tuple[str, date, tuple[date, date] | None]] = [
    # a bare season: the latest begun by as_of, whole (as "in March")
    ("What did the central bank do over the summer?", OCT, (D("2025-06-01"), D("2025-08-31"))),
    ("How many migrants crossed in the spring?", OCT, (D("2025-03-01"), D("2025-05-31"))),
    ("What happened in spring?", OCT, (D("2025-03-01"), D("2025-05-31"))),
    ("What happened to house prices in the autumn?", D("2025-01-20"), (D("2024-09-01"), D("2024-11-30"))),
    ("Which candidates dropped out in the fall?", D("2025-01-20"), (D("2024-09-01"), D("2024-11-30"))),
    ("Which companies cut jobs during the winter?", D("2025-02-10"), (D("2024-12-01"), D("2025-02-28"))),
    ("What happened in the winter?", D("2025-12-10"), (D("2025-12-01"), D("2026-02-28"))),  # just begun
    ("Who did the club sign over the summer?", D("2025-07-10"), (D("2025-06-01"), D("2025-08-31"))),
    ("What happened during the summer months?", OCT, (D("2025-06-01"), D("2025-08-31"))),
    ("What has the government done since the spring?", OCT, (D("2025-03-01"), OCT)),
    ("What has changed since last summer?", OCT, (D("2025-06-01"), OCT)),
    ("What happened in the spring of last year?", OCT, (D("2024-03-01"), D("2024-05-31"))),
    ("What happened in the spring and summer?", OCT, (D("2025-03-01"), D("2025-08-31"))),  # listed: both
    # "this" season: running (to as_of) or just over, else the coming one (no window); "this past": the latest
    ("What did the mayor promise this spring?", JUNE, (D("2025-03-01"), D("2025-05-31"))),
    ("Which heat records were broken this summer?", D("2025-09-20"), (D("2025-06-01"), D("2025-08-31"))),
    ("What happened this winter?", D("2025-01-10"), (D("2024-12-01"), D("2025-01-10"))),
    ("What happened this winter?", D("2025-03-10"), (D("2024-12-01"), D("2025-02-28"))),
    ("What will happen this spring?", D("2025-01-10"), None),
    ("What did the government do this past summer?", OCT, (D("2025-06-01"), D("2025-08-31"))),
    ("How many homes lost power last winter?", OCT, (D("2024-12-01"), D("2025-02-28"))),
    ("How did last winter storms hit Texas?", OCT, (D("2024-12-01"), D("2025-02-28"))),  # a noun, not a name
    # decades in words (the latest such decade that is over) and parts: early 0-3, mid 3-6, late 6-9
    ("Which bands dominated the charts in the nineties?", JUNE, (D("1990-01-01"), D("1999-12-31"))),
    ("How fast did the economy grow in the eighties?", JUNE, (D("1980-01-01"), D("1989-12-31"))),
    ("What was life like in the twenties?", JUNE, (D("1920-01-01"), D("1929-12-31"))),  # 2020s not over
    ("What happened in the noughties?", JUNE, (D("2000-01-01"), D("2009-12-31"))),
    ("What did the company make in the early 2000s?", JUNE, (D("2000-01-01"), D("2003-12-31"))),
    ("What was the unemployment rate in the mid-1990s?", JUNE, (D("1993-01-01"), D("1996-12-31"))),
    ("Who ran the city in the late nineties?", JUNE, (D("1996-01-01"), D("1999-12-31"))),
    ("Which films were hits in the late '80s?", JUNE, (D("1986-01-01"), D("1989-12-31"))),
    ("How has the town changed since the seventies?", JUNE, (D("1970-01-01"), JUNE)),
    ("What happened before the nineties?", JUNE, (None, D("1989-12-31"))),
    ("Which bands were big in the 1990s?", JUNE, (D("1990-01-01"), D("1999-12-31"))),  # as before
    # Easter (2025: 20 April): alone Good Friday .. Easter Monday, "on Easter" and "Easter Sunday" the Sunday
    ("What did the Pope say on Easter Sunday?", JUNE, (D("2025-04-20"), D("2025-04-20"))),
    ("What happened on Easter?", JUNE, (D("2025-04-20"), D("2025-04-20"))),
    ("How many people travelled over Easter?", APR, (D("2025-04-18"), D("2025-04-21"))),
    ("What did the Pope say at Easter?", APR, (D("2025-04-18"), D("2025-04-21"))),
    ("Which shops opened on Good Friday?", APR, (D("2025-04-18"), D("2025-04-18"))),
    ("What happened on Easter Monday?", JUNE, (D("2025-04-21"), D("2025-04-21"))),
    ("What happened over the Easter weekend?", JUNE, (D("2025-04-18"), D("2025-04-21"))),
    ("What happened in Jerusalem at Easter 2023?", APR, (D("2023-04-07"), D("2023-04-10"))),
    ("What has the party done since Easter?", JUNE, (D("2025-04-18"), JUNE)),
    ("What did the archbishop say last Easter?", JUNE, (D("2025-04-18"), D("2025-04-21"))),
    ("What did the archbishop say last Easter?", D("2025-03-25"), (D("2024-03-29"), D("2024-04-01"))),
    ("What happened this Easter?", JUNE, (D("2025-04-18"), D("2025-04-21"))),
    # Thanksgiving (the fourth Thursday of November), Black Friday, Cyber Monday
    ("What did the president say on Thanksgiving?", DEC, (D("2024-11-28"), D("2024-11-28"))),
    ("How many Americans flew over Thanksgiving weekend?", DEC, (D("2024-11-28"), D("2024-12-01"))),
    ("What happened over Thanksgiving?", DEC, (D("2024-11-28"), D("2024-12-01"))),
    ("What happened on Thanksgiving Day 2023?", JUNE, (D("2023-11-23"), D("2023-11-23"))),
    ("What deals did retailers offer on Black Friday?", DEC, (D("2024-11-29"), D("2024-11-29"))),
    ("How much did online sales grow on Black Friday 2023?", DEC, (D("2023-11-24"), D("2023-11-24"))),
    ("What happened on Black Friday and Cyber Monday?", DEC, (D("2024-11-29"), D("2024-12-02"))),
    # Memorial Day (the last Monday of May), Labor Day (the first Monday of September), Mother's/Father's Day
    ("How many people died on the roads over Memorial Day weekend?", JUNE, (D("2025-05-24"), D("2025-05-26"))),
    ("What happened on Memorial Day?", JUNE, (D("2025-05-26"), D("2025-05-26"))),
    ("What did the president say on Labor Day?", OCT, (D("2025-09-01"), D("2025-09-01"))),
    ("What happened over Labor Day?", OCT, (D("2025-08-30"), D("2025-09-01"))),
    ("What did florists sell on Mother's Day?", JUNE, (D("2025-05-11"), D("2025-05-11"))),  # US
    ("How busy were UK restaurants on Mother's Day?", JUNE, (D("2025-03-30"), D("2025-03-30"))),  # UK cue
    ("What happened on Mothering Sunday?", JUNE, (D("2025-03-30"), D("2025-03-30"))),
    ("What happened on Father's Day?", JUNE, (D("2025-06-15"), D("2025-06-15"))),
    # the holidays: 20 December .. 2 January, the latest begun
    ("What did the King do over the holidays?", D("2025-01-08"), (D("2024-12-20"), D("2025-01-02"))),
    ("How did retailers fare during the holiday season?", D("2025-01-15"), (D("2024-12-20"), D("2025-01-02"))),
    ("How many were hurt over the festive period?", D("2025-01-06"), (D("2024-12-20"), D("2025-01-02"))),
    ("What happened during the Christmas holidays?", D("2025-01-10"), (D("2024-12-20"), D("2025-01-02"))),
    ("What has happened since the holidays?", D("2025-02-10"), (D("2024-12-20"), D("2025-02-10"))),
    ("What happened last holiday season?", D("2025-02-10"), (D("2024-12-20"), D("2025-01-02"))),
    ("What happened this holiday season?", D("2025-12-26"), (D("2025-12-20"), D("2025-12-26"))),
    # to come: no window
    ("How will retailers fare this holiday season?", D("2025-11-10"), None),
    ("What will shops sell over the holidays?", D("2025-11-10"), None),
    ("Which stores will open on Thanksgiving?", D("2025-11-10"), None),
    ("What will happen at Easter?", D("2025-03-25"), None),
    ("What will happen on Easter Sunday?", D("2025-04-10"), None),  # not the latest Sunday either
    ("What happened this Easter?", D("2025-03-01"), None),
]


@pytest.mark.parametrize(("question", "as_of", "expected"), CALENDAR, ids=[f"{q} @{a}" for q, a, _ in CALENDAR])
def test_seasons_decades_and_moveable_days(question: str, as_of: date, expected: tuple[date, date] | None) -> None:
    w = understand(question, as_of)
    assert (None if w is None else (w.start, w.end)) == expected
    if w is not None:
        assert not w.recency


# names and compounds holding a season, decade or holiday word, and other look-alikes: no window at all
@pytest.mark.parametrize("question", [
    "What did the Chancellor announce in the Spring Statement?",
    "What did the Chancellor say in last Spring Statement?",
    "What was in the Autumn Budget?",
    "What did the minister say in the autumn statement?",
    "Which country topped the medal table at the Summer Olympics?",
    "Who won gold during the Winter Olympics?",
    "What happened in Egypt after the Arab Spring?",
    "What did the Arab Spring change?",
    "What happened during the Prague Spring?",
    "Could a war between nuclear powers cause a nuclear winter?",
    "What is the Summer Palace?",
    "Who won the spring elections?",
    "What happened to Afghan interpreters since the fall of Kabul?",
    "What role did short sellers play in the fall in bank shares?",
    "How was she hurt in the fall?",
    "what about the summer?",  # no preposition: left to the follow-up rewrite (tests/test_followup.py)
    "Who signed the Good Friday Agreement?",
    "What did scientists find on Easter Island?",
    "Who led the Easter Rising?",
    "Who performed at the Thanksgiving Day Parade?",
    "How much did Britons spend on Easter eggs?",
    "What happened at the Labor Day rally?",
    "Were temperatures in the nineties across Texas?",
    "How many of the residents are in their eighties?",
    "Which airline had a holiday travel meltdown?",
    "What are the holidays in Japan?",
    "How much did shoppers spend on Black Friday?",  # what the money went on, not the day
    "How much did shoppers spend on Christmas Day?",
])
def test_names_holding_calendar_words_are_no_windows(question: str) -> None:
    assert understand(question, OCT) is None


def test_a_name_keeps_its_season_word_and_the_phrase_names_only_the_time() -> None:
    # the phrase is what the answer quotes as "understood": the name's words are not in it
    w = understand("What did the Chancellor announce in the Spring Statement this year?", OCT)
    assert w is not None and w.phrase == "this year" and (w.start, w.end) == (D("2025-01-01"), OCT)
    w = understand("Who won gold at the Winter Olympics in 2022?", OCT)
    assert w is not None and w.phrase == "in 2022"
    w = understand("Which players did the club sign over the summer?", OCT)
    assert w is not None and w.phrase == "over the summer"
    w = understand("How many Americans flew over Thanksgiving weekend?", DEC)
    assert w is not None and w.phrase == "over Thanksgiving weekend"
    # the season of a year is still read as before, with its preposition
    w = understand("What happened during the summer of 2021?", OCT)
    assert w is not None and (w.start, w.end) == (D("2021-06-01"), D("2021-08-31"))


def test_following_black_friday_without_a_preposition_stays_unread() -> None:
    # RealTime QA rtqa-20221202-0: the named days there are no window, "on Tuesday" is
    w = understand("Following Black Friday and Cyber Monday, which was observed on Tuesday?", D("2022-12-01"))
    assert w is not None and (w.start, w.end) == (D("2022-11-29"), D("2022-11-29")) and w.phrase == "on Tuesday"


def test_named_day_resolves_like_its_date() -> None:
    # asked in early December, "on Christmas Day" is the coming one (as "on 25 December"): no window
    assert understand("What will happen on Christmas Day?", D("2024-12-01")) is None
    w = understand("What did the royal family do on Boxing Day?", D("2025-01-08"))
    assert w is not None and (w.start, w.end) == (D("2024-12-26"), D("2024-12-26"))


def test_since_labels_its_end_and_keeps_out_of_uncovered() -> None:
    from rag.timewindow import uncovered

    since = understand("What has changed since 2016?", WED)
    assert since is not None and since.label() == "2016-01-01 .. 2022-12-07"
    # an open window was left alone by uncovered(); a "since" window still is, though it now has an end
    assert not uncovered(since, ["2010-01-01", "2023-05-01"], WED, 0, 0)
    week = understand("What happened since Monday?", WED)
    assert week is not None and not uncovered(week, ["2022-08-01", "2023-05-01"], WED, 21, None)
    this_week = understand("What happened this week?", WED)  # the same days, not a "since": a gap
    assert this_week is not None and uncovered(this_week, ["2022-08-01", "2023-05-01"], WED, 21, None)
    # the prior: "since" ending on as_of weighs articles exactly as the open end did
    open_since = TimeWindow(D("2016-01-01"), None, "since 2016")
    for day in ("2015-06-01", "2019-03-03", "2022-12-07", "2022-12-20"):
        assert time_prior(day, since, WED, P) == time_prior(day, open_since, WED, P)


def test_coming_day_and_season_are_not_windows() -> None:
    # "expires on May 11" asked on May 4 is the coming May 11, not last year's
    assert understand("What happens when the policy expires on May 11?", D("2023-05-04")) is None
    assert understand("Who will pay more to keep warm this winter?", D("2022-09-29")) is None


def test_phrase_and_label_say_what_was_understood() -> None:
    w = understand("What did the rebels capture this week?", AS_OF)
    assert w is not None and w.phrase == "this week" and w.label() == "2024-11-25 .. 2024-12-01"
    since = understand("What has changed since 2016?", AS_OF)
    assert since is not None and since.label() == "2016-01-01 .. 2024-12-01"  # "since" runs to as_of
    joined = understand("What happened today or yesterday?", AS_OF)
    assert joined is not None and joined.phrase == "today or yesterday"  # one phrase, as written


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


def test_a_phrase_said_many_times_is_named_once() -> None:
    # a pasted text repeating "over the past several months" was quoted that many times after "understood:"
    w = understand("What changed over the past several months? " * 12 + "And  over the past several months?",
                   date(2024, 12, 1))
    assert w is not None and w.phrase == "over the past several months"


@pytest.mark.parametrize(("question", "as_of", "expected"), [
    ("What did the Fed decide last March?", date(2025, 10, 15), (date(2025, 3, 1), date(2025, 3, 31))),
    ("What did the Fed decide last March?", date(2025, 3, 10), (date(2024, 3, 1), date(2024, 3, 31))),
    ("How many homes were sold last December?", date(2025, 10, 15), (date(2024, 12, 1), date(2024, 12, 31))),
    ("How much did prices rise this March?", date(2025, 4, 25), (date(2025, 3, 1), date(2025, 3, 31))),
    ("What has the company said this April?", date(2025, 4, 25), (date(2025, 4, 1), date(2025, 4, 25))),
    ("How many jobs have gone since last June?", date(2025, 10, 15), (date(2025, 6, 1), date(2025, 10, 15))),
    ("Who won this March Madness bracket challenge?", date(2025, 4, 25), None),
    ("The first may be the last: may the best team win?", date(2025, 10, 15), None),
])
def test_last_and_this_month(question: str, as_of: date, expected: tuple[date, date] | None) -> None:
    w = understand(question, as_of)
    assert (None if w is None else (w.start, w.end)) == expected


# --- Christmas, parts of a decade, Labour/MLK/Presidents' Day, the lunar and lunisolar festivals ------

JAN = D("2025-01-08")  # a Wednesday, after Christmas 2024 and Hanukkah (26 December .. 2 January)
FEB = D("2025-02-20")  # a Thursday, after MLK Day (20 January), Chinese New Year (29 January), Presidents' Day
LATE_OCT = D("2025-10-24")  # a Friday, after Yom Kippur (2 October) and Diwali (20 October)

# (question, as_of, (start, end) or None); the festivals' dates are the holidays package's tables (Umm
# al-Qura based Hijri dates, the Hebrew calendar, the Chinese calendar, India's Diwali)
FESTIVALS: list[tuple[str, date, tuple[date, date] | None]] = [
    # Christmas alone: Christmas Eve .. Boxing Day; "on Christmas" the day; "Christmas break" the holidays
    ("What happened over Christmas?", JAN, (D("2024-12-24"), D("2024-12-26"))),
    ("What did the Pope say on Christmas?", JAN, (D("2024-12-25"), D("2024-12-25"))),
    ("What happened at Christmas 2023?", JAN, (D("2023-12-24"), D("2023-12-26"))),
    ("What has changed since Christmas?", JAN, (D("2024-12-24"), JAN)),
    ("What happened last Christmas?", JUNE, (D("2024-12-24"), D("2024-12-26"))),
    ("What did it cost over Christmas break?", JAN, (D("2024-12-20"), D("2025-01-02"))),
    ("What did the King say on Christmas Eve?", JAN, (D("2024-12-24"), D("2024-12-24"))),  # as before
    ("What will shops do over Christmas?", D("2025-11-20"), None),  # the coming one
    # parts of a decade: the start/beginning of = early (0-3), the middle of = mid (3-6), the end of = late (6-9)
    ("Who ran the city at the end of the nineties?", JUNE, (D("1996-01-01"), D("1999-12-31"))),
    ("How did markets move at the end of the 2010s?", JUNE, (D("2016-01-01"), D("2019-12-31"))),
    ("What happened at the beginning of the '80s?", JUNE, (D("1980-01-01"), D("1983-12-31"))),
    ("What happened in the middle of the eighties?", JUNE, (D("1983-01-01"), D("1986-12-31"))),
    ("What has changed since the start of the nineties?", JUNE, (D("1990-01-01"), JUNE)),
    # MLK Day (the third Monday of January) and Presidents' Day (the third Monday of February)
    ("What did the president say on Martin Luther King Jr. Day?", FEB, (D("2025-01-20"), D("2025-01-20"))),
    ("Who marched on MLK Day?", FEB, (D("2025-01-20"), D("2025-01-20"))),
    ("What happened over the MLK Day weekend?", FEB, (D("2025-01-18"), D("2025-01-20"))),
    ("Where did protesters rally on Presidents' Day?", FEB, (D("2025-02-17"), D("2025-02-17"))),
    ("What happened on President's Day?", FEB, (D("2025-02-17"), D("2025-02-17"))),
    ("What happened on Washington's Birthday?", FEB, (D("2025-02-17"), D("2025-02-17"))),
    ("What did retailers offer in the Presidents' Day sales?", FEB, (D("2025-02-15"), D("2025-02-17"))),
    # Labour Day: the first Monday of September (Canada, as the US Labor Day); with a UK cue 1 May
    ("What did Canadian unions say on Labour Day?", OCT, (D("2025-09-01"), D("2025-09-01"))),
    ("How many died on the roads over the Labour Day weekend?", OCT, (D("2025-08-30"), D("2025-09-01"))),
    ("How many marched in London on Labour Day?", D("2025-05-10"), (D("2025-05-01"), D("2025-05-01"))),
    # Ramadan (the month) and Eid (the day; over it three days; bare "Eid" the nearer of al-Fitr and al-Adha)
    ("How many Muslims fasted during Ramadan?", APR, (D("2025-03-01"), D("2025-03-29"))),
    ("What happened in Ramadan?", APR, (D("2025-03-01"), D("2025-03-29"))),
    ("What has changed in Gaza since Ramadan?", APR, (D("2025-03-01"), APR)),
    ("What happened this Ramadan?", D("2025-03-15"), (D("2025-03-01"), D("2025-03-15"))),  # running
    ("What happened last Ramadan?", D("2025-03-15"), (D("2024-03-11"), D("2024-04-09"))),
    ("What happened during Ramadan 2023?", APR, (D("2023-03-23"), D("2023-04-20"))),
    ("What did the king say on Eid al-Fitr?", APR, (D("2025-03-30"), D("2025-03-30"))),
    ("What happened over Eid?", APR, (D("2025-03-30"), D("2025-04-01"))),
    ("How many prayed in Mecca on Eid?", APR, (D("2025-03-30"), D("2025-03-30"))),  # Eid al-Adha (6 June) is further
    ("How many prayed in Mecca on Eid?", D("2025-06-20"), (D("2025-06-06"), D("2025-06-06"))),
    ("What happened on Eid ul-Adha 2024?", APR, (D("2024-06-16"), D("2024-06-16"))),
    # Passover (15-22 Nisan), its Seder (the eve and the first day), Hanukkah, Yom Kippur
    ("What happened in Jerusalem over Passover?", APR, (D("2025-04-13"), D("2025-04-20"))),
    ("What happened on Passover?", APR, (D("2025-04-13"), D("2025-04-13"))),
    ("Which hostages' families held a Passover Seder?", APR, (D("2025-04-12"), D("2025-04-13"))),
    ("What happened during Pesach 2024?", APR, (D("2024-04-23"), D("2024-04-30"))),
    ("What did the president say during Hanukkah?", JAN, (D("2024-12-26"), D("2025-01-02"))),
    ("What happened this Chanukah?", D("2024-12-28"), (D("2024-12-26"), D("2024-12-28"))),
    ("Which synagogues were guarded on Yom Kippur?", LATE_OCT, (D("2025-10-02"), D("2025-10-02"))),
    # Diwali (India's day; over it, or its sales, the five days around it), Chinese/Lunar New Year
    ("What did the prime minister say on Diwali?", LATE_OCT, (D("2025-10-20"), D("2025-10-20"))),
    ("What happened over Diwali?", LATE_OCT, (D("2025-10-18"), D("2025-10-22"))),
    ("How much did shoppers spend in the Diwali sales?", LATE_OCT, (D("2025-10-18"), D("2025-10-22"))),
    ("What happened on Diwali 2040?", LATE_OCT, None),  # past the calendar table (2001-2035): no date
    ("How many people travelled over Chinese New Year?", FEB, (D("2025-01-28"), D("2025-02-04"))),
    ("What did Xi say on Lunar New Year?", FEB, (D("2025-01-29"), D("2025-01-29"))),
    ("What happened on Chinese New Year's Eve?", FEB, (D("2025-01-28"), D("2025-01-28"))),
    ("What happened at Chinese New Year 2024?", FEB, (D("2024-02-09"), D("2024-02-16"))),
    # "... sales" reads any moveable day's period: Black Friday's is Friday .. Sunday
    ("How did Black Friday sales do?", DEC, (D("2024-11-29"), D("2024-12-01"))),
]


@pytest.mark.parametrize(("question", "as_of", "expected"), FESTIVALS, ids=[f"{q} @{a}" for q, a, _ in FESTIVALS])
def test_festivals_and_named_days(question: str, as_of: date, expected: tuple[date, date] | None) -> None:
    w = understand(question, as_of)
    assert (None if w is None else (w.start, w.end)) == expected
    if w is not None:
        assert not w.recency


# names holding a festival's or named day's words, and a greeting: no window
@pytest.mark.parametrize("question", [
    "What did scientists find on Christmas Island?",
    "Which Christmas markets were cancelled?",
    "Who starred in Christmas with the Kranks?",
    "What did the King say in his Christmas message?",
    "Which stores opened on MLK Boulevard?",
    "What does the Labour Day Act say about overtime?",
    "What happened at the Labour Day rally?",
    "What did Ramadan Kadyrov say about Ukraine?",
    "Who acted on Ramadan Kadyrov's orders?",
    "Who sent Eid Mubarak messages to the troops?",
    "Who fought in the Yom Kippur War?",
    "Who died during the Yom Kippur War?",
    "Which Passover traditions changed?",
])
def test_names_holding_festival_words_are_no_windows(question: str) -> None:
    assert understand(question, APR) is None


def test_festival_phrase_names_only_the_time() -> None:
    w = understand("What did the president say at the White House Passover Seder?", APR)
    assert w is not None and w.phrase == "Passover Seder" and (w.start, w.end) == (D("2025-04-12"), D("2025-04-13"))
    w = understand("What did Ramadan Kadyrov say during Ramadan?", APR)
    assert w is not None and w.phrase == "during Ramadan"


def test_the_festival_tables_load_only_when_a_festival_is_named() -> None:
    # the holidays package's tables cost ~80 ms to import: a question naming no festival must not pay it
    import subprocess
    import sys

    code = ("import sys; from datetime import date; from rag.timewindow import understand; "
            "understand('What happened on Easter Sunday?', date(2025, 4, 25)); a = 'holidays' in sys.modules; "
            "understand('What happened during Ramadan?', date(2025, 4, 25)); print(a, 'holidays' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.split() == ["False", "True"]
