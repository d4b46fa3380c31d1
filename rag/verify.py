"""Verify every sentence of an answer against the passages: keep what they support, cite it exactly, drop the rest.

The answer is split into claims (sentences). A claim is supported by a passage sentence when

* it shares at least ``SUPPORT_MIN`` of its content words (IDF-free stems, the lexical index's
  stemmer) with that sentence, and
* every number and every proper name it states occurs in that sentence or its neighbours: "four
  people were killed" is not backed by a sentence saying two, nor "led by Napoleon" by one that
  never names him, however many other words they share. A name may be written another way
  (``_aliased``): spaced or cased otherwise ("Time Warner" for "TimeWarner"), or as the acronym of
  its initials ("British Airways" for "BA") when the passage's article writes both; and the
  passage's title may give a name its sentence leaves unsaid, when the claim reports the title's
  story and neither names anyone else (``_Title``);
* it does not turn the sentence's result round: "X beat Y" is not backed by a sentence saying X
  "was defeated ... by Y" or "lost to Y" (``_beaten``, ``_winners``), however many words they share.

With the question given (``verify(text, passages, question)``, as ``RAG.ask`` does), the claim is
read as an answer to it (``Given``): the question's own names and numbers may be repeated without
the supporting sentence stating them (the user stated them), but not against a source that says
otherwise. A question name the claim restates must be named somewhere in the passage's article, its
title or retrieved passages (``Given.premised``): whole, written another way, or by a part the
article writes as a name of its own ("Williams was defeated ..." backs "Serena Williams lost ...";
the "Canadian Open" is no "US Open", a quarter-final "against Spain" no final "against Germany").
A question number the claim restates must not be given another value by the supporting sentence
("$1.537 billion" for the question's "$1.3 billion"; ``_other_quantity``). A name the question did
not give (the answer) must be in the sentence or the one before it, not only after it, and when the
claim repeats the question's subject, that subject must be beside the supporting sentence. A claim
no passage backs as a whole keeps its longest head, cut at a clause boundary, that one does
("Melbourne is Australia's second-largest city, with a population of 5.7 million" keeps the city,
removes the population), unless the head only restates the question.

A claim's own ``[n]`` markers are checked first. A claim with no marker, or whose markers point at
passages that do not back it, is *attributed*: the passage sentence that supports it best becomes
its citation, if one supports it (small local models often answer right and cite nothing). A
claim that no passage supports is removed and reported (``Verified.removed``); an answer left with
no supported claim is refused by the caller. Every citation's quote is verbatim article text with
its character span. A claim repeated word for word is checked once, its first time.

A ``[n]`` that an answer copied from an article together with its surrounding words (the
article's own footnote, "see [2]") is text, not a citation marker.

>>> from rag.types import Passage
>>> p = Passage(1, "c", "a", "T", "s", None, 1.0, "Rebels captured the town of Khansir.", 0, 36, ((0, 36),))
>>> v = verify("The rebels took Khansir. They were led by Napoleon.", [p])
>>> v.text, v.removed
('The rebels took Khansir [1].', ('They were led by Napoleon.',))
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from rag.evidence import NUMBER_WORDS
from rag.text import (
    LOWER_WORD, MARKER, MARKER_RUN, STOPWORDS, WORD, YES_NO, answer_type, fold, is_abbreviation, marker_numbers,
    open_quote, split_sentences, terms, undotted,
)
from rag.short_answer import (
    DEMONYM_PLACES, PLACE_GROUPS, PLACES, US_STATES, asking_sentence, is_calendar, is_demonym,
)
from rag.timewindow import WEEKDAYS
from rag.types import Citation, Passage

_QUOTED = "\ue000"  # stands in for the "[" of an article's own bracket while markers are parsed
#: a claim ends at . ! ? (then closing quotes/brackets, then any markers) before white space, or
#: after a run of markers before a capital
# (a marker run ends a claim before a capital, also one in brackets or quotes: "... $59.8 billion [5] (CNN) NFL
# owners approved ..." is two claims, each checked against its own passage)
# a sentence's end: its stop (and closing marks, and markers); not a "?" or "!" inside brackets that a lower-case word
# goes on from ("the most popular (pup-ular?) dog breed", new user 16: the quote was cut there and a marker put in
# it). A stop before a lower-case word still ends a claim: an LLM's "... Napoleon. rebels captured ..." is two
# claims, each checked on its own
_CLAIM_END = re.compile(rf"(?![!?]+\)\s+[a-z])[.!?]+[\"'”’)]*(?:{MARKER_RUN.pattern})?(?=\s|$)"
                        rf"|{MARKER_RUN.pattern}(?=\s+[(\"“‘]?[A-Z])")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SCORE = re.compile(r"(?<![\w.,$£€%-])(\d{1,3})\s?[-–]\s?(\d{1,3})(?![\w%-]|[.,]\d)")  # "38-35", "6-2", "2 – 1"
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z'’-]+")
_CONTEXT = 24  # characters either side of a marker compared with passage text

# Share of a claim's content words the supporting sentence must contain, chosen with `python -m
# evals.fit_verify ROWS` on the local model's (Qwen2.5-Coder-1.5B) real answers to 80 RealTime QA
# tuning questions: 0.4 / 0.5 / 0.6 kept 0.93 / 0.93 / 0.81 of the claims stating a gold answer and
# removed 0.51 / 0.54 / 0.57 of the claims of wrong or invented answers. (Counting the question's own
# words at half weight kept no more right claims and removed fewer wrong ones. Nor did a semantic second
# bar, tried Nov 2026: a claim sharing 0.2-0.4 of its words with a sentence whose names and numbers it
# repeats, supported when the bundled embedder gives the two a cosine of 0.5-0.9: on the tuning answers
# it kept no more right claims at any bar, and removed fewer wrong ones below 0.65; the paraphrases it
# was meant for ("launching a legal battle" / "set for a courtroom showdown") stay under 0.7, while
# "Beth Mead scored the winning goal in the Euro 2022 final" / "Beth Mead celebrates after scoring her
# team's first goal against Sweden" reaches 0.72.)
SUPPORT_MIN = 0.5


@dataclass(frozen=True)
class Verified:
    citations: tuple[Citation, ...]
    text: str  # the supported claims, each with its [n] markers
    removed: tuple[str, ...] = ()  # claims no passage supports (taken out of ``text``)
    unsupported: tuple[int, ...] = ()  # markers that pointed at a passage not backing their claim
    attributed: tuple[int, ...] = ()  # markers added to claims that carried none (or only wrong ones)
    #: per kept claim that carried a wrong marker: (its wrong markers, the markers it now carries)
    moved: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()


def quoted_marker(text: str, start: int, end: int, quoted: Sequence[str]) -> bool:
    """Whether the ``[n]`` at ``text[start:end]`` was copied from a passage with its surroundings
    (an article's own "see [2]") rather than put there by the answerer, whose markers follow a claim
    after a space it added: the marker plus its left or right context is then not passage text."""
    marker = text[start:end]
    left, right = text[max(0, start - _CONTEXT) : start], text[end : end + _CONTEXT]
    probes = [p for p in (left + marker, left.rstrip() + marker, marker + right) if p.strip() != marker]
    return any(probe in q for q in quoted for probe in probes)


def split_claims(text: str) -> list[str]:
    """Sentences of ``text``, each keeping the markers that follow it. A fragment of under three words
    ("The U.S." cut at its dots) joins the next claim, or the previous one when it carries markers."""
    # "as of Dec. 8", "8 p.m. ET", "in the U.S. and Canada" are one claim each (the sentence splitter's
    # abbreviations); a claim may end after a dotted acronym before a capital ("in the U.S. Its CEO ..."),
    # and a fragment left ("The U.S.") joins its neighbour
    pieces = [m for m in _CLAIM_END.finditer(text) if (m.group(0) != "." or _claim_may_end(text, m.start()))
              and not _quote_goes_on(text, m.end())]
    bounds = [0, *(m.end() for m in pieces), len(text)]
    out: list[str] = []
    carry = ""
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = (carry + " " + text[a:b].strip()).strip()
        carry = ""
        if not piece:
            continue
        short = len(MARKER.sub("", piece).split()) < 3
        if short and out and (MARKER.search(piece) or b == len(text)):
            out[-1] = f"{out[-1]} {piece}"
        elif short and b < len(text) and not MARKER.search(piece):
            carry = piece
        else:
            out.append(piece)
    if carry:
        out.append(carry)
    return out


def _quote_goes_on(text: str, end: int) -> bool:
    """Whether a claim end at ``end`` falls inside a quotation that goes on to close later in its line, before any
    marker: 'The mayor said: "We will rebuild the bridge. It will take two years." [1]' is one claim, quoted whole
    (``rag.extractive.read_alone``; cut there, it was shown 'the bridge [1]. It will ...')."""
    line = text[text.rfind("\n", 0, end) + 1 : end]
    line = line[max((m.end() for m in MARKER.finditer(line)), default=0) :]
    closing = open_quote(line)
    if closing is None:
        return False
    rest = text[end:].split("\n", 1)[0]
    marker = MARKER.search(rest)
    return closing in rest[: marker.start() if marker else len(rest)]


def _claim_may_end(text: str, dot: int) -> bool:
    """Whether the "." at ``text[dot]`` may end a claim: not after an abbreviation or initial
    ("Dec. 8", "Gov. Ron DeSantis", "J. K. Rowling", "U. S. history"), except a dotted acronym before
    a capital ("the U.S. Its CEO ...")."""
    if not is_abbreviation(text, dot):
        return True
    word = re.search(r"[A-Za-z.]*$", text[max(0, dot - 16) : dot]).group(0)
    after = text[dot + 1 :].lstrip()
    # the next sentence opens with a function word ("It", "The", "Its"); a name word goes on the name
    # ("the U.S. Senate race", "the U.N. Framework Convention" were cut into "the U.S [3]. Senate race")
    first = re.match(r"[A-Za-z'’]+", after)
    return ("." in word.strip(".") and word.lower().strip(".") not in ("a.m", "p.m") and after[:1].isupper()
            and first is not None and first.group(0).lower() in STOPWORDS)


#: words that open a sentence without naming anything (an LLM's connectives and hedges)
_OPENERS = frozenset("""however additionally overall meanwhile furthermore moreover roughly approximately nearly
    currently today yesterday still thus therefore later earlier finally first second third yes no sure
    according based in on at as it they there this these that the a an""".split())


@dataclass(frozen=True)
class Vocab:
    """What the passages say about words: which are written capitalised mid-sentence (names), every
    lowercased word they contain, and the stems they also write in lower case (common words:
    "moviegoers" is no name for being capitalised in a headline)."""

    capitalised: frozenset[str]
    words: frozenset[str]
    lower: frozenset[str] = frozenset()
    #: per article id, the titles and texts of its passages: where a name and its acronym must both
    #: be written before one stands for the other (``_aliased``)
    articles: Mapping[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, texts: Sequence[str], passages: Sequence[Passage] = ()) -> Vocab:
        joined = " ".join(texts)
        caps = frozenset(t for m in _NAME.finditer(joined) for t in terms(m.group(0)))
        lower = frozenset(terms(" ".join(LOWER_WORD.findall(joined))))
        articles: dict[str, list[str]] = {}
        for p in passages:
            parts = articles.setdefault(p.article_id, [p.title])
            parts.append(p.text)
        return cls(caps, frozenset(re.findall(r"[a-z'’-]+", joined.lower())), lower,
                   {a: "\n".join(parts) for a, parts in articles.items()})


def _keys(claim: str, vocab: Vocab | None = None) -> tuple[set[str], set[str]]:
    """The numbers and proper-name stems a claim states (what a support must repeat).

    A capitalised word is a name anywhere but at the start, where every word is capitalised; there
    it counts as a name when it is no common opener ("Napoleon led ...", not "Overall, ...") and the
    passages write it capitalised mid-sentence (``capitalised``), never in lower case ("Paris is ..."
    over passages that only open a sentence with it), or nowhere at all."""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(claim)}
    numbers |= {w for w in re.findall(r"[a-z]+", claim.lower()) if w in NUMBER_WORDS}
    # a score is one fact: "27-24" is not backed by "Mahomes, 27," and "24 points" (new user 22's local model
    # invented "The Eagles beat the Chiefs 27-24" and the two numbers were found apart in the window)
    numbers |= {f"{a}-{b}" for a, b in _SCORE.findall(claim)}
    names = {t for m in _NAME.finditer(claim) for t in terms(m.group(0))}
    first = re.match(r"\s*([A-Z][a-zA-Z'’-]+)", claim)
    if first and first.group(1).lower() not in _OPENERS:
        stems = terms(first.group(1))
        if stems and vocab is not None and (stems[0] in vocab.capitalised or first.group(1).lower() not in vocab.words
                                            or (bool(vocab.lower) and stems[0] not in vocab.lower)):
            names.add(stems[0])
    return numbers, names


@dataclass(frozen=True)
class Given:
    """What the question states: its numbers and proper-name stems. A claim restating them ("Aaron
    Judge hit his 62nd home run ... previously held by Roger Maris") asserts nothing new by them, so
    they need not be in the supporting sentence; its other words still must (a claim repeating the
    question's words with a wrong answer shares too little with any sentence that does not say it).
    They are premises, though, not facts: the passage's article must name the names (``premised``)
    and the sentence must not give the numbers other values (``quantities``)."""

    numbers: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()  # all its content-word stems
    proper: frozenset[str] = frozenset()  # the names it writes capitalised mid-sentence (its subjects)
    runs: tuple[tuple[str, ...], ...] = ()  # its names as written, word by word ("Serena Williams", "US Open")
    yes_no: bool = False  # a yes/no question: a claim restating it is its answer

    @classmethod
    def of(cls, question: str | None, vocab: Vocab | None = None) -> Given:
        """What ``question`` gives. Nothing for a yes/no question ("Did the toll rise to 50?" gives no
        50: it asks whether a passage says so), and not the alternatives of a choice ("Arsenal or
        Chelsea": the answer must name one that a passage backs)."""
        if not question:
            return cls()
        words = frozenset(terms(question))
        if YES_NO.match(question):
            return cls(words=words, yes_no=True)
        numbers, names = _keys(question, vocab)
        proper = set(terms(" ".join(_NAME.findall(question))))
        for m in _CHOICE.finditer(question):
            n_alt, names_alt = _keys(f"x {m.group(0)}", vocab)  # "x ": its first word is mid-sentence too
            numbers, names, proper = numbers - n_alt, names - names_alt, proper - names_alt
        return cls(frozenset(numbers), frozenset(names | proper), words, frozenset(proper),
                   _premise_names(question, proper))

    def keys(self, claim: str, vocab: Vocab) -> tuple[set[str], set[str], set[str]]:
        """The numbers and names of ``claim`` a support must repeat (the question's own taken out),
        and its *anchors*: the question's names it repeats (not words the passages also write in lower
        case), one of which must be beside the supporting sentence, or the claim pins the passage's
        fact on the question's subject ("Dwayne Johnson announced a remake of the 1998 film ..." from a
        sentence about Disney; "Elon Musk fired Parag Agrawal" from "Jack Dorsey fired Parag Agrawal")."""
        numbers, names = _keys(claim, vocab)
        anchors = (names & self.proper) - vocab.lower
        return numbers - self.numbers, names - self.names, anchors

    def premised(self, claim: str, vocab: Vocab, context: str) -> bool:
        """Whether the article ``context`` (a passage's title and its article's passages) names, in some
        form (``_holds_name``), every name of the question that ``claim`` restates. The question's
        names need not be in the supporting sentence (the claim may restate the subject where the
        sentence says "she"), but an article that never names one is about something else: "Serena
        Williams beat Belinda Bencic in the second round of the US Open" over a story of the Canadian
        Open; "England's extra-time winner against Germany" over the quarter-final against Spain."""
        if not self.runs:
            return True
        said = undotted(_keys(claim, vocab)[1])
        for run in self.runs:
            kept = [i for i, w in enumerate(run) if undotted(terms(w)) & said]
            if kept and not _holds_name(run[kept[0] : kept[-1] + 1], context):
                return False
        return True

    def quantities(self, claim: str) -> list[tuple[str, tuple[str, str]]]:
        """The question's numbers that ``claim`` restates, with the units it gives them ("$1.3
        billion": "1.3", ("$", "billion")): a supporting sentence may leave them unsaid, but not give
        the quantity another value (``_other_quantity``)."""
        return [(n, unit) for n, unit in _quantities(claim) if n in self.numbers and unit[1]]


_CHOICE = re.compile(r"(?:\S+\s+){0,2}\S+\s+or\s+\S+(?:\s+\S+){0,2}", re.I)  # "Arsenal or Chelsea", "Town1 or Town2"


@dataclass(frozen=True)
class Support:
    score: float  # share of the claim's content words in the sentence
    span: tuple[int, int]  # the sentence, in article offsets
    keys_ok: bool  # every number and name of the claim is in the sentence or its neighbours

    @property
    def ok(self) -> bool:
        return self.keys_ok and self.score >= SUPPORT_MIN


def support(claim: str, p: Passage, vocab: Vocab | None = None, given: Given | None = None) -> Support:
    """How well the best sentence of passage ``p`` backs ``claim`` (``vocab``: of all the passages;
    ``given``: the numbers and names the question itself states, which the claim may repeat unbacked)."""
    claim_terms = set(terms(claim))
    vocab = vocab or Vocab.of([p.text], [p])
    numbers, names, anchors = (given or Given()).keys(claim, vocab)
    context = vocab.articles.get(p.article_id) or f"{p.title}\n{p.text}"
    premised = given is None or given.premised(claim, vocab, context)
    quantities = given.quantities(claim) if given is not None else []
    beaten = _beaten(claim)
    title = _Title(p.title, claim, vocab)
    spans = list(p.sentences or ((p.start, p.end),))
    sents = [p.text[a - p.start : b - p.start] for a, b in spans]
    best = Support(0.0, spans[0], False)
    if not claim_terms:
        return best
    asked = given.words if given is not None and not given.yes_no else frozenset()
    # a claim made only of the question's words answers with one of them ("What breed was the dog of the man who
    # started the Springville spider fire?": "The dog ... was a spider", new user 21's local model): every word
    # must then be in the passage, the question's "spider" too
    restated = bool(asked) and claim_terms <= asked
    sents = [_aged(sent) for sent in sents]  # "his 31st birthday" says he is 31 years old (``_aged``)
    for i, sent in enumerate(sents):
        share = len(claim_terms & set(terms(sent))) / len(claim_terms)
        if share <= best.score and best.keys_ok:
            continue
        window = " ".join(sents[max(0, i - 1) : i + 2])
        # a name the question did not give is what the claim answers with: it must be in the sentence
        # or the one before it ("... 'Everything Everywhere All at Once'. The film scored 11 honors"),
        # not only after it ("Liz Cheney ... faces a challenger backed by Trump. The other, Rep. Adam
        # Kinzinger, ..." backs no "Wyoming elected Adam Kinzinger")
        before = " ".join(sents[max(0, i - 1) : i + 1])
        title_for = title.for_sentence(sent)
        keys_ok = premised and _keys_in(numbers, names, window, claim, context, title_for) \
            and (given is None or _keys_in(set(), names, before, claim, context, title_for)) \
            and _anchored(anchors, window, claim, context) \
            and not any(_other_quantity(n, unit, window) for n, unit in quantities) \
            and not (beaten and beaten & _winners(sent)) \
            and not _said_otherwise(claim, window, given, names) \
            and not _miscounted(claim, window, given)
        if keys_ok and restated and not claim_terms <= set(terms(window)):
            keys_ok = False
        cand = Support(share, spans[i], keys_ok)
        if (cand.ok, cand.score) > (best.ok, best.score):
            best = cand
    return best


def _keys_in(numbers: set[str], names: set[str], text: str, claim: str = "", context: str = "",
             title: str = "") -> bool:
    """Whether every number and every name stem of a claim occurs in ``text``: as written, or written
    another way (``_aliased``: ``claim`` is the claim they come from, ``context`` the text of the
    passage's article), or, for names, in ``title`` (the passage's title when it may stand for them:
    ``_Title``)."""
    if not numbers <= _keys(text)[0]:
        return False
    missing = _missing(names, claim, text, context)
    if missing and title:
        missing = _missing(missing, claim, title, context)
    return not missing


def _anchored(anchors: set[str], text: str, claim: str = "", context: str = "") -> bool:
    """Whether one of the question's names the claim repeats (``Given.keys``) occurs in ``text``
    (True when it repeats none)."""
    wanted = undotted(anchors)
    return not wanted or bool(wanted - _missing(wanted, claim, text, context))


def _missing(names: set[str], claim: str, text: str, context: str) -> set[str]:
    """The name stems (undotted) that ``text`` writes neither as they are nor another way."""
    missing = undotted(names) - undotted(_keys(text)[1] | set(terms(text)))
    if missing and claim:
        missing -= _aliased(missing, claim, text, context)
    return missing


# --- a name written another way: "Time Warner" / "TimeWarner", "British Airways" / "BA", the title

#: a run of capitalised words, with the small words a name may hold ("Bank of America")
_NAME_RUN = re.compile(r"[A-Z][\w&'’.-]*(?:(?:\s+(?:of|and|for|the|de|du|del|la|le|von|van|der|&))*\s+[A-Z][\w&'’.-]*)*")
_AND = re.compile(r"\s+(?:and|&)\s+")
_CONNECTORS = frozenset("of and for the de du del la le von van der &".split())
#: an acronym as written: "BA" (in "BA's"), "BBC", "U.S."
_ACRONYM = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,}|(?<![\w'’-])[A-Z]{2,}(?![a-zA-Z])")
_LONGEST_NAME = 5  # words


@dataclass(frozen=True)
class _Written:
    """How a text writes its names: each word and each run of capitalised words squashed (lower case,
    no spaces or hyphens: "Time Warner", "TimeWarner", "Time-Warner" are all "timewarner"), the
    initials of those runs ("British Airways" -> "BA") and its acronyms ("BA's", "U.S." -> "BA", "US")."""

    words: frozenset[str]
    runs: frozenset[str]
    initials: frozenset[str]
    acronyms: frozenset[str]

    @classmethod
    @functools.lru_cache(maxsize=256)  # an article's text is read once per claim and sentence checked
    def of(cls, text: str) -> _Written:
        runs: set[str] = set()
        initials: set[str] = set()
        for m in _NAME_RUN.finditer(text):
            for sub in _sub_names(_name_words(m.group(0)), 2):
                runs.add(_squash(sub))
                initials |= _initials(sub)
        words = frozenset(_squash(_name_words(w)) for w in WORD.findall(text))
        acronyms = frozenset(a.replace(".", "") for a in _ACRONYM.findall(text))
        return cls(words, frozenset(runs), frozenset(initials), acronyms)


def _premise_names(question: str, proper: set[str]) -> tuple[tuple[str, ...], ...]:
    """The names the question writes capitalised mid-sentence (``proper``), word by word as written:
    "Serena Williams", "US Open" (not "Whom", nor the "Which" of "Which NFL team"); no month or day
    ("in February"), which the time window reads, not the article's names."""
    wanted = undotted(proper) - _calendar()
    runs = []
    for m in _NAME_RUN.finditer(question):
        # "Donald Trump's Mar-a-Lago": two names; "Barton and Whitfield", "the Aztec and Incan empires": two,
        # each named on its own by the article (a name with "and" in it, "Marks and Spencer", then needs
        # each part named, which the whole does)
        for piece in (p for part in _RUN_BREAK.split(m.group(0)) for p in _AND.split(part)):
            run = _name_words(piece)
            kept = [i for i, w in enumerate(run) if undotted(terms(w)) & wanted]
            if kept:
                runs.append(tuple(run[kept[0] : kept[-1] + 1]))
    return tuple(dict.fromkeys(runs))


#: a number as a quantity: its currency, the number (not one inside a name: "Covid-19", "F-35") and
#: the word it counts ("$1.3 billion" -> "$", "1.3", "billion"; "62nd home run" -> "home")
_QUANTITY = re.compile(r"([$£€¥]?)(?<![\w.-])(\d+(?:[.,]\d+)*)(?:st|nd|rd|th)?(?:\s*(%|[A-Za-z]+))?")


def _quantities(text: str) -> list[tuple[str, tuple[str, str]]]:
    """The numbers of ``text`` (as ``_keys`` writes them) with their units: (currency, the stem of the
    word counted), or ("", "") when no word follows ("in 2015 [1]", "61-year-old")."""
    out = []
    for m in _QUANTITY.finditer(text):
        word = terms(m.group(3) or "")
        unit = "%" if m.group(3) == "%" else (word[0] if word else "")
        out.append((m.group(2).replace(",", ""), (m.group(1), unit) if unit else ("", "")))
    return out


# an amount's scale as written after its number: "$730M", "$730 million" and "$0.73bn" are one amount
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9,
           "trillion": 1e12, "tn": 1e12}


def _other_quantity(number: str, unit: tuple[str, str], text: str, scaled: bool = True) -> bool:
    """Whether ``text`` gives the quantity ``number`` ``unit`` another value ("$1.537 billion" for
    "$1.3 billion") and never states this one (as written, or rounded either way: "1.337" for "1.3").
    A text with no number of that unit says nothing against it ("Type 1" where it writes "Type I").
    An amount of money is compared at its scale, as written in either (``scaled``): "$730M" and "$730
    million" are other amounts than "$1.5 billion", "$1,500 million" is the same."""
    others = False
    scale = _SCALES.get(unit[1]) if unit[0] and scaled else None
    for n, u in _quantities(text):
        try:
            if n == number or _rounds(n, number) or _rounds(number, n):
                return False
            if scale and u[0] == unit[0] and u[1] in _SCALES:
                value = float(n) * _SCALES[u[1]] / scale  # at the question's scale
                if abs(value - float(number)) <= 0.05 * float(number) or _rounds(f"{value:.6f}", number):
                    return False
                others = True
        except ValueError:  # "1.2.3"
            continue
        others = others or u == unit
    return others


def _rounds(precise: str, rough: str) -> bool:
    """Whether ``precise`` rounds to ``rough`` at its decimal places ("1.337" to "1.3")."""
    return round(float(precise), len(rough.partition(".")[2])) == float(rough)


# --- who beat whom: the one relation whose direction a shared bag of words does not show

_NAME_AFTER = r"(?:the\s+)?([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
#: what a side is before its name: "defeated incumbent Jair Bolsonaro" (new user 30), "beat defending champion Rafael
#: Nadal", "lost to world number one Roger Federer", "beat former Vice President Mike Pence"
_STANDING = (r"(?:(?:the|incumbent|defending|reigning|former|outgoing|sitting|fellow|unseeded|(?:top-)?seeded|top|seed|"
             r"world|number|no\.|one|two|three|champions?|holders?|title-holders?|favou?rites?|rivals?|challengers?|"
             r"opponents?|candidate|nominee|vice|president|prime|minister|premier|chancellor|senator|governor|"
             r"mayor)\s+){0,4}")
#: "beat Belinda Bencic": the name that lost
_BEAT = re.compile(r"\b(?:beat|beats|defeat|defeats|defeated|overcame|eliminated|knocked out)\s+"
                   + _STANDING + _NAME_AFTER)
#: "was defeated 6-2 6-4 by Belinda Bencic", "lost to Spain", "Germany's narrow loss to England", "Argentina's 2-1
#: defeat by Saudi Arabia": the name that won
_BEATEN_BY = re.compile(r"\b(?:(?:beaten|defeated|defeat|eliminated|knocked out)\b[^.;,]{0,30}?\bby|(?:lost|loss|losing|fell)"
                        r"\b[^.;,]{0,30}?\bto)\s+" + _STANDING + _NAME_AFTER)


#: a win in a part only, no outcome of the whole: "managed to beat Lula in the southeast states" (new user 30: the
#: passage of "Why did Lula beat Bolsonaro?", who won the runoff), "among evangelical voters", "in the polls"
_IN_PART = re.compile(r"\s+(?:in|among|across)\s+(?:the\s+|some\s+|several\s+|most\s+|many\s+|\d+\s+)?(?:[\w'’-]+\s+)"
                      r"{0,3}?(?:(?:north|south|east|west)\w*|states?|regions?|count(?:y|ies)|districts?|provinces?|"
                      r"cit(?:y|ies)|towns?|areas?|precincts?|polls?|surveys?|primar(?:y|ies)|voters|suburbs)\b", re.I)


def _beaten(claim: str, parts: bool = True) -> set[str]:
    """Stems of the names ``claim`` says were beaten ("Serena Williams beat Belinda Bencic": Bencic); with ``parts``
    false, not where it says so of a part only ("beat Lula in the southeast states", ``_IN_PART``)."""
    return undotted(terms(" ".join(m.group(1) for m in _BEAT.finditer(claim)
                                   if parts or not _IN_PART.match(claim, m.end()))))


def _winners(sentence: str, parts: bool = True) -> set[str]:
    """Stems of the names ``sentence`` says beat someone, in the passive or as a loss ("was defeated by
    Belinda Bencic"): a claim that they were beaten turns the sentence round, however many words the
    two share (``parts``: as for ``_beaten``)."""
    return undotted(terms(" ".join(m.group(1) for m in _BEATEN_BY.finditer(sentence)
                                   if parts or not _IN_PART.match(sentence, m.end()))))


# --- a post or a figure's kind said otherwise ------------------------------------------------------------
# posts and kin a claim may give a person, one id per post however written; a supporting window that gives
# another of them and none of the claim's has the person in another post ("Greg Penner took over as the
# team's new president [3]" over "... her husband, Greg Penner, will serve as CEO of the team": new user
# 21's local model; "president" came from the question, which verification does not ask the passage for).
# Words as general as "boss", "head", "chief", "leader" or "executive" name no post: they never fail a claim.
_POST_PHRASES = ((re.compile(r"\bchief\s+executive(?:\s+officer)?\b", re.I), "ceo"),
                 (re.compile(r"\bchief\s+financial\s+officer\b", re.I), "cfo"),
                 (re.compile(r"\bchief\s+operating\s+officer\b", re.I), "coo"),
                 (re.compile(r"\bvice[\s-]+president\b", re.I), "vicepresident"),
                 (re.compile(r"\bprime\s+minister\b", re.I), "primeminister"),
                 (re.compile(r"\bgeneral\s+manager\b", re.I), "generalmanager"),
                 (re.compile(r"\bco-?founder\b", re.I), "founder"),
                 (re.compile(r"\b[a-z]+-in-law\b", re.I), "inlaw"))  # "son-in-law" is no son, and no post
_POST_IDS = {w: w for w in ("president vicepresident ceo cfo coo director founder owner minister primeminister "
                            "secretary mayor governor senator captain editor chancellor ambassador commissioner "
                            "generalmanager wife husband widow widower fiance fiancee mother father son daughter "
                            "brother sister").split()}
_POST_IDS.update(dict.fromkeys(("chairman", "chairwoman", "chairperson", "chair"), "chair"))
_POST_IDS.update(dict.fromkeys(("spokesman", "spokeswoman", "spokesperson"), "spokesperson"))
_POST_IDS.update(dict.fromkeys(("coach", "manager"), "coach"))  # a football club's manager is its coach
_POST_WORD = re.compile(r"\b(" + "|".join(sorted(_POST_IDS, key=len, reverse=True)) + r")s?\b", re.I)


# a post written as a title before a name ("former President Donald Trump", "CEO Damani Leech"): who is
# named by it, not what a claim says of its answer
_TITLE = re.compile(r"(?<![\w-])(?:Vice[\s-]+|Prime\s+|Chief\s+Executive\s+)?[A-Z][A-Za-z]+\.?\s+(?=[A-Z][a-z])")


def _posts(text: str, titles: bool = True) -> set[str]:
    """The posts and kin ``text`` names, one id each ("chief executive" and "CEO" are "ceo"); without
    ``titles``, not those written as a title before a name (``_TITLE``)."""
    if not titles:
        text = _TITLE.sub(lambda m: m.group(0) if not _POST_WORD.search(m.group(0)) else " ", text)
    for pattern, post in _POST_PHRASES:
        text = pattern.sub(f" {post} ", text)
    return {_POST_IDS[m.group(1).lower()] for m in _POST_WORD.finditer(text)}


# a figure's kind: the adjective between an amount and its noun, "$45.2 million in *punitive* damages"
# (amounts of money or millions only: "120,000 *people* evacuated" over "120,000 Afghans were evacuated" is right)
_FIGURE_KIND = re.compile(r"(?:[$£€¥]\d[\d.,]*(?:\s+(?:million|billion|trillion|thousand))?|"
                          r"\d[\d.,]*\s+(?:million|billion|trillion))(?:\s+(?:in|of))?\s+([a-z][a-z-]+)\s+[a-z][a-z-]+")


def _kind_dropped(claim: str, text: str, given: Given | None) -> bool:
    """Whether ``claim`` gives a figure a kind of the question's ("more than $49 million in punitive
    damages", asked "How much ... in punitive damages?") that ``text`` never says: the question's words
    need not be in a supporting sentence, so "more than $49 million in damages" (the total, new user 21's
    local model) backed a punitive figure. The question's own figures are premises, not checked."""
    if given is None or given.yes_no or not given.words:
        return False
    said = set(terms(text))
    for m in _FIGURE_KIND.finditer(claim):
        number = (_keys(m.group(0))[0] or {""}).pop()
        kind = terms(m.group(1))
        if number in given.numbers or not kind:
            continue
        if kind[0] in given.words and kind[0] not in said:
            return True
    return False


def _said_otherwise(claim: str, text: str, given: Given | None, claim_names: set[str]) -> bool:
    """Whether ``text`` gives a person of ``claim`` another post than the claim does (only for a claim
    naming someone the question does not, ``claim_names``), or never says the kind a claim's figure has
    by the question (``_kind_dropped``)."""
    if claim_names:
        posts = _posts(claim, titles=False)
        if posts:
            there = _posts(text)
            if there and not posts & there:
                return True
    return _kind_dropped(claim, text, given)


# --- a number counts one thing, and an age may be told by a birthday ---------------------------------------------

#: an ordinal birthday or anniversary tells a cardinal age: "who just celebrated his 31st birthday" backs "Bobi is 31
#: years old" (new user 32's local model: removed, the sentence sharing one word of four with it)
_AGED = re.compile(r"\b(\d+)(?:st|nd|rd|th)\s+(birthday|anniversary)\b", re.I)


def _aged(text: str) -> str:
    """``text`` with the age each ordinal birthday or anniversary tells written after it ("his 31st birthday" ->
    "his 31st birthday (31 years old)"), for the words and numbers a claim is compared with; ``text`` itself when it
    tells none."""
    return _AGED.sub(lambda m: f"{m.group(0)} ({m.group(1)} years{' old' if m.group(2).lower() == 'birthday' else ''})",
                     text)


#: the units of a span of time: a number counting them is a duration or an age, not a count of anything else
_TIME_UNIT = re.compile(r"(second|minute|hour|day|night|week|month|year|decade|centur)(?:s|y|ies)?", re.I)
#: words between a number and the unit it counts ("two more weeks", "three consecutive years")
_COUNT_MODIFIERS = frozenset("""more further additional extra consecutive straight successive full whole long short
    previous past next last other separate different such""".split())
_COUNTED = re.compile(r"(?<![\w.,$£€¥-])(\d+(?:[.,]\d+)*)((?:st|nd|rd|th)?)(?![\w%]|[.,]\d)((?:[\s-]+[A-Za-z]+){0,3})")


def _counts(text: str) -> list[tuple[str, str | None]]:
    """The numbers of ``text`` (small ones in words too: ``_in_digits``) with what each counts: "time:<unit>" for a
    span of time ("Two weeks ago", "31 years old", "a 31st birthday"), "thing" for anything else a lower-case word
    names ("two laps"), None when that cannot be read (no word, a function word, a name, a scale: "$200,000 in
    fines", "10 million")."""
    out: list[tuple[str, str | None]] = []
    for m in _COUNTED.finditer(_in_digits(text)[0]):
        kind = None
        for i, word in enumerate(re.findall(r"[A-Za-z]+", m.group(3))):
            unit = _TIME_UNIT.fullmatch(word)
            if unit or (m.group(2) and word.lower() in ("birthday", "anniversary")):
                kind = f"time:{unit.group(1).lower() if unit else 'year'}"
            elif word.lower() in _COUNT_MODIFIERS and i < 2:
                continue
            elif word.islower() and word not in STOPWORDS and word not in _SCALES:
                kind = "thing"
            break
        out.append((m.group(1).replace(",", ""), kind))
    return out


def _miscounted(claim: str, text: str, given: Given | None) -> bool:
    """Whether ``text`` states a number of ``claim`` (not one the question gives) only as a count of another kind: a
    span of time for a count of things or the other way round, or another unit of time ("NASCAR suspended Chase
    Elliott for two laps" over "Two weeks ago, NASCAR issued $200,000 in fines ...", new user 32's local model: the
    claim was kept on that sentence). Counts of two things may be one written two ways ("11 honors", "11 Oscars")."""
    asked = {_SMALL_NUMBERS.get(n, n) for n in given.numbers} if given is not None else set()
    there = _counts(text)
    for number, kind in _counts(claim):
        if kind is None or number in asked:
            continue
        kinds = [k for n, k in there if n == number]
        if kinds and None not in kinds and kind not in kinds:
            return True
    return False


#: where a run of capitalised words holds two names or none: a line or sentence end ("... in Toronto.
#: Williams was"), a possessive ("Serena Williams' US Open")
_RUN_BREAK = re.compile(r"\s*\n\s*|(?<=[a-z]{2}\.)\s+|['’]s?\s+")


@functools.lru_cache(maxsize=256)  # an article's text is read once per claim and passage checked
def _names_of(text: str) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    """The names ``text`` writes: every part of its runs of capitalised words, squashed ("Canadian
    Open" holds "canadianopen", "canadian", "open"), and the stems of each whole run, without the
    openers or stopwords that begin a sentence ("The Williams sisters" -> {"william"})."""
    parts: set[str] = set()
    wholes: set[frozenset[str]] = set()
    runs = (run for m in _NAME_RUN.finditer(text) for run in _RUN_BREAK.split(m.group(0)))
    for run in runs:
        words = _name_words(run)
        for sub in _sub_names(words):
            parts.add(_squash(sub))
            if stems := undotted(terms(" ".join(sub))):  # "Native Hawaiians" holds "Hawaiian" (its stem)
                parts.add("|".join(sorted(stems)))
        while words and (words[0].lower() in _OPENERS or not terms(words[0])):
            words = words[1:]
        if stems := undotted(terms(" ".join(words))):
            wholes.add(frozenset(stems))
    return frozenset(parts), tuple(wholes)


def _holds_name(name: Sequence[str], text: str) -> bool:
    """Whether ``text`` writes the name ``name`` (its words): whole, written another way, or by a part
    of it standing as a name of its own ("Williams was defeated" holds "Serena Williams"; "the
    Canadian Open" does not hold "US Open", nor "Venus Williams" "Serena Williams")."""
    parts, wholes = _names_of(text)
    stems = undotted(terms(" ".join(name)))
    if _squash(name) in parts or (stems and "|".join(sorted(stems)) in parts):
        return True
    if any(whole <= stems for whole in wholes):
        return True
    return bool(stems) and stems <= _aliased(stems, " ".join(name), text, text)


def _name_words(run: str) -> list[str]:
    """The words of a name without possessives or end dots: "Time Warner's" -> ["Time", "Warner"]."""
    return [w for w in (re.sub(r"['’]s?$", "", x).rstrip(".") for x in run.split()) if w]


def _sub_names(words: Sequence[str], shortest: int = 1) -> Iterator[list[str]]:
    """The contiguous parts of a run of name words that begin and end with a capitalised word
    ("British Airways CEO Rod Eddington" holds "British Airways" and "Rod Eddington")."""
    for i in range(len(words)):
        for j in range(i + shortest, min(len(words), i + _LONGEST_NAME) + 1):
            sub = list(words[i:j])
            if sub[0].lower() not in _CONNECTORS and sub[-1].lower() not in _CONNECTORS:
                yield sub


def _squash(words: Sequence[str]) -> str:
    return re.sub(r"[^0-9a-z]", "", "".join(words).lower())


def _initials(words: Sequence[str]) -> set[str]:
    """The acronyms a name of two or more capitalised words may go by: of its capitalised words
    ("Bank of America" -> "BA"), and of all its words ("BOA")."""
    caps = [w for w in words if w[:1].isupper()]
    if len(caps) < 2:
        return set()
    return {"".join(w[0] for w in caps).upper(), "".join(w[0] for w in words).upper()}


#: acronyms every news reader knows, which a claim may use for the name an article spells out even when the
#: article never writes the acronym itself (a local model's "came to the US from Syria with $14,000" for "came
#: to the United States ...", new user 10, was removed): the initials must still be the sentence's name's
WELL_KNOWN_ACRONYMS = frozenset({"US", "USA", "UK", "UN", "EU", "UAE"})


def _aliased(missing: set[str], claim: str, text: str, context: str) -> set[str]:
    """The stems of ``missing`` (names of ``claim`` that ``text`` does not write as they are) that
    ``text`` writes another way:

    * spaced, hyphenated or cased otherwise: "Time Warner" for "TimeWarner", and back;
    * as an acronym of the name's initials ("BA" for "British Airways"), or the other way round,
      only when the passage's article (``context``: its passages and title) also writes the claim's
      form: initials alone coincide too often ("Bank of America" is not the "BA" of an article
      about an airline that never names a bank), or the acronym is one everyone uses
      (``WELL_KNOWN_ACRONYMS``: "US" for "United States").
    """
    written = _Written.of(text)
    article = _Written.of(context) if context else written
    found: set[str] = set()
    for m in _NAME_RUN.finditer(claim):
        for sub in _sub_names(_name_words(m.group(0))):
            name = " ".join(sub)
            stems = undotted(terms(name) + terms(name.replace("-", " "))) & missing  # "Time-Warner" holds "Warner"
            if not stems:
                continue
            key = _squash(sub)
            respelt = key in written.runs or ((len(sub) > 1 or "-" in name) and key in written.words)
            expanded = bool(_initials(sub) & written.acronyms) and key in article.runs
            acronym = sub[0].replace(".", "")
            contracted = (len(sub) == 1 and len(acronym) >= 2 and acronym.isupper() and acronym in written.initials
                          and (acronym in article.acronyms or acronym in WELL_KNOWN_ACRONYMS))
            if respelt or expanded or contracted:
                found |= stems
    return found


class _Title:
    """A passage's title as a source of the names its sentences leave unsaid ("The firm's quarterly
    profits jumped 76%" under "Ad sales boost Time Warner profit" backs "Time Warner's quarterly
    profits jumped 76%"), for one claim, only when

    * the claim reports the title's story: it shares a word with the title other than a name;
    * the title names no one the claim does not ("Apple and Google report profits" does not say
      whose profits a sentence gives); a title word is a name when it is capitalised after the
      first word, or is the first word and the passages write it capitalised mid-sentence, and the
      passages never write it in lower case;
    * the sentence names no one the claim does not (no other actor, "rival Disney", whose fact the
      title's name would take).
    """

    def __init__(self, title: str, claim: str, vocab: Vocab) -> None:
        self.title = title.strip()
        self.claim_terms = undotted(terms(claim))
        self.vocab = vocab
        capitalised = undotted(terms(" ".join(re.findall(r"[A-Z][\w'’.-]*", claim))))
        reports = bool(undotted(terms(self.title)) & (self.claim_terms - capitalised))
        names = {t for m in _NAME.finditer(self.title) for t in terms(m.group(0))}
        first = re.match(r"\s*([A-Z][\w'’.-]*)", self.title)
        names |= {t for t in terms(first.group(1)) if t in vocab.capitalised} if first else set()
        others = undotted(names - vocab.lower) - self.claim_terms - _calendar()
        self.usable = bool(self.title) and reports and not others

    def for_sentence(self, sentence: str) -> str:
        """The title, if it may stand for names ``sentence`` leaves unsaid; else ""."""
        if not self.usable:
            return ""
        return "" if undotted(_keys(sentence, self.vocab)[1]) - self.claim_terms - _calendar() else self.title


@functools.cache
def _calendar() -> frozenset[str]:
    """Stems of names that are no actor: a date in the sentence ("... to December") is nobody the
    title's name could displace. (A function: ``terms`` loads the stemmer, which importing need not.)"""
    return frozenset(terms("""january february march april may june july august september october november
        december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
        saturday sunday"""))


def supports(claim: str, quote: str, question: str | None = None) -> bool:
    """Whether ``quote`` by itself backs ``claim`` by the rule ``verify`` applies: at least
    ``SUPPORT_MIN`` of the claim's content words, and every number and name it states other than
    the ``question``'s own, with no other value for a question number it restates and no "beat"
    turned round. The evaluator's citation precision uses this, so the product and its
    measurement mean the same by "supports"; only the quote is read (``support`` also accepts a
    number or name from the sentence's neighbours, which a quote does not show, and requires the
    question's names in the passage's article, which a quote alone does not hold: the quote "The
    23-time champion was defeated ..." names no Serena Williams that its title does).

    >>> supports("The rebels took Khansir.", "Rebels captured the town of Khansir.")
    True
    >>> supports("Four people were killed.", "People were killed in the raid.")
    False
    """
    claim_terms = set(terms(claim))
    if not claim_terms:
        return False
    vocab = Vocab.of([quote])
    given = Given.of(question, vocab)
    numbers, names, anchors = given.keys(claim, vocab)
    quote = _aged(quote)
    quote_terms = set(terms(quote))
    share = len(claim_terms & quote_terms) / len(claim_terms)
    if not given.yes_no and claim_terms <= given.words and not claim_terms <= quote_terms:
        return False  # only the question's words, one the quote lacks as the answer (``support``)
    return share >= SUPPORT_MIN and _keys_in(numbers, names, quote, claim) and _anchored(anchors, quote, claim) \
        and not any(_other_quantity(n, unit, quote) for n, unit in given.quantities(claim)) \
        and not _beaten(claim) & _winners(quote) and not _said_otherwise(claim, quote, given, names) \
        and not _miscounted(claim, quote, given)


def verify(text: str, passages: Sequence[Passage], question: str | None = None) -> Verified:
    """Check every claim of ``text`` against ``passages``; see the module docstring. ``question``:
    what was asked (its own names and numbers may be repeated without the supporting sentence
    stating them, when the article names them and the sentence gives the number no other value).
    A claim repeated word for word is checked, kept or removed once (its first time): a model
    caught in a loop ("... [1]. ... [1]. ...", 400 times) gives one sentence, not 17 kB of it."""
    return _verify(text, passages, question, set())


def _verify(text: str, passages: Sequence[Passage], question: str | None, seen: set[str]) -> Verified:
    """``verify``, skipping claims in ``seen`` (normalised, ``_said``) and adding those it checks."""
    by_n = {p.n: p for p in passages}
    quoted = [p.text for p in passages]
    vocab = Vocab.of(quoted, passages)
    given = Given.of(question, vocab)
    masked = MARKER.sub(
        lambda m: _QUOTED + m.group(0)[1:] if quoted_marker(text, m.start(), m.end(), quoted) else m.group(0), text
    )
    citations: dict[tuple[int, int, int], Citation] = {}
    kept_claims: list[str] = []
    removed: list[str] = []
    unsupported: list[int] = []
    attributed: list[int] = []
    moved: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for claim in split_claims(masked):
        nums = marker_numbers(claim)
        # "it [1]." -> "it."; not the space of " ![img](...)" or " .NET": punctuation that ends something
        body = re.sub(r"\s+([.!?,;:])(?=[\s\"'”’)]|$)", r"\1", MARKER.sub("", claim)).strip()
        shown = body.replace(_QUOTED, "[")
        if not set(terms(body)):  # "Sure." / "In short:" states nothing to check
            continue
        if (said := _said(shown)) in seen:  # said before: kept or removed then
            continue
        seen.add(said)
        verbatim = _verbatim(shown, nums, by_n)
        good, wrong, added = (verbatim, [], []) if verbatim else _backing(body, nums, by_n, passages, vocab, given)
        if not good:  # "X is Australia's second-largest city, with a population of 5.7 million": keep the part a passage backs
            head, tail = _supported_head(body, by_n, passages, vocab, given)
            if head is not None:
                good, wrong, added = _backing(head, nums, by_n, passages, vocab, given)
                shown, cut = head.replace(_QUOTED, "["), tail.replace(_QUOTED, "[")
                removed.append(cut)
        wrong_here = [n for n in wrong if not any(n == g for g, _ in good)]
        unsupported += wrong_here
        attributed += added
        if not good:
            removed.append(shown)
            continue
        if wrong_here:
            moved.append((tuple(dict.fromkeys(wrong_here)), tuple(dict.fromkeys(n for n, _ in good))))
        for n, s in good:
            p = by_n[n]
            a, b = s.span
            citations.setdefault((n, a, b), Citation(n, p.article_id, p.title, p.source, p.published,
                                                     p.text[a - p.start : b - p.start], a, b, author=p.author))
        kept_claims.append(_with_markers(shown, [n for n, _ in good]))
    return Verified(tuple(citations.values()), " ".join(kept_claims), tuple(removed),
                    tuple(dict.fromkeys(unsupported)), tuple(attributed), tuple(moved))


def _verbatim(claim: str, nums: Sequence[int], by_n: Mapping[int, Passage]) -> list[tuple[int, Support]]:
    """The claim as a sentence of a passage its markers cite, word for word (the offline answer's own
    quote, or a model's copy): supported as it stands, whatever the rules for restated names and
    numbers would make of it (they read a claim against a sentence; this one is the sentence)."""
    want = _said(claim).rstrip(".!?")
    for n in nums:
        p = by_n.get(n)
        spans = list(p.sentences or ((p.start, p.end),)) if p is not None else []
        # one sentence, or two in a row (``rag.extractive.read_alone`` quotes a sentence with the one it leans on)
        for a, b in [*spans, *((x[0], y[1]) for x, y in zip(spans, spans[1:]))]:
            if _said(p.text[a - p.start : b - p.start]).rstrip(".!?") == want:
                return [(n, Support(1.0, (a, b), True))]
    return []


def _said(claim: str) -> str:
    """A claim without its markers, case or spacing: what makes two claims the same."""
    return " ".join(claim.split()).casefold()


def removed_notice(removed: Sequence[str], *, shown: int = 5, width: int = 120) -> str:
    """The notice naming the sentences verification removed: the first ``shown``, each cut to
    ``width`` characters, then how many more (all of them stay in ``unsupported_claims``).

    >>> removed_notice(["Aliens run BA.", "The CEO is Elvis."], shown=1)
    'Removed 2 sentence(s) no passage supports: Aliens run BA. | … and 1 more'
    """
    listed = [r if len(r) <= width else r[: width - 1] + "…" for r in removed[:shown]]
    more = len(removed) - len(listed)
    return (f"Removed {len(removed)} sentence(s) no passage supports: " + " | ".join(listed)
            + (f" | … and {more} more" if more > 0 else ""))


def corrected_notice(checked: Verified) -> str | None:
    """What verification did to the citations of the sentences it kept, or None: a sentence that cited a
    passage not saying it now cites the one that does ("[1] -> [3]"), or keeps only its right ones. A
    removed sentence's markers are not told here: ``removed_notice`` names the sentence. (It said
    "Removed citations that did not support their sentence: [1]" for every such marker, on nearly every
    local-model answer, which new user 21 read as noise: it did not say the sentence was now cited right.)

    >>> corrected_notice(Verified((), "x [3].", moved=(((1,), (3,)),)))
    'Citations corrected: [1] did not say what its sentence says; it now cites [3].'
    """
    if not checked.moved:
        return None
    told = [f"{_markers(wrong)} did not say what its sentence says; it now cites {_markers(now)}"
            for wrong, now in checked.moved]
    return "Citations corrected: " + "; ".join(dict.fromkeys(told)) + "."


def _markers(ns: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


class ClaimGate:
    """Verified text while an answer streams: each claim is checked (``verify``) once the one after
    it has begun, and only what the passages support is let through (with its ``[n]``), so a client
    that shows a stream as it comes (an OpenAI client of ``rag serve``) never shows a sentence that
    verification removes. ``feed`` the model's text deltas, then ``finish``; the pieces yielded,
    joined, are what ``verify`` makes of the whole text (a claim is checked on its own either way).

    >>> from rag.types import Passage
    >>> p = Passage(1, "c", "a", "T", "s", None, 1.0, "Rebels captured the town of Khansir.", 0, 36, ((0, 36),))
    >>> gate = ClaimGate([p])
    >>> [*gate.feed("The rebels took Khansir. They were"), *gate.feed(" led by Napoleon."), *gate.finish()]
    ['The rebels took Khansir [1].']
    """

    def __init__(self, passages: Sequence[Passage], question: str | None = None) -> None:
        self.passages = passages
        self.question = question
        self.text = ""
        self.done = 0  # claims of ``text`` already checked
        self.said = False  # something was let through (later claims follow after a space)
        self._seen: set[str] = set()  # claims checked so far (a repeated one is dropped, as ``verify`` does)

    def feed(self, piece: str) -> Iterator[str]:
        self.text += piece
        claims = split_claims(self.text)
        # the last claim may still grow, and one of under three words may yet join the claim before it
        settled = len(claims) - 1 if claims and len(MARKER.sub("", claims[-1]).split()) >= 3 else len(claims) - 2
        yield from self._check(claims[self.done : max(self.done, settled)])
        self.done = max(self.done, settled)

    def finish(self) -> Iterator[str]:
        claims = split_claims(self.text)
        yield from self._check(claims[self.done :])
        self.done = len(claims)

    def _check(self, claims: Sequence[str]) -> Iterator[str]:
        for claim in claims:
            kept = _verify(claim, self.passages, self.question, self._seen).text
            if kept:
                yield (" " if self.said else "") + kept
                self.said = True


def _backing(body: str, nums: Sequence[int], by_n: dict[int, Passage], passages: Sequence[Passage], vocab: Vocab,
             given: Given) -> tuple[list[tuple[int, Support]], list[int], list[int]]:
    """The passages backing one claim: its own markers that do (``good``), those that do not
    (``wrong``), and, when none does, the best-supporting passage found by attribution (``added``)."""
    good: list[tuple[int, Support]] = []
    wrong: list[int] = []
    for n in dict.fromkeys(nums):
        p = by_n.get(n)
        s = support(body, p, vocab, given) if p is not None else None
        if s is not None and s.ok:
            good.append((n, s))
        else:
            wrong.append(n)
    if good:
        return good, wrong, []
    ranked = sorted(((support(body, p, vocab, given), p.n) for p in passages),
                    key=lambda x: (x[0].ok, x[0].score), reverse=True)
    if ranked and ranked[0][0].ok:
        return [(ranked[0][1], ranked[0][0])], wrong, [ranked[0][1]]
    return [], wrong, []


#: where a claim may be cut, keeping its head: before a comma, semicolon or dash that opens an
#: added clause ("..., with a population of ...", "...; it was ...", "... - the first since ...")
_CLAUSE_CUT = re.compile(r"\s*(?:[,;]|\s[-–—])\s+")
MIN_HEAD_WORDS = 4  # a shorter head ("Apple announced") says too little to stand as the answer


def _supported_head(body: str, by_n: dict[int, Passage], passages: Sequence[Passage], vocab: Vocab,
                    given: Given) -> tuple[str | None, str]:
    """The longest head of an unsupported claim, cut at a clause boundary, that a passage backs,
    and the cut-off tail (which is removed and reported); ``(None, "")`` when no head is backed."""
    cuts = [m.start() for m in _CLAUSE_CUT.finditer(body)]
    for cut in reversed(cuts):
        head = body[:cut].rstrip()
        if len(head.split()) < MIN_HEAD_WORDS:
            break
        if given.words and set(terms(head)) <= given.words:
            continue  # only the question's own words ("The headliner ... was announced this week"): no answer
        if any(support(head, p, vocab, given).ok for p in passages):
            end = re.search(r"[.!?]+[\"'”’)]*$", body)
            return head + (end.group(0) if end else "."), body[cut:].lstrip(" ,;-–—").strip()
    return None, ""


def _with_markers(claim: str, numbers: Sequence[int]) -> str:
    """``claim`` with its markers before its closing punctuation: "took Khansir [1].", but after a
    closing quote or bracket, which the marker must not go inside: 'the "Wordle effect." [1]'."""
    marks = "".join(f" [{n}]" for n in dict.fromkeys(numbers))
    m = re.search(r"[.!?]+[\"'”’)]*$", claim)
    if m and m.group(0)[-1] not in ".!?":
        return claim + marks
    if m:
        return claim[: m.start()].rstrip() + marks + claim[m.start() :]
    return claim + marks


# --- premises a sentence contradicts: what the question takes as given, the sentence gives otherwise

_YEAR = re.compile(r"(?<![\w$£€.,-])((?:19|20)\d\d)(?![\w%]|[.,]\d|-\d\d\d)")
#: a year after one of these is a bound ("since 2016", "between 2004 and 2006"), not the year asked about
_BOUND = re.compile(r"\b(?:since|after|before|until|till|from|between|and|by|through|to|or|than)\s+$", re.I)
#: a year after one of these is a time: "in 2007", "of 2006", "in March 2022", "on 5 March, 2022"
_AS_TIME = re.compile(r"(?:\b(?:in|of|during|throughout|for)|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
                      r"[a-z]*\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?)\s+$", re.I)
_ASKS_WHO = re.compile(r"\b(?:who|whom|whose|where|which)\b", re.I)
_SEX = re.compile(r"\b(women|men)(?:'s|’s)?\b", re.I)


def _asked_years(question: str) -> set[str]:
    """The years ``question`` asks about: a year as a time ("in 2007", "the first quarter of 2006", "in
    March 2022"), not as a bound ("since 2016": then none) nor as part of an event's name ("the 2023
    Oscars", "Euro 2022": a story of it may name the film's or the qualifiers' year)."""
    out = set()
    for m in _YEAR.finditer(question):
        before = question[: m.start()]
        if _BOUND.search(before):
            return set()  # a period between bounds: which years a sentence may name is not one
        if _AS_TIME.search(before):
            out.add(m.group(1))
    return out


def contradicts(question: str, sentence: str) -> str | None:
    """What in ``sentence`` contradicts a premise of ``question``, in words, or None.

    A sentence may answer a question without repeating what the question gives, but not by giving it
    another value: the year asked about ("How many net cafes did China close in 2007?" over "... closed
    12,575 net cafes in the closing months of 2004"), a quantity ("the winning $1.3 billion Mega Millions
    ticket" over "the $1.537 billion jackpot ... in 2018", ``_other_quantity``), the men's or women's
    event ("Who won the men's 5,000m?" over "winning the women's 5,000m"). New user 9's confident wrong
    answers; the extractive answerer does not answer from such a sentence (``Premises``: the question
    read once for all its candidate sentences).

    >>> contradicts("How many net cafes did China close in 2007?", "China closed 12,575 net cafes in 2004.")
    'it is about 2004, not 2007'
    >>> contradicts("How many net cafes did China close in 2004?", "China closed 12,575 net cafes in 2004.") is None
    True
    """
    return Premises.of(question).contradicted_by(sentence)


# --- places: the countries and US states a question and a sentence name ----------------------------------

# names that are as often a person's, a bird or a word ("Jordan", "Chad", "Turkey", "Georgia", "Washington",
# "Guinea", "Niger"); and continents, which hold too much to tell one place from another
_AMBIGUOUS_PLACES = frozenset("jordan chad turkey georgia washington guinea niger mali peru oman togo "
                              "dominica grenada samoa tonga europe africa asia antarctica america".split())
_PLACE_GROUPS = PLACE_GROUPS


@functools.lru_cache(maxsize=1)
def _place_pattern() -> re.Pattern[str]:
    names = sorted((p for p in PLACES if p not in _AMBIGUOUS_PLACES), key=len, reverse=True)
    forms = [p.upper() if len(p) <= 3 else " ".join(w.capitalize() for w in p.split()) for p in names]
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w]|\.\w)")


def places_in(text: str, *, inside_names: bool = False) -> set[str]:
    """The countries and US states ``text`` names, as written capitalised ("US" and "UK" in capitals), lower
    case; not one that ends a longer name ("New South Wales", "Southwest Florida") unless ``inside_names``
    (whether an article names a place at all: "Southwest Florida" names Florida). A country's adjective
    names it too ("Chinese authorities closed 12,575 net cafes": China; new user 13's "How many net cafes
    did India close?" was answered with China's figure)."""
    out = set()
    for m in _place_pattern().finditer(text):
        before = re.search(r"([A-Z][\w'’-]*)\s+$", text[max(0, m.start() - 30) : m.start()])
        if inside_names or before is None or before.group(1).lower() in STOPWORDS:  # "In Texas" names Texas
            out.add(m.group(0).lower())
    out.update(DEMONYM_PLACES[m.group(0).lower()] for m in _DEMONYM_WORD.finditer(text))
    return out


_DEMONYM_WORD = re.compile(r"(?<![\w.])(?:" + "|".join(w.capitalize() for w in DEMONYM_PLACES) + r")(?!\w)")


def _same_place(a: str, b: str) -> bool:
    """One place, or one holding the other: "UK" and "Britain", "Texas" and "the US"."""
    if a == b or any(a in g and b in g for g in _PLACE_GROUPS):
        return True
    us = _PLACE_GROUPS[0]
    return (a in US_STATES and b in us) or (b in US_STATES and a in us)


def _within(a: str, b: str) -> bool:
    """Place ``a`` is ``b`` or part of it: "Texas" of "the US", "Britain" of "UK"; not "the US" of "Texas"."""
    return _same_place(a, b) and not (b in US_STATES and a not in US_STATES)


def _names_place(place: str, text: str, folded: str) -> bool:
    """Whether ``text`` (``folded``: the same, ``fold``ed) names ``place``: an acronym as written ("UK", not the
    "uk" of a word), else its first word or a form of it ("German" for Germany; "Tokyo" for the Tokyo
    International Film Festival, which an article on Bangkok's festival does not name)."""
    if len(place) <= 3:
        return re.search(rf"\b{re.escape(place.upper())}\b", text) is not None
    word = fold(place.split()[0])
    return re.search(rf"\b{re.escape(word[: max(4, len(word) - 2)])}", folded) is not None


def _place_forms(place: str) -> list[str]:
    """``place`` and the other names of its group ("America": "US", "USA", "United States")."""
    key = place.lower()
    group = next((g for g in _PLACE_GROUPS if key in g), {key})
    return [place, *(g for g in group if g != key)]


def _place_label(place: str) -> str:
    return place.upper() if len(place) <= 3 else " ".join(w.capitalize() for w in place.split())


def _as_written(question: str) -> dict[str, str]:
    """Each number of ``question`` (as ``_quantities`` keys it) with its amount as the question writes it ("$1.5 billion")."""
    return {m.group(2).replace(",", ""): m.group(0).strip() for m in _QUANTITY.finditer(question)}


_SMALL_NUMBERS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())} | {"thirty": "30", "forty": "40", "fifty": "50"}
_WORDED = re.compile(r"\b(" + "|".join(_SMALL_NUMBERS) + r")(?:-(?=(?:year|month|week|day|hour|game|match|seat)s?\b"
                     r"(?!-old))|(?=\s+[a-z]))|\bhalf(?= of\b)", re.I)
_NAME_BEFORE = re.compile(r"\b[A-Z][\w'’-]*\s+$")  # "Guildford Four", "Birmingham Six", "Famous Five"
_SPAN_HYPHEN = re.compile(r"\b(\d+)-(?=(?:year|month|week|day|hour|game|match|seat)s?\b(?!-old))")


def _in_digits(text: str) -> tuple[str, dict[str, str]]:
    """``text`` with its small numbers in words in digits ("nine years" -> "9 years", "a five-year extension" ->
    "a 5 year extension", "half of its staff" -> "50% of its staff"), so a premise notice compares them
    ("Why did the court sentence Griner to 12 years?" over "... to nine years in prison", new user 21), and each
    number so written with the words the text had."""
    worded: dict[str, str] = {}

    def digits(m: re.Match[str]) -> str:
        word = m.group(0)
        if word[0].isupper() and _NAME_BEFORE.search(m.string, 0, m.start()):
            return word  # "the Guildford Four families": a group's name, no count (new user 27's notice "The question
            # says Four families")
        number = "50" if word.lower() == "half" else _SMALL_NUMBERS[m.group(1).lower()]
        unit = re.match(r"\s*([A-Za-z]+)", m.string[m.end() :]) if word.lower() != "half" else None
        worded.setdefault(number, word + (" " if not word.endswith("-") else "") + unit.group(1) if unit else word)
        return "50%" if word.lower() == "half" else number + (" " if word.endswith("-") else "")

    return _SPAN_HYPHEN.sub(r"\1 ", _WORDED.sub(digits, text)), worded


_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth").split()
_RANKED = re.compile(r"\b(" + "|".join(_ORDINALS) + r"|\d+(?:st|nd|rd|th))[\s-]+(most\s+[a-z]+|[a-z]+est)\b", re.I)


def _other_rank(asking: str, text: str) -> tuple[str | None, str | None]:
    """The rank the question gives ("the world's second richest person") and the one other rank of the same
    superlative the cited passages give instead ("the world's third richest person"), or Nones (new user 21)."""
    asked = {(m.group(1).lower(), m.group(2).lower()): m.group(0) for m in _RANKED.finditer(asking)}
    if len(asked) != 1:
        return None, None
    (rank, most), written = next(iter(asked.items()))
    said = {m.group(1).lower(): m.group(0) for m in _RANKED.finditer(text) if m.group(2).lower() == most}
    if rank in said or len(said) != 1:
        return None, None
    return written, next(iter(said.values()))


def premise_notice(question: str, quotes: Sequence[str], told: Sequence[str] = ()) -> str | None:
    """A notice when the answer's quotes give an amount the question states (in the sentence that asks,
    not as the figure asked for) another value, and never this one: "Why did Liz Truss resign after 90
    days in office?" answered "... resigns after 45 days" (new user 10: the answer corrected the premise
    only by quoting it). The answer stands (its sentences may still say why); a question asking a name
    of such a premise is not answered at all (``Premises``: that name would be another event's).

    An outcome the question takes as given (a vote, a rise or fall, a contract) is read in the leading quote, then
    in the other quotes and ``told`` (the text of the cited articles' passages, when the caller gives it): "Why did
    Time Warner's profits fall at the end of 2004?" was answered with "Its profits were buoyed by one-off gains
    ..." of an article whose other sentence says they "jumped 76%" (new user 32)."""
    if not quotes or answer_type(question) == "number":
        return None
    asking = asking_sentence(question) or question
    asking_digits, worded = _in_digits(asking)
    stated = [(n, u) for n, u in _quantities(asking_digits) if u[1] and not _YEAR.fullmatch(n)]
    text = " ".join(quotes)
    text_digits = _in_digits(text)[0]
    for number, unit in stated:
        if _other_quantity(number, unit, text_digits):
            written = worded.get(number) or _as_written(question).get(number, number)
            return _as_given(written, "the cited passages give another figure and never that one")
    ranked, other_rank = _other_rank(asking, text)
    day, other_day = _other_day(asking, quotes[0])
    place, other_place = _other_place(asking, text)
    if place is None:
        place, other_place = _other_post_place(asking, text)
    winner, loser = _winner_reversed(asking, quotes[0])
    said, instead = _outcome_reversed(asking, [quotes[0]], [*quotes[1:], *told])
    doer, other_doer = _other_doer(asking, quotes[0])
    feat, held = _held_reversed(asking, quotes[0])
    for given, told in (
            (ranked, other_rank and f"the cited passages say {other_rank} and never {ranked}"),
            (day, other_day and f"the answer's passage says {other_day} and never {day}"),
            (place, other_place and f"the cited passages name {other_place} and never {place}"),
            (winner and f"{winner} beat {loser}", loser and f"the answer's passage says {loser} beat {winner}"),
            (said and f'"{said}"', instead),
            (feat, held and f"the answer's passage has {held} as the side held without a hit"),
            (doer, other_doer and f"the answer's passage says {other_doer} and never {doer}")):
        if given and told:
            return _as_given(given, told)
    return None


def _as_given(given: str, told: str) -> str:
    """A premise notice: what the question says, what the answer's passages tell instead."""
    return f"The question says {given}; {told}: check what the question takes as given."


# outcomes that rule each other out: a question taking one as given, answered by a passage telling the other
# ("Why did the Senate vote down the same-sex marriage bill on Tuesday?": "The Senate on Tuesday passed ...";
# "Why did Bob Chapek come back as Disney CEO?": "Bob Chapek ... is stepping down", new user 19)
_LAW = (r"(?:bill|bills|law|laws|legislation|measure|motion|resolution|amendment|proposal|budget|treaty|deal|sale|"
        r"merger|takeover|acquisition|agreement|plan|request|application|bid)")
#: what the people vote on: "Voters in Maryland and Missouri approved legalizing recreational marijuana" (new user
#: 30); voters alone are no scope ("Why did voters reject Trump?" is no vote down of "voters approved of ...")
_BALLOT = (r"\b(?:ballots?|referend(?:um|ums|a)|plebiscites?|initiatives?|propositions?|"
           r"(?:de)?(?:criminali|legali)[sz](?:e|es|ed|ing|ation))\b")
_OFFERED = r"(?:invitations?|invites?|offers?|proposals?|nominations?|awards?|honou?rs?|bids?|deals?|settlements?)\b"
_OUTCOMES = tuple((re.compile(a, re.I), re.compile(b, re.I), re.compile(scope, re.I) if scope else None)
                  for a, b, scope in (
    # a panel's vote for, as well as a bill's passing: "Why did the FDA advisers vote against selling Opill over the
    # counter?" over "An FDA advisory panel on Wednesday unanimously recommended the agency allow ..." (new user 32);
    # a question voting is about a vote ("Why did voters reject Trump?" is not: "voters" are no vote)
    (r"\b(?:pass|passes|passed|passing|approve[sd]?|approving|adopt(?:s|ed|ing)?|ratif(?:y|ies|ied|ying)|"
     r"recommend(?:s|ed|ing)?\s+(?:that\s+)?(?:[\w-]+\s+){0,3}?(?:approv|allow|authori[sz]|clear)\w*|"
     r"vot(?:e|es|ed|ing)\s+(?:\d+-\d+\s+|unanimously\s+)?(?:in\s+favou?r|for|to\s+(?:approve|allow|recommend|pass|"
     r"back|endorse|adopt))|unanimously\s+(?:recommend|endorse|back|support)\w*)\b",
     r"\b(?:reject(?:s|ed|ing)?|vot(?:e|es|ed|ing) (?:down|against)|block(?:s|ed|ing)?|veto(?:es|ed|ing)?|"
     r"str(?:ike|ikes|uck|iking) down|kill(?:s|ed|ing)?)\b", rf"\b{_LAW}\b|{_BALLOT}|\bvot(?:e|es|ed|ing)\b"),
    (r"\b(?:c[oa]m(?:e|es|ing) back|return(?:s|ed|ing)?|rejoin(?:s|ed|ing)?|reinstat(?:e|es|ed|ing))\b",
     r"\b(?:step(?:s|ped|ping)? down|resign(?:s|ed|ing)?|quit(?:s|ting)?|ousted|fired|sacked|leav(?:e|es|ing)|left)\b",
     None),
    # an invitation or offer taken up or turned down: "Why did the Georgia Bulldogs accept Biden's invitation to the
    # White House?" over "The Georgia Bulldogs football team has declined an invitation ..." (new user 32); the
    # refusal must be of the thing offered ("declined to comment" is none)
    (r"\baccept(?:s|ed|ing)?\b",
     r"\b(?:declin(?:e|es|ed|ing)|turn(?:s|ed|ing)?\s+down|reject(?:s|ed|ing)?|snub(?:s|bed|bing)?|rebuff(?:s|ed|ing)?)"
     rf"\s+(?:an?\s+|the\s+|their\s+|its\s+|his\s+|her\s+)?(?:[\w'’-]+\s+){{0,3}}?{_OFFERED}", rf"{_OFFERED}"),
    (r"\b(?:acquit(?:s|ted|ting)?|cleared)\b", r"\b(?:convict(?:s|ed|ing)?|found guilty|pleaded guilty)\b", None),
))


#: a question's loser first: "Why did Roger Federer lose the Dubai final to Ivan Ljubicic?", "Why did Lula lose the
#: Brazilian presidential runoff to Bolsonaro?" (new user 30: the contest may take more words than a final's)
_LOST_TO = re.compile(r"\b(?:lose|loses|lost|losing)\b[^.?;,]{0,50}?\bto\s+" + _STANDING + _NAME_AFTER)
#: "Ireland consigned England to their third straight Six Nations defeat": the name that lost
_HANDED_DEFEAT = re.compile(r"\b(?:consign|condemn|hand|inflict|sen[dt])\w*\s+" + _NAME_AFTER +
                            r"\s+(?:to\s+)?(?:their|its|his|her|a|an)\s+(?:[\w-]+\s+){0,4}?(?:defeat|loss)\b")
_WON = re.compile(r"\b(?:won|wins?|winning|victory|victories|triumph(?:s|ed)?|trophy|title|crown(?:s|ed)?|"
                  r"clinch(?:es|ed)?)\b", re.I)
_NOT_WON = re.compile(r"\b(?:lost|lose|loses|losing|loss|defeat(?:s|ed)?|beaten|runners?-up|second|failed)\b", re.I)


def _winner_reversed(asking: str, lead: str) -> tuple[str | None, str | None]:
    """The winner and loser a question takes as given ("By what score did Argentina beat Saudi Arabia
    yesterday?", "Why did Roger Federer lose the Dubai final to Ivan Ljubicic?") when the answer's leading quote
    has them the other way round ("Argentina's 2-1 defeat by Saudi Arabia", "Saudi Arabia beat Argentina"; new
    user 19), or Nones. Read as verification reads who beat whom (``_BEAT``, ``_beaten``, ``_winners``), and two
    ways a report of a match opens (new user 25): the question's two named, the first the quote names won when it
    tells a win and no loss ("Roger Federer added the Dubai Championship trophy to his long list of successes"),
    and a defeat handed to one ("Ireland consigned England to their third straight Six Nations defeat")."""
    m = _BEAT.search(asking)
    hit = m or _LOST_TO.search(asking)
    if hit is None:
        return None, None
    before = [w for w in re.findall(r"\b[A-Z][\w'’-]*", asking[: hit.start()]) if terms(w)]  # not "By", "Did"
    winner, loser = (" ".join(before), hit.group(1)) if m is not None else (hit.group(1), " ".join(before))
    won, lost = undotted(terms(winner)), undotted(terms(loser))
    if not lost or not won:
        return None, None
    # a lead's win in a part ("beat Lula in the southeast states") turns no question round that asks of the whole
    parts = bool(_IN_PART.match(asking, hit.end()))
    winners = _winners(lead, parts)
    beaten = _beaten(lead, parts) | undotted(terms(" ".join(h.group(1) for h in _HANDED_DEFEAT.finditer(lead))))
    if _WON.search(lead) and not _NOT_WON.search(lead):
        first = next((n for n in re.findall(r"\b[A-Z][\w'’-]*", lead) if undotted(terms(n)) & (won | lost)), None)
        winners |= undotted(terms(first)) if first else set()
    if (lost & winners or won & beaten) and not (won & winners or lost & beaten):
        return winner, loser
    return None, None


def _outcome_reversed(asking: str, lead: Sequence[str], rest: Sequence[str]) -> tuple[str | None, str | None]:
    """The outcome a question takes as given (``_other_outcome``, ``_change_reversed``, ``_kept_reversed``) and, in
    words, where the passages tell the opposite one: the answer's leading quote, else its other quotes or the cited
    articles (``rest``, read sentence by sentence), none of which may tell the question's own outcome; or Nones."""
    sentences = [text[a:b] for text in rest for a, b in split_sentences(text)]
    for texts, where in ((lead, "the answer's passage says"), ([*lead, *sentences], "the cited articles say")):
        for rule in (_other_outcome, _change_reversed, _kept_reversed):
            said, instead = rule(asking, texts)
            if said and instead:
                return said, f'{where} "{instead}"'
    return None, None


def _told_of(subject: set[str], text: str) -> bool:
    """Whether ``text`` tells of all the stems of ``subject``: as written, run together ("TimeWarner" tells of Time
    Warner, new user 27) or as another word of one root ("advisers" of an "advisory panel", new user 32)."""
    said = set(terms(text)) | set(terms(_CAMEL.sub(" ", text)))
    return all(w in said or (len(w) >= 5 and any(x[:5] == w[:5] for x in said)) for w in subject)


def _other_outcome(asking: str, texts: Sequence[str]) -> tuple[str | None, str | None]:
    """``_other_outcome_in`` over ``texts``: none tells the question's outcome, one the opposite."""
    found = next(((said, instead) for t in texts for said, instead in [_other_outcome_in(asking, t)] if said), None)
    return found if found and not any(_says_outcome(found[0], t) for t in texts) else (None, None)


def _says_outcome(said: str, text: str) -> bool:
    """Whether ``text`` tells the question's outcome ``said`` (a side of one of ``_OUTCOMES``)."""
    return any(a.search(said) and a.search(text) for one, other, _ in _OUTCOMES for a in (one, other))


def _other_outcome_in(asking: str, lead: str) -> tuple[str | None, str | None]:
    """What the question takes as the outcome ("vote down") and the opposite one the answer's leading quote tells
    instead ("passed"), or Nones: the quote must name what the question's outcome is of (its names, or the
    question's words before the outcome), say nothing of the question's own outcome, and for a vote be about a bill,
    law or the like."""
    for one, other, scope in _OUTCOMES:
        for a, b in ((one, other), (other, one)):
            said = a.search(asking)
            if said is None or b.search(asking) or a.search(lead) or (scope and not scope.search(asking + " " + lead)):
                continue
            instead = b.search(lead)
            if instead is None:
                continue
            # the question's subject, told in the quote: "the Senate", "Bob Chapek", "NFL owners" (of "Why did NFL
            # owners vote to reject the sale ...?" over "The ... sale ... was unanimously approved Tuesday by NFL owners")
            subject = re.sub(r"^\W*(?:why|how|when|where|what|who)\s+(?:did|does|do|has|have|had|is|was|were|are|will)\b"
                             r"|\bvot(?:e|es|ed|ing)\s+to\s*$", "", asking[: said.start()], flags=re.I)
            before = set(terms(subject))
            if not before or not _told_of(before, lead):
                continue  # "TimeWarner" tells of Time Warner (new user 27's "Why did Time Warner's profit fall 76%?")
            return said.group(0), instead.group(0)
    return None, None


# a measure's change of direction: what rose or fell, and which way ("Why did Time Warner's profits fall ...?" over
# "Quarterly profits at US media giant TimeWarner jumped 76%", new user 32). The measure must be what moved (the
# nearest before the verb, in its clause, or after "a rise in"): a fall of one measure beside a rise of another is
# no contradiction ("profits fell while sales rose")
_UP = (r"r(?:ise|ises|ose|isen|ising)|increas(?:e|es|ed|ing)|climb(?:s|ed|ing)?|jump(?:s|ed|ing)?|surg(?:e|es|ed|ing)|"
       r"soar(?:s|ed|ing)?|lea(?:p|ps|pt|ped|ping)|rocket(?:s|ed|ing)?|gr(?:ow|ows|ew|own|owing)|"
       r"(?:is|are|was|were)\s+up")
_DOWN = (r"f(?:all|alls|ell|allen|alling)(?!\s+short)|decreas(?:e|es|ed|ing)|drop(?:s|ped|ping)?|declin(?:e|es|ed|ing)|"
         r"plung(?:e|es|ed|ing)|slump(?:s|ed|ing)?|tumbl(?:e|es|ed|ing)|sl(?:ide|ides|id|iding)|s(?:ink|inks|ank|unk)|"
         r"dip(?:s|ped|ping)?|shr(?:ink|inks|ank|unk)|plummet(?:s|ed|ing)?|slip(?:s|ped|ping)?|"
         r"(?:is|are|was|were)\s+down")
_MOVE = re.compile(rf"\b(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\b", re.I)
_MEASURES = (r"profits?|earnings|revenues?|sales|income|turnover|loss(?:es)?|shares?|stocks?|prices?|costs?|rates?|"
             r"inflation|unemployment|output|exports?|imports?|demand|spending|valu(?:e|ation)s?|production|deficits?|"
             r"debts?|subscribers|users|customers|viewers|ratings|visitors|passengers|traffic|margins?|dividends?|"
             r"wages|"
             r"rents?|yields?|bookings|orders|deliveries|population|membership|attendance|enrol?ments?")
_MEASURE = re.compile(rf"\b(?:{_MEASURES})\b", re.I)
#: "a 76% jump in profits": the measure after its change
_CHANGE_IN = re.compile(rf"\b(?:{_UP}|{_DOWN})\s+in\s+(?:[\w'’%-]+\s+){{0,3}}?({_MEASURES})\b", re.I)
_CLAUSE = re.compile(r"[,;:()]|\b(?:while|whereas|but|although|though|as|after|before|and|which|that)\b", re.I)
_WHY_AUX = re.compile(r"^\W*(?:why|how|when)\s+(?:did|do|does|has|have|had|is|are|was|were|will)\s+", re.I)


def _changes(sentence: str) -> list[tuple[str, str, str]]:
    """The measures ``sentence`` says moved: (the measure's stem, "up" or "down", the verb as written). A verb with
    no measure in its clause goes on the one before it ("Stocks fell early on Monday, then rose"); a negated one
    says nothing ("profits did not fall")."""
    out: list[tuple[str, str, str]] = []
    for m in _MOVE.finditer(sentence):
        way = "up" if m.group("up") else "down"
        inside = _CHANGE_IN.match(sentence, m.start())
        clause = _CLAUSE.split(sentence[max(0, m.start() - 80) : m.start()])[-1]
        if re.search(r"\b(?:not|never|no)\b|n['’]t\b", clause, re.I):
            continue
        movers = list(_MEASURE.finditer(clause))
        if inside:
            measure = inside.group(1)
        elif movers and len(clause[movers[-1].end() :].split()) <= 6:
            measure = movers[-1].group(0)
        elif out and not clause.strip(" ,;:").split()[1:]:  # "..., then rose": one or no word of its own
            measure = out[-1][0]
        else:
            continue
        out.append(((terms(measure) or [measure.lower()])[0], way, m.group(0)))
    return out


def _change_reversed(asking: str, texts: Sequence[str]) -> tuple[str | None, str | None]:
    """The direction a question says a measure of its subject moved ("fall", of Time Warner's profits) and the
    opposite one a text tells of that measure of that subject ("jumped"), when no text tells the question's own
    direction of that measure (for its subject, or naming no one), nor is of another year than one asked; or Nones."""
    hit = _MOVE.search(asking)
    if hit is None or len(_MOVE.findall(asking)) > 1:
        return None, None
    asked = [c for c in _changes(asking) if c[2] == hit.group(0)]
    if not asked:
        return None, None
    measure, way, verb = asked[0]
    subject = set(terms(_WHY_AUX.sub("", asking[: hit.start()]))) - {measure}
    years = _asked_years(asking)
    found = None
    for text in texts:
        for stem, there, said in _changes(text):
            if stem != measure:
                continue
            named = not subject or _told_of(subject, text)
            if there == way and (named or not _NAME.search(text)):
                return None, None
            other_year = years and {y for y in _YEAR.findall(text)} - years and not set(_YEAR.findall(text)) & years
            if there != way and named and subject and not other_year:
                found = found or said
    return (verb, found) if found else (None, None)


# a contract the question says was given, where the passages say the person left ("Why did Fox News give Tucker
# Carlson a new contract this week?" over "Tucker Carlson leaving Fox News", new user 32): the person named beside
# the leaving, the employer named in the same text
_WHO = r"((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*)"
_KEPT = re.compile(rf"\b(?:(?:give|gives|gave|given|giving|offer(?:s|ed|ing)?|hand(?:s|ed|ing)?)\s+{_WHO}\s+an?\s+"
                   r"(?:(?:new|longer|lucrative|multi-?year|[\w$.-]+-year|long-term)\s+)*(?:contract|deal|extension)|"
                   rf"(?:renew(?:s|ed|ing)?|extend(?:s|ed|ing)?)\s+{_WHO}['’]s?\s+(?:contract|deal)|"
                   rf"re-?sign(?:s|ed|ing)?\s+{_WHO})")
_LEFT = re.compile(r"\b(?:leav(?:e|es|ing)|left|depart(?:s|ed|ing|ure)|exit(?:s|ed|ing)?|part(?:s|ed|ing)?\s+ways|"
                   r"fired|ousted|oust(?:s|ing)?|out\s+at|quit(?:s|ting)?|dismiss(?:es|ed|al)|let\s+go|sacked)\b", re.I)
_BREAK = re.compile(r"[.;:()!?]|\b(?:while|whereas|but|although|though)\b", re.I)  # a clause the leaving is not in
_STAYS = re.compile(r"\b(?:new\s+contract|extension|re-?sign(?:s|ed|ing)?|renew(?:s|ed|ing|al)?|extend(?:s|ed|ing)?)\b",
                    re.I)


def _kept_reversed(asking: str, texts: Sequence[str]) -> tuple[str | None, str | None]:
    """A contract the question says an employer gave or renewed, and the leaving a text tells of that person instead
    (within a clause of the person's name, the employer named too), when no text tells of a contract; or Nones."""
    hit = _KEPT.search(asking)
    if hit is None or any(_STAYS.search(t) for t in texts):
        return None, None
    who = re.sub(r"['’]s?$", "", next((g for g in hit.groups() if g), "")).split()
    employer = set(terms(_WHY_AUX.sub("", asking[: hit.start()])))
    if not who or not employer:
        return None, None
    first = rf"(?:{re.escape(' '.join(who[:-1]))}\s+)?" if len(who) > 1 else ""
    for text in texts:
        if not _told_of(employer, text):
            continue
        for name in re.finditer(rf"\b{first}{re.escape(who[-1])}\b", text):
            after = _LEFT.search(text, name.end(), name.end() + 60)
            before = ([None, *_LEFT.finditer(text, max(0, name.start() - 60), name.start())])[-1]
            for left, gap in ((after, text[name.end() : after.start()] if after else ""),
                              (before, text[before.end() : name.start()] if before else "")):
                # the leaving is the person's: no clause or other name between ("Hurts stayed after Miles Sanders left
                # the Eagles" tells no leaving of Hurts)
                if left and not _BREAK.search(gap) and not re.search(r"\b[A-Z]", gap) and len(gap.split()) <= 5:
                    return hit.group(0), left.group(0)
    return None, None


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")  # "TimeWarner" -> "Time Warner"

# a no-hitter the question has one side throw against the other, over a passage that has the first side held hitless
# ("Why did the Phillies throw a no-hitter against the Astros?" over "Javier pitched six no-hit innings, so dominating
# the Philadelphia Phillies ...": new user 30; the Astros' pitchers threw it)
_HITLESS = r"(?:no-hitter|perfect\s+game)"
_SIDE = r"([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
_THREW_AGAINST = re.compile(r"\b(?i:(?:throw|throws|threw|thrown|throwing|pitch|pitches|pitched|pitching|toss|tosses|"
                            rf"tossed)\s+(?:a|an|the|his|her|their|its)\s+(?:combined\s+|solo\s+)?({_HITLESS})\s+"
                            rf"(?:against|over|versus|vs\.?|on)|no-hit(?:s|ting)?)\s+(the\s+)?{_SIDE}")
#: the side held without a hit: "no-hit the Phillies", "dominating the Philadelphia Phillies", "a no-hitter against
#: the Phillies", "held the Phillies hitless", "the Phillies were no-hit"
_HELD = (re.compile(r"\b(?i:no-hit(?:s|ting)?|dominat(?:e|es|ed|ing)|(?:no-hitter|perfect\s+game|no-hit\s+innings?)\s+"
                    r"(?:against|over|versus|vs\.?|on))\s+" + _STANDING + _NAME_AFTER),
         re.compile(rf"\bheld\s+(?:the\s+)?{_SIDE}\s+hitless\b"),
         re.compile(rf"{_SIDE}\s+(?:was|were|had\s+been|have\s+been)\s+(?:no-hit|held\s+hitless)\b"))
_NO_HIT = re.compile(r"\bno-hit(?:s|ter|ters|ting)?\b|\bperfect\s+game\b|\bhitless\b", re.I)
#: the side that threw it: "the Astros threw a combined no-hitter", "the Astros' pitchers threw ..."
_THREW = re.compile(rf"{_SIDE}(?:['’]s?)?(?:\s+[a-z]+){{0,2}}?\s+(?:threw|throws|pitched|pitches|tossed|tosses)\b")


def _held_reversed(asking: str, lead: str) -> tuple[str | None, str | None]:
    """The no-hitter a question has one side throw against another ("the Phillies threw a no-hitter against the
    Astros") and that side, when the answer's leading quote tells of a no-hitter and has that side held without a hit
    ("dominating the Philadelphia Phillies"), never the other, and never has it throw (new user 30), or Nones."""
    hit = _THREW_AGAINST.search(asking)
    if hit is None or not _NO_HIT.search(lead):
        return None, None
    words = [w for w in re.finditer(r"\b[A-Z][\w'’-]*", asking[: hit.start()]) if terms(w.group(0))]
    doer = " ".join(w.group(0) for w in words)
    did, against = undotted(terms(doer)), undotted(terms(hit.group(3)))
    if not did or not against:
        return None, None
    held = undotted(terms(" ".join(h.group(1) for pattern in _HELD for h in pattern.finditer(lead))))
    threw = undotted(terms(" ".join(t.group(1) for t in _THREW.finditer(lead))))
    if not did & held or against & held or did & threw:
        return None, None
    the = "the " if re.search(r"\bthe\s+$", asking[: words[0].start()], re.I) else ""
    did_so = f"threw a {hit.group(1)} against" if hit.group(1) else "no-hit"
    return f"{the}{doer} {did_so} {hit.group(2) or ''}{hit.group(3)}", the + doer
# "Why did Gordon Brown apologise to ...?": who the question says did it, and what
_WHY_DID = re.compile(r"^\W*(?i:why)\s+(?i:did|does|do|has|have|had|will|would)\s+(?P<who>(?:[A-Z][\w'’-]*\s+){0,3}[A-Z][\w'’-]*)"
                      r"\s+(?P<verb>[a-z]+)\b")
_DOER = re.compile(r"(?P<who>(?:[A-Z][\w'’-]*\s+){0,3}[A-Z][\w'’-]*)\s+(?:has\s+|had\s+|have\s+)?(?P<verb>[a-z]+)\b")


def _other_doer(asking: str, lead: str) -> tuple[str | None, str | None]:
    """Who a why-question says did something ("Why did Gordon Brown apologise to the Guildford Four families?") and
    the one other name the answer's leading quote says did it instead ("Tony Blair has apologised to two families"),
    when the quote never names the question's (new user 27), or Nones."""
    m = _WHY_DID.match(asking)
    if m is None or not (verb := terms(m.group("verb"))):
        return None, None
    named = set(terms(m.group("who")))
    if not named or named & set(terms(lead)):
        return None, None
    others = {d.group("who") for d in _DOER.finditer(lead) if terms(d.group("verb")) == verb
              and d.group("who").split()[0].lower() not in STOPWORDS}
    return (m.group("who"), others.pop()) if len(others) == 1 else (None, None)


_ON_DAY = re.compile(r"\bon\s+(" + "|".join(WEEKDAYS) + r")\b", re.I)
_DAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I)


def _other_day(asking: str, lead: str) -> tuple[str | None, str | None]:
    """The weekday the question puts its fact on ("Why did Trump announce his 2024 campaign on Monday night?") and
    the one other weekday the answer's leading quote names instead ("... announced Tuesday night"), or Nones: no
    day asked, the quote names that day too, none or several others (new users 18 and 19: wrong days passed)."""
    asked = {m.group(1).capitalize() for m in _ON_DAY.finditer(asking)}
    said = {m.group(1).capitalize() for m in _DAY.finditer(lead)}
    if len(asked) != 1 or asked & said or len(said) != 1:
        return None, None
    return asked.pop(), said.pop()


_WHICH_PLACE_NOUN = re.compile(r"\b(?:which|what)\s+((?:[A-Z][\w'’.-]*\s+){1,3})[a-z]+", re.I)


def _other_place(asking: str, text: str) -> tuple[str | None, str | None]:
    """The one country or US state the question names ("Which Florida store sold the winning ticket?") and the
    one place of that sort the cited passages name instead, never naming it or a place holding it ("... sold in
    Altadena, California"), or Nones."""
    described = _WHICH_PLACE_NOUN.search(asking)  # the thing asked is said to be of the place
    asked = places_in(described.group(1)) if described else set()
    if len(asked) != 1:
        return None, None
    place = asked.pop()
    said = places_in(text, inside_names=True)
    if any(_same_place(place, p) for p in said) or _names_place(place, text, fold(text)):
        return None, None
    others = {p for p in said if (p in US_STATES) == (place in US_STATES)}
    if len(others) != 1:
        return None, None
    return _place_label(place), _place_label(others.pop())


# a post of a country or state: "prime minister of Australia", "New Zealand Prime Minister", "Florida's governor"
_STATE_POST = r"(?i:prime\s+minister|president|premier|chancellor|governor|foreign\s+minister|finance\s+minister)"
_PLACE_RUN = r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}"
_POST_OF = re.compile(rf"\b({_STATE_POST})\s+of\s+(?:the\s+)?({_PLACE_RUN})")
_PLACE_POST = re.compile(rf"\b({_PLACE_RUN}?)(?:['’]s)?\s+({_STATE_POST})\b")


def _state_posts(text: str) -> set[tuple[str, str]]:
    """The (post, country or state) pairs ``text`` names: ("prime minister", "australia")."""
    out = set()
    for post, where in ([(m.group(1), m.group(2)) for m in _POST_OF.finditer(text)]
                        + [(m.group(2), m.group(1)) for m in _PLACE_POST.finditer(text)]):
        for place in places_in(where, inside_names=True):
            out.add((re.sub(r"\s+", " ", post.lower()), place))
    return out


def _other_post_place(asking: str, text: str) -> tuple[str | None, str | None]:
    """The post of a place the question gives someone ("Why did Jacinda Ardern resign as prime minister of
    Australia?") and the place the cited passages give that post instead, never this one ("New Zealand Prime
    Minister Jacinda Ardern", new user 22: no notice), as (what the question says, what the passages say)."""
    asked = _state_posts(asking)
    if len(asked) != 1:
        return None, None
    post, place = next(iter(asked))
    told = _state_posts(text)
    others = {p for q, p in told if q == post and p != place and (p in US_STATES) == (place in US_STATES)}
    if (post, place) in told or len(others) != 1:
        return None, None
    return f"{post} of {_place_label(place)}", f"{post} of {_place_label(others.pop())}"


# "in Stockholm", "at the Tokyo International Film Festival", "in Berlin": where a question puts its fact
_LOCATED = re.compile(r"\b(?:in|at)\s+(?:the\s+)?([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)")
_DEMONYM_LIKE = re.compile(r"(?:an|ese|ish|ic)$")  # "American", "Chinese", "British", "Arctic": an adjective
_FEASTS = frozenset({"christmas", "easter"})  # times, as weekdays and months are ("in Feb 2010", ``is_calendar``)


def _is_time(name: str) -> bool:
    """Whether a capitalised phrase after "in"/"at" opens with a time, not a place ("in Feb 2010", "at Christmas")."""
    first = re.split(r"[\s-]", name)[0]  # "October-to-December" (new user 27's quarter read as a place)
    return is_calendar(first) or first.lower() in _FEASTS


# a name the question gives: capitalised words in a row ("British Airways", "Roger Federer", "Qantas"), not a
# question word, a day or month, a people's adjective ("the Irish drugmaker") or a title before a name
_NAME_WORDS = re.compile(r"[A-Z][\w&-]*(?:['’](?!s\b)[A-Za-z]+)?(?:\s+(?:of\s+|&\s+)?[A-Z][\w&-]*(?:['’](?!s\b)[A-Za-z]+)?)*")
_TITLE_WORD = re.compile(r"(?:President|Prime|Minister|Chancellor|Secretary|King|Queen|Prince|Princess|Pope|Mr|Mrs|Ms|"
                         r"Dr|Sir|Lord|Lady|Gov|Governor|Senator|Sen|Rep|CEO|Chief|Judge|Coach|Captain|Former|"
                         r"General|Gen|Saint|St)\.?$")


def subject_names(question: str) -> tuple[tuple[str, ...], ...]:
    """The names whose fact a question asks (each as its words): what an article answering it must name too. A
    name after an auxiliary ("did Qantas carry"), after "of"/"for"/"by" ("the chief executive of British Airways")
    or owning something ("BA's chief executive"); not one of context ("at the Athens Games", "since Tokyo
    started"), a place (``Premises`` reads those), a people ("the Irish drugmaker", "Brits"), nor a name
    describing the one asked ("Which Ivy League university ...?": the answer's article need not say so).

    >>> subject_names("How many passengers did Qantas carry in the six months to December?")
    (('Qantas',),)
    >>> subject_names("Who is the chief executive of British Airways?"), subject_names("Which Irish firm fell?")
    ((('British', 'Airways'),), ())
    >>> subject_names("Roger Federer retired. How many titles did President Joe Biden's rival win?")
    (('Roger', 'Federer'), ('Joe', 'Biden'))
    >>> subject_names("Which Ivy League university cut its fees in the U.S. and Iran?")
    ()
    """
    out = []
    for m in _NAME_WORDS.finditer(question):
        words = [w for w in re.split(r"\s+(?:of\s+|&\s+)?", m.group(0).strip()) if w]
        words = [re.sub(r"['’]s$", "", w) for w in words]
        if words and words[0].lower() in ("which", "what"):
            continue  # "Which Ivy League university", "What NBA team": the one asked, described
        while words and (words[0].lower() in STOPWORDS or _TITLE_WORD.match(words[0]) or is_calendar(words[0])):
            words.pop(0)
        if not words or re.match(r"(?:which|what)\s+(?:the\s+)?$", question[max(0, m.start() - 11) : m.start()], re.I):
            continue
        if len(words) == 1 and m.group(0) == words[0] and re.search(r"(?:^|[.?!:]\s+)\W*$", question[: m.start()]):
            continue  # "Due to the rising cost of living ...": a sentence's first word, capitalised as such
        before, after = question[max(0, m.start() - 40) : m.start()], question[m.end() :]
        if not (_OWNER_BEFORE.search(before) or _OWNER_AFTER.match(after)):
            continue  # "at the Athens Games", "since Tokyo started ...": context, not whose fact is asked
        name = " ".join(words).lower().strip(".")
        if (len(words) == 1 and (is_calendar(words[0]) or name in STOPWORDS or name in _PEOPLES)) \
                or name in ("new year", "christmas day", "new year's day"):
            continue
        if name in PLACES or name.replace(".", "") in PLACES or name.rstrip("s") in DEMONYM_PLACES or is_demonym(name):
            continue
        out.append(tuple(words))
    return tuple(dict.fromkeys(out))


# a name whose fact the question asks: after an auxiliary ("did Qantas carry", "is Time Warner's"), a post or a
# thing "of" it ("the chief executive of British Airways"), or owning it ("BA's chief executive")
_OWNER_BEFORE = re.compile(r"(?:\b(?:did|does|do|has|have|had|is|was|are|were|will|would|can|could)\s+(?:the\s+)?|"
                           r"\b(?:of|for|by)\s+(?:the\s+)?|^\W*)$", re.I)
_OWNER_AFTER = re.compile(r"['’]s?\s")
_PEOPLES = frozenset({"brits", "yanks", "aussies", "kiwis", "u", "u.s", "u.k", "us", "uk", "eu", "un"})


def names_any(names: Sequence[tuple[str, ...]], text: str) -> bool:
    """Whether ``text`` names one of ``names`` (``subject_names``): by its last word ("Biden" for Joe Biden,
    "Airways"), its initials ("BA" for British Airways) or its words run together ("TimeWarner")."""
    said = set(terms(text)) | set(terms(text.replace("-", " ")))
    for words in names:
        last = terms(words[-1])
        if (last and last[-1] in said) or (len(words) > 1 and re.search(
                rf"\b(?:{re.escape(''.join(w[0] for w in words))}|{re.escape(''.join(words))})\b", text)):
            return True
    return False


@dataclass(frozen=True)
class Premises:
    """What ``contradicts`` reads of a question: the years it asks about, the quantities it gives when
    a name, place or choice is asked, and the men's or women's event it names."""

    years: frozenset[str]
    quantities: tuple[tuple[str, tuple[str, str]], ...]
    sex: str | None
    written: Mapping[str, str] = field(default_factory=dict)  # each quantity's number as the question writes it
    # those of the sentence that asks ("Where was the ticket for the $1.5 billion jackpot sold?"), not of a
    # sentence of context before it ("A record $3.8 billion ... was stolen last year. ... hackers linked to
    # which country?": an article on one theft of $400 million answers it): compared at their scale, and
    # with all an article's passages say (``quantity_contradicted_by``)
    asked: tuple[tuple[str, tuple[str, str]], ...] = ()
    places: frozenset[str] = frozenset()  # the countries and US states a question asking a figure names (``places_in``)
    located: tuple[str, ...] = ()  # the places its asking sentence puts its fact in ("in Stockholm", ``_LOCATED``)

    @classmethod
    def of(cls, question: str) -> Premises:
        quantities: tuple[tuple[str, tuple[str, str]], ...] = ()
        if _ASKS_WHO.search(question) and answer_type(question) != "number":
            # a name, place or choice asked ("Where was the $1.3 billion ticket sold?"); a figure asked may
            # share the premise's unit ("A year before rates topped 7%, what was the average?": 3.14%)
            quantities = tuple((n, u) for n, u in _quantities(question) if u[1] and not _YEAR.fullmatch(n))
        sexes = {m.group(1).lower() for m in _SEX.finditer(question)}
        written = _as_written(question)
        in_asking = set(_quantities(asking_sentence(question) or question))
        return cls(frozenset(_asked_years(question)), quantities, sexes.pop() if len(sexes) == 1 else None, written,
                   tuple(x for x in quantities if x in in_asking),
                   # only where a figure is asked: in a question asking for a name the place may be context of
                   # another one ("Which country granted Snowden citizenship, nine years after fleeing the US?")
                   frozenset(places_in(question)) if answer_type(question) == "number" else frozenset(),
                   # the same for a place named after "in"/"at" ("in Stockholm"), not a possessive ("in London's
                   # black cabs": the cabs) nor a people's adjective ("at American cinemas"), which the article
                   # may write otherwise or in a passage not retrieved (as a premise of any question it cost the
                   # BBC paraphrase suite 0.767 -> 0.727 containment: "Germany" written "German", "Oxford's ...")
                   tuple(dict.fromkeys(m.group(1) for m in _LOCATED.finditer(asking_sentence(question) or question)
                                       if not _is_time(m.group(1)) and not re.search(r"['’]s?$", m.group(1))
                                       and not _DEMONYM_LIKE.search(m.group(1))))
                   if answer_type(question) == "number" else ())

    def contradicted_by(self, sentence: str) -> str | None:
        """What in ``sentence`` gives one of these premises another value, in words, or None."""
        if self.years:
            named = {m.group(1) for m in _YEAR.finditer(sentence)}
            if named and not named & self.years:
                return f"it is about {', '.join(sorted(named))}, not {', '.join(sorted(self.years))}"
        for number, unit in self.quantities:
            if _other_quantity(number, unit, sentence, scaled=(number, unit) in self.asked):
                return f"it gives another figure than the {self.written.get(number, number)} asked about"
        if self.sex:
            said = {m.group(1).lower() for m in _SEX.finditer(sentence)}
            if said and self.sex not in said:
                return f"it is about the {said.pop()}'s event, not the {self.sex}'s"
        return None

    def place_contradicted_by(self, sentence: str, article: str) -> str | None:
        """A sentence about another country or US state than the question's, of an article (``article``:
        what its passages say) that never names the question's: "How many people died when Hurricane Ian
        hit Texas?" over "Ian also swept through Cuba earlier this week, killing three people" (new user
        10). A place that holds or is held by the question's (the US for Texas) is no other place."""
        if not self.places:
            return None
        told = places_in(article, inside_names=True)
        # a sentence naming no place is of its article's ("The 12,575 cafes were shut ..." in an article on
        # China's crackdown, for "How many net cafes did India close?"; new user 13), and then an article
        # naming the question's place may hold its figure anywhere; a sentence naming only other places is
        # about them wherever its article goes on to ("How many people did Hurricane Ian kill in North
        # Carolina?" over "... after killing at least 45 people in Florida", of an article on the Carolinas)
        named = places_in(sentence)
        said = named or told
        if not said or said & self.places or (not named and told & self.places):
            return None
        # a place the sentence names answers for the question's when it is that place or part of it; the whole
        # that holds it states the whole's figure ("at least 109 people have been reported killed by the
        # hurricane in the United States, with 105 of those deaths in Florida" for North Carolina's toll); a
        # place only the article names may hold the question's anywhere in it
        if any((_within(a, b) if named else _same_place(a, b)) for a in said for b in self.places):
            return None
        return f"it is about {', '.join(sorted(_place_label(x) for x in said))}, not " \
               f"{', '.join(sorted(_place_label(x) for x in self.places))}"

    def article_contradicts(self, article: str) -> str | None:
        """What an article's retrieved text (``article``: its title and passages) says against a figure question
        beyond one sentence: it never names the place the question puts its fact in ("How many cash machines in
        the UK run on Windows?" over an article on US machines), nor another form of it ("German" names Germany,
        "the US" America). (The same for a year the article never names was tried and dropped: the passages
        retrieved are part of an article, and one on 2004's results may name only 2005's forecast there.)"""
        folded = fold(article)
        # a place is named by its first word, or a form of it ("German" names Germany): "Tokyo International
        # Film Festival" is not named by an article on Bangkok's festival
        missing = [p for p in self.located if not any(_names_place(form, article, folded) for form in _place_forms(p))]
        if missing:
            return f"it never names {', '.join(missing)}"
        return None

    def quantity_contradicted_by(self, text: str) -> str | None:
        """The quantities of the asking sentence alone (``asked``), read in ``text``: all an article's passages say
        (``rag.extractive``: "Where was the winning ticket for the $1.5 billion Powerball jackpot sold?" was
        answered "Maryland" from a sentence stating no amount, of an article about a $730 million jackpot
        that never states $1.5 billion, new user 10)."""
        for number, unit in self.asked:
            if _other_quantity(number, unit, text):
                return f"it gives another figure than the {self.written.get(number, number)} asked about"
        return None
