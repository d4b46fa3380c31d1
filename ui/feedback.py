"""Thumbs up/down on answers, appended as JSONL so a rated answer can become an eval case later.

Each line holds the question, the conversation before it, the answer, its citations and the
settings it was asked with. Appends are serialised with a lock (several sessions rate at once).

>>> log = FeedbackLog(Path("/tmp/feedback.jsonl"))                       # doctest: +SKIP
>>> log.record("up", answer, history=[], options={"top_k": 5})           # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rag.types import Answer

log = logging.getLogger(__name__)


class FeedbackLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(
        self,
        rating: str,
        answer: Answer,
        *,
        history: Sequence[tuple[str, str]] = (),
        options: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Append one rating; returns the stored record."""
        d = answer.to_dict()
        entry = {
            "ts": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "rating": rating,
            "question": answer.question,
            "answer": answer.text,
            "refused": answer.refused,
            "citations": d["citations"],
            "search_query": answer.search_query,
            "answerer": answer.answerer,
            "history": [list(turn) for turn in history],
            "options": options or {},
            "passages": [{k: p[k] for k in ("n", "article_id", "title", "start", "end")} for p in d["passages"]],
        }
        line = json.dumps(entry, ensure_ascii=False, default=str)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        log.info("feedback %s on %r stored in %s", rating, answer.question[:60], self.path)
        return entry
