"""Site boilerplate among a story's sentences: the lines a news site prints on many of its pages.

A brief tells each story by one sentence (``rag.brief``: the opening one for "What happened this
week?", the one best stating the topic for ``rag brief``), and a page often opens with, or carries,
lines that report nothing: an affiliate disclaimer ("— Recommendations are independently chosen by
Reviewed's editors."), a newsletter's standing intro ("If your day doesn't start until you're up to
speed on the latest headlines, ..."), "You can sign up right here.". A sentence is boilerplate when

* **the collection says so**: ``SHARED_STORIES`` different stories (story groups, ``index.stories``:
  the copies of one wire story are one) carry it near-verbatim, its first ``PHRASE_WORDS`` words as
  a phrase of the lexical index (FTS5: case, punctuation and word endings aside; ``shared_stories``).
  No list of phrases: a new site's lines are found as soon as three of its pages are stored. A
  sentence that different stories share is at best stock background, the event of none of them.
  In four collections at hand (204 to 1,148 articles: a new user's, RealTime QA samples) every
  opening sentence so shared was the site's (the disclaimer above, CNN's "5 Things" intro, "Explore
  the universe with news on ...", "Turn to CNN for live coverage from Kennedy Space Center ...");
  at two stories real leads appear (two versions of one report that story grouping kept apart:
  "British Prime Minister Liz Truss announced Thursday that she will be stepping down."), so two
  is not enough. A sentence of fewer than ``MIN_WORDS`` words is not looked up: a phrase that short
  ("You're not alone.") occurs inside other stories' sentences.
* **or its shape says so** (``looks_like_boilerplate``), for a site with too few pages stored to
  tell: the site speaking of its own links, editors or subscriptions ("Purchases you make through
  our links may earn us a commission."), a byline ("By Mike Snider, USA TODAY.", "— Candy
  Woodall"), all capitals ("TODAY'S WEATHER"), or, at an article's opening, a dash (the dateline
  or outlet it followed is gone: "— Recommendations are ...").
* **or it frames the article** (``opening_note_end``): an editor's note opening it ("Editor’s Note:
  Rosa Prince is editor of The House magazine.") and the author's bio right after it ("She is former
  assistant political editor of the Daily Telegraph ...", "The views expressed in this commentary
  are her own."), as CNN opens every opinion piece: who wrote it, not what happened.

Each lookup is one FTS5 phrase query, stopped at ``SHARED_STORIES``: "What happened this week?"
looks up about one sentence per story, 0.5 ms each on a store of 1.5k chunks (a digest of 50
stories: +25 ms), about 45 ms for 50 stories on 32k chunks and 85-135 ms on 96k. Answers are kept
per article database until it changes, so asking again costs nothing.

>>> looks_like_boilerplate("— Recommendations are independently chosen by Reviewed's editors.")
True
>>> looks_like_boilerplate("The harbour of Zembla reopened on Sunday.")
False
"""

from __future__ import annotations

import logging
import re
import sqlite3
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rag.text import GALLERY_CAPTION

if TYPE_CHECKING:
    from index.db import ArticleDB

log = logging.getLogger(__name__)

SHARED_STORIES = 3  # stories (the sentence's own included) carrying a sentence that make it boilerplate
MIN_WORDS = 6  # a shorter sentence is not looked up: its words occur as a phrase inside other sentences
PHRASE_WORDS = 12  # the words of a sentence looked up: enough to name it, and half the cost of all of them
CACHE_SIZE = 4096  # answers kept per article database (until it changes)

_WORD = re.compile(r"[^\W_]+")
_DASH_START = re.compile(r"^\s*[—–-]\s*")
# the lower-case words a list of names and outlets holds ("– Rob O'Dell and Caitlin McGlade (Arizona Republic)")
_NAME_WORDS = frozenset("and of the de da del der di du la le van von bin al y e".split())
NAME_LINE_MAX_WORDS = 16
# "By Mike Snider, USA TODAY." / "By Jane Doe and John Roe": "By", a capitalised name of 2-4 words, then
# an outlet or nothing ("By Tuesday, the storm had passed." has a one-word "name" and a verb, so it stays)
_BYLINE = re.compile(r"^\s*[Bb]y\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3}\s*(?:$|[,|/•–—]|\band\b)")
BYLINE_MAX_WORDS = 12
# the site about itself, in its own voice: its links, editors, newsletters, subscriptions ("our"/"us" in
# lower case: "US partners" is the country), and the shopping disclaimer's words
_SITE_VOICE = re.compile(
    r"\b(?:[Oo]ur|us)\b[^.!?]{0,40}\b(?:links?|editors?|[Nn]ewsletters?|subscri(?:ber|ption)s?|journalism|"
    r"live (?:updates|coverage)|affiliates?)\b"
    r"|\bearns?\s+us\b(?:\s+and\s+our\s+[\w\s]{0,30}?)?\s+(?:a\s+)?commissions?\b|\baffiliate\s+(?:links?|commissions?)\b"
    r"|\b(?:[Pp]roducts?|[Rr]ecommendations?|[Pp]icks|[Ii]tems)\b[^.!?]{0,30}\bindependently\s+(?:chosen|selected|tested|reviewed)\b")


# a syndication credit or an update line, which tells where or when the story ran, not what happened:
# "This story was first published by the Millbrook Gazette.", "This article originally appeared on X.",
# "A version of this story appeared in ...", "Reprinted with permission from ...", "This story has been updated."
_CREDIT = re.compile(
    r"^\s*(?:(?:This|The)\s+(?:story|article|piece|post|column)\s+(?:was\s+|has\s+been\s+|is\s+)?"
    r"(?:(?:first|originally)\s+)?(?:published|appeared|ran|posted|syndicated|updated|republished)\b"
    r"|An?\s+(?:earlier\s+)?version\s+of\s+this\s+(?:story|article|report)\b"
    r"|(?:Reprinted|Republished)\s+(?:here\s+)?(?:with\s+permission\s+)?(?:from|by)\b)", re.I)
CREDIT_MAX_WORDS = 20
# what makes "The report was published on Monday ..., which found 40 failings" news: a clause after the credit
_NEWS_AFTER = re.compile(r",\s*(?:which|who|and|saying|finding)\b|\b(?:found|finds|said|says|showed|shows)\b")


def is_credit_line(sentence: str) -> bool:
    """Whether ``sentence`` is a syndication credit or an update line ("This story was first published
    by the Millbrook Gazette."): where or when the story ran, which answers nothing and starts no
    timeline entry.

    >>> is_credit_line("This article originally appeared on The Conversation.")
    True
    >>> is_credit_line("The story was first published by the Guardian, which found 40 failings.")
    False
    """
    return bool(_CREDIT.match(sentence)) and len(_WORD.findall(sentence)) <= CREDIT_MAX_WORDS \
        and not _NEWS_AFTER.search(sentence)


def is_site_line(sentence: str) -> bool:
    """Whether ``sentence`` is the site speaking of itself ("Sign up for our trending newsletter to get the
    latest news of the day.", "Purchases you make through our links may earn us a commission."), a
    gallery's caption counter or a credit line (``is_credit_line``): what no question is answered from,
    wherever on the page it stands. (The other shapes of ``looks_like_boilerplate``, a byline, all
    capitals, a dash, are left to the brief: "By Tuesday, ..." and a quote's attribution are close.)

    >>> is_site_line("Sign up for our trending newsletter to get the latest news of the day.")
    True
    >>> is_site_line("The newsletter's subscribers rose to 2 million, the company said.")
    False
    >>> is_site_line("Watch: The moment Brittney Griner learned she was going home")
    True
    >>> is_site_line("Brittney Griner, right, arrives at Kelly Field in San Antonio on Friday.")
    True
    >>> is_site_line("Griner, who was released on Thursday, arrived at Kelly Field in San Antonio.")
    False
    """
    return bool(_SITE_VOICE.search(sentence) or GALLERY_CAPTION.search(sentence) or _TEASER.match(sentence)
                or _POSED_CAPTION.match(sentence)) or is_credit_line(sentence)


# a link to the site's other media: "Watch: The moment Brittney Griner learned she was going home" led new user 33's
# answer to how long she was detained; "VIDEO: ...", "Photos: ...", "Read more: ..."
_TEASER = re.compile(r"\s*(?:watch|video|videos|photos?|gallery|listen|podcast|read more|related|more|see also)"
                     r"\s*[:|]\s", re.I)
# a photo caption placing someone in the picture: "Brittney Griner, right, arrives at Kelly Field ..." (new user 33's
# brief gave it as what happened on 13 December)
_POSED_CAPTION = re.compile(r"[^,]{3,60},\s+(?:(?:far |second from |third from )?(?:left|right)|cent(?:er|re)|front|"
                            r"back|top|bottom)(?: row)?,\s+\S")


def looks_like_boilerplate(sentence: str, *, opening: bool = False) -> bool:
    """Whether ``sentence`` has the shape of a site's line rather than of news (module docstring):
    the check for a site the collection holds too few pages of to tell by ``shared_stories``.
    A sentence opening with a dash is one when names alone follow (a byline, "— Candy Woodall"); at
    an article's ``opening`` always: what the dash followed (a dateline, an outlet) is gone, and in
    four stored collections only the shopping disclaimer opened so (in the body, a dash opens a
    roundup's items, "— In Wisconsin, high waves were expected along Lake Michigan.", and a quote's
    attribution).

    >>> looks_like_boilerplate("Purchases you make through our links may earn us a commission.")
    True
    >>> looks_like_boilerplate("— Candy Woodall"), looks_like_boilerplate("— In Wisconsin, waves rose.")
    (True, False)
    >>> looks_like_boilerplate("By Mike Snider, USA TODAY."), looks_like_boilerplate("By Tuesday, the storm had passed.")
    (True, False)
    >>> looks_like_boilerplate("WATCH THE FULL INTERVIEW BELOW."), looks_like_boilerplate("NASA launched it.")
    (True, False)
    >>> looks_like_boilerplate("This story was first published by the Millbrook Gazette.")
    True
    >>> looks_like_boilerplate("The report was published on Monday by the inquiry, which found 40 failings.")
    False
    """
    if is_site_line(sentence):
        return True
    dash = _DASH_START.match(sentence)
    if dash and ((opening and dash.group().strip() != "-") or _names_only(sentence[dash.end():])):
        return True
    words = _WORD.findall(sentence)
    cased = [c for c in sentence if c.lower() != c.upper()]  # letters of a script with capitals
    if len(words) >= 3 and cased and all(c.isupper() for c in cased):
        return True
    return len(words) <= BYLINE_MAX_WORDS and bool(_BYLINE.match(sentence))


# "Editor’s Note:", "EDITORS' NOTE —" at an article's very start
_EDITORS_NOTE = re.compile(r"\s*(?i:editor(?:['’]?s['’]?)?\s+note)\s*[:.—–-]")
# a sentence of the author's bio right after it: a name (or "She", "They") is or was a former ..., an
# author, editor, columnist ... ("Jeff Pearlman is the author of 10 books", "Astrodynamicist Moriba Jah is
# an associate professor"); the opinion disclaimer; "View more opinion on CNN."
_FRAMING = re.compile(
    r"(?:(?:[A-Z][\w.'’-]*\s+){1,5}|(?:She|He|They)\s+)(?:is|are|was|were|has been|have been)\s+(?:also\s+)?"
    r"(?:(?:an?|the)\s+)?(?:former\b|(?:[\w'’,-]+\s+){0,6}?(?i:(?:co-?)?(?:author|columnist|editor|writer|"
    r"contributor|commentator|professor|fellow|analyst|director|host|correspondent|journalist|historian|lecturer|"
    r"founder|chair|president|ceo|scholar|researcher|economist|attorney|lawyer)s?)\b)"
    r"|(?i:the (?:views|opinions) expressed\b|(?:view|read) more opinion\b)")


def opening_note_end(text: str, start: int, sentences: Sequence[tuple[int, int]]) -> int:
    """The article offset where an editor's note opening the article ends, with the author's bio
    sentences right after it (``_FRAMING``); ``start`` when the article opens with none. ``text`` is a
    passage of the article beginning at offset ``start`` (a note is only looked for at offset 0),
    ``sentences`` its sentence spans (article offsets). The note runs to the end of its paragraph (CNN
    prints the bio in it); on text without paragraphs (a dump's flattened body), through its own
    sentence and the bio sentences after it. Narrow on purpose: a lead shaped like a bio ("President
    Biden is the first president to ...") is the story anywhere else.

    >>> text = ("Editor’s Note: Jane Roe is a columnist. She is former editor of the Zembla Post. "
    ...         "The views expressed here are her own. The harbour of Zembla reopened on Sunday.")
    >>> spans = [m.span() for m in re.finditer(r"[^ ][^.]+[.]", text)]
    >>> text[opening_note_end(text, 0, spans):].strip()
    'The harbour of Zembla reopened on Sunday.'
    >>> opening_note_end("The harbour reopened. She is former editor.", 0, [(0, 21), (22, 43)])
    0
    """
    note = _EDITORS_NOTE.match(text) if start == 0 else None
    if note is None:
        return start
    line = text.find("\n", note.end())
    if line >= 0:
        return start + line
    end = None  # one paragraph: the note's sentence, then the bio's
    for a, b in sentences:
        sentence = text[a - start : b - start].strip()
        if end is None:
            end = b
        elif _FRAMING.match(sentence):
            end = b
        elif sentence:
            break
    return end if end is not None else start


def _names_only(text: str) -> bool:
    """Whether ``text`` is only names and outlets: each word capitalised but for ``_NAME_WORDS``."""
    words = _WORD.findall(text)
    return 0 < len(words) <= NAME_LINE_MAX_WORDS and \
        all(w[0].isupper() or w[0].isdigit() or w in _NAME_WORDS for w in words)


def shared_stories(db: ArticleDB, sentence: str, at_least: int = SHARED_STORIES) -> int:
    """How many stories of the collection (up to ``at_least``: the lookup stops there) carry
    ``sentence`` near-verbatim: its first ``PHRASE_WORDS`` words as a phrase of the articles' text in
    the lexical index. 0 for a sentence under ``MIN_WORDS`` words (not looked up)."""
    words = _WORD.findall(sentence)
    if len(words) < MIN_WORDS:
        return 0
    try:
        return db.stories_with_phrase(words[:PHRASE_WORDS], at_least)
    except sqlite3.OperationalError as exc:  # a phrase FTS5 cannot read: the shape check still applies
        log.debug("boilerplate lookup failed for %r: %s", sentence[:80], exc)
        return 0


# per article database: (its change key, {sentence: boilerplate?}); dropped with the database
_CACHE: weakref.WeakKeyDictionary[object, tuple[object, dict[str, bool]]] = weakref.WeakKeyDictionary()


def boilerplate_in(db: ArticleDB | None, *, opening: bool = False) -> Callable[[str], bool]:
    """A test of whether a sentence is boilerplate in the collection of ``db``: its shape
    (``looks_like_boilerplate``, ``opening``: the sentences tested open an article), then how many
    stories carry it (``shared_stories``; answers kept until the database changes). With no ``db``,
    the shape only.

    >>> boilerplate_in(None, opening=True)("— Recommendations are independently chosen by Reviewed's editors.")
    True
    """
    if db is None:
        return lambda sentence: looks_like_boilerplate(sentence, opening=opening)
    key = db.change_key()
    held = _CACHE.get(db)
    if held is None or held[0] != key:
        held = (key, {})
        _CACHE[db] = held
    answers = held[1]

    def boilerplate(sentence: str) -> bool:
        sentence = sentence.strip()
        if looks_like_boilerplate(sentence, opening=opening):
            return True
        shared = answers.get(sentence)
        if shared is None:
            shared = shared_stories(db, sentence) >= SHARED_STORIES
            if len(answers) >= CACHE_SIZE:
                answers.clear()
            answers[sentence] = shared
        return shared

    return boilerplate
