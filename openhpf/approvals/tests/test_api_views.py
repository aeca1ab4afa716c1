"""The approvals API (/api/v1/approvals/) and console pages (/approvals/): submit → 待复核 → approve/reject."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_submit
from openhpf.core.actors import SystemActor
from openhpf.core.models import PolicyParameter
from openhpf.core.policy import policy_value
from openhpf.iam.services import api_token_issue

BD = date(2026, 11, 30)
CHANGE = {"key": "contribution.base.cap", "value": 3600000, "value_type": "int", "effective_from": "2027-07-01",
          "source": "杭房金〔2027〕1号"}


def bearer(user) -> dict[str, str]:
    plaintext, _ = api_token_issue(user=user, name="测试", actor=SystemActor("test"))
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_api_submit_list_approve(client, center, maker, approver):
    m, a = bearer(maker), bearer(approver)
    url = "/api/v1/approvals/policy-changes"
    r = client.post(url, CHANGE, content_type="application/json", HTTP_IDEMPOTENCY_KEY="cap-2027", **m)
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["status"] == "pending" and body["maker"] == "maker1" and "缴存基数上限" in body["summary"]
    replay = client.post(url, CHANGE, content_type="application/json", HTTP_IDEMPOTENCY_KEY="cap-2027", **m)
    assert replay.json()["id"] == body["id"] and PendingCommand.objects.count() == 1

    r = client.get("/api/v1/approvals/commands", **a)
    assert [c["id"] for c in r.json()["items"]] == [body["id"]] and r.json()["total"] == 1
    assert [c["id"] for c in client.get("/api/v1/approvals/commands?mine=true", **m).json()["items"]] == [body["id"]]

    r = client.post(f"/api/v1/approvals/commands/{body['id']}/approve", {"reason": ""}, content_type="application/json",
                    **m)
    assert r.status_code == 422 and r.json()["code"] == "SELF_APPROVAL"
    r = client.post(f"/api/v1/approvals/commands/{body['id']}/approve", {"reason": "同意"},
                    content_type="application/json", **a)
    assert r.status_code == 200 and r.json()["status"] == "applied" and r.json()["checker"] == "checker2"
    assert policy_value("contribution.base.cap", on=date(2027, 7, 1), center=center) == 3600000
    r = client.post(f"/api/v1/approvals/commands/{body['id']}/approve", {}, content_type="application/json", **a)
    assert r.status_code == 409 and r.json()["code"] == "ALREADY_DECIDED"
    assert client.get("/api/v1/approvals/commands", **a).json() == {"total": 0, "page": 1, "page_size": 50, "items": []}


def test_api_bad_params_and_permissions(client, center, maker, approver, staff, grant):
    from openhpf.iam.services import staff_create

    r = client.post("/api/v1/approvals/policy-changes", {**CHANGE, "effective_from": "2026-01-01"},
                    content_type="application/json", **bearer(maker))
    assert r.status_code == 422 and r.json()["code"] == "POLICY_RETROACTIVE"
    teller, _ = staff_create(username="teller1", password="pw-Teller-2026", center=center, actor=SystemActor("test"))
    grant(teller, "teller")
    t = bearer(teller)
    r = client.post("/api/v1/approvals/policy-changes", CHANGE, content_type="application/json", **t)
    assert r.status_code in (403, 422) and r.json()["code"] == "FORBIDDEN"
    assert not PendingCommand.objects.exists()
    cmd = command_submit(name="core.policy_set", params=CHANGE, actor=maker, center=center, business_date=BD)
    assert client.get("/api/v1/approvals/commands", **t).json()["code"] == "FORBIDDEN"
    r = client.post(f"/api/v1/approvals/commands/{cmd.pk}/reject", {"reason": "不同意"}, content_type="application/json",
                    **t)
    assert r.status_code in (403, 422) and r.json()["code"] == "FORBIDDEN"
    r = client.post(f"/api/v1/approvals/commands/{cmd.pk}/reject", {"reason": "依据未下发"},
                    content_type="application/json", **bearer(approver))
    assert r.json()["status"] == "rejected"
    assert not PolicyParameter.objects.filter(center=center).exists()
    assert client.get("/api/v1/approvals/commands/999999", **bearer(approver)).status_code == 404


def _html(r) -> str:
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def test_console_pending_detail_approve(client, center, maker, approver):
    cmd = command_submit(name="core.policy_set", params=CHANGE, actor=maker, center=center, business_date=BD)
    client.force_login(approver)
    html = _html(client.get(reverse("approvals:pending")))
    assert "待复核" in html and "缴存基数上限" in html and "张经办" in html and 'href="/approvals/"' in html
    html = _html(client.get(reverse("approvals:detail", args=[cmd.pk])))
    assert 'data-testid="approve"' in html and 'data-testid="reject"' in html
    html = _html(client.post(reverse("approvals:approve", args=[cmd.pk]), {"reason": "同意"}))
    assert "确认复核通过并执行" in html and 'data-testid="approve-confirm"' in html and "36,000.00 元" in html
    assert PendingCommand.objects.get(pk=cmd.pk).status == "pending"  # the first step writes nothing
    r = client.post(reverse("approvals:approve", args=[cmd.pk]), {"reason": "同意", "confirm": "1"}, follow=True)
    html = _html(r)
    assert "已复核通过并执行" in html and 'data-testid="status">已执行<' in html and "李复核" in html
    assert policy_value("contribution.base.cap", on=date(2027, 7, 1), center=center) == 3600000
    assert "没有待复核的业务" in _html(client.get(reverse("approvals:pending")))


def test_console_maker_sees_own_but_cannot_approve(client, center, maker, approver):
    cmd = command_submit(name="core.policy_set", params=CHANGE, actor=maker, center=center, business_date=BD)
    client.force_login(maker)
    html = _html(client.get(reverse("approvals:detail", args=[cmd.pk])))
    assert 'data-testid="approve"' not in html and 'data-testid="withdraw"' in html
    html = _html(client.post(reverse("approvals:approve", args=[cmd.pk]), follow=True))
    assert "该业务不能由您复核" in html
    html = _html(client.post(reverse("approvals:approve", args=[cmd.pk]), {"confirm": "1"}, follow=True))
    assert "经办人不能复核自己提交的命令" in html
    html = _html(client.get(reverse("approvals:mine")))
    assert "缴存基数上限" in html and "待复核" in html
    client.force_login(approver)
    html = _html(client.post(reverse("approvals:reject", args=[cmd.pk]), {"reason": ""}, follow=True))
    assert "驳回必须填写原因" in html
    html = _html(client.post(reverse("approvals:reject", args=[cmd.pk]), {"reason": "依据未下发"}))
    assert "确认驳回" in html and 'data-testid="reject-confirm"' in html
    assert PendingCommand.objects.get(pk=cmd.pk).status == "pending"
    html = _html(client.post(reverse("approvals:reject", args=[cmd.pk]), {"reason": "依据未下发", "confirm": "1"},
                             follow=True))
    assert "已驳回" in html
    cmd.refresh_from_db()
    assert cmd.status == "rejected" and not PolicyParameter.objects.filter(center=center).exists()


@pytest.mark.parametrize("who", ["teller", None])
def test_console_pending_needs_checker_permission(client, center, grant, who):
    from openhpf.iam.services import staff_create

    user, _ = staff_create(username="teller1", password="pw-Teller-2026", center=center, actor=SystemActor("test"))
    if who:
        grant(user, who)
    client.force_login(user)
    assert client.get(reverse("approvals:pending")).status_code == 403
    assert client.get(reverse("approvals:mine")).status_code == 200


def test_console_pending_and_mine_page_with_the_true_total(client, center, maker, approver):
    cmd = command_submit(name="core.policy_set", params=CHANGE, actor=maker, center=center, business_date=BD)
    fields = {f.attname: getattr(cmd, f.attname) for f in PendingCommand._meta.concrete_fields
              if f.attname not in ("id", "idempotency_key")}
    PendingCommand.objects.bulk_create(PendingCommand(**fields, idempotency_key=f"k{i}") for i in range(250))
    client.force_login(approver)
    r = client.get(reverse("approvals:pending"), {"page": "999"})  # past the end: the last page
    page = r.context["page"]
    assert (page.total, page.page, len(r.context["rows"])) == (251, 6, 1)
    assert "第 6 / 6 页 · 第 251–251 条，共 251 笔" in _html(r)
    client.force_login(maker)
    r = client.get(reverse("approvals:mine"), {"page": "2"})
    assert r.context["page"].total == 251 and len(r.context["rows"]) == 50 and "共 251 笔" in _html(r)
    body = client.get("/api/v1/approvals/commands", {"page": "9", "page_size": "100"}, **bearer(approver)).json()
    assert (body["total"], body["page"], len(body["items"])) == (251, 3, 51)  # the API pages too, past the end: last
