"""A root URLconf for the view tests: only the jobs URLs, mounted where the lead mounts them."""

from django.urls import include, path

urlpatterns = [path("jobs/", include("openhpf.jobs.urls"))]
