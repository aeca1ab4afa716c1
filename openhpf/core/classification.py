"""The data classification and grading registry (数据分类分级): every field of personal data with its category,
its GB/T 43697-2024 level, a finer internal grade that drives masking, and its JGJ/T 320 element ID.

Levels (GB/T 43697): 一般数据 / 重要数据 / 核心数据. One member's record is 一般数据; the identity, card and
balance fields are 敏感个人信息 (PIPL art. 28) and, held for a whole city's workforce, make the set 重要数据, so
those fields are registered at 重要. No field of a center is 核心 (national aggregates on the hub may be).

Internal grades (what `mask` compares with a viewer's clearance):
  1 公开/内部   no masking needed for staff (employer name, account numbers);
  2 一般个人信息 masked by default (name 张*, address, contact);
  3 敏感个人信息 masked by default and shown in clear only through an audited unmask (ID number, phone, card);
  4 核心         never shown in clear in the console (reserved: credentials, biometrics).
Business roles see grade ≤ 1 in clear (access.catalogue clearance), so every personal field is masked by
default; `personal_data_unmask` (accounts) is the explicit, reasoned, audited way to see one in clear.

Derived data takes the highest level and grade of its inputs (`derived`). The data catalog of the governance
work grows from this registry; keep field metadata here, not scattered."""

from __future__ import annotations

from dataclasses import dataclass

GENERAL, IMPORTANT, CORE = "一般", "重要", "核心"
_GB_ORDER = {GENERAL: 1, IMPORTANT: 2, CORE: 3}
GRADES = {1: "公开/内部", 2: "一般个人信息", 3: "敏感个人信息", 4: "核心"}


@dataclass(frozen=True)
class FieldClass:
    """The classification of one kind of data."""

    kind: str  # masking kind (core.masking maskers)
    category: str  # 数据类别
    gb_level: str  # GB/T 43697 level
    grade: int  # internal grade 1–4
    element_id: str = ""  # JGJ/T 320 data element ID where known
    personal: bool = True


KINDS: dict[str, FieldClass] = {
    "name": FieldClass("name", "个人基本信息", GENERAL, 2, "102002"),
    "id_type": FieldClass("id_type", "个人身份信息", GENERAL, 1, "102007"),
    "id_number": FieldClass("id_number", "个人身份信息", IMPORTANT, 3, "102008"),
    "birth_date": FieldClass("birth_date", "个人基本信息", GENERAL, 2),
    "sex": FieldClass("sex", "个人基本信息", GENERAL, 1),
    "marital_status": FieldClass("marital_status", "个人基本信息", GENERAL, 2),
    "phone": FieldClass("phone", "个人联系信息", GENERAL, 3, "102006"),
    "address": FieldClass("address", "个人联系信息", GENERAL, 2),
    "bank_card": FieldClass("bank_card", "个人财产信息", IMPORTANT, 3),
    "balance": FieldClass("balance", "个人财产信息", IMPORTANT, 2),
    "base": FieldClass("base", "个人财产信息", GENERAL, 2, "203002"),
    "free_text": FieldClass("free_text", "个人基本信息", GENERAL, 2),
    "org": FieldClass("org", "单位信息", GENERAL, 1, personal=False),
}

# "app_label.Model.field" → kind. Every model field that holds personal data is listed here; the test
# openhpf/access/tests/test_classification.py fails on any personal-looking field missing from it.
FIELDS: dict[str, str] = {
    "accounts.Member.name": "name",
    "accounts.Member.id_type": "id_type",
    "accounts.Member.id_number": "id_number",
    "accounts.Member.birth_date": "birth_date",
    "accounts.Member.sex": "sex",
    "accounts.Member.phone": "phone",
    "accounts.Member.marital_status": "marital_status",
    "accounts.Employer.contact_name": "name",
    "accounts.Employer.contact_phone": "phone",
    "accounts.Employer.address": "address",
    "accounts.MemberAccount.base": "base",
    "accounts.MemberAccount.employer_amount": "base",
    "accounts.MemberAccount.member_amount": "base",
    "accounts.MemberAccount.seal_reason": "free_text",
    "contributions.RemittanceLine.base": "base",
    "contributions.Receipt.payer_name": "name",  # may be a person's name when an individual pays
    "ledger.SubAccount.balance_current": "balance",
    "ledger.SubAccount.balance_carried": "balance",
    "ledger.SubAccount.jishu_current": "balance",
    "ledger.SubAccount.jishu_carried": "balance",
    "ledger.SubAccount.frozen_amount": "balance",
    "ledger.SubAccount.hold_amount": "balance",
    "ledger.SubLedgerRow.amount": "balance",
    "loans.LoanInstallment.balance": "balance",
    "loans.LoanScheduleVersion.balance": "balance",
    "ledger.SubLedgerRow.amount_current": "balance",
    "ledger.SubLedgerRow.amount_carried": "balance",
    "ledger.SubLedgerRow.balance_after": "balance",
    "ledger.SubAccount.jishu_base_current": "balance",
    "ledger.SubAccount.jishu_base_carried": "balance",
    "iam.StaffProfile.display_name": "name",
    "iam.StaffProfile.mobile": "phone",
    "iam.StaffSecurity.pending_mobile": "phone",
    "iam.EmployerAgent.name": "name",
    "iam.EmployerAgent.phone": "phone",
    # messages to members and agents: the phone number, and the text that may hold a one-time code
    "notifications.Notification.recipient": "phone",
    "notifications.Notification.payload_json": "free_text",
    "notifications.Notification.body": "free_text",
    "iam.Outbox.recipient": "phone",
    "iam.Outbox.body": "free_text",
    "contributions.BaseAdjustmentLine.id_number": "id_number",
    "contributions.BaseAdjustmentLine.name": "name",
    "contributions.BaseAdjustmentLine.requested_base": "base",
    "contributions.BaseAdjustmentLine.final_base": "base",
    "contributions.FlexibleAgreement.base": "base",
    # settlement: payees and payers may be persons (withdrawals, refunds), their accounts bank cards
    "settlement.Instruction.counter_name": "name",
    "settlement.Instruction.counter_account": "bank_card",
    "settlement.InstructionItem.counter_name": "name",
    "settlement.InstructionItem.counter_account": "bank_card",
    "settlement.Notice.counter_name": "name",
    "settlement.Notice.counter_account": "bank_card",
    # the payee registry will hold members' cards (withdrawals) and sellers (loans) next to counterparties
    "settlement.Payee.account_name": "name",
    "settlement.Payee.account_no": "bank_card",
    # withdrawals: a member's own settlement card (结算卡), SM4-encrypted with a blind index
    "withdrawals.BankCard.card_no": "bank_card",
    "withdrawals.BankCard.holder_name": "name",
    # withdrawals: the heirs and legatees of a death withdrawal (08), each paid to its own account
    "withdrawals.HeirShare.name": "name",
    "withdrawals.HeirShare.id_number": "id_number",
    "withdrawals.HeirShare.account_no": "bank_card",
    # 约定提取: the borrower's repayment account at the lending bank (SM4-encrypted with a blind index)
    "withdrawals.Agreement.repay_account": "bank_card",
    "withdrawals.Agreement.repay_name": "name",
    "reconciliation.StatementLine.counter_name": "name",
    "reconciliation.StatementLine.counter_account": "bank_card",
    # loans: who signed a contract, the seller paid (a person when second-hand), the 骗提骗贷 finding
    "loans.ContractSignature.signer_name": "name",
    "loans.Disbursement.payee_name": "name",
    "loans.Disbursement.payee_account": "bank_card",
    "loans.FraudFlag.reason": "free_text",
    # loans: a guarantor (保证人) of a product that requires one
    "loans.LoanGuarantor.name": "name",
    "loans.LoanGuarantor.id_number": "id_number",
}

# Fields whose names look personal but are not personal data (organisations, codes, system text), each with
# the reason it is not registered as personal.
NOT_PERSONAL: dict[str, str] = {
    "loans.LoanGuarantor.id_number_bidx": "保证人证件号码的盲索引（HMAC-SM3，不可逆，仅供精确查找）",
    "loans.LoanContract.commercial_bank": "组合贷款的商业贷款银行名称（机构信息）",
    "withdrawals.Agreement.bank_name": "贷款银行名称（机构信息）",
    "loans.LoanProduct.name": "贷款产品名称（产品信息）",
    "loans.ReserveReport.balance": "贷款风险准备科目（301）余额，中心总账数，不是某人的信息",
    "loans.LoanProduct.balance_multiple": "贷款额度的账户余额倍数（产品参数）",
    "loans.RetirementAge.sex": "法定退休年龄表的性别分组（政策表，不是某人的信息）",
    "loans.RetirementAge.birth_from": "法定退休年龄表的出生年月区间（政策表）",
    "loans.RetirementAge.birth_to": "法定退休年龄表的出生年月区间（政策表）",
    "documents.Receipt.operator_name": "经办人（工作人员履职信息，业务回单上署名）",
    "core.Center.name": "管理中心名称（机构信息）",
    "core.Branch.name": "网点名称（机构信息）",
    "catalog.ServiceItemVersion.name": "服务事项名称（公开的办事指南）",
    "applications.ReviewDecision.stage_name": "审核环节名称（如初审、复审）",
    "accounts.Employer.name": "单位名称 101001（单位信息，公开）",
    "ledger.GLAccount.name": "会计科目名称",
    "ledger.GLAccount.bank_name": "受托银行名称",
    "settlement.BankAccount.bank_name": "受托银行名称（机构信息）",
    "settlement.BankAccount.account_name": "中心专户户名（机构信息）",
    "settlement.Payee.bank_name": "收款人开户银行名称（机构信息）",
    "withdrawals.HeirShare.bank_name": "继承人收款账户的开户银行名称（机构信息）",
    "settlement.Notice.balance": "中心专户余额（机构资金，非个人）",
    "reconciliation.BankStatement.opening_balance": "中心专户余额（机构信息）",
    "reconciliation.BankStatement.closing_balance": "中心专户余额（机构信息）",
    "reconciliation.StatementLine.balance": "中心专户余额（机构信息）",
    "iam.ApiToken.name": "令牌用途",
    "documents.Document.original_name": "上传文件名",
    "core.CalendarDay.name": "节假日名称",
    "jobs.JobStep.name": "作业步骤名称",
    "iam.PartnerClient.name": "合作机构名称（机构信息）",
    "access.Role.name": "角色名称",
    "approvals.PendingCommand.name": "复核命令名称",
    "accounts.Member.id_number_bidx": "证件号码的盲索引（HMAC-SM3，不可逆，仅供精确查找）",
    "accounts.Member.phone_bidx": "手机号码的盲索引（HMAC-SM3，不可逆，仅供精确查找）",
    "iam.StaffProfile.mobile_bidx": "手机号码的盲索引（HMAC-SM3，不可逆，仅供精确查找）",
    "iam.StaffSecurity.pending_mobile_code_hash": "验证码的 SM3 摘要（不可逆）",
    "iam.StaffSecurity.pending_mobile_expires_at": "验证码到期时间",
    "iam.EmployerAgent.phone_bidx": "手机号码的盲索引（HMAC-SM3，不可逆，仅供精确查找）",
    "accounts.Employer.suspense_balance": "单位暂存款（单位信息，非个人）",
    "contributions.BaseAdjustment.source_name": "上传文件名",
    "contributions.RemittanceImport.file_name": "上传文件名",
    "contributions.BaseAdjustment.base_cap": "基数上限（政策参数）",
    "contributions.BaseAdjustment.base_floor": "基数下限（政策参数）",
    "catalog.CenterItemVersion.phone": "中心咨询电话（实施清单公开信息）",
    "accounts.Employer.pay_bank_name": "单位开户银行名称（单位信息）",
    "withdrawals.BankCard.card_no_bidx": "银行卡号的盲索引（HMAC-SM3，不可逆，仅供精确查找）",
    "withdrawals.BankCard.bank_name": "开户银行名称（机构信息）",
    "withdrawals.ReasonConfig.name": "提取原因名称",
    "withdrawals.CourtDeduction.payee_name": "执行法院的收款户名（机构信息）",
}


def classify(label: str) -> FieldClass | None:
    """The classification of "app_label.Model.field" (None when not personal data)."""
    kind = FIELDS.get(label)
    return KINDS[kind] if kind else None


def grade_of(kind: str) -> int:
    """The internal grade of a masking kind; unknown kinds are treated as sensitive (3)."""
    fc = KINDS.get(kind)
    return fc.grade if fc else 3


def derived(*inputs: str) -> FieldClass:
    """Derived data (a report, an export, a join) takes the highest level and grade of its inputs (kinds or
    "app.Model.field" labels)."""
    classes = [KINDS[i] if i in KINDS else classify(i) for i in inputs]
    known = [c for c in classes if c is not None]
    if not known:
        return KINDS["org"]
    gb = max((c.gb_level for c in known), key=_GB_ORDER.__getitem__)
    grade = max(c.grade for c in known)
    top = max(known, key=lambda c: (c.grade, _GB_ORDER[c.gb_level]))
    return FieldClass(kind=top.kind, category=top.category, gb_level=gb, grade=grade,
                      personal=any(c.personal for c in known))
