"""提取情况表 in finance's statements: two rent withdrawals paid through the bank simulator in two months at two
branches, figures checked by hand, the ledger check, the xlsx export; a role without finance.view gets 403."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from openhpf.accounts.models import PaidMonths
from openhpf.accounts.tests.factories import make_account
from openhpf.applications import services as engine
from openhpf.applications.models import State
from openhpf.conftest import business_day, grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.services import branch_create
from openhpf.finance.periods import parse_period
from openhpf.finance.selectors import KINDS, statement
from openhpf.iam.models import StaffProfile
from openhpf.ledger.tests.factories import deposit
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import instruction_send
from openhpf.withdrawals.handlers import RENT

from .conftest import file, verified_card

pytestmark = pytest.mark.django_db


def _pay(w, app):
    day = w["center"].business_date
    app = engine.application_review(application=app, actor=w["r1"], business_date=day, decision="pass")
    app = engine.application_execute(application=app, actor=w["fin"], business_date=day)
    instruction_send(instruction=Instruction.objects.get(seq=app.result["instruction"]), actor=w["fin"],
                     business_date=day)
    app.refresh_from_db()
    assert app.state == State.COMPLETED
    return app


def test_the_withdrawal_report_by_reason_month_and_branch(world, bank, sim, django_user_model):
    w = world
    c = w["center"]
    west = branch_create(center=c, code="0101", name="西湖网点", actor=SystemActor("test"))
    east = branch_create(center=c, code="0102", name="上城网点", actor=SystemActor("test"))
    second = make_account(c, w["acct"].employer, 2)
    deposit(c, second.sub, 5_000_000, value_date=date(2026, 7, 1))
    PaidMonths.objects.create(account=second, year=2026, months=0b11110000000, back=0)
    verified_card(w)
    verified_card(w, "6217000000005678", member=second.member)
    # 11/30 at 西湖: 6,000.00 元 (3 months × 2,000.00)
    _pay(w, file(w, RENT, {"amount": 600_000, "months": 3, "no_own_home": True}, branch_id=west.pk))
    # 12/1 at 上城: 4,500.00 元
    with business_day(c, date(2026, 12, 1)):
        _pay(w, file(w, RENT, {"amount": 450_000, "months": 3, "no_own_home": True}, member=second.member,
                     branch_id=east.pk))
    assert KINDS["withdrawals"] == "提取情况表"
    st = statement("withdrawals", center=c, period=parse_period("2026-Q4", default=c.business_date), user=w["fin"])
    by = {s.title: {r.label: r.values for r in s.rows} for s in st.sections}
    assert by["按提取原因"] == {"07 房租": [2, 1_050_000], "合计": [2, 1_050_000]}
    assert by["按月份"] == {"2026年11月": [1, 600_000], "2026年12月": [1, 450_000], "合计": [2, 1_050_000]}
    assert by["按网点"] == {"西湖网点": [1, 600_000], "上城网点": [1, 450_000], "合计": [2, 1_050_000]}
    assert st.balanced  # equals the ledger's 部分提取 / 销户提取 debits booked from the bank's confirmations
    november = statement("withdrawals", center=c, period=parse_period("2026-11", default=c.business_date),
                         user=w["fin"])
    assert {r.label: r.values for r in november.sections[0].rows}["合计"] == [1, 600_000]

    fin = w["fin"]
    StaffProfile.objects.get_or_create(user=fin, defaults={"center": c, "display_name": "财务"})
    client = Client()
    client.force_login(fin)
    page = client.get(reverse("finance:statements"), {"kind": "withdrawals", "period": "2026-Q4"})
    assert page.status_code == 200 and "提取情况表" in page.content.decode() and "10,500.00" in page.content.decode()
    r = client.get(reverse("finance:statement_export"), {"kind": "withdrawals", "period": "2026-Q4", "format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = [str(v) for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)
             for v in row if v is not None]
    assert "07 房租" in cells and "10500.00" in cells and "4500.00" in cells and "西湖网点" in cells

    teller = grant_role(django_user_model.objects.create_user("wd_rep_teller", is_staff=True), "teller", center=c)
    StaffProfile.objects.get_or_create(user=teller, defaults={"center": c, "display_name": "柜员"})
    client.force_login(teller)
    assert client.get(reverse("finance:statements"), {"kind": "withdrawals"}).status_code == 403
