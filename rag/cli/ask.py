"""``rag ask`` and ``rag chat``: answers with their cited passages, in the terminal.

``--as-of YYYY-MM-DD`` sets the reference date ("today") that relative time expressions in a
question ("this week", "on Sunday", "latest") are resolved against; the non-JSON output then names
the dates the question was understood as (``understood: 2024-11-25 .. 2024-12-01``).
``--since`` takes a date or a period counted back from ``--as-of`` (or today): ``7d``, ``2w``, ``3m``,
``1y``, read by ``rag.brief.parse_since`` for ``rag ask``, ``rag chat`` and ``rag brief`` alike
(``period_filters``).
The answering stack (rag.api: the store, the model, an LLM client) is imported when a command runs.
"""

from __future__ import annotations

import contextlib
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.text import Text

from rag.cli.empty import empty_here, nothing_stored, worded
from rag.cli.output import console, fail, out, plural, print_citations, print_json, safe, say
from rag.errors import RagError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rag.api import RAG
    from rag.settings import Settings
    from rag.types import Answer, Filters


def iso_date(value: str | None, option: str) -> date | None:
    """``value`` (YYYY-MM-DD) as a date; a bad value is an error naming the option, the value and the format."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        from rag.arguments import no_day

        if wrong := no_day(value):  # "2023-02-30" is written right: say which part is wrong
            fail(f"{option} {wrong}")
        fail(f"{option} {value!r} is not a date: write YYYY-MM-DD, e.g. 2024-12-01")


#: the periods --since takes besides a date, in its help
SINCE_PERIODS = "7d, 2w, 3m, 1y (days, weeks, months, years back from --as-of), or 'last week', 'yesterday'"


def since_date(value: str | None, when: date) -> date | None:
    """``--since`` as the first day of the period: a date, or ``7d``/``2w``/``3m``/``1y`` counted back
    from ``when``, or a question's time words, "last week" (``rag.brief.parse_since``). A bad value is
    a usage error in two short lines naming the value and the short forms ``parse_since`` reads; it
    was one line of 150 characters that wrapped three times at 80 columns and said a period counts
    back from --as-of when none was given (it counts back from today)."""
    if not (value or "").strip():
        return None
    from rag.brief import parse_since

    try:
        return parse_since(value, when)
    except RagError:
        from rag.arguments import no_day

        if wrong := no_day(value):  # "2022-02-30": say what is wrong with it
            fail(f"--since {wrong}")
        fail(f"--since {value!r} is not a date (YYYY-MM-DD, e.g. 2024-11-01)\n"
             "  and is not a period; use 7d, 2w, 3m, 1y (back from today or --as-of)")


def period_filters(source: list[str] | None, since: str | None, until: str | None, when: date | None) -> Filters:
    """The filters of ``--source/--since/--until``, checked before the store and the model load: a
    relative ``--since`` counts back from ``when`` (``--as-of``; today when not given), and a period
    ending before it starts is an error (a relative one says from which day it counted back)."""
    from rag.types import Filters

    relative = bool(since) and since.strip()[-1:].isalpha()  # 7d, 2w, 3m, 1y
    start = since_date(since, when or date.today())
    end = iso_date(until, "--until")
    if start and end and start > end:
        if relative:
            origin = f"--as-of {when}" if when else f"today ({date.today()})"
            fail(f"--since {since} counts back from {origin} to {start}, which is after --until {until}: "
                 f"no article can match; set --as-of {until} to count back from that day, or give --since a date")
        fail(f"--since {since} is after --until {until}: no article can match; swap them")
    return Filters(sources=tuple(source or ()), published_from=start, published_to=end)


TopKOpt = Annotated[Optional[int], typer.Option("--top-k", "-k", min=1, max=50, help="passages per answer")]
SourceOpt = Annotated[Optional[list[str]], typer.Option(
    "--source", metavar="TEXT", help="only articles whose source/URL/title contains this (repeatable)")]
SinceOpt = Annotated[Optional[str], typer.Option(
    metavar="YYYY-MM-DD|7d", help="published on or after this date, or within the last 7d, 2w, 3m, 1y before --as-of")]
UntilOpt = Annotated[Optional[str], typer.Option(metavar="YYYY-MM-DD", help="published on or before this date")]
AsOfOpt = Annotated[Optional[str], typer.Option(
    "--as-of", metavar="YYYY-MM-DD", help="resolve 'this week', 'yesterday', 'latest' against this date (default: today)")]


def ask(
    question: Annotated[str, typer.Argument(metavar="QUESTION", help="your question")],
    as_json: Annotated[bool, typer.Option("--json", help="print the answer as JSON")] = False,
    top_k: TopKOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: AsOfOpt = None,
    offline: Annotated[bool, typer.Option(help="never call an LLM")] = False,
) -> None:
    """Ask one question; prints the answer with its cited passages."""
    if not question.strip():
        fail('the question is empty: ask one, e.g. rag ask "Which town did the rebels capture?"')
    when = iso_date(as_of, "--as-of")
    filters = period_filters(source, since, until, when)  # bad dates fail before the store and the model load
    from rag.settings import load_settings

    try:
        settings = load_settings()
        if nothing_stored(settings):
            _refuse_unstored(settings, question, top_k, filters, when, as_json)
            return
        from rag.api import RAG

        rag = RAG(settings)
        if as_json:
            print_json(answer_json(rag.ask(question, top_k=top_k, filters=filters, offline=offline, as_of=when)))
            return
        _stream_answer(rag, question, top_k=top_k, filters=filters, offline=offline, as_of=when)
    except RagError as exc:
        fail(exc)


def _refuse_unstored(settings: Settings, question: str, top_k: int | None, filters: Filters, when: date | None,
                     as_json: bool) -> None:
    """`rag ask` of a collection nothing was ever stored in: the refusal and how to add articles, as
    ``RAG.ask`` answers an empty collection (``--json``: the same ``Answer`` fields), without creating
    the store or loading the model to find nothing (``rag.cli.empty``). The notice names the directory
    read, as `rag stats` and `rag chat` do: a script asking with a mistyped RAG_HOME got "the collection
    is empty" alone (new user 30)."""
    from rag.arguments import checked_inputs
    from rag.timewindow import understand
    from rag.types import REFUSAL, Answer

    question, _, _, _, as_of = checked_inputs(question, top_k, filters, (), when)  # refused as RAG.ask would
    answer = Answer(question=question, text=REFUSAL, refused=True, citations=(), passages=(), timings_ms={},
                    search_query=question, notices=(empty_here(settings),), as_of=as_of,
                    time_window=understand(question, as_of))
    if as_json:
        print_json(answer_json(answer))
    else:
        print_answer(answer)


def answer_json(answer: Answer) -> dict:
    """``answer.to_dict()`` with its notices in the CLI's words (``rag.cli.empty.worded``), as printed."""
    data = answer.to_dict()
    data["notices"] = [worded(n) for n in data["notices"]]
    return data


def _stream_answer(rag: RAG, question: str, **kwargs: object) -> Answer:
    """Ask ``rag``, printing an LLM's answer claim by claim as verification lets each through, then
    the answer (``print_answer``); returns it."""
    answer = None
    shown = ""
    # a local model reads the passages for 10-40 s before its first verified sentence: say so on stderr
    # (new user 13 saw nothing at all for up to 43 s); gone at the first piece, never in a pipe
    waiting = console.status("The model is reading the passages…") \
        if console.is_terminal and not kwargs.get("offline") and rag.llm is not None else None
    with waiting or contextlib.nullcontext():
        for piece in rag.stream(question, checked=True, **kwargs):
            if isinstance(piece, str):
                if piece and waiting is not None:
                    waiting.stop()
                shown += piece
                out.print(safe(piece), end="", markup=False, highlight=False)
            else:
                answer = piece
    assert answer is not None  # stream() always ends with the Answer
    print_answer(answer, streamed=shown)
    return answer


def print_answer(answer: Answer, streamed: str = "") -> None:
    """The answer, its notices, its citations with their quotes, and the dates the question was read as;
    ``streamed``: the verified claims already printed (their text is not printed twice)."""
    if streamed:
        out.print()
    if streamed.strip() != answer.text.strip():
        if streamed:  # replaced after it streamed: the offline fallback, or the newest figure first
            say("", Text("checked against the sources, the answer is:", style="bold"))
        if answer.short_answer:
            out.print(Text(safe(answer.short_label, newlines=False), style="bold"))
        out.print(safe(answer.supporting), markup=False, highlight=False, soft_wrap=not out.is_terminal)
    for n in answer.notices:  # on stdout with the answer they qualify: `rag ask ... > answer.txt` kept the
        # answer and lost "No cited article is dated in the period asked about ..." (new user 14)
        say("[yellow]note:[/yellow]", safe(worded(n)), to=out)
    print_citations(answer.citations)
    window = answer.time_window.label() if answer.time_window is not None else ""
    if window == "latest" and answer.as_of is not None:  # the newest up to which day (new user 26 read no date)
        window = f"latest, up to {answer.as_of.isoformat()}"
    if window:  # with the notes, on stdout: `rag ask ... > answer.txt` lost how the dates were read (new user 16)
        say("", Text(f"understood: {safe(window, newlines=False)}", style="dim"), to=out)


# the docstring is the command's help: its first paragraph one line, as `rag --help` lists it as written
def chat(
    top_k: TopKOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """A terminal chat: follow-up questions may refer to earlier turns.

    An empty line or Ctrl-D quits; piped input (rag chat < questions.txt) is read to its end, one
    question a line, blank lines skipped."""
    when = iso_date(as_of, "--as-of")
    filters = period_filters(source, since, until, when)  # bad dates fail before the store and the model load
    from rag.settings import load_settings

    try:
        settings = load_settings()
        if nothing_stored(settings):  # every question would be refused: say why once, creating nothing
            say("[yellow]note:[/yellow]", safe(empty_here(settings)))
            return
        from rag.api import RAG

        rag = RAG(settings)
    except RagError as exc:
        fail(exc)
    history: list[tuple[str, str]] = []
    n = rag.collection.db.counts()["articles"]
    interactive = sys.stdin.isatty()
    how = "Empty line quits" if interactive else "Reading the questions piped in, one a line, to the end"
    say("[bold]rag chat[/bold]",
        f"({safe(rag.answerer_name)}, {plural(n, 'article')}). {how}; /help lists the commands.")
    for q in _questions(interactive):
        command = q.lower()
        if command in _QUIT:
            break
        if command in ("/help", "/?"):
            say("", _CHAT_HELP)
            continue
        if command in ("/new", "/clear"):
            history.clear()
            say("", Text("(a new conversation: follow-ups no longer refer to earlier questions)", style="dim"))
            continue
        if command.startswith("/") and " " not in command:
            say("", f"unknown command {safe(q)}; /help lists them")
            continue
        try:
            answer = _stream_answer(rag, q, top_k=top_k, filters=filters, history=history, as_of=when)
        except RagError as exc:
            say("[red]error:[/red]", safe(exc))
            continue
        if answer.search_query and answer.search_query != q:  # the follow-up as it was searched
            say("", Text(f"searched: {safe(answer.search_query, newlines=False)}", style="dim"))
        history.append((q, answer.text))


def _questions(interactive: bool) -> Iterator[str]:
    """The chat's questions, stripped, each after a ``you> `` prompt. At a terminal an empty line ends
    the chat (as does Ctrl-D); piped input is a list of questions, read to its end: a blank line between
    them (a paragraph break in a questions file) is skipped, not taken as the end."""
    while True:
        if interactive:
            try:
                q = input(PROMPT).strip()
            except EOFError:
                return
            if not q:
                return
            yield q
            continue
        while True:
            line = sys.stdin.readline()
            if not line:  # the end of the input
                return
            if line.strip():
                break
        # the prompt and the question read, as a terminal would have shown them: a transcript of a
        # piped chat says what each answer answers (blank lines between questions read without one)
        sys.stdout.write(f"{PROMPT}{line.strip()}\n")
        sys.stdout.flush()
        yield line.strip()


PROMPT = "you> "
_QUIT = frozenset({"/quit", "/exit", "/q", "quit", "exit"})
_CHAT_HELP = """Ask a question; a follow-up ("And when?", "Who said that?") is read with the questions before it.
  /new     start a new conversation (forget the earlier questions)
  /help    this list
  /quit    quit (also: an empty line, Ctrl-D)"""


def register(app: typer.Typer) -> None:
    """Add ``rag ask`` and ``rag chat`` to ``app``."""
    app.command()(ask)
    app.command()(chat)
