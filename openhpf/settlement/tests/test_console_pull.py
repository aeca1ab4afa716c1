"""拉取到账通知 from the settlement page: the bank's notices now, the result by what became of them in 元."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.settlement.models import Notice

from .conftest import CENTER_ACCOUNT


def _staff(center, name, role):
    user, _ = staff_create(username=name, password="pw-Finance-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, role, center=center)


def test_finance_pulls_the_notices_and_sees_what_they_became(center, bank, sim, client):
    on = center.business_date.isoformat()
    sim.credit(account=CENTER_ACCOUNT, amount=8_000_00, counter_account="9550000000000011", counter_name="某单位",
               summary="汇缴", date=on)
    sim.debit(account=CENTER_ACCOUNT, amount=15_00, counter_name="工商银行", summary="汇划手续费", date=on)
    client.force_login(_staff(center, "fin7", "finance"))
    assert "拉取到账通知" in client.get(reverse("settlement:home")).content.decode()
    before = Notice.objects.count()
    res = client.post(reverse("settlement:notices_pull"), follow=True)
    said = " ".join(str(m) for m in get_messages(res.wsgi_request))
    assert Notice.objects.count() == before + 2
    assert "已拉取到账通知：新通知 2 笔" in said and "8,000.00 元" in said and "待财务处理 1 笔 15.00 元" in said
    res = client.post(reverse("settlement:notices_pull"), follow=True)  # again: nothing new
    assert "新通知 0 笔" in " ".join(str(m) for m in get_messages(res.wsgi_request))
    assert Notice.objects.count() == before + 2


def test_reading_staff_see_no_pull_button_and_may_not_pull(center, bank, sim, client):
    sim.credit(account=CENTER_ACCOUNT, amount=8_000_00, counter_account="9550000000000011", counter_name="某单位",
               summary="汇缴", date=center.business_date.isoformat())
    client.force_login(_staff(center, "insp7", "inspector"))
    assert "拉取到账通知" not in client.get(reverse("settlement:home")).content.decode()
    before = Notice.objects.count()
    assert client.post(reverse("settlement:notices_pull")).status_code == 403
    assert Notice.objects.count() == before
