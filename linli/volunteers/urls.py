from __future__ import annotations

from django.urls import path

from linli.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.volunteer_list_view, name="list"),
    path("me/", views.my_service_view, name="my_service"),
    path("teams/", views.team_list_view, name="teams"),
    path("<int:pk>/", views.volunteer_detail_view, name="detail"),
    path("<int:pk>/edit/", views.volunteer_edit_view, name="edit"),
    path("<int:pk>/teams/", views.team_join_view, name="team_join"),
    path("<int:pk>/teams/<int:team_pk>/leave/", views.team_leave_view, name="team_leave"),
    path("<int:pk>/certificates/", views.certificate_issue_view, name="certificate_issue"),
    path("certificates/<str:number>.pdf", views.certificate_pdf_view, name="certificate_pdf"),
]
