"""New user 30: sentences quoted as evidence that state no news.

1. a related-story teaser labelled by a quotation ("'No one has ever seen one on Cape Cod':Rare bird sighting a
   sensation in Massachusetts") was quoted in an answer: ``rag.text.is_link_line`` took a label of at most 8 words;
2. a catch-up on Title 42 told a story by a newsletter's run-in subheading ("Judge ends Title 42.") and another by a
   sentence telling no event ("The future of Title 42 ... remains in limbo for now.");
3. "What happened this week?" told a story by its empty opening ("WASHINGTON – The votes had been counted.");
4. a PDF's first line, a headline cut short ("Bob Iger named Disney CEO again, replacing Bob Chapek and"), was
   quoted as a sentence of evidence. A brief tells no story by such a line when it has another; an answer still
   may: left out of the answer's candidates, the Disney question's bold answer became **Susan Arnold** ("Disney
   board chair Susan Arnold thanked Chapek ..."), a wrong name where the cut headline gave the right one.

Unit tests on the exact sentences, then the whole pipeline over a small store (the HashEmbedder stands in for the
model)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

import rag.brief
import rag.text
from rag.api import RAG
from rag.boilerplate import looks_like_boilerplate
from rag.brief import brief, digest, is_event_sentence, lead_sentence
from rag.evidence import not_a_statement
from rag.settings import Settings
from rag.text import is_link_line, split_sentences
from tests.test_brief_newuser8 import dated_rag

TEASER = "'No one has ever seen one on Cape Cod':Rare bird sighting a sensation in Massachusetts"
HEADING = "Judge ends Title 42."
HEADED = ("A federal judge on Tuesday ended a Trump-era Covid-19 policy, which had been maintained by the Biden "
          "administration, to expel many border crossers from the country.")
LIMBO = "The future of Title 42, and the situation at the US-Mexico border, remains in limbo for now."
STEPPED_IN = ("The high court stepped in days before Title 42 was set to end earlier this month after an emergency "
              "appeal filed by a group of Republican-led states.")
OPENING = "WASHINGTON – The votes had been counted."
PARDON = ("And the results are in: Chocolate and Chip, the National Thanksgiving Turkey and its alternate, received "
          "a pardon.")
TURKEY_TITLE = "President Biden pardons Thanksgiving turkeys Chocolate and Chip"
CUT = "Bob Iger named Disney CEO again, replacing Bob Chapek and"

NEWSLETTER = ("A version of this story appears in CNN’s What Matters newsletter.\n\n"
              "America’s duct-taped immigration policy is about to be ripped in yet another direction.\n\n"
              f"{HEADING} {HEADED} In response to a request from the administration, the judge stayed his ruling "
              "Wednesday for five weeks to allow the administration to prepare.\n\n"
              "The DC judge, Emmet Sullivan, called that policy “arbitrary and capricious” and said it was flawed "
              "from the get-go.")
EXPLAINER = ("This story has been updated. An earlier version was published in November.\n\n"
             f"{LIMBO}\n\n"
             "The Supreme Court said Tuesday that the controversial Trump-era border restriction will remain in "
             "effect while legal challenges play out.\n\n"
             f"{STEPPED_IN}\n\n"
             "That means the public health restrictions remain in effect – for now – as the court weighs arguments "
             "from the states.")
# a story naming the topic only in a run-in heading that heads no statement: still listed, by the heading
ONLY_HEADING = "Title 42 ends next week."
ROUNDUP = ("Readers wrote to us about the border all week, and we answered the most common of their questions.\n\n"
           f"{ONLY_HEADING} What happens to the shelters in El Paso then?\n\n"
           "Shelter staff in El Paso said they had room for two hundred more people.")
TURKEY = (f"{OPENING} There was no “ballot stuffing” or “foul play,” President Joe Biden said Monday. And for the "
          "president, the only “red wave” he thinks will happen on Thanksgiving is if his German shepherd, Commander, "
          "knocks over the cranberry sauce.\n\n"
          f"{PARDON}\n\n"
          "Biden in a ceremony Monday on the South Lawn pardoned the two turkeys.")
DISNEY = (f"{CUT}\n"
          "New York CNN Business -\n"
          "Bob Iger, one of the most successful CEOs in the history of The Walt Disney Company, is returning to once "
          "again run the media empire. It's a shocking development at Hollywood's biggest company.\n"
          "Bob Chapek, who replaced Iger in 2020 as CEO, is stepping down immediately.")
BIRD = ("The black-naped pheasant-pigeon had not been seen by researchers in 140 years. A camera trap on Fergusson "
        "Island, off the coast of Papua New Guinea, photographed the bird in September.\n\n"
        f"{TEASER}\n\n"
        "Not much is known about the black-naped pheasant-pigeon, which is listed as critically endangered.")


# --- 1. a teaser labelled by a quotation -------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    TEASER,
    "'Did I just put my marriage on the line?':John Krasinski recounts the scariest scene in 'Quiet Place II'",
    "►'Everything was so confusing':48 people test positive for COVID on a cruise ship",
    "Worried about the time you spend on a screen?:Here are tips to help limit your screen time.",
    "How do you grow a giant pumpkin?:75 gallons of water daily, NY man says",  # new user 26's, still one
])
def test_a_teaser_labelled_by_a_quotation_or_a_question_is_a_link_line(line: str) -> None:
    assert is_link_line(line) and not_a_statement(line)


@pytest.mark.parametrize("line", [
    "'No one has ever seen one on Cape Cod,' said the warden: Rare birds draw crowds.",  # a space after the colon
    "“We will rebuild,” she said on Monday.",
    "'It is over': the strike ended at noon.",
    "Kickoff is at 7:30 pm on Sunday.",
    "The vote was 12:3 in favour.",
])
def test_prose_with_quotes_and_colons_is_no_link_line(line: str) -> None:
    assert not is_link_line(line)


# --- 2. a run-in subheading, a sentence telling no event -------------------------------------------------------

def test_a_run_in_subheading_is_told_by_the_sentence_it_heads() -> None:
    text = NEWSLETTER
    a = text.index(HEADING)
    assert rag.brief._run_in_heading(text, a, a + len(HEADING))
    assert is_event_sentence(HEADING)  # a sentence by its shape: the heading's place on its line tells it
    b = text.index(HEADED)
    assert not rag.brief._run_in_heading(text, b, b + len(HEADED))
    lone = "Border news.\nJudge ends Title 42.\nA federal judge on Tuesday ended the policy."
    assert not rag.brief._run_in_heading(lone, 13, 33)  # a line of its own: ``is_event_sentence`` reads it


def test_a_sentence_telling_no_event_is_told_apart() -> None:
    assert not rag.brief.states_event(LIMBO)
    assert rag.brief.states_event(STEPPED_IN) and rag.brief.states_event(HEADED)


# --- 3. an empty opening -----------------------------------------------------------------------------------------

def test_a_dateline_and_next_to_nothing_is_an_empty_opening() -> None:
    assert rag.text.empty_opening(OPENING, TURKEY_TITLE) and rag.text.empty_opening(OPENING)
    assert not rag.text.empty_opening("LONDON – Queen Elizabeth II has died.", "Queen Elizabeth II dies at 96")
    assert not rag.text.empty_opening("WASHINGTON – Joe Biden pardoned two turkeys on Monday.", TURKEY_TITLE)
    assert not rag.text.empty_opening("The votes had been counted.", TURKEY_TITLE)  # a short lead can be news


def test_an_empty_opening_gives_way_to_the_sentence_naming_the_story() -> None:
    spans = tuple(split_sentences(TURKEY))
    a, b = lead_sentence(TURKEY, 0, spans, title=TURKEY_TITLE)
    assert TURKEY[a:b] == PARDON
    # without a title, the next sentence; with no sentence after it, the opening stays
    a, b = lead_sentence(TURKEY, 0, spans)
    assert TURKEY[a:b].startswith("There was no “ballot stuffing”")
    assert lead_sentence(OPENING, 0, ((0, len(OPENING)),), title=TURKEY_TITLE) == (0, len(OPENING))


# --- 4. a line cut short -----------------------------------------------------------------------------------------

def test_a_headline_cut_short_is_told() -> None:
    assert rag.text.is_cut_line(CUT)
    assert not looks_like_boilerplate(CUT)  # a brief tells a story by it when it has no other sentence
    for whole in ("Bob Iger returns as Disney CEO", "The strike is over", "Biden weighs in",
                  "Bob Iger named Disney CEO again, replacing Bob Chapek.", "Rock and roll"):
        assert not rag.text.is_cut_line(whole), whole


# --- the pipeline --------------------------------------------------------------------------------------------------

ROWS = [
    ("2022-11-16", "US-Mexico border 'invasion' declaration panned as PR stunt", NEWSLETTER),
    ("2022-11-16", "What is Title 42, and what happens now that a federal judge has", EXPLAINER),
    ("2022-11-15", "Border mailbag", ROUNDUP),
    ("2022-11-21", TURKEY_TITLE, TURKEY),
    ("2022-11-20", "Bob Iger named Disney CEO again, replacing Bob Chapek and", DISNEY),
    ("2022-11-20", "This bird hadn't been seen by researchers in over 140 years", BIRD),
    ("2022-11-14", "Harbour reopens", "The harbour of Port Alder reopened on Monday after repairs to the pier."),
]


@pytest.fixture
def news(settings: Settings) -> Iterator[RAG]:
    with dated_rag(settings, ROWS) as rag:
        yield rag


def test_a_brief_tells_each_story_by_a_sentence_stating_its_news(news: RAG) -> None:
    told = {e.citation.title: e.text for e in brief(news, "Title 42", since="2022-11-11", until="2022-11-17").events}
    assert told["US-Mexico border 'invasion' declaration panned as PR stunt"] == HEADED
    assert told["What is Title 42, and what happens now that a federal judge has"] == STEPPED_IN
    assert told["Border mailbag"] == ONLY_HEADING  # no other sentence of it names the topic: the story stays


def test_a_catch_up_quotes_no_subheading_and_no_empty_sentence(news: RAG) -> None:
    answer = news.ask("What is the latest on Title 42?", as_of=date(2022, 11, 17), offline=True)
    assert "Judge ends Title 42 [" not in answer.text and "limbo" not in answer.text, answer.text
    assert "A federal judge on Tuesday ended a Trump-era Covid-19 policy" in answer.text


def test_this_weeks_digest_tells_a_story_past_its_empty_opening(news: RAG) -> None:
    [event] = [e for e in digest(news, since=date(2022, 11, 21), until=date(2022, 11, 21)).events]
    assert event.text == PARDON
    answer = news.ask("What happened this week?", as_of=date(2022, 11, 21), offline=True)
    assert "The votes had been counted" not in answer.text and "received a pardon" in answer.text, answer.text


def test_an_answer_quotes_no_teaser(news: RAG) -> None:
    question, unquoted = "On which island was the rare pheasant-pigeon photographed again after 140 years?", "Cape Cod"
    answer = news.ask(question, offline=True)
    assert answer.citations, answer.text  # answered, from the article's sentences
    assert unquoted not in answer.text and all(unquoted not in c.quote for c in answer.citations), answer.text
