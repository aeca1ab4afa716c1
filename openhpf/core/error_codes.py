"""The closed catalogue of error codes: every code a user, a file's error list or an API caller can see.

Each member's value is the code itself (the string callers and tests compare with), and it carries the HTTP status
the API answers with and a Chinese message template (str.format placeholders). A DomainError takes a member, never
a string: mypy rejects a string and the constructor raises TypeError for one at run time, so a code outside this
catalogue cannot reach anyone. docs/errors.md is generated from this file
(`python -m openhpf.core.error_codes --write`) and a test checks it is current.

The status of a code follows one rule (docs/errors.md states it for partners):

- 400 malformed input: a value that does not parse or is not one of the allowed values, a required field left
  empty, a value too long, a file that cannot be read (…_FORMAT, …_REQUIRED, …_INVALID, FILE_…);
- 401 the caller is not authenticated (no token, a wrong or expired one, a wrong partner secret);
- 403 the caller is authenticated but may not do this (a permission or data scope it lacks);
- 404 the object the request names does not exist (…_NOT_FOUND, and …_UNKNOWN whose message says 不存在);
- 409 the current state of stored data refuses the request: the object already exists or was already decided,
  it is in a state the action does not accept, another request holds it (…_EXISTS, ALREADY_…, …_CONFLICT,
  ILLEGAL_TRANSITION, …_RUNNING, closed periods and accounts);
- 422 a business rule refused well-formed input (limits, ratios, dates against the business date, balances, the
  many errors of a file) — the default;
- 413 the request body is larger than the server accepts (PAYLOAD_TOO_LARGE);
- 423 the account is locked (too many wrong passwords);
- 429 too many requests;
- 500 the server failed (SERVER_ERROR: the one answer of an unexpected error, never a library's page).

The message template is the generic form shown in the docs and used when a DomainError is raised without a message
(`DomainError(ErrorCode.X, name=…)` fills its placeholders); call sites that know more give their own message.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, cast

STATUSES = (400, 401, 403, 404, 409, 413, 422, 423, 429, 500)


class ErrorCode(StrEnum):
    """An error code of the catalogue: `.status` (HTTP) and `.template` (Chinese, str.format placeholders)."""

    status: int
    template: str

    def __new__(cls, value: str, status: int, template: str) -> ErrorCode:
        if status not in STATUSES:
            raise ValueError(f"{value}: status {status} is not one of {STATUSES}")
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.status = status
        obj.template = template
        return obj

    @classmethod
    def of(cls, value: object) -> ErrorCode:
        """The member whose code is `value`; ValueError for anything outside the catalogue."""
        member = cls._value2member_map_.get(value) if isinstance(value, str) else None
        if member is None:
            raise ValueError(f"{value!r} is not an error code of the catalogue")
        return cast(ErrorCode, member)

    def render(self, **params: Any) -> str:
        """The template with its placeholders filled (KeyError for a missing one)."""
        return self.template.format(**params)

    # ---- the API's own answers (openhpf/core/api_errors.py) ----
    INPUT_INVALID = "INPUT_INVALID", 400, "请求内容不正确：{detail}"
    UNAUTHENTICATED = "UNAUTHENTICATED", 401, "未认证或令牌无效，请提供有效的 Authorization: Bearer 令牌"
    FORBIDDEN = "FORBIDDEN", 403, "无权限"
    NOT_FOUND = "NOT_FOUND", 404, "请求的对象不存在"
    IDEMPOTENCY_IN_FLIGHT = "IDEMPOTENCY_IN_FLIGHT", 409, "相同 Idempotency-Key 的请求正在处理中，请稍后重试"
    VALIDATION = "VALIDATION", 422, "共 {count} 处错误"
    RATE_LIMITED = "RATE_LIMITED", 429, "请求过于频繁，请稍后再试"
    API_RATE_LIMITED = "API_RATE_LIMITED", 429, "接口请求超过频率上限（每 {window} 秒 {limit} 次），请 {wait} 秒后再试"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE", 413, "请求内容过大（超过 {max_size} 字节），请拆分后再提交"
    SERVER_ERROR = "SERVER_ERROR", 500, "系统内部错误，请稍后再试；如持续出现，请联系管理员并提供请求编号 {request_id}"
    # a refused login of the service hall (member and agent portals)
    INVALID = "INVALID", 401, "账号或密码不正确"
    LOCKED = "LOCKED", 423, "账号已锁定，请稍后再试"
    NO_PHONE = "NO_PHONE", 422, "未登记手机号码，无法发送验证码，请到柜台办理"
    OTP_INVALID = "OTP_INVALID", 401, "验证码无效，请重新登录"
    OTP_EXPIRED = "OTP_EXPIRED", 401, "验证码已过期，请重新登录"
    OTP_ATTEMPTS = "OTP_ATTEMPTS", 401, "验证码错误次数过多，请重新登录"
    ERRORS_LEFT_OUT = "ERRORS_LEFT_OUT", 422, "同类错误已达上限，其余未列出"
    FILE_JSON = "FILE_JSON", 400, "文件第 {row} 行不是有效的 JSON 数据"
    MONEY_FORMAT = "MONEY_FORMAT", 400, "{label}格式不正确：{value}（应为以元为单位、至多两位小数的金额）"
    # the outcome of a background job (its page and `hpf job_status`), never an API answer
    JOB_ERROR = "JOB_ERROR", 422, "作业执行出错：{error}"
    JOB_INTERRUPTED = "JOB_INTERRUPTED", 422, "作业被中断"
    JOB_STALE = "JOB_STALE", 422, "作业心跳超时，视为中断，可以续跑"
    JOB_CANCELLED = "JOB_CANCELLED", 422, "作业已由 {actor} 取消"

    # ---- the domain's codes (first drafted from the call sites; keep the list sorted) ----
    ACCOUNT_CLOSED = "ACCOUNT_CLOSED", 409, "个人账户 {account_no} 已销户，不能办理该业务"
    ACCOUNT_EXISTS = "ACCOUNT_EXISTS", 409, "该职工已有个人账户 {account_no}（一人一户），请办理启封或内部转移"
    ACCOUNT_FROZEN = "ACCOUNT_FROZEN", 409, "个人账户 {account_no} 处于冻结状态，不能办理该业务"
    ACCOUNT_NOT_NORMAL = "ACCOUNT_NOT_NORMAL", 422, "个人账户 {account_no} 不是正常状态（当前状态 {status}），不能办理该业务"
    ACCOUNT_OTHER_EMPLOYER = "ACCOUNT_OTHER_EMPLOYER", 422, "个人账户 {account_no} 不属于该单位"
    ACCOUNT_UNKNOWN = "ACCOUNT_UNKNOWN", 404, "个人账号 {account_no} 不存在"
    ACCRUE_TOO_EARLY = "ACCRUE_TOO_EARLY", 422, "业务日期 {business_date} 尚未到 {month} 月末，不能计提利息"
    ACCRUE_OUT_OF_ORDER = "ACCRUE_OUT_OF_ORDER", 409, "{month} 之后的月份已计提或该计息年度已结息，不能再计提 {month}"
    ACTION_UNKNOWN = "ACTION_UNKNOWN", 400, "未知操作：{action}"
    ACTIVE_UNDER_CLOSED_EMPLOYER = "ACTIVE_UNDER_CLOSED_EMPLOYER", 422, "单位 {employer_no} 已销户，其下不能有正常状态的个人账户"
    AGENT_EXISTS = "AGENT_EXISTS", 409, "登录名 {login_id} 已被使用"
    AGENT_LOGIN = "AGENT_LOGIN", 400, "请填写登录名（不超过 40 个字符）"
    AGENT_PHONE = "AGENT_PHONE", 400, "请填写 11 位手机号码"
    AGREEMENT_EXISTS = "AGREEMENT_EXISTS", 409, "该人员已有未终止的缴存协议"
    AGREEMENT_UNKNOWN = "AGREEMENT_UNKNOWN", 404, "缴存协议 {agreement_no} 不存在"
    ALREADY_DECIDED = "ALREADY_DECIDED", 409, "该复核命令已处理（{status}），不能再次复核"
    ALREADY_FROZEN = "ALREADY_FROZEN", 409, "个人账户 {account_no} 已冻结（{freeze_kind}），请先解冻"
    ALREADY_REVERSED = "ALREADY_REVERSED", 409, "记账凭证 {voucher_no} 已被冲正"
    AMOUNT_FEN = "AMOUNT_FEN", 400, "金额格式不正确"
    AMOUNT_INVALID = "AMOUNT_INVALID", 422, "补缴金额不能为负数，且不能全部为零"
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH", 422, "金额 {amount} 元与应有金额 {expected} 元不符"
    AMOUNT_POSITIVE = "AMOUNT_POSITIVE", 422, "金额必须大于零"
    APPLICATION_CHANNEL = "APPLICATION_CHANNEL", 422, "事项「{item}」不能通过「{channel}」办理"
    APPLICATION_HANDLER_MISSING = "APPLICATION_HANDLER_MISSING", 422, "事项「{item}」尚未接入办件处理程序，暂不能申请"
    APPLICATION_IDENTITY_LEVEL = "APPLICATION_IDENTITY_LEVEL", 403, "通过「{channel}」办理「{item}」须{level}"
    APPLICATION_NOT_FOUND = "APPLICATION_NOT_FOUND", 404, "办件 {number} 不存在或无权查看"
    APPLICATION_PROBLEMS = "APPLICATION_PROBLEMS", 422, "申请有 {count} 项问题，请一并补正：{problems}"
    APPLICATION_REASON_REQUIRED = "APPLICATION_REASON_REQUIRED", 400, "请填写{action}的理由"
    APPLICATION_REVIEW_OTHER_LEVEL = "APPLICATION_REVIEW_OTHER_LEVEL", 409, "您已在本办件的「{stage}」环节审核过，同一人只能在一个审核环节办理"
    APPLICATION_REVIEW_PERMISSION = "APPLICATION_REVIEW_PERMISSION", 403, "无权在「{stage}」环节审核"
    APPLICATION_MATERIAL_UNKNOWN = "APPLICATION_MATERIAL_UNKNOWN", 400, "事项「{item}」没有「{material}」这项申请材料"
    RATING_NOT_COMPLETED = "RATING_NOT_COMPLETED", 409, "办件 {number} 尚未办结，办结后才能评价"
    RATING_EXISTS = "RATING_EXISTS", 409, "办件 {number} 已评价过，每件只能评价一次"
    RATING_LEVEL = "RATING_LEVEL", 400, "评价等级应为非常满意、满意、基本满意、不满意或非常不满意之一：{level}"
    RATING_COMMENT_TOO_LONG = "RATING_COMMENT_TOO_LONG", 400, "评价内容不能超过 {max} 个字"
    RATING_NOT_APPLICANT = "RATING_NOT_APPLICANT", 403, "只有办件的申请人可以评价"
    FOLLOWUP_NOT_FOUND = "FOLLOWUP_NOT_FOUND", 404, "差评整改 {pk} 不存在"
    FOLLOWUP_CLOSED = "FOLLOWUP_CLOSED", 409, "差评整改 {pk} 已办结"
    FOLLOWUP_RESULT_REQUIRED = "FOLLOWUP_RESULT_REQUIRED", 400, "请填写整改结果"
    APPLICATION_CLAIMED = "APPLICATION_CLAIMED", 409, "办件 {number} 已由{holder}领办，请刷新后再试"
    APPLICATION_NOT_CLAIMABLE = "APPLICATION_NOT_CLAIMABLE", 409, "办件 {number} 当前「{status}」，不在待办状态，不能领办或分派"
    APPLICATION_ASSIGNEE_INVALID = "APPLICATION_ASSIGNEE_INVALID", 422, "「{user}」不能办理该办件：{why}"
    APPROVAL_REQUIRED = "APPROVAL_REQUIRED", 422, "该业务须经复核，请提交复核命令 {command}"
    AUTHZ_NOT_CONFIGURED = "AUTHZ_NOT_CONFIGURED", 422, "权限服务未启用"
    BACK_KIND = "BACK_KIND", 400, "补缴类型不正确：{back_kind}（应为 full 全额补缴、difference 差额补缴或 adhoc 个别补缴）"
    BACK_PAYMENT_MONTH = "BACK_PAYMENT_MONTH", 422, "补缴年月 {month} 应早于当前年月 {current_month}"
    BACK_PAYMENT_AMOUNT = "BACK_PAYMENT_AMOUNT", 422, "第 {row} 行：补缴金额超过该月按缴存基数 × 比例（当月基数上下限内）应缴而未缴的金额"
    BACK_PAYMENT_PERIOD = "BACK_PAYMENT_PERIOD", 422, "第 {row} 行：补缴年月 {month} 不在个人账户在本单位的缴存期内（开户或转入之后、封存之前）"
    ACCOUNT_NOT_ON_ROSTER = "ACCOUNT_NOT_ON_ROSTER", 422, "个人账户 {account_no} 在 {month} 之后才在本单位开户或转入，该月不应缴存"
    BACK_VALUE_DATE = "BACK_VALUE_DATE", 422, "补记日期 {business_date} 应早于中心当前业务日期 {current}"
    BALANCE_NEGATIVE = "BALANCE_NEGATIVE", 422, "余额不能为负数（{amount} 元）"
    BANK_ACCOUNT_CLOSED = "BANK_ACCOUNT_CLOSED", 409, "受托银行专户 {account_no} 已销户，不能办理该业务"
    BANK_ACCOUNT_EXISTS = "BANK_ACCOUNT_EXISTS", 409, "银行账号 {account_no} 已登记"
    BANK_ACCOUNT_KIND = "BANK_ACCOUNT_KIND", 400, "专户类别应为 101 或 102"
    BANK_ACCOUNT_NO = "BANK_ACCOUNT_NO", 400, "银行账号应为 8 至 40 位数字"
    BANK_ACCOUNT_UNKNOWN = "BANK_ACCOUNT_UNKNOWN", 404, "受托银行专户 {account_no} 不存在或不属于本中心"
    BANK_CODE_REQUIRED = "BANK_CODE_REQUIRED", 400, "请填写银行代码"
    BANK_INSUFFICIENT = "BANK_INSUFFICIENT", 422, "专户 {account_no} 可用余额 {available} 元，不足 {amount} 元"
    BANK_NAME_REQUIRED = "BANK_NAME_REQUIRED", 400, "请填写开户银行"
    BANK_REFUSED = "BANK_REFUSED", 422, "银行拒绝办理：{reason}"
    BANK_REF_CONCURRENT = "BANK_REF_CONCURRENT", 409, "银行流水号 {ref} 正在另一笔业务中登记"
    BANK_REF_CONFLICT = "BANK_REF_CONFLICT", 409, "银行流水号 {ref} 已登记，登记金额 {amount} 元与本次不同"
    BANK_REF_REQUIRED = "BANK_REF_REQUIRED", 400, "请填写银行流水号"
    BANK_UNAVAILABLE = "BANK_UNAVAILABLE", 422, "银行接口暂不可用：{error}，请稍后重试"
    BASE_ABOVE_CAP = "BASE_ABOVE_CAP", 422, "缴存基数 {base} 元高于上限 {cap} 元"
    BASE_BELOW_FLOOR = "BASE_BELOW_FLOOR", 422, "缴存基数 {base} 元低于下限 {floor} 元"
    BASE_INVALID = "BASE_INVALID", 400, "缴存基数不正确：{base}（应为大于零的金额）"
    BASE_NEGATIVE = "BASE_NEGATIVE", 422, "缴存基数不能为负数"
    BASE_OUT_OF_RANGE = "BASE_OUT_OF_RANGE", 422, "新缴存基数 {base} 元超出上下限（{floor}–{cap} 元）"
    BATCH_EMPTY = "BATCH_EMPTY", 422, "批量业务没有任何明细"
    BATCH_NOT_STAGING = "BATCH_NOT_STAGING", 409, "批量记账 {key} 已不在暂存状态"
    BATCH_RESULT_INCOMPLETE = "BATCH_RESULT_INCOMPLETE", 422, "银行批量结果缺少第 {item} 笔"
    BATCH_ROWS = "BATCH_ROWS", 422, "批量记账明细与账户不符"
    BATCH_TOO_LARGE = "BATCH_TOO_LARGE", 422, "每批最多 {max_items} 笔"
    BATCH_ZERO = "BATCH_ZERO", 422, "批量记账净额为零，无法生成总账凭证"
    BIRTH_DATE_MISMATCH = "BIRTH_DATE_MISMATCH", 422, "出生日期与身份证号码不一致"
    BIRTH_DATE_REQUIRED = "BIRTH_DATE_REQUIRED", 400, "非身份证开户须填写出生日期（不晚于业务日期）"
    BIZ_TYPE = "BIZ_TYPE", 400, "业务类型不正确：{biz_type}"
    BIZ_TYPE_UNKNOWN = "BIZ_TYPE_UNKNOWN", 400, "业务类型代码不正确：{biz_type}"
    BOOK_ACCOUNT = "BOOK_ACCOUNT", 422, "对方科目 {code} 不存在或不是末级科目"
    BRANCH_CENTER = "BRANCH_CENTER", 422, "网点不属于该管理中心"
    BRANCH_EXISTS = "BRANCH_EXISTS", 409, "网点代码 {code} 已存在"
    BRANCH_MISSING = "BRANCH_MISSING", 404, "管理中心 {code} 没有网点"
    BRANCH_UNKNOWN = "BRANCH_UNKNOWN", 404, "网点 {code} 不存在或不属于本管理中心"
    BUSINESS_DATE_BACKWARDS = "BUSINESS_DATE_BACKWARDS", 422, "业务日期只能向后推进（当前 {business_date}）"
    BUSINESS_DATE_NOT_CURRENT = "BUSINESS_DATE_NOT_CURRENT", 422, "业务日期 {business_date} 不是中心当前业务日期 {current}；补记往日业务须经补记流程"
    CATALOG_ITEM_INVALID = "CATALOG_ITEM_INVALID", 400, "服务事项内容不正确：{detail}"
    CATALOG_ITEM_NOT_FOUND = "CATALOG_ITEM_NOT_FOUND", 404, "服务事项 {item} 不存在"
    CATALOG_CENTER_NOT_FOUND = "CATALOG_CENTER_NOT_FOUND", 404, "管理中心 {center} 不存在"
    CATALOG_IMPLEMENTATION_INVALID = "CATALOG_IMPLEMENTATION_INVALID", 400, "实施清单内容不正确：{detail}"
    CATALOG_ITEM_NOT_OFFERED = "CATALOG_ITEM_NOT_OFFERED", 422, "本中心未开办服务事项「{item}」"
    CATALOG_IDENTITY_TOO_WEAK = "CATALOG_IDENTITY_TOO_WEAK", 422, "支付资金的事项在线上渠道「{channel}」须高于密码加短信验证码的身份核验"
    CERTIFICATE_NOT_FOUND = "CERTIFICATE_NOT_FOUND", 404, "缴存使用证明 {number} 不存在"
    CERTIFICATE_NO_ACCOUNT = "CERTIFICATE_NO_ACCOUNT", 422, "未找到个人账户 {account_no}，不能出具缴存使用证明"
    CERTIFICATE_CODE_WRONG = "CERTIFICATE_CODE_WRONG", 422, "验证码不正确，请核对证明上印制的验证码"
    CERTIFICATE_FILE_REQUIRED = "CERTIFICATE_FILE_REQUIRED", 400, "请选择要核验的证明文件（PDF，不超过 {mb} MB）"
    CALENDAR_KIND = "CALENDAR_KIND", 400, "日期类型只能是 H（节假日）或 W（调休工作日）"
    CALENDAR_UNKNOWN_YEAR = "CALENDAR_UNKNOWN_YEAR", 422, "节假日数据尚无 {year} 年的安排，请手工维护节假日"
    CENTER_CODE = "CENTER_CODE", 400, "机构代码应为 6 位数字：{code}"
    CENTER_EXISTS = "CENTER_EXISTS", 409, "机构代码 {code} 已存在"
    CENTER_MISMATCH = "CENTER_MISMATCH", 422, "只能分配本中心的增值收益"
    CHANNEL_TIMEOUT = "CHANNEL_TIMEOUT", 422, "接口超时时间应为 1 至 120 秒"
    CHANNEL_URL = "CHANNEL_URL", 400, "接口地址应以 http:// 或 https:// 开头"
    CHANNEL_HOST_NOT_ALLOWED = "CHANNEL_HOST_NOT_ALLOWED", 422, "接口地址的主机 {host} 不在银行接口白名单（HPF_BANK_URL_ALLOWLIST）中"
    CHANNEL_LOCAL_LINK = "CHANNEL_LOCAL_LINK", 422, "只有开发与测试环境可以不经复核直接连接本机的银行模拟器；银行接口变更须经复核"
    CLOSE_PENDING = "CLOSE_PENDING", 409, "{year} 年度年末结转已提交（复核命令 #{pk}），等待复核"
    CJK_FONT_MISSING = "CJK_FONT_MISSING", 422, "找不到中文字体文件 {path}：请安装 fonts-wqy-zenhei 字体，或以 HPF_CJK_FONT 指定 TrueType 字体文件路径"
    CLOSED_WITH_BALANCE = "CLOSED_WITH_BALANCE", 422, "已销户的账户余额应为 0"
    CODE_UNKNOWN = "CODE_UNKNOWN", 400, "{label}代码不正确：{value}"
    COMMAND_NOT_FOUND = "COMMAND_NOT_FOUND", 404, "复核命令 {pk} 不存在"
    COMMAND_PARAMS = "COMMAND_PARAMS", 400, "复核命令参数不正确"
    COMMAND_UNKNOWN = "COMMAND_UNKNOWN", 400, "未知的复核命令：{name}"
    CONCURRENT_OPEN = "CONCURRENT_OPEN", 409, "该职工正在另一笔业务中开户，请稍后查询，确认未开户后再重试"
    CONTROL_MISMATCH = "CONTROL_MISMATCH", 422, "住房公积金科目发生额 {control} 元与个人明细合计 {sub_total} 元不符"
    CSV_FORMAT = "CSV_FORMAT", 400, "CSV 文件格式错误：{error}"
    CUTOVER_ACCRUED_INTEREST = "CUTOVER_ACCRUED_INTEREST", 422, "期初应付利息 {amount} 元不正确：应为不小于零、至多两位小数的金额"
    CUTOVER_CENTER_NOT_EMPTY = "CUTOVER_CENTER_NOT_EMPTY", 422, "管理中心 {code} 已有单位数据，期初迁移只能导入空的中心"
    CUTOVER_DATE = "CUTOVER_DATE", 422, "迁移日期 {cutover_date} 应不晚于中心业务日期 {business_date}，且在同一计息年度内"
    CUTOVER_FILES_MISSING = "CUTOVER_FILES_MISSING", 404, "目录 {directory} 缺少文件：{missing}"
    CUTOVER_INVALID = "CUTOVER_INVALID", 422, "迁移数据校验未通过，共 {count} 处错误，未写入任何业务数据"
    CUTOVER_REFERENCES = "CUTOVER_REFERENCES", 500, "迁移装载后引用校验未通过（{keys}），已全部回滚，未写入任何数据"
    DATE_AFTER_CUTOVER = "DATE_AFTER_CUTOVER", 422, "{label} {date} 晚于迁移日期 {cutover_date}"
    DATE_BEFORE_DATA = "DATE_BEFORE_DATA", 422, "日期 {on} 早于本中心最早的账务数据（{first}）"
    DATE_FORMAT = "DATE_FORMAT", 400, "日期格式不正确：{value}（应如 2026-11-30）"
    DATE_INVALID = "DATE_INVALID", 400, "日期格式不正确：{value}（应为 YYYY-MM-DD）"
    DATE_RANGE = "DATE_RANGE", 422, "起始日期不能晚于终止日期"
    DAYEND_DATE = "DAYEND_DATE", 422, "日终只能对当前业务日期 {business_date} 运行"
    DAYEND_UNRECONCILED = "DAYEND_UNRECONCILED", 422, "{on} 对账未平，日终不能结束：{problems}"
    DEPOSIT_ACCOUNT = "DEPOSIT_ACCOUNT", 422, "定期与通知存款只能从住房公积金存款专户存入"
    DEPOSIT_AMOUNT = "DEPOSIT_AMOUNT", 422, "支取金额超过存款余额 {principal} 元"
    DEPOSIT_ANSWER = "DEPOSIT_ANSWER", 422, "存款支取指令 {seq} 的银行应答缺少到账金额"
    DEPOSIT_BUSY = "DEPOSIT_BUSY", 409, "该存款已有未完成的支取"
    DEPOSIT_KIND = "DEPOSIT_KIND", 400, "存款种类应为定期或通知"
    DEPOSIT_NOT_NOTICE = "DEPOSIT_NOT_NOTICE", 422, "只有存续的通知存款可以通知支取"
    DEPOSIT_NOT_OPEN = "DEPOSIT_NOT_OPEN", 409, "存款不在存续状态"
    DEPOSIT_NOTICE_DATE = "DEPOSIT_NOTICE_DATE", 422, "支取日期应不早于 {earliest}（{days} 天通知存款须提前 {days} 天通知）"
    DEPOSIT_NOTICED = "DEPOSIT_NOTICED", 409, "该通知存款已有支取通知：{withdraw_date} 支取 {amount} 元"
    DESCRIPTION_REQUIRED = "DESCRIPTION_REQUIRED", 400, "手工凭证必须填写摘要"
    DISTRIBUTION_PENDING = "DISTRIBUTION_PENDING", 409, "{year} 年度增值收益分配方案已提交（复核命令 #{pk}），等待复核"
    DOCUMENTS_REQUIRED = "DOCUMENTS_REQUIRED", 400, "须上传申请材料（职工代表大会决议、财务报表等）"
    DOCUMENT_DAMAGED = "DOCUMENT_DAMAGED", 422, "档案文件校验未通过，不能签名：{problem}"
    DOC_BUSINESS_DATE = "DOC_BUSINESS_DATE", 400, "缺少业务日期"
    DOC_CONTENT = "DOC_CONTENT", 400, "文件内容应为二进制数据"
    DOC_EMPTY = "DOC_EMPTY", 400, "文件内容为空"
    DOC_NAME = "DOC_NAME", 400, "缺少原文件名"
    DOC_OBJECT = "DOC_OBJECT", 422, "关联的业务对象尚未保存"
    DOC_RETENTION = "DOC_RETENTION", 400, "未知的保管期限：{retention}"
    DOC_TOO_LARGE = "DOC_TOO_LARGE", 400, "文件超过 {max_mb} MB 上限"
    DOC_TYPE = "DOC_TYPE", 400, "未知的档案类型：{doc_type}"
    BIZ_RECEIPT_NOT_FOUND = "BIZ_RECEIPT_NOT_FOUND", 404, "业务回单不存在：{number}"
    COUNTER_TOKEN = "COUNTER_TOKEN", 400, "表单已过期或不完整，请重新打开办理页面"
    DUPLICATE = "DUPLICATE", 422, "个人账号 {account_no} 在文件中重复出现"
    DUPLICATE_ACCOUNT_NO = "DUPLICATE_ACCOUNT_NO", 422, "个人账号 {account_no} 重复"
    DUPLICATE_CREDIT_CODE = "DUPLICATE_CREDIT_CODE", 422, "统一社会信用代码 {credit_code} 重复"
    DUPLICATE_EMPLOYER_NO = "DUPLICATE_EMPLOYER_NO", 422, "单位账号 {employer_no} 重复"
    DUPLICATE_ID = "DUPLICATE_ID", 422, "证件号码 {id_number} 重复（一人一条个人信息）"
    DUPLICATE_ROW = "DUPLICATE_ROW", 422, "与第 {first_row} 行重复"
    ECARD_EXPIRED = "ECARD_EXPIRED", 422, "电子公积金卡二维码已过期，请职工刷新后重新出示"
    ECARD_INVALID = "ECARD_INVALID", 400, "电子公积金卡二维码无效（{reason}），请职工刷新后重新出示"
    ECARD_OTHER_CENTER = "ECARD_OTHER_CENTER", 403, "该电子公积金卡不属于本中心（{center}）"
    EMPLOYED_CONTRIBUTOR = "EMPLOYED_CONTRIBUTOR", 422, "该职工在单位 {employer_name} 正常缴存，不能以灵活就业身份缴存"
    EMPLOYER_EXISTS = "EMPLOYER_EXISTS", 409, "统一社会信用代码 {credit_code} 的单位已登记"
    EMPLOYER_HAS_ACCOUNTS = "EMPLOYER_HAS_ACCOUNTS", 422, "单位尚有 {count} 个未销户的个人账户，请先办理转移或封存销户"
    EMPLOYER_MISMATCH = "EMPLOYER_MISMATCH", 422, "个人账户不属于单位 {employer_no}"
    EMPLOYER_NOT_NORMAL = "EMPLOYER_NOT_NORMAL", 422, "单位 {employer_no} 当前状态为「{status}」，不能办理该业务"
    EMPLOYER_REQUIRED = "EMPLOYER_REQUIRED", 400, "文件没有单位账号，请指定单位"
    EMPLOYER_SUSPENSE = "EMPLOYER_SUSPENSE", 422, "单位暂存款余额 {suspense_balance} 元尚未处理，不能销户"
    EMPLOYER_UNKNOWN = "EMPLOYER_UNKNOWN", 404, "单位账号 {employer_no} 不存在或不属于本中心"
    ENTRY_NOT_FOUND = "ENTRY_NOT_FOUND", 404, "记账凭证 {voucher_no} 不存在"
    ENTRY_TOO_FEW_LINES = "ENTRY_TOO_FEW_LINES", 422, "记账凭证至少需要一借一贷两条分录"
    ENTRY_UNBALANCED = "ENTRY_UNBALANCED", 422, "借贷不平衡：借方 {debit} 元，贷方 {credit} 元"
    EXPORT_FORMAT = "EXPORT_FORMAT", 400, "导出格式不正确：{format}（应为 xlsx 或 pdf）"
    EXPORT_TOO_LARGE = "EXPORT_TOO_LARGE", 422, "符合条件的记录共 {count} 条，超过单次导出上限 {cap} 条，请缩小查询范围后分次导出"
    FIELDS_REQUIRED = "FIELDS_REQUIRED", 400, "请选择要查看的字段"
    FIELD_CORE = "FIELD_CORE", 422, "字段 {field_name} 为核心数据，不提供明文查看"
    FIELD_UNKNOWN = "FIELD_UNKNOWN", 400, "字段 {field_name} 不是登记的个人信息字段"
    FILE_COLUMNS = "FILE_COLUMNS", 400, "文件缺少列：{missing}（应有：{columns}）"
    FILE_EMPTY = "FILE_EMPTY", 400, "文件为空或没有数据行"
    FILE_ENCODING = "FILE_ENCODING", 400, "文件编码不正确（按 {encoding} 读取失败），应为 UTF-8 或 GBK"
    FILE_MISSING = "FILE_MISSING", 404, "文件不存在：{path}"
    FILE_TOO_LARGE = "FILE_TOO_LARGE", 400, "文件 {name} 大小 {size} 超过上限 {max_size}，请拆分后再导入"
    FILE_TOO_MANY_ROWS = "FILE_TOO_MANY_ROWS", 400, "文件 {name} 的数据行超过上限 {max_rows} 行，请拆分后再导入"
    FILE_TYPE = "FILE_TYPE", 400, "只接受 .csv、.xlsx 或 .xls 文件：{name}"
    FILE_UNREADABLE = "FILE_UNREADABLE", 400, "无法读取文件：{error}"
    FLEXIBLE_PER_PERSON = "FLEXIBLE_PER_PERSON", 422, "灵活就业人员按协议逐人缴存：虚拟单位 {employer} 不生成整单汇缴，请按人生成应缴（flexible bill）"
    FORECAST_RANGE = "FORECAST_RANGE", 422, "月数超出范围：预测月数应为 1–12，历史月数应为 12–60"
    FREEZE_AMOUNT = "FREEZE_AMOUNT", 422, "冻结金额不正确：不能为负数，也不能超过可用余额（全部冻结不填写金额，部分冻结须大于零）"
    FREEZE_DOCUMENT_REQUIRED = "FREEZE_DOCUMENT_REQUIRED", 400, "请上传冻结、解冻所依据的法律文书（裁定书、协助执行通知书等）"
    FREEZE_KIND = "FREEZE_KIND", 400, "冻结类型不正确：{kind}（应为 1 全部冻结、2 部分冻结或 3 异地贷款担保）"
    FREEZE_KIND_AMOUNT = "FREEZE_KIND_AMOUNT", 422, "冻结标志为未冻结时冻结金额应为 0，冻结时应大于 0"
    FROZEN_EXCEEDS_BALANCE = "FROZEN_EXCEEDS_BALANCE", 422, "冻结金额 {frozen} 元大于账户余额 {balance} 元"
    FROZEN_NEGATIVE = "FROZEN_NEGATIVE", 422, "冻结金额不能为负数"
    FULL_FREEZE_AMOUNT = "FULL_FREEZE_AMOUNT", 422, "全部冻结时冻结金额应等于账户余额"
    FUTURE_DATE = "FUTURE_DATE", 422, "日期 {on} 晚于业务日期 {business_date}"
    GL_ACCOUNT_NAME = "GL_ACCOUNT_NAME", 400, "请填写科目名称"
    GL_ACCOUNT_NOT_LEAF = "GL_ACCOUNT_NOT_LEAF", 422, "只能记入末级科目，以下科目不是末级科目：{accounts}"
    GL_ACCOUNT_UNKNOWN = "GL_ACCOUNT_UNKNOWN", 400, "会计科目未填写或不存在：{accounts}"
    GL_PARENT_UNKNOWN = "GL_PARENT_UNKNOWN", 404, "上级科目 {parent_code} 不存在"
    GL_SUBACCOUNT_LIMIT = "GL_SUBACCOUNT_LIMIT", 422, "科目 {parent_code} 下的明细科目已满 {max_count} 个"
    HARDSHIP_KIND = "HARDSHIP_KIND", 400, "申请类型不正确：{kind}（应为 defer 缓缴或 reduce 降低缴存比例）"
    HARDSHIP_NOT_PENDING = "HARDSHIP_NOT_PENDING", 409, "缓缴或降低缴存比例申请不存在或不在待审批状态"
    HARDSHIP_OVERLAP = "HARDSHIP_OVERLAP", 409, "单位已有期限重叠的申请 #{pk}（{status}）"
    HEADER_MISSING = "HEADER_MISSING", 400, "缺少必需的列：{column}"
    HOLD_NEGATIVE = "HOLD_NEGATIVE", 422, "释放的预留金额超过已预留金额"
    IDEMPOTENCY_KEY = "IDEMPOTENCY_KEY", 400, "幂等键（Idempotency-Key）不正确：不能超过 {max_len} 个字符，只能包含可打印字符，且不能包含 #"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED", 422, "该幂等键或来源业务编号已用于内容不同的请求，请使用新的编号"
    ID_BIRTH_DATE = "ID_BIRTH_DATE", 422, "身份证号码中的出生日期不存在或晚于业务日期：{id_number}"
    ID_CHECKSUM = "ID_CHECKSUM", 400, "身份证号码校验位错误：{id_number}"
    ID_FORMAT = "ID_FORMAT", 400, "身份证号码格式不正确：{id_number}"
    ID_LENGTH = "ID_LENGTH", 400, "身份证号码应为 18 位：{id_number}"
    ID_MISMATCH = "ID_MISMATCH", 422, "证件号码与个人账户登记的不符"
    ID_REGION = "ID_REGION", 422, "身份证号码中的地区代码不存在：{id_number}"
    ID_REQUIRED = "ID_REQUIRED", 400, "证件号码不能为空"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION", 409, "{object}当前状态为「{status}」，不能办理「{action}」"
    IMPORT_UNKNOWN = "IMPORT_UNKNOWN", 404, "导入批次 {pk} 不存在"
    INSTRUCTION_UNKNOWN = "INSTRUCTION_UNKNOWN", 404, "结算指令 {seq} 不存在"
    INSTRUCTION_HELD = "INSTRUCTION_HELD", 409, "结算指令 {seq} 待复核放行：复核人批准后才发送银行"
    INSTRUCTION_NOT_HELD = "INSTRUCTION_NOT_HELD", 409, "结算指令 {seq} 不在待复核放行状态"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE", 422, "个人账户 {account_no} 可用余额不足"
    INT_RANGE = "INT_RANGE", 400, "{label}应为 {min}–{max} 的整数：{value}"
    INVALID_CLIENT = "INVALID_CLIENT", 401, "客户端标识或密钥不正确"
    ITEMS_ONE_ACCOUNT = "ITEMS_ONE_ACCOUNT", 422, "一次核销的差异须属于同一专户"
    ITEMS_REQUIRED = "ITEMS_REQUIRED", 400, "请选择要核销的差异"
    ITEM_CLOSED = "ITEM_CLOSED", 409, "差异 {pk} 已关闭（{close_kind}），不能再办理"
    ITEM_FUTURE = "ITEM_FUTURE", 422, "差异 {pk} 的发现日期晚于业务日期"
    ITEM_UNKNOWN = "ITEM_UNKNOWN", 404, "差异 {pk} 不存在"
    JISHU_AT_YEAR_START = "JISHU_AT_YEAR_START", 422, "迁移日期为计息年度首日（7月1日），迁移前的本年度积数应为 0"
    JISHU_NEGATIVE = "JISHU_NEGATIVE", 422, "积数不能为负数"
    JOB_KEY_CONFLICT = "JOB_KEY_CONFLICT", 409, "幂等键 {key} 已用于另一类作业（{kind}）"
    JOB_KIND = "JOB_KIND", 400, "作业类型不能为空"
    JOB_NOT_CANCELLABLE = "JOB_NOT_CANCELLABLE", 409, "作业 #{pk} 状态为{status}，不能取消"
    JOB_NOT_FOUND = "JOB_NOT_FOUND", 404, "作业 #{job_id} 不存在"
    JOB_NOT_RESUMABLE = "JOB_NOT_RESUMABLE", 409, "作业 #{pk}（{kind}）不能在此续跑"
    JOB_RUNNING = "JOB_RUNNING", 409, "作业 #{pk} 正在运行，不能重复启动或续跑"
    JOB_STEPS = "JOB_STEPS", 422, "作业步骤不能为空，且步骤名称不能重复"
    JOB_SUPERSEDED = "JOB_SUPERSEDED", 409, "作业 #{pk} 已由另一次运行接管，本次运行停止"
    LINES_REQUIRED = "LINES_REQUIRED", 400, "差额或个别补缴须列出人员及金额"
    LINE_SIDE = "LINE_SIDE", 422, "第 {line} 条分录应只在借方或贷方一方填写大于零的金额"
    MAKER_CHECKER_REQUIRED = "MAKER_CHECKER_REQUIRED", 422, "该业务须经复核，由另一位复核人批准后执行"
    MEMBER_MERGE_HOLD = "MEMBER_MERGE_HOLD", 409, "个人账户 {account_no} 有在途预留资金 {amount} 元，待付款完成后再办理合并"
    MEMBER_MERGE_NOT_SAME_PERSON = "MEMBER_MERGE_NOT_SAME_PERSON", 422, "两个个人账户的姓名、出生日期或性别不一致，不是同一人，不能合并"
    MEMBER_MERGE_SAME_ACCOUNT = "MEMBER_MERGE_SAME_ACCOUNT", 422, "并入账户与被合并账户不能相同"
    MEMBER_NAME_MISMATCH = "MEMBER_NAME_MISMATCH", 422, "姓名「{name}」与证件号码登记的姓名不符"
    MEMBER_OTHER_CENTER = "MEMBER_OTHER_CENTER", 422, "该职工在其他管理中心建有账户，请办理转移接续"
    MEMBER_UNKNOWN = "MEMBER_UNKNOWN", 422, "证件号码 {id_number} 在个人文件中不存在"
    MIXED_BIZ_TYPE = "MIXED_BIZ_TYPE", 422, "汇缴与补缴不能在同一批次入账"
    LOAN_PRODUCT_UNKNOWN = "LOAN_PRODUCT_UNKNOWN", 404, "贷款产品「{product}」不存在或在 {on} 未生效"
    LOAN_PRODUCT_INVALID = "LOAN_PRODUCT_INVALID", 400, "贷款产品配置不正确：{detail}"
    LOAN_CALCULATOR_INVALID = "LOAN_CALCULATOR_INVALID", 400, "贷款试算参数不正确：{detail}"
    RETIREMENT_AGE_UNKNOWN = "RETIREMENT_AGE_UNKNOWN", 422, "没有适用的法定退休年龄：{detail}"
    MONEY_INVALID = "MONEY_INVALID", 400, "金额格式不正确：{value}"
    MONEY_SUB_FEN = "MONEY_SUB_FEN", 400, "金额至多两位小数（元到分），不能四舍五入：{value}"
    MONTHS = "MONTHS", 422, "月数至少为 1"
    MONTH_AFTER_CUTOVER = "MONTH_AFTER_CUTOVER", 422, "缴至年月 {month} 晚于迁移月份 {cutover_month}"
    MONTH_FORMAT = "MONTH_FORMAT", 400, "年月格式不正确：{value}（应如 2026-11）"
    PAID_MONTHS_FORMAT = "PAID_MONTHS_FORMAT", 400, "缴存月份应为以分号分隔的年月或年月区间（如 201901-202303;202305-202610），按时间先后且不重叠：{value}"
    PAID_MONTHS_LAST = "PAID_MONTHS_LAST", 422, "缴存月份的最后一个月 {last} 与缴至年月 {paid_up_to} 不一致"
    MONTH_PAID = "MONTH_PAID", 422, "{month} 已缴存（已缴至 {paid_up_to}）"
    NAME_MISMATCH = "NAME_MISMATCH", 422, "姓名与个人账户登记的不符"
    NOTE_REQUIRED = "NOTE_REQUIRED", 400, "请填写说明"
    NOTE_TOO_LONG = "NOTE_TOO_LONG", 400, "差异说明不能超过 500 字"
    NOTHING_CHANGED = "NOTHING_CHANGED", 422, "没有需要变更的内容"
    NOTHING_TO_CLOSE = "NOTHING_TO_CLOSE", 422, "{year} 年度没有待结转的业务收入或业务支出"
    NOTHING_TO_DISTRIBUTE = "NOTHING_TO_DISTRIBUTE", 422, "{year} 年度可供分配的增值收益为 {distributable} 元，无可分配"
    NOTICE_DATE = "NOTICE_DATE", 400, "银行通知的记账日期格式不正确"
    NOTICE_DAYS = "NOTICE_DAYS", 422, "通知存款应为 1 天或 7 天通知"
    NOTICE_DIRECTION = "NOTICE_DIRECTION", 400, "银行通知的收支方向应为 in（收入）或 out（支出）"
    NOTICE_ID = "NOTICE_ID", 400, "银行通知缺少通知编号（notice_id）"
    NOTICE_NOT_QUEUED = "NOTICE_NOT_QUEUED", 409, "该银行通知不在待处理队列中"
    NOTIFY_NO_RECIPIENT = "NOTIFY_NO_RECIPIENT", 422, "没有接收人，无法发送消息"
    NOTIFY_TOKEN_SHORT = "NOTIFY_TOKEN_SHORT", 422, "推送令牌不能少于 24 个字符"
    NOT_FROZEN = "NOT_FROZEN", 409, "个人账户 {account_no} 未冻结"
    NO_CENTER = "NO_CENTER", 422, "当前用户未归属任何管理中心"
    NO_CHANNEL = "NO_CHANNEL", 422, "银行 {bank_code} 未配置接口地址"
    NO_ERROR_FILE = "NO_ERROR_FILE", 422, "该导入没有错误清单"
    NO_FUND_ACCOUNT = "NO_FUND_ACCOUNT", 422, "没有可用的住房公积金存款专户"
    NO_MONEY = "NO_MONEY", 422, "汇缴单 {pk} 尚未到账，单位暂存款 {suspense_balance} 元不足 {total} 元"
    NO_VALUE_ADDED_ACCOUNT = "NO_VALUE_ADDED_ACCOUNT", 422, "没有增值收益存款专户，请先开立"
    ONE_ACTIVE_ACCOUNT = "ONE_ACTIVE_ACCOUNT", 422, "证件号码 {id_number} 有多个正常或封存的个人账户（一人一户）"
    OPENED_BEFORE_EMPLOYER = "OPENED_BEFORE_EMPLOYER", 422, "个人开户日期 {opened_date} 早于单位开户日期 {employer_opened_date}"
    PARTNER_EXISTS = "PARTNER_EXISTS", 409, "客户端标识 {client_id} 已存在"
    PARTNER_IP = "PARTNER_IP", 400, "IP 地址或网段格式不正确：{value}"
    PARTNER_NAME = "PARTNER_NAME", 400, "请填写合作机构名称"
    PARTNER_SCOPE = "PARTNER_SCOPE", 400, "授权范围不正确：{scopes}"
    PASSWORD_OLD = "PASSWORD_OLD", 422, "原密码不正确"
    PASSWORD_POLICY = "PASSWORD_POLICY", 422, "密码不符合密码策略：{problems}"
    PASSWORD_REUSED = "PASSWORD_REUSED", 422, "新密码不能与最近 {count} 次使用过的密码相同"
    RULE_INVALID = "RULE_INVALID", 400, "规则「{rule}」不正确：{detail}"
    STAFF_NO_MOBILE = "STAFF_NO_MOBILE", 422, "{username} 未登记手机号码，无法发送重置码；请先由本人登记手机号码"
    STAFF_MOBILE = "STAFF_MOBILE", 400, "请填写 11 位手机号码"
    STAFF_MOBILE_CHANGE = "STAFF_MOBILE_CHANGE", 403, "已登记的手机号码只能由本人修改（验证码发到新号码，本人确认后生效）"
    RESET_CODE_INVALID = "RESET_CODE_INVALID", 401, "用户名或重置码不正确，或重置码已过期，请联系安全管理员重新发送"
    MOBILE_CODE_INVALID = "MOBILE_CODE_INVALID", 401, "验证码不正确或已过期，请重新申请修改手机号码"
    PORTAL_ALREADY_REGISTERED = "PORTAL_ALREADY_REGISTERED", 409, "您已开通网上服务大厅，请直接登录；忘记密码请到服务网点柜台重置"
    PORTAL_CODE_INVALID = "PORTAL_CODE_INVALID", 401, "验证码不正确或已过期，请重新获取"
    PORTAL_REGISTER_MISMATCH = "PORTAL_REGISTER_MISMATCH", 422, "姓名、证件号码、个人账号或手机号码与登记信息不一致，请核对后重试；手机号码已变更的请到柜台更新"
    PORTAL_PHONE_SAME = "PORTAL_PHONE_SAME", 422, "新手机号码与登记的手机号码相同"
    PORTAL_FACE_FAILED = "PORTAL_FACE_FAILED", 403, "人脸核验未通过（{summary}），不能在网上办理提取；请重试或到服务网点柜台办理"
    PERSONAL_IN_URL = "PERSONAL_IN_URL", 400, "证件号码、手机号码等个人信息不得放在网址中，请改用 {method} {path}"
    PAYDAY_RANGE = "PAYDAY_RANGE", 422, "发薪日应为 1 至 31：{payday}"
    PAYEE_ACCOUNT = "PAYEE_ACCOUNT", 400, "收款账号应为 6 至 40 位数字"
    PAYEE_EXISTS = "PAYEE_EXISTS", 409, "收款账号 {account_no} 已登记为收款人"
    PAYEE_KIND = "PAYEE_KIND", 400, "收款人类别不正确：{kind}"
    PAYEE_REQUIRED = "PAYEE_REQUIRED", 400, "请填写收款账号和户名"
    PAYEE_UNKNOWN = "PAYEE_UNKNOWN", 404, "登记收款人 {pk} 不存在"
    PAYER_REQUIRED = "PAYER_REQUIRED", 400, "请填写付款账号"
    PERIOD_CLOSED = "PERIOD_CLOSED", 409, "会计期间 {period} 已结账"
    PERIOD_FORMAT = "PERIOD_FORMAT", 400, "报表期间格式不正确：{period}（应为 YYYY-MM、YYYY-Qn、YYYY 或 YYYY-MM-DD）"
    PERIOD_ORDER = "PERIOD_ORDER", 422, "请先结账更早的会计期间"
    PHONE_FORMAT = "PHONE_FORMAT", 400, "手机号码格式不正确：{phone}"
    PLAN_CHANGED = "PLAN_CHANGED", 409, "提交复核后账务数据已变化，分配方案不再适用，请重新提交"
    POLICY_APPROVER = "POLICY_APPROVER", 422, "请注明政策参数的批准依据或批准人"
    POLICY_EXISTS = "POLICY_EXISTS", 409, "政策参数 {key} 在 {effective_from} 已有生效值，请另选生效日期"
    POLICY_KEY = "POLICY_KEY", 400, "未知的政策参数：{key}"
    POLICY_MISSING = "POLICY_MISSING", 422, "{on} 没有生效的政策参数：{name}（{key}）"
    POLICY_RETROACTIVE = "POLICY_RETROACTIVE", 422, "生效日期 {effective_from} 早于业务日期 {business_date}，政策参数不能追溯调整"
    POLICY_TYPE = "POLICY_TYPE", 400, "政策参数类型不正确：{value_type}"
    POLICY_VALUE = "POLICY_VALUE", 400, "政策参数值不正确：{value}"
    PRINT_TOO_MANY_ROWS = "PRINT_TOO_MANY_ROWS", 422, "所选期间的明细有 {rows} 笔，超过打印上限 {max_rows} 笔，请缩小日期范围"
    POST_TARGET = "POST_TARGET", 422, "请指定一个汇缴单或一个导入批次"
    PREPAYMENT_NOT_DUE = "PREPAYMENT_NOT_DUE", 422, "汇缴单 {pk} 为 {month} 预缴，到期月份前资金留在单位暂存款"
    PRIOR_YEAR_OPEN = "PRIOR_YEAR_OPEN", 422, "{prior_year} 年度及以前的损益尚未结转，请先结转 {prior_year} 年度"
    RATE_INVALID = "RATE_INVALID", 400, "利率格式不正确（应为年利率百分数，如 1.75）"
    RATE_RANGE = "RATE_RANGE", 422, "{label}超出允许范围：{value}"
    RATIO_BELOW_REDUCED = "RATIO_BELOW_REDUCED", 422, "缴存比例不能低于降低缴存比例后的下限 {floor}"
    RATIO_EQUAL_SIDES = "RATIO_EQUAL_SIDES", 422, "单位与个人缴存比例须相同（{employer_ratio} ≠ {member_ratio}）"
    RATIO_FORMAT = "RATIO_FORMAT", 400, "{label}格式不正确：{value}（应如 12% 或 0.12）"
    RATIO_INVALID = "RATIO_INVALID", 400, "缴存比例格式不正确：{value}"
    RATIO_NOT_ALLOWED = "RATIO_NOT_ALLOWED", 422, "灵活就业缴存比例只能选择：{allowed}"
    RATIO_NOT_REDUCED = "RATIO_NOT_REDUCED", 422, "降低后的缴存比例应低于一般下限 {floor}"
    RATIO_RANGE = "RATIO_RANGE", 422, "{label} {ratio} 不在 {min}–{max} 范围内"
    RATIO_SIDES_DIFFER = "RATIO_SIDES_DIFFER", 422, "单位与个人缴存比例须相同（{employer_ratio} ≠ {member_ratio}）"
    RATIO_STEP = "RATIO_STEP", 422, "{side}缴存比例 {ratio} 不符合规定：缴存比例须为 {step} 的整数倍"
    RATIO_TOO_HIGH = "RATIO_TOO_HIGH", 422, "{side}缴存比例 {ratio} 高于上限 {max}"
    RATIO_TOO_LOW = "RATIO_TOO_LOW", 422, "{side}缴存比例 {ratio} 低于下限 {min}（单位无有效的降低缴存比例批准）"
    REASON_REQUIRED = "REASON_REQUIRED", 400, "请填写原因或用途"
    RECEIPT_HANDLER_MISSING = "RECEIPT_HANDLER_MISSING", 422, "未启用到账登记，无法登记银行到账"
    RECEIPT_AMOUNT_MAX = "RECEIPT_AMOUNT_MAX", 422, "到账金额 {amount} 元超过单笔上限 {max} 元"
    RECEIPT_MATCHED = "RECEIPT_MATCHED", 409, "该汇缴单已匹配到账，请直接入账"
    RECEIPT_NOT_MATCHED = "RECEIPT_NOT_MATCHED", 409, "银行到账 {bank_ref} 未匹配本汇缴单"
    RECEIPT_NOT_UNKNOWN = "RECEIPT_NOT_UNKNOWN", 409, "银行到账 {bank_ref} 不在暂收状态"
    RECEIPT_REQUIRED = "RECEIPT_REQUIRED", 422, "入账须有银行到账记录"
    RECEIPT_UNCONFIRMED = "RECEIPT_UNCONFIRMED", 409, "手工登记的到账 {bank_ref} 尚未确认：待银行流水匹配或复核人批准后入账"
    RECEIPT_NOT_UNCONFIRMED = "RECEIPT_NOT_UNCONFIRMED", 409, "到账 {bank_ref} 不在待确认状态"
    RECON_BOOK_ACCOUNT = "RECON_BOOK_ACCOUNT", 400, "补记凭证的对方科目不正确：{account}"
    RECON_BOOK_SIDE = "RECON_BOOK_SIDE", 409, "差异 {pk} 不是银行已记而账面未记的款项，不能补记凭证"
    RECON_REVERSE_SIDE = "RECON_REVERSE_SIDE", 409, "差异 {pk} 不是本中心已记而银行未记的凭证，不能冲正"
    RECON_ITEM_BOOKED = "RECON_ITEM_BOOKED", 409, "差异 {pk} 已按复核单 #{command} 记账，重新对账后即可勾对，不能再次提交"
    RECON_ITEM_PENDING = "RECON_ITEM_PENDING", 409, "差异 {pk} 已有待复核的命令 #{command}，复核前不能再次提交"
    RECON_EARLIER_PENDING = "RECON_EARLIER_PENDING", 409, "专户 {account_no} 请先完成 {stmt_date} 的对账"
    RECON_FUTURE = "RECON_FUTURE", 422, "对账日期 {on} 晚于业务日期 {business_date}"
    RECON_LATER_EXISTS = "RECON_LATER_EXISTS", 409, "专户 {account_no} 已完成 {recon_date} 的对账，不能再对更早的 {on} 对账"
    RECON_UNKNOWN = "RECON_UNKNOWN", 404, "对账记录 {pk} 不存在"
    REDUCTION_TERM = "REDUCTION_TERM", 422, "降低缴存比例期限的结束日期早于开始日期"
    REFUND_PENDING = "REFUND_PENDING", 409, "汇缴单 {pk} 已有待复核的退缴申请（复核单 {command}），请等待复核"
    REFUND_TO = "REFUND_TO", 400, "退缴去向不正确：应为 suspense（转单位暂存款）或 bank（退回单位）"
    REMITTANCE_EMPTY = "REMITTANCE_EMPTY", 422, "没有可缴存或可入账的汇缴内容"
    REMITTANCE_EXISTS = "REMITTANCE_EXISTS", 409, "单位 {employer_no} {month} 的汇缴单已存在"
    REMITTANCE_NOT_CANCELLABLE = "REMITTANCE_NOT_CANCELLABLE", 409, "汇缴单 {pk} 不能作废"
    REMITTANCE_NOT_CONFIRMED = "REMITTANCE_NOT_CONFIRMED", 409, "汇缴单 {pk} 状态为「{status}」，不能入账"
    REMITTANCE_NOT_DRAFT = "REMITTANCE_NOT_DRAFT", 409, "汇缴单 {pk} 状态为「{status}」，不能修改清册"
    REMITTANCE_NOT_POSTED = "REMITTANCE_NOT_POSTED", 409, "汇缴单 {pk} 不存在或未入账，不能退缴"
    REMITTANCE_UNKNOWN = "REMITTANCE_UNKNOWN", 404, "汇缴单 {pk} 不存在"
    REQUIRED = "REQUIRED", 400, "请填写{label}"
    RESOLVE_UNBALANCED = "RESOLVE_UNBALANCED", 422, "核销后调节表仍不平衡：所选差异合计影响 {effect} 元，调节后差额 {difference} 元；请同时核销相互抵销的差异，或先入账更正"
    REVERSE_A_REVERSAL = "REVERSE_A_REVERSAL", 409, "冲正凭证不能再被冲正"
    ROLE_HELD = "ROLE_HELD", 409, "该用户已有角色「{role}」"
    ROLE_INCOMPATIBLE = "ROLE_INCOMPATIBLE", 422, "三员分立：{kind}角色不能与已有的{held}角色由同一人兼任"
    ROLE_DUTY_CONFLICT = "ROLE_DUTY_CONFLICT", 409, "不相容岗位：{role}与已有的{held}不宜由同一人兼任，须填写授权理由"
    ROLE_NOT_HELD = "ROLE_NOT_HELD", 409, "该用户没有角色「{role}」"
    ROLE_UNKNOWN = "ROLE_UNKNOWN", 404, "角色 {role} 不存在"
    SAME_EMPLOYER = "SAME_EMPLOYER", 422, "转入单位与当前单位相同"
    SEALED_DATE_REQUIRED = "SEALED_DATE_REQUIRED", 400, "封存状态的账户须填写封存日期"
    SELF_APPROVAL = "SELF_APPROVAL", 422, "经办人与复核人不能是同一人"
    SELF_GRANT = "SELF_GRANT", 422, "不能为自己授予或撤销角色"
    SELF_RESET = "SELF_RESET", 422, "不能重置自己的密码，请使用修改密码"
    SETTLE_BUSINESS_DATE = "SETTLE_BUSINESS_DATE", 422, "结息须在业务日期 {settle_date} 进行（当前 {business_date}）"
    SETTLE_DATE = "SETTLE_DATE", 422, "结息日应为6月30日：{settle_date}"
    SEX_MISMATCH = "SEX_MISMATCH", 422, "性别与身份证号码不一致"
    SEX_REQUIRED = "SEX_REQUIRED", 400, "非身份证开户须填写性别"
    SIMULATE_ROSTER = "SIMULATE_ROSTER", 422, "{month} 清册导入被拒：{errors}"
    SOURCE_REF = "SOURCE_REF", 400, "来源业务编号不能超过 {max_len} 个字符，且不能包含 #"
    STAFF_BRANCH = "STAFF_BRANCH", 422, "网点不属于该管理中心"
    STAFF_USERNAME = "STAFF_USERNAME", 400, "请填写用户名"
    STAGE_MISMATCH = "STAGE_MISMATCH", 422, "入账明细 {rows_posted} 笔 {total_amount} 元与汇缴单 {lines} 笔 {total} 元不符"
    START_PAST = "START_PAST", 422, "起缴日期不能早于本月"
    STATEMENT_BALANCE = "STATEMENT_BALANCE", 400, "{label}格式不正确"
    STATEMENT_BALANCES_REQUIRED = "STATEMENT_BALANCES_REQUIRED", 400, "无法从文件得出期初、期末余额，请指定期初余额与期末余额（--opening、--closing）"
    STATEMENT_BALANCE_BREAK = "STATEMENT_BALANCE_BREAK", 422, "余额不连续：按上笔余额推算应为 {expected} 元，对账单为 {balance} 元"
    STATEMENT_FILE_ACCOUNT = "STATEMENT_FILE_ACCOUNT", 422, "文件中的账号 {file_account} 与专户 {account_no} 不符"
    STATEMENT_FILE_COLUMNS = "STATEMENT_FILE_COLUMNS", 400, "对账单文件缺少列：{missing}"
    STATEMENT_FILE_DATE = "STATEMENT_FILE_DATE", 422, "文件中的日期 {file_date} 与对账单日期 {stmt_date} 不符"
    STATEMENT_FILE_JSON = "STATEMENT_FILE_JSON", 400, "对账单文件第 {row} 行不是有效的 JSON 数据"
    STATEMENT_FILE_MISSING = "STATEMENT_FILE_MISSING", 404, "对账单文件不存在：{path}"
    STATEMENT_FUTURE = "STATEMENT_FUTURE", 422, "对账单日期 {stmt_date} 晚于业务日期 {business_date}"
    STATEMENT_INVALID = "STATEMENT_INVALID", 422, "对账单校验未通过，共 {count} 处问题：{problems}"
    STATEMENT_KIND = "STATEMENT_KIND", 400, "报表类型不正确：{kind}（可选：{kinds}）"
    STATEMENT_MISSING = "STATEMENT_MISSING", 422, "专户 {account_no} 尚无 {on} 的银行对账单"
    STATEMENT_RECONCILED = "STATEMENT_RECONCILED", 409, "专户 {account_no} {stmt_date} 已对账，不能用内容不同的对账单替换"
    STATEMENT_SEQ_DUPLICATE = "STATEMENT_SEQ_DUPLICATE", 422, "银行流水号 {bank_seq} 重复"
    STATEMENT_SOURCE = "STATEMENT_SOURCE", 400, "对账单来源不正确：{source}"
    STATEMENT_STORE_MISSING = "STATEMENT_STORE_MISSING", 422, "未启用日终对账，无法保存银行对账单"
    STATEMENT_UNAVAILABLE = "STATEMENT_UNAVAILABLE", 422, "银行对账单下载失败（第 {page} 页）：{error}"
    STATE_INVALID = "STATE_INVALID", 400, "状态不正确：应为 {states} 之一"
    STATUS_FROZEN_IS_A_FLAG = "STATUS_FROZEN_IS_A_FLAG", 422, "冻结不是账户状态，请用冻结标志和冻结金额表示"
    SUB_ACCOUNT_REQUIRED = "SUB_ACCOUNT_REQUIRED", 400, "从住房公积金科目付款须指定个人账户"
    SUB_ACCOUNT_UNKNOWN = "SUB_ACCOUNT_UNKNOWN", 400, "个人分户账未填写或不存在：{sub_account}"
    SUSPENSE_INSUFFICIENT = "SUSPENSE_INSUFFICIENT", 422, "单位 {employer_no} 暂存款余额 {suspense_balance} 元，不足 {amount} 元"
    TERM_INVALID = "TERM_INVALID", 400, "定期存款期限应为 3、6、12、24、36 或 60 个月"
    TERM_ORDER = "TERM_ORDER", 422, "终止日期不能早于起始日期"
    TERM_PAST = "TERM_PAST", 422, "期限已过或起始日期早于本月"
    TERM_TOO_LONG = "TERM_TOO_LONG", 422, "缓缴或降低缴存比例期限不能超过 {max_months} 个月"
    TOKEN_DAYS = "TOKEN_DAYS", 422, "令牌有效期应为 1 至 {max_days} 天"
    TOKEN_NAME = "TOKEN_NAME", 400, "请填写令牌用途"
    TOKEN_NOT_STAFF = "TOKEN_NOT_STAFF", 422, "只能为在岗业务人员签发令牌"
    TOO_LONG = "TOO_LONG", 400, "{label}不能超过 {max_len} 个字"
    TOO_MANY_ERRORS = "TOO_MANY_ERRORS", 422, "文件错误已超过 {max_errors} 处，已停止校验；请修正文件后重新导入"
    TOTP_ENROLLED = "TOTP_ENROLLED", 409, "已绑定动态口令；如需更换请联系安全管理员重置"
    TOTP_INVALID = "TOTP_INVALID", 422, "动态口令不正确"
    TOTP_STATE = "TOTP_STATE", 409, "没有待确认的动态口令绑定"
    USCC_CHECKSUM = "USCC_CHECKSUM", 400, "统一社会信用代码校验位错误：{credit_code}"
    USCC_FORMAT = "USCC_FORMAT", 400, "统一社会信用代码格式不正确：{credit_code}"
    USCC_REQUIRED = "USCC_REQUIRED", 400, "统一社会信用代码不能为空"
    USER_INACTIVE = "USER_INACTIVE", 422, "用户已停用，不能授予角色"
    VALUE_DATE_AFTER_YEAR = "VALUE_DATE_AFTER_YEAR", 422, "起息日 {value_date} 晚于本计息年度末 {year_end}"
    VALUE_DATE_BEFORE_YEAR = ("VALUE_DATE_BEFORE_YEAR", 422,
                              "起息日 {value_date} 早于本计息年度起日 {year_start}：上年度已结息，请以 {year_start} 起息入账，上年度少计的利息另行调整")
    VALUE_DATE_FUTURE = "VALUE_DATE_FUTURE", 422, "到账日 {value_date} 晚于业务日期 {business_date}"
    VOTE_DATE = "VOTE_DATE", 422, "职工代表大会表决日期不能晚于申请日期"
    YEAR_DISTRIBUTED = "YEAR_DISTRIBUTED", 409, "{year} 年度增值收益已分配"
    YEAR_FORMAT = "YEAR_FORMAT", 400, "年度格式不正确或超出范围：{value}"
    VERIFICATION_CONSENT_INVALID = "VERIFICATION_CONSENT_INVALID", 422, "「{source}」的查询授权无效：{detail}"
    VERIFICATION_NO_CONSENT = "VERIFICATION_NO_CONSENT", 422, "查询「{source}」须有本人的书面授权（征信业管理条例第十八条），未查询"
    VERIFICATION_PURPOSE_REQUIRED = "VERIFICATION_PURPOSE_REQUIRED", 400, "请填写核验查询的用途"
    VERIFICATION_SOURCE_UNKNOWN = "VERIFICATION_SOURCE_UNKNOWN", 400, "核验来源不正确：{source}"
    VERIFICATION_SUBJECT_REQUIRED = "VERIFICATION_SUBJECT_REQUIRED", 400, "请提供被核验人的证件号码"
    WITHDRAWAL_CARD_NUMBER = "WITHDRAWAL_CARD_NUMBER", 400, "银行卡号应为 12 至 19 位数字"
    WITHDRAWAL_CARD_BANK = "WITHDRAWAL_CARD_BANK", 400, "请填写开户银行代码和名称"
    WITHDRAWAL_CARD_HOLDER = ("WITHDRAWAL_CARD_HOLDER", 422,
                              "持卡人姓名与职工本人姓名不一致：提取款只能转入职工本人名下的银行卡")
    WITHDRAWAL_CARD_OTHER = "WITHDRAWAL_CARD_OTHER", 409, "该银行卡已登记为其他职工的结算卡"
    WITHDRAWAL_CARD_PENDING = "WITHDRAWAL_CARD_PENDING", 409, "职工已有待核验的银行卡，请先核验或作废"
    WITHDRAWAL_CARD_NOT_PENDING = "WITHDRAWAL_CARD_NOT_PENDING", 409, "该银行卡不在待核验状态"
    WITHDRAWAL_CARD_SAME_PERSON = "WITHDRAWAL_CARD_SAME_PERSON", 409, "登记银行卡的人员不能核验同一张卡"
    WITHDRAWAL_CARD_MISSING = "WITHDRAWAL_CARD_MISSING", 422, "职工没有已核验的本人银行卡，不能支付提取款"
    WITHDRAWAL_CARD_NOT_FOUND = "WITHDRAWAL_CARD_NOT_FOUND", 404, "银行卡记录不存在"
    WITHDRAWAL_REASON_UNKNOWN = "WITHDRAWAL_REASON_UNKNOWN", 404, "提取原因「{item}」未配置"
    WITHDRAWAL_REASON_INVALID = "WITHDRAWAL_REASON_INVALID", 400, "提取原因配置不正确：{detail}"
    WITHDRAWAL_NO_FUND_ACCOUNT = "WITHDRAWAL_NO_FUND_ACCOUNT", 422, "本中心没有可用的住房公积金存款专户，不能支付提取款"
    WITHDRAWAL_LIMIT_USED = ("WITHDRAWAL_LIMIT_USED", 409,
                             "提取金额 {total} 元超过可提取额度：额度 {ceiling} 元，其他申请已提取或预留 {used} 元，"
                             "尚余 {left} 元")
    WITHDRAWAL_ACCOUNT_CHANGED = ("WITHDRAWAL_ACCOUNT_CHANGED", 409,
                                  "个人账户 {account_no} 的余额在审批后发生变化，销户提取须重新受理")
    WITHDRAWAL_ESCHEAT_INVALID = ("WITHDRAWAL_ESCHEAT_INVALID", 409,
                                  "办件 {number} 不能转入增值收益：{detail}")
    WITHDRAWAL_COURT_INPUT = "WITHDRAWAL_COURT_INPUT", 400, "司法扣划信息不正确：{detail}"
    WITHDRAWAL_COURT_NOT_FROZEN = ("WITHDRAWAL_COURT_NOT_FROZEN", 422,
                                   "个人账户 {account_no} 未冻结：司法扣划须在冻结之后办理")
    WITHDRAWAL_COURT_OVER_FROZEN = ("WITHDRAWAL_COURT_OVER_FROZEN", 422,
                                    "扣划金额 {amount} 元超过个人账户 {account_no} 的冻结金额 {frozen} 元")
    WITHDRAWAL_COURT_DOCUMENT_USED = ("WITHDRAWAL_COURT_DOCUMENT_USED", 409,
                                      "协助执行通知书 {document_no} 已登记扣划（{state}）")
    WITHDRAWAL_COURT_NOT_FOUND = "WITHDRAWAL_COURT_NOT_FOUND", 404, "司法扣划记录不存在"
    WITHDRAWAL_COURT_STATE = "WITHDRAWAL_COURT_STATE", 409, "司法扣划 {number} 当前为「{state}」，不能{action}"
    LOAN_NOT_APPROVED = "LOAN_NOT_APPROVED", 409, "贷款申请 {number} 尚未审批通过（当前状态：{status}）"
    LOAN_CONTRACT_EXISTS = "LOAN_CONTRACT_EXISTS", 409, "贷款申请 {number} 已生成借款合同 {contract_no}"
    LOAN_CONTRACT_MISSING = "LOAN_CONTRACT_MISSING", 409, "贷款申请 {number} 尚未生成借款合同"
    LOAN_CONTRACT_UNSIGNED = "LOAN_CONTRACT_UNSIGNED", 409, "借款合同 {contract_no} 尚有当事人未签署：{missing}"
    LOAN_CONTRACT_SIGNED = "LOAN_CONTRACT_SIGNED", 409, "借款合同 {contract_no} 已签订，不能再签署或修改"
    LOAN_SIGNER_UNKNOWN = "LOAN_SIGNER_UNKNOWN", 422, "{role}不是借款合同 {contract_no} 的当事人"
    LOAN_SIGNATURE_INVALID = "LOAN_SIGNATURE_INVALID", 422, "电子签名验证未通过：{detail}"
    LOAN_SIGNATURE_WAY = "LOAN_SIGNATURE_WAY", 400, "签署方式应为可靠电子签名（electronic）或纸质签字扫描（paper）"
    LOAN_COLLATERAL_INVALID = "LOAN_COLLATERAL_INVALID", 422, "抵押物信息不正确：{detail}"
    LOAN_COLLATERAL_CONDITION = "LOAN_COLLATERAL_CONDITION", 409, "尚不满足放款的担保条件：{detail}"
    LOAN_REGISTRY_PUSH_UNKNOWN = "LOAN_REGISTRY_PUSH_UNKNOWN", 404, "借款合同 {contract_no} 不存在或尚未登记抵押物"
    LOAN_NO_FUND_ACCOUNT = "LOAN_NO_FUND_ACCOUNT", 422, "本中心没有可用的住房公积金存款专户，不能发放贷款"
    LOAN_NOT_FOUND = "LOAN_NOT_FOUND", 404, "贷款 {number} 不存在或无权查看"
    LOAN_IN_COB = "LOAN_IN_COB", 409, "贷款 {number} 正在进行 {on} 的日终批处理，请在批处理结束后再办理"
    LOAN_NOT_ACTIVE = "LOAN_NOT_ACTIVE", 409, "贷款 {number} 当前状态为「{status}」，不能办理该业务"
    LOAN_PAYMENT_INVALID = "LOAN_PAYMENT_INVALID", 422, "还款不正确：{detail}"
    LOAN_PAYMENT_CONFLICT = "LOAN_PAYMENT_CONFLICT", 409, "还款流水号 {reference} 已用于另一笔还款"
    LOAN_PREPAY_INVALID = "LOAN_PREPAY_INVALID", 422, "提前还款不正确：{detail}"
    LOAN_NOT_SETTLED = "LOAN_NOT_SETTLED", 409, "贷款 {number} 尚未结清（当前状态：{status}），不能{what}"
    LOAN_COLLATERAL_HANDLING = "LOAN_COLLATERAL_HANDLING", 409, "抵押物预警 {event} 当前为「{state}」，不能{action}"
    LOAN_NO_COUNTER_ACCOUNT = "LOAN_NO_COUNTER_ACCOUNT", 422, "本中心没有可用的住房公积金存款专户，不能办理柜台还款"
    LOAN_CLASS_OVERRIDE_INVALID = "LOAN_CLASS_OVERRIDE_INVALID", 422, "五级分类人工认定不正确：{detail}"
    LOAN_COB_DATE = "LOAN_COB_DATE", 400, "贷款日终只能对当前业务日期 {current} 运行，{on} 不是当前业务日期"
    LOAN_CASE_NOT_FOUND = "LOAN_CASE_NOT_FOUND", 404, "催收案件 {case} 不存在或无权查看"
    LOAN_CASE_INVALID = "LOAN_CASE_INVALID", 422, "催收记录不正确：{detail}"
    LOAN_CASE_CLOSED = "LOAN_CASE_CLOSED", 409, "催收案件 {case} 已结案（{reason}），不能再登记或指派"
    LOAN_RESTRUCTURE_INVALID = "LOAN_RESTRUCTURE_INVALID", 422, "贷款重组不正确：{detail}"
    LOAN_WRITE_OFF_INVALID = "LOAN_WRITE_OFF_INVALID", 422, "贷款核销不正确：{detail}"
    LOAN_RECOVERY_INVALID = "LOAN_RECOVERY_INVALID", 422, "核销贷款收回不正确：{detail}"
    LOAN_REPORT_INVALID = "LOAN_REPORT_INVALID", 400, "贷款报表参数不正确：{detail}"
    WITHDRAWAL_AGREEMENT_INVALID = "WITHDRAWAL_AGREEMENT_INVALID", 400, "约定提取协议不正确：{detail}"
    WITHDRAWAL_AGREEMENT_AMOUNT = ("WITHDRAWAL_AGREEMENT_AMOUNT", 422,
                                   "约定固定金额 {amount} 元应大于零且不超过月还款额 {installment} 元")
    WITHDRAWAL_AGREEMENT_EXISTS = "WITHDRAWAL_AGREEMENT_EXISTS", 409, "借款合同 {contract_no} 已有生效或待复核的约定提取协议"
    WITHDRAWAL_AGREEMENT_STATE = "WITHDRAWAL_AGREEMENT_STATE", 409, "约定提取协议当前状态为「{status}」，不能{action}"
    WITHDRAWAL_AGREEMENT_LOAN = "WITHDRAWAL_AGREEMENT_LOAN", 422, "职工名下没有借款合同号为 {contract_no} 的住房公积金贷款"
    WITHDRAWAL_AGREED_MONTH = "WITHDRAWAL_AGREED_MONTH", 400, "约定提取只能按当前业务月份 {month} 运行（格式 YYYY-MM）"
    WITHDRAWAL_AGREED_RUN_STATE = "WITHDRAWAL_AGREED_RUN_STATE", 409, "约定提取批次当前状态为「{status}」，不能{action}"
    WITHDRAWAL_BATCH_EMPTY = "WITHDRAWAL_BATCH_EMPTY", 422, "没有可批量支付的提取（须已审批通过、已预留、未发送）"
    WITHDRAWAL_BATCH_UNKNOWN = "WITHDRAWAL_BATCH_UNKNOWN", 404, "没有流水号为 {seq} 的提取批量支付"
    WITHDRAWAL_BATCH_STATE = "WITHDRAWAL_BATCH_STATE", 409, "提取批量支付 {seq} 当前状态为「{status}」，不是待复核放行"
    YEAR_NOT_CLOSED = "YEAR_NOT_CLOSED", 422, "{year} 年度损益尚未结转至增值收益，请先执行年末结转"
    YEAR_NOT_ENDED = "YEAR_NOT_ENDED", 422, "业务日期 {business_date} 尚未到 {year} 年末"
    YEAR_NOT_ROLLED = "YEAR_NOT_ROLLED", 422, "个人账户 {account_no} 尚未完成上年度结息结转"
    YEAR_NOT_SETTLED = ("YEAR_NOT_SETTLED", 409,
                        "{year_end} 的年度结息尚未完成：日终不能越过未结息的6月30日，请由财务执行 hpf interest settle --late")
    YEAR_ROLL_CURRENT_LEFT = "YEAR_ROLL_CURRENT_LEFT", 422, "以下账户的当年归集余额尚未结转：{accounts}"
    YEAR_START = "YEAR_START", 422, "计息年度起日应为7月1日：{year_start}"
    # end of catalogue


# ---------------------------------------------------------------- docs/errors.md, generated from the catalogue

DOC_PATH = "docs/errors.md"

_DOC_HEAD = """# 错误代码 (error codes)

Generated from `openhpf/core/error_codes.py` by `python -m openhpf.core.error_codes --write`; a test fails when
this page is not current. Do not edit by hand.

Every error of the JSON API (`/api/v1/`) has one shape and the HTTP status of its code:

```json
{"code": "ACCOUNT_UNKNOWN", "message": "个人账号 330100000001 不存在", "field": "account_no", "row": null,
 "details": null}
```

- `code`: one of the codes below (stable; compare with it, never with the message);
- `message`: Chinese text for people (the call site's own words; the template below is its generic form);
- `field`: the request field concerned, a dotted path for nested input (`lines.0.amount`), or null;
- `row`: the row of an uploaded file, or null;
- `details`: more data or null: `VALIDATION` (a file or batch with many errors) and `INPUT_INVALID` (a request
  that does not validate) list every error in `details.errors`, each with its own `field`, `message` and (for
  VALIDATION) `code` and `row`.

The status of a code follows one rule: 400 malformed input (a value that does not parse or is not allowed, a
required field missing, a file that cannot be read); 401 not authenticated; 403 not permitted; 404 the object
named does not exist; 409 the current state of stored data refuses the request (already exists or decided, a
state the action does not accept, in progress elsewhere); 422 a business rule refused well-formed input (the
default); 413 request body too large; 423 account locked; 429 too many requests; 500 a server fault
(SERVER_ERROR, with the request id to quote). The OpenAPI document (`/api/v1/openapi.json`) lists 400,
401, 403, 404, 409 and 422 with this schema on every operation. The OAuth 2.0 token endpoint
(`/api/v1/oauth/token`) answers its errors in the form RFC 6749 fixes (`error`, `error_description`).

| 代码 code | HTTP | 信息模板 message template |
|---|---|---|
"""


def render_markdown() -> str:
    rows = []
    for c in sorted(ErrorCode, key=lambda c: c.value):
        template = c.template.replace("|", "\\|")
        rows.append(f"| `{c.value}` | {c.status} | {template} |")
    return _DOC_HEAD + "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys
    from pathlib import Path

    text = render_markdown()
    if "--write" in sys.argv:
        Path(DOC_PATH).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
