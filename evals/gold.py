"""Gold article references resolved against the store once, before a run.

A suite names its gold articles by file name, source-path suffix, URL or article id
(``evals.metrics.matches_article``). A passage carries one source, often the article's front-matter
or dump URL, while the store keeps every source an article was seen at (its file path too). So each
reference is matched here against *all* stored sources of every article, with the same rule (equal,
or a suffix starting at ``/``, ``\\`` or ``#``), and the run then compares article ids.

Two things a suite author needs to hear about, each a ``GoldIssue``:

* a reference that names no stored article: every retrieval metric of that case is 0 for a reason
  that has nothing to do with retrieval (a typo, an article that was never ingested);
* a reference that names several articles (``004.txt`` in a corpus with ``business/004.txt`` and
  ``tech/004.txt``): each of them counts as gold, which inflates hit@k.

>>> index = GoldIndex([("a1", ["/c/business/004.txt"]), ("a2", ["/c/tech/004.txt", "https://x.org/t4"])])
>>> sorted(index.lookup("004.txt")), sorted(index.lookup("tech/004.txt")), index.lookup("t4")
(['a1', 'a2'], ['a2'], {'a2': 'https://x.org/t4'})
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.cases import Case
from evals.metrics import source_keys

SHOWN = 5  # articles named in an "ambiguous" message


class GoldIndex:
    """Reference -> the stored articles it names, built from (article id, all its sources) pairs."""

    def __init__(self, articles: Iterable[tuple[str, Iterable[str]]]) -> None:
        self.ids: set[str] = set()
        self._by_key: dict[str, dict[str, str]] = defaultdict(dict)  # key -> {article id: the source}
        for aid, sources in articles:
            self.ids.add(aid)
            for source in sources:
                for key in source_keys(source or ""):
                    self._by_key[key].setdefault(aid, source)

    @classmethod
    def from_db(cls, db: Any) -> GoldIndex:
        """Every article of an ``index.db.ArticleDB`` with every source it was seen at, and its URL."""
        n = db.counts()["articles"]
        infos = db.list_articles(limit=max(n, 1))
        return cls((a.id, (*a.sources, a.source, a.url or "")) for a in infos)

    def lookup(self, ref: str) -> dict[str, str]:
        """{article id: the source that matched} for a gold reference (an id matches itself)."""
        g = ref.strip()
        if not g:
            return {}
        if g in self.ids:
            return {g: g}
        return dict(self._by_key.get(g.rstrip("/"), {}))


@dataclass(frozen=True)
class GoldIssue:
    """A gold reference that names no stored article, or more than one (``matches``: their sources)."""

    case_id: str
    line: int | None
    ref: str
    matches: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "ambiguous" if self.matches else "unmatched"

    def __str__(self) -> str:
        where = f"case {self.case_id!r}" + (f" (line {self.line})" if self.line else "")
        ref = json.dumps(self.ref, ensure_ascii=False)
        if not self.matches:
            return (f"{where}: gold article {ref} matches no stored article, so its retrieval metrics are 0; "
                    "check the name, or ingest the article")
        shown = ", ".join(self.matches[:SHOWN])
        more = f" and {len(self.matches) - SHOWN} more" if len(self.matches) > SHOWN else ""
        return (f"{where}: gold article {ref} is ambiguous: it matches {len(self.matches)} stored articles "
                f"({shown}{more}), and each counts as gold; name one by a longer path, its URL or its id")


def resolve(cases: Sequence[Case], index: GoldIndex) -> tuple[dict[str, frozenset[str]], list[GoldIssue]]:
    """Each case's gold article ids ({case id: ids}, for cases with gold articles), and the issues."""
    golds: dict[str, frozenset[str]] = {}
    issues: list[GoldIssue] = []
    for case in cases:
        if not case.articles:
            continue
        ids: set[str] = set()
        for ref in case.articles:
            hits = index.lookup(ref)
            if len(hits) != 1:
                issues.append(GoldIssue(case.id, case.line, ref, tuple(sorted(hits.values()))))
            ids.update(hits)
        golds[case.id] = frozenset(ids)
    return golds, issues


def summary_lines(issues: Sequence[GoldIssue]) -> list[str]:
    """One line per issue (for meta/report): unmatched first, then ambiguous."""
    return [str(i) for i in sorted(issues, key=lambda i: i.kind != "unmatched")]


def counts(issues: Sequence[GoldIssue]) -> Mapping[str, int]:
    return {"unmatched": sum(i.kind == "unmatched" for i in issues),
            "ambiguous": sum(i.kind == "ambiguous" for i in issues)}
