from __future__ import annotations

from django.urls import path

from linli.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload_view, name="upload"),
    path("template.xlsx", views.template_view, name="template"),
    path("jobs/<int:pk>/", views.job_view, name="job"),
    path("jobs/<int:pk>/run/", views.job_run_view, name="job_run"),
    path("export/residents.xlsx", views.residents_export_view, name="export_residents"),
    path("export/households.xlsx", views.households_export_view, name="export_households"),
]
