"""A check for test modules: SQL text must not be built with "%" formatting or by replacing "%s" in it, since
"%s" is also the bind-parameter mark: one statement using it both ways breaks as soon as a formatted value
holds a "%", and hides which values are bound."""

from __future__ import annotations

import ast
import inspect
from types import ModuleType


def percent_s_holes(module: ModuleType) -> list[str]:
    """Where `module` formats text with `%` or replaces "%s" in a string: "line: source" for each."""
    source = inspect.getsource(module)
    found = []

    def text(node: ast.AST) -> bool:
        return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))

    for node in ast.walk(ast.parse(source)):
        formatted = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and (text(node.left)
                                                                                     or text(node.right))
        replaced = (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace"
                    and bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == "%s")
        if formatted or replaced:
            found.append(f"{node.lineno}: {ast.get_source_segment(source, node)}")
    return found
