"""The 待办 queue of loans (core.todo): 逾期催收案件, the open collection cases (the collection work queue)."""

from __future__ import annotations

from openhpf.core.todo import register_todo

from .collection import open_case_count


def register() -> None:
    register_todo("loans.cases", "逾期催收", "loans.operate", count=open_case_count, url_name="loans:cases",
                  query={"state": "open"}, order=60, hint="逾期贷款的催收案件，登记催收记录或办理重组、核销")
