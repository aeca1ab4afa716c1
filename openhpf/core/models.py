"""Centers and branches, the business date, effective-dated policy values and the working-day calendar."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models


class Center(models.Model):
    """住房公积金管理中心. The 6-digit institution code is embedded in account numbers network-wide."""

    code = models.CharField("机构代码", max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$")])
    name = models.CharField("中心名称", max_length=100)
    city = models.CharField("城市", max_length=50, blank=True)
    # 业务日期: advanced only by day-end; every service takes it as an argument.
    business_date = models.DateField("业务日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "管理中心"
        constraints = [models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{6}$"), name="center_code_6_digits")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Branch(models.Model):
    """管理部/分中心/网点."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="branches")
    code = models.CharField("网点代码", max_length=12)
    name = models.CharField("网点名称", max_length=100)

    class Meta:
        verbose_name = "网点"
        constraints = [models.UniqueConstraint(fields=["center", "code"], name="branch_code_unique_in_center")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PolicyParameter(models.Model):
    """A policy value in force from a date (rates, caps, floors, ratios, limits), with who approved it.

    center NULL is the national default; a center's own row overrides it from its effective date."""

    class ValueType(models.TextChoices):
        DECIMAL = "decimal", "小数"
        INTEGER = "int", "整数"
        STRING = "str", "文本"
        BOOLEAN = "bool", "是否"
        JSON = "json", "结构"

    center = models.ForeignKey(Center, on_delete=models.PROTECT, null=True, blank=True, related_name="policies")
    key = models.CharField("参数键", max_length=80)
    value_type = models.CharField(max_length=8, choices=ValueType.choices)
    value = models.JSONField("参数值")
    effective_from = models.DateField("生效日期")
    approved_by = models.CharField("批准人", max_length=150)
    approved_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField("依据", max_length=200, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "政策参数"
        constraints = [
            models.UniqueConstraint(fields=["center", "key", "effective_from"], name="policy_unique_per_day"),
            models.UniqueConstraint(
                fields=["key", "effective_from"], condition=models.Q(center__isnull=True), name="policy_unique_national"
            ),
        ]
        indexes = [models.Index(fields=["key", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.key}={self.value} from {self.effective_from}"


class CalendarDay(models.Model):
    """A day that differs from the Monday–Friday rule: a public holiday on a weekday, or a make-up working day
    (调休上班) on a weekend. Seeded from chinese-calendar for the years it knows, editable by staff."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日"
        WORKDAY = "workday", "调休工作日"

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = "工作日历"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` of an API command (core/idempotency.py): claimed while the first request runs
    (IN_FLIGHT), then the definitive response kept (DONE) so that a replay returns it instead of running again.
    Scoped to the caller (principal kind and id) and to the method and path: another caller never sees it."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", "处理中"
        DONE = "done", "已完成"

    center = models.ForeignKey(Center, on_delete=models.PROTECT, null=True, blank=True)
    principal_kind = models.CharField("主体类型", max_length=10)  # staff | member | agent | partner
    principal_id = models.CharField("主体标识", max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    key = models.CharField(max_length=120)
    command = models.CharField(max_length=80)  # the registered endpoint (core.idempotency.REGISTRY)
    request_hash = models.CharField("请求摘要", max_length=64)  # SHA-256 of the canonical body and query
    state = models.CharField(max_length=20, choices=State.choices, default=State.DONE)
    claim = models.CharField(max_length=32, blank=True)  # the request holding it while IN_FLIGHT
    claimed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict)  # {"status": int | None (the operation's default), "body": …}
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "幂等键"
        constraints = [models.UniqueConstraint(fields=["principal_kind", "principal_id", "method", "path", "key"],
                                               name="idem_key_scope_unique")]
