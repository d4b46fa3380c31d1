"""Recency in answers: when passages of different dates disagree on the answer's figure or name, say so.

A news topic returns with changing facts: an early report says two people were killed, a later one
four. Given the answer the answerer chose (its first sentence with its ``[n]``, and the short answer
if any) and the passages, :func:`find_disagreement` looks in the *other* dated passages for a
sentence about the same thing (the same words around the figure: the unit after a number, "people
killed"; the words around a name) that states a different value; :func:`compose` then writes the
newest value with its date and citation and the earlier one with its own:

    As of 1 December, at least four people had been killed [1]; an earlier report said two [3].

Pure functions over ``Passage`` records. The offline answerer, given an ``as_of``, calls
:func:`find_disagreement` to answer with the newest sentence first and the earlier one second (both
verbatim, so ``rag.verify`` keeps them); after verification, :func:`reconcile` composes the dated
sentence, for offline and LLM answers alike. Nothing changes without an ``as_of``. Undated passages
never take part (no date, no "as of"), and passages that agree leave the answer as it is.

>>> from rag.types import Passage
>>> old = Passage(3, "b:0", "b", "Blast", "x.com", "2024-11-28", 1.0,
...               "Two people were killed in the blast, police said.", 0, 49, ((0, 49),))
>>> new = Passage(1, "a:0", "a", "Blast toll rises", "y.com", "2024-12-01", 1.0,
...               "At least four people were killed in the blast.", 0, 46, ((0, 46),))
>>> text, cites = reconcile("At least four people were killed in the blast [1].", (), [new, old], "four")
>>> text
'As of 1 December, at least four people were killed in the blast [1]; an earlier report said two [3].'
>>> [c.quote for c in cites]
['At least four people were killed in the blast.', 'Two people were killed in the blast, police said.']
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from rag.evidence import Question, terms
from rag.short_answer import (
    DEATH_WORDS, EARLIER_TOLL_ASKED, asked_noun, candidates, changed_from, day_of_month, is_calendar, wanted_type,
)
from rag.timewindow import understand
from rag.text import MARKER_RUN, marker_numbers
from rag.types import Citation, Passage, published_day

log = logging.getLogger(__name__)

# How much of the answer sentence's content (its words other than the value) a sentence of another
# passage must share to count as "about the same thing". Hand-set on the unit-test cases and the
# example stories in tests/test_recency.py (no labelled disagreements exist yet to fit it on).
MIN_CONTEXT = 0.34
# a figure counting time ("two years", "almost two weeks"), which is rarely what changed
_SPAN_OF_TIME = re.compile(r"\s+(?:years?|months?|weeks?|days?|hours?|decades?)\b", re.I)
# How much of what the question is about (``_topic``) a sentence whose figure counts the same thing must say: half
# ("At least 18 people have died in the wave of the storms" says "wave" and "storms" of the latest death toll from the
# wave of California storms; "Republicans need to pick off two Democratic seats to win the Senate majority" says
# "Republicans" and "majority" of five words asking whether Republicans clinched a House majority). Hand-set on
# those cases and tests/test_recency.py's, as MIN_CONTEXT is.
MIN_TOPIC = 0.5
NEAR = 4  # words either side of a value that describe it ("four people killed", "named X as leader")

_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                                                     "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12,
                                                     "dozens": 24, "hundreds": 200, "a hundred": 100}
_SCALE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER = re.compile(
    r"(?<![\w.])(?P<num>\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|\$?\d+(?:\.\d+)?|"
    + "|".join(sorted(_SMALL, key=len, reverse=True))
    + r")(?:\s+(?P<scale>hundred|thousand|million|billion|trillion))?(?![\w])(?P<pct>\s*(?:%|percent))?",
    re.I)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of|de|al|van|von|the)?\s*[A-Z][\w'’.-]*)*")
# the place a figure is for: "in Lee County", "across Florida" (not "in March", "in Friday's storm")
_PLACE = r"((?:the\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3})"
_SCOPE = re.compile(r"\b(?:in|across|throughout)\s+" + _PLACE)

_OPENING_SCOPE = re.compile(r"\W*(?:In|Across|Throughout)\s+" + _PLACE)

_SCOPE_BEFORE = re.compile(r"\b(?:in|across|throughout|through)\s+" + _PLACE)  # "swept through Cuba ..., killing"

SCOPE_CHARS = 80  # how far after (or before) a figure the place it is for may be named


def _scope(sentence: str, end: int) -> str | None:
    """The place the figure ending at ``sentence[end]`` is for: the first one named after it, near it ("At
    least 54 people died in Lee County alone": "lee county"; "109 people have been reported killed by the
    hurricane in the United States, with 105 of those deaths in Florida": "united states"), or None; not past the
    next figure ("125 people ... killed as a result of the storm – 120 of them in Florida": Florida is the 120's)."""
    after = re.search(r"\d", sentence[end:])
    stop = min(end + SCOPE_CHARS, end + after.start() if after else len(sentence))
    for m in _SCOPE.finditer(sentence, end, stop):
        if place := _place(m):
            return place
    # else the place the sentence opens with: "In Lee County, which includes ..., at least five deaths were confirmed"
    m = _OPENING_SCOPE.match(sentence)
    if m and m.end() <= end and (place := _place(m)):
        return place
    # else the last one named just before it in its clause, no figure between: "swept through Cuba earlier this
    # week, killing three people" (new user 26: Cuba's three deaths were "an earlier report" of Florida's 101)
    m = next(reversed(list(_SCOPE_BEFORE.finditer(sentence, max(0, end - SCOPE_CHARS), end))), None)
    between = sentence[m.end() : end].strip().rpartition(" ")[0] if m else ""
    return _place(m) if m and not re.search(r"\d|[;:]", between) else None


# who reports a figure is no other subject of it: "Gov. Ron DeSantis said 2 died", "according to the CDC, ..."
_SAYS = re.compile(r"\s+(?:said|says|told|reported|reports|announced|confirmed|estimated|estimates)\b")
_ACCORDING = re.compile(r"\baccording\s+to\s+(?:the\s+)?$")


def _named_otherwise(other: str, start: int, sentence: str, q: Question | None) -> bool:
    """Whether the clause of ``other`` that leads to its figure (at ``start``) names someone or something the
    answer's ``sentence`` and the question never name, while the answer's sentence names one ``other`` never
    does: the figure is another's. New user 30: "at least four people have been killed after Nicole hit
    Florida" was given "an earlier report said 120" from "The storm is not expected to intensify rapidly
    like Ian did in late September before killing at least 120 of people in Florida". Months, weekdays
    and a sentence's first word are no names here."""
    clause = re.split(r"[,;:–—]\s|\s[–—]\s", other[:start])[-1]
    offset = start - len(clause)
    told = f"{sentence} {q.text if q is not None else ''}".lower()

    def names(text: str, opens_sentence: bool) -> set[str]:
        found = set()
        for m in _NAME.finditer(text):
            name = m.group(0)
            if opens_sentence and not text[: m.start()].strip():  # "The storm", "Police": capitalised, no name;
                name = name.partition(" ")[2].strip()              # "Hurricane Ian": Ian
            if len(name) > 1 and not is_calendar(name.split()[0].rstrip(".")) and not _SAYS.match(text, m.end()) \
                    and not _ACCORDING.search(text, 0, m.start()):
                found.add(name.lower())
        return found

    def said_in(name: str, text: str) -> bool:  # as a word: "Ian" is not in "Brian" nor in "Ukrainian"
        return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None

    if all(said_in(n, told) for n in names(clause, offset == 0)):
        return False
    return any(not said_in(n, other.lower()) for n in names(sentence, True))


def _place(m: re.Match[str]) -> str | None:
    """The place a ``_PLACE`` group names, lower case without "the"; None for a weekday or a month ("in March")."""
    place = re.sub(r"^the\s+", "", m.group(1)).rstrip(".")
    return None if is_calendar(place.split()[0]) else place.lower()


# a sentence that opens by pointing at the one before it ("That's how many seats ...", "This brings the
# toll to ..."): read alone, as "As of <date>, ..." quotes it, it says nothing
_POINTS_BACK = re.compile(r"^\W*(?:that|this|these|those)(?:['’]s|\s+(?:is|are|was|were)\b)", re.I)
_CONNECTIVE = re.compile(r"^(?:(?:meanwhile|however|separately|in addition|additionally|furthermore|moreover|"
                         r"by contrast|in contrast),|but|and)\s+(?=\S)", re.I)
_LOWER_OPENERS = frozenset("the a an at in on more some about around nearly almost over police officials authorities "
                           "rescuers only just which what who how when where why whether dozens hundreds thousands "
                           "scores millions tens".split())


FITTED = Path(__file__).resolve().parent / "fitted" / "recency.json"


@dataclass(frozen=True)
class RecencyRules:
    """Fitted parameters of the recency rules (``python -m evals.fit_recency`` -> ``rag/fitted/recency.json``).

    ``newest_bar``: for a question about the current state (``rag.api._about_a_changing_fact``), a
    ranked candidate sentence that states a value of the asked type leads the answer instead of the
    best one when it is from a newer article and the sentence model finds it at least this likely
    relative to the best (``exp(score - best)``; :func:`pick_newest`). None: off (only
    :func:`find_disagreement` reorders).
    ``window_limit_days``: a question with a closed window and no recency ("this week", "on
    Thursday") whose retrieval candidates hold nothing published between this many days before the
    window and ``as_of``, while some are from after ``as_of`` (a gap, not an old collection), has
    nothing from that window: retrieval keeps none of them, so the answer is a refusal
    (``rag.retrieve.prior``; :func:`rag.timewindow.uncovered`). None: off.
    ``recency_limit_days``: the same for a recency question ("right now", "so far") whose newest
    candidate on or before ``as_of`` is older than this. None: off.
    The defaults (all off) are the behaviour before the fit."""

    newest_bar: float | None = None
    window_limit_days: int | None = None
    recency_limit_days: int | None = None

    @classmethod
    def load(cls, path: Path = FITTED) -> RecencyRules:
        """The fitted rules, or the defaults (logged) when the file is missing or unreadable."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))["params"]
            return cls(**{f.name: data[f.name] for f in fields(cls)})
        except (OSError, KeyError, TypeError, ValueError) as exc:
            log.warning("recency rules: using defaults, all off (%s: %s); run `python -m evals.fit_recency`", path, exc)
            return cls()


_RULES: RecencyRules | None = None


def rules() -> RecencyRules:
    """The process-wide fitted rules (read once)."""
    global _RULES
    if _RULES is None:
        _RULES = RecencyRules.load()
    return _RULES


def pick_newest(scores: Sequence[float], published: Sequence[date | None], has_value: Sequence[bool],
                bar: float | None, as_of: date | None) -> int:
    """Which of the ranked candidate sentences (``scores``: the sentence model's logits, best first)
    should lead an answer about the current state: the newest-dated one that states a value of the
    asked type (``has_value``), is dated on or before ``as_of`` and is at least ``bar`` times as
    likely as the best (``exp(score - best) >= bar``); ties in date go to the higher score. The best
    (0) when none is newer than it, or ``bar`` is None.

    >>> d = date.fromisoformat
    >>> pick_newest([2.0, 1.5, 0.1], [d("2022-10-03"), d("2022-10-05"), d("2022-10-06")], [True, True, True],
    ...             0.5, d("2022-10-06"))
    1
    """
    if bar is None or not scores:
        return 0
    floor = scores[0] + math.log(bar)
    best_day = published[0]
    if best_day is None:
        return 0  # an undated best sentence: no date to be newer than
    pick = 0
    for i, (s, d, v) in enumerate(zip(scores, published, has_value, strict=True)):
        if i == 0 or not v or d is None or s < floor or (as_of is not None and d > as_of):
            continue
        if d <= best_day:
            continue
        current = published[pick]
        if pick == 0 or (current is not None and d > current):
            pick = i
    return pick


@dataclass(frozen=True)
class Mention:
    """A value (figure or name) in one sentence of one dated passage."""

    passage: Passage
    published: date
    sentence: str
    span: tuple[int, int]  # the sentence's article offsets
    value: str  # as written: "four", "$2.5 million", "Jane Smith"
    key: str  # normalised for comparison: "4", "2500000", "jane smith"


@dataclass(frozen=True)
class Disagreement:
    """The newest mention and an earlier one that states a different value."""

    newest: Mention
    earlier: Mention


def _sentences(p: Passage) -> list[tuple[str, tuple[int, int]]]:
    spans = p.sentences or ((p.start, p.end),)
    return [(p.text[a - p.start : b - p.start], (a, b)) for a, b in spans]


def _number_key(m: re.Match[str]) -> str | None:
    raw = m.group("num").lower().lstrip("$").replace(",", "")
    value = float(raw) if raw[0].isdigit() else float(_SMALL.get(raw, -1))
    if value < 0:
        return None
    if m.group("scale"):
        value *= _SCALE[m.group("scale").lower()]
    return f"{value:g}" + ("%" if m.group("pct") else "")


def _is_date_number(text: str, m: re.Match[str]) -> bool:
    """A year, a day of the month or a time of day, not a figure."""
    raw = m.group("num")
    if re.fullmatch(r"(?:19|20)\d\d", raw) and not m.group("scale"):
        return True
    return day_of_month(text, m.start("num"), m.end("num")) or \
        bool(re.match(r"\s*(?:a\.?m\.?|p\.?m\.?|o'clock)", text[m.end() :], re.I))


def _numbers(text: str) -> list[tuple[str, str, int, int]]:
    """(as written, key, start, end) of every figure in ``text``: not a year or a date, and not a number
    that is part of a compound word ("a 30-year fixed mortgage", "a 7.0-magnitude quake", "the
    24-hour strike"): that names a kind of thing, not how many; taken as the answer's figure, "an earlier
    report said 20" was set against "a 30-year" rate."""
    out = []
    for m in _NUMBER.finditer(text):
        if _is_date_number(text, m) or (not m.group("pct") and re.match(r"-[^\W\d_]", text[m.end():])):
            continue
        key = _number_key(m)
        if key is not None:
            written = m.group(0).strip()
            out.append((written.lower() if written[:1].isalpha() else written, key, m.start(), m.end()))
    return out


def has_figure(text: str) -> bool:
    """Whether ``text`` states a figure (a count, amount, rate; not a year, a day of the month or a time)."""
    return bool(_numbers(text))


def _names(text: str) -> list[tuple[str, str, int, int]]:
    out = []
    for m in _NAME.finditer(text):
        words = m.group(0).rstrip(".").strip()
        if m.start() == 0 and " " not in words and words.lower() in _LOWER_OPENERS | {"it", "he", "she", "they"}:
            continue
        out.append((words, words.lower(), m.start(), m.start() + len(words)))
    return out


def _near_terms(text: str, start: int, end: int) -> set[str]:
    left = " ".join(text[:start].split()[-NEAR:])
    right = " ".join(text[end:].split()[:NEAR])
    return _same_words(terms(left)) | _same_words(terms(right))


def _context(text: str, start: int, end: int) -> set[str]:
    return _same_words(terms(text[:start] + " " + text[end:]))


def _same_words(stems: Sequence[str]) -> set[str]:
    """``stems`` with a toll's words as one word (``DEATH_WORDS``): "the death toll ... had reached 12" and "At
    least 18 people have died" count the same dead (new user 18: the newer 18 was not seen as disagreeing)."""
    return {"†death" if t in DEATH_WORDS else t for t in stems}


# a unit of measure right after a figure: "90 *seconds*", "3.6 *miles*"
_UNIT_WORD = re.compile(r"\s+(seconds?|minutes?|hours?|days?|weeks?|months?|years?|miles?|feet|foot|inches|inch|yards?|"
                        r"meters?|metres?|kilometers?|kilometres?|km|mph|pounds?|tons?|tonnes?|gallons?|barrels?|"
                        r"degrees?|acres?|hectares?)\b", re.I)
_COUNTED = frozenset(terms("people persons"))


def _unit_of(text: str, end: int) -> str | None:
    m = _UNIT_WORD.match(text, end)
    return m.group(1).lower().rstrip("s") if m else None


def _topic(q: Question, as_of: date | None) -> set[str]:
    """What the question is about: its words but its time ("latest", "this week") and what it counts ("death
    toll", "people"), which every sentence giving such a figure says."""
    text = q.text
    window = understand(text, as_of) if as_of is not None else None  # without a date, the time stays in
    if window is not None and window.phrase:
        text = text.replace(window.phrase, " ")
    counted = asked_noun(text) or ""
    return _same_words([t for t in terms(text) if t not in _COUNTED and t not in terms(counted)]) - {"†death"}


def _slot(sentence: str, short_answer: str | None,
          given: frozenset[str] = frozenset()) -> tuple[str, str, int, int, str] | None:
    """The value the answer states: the short answer if it is in the sentence, else its first figure that
    the question does not give (``given``: keys; "Now that gas has slipped under $4 a gallon, what is the
    national average?" does not ask the $4). Returns (as written, key, start, end, kind)."""
    if short_answer:
        i = sentence.find(short_answer)
        if i >= 0:
            nums = [n for n in _numbers(sentence) if n[2] <= i + len(short_answer) and i <= n[3]]
            if nums:
                return (*nums[0], "number")
            return short_answer, short_answer.lower(), i, i + len(short_answer), "name"
    nums = [n for n in _numbers(sentence) if n[1] not in given]
    # not a span of time ("For the past two years the Doomsday Clock has stood at 100 seconds to midnight": the
    # clock's figure is 100, new user 18), unless the sentence states no other figure
    counts = [n for n in nums if not _SPAN_OF_TIME.match(sentence, n[3])]
    return (*(counts or nums)[0], "number") if nums else None


def find_disagreement(sentence: str, answer_n: int, passages: Sequence[Passage],
                      short_answer: str | None = None, as_of: date | None = None,
                      q: Question | None = None) -> Disagreement | None:
    """Whether another dated passage states a different value for what ``sentence`` (the answer,
    from passage ``answer_n``) says; None when none does, or the answer's passage is undated.

    With ``as_of``, passages published after it take no part: "As of <date>" must not present a
    figure the question's reference date could not have known as the newest (the retrieval prior
    ranks such passages last, but keeps them when nothing earlier is on topic).

    A different value is one of the same sort: a figure with the same unit (a share is no amount of
    money), a name that shares no word with the answer's ("Sunak" is "Rishi Sunak"), in a sentence
    that does not also state the answer's own value ("the British pound hit a record low" agrees with
    "Pound at record low"). With the question ``q``, it must also be a phrase of the type it asks for
    (``rag.short_answer.candidates``), bound to what it counts when the answer's figure is ("201
    votes" is not contradicted by "19 Republicans")."""
    by_n = {p.n: p for p in passages}
    own = by_n.get(answer_n)
    own_date = published_day(own) if own else None
    if own is None or own_date is None or (as_of is not None and own_date > as_of):
        return None
    given = frozenset(k for _, k, _, _ in _numbers(q.text)) if q is not None else frozenset()
    slot = _slot(sentence, short_answer, given)
    if slot is None:
        return None
    value, key, a, b, kind = slot
    own_span = next((sp for s, sp in _sentences(own) if s.strip() == sentence.strip()), (own.start, own.end))
    mine = Mention(own, own_date, sentence, own_span, value, key)
    near, context = _near_terms(sentence, a, b), _context(sentence, a, b)
    if not context:
        return None
    asked = _Asked.of(q, sentence, a, b)
    # the answer's figure bound to what the question counts ("the death toll ... rose to 14" for "What is the latest
    # death toll?"): another bound to it counts the same, whatever words stand next to it ("At least 18 people have
    # died", new user 18); the sentences must still be about the same thing (MIN_CONTEXT)
    bound = kind == "number" and asked.bound
    topic = _topic(q, as_of) if kind == "number" and q is not None else set()
    scope = _scope(sentence, b)
    # a toll only rises: of one day, the higher is the later (unless the question asks for an earlier one)
    toll = kind == "number" and _counts_dead(sentence, b) and not _BEFORE_NOW.search(sentence) \
        and not (q is not None and EARLIER_TOLL_ASKED.search(q.text))
    own_event = bool(_THAT_EVENT.search(sentence))  # the answer tells of "that storm" too: no other event's
    others: list[Mention] = []
    for p in passages:
        d = published_day(p)
        if p.n == answer_n or d is None or (d == own_date and not toll) or (as_of is not None and d > as_of):
            continue
        if p.article_id == own.article_id:
            continue  # one article's other figures are other facts, no other report: "29 who died were in the city of
            # Buffalo" is part of its 37 dead in Erie County, "the death toll in that storm was 23" a 1977 blizzard's
            # (new user 33 was told "another report of the same day said 23", both citations of one article)
        for s, span in _sentences(p):
            values = _numbers(s) if kind == "number" else _names(s)
            if _states(s, values, value, key, kind):
                continue  # it says the answer's value too: no disagreement
            for v, k, sa, sb in values:
                if k == key or not _same_sort(value, v, kind) or not asked.fits(s, sa, sb):
                    continue
                if d == own_date and (not _counts_dead(s, sb) or _BEFORE_NOW.search(s)):
                    continue  # of the same day, only a toll is told apart (the higher is the newer), not one of
                    # another time ("a magnitude 6.4 quake less than a week ago that killed 16 people")
                if kind == "number" and not own_event and _THAT_EVENT.search(s):
                    continue  # "The death toll in that storm was 23 people": an event the article told of before
                if kind == "number" and _named_otherwise(s, sa, sentence, q):
                    continue  # "... like Ian did in late September before killing at least 120": another storm's
                if kind == "number" and (where := _scope(s, sb)) and where != scope \
                        and (scope or where not in sentence.lower()):
                    # a figure for another place: 54 dead "in Lee County" is no earlier 109 "in the United States";
                    # nor five "In Lee County, ..." an earlier 101 "killed in Florida by Hurricane Ian"
                    continue
                their_near = _near_terms(s, sa, sb)
                if kind == "number" and not bound and not (near & their_near):
                    continue  # "four people" vs "2 buildings": not the same figure
                if kind == "name" and len(near & their_near) < min(2, len(near)):
                    continue
                theirs = _context(s, sa, sb)
                shared = len(context & theirs) / len(context)
                # a figure bound to what the question counts, or counting what the answer's does ("90 seconds to
                # midnight"), in a sentence on what the question is about ("At least 18 people have died in the
                # wave of the storms" for the latest death toll from the wave of California storms), whatever else
                # the answer's longer sentence says around its own (new user 18)
                units = (_unit_of(sentence, b), _unit_of(s, sb))
                same = units[0] == units[1] if None not in units else bound  # not "200 feet" tall for "3.6 miles" away
                if shared >= MIN_CONTEXT or (same and topic and len(topic & theirs) >= MIN_TOPIC * len(topic)):
                    others.append(Mention(p, d, s, span, v, k))
                    break
    if not others:
        return None
    def later(m: Mention) -> tuple[date, float]:  # of one day, the higher toll (only tolls of one day are here)
        return m.published, float(m.key.rstrip("%")) if toll else 0.0
    newest_other = max(others, key=later)
    found = Disagreement(newest=newest_other, earlier=mine) if later(newest_other) > later(mine) else \
        Disagreement(newest=mine, earlier=max(others, key=later))
    if _POINTS_BACK.match(found.newest.sentence):
        return None  # "That's how many seats ...": its figure is the sentence before's, which is not quoted
    return found


# an event pointed back to ("that storm", "that year"): one the article named before, not the one asked about
_THAT_EVENT = re.compile(r"\b(?:that|the previous)\s+(?:storm|blizzard|hurricane|typhoon|cyclone|"
                         r"quake|earthquake|flood|floods|fire|wildfire|attack|shooting|crash|disaster|outbreak|"
                         r"pandemic|war|season|year|decade|election|race|tournament)\b", re.I)
_BEFORE_NOW = re.compile(r"\b(?:ago|earlier|previous|previously|last\s+(?:week|month|year))\b", re.I)


def _counts_dead(sentence: str, end: int) -> bool:
    """Whether the figure ending at ``end`` counts the dead: a word of death (``DEATH_WORDS``) within the next few
    words ("at least four people have been killed", "killed at least five people" reads the words before it too)."""
    near = set(terms(sentence[end : end + 40])) | set(terms(sentence[max(0, end - 40) : end]))
    return bool(near & DEATH_WORDS)


def _states(sentence: str, values: Sequence[tuple[str, str, int, int]], value: str, key: str, kind: str) -> bool:
    """Whether ``sentence`` states the answer's own value (its figure, or its name in any case): not as the
    value it changed from ("moved forward from 100 seconds to midnight to 90 seconds" disagrees with 100)."""
    if kind == "number":
        return any(k == key and not changed_from(sentence, a, b) for _, k, a, b in values)
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", sentence, re.I) is not None


def _unit(written: str) -> str:
    return "%" if re.search(r"%|percent", written, re.I) else "$" if written.startswith("$") else ""


def _same_sort(own: str, other: str, kind: str) -> bool:
    """Whether ``other`` can contradict ``own``: a figure in the same unit, a name sharing no word with it."""
    if kind == "number":
        return _unit(own) == _unit(other)
    return not set(terms(own)) & set(terms(other))


@dataclass(frozen=True)
class _Asked:
    """What the question asks for, to test another sentence's value against (no question: anything fits)."""

    q: Question | None = None
    bound: bool = False  # the answer's figure is bound to what a how-many question counts

    @classmethod
    def of(cls, q: Question | None, sentence: str, start: int, end: int) -> _Asked:
        if q is None or not wanted_type(q):
            return cls()  # "Where does the Doomsday Clock stand now?" types no phrase: any figure may answer it
        own = [c for c in candidates(q, sentence) if c.start < end and start < c.end]
        return cls(q, any(c.bound for c in own))

    def fits(self, sentence: str, start: int, end: int) -> bool:
        if self.q is None:
            return True
        return any(c.start < end and start < c.end and (c.bound or not self.bound)
                   for c in candidates(self.q, sentence))


def day_label(d: date, ref: date | None) -> str:
    """ "1 December", with the year when it is not ``ref``'s (or without ``ref``)."""
    text = f"{d.day} {d.strftime('%B')}"
    return text if ref is not None and d.year == ref.year else f"{text} {d.year}"


def compose(d: Disagreement, as_of: date | None = None) -> str:
    """``As of <newest date>, <newest sentence> [n]; an earlier report said <earlier value> [m].``
    The year is shown when it is not ``as_of``'s (or the newest date's own, without one)."""
    body = d.newest.sentence.strip()
    body = re.sub(r"[.!?]+[\"'”’)]*$", "", body).strip()
    body = re.sub(r"^As of [^,]{1,40},\s*", "", body)  # "As of Tuesday, ...": the composition dates it already
    # a connective ties the sentence to one before it that the answer does not quote: "As of 8 December,
    # Meanwhile, the average rate ..." reads as a slip
    body = _CONNECTIVE.sub("", body)
    first = body.split(" ", 1)[0]
    # "As of 16 August, gas prices have fallen ...": a common word, lower case after the comma; a word
    # the article writes in lower case elsewhere is one ("Gas" of "gas prices"), a name is not
    if first.lower() in _LOWER_OPENERS or (first[1:].islower() and re.search(
            rf"\b{re.escape(first.lower())}\b", d.newest.passage.text)):
        body = first.lower() + body[len(first):]
    ref = as_of or d.newest.published
    earlier = "another report of the same day" if d.earlier.published == d.newest.published else "an earlier report"
    return (f"As of {day_label(d.newest.published, ref)}, {body} [{d.newest.passage.n}]; "
            f"{earlier} said {d.earlier.value} [{d.earlier.passage.n}].")


def citation(m: Mention) -> Citation:
    """The citation of a mention's sentence (exact article text and span, like ``rag.verify``'s)."""
    p = m.passage
    a, b = m.span
    return Citation(p.n, p.article_id, p.title, p.source, p.published, p.text[a - p.start : b - p.start], a, b,
                    author=p.author)


def reconcile(text: str, citations: Sequence[Citation], passages: Sequence[Passage],
              short_answer: str | None = None, as_of: date | None = None,
              q: Question | None = None) -> tuple[str, tuple[Citation, ...]]:
    """A verified answer (``rag.verify``'s text and citations) with its first claim rewritten by
    :func:`compose` when a passage of another date disagrees with it, plus the citations the new text
    needs; ``(text, citations)`` unchanged otherwise. Later claims that cite the newest or the earlier
    report are dropped: the composition states both.

    Run it *after* verification: the composition is not a quote (it adds "As of <date>"), but every
    part of it is grounded: the newest sentence and the earlier value are verbatim passage text with
    their own citations, and the dates are the passages' ``published`` dates."""
    m = MARKER_RUN.search(text)  # the first claim's markers (with the space before them)
    if m is None:
        return text, tuple(citations)
    n = marker_numbers(m.group(0))[0]
    quoted = next((c for c in citations if c.n == n), None)
    sentence = quoted.quote if quoted is not None else text[: m.start()].strip()
    found = find_disagreement(sentence, n, passages, short_answer, as_of, q)
    if found is None:
        return text, tuple(citations)
    log.info("passages [%d] (%s) and [%d] (%s) disagree: %r vs %r", found.newest.passage.n, found.newest.published,
             found.earlier.passage.n, found.earlier.published, found.newest.value, found.earlier.value)
    composed = compose(found, as_of)
    both = {found.newest.passage.n, found.earlier.passage.n}
    first_end = re.search(r"[.!?]+[\"'”’)]*", text[m.end() :])
    rest = text[m.end() + first_end.end() :] if first_end and first_end.start() == 0 else text[m.end() :]
    tail = [c.strip() for c in re.findall(r".+?(?:\[\d+\])+[.!?]*", rest)
            if not both & set(marker_numbers(c))]
    needed = [citation(found.newest), citation(found.earlier)]
    kept = [c for c in citations if c.n not in both or any(c.n == x.n and c.start == x.start for x in needed)]
    out = tuple(dict.fromkeys([*needed, *kept]))
    return " ".join([composed, *tail]), out
