"""Console URLs of the audit trail (app_name "audit"), included by the root URLconf at "audit/"."""

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="list"),
]
