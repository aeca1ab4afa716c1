"""Job URLs (included by the root URLconf at "jobs/")."""

from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list_page, name="list"),
    path("partial/", views.job_list_partial, name="list_partial"),
    path("<int:pk>/cancel/", views.job_cancel_view, name="cancel"),
    path("<int:pk>/resume/", views.job_resume_view, name="resume"),
]
