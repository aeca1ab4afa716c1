"""The permission catalogue and the built-in roles (角色), in code; migrations and post_migrate copy them into
the access tables, where assignments refer to them.

三员分立 (separation of the three administrators, GB/T 22239 等保 2.0): the system administrator runs the system
but reads no business data and no audit log; the security administrator manages users and roles but reads no
business data; the security auditor reads only the audit log. These three kinds exclude each other and every
business role on one user (`EXCLUSIVE_KINDS`)."""

from __future__ import annotations

from dataclasses import dataclass

# code → label. A new permission is one line here (and a rule in policy.py for the pages that need it).
PERMISSIONS: dict[str, str] = {
    "accounts.view": "查看单位与个人账户",
    "accounts.open": "单位登记与个人开户",
    "accounts.change": "账户变更（封存、启封、转移、基数与比例调整、单位变更）",
    "accounts.freeze": "个人账户冻结与解冻",
    "accounts.export": "导出查询结果",
    "contributions.remit": "汇缴、补缴、到账登记与暂存分配",
    "ledger.view": "查看账务",
    "ledger.post_manual": "手工记账与冲正",
    "ledger.close_period": "会计期间结账",
    "ledger.back_value": "补记往日业务（按早于当前业务日期的日期记账，须说明原因）",
    "approvals.approve": "复核与审批",
    "policy.change": "政策参数变更",
    "audit.view": "查看审计日志",
    "iam.manage_users": "用户管理",
    "iam.manage_roles": "角色授权",
    "personal_data.unmask": "查看明文个人信息（须说明理由）",
    "jobs.view": "查看作业",
    "jobs.run": "运行作业",
    "documents.view": "查看档案",
    "documents.upload": "上传档案",
    "system.config": "系统配置与运维",
    "settlement.view": "查看银行专户、结算指令与对账",
    "settlement.operate": "银行专户管理、发送结算指令、处理到账与对账差异",
    "finance.view": "查看财务报表与流动性",
    "finance.manage": "资金管理（定期与通知存款、增值收益计算与分配）",
    "cockpit.view": "查看领导驾驶舱（全中心汇总指标）",
    "catalog.change": "服务事项目录维护（经复核生效）",
    "applications.view": "办件查询（本中心办件的申请内容、材料、流转与规则结果）",
    "applications.accept": "办件受理、一次告知补正与代为申请",
    "applications.review": "办件审核（按事项的审核环节）",
    "applications.rules": "决策规则维护（经复核生效）",
    "verification.view": "查看核验查询记录与核验来源状态",
    "applications.followup": "好差评差评整改（登记整改结果并办结）",
    "applications.assign": "办件分派（把办件交给有权办理的同事）",
    "loans.view": "查看个人住房贷款（贷款列表、贷款详情与还款计划）",
    "loans.operate": "贷款合同与抵押（生成借款合同、记录当事人签署、登记抵押物）",
}

# The narrow permissions of the principals outside the center: a member (缴存职工) reads its own accounts, an
# employer's agent (单位经办人) its own employer and that employer's members. Never held by a role, never a
# staff permission; a partner (合作机构) holds the scopes its token was granted (iam.policy.PARTNER_SCOPES).
PRINCIPAL_PERMISSIONS: dict[str, str] = {
    "portal.own_account.view": "查看本人的个人账户",
    "portal.own_employer.view": "查看本单位及其职工账户",
}
KIND_PERMISSIONS: dict[str, frozenset[str]] = {
    "member": frozenset({"portal.own_account.view"}),
    "agent": frozenset({"portal.own_employer.view"}),
}

# Other names other apps use for the same permission (kept so callers written against them keep working).
ALIASES: dict[str, str] = {
    "ledger.entry.manual": "ledger.post_manual",
    "ledger.entry.reverse": "ledger.post_manual",
    "core.policy.change": "policy.change",
}

BUSINESS, SYSADMIN, SECADMIN, SECAUDITOR = "business", "sysadmin", "secadmin", "secauditor"
KIND_LABELS = {BUSINESS: "业务角色", SYSADMIN: "系统管理员", SECADMIN: "安全管理员", SECAUDITOR: "安全审计员"}
# A user's roles must all be of one kind, and a non-business kind allows only its one role.
EXCLUSIVE_KINDS = (SYSADMIN, SECADMIN, SECAUDITOR)


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str
    kind: str
    clearance: int  # the masking grade the role sees in clear by default (classification.GRADES)
    permissions: tuple[str, ...]


_BUSINESS_READ = ("accounts.view", "ledger.view", "documents.view", "jobs.view")

ROLES: tuple[RoleSpec, ...] = (
    RoleSpec("teller", "柜员", BUSINESS, 1, (
        "accounts.view", "accounts.open", "accounts.change", "accounts.freeze", "documents.view", "documents.upload",
        "jobs.view", "personal_data.unmask", "contributions.remit", "applications.accept", "applications.view",
        "loans.view", "loans.operate")),
    RoleSpec("reviewer", "复核员", BUSINESS, 1, (*_BUSINESS_READ, "approvals.approve", "personal_data.unmask",
                                              "applications.review", "applications.followup", "applications.view", "loans.view")),
    RoleSpec("approver", "审批人", BUSINESS, 1, (*_BUSINESS_READ, "approvals.approve", "applications.review",
                                              "applications.view", "applications.assign", "loans.view")),
    RoleSpec("finance", "财务", BUSINESS, 1, (
        *_BUSINESS_READ, "ledger.post_manual", "ledger.close_period", "ledger.back_value", "jobs.run", "contributions.remit",
        "settlement.view", "settlement.operate", "finance.view", "finance.manage", "cockpit.view", "loans.view")),
    RoleSpec("inspector", "稽核", BUSINESS, 1, (*_BUSINESS_READ, "accounts.export", "personal_data.unmask",
                                             "settlement.view", "finance.view", "verification.view",
                                             "applications.view")),
    RoleSpec("leader", "中心领导", BUSINESS, 1, (
        *_BUSINESS_READ, "approvals.approve", "policy.change", "accounts.export", "settlement.view",
        "finance.view", "cockpit.view", "catalog.change", "applications.rules", "applications.review",
        "verification.view", "applications.followup", "applications.view", "applications.assign", "loans.view")),
    RoleSpec("sysadmin", "系统管理员", SYSADMIN, 0, ("system.config", "jobs.view", "jobs.run")),
    RoleSpec("secadmin", "安全管理员", SECADMIN, 0, ("iam.manage_users", "iam.manage_roles")),
    RoleSpec("secauditor", "安全审计员", SECAUDITOR, 0, ("audit.view",)),
)
ROLE_BY_CODE = {r.code: r for r in ROLES}

# 不相容岗位 (incompatible duties, internal control): business roles one person should not hold together. Unlike
# 三员分立 they are not refused: granting one warns and needs a reason, recorded in the audit row.
INCOMPATIBLE_DUTIES: tuple[tuple[str, str, str], ...] = (
    ("teller", "reviewer", "经办与复核分离：柜员办理的业务须由他人复核"),
    ("teller", "approver", "经办与审批分离：柜员办理的业务须由他人审批"),
    ("finance", "reviewer", "记账与复核分离：财务的手工记账、资金划转须由他人复核"),
    ("finance", "approver", "记账与审批分离：财务的资金业务须由他人审批"),
)


def duty_conflicts(role: str, held: set[str] | frozenset[str]) -> list[tuple[str, str]]:
    """(held role code, rule) for each role in `held` that `role` should not be combined with."""
    out = []
    for a, b, rule in INCOMPATIBLE_DUTIES:
        if role == a and b in held:
            out.append((b, rule))
        elif role == b and a in held:
            out.append((a, rule))
    return out


# Permissions only the non-business kinds may ever hold (checked when a role's permissions are edited).
BUSINESS_DATA_PERMISSIONS = frozenset(
    p for p in PERMISSIONS if p.split(".")[0] in {"accounts", "contributions", "ledger", "documents", "approvals", "policy",
                                          "settlement", "finance", "cockpit", "catalog", "applications",
                                          "verification"}
    or p == "personal_data.unmask"
)

# A superuser without any role is treated as a system administrator: it runs the system, sees no business
# data and no audit log (三员分立 has no all-powerful account). Give it roles to let it do more.
SUPERUSER_ROLE = "sysadmin"


def canonical(perm: str) -> str:
    return ALIASES.get(perm, perm)


def sync(apps) -> None:
    """Create or update the permissions and built-in roles from the catalogue (idempotent)."""
    permission = apps.get_model("access", "Permission")
    role = apps.get_model("access", "Role")
    perms = {}
    for code, label in PERMISSIONS.items():
        p, _ = permission.objects.update_or_create(code=code, defaults={"label": label})
        perms[code] = p
    for spec in ROLES:
        r, _ = role.objects.update_or_create(
            code=spec.code, defaults={"name": spec.name, "kind": spec.kind, "clearance": spec.clearance,
                                      "builtin": True})
        r.permissions.set([perms[c] for c in spec.permissions])
