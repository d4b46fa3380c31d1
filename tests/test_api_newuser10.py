"""New user 10 (a fact-checker)'s rough edges:

1. REST: ``{"question": ""}`` was a 422 ``invalid_request`` (pydantic's "at least 1 character") while
   ``{"question": "   "}`` was a 400 ``invalid_input`` (the library's "is empty"). Both are now the
   library's 400 ``invalid_input``, naming the field and what to send, on every route that takes a
   question or query (/v1/ask, /v1/search, /v1/chat/completions); a missing field or a value of the
   wrong type stays pydantic's 422.
2. ``Filters(source="bbc")`` was a bare ``TypeError: ... unexpected keyword argument 'source'``; it
   is an ``InputError`` naming the keyword, the fields ``Filters`` takes and the one meant, as
   ``Settings(topk=3)`` is.
3. ``rag ingest`` said "duplicate 1" in its table and nothing else: each duplicate is now named
   with the stored article it repeats (a few of them; how many more after that).

The real FastAPI app through its TestClient and the real CLI (in process, typer's CliRunner) over
small stores embedded with the hash embedder.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json
import pickle
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rag.cli import app as cli
from rag.errors import InputError
from rag.http_api import create_app
from rag.settings import Settings
from rag.types import Filters
from tests.fakes import cli_on, folder_rag

ARTICLES = {
    "harbour.txt": "date 2024-05-06 Harbour reopens in Veldmark\n\n"
                   "The harbour of Veldmark reopened on Monday after two weeks of repairs to the quay.\n",
    "market.txt": "date 2024-05-12 Market opens in Lunden\n\n"
                  "The new covered market of Lunden opened on Sunday with forty stalls.\n",
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    rag, coll = folder_rag(tmp_path_factory.mktemp("newuser10"), ARTICLES, "newuser10")
    with TestClient(create_app(rag, api_key=""), base_url="http://127.0.0.1",
                    raise_server_exceptions=False) as client:
        yield client
    coll.close()


def _error(r: Any) -> dict[str, Any]:  # noqa: ANN401 - an httpx.Response
    body = r.json()
    assert set(body) <= {"error", "detail"}, body
    return body["error"]


# --- 1. an empty question and a blank one: one status, one code, one message -----------------------

def _chat(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}], "offline": True}


ROUTES = (  # (route, the body with the question or query put in, the field an error names)
    ("/v1/ask", lambda q: {"question": q, "offline": True}, "question"),
    ("/v1/search", lambda q: {"query": q}, "query"),
    ("/v1/chat/completions", _chat, "messages"),
    ("/v1/chat/completions", lambda q: _chat(q) | {"stream": True}, "messages"),
)


@pytest.mark.parametrize(("route", "body", "field"), ROUTES, ids=[f"{r[0]}{' stream' if i == 3 else ''}"
                                                                    for i, r in enumerate(ROUTES)])
def test_an_empty_and_a_blank_question_get_the_same_400_naming_the_field(
        api: TestClient, route: str, body: Any, field: str) -> None:  # noqa: ANN401
    """``""`` was pydantic's 422 ``invalid_request`` ("String should have at least 1 character"), ``"   "``
    the library's 400 ``invalid_input``: a client had to handle both for one mistake."""
    seen = []
    for text in ("", "   ", "\n\t"):
        r = api.post(route, json=body(text))
        assert r.status_code == 400, (text, r.text)
        err = _error(r)
        assert (err["code"], err["type"]) == ("invalid_input", "invalid_request_error"), (text, err)
        assert err["message"].startswith(f"{field}: "), err
        assert "detail" not in r.json(), r.text  # no pydantic errors: the library's message says it all
        seen.append(err["message"])
    assert len(set(seen)) == 1, seen  # word for word the same
    said = seen[0]
    assert ("empty" in said and ("ask a question" in said or "words to search for" in said)) or \
        "non-empty user message" in said, said


@pytest.mark.parametrize("route", ["/v1/ask", "/v1/search"])
def test_a_question_s_other_bad_values_keep_their_codes(api: TestClient, route: str) -> None:
    """What is not an empty question is as it was: no field at all and a value of the wrong type are
    pydantic's 422 naming the field; a question too long to search is the library's 400."""
    field = "question" if route == "/v1/ask" else "query"
    missing = api.post(route, json={"top_k": 2})
    assert missing.status_code == 422 and _error(missing)["code"] == "invalid_request", missing.text
    assert f"body.{field}: Field required" in _error(missing)["message"]
    typed = api.post(route, json={field: 3})
    assert typed.status_code == 422 and f"body.{field}" in _error(typed)["message"], typed.text
    long = api.post(route, json={field: "harbour " * 1000})
    assert long.status_code == 400 and _error(long)["code"] == "invalid_input", long.text
    assert api.post(route, json={field: "harbour of Veldmark", "offline": True} if field == "question"
                    else {field: "harbour of Veldmark"}).status_code == 200


def test_the_schema_still_says_a_question_is_not_empty(api: TestClient) -> None:
    """The check moved from pydantic to the library; ``/openapi.json`` still tells a generated client."""
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["AskRequest"]["properties"]["question"]["minLength"] == 1
    assert schemas["SearchRequest"]["properties"]["query"]["minLength"] == 1


# --- 2. Filters(...) with a keyword it does not take --------------------------------------------------

FIELDS = "sources, published_from, published_to, article_ids"


def test_a_misspelt_filters_keyword_is_an_input_error_naming_it_and_the_field_meant() -> None:
    with pytest.raises(InputError) as err:
        Filters(source="bbc")  # type: ignore[call-arg]
    assert str(err.value) == f"filters.source: Filters has no field source; did you mean sources? It takes {FIELDS}"
    assert err.value.item == "filters.source" and err.value.fix == "rename source to sources"


def test_the_rest_and_cli_names_of_the_dates_point_to_the_fields() -> None:
    """``since``/``until`` are what ``rag ask --since`` and REST's ``filters`` call the dates."""
    with pytest.raises(InputError, match=r"^filters\.since: Filters has no field since; did you mean "
                                         r"published_from\? It takes "):
        Filters(since="2024-11-01")  # type: ignore[call-arg]
    with pytest.raises(InputError, match=r"did you mean published_to\?"):
        Filters(until=date(2024, 12, 1))  # type: ignore[call-arg]


def test_a_keyword_like_no_field_and_several_bad_keywords_are_named_all() -> None:
    with pytest.raises(InputError) as far:
        Filters(colour="red")  # type: ignore[call-arg]
    assert str(far.value) == f"filters.colour: Filters has no field colour; it takes {FIELDS}"
    assert far.value.fix == f"leave colour out: Filters takes {FIELDS}"
    with pytest.raises(InputError) as two:
        Filters(source="bbc", colour="red")  # type: ignore[call-arg]
    assert str(two.value) == (f"filters: Filters has no fields source (did you mean sources?), colour; "
                              f"it takes {FIELDS}")
    assert two.value.item == "filters"


def test_an_unknown_keyword_is_a_rag_error_as_every_other_bad_argument() -> None:
    """An ``InputError`` is what every other bad argument of the Python API is (``Settings(topk=3)`` too);
    a caller catching ``RagError`` around building its filters gets this one as well."""
    from rag.errors import RagError

    with pytest.raises(RagError):
        Filters(article_id="abc")  # type: ignore[call-arg]


def test_filters_are_otherwise_as_they_were() -> None:
    """Repr, equality, hashing, positional use, the checks of ``__post_init__``, pickling, copying,
    ``dataclasses.replace`` and the signature a help() or an IDE shows."""
    made = Filters(("cnn",), "2024-11-01")  # type: ignore[arg-type]
    assert made == Filters(sources="cnn", published_from=date(2024, 11, 1))  # type: ignore[arg-type]
    assert repr(made) == ("Filters(sources=('cnn',), published_from=datetime.date(2024, 11, 1), "
                          "published_to=None, article_ids=())")
    assert hash(made) == hash(Filters(sources=("cnn",), published_from=date(2024, 11, 1)))
    assert pickle.loads(pickle.dumps(made)) == made and copy.deepcopy(made) == made
    assert dataclasses.replace(made, article_ids=("a1",)).article_ids == ("a1",)
    with pytest.raises(InputError, match="filters.source"):
        dataclasses.replace(made, source="bbc")
    assert list(inspect.signature(Filters).parameters) == ["sources", "published_from", "published_to",
                                                          "article_ids"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.sources = ()  # type: ignore[misc]
    with pytest.raises(InputError, match="filters.published_from"):
        Filters(published_from="1 November")  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # more positional values than fields: Python's own error, as before
        Filters((), None, None, (), "extra")  # type: ignore[call-arg]
    assert Filters().is_empty()


# --- 3. rag ingest names each duplicate and what it repeats -------------------------------------------

STORY = ("date 2024-05-06 Harbour reopens in Veldmark\n\n"
         "The harbour of Veldmark reopened on Monday after two weeks of repairs to the quay.\n")


def _run(*args: str) -> Any:  # noqa: ANN401 - click.testing.Result
    return CliRunner().invoke(cli, list(args))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_ingest_names_a_duplicate_and_its_twin(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """"duplicate 1" in the table left the user to guess which file repeated which stored article."""
    cli_on(monkeypatch, settings, COLUMNS="300")
    first, copy_ = tmp_path / "harbour.txt", tmp_path / "harbour-copy.txt"
    first.write_text(STORY, encoding="utf-8")
    copy_.write_text(STORY, encoding="utf-8")
    stored = _run("ingest", str(first))
    assert stored.exit_code == 0, stored.output
    again = _run("ingest", str(copy_))
    assert again.exit_code == 0, again.output  # a duplicate is no failure
    out = _flat(again.output)
    line = next((ln for ln in again.output.splitlines() if ln.startswith("duplicate ")), None)
    assert line is not None, again.output
    assert f"duplicate {copy_.resolve()}: same text as {first.resolve()} (article " in out, again.output
    # a file name is shown as the other lines show one: a control character as an escape, never sent raw
    evil = tmp_path / "evil\x1b[31m.txt"
    evil.write_text(STORY, encoding="utf-8")
    shown = _run("ingest", str(evil))
    assert shown.exit_code == 0 and "\x1b" not in shown.output, shown.output
    assert f"duplicate {tmp_path.resolve()}/evil\\x1b[31m.txt: same text as {first.resolve()}" in _flat(shown.output)
    # in one run too: the second file repeats the first, still in the pipeline when it was read
    other = tmp_path / "two"
    other.mkdir()
    for name in ("a.txt", "b.txt"):
        (other / name).write_text(STORY.replace("Monday", "Tuesday"), encoding="utf-8")
    both = _run("ingest", str(other))
    assert both.exit_code == 0, both.output
    assert "same text as" in _flat(both.output) and "duplicate" in both.output, both.output


def test_ingest_names_a_few_duplicates_and_counts_the_rest(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Many duplicates (a dump ingested twice under another name) are not a wall of lines: the first
    ten, grouped as failures are when several repeat one article, then how many more."""
    cli_on(monkeypatch, settings, COLUMNS="300")
    originals, copies = tmp_path / "originals", tmp_path / "copies"
    originals.mkdir()
    copies.mkdir()
    for i in range(13):
        text = f"date 2024-05-{i + 1:02d} Story {i} of Veldmark\n\nThe council of Veldmark met for the {i}th time.\n"
        (originals / f"story{i:02d}.txt").write_text(text, encoding="utf-8")
        (copies / f"copy{i:02d}.txt").write_text(text, encoding="utf-8")
    (copies / "again.txt").write_text((originals / "story00.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert _run("ingest", str(originals)).exit_code == 0
    result = _run("ingest", str(copies))
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("duplicate ")]
    assert len(lines) == 10, result.output
    # the two copies of story00 on one line, as failures of one reason are
    assert any("2 items (" in ln and "again.txt" in ln and "copy00.txt" in ln and "story00.txt" in ln
               for ln in lines), lines
    assert "and 3 more duplicates (of 3 stored articles)" in _flat(result.output), result.output


def test_stats_prints_the_stored_counts_when_the_chroma_server_is_down(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """New user 11 (an operator): with the Chroma server stopped `rag stats` printed only the error, while
    `rag list` listed every article. Now the database's counts, vectors unknown, then the error and its fix."""
    from tests.chroma_server import free_port

    cli_on(monkeypatch, settings, COLUMNS="300")
    story = tmp_path / "harbour.txt"
    story.write_text(STORY, encoding="utf-8")
    assert _run("ingest", str(story)).exit_code == 0
    monkeypatch.setenv("RAG_CHROMA_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    got = _run("stats")
    assert got.exit_code == 2, got.output
    counts, _ = json.JSONDecoder().raw_decode(got.output[got.output.index("{"):])
    assert (counts["articles"], counts["chunks"], counts["vectors"]) == (1, 1, None)
    assert "cannot reach the Chroma server" in _flat(got.output) and "chroma run" in got.output
