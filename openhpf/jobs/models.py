"""The job record (作业) of every long batch: its steps with resume cursors, its progress and its log."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Job(models.Model):
    """One run of a long piece of work (日终, 批量入账, 档案校验…), resumable after a crash.

    The idempotency key makes a replayed request return the same job (and a succeeded job's stored result)
    instead of running the work twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "等待"
        RUNNING = "running", "运行中"
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "失败"

    center = models.ForeignKey(
        "core.Center",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name="管理中心",
    )
    kind = models.CharField("作业类型", max_length=80)
    title = models.CharField("作业名称", max_length=200, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=200, null=True, blank=True, unique=True)
    params = models.JSONField("参数", default=dict, blank=True, encoder=DjangoJSONEncoder)
    business_date = models.DateField("业务日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    percent = models.PositiveSmallIntegerField("进度", default=0)
    current_step = models.CharField("当前步骤", max_length=80, blank=True)
    result = models.JSONField("结果", null=True, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField("错误", blank=True)
    error_code = models.CharField("错误代码", max_length=80, blank=True)
    created_by = models.CharField("发起人", max_length=150)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    # Changed by each (re)start: a runner whose token no longer matches has been superseded and must stop,
    # so a run wrongly taken for crashed cannot apply a chunk twice.
    run_token = models.CharField("运行令牌", max_length=32, blank=True)

    class Meta:
        verbose_name = "作业"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100), name="job_percent_0_100"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
            models.Index(fields=["center", "created_at"], name="job_center_created"),
            models.Index(fields=["kind", "created_at"], name="job_kind_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.status} {self.percent}%"

    @property
    def display_name(self) -> str:
        return self.title or self.kind

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class JobStep(models.Model):
    """One named step of a job; `cursor` is where a re-run picks up (None: from the start)."""

    class Status(models.TextChoices):
        PENDING = "pending", "等待"
        RUNNING = "running", "运行中"
        DONE = "done", "完成"
        FAILED = "failed", "失败"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("步骤", max_length=80)
    weight = models.PositiveIntegerField("权重", default=1)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    cursor = models.JSONField("续跑位置", null=True, blank=True, encoder=DjangoJSONEncoder)
    done = models.BigIntegerField("已完成", default=0)
    total = models.BigIntegerField("总量", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "作业步骤"
        ordering = ["job", "order"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="jobstep_name_unique_in_job"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.order} {self.name} {self.status}"

    @property
    def fraction(self) -> float:
        """How far this step is, 0..1 (a step without a known total counts as 0 until done)."""
        if self.status == self.Status.DONE:
            return 1.0
        if self.total:
            return max(0.0, min(1.0, self.done / self.total))
        return 0.0


class JobLog(models.Model):
    """A line of a job's log, shown in the console and by `hpf jobs --show`."""

    class Level(models.TextChoices):
        INFO = "info", "信息"
        WARNING = "warning", "警告"
        ERROR = "error", "错误"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="logs")
    at = models.DateTimeField("时间")
    level = models.CharField("级别", max_length=8, choices=Level.choices, default=Level.INFO)
    message = models.TextField("内容")

    class Meta:
        verbose_name = "作业日志"
        ordering = ["job", "at", "id"]
        indexes = [models.Index(fields=["job", "at"], name="joblog_job_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.level} {self.message}"
