"""Console URLs of bank settlement (app_name "settlement"), included at "settlement/"."""

from django.urls import path

from . import views

app_name = "settlement"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/open/", views.account_open, name="account_open"),
    path("payees/add/", views.payee_add, name="payee_add"),
    path("instructions/", views.instruction_list, name="instructions"),
    path("instructions/<int:pk>/action/", views.instruction_action, name="instruction_action"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/pull/", views.notices_pull, name="notices_pull"),
    path("notices/<int:pk>/handle/", views.notice_handle, name="notice_handle"),
    path("notify/<str:center_code>/<str:bank_code>/", views.notice_push, name="notice_push"),
]
