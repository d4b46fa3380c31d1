"""Sentence-aware, token-counted chunks with exact character spans.

Chunks are runs of whole sentences whose tiktoken count stays under ``max_tokens`` (sized so that
all-MiniLM-L6-v2's 256 word-piece window is never exceeded: the ingest pipeline re-checks with the
embedder's own tokenizer and re-chunks smaller if needed). Neighbouring chunks repeat ``overlap``
sentences. Every chunk and every sentence keeps its span in the article, so quotes can be
highlighted exactly: ``article.text[chunk.start:chunk.end] == chunk.text``.

>>> from index.chunk import split_sentences
>>> text = "Mr. Smith went to Washington. He arrived at 5 p.m. on Monday! Did he stay?"
>>> [text[s:e] for s, e in split_sentences(text)]
['Mr. Smith went to Washington.', 'He arrived at 5 p.m. on Monday!', 'Did he stay?']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from index.tokens import count_tokens
from index.types import Article, Chunk

# Words after which a period does not end a sentence.
_ABBREV = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "gov", "sen", "rep", "rev", "hon", "pres", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "inc", "ltd", "co", "corp", "bros", "vs", "etc", "approx", "dept", "est", "fig", "no", "nos", "vol", "pp", "al", "e.g", "i.e", "a.m", "p.m", "u.s", "u.k", "u.n", "e.u"]
)
# A candidate boundary: terminal punctuation (plus closing quotes/brackets), whitespace, then
# something that can start a sentence.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_abbreviation(text: str, dot: int) -> bool:
    # only the few characters before the dot matter: searching from 0 made long lines quadratic
    m = _WORD_BEFORE.search(text, max(0, dot - 64), dot)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in _ABBREV:
        return True
    # single initials ("J. K. Rowling") and dotted acronyms ("U.S.") do not end sentences
    return len(word) == 1 or ("." in word and len(word) <= 5)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) over ``text``; line breaks always end a sentence."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        cut = 0
        for m in _BOUNDARY.finditer(line):
            if line[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(line, m.start()):
                continue
            _add_span(spans, line, line_start, cut, m.end())
            cut = m.end()
        _add_span(spans, line, line_start, cut, len(line))
    return spans


def _add_span(spans: list[tuple[int, int]], line: str, offset: int, a: int, b: int) -> None:
    seg = line[a:b]
    stripped = seg.strip()
    if not stripped:
        return
    lead = len(seg) - len(seg.lstrip())
    spans.append((offset + a + lead, offset + a + lead + len(stripped)))


def _split_long(text: str, span: tuple[int, int], max_tokens: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at word boundaries into pieces of <= max_tokens."""
    start, end = span
    pieces: list[tuple[int, int]] = []
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    piece_start: int | None = None
    budget, prev_end = 0, start
    for ws, we in words:
        t = count_tokens(text[ws:we]) + 1
        if piece_start is not None and budget + t > max_tokens:
            pieces.append((piece_start, prev_end))
            piece_start, budget = None, 0
        if piece_start is None:
            piece_start = ws
        budget += t
        prev_end = we
    if piece_start is not None:
        pieces.append((piece_start, prev_end))
    return pieces


def chunk_article(
    article: Article,
    *,
    max_tokens: int,
    overlap: int = 1,
    counter: Callable[[str], int] = count_tokens,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``max_tokens`` tokens."""
    text = article.text
    sentences: list[tuple[int, int]] = []
    sizes: list[int] = []  # tokens per sentence (+1 for the joining space), each counted once
    for span in split_sentences(text):
        n = counter(text[span[0] : span[1]])
        if n > max_tokens:
            pieces = _split_long(text, span, max_tokens)
            sentences.extend(pieces)
            sizes.extend(counter(text[s:e]) + 1 for s, e in pieces)
        else:
            sentences.append(span)
            sizes.append(n + 1)
    version = article.content_hash[:10]
    chunks: list[Chunk] = []
    i = 0
    while i < len(sentences):
        j, total = i, 0
        while j < len(sentences) and (j == i or total + sizes[j] <= max_tokens):
            total += sizes[j]
            j += 1
        group = sentences[i:j]
        start, end = group[0][0], group[-1][1]
        chunks.append(
            Chunk(
                article_id=article.id,
                version=version,
                n=len(chunks),
                text=text[start:end],
                start=start,
                end=end,
                tokens=total,
                sentences=tuple(group),
            )
        )
        if j >= len(sentences):
            break
        # step back `overlap` sentences, but always make progress
        i = max(j - overlap, i + 1)
    return chunks


def embed_text(title: str, chunk_text: str) -> str:
    """What the embedder sees: the title gives every chunk its article's context."""
    return f"{title}\n{chunk_text}" if title else chunk_text


def rechunk_to_fit(
    article: Article,
    chunks: Sequence[Chunk],
    window_counts: Sequence[int],
    window: int,
    overlap: int,
) -> list[Chunk]:
    """Re-chunk smaller when the embedder's own tokenizer says a chunk overflows its window."""
    worst = max(c / window for c in window_counts)
    if worst <= 1.0:
        return list(chunks)
    budget = max(16, int(max(ch.tokens for ch in chunks) / worst * 0.9))
    return chunk_article(article, max_tokens=budget, overlap=overlap)
