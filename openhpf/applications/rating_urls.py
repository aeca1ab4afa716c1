"""Console URLs of 好差评 (app_name "ratings"): the 差评 follow-ups."""

from django.urls import path

from . import rating_views

app_name = "ratings"

urlpatterns = [
    path("followups/", rating_views.followups, name="followups"),
    path("followups/<int:pk>/", rating_views.followup, name="followup"),
]
