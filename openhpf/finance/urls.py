"""Console URLs of the finance app (app_name "finance"), included by the root URLconf at "finance/"."""

from django.urls import path

from . import funds, views, vouchers

app_name = "finance"

urlpatterns = [
    path("", views.home, name="home"),
    path("statements/", views.statements, name="statements"),
    path("statements/export/", views.statement_export, name="statement_export"),
    path("value-added/", views.value_added, name="value_added"),
    path("value-added/close/", views.value_added_close, name="value_added_close"),
    path("value-added/submit/", views.value_added_submit, name="value_added_submit"),
    path("vouchers/", vouchers.voucher_list, name="vouchers"),
    path("vouchers/<str:voucher_no>/", vouchers.voucher_detail, name="voucher"),
    path("vouchers/<str:voucher_no>/pdf/", vouchers.voucher_pdf, name="voucher_pdf"),
    path("deposits/", funds.deposits, name="deposits"),
    path("liquidity/", views.liquidity_page, name="liquidity"),
    path("liquidity/snapshot/", views.liquidity_snapshot, name="liquidity_snapshot"),
]
