"""Reads for summer programmes, each starting from what the user may see.

A programme is visible to its site team: staff with ``programmes.manage`` over the
site's area, the site lead and the programme's team. A guardian sees only their own
children's enrolments. Figures (counts and rates, nobody named) follow
``programmes.figures``. Out of scope is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.http import Http404

from linli.accounts.selectors import AnyUser, scope_for
from linli.core.roles import Capability
from linli.core.scoping import scope_condition
from linli.core.spreadsheets import Sheet, xlsx_bytes
from linli.people.models import Resident
from linli.people.selectors import health_processing_allowed
from linli.privacy.gate import processable
from linli.programmes.models import (
    Attendance,
    Duty,
    Enrolment,
    EnrolmentStatus,
    Incident,
    Phase,
    Programme,
    Site,
    Slot,
)
from linli.volunteers.models import ServiceRecord, Volunteer, VolunteerKind
from linli.volunteers.selectors import hours_for_minutes


def _team_condition(user: AnyUser, prefix: str = "") -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    condition = (
        Q(**{f"{prefix}site__lead": user})
        | Q(**{f"{prefix}team": user})
        # A volunteer on the programme's rota is part of its site team.
        | Q(**{f"{prefix}phases__duties__volunteer__user": user})
        | Q(**{f"{prefix}phases__duties__volunteer__resident__user": user})
    )
    managed = scope_condition(
        scope_for(user, Capability.PROGRAMMES_MANAGE), area_path=f"{prefix}site__area__path"
    )
    if managed is not None:
        condition |= managed
    return condition


def programmes_for_team(user: AnyUser) -> QuerySet[Programme]:
    """Programmes whose children ``user`` may see and sign in and out."""
    ids = Programme.objects.filter(_team_condition(user)).values("pk")
    return Programme.objects.filter(pk__in=ids).select_related("site", "site__area")


def programme_get_for_user(*, user: AnyUser, pk: int) -> Programme:
    programme = programmes_for_team(user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def sites_for_manager(user: AnyUser) -> QuerySet[Site]:
    condition = scope_condition(
        scope_for(user, Capability.PROGRAMMES_MANAGE), area_path="area__path"
    )
    if condition is None:
        return Site.objects.none()
    return Site.objects.filter(condition)


def programmes_for_manager(user: AnyUser) -> QuerySet[Programme]:
    """Programmes ``user`` may set up: at a site in their ``programmes.manage`` scope."""
    return Programme.objects.filter(site__in=sites_for_manager(user)).select_related(
        "site", "site__area"
    )


def programme_get_for_manager(*, user: AnyUser, pk: int) -> Programme:
    programme = programmes_for_manager(user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def phase_get_for_manager(*, user: AnyUser, pk: int) -> Phase:
    phase = (
        Phase.objects.filter(programme__in=programmes_for_manager(user).values("pk"), pk=pk)
        .select_related("programme", "programme__site")
        .first()
    )
    if phase is None:
        raise Http404
    return phase


def slot_get_for_manager(*, user: AnyUser, pk: int) -> Slot:
    slot = (
        Slot.objects.filter(phase__programme__in=programmes_for_manager(user).values("pk"), pk=pk)
        .select_related("phase", "phase__programme", "volunteer")
        .first()
    )
    if slot is None:
        raise Http404
    return slot


def duty_get_for_manager(*, user: AnyUser, pk: int) -> Duty:
    duty = (
        Duty.objects.filter(phase__programme__in=programmes_for_manager(user).values("pk"), pk=pk)
        .select_related("phase", "phase__programme", "slot", "volunteer")
        .first()
    )
    if duty is None:
        raise Http404
    return duty


def volunteers_for_rota(user: AnyUser, programme: Programme) -> QuerySet[Volunteer]:
    """Volunteers in register that ``user`` may put on this programme's rota: of the
    communities in their ``programmes.manage`` scope (university students first)."""
    condition = scope_condition(
        scope_for(user, Capability.PROGRAMMES_MANAGE), area_path="community__path"
    )
    if condition is None:
        return Volunteer.objects.none()
    return (
        Volunteer.objects.filter(condition, active=True)
        .annotate(student=Case(When(kind=VolunteerKind.STUDENT, then=0), default=1))
        .order_by("student", "name", "pk")
    )


def rota_days(phase: Phase) -> list[tuple[dt.date, list[Duty]]]:
    """Each open day of the phase with its duties (whole-day duties first)."""
    duties: dict[dt.date, list[Duty]] = {}
    for duty in phase.duties.select_related("slot", "volunteer").order_by(
        "day", F("slot__starts_at").asc(nulls_first=True), "pk"
    ):
        duties.setdefault(duty.day, []).append(duty)
    return [(day, duties.get(day, [])) for day in _days_of(phase)]


def rota_slots(phase: Phase) -> QuerySet[Slot]:
    """The slots of the phase a duty may be for (the rota page's choice and the API's)."""
    return phase.slots.order_by("weekday", "starts_at", "pk")


def duties_of(volunteer: Volunteer) -> QuerySet[Duty]:
    return (
        Duty.objects.filter(volunteer=volunteer)
        .select_related("phase", "phase__programme", "phase__programme__site", "slot")
        .order_by("-day", "pk")
    )


def enrolments_visible(user: AnyUser) -> QuerySet[Enrolment]:
    """Enrolments of the programmes of the user's team, and of the user's own children."""
    if not user.is_authenticated:
        return Enrolment.objects.none()
    team_programmes = programmes_for_team(user).values("pk")
    condition = Q(phase__programme__in=team_programmes) | Q(guardian__user=user)
    return processable(Enrolment.objects.filter(condition)).select_related(
        "child", "guardian", "phase", "phase__programme", "phase__programme__site"
    )


def enrolment_get_for_user(*, user: AnyUser, pk: int) -> Enrolment:
    enrolment = enrolments_visible(user).filter(pk=pk).first()
    if enrolment is None:
        raise Http404
    return enrolment


def my_children_enrolments(user: AnyUser) -> QuerySet[Enrolment]:
    """What a guardian sees: their own children's enrolments."""
    if not user.is_authenticated:
        return Enrolment.objects.none()
    return enrolments_visible(user).filter(guardian__user=user).order_by("-phase__start_date")


def phase_on(programme: Programme, day: dt.date) -> Phase | None:
    for phase in programme.phases.all():
        if phase.start_date <= day <= phase.end_date and str(day.isoweekday()) in phase.weekdays:
            return phase
    return None


def timetable_for(phase: Phase, day: dt.date) -> list[Slot]:
    return list(
        phase.slots.filter(Q(weekday__isnull=True) | Q(weekday=day.isoweekday()))
        .select_related("volunteer")
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class RegisterRow:
    enrolment: Enrolment
    attendance: Attendance | None
    # Whether the child's allergies and health notes may be shown (HEALTH consent).
    health: bool = False

    @property
    def health_noted(self) -> bool:
        return bool(self.enrolment.allergies or self.enrolment.health_notes)


def day_register(programme: Programme, day: dt.date) -> list[RegisterRow]:
    """The children enrolled in the phase running on ``day``, with their sign-in/out."""
    phase = phase_on(programme, day)
    if phase is None:
        return []
    enrolments = list(
        processable(Enrolment.objects.filter(phase=phase, status=EnrolmentStatus.ENROLLED))
        .select_related("child", "guardian")
        .prefetch_related("pickups")
        .order_by("child__name", "pk")
    )
    attendance = {
        a.enrolment_id: a
        for a in Attendance.objects.filter(enrolment__in=enrolments, day=day).select_related(
            "picked_up_by"
        )
    }
    return [
        RegisterRow(
            enrolment=e,
            attendance=attendance.get(e.pk),
            health=health_processing_allowed(e.child),
        )
        for e in enrolments
    ]


def _days_of(phase: Phase, until: dt.date | None = None) -> list[dt.date]:
    end = phase.end_date if until is None else min(phase.end_date, until)
    days: list[dt.date] = []
    day = phase.start_date
    while day <= end:
        if str(day.isoweekday()) in phase.weekdays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@dataclass(frozen=True)
class ProgrammeSummary:
    children: int
    families: int
    days: int
    attendance_rate: float | None
    volunteer_minutes: int
    satisfaction: float | None
    satisfaction_answers: int
    incidents: int
    volunteers: int = 0
    # (score, answers) for 5 down to 1.
    satisfaction_counts: tuple[tuple[int, int], ...] = ()

    @property
    def volunteer_hours(self) -> Decimal:
        return hours_for_minutes(self.volunteer_minutes)


def _rate(present: int, possible: int) -> float | None:
    return round(present * 100 / possible, 1) if possible else None


def programme_summary(programme: Programme, *, until: dt.date | None = None) -> ProgrammeSummary:
    """The end-of-programme summary: children, families, open days, attendance rate
    (child-days present over child-days enrolled), volunteer hours, satisfaction."""
    enrolled = processable(
        Enrolment.objects.filter(phase__programme=programme, status=EnrolmentStatus.ENROLLED)
    )
    days = 0
    possible = 0
    for phase in programme.phases.all():
        phase_days = len(_days_of(phase, until))
        days += phase_days
        possible += phase_days * enrolled.filter(phase=phase).count()
    present = Attendance.objects.filter(enrolment__in=enrolled).count()
    satisfaction = enrolled.exclude(satisfaction__isnull=True)
    answers = satisfaction.count()
    total = satisfaction.aggregate(total=Sum("satisfaction"))["total"] or 0
    records = ServiceRecord.objects.counted().filter(
        source_id__startswith=f"programme:{programme.pk}:"
    )
    minutes = records.aggregate(total=Sum("minutes"))["total"] or 0
    counts = dict(
        satisfaction.values_list("satisfaction")
        .annotate(n=Count("pk"))
        .values_list("satisfaction", "n")
    )
    return ProgrammeSummary(
        children=enrolled.values("child").distinct().count(),
        families=enrolled.values("guardian").distinct().count(),
        days=days,
        attendance_rate=_rate(present, possible),
        volunteer_minutes=minutes,
        satisfaction=round(total / answers, 1) if answers else None,
        satisfaction_answers=answers,
        incidents=programme.incidents.count(),
        volunteers=records.values("volunteer").distinct().count(),
        satisfaction_counts=tuple((score, counts.get(score, 0)) for score in range(5, 0, -1)),
    )


def satisfaction_comments(programme: Programme) -> QuerySet[Enrolment]:
    """Guardians' ratings with a comment, newest first (shown without names)."""
    return (
        processable(
            Enrolment.objects.filter(
                phase__programme=programme,
                status=EnrolmentStatus.ENROLLED,
                satisfaction__isnull=False,
            )
        )
        .exclude(satisfaction_comment="")
        .select_related("phase")
        .order_by("-updated_at", "-pk")
    )


@dataclass(frozen=True)
class ProgrammeFigures:
    programmes: int
    children: int
    families: int
    attendance_rate: float | None
    incidents: int


def programme_figures(
    *, user: AnyUser, area_path: str | None, start: dt.date, end: dt.date
) -> ProgrammeFigures:
    """Figures for the programmes in the user's ``programmes.figures`` scope (optionally
    under one area) with a phase overlapping ``start``..``end``: no child is named."""
    condition = scope_condition(
        scope_for(user, Capability.PROGRAMMES_FIGURES), area_path="programme__site__area__path"
    )
    if condition is None:
        return ProgrammeFigures(0, 0, 0, None, 0)
    phases = Phase.objects.filter(condition, start_date__lte=end, end_date__gte=start)
    if area_path:
        phases = phases.filter(programme__site__area__path__startswith=area_path)
    enrolled = processable(
        Enrolment.objects.filter(phase__in=phases, status=EnrolmentStatus.ENROLLED)
    )
    possible = 0
    counts = dict(enrolled.values_list("phase").annotate(n=Count("pk")).values_list("phase", "n"))
    for phase in phases.filter(pk__in=counts):
        open_days = [d for d in _days_of(phase) if start <= d <= end]
        possible += len(open_days) * counts[phase.pk]
    present = Attendance.objects.filter(
        enrolment__in=enrolled, day__gte=start, day__lte=end
    ).count()
    programme_ids = phases.values("programme")
    return ProgrammeFigures(
        programmes=Programme.objects.filter(pk__in=programme_ids).count(),
        children=enrolled.values("child").distinct().count(),
        families=enrolled.values("guardian").distinct().count(),
        attendance_rate=_rate(present, possible),
        incidents=Incident.objects.filter(
            programme__in=programme_ids,
            happened_at__date__gte=start,
            happened_at__date__lte=end,
        ).count(),
    )


def register_xlsx(programme: Programme, phase: Phase) -> bytes:
    """A phase's daily register: one row per child, one column per open day (签到/签退)."""
    days = _days_of(phase)
    enrolments = list(
        processable(Enrolment.objects.filter(phase=phase, status=EnrolmentStatus.ENROLLED))
        .select_related("child", "guardian")
        .order_by("child__name", "pk")
    )
    marks: dict[tuple[int, dt.date], Attendance] = {
        (a.enrolment_id, a.day): a for a in Attendance.objects.filter(enrolment__in=enrolments)
    }
    header = ["儿童", "监护人", *[f"{d:%m-%d}" for d in days], "出勤天数"]
    rows: list[list[str | int]] = []
    for enrolment in enrolments:
        cells: list[str | int] = [
            enrolment.child.name,
            enrolment.guardian.name if enrolment.guardian else "",
        ]
        present = 0
        for day in days:
            mark = marks.get((enrolment.pk, day))
            if mark is None:
                cells.append("")
                continue
            present += 1
            out = (
                f"{mark.signed_out_at.astimezone():%H:%M} {mark.picked_up_by_name}"
                if mark.signed_out_at
                else "未签退"
            )
            cells.append(f"{mark.signed_in_at.astimezone():%H:%M}–{out}")
        cells.append(present)
        rows.append(cells)
    title = f"{programme.name}{phase.name}"
    return xlsx_bytes([Sheet(title=title, header=header, rows=rows)])


def guardian_of(user: AnyUser) -> Resident | None:
    """The signed-in user's own register entry, if they are an adult resident."""
    if not user.is_authenticated:
        return None
    resident = Resident.objects.filter(user=user, anonymised_at__isnull=True).first()
    if resident is None or resident.age < 18:
        return None
    return resident


def children_of(guardian: Resident) -> list[Resident]:
    """The children (under 18) of the guardian's household whose data may be processed."""
    if guardian.household_id is None:
        return []
    return [
        r
        for r in Resident.objects.filter(
            household_id=guardian.household_id, anonymised_at__isnull=True
        ).order_by("birth_date", "pk")
        if r.age < 18 and r.pk != guardian.pk
    ]


def programmes_open_to_guardian(user: AnyUser) -> QuerySet[Programme]:
    """Programmes at a site of the guardian's own community (or compound)."""
    guardian = guardian_of(user)
    if guardian is None or guardian.area is None:
        return Programme.objects.none()
    area = guardian.area
    paths = [area.path[:n] for n in range(area.steplen, len(area.path) + 1, area.steplen)]
    return Programme.objects.filter(site__area__path__in=paths).select_related("site")


def programme_for_enrolment(*, user: AnyUser, pk: int) -> Programme:
    programme = (
        (programmes_for_team(user) | programmes_open_to_guardian(user)).filter(pk=pk).first()
    )
    if programme is None:
        raise Http404
    return programme


def slot_volunteer_choices(user: AnyUser, slot: Slot) -> QuerySet[Volunteer]:
    """Whom a slot being edited may name: the rota's volunteers, and the slot's own
    volunteer, who stays choosable even if out of the editor's list."""
    return Volunteer.objects.filter(
        Q(pk__in=volunteers_for_rota(user, slot.phase.programme).values("pk"))
        | Q(pk=slot.volunteer_id)
    ).order_by("name", "pk")
