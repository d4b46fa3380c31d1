"""Chunking: sentence boundaries, token budgets, exact spans, overlap, the embedder-window guard."""

from __future__ import annotations

from pathlib import Path

from index.chunk import chunk_article, count_tokens, embed_text, rechunk_to_fit, split_sentences
from index.types import Article

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_2ee66f902f40f20f.txt"


def _article(text: str) -> Article:
    return Article(source="/x/a.txt", title="T", text=text)


def test_sentences_respect_abbreviations_initials_and_lines() -> None:
    text = "Mr. Smith met J. K. Rowling in the U.S. on Monday. Prices rose 3.5% in Jan.\nHeadline\nShe left! Why? Fine."
    got = [text[a:b] for a, b in split_sentences(text)]
    assert got == [
        "Mr. Smith met J. K. Rowling in the U.S. on Monday.",
        "Prices rose 3.5% in Jan.",
        "Headline",
        "She left!",
        "Why?",
        "Fine.",
    ]


def test_a_cjk_sentence_after_an_english_one_is_a_sentence_of_its_own() -> None:
    text = "Tanaka said the prize would pay for a new kitchen. 「とても嬉しいです」と彼女は言った。 It opens in May."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Tanaka said the prize would pay for a new kitchen.", "「とても嬉しいです」と彼女は言った。", "It opens in May."]


def test_chunks_are_exact_spans_within_budget_with_overlap() -> None:
    sentences = [f"Sentence number {i} talks about the rebels and the town of Khansir near Aleppo." for i in range(60)]
    art = _article(" ".join(sentences))
    chunks = chunk_article(art, max_tokens=80, overlap=1)
    assert len(chunks) > 5
    for c in chunks:
        assert art.text[c.start : c.end] == c.text
        assert count_tokens(c.text) <= 80
        assert all(art.text[a:b] in c.text for a, b in c.sentences)
    for prev, nxt in zip(chunks, chunks[1:]):
        assert nxt.sentences[0] == prev.sentences[-1]  # one sentence of overlap
    covered = {s for c in chunks for s in c.sentences}
    assert covered == set(split_sentences(art.text))  # nothing lost
    assert len({c.id for c in chunks}) == len(chunks)


def test_overlong_sentence_is_cut_at_words_not_dropped() -> None:
    art = _article(" ".join(f"w{i}" for i in range(1000)) + " end.")  # distinct words: no piece repeats another
    chunks = chunk_article(art, max_tokens=100, overlap=0)
    assert all(count_tokens(c.text) <= 100 for c in chunks)
    assert "".join(c.text for c in chunks).replace(" ", "") == art.text.replace(" ", "")


def test_chunk_ids_change_with_content_version() -> None:
    a = chunk_article(_article("One sentence here. Another one."), max_tokens=50)
    b = chunk_article(_article("One sentence here. Another one changed."), max_tokens=50)
    assert a[0].article_id == b[0].article_id and a[0].id != b[0].id


def test_window_guard_rechunks_smaller_with_the_models_own_count(real_embedder) -> None:  # noqa: ANN001
    art = Article(source=str(SEED), title="Seed", text=SEED.read_text(encoding="utf-8"))
    big = chunk_article(art, max_tokens=600, overlap=0)  # far past MiniLM's 256 word-pieces
    counts = real_embedder.count_tokens([embed_text(art.title, c.text) for c in big])
    assert max(counts) > real_embedder.window
    fixed = rechunk_to_fit(art, big, counts, real_embedder.window, 0)
    fixed_counts = real_embedder.count_tokens([embed_text(art.title, c.text) for c in fixed])
    assert max(fixed_counts) <= real_embedder.window
    assert len(fixed) > len(big)


def test_a_repeated_chunk_is_stored_once() -> None:
    # a file of one sentence repeated: thousands of identical vectors broke the vector index
    art = _article("Council minutes\n\n" + "The committee met again and discussed the budget. " * 600
                   + "It adjourned at noon.")
    chunks = chunk_article(art, max_tokens=60, overlap=1)
    texts = [" ".join(c.text.split()) for c in chunks]
    assert len(texts) == len(set(texts)) <= 4 and [c.n for c in chunks] == list(range(len(chunks)))
    assert chunks[-1].text.endswith("It adjourned at noon.")  # the end is still indexed
    one = chunk_article(_article("word " * 20000), max_tokens=100, overlap=0)  # one line of one word
    assert len(one) <= 2
