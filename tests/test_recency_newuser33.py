"""New user 33's winter-storm tolls (Buffalo, December 2022): "another report" that was no report.

1. "How many people have died in the winter storm so far?" (as of 2022-12-29) gave "As of 26 December, Dozens of
   Americans have died ... [1]; another report of the same day said 23 [5]": [1] and [5] were two chunks of one
   article, and 23 the toll of the 1977 blizzard it recalls ("The death toll in that storm was 23 people").
2. A count word opening the newest sentence stayed capitalised after "As of 26 December,".
(Left open: "29 who died were in the city of Buffalo", another article's part of Erie County's 37, is still told as
"another report of the same day".)
"""

from __future__ import annotations

from datetime import date

from index.chunk import split_sentences
from rag.evidence import prepare
from rag.recency import Disagreement, Mention, compose, find_disagreement
from rag.types import Passage


def _p(n: int, aid: str, published: str, text: str) -> Passage:
    return Passage(n, f"{aid}:{n}", aid, "Buffalo blizzard", f"https://{aid}.example/story", published, 1.0, text, 0,
                   len(text), tuple(split_sentences(text)))


ERIE = ("At least 37 people have died in Erie County, officials said Wednesday. "
        "Of those, 29 who died were in the city of Buffalo, officials said.")


DOZENS = ("Dozens of Americans have died as a winter storm brought frigid temperatures and paralyzing snowfall totals "
          "across the US, and officials in the Buffalo area believe the staggering toll will continue to grow there.")
HISTORY = ("The storm drew comparisons to the Blizzard of 1977, which left the Buffalo area buried. "
           "The death toll in that storm was 23 people, 22 of whom died in Erie County.")


def test_two_chunks_of_one_article_are_not_two_reports() -> None:
    """The words of new user 33's answer (two chunks of one CNN article of 26 December, cited [1] and [5])."""
    q = prepare("How many people have died in the winter storm so far?")
    found = find_disagreement(DOZENS, 1, [_p(1, "cnn", "2022-12-26", DOZENS), _p(5, "cnn", "2022-12-26", HISTORY)],
                              "Dozens", date(2022, 12, 29), q)
    assert found is None


def test_another_articles_lower_toll_of_the_same_day_is_still_told() -> None:
    """Control: two articles of one day, the higher toll is the newer; the lower is "another report"."""
    other = _p(2, "wire", "2022-12-28", "At least 31 people have died in Erie County, officials said Wednesday.")
    found = find_disagreement("At least 37 people have died in Erie County, officials said Wednesday.",
                              1, [_p(1, "erie", "2022-12-28", ERIE), other], "at least 37 people")
    assert found is not None and (found.newest.passage.n, found.earlier.value) == (1, "31")
    assert "another report of the same day said 31 [2]" in compose(found, date(2022, 12, 29))


def test_a_toll_of_that_storm_is_another_events() -> None:
    """"The death toll in that storm was 23 people" (another article recalling 1977) is no earlier report of this
    storm's toll."""
    found = find_disagreement("At least 37 people have died in Erie County, officials said Wednesday.", 1,
                              [_p(1, "erie", "2022-12-28", ERIE), _p(2, "history", "2022-12-26", HISTORY)],
                              "At least 37 people")
    assert found is None


def test_a_count_word_opening_the_newest_sentence_is_lower_case_after_as_of() -> None:
    late = _p(1, "cnn", "2022-12-26", "Dozens of Americans have died in the storm, officials said.")
    early = _p(2, "wire", "2022-12-25", "At least 17 Americans have died in the storm, officials said.")
    d = Disagreement(newest=Mention(late, date(2022, 12, 26), late.text, (0, len(late.text)), "Dozens", "dozens"),
                     earlier=Mention(early, date(2022, 12, 25), early.text, (0, len(early.text)), "17", "17"))
    assert compose(d, date(2022, 12, 27)) == ("As of 26 December, dozens of Americans have died in the storm, officials "
                                              "said [1]; an earlier report said 17 [2].")
