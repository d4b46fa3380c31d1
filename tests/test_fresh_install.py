"""Every module the product imports is declared in pyproject.toml (issue 8, item 2).

A fresh ``pip install`` only brings what is declared (and what the declared packages declare).
Relying on a transitive arrival broke HTML ingestion once: lxml 6 moved ``lxml.html.clean`` into
the ``lxml_html_clean`` distribution, which jusText/trafilatura import but nothing installed.
This test walks the source with ``ast`` (fast, no install); ``.ci/fresh_install.sh`` proves the
same thing end to end in a new venv.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata as md
import importlib.util
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("rag", "index", "ui", "evals", "benchmarks")
PROJECT = {"rag", "index", "ui", "evals", "benchmarks", "tests"}

#: Modules our dependencies import at run time without declaring the distribution that provides
#: them. We must declare those ourselves. (lxml >= 5.2 turned ``lxml.html.clean`` into a shim for
#: ``lxml_html_clean``; trafilatura -> jusText import it on every HTML page.)
UNDECLARED_BY_DEPENDENCIES = {"lxml_html_clean": "trafilatura -> justext -> lxml.html.clean"}


@dataclass(frozen=True)
class Use:
    module: str  # dotted name as imported
    where: str  # file:line
    lazy: bool  # imported inside a function (an optional extra may satisfy it)
    probe: bool  # only named in find_spec/import_module("..."): absent is allowed (a fallback probe)


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(req: str) -> str:
    return _canon(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req).group(1))


def _declared() -> tuple[set[str], set[str]]:
    """(default dependency names, names in any optional extra), canonicalised."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    default = {_requirement_name(r) for r in project["dependencies"]}
    optional = {_requirement_name(r) for reqs in project.get("optional-dependencies", {}).values() for r in reqs}
    return default, optional


def _uses(path: Path, root: Path = ROOT) -> list[Use]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    uses: list[Use] = []
    # module-level NAME = "string" constants, so find_spec(PACKAGE) is resolved too
    constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                 and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                 for t in n.targets if isinstance(t, ast.Name)}

    def literal(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return constants.get(node.id) if isinstance(node, ast.Name) else None

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            where = f"{path.relative_to(root)}:{getattr(child, 'lineno', '?')}"
            if isinstance(child, ast.Import):
                uses.extend(Use(a.name, where, lazy, False) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                uses.append(Use(child.module, where, lazy, False))
            elif (isinstance(child, ast.Call) and child.args and literal(child.args[0])
                  and getattr(child.func, "attr", getattr(child.func, "id", None)) in ("find_spec", "import_module")):
                uses.append(Use(literal(child.args[0]), where, True, True))
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) \
                or _type_checking_only(child) or _guarded_by_import_error(child)
            visit(child, inner)

    visit(tree, False)
    return uses


def _type_checking_only(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` blocks never run."""
    test = getattr(node, "test", None) if isinstance(node, ast.If) else None
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" or \
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _guarded_by_import_error(node: ast.AST) -> bool:
    """``try: import x`` / ``except ImportError:`` is an optional import, handled where it is used."""
    if not isinstance(node, ast.Try):
        return False
    names = {getattr(h.type, "id", None) for h in node.handlers} | \
        {getattr(e, "id", None) for h in node.handlers if isinstance(h.type, ast.Tuple) for e in h.type.elts}
    return bool(names & {"ImportError", "ModuleNotFoundError"})


def _all_uses() -> list[Use]:
    return [u for d in SCANNED for p in sorted((ROOT / d).rglob("*.py")) for u in _uses(p)]


@functools.lru_cache(maxsize=None)
def _packages() -> dict[str, list[str]]:
    return md.packages_distributions()


def _distributions(module: str) -> set[str] | None:
    """Distributions providing ``module`` (namespace packages such as llama_index resolved by
    their files); None when it is not installed here."""
    top = module.split(".")[0]
    candidates = _packages().get(top)
    if not candidates:
        return None
    if len(set(candidates)) == 1:
        return {_canon(candidates[0])}
    prefix = module.replace(".", "/")
    found = set()
    for dist in set(candidates):
        files = md.distribution(dist).files or []
        if any(str(f).startswith((prefix + "/", prefix + ".py")) for f in files):
            found.add(_canon(dist))
    return found or {_canon(d) for d in candidates}


def _undeclared() -> list[str]:
    default, optional = _declared()
    problems: list[str] = []
    uses = _all_uses() + [Use(m, f"needed by {why}", False, False) for m, why in UNDECLARED_BY_DEPENDENCIES.items()]
    for use in uses:
        top = use.module.split(".")[0]
        if top in sys.stdlib_module_names or top in PROJECT or top == "__future__":
            continue
        dists = _distributions(use.module)
        if dists is None:
            if not use.probe:
                problems.append(f"{use.where}: imports {use.module}, which is not installed here (declare and install it)")
            continue
        allowed = default | (optional if use.lazy else set())
        if not dists & allowed:
            problems.append(f"{use.where}: imports {use.module} (distribution {' or '.join(sorted(dists))}), "
                            f"which pyproject.toml does not declare{'' if use.lazy else ' as a default dependency'}")
    return sorted(set(problems))


def test_every_imported_module_is_a_declared_dependency() -> None:
    problems = _undeclared()
    assert not problems, "undeclared imports:\n" + "\n".join(problems)


def test_package_data_files_are_declared() -> None:
    """Non-Python files inside the packages (rag/fitted/answerer.json) must be in package-data, or a
    non-editable install lacks them and `rag ask` fails."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = config.get("package-data", {})
    missing = []
    for package in ("rag", "index", "ui", "evals"):
        for f in sorted((ROOT / package).rglob("*")):
            if f.is_dir() or f.suffix in (".py", ".pyi", ".pyc") or "__pycache__" in f.parts:
                continue
            rel = f.relative_to(ROOT / package)
            if not any(rel.match(g) for g in globs.get(package, []) + globs.get("*", [])):
                missing.append(str(f.relative_to(ROOT)))
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing}"


def test_scanner_sees_lazy_and_probe_imports(tmp_path: Path) -> None:
    """The walker must find imports inside functions and find_spec probes, or the check above is blind."""
    sample = tmp_path / "sample.py"
    sample.write_text("import os, numpy.linalg\nPKG = 'bundled_weights'\nif TYPE_CHECKING:\n    import gradio\n"
                      "try:\n    import mcp\nexcept ImportError:\n    mcp = None\n"
                      "def f():\n    from trafilatura import bare_extraction\n"
                      "    import importlib.util\n    return importlib.util.find_spec(PKG)\n")
    found = {u.module: u for u in _uses(sample, tmp_path)}
    assert found["numpy.linalg"].lazy is False and found["os"].lazy is False
    assert found["trafilatura"].lazy is True and found["trafilatura"].probe is False
    assert found["bundled_weights"].probe is True
    assert found["gradio"].lazy is True and found["mcp"].lazy is True


def test_html_cleaner_imports_in_this_environment() -> None:
    """trafilatura's HTML path needs lxml.html.clean; without lxml_html_clean every .html fails."""
    assert importlib.util.find_spec("lxml_html_clean") is not None
    import lxml.html.clean  # noqa: F401 - the import trafilatura/jusText make
    from index.formats import parse_html

    html = "<html><head><title>Storm</title></head><body><article><p>" + "A storm hit the coast. " * 20 + \
        "</p></article></body></html>"
    assert "storm hit the coast" in parse_html(html, "/x/a.html").text
