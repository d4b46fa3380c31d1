"""Story groups (index/stories.py + the stories table in index/db.py): near-duplicate copies share a
story, same-topic articles do not, removals keep the rest of a story together, old databases
migrate and get grouped by the backfill. Real ``ArticleDB`` files, the fitted parameters."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from index import db as dbmod
from index.chunk import chunk_article
from index.db import ArticleDB
from index.stories import StoryIndex, StoryParams, same_story, signature, similarity
from index.types import Article

# Three invented articles: A, a different report on the same topic (same town, people and words), and
# an unrelated one. Paragraphs are blank-line separated, as loaded articles are.
A = """Storm surge floods the harbour at Porthmere as council opens emergency shelters

Heavy rain and a storm surge flooded the harbour at Porthmere on Monday night, forcing more than two hundred families from their homes along the sea front, the county council said.

Council leader Maria Okafor said the emergency shelters at the leisure centre and two primary schools had opened at midnight and would stay open for the rest of the week. Volunteers from the lifeboat station helped older residents reach higher ground before the water arrived.

The harbour master, Dev Pillai, said the tide rose almost a metre above the level forecast by the coastal agency, and that three fishing boats broke their moorings and were carried into the car park beside the fish market.

Engineers from the water company worked through the night to keep the pumping station on Quay Street running. The main road into the town was closed after a section of the sea wall collapsed near the old lighthouse.

Insurers said it was too early to put a figure on the damage, but traders on the harbour estimated that at least forty shops had been flooded. The coastal agency has issued a further warning for Wednesday, when strong winds are expected to return.

The council has asked anyone who needs help to call its emergency line, and said it would publish a list of road closures every morning until the sea wall is repaired."""

# same town, same people, same vocabulary: the council's budget meeting about the sea wall, months later
SAME_TOPIC = """Porthmere council agrees to spend four million pounds on the sea wall

Porthmere council has agreed to spend four million pounds repairing the sea wall near the old lighthouse, six months after a storm surge flooded the harbour and forced families from their homes.

Council leader Maria Okafor told the budget meeting on Thursday that the repairs would start in the spring and take two years, and that the main road into the town would stay open while the work is done in sections.

The harbour master, Dev Pillai, welcomed the decision but said the fishing fleet still needed new moorings, after boats were carried into the car park beside the fish market during the storm.

Opposition councillors said the money should have been found before the flooding. Traders on the harbour said many shops had still not reopened, and that insurers had been slow to pay for the damage.

The coastal agency said it would install a new tide gauge at the harbour entrance so that warnings for the town could be issued earlier. The council will publish the timetable for the works on its website next month."""

UNRELATED = """City orchestra names new principal conductor after two year search

The city orchestra has named the Finnish conductor Aino Lehtonen as its new principal conductor, ending a search that began when her predecessor retired two years ago.

Lehtonen, who is forty one, has led the orchestra several times as a guest and will take up the post in September. She said she wanted to take the orchestra on tour in Asia and to commission new works from young composers.

The orchestra's chief executive said ticket sales had recovered after a difficult few seasons, and that the new appointment would help it attract younger audiences to the concert hall.

Lehtonen will conduct eight programmes in her first season, including a cycle of the Sibelius symphonies and the premiere of a new violin concerto."""


def copy_of(text: str) -> str:
    """A syndicated copy: new headline, wire dateline, last paragraph dropped, one sentence reworded."""
    paras = text.split("\n\n")
    paras[0] = "Hundreds leave homes as sea floods Porthmere harbour"
    paras[1] = "PORTHMERE (Wire) - " + paras[1]
    paras[3] = paras[3].replace("Volunteers from the lifeboat station helped older residents reach higher ground "
                                "before the water arrived.", "Lifeboat volunteers helped elderly people to safety.")
    return "\n\n".join(paras[:-1])


def art(source: str, text: str, day: int) -> Article:
    return Article(source=source, title=text.split("\n", 1)[0], text=text, published=date(2024, 3, day))


def put(db: ArticleDB, a: Article) -> None:
    db.put_article(a, chunk_article(a, max_tokens=120))


@pytest.fixture
def params() -> StoryParams:
    return StoryParams.load()  # the fitted parameters, as ingest uses them


@pytest.fixture
def db(tmp_path: Path):
    d = ArticleDB(tmp_path / "articles.db")
    yield d
    d.close()


def test_fitted_parameters_are_readable(params: StoryParams) -> None:
    assert 2 <= params.shingle <= 10 and params.num_perm >= 64
    assert 0 < params.jaccard < 1 and 0 < params.containment <= 1


def test_trimmed_copy_keeps_containment_while_jaccard_falls(params: StoryParams) -> None:
    full, copy = signature(A, params), signature(copy_of(A), params)
    j, c = similarity(full, copy)
    assert c > 0.8 and c > j  # the trim cut the Jaccard, not the containment
    assert same_story(full, copy, params)
    assert not same_story(full, signature(SAME_TOPIC, params), params)


def test_edited_copy_joins_the_original_story(db: ArticleDB, params: StoryParams) -> None:
    stories = StoryIndex(db, params)
    orig, copy = art("/news/orig.txt", A, 4), art("https://wire.example/copy", copy_of(A), 5)
    put(db, orig)
    assert stories.assign(orig.id, orig.text) == orig.id  # first of its story: named after itself
    put(db, copy)
    assert stories.assign(copy.id, copy.text) == orig.id

    info = {a.id: a for a in db.list_articles()}
    assert info[copy.id].story_id == info[orig.id].story_id == orig.id
    assert info[copy.id].story_size == 2
    rows = db.chunks_by_ids(db.chunk_ids(copy.id))
    assert rows and {r.story_id for r in rows.values()} == {orig.id}  # what retrieval caps on
    assert db.story_members(orig.id) == [orig.id, copy.id]  # earliest first ("also in: ...")


def test_same_topic_article_starts_its_own_story(db: ArticleDB, params: StoryParams) -> None:
    stories = StoryIndex(db, params)
    a, b, c = art("a", A, 4), art("b", SAME_TOPIC, 5), art("c", UNRELATED, 6)
    for x in (a, b, c):
        put(db, x)
    got = {x.id: stories.assign(x.id, x.text) for x in (a, b, c)}
    assert got == {a.id: a.id, b.id: b.id, c.id: c.id}
    assert {i.story_size for i in db.list_articles()} == {1}


def test_removing_an_article_keeps_the_rest_of_its_story(db: ArticleDB, params: StoryParams) -> None:
    stories = StoryIndex(db, params)
    orig, copy1, copy2 = art("orig", A, 4), art("copy1", copy_of(A), 5), art("copy2", "UPDATE: " + copy_of(A), 6)
    for x in (orig, copy1, copy2):
        put(db, x)
        stories.assign(x.id, x.text)
    assert {stories.story_of(x.id) for x in (orig, copy1, copy2)} == {orig.id}

    db.remove_article(orig.id)  # the path `rag remove` and --prune take (the row goes by cascade)
    stories.remove(orig.id)
    left = {stories.story_of(copy1.id), stories.story_of(copy2.id)}
    assert left == {copy1.id}  # still one story, renamed after its earliest remaining article
    assert [i.story_size for i in db.list_articles()] == [2, 2]

    stories.remove(copy1.id)  # StoryIndex.remove alone (the article row still exists)
    assert stories.story_of(copy2.id) == copy2.id and stories.story_of(copy1.id) is None

    put(db, orig)  # the original comes back: it joins the copy that is left, no clash with an old name
    assert stories.assign(orig.id, orig.text) == copy2.id


def test_an_updated_article_that_still_matches_keeps_its_story(db: ArticleDB, params: StoryParams) -> None:
    stories = StoryIndex(db, params)
    orig, copy = art("orig", A, 4), art("copy", copy_of(A), 5)
    for x in (orig, copy):
        put(db, x)
        stories.assign(x.id, x.text)
    edited = art("orig", A + "\n\nThis article was updated on Tuesday.", 4)
    put(db, edited)
    assert stories.assign(edited.id, edited.text) == orig.id
    assert stories.story_of(copy.id) == orig.id  # the copy was not renamed away from its story

    rewritten = art("orig", UNRELATED, 4)  # the source now holds something else entirely
    put(db, rewritten)
    assert stories.assign(rewritten.id, rewritten.text) == orig.id  # a new story, under its own id...
    assert stories.story_of(copy.id) == copy.id  # ...and the copy no longer carries that name


def test_another_connection_sees_new_assignments(tmp_path: Path, params: StoryParams) -> None:
    """Two processes (``rag watch`` and ``rag ingest``) each with an index: neither misses the other's rows."""
    one, two = ArticleDB(tmp_path / "a.db"), ArticleDB(tmp_path / "a.db")
    try:
        s1, s2 = StoryIndex(one, params), StoryIndex(two, params)
        c = art("c", UNRELATED, 3)
        put(two, c)
        s2.assign(c.id, c.text)  # s2's LSH is built now, before the original exists
        orig, copy = art("orig", A, 4), art("copy", copy_of(A), 5)
        put(one, orig)
        s1.assign(orig.id, orig.text)
        put(two, copy)
        assert s2.assign(copy.id, copy.text) == orig.id
    finally:
        one.close()
        two.close()


def _old_store(path: Path, articles: list[Article]) -> None:
    """A database as the previous release wrote it: the old schema, no stories table."""
    conn = sqlite3.connect(str(path))
    conn.executescript(dbmod._SCHEMA)
    for a in articles:
        conn.execute(
            "INSERT INTO articles(id, title, source, url, author, published, content_hash, version, text, n_chunks,"
            " extra, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (a.id, a.title, a.source, a.url, a.author, a.published.isoformat(), a.content_hash, a.content_hash[:10],
             a.text, 0, "{}", 0.0))
        conn.execute("INSERT INTO sources(source, article_id) VALUES (?,?)", (a.source, a.id))
    conn.commit()
    conn.close()


def test_old_database_opens_migrates_and_backfills(tmp_path: Path, params: StoryParams) -> None:
    copy, orig = art("copy", copy_of(A), 9), art("orig", A, 2)  # stored out of date order
    other, unrelated = art("other", SAME_TOPIC, 5), art("unrelated", UNRELATED, 7)
    path = tmp_path / "old.db"
    _old_store(path, [copy, orig, other, unrelated])
    assert "stories" not in {r[0] for r in sqlite3.connect(str(path)).execute("SELECT name FROM sqlite_master")}

    db = ArticleDB(path)  # opening migrates: the table exists, nothing is grouped yet
    try:
        assert {i.story_id for i in db.list_articles()} == {copy.id, orig.id, other.id, unrelated.id}
        stories = StoryIndex(db, params)
        assert stories.pending() == 4
        calls: list[tuple[int, int]] = []
        assert stories.backfill(lambda done, total: calls.append((done, total)), batch=2) == 4
        assert calls[0] == (0, 4) and calls[-1] == (4, 4)
        assert stories.pending() == 0
        got = {i.id: i.story_id for i in db.list_articles()}
        assert got[copy.id] == got[orig.id] == orig.id  # named after the earliest published
        assert got[other.id] == other.id and got[unrelated.id] == unrelated.id
        assert stories.backfill() == 0  # nothing left: a second run is a no-op
    finally:
        db.close()


def test_refitted_parameters_regroup_on_backfill(db: ArticleDB, params: StoryParams) -> None:
    orig, copy = art("orig", A, 4), art("copy", copy_of(A), 5)
    old = StoryIndex(db, StoryParams(params.shingle + 1, params.num_perm, params.jaccard, params.containment))
    for x in (orig, copy):
        put(db, x)
        old.assign(x.id, x.text)
    stories = StoryIndex(db, params)
    assert stories.pending() == 2  # signed with other parameters: stale
    assert stories.backfill() == 2
    assert stories.story_of(copy.id) == orig.id and stories.pending() == 0


def test_story_versions_say_which_is_an_article_and_which_a_copy(db: ArticleDB, params: StoryParams) -> None:
    """``story_versions`` returned (id, title, address, published) tuples whose first field was an
    article id for an article and a source name for an exact copy kept as one more source of one:
    a caller could not tell them apart. Each version now names its article and says if it is a copy."""
    stories = StoryIndex(db, params)
    orig = Article(source="/news/orig.txt", title=A.split("\n", 1)[0], text=A, published=date(2024, 3, 4),
                   url="https://paper.example/orig")
    edited = art("https://wire.example/copy", copy_of(A), 5)
    for x in (orig, edited):
        put(db, x)
        stories.assign(x.id, x.text)
    db.add_source("/mirror/orig-again.txt", orig.id, "https://mirror.example/orig")  # the exact text, elsewhere
    db.add_source("/news/orig-dup.txt", orig.id)  # a second file with no address of its own: its source shows

    versions = db.story_versions(orig.id)
    assert [(v.article_id, v.is_copy, v.address) for v in versions] == [
        (orig.id, False, "https://paper.example/orig"),
        (orig.id, True, "https://mirror.example/orig"),
        (orig.id, True, "/news/orig-dup.txt"),
        (edited.id, False, "https://wire.example/copy"),
    ]
    first, mirror = versions[0], versions[1]
    assert (first.source, first.url, first.published) == ("/news/orig.txt", "https://paper.example/orig", "2024-03-04")
    assert (mirror.source, mirror.title, mirror.published) == ("/mirror/orig-again.txt", orig.title, "2024-03-04")
    assert [v.article_id for v in db.story_versions(orig.id) if not v.is_copy] == db.story_members(orig.id)



def test_story_versions_of_an_ungrouped_article_is_the_article_and_its_copies(db: ArticleDB) -> None:
    lone = art("/news/lone.txt", UNRELATED, 6)
    put(db, lone)  # no story row yet (the backfill has not run)
    db.add_source("https://radio.example/conductor", lone.id, "https://radio.example/conductor")
    got = db.story_versions(lone.id)
    assert [(v.article_id, v.is_copy, v.address) for v in got] == [
        (lone.id, False, "/news/lone.txt"), (lone.id, True, "https://radio.example/conductor")]
