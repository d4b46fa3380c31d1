"""New user 12's timeline (report defect 4): ``rag brief "Hurricane Ian"`` over 27 September .. 12 October
did not list the 5 October story that 4 .. 12 October listed, and said nothing. A brief read a period
slice by slice, each slice's ``DEPTH`` best passages; a busy week filled them and stories were cut,
so what was listed depended on where the slices began. Every passage naming the topic in the period
is read now (``rag.brief.NAMING_READ`` at a time, a busier period halved down to a day), and a day
naming it in more passages than that says it may be incomplete (``Brief.incomplete``).

Real store and pipeline; the HashEmbedder stands in for the model. Retrieval's depth is lowered
(``depth=``, ``DEPTH``) so that a week of eight stories fills it, as a week of Hurricane Ian's
stories filled 40 passages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

import rag.brief
from rag.api import RAG
from rag.brief import Brief, brief
from rag.settings import Settings
from tests.test_brief_newuser8 import dated_rag

# eight stories about the storm in one week, none a version of another, and unrelated ones between them
STORIES = [
    ("2022-10-03", "Storm Zelda reaches the coast", "Storm Zelda made landfall near Port Alder on Monday with winds "
     "of 150 kilometres an hour. Thousands of people had left the town the day before."),
    ("2022-10-03", "Ferries stop as Zelda nears", "All ferries to the islands were cancelled on Monday as Storm "
     "Zelda approached. The harbour master said boats would stay in port until Wednesday."),
    ("2022-10-04", "Power cut for 80,000 homes", "Storm Zelda left 80,000 homes without electricity on Tuesday, the "
     "grid operator said. Crews from three regions were sent to repair the lines."),
    ("2022-10-04", "Schools closed after the storm", "Every school in the county stayed closed on Tuesday after "
     "Storm Zelda flooded classrooms. Teachers were asked to set lessons online."),
    ("2022-10-05", "Farmers count the cost", "Storm Zelda destroyed most of the apple harvest in the valley, farmers "
     "said on Wednesday. Their union asked the ministry for emergency loans."),
    ("2022-10-06", "Zelda's death toll rises to twelve", "The death toll from Storm Zelda rose to twelve on Thursday "
     "as rescuers reached villages cut off by landslides."),
    ("2022-10-07", "Insurers brace for claims", "Insurers expect claims from Storm Zelda to pass two billion euros, "
     "an industry group said on Friday. Most of the damage is to roofs and cars."),
    ("2022-10-09", "Bridge to reopen after Zelda", "The bridge over the estuary, closed since Storm Zelda damaged "
     "its supports, will reopen on Monday, engineers said on Sunday."),
]
OTHER = [
    ("2022-10-03", "Cup final tickets sold out", "Tickets for the cup final sold out within an hour on Monday."),
    ("2022-10-05", "New museum wing opens", "The city museum opened its new wing of modern art on Wednesday."),
    ("2022-10-06", "Rail strike called off", "The rail union called off Friday's strike after talks overnight."),
]
WEEK = (date(2022, 10, 3), date(2022, 10, 9))


@pytest.fixture
def storm(settings: Settings) -> Iterator[RAG]:
    with dated_rag(settings, STORIES + OTHER) as rag:
        yield rag


def listed(b: Brief) -> set[str]:
    """The titles of the stories ``b`` lists (its cited article's, and the other versions')."""
    return {t for e in b.events for t in (e.citation.title, *e.also_in)}


def test_a_wider_period_lists_every_story_a_narrower_one_does(storm: RAG) -> None:
    # retrieval reads 3 passages a slice here, as 40 a slice for the user's Hurricane Ian: the week
    # listed 3 of its 8 stories, and 3 .. 4 October not the 4 October power cut that 4 October listed
    depth = 3
    days = [WEEK[0] + timedelta(days=i) for i in range(7)]
    periods = [(a, b) for a in days for b in days if a <= b] + [(date(2022, 9, 20), date(2022, 10, 12))]
    got = {p: listed(brief(storm, "Storm Zelda", since=p[0], until=p[1], depth=depth)) for p in periods}
    for (a, b), stories in got.items():
        for (c, d), inner in got.items():
            if a <= c and d <= b:
                assert inner <= stories, f"{a} .. {b} lost {inner - stories} that {c} .. {d} lists"
    assert got[WEEK] == {t for _, t, _ in STORIES}  # every story naming it, none of the others
    assert not brief(storm, "Storm Zelda", since=WEEK[0], until=WEEK[1], depth=depth).incomplete


def test_catch_up_questions_count_every_story_of_their_period(storm: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    # ``ask`` answers "What happened with ... this week?" from ``brief``: its count was of the stories
    # retrieval happened to read
    monkeypatch.setattr(rag.brief, "DEPTH", 3)
    answer = storm.ask("What happened with Storm Zelda this week?", as_of=date(2022, 10, 9))
    assert [c.published for c in answer.citations] == ["2022-10-09", "2022-10-07", "2022-10-06"]
    assert any("8 stories in all" in n for n in answer.notices), answer.notices


def test_a_day_naming_the_topic_more_than_a_brief_reads_says_it_may_be_incomplete(
        storm: RAG, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # 3 and 4 October name the storm in two passages each (one per story), the other days in one:
    # a brief reading 1 at a time halves the week down to single days, and 3 and 4 October are still full
    monkeypatch.setattr(rag.brief, "NAMING_READ", 1)
    with caplog.at_level(logging.WARNING, logger="rag.brief"):
        b = brief(storm, "Storm Zelda", since=WEEK[0], until=WEEK[1], depth=3)
    assert b.incomplete.startswith("Stories about “Storm Zelda” published 2022-10-03 .. 2022-10-04 may be "
                                   "missing"), b.incomplete
    assert "more words" in b.incomplete and "fewer sources" in b.incomplete  # how to narrow it
    assert "2022-10-05" not in b.incomplete and b.notice == ""  # the events are still listed
    assert {t for d, t, _ in STORIES if d >= "2022-10-05"} <= listed(b)
    assert any(r.getMessage() == b.incomplete for r in caplog.records)  # said in the log as well
    # a single day read whole is complete, and so is a period without the full days
    monkeypatch.setattr(rag.brief, "NAMING_READ", 2)
    assert not brief(storm, "Storm Zelda", since=date(2022, 10, 3), until=date(2022, 10, 3), depth=1).incomplete
    assert not brief(storm, "Storm Zelda", since=date(2022, 10, 5), until=WEEK[1], depth=1).incomplete
    assert listed(brief(storm, "Storm Zelda", since=date(2022, 10, 3), until=date(2022, 10, 3), depth=1)) == {
        "Storm Zelda reaches the coast", "Ferries stop as Zelda nears"}


def test_a_period_naming_the_topic_more_than_a_brief_reads_in_all_says_it_may_be_incomplete(
        storm: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    # the passages read besides retrieval's are bounded in all (``NAMING_BUDGET``): past it, the periods
    # left unread are said, with a shorter period among the ways to list them all
    monkeypatch.setattr(rag.brief, "NAMING_BUDGET", 2)
    b = brief(storm, "Storm Zelda", since=WEEK[0], until=WEEK[1], depth=1)
    assert b.incomplete.startswith("Stories about “Storm Zelda” published 2022-10-03 .. 2022-10-09 may be "
                                   "missing"), b.incomplete
    assert "give a shorter period" in b.incomplete and len(b.events) >= 3  # retrieval's and the 2 read
    monkeypatch.setattr(rag.brief, "NAMING_BUDGET", 8)
    assert not brief(storm, "Storm Zelda", since=WEEK[0], until=WEEK[1], depth=1).incomplete


def test_every_surface_says_a_timeline_may_be_incomplete(storm: RAG, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Brief.incomplete`` reached the log only: the CLI's text and JSON, the UI's timeline and its
    export, and a catch-up answer's notices say it now, beside the events (which stay listed)."""
    import json

    from rag.brief import brief_json
    from ui.export import brief_json as page_json
    from ui.export import timeline_text
    from ui.timeline import timeline_html

    monkeypatch.setattr(rag.brief, "NAMING_READ", 1)
    b = brief(storm, "Storm Zelda", since=WEEK[0], until=WEEK[1], depth=3)
    assert b.incomplete and b.events
    assert brief_json(b)["incomplete"] == b.incomplete == page_json(b)["incomplete"]
    assert json.loads(json.dumps(brief_json(b)))["events"]  # the events too
    assert b.incomplete in timeline_text(b)
    page = timeline_html(b)
    assert "may be missing" in page and "Storm Zelda reaches the coast" in page  # the notice, and the events
    monkeypatch.setattr(rag.brief, "DEPTH", 3)
    answer = storm.ask("What happened with Storm Zelda this week?", as_of=date(2022, 10, 9))
    assert any(n.startswith("Stories about “Storm Zelda”") and "may be missing" in n for n in answer.notices), \
        answer.notices
    complete = brief(storm, "Storm Zelda", since=date(2022, 10, 5), until=WEEK[1], depth=1)
    assert brief_json(complete)["incomplete"] is None and "may be missing" not in timeline_html(complete)
