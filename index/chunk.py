"""Sentence-aware, token-counted chunks with exact character spans.

Chunks are runs of whole sentences (``rag.text.split_sentences``) whose tiktoken count stays under
``max_tokens`` (sized so that all-MiniLM-L6-v2's 256 word-piece window is never exceeded: the
ingest pipeline re-checks with the embedder's own tokenizer and re-chunks smaller if needed). Neighbouring chunks repeat ``overlap``
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
from rag.text import split_sentences, strip_span

# Soft places to cut a run that has no sentence end: clause punctuation of any script, then spaces.
_SOFT_CUT = re.compile(r"[,;:、，；：・\u060C]\s*|\s+")


def _split_long(
    text: str, span: tuple[int, int], max_tokens: int, counter: Callable[[str], int] = count_tokens
) -> list[tuple[int, int]]:
    """Cut one over-long sentence into pieces of <= max_tokens: at clause punctuation (so the items
    of a long list stay whole), a clause that is still too long at words, and a "word" that is
    itself too long (a run of Chinese or Japanese, a URL) into token windows."""
    start, end = span
    pieces: list[tuple[int, int]] = []
    words: list[tuple[int, int]] = []
    for cs, ce in _clauses(text, start, end):
        if counter(text[cs:ce]) + 1 <= max_tokens:
            words.append((cs, ce))
            continue
        for m in re.finditer(r"\S+", text[cs:ce]):
            ws, we = m.start() + cs, m.end() + cs
            if counter(text[ws:we]) + 1 > max_tokens:
                words.extend(_token_windows(text, ws, we, max_tokens - 1, counter))
            else:
                words.append((ws, we))
    piece_start: int | None = None
    budget, prev_end = 0, start
    for ws, we in words:
        t = counter(text[ws:we]) + 1
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


_CLAUSE_END = re.compile(r"[,;:、，；：\u060C]+(?=\s|[^\s\d])")


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of text[start:end] ended by clause punctuation (not inside numbers like 3,500 or 10:30)."""
    spans: list[tuple[int, int] | None] = []
    cut = start
    for m in _CLAUSE_END.finditer(text, start, end):
        spans.append(strip_span(text, cut, m.end()))
        cut = m.end()
    spans.append(strip_span(text, cut, end))
    return [s for s in spans if s is not None]


def _token_windows(
    text: str, start: int, end: int, max_tokens: int, counter: Callable[[str], int]
) -> list[tuple[int, int]]:
    """Spans covering text[start:end] exactly, each within ``max_tokens`` by ``counter``, each as
    long as fits (binary search on the cut), preferring to end at clause punctuation or a space."""
    out: list[tuple[int, int]] = []
    pos = start
    limit = max(1, max_tokens)
    while pos < end:
        lo, hi = pos + 1, min(end, pos + limit * 8)  # no token is shorter than 1/8 of a character
        while counter(text[pos:hi]) <= limit and hi < end:  # the window may be longer than guessed
            lo, hi = hi, min(end, hi + limit * 8)
        while lo < hi:  # largest cut whose text still fits
            mid = (lo + hi + 1) // 2
            if counter(text[pos:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        if cut < end:  # back off to a soft boundary in the last third of the window, if there is one
            soft = [m.end() for m in _SOFT_CUT.finditer(text, pos + (cut - pos) * 2 // 3, cut) if m.end() <= cut]
            if soft and soft[-1] > pos:
                cut = soft[-1]
        piece = text[pos:cut]
        stripped_start = pos + len(piece) - len(piece.lstrip())
        stripped_end = pos + len(piece.rstrip())
        if stripped_end > stripped_start:
            out.append((stripped_start, stripped_end))
        pos = cut
    return out


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
            pieces = _split_long(text, span, max_tokens, counter)
            sentences.extend(pieces)
            sizes.extend(counter(text[s:e]) + 1 for s, e in pieces)
        else:
            sentences.append(span)
            sizes.append(n + 1)
    version = article.content_hash[:10]
    chunks: list[Chunk] = []
    seen: set[str] = set()
    i = 0
    while i < len(sentences):
        j, total = i, 0
        while j < len(sentences) and (j == i or total + sizes[j] <= max_tokens):
            total += sizes[j]
            j += 1
        group = sentences[i:j]
        start, end = group[0][0], group[-1][1]
        same = " ".join(text[start:end].split())
        # a chunk the article already has adds nothing to find, and thousands of identical vectors
        # (a file of one repeated sentence) broke the vector index for the whole collection: a
        # stored chunk's own vector found it first for 91 of 254 chunks instead of all 254
        if same not in seen:
            seen.add(same)
            chunks.append(Chunk(article_id=article.id, version=version, n=len(chunks), text=text[start:end],
                                start=start, end=end, tokens=total, sentences=tuple(group)))
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
    *,
    count: Callable[[list[str]], list[int]] | None = None,
) -> list[Chunk]:
    """Re-chunk smaller when the embedder's own tokenizer says a chunk overflows its window.

    ``window_counts[i]`` is the embedder's count for ``chunks[i]`` (as embedded, title included).
    The new budget comes from the worst overflowing chunk's ratio of model tokens to our tokens
    (Japanese kana or Thai can cost several word-pieces per tiktoken token). With ``count``
    (the embedder's counter over chunk texts as embedded) the result is re-checked and shrunk
    again until every chunk fits, so nothing is ever silently truncated.
    """
    if max(window_counts, default=0) <= window:
        return list(chunks)
    ratio = max(w / max(1, c.tokens) for c, w in zip(chunks, window_counts) if w > window)
    budget = max(8, int(window / ratio * 0.9))
    for _ in range(6):
        fitted = chunk_article(article, max_tokens=budget, overlap=overlap)
        if count is None or not fitted:
            return fitted
        counts = count([c.text for c in fitted])
        if max(counts) <= window or budget <= 8:
            return fitted
        budget = max(8, int(budget * window / max(counts) * 0.9))
    return fitted
