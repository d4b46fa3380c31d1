"""Settings errors name the environment variable, the value given (never a secret's) and what is
allowed, one line per bad setting, without pydantic's wording of fields or its URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import AliasChoices, Field, ValidationError
from typer.testing import CliRunner

from rag.cli import app
from rag.errors import ConfigError
from rag.settings import Settings, load_settings, setting_problems


def test_one_bad_setting_is_one_line_naming_the_env_var_the_value_and_what_is_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAG_ANSWERER", "bogus")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value) == ("invalid setting: RAG_ANSWERER='bogus': should be 'auto', 'extractive', 'llm' "
                              "or 'local'")


def test_several_bad_settings_are_one_line_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_TOP_K", "abc")
    monkeypatch.setenv("RAG_CHROMA_URL", "ftp://chroma")
    monkeypatch.setenv("RAG_LLM_CTX", "100")
    with pytest.raises(ConfigError) as err:
        load_settings()
    lines = str(err.value).splitlines()
    assert lines[0] == "3 invalid settings:"
    assert sorted(line.strip() for line in lines[1:]) == [
        "RAG_CHROMA_URL='ftp://chroma': RAG_CHROMA_URL must look like http://host:port",
        "RAG_LLM_CTX='100': should be greater than or equal to 512",
        "RAG_TOP_K='abc': should be a valid integer, unable to parse string as an integer",
    ]
    assert "pydantic" not in str(err.value)


def test_a_value_given_in_code_is_named_by_its_keyword(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"invalid setting: collection='x': should have at least 3 characters"):
        load_settings(collection="x")


class _WithAliases(Settings):
    """Settings as they would be with secrets and other names declared as fields."""

    openai_api_key: str | None = Field(None, min_length=20, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, pattern=r"^https?://",
                                        validation_alias=AliasChoices("OPENAI_BASE_URL", "RAG_OPENAI_URL"))
    ui_auth: str | None = Field(None, pattern=":", repr=False)


def test_aliases_are_named_as_declared_and_secrets_are_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-short-secret")
    monkeypatch.setenv("RAG_OPENAI_URL", "localhost:8000")
    monkeypatch.setenv("RAG_UI_AUTH", "hunter2")
    with pytest.raises(ValidationError) as err:
        _WithAliases()
    problems = sorted(setting_problems(err.value, _WithAliases))
    assert problems == [
        "OPENAI_API_KEY (value hidden: a secret): should have at least 20 characters",
        "RAG_OPENAI_URL='localhost:8000': should match pattern '^https?://'",
        "RAG_UI_AUTH (value hidden: a secret): should match pattern ':'",
    ]
    assert not any("sk-short-secret" in p or "hunter2" in p for p in problems)


def test_rag_ask_shows_the_env_var_not_the_pydantic_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RAG_ANSWERER", "bogus")
    result = CliRunner().invoke(app, ["ask", "x"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "error: invalid setting: RAG_ANSWERER='bogus': should be 'auto', 'extractive', 'llm' or 'local'" in text
    assert "errors.pydantic.dev" not in text and "Input should" not in text


@pytest.mark.parametrize("url, shown", [("http://127.0.0.1:18000/chroma", "'/chroma'"),
                                        ("http://127.0.0.1:18000/?tenant=x", "'?tenant=x'")])
def test_a_chroma_url_with_a_path_is_refused_naming_the_env_var(monkeypatch: pytest.MonkeyPatch, url: str,
                                                                shown: str) -> None:
    """Chroma's client takes a host and a port: a path was silently dropped and the server's root used
    (in one run, another data directory's collection)."""
    monkeypatch.setenv("RAG_CHROMA_URL", url)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value).startswith(f"invalid setting: RAG_CHROMA_URL={url!r}: RAG_CHROMA_URL must be "
                                      "http://host:port without a path")
    assert shown in str(err.value)
    monkeypatch.setenv("RAG_CHROMA_URL", "http://127.0.0.1:18000/")
    assert load_settings().chroma_url == "http://127.0.0.1:18000/"


@pytest.mark.parametrize("name", ["../x", "a/b", "x..y", "-abc", "abc "])
def test_a_collection_name_chroma_refuses_is_a_setting_error(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The name is also part of a file name (articles-<name>.sqlite3): Chroma's rule keeps it safe there."""
    monkeypatch.setenv("RAG_COLLECTION", name)
    with pytest.raises(ConfigError, match=r"RAG_COLLECTION=.*letters, digits"):
        load_settings()


def test_each_collection_name_has_its_own_article_database(tmp_path: Path) -> None:
    default, sports = Settings(home=tmp_path), Settings(home=tmp_path, collection="sports")
    assert default.db_path == tmp_path / "articles.sqlite3" and sports.db_path == tmp_path / "articles-sports.sqlite3"
    assert sports.feedback_path.name == "feedback-sports.jsonl" and sports.watch_path.name == "watch-sports.sqlite3"
    assert default.lock_path == sports.lock_path  # one writer per RAG_HOME
