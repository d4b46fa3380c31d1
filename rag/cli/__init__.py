"""The ``rag`` command: ingest, ask, chat, list, remove, reindex, stats, up, ui, serve, mcp, models, eval.

A leaf: it imports the library (rag, index, ui, evals), nothing imports it. Each command group is
one module here whose ``register(app)`` adds its commands; a new group is one module plus its name
in ``GROUPS``. At load time the modules import only typer, rich, the standard library and the light
``rag.errors``/``index.userinfo``; the settings, the store, the models, the servers, the UI and the
eval package are imported inside the command that needs them, so ``rag --help`` and ``rag list``
start fast (benchmarks/cli_start.py measures it; tests/test_cli_layout.py keeps it so).

Library errors (``RagError``) become one red line and exit code 2; bad items in an ingest are
listed in the report and make the exit code 1, but never stop the batch. Everything printed that
comes from an article, a file name, a URL or an error goes through ``rag.cli.output.safe``/``esc``.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from rag.cli.output import setup_logging

# pretty_exceptions_show_locals=False: an unexpected traceback must not dump local variables
# (article texts, settings) to the terminal.
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="Ask questions of your articles, with citations.")


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log what happens")] = False) -> None:
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
