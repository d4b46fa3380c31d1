"""The one code path every consumer uses: ``ask`` (and ``stream``) over a stored collection.

>>> from rag import ask
>>> answer = ask("Which town did the rebels capture south of Aleppo?")   # doctest: +SKIP
>>> answer.citations[0].quote                                           # doctest: +SKIP
'Rebels said on Sunday they had pushed further south of Aleppo city and captured the town of Khansir ...'
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from index.collection import Collection
from rag.brief import CATCH_UP_DAYS, CATCH_UP_EVENTS, Brief, brief, catch_up_topic, digest, news_question
from rag.arguments import (
    History, HistoryInput, checked_as_of, checked_filters, checked_inputs, checked_text, checked_top_k,
)
from rag.errors import LLMError, StoreError
from rag.evidence import Question, prepare
from rag.extractive import REFUSAL, ExtractiveAnswerer
from rag.followup import (
    elided_question,
    needs_context,
    points_at_nothing,
    reading_as_of,
    rewrite_query,
    they_named,
    time_shift,
    topic_of_pointer,
    topic_shift,
)
from rag.recency import day_label, reconcile
from rag.retrieve import Retrieval, retrieve
from rag.settings import Settings, load_settings
from rag.notices import language_notice, search_notices
from rag.short_answer import asking_sentence, candidates, extract, wanted_type, weekday_in
from rag.text import MARKER, YES_NO, answer_type, split_sentences, terms
from rag.timewindow import asked_period, reported_in, understand
from rag.types import Answer, Citation, Draft, Filters, Passage, TimeWindow, lead_with, published_day
from rag.verify import ClaimGate, Verified, corrected_notice, premise_notice, removed_notice, verify

log = logging.getLogger(__name__)



class RAG:
    """A collection plus the answerers. Thread-safe for concurrent ``ask`` calls."""

    def __init__(self, settings: Settings | None = None, *, collection: Collection | None = None,
                 llm: object | None = None) -> None:
        self.settings = settings or (collection.settings if collection else load_settings())
        self._owns_collection = collection is None  # close() releases only a collection this RAG opened
        self.collection = collection or Collection.open(self.settings)
        self.store = self.collection.store
        self.extractive = ExtractiveAnswerer(
            self.store.doc_freqs,
            self.store.n_lexical,
            max_sentences=self.settings.max_answer_sentences,
            refuse_below=self.settings.refuse_below,
            embed=lambda texts: self.collection.embedder(texts),
            # counted nouns ("18 countries" for "how many staff") are told apart with the model
            # ``rag/fitted/nouns.json`` was fitted with, the bundled one
            nouns=self.collection.embedder if self.collection.embedder.name.startswith("local:") else None,
        )
        self._llm = llm
        self._llm_lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        """Release the collection this RAG opened (its article database and Chroma client); a
        collection passed in belongs to the caller. Also ``with RAG(...) as rag:``. Asking a closed
        RAG raises ``StoreError`` saying so (it was SQLite's "Cannot operate on a closed database")."""
        self._closed = True
        if self._owns_collection:
            self.collection.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("this RAG was closed (rag.close(), or the end of its `with` block); "
                             "open a new one: RAG()")

    def __enter__(self) -> RAG:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def llm(self):  # noqa: ANN201 - rag.llm.LLMAnswerer | rag.local_llm.LocalAnswerer | None
        """The generative answerer when one is configured, built lazily (no key is read and no model
        loaded before it is needed): in-process llama.cpp for ``RAG_ANSWERER=local``, else an
        OpenAI-compatible server."""
        local = self.settings.answerer == "local"
        if self._llm is None and (local or self.settings.use_llm()):
            with self._llm_lock:
                if self._llm is None:
                    if local:
                        from rag.local_llm import LocalAnswerer

                        self._llm = LocalAnswerer(self.settings)
                    else:
                        from rag.llm import LLMAnswerer

                        self._llm = LLMAnswerer(self.settings)
        return self._llm

    @property
    def answerer_name(self) -> str:
        return self.llm.name if self.llm is not None else self.extractive.name

    def search_query(self, question: str, history: History = ()) -> str:
        """The standalone query searched for a (possibly follow-up) question."""
        if not history:
            return question
        # a question that stands alone is searched as written, with an LLM too: the rewrite cost a model
        # call per chat turn (5-10 s with the local model) and could pull the last topic into a new one
        if self.llm is not None and needs_context(question, history):
            try:
                return self.llm.rewrite(history, question)
            except LLMError as exc:
                log.warning("LLM rewrite failed, using the offline rewrite: %s", exc)
        return rewrite_query(question, history)

    def ask(
        self,
        question: str,
        *,
        top_k: int | None = None,
        filters: Filters | None = None,
        history: HistoryInput | None = (),
        offline: bool = False,
        as_of: date | str | None = None,
        query_vector: np.ndarray | None = None,
    ) -> Answer:
        """Answer ``question`` from the collection, citing the passages it rests on.

        ``as_of`` is the reference date ("today") that relative time expressions in the question
        ("this week", "on Sunday", "latest") are resolved against: a ``date``, a ``datetime`` (its day) or
        "YYYY-MM-DD"; default: today. ``history`` is the conversation so far, oldest first: (question,
        answer) pairs, the answer a str or the ``Answer`` returned, or OpenAI-style chat messages
        (``{"role": "user"|"assistant", "content": str}``). A bad argument raises ``InputError`` naming it.
        ``query_vector``
        is the embedding of the searched query (``search_query(question, history)``), for callers that
        computed it already (evals embed once)."""
        result: Answer | None = None
        for item in self.stream(question, top_k=top_k, filters=filters, history=history, offline=offline,
                                as_of=as_of, query_vector=query_vector):
            if isinstance(item, Answer):
                result = item
        assert result is not None
        return result

    def stream(
        self,
        question: str,
        *,
        top_k: int | None = None,
        filters: Filters | None = None,
        history: HistoryInput | None = (),
        offline: bool = False,
        as_of: date | str | None = None,
        query_vector: np.ndarray | None = None,
        checked: bool = False,
        found: Callable[[tuple[Passage, ...]], None] | None = None,
    ) -> Iterator[str | Answer]:
        """Yield answer text deltas as an LLM produces them (none offline), then the final ``Answer``.

        The deltas are the model's draft; the ``Answer`` holds what verification kept of it. With
        ``checked`` they are verified claims instead, each let through once the next has begun
        (``rag.verify.ClaimGate``; what ``rag serve`` streams to OpenAI clients, which show deltas
        as final): their concatenation is the answer's text unless the answer was then replaced
        (the offline fallback, a newest-first rewrite), which a caller sees by comparing.

        ``found``: called with the passages once retrieval has found them, before an LLM reads them,
        and then an empty delta is yielded, so the caller can show them at once (a local model reads
        for seconds before its first word; the UI's sources panel said "Finding the passages…" over a
        draft written from them, and after Stop). Not called offline, nor when nothing was found.

        The arguments are checked first (``rag.arguments``): a bad one raises ``InputError`` naming it,
        when the first item is asked for."""
        t0 = time.perf_counter()
        self._check_open()
        question, top_k, filters, history, as_of = checked_inputs(question, top_k, filters, history, as_of)
        timings: dict[str, float] = {}
        t = time.perf_counter()
        # "And the week before?" after "What happened this week?": the last question, about another time
        # "What about Twitter?" after "What happened with Mauna Loa this week?": the catch-up, about Twitter
        with reading_as_of(as_of):  # "And the week before?" after "on Sunday": the Sunday before ``as_of``
            shifted = time_shift(question, history) or topic_shift(question, history)
            standalone = shifted or question
            query = shifted or self.search_query(question, history)
            timings["rewrite"] = (time.perf_counter() - t) * 1000
            window = understand(standalone, as_of)
            topic = None
            if self.llm is None or offline:
                phrase = window.phrase if window else ""
                if news_question(standalone, phrase):  # "What happened this week?": on any topic, whatever came before
                    topic = ""
                elif not history or shifted or not needs_context(question, history):  # "What is the latest on Aleppo?"
                    topic = catch_up_topic(standalone, phrase)
                else:  # "What is the latest on it?": on what the last question was about
                    said = catch_up_topic(standalone, phrase)
                    meant = topic_of_pointer(said, history)
                    topic = meant if meant != said else None
        caught_up = self._catch_up(standalone, topic, window, as_of, filters, t0, timings) \
            if topic is not None else None
        if caught_up is not None:  # "What is the latest on Aleppo?": the newest stories, dated and cited
            yield replace(caught_up, question=question) if shifted else caught_up
            return
        changing = _about_a_changing_fact(standalone, window)
        reported = reported_in(window, as_of)  # the dates a report of what it asks about may carry (refusal feature)
        prepared, got = self._retrieve(query, top_k, filters, window, as_of, query_vector)
        timings.update({f"retrieve_{k}": v for k, v in got.timings_ms.items()})
        timings["retrieve"] = sum(got.timings_ms.values())
        passages = got.passages

        t = time.perf_counter()
        # a store missing vectors answers by keyword search alone: say so on every answer
        notices: list[str] = list(self.store.health_notices())
        if not passages and filters is not None and not filters.is_empty():  # "--source nonexistent-outlet"
            notices.extend(search_notices(self, passages, None, filters))
        llm = None if offline else self.llm
        draft: Draft | None = None
        name = self.extractive.name
        if llm is not None and passages:
            if found is not None:
                found(tuple(passages))
                yield ""  # the caller has control before the model's first word
            gate = ClaimGate(passages, question) if checked else None
            try:
                for piece in llm.stream(question, passages, history=history, as_of=as_of):
                    if isinstance(piece, Draft):
                        draft = piece
                    else:
                        yield from gate.feed(piece) if gate is not None else (piece,)
                if gate is not None:
                    yield from gate.finish()
                name = llm.name
            except LLMError as exc:
                log.warning("LLM failed, falling back to the offline answer: %s", exc)
                notices.append(f"{LLM_FAILED} ({exc}); showing the offline answer instead.")
        # "What about Meta?" after "How many jobs is Amazon cutting?" asks "How many jobs is Meta cutting?": a
        # number, not the name the searched "What about Meta? jobs cutting" would take (it was "Facebook")
        with reading_as_of(as_of):
            elided = (elided_question(question, history) or they_named(question, history)) if query != question else None
        if draft is None:  # a follow-up ("And when?") is answered as the standalone query it was searched as
            after = (question, history[-1][1]) if history and query != question else None  # not the same again
            draft = (self.extractive.answer(elided or query, passages, prepared=prepared,
                                            query_vector=got.query_vector, as_of=as_of if changing else None,
                                            after=after, asked=asked_period(standalone, window), reported=reported)
                     if passages else Draft(REFUSAL, True))
        timings["answer"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        asked = prepared if query == question else self.extractive.prepare(elided or question)
        checked = verify(draft.text, passages, question) if not draft.refused else None
        timings["cite"] = (time.perf_counter() - t) * 1000
        refused = draft.refused
        text = draft.text
        citations: tuple = ()
        removed: tuple[str, ...] = ()
        if checked is not None:
            citations, text, removed = checked.citations, checked.text, checked.removed
            if corrected := corrected_notice(checked):
                notices.append(corrected)
            if removed:
                notices.append(removed_notice(removed))
            # an LLM answer verification emptied, or one that answers nothing: the offline answer may stand in
            why = None
            if name != self.extractive.name and not draft.refused:
                if not citations:
                    why = "No passage supports what the model wrote, so its answer was withheld"
                elif answers_nothing(asked, text):
                    why = f"The model's answer does not answer the question ({text[:120]})"
            fallback = self._verified_fallback(question, query, passages, prepared, got.query_vector,
                                               as_of if changing else None, reported) if why else None
            if fallback is not None:  # the model's prompt, usage and notices stay on the answer
                draft = replace(fallback[0], messages=draft.messages, usage=draft.usage,
                                notices=draft.notices + fallback[0].notices, dropped_markers=draft.dropped_markers)
                citations, text, name = fallback[1].citations, fallback[1].text, self.extractive.name
                notices.append(f"{why}; showing the passages' best-supported sentences instead.")
            if not citations:
                refused, text = True, REFUSAL
                notices.append("No cited passage supports the answer, so it was withheld.")
        if refused:
            text = REFUSAL if name == self.extractive.name else (text or REFUSAL)
        short = None if refused else short_answer_in(asked, draft.short_answer, citations, text,
                                                     proposed_only=name == self.extractive.name)
        citations = self._with_versions(citations, passages, notices)
        if changing and not refused:  # passages of different dates disagree: the newest, dated, then the earlier one
            text, citations = reconcile(text, citations, passages, short[0] if short else None, as_of, asked)
            short = short_after_rewrite(asked, short, citations, text)
        outside = None if refused or (filters and (filters.published_from or filters.published_to)) else \
            outside_window(window, citations, as_of)
        if outside and short and shifted and any(published_day(c) for c in citations):
            # "And the week before?" asks the last question of another period: a bold answer from an article
            # of no day of it is the last answer again ("about 3 miles" of 2 December for the week before the
            # eruption, new user 14); the sentences and the notice stay. (For any question naming a period it
            # cost the RealTime QA weeks 10 right short answers for 13 wrong ones: their articles' dates are
            # the search results', often a day or two off the week asked.)
            short = None
        if short and not refused and name == self.extractive.name:  # the answer first: "Khansir. Rebels said ..."
            text = lead_with(dated_weekday(short[0], citations) or short[0], text)
        foreign = language_notice(question) if refused and self.collection.embedder.name.startswith("local:") else None
        if foreign:  # "叛军占领了哪个城镇？": all-MiniLM-L6-v2 and the FTS index read English
            notices.append(foreign)
        with reading_as_of(as_of):
            pronoun = None if refused else points_at_nothing(question, history)
        if pronoun:  # "How fast was she?" asked first: who "she" is was guessed from the passages
            notices.append(f'"{pronoun}" points at no earlier question, so the answer guesses who is meant; '
                           "ask again with a name")
        if outside:
            notices.append(outside)
        older = None if refused or outside else older_than_found(window, citations, passages, as_of)
        if older:
            notices.append(older)
        cited = {c.article_id for c in citations}  # their passages: a contradiction may lie beside the quotes
        premise = None if refused else premise_notice(question, [c.quote for c in citations],
                                                      [p.text for p in passages if p.article_id in cited])
        if premise:  # "Why did Truss resign after 90 days?" over "... resigns after 45 days"
            notices.append(premise)
        later = sorted({d for c in citations if (d := published_day(c)) is not None and d > as_of}) \
            if not refused else []
        if later:  # --as-of 2022-11-16 answered from a 20 November article: known only after that day
            notices.append(f"The answer cites articles published after {day_label(as_of, as_of)} (the date "
                           f"asked as of): {', '.join(day_label(d, as_of) for d in later)}.")
        after = len(self.store.db.filter_article_ids((), as_of + timedelta(days=1), None)) if refused else 0
        if after:  # as of 18 November, the 20 November story of Iger's return was not found, and the notice
            # asked for other words (new user 15): say that what came after the day asked counts only last
            notices.append(f"{after} stored article{'s' if after != 1 else ''} published after "
                           f"{day_label(as_of, as_of)} (the date asked as of) count only as a last resort; asked as "
                           "of a later day, they are searched as its news.")
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield Answer(
            question=question,
            text=text,
            refused=refused,
            citations=citations if not refused else (),
            passages=passages,
            timings_ms={k: round(v, 2) for k, v in timings.items()},
            answerer=name,
            search_query=query,
            messages=draft.messages,
            notices=tuple(notices) + draft.notices,
            dropped_markers=draft.dropped_markers,
            usage=dict(draft.usage),
            confidence=draft.confidence,
            unsupported_claims=removed,
            short_answer=short[0] if short else None,
            short_answer_span=(short[1], short[2]) if short else None,
            as_of=as_of,
            time_window=window,
        )

    def _verified_fallback(
        self, question: str, query: str, passages: Sequence[Passage], prepared: Question | None,
        query_vector: np.ndarray | None, as_of: date | None, reported: TimeWindow | None = None,
    ) -> tuple[Draft, Verified] | None:
        """The offline answer when an LLM answered but verification removed every sentence it wrote
        (``RAG_LLM_FALLBACK=extractive``, the default): only if the offline answerer's fitted model
        finds the evidence answerable, else None (refuse). A small model's unverifiable answer is
        mostly a wrong one ("Phoenix" for Chicago); the passages may still answer the question.
        Measured by replaying the local model's answers to 80 RealTime QA tuning questions
        (``benchmarks.answerers --replay``): see the README's "Local model against the offline answerer"."""
        if self.settings.llm_fallback != "extractive" or not passages:
            return None
        draft = self.extractive.answer(query, passages, prepared=prepared, query_vector=query_vector, as_of=as_of,
                                       reported=reported)
        if draft.refused or (draft.confidence or 0.0) < FALLBACK_MIN_CONFIDENCE:
            return None
        checked = verify(draft.text, passages, question)
        return (draft, checked) if checked.citations else None

    def _catch_up(self, question: str, topic: str, window: TimeWindow | None, as_of: date, filters: Filters | None,
                  t0: float, timings: dict[str, float]) -> Answer | None:
        """The offline answer to a catch-up question ("What is the latest on Aleppo?", "What happened
        with Aleppo this week?"; ``topic`` "": "What happened this week?", every story by its opening
        sentence, ``rag.brief.digest``): the newest ``CATCH_UP_EVENTS`` stories about the topic published in
        the question's window (else the date filters' range, else, or when a window up to today is shorter
        and empty, as "this week" asked on a Monday, the ``CATCH_UP_DAYS`` before ``as_of``, and a notice
        says so; ``catch_up_period``), newest first, each the
        dated sentence that best states it (``rag.brief``, the same selection as ``rag brief`` and the
        Timeline), as exact quotes with their citations. None when no story was published then: the
        question is answered as any other. Such a question names no fact, so the sentence ranker and
        the refusal model, which read the question's words against a sentence, refused it (P 0.07)."""
        if not self.store.db.has_chunks():  # answered as any other: its refusal says the collection is empty
            return None
        asked_period = window is not None and (window.start or window.end)
        since, until = catch_up_period(window, as_of, filters)
        t = time.perf_counter()
        sources = filters.sources if filters else ()
        if since is not None and until is not None and since > until and window is not None and filters is not None \
                and (filters.published_from or filters.published_to):
            said = f'"{window.phrase}": ' if window.phrase else ""  # "this week" with --until 2022-12-31
            return self._refused(question, timings, window, as_of, (
                f"The period asked about ({said}{_span(*_asked(window, as_of))}) and the date filters "
                f"({_span(filters.published_from, filters.published_to)}) have no day in common, so no "
                "article can be in both.",))
        def stories() -> Brief:
            return brief(self, topic, since=since, until=until, sources=sources) if topic else \
                digest(self, since=since, until=until, sources=sources)

        told = stories()
        wider = ""
        if not told.events and since is not None and until == as_of and (until - since).days < CATCH_UP_DAYS - 1 \
                and (filters is None or filters.published_from is None):  # "this week", asked on a Monday
            wider = f"nothing {'about it ' if topic else ''}was published {since.isoformat()} .. {until.isoformat()}; "
            since = as_of - timedelta(days=CATCH_UP_DAYS - 1)
            told = stories()
        if not told.events and topic and not asked_period and since is not None and \
                (filters is None or filters.published_from is None):
            # "Any news on Shinzo Abe?" when nothing about him appeared in the week: his newest stories,
            # said to be older (answered as any other question, it quoted July with no date said)
            wider = f"nothing about it was published {since.isoformat()} .. {until.isoformat()}; "
            since = None
            told = stories()
        events = told.events
        timings["retrieve"] = (time.perf_counter() - t) * 1000
        if not events and topic == "":  # "What happened on Sunday?": say that nothing is dated then
            # filters that leave no article at all ("--source nonexistent-outlet"): say so, not the dates
            excluded = search_notices(self, (), None, filters)
            newest, _ = self.store.db.first_chunks(sources, None, as_of, 1)
            later, n_later = self.store.db.first_chunks(sources, as_of + timedelta(days=1), None, 1)
            # the newest *up to as_of*: "the newest article is of 24 October" read as the collection's
            # newest when it held November too; with no later article the collection's newest it is
            by = f" up to the as-of date ({day_label(as_of, as_of)})" if later else ""
            last = f"; the newest article{by} is of {day_label(published_day(newest[0]), as_of)}" \
                if newest and published_day(newest[0]) else ""
            if later and published_day(later[0]):
                last += (f"; {n_later} later stor{'y is' if n_later == 1 else 'ies are'} stored, up to "
                         f"{day_label(published_day(later[0]), as_of)}")
            return self._refused(question, timings, window or TimeWindow(since, until, "", True), as_of, tuple(
                excluded or [(wider[:1].upper() + wider[1:] if wider else "")
                             + f"{'n' if wider else 'N'}o article in the collection is dated "
                             f"{_span(since, until)}{' either' if wider else ''}{last}."]))
        if not events:
            return None
        newest = events[-CATCH_UP_EVENTS:][::-1]
        passages = tuple(replace(e.passages[0] if e.passages else _cited_passage(e.citation), n=i)
                         for i, e in enumerate(newest, 1))
        citations = self._with_versions([replace(e.citation, n=i) for i, e in enumerate(newest, 1)], passages)
        text = " ".join(f"{_dated(p, as_of)}{_marked(e.citation.quote, p.n)}"
                        for p, e in zip(passages, newest, strict=True))
        total = told.total or len(events)
        listed = " (a brief of the topic over the same period lists them all)" if topic else ""
        more = f"; {total} stories in all{listed}" if total > len(newest) else ""
        timings["total"] = (time.perf_counter() - t0) * 1000
        return Answer(
            question=question, text=text, refused=False, citations=citations, passages=passages,
            timings_ms={k: round(v, 2) for k, v in timings.items()}, answerer=self.extractive.name,
            search_query=topic or question,
            notices=(f"A catch-up question: {wider}the newest stories "
                     + (f"about \u201c{topic}\u201d " if topic else "on any topic, each by its opening sentence, ")
                     + f"published {_span(since, until)}, newest first{more}.",
                     # days naming the topic in more passages than a brief reads (``Brief.incomplete``)
                     *((told.incomplete,) if getattr(told, "incomplete", "") else ())),
            as_of=as_of, time_window=window or TimeWindow(since, until, "", True),
        )

    def _refused(self, question: str, timings: dict[str, float], window: TimeWindow, as_of: date,
                 notices: tuple[str, ...]) -> Answer:
        """A catch-up question refused, with the notices saying why (no article in its period)."""
        return Answer(question=question, text=REFUSAL, refused=True, citations=(), passages=(),
                      answerer=self.extractive.name, timings_ms={k: round(v, 2) for k, v in timings.items()},
                      search_query=question, notices=notices, as_of=as_of, time_window=window)

    def _with_versions(self, citations: Sequence[Citation], passages: Sequence[Passage],
                       notices: list[str] | None = None) -> tuple[Citation, ...]:
        """Each citation with the other versions of its story ("also in: ..."): the same wire story
        from several outlets is one source, cited once, with the others listed. A version whose text
        words the quoted sentence otherwise (a correction: "carries 340 passengers" then "410") is no
        "also in": ``notices`` gets what it says instead, with its date (new user 29's answer gave the
        outdated 340 and listed the corrected file as if it agreed)."""
        story = {p.n: p.story_id for p in passages}
        out = []
        for c in citations:
            sid = story.get(c.n)
            others: list[str] = []
            for v in self.store.story_versions(sid) if sid else ():
                if not v.is_copy and v.article_id == c.article_id:
                    continue
                instead = None if v.article_id == c.article_id else \
                    worded_otherwise(c.quote, self.store.db.article_text(v.article_id) or "")
                if instead is None:
                    others.append(v.address)
                elif notices is not None and v.address not in " ".join(notices):
                    day = f", {v.published}" if v.published else ""
                    notices.append(f'Another version of this story ({v.address}{day}) words it otherwise: "{instead}"')
            out.append(replace(c, also_in=tuple(others)) if others else c)
        return tuple(out)

    def search(self, query: str, *, top_k: int | None = None, filters: Filters | None = None,
               as_of: date | None = None) -> tuple[Passage, ...]:
        """The passages ``ask`` would answer ``query`` from (hybrid retrieval + evidence rerank), best first.
        The arguments are checked as ``ask``'s are (``InputError`` naming a bad one)."""
        self._check_open()
        checked_text(query, "query", 'rag.search("Khansir rebels")')
        top_k, filters, as_of = checked_top_k(top_k), checked_filters(filters), checked_as_of(as_of)
        return self._retrieve(query, top_k, filters, understand(query, as_of), as_of)[1].passages

    def _retrieve(self, query: str, top_k: int | None, filters: Filters | None, window: TimeWindow | None,
                  as_of: date, query_vector: np.ndarray | None = None) -> tuple[Question, Retrieval]:
        prepared = prepare(query, self.store.doc_freqs, self.store.n_lexical())  # the question's weighted terms
        return prepared, retrieve(self.store, query, embed=self.collection.embedder, top_k=top_k, filters=filters,
                                  question=prepared, time_window=window, as_of=as_of, query_vector=query_vector)


def _flat(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').split())


#: of the quoted sentence's words, the share another sentence must hold to be its rewording, not another sentence
REWORDED_SHARE = 0.6


def worded_otherwise(quote: str, text: str) -> str | None:
    """The sentence of ``text`` (another version of a story) that words ``quote`` otherwise: None when ``text``
    holds the quote as it is, or no sentence of it shares most of the quote's words (a version trimmed of it
    is no contradiction of it).

    >>> worded_otherwise("The ferry carries 340 passengers.", "Update. The ferry carries 410 passengers.")
    'The ferry carries 410 passengers.'
    >>> worded_otherwise("The ferry carries 340 passengers.", "It sank. The ferry carries 340 passengers.") is None
    True
    >>> worded_otherwise("The ferry carries 340 passengers.", "The harbour master resigned on Monday.") is None
    True
    >>> worded_otherwise("The ferry carries 340 passengers, he said.", "The ferry carries 340 passengers, he says.") is None
    True
    >>> worded_otherwise("ALEPPO (Wire) - Rebels took Khansir.", "Rebels took Khansir. It fell.") is None
    True
    >>> worded_otherwise("The ferry carries 340 people.", "It carries 340 people, the ferry says.") is None
    True
    """
    flat_quote = _flat(quote)
    if not flat_quote or flat_quote in _flat(text):
        return None
    want = set(re.findall(r"[\w'-]+", flat_quote.lower()))
    best, share = None, 0.0
    for a, b in split_sentences(text):
        sentence = text[a:b]
        words = set(re.findall(r"[\w'-]+", _flat(sentence).lower()))
        got = len(want & words) / len(want) if want else 0.0
        if got > share:
            best, share = sentence, got
    if best is None or share < REWORDED_SHARE:
        return None
    # a figure or a name given for another makes it another statement ("340" / "410"); not a word of style, nor
    # a dateline or a name one version adds ("ALEPPO (Wire) - Rebels captured ...")
    mine, theirs = re.findall(r"[\w'-]+", flat_quote), re.findall(r"[\w'-]+", _flat(best))

    def told(words: list[str]) -> set[str]:  # figures, and names (capitalised past the sentence's first word)
        return {w for i, w in enumerate(words) if w[0].isdigit() or (i and w[0].isupper())}

    return _flat(best) if told(mine) - set(theirs) and told(theirs) - set(mine) else None


LLM_FAILED = "The LLM failed"  # the notice of an answer the LLM's call failed to give (the UI warns of it too)

# P(answerable) the offline answer needs to stand in for a withheld LLM answer: higher than its own
# refusal threshold (the model's answer failing verification is itself a sign the passages may lack
# the answer). Chosen by `python -m evals.fit_verify ROWS` on the local model's replayed answers to 80
# RealTime QA tuning questions: the highest bar whose wrong refusals stay within 0.10 (0.0 / 0.5 /
# never: containment 0.700 / 0.683 / 0.650, correct refusals 0.30 / 0.60 / 0.70, wrong 0.017 / 0.083 / 0.167).
FALLBACK_MIN_CONFIDENCE = 0.5


def _dated(p: Passage, as_of: date) -> str:
    """ "1 December: " (the year too when it is not ``as_of``'s), or nothing for an undated article."""
    d = published_day(p)
    return f"{day_label(d, as_of)}: " if d else ""


def _marked(sentence: str, n: int) -> str:
    """``sentence`` with its ``[n]`` before the closing stop, as the answerers write it: "... in years [1].".
    A headline told as the story ("Kelso bridge closed for inspection") gets a stop after its marker:
    the next story's date ran on from it as one sentence (new user 9)."""
    body = sentence.rstrip()
    if body.endswith("."):
        return f"{body[:-1]} [{n}]."
    return f"{body} [{n}]" if re.search(r"[.!?…][\"'”’)\]]*$", body) else f"{body} [{n}]."


def catch_up_period(window: TimeWindow | None, as_of: date,
                    filters: Filters | None = None) -> tuple[date | None, date | None]:
    """The days a catch-up question covers (inclusive; None: open): the question's own period, up to
    ``as_of``, else the ``CATCH_UP_DAYS`` up to ``as_of``. With date filters (``--since/--until``):
    a question without a period of its own covers the filters' range (the newest stories within it;
    the default week cut by the filters had started after their end: "2026-11-20 .. 2022-12-31"),
    one with a period the days both hold, which may be none (start after end: the caller refuses)."""
    f_from, f_to = (filters.published_from, filters.published_to) if filters is not None else (None, None)
    asked = window is not None and (window.start or window.end)
    if f_from is None and f_to is None:
        since = window.start if window is not None and window.start else as_of - timedelta(days=CATCH_UP_DAYS - 1)
        until = min(window.end, as_of) if window is not None and window.end else as_of
        # "What happened before 2020?": the default week started after the period's end (a window
        # 2026-11-20 .. 2019-12-31 held nothing); the newest stories up to its end instead
        return (None if since > until else since), until
    if not asked:
        until = f_to or as_of
        return f_from, None if f_from and until < f_from else until  # "--since 2030-01-01": no end
    since, until = _asked(window, as_of)
    since = max(since, f_from) if since and f_from else since or f_from
    until = min(until, f_to) if until and f_to else until or f_to
    return since, until


def _asked(window: TimeWindow | None, as_of: date) -> tuple[date | None, date | None]:
    """The question's own period, its end cut at ``as_of`` (what is published later is not yet news)
    unless the period starts after ``as_of``."""
    if window is None:
        return None, None
    until = min(window.end, as_of) if window.end else as_of
    return window.start, until if window.start is None or window.start <= until else window.end


def _span(since: date | None, until: date | None) -> str:
    """ "2024-11-25 .. 2024-12-01", "up to 2024-12-01", "from 2030-01-01 on"."""
    if since and until:
        return f"{since.isoformat()} .. {until.isoformat()}"
    return f"up to {until.isoformat()}" if until else f"from {since.isoformat()} on" if since else "any date"


def _cited_passage(c: Citation) -> Passage:
    """A passage holding exactly a citation's quote (a story whose passages were not kept)."""
    return Passage(n=c.n, chunk_id=f"{c.article_id}:{c.start}", article_id=c.article_id, title=c.title,
                   source=c.source, published=c.published, score=0.0, text=c.quote, start=c.start, end=c.end,
                   author=c.author)


def answers_nothing(q: Question, text: str) -> bool:
    """Whether a verified LLM answer says nothing the question does not: only the question's own
    words ("Hamas drove the PLO out of Gaza [2]." for "When did Hamas drive the PLO out of Gaza?"),
    or no phrase of the asked type the question lacks (no number for "how many", no date for
    "when", no new name for "who"/"which town": ``rag.short_answer.candidates``). Such a sentence is
    supported, and no answer.
    A yes/no question's answer may restate it ("The toll rose to 50 [1]." for "Did the toll rise to 50?")."""
    if YES_NO.match(asking_sentence(q.text) or q.text):
        return False
    body = MARKER.sub(" ", text)
    if set(terms(body)) <= set(q.stems):
        return True
    return bool(wanted_type(q)) and not candidates(q, body)



def dated_weekday(short: str, citations: Sequence[Citation]) -> str | None:
    """A weekday short answer with the day it is in the article that says it: "Monday (16 January 2023)" for
    "arrested on Monday" in a story of 16 January (``rag.short_answer.weekday_in``); None for any other phrase or
    an undated article. ``Answer.short_answer`` stays the quote's own word (its span is in the quote)."""
    for c in citations:
        at = c.quote.find(short)
        day = weekday_in(short, c.quote, at, published_day(c)) if at >= 0 else None
        if day is not None:
            return f"{short} ({day_label(day, None)})"
    return None


def outside_window(window: TimeWindow | None, citations: Sequence[Citation], as_of: date) -> str | None:
    """A notice when the question names a period ("this week", "on Sunday") and no cited article is
    dated inside it (or the day after: news of a Sunday is often published on Monday). The window is
    a soft prior in retrieval, so the answer may come from another week; the reader is told which
    days it is from ("How many boats did the storm damage this week?" answered from the previous
    week's story). The answer's first citation (its own sentence) decides when it is dated. When no cited article carries a date at all (a folder of undated files asked "this
    week"), the notice says the period could not be checked, rather than nothing: the answer may be
    from any year. None when a citation is dated in the window, or no period is named. A question about the
    latest state ("What is the latest on Yukos?") over undated articles is told that the newest could not be told
    (new user 27 took "The latest announcement comes after ..." for the newest news)."""
    if window is not None and window.recency and window.start is None and window.end is None and citations \
            and not any(published_day(c) for c in citations):
        said = f' ("{window.phrase}")' if window.phrase else ""
        return (f"The cited articles carry no publication date, so which report is the newest{said} could not be "
                "told: the answer quotes the passages that match the question best, of any date.")
    if window is None or (window.start is None and window.end is None) or not citations:
        return None
    # the answer's own sentence decides, when dated: a second, supporting sentence from an article of the
    # week asked ("the Mets last won the World Series ..." under last week's Astros story) hid the notice
    lead = published_day(citations[0])
    days = [lead] if lead is not None else sorted({d for c in citations if (d := published_day(c)) is not None})
    years = set(re.findall(r"\b(?:19|20)\d\d\b", window.phrase or ""))
    if years and any(y in c.quote for c in citations for y in years):
        return None  # "What did BA plan in 2009?" answered from a 2005 article on its 2009 plan: on the period
    if any((window.start is None or window.start <= d)
           and (window.end is None or d <= window.end + timedelta(days=1)) for d in days):
        return None
    # the years are said when the period's or an article's is not the as-of date's: "("in mid-October": 11
    # October to 20 October); ... articles of 20 October 2022" read as a contradiction (new user 10: the
    # period was 2026's, the as-of year)
    ref = as_of if all(d.year == as_of.year for d in (*days, window.start, window.end) if d) else None
    start, end = (day_label(d, ref) if d else None for d in (window.start, window.end))
    period = start if start == end else f"{start} to {end}" if start and end else f"since {start}" if start \
        else f"until {end}"
    said = f'"{window.phrase}": ' if window.phrase else ""
    if not days:
        return (f"The cited articles carry no publication date, so whether they are from the period asked about "
                f"({said}{period}) could not be checked.")
    # a month or weekday named without a year is read against the as-of date (today unless given): over an
    # archive a year old, say so and how to ask as of another day (new user 22's "in January" of 2026)
    hint = ""
    if not years and window.start is not None and all(d < window.start - timedelta(days=200) for d in days):
        hint = (f" (the period was read as of {day_label(as_of, None)}; to ask as of another day, give an as-of "
                "date: --as-of YYYY-MM-DD, as_of=)")
    return (f"No cited article is dated in the period asked about ({said}{period}); "
            f"the answer comes from articles of {', '.join(day_label(d, ref) for d in days)}{hint}.")


STALE_DAYS = 180  # an answer's article this much older than the newest of the best passages is told


def older_than_found(window: TimeWindow | None, citations: Sequence[Citation], passages: Sequence[Passage],
                     as_of: date) -> str | None:
    """A notice when a question naming no period is answered from an article more than ``STALE_DAYS``
    older than the newest of the three best passages ("How many people on the cruise ship tested
    positive?" answered from a December 2021 story while November 2022's ranked first): the newer
    articles may tell it otherwise. On the RealTime QA dev questions without a period it fired on 13
    answers, 3 of them right, 6 wrong and 4 to questions the articles cannot answer (Nov 27 2026)."""
    if (window is not None and (window.start or window.end)) or not citations:
        return None
    lead = published_day(citations[0])
    newest = max((d for p in passages[:3] if (d := published_day(p)) is not None and d <= as_of), default=None)
    if lead is None or newest is None or (newest - lead).days <= STALE_DAYS:
        return None
    return (f"The answer comes from an article of {day_label(lead, as_of)}, older than the newest article found "
            f"({day_label(newest, as_of)}), which may tell it otherwise.")


def _about_a_changing_fact(question: str, window: TimeWindow | None) -> bool:
    """Whether dated passages that disagree should be told apart (``rag.recency``): the question
    asks for the current state ("latest", "still", "so far"), or for a figure in a time window ("how
    many ... this week"). Applied to every question, the rewrite fired on 28 of 312 RealTime QA
    questions, mostly on unrelated numbers and names, and cost containment (0.600 -> 0.573)."""
    if window is None:
        return False
    return window.recency or answer_type(question) == "number"


def short_answer_in(
    q: Question, proposed: tuple[str, int, int] | None, citations: Sequence[Citation], text: str,
    *, proposed_only: bool = False,
) -> tuple[str, int, int] | None:
    """The short answer, only if it lies inside a cited quote and the answer states it: the
    answerer's own proposal (offline), else the asked-for phrase of the first quote the answer
    repeats (an LLM's "Khansir [1]"). Article offsets, like the citations'. ``proposed_only``: the
    answerer chose its short answer (the offline one's phrase ranker): none proposed means none
    (its fitted bar withheld a likely wrong one), not the first quote's phrase."""
    if proposed is None and proposed_only:
        return None
    if proposed is not None:
        phrase, a, b = proposed
        if phrase not in text:
            return None
        if any(_quotes(c, proposed) for c in citations):
            return proposed
        # the sentence stands twice in its article (a repeated photo caption) and verification cited
        # the other copy: the phrase where the cited quote has it
        return next(((phrase, c.start + i, c.start + i + len(phrase)) for c in citations
                     if (i := c.quote.find(phrase)) >= 0), None)
    for c in citations:
        hit = extract(q, c.quote)
        if hit is not None and hit[0].lower() in text.lower():
            return hit[0], c.start + hit[1], c.start + hit[2]
    return None


def short_after_rewrite(
    q: Question, short: tuple[str, int, int] | None, citations: Sequence[Citation], text: str
) -> tuple[str, int, int] | None:
    """The short answer after ``rag.recency.reconcile`` rewrote the answer: kept while a citation still
    quotes it, else the asked-for phrase of the first quote the new text repeats (the rewrite quotes
    the newest statement, which may not hold the phrase the answer's own sentences gave)."""
    if short is None or any(_quotes(c, short) for c in citations):
        return short
    return short_answer_in(q, None, citations, text)


def _quotes(c: Citation, short: tuple[str, int, int]) -> bool:
    """Whether citation ``c`` quotes the short answer at its offsets (offsets are per article: the
    text there must be the phrase)."""
    phrase, a, b = short
    return c.start <= a and b <= c.end and c.quote[a - c.start : b - c.start] == phrase


_default: RAG | None = None
_default_lock = threading.Lock()


def default_rag() -> RAG:
    """The process-wide instance built from the environment (RAG_HOME, RAG_CHROMA_URL, ...), built
    again when the environment's settings change (``RAG_HOME`` set mid-process was ignored). The
    earlier one is left open: another thread may still be answering with it."""
    global _default
    settings = load_settings()
    with _default_lock:
        if _default is None or _default.settings != settings:
            _default = RAG(settings)
        return _default


def ask(
    question: str,
    *,
    top_k: int | None = None,
    filters: Filters | None = None,
    history: HistoryInput | None = (),
    offline: bool = False,
    as_of: date | str | None = None,
    query_vector: np.ndarray | None = None,
) -> Answer:
    """Answer ``question`` from the collection in ``RAG_HOME`` (the environment's settings; a new
    ``RAG_HOME`` gets its own instance): ``RAG.ask`` of ``default_rag()``, with the same options.

    ``top_k``: passages to answer from (default ``RAG_TOP_K``); ``filters``: ``Filters(sources=(...),
    published_from=..., published_to=..., article_ids=(...))``; ``history``: the conversation so far,
    (question, answer) pairs or ``{"role", "content"}`` messages, oldest first; ``offline``: the
    extractive answerer even when an LLM is configured; ``as_of``: the date "this week" counts from
    (default today). A bad argument raises ``rag.errors.InputError`` naming it.

    >>> from rag import ask                                                        # doctest: +SKIP
    >>> first = ask("Who resigned?")                                               # doctest: +SKIP
    >>> ask("When?", history=[(first.question, first.text)]).text                  # doctest: +SKIP
    """
    return default_rag().ask(question, top_k=top_k, filters=filters, history=history, offline=offline, as_of=as_of,
                             query_vector=query_vector)

