"""The exact prompts sent to an LLM, built by pure functions so evals and debugging can see them.

Passages keep their retrieval number ``n`` in the prompt (``[n] Title (date, source)``), so an
``[n]`` marker in the reply points straight back at ``Passage.n`` without any renumbering.

>>> from rag.types import Passage
>>> p = Passage(n=1, chunk_id="a:0", article_id="a", title="Rain", source="example.com",
...             published="2024-05-01", score=1.0, text="It rained in Oslo.", start=0, end=18)
>>> msgs = build_messages("Where did it rain?", [p])
>>> [m["role"] for m in msgs]
['system', 'user']
>>> print(render_passage(p))
[1] Rain (2024-05-01, example.com)
It rained in Oslo.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date
from urllib.parse import urlsplit

from index.tokens import count_tokens
from rag.text import strip_markers as text_strip_markers
from rag.types import REFUSAL, Draft, Passage

log = logging.getLogger(__name__)

Message = dict[str, str]


SYSTEM_PROMPT = f"""You answer questions about news articles using ONLY the numbered passages the user gives you.

Rules:
- Use only facts stated in the passages. Do not use outside knowledge and do not guess.
- After every sentence or claim, cite the passage(s) it comes from by number in square brackets, e.g. [1] or [2][3].
- Only cite numbers that appear in front of a passage below. Never invent a citation number.
- Keep the answer short: a few sentences.
- If the passages do not contain the answer, reply exactly: {REFUSAL}"""



def dated_rules(as_of: date) -> str:
    """The system lines added when the question has a reference date (``as_of``). The model is not asked
    to write dates itself: ``rag.verify`` drops a claim whose numbers/names its passage lacks ("As of
    1 December"); ``rag.recency.reconcile`` adds the dated wording after verification."""
    return (f"\n- Today is {as_of.isoformat()}. Each passage shows the date it was published; read relative dates "
            f"in the question (\"this week\", \"on Sunday\") from today.\n"
            "- When passages of different dates give different figures or names, give the newest first, then the "
            "earlier one, each with its own citation.")


REWRITE_SYSTEM_PROMPT = """You rewrite a follow-up question from a conversation into one standalone search query.

Rules:
- Resolve pronouns and references ("it", "they", "that company") using the conversation.
- Keep names, places, dates and numbers exactly as written.
- Do not answer the question.
- Reply with the rewritten query only, on one line, without quotes or explanations."""



# --- answer prompt -----------------------------------------------------------------------


def render_passage(p: Passage, *, source_host: bool = False) -> str:
    """``[n] Title (published date, source)`` then the passage text, as the model sees it.

    ``source_host`` shortens a URL source to its host name (``www.cnn.com``): the path is
    dozens of tokens that tell a model nothing, and prompt tokens are slow on a local CPU model.
    """
    source = p.source
    if source_host and "://" in source:
        source = urlsplit(source).hostname or source
    meta = ", ".join(x for x in (p.published or "", source) if x)
    header = f"[{p.n}] {p.title.strip() or 'Untitled'}" + (f" ({meta})" if meta else "")
    return f"{header}\n{p.text.strip()}"


def fit_passages(passages: Sequence[Passage], budget_tokens: int, *, source_host: bool = False) -> list[Passage]:
    """Keep passages, in order, while their rendered text fits ``budget_tokens``.

    A passage that does not fit in what is left is dropped whole (never cut mid-sentence, a cut
    passage would make cited quotes unverifiable); a later, shorter one may still fit.
    """
    kept: list[Passage] = []
    used = 0
    for p in passages:
        cost = count_tokens(render_passage(p, source_host=source_host)) + 2  # the blank line between passages
        if used + cost <= budget_tokens:
            kept.append(p)
            used += cost
        else:
            log.debug("passage [%d] (%d tokens) left out: budget %d, used %d", p.n, cost, budget_tokens, used)
    return kept


def strip_markers(text: str) -> str:
    """Remove ``[n]``-style markers of every style (``rag.text.ANY_MARKER``) from an earlier answer
    before it goes back into a prompt: its markers referred to *that* turn's passages; left in,
    they would make the model cite numbers that now mean other passages."""
    return text_strip_markers(text, any_style=True).strip()


def _history_messages(history: Sequence[tuple[str, str]]) -> list[Message]:
    messages: list[Message] = []
    for user, assistant in history:
        messages.append({"role": "user", "content": user.strip()})
        messages.append({"role": "assistant", "content": strip_markers(assistant)})
    return messages


# Repeated at the end of each question turn when asked for: a small model follows the last thing it
# read. Measured with Qwen2.5-Coder-1.5B on 12 RealTime QA dev questions (benchmarks/answerers.py):
# rules in the system prompt only, 4/12 replies carried [n] markers; with this reminder, 12/12.
# "One short sentence ... the passage's own words": every extra clause is one more thing verification
# must find in a passage (80 RealTime QA tuning questions, Nov 2026: see ONE_SHOT).
CITE_REMINDER = (
    "Answer in one short sentence, in the passage's own words. Put the number of the passage you used "
    "in square brackets after it, e.g. [1]."
)


def _user_turn(question: str, passages: Sequence[Passage], *, source_host: bool = False, remind: bool = False) -> str:
    if passages:
        listing = "\n\n".join(render_passage(p, source_host=source_host) for p in passages)
    else:
        listing = "(no passages were found)"
    turn = f"Passages:\n\n{listing}\n\nQuestion: {question.strip()}"
    return f"{turn}\n\n{CITE_REMINDER}" if remind else turn


# A made-up exchange shown before the real question, teaching the answer shape and [n] by example.
# On the 12 questions above it added nothing to markers (12/12 with the reminder alone) or
# containment (0.60 both); both invented answers to unanswerable questions were withheld with it,
# 1 of 2 without: too few questions to call. It costs no time after the first question: it sits in
# the fixed prefix llama.cpp reuses. Invented names, so a leak is caught by verification. Its answer
# repeats the passage's words and adds nothing: an earlier one ("..., by 7 votes to 2 [2].", the
# passage saying "by a vote of 7 to 2") was copied by the model into 2 of 80 real answers
# ("In-N-Out ... expanding to Tennessee, by 7 votes to 2"), whose claims verification then removed.
_EXAMPLE_PASSAGES = (
    Passage(n=1, chunk_id="example:0", article_id="example", title="Harbor bridge reopens", source="example.com",
            published="2021-03-04", score=1.0, start=0, end=0,
            text="The Marlow harbor bridge reopened to traffic on Monday after two years of repairs. "
                 "The work cost $40 million, the city said."),
    Passage(n=2, chunk_id="example:1", article_id="example2", title="Council passes budget", source="example.org",
            published="2021-03-02", score=1.0, start=0, end=0,
            text="Marlow's council approved a $2 billion budget on Tuesday by a vote of 7 to 2."),
)
_EXAMPLE_QUESTION = "What budget did the Marlow council approve?"
ONE_SHOT: tuple[Message, Message] = (
    {"role": "user", "content": _user_turn(_EXAMPLE_QUESTION, _EXAMPLE_PASSAGES)},
    {"role": "assistant",
     "content": "Marlow's council approved a $2 billion budget [2]."},
)


def build_messages(
    question: str,
    passages: Sequence[Passage],
    *,
    history: Sequence[tuple[str, str]] = (),
    one_shot: bool = False,
    source_host: bool = False,
    cite_reminder: bool = False,
    as_of: date | None = None,
) -> tuple[Message, ...]:
    """System rules, earlier ``(question, answer)`` turns, then the numbered passages and the question.

    Passages are rendered as given; call :func:`fit_passages` first to respect a token budget.
    ``one_shot`` puts a worked example exchange (:data:`ONE_SHOT`) right after the rules, teaching
    the ``[n]`` citation format by example (what small local models need); it comes before the
    history so the rules + example prefix is identical for every question, and llama.cpp reuses
    its evaluated tokens instead of processing them again. ``cite_reminder`` ends each question
    turn (the example's too) with :data:`CITE_REMINDER`. ``source_host``: see :func:`render_passage`.
    ``as_of`` adds the reference date and the newest-first rule to the system message (:func:`dated_rules`).
    """
    example: tuple[Message, ...] = ()
    if one_shot:
        user, assistant = ONE_SHOT
        if cite_reminder:
            user = {"role": "user", "content": f"{user['content']}\n\n{CITE_REMINDER}"}
        example = (user, assistant)
    return (
        {"role": "system", "content": SYSTEM_PROMPT + (dated_rules(as_of) if as_of is not None else "")},
        *example,
        *_history_messages(history),
        {"role": "user", "content": _user_turn(question, passages, source_host=source_host, remind=cite_reminder)},
    )


# --- catch-up on a topic (rag.brief.summarize) ------------------------------------------------


def day_summary_request(topic: str, day: str | None, sentences: int) -> str:
    """The request an LLM answers, as its question, for one day of a catch-up on ``topic``; the
    day's passages go with it through :func:`build_messages` like any question's. At most
    ``sentences`` short sentences, each citing its passage: ``rag.verify`` then checks every one
    against its citation, as it does for answers.

    >>> print(day_summary_request("Aleppo", "2024-11-26", 2)[:77])
    Summarise what the passages report about “Aleppo” on 2024-11-26, in at most 2
    """
    when = f"on {day}" if day else "in the undated articles"
    n = max(1, sentences)
    return (f"Summarise what the passages report about “{' '.join(topic.split())}” {when}, in at most {n} short "
            f"sentence{'s' * (n != 1)}, one per event. Use only facts stated in the passages. Put the number of the "
            "passage each sentence comes from in square brackets after it, e.g. [1].")


# --- follow-up rewriting -------------------------------------------------------------------


def build_rewrite_messages(history: Sequence[tuple[str, str]], follow_up: str) -> tuple[Message, ...]:
    """Messages asking for ``follow_up`` rewritten as a standalone search query.

    ``history`` is the conversation so far as ``(question, answer)`` pairs, oldest first.
    """
    lines = []
    for user, assistant in history:
        lines.append(f"User: {user.strip()}")
        lines.append(f"Assistant: {strip_markers(assistant)}")
    conversation = "\n".join(lines) or "(no earlier messages)"
    user = f"Conversation:\n{conversation}\n\nFollow-up question: {follow_up.strip()}\n\nStandalone search query:"
    return ({"role": "system", "content": REWRITE_SYSTEM_PROMPT}, {"role": "user", "content": user})


# --- reading the reply ---------------------------------------------------------------------

_OPENERS = {"[": "]", "【": "】"}
_MARKER_CHARS = frozenset("0123456789 ,;-–")
_MAX_MARKER_LEN = 32
_PUNCT_AFTER = frozenset(".,;:!?)")
_BRACKET_BODY = re.compile(r"\s*\d+(?:\s*(?:[,;]|[-–])\s*\d+)*\s*")
_REFUSAL_RE = re.compile(
    r"^(?:sorry,?\s*)?i (?:could not|couldn't|cannot|can't|did not|didn't) find (?:this|that|it|the answer|an answer)"
    r"(?: to (?:this|that|your) question)? in the (?:provided )?(?:articles?|passages?)"
)


def _marker_numbers(opener: str, body: str) -> list[int] | None:
    """Numbers in a marker body (``1``, ``1, 2``, ``1-3``), or None if it is not a marker."""
    if opener == "【":  # 【1】 or 【1†source】
        m = re.match(r"\s*(\d+)", body)
        return [int(m.group(1))] if m else None
    if not _BRACKET_BODY.fullmatch(body):
        return None
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body.strip()):
        lo, _, hi = re.sub(r"\s+", "", part).replace("–", "-").partition("-")
        if hi and 0 <= int(hi) - int(lo) <= 20:
            numbers.extend(range(int(lo), int(hi) + 1))
        else:
            numbers.extend(int(x) for x in (lo, hi) if x)
    return numbers


class MarkerFilter:
    """Normalise ``[n]`` markers in an LLM reply as it streams, dropping those that cite no passage.

    ``[1, 2]``, ``[1-2]`` and ``【1】`` become ``[1][2]``/``[1]``; markers whose numbers are not in
    ``valid`` are removed together with the space before them and recorded in ``dropped``.
    The same object serves streaming (``feed`` each delta) and whole replies (one ``feed``), so
    the concatenated stream is exactly the final text. Leading/trailing whitespace is dropped.

    >>> f = MarkerFilter({1, 2})
    >>> f.feed("Rain fell [1, 2]. Snow too [7].") + f.finish(), f.dropped
    ('Rain fell [1][2]. Snow too.', [7])
    """

    def __init__(self, valid: Sequence[int] | set[int] | frozenset[int]) -> None:
        self.valid = frozenset(valid)
        self.dropped: list[int] = []
        self._marker: str | None = None  # an open marker being read, with its opening bracket
        self._pending_ws = ""
        self._after_drop = False
        self._started = False

    def feed(self, delta: str) -> str:
        """Take the next piece of the reply; return the text that is now safe to show."""
        out: list[str] = []
        for ch in delta:
            self._char(ch, out)
        return "".join(out)

    def finish(self) -> str:
        """End of reply: release an unterminated bracket as plain text."""
        out: list[str] = []
        if self._marker is not None:
            text, self._marker = self._marker.rstrip(), None
            self._literal(text, out)
        self._pending_ws = ""
        return "".join(out)

    def _char(self, ch: str, out: list[str]) -> None:
        if self._marker is not None:
            opener = self._marker[0]
            if ch == _OPENERS[opener]:
                body, self._marker = self._marker[1:], None
                numbers = _marker_numbers(opener, body)
                if numbers is None:
                    self._literal(opener + body + ch, out)
                else:
                    self._resolve(numbers, out)
                return
            if len(self._marker) < _MAX_MARKER_LEN and (opener == "【" or ch in _MARKER_CHARS):
                self._marker += ch
                return
            text, self._marker = self._marker, None  # not a marker after all
            self._literal(text, out)
            self._char(ch, out)
        elif ch in _OPENERS:
            self._marker = ch
        elif ch.isspace():
            if self._started:
                self._pending_ws += ch
        else:
            self._literal(ch, out)

    def _space(self) -> str:
        ws = self._pending_ws
        if self._after_drop and ws:
            # the marker between two runs of whitespace is gone: keep one run, preferring a line break
            ws = "\n" * ws.count("\n") or " "
        return ws

    def _literal(self, text: str, out: list[str]) -> None:
        if not (self._after_drop and text[0] in _PUNCT_AFTER):
            out.append(self._space())
        out.append(text)
        self._pending_ws, self._after_drop, self._started = "", False, True

    def _resolve(self, numbers: list[int], out: list[str]) -> None:
        good: list[int] = []
        for n in numbers:
            if n not in self.valid:
                if n not in self.dropped:
                    self.dropped.append(n)
            elif n not in good:
                good.append(n)
        if not good:
            self._after_drop = True  # keep the pending space: it may still be needed
            return
        out.append(self._space() + "".join(f"[{n}]" for n in good))
        self._pending_ws, self._after_drop, self._started = "", False, True


def is_refusal(text: str) -> bool:
    """True when the reply is the refusal sentence (or close to it) or has no usable content."""
    norm = " ".join(strip_markers(text).replace("’", "'").lower().split())
    if not re.search(r"\w", norm):
        return True
    return bool(_REFUSAL_RE.match(norm))


# --- shared by the answerers that generate text (rag.llm, rag.local_llm) ----------------------


def fit_with_notice(
    passages: Sequence[Passage], budget_tokens: int, why: str, *, source_host: bool = False
) -> tuple[list[Passage], tuple[str, ...]]:
    """:func:`fit_passages`, plus a user-facing notice when some passages did not fit (``why`` names the limit)."""
    fitted = fit_passages(passages, budget_tokens, source_host=source_host)
    if len(fitted) == len(passages):
        return fitted, ()
    notice = f"{len(passages) - len(fitted)} of {len(passages)} passages were left out of the LLM prompt to fit {why}"
    log.info(notice)
    return fitted, (notice,)


def dropped_notice(dropped: Sequence[int]) -> str:
    """The notice for ``[n]`` markers that cite no passage the model was given (removed from the text).

    >>> dropped_notice([7, 9])
    'Removed citation markers that point at no passage the model was given: [7] [9]'
    """
    return "Removed citation markers that point at no passage the model was given: " + " ".join(
        f"[{n}]" for n in dropped)


class ReplyReader:
    """One model reply read delta by delta: the text safe to show now, then the final ``Draft``.

    Both generating answerers use it, so streaming, ``[n]`` normalisation, dropped markers and
    refusal detection behave the same for a remote server and the in-process model. The deltas
    returned by ``feed`` and ``finish`` concatenate to exactly ``Draft.text``.
    """

    def __init__(self, valid: Sequence[int] | set[int] | frozenset[int]) -> None:
        self.markers = MarkerFilter(valid)
        self.emitted: list[str] = []
        self.raw: list[str] = []
        self._text: str | None = None
        self._refused = False

    @property
    def shown(self) -> bool:
        """Whether any text has been released to the caller (a retry would then repeat it)."""
        return bool(self.emitted)

    @property
    def raw_text(self) -> str:
        return "".join(self.raw)

    @property
    def blank(self) -> bool:
        """Whether the reply so far holds no word: empty, white space, or only markers and punctuation.
        A model that refuses says so (:data:`REFUSAL`); a blank reply is the endpoint's fault (a token
        limit, a content filter, a reasoning model writing its text elsewhere), which the answerers
        raise as a failure rather than pass on as a refusal."""
        return not re.search(r"\w", strip_markers(self.raw_text))

    def feed(self, piece: str) -> str:
        self.raw.append(piece)
        out = self.markers.feed(piece)
        if out:
            self.emitted.append(out)
        return out

    def finish(self) -> str:
        """End of reply: the last text to show (a held-back bracket, or the refusal for an empty reply:
        the answerers check :attr:`blank` first and treat one as a failure)."""
        tail = self.markers.finish()
        if tail:
            self.emitted.append(tail)
        text = "".join(self.emitted)
        self._refused = is_refusal(text)
        if not text:
            self._text = REFUSAL
            return tail + REFUSAL
        self._text = text
        return tail

    def draft(
        self,
        *,
        messages: Sequence[Message],
        usage: dict[str, int],
        notices: tuple[str, ...] = (),
        finish_reason: str | None = None,
    ) -> Draft:
        """The final draft; call after :meth:`finish`."""
        assert self._text is not None, "finish() first"
        extra: tuple[str, ...] = ()
        if self.markers.dropped:
            log.info("dropped [n] markers citing no passage: %s", self.markers.dropped)  # the user has the notice
            extra += (dropped_notice(self.markers.dropped),)
        if finish_reason == "length":
            extra += ("the answer was cut short at the token limit",)
        return Draft(
            text=self._text,
            refused=self._refused,
            messages=tuple(messages),
            dropped_markers=tuple(self.markers.dropped),
            usage=usage,
            notices=notices + extra,
        )
