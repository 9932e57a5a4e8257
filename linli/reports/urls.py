from __future__ import annotations

from django.urls import path

from linli.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index_view, name="index"),
    path("draft/", views.report_draft_view, name="draft"),
    path("<int:pk>/", views.report_detail_view, name="detail"),
    path("<int:pk>/report.<str:fmt>", views.report_download_view, name="download"),
]
