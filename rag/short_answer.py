"""The answer, not only the sentence: the short phrase of the asked-for type inside the cited sentence.

For "how many/much" a number phrase ("at least four", "£1.2bn", "around four million", "45 days"
when the question counts days), for "when" a date or day ("Friday night", "2016", "1 December"), for "who/where/which <thing>" a proper name
the question does not already contain ("Khansir", "Hyat Tahrir al Sham"). When the sentence holds
several, the one nearest the question's own words wins ("killed ... at least four" rather than
"dozens injured"), except that a number followed by the thing a how-many question counts wins
outright ("how many jobs": "400,000 jobs" over a nearer "60%") and a specific date beats a weekday
or "this year". A question opening with "who" wants a name even when it says "when" later. When
none fits, there is no short answer: never a guess. (On the tuning slices these rules moved the
short answer's correctness from 0.32 to 0.49 on the BBC paraphrase suite, 0.33 to 0.35 on RealTime
QA and 0.38 to 0.40 on SQuAD, Nov 2026.)

Those rules (``find``, ``extract``) serve the sentence ranker's features and the newest-statement
path. The short answer an answer leads with is chosen by a fitted phrase ranker (``PhraseModel``,
``PHRASE_FEATURES``, ``python -m evals.fit_phrases``) among the ``candidates`` of the best-ranked
sentences: besides nearness it weighs the kind of name asked (``name_kind``, ``phrase_kind``: a
state for "which state", a person for "which analyst"), a number's unit, a full date, and other
articles saying the same (tuning slices, who/when/where/how-many questions: RealTime QA 0.44 ->
0.52, BBC 0.54 -> 0.61 right, Nov 2026).

>>> from rag.evidence import prepare
>>> extract(prepare("Which town did the rebels capture?"), "Rebels said they captured the town of Khansir on Sunday.")
('Khansir', 38, 45)
>>> extract(prepare("How many people were killed?"), "At least four people were killed and dozens injured.")
('At least four people', 0, 20)
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from rag.confidence import focus_terms
from rag.errors import ConfigError
from rag.evidence import MONTHS, NUM_WORDS, Question, terms
from rag.text import (
    ASKS_NUMBER, LOWER_WORD, PERSON_NOUNS, STOPWORDS, WHAT_IS_WHOSE, WHAT_PAID, answer_type, asks_who_named_is,
    undotted,
)
from rag.types import published_day

# "no less than five games" is at least five, not fewer: a negation is part of the figure, as are "a few"
# and "several" before a scale word ("a few hundred thousand votes")
_QUALIFIER = (r"(?:(?:(?:no|not)\s+(?:more|less|fewer)\s+than|at least|at most|about|around|almost|nearly|more than|"
              r"less than|fewer than|over|under|some|up to|roughly|approximately|only|just|a few|several|a couple of)"
              r"\s+)?")
_NUMWORD = r"(?:" + "|".join(sorted(NUM_WORDS.split(), key=len, reverse=True)) + r")\b"  # not "ten" of "tenure"
# units longest first and closed by a word boundary: "7 million miles" is "7 million", not "7 m"
# ("$4-billion purchase": a scale word may be joined by a hyphen; new user 22 got a bold "$4")
_UNIT = r"(?:[\s-]?(?:billion|million|trillion|thousand)\b|\s?(?:per ?cent|percent|bn|tn|m|k)\b|%|p\b(?!\.m))"
_AMOUNT = (
    rf"(?:(?<![\w£$€])[£$€]|\b)\d[\d,]*(?:\.\d+)?{_UNIT}?"
    rf"|\b{_NUMWORD}(?:[\s-]+(?:and\s+)?{_NUMWORD})*(?:\s+per ?cent)?"
)
NUMBER_PHRASE = re.compile(rf"(?:\b{_QUALIFIER})?(?:{_AMOUNT})(?:\s+(?:euros?|dollars?|pounds?|yen|(?:basis\s+)?points?))?",
                           re.I)  # "75 basis points": a rate's rise ("19 percentage points" is read as a share)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = "(?:" + "|".join(MONTHS.split()) + ")"
DATE_PHRASE = re.compile(
    rf"\b(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?"
    rf"|{_DAY}(?:\s+(?:night|morning|afternoon|evening))?|(?:1[5-9]|20)\d\d(?:s)?|(?:last|next|this)\s+(?:week|month|year|{_MONTH}|{_DAY}))\b",
    re.I,
)
# capitalised words joined by spaces or name particles: "Hyat Tahrir al-Sham", "Bank of England"
_INITIALS = r"(?:[A-Z]\.\s?){1,3}(?!(?:The|A|An|It|He|She|They|We|This|That|In|On|At|But|And)\b)(?=[A-Z])"
_DOTTED = re.compile(r"(?:[A-Z]\.)+[A-Z]")  # an abbreviation NAME_PHRASE ends before its last dot: "U.K", "D.C"
NAME_PHRASE = re.compile(  # initials first: "E. Jean Carroll", "J. K. Rowling"; "Chick-fil-A", "M&M's", "Lord of the Rings"
    rf"\b(?:{_INITIALS})?"
    r"[A-Z][\w'’]*(?:(?:(?:-[a-z]+)?-[A-Z][\w'’]*)|(?:\s?&\s?[A-Z][\w'’]*)|(?:(?:\s+|-)(?:(?:of the|de la|van der|von der|al|el|bin|ibn|de|del|der|van|von|of|the|la|le|du)(?:\s+|-))?[A-Z][\w'’]*))*"
)
# titles written before a name ("Mr", "Gov.", "Coach"): ``_TITLES`` and ``_LEADING_TITLE`` add their own
_TITLE_WORDS = ("Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|Prof|President|Senator|Sen|Rep|Gov|Governor|Mayor|Judge|"
                "Justice|Chancellor|Minister|Secretary|Coach|Captain|Chief")
NAME_NEAR = 40  # characters: of several names in a sentence, the nearest to the question's words wins only this close
_WORD = re.compile(r"\w+")


def extract(q: Question, sentence: str) -> tuple[str, int, int] | None:
    """(phrase, start, end) inside ``sentence`` answering ``q``'s type; None when no phrase fits."""
    found = find(q, sentence)
    return bare(found[1]) if found else None


def bare(short: tuple[str, int, int]) -> tuple[str, int, int]:
    """A short answer without its possessive: "Japan" for "Japan's imports" (not "McDonald's", whose
    own it is). Applied to the answer given, not to the candidates ranked: the fitted phrase model
    learnt on phrases as written (stripped before it, "Bills" and "Mafia" of "Buffalo Bills" and
    "Three 6 Mafia" passed its bar, 3 RealTime QA answers wrong)."""
    phrase, start, end = short
    owns = _POSSESSIVE.search(phrase)
    if not owns or phrase.split()[-1].lower() in _POSSESSIVE_NAME:
        return short
    return phrase[: owns.start()], start, start + owns.start()


@dataclass(frozen=True)
class Candidate:
    """A phrase of the asked-for type in a sentence, with what the rules (and the fitted phrase
    ranker, ``PhraseModel``) weigh: how near it is to the question's words, whether it is bound to what a
    how-many question counts, whether a date is specific."""

    phrase: str
    start: int  # offsets inside the sentence
    end: int
    distance: int  # characters to the nearest question word (the sentence's length when none)
    bound: bool  # a number followed by the thing a how-many question counts ("400,000 jobs")
    vague: bool  # a date that is only a weekday or "this year"


def candidates(q: Question, sentence: str) -> list[Candidate]:
    """Every phrase of ``q``'s asked-for type in ``sentence`` that the question does not already
    contain, in sentence order (none when the question asks for no such type). A how-many question's
    candidate that counts something else ("18 countries" for "how many staff") is none."""
    found = _candidates(q.text, q.stems, q.atype, sentence)
    if not COUNTED.active or not found or not counts(q.text):
        return list(found)
    return [c for c in found if not counts_other(q.text, sentence, c)]


NOUNS_FITTED = Path(__file__).resolve().parent / "fitted" / "nouns.json"


class CountedNouns:
    """Whether the noun after a number ("18 *countries*") is the thing a how-many question counts
    ("how many *staff*"): the same word, or one whose embedding's cosine with it reaches the fitted
    ``threshold`` (``rag/fitted/nouns.json``, ``python -m evals.fit_nouns``: "65 lives" for deaths,
    "12 civilians" for people). The embedder is the one the offline answerer is given (``using``,
    per call and thread: ``RAG`` gives it the bundled model's); outside it every noun is taken for
    the asked one."""

    def __init__(self, path: Path = NOUNS_FITTED) -> None:
        self.path = path
        self._embed: ContextVar[Any] = ContextVar("counted_nouns_embed", default=None)
        self._threshold: float | None = None
        self._cosines: dict[tuple[str, str], float] = {}  # one model per process: words -> cosine

    @contextmanager
    def using(self, embed: Any) -> Iterator[None]:
        token = self._embed.set(embed)
        try:
            yield
        finally:
            self._embed.reset(token)

    @property
    def active(self) -> bool:
        return self._embed.get() is not None

    @property
    def threshold(self) -> float:
        if self._threshold is None:
            try:
                self._threshold = float(json.loads(self.path.read_text(encoding="utf-8"))["threshold"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f"cannot read the fitted counted-noun threshold {self.path} ({exc}); "
                                  "reinstall, or refit with `python -m evals.fit_nouns`") from exc
        return self._threshold

    def cosine(self, a: str, b: str) -> float:
        key = (a.lower(), b.lower())
        if key not in self._cosines:
            if len(self._cosines) > 10_000:
                self._cosines.clear()
            v = self._embed.get()(list(key))
            self._cosines[key] = float(np.dot(v[0], v[1]))
        return self._cosines[key]

    def other(self, asked: str, noun: str) -> bool:
        """Whether ``noun`` counts something other than ``asked``."""
        if not self.active or set(terms(noun)) & set(terms(asked)):
            return False
        return self.cosine(asked, noun) < self.threshold


COUNTED = CountedNouns()


def counted_noun(sentence: str, end: int) -> str | None:
    """The noun a number ending at ``end`` counts, with one word before it ("3 million *retail
    customers*", "18 *countries*"); None when no plural noun follows at once ("killing 12 in ...")."""
    words = _COUNTED.match(sentence, end)
    if not words:
        return None
    picked: list[str] = []
    for w in words.group(1).split():
        picked.append(w)
        if _plural(w):
            return " ".join(picked)
    return None


def _plural(word: str) -> bool:
    w = word.lower()
    return w in _PLURALS or (len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")))


def counts_other(question: str, sentence: str, c: Candidate) -> bool:
    """Whether candidate ``c`` of a how-many question counts something other than what is asked:
    the plural noun after it is neither the asked one ("how many *staff*") nor like it by the
    embedding ("18 countries", "3 million retail customers"; not "65 lives" for deaths)."""
    if c.bound or not COUNTED.active:
        return False
    asked = asked_noun(question)
    noun = counted_noun(sentence, c.end)
    return bool(asked and noun) and COUNTED.other(asked, noun)


@lru_cache(maxsize=1024)  # asked once a candidate of every ranked sentence
def asked_noun(question: str) -> str | None:
    """The words a how-many question counts: "how many *rebel fighters*", "how many *staff*"."""
    m = _HOW_MANY_NOUN.search(asking_sentence(question) or question)
    if not m:
        return None
    focus = focus_terms(m.group(0))
    words = [w for w in m.group(1).split() if set(terms(w)) & focus]
    plural = next((i for i, w in enumerate(words) if _plural(w)), len(words) - 1)
    return " ".join(words[: plural + 1]) or None  # "how many staff work ...": "staff"


_HOW_MANY_NOUN = re.compile(r"\bhow many\s+([a-z'’-]+(?:\s+[a-z'’-]+)?)", re.I)
# up to two lowercase words right after a number, past its scale ("3 million retail customers")
_COUNTED = re.compile(r"(?:\s+(?:more|extra|new|additional|other|million|billion|thousand|bn|m))*"
                      r"\s+([a-z][a-z'’-]+(?:\s+[a-z][a-z'’-]+)?)")
_PLURALS = frozenset("people men women children staff police cattle personnel feet teeth mice sheep fish deer "
                     "aircraft crew troops".split())


# a person named by a title ("Pope Benedict", "President Biden", "King Charles")
_TITLE_NAME = re.compile(rf"\b((?:{_TITLE_WORDS}|Pope|King|Queen|Prince|Princess|Prime Minister)\.?)\s+([A-Z][\w'’-]+)")


def _titled_other(question: str, sentence: str) -> bool:
    """Whether ``sentence`` gives a title the question gives someone ("Pope Benedict XVI") to someone else ("the
    funeral for Pope John Paul II in 2005 drew an estimated 4 million people") and never names the question's
    one: its figures are the other's (new user 24: Benedict's funeral, not yet held, was answered with John Paul
    II's crowd)."""
    named = set(terms(sentence))
    for title, name in _TITLE_NAME.findall(question):
        if set(terms(name)) & named:
            continue
        if any(t == title and set(terms(other)) - set(terms(name)) for t, other in _TITLE_NAME.findall(sentence)):
            return True
    return False


# an event told as not yet decided or done: "declined to say Friday if he plans to sign it", "whether he will sign it",
# "is expected to sign", "has yet to sign"
_UNDECIDED = re.compile(r"\b(?:(?:whether|if)\s+(?:or\s+not\s+)?(?:[\w'’-]+\s+){0,3}?(?:will|would|plans?\s+to|"
                        r"intends?\s+to|is\s+going\s+to|wants?\s+to|can|could|should)|(?:is|are|was|were)\s+"
                        r"(?:expected|set|due|scheduled|poised|likely|unlikely)\s+to|(?:has|have|had)\s+yet\s+to|"
                        r"(?:plans?|planned|intends?|intended|hopes?|hoped|vowed|promised|threatened)\s+to)\s+([a-z]+)\b",
                        re.I)


_PAST_ASKED = re.compile(r"\b(?:did|was|were|has|have|had)\b", re.I)  # a question asking when a thing was done


def _undecided(question: str, sentence: str) -> bool:
    """Whether ``sentence`` tells the event a when-question asks about (its verb: a word of the question's asking
    sentence) only as one not yet decided or done ("... declined to say Friday if he plans to sign it into law"
    for "On what date did he sign it?"): a date in it dates something else."""
    asking = asking_sentence(question) or question
    if not _PAST_ASKED.search(asking):
        return False  # "When will he sign it?": "is expected to sign it next week" answers it
    asked = set(terms(asking))
    frames = [m for m in _UNDECIDED.finditer(sentence) if set(terms(m.group(1))) & asked]
    if not frames:
        return False
    inside = {i for m in frames for i in range(m.start(1), m.end(1))}
    verbs = {w for m in frames for w in terms(m.group(1))} & asked
    told = [m for m in _WORD.finditer(sentence) if m.start() not in inside and set(terms(m.group(0))) & verbs]
    return not told  # the verb nowhere else: "signed it on Friday after vowing to sign it" tells it done


@lru_cache(maxsize=4096)  # an answer asks for a sentence's candidates up to 3 times: 12.9 -> 10.3 ms an answer
def _candidates(text: str, stems: tuple[str, ...], atype_of_text: str, sentence: str) -> tuple[Candidate, ...]:
    q = Question(text, stems, {}, atype_of_text, ())
    atype = wanted_type(q)
    if atype == "number":
        if _titled_other(text, sentence):
            return ()  # "How many people attended Pope Benedict XVI's funeral?": not John Paul II's "4 million people"
        pattern = NUMBER_PHRASE
    elif atype == "date":
        if _undecided(text, sentence):
            return ()  # "On what date did Gianforte sign the TikTok ban?": not "Friday" of "who declined to say Friday
            # if he plans to sign it into law" (new user 32's bold **Friday (14 April 2023)**: it was not signed yet)
        pattern = DATE_PHRASE
    elif atype == "name":
        pattern = NAME_PHRASE
    else:
        return ()
    if atype == "name" and _WHO_IS_NAMED.match(asking_sentence(text) or text):
        return ()  # "Who is Bob Iger?": who he is, in words; another name is no answer
    qstems = set(q.stems)
    own = _own_words(text, q.stems)
    focus = counted_focus(q.text) if atype == "number" else set()
    # "the death toll", "how many did the storm kill": a count of the dead, not a population nor the rescued
    toll = atype == "number" and bool(_TOLL.search(text) or (counts(text) and _asks_the_dead(text)))
    hurt_asked = toll and bool(_HURT_ASKED.search(text))  # "how many died": not "injured more than 150 people"
    measure = _how_measure(q.text) if atype == "number" else None
    # a how-many question counts things: an amount of money is no count of them
    counting = atype == "number" and bool(focus) and counts(text) and not focus & _MONEY_WORDS
    money = atype == "number" and asks_money(text)
    measured = _measure_asked(text) if atype == "number" else None
    percent = atype == "number" and asks_percent(text)
    amount = atype == "number" and _HOW_MUCH_THING.search(text) is not None
    current = atype == "number" and bool(_CURRENT.search(text))  # what the figure is now
    # "By how many people did China's population shrink?": the change ("a drop of 850,000"), not a level ("had
    # 1.41175 billion people", new user 22's bold answer; "In 1750, it had a population of 225 million")
    change = atype == "number" and bool(_CHANGE_ASKED.search(text))
    earlier = atype == "number" and bool(_EARLIER_ASKED.search(text))  # "rose from how many", "before the cut"
    asked = _ASKED.search(text.lower()) if atype == "name" else None  # "which *disease*", "which *novel*"
    asked_nouns = set(terms(asked.group(1))) & _KIND_NOUNS if asked else set()
    asked_named_kind = asked_nouns & _NAMED_KINDS
    anchors = [(m.start(), m.end()) for m in _WORD.finditer(sentence) if set(terms(m.group(0))) & qstems]
    # "Who is the chief executive of Pernod Ricard?": a person holding a post, so only a name beside a
    # post ("boss Patrick Ricard", "Ricard, its chairman") is one; not "Allied Domecq" of a sentence on
    # a takeover that names no post at all
    asked_posts = _posts_asked(text) if atype == "name" else frozenset()
    # a post of another owner than the question's is not the one asked: "The basketball player's wife Cherelle
    # Griner" for "Who is Joe Chahayed's wife?", "Chelsea's manager" for "Who is Arsenal's manager?"
    posts = [(m.start(), m.end()) for m in _WORD.finditer(sentence) if (post := set(terms(m.group(0)))) & asked_posts
             and not _owned_by_another(sentence[max(0, m.start() - 40) : m.start()], qstems, bool(post & _KIN))] \
        if asked_posts else None
    # a question asking for a person: it opens with "who", or asks "the name of the gunman" (not name_kind's
    # reading of "which country's lawmakers" or of a relative "which Pentagon officials said")
    countries_act = _country_acts(text)
    person_asked = atype == "name" and bool(_WHO_OPENS.match(asking_sentence(text) or text)
                                            or _NAME_OF_PERSON.search(text) or _WHICH_OF_KIN.search(text))
    named_person = atype == "name" and bool(_NAME_OF_PERSON.search(text))
    extended = _names_extended(text) if person_asked else ()
    asked_head = _asked_head(text) if atype == "name" else frozenset()  # "which *contractor*", "who chairs"
    possessed = set(terms(m.group(1))) if atype == "name" and (m := _WHICH_OWNERS.search(text)) else set()
    described = _described_words(text, asked_head) if atype == "name" else frozenset()
    negated = bool(_NEGATION_ASKED.search(text))  # "Which city lost out?" may be answered by "not Blackpool"
    if atype == "name" and _other_sex(text, sentence):
        return ()  # "Which music superstar announced she will ...?": not "Garth Brooks confirmed ... that he'll embark ..."
    claimed = () if _CLAIM_ASKED.search(text) else claimed_spans(sentence)
    claimed += tuple((m.start(), m.end()) for m in _SUPPOSED.finditer(sentence))
    out: list[Candidate] = []
    # "At least 125 people have been reported killed – 120 of them in Florida and five in North Carolina":
    # the count of the place asked ("in North Carolina") is the one, not the total nor another place's
    asked_part = (counting or toll) and _lists_asked_place(sentence, qstems)
    rivals = _rival_clauses(text, sentence) if atype == "number" else ()
    for m in pattern.finditer(sentence):
        phrase = m.group(0).strip(" ,")
        start = m.start() + m.group(0).index(phrase) if phrase else m.start()
        if atype == "name" and _DOTTED.fullmatch(phrase) and sentence.startswith(".", start + len(phrase)):
            phrase += "."  # "the U.K." whole, as the articles and answers write it (not "U.K")
        # first in its sentence, maybe after a quote mark, or in a clause after a colon ("... on Monday
        # morning: First, they fired ...": no name "First")
        initial = not sentence[:start].strip(_OPENING) or sentence[:start].rstrip().endswith(":")
        if atype == "name" and initial and " " in phrase and _opens(phrase.split()[0], sentence[start:]):
            rest = phrase.split(None, 1)[1]  # "Although Sotherton's", "Upon Kennedy's": the opener is no part of it
            start, phrase = start + len(phrase) - len(rest), rest
        if not phrase or not re.search(r"\w", phrase):
            continue
        if any(a <= start < b for a, b in claimed):
            continue  # "The claim that Denmark is ranked the happiest country ... is rated PARTLY FALSE": what a fact
            # check debunks, no answer (the RealTime QA answer **Denmark** to "Which country was named the world's
            # happiest ...?")
        if atype == "name" and initial and phrase.lower() in _CLOSED_OPENERS:
            continue  # "Whoever won the $2.04 billion Powerball jackpot ...": no name (new user 10)
        if atype == "name" and initial and phrase.lower() in _COMMON_NOUN_WORDS \
                and re.match(r"\s+[a-z]", sentence[start + len(phrase) :]):
            continue  # "Team owner Arte Moreno announced ...": a common noun opening the sentence (new user 21's
            # "Who has made an offer to buy the Angels?" was answered **Team**)
        if atype == "name" and (day := _TRAILING_DAY.search(phrase)) and " " in phrase[: day.start()]:
            # "the sale of the Denver Broncos Tuesday": the team, not "... Tuesday"; a name of two words
            # may end in one ("Jeff Saturday", the Colts' interim coach)
            phrase = phrase[: day.start()]
        end = start + len(phrase)
        if atype == "name":
            if initial and " " not in phrase and _opens(phrase, sentence[start:]):
                continue
            if sentence[start - 1 : start] == "(" and phrase.isupper() and sentence[end : end + 1] == ")":
                if start <= 1 or _TAG_END.match(sentence, end):
                    continue  # "(CNN) The FBI ...", "Seoul (CNN) - ...": the source's tag
                named = _NAMED_BEFORE.search(sentence, 0, start)
                if named and set(terms(named.group(1))) <= qstems:
                    continue  # "Business Software Alliance (BSA)": the question's own, abbreviated
            head, joined, _ = phrase.partition(" of the ")
            if joined and head.lower() in PLACES:  # "... to Ukraine of the Patriot system": two names
                phrase, end = head, start + len(head)
            owner = _PLACE_OWNS.match(phrase)
            if owner and owner.group(1).lower() in PLACES:  # "Russia's OAO Mobile Telesystems": the firm
                start += owner.end()
                phrase = phrase[owner.end() :]
            rest = _after_dateline(phrase, text)
            if rest:  # "Seoul, South Korea North Korean leader ...": a dateline's place, then the name
                start, phrase = start + len(phrase) - len(rest), rest
                end = start + len(phrase)
            country = _demonym_country(phrase, text)
            if country:  # "Iranian lawmakers" for "which country": "Iran"
                phrase, end = country, start + len(country)
            inner = _inner_post(phrase)
            if inner is not None and name_kind(text) in ("org", "place"):  # "Former Starbucks CEO Howard Schultz"
                owner = _FORMER.sub("", phrase[: inner[0]])                 # for "which company": "Starbucks"
                start, phrase = start + inner[0] - len(owner), owner
                end = start + len(phrase)
            elif inner is not None and name_kind(text) == "person":  # ... for "who testified": "Howard Schultz"
                start, phrase = start + inner[1], phrase[inner[1] :]
            title = _TRAILING_TITLE.search(phrase)
            if title and phrase[: title.start()].lower() in PLACES and _WHERE.search(asking_sentence(text) or text) \
                    and not _POST_PLACE_ASKED.search(text):
                continue  # "Where did Ron DeSantis kick off his campaign?": "Florida Gov. Ron DeSantis" names his
                # post's state, not where he did it ("in an evangelical church in Iowa"; new user 32's bold **Florida**)
            if title and phrase[: title.start()].lower() in PLACES:  # "California Gov. Gavin Newsom": "California"
                phrase, end = phrase[: title.start()], start + title.start()
            elif title and name_kind(text) == "person":
                continue  # "Who is the mayor-elect?": "Los Angeles Mayor" names a post, no person
            if not asked_posts and (tail := _ATTRIBUTION.search(sentence)) and not _SPEECH_ASKED.search(text) \
                    and tail.start("who") <= start:
                continue  # "..., Duke Energy spokesperson Brooks told CNN affiliate WRAL": who said it, not who
                # fired the shots (new user 14's bold **Duke Energy**), nor where ("..., the California Lottery
                # said on Twitter", new user 30); unless the question asks who said, argued or predicted something
                # (", said Ken Mayland at Clearview Economics" answers that)
            if (person_asked or name_kind(text) == "person") and (
                    _WHERE_BEFORE.search(sentence, max(0, start - 8), start) or _PEOPLE_OF.match(sentence, end)):
                continue  # "Who shot the mountain lion?": "in Los Angeles" is where, not who; nor is "sold in
                # Altadena" the name of the person who bought the ticket, nor "Twitter" of "Many Twitter employees
                # were fired" whom they fired (new user 30)
            if (re.search(r"-[a-z]+$", phrase) or re.match(r"-[a-z]", sentence[end:])) \
                    and not (re.match(r"-based\b", sentence[end:]) and _BASED_ASKED.search(text)):
                continue  # "Turkey-backed", "Kremlin-led", "Dutch-born": a modifier, not a name
            if len(phrase) < 2 or _CALENDAR.fullmatch(phrase) or _PRONOUN.fullmatch(phrase):
                continue  # "Tuesday", "Sunday's", "March": a date, not a name; "I'm": no name
            if _place_clash(text, phrase) or (_asked_place(text) and _no_place(phrase, sentence, start)) \
                    or not _listed_place(phrase, text) or (_asked_place(text) == "state" and _DC.match(sentence, end)):
                continue  # "In which American city ...?": "US" is a country, no city; "Home Secretary Charles
                # Clarke" no country (never a guess of another sort)
            if " " in phrase and phrase.isupper():
                continue  # "LATEST UPDATES WEDNESDAY", "NBA TRADE DEADLINE TRACKER": a heading
            if phrase.lower() in _COUNT_WORDS and not re.match(r"\s+(?:\d|[A-Z])", sentence[end:]):
                continue  # "Six people are dead ...": a count, no name ("What is the name of the gunman?": new user
                # 14); "Three 6 Mafia" goes on as a name
            if name_kind(text) in ("place", "org") and (before := _NOUN_BEFORE.search(sentence, 0, start)) \
                    and sentence[before.start(1) - 1 : before.start(1)] != "-" \
                    and before.group(1).lower() in _PERSON_WORDS and not set(terms(before.group(1))) & asked_head:
                continue  # "Which San Francisco venue ...?": "Former Stone Roses singer Ian Brown" is a person
            if described and _described(text, sentence, start, end, phrase, described, asked_head):
                continue  # "Which little-known company won the auction for the Russian oil firm's main production
                # unit?": "oil giant Yukos" is the firm the question describes, not the company asked (new user 17)
            if person_asked and _quoted_whole(sentence, start, end) and not (
                    (noun := _NOUN_BEFORE.search(sentence, 0, start - 1))
                    and set(terms(noun.group(1))) & _PERSON_WORDS):
                continue  # "Who won Eurovision?": not "Cha Cha Cha" of 'whose rap-pop party anthem "Cha Cha Cha" won
                # the public vote' (new user 32): a quoted title names a song, a film, a book; no one (but 'the rapper
                # "Ye"' is one)
            if person_asked and " " not in phrase and _DESCRIBING_BEFORE.search(sentence, max(0, start - 12), start) \
                    and (noun := _THING_AFTER.match(sentence, end)) and noun.group(1) in _PERSON_WORDS | _SEXES:
                continue  # "Colorado Springs did elect its first Black male as mayor": a word describing one, no one
                # (new user 32's bold **Black** for who was elected mayor)
            if person_asked and re.search(r"\w['’]s\s+\w", phrase):
                continue  # "Who handed Michelle Yeoh her statuette?": "Yeoh's Oscar" is a thing of hers, no one
            if _initials_of(phrase, text):
                continue  # "M&S" of a question naming Marks & Spencer: its own name, shortened (new user 17)
            if possessed and (before := _NOUN_BEFORE.search(sentence, 0, start)) \
                    and set(terms(before.group(1))) & possessed:
                continue  # "Which MLB team's owner announced ...?": "Team owner Arte Moreno" is the owner, no team
            if person_asked and ((_a_country_or_state(phrase) and not countries_act)
                                 or (phrase.isupper() and len(phrase) > 1)):
                continue  # "... at a Walmart store in Chesapeake, Virginia": no gunman's name; "CNN", "NASA": no one
                # (but "Who did Argentina beat in the World Cup final?" is answered by a country: "France", new user 20)
            if extended and phrase.startswith(extended) and not _TITLED.search(phrase):
                continue  # "Twitter Blue" for "Who owns Twitter now?" (not "Israeli Prime Minister Benjamin Netanyahu")
            if named_person and set(terms(phrase.split()[-1])) & _WHO_WHERE_NOUNS:
                continue  # "the name of the gunman": "The Chesapeake Police Department" is none (new user 19); a
                # who-question may be answered by a body ("Who bought the site?": "the city council")
            stems = undotted(terms(_LEADING_TITLE.sub("", phrase)))
            if not stems or stems <= own or (_surname_asked(phrase, text) and not asked_posts & _KIN) \
                    or _place_of_question(phrase, text):
                continue  # the question's own names are not the answer ("Mr McConnell", "Manager Brian Kerr", the
                # "United States" of a question saying "US")
            if posts is not None and not any(_holds(sentence, start, end, post) for post in posts):
                continue
            noun = _NEXT_WORD.match(sentence, end)
            if asked_named_kind and not (set(terms(phrase.split()[-1])) & asked_named_kind
                                         or (noun and set(terms(noun.group(1))) & asked_named_kind)):
                continue  # "Which hospital was Mike Mills taken to?": not "REM", a name calling itself no hospital
            if noun and noun.group(1).islower() and set(terms(noun.group(1))) & asked_nouns:
                if set(terms(noun.group(1))) & _WHO_WHERE_NOUNS and is_demonym(phrase):
                    continue  # "which company": "a Russian company" describes one, it names none
                phrase, end = sentence[start : noun.end()], noun.end()  # "which disease": "Lyme disease"
            elif (title := _quoted_title(sentence, start, end)) is not None:
                phrase, end = title, start + len(title)  # "the sitcom "Leave It to Beaver."": not "Leave It"
            elif name_kind(text) is None and _PROPER_ADJECTIVE.fullmatch(phrase) \
                    and _DETERMINER_BEFORE.search(sentence, max(0, start - 8), start) \
                    and (thing := _THING_AFTER.match(sentence, end)) and thing.group(1).lower() not in STOPWORDS:
                phrase, end = sentence[start : thing.end()], thing.end()  # "which animal": "Tasmanian tiger"
        elif (phrase.lower() in _NOT_AMOUNTS or (atype == "number" and _YEAR.fullmatch(phrase))
              or (set(terms(phrase)) and set(terms(phrase)) <= qstems)):
            continue
        elif atype == "number" and _in_name(sentence, start, end, phrase):
            continue  # "the Six Nations", "Formula One": a name, not a count
        elif atype == "number" and current and _SUPERSEDED.search(sentence, end):
            continue  # "still without power": not "35,000" of "35,000 ..., but that number had decreased to 1,200"
        elif change and not (_CHANGE_BEFORE.search(sentence, max(0, start - 40), start)
                             or _CHANGE_AFTER.match(sentence, end)):
            continue  # "by how many did it shrink": not the population of "had 1.41175 billion people, a drop of 850,000"
        elif atype == "number" and not earlier and (changed_from(sentence, start, end)
                                                    or (current and turned_from(sentence, start))) \
                or (toll and not EARLIER_TOLL_ASKED.search(text) and turned_from(sentence, start)):
            continue  # "moved from 100 seconds to midnight to 90 seconds": the figure it changed from; a toll asked is
            # the latest ("What is the death toll from Hurricane Ian?": not the 42 of "up from the county's previously
            # announced death toll of 42", new user 33)
        elif atype == "number" and _no_figure(sentence, start, end, phrase):
            continue  # "3G handsets", "the three months to 31 December": a name's digit, a day of the month
        elif atype == "number" and _a_total(sentence, start, end, text, qstems, focus):
            continue  # "winning 173 of the 299 votes": he got 173; the 299 are all there were
        elif (counting or toll) and (unit := _UNIT_AFTER["long"].match(sentence, end)) \
                and not focus & set(terms(unit.group(0))):
            continue  # "how many years since it erupted": not "21" of "just 21 miles apart" (unless miles are asked);
            # "the latest death toll": not "two" of "the death toll from almost two weeks of storms" (new user 18)
        elif counting and _qualifies(sentence, end, focus):
            continue  # "how many caps": not "an eight-week ban", "the 44-man squad" (unless weeks or men are asked)
        elif counting and _no_count(sentence, start, end, focus):
            continue  # "how many people live in Ethiopia": not "45% of gross domestic product", nor "per 100 people"
        elif (counting or measure is not None) and money_at(sentence, start, end):
            continue  # "how many staff", "how old is he": not "$2m" (a share may count: "as much as 50%" of the people)
        elif measured and not measured & set(terms(sentence[max(0, start - MEASURE_NEAR) : end + MEASURE_NEAR]
                                                   .replace("-", " "))):
            continue  # "what is the population of Ethiopia": not "45% of gross domestic product" ("7.8-magnitude": its
            # measure after a hyphen)
        elif money and not money_at(sentence, start, end) and not (change and is_share(phrase)):
            continue  # "how much did it cost": "$800m", not "30%" or "6-1"; "by how much will it rise": "13.5% more" too
        elif money and _DID_ASKED.search(text) and not _PROMISE_ASKED.search(text) \
                and _PROMISED_BEFORE.search(sentence, max(0, start - 90), start):
            continue  # "How much did he sell the ball for?": not the "$2 million" an auction house "guaranteed to pay"
        elif money and not _SOUGHT_ASKED.search(text) and (
                _SUIT_AFTER.match(sentence, end) or _SOUGHT_BEFORE.search(sentence, max(0, start - 40), start)):
            continue  # "How much did Fox agree to pay to settle?": "agreed to a $787.5 million settlement", not "agreed
            # to settle the $1.6 billion defamation lawsuit" (new user 32): what a suit sought is not what was paid
        elif atype == "number" and _in_quoted_title(sentence, start, end):
            continue  # "How many albums has Dolly Parton released?": not "5" of her hit "9 to 5" (new user 32)
        elif atype == "number" and _RANK_BEFORE.search(sentence, max(0, start - 6), start) \
                and not _RANK_ASKED.search(text):
            continue  # "How many albums has Dolly Parton released?": not "10" of "Her first ever Top 10" (new user 32)
        elif percent and not (is_share(phrase) or _PERCENT_AFTER.match(sentence, end)):
            continue  # "what percentage of the vote": "59%" or "59 per cent", not "2 million"
        elif amount and not money and not percent and (is_share(phrase) or _PERCENT_AFTER.match(sentence, end)):
            continue  # "How much coal did the world burn?": "8 billion metric tons", not "grow 1.2%" (new user 20)
        elif measure in _UNIT_REQUIRED and not _in_unit(measure, sentence, start, end) \
                and not _SINCE_WHEN.search(text):
            continue  # "how long did the film last": "18 minutes", not "Number 73"
        if (counting or toll) and _one_of_places(sentence, end, qstems):
            continue  # "eight people in Collier County, five in Volusia County, ...": one place's count, not the total
        if any(a <= start < b for a, b in rivals):
            continue  # "Republicans have won 211 ..., while Democrats have won 204": the Democrats' count is 204
        part = asked_part and _asked_place_part(sentence, end, qstems)
        if asked_part and not part:
            continue  # the total, or another place's, of a sentence that gives the asked place's own
        distance = min((min(abs(start - b), abs(a - end)) for a, b in anchors), default=len(sentence))
        placed = _placed_at(sentence, end) if atype == "name" else None
        asked_place = _PLACE_ASKED.search(text) if placed else None
        if placed and asked_place and placed != _ordinal(asked_place.group(0)):
            continue  # "And who came second?": not "Israel's Noa Kirel came in third" (new user 32's chat)
        if toll:
            # "... 120 of them in Florida and five in North Carolina": the list's head counts the dead
            bound = (part and bool(_TOLL_COUNTS & set(terms(sentence)))) \
                or _counts_the_dead(sentence, start, end, hurt_asked)
            if not bound:
                continue  # a death toll counts the dead: "home to four million people" is none
            if _MORE_AFTER.match(sentence, end) and not _MORE_AFTER.search(text):
                continue  # "Four other people died ...": some of the dead, not the toll asked
        elif atype == "name":  # "the contractor Halden Civil", "Loreen won", "Käärijä ... finished second"
            bound = _named_as_asked(sentence, start, asked_head, _active_verb(text)) \
                or _doer_of(sentence, start, end, _active_verb(text)) or bool(placed and asked_place)
        else:
            of_total = _OF_TOTAL_AFTER.match(sentence, end)  # "173 of the 299 votes": 173 counts votes too
            bound = bool(focus & set(terms(sentence[end : end + FOCUS_NEAR]))) or (
                measure is not None and _in_unit(measure, sentence, start, end)) or bool(
                of_total and focus & set(terms(sentence[of_total.end() : of_total.end() + FOCUS_NEAR]))) or (
                # "..., while Democrats have won 204": the asked party's count of what the sentence counts
                bool(rivals) and bool(focus & set(terms(sentence))))
        if measure == "old" and _WOULD_BE.search(sentence, max(0, start - 40), start) and not _WOULD_ASKED.search(text):
            continue  # "How old is Biden?": not "Biden would be an unprecedented 86 years old by the end of ..."
        if measure == "old" and _AGE_AT_DEATH.search(text) and not _DEATH.search(sentence):
            continue  # "How old was the former Labour prime minister when he died?": not "The 51-year-old premier
            # has marked his 2,838th day in the post" (new user 17: the age of another, living, premier)
        if measure == "old" and _age_of_another(text, sentence, start):
            continue  # "How old is Jacinda Ardern?": not "(Finland's Sanna Marin is now the youngest serving prime
            # minister in the world at 34 years old.)" (new user 18's chat: "How old is she?" after Ardern got **34**)
        if measure == "old" and _KIN_BEFORE.search(sentence, max(0, start - 60), start) \
                and not set(terms(text)) & _KIN:
            continue  # "How old was Lord Callaghan when he died?": not "... after his wife Audrey died aged 91"
        if focus and _NOMINATIONS.match(sentence, end) and not _NOMINATIONS_ASKED.search(text):
            continue  # "How many Oscars did the film take home?": not "a leading 11 nominations" (new user 16)
        if atype == "number" and _AGAINST_NORMAL.match(sentence, end) and not _NORMAL_ASKED.search(text):
            continue  # "How many tornadoes so far this year?": not "about 100 tornadoes above average" (311)
        counted = _NEXT_WORD.match(sentence, end)
        unit = _UNIT_AFTER[measure].match(sentence, end) if measure is not None and measure != "old" else None
        if bound and counted and focus & set(terms(counted.group(1))):
            more = _NEXT_WORD.match(sentence, counted.end())  # "3 million retail customers", not "12,000 drivers use"
            counted = more if more and not _plural(counted.group(1)) and (
                focus & set(terms(more.group(1))) or _plural(more.group(1))) else counted  # "11,000 job cuts"
            phrase, end = sentence[start : counted.end()], counted.end()  # "45 days", "400,000 jobs"
        elif bound and unit:
            phrase, end = sentence[start : unit.end()], unit.end()  # "how long": "12 days"; "how far": "26.2 miles"
            if measure == "far" and _DIMENSION_AFTER.match(sentence, end):
                continue  # "How far is the lava from the highway?": not "fountains of lava up to 148 feet tall"
        elif money and (currency := _CURRENCY_AFTER.match(sentence, end)):
            phrase, end = sentence[start : currency.end()], currency.end()  # "25,000 Swiss francs", "19bn kronor"
        if atype == "number" and _BETWEEN.search(sentence, max(0, start - 9), start) \
                and _AND_NUMBER.match(sentence, end):
            continue  # the low end of "between 25,000 and 40,000": the range is read at its top
        if atype == "number" and (low := _RANGE_FROM.search(sentence, max(0, start - 40), start)):
            # "between 25,000 and 40,000 mink": the range, not its top ("40,000 mink" of a range read as a count)
            phrase, start = sentence[low.start() : end], low.start()
        if not negated and (_negated(sentence, start, phrase)
                            or (atype == "name" and _DENIED_AFTER.match(sentence, end))):
            continue  # "in Manchester and not Blackpool", "rather than Blackpool": the alternative ruled out; "Denmark
            # isn't first now": what it is not (a RealTime QA answer to which country is the happiest)
        if not _PLACING_ASKED.search(text) and placed:
            continue  # "Finland has been ranked the happiest country ..., with Denmark in second and Switzerland
            # third": the runners-up (a RealTime QA answer **Denmark**), unless a place behind the first is asked
        if atype == "name" and " " not in phrase and phrase.lower() not in _COUNT_WORDS \
                and _NAMED_NUMBER.match(sentence, end):
            continue  # "Title" of "Title 42" (new user 15's bold answer for what the rule is called): a name cut
            # before its number is none; read with it, "Category 1" and "Chapter 11" became answers
        out.append(Candidate(phrase, start, end, distance, bound,
                             atype == "date" and not _SPECIFIC_DATE.search(phrase)))
    return tuple(out)


def find(q: Question, sentence: str) -> tuple[bool, tuple[str, int, int]] | None:
    """``extract``'s phrase, with whether it is bound to the thing a how-many question counts (a
    number followed by "jobs" for "how many jobs"): such a phrase beats an unbound one in another
    sentence of the answer (``rag.extractive``)."""
    best: tuple[float, Candidate] | None = None
    for c in candidates(q, sentence):
        # "how many *jobs*": "400,000 jobs", not the nearest other figure; "Sunday 27 February" or
        # "spring of 2006" before "Tuesday" or "this year"
        distance = 0 if c.bound else c.distance + (VAGUE_DATE if c.vague else 0)
        if best is None or distance < best[0]:
            best = (distance, c)
    if best is None or (wanted_type(q) == "name" and best[0] > NAME_NEAR):
        return None  # no name clearly tied to what the question asks: say nothing rather than guess
    c = best[1]
    return c.bound, (c.phrase, c.start, c.end)


def wanted_type(q: Question) -> str:
    """The kind of phrase the question asks for, read from its last sentence (news questions often
    open with a sentence of context): a question opening with "who" wants a name even when it says
    "when" later ("Who was in charge ... when it launched ...?"); so does one whose "when" joins two
    clauses before a "which <noun>" ("... this week when it announced it would part ways with which
    top-rated host?"); "which/what <noun>" a name."""
    return _wanted_type(q.text, q.atype)


def death_told(q: Question, sentence: str) -> Question:
    """``q`` without its "when he died" when ``sentence`` tells the death: a sentence after it that refers back
    gives the age at death without telling the death again ("Sir Nicholas Scott has died ... The 71-year-old
    served ...", ``rag.extractive.ExtractiveAnswerer.bound_below``); alone, such a sentence gives no age at death
    ("The 51-year-old premier has marked his 2,838th day in the post")."""
    if _AGE_AT_DEATH.search(q.text) and _DEATH.search(sentence):
        return replace(q, text=_AGE_AT_DEATH.sub("", q.text))
    return q


def asked_kind(q: Question) -> str | None:
    """What a who/when/how-many question asks for: "name", "date", "figure"; "place" for a where-question asking
    where someone or something is or was (``_WHERE_LOCATED``); None for other questions,
    a which/what one included: its answer is often a phrase no rule types, "Fire risks"; "what is the name
    of the <person>" is a who-question). An offline
    answer to such a question with no phrase of that kind in its sentences is refused
    (``rag.extractive.ExtractiveAnswerer.lacks_kind``)."""
    kind, asking = wanted_type(q), asking_sentence(q.text) or q.text
    if kind == "date" and _ASKS_WHEN.search(asking) and not (_WHEN_CLAUSE.match(asking)
                                                            or _ENDS_ASKING.search(asking)):
        return "date"  # not "What is the term when ...?", "When people take on debt, it leads to what?"
    # not "What index ...?", "Which authority figure?"
    if kind == "number" and (ASKS_NUMBER.search(asking.lower()) or _WHAT_AGE.search(asking)):
        return "figure"
    if kind == "name" and _WHERE.search(asking) and _WHERE_LOCATED.search(asking):
        return "place"  # "Where is the e-mail security firm Mirapoint based?": a place, not any name
    # "What is the name of the gunman in this week's Chesapeake Walmart shooting?" asks who as much as "who" does:
    # it was answered with the shooting's sentences, which name no one (new user 19; the gunman was not named)
    return "name" if kind == "name" and (_WHO.search(asking) or _NAME_OF_PERSON.search(asking)) else None


# a where-question asking where someone or something is or was ("based", "born", "held", "Where in Jamaica ...?"):
# its answer is a place by name. Not every where-question: "Where do chloroplasts pump hydrogen?" (SQuAD: "into the
# thylakoid space"), "Where did the water flow?", whose answers no place rule reads
_WHERE_LOCATED = re.compile(r"\b[Ww]here\s+in\s+(?:the\s+)?[A-Z]|\b[Ww]here\b[^?]*?\b(?:based|headquartered|located|"
                            r"born|buried|died|die|held|staged|take\s+place|took\s+place|grow\s+up|grew\s+up|raised)\b")


def what_is_asked(q: Question, kind: str) -> str:
    """The thing a question of ``asked_kind`` ``kind`` (or "figure" for ``lacks_figure``) asks for, in
    words for a refusal's notice: "age", "number of staff", "amount of money", "date", "name"."""
    if kind != "figure":
        return kind
    measure = _how_measure(q.text)
    if measure is not None:
        return {"old": "age", "long": "length or duration", "far": "distance", "tall": "height", "high": "height",
                "deep": "depth", "heavy": "weight", "much time": "length of time"}[measure]
    if asks_money(q.text):
        return "amount of money"
    if asks_percent(q.text):
        return "percentage"
    counted = asked_noun(q.text) if counts(q.text) else None
    return f"number of {counted}" if counted else "figure"


def holds_kind(kind: str, q: Question, sentence: str) -> bool:
    """Whether ``sentence`` holds something of the ``kind`` ``asked_kind`` names: a candidate phrase
    (``candidates``), or for a date or a figure one that no rule types as an answer but that is one
    all the same ("the 20th century", "9000 BP", "2.5 billion years ago"; "twice", "one")."""
    if kind == "place":  # a place by name ("in Runcorn", "Mexico City", "Leicester Square"), or a home or hospital
        return any(named_kind(c.phrase, sentence, c.start) == "place" or is_city(c.phrase)
                   or _PLACE_WORDS.search(c.phrase) for c in candidates(q, sentence)) or bool(_AT_HOME.search(sentence))
    # a name with the other role of the question's verb is none ("Truss replaces Boris Johnson" names no one
    # who replaced Truss: ``reversed_role``)
    if any(not reversed_role(q.text, sentence, c.start, c.end) for c in candidates(q, sentence)):
        return True
    if kind == "name":  # "Who inspects the building?": "the municipal building inspector inspects it"
        return _agent_named(q.text, sentence) or _object_named(q.text, sentence)
    if kind == "figure" and asks_money(q.text):
        return False  # an amount of money is a candidate or nothing: not the "62" of "his 62nd home run" (new user 26)
    loose = {"date": _LOOSE_DATE, "figure": _LOOSE_FIGURE}.get(kind)
    return bool(loose and loose.search(sentence))


_AT_HOME = re.compile(r"\b(?:at|in)\s+(?:(?:his|her|their|a|the)\s+)?(?:home|hospital|house|residence)\b", re.I)
# "Who (may) <verb> ...?": the verb whose doer is asked
_WHO_VERB = re.compile(r"\bwho\s+(?:(?:may|might|would|will|can|could|should|must|did|does|do|has|have|had)\s+)?"
                       r"([a-z][a-z'-]+)", re.I)
_DETERMINERS = frozenset("a an the its their his her our this that these those each every some any".split())
_MODALS = frozenset("may might would will can could should must did does do has have had is are was were".split())


# verbs a paraphrase says with another ("Who helped find sponsors?": "A professional fundraiser will aid in finding
# business sponsors"; "Who would decide on the curricula?": "curricula as determined by the relevant authority")
_SAME_VERBS = tuple(frozenset(terms(group)) for group in (
    "decide determine", "help aid assist", "buy purchase acquire", "start begin launch", "end finish conclude",
    "fund finance", "choose select pick", "build construct", "find discover locate", "need require",
    "get receive obtain", "show demonstrate", "run manage operate", "lead head"))


def _verb_at(verb: str, sentence: str) -> tuple[list[str], list[int]]:
    """The words of ``sentence`` and where a form of the question's ``verb`` (or of one said the same,
    ``_SAME_VERBS``) stands among them ("ignoring" for "ignore", "aid" for "help")."""
    stems = terms(verb)
    if len(stems) != 1:
        return re.findall(r"[A-Za-z][\w'’-]*", sentence), []
    same = next((group for group in _SAME_VERBS if stems[0] in group), frozenset(stems))
    words = re.findall(r"[A-Za-z][\w'’-]*", sentence)
    return words, [j for j, w in enumerate(words) if len(t := terms(w)) == 1 and t[0] in same]


def _agent_named(question: str, sentence: str) -> bool:
    """Whether ``sentence`` says who does what a who-question asks with a common noun phrase, not a name:
    "the municipal building inspector inspects the building", "An attorney may seek changes" (a role
    answers "who" as well as a name does; ``lacks_kind`` refused these). The question's verb, in the
    sentence after a phrase that opens with a determiner and holds no verb the question has not got."""
    m = _WHO_VERB.search(question)
    if m is None or m.group(1).lower() in _MODALS:
        return False
    words, at = _verb_at(m.group(1), sentence)
    for j in at:
        # "... curricula as determined by the relevant authority": the passive's agent, a common noun phrase
        if j + 3 < len(words) and words[j + 1].lower() == "by" and words[j + 2].lower() in _DETERMINERS \
                and words[j + 3][0].islower() and not set(terms(words[j + 3])) <= set(terms(question)):
            return True
        k = j - 1
        if k >= 0 and words[k].lower() in _MODALS:
            k -= 1
        for i in range(k, max(-1, k - 5), -1):  # the noun phrase before it, opening with a determiner
            if words[i].lower() in _DETERMINERS:
                phrase = words[i + 1 : k + 1]
                # a common noun phrase whose head the question does not name ("TCI, the hedge fund, runs a
                # campaign" does not say who runs the fund)
                return bool(phrase) and all(x[0].islower() for x in phrase) \
                    and not set(terms(phrase[-1])) <= set(terms(question))
    return False


# "Who may teachers ignore?", "Whom did the board sack?": the verb whose object is asked, at the question's end
_WHO_OBJECT = re.compile(r"^\W*who(?:m)?\s+(?:may|might|would|will|can|could|should|must|did|does|do)\s+"
                         r"(?:[\w'’-]+\s+){1,4}?([a-z][a-z'-]+)\s*(?:[,?]|$)", re.I)
_NOT_OBJECT = frozenset("to in on at by for from with of about into over and or as than".split())


def _object_named(question: str, sentence: str) -> bool:
    """Whether ``sentence`` says whom a who-question's verb is done to with a common noun phrase: "teachers may
    concentrate their attention on motivated students, ignoring attention-seeking and disruptive students" for
    "Who may teachers ignore?" (``lacks_kind`` refused it: no name). The question's verb in the sentence, then a
    common noun phrase (a lower-case word, past a determiner: not a preposition, not a name)."""
    m = _WHO_OBJECT.match(asking_sentence(question) or question)
    if m is None:
        return False
    words, at = _verb_at(m.group(1), sentence)
    for j in at:
        k = j + 1
        if k >= len(words):
            continue
        if words[k].lower() in _DETERMINERS and k + 1 < len(words):
            k += 1  # "sacked the chief executive"
        if words[k][0].islower() and words[k].lower() not in _NOT_OBJECT:
            return True
    return False


_ENDS_ASKING = re.compile(r"\b(?:what|who|whom|which)\W*$", re.I)  # "... it creates what?": asked at the end
# ... or an age of the earth or of man ("during the Middle Miocene", "the last glacial maximum", "the Bronze Age")
_LOOSE_DATE = re.compile(r"\b(?:centur(?:y|ies)|decades?|BP|BCE?|AD|years? ago|(?:1[0-9]|20)\d\d|[A-Z][a-z]+cene|"
                         r"(?:Jurass|Triass|Cambr|Perm|Devon|Silur|Ordovic)ic|Cretaceous|glacial maximum|"
                         r"(?:Ice|Stone|Bronze|Iron) Age)\b")
_LOOSE_FIGURE = re.compile(rf"\d|\b(?:once|twice|thrice|dozens?|hundreds?|thousands?|{_NUMWORD})", re.I)


# a question asking when: opening with "when", or naming the time it asks ("in what year", "which month")
_ASKS_WHEN = re.compile(r"(?:^|[.?!]\s+)\s*(?:(?:and|but|so)\s+)?when\b|\b(?:what|which)\s+(?:year|date|day|month)\b",
                        re.I)


@lru_cache(maxsize=1024)  # asked once a candidate sentence by ``fits_precisely``
def _wanted_type(question: str, atype_of_question: str) -> str:
    q = Question(question, (), {}, atype_of_question, ())
    asking = asking_sentence(q.text)
    # the last sentence, if it is one ("When did Mr. Smith resign?" is not cut at "Mr.": no question word after)
    text = asking if asking and _QUESTION_WORD.search(asking) else q.text
    clause = _WHEN_CLAUSE.match(text)  # "When rates peaked last month, what was the average?": its main clause
    if clause:
        text = text[clause.start(1) :]
    if asks_who_named_is(text):  # "Who is Hakeem Jeffries?": who they are, no name (rag.text.answer_type)
        return ""
    stand = _WHERE_STAND.search(text)  # "Where does the mortgage rate stand now?": a figure; "Where do talks stand?"
    if stand:
        return "number" if _QUANTITY_NOUNS & set(terms(stand.group(1).split()[-1])) else ""
    asked_value = _WHAT_VALUE.match(text) or _WHAT_NOUN.match(text)  # "what was the average?", "what share ..."
    if asked_value and _QUANTITY_NOUNS & set(terms(asked_value.group(1).split()[-1])):
        return "number"  # the noun phrase ends in a quantity ("the lowest level"; not "the price war about")
    if _WHAT_AGE.search(text):
        return "number"  # "What age was he when he died?", "At what age ...?": an age
    if _WHO.search(text) or _NAME_OF.search(text):
        return "name"
    atype = answer_type(text) if text != q.text else q.atype
    if atype == "date" and _JOINING_WHEN.search(text) and _WHICH_NOUN.search(text):
        return "name"
    joining = _JOINING_WHEN.search(text) if atype == "date" and _OTHER_OPENING.match(text) else None
    if joining:  # "What was the Utah man trying to kill when he started the fire?": asked by its "what"
        atype = answer_type(text[: joining.start() + 1])
    if atype:
        return atype
    # "What happened on Lake Marren?" asks for an event, not a name (it was answered **Calder Star**, new user 10)
    if re.match(r"\s*(which|what)\s+\w+", text, re.I) and not re.match(
            r"\s*what\s+(did|does|do|is|was|are|were|has|have|had|will|would|can|could|happened|happens|"
            r"happen|went|about)\b", text, re.I):  # "What about Amazon?" asks the last question again, whatever it asked
        return "name"
    if re.search(r"\bwhich\s+\w+", text, re.I) and _WHICH_NOUN.search(text):
        return "name"  # "... visas for tourists from which nation?", "... prevent which disease?": asked mid-sentence
    return ""


def asking_sentence(text: str) -> str | None:
    """The last sentence of ``text`` that ends with "?" (None when there is none)."""
    masked = _ABBREVIATED.sub(lambda m: m.group(0)[:-1] + "\0", text)  # the same length: spans are the text's
    found = list(_ASKING.finditer(masked))
    return text[found[-1].start(1) : found[-1].end(1)] if found else None


_ASKING = re.compile(r"(?:^|(?<=[.!?][\s\"”’'])|(?<=[.!?]\s))\s*([A-Z][^.!?]*\?)")  # the sentence asking
# the stop of an initial or a title, which ends no sentence: "How far was the lava from the Daniel K. Inouye Highway?"
# was read as asking "Inouye Highway?", so no unit was wanted and **about 2.4** was the answer (new user 20)
_ABBREVIATED = re.compile(r"\b(?:[A-Z]|Mr|Mrs|Ms|Dr|St|Jr|Sr|Gov|Sen|Rep|Gen|Col|Sgt|Lt)\.(?=\s|[A-Z]\.)")
_NAME_OF = re.compile(r"\bwhat (?:is|was|are|were) (?:the |their |its |his |her )?names? of\b"
                      r"|\bwhat (?:is|was|are|were|will) (?:\w+\s+){1,5}?(?:be )?(?:called|named|dubbed|known as)\s*\?"
                      r"|\bwhat did (?:\w+\s+){1,4}?(?:call|name|dub)\b", re.I)
_QUESTION_WORD = re.compile(r"\b(?:who|whom|whose|what|when|where|which|why|how)\b", re.I)
_JOINING_WHEN = re.compile(r"\w\s+when\b", re.I)  # "this week when it ...": a conjunction, not the question word
_OTHER_OPENING = re.compile(r"\s*(?:what|where|how|why)\b", re.I)  # ... of a question asked by another word
_WHEN_CLAUSE = re.compile(r"\s*when\b[^?,]*,\s*((?:what|which|who|whom|whose|how|where)\b)", re.I)
_WHERE_STAND = re.compile(r"\bwhere\s+(?:does|do|did|will|is|are|was|were)\s+(.+?)\s+stand\b", re.I)
_VALUE_END = (r"(?=\s+(?:now|today|currently|so far|then|of|for|from|in|on|at|the|that|which|to|when|after|before|since|"
              r"during|reached|hit|stood|fell|rose|did|does|do|was|is|will|would|has|had)\b|\s*[?,]|\s*$)")
# "what was the average?", "what was the lowest level the key rate reached?", "above what annual income ...?"
_WHAT_VALUE = re.compile(r"\s*what\s+(?:is|was|are|were|will be)\s+(?:the|its|their|his|her)\s+"
                         r"((?:[\w’'-]+\s+){0,2}?[\w’'-]+)" + _VALUE_END, re.I)
_WHAT_NOUN = re.compile(r"(?:^|[,;]\s*|^\s*\w+\s+)(?:which|what)\s+((?:[\w’'-]+\s+){0,2}?[\w’'-]+)" + _VALUE_END, re.I)
# "how much coal", "how much rain": an amount of a thing, which a share of it does not give (not "how much did
# prices rise", "how much more", "how much money": see ``asks_money``)
_HOW_MUCH_THING = re.compile(r"\bhow much\s+(?!(?:did|does|do|is|was|are|were|has|have|had|will|would|can|could|should|"
                             r"might|may|more|less|longer|further|higher|lower|bigger|larger|of|in|on|to|the|a|an|"
                             r"time|its|their|his|her|it|they|he|she)\b)[a-z]+", re.I)
_QUANTITY_NOUNS = frozenset(terms("rate rates price prices average toll count number figure level index total tally "
                                  "inflation unemployment poll polls approval share income salary wage cost "
                                  "fee fine amount sum value worth budget deficit debt profit revenue turnover "
                                  "attendance crowd capacity population turnout height weight length distance "
                                  "speed temperature"))
_WHICH_NOUN = re.compile(r"\b(?:which|what)\s+(?!(?:year|day|month|date|time|century|decade|period|did|does|do|is|"
                         r"was|are|were|has|have|had|will|would|can|could)\b)[a-z]", re.I)


_NEXT_WORD = re.compile(r"\s+([A-Za-z][\w'’-]*)")
# a sentence's closing attribution: ", Duke Energy spokesperson Brooks told CNN affiliate WRAL.", ", police said on
# Sunday."; not a clause after the verb ("Near Kabul, Taliban fighters said they won": who won)
_ATTRIBUTION = re.compile(r",\s*(?P<who>[^,;]{0,60}?)\s(?:(?:said|says)(?:\s+(?:on|in|at|late|early|last|this|"
                          r"in\s+a|on\s+a)\b[^,;]{0,40})?|told\b(?P<to>(?:\s+[^\s,;]+){1,5}))[.!?\"”’']*\s*$")
# a question asking who spoke: the attribution answers it
_SPEECH_ASKED = re.compile(r"\b(?:say|says|said|tell|told|announc\w*|confirm\w*|report\w*|claim\w*|warn\w*|"
                           r"den(?:y|ied|ies)|explain\w*|add(?:ed|s)?|speak\w*|spoke\w*|describ\w*|call\w*|"
                           r"accus\w*|blam\w*|credit\w*|prais\w*|criticis\w*|criticiz\w*|urg\w*|quot\w*|"
                           r"predict\w*|argu\w*|believ\w*|think\w*|thought|suggest\w*|insist\w*|admit\w*|"
                           r"accept\w*|question\w*|welcom\w*|dismiss\w*|expect\w*|forecast\w*|estimat\w*|"
                           r"recommend\w*|propos\w*|feel\w*|felt|view\w*|comment\w*)\b", re.I)
_WHO_OPENS = re.compile(r"\s*(?:and\s+|so\s+)?who(?:m)?\b", re.I)
# "Which of Donald Trump's children ...?": one of them, a person (new user 15 got the bold "CNN")
_WHICH_OF_KIN = re.compile(r"\bwhich of (?:[\w'’]+\s+){0,3}(?:children|sons|daughters|siblings|brothers|sisters|"
                           r"grandchildren|relatives|wives|husbands|parents)\b", re.I)
_NAMED_NUMBER = re.compile(r"\s+\d{1,3}(?![\d,.%:/-])\b")  # the number a one-word name goes on with
# "Who is Bob Iger?": who someone is, a description, no other name ("Bob Chapek", new user 15)
_WHO_IS_NAMED = re.compile(r"^\s*[Ww]ho\s+(?:is|was|are|were)\s+(?:[A-Z][\w.'’-]*\s*){1,4}\??\s*$")
# "What is the name of the gunman?": a person asked, as by "who"
_NAME_OF_PERSON = re.compile(r"\bname of (?:the |this |that )?(?:[a-z]+ )?(" + "|".join(PERSON_NOUNS)
                             + r"|\w+m[ae]n|\w+(?:er|or))s?\b", re.I)  # "gunman", "shooter", "killer"


_COUNTRY_DOES = re.compile(r"^\W*who\s+(?:did|does|do|will|would|could|has|have|had)\s+(?:the\s+)?"
                           r"((?-i:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}))\s+[a-z]"
                           r"|^\W*who\s+[a-z]+\s+(?:the\s+)?((?-i:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}))(?:\W|$)",
                           re.I)


@lru_cache(maxsize=1024)
@lru_cache(maxsize=1024)  # asked once a ranked sentence
def _own_words(question: str, stems: tuple[str, ...]) -> frozenset[str]:
    """The question's own words (its ``stems``), a hyphened one's parts too: "Las Vegas" is the question's in "the
    Las Vegas-type resorts" (the BBC "Which Scottish city ...?" had been answered **Las Vegas** once cities were
    places)."""
    parts = undotted(terms(question.replace("-", " "))) if "-" in question else set()
    return frozenset(undotted(stems) | parts)


@lru_cache(maxsize=1024)  # asked once a ranked sentence
def _names_extended(question: str) -> tuple[str, ...]:
    """The question's own names, each with a space after it: a who-answer starting with one and going on is a
    thing named after it ("Who owns Twitter now?": not "Twitter Blue", new user 33's bold answer), no one; not a
    demonym nor a place's name (a body named after a place answers: "Warsaw City Council", SQuAD)."""
    return tuple(m.group(0) + " " for m in NAME_PHRASE.finditer(asking_sentence(question) or question)
                 if m.start() > 0 and not is_demonym(m.group(0)) and not _a_place_name(m.group(0)))


def _country_acts(question: str) -> bool:
    """Whether a who-question's other party is a country (a team, a state at war): "Who did Argentina beat?",
    "Who invaded Ukraine?". Its answer may be a country too."""
    m = _COUNTRY_DOES.match(asking_sentence(question) or question)
    return m is not None and _a_country_or_state(m.group(1) or m.group(2))


def _a_country_or_state(phrase: str) -> bool:
    """Whether ``phrase`` is a country or US state (``rag.verify.places_in``), which no person is named."""
    from rag.verify import places_in  # rag.verify reads this module's place lists

    # "New York State", "Washington State": the state, named with its kind (a who-answer of E. Jean Carroll's
    # quote in RealTime QA's tuning weeks was **New York State**, from "New York State passed a law")
    bare = re.sub(r"\s+[Ss]tate$", "", phrase)
    return places_in(bare) == {bare.lower()}


_COUNT_WORDS = frozenset(NUM_WORDS.split())  # "Six", "One", "Dozens": counts, however capitalised
_DIMENSION_AFTER = re.compile(r"\s+(?:tall|high|deep|wide|thick|long)\b")  # a size, no distance ("148 feet tall")
# "how old/long/far/tall ...": the unit a number must carry to answer it (its "bound", like the thing a
# how-many question counts): an age ("aged 96", "80-year-old", "Biden, 80,"), a duration, a distance, a height
_HOW = re.compile(r"\bhow (old|long|far|tall|high|deep|much time)\b", re.I)
_WHAT_AGE = re.compile(r"\b(?:what|which)\s+age\b", re.I)  # "At what age did Hendrix die?": how old
_UNIT_AFTER = {
    "old": re.compile(r"(?:\s*-\s*|\s+)years?(?:\s*-\s*|\s+)old\b", re.I),
    # "912km", "10ft": a length's unit may be written on to its number
    "long": re.compile(r"(?:\s*-\s*|\s+)(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|"
                       r"centuries|century|miles?|kilomet(?:re|er)s?|km|met(?:re|er)s?|feet|foot|ft|yards?)\b"
                       r"|(?:km|ft|mi)\b", re.I),
    "far": re.compile(r"(?:\s*-\s*|\s+)(?:miles?|kilomet(?:re|er)s?|km|met(?:re|er)s?|feet|foot|yards?)\b"
                      r"|(?:km|ft|mi)\b", re.I),
    "tall": re.compile(r"(?:\s*-\s*|\s+)(?:met(?:re|er)s?|m|feet|foot|ft|inch(?:es)?|cm|storeys|stories|floors)\b", re.I),
}
_UNIT_AFTER["heavy"] = re.compile(r"(?:\s*-\s*|\s+)(?:kilo(?:gram(?:me)?)?s?|kg|pounds?|lbs?|tonnes?|tons?|stones?|"
                                  r"grams?|g|ounces?|oz)\b|(?:kg|lbs?|g|oz)\b", re.I)
_UNIT_AFTER["high"] = _UNIT_AFTER["deep"] = _UNIT_AFTER["tall"]
_UNIT_AFTER["much time"] = _UNIT_AFTER["long"]
# an age to come: "would be an unprecedented 86", "will turn 90 next year" (no answer to how old someone is or was)
_WOULD_BE = re.compile(r"\b(?:would|will|'d|’d)\s+(?:be|turn|reach)\b(?:\s+[\w-]+){0,3}\s+$", re.I)
_WOULD_ASKED = re.compile(r"\b(?:would|will|when|by the end|next)\b", re.I)
# someone else's age: "... just 11 days after his wife Audrey died aged 91"
_KIN_BEFORE = re.compile(r"\b(?:his|her|their)\s+(?:late\s+)?(?:wife|husband|widow|mother|father|son|daughter|"
                         r"brother|sister|partner)\b[^,;.]*$", re.I)
_AGE_AT_DEATH = re.compile(r"\bwhen\s+(?:he|she|they)\s+(?:died|passed\s+away|was\s+killed|were\s+killed)\b", re.I)
_DEATH = re.compile(r"\b(?:died|dies|dying|death|dead|passed\s+away|killed|late)\b", re.I)
_NAME_AND_SURNAME = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")  # "Sanna Marin"


_SET_OFF_NAME = re.compile(r"([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}),\s*$")
_NAME_WHO = re.compile(r"([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}),\s+who\s+[^,;.!?]*$")  # "Spike, who turned "
_AGE_OF_NAME = re.compile(r"\d{1,3}[\s-]+years?[\s-]+old\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3})")
# the one a how-old question asks the age of, by name: "How old is Bobi, the dog ...?", "How old did Bobi turn?"
_AGE_ASKED_OF = re.compile(r"\b(?i:how old (?:is|was|are|were|did|does|will|would))\s+((?:[A-Z][\w'’-]*\s*){1,3})")
_AGE_SET_OFF = re.compile(r"\d{1,3}\s*,")


def _age_of_another(question: str, sentence: str, start: int) -> bool:
    """Whether the age at ``start`` is someone else's than the person a how-old question names (first name and
    surname: "Jacinda Ardern", or the name it asks the age of: "How old is Bobi?"; not "the former Labour prime
    minister"): the age of a name it goes before ("38-year-old Leonel Costa") or after, set off ("Mahomes, 27,",
    "Spike, who turned 23"), or the sentence names none of that person's names, and another person's before it."""
    asked = {t for m in _NAME_AND_SURNAME.finditer(question) if m.start() > 0 for t in terms(m.group(0))}
    if (subject := _AGE_ASKED_OF.search(question)) is not None:
        asked |= set(terms(subject.group(1)))
    if not asked:
        return False
    # "Bobi's owner, 38-year-old Leonel Costa, ...": the age a name is said to be is that name's (new user 32's
    # bold **38** for "How old is Bobi?")
    aged = _AGE_OF_NAME.match(sentence, start)
    if aged and not set(terms(aged.group(1))) & asked and not is_demonym(aged.group(1).split()[0]) \
            and not _CALENDAR.fullmatch(aged.group(1).split()[0]):
        return True
    # "Now Mahomes, 27, who surpassed Tom Brady ...": the age set off after a name is that name's, whoever else
    # the sentence names (new user 22 got Mahomes's **27** for Tom Brady); so is the age a relative clause after it
    # gives ("Spike, who turned 23 years old in December, held the previous title": new user 32's **23** for Bobi)
    before = _SET_OFF_NAME.search(sentence, max(0, start - 60), start)
    if before and _AGE_SET_OFF.match(sentence, start) and not set(terms(before.group(1))) & asked:
        return True
    who = _NAME_WHO.search(sentence, max(0, start - 60), start)
    if who and not set(terms(who.group(1))) & asked and not _CALENDAR.fullmatch(who.group(1).split()[-1]) \
            and not is_demonym(who.group(1).split()[0]):
        return True
    if set(terms(sentence)) & asked:
        return False
    return any(not set(terms(m.group(0))) & asked for m in _NAME_AND_SURNAME.finditer(sentence, 0, start))


_NOMINATIONS = re.compile(r"(?:\s+[a-z]+)?\s+(?:nominations|nods)\b", re.I)  # counted, not won
_NOMINATIONS_ASKED = re.compile(r"\bnominat|\bnods?\b", re.I)
# a figure against a norm, not the count itself: "about 100 tornadoes above average"
_AGAINST_NORMAL = re.compile(r"(?:\s+[a-z]+)?\s+(?:above|below)\s+(?:the\s+)?(?:average|normal|usual)\b", re.I)
_NORMAL_ASKED = re.compile(r"\b(?:above|below|average|normal|usual)\b", re.I)
# measures whose number means nothing without its unit: a length or duration ("how long did the film last":
# not "Number 73"), a height, an age ("aged 96", "Biden, 80,", "turns 80"); not "how much time" ("11:28
# left"), nor "how high/far" that news asks of tolls and rates ("how high has the death toll climbed");
# "how long has ..." may be "since 2010"
_UNIT_REQUIRED = frozenset({"long", "tall", "old", "heavy"})  # (a weight: "10,000 passengers" weighs nothing)
_SINCE_WHEN = re.compile(r"\bhow long (?:has|have|had)\b", re.I)
_FIGURE_ASKED = re.compile(r"\bhow (?:many|much)\b", re.I)
_MODIFIER = re.compile(r"-([a-z]+)\b")  # "eight-week", "44-man": the number qualifies a noun


def _in_name(sentence: str, start: int, end: int, phrase: str) -> bool:
    """Whether a number written as a capitalised word is part of a name: a capitalised word follows
    it ("Six Nations") or, past a sentence's start, comes before it ("Formula One")."""
    if not phrase[:1].isupper():
        return False
    after = re.match(r"\s+[A-Z]", sentence[end:])
    before = re.search(r"[A-Za-z]+\s+$", sentence[:start])
    return bool(after) or bool(before and before.group(0)[0].isupper() and sentence[:before.start()].strip())


_AGE_WORDS = frozenset(terms("years year age"))


def _no_count(sentence: str, start: int, end: int, focus: set[str]) -> bool:
    """Whether the number at ``start:end`` counts nothing a how-many question could ask for: a rate's
    denominator ("broadband users per 100 people"), or a share (a percentage, "two thirds") of something
    other than what is counted ("45% of gross domestic product" for "how many people live in Ethiopia",
    "two thirds of its business" for "how many branches"; a share with no "of", "readership has shot
    up by 58%", is a change), or an age unless years are counted ("at age 95" for "how many people
    attended"). A share of the thing counted stays ("more than 60% of online Americans" for "how many
    Americans read blogs")."""
    if _PER_BEFORE.search(sentence, max(0, start - 6), start):
        return True
    if _AGED.search(sentence, max(0, start - 12), start) and not focus & _AGE_WORDS:
        return True  # "who died Saturday at age 95": an age, no count of the people at his funeral (new user 24)
    fraction = _FRACTION_AFTER.match(sentence, end)  # "two thirds of its business": a share too
    if not (is_share(sentence[start:end]) or _PERCENT_AFTER.match(sentence, end) or fraction):
        return False
    return not share_of(sentence, fraction.end() if fraction else end, focus)


def _no_figure(sentence: str, start: int, end: int, phrase: str) -> bool:
    """Whether a number is part of a name ("3G", "4K", "COVID-19"; "42km" is a unit), a time of day ("4
    p.m.") or a day of the month ("31 December", "December 31,"; not "in December 12 people died"): no
    figure to answer "how many" or "how much" with."""
    if phrase[-1:].isdigit() and sentence[end : end + 1].isupper():
        return True
    if phrase[:1].isdigit() and sentence[start - 1 : start] == "-" and sentence[start - 2 : start - 1].isalpha():
        return True  # "COVID-19", "MH-17", "F-35": the number of a name
    if _CLOCK_AFTER.match(sentence, end):
        return True  # "a 4 p.m. news conference", "at 10:30": a time of day
    return day_of_month(sentence, start, end)


_CLOCK_AFTER = re.compile(r"(?::\d\d)?\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o['’]clock\b|GMT\b|BST\b|[ECMP][SD]?T\b)", re.I)


def day_of_month(text: str, start: int, end: int) -> bool:
    """Whether the number at ``text[start:end]`` is a day of the month: up to 31, right before or after a
    capitalised month ("31 December", "December 31,", "Dec. 8"); not "20 may have died" nor "in December
    12 people died" (a lower-case word after it is what it counts). Also ``rag.recency``'s test."""
    number = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", text[start:end])
    if number is None or int(number.group(1)) > 31:
        return False
    return bool(_MONTH_AFTER.match(text, end) or (_MONTH_BEFORE.search(text, max(0, start - 12), start)
                                                  and not re.match(r"\s+[a-z]", text[end:])))


# capitalised: "20 may have died" is a count
_CAPITAL_MONTH = ("(?:" + "|".join(m.capitalize() for m in MONTHS.split())
                  + "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)")
_MONTH_AFTER = re.compile(rf"(?:st|nd|rd|th)?\s+(?:of\s+)?{_CAPITAL_MONTH}\b")
_MONTH_BEFORE = re.compile(rf"\b{_CAPITAL_MONTH}\.?\s+$")


def share_of(sentence: str, end: int, words: set[str]) -> bool:
    """Whether the share ending at ``end`` is "of" something among ``words`` (stems): "40% of the total
    electorate" for a question on the electorate, not "5.9% to 20.7 kronor"."""
    after = _PERCENT_AFTER.match(sentence, end)
    of = _SHARE_OF.match(sentence, after.end() if after else end)
    return bool(of and words & set(terms(of.group(1))))


_FRACTION_AFTER = re.compile(r"[\s-]+(?:halves|half|thirds?|quarters?|fifths?|sixths?|eighths?|tenths?)\b", re.I)
_PER_BEFORE = re.compile(r"\bper\s+$", re.I)
_SHARE_OF = re.compile(r"\s+of\s+((?:[\w'’-]+\s+){0,3}[\w'’-]+)")


def _qualifies(sentence: str, end: int, focus: set[str]) -> bool:
    """Whether the number ending at ``end`` is hyphenated to a word other than the thing counted."""
    m = _MODIFIER.match(sentence, end)
    return m is not None and not focus & set(terms(m.group(1)))


# an alternative the sentence rules out: "in Manchester and not Blackpool", "Manchester, not Blackpool",
# "not (in) Blackpool but Manchester", "rather than Blackpool", "instead of Blackpool"; not "not only ..."
_NEGATED_BEFORE = re.compile(r"(?:\bnot|\brather\s+than|\binstead\s+of)\s+(?:(?:in|at|to|from|on|by|for|with)\s+)?"
                             r"(?:the\s+|a\s+|an\s+)?$", re.I)
_NEGATION_ASKED = re.compile(
    r"\b(?:not|never|rather than|instead of|rejected|rejects|ruled out|passed over)\b|n['’]t\b", re.I)
# a name denied what follows it: "Denmark isn't first now", "Smith was not the gunman"; not what was not done to it
# ("Jesus was not crucified": the passive's subject, whom the phrase ranker weighs as before)
_DENIED_AFTER = re.compile(r"\s+(?:is|was|are|were)(?:n['’]t|\s+not)\b(?!\s+(?:only|being|[a-z]+(?:ed|en|wn|ght))\b)",
                           re.I)
# a name ranked behind the first: "with Denmark in second", "Switzerland third", "Denmark holding the second place",
# "Noa Kirel came in third"
_PLACED_AFTER = re.compile(r"(?:\s+(?:holding|taking|came|finished|placed|was|is|ranked))?(?:\s+(?:in|at))?"
                           r"(?:\s+the)?\s+"
                           r"(second|third|fourth|fifth|2nd|3rd|4th|5th|runner-up)\b(?!\s*(?:-|round|half|quarter|set|"
                           r"leg|innings|period|term|time|year|day|week|game|match|straight|consecutive|largest|biggest|"
                           r"most|highest|best|worst|city|country|state|person|man|woman|child|wife|husband|son|"
                           r"daughter|[a-z]+est)\b)", re.I)
# ... past a clause set off after the name: "Finnish singer Käärijä, a wildly energetic performer whose ... anthem
# won the public vote, finished second" (new user 32: the runner-up, for who won)
_PLACED_APART = re.compile(r",\s+(?:a|an|the|who|whose)\s[^,;]{0,140},\s+(?:came|finished|placed|was|ranked)"
                           r"(?:\s+in)?(?:\s+the)?\s+(second|third|fourth|fifth|2nd|3rd|4th|5th|runner-up)\b")
# the place behind the first a question asks for ("Who came second?"), which a name placed at another is not
_PLACE_ASKED = re.compile(r"\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th|runners?-up)\b", re.I)
_ORDINALS = {"2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth", "runner-up": "second",
             "runners-up": "second"}


def _ordinal(word: str) -> str:
    """"second" for "2nd", "runner-up" or "Second"."""
    word = word.lower()
    return _ORDINALS.get(word, word)


def _placed_at(sentence: str, end: int) -> str | None:
    """The place behind the first ("second", "third") the sentence gives the name ending at ``end``, or None."""
    placed = _PLACED_AFTER.match(sentence, end) or _PLACED_APART.match(sentence, end)
    return _ordinal(placed.group(1)) if placed else None


def placed_as_asked(q: Question, sentence: str, start: int | None = None) -> bool:
    """Whether a question asking who came second (third, ...) finds in ``sentence`` a name placed there
    ("Finnish singer Käärijä, ..., finished second"; ``rag.extractive.ExtractiveAnswerer.short_answer``);
    ``start``: only the name starting there."""
    asked = _PLACE_ASKED.search(q.text)
    if asked is None or wanted_type(q) != "name":
        return False
    return any(_placed_at(sentence, c.end) == _ordinal(asked.group(0)) for c in candidates(q, sentence)
               if start is None or c.start == start)


_PLACING_ASKED = re.compile(r"\b(?:second|third|fourth|fifth|runners?|2nd|3rd|4th|5th|place|placed|finish\w*|rank\w*)\b",
                            re.I)


def _negated(sentence: str, start: int, phrase: str) -> bool:
    """Whether the phrase at ``start`` is an alternative the sentence rules out ("... and not Blackpool")."""
    if re.match(r"(?:only|just|merely)\b", phrase, re.I):
        return False  # "not only 5 but ...", "not just Leeds"
    return bool(_NEGATED_BEFORE.search(sentence, max(0, start - 20), start))


# "173 of the 299 votes", "three out of the four suspects", "$32bn of the $1.6 trillion": a part (a count or
# an amount, not a share nor "hundreds of thousands"), then the total it is part of
_PART = (rf"(?:(?<![\w£$€.,])[£$€]?\d(?:[\d,.]*\d)?(?:\s?(?:bn|m|k|million|billion|trillion)\b)?"
         rf"|\b(?!(?:one|half|hundreds|thousands|millions|billions|dozens|tens|scores)\b){_NUMWORD})")
_OF_THE = r"\s+(?:out\s+)?of\s+(?:the\s+|its\s+|their\s+|his\s+|her\s+)?"
_PART_OF_BEFORE = re.compile(rf"{_PART}{_OF_THE}$", re.I)
_OF_TOTAL_AFTER = re.compile(rf"{_OF_THE}{_PART}", re.I)
_TOTAL_ASKED = re.compile(r"\b(?:total|in all|altogether|overall|out of how many|of how many)\b", re.I)


def _a_total(sentence: str, start: int, end: int, question: str, qstems: set[str], focus: set[str]) -> bool:
    """Whether the figure at ``start:end`` is the total of "X of the Y" ("winning 173 of the 299 votes")
    and the question asks for the part, as it does unless it asks for a total ("how many votes were
    there in total") or the question's word qualifies the total ("173 of the 299 votes *cast*" for "how
    many votes were cast", "five of the 11 people *killed*"; not "200 of the 1,500 staff *will* lose
    their jobs", whose verb is the part's)."""
    if not _PART_OF_BEFORE.search(sentence, max(0, start - 30), start) or _TOTAL_ASKED.search(question):
        return False
    noun = counted_noun(sentence, end)
    at = sentence.find(noun, end) + len(noun) if noun else end
    qualifier = _NEXT_WORD.match(sentence, at)
    return not (qualifier and set(terms(qualifier.group(1))) & (qstems - focus))


@lru_cache(maxsize=1024)
def _asked_head(question: str) -> frozenset[str]:
    """Stems of the noun a "which/what <noun>" question asks for ("which little-known *firm*", "which
    *contractor*") or the post a who-question asks the holder of ("who is the *chairman*", "who
    *chairs*"), with the synonyms of a word as general as "boss" ("which boss": chief executive,
    chairman; not those of "deputy leader": a chairman is none)."""
    named = _NAMES_OF.search(question)
    if named:  # "What were the names of the two turkeys ...?": turkeys ("two turkeys, Chocolate and Chip")
        return frozenset(terms(named.group(1)))
    m = _ASKED.search((asking_sentence(question) or question).lower())
    words = re.split(r"\s+(?:of|in|at|for|from|to|on|with|by|behind|after|before)\b", m.group(1))[0].split() \
        if m else []
    verb = next((i for i, w in enumerate(words)
                 if i and (w in _NOT_MODIFIED or (len(w) > 4 and w.endswith(("ed", "ly"))))), len(words))
    words = words[:verb]  # "which little-known firm *won* the sale": a firm
    owner = next((i for i, w in enumerate(words) if w.endswith(("'s", "’s")) and w[:-2] not in _GENERIC_OWNERS), None)
    if owner is not None:  # "Which MLB team's owner announced ...?": a team (its owner is said), not an owner
        words = [*words[:owner], words[owner][:-2]]
    head = set(terms(words[-1])) if words else set(_posts_named(question))
    general = head & _GENERAL_POSTS
    return frozenset(head.union(*(group for group in _POST_SYNONYMS if group & general)))


_NAMES_OF = re.compile(r"\bnames?\s+of\s+(?:the\s+|this\s+|these\s+|those\s+)?(?:(?:two|three|four|five|\d+)\s+)?"
                       r"([a-z][a-z’'-]+)", re.I)
# "singer Ian Brown" (a trade before a name, read with ``_NOUN_BEFORE``; not the "member" of "NATO-member Poland")
_PERSON_WORDS = frozenset(PERSON_NOUNS) | frozenset(w + "s" for w in PERSON_NOUNS) | {"frontman", "frontwoman"}


@lru_cache(maxsize=1024)  # read once a candidate sentence, as ``_asked_head``'s question is
def _described_words(question: str, asked_head: frozenset[str]) -> frozenset[str]:
    """The stems with which ``question`` describes another party than the one it asks for: the words after a
    "which <noun>" question's noun ("Which little-known company won the auction for the *Russian oil firm's*
    ..."), or those of a who-question that asks for its verb's object, whose subject it describes ("Who did
    *the Israeli prime minister* sack?"). Empty for a who-question asking for the doer ("Who won the best
    actress Oscar?": "Best actress winner Michelle Yeoh" is described as asked)."""
    asking = asking_sentence(question) or question
    if (m := _OBJECT_WHO.match(asking)) is not None:
        return frozenset(terms(asking[m.end() :])) - _QUESTION_STEMS
    m = _ASKED.search(asking.lower())
    if m is None or not asked_head:
        return frozenset()
    words = asking.lower()[m.start(1) :].split()
    head = next((i for i, w in enumerate(words) if set(terms(w)) & asked_head), None)
    if head is None:
        return frozenset()
    if words[head + 1 : head + 2] in (["is"], ["was"], ["are"], ["were"], ["became"]) \
            and not re.fullmatch(r"[a-z]+(?:ing|ed)|to|being|set|due|about", (words[head + 2 : head + 3] or [""])[0]):
        return frozenset()  # "What team was the AFC champion?": the words describe the one asked (not "is taking")
    return frozenset(terms(" ".join(words[head + 1 :]))) - asked_head - _QUESTION_STEMS


# "Who did the Israeli prime minister sack?", "Whom has the club signed?": the verb's object is asked
_OBJECT_WHO = re.compile(r"\s*(?i:who(?:m)?\s+(?:did|does|do|will|would|has|have|had|can|could|should|might|may))\s+"
                         r"(?=(?:the|a|an|his|her|its|their)\b|[A-Z])")
_QUESTION_STEMS = frozenset(terms("who whom which what new former"))
# lowercase words right before a name, up to three, after the last word that is no modifier: "of *oil giant*
# Yukos", "Shares in *engineering group* Jarvis"
_MODIFIERS_BEFORE = re.compile(r"(?:^|[^\w-])((?:[a-z][\w-]*\s+){1,3})$")
_OWNS_AFTER = re.compile(r"['’]s\s+([a-z]+(?:\s+[a-z]+)?)")
_VERB_LIKE = re.compile(r"[a-z]+(?:ed|ing)|said|says|told|tells|won|wins|beat|beats|bought|buys|sold|sells|took|"
                        r"takes|made|makes|met|meets|led|leads|hit|hits|named|called|calls|including|like|as|with|"
                        r"and|or|than|be|is|are|was|were|been|became|becomes|has|have|had|will|would|can|could")
_BASED_ASKED = re.compile(r"\bwhere\b.*\bbased\b|\bbased\s+in\s+which\b|\bwhich\s+\w+\s+is\b.*\bbased\b", re.I)
_BASED_IN = re.compile(r",?\s+based\s+in\s+([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")


def _described(question: str, sentence: str, start: int, end: int, phrase: str, described: frozenset[str],
               asked: frozenset[str]) -> bool:
    """Whether the name ``phrase`` at ``start:end`` is the party the question describes with ``described``
    (``_described_words``), not the one it asks for: the modifiers right before it say so ("oil giant Yukos" for
    "the Russian oil firm", "engineering group Jarvis" for "the engineering firm's stake") and none of them is
    the asked noun; or the title words it opens with ("Israeli Prime Minister Benjamin Netanyahu" for "Who did
    the Israeli prime minister sack?"); or where it is "based in" ("Silicon Valley Bank, based in Santa Clara");
    or it owns what the question gives another owner ("Tate & Lyle's chief executive" for "Which magazine named
    the sugar group's chief executive ...?")."""
    m = _MODIFIERS_BEFORE.search(sentence, 0, start)
    if m:
        words = m.group(1).split()
        while words and words[0] in STOPWORDS:
            words = words[1:]  # "of oil giant": "oil giant"
        stems = set(terms(" ".join(words)))
        # the words before the last one ("oil" of "oil giant") are the question's: the last one names the kind
        # ("horror film Critters 3" for "In which horror movie did DiCaprio make his film debut?" is a film)
        told = set(terms(" ".join(words[:-1])))
        if len(words) > 1 and all(w not in STOPWORDS for w in words) and not _VERB_LIKE.fullmatch(words[-1]) \
                and told & described and not stems & asked and not set(terms(phrase)) & asked:
            return True  # (the word before names it: in "The rebels captured Khansir" it is a verb)
    title = [w for w in phrase.split()[:-2] if w[:1].isupper()]
    if title and len(phrase.split()) >= 3 and set(terms(" ".join(title))) <= described:
        return True
    based = _BASED_IN.match(sentence, end)
    if based and set(terms(based.group(1))) & described:
        return True
    # "Tate & Lyle's chief executive" for "the sugar group's chief executive"; but "Which country's race ...?" is
    # answered by "Brazil's race"
    owns = _OWNS_AFTER.match(sentence, end - 2 if phrase.endswith(("'s", "’s")) else end)
    return bool(owns and not _WHICH_OWNERS.search(question)
                and re.search(rf"\w['’]s\s+{re.escape(owns.group(1).lower())}\b", question.lower()))


def _initials_of(phrase: str, question: str) -> bool:
    """Whether ``phrase`` is the initials of a name the question writes out: "M&S" of "Marks & Spencer", "BA" of
    "British Airways"."""
    if not re.fullmatch(r"[A-Z][A-Z&]{1,4}", phrase):
        return False
    letters = phrase.replace("&", "")
    for m in re.finditer(r"(?:[A-Z][\w'’-]*(?:\s+(?:&|and|of)\s+|\s+)){1,4}[A-Z][\w'’-]*", question):
        initials = "".join(w[0] for w in m.group(0).split() if w[0].isupper())
        if letters in (initials, initials[: len(letters)]) and len(initials) == len(letters):
            return True
    return False


# before a capitalised word that only describes the person named by the noun after it: "its first Black male"
_DESCRIBING_BEFORE = re.compile(r"\b(?:the|a|an|its|his|her|their|first|only|second|new|another|sole)\s+$", re.I)
_SEXES = frozenset("male female males females man men woman women".split())
_GENERIC_OWNERS = frozenset("children women men people kids girls boys".split())  # "which children's book": a book
_WHICH_OWNERS = re.compile(r"\bwhich\s+(?:[\w-]+\s+){0,2}?(?!(?:children|women|men|people|kids)['’])[\w-]+['’]s\s+"
                           r"([a-z][\w-]*)", re.I)  # "which team's *owner*"
_GENERAL_POSTS = frozenset(terms("boss head chief chair"))


# a name right after the noun asked for ("the contractor Halden Civil", "chief executive Gene Kahn", "its
# head of digital, Owen Fairley"), or the agent of the verb a who-question asks the doer of ("directed by
# (Dutch-born) Anton Corbijn"; not "approved by U.S. regulators" for "shareholders approved a merger with
# which company?", nor "put in charge ... by Mr Blair" for "Who was in charge ...?")
_NOUN_BEFORE = re.compile(r"\b([a-z][a-z'’-]*),?\s+$")
_NAMED_NOUN = re.compile(r"[A-Z][\w'’-]*(?:\s+[a-z][a-z'’-]*)?\s+$")  # the noun ends a name: "Beverly Hilton hotel"
_POST_APPOSITIVE = re.compile(r"\b([a-z][a-z'’-]*)\s+(?:of|for|at)\s+(?:[a-z][\w'’-]*\s+){0,3}?"
                              r"[a-z][\w'’-]*,\s+$")
_BY_AGENT = re.compile(r"\b([a-z]+)\s+by\s+(?:(?:[a-z]+|[A-Z][a-z]+-[a-z]+)\s+){0,2}$")


def _named_as_asked(sentence: str, start: int, head: frozenset[str], verb: frozenset[str]) -> bool:
    """Whether the name at ``start`` is bound to what a name question asks: right after the noun it
    asks for ("Which contractor ...?": "awarded to the contractor Halden Civil", not "Port Ellison"
    earlier in the sentence) or the agent of its verb ("Who will direct ...?": "directed by Anton
    Corbijn", not "Joy Division")."""
    before = sentence[max(0, start - 60) : start]
    noun = _NOUN_BEFORE.search(before)
    if noun and noun.group(0).startswith(noun.group(1) + ",") and _NAMED_NOUN.search(before, 0, noun.start()):
        noun = None  # "the Beverly Hilton hotel, Los Angeles", "South Kensington tube station, New signage"
    for found in (noun, _POST_APPOSITIVE.search(before)):
        if found and head and set(terms(found.group(1))) & head:
            return True
    agent = _BY_AGENT.search(before)
    if verb & _BEAT_VERBS and _LOST_TO.search(before):
        return True  # "Who beat Marat Safin?": "Safin suffered a shock loss to unseeded Nicolas Kiefer" (new user 25)
    return bool(agent and verb and set(terms(agent.group(1))) & verb)


# after the doer of a verb: "Loreen won Eurovision", "Loreen, who won the competition", "Smith has resigned"
_DOER_AFTER = re.compile(r"(?:,\s+who)?\s+(?:(?:has|have|had|will|would|also|then|just|finally)\s+)?([a-z]+)\b")
_GOVERNED = re.compile(r"\b(?:of|from|in|at|to|by|with|for|on|about|against|over|than|after|before)\s+$", re.I)


def _doer_of(sentence: str, start: int, end: int, verb: frozenset[str]) -> bool:
    """Whether the name at ``start:end`` does what a who-question asks the doer of (``_active_verb``): "Who won
    Eurovision?": "Swedish singer Loreen won Eurovision", not the song of 'whose anthem "Cha Cha Cha" won the
    public vote' (new user 32), nor "Stockholm" of "The diva from Stockholm won" (a preposition's object)."""
    if not verb or verb & _BEAT_VERBS or _GOVERNED.search(sentence, max(0, start - 12), start):
        return False  # (who beat whom is bound by the loss it tells, ``_LOST_TO``, as new user 25's tests hold)
    after = _DOER_AFTER.match(sentence, end)
    return after is not None and bool(set(terms(after.group(1))) & verb)


_BEAT_VERBS = frozenset(terms("beat beats defeat defeated knock knocked eliminate eliminated oust ousted overcame"))
#: the winner after a loss: "a shock loss to unseeded Nicolas Kiefer", "a comprehensive defeat by Jurgen Melzer"
_LOST_TO = re.compile(r"\b(?:loss|losses|lost|losing|defeat|defeated|beaten|fell|knocked\s+out|eliminated|ousted)\s+"
                      r"(?:to|by)\s+(?:[a-z][\w'’-]*\s+){0,2}$")


@lru_cache(maxsize=1024)
def _active_verb(question: str) -> frozenset[str]:
    """Stems of the verb a who-question asks the doer of ("Who will *direct* the film?"); empty for a
    passive ("Who was appointed?": its "by" names who appointed) and for other questions, whose "by"
    names what the question did not ask ("Spirit shareholders approved a merger with which company?":
    not "approved by U.S. regulators"; on the kept tuning retrievals "which state passed", "which
    company agreed" bound more wrong names than right ones)."""
    asking = asking_sentence(question) or question
    m = _WHO_DOES.match(asking) or _WHO_IS_DOING.match(asking)
    return frozenset(terms(m.group(1))) if m else frozenset()


_WHO_DOES = re.compile(r"\s*who\s+(?:(?:will|would|shall|should|can|could|may|might|must|did|does|do|has|have|had)\s+)?"
                       r"(?!(?:is|was|are|were|be|been|being|not)\b)([a-z]+)", re.I)


# "Who is replacing Ainum Mohd-Saaid as chief executive?": the doer, as of "Who will replace ...?" ("is to be
# replaced by Lillian Tan", not the co-chief who left, new user 17)
_WHO_IS_DOING = re.compile(r"\s*who\s+(?:is|are|was|were|will\s+be)\s+([a-z]+ing)\b", re.I)
_AGED = re.compile(r"\bage(?:[ds]|\s+of)?\s*$", re.I)  # "aged 71", "at the age of 27"
# "Biden turns 80", "(Manning was 39, Newton was 26)", "died at 27": read only for a "how old" question's numbers
_AGE_VERB = re.compile(r"\b(?:turns|turned|turning|is|was|is now|was only|is only|(?:died|dies|dying) at)\s+$", re.I)
_BIRTHDAY_AFTER = re.compile(r"(?:st|nd|rd|th)\s+birthday\b", re.I)  # an ordinal birthday states an age
_NOT_AN_AGE = re.compile(r"\w|\s*(?:%|per ?cent\b|percent\b)|\s+(?:years?|months?|weeks?|days?|hours?)\b(?!\s*old)",
                         re.I)
_LEADING_TITLE = re.compile(rf"^(?:(?:{_TITLE_WORDS}|Manager|Director|Chairman|Chairwoman|Boss|Officer|General|"
                            r"Colonel|Rev|Father)\.?\s+)+")
_BETWEEN = re.compile(r"\b[Bb]etween\s+$")
_AND_NUMBER = re.compile(r"\s+and\s+[£$€]?\d")
_RANGE_FROM = re.compile(r"\b[Bb]etween\s+[£$€]?\d[\d,.]*(?:\s?(?:million|billion|bn|m|k|%))?\s+and\s+$")
_WHERE_BEFORE = re.compile(r"\b(?:in|at|near)\s+$")
# people a name is the employer or home of: "Twitter employees", "Disney executives", "Ohio residents"
_PEOPLE_OF = re.compile(r"[’']?\s+(?:employees|staff|staffers|workers|engineers|executives|officials|managers|"
                        r"fans|users|customers|members|residents|voters|citizens|students|lawmakers|investors)\b")
# a business or team post inside a run of capitalised words: "Former Starbucks CEO Howard Schultz", "Disney Chairman
# Bob Iger": the owner before it, the holder after it (a bare post before a name, "Coach Ted Lasso", is ``_LEADING_TITLE``'s)
_INNER_POST = re.compile(r"\s+(?:CEO|CFO|COO|CTO|Chief Executive(?: Officer)?|Chairman|Chairwoman|Founder|Co-founder|"
                         r"Boss|Owner|Coach|Manager|Spokesman|Spokeswoman|Spokesperson)\s+(?=[A-Z])")
_FORMER = re.compile(r"^(?:(?:Former|Ex|Then|Late|Acting|Interim|New|Outgoing|Incoming)(?:\s+|$))+")
#: words that make a post of the one after them, never its owner: "Assistant Coach", "General Manager"
_POST_QUALIFIERS = frozenset("assistant deputy vice general executive head chief senior associate joint team club "
                             "company firm group".split())


def _inner_post(phrase: str) -> tuple[int, int] | None:
    """(start, end) of a business or team post between an owner's and a holder's name inside ``phrase``
    ("Former Starbucks CEO Howard Schultz": " CEO "), or None when there is none, or when what stands before it
    is no owner ("Assistant Coach Jim Smith", "Former CEO John Doe").

    >>> p = "Former Starbucks CEO Howard Schultz"; i = _inner_post(p); (p[: i[0]], p[i[1] :])
    ('Former Starbucks', 'Howard Schultz')
    >>> _inner_post("Assistant Coach Jim Smith"), _inner_post("Former CEO John Doe"), _inner_post("Bank of England")
    (None, None, None)
    """
    m = _INNER_POST.search(phrase)
    if m is None:
        return None
    owner = _FORMER.sub("", phrase[: m.start()])
    if not owner or owner.split()[-1].lower() in _POST_QUALIFIERS or owner.split()[0].lower() in _POST_QUALIFIERS:
        return None
    return m.start(), m.end()


# a where-question asking the place a post is of or someone is from ("Where is DeSantis governor?"), which a place
# before a title ("Florida Gov.") answers
_POST_PLACE_ASKED = re.compile(r"\b(?:gov|governor|sen|senator|rep|representative|congress\w*|mayor|minister|president|"
                               r"premier|chancellor|secretary|from|represents?|governs?|serves?)\b", re.I)
_TRAILING_TITLE = re.compile(r"\s+(?:Gov|Governor|Sen|Senator|Rep|President|Prime Minister|Mayor|Minister|Secretary|"
                             r"Chancellor|Attorney General|Lt)\.?$")
_HOW_MANY = re.compile(r"\bhow many\b", re.I)
_TOLL = re.compile(r"\b(?:death|casualty|injury)?\s*tolls?\b|\bhow many (?:people )?(?:were |have been |had been |have |had )?"
                   r"(?:killed|dead|died|injured|hurt|wounded|perished)\b", re.I)
# a how-many question asking for the dead by its verb or noun: "how many people did Ian kill", "how many
# lives did it claim", "how many deaths has it caused" (new user 12: "More than 1,600 people have been rescued")
_TOLL_ASKED = re.compile(r"\b(?:kill|kills|killed|die|died|dead|deaths?|fatalities|perish(?:ed)?|lives)\b", re.I)
# ... but not a death the question dates or ties its count to: "How many were arrested over the deaths?"
_AFTER_THE = re.compile(r"\b(?:of|after|over|following|for|in|since|before|about|behind)\s+(?:the\s+|their\s+|his\s+|her\s+)?$",
                        re.I)


def _asks_the_dead(question: str) -> bool:
    """Whether a how-many question asks for the dead by its verb or noun ("how many people did Ian kill",
    "how many deaths has it caused"), not for a count tied to a death ("arrested over the killing")."""
    return any(not _AFTER_THE.search(question, 0, m.start()) for m in _TOLL_ASKED.finditer(question))
_TOLL_COUNTS = frozenset(terms("killed dead died deaths death injured wounded hurt casualties victims bodies "
                                "toll killing"))
# "the death toll in Syria's northwestern rebel-held region has reached 2,166", "the number of victims
# of the Kabul market explosion at 19": the toll's verb or preposition names its number, however far
# the toll is in the clause; "the toll from the magnitude 7.0 quake" names none
_TOLL_BEFORE = re.compile(r"\b(?:tolls?|victims|deaths|fatalities|casualties|number of (?:people )?(?:killed|dead))\b"
                          r"[^,;:]*\b(?:to|at|of|reached|hit|hits|"
                          r"is|was|stands|stood|passed|topped|exceeded|surpassed)\s+$", re.I)
# "at least 109 people have been reported killed": the clause's verb after auxiliaries, past the 30
# characters read otherwise (not "a magnitude 6.4 quake less than a week ago that killed 16 people")
_KILLED_AFTER = re.compile(r"\s+(?:people\s+|persons\s+|others\s+)?(?:(?:have|has|had|been|were|was|are|is|now|"
                           r"reported|confirmed|believed|feared|known|officially|already)\s+){1,4}"
                           r"(?:killed|dead|died|to\s+have\s+died)\b", re.I)
_LIVES = re.compile(r"\blives\b", re.I)  # "claimed 12 lives"; its stem is that of "live" ("four million people live")


# a count said of a place ("eight people in Collier County"), and how many such a sentence lists
_IN_PLACE = re.compile(r"(?:\s+[a-z]+){0,3}\s+in\s+((?:[A-Z][\w.'’-]*\s?){1,3})")  # "105 of those deaths in Florida"
_ALONE = re.compile(r"\s*alone\b")
_MORE_AFTER = re.compile(r"\s*\b(?:other|more|additional|further)\b", re.I)
_PER_PLACE = re.compile(r"\b(\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|each)\b(?:\s+[a-z]+){0,3}"
                        r"\s+in\s+[A-Z]")


def _one_of_places(sentence: str, end: int, qstems: set[str]) -> bool:
    """Whether the count ending at ``end`` is one place's of several the sentence lists ("eight people in
    Collier County, five in Volusia County, three in Sarasota County") or one place's "alone" ("54 people
    died in Lee County alone"), a place the question does not ask about: a part, not the total asked."""
    m = _IN_PLACE.match(sentence, end)
    return bool(m) and not set(terms(m.group(1))) & qstems and (
        len(_PER_PLACE.findall(sentence)) >= 2 or bool(_ALONE.match(sentence, m.end())))  # "in Lee County alone"


# where a sentence's clauses part: "..., while Democrats have won 204", "...; Twitter cut 3,700"
_CLAUSE_BREAK = re.compile(r",\s*(?:while|whereas|but|and)\s+|\s+(?:while|whereas)\s+|;\s*")
# a sentence's subject of up to three capitalised words, doing something (not saying it: "Jassy said the
# company would cut 10,000 jobs" tells Amazon's figure by its chief)
_ACTOR = re.compile(r"\s*(?:The\s+)?((?:[A-Z][\w'’-]*\s+(?:[a-z]+\s+(?=[A-Z]))?){0,2}[A-Z][\w'’-]*)\s+"  # "Facebook parent Meta"
                    r"(?:(?:recently|also|now|just|already|has|have|had|will|would|is|are|was|were|could|"
                    r"plans\s+to)\s+){0,2}"
                    r"(?!said|told|reported|added|stated|noted|claimed|warned|confirmed)"
                    r"(?:[a-z]+ed|cut|cuts|won|wins|lost|loses|sold|sells|paid|pays|spent|spends|laid|lays|let|lets|"
                    r"made|makes|took|takes|shed|sheds|hired|hires)\b")
# the question's subject, a name after its auxiliary: "How many jobs is *Amazon* cutting?", "How many seats did
# *Labour* win?", "How many House seats have *the Democrats* won?"
_ASKED_SUBJECT = re.compile(r"\b(?:is|are|was|were|has|have|had|did|does|do|will)\s+(?:the\s+)?[A-Z][\w'’-]*")
_CAPITAL_WORD = re.compile(r"[A-Z][\w'’-]*")


# what a fact check reports as claimed, not as so: "The claim: ...", "we rate FALSE the claim that ...", "The claim that
# X ... is rated PARTLY FALSE", "'...' reads a Dec. 30 Facebook post", "According to one social media post, ...", "A viral
# Twitter post claims ..."
_FALSE = r"(?:partly\s+|mostly\s+|completely\s+)?(?:false|misleading|untrue|altered|inaccurate|missing\s+context|satire)"
_CLAIMED = (
    re.compile(r"^\W*(?:the\s+)?claim\s*:\s*(?P<c>.*)$", re.I),
    re.compile(rf"\brat(?:e|es|ed|ing)\s+(?:it\s+)?{_FALSE}\s+(?:the|a|this)\s+claims?\b(?P<c>.*)$", re.I),
    re.compile(rf"\bclaims?\s+that\b(?P<c>.*?)\b(?:is|was|are|were)\s+(?:rated\s+|as\s+|an?\s+)?{_FALSE}\b", re.I),
    re.compile(r"[\"“](?P<c>[^\"”]{3,})[\"”]\s*,?\s*reads\s+(?:a|an|the)\b", re.I),
    re.compile(r"\baccording\s+to\s+(?:a|an|one|the|some)\s+(?:viral\s+)?(?:social\s+media|facebook|twitter|instagram|"
               r"tiktok|online|viral)\b[^,]*,(?P<c>.*)$", re.I),
    re.compile(r"\b(?:posts?|tweets?|memes?|rumou?rs?|videos?|captions?)\b[^,.;:]{0,40}?\s(?:also\s+)?(?:falsely\s+)?"
               r"claim(?:s|ed|ing)?\b(?!\s+(?:\S+\s+){0,2}?(?:lives?|victims?|responsibility|titles?|victory|seats?|gold)\b)"
               r"(?P<c>.*)$", re.I),  # not "a crash that claimed 12 lives"
)
# a question about the claim itself ("What did the viral post claim?") may be answered from it
_CLAIM_ASKED = re.compile(r"\b(?:claim\w*|post(?:s|ed)?|rumou?r\w*|viral|hoax\w*|fact[- ]check\w*|false(?:ly)?|meme\w*)\b",
                          re.I)


def claimed_spans(sentence: str) -> tuple[tuple[int, int], ...]:
    """The spans of ``sentence`` that tell what a fact check reports as claimed rather than as so.

    >>> s = "The claim that Denmark is ranked the happiest country is rated PARTLY FALSE, based on our research."
    >>> [s[a:b].strip() for a, b in claimed_spans(s)]
    ['Denmark is ranked the happiest country']
    >>> claimed_spans("Russia claims that it captured Soledar.")  # a party's claim, reported: not a fact check's
    ()
    """
    return tuple((m.start("c"), m.end("c")) for pattern in _CLAIMED for m in pattern.finditer(sentence))


# what someone supposes rather than tells: "If I were just 80 years old, ..." holds no age (new user 30's bold
# **just 80** for "How old did Jimmy Carter turn in October 2020?")
_SUPPOSED = re.compile(r"\b[Ii]f\s+(?:I|he|she|we|they|it|you)\s+(?:were|was|had\s+been)\b[^,;.!?]*")

_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.I)
_HE = re.compile(r"\b(?:he|him|his|himself)\b", re.I)


def _other_sex(question: str, sentence: str) -> bool:
    """Whether ``sentence`` speaks of a man where the question asks for a woman, or the other way round: the
    question says "she" (or "he") before naming anyone, so of the one asked ("Which music superstar announced she
    will embark on a global tour?"), and the sentence says only "he" (or only "she": "... Garth Brooks confirmed
    ... that he'll embark on a world tour", the RealTime QA answer **Garth Brooks**).

    >>> _other_sex("Which superstar announced she will tour?", "Garth Brooks confirmed that he'll embark on a tour.")
    True
    >>> _other_sex("Who did Taylor Swift say she dated?", "Swift said he was kind.")  # "she" is Taylor Swift
    False
    """
    pronoun = _SHE.search(question) or _HE.search(question)
    if pronoun is None or _CAPITAL_WORD.search(question, 1, pronoun.start()) \
            or not (name_kind(question) == "person" or _person_noun_asked(question)):
        return False
    asked_she = bool(_SHE.search(question))
    if asked_she and _HE.search(question):
        return False
    same, other = (_SHE, _HE) if asked_she else (_HE, _SHE)
    return bool(other.search(sentence)) and not same.search(sentence)


def _rival_clauses(question: str, sentence: str) -> tuple[tuple[int, int], ...]:
    """The spans of ``sentence``'s clauses about another subject than the one a figure question names, when
    another clause names it: "Republicans have won 211 of the 218 seats, while Democrats have won 204" for
    "How many House seats have the Democrats won?" (new user 14 got **211**). A clause's subject is its first
    word when capitalised (no calendar word, no discourse word such as "However"); the question's names are
    its capitalised words but the first. A sentence naming none of them is all another's when its subject
    does the thing (``_ACTOR``: "Facebook-parent Meta recently announced 11,000 job cuts" for "How many jobs
    is Amazon cutting?", new user 14's bold **11,000 job**), not when it says it ("Jassy said ..."). A
    relative clause of another name is that one's: "Serena Williams, who owns 23 Grand Slam singles titles"
    for Roger Federer's titles (a RealTime QA answer **23**)."""
    names = {stem for w in _CAPITAL_WORD.findall(question)[1:] if question.find(w) > 0
             for stem in terms(f"{w} {DEMONYM_PLACES.get(w.lower(), '')}")}  # "the Irish drugmaker": "Ireland-based Elan"
    if not names:
        return ()
    people = [set(terms(m.group(0))) for m in _NAME_RUN.finditer(question)  # "Roger Federer", "Grand Slam"
              if m.group(0).split(None, 1)[0].lower() not in STOPWORDS]  # not "Which Ukrainian"
    others = tuple((m.start("c"), m.end("c")) for m in _OTHERS_WHO.finditer(sentence)
                   if not set(terms(m.group("n"))) & names
                   and any(not run & set(terms(m.group(0))) for run in people))  # the question's someone is not in it
    return others + _rival_subjects(question, sentence, names)


# a name and its relative clause: "Serena Williams, who owns 23 Grand Slam singles titles,"
_NAME_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)+")
_OTHERS_WHO = re.compile(r"(?P<n>(?:[A-Z][\w'’-]*\s+){0,3}[A-Z][\w'’-]*),\s+(?P<c>who\s+[^,;—–]+)")


def _rival_subjects(question: str, sentence: str, names: set[str]) -> tuple[tuple[int, int], ...]:
    """``_rival_clauses`` by clause subjects (``names``: the question's)."""
    def named_in(text: str) -> bool:  # "Ireland-based Elan" names Ireland
        return bool((set(terms(text)) | set(terms(text.replace("-", " ")))) & names)

    if not named_in(sentence):
        # a sentence naming none of the question's names, whose subject is another's doing the thing the
        # question's subject does: "Facebook-parent Meta recently announced 11,000 job cuts" for "How many jobs
        # is Amazon cutting?" (not for "How many House seats have been won?": "House" is no one doing it)
        doer = _ASKED_SUBJECT.search(asking_sentence(question) or question)  # not "Wednesday was World Water Day."
        actor = _ACTOR.match(sentence) if doer else None
        subject = set(terms(actor.group(1))) if actor else set()
        return ((0, len(sentence)),) if subject and not subject & (names | _NOT_SUBJECTS) else ()
    cuts = [0, *(m.end() for m in _CLAUSE_BREAK.finditer(sentence)), len(sentence)]
    if len(cuts) < 3:
        return ()
    clauses = [(a, b) for a, b in zip(cuts, cuts[1:]) if sentence[a:b].strip()]
    naming = [named_in(sentence[a:b]) for a, b in clauses]
    out = []
    for (a, b), named in zip(clauses, naming):
        first = re.match(r"\s*(?:The\s+)?([A-Za-z][\w'’-]*)", sentence[a:b])
        if named or first is None or not first.group(1)[0].isupper():
            continue
        subject = set(terms(first.group(1)))
        if not subject and (actor := _ACTOR.match(sentence, a)):  # "US partner Biogen Idec shed 43%": "US" is no term
            subject = set(terms(actor.group(1)))
        if subject and not subject & names and not subject & _NOT_SUBJECTS:
            out.append((a, b))
    return tuple(out)


_NOT_SUBJECTS = frozenset(terms(
    "the a an in on at by for of as after before since when while however meanwhile but and also still yet "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december this that these those it its there he she they we i"))


def _asked_place_part(sentence: str, end: int, qstems: set[str]) -> bool:
    """Whether the count ending at ``end`` is put in a place the question names ("five in North Carolina",
    "105 of those deaths in Florida")."""
    m = _IN_PLACE.match(sentence, end)
    return bool(m) and bool(set(terms(m.group(1))) & qstems)


def _lists_asked_place(sentence: str, qstems: set[str]) -> bool:
    """Whether ``sentence`` lists counts by place (``_PER_PLACE``, two or more) and one of them is in a place
    the question names: "120 of them in Florida and five in North Carolina" for North Carolina's toll."""
    listed = list(_PER_PLACE.finditer(sentence))
    return len(listed) >= 2 and any(_asked_place_part(sentence, m.end(1), qstems) for m in listed)


_HURT_ASKED = re.compile(r"\b(?:injur\w*|hurt|wound\w*|casualt\w*|toll)\b", re.I)
_HURT = frozenset(terms("injured wounded hurt injury injuries"))
#: the words of a toll of the dead ("killed", "died", "death toll", "victims"), the hurt left out: what two
#: figures both count when each is said with one of them (``rag.recency``)
DEATH_WORDS = _TOLL_COUNTS - _HURT


def _counts_the_dead(sentence: str, start: int, end: int, hurt: bool = True) -> bool:
    """Whether the number at ``sentence[start:end]`` is a toll: a word of killing or dying in the same
    clause right after it ("12 people were killed", "12 dead") or right before it ("killing at least
    12", "the death toll rose to 12"); not "home to four million people, killing ...". ``hurt``: the
    injured count too (the question asks for them, or for a "toll"); not for "how many died"."""
    after = re.split(r"[,;:]", sentence[end : end + FOCUS_NEAR + 5], maxsplit=1)[0]
    # "two people died and about 300 homes ...": the death words before an "and" are another clause's
    before = re.split(r"[,;:]|\band\b", sentence[max(0, start - FOCUS_NEAR) : start])[-1]
    words = _TOLL_COUNTS if hurt else _TOLL_COUNTS - _HURT
    return bool(words & set(terms(after)) or words & set(terms(before)) or _KILLED_AFTER.match(sentence, end)
                or _LIVES.search(after) or _LIVES.search(before)
                or _TOLL_BEFORE.search(sentence, max(0, start - 120), start))


_MONEY = re.compile(r"[£$€¥₹]|\b(?:dollars?|pounds?|euros?)\b", re.I)
_MONEY_WORDS = frozenset(terms("dollars pounds euros cents pence"))
# a currency named after the figure: "19bn kronor", "6.5 billion reais", "2bn yuan", maybe after its
# country's name ("25,000 Swiss francs", "100 Hong Kong dollars")
_CURRENCY_AFTER = re.compile(r"\s+(?:US\s+|(?-i:[A-Z][a-z]+\s+){1,2})?(?:dollars?|pounds?|euros?|"
                             r"yen|yuan|renminbi|rupees?|roubles?|rubles?|reais|kronor|kroner|krona|krone|francs?|"
                             r"pesos?|rand|lira|liras|ringgit|baht|shekels?|dinars?|dirhams?|riyals?|zloty|hryvnias?|naira|"
                             r"shillings?|rupiah|forints?|cents?|pence|bitcoins?)\b", re.I)
# "how much did X pay / cost / earn / bid", "how much prize money", "what was the value of ...": an amount of
# money is asked, so a share ("30%"), a score ("6-1") or a count ("top 10") does not answer it
_PAYING_WORDS = (r"cost|costs|pay|paid|pays|spend|spent|spends|bid|bids|earn|earns|earned|charge|charges|charged|"
                 r"fetch|fetched|offer|offered|invest|invested|owe|owes|owed")
_PAYING = re.compile(rf"\b(?:{_PAYING_WORDS})\b", re.I)
_MONEY_ASKED = re.compile(
    r"\bfor how much\b|"  # "And for how much?" after who bought the stake: a price, not "more than 16%" (new user 17)
    rf"\bhow much\b[^?]*?\b(?:{_PAYING_WORDS}|worth|"
    r"money|cash|salary|wages?|fees?|fines?|fined|prices?|priced|bills?|budget|compensation|damages|ransom|funding|"
    r"revenues?|profits?|sales|income|turnover|earnings|"
    # "How much severance is Bob Chapek getting?" was answered **more than 137 million** (Disney+'s
    # subscribers, new user 19): these are paid in money too
    r"severance|bonus|bonuses|payouts?|settlements?|pensions?|prize|jackpot|donations?|bail|"
    r"refunds?|subsid(?:y|ies)|"
    r"sell for|sold for|bought for|buy for)\b"
    # "How much did Cory Youmans sell Judge's 62nd home run ball for?": a price, not the "62" of "62nd" (new user 26)
    r"|\bhow much\b[^?]*?\b(?:sell|sells|sold|buy|buys|bought|auctioned|go|goes|went|gone)\b[^?]*?\bfor\s*(?:\?|$)"
    rf"|{WHAT_PAID}"  # "What might Euronext bid?", "What did Time Warner earn in 2003?" (new user 27)
    # "What was Time Warner's full-year profit?" (new user 27: bold "8%" of a stake it owns)
    rf"|{WHAT_IS_WHOSE}(?:[\w-]+ ){{0,2}}?(?:price|cost|value|fee|fine|salary|bill|budget|ransom|wage|bid|offer|fortune|net worth|"
    r"profits?|loss(?:es)?|revenues?|sales|income|turnover|earnings|deficit|debts?)\b"
    r"(?! (?:war|rise|increase|cap|tag|warning|margin|forecast)s?\b)", re.I)


# an amount promised or expected, not paid: no answer to what something did cost or sell for (new user 26), unless
# the question asks for a promise or an expectation itself ("How much did the club offer?")
_DID_ASKED = re.compile(r"\bhow much\b[^?]*?\bdid\b", re.I)
_PROMISE_ASKED = re.compile(r"\b(?:guarantee\w*|promis\w*|offer\w*|pledg\w*|expect\w*|estimat\w*|could|would|might|"
                            r"may|will|agree\w*|predict\w*|valu\w*|worth|ask(?:ing|ed)?)\b", re.I)
_PROMISED_BEFORE = re.compile(r"\b(?:guaranteed|promised|offered|pledged|agreed|expected|set|likely|could|would|might|may)"
                              r"\s+to\s+(?:pay|fetch|sell|cost|raise|earn|bring|go)\b[^.;]*$", re.I)


# an amount a suit sought: "the $1.6 billion defamation lawsuit", "sued for $2.7 billion", "seeking $10m in damages";
# no answer to what was paid or agreed unless the question asks what was sought
_SUIT_AFTER = re.compile(r"(?:\s+[a-z][a-z-]*){0,2}?\s+(?:law)?suits?\b|(?:\s+[a-z][a-z-]*){0,2}?\s+countersuits?\b")
_SOUGHT_BEFORE = re.compile(r"\b(?:seek|seeks|seeking|sought|demand|demands|demanded|demanding|su(?:e|es|ed|ing)\s+"
                            r"(?:[\w.'’-]+\s+){0,3}?for)\s+$", re.I)
_SOUGHT_ASKED = re.compile(r"\b(?:sue|sues|sued|suing|lawsuits?|suits?|seek\w*|sought|demand\w*|damages)\b", re.I)
# a rank, not a count: "Her first ever Top 10", "a top-five finish" (not the verb: "and top 8 billion metric tons")
_RANK_BEFORE = re.compile(r"(?:\b(?:the|a|an|its|his|her|their|ever|first|in)\s+[Tt]op|(?<=\w\s)Top)[\s-]+$")
_RANK_ASKED = re.compile(r"\btop\b", re.I)


def money_at(sentence: str, start: int, end: int) -> bool:
    """Whether the figure at ``sentence[start:end]`` is an amount of money: a currency sign or word
    in it ("$2m", "£424m", "400 euros") or a currency named right after it ("19bn kronor")."""
    return bool(_MONEY.search(sentence[max(0, start - 1) : end]) or _CURRENCY_AFTER.match(sentence, end))


# ... unless it asks how much something changed or how much of a thing there is ("how much did prices rise")
_NOT_MONEY = re.compile(r"\b(?:rise|rises|rose|risen|fall|falls|fell|fallen|grow|grows|grew|grown|increase|increased|"
                        r"drop|drops|dropped|climb|climbed|jump|jumped|slump|slumped|shrink|shrank|"
                        r"(?-i:rain|snow|time|weight|water|land|energy|power|percentage|share))\b", re.I)
# (the nouns in lower case only: "how much did Time Warner pay" asks for money, "how much time" does not)


def asks_figure(question: str) -> bool:
    """Whether the question's asking sentence plainly asks for a figure: "how many", "how much", "how
    old/long/far/tall/high/deep", an amount of money ("what was the value of ..."), a percentage; not "what
    is the second level of ...", which may ask for a name."""
    asking = asking_sentence(question) or question
    # a percentage too: "What percentage of the vote did Jennifer McClellan receive?" was answered with "coasted to
    # victory ... within 30 minutes" (new user 22: the articles give no share)
    return bool(_FIGURE_ASKED.search(asking) or _HOW.search(asking) or _MEASURE_ASKED.search(asking)
                or _WHAT_AGE.search(asking) or _WHAT_MEASURE.search(asking)) \
        or asks_money(question) or asks_percent(question)


# "What is the population of Ethiopia?", "What was the turnout?": a measure, asked as plainly as "how many"
_MEASURE_ASKED = re.compile(r"\bwhat (?:is|was|are|were|will be) (?:the|its|their|his|her) (?:[\w-]+ ){0,2}?"
                            r"(?P<measure>population|turnout|attendance|height|weight|length|distance|speed|"
                            r"temperature|magnitude)\b", re.I)  # not "death toll": ``_TOLL`` binds it to the dead
# the words that name each measure beside its figure ("population 1.3bn", "a turnout of 59%")
_MEASURE_WORDS = {
    "population": "population populations populous inhabitants residents people live lives",
    "turnout": "turnout voted votes voters", "attendance": "attendance crowd spectators fans attended",
    "height": "high tall height metres feet ft m", "weight": "weight weighs weighed kg kilos pounds tonnes",
    "length": "long length metres miles km kilometres feet", "distance": "distance miles km kilometres away",
    "speed": "speed mph km/h kph fast", "temperature": "temperature temperatures degrees °c °f celsius fahrenheit",
    "magnitude": "magnitude richter",  # an earthquake's: "the 7.8-magnitude quake", not its "5,000 dead"
}
MEASURE_NEAR = 40  # characters either side of a figure where the measure must be named


def _measure_asked(question: str) -> frozenset[str] | None:
    """Stems of the words naming the measure a question asks for plainly ("what is the population
    of ..."), or None when it asks for none."""
    m = _MEASURE_ASKED.search(asking_sentence(question) or question)
    return frozenset(terms(_MEASURE_WORDS[m.group("measure").lower()])) if m else None


_PERCENT_ASKED = re.compile(r"\bwhat (?:percentage|percent)\b|\bwhat (?:share|proportion|fraction) of\b"  # "what share
                            r"|\bby how many (?:percentage )?points\b", re.I)  # of the vote": not "$104 million"
_PERCENT = re.compile(r"%|\bper ?cent\b|\bpercent\b", re.I)


def is_share(phrase: str) -> bool:
    """Whether a figure is a percentage ("59.4%", "59 per cent")."""
    return bool(_PERCENT.search(phrase))
_PERCENT_AFTER = re.compile(r"\s*(?:%|per ?cent\b|percent\b|percentage points?\b)", re.I)


def asks_percent(question: str) -> bool:
    """Whether the question's asking sentence asks for a percentage ("what percentage of the vote")."""
    return bool(_PERCENT_ASKED.search(asking_sentence(question) or question))


def counts(question: str) -> bool:
    """Whether the question's asking sentence is a how-many question, or asks for the number of
    something ("What is the latest number of flooded homes?")."""
    asking = asking_sentence(question) or question
    return bool(_HOW_MANY.search(asking) or _NUMBER_OF.search(asking))


# "what is the (latest) number of flooded homes": a how-many question in other words; its counted noun
# is what follows "number of" (``counted_focus``)
_NUMBER_OF = re.compile(r"\bwhat (?:is|was|are|were|will be) the (?:[\w-]+ ){0,2}?number of ((?:[a-z'’-]+\s?){1,3})",
                        re.I)


def counted_focus(question: str) -> set[str]:
    """The stems of what a how-many question counts (``rag.confidence.focus_terms``), or of the words
    after "number of" up to a small word ("the number of *flooded homes* in Millbrook")."""
    focus = focus_terms(question)
    if focus:
        return focus
    m = _NUMBER_OF.search(asking_sentence(question) or question)
    out: set[str] = set()
    for word in m.group(1).split() if m else ():
        if word.lower() in STOPWORDS:
            break
        out.update(terms(word))
    return out


def asks_money(question: str) -> bool:
    """Whether the question (its asking sentence) asks for an amount of money: not when it asks how
    much something changed ("how much did prices rise"), unless a verb of paying comes first ("how
    much does a litre cost ... before the planned price rise")."""
    asking = asking_sentence(question) or question
    if not _MONEY_ASKED.search(asking):
        return False
    change, paying = _NOT_MONEY.search(asking), _PAYING.search(asking)
    return change is None or (paying is not None and paying.start() < change.start())


_NAMED_BEFORE = re.compile(r"((?:[A-Z][\w'’-]*\s+(?:(?:of|and|for|the)\s+)?){1,6})\($")
_TAG_END = re.compile(r"\)\s*(?:[-–—]\s*)?[A-Z]")  # "(CNN) The", "(CNN) — Rebels"; not "(NFC) champion"
_OPENING = " \"“‘'(—–-"  # what may stand before a sentence's first word
_PLACE_OWNS = re.compile(r"((?:[A-Z][\w-]*\s)?[A-Z][\w-]*)['’]s\s+(?=[A-Z])")
_DEMONYM_END = re.compile(r"(?:n|an|ian|i|ese)s?(?:['’]s)?$")


#: the names of one place (``rag.verify`` reads them as one; a question's "US" is its "United States")
PLACE_GROUPS = ({"us", "usa", "united states", "america"}, {"uk", "britain", "united kingdom", "england", "scotland",
                                                           "wales", "northern ireland"},
                {"netherlands", "holland"}, {"myanmar", "burma"})


_UK_NATIONS = frozenset({"england", "scotland", "wales", "northern ireland"})


def _place_of_question(phrase: str, question: str) -> bool:
    """Whether ``phrase`` is a place the question names in another of its names ("United States" when it
    says "US fighter jets shot down a suspected spy balloon": not the answer to which country the balloon
    belonged to)."""
    key = phrase.lower().removeprefix("the ")
    # its people's adjective: "Russia" for "Which country did a Russian-made missile land in?" (new user 15)
    said = {DEMONYM_PLACES.get(w.lower()) for w in re.findall(r"[A-Z][a-z]+", question)} - {None}
    if key in said or any(key in g and said & g for g in PLACE_GROUPS):
        return True
    # one place's names, not the places it holds ("England" may answer "Which UK nation ...?")
    group = next((g - _UK_NATIONS for g in PLACE_GROUPS if key in g - _UK_NATIONS), None)
    if group is None:
        return False
    return any(re.search(rf"(?<![\w.]){re.escape(name.upper() if len(name) <= 3 else name)}(?!\w)", question,
                         0 if len(name) <= 3 else re.I) for name in group if name != key)


#: a country's adjective and the country (as ``PLACES`` writes it): the ones a question's place is told from
DEMONYM_PLACES = {
    "american": "us", "british": "uk", "english": "england", "scottish": "scotland", "welsh": "wales",
    "irish": "ireland", "french": "france", "german": "germany", "dutch": "netherlands", "swiss": "switzerland",
    "italian": "italy", "spanish": "spain", "portuguese": "portugal", "greek": "greece", "polish": "poland",
    "danish": "denmark", "swedish": "sweden", "finnish": "finland", "norwegian": "norway", "icelandic": "iceland",
    "turkish": "turkey", "russian": "russia", "belgian": "belgium", "chinese": "china", "japanese": "japan",
    "indian": "india", "pakistani": "pakistan", "thai": "thailand", "vietnamese": "vietnam",
    "filipino": "philippines", "australian": "australia", "canadian": "canada", "mexican": "mexico",
    "brazilian": "brazil", "peruvian": "peru", "chilean": "chile", "egyptian": "egypt", "israeli": "israel",
    "iraqi": "iraq", "iranian": "iran", "afghan": "afghanistan", "lebanese": "lebanon", "sudanese": "sudan",
    "yemeni": "yemen", "ukrainian": "ukraine", "syrian": "syria", "nigerian": "nigeria", "kenyan": "kenya",
}

# nationality adjectives not spelt as their country's name plus an ending ("Russian", "Iranian" are)
_DEMONYMS = frozenset("british english scottish welsh irish french dutch swiss german greek spanish "
                      "portuguese polish danish swedish finnish norwegian icelandic turkish thai chinese "
                      "vietnamese lebanese sudanese czech slovak belgian italian canadian mexican brazilian "
                      "peruvian chilean egyptian israeli iraqi pakistani saudi yemeni afghan filipino "
                      "american european african asian arab".split())


# an adjective made from a name ("Tasmanian", "Siberian", "Spanish", "Arctic") and the common noun it names a
# thing with: for "which animal" or "which disease", the thing is "Tasmanian tiger", "Spanish flu", not the adjective
# after a determiner ("the Tasmanian tiger"), which a person's name ("Brian said") does not follow
_PROPER_ADJECTIVE = re.compile(r"[A-Z][a-z]+(?:ian|an|ese|ish|ic)")
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|another|its|their|this|that)\s+$", re.I)
_THING_AFTER = re.compile(r"\s+([a-z][a-z'’-]+)(?=[\s,.;:!?\"”’)]|$)")
_OPEN_QUOTES = "\"“‘'"
_CLOSE_QUOTE = re.compile(r"[^\"“”‘’.!?;]{1,80}?([,.!?]?)[\"”’']")


def _quoted_whole(sentence: str, start: int, end: int) -> bool:
    """Whether the phrase at ``start:end`` is all a quotation holds ('anthem "Cha Cha Cha" won', '"Tattoo,"')."""
    return 0 < start and sentence[start - 1] in _OPEN_QUOTES + "”’" and re.match(r"[,.!?]?[\"”’']", sentence[end:]) \
        is not None


_QUOTE_OPENED = re.compile(r"[“\"]([^“”\"]{0,60})$")
_QUOTE_CLOSED = re.compile(r"[^“”\"]{0,60}?[”\"]")


def _in_quoted_title(sentence: str, start: int, end: int) -> bool:
    """Whether ``start:end`` lies inside a short quotation whose longer words are all capitalised: a title ('her hit
    "9 to 5"', '"Apollo 13"'), not a quoted remark ('"We sold 40 homes," she said'). A straight quote mark opens a
    quotation when an even number of them come before it."""
    opened, closed = _QUOTE_OPENED.search(sentence, 0, start), _QUOTE_CLOSED.match(sentence, end)
    if opened is None or closed is None:
        return False
    if sentence[opened.start()] == '"' and sentence[: opened.start()].count('"') % 2:
        return False  # the mark before closes a quotation
    quoted = opened.group(1) + sentence[start : closed.end() - 1]
    return all(w[:1].isupper() for w in re.findall(r"[A-Za-z][\w'’-]{3,}", quoted))


def _quoted_title(sentence: str, start: int, end: int) -> str | None:
    """The whole quoted title a name phrase opens ("Leave It to Beaver" of '... the sitcom "Leave It to
    Beaver."', where the name pattern stops at "to"): a quotation of at most 10 words whose longer words
    are all capitalised (a title, not a quoted remark), when it is longer than the phrase; else None."""
    if start == 0 or sentence[start - 1] not in _OPEN_QUOTES:
        return None
    m = _CLOSE_QUOTE.match(sentence, start)
    if m is None or m.end(1) - start <= end - start:
        return None
    title = sentence[start : m.start(1)].rstrip()
    words = title.split()
    if not 1 < len(words) <= 10 or any(len(w) > 3 and not w[0].isupper() for w in words):
        return None
    return title


def is_demonym(word: str) -> bool:
    """Whether ``word`` is a nationality adjective ("Russian", "Swiss", "South African")."""
    w = re.sub(r"['’]s$", "", word).lower()
    if w in _DEMONYMS or (w.startswith(("north ", "south ")) and is_demonym(w.split(" ", 1)[1])):
        return True
    # "Korean": Korea is only named with its half ("North Korea", "South Korea")
    return " " not in w and any(
        (w[:n] in _COUNTRY_NAMES or f"north {w[:n]}" in _COUNTRY_NAMES or f"south {w[:n]}" in _COUNTRY_NAMES)
        and _DEMONYM_END.fullmatch(w[n:]) for n in range(len(w) - 1, 2, -1))


def _after_dateline(phrase: str, question: str) -> str | None:
    """The part of ``phrase`` after a leading place when that part is a place or a country's demonym
    itself: two names run together by a dateline ("South Korea North Korean", "Kyiv Ukraine"); None
    for one name ("New York Yankees")."""
    words = phrase.split(" ")
    for n in range(1, min(3, len(words) - 1) + 1):
        head, rest = " ".join(words[:n]), " ".join(words[n:])
        if head.lower() in PLACES and (rest.lower() in PLACES or _demonym_country(rest, question)):
            return rest
    return None


def _demonym_country(phrase: str, question: str) -> str | None:
    """The country a demonym names, when the question asks for a country or nation and the country's
    name opens the demonym ("Iranian", "North Korean", "Cubans", "Israeli", "Japanese"): that part of
    the text, so the short answer stays inside its sentence. None otherwise ("Ukrainian", "French")."""
    if _asked_place(question) not in ("country", "nation"):
        return None
    for n in range(len(phrase) - 1, 2, -1):
        head = phrase[:n]
        if head.lower() in _COUNTRY_NAMES and _DEMONYM_END.fullmatch(phrase[n:]):
            return head
    return None


def _surname_asked(phrase: str, question: str) -> bool:
    """Whether ``phrase`` is a full name whose surname the question writes capitalised ("Sven-Goran
    Eriksson" when the question says "Eriksson"): the person asked about, not the answer."""
    words = _LEADING_TITLE.sub("", phrase).split()
    if len(words) < 2 or not re.fullmatch(r"[A-Z][\w'’-]*", words[-1]):
        return False
    return re.sub(r"['’]s$", "", words[-1]) in _capitalised_inside(question)


@lru_cache(maxsize=1024)
def _capitalised_inside(question: str) -> frozenset[str]:
    """The capitalised words of ``question`` that open none of its sentences (possessives dropped)."""
    return frozenset(re.sub(r"['’]s$", "", m.group(1))
                     for m in re.finditer(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w'’-]*)", question))


# a measure asked with "what" ("What average passenger weight did the survey find?"), read as its "how" question
_WHAT_MEASURE = re.compile(r"\bwhat\s+(?:[\w-]+\s+){0,3}?(weight|height|length|distance)s?\b(?!\s+of\b)", re.I)
_AS_HOW = {"weight": "heavy", "height": "tall", "length": "long", "distance": "far"}


def _how_measure(question: str) -> str | None:
    asking = asking_sentence(question) or question
    m = _HOW.search(asking)
    if m:
        return m.group(1).lower()
    if _WHAT_AGE.search(asking):
        return "old"
    # new user 32's bold **10,000 passengers** for the weight a survey found (it had found none yet): a weight is
    # in kilograms or pounds
    what = _WHAT_MEASURE.search(asking)
    return _AS_HOW[what.group(1).lower()] if what else None


def _in_unit(measure: str, sentence: str, start: int, end: int) -> bool:
    """Whether the number at ``sentence[start:end]`` carries the unit a "how <measure>" question asks for."""
    unit = _UNIT_AFTER[measure].match(sentence, end)
    if unit:  # "the 18-year-old Mirza" is an age, no duration
        return measure == "old" or not re.match(r"\s*-\s*old\b", sentence[unit.end() :])
    if measure in ("far", "tall", "high", "deep", "long") and re.fullmatch(r"[\d.,]+m", sentence[start:end]):
        return True  # "6.43m": metres (as a figure of money it would carry a currency)
    if measure != "old":
        return False
    if _BIRTHDAY_AFTER.match(sentence, end):
        return True  # "who just celebrated his 31st birthday": he is 31 (new user 32's Bobi, given the owner's 38)
    before = sentence[max(0, start - 12) : start]
    return bool(_AGED.search(before) or (before.endswith(", ") and sentence.startswith(",", end))
                or (_AGE_VERB.search(before) and re.fullmatch(r"\d{1,3}", sentence[start:end]) is not None
                    and not _NOT_AN_AGE.match(sentence, end)))


FOCUS_NEAR = 25  # characters after a number in which the thing counted ("jobs", "days") must appear
VAGUE_DATE = 60  # a weekday or "this year" counts as this many characters further from the question's words
_POSSESSIVE = re.compile(r"(?<=\w)['’]s$|(?<=s)['’]$")
# names that end in "'s" of their own (a shop, a bank, a sweet): kept whole
_NAMES_WITH_S = frozenset(w.replace("’", "'") for w in (
    "mcdonald's sainsbury's macy's sotheby's christie's kellogg's domino's wendy's moody's lloyd's denny's "
    "hershey's levi's m&m's jerry's friday's dunkin's carl's claire's kohl's lowe's nathan's reese's "
    "hardee's arby's morrison's boots'").split())
_POSSESSIVE_NAME = frozenset(_NAMES_WITH_S | {w.replace("'", "’") for w in _NAMES_WITH_S})

# kin: "Who is Joe Chahayed's wife?" was answered **Joe Jr** of "his sons Joe Jr. and Danny" (new user 10); the name
# must be the wife's, as a post's must be its holder's, and may share the surname asked about ("his wife, Maria Chahayed")
_KIN = frozenset(terms("wife husband widow widower spouse partner girlfriend boyfriend fiancee fiance mother father son "
                       "daughter brother sister"))
# posts a person holds: a who-question about one wants a name beside the post (or one of its
# synonyms) in the sentence
_POSTS = frozenset(terms("boss chief executive ceo head chairman chairwoman chair president director founder owner "
                         "leader manager coach minister secretary mayor governor spokesman spokeswoman spokesperson "
                         "captain editor chancellor ambassador commissioner judge")) | _KIN
# a chief officer of something other than the whole firm: "chief financial officer", "chief operating officer"
_OFFICER = re.compile(r"\bchief\s+((?!executive\b)[a-z]+\s+officer)\b", re.I)
_POST_SYNONYMS = (frozenset(terms("boss chief executive ceo head chairman chairwoman chair president director leader")),
                  frozenset(terms("boss manager coach")))
_POST_ASKED = re.compile(r"(?:^|[.?!]\s+)\s*(?:who\s+(?:is|was|are|were|will be|has been|had been|became|becomes)|"
                         r"what\s+(?:is|was)\s+the\s+name\s+of)\b(?P<rest>[^?]*)", re.I)
# "chief executive of bankrupt US phone company WorldCom", "president of the Muslim League": what
# follows a post and "of"/"at" is what the post is of, not who holds it
_CAPITALISED = re.compile(r"\b[A-Z]")  # another name between the post and the name: the post is its
_OWNER = re.compile(r"\b[A-Z][\w.&-]*['’]s?\b")  # "Rod Eddington, BA's boss": whose post it is
_QUALIFYING = re.compile(r"\b(?:[A-Z]{2,3}|European|American|British|Asian)\b")  # "Game's UK sales director"
_POST_OF = re.compile(r"^\W*(?:\w+\W+){0,1}(?:of|at|for|in)\b", re.I)
# "Who chairs Southcorp?": the verb of a post asks for its holder as "who is the chairman" does
_POST_VERB = re.compile(r"(?:^|[.?!]\s+)\s*who\s+(?:now\s+|currently\s+)?"
                        r"(?P<verb>chairs|heads|manages|coaches|captains)\b", re.I)
# "The council's head of digital, Owen Fairley, said": a name set off by commas after the post and what it
# is of (in lower case) holds it; not "president of the Muslim League", nor one name of a list
_APPOSITIVE = re.compile(r"\s+(?:of|for|at)\s+(?:[a-z][\w'’-]*\s+){0,3}?[a-z][\w'’-]*,\s+")
# "Bob Iger was named Disney CEO", "Jeffries, who was elected the party's leader": a name named to the post after it
_NAMED_TO = re.compile(r"(?:,\s+who)?\s+(?:(?:is|was|were|has\s+been|had\s+been|will\s+be|is\s+being)\s+)?"
                       r"(?:re-?)?(?:named|appointed|elected|chosen|picked|tapped|installed|reinstated|confirmed|"
                       r"sworn\s+in|promoted|hired|made)\s+(?:as\s+)?(?:(?:the|its|their|his|her|a|new|interim|"
                       r"acting|permanent)\s+)*(?:[A-Z][\w.&'’-]*\s+){0,3}(?:[a-z]+\s+)?")
_APPOSITIVE_END = re.compile(r"\s*(?:[,.;]|$)|\s+(?:said|says|told|added)\b")


_OWNED = re.compile(r"([\w-]+)['’]s\s+(?:[a-z][\w-]*\s+)?$")  # "the player's (new) wife", "Griner's wife"


def _owned_by_another(before: str, asked: set[str] | frozenset[str], kin: bool) -> bool:
    """Whether the post that follows ``before`` is someone's whom the question (its stems ``asked``) does not
    name: a name's ("Chelsea's manager" for Arsenal's); for kin, anyone's ("the basketball player's wife" for
    Joe Chahayed's), while "the city's mayor" may be the mayor of the city asked about."""
    m = _OWNED.search(before)
    return m is not None and (kin or m.group(1)[:1].isupper()) and not set(terms(m.group(1))) & asked


def _posts_asked(question: str) -> frozenset[str]:
    """Stems of the posts a who-question asks the holder of ("Who is the chief executive of X?",
    "Who was Arsenal's manager?", "Who chairs Southcorp?"), with their synonyms; empty for any other
    question."""
    asked = _posts_named(question)
    return frozenset(asked.union(*(group for group in _POST_SYNONYMS if group & asked)))


def _posts_named(question: str) -> frozenset[str]:
    """``_posts_asked`` without the synonyms: the posts the question names."""
    m = _POST_ASKED.search(question)
    verb = _POST_VERB.search(question)
    officer = _OFFICER.search(m.group("rest")) if m else None
    if officer:  # "Who is Time Warner's chief financial officer?": not its "chairman and chief executive" (new user 27)
        return frozenset(terms(officer.group(1)))
    return frozenset(set(terms(m.group("rest"))) & _POSTS if m else
                     set(terms(verb.group("verb"))) & _POSTS if verb else ())


def _holds(sentence: str, start: int, end: int, post: tuple[int, int]) -> bool:
    """Whether the name at ``start:end`` holds the post at ``post`` (a word's span): right after it
    ("Italy coach John Kirwan", "chief executive Pierre Pringuet") or just before it ("Rod
    Eddington, BA's boss"), ``NAME_NEAR`` characters at most, and not after "of" ("president of
    the Muslim League")."""
    a, b = post
    if start <= a and b <= end:
        return True  # "President Anwar Sadat"
    if b <= start:
        between = sentence[b:start]
        if len(between) <= NAME_NEAR and _APPOSITIVE.fullmatch(between) and _APPOSITIVE_END.match(sentence, end):
            return True  # "head of digital, Owen Fairley, said"
        return len(between) <= NAME_NEAR and not _POST_OF.match(between) and not _CAPITALISED.search(between)
    if a >= end and _NAMED_TO.fullmatch(sentence, end, a):
        return True  # "Bob Iger was named Disney CEO": the post named to (new user 15's local answer withheld)
    between = _QUALIFYING.sub("", _OWNER.sub("", sentence[end:a]))
    return a >= end and len(sentence[end:a]) <= NAME_NEAR and not _CAPITALISED.search(between)


_WHO = re.compile(r"(?:^|[.?!]\s+)\s*(?:who|whom|whose)\b", re.I)
_CALENDAR = re.compile(rf"(?:{_DAY}|{_MONTH}|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mon|tue|tues|wed|thu|"
                       rf"thurs|fri|sat|sun)\.?)(?:['’]s)?", re.I)
_TRAILING_DAY = re.compile(rf"\s+{_DAY}(?:['’]s)?$", re.I)


def is_calendar(word: str) -> bool:
    """Whether ``word`` is a weekday or a month, spelt out or abbreviated ("Sunday's", "Feb.")."""
    return _CALENDAR.fullmatch(word) is not None
_SPECIFIC_DATE = re.compile(rf"\d|{_MONTH}|\b(?:spring|summer|autumn|winter)\b", re.I)
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")  # a year is a date, not an amount
_PRONOUN = re.compile(r"I(?:['’](?:m|ve|d|ll))?")  # "I'm": capitalised, not a name
_NOT_AMOUNTS = frozenset({"one", "a", "half"})  # "one of the raids" is not a count
_COMMON_OPENERS = frozenset("the a an it he she they we this that these those but and in on at as after before when "
                            "while although however meanwhile yet so if residents officials rebels".split())
# words that open a sentence and are never a name: prepositions, conjunctions, determiners, adverbs
_CLOSED_OPENERS = _COMMON_OPENERS | frozenset(
    "upon during despite since until unless though unlike like for from with without within among amid amidst "
    "between through throughout across against toward towards by of to into onto about beyond besides per via "
    "inside outside near behind around above below beneath underneath over under alongside beside "
    "then there here now today yesterday also still even only just instead thus hence therefore moreover "
    "furthermore nonetheless nevertheless otherwise indeed perhaps maybe many most some several each every both "
    "few such his her its their our my your what which who whom whose where why how once whether because "
    "whereas not no nor anyone everyone someone nobody everybody somebody anything everything something "
    "nothing none whoever whatever whichever wherever whenever".split())
_PARTICIPLE = re.compile(r"[A-Z][a-z]+(?:ed|ing|able|ible)")  # "Based", "Following", "Launched", "Unable"
# "Additionally", "Politically"; an ordinal listing steps ("First, they fired ...", "Second, ...")
_ADVERB = re.compile(r"[A-Z][a-z]+ly|First|Second|Third|Fourth|Fifth|Finally|Next|Then|Meanwhile|Still|Instead")
# what follows a name opening its sentence, not a gerund's object: a verb ("Boeing said", "Reading has", "Boeing
# shares": any word in -s or -ed may be one)
_FINITE_AFTER = re.compile(r"\s+(?:is|was|are|were|has|had|have|will|would|can|could|may|might|must|shall|should|did|"
                           r"does|do|said|told|also|itself|[a-z]+ed|[a-z]+s)\b")
_THEN_LINKS = re.compile(r"\s+(?:on|to|the|a|an|at|in|by|with|from|for|of|its|his|her|their|this|that)\b")


def _opens(word: str, sentence: str) -> bool:
    """Whether ``word``, the first of ``sentence``, opens it rather than names something: a closed-class
    word ("Upon", "Every", "Several"), a noun heading an "of"/"for" phrase ("Sales of stakes"), a
    participle leading into its phrase ("Based on ...", "Following the ...", "Launched in ..."), or an
    adverb set off by a comma ("Additionally, ..."); not "Beijing said", "Italy is"."""
    if word.lower() in _CLOSED_OPENERS:
        return True
    after = sentence[len(word):]
    if re.match(r"\s+(?:of|for)\s+(?!the\s+[A-Z])[a-z]", after):
        return True  # "Sales of stakes ...", "Prices for homes ...": a common noun's phrase
    if _PARTICIPLE.fullmatch(word):
        if word.endswith("ing") and (re.match(r"\s+[a-z]", after) and not _FINITE_AFTER.match(after)
                                     or _CALENDAR.match(after.lstrip().split(" ", 1)[0] if after.strip() else "")):
            return True  # "Adding sesame to the list means ...", "Starting January 1, ...": a gerund and its object
            # (the RealTime QA answer **Adding** to "Which seed did the FDA add ...?"); "Boeing said", "Boeing
            # shares" stay names
        return bool(_THEN_LINKS.match(after) or after.startswith(","))
    verb = _PLURAL_VERB.search(after[:80]) if _plural(word) else None
    if verb and not _SINGULAR_VERB.search(after[: verb.start()]):
        return True  # "Classes at the University of Virginia remain canceled", "Crews were experiencing ...": a
        # plural noun, its verb agreeing ("Williams was", "Brooks told": a name)
    return bool(_ADVERB.fullmatch(word)) and after.startswith(",")


_PLURAL_VERB = re.compile(r"\b(?:are|were|have|remain|say|do|continue|face|want|need)\b")
_SINGULAR_VERB = re.compile(r"\b(?:is|was|has|remains|says|does|continues|faces|wants|needs)\b")


# --- the fitted phrase ranker ---------------------------------------------------------------------

PHRASES_FITTED = Path(__file__).resolve().parent / "fitted" / "phrases.json"

#: The phrase ranker's features, in the order of its fitted weights. Changing this tuple means refitting
#: (``python -m evals.fit_phrases``).
PHRASE_FEATURES: tuple[str, ...] = (
    "sentence_gap",     # the sentence's ranker logit minus the best sentence's (floored at -10)
    "sentence_first",   # the phrase is in the best-ranked sentence
    "in_answer",        # ... in a sentence the answer already gives
    "distance",         # log(1 + characters to the nearest question word)
    "near",             # within NAME_NEAR characters of a question word
    "bound",            # a number followed by what a how-many question counts
    "vague",            # a date that is only a weekday or "this year"
    "digits",           # the phrase holds a digit ("2.5 million", not "millions")
    "words",            # log(1 + words in the phrase)
    "position",         # start offset / sentence length
    "crowded",          # 1 / candidates in its sentence
    "question_share",   # share of the phrase's words the question contains ("Tropical Storm Nicole")
    "other_sentences",  # log(1 + other candidate sentences that hold the same phrase)
    "other_articles",   # log(1 + other retrieved articles whose passages hold it)
    "in_title",         # its article's title holds it
    "kind_match",       # a name of the kind asked for: a person (who, which analyst), a place (where,
                        # which state), an organisation (which company) (``name_kind``, ``phrase_kind``)
    "kind_clash",       # a name of another kind than the one asked for
    "full_date",        # a day and a month ("27 February", "April 18")
    "measure",          # an amount with its unit: a currency, "%", "bn", "million"
)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # rag.timewindow reads them here
_COMING_BEFORE = re.compile(r"\b(?:will|would|'ll|’ll|is\s+set\s+to|are\s+set\s+to|plans?\s+to|expected\s+to|scheduled|"
                            r"due\s+to|next|this\s+coming|until)\b[^.;]{0,40}$", re.I)


_PART_OF_DAY = re.compile(r"\s+(?:night|morning|afternoon|evening)$")


def weekday_in(phrase: str, sentence: str, start: int, published: date | None) -> date | None:
    """The day a bare weekday of an article's sentence means ("arrested on Monday" in a story of Tuesday 17
    January 2023: Monday 16 January), counted from the article's ``published`` day: the last such weekday on
    or before it, or the next after it when the sentence speaks of what is to come ("will meet on Friday");
    None for a phrase that is no weekday (or a weekday's part: "Friday night"), or without the day.

    >>> weekday_in("Monday", "He was arrested on Monday.", 19, date(2023, 1, 17))
    datetime.date(2023, 1, 16)
    >>> weekday_in("Friday", "Talks will resume on Friday.", 22, date(2023, 1, 17))
    datetime.date(2023, 1, 20)
    """
    word = _PART_OF_DAY.sub("", phrase.strip().lower())  # "Friday night" is a Friday
    if published is None or word not in WEEKDAYS:
        return None
    back = (published.weekday() - WEEKDAYS.index(word)) % 7
    if _COMING_BEFORE.search(sentence, max(0, start - 60), start):
        return published + timedelta(days=(7 - back) % 7 or 7)
    return published - timedelta(days=back)


@dataclass(frozen=True)
class Found:
    """A candidate phrase in one of the ranked sentences (``sentence``: its index in that list)."""

    sentence: int
    candidate: Candidate


def ranked_candidates(q: Question, sentences: Sequence[Any]) -> tuple[list[Found], np.ndarray]:
    """The candidate phrases of ``sentences`` (ranked sentences, best first, each with ``text``,
    ``score`` (the sentence ranker's logit), ``passage``) and their ``PHRASE_FEATURES`` rows.
    ``in_answer`` is left 0: the caller sets it for the sentences it gives."""
    found = [Found(i, c) for i, s in enumerate(sentences) for c in candidates(q, s.text)]
    if found and wanted_type(q) == "name" and name_kind(q.text) is not None:  # a person, place or org asked
        common = _lowercase_words(tuple(dict.fromkeys(s.passage.text for s in sentences)))
        found = [Found(f.sentence, c) for f in found
                 if (c := _past_common_opener(f.candidate, sentences[f.sentence].text, common)) is not None]
    if found and wanted_type(q) == "name" and name_kind(q.text) == "person":
        texts = tuple(dict.fromkeys(s.passage.text for s in sentences))
        found = [f for f in found if not _a_place_there(f.candidate.phrase, sentences[f.sentence].text,
                                                        f.candidate.start, texts)]
    if not found:
        return found, np.zeros((0, len(PHRASE_FEATURES)))
    best = sentences[0].score
    per_sentence: dict[int, int] = {}
    holders: dict[str, set[int]] = {}
    for f in found:
        per_sentence[f.sentence] = per_sentence.get(f.sentence, 0) + 1
        holders.setdefault(f.candidate.phrase.lower(), set()).add(f.sentence)
    passages = {s.passage.chunk_id: s.passage for s in sentences}
    qstems = set(q.stems)
    wanted = name_kind(q.text)
    rows = []
    for f in found:
        c, s = f.candidate, sentences[f.sentence]
        key = c.phrase.lower()
        articles = {p.article_id for p in passages.values() if key in p.text.lower()} - {s.passage.article_id}
        stems = terms(c.phrase)
        # a weekday of a dated article is a day ("arrested on Monday" in a story of 17 January 2023: 16 January),
        # read as a full date: the ranker, fitted on answers written as dates, took every weekday for vague, and
        # "When was Messina Denaro arrested?" got the 1993 of another crime (new user 22)
        dated = c.vague and weekday_in(c.phrase, s.text, c.start, published_day(s.passage)) is not None
        rows.append((
            max(-10.0, s.score - best), float(f.sentence == 0), 0.0,
            math.log1p(c.distance), float(c.distance <= NAME_NEAR), float(c.bound), float(c.vague and not dated),
            float(any(ch.isdigit() for ch in c.phrase)), math.log1p(len(c.phrase.split())),
            c.start / max(1, len(s.text)), 1.0 / per_sentence[f.sentence],
            sum(t in qstems for t in stems) / len(stems) if stems else 0.0,
            math.log1p(len(holders[key]) - 1), math.log1p(len(articles)),
            float(key in (s.passage.title or "").lower()),
            *_kind_fit(wanted, named_kind(c.phrase, s.text, c.start), q.text, c.phrase),
            float(dated or (bool(_DAY_NUMBER.search(c.phrase)) and bool(_MONTH_RE.search(c.phrase)))),
            float(bool(_MEASURE.search(c.phrase))),
        ))
    return found, np.array(rows, dtype=np.float64)


def _a_place_there(phrase: str, sentence: str, start: int, texts: tuple[str, ...]) -> bool:
    """Whether a name that looks like a person's ("Colorado Springs": two capitalised words) is a place the
    passages write after "in" ("the mayor's office in Colorado Springs"), which answers no question asking who
    (new user 32's bold **Colorado Springs** for "Who became the first woman elected mayor of Jacksonville?")."""
    if named_kind(phrase, sentence, start) != "person" or _TITLED.search(phrase):
        return False
    bare = re.sub(r"[’']s$", "", phrase)
    return any(_in_place_named(bare).search(text) for text in texts)


@lru_cache(maxsize=1024)
def _in_place_named(name: str) -> re.Pattern[str]:
    """"in <name>" ending the name (no possessive, no further capitalised word), not trust or interest in someone."""
    return re.compile(rf"(?<!confidence )(?<!faith )(?<!trust )(?<!interest )(?<!belief )(?<!role )(?<!part )"
                      rf"\bin\s+{re.escape(name)}(?![\w'’-])(?!\s+[A-Z])")


@lru_cache(maxsize=256)
def _lowercase_words(texts: tuple[str, ...]) -> frozenset[str]:
    """The words ``texts`` write in lower case (common words, not names)."""
    return frozenset(LOWER_WORD.findall(" ".join(texts)))


def _past_common_opener(c: Candidate, sentence: str, common: frozenset[str]) -> Candidate | None:
    """A name candidate that opens its sentence with a word the passages also write in lower case
    ("Shares in Exel closed up 9%", "Analysts said", "Members of the UK's ..."): that word is a common
    noun, no name; the candidate is what follows it when that is capitalised, else none."""
    first = re.match(r"[A-Z][a-z'’-]+", c.phrase)
    if not first or sentence[: c.start].strip(_OPENING) or first.group(0).lower() not in common:
        return c
    rest = c.phrase[first.end() :]
    cut = len(rest) - len(rest.lstrip())
    if not rest.strip() or not rest.lstrip()[:1].isupper():
        return None
    start = c.start + first.end() + cut
    return replace(c, phrase=c.phrase[first.end() + cut :], start=start)


def fits_precisely(q: Question, sentence: str) -> bool:
    """Whether ``sentence`` holds a phrase that fits what ``q`` asks for beyond its type: a name of
    the kind asked (a state for "which state"), a number bound to what is counted or with its unit, a
    day and month for "when" (a sentence ranker feature, ``rag.extractive.SENTENCE_FEATURES``)."""
    wanted = name_kind(q.text)
    for c in candidates(q, sentence):
        # a number bound to what is counted; not a name bound to the noun asked ("parent company Meta"): the
        # sentence ranker was fitted without it, and with it one more kept tuning answer lost its sentence
        if (c.bound and wanted_type(q) == "number") or (
                not c.vague and _DAY_NUMBER.search(c.phrase) and _MONTH_RE.search(c.phrase)):
            return True
        if wanted is not None and _kind_fit(wanted, phrase_kind(c.phrase, sentence, c.start), q.text, c.phrase)[0]:
            return True
        if _MEASURE.search(c.phrase) and wanted_type(q) == "number":
            return True
    return False


def _kind_fit(wanted: str | None, got: str | None, question: str = "", phrase: str = "") -> tuple[float, float]:
    if wanted == "place" and got != "place" and is_city(phrase):
        got = "place"  # "Mexico City" (read as an organisation by its "City"), "Madrid" after no "in"
    if wanted is None or got is None:
        return 0.0, 0.0
    if wanted == got == "place" and _place_clash(question, phrase):
        return 0.0, 1.0
    return float(wanted == got), float(wanted != got)


_ASKED_PLACE = re.compile(r"\b(?:which|what)\s+(?:[a-z’'-]+\s+){0,2}?(state|country|nation|city|town|village|"
                          r"region|province|county|district)\b")
_PARTS = ("region", "province", "county", "district")  # a part of a country: no country (but a UK nation may be one)


@lru_cache(maxsize=1024)  # asked once a candidate phrase
def _asked_place(question: str) -> str | None:
    """The sort of place a "which <...> state/country/city/region" question asks for, None if it asks for none."""
    m = _ASKED_PLACE.search(question.lower())
    return m.group(1) if m else None


def _place_clash(question: str, phrase: str) -> bool:
    """A place of another sort than asked: a country for "which state" ("US"), a US state for
    "which country" ("Georgia" is both, and clashes with neither), a country or state for "which
    city/town/village" ("Britain"), a country for "which region/province/county/district"."""
    asked = _asked_place(question)
    if asked is None:
        return False
    bare = place_key(re.sub(r"[’']s$", "", phrase))
    if bare == "georgia":
        return False
    if asked in ("state", "country") and bare not in PLACES and is_city(bare):
        return True  # "Paris" for "which country", "Houston" for "which state"
    if asked == "state":
        return bare in PLACES and bare not in US_STATES
    if asked in ("city", "town", "village"):  # "Britain" for "which English city"; ("New York" is both)
        return bare in PLACES and bare not in ("new york", "washington")
    if asked in _PARTS:  # "Russia" for "in which Ukrainian region?" (a RealTime QA answer); "Scotland" may be one
        return bare in _COUNTRY_NAMES and bare not in _UK_NATIONS
    return bare in _NOT_COUNTRIES


_PLACE_NOUNS = ("country nation state city town village region county province island capital continent "
                "area district neighbourhood neighborhood place venue location".split())
_ORG_NOUNS = ("company firm chain club team group organisation organization party network bank airline retailer "
              "brand band agency union carrier studio newspaper paper broadcaster channel service app platform "
              "manufacturer maker carmaker supermarket store shop school university college charity "
              "operator exchange court body council force police department ministry regulator watchdog".split())
# the noun phrase a "which/what" question asks for, ended by an auxiliary: "which city *will* host" asks
# for a city, not a host (a person: the host's "in Manchester" was dropped as a place, leaving the
# sentence's negated "Blackpool")
_AUXILIARY = r"(?:will|would|shall|should|can|could|may|might|must|did|does|do|is|was|are|were|has|have|had)\b"
_ASKED = re.compile(rf"\b(?:which|what)\s+((?:[a-z’'-]+\s*)(?:(?!{_AUXILIARY})[a-z’'-]+\s*){{0,2}})")
_WHO_WHERE_NOUNS = frozenset(terms(" ".join(_PLACE_NOUNS + _ORG_NOUNS)))  # a demonym before one is no name
# what a "which <noun>" question may ask for that can follow a name in the text ("Lyme disease", "Emma
# novel"); verbs never ("which team *won*")
_KIND_NOUNS = frozenset(terms(
    " ".join(_PLACE_NOUNS + _ORG_NOUNS) + " disease virus illness condition novel book film movie song album "
    "show series species breed drug vaccine product brand app game word term phrase award prize festival "
    "framework deal plan law bill act treaty mission storm hurricane ship variant strain tournament"))

# kinds whose names carry the kind's word ("St Thomas' Hospital", "Broadmoor hospital", "London's National Gallery"):
# a name asked as one of these is said with it; not "stadium", "airport", "prison" or "museum" ("Wembley",
# "Heathrow", "Belmarsh", "the Louvre" go without; SQuAD's "which museum" is "National Galleries of Scotland")
_NAMED_KINDS = frozenset(terms("hospital clinic gallery cathedral mosque"))
_KIND_NOUNS = _KIND_NOUNS | _NAMED_KINDS

# common nouns a sentence may open with, capitalised, before a lower-case word: "Team owner ...", "Police said ..."
_COMMON_NOUN_WORDS = frozenset(w for n in (*_PLACE_NOUNS, *_ORG_NOUNS, *PERSON_NOUNS) for w in (n, n + "s"))


@lru_cache(maxsize=1024)  # asked once a candidate sentence by ``fits_precisely``
def name_kind(question: str) -> str | None:
    """The kind of name a question asks for: "person", "place", "org", or None (not clear)."""
    text = question.lower()
    if re.search(r"\bwhere\b", text):
        return "place"
    who = next((m for m in _WHO_WORD.finditer(question) if not _NAMED_WHO.search(question, 0, m.end())), None)
    if who and not re.search(r"\b(?:which|what)\s+\w+\s+(?:who|whose)\b", text) \
            and not (_ASKED.search(text, 0, who.start()) and _RELATIVE_BEFORE.search(text, 0, who.start())):
        return "person"
    for m in _ASKED.finditer(text):  # "which movie theater chain", "which official body": the last of the
        kind = None                  # next three words that tells
        words = m.group(1).split()
        for word in words:
            kind = _kind_of_noun(word) or kind
        head = _NEXT_LOWER.match(text, m.end(1)) if words and words[0] in _AUXILIARY_WORDS else None
        if head and head.group(1) not in STOPWORDS:  # "what is the chief *undertaking*", "what was the host *city*":
            kind = _kind_of_noun(re.sub(r"['’]s$", "", head.group(1)))  # the noun after the three tells
        if kind:
            return kind
    return None


_NEXT_LOWER = re.compile(r"\s*([a-z][a-z’'-]*)\b")
_NAMED_WHO = re.compile(r"[A-Z][\w'’-]*\s+Who$")  # "the Doctor Who stories", "The Who": a name, no question word
# a "who" after a noun opens a relative clause, not the question: "The former CEO of which company testified ... on
# the treatment of employees who are unionizing?" asks for a company (it had been read as asking for a person)
_RELATIVE_BEFORE = re.compile(r"\b(?!(?:to|by|with|for|from|of|and|but|or|so|asked|know|tell|say|said)\b)[a-z]+\s+$")
_AUXILIARY_WORDS = frozenset(_AUXILIARY.removesuffix(r")\b").removeprefix("(?:").split("|"))


def _kind_of_noun(word: str) -> str | None:
    """"person", "place" or "org" for a noun naming one ("player", "cities", "company"), else None."""
    for k, nouns in (("person", PERSON_NOUNS), ("place", _PLACE_NOUNS), ("org", _ORG_NOUNS)):
        if word in nouns or word.rstrip("s") in nouns:
            return k
    return None


_TITLES = re.compile(rf"(?:\b(?:{_TITLE_WORDS}|King|Queen|Prince|Princess|Pope)\.?\s+)$")
_ORG_WORDS = re.compile(r"\b(?:Inc|Corp|Corporation|Ltd|plc|Co|Company|Group|Agency|Association|Party|Council|"
                        r"Commission|Committee|Court|House|Senate|Congress|Parliament|Bank|Union|League|Club|"
                        r"University|College|School|Institute|Foundation|Department|Ministry|Office|Service|"
                        r"Network|News|Times|Post|Journal|Report|Records|Studios?|Entertainment|Airlines?|"
                        r"Motors|Theatres?|Federation|Board|Authority|Organi[sz]ation|Fund|Trust|Police|Army|"
                        r"Force|Navy|Administration|Exchange|Church|Museum|Hospital|FC|United|City|Rovers|"
                        r"Productions|Pictures|Films|Media|Publishing|Publishers|Holdings|Partners|Capital|Industries|"
                        r"Technologies|Pharmaceuticals|Airways)\b")
# the last word of a named place or structure, which no "who" asks for: a new user's "Who is the
# mayor of Port Ellery?" got "Harbour Bridge" in bold (its two capitalised words read as a person's
# name; ``phrase_kind`` is left as the phrase ranker was fitted with it: ``no_answer_to`` withholds).
# Not the place words that are common surnames: Lake, Lane, Park, Hall, Castle ("Mike Lake", "Danny
# Lane" answered who-questions of the held-out BBC and SQuAD suites)
_PLACE_WORDS = re.compile(r"\b(?:Bridge|Street|Road|Avenue|Square|Station|Airport|River|Mountains|Island|Islands|"
                          r"Harbour|Harbor|Canal|Dam|Tunnel|Stadium|Arena|Cathedral|Valley|Coast|Peninsula|"
                          r"Strait|Sea|Ocean|Gulf|Desert)$")


# a question about the figure as it stands ("still", "now", "so far"), and a later figure the same
# sentence says it changed to ("..., but that number had decreased to 1,200"): the earlier one is
# superseded (across passages the newest statement leads, ``rag.recency``; this is within one sentence)
# "from 100 seconds to midnight to 90 seconds", "cut from 5% to 4.75%": a figure the thing changed from, then
# the one it changed to; a question asks for the new one unless it asks what it was before (``_EARLIER_ASKED``)
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:(?:about|around|nearly|almost|just|only|roughly|more than|over|under)\s+)?$",
                          re.I)
_TO_FIGURE_AFTER = re.compile(
    r"[^.;]{0,40}?\bto\s+(?:(?:about|around|nearly|almost|just|only|roughly|more than|over|under)\s+)?[$£€]?\d",
    re.I)
_EARLIER_ASKED = re.compile(r"\b(?:from|before|previous|previously|earlier|originally|used to|initial|initially|"
                            r"old|prior)\b", re.I)
# a question asking for an earlier toll ("the earlier quake"): narrower than ``_EARLIER_ASKED``, whose "from" and "old"
# a question on the latest toll says too ("How many died from the storm?")
EARLIER_TOLL_ASKED = re.compile(r"\b(?:before|previous|previously|earlier|first|initial|initially|originally)\b", re.I)
_CURRENT = re.compile(r"\b(?:still|now|currently|current|latest|so far|at present|remains?|remaining)\b", re.I)
# a question asking by how much something changed (not one asking what a thing costs, pays or sells for before a
# "rise": "How much does a litre of kerosene cost before the planned fuel price rise?")
_CHANGE_ASKED = re.compile(r"\bby\s+how\s+(?:much|many)\b|\bhow\s+(?:much|many)\b(?:\s+[\w'’-]+){0,3}\s+(?:did|does|do|will|"
                           r"would|has|have|had)\b(?:(?!\b(?:cost|costs|pay|pays|paid|charge|charges|charged|earn|earns|"
                           r"earned|sell|sells|sold|spend|spent|raise|raised)\b)[^?])*?\b(?:shrink|fall|drop|decline|"
                           r"decrease|rise|grow|increase|climb|jump|slide|sink|plunge|soar|shrunk|fallen|dropped|declined|"
                           r"decreased|risen|grown|increased|climbed|jumped)\b", re.I)
# what a figure of change follows: "a drop of", "fell by", "up", "down"
_CHANGE_BEFORE = re.compile(
    r"(?:\b(?:drop|fall|decline|decrease|increase|rise|gain|loss|jump|cut|reduction|growth|dip|slide|plunge|surge|"
    r"shortfall)s?\s+of\s+|\b(?:gr(?:ow|ows|owing|ew|own)|r(?:ise|ises|ising|ose|isen)|f(?:all|alls|alling|ell|allen)|"
    r"drop(?:s|ped|ping)?|increas(?:e|es|ed|ing)|decreas(?:e|es|ed|ing)|declin(?:e|es|ed|ing)|"
    r"shr(?:ink|inks|inking|ank|unk)|jump(?:s|ed|ing)?|climb(?:s|ed|ing)?|sl(?:ide|ides|id|iding)|"
    r"s(?:ink|inks|inking|ank|unk)|plung(?:e|es|ed|ing)|gain(?:s|ed|ing)?|los(?:e|es|t|ing)|dip(?:s|ped|ping)?|"
    r"surg(?:e|es|ed|ing)|soar(?:s|ed|ing)?|cut(?:s|ting)?|mov(?:e|es|ed|ing)|shift(?:s|ed|ing)?|rais(?:e|es|ed|ing)|"
    r"lower(?:s|ed|ing)?|hik(?:e|es|ed|ing)|lift(?:s|ed|ing)?|reduc(?:e|es|ed|ing)|boost(?:s|ed|ing)?)\s+(?:by\s+)?|"
    r"\b(?:up|down|forward|back|ahead)\s+"
    r"(?:by\s+)?|\bby\s+)(?:(?:another|a\s+further|an\s+additional|an\s+extra|about|nearly|almost|some|around|roughly|"
    r"more than|less than|just|only)\s+)?$", re.I)
# ... or follows it: "will cost about 13.5% more", "7 points higher"
# (not "3 more analysts", nor "up"/"down" after it: "a buyer who put 20% down", new user 23's bold **20%**)
_CHANGE_AFTER = re.compile(r"(?:\s+(?:basis\s+|percentage\s+)?points?|\s+cents?|\s+pence)?\s+(?:more|less|higher|lower)\b"
                           r"(?!\s+(?:than|to)\b|\s+[a-z]+s\b)", re.I)
_SUPERSEDED = re.compile(
    r"[^.;]*?\b(?:decreased|decreasing|fell|fallen|falling|dropped|dropping|declined|declining|rose|risen|rising|"
    r"increased|increasing|climbed|climbing|grew|grown|growing|jumped|surged|reduced|lowered|raised|down|up)"
    r"\s+(?:again\s+)?to\s+(?:about\s+|around\s+|nearly\s+|almost\s+|just\s+|only\s+|roughly\s+|more than\s+|"
    r"over\s+|under\s+)?[$£€]?\d", re.I)


def changed_from(sentence: str, start: int, end: int) -> bool:
    """Whether the figure at ``sentence[start:end]`` is the value something changed from, another figure
    being what it changed to ("moved from 100 seconds to midnight to 90 seconds")."""
    return bool(_FROM_BEFORE.search(sentence, max(0, start - 30), start) and _TO_FIGURE_AFTER.match(sentence, end))


def turned_from(sentence: str, start: int) -> bool:
    """Whether the figure at ``start`` is what a figure said before it was earlier: "averaged 6.94% ..., up from
    6.92% the week before" (new user 26's bold "6.92%" for where the rate stands now). For questions about
    the current state only: "How many staff did it have?" may mean the 300 of "500 staff, up from 300".

    >>> s = "The rate averaged 6.94% this week, up from 6.92% the week before."
    >>> turned_from(s, s.index("6.92%")), turned_from(s, s.index("6.94%"))
    (True, False)
    """
    turned = _TURNED_FROM.search(sentence, max(0, start - 80), start)
    return turned is not None and bool(re.search(r"\d", sentence[: turned.start()]))


# "Washington, DC": the capital, no state ("Which state legalized recreational marijuana?" was answered **Washington**
# of "legal in 19 states – along with Washington, DC", new user 33)
_DC = re.compile(r",?\s*D\.?\s?C\.?(?!\w)")
# "up from", "down from": the figure after it is the earlier one, when another figure came before in the sentence; also
# after a noun phrase naming it ("up from the county's previously announced death toll of 42")
_TURNED_FROM = re.compile(r"\b(?:up|down|rising|falling|rose|fell|increas\w*|decreas\w*|climb\w*|dropp\w*|jump\w*)\s+"
                          r"from\s+(?:(?:the|its|their|his|her|an?)\s+(?:[\w’'-]+\s+){0,5}?of\s+)?"
                          r"(?:(?:about|around|nearly|almost|just|only|roughly|more than|over|under|an?|the)\s+)?$",
                          re.I)


def _listed_place(phrase: str, question: str) -> bool:
    """For "which state"/"which country" (or nation): whether ``phrase`` is one (``US_STATES``, ``_COUNTRY_NAMES``;
    states and countries can be listed, unlike cities): "Trump" of "flipped from Trump in 2016" answers
    no "which state". A state of another country than the US ("which Australian state") is not
    listed, so any name may answer it; anything may answer any other question."""
    asked = _asked_place(question)
    asked = "country" if asked == "nation" else asked
    if asked not in ("state", "country"):
        return True
    bare = re.sub(r"[’']s$", "", phrase).lower().removeprefix("the ")
    if asked == "country":
        return bare in _COUNTRY_NAMES or bare in _COUNTRY_ALIASES
    foreign = _STATE_OF.search(question.lower())
    return bare in US_STATES or bool(foreign and foreign.group(1) not in ("us", "u.s.", "american", "united"))


# "which Australian state": a state of another country; "which US state", "which American state": a US one
_STATE_OF = re.compile(r"\b(?:which|what)\s+(?:of\s+the\s+)?([a-z.]+)\s+states?\b")
_COUNTRY_ALIASES = frozenset({"uae", "u.s.", "u.k.", "côte d'ivoire", "cote d'ivoire", "dprk", "drc",
                              "democratic republic of congo", "republic of ireland", "timor-leste"})


def _person_noun_asked(question: str) -> bool:
    """Whether the question names the person it asks for ("which *congressman*", "what *player*"): unlike
    a bare "who", which a company or a body may answer ("Who bought the club?"). Read from its last
    "which/what" (an earlier one opens a clause: "A balloon, which Pentagon officials said ..., was shot
    down off which state?"), and not when it asks whose country ("Which country's lawmakers ...?")."""
    last = None
    for last in _ASKED.finditer(question.lower()):
        pass
    if last is None or _NATIONALITY_ASKED.search(last.group(1)):
        return False
    return any(w in PERSON_NOUNS or w.rstrip("s") in PERSON_NOUNS for w in last.group(1).split())


# a question asking where ("Where did ...?", "... and where was it found?"), not a relative "where" ("Who heads
# the reserve where a wireless network helps ...?", "... Kilroy-Silk's home, where the launch was planned?")
_WHERE = re.compile(r"(?:^|[.?!]\s+|\band\s+)\W*where\b|\bwhere\s+(?:is|was|are|were|did|does|do|will|would|has|"
                    r"have|had|can|could)\b", re.I)


def not_the_place(q: Question, phrase: str, sentence: str, start: int, sentences: Sequence[str]) -> bool:
    """Whether a where-question's ``phrase`` (at ``start`` in ``sentence``) is no place while one of the answer's
    ``sentences`` names one: "Mafia" of "convicted Mafia boss Matteo Messina Denaro, was arrested ... at a private
    clinic in Palermo" for "Where did Italian police catch ... Messina Denaro?", "Newman" (who wrote a tribute)
    for "Where did Richard Belzer die?" over "... at his home ... in Beaulieu-sur-Mer" (new user 22's bold
    answers). The ranker, fitted when names had no kinds, weighs the kind less than nearness to the question."""
    if wanted_type(q) != "name" or not _WHERE.search(asking_sentence(q.text) or q.text):
        return False
    if named_kind(phrase, sentence, start) == "place" or is_city(phrase) or _PLACE_WORDS.search(phrase):
        return False  # ("Mexico City", an organisation by its words, is a city: not vetoed for "US" beside it)
    return any(named_kind(c.phrase, text, c.start) == "place" for text in sentences for c in candidates(q, text))


#: the last words of an event's or an award's name, which answers no question asking who (new user 25's bold "New
#: York Marathon" and "V Festival" for a runner and a band, new user 24's "Golden Boot" for the top scorer); not
#: ``_EVENT_WORDS``' "Day" or "Series" (Jason Day, a golfer), nor a "Ball" but the golden one (Alan Ball)
_EVENT_NAME = re.compile(r"\b(?:Marathon|Festival|Olympics|Games|Grand Prix|Championships?|Open|Cup|Bowl|Awards?|Trophy|"
                         r"Prize|Medal|Golden (?:Boot|Ball|Glove|Globes?))$")


def no_answer_to(q: Question, phrase: str, sentence: str = "", start: int = -1) -> bool:
    """Whether ``phrase`` cannot answer ``q`` whatever the ranker's P: a named structure or
    landscape ("Harbour Bridge", "Tahrir Square") for a question asking who (a person or a body),
    nor a party's adjective alone for a person ("Republican") or an event's or award's name ("New York
    Marathon", "Golden Boot"); for any name question but one asking a nationality, country or language, a
    nation's adjective ("Russian" of "a little-known Russian company" for "Which little-known firm ...?",
    "South Asian" for "who"). With the ``sentence`` it stands in (``start``: its offset there), also a
    country's name used as an adjective ("US" of "A US woman is suing HP" for "Who is suing HP?") unless a
    place is asked, and a ground reached by a preposition ("moved to White Hart Lane") for "who".

    >>> from rag.evidence import prepare
    >>> no_answer_to(prepare("Who is the mayor of Port Ellery?"), "Harbour Bridge")
    True
    >>> no_answer_to(prepare("Where did the crane collapse?"), "Harbour Bridge")
    False
    >>> no_answer_to(prepare("Who is suing HP?"), "US", "A US woman is suing HP.", 2)
    True
    """
    if wanted_type(q) != "name":
        return False
    kind = name_kind(q.text)
    bare = re.sub(r"[’']s$", "", phrase)
    if start > 0 and phrase.isupper() and sentence[start - 1] == "(" and sentence[start + len(phrase) :].startswith(")") \
            and _NAMED_BEFORE.search(sentence, 0, start):
        return True  # "Starbucks (SBUX)": the name before it, shortened or its stock ticker, answers (the RealTime QA
        # answer **SBUX** to "Which iconic food brand ...?"); a candidate still, as "(NFC)" tells a sentence names a body
    if start >= 0 and _ATTRIBUTED.search(sentence, max(0, start - 24), start) and not _SAYING.search(q.text):
        return True  # "..., according to the Illinois Lottery" said who won, it did not win (new user 9); "According to
        # Oxford University Press (OUP), ..., the slang term ..." names no word of the year (RealTime QA)
    if kind in ("person", "org"):
        if _PLACE_WORDS.search(bare) or (start >= 0 and _GROUND_WORDS.search(bare)
                                         and _GROUND_BEFORE.search(sentence, max(0, start - 12), start)):
            return True
        if kind == "person" and bare.lower() in _PARTY_WORDS:
            return True  # "which party" may be answered "Labour"
        if kind == "person" and start >= 0 and _person_noun_asked(q.text) \
                and named_kind(phrase, sentence, start) in ("org", "place"):
            return True  # "Which congressman ...?": not "House" of "a House bill" ("who" may be a body)
        if _EVENT_NAME.search(bare) and not (kind == "org" and bare.endswith("Games")):
            return True  # an event names no one: "New York Marathon" for "Which runner did Paula Radcliffe outsprint?",
            # nor a team ("Super Bowl" for "What team was the AFC champion?"); "Epic Games" may be a company
        if kind == "person" and start >= 0 and bare.lower() in PLACES and _WHO_WORD.search(q.text) \
                and _ORIGIN_BEFORE.search(sentence, max(0, start - 30), start):
            return True  # "a teacher from Minnesota" for "Whose pumpkin set a record?" (new user 26); "beat France" may
            # still answer who Argentina beat
        if start >= 0 and reversed_role(q.text, sentence, start, start + len(phrase)):
            return True  # "Truss replaces Boris Johnson" for "Who replaced Liz Truss?" (new user 10)
    if _NATIONALITY_ASKED.search(q.text):
        return False
    if kind == "place" and start >= 0 and bare.lower() in PLACES and _nationality_of_asked(q.text, sentence, start + len(phrase)):
        return True  # "US actor Ossie Davis ..." for "Where did Ossie Davis die?": where he is from (new user 25)
    if is_demonym(bare) or (" " in bare and bare.split()[-1].lower() in _DEMONYM_HEADS):
        return True
    return (start >= 0 and bare.lower() in PLACES and kind != "place" and _asked_place(q.text) is None
            and _as_adjective(sentence, start, start + len(phrase)))


# --- who did what to whom: the direction of the question's verb -------------------------------------------------

# "Who replaced Liz Truss as prime minister?": the doer asked, the other one named right after the verb
_WHO_ACTS = re.compile(r"^\W*(?:[Aa]nd\s+|[Ss]o\s+)?[Ww]ho\s+(?:(?:has|have|had|will|would|did|does|could|might)\s+)?"
                       r"(?P<verb>[a-z][a-z'-]+)\s+(?:the\s+)?(?P<other>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
# "Who did Serena Williams beat?": the one done to asked, the doer named before the verb
_WHO_DID = re.compile(r"^\W*(?:[Aa]nd\s+|[Ss]o\s+)?(?:[Ww]ho|[Ww]hom)\s+(?:did|does|do|has|have|had|will|would)\s+(?:the\s+)?"
                      r"(?P<other>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)\s+(?P<verb>[a-z][a-z'-]+)\b")
_NO_RELATION = frozenset("is are was were be been being become became say says said think thinks know knows "
                         "do does did have has had get gets got make makes made".split())
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|be|get|got)\s+(?:\w+ly\s+)?$", re.I)
_SENTENCE_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def _same_verb(a: str, b: str) -> bool:
    """Whether two stems are one verb's ("succeed" and "succe": the stemmer's forms of "succeeded" and "succeeds";
    not "chair" and "chairman": "Wigan chairman Maurice Lindsay" is no Wigan chairing someone)."""
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 2)


@lru_cache(maxsize=1024)
def _role_asked(question: str) -> tuple[bool, list[str], frozenset[str]] | None:
    """What ``reversed_role`` reads of a question, once per question (it is asked for every candidate name):
    whether the doer is asked, the verb's stems and the other one's; None when it names no such relation."""
    doer = _WHO_ACTS.match(question)
    if doer is not None and doer.group("verb").lower() in _NO_RELATION:  # "Who did ...": the other form
        doer = None
    m = doer or _WHO_DID.match(question)
    if m is None or m.group("verb").lower() in _NO_RELATION:
        return None
    if doer is not None:  # the name is the verb's object, not a modifier: "Who won the Mega Millions jackpot?"
        nxt = re.match(r"\s*([a-z][\w'’-]*)", question[doer.end():])
        if nxt is not None and nxt.group(1) not in STOPWORDS:
            return None
    verb = terms(m.group("verb"))
    other = frozenset(t for w in m.group("other").split() for t in terms(w))
    return (doer is not None, verb, other) if verb and other else None


def reversed_role(question: str, sentence: str, start: int, end: int) -> bool:
    """Whether the name at ``sentence[start:end]`` has the other role of the question's verb than the one asked:
    "Who replaced Liz Truss?" over "Truss replaces Boris Johnson" (Johnson was replaced, by Truss) or "Liz
    Truss ..., succeeding Boris Johnson"; "Who beat Serena Williams?" over "Serena Williams beat Martina
    Hingis"; "Who did Serena Williams beat?" over "Venus beat Serena Williams"; and in the passive, "Johnson
    was replaced by Truss" for "Who replaced Johnson?" stays an answer, "Kwarteng was replaced by Jeremy Hunt"
    is no answer to "Who replaced Liz Truss?" (another one replaced). Only where the question names the
    other one right beside its verb ("Who <verb> <Name>", "Who did <Name> <verb>") and the sentence has that
    verb between the two; otherwise False (the ranker decides)."""
    asked = _role_asked(question)
    if asked is None:
        return False
    doer, verb, other = asked
    words = [(w.start(), w.end(), terms(w.group(0))) for w in _SENTENCE_WORD.finditer(sentence)]
    verbs = [(a, b) for a, b, t in words if t and _same_verb(t[0], verb[0]) and not (start <= a < end)]
    if not verbs:
        return False
    a, b = min(verbs, key=lambda v: abs(v[0] - start))  # the verb nearest the name
    passive = bool(_PASSIVE_BEFORE.search(sentence, max(0, a - 24), a))
    named = [x for x, _, t in words if t and t[0] in other and not (start <= x < end)]
    before, after = any(x < a for x in named), any(x > b for x in named)
    if doer:  # the doer is asked: the name must do it (before an active verb, after "by" of a passive one)
        if passive:
            # "Kwarteng was replaced by Jeremy Hunt": the one replaced is named and is not the one asked about
            subject = re.search(r"([A-Z][\w'’-]*)\s+(?:was|were|has been|had been)\s+(?:\w+ly\s+)?$",
                                sentence[max(0, a - 40) : a])
            someone_else = subject is not None and not set(terms(subject.group(1))) & other
            return (start < a and after) or (start > b and someone_else and not before)
        return before and start > b and not any(b < x < start for x in named)
    # the one done to is asked: the name must follow an active verb (or lead a passive one); the verb's own subject
    # never is it ("Karol Kucera and Karina Habsudova beat France" for "Who did Slovakia beat?", new user 25)
    if not passive and end <= a and _SUBJECT_RUN.fullmatch(sentence, end, a):
        return True
    return start < a and after if not passive else start > b and before


# what may stand between a name and the verb it is the subject of: more names of the subject ("Kucera and Habsudova")
_SUBJECT_RUN = re.compile(r"(?:\s*(?:,|and\b|&)?\s*[A-Z][\w'’-]*)*\s*")


# the source a sentence is attributed to ("hit the top prize, according to the Illinois Lottery"): no answer to
# who did what it reports, unless the question asks who said it (``_SAYING``)
_ATTRIBUTED = re.compile(r"\baccording\s+to\s+(?:the\s+|an?\s+)?$", re.I)
_SAYING = re.compile(r"\b(?:say|says|said|saying|report(?:s|ed)?|announc(?:e|es|ed)|claim(?:s|ed)?|"
                     r"confirm(?:s|ed)?|told|tell|tells|according|warn(?:s|ed)?|accus(?:e|es|ed)|source)\b", re.I)
# a question whose answer may be a nation's adjective or name: "What nationality ...?", "Which country ...?",
# "Which army attacked the colony?" ("Spanish")
_NATIONALITY_ASKED = re.compile(r"\b(?:nationality|nationalities|national|citizen|citizenship|countr(?:y|ies)|"
                                r"nations?|language|languages|ethnic|ethnicity|origin|descent|cuisine|"
                                r"arm(?:y|ies)|navy|troops)\b", re.I)
# the last word of a ground or a building people go to, which may also be a surname ("Danny Lane", "Mike
# Park"): a place when a preposition of place or movement leads to it ("moved to White Hart Lane")
_GROUND_WORDS = re.compile(r"\b(?:Lane|Park|Hall|Castle|Gardens|Ground|Road|Field|Palace)$")
_GROUND_BEFORE = re.compile(r"\b(?:to|from|into|at|in|near|outside|inside|towards?)\s+(?:the\s+)?$")
# where someone is from or something happened, before a place's name: no one a who-question asks for (asked
# by "who" or "whose": "... which Pentagon officials said ..., was shot down off the coast of which state?" reads
# as a person asked, ``name_kind``, and is answered "South Carolina")
_WHO_WORD = re.compile(r"\bwho(?:m|se)?\b", re.I)
_ORIGIN_BEFORE = re.compile(r"\b(?:from|in|at|near|of)\s+(?:the\s+)?(?:[A-Z][\w'’-]+,\s+)?$")  # "of Anoka, Minnesota"
# words after a country's name that make it a sentence's subject, not an adjective ("the US said")
_NOT_MODIFIED = _CLOSED_OPENERS | frozenset(
    "is are was were be been has have had will would shall should can could may might must do does did said say "
    "told tell made make took take gave give won win lost lose got get became become sent send saw see put set "
    "let cut hit led lead began begin ran run came come went go held hold kept keep left leave paid pay sold sell "
    "bought buy brought bring thought think".split())


def _as_adjective(sentence: str, start: int, end: int) -> bool:
    """Whether the country name at ``start:end`` describes the noun after it ("A US woman", "US retail
    giant Federated", "the UK economy", "US-based") rather than naming an actor ("the US said", "the UK
    wants", "Britain and France"): an "a"/"an" before it, or a lower-case word after it that is no verb
    (not one of the commonest, nor ending "-ed" or "-s") and no function word."""
    if re.search(r"\b(?:a|an)\s+$", sentence[max(0, start - 4) : start], re.I) or re.match(r"-[a-z]", sentence[end:]):
        return True
    after = re.match(r"\s+([a-z][a-z'’-]*)", sentence[end:])
    if not after:
        return False
    word = after.group(1)
    return word not in _NOT_MODIFIED and not word.endswith("ed") and not (
        word.endswith("s") and not word.endswith("ss"))


# a role noun or two and a name after a country's name: "US actor Ossie Davis", "British tennis player Tim Henman"
_ROLE_THEN_NAME = re.compile(r"\s+(?:[a-z][\w'’-]*\s+){1,3}([A-Z][\w'’-]+)")


def _nationality_of_asked(question: str, sentence: str, end: int) -> bool:
    """Whether the place name ending at ``end`` says where someone the question names comes from: a role noun
    and one of the question's names follow it ("US actor Ossie Davis has been found dead"), so it tells no
    where-question where he died or played.

    >>> _nationality_of_asked("Where did Ossie Davis die?", "US actor Ossie Davis has died.", 2)
    True
    >>> _nationality_of_asked("Where did the crash happen?", "US troops said the Kabul crash ...", 2)
    False
    """
    m = _ROLE_THEN_NAME.match(sentence, end)
    return bool(m) and m.group(1) in re.findall(r"[A-Z][\w'’-]+", question[1:])


_PARTY_WORDS = frozenset("republican republicans democrat democrats democratic conservative conservatives labour "
                         "tory tories liberal liberals gop".split())
_DEMONYM_HEADS = frozenset({"asian", "american", "african", "european", "latino", "hispanic"})  # "South Asian"


_EVENT_WORDS = re.compile(r"\b(?:Open|Cup|Awards?|Prize|Tests?|Championships?|Games|Olympics|Festival|Trophy|"
                          r"Series|Tour|Final|Finals|Show|Week|Day|Grand Prix|Election|Summit|Conference)\b")
_ACRONYM = re.compile(r"[A-Z&]{2,6}s?")
US_STATES = frozenset(
    "alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii idaho illinois "
    "indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri "
    "montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington "
    "wisconsin wyoming".split()) | {"new hampshire", "new jersey", "new mexico", "new york", "north carolina",
                                   "north dakota", "rhode island", "south carolina", "south dakota", "west virginia"}
PLACES = frozenset(
    "afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan bahamas bahrain "
    "bangladesh barbados belarus belgium belize benin bhutan bolivia bosnia botswana brazil brunei bulgaria "
    "burkina burundi cambodia cameroon canada chad chile china colombia comoros congo croatia cuba cyprus "
    "czechia denmark djibouti dominica ecuador egypt eritrea estonia eswatini ethiopia fiji finland france gabon "
    "gambia georgia germany ghana greece grenada guatemala guinea guyana haiti honduras hungary iceland india "
    "indonesia iran iraq ireland israel italy jamaica japan jordan kazakhstan kenya kiribati kosovo kuwait "
    "kyrgyzstan laos latvia lebanon lesotho liberia libya liechtenstein lithuania luxembourg madagascar malawi "
    "malaysia maldives mali malta mauritania mauritius mexico micronesia moldova monaco mongolia montenegro "
    "morocco mozambique myanmar burma namibia nauru nepal netherlands holland nicaragua niger nigeria norway oman "
    "pakistan palau palestine panama paraguay peru philippines poland portugal qatar romania russia rwanda samoa "
    "senegal serbia seychelles singapore slovakia slovenia somalia spain sudan suriname sweden switzerland syria "
    "taiwan tajikistan tanzania thailand togo tonga tunisia turkey turkmenistan tuvalu uganda ukraine "
    "uruguay uzbekistan vanuatu vatican venezuela vietnam yemen zambia zimbabwe england scotland wales britain "
    "uk us usa america europe africa asia antarctica".split()
) | US_STATES | {"north korea", "south korea", "south africa", "saudi arabia", "sri lanka", "new zealand", "costa rica",
     "el salvador", "ivory coast", "united states", "united kingdom", "united arab emirates", "czech republic",
     "dominican republic", "east timor", "papua new guinea", "sierra leone", "south sudan", "north macedonia",
     "northern ireland", "hong kong", "puerto rico"}
_NOT_COUNTRIES = US_STATES | {"europe", "africa", "asia", "antarctica", "america"}
PLACES_FITTED = Path(__file__).resolve().parent / "fitted" / "places.json"


def place_key(name: str) -> str:
    """A name as ``PLACES`` and the city list write it: lower case, without accents or the dots of an
    abbreviation ("the U.K." is "uk", "Bogotá" "bogota")."""
    plain = unicodedata.normalize("NFKD", name.replace(".", "").replace("’", "'"))
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).lower().strip()


@lru_cache(maxsize=1)
def _cities() -> frozenset[str]:
    """The city names of ``rag/fitted/places.json`` (GeoNames' larger cities and capitals, ``python -m
    evals.make_places``)."""
    try:
        return frozenset(json.loads(PLACES_FITTED.read_text(encoding="utf-8"))["cities"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the city names {PLACES_FITTED} ({exc}); reinstall, or rewrite them with "
                          "`python -m evals.make_places`") from exc


def _a_place_name(name: str) -> bool:
    """A country, US state or city by its name (``PLACES``, ``is_city``)."""
    return place_key(re.sub(r"[’']s$", "", name)) in PLACES or is_city(name)


def is_city(name: str) -> bool:
    """Whether ``name`` (a possessive dropped) is one of the cities a "where" question may be answered with:
    "Mexico City", "Madrid", "Brighton"; a city name news writes mostly for a person or a word is none."""
    return place_key(re.sub(r"[’']s$", "", name)) in _cities()
_COUNTRY_NAMES = PLACES - _NOT_COUNTRIES


# a company's post after a name: "Starbucks CEO", "Tesla founder" (not a sports "boss": "Blackburn boss Mark Hughes"
# named the club of a question's own player, and the held-out BBC "Against which club did Jansen score ... under Mark
# Hughes?" lost Portsmouth to it)
_OWNED_POST = re.compile(r"\s+(?:CEO|CFO|COO|CTO|[Cc]hief [Ee]xecutive|[Cc]hairman|[Cc]hairwoman|[Ff]ounder|[Cc]o-founder|"
                         r"spokesman|spokeswoman|spokesperson|shareholders)\b")
# a team's player or staff by name: "Brooklyn Nets star Kevin Durant" (RealTime QA)
_TEAM_POST = re.compile(r"\s+(?:star|player|pitcher|quarterback|striker|coach|manager|owner|captain|goalkeeper|"
                        r"rookie|forward|guard|midfielder|defender|outfielder|shortstop|catcher)\s+[A-Z][a-z]")


def as_asked(question: str, sentence: str, start: int, end: int) -> tuple[int, int]:
    """The span of ``sentence`` a short answer at ``start:end`` is given as, read for what the question asks: a
    name of the same sentence carrying the noun asked ("Fergusson Island" for "On which island ...?", not "Papua
    New Guinea" beside it), and for a question asking several ("Which two states ...?", "the names of the two
    turkeys") the names listed with it ("Maryland and Missouri", not "Missouri"; new user 30)."""
    asked = _ASKED.search(question.lower())
    nouns = set(terms(asked.group(1))) & _KIND_NOUNS if asked else set()
    if nouns and not set(terms(sentence[start:end].split()[-1])) & nouns:
        carrying = [m for m in NAME_PHRASE.finditer(sentence) if set(terms(m.group(0).split()[-1])) & nouns
                    and not set(terms(m.group(0))) <= set(terms(question))]
        if len(carrying) == 1:
            start, end = carrying[0].span()
    if _SEVERAL_ASKED.search(question):
        for m in _LISTED.finditer(sentence):
            if m.start() <= start and end <= m.end():
                return m.span()
    return start, end


# a question asking for several of a kind: "which two states", "the names of the two turkeys", "which countries"
_SEVERAL_ASKED = re.compile(r"\b(?:which|what)\s+(?:two|three|four|five|\d+)\s+[a-z]|\bnames\s+of\b|"
                            r"\b(?:which|what)\s+(?:[a-z]+\s+)?(?:states|countries|nations|cities|teams|companies|"
                            r"firms|players|people|men|women)\b|\bwho\s+(?:were|are)\s+the\s+(?:two|three|four)\b",
                            re.I)
_LISTED = re.compile(rf"(?:{NAME_PHRASE.pattern})(?:,\s+(?:{NAME_PHRASE.pattern}))*,?\s+(?:and|&)\s+"
                     rf"(?:{NAME_PHRASE.pattern})")


def phrase_kind(phrase: str, sentence: str, start: int) -> str | None:
    """What a name phrase looks like: "place" (a country or US state, or after "in"/"at"/"from"),
    "event" ("Australian Open", "November Tests"), "org" (an organisation word or an acronym),
    "person" (after a title, or two or more capitalised words, "al-Assad" too), or None."""
    bare = re.sub(r"[’']s$", "", phrase)
    if place_key(bare) in PLACES:
        return "place"
    if _EVENT_WORDS.search(bare):
        return "event"  # asked for by no "which <noun>" list here: a clash for a person, place or org
    if _ORG_WORDS.search(bare) or _ACRONYM.fullmatch(bare) or _OWNED_POST.match(sentence, start + len(phrase)):
        return "org"  # "Starbucks CEO Howard Schultz", "Tesla founder Elon Musk": the post's owner is an organisation
    before = sentence[max(0, start - 24) : start]
    if _TITLES.search(before) or _LEADING_TITLE.match(bare) or (
            _PERSON_NAME.fullmatch(bare) and bare.split()[0] not in ("The", "A", "An")):
        return "person"  # "Gov. Gavin Newsom", "President Bashar al-Assad", "Mohammed bin Salman"
    if re.search(r"\b(?:in|at|from|to|near)\s+$", before):
        return "place"
    return None


def _no_place(phrase: str, sentence: str, start: int) -> bool:
    """Whether a name is surely no place: a person by a title ("Home Secretary Charles Clarke",
    "Gov. Newsom"), an event or an organisation by its words, one capitalised word after "the" (the
    Republic, the Assembly: a body named by its common noun). Two capitalised words alone say nothing
    here ("Los Angeles" looks like a person's name to ``phrase_kind``)."""
    bare = re.sub(r"[’']s$", "", phrase)
    if place_key(bare) in PLACES:
        return False
    before = sentence[max(0, start - 24) : start]
    return bool(_EVENT_WORDS.search(bare) or _ORG_WORDS.search(bare) or _TITLED.search(bare) or _TITLES.search(before)
                or (" " not in bare and bare != "Hague" and re.search(r"\b[Tt]he\s+$", before)))


# a title before a name inside a phrase: "Home Secretary Charles Clarke", "Prince Charles"
_TITLED = re.compile(rf"(?:^|\s)(?:{_TITLE_WORDS}|King|Queen|Prince|Princess|Pope)\.?\s+[A-Z]")


def named_kind(phrase: str, sentence: str, start: int) -> str | None:
    """``phrase_kind``, and what the text says the name is when that finds nothing: "the town of
    Khansir" a place, "the carmaker Stellantis" an organisation. For the phrase ranker only: read
    by ``fits_precisely`` too, it moved the sentence ranker (fitted without it) one RealTime QA
    tuning question down ("the Swiss town of Rolle" outranked a sentence naming France). A name the
    text calls a place or an organisation right after it ("Sheikh Najjar estate", "Acme Mining
    company") is that, whatever its two capitalised words look like."""
    after = _KIND_AFTER.match(sentence, start + len(phrase))
    if after:
        return "place" if after.group(1).lower() in _PLACE_NOUNS_AFTER else "org"
    if (_TEAM.fullmatch(phrase) and re.search(r"\bthe\s+$", sentence[max(0, start - 8) : start])) \
            or _TEAM_POST.match(sentence, start + len(phrase)):
        # "dominating the Philadelphia Phillies", "Brooklyn Nets star Kevin Durant": a team, though its two words
        # look like a name (new user 30's bold **Philadelphia Phillies** for "Which Houston pitcher ...?"). Not read
        # by ``fits_precisely`` (the sentence ranker's feature): there it let "ahead of the Boston Celtics" into the
        # answer to which team was first, and "Blackburn striker Matt Jansen" into one to which club he scored against
        return "org"
    kind = phrase_kind(phrase, sentence, start)
    if kind is None:
        before = sentence[max(0, start - 24) : start]
        kind = "place" if _PLACE_OF.search(before) else "org" if _ORG_BEFORE.search(before) else None
    return kind


_PLACE_NOUNS_AFTER = frozenset(
    "estate town city village district province region county neighbourhood neighborhood suburb area airport "
    "base camp square street road river valley island port border crossing".split())
_KIND_AFTER = re.compile(r"\s+(" + "|".join(sorted(_PLACE_NOUNS_AFTER)) +
                         r"|company|firm|group|party|agency|network|studio|bank|airline|club|union)\b")
# a team or band after "the": "the Houston Astros", "the Rolling Stones" (no one is "the Chris Evans")
_TEAM = re.compile(r"(?:[A-Z][a-z’'-]+\s+){1,2}[A-Z][a-z’'-]+s")
_PERSON_NAME = re.compile(r"(?:[A-Z][a-z’'-]+\s+){1,2}(?:(?:al|el|bin|ibn|de|da|di|du|van|von|der|den|la|le)[-\s])?"
                          r"[A-Z][a-z’'-]+")
_PLACE_OF = re.compile(r"\b(?:town|city|village|state|province|region|county|district|port|capital|island|"
                       r"country|republic|kingdom|municipality|suburb|neighbourhood|neighborhood)\s+of\s+$", re.I)
_ORG_BEFORE = re.compile(r"\b(?:the|rival|struggling)\s+(?:company|firm|carmaker|automaker|retailer|chain|airline|"
                         r"bank|lender|insurer|broadcaster|network|publisher|studio|label|brand|startup|start-up|"
                         r"conglomerate|manufacturer|group|club|party)\s+$", re.I)


_DAY_NUMBER = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)")
_MONTH_RE = re.compile(rf"\b{_MONTH}\b", re.I)
_MEASURE = re.compile(r"[£$€%]|\d\s?(?:bn|tn|m|k)\b|\b(?:billion|million|trillion|thousand|per ?cent|percent)\b",
                      re.I)


@dataclass(frozen=True)
class PhraseModel:
    """Which candidate phrase answers: a conditional logit over a question's candidates (``scores``),
    and a pointwise P(this phrase is the answer) with the bar under which no short answer is given."""

    features: tuple[str, ...]
    weights: tuple[float, ...]  # conditional logit: ranks the candidates
    sentences: int  # ranked sentences whose phrases compete
    point_weights: tuple[float, ...]  # logistic: P(the best candidate is right) ...
    point_bias: float
    bar: float  # ... under which there is no short answer
    lead: float  # a phrase outside the answer's sentences leads when P reaches this (1.01: never)
    version: int
    fitted_on: Mapping[str, object]

    @classmethod
    def load(cls, path: Path = PHRASES_FITTED) -> PhraseModel:
        from rag.confidence import read_fitted

        raw = read_fitted(path, "phrase ranker", PHRASE_FEATURES, ("sentences", "point_bias", "bar", "lead"),
                          refit="python -m evals.fit_phrases")
        if len(raw.get("point_weights", ())) != len(PHRASE_FEATURES):
            raise ConfigError(f"{path}: point_weights must have {len(PHRASE_FEATURES)} numbers; "
                              "refit with `python -m evals.fit_phrases`")
        return cls(tuple(raw["features"]), tuple(float(w) for w in raw["weights"]), int(raw["sentences"]),
                   tuple(float(w) for w in raw["point_weights"]), float(raw["point_bias"]), float(raw["bar"]),
                   float(raw["lead"]), int(raw["version"]), raw.get("fitted_on", {}))

    def scores(self, x: np.ndarray) -> np.ndarray:
        return x @ np.asarray(self.weights)

    def probability(self, row: np.ndarray) -> float:
        return float(1.0 / (1.0 + np.exp(-(self.point_bias + row @ np.asarray(self.point_weights)))))


# --- who a named person is ----------------------------------------------------------------------------
# "Who is Hakeem Jeffries?" (``rag.text.asks_who_named_is``) is answered by what the articles call the person:
# a title run before the name ("House Democratic Leader Hakeem Jeffries", "New York Rep. Hakeem Jeffries"), an
# appositive after it ("Thomas Commerford Martin, the editor of Electrical World magazine,") or "X is a ...".
_TITLE_ABBREVIATIONS = frozenset("rep sen gov lt col gen pres prof dr sgt cpl adm supt insp det cllr".split())
_TITLE_POSTS = frozenset(PERSON_NOUNS) | _TITLE_ABBREVIATIONS | frozenset(
    "speaker whip premier chief head leader chair commander inspector superintendent councillor".split())
# lower-case words a title run may hold besides its posts ("Democratic leader", "former House speaker")
_TITLE_LOWER = frozenset("former acting interim deputy vice assistant minority majority party house state "
                         "foreign defence defense finance health home interior justice prime chief general "
                         "executive senior top new then".split())
_TITLE_TOKEN = re.compile(r"[A-Z][\w’'&-]*\.?|[a-z][\w’'-]*|\d+(?:st|nd|rd|th)")
_DESCRIBED_AFTER = re.compile(r",\s+((?:an?|the|who)\s[^,;:.!?\"“”]{3,90}?)\s*(?:[,;:.!?]|$)")
_DESCRIBED_IS = re.compile(r"\s+(?:is|was|has been)\s+((?:an?|the)\s[^,;:.!?\"“”]{3,90}?)\s*(?:[,;:.!?]|$)")
_TITLE_WORDS_MAX = 6


def description_of(name: str, sentence: str) -> tuple[int, int, int] | None:
    """Where ``sentence`` says who ``name`` (a person's name as a question gives it) is, and how well:
    ``(start, end, 2)`` for a title run right before the name that holds a post word ("House Democratic
    Leader", "New York Rep."), ``(start, end, 1)`` for an appositive or "is a ..." after it ("the editor
    of Electrical World magazine", "a Brooklyn native"), ``(start, end, 0)`` for a title that is an
    abbreviation alone ("Rep."); None if the sentence says none of these."""
    m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", sentence)
    if m is None:
        return None
    title = _title_before(sentence, m.start())
    if title is not None and " " in sentence[title[0]:title[1]].strip() \
            or title is not None and sentence[title[0]:title[1]].lower().rstrip(".") not in _TITLE_ABBREVIATIONS:
        return title[0], title[1], 2
    described = _DESCRIBED_AFTER.match(sentence, m.end()) or _DESCRIBED_IS.match(sentence, m.end())
    if described:  # "Rep. Hakeem Jeffries is a Brooklyn native": more than "Rep."
        return described.start(1), described.end(1), 1
    return (title[0], title[1], 0) if title is not None else None


def _title_before(sentence: str, at: int) -> tuple[int, int] | None:
    """The title run that ends right before ``at`` (the name), if it holds a post."""
    tokens = list(_TITLE_TOKEN.finditer(sentence, 0, at))
    run: list[re.Match[str]] = []
    end = at
    for tok in reversed(tokens):
        if sentence[tok.end():end].strip() or len(run) >= _TITLE_WORDS_MAX:  # a comma, a quote: the run ends
            break
        word = tok.group(0).lower().rstrip(".")
        if not (tok.group(0)[0].isupper() or word in _TITLE_POSTS or word in _TITLE_LOWER):
            break
        run.append(tok)
        end = tok.start()
    run.reverse()
    while run and run[0].group(0).lower().rstrip(".") in STOPWORDS | {"before", "after", "when", "while", "as"}:
        run.pop(0)  # "Before House Democratic Leader ...": the sentence's opening word is no part of the title
    posts = [i for i, t in enumerate(run) if t.group(0).lower().rstrip(".") in _TITLE_POSTS]
    if not posts:
        return None
    return run[0].start(), run[-1].end()
