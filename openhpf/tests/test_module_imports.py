"""Imports of the project's own modules sit at the top of a module, never inside a function (docs/architecture.md:
"no function-level import to dodge a cycle"; a cycle is fixed at its cause, or a lower app offers a registry).

Left out, as the layer contracts leave them out: tests, migrations (a data migration imports inside its function
on purpose) and the apps' ready() hooks in apps.py, where an app registers with the registries of lower apps.
Imports under `if TYPE_CHECKING:` are at module level, so they never count."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # openhpf/


def _production_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py")
                  if "tests" not in p.parts and "migrations" not in p.parts
                  and p.name not in ("apps.py", "conftest.py"))


def _own(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "openhpf"
    return any(a.name.split(".")[0] == "openhpf" for a in node.names)


def function_level_imports(source: str) -> list[int]:
    """Line numbers of imports of openhpf modules (absolute or relative) inside a function or method."""
    found = []
    for fn in ast.walk(ast.parse(source)):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            found += [n.lineno for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom) and _own(n)]
    return sorted(set(found))


def test_the_scan_sees_function_level_imports():
    src = ("from openhpf.core import db\n"
           "def f():\n    from .services import g\n    return g\n"
           "class C:\n    def m(self):\n        import openhpf.core.money\n        from json import dumps\n")
    assert function_level_imports(src) == [3, 7]


def test_no_function_level_imports_of_own_modules():
    offenders = [f"{p.relative_to(ROOT.parent)}:{line}" for p in _production_files()
                 for line in function_level_imports(p.read_text(encoding="utf-8"))]
    assert not offenders, "imports inside functions (move them to the module's top): " + ", ".join(offenders)
