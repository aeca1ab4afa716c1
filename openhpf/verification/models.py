"""核验's data: the local registry (what the demo and the tests fill in place of the real departments), the query
log and the circuit breaker's state of each source.

Subjects (a person's 身份证号, or an organisation's code) are stored SM4-GCM encrypted with an HMAC-SM3 blind
index (security.fields), under the same purpose as `accounts.Member.id_number`, so a lookup by a member's number
is an exact match on the index and the number is never stored in clear."""

from __future__ import annotations

from django.db import models

from openhpf.security.fields import BlindIndexField, EncryptedFieldsMixin, EncryptedTextField


class Source(models.TextChoices):
    """The verification sources: the same codes as catalog.Replacement (a material a source can stand in for)."""

    PROPERTY = "property", "不动产登记信息核验"
    MARRIAGE = "marriage", "民政婚姻登记信息核验"
    HOUSEHOLD = "household", "公安户籍信息核验"
    RETIREMENT = "retirement", "人社退休信息核验"
    HOSPITAL = "hospital", "医保住院信息核验"
    CREDIT = "credit", "征信信息核验"
    COURT = "court", "法院失信被执行人信息核验"
    FACE = "face", "人脸核验"


class Status(models.TextChoices):
    CONFIRMED = "confirmed", "核验一致"
    DENIED = "denied", "核验不一致"
    NOT_FOUND = "not_found", "查无记录"
    UNAVAILABLE = "unavailable", "暂不可用"
    REFUSED = "refused", "未查询（缺少授权）"


# ---------------------------------------------------------------- the local registry


class _Record(EncryptedFieldsMixin, models.Model):
    """A record of one source about one subject (encrypted, looked up by its blind index)."""

    subject = EncryptedTextField("证件号码", purpose="id_number", blind_index="subject_bidx", normalize="id_number")
    subject_bidx = BlindIndexField("证件号码盲索引", source="subject", db_index=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        abstract = True


class PropertyRecord(_Record):
    """不动产登记: a home registered to the subject."""

    certificate_no = models.CharField("不动产权证号", max_length=40)
    district = models.CharField("坐落（区县）", max_length=60)
    area_m2 = models.DecimalField("建筑面积（平方米）", max_digits=8, decimal_places=2)
    registered_on = models.DateField("登记日期")
    sold_on = models.DateField("转移登记日期", null=True, blank=True)

    class Meta:
        verbose_name = "不动产登记记录（本地）"


class MarriageRecord(_Record):
    class Kind(models.TextChoices):
        MARRIED = "married", "结婚登记"
        DIVORCED = "divorced", "离婚登记"

    kind = models.CharField("登记类型", max_length=10, choices=Kind.choices)
    spouse = EncryptedTextField("配偶证件号码", purpose="id_number", blind_index="spouse_bidx", normalize="id_number")
    spouse_bidx = BlindIndexField("配偶证件号码盲索引", source="spouse", db_index=True)
    registered_on = models.DateField("登记日期")

    class Meta:
        verbose_name = "婚姻登记记录（本地）"


class HouseholdRecord(_Record):
    region = models.CharField("户籍地行政区划代码", max_length=6)
    relation = models.CharField("与户主关系", max_length=20)
    household_no = models.CharField("户号", max_length=20)
    moved_in_on = models.DateField("迁入日期")

    class Meta:
        verbose_name = "户籍记录（本地）"


class RetirementRecord(_Record):
    class Kind(models.TextChoices):
        STATUTORY = "statutory", "法定退休"
        EARLY = "early", "提前退休"
        FLEXIBLE = "flexible", "弹性退休"

    kind = models.CharField("退休类型", max_length=10, choices=Kind.choices)
    retired_on = models.DateField("退休日期")
    approved_by = models.CharField("审批机关", max_length=60)

    class Meta:
        verbose_name = "退休记录（本地）"


class HospitalStay(_Record):
    hospital = models.CharField("医疗机构", max_length=80)
    admitted_on = models.DateField("入院日期")
    discharged_on = models.DateField("出院日期", null=True, blank=True)
    total_cost = models.BigIntegerField("医疗费用总额（分）")
    out_of_pocket = models.BigIntegerField("个人自付（分）")

    class Meta:
        verbose_name = "住院记录（本地）"


class CreditSummary(_Record):
    as_of = models.DateField("报告日期")
    open_loans = models.PositiveIntegerField("未结清贷款笔数")
    housing_loans = models.PositiveIntegerField("未结清住房贷款笔数")
    overdue_now = models.BigIntegerField("当前逾期金额（分）", default=0)
    overdue_months_24 = models.PositiveIntegerField("近24个月逾期月数", default=0)

    class Meta:
        verbose_name = "征信摘要（本地）"


class CourtListing(_Record):
    """法院失信被执行人名单: the subject is listed from `listed_on` until `removed_on`."""

    case_no = models.CharField("案号", max_length=60)
    court = models.CharField("执行法院", max_length=80)
    listed_on = models.DateField("列入日期")
    removed_on = models.DateField("移出日期", null=True, blank=True)

    class Meta:
        verbose_name = "失信被执行人记录（本地）"


class FaceResult(_Record):
    """人脸核验: the comparison score of the subject's live capture against the 公安 photo (0–100), and the
    liveness check."""

    score = models.PositiveSmallIntegerField("比对分值")
    live = models.BooleanField("活体检测通过", default=True)

    class Meta:
        verbose_name = "人脸核验结果（本地）"


# ---------------------------------------------------------------- the query log and the breaker


class VerificationQuery(models.Model):
    """One query to a source: who asked, why, about whom (blind index and masked), under which authorization,
    what came back (status, SM3 of the canonical answer, a short masked summary) and how long it took."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField("核验来源", max_length=12, choices=Source.choices)
    purpose = models.CharField("查询用途", max_length=200)
    requester_kind = models.CharField("查询人类型", max_length=10)
    requester_id = models.CharField("查询人标识", max_length=64)
    requester_label = models.CharField("查询人", max_length=150)
    application_number = models.CharField("办件编号", max_length=30, blank=True, db_index=True)
    subject_bidx = models.CharField("证件号码盲索引", max_length=32, db_index=True)
    subject_masked = models.CharField("证件号码（脱敏）", max_length=32)
    consent = models.CharField("授权书", max_length=64, blank=True)
    status = models.CharField("核验结果", max_length=12, choices=Status.choices)
    summary = models.CharField("结果摘要（脱敏）", max_length=300, blank=True)
    reason = models.CharField("不可用原因", max_length=200, blank=True)
    answer_sm3 = models.CharField("应答 SM3", max_length=64, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    at = models.DateTimeField("查询时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "核验查询记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["center", "source", "status"], name="verif_query_filter")]


class SourceState(models.Model):
    """The circuit breaker of one source, shared by every process: closed (queries pass), open (answered
    unavailable without calling until the cool-down ends), half_open (one trial query is out)."""

    class State(models.TextChoices):
        CLOSED = "closed", "正常"
        OPEN = "open", "熔断中"
        HALF_OPEN = "half_open", "试探中"

    source = models.CharField("核验来源", max_length=12, choices=Source.choices, unique=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.CLOSED)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    opened_at = models.DateTimeField("熔断时间", null=True, blank=True)
    last_failure_at = models.DateTimeField("最近失败时间", null=True, blank=True)
    last_failure = models.CharField("最近失败原因", max_length=200, blank=True)
    last_success_at = models.DateTimeField("最近成功时间", null=True, blank=True)

    class Meta:
        verbose_name = "核验来源熔断状态"
        ordering = ["source"]
