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
    assert len(suite.cases) == 29
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
    # each skipped line: its number, the field as pydantic locates it, what to write there, pydantic's words
    got = [(p.line, p.field, p.reason) for p in suite.problems]
    assert got == [
        (2, None, "not valid JSON (Expecting property name enclosed in double quotes)"),
        (3, "question", "question: write the question as a non-empty string (Field required)"),
        (6, "answers[0]", "answers[0]: write a list of strings, one string or null "
                          "(Input should be a valid string, got 1)"),
        (7, None, "duplicate id 'a' (first at line 1); skipped"),
        (8, None, "expected a JSON object, got list"),
        (11, "article", "article: write a string, a list of strings or null (Input should be a valid list, got 7)"),
    ]
    assert str(suite.problems[0]).startswith("line 2: not valid JSON")


def test_ours_every_bad_field_of_a_line_is_named(tmp_path: Path) -> None:
    rows = [
        {"id": "g", "question": "Misspelt answers?", "answer": ["x"]},
        {"id": 5.5, "question": "  ", "asked_on": "2022-13-01"},
        {"id": "h", "question": "A timestamp?", "asked_on": 1658966400},
        {"id": 7, "question": "Numeric id, date-time?", "asked_on": "2022-07-28T10:00:00", "wh": "who",
         "also_in": "y.txt", "article": "x.txt", "near": "z.txt", "note": "n", "paraphrased_number": True,
         "article_ids": ["rtqa-1"], "my_own_metadata": {"kept": True}},
        {"id": "i", "question": "Bad metadata?", "paraphrased_number": "maybe", "wh": 3},
    ]
    suite = load_suite(write(tmp_path / "t.jsonl", "\n".join(json.dumps(r) for r in rows)))
    assert [str(p) for p in suite.problems] == [
        "line 1: answer: not a field; did you mean 'answers'? Rename it",
        "line 2: id: write a string or a number (Input should be a valid string, got 5.5); "
        'question: write the question as a non-empty string (String should have at least 1 character, got "  "); '
        'asked_on: write an ISO date (YYYY-MM-DD) or null (Input should be an ISO date string, got "2022-13-01")',
        "line 3: asked_on: write an ISO date (YYYY-MM-DD) or null (Input should be an ISO date string, got 1658966400)",
        "line 5: wh: write a string or null (Input should be a valid string, got 3); paraphrased_number: write true "
        'or false (Input should be a valid boolean, unable to interpret input, got "maybe")',
    ]
    (case,) = suite.cases
    assert (case.id, case.articles, case.asked_on, case.as_of) == ("7", ("x.txt", "y.txt"), "2022-07-28",
                                                                   __import__("datetime").date(2022, 7, 28))


def test_rtqa_style_lines(tmp_path: Path) -> None:
    """RealTime QA's shape: articles are URLs (null for its unanswerables), article_ids, asked_on."""
    rows = [
        {"id": "rtqa-1", "question": "Which retailer cut prices this week?", "answers": ["Walmart"],
         "articles": ["https://www.cnn.com/a", "https://www.cnn.com/b"], "type": "factoid", "asked_on": "2022-07-28",
         "article_ids": ["rtqa-e561", "rtqa-0db0"]},
        {"id": "rtqa-2", "question": "Near which park was the wildfire?", "answers": ["Yosemite"], "articles": None,
         "type": "unanswerable", "asked_on": "2022-07-28"},
    ]
    suite = load_suite(write(tmp_path / "r.jsonl", "\n".join(json.dumps(r) for r in rows)))
    assert suite.problems == []
    a, b = suite.cases
    assert a.articles == ("https://www.cnn.com/a", "https://www.cnn.com/b") and a.asked_on == "2022-07-28"
    assert (b.answerable, b.answers, b.articles) == (False, ("Yosemite",), ())


@pytest.mark.parametrize("path", [REPO / "evals" / "suites" / "bbc-paraphrase.jsonl",
                                  REPO.parent / "shared" / "corpora" / "realtimeqa-dev" / "suite.jsonl"])
def test_shipped_and_shared_suites_load_cleanly(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} not present")
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    suite = load_suite(path)
    assert suite.problems == [] and len(suite.cases) == len(raw)
    for case, rec in zip(suite.cases, raw, strict=True):
        gold = rec.get("articles") or ([rec["article"]] if rec.get("article") else [])
        assert case.articles == tuple(gold + rec.get("also_in", []))
        assert case.asked_on == rec.get("asked_on")


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
        (8, "data[0].paragraphs[0].qas[1].question: write the question as a non-empty string (Field required)"),
        (9, "data[0].paragraphs[0].qas[2].answers: write a list of {\"text\": ...} objects ([] with "
            '"is_impossible": true) (Input should be a valid list, got "Santa Clara")'),
        (11, "data[0].paragraphs[1].context: write the paragraph's text (its questions are skipped) "
             '(String should have at least 1 character, got "")'),
        (15, "data[0].paragraphs[2].qas[2]: has no answers (and is not marked is_impossible)"),
        (19, "data[2]: expected a JSON object, got string"),
    ]


def test_squad_one_line_file_reports_columns(tmp_path: Path) -> None:
    one_line = json.dumps(json.loads(SQUAD))
    suite = load_suite(write(tmp_path / "one.json", one_line), fmt="squad")
    assert len(suite.cases) == 4
    p = suite.problems[0]
    assert p.line == 1 and p.col == one_line.index('{"id": "q2"') + 1
    assert str(p).startswith(f"line 1, column {p.col}: data[0].paragraphs[0].qas[1].question: ")


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
    assert [(p.line, p.field, p.reason.split(" (")[0]) for p in suite.problems] == [
        (2, "user_input", "user_input: write the question as a non-empty string"),
        (3, "reference_contexts", "reference_contexts: write a list of strings"),
        (6, None, "not valid JSON")]


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
    assert [(p.line, p.reason.split(" (")[0]) for p in suite.problems] == [
        (expected[0], "examples[1].query: write the question as a non-empty string"),
        (expected[1], "examples[2].reference_answer: write the reference answer as a string"),
        (expected[2], "examples[3]: expected a JSON object, got string"),
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


def test_ours_as_a_json_list_reports_the_line_each_item_starts_on(tmp_path: Path) -> None:
    items = [{"id": "a", "question": "Who?", "answers": ["Ann"]}, {"id": "b", "answers": ["no question"]},
             {"id": "c", "question": "When?", "asked_on": "2022-07-28"}]
    path = write(tmp_path / "ours.json", json.dumps(items, indent=2))
    suite = load_suite(path)
    assert suite.format == "ours" and [c.id for c in suite.cases] == ["a", "c"]
    starts = [i + 1 for i, line in enumerate(path.read_text().splitlines()) if line.strip() == "{"]
    assert [(p.line, p.field) for p in suite.problems] == [(starts[1], "question")]


def test_importers_do_not_import_suite() -> None:
    """The shared types live in evals.cases: the importers load without evals.suite (no import cycle)."""
    import subprocess
    import sys

    code = "import sys, evals.importers; print('evals.suite' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("shape", ["list", "samples"])
def test_ragas_one_line_json_rows_each_get_their_own_id(tmp_path: Path, shape: str) -> None:
    """Every row of a one-line JSON file starts on line 1: the fallback id is the row's index, not its line."""
    rows = [RAGAS[0], {"user_input": "", "reference": "x"}, RAGAS[3], RAGAS[4]]
    data = rows if shape == "list" else {"samples": rows}
    raw = json.dumps(data)
    suite = load_suite(write(tmp_path / "rg.json", raw))
    assert suite.format == "ragas"
    assert [c.id for c in suite.cases] == ["rg-0", "rg-2", "rg-3"]
    (p,) = suite.problems
    prefix = "[1]" if shape == "list" else "samples[1]"
    assert (p.line, p.col) == (1, raw.index('{"user_input": ""') + 1)
    assert str(p).startswith(f"line 1, column {p.col}: {prefix}.user_input: write the question")


def test_unknown_types_are_reported_with_a_suggestion(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "question": "Q?", "answers": ["x"], "type": "factiod"},
        {"id": "b", "question": "Q?", "answers": ["x"], "type": "yes/no"},
        {"id": "c", "question": "Q?", "answers": ["x"], "type": "Free-Text"},
        {"id": "d", "question": "Q?", "type": "UNANSWERABLE"},
        {"id": "e", "question": "Q?", "answers": ["x"], "type": 3},
        {"id": "f", "question": "Q?", "answers": ["x"], "type": " "},  # blank (a converted CSV): the default
    ]
    suite = load_suite(write(tmp_path / "t.jsonl", "\n".join(json.dumps(r) for r in rows)))
    assert [(c.id, c.type) for c in suite.cases] == [("c", "free text"), ("d", "unanswerable"), ("f", "factoid")]
    assert [str(p) for p in suite.problems] == [
        'line 1: type: write factoid, unanswerable or free text (unknown type "factiod"; did you mean "factoid"?)',
        'line 2: type: write factoid, unanswerable or free text (unknown type "yes/no")',
        "line 5: type: write factoid, unanswerable or free text (Input should be a valid string, got 3)",
    ]
    # the same check for a ragas row that carries our type
    path = write(tmp_path / "r.jsonl", json.dumps({"user_input": "Q?", "reference": "A.", "type": "free txt"}))
    (p,) = load_suite(path).problems
    assert str(p) == 'line 1: type: write factoid, unanswerable or free text (unknown type "free txt"; ' \
                     'did you mean "free text"?)'


def test_default_type_a_gold_article_without_answers_is_retrieval_only(tmp_path: Path) -> None:
    rows = [
        {"id": "r", "question": "Who is BA's chief executive?", "article": "business/004.txt"},
        {"id": "w", "question": "Which wire copies?", "also_in": ["ap/1.txt"]},
        {"id": "a", "question": "Q?", "answers": ["x"]},
        {"id": "u", "question": "Who won the 2040 Eurovision?", "article": None},
    ]
    suite = load_suite(write(tmp_path / "d.jsonl", "\n".join(json.dumps(r) for r in rows)))
    assert [(c.id, c.type, c.answerable, c.short_answers) for c in suite.cases] == [
        ("r", "factoid", True, False), ("w", "factoid", True, False), ("a", "factoid", True, True),
        ("u", "unanswerable", False, False)]


def test_a_key_differing_only_by_case_is_a_misspelling(tmp_path: Path) -> None:
    rows = [{"id": "a", "question": "Q?", "answers": ["x"], "Type": "unanswerable"},
            {"id": "b", "question": "Q?", "Answers": ["x"]},
            {"id": "c", "question": "Q?", "answers": ["x"], "source_url": "kept: not near a field"}]
    suite = load_suite(write(tmp_path / "k.jsonl", "\n".join(json.dumps(r) for r in rows)))
    assert [c.id for c in suite.cases] == ["c"]
    assert [str(p) for p in suite.problems] == ["line 1: Type: not a field; did you mean 'type'? Rename it",
                                                "line 2: Answers: not a field; did you mean 'answers'? Rename it"]


@pytest.mark.parametrize(("name", "text"), [
    ("s.csv", "id,question,answers,article\nc1,Who is BA chief executive?,Rod Eddington,business/004.txt\n"),
    ("s.tsv", "id\tquestion\nc1\tWho?\n"),
    ("s.jsonl", '"id","question","answers"\n"c1","Who?","Rod"\n'),  # CSV content, whatever the name
])
def test_a_csv_suite_is_one_clear_error(tmp_path: Path, name: str, text: str) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(SuiteError) as err:
        load_suite(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: looks like CSV, and CSV suites are not supported")
    assert "our JSONL" in msg and "SQuAD" in msg and "ragas" in msg and "LlamaIndex" in msg
    assert "not valid JSON" not in msg


def test_garbage_that_is_not_csv_is_still_reported_line_by_line(tmp_path: Path) -> None:
    suite = load_suite(write(tmp_path / "g.jsonl", "not json at all\nnope\n"))
    assert suite.cases == [] and [p.line for p in suite.problems] == [1, 2]
    suite = load_suite(write(tmp_path / "h.jsonl", "a,b\n" + json.dumps({"question": "Q?"})))  # one JSON line
    assert len(suite.cases) == 1 and suite.problems[0].line == 1
