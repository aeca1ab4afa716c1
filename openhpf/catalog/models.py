"""The service catalogue (服务事项目录): each 服务事项 and its versions (实施清单 as data).

An item's content lives in its versions: a staff edit never changes a version, it makes the next one through
maker-checker (`catalog.item_change`), so the history of every item is its list of versions. The version an
application was filed under stays linked to it (applications.Application.item_version)."""

from __future__ import annotations

from django.db import models

from openhpf.approvals.models import CheckedVersion
from openhpf.core.calendar import LIMIT_UNITS, NATURAL_DAY, WORKING_DAY


class ItemKind(models.TextChoices):
    PERSON = "person", "个人"
    EMPLOYER = "employer", "单位"


class Channel(models.TextChoices):
    """办理渠道 (综合服务平台)."""

    COUNTER = "counter", "服务网点柜台"
    WEB = "web", "网上服务大厅"
    MOBILE = "mobile", "手机公积金"
    SELF_SERVICE = "self_service", "自助终端"
    HOTLINE = "hotline", "12329 服务热线"
    CROSS_PROVINCE = "cross_province", "跨省通办代收代办"


ONLINE_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE, Channel.SELF_SERVICE})


class IdentityLevel(models.IntegerChoices):
    """The minimum identity check (身份核验等级) a channel requires, weakest first."""

    COUNTER_CHECK = 1, "柜台查验身份证件"
    PASSWORD_CODE = 2, "密码加短信验证码"
    FACE = 3, "人脸核验（经核验来源）"
    CERTIFICATE = 4, "数字证书"


class MaterialFormat(models.TextChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    SCAN = "scan", "电子扫描件"
    ELECTRONIC = "electronic", "电子文件"


class Replacement(models.TextChoices):
    """What can stand in for a material (免提交): an electronic certificate or a verification source (核验)."""

    NONE = "", "不可替代"
    E_CERTIFICATE = "e_certificate", "电子证照"
    PROPERTY = "property", "不动产登记信息核验"
    MARRIAGE = "marriage", "民政婚姻登记信息核验"
    HOUSEHOLD = "household", "公安户籍信息核验"
    RETIREMENT = "retirement", "人社退休信息核验"
    HOSPITAL = "hospital", "医保住院信息核验"
    CREDIT = "credit", "征信信息核验"
    COURT = "court", "法院失信被执行人信息核验"
    FACE = "face", "人脸核验"


class LimitUnit(models.TextChoices):
    """The unit of a time limit: the 条例's 日 (natural days) or a center's 工作日."""

    NATURAL_DAY = NATURAL_DAY, LIMIT_UNITS[NATURAL_DAY]
    WORKING_DAY = WORKING_DAY, LIMIT_UNITS[WORKING_DAY]


class ServiceItem(models.Model):
    """One 服务事项, named by its code; what it says is in its versions."""

    code = models.CharField("事项编码", max_length=40, unique=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "服务事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ServiceItemVersion(CheckedVersion):
    """One version of an item (版本): every field of the 实施清单. Immutable once made.

    `materials`: [{code, name, format, required, replaceable_by, note}];
    `process`: the 办理流程 steps as text; `channels`: [{channel, min_identity}];
    `review_stages`: [{name, permission, above}] (above: the amount in fen above which the level is needed, null =
    always). The structure is checked by `catalog.services.item_check` before a version is stored."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    name = models.CharField("事项名称", max_length=100)
    kind = models.CharField("服务对象", max_length=10, choices=ItemKind.choices)
    category = models.CharField("事项类别", max_length=40, blank=True)
    legal_basis = models.TextField("设定依据")
    conditions = models.TextField("受理条件")
    materials = models.JSONField("申请材料", default=list)
    process = models.JSONField("办理流程", default=list)
    legal_limit = models.PositiveIntegerField("法定时限", null=True, blank=True)
    legal_limit_unit = models.CharField("法定时限单位", max_length=12, choices=LimitUnit.choices,
                                        default=NATURAL_DAY)
    legal_limit_basis = models.CharField("法定时限依据", max_length=100, blank=True)
    promised_limit = models.PositiveIntegerField("承诺时限", null=True, blank=True)
    promised_limit_unit = models.CharField("承诺时限单位", max_length=12, choices=LimitUnit.choices,
                                           default=WORKING_DAY)
    result = models.CharField("办理结果", max_length=200)
    channels = models.JSONField("办理渠道", default=list)
    cross_province = models.BooleanField("跨省通办", default=False)
    fully_online = models.BooleanField("全程网办", default=False)
    pays_money = models.BooleanField("支付资金", default=False)
    review_stages = models.JSONField("审核环节", default=list)
    active = models.BooleanField("在用", default=True)
    effective_from = models.DateField("生效日期")

    class Meta:
        verbose_name = "服务事项版本"
        ordering = ["item_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="catalog_item_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="catalog_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.version} {self.name}"


class CenterItemVersion(CheckedVersion):
    """One version of a center's 实施清单 entry for a national item (基本目录): whether the center offers it, its
    own 承诺时限, the local materials it adds, the channels it actually opens (a subset of the item's, each with an
    identity level not weaker than the item's), where, when and whom to call, and a note. Effective-dated and
    immutable like the item's versions; made only through maker-checker (`catalog.implementation_change`).

    `extra_materials`: [{code, name, format, required, replaceable_by, note}] (codes apart from the item's);
    `channels`: [{channel, min_identity}]. A center without any version follows the national item as it is."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="catalog_items")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="center_versions")
    version = models.PositiveIntegerField("版本")
    offered = models.BooleanField("本中心开办", default=True)
    promised_limit = models.PositiveIntegerField("承诺时限", null=True, blank=True)
    promised_limit_unit = models.CharField("承诺时限单位", max_length=12, choices=LimitUnit.choices,
                                           default=WORKING_DAY)
    extra_materials = models.JSONField("本地增补材料", default=list)
    channels = models.JSONField("开通渠道", default=list)
    place = models.CharField("办理地点", max_length=200, blank=True)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=60, blank=True)
    note = models.TextField("备注", blank=True)
    effective_from = models.DateField("生效日期")

    class Meta:
        verbose_name = "服务事项实施清单版本"
        ordering = ["center_id", "item_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["center", "item", "version"], name="catalog_center_item_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="catalog_center_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.item.code} 实施清单 v{self.version}"
