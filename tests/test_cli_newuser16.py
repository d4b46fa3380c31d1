"""New user 16 (a newsletter writer) in the CLI: `rag list > list.txt` cut titles to about 20 characters (rich
takes 80 columns off a terminal). Off a terminal, and with no COLUMNS set, the table is as wide as it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.settings import Settings
from tests.test_cli_newuser3 import env, flat, ingest, run  # noqa: F401 - env is a fixture

LONG = {"title": "Friday tornado outbreak: tornado emergencies and damage in Little Rock, Arkansas and Wynne",
        "date": "2023-03-31", "url": "https://news.example/weather/2023/03/31/tornado-outbreak-little-rock-wynne",
        "text": "A tornado outbreak caused widespread havoc Friday evening. Officials said four people died."}


def test_a_piped_list_cuts_no_title_or_source(env: Settings, tmp_path: Path,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ingest(tmp_path, LONG)
    monkeypatch.delenv("COLUMNS")
    listed = flat(run("list").stdout)
    assert LONG["title"] in listed and LONG["url"] in listed, listed
    monkeypatch.setenv("COLUMNS", "80")  # a width the user sets is kept: the title is cut to fit it
    narrow = run("list").stdout
    assert LONG["title"] not in flat(narrow) and max(len(line) for line in narrow.splitlines()) <= 80
