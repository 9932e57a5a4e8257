from __future__ import annotations

from django.urls import path

from linli.people import views

app_name = "people"

urlpatterns = [
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/new/", views.resident_create_view, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit_view, name="resident_edit"),
    path(
        "residents/<int:pk>/reveal/<str:field>/",
        views.resident_reveal_view,
        name="resident_reveal",
    ),
    path(
        "residents/<int:pk>/contacts/",
        views.emergency_contact_add_view,
        name="emergency_contact_add",
    ),
    path(
        "contacts/<int:pk>/delete/",
        views.emergency_contact_delete_view,
        name="emergency_contact_delete",
    ),
    path("residents/<int:pk>/consents/", views.consent_history_view, name="consent_history"),
    path("residents/<int:pk>/consents/new/", views.consent_record_view, name="consent_record"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw_view, name="consent_withdraw"),
    path("residents/<int:pk>/personal-data/", views.personal_data_view, name="personal_data"),
    path("residents/<int:pk>/anonymise/", views.anonymise_view, name="anonymise"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create_view, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit_view, name="household_edit"),
    path("grids/", views.community_list, name="community_list"),
    path("grids/community/<int:pk>/", views.community_grids, name="community_grids"),
    path("grids/<int:pk>/", views.grid_detail, name="grid_detail"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
]
