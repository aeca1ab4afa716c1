"""Console URLs of the finance app (app_name "finance"), included by the root URLconf at "finance/"."""

from django.urls import path

from . import counters, funds, views, vouchers

app_name = "finance"

urlpatterns = [
    path("", views.home, name="home"),
    path("statements/", views.statements, name="statements"),
    path("statements/export/", views.statement_export, name="statement_export"),
    path("ledger/", views.ledger_page, name="ledger"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("value-added/", views.value_added, name="value_added"),
    path("value-added/close/", counters.YearEndClose.as_view(), name="value_added_close"),
    path("value-added/submit/", counters.Distribution.as_view(), name="value_added_submit"),
    path("value-added/transfer/", counters.ValueAddedTransfer.as_view(), name="value_added_transfer"),
    path("vouchers/", vouchers.voucher_list, name="vouchers"),
    path("vouchers/new/", counters.ManualVoucher.as_view(), name="voucher_new"),
    path("vouchers/<str:voucher_no>/reverse/", counters.VoucherReverse.as_view(), name="voucher_reverse"),
    path("vouchers/<str:voucher_no>/", vouchers.voucher_detail, name="voucher"),
    path("vouchers/<str:voucher_no>/pdf/", vouchers.voucher_pdf, name="voucher_pdf"),
    path("deposits/", funds.deposits, name="deposits"),
    path("deposits/open/", counters.DepositOpen.as_view(), name="deposit_open"),
    path("deposits/<int:pk>/withdraw/", counters.DepositWithdraw.as_view(), name="deposit_withdraw"),
    path("deposits/<int:pk>/notify/", counters.DepositNotify.as_view(), name="deposit_notify"),
    path("liquidity/", views.liquidity_page, name="liquidity"),
    path("liquidity/snapshot/", views.liquidity_snapshot, name="liquidity_snapshot"),
]
