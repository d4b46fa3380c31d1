"""``rag eval``, loaded on use: the evaluation package (evals/) is imported only when ``rag eval`` runs.

The ``eval`` entry in ``rag`` is a thin command that takes every argument as it is and hands it
to the real command group (``evals.cli.eval_app``) in a child click context, as a click group
would: ``rag eval --help``, ``rag eval FILE``, ``rag eval squad|compare ...`` and usage errors
(``Usage: rag eval ...``, exit code 2) behave as if the group were registered directly. Its
commands take ``-v/--verbose`` as every ``rag`` command does (``rag eval compare -v A B``).
"""

from __future__ import annotations

import typer

HELP = "Evaluate answers and retrieval on a suite of questions (rag eval FILE | squad FILE | compare A B)."


def eval_command(ctx: typer.Context) -> None:
    from typer.main import get_group

    from evals.cli import eval_app
    from rag.cli.output import add_verbose

    group = get_group(eval_app)
    add_verbose(group)
    # parent: the root context, so usage and help read `rag eval ...` (this thin command is not a level)
    with group.make_context(ctx.info_name, list(ctx.args), parent=ctx.parent) as sub:
        group.invoke(sub)


def register(app: typer.Typer) -> None:
    """Add ``rag eval`` to ``app``; its options are parsed by the eval group itself."""
    app.command(
        "eval", help=HELP, add_help_option=False,
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "allow_interspersed_args": False},
    )(eval_command)
