"""Re-ingesting an article whose text is the same but whose headline, date, author or address was
corrected stores the correction ("updated"); the same article as stored stays "unchanged" (nothing
re-embedded), and a duplicate's own metadata never overwrites the article it duplicates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from index.collection import Collection
from rag.settings import Settings
from tests.fakes import HashEmbedder

BODY = ("The harbour of Kelso reopened on Monday after six weeks of repairs to its storm wall. "
        "Fishing boats returned the same afternoon, and the harbour master said the mackerel season "
        "would start on time.")


@pytest.fixture
def coll(settings: Settings, fake_embedder: HashEmbedder) -> Collection:
    with Collection.open(settings, embedder=fake_embedder) as c:
        yield c


def stored(coll: Collection, article_id: str) -> tuple:
    return coll.db.described(article_id)


def test_a_corrected_date_line_or_headline_in_a_file_is_stored(coll: Collection, tmp_path: Path) -> None:
    f = tmp_path / "kelso.txt"
    f.write_text(f"date 2024-12-02\nKelso harbour reopens\n\n{BODY}\n", encoding="utf-8")
    first = coll.ingest(str(f)).items[0]
    assert first.status == "added" and stored(coll, first.article_id)[3] == "2024-12-02"
    embedded = []
    coll.indexer.embedder = _Counting(coll.indexer.embedder, embedded)
    assert coll.ingest(str(f)).items[0].status == "unchanged" and not embedded  # as stored: nothing to do
    f.write_text(f"date 2024-12-01\nKelso harbour reopens after repairs\n\n{BODY}\n", encoding="utf-8")
    again = coll.ingest(str(f)).items[0]
    assert again.status == "updated" and again.article_id == first.article_id
    assert stored(coll, first.article_id)[1:4] == ("Kelso harbour reopens after repairs", None, "2024-12-01")
    assert embedded  # the title is embedded with every chunk: re-embedded
    assert coll.db.counts()["articles"] == 1


def test_a_dump_record_with_a_new_author_or_url_is_updated(coll: Collection, tmp_path: Path) -> None:
    dump = tmp_path / "news.jsonl"
    record = {"id": "k1", "title": "Kelso harbour reopens", "date": "2024-12-02", "text": BODY}
    dump.write_text(json.dumps(record) + "\n", encoding="utf-8")
    first = coll.ingest(str(dump)).items[0]
    dump.write_text(json.dumps(record | {"author": "Jo Reid"}) + "\n", encoding="utf-8")
    again = coll.ingest(str(dump)).items[0]
    assert again.status == "updated" and stored(coll, first.article_id)[2] == "Jo Reid"
    assert coll.ingest(str(dump)).items[0].status == "unchanged"


def test_a_duplicate_under_another_title_does_not_retitle_the_article(coll: Collection) -> None:
    first = coll.ingest_text(BODY, title="Kelso harbour reopens", source="outlet-a:kelso",
                             published=date(2024, 12, 2)).items[0]
    twin = coll.ingest_text(BODY, title="Storm wall repaired in Kelso", source="outlet-b:kelso").items[0]
    assert twin.status == "duplicate" and twin.article_id == first.article_id
    for _ in range(2):  # the twin again: its own title is not the stored one's, and never becomes it
        assert coll.ingest_text(BODY, title="Storm wall repaired in Kelso", source="outlet-b:kelso").items[0].status \
            == "unchanged"
    assert stored(coll, first.article_id)[:2] == ("outlet-a:kelso", "Kelso harbour reopens")


class _Counting:
    """The embedder, recording every text it embeds."""

    def __init__(self, inner: HashEmbedder, seen: list[str]) -> None:
        self._inner, self._seen = inner, seen

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def __call__(self, texts: list[str]):  # noqa: ANN204 - the embedder's array
        self._seen.extend(texts)
        return self._inner(texts)
