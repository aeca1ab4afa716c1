"""The set-based validation engine: every rule runs, each capped, errors streamed to the sink."""

from __future__ import annotations

import pytest
from django.db import connection

from openhpf.core.error_codes import ErrorCode
from openhpf.core.ingest import ErrorSink
from openhpf.core.validation import Rule, failing, run_rules, run_table_rules

pytestmark = pytest.mark.django_db

T = "test_validation_stage"


@pytest.fixture
def staged():
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE {T} (seq INTEGER, line INTEGER, name TEXT, base INTEGER)")
        rows = [(i, i + 1, "" if i % 10 == 0 else f"n{i}", -i if i % 3 == 0 else i * 100) for i in range(1, 31)]
        cur.executemany(f"INSERT INTO {T} (seq, line, name, base) VALUES (%s, %s, %s, %s)", rows)
    yield T
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {T}")


def _query_rules() -> list[Rule]:
    return [
        Rule(code=ErrorCode.REQUIRED, message="第 {row} 行：姓名不能为空", column="姓名", file="f.csv",
             sql=f"SELECT line FROM {T} WHERE name = '' ORDER BY seq"),
        Rule(code=ErrorCode.BASE_NEGATIVE, message="缴存基数 {0} 分为负数", column="缴存基数", file="f.csv",
             sql=f"SELECT line, base FROM {T} WHERE base < %s ORDER BY seq", params=(0,)),
    ]


def test_every_rule_runs_and_every_error_is_listed_at_once(staged):
    sink = ErrorSink()
    found = run_rules(_query_rules(), sink)
    assert found == {"REQUIRED": 3, "BASE_NEGATIVE": 10}
    assert [(e.row, e.code) for e in sink.errors][:4] == [(11, "REQUIRED"), (21, "REQUIRED"), (31, "REQUIRED"),
                                                          (4, "BASE_NEGATIVE")]
    assert sink.errors[0].message == "第 11 行：姓名不能为空" and sink.errors[3].message == "缴存基数 -3 分为负数"
    assert all(e.file == "f.csv" and e.field for e in sink.errors)


def test_each_query_rule_stops_after_its_cap(staged):
    sink = ErrorSink()
    assert run_rules(_query_rules(), sink, cap=2) == {"REQUIRED": 2, "BASE_NEGATIVE": 2}
    assert [e.row for e in sink.errors] == [11, 21, 4, 7] and sink.truncated


def _where_rules() -> list[Rule]:
    return [Rule(code=ErrorCode.REQUIRED, message="姓名不能为空", column="姓名", where="name = ''"),
            Rule(code=ErrorCode.BASE_NEGATIVE, message="缴存基数 {0} 分为负数", column="缴存基数", where="base < 0",
                 detail=("base",))]


def test_table_rules_in_one_pass_list_every_rule_of_a_row(staged):
    sink = ErrorSink()
    assert run_table_rules(staged, _where_rules(), sink) == 12  # row 31 fails both rules
    got = [(e.row, e.code) for e in sink.errors]
    assert len(got) == 13 and (31, "REQUIRED") in got and (31, "BASE_NEGATIVE") in got
    assert [e.row for e in sink.errors] == sorted(e.row or 0 for e in sink.errors)  # in the table's order
    assert sink.errors[0].message == "缴存基数 -3 分为负数"
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {staged} WHERE {failing(_where_rules())}")
        assert cur.fetchone()[0] == 12


def test_table_rules_cap_each_rule_and_stop_when_all_are_full(staged):
    sink = ErrorSink()
    seen = run_table_rules(staged, _where_rules(), sink, cap=1)
    assert [(e.row, e.code) for e in sink.errors] == [(4, "BASE_NEGATIVE"), (11, "REQUIRED")]
    assert seen == 4  # rows 3, 6, 9 and 10: the pass stopped once both rules had their one error


def test_memory_stays_bounded_by_the_sink_while_the_error_file_has_every_error(staged, tmp_path):
    sink = ErrorSink(path=tmp_path / "e.csv", keep=2)
    run_rules(_query_rules(), sink)
    sink.close()
    assert sink.count == 13 and len(sink.errors) == 2
    assert len((tmp_path / "e.csv").read_text(encoding="utf-8-sig").splitlines()) == 14
