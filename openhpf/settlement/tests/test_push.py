"""Account-change notices pushed by the bank (SBDC100 to /settlement/notify/<center>/<bank>/, the channel's token in
the header X-HPF-Push-Token, never in the URL)."""

from __future__ import annotations

import json
import time

import pytest

from banksim.client import SimProcess
from openhpf.contributions.models import Receipt
from openhpf.core.actors import SystemActor
from openhpf.settlement.models import Notice
from openhpf.settlement.services import bank_account_open, bank_channel_link_local

from .conftest import CENTER_ACCOUNT

TOKEN = "push-token-0123456789abcdef"


def _notice(**kw):
    return {"code": "SBDC100", "notice_id": "N1", "account": CENTER_ACCOUNT, "date": "2026-11-30",
            "bank_seq": "B202611300000000001", "direction": "in", "amount": 12_345, "balance": 12_345,
            "counter_account": "9550000000000001", "counter_name": "某单位", "summary": "汇缴", "ref": "", **kw}


@pytest.fixture
def channel(center):
    bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=CENTER_ACCOUNT,
                      account_name=center.name, actor=SystemActor("test"), business_date=center.business_date)
    return bank_channel_link_local(center=center, bank_code="ICBC", url="http://127.0.0.1:9/bdc", actor=SystemActor("test"),
                            notify_token=TOKEN)


def _post(client, payload, token=TOKEN):
    return client.post("/settlement/notify/330100/ICBC/", json.dumps(payload), content_type="application/json",
                       HTTP_X_HPF_PUSH_TOKEN=token)


def test_a_push_token_in_the_url_is_refused_and_never_logged(client, channel, caplog):
    """The attack: the token in the query string reached the access log. Now a URL token is refused."""
    with caplog.at_level("DEBUG"):
        r = client.post(f"/settlement/notify/330100/ICBC/?token={TOKEN}", json.dumps(_notice()),
                        content_type="application/json")
    assert r.status_code == 403 and "X-HPF-Push-Token" in r.json()["message"]
    assert Notice.objects.count() == 0
    assert TOKEN not in caplog.text


def test_pushed_notice_is_credited_once_and_needs_the_token(client, channel):
    assert _post(client, _notice(), token="wrong-token-0123456789abc").status_code == 403
    assert Notice.objects.count() == 0
    r = _post(client, _notice())
    assert r.status_code == 200 and r.json()["result"] == "accepted"
    assert _post(client, _notice()).json()["result"] == "accepted"  # the bank retried: credited once
    n = Notice.objects.get()
    assert n.deliveries == 2 and Receipt.objects.filter(bank_ref="B202611300000000001").count() == 1
    assert _post(client, _notice(notice_id="N2", account="6217000000009999")).json()["result"] == "ignored"
    assert _post(client, _notice(notice_id="N3", amount=-5)).json()["result"].startswith("rejected")


@pytest.mark.slow  # the simulator process pushes to a live server, twice, while the test polls
@pytest.mark.django_db(transaction=True)
def test_simulator_pushes_to_the_center(live_server, center, tmp_path):
    from openhpf.conftest import BUSINESS_DATE

    with SimProcess(tmp_path / "bank.sqlite3",
                    notify_url=f"{live_server.url}/settlement/notify/330100/ICBC/?token={TOKEN}") as sim:
        bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=CENTER_ACCOUNT,
                          account_name=center.name, actor=SystemActor("test"), business_date=BUSINESS_DATE)
        bank_channel_link_local(center=center, bank_code="ICBC", url=f"{sim.url}/bdc", actor=SystemActor("test"),
                         notify_token=TOKEN)
        sim.open_account(CENTER_ACCOUNT, name=center.name, bank_code="ICBC", balance=0)
        sim.faults("duplicate_notice", count=0)
        sim.credit(CENTER_ACCOUNT, 50_000, counter_account="9550000000000001", counter_name="某单位",
                   summary="汇缴", date=BUSINESS_DATE.isoformat())
        for _ in range(100):
            n = Notice.objects.filter(amount=50_000).first()
            if n is not None and n.deliveries >= 2:
                break
            time.sleep(0.1)
        assert n is not None and n.deliveries == 2 and n.status == Notice.Status.RECEIPT
        assert Receipt.objects.filter(amount=50_000).count() == 1
