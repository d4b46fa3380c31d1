"""What the ``rag`` command prints, made safe for a terminal.

Everything printed that comes from an article, a file name, a URL or an error passes through
``safe()`` (control characters made visible, URL passwords removed) and, where rich reads markup,
through ``esc()`` too: a title such as ``Markets [/bold] tumble`` or a file name holding
``ESC ]0;...BEL`` must neither crash rich nor drive the user's terminal.

Light on purpose (rich and the standard library only): every command module imports this one.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.cells import cell_len, get_character_cell_size
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from index.userinfo import redact_userinfo
from rag.errors import RagError, StoreBusyError
from rag.text import plural  # noqa: F401 - the commands import it from here
from rag.text import quoted

if TYPE_CHECKING:
    from typer.core import TyperGroup

    from rag.types import Citation

# emoji=False: ":fire:" in an article is text, not an emoji code for rich to replace.
console = Console(stderr=True, emoji=False)  # messages, progress, errors
out = Console(emoji=False)  # results: answers, tables, JSON

# C0 controls but tab and newline (ESC starts every terminal sequence; BEL ends OSC titles; CR
# overwrites a line), DEL, C1 controls (0x9b is a one-byte CSI on some terminals), and the bidi
# overrides that make a terminal show text in another order than it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def safe(text: object, *, newlines: bool = True) -> str:
    """``text`` made harmless for a terminal: control characters shown as ``\\x1b``-style escapes,
    URL passwords removed; newlines kept (or, with ``newlines=False``, turned into spaces, for
    one-line fields such as titles); all other unicode unchanged."""
    s = _CONTROL.sub(_visible, str(text).replace("\r\n", "\n"))
    if not newlines:
        s = s.replace("\n", " ")
    return redact_userinfo(s)


def esc(text: object, *, newlines: bool = True) -> str:
    """``safe(text)`` for a place where rich reads markup: ``[/bold]`` stays text."""
    return escape(safe(text, newlines=newlines))


def cell(text: object, width: int | None = None, *, middle: bool = False) -> Text:
    """A table cell from untrusted text (a ``Text`` is never parsed as markup); with ``width``, cut to
    that many terminal cells by ``clip`` (``middle``: keep both ends, for a path or a URL)."""
    shown = safe(text, newlines=False)
    return Text(clip(shown, width, middle=middle) if width is not None else shown)


ELLIPSIS = "…"


def clip(text: str, width: int, *, middle: bool = False) -> str:
    """``text`` in at most ``width`` terminal cells: as it is when it fits, else cut with "…" at the end
    or, with ``middle``, between its start and its end (a source's outlet or folder and its file name
    both tell which it is). Measured in terminal cells, not characters: a CJK character takes two, and
    a table cut by characters would be wider than the terminal.

    >>> clip("Zembla harbour closes", 10), clip("/tmp/news/2024/harbour.txt", 14, middle=True)
    ('Zembla ha…', '/tmp/n…our.txt')
    """
    if cell_len(text) <= width:
        return text
    if width < 2:
        return ELLIPSIS[:max(width, 0)]
    room = width - 1
    if not middle:
        return _head(text, room) + ELLIPSIS
    tail = _head(text[::-1], room - room // 2)[::-1]  # the larger half: a file name ends the path
    return _head(text, room - cell_len(tail)) + ELLIPSIS + tail


def _head(text: str, width: int) -> str:
    """The longest start of ``text`` that takes at most ``width`` terminal cells."""
    used = 0
    for i, ch in enumerate(text):
        used += get_character_cell_size(ch)
        if used > width:
            return text[:i]
    return text


def print_citations(citations: Sequence[Citation], *, dated: bool = True) -> None:
    """Each citation's quote under its ``[n] title (date) source · author`` line, printed once for the
    quotes of one passage, then the other outlets of its story ("also in: ..."); each wrapped under
    its own indent (``print_hanging``), so a long title or quote does not run back to column 0."""
    for i, c in enumerate(citations):
        if i == 0 or citations[i - 1].n != c.n:  # two quotes of one passage: one [n] line
            when = f"({c.published or 'undated'}) {c.source}" if dated else f"({c.source})"
            by = f" · {c.author}" if c.author else ""
            print_hanging(f"  [{c.n}] ", safe(f"{c.title} {when}{by}", newlines=False))
        shown = quoted(safe(c.quote))  # hung under its first letter, past the opening mark
        print_hanging(f"      {shown[0]}", shown[1:])
        last = i + 1 == len(citations) or citations[i + 1].n != c.n
        if c.also_in and last:  # the same story from other outlets (index/stories.py)
            print_hanging("      also in: ", safe(", ".join(c.also_in), newlines=False))


def print_hanging(lead: str | Text, text: str | Text, *, to: Console | None = None) -> None:
    """``lead`` then ``text`` (both made safe by the caller: never read as markup) on ``to`` (default:
    stdout), ``text`` wrapped to the terminal with every line after the first under its first
    character: a citation's title or quote that rich wrapped on its own went on at column 0, under the
    answer it cites. Lines are cut by terminal cells (CJK), a word longer than a line (a URL) is
    folded, and no line ends in spaces, so text copied from the terminal is as it was. Written to a
    file or a pipe, each line is whole (``rag ask ... > notes.txt``: a quote cut mid-sentence at 80
    columns, new user 12)."""
    console_ = to or out
    head = lead if isinstance(lead, Text) else Text(lead)
    indent = cell_len(head.plain)
    body = text if isinstance(text, Text) else Text(text)
    if not console_.is_terminal:  # a file or a pipe: each line whole (rich cut it at 80 columns, a space left)
        for n, line in enumerate(body.split("\n", allow_blank=True)):
            line.rstrip()
            console_.print(Text.assemble(head if n == 0 else Text(" " * indent), line), highlight=False,
                           soft_wrap=True)
        return
    for n, line in enumerate(body.wrap(console_, max(console_.width - indent, 20), overflow="fold")):
        line.rstrip()
        # assembled, not ``head + line``: a Text's sum takes the left one's style for the whole, and a
        # bold date before an event made its entire first line bold (``rag brief``)
        console_.print(Text.assemble(head if n == 0 else Text(" " * indent), line), highlight=False,
                       soft_wrap=True)


def print_json(data: object) -> None:
    """JSON on stdout: json.dumps escapes C0 controls; C1 and bidi controls become \\uXXXX too."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    out.out(_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text), highlight=False)


# The exit codes of every `rag` command (README "Exit codes"; ``rag --help`` ends with them). A script
# or a cron job tells "try again in a minute" from "fix something" by them: a busy RAG_HOME gave 2 (as a
# bad setting did) to `rag ingest` and 1 to `rag watch --once` (new user 11).
EXIT_FAILED = 1  # the command ran, but an item (a file, a URL, a feed) failed; the report names it
EXIT_USAGE = 2  # it could not run: a bad argument or setting, a store that cannot be reached
EXIT_BUSY = 75  # EX_TEMPFAIL: another rag process is writing to RAG_HOME, or another `rag watch` polls it
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C or SIGTERM before it finished (what was stored is kept)
EXIT_CODES = (f"Exit codes: 0 done; {EXIT_FAILED} done, but an item failed (named in the report); {EXIT_USAGE} "
              f"could not run (bad argument or setting, store unreachable); {EXIT_BUSY} busy: another rag process "
              f"is writing to RAG_HOME (or another `rag watch` polls it), try again later; {EXIT_INTERRUPTED} "
              "stopped by Ctrl-C or SIGTERM before it finished (what was stored is kept; run it again to go on; a "
              "server, `rag serve`/`ui`/`mcp`, so stopped exits 0).")


def exit_code(exc: Exception | str) -> int:
    """The exit code of a command that could not run because of ``exc``: ``EXIT_BUSY`` when another
    process holds RAG_HOME (``StoreBusyError``: retry later), else ``EXIT_USAGE``."""
    return EXIT_BUSY if isinstance(exc, StoreBusyError) else EXIT_USAGE


USAGE_ERROR = "UsageError"  # the ``type`` of a failure the CLI itself names (a bad argument), as click's own


def error_json(message: object, kind: str, fix: str | None = None) -> dict[str, str]:
    """What a ``--json`` command prints on stdout when it fails: ``{"error", "fix" (when the error
    names one apart from its message), "type"}``, URL passwords removed as from every line printed.
    ``message`` may be the error itself: its ``fix`` (``RagError.fix``) is used when none is given.

    >>> from rag.errors import StoreBusyError
    >>> error_json(StoreBusyError("busy"), "StoreBusyError")["fix"] == StoreBusyError.fix
    True
    """
    fix = fix if fix is not None else getattr(message, "fix", None) if isinstance(message, BaseException) else None
    fixed = {"fix": redact_userinfo(str(fix))} if fix else {}
    return {"error": redact_userinfo(str(message))} | fixed | {"type": kind}


_JSON_ERRORS: ContextVar[bool] = ContextVar("rag_cli_json_errors", default=False)


@contextmanager
def json_errors(on: bool) -> Iterator[None]:
    """Within it, ``fail`` prints JSON: the command running was given ``--json`` (``rag.cli.RagGroup``
    says so), so a script reading its stdout gets its failures as JSON too. A library error no
    command caught is such a failure as well (``fail``: its message, ``fix`` and type; exit 2),
    not a traceback on stderr and nothing on stdout."""
    token = _JSON_ERRORS.set(on)
    try:
        yield
    except RagError as exc:
        if not on:
            raise
        fail(exc)
    finally:
        _JSON_ERRORS.reset(token)


def fail(exc: Exception | str, code: int | None = None) -> NoReturn:
    """One red line on stderr naming what went wrong (``say``: wrapped under itself at a terminal, whole
    in a pipe or a log), then exit ``code`` (default ``exit_code(exc)``: 2, the command could not run,
    or 75 when another process holds RAG_HOME, so a script may try again later); a message of the
    CLI's own may go on on a second, indented line (``"...\\n  ..."``), to stay readable at 80
    columns. Under ``json_errors`` (``--json``) the failure is one JSON object on stdout instead (``error_json``:
    the message on one line, the error's ``fix`` when it has one, its class name; ``UsageError`` for
    a message of the CLI's own), with the same exit code."""
    if _CTRL_C_SEEN.is_set():  # the error is the Ctrl-C's doing (``ctrl_c_noted``)
        raise typer.Exit(EXIT_INTERRUPTED)
    code = exit_code(exc) if code is None else code
    if _JSON_ERRORS.get():
        kind = type(exc).__name__ if isinstance(exc, Exception) else USAGE_ERROR
        print_json(error_json(exc if isinstance(exc, Exception) else exc.replace("\n  ", " "), kind))
        raise typer.Exit(code)
    say("[red]error:[/red]", safe(exc))
    raise typer.Exit(code)


def say(label: str | Text, text: str | Text, *, to: Console | None = None) -> None:
    """A message on ``to`` (default: stderr): ``label`` ("error:", "note:", "failed"; rich markup in a
    ``str``; "" for none) then ``text`` (made safe by the caller: never read as markup; a ``Text`` may
    carry styles of its own, e.g. ``Text.from_markup`` of a line whose every outside part went through
    ``esc``).

    At a terminal it is wrapped to the terminal's width under the text's first character
    (``print_hanging``): rich wrapped it back to column 0 with a space left at each line's end.
    Elsewhere (a pipe, a log file, a CI job) each line of the message is written whole however long,
    the one line a ``grep`` or a log viewer expects; it was cut at 80 columns mid-phrase. A message
    of the CLI's own may go on on a second line (``"...\\n  ..."``), which keeps its indent either way."""
    console_ = to or console
    lead = Text.from_markup(label) if isinstance(label, str) else label
    head = Text.assemble(lead, " ") if lead.plain else Text()  # the label's style its own; no label, no space
    body = text.copy() if isinstance(text, Text) else Text(text)
    body.rstrip()  # an error's text that ends in a newline: no empty line after it
    for n, line in enumerate(body.split("\n", allow_blank=True)):
        indent = len(line.plain) - len(line.plain.lstrip(" "))
        lead = head if n == 0 else Text(" " * indent)
        if n:
            line = line[indent:]
        if console_.is_terminal:
            print_hanging(lead, line, to=console_)
        else:
            line.rstrip()
            console_.print(Text.assemble(lead, line), highlight=False, soft_wrap=True)


_CTRL_C_SEEN = threading.Event()  # a Ctrl-C reached the command running (``ctrl_c_noted``)


@contextmanager
def ctrl_c_noted() -> Iterator[None]:
    """Within it (``rag.cli.RagGroup`` runs every command so), Ctrl-C raises KeyboardInterrupt as
    ever, and is remembered: a library that turns it into an error of its own ends the command as
    Ctrl-C does, exit 130 and no traceback. Ctrl-C while ``rag ask`` loaded the embedder printed 40
    lines of onnxruntime's "ImportError: initialization failed" and exited 1; an error the command
    reports (``fail``) after a Ctrl-C is the Ctrl-C's doing too. Commands with Ctrl-C of their own
    (``CtrlC``: ingest, watch) set their handler inside it and put this one back after. A Ctrl-C
    ignored when the command started (a background job of a script) stays ignored.

    SIGTERM (``systemctl stop``, ``docker stop``, ``kill``) is a Ctrl-C to every command, so an
    interrupted run exits 130 whichever way it was stopped (`rag reindex` killed by SIGTERM said
    nothing and exited 143). The servers (``rag serve``, ``ui``, ``mcp``) leave SIGTERM to their web
    server (``sigterm_default``): stopping is how a server ends."""
    _CTRL_C_SEEN.clear()

    def noted(_signum: int, _frame: object) -> None:
        _CTRL_C_SEEN.set()
        raise KeyboardInterrupt

    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    term_ignored = signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    previous = None if ignored else _install_sigint(noted)
    previous_term = None if term_ignored else _install_sigterm(noted)
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):  # an exit, or a usage error: as they are
        raise
    except Exception:
        if not _CTRL_C_SEEN.is_set():
            raise
        raise typer.Exit(EXIT_INTERRUPTED) from None  # what typer makes of a KeyboardInterrupt
    finally:
        if not ignored:
            _install_sigint(previous)
        if not term_ignored:
            _install_sigterm(previous_term)
        _CTRL_C_SEEN.clear()


@contextmanager
def sigterm_default() -> Iterator[None]:
    """Within it, SIGTERM has its default action again, not a Ctrl-C's (``ctrl_c_noted``): a server's
    own web server handles it (uvicorn shuts down gracefully, then raises it again), as before."""
    previous = _install_sigterm(None)
    try:
        yield
    finally:
        _install_sigterm(previous)


class CtrlC:
    """Ctrl-C in two steps while a command runs (``with CtrlC(first) as ctrl_c:``).

    The first Ctrl-C sets ``ctrl_c.stop`` and prints ``first`` (rich markup): the command finishes
    what it is doing cleanly and stops. The second stops the fetches in flight
    (``stop_fetches``), sets ``ctrl_c.again`` and raises KeyboardInterrupt at once. Outside the
    main thread (where no signal handler can be set) Ctrl-C stays a plain KeyboardInterrupt.
    SIGTERM (``systemctl stop``, ``docker stop``, ``kill``) is a Ctrl-C here: it killed `rag ingest`
    and `rag watch` at once, with no report (new user 11; nothing stored was lost, but a service
    manager's stop threw the round away)."""

    def __init__(self, first: str) -> None:
        self.first = first
        self.stop = threading.Event()
        self.again = False
        self._previous: object = None
        self._previous_term: object = None

    def __enter__(self) -> CtrlC:
        self._previous = _install_sigint(self._handle)
        self._previous_term = _install_sigterm(self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        _install_sigint(self._previous)
        _install_sigterm(self._previous_term)

    def _handle(self, _signum: int, _frame: object) -> None:
        if self.stop.is_set():  # the second Ctrl-C: stop now
            self.again = True
            stop_fetches()
            raise KeyboardInterrupt
        self.stop.set()
        say("", Text.from_markup(self.first))


def _install_sigterm(handler: object) -> object:
    """Set the SIGTERM handler (main thread only), or the default one for None; the old one."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler if handler is not None else signal.SIG_DFL)


def _install_sigint(handler: object) -> object:
    """Set the SIGINT handler (main thread only: elsewhere Ctrl-C stays KeyboardInterrupt); the old one."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, handler if handler is not None else signal.default_int_handler)


def stop_fetches() -> None:
    """Make the page fetches still in flight fail now (``index.fetch.abort_fetches``): a stopping
    command must not wait for them (feed items are fetched by threads the interpreter waits for at
    exit, up to RAG_FETCH_TIMEOUT each). Nothing to stop when ``index.fetch`` was never imported
    (looked up, not imported: this may run in a signal handler)."""
    fetch = sys.modules.get("index.fetch")
    if fetch is not None:
        fetch.abort_fetches()


class SafeFormatter(logging.Formatter):
    """Log lines name files and URLs too: they reach the terminal through ``safe()`` like the rest."""

    def format(self, record: logging.LogRecord) -> str:
        return safe(super().format(record))


def setup_logging(verbose: bool) -> None:
    """Warnings (``-v``: info) on stderr, escaped; the chatty libraries kept at warnings. Called again
    with ``verbose`` (``rag ingest -v``: after ``rag`` set logging up), it turns info on."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
    if verbose:  # basicConfig does nothing the second time
        logging.getLogger().setLevel(logging.INFO)
    for noisy in ("httpx", "chromadb", "sentence_transformers", "transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _verbose(on: bool) -> None:
    if on:
        setup_logging(True)


def add_verbose(group: TyperGroup) -> None:
    """Give every command of ``group`` (those that have none) a ``-v/--verbose`` option that turns
    logging on, as ``rag -v`` does: ``rag ingest -v PATH`` is ``rag -v ingest PATH``. The option is
    built by typer from a one-command app (typer offers no public constructor for a lone parameter);
    it passes no value to the commands."""
    from typer.main import get_command

    probe = typer.Typer()

    @probe.command()
    def _probe(verbose: Annotated[bool, typer.Option(
            "--verbose", "-v", help="log what happens", expose_value=False, callback=_verbose)] = False) -> None:
        """Never run: its parameter is what is wanted."""

    option = get_command(probe).params[0]
    for command in group.commands.values():
        if not any(p.name == "verbose" for p in command.params):
            command.params.append(option)
