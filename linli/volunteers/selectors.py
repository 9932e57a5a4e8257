"""Reads about volunteers. Every query a user triggers starts from their scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.accounts.selectors import AnyUser, scope_for
from linli.areas.selectors import ancestor_paths
from linli.core.roles import Capability, roles_with
from linli.core.scoping import apply_scope
from linli.volunteers.models import (
    HoursStatus,
    ServiceCertificate,
    ServiceRecord,
    ServiceSource,
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
    """Approved hours only: what waits for review is counted apart (``pending_*``)."""

    minutes: int
    record_count: int
    pending_minutes: int = 0
    pending_count: int = 0

    @property
    def pending_hours(self) -> Decimal:
        return hours_for_minutes(self.pending_minutes)

    @property
    def hours(self) -> Decimal:
        return hours_for_minutes(self.minutes)

    @property
    def points(self) -> int:
        return points_for_minutes(self.minutes)


def service_summary(volunteer: Volunteer) -> ServiceSummary:
    approved = Q(status=HoursStatus.APPROVED)
    pending = Q(status=HoursStatus.SUBMITTED)
    totals = ServiceRecord.objects.filter(volunteer=volunteer).aggregate(
        approved_minutes=Sum("minutes", filter=approved),
        approved_count=Count("pk", filter=approved),
        waiting_minutes=Sum("minutes", filter=pending),
        waiting_count=Count("pk", filter=pending),
    )
    return ServiceSummary(
        minutes=int(totals["approved_minutes"] or 0),
        record_count=totals["approved_count"],
        pending_minutes=int(totals["waiting_minutes"] or 0),
        pending_count=totals["waiting_count"],
    )


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
        .annotate(
            total_minutes=Sum(
                "service_records__minutes",
                filter=Q(service_records__status=HoursStatus.APPROVED),
            )
        )
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


def is_own_volunteer(user: AnyUser, volunteer: Volunteer) -> bool:
    """Whether ``volunteer`` is the profile of ``user`` (directly or through their resident)."""
    if not isinstance(user, User):
        return False
    if volunteer.user_id == user.pk:
        return True
    return volunteer.resident_id is not None and (
        Volunteer.objects.filter(pk=volunteer.pk, resident__user=user).exists()
    )


def service_records_of(volunteer: Volunteer) -> QuerySet[ServiceRecord]:
    """All of a volunteer's records, whatever their review status (the status is shown)."""
    return (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .select_related("reviewed_by")
        .order_by("-started_at", "-pk")
    )


def own_record_get(*, user: AnyUser, pk: int) -> ServiceRecord:
    """One of the user's own hand-submitted records (to correct it); anything else a 404."""
    own = own_volunteer_profile(user)
    if own is None:
        raise Http404
    record = (
        ServiceRecord.objects.filter(volunteer=own, pk=pk, source=ServiceSource.CLAIM)
        .select_related("volunteer")
        .first()
    )
    if record is None:
        raise Http404
    return record


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def hours_review_queue(
    *,
    user: AnyUser,
    status: str = HoursStatus.SUBMITTED,
    query: str = "",
    grid_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[ServiceRecord]:
    """Hand-submitted hours of the volunteers ``user`` manages, without the user's own
    (nobody reviews their own). Waiting ones oldest first; reviewed ones newest first."""
    records = ServiceRecord.objects.filter(
        volunteer__in=visible_volunteers(user), source=ServiceSource.CLAIM
    )
    own = own_volunteer_profile(user)
    if own is not None:
        records = records.exclude(volunteer=own)
    if status:
        records = records.filter(status=status)
    if query:
        records = records.filter(
            Q(volunteer__name__contains=query.strip()) | Q(content__contains=query.strip())
        )
    if grid_id:
        records = records.filter(volunteer__grid_id=grid_id)
    if since:
        records = records.filter(started_at__gte=_day_start(since))
    if until:
        records = records.filter(started_at__lt=_day_start(until + dt.timedelta(days=1)))
    order = ["created_at", "pk"] if status == HoursStatus.SUBMITTED else ["-created_at", "-pk"]
    return records.select_related("volunteer__grid", "reviewed_by").order_by(*order)


def pending_hours_count(user: AnyUser) -> int:
    return hours_review_queue(user=user).count()


def hours_reviewers_of(volunteer: Volunteer) -> list[User]:
    """Who may review the volunteer's claims: the roles carrying ``volunteers.manage`` held
    over the volunteer's community (or above it) or their grid — the people whose
    :func:`visible_volunteers` covers them — without the volunteer themselves."""
    place = Q(area__path__in=ancestor_paths(volunteer.community.path))
    if volunteer.grid_id is not None:
        place |= Q(grid_id=volunteer.grid_id)
    assignments = (
        RoleAssignment.objects.filter(
            place,
            role__in=sorted(roles_with(Capability.VOLUNTEERS_MANAGE)),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    )
    own = {volunteer.user_id, volunteer.resident.user_id if volunteer.resident else None}
    return [u for u in {a.user_id: a.user for a in assignments}.values() if u.pk not in own]


def hours_review_link(record: ServiceRecord) -> str:
    """Where a reviewer's message about a claim points: its row in the queue."""
    return f"{reverse('volunteers:hours_review')}#hours-{record.pk}"


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
