from __future__ import annotations

from django.urls import path

from linli.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list_view, name="list"),
    path("new/", views.activity_create_view, name="create"),
    path("figures/", views.figures_view, name="figures"),
    path("<int:pk>/", views.activity_detail_view, name="detail"),
    path("<int:pk>/signup/", views.signup_view, name="signup"),
    path("<int:pk>/cancel/", views.cancel_view, name="cancel"),
    path("<int:pk>/phone-signup/", views.phone_signup_view, name="phone_signup"),
    path(
        "<int:pk>/signups/<int:signup_pk>/cancel/",
        views.staff_cancel_view,
        name="staff_cancel",
    ),
    path("<int:pk>/helpers/", views.helper_add_view, name="helper_add"),
    path("<int:pk>/help/", views.volunteer_join_view, name="volunteer_join"),
    path("<int:pk>/transition/", views.transition_view, name="transition"),
    path("<int:pk>/served/", views.served_view, name="served"),
    path("<int:pk>/followup/", views.followup_view, name="followup"),
    path("<int:pk>/readings/", views.readings_view, name="readings"),
    path("<int:pk>/summary.pdf", views.summary_pdf_view, name="summary_pdf"),
    path("<int:pk>/qr.svg", views.qr_view, name="qr"),
    path("<int:pk>/checkin/<str:token>/", views.checkin_view, name="checkin"),
    path("<int:pk>/attendance/", views.attendance_view, name="attendance"),
    path("<int:pk>/export.xlsx", views.export_view, name="export"),
]
