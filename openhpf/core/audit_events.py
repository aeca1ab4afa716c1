"""The audit-event catalogue (审计事件目录): the closed list of everything the audit trail records.

Every audit row's `action` is the code of one `AuditEvent`. A member carries its code (the dotted string stored in
`AuditRecord.action`, unchanged from the rows written before the catalogue), a Chinese label, the type of object it
is about (`AuditObject`: the `object_type` stored with the row) and whether it touches personal data. `audit_log`
accepts members only: mypy rejects a string, and at run time a value that is no member raises `TypeError` before
anything is written. The audit viewer shows labels and offers the catalogue as pickers; a stored code that is not
(or no longer) in the catalogue is shown as it is, marked 未编目.

docs/audit-events.md lists the catalogue; it is generated from this module (`python -m openhpf.core.audit_events`)
and a test keeps it current. To add an event: add a member here (code `<domain>.<object>.<verb>`, label, object
type, personal flag), regenerate the page, and pass the member to `audit_log`."""

from __future__ import annotations

from enum import StrEnum

# The picker groups events by the first segment of their code.
DOMAINS: dict[str, str] = {
    "core": "平台与业务日期",
    "security": "安全与密钥",
    "job": "后台作业",
    "document": "业务档案",
    "ledger": "总账",
    "iam": "账号与登录",
    "access": "角色授权",
    "personal_data": "个人信息",
    "approvals": "复核",
    "accounts": "单位与个人账户",
    "settlement": "资金结算",
    "reconciliation": "银行对账",
    "contributions": "缴存",
    "finance": "财务",
    "catalog": "服务事项目录",
    "applications": "办件",
    "verification": "核验",
    "items": "事项办理",
    "withdrawals": "提取",
    "loans": "贷款",
    "audit": "审计",
}


class AuditObject(StrEnum):
    """The type of the object an audit row is about, as stored in `AuditRecord.object_type`: a model's
    `app_label.model_name`, or the name of what a query read (an arrears list, the SMS outbox)."""

    label: str

    def __new__(cls, value: str, label: str) -> AuditObject:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    NONE = "", "无对象"
    CENTER = "core.center", "管理中心"
    BRANCH = "core.branch", "网点"
    CALENDAR_DAY = "core.calendarday", "工作日历"
    POLICY_PARAMETER = "core.policyparameter", "政策参数"
    STAFF_USER = "auth.user", "工作人员账号"
    API_TOKEN = "iam.apitoken", "API 令牌"
    MEMBER_PRINCIPAL = "iam.memberprincipal", "缴存职工登录"
    EMPLOYER_AGENT = "iam.employeragent", "单位经办人"
    PARTNER_CLIENT = "iam.partnerclient", "合作机构客户端"
    PARTNER_TOKEN = "iam.partnertoken", "合作机构令牌"
    SMS_OUTBOX = "iam.outbox", "短信发件箱"
    ROLE_ASSIGNMENT = "access.roleassignment", "角色授权"
    PENDING_COMMAND = "approvals.pendingcommand", "待复核命令"
    AUDIT_RECORD = "audit.auditrecord", "审计记录"
    JOB = "jobs.job", "作业"
    DOCUMENT = "documents.document", "业务档案"
    GL_ACCOUNT = "ledger.glaccount", "会计科目"
    ACCOUNTING_PERIOD = "ledger.accountingperiod", "会计期间"
    JOURNAL_ENTRY = "ledger.journalentry", "记账凭证"
    POSTING_BATCH = "ledger.postingbatch", "记账批次"
    ENTRY_DIGEST = "ledger.entrydigest", "记账凭证摘要"
    EMPLOYER = "accounts.employer", "缴存单位"
    MEMBER = "accounts.member", "缴存职工"
    MEMBER_ACCOUNT = "accounts.memberaccount", "个人账户"
    RATIO_REDUCTION = "accounts.ratioreduction", "降低缴存比例批准"
    BANK_ACCOUNT = "settlement.bankaccount", "委托银行专户"
    BANK_CHANNEL = "settlement.bankchannel", "银行接口"
    INSTRUCTION = "settlement.instruction", "结算指令"
    NOTICE = "settlement.notice", "账户变动通知"
    DEPOSIT = "settlement.deposit", "定期与通知存款"
    PAYEE = "settlement.payee", "登记收款人"
    BANK_STATEMENT = "reconciliation.bankstatement", "银行对账单"
    RECONCILIATION = "reconciliation.reconciliation", "日终对账"
    RECON_ITEM = "reconciliation.reconitem", "未达账项与差异"
    REMITTANCE = "contributions.remittance", "汇缴单"
    REMITTANCE_IMPORT = "contributions.remittanceimport", "缴存清册导入"
    RECEIPT = "contributions.receipt", "银行到账"
    BASE_ADJUSTMENT = "contributions.baseadjustment", "年度基数调整"
    HARDSHIP_APPLICATION = "contributions.hardshipapplication", "缓缴与降比例申请"
    FLEXIBLE_AGREEMENT = "contributions.flexibleagreement", "灵活就业缴存协议"
    ARREARS_LIST = "contributions.arrears", "欠缴催缴清单"
    LIQUIDITY_SNAPSHOT = "finance.liquiditysnapshot", "流动性日报"
    VALUE_ADDED_YEAR = "finance.valueaddedyear", "增值收益年度"
    SERVICE_ITEM = "catalog.serviceitem", "服务事项"
    APPLICATION = "applications.application", "办件"
    RULE_SET = "applications.ruleset", "决策规则集"
    VERIFICATION_QUERY = "verification.verificationquery", "核验查询"
    VERIFICATION_SOURCE = "verification.sourcestate", "核验来源"
    RATING = "applications.rating", "办件评价"
    RATING_FOLLOWUP = "applications.ratingfollowup", "差评整改"
    CERTIFICATE = "items.certificate", "缴存使用证明"
    BANK_CARD = "withdrawals.bankcard", "职工结算银行卡"
    REASON_CONFIG = "withdrawals.reasonconfig", "提取原因配置"
    PAYOUT = "withdrawals.payout", "提取支付"
    LOAN_PRODUCT = "loans.loanproduct", "贷款产品"
    COURT_DEDUCTION = "withdrawals.courtdeduction", "司法扣划"
    LOAN_CONTRACT = "loans.loancontract", "借款合同"
    LOAN_COLLATERAL = "loans.collateral", "贷款抵押物"
    LOAN_DISBURSEMENT = "loans.disbursement", "贷款发放"
    LOAN = "loans.loan", "个人住房贷款"
    LOAN_CASE = "loans.collectioncase", "逾期催收案件"
    LOAN_WRITE_OFF = "loans.loanwriteoff", "贷款核销"
    AGREEMENT = "withdrawals.agreement", "约定提取协议"

    @classmethod
    def lookup(cls, value: str) -> AuditObject | None:
        """The member stored as `value`, or None for a type outside the catalogue."""
        return cls._value2member_map_.get(value)  # type: ignore[return-value]


_O = AuditObject


class AuditEvent(StrEnum):
    """审计事件: code (the stored `AuditRecord.action`), Chinese label, object type, personal-data flag."""

    label: str
    object_type: AuditObject
    personal: bool

    def __new__(cls, code: str, label: str, object_type: AuditObject, personal: bool = False) -> AuditEvent:
        obj = str.__new__(cls, code)
        obj._value_ = code
        obj.label = label
        obj.object_type = object_type
        obj.personal = personal
        return obj

    # ------------------------------------------------------------ platform
    CORE_CENTER_CREATE = "core.center.create", "设立管理中心", _O.CENTER
    CORE_BRANCH_CREATE = "core.branch.create", "设立网点", _O.BRANCH
    CORE_BUSINESS_DATE_ADVANCE = "core.business_date.advance", "推进业务日期", _O.CENTER
    CORE_BACK_VALUE = "core.back_value", "补记往日业务（按往日业务日期记账）", _O.CENTER
    CORE_POLICY_SET = "core.policy.set", "设置政策参数", _O.POLICY_PARAMETER
    CORE_CALENDAR_SET = "core.calendar.set", "设置工作日历", _O.CALENDAR_DAY
    CORE_CALENDAR_SEED = "core.calendar.seed", "生成工作日历", _O.CALENDAR_DAY
    SECURITY_KEYS_ROTATE = "security.keys.rotate", "轮换加密密钥", _O.NONE
    SECURITY_DOCUMENT_SIGN = "security.document.sign", "档案电子签章", _O.DOCUMENT
    DOCUMENT_RECEIPT_VIEW = "document.receipt.view", "查看业务回单", _O.DOCUMENT, True
    JOB_START = "job.start", "启动后台作业", _O.JOB
    JOB_CANCEL = "job.cancel", "取消后台作业", _O.JOB
    DOCUMENT_STORE = "document.store", "保存业务档案", _O.DOCUMENT
    AUDIT_RECORDS_VIEW = "audit.records.view", "查询审计日志", _O.AUDIT_RECORD, True
    AUDIT_RECORDS_EXPORT = "audit.records.export", "导出审计日志", _O.AUDIT_RECORD, True

    # ------------------------------------------------------------ ledger
    LEDGER_GL_ACCOUNT_ADD = "ledger.gl_account.add", "增设会计科目", _O.GL_ACCOUNT
    LEDGER_PERIOD_CLOSE = "ledger.period.close", "会计期间结账", _O.ACCOUNTING_PERIOD
    LEDGER_ENTRY_POST = "ledger.entry.post", "记账", _O.JOURNAL_ENTRY
    LEDGER_BATCH_POST = "ledger.batch.post", "批量记账", _O.POSTING_BATCH
    LEDGER_YEAR_ROLL = "ledger.year_roll", "年度结转", _O.CENTER
    LEDGER_DIGEST_SEAL = "ledger.digest.seal", "封存账簿摘要", _O.ENTRY_DIGEST

    # ------------------------------------------------------------ staff accounts and logins
    IAM_TOKEN_ISSUE = "iam.token.issue", "签发 API 令牌", _O.API_TOKEN
    IAM_TOKEN_REVOKE = "iam.token.revoke", "吊销 API 令牌", _O.API_TOKEN
    IAM_STAFF_CREATE = "iam.staff.create", "新建工作人员账号", _O.STAFF_USER
    IAM_STAFF_UPDATE = "iam.staff.update", "修改工作人员账号", _O.STAFF_USER
    IAM_STAFF_LOCK = "iam.staff.lock", "锁定工作人员账号", _O.STAFF_USER
    IAM_STAFF_UNLOCK = "iam.staff.unlock", "解锁工作人员账号", _O.STAFF_USER
    IAM_PASSWORD_CHANGE = "iam.password.change", "修改密码", _O.STAFF_USER
    IAM_PASSWORD_RESET = "iam.password.reset", "重置密码", _O.STAFF_USER
    IAM_PASSWORD_RESET_COMPLETE = "iam.password.reset_complete", "本人凭重置码设置新密码", _O.STAFF_USER
    IAM_PASSWORD_RESET_FAILURE = "iam.password.reset_failure", "重置码错误或过期", _O.STAFF_USER
    IAM_MOBILE_CHANGE_BEGIN = "iam.mobile.change_begin", "申请修改本人手机号码", _O.STAFF_USER
    IAM_MOBILE_CHANGE = "iam.mobile.change", "本人确认修改手机号码", _O.STAFF_USER
    IAM_LOGIN_SUCCESS = "iam.login.success", "工作人员登录成功", _O.STAFF_USER
    IAM_LOGIN_FAILURE = "iam.login.failure", "工作人员登录失败", _O.STAFF_USER
    IAM_LOGIN_LOCKED = "iam.login.locked", "工作人员登录被锁定", _O.STAFF_USER
    IAM_LOGIN_TOTP_FAILURE = "iam.login.totp_failure", "工作人员动态口令错误", _O.STAFF_USER
    IAM_TOTP_ENROL_BEGIN = "iam.totp.enrol_begin", "开始绑定动态口令", _O.STAFF_USER
    IAM_TOTP_ENROL = "iam.totp.enrol", "绑定动态口令", _O.STAFF_USER
    IAM_TOTP_RESET = "iam.totp.reset", "重置动态口令", _O.STAFF_USER
    IAM_TOTP_REQUIRE = "iam.totp.require", "要求动态口令", _O.STAFF_USER
    IAM_OUTBOX_VIEW = "iam.outbox.view", "查看短信发件箱", _O.SMS_OUTBOX, True

    # ------------------------------------------------------------ portal logins (members and employers' agents)
    IAM_MEMBER_PRINCIPAL_CREATE = "iam.member_principal.create", "开通职工网厅登录", _O.MEMBER_PRINCIPAL, True
    IAM_MEMBER_PRINCIPAL_PASSWORD = "iam.member_principal.password", "重设职工网厅密码", _O.MEMBER_PRINCIPAL, True
    IAM_MEMBER_LOGIN_PASSWORD_OK = "iam.member.login.password_ok", "职工网厅密码通过", _O.MEMBER_PRINCIPAL, True
    IAM_MEMBER_LOGIN_SUCCESS = "iam.member.login.success", "职工网厅登录成功", _O.MEMBER_PRINCIPAL, True
    IAM_MEMBER_LOGIN_FAILURE = "iam.member.login.failure", "职工网厅登录失败", _O.MEMBER_PRINCIPAL, True
    IAM_MEMBER_LOGIN_LOCKED = "iam.member.login.locked", "职工网厅登录被锁定", _O.MEMBER_PRINCIPAL, True
    IAM_MEMBER_LOGIN_OTP_EXPIRED = "iam.member.login.otp_expired", "职工网厅验证码过期", _O.MEMBER_PRINCIPAL, True
    IAM_MEMBER_LOGIN_OTP_FAILURE = "iam.member.login.otp_failure", "职工网厅验证码错误", _O.MEMBER_PRINCIPAL, True
    IAM_MEMBER_REGISTER_BEGIN = "iam.member.register.begin", "职工网厅注册：身份核对通过，发送验证码", _O.MEMBER, True
    IAM_MEMBER_REGISTER_MISMATCH = "iam.member.register.mismatch", "职工网厅注册：信息与登记不符", _O.NONE, True
    IAM_MEMBER_REGISTER_FAILURE = "iam.member.register.failure", "职工网厅注册：验证码错误", _O.MEMBER, True
    IAM_MEMBER_PHONE_CODE = "iam.member.phone.code", "职工网厅修改手机：验证码发往新号码", _O.MEMBER, True
    IAM_AGENT_CREATE = "iam.agent.create", "登记单位经办人", _O.EMPLOYER_AGENT, True
    IAM_AGENT_LOGIN_PASSWORD_OK = "iam.agent.login.password_ok", "单位网厅密码通过", _O.EMPLOYER_AGENT, True
    IAM_AGENT_LOGIN_SUCCESS = "iam.agent.login.success", "单位网厅登录成功", _O.EMPLOYER_AGENT, True
    IAM_AGENT_LOGIN_FAILURE = "iam.agent.login.failure", "单位网厅登录失败", _O.EMPLOYER_AGENT, True
    IAM_AGENT_LOGIN_LOCKED = "iam.agent.login.locked", "单位网厅登录被锁定", _O.EMPLOYER_AGENT, True
    IAM_AGENT_LOGIN_OTP_EXPIRED = "iam.agent.login.otp_expired", "单位网厅验证码过期", _O.EMPLOYER_AGENT, True
    IAM_AGENT_LOGIN_OTP_FAILURE = "iam.agent.login.otp_failure", "单位网厅验证码错误", _O.EMPLOYER_AGENT, True

    # ------------------------------------------------------------ partners
    IAM_PARTNER_CREATE = "iam.partner.create", "登记合作机构", _O.PARTNER_CLIENT
    IAM_PARTNER_ACTIVATE = "iam.partner.activate", "启用合作机构", _O.PARTNER_CLIENT
    IAM_PARTNER_DEACTIVATE = "iam.partner.deactivate", "停用合作机构", _O.PARTNER_CLIENT
    IAM_PARTNER_REVOKE_TOKENS = "iam.partner.revoke_tokens", "吊销合作机构全部令牌", _O.PARTNER_CLIENT
    IAM_PARTNER_TOKEN_ISSUE = "iam.partner.token_issue", "签发合作机构令牌", _O.PARTNER_TOKEN
    IAM_PARTNER_TOKEN_REFUSED = "iam.partner.token_refused", "拒绝合作机构取令牌", _O.PARTNER_CLIENT
    IAM_PARTNER_TOKEN_REVOKE = "iam.partner.token_revoke", "合作机构吊销令牌", _O.PARTNER_CLIENT

    # ------------------------------------------------------------ roles and personal data
    ACCESS_ROLE_ASSIGN = "access.role.assign", "授予角色", _O.ROLE_ASSIGNMENT
    ACCESS_ROLE_REVOKE = "access.role.revoke", "收回角色", _O.ROLE_ASSIGNMENT
    PERSONAL_DATA_UNMASK = "personal_data.unmask", "查看个人信息明文", _O.MEMBER, True

    # ------------------------------------------------------------ approvals
    APPROVALS_COMMAND_SUBMIT = "approvals.command.submit", "提交待复核命令", _O.PENDING_COMMAND
    APPROVALS_COMMAND_APPROVE = "approvals.command.approve", "复核通过", _O.PENDING_COMMAND
    APPROVALS_COMMAND_APPLY = "approvals.command.apply", "执行复核通过的命令", _O.PENDING_COMMAND
    APPROVALS_COMMAND_FAIL = "approvals.command.fail", "复核通过的命令执行失败", _O.PENDING_COMMAND
    APPROVALS_COMMAND_REJECT = "approvals.command.reject", "复核退回", _O.PENDING_COMMAND

    # ------------------------------------------------------------ employers and member accounts
    ACCOUNTS_CUTOVER_IMPORT = "accounts.cutover.import", "历史数据迁移导入", _O.CENTER, True
    ACCOUNTS_EMPLOYER_REGISTER = "accounts.employer.register", "单位开户登记", _O.EMPLOYER
    ACCOUNTS_EMPLOYER_CHANGE = "accounts.employer.change", "单位信息变更", _O.EMPLOYER
    ACCOUNTS_EMPLOYER_PAY_ACCOUNT_CHANGE = "accounts.employer.pay_account_change", "单位开户银行账号变更", _O.EMPLOYER
    ACCOUNTS_EMPLOYER_SUSPEND = "accounts.employer.suspend", "单位封存", _O.EMPLOYER
    ACCOUNTS_EMPLOYER_RESUME = "accounts.employer.resume", "单位启封", _O.EMPLOYER
    ACCOUNTS_EMPLOYER_CLOSE = "accounts.employer.close", "单位销户", _O.EMPLOYER
    ACCOUNTS_EMPLOYER_DEFER = "accounts.employer.defer", "单位缓缴", _O.EMPLOYER
    ACCOUNTS_EMPLOYER_END_DEFERRAL = "accounts.employer.end_deferral", "单位缓缴结束", _O.EMPLOYER
    ACCOUNTS_RATIO_REDUCTION_RECORD = "accounts.ratio_reduction.record", "登记降低缴存比例批准", _O.RATIO_REDUCTION
    ACCOUNTS_MEMBER_CREATE = "accounts.member.create", "登记缴存职工", _O.MEMBER, True
    ACCOUNTS_MEMBER_CHANGE = "accounts.member.change", "缴存职工信息变更", _O.MEMBER, True
    ACCOUNTS_MEMBER_ACCOUNT_OPEN = "accounts.member_account.open", "个人账户开户", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_MEMBER_ACCOUNT_CHANGE_BASE = ("accounts.member_account.change_base", "个人缴存基数变更",
                                           _O.MEMBER_ACCOUNT, True)
    ACCOUNTS_MEMBER_ACCOUNT_CHANGE_RATIO = ("accounts.member_account.change_ratio", "个人缴存比例变更",
                                            _O.MEMBER_ACCOUNT, True)
    ACCOUNTS_MEMBER_ACCOUNT_SEAL = "accounts.member_account.seal", "个人账户封存", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_MEMBER_ACCOUNT_CLOSE_WITHDRAWAL = ("accounts.member_account.close_withdrawal", "个人账户提取销户",
                                                _O.MEMBER_ACCOUNT, True)
    ACCOUNTS_MEMBER_ACCOUNT_UNSEAL = "accounts.member_account.unseal", "个人账户启封", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_MEMBER_ACCOUNT_TRANSFER_INTERNAL = ("accounts.member_account.transfer_internal", "个人账户内部转移",
                                                 _O.MEMBER_ACCOUNT, True)
    ACCOUNTS_MEMBER_ACCOUNT_FREEZE = "accounts.member_account.freeze", "个人账户冻结", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_MEMBER_ACCOUNT_UNFREEZE = "accounts.member_account.unfreeze", "个人账户解冻", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_MEMBER_ACCOUNT_MERGE = "accounts.member_account.merge", "个人账户合并", _O.MEMBER_ACCOUNT, True
    # reads of personal data (core.personal): written by @personal_read
    ACCOUNTS_MEMBER_SEARCH = "accounts.member.search", "个人账户查询", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_MEMBER_EXPORT = "accounts.member.export", "个人账户查询结果导出", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_MEMBER_ACCOUNT_VIEW = "accounts.member_account.view", "个人账户详情", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_ECARD_SCAN = "accounts.ecard.scan", "柜面扫描电子公积金卡识别职工", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_MEMBER_ACCOUNT_HISTORY = "accounts.member_account.history", "个人明细账", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_MEMBER_ACCOUNT_TRANSACTIONS = ("accounts.member_account.transactions", "个人明细查询",
                                            _O.MEMBER_ACCOUNT, True)
    ACCOUNTS_MEMBER_ACCOUNT_PRINT = "accounts.member_account.print", "个人明细打印", _O.MEMBER_ACCOUNT, True
    ACCOUNTS_EMPLOYER_VIEW = "accounts.employer.view", "单位详情（联系人、职工名单）", _O.EMPLOYER, True
    ACCOUNTS_EMPLOYER_MEMBERS = "accounts.employer.members", "单位职工账户列表", _O.EMPLOYER, True
    ACCOUNTS_EMPLOYER_EXPORT = "accounts.employer.export", "单位查询结果导出", _O.EMPLOYER

    # ------------------------------------------------------------ settlement
    SETTLEMENT_BANK_ACCOUNT_OPEN = "settlement.bank_account.open", "登记委托银行专户", _O.BANK_ACCOUNT
    SETTLEMENT_CHANNEL_SET = "settlement.channel.set", "设置银行接口", _O.BANK_CHANNEL
    SETTLEMENT_CHANNEL_LOCAL_LINK = "settlement.channel.local_link", "开发环境连接本机银行模拟器", _O.BANK_CHANNEL
    SETTLEMENT_PAYEE_ADD = "settlement.payee.add", "登记收款人", _O.PAYEE
    SETTLEMENT_PAYEE_LIST = "settlement.payee.list", "登记收款人列表查询", _O.PAYEE, True
    SETTLEMENT_INSTRUCTION_HOLD = "settlement.instruction.hold", "结算指令待复核放行", _O.INSTRUCTION
    SETTLEMENT_INSTRUCTION_RELEASE = "settlement.instruction.release", "复核放行结算指令", _O.INSTRUCTION
    SETTLEMENT_INSTRUCTION_CANCEL = "settlement.instruction.cancel", "结算指令未获放行而作废", _O.INSTRUCTION
    SETTLEMENT_INSTRUCTION_CREATE = "settlement.instruction.create", "生成结算指令", _O.INSTRUCTION
    SETTLEMENT_INSTRUCTION_OUTAGE = "settlement.instruction.outage", "结算指令发送时银行不可用", _O.INSTRUCTION
    SETTLEMENT_INSTRUCTION_UNKNOWN = "settlement.instruction.unknown", "结算指令结果未知", _O.INSTRUCTION
    SETTLEMENT_INSTRUCTION_SUCCEEDED = "settlement.instruction.succeeded", "结算指令成功", _O.INSTRUCTION
    SETTLEMENT_INSTRUCTION_FAILED = "settlement.instruction.failed", "结算指令失败", _O.INSTRUCTION
    SETTLEMENT_INSTRUCTION_BATCH_DONE = "settlement.instruction.batch_done", "批量结算指令完成", _O.INSTRUCTION
    SETTLEMENT_INSTRUCTION_NOT_RECEIVED = ("settlement.instruction.not_received", "银行未收到结算指令",
                                           _O.INSTRUCTION)
    SETTLEMENT_NOTICE_INGEST = "settlement.notice.ingest", "接收账户变动通知", _O.NOTICE
    SETTLEMENT_NOTICE_HANDLE = "settlement.notice.handle", "处理账户变动通知", _O.NOTICE
    SETTLEMENT_DEPOSIT_OPEN = "settlement.deposit.open", "存入定期或通知存款", _O.DEPOSIT
    SETTLEMENT_DEPOSIT_WITHDRAW = "settlement.deposit.withdraw", "支取定期或通知存款", _O.DEPOSIT
    SETTLEMENT_DEPOSIT_NOTIFY = "settlement.deposit.notify", "通知存款预约支取", _O.DEPOSIT

    # ------------------------------------------------------------ reconciliation
    RECONCILIATION_STATEMENT_LOAD = "reconciliation.statement.load", "导入银行对账单", _O.BANK_STATEMENT
    RECONCILIATION_RUN = "reconciliation.run", "日终对账", _O.RECONCILIATION
    RECONCILIATION_ITEM_EXPLAIN = "reconciliation.item.explain", "说明对账差异", _O.RECON_ITEM
    RECONCILIATION_ITEM_RESOLVE = "reconciliation.item.resolve", "核销对账差异", _O.RECON_ITEM
    RECONCILIATION_ADJUSTMENT_EXPORT = "reconciliation.adjustment.export", "银行存款余额调节表导出", _O.RECONCILIATION

    # ------------------------------------------------------------ contributions
    CONTRIBUTIONS_REMITTANCE_CREATE = "contributions.remittance.create", "生成汇缴单", _O.REMITTANCE
    CONTRIBUTIONS_REMITTANCE_IMPORT = "contributions.remittance.import", "导入缴存清册", _O.REMITTANCE_IMPORT, True
    CONTRIBUTIONS_REMITTANCE_CONFIRM = "contributions.remittance.confirm", "确认汇缴单", _O.REMITTANCE
    CONTRIBUTIONS_REMITTANCE_CANCEL = "contributions.remittance.cancel", "撤销汇缴单", _O.REMITTANCE
    CONTRIBUTIONS_REMITTANCE_POST = "contributions.remittance.post", "汇缴入账", _O.REMITTANCE
    CONTRIBUTIONS_REMITTANCE_REFUND = "contributions.remittance.refund", "汇缴退款", _O.REMITTANCE
    CONTRIBUTIONS_REMITTANCE_LINES = "contributions.remittance.lines", "汇缴单明细", _O.REMITTANCE, True
    CONTRIBUTIONS_REMITTANCE_EXPORT = "contributions.remittance.export", "汇缴单列表导出", _O.REMITTANCE
    CONTRIBUTIONS_BACK_PAYMENT_CREATE = "contributions.back_payment.create", "生成补缴单", _O.REMITTANCE
    CONTRIBUTIONS_BACK_PAYMENT_CANDIDATES = ("contributions.back_payment.candidates", "查询补缴人员（某月未缴）",
                                             _O.EMPLOYER, True)
    CONTRIBUTIONS_RECEIPT_RECORD = "contributions.receipt.record", "登记银行到账", _O.RECEIPT
    CONTRIBUTIONS_RECEIPT_ASSIGN = "contributions.receipt.assign", "认领银行到账", _O.RECEIPT
    CONTRIBUTIONS_RECEIPT_CONFIRM = "contributions.receipt.confirm", "确认手工登记的到账", _O.RECEIPT
    CONTRIBUTIONS_RECEIPT_BANK_MATCH = "contributions.receipt.bank_match", "银行对账单勾对手工登记的到账", _O.RECEIPT
    CONTRIBUTIONS_RECEIPT_QUEUE = "contributions.receipt.queue", "暂收款待认领列表", _O.RECEIPT, True
    CONTRIBUTIONS_INTEREST_SETTLE = "contributions.interest.settle", "年终结息", _O.POSTING_BATCH
    CONTRIBUTIONS_RATE_PERIOD_CLOSE = "contributions.rate_period.close", "利率调整积数分段", _O.CENTER
    CONTRIBUTIONS_INTEREST_SETTLE_LATE = "contributions.interest.settle_late", "补办年终结息（起息日6月30日）", _O.POSTING_BATCH
    CONTRIBUTIONS_BASE_ADJUSTMENT_APPLY = ("contributions.base_adjustment.apply", "年度基数调整",
                                           _O.BASE_ADJUSTMENT, True)
    CONTRIBUTIONS_RATIO_ADJUST = "contributions.ratio_adjust", "单位缴存比例调整", _O.EMPLOYER
    CONTRIBUTIONS_HARDSHIP_APPLY = "contributions.hardship.apply", "申请缓缴或降比例", _O.HARDSHIP_APPLICATION
    CONTRIBUTIONS_HARDSHIP_APPROVE = "contributions.hardship.approve", "批准缓缴或降比例", _O.HARDSHIP_APPLICATION
    CONTRIBUTIONS_HARDSHIP_REJECT = "contributions.hardship.reject", "驳回缓缴或降比例", _O.HARDSHIP_APPLICATION
    CONTRIBUTIONS_HARDSHIP_START = "contributions.hardship.start", "缓缴或降比例生效", _O.HARDSHIP_APPLICATION
    CONTRIBUTIONS_HARDSHIP_END = "contributions.hardship.end", "缓缴或降比例期满", _O.HARDSHIP_APPLICATION
    CONTRIBUTIONS_FLEXIBLE_SIGN = "contributions.flexible.sign", "签订灵活就业缴存协议", _O.FLEXIBLE_AGREEMENT, True
    CONTRIBUTIONS_FLEXIBLE_SUSPENDED = ("contributions.flexible.suspended", "灵活就业缴存暂停",
                                        _O.FLEXIBLE_AGREEMENT, True)
    CONTRIBUTIONS_FLEXIBLE_ACTIVE = "contributions.flexible.active", "灵活就业缴存恢复", _O.FLEXIBLE_AGREEMENT, True
    CONTRIBUTIONS_FLEXIBLE_ENDED = "contributions.flexible.ended", "灵活就业缴存协议终止", _O.FLEXIBLE_AGREEMENT, True
    CONTRIBUTIONS_ARREARS_MEMBERS = "contributions.arrears.members", "欠缴催缴清单（含职工明细）", _O.ARREARS_LIST, True
    CONTRIBUTIONS_ARREARS_EXPORT = "contributions.arrears.export", "欠缴催缴清单导出", _O.ARREARS_LIST

    # ------------------------------------------------------------ finance
    FINANCE_LIQUIDITY_SNAPSHOT = "finance.liquidity.snapshot", "生成流动性日报", _O.LIQUIDITY_SNAPSHOT
    FINANCE_VALUE_ADDED_CLOSE = "finance.value_added.close", "增值收益年度结算", _O.VALUE_ADDED_YEAR
    FINANCE_VALUE_ADDED_DISTRIBUTE = "finance.value_added.distribute", "增值收益分配", _O.VALUE_ADDED_YEAR
    FINANCE_LEDGER_EXPORT = "finance.ledger.export", "明细账导出", _O.GL_ACCOUNT

    # ------------------------------------------------------------ catalog
    CATALOG_ITEM_CHANGE = "catalog.item.change", "服务事项新版本生效（经复核）", _O.SERVICE_ITEM
    CATALOG_IMPLEMENTATION_CHANGE = ("catalog.implementation.change", "本中心实施清单新版本生效（经复核）",
                                     _O.SERVICE_ITEM)

    # ------------------------------------------------------------ applications (办件: one event per transition)
    APPLICATIONS_CREATE = "applications.application.create", "办件登记（草稿）", _O.APPLICATION
    APPLICATIONS_LIST = "applications.application.list", "办件查询", _O.APPLICATION, True
    APPLICATIONS_VIEW = "applications.application.view", "办件查看（申请内容、材料、流转）", _O.APPLICATION, True
    APPLICATIONS_SUBMIT = "applications.application.submit", "办件提交申请", _O.APPLICATION
    APPLICATIONS_ACCEPT = "applications.application.accept", "办件受理", _O.APPLICATION
    APPLICATIONS_NOT_ACCEPT = "applications.application.not_accept", "办件不予受理", _O.APPLICATION
    APPLICATIONS_CORRECTION_REQUEST = ("applications.application.correction_request", "办件一次告知补正",
                                       _O.APPLICATION)
    APPLICATIONS_CORRECT = "applications.application.correct", "办件补正材料", _O.APPLICATION
    APPLICATIONS_REVIEW = "applications.application.review", "办件进入审核", _O.APPLICATION
    APPLICATIONS_REVIEW_PASS = "applications.application.review_pass", "办件审核环节通过", _O.APPLICATION
    APPLICATIONS_APPROVE = "applications.application.approve", "办件审批通过", _O.APPLICATION
    APPLICATIONS_REJECT = "applications.application.reject", "办件审批不通过", _O.APPLICATION
    APPLICATIONS_EXECUTE = "applications.application.execute", "办件开始办理", _O.APPLICATION
    APPLICATIONS_COMPLETE = "applications.application.complete", "办件办结", _O.APPLICATION
    APPLICATIONS_EXECUTION_FAIL = "applications.application.execution_fail", "办件办理失败", _O.APPLICATION
    APPLICATIONS_CLOSE = "applications.application.close", "办件终止", _O.APPLICATION
    APPLICATIONS_CANCEL = "applications.application.cancel", "办件作废", _O.APPLICATION
    APPLICATIONS_WITHDRAW = "applications.application.withdraw", "办件申请人撤回", _O.APPLICATION
    APPLICATIONS_MATERIAL_ATTACH = "applications.material.attach", "办件添加申请材料", _O.APPLICATION
    APPLICATIONS_RULES_EVALUATE = "applications.rules.evaluate", "办件规则校验", _O.APPLICATION
    APPLICATIONS_RULE_SET_CHANGE = "applications.rule_set.change", "决策规则集新版本（经复核）", _O.RULE_SET
    APPLICATIONS_RATING_SUBMIT = "applications.rating.submit", "申请人评价办件（好差评）", _O.RATING
    APPLICATIONS_FOLLOWUP_OPEN = "applications.followup.open", "差评登记整改", _O.RATING_FOLLOWUP
    APPLICATIONS_FOLLOWUP_CLOSE = "applications.followup.close", "差评整改办结", _O.RATING_FOLLOWUP

    # ------------------------------------------------------------ verification (核验)
    VERIFICATION_QUERY = "verification.query.ask", "核验来源查询", _O.VERIFICATION_QUERY, True
    VERIFICATION_SOURCE_OPEN = "verification.source.open", "核验来源熔断（暂停查询）", _O.VERIFICATION_SOURCE
    VERIFICATION_SOURCE_CLOSE = "verification.source.close", "核验来源恢复", _O.VERIFICATION_SOURCE
    VERIFICATION_REGISTRY_FILL = "verification.registry.fill", "本地核验库填充（演示）", _O.NONE
    VERIFICATION_QUERIES_VIEW = "verification.query.list", "核验查询记录查看", _O.VERIFICATION_QUERY, True
    VERIFICATION_ANSWERS_VIEW = "verification.query.answers", "办件核验结果查看", _O.APPLICATION, True

    # ------------------------------------------------------------ items (the catalogue's own items)
    ITEMS_CERTIFICATE_ISSUE = "items.certificate.issue", "出具缴存使用证明", _O.CERTIFICATE, True
    ITEMS_CERTIFICATE_DOWNLOAD = "items.certificate.download", "下载缴存使用证明", _O.CERTIFICATE, True
    ITEMS_CERTIFICATE_VERIFY_FULL = ("items.certificate.verify_full", "凭验证码查看缴存使用证明完整信息",
                                     _O.CERTIFICATE, True)
    ITEMS_CERTIFICATE_CODE_FAIL = "items.certificate.code_fail", "缴存使用证明验证码错误", _O.CERTIFICATE
    ITEMS_CERTIFICATE_VERIFY_FILE = "items.certificate.verify_file", "核验缴存使用证明文件", _O.CERTIFICATE

    # ------------------------------------------------------------ withdrawals (提取)
    WITHDRAWALS_CARD_ADD = "withdrawals.card.add", "登记或变更职工结算银行卡（待核验）", _O.BANK_CARD, True
    WITHDRAWALS_CARD_VERIFY = "withdrawals.card.verify", "核验职工结算银行卡", _O.BANK_CARD, True
    WITHDRAWALS_CARD_READ = "withdrawals.card.read", "查看职工结算银行卡", _O.BANK_CARD, True
    WITHDRAWALS_REASON_CHANGE = "withdrawals.reason.change", "提取原因配置新版本（经复核）", _O.REASON_CONFIG
    WITHDRAWALS_PAYOUT_HOLD = "withdrawals.payout.hold", "提取审批通过：预留账户资金", _O.PAYOUT
    WITHDRAWALS_PAYOUT_RELEASE = "withdrawals.payout.release", "提取预留资金释放", _O.PAYOUT
    WITHDRAWALS_PAYOUT_SEND = "withdrawals.payout.send", "提取款提交银行支付", _O.PAYOUT
    WITHDRAWALS_PAYOUT_PAID = "withdrawals.payout.paid", "提取款支付成功", _O.PAYOUT
    WITHDRAWALS_PAYOUT_FAILED = "withdrawals.payout.failed", "提取款支付失败", _O.PAYOUT
    WITHDRAWALS_PAYOUT_ESCHEAT = ("withdrawals.payout.escheat", "无继承人、受遗赠人的死亡提取余额转入增值收益（经复核）",
                                  _O.PAYOUT)
    WITHDRAWALS_HISTORY_READ = "withdrawals.history.read", "查看职工提取记录", _O.PAYOUT, True
    WITHDRAWALS_COURT_SUBMIT = "withdrawals.court.submit", "司法扣划登记（待复核）", _O.COURT_DEDUCTION, True
    WITHDRAWALS_COURT_APPROVE = ("withdrawals.court.approve", "司法扣划复核通过：冻结金额转为扣划预留",
                                 _O.COURT_DEDUCTION, True)
    WITHDRAWALS_COURT_REJECT = "withdrawals.court.reject", "司法扣划驳回", _O.COURT_DEDUCTION
    WITHDRAWALS_COURT_SEND = "withdrawals.court.send", "司法扣划款提交银行支付", _O.COURT_DEDUCTION
    WITHDRAWALS_COURT_PAID = "withdrawals.court.paid", "司法扣划款支付成功", _O.COURT_DEDUCTION
    WITHDRAWALS_COURT_FAILED = "withdrawals.court.failed", "司法扣划款支付失败（重新预留）", _O.COURT_DEDUCTION
    WITHDRAWALS_COURT_READ = "withdrawals.court.read", "查看职工司法扣划记录", _O.COURT_DEDUCTION, True

    # ------------------------------------------------------------ loans (贷款)
    LOANS_PRODUCT_CHANGE = "loans.product.change", "贷款产品新版本（经复核）", _O.LOAN_PRODUCT

    # ------------------------------------------------------------ loans (个人住房贷款)
    LOANS_CONTRACT_DRAW = "loans.contract.draw", "生成借款合同", _O.LOAN_CONTRACT
    LOANS_CONTRACT_SIGN = "loans.contract.sign", "借款合同当事人签署", _O.LOAN_CONTRACT, True
    LOANS_CONTRACT_SEAL = "loans.contract.seal", "借款合同签订并加盖中心电子印章（SM2）", _O.LOAN_CONTRACT
    LOANS_COLLATERAL_RECORD = "loans.collateral.record", "登记贷款抵押物及抵押登记状态", _O.LOAN_COLLATERAL
    LOANS_COLLATERAL_PUSH = "loans.collateral.push", "不动产登记机构推送抵押登记状态", _O.LOAN_COLLATERAL
    LOANS_DISBURSE_SEND = "loans.disbursement.send", "贷款发放提交银行支付", _O.LOAN_DISBURSEMENT
    LOANS_DISBURSE_PAID = "loans.disbursement.paid", "贷款发放成功，贷款生效", _O.LOAN_DISBURSEMENT
    LOANS_DISBURSE_FAILED = "loans.disbursement.failed", "贷款发放失败", _O.LOAN_DISBURSEMENT
    LOANS_LOAN_VIEW = "loans.loan.view", "查看贷款详情", _O.LOAN, True
    LOANS_LOAN_LIST = "loans.loan.list", "查询贷款列表", _O.LOAN, True
    LOANS_PAYMENT = "loans.payment", "贷款还款入账（按罚息、逾期利息、逾期本金、当期利息、当期本金顺序冲还）", _O.LOAN
    LOANS_REVIEW_VIEW = "loans.review.view", "查看贷款审查信息（办件审查页）", _O.APPLICATION, True
    LOANS_PREPAY = "loans.prepay", "部分提前还款并重算还款计划（缩短年限或减少月供）", _O.LOAN
    LOANS_PAYOFF = "loans.payoff", "提前结清贷款（本金及截至当日利息）", _O.LOAN
    LOANS_CERTIFICATE_ISSUE = "loans.certificate.issue", "出具贷款结清证明（加盖中心电子印章 SM2）", _O.LOAN
    LOANS_CERTIFICATE_VIEW = "loans.certificate.view", "下载贷款结清证明", _O.LOAN, True
    LOANS_COLLATERAL_RELEASE = "loans.collateral.release", "解除抵押（向不动产登记机构发送解押通知）", _O.LOAN
    LOANS_COLLATERAL_STATUS = "loans.collateral.status", "抵押物状态变动（登记机构推送或监测）", _O.LOAN
    LOANS_COLLATERAL_HANDLE = "loans.collateral.handle", "抵押物预警处置（处置中、已处置）", _O.LOAN
    LOANS_REPRICE = "loans.reprice", "贷款利率调整（1月1日按现行利率重定价）", _O.LOAN
    LOANS_CLASS_OVERRIDE = "loans.class.override", "贷款五级分类人工认定（理由与有效期）", _O.LOAN
    LOANS_SERVICING_VIEW = "loans.servicing.view", "查看贷款还款、逾期与应还明细", _O.LOAN, True
    LOANS_CASE_OPEN = "loans.case.open", "逾期贷款立案催收与结案（日终批量）", _O.LOAN_CASE
    LOANS_CASE_ACTION = "loans.case.action", "登记催收记录（提醒、通知书、上门、诉讼、情况记录）", _O.LOAN_CASE
    LOANS_CASE_ASSIGN = "loans.case.assign", "指派催收人员", _O.LOAN_CASE
    LOANS_CASE_LIST = "loans.case.list", "查询逾期催收案件", _O.LOAN_CASE, True
    LOANS_RESTRUCTURE = "loans.restructure", "贷款重组（经复核：逾期本金转回正常贷款，重新安排还款计划）", _O.LOAN
    LOANS_WRITE_OFF = "loans.write_off", "贷款核销（经复核：借记贷款风险准备、贷记逾期贷款）", _O.LOAN_WRITE_OFF
    LOANS_RECOVERY = "loans.recovery", "已核销贷款收回（贷记贷款风险准备）", _O.LOAN_WRITE_OFF
    LOANS_CREDIT_EXPORT = "loans.credit.export", "导出征信报送数据（个人借贷账户信息）", _O.LOAN, True
    WITHDRAWALS_PAYOUT_RETURNED = "withdrawals.payout.returned", "提取款被收款行退汇，资金退回个人账户", _O.PAYOUT
    WITHDRAWALS_BATCH_SUBMIT = "withdrawals.batch.submit", "提取款批量提交银行支付", _O.PAYOUT
    WITHDRAWALS_AGREEMENT_SUBMIT = "withdrawals.agreement.submit", "约定提取协议签约或终止（待复核）", _O.AGREEMENT, True
    WITHDRAWALS_AGREEMENT_APPLY = "withdrawals.agreement.apply", "约定提取协议签约或终止（复核通过）", _O.AGREEMENT
    WITHDRAWALS_AGREED_RUN = "withdrawals.agreed.run", "约定提取逐月代扣批次", _O.AGREEMENT
    WITHDRAWALS_AGREEMENT_READ = "withdrawals.agreement.read", "查看约定提取协议（脱敏）", _O.AGREEMENT, True
    APPLICATIONS_REOPEN = "applications.application.reopen", "办结后退汇，办件重回办理失败", _O.APPLICATION
    APPLICATIONS_CLAIM = "applications.application.claim", "办件领办", _O.APPLICATION
    APPLICATIONS_ASSIGN = "applications.application.assign", "办件分派", _O.APPLICATION
    APPLICATIONS_QUEUE_VIEW = "applications.queue.view", "办件工作台列表查询", _O.APPLICATION, True
    APPLICATIONS_MATERIAL_VIEW = "applications.material.view", "办件申请材料查看", _O.APPLICATION, True

    @property
    def code(self) -> str:
        return self.value

    @property
    def domain(self) -> str:
        """The picker group: the code's first segment (a key of DOMAINS)."""
        return self.value.split(".", 1)[0]

    @property
    def domain_label(self) -> str:
        return DOMAINS[self.domain]

    @classmethod
    def lookup(cls, code: str) -> AuditEvent | None:
        """The member whose code is `code` (a stored row's action), or None for a code outside the catalogue."""
        return cls._value2member_map_.get(code)  # type: ignore[return-value]


# The events that @personal_read writes (core.personal): reads of personal data, each flagged personal.
PERSONAL_READS: frozenset[AuditEvent] = frozenset({
    AuditEvent.ACCOUNTS_MEMBER_SEARCH, AuditEvent.ACCOUNTS_MEMBER_EXPORT, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_VIEW,
    AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_HISTORY, AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_TRANSACTIONS,
    AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_PRINT,
    AuditEvent.ACCOUNTS_EMPLOYER_VIEW, AuditEvent.ACCOUNTS_EMPLOYER_MEMBERS, AuditEvent.CONTRIBUTIONS_ARREARS_MEMBERS,
    AuditEvent.CONTRIBUTIONS_REMITTANCE_LINES, AuditEvent.AUDIT_RECORDS_VIEW, AuditEvent.AUDIT_RECORDS_EXPORT,
    AuditEvent.IAM_OUTBOX_VIEW,
    AuditEvent.SETTLEMENT_PAYEE_LIST, AuditEvent.DOCUMENT_RECEIPT_VIEW, AuditEvent.CONTRIBUTIONS_BACK_PAYMENT_CANDIDATES,
    AuditEvent.CONTRIBUTIONS_RECEIPT_QUEUE, AuditEvent.VERIFICATION_QUERIES_VIEW, AuditEvent.VERIFICATION_ANSWERS_VIEW,
    AuditEvent.APPLICATIONS_LIST, AuditEvent.APPLICATIONS_VIEW,
    AuditEvent.CONTRIBUTIONS_RECEIPT_QUEUE, AuditEvent.APPLICATIONS_QUEUE_VIEW,
    AuditEvent.APPLICATIONS_MATERIAL_VIEW,
    AuditEvent.LOANS_LOAN_LIST, AuditEvent.LOANS_LOAN_VIEW, AuditEvent.LOANS_REVIEW_VIEW,
    AuditEvent.LOANS_CERTIFICATE_VIEW,
    AuditEvent.LOANS_SERVICING_VIEW,
    AuditEvent.LOANS_CASE_LIST, AuditEvent.LOANS_CREDIT_EXPORT,
})


def require_event(action: object) -> AuditEvent:
    """`action` itself when it is a catalogued event; TypeError otherwise (a plain string, even one spelling a
    catalogued code, is refused: callers name the member)."""
    if not isinstance(action, AuditEvent):
        raise TypeError(f"audit action {action!r} is not an AuditEvent of the catalogue (core.audit_events)")
    return action


def grouped() -> list[tuple[str, str, list[AuditEvent]]]:
    """(domain, Chinese label, its events) in catalogue order: the event picker's option groups."""
    groups: dict[str, list[AuditEvent]] = {}
    for event in AuditEvent:
        groups.setdefault(event.domain, []).append(event)
    return [(d, DOMAINS[d], evs) for d, evs in groups.items()]


def catalogue_markdown() -> str:
    """docs/audit-events.md, generated from the catalogue."""
    lines = [
        "# Audit events",
        "",
        "<!-- Generated from openhpf/core/audit_events.py by `python -m openhpf.core.audit_events`; do not edit. -->",
        "",
        "Every row of the audit trail records one event of this catalogue: its code is stored in the row's",
        "`action`, the object it is about in `object_type` and `object_id`. Services pass catalogue members to",
        "`audit_log`; anything else is refused before a row is written. *Personal* marks the events whose rows",
        "name a person or hold personal data (*yes*), or record a read of personal data (*read*: written by",
        "`@personal_read`, docs/personal-data.md). The audit viewer shows the",
        "labels and filters by event and object type; a stored code outside the catalogue is shown as it is,",
        "marked 未编目.",
        "",
    ]
    for domain, label, events in grouped():
        lines += [f"## {label} (`{domain}`)", "", "| Code | Label | Object type | Personal |", "|---|---|---|---|"]
        for e in events:
            obj = f"{e.object_type.label} (`{e.object_type.value}`)" if e.object_type else "—"
            personal = "read" if e in PERSONAL_READS else "yes" if e.personal else ""
            lines.append(f"| `{e.value}` | {e.label} | {obj} | {personal} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
