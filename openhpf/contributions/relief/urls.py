"""Console URLs of the relief services (app_name "relief"), included by the root URLconf at "relief/"."""

from django.urls import path

from . import views as relief_views

app_name = "relief"

urlpatterns = [
    path("arrears/", relief_views.arrears_page, name="arrears"),
    path("arrears/<str:account_no>/notice/", relief_views.employer_arrears_notice, name="employer_arrears_notice"),
    path("arrears/export/", relief_views.arrears_export, name="arrears_export"),
    path("hardship/", relief_views.hardship_page, name="hardship"),
]
