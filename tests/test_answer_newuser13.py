"""New user 13 (a researcher using the local model): "How many net cafes did India close in 2004?" over an
article on China's crackdown was answered **12,575 net cafes**, by the offline answer that stood in for the
model's removed "India closed 12,575 net cafes" (and by the offline answerer alone). A country's adjective
names it ("Chinese authorities"), and a sentence naming no place is of its article's places."""

from __future__ import annotations

import pytest

from rag.extractive import ExtractiveAnswerer
from rag.text import split_sentences
from rag.types import Passage
from rag.verify import Premises, places_in

CHINA = ("Chinese authorities closed 12,575 net cafes in the closing months of 2004, the country's government "
         "said. The 12,575 cafes were shut in the three months from October to December. All the 100,000 or so "
         "net cafes in the country are required to use software that controls what websites users can see.")


def _passage(text: str, title: str, n: int = 1) -> Passage:
    return Passage(n, f"a{n}:v:0", f"a{n}", title, f"src{n}", None, 1.0, text, 0, len(text),
                   tuple(split_sentences(text)))


@pytest.mark.parametrize(("text", "places"), [
    ("Chinese authorities closed 12,575 net cafes.", {"china"}),
    ("British and Irish ministers met on Monday.", {"uk", "ireland"}),
    ("The Indian rupee rose.", {"india"}),
    ("Authorities closed the cafes.", set()),
    ("Chinesement is no word, nor is NonIndian.", set()),
])
def test_a_countrys_adjective_names_it(text: str, places: set[str]) -> None:
    assert places_in(text) == places


def test_a_sentence_naming_no_place_is_of_its_articles_places() -> None:
    premises = Premises.of("How many net cafes did India close in 2004?")
    article = "China net cafe culture crackdown\n" + CHINA
    for sentence in split_sentences(CHINA):
        s = CHINA[sentence[0] : sentence[1]]
        assert premises.place_contradicted_by(s, article) is not None, s
    # the question's own country, or one holding it, named in the article: no contradiction
    assert Premises.of("How many net cafes did China close in 2004?").place_contradicted_by(
        "The 12,575 cafes were shut in the three months from October to December.", article) is None
    assert premises.place_contradicted_by("The 12,575 cafes were shut.", article + " India watched.") is None


def test_the_offline_answer_does_not_give_another_countrys_figure() -> None:
    ex = ExtractiveAnswerer()
    p = _passage(CHINA, "China net cafe culture crackdown")
    assert ex.ranked(ex.prepare("How many net cafes did India close in 2004?"), [p]) == []  # no candidate
    china = ex.ranked(ex.prepare("How many net cafes did China close in 2004?"), [p])
    assert china and "12,575" in china[0].text


@pytest.mark.parametrize(("question", "wanted"), [
    ("What was the Utah man trying to kill when he started the brush fire?", ""),  # the user's
    ("What did the rebels capture when they advanced?", ""),
    ("Where was he when the fire started?", "name"),
    ("How many people died when the storm hit?", "number"),
    ("When did the storm hit?", "date"),
    ("What year was it when he died?", "date"),
])
def test_a_joining_when_does_not_make_a_what_question_ask_for_a_date(question: str, wanted: str) -> None:
    """The model's right "The man was trying to kill a spider [1]." was withdrawn as no answer: "when"
    in "... trying to kill when he started the fire" read as asking for a date (``answers_nothing``)."""
    from rag.api import answers_nothing
    from rag.evidence import prepare
    from rag.short_answer import wanted_type

    assert wanted_type(prepare(question)) == wanted
    if not wanted:
        assert not answers_nothing(prepare(question), "He was trying to kill a spider with a lighter [1].")


def test_rag_ask_says_the_model_is_reading_while_nothing_is_verified_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local model answered after 16-43 s of an empty terminal (new user 13): a status line on stderr
    says it is reading the passages, until the first verified sentence; none for the offline answer."""
    from io import StringIO

    from rich.console import Console

    import rag.cli.ask as ask_cli
    from rag.types import Answer

    class Streaming:  # the part of RAG that _stream_answer reads: an LLM configured, the stream it gives
        llm = object()

        def stream(self, question: str, **_: object):  # noqa: ANN202
            yield ""
            yield "Rebels took Khansir [1]."
            yield Answer(question, "Rebels took Khansir [1].", False, (), (), {})

    for offline, shown in ((False, True), (True, False)):
        err = Console(file=StringIO(), force_terminal=True, width=80)
        monkeypatch.setattr(ask_cli, "console", err)
        monkeypatch.setattr(ask_cli, "out", Console(file=StringIO(), width=80))
        monkeypatch.setattr(ask_cli, "print_answer", lambda *_a, **_k: None)
        ask_cli._stream_answer(Streaming(), "Which town?", offline=offline)
        assert ("The model is reading the passages" in err.file.getvalue()) is shown


@pytest.mark.parametrize(("question", "sentence", "answer"), [
    # read over the RealTime QA tuning weeks: the question's "US" given back as "United States"
    ("US fighter jets recently shot down a suspected spy balloon off the East Coast. Which country did the "
     "balloon belong to?", "The balloon drifted across the United States before China said it was a weather "
     "airship.", "China"),
    ("Which country did the UK send tanks to?", "Britain said it would send 14 tanks to Ukraine.", "Ukraine"),
])
def test_a_place_the_question_names_in_another_name_is_not_the_answer(question: str, sentence: str,
                                                                       answer: str) -> None:
    from rag.evidence import prepare
    from rag.short_answer import candidates

    assert [c.phrase for c in candidates(prepare(question), sentence)] == [answer]


def test_a_nation_of_the_uk_may_answer_a_question_naming_the_uk() -> None:
    from rag.evidence import prepare
    from rag.short_answer import candidates

    assert "England" in [c.phrase for c in candidates(prepare("Which UK nation won the Six Nations?"),
                                                      "England won the Six Nations on Saturday.")]
