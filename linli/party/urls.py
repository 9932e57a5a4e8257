from __future__ import annotations

from django.urls import path

from linli.party import views

app_name = "party"

urlpatterns = [
    path("", views.tree_view, name="tree"),
    path("members/", views.member_list_view, name="members"),
    path("members/new/", views.member_new_view, name="member_new"),
    path("members/<int:pk>/", views.member_detail_view, name="member"),
    path("members/<int:pk>/posts/", views.post_add_view, name="post_add"),
    path("me/", views.my_membership_view, name="me"),
    path("days/", views.party_day_list_view, name="days"),
    path("days/<int:pk>/", views.party_day_detail_view, name="day"),
    path("days/<int:pk>/record/", views.party_day_record_view, name="record"),
    path("ranking/", views.ranking_view, name="ranking"),
    path("figures/", views.figures_view, name="figures"),
]
