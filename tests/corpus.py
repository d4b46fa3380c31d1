"""Small synthetic article corpora for pipeline/store/robustness tests (deterministic, no licences).

Every article has a unique title, a unique fact sentence (``The harbour of Town<i> reopened ...``)
that a query can find, and filler sentences drawn from a fixed vocabulary.
"""

from __future__ import annotations

import random
from pathlib import Path

_WORDS = ["market", "council", "river", "bridge", "school", "minister", "storm", "harvest", "railway", "festival", "museum", "court", "budget", "election", "hospital", "factory", "museum", "airport", "league", "concert", "report", "village", "police", "export", "energy", "bank", "football", "theatre", "farmers", "union", "strike", "vote", "ferry", "coast", "mountain", "wildlife", "protest", "research"]


def article_text(i: int, sentences: int = 8) -> tuple[str, str]:
    """(title, body) of synthetic article ``i``."""
    rng = random.Random(i)
    title = f"Story {i}: {rng.choice(_WORDS)} {rng.choice(_WORDS)} news"
    body = [f"The harbour of Town{i} reopened on Monday after {i + 2} weeks of repairs."]
    for _ in range(sentences - 1):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 16))]
        body.append(words[0].capitalize() + " " + " ".join(words[1:]) + f" near Town{i}.")
    return title, " ".join(body)


def write_corpus(root: Path, n: int, *, start: int = 0, sentences: int = 8) -> list[Path]:
    """Write ``n`` articles as ``root/a<i>.txt`` (title line, blank line, body); returns the paths."""
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        title, body = article_text(i, sentences)
        p = root / f"a{i:04d}.txt"
        p.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        paths.append(p)
    return paths
