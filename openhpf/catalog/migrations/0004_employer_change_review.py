"""Version 2 of 单位及个人缴存信息变更 (HPF-E-CHANGE): one review level (初审) before a change applies, and the
online hall's employer agent (password + one-time code) may file it.

Version 1 had no review level, so the engine would have approved a change of the employer's bank account at
受理, and it asked for a digital certificate on the web, which the agent sign-in does not give. The change is
reviewed by staff before it is applied and pays out no money, so password + code is enough to file it; the
经办人授权委托书 is not asked of an agent filing from its own account (the note of version 1 said so already).
Written out here, like 0002, so the migration keeps meaning what it meant when it ran."""

from datetime import date

from django.db import migrations

CODE = "HPF-E-CHANGE"
REASON = "增设初审环节；单位经办人可凭密码加短信验证码在网上服务大厅申请"
STAGES = [{"name": "初审", "permission": "applications.review", "above": None}]
CHANNELS = [{"channel": "counter", "min_identity": 1}, {"channel": "web", "min_identity": 2},
            {"channel": "cross_province", "min_identity": 1}]
MATERIALS = [
    {"code": "change_proof", "name": "变更事项证明材料", "format": "scan", "required": True,
     "replaceable_by": "e_certificate", "note": "如营业执照变更记录、开户许可证或银行开户证明"},
    {"code": "agent_letter", "name": "经办人授权委托书", "format": "original", "required": False,
     "replaceable_by": "", "note": "柜台办理的须提交；线上由单位经办人账号办理的，免提交"},
]
FIELDS = ("name", "kind", "category", "legal_basis", "conditions", "process", "legal_limit", "legal_limit_unit",
          "legal_limit_basis", "promised_limit", "promised_limit_unit", "result", "cross_province", "fully_online",
          "pays_money", "active")


def seed(apps, schema_editor):
    version_model = apps.get_model("catalog", "ServiceItemVersion")
    first = version_model.objects.filter(item__code=CODE, version=1).first()
    if first is None or version_model.objects.filter(item=first.item, version=2).exists():
        return
    version_model.objects.create(
        item=first.item, version=2, effective_from=date(2026, 1, 1), reason=REASON, made_by="system:seed",
        review_stages=STAGES, channels=CHANNELS, materials=MATERIALS,
        **{f: getattr(first, f) for f in FIELDS})


def unseed(apps, schema_editor):
    # a plain DELETE of the rows: the ORM's delete would look for applications filed under the version, whose
    # table a backward migration may have dropped already (an application keeps its version: none exist then)
    version_model = apps.get_model("catalog", "ServiceItemVersion")
    version_model.objects.filter(item__code=CODE, version=2, made_by="system:seed")._raw_delete(
        schema_editor.connection.alias)


# seeds version 2 of 单位及个人缴存信息变更 (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_center_implementation")]
    operations = [migrations.RunPython(seed, unseed)]
