"""Writes for activities: validated, atomic, audited, keyword-only."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.activities.models import (
    READING_SERVICE_NAMES,
    TRANSITIONS,
    Activity,
    ActivityKind,
    Audience,
    ClinicReading,
    Helper,
    ServedCount,
    Signup,
    SignupChannel,
    SignupStatus,
    Status,
)
from linli.areas.models import Area, AreaKind, Grid
from linli.care.models import AlertKind
from linli.care.services import Readings, clinic_reading_record
from linli.core.audit import audit_record
from linli.core.errors import Conflict, Duplicate
from linli.core.models import AuditEvent
from linli.organisations.models import Organisation
from linli.people.models import ConsentPurpose, Resident, age_on
from linli.privacy.gate import processing_refusal, require_processing
from linli.requests.models import Channel, Request
from linli.requests.services import request_submit
from linli.volunteers.models import ServiceSource, Team, Volunteer
from linli.volunteers.services import service_record_add

ELDERLY_AGE = 60
CHILD_AGE = 14
# A resident may check in from an hour before the start until the end.
CHECKIN_EARLY = dt.timedelta(hours=1)
MAX_SERVED = 100_000


@transaction.atomic
def activity_create(
    *,
    actor: User | None,
    community: Area,
    kind: ActivityKind,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: Area | None = None,
    place_detail: str = "",
    organisers: Iterable[Organisation] = (),
    team: Team | None = None,
    partners: Iterable[Organisation] = (),
    capacity: int | None = None,
    audience: str = Audience.EVERYONE,
    audience_grid: Grid | None = None,
    description: str = "",
) -> Activity:
    errors: dict[str, list[str]] = {}
    title = title.strip()
    if community.kind != AreaKind.COMMUNITY:
        errors["community"] = [_("请选择主办社区。")]
    if not title:
        errors["title"] = [_("请填写活动名称。")]
    if ends_at < starts_at:
        errors["ends_at"] = [_("结束时间不能早于开始时间。")]
    elif ends_at - starts_at > dt.timedelta(days=31):
        errors["ends_at"] = [_("一次活动不能超过 31 天,请核对日期。")]
    if place is not None and not place.path.startswith(community.path):
        errors["place"] = [_("活动地点须在主办社区内。")]
    if capacity is not None and capacity <= 0:
        errors["capacity"] = [_("名额须大于 0;不限名额请留空。")]
    if audience not in Audience.values:
        errors["audience"] = [_("请选择面向对象。")]
    elif audience == Audience.GRID and audience_grid is None:
        errors["audience_grid"] = [_("面向指定网格时请选择网格。")]
    if audience_grid is not None and audience_grid.community_id != community.pk:
        errors["audience_grid"] = [_("网格须属于主办社区。")]
    if team is not None and team.community_id != community.pk:
        errors["team"] = [_("志愿服务队须属于主办社区。")]
    if errors:
        raise ValidationError(errors)
    activity = Activity(
        title=title[:100],
        kind=kind,
        community=community,
        place=place,
        place_detail=place_detail.strip()[:100],
        team=team,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        audience=audience,
        audience_grid=audience_grid if audience == Audience.GRID else None,
        description=description.strip(),
        created_by=actor,
    )
    activity.save()
    activity.organisers.set(list(organisers))
    activity.partners.set(list(partners))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=activity,
        fields=["title", "kind", "community", "starts_at", "capacity", "audience"],
    )
    return activity


@transaction.atomic
def activity_transition(
    *,
    actor: User | None,
    activity: Activity,
    to: str,
    reason: str = "",
    summary: str = "",
) -> Activity:
    """Move an activity along its life cycle (:data:`TRANSITIONS`).

    Cancelling needs a reason. Marking it held credits every helping volunteer with the
    activity's duration as service time (once: the volunteers app refuses a second record
    for the same source).
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if to not in TRANSITIONS.get(activity.status, frozenset()):
        raise Conflict(
            _("活动当前为“%(from)s”,不能改为“%(to)s”。")
            % {
                "from": activity.get_status_display(),
                "to": Status(to).label if to in Status.values else to,
            }
        )
    fields = ["status"]
    if to == Status.CANCELLED:
        reason = reason.strip()
        if not reason:
            raise ValidationError({"reason": _("取消活动请填写原因。")})
        activity.cancel_reason = reason[:200]
        fields.append("cancel_reason")
    if to == Status.HELD and activity.starts_at > timezone.now():
        raise Conflict(_("活动还没有开始,不能标记为已举办。"))
    if to == Status.SUMMARISED:
        if not summary.strip():
            raise ValidationError({"summary": _("请填写活动总结。")})
        activity.summary = summary.strip()
        fields.append("summary")
    activity.status = to
    activity.save(update_fields=[*fields, "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=activity, fields=fields)
    if to == Status.HELD:
        _credit_helpers(actor=actor, activity=activity)
    return activity


def _credit_helpers(*, actor: User | None, activity: Activity) -> None:
    minutes = max(
        1, min(24 * 60, int((activity.ends_at - activity.starts_at).total_seconds() // 60))
    )
    for helper in activity.helpers.select_related("volunteer"):
        if helper.volunteer.service_records.filter(
            source=ServiceSource.ACTIVITY, source_id=str(activity.pk)
        ).exists():
            continue
        content = f"{activity.kind.name}:{activity.title}"
        if helper.role:
            content += f"({helper.role})"
        service_record_add(
            actor=actor,
            volunteer=helper.volunteer,
            started_at=activity.starts_at,
            minutes=minutes,
            content=content,
            source=ServiceSource.ACTIVITY,
            source_id=str(activity.pk),
        )


def audience_refusal(activity: Activity, resident: Resident) -> str:
    """Why ``resident`` may not sign up for ``activity`` (not in its audience); "" if they may."""
    path = resident.area.path if resident.area is not None else ""
    if not path.startswith(activity.community.path):
        return _("该活动只面向本社区居民。")
    age = age_on(resident.birth_date, timezone.localtime(activity.starts_at).date())
    if activity.audience == Audience.ELDERLY and age < ELDERLY_AGE:
        return _("该活动面向 %(n)d 岁以上老年人。") % {"n": ELDERLY_AGE}
    if activity.audience == Audience.CHILDREN and age >= CHILD_AGE:
        return _("该活动面向 %(n)d 岁以下儿童,请由监护人为孩子报名。") % {"n": CHILD_AGE}
    if activity.audience == Audience.GRID and activity.audience_grid is not None:
        grid = activity.audience_grid
        buildings = Area.objects.filter(grid=grid).values_list("path", flat=True)
        if not any(path.startswith(p) for p in buildings):
            return _("该活动只面向%(grid)s的居民。") % {"grid": grid.name}
    return ""


def _confirmed_count(activity: Activity) -> int:
    return activity.signups.filter(status=SignupStatus.CONFIRMED).count()


@transaction.atomic
def signup_add(
    *,
    actor: User | None,
    activity: Activity,
    resident: Resident,
    channel: str = SignupChannel.SELF,
) -> Signup:
    """Sign a resident up: a place if one is free, else the waiting list."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != Status.OPEN:
        raise Conflict(_("该活动现在不接受报名。"))
    if channel not in SignupChannel.values:
        raise ValidationError({"channel": _("未知的报名方式。")})
    require_processing(resident)
    if refusal := audience_refusal(activity, resident):
        raise ValidationError(refusal)
    if activity.signups.filter(resident=resident).exclude(status=SignupStatus.CANCELLED).exists():
        raise Duplicate(_("%(name)s 已经报过名了。") % {"name": resident.name})
    full = activity.capacity is not None and _confirmed_count(activity) >= activity.capacity
    signup = Signup.objects.create(
        activity=activity,
        resident=resident,
        channel=channel,
        status=SignupStatus.WAITING if full else SignupStatus.CONFIRMED,
        signed_up_at=timezone.now(),
        signed_up_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=signup,
        fields=["activity", "resident", "status"],
    )
    return signup


@transaction.atomic
def signup_cancel(*, actor: User | None, signup: Signup) -> Signup | None:
    """Cancel a sign-up; a freed place goes to the first on the waiting list (returned)."""
    activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict(_("该报名已经取消。"))
    if signup.checked_in_at is not None:
        raise Conflict(_("已签到的报名不能取消。"))
    if activity.status not in {Status.PLANNED, Status.OPEN}:
        raise Conflict(_("活动已结束或已取消,不能再取消报名。"))
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=signup, fields=["status"])
    if not was_confirmed:
        return None
    if activity.capacity is not None and _confirmed_count(activity) >= activity.capacity:
        return None
    first = (
        activity.signups.select_for_update()
        .filter(status=SignupStatus.WAITING)
        .order_by("signed_up_at", "pk")
        .first()
    )
    if first is None:
        return None
    first.status = SignupStatus.CONFIRMED
    first.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=first,
        fields=["status"],
        note="候补转为正式报名",
    )
    return first


def checkin_refusal(activity: Activity, at: dt.datetime) -> str:
    if activity.status not in {Status.OPEN, Status.PLANNED, Status.HELD}:
        return _("该活动已取消或已总结,不能签到。")
    if at < activity.starts_at - CHECKIN_EARLY:
        return _("活动开始前一小时起才能签到。")
    if at > activity.ends_at:
        return _("活动已经结束,不能再签到。")
    return ""


@transaction.atomic
def checkin(
    *,
    actor: User | None,
    activity: Activity,
    resident: Resident,
    token: str | None = None,
    at: dt.datetime | None = None,
) -> Signup:
    """Check a resident in at the door.

    With ``token`` (a resident scanning the QR code) the token must be the activity's; staff
    checking someone in from the list pass no token. Someone who came without signing up
    (a walk-in) is signed up on the spot: they are there, so the capacity does not bind.
    """
    at = at or timezone.now()
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if token is not None and not secrets.compare_digest(token, activity.checkin_token):
        raise ValidationError(_("签到码无效,请扫描活动现场的二维码。"))
    if refusal := checkin_refusal(activity, at):
        raise ValidationError(refusal)
    require_processing(resident)
    signup = (
        activity.signups.select_for_update()
        .filter(resident=resident)
        .exclude(status=SignupStatus.CANCELLED)
        .first()
    )
    if signup is None:
        if refusal := audience_refusal(activity, resident):
            raise ValidationError(refusal)
        signup = Signup.objects.create(
            activity=activity,
            resident=resident,
            channel=SignupChannel.SELF if token is not None else SignupChannel.STAFF,
            status=SignupStatus.CONFIRMED,
            signed_up_at=at,
            signed_up_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=signup,
            fields=["activity", "resident", "status"],
        )
    if signup.checked_in_at is not None:
        return signup
    signup.checked_in_at = at
    signup.status = SignupStatus.CONFIRMED
    signup.save(update_fields=["checked_in_at", "status"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=signup, fields=["checked_in_at"])
    return signup


@transaction.atomic
def helper_add(
    *, actor: User | None, activity: Activity, volunteer: Volunteer, role: str = ""
) -> Helper:
    """A volunteer signs up to help (or is put down to help by staff)."""
    if activity.status not in {Status.PLANNED, Status.OPEN}:
        raise Conflict(_("该活动已结束或已取消,不能再报名服务。"))
    if not volunteer.active:
        raise ValidationError(_("该志愿者已不在册。"))
    if Helper.objects.filter(activity=activity, volunteer=volunteer).exists():
        raise Duplicate(_("%(name)s 已经报名服务了。") % {"name": volunteer.name})
    helper = Helper.objects.create(activity=activity, volunteer=volunteer, role=role.strip()[:50])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=helper,
        fields=["activity", "volunteer", "role"],
    )
    return helper


@transaction.atomic
def served_record(
    *, actor: User | None, activity: Activity, counts: Mapping[str, int]
) -> list[ServedCount]:
    """Record how many people a held activity served per service (replaces earlier counts)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status not in {Status.HELD, Status.SUMMARISED}:
        raise Conflict(_("活动举办后才能登记服务人数。"))
    cleaned: dict[str, int] = {}
    for raw_name, count in counts.items():
        name = raw_name.strip()[:30]
        if not name:
            continue
        if not 0 <= int(count) <= MAX_SERVED:
            raise ValidationError({"counts": _("服务人数应在 0–100000 之间。")})
        if int(count) > 0:
            cleaned[name] = cleaned.get(name, 0) + int(count)
    if not cleaned:
        raise ValidationError({"counts": _("请至少填写一项服务及人数。")})
    ServedCount.objects.filter(activity=activity).delete()
    rows = ServedCount.objects.bulk_create(
        [ServedCount(activity=activity, service=n, count=c) for n, c in cleaned.items()]
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        fields=["served"],
        note="、".join(f"{n} {c}" for n, c in cleaned.items()),
    )
    return rows


@transaction.atomic
def followup_file(
    *, actor: User, activity: Activity, text: str, resident: Resident | None = None
) -> Request:
    """File a follow-up request (诉求) from an activity in one step: at the resident's home
    when one is named (it is then routed to their grid worker), else at the activity's
    place. ``request_submit`` validates, routes and audits it."""
    if activity.status == Status.CANCELLED:
        raise Conflict(_("活动已取消,不能登记后续诉求。"))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请描述需要跟进的问题。")})
    location: Area = activity.place or activity.community
    room = ""
    if resident is not None:
        require_processing(resident)
        if resident.household is not None:
            location, room = resident.household.unit, resident.household.room
    request = request_submit(
        submitted_by=actor,
        text=f"【{activity.title}】{text}",
        channel=Channel.ACTIVITY,
        location=location,
        room=room,
        reporter=resident,
    )
    activity.followups.add(request)
    return request


def reading_taken_at(activity: Activity, now: dt.datetime) -> dt.datetime:
    """When a reading was taken: now during the activity; typed in later (from a paper
    list), the end of the activity."""
    return min(max(now, activity.starts_at), activity.ends_at)


@transaction.atomic
def reading_record(
    *, actor: User, activity: Activity, resident: Resident, readings: Readings
) -> ClinicReading:
    """Record a health reading taken for an attendee at a free clinic.

    The attendee must have checked in. With their active health consent the reading goes
    into their care record through care's own service (same checks, encryption and alert
    thresholds as a visit); it then counts, once, for its service among the people served.

    Without health consent it is refused and nothing about the person is kept: health data
    is sensitive personal information and needs its own consent (PIPL art. 28-29). That the
    person was measured may still be counted anonymously in the people served, which names
    no one.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == Status.CANCELLED:
        raise Conflict(_("活动已取消,不能登记读数。"))
    attended = activity.signups.filter(resident=resident, checked_in_at__isnull=False).exists()
    if not attended:
        raise ValidationError(
            {"resident": [_("%(name)s 没有签到,请先签到再登记读数。") % {"name": resident.name}]}
        )
    require_processing(resident)
    if not readings.empty and processing_refusal(resident, purpose=ConsentPurpose.HEALTH):
        raise ValidationError(
            {
                "readings": [
                    _(
                        "%(name)s 没有有效的健康信息授权同意,读数不予保存。"
                        "已为其测量的,请在“登记服务人数”中计入人数(不记姓名)。"
                    )
                    % {"name": resident.name}
                ]
            }
        )
    now = timezone.now()
    visit = clinic_reading_record(
        actor=actor,
        resident=resident,
        readings=readings,
        taken_at=reading_taken_at(activity, now),
        note=_("义诊:%(title)s") % {"title": activity.title},
    )
    reading = ClinicReading.objects.create(
        activity=activity,
        resident=resident,
        visit=visit,
        services=[READING_SERVICE_NAMES[code] for code in visit.services],
        alerted=visit.alerts.filter(
            kind__in=[AlertKind.BLOOD_PRESSURE, AlertKind.GLUCOSE]
        ).exists(),
        recorded_by=actor,
        recorded_at=now,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=reading,
        fields=["activity", "resident", "services"],
    )
    return reading
