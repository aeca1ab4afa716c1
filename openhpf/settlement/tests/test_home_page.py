"""The 银行结算 page: the bank channel's internal address is never shown, empty states carry no command-line
hints, 开立专户 is a labelled form, and the center's own accounts in the payee list are not masked."""

from __future__ import annotations

from django.urls import reverse

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.settlement.four_eyes import payee_register
from openhpf.settlement.services import bank_account_open, bank_channel_link_local

SYS = SystemActor("test")


def test_home_hides_the_channel_url_and_cli_hints(client, center):
    user, _ = staff_create(username="fin8", password="pw-Finance-2026", center=center, actor=SYS)
    grant_role(user, "finance", center=center)
    bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行杭州分行", account_no="1202000000001",
                      account_name=center.name, actor=SYS, business_date=center.business_date)
    bank_channel_link_local(center=center, bank_code="ICBC", url="http://127.0.0.1:8765/bdc", actor=SYS)
    payee_register(center=center, account_no="1202000000009", account_name=center.name, kind="own", actor=SYS,
                   source="test", approved_by="test")
    payee_register(center=center, account_no="6217000012345678", account_name="张三丰", kind="member_card", actor=SYS,
                   source="test", approved_by="test")
    client.force_login(user)
    html = client.get(reverse("settlement:home")).content.decode()
    assert "127.0.0.1" not in html and "8765" not in html and "已接通" in html
    assert "hpf " not in html and "没有定期或通知存款" in html
    assert 'data-testid="account-open"' in html and "<label>开户银行<input" in html
    assert f"<td>{center.name}</td><td>1202000000009</td>" in html  # the center's own account in clear
    assert "张三丰" not in html and "张**" in html
