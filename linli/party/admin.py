from __future__ import annotations

from django.contrib import admin

from linli.core.admin_base import LinliModelAdmin
from linli.party.models import PartyDay, PartyDayConcern, PartyMember, PointRule, VanguardPost


@admin.register(PartyMember)
class PartyMemberAdmin(LinliModelAdmin[PartyMember]):
    list_display = ["name", "kind", "organisation", "position", "grid", "active"]
    list_filter = ["kind", "position", "active"]
    search_fields = ["name"]
    raw_id_fields = ["resident", "user", "organisation", "community", "grid"]


@admin.register(VanguardPost)
class VanguardPostAdmin(LinliModelAdmin[VanguardPost]):
    list_display = ["member", "kind", "note"]
    raw_id_fields = ["member", "buildings"]


@admin.register(PartyDay)
class PartyDayAdmin(LinliModelAdmin[PartyDay]):
    list_display = ["planned_for", "topic", "organisation", "state"]
    list_filter = ["state"]
    raw_id_fields = ["organisation", "members_present", "recorded_by"]


@admin.register(PartyDayConcern)
class PartyDayConcernAdmin(LinliModelAdmin[PartyDayConcern]):
    list_display = ["party_day", "request"]
    raw_id_fields = ["party_day", "request"]


# Admins edit how many points each source is worth (党员积分规则).
@admin.register(PointRule)
class PointRuleAdmin(LinliModelAdmin[PointRule]):
    list_display = ["source", "label", "points_per_unit", "active"]
    list_editable = ["points_per_unit", "active"]
