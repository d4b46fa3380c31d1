"""``rag models``: which answerers and embedders are available, their files, sizes and hash status.

A view of :func:`rag.models.report`; the model files are looked at (and hashed, with ``--verify``)
only when the command runs.
"""

from __future__ import annotations

from typing import Annotated

import typer

from rag.cli.output import cell, fail, out, print_json
from rag.errors import RagError


def models_command(
    verify_hash: Annotated[bool, typer.Option("--verify", help="hash the bundled model now (reads 1.1 GB)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Which answerers and embedders are available, where their model files are, size and hash status."""
    from dataclasses import asdict

    from rich.table import Table

    from rag.models import report
    from rag.settings import load_settings

    try:
        rows = report(load_settings(), verify_now=verify_hash)
    except RagError as exc:
        fail(exc)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table("kind", "name", "model", "ok", "in use", "file", "size", "hash", "note")
    for col in table.columns[5:]:
        col.overflow = "fold"  # paths and fixes are read whole, never cut with an ellipsis
    for r in rows:
        size = f"{r.size_bytes / 2**20:,.0f} MB" if r.size_bytes is not None else "-"
        table.add_row(r.kind, r.name, cell(r.label), "yes" if r.available else "no", "*" if r.active else "",
                      cell(r.path or "-"), size, cell(r.hash_status), cell(r.note))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``rag models`` to ``app``."""
    app.command("models")(models_command)
