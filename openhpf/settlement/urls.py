"""Console URLs of the settlement app (app_name "settlement")."""

from django.urls import path  # noqa: F401

app_name = "settlement"

urlpatterns: list = []
