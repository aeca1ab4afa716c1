"""Root URLs: the staff console, the JSON API (/api/v1, OpenAPI docs at /api/v1/docs), and the error handlers:
Chinese pages (templates/400.html, 403.html, 404.html, 500.html) outside the API, the catalogue's JSON shape
under /api/ (core/edges.py)."""

from django.urls import include, path

from openhpf.api import api
from openhpf.core import views as core_views
from openhpf.items import certificate_urls

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

urlpatterns = [
    path("api/v1/", api.urls),
    path("jobs/", include("openhpf.jobs.urls")),
    path("accounts/", include("openhpf.accounts.urls")),
    path("ledger/", include("openhpf.ledger.urls")),
    path("documents/", include("openhpf.documents.urls")),
    path("approvals/", include("openhpf.approvals.urls")),
    path("audit/", include("openhpf.audit.urls")),
    path("access/", include("openhpf.accounts.personal_urls")),
    path("relief/", include("openhpf.contributions.relief.urls")),
    path("contributions/", include("openhpf.contributions.remittance.urls")),
    path("settlement/", include("openhpf.settlement.urls")),
    path("reconciliation/", include("openhpf.reconciliation.urls")),
    path("finance/", include("openhpf.finance.urls")),
    path("catalog/", include("openhpf.catalog.urls")),
    path("verification/", include("openhpf.verification.urls")),
    path("ratings/", include("openhpf.applications.rating_urls")),
    path("verify/", include((certificate_urls.verify_patterns, "verify"))),
    path("items/certificates/", include((certificate_urls.console_patterns, "certificates"))),
    path("hall/employer/", include("openhpf.servicehall.employer_urls")),  # 单位网厅 (employer agents)
    path("hall/", include("openhpf.servicehall.urls")),
    path("withdrawals/", include("openhpf.withdrawals.urls")),
    path("loans/", include("openhpf.loans.urls")),
    path("applications/", include("openhpf.applications.urls")),
    path("", include("openhpf.console.urls")),
]
