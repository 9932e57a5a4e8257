"""``/api/v1/notifications``: the caller's notification settings (通知设置) — channels per
kind and the quiet hours — read and saved through the same preferences and service as
the settings page. Everyone has their own settings: no capability is needed, and no one
reads or changes another's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import field_validator

from linli.accounts.current import request_user
from linli.core.api_schemas import ErrorOut
from linli.notifications.models import Channel, Kind
from linli.notifications.preferences import (
    IMMEDIATE_KINDS,
    Choice,
    channels_offered,
    choices_of,
    quiet_hours_of,
)
from linli.notifications.services import preferences_save

router = Router(tags=["notifications"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 422: ErrorOut}


class KindSettingOut(Schema):
    kind: Kind = Field(
        ...,
        description="urgent_request 紧急诉求 / care_alert 关爱预警 / assignment 派单与退回重办 / "
        "overdue 超期与上报 / warning 风险预警 / request_update 诉求进展 / "
        "programme 项目消息 / general 其他消息",
    )
    label: str = Field(..., description="类别名称")
    channels: list[Channel] = Field(..., description="站内消息之外的渠道:sms / wecom / email")
    digest: bool = Field(..., description="并入每日汇总(紧急诉求和关爱预警总是立即发送)")
    may_digest: bool = Field(..., description="这一类能否并入每日汇总")


class QuietHoursSchema(Schema):
    enabled: bool = Field(..., description="夜间免打扰(紧急消息除外)")
    start: dt.time = Field(..., description="开始,如 22:00")
    end: dt.time = Field(..., description="结束,如 07:00")

    @field_validator("start", "end")
    @classmethod
    def _wall_clock(cls, value: dt.time) -> dt.time:
        # Quiet hours are times on the community's clock: a time with its own offset
        # ("00:00:00Z") has no meaning here and would not compare with local times.
        if value.tzinfo is not None:
            raise ValueError(_("请填写不带时区的时刻,如 22:00。"))
        return value


class SettingsOut(Schema):
    offered: list[Channel] = Field(..., description="本人可选的渠道")
    kinds: list[KindSettingOut]
    quiet_hours: QuietHoursSchema


class KindSettingIn(Schema):
    kind: Kind
    channels: list[Channel] = Field(default_factory=list, max_length=3)
    digest: bool = False


class SettingsIn(Schema):
    """The kinds not sent keep their present setting; quiet hours stay as they are when
    ``quiet_hours`` is left out."""

    kinds: list[KindSettingIn] = Field(default_factory=list, max_length=20)
    quiet_hours: QuietHoursSchema | None = None


def _settings(request: HttpRequest) -> SettingsOut:
    user = request_user(request)
    choices = choices_of(user)
    quiet = quiet_hours_of(user)
    return SettingsOut(
        offered=[Channel(c) for c in channels_offered(user)],
        kinds=[
            KindSettingOut(
                kind=Kind(kind),
                label=str(label),
                channels=[Channel(c) for c in sorted(choices[kind].channels)],
                digest=choices[kind].digest,
                may_digest=kind not in IMMEDIATE_KINDS,
            )
            for kind, label in Kind.choices
        ],
        quiet_hours=QuietHoursSchema(enabled=quiet.enabled, start=quiet.start, end=quiet.end),
    )


@router.get(
    "/settings",
    response={200: SettingsOut, **ERRORS},
    summary="我的通知设置",
    description="每类消息经哪些渠道通知本人(站内消息总是有),以及夜间免打扰时段。",
)
def get_settings(request: HttpRequest) -> Any:
    return _settings(request)


@router.post(
    "/settings",
    response={200: SettingsOut, **ERRORS},
    summary="保存我的通知设置",
    description="与通知设置页面相同。只改提交的类别;本人不能选用的渠道(如居民选企业微信群)"
    "为 422;同一类别提交两次为 422。",
)
def save_settings(request: HttpRequest, payload: SettingsIn) -> Any:
    user = request_user(request)
    offered = set(channels_offered(user))
    chosen: dict[str, Choice] = dict(choices_of(user))
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, setting in enumerate(payload.kinds):
        if setting.kind in seen:
            errors[f"kinds.{i}.kind"] = [_("同一类消息只能设置一次。")]
        seen.add(setting.kind)
        refused = [c for c in setting.channels if c not in offered]
        if refused:
            errors[f"kinds.{i}.channels"] = [
                _("您不能选用这些渠道:%(channels)s。")
                % {"channels": "、".join(str(Channel(c).label) for c in refused)}
            ]
        chosen[setting.kind] = Choice(frozenset(setting.channels), digest=setting.digest)
    if errors:
        raise ValidationError(errors)
    quiet = payload.quiet_hours or QuietHoursSchema(**_settings(request).quiet_hours.dict())
    preferences_save(
        user=user,
        chosen=chosen,
        quiet_enabled=quiet.enabled,
        quiet_start=quiet.start,
        quiet_end=quiet.end,
    )
    return _settings(request)
