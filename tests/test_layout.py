"""The shape a newcomer can rely on: small modules, HTTP handlers reached only from the
route tables, imports at the top of each module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    p for folder in ("services", "shared", "cnk") for p in (ROOT / folder).rglob("*.py")
)
MAX_LINES = 400


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imported_modules(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_no_module_is_over_400_lines() -> None:
    long = {_name(p): n for p in SOURCES if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_only_the_route_tables_import_handlers() -> None:
    importers = {
        _name(path)
        for path in SOURCES
        if path.name != "routes.py"
        and any(
            m.split(".")[-1] == "handlers" for m in _imported_modules(ast.parse(path.read_text()))
        )
    }
    assert importers == set()


def test_imports_are_at_the_top_of_each_module() -> None:
    inside: list[str] = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inside += [
                    f"{_name(path)}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                ]
    assert inside == []
