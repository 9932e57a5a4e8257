"""Where a request is: from what someone says ("3号楼2单元502", or an area code) to a
place in the area tree.

One function shared by the API, the pages and triage, so that "3号楼" means the same
building everywhere: a building or unit number given without a compound is read in the
reporter's own compound; staff without a home are read in the community they work in.
Errors are ``ValidationError``s keyed by the field the caller gave, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import (
    ancestor_of_kind,
    area_label,
    area_labels,
    buildings_by_number,
    child_by_number,
    communities_in_scope,
)
from linli.core.errors import NotPermitted
from linli.core.roles import Capability
from linli.core.scoping import EVERYTHING, NOTHING, Scope
from linli.people.models import Resident

# The levels a request can be located at (see request_submit).
REQUEST_LOCATION_KINDS = frozenset(
    {AreaKind.COMMUNITY, AreaKind.COMPOUND, AreaKind.BUILDING, AreaKind.UNIT}
)


@dataclass(frozen=True)
class Place:
    area: Area
    room: str = ""


def resident_of(user: AnyUser) -> Resident | None:
    """The resident record linked to a login, with their home, if there is one."""
    if not user.is_authenticated:
        return None
    return Resident.objects.filter(user=user).select_related("household__unit").first()


def home_unit(user: AnyUser) -> Area | None:
    resident = resident_of(user)
    if resident is None or resident.household is None:
        return None
    return resident.household.unit


def filing_scope(user: AnyUser) -> Scope:
    """Where ``user`` may file a request: anywhere in their home community, plus where
    they may file for others (staff, cadres; a grid worker anywhere in their grid's
    community, since a patrol does not stop at the grid's edge)."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    on_behalf = scope_for(user, Capability.REQUESTS_FILE)
    paths = set(on_behalf.area_paths)
    if on_behalf.grid_ids:
        paths |= set(
            Grid.objects.filter(pk__in=on_behalf.grid_ids).values_list("community__path", flat=True)
        )
    home = home_unit(user)
    if home is not None:
        community = ancestor_of_kind(home, AreaKind.COMMUNITY)
        if community is not None:
            paths.add(community.path)
    return Scope(area_paths=frozenset(paths))


def filing_communities(user: AnyUser) -> list[Area]:
    """The communities wholly or partly inside the user's filing scope."""
    return list(communities_in_scope(filing_scope(user)))


def default_community(user: AnyUser) -> Area | None:
    """Where a request without a location goes: the reporter's home community, or the one
    community the user files for. None when that is not one community (a town's staff)."""
    home = home_unit(user)
    if home is not None:
        community = ancestor_of_kind(home, AreaKind.COMMUNITY)
        if community is not None:
            return community
    communities = filing_communities(user)
    return communities[0] if len(communities) == 1 else None


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _ask_for_code(field: str) -> ValidationError:
    return _invalid(field, _("您负责不止一个社区,请用 location_code(位置编码)指明位置。"))


def _building_in(base: Area, number: int) -> Area:
    """Building ``number`` in a compound (its child) or a community (any of its compounds)."""
    if base.kind == AreaKind.COMPOUND:
        found = child_by_number(base, AreaKind.BUILDING, number)
        if found is None:
            raise _invalid(
                "building",
                _("%(place)s没有%(n)d号楼。") % {"place": base.name, "n": number},
            )
        return found
    if base.kind != AreaKind.COMMUNITY:
        raise _invalid(
            "building",
            _("location_code 已经指到%(kind)s“%(name)s”,不要再填楼号。")
            % {"kind": base.kind_label, "name": base.name},
        )
    candidates = buildings_by_number(base, number)
    if not candidates:
        raise _invalid(
            "building",
            _("%(place)s没有%(n)d号楼。") % {"place": base.name, "n": number},
        )
    if len(candidates) > 1:
        labels = area_labels([b.path for b in candidates])
        raise _invalid(
            "building",
            _("%(place)s有%(count)d栋%(n)d号楼(%(which)s),请用 location_code 指明是哪一栋。")
            % {
                "place": base.name,
                "count": len(candidates),
                "n": number,
                "which": "、".join(labels[b.path] for b in candidates),
            },
        )
    return candidates[0]


def _own_building(user: AnyUser, number: int) -> Area:
    """Building ``number`` read where the caller lives, else where they work."""
    home = home_unit(user)
    if home is not None:
        compound = ancestor_of_kind(home, AreaKind.COMPOUND)
        if compound is not None:
            return _building_in(compound, number)
    community = default_community(user)
    if community is None:
        raise _ask_for_code("building")
    return _building_in(community, number)


def resolve_location(
    *,
    user: AnyUser,
    location_code: str = "",
    building: int | None = None,
    unit: int | None = None,
    room: str = "",
) -> Place:
    """The place a request from ``user`` is about.

    * ``location_code``: that area, which must lie where the user may file; building and
      unit numbers are then read inside it (a compound or community).
    * ``building`` / ``unit`` without a code: read in the caller's own compound (their
      household's), or for staff without a home in the community they work in; a
      number that names buildings in more than one compound must be told apart by code.
    * ``room`` only together with a unit, and checked against the unit's layout.
    * nothing: the caller's community, where the request waits for dispatch.

    Raises ``NotPermitted`` when the user may not file anywhere, and ``ValidationError``
    (keyed by field) for a place that cannot be found. An unknown code and one outside
    the user's reach get the same message, so the answer reveals nothing.
    """
    reach = filing_scope(user)
    if reach.is_empty:
        raise NotPermitted(_("您没有登记诉求的权限。"))
    location_code, room = location_code.strip(), room.strip()

    area: Area | None = None
    if location_code:
        area = Area.objects.filter(code=location_code).first()
        if area is None or not reach.covers_path(area.path):
            raise _invalid(
                "location_code",
                _("找不到编码为 %(code)s 的位置,或您不能在那里登记诉求。")
                % {"code": location_code},
            )
        if area.kind not in REQUEST_LOCATION_KINDS:
            raise _invalid("location_code", _("位置应为社区、小区、楼栋或单元。"))

    if building is not None:
        area = _building_in(area, building) if area is not None else _own_building(user, building)

    if unit is not None:
        if area is None or area.kind != AreaKind.BUILDING:
            raise _invalid("unit", _("请同时填写楼号(building),单元号要在楼栋里查找。"))
        found = child_by_number(area, AreaKind.UNIT, unit)
        if found is None:
            raise _invalid(
                "unit", _("%(building)s没有%(n)d单元。") % {"building": area.name, "n": unit}
            )
        area = found

    if area is None:
        area = default_community(user)
        if area is None:
            raise _ask_for_code("location_code")

    if room:
        if area.kind != AreaKind.UNIT:
            raise _invalid("room", _("房号要和楼号、单元号一起填写。"))
        if area.floors and area.flats_per_floor and not area.room_exists(room):
            raise _invalid(
                "room", _("%(unit)s没有%(room)s室。") % {"unit": area_label(area), "room": room}
            )

    if not reach.covers_path(area.path):
        # Read in the caller's own compound or community, so only reachable through an
        # unusual mix of roles; still never file somewhere the user may not.
        raise _invalid("building", _("您不能在%(place)s登记诉求。") % {"place": area.name})
    return Place(area=area, room=room)


def place_from_reading(
    *,
    within: Area,
    compound_name: str | None = None,
    home_compound: Area | None = None,
    building: int | None,
    unit: int | None = None,
    room: str | None = None,
) -> Place | None:
    """Where a message read by triage is, inside the area ``within`` (a community or a
    compound), or None when it does not name a place found there.

    The compound is the one named in the text, else ``within`` when it is a compound,
    else the reporter's own (``home_compound``); without a compound a building number
    must name exactly one building of the community. Without a building number only a
    compound named in the text is a place. Never raises: a reading that does
    not fit the area tree simply gives no place (or a coarser one: a unit that does not
    exist gives the building, a room that does not exist is dropped).
    """
    community = ancestor_of_kind(within, AreaKind.COMMUNITY)
    if community is None:
        return None
    compound: Area | None = None
    if compound_name:
        compound = Area.objects.filter(
            kind=AreaKind.COMPOUND, name=compound_name, path__startswith=community.path
        ).first()
    named = compound
    if compound is None and within.kind == AreaKind.COMPOUND:
        compound = within
    if (
        compound is None
        and home_compound is not None
        and home_compound.path.startswith(community.path)
    ):
        compound = home_compound
    if building is None:
        # Only a compound named in the text is a place; the reporter's own is just where
        # building numbers are read.
        return Place(area=named) if named is not None and named != within else None
    if compound is not None:
        found = child_by_number(compound, AreaKind.BUILDING, building)
    else:
        candidates = buildings_by_number(community, building)
        found = candidates[0] if len(candidates) == 1 else None
    if found is None:
        return None
    if unit is None:
        return Place(area=found)
    unit_area = child_by_number(found, AreaKind.UNIT, unit)
    if unit_area is None:
        return Place(area=found)
    unit_area = Area.objects.get(pk=unit_area.pk)
    room = (room or "").strip()
    if room and unit_area.floors and unit_area.flats_per_floor and not unit_area.room_exists(room):
        room = ""
    return Place(area=unit_area, room=room)
