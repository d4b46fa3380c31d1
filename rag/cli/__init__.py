"""The ``rag`` command: ingest, ask, chat, list, remove, reindex, stats, up, ui, serve, mcp, models, eval.

A leaf: it imports the library (rag, index, ui, evals), nothing imports it. Each command group is
one module here whose ``register(app)`` adds its commands; a new group is one module plus its name
in ``GROUPS``. At load time the modules import only typer, rich, the standard library and the light
``rag.errors``/``index.userinfo``; the settings, the store, the models, the servers, the UI and the
eval package are imported inside the command that needs them, so ``rag --help`` and ``rag list``
start fast (benchmarks/cli_start.py measures it; tests/test_cli_layout.py keeps it so).

Library errors (``RagError``) become one red line and exit code 2 (with ``--json``, one JSON object
on stdout: ``rag.cli.output.fail``), or 75 when another rag process holds RAG_HOME (busy: retry
later); bad items in an ingest are listed in the report and make the exit code 1, but never stop
the batch; Ctrl-C or SIGTERM ends a command with 130. ``rag --help`` ends with the table
(``rag.cli.output.EXIT_CODES``, README "Exit codes"). Everything printed that comes from an
article, a file name, a URL or an error goes through ``rag.cli.output.safe``/``esc``.
``-v/--verbose`` goes before the command or after it (``rag -v ingest PATH``, ``rag ingest -v PATH``).
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from rag.cli.output import EXIT_CODES, add_verbose, ctrl_c_noted, error_json, json_errors, print_json, setup_logging


class RagGroup(TyperGroup):
    """The ``rag`` group: every command also takes ``-v/--verbose`` (``rag ingest -v PATH``), a
    usage error of a command given ``--json`` (``rag ask --json --top-k 0 Q``) is JSON on stdout like
    its other failures (``rag.cli.output.fail``), with click's exit code, and an error raised because
    of a Ctrl-C is a Ctrl-C (exit 130, ``rag.cli.output.ctrl_c_noted``), not a traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        add_verbose(self)

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        words = args[: args.index("--")] if "--" in args else args  # after "--": a question, not an option
        ctx.meta["rag.json"] = "--json" in words
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:  # noqa: ANN401
        as_json = bool(ctx.meta.get("rag.json"))
        try:
            with ctrl_c_noted(), json_errors(as_json):  # an error Ctrl-C caused ends as Ctrl-C does
                return super().invoke(ctx)
        except typer.TyperException as exc:  # click's usage errors: a bad value, a missing argument, ...
            where = getattr(exc, "ctx", None)
            if not (as_json and where is not None and where.command is not self
                    and any("--json" in getattr(p, "opts", ()) for p in where.command.params)):
                raise
            print_json(error_json(exc.format_message(), type(exc).__name__, f"see `{where.command_path} --help`"))
            raise typer.Exit(getattr(exc, "exit_code", 2)) from None


# pretty_exceptions_show_locals=False: an unexpected traceback must not dump local variables
# (article texts, settings) to the terminal.
app = typer.Typer(cls=RagGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="Ask questions of your articles, with citations.", epilog=EXIT_CODES)


def _version(given: bool) -> None:
    """``rag --version``: the installed package's version, and exit (new user 29 had none to note before an
    upgrade or a backup)."""
    if given:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"rag-articles {version('rag-articles')}")
        except PackageNotFoundError:  # run from a checkout that was never installed
            typer.echo("rag-articles (not installed: run from a checkout)")
        raise typer.Exit()


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log what happens")] = False,
          _shown: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="print the version and exit")] = False) -> None:
    setup_logging(verbose)


# the command group modules of rag.cli, in the order `rag --help` lists their commands
GROUPS = (
    "ingest",  # ingest, list, remove, reindex, stats
    "ask",  # ask, chat
    "brief",  # brief (catch-up on a topic)
    "serve",  # up, ui, serve, mcp
    "models",  # models
    "watch",  # watch (feeds and sitemaps kept current)
    "evaluate",  # eval (evals/ imported when it runs)
)
for _name in GROUPS:
    importlib.import_module(f"rag.cli.{_name}").register(app)


def main() -> None:
    """The ``rag`` console script (pyproject: ``rag = "rag.cli:main"``)."""
    app()
