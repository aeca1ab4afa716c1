"""Migration operations that recode a stored enumeration (a status or kind column) from old values to new ones
set-based, and widen its column to fit: one UPDATE … CASE per column, reversible.

The column is widened in the database only on PostgreSQL (a varchar made longer is a catalogue change there, no
rewrite); SQLite does not enforce a varchar length, and altering a column there would rebuild the whole table
and lose the indexes a migration made by hand. The model state gets the field as given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import migrations
from django.db.models import Field


def _quote(value: str) -> str:
    if "'" in value:
        raise ValueError(f"a stored value with a quote: {value!r}")
    return f"'{value}'"


def recode_sql(table: str, column: str, mapping: Mapping[str, str]) -> str:
    """UPDATE table SET column = CASE … END for the rows holding an old value (the others are left alone)."""
    cases = " ".join(f"WHEN {_quote(old)} THEN {_quote(new)}" for old, new in mapping.items())
    olds = ", ".join(_quote(old) for old in mapping)
    return f'UPDATE "{table}" SET "{column}" = CASE "{column}" {cases} ELSE "{column}" END WHERE "{column}" IN ({olds})'  # noqa: S608 — names and values from the migration; a quote is refused


def _set_length(table: str, column: str, length: int) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length})')
    return run


def recode(*, model_name: str, table: str, column: str, field: Field, old_length: int,
           mapping: Mapping[str, str]) -> list[migrations.operations.base.Operation]:
    """Widen `column` to the field's max_length and rewrite its old values to the new ones (and back)."""
    assert field.max_length is not None and all(len(new) <= field.max_length for new in mapping.values())
    back = {new: old for old, new in mapping.items()}
    return [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name=model_name, name=column, field=field)],
            database_operations=[migrations.RunPython(_set_length(table, column, field.max_length),
                                                      _set_length(table, column, old_length), elidable=False)],
        ),
        migrations.RunSQL(recode_sql(table, column, mapping), recode_sql(table, column, back)),
    ]
