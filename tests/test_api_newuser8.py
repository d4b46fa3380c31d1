"""New user 8's Python API notes (defect 10): a misspelt setting is an error in code and a warning in
the environment, never silently nothing; ``dir(rag)`` shows the public names only."""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import rag.settings as settings_module
from rag.errors import ConfigError, InputError
from rag.settings import NOT_SETTINGS, Settings, closest_setting, load_settings

ROOT = Path(__file__).resolve().parent.parent


# --- a keyword that names no setting ---------------------------------------------------------------

def test_a_misspelt_keyword_is_an_input_error_naming_it_and_the_setting_meant(tmp_path: Path) -> None:
    """`Settings(topk=3)` returned settings with top_k=5: the typo changed nothing, without a word."""
    with pytest.raises(InputError) as err:
        Settings(home=tmp_path, topk=3)
    assert str(err.value) == "topk: no such setting; did you mean top_k?"
    assert err.value.item == "topk" and err.value.fix == "rename topk to top_k"
    with pytest.raises(InputError, match=r"^RAG_TOP_K: no such setting; did you mean top_k\?$"):
        Settings(RAG_TOP_K=3)  # the environment variable's name given as a keyword
    with pytest.raises(InputError) as far:
        Settings(colour="red")
    assert str(far.value) == "colour: no such setting"
    assert far.value.fix is not None and far.value.fix.startswith("leave colour out")
    assert Settings(home=tmp_path, top_k=3).top_k == 3  # the real names are unchanged


def test_a_misspelt_keyword_is_one_line_among_the_other_bad_settings() -> None:
    with pytest.raises(InputError) as err:
        Settings(top_k=0, chunk_size=100)
    lines = str(err.value).splitlines()
    assert lines[0] == "Settings: 2 invalid settings:"
    assert "  chunk_size: no such setting; did you mean chunk_tokens?" in lines
    assert any(line.startswith("  top_k: got 0, which should be greater than or equal to 1") for line in lines)
    assert "rename chunk_size to chunk_tokens" in str(err.value.fix)


def test_load_settings_names_a_misspelt_keyword_as_a_config_error_without_its_value() -> None:
    """load_settings words every problem as a ConfigError (as for load_settings(top_k=0)); the value of a
    keyword that is no setting says nothing, and may be a secret given by mistake."""
    with pytest.raises(ConfigError) as err:
        load_settings(topk=3)
    assert str(err.value) == "invalid setting: topk: no such setting; did you mean top_k?"
    with pytest.raises(ConfigError) as secret:
        load_settings(openai_key="sk-not-to-be-shown")
    assert "sk-not-to-be-shown" not in str(secret.value)


def test_closest_setting_reads_names_as_keywords_or_variables() -> None:
    assert closest_setting("topk") == "top_k" and closest_setting("RAG_TOPK") == "top_k"
    assert closest_setting("rag_embedding_model") == "embed_model"
    assert closest_setting("RAG_FOO") is None


# --- a RAG_* variable that names no setting ----------------------------------------------------------

@pytest.fixture
def fresh_env_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each variable is warned about once per process: start this test with none seen."""
    monkeypatch.setattr(settings_module, "_ENV_SEEN", set())


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "rag.settings" and r.levelno == logging.WARNING]


def test_a_misspelt_variable_is_warned_about_once_and_does_not_stop_anything(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh_env_check: None,
        tmp_path: Path) -> None:
    monkeypatch.setenv("RAG_TOPK", "3")
    caplog.set_level(logging.WARNING, logger="rag.settings")
    assert Settings(home=tmp_path).top_k == 5  # ignored, as before: the default stays in force
    assert load_settings(home=tmp_path).top_k == 5  # and load_settings does not fail over it
    Settings(home=tmp_path)
    assert _warnings(caplog) == ["RAG_TOPK is not a setting and is ignored; did you mean RAG_TOP_K?"]


def test_other_rag_variables_are_not_warned_about(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, fresh_env_check: None,
        tmp_path: Path) -> None:
    """Another tool's RAG_* variable (nothing like a setting) and the project's own that are read directly
    (RAG_API_KEY, RAG_EVAL_CACHE, RAG_BENCH_DIR) are no mistake; the settings' own are not either."""
    for var, value in (("RAG_FOO", "1"), ("RAG_API_KEY", "k" * 32), ("RAG_EVAL_CACHE", str(tmp_path)),
                       ("RAG_BENCH_DIR", str(tmp_path)), ("RAG_TOP_K", "4"), ("rag_per_story", "2")):
        monkeypatch.setenv(var, value)
    caplog.set_level(logging.WARNING, logger="rag.settings")
    s = Settings(home=tmp_path)
    assert (s.top_k, s.per_story) == (4, 2)
    assert _warnings(caplog) == []


def _rag_variables_read_directly() -> dict[str, str]:
    """Every RAG_* name the project's code reads from the environment itself, with where."""
    found: dict[str, str] = {}
    for folder in ("rag", "index", "evals", "ui", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and re.fullmatch(r"RAG_[A-Z0-9_]+", node.value):
                    found.setdefault(node.value, str(path.relative_to(ROOT)))
    return found


def test_every_rag_variable_the_project_reads_is_a_setting_or_known_not_to_be_one() -> None:
    """A RAG_* variable read with os.environ (not a setting) must be in NOT_SETTINGS, or setting it would
    be warned about as a misspelling whenever it looks like a setting."""
    fields = {f"RAG_{name.upper()}" for name in Settings.model_fields}
    read = _rag_variables_read_directly()
    assert "RAG_EVAL_CACHE" in read and "RAG_API_KEY" in read  # the scan sees them
    unknown = {name: where for name, where in read.items()
               if name not in fields and name not in NOT_SETTINGS and closest_setting(name) is not None}
    assert unknown == {}


# --- the package's names ---------------------------------------------------------------------------

def test_dir_of_rag_is_its_public_names_and_they_stay_lazy() -> None:
    """`dir(rag)` listed TYPE_CHECKING, annotations and importlib; importing the package must still not
    load the answering stack (nor pydantic) until a name is used."""
    code = (
        "import json, sys\n"
        "import rag\n"
        "names = [n for n in dir(rag) if not n.startswith('_')]\n"
        "loaded = sorted(m for m in ('rag.api', 'rag.settings', 'rag.types', 'pydantic') if m in sys.modules)\n"
        "ns = {}\n"
        "exec('from rag import *', ns)\n"
        "star = sorted(n for n in ns if not n.startswith('_'))\n"
        "print(json.dumps({'names': names, 'all': rag.__all__, 'loaded': loaded, 'star': star}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.splitlines()[-1])
    assert got["loaded"] == []
    assert sorted(got["names"]) == sorted(got["all"])
    assert not {"TYPE_CHECKING", "annotations", "importlib"} & set(got["names"])
    assert got["star"] == sorted(got["all"])
    assert {"ask", "RAG", "Settings", "Filters", "InputError"} <= set(got["all"])


def test_dir_of_rag_is_unchanged_by_the_names_used_and_the_submodules_loaded() -> None:
    import rag
    import rag.api  # noqa: F401 - loads the submodule, which becomes an attribute of the package

    assert rag.RAG.__name__ == "RAG"
    assert [n for n in dir(rag) if not n.startswith("_")] == sorted(rag.__all__)
