"""SQL between apps: an app's SQL names its own tables and the views other apps publish, never another app's
table (docs/architecture.md, "SQL between apps").

The SQL is every string literal and f-string part in an app's code (tests and migrations left out, as the
layer contracts leave them out) and every .sql file; the tables are every model's db_table in the Django app
registry, each owned by its model's app. A view `<app>_v_<name>` is no model's table, so naming one passes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from openhpf.core import db

ROOT = Path(__file__).resolve().parents[1]  # openhpf/


def _owners() -> dict[str, str]:
    """db_table → the label of the app whose model it is."""
    return {m._meta.db_table.lower(): m._meta.app_label
            for m in apps.get_models(include_auto_created=True)}


def _app_dirs() -> dict[str, Path]:
    """app label → its directory, for the project's own apps."""
    return {c.label: Path(c.path) for c in apps.get_app_configs() if Path(c.path).is_relative_to(ROOT)}


def _skipped(path: Path, app_dir: Path) -> bool:
    parts = path.relative_to(app_dir).parts
    return "tests" in parts or "migrations" in parts or path.name == "conftest.py"


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string constant, f-string parts included (a placeholder reads as a blank)."""
    out: list[tuple[int, str]] = []
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    # a URL's name (path(..., name="iam_outbox")) is no SQL
    parts |= {id(k.value) for node in ast.walk(tree) if isinstance(node, ast.Call) for k in node.keywords
              if k.arg == "name"}
    for node in ast.walk(tree):
        if id(node) in parts:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else " "
                           for v in node.values)
            out.append((node.lineno, text))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
    return out


def _foreign_db_table_uses(tree: ast.AST, own: str, module_app: dict[str, str]) -> list[tuple[int, str]]:
    """`Model._meta.db_table` where Model was imported from another app's module."""
    imported: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("openhpf."):
            app = module_app.get(node.module.split(".")[1])
            for alias in node.names:
                if app:
                    imported[alias.asname or alias.name] = app
    hits = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr == "db_table" and isinstance(node.value, ast.Attribute)
                and node.value.attr == "_meta" and isinstance(node.value.value, ast.Name)):
            app = imported.get(node.value.value.id)
            if app and app != own:
                hits.append((node.lineno, f"{node.value.value.id}._meta.db_table ({app})"))
    return hits


_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def boundary_violations(app_dirs: dict[str, Path], owners: dict[str, str],
                        views: dict[str, str] | None = None) -> list[str]:
    views = views or {}
    view_pattern = re.compile(r"\b(" + "|".join(map(re.escape, app_dirs)) + r")_v_[a-z0-9_]+\b")
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, owners), key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
    module_app = {d.name: label for label, d in app_dirs.items()}
    found = []
    for label, app_dir in sorted(app_dirs.items()):
        for path in sorted([*app_dir.rglob("*.py"), *app_dir.rglob("*.sql")]):
            if _skipped(path, app_dir):
                continue
            source = path.read_text(encoding="utf-8")
            if path.suffix == ".sql":
                texts = [(i, line) for i, line in enumerate(source.splitlines(), 1)]
                extra: list[tuple[int, str]] = []
            else:
                tree = ast.parse(source, filename=str(path))
                texts = _strings(tree)
                extra = _foreign_db_table_uses(tree, label, module_app)
            where = path.relative_to(ROOT.parent) if path.is_relative_to(ROOT.parent) else path
            for line, text in texts:
                for m in pattern.finditer(text):
                    if text[max(m.start() - 1, 0):m.start()] == ":":  # "console:iam_outbox", a URL's name
                        continue
                    owner = owners[m.group(1).lower()]
                    hit = f"{where}:{line}: {label} names {owner}'s table {m.group(1)}"
                    if owner != label and hit not in found:
                        found.append(hit)
                for m in view_pattern.finditer(text):
                    if m.group(0) not in views:
                        found.append(f"{where}:{line}: {label} names {m.group(0)}, a view nobody publishes")
                for m in _WRITE.finditer(text):
                    if views.get(m.group(1), label) != label:
                        found.append(f"{where}:{line}: {label} writes to {views[m.group(1)]}'s view {m.group(1)}")
            found += [f"{where}:{line}: {label} uses {what}" for line, what in extra]
    return found


def test_no_app_names_another_apps_table() -> None:
    found = boundary_violations(_app_dirs(), _owners(), {n: v.app_label for n, v in db.VIEWS.items()})
    assert not found, ("SQL naming another app's table; read the owner's published view or call its selector "
                       "(docs/architecture.md):\n" + "\n".join(found))


def test_the_scan_sees_sql_in_literals_fstrings_and_sql_files(tmp_path: Path) -> None:
    """The scan itself: a literal, an f-string part and a .sql line naming another app's table are found; the
    app's own table, a published view and a table of a test are not."""
    a, b = tmp_path / "alpha", tmp_path / "beta"
    (a / "tests").mkdir(parents=True)
    b.mkdir()
    (a / "q.py").write_text(
        'X = "SELECT * FROM beta_thing"\n'
        'def f(t):\n    return f"SELECT 1 FROM {t} JOIN beta_other o ON o.id = 1"\n'
        'OWN = "SELECT * FROM alpha_row JOIN beta_v_thing v ON v.id = 1"\n'
        'BAD = ("UPDATE beta_v_thing SET x = 1", "SELECT * FROM beta_v_nothing")\n', encoding="utf-8")
    (a / "tests" / "t.py").write_text('Y = "SELECT * FROM beta_thing"\n', encoding="utf-8")
    (a / "v.sql").write_text("SELECT 1\nFROM Beta_Thing;\n", encoding="utf-8")
    owners = {"alpha_row": "alpha", "beta_thing": "beta", "beta_other": "beta"}
    found = boundary_violations({"alpha": a, "beta": b}, owners, {"beta_v_thing": "beta"})
    assert sorted(f.split(": ", 1)[1] for f in found) == sorted([
        "alpha names beta's table beta_thing", "alpha names beta's table beta_other",
        "alpha writes to beta's view beta_v_thing", "alpha names beta_v_nothing, a view nobody publishes",
        "alpha names beta's table Beta_Thing"])


def _plan(sql: str) -> list[str]:
    explain = "EXPLAIN (COSTS OFF) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cur:
        cur.execute(explain + sql, [1, 1])
        return [str(r[-1] if connection.vendor == "sqlite" else r[0]) for r in cur.fetchall()]


@pytest.mark.django_db
def test_published_views_exist_and_are_read_as_their_tables() -> None:
    """Every published view answers, and a statement over views is planned exactly as over the tables (the
    planner inlines a plain projection: reading through a view costs nothing)."""
    assert {"accounts_v_member_account", "ledger_v_journal_line", "settlement_v_bank_account"} <= set(db.VIEWS)
    with connection.cursor() as cur:
        for view in db.VIEWS.values():
            cur.execute(f"SELECT {', '.join(view.columns)} FROM {view.name} WHERE 1 = 0")
    # no aliases: the plans then name the same relations both ways (the tables, once a view is inlined)
    statements = [
        "SELECT accounts_v_member_account.account_no, ledger_v_sub_account.balance_current "
        "FROM accounts_v_member_account JOIN ledger_v_sub_account ON ledger_v_sub_account.id = "
        "accounts_v_member_account.sub_id WHERE accounts_v_member_account.employer_id = %s "
        "AND ledger_v_sub_account.center_id = %s",
        "SELECT SUM(ledger_v_journal_line.debit - ledger_v_journal_line.credit) FROM ledger_v_journal_line "
        "JOIN ledger_v_journal_entry ON ledger_v_journal_entry.id = ledger_v_journal_line.entry_id "
        "WHERE ledger_v_journal_line.account_id = %s AND ledger_v_journal_entry.center_id = %s",
    ]
    for over_views in statements:
        over_tables = over_views
        for view in sorted(db.VIEWS.values(), key=lambda v: -len(v.name)):
            over_tables = over_tables.replace(view.name, view.table)
        assert over_tables != over_views
        assert _plan(over_views) == _plan(over_tables)

