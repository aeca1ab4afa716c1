"""Root URLs: the staff console, the JSON API (/api/v1, OpenAPI docs at /api/v1/docs)."""

from django.urls import include, path

from openhpf.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("jobs/", include("openhpf.jobs.urls")),
    path("accounts/", include("openhpf.accounts.urls")),
    path("ledger/", include("openhpf.ledger.urls")),
    path("approvals/", include("openhpf.approvals.urls")),
    path("audit/", include("openhpf.audit.urls")),
    path("access/", include("openhpf.accounts.personal_urls")),
    path("relief/", include("openhpf.contributions.relief.urls")),
    path("contributions/", include("openhpf.contributions.remittance.urls")),
    path("settlement/", include("openhpf.settlement.urls")),
    path("reconciliation/", include("openhpf.reconciliation.urls")),
    path("finance/", include("openhpf.finance.urls")),
    path("", include("openhpf.console.urls")),
]
