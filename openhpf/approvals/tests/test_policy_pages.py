"""政策参数 on the console: values in force, a parameter's history, and the change form (effective date, through
maker-checker): bad input gets a Chinese message and submits nothing."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse

from openhpf.approvals.models import PendingCommand
from openhpf.core.models import PolicyParameter
from openhpf.core.policy import policy_value
from openhpf.documents.models import Receipt

KEY = "contribution.base.cap"


def _html(r, status=200) -> str:
    assert r.status_code == status, r.status_code
    return r.content.decode()


def _submit(client, key: str, data: dict[str, str], step: str = "confirm"):
    """The change form on the counter pattern: a fresh form's token, then 核对 or 办理."""
    url = reverse("approvals:policy_submit", args=[key])
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', client.get(url).content.decode())
    assert m, "the form carries a one-time token"
    return client.post(url, {**data, "_token": m.group(1), "_step": step})


def test_overview_and_history_in_yuan_and_percent(client, center, maker):
    client.force_login(maker)
    html = _html(client.get(reverse("approvals:policies")))
    assert "缴存基数上限" in html and "当年归集余额年利率" in html and "%" in html and " 元" in html
    assert KEY not in html.split("<main", 1)[-1].replace(f'/approvals/policies/{KEY}/', "")  # only in links
    html = _html(client.get(reverse("approvals:policy", args=[KEY])))
    assert "调整记录" in html and "生效中" in html and "全国默认" in html
    assert reverse("approvals:policy_submit", args=[KEY]) in html  # 调整参数 opens the change form
    form = _html(client.get(reverse("approvals:policy_submit", args=[KEY])))
    assert "当前值" in form and "调整记录" in form and "生效日期" in form and "全国默认" in form


def test_submit_then_checker_approves_and_history_shows_it(client, center, maker, approver):
    client.force_login(maker)
    data = {"value": "36,000.00", "effective_from": "2027-07-01", "source": "杭房金〔2027〕1号"}
    review = _html(_submit(client, KEY, data, step="review"))  # 核对: the value in force beside the new one
    for text in ("请核对以下调整", "缴存基数上限", "当前值", "全国默认", "36,000.00 元", "2027-07-01", "杭房金〔2027〕1号",
                 "确认提交复核"):
        assert text in review, text
    assert not PendingCommand.objects.exists()
    r = _submit(client, KEY, data)
    cmd = PendingCommand.objects.get()
    receipt = Receipt.objects.get(kind="approvals.policy.change")
    assert r.status_code == 302 and r["Location"] == reverse("documents:receipt", args=[receipt.number])
    done = _html(client.get(r["Location"]))  # the 回单: the command, the new value and its date
    assert f"#{cmd.pk}" in done and "36,000.00 元" in done and "2027-07-01" in done and "已提交复核" in done
    assert cmd.params["value"] == 3_600_000 and cmd.params["value_type"] == "int"
    html = _html(client.get(reverse("approvals:policy", args=[KEY])))
    assert "待复核的调整" in html and "36,000.00 元" in html
    client.force_login(approver)
    client.post(reverse("approvals:approve", args=[cmd.pk]), {"confirm": "1"})
    assert policy_value(KEY, on=date(2027, 7, 1), center=center) == 3_600_000
    html = _html(client.get(reverse("approvals:detail", args=[cmd.pk])))
    assert reverse("approvals:policy", args=[KEY]) in html  # the result links to the history
    html = _html(client.get(reverse("approvals:policy", args=[KEY])))
    assert "2027-07-01" in html and "待生效" in html and "本中心" in html and "李复核" in html


def test_percent_parameter_is_typed_in_percent(client, center, maker):
    client.force_login(maker)
    r = _submit(client, "deposit.rate.current", {"value": "1.75", "effective_from": "2027-07-01"})
    assert r.status_code == 302
    assert PendingCommand.objects.get().params["value"] == "0.0175"


def test_bad_input_is_refused_in_chinese_and_nothing_submitted(client, center, maker):
    client.force_login(maker)
    for step in ("review", "confirm"):
        html = _html(_submit(client, KEY, {"value": "12.345", "effective_from": "2027-07-01"}, step), 400)
        assert "请输入金额（元），最多两位小数" in html
        html = _html(_submit(client, KEY, {"value": "36000", "effective_from": "2026-01-01"}, step), 400)
        assert "生效日期不能早于业务日期 2026-11-30" in html
        html = _html(_submit(client, KEY, {"value": "", "effective_from": ""}, step), 400)
        assert "请填写新值" in html and "请填写生效日期" in html
        html = _html(_submit(client, "deposit.rate.current", {"value": "abc", "effective_from": "2027-07-01"}, step),
                     400)
        assert "请填写百分数" in html
    assert client.get(reverse("approvals:policy_submit", args=["no.such.key"])).status_code == 404
    assert not PendingCommand.objects.exists() and not PolicyParameter.objects.filter(center=center).exists()


def test_same_day_change_refused_with_the_parameter_name(client, center, maker, approver):
    client.force_login(maker)
    _submit(client, KEY, {"value": "36000", "effective_from": "2027-07-01"})
    client.force_login(approver)
    client.post(reverse("approvals:approve", args=[PendingCommand.objects.get().pk]), {"confirm": "1"})
    client.force_login(maker)
    # refused on the 核对 page already, with its code
    html = _html(_submit(client, KEY, {"value": "37000", "effective_from": "2027-07-01"}, "review"), 400)
    assert "缴存基数上限 在 2027-07-01 已有生效值" in html and PendingCommand.objects.count() == 1
    # a later change: the 核对 page shows the value it replaces (the one scheduled, not yet in force)
    html = _html(_submit(client, KEY, {"value": "38000", "effective_from": "2027-09-01"}, "review"))
    assert "生效前一日的值" in html and "36,000.00 元（自 2027-07-01 起）" in html


def test_policy_pages_need_policy_or_checker_permission(client, center, grant):
    from openhpf.core.actors import SystemActor
    from openhpf.iam.services import staff_create

    teller, _ = staff_create(username="teller1", password="pw-Teller-2026", center=center, actor=SystemActor("test"))
    grant(teller, "teller")
    client.force_login(teller)
    assert client.get(reverse("approvals:policies")).status_code == 403
    assert client.get(reverse("approvals:policy_submit", args=[KEY])).status_code == 403
    assert client.post(reverse("approvals:policy_submit", args=[KEY]),
                       {"value": "1", "effective_from": "2027-07-01", "_step": "confirm"}).status_code == 403
    assert not PendingCommand.objects.exists()
