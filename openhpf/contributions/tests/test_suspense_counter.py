"""暂存分配 at the counter (remit:employer_suspense_allocate): an employer's 暂存 pays one of its confirmed, due 汇缴单 —
核对 shows the 暂存 balance before → after in 元, 办理 needs the money tick, posts once (double submission lands
on the first 回单), and a refusal (not enough in 暂存) is shown in Chinese with nothing written."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse

from openhpf.accounts.models import Employer
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.contributions.models import Remittance, SuspenseMove
from openhpf.contributions.remittance.services import receipt_record, remittance_confirm, remittance_create
from openhpf.core.actors import SystemActor
from openhpf.documents.models import Receipt
from openhpf.iam.services import staff_create
from openhpf.ledger.models import SubAccount

SYS = SystemActor("test")


@pytest.fixture
def c(client, center):
    user, _ = staff_create(username="alloctell", password="pw-Teller-2026", center=center, actor=SYS)
    client.force_login(grant_role(user, "teller", center=center))
    return client


def _setup(center, arrived: int):
    """An employer with two accounts (2,400 元 a month each), its confirmed 2026-11 汇缴单 (4,800 元) and `arrived`
    fen in its 暂存 (a receipt of another amount)."""
    e = make_employer(center, 1)
    accts = [make_account(center, e, n) for n in (1, 2)]
    bd = center.business_date
    with transaction.atomic():
        r = remittance_confirm(remittance=remittance_create(employer=e, month="2026-11", actor=SYS, business_date=bd),
                               actor=SYS, business_date=bd)
        receipt_record(center=center, amount=arrived, value_date=bd, bank_ref="ALLOC1", actor=SYS, business_date=bd,
                       payer_account=e.account_no)
    return e, r, accts


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m
    return m.group(1)


def test_allocate_from_suspense(c, center):
    e, r, accts = _setup(center, 500000)
    url = reverse("remit:employer_suspense_allocate", args=[e.account_no])
    detail = c.get(reverse("accounts:employer_detail", args=[e.account_no])).content.decode()
    assert f'href="{url}"' in detail
    html = c.get(url).content.decode()
    assert "5,000.00" in html and f"#{r.pk} 汇缴 2026-11 · 2 人 · 4,800.00 元" in html
    token = _token(html)
    html = c.post(url, {"remittance": r.pk, "_token": token, "_step": "review"}).content.decode()
    assert "5,000.00 → 200.00" in html and "4,800.00" in html and "资金业务" in html
    # 办理 without the tick: asked again, nothing posted
    resp = c.post(url, {"remittance": r.pk, "_token": token, "_step": "confirm"})
    assert resp.status_code == 400 and "请勾选" in resp.content.decode()
    assert Remittance.objects.get(pk=r.pk).status == "confirmed"
    resp = c.post(url, {"remittance": r.pk, "_token": token, "_step": "confirm", "_ack": "1"})
    assert resp.status_code == 302
    assert Remittance.objects.get(pk=r.pk).status == "posted"
    assert Employer.objects.get(pk=e.pk).suspense_balance == 20000
    assert sum(SubAccount.objects.filter(pk__in=[a.pk for a in accts]).values_list("balance_current", flat=True)) == 480000
    receipt = Receipt.objects.get()
    assert receipt.kind == "contributions.suspense.allocate" and receipt.amount == 480000
    assert ["单位暂存款余额（元）", "5,000.00 → 200.00"] in receipt.lines
    again = c.post(url, {"remittance": r.pk, "_token": token, "_step": "confirm", "_ack": "1"})
    assert again.status_code == 302 and again["Location"].startswith(resp["Location"])
    assert SuspenseMove.objects.filter(kind="allocate").count() == 1 and Receipt.objects.count() == 1


def test_not_enough_in_suspense_writes_nothing(c, center):
    e, r, _ = _setup(center, 100000)
    url = reverse("remit:employer_suspense_allocate", args=[e.account_no])
    token = _token(c.get(url).content.decode())
    for step in ("review", "confirm"):
        resp = c.post(url, {"remittance": r.pk, "_token": token, "_step": step, "_ack": "1"})
        html = resp.content.decode()
        assert resp.status_code == 400 and "单位暂存款 1,000.00 元不足 4,800.00 元" in html and "NO_MONEY" in html
    assert Remittance.objects.get(pk=r.pk).status == "confirmed"
    assert Employer.objects.get(pk=e.pk).suspense_balance == 100000 and not Receipt.objects.exists()
    assert not SuspenseMove.objects.filter(kind="allocate").exists()


def test_only_the_employers_payable_remittances(c, center):
    e, _r, _ = _setup(center, 500000)
    other = make_employer(center, 2)
    make_account(center, other, 9)
    with transaction.atomic():
        draft = remittance_create(employer=other, month="2026-11", actor=SYS, business_date=center.business_date)
    url = reverse("remit:employer_suspense_allocate", args=[e.account_no])
    token = _token(c.get(url).content.decode())
    for pk in (draft.pk, "", "abc"):
        resp = c.post(url, {"remittance": pk, "_token": token, "_step": "review"})
        html = resp.content.decode()
        assert resp.status_code == 400 and ("不能由暂存款支付" in html or "请选择要由暂存款支付" in html), pk
    assert not Receipt.objects.exists() and Employer.objects.get(pk=e.pk).suspense_balance == 500000


def test_the_picker_searches_every_allocatable_remittance(c, center, monkeypatch):
    """More than a page of allocatable 汇缴单: none is left out — the picker shows the first page and says how
    many there are, a search by 所属年月 or 单号 finds any of them, and the one found can be chosen."""
    from datetime import date

    from openhpf.conftest import business_day
    from openhpf.contributions.remittance import suspense_counter

    monkeypatch.setattr(suspense_counter, "PICK_PAGE", 3)
    with business_day(center, date(2026, 7, 1)):
        e = make_employer(center, 1)
        make_account(center, e, 1)
    bd = center.business_date
    made = []
    with transaction.atomic():
        receipt_record(center=center, amount=100_000_00, value_date=bd, bank_ref="PICK1", actor=SYS, business_date=bd,
                       payer_account=e.account_no)
        for month in ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11"):
            made.append(remittance_confirm(remittance=remittance_create(employer=e, month=month, actor=SYS,
                                                                        business_date=bd),
                                           actor=SYS, business_date=bd))
    url = reverse("remit:employer_suspense_allocate", args=[e.account_no])
    html = c.get(url).content.decode()
    assert html.count('data-testid="allocate-option"') == 3 and "共 5 笔，显示前 3 笔" in html
    choices = reverse("remit:employer_suspense_choices", args=[e.account_no])
    assert f'hx-get="{choices}"' in html
    last = made[-1]
    assert f'value="{last.pk}"' not in html  # beyond the first page: found by searching
    found = c.get(choices, {"q": "2026-11"}).content.decode()
    assert found.count('data-testid="allocate-option"') == 1 and f"#{last.pk} 汇缴 2026-11" in found
    by_number = c.get(choices, {"q": f"#{last.pk}"}).content.decode()
    assert f'value="{last.pk}"' in by_number and "allocate-more" not in by_number
    assert "没有符合条件" in c.get(choices, {"q": "abc"}).content.decode()
    token = _token(html)
    review = c.post(url, {"remittance": made[0].pk, "_token": token, "_step": "review"})
    assert review.status_code == 200 and "2026-07" in review.content.decode()
    back = c.post(url, {"remittance": last.pk, "_token": token, "_step": "edit"}).content.decode()
    assert f'value="{last.pk}" checked' in back  # the chosen one stays listed, checked, though past the first page
    resp = c.post(url, {"remittance": made[0].pk, "_token": token, "_step": "confirm", "_ack": "1"})
    assert resp.status_code == 302 and Remittance.objects.get(pk=made[0].pk).status == "posted"
