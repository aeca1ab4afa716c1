"""Test-only URLconf: the site's URLs plus a probe endpoint on its own NinjaAPI that needs scope verify.member."""

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from openhpf.core.api_errors import install
from openhpf.iam.auth import PartnerTokenAuth
from openhpf.urls import urlpatterns as site_patterns

probe_api = NinjaAPI(urls_namespace="iamprobe", auth=PartnerTokenAuth(scope="verify.member"), docs_url=None)


@probe_api.get("/probe")
def probe(request: HttpRequest):
    return {"client": request.partner.client_id, "purpose": request.auth.purpose}


install(probe_api)
urlpatterns = [path("api/iamprobe/", probe_api.urls), *site_patterns]
