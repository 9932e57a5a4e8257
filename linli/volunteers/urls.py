from __future__ import annotations

from django.urls import path

from linli.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.volunteer_list_view, name="list"),
    path("me/", views.my_service_view, name="my_service"),
    path("me/hours/new/", views.hours_submit_view, name="hours_submit"),
    path("me/hours/<int:pk>/edit/", views.hours_edit_view, name="hours_edit"),
    path("me/hours/<int:pk>/withdraw/", views.hours_withdraw_view, name="hours_withdraw"),
    path("hours/", views.hours_review_view, name="hours_review"),
    path("hours/approve/", views.hours_approve_view, name="hours_approve"),
    path("hours/<int:pk>/reject/", views.hours_reject_view, name="hours_reject"),
    path("teams/", views.team_list_view, name="teams"),
    path("<int:pk>/", views.volunteer_detail_view, name="detail"),
    path("<int:pk>/edit/", views.volunteer_edit_view, name="edit"),
    path("<int:pk>/teams/", views.team_join_view, name="team_join"),
    path("<int:pk>/teams/<int:team_pk>/leave/", views.team_leave_view, name="team_leave"),
    path("<int:pk>/certificates/", views.certificate_issue_view, name="certificate_issue"),
    path("certificates/<str:number>.pdf", views.certificate_pdf_view, name="certificate_pdf"),
]
