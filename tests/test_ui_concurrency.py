"""Several people at once: 10 simultaneous chats through the Gradio client API, each its own session."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.ui_helpers import SEED_QUESTION, seeded_rag, serving

pytestmark = [pytest.mark.slow, pytest.mark.integration]

N = 10


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Iterator[str]:  # noqa: ANN001
    with serving(seeded_rag(tmp_path_factory.mktemp("uiconc"), real_embedder)) as u:
        yield u


def test_ten_concurrent_chats_are_all_answered(url: str) -> None:
    from gradio_client import Client

    clients = [Client(url + "/", verbose=False) for _ in range(N)]  # one session each
    start = threading.Barrier(N)
    results: list[object] = [None] * N
    errors: list[BaseException] = []

    def chat(i: int) -> None:
        try:
            start.wait()
            results[i] = clients[i].predict(SEED_QUESTION, "offline", 5, "", "", "", api_name="/ask")
        except BaseException as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=chat, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    for box, messages, panel in results:  # type: ignore[misc]
        # emptied when the question is taken; the answer's last step leaves the box alone (a question
        # typed meanwhile stays), which the API reports as an update that changes nothing
        assert box in ("", {"__type__": "update"})
        assert [m["role"] for m in messages] == ["user", "assistant"]  # no other session's turns leaked in
        assert "rag-cite" in str(messages[1]["content"])
        assert "<mark>" in panel and "Khansir" in panel

    # a follow-up in one session sees only that session's history
    box, messages, panel = clients[0].predict("What did the army say about it?", "offline", 5, "", "", "", api_name="/ask")
    assert len(messages) == 4 and "rewritten" in str(messages[3]["content"])
