"""New user 9's "What happened this week?": newest first by the date shown, and a headline told as a
story ends before the next one. Real embedded Chroma and pipeline; the HashEmbedder stands in for the model."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from index.collection import Collection
from index.types import Article
from rag.api import RAG, _marked
from rag.brief import digest
from rag.settings import Settings
from tests.fakes import HashEmbedder

MARKET = ("The Kelso farmers' market opened on Saturday with {n} stalls selling vegetables, cheese and bread from "
          "the valley farms. Organisers said the market would run every week until the end of October, and that "
          "local growers had asked for more space near the square. The council agreed to close the high street "
          "to traffic during the market hours, and the bus stop will move to the bridge end for the season.")


def test_a_story_told_by_its_earliest_version_is_listed_by_that_versions_day(tmp_path: Path) -> None:
    """Three days of one market report (one story, told by its earliest version, of 11 March) and a bridge
    story of 12 March: listed as of the market's newest day, the answer read "11 March, 12 March, 11 March"
    under "newest first"."""
    arts = [Article(source=f"https://kelso.example/market-{d}", title=f"Kelso market news {d}",
                    text=MARKET.format(n=20 + d), published=date(2025, 3, d)) for d in (11, 12, 13)]
    arts.append(Article(source="https://kelso.example/bridge", title="Kelso bridge closed for inspection",
                        text="Kelso bridge closed for inspection\n\nEngineers will inspect the old stone arches for "
                             "six weeks, and drivers must use the bypass until the work is done.",
                        published=date(2025, 3, 12)))
    with Collection.open(Settings(home=tmp_path, collection="kelso"), embedder=HashEmbedder()) as coll:
        coll.ingest_articles(arts)
        rag = RAG(coll.settings, collection=coll)
        told = digest(rag, since=date(2025, 3, 10), until=date(2025, 3, 14))
        answer = rag.ask("What happened this week?", as_of=date(2025, 3, 14), offline=True)
    assert told.total == 2  # the market's three days are one story
    assert [e.published for e in told.events] == ["2025-03-11", "2025-03-12"]  # oldest first, by the day told
    days = [int(d) for d in re.findall(r"(\d+) March:", answer.text)]
    assert days == [12, 11], answer.text  # newest first, as the notice says
    assert "newest first" in answer.notices[0]


def test_a_marker_goes_before_a_stop_and_a_sentence_without_one_gets_one() -> None:
    assert _marked("Rebels took the town.", 2) == "Rebels took the town [2]."
    assert _marked("Kelso bridge closed for inspection", 1) == "Kelso bridge closed for inspection [1]."
    assert _marked("Will the bridge reopen?", 3) == "Will the bridge reopen? [3]"
    assert _marked('"We will rebuild."', 4) == '"We will rebuild." [4]'
