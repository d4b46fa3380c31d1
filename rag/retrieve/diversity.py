"""The diversity cap: at most ``per_article`` passages from one article and ``per_story`` from one
story (the same wire story from several outlets, ``index.stories``), so one long article or one
story told five times cannot fill every slot."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from index.db import ChunkRow


def cap(order: Iterable[str], rows: dict[str, ChunkRow], k: int, per_article: int,
        per_story: int | None = None) -> list[ChunkRow]:
    """The first ``k`` rows of ``order`` within the caps. Ids without a row (vectors a crash left
    and no article claims) are skipped."""
    articles: Counter[str] = Counter()
    stories: Counter[str] = Counter()
    picked: list[ChunkRow] = []
    for cid in order:
        row = rows.get(cid)
        if row is None or articles[row.article_id] >= per_article:
            continue
        story = row.story_id or row.article_id
        if per_story is not None and stories[story] >= per_story:
            continue
        articles[row.article_id] += 1
        stories[story] += 1
        picked.append(row)
        if len(picked) == k:
            break
    return picked
