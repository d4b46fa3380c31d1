"""Text primitives shared by the index, the answerers and the evaluator: one definition each.

* words: ``terms`` (content-word porter stems, what the evidence scorer and the verifier compare)
  and ``query_words`` (the words of a lexical FTS5 query),
* stopwords: ``STOPWORDS`` (scoring) and its subset ``LEXICAL_STOPWORDS`` (left out of FTS queries),
* sentences: ``split_sentences``, exact character spans (``text[s:e]`` is the sentence),
* ``[n]`` citation markers: ``MARKER`` and helpers to read, strip and split at them,
* question types: ``answer_type`` (what kind of thing answers it) and ``question_kind`` (its
  question word, for the evaluator's per-kind breakdown).

Light on purpose (``re`` and the standard library; PyStemmer is imported on the first ``terms``):
the chunker, the CLI and the evaluator all import it.

>>> text = "Mr. Smith went to Washington. He arrived at 5 p.m. on Monday! Did he stay?"
>>> [text[s:e] for s, e in split_sentences(text)]
['Mr. Smith went to Washington.', 'He arrived at 5 p.m. on Monday!', 'Did he stay?']
>>> marker_numbers("Rebels took Khansir [1]. Four died [2, 3].")
[1, 2, 3]
>>> strip_markers("Rebels took Khansir [1].")
'Rebels took Khansir.'
>>> answer_type("How many people were killed?"), question_kind("How many people were killed?")
('number', 'how many')
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence

# --- stopwords -------------------------------------------------------------------------------------

#: Left out of lexical (FTS5/BM25) queries: function words (and news' ubiquitous "said") sit in most
#: chunks, so their BM25 weight is ~0 while their posting lists are the longest: "the" alone made a
#: BBC query 4x slower, and it grows linearly with the collection. Deliberately smaller than
#: ``STOPWORDS``: with the full list ("one", "name", "called", "many", "during", ...) left out of the
#: query as well, ``ArticleDB.lexical``'s top 5 changed for 1,748 of the 10,570 SQuAD v1.1 dev
#: questions over their 48 articles (the top 30's order for 3,242; measured for issue 9, Nov 2026),
#: so the two stay apart until a retrieval eval says which is better.
LEXICAL_STOPWORDS = frozenset(
    """a about after all also an and any are as at be been but by can could did do does for from had has
    have he her his how i if in into is it its me my no not of on or our she so than that the their them
    then there these they this those to was we were what when where which who whom why will with would
    you your said says say""".split()
)
#: Words that say nothing about which sentence answers a question (the evidence scorer, the
#: verifier's claim/sentence overlap, follow-up rewriting): the lexical list plus the rest of the
#: common English function words and question filler ("name", "called", "type", "kind").
STOPWORDS = LEXICAL_STOPWORDS | frozenset(
    """above again against am because before being below between both doing down during each few
    further having here hers herself him himself itself just more most myself nor now off once only
    other ours ourselves out over own same should some such through too under until up very while
    yours yourself yourselves according many much one name named called type kind s t don ’s 's
    theirs themselves""".split()
)

# --- words and stems -------------------------------------------------------------------------------

#: a word: letters/digits of any script (Москва, Αθήνα, straße), inner apostrophes, dots and hyphens;
#: on ASCII text the same words as ``[A-Za-z0-9][A-Za-z0-9'’.-]*[A-Za-z0-9]``. A run of CJK characters
#: is one word, as FTS5's unicode61 tokenizer reads it, so IDF lookups hit.
WORD = re.compile(r"[^\W_](?:(?:[^\W_]|['’.-])*[^\W_])?")
#: a word written in lower case (a common word, not a name: "shares" beside "Shares in Exel ...")
LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*")
#: a word of a lexical query: any script (FTS5's unicode61 tokenizer reads them all)
QUERY_WORD = re.compile(r"[\w’']+", re.UNICODE)
#: scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, kana, CJK): one
#: character of them is counted as a word, and a short text in them is a sentence, not a name
UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
UNSPACED_CHAR = re.compile(f"[{UNSPACED}]")
_COUNTED_WORD = re.compile(f"[{UNSPACED}]|[^\\s{UNSPACED}]+")


def word_count(text: str) -> int:
    """Words of ``text``: runs between spaces, and a character each in ``UNSPACED`` scripts (a Chinese
    article is not "12 words", its paragraphs).

    >>> word_count("Ferry crews walked out"), word_count("渡轮罢工。")
    (4, 5)
    """
    return len(_COUNTED_WORD.findall(text))

_PORTER = threading.local()  # a PyStemmer instance has internal state: one per thread


# irregular past forms, read as their verb by ``verb_terms``: the stemmer leaves "lost" and "lose", "bought" and
# "buy" apart, so "How many did it lose?" shares no word with "It lost 464,000 subscribers" (new user 10; questions
# ask in the present, news reports in the past). Only forms that are rarely another word: "left", "rose", "found",
# "saw", "bit", "lent" (a direction, a flower, a verb of their own, a tool, "a bit", Lent) are left out. Not in
# ``terms`` itself: read there (every coverage the fitted models score), it moved the eval figures both ways
# within a few questions (BBC short answers +2, held-out containment -2, SQuAD -2; Nov 27 2026)
IRREGULAR_PAST = {
    "lost": "lose", "bought": "buy", "sold": "sell", "paid": "pay", "told": "tell", "took": "take", "taken": "take",
    "gave": "give", "given": "give", "wrote": "write", "written": "write", "went": "go", "gone": "go",
    "came": "come", "became": "become", "began": "begin", "begun": "begin", "brought": "bring", "fled": "flee",
    "stole": "steal", "stolen": "steal", "struck": "strike", "chose": "choose", "chosen": "choose",
    "fought": "fight", "caught": "catch", "sought": "seek", "thought": "think", "taught": "teach", "knew": "know",
    "known": "know", "grew": "grow", "grown": "grow", "threw": "throw", "thrown": "throw", "flew": "fly",
    "flown": "fly", "withdrew": "withdraw", "withdrawn": "withdraw", "sank": "sink", "sunk": "sink",
    "drove": "drive", "driven": "drive", "ate": "eat", "eaten": "eat", "froze": "freeze", "frozen": "freeze",
    "spoke": "speak", "spoken": "speak", "broke": "break", "broken": "break", "swore": "swear", "sworn": "swear",
    "hid": "hide", "hidden": "hide", "bitten": "bite", "forgave": "forgive", "forgiven": "forgive",
    "overtook": "overtake", "overtaken": "overtake", "undertook": "undertake", "built": "build", "spent": "spend",
    "sent": "send", "meant": "mean", "kept": "keep", "slept": "sleep", "wept": "weep",
    "held": "hold", "fell": "fall", "fallen": "fall", "ran": "run", "won": "win",
}


def _porter(word: str) -> str:
    stemmer = getattr(_PORTER, "stemmer", None)
    if stemmer is None:
        # PyStemmer (Snowball's C "porter") is the original algorithm, as FTS5's porter tokenizer, so
        # IDF lookups hit (identical to nltk's ORIGINAL_ALGORITHM on 45,624 BBC and SQuAD terms);
        # importing nltk pulled in scipy, sklearn and pandas: over a second of every `rag ask`
        import Stemmer

        stemmer = _PORTER.stemmer = Stemmer.Stemmer("porter")
    return stemmer.stemWord(word)


@functools.lru_cache(maxsize=1)
def _stemmer() -> Callable[[str], str]:
    return functools.lru_cache(maxsize=200_000)(_porter)


def fold(text: str) -> str:
    """Lowercase without diacritics (Gospić -> gospic), as FTS5's unicode61 tokenizer folds them."""
    text = text.lower()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def terms(text: str) -> list[str]:
    """Content-word stems of ``text`` (lowercased, diacritics folded, ``STOPWORDS`` out), in order.

    >>> terms("The rebels captured Khansir's centre.")
    ['rebel', 'captur', 'khansir', 'centr']
    """
    stem = _stemmer()
    out = []
    for w in WORD.findall(fold(text)):
        w = w.replace("’", "'").rstrip(".").removesuffix("'s")
        if w and w not in STOPWORDS:
            out.append(stem(w))
    return out


def verb_terms(text: str) -> set[str]:
    """``terms`` with irregular past forms read as their verb (``IRREGULAR_PAST``: "lost" is "lose")."""
    return set(terms(" ".join(IRREGULAR_PAST.get(w, w) for w in WORD.findall(fold(text)))))


def undotted(stems: Iterable[str]) -> set[str]:
    """Stems with their dots dropped, so "US" and "U.S." (and "UK", "U.K.") are one name."""
    return {t.replace(".", "") for t in stems}


def query_words(query: str) -> list[str]:
    """The words of a lexical query: lowercased, one-letter words (not digits) and
    ``LEXICAL_STOPWORDS`` out; a query of only stopwords keeps them (it must still match something).

    >>> query_words("Who is the president of France?")
    ['president', 'france']
    >>> query_words("Who is it?")
    ['who', 'is', 'it']
    """
    words = [w for w in QUERY_WORD.findall(query.lower()) if len(w) > 1 or w.isdigit()]
    return [w for w in words if w not in LEXICAL_STOPWORDS] or words


# --- sentences -------------------------------------------------------------------------------------

# Our own rules, not pysbd or nltk punkt: measured for issue 9 (Nov 2026) on 200 BBC articles
# (random.Random(7) over the sorted bbc/*/*.txt; 470k characters, ~4,000 sentences), each splitter
# applied line by line as here and compared by sentence end offsets:
# * punkt (nltk ``span_tokenize``, the English model llama-index-core ships) finds every boundary we
#   find and 15 more: ~4 real ("Warner Bros. However", "3.7m/h. Its") and ~10 wrong cuts before a
#   lower-case attribution ('advisers?" | he said.'). It takes 0.12 s against our 0.04 s, and
#   importing nltk costs 1.1 s per process (every `rag` command would pay it). Before the "glued"
#   rule in ``is_abbreviation`` it found 16 more real ends we missed ("the 1990s. One", "£120m. He",
#   "Mr Taylor's. We"); that rule added 138 boundaries over all 2,225 BBC articles and 28 over the
#   2,067 SQuAD dev contexts, removed none, and every added one reads as a real sentence end.
# * pysbd (``char_span=True``) disagrees on ~400 boundaries, mostly wrongly: its spans end before a
#   closing quote ('unlawful.|"') and it misses plain ones ('rival Taiwan. Beijing says'); 2.3 s.

#: Words after which a period does not end a sentence ("Sens." and "Reps.": "Democrats could count on only four:
#: Sens. Susan Collins ..." was cut at "Sens", new user 14).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov govs sen sens rep reps rev hon pres
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun inc ltd co corp bros vs etc approx
    dept est fig no nos vol pp al e.g i.e a.m p.m u.s u.k u.n e.u""".split()
)
# A candidate boundary: terminal punctuation (plus closing quotes/brackets), whitespace, then
# something that can start a sentence.
# (a sentence in Chinese, Japanese or Korean may follow one in English: "... a new kitchen. 「とても嬉しい」")
# Capitals beyond A-Z count too: "Il est venu. Élodie est partie.", Greek and Cyrillic ("... заявил. Зеленский ...")
_CAPITALS = "".join(re.escape(chr(c)) for c in range(0xC0, 0x530) if chr(c).isupper())
_BOUNDARY = re.compile(rf"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[「『（【]?[A-Z0-9{_CAPITALS}\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF])")
# Scripts whose sentences do not end in ". X": CJK full stops and marks (no space follows them),
# Devanagari/Bengali danda, Arabic/Urdu full stop and question mark, Ethiopic, Armenian, Myanmar,
# Khmer, Tibetan; and Thai/Lao, which mark sentence ends with a space between two letters.
_CLOSERS = "\"'”’)\]」』）】〕》〉"
_SCRIPT_BOUNDARY = re.compile(
    rf"[。！？｡︒︕︖]+[{_CLOSERS}]*"
    rf"|[।॥۔؟።፧։၊။។៕།][{_CLOSERS}]*"
    r"|(?<=[\u0E00-\u0EFF])(?=[ \t\u00A0]+[\u0E00-\u0EFF])"
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def is_abbreviation(text: str, dot: int) -> bool:
    """Whether the "." at ``text[dot]`` closes an abbreviation or initial ("Dec. 8", "J. K.", "U.S.")
    rather than a sentence."""
    # only the few characters before the dot matter: searching from 0 made long lines quadratic
    m = _WORD_BEFORE.search(text, max(0, dot - 64), dot)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    # single initials ("J. K. Rowling") and dotted acronyms ("U.S.") do not end sentences; a letter
    # glued to a letter, digit, apostrophe or hyphen ("1990s", "£120m", "Taylor's", "Kraków",
    # "Liberty-X") is the end of a longer word, not an initial
    glued = m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "'’-")
    return (len(word) == 1 and not glued) or ("." in word and len(word) <= 5)


_OPENING_QUOTES = "\"“‘'«„"


def open_quote(text: str) -> str | None:
    """The mark that would close a double quotation ``text`` opens and leaves open (``”`` or ``"``), or None.

    >>> open_quote('Carroll added: "When I wrote about it, he denied it.'), open_quote('He said "no."')
    ('"', None)
    """
    if text.count("“") > text.count("”"):
        return "”"
    return '"' if text.count('"') % 2 == 1 else None


def quoted(text: str) -> str:
    """``text`` in quotation marks, as a quote is shown; a sentence that opens with its own quotation mark is
    shown as it stands ("“An announcement will be made ...,” Moore County Schools said" had two opening marks,
    new user 14).

    >>> quoted("Rebels took Khansir."), quoted("“We will rebuild,” he said.")
    ('“Rebels took Khansir.”', '“We will rebuild,” he said.')
    """
    return text if text.startswith(tuple(_OPENING_QUOTES)) else f"“{text}”"


def strip_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` narrowed to leave out surrounding white space; None when it is all space."""
    seg = text[start:end]
    stripped = seg.strip()
    if not stripped:
        return None
    lead = len(seg) - len(seg.lstrip())
    return start + lead, start + lead + len(stripped)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` over ``text``, white space trimmed; line breaks always end
    a sentence. ``text[s:e]`` is exactly the sentence (the chunker stores these article offsets).

    Latin-style ends (". Next") and the sentence punctuation of other scripts both count:

    >>> text = "北京今天下雨。明天会晴吗？会的！"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['北京今天下雨。', '明天会晴吗？', '会的！']
    >>> text = "It will pay for a new kitchen. 「とても嬉しいです」と彼女は言った。"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['It will pay for a new kitchen.', '「とても嬉しいです」と彼女は言った。']
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        ends = [m.end() for m in _BOUNDARY.finditer(line)
                if not (line[m.start()] == "." and m.end() - m.start() == 1 and is_abbreviation(line, m.start()))]
        ends += [m.end() for m in _SCRIPT_BOUNDARY.finditer(line)]
        cut = 0
        for end in sorted(set(ends)):
            if end > cut:
                _add(spans, strip_span(text, line_start + cut, line_start + end))
                cut = end
        _add(spans, strip_span(text, line_start + cut, line_start + len(line)))
    return spans


def _add(spans: list[tuple[int, int]], span: tuple[int, int] | None) -> None:
    if span is not None:
        spans.append(span)


# --- [n] citation markers --------------------------------------------------------------------------

_MARKER_BODY = r"\d+(?:\s*,\s*\d+)*"
#: ``[1]``, ``[1, 3]``: the citation markers answers carry; group 1 holds the numbers
MARKER = re.compile(rf"\[({_MARKER_BODY})\]")
#: a run of markers with the white space before each: " [1] [2, 3]"
MARKER_RUN = re.compile(rf"(?:\s*\[{_MARKER_BODY}\])+")
#: every marker style an LLM writes: ``[1]``, ``[1, 2]``, ``[1-3]``, ``[1; 2]``, ``【1】``,
#: ``【1†source】`` (with the white space before it)
ANY_MARKER = re.compile(r"\s*(?:\[\s*\d+(?:\s*[,;\-–]\s*\d+)*\s*\]|【[^】]{0,30}】)")
_MARKER_WITH_SPACE = re.compile(rf"\s*\[{_MARKER_BODY}\]")
_SEGMENT = re.compile(rf"(.*?)({MARKER_RUN.pattern})", re.S)


def marker_numbers(text: str) -> list[int]:
    """The numbers of the ``[n]`` markers in ``text``, in order (repeats kept)."""
    return [int(n) for m in MARKER.finditer(text) for n in m.group(1).split(",")]


def strip_markers(text: str, *, any_style: bool = False) -> str:
    """``text`` without its ``[n]`` markers and the white space before them (``any_style``: also
    ranges, semicolons and ``【n】``, what an LLM may have written)."""
    return (ANY_MARKER if any_style else _MARKER_WITH_SPACE).sub("", text)


def marked_segments(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """``text`` cut after each run of markers into ``(text before the run, its numbers)``; text
    after the last run carries no marker and is left out.

    >>> marked_segments("Rebels took Khansir [1]. Four died [2][3]. Unmarked.")
    [('Rebels took Khansir', (1,)), ('. Four died', (2, 3))]
    """
    return [(m.group(1).strip(), tuple(marker_numbers(m.group(2)))) for m in _SEGMENT.finditer(text)]


# --- question types --------------------------------------------------------------------------------

#: "What might Euronext bid?", "What did Time Warner earn in 2003?": an amount paid, offered or earned (new user 27's
#: follow-up "And what might Euronext bid?" was answered with no figure); a number asked, and money
#: (``rag.short_answer.asks_money``)
WHAT_PAID = (r"\bwhat\s+(?:did|does|do|will|would|might|could|may|is|are|was|were)\s+(?:[\w'’&.-]+\s+){1,4}?"
             r"(?:bid|offer|offering|pay|paying|charge|charging|spend|earn|earning|raise|fetch|cost)\b"
             r"(?!\s+(?:for|to|on|with)\s*\?)(?=\s*(?:[?.]|$)|\s+(?:for|in|last|this|next|per|a|an|each|every)\b)")
#: "What is the ...", "What was Time Warner's ...": a what-question about a thing of someone's, read by ``ASKS_NUMBER``
#: for a figure and by ``rag.short_answer.asks_money`` for money
WHAT_IS_WHOSE = (r"\bwhat\s+(?:is|was|are|were|will\s+be)\s+"
                 r"(?:(?:the|its|their|his|her)\s+|(?:[\w’'&.-]+\s+){0,3}?[\w’'&.-]+?['’]s\s+)")
#: asks for a quantity; "What was Time Warner's full-year profit?", "What is the current average rate ...?" too
#: (new user 27's figure questions asked with "what" were answered with sentences stating no figure)
ASKS_NUMBER = re.compile(
    r"\bhow (many|much|long|old|far|big|large|tall|often|high|deep|wide)\b"
    r"|\bwhat (percentage|percent|number|amount|proportion|fraction)\b"
    rf"|{WHAT_IS_WHOSE}"
    r"(?:(?!of\b|for\b|behind\b|about\b|reason\b|cause\b|name\b|when\b|which\b|that\b|who\b|where\b|if\b)"
    r"[\w'’-]+\s+){0,3}?"
    r"(?:profits?|loss(?:es)?|revenues?|sales|prices?|costs?|salary|salaries|turnover|earnings|income|fines?|deficit|"
    r"debts?|toll|population|rates?|value|worth|budget|magnitude|temperature)\b"
    r"(?!\s+(?:war|cap|tag|cut|rise|increase|fall|warning|margin|forecast|growth|hike|freeze|setting)s?\b)"
    rf"|{WHAT_PAID}"
)


#: nouns whose answer is a person ("Which *player* scored?", "Which Pennsylvania *congressman* ...?", "Name
#: the *CEO* who ..."): what a question asks for (``rag.short_answer.name_kind``) and whom a "he" or "she"
#: after it means (``rag.followup.asks_for_person``); "Which country", "Which company" name no person
PERSON_NOUNS: tuple[str, ...] = tuple((
    "person man woman boy girl player star actor actress singer rapper musician comedian presenter host "
    "athlete analyst spokesman spokeswoman spokesperson researcher scientist economist expert minister "
    "president leader chief executive boss manager coach author writer director producer politician mp "
    "senator governor judge captain footballer cricketer striker midfielder defender goalkeeper batsman "
    "bowler winger jockey driver candidate official lawmaker secretary chancellor mayor member founder "
    "chairman chairwoman journalist editor reporter designer artist model celebrity prince princess king "
    "queen pope golfer boxer professor novelist poet playwright composer doctor lawyer astronaut pilot chef "
    "teacher forward character suspect victim winner son daughter wife husband billionaire entrepreneur ceo "
    "congressman congresswoman representative justice commissioner ambassador general officer soldier "
    "activist campaigner owner investor banker dancer filmmaker referee umpire pitcher quarterback swimmer "
    "sprinter runner cyclist gymnast skater wrestler fighter nominee heir heiress rider superstar"
).split())
_TIMES = "year|date|day|month|time|century|decade"
#: asks for a time
ASKS_DATE = re.compile(rf"\bwhen\b|\bwhat ({_TIMES}|period)\b|\b(which|what) (year|day|month)\b|\bin what year\b")
_WHO = r"\bwho(m|se)?\b"
_WHERE = r"\bwhere\b"
#: asks for a person, organisation or place
ASKS_NAME = re.compile(
    rf"{_WHO}|{_WHERE}|\bwhich (person|man|woman|company|group|team|organi[sz]ation|party"
    r"|town|city|country|place|region|state)\b"
)
AnswerType = str  # "number" | "date" | "name" | ""
#: a question answered yes or no: it opens with an auxiliary verb ("Did the toll rise to 50?")
YES_NO = re.compile(r"\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)\b",
                    re.I)


# "Who is Hakeem Jeffries?", "Who was Philip I?": the person is named, and what is asked is who they are (a
# post, a description), not a name. Read as asking for a name, the only name the passages hold is the one
# asked about, so the answer was refused ("do not state the name asked for": new user 28); SQuAD's five
# such questions are answered "editor of Electrical World magazine", "Landgrave of Hesse". Not a name
# with a possessive ("Who was Guy's Rival?"), a post of a place ("Who was Count of Melfi") nor posts only
# ("Who is Prime Minister?")
_WHO_IS_NAMED = re.compile(r"\s*(?i:who)(?:['’]s|\s+(?:is|was|are|were))\s+"
                           r"((?:[A-Z][\w.'’-]*|of|de|van|von|al|bin)(?:\s+(?:[A-Z][\w.'’-]*|of|de|van|von|al|bin))*)"
                           r"\s*\?*\s*")
_TITLE_WORDS = frozenset(PERSON_NOUNS) | frozenset("prime vice deputy speaker first lady attorney foreign home "
                                                   "head of de van von al bin".split())


def who_named_is(question: str) -> str | None:
    """The name when ``question`` asks who a person it names is ("Who is Hakeem Jeffries?": "Hakeem
    Jeffries"), else None."""
    m = _WHO_IS_NAMED.fullmatch(question)
    # nor a post "of" a place ("Who was Count of Melfi", "Who is President of France?"): asks for a name
    if m is None or re.search(r"['’]s\b", m.group(1)) or re.match(r"\S+\s+of\b", m.group(1)):
        return None
    return m.group(1) if any(w.lower().strip(".") not in _TITLE_WORDS for w in m.group(1).split()) else None


def asks_who_named_is(question: str) -> bool:
    """Whether ``question`` asks who a person it names is (:func:`who_named_is`)."""
    return who_named_is(question) is not None


def answer_type(question: str) -> AnswerType:
    """What kind of thing answers ``question``: "number", "date", "name", or "" (no one kind; also
    for a question asking who a named person is: ``asks_who_named_is``)."""
    if asks_who_named_is(question):
        return ""
    q = question.lower()
    if ASKS_NUMBER.search(q):
        return "number"
    if ASKS_DATE.search(q):
        return "date"
    if ASKS_NAME.search(q):
        return "name"
    return ""


#: question words in the order they are tried ("how many" before "how", "when" before "what")
QUESTION_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("how many", re.compile(r"\bhow (many|much)\b|\bwhat (percentage|number|amount)\b")),
    # not ASKS_DATE: one pattern for both would move 10 of the 10,570 SQuAD dev questions ("during what
    # period") to "when", and 4 ("which century") to answer type "date"; in the 200-question sample that
    # one more "when" question changed short_answer_correct from 0.400 (n=80) to 0.395 (n=81)
    ("when", re.compile(rf"\bwhen\b|\bwhat ({_TIMES})\b|\bwhich (year|day|month|century)\b")),
    ("who", re.compile(_WHO)),
    ("where", re.compile(_WHERE)),
    ("why", re.compile(r"\bwhy\b")),
    ("how", re.compile(r"\bhow\b")),
    ("which", re.compile(r"\bwhich\b")),
    ("what", re.compile(r"\bwhat\b")),
)


def question_kind(question: str) -> str:
    """The question word ("how many", "when", "who", "where", "why", "how", "which", "what" or
    "other"), for the evaluator's per-kind breakdown. Narrower than ``answer_type``: "how long" is
    a "how" question that wants a number."""
    q = question.lower()
    for name, pattern in QUESTION_KINDS:
        if pattern.search(q):
            return name
    return "other"


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """``n`` with its noun: "1 article", "2 articles" ("0 articles")."""
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


# A photo credit opening a sentence ("John Raoux/AP The SpaceX Falcon 9 rocket ...", "Nelson Almeida/AFP/
# Getty Images In a brief ..."): the photographer's (or a pool's) capitalised words, "/" and an agency,
# then the caption or sentence it was glued to when the page was flattened (2 of 312 RealTime QA answers
# quoted one; 372 of them in that corpus). Read at answer time, not at ingest, so stored spans stay valid.
_CREDIT_SEGMENT = r"[A-Z][\w.'’&-]*(?:[ \t]+[A-Z][\w.'’&-]*){0,4}"
_AGENCY = (r"(?:AP|AFP|Reuters|Getty[ \t]Images(?:[ \t](?:North[ \t]America|Europe|AsiaPac|South[ \t]America))?"
           r"|Bloomberg|EPA|EPA-EFE|Shutterstock|Pool|POOL|Sipa|Zuma|NurPhoto|Alamy|Corbis|FILE|File)")
_CREDIT = re.compile(rf"\s*{_CREDIT_SEGMENT}(?:/{_CREDIT_SEGMENT})*?/{_AGENCY}(?:/{_AGENCY})*\b\s*(?=[A-Z\"“‘'(]|$)")
# a wire story's dateline credit opening its first sentence ("(AP) — The Denver Broncos' new owners ...", "(CNN)
# A 17-year-old ...", "NEW YORK (AP) — "): the outlet, not the story; new user 21's answers opened with them. A
# place alone before a dash ("WASHINGTON — Former Starbucks CEO ...") stays: it says where the story happened
_WIRE = re.compile(r"\s*(?:[A-Z][A-Z.'’-]*(?:[ \t,]+[A-Z][A-Z.'’-]*){0,3}[ \t]+)?"
                   r"\((?:AP|CNN|CNN[ \t]Business|Reuters|AFP|UPI)\)[ \t]*(?:[—–-]+[ \t]*)?(?=[A-Z\"“‘'(]|$)")


#: a photo gallery's caption as CNN pages carry it ("Hide Caption 4 of 18 Photos: Nancy Pelosi's history
#: standing up to China Pelosi arrives in Shanghai ... in May 2009"): a past picture's caption run into
#: the gallery's title, no report of the story (new user 9's answer about this week's trip quoted two)
GALLERY_CAPTION = re.compile(r"\b(?:Hide|Show) Caption \d+ of \d+\b", re.I)


def without_credits(text: str, offset: int, spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sentence ``spans`` (article offsets; ``text`` starts at ``offset``) less a photo credit or a wire
    dateline's credit that opens one (``_CREDIT``, ``_WIRE``); a span that is only a credit goes.

    >>> t = "John Raoux/AP The rocket sits on the pad. It launched."
    >>> [t[a:b] for a, b in without_credits(t, 0, [(0, 41), (42, 54)])]
    ['The rocket sits on the pad.', 'It launched.']
    >>> t = "DENVER (AP) — The Broncos have a new president."
    >>> [t[a:b] for a, b in without_credits(t, 0, [(0, len(t))])]
    ['The Broncos have a new president.']
    """
    out = []
    for a, b in spans:
        m = _CREDIT.match(text, a - offset, b - offset) or _WIRE.match(text, a - offset, b - offset)
        if m is not None:
            a = offset + m.end()
        if a < b:
            out.append((a, b))
    return tuple(out)


# a sentence that asks ("Why did Musk buy Twitter?", a subheading or the article's own question)
_QUESTION_END = re.compile(r"[?？][\"'”’»)\]]*\s*$")


def is_question(sentence: str) -> bool:
    """Whether ``sentence`` ends as a question (past closing quotes and brackets): it states nothing.

    >>> is_question("Who is playing Princess Diana?"), is_question('"Why now?" he asked.')
    (True, False)
    """
    return bool(_QUESTION_END.search(sentence))


# a statement's end: terminal punctuation, past closing quotes and brackets
_TERMINAL = re.compile(r"[.!?…。！？][\"'”’»)\]]*\s*$")
#: the last words of a line cut short: a conjunction, a preposition or an article no statement ends on ("over", "in",
#: "on", "up" end many: "The strike is over", "Biden weighs in")
CUT_WORDS = frozenset("and or but nor of to the a an with from into onto than between against amid via as its their "
                      "our your whose".split())


def is_cut_line(sentence: str) -> bool:
    """Whether ``sentence`` is a line cut short: no terminal punctuation, and it ends on a word no statement ends on
    (``CUT_WORDS``) or on a comma, a semicolon or "&". "Bob Iger named Disney CEO again, replacing Bob Chapek and",
    the first line of a PDF (its headline, cut where the page's header ran out), was quoted as evidence (new user 30).

    >>> is_cut_line("Bob Iger named Disney CEO again, replacing Bob Chapek and"), is_cut_line("Bob Iger is back")
    (True, False)
    >>> is_cut_line("The strike is over"), is_cut_line("He came home and.")
    (False, False)
    """
    text = sentence.strip()
    if not text or _TERMINAL.search(text):
        return False
    words = WORD.findall(text)
    if len(words) < 3:
        return False
    return text.endswith((",", ";", "&")) or (text[-1].isalpha() and words[-1].lower() in CUT_WORDS)


#: a dateline opening a story: a place in capitals (a state or country may follow it, after a comma), an outlet in
#: brackets, then a dash ("WASHINGTON –", "SAN JUAN, Puerto Rico (AP) —", "NEW YORK, Nov 21 -")
DATELINE = re.compile(r"\s*[A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+)*(?:,[ \t]*[A-Z][\w.'’]*(?:[ \t]+[\w.'’]+){0,2})?"
                      r"(?:[ \t]*\([^()\n]{1,30}\))?[ \t]*[—–-]{1,2}[ \t]+")
EMPTY_OPENING_WORDS = 6  # an opening of fewer words after its dateline says next to nothing ...


def empty_opening(sentence: str, title: str | None = None) -> bool:
    """Whether ``sentence`` is a dateline and next to nothing: fewer than ``EMPTY_OPENING_WORDS`` words after it
    (``DATELINE``), none of them a word of the story's ``title``. "WASHINGTON – The votes had been counted." opens a
    story on Thanksgiving turkeys, and told it in new user 30's digest; "LONDON – Queen Elizabeth II has died." under
    "Queen Elizabeth II dies at 96" is the story itself.

    >>> empty_opening("WASHINGTON – The votes had been counted.", "President Biden pardons Thanksgiving turkeys")
    True
    >>> empty_opening("LONDON – Queen Elizabeth II has died.", "Queen Elizabeth II dies at 96")
    False
    >>> empty_opening("WASHINGTON – President Joe Biden pardoned two turkeys on Monday.")
    False
    """
    m = DATELINE.match(sentence)
    if m is None:
        return False
    rest = sentence[m.end():]
    if word_count(rest) >= EMPTY_OPENING_WORDS:
        return False
    return not (title and set(terms(rest)) & set(terms(title)))


#: A dump's text (a news site's page saved as JSONL/CSV, not cleaned by trafilatura) keeps the page's
#: furniture as lines of their own. Two kinds are dropped when a record is read
#: (``index.formats.prose.drop_link_lines``), and never quoted by an answer or a brief when a stored
#: text still holds them (``rag.evidence.not_a_statement``, ``rag.brief.is_event_sentence``):
#:
#: * a related-story link, written "Label:Headline" with no space after the colon ("More:Nikki Haley
#:   announces 2024 presidential bid", "OPINION:The power of love: ...", "Reaction:WNBA Twitter
#:   rejoices ..."): a label of at most 8 words and 50 characters that starts with a capital or a
#:   digit, then a headline of 3-160 characters starting with a capital, a quote, "$" or "#". A real
#:   sentence has a space after its colon ("Update: the bridge reopened at noon." stays), and the
#:   "City:paragraph" items of a state-by-state roundup run longer than a headline (they stay). A label
#:   that is a quotation or a question may run to 16 words and 120 characters (``_TEASER``: "'No one has
#:   ever seen one on Cape Cod':Rare bird sighting a sensation in Massachusetts", "How do you grow a
#:   giant pumpkin?:75 gallons of water daily, NY man says"): its closing mark then the colon, no space.
#: * a video player's lines: "Video Ad Feedback <title> 01:51 - Source: CNN", "<title> 02:07 - Source:
#:   CNN", "JUST WATCHED <title> Replay More Videos ... MUST WATCH <title> 03:51".
#:
#: Measured on RealTime QA's 3,359 articles (247,719 lines): see tests/test_ingest_newuser5.py.
_LINK_LINE = re.compile(
    r"(?:[►▶•]\s*)?(?P<label>[\"'‘“]?[A-Z0-9][^:\n]{0,48}[^\s:])(?:(?<=[?!]):(?=\w)|:(?=[A-Z\"'‘“$#]))(?P<head>.{3,160})")
# a teaser labelled by a quotation or a question, a colon right after its closing mark: a label of up to
# ``TEASER_LABEL_WORDS`` words ("'No one has ever seen one on Cape Cod':Rare bird sighting ...", new user 30:
# 9 words, over the 8 of a "Label:"), then a headline starting with a capital, a digit, a quote, "$" or "#"
_TEASER = re.compile(
    r"(?:[►▶•]\s*)?(?P<label>[\"'‘“][^:\n]{1,118}[\"'’”]|[\"'‘“]?[A-Z0-9][^:\n]{1,118}[?!][\"'’”]?)"
    r":(?=[A-Z0-9\"'‘“$#])(?P<head>[^\n]{3,160})")
TEASER_LABEL_WORDS = 16
_VIDEO_LINE = re.compile(
    r"Video Ad Feedback\b.{0,300}"
    r"|.{0,250}(?<!\d)\d{1,2}:\d{2}(?::\d{2})? - Source: [A-Z][\w.&' ]{1,30}(?: .{0,250})?"
    r"|JUST WATCHED\b.{0,300}\bReplay More Videos\b.{0,300}")


def is_link_line(line: str) -> bool:
    """Whether ``line`` (stripped) is a related-story link or a video player's line (``_LINK_LINE``,
    ``_VIDEO_LINE``), not article prose.

    >>> is_link_line("Reaction:WNBA Twitter rejoices in prisoner swap"), is_link_line("Update: the bridge reopened.")
    (True, False)
    >>> is_link_line("How do you grow a giant pumpkin?:75 gallons of water daily, NY man says")  # new user 26
    True
    >>> is_link_line("'No one has ever seen one on Cape Cod':Rare bird sighting a sensation in Massachusetts")
    True
    >>> is_link_line("Kickoff is at 7:30 pm on Sunday.")
    False
    """
    if _VIDEO_LINE.fullmatch(line):
        return True
    m = _LINK_LINE.fullmatch(line)
    if m is not None and len(m.group("label").split()) <= 8 and sum(c.isalpha() for c in m.group("label")) >= 2:
        return True
    m = _TEASER.fullmatch(line)
    return m is not None and len(m.group("label").split()) <= TEASER_LABEL_WORDS \
        and sum(c.isalpha() for c in m.group("label")) >= 2
