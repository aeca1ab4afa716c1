from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("receipts/<str:number>/", views.receipt, name="receipt"),
    path("receipts/<str:number>/pdf/", views.receipt_pdf_view, name="receipt_pdf"),
]
