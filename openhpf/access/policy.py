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
    "console:login": PUBLIC,
    "console:logout": PUBLIC,
    "console:login_totp": PUBLIC,
    "console:password_change": LOGIN,
    "console:totp_enrol": LOGIN,
    "console:iam_users": "iam.manage_users",
    "console:iam_user_action": "iam.manage_users",
    "console:iam_partners": "iam.manage_users",
    "console:iam_partner_action": "iam.manage_users",
    "console:iam_outbox": "iam.manage_users",
    "accounts:employer_list": "accounts.view",
    "accounts:employer_detail": "accounts.view",
    "accounts:member_list": "accounts.view",
    "accounts:member_detail": "accounts.view",
    "accounts:member_history": "accounts.view",
    "ledger:home": "ledger.view",
    "jobs:list": "jobs.view",
    "jobs:list_partial": "jobs.view",
    "audit:list": "audit.view",
    "audit:verify": "audit.view",
    "access:member_unmask": "personal_data.unmask",
    "access:member_export": "accounts.export",
    "relief:arrears": "accounts.view",
    "relief:hardship": "accounts.view",
    "approvals:pending": "approvals.approve",
    "approvals:mine": DELEGATED,
    "approvals:detail": DELEGATED,
    "approvals:approve": DELEGATED,
    "approvals:reject": DELEGATED,
}

# API operations ("METHOD /api/v1/path" as in the OpenAPI schema).
API: dict[str, str] = {
    "GET /api/v1/health": PUBLIC,
    "GET /api/v1/me": LOGIN,
    "GET /api/v1/ledger/trial-balance": "ledger.view",
    "GET /api/v1/ledger/entries/{voucher_no}": "ledger.view",
    "GET /api/v1/accounts/employers": "accounts.view",
    "GET /api/v1/accounts/employers/{account_no}": "accounts.view",
    "POST /api/v1/accounts/employers": "accounts.open",
    "POST /api/v1/accounts/employers/{account_no}/suspend": "accounts.change",
    "POST /api/v1/accounts/employers/{account_no}/resume": "accounts.change",
    "POST /api/v1/accounts/employers/{account_no}/close": "accounts.change",
    "GET /api/v1/accounts/members": "accounts.view",
    "GET /api/v1/accounts/members/{account_no}": "accounts.view",
    "GET /api/v1/accounts/members/{account_no}/history": "accounts.view",
    "POST /api/v1/accounts/members": "accounts.open",
    "POST /api/v1/accounts/members/{account_no}/seal": "accounts.change",
    "POST /api/v1/accounts/members/{account_no}/unseal": "accounts.change",
    "POST /api/v1/accounts/members/{account_no}/transfer": "accounts.change",
    "POST /api/v1/accounts/members/{account_no}/freeze": "accounts.freeze",
    "POST /api/v1/accounts/members/{account_no}/unfreeze": "accounts.freeze",
    "POST /api/v1/accounts/members/{account_no}/base": "accounts.change",
    "POST /api/v1/accounts/members/{account_no}/ratio": "accounts.change",
    "POST /api/v1/access/members/{account_no}/unmask": "personal_data.unmask",
    "GET /api/v1/audit/records": "audit.view",
    "POST /api/v1/audit/verify": "audit.view",
    "POST /api/v1/member/login": PUBLIC,
    "POST /api/v1/member/otp": PUBLIC,
    "POST /api/v1/agent/login": PUBLIC,
    "POST /api/v1/agent/otp": PUBLIC,
    "POST /api/v1/oauth/token": PUBLIC,
    "POST /api/v1/oauth/revoke": PUBLIC,
    "GET /api/v1/member/accounts": PRINCIPAL,
    "GET /api/v1/member/accounts/{account_no}": PRINCIPAL,
    "GET /api/v1/agent/employer": PRINCIPAL,
    "GET /api/v1/agent/members": PRINCIPAL,
    "POST /api/v1/relief/base-adjustments": "accounts.change",
    "POST /api/v1/relief/employers/{employer_no}/ratio": "accounts.change",
    "POST /api/v1/relief/hardship": "accounts.change",
    "GET /api/v1/relief/hardship": "accounts.view",
    "POST /api/v1/relief/hardship/expire": "accounts.change",
    "GET /api/v1/relief/employers/{employer_no}/deferral-arrears": "accounts.view",
    "GET /api/v1/relief/accounts/{account_no}/continuity": "accounts.view",
    "POST /api/v1/relief/flexible": "accounts.open",
    "POST /api/v1/relief/flexible/{agreement_no}/{action}": "accounts.change",
    "GET /api/v1/relief/flexible/expected": "accounts.view",
    "GET /api/v1/relief/arrears": "accounts.view",
    "GET /api/v1/relief/accounts/{account_no}/transactions": "accounts.view",
    "POST /api/v1/relief/accounts/{account_no}/statements": "documents.upload",  # archives the PDF
    "GET /api/v1/relief/employers/{employer_no}/remittance-history": "accounts.view",
    "GET /api/v1/approvals/commands": "approvals.approve",
    "POST /api/v1/approvals/commands": DELEGATED,
    "GET /api/v1/approvals/commands/{pk}": DELEGATED,
    "POST /api/v1/approvals/policy-changes": "policy.change",
    "POST /api/v1/approvals/commands/{pk}/approve": DELEGATED,
    "POST /api/v1/approvals/commands/{pk}/reject": DELEGATED,
}
