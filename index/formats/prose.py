"""Is a page an article? Article prose counted apart from page furniture (menus, cookie and
paywall notices, a player's labels), so that a paywall, a cookie wall or a video page is refused
with a reason instead of stored as an article.

>>> prose_words("Home | News\\nThe council met on Monday. Rents will rise.")
(8, ['navigation'])
"""

from __future__ import annotations

import re

from rag.errors import InputError
from rag.text import UNSPACED, UNSPACED_CHAR, is_link_line, plural


#: Page furniture: what a paywall, a cookie wall, a menu or a video player page shows instead of an
#: article. A line or sentence matching one of these is not counted as article text (it stays in the
#: stored text of a real article; only the count ignores it).
_FURNITURE: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(rx, re.IGNORECASE)) for kind, rx in (
    ("a paywall", r"\b(?:reached|used|hit) (?:your|the) (?:monthly |weekly )?(?:limit|maximum)|\bfree (?:articles?|stories|reads)\b"
                  r"|^subscribe\b|\bsubscribe (?:now|today|here|for|to (?:continue|keep|read|get|unlock|our))\b|\bsubscri(?:ber|ption)s? only\b"
                  r"|\bfor subscribers\b|\balready (?:a subscriber|a member|have an account)|\b(?:continue|keep) reading\b"
                  r"|\bread the (?:full|whole|rest of the) (?:article|story)|\bpaywall\b|\b(?:sign|log) in to (?:continue|read|keep|view|access)"
                  r"|^(?:sign|log) (?:in|up|out)\b|\bcreate (?:a |an |your )?(?:free )?account\b|\bregister (?:now|for free|free)\b"),
    ("a cookie notice", r"\b(?:we|this (?:site|website)|our (?:site|website|partners)) uses? cookies\b|\bcookies? (?:policy|settings|preferences|notice|consent)\b"
                        r"|\b(?:accept|reject|allow|use of|manage) (?:all )?cookies\b|\bconsent (?:settings|preferences|choices)\b|\bprivacy (?:settings|choices)\b"
                        r"|^(?:accept|reject|allow|deny|decline|manage|customi[sz]e)(?: all)?(?: (?:settings|preferences|choices|options))?[.!]?$"
                        r"|^(?:ok|okay|got it|i agree|agree|close|dismiss)[.!]?$"),
    ("a video or audio player", r"^(?:video|watch(?: now| live)?|listen(?: now)?|audio|podcast|gallery|photos?|pictures|in pictures|slideshow|live)\s*[:|–—]"
                                r"|\bmedia playback is (?:un|not )supported|\bbrowser does not support|^(?:play|replay|watch) (?:the )?(?:video|clip|audio)\b"
                                r"|\bthis (?:video|clip) (?:is no longer|has been removed|cannot be played)|\bclick to play\b|^image (?:source|caption|copyright)\b"),
    ("an error or robot check", r"\bpage (?:was )?not found\b|^(?:error )?404(?:\s*[-:–—|]|\s+(?:error|not found|page))|\benable javascript\b"
                                r"|\bjavascript is (?:disabled|required|not enabled)|\bsomething went wrong\b|^access denied\b"
                                r"|\b(?:are you a robot|verify (?:that )?you are (?:a )?human)|\bchecking your browser"),
    ("navigation", r"^(?:home|menu|search|skip to(?: main)? content|back to top|share(?: this)?(?: (?:article|story|page|on \w+))?|advertisement|advert"
                   r"|sponsored(?: content)?|related(?: (?:articles|stories|content))?|read more|more(?: stories)?|most (?:read|popular|viewed)"
                   r"|follow us\b.*|newsletters?|sign up(?: (?:for|to) (?:our |the )?newsletters?.*)?|contact(?: us)?|about(?: us)?"
                   r"|privacy(?: policy)?|terms (?:of (?:use|service)|and conditions)|all rights reserved\.?|©.*|(?:\(c\)|copyright)\s+(?:\d{4}|©).*"
                   r"|loading\W*)$"),
))
_MENU_SEPARATOR = re.compile(r"\s*[|•·›»]\s*|\s+/\s+")
_PLAYER = re.compile(r"<(?:video|audio)\b|<iframe\b[^>]*\b(?:youtube|vimeo|dailymotion|player|embed)", re.IGNORECASE)

#: A page whose text, furniture (``_FURNITURE``, menus) aside, holds fewer words than this is no
#: article. Measured: every BBC article (2,225) and every RealTime QA article (3,359), each wrapped
#: in minimal HTML (<title>, <h1>, a <p> per paragraph) and read by parse_html: none rejected. The
#: shortest real article accepted keeps 19 words of prose (RealTime QA rtqa-d08046e082e8, a photo
#: caption: "Taylor Swift accepts the award for best longform video for ..."); the shortest BBC one
#: 83 (politics/397). The new-user report's paywall, cookie-wall and video pages keep 0. The floor
#: is a sentence, not a length: a one-line brief or page is an article (tests elsewhere store
#: 6-10 word pages); what tells a paywall from a brief is its furniture, and a player page's is
#: the player (PLAYER_PAGE_MIN_WORDS, under the 19 of the shortest real article).
PROSE_MIN_WORDS = 5
#: On a page that embeds a video/audio player, the words of prose below which it is the player's page.
PLAYER_PAGE_MIN_WORDS = 15
#: A page of fewer words of prose than this whose last one stops mid-sentence is cut short (a download
#: or a save that broke off: "<p>Only a fragment of a sto", new user 32), and refused. The shortest
#: real article measured keeps 19 (see PROSE_MIN_WORDS); a short brief ends its sentences and is kept.
CUT_SHORT_WORDS = 15
_FINISHED_LINE = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")


def prose_words(text: str) -> tuple[int, list[str]]:
    """(words of article prose in ``text``, the kinds of page furniture found in it). A menu line
    ("Home | About | Contact"), a cookie or paywall notice, a player's label ("Video: storm hits
    coast") is furniture, and a sentence of under three words not prose; a word of a script written
    without spaces (Chinese, Japanese, Thai) counts one per two of its characters."""
    words, kinds = 0, []
    for line in text.split("\n"):
        for sentence in re.split(r"(?<=[.!?])[\"'”’)\]]*\s+", line.strip()):
            items = [x for x in _MENU_SEPARATOR.split(sentence) if x]
            if len(items) > 1 and all(len(x.split()) <= 3 for x in items):
                kinds.append("navigation")  # "Home | About | Contact", "Accept all | Reject"
                continue
            kind = next((k for k, rx in _FURNITURE if rx.search(sentence)), None) if len(sentence) < 300 else None
            count = sum(1 + len(UNSPACED_CHAR.findall(w)) // 2 for w in sentence.split() if any(c.isalpha() for c in w))
            if kind:
                kinds.append(kind)
            elif count >= 3:
                words += count
    return words, list(dict.fromkeys(kinds))


def _require_article(text: str, raw: str, source: str) -> None:
    words, kinds = prose_words(text)
    player = bool(_PLAYER.search(raw)) and words < PLAYER_PAGE_MIN_WORDS
    if words >= PROSE_MIN_WORDS and not player:
        return
    found = ", ".join(kinds + (["a video or audio player"] if player and "a video or audio player" not in kinds else []))
    raise InputError(source, "no article text: the page holds only navigation/cookie/paywall text"
                             + (f" (found: {found})" if found else "") + "; if the article shows when you open the "
                             "page in a browser (signed in, for a subscribers' page), save it as text or PDF and add that")


def _require_whole(text: str, source: str, url: str | None = None) -> None:
    """Refuse a page cut short: under ``CUT_SHORT_WORDS`` words of prose, its last stopping mid-sentence.

    >>> _require_whole("Police closed the bridge on Monday. It reopened at noon.", "brief.html")
    >>> _require_whole("Only a fragment of a sto", "broken.html")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rag.errors.InputError: broken.html: has too little article text (6 words, ending mid-sentence: "Only a ...
    """
    words = prose_words(text)[0]
    last = next((line.strip() for line in reversed(text.split("\n")) if prose_words(line)[0]), "")
    if words >= CUT_SHORT_WORDS or not last or _FINISHED_LINE.search(last):
        return
    tail = last if len(last) <= 40 else "…" + last[-40:].partition(" ")[2]
    again = "ingest it again later" if url else "save the whole page again"
    raise InputError(source, f"has too little article text ({plural(words, 'word')}, ending mid-sentence: "
                             f'"{tail}"); is the page complete? If it was cut short, {again}, or save the article '
                             "as text or PDF and add that")


#: An item of any format (text, markdown, HTML, PDF, a record of a dump) whose text holds fewer words
#: than this, or fewer letters and digits than ``ARTICLE_MIN_CHARS``, is no article: a file of "x",
#: of "...", of "test", of "a b". The floor sits under the shortest items stored as articles: a dump's
#: one-line records ("Oats rose.", "Rye held.": 2 words, 7 letters; tests/test_load.py) and far under
#: a two-sentence brief ("Police closed the bridge on Monday. It reopened at noon.": 10 words).
ARTICLE_MIN_WORDS = 2
ARTICLE_MIN_CHARS = 6
# a word: a run between spaces holding a letter or digit (punctuation alone is none), or one character
# of a script written without spaces
_WORD = re.compile(f"[{UNSPACED}]|[^\\s{UNSPACED}]+")


def too_little_text(text: str) -> str | None:
    """Why ``text`` is too little to be an article ("has no article text (1 character)"), or None when
    it holds ``ARTICLE_MIN_WORDS`` words and ``ARTICLE_MIN_CHARS`` letters and digits (whatever its
    format: the rule of every loader, ``index.load``).

    >>> too_little_text("x")
    'has no article text (1 character)'
    >>> too_little_text("Police closed the bridge. It reopened at noon.") is None
    True
    """
    words = sum(1 for w in _WORD.findall(text) if any(c.isalnum() for c in w))
    # a character of a script without spaces counts two ("地震", earthquake, is a word of two)
    letters = sum(2 if UNSPACED_CHAR.match(c) else 1 for c in text if c.isalnum())
    if words >= ARTICLE_MIN_WORDS and letters >= ARTICLE_MIN_CHARS:
        return None
    chars = len(" ".join(text.split()))
    counted = "" if words == 1 else f", {plural(words, 'word')}" if words else ", no words"
    detail = plural(chars, "character") + counted
    return f"has no article text ({detail})"


def drop_link_lines(text: str) -> tuple[str, int]:
    """``text`` without its related-story link and video player lines (``is_link_line``), and how
    many lines went. A blank line left doubled by a dropped line goes too; a text that is nothing but
    such lines is returned as it was (what it is, the loader's checks say).

    >>> drop_link_lines("Griner is free.\\n\\nReaction:WNBA Twitter rejoices in prisoner swap\\n\\nShe flew home.")
    ('Griner is free.\\n\\nShe flew home.', 1)
    """
    lines = text.split("\n")
    out: list[str] = []
    dropped = 0
    skip_blank = False
    for line in lines:
        if line.strip() and is_link_line(line.strip()):
            dropped += 1
            skip_blank = not out or not out[-1].strip()  # the blank line after it would double one before it
            continue
        if skip_blank and not line.strip():
            skip_blank = False
            continue
        skip_blank = False
        out.append(line)
    if not dropped or not any(line.strip() for line in out):
        return text, 0
    return "\n".join(out).strip(), dropped
