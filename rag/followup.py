"""Offline follow-up rewriting: turn "what about the day before?" into a standalone search query.

Deterministic: when a question leans on the conversation (a pronoun or "what about" pointing back,
an opening "And", or too few words to name what it is about), the content words of the previous
question and the names in the previous answer are added to it. A question that names its own
subject ("What did the mayor announce?" after a question on a crane collapse: a noun phrase whose
words the conversation has not used) is a new question and is searched as written, whatever came
before, a refused question included. A follow-up that is only a noun phrase ("And the miners?",
"What about Time Warner?", "How many in Syria?") is the last question again with that phrase in
place of one of its own: the old subject, names or time is left out (``elided_subject``), and a period
the last question was about is kept as its phrase ("What about the Mega Millions?" after "Which NFL team
was sold this week?" is about this week, understood from the rewrite: ``topic_shift``). What it asks
is that question with the phrase in ("What about Meta?" after "How many jobs is Amazon cutting?" asks
"How many jobs is Meta cutting?", a number: ``elided_question``), and "And the week before?" next asks
that question a week earlier (``time_shift`` reads the last question as searched, not as written). A
follow-up that asks a whole question of its own ("And who is the new team president?") takes only the names the
conversation's questions gave ("Denver Broncos"), not their other words ("pay", "bought") nor a name
only an answer gave ("Rob Walton"), which would pile up turn after turn (``_subject_carried``). "He" or
"she" after a question asking for a person ("Who won the Nobel prize?", "Which minister resigned?":
``asks_for_person``) is the person its answer named ("How old is she?": Annie Ernaux, ``named_in_answer``),
not the one it asked about ("Where did he coach before?" after "Who replaced Gareth Southgate?": Lee
Carsley's career, not Southgate's, ``persons_asked``); after any other question it is the subject the
conversation was on. A role of one the conversation spoke of points back as "he" does ("What was the old
CEO paid?" after questions on Disney's CEO: ``role_said``); one it never spoke of ("What did the new mayor
announce?" after a crane collapse) is a new subject. A reply's opening ("Yes,", "Well,") is no name to
carry on. Acronyms ("BP", "EU", "WHO") and names and words in any script ("Pogačar", "the élite race") are
words like any other. With an LLM configured, ``rag.llm.LLMAnswerer.rewrite`` is used instead.

>>> rewrite_query("Who said that?", [("Which town did rebels capture south of Aleppo?", "Khansir [1]")])
'Who said that? town rebels capture south Aleppo Khansir'
>>> rewrite_query("What did the mayor announce?", [("Which town did rebels capture?", "Khansir [1]")])
'What did the mayor announce?'
>>> rewrite_query("and the miners?", [("Did the steelworkers accept the pay deal?", "They voted yes [1].")])
'and the miners? accept pay deal'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from rag.recency import day_label
from rag.text import STOPWORDS as _STOP
from rag.text import PERSON_NOUNS, split_sentences, strip_markers, terms
from rag.timewindow import MONTHS, understand
from rag.types import REFUSAL, TimeWindow

# --- the words that point back: one source of truth for every pattern below --------------------------
#: "How old is she?": one person, after a who-question the one its answer named (``_added``)
ONE_PERSON: tuple[str, ...] = ("he", "him", "his", "she", "her", "hers")
#: "What did he say?", "Is she still there?"; also the pronouns ``points_at_nothing`` looks for
PERSON_PRONOUNS: tuple[str, ...] = (*ONE_PERSON, "they", "them", "their", "theirs")
#: "Who owns it?", "What is the latest on it?", "Who said that?"
THING_PRONOUNS: tuple[str, ...] = ("it", "its", "this", "these", "those", "that")
PRONOUNS: tuple[str, ...] = PERSON_PRONOUNS + THING_PRONOUNS
#: all that points at a person, thing, place or time the last turn named ("there", "the day before")
POINTERS: tuple[str, ...] = (*PRONOUNS, "there", "then", "the same", "before", "after", "earlier", "later")
#: openings that carry on the last question but may name a new subject ("What about Time Warner?")
CARRY_ON: tuple[str, ...] = ("what about", "how about", "and the")
#: words before a noun that tell which of the ones the conversation spoke of is meant: "the old CEO", "the
#: former chairman", "the previous one" (also "ex-": "the ex-CEO"); with a noun it spoke of, no new subject
ROLE_WORDS: tuple[str, ...] = ("old", "new", "former", "previous", "current", "outgoing", "incoming", "late",
                               "first", "last", "other", "same", "next", "original", "acting", "interim")


def _any_of(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(w.replace(" ", r"\s+") for w in words) + r")\b", re.I)


# "that" and "there" are left to the two checks after this one (a relative "that", an existential "there")
_REFERS = _any_of([w for w in POINTERS if w not in ("that", "there")] + list(CARRY_ON))
# "that" and "there" point back ("Who said that?", "How many were killed there?") except as a relative
# pronoun after a noun phrase ("the crane that collapsed") and in "is there" / "there were"
_THAT = re.compile(r"\bthat\b", re.I)
_RELATIVE_BEFORE = re.compile(r"\b(?:the|an?)\s+(?:[\w'’-]+\s+){1,3}$", re.I)
_THERE = re.compile(r"\bthere\b", re.I)
_EXISTENTIAL = re.compile(r"\b(?:is|are|was|were|be|been)\s+there\b|\bthere\s+(?:is|are|was|were|has|have|had|will)\b",
                          re.I)
# what points at something the last turn named: "she", "that", "there", "the day before"; not "what
# about" or an opening "And", which carry on the last turn's question but may name a new subject
_POINTS = _any_of(POINTERS)
# a word that opens with a letter of any script: "élite" and "Łódź" as much as "spring" (read by the
# patterns below; ``[A-Za-z]`` read "the élite race" as no modified noun at all)
_LETTERED = r"[^\W\d_][\w'’-]*"
# "the old CEO", "his former club", "the ex-CEO": a role word (``ROLE_WORDS``) and the noun after it
_ROLE = re.compile(rf"\b(?:the|his|her|their|its)\s+(?:(?:{'|'.join(ROLE_WORDS)})\s+|ex-)(?P<noun>{_LETTERED})",
                   re.I)
# "the spring one(s)": a noun of the last question, with another word before it
_ONE = re.compile(rf"\b(?:the|a|an)\s+{_LETTERED}\s+ones?\b", re.I)
# "the autumn conference": a word before a noun, which such a question replaces
_MODIFIED = re.compile(rf"\b(?:the|a|an|this|that|its|their)\s+({_LETTERED})\s+{_LETTERED}", re.I)
_OPENS_ON = re.compile(r"^\s*(?:and|but)\b", re.I)  # "And when?", "But who paid?": carries on the last turn
# letters of any script: "Pogačar" and "Mbappé" are one word each, not "Poga", "ar" and "Mbapp"
_WORD = re.compile(r"[^\W_][\w'’-]*")
# a word that may be a name: letters, apostrophes and hyphens (no "COP28"), read by ``_names``
_NAME = re.compile(r"(?<![\w'’-])[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]*)*(?![\w])")
# in capitals, but not an acronym ("OK, and what about Chelsea?", "at 9 AM")
_NOT_ACRONYMS = frozenset({"OK", "AM"})
# capitalised, but a date, not what a question is about ("How many were hurt on Sunday?")
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december today yesterday tomorrow spring summer autumn winter".split())
_SEASONS = ("Spring", "Summer", "Autumn", "Winter")


def _titled(word: str) -> bool:
    """A capital then a small letter, in any script: "Olympics", "Øya", "Пражская"; not "UK", "the"."""
    return word[:1].isupper() and word[1:2].islower()


def _named_seasons(text: str) -> set[int]:
    """Offsets in ``text`` of the seasons that are words of a name, no time: "the Spring Statement", "the
    Winter Øya festival" (before a capitalised word), "the Arab Spring" (after one that is no function word)."""
    words = list(_WORD.finditer(text))
    out = set()
    for i, m in enumerate(words):
        season = re.sub(r"['’]s$", "", m.group())  # "the Arab Spring's legacy"
        if season not in _SEASONS:
            continue
        after = words[i + 1] if i + 1 < len(words) and not text[m.end():words[i + 1].start()].strip() else None
        before = words[i - 1] if i > 0 and not text[words[i - 1].end():m.start()].strip() else None
        if (after is not None and _titled(after.group())) or (
                season == "Spring" and before is not None and _titled(before.group())
                and before.group().lower() not in _STOP):
            out.add(m.start())
    return out


# words that open a sentence capitalised and are no names ("However, ...", "Meanwhile ...", "Officials said")
_DISCOURSE = frozenset(
    "however meanwhile moreover furthermore nevertheless nonetheless still yet also instead indeed thus therefore "
    "earlier later now then today yesterday tomorrow overall elsewhere separately finally first second third "
    "officials police authorities experts analysts critics residents witnesses sources reports according "
    "despite although though while since after before when once if unless because "
    # a reply's opening: "Yes, the Bank cut rates", "Well, Labour won narrowly"
    "yes yeah no not well so ok okay sure actually unfortunately fortunately perhaps maybe possibly probably "
    "likely currently recently besides anyway".split())


def _calendar(text: str, m: re.Match[str]) -> bool:
    """Whether the word ``m`` of ``text`` is a day, month or season, not a season in a name."""
    return m.group().lower() in _CALENDAR and m.start() not in _named_seasons(text)


# a noun phrase the question names: a determiner and the (up to three) content words after it
_PHRASE = re.compile(r"\b(?:the|an?)\s+((?:[^\W_][\w'’-]*\s*){1,3})", re.I)
# "What was the turnout?", "Who is the mayor?", "How big was the crowd?": an attribute of something
# the question leaves unsaid (the turnout of which election?), so it reads on from the last turn
_ATTRIBUTE = re.compile(
    r"^\s*(?:what|who|which|whose|where|when|why|how(?:\s+[^\W\d_]+)?)(?:\s+(?:is|was|are|were)|['’]s)"
    r"\s+(?:the|an?)\s+(?P<np>[\w'’ -]+?)\s*[?.!]*\s*$", re.I)
# "this week", "this year": the present, not something the last turn named ("Who won Eurovision this year?")
_NOW = re.compile(r"\bthis\s+(?:morning|afternoon|evening|week|weekend|month|year|season|spring|summer|autumn|"
                  r"winter)\b", re.I)
_PREPOSITION = r"(?:in|at|on|for|from|among|with|to|by|of)"
# "And the miners?", "What about Time Warner?", "And in France?", "How many in Syria?": a follow-up that is a
# noun phrase and no more, the last question asked again about it
_ELLIPSIS = re.compile(
    r"^\s*(?:(?:ok|okay|so|well),?\s+)?(?:(?:and|but)\s+(?:(?:what|how)\s+about\s+)?|(?:what|how)\s+about\s+"
    rf"|(?:what|who|where|when|why|how(?:\s+many|\s+much)?)\s+(?={_PREPOSITION}\s))"
    rf"(?P<prep>{_PREPOSITION}\s+)?(?:(?:the|an?)\s+)?(?P<np>[\w'’&-]+(?:\s+[\w'’&-]+){{0,3}})\s*[?.!]*\s*$",
    re.I)
_AUXILIARY = r"(?:do|does|did|is|are|was|were|has|have|had|will|would|can|could|should|may|might|must)"
# a question puts its auxiliary before its subject: "Why are junior doctors striking?", "How many seats did
# Labour win?", "Did the steelworkers accept the pay deal?", "How many House seats have Republicans won so far?"
# (three words before it: "House" was read as no subject's, and "And the Democrats?" dropped it, new user 14)
_FRONTED = re.compile(
    rf"^\s*(?:(?:what|who|whom|which|where|when|why|how)(?:\s+[\w'’-]+){{0,3}}?\s+)?(?P<aux>{_AUXILIARY})\s+"
    r"(?:(?:the|an?|its|their|his|her)\s+)?(?P<rest>[^?.!,;:]*)", re.I)
# verbs among the function words: "What did the government say about ...?" has its verb in "say"
_FUNCTION_VERBS = frozenset("say says said do does did doing be been being have has had having".split())


def _acronym(word: str, text: str) -> bool:
    """Whether ``word`` of ``text`` is an acronym: two or more capitals ("BP", "EU", "UK", "AI"), one that
    spells a function word ("WHO", "IT") only in a text not written in capitals throughout ("WHO WON?")."""
    return (len(word) >= 2 and word.isalpha() and word.isupper() and word not in _NOT_ACRONYMS
            and (word.lower() not in _STOP or any(c.islower() for c in text)))


def _content(text: str) -> list[str]:
    """The words that say what ``text`` is about: no function words, none of one or two letters but an
    acronym ("What did BP say?" is about "BP"; "the WHO" is no "who"), none of a phrase of time that is no
    topic ("so far": "What about the Democrats?" after "... won so far last week?" was searched with "far", new
    user 19)."""
    return [w for w in _WORD.findall(_SO_FAR.sub(" ", text))
            if _acronym(w, text) or (w.lower() not in _STOP and len(w) > 2)]


_SO_FAR = re.compile(r"\b(?:so far|to date|at present|as of (?:now|today)|right now|thus far)\b", re.I)


def _names(text: str) -> list[str]:
    """Capitalised words past the first character that are not days, months, "Today" or a capitalised
    function word ("In", "The"): words of three letters or more, acronyms ("BP", "EU", "WHO") and two-letter
    words inside a name ("Marine Le Pen", "Ed Miliband", "De Bruyne")."""
    return [w for _, _, w in _name_spans(text[1:])]


def _name_spans(text: str) -> list[tuple[int, int, str]]:
    """``_names`` of ``text`` (from its first character on) with their offsets."""
    found = list(_NAME.finditer(text))
    spans: list[tuple[int, int, str]] = []
    for i, m in enumerate(found):
        w = m.group()
        if not w[0].isupper() or _calendar(text, m):
            continue
        before = text[: m.start()].rstrip(" \"“‘'([")
        if w.lower() in _DISCOURSE and not (before[-1:].islower() or before.endswith((",", ";"))):
            continue  # "However, Warnock won": a sentence's opening word, no name
        if not _acronym(w, text):
            if w.lower() in _STOP or len(w) < 2:
                continue
            if len(w) == 2:  # "Le" of "Le Pen": a name follows, with a space between them and nothing else
                after = found[i + 1].group() if i + 1 < len(found) else ""
                if not (w[1].islower() and after[:1].isupper() and len(after) > 2
                        and not text[m.end():found[i + 1].start()].strip()):
                    continue
        spans.append((m.start(), m.end(), w))
    return spans


def _bare(word: str) -> str:
    return re.sub(r"['’]s$", "", word.lower())  # "BP's" is "BP"


_OPENING = r"^\W*(?:(?:and|but|so|ok|okay)\W+)?"
# "Who won?", "And who scored?", "Whose goal won it?": a question whose answer is a name, usually a person's
_WHO = re.compile(_OPENING + r"(?:who|whom|whose)\b", re.I)
# "Which player ...", "What minister ...", "Name the CEO ...": a person noun may follow (``asks_for_person``)
_WHICH = re.compile(_OPENING + r"(?:which|what|name\s+(?:the|an?))\s+(?P<rest>.*)", re.I | re.S)
_ONE_PERSON = re.compile(r"\b(" + "|".join(ONE_PERSON) + r")\b", re.I)
_THEY = _any_of([p for p in PERSON_PRONOUNS if p not in ONE_PERSON])  # they, them, their, theirs
# "the Nobel prize", "the Tour de France", "the Met Police": a name after an article is a thing's
_ARTICLE_BEFORE = re.compile(r"\b(?:the|an?)\s+$", re.I)


def asks_for_person(question: str) -> bool:
    """Whether ``question`` asks for a person, so that "he" or "she" next is whom its answer named: a
    who-question ("Who won?", "Whom did she beat?", "Whose goal won it?"), or "which", "what" or "name the"
    with a person noun (``PERSON_NOUNS``) among the next three words before any function word ("Which
    player scored?", "Which Labour minister resigned?", "Which team's manager was sacked?", "Name the CEO
    who ..."); not "Which country won?", "What did the minister say?" (the minister is its subject).

    >>> asks_for_person("Which England player scored?"), asks_for_person("Which company bought Activision?")
    (True, False)
    """
    if _WHO.match(question):
        return True
    m = _WHICH.match(question)
    if m is None:
        return False
    for w in _WORD.findall(m.group("rest"))[:3]:
        if _bare(w) in PERSON_NOUNS:
            return True
        if w.lower() in _STOP:
            return False
    return False


def _name_runs(text: str) -> list[tuple[int, list[str]]]:
    """The names of ``text`` (``_name_spans``) joined into runs of words with a space between them and
    nothing else ("Annie Ernaux" is one run, "Tour de France" two), each with its offset."""
    runs: list[tuple[int, list[str]]] = []
    end = -1
    for start, stop, w in _name_spans(text):
        if runs and not text[end:start].strip():
            runs[-1][1].append(w)
        else:
            runs.append((start, [w]))
        end = stop
    return runs


def persons_asked(question: str, answer: str = "") -> set[str]:
    """The words (lower case) of the people a question asking for a person named itself: a name of two or
    more words not after an article ("Gareth Southgate" of "Who replaced Gareth Southgate?"; not "the Nobel
    prize", "the Met Police"), or of one word that ``answer`` gives with more of the name ("Southgate", when
    the answer says "Gareth Southgate"; not "Arsenal" of "Who did Arsenal sign?", nor "Boeing"). After the
    answer named someone else, "he" or "she" is that one, and these names would pull the search back to the
    person asked about (where Southgate coached before, not Lee Carsley). No tagger: "Who did Real Madrid
    sign?" loses "Real Madrid", which only costs the search some context."""
    text = " " + question
    given = [{_bare(w) for w in run} for _, run in _name_runs(" " + strip_markers(answer or ""))]
    out: set[str] = set()
    for start, run in _name_runs(text):
        if _ARTICLE_BEFORE.search(text[:start]):
            continue
        words = {_bare(w) for w in run}
        if len(run) > 1 or any(words < g for g in given):
            out |= words
    return out


def named_in_answer(question: str, answer: str) -> list[str]:
    """Whom an answer to a question asking for a person (``asks_for_person``) names: the offline answer's
    lead ("Annie Ernaux." of "Annie Ernaux. The French writer Annie Ernaux was awarded ..."), else its first
    name of two or more words, else its first name, that ``question`` did not name; [] when it names nobody
    new (a refusal, "BP has not named a successor" after "Who will replace BP's chief executive?"). A name's
    words, without a demonym before it ("French") or another person after it ("ahead of Jonas Vingegaard").
    No tagger: "Real Madrid" is a name as much as "Annie Ernaux" is.

    >>> named_in_answer("Who won the Nobel prize?", "Annie Ernaux. The French writer Annie Ernaux won it [1].")
    ['Annie', 'Ernaux']
    """
    text = " " + strip_markers(answer or "")
    asked = {_bare(w) for w in _names(" " + question)}
    spans = [(start, r) for start, r in _name_runs(text) if not all(_bare(w) in asked for w in r)]
    if not spans:
        return []
    lead = re.match(r"\s*([^.!?]+)[.!?](?:\s|$)", text)
    if lead and lead.group(1).split() == spans[0][1]:  # the short answer the offline answer opens with
        return spans[0][1]
    # the names of the sentence that says most of what was asked come first: "The Da Vinci Code claims
    # ... Mary Magdalene ... The Bishop of Durham, the Rt Rev Dr Tom Wright, described the novel as ...
    # 'lousy history'" answers "Who called The Da Vinci Code lousy history?" with Tom Wright (the words read
    # are the question's beside its names: the first sentence names the novel, the second says what he called it)
    wanted = set(terms(question)) - set(terms(" ".join(_names(" " + question))))
    sentences = split_sentences(text)

    def said(start: int) -> int:
        a, b = next(((a, b) for a, b in sentences if start < b), (0, len(text)))
        return len(wanted & set(terms(text[a:b])))
    runs = [r for _, r in sorted(spans, key=lambda sr: -said(sr[0]))]
    return next((r for r in runs if len(r) > 1), runs[0])


def they_mean(history: Sequence[tuple[str, str]]) -> list[str]:
    """Whom "they" of a follow-up means: the first name (``_first_named``) of the answer to the last question
    that asked who, or the same ones as that question's own "they" ("And who beat them the year before?"
    after "Who did they beat?" is about the winners still, not the beaten side the answer named); [] when
    the last question asked for no one.

    >>> they_mean([("Who won the Hopman Cup?", "Slovakia clinched the Hopman Cup by beating Argentina [1]."),
    ...            ("Who did they beat in the final?", "Argentina. Slovakia beat Argentina 3-0 [1].")])
    ['Slovakia']
    """
    if not history:
        return []
    asked, answer = history[-1]
    if _THEY.search(asked):
        return they_mean(history[:-1])
    return _first_named(asked, answer) if asks_for_person(asked) else []


def they_named(question: str, history: Sequence[tuple[str, str]]) -> str | None:
    """``question`` with "they" ("them", "their") written as whom it means (``they_mean``), which the offline
    answerer reads as the question's own name ("Who did Slovakia beat in the final?": not Slovakia, and the
    side after "beat"); None when it has no such pronoun, or a he or she too, or "they" means no one said.

    >>> they_named("Who did they beat in the final?", [("Who won the Hopman Cup?", "Slovakia won it [1].")])
    'Who did Slovakia beat in the final?'
    """
    if not _THEY.search(question) or _ONE_PERSON.search(question) or not (meant := they_mean(history)):
        return None
    name = " ".join(meant)
    return _THEY.sub(lambda m: name + ("'s" if m.group().lower().startswith("their") else ""), question)


def _first_named(question: str, answer: str) -> list[str]:
    """The words of the first name ``answer`` gives that ``question`` did not, with the names listed with it
    ("Kemi Badenoch and Robert Jenrick"): ``named_in_answer`` reads the person a he or she means; "they" is
    more often a team, a group or the people listed first.

    >>> _first_named("Who won the Hopman Cup?", "Slovakia clinched the Hopman Cup by beating Argentina [1].")
    ['Slovakia']
    >>> _first_named("Who is standing?", "Kemi Badenoch and Robert Jenrick are the two left, Tories said [1].")
    ['Kemi', 'Badenoch', 'Robert', 'Jenrick']
    """
    asked = {_bare(w) for w in _names(" " + question)}
    text = " " + strip_markers(answer or "")
    runs = _name_runs(text)
    first = next((i for i, (_, run) in enumerate(runs) if not all(_bare(w) in asked for w in run)), None)
    if first is None:
        return []
    out = list(runs[first][1])
    end = runs[first][0] + len(" ".join(runs[first][1]))
    for start, run in runs[first + 1 :]:
        if not _LISTED.fullmatch(text[end:start]):
            break
        out += run
        end = start + len(" ".join(run))
    return out


_LISTED = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)")  # "X, Y and Z"


def _is_time(text: str) -> bool:
    """Whether ``text`` is a time and no more: "summer", "last year", "Sunday", not "mayor last week"."""
    words = [w.lower() for w in _WORD.findall(text)]
    if words and all(w in _CALENDAR for w in words):
        return True
    window = understand(text, _today())
    return window is not None and window.phrase is not None and len(window.phrase) >= len(text.strip()) - 3


def new_subject(question: str) -> str | None:
    """What an elided follow-up asks about instead of the last question's subject ("Amazon" of "What about
    Amazon?", "France" of "And in France?"), or None: another follow-up, or a time ("What about last week?"
    asks the same of another time, ``time_shift``)."""
    elided = elided_subject(question)
    return None if elided is None or _is_time(elided[0]) else elided[0]


def elided_subject(question: str) -> tuple[str, bool] | None:
    """The noun phrase a follow-up consists of, and whether a preposition put it there: ("unions", False)
    for "what about the unions?", ("Syria", True) for "How many in Syria?". None when the question says
    more ("And who scored?", "And which town gets the spring one?") or points back ("And the week before?").

    Such a follow-up is the last question asked again with this phrase in place of one of its own, so it
    always reads on from the conversation, a name in it or not (``rewrite_query``)."""
    m = _ELLIPSIS.match(question)
    if m is None or _ONE.search(question):  # "What about the red ones?": the spring/autumn rule's
        return None
    words = [w.lower() for w in m.group("np").split()]
    if words[0] in _STOP or words[-1] in _STOP or any(w in _STOP and w not in ("of", "and") for w in words):
        return None
    return m.group("np"), m.group("prep") is not None


def question_subject(question: str) -> list[str]:
    """The words of a question's subject: what follows its fronted auxiliary, up to the verb (["junior",
    "doctors"] of "Why are junior doctors striking?", ["government"] of "What did the government say about
    the pay offer?"); [] when there is none to tell ("Who won the final?", "What was the turnout?").

    The verb is a function word that ends the run of content words ("did the government say about"),
    else the first lower-case word of it ending in -ing or -ed or following a capitalised word ("Is Harry
    Kane leaving", "Was the minister sacked"), else its last word after "did", "has", "will"... ("did Labour
    win in", "did the steelworkers accept the"); after "is" there may be none ("How high is inflation in
    the UK?": "inflation"). No tagger: a guess that is right for the short questions people ask in a chat."""
    m = _FRONTED.match(question)
    if m is None:
        return []
    run: list[str] = []
    for w in _WORD.findall(m.group("rest")):
        if w.lower() in _STOP:
            if w.lower() in _FUNCTION_VERBS:
                return run
            break
        run.append(w)
    for i, w in enumerate(run):
        if w[0].islower() and ((len(w) > 4 and w.endswith(("ing", "ed"))) or (i > 0 and run[i - 1][0].isupper())):
            return run[:i]
    return run if m.group("aux").lower() in ("is", "are", "was", "were") else run[:-1]


def _replaced(new: Sequence[str], old: str) -> set[str]:
    """The words of ``old`` that ``new`` stands in for, by a word they share in the same place: "best
    actress" for "best actor" in "Who won the Oscar for best actor?" -> {"actor"}; empty if none is shared."""
    mine = [w.lower() for w in new]
    theirs = [w.lower() for w in _WORD.findall(old)]
    for i in range(len(theirs) - len(mine) + 1):
        window = theirs[i:i + len(mine)]
        if window != mine and any(a == b for a, b in zip(mine, window)):
            return {b for a, b in zip(mine, window) if a != b}
    return set()


def _subject_of(asked: str) -> list[str]:
    """The subject of a question as asked: its own noun phrase for an elided one ("the lib dems" of "and
    the lib dems?", so that "and the greens?" next swaps it out in turn), else ``question_subject``."""
    elided = elided_subject(asked)
    return elided[0].split() if elided and not elided[1] else question_subject(asked)


def _swapped(prev_q: str, asked: str, new: str, after_preposition: bool) -> list[str]:
    """The content words of ``prev_q`` (the last question ``asked``, as it was searched) less the ones
    ``new`` takes the place of (``_dropped``), for an elided follow-up. Not the last answer's names: they
    are about the old subject."""
    drop = _dropped(prev_q, asked, new, after_preposition)
    return [w for w in _content(prev_q) if w.lower() not in drop]


def _dropped(prev_q: str, asked: str, new: str, after_preposition: bool) -> set[str]:
    """The words (lower case) of ``prev_q`` (the last question ``asked``, as it was searched or asked again)
    that the phrase ``new`` of an elided follow-up takes the place of: a word sharing its place with ``new``
    ("best actress" after "best actor"), else the old time for a time ("the summer" after "in January"),
    the old names for names ("Time Warner" after "British Airways"), and the old subject for a lower-case
    subject ("the unions" after "What did the government say ...?"). A preposition makes ``new`` a place or
    setting, not the subject ("And in the north?"): nothing goes then."""
    drop = _replaced(new.split(), prev_q)
    if not drop:
        if _is_time(new):
            drop = {m.group().lower() for m in _WORD.finditer(prev_q) if _calendar(prev_q, m)}
            old = understand(prev_q, _today())  # and the old time phrase's words ("in 2014", "last March")
            drop |= {w.lower() for w in _WORD.findall(old.phrase)} if old is not None and old.phrase else set()
        elif all(w[:1].isupper() for w in new.split()):
            names = {w.lower() for w in _names(prev_q)}
            # "And the US?" after "What did the UN say about aid to Gaza?": the UN goes, Gaza stays
            drop = {w.lower() for w in _subject_of(asked)} & names or names
        elif not after_preposition:
            drop = {w.lower() for w in _subject_of(asked)}
    return drop


def elided_question(question: str, history: Sequence[tuple[str, str]]) -> str | None:
    """The question an elided follow-up ("What about X?", "And X?": ``elided_subject``) asks: the last
    question with X in place of the words X takes the place of (``_dropped``). "What about Meta?" after "How
    many jobs is Amazon cutting?" asks "How many jobs is Meta cutting?", so its answer is a number (new user
    14: it was typed from the searched "What about Meta? jobs cutting", which asks for no number, and given
    the bold answer "Facebook"), and "And the week before?" next is that question a week earlier
    (``time_shift``). The last question is taken as asked again about another time (``time_shift``) or as
    the question it asked itself ("And Twitter?" after "What about Meta?"), else as written when it stood
    alone; after a question that leans on the turns before it ("How many were children?") there is none.
    None too for another follow-up, a time ("And last week?": ``time_shift``'s), a setting that replaces
    nothing ("How many in Syria?" after a question naming no place), or words to replace that are not one
    run of the last question's.

    >>> elided_question("What about Meta?", [("How many jobs is Amazon cutting?", "11,000 [1].")])
    'How many jobs is Meta cutting?'
    >>> elided_question("and the miners?", [("Did the steelworkers accept the pay deal?", "They voted yes [1].")])
    'Did the miners accept the pay deal?'
    """
    if not history or _POINTS.search(_NOW.sub(" ", question)):
        return None
    elided = elided_subject(question)
    if elided is None or _is_time(elided[0]):
        return None
    prev, earlier = history[-1][0].strip(), history[-MAX_TURNS:-1]
    base = time_shift(prev, earlier) or elided_question(prev, earlier)
    if base is None:
        if needs_context(prev, earlier):  # a follow-up, or one whose turns before it were cut (``MAX_TURNS``)
            return None
        base = prev
    drop = _dropped(base, prev, *elided)
    words = list(_WORD.finditer(base))
    at = [i for i, m in enumerate(words) if m.group().lower() in drop]
    if not at or at[-1] - at[0] + 1 != len(at):  # none, or apart ("House seats have Republicans"): no one place
        return None
    first, last = words[at[0]], words[at[-1]]
    new = elided[0]
    possessive = re.search(r"['’]s$", last.group())
    if possessive and not re.search(r"['’]s?$", new):  # "Why did Amazon's shares fall?": "Meta's shares"
        new += possessive.group()
    return base[:first.start()] + new + base[last.end():]


def refers_back(question: str) -> bool:
    """A pronoun or phrase pointing at the conversation ("she", "that", "what about", "the day before"),
    or an opening "And"/"But". "This" of the present ("this week") points at nothing said."""
    question = _NOW.sub(" ", question)
    if _REFERS.search(question) or _OPENS_ON.match(question):
        return True
    for m in _THAT.finditer(question):
        if not (_RELATIVE_BEFORE.search(question[: m.start()]) and re.match(r"\s+\w", question[m.end():])):
            return True
    existential = [range(*e.span()) for e in _EXISTENTIAL.finditer(question)]
    return any(not any(m.start() in span for span in existential) for m in _THERE.finditer(question))


def names_own_subject(question: str, context: Sequence[str] = ()) -> bool:
    """Whether ``question`` names what it is about: a noun phrase ("the mayor", "the croissant") with a
    word that ``context`` (the words a rewrite would add) lacks, in a question that says more than
    "what was the X" (an attribute of something unsaid: "What was the turnout?")."""
    m = _ATTRIBUTE.match(question)
    if m and not any(w.lower() in _STOP for w in _WORD.findall(m.group("np"))):
        return False
    known = set(terms(" ".join(context)))
    for p in _PHRASE.finditer(question):
        words = []
        for w in _WORD.findall(p.group(1)):
            if w.lower() in _STOP:
                break
            words.append(w)
        if any((len(w) > 2 or _acronym(w, question)) and not set(terms(w)) <= known for w in words):
            return True
    return False


def needs_context(question: str, history: Sequence[tuple[str, str]] = ()) -> bool:
    """Whether ``question`` leans on the conversation ``history`` ((question, answer) turns, oldest
    first): it refers back ("she", "that", "what about", "And when?"), or says too little to stand
    alone ("Who won?", "How many were hurt?", "What was the turnout?"), unless it names something
    ("What is the latest on Aleppo?") or a subject the conversation has not been about ("What did
    the mayor announce?" after a question on a crane collapse)."""
    return _leans_on(question, _added(history, question), history)


def _leans_on(question: str, added: Sequence[str], history: Sequence[tuple[str, str]] = ()) -> bool:
    """``needs_context`` given the words a rewrite would add."""
    if refers_back(question) or elided_subject(question) or role_said(question, history):
        return not (history and history[-1][1].strip().startswith(REFUSAL) and _points_within(question))
    if len(_content(question)) >= 3 or (_names(question) and not _names_said(question, history)):
        return False
    return not names_own_subject(question, added)


def _points_within(question: str) -> bool:
    """Whether every word of ``question`` that could point back is a person's pronoun after a name the question
    gives ("him" of "Who did Elon Musk say could replace him as CEO?"). After a refused turn such a question is
    asked anew: the refused question's words ("bought Twitter") were searched with it, and **Jack Dorsey**
    answered (new user 24). After an answer the pronoun may still be the answer's ("Who did England appoint to
    replace him?" after "Who replaced Gareth Southgate?"), so it is read as before."""
    kept = _REFERS.sub(lambda m: " " if m.group(0).lower() in PERSON_PRONOUNS and _names(question[: m.start()])
                       else m.group(0), question)
    return kept != question and not refers_back(kept) and not elided_subject(question)


def role_said(question: str, history: Sequence[tuple[str, str]]) -> bool:
    """Whether ``question`` points back by a role: a role word (``ROLE_WORDS``: "old", "former", "new",
    "current", "ex-" ...) before a noun the conversation's last turns (questions and answers) used, or before
    "one". "What was the old CEO paid?" after "Who did Disney bring back as CEO?", "Who did he replace?" and
    "How long will he serve?" is about the CEO Iger replaced, as "he" would be: it reads on from the
    conversation (new user 14: three content words and the name "CEO" made it a new subject, searched as
    written and refused). The role word is not what makes a new subject; the noun is: "What did the new
    mayor announce?" after a question on a crane collapse names a mayor the conversation never spoke of,
    and is searched as written, as "What did the mayor announce?" is. Which role of the last subject a new
    noun is ("the chief executive" of a company) is not told: that needs world knowledge.

    >>> role_said("What was the old CEO paid?", [("Who did Disney bring back as CEO?", "Bob Iger [1].")])
    True
    >>> role_said("What did the new mayor announce?", [("Which company operated the crane?", "Ellery Ltd [1].")])
    False
    """
    if not history:
        return False
    said: set[str] | None = None
    for m in _ROLE.finditer(question):
        noun = _bare(m.group("noun"))
        if noun in ("one", "ones"):  # "the previous one": a noun of the last turn, whichever
            return True
        if noun in _STOP or noun in _CALENDAR or noun in _TIME_WORDS:  # "the last week": a time, no role
            continue
        if said is None:
            said = set(terms(" ".join(f"{q} {strip_markers(a or '')}" for q, a in history[-MAX_TURNS:])))
        stems = set(terms(noun))
        if stems and stems <= said:
            return True
    return False


def _names_said(question: str, history: Sequence[tuple[str, str]]) -> bool:
    """Whether every name of ``question`` was in the last question asked: "How did China respond?" after
    "Where did Nancy Pelosi travel this week that angered China?" says too little to stand alone; its
    name is the last question's, not a new subject (new user 9: it was searched as written and answered
    from a story on the war in Ukraine)."""
    if not history:
        return False
    said = {_bare(w).lower() for w in _names(" " + history[-1][0])}
    return all(_bare(w).lower() in said for w in _names(question))


def _added(history: Sequence[tuple[str, str]], question: str = "") -> list[str]:
    """The words a rewrite of ``question`` adds from the last turn of ``history``: the content words
    of its question as that was searched, then the names in its answer. A question that names a new
    subject in the last one's frame ("What about Time Warner?" after "Who runs British Airways?")
    takes the frame's words only: the old subject's names and the answer about it would outweigh the
    new one (and every later turn would carry them on). A question that says what it asks for
    ("And which town gets the spring one?") takes no names from the last answer ("Manchester" was
    the autumn one's town). "He" or "she" after a who-question takes the one name its answer gave
    (``named_in_answer``) and none of the names that question carried from further back. A question
    that asks all it asks in words of its own ("And who is the new team president?") takes only what the
    last turn was about (``_subject_carried``). "What about X?" after a question about a period ("this
    week") is about that period too, and takes its time phrase whole (``_period``), last."""
    if not history:
        return []
    prev_a = history[-1][1]
    # the previous question as it was searched: a follow-up of a follow-up ("Who did she beat?", then
    # "What was the turnout?") keeps the topic of the first ("Greenfield election"), not only "beat";
    # a question that stood alone was searched as written, so a refused one passes on its own words only
    prev_q = _last_searched(history)
    # "the old CEO" after questions on Disney's CEO points back as "he" does (``role_said``)
    pointer = bool(_POINTS.search(_NOW.sub(" ", question))) or role_said(question, history)
    elided = None if pointer else elided_subject(question)
    if elided:  # "what about the unions?": the last question with the unions for the government
        words = _swapped(prev_q, history[-1][0], *elided)
        period = _carried_period(elided, prev_q)
        if period is None:
            return words
        said = {w.lower() for w in _WORD.findall(period)}
        return [w for w in words if w.lower() not in said][:MAX_EXTRA - 1] + [period]
    if _ONE.search(question):  # "the spring one" after "the autumn conference": "conference", not "autumn"
        replaced = {m.group(1).lower() for m in _MODIFIED.finditer(prev_q) if m.group(1).lower() not in _STOP}
        prev_q = " ".join(w for w in prev_q.split() if w.lower().strip("?.,!") not in replaced)
    if _names(question) and not pointer and not _names_said(question, history):
        old = {w.lower() for w in _names(prev_q)}
        return [w for w in _content(prev_q) if w.lower() not in old]
    if not pointer and len(_content(question)) >= 3:
        return _subject_carried(prev_q, history)
    asked = history[-1][0]
    if _THEY.search(question) and not _ONE_PERSON.search(question) and (meant := they_mean(history)):
        # "Who did they beat in the final?" after "Who won the Hopman Cup?" ("Slovakia clinched the Hopman Cup ...
        # by beating Argentina 3-0 in Saturday's final"): the last question and whom "they" are, not every name
        # of the answer's sentences ("Argentina", then a question's own name and no answer, and "Gisela Dulko", a
        # player they beat: new user 25's bold answer)
        return _content(prev_q) + [w for w in meant if w not in _content(prev_q)]
    if _ONE_PERSON.search(question) and asks_for_person(asked):
        # "How old is she?" after "Who won the Nobel prize?" or "Which minister resigned?": the person the
        # answer named, not the subject the question carried on from further back ("Who replaced him?": not
        # "him", Harry Kane), nor the person it asked about ("Who replaced Gareth Southgate?": not Southgate,
        # ``persons_asked``), nor the others its answer named ("ahead of Jonas Vingegaard")
        meant = named_in_answer(asked, prev_a)
        if meant:
            carried = {w.lower() for w in _names(prev_q)} - {w.lower() for w in _names(asked)}
            drop = carried | persons_asked(asked, prev_a)
            return [w for w in _content(prev_q) if w.lower() not in drop and _bare(w) not in drop] + meant
    names = _names(" " + strip_markers(prev_a or ""))  # not "The", not "Sunday"
    return _content(prev_q) + names[:5]


def _last_searched(history: Sequence[tuple[str, str]]) -> str:
    """The last question of ``history`` as ``RAG.stream`` searched it offline: asked again about another
    time ("And the week before?" was "Which NFL team was sold last week?", ``time_shift``), else rewritten
    from the turns before it (``rewrite_query``)."""
    prev, earlier = history[-1][0], history[-MAX_TURNS:-1]
    return time_shift(prev, earlier) or rewrite_query(prev, earlier)


def _subject_carried(prev_q: str, history: Sequence[tuple[str, str]]) -> list[str]:
    """What a follow-up that asks a whole question of its own ("And who is the new team president?": three
    content words, no pointer) takes from the last question as searched (``prev_q``): the names the
    conversation's questions gave ("Denver Broncos" of "Who bought the Denver Broncos?"), not the last
    questions' other words ("pay", "bought": what they asked, not what it asks) nor the names only an answer
    gave ("Rob Walton", the buyer, carried on by "How much did they pay?": another person than the
    president asked for); when the questions named nothing, the last question's words less those names
    ("the spring one" after "Where is the autumn conference held?": "conference held")."""
    asked = {_bare(w) for q, _ in history[-MAX_TURNS:] for w in _names(" " + q)}
    named = [w for w in _names(prev_q) if _bare(w) in asked]
    if named:
        return named
    answered = {_bare(w) for w in _names(prev_q)} - asked
    return [w for w in _content(prev_q) if _bare(w) not in answered]


def _period(text: str) -> str | None:
    """The time phrase of ``text`` when it names one period: "this week" of "Which NFL team was sold this
    week?", "in January"; None for none or several (read against ``reading_as_of``'s day)."""
    window = understand(text, _today())
    phrase = window.phrase if window is not None else None
    return phrase if phrase and ";" not in phrase and phrase in text else None


def _carried_period(elided: tuple[str, bool], prev_q: str) -> str | None:
    """The period of the last question as searched (``prev_q``) that an elided follow-up is about too: "What
    about the Mega Millions?" after "Which NFL team was sold this week?" is that question about the Mega
    Millions, so about this week as well. None when the follow-up is a time itself (it replaces the old one,
    ``time_shift``) or a setting ("How many in Syria?", left as it was), or the question named no period."""
    phrase, after_preposition = elided
    if after_preposition or _is_time(phrase):
        return None
    return _period(prev_q)


def rewrite_query(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Standalone query for ``question`` given (question, answer) turns, oldest first: the question as
    written when it stands alone, else with the last turn's words added (``needs_context``). A
    question after a refused answer gets the refused question's words only when it is a follow-up."""
    if not history:
        return question
    added = _added(history, question)
    if not _leans_on(question, added, history):
        return question
    have = {_bare(w) for w in _content(question)}
    extra: list[str] = []
    for w in added:  # once each: "BP" after "BP's", "Lidl" after "Lidl's"
        if _bare(w) not in have and _bare(w) not in {_bare(e) for e in extra}:
            extra.append(w)
    return f"{question} {' '.join(extra[:MAX_EXTRA])}".strip() if extra else question


_PERSON = _any_of(PERSON_PRONOUNS)


def points_at_nothing(question: str, history: Sequence[tuple[str, str]] = ()) -> str | None:
    """The pronoun of a first question that says too little to tell whom it means ("How fast was
    she?", "Who did they beat?": no name, under three content words), else None. The answer is
    then a guess at who is meant, and the reader is told so."""
    m = _PERSON.search(question)
    if history or m is None or _names(question) or len(_content(question)) >= 3:
        return None
    return m.group(1).lower()


# what a follow-up about another time may say besides the time: "And ...?", "What about ...?"
_SHIFT_FILLER = re.compile(r"^\s*(?:and|but|so|ok|okay)?\s*(?:what|how)?\s*(?:about)?\s*", re.I)
# "the week before", "the day before": one period earlier than the last question's; "the week after", "the
# following week", "the next day": one period later
_BEFORE = re.compile(r"^(?:the\s+)?(?P<unit>day|week|month|year)\s+(?P<way>before|earlier|prior|after|later)$"
                     r"|^(?:the\s+)?(?P<way2>following|next)\s+(?P<unit2>day|week|month|year)$", re.I)
_UNIT_OF = {"today": "day", "yesterday": "day"}
_EARLIER = {  # the last question's period -> the one before it, in words ``rag.timewindow`` reads
    "today": "yesterday", "yesterday": "2 days ago", "this week": "last week", "last week": "2 weeks ago",
    "this month": "last month", "last month": "2 months ago", "this year": "last year", "last year": "2 years ago",
}
_LATER = {later: now for now, later in _EARLIER.items()}  # "last week" -> "this week" (none after "this week")


#: the day a conversation's time words are read against: the question's ``as_of`` while ``RAG.stream`` reads a
#: follow-up (``reading_as_of``), else today. Read from here rather than passed down every call of this module (a
#: follow-up's period is read in a dozen places, some recursive): new user 26's "And the week before?" after "on
#: Sunday" asked as of 4 October 2022 was searched "between 15 November and 21 November", weeks of 2026
_AS_OF: ContextVar[date | None] = ContextVar("followup_as_of", default=None)


def _today() -> date:
    return _AS_OF.get() or date.today()


@contextmanager
def reading_as_of(as_of: date | None) -> Iterator[None]:
    """Read the follow-ups of this block against ``as_of`` (None: today)."""
    token = _AS_OF.set(as_of)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def _unit(period: str) -> str:
    """The unit of a period of ``_EARLIER``/``_LATER``: "this week", "2 weeks ago": "week"; "yesterday": "day"."""
    words = period.split()
    return _UNIT_OF.get(period) or (words[-2] if words[-1] == "ago" else words[-1]).removesuffix("s")


def _dated_shift(window: TimeWindow | None, unit: str, earlier: bool, with_year: bool) -> str | None:
    """The period one ``unit`` before (``earlier``) or after a dated ``window`` ("the end of October"), in
    words ``rag.timewindow`` reads: "between 1 November and 7 November" for the week after it, "on 20
    October" for the day before, "in November" for the month after. No year unless the window's words
    gave one (``with_year``), so the question's ``as_of`` places it as it placed the window. None for a
    year, or a window without both ends."""
    if window is None or window.start is None or window.end is None:
        return None

    def day(d: date) -> str:
        return day_label(d, None if with_year else d)

    if unit == "day":
        return f"on {day(window.start - timedelta(days=1) if earlier else window.end + timedelta(days=1))}"
    if unit == "week":
        a, b = (window.start - timedelta(days=7), window.start - timedelta(days=1)) if earlier else \
            (window.end + timedelta(days=1), window.end + timedelta(days=7))
        return f"between {day(a)} and {day(b)}"
    if unit == "month":
        d = window.start.replace(day=1) - timedelta(days=1) if earlier else \
            (window.end.replace(day=28) + timedelta(days=4)).replace(day=1)
        return f"in {MONTHS[d.month - 1].capitalize()}" + (f" {d.year}" if with_year else "")
    return None


def time_shift(question: str, history: Sequence[tuple[str, str]]) -> str | None:
    """The last question asked again about another time, when ``question`` names only a time ("And
    last week?", "What about the week before?", "And on Sunday?" after "What happened this week?"):
    "What happened last week?". The time words replace the last question's own (or are added); "the
    week before" is the period before the last question's ("this week" -> "last week"; a question that
    named no time, or only the present ("so far", "latest"), was about this week, so "last week" too,
    added to its words). None when the follow-up says anything else, or there is no last question. Periods
    are read against the question's ``as_of`` (``reading_as_of``; today outside it).

    The last question is the one it was searched as: asked again about another time ("And the week
    before?" after "And last week?"), the question an elided one asked ("How many House seats have
    Democrats won so far?" for "And the Democrats?", ``elided_question``), else its rewrite
    (``rewrite_query``). Read as written, "And the Democrats?" was shifted to "And the Democrats last
    week?", which had lost the House seats (new user 14).

    >>> time_shift("And the week before?", [("How many House seats have Republicans won so far?", "211 [1]."),
    ...                                     ("And the Democrats?", "Democrats have won 204 [1].")])
    'How many House seats have Democrats won so far last week?'
    """
    if not history:
        return None
    rest = _SHIFT_FILLER.sub("", question.strip().rstrip("?!. ")).strip()
    if not rest:
        return None
    prev, earlier = history[-1][0].strip(), history[-MAX_TURNS:-1]
    asked = time_shift(prev, earlier) or elided_question(prev, earlier)
    prev = asked or rewrite_query(prev, earlier)
    prev_window = understand(prev, _today())
    old = prev_window.phrase if prev_window and prev_window.phrase and ";" not in prev_window.phrase else None
    # "so far", "latest", "now": the present, no period of its own ("How many seats have they won so far?")
    now = prev_window is not None and prev_window.start is None and prev_window.end is None
    before = _BEFORE.match(rest)
    if before:
        unit = (before.group("unit") or before.group("unit2")).lower()
        shift = _EARLIER if (before.group("way") or "").lower() in ("before", "earlier", "prior") else _LATER
        said = (old or "").lower()
        key = next((k for k in shift if said.endswith(k) and _unit(k) == unit), None)
        # a period its rewrite carried from an earlier turn, not one of its own words nor of an elided question's
        carried = asked is None and old is not None and understand(history[-1][0], _today()) is None
        if key is None and (carried or (shift is _LATER and (not old or now))):
            # "the following week" after a question about now is after an earlier question's period, as is
            # one after a question whose period came from an earlier one: the newest question that named a
            # period ("at the end of October", then "Who said that is hurting the housing market?": new user
            # 23 meant the week after October's end, not who said it then)
            for i in range(len(history) - 2, max(len(history) - MAX_TURNS, 0) - 1, -1):
                window = understand(history[i][0], _today())
                if window is not None and window.start is not None and window.end is not None:
                    return time_shift(question, history[: i + 1])
        # "this week": after it comes the future; before "yesterday" comes a week of dates ("Who resigned as prime
        # minister yesterday?", "And the week before?": new user 26's was no time follow-up at all)
        relative = any(said.endswith(k) for k in _EARLIER) and shift is _LATER
        dated = _dated_shift(prev_window, unit, shift is _EARLIER, bool(re.search(r"\b\d{4}\b", said))) \
            if key is None and old and not now and not relative else None
        if dated is not None:  # "the following week" after "at the end of October": 1-7 November
            # the new phrase brings its own preposition: "at the end of October" -> "between 1 ... and 7 November"
            return re.sub(r"(?:\b(?:at|in|on|during|over|around|for|by)\s+)?" + re.escape(old), lambda _: dated, prev,
                          count=1, flags=re.I)
        if key is None and ((old and not now) or shift is _LATER):
            # "the week before" of a question about another sort of period, or "the week after" one about
            # now (the future the articles cannot tell): not read here
            return None
        # a question that named no time was about now: "the week before" is last week (it was ignored,
        # and the follow-up answered from the same articles as the question before)
        new = shift[key] if key else ("yesterday" if unit == "day" else f"last {unit}")
    else:
        window = understand(rest, _today())
        if window is None or window.phrase is None or len(window.phrase) < len(rest) - 3:
            return None  # more than a time: "And the mayor last week?" is a follow-up of its own
        new = rest
    if old and old in prev and not now:
        return prev.replace(old, new, 1)
    body = prev.rstrip("?!. ")  # "so far" stays: what was so far as of last week
    return f"{body} {new}?"


def topic_shift(question: str, history: Sequence[tuple[str, str]]) -> str | None:
    """The last question asked again about another topic, when ``question`` names only that topic and
    the last question was a catch-up or about a period, so that the follow-up is about the same period:
    the catch-up itself ("What about Twitter?" after "What happened with Mauna Loa this week?": "What
    happened with Twitter this week?"), else the rewrite with the period's phrase (``rewrite_query``:
    "What about the Mega Millions?" after "Which NFL team was sold this week?": "What about the Mega
    Millions? team sold this week"), from which the period is understood. None for any other follow-up
    (``rewrite_query`` reads those) or after a question about no period."""
    from rag.brief import catch_up_topic  # rag.brief reads retrieval and the LLM: not at import time

    elided = elided_subject(question) if history else None
    if elided is None or elided[1] or _is_time(elided[0]):
        return None  # "How many in Syria?" is a setting, "And last week?" a time (``time_shift``)
    prev = history[-1][0].strip()
    prev = time_shift(prev, history[-MAX_TURNS:-1]) or prev  # "What about X?" after "And last week?"
    window = understand(prev, _today())
    old = catch_up_topic(prev, window.phrase if window is not None and window.phrase else "")
    i = prev.lower().find(old.lower()) if old else -1
    if i >= 0:
        assert old is not None
        return prev[:i] + elided[0] + prev[i + len(old):]
    # "What about X?" is the last question with X in place of its subject: about its period too
    return rewrite_query(question, history) if _carried_period(elided, _last_searched(history)) else None


_TIME_WORDS = frozenset("day days week weeks weekend month months year years latest news ago".split())
_POINTER_TOPIC = frozenset(PRONOUNS)


def topic_of_pointer(topic: str | None, history: Sequence[tuple[str, str]]) -> str | None:
    """The catch-up topic a pronoun stands for ("What is the latest on it?" after "Who won the
    Powerball jackpot?": "Powerball"): the last question's names, else its first content words, as
    it was searched. ``topic`` itself when it is no pronoun; None when there is nothing to stand for."""
    if topic is None or topic.lower() not in _POINTER_TOPIC:
        return topic
    if not history:
        return None
    prev = time_shift(history[-1][0], history[-MAX_TURNS:-1]) or rewrite_query(history[-1][0], history[-MAX_TURNS:-1])
    named = {prev[i:].split()[0] for i in _named_seasons(prev)}
    words = [w for w in _content(prev) if w in named or (w.lower() not in _CALENDAR and w.lower() not in _TIME_WORDS)]
    names = [w for w in words if w[:1].isupper()]
    return " ".join(dict.fromkeys(names or words[:3])) or None


MAX_TURNS = 4  # earlier turns a follow-up's topic is looked for in
MAX_EXTRA = 12  # words added to a follow-up at most
