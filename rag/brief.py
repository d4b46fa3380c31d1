"""Catch-up on a topic: a dated, chronological list of what happened, one cited sentence per story.

``rag brief "Aleppo" --since 7d`` (and the UI's Timeline mode) retrieve the passages about the topic
published in the period (a hard date filter: the user asked for the period; a longer one week by week,
``slices``), read besides every passage of the period that could state it (``_Naming``: so a wider
period lists every story a narrower one does, however busy), group them by story
(one wire story from five outlets is one event, ``index.stories``), and take from each story the
sentence that best states the topic, preferring the article's opening (news puts the event first).
Events are listed oldest first, newest last; each quotes exact article text, so every line is its
own citation.

With an LLM (``rag brief --llm``, the UI's "Summarise each day with the LLM"), :func:`summarize`
writes a short summary per day from that day's stories, and every sentence of it goes through
``rag.verify.verify`` against its passages, exactly as an answer's do: a sentence no passage
supports is removed and reported, each kept one carries its citation. A day whose summary keeps
nothing (or an LLM that fails) shows that day's extracted sentences instead, with a notice. The
extractive list stays the default: it needs no model and cannot say anything the articles do not.

>>> from rag.brief import brief                                  # doctest: +SKIP
>>> for e in brief(rag, "Aleppo", since=date(2024, 11, 25)).events:  # doctest: +SKIP
...     print(e.published, e.citation.quote)
"""

from __future__ import annotations

import functools
import logging
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import groupby
from typing import TYPE_CHECKING, Any

from rag.boilerplate import boilerplate_in, opening_note_end
from rag.errors import ConfigError, InputError, LLMError
from rag.evidence import MONTHS, SentenceScore, not_a_statement, prepare, score_sentences
from rag.llm import final_draft
from rag.prompt import day_summary_request
from rag.retrieve import retrieve
from rag.text import (
    IRREGULAR_PAST, STOPWORDS, UNSPACED, empty_opening, fold, is_cut_line, query_words, terms, without_credits,
    word_count,
)
from rag.timewindow import understand
from rag.types import Citation, Draft, Filters, Passage
from rag.verify import corrected_notice, removed_notice, verify

if TYPE_CHECKING:
    import numpy as np

    from index.db import ChunkRow
    from index.store import Store
    from rag.api import RAG

#: passages retrieved for a brief: enough for ~a dozen stories at 3 passages each; the passages naming
#: the topic are read besides, every one of the period (``_Naming``)
DEPTH = 40
SLICE_DAYS = 7  # a longer period is read week by week (``slices``), so each week gets its own DEPTH
# ... in at most this many (a year month by month): each costs a date-filtered Chroma query (75-190 ms
# on RealTime QA's 39k chunks against 6 ms unfiltered)
MAX_SLICES = 12
# every passage of the period that could state the topic is read besides (``_Naming``): retrieval keeps
# the DEPTH best of a slice, and a busy week filled them, cutting stories that a narrower period listed
# (the new user's 5 October Hurricane Ian story: listed for 1 .. 12 October, not for 29 September on).
# They are read this many at a time for a period, a period holding more read by halves down to a day;
# the busiest day of RealTime QA's subset (10,721 chunks) names "Ukraine" in 61, of the new user's store
# "Hurricane Ian" in 48. A day still holding more may miss stories, and says so (``Brief.incomplete``)
NAMING_READ = 500
# ... and at most this many in all, past which the periods left unread say so too: about 0.65 ms each to
# judge (stemmed, then scored by ``_event``), so at most ~1.3 s more; the lexical queries take 1-3 ms each
# and no Chroma query is added. Measured (CPU time, the first brief of the topic in a process): "Hurricane
# Ian" over 22 Sep .. 12 Oct on the new user's store (2,432 chunks, 191 naming it) ~100 -> ~190 ms, 15 ->
# 18 stories, the 5 October one among them; on RealTime QA's subset "Ukraine" over 2022 ~550 -> ~800 ms
# (373 more passages read, 53 -> 72 stories), "US" over 17 months ~650 -> ~1,650 ms (1,748 read)
NAMING_BUDGET = 2000
LEAD_WEIGHT = 0.15  # bonus of an article's opening sentence; decays with its offset (LEAD_CHARS per step)
LEAD_CHARS = 300
# a story must state at least this much of the topic (the IDF-weighted coverage of its best sentence,
# ``rag.evidence``), whatever the other stories of the period state: the bar was relative to the best
# story too, so a story listed for a week was dropped for the month around it. Hand-set between the
# shares of the topic's weight on RealTime QA's 39k chunks: "world" 0.37 of "World Cup" (out), a
# surname alone "Trump" 0.42 of "Donald Trump", "Abe" 0.48 of "Shinzo Abe" (in); the story must name
# the topic besides (``TopicNaming``: "Moon River" says "river", 0.60 of "Clear River", and is out)
MIN_TOPIC_COVERAGE = 0.4
# a lowercase word of the topic weighing (IDF) under this share of its heaviest word qualifies it and a
# story need not write it ("new" of "new Zembla harbour"); a name's word always counts ("New" of "Air
# New Zealand": a Dolly Parton story saying "new" was listed beside the airline's)
MINOR_WORD_WEIGHT = 0.5
# a one-word topic at most this share of the passages write is named by a story naming it once: few
# stories pass by it ("Griner", 1 of a new user's 2,190 passages: her only story of a quarter, a line in
# one on Biden's talks with Putin); a commoner one needs two sentences ("Twitter", 105: "follow us on
# Twitter"), or the headline or the opening
RARE_WORD_SHARE = 0.005
STORY_PASSAGES = 2  # passages of a story shown to the LLM: the cited one, then its article's others in text order
DAY_SENTENCES = 3  # the most sentences asked of the LLM for one day
_AGO = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.I)
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}

log = logging.getLogger(__name__)

#: a catch-up question asked in ``ask``: "What is the latest on Aleppo?", "What happened with Aleppo
#: this week?", "Any news on the strike?", "Catch me up on Aleppo": a topic, no fact asked ("What is
#: the latest death toll?" names what it wants, so it is no catch-up); "What happened to Ian in September?"
#: as "with" when it names a period (new user 26's was refused, its "with" twin answered), not without one
#: ("What happened to the lab?" asks a fact, as SQuAD asks it)
_CATCH_UP = re.compile(
    r"^\s*(?:"
    r"(?:so,?\s+)?what(?:['’]s| is| are)\s+(?:the\s+)?(?:latest|newest|new|news|happening|going on)"
    r"(?:\s+news|\s+updates?)?\s+(?:on|about|with|in|at|from|regarding)\s+(?P<a>.+?)"
    r"|what\s+(?:has\s+)?happened\s+(?:with|in|at|regarding)\s+(?P<b>[^?]+?)"
    r"|what\s+(?:has\s+)?happened\s+to\s+(?P<t>[^?]+?)"
    r"|(?:is there\s+)?(?:any\s+|the\s+)?(?:latest\s+)?(?:news|updates?)\s+(?:on|about|from|regarding)\s+(?P<c>.+?)"
    r"|(?:catch me up|bring me up to (?:date|speed)|update me|fill me in)\s+(?:on|about|with)\s+(?P<d>.+?)"
    r"|(?:tell me|give me)\s+(?:the latest|the news|an update|what happened)\s+(?:on|about|with|in|to)\s+(?P<e>.+?)"
    r")\s*[?.!]*\s*$", re.I)
CATCH_UP_DAYS = 7  # the period a catch-up question without one covers: the 7 days ending on ``as_of``
CATCH_UP_EVENTS = 3  # stories an answer to it tells, newest first (``rag brief`` lists them all)


def catch_up_topic(question: str, window_phrase: str = "") -> str | None:
    """The topic of a catch-up question ("Aleppo" for "What happened with Aleppo this week?"), without
    the time expression ``rag.timewindow`` understood (``window_phrase``); None for any other question."""
    m = _CATCH_UP.match(question)
    if not m or (m.group("t") and not window_phrase):
        return None
    topic = next(g for g in m.groups() if g)
    if window_phrase:
        topic = re.sub(rf"\s*\b{re.escape(window_phrase)}\b\s*", " ", topic, flags=re.I)
    topic = re.sub(r"\s+(?:lately|recently|so far|now|right now|these days)$", "", topic.strip(), flags=re.I)
    topic = re.sub(r"^(?:the)\s+", "", topic.strip(), flags=re.I).strip(" ,")
    return topic or None


# a catch-up question on no topic: "What happened this week?", "What's new today?", "Any news?"
# (matched once the time expression is taken out)
_NEWS = re.compile(
    r"^\s*(?:so,?\s+)?(?:what(?:['’]s|\s+is|\s+has|\s+have)?\s+(?:happened|new|the\s+news|the\s+latest(?:\s+news)?|"
    r"been\s+happening|going\s+on|in\s+the\s+news)|(?:is\s+there\s+)?any\s+news|(?:the\s+)?latest\s+news|"
    r"(?:the\s+)?news|catch\s+me\s+up|what\s+did\s+i\s+miss)\s*[?.!]*\s*$", re.I)


def news_question(question: str, window_phrase: str = "") -> bool:
    """Whether ``question`` asks what happened, on no topic ("What happened this week?"): it is then
    answered by ``digest`` (without the time expression ``window_phrase``, nothing else is asked)."""
    rest = re.sub(rf"\s*\b{re.escape(window_phrase)}\b\s*", " ", question, flags=re.I) if window_phrase else question
    return bool(_NEWS.match(rest))


@dataclass(frozen=True)
class Event:
    """One story in the brief: its date, the sentence that states it (exact article text), and the
    other articles telling the same story."""

    published: str | None
    citation: Citation
    also_in: tuple[str, ...] = ()  # titles of the other versions of the same story (a copy has its article's)
    also_in_sources: tuple[str, ...] = ()  # their addresses (URL or file), one per version
    #: the cited article's passages read for the story, the cited one first (what an LLM summary reads)
    passages: tuple[Passage, ...] = field(default=(), repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.citation.quote


@dataclass(frozen=True)
class Brief:
    topic: str
    since: date | None
    until: date | None
    events: tuple[Event, ...]
    total: int | None = None  # stories in the period when ``events`` holds only the newest (``digest``)
    notice: str = ""  # why there are no events, when not for an empty period (common words only, no dates)
    #: articles about the topic stored without a date, when none is in the period (``notice`` says so
    #: for no surface in particular; a surface words it with its own way to ask: ``undated_notice``)
    undated_about: int = 0
    #: shown beside the events, when days of the period name the topic in more passages than a brief
    #: reads (``NAMING_READ`` a day, ``NAMING_BUDGET`` in all): which days may miss stories, and how to
    #: list them all (``incomplete_notice``); "" when every story of the period was read
    incomplete: str = ""


def parse_since(text: str | None, as_of: date) -> date | None:
    """The first day of the last ``7d`` / ``2w`` / ``3m`` / ``1y`` up to ``as_of`` (inclusive: ``7d``
    is the 7 days ending on ``as_of``, as "the past week" is), a date ``2024-11-25``, or the first day
    of a time phrase a question could say ("last week", "last Tuesday", "March 2024", "yesterday":
    ``rag.timewindow.understand``; the Timeline's Since box refused "last week", which the chat reads);
    empty, or a period reaching back before year 1: None (no lower bound)."""
    text = (text or "").strip()
    if not text:
        return None
    m = _AGO.match(text)
    if m:
        days = max(int(m.group(1)) * _DAYS[m.group(2).lower()] - 1, 0)
        if days >= (as_of - date.min).days:  # "5000y": before the calendar began, so no lower bound
            return None
        return as_of - timedelta(days=days)
    try:
        return date.fromisoformat(text)
    except ValueError:
        from rag.arguments import no_day

        if wrong := no_day(text):  # "2022-02-30": written right, no day (new user 23)
            raise InputError("since", wrong) from None
    window = understand(text, as_of)
    said = " ".join((window.phrase or "").split()) if window is not None else ""
    # words only: "1/12/2024" is January or December by the reader's country, so it stays an error (use a
    # YYYY-MM-DD date); the phrase must be the whole text, not a word of it
    if window is not None and window.start is not None and window.start <= as_of and \
            re.search(r"[^\W\d_]", text) and len(said) >= len(" ".join(text.split())) - 3:
        return window.start
    raise InputError(text, "is not a period; use 7d, 2w, 3m, 1y or a date like 2024-11-25") from None


#: what ``since`` takes, as a bad value's error says: what ``rag brief --since`` takes
_SINCE_FORMS = 'a date (date(2024, 11, 1) or "2024-11-01"), a period back from as_of ("7d", "2w", "3m", "1y") ' \
               'or time words ("last week", "yesterday")'


def checked_period(since: object, until: object, as_of: object = None) -> tuple[date | None, date | None]:
    """``brief``'s period as dates, read as ``rag brief --since/--until/--as-of`` read theirs: ``since``
    a date, an ISO string or a period counted back from ``as_of`` (``parse_since``: "2w", "last week";
    ``as_of`` a date or ISO string, today when None), ``until`` a date or ISO string, ``as_of`` when
    only that is given (the CLI's default: a period up to the day it counts back from). A value none
    of these, or a period ending before it begins, is an ``InputError`` naming the argument.

    >>> checked_period("2w", None, "2024-12-01")
    (datetime.date(2024, 11, 18), datetime.date(2024, 12, 1))
    >>> checked_period(date(2024, 10, 1), "2024-09-01")
    Traceback (most recent call last):
    ...
    rag.errors.InputError: since: 2024-10-01 is after until 2024-09-01: no article can match; swap them
    """
    from rag.arguments import _checked_day, checked_as_of  # the checks of ``ask``'s arguments

    end = _checked_day(until, "until", 'until=date(2024, 12, 3) or until="2024-12-03"')
    reference = checked_as_of(as_of)
    ends_as_of = end is None and as_of is not None  # no until: the period ends on as_of
    end = end if end is not None or as_of is None else reference
    relative = False
    if isinstance(since, str):
        try:
            start = parse_since(since, reference)
        except InputError:
            raise InputError("since", f"{since.strip()[:40]!r} is not {_SINCE_FORMS}") from None
        try:
            date.fromisoformat(since.strip())
        except ValueError:
            relative = start is not None
    else:
        start = _checked_day(since, "since", f"since=date(2024, 11, 1); it takes {_SINCE_FORMS}")
    if start and end and start > end:
        if relative:
            origin = f"as_of {reference}" if as_of is not None else f"today ({reference})"
            raise InputError("since", f"{since!r} counts back from {origin} to {start}, which is after until {end}: "
                                      f"no article can match; pass as_of={end.isoformat()!r} to count back from that "
                                      "day, or give since as a date")
        if ends_as_of:  # new user 26 was told of an until never given
            raise InputError("since", f"{start} is after as_of {end}, where the period ends when no until is given: "
                                      "no article can match; give an as_of on or after since, or an until")
        raise InputError("since", f"{start} is after until {end}: no article can match; swap them")
    return start, end


def brief(rag: RAG, topic: str, *, since: date | str | None = None, until: date | str | None = None,
          sources: tuple[str, ...] = (), depth: int | None = None, as_of: date | str | None = None) -> Brief:
    """The dated events about ``topic`` published between ``since`` and ``until`` (inclusive).

    ``since``, ``until`` and ``as_of`` take what ``rag brief`` takes (``checked_period``): dates, ISO
    strings, and for ``since`` a period counted back from ``as_of`` (today by default), "2w" or "last
    week"; a bad one, or ``since`` after ``until``, is an ``InputError`` naming it. ``depth``: the
    passages retrieved per slice of the period (``DEPTH``); every passage naming the topic is read
    besides, so a wider period lists every story a narrower one does (``_Naming``)."""
    depth = depth or DEPTH
    if not isinstance(topic, str):
        raise InputError("topic", f"must be a str, got {type(topic).__name__}; e.g. brief(rag, \"Aleppo\")")
    since, until = checked_period(since, until, as_of)
    from rag.arguments import _checked_names

    sources = _checked_names(sources, "sources", 'sources=("reuters",)')  # "cnn" is one source, not three letters
    topic = topic.strip()
    if not topic:
        raise InputError("topic", "is empty; name what to catch up on, e.g. \"Aleppo\"")
    store = rag.collection.store
    q, plain = _topic_query(store, topic)
    if not (q.stems or plain):  # "the", "said": every story has them, none is about them
        return Brief(topic, since, until, (), notice=f"“{topic}” is only common words, which no story can be "
                                                     "picked by; name a person, place, organisation or event.")
    periods = slices(since, until, store.db.first_published() if since is None and until else None)
    events, vector, full = _stories(rag, topic, q, plain, periods, sources, depth)
    incomplete = incomplete_notice(topic, full) if full else ""
    if incomplete:
        log.warning("%s", incomplete)
    undated = not events and (since or until) and store.db.first_published() is None and store.db.has_chunks()
    notice = UNDATED if undated else _empty(store)
    if not events and not notice and (since or until):
        notice = _outside_stored(store, since, until)
    undated_about = 0
    if not events and not notice and (since or until):  # about it, but on no day: the timeline cannot place them
        undated_about = _undated_about(rag, topic, q, plain, sources, depth, vector)
        notice = undated_notice(undated_about, topic) if undated_about else ""
    return Brief(topic, since, until, tuple(events), notice=notice, undated_about=undated_about,
                 incomplete=incomplete)


Period = tuple[date | None, date | None]  # first and last day, inclusive; None: unbounded


def _stories(rag: RAG, topic: str, q, plain: tuple[str, ...],  # noqa: ANN001 - rag.evidence.Question
             periods: list[tuple[date | None, date | None]], sources: tuple[str, ...], depth: int,
             vector: np.ndarray | None = None,
             every: bool = True) -> tuple[list[Event], np.ndarray | None, list[Period]]:
    """The events about ``topic`` published in ``periods`` (read one by one), oldest first, the
    topic's embedding (made once, for every period), and the days that name the topic in more
    passages than were read (``_Naming``).

    Each period's ``depth`` retrieved passages, and besides them every passage of it that could
    state the topic (``_Naming``): retrieval keeps the best ``depth``, so a busy week filled them and
    cut stories a narrower period listed (the new user's 5 October Hurricane Ian story, listed for
    4 .. 12 October and not for 27 September .. 12 October); not ``every``: the retrieved ones only."""
    store = rag.collection.store
    by_story: dict[str, list[Passage]] = defaultdict(list)
    words, states = _naming_words(topic, q, plain)
    reader = _Naming(store, words if every else "", sources)
    for start, end in periods:
        got = retrieve(store, topic, embed=rag.collection.embedder, query_vector=vector, top_k=depth, question=q,
                       filters=Filters(sources=sources, published_from=start, published_to=end), per_article=depth)
        vector = got.query_vector
        for p in got.passages:
            by_story[p.story_id or p.article_id].append(p)
            reader.read.add(p.chunk_id)
        for n, r in enumerate(reader(start, end), len(got.passages) + 1):  # numbered after the retrieved ones
            if states(r.text):
                by_story[r.story_id or r.article_id].append(_as_passage(r, n))
    names = _names(topic)
    skip = boilerplate_in(store.db)
    told = [e for e in (_event(q, ps, plain, names, skip) for ps in by_story.values()) if e is not None]
    # each story is judged on its own, never against the period's other stories (a bar relative to the
    # best one, or "only the stories about it when there are some"): a story a week lists, the month
    # around it lists too. "Twitter": the stories about it, not every one mentioning it once ("follow us on
    # Twitter"); "Clear River": the stories naming it, not every one with a "river" (``TopicNaming``)
    naming = TopicNaming.of(topic, q, store.doc_freqs(q.stems), store.n_lexical()) if q.stems else None
    events = [_versions(store, e) for c, e in told
              if c >= MIN_TOPIC_COVERAGE and (naming is None or _about(e, naming, store.article_text))]
    events.sort(key=lambda e: (e.published or "9999", e.citation.title))
    return _twins_merged(events), vector, sorted(reader.full, key=lambda p: (p[0] or date.min, p[1] or date.max))


def _twins_merged(events: list[Event]) -> list[Event]:
    """``events`` (oldest first) with a story that tells its event in the very sentence of an earlier one listed
    as one more version of that one ("also in"), not again: two pages of one outlet on one day, too different to
    be grouped as a story at ingest, both told "British Prime Minister Liz Truss announced Thursday that she will be
    stepping down." (new user 26's Truss brief and Timeline).

    >>> from rag.types import Citation
    >>> def ev(title):
    ...     return Event("2022-10-20", Citation(1, "a", title, f"/{title}", "2022-10-20", "Truss quits.", 0, 12))
    >>> [(e.citation.title, e.also_in) for e in _twins_merged([ev("One"), ev("Two")])]
    [('One', ('Two',))]
    """
    kept: dict[str, int] = {}
    out: list[Event] = []
    for e in events:
        key = " ".join(e.text.split()).casefold()
        if key in kept:
            first = out[kept[key]]
            out[kept[key]] = replace(first, also_in=tuple(dict.fromkeys((*first.also_in, e.citation.title))),
                                     also_in_sources=tuple(dict.fromkeys((*first.also_in_sources, e.citation.source))))
            continue
        kept[key] = len(out)
        out.append(e)
    return out


def _naming_words(topic: str, q, plain: tuple[str, ...]) -> tuple[str, Callable[[str], bool]]:  # noqa: ANN001
    """The words a passage that could state ``topic`` must hold one of (the lexical query of
    ``_Naming``), and whether a passage's text holds enough of the topic to state it.

    A story is listed by a sentence covering ``MIN_TOPIC_COVERAGE`` of the topic's weight (with its
    neighbour's words, ``rag.evidence``), so its passage holds words of that much weight: one of the
    heaviest words, as long as the lighter words from it on could still make it up ("World Cup":
    "cup", 0.64 of the weight on RealTime QA; "world", 0.36, alone cannot). A topic ``rag.evidence``
    reads no words of (``plain``): any of its words, as ``_plain_scores`` counts them."""
    if plain:
        return " ".join(plain), lambda text: _plain_share(plain, text.lower()) >= MIN_TOPIC_COVERAGE - 1e-9
    stems = set(q.stems)
    weight = {w: math.fsum(q.idf[t] for t in set(terms(w)) & stems) / q.total for w in dict.fromkeys(query_words(topic))}
    heaviest = sorted((w for w in weight if weight[w] > 0), key=lambda w: -weight[w])
    anchors = [w for i, w in enumerate(heaviest)
               if sum(weight[v] for v in heaviest[i:]) >= MIN_TOPIC_COVERAGE - 1e-9]

    def states(text: str) -> bool:
        return math.fsum(q.idf[t] for t in stems & _stems(text)) / q.total >= MIN_TOPIC_COVERAGE - 1e-9

    return " ".join(anchors), states


@dataclass
class _Naming:
    """Reads the passages of a brief's periods holding any of ``words`` (``_naming_words``), past those
    retrieval read (``read``), best first: ``NAMING_READ`` at a time for a period, one holding more
    read by halves down to single days, ``NAMING_BUDGET`` in all. A lexical query each (SQLite, 1-3
    ms), no embedding search. ``full``: the periods left with such passages unread."""

    store: Store
    words: str
    sources: tuple[str, ...]
    read: set[str] = field(default_factory=set)
    left: int = field(default_factory=lambda: NAMING_BUDGET)
    full: list[Period] = field(default_factory=list)

    def __call__(self, start: date | None, end: date | None) -> list[ChunkRow]:
        """The unread passages of ``start`` .. ``end`` holding the words (noting it in ``full`` when some
        are left unread), now read."""
        if not self.words:
            return []
        ids = self.store.article_ids(self.sources, start, end) if self.sources or start or end else None
        if ids is not None and not ids:
            return []
        hits = self.store.lexical(self.words, NAMING_READ + 1, ids)
        full = len(hits) > NAMING_READ
        if full and self.left > 0:  # past the budget a period is said to be incomplete whole, not halved
            last = end or (_last_day(self.store) if start else None)
            if start is not None and last is not None and start < last:  # the newer half first, as ``slices``
                middle = start + (last - start) // 2
                newer = self(middle + timedelta(days=1), last)
                return self(start, middle) + newer
        unread = [cid for cid, _ in hits[:NAMING_READ] if cid not in self.read]
        if len(unread) > self.left:
            unread, full = unread[: self.left], True
        if full:
            self.full.append((start, end))
        self.left -= len(unread)
        self.read.update(unread)
        rows = self.store.chunks(unread)
        return [rows[cid] for cid in unread if cid in rows]


def _last_day(store: Store) -> date | None:
    """The newest article's publication day (None when none is dated)."""
    newest = store.db.list_articles(None, 1)
    try:
        return date.fromisoformat((newest[0].published or "")[:10]) if newest else None
    except ValueError:
        return None


def _as_passage(row: ChunkRow, n: int) -> Passage:
    """A stored chunk as retrieval returns it (``rag.retrieve``), unscored."""
    sentences = without_credits(row.text, row.start, row.sentences) if row.sentences else row.sentences
    return Passage(n=n, chunk_id=row.id, article_id=row.article_id, title=row.title, source=row.url or row.source,
                   published=row.published, score=0.0, text=row.text, start=row.start, end=row.end,
                   sentences=sentences, story_id=row.story_id, author=row.author)


def brief_json(result: Brief, days: Sequence[DaySummary] | None = None, *, notice: str | None = None,
               source: Callable[[str], str] = str) -> dict[str, Any]:
    """``rag brief --json``'s document for ``result`` (with ``days``: ``rag brief --llm --json``'s):
    the one serialisation the CLI and the UI's Timeline download share. ``notice``: the result's notice
    in the surface's words (the CLI's and the page's ways to ask of undated articles differ);
    ``source``: how the surface names a source (the page: a file by its folder and name, not the
    server's path). ``incomplete`` says which days may miss stories (``Brief.incomplete``)."""
    data: dict[str, Any] = {
        "topic": result.topic, "since": str(result.since) if result.since else None,
        "until": str(result.until) if result.until else None,
        "events": [event_json(e, source) for e in result.events], "notice": notice or None,
        "incomplete": result.incomplete or None}
    if days is not None:
        data["days"] = [day_json(d, source) for d in days]
    return data


def event_json(e: Event, source: Callable[[str], str] = str) -> dict[str, Any]:
    """One event of ``brief_json``."""
    return {"published": e.published, "text": e.text, "title": e.citation.title, "source": source(e.citation.source),
            "article_id": e.citation.article_id, "start": e.citation.start, "end": e.citation.end,
            "also_in": list(e.also_in), "also_in_sources": [source(s) for s in e.also_in_sources]}


def day_json(d: DaySummary, source: Callable[[str], str] = str) -> dict[str, Any]:
    """One day of ``brief_json`` (``rag brief --llm``)."""
    return {"day": d.day, "summary": d.text if d.summarized else None, "answerer": d.answerer,
            "citations": [{"n": c.n, "quote": c.quote, "title": c.title, "source": source(c.source),
                           "article_id": c.article_id, "start": c.start, "end": c.end,
                           "also_in": [source(s) for s in c.also_in]} for c in d.citations],
            "removed": list(d.removed), "notices": list(d.notices)}


def incomplete_notice(topic: str, full: list[Period]) -> str:
    """What a brief says when periods of it name ``topic`` in more passages than it reads
    (``NAMING_READ`` a day, ``NAMING_BUDGET`` in all): those periods (consecutive ones as one span),
    and how to list every story.

    >>> day = date(2022, 2, 24)
    >>> incomplete_notice("Ukraine", [(day, day), (date(2022, 2, 25), date(2022, 2, 25))])[:79]
    'Stories about “Ukraine” published 2022-02-24 .. 2022-02-25 may be missing: more'
    """
    spans: list[list[date | None]] = []
    for a, b in full:
        if spans and a is not None and spans[-1][1] is not None and a == spans[-1][1] + timedelta(days=1):
            spans[-1][1] = b
        else:
            spans.append([a, b])
    days = all(a is not None and a == b for a, b in full)  # a shorter period would not help
    when = ", ".join(str(a) if a == b else f"{a or '...'} .. {b or '...'}" for a, b in spans)
    when = f" published {'on ' if len(spans) == 1 and spans[0][0] == spans[0][1] else ''}{when}" \
        if any(a or b for a, b in spans) else ""
    return (f"Stories about “{topic}”{when} may be missing: more passages name it than a brief reads "
            f"({NAMING_READ} a day, {NAMING_BUDGET} in all). Name the topic in more words"
            f"{'' if days else ', give a shorter period'} or choose fewer sources to list them all.")


def _topic_query(store: Any, topic: str) -> tuple[Any, tuple[str, ...]]:
    """``topic`` as a question (``rag.evidence.prepare``) and, for a topic in a script ``rag.evidence``
    reads no words of ("Зеленский"), its words to look for as written."""
    q = prepare(topic, store.doc_freqs, store.n_lexical())
    return q, (() if q.stems else tuple(w for w in query_words(topic) if not w.isascii()))


def undated_stories(rag: RAG, result: Brief, sources: tuple[str, ...] = ()) -> tuple[Event, ...]:
    """The stories about ``result.topic`` told only by articles without a publication date, which the
    brief of a period cannot place (``undated_about`` counts them only when the period holds no event):
    the Timeline lists them beside the events (new user 28: "Aleppo" listed 4 stories and said nothing
    of 9 more). Found as ``_undated_about`` finds them, among the passages retrieval gives a brief of no
    period (one search, not a second brief); a story the brief tells by a dated version is not one.
    None when the brief was refused or the collection has nothing dated (its notice says so)."""
    if result.notice and not result.undated_about:
        return ()
    q, plain = _topic_query(rag.collection.store, result.topic)
    if not (q.stems or plain):
        return ()
    events, _, _ = _stories(rag, result.topic, q, plain, [(None, None)], sources, DEPTH, every=False)
    told = {p.story_id or p.article_id for e in result.events for p in e.passages} | \
        {e.citation.article_id for e in result.events}
    return tuple(e for e in events if not e.published and e.citation.article_id not in told
                 and not told & {p.story_id or p.article_id for p in e.passages})


def _undated_about(rag: RAG, topic: str, q, plain: tuple[str, ...],  # noqa: ANN001 - rag.evidence.Question
                   sources: tuple[str, ...], depth: int, vector: np.ndarray | None) -> int:
    """How many articles about ``topic`` are stored without a date (an undated archive beside dated
    pages), found as a brief of no period finds stories (``_stories``)."""
    # retrieval's passages only: the whole collection's naming the topic would be read to count a few
    events, _, _ = _stories(rag, topic, q, plain, [(None, None)], sources, depth, vector, every=False)
    undated = {p.article_id for e in events for p in (e.passages or ()) if not p.published}
    undated |= {e.citation.article_id for e in events if not e.published}
    return len(undated)


#: how a brief's notice says that a question reads undated articles, for no surface in particular:
#: each surface names its own way to ask (the CLI `rag ask`, the UI its Chat tab; ``UNDATED`` too)
ASK_INSTEAD = "ask a question instead, which reads undated articles too"


def undated_notice(n: int, topic: str, ask: str = ASK_INSTEAD) -> str:
    """Why a brief of a period is empty when ``n`` articles about ``topic`` are stored without a date
    (``Brief.undated_about``), ending with ``ask``: how the surface showing it asks of them.

    >>> undated_notice(3, "Yukos")[:80]
    '3 articles about “Yukos” carry no publication date, so no period can place them '
    """
    some = f"{n} articles about “{topic}” carry" if n != 1 else f"1 article about “{topic}” carries"
    them = "them" if n != 1 else "it"
    return f"{some} no publication date, so no period can place {them} on a timeline; {ask}."


def _versions(store: Store, event: Event) -> Event:
    """The event with its story's other versions as ``rag ask`` lists them (``RAG._with_versions``):
    every stored article of the story and every exact copy kept as one more source, not only those
    retrieved in the period read (the brief said "also in" one outlet where the answer to the same
    question said three)."""
    sid = next((p.story_id for p in event.passages if p.story_id), None)
    if sid is None:
        return event
    others = [v for v in store.story_versions(sid) if v.is_copy or v.article_id != event.citation.article_id]
    if not others:
        return event
    return replace(event, also_in=tuple(dict.fromkeys(v.title for v in others)),
                   also_in_sources=tuple(dict.fromkeys(v.address for v in others)))


def _outside_stored(store: Store, since: date | None, until: date | None) -> str:
    """Why a brief of a period no stored article is dated in is empty, with the dates the collection
    has ("" when the period overlaps them): `rag brief X` counts 7 days back from today, and a
    collection of last year's news has nothing then."""
    first = store.db.first_published()
    newest = store.db.list_articles(None, 1)
    last = (newest[0].published or "")[:10] if newest else ""
    if first is None or not last or not ((since and since.isoformat() > last) or (until and until < first)):
        return ""
    return (f"No article is dated in that period ({since or '...'} .. {until or '...'}): the collection's "
            f"articles were published {first.isoformat()} .. {last}. Choose a period within it; a period "
            "counted back (such as 7d, 2w or yesterday) counts from the 'as of' date, so give one within it.")


def _about(event: Event, naming: TopicNaming, article_text: Callable[[str], str | None] | None = None) -> bool:
    """Whether a story is about the topic, not passing by it: its headline names the topic
    (``naming``), or its opening sentence does (news names its subject first: a two-sentence story of
    a Springfield bridge under a headline that does not), or sentences read do: one for a topic of
    several words (written whole, "Clear River", it is named, not passed by) or a rare word
    (``RARE_WORD_SHARE``: "Griner"), two for another word (a bakery's hours "on Twitter" in its last
    sentence are no Twitter story); or, for a topic of several words, the cited article writes its
    names anywhere (``article_text``; ``TopicNaming.written_in``): a story telling of "Ian" says
    "Hurricane Ian" once, maybe in a passage not read."""
    if naming(event.citation.title):
        return True
    count = 0
    for p in event.passages:
        spans = p.sentences or ((p.start, p.end),)
        if p.start == 0:  # the article's opening passage
            a, b = lead_sentence(p.text, p.start, spans)
            if naming(p.text[a - p.start : b - p.start]):
                return True
        count += sum(naming(p.text[a - p.start : b - p.start]) for a, b in spans)
    if count >= (1 if naming.once else 2):
        return True
    return naming.several and article_text is not None and \
        naming.written_in(article_text(event.citation.article_id) or "")


def _empty(store: Store) -> str:
    """The notice of a brief from an empty collection ("nothing about it in that period" misled)."""
    return "" if store.db.has_chunks() else EMPTY


#: said for no surface in particular: each adds how to add articles its own way (the CLI `rag ingest`,
#: the UI its Collection tab: ``rag.cli.brief``, ``ui.render.page_text``)
EMPTY = "The collection is empty: add articles to it (files, folders, URLs, feeds)."


#: why a brief of a collection without dates is empty (BBC's 2,225 files carry none); as ``EMPTY``,
#: each surface names its own way to ask a question
UNDATED = ("No article in the collection has a date, and a brief lists the articles published in a period; "
           "add dated articles (a date field, HTML date metadata, a `date YYYY-MM-DD` line), "
           "or ask a question instead, which reads undated articles too.")


def slices(since: date | None, until: date | None, first: date | None = None) -> list[tuple[date | None, date | None]]:
    """The periods a brief reads one by one, newest first: retrieval keeps the ``DEPTH`` passages best
    about the topic (``rag.retrieve``: 40 fused candidates, 3 per story, so about a dozen stories),
    so a month read at once listed 13 of its Trump stories and could miss its newest ones. A period
    longer than ``SLICE_DAYS`` is read slice by slice (at most ``MAX_SLICES``, longer slices then);
    with no start, from ``first`` (the oldest article's date) on; with no end, at once."""
    since = since or first
    if since is None or until is None or (until - since).days < SLICE_DAYS:
        return [(since, until)]
    step = max(SLICE_DAYS, -(-((until - since).days + 1) // MAX_SLICES))
    out: list[tuple[date | None, date | None]] = []
    end = until
    while end >= since:
        start = max(since, end - timedelta(days=step - 1))
        out.append((start, end))
        end = start - timedelta(days=1)
    return out


def digest(rag: RAG, *, since: date | None, until: date | None, sources: tuple[str, ...] = (),
           limit: int = 50) -> Brief:
    """The stories published between ``since`` and ``until`` on any topic, each told by its lead
    sentence (the first of its earliest version that reads as a sentence, past a dateline or byline
    line and the site's boilerplate, ``rag.boilerplate``: news puts the story there,
    ``lead_sentence``), oldest first like
    ``brief``; the newest ``limit`` stories only. Answers "What happened this week?"."""
    db = rag.collection.store.db
    firsts, total = db.first_chunks(sources, since, until, limit)
    skip = boilerplate_in(db, opening=True)  # a site's line opening the page is not its story
    events = []
    for c in reversed(firsts):
        sentences = without_credits(c.text, c.start, c.sentences) if c.sentences else c.sentences
        a, b = lead_sentence(c.text, c.start, sentences or ((c.start, c.end),), skip, c.title)
        quote = c.text[a - c.start : b - c.start]
        p = Passage(n=1, chunk_id=c.id, article_id=c.article_id, title=c.title, source=c.url or c.source,
                    published=c.published, score=0.0, text=c.text, start=c.start, end=c.end,
                    sentences=sentences, story_id=c.story_id, author=c.author)
        cite = Citation(n=1, article_id=c.article_id, title=c.title, source=p.source, published=c.published,
                        quote=quote, start=a, end=b, author=c.author)
        events.append(Event(c.published, cite, passages=(p,)))
    return Brief("", since, until, tuple(events), total, notice="" if events else _empty(rag.collection.store))


# a sentence ends so: a dateline ("CNN —"), an outlet ("AP") or a byline ("Hyung-Jin Kim") on a line of
# its own, which real news copy opens with, does not
_ENDS = re.compile(r"[.!?。！？…][\"'”’»)\]]*\s*$")
LEAD_MIN_WORDS = 4  # "AP." is no story either; a sentence in a script without spaces counts by length
LEAD_MIN_CHARS = 20
LEAD_LOOKAHEAD = 4  # the sentences after an empty opening read for the one telling the story


def lead_sentence(text: str, start: int, sentences: tuple[tuple[int, int], ...],
                  skip: Callable[[str], bool] | None = None, title: str | None = None) -> tuple[int, int]:
    """The span of the sentence that opens the story in a chunk (``text`` starting at article offset
    ``start``): its first sentence that reads as one, past any dateline, outlet or byline line (or a
    question: a standfirst "Why did Musk buy Twitter?" states no event) and any sentence ``skip``
    says is the site's, not the story's (``rag.boilerplate``: "— Recommendations are independently
    chosen by Reviewed's editors."), past an editor's note opening the article and the author's bio
    after it (``opening_note_end``: "She is former assistant political editor of the Daily Telegraph
    ..." told a CNN opinion piece); of a chunk holding no other, its first sentence that reads as one;
    the first sentence when none does.

    An opening that is a dateline and next to nothing (``rag.text.empty_opening``: "WASHINGTON – The
    votes had been counted.", a Thanksgiving turkey story's, new user 30's digest) gives way to the one
    of the ``LEAD_LOOKAHEAD`` sentences after it naming most words of the story's ``title`` (the first
    of them when none names one); kept when no sentence follows it.

    >>> text = ("WASHINGTON – The votes had been counted. There was no foul play, Biden said. "
    ...         "Biden pardoned two turkeys, Chocolate and Chip, on Monday.")
    >>> from rag.text import split_sentences
    >>> a, b = lead_sentence(text, 0, tuple(split_sentences(text)), title="Biden pardons turkeys")
    >>> text[a:b]
    'Biden pardoned two turkeys, Chocolate and Chip, on Monday.'
    """
    readable = None
    framing = opening_note_end(text, start, sentences)
    leads: list[tuple[int, int]] = []
    empty = False
    for a, b in sentences:
        s = text[a - start : b - start]
        if _ENDS.search(s) and not not_a_statement(s) and not _FURNITURE.search(s) and \
                (len(re.findall(r"\w+", s)) >= LEAD_MIN_WORDS or len(s.strip()) >= LEAD_MIN_CHARS):
            if a >= framing and (skip is None or not skip(s)):
                leads.append((a, b))
                empty = empty if len(leads) > 1 else empty_opening(s, title)  # then read on past it
                if not empty or len(leads) > LEAD_LOOKAHEAD:
                    break
                continue
            readable = readable or (a, b)
    if len(leads) > 1:
        named = set(terms(title or ""))
        shared = [len(named & set(terms(text[a - start : b - start]))) for a, b in leads[1:]]
        return leads[1 + shared.index(max(shared))]
    return leads[0] if leads else readable or sentences[0]


# an article's furniture, not its news: a byline's contact line, a social handle, an editor's note,
# a sign-up box, a photo credit ("Follow Mike Snider on Twitter: @mikesnider.", "Send her an email at
# laura@usatoday.com ...", "Editor's Note: This roundup is part of ..."); a catch-up about "Twitter"
# listed them as stories
_FURNITURE = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|@\w+\)?\s+via twitter\b|\bfollow\b[^.]{0,60}\bon (?:twitter|facebook|instagram|tiktok|"
    r"threads|x|linkedin|youtube)\b|\b(?:editor['’]s note|sign up (?:for|to)|subscribe to|click here|read more:|"
    r"all rights reserved|in your inbox|newsletter|pic\.twitter\.com|this (?:story|article) (?:has been|was) updated|contributed to this report|"
    r"copyright \d{4}|\(c\) \d{4}|getty images|associated press contributed)\b"
    # an outlet asking for readers' stories: "You also can text or WhatsApp your Ian stories to CNN +1 332-261-0775."
    # (new user 26's Ian brief listed it on two days)
    r"|\b(?:text|whatsapp|email|e-mail|send|share)\b[^.]{0,40}\b(?:your|us your)\b[^.]{0,60}\b(?:stories|photos|"
    r"videos|tips|experiences)\b", re.I)
HEADING_MAX_WORDS = 12  # a subheading line is short ...
# ... and in title case: its words capitalised but for these
_MINOR_WORDS = frozenset("a an and as at but by for from in into nor of off on or per the to up via vs with".split())


def is_event_sentence(sentence: str, own_line: bool = False) -> bool:
    """Whether ``sentence`` can state an event in a brief: a declarative sentence of the body, not a
    question ("Why did Musk buy Twitter?", a subheading many articles carry) nor a heading-like line
    (short, no final punctuation, title case: "Musk Closes The Deal"; in sentence case too when it
    stands on a line of its own, ``own_line``: "Mass Twitter layoffs happened fast", a USA Today
    subheading new user 23's brief on "layoffs" listed as a story).

    >>> is_event_sentence("Musk bought Twitter for $44bn in October."), is_event_sentence("Why did Musk buy Twitter?")
    (True, False)
    >>> is_event_sentence("What The Deal Means For Users")
    False
    >>> is_event_sentence("Follow Mike Snider on Twitter: @mikesnider.")
    False
    >>> is_event_sentence("Here's what to know about Amazon's layoffs:")
    False
    """
    if not_a_statement(sentence) or _FURNITURE.search(sentence):  # a question or a link line tells no event
        return False
    if sentence.rstrip().endswith(":"):
        return False  # "Here's what to know about Amazon's layoffs:" leads in to a list (new user 18's brief)
    if _ENDS.search(sentence):
        return True
    words = re.findall(r"[^\W\d_][\w'’-]*", sentence)
    if not words or len(words) > HEADING_MAX_WORDS:
        return True
    if own_line:
        return False
    major = [w for w in words if w.lower() not in _MINOR_WORDS] or words
    return not (words[0][0].isupper() and all(w[0].isupper() for w in major))


def _own_line(text: str, a: int, b: int) -> bool:
    """Whether ``text[a:b]`` fills a line of its own: a line break (or the text's edge) on both sides,
    spaces aside."""
    before, after = text[:a].rstrip(" \t"), text[b:].lstrip(" \t")
    return (not before or before.endswith("\n")) and (not after or after.startswith("\n"))


# matched anywhere in a sentence: scripts written without spaces, and Hangul (Korean glues its
# particles to the word: "서울에서" holds "서울")
_UNSPACED = re.compile(f"[{UNSPACED}\uac00-\ud7af]")


def _plain_scores(words: tuple[str, ...], p: Passage) -> list[SentenceScore]:
    """Sentence scores for a topic ``rag.evidence`` reads no words of (Cyrillic, Greek, Arabic, CJK):
    coverage is the share of the topic's words the sentence holds, as whole words (in a script
    without spaces, anywhere in it)."""
    out = []
    for a, b in p.sentences or ((p.start, p.end),):
        share = _plain_share(words, p.text[a - p.start : b - p.start].lower())
        out.append(SentenceScore((a, b), share, share))
    return out


def _plain_share(words: tuple[str, ...], text: str) -> float:
    """The share of ``words`` (lowercase) that a lowercase ``text`` holds, as ``_plain_scores`` counts them."""
    have = sum(1 for w in words if (w in text if _UNSPACED.search(w) else
                                    re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)))
    return have / len(words)


def _names(topic: str) -> dict[str, str]:
    """The topic's names (its capitalised words), each as written (lowercased, no possessive) by its
    stem: {"ab": "abe"} for "Shinzo Abe"."""
    out = {}
    for w in re.findall(r"[\w'’.-]+", topic):
        if w[:1].isupper():
            written = fold(w).replace("’", "'").removesuffix("'s").strip(".'-")
            out.update((t, written) for t in terms(w))
    return out


#: lowercase words joining the words of one name ("Bank of England", "Charles de Gaulle"); "and"
#: joins two names ("Russia and Ukraine": each is named on its own)
_NAME_JOINERS = frozenset("of the de da del der di du la le van von bin al".split())


def _as_written(word: str) -> str:
    """A word of a name as a folded text writes it: lowercase, no diacritics, no possessive."""
    return fold(word).replace("’", "'").removesuffix("'s").strip(".'-")


def _unaccented(text: str) -> str:
    """``text`` without diacritics, its case kept (``fold`` lowercases too)."""
    return text if text.isascii() else \
        "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _phrase(words: list[str]) -> re.Pattern[str]:
    """Written ``words`` in a row, as whole words, in a folded text: spaces, hyphens, a dot or a
    possessive between them ("St. John's River", "clear-river")."""
    between = r"(?:'s)?[\s.,-]+"
    return re.compile(r"(?<!\w)" + between.join(re.escape(w) for w in words) + r"(?!\w)")


def _capitalised(word: str) -> re.Pattern[str]:
    """``word`` (capitalised, ``_unaccented``) as a name is written: its capital, then any case."""
    word = _unaccented(word).replace("’", "'").removesuffix("'s").strip(".'-")
    return re.compile(rf"(?<!\w){re.escape(word[:1])}(?i:{re.escape(word[1:])})(?!\w)")


@dataclass(frozen=True)
class TopicNaming:
    """Whether a sentence names a topic: the topic written as a phrase ("Clear River"), or each of its
    significant parts: every name in it (a run of capitalised words) as a phrase or each of its words
    capitalised ("Musk dismissed the chief executive of Twitter" names "Musk Twitter"; "Moon River",
    the St. John's River or "not clear when the river" do not name "Clear River"), and every other word
    whose weight is not minor (``MINOR_WORD_WEIGHT``), by its stem, if any article has it
    (``doc_freqs``: a word none has can name no story). A topic the lexical index knows none of the
    words of (another script, which it folds otherwise: "зеленский москва") is named by any of its
    words, as before, the coverage bar judging the rest.

    >>> from rag.evidence import prepare
    >>> naming = TopicNaming.of("Clear River", prepare("Clear River"))
    >>> naming("The new bridge over the Clear River will open in March."), naming("Watch her play Moon River.")
    (True, False)
    >>> naming = TopicNaming.of("Twitter layoffs", prepare("Twitter layoffs"))
    >>> naming("Twitter began layoffs on Friday."), naming("Follow us on Twitter.")
    (True, False)
    >>> naming = TopicNaming.of("Judge", prepare("Judge"))
    >>> naming("Judge hit his 62nd home run."), naming("The judge vacated the conviction.")
    (True, False)
    """

    phrase: re.Pattern[str] | None  # the whole topic, when it has several words
    names: tuple[re.Pattern[str], ...]  # each name of the topic, as a phrase
    name_words: tuple[tuple[re.Pattern[str], ...], ...]  # ... or as its words, each capitalised
    stems: frozenset[str]  # the stems of its other significant words
    several: bool  # the topic has several content words
    once: bool  # a sentence naming it is no passing mention: several words, or a rare one (``RARE_WORD_SHARE``)
    any_of: frozenset[str] = frozenset()  # a topic of unknown words: any of these stems names it
    alone: re.Pattern[str] | None = None  # a topic of one capitalised word: that word, capitalised

    @classmethod
    def of(cls, topic: str, q, doc_freqs: Mapping[str, int] | None = None,  # noqa: ANN001 - rag.evidence.Question
           n_docs: int = 0) -> TopicNaming:
        """How ``topic`` is named (``q``: it prepared, ``rag.evidence.prepare``), given the lexical
        index's document frequencies of its stems and its number of passages (none: every word counts)."""
        tokens = [(t, w) for t in re.findall(r"[\w'’.-]+", topic) if (w := _as_written(t))]
        runs: list[list[tuple[str, str]]] = [[]]  # the names: runs of capitalised words, "of" and the like inside
        lower: list[str] = []
        for i, (t, w) in enumerate(tokens):
            joins = bool(runs[-1]) and w in _NAME_JOINERS and i + 1 < len(tokens) and tokens[i + 1][0][:1].isupper()
            if t[:1].isupper() or joins:
                runs[-1].append((t, w))
            else:
                runs.append([])
                lower.append(t)
        for r in runs:  # "The Hague": a name begins and ends with its own words
            while r and r[0][1] in STOPWORDS:
                r.pop(0)
            while r and r[-1][1] in STOPWORDS:
                r.pop()
        runs = [r for r in runs if r]
        df = doc_freqs if doc_freqs is not None else dict.fromkeys(q.stems, 1)
        several = len([w for _, w in tokens if w not in STOPWORDS]) > 1
        phrase = _phrase([w for _, w in tokens]) if several else None
        rare = n_docs > 0 and all(df.get(s, 0) <= RARE_WORD_SHARE * n_docs for s in q.stems)
        if not any(df.get(s, 0) for s in q.stems):
            return cls(phrase, (), (), frozenset(), several, several or rare, frozenset(q.stems))
        heaviest = max(q.idf.values(), default=0.0)
        stems = frozenset(s for t in lower for s in terms(t)
                          if q.idf.get(s, 0.0) >= MINOR_WORD_WEIGHT * heaviest and df.get(s, 0) > 0)
        # one capitalised word is named as it is written: "Judge", not "the judge" (new user 26's brief on Aaron Judge
        # listed courtroom judges). Tried: nor as the first word of a longer name ("Ian Carnelli", a DART manager in
        # a brief on Hurricane Ian): it dropped "The Zembla Courier ..." for Zembla, a place named by its paper
        # (tests/test_brief_newuser7.py), and a name's shape cannot tell the two
        alone = _capitalised(tokens[0][0]) if len(tokens) == 1 and len(runs) == 1 else None
        return cls(phrase, tuple(_phrase([w for _, w in r]) for r in runs),
                   tuple(tuple(_capitalised(t) for t, _ in r if t[:1].isupper()) for r in runs),
                   stems, several, several or rare, alone=alone)

    def __call__(self, sentence: str) -> bool:
        folded = fold(sentence).replace("’", "'")
        if self.phrase is not None and self.phrase.search(folded):
            return True
        if self.any_of:
            return bool(self.any_of & set(terms(sentence)))
        cased = _unaccented(sentence)
        if self.alone is not None:
            return bool(self.alone.search(cased))
        return all(name.search(folded) or all(w.search(cased) for w in words)
                   for name, words in zip(self.names, self.name_words, strict=True)) \
            and self.stems <= set(terms(sentence))

    def written_in(self, text: str) -> bool:
        """Whether a whole article names the topic: as a phrase, or each of its names as a phrase and
        its other significant words anywhere; a topic without a name only as a phrase (in a long
        article, "Clear" opening one sentence and "River" in another, or "clear" here and "river"
        there, are no naming of it)."""
        folded = fold(text).replace("’", "'")
        if self.phrase is not None and self.phrase.search(folded):
            return True
        if self.alone is not None:
            return bool(self.alone.search(_unaccented(text)))
        return bool(self.names) and all(n.search(folded) for n in self.names) and self.stems <= set(terms(text))


def _unnamed(q, sentence: str, names: dict[str, str]) -> float:  # noqa: ANN001 - rag.evidence.Question
    """The share of the topic a sentence matched only by the stem of a name it does not write: "AB
    2420" is no news of "Abe" (both stem to "ab"), "net income" none of the "Nets"."""
    if not names:
        return 0.0
    stems = _stems(sentence)
    named = [(t, w) for t, w in names.items() if t in stems]
    if not named:
        return 0.0
    folded = _folded(sentence)
    return math.fsum(q.idf[t] for t, w in named if not re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded)) / q.total


# a passage's text is stemmed by ``_event`` (a sentence: its words, ``_unnamed``; the whole: the ceiling)
# and by ``_naming_words`` (the whole), and folded by ``_unnamed``: once each, not three times (``terms``
# folds diacritics character by character, so it was most of a brief's time once every passage naming
# the topic was read)
_stems = functools.lru_cache(maxsize=4096)(lambda text: frozenset(terms(text)))
_folded = functools.lru_cache(maxsize=4096)(fold)


# "on December 5": a day of a month, its year unsaid ("December 5, 2022" is left to the reader)
_MONTH_DAY = re.compile(r"\b(" + "|".join(m.capitalize() for m in MONTHS.split())
                        + r")\s+(\d{1,2})(?!\d|,?\s*\d{4})\b")
# a plan or a forecast names a later day as news of its own day ("The vote is set for December 5")
_AHEAD = re.compile(r"\b(?:will|would|set\s+(?:to|for)|scheduled|expected|plan(?:s|ned)?|due|upcoming|next|"
                    r"(?:is|are)\s+to|until|by\s+(?=[A-Z][a-z]+\s+\d))\b", re.I)


def after_its_day(sentence: str, published: str | None) -> bool:
    """Whether ``sentence`` tells of a day after its article's (``published``), not as a plan: a gallery's
    caption added after the page was dated ("Lava fissures flow down the north flank of the Mauna Loa volcano
    on December 5." in a gallery dated 30 November was the brief's entry of 30 November, new user 14), which
    is no event of that day. A date without its year is read in the article's year.

    >>> after_its_day("Lava fissures flow down the north flank of the volcano on December 5.", "2022-11-30")
    True
    >>> after_its_day("The vote is set for December 5.", "2022-11-30")
    False
    >>> after_its_day("On November 28 it erupted.", "2022-11-30")
    False
    """
    if not published or _AHEAD.search(sentence):
        return False
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return False
    months = MONTHS.split()
    for m in _MONTH_DAY.finditer(sentence):
        try:
            said = date(day.year, months.index(m.group(1).lower()) + 1, int(m.group(2)))
        except ValueError:
            continue
        # within two months after it ("on January 3" of a 30 December article is next year's: not read)
        if day < said <= day + timedelta(days=60):
            return True
    return False


#: a sentence telling what happened holds one of these: a verb in the past or a perfect ("blocked", "took", "was",
#: "has"), a report ("said", "says"), a modal ("will", "could"), a day ("on Tuesday", "today")
_EVENT_WORD = re.compile(
    r"(?<![\w'’-])[a-z]{2,}ed\b|(?i:\b(?:was|were|had|has|have|did|said|says|told|will|would|could|can|may|might|"
    r"must|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|yesterday|"
    + "|".join(sorted(IRREGULAR_PAST)) + r")\b)")
#: taken from a sentence holding none (``_EVENT_WORD``): "The future of Title 42, and the situation at the US-Mexico
#: border, remains in limbo for now." opened a story whose third sentence tells that the Supreme Court stepped in
#: (new user 30's catch-up listed the first); less than a sentence naming more of the topic gains by it
EVENTLESS_PENALTY = 0.15
RUN_IN_WORDS = 5  # a run-in subheading is this short (``_run_in_heading``)


def states_event(sentence: str) -> bool:
    """Whether ``sentence`` holds a word telling of an event (``_EVENT_WORD``): a verb in the past, a report, a
    modal or a day.

    >>> states_event("The Supreme Court stepped in days before Title 42 was set to end.")
    True
    >>> states_event("The future of Title 42, and the situation at the US-Mexico border, remains in limbo for now.")
    False
    """
    return bool(_EVENT_WORD.search(sentence))


def _run_in_heading(text: str, a: int, b: int) -> bool:
    """Whether ``text[a:b]`` is a run-in subheading: a phrase of at most ``RUN_IN_WORDS`` words and no comma, with a
    full stop, that opens its paragraph, the paragraph going on after it on the same line. CNN's What Matters
    newsletter heads its paragraphs so ("Judge ends Title 42. A federal judge on Tuesday ended a Trump-era Covid-19
    policy ...", "‘PR stunt’. Even hard-line ..."): new user 30's catch-up on Title 42 told a story by the heading.

    >>> text = "Border news.\\nJudge ends Title 42. A federal judge on Tuesday ended the policy."
    >>> _run_in_heading(text, 13, 33), _run_in_heading(text, 34, len(text))
    (True, False)
    """
    before, after = text[:a].rstrip(" \t"), text[b:].lstrip(" \t")
    if (before and not before.endswith("\n")) or not after or after.startswith("\n"):
        return False
    heading = text[a:b].strip()
    return word_count(heading) <= RUN_IN_WORDS and "," not in heading and heading.rstrip("\"'”’»)] ").endswith(".")


def _headed(p: Passage, span: tuple[int, int]) -> tuple[int, int] | None:
    """The span of the sentence a run-in subheading at ``span`` heads (``_run_in_heading``): the next of the
    passage, on the heading's line, when it tells an event (``is_event_sentence``); else None."""
    after = [(a, b) for a, b in (p.sentences or ()) if a >= span[1]]
    if not after:
        return None
    a, b = min(after)
    sentence = p.text[a - p.start : b - p.start]
    if "\n" in p.text[span[1] - p.start : a - p.start] or is_cut_line(sentence) or not is_event_sentence(sentence):
        return None
    return a, b


def _event(q, passages: list[Passage], plain: tuple[str, ...] = (),  # noqa: ANN001 - rag.evidence.Question
           names: dict[str, str] | None = None,
           skip: Callable[[str], bool] | None = None) -> tuple[float, Event] | None:
    """The story's best event sentence (``is_event_sentence``; topic coverage plus a lead bonus, from
    its earliest article), with the best topic coverage of those sentences (``plain``: the topic's
    words when ``q`` has none, see ``_plain_scores``; ``names``: the topic's names, which count only
    as written, see ``_unnamed``; ``skip``: the site's boilerplate, ``rag.boilerplate``, asked of
    the best sentences only, until one is the story's: "Follow Reviewed on Facebook, Twitter ..."
    names "Twitter" and states nothing).

    A sentence telling no event (``states_event``) loses ``EVENTLESS_PENALTY``; a run-in subheading
    ("Judge ends Title 42.", ``_run_in_heading``) is told by the sentence it heads, which states the
    news the heading names; a line cut short (``rag.text.is_cut_line``), an empty opening
    (``rag.text.empty_opening``) and a heading heading no sentence are told only when the story has
    no other sentence (so the story stays)."""
    # score, coverage, passage, span, weak (told only when the story has no other sentence)
    candidates: list[tuple[float, float, Passage, tuple[int, int], bool]] = []
    for p in passages:
        scored = _plain_scores(plain, p) if plain else \
            score_sentences(q, p.text, p.start, p.sentences or ((p.start, p.end),))
        # a name the passage never writes counts in no sentence of it, not even as a neighbour's
        ceiling = 1.0 - _unnamed(q, p.text, names) if names and not plain else 1.0
        for s in scored:
            sentence = p.text[s.span[0] - p.start : s.span[1] - p.start]
            if not is_event_sentence(sentence, _own_line(p.text, s.span[0] - p.start, s.span[1] - p.start)):
                continue  # a subheading or a question tells no event, however much of the topic it names
            if not plain and not _stems(sentence) & set(q.stems):
                continue  # names none of the topic itself (its coverage is a neighbour's: a footer on "Twitter")
            coverage = s.coverage
            if coverage > 0 and names and not plain:
                coverage = min(coverage - _unnamed(q, p.text[s.span[0] - p.start : s.span[1] - p.start], names),
                               ceiling)
            if coverage <= 1e-9:  # names none of the topic's words: the story is not about it
                continue
            span, weak = s.span, is_cut_line(sentence) or empty_opening(sentence, p.title)
            if _run_in_heading(p.text, s.span[0] - p.start, s.span[1] - p.start):
                headed = _headed(p, s.span)
                span, weak = (headed, False) if headed is not None else (span, True)
            told = p.text[span[0] - p.start : span[1] - p.start]
            score = coverage + LEAD_WEIGHT / (1 + s.span[0] / LEAD_CHARS) - (0.0 if states_event(told) else
                                                                            EVENTLESS_PENALTY)
            candidates.append((score, coverage, p, span, weak))
    # the best first; of equal scores (one sentence in two versions of the story) the earliest version's, then the
    # one retrieval ranked first, as `rag ask` cites it (new user 20: the brief credited a copy the answer did not);
    # boilerplate is looked up for these only, so a story costs one lookup unless its best sentence is the site's
    ranked = sorted(range(len(candidates)), key=lambda i: (
        candidates[i][4], -candidates[i][0], candidates[i][2].published or "9999", candidates[i][2].n))
    dropped: set[int] = set()
    for i in ranked:
        _, _, p, (a, b), _ = candidates[i]
        sentence = p.text[a - p.start : b - p.start]
        if (skip is None or not skip(sentence)) and not after_its_day(sentence, p.published):
            break
        dropped.add(i)
    else:
        return None  # no sentence, or only the site's: "Follow us on Twitter" is no story about Twitter
    covered = max(c for j, (_, c, _, _, _) in enumerate(candidates) if j not in dropped)
    cite = Citation(n=p.n, article_id=p.article_id, title=p.title, source=p.source, published=p.published,
                    quote=p.text[a - p.start : b - p.start], start=a, end=b, author=p.author)
    other = {o.article_id: o for o in passages if o.article_id != p.article_id}  # one per article, in rank order
    own = [p, *sorted((o for o in passages if o.article_id == p.article_id and o is not p), key=lambda o: o.start)]
    return covered, Event(p.published, cite, tuple(dict.fromkeys(o.title for o in other.values())),
                          tuple(dict.fromkeys(o.source for o in other.values())), tuple(own[:STORY_PASSAGES]))


# --- the LLM variant: a verified summary per day ---------------------------------------------------


@dataclass(frozen=True)
class DaySummary:
    """One day of an LLM brief. ``text`` holds the verified sentences with ``[n]`` markers into
    ``passages`` (numbered 1.. for this day); empty when no sentence survived, and the day is then
    told by its ``events`` (the extractive sentences). ``removed``: sentences no passage supports."""

    day: str | None
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    events: tuple[Event, ...]
    removed: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    answerer: str = ""

    @property
    def summarized(self) -> bool:
        return bool(self.text and self.citations)


def summarize(rag: RAG, result: Brief, *, llm: object | None = None) -> tuple[DaySummary, ...]:
    """A short, verified summary per day of ``result`` (oldest day first); see :func:`summarize_days`."""
    return tuple(summarize_days(rag, result, llm=llm))


def summarize_days(rag: RAG, result: Brief, *, llm: object | None = None) -> Iterator[DaySummary]:
    """Yield each day's summary as it is written (the UI shows them as they come).

    ``llm``: anything with the answerers' ``stream(question, passages, as_of=)`` (default:
    ``rag.llm``). The request for a day is :func:`rag.prompt.day_summary_request`, sent with that
    day's passages through the answerer's own prompt, so the model sees dated, numbered passages
    as for any question. Once the LLM fails, the remaining days are not asked again (each call
    would wait out the same retries): they show their extracted sentences, with the reason."""
    llm = llm if llm is not None else rag.llm
    if llm is None:
        raise ConfigError("no LLM is configured: set OPENAI_API_KEY or OPENAI_BASE_URL (or RAG_ANSWERER=local), "
                          "or leave out --llm for the extractive brief")
    failed: str | None = None
    for day, group in groupby(result.events, key=lambda e: e.published):
        events = tuple(group)
        passages, also = _numbered(events)
        if failed is not None:
            yield DaySummary(day, "", (), passages, events, notices=(failed,))
            continue
        request = day_summary_request(result.topic, day, min(len(events), DAY_SENTENCES))
        try:
            draft = final_draft(llm.stream(request, passages, as_of=_day(day) or result.until))  # type: ignore[attr-defined]
        except LLMError as exc:
            log.warning("LLM failed on the brief for %s, showing the extracted sentences: %s", day, exc)
            failed = f"The LLM failed ({exc}); showing the extracted sentences instead."
            yield DaySummary(day, "", (), passages, events, notices=(failed,))
            continue
        yield _checked(day, draft, passages, events, also, getattr(llm, "name", "llm"))


def _numbered(events: tuple[Event, ...]) -> tuple[tuple[Passage, ...], dict[str, tuple[str, ...]]]:
    """The day's passages numbered 1.. (story by story, each cited passage first), and each
    article's other versions (``Citation.also_in``)."""
    out: list[Passage] = []
    for e in events:
        for p in e.passages or ():
            out.append(replace(p, n=len(out) + 1))
    also = {e.citation.article_id: e.also_in_sources for e in events}
    return tuple(out), also


def _checked(day: str | None, draft: Draft, passages: tuple[Passage, ...], events: tuple[Event, ...],
             also: dict[str, tuple[str, ...]], name: str) -> DaySummary:
    """The draft verified sentence by sentence against the day's passages (``rag.verify``, as answers are)."""
    notices = list(draft.notices)
    if draft.refused:
        notices.append("The LLM found nothing to summarise for this day; showing the extracted sentences.")
        return DaySummary(day, "", (), passages, events, notices=tuple(notices), answerer=name)
    checked = verify(draft.text, passages)
    if corrected := corrected_notice(checked):
        notices.append(corrected)
    if checked.removed:
        notices.append(removed_notice(checked.removed))
    if not checked.citations:
        notices.append("No sentence of the summary is supported by its passages; showing the extracted sentences.")
        return DaySummary(day, "", (), passages, events, checked.removed, tuple(notices), name)
    cites = tuple(replace(c, also_in=also.get(c.article_id, ())) for c in checked.citations)
    return DaySummary(day, checked.text, cites, passages, events, checked.removed, tuple(notices), name)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
