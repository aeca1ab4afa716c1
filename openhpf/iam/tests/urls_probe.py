"""Test-only URLconf: the site's URLs plus a probe endpoint on its own NinjaAPI that needs scope verify.member."""

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from openhpf.api import domain_error, permission_denied
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.iam.auth import PartnerTokenAuth
from openhpf.urls import urlpatterns as site_patterns

probe_api = NinjaAPI(urls_namespace="iamprobe", auth=PartnerTokenAuth(scope="verify.member"), docs_url=None)
probe_api.add_exception_handler(DomainError, domain_error)
probe_api.add_exception_handler(PermissionDenied, permission_denied)


@probe_api.get("/probe")
def probe(request: HttpRequest):
    return {"client": request.partner.client_id, "purpose": request.auth.purpose}


urlpatterns = [path("api/iamprobe/", probe_api.urls), *site_patterns]
