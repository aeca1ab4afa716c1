"""核验 URLs (included by the root URLconf at "verification/")."""

from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("", views.query_list, name="queries"),
]
