"""Job URLs (included by the root URLconf at "jobs/")."""

from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list_page, name="list"),
    path("partial/", views.job_list_partial, name="list_partial"),
]
