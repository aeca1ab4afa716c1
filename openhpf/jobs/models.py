"""The job record (作业) of every long batch: its steps with resume cursors, its progress and its log."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .registry import job_links, resumable, resume_refusal

# The state a running job shows when its heartbeat is older than the setting: computed on read, never stored.
INTERRUPTED = "interrupted"
INTERRUPTED_LABEL = "中断"


def stale_after_seconds() -> int:
    """A running job whose heartbeat is older than this (setting HPF_JOB_STALE_SECONDS, default 120) is dead."""
    return int(getattr(settings, "HPF_JOB_STALE_SECONDS", 120))


class Job(models.Model):
    """One run of a long piece of work (日终, 批量入账, 档案校验…), resumable after a crash.

    The idempotency key makes a replayed request return the same job (and a succeeded job's stored result)
    instead of running the work twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "等待"
        RUNNING = "running", "运行中"
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

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

    def is_stale(self, seconds: int | None = None) -> bool:
        """Running, but no heartbeat for `seconds` (default: the setting): its process is taken as dead."""
        if self.status != self.Status.RUNNING:
            return False
        limit = timezone.now() - timedelta(seconds=stale_after_seconds() if seconds is None else seconds)
        beat = self.heartbeat_at or self.started_at
        return beat is None or beat < limit

    @property
    def state(self) -> str:
        """The status as shown: `interrupted` for a running job found dead (checked now), else the stored one."""
        return INTERRUPTED if self.is_stale() else self.status

    @property
    def state_label(self) -> str:
        return INTERRUPTED_LABEL if self.state == INTERRUPTED else self.get_status_display()

    @property
    def rejected(self) -> bool:
        """失败 because its work was refused as a whole (runner.Rejected: a roster file with errors); final."""
        return self.status == self.Status.FAILED and bool((self.result or {}).get("rejected"))

    @property
    def links(self) -> list[tuple[str, str]]:
        """What the job's kind links to from the job list (jobs.registry: the error list of a rejected file)."""
        return job_links(self)

    @property
    def can_cancel(self) -> bool:
        """取消: a job not finished whose process is not alive (pending, failed or interrupted); not a rejected
        one, which is finished."""
        return self.state in (self.Status.PENDING, self.Status.FAILED, INTERRUPTED) and not self.rejected

    @property
    def can_resume(self) -> bool:
        """续跑: a failed or interrupted job of a kind that registered how to resume it (never a rejected one)."""
        return (self.state in (self.Status.FAILED, INTERRUPTED) and not self.rejected and resumable(self.kind)
                and not resume_refusal(self))


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
