"""Writes for volunteers: validated, atomic, audited, keyword-only."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind, Grid
from linli.core.audit import audit_record
from linli.people.models import Resident
from linli.volunteers.models import ServiceRecord, ServiceSource, Volunteer, VolunteerKind


@transaction.atomic
def volunteer_create(
    *,
    actor: User | None,
    community: Area,
    name: str = "",
    kind: str = VolunteerKind.RESIDENT,
    user: User | None = None,
    resident: Resident | None = None,
    grid: Grid | None = None,
    joined_on: dt.date | None = None,
) -> Volunteer:
    if user is None and resident is None:
        raise ValidationError(_("志愿者须关联一位居民或一个登录账号。"))
    if community.kind != AreaKind.COMMUNITY:
        raise ValidationError({"community": _("请选择志愿者所属的社区。")})
    name = (
        name.strip()
        or (resident.name if resident else "")
        or (user.get_full_name() if user else "")
    )
    volunteer = Volunteer(
        name=name,
        kind=kind,
        user=user,
        resident=resident,
        community=community,
        grid=grid,
        joined_on=joined_on,
    )
    volunteer.full_clean()
    volunteer.save()
    audit_record(
        actor=actor, action="create", obj=volunteer, fields=["name", "kind", "user", "resident"]
    )
    return volunteer


@transaction.atomic
def service_record_add(
    *,
    actor: User | None,
    volunteer: Volunteer,
    started_at: dt.datetime,
    minutes: int,
    content: str,
    source: str = ServiceSource.OTHER,
    source_id: str = "",
) -> ServiceRecord:
    """Record service time. Travel is not service time: callers pass time spent serving."""
    if minutes <= 0:
        raise ValidationError({"minutes": _("服务时长须大于 0 分钟。")})
    if minutes > 24 * 60:
        raise ValidationError({"minutes": _("一次服务时长不能超过 24 小时。")})
    record = ServiceRecord(
        volunteer=volunteer,
        started_at=started_at,
        minutes=minutes,
        content=content.strip()[:200],
        source=source,
        source_id=source_id,
        recorded_by=actor,
    )
    record.save()
    audit_record(
        actor=actor,
        action="create",
        obj=record,
        fields=["volunteer", "started_at", "minutes", "content", "source"],
    )
    return record
