"""Fixtures of the maker-checker tests: a maker and a checker of the center, with roles of openhpf.access."""

from __future__ import annotations

import pytest

from openhpf.access.services import role_assign
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create


@pytest.fixture
def grant(center):
    """grant(user, *roles): assign built-in roles (access/catalogue.py) at the center."""

    def grant_(user, *roles: str):
        for role in roles:
            role_assign(user=user, role=role, center=center, actor=SystemActor("test"))
        return user

    return grant_


@pytest.fixture
def maker(center, grant):
    """财务 (manual postings) and 中心领导 (policy changes; also holds the checker permission)."""
    user, _ = staff_create(username="maker1", password="pw-Maker-2026", center=center, actor=SystemActor("test"),
                           display_name="张经办")
    return grant(user, "finance", "leader")


@pytest.fixture
def approver(center, grant):
    """复核员."""
    user, _ = staff_create(username="checker2", password="pw-Check-2026", center=center, actor=SystemActor("test"),
                           display_name="李复核")
    return grant(user, "reviewer")
