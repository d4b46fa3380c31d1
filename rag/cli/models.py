"""``rag models``: which answerers and embedders are available, their files, sizes and hash status.

A view of :func:`rag.models.report`; the model files are looked at (and hashed, with ``--verify``)
only when the command runs. One block per model, so it reads at 80 columns as well as at 200:

    answerer  local (Qwen2.5-Coder-1.5B)   ok: yes
        file  /root/.cache/rag/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
        size  1,066 MB   hash: verified
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from rag.cli.output import console, fail, out, print_hanging, print_json, safe, say
from rag.errors import RagError

if TYPE_CHECKING:
    from rag.models import ModelInfo
    from rag.settings import Settings


def models_command(
    verify_hash: Annotated[bool, typer.Option(
        "--verify", help="hash the bundled model now, whatever was recorded before (reads 1.1 GB)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Which answerers and embedders are available, where their model files are, size and hash status."""
    from dataclasses import asdict

    from rag.models import report
    from rag.settings import load_settings

    try:
        settings = load_settings()
        if verify_hash:
            rows, hashed = _report_hashing(settings)
        else:
            rows, hashed = report(settings), False
    except RagError as exc:
        fail(exc)
    local = next((r for r in rows if (r.kind, r.name) == ("answerer", "local")), None)
    if verify_hash and not hashed:
        why = ("RAG_LLM_GGUF is set (your own file has no published hash)" if settings.llm_gguf is not None
               else "the bundled model is not joined yet (it is joined and hash-checked on first load)")
        say("[yellow]note:[/yellow]", f"--verify hashed nothing: {why}")
    if as_json:
        print_json([asdict(r) for r in rows])
    else:
        for i, r in enumerate(rows):
            if i:
                out.print()
            _print_block(r)
    if hashed and local is not None and local.hash_status.startswith("MISMATCH"):
        raise typer.Exit(1)  # scripts can tell a tampered model from a good one


def _report_hashing(settings: Settings) -> tuple[list[ModelInfo], bool]:
    """``report(verify_now=True)`` with a progress bar on stderr while the bundled model is hashed."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from rag.models import report

    with Progress(TextColumn("[bold]hashing the bundled model"), BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), console=console, transient=True) as bar:
        task: list[int] = []

        def progress(done: int, total: int) -> None:
            if not task:
                task.append(bar.add_task("hash", total=total or None))
            bar.update(task[0], completed=done)

        rows = report(settings, verify_now=True, progress=progress)
    return rows, bool(task)


LABEL = 8  # the label column ("answerer", "    file"); its values start two cells after it


def _print_block(r: ModelInfo) -> None:
    """One model: a header line, then labelled lines whose values wrap under their first character
    (paths and fixes folded, never cut with an ellipsis). Printed line by line (``print_hanging``),
    not as a rich grid: the grid padded every line to the width of its widest with spaces, which
    text copied from the terminal or a file kept."""
    ok = Text("ok: yes", style="green") if r.available else Text("ok: no", style="bold red")
    head = Text(safe(r.label, newlines=False), style="bold") + Text("   ") + ok
    if r.active:
        head += Text("   in use", style="bold")
    _line(Text(r.kind), head)
    if r.path:
        _line(Text("    file", style="dim"), safe(r.path, newlines=False))
    hash_status = safe(r.hash_status, newlines=False)
    if r.size_bytes is not None:
        size = _size(r.size_bytes) + (f"   hash: {hash_status}" if r.hash_status != "-" else "")
        _line(Text("    size", style="dim"), size)
    elif r.hash_status != "-":
        _line(Text("    hash", style="dim"), hash_status)
    if r.note:
        _line(Text("    note", style="dim"), safe(r.note, newlines=False))


def _line(label: Text, value: str | Text) -> None:
    print_hanging(Text.assemble(label, " " * (max(LABEL - label.cell_len, 0) + 2)), value)


def _size(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def register(app: typer.Typer) -> None:
    """Add ``rag models`` to ``app``."""
    app.command("models")(models_command)
