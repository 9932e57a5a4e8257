"""Each user's home page: one section for each kind of role they hold."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.selectors import AnyUser, capabilities_of, role_assignments
from linli.areas.models import AreaKind, Grid
from linli.areas.selectors import area_labels
from linli.care.selectors import CareFigures, care_figures, due_plans, loggable_ids
from linli.core.roles import Capability, Role
from linli.dashboard import snapshots
from linli.fieldwork.selectors import home_block
from linli.people.models import Resident
from linli.people.selectors import (
    grid_summaries,
    household_label,
)
from linli.requests.selectors import location_labels, overdue_in_scope, request_todos
from linli.requests.workflow import Status
from linli.volunteers.selectors import pending_hours_count

AREA_ROLES = {Role.COMMITTEE, Role.CADRE, Role.STAFF, Role.LEADER, Role.ADMIN}
# Overdue requests are escalated to cadres; those who dispatch see them too.
OVERDUE_ROLES = {Role.CADRE, Role.COMMITTEE, Role.STAFF, Role.ADMIN}
# A short list and a link to the rest: the home is not the overdue list.
OVERDUE_SHOWN = 3
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
        now = timezone.now()
        overview, counted_at = snapshots.area_overview(user, now=now)
        seconds = snapshots.register_lifetime()
        context["area"], context["area_counted_at"] = overview, counted_at
        context["area_minutes"] = max(seconds // 60, 1)
        context["area_recounting"] = snapshots.is_stale(counted_at, now, seconds=seconds)

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
    # Counted once for the care block and the to-dos, and only for those who are shown
    # either (a leader's were counted and dropped: 0.6 s for a county at 3 M residents);
    # the gaps only where they are shown.
    care = (
        care_figures(user, with_gaps=Role.VOLUNTEER not in roles)
        if Capability.CARE_VIEW in capabilities_of(user) and uses_care_figures(user, roles)
        else None
    )
    if care is not None and roles & CARE_HOME_ROLES:
        # The volunteer's and grid worker's day starts from who is due for a visit.
        context["care"] = care
        care_due = list(due_plans(user)[:CARE_DUE_SHOWN])
        context["care_due"] = care_due
        context["care_loggable"] = loggable_ids(user, [p.resident_id for p in care_due])
    context["todos"] = todos(user, roles, care)
    context["report_first"] = Role.RESIDENT in roles
    # Field work: a cadre's sink-down and what they raised, a grid worker's patrol,
    # an overseer's gaps (linli.fieldwork).
    context["fieldwork"] = home_block(user)
    return render(request, "home/home.html", context)


# --- to-dos first (issue 17) -----------------------------------------------------------------

TODO_STAFF_ROLES = {Role.STAFF, Role.COMMITTEE, Role.ADMIN}


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    alarm: bool = False  # shown in red while non-zero


def uses_care_figures(user: AnyUser, roles: set[Role]) -> bool:
    """Whether the home shows care counts: the care block, or a to-do counted from them."""
    return bool(roles & (CARE_HOME_ROLES | TODO_STAFF_ROLES)) or user.is_superuser


def todos(user: AnyUser, roles: set[Role], care: CareFigures | None = None) -> list[Todo]:
    """Each role's home starts with what waits for it, as counts that open the lists
    (``care``: the user's care counts when the caller has them already)."""
    caps = capabilities_of(user)
    items: list[Todo] = []
    shows_queue = bool(roles & TODO_STAFF_ROLES or user.is_superuser) and (
        Capability.REQUESTS_VIEW in caps
    )
    requests = request_todos(user, tasks=Role.GRID_WORKER in roles, queue=shows_queue)
    if care is None and Capability.CARE_VIEW in caps and uses_care_figures(user, roles):
        care = care_figures(user)
    if Role.GRID_WORKER in roles:
        tasks_url = reverse("requests:tasks")
        items += [
            Todo(_("我的任务"), requests.tasks, tasks_url),
            Todo(_("超期"), requests.tasks_overdue, tasks_url, alarm=True),
        ]
        if care is not None:
            items.append(Todo(_("今天该走访"), care.due, reverse("care:due_list")))
    if shows_queue:
        queue = reverse("requests:queue")
        items += [
            Todo(_("待派单"), requests.to_dispatch, f"{queue}?status=waiting"),
            Todo(_("待核实"), requests.to_verify, f"{queue}?status={Status.RESOLVED}"),
        ]
        if care is not None:
            items.append(Todo(_("预警"), care.open_alerts, reverse("care:alert_list"), alarm=True))
    if Capability.VOLUNTEERS_MANAGE in caps:
        # Those who review volunteers' claims: the claims waiting in their communities (or
        # grids), without their own, as the queue the count opens lists them.
        items.append(
            Todo(_("待审核时长"), pending_hours_count(user), reverse("volunteers:hours_review"))
        )
    return items
