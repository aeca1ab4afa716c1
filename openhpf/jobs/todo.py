"""The 待办 queue of jobs (core.todo): failed and interrupted jobs, until each is resumed or cancelled."""

from __future__ import annotations

from typing import Any

from openhpf.core.todo import register_todo

from .selectors import job_problem_count


def _problems(center: Any, user: Any) -> int:
    return job_problem_count(user=user)


def register() -> None:
    register_todo("jobs.problems", "失败或中断的作业", "jobs.view", count=_problems, url_name="jobs:list",
                  query={"state": "problem"}, order=70, hint="需续跑或取消的批处理作业")
