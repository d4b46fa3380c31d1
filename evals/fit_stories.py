"""Fit story grouping (``rag/fitted/stories.json``) on labelled article pairs and report precision/recall.

    python -m evals.fit_stories               # build the pairs from ../shared, fit, write the JSON + report
    python -m evals.fit_stories --dry-run     # fit and report, write nothing

The labelled pairs are built at run time from ``../shared/corpora`` (never copied into the repo):

* **BBC, synthetic edits** (positives): an article and an edited copy of it, one edit kind per
  article: ``trimmed`` (the last 20-50% of paragraphs dropped), ``retitled`` (new headline, shown
  as the text's first line as pages do), ``reordered`` (paragraphs after the lead shuffled),
  ``sentence`` (one sentence replaced by one from another article), ``wire`` (a wire dateline
  and a reporting/editing credit added) and ``combined`` (a lighter trim + wire + sentence +
  retitle, as a syndicated copy usually is).
* **BBC, negatives**: a random article of another category, and the *same-category* article with
  the highest word overlap (word-set Jaccard): same topic, often the same people, another story.
* **BBC, natural pairs**: the BBC set itself holds versions of a story (same headline, updated
  text); pairs with shingle containment >= 0.5 were read and labelled by hand (``BBC_LABELS``);
  pairs below 0.5 that the candidate search finds were read by title and are follow-ups
  (another day's development), labelled different; byte-identical duplicates are left out
  (the content hash already merges them).
* **RealTime QA dev** (CNN, USA Today, The Week): every pair of articles dated within 2 days of
  each other whose word-set Jaccard is >= 0.3 (187 pairs), each labelled by reading it
  (``RTQA_LABELS``; leads and shared paragraphs for the 58 with 5-shingle containment >= 0.25,
  title and lead for the rest). ``same``: one article is a version of the other (a copy, a trim,
  an update with revised figures or a rewritten lead over the same body, a live page carrying the
  report) about the same development; ``different``: another report, including the next
  development of an ongoing story that reuses background paragraphs (the daily winter-storm or
  volcano pages), templates (newsletters, "how to watch") and galleries. Two more labels are left
  out of precision/recall and reported apart: ``event`` (the same event written up independently
  by another outlet or desk: not a near-duplicate; grouping those needs semantic clustering) and
  ``unsure``.

Every pair falls in a *tuning* or a *checking* split by a hash of its base article (BBC) or of
its earlier article (RealTime QA); parameters are chosen on tuning only: the highest tuning
recall whose tuning precision is >= ``--min-precision`` (default 0.97, a margin over the 0.95
target) over all pairs *and* >= ``--min-real-precision`` (0.95) over the real pairs alone (BBC
natural + RealTime QA): the synthetic pairs are most of the set and easy, and alone they would pick
a containment so low that next-day update pages of one event (real, and labelled different)
merge. Ties go to the real pairs' recall, then fewer permutations. The decision it fits is the one ``index.stories`` applies:
an LSH candidate at the Jaccard threshold whose estimated Jaccard and containment both pass.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import logging
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from index.stories import FITTED, SHINGLE_VERSION, Signature, StoryParams, _bands, group, shingles, signature, words

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"
REPORT = ROOT / "evals" / "results" / "stories.json"
REPORT_MD = ROOT / "evals" / "results" / "stories.md"

SHINGLES = (3, 4, 5, 6, 7)
#: 128 permutations: the Jaccard estimate's standard error is sqrt(J(1-J)/n), 0.044 at J=0.5
#: (0.063 with 64, which moves containment estimates near the threshold by +-0.08); 256 doubles the
#: signature, the LSH memory and each query for 0.031. ``--perms 64,128,256`` refits over all three.
PERMS = (128,)
JACCARDS = tuple(round(0.05 * i, 2) for i in range(2, 15))  # 0.10 .. 0.70
#: LSH cost bound: a Jaccard threshold is only eligible when an unrelated article (estimated
#: Jaccard 0.05, above what unrelated news articles share at 4+ word shingles) comes back as a
#: candidate with probability <= 1%: at 0.1 the LSH uses one-row bands and returns ~40% of the
#: collection for every query, so each ``assign`` would read half the database.
UNRELATED_J, MAX_UNRELATED_CANDIDATE = 0.05, 0.01
CONTAINMENTS = tuple(round(0.05 * i, 2) for i in range(6, 20))  # 0.30 .. 0.95
MIN_SHINGLES = 8
EDITS = ("trimmed", "retitled", "reordered", "sentence", "wire", "combined")

# BBC pairs (category/file) with 5-shingle containment >= 0.5 that are not byte-identical, read by hand.
BBC_LABELS: dict[tuple[str, str], str] = {
    ("politics/111.txt", "politics/293.txt"): "same",  # same headline, one a longer version
    ("entertainment/179.txt", "entertainment/216.txt"): "same",
    ("entertainment/142.txt", "entertainment/229.txt"): "same",
    ("tech/043.txt", "tech/326.txt"): "same",
    ("politics/077.txt", "politics/354.txt"): "same",
    ("business/260.txt", "business/354.txt"): "same",
    ("politics/088.txt", "politics/337.txt"): "same",
    ("sport/226.txt", "sport/232.txt"): "same",
    ("politics/175.txt", "politics/349.txt"): "same",
    ("sport/424.txt", "sport/511.txt"): "unsure",  # semi-final report updated to the final's line-up
    ("business/209.txt", "business/229.txt"): "unsure",  # takeover offer: reaction vs share move, shared body
    ("politics/311.txt", "politics/312.txt"): "unsure",  # pension strike talks, before/after
    ("politics/069.txt", "politics/312.txt"): "unsure",
    ("politics/327.txt", "politics/328.txt"): "different",  # two Goldsmith stories, shared quotes
    ("entertainment/152.txt", "entertainment/163.txt"): "different",  # Beatles suits vs Elvis recordings
    ("entertainment/038.txt", "entertainment/355.txt"): "different",
    ("tech/101.txt", "tech/123.txt"): "unsure",
    ("entertainment/143.txt", "entertainment/159.txt"): "different",
    ("tech/018.txt", "tech/190.txt"): "different",
    ("tech/141.txt", "tech/173.txt"): "different",
    ("politics/064.txt", "politics/161.txt"): "different",
    ("business/138.txt", "business/152.txt"): "unsure",
    ("politics/335.txt", "politics/338.txt"): "different",
}

# RealTime QA dev pairs (see the module docstring for how they were chosen and labelled).
RTQA_LABELS: tuple[tuple[str, str, str], ...] = (
    ("rtqa-7d84a2c1c2e0", "rtqa-9242e19725bd", "same"),
    ("rtqa-80c5b986bb33", "rtqa-986e841ab2e4", "same"),
    ("rtqa-9a38dc80d9f2", "rtqa-eeb04665f8f1", "same"),
    ("rtqa-9737b680b78f", "rtqa-c1e6b8c42a7f", "same"),
    ("rtqa-dcb30dc1f6cd", "rtqa-e29efb9dc8f2", "same"),
    ("rtqa-51b4de9ab47f", "rtqa-ce3c63cdcf7d", "same"),
    ("rtqa-022097fbf18c", "rtqa-c150c64dfc35", "same"),
    ("rtqa-7de525576801", "rtqa-df6eb97360c6", "same"),
    ("rtqa-705a6b1fb6b3", "rtqa-91fa890e2b12", "unsure"),
    ("rtqa-336179387528", "rtqa-315e6fd1d2c0", "same"),
    ("rtqa-8ff542da1635", "rtqa-22e789083b2a", "same"),
    ("rtqa-2af77bb73cde", "rtqa-dd8eb34166c4", "same"),
    ("rtqa-91fa890e2b12", "rtqa-b0e6141d8a83", "different"),
    ("rtqa-705a6b1fb6b3", "rtqa-b0e6141d8a83", "different"),
    ("rtqa-598bccde8be6", "rtqa-c598398b2f0f", "same"),
    ("rtqa-9d2d1b4ee6c2", "rtqa-e90c81f5e5b1", "same"),
    ("rtqa-6730912f1402", "rtqa-c69f68c6e2e0", "same"),
    ("rtqa-0f043c23c839", "rtqa-aea26827c31c", "same"),
    ("rtqa-8eb665f8582a", "rtqa-eebe6ea9568b", "different"),
    ("rtqa-1804e586b744", "rtqa-e59f8969b1f5", "different"),
    ("rtqa-2b751d51b354", "rtqa-02ceaff238ae", "different"),
    ("rtqa-38119082b759", "rtqa-d1c5ba3ccb16", "different"),
    ("rtqa-311d1b13dd4e", "rtqa-6fa4efa63250", "different"),
    ("rtqa-2a716a862326", "rtqa-7b693abb6704", "same"),
    ("rtqa-2b02b0cc8c50", "rtqa-105237ab1e3d", "same"),
    ("rtqa-f38a459fd09f", "rtqa-7480602c8f93", "different"),
    ("rtqa-74a02c4d0384", "rtqa-eb509fa89405", "different"),
    ("rtqa-b5d287c7facc", "rtqa-7c10357054d6", "different"),
    ("rtqa-d5090bd0d4cf", "rtqa-435bf5d9963c", "different"),
    ("rtqa-15d3d278a29a", "rtqa-a716c54b716c", "different"),
    ("rtqa-c4c771e3a9c2", "rtqa-eb71196d2058", "different"),
    ("rtqa-435bf5d9963c", "rtqa-71df584b059b", "different"),
    ("rtqa-106efbc8d7ee", "rtqa-55d3bf04005c", "same"),
    ("rtqa-15d3d278a29a", "rtqa-d5090bd0d4cf", "different"),
    ("rtqa-34245c50e090", "rtqa-fc69ed9d6aad", "same"),
    ("rtqa-37b21d0600cf", "rtqa-a27f202f4b3d", "different"),
    ("rtqa-d5090bd0d4cf", "rtqa-71df584b059b", "different"),
    ("rtqa-1014a245e8f2", "rtqa-6b56f1d5503a", "different"),
    ("rtqa-a716c54b716c", "rtqa-d5090bd0d4cf", "different"),
    ("rtqa-a716c54b716c", "rtqa-435bf5d9963c", "different"),
    ("rtqa-71df584b059b", "rtqa-3a933daa89bb", "different"),
    ("rtqa-078c56685931", "rtqa-3986b5f7393f", "different"),
    ("rtqa-ba14a1331eab", "rtqa-eaea1bf17273", "different"),
    ("rtqa-705d56b95d63", "rtqa-c4c771e3a9c2", "different"),
    ("rtqa-cb3c8a36b379", "rtqa-078c56685931", "different"),
    ("rtqa-5fad88d0cc36", "rtqa-078c56685931", "different"),
    ("rtqa-8fb5da4f4dad", "rtqa-153fd3a619f1", "different"),
    ("rtqa-239957827f19", "rtqa-d07e89e8a317", "same"),
    ("rtqa-3986b5f7393f", "rtqa-974eaa93e030", "different"),
    ("rtqa-321b4998c9bc", "rtqa-640fff3832d6", "different"),
    ("rtqa-e7733b8e5287", "rtqa-261445fdf394", "different"),
    ("rtqa-f461317a10d1", "rtqa-7e3248d37555", "different"),
    ("rtqa-c2e3f7c8c9fa", "rtqa-d82b9ba1538a", "event"),
    ("rtqa-172e6a2341c8", "rtqa-4268dbb0846a", "different"),
    ("rtqa-0f653e5f6256", "rtqa-2731e41c9b7e", "different"),
    ("rtqa-99c139aae673", "rtqa-f8c9bddf4d18", "different"),
    ("rtqa-fc0e35d44f18", "rtqa-05c036aa9567", "different"),
    ("rtqa-e29efb9dc8f2", "rtqa-6f31edfcbc94", "different"),
    ("rtqa-d5e792c5e335", "rtqa-f6ac15d44199", "different"),
    ("rtqa-c05fc9997cb7", "rtqa-e279e73db6b6", "different"),
    ("rtqa-34487cf59220", "rtqa-fedd6c7bd6b9", "event"),
    ("rtqa-72bb527590f2", "rtqa-fbcee03721ec", "event"),
    ("rtqa-fabe5663e8af", "rtqa-53c77eaa1bb5", "different"),
    ("rtqa-78a37e76b3a3", "rtqa-66f886ec8619", "different"),
    ("rtqa-3d2d9c3490d9", "rtqa-5baf8411002a", "event"),
    ("rtqa-6313ecf4378d", "rtqa-b5d287c7facc", "different"),
    ("rtqa-c92c93464392", "rtqa-a92bba580ec2", "different"),
    ("rtqa-cb3c8a36b379", "rtqa-5fad88d0cc36", "different"),
    ("rtqa-187a20435053", "rtqa-7c386e177a58", "event"),
    ("rtqa-1e61e0874a1e", "rtqa-9062f70e6843", "event"),
    ("rtqa-c05fc9997cb7", "rtqa-9ba9445d1999", "different"),
    ("rtqa-45f8be3b4e3c", "rtqa-7c29a260d344", "different"),
    ("rtqa-4c612e4487bc", "rtqa-cd97905a481b", "different"),
    ("rtqa-0c5ec693f0d6", "rtqa-9a5ccb03206d", "event"),
    ("rtqa-a899e7b67059", "rtqa-c92b633b4950", "different"),
    ("rtqa-d56a3e992f83", "rtqa-4e070f62292d", "different"),
    ("rtqa-717a63b6164c", "rtqa-ba14a1331eab", "different"),
    ("rtqa-3a98ab64c9cc", "rtqa-d142d462ecc2", "different"),
    ("rtqa-458267a35b00", "rtqa-456efda71bbb", "different"),
    ("rtqa-07d19309415e", "rtqa-9a27edf17f07", "event"),
    ("rtqa-3839556837be", "rtqa-ac6be8445b7f", "different"),
    ("rtqa-dcb30dc1f6cd", "rtqa-6f31edfcbc94", "different"),
    ("rtqa-34487cf59220", "rtqa-8bd6e90394c1", "different"),
    ("rtqa-6160ceb51785", "rtqa-9062f70e6843", "different"),
    ("rtqa-78a37e76b3a3", "rtqa-d5fae1363bbf", "event"),
    ("rtqa-57d956ba8829", "rtqa-b907c63ed099", "different"),
    ("rtqa-c21b22646ae2", "rtqa-c22845fa9132", "different"),
    ("rtqa-cd3501baf631", "rtqa-e61e2dfef7bd", "different"),
    ("rtqa-846fb02a15c1", "rtqa-09fba34586b4", "different"),
    ("rtqa-649c325347e4", "rtqa-65000d1182c3", "event"),
    ("rtqa-7e44e4f8eaa2", "rtqa-8ad649b6fb5d", "different"),
    ("rtqa-ce86c6f564b8", "rtqa-42dbb0ef7010", "different"),
    ("rtqa-6e3c1705458e", "rtqa-5664d280a56a", "different"),
    ("rtqa-ac319379d5fc", "rtqa-724951ad1602", "different"),
    ("rtqa-d34e2ab3ba88", "rtqa-a899e7b67059", "different"),
    ("rtqa-25bbc924a3f2", "rtqa-6f38304feed5", "different"),
    ("rtqa-59f849254d0c", "rtqa-7b2cbc9038ea", "different"),
    ("rtqa-ee6388205a9b", "rtqa-2bca93b2fa5e", "different"),
    ("rtqa-9a27edf17f07", "rtqa-87d738111563", "different"),
    ("rtqa-725601282578", "rtqa-750831626b0f", "different"),
    ("rtqa-35a25c6dd771", "rtqa-eaf2d6286550", "event"),
    ("rtqa-c92c93464392", "rtqa-9c237008c10b", "different"),
    ("rtqa-77af31294045", "rtqa-0b991bec47a7", "different"),
    ("rtqa-67de32841986", "rtqa-24d2da62d78c", "different"),
    ("rtqa-2c4baa210d85", "rtqa-5772c801a610", "different"),
    ("rtqa-48a40b6a044a", "rtqa-705d56b95d63", "different"),
    ("rtqa-4c90de384803", "rtqa-e05003d8e13f", "different"),
    ("rtqa-b907c63ed099", "rtqa-6f31edfcbc94", "different"),
    ("rtqa-aaa6698b14ea", "rtqa-2e4412866ed5", "event"),
    ("rtqa-5664d280a56a", "rtqa-cb3c8a36b379", "different"),
    ("rtqa-b907c63ed099", "rtqa-dcb30dc1f6cd", "different"),
    ("rtqa-5f99a179a6ba", "rtqa-c4dcbecb4ef3", "different"),
    ("rtqa-b242a814516a", "rtqa-ff71065a567b", "different"),
    ("rtqa-5f28bb4e3614", "rtqa-a30177db5443", "different"),
    ("rtqa-d34e2ab3ba88", "rtqa-c92b633b4950", "different"),
    ("rtqa-02ceaff238ae", "rtqa-6815556df1d0", "different"),
    ("rtqa-9c237008c10b", "rtqa-a92bba580ec2", "different"),
    ("rtqa-b907c63ed099", "rtqa-e29efb9dc8f2", "different"),
    ("rtqa-bf3bffceb0a3", "rtqa-f1f8d46bc185", "different"),
    ("rtqa-adda562c71ec", "rtqa-535de7863057", "different"),
    ("rtqa-c70403a6eb8e", "rtqa-ee2c888fc731", "event"),
    ("rtqa-9a933dd79cec", "rtqa-aa8e4a3904a2", "different"),
    ("rtqa-dd460768dd04", "rtqa-80d131cfcffe", "different"),
    ("rtqa-0580c9564e71", "rtqa-45c22f9bada8", "different"),
    ("rtqa-4d4af2effa5d", "rtqa-8e8242b120a2", "different"),
    ("rtqa-4c52c33268df", "rtqa-a0c946ef7cf6", "event"),
    ("rtqa-3839556837be", "rtqa-f02360949881", "different"),
    ("rtqa-57d956ba8829", "rtqa-dcb30dc1f6cd", "different"),
    ("rtqa-8477f89197be", "rtqa-5ecbeba91210", "different"),
    ("rtqa-a6de7dc595fd", "rtqa-546b429ef96a", "different"),
    ("rtqa-485aa49d339d", "rtqa-57d956ba8829", "different"),
    ("rtqa-57d956ba8829", "rtqa-e29efb9dc8f2", "different"),
    ("rtqa-09b813e974bd", "rtqa-5b604ae7c4b7", "event"),
    ("rtqa-500ec21472b7", "rtqa-15fc1f95fd59", "different"),
    ("rtqa-5fd9052be48c", "rtqa-51b66ebdaf0e", "different"),
    ("rtqa-e980bbbce5c6", "rtqa-15eaae932076", "different"),
    ("rtqa-51b66ebdaf0e", "rtqa-204ed18be135", "different"),
    ("rtqa-f9e7e1ad808a", "rtqa-a4a7c8610a78", "different"),
    ("rtqa-ff78f274d3c1", "rtqa-8e8242b120a2", "different"),
    ("rtqa-4d4af2effa5d", "rtqa-ff78f274d3c1", "different"),
    ("rtqa-d384bfc5c7c1", "rtqa-468b6fd223ad", "different"),
    ("rtqa-a0c946ef7cf6", "rtqa-f606dd7933f4", "event"),
    ("rtqa-10a875fcae7f", "rtqa-f3f4c6ce8dde", "event"),
    ("rtqa-e0617f60fb9f", "rtqa-36c4d3cc835d", "different"),
    ("rtqa-a539cfa139ce", "rtqa-7c2008145532", "different"),
    ("rtqa-2b751d51b354", "rtqa-582c039f829e", "event"),
    ("rtqa-04d4e5d11814", "rtqa-dcb3fb2c75dd", "event"),
    ("rtqa-53307e021465", "rtqa-cfb74470502f", "different"),
    ("rtqa-bedaa073153e", "rtqa-4a4fbe2e67d3", "different"),
    ("rtqa-39f3e7fb7e0f", "rtqa-5dad813e9855", "different"),
    ("rtqa-5f28bb4e3614", "rtqa-7543764a817b", "different"),
    ("rtqa-582c039f829e", "rtqa-02ceaff238ae", "different"),
    ("rtqa-7268b53c9cd6", "rtqa-04d0a95b8004", "different"),
    ("rtqa-456efda71bbb", "rtqa-40ae4e141210", "different"),
    ("rtqa-485aa49d339d", "rtqa-b907c63ed099", "different"),
    ("rtqa-d5fae1363bbf", "rtqa-66f886ec8619", "different"),
    ("rtqa-fc69ed9d6aad", "rtqa-f3f4c6ce8dde", "different"),
    ("rtqa-24d2da62d78c", "rtqa-857561d8c039", "different"),
    ("rtqa-9cc85ee46250", "rtqa-c92c93464392", "event"),
    ("rtqa-7a47d4c064e0", "rtqa-f40c97696a1c", "different"),
    ("rtqa-9a5ccb03206d", "rtqa-efadf9eec27c", "event"),
    ("rtqa-f40c97696a1c", "rtqa-760bd216a6d6", "different"),
    ("rtqa-c1e6b8c42a7f", "rtqa-127e122b9431", "different"),
    ("rtqa-5772c801a610", "rtqa-221095d149fe", "different"),
    ("rtqa-11623609fb26", "rtqa-018e41d7d445", "different"),
    ("rtqa-910145b56d89", "rtqa-2abad0d1eef7", "different"),
    ("rtqa-c4c771e3a9c2", "rtqa-2b10df3a08cf", "event"),
    ("rtqa-388cba30c626", "rtqa-dd460768dd04", "different"),
    ("rtqa-7a47d4c064e0", "rtqa-760bd216a6d6", "different"),
    ("rtqa-f40c97696a1c", "rtqa-3306cb234abf", "different"),
    ("rtqa-fc69ed9d6aad", "rtqa-10a875fcae7f", "event"),
    ("rtqa-10a875fcae7f", "rtqa-68cbaa175f57", "different"),
    ("rtqa-6978bbb2db04", "rtqa-7f3cbecae63c", "different"),
    ("rtqa-d4dc119321c0", "rtqa-0cf2a69b06af", "different"),
    ("rtqa-284d89fdd905", "rtqa-5fd1a4030a0d", "different"),
    ("rtqa-be720cfb6f33", "rtqa-08967ee93b3f", "different"),
    ("rtqa-649c325347e4", "rtqa-307a5e189e5b", "different"),
    ("rtqa-f7af2741b3fd", "rtqa-5c893c8ccb40", "different"),
    ("rtqa-760bd216a6d6", "rtqa-3306cb234abf", "different"),
    ("rtqa-e57aea377066", "rtqa-bc15869e8495", "different"),
    ("rtqa-78ebf111c8e6", "rtqa-87d738111563", "event"),
    ("rtqa-6d3c95e651f3", "rtqa-f09102d4bf95", "different"),
    ("rtqa-485fd2d88c38", "rtqa-daaa61e0e2fe", "different"),
    ("rtqa-3ecd4a12d95a", "rtqa-4c80783ea603", "different"),
    ("rtqa-f3480bd5900f", "rtqa-ac748621df52", "different"),
    ("rtqa-a43ff31ed91f", "rtqa-da84e5b71f5b", "different"),
    ("rtqa-1847e2d6563b", "rtqa-a9aa8cbc0bb3", "different"),
)


@dataclass(frozen=True)
class Pair:
    dataset: str  # "bbc-edit" | "bbc-negative" | "bbc-natural" | "rtqa"
    kind: str  # edit kind, negative kind, or "natural"
    a: str  # text keys
    b: str
    label: str  # "same" | "different" | "event" | "unsure"
    split: str  # "tune" | "check"


def _split(key: str) -> str:
    return "check" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 3 == 0 else "tune"


# --- building the labelled pairs ------------------------------------------------------------------
def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", text) if s.strip()]


def edit(kind: str, title: str, text: str, other: str, rng: random.Random) -> str:
    """The text of an edited copy (titles are not shingled, so a retitle shows as a first line)."""
    paras = _paragraphs(text)
    if kind == "trimmed" or kind == "combined":
        lo, hi = (0.2, 0.5) if kind == "trimmed" else (0.1, 0.3)
        keep = max(2, round(len(paras) * (1 - rng.uniform(lo, hi))))
        paras = paras[: min(keep, max(2, len(paras) - 1))]
    if kind == "reordered" and len(paras) > 2:
        rest = paras[1:]
        rng.shuffle(rest)
        paras = [paras[0], *rest]
    if kind in ("sentence", "combined"):
        sents = [(i, s) for i, p in enumerate(paras) for s in _sentences(p)]
        donor = _sentences(other) or [other]
        if sents:
            i, s = sents[rng.randrange(len(sents))]
            paras[i] = paras[i].replace(s, rng.choice(donor), 1)
    if kind in ("wire", "combined"):
        city = rng.choice(["LONDON", "NEW YORK", "BRUSSELS", "WASHINGTON", "PARIS"])
        agency = rng.choice(["Reuters", "AP", "AFP"])
        paras[0] = f"{city} ({agency}) - {paras[0]}"
        paras.append(f"(Reporting by {rng.choice(['Ann Smith', 'Raj Patel', 'Li Wei'])}; "
                     f"Editing by {rng.choice(['Tom Brown', 'Eva Kohl'])})")
    if kind in ("retitled", "combined"):
        paras.insert(0, f"{rng.choice(['UPDATE 1', 'Analysis', 'Breaking'])}: {title.upper()} - what we know")
    return "\n\n".join(paras)


def bbc_pairs(path: Path, n_base: int, seed: int) -> tuple[dict[str, str], list[Pair], dict[str, object]]:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    texts = {f"bbc:{r['category']}/{r['file']}": r["text"] for r in rows}
    cat = {f"bbc:{r['category']}/{r['file']}": r["category"] for r in rows}
    title = {f"bbc:{r['category']}/{r['file']}": r["title"] for r in rows}
    keys = list(texts)
    sh5 = {k: shingles(texts[k], 5) for k in keys}
    wset = {k: set(words(texts[k])) for k in keys}

    # natural near-duplicates inside the BBC set (exact 5-shingle containment; labelled above)
    natural: list[Pair] = []
    in_natural: set[str] = set()
    exact_dups = 0
    by_cat = defaultdict(list)
    for k in keys:
        by_cat[cat[k]].append(k)
    hard: dict[str, tuple[float, str]] = {}
    for c, ks in by_cat.items():
        for i, x in enumerate(ks):
            for y in ks[i + 1 :]:
                inter = len(sh5[x] & sh5[y])
                cont = inter / max(1, min(len(sh5[x]), len(sh5[y])))
                if cont >= 0.1:
                    in_natural.update((x, y))
                    if cont >= 0.95:
                        exact_dups += 1
                        continue
                    label = BBC_LABELS.get((x[4:], y[4:])) or BBC_LABELS.get((y[4:], x[4:]))
                    if label is None:
                        label = "different" if cont < 0.5 else "unsure"
                    natural.append(Pair("bbc-natural", "natural", x, y, label, _split(min(x, y))))
                wj = len(wset[x] & wset[y]) / max(1, len(wset[x] | wset[y]))
                for u, v in ((x, y), (y, x)):
                    if wj > hard.get(u, (-1.0, ""))[0]:
                        hard[u] = (wj, v)

    rng = random.Random(seed)
    clean = sorted(k for k in keys if k not in in_natural)
    base = rng.sample(clean, min(n_base, len(clean)))
    pairs: list[Pair] = list(natural)
    for i, k in enumerate(base):
        kind = EDITS[i % len(EDITS)]
        donor = texts[rng.choice(keys)]
        ek = f"{k}#edit-{kind}"
        texts[ek] = edit(kind, title[k], texts[k], donor, random.Random(f"{seed}:{k}"))
        split = _split(k)
        pairs.append(Pair("bbc-edit", kind, k, ek, "same", split))
        other = rng.choice([x for x in clean if cat[x] != cat[k]])
        pairs.append(Pair("bbc-negative", "other-category", k, other, "different", split))
        near = hard.get(k, (0.0, ""))[1]
        if near and near not in in_natural:
            pairs.append(Pair("bbc-negative", "same-category-nearest", k, near, "different", split))
            pairs.append(Pair("bbc-negative", "same-category-nearest-edited", ek, near, "different", split))
    info = {"articles": len(rows), "base_articles": len(base), "natural_pairs": len(natural),
            "exact_duplicate_pairs_left_out": exact_dups}
    return texts, pairs, info


def rtqa_pairs(path: Path) -> tuple[dict[str, str], list[Pair], dict[str, object]]:
    arts = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            a = json.loads(line)
            arts[a["id"]] = a
    texts: dict[str, str] = {}
    pairs = []
    missing = 0
    for x, y, label in RTQA_LABELS:
        if x not in arts or y not in arts:
            missing += 1
            continue
        texts[f"rtqa:{x}"], texts[f"rtqa:{y}"] = arts[x]["text"], arts[y]["text"]
        first = min((arts[x]["date"], x), (arts[y]["date"], y))[1]
        pairs.append(Pair("rtqa", "candidate", f"rtqa:{x}", f"rtqa:{y}", label, _split(first)))
    return texts, pairs, {"articles": len(arts), "labelled_pairs": len(pairs), "missing_articles": missing,
                          "labels": dict(Counter(p.label for p in pairs))}


def rtqa_candidates(path: Path, min_word_jaccard: float = 0.3, days: int = 2) -> list[tuple[str, str, float]]:
    """How ``RTQA_LABELS`` was drawn (rerun it to extend the labels): pairs within ``days`` days
    whose word-set Jaccard is at least ``min_word_jaccard``."""
    arts = [json.loads(line) for line in path.open(encoding="utf-8")]
    day = {a["id"]: dt.date.fromisoformat(a["date"][:10]) for a in arts}
    ws = {a["id"]: set(words(a["text"])) for a in arts}
    by_day = defaultdict(list)
    for a in arts:
        by_day[day[a["id"]]].append(a["id"])
    out = []
    for d, ids in by_day.items():
        near = [y for k in range(days + 1) for y in by_day.get(d + dt.timedelta(k), [])]
        for x in ids:
            for y in near:
                if x == y or (day[y] == d and y <= x):
                    continue
                j = len(ws[x] & ws[y]) / max(1, len(ws[x] | ws[y]))
                if j >= min_word_jaccard:
                    out.append((x, y, j))
    return out


# --- scoring --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scored:
    """Per pair, for one (shingle, num_perm): estimated Jaccard/containment, set sizes, signatures."""

    j: np.ndarray
    c: np.ndarray
    small: np.ndarray  # min set size
    ha: np.ndarray  # (pairs, num_perm) hash values
    hb: np.ndarray


def score(pairs: Sequence[Pair], texts: dict[str, str], k: int, p: int) -> Scored:
    params = StoryParams(k, p, 0.5, 0.5)
    sigs: dict[str, Signature] = {}
    for key in {x for pr in pairs for x in (pr.a, pr.b)}:
        sigs[key] = signature(texts[key], params)
    ha = np.stack([sigs[pr.a].hashvalues for pr in pairs])
    hb = np.stack([sigs[pr.b].hashvalues for pr in pairs])
    j = (ha == hb).mean(axis=1)
    sa = np.array([sigs[pr.a].size for pr in pairs], dtype=float)
    sb = np.array([sigs[pr.b].size for pr in pairs], dtype=float)
    small = np.minimum(sa, sb)
    c = np.minimum(1.0, j * (sa + sb) / (1.0 + j) / np.maximum(small, 1))
    return Scored(j, c, small, ha, hb)


def predict(s: Scored, params: StoryParams) -> np.ndarray:
    """What ``StoryIndex`` decides for each pair: LSH candidate and both thresholds met."""
    b, r = _bands(params)
    cand = (s.ha[:, : b * r] == s.hb[:, : b * r]).reshape(len(s.j), b, r).all(axis=2).any(axis=1)
    return cand & (s.j >= params.jaccard) & (s.c >= params.containment) & (s.small >= params.min_shingles)


def figures(pred: np.ndarray, pairs: Sequence[Pair], mask: np.ndarray) -> dict[str, float | int]:
    y = np.array([p.label == "same" for p in pairs])
    m = mask & np.array([p.label in ("same", "different") for p in pairs])
    tp = int((pred & y & m).sum())
    fp = int((pred & ~y & m).sum())
    fn = int((~pred & y & m).sum())
    return {"pairs": int(m.sum()), "positives": int((y & m).sum()), "tp": tp, "fp": fp, "fn": fn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0}


def breakdown(pred: np.ndarray, pairs: Sequence[Pair], split: str) -> dict[str, dict[str, object]]:
    """Per dataset and kind: how many pairs were grouped (recall for positives, FP rate for negatives)."""
    out: dict[str, dict[str, object]] = {}
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        if p.split == split:
            groups[f"{p.dataset}/{p.kind}/{p.label}"].append(i)
    for g, idx in sorted(groups.items()):
        out[g] = {"pairs": len(idx), "grouped": int(pred[idx].sum())}
    return out


REAL = ("bbc-natural", "rtqa")  # pairs of real articles (not synthetic edits)


def candidate_rate(params: StoryParams, j: float) -> float:
    """Probability that the LSH returns a pair of Jaccard ``j`` as a candidate (1 - (1 - j^r)^b)."""
    b, r = _bands(params)
    return 1.0 - (1.0 - j**r) ** b


def fit(
    pairs: Sequence[Pair], texts: dict[str, str], min_precision: float, min_real_precision: float,
    shingle_sizes: Sequence[int] = SHINGLES, perms: Sequence[int] = PERMS,
) -> tuple[StoryParams, list[dict], dict]:
    tune = np.array([p.split == "tune" for p in pairs])
    real = tune & np.array([p.dataset in REAL for p in pairs])
    grid = []
    scored = {}
    best: tuple[tuple, StoryParams] | None = None
    for k in shingle_sizes:
        for p in perms:
            t0 = time.perf_counter()
            s = scored[(k, p)] = score(pairs, texts, k, p)
            log.info("shingle %d, %d permutations: signatures in %.1fs", k, p, time.perf_counter() - t0)
            for jt in JACCARDS:
                if candidate_rate(StoryParams(k, p, jt, 0.5), UNRELATED_J) > MAX_UNRELATED_CANDIDATE:
                    continue
                for ct in CONTAINMENTS:
                    params = StoryParams(k, p, jt, ct, MIN_SHINGLES)
                    pred = predict(s, params)
                    f, fr = figures(pred, pairs, tune), figures(pred, pairs, real)
                    grid.append({"shingle": k, "num_perm": p, "jaccard": jt, "containment": ct,
                                 "precision": f["precision"], "recall": f["recall"],
                                 "real_precision": fr["precision"], "real_recall": fr["recall"]})
                    if f["precision"] >= min_precision and fr["precision"] >= min_real_precision:
                        # highest recall, then real-pair recall, precision, fewer permutations, and the
                        # higher jaccard (fewer LSH candidates to check)
                        rank = (f["recall"], fr["recall"], f["precision"], -p, jt)
                        if best is None or rank > best[0]:
                            best = (rank, params)
    if best is None:
        raise SystemExit(f"no parameters reach precision {min_precision} on the tuning pairs")
    return best[1], grid, scored


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bbc", type=Path, default=SHARED / "bbc-news" / "bbc_articles.csv")
    ap.add_argument("--rtqa", type=Path, default=SHARED / "realtimeqa-dev" / "corpus.jsonl")
    ap.add_argument("--base", type=int, default=600, help="BBC articles given an edited copy")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--min-precision", type=float, default=0.97, help="tuning precision the fit must keep")
    ap.add_argument("--min-real-precision", type=float, default=0.95,
                    help="tuning precision the fit must keep on the real pairs alone (BBC natural + RealTime QA)")
    ap.add_argument("--out", type=Path, default=FITTED)
    ap.add_argument("--report", type=Path, default=REPORT)
    ap.add_argument("--perms", default=",".join(map(str, PERMS)), help="permutation counts to try, e.g. 64,128,256")
    ap.add_argument("--shingles", default=",".join(map(str, SHINGLES)), help="shingle sizes to try")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    perms = tuple(int(x) for x in args.perms.split(","))
    sizes_k = tuple(int(x) for x in args.shingles.split(","))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in (args.bbc, args.rtqa):
        if not path.exists():
            print(f"missing {path}: the labelled pairs are built from ../shared/corpora", file=sys.stderr)
            return 2

    t0 = time.perf_counter()
    texts, pairs, bbc_info = bbc_pairs(args.bbc, args.base, args.seed)
    rtexts, rpairs, rtqa_info = rtqa_pairs(args.rtqa)
    texts.update(rtexts)
    pairs += rpairs
    log.info("%d labelled pairs (%s)", len(pairs), dict(Counter(p.label for p in pairs)))

    params, grid, scored = fit(pairs, texts, args.min_precision, args.min_real_precision, sizes_k, perms)
    pred = predict(scored[(params.shingle, params.num_perm)], params)
    tune = np.array([p.split == "tune" for p in pairs])
    check = ~tune
    ds = np.array([p.dataset for p in pairs])
    result = {
        "tuning": figures(pred, pairs, tune),
        "checking": figures(pred, pairs, check),
        "tuning_real": figures(pred, pairs, tune & np.isin(ds, REAL)),
        "checking_real": figures(pred, pairs, check & np.isin(ds, REAL)),
        "checking_by_dataset": {d: figures(pred, pairs, check & (ds == d)) for d in sorted(set(ds))},
        "tuning_by_dataset": {d: figures(pred, pairs, tune & (ds == d)) for d in sorted(set(ds))},
        "tuning_breakdown": breakdown(pred, pairs, "tune"),
        "checking_breakdown": breakdown(pred, pairs, "check"),
        "excluded_rtqa_grouped": {
            lab: {"pairs": int(sum(1 for p in pairs if p.label == lab)),
                  "grouped": int(sum(1 for i, p in enumerate(pairs) if p.label == lab and pred[i]))}
            for lab in ("event", "unsure")},
    }
    # the same parameters with the other shingle sizes/permutations, for the record (checking split)
    alternatives = []
    for (k, p), s in sorted(scored.items()):
        rows = [g for g in grid if g["shingle"] == k and g["num_perm"] == p and g["precision"] >= args.min_precision
                and g["real_precision"] >= args.min_real_precision]
        if not rows:
            continue
        top = max(rows, key=lambda g: (g["recall"], g["precision"]))
        alt = replace(params, shingle=k, num_perm=p, jaccard=top["jaccard"], containment=top["containment"])
        alternatives.append({"shingle": k, "num_perm": p, "jaccard": alt.jaccard, "containment": alt.containment,
                             "tuning": figures(predict(s, alt), pairs, tune),
                             "checking": figures(predict(s, alt), pairs, check)})
    # stories over the whole RealTime QA corpus with the fitted parameters (what ingest would build)
    arts = [json.loads(line) for line in args.rtqa.open(encoding="utf-8")]
    arts.sort(key=lambda a: (a["date"], a["id"]))
    story = group([(a["id"], a["text"]) for a in arts], params)
    sizes = Counter(Counter(story.values()).values())

    fitted = {
        "version": 1,
        "shingle_version": SHINGLE_VERSION,
        "shingle": params.shingle,
        "num_perm": params.num_perm,
        "jaccard": params.jaccard,
        "containment": params.containment,
        "min_shingles": params.min_shingles,
        "lsh_weights": list(params.lsh_weights),
        "lsh_bands": list(_bands(params)),
        "unrelated_candidate_rate": round(candidate_rate(params, UNRELATED_J), 4),
        "fitted_on": {
            "command": "python -m evals.fit_stories",
            "date": dt.date.today().isoformat(),
            "min_tuning_precision": args.min_precision,
            "tuning": result["tuning"],
            "checking": result["checking"],
            "min_tuning_precision_real_pairs": args.min_real_precision,
            "tuning_real_pairs": result["tuning_real"],
            "checking_real_pairs": result["checking_real"],
            "checking_by_dataset": result["checking_by_dataset"],
        },
    }
    report = {"fitted": fitted, "data": {"bbc": bbc_info, "rtqa": rtqa_info,
                                         "pairs": dict(Counter(f"{p.dataset}/{p.label}/{p.split}" for p in pairs))},
              "result": result, "alternatives": alternatives,
              "rtqa_corpus_story_sizes": {str(k): v for k, v in sorted(sizes.items())},
              "seconds": round(time.perf_counter() - t0, 1)}
    print(_markdown(report))
    if not args.dry_run:
        args.out.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        args.report.with_suffix(".md").write_text(_markdown(report) + "\n", encoding="utf-8")
        print(f"wrote {args.out} and {args.report}")
    return 0


def _markdown(rep: dict) -> str:
    f, r = rep["fitted"], rep["result"]
    lines = [
        "# Story grouping: fitted parameters and figures",
        "",
        f"`python -m evals.fit_stories` ({f['fitted_on']['date']}): shingle {f['shingle']} words, "
        f"{f['num_perm']} permutations, Jaccard >= {f['jaccard']}, containment >= {f['containment']}, "
        f"min {f['min_shingles']} shingles.",
        "",
        "| split | pairs | positives | precision | recall | fp | fn |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [("tuning", r["tuning"]), ("checking", r["checking"]),
            ("tuning, real pairs only", r["tuning_real"]), ("checking, real pairs only", r["checking_real"])]
    rows += [(f"tuning {d}", x) for d, x in r["tuning_by_dataset"].items()]
    rows += [(f"checking {d}", x) for d, x in r["checking_by_dataset"].items()]
    for name, x in rows:
        lines.append(f"| {name} | {x['pairs']} | {x['positives']} | {x['precision']} | {x['recall']} | {x['fp']} | {x['fn']} |")
    lines += ["", "Grouped pairs per kind (checking split):", "", "| dataset/kind/label | pairs | grouped |", "|---|---|---|"]
    for g, x in r["checking_breakdown"].items():
        lines.append(f"| {g} | {x['pairs']} | {x['grouped']} |")
    lines += ["", f"RealTime QA pairs left out of precision/recall: {r['excluded_rtqa_grouped']}", "",
              "Best per (shingle, permutations) at the same tuning precision bar:", "",
              "| shingle | perms | jaccard | containment | tune P | tune R | check P | check R |",
              "|---|---|---|---|---|---|---|---|"]
    for a in rep["alternatives"]:
        lines.append(f"| {a['shingle']} | {a['num_perm']} | {a['jaccard']} | {a['containment']} | "
                     f"{a['tuning']['precision']} | {a['tuning']['recall']} | {a['checking']['precision']} | "
                     f"{a['checking']['recall']} |")
    lines += ["", f"Stories over the whole RealTime QA dev corpus (story size: count): {rep['rtqa_corpus_story_sizes']}",
              "", f"Data: {json.dumps(rep['data'])}"]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
