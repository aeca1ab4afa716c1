"""Console URLs of remittances (app_name "remit"), included by the root URLconf at "contributions/"."""

from django.urls import path

from . import counter, employer_views, suspense_counter, views
from .counter_adjust import EmployerBaseAdjust, ManualReceipt, RemittanceRefund

app_name = "remit"

urlpatterns = [
    path("receipts/", views.receipt_queue, name="receipts"),
    path("receipts/<int:pk>/assign/", views.receipt_assign, name="receipt_assign"),
    path("remittances/", views.remittance_list, name="list"),
    path("remittances/export/", views.remittance_export, name="export"),
    path("remittances/upload/", views.remittance_upload, name="upload"),
    path("remittances/upload/template/", views.upload_template, name="template"),
    path("remittances/month/", counter.RemitMonth.as_view(), name="month"),
    path("remittances/back/", counter.BackPay.as_view(), name="back"),
    # the same transactions from an employer's page (单位账号 filled in)
    path("employers/<str:account_no>/remit/", counter.RemitMonth.as_view(), name="employer_month"),
    path("employers/<str:account_no>/back/", counter.BackPay.as_view(), name="employer_back"),
    path("remittances/<int:pk>/", views.remittance_detail, name="detail"),
    path("remittances/<int:pk>/confirm/", views.remittance_confirm, name="confirm"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
    # the employer page's panels and transactions (registered with accounts.panels)
    path("employers/<str:account_no>/remittances/", employer_views.employer_remittances,
         name="employer_remittances"),
    path("employers/<str:account_no>/suspense/", employer_views.employer_suspense, name="employer_suspense"),
    path("employers/<str:account_no>/suspense/allocate/", suspense_counter.SuspenseAllocate.as_view(),
         name="employer_suspense_allocate"),
    path("employers/<str:account_no>/suspense/allocate/choices/", suspense_counter.allocate_choices,
         name="employer_suspense_choices"),
    # counter: 年度基数调整, 退缴, 手工登记到账 (counter_adjust.py)
    path("employers/<str:account_no>/base-adjust/", EmployerBaseAdjust.as_view(), name="employer_base_adjust"),
    path("remittances/<int:pk>/refund/", RemittanceRefund.as_view(), name="refund"),
    path("receipts/manual/", ManualReceipt.as_view(), name="receipt_manual"),
    path("employers/<str:account_no>/receipt-manual/", ManualReceipt.as_view(), name="employer_receipt_manual"),
]
