"""Root URLs: the staff console, the JSON API (/api/v1, OpenAPI docs at /api/v1/docs)."""

from django.urls import include, path

from openhpf.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("jobs/", include("openhpf.jobs.urls")),
    path("accounts/", include("openhpf.accounts.urls")),
    path("ledger/", include("openhpf.ledger.urls")),
    path("", include("openhpf.console.urls")),
]
