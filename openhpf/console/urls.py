"""Console URLs (app_name "console"), included at the site root: sign-in, home, and the 安全管理 screens."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from openhpf.access import views as access_views
from openhpf.iam import views as iam_views

from . import audit_tools, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("cockpit/", views.cockpit_page, name="cockpit"),
    path("audit-tools/chain/", audit_tools.audit_chain, name="audit_chain"),
    path("audit-tools/chain/<int:job_id>/", audit_tools.audit_chain_progress, name="audit_chain_progress"),
    path("audit-tools/export/", audit_tools.audit_export, name="audit_export"),
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.login_totp, name="login_totp"),
    path("logout/", LogoutView.as_view(), name="logout"),  # POST only (Django 5)
    path("password/", views.password_change, name="password_change"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("totp/", views.totp_enrol, name="totp_enrol"),
    path("security/users/", iam_views.users, name="iam_users"),
    path("security/users/<int:user_id>/roles/", access_views.user_roles, name="iam_user_roles"),
    path("security/users/<int:user_id>/<slug:action>/", iam_views.user_action, name="iam_user_action"),
    path("security/partners/", iam_views.partners, name="iam_partners"),
    path("security/partners/<int:client_id>/<slug:action>/", iam_views.partner_action, name="iam_partner_action"),
    path("security/outbox/", iam_views.outbox, name="iam_outbox"),
    path("security/outbox/dev/", iam_views.outbox_dev, name="iam_outbox_dev"),
]
