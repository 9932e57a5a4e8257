"""Each user's home page: one section for each kind of role they hold."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linli.accounts.selectors import capabilities_of, role_assignments
from linli.areas.models import AreaKind, Grid
from linli.areas.selectors import area_labels
from linli.care.selectors import care_figures, due_plans
from linli.core.roles import Capability, Role
from linli.fieldwork.selectors import home_block
from linli.people.models import Resident
from linli.people.selectors import (
    grid_summaries,
    household_label,
    tag_counts,
    visible_residents,
)
from linli.requests.selectors import location_labels, overdue_in_scope

AREA_ROLES = {Role.COMMITTEE, Role.CADRE, Role.STAFF, Role.LEADER, Role.ADMIN}
# Overdue requests are escalated to cadres; those who dispatch see them too.
OVERDUE_ROLES = {Role.CADRE, Role.COMMITTEE, Role.STAFF, Role.ADMIN}
OVERDUE_SHOWN = 10
CARE_HOME_ROLES = {Role.VOLUNTEER, Role.GRID_WORKER, Role.STAFF, Role.COMMITTEE}
CARE_DUE_SHOWN = 5


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assignments = role_assignments(user)
    roles = {Role(a.role) for a in assignments}
    context: dict[str, object] = {"assignments": assignments}

    if Role.GRID_WORKER in roles:
        grid_ids = [a.grid_id for a in assignments if a.role == Role.GRID_WORKER and a.grid_id]
        context["my_grids"] = grid_summaries(user=user, grids=Grid.objects.filter(pk__in=grid_ids))

    if roles & AREA_ROLES or user.is_superuser:
        area_paths = [a.area.path for a in assignments if a.area and Role(a.role) in AREA_ROLES]
        context["area_labels"] = area_labels(area_paths, top_kind=AreaKind.COUNTY)
        residents = visible_residents(user, Capability.REGISTER_VIEW)
        context["area_resident_count"] = residents.count()
        context["area_tag_counts"] = tag_counts(residents, user)
        context["area_grids"] = grid_summaries(user=user, grids=Grid.objects.all())

    if roles & OVERDUE_ROLES or user.is_superuser:
        overdue_requests = overdue_in_scope(user)
        rows = list(overdue_requests[:OVERDUE_SHOWN])
        labels = location_labels(rows)
        context["show_overdue"] = True
        context["overdue_rows"] = [(r, labels[r.pk]) for r in rows]
        context["overdue_count"] = overdue_requests.count()

    resident = (
        Resident.objects.filter(user_id=user.pk or 0).select_related("household__unit").first()
    )
    if resident is not None and resident.household is not None:
        context["my_household"] = resident.household
        context["my_household_label"] = household_label(resident.household)
        context["my_household_members"] = list(
            resident.household.members.order_by("relation_to_head", "birth_date")
        )
    context["is_volunteer"] = Role.VOLUNTEER in roles
    if Capability.CARE_VIEW in capabilities_of(user) and roles & CARE_HOME_ROLES:
        # The volunteer's and grid worker's day starts from who is due for a visit.
        context["care"] = care_figures(user)
        context["care_due"] = list(due_plans(user)[:CARE_DUE_SHOWN])
    # Field work: a cadre's sink-down and what they raised, a grid worker's patrol,
    # an overseer's gaps (linli.fieldwork).
    context["fieldwork"] = home_block(user)
    return render(request, "home/home.html", context)
