"""News catch-up and a large collection, as a new user met them on 3,359 dated RealTime QA articles
(one 25 MB JSON-lines dump): what went wrong there, on small synthetic corpora.

The commands run in-process (CliRunner) on a real store with the HashEmbedder standing in for the
model, as tests/test_cli_ingest.py does."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.brief import parse_since
from rag.cli import app
from rag.settings import Settings
from tests.corpus import _WORDS, article_text
from tests.fakes import HashEmbedder, cli_on


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    cli_on(monkeypatch, settings, COLUMNS="200")
    return settings


def run(*args: str):  # noqa: ANN201 - click.testing.Result
    return CliRunner().invoke(app, list(args))


def write_dump(path: Path, n: int, *, start: int = 0, day: str = "2022-09-0{}") -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(start, start + n):
            title, body = article_text(i)
            f.write(json.dumps({"title": title, "text": body, "url": f"https://news.example/{i}",
                                "date": day.format(1 + i % 9)}) + "\n")
            f.write("\n" if i % 3 == 0 else "")  # blank lines are no records
    return path


# --- progress of a dump ---------------------------------------------------------------------------


def test_the_progress_total_of_a_dump_counts_its_records(tmp_path: Path) -> None:
    # one 3,359-line dump showed "0/1", then "7/7", "89/89": a bar always full, no idea how far along
    from rag.cli.ingest import expected_items

    dump = write_dump(tmp_path / "news.jsonl", 12)
    (tmp_path / "a.txt").write_text("Title\n\nSome text.\n", encoding="utf-8")
    csv_dump = tmp_path / "news.csv"
    csv_dump.write_text('title,text\nOne,"first\nbody"\nTwo,second\n\n', encoding="utf-8")
    assert expected_items([str(dump)], 20) == 12
    assert expected_items([str(dump), str(tmp_path / "a.txt"), str(csv_dump)], 20) == 12 + 1 + 2
    assert expected_items([str(dump)], 0.000001) == 1  # too large to load: one failed item
    assert expected_items([str(tmp_path / "missing.jsonl"), "https://x.example/feed.jsonl"], 20) == 2


def test_rag_ingest_of_a_dump_counts_to_its_records(env: Settings, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import rich.progress

    totals: list[float | None] = []
    add_task = rich.progress.Progress.add_task

    def recorded(self, description, *args, total=100.0, **kwargs):  # noqa: ANN001, ANN202
        totals.append(total)  # what the bar counts to from its first frame
        return add_task(self, description, *args, total=total, **kwargs)

    monkeypatch.setattr(rich.progress.Progress, "add_task", recorded)
    dump = write_dump(tmp_path / "news.jsonl", 10)
    res = run("ingest", str(dump))
    assert res.exit_code == 0, res.output
    assert totals == [10] and "10/10" in res.output


# --- rag brief: periods ---------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["999999d", "5000y", "1000000w", "99999999999y"])
def test_a_period_longer_than_the_calendar_means_everything_up_to_as_of(period: str) -> None:
    # `rag brief X --since 5000y` was a traceback (OverflowError: date value out of range)
    assert parse_since(period, date(2023, 1, 1)) is None


def test_rag_brief_since_far_back_lists_every_dated_story(env: Settings, tmp_path: Path) -> None:
    run("ingest", str(write_dump(tmp_path / "news.jsonl", 6)))
    res = run("brief", "harbour", "--since", "9999y", "--as-of", "2022-09-30", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["since"] is None and data["until"] == "2022-09-30"
    assert len(data["events"]) == 6


# --- "What happened this week?": each story by its opening sentence -------------------------------

# how real wire and web copy opens (RealTime QA: CNN, USA Today/AP): a dateline, an outlet, a byline
# on a line of its own, before the sentence that tells the story
OPENINGS = [
    ("2022-09-14", "Power outages spiked", "CNN —\n\nPower outages have risen sharply over the past ten years, "
     "a new analysis of federal data shows. Storms caused most of them."),
    ("2022-09-14", "Mariners beat Padres", "AP\n\nJulio Rodriguez hit a two-run homer as the Mariners beat the "
     "Padres 6-1 on Wednesday night. The rookie reached 25 steals."),
    ("2022-09-13", "BTS military service", "Hyung-Jin Kim\n\nSouth Korea may survey the public on whether the "
     "members of BTS should be exempt from military service, the defence minister said."),
    ("2022-09-12", "Columbia data", "CNN Business —\n\nColumbia University admitted that it had submitted "
     "inaccurate data for the college rankings of US News. It will not take part this year."),
]


@contextmanager
def dated_rag(settings: Settings, rows: Sequence[tuple[str, str, str]], folder: str = "/news"):  # noqa: ANN201
    """A RAG over articles (published "YYYY-MM-DD", title, text), stored as ``folder/<i>.txt`` with
    the HashEmbedder; closed on the way out."""
    from index.collection import Collection
    from index.types import Article
    from rag.api import RAG

    with Collection.open(settings, embedder=HashEmbedder()) as coll:
        coll.ingest_articles([Article(source=f"{folder}/{i}.txt", title=t, text=b, published=date.fromisoformat(d))
                              for i, (d, t, b) in enumerate(rows)])
        yield RAG(settings, collection=coll)


@pytest.fixture
def news(settings: Settings):  # noqa: ANN201 - rag.api.RAG
    with dated_rag(settings, OPENINGS) as rag:
        yield rag


def test_a_story_is_told_by_its_first_sentence_not_its_dateline_or_byline(news) -> None:  # noqa: ANN001
    # "What happened this week?" on RealTime QA told two of three stories as "AP [2]" and "CNN — [3]"
    from rag.brief import digest

    got = digest(news, since=date(2022, 9, 12), until=date(2022, 9, 14))
    assert [e.published for e in got.events] == ["2022-09-12", "2022-09-13", "2022-09-14", "2022-09-14"]
    quotes = {e.text: e.published for e in got.events}
    assert sorted(quotes) == sorted([
        "Columbia University admitted that it had submitted inaccurate data for the college rankings of US News.",
        "South Korea may survey the public on whether the members of BTS should be exempt from military service, "
        "the defence minister said.",
        "Julio Rodriguez hit a two-run homer as the Mariners beat the Padres 6-1 on Wednesday night.",
        "Power outages have risen sharply over the past ten years, a new analysis of federal data shows."])
    for e in got.events:
        assert news.store.article_text(e.citation.article_id)[e.citation.start : e.citation.end] == e.text
    answer = news.ask("What happened this week?", as_of=date(2022, 9, 14))
    assert "AP [" not in answer.text and "CNN —" not in answer.text and "Hyung-Jin Kim [" not in answer.text
    assert sorted(quotes[c.quote] for c in answer.citations) == ["2022-09-13", "2022-09-14", "2022-09-14"]


# --- rag list on thousands of articles --------------------------------------------------------------


def test_rag_list_pages_and_counts_what_the_search_matches(env: Settings, tmp_path: Path) -> None:
    # with 3,359 articles `rag list Trump --limit 5` said "5 shown of 3359 articles": not how many
    # matched, nor how to see the rest (there was no --offset)
    run("ingest", str(write_dump(tmp_path / "news.jsonl", 7)))
    titles = [article_text(i)[0] for i in range(7)]

    def shown(res) -> list[str]:  # noqa: ANN001
        return [t for t in titles if t in res.stdout]

    first = run("list", "--limit", "3")
    assert first.exit_code == 0, first.output
    assert "1-3 shown of 7 articles" in first.stdout and "next: rag list --limit 3 --offset 3" in first.stdout
    second, last = run("list", "--limit", "3", "--offset", "3"), run("list", "--limit", "3", "--offset", "6")
    assert "4-6 shown of 7" in second.stdout and "7-7 shown of 7" in last.stdout and "next:" not in last.stdout
    pages = shown(first) + shown(second) + shown(last)
    assert sorted(pages) == sorted(titles)  # every article once, across the pages
    story = run("list", "Story", "--limit", "2")
    assert "1-2 shown of 7 whose title or source contains 'Story' (7 articles" in story.stdout
    one = run("list", titles[4])
    assert shown(one) == [titles[4]] and "1 of 7 articles" in one.stdout


def test_rag_list_search_is_literal(env: Settings, tmp_path: Path) -> None:
    dump = tmp_path / "odd.jsonl"
    dump.write_text("\n".join(json.dumps({"title": t, "text": f"{t} happened today in the town."})
                              for t in ("Prices up 50% in a year", "Prices up 50 cents", "Rate_cut expected"))
                    + "\n", encoding="utf-8")
    run("ingest", str(dump))
    got = run("list", "50%")
    assert "50% in a year" in got.stdout and "50 cents" not in got.stdout
    assert "Rate_cut" in run("list", "_cut").stdout and "no article's title" in run("list", "Prices_up").stdout


def test_rag_brief_counts_one_story_in_the_singular(env: Settings, tmp_path: Path) -> None:
    run("ingest", str(write_dump(tmp_path / "news.jsonl", 6)))
    res = run("brief", "Town3", "--since", "30d", "--as-of", "2022-09-30")
    assert res.exit_code == 0, res.output
    assert "Town3: 1 story, 2022-09-01 .. 2022-09-30" in res.output  # was "1 stories"


# --- rag brief over a month of a busy topic -----------------------------------------------------------


def test_a_month_brief_tells_every_story_not_the_dozen_retrieval_keeps(settings: Settings) -> None:
    # `rag brief Trump --since 30d` on RealTime QA listed 13 stories: retrieval keeps 40 passages, 3
    # per story, so 5 of the month's 13 stories with Trump in their title were left out, unsaid
    from index.collection import Collection
    from index.types import Article
    from rag.api import RAG
    from rag.brief import brief

    arts = []
    for day in range(1, 31):
        rng = random.Random(day)  # each day its own words: no two reports are near-copies of one story
        lead = f"The Zembla harbour council met on day {day} to discuss the works."
        body = " ".join(f"Zembla harbour {' '.join(rng.choice(_WORDS) for _ in range(12))} on day {day}."
                        for _ in range(24))
        arts.append(Article(source=f"/news/{day}.txt", title=f"Harbour report {day}", text=f"{lead} {body}",
                            published=date(2022, 9, day)))
    with Collection.open(settings, embedder=HashEmbedder()) as coll:
        coll.ingest_articles(arts)
        assert all(a.n_chunks >= 3 for a in coll.db.list_articles())  # more passages than retrieval keeps
        got = brief(RAG(settings, collection=coll), "Zembla harbour", since=date(2022, 9, 1), until=date(2022, 9, 30))
    assert [e.published for e in got.events] == [f"2022-09-{d:02d}" for d in range(1, 31)]
    assert [e.citation.title for e in got.events] == [f"Harbour report {d}" for d in range(1, 31)]


# --- rag brief on a topic in another script -------------------------------------------------------


def test_a_topic_in_another_script_finds_its_stories(settings: Settings) -> None:
    # `rag brief "Зеленский"` had no story ever: the topic's words are read as Latin letters only
    # ("Зеленский" has no word), so no sentence could name it
    from rag.brief import brief

    ru = [("2022-09-05", "Визит в Киев", "Зеленский встретился с премьер-министром в Киеве в понедельник. "
           "Они обсудили поставки оружия и энергетику."),
          ("2022-09-07", "Обращение", "Вечером Зеленский выступил с обращением к нации. Он поблагодарил "
           "военных за наступление на востоке страны."),
          ("2022-09-06", "Погода в Москве", "В Москве ожидается дождь и сильный ветер. Температура упадёт до "
           "восьми градусов."),
          ("2022-09-06", "Harbour news", "The harbour of Zembla reopened on Tuesday after repairs. Ferries run again.")]
    with dated_rag(settings, ru, "/ru") as rag:
        got = brief(rag, "Зеленский", since=date(2022, 9, 1), until=date(2022, 9, 7))
        assert [e.published for e in got.events] == ["2022-09-05", "2022-09-07"]  # not the Moscow weather
        assert got.events[0].text.startswith("Зеленский встретился с премьер-министром в Киеве")
        assert got.events[1].text.startswith("Вечером Зеленский выступил с обращением к нации.")
        for e in got.events:
            assert rag.store.article_text(e.citation.article_id)[e.citation.start : e.citation.end] == e.text
        assert brief(rag, "зеленский москва", since=date(2022, 9, 1), until=date(2022, 9, 7)).events  # any case


def test_a_topic_of_common_words_only_says_so(env: Settings, tmp_path: Path) -> None:
    # `rag brief "the"` said "Nothing in the articles about this in that period" over 3,359 articles
    from ui.timeline import timeline_html

    run("ingest", str(write_dump(tmp_path / "news.jsonl", 6)))
    res = run("brief", "the", "--since", "30d", "--as-of", "2022-09-30", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["events"] == [] and "only common words" in data["notice"]
    text = run("brief", "said", "--since", "30d", "--as-of", "2022-09-30")
    assert "only common words" in text.output and "Nothing in the articles" not in text.output
    from rag.api import RAG
    from rag.brief import brief

    with RAG(env) as rag:
        html = timeline_html(brief(rag, "of the", since=date(2022, 9, 1), until=date(2022, 9, 30)))
        assert "only common words" in html and "Nothing in the articles" not in html
        assert run("brief", "harbour", "--since", "30d", "--as-of", "2022-09-30", "--json").stdout.count(
            '"notice": null') == 1


def test_a_brief_of_a_collection_without_dates_says_why_it_is_empty(env: Settings, tmp_path: Path) -> None:
    # BBC's 2,225 files carry no date: `rag brief Yukos` said "Nothing in the articles about this in
    # that period" over 20 Yukos articles
    from tests.corpus import write_corpus

    write_corpus(tmp_path / "undated", 4)
    run("ingest", str(tmp_path / "undated"))
    res = run("brief", "harbour", "--since", "7d", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["notice"].startswith("No article in the collection has a date")
    run("ingest", str(write_dump(tmp_path / "news.jsonl", 2, start=10)))  # dated ones too: an empty period is just that
    dated = run("brief", "harbour", "--since", "7d", "--as-of", "2023-06-01", "--json")
    # an empty period is just that, and it says which dates the collection has
    assert json.loads(dated.stdout)["notice"].startswith("No article is dated in that period (2023-05-26 .. 2023-06-01)")


def test_a_story_naming_only_the_common_half_of_the_topic_is_not_about_it(settings: Settings) -> None:
    # "What is the latest on the World Cup?" in a week without a World Cup story told three stories
    # that say "world" ("her world view", "not the end of the world"): the bar was only relative
    # to the best story of the period, which said no more
    from rag.brief import brief

    filler = [(f"2023-05-0{i}", f"World news {i}", f"Leaders around the world met on day {i} to talk about the "
               "world economy. Markets rose in the world's big cities.") for i in range(1, 8)]
    cup = [("2022-12-18", "Argentina win the World Cup", "Argentina won the World Cup final in Qatar on Sunday. "
            "Messi lifted the cup in Lusail.")]
    with dated_rag(settings, filler + cup, "/w") as rag:
        assert brief(rag, "World Cup", since=date(2023, 5, 1), until=date(2023, 5, 7)).events == ()
        [final] = brief(rag, "World Cup", since=date(2022, 12, 1), until=date(2023, 5, 7)).events
        assert final.text == "Argentina won the World Cup final in Qatar on Sunday."
        answer = rag.ask("What is the latest on the World Cup?", as_of=date(2023, 5, 7))
        assert "world economy" not in answer.text


@pytest.mark.parametrize(("since", "until"), [(date(2022, 9, 1), date(2022, 9, 30)), (date(2022, 6, 2), date(2023, 6, 1)),
                                              (date(2012, 7, 19), date(2023, 6, 1)), (date(2022, 9, 1), date(2022, 9, 7))])
def test_a_long_period_is_read_in_slices_that_cover_each_day_once(since: date, until: date) -> None:
    from datetime import timedelta

    from rag.brief import MAX_SLICES, slices

    parts = slices(since, until)
    assert 1 <= len(parts) <= MAX_SLICES and parts[0][1] == until and parts[-1][0] == since  # newest first
    for (start, end), (_, older_end) in zip(parts, parts[1:]):
        assert start <= end and older_end == start - timedelta(days=1)  # no day twice, none left out
    assert slices(None, until, first=date(2022, 9, 1)) == slices(date(2022, 9, 1), until)
    assert slices(None, None) == [(None, None)]


def test_a_name_in_the_topic_is_not_matched_by_its_stem_alone(settings: Settings) -> None:
    # "Any news on Shinzo Abe?" told "AB 2420 requires California's Department of Public Health ...":
    # "Abe" and "AB" share the stem "ab"
    from rag.brief import brief

    arts = [("2022-09-12", "Heat bill signed", "AB 2420 requires the health department to study extreme heat. "
             "The governor signed it on Monday."),
            ("2022-09-13", "Abe funeral plans", "Japan will hold a state funeral for Shinzo Abe this month. "
             "Critics say the cost is too high."),
            ("2022-09-14", "Trump's lawyers", "Donald Trump's lawyers filed a new motion. Trump said he did nothing wrong.")]
    with dated_rag(settings, arts, "/n") as rag:
        got = brief(rag, "Shinzo Abe", since=date(2022, 9, 8), until=date(2022, 9, 14))
        assert [e.text for e in got.events] == ["Japan will hold a state funeral for Shinzo Abe this month."]
        assert [e.citation.title for e in brief(rag, "Abe", since=date(2022, 9, 8), until=date(2022, 9, 14)).events] \
            == ["Abe funeral plans"]
        assert [e.citation.title for e in brief(rag, "Trump", since=date(2022, 9, 8), until=date(2022, 9, 14)).events] \
            == ["Trump's lawyers"]  # a possessive is the name
