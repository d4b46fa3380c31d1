"""The collection tab's handlers: add uploads and URLs (with progress and per-item results), list,
search and remove stored articles. All of it goes through ``index.pipeline.Collection``.

Uploads go through :class:`ui.uploads.Uploads`: size limit, a stable copy under
``$RAG_HOME/uploads/`` (so re-uploading an edited file *updates* its article), cleanup of refused
files, and results that name files as uploaded, never by a server path.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import gradio as gr

from index.errors import RagError
from index.load import KINDS, expand_inputs, is_url
from index.pipeline import Collection
from index.types import ItemResult
from ui import render, toast
from ui.uploads import Staged, Uploads

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
        self.uploads = Uploads.for_settings(collection.settings)

    # --- ingest -----------------------------------------------------------------------------
    def add(self, files: Sequence[Any] | None, urls_text: str, search: str,
            progress: gr.Progress = gr.Progress()) -> Iterator[tuple[str, str, Any]]:  # noqa: B008 - gradio's idiom
        """Ingest uploads and URLs; yields (results, article list, remove choices) as items finish."""
        urls, results = parse_urls(urls_text)
        staged, refused = self.uploads.stage(files)
        results += refused
        for r in refused:
            toast.warn(f"{r.item} {r.reason}")
        inputs = [str(s.path) for s in staged] + urls
        if not inputs:
            if not results:
                toast.warn("Choose files to upload or paste URLs first.")
            yield render.ingest_html(results), gr.skip(), gr.skip()
            return
        yield from self._ingest(inputs, staged, results, search, progress)

    def _ingest(self, inputs: list[str], staged: list[Staged], results: list[ItemResult], search: str,
                progress: gr.Progress) -> Iterator[tuple[str, str, Any]]:
        """Run the ingest in a thread and stream its results (as the browser may see them) into ``results``."""
        total = len(expand_inputs(inputs))
        events: queue.Queue = queue.Queue()

        def work() -> None:
            raw: list[ItemResult] = []  # as the pipeline reports them (server paths)

            def report(ev: ItemResult) -> None:
                raw.append(ev)
                events.put(ev)

            try:
                self.collection.ingest(inputs, progress=report)
            except Exception as exc:  # noqa: BLE001 - reported below
                events.put(exc)
            finally:  # here, not in the generator: a closed browser tab must not cut the cleanup short
                self.uploads.settle(staged, raw)
                events.put(_DONE)

        threading.Thread(target=work, name="ui-ingest", daemon=True).start()
        progress((0, total), desc="Adding articles", unit="articles")
        done, shown_at = 0, 0.0
        while (ev := events.get()) is not _DONE:
            if isinstance(ev, Exception):
                log.warning("ingest failed: %s", ev, exc_info=not isinstance(ev, RagError))
                msg = str(ev) if isinstance(ev, RagError) else f"ingest failed ({type(ev).__name__}); see the server log"
                failed = self.uploads.shown(staged, ItemResult("(batch)", "failed", reason=msg))
                toast.warn(failed.reason or msg)
                results.append(failed)
                continue
            ev = self.uploads.shown(staged, ev)
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
            shown = render.hide_home(str(exc), self.collection.settings.home)
            toast.warn(shown)
            return render.error_html(shown), gr.skip()
        choices = [(f"{a.title or 'Untitled'} · {a.published or 'undated'} · {a.id}", a.id) for a in arts]
        return render.articles_html(arts, stats), gr.update(choices=choices, value=None)

    def remove(self, article_id: str | None, search: str) -> tuple[str, Any]:
        if not article_id:
            toast.warn("Choose an article to remove.")
            return gr.skip(), gr.skip()
        try:
            results = self.collection.remove([article_id])
        except RagError as exc:
            toast.warn(render.hide_home(str(exc), self.collection.settings.home))
            return gr.skip(), gr.skip()
        for r in results:
            if r.status == "removed":
                toast.info(f"Removed article {r.article_id}.")
            else:
                toast.warn(f"{r.item}: {r.reason}")
        return self.listing(search)
