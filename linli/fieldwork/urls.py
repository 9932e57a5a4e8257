from __future__ import annotations

from django.urls import path

from linli.fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.index, name="index"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("concerns/", views.my_concern_list, name="concerns"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("not-down/", views.not_down, name="not_down"),
    path("postings/new/", views.posting_new, name="posting_new"),
    path("patrols/", views.patrol_list, name="patrols"),
    path("patrols/start/", views.patrol_start_view, name="patrol_start"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol_detail"),
    path("patrols/<int:pk>/check/", views.patrol_check_view, name="patrol_check"),
    path("patrols/<int:pk>/findings/", views.patrol_finding_view, name="patrol_finding"),
    path("patrols/<int:pk>/finish/", views.patrol_finish_view, name="patrol_finish"),
    path("findings/<int:pk>/photo/", views.finding_photo, name="finding_photo"),
    path("figures/", views.figures, name="figures"),
]
