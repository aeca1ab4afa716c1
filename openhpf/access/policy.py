"""The declared authorization policy of every console page and API operation: what a request needs.

Values: "public" (no sign-in), "login" (any signed-in staff member / any valid token), "delegated" (signed
in; the app's service decides per object or command), or a permission code of the catalogue. openhpf/access/tests/test_matrix.py walks the URL resolver and the ninja API registry,
fails on any endpoint without a rule here, and checks every role against every rule (allowed or 403)."""

from __future__ import annotations

PUBLIC, LOGIN = "public", "login"
# The app's services decide per object or per command (maker-checker: the maker needs the command's own
# permission, the checker approvals.approve); the matrix only requires sign-in for these.
DELEGATED = "delegated"
# Endpoints of other principals (members, employer agents, partner systems; iam authenticates them): staff
# tokens are refused (401/403).
PRINCIPAL = "principal"

# Console URL names ("namespace:name").
CONSOLE: dict[str, str] = {
    "console:home": LOGIN,
    "console:cockpit": "cockpit.view",
    "console:audit_chain": "audit.view",
    "console:audit_chain_progress": "audit.view",
    "console:audit_export": "audit.view",
    "console:login": PUBLIC,
    "console:password_reset": PUBLIC,
    "console:logout": PUBLIC,
    "console:login_totp": PUBLIC,
    "console:password_change": LOGIN,
    "console:totp_enrol": LOGIN,
    "documents:receipt": "documents.view",  # 业务回单 of the staff member's center (masked as issued)
    "documents:receipt_pdf": "documents.view",
    "console:iam_users": "iam.manage_users",
    "console:iam_user_action": "iam.manage_users",
    "console:iam_user_roles": "iam.manage_roles",
    "console:iam_partners": "iam.manage_users",
    "console:iam_partner_action": "iam.manage_users",
    "console:iam_outbox": "iam.manage_users",
    "console:iam_outbox_dev": "iam.manage_users",
    "accounts:employer_list": "accounts.view",
    "accounts:employer_export": "accounts.export",
    "accounts:employer_detail": "accounts.view",
    "accounts:employer_register": "accounts.open",
    "accounts:employer_change": "accounts.change",
    "accounts:employer_suspend": "accounts.change",
    "accounts:employer_resume": "accounts.change",
    "accounts:employer_close": "accounts.change",
    "accounts:member_list": "accounts.view",
    "accounts:ecard_scan": "accounts.view",
    "accounts:member_detail": "accounts.view",
    "accounts:member_history": "accounts.view",
    "accounts:member_statement": "accounts.view",
    "accounts:member_open": "accounts.open",
    "accounts:member_open_batch": "accounts.open",
    "accounts:member_open_template": "accounts.open",
    "accounts:member_seal": "accounts.change",
    "accounts:member_unseal": "accounts.change",
    "accounts:member_transfer": "accounts.change",
    "accounts:member_merge": "accounts.change",
    "accounts:member_freeze": "accounts.freeze",
    "accounts:member_unfreeze": "accounts.freeze",
    "accounts:member_change_base": "accounts.change",
    "accounts:member_change_ratio": "accounts.change",
    "ledger:home": "ledger.view",
    "jobs:list": "jobs.view",
    "jobs:list_partial": "jobs.view",
    "jobs:cancel": "jobs.run",
    "jobs:resume": "jobs.run",
    "audit:list": "audit.view",
    "access:member_unmask": "personal_data.unmask",
    "access:member_export": "accounts.export",
    "relief:arrears": "accounts.view",
    "relief:employer_arrears_notice": "accounts.view",
    "relief:arrears_export": "accounts.export",
    "relief:hardship": "accounts.view",
    "remit:list": "accounts.view",
    "remit:export": "accounts.export",
    "remit:detail": "accounts.view",
    "remit:upload": "contributions.remit",
    "remit:confirm": "contributions.remit",
    "remit:import_errors": "accounts.view",
    "remit:employer_remittances": "accounts.view",
    "remit:employer_suspense": "accounts.view",
    "remit:employer_base_adjust": "accounts.change",
    "remit:refund": "contributions.remit",
    "remit:receipt_manual": "contributions.remit",
    "remit:employer_receipt_manual": "contributions.remit",
    "remit:template": "contributions.remit",
    "remit:month": "contributions.remit",
    "remit:back": "contributions.remit",
    "remit:employer_month": "contributions.remit",
    "remit:employer_back": "contributions.remit",
    "remit:employer_suspense_allocate": "contributions.remit",
    "remit:employer_suspense_choices": "contributions.remit",
    "settlement:home": "settlement.view",
    "settlement:account_open": "settlement.operate",
    "settlement:payee_add": "settlement.operate",
    "settlement:instructions": "settlement.view",
    "settlement:instruction_action": "settlement.operate",
    "settlement:notices": "settlement.view",
    "settlement:notice_handle": "settlement.operate",
    "settlement:notices_pull": "settlement.operate",
    "remit:receipts": "settlement.view",
    "remit:receipt_assign": "contributions.remit",
    "settlement:notice_push": PUBLIC,  # a bank pushing SBDC100; authenticated by the channel's token
    "approvals:pending": "approvals.approve",
    "approvals:mine": DELEGATED,
    "approvals:detail": DELEGATED,
    "approvals:approve": DELEGATED,
    "approvals:reject": DELEGATED,
    "approvals:policies": DELEGATED,  # 政策参数: policy.change or approvals.approve (the view checks)
    "approvals:policy": DELEGATED,
    "approvals:policy_submit": "policy.change",
    # finance (财务): statements, 增值收益, liquidity
    "finance:home": "finance.view",
    "finance:statements": "finance.view",
    "finance:statement_export": "finance.view",
    "finance:value_added": "finance.view",
    "finance:value_added_close": "finance.manage",
    "finance:value_added_submit": "finance.manage",
    "finance:liquidity": "finance.view",
    "finance:liquidity_snapshot": "finance.manage",
    "finance:vouchers": "ledger.view",
    "finance:voucher": "ledger.view",
    "finance:voucher_pdf": "ledger.view",
    "finance:ledger": "ledger.view",
    "finance:ledger_export": "ledger.view",
    "finance:deposits": "finance.view",
    "finance:voucher_new": "ledger.post_manual",
    "finance:voucher_reverse": "ledger.post_manual",
    "finance:deposit_open": "finance.manage",
    "finance:deposit_withdraw": "finance.manage",
    "finance:deposit_notify": "finance.manage",
    "finance:value_added_transfer": "finance.manage",
    # reconciliation (日终对账)
    "reconciliation:home": "settlement.view",
    "reconciliation:detail": "settlement.view",
    "reconciliation:detail_export": "settlement.view",
    "reconciliation:items": "settlement.view",
    "reconciliation:item_explain": "settlement.operate",
    "reconciliation:items_resolve": "settlement.operate",
    "reconciliation:run": "settlement.operate",
    "reconciliation:statement_fetch": "settlement.operate",
    "reconciliation:statement_upload": "settlement.operate",
    "reconciliation:item_book": "settlement.operate",
    "reconciliation:item_reverse": "settlement.operate",
    "reconciliation:dayend": "settlement.view",
    "reconciliation:dayend_run": "settlement.operate",
    "reconciliation:dayend_progress": "settlement.view",
    "loans:calculator": PUBLIC,  # 贷款试算 (public page, no personal data)
    "catalog:items": PUBLIC,  # 服务事项目录 and 办事指南: public, no personal data
    "catalog:item": PUBLIC,
    "verification:queries": "verification.view",  # 核验查询记录 (subjects masked, read-audited) and breaker states
    "ratings:followups": "applications.followup",  # 差评整改 (好差评)
    "ratings:followup": "applications.followup",
    "verify:certificate": PUBLIC,  # 缴存使用证明核验: masked facts; full ones with the printed code (rate-limited)
    "certificates:issue": "applications.accept",  # 柜台代为开具缴存使用证明
    "certificates:issued": "applications.accept",
    "certificates:pdf": "applications.accept",
    "hall:login": PUBLIC,  # 网上服务大厅 (members): sign-in with password + one-time code
    "hall:otp": PUBLIC,
    "hall:logout": PUBLIC,
    "hall:home": PRINCIPAL,  # a member's session only: a staff session is refused (403)
    "hall:certificate_apply": PRINCIPAL,
    "hall:ecard": PRINCIPAL,
    "hall:certificate_pdf": PRINCIPAL,
    "hall:register": PUBLIC,  # 首次注册: checked against the account, a code to the registered phone, rate limited
    "hall:register_code": PUBLIC,
    "hall:elder": PUBLIC,  # 长辈模式 on/off: a display cookie of the hall only
    "hall:history": PRINCIPAL,  # the member's own 明细 (another's account number is a 404)
    "hall:statement": PRINCIPAL,  # 年度对账单 PDF of an own account
    "hall:withdraw_index": PRINCIPAL,
    "hall:withdraw": PRINCIPAL,  # online withdrawal: 一次告知 preview, face step-up, submission through the engine
    "hall:applications": PRINCIPAL,  # own applications with their clocks
    "hall:application": PRINCIPAL,  # one own application, 好差评 (another's number is a 404)
    "hall:profile": PRINCIPAL,  # own data (masked), phone change step 1
    "hall:phone_code": PRINCIPAL,
    "hall:inbox": PRINCIPAL,
    "hallemp:login": PUBLIC,  # 单位网厅 (employer agents): sign-in with password + one-time code
    "hallemp:otp": PUBLIC,
    "hallemp:logout": PUBLIC,
    "hallemp:home": PRINCIPAL,  # an agent's session only, its own employer's roster (another's number is a 404)
    "hallemp:hire": PRINCIPAL,
    "hallemp:leave": PRINCIPAL,
    "hallemp:remit": PRINCIPAL,
    "hallemp:upload": PRINCIPAL,
    "hallemp:pay": PRINCIPAL,
    "hallemp:history": PRINCIPAL,
    "hallemp:backpay": PRINCIPAL,
    "hallemp:base_adjust": PRINCIPAL,
    "catalog:implementations": "catalog.change",  # the center's 实施清单 (console) and its change form
    "catalog:implementation": "catalog.change",
    "withdrawals:member_cards": "accounts.view",  # the member page's 结算银行卡 panel (masked, read audited)
    "withdrawals:card_add": "accounts.change",
    "withdrawals:card_verify": "applications.review",
    "withdrawals:member_history": "accounts.view",  # the member page's 提取记录 panel (read audited)
    "withdrawals:member_court": "accounts.view",  # the member page's 司法扣划 panel (read audited)
    "withdrawals:court_new": "accounts.freeze",  # 司法扣划 entered (maker), approved by another through approvals
    "withdrawals:court_pay": "settlement.operate",
    "withdrawals:overdue": "applications.view",
    "loans:list": "loans.view",  # 贷款台账 (masked, read audited)
    "loans:detail": "loans.view",
    "loans:contract_pdf": "loans.view",
    "loans:collateral_warnings": "loans.operate",  # 待办: 抵押物预警待处置
    "loans:repay": "loans.operate",  # 柜台还款 (htmx form on the servicing page)
    "loans:class_override": "loans.operate",  # 五级分类人工认定
    "loans:cases": "loans.view",  # 催收工作台 (borrowers masked, read audited)
    "loans:dashboard": "loans.view",  # 贷款风险看板 (aggregates only)
    # the staff work queue (办件工作台); each action's own permission (受理, the review level's, 分派) is checked
    # by the engine's services, and the screen shows only the buttons the clerk may use
    "applications:queue": "applications.view",
    "applications:detail": "applications.view",
    "applications:act": "applications.view",
    "applications:claim": "applications.view",
    "applications:assign": "applications.assign",
    "applications:material": "applications.view",
    "applications:intake_items": "applications.accept",
    "applications:intake": "applications.accept",
}

# API operations ("METHOD /api/v1/path" as in the OpenAPI schema).
API: dict[str, str] = {
    "GET /api/v1/health": PUBLIC,
    "GET /api/v1/loans/calculator": PUBLIC,  # 贷款试算: no personal data, the general API rate limit per IP
    "GET /api/v1/catalog/items": PUBLIC,
    "GET /api/v1/withdrawals/members/{account_no}/cards": "accounts.view",  # masked, read audited
    "POST /api/v1/withdrawals/members/{account_no}/cards": "accounts.change",
    "POST /api/v1/withdrawals/cards/{card_id}/verify": "applications.review",
    "POST /api/v1/withdrawals/applications": "applications.accept",
    "GET /api/v1/withdrawals/applications": "applications.view",
    "GET /api/v1/withdrawals/applications/{number}": "applications.view",
    "POST /api/v1/withdrawals/court-deductions": "accounts.freeze",
    "GET /api/v1/withdrawals/court-deductions/{number}": "accounts.view",
    "POST /api/v1/withdrawals/court-deductions/{number}/pay": "settlement.operate",
    "POST /api/v1/withdrawals/batches": "settlement.operate",  # 批量支付 (maker; the batch waits for a checker)
    "GET /api/v1/withdrawals/batches/{seq}": "applications.view",  # cards masked
    "POST /api/v1/withdrawals/batches/{seq}/release": "approvals.approve",  # four eyes: not the maker
    "GET /api/v1/withdrawals/agreements": "applications.view",  # 约定提取 (masked, reads audited)
    "POST /api/v1/withdrawals/agreements": "accounts.change",  # maker; a checker approves through approvals
    "GET /api/v1/withdrawals/agreements/{agreement_id}": "applications.view",
    "POST /api/v1/withdrawals/agreements/{agreement_id}/stop": "accounts.change",
    "GET /api/v1/withdrawals/agreements/runs": "applications.view",
    "POST /api/v1/withdrawals/agreements/runs": "settlement.operate",
    "GET /api/v1/withdrawals/agreements/runs/{run_id}": "applications.view",
    "GET /api/v1/withdrawals/agreements/runs/{run_id}/items": "applications.view",
    "POST /api/v1/withdrawals/agreements/runs/{run_id}/release": "approvals.approve",  # four eyes: not the maker
    "GET /api/v1/loans": "loans.view",  # the portfolio (masked, read audited)
    "GET /api/v1/loans/{number}": "loans.view",
    "POST /api/v1/loans/applications": "applications.accept",
    "POST /api/v1/loans/applications/{number}/contract": "loans.operate",
    "POST /api/v1/loans/applications/{number}/sign": "loans.operate",
    "POST /api/v1/loans/applications/{number}/collateral": "loans.operate",
    "POST /api/v1/loans/applications/{number}/disburse": "settlement.operate",
    "POST /api/v1/loans/{number}/prepay/quote": "loans.operate",  # 部分提前还款试算
    "POST /api/v1/loans/{number}/prepay": "loans.operate",  # money-moving, Idempotency-Key
    "POST /api/v1/loans/{number}/payoff/quote": "loans.operate",  # 提前结清试算
    "POST /api/v1/loans/{number}/payoff": "loans.operate",  # money-moving, Idempotency-Key
    "POST /api/v1/loans/{number}/certificate": "loans.operate",  # 出具贷款结清证明
    "GET /api/v1/loans/{number}/certificate": "loans.view",  # the sealed PDF (a personal read, audited)
    "POST /api/v1/loans/{number}/collateral/release": "loans.operate",  # 解除抵押
    "GET /api/v1/loans/{number}/collateral-events": "loans.view",
    "POST /api/v1/loans/{number}/collateral-events": "loans.operate",  # the registry's status feed
    "POST /api/v1/loans/collateral-events/{event_id}/handle": "loans.operate",  # 抵押物预警处置
    "GET /api/v1/loans/{number}/due": "loans.view",  # 应还明细 (read audited)
    "POST /api/v1/loans/{number}/repayments": "loans.operate",  # 柜台还款 (Idempotency-Key; 409 during COB)
    "GET /api/v1/loans/{number}/payments": "loans.view",  # 还款记录 (read audited)
    "POST /api/v1/loans/{number}/class": "loans.operate",  # 五级分类人工认定
    "GET /api/v1/loans/cases": "loans.view",  # the collection work queue (masked, read audited)
    "GET /api/v1/loans/cases/{case}": "loans.view",
    "POST /api/v1/loans/cases/{case}/actions": "loans.operate",
    "POST /api/v1/loans/cases/{case}/assign": "loans.operate",
    "POST /api/v1/loans/{number}/restructure": "loans.operate",  # maker; the checker approves through approvals
    "POST /api/v1/loans/{number}/write-off": "loans.operate",  # maker; the checker approves through approvals
    "POST /api/v1/loans/{number}/recoveries": "loans.operate",
    "GET /api/v1/loans/risk": "loans.view",
    "GET /api/v1/loans/credit-export": "loans.operate",  # full ID numbers for the 征信 reporting (read audited)
    "POST /api/v1/loans/registry/registrations": PRINCIPAL,  # 不动产登记 pushes 抵押登记 status (partner token, scope registry.push)
    "GET /api/v1/catalog/items/{code}": PUBLIC,
    "GET /api/v1/catalog/items/{code}/versions": PUBLIC,
    "GET /api/v1/applications": "applications.view",
    "GET /api/v1/applications/{number}": "applications.view",
    "POST /api/v1/applications/{number}/accept": "applications.accept",
    "POST /api/v1/applications/{number}/not-accept": "applications.accept",
    "POST /api/v1/applications/{number}/correction": "applications.accept",
    "POST /api/v1/applications/{number}/review": DELEGATED,  # the permission of the application's current level
    "POST /api/v1/applications/{number}/execute": "applications.accept",
    "GET /api/v1/member/applications": PRINCIPAL,
    "GET /api/v1/member/applications/{number}": PRINCIPAL,
    "GET /api/v1/agent/applications": PRINCIPAL,
    "GET /api/v1/agent/applications/{number}": PRINCIPAL,
    "GET /api/v1/catalog/centers/{center}/items": PUBLIC,
    "GET /api/v1/catalog/centers/{center}/items/{code}": PUBLIC,
    "GET /api/v1/catalog/centers/{center}/items/{code}/versions": PUBLIC,
    "GET /api/v1/settlement/accounts": "settlement.view",
    "POST /api/v1/settlement/accounts": "settlement.operate",
    "GET /api/v1/jobs/": "jobs.view",
    "POST /api/v1/jobs/{pk}/cancel": "jobs.run",
    "POST /api/v1/jobs/{pk}/resume": "jobs.run",
    "POST /api/v1/settlement/channels": "settlement.operate",
    "GET /api/v1/settlement/payees": "settlement.view",
    "POST /api/v1/settlement/payees": "settlement.operate",
    "POST /api/v1/settlement/payees/{pk}/unmask": "personal_data.unmask",
    "GET /api/v1/settlement/instructions": "settlement.view",
    "POST /api/v1/settlement/payments": "settlement.operate",
    "POST /api/v1/settlement/instructions/{seq}/resolve": "settlement.operate",
    "POST /api/v1/settlement/notices/pull": "settlement.operate",
    "POST /api/v1/settlement/dayend": "settlement.operate",
    "GET /api/v1/me": LOGIN,
    "GET /api/v1/ledger/trial-balance": "ledger.view",
    "GET /api/v1/ledger/entries/{voucher_no}": "ledger.view",
    "GET /api/v1/accounts/employers": "accounts.view",
    "GET /api/v1/accounts/employers/{account_no}": "accounts.view",
    "POST /api/v1/accounts/employers": "accounts.open",
    "POST /api/v1/accounts/employers/{account_no}/change": "accounts.change",
    "POST /api/v1/accounts/employers/{account_no}/suspend": "accounts.change",
    "POST /api/v1/accounts/employers/{account_no}/resume": "accounts.change",
    "POST /api/v1/accounts/employers/{account_no}/close": "accounts.change",
    "GET /api/v1/accounts/members": "accounts.view",
    "POST /api/v1/accounts/members/search": "accounts.view",
    "GET /api/v1/accounts/members/{account_no}": "accounts.view",
    "GET /api/v1/accounts/members/{account_no}/history": "accounts.view",
    "POST /api/v1/accounts/members": "accounts.open",
    "POST /api/v1/accounts/members/{account_no}/seal": "accounts.change",
    "POST /api/v1/accounts/members/{account_no}/unseal": "accounts.change",
    "POST /api/v1/accounts/members/{account_no}/transfer": "accounts.change",
    "POST /api/v1/accounts/members/{account_no}/merge": "accounts.change",
    "POST /api/v1/accounts/members/{account_no}/freeze": "accounts.freeze",
    "POST /api/v1/accounts/members/{account_no}/unfreeze": "accounts.freeze",
    "POST /api/v1/accounts/members/{account_no}/base": "accounts.change",
    "POST /api/v1/accounts/members/{account_no}/ratio": "accounts.change",
    "POST /api/v1/access/members/{account_no}/unmask": "personal_data.unmask",
    "GET /api/v1/audit/records": "audit.view",
    "POST /api/v1/member/login": PUBLIC,
    "POST /api/v1/member/otp": PUBLIC,
    "POST /api/v1/agent/login": PUBLIC,
    "POST /api/v1/agent/otp": PUBLIC,
    "POST /api/v1/oauth/token": PUBLIC,
    "POST /api/v1/oauth/revoke": PUBLIC,
    "GET /api/v1/member/accounts": PRINCIPAL,
    "GET /api/v1/member/accounts/{account_no}": PRINCIPAL,
    "POST /api/v1/member/certificates": PRINCIPAL,
    "GET /api/v1/member/certificates": PRINCIPAL,
    "GET /api/v1/member/certificates/{number}/pdf": PRINCIPAL,
    "GET /api/v1/verify/certificates/{number}": PUBLIC,
    "POST /api/v1/verify/certificates/{number}/code": PUBLIC,
    "POST /api/v1/verify/certificates/{number}/file": PUBLIC,
    "GET /api/v1/agent/employer": PRINCIPAL,
    "GET /api/v1/agent/members": PRINCIPAL,
    "POST /api/v1/agent/changes": PRINCIPAL,  # 单位缴存信息变更 (HPF-E-CHANGE)
    "POST /api/v1/agent/applications/{number}/rating": PRINCIPAL,
    "POST /api/v1/member/applications/{number}/rating": PRINCIPAL,
    "POST /api/v1/relief/base-adjustments": "accounts.change",
    "POST /api/v1/relief/employers/{employer_no}/ratio": "accounts.change",
    "POST /api/v1/relief/hardship": "accounts.change",
    "GET /api/v1/relief/hardship": "accounts.view",
    "POST /api/v1/relief/hardship/expire": "accounts.change",
    "GET /api/v1/relief/employers/{employer_no}/deferral-arrears": "accounts.view",
    "GET /api/v1/relief/accounts/{account_no}/continuity": "accounts.view",
    "GET /api/v1/relief/accounts/{account_no}/paid-months": "accounts.view",
    "POST /api/v1/relief/flexible": "accounts.open",
    "POST /api/v1/relief/flexible/{agreement_no}/{action}": "accounts.change",
    "GET /api/v1/relief/flexible/expected": "accounts.view",
    "POST /api/v1/relief/flexible/bill": "contributions.remit",
    "POST /api/v1/relief/flexible-payments": "contributions.remit",
    "GET /api/v1/relief/arrears": "accounts.view",
    "GET /api/v1/relief/accounts/{account_no}/transactions": "accounts.view",
    "POST /api/v1/relief/accounts/{account_no}/statements": "documents.upload",  # archives the PDF
    "GET /api/v1/relief/employers/{employer_no}/remittance-history": "accounts.view",
    "GET /api/v1/contributions/remittances": "accounts.view",
    "GET /api/v1/contributions/remittances/{pk}": "accounts.view",
    "POST /api/v1/contributions/remittances": "contributions.remit",
    "POST /api/v1/contributions/remittances/{pk}/confirm": "contributions.remit",
    "POST /api/v1/contributions/remittances/{pk}/post": "contributions.remit",
    "POST /api/v1/contributions/receipts": "contributions.remit",
    "POST /api/v1/contributions/imports": "contributions.remit",
    "GET /api/v1/contributions/imports/{pk}/errors": "accounts.view",
    "GET /api/v1/approvals/commands": "approvals.approve",
    "POST /api/v1/approvals/commands": DELEGATED,
    "GET /api/v1/approvals/commands/{pk}": DELEGATED,
    "POST /api/v1/approvals/policy-changes": "policy.change",
    "POST /api/v1/approvals/commands/{pk}/approve": DELEGATED,
    "POST /api/v1/approvals/commands/{pk}/reject": DELEGATED,
    # finance (财务)
    "GET /api/v1/finance/statements/{kind}": "finance.view",
    "GET /api/v1/finance/statements/{kind}/export": "finance.view",
    "GET /api/v1/finance/liquidity": "finance.view",
    "GET /api/v1/finance/liquidity/forecast": "finance.view",
    "GET /api/v1/finance/liquidity/snapshots": "finance.view",
    "POST /api/v1/finance/liquidity/snapshots": "finance.manage",
    "GET /api/v1/finance/value-added/{year}": "finance.view",
    "POST /api/v1/finance/value-added/{year}/close": "finance.manage",
    "POST /api/v1/finance/value-added/{year}/distribution": "finance.manage",
    # reconciliation (日终对账)
    "GET /api/v1/reconciliation/reconciliations": "settlement.view",
    "GET /api/v1/reconciliation/reconciliations/{pk}": "settlement.view",
    "GET /api/v1/reconciliation/items": "settlement.view",
    "POST /api/v1/reconciliation/items/{pk}/explain": "settlement.operate",
    "POST /api/v1/reconciliation/items/resolve": "settlement.operate",
    "POST /api/v1/reconciliation/run": "settlement.operate",
    "GET /api/v1/reconciliation/day-end": "settlement.view",
}
