"""Two checkers approve the same command at the same moment on two connections: the row lock serialises
them, the command is applied exactly once and the second approval finds it decided."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction

from openhpf.approvals import registry
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve, command_submit
from openhpf.audit.models import AuditRecord
from openhpf.core.errors import DomainError
from openhpf.core.models import PolicyParameter

BD = date(2026, 11, 30)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_apply_once(center, maker, approver, grant, django_user_model, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) need PostgreSQL")
    second = grant(django_user_model.objects.create_user("checker3", is_staff=True), "approver")
    with transaction.atomic(durable=True):
        cmd = command_submit(name="core.policy_set", actor=maker, center=center, business_date=BD,
                             params={"key": "contribution.base.cap", "value": 3600000, "value_type": "int",
                                     "effective_from": "2027-07-01"})
    spec = registry.get("core.policy_set")
    applied = []

    def slow_apply(params, actor, business_date):
        applied.append(actor.pk)
        time.sleep(0.3)  # hold the row lock while the other approval arrives
        return spec.apply(params, actor, business_date)

    monkeypatch.setitem(registry._REGISTRY, "core.policy_set", dataclasses.replace(spec, apply=slow_apply))
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def approve(user):
        try:
            barrier.wait(5)
            with transaction.atomic(durable=True):
                outcome[user.username] = command_approve(command=cmd.pk, actor=user, business_date=BD).status
        except DomainError as e:
            outcome[user.username] = e.code
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (approver, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(map(str, outcome.values())) == ["ALREADY_DECIDED", "applied"], outcome
    assert len(applied) == 1
    assert PolicyParameter.objects.filter(center=center, key="contribution.base.cap").count() == 1
    cmd = PendingCommand.objects.get(pk=cmd.pk)
    assert cmd.status == "applied" and cmd.checker_id == applied[0]
    assert AuditRecord.objects.filter(action="approvals.command.apply", object_id=str(cmd.pk)).count() == 1
