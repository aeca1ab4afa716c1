"""Employer agents' phones and staff TOTP secrets are SM4 encrypted at rest like members' phones (issue 13
item 9), and the rows written before are encrypted by a reversible data migration (iam 0004)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pyotp
from django.db import connection

from openhpf.core.actors import SystemActor
from openhpf.iam.models import EmployerAgent, StaffSecurity
from openhpf.iam.services import employer_agent_create, staff_totp_enrol_begin
from openhpf.security.fields import blind_index

migration = importlib.import_module("openhpf.iam.migrations.0004_staff_mobile_encrypted_agent_phone_totp")


def _raw(sql: str, params: list | None = None) -> list:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return [r[0] for r in cur.fetchall()]


def test_agent_phone_and_totp_secret_are_encrypted_and_the_old_rows_are_migrated_both_ways(clerk, accounts):
    employer = accounts["a"].employer
    agent = employer_agent_create(employer=employer, login_id="enc-agent", name="钱经办", phone="13611112222",
                                  password="Agent-Pass-2026", actor=SystemActor("test"))
    secret, _ = staff_totp_enrol_begin(user=clerk, actor=clerk)
    # the attack: a database reader saw them in clear. Now the columns hold ciphertext; lookups use the index
    assert "13611112222" not in str(_raw("SELECT phone FROM iam_employeragent"))
    assert secret not in str(_raw("SELECT totp_secret FROM iam_staffsecurity"))
    assert EmployerAgent.objects.get(phone="13611112222").pk == agent.pk
    assert StaffSecurity.objects.get(user=clerk).totp_secret == secret and pyotp.TOTP(secret).now()

    # rows written in clear before the change: the migration encrypts them, and its reverse decrypts them
    plain = pyotp.random_base32()
    with connection.cursor() as cur:
        cur.execute("UPDATE iam_employeragent SET phone = %s, phone_bidx = '' WHERE id = %s", ["13633334444", agent.pk])
        cur.execute("UPDATE iam_staffsecurity SET totp_secret = %s WHERE user_id = %s", [plain, clerk.pk])
    editor = SimpleNamespace(connection=connection)
    migration.encrypt_existing(None, editor)
    migration.encrypt_existing(None, editor)  # a second run changes nothing (already encrypted rows are skipped)
    assert "13633334444" not in str(_raw("SELECT phone FROM iam_employeragent"))
    assert _raw("SELECT phone_bidx FROM iam_employeragent WHERE id = %s", [agent.pk]) == [
        blind_index("phone", "13633334444", "phone")]
    assert EmployerAgent.objects.get(pk=agent.pk).phone == "13633334444"
    assert StaffSecurity.objects.get(user=clerk).totp_secret == plain
    migration.decrypt_existing(None, editor)
    assert _raw("SELECT phone FROM iam_employeragent WHERE id = %s", [agent.pk]) == ["13633334444"]
    assert _raw("SELECT totp_secret FROM iam_staffsecurity WHERE user_id = %s", [clerk.pk]) == [plain]
    migration.encrypt_existing(None, editor)  # forward again: `hpf verify` checks every encrypted column
