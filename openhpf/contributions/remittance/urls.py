"""Console URLs of remittances (app_name "remit"), included by the root URLconf at "contributions/"."""

from django.urls import path

from . import employer_views, suspense_counter, views

app_name = "remit"

urlpatterns = [
    path("receipts/", views.receipt_queue, name="receipts"),
    path("receipts/<int:pk>/assign/", views.receipt_assign, name="receipt_assign"),
    path("remittances/", views.remittance_list, name="list"),
    path("remittances/upload/", views.remittance_upload, name="upload"),
    path("remittances/<int:pk>/", views.remittance_detail, name="detail"),
    path("remittances/<int:pk>/confirm/", views.remittance_confirm, name="confirm"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
    # the employer page's panels and transactions (registered with accounts.panels)
    path("employers/<str:account_no>/remittances/", employer_views.employer_remittances,
         name="employer_remittances"),
    path("employers/<str:account_no>/suspense/", employer_views.employer_suspense, name="employer_suspense"),
    path("employers/<str:account_no>/suspense/allocate/", suspense_counter.SuspenseAllocate.as_view(),
         name="employer_suspense_allocate"),
]
