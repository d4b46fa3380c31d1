"""The Python API checks its arguments as the CLI, REST and MCP do (``rag.arguments``).

A bad argument to ``RAG.ask`` / ``RAG.stream`` / ``RAG.search`` is an ``InputError`` naming it (not an
AttributeError deep inside, nor a quiet refusal); the friendlier shapes a Python user reaches for (ISO
date strings, a ``datetime``, the ``Answer`` itself or OpenAI-style messages as history) give exactly
the answer of the canonical shape. Over the seed article, with the real embedder, offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pytest

from rag import service
from rag.api import RAG
from rag.errors import InputError
from rag.types import Answer, Draft, Filters, Passage

AS_OF = date(2024, 12, 2)  # the day after the seed article (2024-12-01)
FIRST = "Which town did the rebels capture?"
FOLLOW_UP = "When did they capture it?"


def same(a: Answer, b: Answer) -> None:
    """Two answers are the same answer (timings aside)."""
    assert (a.question, a.text, a.refused, a.search_query, a.short_answer, a.as_of, a.time_window) == \
        (b.question, b.text, b.refused, b.search_query, b.short_answer, b.as_of, b.time_window)
    assert a.citations == b.citations
    assert [p.chunk_id for p in a.passages] == [p.chunk_id for p in b.passages]


def rejected(call, item: str) -> InputError:  # noqa: ANN001
    """``call()`` raises an ``InputError`` about ``item`` whose message names it."""
    with pytest.raises(InputError) as info:
        call()
    assert info.value.item == item
    assert str(info.value).startswith(f"{item}: ")
    assert info.value.reason
    return info.value


@pytest.fixture(scope="module")
def first(seed_rag: RAG) -> Answer:
    answer = seed_rag.ask(FIRST, as_of=AS_OF)
    assert not answer.refused and answer.short_answer == "Khansir"
    return answer


@pytest.fixture(scope="module")
def follow_up(seed_rag: RAG, first: Answer) -> Answer:
    """The follow-up asked with the canonical history: (question, answer text) pairs."""
    answer = seed_rag.ask(FOLLOW_UP, history=[(first.question, first.text)], as_of=AS_OF)
    assert not answer.refused
    assert "Khansir" in answer.search_query  # the history was used
    return answer


# --- the question ---------------------------------------------------------------------------------
def test_a_question_that_is_not_a_str_is_an_input_error(seed_rag: RAG) -> None:
    err = rejected(lambda: seed_rag.ask(None), "question")
    assert "must be a str" in err.reason and "None" in err.reason and "rag.ask(" in err.reason


@pytest.mark.parametrize("question", ["", "   \n\t"])
def test_an_empty_question_is_an_input_error_as_in_the_cli_rest_and_mcp(seed_rag: RAG, question: str) -> None:
    err = rejected(lambda: seed_rag.ask(question), "question")
    assert "empty" in err.reason
    rejected(lambda: service.ask(seed_rag, question), "question")  # the service's own check stays


def test_a_pasted_article_as_a_question_is_an_input_error_naming_the_limit(seed_rag: RAG) -> None:
    from rag.arguments import MAX_TEXT_CHARS

    pasted = "Rebels captured the town. " * 4000  # 104,000 characters, 103,999 stripped
    err = rejected(lambda: seed_rag.ask(pasted), "question")
    assert "103,999 characters" in err.reason and f"{MAX_TEXT_CHARS:,}" in err.reason  # stripped
    rejected(lambda: seed_rag.search(pasted), "query")
    assert not seed_rag.ask(("Which town did the rebels capture? " * 100)[:MAX_TEXT_CHARS]).refused  # up to it: asked


def test_stream_checks_its_arguments_too(seed_rag: RAG) -> None:
    rejected(lambda: next(iter(seed_rag.stream(b"Which town?"))), "question")
    rejected(lambda: next(iter(seed_rag.stream("Which town?", top_k=0))), "top_k")


def test_the_service_still_answers_a_valid_question(seed_rag: RAG, first: Answer) -> None:
    same(service.ask(seed_rag, FIRST, as_of=AS_OF), first)


# --- top_k ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("top_k", [0, -1, True, 2.5, "5"])
def test_top_k_that_is_not_a_positive_int_is_an_input_error(seed_rag: RAG, top_k: object) -> None:
    err = rejected(lambda: seed_rag.ask(FIRST, top_k=top_k, as_of=AS_OF), "top_k")
    assert "positive int" in err.reason and "top_k=5" in err.reason


def test_a_valid_top_k_is_used(seed_rag: RAG) -> None:
    assert len(seed_rag.ask(FIRST, top_k=1, as_of=AS_OF).passages) <= 1


# --- as_of ----------------------------------------------------------------------------------------
def test_as_of_as_an_iso_string_is_that_date(seed_rag: RAG) -> None:
    question = "What happened last week?"
    by_date = seed_rag.ask(question, as_of=date(2024, 12, 3))
    by_text = seed_rag.ask(question, as_of="2024-12-03")
    same(by_text, by_date)
    assert by_text.as_of == date(2024, 12, 3)


def test_as_of_as_a_datetime_is_its_day(seed_rag: RAG) -> None:
    question = "What happened last week?"
    answer = seed_rag.ask(question, as_of=datetime(2024, 12, 3, 10, 0))
    same(answer, seed_rag.ask(question, as_of=date(2024, 12, 3)))
    assert type(answer.as_of) is date
    assert answer.time_window is not None and answer.time_window.label() == "2024-11-25 .. 2024-12-01"


@pytest.mark.parametrize("as_of", [20241203, "next Tuesday", "03/12/2024", [2024, 12, 3]])
def test_as_of_that_is_not_a_date_is_an_input_error(seed_rag: RAG, as_of: object) -> None:
    err = rejected(lambda: seed_rag.ask("What happened last week?", as_of=as_of), "as_of")
    assert "2024-12-03" in err.reason


# --- filters --------------------------------------------------------------------------------------
def test_filter_dates_as_iso_strings_are_those_dates(seed_rag: RAG) -> None:
    by_date = seed_rag.ask(FIRST, filters=Filters(published_from=date(2024, 11, 1), published_to=date(2024, 12, 1)),
                           as_of=AS_OF)
    text_dates = Filters(published_from="2024-11-01", published_to="2024-12-01")  # type: ignore[arg-type]
    by_text = seed_rag.ask(FIRST, filters=text_dates, as_of=AS_OF)
    assert not by_date.refused
    same(by_text, by_date)


@pytest.mark.parametrize("field", ["published_from", "published_to"])
def test_a_filter_date_that_is_not_a_date_is_an_input_error(seed_rag: RAG, field: str) -> None:
    err = rejected(lambda: seed_rag.ask(FIRST, filters=Filters(**{field: "1 November"}), as_of=AS_OF),
                   f"filters.{field}")
    assert "YYYY-MM-DD" in err.reason
    rejected(lambda: seed_rag.ask(FIRST, filters=Filters(**{field: 2024}), as_of=AS_OF), f"filters.{field}")


def test_published_from_after_published_to_is_an_input_error(seed_rag: RAG) -> None:
    err = rejected(lambda: seed_rag.ask("x", filters=Filters(published_from=date(2025, 1, 1),
                                                               published_to=date(2024, 1, 1))), "filters")
    assert "published_from 2025-01-01 is after published_to 2024-01-01" in err.reason and "swap" in err.reason


def test_filters_that_are_not_filters_are_an_input_error(seed_rag: RAG) -> None:
    err = rejected(lambda: seed_rag.ask(FIRST, filters={"sources": ["reuters"]}), "filters")
    assert "Filters(" in err.reason


def test_one_source_as_a_str_is_one_source_not_its_letters(seed_rag: RAG) -> None:
    source = seed_rag.ask(FIRST, as_of=AS_OF).citations[0].source
    wanted = source[:12]
    same(seed_rag.ask(FIRST, filters=Filters(sources=wanted), as_of=AS_OF),  # type: ignore[arg-type]
         seed_rag.ask(FIRST, filters=Filters(sources=(wanted,)), as_of=AS_OF))
    nowhere = Filters(sources="zzz-no-such-source")  # type: ignore[arg-type]
    assert seed_rag.ask(FIRST, filters=nowhere, as_of=AS_OF).refused


# --- history --------------------------------------------------------------------------------------
def test_history_of_bare_questions_is_an_input_error_showing_the_accepted_shapes(seed_rag: RAG) -> None:
    err = rejected(lambda: seed_rag.ask("Who said that?", history=["Who resigned?"]), "history[0]")
    assert "(question, answer) pairs" in err.reason and '"role": "user"' in err.reason


@pytest.mark.parametrize(("history", "item"), [
    ("Which town?", "history"),
    (42, "history"),
    ({"role": "user", "content": "Which town?"}, "history"),
    ([("Which town?",)], "history[0]"),
    ([("Which town?", "Khansir", "extra")], "history[0]"),
    ([(None, "Khansir")], "history[0][0]"),
    ([("Which town?", None)], "history[0][1]"),
    ([("Which town?", "Khansir"), {"role": "user", "content": "Who?"}], "history[1]"),
    ([{"role": "bot", "content": "Which town?"}], "history[0]['role']"),
    ([{"content": "Which town?"}], "history[0]['role']"),
    ([{"role": "user", "content": ["Which town?"]}], "history[0]['content']"),
])
def test_history_of_another_shape_is_an_input_error(seed_rag: RAG, history: object, item: str) -> None:
    err = rejected(lambda: seed_rag.ask(FOLLOW_UP, history=history, as_of=AS_OF), item)
    assert "(question, answer) pairs" in err.reason


def test_history_with_the_answer_object_is_its_text(seed_rag: RAG, first: Answer, follow_up: Answer) -> None:
    same(seed_rag.ask(FOLLOW_UP, history=[(first.question, first)], as_of=AS_OF), follow_up)
    same(seed_rag.ask(FOLLOW_UP, history=[[first.question, first.text]], as_of=AS_OF), follow_up)  # lists too


def test_history_as_chat_messages_pairs_each_question_with_its_reply(
    seed_rag: RAG, first: Answer, follow_up: Answer
) -> None:
    messages = [{"role": "system", "content": "You answer from news articles."},
                {"role": "user", "content": first.question},
                {"role": "assistant", "content": first.text}]
    answer = seed_rag.ask(FOLLOW_UP, history=messages, as_of=AS_OF)
    same(answer, follow_up)
    assert "role" not in answer.search_query.split()
    # the question itself sent as the last message (as a chat client keeps it) has no reply: left out
    same(seed_rag.ask(FOLLOW_UP, history=[*messages, {"role": "user", "content": FOLLOW_UP}], as_of=AS_OF),
         follow_up)


def test_no_history_is_none_or_empty(seed_rag: RAG, first: Answer) -> None:
    same(seed_rag.ask(FIRST, history=None, as_of=AS_OF), first)
    same(seed_rag.ask(FIRST, history=[], as_of=AS_OF), first)


class RecordingLLM:
    """An answerer that records the history it is given, and answers by quoting the first passage."""

    name = "llm:recording"

    def __init__(self) -> None:
        self.histories: list[object] = []

    def rewrite(self, history: Sequence[tuple[str, str]], follow_up: str) -> str:
        self.histories.append(history)
        return follow_up

    def stream(self, question: str, passages: Sequence[Passage], *, history=(),  # noqa: ANN001, ANN201
               as_of: date | None = None):
        self.histories.append(history)
        reply = f"{passages[0].text.split('. ')[0]} [1]."
        yield reply
        yield Draft(reply, False)


def test_the_llm_is_given_question_and_answer_text_pairs(seed_rag: RAG, first: Answer) -> None:
    llm = RecordingLLM()
    rag = RAG(seed_rag.settings, collection=seed_rag.collection, llm=llm)
    messages = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.text}]
    for history in ([(first.question, first)], messages):
        llm.histories.clear()
        rag.ask(FOLLOW_UP, history=history, as_of=AS_OF)
        assert llm.histories and all(list(h) == [(first.question, first.text)] for h in llm.histories)


@pytest.mark.parametrize(("kwargs", "field", "says"), [
    (dict(published_from="not a date"), "filters.published_from", "YYYY-MM-DD"),
    (dict(published_to=20241201), "filters.published_to", "got int"),
    (dict(published_from="2025-01-01", published_to="2024-01-01"), "filters", "swap them"),
    (dict(sources=[1, 2]), "filters.sources", "tuple of str"),
])
def test_filters_are_checked_when_made_not_at_the_ask_that_uses_them(kwargs: dict, field: str, says: str) -> None:
    """New user 8: ``Filters(published_from="not a date")`` was accepted and failed only at ``ask()``."""
    err = rejected(lambda: Filters(**kwargs), field)
    assert says in err.reason


def test_filters_keep_their_given_values_as_dates_and_tuples() -> None:
    made = Filters(sources="cnn", published_from="2024-11-01", published_to=datetime(2024, 12, 1, 9, 30),  # type: ignore[arg-type]
                   article_ids=["a1"])  # type: ignore[arg-type]
    assert made == Filters(sources=("cnn",), published_from=date(2024, 11, 1), published_to=date(2024, 12, 1),
                           article_ids=("a1",))
    assert type(made.published_to) is date


# --- search ---------------------------------------------------------------------------------------
def test_search_checks_its_arguments(seed_rag: RAG) -> None:
    rejected(lambda: seed_rag.search(None), "query")
    rejected(lambda: seed_rag.search("  "), "query")
    rejected(lambda: seed_rag.search("Khansir", top_k=0), "top_k")
    rejected(lambda: seed_rag.search("Khansir", as_of="yesterday"), "as_of")
    rejected(lambda: seed_rag.search("Khansir", filters=Filters(published_from="2025-01-01",  # type: ignore[arg-type]
                                                                 published_to="2024-01-01")), "filters")
    by_text = seed_rag.search("Khansir", top_k=2, as_of="2024-12-02",
                              filters=Filters(published_from="2024-12-01"))  # type: ignore[arg-type]
    by_date = seed_rag.search("Khansir", top_k=2, as_of=AS_OF, filters=Filters(published_from=date(2024, 12, 1)))
    assert by_text and [p.chunk_id for p in by_text] == [p.chunk_id for p in by_date]


def test_rag_closes_what_it_opened_and_the_default_follows_the_environment(
        tmp_path, fake_embedder, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from index.collection import Collection
    from rag import api
    from rag.settings import Settings

    real_open, real_close = Collection.open.__func__, Collection.close
    # the real Collection, with the fast test embedder instead of loading the model for each RAG
    monkeypatch.setattr(Collection, "open", classmethod(lambda cls, settings, **kw: real_open(cls, settings,
                                                                                              embedder=fake_embedder)))
    closed: list[object] = []
    monkeypatch.setattr(Collection, "close", lambda self: (closed.append(self), real_close(self))[-1])
    with RAG(Settings(home=tmp_path / "a")) as rag:
        assert rag.ask("Which town?").refused  # usable inside
    assert closed == [rag.collection]  # opened by the RAG: released
    given = Collection.open(Settings(home=tmp_path / "b"))
    with RAG(collection=given):
        pass
    assert closed == [rag.collection]  # passed in: the caller's to close
    given.close()
    monkeypatch.setattr(api, "_default", None)
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "one"))
    first = api.default_rag()
    assert api.default_rag() is first
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "two"))  # was ignored once a default existed
    second = api.default_rag()
    assert second is not first and second.settings.home == tmp_path / "two"
    for r in (first, second):
        r.close()


def test_an_answer_prints_as_a_reader_sees_it(seed_rag) -> None:  # noqa: ANN001
    """print(answer) dumped the whole dataclass (6 KB, every passage); a notebook cell showed the same."""
    answer = seed_rag.ask("Which town did the rebels capture south of Aleppo?", offline=True)
    shown = str(answer)
    assert shown.startswith(answer.text) and "Khansir" in shown
    c = answer.citations[0]
    assert f"[{c.n}] {c.title} - {c.source}" in shown
    assert len(shown) < 2000 and answer.passages[-1].text not in shown
    r = repr(answer)
    assert r.startswith("Answer(question='Which town did the rebels capture south of Aleppo?', refused=False")
    assert f"citations={len(answer.citations)}" in r and len(r) < 300


def test_asking_a_closed_rag_says_so(tmp_path) -> None:  # noqa: ANN001
    """It raised sqlite3.ProgrammingError ("Cannot operate on a closed database")."""
    from index.collection import Collection
    from rag.errors import StoreError
    from rag.settings import Settings
    from tests.fakes import HashEmbedder

    coll = Collection.open(Settings(home=tmp_path / "home"), embedder=HashEmbedder())
    rag = RAG(collection=coll)
    rag.close()
    for call in (lambda: rag.ask("Who captured Khansir?"), lambda: rag.search("Khansir")):
        with pytest.raises(StoreError, match=r"this RAG was closed .*RAG\(\)"):
            call()
    coll.close()


class RewriteCountingLLM(RecordingLLM):
    """``RecordingLLM`` that also records each follow-up it is asked to rewrite."""

    def __init__(self) -> None:
        super().__init__()
        self.rewritten: list[str] = []

    def rewrite(self, history: Sequence[tuple[str, str]], follow_up: str) -> str:
        self.rewritten.append(follow_up)
        return f"{follow_up} rewritten"


def test_with_an_llm_only_a_question_that_leans_on_the_chat_is_rewritten(seed_rag: RAG, first: Answer) -> None:
    """A question that stands alone is searched as written: no model call (5-10 s with a local model)."""
    llm = RewriteCountingLLM()
    rag = RAG(seed_rag.settings, collection=seed_rag.collection, llm=llm)
    history = [(first.question, first.text)]
    alone = "What did the mayor of Townville announce about the harbour bridge?"
    assert rag.search_query(alone, history) == alone
    assert llm.rewritten == []
    assert rag.search_query("Who said that?", history) == "Who said that? rewritten"
    assert llm.rewritten == ["Who said that?"]
    assert rag.ask(alone, history=history, as_of=AS_OF).search_query == alone
    assert llm.rewritten == ["Who said that?"]
