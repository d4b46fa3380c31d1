"""The collection tab's handlers: add uploads and URLs (with progress and per-item results), list,
search and remove stored articles. All of it goes through ``index.pipeline.Collection``.

Uploads are copied into ``$RAG_HOME/uploads/`` before ingesting: Gradio's temporary paths change
with the file's content, and a stable path is what makes re-uploading an edited file *update* the
stored article instead of adding a second copy.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from index.errors import RagError
from index.load import KINDS, expand_inputs, is_url
from index.pipeline import Collection
from index.types import ItemResult
from ui import render

log = logging.getLogger(__name__)

FILE_TYPES = sorted(KINDS)
_LIST_LIMIT = 200
_REFRESH_S = 0.3
_DONE = object()


def parse_urls(text: str | None) -> tuple[list[str], list[ItemResult]]:
    """URLs from the paste box, one per line (or separated by spaces); anything else is a failed item."""
    urls, bad = [], []
    for token in (text or "").split():
        if is_url(token) and token.lower().startswith(("http://", "https://")):
            urls.append(token)
        else:
            bad.append(ItemResult(token, "failed", reason="not an http(s) URL"))
    return urls, bad


class Library:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.uploads = collection.settings.home / "uploads"

    def stage(self, files: Sequence[Any] | None) -> list[str]:
        """Copy uploaded files under ``$RAG_HOME/uploads/`` (same name = same article)."""
        out = []
        self.uploads.mkdir(parents=True, exist_ok=True)
        for f in files or ():
            src = Path(getattr(f, "name", f))
            dest = self.uploads / Path(src.name).name
            shutil.copyfile(src, dest)
            out.append(str(dest))
        return out

    # --- ingest -----------------------------------------------------------------------------
    def add(self, files: Sequence[Any] | None, urls_text: str, search: str,
            progress: gr.Progress = gr.Progress()) -> Iterator[tuple[str, str, Any]]:  # noqa: B008 - gradio's idiom
        """Ingest uploads and URLs; yields (results, article list, remove choices) as items finish."""
        urls, results = parse_urls(urls_text)
        try:
            inputs = self.stage(files) + urls
        except OSError as exc:
            gr.Warning(f"Could not store the upload: {exc}")
            yield render.error_html(f"Could not store the upload: {exc}"), gr.skip(), gr.skip()
            return
        if not inputs:
            if not results:
                gr.Warning("Choose files to upload or paste URLs first.")
            yield render.ingest_html(results), gr.skip(), gr.skip()
            return
        total = len(expand_inputs(inputs))
        events: queue.Queue = queue.Queue()

        def work() -> None:
            try:
                self.collection.ingest(inputs, progress=events.put)
            except Exception as exc:  # noqa: BLE001 - reported below
                events.put(exc)
            finally:
                events.put(_DONE)

        threading.Thread(target=work, name="ui-ingest", daemon=True).start()
        progress((0, total), desc="Adding articles", unit="articles")
        done, shown_at = 0, 0.0
        while (ev := events.get()) is not _DONE:
            if isinstance(ev, Exception):
                log.warning("ingest failed: %s", ev, exc_info=not isinstance(ev, RagError))
                msg = str(ev) if isinstance(ev, RagError) else f"ingest failed ({type(ev).__name__}); see the server log"
                gr.Warning(msg)
                results.append(ItemResult("(batch)", "failed", reason=msg))
                continue
            results.append(ev)
            done += ev.status != "removed"
            known = done < total  # a dump holds many articles: past the item count, just count
            progress((done, total if known else None), desc=f"{ev.status}: {(ev.title or ev.item)[:40]}",
                     unit="articles")
            if time.monotonic() - shown_at > _REFRESH_S:  # a dump reports thousands of items: refresh, don't flood
                shown_at = time.monotonic()
                yield render.ingest_html(results, done, total if known else None), gr.skip(), gr.skip()
        table, choices = self.listing(search)
        yield render.ingest_html(results, done, max(done, total)), table, choices

    # --- list / remove ----------------------------------------------------------------------
    def listing(self, search: str | None = None) -> tuple[str, Any]:
        """The article table and the remove dropdown's choices."""
        try:
            arts = self.collection.db.list_articles((search or "").strip() or None, _LIST_LIMIT)
            stats = self.collection.stats()
        except RagError as exc:
            gr.Warning(str(exc))
            return render.error_html(str(exc)), gr.skip()
        choices = [(f"{a.title or 'Untitled'} · {a.published or 'undated'} · {a.id}", a.id) for a in arts]
        return render.articles_html(arts, stats), gr.update(choices=choices, value=None)

    def remove(self, article_id: str | None, search: str) -> tuple[str, Any]:
        if not article_id:
            gr.Warning("Choose an article to remove.")
            return gr.skip(), gr.skip()
        try:
            results = self.collection.remove([article_id])
        except RagError as exc:
            gr.Warning(str(exc))
            return gr.skip(), gr.skip()
        for r in results:
            if r.status == "removed":
                gr.Info(f"Removed article {r.article_id}.")
            else:
                gr.Warning(f"{r.item}: {r.reason}")
        return self.listing(search)
