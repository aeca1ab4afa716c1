"""通知存款支取通知 (BDC118) on screen, against the bank simulator: the deposit list offers it for an open notice
deposit, the form refuses a date inside the notice period and an amount over the principal (a Chinese message,
nothing sent), the 核对 page says what will happen, 办理 sends the notice and issues a 回单, and the withdrawal of
the noticed amount on the date then earns the notice rate. A bank refusal is shown on the form; nothing stored."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse

from openhpf.conftest import business_day
from openhpf.documents.models import Receipt
from openhpf.settlement.deposits import deposit_open, deposit_withdraw
from openhpf.settlement.models import Deposit
from openhpf.settlement.services import instruction_send
from openhpf.settlement.tests.conftest import bank, release, sim  # noqa: F401  (fixtures)


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m, "the form carries a one-time token"
    return m.group(1)


def _notice_deposit(center, bank, fin_user) -> Deposit:  # noqa: F811
    dep = deposit_open(center=center, bank_account=bank, kind="notice", amount=20_000_000, rate="1.35",
                       notice_days=7, actor=fin_user, business_date=center.business_date)
    instruction_send(instruction=release(dep.open_instruction), actor=fin_user, business_date=center.business_date)
    dep.refresh_from_db()
    assert dep.status == Deposit.Status.OPEN and dep.deposit_no
    return dep


def test_notice_form_sends_bdc118_and_the_withdrawal_earns_the_notice_rate(client, center, bank, sim,  # noqa: F811
                                                                         fin_user):
    dep = _notice_deposit(center, bank, fin_user)
    client.force_login(fin_user)
    url = reverse("finance:deposit_notify", args=[dep.pk])
    listing = client.get(reverse("finance:deposits")).content.decode()
    assert url in listing and "支取通知" in listing
    with business_day(center, date(2026, 12, 1)):
        form = client.get(url).content.decode()
        assert "7 天通知" in form and "200000.00" in form and 'value="2026-12-08"' in form
        token = _token(form)
        good = {"amount": "100,000.00", "withdraw_date": "2026-12-08", "_token": token}
        # bad input: a Chinese message with its code, nothing sent or stored
        for bad, message in (({"withdraw_date": "2026-12-07"}, "支取日期应不早于 2026-12-08（7 天通知存款须提前 7 天通知）（DEPOSIT_NOTICE_DATE）"),
                             ({"amount": "200,000.01"}, "通知支取金额超过存款余额 200,000.00 元"),
                             ({"amount": "0"}, "金额不能为零"), ({"withdraw_date": "12/08"}, "日期格式不正确")):
            r = client.post(url, {**good, **bad, "_step": "confirm", "_ack": "1"})
            assert r.status_code == 400 and message in r.content.decode(), bad
        review = client.post(url, {**good, "_step": "review"}).content.decode()
        for text in ("通知支取金额", "100,000.00 元", "2026-12-08", "1.35%", "确认发送支取通知"):
            assert text in review, text
        assert client.post(url, {**good, "_step": "confirm"}).status_code == 400  # the tick box is required
        dep.refresh_from_db()
        assert dep.notice_amount is None
        done = client.post(url, {**good, "_step": "confirm", "_ack": "1"})
        assert done.status_code == 302
    receipt = Receipt.objects.get(kind="finance.deposit.notify")
    assert done["Location"] == reverse("documents:receipt", args=[receipt.number])
    assert "已受理" in client.get(done["Location"]).content.decode()
    dep.refresh_from_db()
    assert (dep.notice_amount, dep.notice_date) == (10_000_000, date(2026, 12, 8))
    listing = client.get(reverse("finance:deposits")).content.decode()
    assert "已通知 2026-12-08 支取 100,000.00 元" in listing and url not in listing
    # one notice at a time: a second is refused before the bank is asked
    with business_day(center, date(2026, 12, 2)):
        token = _token(client.get(url).content.decode())
        r = client.post(url, {"amount": "1.00", "withdraw_date": "2026-12-20", "_token": token, "_step": "review"})
        assert r.status_code == 400 and "DEPOSIT_NOTICED" in r.content.decode()
    # the bank kept the notice: the withdrawal on the date pays the notice rate (10,000,000 × 1.35% × 8 / 360)
    with business_day(center, date(2026, 12, 8)):
        w = deposit_withdraw(deposit=dep, amount=10_000_000, actor=fin_user, business_date=date(2026, 12, 8))
        instruction_send(instruction=w, actor=fin_user, business_date=date(2026, 12, 8))
    dep.refresh_from_db()
    assert dep.interest_received == 3_000 and dep.notice_amount is None


def test_notice_refused_by_the_bank_is_shown_and_nothing_is_stored(client, center, bank, sim, fin_user):  # noqa: F811
    dep = _notice_deposit(center, bank, fin_user)
    sim.faults(fault="reject", code="BDC118", count=1)
    client.force_login(fin_user)
    url = reverse("finance:deposit_notify", args=[dep.pk])
    with business_day(center, date(2026, 12, 1)):
        token = _token(client.get(url).content.decode())
        r = client.post(url, {"amount": "1,000.00", "withdraw_date": "2026-12-08", "_token": token,
                              "_step": "confirm", "_ack": "1"})
    assert r.status_code == 400 and "银行拒绝支取通知" in r.content.decode()
    dep.refresh_from_db()
    assert dep.notice_amount is None and not Receipt.objects.filter(kind="finance.deposit.notify").exists()


def test_notice_form_is_for_notice_deposits_of_finance_only(client, center, bank, sim, fin_user,  # noqa: F811
                                                           teller_user):
    dep = deposit_open(center=center, bank_account=bank, kind="time", amount=1_000_000, rate="1.25", term_months=3,
                       actor=fin_user, business_date=center.business_date)
    client.force_login(fin_user)
    assert client.get(reverse("finance:deposit_notify", args=[dep.pk])).status_code == 404  # a time deposit
    client.force_login(teller_user)
    assert client.get(reverse("finance:deposit_notify", args=[dep.pk])).status_code == 403
