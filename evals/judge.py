"""Optional LLM-judged metrics: faithfulness (is the answer backed by its cited passages?) and
correctness (does it agree with the reference answer?). Reported as ``judge_*`` with the judge
model named, never mixed with the rule-based metrics. Needs an LLM (``OPENAI_API_KEY`` or
``OPENAI_BASE_URL``); everything else in ``rag eval`` runs offline.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from evals.run import CaseResult

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)

SYSTEM = (
    "You grade a question-answering system. Reply with one JSON object and nothing else: "
    '{"faithfulness": F, "correctness": C} where F in [0,1] is the share of the answer\'s claims '
    "that the cited passages state, and C in [0,1] is how well the answer agrees with the reference "
    "answer (1 = same facts, 0 = wrong or missing; null when there is no reference)."
)


def build_judge_messages(question: str, answer: str, passages: list[str], reference: str | None) -> list[dict[str, str]]:
    """The exact prompt sent to the judge (pure, so it can be shown and tested)."""
    listing = "\n\n".join(f"[{i}] {p}" for i, p in enumerate(passages, start=1)) or "(none)"
    user = (f"Question: {question}\n\nCited passages:\n{listing}\n\nAnswer: {answer}\n\n"
            f"Reference answer: {reference if reference else '(none)'}")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def parse_scores(reply: str) -> dict[str, float | None]:
    """The two scores from the judge's reply; anything unreadable is None."""
    match = re.search(r"\{.*\}", reply or "", re.S)
    out: dict[str, float | None] = {"faithfulness": None, "correctness": None}
    if not match:
        return out
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return out
    for key in out:
        v = data.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = min(1.0, max(0.0, float(v)))
    return out


class Judge:
    """Scores a ``CaseResult`` with a chat model through the ``openai`` client (or anything shaped like it).

    The default client comes from :func:`rag.openai_client.make_client` (retries and timeout from
    ``settings``, read from the environment when not given)."""

    def __init__(self, model: str, client: Any | None = None, *, settings: Settings | None = None) -> None:
        self.model = model
        self._client = client
        self._settings = settings

    @property
    def client(self) -> Any:
        if self._client is None:
            from rag.openai_client import make_client
            from rag.settings import load_settings

            self._client = make_client(self._settings or load_settings(), purpose="judge")
        return self._client

    def score(self, r: CaseResult) -> CaseResult:
        if r.error:
            return r
        reference = r.gold["answers"][0] if r.gold["answers"] else None
        if r.refused:
            # nothing to judge for faithfulness; a refused answerable question is not correct
            scores = {"faithfulness": None, "correctness": 0.0 if r.type != "unanswerable" and reference else None}
            return replace(r, judge={"model": self.model, **scores},
                           metrics=r.metrics | {f"judge_{k}": v for k, v in scores.items()})
        by_n = {p["n"]: p.get("text", "") for p in r.retrieved if p.get("n")}
        cited = [by_n.get(n, "") for n in dict.fromkeys(c["n"] for c in r.citations)]
        messages = build_judge_messages(r.question, r.answer, cited, reference)
        try:
            resp = self.client.chat.completions.create(model=self.model, messages=messages, temperature=0,
                                                       max_tokens=60)
            reply = resp.choices[0].message.content or ""
        except Exception as exc:  # noqa: BLE001 - a failed judgement is missing, not fatal
            log.warning("judge failed on %s: %s", r.id, exc)
            return replace(r, judge={"model": self.model, "error": str(exc)})
        scores = parse_scores(reply)
        if reference is None:
            scores["correctness"] = None
        return replace(r, judge={"model": self.model, "reply": reply, **scores},
                       metrics=r.metrics | {f"judge_{k}": v for k, v in scores.items()})
