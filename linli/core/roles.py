"""Roles and what each may do: one table, read by the scoping mechanism and by views.

A role is always held over a scope (an area subtree or one grid); a capability is
granted over the union of the scopes of the roles that carry it. Keeping this table
in plain code makes "who may do what" reviewable in one place and testable without
a database.
"""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    GRID_WORKER = "grid_worker", _("网格员")
    VOLUNTEER = "volunteer", _("志愿者")
    COMMITTEE = "committee", _("两委成员")
    CADRE = "cadre", _("包片/联点干部")
    STAFF = "staff", _("社区工作者")
    LEADER = "leader", _("镇街领导")
    PARTNER = "partner", _("共建单位")
    ADMIN = "admin", _("管理员")


class Capability(enum.StrEnum):
    # See the register (households and residents) in scope, sensitive fields masked.
    REGISTER_VIEW = "register.view"
    # Create and edit households and residents in scope.
    REGISTER_EDIT = "register.edit"
    # Reveal a masked ID or phone number; every reveal is audited.
    SENSITIVE_REVEAL = "sensitive.reveal"
    # See grids and buildings (the area tree) in scope.
    AREAS_VIEW = "areas.view"
    # See the requests (诉求) located in scope.
    REQUESTS_VIEW = "requests.view"
    # File a request on a resident's behalf or from a patrol, party day or sink-down visit.
    REQUESTS_FILE = "requests.file"
    # Accept, reject, assign and reassign requests in scope (the dispatch queue).
    REQUESTS_DISPATCH = "requests.dispatch"
    # Verify and close resolved requests in scope, or send them back for rework.
    REQUESTS_VERIFY = "requests.verify"
    # See care plans, visits, due lists and alerts of the people in scope.
    CARE_VIEW = "care.view"
    # Log a home visit or phone call (a volunteer: only for people assigned to them).
    CARE_LOG = "care.log"
    # Create and change care plans, build the weekly roster, acknowledge and close alerts.
    CARE_MANAGE = "care.manage"
    # See health readings (blood pressure, blood sugar): the care team and staff only.
    HEALTH_VIEW = "health.view"
    # Manage volunteer profiles and teams, issue service certificates.
    VOLUNTEERS_MANAGE = "volunteers.manage"
    # Record and withdraw consents for sensitive data (health, children under 14).
    CONSENT_RECORD = "consent.record"
    # Export a person's data for them (right of access) and anonymise it on request.
    PERSONAL_DATA = "personal_data.manage"
    # Search and export the audit trail.
    AUDIT_VIEW = "audit.view"
    # --- fieldwork (干部下沉与网格巡查) ---
    # Record one's own sink-down visits and plans (包片/联点 cadres and town leaders).
    SINK_DOWN = "fieldwork.sink_down"
    # Patrol one's own grid and record what was found.
    PATROL = "fieldwork.patrol"
    # See the sink-down visits, who has not gone down, patrols and their figures.
    FIELDWORK_OVERSEE = "fieldwork.oversee"
    # Read survey results (leaders, staff).
    SURVEYS_VIEW = "surveys.view"
    # Compose, publish and close surveys; turn answers into requests.
    SURVEYS_MANAGE = "surveys.manage"
    # --- summer programmes (linli.programmes) ---
    # Run summer programmes in scope: sites, phases, timetables, enrolments, the children's
    # daily register. (The site lead and the programme's team get a programme without it.)
    PROGRAMMES_MANAGE = "programmes.manage"
    # Read the programmes' figures (counts and rates, no child named) in scope.
    PROGRAMMES_FIGURES = "programmes.figures"
    # --- activities (issue 14) ---
    # See activities in scope with their sign-ups and figures.
    ACTIVITIES_VIEW = "activities.view"
    # Create and run activities: sign up by phone, check in, record people served.
    ACTIVITIES_MANAGE = "activities.manage"
    # --- party work (linli.party) ---
    # See party organisations, members, theme party days, points and figures in scope.
    PARTY_VIEW = "party.view"
    # Plan and record theme party days (and file their concerns as requests) in scope.
    PARTY_RECORD = "party.record"
    # Manage party members, their posts and organisations in scope.
    PARTY_MANAGE = "party.manage"
    # --- register import (linli.imports) ---
    # Import households and residents from a sheet into a community in scope.
    REGISTER_IMPORT = "register.import"
    # --- work reports (linli.reports) ---
    # Draft, edit, file and download the monthly/quarterly/yearly work report of an area.
    REPORTS_FILE = "reports.file"


# Who holds each capability: the one table of grants. ``ROLE_CAPABILITIES`` below is this
# table read the other way round; nothing else grants a capability.
_R = Role
GRANTS: dict[Capability, frozenset[Role]] = {
    # A resident's register scope is narrowed to their own household by ``linli.people``; a
    # volunteer's to the people assigned to them, by the care app.
    Capability.REGISTER_VIEW: frozenset(Role) - {_R.PARTNER},
    Capability.REGISTER_EDIT: frozenset({_R.GRID_WORKER, _R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    # Leaders read everything below them, but with personal data masked and no health data.
    Capability.SENSITIVE_REVEAL: frozenset({_R.GRID_WORKER, _R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    Capability.AREAS_VIEW: frozenset(
        {_R.GRID_WORKER, _R.COMMITTEE, _R.CADRE, _R.STAFF, _R.LEADER, _R.ADMIN}
    ),
    Capability.REQUESTS_VIEW: frozenset(
        {_R.GRID_WORKER, _R.COMMITTEE, _R.CADRE, _R.STAFF, _R.LEADER, _R.ADMIN}
    ),
    # Cadres hear residents on their monthly sink-down visits and file what they hear.
    Capability.REQUESTS_FILE: frozenset(
        {_R.GRID_WORKER, _R.COMMITTEE, _R.CADRE, _R.STAFF, _R.ADMIN}
    ),
    Capability.REQUESTS_DISPATCH: frozenset({_R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    Capability.REQUESTS_VERIFY: frozenset({_R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    # The care team (grid workers, volunteers) and the care staff.
    Capability.CARE_VIEW: frozenset(
        {_R.GRID_WORKER, _R.VOLUNTEER, _R.COMMITTEE, _R.STAFF, _R.LEADER, _R.ADMIN}
    ),
    Capability.CARE_LOG: frozenset(
        {_R.GRID_WORKER, _R.VOLUNTEER, _R.COMMITTEE, _R.STAFF, _R.ADMIN}
    ),
    Capability.CARE_MANAGE: frozenset({_R.GRID_WORKER, _R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    Capability.HEALTH_VIEW: frozenset(
        {_R.GRID_WORKER, _R.VOLUNTEER, _R.COMMITTEE, _R.STAFF, _R.ADMIN}
    ),
    Capability.VOLUNTEERS_MANAGE: frozenset({_R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    Capability.CONSENT_RECORD: frozenset({_R.GRID_WORKER, _R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    Capability.PERSONAL_DATA: frozenset({_R.STAFF, _R.ADMIN}),
    Capability.AUDIT_VIEW: frozenset({_R.ADMIN}),
    Capability.SINK_DOWN: frozenset({_R.CADRE, _R.LEADER}),
    Capability.PATROL: frozenset({_R.GRID_WORKER}),
    Capability.FIELDWORK_OVERSEE: frozenset({_R.COMMITTEE, _R.STAFF, _R.LEADER, _R.ADMIN}),
    Capability.SURVEYS_VIEW: frozenset({_R.COMMITTEE, _R.STAFF, _R.LEADER, _R.ADMIN}),
    Capability.SURVEYS_MANAGE: frozenset({_R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    # Staff run summer programmes; leaders read their figures.
    Capability.PROGRAMMES_MANAGE: frozenset({_R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    Capability.PROGRAMMES_FIGURES: frozenset({_R.COMMITTEE, _R.STAFF, _R.LEADER, _R.ADMIN}),
    Capability.ACTIVITIES_VIEW: frozenset(
        {_R.GRID_WORKER, _R.COMMITTEE, _R.STAFF, _R.LEADER, _R.ADMIN}
    ),
    Capability.ACTIVITIES_MANAGE: frozenset({_R.GRID_WORKER, _R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    # Party membership is sensitive, so only party-work roles. A grid worker leads their
    # grid's party group (陈中平 holds its theme party days).
    Capability.PARTY_VIEW: frozenset({_R.GRID_WORKER, _R.COMMITTEE, _R.STAFF, _R.LEADER, _R.ADMIN}),
    Capability.PARTY_RECORD: frozenset({_R.GRID_WORKER, _R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    Capability.PARTY_MANAGE: frozenset({_R.COMMITTEE, _R.STAFF, _R.ADMIN}),
    Capability.REGISTER_IMPORT: frozenset({_R.STAFF, _R.ADMIN}),
    Capability.REPORTS_FILE: frozenset({_R.COMMITTEE, _R.STAFF, _R.LEADER, _R.ADMIN}),
}

# The same grants by role (partners hold none yet).
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    role: frozenset(capability for capability, roles in GRANTS.items() if role in roles)
    for role in Role
}

# Roles whose role-assignment scope is replaced by a narrower, person-based scope.
PERSONAL_SCOPE_ROLES = frozenset({Role.RESIDENT, Role.VOLUNTEER})


def roles_with(capability: Capability) -> frozenset[Role]:
    return GRANTS[capability]


# Roles that see much personal data across grids: their sessions end after 30 minutes
# idle and, where LINLI_REQUIRE_2FA is on (production by default), they log in with
# a one-time code as well as a password (linli.accounts.middleware).
STAFF_ROLES = frozenset({Role.STAFF, Role.COMMITTEE, Role.ADMIN, Role.LEADER})
