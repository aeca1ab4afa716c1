"""调整政策参数 on the counter-transaction pattern (填写 → 核对 → 提交复核, with a 业务回单): the form takes the
new value and its effective date, the 核对 page shows the value in force beside the new one (checked by the
command's own rules, nothing written), and 办理 submits a core.policy_set command for a checker. The parameter's
history and the changes waiting for a checker stay in view above the form."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse

from openhpf.core.actors import Actor
from openhpf.core.models import Center
from openhpf.core.policy import KEYS, policy_label, policy_value_text
from openhpf.documents.counter import CounterTransaction, Done, Line
from openhpf.iam.services import staff_center_required

from . import policy_forms, registry
from .services import command_submit

POLICY_PERMISSION = "policy.change"
COMMAND = "core.policy_set"


def _center(request: HttpRequest) -> Center:
    return staff_center_required(request.user)


def _key(kwargs: dict[str, Any]) -> str:
    key = str(kwargs.get("key") or "")
    if key not in KEYS:
        raise Http404("没有这个政策参数")
    return key


def _optional(data: dict[str, Any]) -> list[Line]:
    return [Line(label, data[name]) for name, label in (("source", "依据（文件文号）"), ("note", "说明")) if data.get(name)]


class PolicyChange(CounterTransaction):
    kind = "approvals.policy.change"
    title = "调整政策参数"
    permission = POLICY_PERMISSION
    form_class = policy_forms.PolicyChangeForm
    template = "approvals/policy_change.html"
    review_heading = "请核对以下调整"
    confirm_label = "确认提交复核"

    def form_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"key": _key(kwargs), "center": _center(request)}

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        key, center = _key(kwargs), _center(request)
        return {"key": key, "label": policy_label(key), "on": center.business_date,
                "current": policy_forms.in_force(center=center, key=key, on=center.business_date),
                "history": policy_forms.history(center=center, key=key, on=center.business_date),
                "pending": policy_forms.pending(center=center, key=key),
                "editable": policy_forms.editable(center, key)}

    def _params(self, request: HttpRequest, data: dict[str, Any], key: str) -> dict[str, Any]:
        return policy_forms.change_params(key=key, value_type=policy_forms.value_type(_center(request), key), data=data)

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        key, center = _key(kwargs), _center(request)
        params = self._params(request, data, key)
        spec = registry.get(COMMAND)
        if spec.validate is not None:  # the command's own rules (one value per date, the type), nothing written
            spec.validate(params, request.user, center, center.business_date)
        now = policy_forms.in_force(center=center, key=key, on=center.business_date)
        # a change already scheduled between today and the new date: the value the new one replaces
        eve = policy_forms.in_force(center=center, key=key, on=date.fromordinal(data["effective_from"].toordinal() - 1))
        return [Line("政策参数", policy_label(key)),
                Line("当前值", f"{now.value}（{now.scope}，自 {now.since:%Y-%m-%d} 起）" if now else "（未设置）"),
                *([Line("生效前一日的值", f"{eve.value}（自 {eve.since:%Y-%m-%d} 起）")]
                  if eve is not None and (now is None or eve.since != now.since) else []),
                Line("调整为", policy_value_text(key, params["value"])),
                Line("生效日期", f"{data['effective_from']:%Y-%m-%d}"), *_optional(data),
                Line("下一步", "提交复核；复核人批准后自生效日期起执行")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        key = _key(kwargs)
        cmd = command_submit(name=COMMAND, params=self._params(request, data, key), actor=actor,
                             center=_center(request), business_date=business_date)
        return Done(lines=[Line("复核命令", f"#{cmd.pk}"), Line("政策参数", policy_label(key)),
                           Line("调整为", policy_value_text(key, cmd.params["value"])),
                           Line("生效日期", str(cmd.params["effective_from"])), *_optional(data)],
                    object=cmd, back_url=reverse("approvals:policy", args=[key]),
                    title=f"调整政策参数：{policy_label(key)}（已提交复核）")
