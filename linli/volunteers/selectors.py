"""Reads about volunteers. Every query a user triggers starts from their scope."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from linli.accounts.models import User
from linli.accounts.selectors import AnyUser, scope_for
from linli.core.roles import Capability
from linli.core.scoping import apply_scope
from linli.volunteers.models import (
    ServiceCertificate,
    ServiceRecord,
    Team,
    TeamMembership,
    Volunteer,
    VolunteerSkill,
)


def points_for_minutes(minutes: int) -> int:
    """Points earned for ``minutes`` of service at the configured rate, rounded down."""
    rate = int(settings.LINLI_VOLUNTEER_POINTS_PER_HOUR)
    return minutes * rate // 60


def hours_for_minutes(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ServiceSummary:
    minutes: int
    record_count: int

    @property
    def hours(self) -> Decimal:
        return hours_for_minutes(self.minutes)

    @property
    def points(self) -> int:
        return points_for_minutes(self.minutes)


def service_summary(volunteer: Volunteer) -> ServiceSummary:
    totals = ServiceRecord.objects.filter(volunteer=volunteer).aggregate(
        minutes=Sum("minutes"), count=Count("pk")
    )
    return ServiceSummary(minutes=int(totals["minutes"] or 0), record_count=totals["count"])


def visible_volunteers(
    user: AnyUser, capability: Capability = Capability.VOLUNTEERS_MANAGE
) -> QuerySet[Volunteer]:
    """Volunteers of the communities (or grids) in which ``user`` holds ``capability``."""
    return apply_scope(
        Volunteer.objects.all(),
        scope_for(user, capability),
        area_path="community__path",
        grid="grid",
    )


def visible_teams(
    user: AnyUser, capability: Capability = Capability.VOLUNTEERS_MANAGE
) -> QuerySet[Team]:
    return apply_scope(Team.objects.all(), scope_for(user, capability), area_path="community__path")


def volunteer_list(
    *, user: AnyUser, query: str = "", kind: str = "", team_id: int | None = None
) -> QuerySet[Volunteer]:
    volunteers = visible_volunteers(user)
    if query:
        volunteers = volunteers.filter(name__contains=query.strip())
    if kind:
        volunteers = volunteers.filter(kind=kind)
    if team_id:
        volunteers = volunteers.filter(team_memberships__team_id=team_id)
    return (
        volunteers.select_related("grid")
        .annotate(total_minutes=Sum("service_records__minutes"))
        .prefetch_related(
            Prefetch(
                "team_memberships",
                queryset=TeamMembership.objects.select_related("team"),
            )
        )
        .order_by("name", "pk")
    )


def volunteer_get_for_user(*, user: AnyUser, pk: int) -> Volunteer:
    volunteer = (
        visible_volunteers(user)
        .select_related("grid", "community", "resident", "user")
        .prefetch_related(
            Prefetch("team_memberships", queryset=TeamMembership.objects.select_related("team")),
            Prefetch("skill_links", queryset=VolunteerSkill.objects.select_related("skill")),
            "availability",
        )
        .filter(pk=pk)
        .first()
    )
    if volunteer is None:
        raise Http404
    return volunteer


def own_volunteer_profile(user: AnyUser) -> Volunteer | None:
    """The volunteer profile of the signed-in user: linked directly or through their resident."""
    if not isinstance(user, User):
        return None
    return (
        Volunteer.objects.filter(Q(user=user) | Q(resident__user=user))
        .select_related("community", "grid")
        .order_by("pk")
        .first()
    )


def service_records_of(volunteer: Volunteer) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(volunteer=volunteer).order_by("-started_at", "-pk")


def certificates_of(volunteer: Volunteer) -> QuerySet[ServiceCertificate]:
    return ServiceCertificate.objects.filter(volunteer=volunteer).order_by("-issued_on", "-pk")


def certificate_get_for_user(*, user: AnyUser, number: str) -> ServiceCertificate:
    """A certificate the user may see: its volunteer's own, or one in their managed scope."""
    certificates = ServiceCertificate.objects.select_related(
        "volunteer__resident", "volunteer__user", "issuer"
    ).filter(number=number)
    own = own_volunteer_profile(user)
    condition = Q(volunteer__in=visible_volunteers(user))
    if own is not None:
        condition |= Q(volunteer=own)
    certificate = certificates.filter(condition).first()
    if certificate is None:
        raise Http404
    return certificate


def certificate_verify(number: str) -> ServiceCertificate | None:
    """Whether a certificate number was issued (public check: no personal data is shown)."""
    return (
        ServiceCertificate.objects.select_related("volunteer", "issuer")
        .filter(number=number.strip().upper())
        .first()
    )


def availability_grid(volunteer: Volunteer) -> set[tuple[int, str]]:
    return {(a.weekday, a.slot) for a in volunteer.availability.all()}
