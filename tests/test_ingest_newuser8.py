"""A new user's dump defects (report 8: D6, D7, D8 and the `rag list` item of D16).

* D6: HTML in a dump's fields (a CMS export's body: ``<p>``, ``&amp;``, ``<b>``) was stored raw, so quotes
  and titles showed the markup and two paragraphs read as one sentence. It is read as text now; plain
  text that merely holds "<" or "&" ("AT&T", "a < b") is kept byte for byte (its content hash too).
* D7: `rag ingest dump.jsonl --prune` pruned nothing, silently, when a record of the dump failed (the rule
  stays: a dump not read whole prunes nothing); it says so now, naming the articles it kept.
* D8: `rag remove dump.jsonl` said "no such article id or source": a dump's records are stored by their
  url. It removes the records the dump brought in now (the store lists a dump's urls), and says where
  they are when the store does not know the dump.
* D16: `rag list` showed one source of an article ingested from several (an exact copy elsewhere).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from index.chunk import split_sentences
from index.collection import Collection
from index.formats import normalise
from index.formats.prose import drop_link_lines
from index.records import from_html, iter_records
from index.types import Article, content_hash
from rag.cli import app
from rag.settings import Settings
from tests.fakes import HashEmbedder, cli_on

RTQA = Path("/work/shared/corpora/realtimeqa-dev/corpus.jsonl")

VZ = {"title": "Dallas &amp; jobs", "url": "https://x.example/vz", "date": "2022-11-02",
      "text": "<p>Verizon &amp; AT&amp;T said on Tuesday they would cut 3,000 jobs in Dallas, spokeswoman Kim Ode "
              "said.</p><p>The cuts start in <b>January</b>.</p>"}
ATT = {"title": "AT&amp;T &quot;cuts&quot; jobs &#8211; <em>again</em>", "url": "https://x.example/att",
       "date": "2022-11-01", "text": "AT&T said on Monday it would cut 2,000 jobs in Dallas, spokesman Lee Park said."}
#: plain texts that hold "<" and "&" and are no HTML: kept as written
PLAIN = [
    {"title": "AT&T and R&D <b>bold</b> [red]x[/red]", "url": "https://plain.example/1", "date": "2022-11-03",
     "text": "AT&T said its R&D budget grew while a < b held, and x<y for the vector<int> type, users "
             "said.\n\nThe &copy 2022 line and Q&A; stay as written, spokesman Lee Park said."},
    {"title": "Heart rates", "url": "https://plain.example/2", "date": "2022-11-04",
     "text": "Runners with a resting heart rate < 60 did best <3 in the trial, the study's authors said on Monday."},
]


def jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def loaded(raw: str, kind: str = "jsonl") -> list[Article]:
    out = list(iter_records(kind, raw, "/d/dump." + kind))
    assert all(isinstance(a, Article) for a in out), out
    return out  # type: ignore[return-value]


# --- D6: HTML in a dump's fields ----------------------------------------------------------------------------

def test_an_html_body_is_read_as_text_with_its_paragraphs_and_entities() -> None:
    [vz, att] = loaded(json.dumps(VZ) + "\n" + json.dumps(ATT) + "\n")
    assert vz.text == ("Verizon & AT&T said on Tuesday they would cut 3,000 jobs in Dallas, spokeswoman Kim Ode said."
                       "\n\nThe cuts start in January.")
    assert vz.title == "Dallas & jobs"
    assert [vz.text[s:e] for s, e in split_sentences(vz.text)][-1] == "The cuts start in January."  # two sentences
    # a headline with entities is HTML: its tags go too; the plain text of its record stays as written
    assert att.title == 'AT&T "cuts" jobs – again' and att.text == ATT["text"]


def test_plain_text_with_angle_brackets_and_ampersands_is_kept_byte_for_byte() -> None:
    arts = loaded("".join(json.dumps(r) + "\n" for r in PLAIN))
    assert [a.text for a in arts] == [r["text"] for r in PLAIN]
    assert [a.content_hash for a in arts] == [content_hash(r["text"]) for r in PLAIN]
    # a plain headline keeps a "<b>" it holds, as text (shown as written, never as markup), as before
    assert arts[0].title == PLAIN[0]["title"]


@pytest.mark.parametrize(("raw", "text"), [
    # a WordPress body: paragraphs as blank lines, inline tags inside; its line breaks as written
    ("First <strong>bold</strong> and <a href=\"https://x.example\">a link</a>.\n\nSecond one.\nSame paragraph.",
     "First bold and a link.\n\nSecond one.\nSame paragraph."),
    # block tags: a newline inside a paragraph is a space, a blank line still a paragraph break
    ("<h2>Budget</h2>\n\n<p>The council met\non Monday.</p>\n<p>It voted 7 to 2.</p>",
     "Budget\n\nThe council met on Monday.\n\nIt voted 7 to 2."),
    ("Line one<br>line two<br/>line three", "Line one\n\nline two\n\nline three"),
    ("<div><p>Nested</p> tail</div><script>alert(1)</script><!-- a comment --><style>p{}</style>", "Nested\n\ntail"),
    ("<p>x &lt;script&gt; y &nbsp;&#8212; z</p>", "x <script> y — z"),
    ("<p>unclosed <b>bold and a < b", "unclosed bold and a < b"),
    ("Dallas &amp; jobs, AT&T", "Dallas & jobs, AT&T"),  # entities alone: decoded, nothing else changed
])
def test_html_fragments_read_as_a_browser_shows_them(raw: str, text: str) -> None:
    assert from_html(raw) == text


def test_csv_fields_and_bylines_and_lists_of_paragraphs_too() -> None:
    raw = ('headline,body,byline,url\n"Ferry &amp; bus","<p>The ferry to Arran was cancelled on Monday, the operator '
           'said.</p><p>Buses ran instead.</p>",<b>Jo Reid</b> &amp; Ann Lee,https://x.example/ferry\n')
    [a] = loaded(raw, "csv")
    assert (a.title, a.author) == ("Ferry & bus", "Jo Reid & Ann Lee")  # the record is HTML: its byline's tags go
    assert a.text == "The ferry to Arran was cancelled on Monday, the operator said.\n\nBuses ran instead."
    [b] = loaded(json.dumps({"title": "T", "text": ["<p>One &amp; two were cut on Monday, he said.</p>",
                                                    "Plain second paragraph, as written."]}) + "\n")
    assert b.text == "One & two were cut on Monday, he said.\n\nPlain second paragraph, as written."


@pytest.mark.skipif(not RTQA.exists(), reason="the RealTime QA corpus is not here")
def test_every_plain_record_of_a_real_corpus_loads_as_before() -> None:
    """The 3,359 RealTime QA records hold no HTML: each text (so its content hash) is what the loader
    made of it before HTML was read, so a re-ingest of a store built then finds them all unchanged."""
    raw = RTQA.read_text(encoding="utf-8")
    before = [drop_link_lines(normalise(json.loads(line)["text"]))[0] for line in raw.splitlines() if line.strip()]
    now = [a.text for a in iter_records("jsonl", raw, str(RTQA)) if isinstance(a, Article)]
    assert len(now) == len(before) > 3000
    assert now == before


# --- the CLI, on a real store with the HashEmbedder ----------------------------------------------------

@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    cli_on(monkeypatch, settings, COLUMNS="300")
    return settings


def run(*args: str):  # noqa: ANN201 - click.testing.Result
    return CliRunner().invoke(app, list(args))


def flat(text: str) -> str:
    return " ".join(text.split())


def stored(env: Settings) -> dict[str, str]:
    """source -> stored text."""
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        query = "SELECT s.source, a.text FROM sources s JOIN articles a ON a.id = s.article_id"
        rows = coll.db._q(query)  # noqa: SLF001
        return dict(rows.fetchall())


def test_a_plain_dump_ingested_again_is_unchanged_and_an_html_one_is_stored_as_text(env: Settings,
                                                                                    tmp_path: Path) -> None:
    f = jsonl(tmp_path / "dump.jsonl", [*PLAIN, VZ])
    assert run("ingest", str(f)).exit_code == 0
    texts = stored(env)
    assert texts["https://plain.example/1"] == PLAIN[0]["text"] and "<p>" not in texts["https://x.example/vz"]
    assert run("ingest", str(f)).exit_code == 0
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        report = coll.ingest([str(f)])
    assert report.summary()["unchanged"] == 3 and report.summary()["updated"] == 0


# --- D7: --prune of a dump with failed records says it pruned nothing -----------------------------------

def news(name: str) -> dict:
    return {"title": f"{name} opens", "url": f"https://local.example/{name}", "date": "2022-11-02",
            "text": f"The Springfield {name} opened on Monday, officials said. It cost 4.2 million dollars to build."}


def test_prune_of_a_dump_with_failed_records_says_it_kept_what_it_may_no_longer_hold(env: Settings,
                                                                                     tmp_path: Path) -> None:
    f = jsonl(tmp_path / "news" / "dump.jsonl", [news("bridge"), news("zoo"), news("library")])
    assert run("ingest", str(f)).exit_code == 0
    # the zoo record deleted; two bad rows: what the dump holds is not known, so nothing of it goes
    f.write_text("".join([json.dumps(news("bridge")) + "\n", '{"title": "oops"\n', json.dumps(news("library")) + "\n",
                          json.dumps({"title": "No text", "url": "https://local.example/x"}) + "\n"]), encoding="utf-8")
    res = run("ingest", str(f), "--prune")
    assert res.exit_code == 1
    err = flat(res.stderr)
    assert (f"notice: --prune skipped for {f.resolve()}: 2 records of it failed to load (see above), so the article "
            "it may no longer hold was kept (https://local.example/zoo); fix those records and run the same "
            "`rag ingest --prune` again, or remove it if stale: `rag remove https://local.example/zoo`") in err, err
    assert err.index("failed") < err.index("notice: --prune")  # the failures it points at come first
    assert "https://local.example/zoo" in stored(env)
    # the report carries it in words for any surface (REST and the UI show a report's notices)
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        report = coll.ingest([str(f.parent)], prune=True)  # a folder holding the dump: the same
        assert report.count("removed") == 0 and report.count("failed") == 2  # no failed item of its own
        assert report.notices == (f"prune skipped for {f.resolve()}: 2 records of it failed to load, so the article "
                                  "it may no longer hold was kept (https://local.example/zoo); fix those records and "
                                  "prune again, or remove that article",)
        # a bad row but nothing stale: that prune would have removed nothing either, so nothing to say
        jsonl(f, [news("bridge"), news("zoo"), news("library")])
        coll.ingest([str(f)])
        f.write_text(f.read_text(encoding="utf-8") + "{oops\n", encoding="utf-8")
        assert coll.ingest([str(f)], prune=True).notices == ()
        # fixed: the prune goes on as ever
        jsonl(f, [news("bridge"), news("library")])
        assert [r.item for r in coll.ingest([str(f)], prune=True).items if r.status == "removed"] == [
            "https://local.example/zoo"]


def test_a_dump_that_fails_whole_says_so_and_names_its_records_without_a_url(env: Settings, tmp_path: Path) -> None:
    f = tmp_path / "dump.json"
    f.write_text(json.dumps([news("park"), {k: v for k, v in news("pool").items() if k != "url"}]), encoding="utf-8")
    with Collection.open(env, embedder=HashEmbedder()) as coll:
        coll.ingest([str(f)])
        f.write_text("[{oops", encoding="utf-8")
        report = coll.ingest([str(f)], prune=True)
    assert report.count("removed") == 0
    assert report.notices == (f"prune skipped for {f.resolve()}: it failed to load, so the 2 articles it may no "
                              f"longer hold were kept ({f.resolve()}#1, https://local.example/park); fix it and prune "
                              "again, or remove those articles",)


# --- D8: rag remove DUMP --------------------------------------------------------------------------------

def test_remove_a_dump_removes_the_records_it_brought_in(env: Settings, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "pool.txt"
    page.write_text(news("pool")["text"], encoding="utf-8")
    no_url = {k: v for k, v in news("school").items() if k != "url"}
    copy = {**news("pool"), "url": "https://copy.example/pool"}  # an exact copy of pool.txt: one more source
    f = jsonl(tmp_path / "dump.jsonl", [news("bridge"), news("zoo"), no_url, copy])
    other = jsonl(tmp_path / "other.jsonl", [news("zoo")])  # another dump holds the zoo record too
    keep = jsonl(tmp_path / "keep.jsonl", [news("museum")])
    assert run("ingest", str(page), str(f), str(other), str(keep)).exit_code == 0
    monkeypatch.chdir(tmp_path)  # as `rag ingest` took it: a relative path too
    res = run("remove", "dump.jsonl")
    assert res.exit_code == 0, res.output
    out = flat(res.stderr)
    shown = str(f.resolve())
    assert f"removed: {shown}#3 (a record of {shown})" in out
    assert f"removed: https://local.example/bridge (a record of {shown})" in out
    assert (f"removed: https://copy.example/pool (a record of {shown}; this source only: the article stays, also "
            f"ingested from {page.resolve()}; `rag remove ") in out
    assert (f"skipped: https://local.example/zoo (kept: {other.resolve()} holds this record too; remove it by its url "
            "to remove it anyway)") in out
    assert set(stored(env)) == {str(page.resolve()), "https://local.example/zoo", "https://local.example/museum"}
    # once removed, the store knows no record of it: the error says where a dump's records are
    again = run("remove", "dump.jsonl")
    assert again.exit_code == 1
    assert ("failed: dump.jsonl (no record of this dump is stored: a dump's records are stored by their url (or as "
            "dump.jsonl#N without one)") in flat(again.stderr)
    assert "`rag list SITE` shows them, then `rag remove URL ...`" in flat(again.stderr)
    # ingested again, it is listed again; removed again
    assert run("ingest", str(f)).exit_code == 0
    assert run("remove", str(f)).exit_code == 0
    assert "https://local.example/bridge" not in stored(env)


def test_remove_of_an_unknown_dump_or_an_id_is_as_before(env: Settings, tmp_path: Path) -> None:
    f = jsonl(tmp_path / "dump.jsonl", [news("bridge")])
    assert run("ingest", str(f)).exit_code == 0
    never = run("remove", str(tmp_path / "never.csv"))
    assert never.exit_code == 1 and "a dump's records are stored by their url" in flat(never.stderr)
    plain = run("remove", "nosuchthing")
    assert plain.exit_code == 1 and "no such article id or source; see `rag list`" in flat(plain.stderr)
    gone = run("remove", "https://local.example/bridge")
    assert gone.exit_code == 0 and "removed: https://local.example/bridge" in flat(gone.stderr)


# --- D16: rag list shows an article's other sources -----------------------------------------------------

def test_list_shows_how_many_more_sources_an_article_has(env: Settings, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.cli.output

    f = jsonl(tmp_path / "dump.jsonl", [news("bridge"), {**news("bridge"), "url": "https://copy.example/judge-copy"},
                                        news("zoo")])
    assert run("ingest", str(f)).exit_code == 0
    rows = {line.split("│")[3].strip(): line for line in run("list").stdout.splitlines() if line.startswith("│")}
    assert "https://local.example/bridge +1 more" in rows["bridge opens"]
    assert "more" not in rows["zoo opens"]
    found = run("list", "judge-copy").stdout  # found by its second source, which the count tells of
    assert "+1 more" in found
    monkeypatch.setattr(rag.cli.output.out, "_width", 80)  # the source cut to fit: the count stays whole
    narrow = [line for line in run("list").stdout.splitlines() if "bridge opens" in line]
    assert narrow and narrow[0].rstrip("│ ").endswith("+1 more"), narrow


def test_the_article_table_counts_the_sources_rest_lists() -> None:
    from io import StringIO

    from rich.console import Console

    from index.db import ArticleInfo
    from rag.cli.ingest import article_table, more_sources

    two = ArticleInfo("a1", "Bridge opens", "/n/a.txt", None, None, "2022-11-02", 1, 90, ("/n/a.txt", "/n/b.txt"))
    one = ArticleInfo("b2", "Zoo opens", "/n/z.txt", None, None, "2022-11-02", 1, 90, ("/n/z.txt",))
    assert (more_sources(two), more_sources(one)) == (" +1 more", "")
    console = Console(file=StringIO(), width=120, emoji=False)
    console.print(article_table([two, one], 120))
    assert "/n/a.txt +1 more" in console.file.getvalue()
