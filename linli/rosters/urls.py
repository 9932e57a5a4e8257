from __future__ import annotations

from django.urls import path

from linli.rosters import views

app_name = "rosters"

urlpatterns = [
    path("", views.roster_week_view, name="week"),
    path("generate/", views.roster_generate_view, name="generate"),
]
