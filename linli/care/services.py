"""Writes for care: validated, atomic, audited, keyword-only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Left
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import COMMUNITY_DEPTH, Area, AreaKind
from linli.areas.selectors import building_of
from linli.care.models import (
    VISIT_LOG_KINDS,
    Alert,
    AlertKind,
    AlertLevel,
    AlertStatus,
    CarePlan,
    CareService,
    GlucoseContext,
    Mood,
    Visit,
    VisitKind,
    service_labels,
)
from linli.care.selectors import (
    MAX_VISITS_PER_WEEK,
    OVERDUE_GRACE,
    care_team_of,
    recent_concerns,
    volunteer_of,
    with_due,
)
from linli.core.audit import audit_record
from linli.core.errors import Conflict
from linli.core.models import AuditEvent
from linli.core.sweeps import sweep
from linli.notifications.models import Kind as NotificationKind
from linli.notifications.services import notify, without_external_delivery
from linli.people.models import ConsentPurpose, Resident
from linli.privacy.gate import (
    HEALTH_CONSENT_MISSING,
    processable,
    processing_refusal,
    require_processing,
)
from linli.requests.models import Channel
from linli.requests.services import request_submit
from linli.volunteers.models import ServiceSource, Volunteer
from linli.volunteers.services import service_record_add

NO_CONSENT_MESSAGE = HEALTH_CONSENT_MISSING


def thresholds() -> dict[str, Any]:
    configured: dict[str, Any] = settings.LINLI_CARE_THRESHOLDS
    return configured


def _check_services(codes: Iterable[str], field: str = "services") -> list[str]:
    codes = list(dict.fromkeys(codes))
    unknown = [c for c in codes if c not in CareService.values]
    if unknown:
        raise ValidationError(
            {field: _("未知的服务内容:%(codes)s") % {"codes": "、".join(unknown)}}
        )
    return codes


# --- plans -----------------------------------------------------------------------------------


@transaction.atomic
def care_plan_save(
    *,
    actor: User | None,
    resident: Resident,
    visits_per_week: int = 2,
    services: Sequence[str] = (),
    primary_volunteer: Volunteer | None = None,
    backup_volunteer: Volunteer | None = None,
    notes: str = "",
    active: bool = True,
) -> CarePlan:
    """Create the person's plan or change it (a person has one plan)."""
    errors: dict[str, list[str]] = {}
    if not 1 <= visits_per_week <= 14:
        errors["visits_per_week"] = [_("每周上门次数应在 1 到 14 次之间。")]
    if (
        primary_volunteer is not None
        and backup_volunteer is not None
        and primary_volunteer.pk == backup_volunteer.pk
    ):
        errors["backup_volunteer"] = [_("备岗志愿者不能与主责志愿者是同一人。")]
    try:
        codes = _check_services(services)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        codes = []
    if errors:
        raise ValidationError(errors)
    _lock_person(resident)
    plan = CarePlan.objects.select_for_update().filter(resident=resident).first()
    created = plan is None
    if plan is None:
        plan = CarePlan(resident=resident)
    plan.visits_per_week = visits_per_week
    plan.services = codes
    plan.primary_volunteer = primary_volunteer
    plan.backup_volunteer = backup_volunteer
    plan.notes = notes.strip()
    plan.active = active
    plan.save()
    # How often the person is visited sets when they are due; a new plan for someone
    # already visited counts from their last home visit, not from today.
    plans_due_refresh(CarePlan.objects.filter(pk=plan.pk))
    plans_place_refresh(CarePlan.objects.filter(pk=plan.pk))
    plan.refresh_from_db(fields=["last_home_visit_at", "due_at", "community"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=plan,
        fields=["visits_per_week", "services", "primary_volunteer", "backup_volunteer", "notes"],
    )
    return plan


def _lock_person(resident: Resident) -> Resident:
    """The person's row, locked (and read again) until the transaction ends. Every write
    that moves a plan's due moment — a home visit logged, the plan made or changed — takes
    it first, so two of them for one person run one after the other and the second reads
    what the first committed; a plan row would not do, as there is none before the plan
    is made. Anonymisation takes the same lock (``privacy.services``), so a visit waits
    for it and is then refused."""
    return Resident.objects.select_for_update(no_key=True).get(pk=resident.pk)


def plans_place_refresh(plans: QuerySet[CarePlan]) -> int:
    """Set the plans' ``community`` again from where their people live, in one UPDATE;
    returns how many plans it set.

    A person's place is a community or an area below one, and the first
    ``COMMUNITY_DEPTH`` steps of its path are its community's (none for a person placed
    above a community). Called when a plan is saved and when people move
    (``people.signals.residents_moved``); an area never moves to another parent
    (``areas.models.AreaManager``). The generator loads the same value with its plans, and the
    migration's backfill restates this rule."""
    community = (
        Area.objects.filter(
            kind=AreaKind.COMMUNITY,
            path=Left(OuterRef("area__path"), COMMUNITY_DEPTH * Area.steplen),
        )
        .order_by()
        .values("pk")[:1]
    )
    return plans.update(
        community=Subquery(
            Resident.objects.filter(pk=OuterRef("resident_id"))
            .order_by()
            .annotate(community=Subquery(community))
            .values("community")[:1]
        )
    )


def plans_follow_moved_residents(sender: object, *, resident_ids: Sequence[int], **_: Any) -> None:
    """Receiver of ``people.signals.residents_moved``: the moved people's plans keep their
    new community (in the transaction that moved them)."""
    plans_place_refresh(CarePlan.objects.filter(resident_id__in=list(resident_ids)))


def plans_due_refresh(plans: QuerySet[CarePlan]) -> int:
    """Set the plans' ``last_home_visit_at`` and ``due_at`` again from their people's home
    visits, in one UPDATE; returns how many plans it set.

    Read again from the visits rather than moved forward by the new one, so a visit typed
    in late from a paper list (older than the last) does not set the clock back, and the
    same statement serves one plan (a visit logged, a plan changed), every plan (the
    generator after its bulk load) and the migration's backfill. With N home visits a
    week a person is due 7/N days after the last; with none, from the plan's making.
    """
    last_home = Subquery(
        Visit.objects.filter(resident_id=OuterRef("resident_id"), kind=VisitKind.HOME)
        .order_by("-visited_at")
        .values("visited_at")[:1],
        output_field=DateTimeField(),
    )
    # 7/N days as a constant interval per N: SQLite and PostgreSQL both add that to a
    # datetime, and N is bounded by the plan's check constraint.
    interval = Case(
        *[
            When(visits_per_week=n, then=Value(dt.timedelta(days=7) / n))
            for n in range(1, MAX_VISITS_PER_WEEK + 1)
        ],
        output_field=DurationField(),
    )
    return plans.update(
        last_home_visit_at=last_home,
        due_at=Coalesce(
            ExpressionWrapper(last_home + interval, output_field=DateTimeField()),
            F("created_at"),
            output_field=DateTimeField(),
        ),
    )


# --- visits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Readings:
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    pulse: int | None = None
    glucose: Decimal | None = None
    glucose_context: str = ""

    @property
    def empty(self) -> bool:
        return (
            self.bp_systolic is None
            and self.bp_diastolic is None
            and self.pulse is None
            and self.glucose is None
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "bp_systolic": self.bp_systolic,
            "bp_diastolic": self.bp_diastolic,
            "pulse": self.pulse,
            "glucose": self.glucose,
            "glucose_context": self.glucose_context if self.glucose is not None else "",
        }


def _check_readings(readings: Readings) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    sys_, dia = readings.bp_systolic, readings.bp_diastolic
    if (sys_ is None) != (dia is None):
        errors["bp_systolic"] = [_("血压请同时填写高压和低压。")]
    if sys_ is not None and not 60 <= sys_ <= 280:
        errors["bp_systolic"] = [_("高压(收缩压)应在 60–280 mmHg 之间,请核对。")]
    if dia is not None and not 30 <= dia <= 180:
        errors["bp_diastolic"] = [_("低压(舒张压)应在 30–180 mmHg 之间,请核对。")]
    if sys_ is not None and dia is not None and dia >= sys_ and "bp_systolic" not in errors:
        errors["bp_diastolic"] = [_("低压应小于高压,请核对是否填反。")]
    if readings.pulse is not None and not 30 <= readings.pulse <= 220:
        errors["pulse"] = [_("脉搏应在 30–220 次/分之间,请核对。")]
    if readings.glucose is not None:
        if not Decimal("1.0") <= readings.glucose <= Decimal("35.0"):
            errors["glucose"] = [_("血糖应在 1.0–35.0 mmol/L 之间,请核对。")]
        if readings.glucose_context not in GlucoseContext.values:
            errors["glucose_context"] = [_("请选择血糖是空腹还是餐后测的。")]
    return errors


# A reading belongs to a service: a pressure (and the pulse the same cuff shows) to 量血压,
# a glucose value to 测血糖. A reading without its service means a mis-tap; refuse it rather
# than save a visit that says the opposite of what was done.
READING_SERVICES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("bp_systolic", "bp_diastolic", "pulse"), CareService.BLOOD_PRESSURE),
    (("glucose",), CareService.BLOOD_SUGAR),
)


def services_for_readings(readings: Readings) -> list[str]:
    """The services the readings prove were done."""
    values = readings.as_dict()
    return [
        service
        for fields, service in READING_SERVICES
        if any(values.get(field) is not None for field in fields)
    ]


def _check_reading_services(readings: Readings, codes: Sequence[str]) -> dict[str, list[str]]:
    missing = [s for s in services_for_readings(readings) if s not in codes]
    if not missing:
        return {}
    labels = "、".join(f"「{label}」" for label in service_labels(missing))
    return {
        "services": [
            _("填了读数,但没有勾选%(labels)s。做了请勾选;没做请清空读数。") % {"labels": labels}
        ]
    }


def parse_glucose(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.1"))
    except InvalidOperation as exc:
        raise ValidationError({"glucose": _("血糖请填写数字,例如 6.8。")}) from exc


@transaction.atomic
def visit_log(
    *,
    actor: User,
    resident: Resident,
    kind: str = VisitKind.HOME,
    services: Sequence[str] = (),
    readings: Readings | None = None,
    mood: str = "",
    note: str = "",
    concern: str = "",
    concern_to_request: bool = False,
    duration_minutes: int | None = None,
    visited_at: dt.datetime | None = None,
    volunteer: Volunteer | None = None,
) -> Visit:
    """Record a home visit or phone call, credit the volunteer's service time, raise alerts.

    Readings are kept only with the person's active health consent; without it they are
    refused, so nothing sensitive is stored by mistake.
    """
    resident = _lock_person(resident)
    require_processing(resident)
    now = timezone.now()
    visited_at = visited_at or now
    readings = readings or Readings()
    errors: dict[str, list[str]] = {}
    if kind not in VISIT_LOG_KINDS:
        errors["kind"] = [_("请选择上门走访或电话问候。")]
    try:
        codes = _check_services(services)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        codes = []
    if mood and mood not in Mood.values:
        errors["mood"] = [_("未知的精神状态。")]
    if visited_at > now + dt.timedelta(minutes=5):
        errors["visited_at"] = [_("走访时间不能晚于现在。")]
    elif visited_at < now - dt.timedelta(days=90):
        # A visit may be typed in late from a paper list, but not a season late: an
        # older date is a typo (1900 for 2026).
        errors["visited_at"] = [_("只能补记 90 天内的走访,请核对走访日期。")]
    if duration_minutes is not None and not 1 <= duration_minutes <= 600:
        errors["duration_minutes"] = [_("服务时长应在 1–600 分钟之间。")]
    concern = concern.strip()
    if concern_to_request and not concern:
        errors["concern"] = [_("请写下老人反映的困难,再转为诉求。")]
    elif concern_to_request and resident.household is None:
        errors["concern"] = [_("该居民没有登记住址,无法转为诉求,请联系网格员。")]
    if not readings.empty:
        if refusal := processing_refusal(resident, purpose=ConsentPurpose.HEALTH):
            errors["readings"] = [refusal]
        else:
            errors.update(_check_readings(readings))
            if "services" not in errors:
                errors.update(_check_reading_services(readings, codes))
    if errors:
        raise ValidationError(errors)

    volunteer = volunteer or volunteer_of(actor)
    plan = CarePlan.objects.filter(resident=resident, active=True).first()
    visit = Visit(
        resident=resident,
        plan=plan,
        volunteer=volunteer,
        recorded_by=actor,
        visited_at=visited_at,
        kind=kind,
        services=codes,
        duration_minutes=duration_minutes,
        mood=mood,
        note=note.strip(),
        concern=concern[:200],
    )
    if not readings.empty:
        visit.readings = readings.as_dict()
    visit.save()
    if kind == VisitKind.HOME:
        plans_due_refresh(CarePlan.objects.filter(resident=resident))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=visit,
        fields=[
            "kind",
            "services",
            "mood",
            "note",
            "concern",
            *(["readings"] if not readings.empty else []),
        ],
    )

    if concern_to_request and resident.household is not None and concern:
        visit.concern_request = request_submit(
            submitted_by=actor,
            text=_("%(name)s 走访中反映:%(concern)s") % {"name": resident, "concern": concern},
            channel=Channel.VISIT,
            location=resident.household.unit,
            room=resident.household.room,
            reporter=resident,
            at=visited_at,
        )
        visit.save(update_fields=["concern_request"])

    if volunteer is not None:
        default_minutes: dict[str, int] = settings.LINLI_CARE_DEFAULT_MINUTES
        minutes = duration_minutes or default_minutes.get(kind, 30)
        content = f"{VisitKind(kind).label}:{resident}"
        if codes:
            content += "(" + "、".join(service_labels(codes)) + ")"
        service_record_add(
            actor=actor,
            volunteer=volunteer,
            started_at=visited_at,
            minutes=minutes,
            content=content,
            source=ServiceSource.VISIT,
            source_id=str(visit.pk),
        )

    for alert in _alerts_for_visit(visit, readings):
        _raise(alert)
    return visit


@transaction.atomic
def clinic_reading_record(
    *,
    actor: User,
    resident: Resident,
    readings: Readings,
    taken_at: dt.datetime,
    note: str = "",
) -> Visit:
    """Keep a reading taken at a free clinic (义诊) in the person's care record.

    The same rules as a visit's readings: only with an active health consent (refused
    otherwise, nothing stored), the same plausibility checks, encrypted at rest, and the
    same alert thresholds raise the same alerts. It is not a home visit (the due list does
    not count it) and credits no volunteer hours (the clinic's helpers get theirs from the
    activity).
    """
    require_processing(resident)
    if readings.empty:
        raise ValidationError({"readings": [_("请至少填写一项读数(血压或血糖)。")]})
    if refusal := processing_refusal(resident, purpose=ConsentPurpose.HEALTH):
        raise ValidationError({"readings": [refusal]})
    errors = _check_readings(readings)
    if errors:
        raise ValidationError(errors)
    visit = Visit(
        resident=resident,
        plan=CarePlan.objects.filter(resident=resident, active=True).first(),
        recorded_by=actor,
        visited_at=taken_at,
        kind=VisitKind.CLINIC,
        services=services_for_readings(readings),
        note=note.strip(),
    )
    visit.readings = readings.as_dict()
    visit.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=visit,
        fields=["kind", "services", "note", "readings"],
    )
    for alert in _alerts_for_visit(visit, readings):
        _raise(alert)
    return visit


def _bp_level(readings: Readings) -> str | None:
    if readings.bp_systolic is None or readings.bp_diastolic is None:
        return None
    limits = thresholds()
    urgent_sys, urgent_dia = limits["bp_urgent"]
    high_sys, high_dia = limits["bp_high"]
    if readings.bp_systolic >= urgent_sys or readings.bp_diastolic >= urgent_dia:
        return AlertLevel.URGENT
    if readings.bp_systolic >= high_sys or readings.bp_diastolic >= high_dia:
        return AlertLevel.HIGH
    return None


def _glucose_level(readings: Readings) -> str | None:
    if readings.glucose is None:
        return None
    limits = thresholds()
    value = readings.glucose
    if value >= Decimal(str(limits["glucose_urgent_high"])) or value < Decimal(
        str(limits["glucose_urgent_low"])
    ):
        return AlertLevel.URGENT
    high_key = (
        "glucose_fasting_high"
        if readings.glucose_context == GlucoseContext.FASTING
        else "glucose_after_meal_high"
    )
    if value >= Decimal(str(limits[high_key])):
        return AlertLevel.HIGH
    return None


def _normalise_concern(text: str) -> str:
    return re.sub(r"[\s,。,.!!??、;;::“”\"']+", "", text)


def _alerts_for_visit(visit: Visit, readings: Readings) -> list[Alert]:
    alerts: list[Alert] = []
    level = _bp_level(readings)
    if level is not None:
        alerts.append(
            Alert(
                resident=visit.resident,
                visit=visit,
                kind=AlertKind.BLOOD_PRESSURE,
                level=level,
                summary=_("血压超过预警值"),
                created_at=visit.visited_at,
            )
        )
    level = _glucose_level(readings)
    if level is not None:
        low = readings.glucose is not None and readings.glucose < Decimal(
            str(thresholds()["glucose_urgent_low"])
        )
        alerts.append(
            Alert(
                resident=visit.resident,
                visit=visit,
                kind=AlertKind.GLUCOSE,
                level=level,
                summary=_("血糖偏低") if low else _("血糖超过预警值"),
                created_at=visit.visited_at,
            )
        )
    if visit.concern:
        runs: int = thresholds()["repeated_concern_visits"]
        concerns = [_normalise_concern(c) for c in recent_concerns(visit.resident, count=runs)]
        same = len(concerns) == runs and len(set(concerns)) == 1 and concerns[0]
        already = Alert.objects.filter(
            resident=visit.resident,
            kind=AlertKind.REPEATED_CONCERN,
            summary=visit.concern[:200],
        ).exclude(status=AlertStatus.CLOSED)
        if same and not already.exists():
            alerts.append(
                Alert(
                    resident=visit.resident,
                    visit=visit,
                    kind=AlertKind.REPEATED_CONCERN,
                    level=AlertLevel.HIGH,
                    summary=visit.concern[:200],
                    created_at=visit.visited_at,
                )
            )
    return alerts


def alert_link(alert: Alert) -> str:
    return f"{reverse('care:alert_list')}?status=all#alert-{alert.pk}"


def _raise(alert: Alert) -> None:
    """Save an alert and tell the care team: urgent ones go out at once (Huey); every
    alert is in the in-app list."""
    alert.save()
    audit_record(actor=None, action=AuditEvent.Action.CREATE, obj=alert, fields=["kind", "level"])
    text = _("【%(level)s】%(name)s:%(kind)s") % {
        "level": alert.get_level_display(),
        "name": alert.resident,
        "kind": alert.get_kind_display(),
    }
    link = alert_link(alert)
    recipients = care_team_of(alert.resident)
    area = alert.resident.area
    building = building_of(area) if area is not None else None
    grid = building.grid if building is not None else None
    kind = NotificationKind.CARE_ALERT
    if alert.level == AlertLevel.URGENT:
        notify(users=recipients, text=text, link=link, urgent=True, kind=kind, grid=grid)
    else:
        with without_external_delivery():
            notify(users=recipients, text=text, link=link, kind=kind, grid=grid)


# --- alerts ----------------------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User) -> Alert:
    now = timezone.now()
    changed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
        status=AlertStatus.ACKNOWLEDGED, acknowledged_by=actor, acknowledged_at=now
    )
    if not changed:
        raise Conflict(_("这条预警已经有人处理过了。"))
    alert.refresh_from_db()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=alert, fields=["status"])
    return alert


@transaction.atomic
def alert_close(*, alert: Alert, actor: User, note: str) -> Alert:
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("请写明处理情况再关闭预警。")})
    now = timezone.now()
    changed = (
        Alert.objects.filter(pk=alert.pk)
        .exclude(status=AlertStatus.CLOSED)
        .update(status=AlertStatus.CLOSED, closed_by=actor, closed_at=now, close_note=note[:300])
    )
    if not changed:
        raise Conflict(_("这条预警已经关闭了。"))
    Alert.objects.filter(pk=alert.pk, acknowledged_at=None).update(
        acknowledged_by=actor, acknowledged_at=now
    )
    alert.refresh_from_db()
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=alert, fields=["status", "close_note"]
    )
    return alert


def care_raise_overdue_alerts(*, now: dt.datetime | None = None) -> int:
    """One open alert per person whose visit is overdue (the daily check calls this).
    Each alert is raised in a transaction of its own (:mod:`linli.core.sweeps`), after the
    plan is read again: a visit logged, the plan ended or the person anonymised since the
    list was read leaves nothing to raise."""
    now = now or timezone.now()
    pending = list(_overdue_without_alert(CarePlan.objects.all(), now).values_list("pk", flat=True))
    return sum(sweep(pending, lambda pk: _raise_overdue(pk, now), name="care overdue"))


def _overdue_without_alert(plans: QuerySet[CarePlan], now: dt.datetime) -> QuerySet[CarePlan]:
    return (
        with_due(processable(plans.filter(active=True)), now=now)
        .filter(Q(due_at__lt=now - OVERDUE_GRACE))
        # One subquery: across the multi-valued relation, two conditions in ``exclude()``
        # become two independent EXISTS (any overdue alert, any active alert).
        .exclude(
            Exists(
                Alert.objects.filter(
                    resident_id=OuterRef("resident_id"),
                    kind=AlertKind.OVERDUE,
                    status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
                )
            )
        )
    )


def _raise_overdue(pk: int, now: dt.datetime) -> bool:
    # Read again inside the item's transaction: still active, processable and overdue,
    # still without an open overdue alert (the unique constraint settles a race with a
    # second run).
    plan = (
        _overdue_without_alert(CarePlan.objects.filter(pk=pk), now)
        .select_related("resident__area")
        .first()
    )
    if plan is None:
        return False
    alert = Alert(
        resident=plan.resident,
        kind=AlertKind.OVERDUE,
        level=AlertLevel.HIGH,
        summary=_("已超过应走访时间"),
        created_at=now,
    )
    try:
        with transaction.atomic():
            _raise(alert)
    except IntegrityError:
        return False  # another run raised it first
    return True


@transaction.atomic
def visit_readings_reveal(*, actor: User, resident: Resident, visits: Sequence[Visit]) -> None:
    """Record that ``actor`` was shown these visits' health readings (one record a look)."""
    shown = [v.pk for v in visits if v.has_readings]
    if shown:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.VIEW,
            obj=resident,
            fields=["bp_systolic", "bp_diastolic", "pulse", "glucose"],
            note="走访健康读数:" + ",".join(f"#{pk}" for pk in shown),
        )
