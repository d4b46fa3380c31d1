"""``index.formats`` is a package of one module per concern (decoding, cleaning, titles, dates, and a
module per format); ``from index.formats import ...`` keeps working for every name the single
module had, and no code is defined twice."""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

from index import formats

#: The public names of index/formats.py before it became a package; importers (index.load,
#: index.records, index.feeds, index.collection, rag.integrations.llamaindex, tests) use them.
PUBLIC = (
    "DATE_SOURCES", "HEADLINE_MAX", "PLAYER_PAGE_MIN_WORDS", "PROSE_MIN_WORDS", "RUNNING_SHARE", "TITLE_MAX",
    "UNREADABLE_MAX", "WRAP_ENDS", "WRAP_MIN_LINES", "WRAP_NEAR", "WRAP_WIDTHS", "binary_kind", "decode_bytes",
    "decode_html", "derive_title", "html_charset", "html_date", "join_pages", "markdown_inline", "markdown_to_text",
    "normalise", "parse_date", "parse_html", "parse_markdown", "parse_pdf", "parse_text", "prose_words", "shorten",
    "split_date_prefix", "split_front_matter", "split_title", "strip_controls", "unreadable_share", "unwrap_lines",
)
#: The modules in the order they may import each other: each only from those before it.
LAYERS = ("quiet", "decode", "clean", "titles", "dates", "text", "prose", "html", "pdf")
PACKAGE = Path(formats.__file__).parent


def test_every_public_name_is_still_imported_from_index_formats() -> None:
    assert sorted(formats.__all__) == sorted(PUBLIC)
    namespace: dict[str, object] = {}
    exec("from index.formats import *", namespace)  # noqa: S102 - the names a star import gives
    assert set(PUBLIC) <= set(namespace)


def test_the_modules_are_the_layers() -> None:
    assert sorted(m.name for m in pkgutil.iter_modules(formats.__path__)) == sorted(LAYERS)


@pytest.mark.parametrize("name", LAYERS)
def test_a_module_imports_only_the_modules_before_it(name: str) -> None:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    used = {n.module.rpartition(".")[2] for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("index.formats.")}
    assert used <= set(LAYERS[:LAYERS.index(name)]), used


def test_nothing_is_defined_in_two_modules() -> None:
    where: dict[str, list[str]] = {}
    for name in LAYERS:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name) and t.id != "logger"]
            else:
                continue
            for n in names:
                where.setdefault(n, []).append(name)
    assert not {n: m for n, m in where.items() if len(m) > 1}


@pytest.mark.parametrize("name", ["index.formats", *(f"index.formats.{m}" for m in LAYERS)])
def test_the_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_a_parser_replaced_on_index_formats_is_the_one_index_load_calls(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """index.load calls the parsers through ``index.formats`` (tests replace them there)."""
    from tests.test_load import run, write

    replaced = formats.parse_markdown("# Replaced\n\nBody text.", "a.md")
    monkeypatch.setattr(formats, "parse_text", lambda raw, source, url=None: replaced)
    [a] = run(tmp_path, write(tmp_path / "a.txt", "Original\n\nThe original text."))
    assert a.title == "Replaced"
