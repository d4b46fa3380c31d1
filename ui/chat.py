"""The chat tab's handlers: ask through ``RAG.stream`` (the same call the CLI and Python API use),
keep per-session history, show sources per turn, record feedback.

Nothing here answers questions on its own: follow-up rewriting, retrieval, the LLM fallback and
citation checks all happen in ``rag.api.RAG``. This module turns its results into chat messages
and turns every error into a readable message instead of a stack trace.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import gradio as gr

from rag import models
from rag.errors import RagError
from rag.api import LLM_FAILED, RAG
from rag.arguments import no_day
from rag.types import Answer, Filters, Passage
from ui import persist, render, toast
from ui.background import IDLE, polled
from ui.export import answer_export_html
from ui.feedback import FeedbackLog

log = logging.getLogger(__name__)

OFFLINE, LLM, LOCAL = "offline", "llm", "local"


def local_model_label(rag: RAG) -> str | None:
    """The in-process model's label ("local (Qwen2.5-Coder-1.5B)") when ``rag.models`` reports it
    installed (llama-cpp-python and the bundled parts or ``RAG_LLM_GGUF``; nothing is loaded), else
    None. None too when the settings already answer with it: it is then the LLM choice."""
    if rag.settings.answerer == "local":
        return None
    try:
        info = models.local_llm_info(rag.settings)
    except (RagError, OSError) as exc:  # an unreadable model file: not offered
        log.info("the local model is not offered: %s", exc)
        return None
    return info.label if info.available else None


@dataclass
class Turn:
    question: str
    answer: Answer
    msg_index: int  # index of the answer's message in the chat
    options: dict[str, Any] = field(default_factory=dict)
    follow_up: bool = False  # asked with earlier turns as its context


@dataclass
class Asked:
    """One question with the settings it was asked under, and the chat message its answer goes in."""

    question: str
    answerer: str
    top_k: int
    filters: Filters
    as_of: date | None
    options: dict[str, Any]
    slot: int = -1


@dataclass
class Session:
    """Everything one browser session owns (kept in ``gr.State``, never shared)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    answering: int | None = None  # the message an answer is streaming into (None: no answer running)
    asking: str | None = None  # that answer's question
    found: tuple[Passage, ...] | None = None  # the passages it is written from, once retrieval found them
    # questions asked while an answer ran, oldest first: shown in the chat, answered next, in turn
    waiting: list[Asked] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)  # waiting questions Stop took back, for the box

    def stop(self, index: int | None = None) -> bool:
        """Mark the answer streaming into message ``index`` (default: the one running) as stopped: an
        LLM's draft has not been checked against the sources, so none of it stays in the chat. An
        answer or error already in place stays. Stopping the running answer also takes back the
        questions waiting behind it (``returned``): they leave the chat unasked."""
        index = self.answering if index is None else index
        if index is not None and index == self.answering:
            self.answering = self.asking = None
            self.returned += self.take_back()
        if index is None or index >= len(self.messages) or not render.unfinished(self.messages[index]["content"]):
            return False
        self.messages[index] = {"role": "assistant", "content": render.stopped_html()}
        return True

    def take_back(self) -> list[str]:
        """The waiting questions, removed from the chat (they are its last messages) and the queue."""
        if not self.waiting:
            return []
        first = self.waiting[0].slot - 1  # its question's message
        del self.messages[first:]
        questions = [w.question for w in self.waiting]
        self.waiting = []
        return questions

    @property
    def history(self) -> list[tuple[str, str]]:
        return [(t.question, t.answer.text) for t in self.turns]

    def turn_at(self, msg_index: int) -> int | None:
        """The turn a chat message (question or answer) belongs to."""
        for i, t in enumerate(self.turns):
            if msg_index in (t.msg_index, t.msg_index - 1):
                return i
        return None


def intro_text(articles: int) -> str:
    """The empty chat's placeholder (Markdown, no article text in it) for a collection of ``articles``."""
    if articles == 0:
        return ("**The collection is empty.** Add articles in the **Collection** tab (upload files, paste "
                "URLs or watch a feed), then ask about them here: every answer cites the passages it rests on.")
    return (f"Ask a question about your {articles:,} article{'s' * (articles != 1)}: who said what, when, "
            "where or how many. Follow-ups may refer to earlier answers; “What is the latest on …?” lists "
            "the newest stories on a topic.")


def intro_failed_text(exc: BaseException) -> str:
    """The empty chat's placeholder when the collection could not be read for an unexpected reason:
    what went wrong (the exception's type, escaped for the Markdown and HTML the placeholder is shown
    as; its message may hold paths and stays in the server log) and that a question may still work.

    >>> intro_failed_text(KeyError("x"))
    'Could not read the collection just now (KeyError); see the server log. A question may still be answered.'
    """
    name = render.esc(type(exc).__name__).replace("_", "\\_")  # an identifier: "_" is all it holds of Markdown
    return (f"Could not read the collection just now ({name}); see the server log. "
            "A question may still be answered.")


def answer_message(answer: Answer, turn: int, filtered: bool, follow_up: bool) -> dict[str, Any]:
    """An answer's chat message: the bubble (``render.answer_html``), then its Copy button (the
    answer as plain text with its sources, ``ui.export``). A fresh answer and one restored from the
    browser (:meth:`Chat.restore`) are rendered alike."""
    return {"role": "assistant",
            "content": render.answer_html(answer, turn, filtered, follow_up) + answer_export_html(answer)}


def day(value: str | None, name: str) -> date | None:
    """A settings field's date (empty: None); a bad one raises a ``RagError`` that says how to fix it."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        if wrong := no_day(value):  # written right, no day: what is wrong (as the CLI says)
            raise RagError(f"{name} {wrong}") from None
        raise RagError(f"{name} must be a date like 2024-12-01 (got {value!r})") from None


def parse_filters(sources: str | None, since: str | None, until: str | None) -> Filters:
    """Filters from the settings fields; a bad date raises a ``RagError`` that says how to fix it."""
    lo, hi = day(since, "'Published from'"), day(until, "'Published to'")
    if lo and hi and lo > hi:
        raise RagError(f"'Published from' ({lo}) is after 'Published to' ({hi})")
    names = tuple(s.strip() for s in (sources or "").split(",") if s.strip())
    return Filters(sources=names, published_from=lo, published_to=hi)


class Chat:
    """Handlers bound to one ``RAG`` (shared by all sessions: it is thread-safe)."""

    def __init__(self, rag: RAG, feedback: FeedbackLog) -> None:
        self.rag = rag
        self.feedback = feedback
        # a session's answer and a question queued behind it run in different gradio events (and
        # threads): whether one is running and the queue change together, under this lock
        self._lock = threading.Lock()
        self._local_label: str | None = None
        self._local_checked = False
        self._local_rag: RAG | None = None
        self._local_lock = threading.Lock()

    # --- settings ---------------------------------------------------------------------------
    def answerer_choices(self) -> list[tuple[str, str]]:
        """(label, value) per answerer, the default first: the configured LLM if any, else offline.
        The installed local model is offered after them when the settings do not already use it (it
        takes seconds per answer on a CPU, so it is never the default unless RAG_ANSWERER=local)."""
        choices = [("Offline (extractive, no LLM)", OFFLINE)]
        llm = self.rag.llm
        if llm is not None:  # "local (Qwen2.5-Coder-1.5B)" in-process, or the server's model name
            label = getattr(llm, "label", None) or f"LLM · {getattr(llm, 'model', llm.name)}"
            choices.insert(0, (label, LLM))
        local = self.local_label()
        if local is not None:
            choices.append((local, LOCAL))
        return choices

    def local_label(self) -> str | None:
        """:func:`local_model_label`, checked once (the settings summary asks on every change)."""
        if not self._local_checked:
            self._local_label, self._local_checked = local_model_label(self.rag), True
        return self._local_label

    def local_llm(self) -> Any | None:
        """The installed local model's answerer when it is offered (:meth:`local_label`), else None:
        the one the chat's local choice answers with (found, verified and loaded on first use). The
        Timeline's day summaries use it when no LLM is configured."""
        if self.local_label() is None:
            return None
        return self._answering(LOCAL)[0].llm

    def _answering(self, answerer: str) -> tuple[RAG, bool]:
        """The RAG an answer goes through and whether it answers offline. The local choice goes
        through a RAG over the same collection whose settings say ``RAG_ANSWERER=local``: the model
        is found, verified and loaded exactly as that setting does it (once, on first use)."""
        if answerer == LOCAL and self.local_label() is not None:
            with self._local_lock:
                if self._local_rag is None:
                    settings = self.rag.settings.model_copy(update={"answerer": "local"})
                    self._local_rag = RAG(settings, collection=self.rag.collection)
            return self._local_rag, False
        return self.rag, answerer != LLM

    def writer(self, choice: str) -> str | None:
        """The LLM that writes an answer under the answerer ``choice`` (its label), None offline: the
        pending bubble names it, since a model's answer takes many seconds where offline takes one."""
        if choice == LOCAL and self.local_label() is not None:
            return self.local_label()
        if choice == LLM and self.rag.llm is not None:
            return self.answerer_label(choice)
        return None

    def answerer_label(self, choice: str) -> str:
        return dict((v, k) for k, v in self.answerer_choices()).get(choice, choice)

    def settings_summary(self, answerer: str, top_k: float, sources: str, since: str, until: str,
                         as_of: str = "") -> str:
        try:
            filters = parse_filters(sources, since, until)
            reference = day(as_of, "'As of'")
        except RagError as exc:
            return render.error_html(str(exc))
        return render.settings_html(self.answerer_label(answerer), int(top_k), filters, self._articles(), reference)

    def _articles(self) -> int | None:
        """The collection's article count for the settings summary; None when the store cannot say now
        (locked by a writer, unreadable). The summary must never fail for it: a failed refresh left the
        summary as it was, and the page then dropped the refresh the next keystroke had queued (Gradio
        re-runs an ``always_last`` event only after a success), so "all sources" stayed above a chat
        whose questions used the source typed since."""
        try:
            return int(self.rag.collection.db.counts().get("articles", 0))
        except (RagError, sqlite3.Error, OSError) as exc:
            log.warning("could not count the articles for the settings summary: %s", exc)
            return None

    def intro(self) -> Any:
        """The empty chat's placeholder for the collection as it is now. It suggested the seed
        article's question ("Which town did the rebels capture south of Aleppo?") to every
        collection, an empty one too, where it could only be refused: a first run now points at the
        Collection tab, and a collection of other articles gets no question about one it lacks.
        Refreshed on page load and after articles are added or removed. A failure to count them
        that is no ``RagError`` (a bug, a broken database file) is logged with its trace and said in
        the placeholder, escaped: the page stays whole, as a question's unexpected failure leaves it."""
        try:
            n = int(self.rag.collection.db.counts().get("articles", 0))
        except RagError as exc:  # the store is unreadable: the question's answer will say why
            log.warning("could not count the articles: %s", exc)
            return gr.skip()
        except Exception as exc:  # noqa: BLE001 - the edge: log the trace, show a sentence
            log.exception("counting the articles for the chat's intro failed unexpectedly")
            return gr.update(placeholder=intro_failed_text(exc))
        return gr.update(placeholder=intro_text(n))

    # --- asking -----------------------------------------------------------------------------
    def _asked(self, question: str, answerer: str, top_k: float, sources: str, since: str, until: str,
               as_of: str) -> Asked:
        """The question with its settings read; a bad setting raises a ``RagError`` saying how to fix it."""
        filters = parse_filters(sources, since, until)
        return Asked(question, answerer, int(top_k), filters, day(as_of, "'As of'"),
                     {"answerer": answerer, "top_k": int(top_k), "sources": list(filters.sources),
                      "since": since or None, "until": until or None, "as_of": as_of or None})

    def respond(
        self, message: str, session: Session, answerer: str, top_k: float, sources: str, since: str, until: str,
        as_of: str = "",
    ) -> Iterator[tuple[str, list[dict[str, Any]], Session, str]]:
        """Stream one answer into the chat: (textbox, chat messages, session, sources panel); then
        the answers to the questions that were queued behind it (:meth:`queue`), in turn."""
        question = (message or "").strip()
        if not question:
            toast.warn("Type a question first.")
            yield message, session.messages, session, gr.skip()
            return
        try:
            asked: Asked | None = self._asked(question, answerer, top_k, sources, since, until, as_of)
        except RagError as exc:
            toast.warn(str(exc))
            yield message, session.messages, session, gr.skip()
            return
        msgs = session.messages
        with self._lock:
            msgs.append({"role": "user", "content": render.question_html(question)})
            msgs.append({"role": "assistant", "content": render.pending_html(self.writer(answerer))})
            asked.slot = session.answering = len(msgs) - 1
            session.asking, session.found = question, None
        first = True
        try:
            while asked is not None:
                yield from self._answer(asked, session, take_box=first)
                first = False
                asked = self._next(session, asked.slot)
        except GeneratorExit:  # Stop (or a closed tab) closed the stream, maybe after a last draft: keep none
            if asked is not None:
                with self._lock:
                    session.stop(asked.slot)
            raise
        finally:
            with self._lock:
                if asked is not None and session.answering == asked.slot:
                    session.answering = session.asking = None

    def _next(self, session: Session, done: int) -> Asked | None:
        """The waiting question to answer after the answer in message ``done`` (None: the queue is
        empty, or that answer was stopped: Stop took the queue back)."""
        with self._lock:
            if session.answering != done:
                return None
            if not session.waiting:
                session.answering = session.asking = None
                return None
            asked = session.waiting.pop(0)
            session.answering, session.asking, session.found = asked.slot, asked.question, None
            session.messages[asked.slot] = {"role": "assistant", "content": render.pending_html(self.writer(asked.answerer))}
            return asked

    def queue(
        self, message: str, session: Session, answerer: str, top_k: float, sources: str, since: str, until: str,
        as_of: str = "",
    ) -> tuple[str, list[dict[str, Any]]]:
        """Enter (or Ask) while an answer runs: gradio does not start a second answer (the ask event
        runs once at a time), and the key seemed to do nothing. The question goes into the chat at
        once, marked as waiting, the box is emptied for the next one, and the running answer's
        stream answers it when it is done (:meth:`respond`), under the settings in force now.

        The same Enter also starts an answer when none runs: then (or when the question is the one
        being answered) nothing changes here. Returns (textbox, chat messages)."""
        question = (message or "").strip()
        if not question:
            return gr.skip(), gr.skip()
        with self._lock:
            if (session.answering is None or question == session.asking
                    or any(w.question == question for w in session.waiting)):  # Enter and Ask at once
                return gr.skip(), gr.skip()
        try:
            asked = self._asked(question, answerer, top_k, sources, since, until, as_of)
        except RagError as exc:  # kept in the box, to ask again once the setting is fixed
            toast.warn(str(exc))
            return gr.skip(), gr.skip()
        with self._lock:
            if session.answering is None:  # it ended meanwhile: the question stays in the box
                return gr.skip(), gr.skip()
            msgs = session.messages
            msgs.append({"role": "user", "content": render.question_html(question)})
            msgs.append({"role": "assistant", "content": render.waiting_html()})
            asked.slot = len(msgs) - 1
            session.waiting.append(asked)
            return "", msgs

    def _answer(self, asked: Asked, session: Session, take_box: bool = True,
                ) -> Iterator[tuple[str, list[dict[str, Any]], Session, str]]:
        question, slot, answerer, filters = asked.question, asked.slot, asked.answerer, asked.filters
        turn = len(session.turns)
        history = session.history
        msgs = session.messages
        # the box is emptied once, when the question is taken from it: later steps (and a queued
        # question, taken from the box when it was queued) leave it alone, so the next question the
        # user types while an answer streams is not wiped
        yield "" if take_box else gr.skip(), msgs, session, render.sources_pending_html()

        answer: Answer | None = None
        partial = ""
        found: tuple[Passage, ...] | None = None  # the passages an LLM reads, once retrieval found them
        told = False  # the panel was given them

        def heard(passages: tuple[Passage, ...]) -> None:
            nonlocal found
            found = passages
            with self._lock:
                if session.answering == slot:  # not stopped meanwhile: Stop shows them (stop_showing)
                    session.found = passages

        try:
            rag, offline = self._answering(answerer)
            # on a thread of its own: this generator stays stoppable while a model reads its prompt
            stream = polled(lambda: rag.stream(question, top_k=asked.top_k, filters=filters, history=history,
                                               offline=offline, as_of=asked.as_of, found=heard), name="ui-answer")
            for piece in stream:
                if piece is IDLE:  # no word yet: yield nothing new, only to be stoppable (ui.background)
                    yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
                    continue
                if isinstance(piece, Answer):
                    answer = piece
                    continue
                panel = gr.skip()
                if found is not None and not told:  # retrieval is done: the panel shows what the model reads
                    told = True
                    with self._lock:
                        current = session.answering == slot
                    if current:  # a stopped answer's panel is Stop's (stop_showing)
                        panel = render.sources_reading_html(found, question)
                if piece:  # "" came with the passages, before the model's first word: the bubble waits on
                    partial += piece
                    msgs[slot] = {"role": "assistant", "content": render.streaming_html(partial)}
                yield gr.skip(), msgs, session, panel
        except RagError as exc:
            log.warning("question failed: %s", exc)
            shown = render.hide_home(str(exc), self.rag.settings.home)
            msgs[slot] = {"role": "assistant", "content": render.error_html(f"Could not answer: {shown}")}
            toast.warn(shown)
            yield gr.skip(), msgs, session, render.sources_failed_html()  # not "Finding the passages…" for ever
            return
        except Exception as exc:  # noqa: BLE001 - the edge: log the trace, show a sentence
            log.exception("question failed unexpectedly")
            msgs[slot] = {"role": "assistant",
                          "content": render.error_html(f"Something went wrong ({type(exc).__name__}); see the server log.")}
            toast.warn("Something went wrong while answering; see the server log.")
            yield gr.skip(), msgs, session, render.sources_failed_html()
            return
        assert answer is not None
        filtered = bool(filters.sources or filters.published_from or filters.published_to)
        msgs[slot] = answer_message(answer, turn, filtered, bool(history))
        session.turns.append(Turn(question, answer, slot, asked.options, bool(history)))
        # the LLM's call failed (not its answer withheld by verification, which the answer's notice says:
        # new user 13 was told "The LLM failed" of a right answer the check of its type had withdrawn)
        if not offline and any(n.startswith(LLM_FAILED) for n in answer.notices):
            toast.warn("The LLM failed; showing the offline answer instead.")
        yield gr.skip(), msgs, session, render.sources_html(answer, turn)

    def select(self, session: Session, evt: gr.SelectData) -> str:
        """Clicking a message (or one of its [n] markers) shows that turn's sources."""
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        turn = session.turn_at(index)
        if turn is None:
            return gr.skip()
        return render.sources_html(session.turns[turn].answer, turn)

    def like(self, session: Session, evt: gr.LikeData) -> None:
        """Thumbs up/down: append the rated answer to the feedback JSONL."""
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        turn = session.turn_at(index)
        if turn is None or session.turns[turn].msg_index != index:
            return
        t = session.turns[turn]
        rating = {True: "up", False: "down"}.get(evt.liked, str(evt.liked)) if evt.liked is not None else "none"
        try:
            self.feedback.record(rating, t.answer, history=session.history[:turn], options=t.options)
        except OSError as exc:
            log.warning("could not store feedback: %s", exc)
            toast.warn(f"Could not store the feedback ({exc.strerror or type(exc).__name__}); see the server log.")
            return
        toast.info("Thanks: feedback saved.")

    def stop(self, session: Session) -> tuple[list[dict[str, Any]], Session]:
        """The Stop button: the running answer (cancelled by Gradio) shows as stopped at once, and the
        questions waiting behind it leave the chat unasked (:meth:`give_back` puts them in the box)."""
        return self.stop_showing(session)[:2]

    def stop_showing(self, session: Session) -> tuple[list[dict[str, Any]], Session, str]:
        """The Stop button as wired: :meth:`stop`, and the sources panel after it. The panel said
        "Finding the passages for this question…" for good (the cancelled answer never replaced it).
        It shows the passages the stopped answer was being written from, with a note that it was
        stopped; when they had not been found yet, the sources of the last answer that was finished
        (none: the empty panel). With no answer running, the panel is left as it is."""
        with self._lock:
            running, question, found = session.answering is not None, session.asking, session.found
            stopped = session.stop()
            if not running:
                return session.messages, session, gr.skip()
            if stopped and found is not None and question is not None:
                panel = render.sources_stopped_html(found, question)
            elif session.turns:  # also an answer that was finished just as Stop was pressed
                panel = render.sources_html(session.turns[-1].answer, len(session.turns) - 1)
            else:
                panel = render.sources_html(None)
            return session.messages, session, panel

    def give_back(self, message: str, session: Session) -> str:
        """After Stop: the question box with the questions Stop took back, one per line, before
        whatever was typed meanwhile (nothing typed is lost; Enter asks them)."""
        with self._lock:
            returned, session.returned = session.returned, []
        if not returned:
            return gr.skip()
        return "\n".join([*returned, *([message] if (message or "").strip() else [])])

    # --- the history kept in the browser (ui.persist) ---------------------------------------------
    def save(self, session: Session) -> dict[str, Any]:
        """The session's answered turns as the browser keeps them (``ui.persist``: data, no HTML).
        Wired after every answer, Stop and New chat (an empty chat is stored too: it clears)."""
        with self._lock:
            turns = list(session.turns)
        return persist.dumped([persist.turn_record(t.question, t.answer, t.options, t.follow_up) for t in turns])

    def restore(self, stored: Any, session: Session) -> tuple[Any, Any, Any, Any]:
        """On page load: the turns the browser kept, back in the chat and the session (so follow-ups
        read them as context), rendered as a fresh answer is (every article string escaped), and the
        last one's sources in the panel. Returns (chat messages, session, sources panel, stored value).
        A session that already holds a question (asked before the load's restore came) is left as it
        is; an unreadable stored value leaves the chat empty and is replaced by an empty one."""
        skip = (gr.skip(), gr.skip(), gr.skip())
        turns = persist.restored(stored)
        discard = persist.empty() if stored is not None and not turns and stored != persist.empty() else gr.skip()
        if not turns:
            return (*skip, discard)
        try:
            messages: list[dict[str, Any]] = []
            kept: list[Turn] = []
            for i, r in enumerate(turns):
                o = r.options
                filtered = bool(o.get("sources") or o.get("since") or o.get("until"))
                messages.append({"role": "user", "content": render.question_html(r.question)})
                messages.append(answer_message(r.answer, i, filtered, r.follow_up))
                kept.append(Turn(r.question, r.answer, len(messages) - 1, r.options, r.follow_up))
            panel = render.sources_html(kept[-1].answer, len(kept) - 1)
        except Exception as exc:  # noqa: BLE001 - data from the browser: any failure is an empty chat
            log.debug("the chat history stored in the browser could not be shown; starting empty: %r", exc)
            return (*skip, persist.empty())
        with self._lock:
            if session.messages or session.turns or session.answering is not None:
                return (*skip, gr.skip())
            session.messages[:] = messages
            session.turns[:] = kept
        return session.messages, session, panel, gr.skip()

    def clear(self) -> tuple[list, Session, str]:
        return [], Session(), render.sources_html(None)

    def new_chat(self, message: str, session: Session) -> tuple[str, list, Session, str]:
        """The New chat button and the chat's trash button: a new conversation (:meth:`clear`);
        questions still waiting for an answer go back into the box rather than away with the old one."""
        with self._lock:
            waiting = session.take_back() + session.returned
            session.returned = []
        box = "\n".join([*waiting, *([message] if (message or "").strip() else [])]) if waiting else gr.skip()
        return (box, *self.clear())
