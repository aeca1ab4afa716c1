"""URLs of 缴存使用证明: the public verification page (included at "verify/", namespace "verify") and the
counter's pages (included at "items/certificates/", namespace "certificates")."""

from django.urls import path

from . import certificate_views as views

verify_patterns = [
    path("<str:number>/", views.verify, name="certificate"),
]

console_patterns = [
    path("issue/<str:account_no>/", views.issue, name="issue"),
    path("<str:number>/", views.issued, name="issued"),
    path("<str:number>/pdf/", views.pdf, name="pdf"),
]
