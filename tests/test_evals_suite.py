"""evals.suite and evals.importers: our JSONL, SQuAD, ragas, LlamaIndex; malformed rows with line numbers."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from evals.importers import loads_located
from evals.suite import Case, SuiteError, contexts_as_corpus, detect_format, load_suite, write_corpus

REPO = Path(__file__).resolve().parents[1]
SQUAD_DEV = REPO.parent / "shared" / "corpora" / "squad-v1.1-dev" / "dev-v1.1.json"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_suite_loads() -> None:
    suite = load_suite(REPO / "seeds" / "suite.jsonl")
    assert suite.format == "ours" and suite.problems == []
    assert len(suite.cases) == 27
    first = suite.cases[0]
    assert first == Case("seed-01", "Which town did the rebels capture south of Aleppo?", ("Khansir", "the town of Khansir"),
                         ("000_2ee66f902f40f20f.txt",), "factoid", (), 1)
    assert [c.type for c in suite.cases].count("unanswerable") == 10
    assert not suite.cases[16].answerable and suite.cases[16].articles == ()


def test_ours_malformed_rows_are_reported_with_line_numbers(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "question": "Who?", "answers": ["Ann"], "article": "x.txt", "type": "factoid"},
        "{not json",
        {"id": "b", "answers": ["no question"]},
        "",
        {"id": "c", "question": "Q?", "answers": "single string is fine", "articles": ["x.txt", "y.txt"]},
        {"id": "d", "question": "Q?", "answers": [1, 2]},
        {"id": "a", "question": "Duplicate id?", "answers": []},
        [1, 2],
        {"question": "No id, no answers, free text", "type": "free_text", "reference_contexts": ["ctx"]},
        {"id": "e", "question": "Unanswerable with answers?", "answers": ["x"], "type": "unanswerable"},
        {"id": "f", "question": "Bad article", "article": 7},
    ]
    text = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows)
    suite = load_suite(write(tmp_path / "s.jsonl", text))
    # "e": an unanswerable case may keep its real answer (RealTime QA does): kept, never scored as gold
    assert [c.id for c in suite.cases] == ["a", "c", "s-9", "e"]
    assert suite.cases[1].answers == ("single string is fine",)
    assert suite.cases[1].articles == ("x.txt", "y.txt")
    assert suite.cases[2].type == "free text" and suite.cases[2].contexts == ("ctx",)
    got = [(p.line, p.reason.split(" (")[0]) for p in suite.problems]
    assert got == [
        (2, "not valid JSON"),
        (3, "no 'question'"),
        (6, "'answers' must be a list of strings"),
        (7, "duplicate id 'a'"),
        (8, "expected a JSON object, got list"),
        (11, "'article'/'articles' must be a string, a list of strings or null"),
    ]
    assert str(suite.problems[0]).startswith("line 2: not valid JSON")


def test_missing_and_unreadable_suite(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="no such suite file"):
        load_suite(tmp_path / "nope.jsonl")
    with pytest.raises(SuiteError, match="neither SQuAD"):
        load_suite(write(tmp_path / "x.json", '{"something": 1}'))
    with pytest.raises(SuiteError, match="not valid JSON .* line 2"):
        load_suite(write(tmp_path / "bad.json", '{"data": [\n  {"title": "A",, }]}'), fmt="squad")


SQUAD = """{"version": "1.1", "data": [
 {"title": "Super_Bowl_50", "paragraphs": [
   {"context": "Super Bowl 50 was played in Santa Clara. The Denver Broncos won.",
    "qas": [
      {"id": "q1", "question": "Who won?", "answers": [{"text": "Denver Broncos", "answer_start": 45},
                                                       {"text": "Denver Broncos", "answer_start": 45},
                                                       {"text": "The Denver Broncos", "answer_start": 41}]},
      {"id": "q2", "answers": [{"text": "x"}]},
      {"id": "q3", "question": "Where?", "answers": "Santa Clara"}
    ]},
   {"context": "", "qas": [{"id": "q4", "question": "Lost?", "answers": [{"text": "x"}]}]},
   {"context": "The game drew 111.9 million viewers.",
    "qas": [{"id": "q5", "question": "How many viewers?", "answers": [{"text": "111.9 million"}]},
            {"id": "q6", "question": "Impossible?", "answers": [], "is_impossible": true},
            {"id": "q7", "question": "No answers?", "answers": []}]}
 ]},
 {"title": "Warsaw", "paragraphs": [{"context": "Warsaw is the capital of Poland.",
   "qas": [{"id": "q8", "question": "Capital of?", "answers": [{"text": "Poland"}]}]}]},
 "not an article"
]}"""


def test_squad_import(tmp_path: Path) -> None:
    suite = load_suite(write(tmp_path / "mini.json", SQUAD))
    assert suite.format == "squad"
    assert [c.id for c in suite.cases] == ["q1", "q5", "q6", "q8"]
    q1 = suite.cases[0]
    assert q1.answers == ("Denver Broncos", "The Denver Broncos")  # de-duplicated, order kept
    assert q1.articles == ("squad://Super_Bowl_50",)
    assert q1.contexts == ("Super Bowl 50 was played in Santa Clara. The Denver Broncos won.",)
    assert q1.line == 5
    assert suite.cases[2].type == "unanswerable" and suite.cases[2].answers == ()
    assert [(r.title, r.url) for r in suite.corpus] == [("Super Bowl 50", "squad://Super_Bowl_50"),
                                                        ("Warsaw", "squad://Warsaw")]
    assert suite.corpus[0].text == ("Super Bowl 50 was played in Santa Clara. The Denver Broncos won.\n\n"
                                    "The game drew 111.9 million viewers.")
    got = [(p.line, p.reason) for p in suite.problems]
    assert got == [
        (8, "data[0].paragraphs[0].qas[1] has no 'question'"),
        (9, "data[0].paragraphs[0].qas[2]: 'answers' is not a list"),
        (11, "data[0].paragraphs[1] has no 'context' text; its questions are skipped"),
        (15, "data[0].paragraphs[2].qas[2] has no answers (and is not marked is_impossible)"),
        (19, "data[2] is not an article with a 'paragraphs' list"),
    ]


def test_squad_one_line_file_reports_columns(tmp_path: Path) -> None:
    one_line = json.dumps(json.loads(SQUAD))
    suite = load_suite(write(tmp_path / "one.json", one_line), fmt="squad")
    assert len(suite.cases) == 4
    p = suite.problems[0]
    assert p.line == 1 and p.col == one_line.index('{"id": "q2"') + 1
    assert str(p).startswith(f"line 1, column {p.col}: data[0].paragraphs[0].qas[1]")


def test_sample_is_python_random_shuffle() -> None:
    suite = load_suite(write(Path(__import__("tempfile").mkdtemp()) / "s.jsonl",
                             "\n".join(json.dumps({"id": str(i), "question": f"q{i}?"}) for i in range(50))))
    ids = [c.id for c in suite.cases]
    random.Random(466).shuffle(ids)
    assert [c.id for c in suite.sample(10).cases] == ids[:10]
    assert suite.sample(None) is suite and suite.sample(500) is suite


@pytest.mark.skipif(not SQUAD_DEV.is_file(), reason="shared SQuAD dev set not present")
def test_squad_dev_file() -> None:
    suite = load_suite(SQUAD_DEV)
    assert (len(suite.cases), len(suite.corpus), suite.problems) == (10570, 48, [])
    assert suite.sample(1000).cases[0].id == "57094ca7efce8f15003a7dda"


RAGAS = [
    {"user_input": "What did the council approve?", "reference": "A new tram line.",
     "reference_contexts": ["The council approved a new tram line."], "response": "ignored"},
    {"reference": "no question"},
    {"user_input": "Bad contexts", "reference_contexts": "not a list"},
    {"user_input": [{"type": "human", "content": "Earlier?"}, {"type": "ai", "content": "..."},
                    {"type": "human", "content": "And the cost?"}], "reference": "2 billion kroner"},
    {"user_input": "Nothing to compare against"},
]


def test_ragas_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path / "ragas.jsonl", "\n".join(json.dumps(r) for r in RAGAS) + "\n{oops\n")
    assert detect_format(path, path.read_text()) == "ragas"
    suite = load_suite(path)
    assert suite.format == "ragas"
    assert [(c.question, c.answers, c.type) for c in suite.cases] == [
        ("What did the council approve?", ("A new tram line.",), "free text"),
        ("And the cost?", ("2 billion kroner",), "free text"),
        ("Nothing to compare against", (), "unanswerable"),
    ]
    assert suite.cases[0].contexts == ("The council approved a new tram line.",)
    assert [(p.line, p.reason.split(" (")[0]) for p in suite.problems] == [
        (2, "no 'user_input'"), (3, "'reference_contexts' must be a list of strings"), (6, "not valid JSON")]


def test_ragas_json_samples(tmp_path: Path) -> None:
    path = write(tmp_path / "ragas.json", json.dumps({"samples": RAGAS[:2]}, indent=1))
    suite = load_suite(path)
    assert suite.format == "ragas" and len(suite.cases) == 1
    assert suite.problems[0].line == 11


def test_llamaindex_labelled_rag_dataset(tmp_path: Path) -> None:
    data = {"examples": [
        {"query": "What did the council approve?", "query_by": {"model_name": "gpt-4", "type": "ai"},
         "reference_contexts": ["The council approved a new tram line."], "reference_answer": "A tram line.",
         "reference_answer_by": {"type": "human"}},
        {"query": "", "reference_answer": "x"},
        {"query": "Bad ref", "reference_answer": ["x"]},
        "not an example",
        {"query": "Contexts only", "reference_contexts": ["Construction starts in 2025."]},
    ]}
    path = write(tmp_path / "rag_dataset.json", json.dumps(data, indent=2))
    suite = load_suite(path)
    assert suite.format == "llamaindex"
    assert [(c.question, c.answers, c.type) for c in suite.cases] == [
        ("What did the council approve?", ("A tram line.",), "free text"),
        ("Contexts only", (), "unanswerable"),
    ]
    lines = path.read_text().splitlines()
    expected = [i + 1 for i, line in enumerate(lines) if line.strip() in ("{", '"not an example",')][2:5]
    assert [(p.line, p.reason) for p in suite.problems] == [
        (expected[0], "examples[1] has no 'query'"),
        (expected[1], "examples[2]: 'reference_answer' must be a string"),
        (expected[2], "examples[3] is not an object"),
    ]


def test_contexts_as_corpus(tmp_path: Path) -> None:
    path = write(tmp_path / "ragas.jsonl", "\n".join(json.dumps(r) for r in RAGAS[:1] + RAGAS[3:4]) + "\n"
                 + json.dumps({"user_input": "Again?", "reference": "yes",
                               "reference_contexts": ["The  council approved a new tram line."]}))
    suite = contexts_as_corpus(load_suite(path))
    assert len(suite.corpus) == 1  # whitespace-equal contexts are one article
    url = suite.corpus[0].url
    assert url.startswith("context://")
    assert suite.cases[0].articles == (url,) and suite.cases[2].articles == (url,)
    assert suite.cases[1].articles == ()
    out = write_corpus(suite.corpus, tmp_path / "c" / "corpus.jsonl")
    assert json.loads(out.read_text().splitlines()[0]) == {"title": suite.corpus[0].title,
                                                            "text": suite.corpus[0].text, "url": url}


def test_loads_located_matches_json_loads() -> None:
    raw = '{"a": [1, 2.5, -3e2, true, false, null, "s\\u00e9\\n"],\n "b": {"c": {}}, "d": []}'
    value = loads_located(raw)
    assert value == json.loads(raw)
    assert value["b"].line == 2 and value["b"]["c"].col == 13 and value.at["d"] == (2, 23)
    with pytest.raises(json.JSONDecodeError):
        loads_located('{"a": 1} x')
