"""The arguments of ``RAG.ask`` / ``stream`` / ``search``, checked and normalised.

The CLI, REST and MCP check their inputs before calling ``RAG.ask``; the Python API is an edge too, so
it checks its own: a bad argument is an ``InputError`` naming it, with the expected shape and an
example, rather than an AttributeError deep inside, or an empty question quietly refused.
"""

from __future__ import annotations

import contextlib
import json
import re
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from numbers import Integral
from typing import Any

from rag.errors import InputError
from rag.types import Answer, Filters

History = Sequence[tuple[str, str]]  # (user question, assistant answer) turns, oldest first
# what callers may pass as ``history`` (``checked_history`` turns it into a ``History``): (question, answer)
# pairs, the answer a str or an ``Answer``, or OpenAI-style {"role": "user"|"assistant", "content": str} messages
HistoryInput = Iterable[tuple[str, "str | Answer"]] | Iterable[Mapping[str, str]]


_HISTORY_SHAPES = (
    'pass (question, answer) pairs, oldest first, e.g. [("Which town did the rebels capture?", "Khansir")] '
    "(the answer may be the Answer ask returned), or chat messages, e.g. "
    '[{"role": "user", "content": "Which town did the rebels capture?"}, {"role": "assistant", "content": "Khansir"}]'
)
_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 60


def _got(value: object) -> str:
    """``value`` as an error message shows it: short, with its type."""
    return "None" if value is None else f"{type(value).__name__} {_repr.repr(value)}"


def checked_inputs(
    question: object, top_k: object, filters: object, history: object, as_of: object
) -> tuple[str, int | None, Filters | None, History, date]:
    """``RAG.stream``'s arguments as the pipeline expects them (question stripped, ``as_of`` a date,
    default today; ``history`` as (question, answer text) pairs), or ``InputError`` naming the bad one."""
    return (checked_text(question, "question", 'rag.ask("Which town did the rebels capture?")'),
            checked_top_k(top_k), checked_filters(filters), _checked_history(history), checked_as_of(as_of))


#: characters of a question or search query: about 700 words. The search reads the first 256 word
#: pieces of it (the embedding model's window), so a pasted article (100 KB) was answered with an
#: unrelated sentence after scoring every sentence against thousands of words; it is refused instead.
MAX_TEXT_CHARS = 4000


def checked_text(value: object, name: str, example: str) -> str:
    if not isinstance(value, str):
        raise InputError(name, f"must be a str, got {_got(value)}; e.g. {example}")
    if not value.strip():
        what = "write the words to search for" if name == "query" else "ask a question about the articles"
        raise InputError(name, f"is empty; {what}, e.g. {example}")
    text = value.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(name, f"is {len(text):,} characters long; the limit is {MAX_TEXT_CHARS:,}: ask about one "
                               "thing in a sentence or two (to add an article to the collection, ingest it)")
    return text


def checked_top_k(top_k: object) -> int | None:
    if top_k is None:
        return None
    if isinstance(top_k, bool) or not isinstance(top_k, Integral) or top_k < 1:
        raise InputError("top_k", f"must be a positive int (the passages to answer from), got {_got(top_k)}; "
                                  "e.g. top_k=5, or leave it out for the RAG_TOP_K setting")
    return int(top_k)


def no_day(value: str) -> str | None:
    """What is wrong with ``value`` when it is written YYYY-MM-DD and is no day of the calendar ("'2022-02-30' is no
    day of the calendar (day is out of range for month); check the month and the day"), else None. Every place a
    date is typed says so (new users 22 and 23 read "write YYYY-MM-DD" of a value written so)."""
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        date.fromisoformat(text)
    except ValueError as exc:
        return f"{text!r} is no day of the calendar ({exc}); check the month and the day"
    return None


def _checked_day(value: object, name: str, example: str = "") -> date | None:
    """A date argument: a ``date``, a ``datetime`` (its day) or an ISO ``YYYY-MM-DD`` string; None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):  # a datetime is a date too: its time would show in the window's label
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            if wrong := no_day(value):
                raise InputError(name, wrong) from None
    example = example or f'{name}=date(2024, 12, 3) or {name}="2024-12-03"'
    raise InputError(name, f"must be a date, got {_got(value)}; e.g. {example} (YYYY-MM-DD)")


def checked_as_of(as_of: object) -> date:
    return _checked_day(as_of, "as_of") or date.today()


def json_day(value: object) -> object:
    """A date field of a JSON request (a REST body's or an MCP tool's ``as_of``) before pydantic reads it:
    None, a date and a date string go on; a number (or a string of digits) is a ``ValueError`` saying to send
    "YYYY-MM-DD", with what was sent (``day_string_problem``). Pydantic's lax mode read a number as a Unix
    time: ``20221212`` was refused as "Datetimes provided to dates should have zero time", which told a
    client nothing, and ``1671753600`` (or ``0``) was taken, silently, as a day.

    >>> json_day(20221212)
    Traceback (most recent call last):
    ValueError: must be a date string "YYYY-MM-DD" (e.g. "2022-12-12"), got the number 20221212
    """
    if value is None or isinstance(value, date) or (isinstance(value, str) and not value.strip().isdigit()):
        return value
    raise ValueError(day_string_problem(value))


def day_string_problem(value: object) -> str:
    """Why ``value`` is no date of a JSON request, with the date string it most likely means as the example:
    20221212 written "2022-12-12", a Unix time (1671753600) its UTC day, else a date of the right shape."""
    example, note = "2024-12-03", ""
    digits = str(value).strip() if isinstance(value, str) else str(value) if type(value) is int else ""
    if re.fullmatch(r"\d{8}", digits):
        with contextlib.suppress(ValueError):
            example = date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
    elif re.fullmatch(r"\d{9,10}", digits):  # seconds since 1970: 1973 to 2286
        example = datetime.fromtimestamp(int(digits), timezone.utc).date().isoformat()
        note = f", the day of the Unix time {digits}"
    if isinstance(value, bool):
        got = f"the boolean {str(value).lower()}"
    elif isinstance(value, (int, float)):
        got = f"the number {_repr.repr(value)}"
    elif isinstance(value, str):
        got = f"the string {json.dumps(value[:40])}" + ("..." if len(value) > 40 else "")
    else:
        got = {list: "a list", tuple: "a list", dict: "an object"}.get(type(value)) or _got(value)
    return f'must be a date string "YYYY-MM-DD" (e.g. "{example}"{note}), got {got}'


def checked_filters(filters: object) -> Filters | None:
    """The filters with their dates as dates, or ``InputError``: an unknown type, a date that is not
    one, ``published_from`` after ``published_to`` (no article could match: the answer would be a refusal)."""
    if filters is None:
        return None
    if not isinstance(filters, Filters):
        raise InputError("filters", f"must be a rag.Filters, got {_got(filters)}; "
                                    'e.g. filters=Filters(sources=("reuters",), published_from=date(2024, 11, 1))')
    return filters  # checked when it was made (``Filters.__post_init__``)


def checked_fields(filters: Filters) -> dict[str, object]:
    """The fields of ``filters`` that its checks changed (a "2024-11-01" made a date, one source
    name made a tuple), or ``InputError`` (see ``checked_filters``)."""
    start = _checked_day(filters.published_from, "filters.published_from",
                         'Filters(published_from=date(2024, 11, 1)) or Filters(published_from="2024-11-01")')
    end = _checked_day(filters.published_to, "filters.published_to",
                       'Filters(published_to=date(2024, 12, 3)) or Filters(published_to="2024-12-03")')
    if start and end and start > end:
        raise InputError("filters", f"published_from {start} is after published_to {end}: "
                                    "no article can match; swap them")
    sources = _checked_names(filters.sources, "filters.sources", 'sources=("reuters",)')
    ids = _checked_names(filters.article_ids, "filters.article_ids", 'article_ids=("2ee66f902f40f20f",)')
    checked = {"published_from": start, "published_to": end, "sources": sources, "article_ids": ids}
    return {k: v for k, v in checked.items() if v is not getattr(filters, k)}


#: what other surfaces call a field, for a keyword no close spelling finds: ``rag ask --since``/``--until``
#: and REST's ``filters`` name the dates ``since``/``until``, ``Filters`` ``published_from``/``published_to``
MEANT = {"since": "published_from", "until": "published_to"}


def unknown_keywords(owner: str, fields: Sequence[str], unknown: Sequence[str]) -> InputError:
    """The error for keywords ``owner`` (a dataclass such as ``Filters``) has no field for: each named,
    with the field it most likely means (a close spelling, or its name elsewhere: ``MEANT``), and the
    fields it takes, as ``Settings(topk=3)`` says "did you mean top_k?". Python's own TypeError named
    the keyword only ("unexpected keyword argument 'source'"), and REST names the fields it takes.

    >>> print(unknown_keywords("Filters", ("sources", "published_from"), ["source"]))
    filters.source: Filters has no field source; did you mean sources? It takes sources, published_from
    """
    from difflib import get_close_matches  # only for a keyword that is no field: kept off every start

    def meant(word: str) -> str | None:
        near = get_close_matches(word.lower(), list(fields), n=1, cutoff=0.6)
        other = MEANT.get(word.lower())
        return near[0] if near else other if other in fields else None

    takes = ", ".join(fields)
    guesses = {name: meant(name) for name in unknown}
    fix = "; ".join(f"rename {name} to {near}" if near else f"leave {name} out: {owner} takes {takes}"
                    for name, near in guesses.items())
    if len(unknown) == 1:
        name, near = next(iter(guesses.items()))
        said = f"did you mean {near}? It takes {takes}" if near else f"it takes {takes}"
        return InputError(f"{owner.lower()}.{name}", f"{owner} has no field {name}; {said}", fix=fix)
    named = ", ".join(f"{name} (did you mean {near}?)" if near else name for name, near in guesses.items())
    return InputError(owner.lower(), f"{owner} has no fields {named}; it takes {takes}", fix=fix)


#: unknown field names (folded: ``folded``) that mean a field of a REST body or an MCP tool no close spelling
#: finds: the as-of date by another name, and the filters' own fields sent beside them instead of in them
#: (``"since"`` at the top of a chat request filtered nothing). A target applies where its first part is a field.
FIELD_ALIASES: dict[str, str] = {
    "asofdate": "as_of", "asofday": "as_of", "referencedate": "as_of",
    "since": "filters.since", "until": "filters.until", "sources": "filters.sources", "source": "filters.sources",
    "articleids": "filters.article_ids", "articleid": "filters.article_ids",
}


def folded(name: str) -> str:
    """``name`` without case, "_", "-" or spaces: "as_of", "as-of", "asOf" and "asof" are one name."""
    return re.sub(r"[\s_-]", "", name).lower()


def meant_field(name: str, fields: Iterable[str], aliases: Mapping[str, str] | None = None,
                cutoff: float = 0.75) -> str | None:
    """The field of ``fields`` that the unknown field ``name`` most likely means: the same name in another
    case or with other separators ("asof", "as-of", "asOf", "AS_OF" for ``as_of``), another name of it
    (``aliases``, default ``FIELD_ALIASES``: "since" for ``filters.since``), or a close spelling ("filter",
    "ofline"; difflib's ratio of the folded names at least ``cutoff``). None when no field is near.

    >>> meant_field("asOf", ("question", "as_of")), meant_field("filter", ("filters",)), meant_field("x", ("y",))
    ('as_of', 'filters', None)
    """
    from difflib import get_close_matches  # only for a name that is no field: kept off every start

    by_fold = {folded(f): f for f in fields}
    word = folded(name)
    if not word:
        return None
    if word in by_fold:
        return by_fold[word]
    alias = (FIELD_ALIASES if aliases is None else aliases).get(word)
    if alias is not None and alias.split(".")[0] in by_fold.values():
        return alias
    near = get_close_matches(word, list(by_fold), n=1, cutoff=cutoff)
    return by_fold[near[0]] if near else None


def _checked_names(value: object, name: str, example: str) -> tuple[str, ...]:
    """``Filters.sources``/``article_ids`` as a tuple of str; one str is one name (not its letters)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        names = tuple(value)
        if all(isinstance(n, str) for n in names):
            return names
    raise InputError(name, f"must be a tuple of str, got {_got(value)}; e.g. {example}")


def _checked_history(history: object) -> History:
    """Earlier turns as ``(question, answer text)`` pairs, oldest first (what ``rewrite_query`` and the
    LLM prompts read), from pairs (the answer a str or an ``Answer``) or from OpenAI-style chat messages.
    Messages pair each user message with the assistant reply after it, as ``rag serve``'s
    /v1/chat/completions does: system messages and a user message no reply follows (the question
    itself, say) are left out."""
    if history is None:
        return ()
    if isinstance(history, (str, bytes, Mapping)) or not isinstance(history, Iterable):
        raise InputError("history", f"must be a list of turns, got {_got(history)}; {_HISTORY_SHAPES}")
    turns = list(history)
    if turns and all(isinstance(t, Mapping) for t in turns):
        return _history_from_messages(turns)
    return tuple(_history_pair(t, i) for i, t in enumerate(turns))


def _history_pair(turn: object, i: int) -> tuple[str, str]:
    where = f"history[{i}]"
    if isinstance(turn, Mapping):
        raise InputError(where, f"is a chat message among (question, answer) pairs; use one shape for the "
                                f"whole history: {_HISTORY_SHAPES}")
    if isinstance(turn, (str, bytes)) or not isinstance(turn, Sequence) or len(turn) != 2:
        raise InputError(where, f"must be a (question, answer) pair, got {_got(turn)}; {_HISTORY_SHAPES}")
    question, answer = turn
    if not isinstance(question, str):
        raise InputError(f"{where}[0]", f"the question must be a str, got {_got(question)}; {_HISTORY_SHAPES}")
    if isinstance(answer, Answer):
        return question, answer.text
    if not isinstance(answer, str):
        raise InputError(f"{where}[1]", f"the answer must be a str or an Answer, got {_got(answer)}; "
                                        f"{_HISTORY_SHAPES}")
    return question, answer


def _history_from_messages(messages: Sequence[Mapping[Any, Any]]) -> History:
    turns: list[tuple[str, str]] = []
    for i, m in enumerate(messages):
        role, content = m.get("role"), m.get("content")
        if role == "system":
            continue
        if role not in ("user", "assistant"):
            raise InputError(f"history[{i}]['role']", f"must be 'user' or 'assistant' (a 'system' message is "
                                                      f"ignored), got {_got(role)}; {_HISTORY_SHAPES}")
        if not isinstance(content, str):
            raise InputError(f"history[{i}]['content']", f"must be a str, got {_got(content)}; {_HISTORY_SHAPES}")
        turns.append((role, content))
    return tuple(pair_turns(turns))


def pair_turns(turns: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Chat turns (``(role, text)``, "user"/"assistant") as (question, answer) pairs: each user message
    with the assistant reply after it; a user message no reply follows, or a reply no question comes
    before, is left out (``RAG.ask``'s history and ``rag serve``'s /v1/chat/completions read them alike)."""
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for role, text in turns:
        if role == "user":
            pending = text
        elif pending is not None:
            pairs.append((pending, text))
            pending = None
    return pairs
