"""Feed benchmark: `rag ingest FEED_URL` against the model alone, then `rag watch --once` rounds.

    .venv/bin/python -m benchmarks.feeds [CORPUS] [--items 100] [--runtime onnx|torch]

Target (the project's issue): "an unchanged feed costs one conditional request and no embedding; a
feed of 100 items ingests at the embedding ceiling (same overhead ratio as files)".

N BBC articles (an evenly spread sample of CORPUS, default ../shared/corpora/bbc-news/bbc) are
rendered as news pages (title in <title> and <h1>, paragraphs in <p>, article:published_time and
a <time> byline, site header and footer) in a temp dir outside the repo, and served with an RSS 2.0
feed listing them by a ThreadingHTTPServer on 127.0.0.1 that sends ETag and Last-Modified on every
response, answers If-None-Match / If-Modified-Since with 304 and counts every request. Settings
allow loopback URLs as the tests do (``allow_private_urls``, env ``RAG_ALLOW_PRIVATE_URLS=1``).
Then, in one fresh collection (configured local embedder, embedded Chroma, home in the temp dir):

1. ``Collection.ingest([feed_url])``, the code path of ``rag ingest FEED_URL``; then the model
   alone, one call over exactly the chunk texts stored (as benchmarks/ingest.py):
   overhead = ingest / model alone (files: 1.003, target <= 1.15);
2. `rag watch` rounds, each through a new ``index.watch.Watcher`` over the collection, as the CLI
   does (``state.add(url)`` for a URL given, then ``poll_all``; a new watcher re-reads the state
   from ``watch.sqlite3`` as a new process would):
   a. ``rag watch FEED_URL --once`` right after the ingest (``rag ingest`` keeps no watch state);
   b. ``rag watch --once``, the feed unchanged: 1 conditional request, 304, nothing embedded;
   c. one item's page edited (the feed entry untouched) and one new item added to the feed;
   d. the feed marks the edited item as changed (a new pubDate, as a newsroom CMS does);
   e. ``rag watch --once`` again, nothing changed;
3. a second fresh collection whose first contact is ``rag watch FEED_URL --once`` (the watcher's
   own ingest path), against the model alone on its chunk texts;
4. the ingest's non-model steps alone on the same pages: fetching them (client and the server
   thread, both in this process) and extracting their HTML (``index.formats.parse_html``).

The machine is shared: each JSON records the 1-minute load average, and the process-CPU ratio is
the steadier figure when other jobs run (as in benchmarks/ingest.py).

Nothing of the corpus is written under the repo: the JSON holds counts, times and statuses only.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from benchmarks.common import DEFAULT_CORPUS, CountingEmbedder, corpus_files, machine, table, write_json

FEED_PATH = "/feed.xml"
EDIT_MARK = "Update: the council confirmed the figures on Friday, the benchmark's added paragraph says."
NEWEST = datetime(2005, 3, 31, 18, 0, tzinfo=timezone.utc)  # items are dated back from here, 7 h apart


# --- the site: pages and a feed on disk, served with validators ----------------------------------

class Site:
    """Files under ``root`` served on 127.0.0.1 with ETag / Last-Modified and 304s; counts requests."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.hits: list[tuple[str, int, bool]] = []  # (path, status, conditional request)
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                site.respond(self, unquote(urlsplit(self.path).path))

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="bench-site", daemon=True)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def put(self, path: str, text: str) -> str:
        f = self.root / path.lstrip("/")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")
        return self.base + path

    def record(self, h: BaseHTTPRequestHandler, path: str, status: int) -> None:
        """Count the request before answering it: the client may return before a late count."""
        cond = "If-None-Match" in h.headers or "If-Modified-Since" in h.headers
        with self.lock:
            self.hits.append((path, status, cond))

    def respond(self, h: BaseHTTPRequestHandler, path: str) -> int:
        f = (self.root / path.lstrip("/")).resolve()
        if not f.is_relative_to(self.root) or not f.is_file():
            self.record(h, path, 404)
            h.send_response(404)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return 404
        body = f.read_bytes()
        mtime = int(f.stat().st_mtime)
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        modified = formatdate(mtime, usegmt=True)
        inm, ims = h.headers.get("If-None-Match"), h.headers.get("If-Modified-Since")
        if inm is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
            fresh = inm.strip() == "*" or etag in (t.strip().removeprefix("W/") for t in inm.split(","))
        elif ims is not None:
            try:
                fresh = mtime <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        self.record(h, path, 304 if fresh else 200)
        h.send_response(304 if fresh else 200)
        h.send_header("ETag", etag)
        h.send_header("Last-Modified", modified)
        h.send_header("Cache-Control", "max-age=0")
        if fresh:
            h.end_headers()
            return 304
        ctype = "application/rss+xml" if f.suffix == ".xml" else "text/html"
        h.send_header("Content-Type", f"{ctype}; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
        return 200

    def since(self, mark: int) -> list[tuple[str, int, bool]]:
        with self.lock:
            return list(self.hits[mark:])


class Story:
    """One BBC article as a page of the site (nothing of it leaves the temp dir)."""

    def __init__(self, src: Path, when: datetime) -> None:
        raw = src.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        head, _, body = text.strip().partition("\n")
        self.title = " ".join(head.split())
        self.paras = [" ".join(p.split()) for p in body.split("\n") if p.strip()]
        self.path = f"/news/{src.parent.name}/{src.stem}.html"
        self.category = src.parent.name
        self.when = when

    def page(self) -> str:
        e = html.escape
        iso = self.when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        paras = "\n".join(f"<p>{e(p)}</p>" for p in self.paras)
        nav = " ".join(f'<a href="/news/{c}/">{c.title()}</a>'
                       for c in ("business", "entertainment", "politics", "sport", "tech"))
        return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{e(self.title)} - Benchmark News</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(self.title)}">
<meta property="og:site_name" content="Benchmark News">
<meta property="article:published_time" content="{iso}">
<meta property="article:section" content="{e(self.category.title())}">
<link rel="alternate" type="application/rss+xml" href="{FEED_PATH}">
</head>
<body>
<header><a class="logo" href="/">Benchmark News</a><nav>{nav}</nav></header>
<main>
<article>
<h1>{e(self.title)}</h1>
<p class="byline">By Staff Reporter, <time datetime="{iso}">{self.when.strftime("%d %B %Y, %H:%M GMT")}</time></p>
{paras}
</article>
<aside><h2>Most read</h2><ul><li><a href="/news/">Top stories</a></li><li><a href="/news/sport/">Sport</a></li></ul></aside>
</main>
<footer><p>&copy; 2005 Benchmark News. <a href="/terms">Terms of use</a> <a href="/privacy">Privacy</a></p></footer>
</body>
</html>
"""

    def item(self, base: str, when: datetime | None = None) -> str:
        e = html.escape
        lead = self.paras[0] if self.paras else ""
        return (f"<item><title>{e(self.title)}</title><link>{base}{self.path}</link>"
                f'<guid isPermaLink="true">{base}{self.path}</guid>'
                f"<pubDate>{format_datetime(when or self.when, usegmt=True)}</pubDate>"
                f"<category>{e(self.category)}</category><description>{e(lead)}</description></item>")


def rss(base: str, items: list[str]) -> str:
    built = format_datetime(datetime.now(timezone.utc), usegmt=True)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Benchmark News</title>'
            f"<link>{base}/</link><description>Top stories</description><language>en-gb</language>"
            f"<lastBuildDate>{built}</lastBuildDate><ttl>15</ttl>\n" + "\n".join(items) + "\n</channel></rss>\n")


# --- counting ----------------------------------------------------------------------------------

class Counting(CountingEmbedder):
    """CountingEmbedder that also forwards ``runtime`` and ``fingerprint`` (the store records them)."""

    def __init__(self, inner) -> None:  # noqa: ANN001 - an Embedder
        super().__init__(inner)
        self.runtime = getattr(inner, "runtime", None)
        if hasattr(inner, "fingerprint"):
            self.fingerprint = inner.fingerprint


def hit_counts(hits: list[tuple[str, int, bool]]) -> dict[str, int]:
    feed = [h for h in hits if h[0] == FEED_PATH]
    pages = [h for h in hits if h[0] != FEED_PATH]
    return {
        "requests": len(hits),
        "feed_requests": len(feed),
        "feed_conditional": sum(c for _, _, c in feed),
        "feed_304": sum(s == 304 for _, s, _ in feed),
        "feed_200": sum(s == 200 for _, s, _ in feed),
        "page_requests": len(pages),
        "page_304": sum(s == 304 for _, s, _ in pages),
        "distinct_pages": len({p for p, _, _ in pages}),
        "most_requests_for_one_path": max(Counter(p for p, _, _ in hits).values(), default=0),
    }


def model_alone(coll, model) -> tuple[int, float, float]:  # noqa: ANN001
    """The model alone, one call over exactly the chunk texts stored (title + chunk, as embedded)."""
    from index.chunk import embed_text

    texts = [embed_text(title, text) for rows in coll.db.iter_chunks(2048) for _, title, text in rows]
    t, c = time.perf_counter(), time.process_time()
    model(texts)
    return len(texts), time.perf_counter() - t, time.process_time() - c


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--items", type=int, default=100, help="articles in the feed (an evenly spread sample)")
    ap.add_argument("--runtime", choices=("onnx", "torch"), default=None,
                    help="embedding runtime (default: RAG_EMBED_RUNTIME, i.e. what `rag ingest` uses)")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (default benchmarks/results/feeds.json)")
    args = ap.parse_args(argv)

    from index.collection import Collection
    from index.embed import make_embedder
    from index.watch import Watcher
    from rag.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="rag-bench-feeds-"))
    try:
        files = corpus_files(args.corpus.resolve())
        sample = corpus_files(args.corpus.resolve(), args.items)
        rest = [p for p in files if p not in set(sample)]
        stories = [Story(p, NEWEST - timedelta(hours=7 * i)) for i, p in enumerate(sample)]
        fresh = Story(rest[len(rest) // 2], NEWEST + timedelta(hours=14))  # the item added later
        edited = stories[len(stories) // 2]

        def settings_for(name: str) -> Settings:
            extra = {"embed_runtime": args.runtime} if args.runtime else {}
            return Settings(home=work / name, collection="feeds", allow_private_urls=True, **extra)  # type: ignore[arg-type]

        settings = settings_for("home")
        t = time.perf_counter()
        model = make_embedder(settings)
        model(["warm up the model", "and its thread pool"])
        load_s = time.perf_counter() - t
        runtime = getattr(model, "runtime", settings.embed_runtime)

        with Site(work / "site") as site:
            for s in stories:
                site.put(s.path, s.page())
            feed_url = site.put(FEED_PATH, rss(site.base, [s.item(site.base) for s in stories]))
            page_bytes = sum((work / "site" / s.path.lstrip("/")).stat().st_size for s in stories)

            emb = Counting(model)
            coll = Collection.open(settings, embedder=emb)

            # 1. rag ingest FEED_URL
            load_before = os.getloadavg()[0]
            mark = len(site.hits)
            t, c = time.perf_counter(), time.process_time()
            rep = coll.ingest([feed_url])
            ingest_s, ingest_cpu = time.perf_counter() - t, time.process_time() - c
            ingest_hits = hit_counts(site.since(mark))
            inside_s, ingest_texts = emb.seconds, emb.texts
            counts = coll.db.counts()
            print(f"rag ingest FEED_URL: {rep.summary()} {counts['chunks']} chunks in {ingest_s:.1f}s, "
                  f"{ingest_hits['requests']} requests", flush=True)
            for r in rep.failed[:10]:
                print(f"  failed: {r.reason}")
            infos = coll.db.list_articles(None, 10_000)
            want = {s.path: s.when.date().isoformat() for s in stories}
            dated = sum(1 for a in infos if a.url and want.get(urlsplit(a.url).path) == a.published)

            n_texts, raw_s, raw_cpu = model_alone(coll, model)
            load_after = os.getloadavg()[0]
            print(f"model alone on the same {n_texts} texts: {raw_s:.1f}s", flush=True)

            # 2. rag watch rounds
            rounds: list[dict] = []

            def watch_round(label: str, given: list[str] | None) -> dict:
                watcher = Watcher(coll)  # a new watcher re-reads watch.sqlite3, as a new `rag watch` process
                try:
                    urls = [watcher.state.add(u) for u in given] if given else None
                    mark, texts0 = len(site.hits), emb.texts
                    t, c = time.perf_counter(), time.process_time()
                    results = watcher.poll_all(urls)
                    secs, cpu = time.perf_counter() - t, time.process_time() - c
                finally:
                    watcher.state.close()
                hits = site.since(mark)
                [res] = results
                summary = res.report.summary() if res.report else {}
                changed = [r for r in (res.report.items if res.report else ()) if r.status in ("added", "updated")]
                row = {
                    "round": label,
                    "status": res.status,
                    "poll_requests_reported": res.requests,
                    "fetched_items": res.fetched_items,
                    **hit_counts(hits),
                    "edited_page_requests": sum(p == edited.path for p, _, _ in hits),
                    "new_page_requests": sum(p == fresh.path for p, _, _ in hits),
                    "texts_embedded": emb.texts - texts0,
                    "chunks_of_added_or_updated": sum(r.chunks for r in changed),
                    "report": summary,
                    "seconds": round(secs, 3),
                    "cpu_seconds": round(cpu, 3),
                    "error": bool(res.error),
                }
                rounds.append(row)
                print(f"watch {label}: {res.status}, {row['requests']} requests ({row['feed_304']} answered 304), "
                      f"{row['texts_embedded']} texts embedded, {summary or ''} in {secs:.2f}s", flush=True)
                return row

            def edit_stored() -> bool:
                [a] = [a for a in coll.db.list_articles(None, 10_000) if a.url and urlsplit(a.url).path == edited.path]
                return EDIT_MARK in (coll.db.article_text(a.id) or "")

            watch_round("a: `rag watch FEED --once` after `rag ingest FEED`", [feed_url])
            watch_round("b: unchanged feed", None)
            edited.paras.append(EDIT_MARK)
            site.put(edited.path, edited.page())
            site.put(FEED_PATH, rss(site.base, [fresh.item(site.base)] + [s.item(site.base) for s in stories]))
            site.put(fresh.path, fresh.page())
            watch_round("c: 1 page edited (feed entry untouched) + 1 new item", None)
            edit_after_c = edit_stored()
            bumped = NEWEST + timedelta(hours=15)
            site.put(FEED_PATH, rss(site.base, [fresh.item(site.base)] + [
                s.item(site.base, bumped if s is edited else None) for s in stories]))
            watch_round("d: the feed gives the edited item a new pubDate", None)
            edit_after_d = edit_stored()
            watch_round("e: unchanged feed again", None)
            coll.close()

            # 3. a fresh collection whose first contact with the feed is `rag watch FEED --once`
            settings2 = settings_for("home2")
            emb2 = Counting(model)
            coll2 = Collection.open(settings2, embedder=emb2)
            watcher = Watcher(coll2)
            try:
                mark = len(site.hits)
                t, c = time.perf_counter(), time.process_time()
                [res2] = watcher.poll_all([watcher.state.add(feed_url)])
                w_s, w_cpu = time.perf_counter() - t, time.process_time() - c
            finally:
                watcher.state.close()
            w_hits = hit_counts(site.since(mark))
            w_counts = coll2.db.counts()
            n2, raw2_s, raw2_cpu = model_alone(coll2, model)
            coll2.close()

            # 4. what the ingest does besides the model, each step alone on the same pages: fetching
            #    (client and, in this process, the server thread) and HTML extraction
            from index import formats
            from index.fetch import fetch_url

            urls = [site.base + s.path for s in stories]
            t, c = time.perf_counter(), time.process_time()
            pages = [fetch_url(u, settings) for u in urls]
            fetch_s, fetch_cpu = time.perf_counter() - t, time.process_time() - c
            t, c = time.perf_counter(), time.process_time()
            for u, pg in zip(urls, pages):
                formats.parse_html(formats.decode_html(pg.body, pg.encoding), u, u)
            parse_s, parse_cpu = time.perf_counter() - t, time.process_time() - c
            print(f"fresh collection, `rag watch FEED --once`: {res2.report.summary() if res2.report else res2.status} "
                  f"in {w_s:.1f}s; model alone {raw2_s:.1f}s on {n2} texts", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n = len(stories)
    chunks = counts["chunks"]
    overhead = ingest_s / raw_s
    by = {r["round"][0]: r for r in rounds}
    result = {
        "benchmark": "feeds",
        "machine": machine(),
        "embed_runtime": runtime,
        "model_load_s": round(load_s, 2),
        "feed": {"items": n, "page_kilobytes": round(page_bytes / 1024, 1), "chunks": chunks,
                 "articles_stored": counts.get("articles"), "dated_from_page_meta": dated},
        "ingest": {
            "path": "Collection.ingest([feed_url]) (rag ingest FEED_URL)",
            "seconds": round(ingest_s, 2),
            "cpu_seconds": round(ingest_cpu, 2),
            "articles_per_s": round(n / ingest_s, 2),
            "chunks_per_s": round(chunks / ingest_s, 2),
            "time_inside_embedder_s": round(inside_s, 2),
            "texts_embedded": ingest_texts,
            "summary": rep.summary(),
            "http": ingest_hits,
        },
        "model_alone": {"seconds": round(raw_s, 2), "cpu_seconds": round(raw_cpu, 2), "texts": n_texts,
                        "chunks_per_s": round(n_texts / raw_s, 2)},
        "overhead_ratio": round(overhead, 3),
        "overhead_ratio_cpu": round(ingest_cpu / raw_cpu, 3),
        "files_overhead_ratio_for_comparison": 1.003,
        "loadavg_1min_before_after": [round(load_before, 2), round(load_after, 2)],
        "watch_rounds": rounds,
        "edited_text_stored_after_round_c": edit_after_c,
        "edited_text_stored_after_round_d": edit_after_d,
        "checks": {
            "unchanged_feed_one_conditional_request_no_embedding": all(
                by[k]["requests"] == 1 and by[k]["feed_304"] == 1 and by[k]["texts_embedded"] == 0 for k in "be"),
            "new_item_only_fetched_in_round_c": by["c"]["page_requests"] == 1 and by["c"]["new_page_requests"] == 1,
            "silent_page_edit_seen_in_round_c": by["c"]["edited_page_requests"] > 0,
            "edit_marked_in_feed_refetched_in_round_d": by["d"]["page_requests"] == 1
            and by["d"]["edited_page_requests"] == 1 and edit_after_d,
            "first_watch_after_ingest_refetched_pages": by["a"]["page_requests"],
        },
        "watch_first_fresh_collection": {
            "seconds": round(w_s, 2), "cpu_seconds": round(w_cpu, 2), "status": res2.status,
            "summary": res2.report.summary() if res2.report else {}, "http": w_hits,
            "chunks": w_counts["chunks"], "texts_embedded": emb2.texts,
            "model_alone_s": round(raw2_s, 2), "model_alone_cpu_s": round(raw2_cpu, 2),
            "overhead_ratio": round(w_s / raw2_s, 3), "overhead_ratio_cpu": round(w_cpu / raw2_cpu, 3),
        },
        "steps_alone": {
            "fetch_pages_sequentially_s": round(fetch_s, 2), "fetch_cpu_s": round(fetch_cpu, 2),
            "parse_html_s": round(parse_s, 2), "parse_html_cpu_s": round(parse_cpu, 2),
            "parse_html_cpu_ms_per_page": round(1000 * parse_cpu / n, 1),
            "fetch_plus_parse_cpu_share_of_model_cpu": round((fetch_cpu + parse_cpu) / raw_cpu, 3),
        },
        "loadavg_1min_end": round(os.getloadavg()[0], 2),
    }
    print(table(
        f"Feed ingest: {n} items ({page_bytes / 1024:.0f} KB of pages), {chunks} chunks, embedded Chroma, "
        f"embedder {runtime}",
        ["measure", "value", "target"],
        [
            ["`rag ingest FEED_URL` (s)", ingest_s, ""],
            ["articles/s", n / ingest_s, ""],
            ["chunks/s", chunks / ingest_s, ""],
            ["model alone, same texts (s)", raw_s, ""],
            ["overhead ingest / model alone (wall)", overhead, "<= 1.15 (files: 1.003)"],
            ["overhead (process CPU)", ingest_cpu / raw_cpu, ""],
            ["HTTP requests (feed + pages)", f"{ingest_hits['feed_requests']} + {ingest_hits['page_requests']}",
             f"1 + {n}"],
            ["1-min load before / after", f"{load_before:.1f} / {load_after:.1f}", "~2 (idle machine)"],
            [f"CPU alone: fetch {n} pages / extract their HTML (s)", f"{fetch_cpu:.2f} / {parse_cpu:.2f}", ""],
            ["  share of the model's CPU", (fetch_cpu + parse_cpu) / raw_cpu, ""],
            ["first `rag watch FEED --once` on a fresh collection (s)", w_s, ""],
            ["  its overhead vs model alone (wall / CPU)", f"{w_s / raw2_s:.3f} / {w_cpu / raw2_cpu:.3f}", ""],
        ],
    ))
    print(table(
        "`rag watch --once` rounds (same collection, state in watch.sqlite3)",
        ["round", "status", "requests: feed (304) + pages", "texts embedded", "report", "s"],
        [[r["round"], r["status"], f"{r['feed_requests']} ({r['feed_304']}) + {r['page_requests']}",
          r["texts_embedded"], ", ".join(f"{v} {k}" for k, v in r["report"].items() if v) or "-", r["seconds"]]
         for r in rounds],
    ))
    print(f"edited page's new text stored: after round c {edit_after_c}, after round d {edit_after_d}")
    write_json("feeds", result, args.out)
    return result


if __name__ == "__main__":
    main()
