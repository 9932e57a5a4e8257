"""Reads of the register. Every query a user triggers starts from their scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import AnyUser, capabilities_of, scope_for
from linli.areas import selectors as area_selectors
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import (
    GridPicker,
    area_labels,
    grid_picker,
    narrowing_level,
    visible_grids,
)
from linli.core import crypto
from linli.core.roles import Capability, Role
from linli.core.scoping import NOTHING, Scope, apply_scope, scope_condition
from linli.core.validators import normalise_id_number, normalise_phone
from linli.people.models import (
    MINOR_AGE,
    Consent,
    ConsentPurpose,
    EmergencyContact,
    Household,
    Resident,
    ResidentTag,
    Tag,
    TagCode,
)

M = TypeVar("M", bound=Model)


def resident_own_household_scope(user: object, role: Role) -> Scope:
    """A resident sees their own household (registered through ``Resident.user``)."""
    if role != Role.RESIDENT or not isinstance(user, User):
        return NOTHING
    household_ids = frozenset(
        Resident.objects.filter(user=user, household__isnull=False).values_list(
            "household_id", flat=True
        )
    )
    return Scope(household_ids=frozenset(h for h in household_ids if h is not None))


# Tags that say something about a person's health (慢性病, 残疾): shown on a person only to
# roles with ``health.view`` (the care team, staff), never to leaders, cadres or residents.
# Counts by tag stay visible: they are statistics, not a person.
HEALTH_TAG_CODES = frozenset({TagCode.CHRONIC_ILLNESS, TagCode.DISABILITY})


def tags_visible_to(user: AnyUser) -> QuerySet[Tag]:
    """The tags a user may see on people, filter by and count."""
    if Capability.HEALTH_VIEW in capabilities_of(user):
        return Tag.objects.all()
    return Tag.objects.exclude(code__in=HEALTH_TAG_CODES)


def tag_links_visible_to(user: AnyUser) -> QuerySet[ResidentTag]:
    return ResidentTag.objects.select_related("tag").filter(tag__in=tags_visible_to(user))


# --- scoped querysets ----------------------------------------------------------------------


def visible_residents(
    user: AnyUser, capability: Capability = Capability.REGISTER_VIEW
) -> QuerySet[Resident]:
    """Residents in the user's scope, less anonymised people and children without consent.

    A child under 14 without an active guardian consent is seen only by those who
    manage consent over them (to record a new consent or anonymise).
    """
    residents = apply_scope(
        Resident.objects.filter(anonymised_at__isnull=True),
        scope_for(user, capability),
        area_path="area__path",
        household="household",
        resident="pk",
    )
    return hide_children_without_consent(residents, user)


def hide_children_without_consent(
    residents: QuerySet[M], user: AnyUser, *, prefix: str = ""
) -> QuerySet[M]:
    """Drop children under 14 without active guardian consent, unless the user manages
    consent over them. ``prefix`` is the lookup from the queryset's model to a resident."""
    consent_scope = scope_for(user, Capability.CONSENT_RECORD)
    if consent_scope.everything:
        return residents
    hidden = children_without_consent_condition(prefix=prefix)
    managed = scope_condition(
        consent_scope,
        area_path=f"{prefix}area__path",
        household=f"{prefix}household",
        resident=f"{prefix}pk",
    )
    if managed is not None:
        hidden &= ~managed
    return residents.exclude(hidden)


def minor_birth_cutoff(today: dt.date | None = None) -> dt.date:
    """Anyone born after this day is under 14 today."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - MINOR_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - MINOR_AGE, day=28)


def children_without_consent_condition(*, prefix: str = "") -> Q:
    active_minor_consents = Consent.objects.filter(
        purpose=ConsentPurpose.MINOR, withdrawn_at__isnull=True
    ).values("resident_id")
    return Q(**{f"{prefix}birth_date__gt": minor_birth_cutoff()}) & ~Q(
        **{f"{prefix}pk__in": active_minor_consents}
    )


def visible_households(
    user: AnyUser, capability: Capability = Capability.REGISTER_VIEW
) -> QuerySet[Household]:
    return apply_scope(
        Household.objects.all(),
        scope_for(user, capability),
        area_path="unit__path",
        household="pk",
    )


def resident_get_for_user(
    *, user: AnyUser, pk: int, capability: Capability = Capability.REGISTER_VIEW
) -> Resident:
    resident = (
        visible_residents(user, capability)
        .select_related("household__unit")
        .prefetch_related(
            Prefetch("tag_links", queryset=tag_links_visible_to(user)),
            "emergency_contacts",
        )
        .filter(pk=pk)
        .first()
    )
    if resident is None:
        raise Http404
    return resident


def household_get_for_user(
    *, user: AnyUser, pk: int, capability: Capability = Capability.REGISTER_VIEW
) -> Household:
    household = (
        visible_households(user, capability)
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=hide_children_without_consent(
                    Resident.objects.filter(anonymised_at__isnull=True), user
                )
                .order_by("relation_to_head", "birth_date")
                .prefetch_related(Prefetch("tag_links", queryset=tag_links_visible_to(user))),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if household is None:
        raise Http404
    return household


def emergency_contact_get_for_user(*, user: AnyUser, pk: int) -> EmergencyContact:
    contact = (
        EmergencyContact.objects.filter(
            resident__in=visible_residents(user, Capability.REGISTER_EDIT)
        )
        .select_related("resident")
        .filter(pk=pk)
        .first()
    )
    if contact is None:
        raise Http404
    return contact


def editable_units(user: AnyUser) -> QuerySet[Area]:
    """Units in which the user may register households."""
    scope = scope_for(user, Capability.REGISTER_EDIT)
    return apply_scope(Area.objects.filter(kind=AreaKind.UNIT), scope, area_path="path").order_by(
        "path"
    )


# --- search and filters --------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentFilters:
    query: str = ""
    # A town or community chosen on the way to a grid (linli.areas.selectors.grid_picker).
    place: Area | None = None
    grid: Grid | None = None
    building: Area | None = None
    tag: Tag | None = None


def residents_search(*, user: AnyUser, filters: ResidentFilters) -> QuerySet[Resident]:
    """The register list: scoped, searched and filtered, ready for a page of rows.

    A query that looks like a phone or ID number is matched exactly through its keyed
    hash (the column itself is encrypted); anything else matches names.
    """
    residents = visible_residents(user)
    query = filters.query.strip()
    if query:
        phone = normalise_phone(query)
        id_number = normalise_id_number(query)
        if phone.isdigit() and len(phone) >= 7 and len(phone) <= 12:
            residents = residents.filter(phone_hash=crypto.blind_index("phone", phone))
        elif len(id_number) == 18 and id_number[:17].isdigit():
            residents = residents.filter(id_number_hash=crypto.blind_index("id", id_number))
        else:
            residents = residents.filter(Q(name__contains=query) | Q(alias__contains=query))
    if filters.place is not None:
        residents = residents.filter(area__path__startswith=filters.place.path)
    if filters.grid is not None:
        grid_buildings = frozenset(filters.grid.buildings.values_list("path", flat=True))
        residents = apply_scope(residents, Scope(area_paths=grid_buildings), area_path="area__path")
    if filters.building is not None:
        residents = residents.filter(area__path__startswith=filters.building.path)
    if filters.tag is not None:
        if not tags_visible_to(user).filter(pk=filters.tag.pk).exists():
            return residents.none()
        residents = residents.filter(tag_links__tag=filters.tag)
    return residents.select_related("household__unit").prefetch_related(
        Prefetch("tag_links", queryset=tag_links_visible_to(user))
    )


def filter_choices_for(user: AnyUser) -> tuple[QuerySet[Grid], QuerySet[Area], QuerySet[Tag]]:
    """Grids, buildings and tags offered as filters on the residents list."""
    from linli.areas.selectors import visible_areas

    grids = visible_grids(user).order_by("code")
    buildings = visible_areas(user).filter(kind=AreaKind.BUILDING).order_by("path")
    return grids, buildings, tags_visible_to(user)


# A building filter lists at most this many buildings: a town's or a county's thousands
# (3,768 at 300 k residents, tens of thousands in a prefecture) made the residents page a
# megabyte of options and half a second to render; beyond it the grid is chosen first.
MAX_BUILDING_CHOICES = 200


def building_filter_choices(
    buildings: QuerySet[Area], grid: Grid | None, *, place: Area | None = None
) -> list[Area] | None:
    """The buildings a filter offers: the chosen grid's, else all of ``buildings`` (those in
    the user's scope, from :func:`filter_choices_for`) within the ``place`` chosen, up to
    :data:`MAX_BUILDING_CHOICES`; ``None`` when there are more and no grid is chosen (one
    is asked for first)."""
    if grid is not None:
        return list(buildings.filter(grid=grid))
    if place is not None:
        buildings = buildings.filter(path__startswith=place.path)
    listed = list(buildings[: MAX_BUILDING_CHOICES + 1])
    return None if len(listed) > MAX_BUILDING_CHOICES else listed


@dataclass(frozen=True)
class ResidentFilterOffer:
    """What the residents list offers as filters and what of it the request chose: the
    page and its export read the same (``resident_filter_offer``)."""

    picker: GridPicker
    # None: too many to list, a grid is asked for first (``building_filter_choices``).
    buildings: list[Area] | None
    tags: list[Tag]
    building: Area | None
    tag: Tag | None

    def filters(self, query: str = "") -> ResidentFilters:
        return ResidentFilters(
            query=query,
            place=self.picker.place,
            grid=self.picker.grid,
            building=self.building,
            tag=self.tag,
        )

    def described(self) -> str:
        """The filters applied, as an export's audit note names them (ids of what was
        accepted, never what was merely sent)."""
        chosen: list[tuple[str, Model | None]] = [
            *((step.kind, step.chosen) for step in self.picker.steps),
            ("grid", self.picker.grid),
            ("building", self.building),
            ("tag", self.tag),
        ]
        return ",".join(f"{name}={obj.pk}" for name, obj in chosen if obj is not None)


def resident_filter_offer(user: AnyUser, params: Mapping[str, str]) -> ResidentFilterOffer:
    """The grid picker, the buildings and tags offered, and the building and tag chosen
    among them: a building of another grid or place (left from an earlier choice), one past
    the list, or a tag the user may not see is no choice."""
    _grids, buildings, tags = filter_choices_for(user)
    picker = grid_picker(user, params)
    offered = building_filter_choices(buildings, picker.grid, place=picker.place)
    tag_list = list(tags)

    def chosen(options: Sequence[M], key: str) -> M | None:
        value = (params.get(key) or "").strip()
        return next((o for o in options if str(o.pk) == value), None)

    return ResidentFilterOffer(
        picker=picker,
        buildings=offered,
        tags=tag_list,
        building=chosen(offered or [], "building"),
        tag=chosen(tag_list, "tag"),
    )


def household_label_map(households: Sequence[Household]) -> dict[int, str]:
    labels = area_labels([h.unit.path for h in households])
    return {h.pk: f"{labels.get(h.unit.path, h.unit.name)}{h.room}室" for h in households}


def household_label(household: Household) -> str:
    return household_label_map([household])[household.pk]


# --- counts for grids and buildings --------------------------------------------------------


# Above this many buildings their counts are read under their communities instead.
MAX_COUNTED_PREFIXES = 64


def unit_counts(
    unit_paths_under: frozenset[str], user: AnyUser
) -> tuple[dict[str, int], dict[str, int]]:
    """Households and residents per unit path, under the given area paths; the residents
    as ``user`` may see them (not anonymised; a child without a guardian's consent only
    for whoever manages consent), as the register's lists and totals count them."""
    scope = Scope(area_paths=unit_paths_under)
    households = dict(
        apply_scope(Household.objects.all(), scope, area_path="unit__path")
        .values_list("unit__path")
        .annotate(n=Count("pk"))
        .values_list("unit__path", "n")
    )
    residents = dict(
        hide_children_without_consent(
            apply_scope(
                Resident.objects.filter(anonymised_at__isnull=True), scope, area_path="area__path"
            ),
            user,
        )
        .values_list("area__path")
        .annotate(n=Count("pk"))
        .values_list("area__path", "n")
    )
    return households, residents


@dataclass
class BuildingRow:
    building: Area
    label: str
    households: int = 0
    residents: int = 0


@dataclass
class GridSummary:
    grid: Grid
    workers: list[str]
    buildings: list[BuildingRow] = field(default_factory=list)

    @property
    def households(self) -> int:
        return sum(b.households for b in self.buildings)

    @property
    def residents(self) -> int:
        return sum(b.residents for b in self.buildings)


def grid_summaries(*, user: AnyUser, grids: QuerySet[Grid]) -> list[GridSummary]:
    """Each visible grid with its buildings and their household and resident counts.

    A fixed number of queries whatever the number of grids and buildings.
    """
    grid_list = list(
        grids.filter(pk__in=visible_grids(user).values("pk"))
        .select_related("community")
        .prefetch_related(  # type: ignore[type-var]  # the stubs cannot type two Prefetches
            Prefetch(
                "buildings",
                queryset=Area.objects.filter(kind=AreaKind.BUILDING).order_by("path"),
            ),
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.filter(role=Role.GRID_WORKER).select_related(
                    "user"
                ),
                to_attr="worker_assignments",
            ),
        )
        .order_by("code")
    )
    building_paths = [b.path for g in grid_list for b in g.buildings.all()]
    labels = area_labels(building_paths)
    # Counted under the buildings themselves when they are few, else under their grids'
    # communities: a county's home named 30,000 buildings, one LIKE each, in two statements.
    few = len(building_paths) <= MAX_COUNTED_PREFIXES
    prefixes = building_paths if few else [g.community.path for g in grid_list]
    households, residents = unit_counts(frozenset(prefixes), user)
    rows_by_path: dict[str, BuildingRow] = {}
    summaries: list[GridSummary] = []
    for grid in grid_list:
        rows = []
        for building in grid.buildings.all():
            row = BuildingRow(building=building, label=labels.get(building.path, building.name))
            rows_by_path[building.path] = row
            rows.append(row)
        workers = [str(a.user) for a in grid.worker_assignments]
        summaries.append(GridSummary(grid=grid, workers=workers, buildings=rows))
    # Each counted unit (or building) to the building it lies in, by its path's prefixes:
    # linear in the paths (each was compared with every building: 8 s for a county's home
    # at 300,000 residents).
    lengths = sorted({len(path) for path in rows_by_path})

    def row_of(path: str) -> BuildingRow | None:
        return next((rows_by_path[path[:k]] for k in lengths if path[:k] in rows_by_path), None)

    for path, n in households.items():
        if (counted := row_of(path)) is not None:
            counted.households += n
    for path, n in residents.items():
        if (counted := row_of(path)) is not None:
            counted.residents += n
    return summaries


@dataclass(frozen=True)
class AreaRow:
    """A grid or a place of an area's overview, in plain values: the overview is kept in
    the shared cache, which must hold no model instance (a grid's prefetched workers
    would carry their accounts)."""

    pk: int
    name: str
    grids: int
    buildings: int
    households: int
    residents: int
    community: str = ""  # a grid's
    workers: tuple[str, ...] = ()  # a grid's


@dataclass(frozen=True)
class AreaOverview:
    """The register of a user's area (their home's 「我负责的区域」): the residents, the
    tags they carry, and a row per grid — or, past ``MAX_GRID_CHOICES`` grids, a row per
    place of the finest level that has at most that many (the grid picker's rule: a
    county's 4,167 grids at 3 M residents made a table of 4,167 rows)."""

    residents: int
    tags: tuple[tuple[str, int], ...]  # a tag's name and how many carry it
    grid_count: int
    rows: tuple[AreaRow, ...]
    place_kind: str = ""  # the rows' kind of place; "" when they are grids

    @property
    def place_label(self) -> str:
        return str(AreaKind(self.place_kind).label) if self.place_kind else ""


def area_overview(user: AnyUser) -> AreaOverview:
    residents = visible_residents(user, Capability.REGISTER_VIEW)
    grids = visible_grids(user)
    grid_count = grids.count()
    if grid_count <= area_selectors.MAX_GRID_CHOICES:
        rows, kind = _grid_rows(user), ""
    else:
        rows, kind = _place_rows(user, grids, residents)
    return AreaOverview(
        residents=residents.count(),
        tags=tuple((tag.name, n) for tag, n in tag_counts(residents, user)),
        grid_count=grid_count,
        rows=rows,
        place_kind=kind,
    )


def _grid_rows(user: AnyUser) -> tuple[AreaRow, ...]:
    return tuple(
        AreaRow(
            pk=s.grid.pk,
            name=s.grid.name,
            grids=1,
            buildings=len(s.buildings),
            households=s.households,
            residents=s.residents,
            community=s.grid.community.name,
            workers=tuple(s.workers),
        )
        for s in grid_summaries(user=user, grids=Grid.objects.all())
    )


def _place_rows(
    user: AnyUser, grids: QuerySet[Grid], residents: QuerySet[Resident]
) -> tuple[tuple[AreaRow, ...], str]:
    """A row per place of the grid picker's level for these grids, and the level's kind:
    every count grouped in the database by the places' path prefix."""
    per_community: dict[str, int] = dict(
        grids.order_by()
        .values_list("community__path")
        .annotate(n=Count("pk"))
        .values_list("community__path", "n")
    )
    kind, length, paths = narrowing_level(list(per_community))

    def by_place(queryset: QuerySet[Any], path: str) -> dict[str, int]:
        return dict(
            queryset.order_by()
            .annotate(place=Substr(path, 1, length))
            .values_list("place")
            .annotate(n=Count("pk"))
            .values_list("place", "n")
        )

    grids_by_place: dict[str, int] = {}
    for community_path, n in per_community.items():
        grids_by_place[community_path[:length]] = grids_by_place.get(community_path[:length], 0) + n
    buildings = by_place(
        Area.objects.filter(kind=AreaKind.BUILDING, grid__in=grids.values("pk")), "path"
    )
    households = by_place(visible_households(user), "unit__path")
    residents_by_place = by_place(residents, "area__path")
    places = Area.objects.filter(path__in=paths, kind=kind).order_by("path")
    rows = tuple(
        AreaRow(
            pk=place.pk,
            name=place.name,
            grids=grids_by_place.get(place.path, 0),
            buildings=buildings.get(place.path, 0),
            households=households.get(place.path, 0),
            residents=residents_by_place.get(place.path, 0),
        )
        for place in places
    )
    return rows, kind


def tag_counts(residents: QuerySet[Resident], user: AnyUser) -> list[tuple[Tag, int]]:
    rows = (
        tags_visible_to(user)
        .filter(resident_links__resident__in=residents)
        .annotate(n=Count("resident_links"))
        .order_by("sort_order")
    )
    return [(tag, tag.n) for tag in rows]


# --- consent -----------------------------------------------------------------------------


def consent_active(*, resident: Resident, purpose: str) -> bool:
    """Whether sensitive data of this purpose may be processed for this resident now."""
    return Consent.objects.filter(
        resident=resident, purpose=purpose, withdrawn_at__isnull=True
    ).exists()


def residents_with_consent(residents: QuerySet[Resident], purpose: str) -> QuerySet[Resident]:
    """Narrow a queryset to residents with an active consent for ``purpose``."""
    return residents.filter(
        consents__purpose=purpose, consents__withdrawn_at__isnull=True
    ).distinct()


def processing_blocked_reason(resident: Resident) -> str:
    """Why nothing more may be recorded about this person ("" when processing is allowed).

    Services of every app call this (through ``people.services.require_processing_allowed``)
    before writing about a person: an anonymised person, or a child under 14 whose
    guardian consent is missing or withdrawn, may only be re-consented or anonymised.
    """
    if resident.anonymised_at is not None:
        return _("该居民的信息已匿名化,不能再记录。")
    if resident.birth_date > minor_birth_cutoff() and not consent_active(
        resident=resident, purpose=ConsentPurpose.MINOR
    ):
        return _("该儿童未满十四周岁,监护人同意已撤回或未记录:请先重新记录监护人同意。")
    return ""


def health_processing_allowed(resident: Resident) -> bool:
    """Whether health data (readings, visit health notes) may be recorded or shown now.

    True only with an active HEALTH consent and nothing else blocking processing (a
    child also needs the guardian's MINOR consent). The care app asks this before
    recording a reading and before showing recorded ones: after withdrawal the readings
    stay stored as they were but are hidden.
    """
    return not processing_blocked_reason(resident) and consent_active(
        resident=resident, purpose=ConsentPurpose.HEALTH
    )


def residents_with_health_processing(residents: QuerySet[Resident]) -> QuerySet[Resident]:
    """Narrow a queryset to those whose health data may be processed (list pages)."""
    return (
        residents_with_consent(residents, ConsentPurpose.HEALTH)
        .exclude(children_without_consent_condition())
        .filter(anonymised_at__isnull=True)
    )


def consent_history(resident: Resident) -> QuerySet[Consent]:
    """Every consent of a person, withdrawn ones included (they are evidence)."""
    return resident.consents.select_related("guardian", "recorded_by", "withdrawn_by").order_by(
        "-recorded_at", "-pk"
    )


def consent_get_for_user(*, user: AnyUser, pk: int) -> Consent:
    consent = (
        Consent.objects.filter(
            resident__in=apply_scope(
                Resident.objects.all(),
                scope_for(user, Capability.CONSENT_RECORD),
                area_path="area__path",
                household="household",
                resident="pk",
            )
        )
        .select_related("resident")
        .filter(pk=pk)
        .first()
    )
    if consent is None:
        raise Http404
    return consent


def guardian_candidates(resident: Resident) -> list[Resident]:
    """Adults of the child's household, offered as the guardian who consents."""
    if resident.household_id is None:
        return []
    return list(
        Resident.objects.filter(
            household_id=resident.household_id,
            anonymised_at__isnull=True,
            birth_date__lte=adult_birth_cutoff(),
        )
        .exclude(pk=resident.pk)
        .order_by("relation_to_head", "birth_date")
    )


def adult_birth_cutoff(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - 18)
    except ValueError:
        return today.replace(year=today.year - 18, day=28)
