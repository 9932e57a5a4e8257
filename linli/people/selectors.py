"""Reads of the register. Every query a user triggers starts from their scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.models import Area, AreaKind, Grid
from linli.areas.selectors import area_labels, visible_grids
from linli.core import crypto
from linli.core.roles import Capability, Role
from linli.core.scoping import NOTHING, Scope, apply_scope
from linli.core.validators import normalise_id_number, normalise_phone
from linli.people.models import (
    Consent,
    EmergencyContact,
    Household,
    Resident,
    ResidentTag,
    Tag,
)


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


# --- scoped querysets ----------------------------------------------------------------------


def visible_residents(
    user: AnyUser, capability: Capability = Capability.REGISTER_VIEW
) -> QuerySet[Resident]:
    return apply_scope(
        Resident.objects.all(),
        scope_for(user, capability),
        area_path="household__unit__path",
        household="household",
        resident="pk",
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
            Prefetch("tag_links", queryset=ResidentTag.objects.select_related("tag")),
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
                queryset=Resident.objects.order_by(
                    "relation_to_head", "birth_date"
                ).prefetch_related(
                    Prefetch("tag_links", queryset=ResidentTag.objects.select_related("tag"))
                ),
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
    if filters.grid is not None:
        grid_buildings = frozenset(filters.grid.buildings.values_list("path", flat=True))
        residents = apply_scope(
            residents, Scope(area_paths=grid_buildings), area_path="household__unit__path"
        )
    if filters.building is not None:
        residents = residents.filter(household__unit__path__startswith=filters.building.path)
    if filters.tag is not None:
        residents = residents.filter(tag_links__tag=filters.tag)
    return residents.select_related("household__unit").prefetch_related(
        Prefetch("tag_links", queryset=ResidentTag.objects.select_related("tag"))
    )


def filter_choices_for(user: AnyUser) -> tuple[QuerySet[Grid], QuerySet[Area], QuerySet[Tag]]:
    """Grids, buildings and tags offered as filters on the residents list."""
    from linli.areas.selectors import visible_areas

    grids = visible_grids(user).order_by("code")
    buildings = visible_areas(user).filter(kind=AreaKind.BUILDING).order_by("path")
    return grids, buildings, Tag.objects.all()


def household_label_map(households: Sequence[Household]) -> dict[int, str]:
    labels = area_labels([h.unit.path for h in households])
    return {h.pk: f"{labels.get(h.unit.path, h.unit.name)}{h.room}室" for h in households}


def household_label(household: Household) -> str:
    return household_label_map([household])[household.pk]


# --- counts for grids and buildings --------------------------------------------------------


def unit_counts(unit_paths_under: frozenset[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Households and residents per unit path, under the given area paths."""
    scope = Scope(area_paths=unit_paths_under)
    households = dict(
        apply_scope(Household.objects.all(), scope, area_path="unit__path")
        .values_list("unit__path")
        .annotate(n=Count("pk"))
        .values_list("unit__path", "n")
    )
    residents = dict(
        apply_scope(Resident.objects.all(), scope, area_path="household__unit__path")
        .values_list("household__unit__path")
        .annotate(n=Count("pk"))
        .values_list("household__unit__path", "n")
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
    households, residents = unit_counts(frozenset(building_paths))
    summaries: list[GridSummary] = []
    for grid in grid_list:
        rows = []
        for building in grid.buildings.all():
            row = BuildingRow(building=building, label=labels.get(building.path, building.name))
            for unit_path, n in households.items():
                if unit_path.startswith(building.path):
                    row.households += n
            for unit_path, n in residents.items():
                if unit_path.startswith(building.path):
                    row.residents += n
            rows.append(row)
        workers = [str(a.user) for a in grid.worker_assignments]
        summaries.append(GridSummary(grid=grid, workers=workers, buildings=rows))
    return summaries


def tag_counts(residents: QuerySet[Resident]) -> list[tuple[Tag, int]]:
    rows = (
        Tag.objects.filter(resident_links__resident__in=residents)
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
