"""`hpf settlement list` and `hpf settlement deposits` print every row (streamed in chunks), not the newest 200,
as one JSON object with the true total; `--page`/`--page-size` print one page (past the end: the last one); the
count is said on stderr."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openhpf.core.actors import SystemActor
from openhpf.settlement.management.commands import settlement as command
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import bank_account_open

SYS = SystemActor("test")


def _run(*args: str) -> tuple[dict, str]:
    out, err = StringIO(), StringIO()
    call_command("settlement", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


@pytest.mark.django_db
def test_list_prints_every_instruction_and_pages_on_request(center, monkeypatch):
    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no="6222000000000777",
                             account_name=center.name, actor=SYS, business_date=center.business_date)
    # final states only (failed, cancelled): nothing reserved, so the settlement checks after the test hold
    Instruction.objects.bulk_create([
        Instruction(center=center, seq=f"T{n:06d}", code="BDC101", biz_type="99", direction="out", bank_account=acct,
                    amount=100 + n, book_account="21901", business_date=center.business_date, state="failed" if n % 10 == 0 else "cancelled")
        for n in range(250)])
    monkeypatch.setattr(command, "LIST_CHUNK", 64)  # several chunks
    body, err = _run("list", "--center", center.code)
    assert body["total"] == 250 and len(body["items"]) == 250 and "page" not in body
    assert [i["seq"] for i in body["items"][:2]] == ["T000249", "T000248"]  # newest first
    assert "共 250 条指令，已全部列出" in err
    body, _ = _run("list", "--center", center.code, "--state", "failed")
    assert body["total"] == 25 and {i["state"] for i in body["items"]} == {"failed"}
    body, err = _run("list", "--center", center.code, "--page", "9", "--page-size", "100")
    assert (body["total"], body["page"], body["page_size"], len(body["items"])) == (250, 3, 100, 50)
    assert body["items"][-1]["seq"] == "T000000" and "第 3 页" in err
    with pytest.raises(CommandError, match="正整数"):
        _run("list", "--center", center.code, "--page", "0")


@pytest.mark.django_db
def test_deposits_list_has_its_total(center):
    body, err = _run("deposits", "--center", center.code)
    assert body == {"total": 0, "items": []} and "共 0 条存单" in err
