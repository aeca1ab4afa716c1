"""The JSON API (django-ninja, OpenAPI at /api/v1/docs): one NinjaAPI that every domain app adds a router to.

How an app plugs in (keep the view thin: parse, call one service or selector, return):

    # openhpf/ledger/api.py
    from ninja import Router
    router = Router(tags=["账务"])

    @router.get("/accounts/{code}")
    def account_get(request, code: str): ...      # request.user is the authenticated staff member

    # at the bottom of this file, in the block "Domain routers":
    from openhpf.ledger.api import router as ledger_router
    api.add_router("/ledger/", ledger_router)        # → /api/v1/ledger/accounts/{code}

Every endpoint requires a staff bearer token (StaffTokenAuth) unless it says `auth=None`.
Every error has one shape, {"code","message","field","row","details"}, and the HTTP status of its code in the
catalogue (openhpf/core/error_codes.py, docs/errors.md): a DomainError raised by a service, a PermissionDenied (403
FORBIDDEN), a ValidationReport (422 VALIDATION, the errors in details.errors), a missing or bad token (401), a
request that does not validate (400 INPUT_INVALID, in Chinese). openhpf/core/api_errors.py does it in one place.
Entry points own the transaction: wrap writes in `transaction.atomic(durable=True)` in the endpoint.
A POST that moves money carries `@idempotent(authorize=…, money_moving=True)` (openhpf/core/idempotency.py) under
its route decorator; openhpf/tests/test_api_idempotency.py states the rule and fails for a POST without it.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from openhpf.core import api_errors, idempotency
from openhpf.core.api_errors import ErrorOut
from openhpf.iam.auth import StaffTokenAuth, openapi_login_required
from openhpf.iam.services import staff_center

api = NinjaAPI(
    title="OpenHPF 开放住房公积金平台 API",
    version="1",
    description="住房公积金管理中心业务接口。认证：`Authorization: Bearer <令牌>`（令牌由 `hpf api_token 用户名` 签发）。",
    auth=StaffTokenAuth(),
    docs_url="/docs",
    # the document and its page need a staff sign-in where HPF_OPENAPI_LOGIN_REQUIRED is on (production)
    docs_decorator=openapi_login_required,
    urls_namespace="api",
)


class HealthOut(Schema):
    status: str
    database: str


@api.get("/health", auth=None, response=HealthOut, tags=["系统"], summary="健康检查（无需认证）")
def health(request: HttpRequest):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}


class CenterOut(Schema):
    code: str
    name: str
    city: str


class MeOut(Schema):
    username: str
    display_name: str
    is_superuser: bool
    center: CenterOut | None
    business_date: date | None


@api.get("/me", response={200: MeOut, 422: ErrorOut}, tags=["系统"], summary="当前业务人员、所属中心与业务日期")
def me(request: HttpRequest):
    user = request.user
    center = staff_center(user)
    profile = getattr(user, "staff_profile", None)
    return {
        "username": user.get_username(),
        "display_name": (profile.display_name if profile else "") or user.get_username(),
        "is_superuser": user.is_superuser,
        "center": center,
        "business_date": center.business_date if center else None,
    }


# ---- Domain routers: one line per app, `api.add_router("/<app>/", router)` (see the module docstring). ----
from openhpf.accounts.api import router as accounts_router  # noqa: E402
from openhpf.ledger.api import router as ledger_router  # noqa: E402

api.add_router("/ledger/", ledger_router)
api.add_router("/accounts/", accounts_router)
from openhpf.approvals.api import router as approvals_router  # noqa: E402

api.add_router("/approvals/", approvals_router)
from openhpf.accounts.personal_api import router as access_router  # noqa: E402
from openhpf.audit.api import router as audit_router  # noqa: E402

api.add_router("/access/", access_router)
api.add_router("/audit/", audit_router)
from openhpf.iam.api import router as oauth_router  # noqa: E402
from openhpf.servicehall.api import agent_router, member_router  # noqa: E402

api.add_router("/oauth/", oauth_router)
api.add_router("/member/", member_router)
from openhpf.items.certificate_api import router as verify_router  # noqa: E402

api.add_router("/verify/", verify_router)
api.add_router("/agent/", agent_router)
from openhpf.servicehall.applications_api import (  # noqa: E402
    agent_applications_router,
    member_applications_router,
)

api.add_router("/agent/", agent_applications_router)
api.add_router("/member/", member_applications_router)
from openhpf.contributions.relief.api import router as relief_router  # noqa: E402

api.add_router("/relief/", relief_router)
from openhpf.contributions.remittance.api import router as contributions_router  # noqa: E402

api.add_router("/contributions/", contributions_router)
from openhpf.finance.api import router as finance_router  # noqa: E402
from openhpf.reconciliation.api import router as reconciliation_router  # noqa: E402
from openhpf.settlement.api import router as settlement_router  # noqa: E402

api.add_router("/settlement/", settlement_router)
api.add_router("/reconciliation/", reconciliation_router)
api.add_router("/finance/", finance_router)
from openhpf.jobs.api import router as jobs_router  # noqa: E402

api.add_router("/jobs/", jobs_router)
from openhpf.catalog.api import router as catalog_router  # noqa: E402

api.add_router("/catalog/", catalog_router)
from openhpf.applications.api import agent_router as agent_applications_router  # noqa: E402
from openhpf.applications.api import member_router as member_applications_router  # noqa: E402
from openhpf.applications.api import router as applications_router  # noqa: E402

api.add_router("/applications", applications_router)
api.add_router("/member/", member_applications_router)
api.add_router("/agent/", agent_applications_router)
from openhpf.withdrawals.agreed_api import router as agreed_router  # noqa: E402
from openhpf.withdrawals.api import router as withdrawals_router  # noqa: E402

api.add_router("/withdrawals/", withdrawals_router)
from openhpf.loans.api import router as loans_router  # noqa: E402
from openhpf.loans.calculator_api import router as loans_calculator_router  # noqa: E402
from openhpf.loans.prepay_api import router as loans_prepay_router  # noqa: E402
from openhpf.loans.risk_api import router as loans_risk_router  # noqa: E402
from openhpf.loans.servicing_api import router as loans_servicing_router  # noqa: E402

api.add_router("/loans/", loans_calculator_router)  # before the loans router: /loans/calculator is not a loan number
api.add_router("/loans/", loans_risk_router)  # before it too: /loans/cases, /risk, /credit-export are not loan numbers
api.add_router("/loans", loans_prepay_router)  # prepayment, payoff, certificate, collateral (own paths)
api.add_router("/loans/", loans_servicing_router)  # 贷后: /loans/{number}/due, repayments, payments, class
api.add_router("/loans", loans_router)
api.add_router("/withdrawals/agreements", agreed_router)  # 约定提取 (withdrawals/agreed_api.py)

api_errors.install(api)  # the error shape, statuses and their OpenAPI documentation, for every operation
idempotency.document(api)  # the Idempotency-Key header of the @idempotent operations, in the OpenAPI schema
