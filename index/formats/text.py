"""Plain text (.txt) and markdown (.md) articles: a headline line or ``#`` heading is the title, a
``date`` line or front matter the date, and markdown's markup goes.

>>> a = parse_markdown("---\\ntitle: Storm hits coast\\ndate: 2024-12-01\\n---\\nA **storm** hit the coast.", "a.md")
>>> a.title, a.published.isoformat(), a.text
('Storm hits coast', '2024-12-01', 'A storm hit the coast.')
"""

from __future__ import annotations

import re

from index.formats.clean import clean_author, normalise, strip_controls, unwrap_lines
from index.formats.dates import parse_date, split_date_prefix
from index.formats.titles import HEADLINE_MAX, shorten, split_title
from index.types import Article
from rag.errors import InputError


def _require_text(text: str, item: str, what: str) -> None:
    if not text.strip():
        raise InputError(item, f"is empty: no text found in this {what}; remove it or add the article text")


def parse_text(raw: str, source: str, url: str | None = None) -> Article:
    text = unwrap_lines(normalise(raw))
    _require_text(text, source, "text file")
    published, text = split_date_prefix(text)
    _require_text(text, source, "text file")
    first, _, rest = text.partition("\n")
    dated, after = split_date_prefix(rest.lstrip("\n")) if published is None and first.strip() else (None, "")
    if dated is not None and after.strip() and len(first.strip()) <= HEADLINE_MAX:
        # "Bob Iger makes stunning return as Disney CEO, replacing Bob ...\ndate 2022-11-20": the line before a
        # date line is the headline whatever it ends with ("...", an inner full stop read it as a sentence, and
        # 26 of new user 28's 33 dated files were stored undated, headline and date line quoted as the body)
        return Article(source=source, title=shorten(first.strip(), HEADLINE_MAX), text=after, published=dated, url=url)
    title, text = split_title(text)
    if published is None:  # "Headline\n\ndate 2024-03-12\n...": the date line may follow the title
        after, rest = split_date_prefix(text)
        if after is not None and rest.strip():
            published, text = after, rest
    return Article(source=source, title=title, text=text, published=published, url=url)


def parse_markdown(raw: str, source: str, url: str | None = None) -> Article:
    """A .md file as plain text, as an HTML page of it would read: front matter is metadata, the
    first ``#`` heading the title, and the markup goes (``markdown_to_text``)."""
    meta, body = split_front_matter(raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = normalise(body)
    _require_text(text, source, "markdown file")
    published = parse_date(meta.pop("date", None) or meta.pop("published", None))
    prefix_date, text = split_date_prefix(text)
    published = published or prefix_date
    title = markdown_inline(meta.pop("title", ""))
    heading = re.match(r"\A#[ \t]+(.+?)[ \t#]*(?:\n|\Z)", text) or re.match(r"\A([^\n]+)\n=+[ \t]*(?:\n|\Z)", text)
    if heading and (not title or markdown_inline(heading.group(1)) == title) and text[heading.end():].strip():
        title, text = title or markdown_inline(heading.group(1)), text[heading.end():]
    text = normalise(markdown_to_text(text))
    if not title:
        title, text = split_title(text)
    _require_text(text, source, "markdown file")
    author = clean_author(meta.pop("author", None)) or clean_author(meta.pop("byline", None))
    url = meta.pop("url", None) or meta.pop("link", None) or url
    extra = {k: v for k, v in meta.items() if v and len(v) < 100}
    return Article(source=source, title=shorten(title, HEADLINE_MAX), text=text, author=author or None,
                   published=published, url=url, extra=extra)


_markdown_parser = None


def _markdown():  # type: ignore[no-untyped-def]
    global _markdown_parser
    if _markdown_parser is None:
        from markdown_it import MarkdownIt

        # CommonMark plus GFM tables and ~~strikethrough~~; raw HTML is parsed so its tags can go
        _markdown_parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return _markdown_parser


def markdown_to_text(md: str) -> str:
    """Markdown as the plain text its HTML page shows: emphasis and code marks, heading ``#``s,
    ``>`` quote marks, list markers, code fences and HTML tags go; a link is its text; an image
    goes (alt text is "photo" as often as a caption); a paragraph's soft line breaks are spaces.
    Blocks are separated by a blank line, a tight list's items and a table's rows by a line break
    (a row as ``| a | b |``, as trafilatura writes an HTML table's).

    >>> markdown_to_text("> The [library](https://x.org) cost **£18m**.\\n\\n- one\\n- two\\n\\n![photo](a.jpg)")
    'The library cost £18m.\\n\\none\\ntwo'
    """
    out: list[str] = []
    last = ""  # what the previous piece was: "item" (a tight list's paragraph), "row" or "block"
    cells: list[str] = []
    in_cell = tight = False

    def emit(piece: str, kind: str) -> None:
        nonlocal last
        if not piece.strip():
            return
        if out:
            out.append("\n" if kind == last and kind in ("item", "row") else "\n\n")
        out.append(piece.strip("\n"))
        last = kind

    for token in _markdown().parse(md):
        kind = token.type
        if kind == "paragraph_open":
            tight = token.hidden  # markdown-it hides the paragraphs of a tight list's items
        elif kind in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = kind.endswith("_open")
        elif kind in ("bullet_list_open", "ordered_list_open"):
            last = ""  # a list starts a block of its own, even right after another list
        elif kind == "tr_open":
            cells = []
        elif kind == "inline" and in_cell:
            cells.append(_inline_text(token.children or []))
        elif kind == "inline":
            emit(_inline_text(token.children or []), "item" if tight else "block")
        elif kind == "tr_close":
            emit("| " + " | ".join(cells) + " |", "row")
        elif kind in ("fence", "code_block"):
            emit(token.content, "block")
        elif kind == "html_block":
            emit(_untagged(token.content), "block")
    return "".join(out)


def markdown_inline(md: str) -> str:
    """One line of inline markdown (a title) as plain text: ``Library reopens after **two-year** refit``
    is ``Library reopens after two-year refit``."""
    if not md.strip():
        return ""
    return " ".join(_inline_text(_markdown().parseInline(md.strip())[0].children or []).split())


def _inline_text(children: list) -> str:  # type: ignore[type-arg]
    parts = []
    for t in children:
        if t.type in ("text", "code_inline"):
            parts.append(t.content)
        elif t.type == "softbreak":
            parts.append(" ")  # a line break inside a paragraph (hard-wrapped source) is a space
        elif t.type == "hardbreak" or t.type == "html_inline" and re.match(r"<br\b", t.content, re.IGNORECASE):
            parts.append("\n")
        # images, link/emphasis/strikethrough open and close marks and other inline tags: nothing
    return re.sub(r" *\n *", "\n", "".join(parts))


def _untagged(html: str) -> str:
    """A raw HTML block's text: comments and tags out, entities read."""
    import html as htmllib

    text = re.sub(r"<!--.*?-->|<[^>]*>", " ", html, flags=re.DOTALL)
    return "\n".join(" ".join(line.split()) for line in htmllib.unescape(text).split("\n"))


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``---`` delimited ``key: value`` lines at the very top -> (lower-cased keys -> values, rest)."""
    m = re.match(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", text, re.DOTALL)
    if not m:
        return {}, text
    meta: dict[str, str] = {}
    for line in m.group(1).split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-", "#")):
            value = strip_controls(value).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            meta[key.strip().lower()] = value
    return meta, text[m.end():]
