"""Typed records returned to every consumer (CLI, UI, Python API, evals). Field names are a contract:
``rag ask --json`` prints exactly these names, and scripts depend on them."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any


#: What every answerer says when the articles do not hold the answer (one sentence, everywhere).
REFUSAL = "I could not find this in the articles."


_DATED_LEAD = re.compile(r"( \(\d{1,2} [A-Z][a-z]+ \d{4}\))(?=\.\s)")  # "Monday (16 January 2023). ..."


def lead_with(short: str, text: str) -> str:
    """The offline answer's text: the short answer first, then the sentences that support it
    ("Khansir. Rebels said on Sunday they had ... captured the town of Khansir [1]."); the text as it
    is when it already opens with the phrase."""
    said = text.startswith(short) and not text[len(short) : len(short) + 1].isalnum()  # not "Iran" of "Iranian"
    return text if said else f"{short}{'' if short.endswith('.') else '.'} {text}"


class _KnownKeywords:
    """Base of a dataclass built by hand in callers' code (``Filters``): a keyword that names no field
    is an ``InputError`` naming it, the field meant and the fields taken
    (``rag.arguments.unknown_keywords``), as ``Settings(topk=3)`` is, where Python's TypeError named
    the keyword alone.

    Checked in ``__new__``, which Python calls with the same arguments just before ``__init__``, so
    the dataclass stays exactly what the decorator made: its generated ``__init__`` (positional use,
    ``__post_init__``'s checks, and the signature ``help()`` and an IDE show, since ``inspect`` reads
    a class's own ``__init__`` before an inherited ``__new__``), repr, equality, hashing, and pickling
    (which calls ``__new__`` without arguments). Wrapping ``__init__`` instead would mean patching
    the class after the decorator built it, and a ``__new__`` of the class itself would hide that
    signature behind ``(*args, **kwargs)``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - an instance of the dataclass ``cls``
        if kwargs:
            names = [f.name for f in fields(cls)]  # type: ignore[arg-type] # (cls is a dataclass)
            unknown = [k for k in kwargs if k not in names]
            if unknown:
                from rag.arguments import unknown_keywords  # (rag.arguments imports this module)

                raise unknown_keywords(cls.__name__, names, unknown)
        return super().__new__(cls)


@dataclass(frozen=True)
class Filters(_KnownKeywords):
    """Restrict retrieval: ``sources`` are substrings of an article's source/URL; dates are inclusive.

    Checked when made (``rag.arguments.checked_filters``): a date may be given as "2024-11-01" and is
    kept as a date, one source as a str; a date that is not one, or ``published_from`` after
    ``published_to``, is an ``InputError`` here, not at the ``ask()`` that uses it.

    >>> Filters(sources="cnn", published_from="2024-11-01")
    Filters(sources=('cnn',), published_from=datetime.date(2024, 11, 1), published_to=None, article_ids=())

    A keyword that names no field is an ``InputError`` too, naming the field meant:

    >>> Filters(source="cnn")
    Traceback (most recent call last):
    ...
    rag.errors.InputError: filters.source: Filters has no field source; did you mean sources? It takes sources, published_from, published_to, article_ids
    """

    sources: tuple[str, ...] = ()
    published_from: date | None = None
    published_to: date | None = None
    article_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from rag.arguments import checked_fields  # (rag.arguments imports this module)

        for name, value in checked_fields(self).items():
            object.__setattr__(self, name, value)

    def is_empty(self) -> bool:
        return not (self.sources or self.published_from or self.published_to or self.article_ids)


@dataclass(frozen=True)
class TimeWindow:
    """The dates a question is about, resolved against a reference date (``as_of``) by
    ``rag.timewindow.understand``: "this week" asked on 2024-12-01 is 2024-11-25 .. 2024-12-01.

    ``start``/``end`` are inclusive; either may be open (``since 2016``: no end). ``recency`` is true
    when the question asks for the current state ("latest", "now", "still", "so far"), which prefers
    the newest evidence even without a window. ``phrase`` is the text that was understood."""

    start: date | None
    end: date | None
    phrase: str = ""
    recency: bool = False

    def label(self) -> str:
        """``2024-11-25 .. 2024-12-01``; an open end in words (``from 2021-01-01``, ``until 2020-12-31``: a
        literal "..." read as a phrase left out); plus ``latest`` for recency questions.

        >>> TimeWindow(date(2021, 1, 1), None, "after 2020").label(), TimeWindow(None, date(2020, 12, 31), "before 2021").label()
        ('from 2021-01-01', 'until 2020-12-31')
        """
        if self.start is None and self.end is None:
            return "latest" if self.recency else ""
        if self.start is not None and self.end is not None:
            span = f"{self.start.isoformat()} .. {self.end.isoformat()}"
        else:
            span = f"from {self.start.isoformat()}" if self.start is not None else f"until {self.end.isoformat()}"  # type: ignore[union-attr]
        return f"{span}, latest" if self.recency else span


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, numbered ``n`` (1-based) as the answer's ``[n]`` markers refer to it."""

    n: int
    chunk_id: str
    article_id: str
    title: str
    source: str
    published: str | None
    score: float
    text: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...] = field(default=(), repr=False)  # article offsets
    similarity: float | None = None  # cosine of the question and chunk vectors (None: found by BM25 only)
    story_id: str | None = None  # the story group (index.stories): near-copies of one story share it
    author: str | None = None  # the article's byline, when it has one


@dataclass(frozen=True)
class Citation:
    """``quote`` is exact article text: ``article_text[start:end] == quote``."""

    n: int
    article_id: str
    title: str
    source: str
    published: str | None
    quote: str
    start: int
    end: int
    also_in: tuple[str, ...] = ()  # URLs/sources of the other versions of the same story (index.stories)
    author: str | None = None  # the article's byline, when it has one


def published_day(p: Passage | Citation) -> date | None:
    """A passage's (or citation's) publication day, None when undated or unreadable."""
    if not p.published:
        return None
    try:
        return date.fromisoformat(p.published[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Answer:
    """What ``RAG.ask`` returns (``RAG.stream`` yields it last): ``text`` with ``[n]`` markers, each
    ``n`` a ``Citation`` (the exact quote, its article and offsets) and a ``Passage`` it came from;
    ``refused`` when the collection does not hold the answer; ``short_answer`` (bold in the UI and
    CLI) for who/when/where/how-many questions when one was found in a cited quote; ``notices``
    (fallbacks, dates read, filters) to show beside it. ``print(answer)`` shows the answer, its
    notices and its sources; ``to_dict()`` is the ``rag ask --json`` schema."""

    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    timings_ms: dict[str, float]
    answerer: str = "extractive"
    search_query: str | None = None  # the standalone query actually searched (after follow-up rewriting)
    messages: tuple[dict[str, str], ...] | None = None  # exact prompt sent to the LLM, if any
    notices: tuple[str, ...] = ()  # e.g. "LLM failed; showing the offline answer"
    dropped_markers: tuple[int, ...] = ()  # [n] markers that pointed at no passage
    usage: dict[str, int] = field(default_factory=dict)  # prompt/completion tokens (LLM)
    confidence: float | None = None  # offline answerer: P(answerable) from the fitted model (rag.confidence)
    unsupported_claims: tuple[str, ...] = ()  # sentences of an LLM answer no passage supports (removed)
    short_answer: str | None = None  # who/when/where/how-many: the phrase answering it, found in a cited quote
    short_answer_span: tuple[int, int] | None = None  # its article offsets: article_text[start:end] == short_answer
    as_of: date | None = None  # the reference date relative expressions were resolved against
    time_window: TimeWindow | None = None  # what the question's time expressions were understood as

    def __str__(self) -> str:
        """The answer as a reader sees it: text, notices, then one line per cited source."""
        lines = [self.text, *(f"note: {n}" for n in self.notices)]
        for c in self.citations:
            lines.append(f"[{c.n}] {c.title} - {c.source}" + (f" ({c.published})" if c.published else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:  # the generated one printed every passage: kilobytes in a notebook cell
        short = f", short_answer={self.short_answer!r}" if self.short_answer else ""
        return (f"Answer(question={self.question!r}, refused={self.refused}{short}, "
                f"citations={len(self.citations)}, passages={len(self.passages)}, answerer={self.answerer!r})")

    @property
    def short_label(self) -> str | None:
        """The short answer as the text leads with it: ``short_answer``, or with the day a weekday is in its
        article ("Monday (16 January 2023)", ``rag.api.dated_weekday``); None without a short answer."""
        if not self.short_answer:
            return None
        m = _DATED_LEAD.match(self.text[len(self.short_answer):]) if self.text.startswith(self.short_answer) else None
        return self.short_answer + m.group(1) if m else self.short_answer

    @property
    def supporting(self) -> str:
        """The text without its leading short answer: the sentences and their ``[n]`` markers (the
        CLI and UI show the short answer apart, in bold, above them)."""
        if not self.short_answer:
            return self.text
        lead = lead_with(self.short_label or "", "")
        return self.text[len(lead):] if lead.strip() and self.text.startswith(lead) else self.text

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` schema: question, answer, refused, citations, passages, timings_ms, ..."""
        d = asdict(self)
        d["answer"] = d.pop("text")
        for p in d["passages"]:
            p.pop("sentences", None)
        if d["messages"] is not None:
            d["messages"] = list(d["messages"])
        d["as_of"] = self.as_of.isoformat() if self.as_of else None
        tw = self.time_window
        d["time_window"] = None if tw is None else {
            "start": tw.start.isoformat() if tw.start else None, "end": tw.end.isoformat() if tw.end else None,
            "phrase": tw.phrase, "recency": tw.recency, "label": tw.label()}
        order = ["question", "answer", "refused", "citations", "passages", "timings_ms"]
        return {k: d[k] for k in order} | {k: v for k, v in d.items() if k not in order}


@dataclass(frozen=True)
class Draft:
    """What an answerer produces before citations are resolved: text with ``[n]`` markers."""

    text: str
    refused: bool
    messages: tuple[dict[str, str], ...] | None = None
    dropped_markers: tuple[int, ...] = ()
    usage: dict[str, int] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    confidence: float | None = None  # P(answerable) from the fitted model (offline answerer), else None
    short_answer: tuple[str, int, int] | None = None  # (phrase, article start, article end) inside the cited sentence
