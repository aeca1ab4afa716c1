"""政策参数 on the console: values in force, a parameter's history, and the change form (effective date, through
maker-checker): bad input gets a Chinese message and submits nothing."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from openhpf.approvals.models import PendingCommand
from openhpf.core.models import PolicyParameter
from openhpf.core.policy import policy_value

KEY = "contribution.base.cap"


def _html(r, status=200) -> str:
    assert r.status_code == status, r.status_code
    return r.content.decode()


def test_overview_and_history_in_yuan_and_percent(client, center, maker):
    client.force_login(maker)
    html = _html(client.get(reverse("approvals:policies")))
    assert "缴存基数上限" in html and "当年归集余额年利率" in html and "%" in html and " 元" in html
    assert KEY not in html.split("<main", 1)[-1].replace(f'/approvals/policies/{KEY}/', "")  # only in links
    html = _html(client.get(reverse("approvals:policy", args=[KEY])))
    assert "调整记录" in html and "生效中" in html and "全国默认" in html and "提交复核" in html


def test_submit_then_checker_approves_and_history_shows_it(client, center, maker, approver):
    client.force_login(maker)
    r = client.post(reverse("approvals:policy_submit", args=[KEY]),
                    {"value": "36,000.00", "effective_from": "2027-07-01", "source": "杭房金〔2027〕1号"})
    cmd = PendingCommand.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("approvals:detail", args=[cmd.pk])
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
    r = client.post(reverse("approvals:policy_submit", args=["deposit.rate.current"]),
                    {"value": "1.75", "effective_from": "2027-07-01"})
    assert r.status_code == 302
    assert PendingCommand.objects.get().params["value"] == "0.0175"


def test_bad_input_is_refused_in_chinese_and_nothing_submitted(client, center, maker):
    client.force_login(maker)
    url = reverse("approvals:policy_submit", args=[KEY])
    html = _html(client.post(url, {"value": "12.345", "effective_from": "2027-07-01"}), 422)
    assert "请输入金额（元），最多两位小数" in html
    html = _html(client.post(url, {"value": "36000", "effective_from": "2026-01-01"}), 422)
    assert "生效日期不能早于业务日期 2026-11-30" in html
    html = _html(client.post(url, {"value": "", "effective_from": ""}), 422)
    assert "请填写新值" in html and "请填写生效日期" in html
    html = _html(client.post(reverse("approvals:policy_submit", args=["deposit.rate.current"]),
                             {"value": "abc", "effective_from": "2027-07-01"}), 422)
    assert "请填写百分数" in html
    assert not PendingCommand.objects.exists() and not PolicyParameter.objects.filter(center=center).exists()


def test_same_day_change_refused_with_the_parameter_name(client, center, maker, approver):
    client.force_login(maker)
    url = reverse("approvals:policy_submit", args=[KEY])
    client.post(url, {"value": "36000", "effective_from": "2027-07-01"})
    client.force_login(approver)
    client.post(reverse("approvals:approve", args=[PendingCommand.objects.get().pk]), {"confirm": "1"})
    client.force_login(maker)
    html = _html(client.post(url, {"value": "37000", "effective_from": "2027-07-01"}), 422)
    assert "缴存基数上限 在 2027-07-01 已有生效值" in html and PendingCommand.objects.count() == 1


def test_policy_pages_need_policy_or_checker_permission(client, center, grant):
    from openhpf.core.actors import SystemActor
    from openhpf.iam.services import staff_create

    teller, _ = staff_create(username="teller1", password="pw-Teller-2026", center=center, actor=SystemActor("test"))
    grant(teller, "teller")
    client.force_login(teller)
    assert client.get(reverse("approvals:policies")).status_code == 403
    assert client.post(reverse("approvals:policy_submit", args=[KEY]),
                       {"value": "1", "effective_from": "2027-07-01"}).status_code == 403
    assert not PendingCommand.objects.exists()
