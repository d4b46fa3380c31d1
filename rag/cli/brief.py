"""``rag brief TOPIC --since 7d``: catch up on a topic, one dated and cited sentence per story,
oldest first (``rag.brief``). ``--llm`` adds a short summary per day written by the configured LLM,
every sentence verified against its citation (unsupported ones removed and reported). ``--json``
prints the events (and the day summaries) for scripts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.text import Text

from rag.cli.ask import SINCE_PERIODS, AsOfOpt, SourceOpt, UntilOpt, iso_date, period_filters
from rag.cli.empty import EMPTY, nothing_stored
from rag.cli.output import console, fail, out, plural, print_citations, print_hanging, print_json, safe, say
from rag.errors import ConfigError, RagError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rag.brief import Brief, DaySummary, Event


def brief(
    topic: Annotated[str, typer.Argument(metavar="TOPIC", help="what to catch up on, e.g. \"Aleppo\"")],
    since: Annotated[Optional[str], typer.Option(
        metavar="YYYY-MM-DD|7d", help=f"start of the period: a date, or {SINCE_PERIODS}")] = "7d",
    until: UntilOpt = None,
    source: SourceOpt = None,
    as_of: AsOfOpt = None,
    llm: Annotated[bool, typer.Option(
        "--llm", help="also summarise each day with the configured LLM (every sentence checked against its citation)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the events as JSON")] = False,
) -> None:
    """What happened with TOPIC: a dated list of events, one cited sentence per story, newest last."""
    if not topic.strip():  # said before the store and the model load, as `rag ask ""` is
        fail('the topic is empty: name what to catch up on, e.g. rag brief "Aleppo" --since 7d')
    from rag.brief import Brief, brief_json, summarize_days
    from rag.brief import brief as make_brief

    reference = iso_date(as_of, "--as-of")
    # bad dates fail before the store and the model load, as in `rag ask` (the same parser and checks)
    filters = period_filters(source, since, until, reference)
    when = reference or date.today()
    if filters.published_from and filters.published_to is None and filters.published_from > when:
        # the period ends on --as-of (today) when --until is not given: said so, not as an --until never given
        ends = f"--as-of {when}" if reference else f"today ({when})"
        fail(f"--since {since} is after {ends}, where the period ends without --until: no article can match; "
             "give an --as-of on or after --since, or an --until")
    from rag.settings import load_settings

    try:
        settings = load_settings()
        if nothing_stored(settings):  # nothing to read: said without creating the store or loading the model
            result = Brief(topic.strip(), filters.published_from, filters.published_to or when, (), notice=BRIEF_EMPTY)
            days: Iterator[DaySummary] = iter(())
        else:
            from rag.api import RAG

            rag = RAG(settings)
            if llm and rag.llm is None:
                fail(ConfigError("--llm needs an LLM: set OPENAI_API_KEY or OPENAI_BASE_URL (or "
                                 "RAG_ANSWERER=local), or leave out --llm for the extractive brief"))
            with console.status(Text(f"Reading the articles about {safe(topic, newlines=False)}…")):  # a year: seconds
                result = make_brief(rag, topic, since=filters.published_from, until=filters.published_to or when,
                                    sources=filters.sources)
            days = summarize_days(rag, result) if llm else iter(())  # days are written as they are printed
        if as_json:
            print_json(brief_json(result, list(days) if llm else None, notice=result_notice(result)))
            return
        _print_brief(topic, result, days, llm)
    except RagError as exc:
        fail(exc)


def _print_brief(topic: str, result: Brief, days: Iterator[DaySummary], llm: bool) -> None:
    period = f"{result.since or '...'} .. {result.until or '...'}"
    say("", Text(f"{safe(topic, newlines=False)}: {plural(len(result.events), 'story', 'stories')}, {period}",
                 style="bold"))
    if result.notice:
        print_hanging("", safe(result_notice(result)))  # wrapped as the events are: no line ends in a space
    elif not result.events:
        out.print("Nothing in the articles about this in that period.", markup=False)
    if result.incomplete:  # days naming the topic in more passages than a brief reads
        say("[yellow]note:[/yellow]", safe(result.incomplete))
    if llm:
        for d in days:
            _print_day(d)
        return
    for e in result.events:
        _print_event(e)


#: ``rag.brief``'s notices, said for no surface in particular, in the CLI's words
BRIEF_EMPTY = f"{EMPTY[0].upper()}{EMPTY[1:]}."
UNDATED = ("No article in the collection has a date, and a brief lists the articles published in a period; "
           "ingest dated articles (a date field, HTML date metadata, a `date YYYY-MM-DD` line), "
           "or ask `rag ask`, which reads undated articles too.")


#: how the CLI asks a question of undated articles (``rag.brief.ASK_INSTEAD``)
ASK_INSTEAD = "ask it with `rag ask`, which reads undated articles too"


def brief_notice(notice: str) -> str:
    """A brief's notice in the CLI's words: how to add articles (`rag ingest`), the command that reads
    undated articles (`rag ask`); any other notice as it is."""
    from rag.brief import EMPTY as SAID_EMPTY
    from rag.brief import UNDATED as SAID_UNDATED

    return {SAID_EMPTY: BRIEF_EMPTY, SAID_UNDATED: UNDATED}.get(notice, notice)


def result_notice(result: Brief) -> str:
    """``result``'s notice in the CLI's words (``brief_notice``); articles about the topic stored without
    a date are said with the command that reads them.

    >>> from rag.brief import Brief
    >>> result_notice(Brief("Yukos", None, None, (), notice="...", undated_about=3)).endswith(
    ...     "; ask it with `rag ask`, which reads undated articles too.")
    True
    """
    from rag.brief import undated_notice

    return undated_notice(result.undated_about, result.topic, ASK_INSTEAD) if result.undated_about \
        else brief_notice(result.notice)


def _print_event(e: Event) -> None:
    """The event's date and sentence, then its title and source: each wrapped under the sentence's
    column (a long "also in" list ran back to column 0, under the dates)."""
    print_hanging(Text(f"{e.published or 'undated':<10}  ", style="bold"), safe(e.text))
    also = f"; also in: {', '.join(e.also_in_sources)}" if e.also_in_sources else ""  # as `rag ask` lists them
    print_hanging(" " * 12, safe(f"{e.citation.title} ({e.citation.source}){also}", newlines=False))


def _print_day(d: DaySummary) -> None:
    """A day of the LLM brief: the verified summary and its citations, or the day's extracted sentences."""
    out.print()
    out.print(Text(d.day or "undated", style="bold"), highlight=False)
    for n in d.notices:
        say("[yellow]note:[/yellow]", safe(n))
    if not d.summarized:
        for e in d.events:
            _print_event(e)
        return
    out.print(safe(d.text), markup=False, highlight=False)
    print_citations(d.citations, dated=False)  # the day heads them


def register(app: typer.Typer) -> None:
    """Add ``rag brief`` to ``app``."""
    app.command()(brief)
