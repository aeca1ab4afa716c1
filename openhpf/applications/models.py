"""The application (办件) engine's data: one model of an application for every catalogue item.

- `Application`: who applies (a typed actor, stored as kind/id/label; the member or employer it is about, for
  scoping), through which channel, under which item version, with the item's typed payload (JSON validated by the
  item's handler), its state and its clocks: the due dates (法定/承诺) are stored at each transition, never
  computed per row.
- `ApplicationEvent`: every transition, with actor, reason, the problems told at once (一次告知) and the due dates
  as they stood after it.
- `ApplicationMaterial`: a stored document (documents.Document: SM3, type, retention class) linked as one of the
  item's 申请材料.
- `ReviewDecision`: one person's decision at one review level.
- `RuleSet` / `RuleEvaluation`: decision rules as data (versioned, effective-dated) and each evaluation with its
  rule-set version, input snapshot and per-rule result (replayable)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openhpf.approvals.models import CheckedVersion
from openhpf.catalog.models import Channel


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    CORRECTION = "correction", "待补正"
    UNDER_REVIEW = "under_review", "审核中"
    APPROVED = "approved", "审核通过"
    REJECTED = "rejected", "审核不通过"
    EXECUTING = "executing", "办理中"
    COMPLETED = "completed", "已办结"
    EXECUTION_FAILED = "execution_failed", "办理失败"
    CLOSED = "closed", "已终止"
    CANCELLED = "cancelled", "已作废"
    WITHDRAWN = "withdrawn", "已撤回"


OUTCOME_LABELS = {"pass": "通过", "block": "不予通过", "manual": "转人工审核", "warn": "通过（有提示）"}

FINAL_STATES = frozenset({State.NOT_ACCEPTED, State.REJECTED, State.COMPLETED, State.CLOSED, State.CANCELLED,
                          State.WITHDRAWN})


class Application(models.Model):
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="applications")
    number = models.CharField("办件编号", max_length=30, unique=True)
    item_code = models.CharField("事项编码", max_length=40)
    item_version = models.ForeignKey("catalog.ServiceItemVersion", on_delete=models.PROTECT,
                                     related_name="applications", verbose_name="事项版本")
    channel = models.CharField("办理渠道", max_length=20)
    identity_level = models.PositiveSmallIntegerField("身份核验等级")
    # the applicant principal (core.actors): member, agent, partner, or staff filing on a member's behalf
    applicant_kind = models.CharField("申请人类型", max_length=10)
    applicant_id = models.CharField("申请人标识", max_length=64)
    applicant_label = models.CharField("申请人", max_length=150)
    # what the application is about, for scoping (an agent sees its employer's, a member its own)
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="applications")
    employer = models.ForeignKey("accounts.Employer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="applications")
    branch = models.ForeignKey("core.Branch", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="applications")
    payload = models.JSONField("申请内容", default=dict)
    amount = models.BigIntegerField("金额（分）", null=True, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    stage = models.PositiveSmallIntegerField("当前审核环节", default=0)
    stages_required = models.JSONField("须经的审核环节", default=list)
    problems = models.JSONField("一次告知的问题", default=list)
    # clocks: stored at each transition
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    legal_due = models.DateField("法定办结期限", null=True, blank=True)
    promised_due = models.DateField("承诺办结期限", null=True, blank=True)
    paused_on = models.DateField("计时暂停日", null=True, blank=True)
    legal_remaining = models.IntegerField("暂停时法定时限余量", null=True, blank=True)
    promised_remaining = models.IntegerField("暂停时承诺时限余量", null=True, blank=True)
    decided_on = models.DateField("审结日期", null=True, blank=True)
    completed_on = models.DateField("办结日期", null=True, blank=True)
    result = models.JSONField("办理结果", null=True, blank=True)
    rule_outcome = models.CharField("规则校验结论", max_length=10, blank=True)
    # the work queue: who holds it now (claimed or assigned), since when
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name="经办人")
    assigned_at = models.DateTimeField("领办时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件"
        indexes = [
            models.Index(fields=["center", "state", "promised_due"], name="app_queue"),
            # the work queue's order (most urgent first: promised due ascending, nulls last, then id): its first
            # page is read in index order instead of sorting every open application
            models.Index(fields=["center", "promised_due", "id"], name="app_queue_order"),
            # the SLA filters' true totals: counted from the index alone (state and the stored clocks)
            models.Index(fields=["center", "state", "legal_due", "promised_due", "paused_on"], name="app_queue_sla"),
            models.Index(fields=["center", "item_code", "state"], name="app_item_state"),
            models.Index(fields=["member", "state"], name="app_member"),
            models.Index(fields=["employer", "state"], name="app_employer"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_state_display()})"

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label) if self.channel in Channel.values else self.channel


class ApplicationEvent(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20)
    actor_kind = models.CharField("操作人类型", max_length=10)
    actor_id = models.CharField("操作人标识", max_length=64)
    actor_label = models.CharField("操作人", max_length=150)
    reason = models.CharField("理由", max_length=500, blank=True)
    problems = models.JSONField("一次告知的问题", default=list)
    legal_due = models.DateField("法定办结期限", null=True, blank=True)
    promised_due = models.DateField("承诺办结期限", null=True, blank=True)
    paused = models.BooleanField("计时暂停", default=False)
    business_date = models.DateField("业务日期")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "办件流转记录"
        ordering = ["application_id", "id"]

    @property
    def to_label(self) -> str:
        return str(State(self.to_state).label) if self.to_state in State.values else self.to_state


class ApplicationMaterial(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material_code = models.CharField("材料编码", max_length=40)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    added_by = models.CharField("添加人", max_length=150)
    added_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "办件申请材料"
        constraints = [models.UniqueConstraint(fields=["application", "document"], name="app_material_unique")]


class ReviewDecision(models.Model):
    class Decision(models.TextChoices):
        PASS = "pass", "通过"
        REJECT = "reject", "不通过"
        CORRECTION = "correction", "一次告知补正"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    stage = models.PositiveSmallIntegerField("审核环节")
    stage_name = models.CharField("环节名称", max_length=40)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("审核意见", max_length=12, choices=Decision.choices)
    reason = models.CharField("理由", max_length=500, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "办件审核意见"
        ordering = ["application_id", "id"]
        indexes = [models.Index(fields=["application", "reviewer"], name="app_decision_reviewer")]


class RuleSet(CheckedVersion):
    """One version of an item's decision rules: [{code, expression, message, severity, inputs}], in force from
    `effective_from` until a later version takes over. Made only through maker-checker."""

    item_code = models.CharField("事项编码", max_length=40)
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateField("生效日期")
    rules = models.JSONField("规则", default=list)

    class Meta:
        verbose_name = "决策规则集"
        ordering = ["item_code", "version"]
        constraints = [models.UniqueConstraint(fields=["item_code", "version"], name="ruleset_item_version")]

    def __str__(self) -> str:
        return f"{self.item_code} 规则第 {self.version} 版"


class RuleEvaluation(models.Model):
    """One evaluation of an application: which rule set, on which day, with what inputs, and each rule's result."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evaluations")
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="evaluations")
    evaluated_on = models.DateField("规则适用日期")
    inputs = models.JSONField("输入快照", default=dict)
    results = models.JSONField("逐条结果", default=list)
    outcome = models.CharField("结论", max_length=10)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "规则校验记录"
        ordering = ["application_id", "id"]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


# ---------------------------------------------------------------- 好差评 (国办发〔2019〕51号)


class RatingLevel(models.TextChoices):
    """The five levels of 政务服务"好差评" (国办发〔2019〕51号), best first."""

    VERY_SATISFIED = "very_satisfied", "非常满意"
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
    VERY_DISSATISFIED = "very_dissatisfied", "非常不满意"


# satisfaction counts the first three levels; the last two are a 差评 and open a follow-up (整改)
SATISFIED_LEVELS = frozenset({RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED, RatingLevel.BASIC})
BAD_LEVELS = frozenset({RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED})


class Rating(models.Model):
    """The applicant's one rating of a completed application, with an optional comment."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rating")
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField("事项编码", max_length=40)
    month = models.CharField("评价年月", max_length=6)  # YYYYMM of rated_on: satisfaction by item and month
    level = models.CharField("评价等级", max_length=20, choices=RatingLevel.choices)
    comment = models.CharField("评价内容", max_length=500, blank=True)
    rater_kind = models.CharField("评价人类型", max_length=10)
    rater_id = models.CharField("评价人标识", max_length=64)
    rater_label = models.CharField("评价人", max_length=150)
    rated_on = models.DateField("评价日期")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "办件评价"
        indexes = [models.Index(fields=["center", "month", "item_code"], name="app_rating_month")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_level_display()}"


class RatingFollowUp(models.Model):
    """The follow-up (整改) a 差评 opens: due a policy's number of working days after the rating; staff record
    what was done and close it."""

    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        CLOSED = "closed", "已整改"

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="followup")
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField("登记日期")
    due_on = models.DateField("整改期限")
    result = models.TextField("整改结果", blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="办结人")
    closed_on = models.DateField("办结日期", null=True, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "差评整改"
        indexes = [models.Index(fields=["center", "status", "due_on"], name="app_followup_queue")]
