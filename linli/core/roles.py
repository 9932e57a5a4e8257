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


_EVERYONE_WITH_AN_AREA = {Capability.AREAS_VIEW, Capability.REQUESTS_VIEW}
_CARE_TEAM = {
    Capability.CARE_VIEW,
    Capability.CARE_LOG,
    Capability.HEALTH_VIEW,
}
_CARE_STAFF = {
    *_CARE_TEAM,
    Capability.CARE_MANAGE,
    Capability.VOLUNTEERS_MANAGE,
    Capability.CONSENT_RECORD,
}
_DISPATCHERS = {
    Capability.REQUESTS_FILE,
    Capability.REQUESTS_DISPATCH,
    Capability.REQUESTS_VERIFY,
}
_SURVEYORS = {Capability.SURVEYS_VIEW, Capability.SURVEYS_MANAGE}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    # A resident's scope is narrowed to their own household by ``linli.people``.
    Role.RESIDENT: frozenset({Capability.REGISTER_VIEW}),
    Role.GRID_WORKER: frozenset(
        {
            Capability.REGISTER_VIEW,
            Capability.REGISTER_EDIT,
            Capability.SENSITIVE_REVEAL,
            Capability.REQUESTS_FILE,
            Capability.CARE_MANAGE,
            Capability.CONSENT_RECORD,
            *_CARE_TEAM,
            *_EVERYONE_WITH_AN_AREA,
        }
    ),
    # A volunteer sees the people assigned to them, filled in by the care app.
    Role.VOLUNTEER: frozenset({Capability.REGISTER_VIEW, *_CARE_TEAM}),
    Role.COMMITTEE: frozenset(
        {
            Capability.REGISTER_VIEW,
            Capability.REGISTER_EDIT,
            Capability.SENSITIVE_REVEAL,
            *_EVERYONE_WITH_AN_AREA,
            *_DISPATCHERS,
            *_SURVEYORS,
            *_CARE_STAFF,
        }
    ),
    # Cadres hear residents on their monthly sink-down visits and file what they hear.
    Role.CADRE: frozenset(
        {Capability.REGISTER_VIEW, Capability.REQUESTS_FILE, *_EVERYONE_WITH_AN_AREA}
    ),
    Role.STAFF: frozenset(
        {
            Capability.PERSONAL_DATA,
            Capability.REGISTER_VIEW,
            Capability.REGISTER_EDIT,
            Capability.SENSITIVE_REVEAL,
            *_EVERYONE_WITH_AN_AREA,
            *_DISPATCHERS,
            *_SURVEYORS,
            *_CARE_STAFF,
        }
    ),
    # Leaders read everything below them, with personal data masked and no health data.
    Role.LEADER: frozenset(
        {
            Capability.REGISTER_VIEW,
            Capability.CARE_VIEW,
            Capability.SURVEYS_VIEW,
            *_EVERYONE_WITH_AN_AREA,
        }
    ),
    Role.PARTNER: frozenset(),
    Role.ADMIN: frozenset(
        {
            Capability.PERSONAL_DATA,
            Capability.REGISTER_VIEW,
            Capability.REGISTER_EDIT,
            Capability.SENSITIVE_REVEAL,
            Capability.AUDIT_VIEW,
            *_EVERYONE_WITH_AN_AREA,
            *_DISPATCHERS,
            *_SURVEYORS,
            *_CARE_STAFF,
        }
    ),
}

# --- summer programmes (linli.programmes): staff run them, leaders read the figures ---
for _role in (Role.STAFF, Role.COMMITTEE, Role.ADMIN):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {
        Capability.PROGRAMMES_MANAGE,
        Capability.PROGRAMMES_FIGURES,
    }
ROLE_CAPABILITIES[Role.LEADER] = ROLE_CAPABILITIES[Role.LEADER] | {Capability.PROGRAMMES_FIGURES}
# --- activities (issue 14) ---
_ACTIVITY_MANAGERS = (Role.GRID_WORKER, Role.COMMITTEE, Role.STAFF, Role.ADMIN)
ROLE_CAPABILITIES = {
    role: caps
    | (
        {Capability.ACTIVITIES_VIEW, Capability.ACTIVITIES_MANAGE}
        if role in _ACTIVITY_MANAGERS
        else {Capability.ACTIVITIES_VIEW}
        if role is Role.LEADER
        else set()
    )
    for role, caps in ROLE_CAPABILITIES.items()
}
# --- end activities ---
# --- fieldwork (干部下沉与网格巡查): appended here to keep the table above untouched ---
_FIELDWORK_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.CADRE: frozenset({Capability.SINK_DOWN}),
    Role.LEADER: frozenset({Capability.SINK_DOWN, Capability.FIELDWORK_OVERSEE}),
    Role.GRID_WORKER: frozenset({Capability.PATROL}),
    Role.COMMITTEE: frozenset({Capability.FIELDWORK_OVERSEE}),
    Role.STAFF: frozenset({Capability.FIELDWORK_OVERSEE}),
    Role.ADMIN: frozenset({Capability.FIELDWORK_OVERSEE}),
}
for _role, _caps in _FIELDWORK_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps
# --- end fieldwork ---
# --- party work (linli.party): membership is sensitive, so only party-work roles. ---
# A grid worker leads their grid's party group (陈中平 holds its theme party days).
_PARTY_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.GRID_WORKER: frozenset({Capability.PARTY_VIEW, Capability.PARTY_RECORD}),
    Role.COMMITTEE: frozenset(
        {Capability.PARTY_VIEW, Capability.PARTY_RECORD, Capability.PARTY_MANAGE}
    ),
    Role.STAFF: frozenset(
        {Capability.PARTY_VIEW, Capability.PARTY_RECORD, Capability.PARTY_MANAGE}
    ),
    Role.LEADER: frozenset({Capability.PARTY_VIEW}),
    Role.ADMIN: frozenset(
        {Capability.PARTY_VIEW, Capability.PARTY_RECORD, Capability.PARTY_MANAGE}
    ),
}
for _role, _caps in _PARTY_CAPABILITIES.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _caps
# --- work reports (linli.reports): staff, committee, leaders and admins ---
for _role in (Role.STAFF, Role.COMMITTEE, Role.LEADER, Role.ADMIN):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {Capability.REPORTS_FILE}
# --- end work reports ---

# --- register import (linli.imports): staff and admins only ---
for _role in (Role.STAFF, Role.ADMIN):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {Capability.REGISTER_IMPORT}
# --- end register import ---

# Roles whose role-assignment scope is replaced by a narrower, person-based scope.
PERSONAL_SCOPE_ROLES = frozenset({Role.RESIDENT, Role.VOLUNTEER})


def roles_with(capability: Capability) -> frozenset[Role]:
    return frozenset(role for role, caps in ROLE_CAPABILITIES.items() if capability in caps)


# Roles that see much personal data across grids: their sessions end after 30 minutes
# idle and, where LINLI_REQUIRE_2FA is on (production by default), they log in with
# a one-time code as well as a password (linli.accounts.middleware).
STAFF_ROLES = frozenset({Role.STAFF, Role.COMMITTEE, Role.ADMIN, Role.LEADER})
