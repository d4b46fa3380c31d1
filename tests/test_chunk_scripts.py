"""Chunking text without ASCII sentence punctuation (issue 8, item 7).

A 6,114-character Chinese article used to become one chunk of 5,826 word-pieces that the model
silently truncated to 256: its last sentences could never be found. Every chunk must fit the real
model's window (by the model's own tokenizer) and every sentence of the source must be in a chunk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunk import chunk_article, embed_text, split_sentences
from index.collection import Collection
from rag.settings import Settings
from index.types import Article

CITIES = ["北京", "上海", "广州", "深圳", "成都", "武汉", "西安", "南京", "杭州", "重庆"]


def chinese_article() -> tuple[str, list[str]]:
    """About 6,000 characters, sentences ending in 。！？ and never in ASCII punctuation."""
    sentences = []
    for i in range(190):
        city = CITIES[i % len(CITIES)]
        end = "。！？"[i % 3] if i % 7 == 0 else "。"
        sentences.append(f"第{i}号报道说{city}市今天的最高气温达到了{20 + i % 17}度，许多居民前往公园和河边避暑{end}")
    return "".join(sentences), sentences


def japanese_article() -> tuple[str, list[str]]:
    sentences = [f"{CITIES[i % 10]}の市場では今朝{i}番目の競りが行われ、マグロの価格が{100 + i}円上がりました。"
                 for i in range(120)]
    sentences += ["「本当に高い」と漁師は話しました！", "来週も値上がりするのでしょうか？"]
    return "".join(sentences), sentences


def english_list() -> tuple[str, list[str]]:
    """A long list with no full stops (and no line breaks): one 'sentence' to a naive splitter."""
    items = [f"item {i} the regional council approved funding for road repairs in district {i}" for i in range(150)]
    return " , ".join(items), items


def chinese_run_without_punctuation() -> tuple[str, list[str]]:
    """No punctuation at all: only token windows can cut it."""
    parts = [f"{CITIES[i % 10]}第{i}个社区的居民今天参加了志愿活动" for i in range(160)]
    return "".join(parts), parts


@pytest.fixture(scope="module")
def chunker(tmp_path_factory: pytest.TempPathFactory, real_embedder):  # noqa: ANN001, ANN201
    """The ingest pipeline's own chunking (budget in tiktoken tokens, then the model's window guard)."""
    s = Settings(home=tmp_path_factory.mktemp("chunkhome"), collection="scripts")
    coll = Collection.open(s, embedder=real_embedder)
    yield coll.indexer._chunk
    coll.close()


@pytest.mark.slow
@pytest.mark.parametrize("make", [chinese_article, japanese_article, english_list, chinese_run_without_punctuation])
def test_every_chunk_fits_the_model_window_and_every_sentence_is_kept(make, chunker, real_embedder) -> None:  # noqa: ANN001
    text, sentences = make()
    art = Article(source=f"/x/{make.__name__}.txt", title="新闻 ニュース news", text=text)
    chunks = chunker(art)
    assert len(chunks) > 3, "a long article must not be one chunk"
    counts = real_embedder.count_tokens([embed_text(art.title, c.text) for c in chunks])
    assert max(counts) <= real_embedder.window, counts
    for c in chunks:
        assert art.text[c.start : c.end] == c.text
    missing = [s for s in sentences if not any(s.strip(" ,") in c.text for c in chunks)]
    if make is chinese_run_without_punctuation:  # a window may cut inside a part; the text is still all there
        covered = set()
        for c in chunks:
            covered.update(range(c.start, c.end))
        assert not [i for i, ch in enumerate(text) if not ch.isspace() and i not in covered]
        assert len(missing) < len(sentences) // 4
    else:
        assert not missing, missing[:3]
    assert sentences[-1].strip(" ,") in chunks[-1].text  # the end of the article is findable


def test_sentences_split_on_the_punctuation_of_other_scripts() -> None:
    cases = {
        "今天下雨。明天会晴吗？会的！": ["今天下雨。", "明天会晴吗？", "会的！"],
        "「高い」と彼は言った。本当？": ["「高い」と彼は言った。", "本当？"],
        "आज बारिश हुई। कल धूप होगी।": ["आज बारिश हुई।", "कल धूप होगी।"],
        "วันนี้ฝนตก พรุ่งนี้แดดออก": ["วันนี้ฝนตก", "พรุ่งนี้แดดออก"],
        "هل تمطر اليوم؟ نعم": ["هل تمطر اليوم؟", "نعم"],
        "他说：“明天见。”然后走了。": ["他说：“明天见。”", "然后走了。"],
    }
    for text, want in cases.items():
        assert [text[a:b] for a, b in split_sentences(text)] == want, text


def test_unbreakable_run_is_cut_into_token_windows_with_exact_spans() -> None:
    """Fast (tiktoken only): a CJK run with no punctuation is cut, never left whole."""
    text, _ = chinese_run_without_punctuation()
    art = Article(source="/x/run.txt", title="", text=text)
    chunks = chunk_article(art, max_tokens=120, overlap=0)
    assert len(chunks) > 5
    from index.tokens import count_tokens

    assert all(count_tokens(c.text) <= 120 and art.text[c.start : c.end] == c.text for c in chunks)
    assert "".join(c.text for c in chunks) == text  # nothing lost, nothing repeated


def test_latin_sentence_splitting_is_unchanged() -> None:
    text = "Mr. Smith met J. K. Rowling in the U.S. on Monday. Prices rose 3.5% in Jan.\nShe left! Why? Fine."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Mr. Smith met J. K. Rowling in the U.S. on Monday.", "Prices rose 3.5% in Jan.", "She left!", "Why?", "Fine."]




@pytest.mark.slow
def test_window_guard_with_the_models_counter_shrinks_until_every_chunk_fits(real_embedder) -> None:  # noqa: ANN001
    """Japanese costs more word-pieces than tiktoken tokens: one shrink may not be enough."""
    from index.chunk import rechunk_to_fit

    text, _ = japanese_article()
    art = Article(source="/x/ja.txt", title="ニュース", text=text)
    big = chunk_article(art, max_tokens=1500, overlap=1)

    def count(texts: list[str]) -> list[int]:
        return real_embedder.count_tokens([embed_text(art.title, t) for t in texts])

    fitted = rechunk_to_fit(art, big, count([c.text for c in big]), real_embedder.window, 1, count=count)
    assert max(count([c.text for c in fitted])) <= real_embedder.window
    assert all(art.text[c.start : c.end] == c.text for c in fitted)
