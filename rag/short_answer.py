"""The answer, not only the sentence: the short phrase of the asked-for type inside the cited sentence.

For "how many/much" a number phrase ("at least four", "£1.2bn", "around four million"), for "when"
a date or day ("Friday night", "2016", "1 December"), for "who/where/which <thing>" a proper name
the question does not already contain ("Khansir", "Hyat Tahrir al Sham"). When the sentence holds
several, the one nearest the question's own words wins ("killed ... at least four" rather than
"dozens injured"). When none fits, there is no short answer: never a guess.

>>> from rag.evidence import prepare
>>> extract(prepare("Which town did the rebels capture?"), "Rebels said they captured the town of Khansir on Sunday.")
('Khansir', 38, 45)
>>> extract(prepare("How many people were killed?"), "At least four people were killed and dozens injured.")
('At least four', 0, 13)
"""

from __future__ import annotations

import re

from rag.evidence import MONTHS, NUM_WORDS, Question, terms

_QUALIFIER = r"(?:(?:at least|at most|about|around|almost|nearly|more than|less than|fewer than|over|under|some|up to|roughly|approximately|only|just)\s+)?"
_NUMWORD = r"(?:" + "|".join(sorted(NUM_WORDS.split(), key=len, reverse=True)) + r")"
_AMOUNT = (
    r"[£$€]?\d[\d,]*(?:\.\d+)?\s?(?:%|bn|m|k|tn|billion|million|trillion|thousand|per ?cent|percent)?"
    rf"|{_NUMWORD}(?:[\s-]+(?:and\s+)?{_NUMWORD})*(?:\s+per ?cent)?"
)
NUMBER_PHRASE = re.compile(rf"\b{_QUALIFIER}(?:{_AMOUNT})(?:\s+(?:euros?|dollars?|pounds?|yen|points?))?", re.I)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = "(?:" + "|".join(MONTHS.split()) + ")"
DATE_PHRASE = re.compile(
    rf"\b(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?"
    rf"|{_DAY}(?:\s+(?:night|morning|afternoon|evening))?|(?:1[5-9]|20)\d\d(?:s)?|(?:last|next|this)\s+(?:week|month|year|{_MONTH}|{_DAY}))\b",
    re.I,
)
# capitalised words joined by spaces or name particles: "Hyat Tahrir al-Sham", "Bank of England"
NAME_PHRASE = re.compile(
    r"\b[A-Z][\w'’]*(?:(?:-[A-Z][\w'’]*)|(?:(?:\s+|-)(?:(?:al|el|bin|ibn|de|del|der|van|von|of|the|la|le|du)(?:\s+|-))?[A-Z][\w'’]*))*"
)
NAME_NEAR = 40  # characters: of several names in a sentence, the nearest to the question's words wins only this close
_WORD = re.compile(r"\w+")


def extract(q: Question, sentence: str) -> tuple[str, int, int] | None:
    """(phrase, start, end) inside ``sentence`` answering ``q``'s type; None when no phrase fits."""
    atype = q.atype or ("name" if re.match(r"\s*(which|what)\s+\w+", q.text, re.I) and not re.match(
        r"\s*what\s+(did|does|do|is|was|are|were|has|have|had|will|would|can|could)\b", q.text, re.I) else "")
    if atype == "number":
        pattern = NUMBER_PHRASE
    elif atype == "date":
        pattern = DATE_PHRASE
    elif atype == "name":
        pattern = NAME_PHRASE
    else:
        return None
    qstems = set(q.stems)
    anchors = [(m.start(), m.end()) for m in _WORD.finditer(sentence) if set(terms(m.group(0))) & qstems]
    best: tuple[float, tuple[str, int, int]] | None = None
    for m in pattern.finditer(sentence):
        phrase = m.group(0).strip(" ,")
        if not phrase or not re.search(r"\w", phrase):
            continue
        start = m.start() + m.group(0).index(phrase)
        end = start + len(phrase)
        if atype == "name":
            if start == 0 and " " not in phrase and phrase.lower() in _COMMON_OPENERS:
                continue
            if re.search(r"-[a-z]+$", phrase):  # "Turkey-backed", "Kremlin-led": a modifier, not a name
                continue
            stems = set(terms(phrase))
            if not stems or stems <= qstems:  # the question's own names are not the answer
                continue
        elif (phrase.lower() in _NOT_AMOUNTS or (atype == "number" and _YEAR.fullmatch(phrase))
              or (set(terms(phrase)) and set(terms(phrase)) <= qstems)):
            continue
        distance = min((min(abs(start - b), abs(a - end)) for a, b in anchors), default=len(sentence))
        if best is None or distance < best[0]:
            best = (distance, (phrase, start, end))
    if best is None or (atype == "name" and best[0] > NAME_NEAR):
        return None  # no name clearly tied to what the question asks: say nothing rather than guess
    return best[1]


_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")  # a year is a date, not an amount
_NOT_AMOUNTS = frozenset({"one", "a", "half"})  # "one of the raids" is not a count
_COMMON_OPENERS = frozenset("the a an it he she they we this that these those but and in on at as after before when "
                            "while residents officials rebels".split())
