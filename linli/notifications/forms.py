from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.areas.models import Area, Grid
from linli.notifications.models import Channel, Kind
from linli.notifications.preferences import IMMEDIATE_KINDS, Choice, quiet_hours_of
from linli.notifications.senders import robots


def field_name(kind: str, what: str) -> str:
    return f"{kind}__{what}"


class PreferencesForm(forms.Form):
    """One checkbox per kind and channel offered, a digest box for the kinds that may
    wait, and the quiet hours."""

    quiet_enabled = forms.BooleanField(label=_("夜间免打扰(紧急消息除外)"), required=False)
    quiet_start = forms.TimeField(
        label=_("免打扰开始"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label=_("免打扰结束"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(
        self, *args: Any, user: User, offered: list[str], choices: dict[str, Choice], **kwargs: Any
    ) -> None:
        quiet = quiet_hours_of(user)
        initial = {
            "quiet_enabled": quiet.enabled,
            "quiet_start": quiet.start,
            "quiet_end": quiet.end,
        }
        for kind, choice in choices.items():
            for channel in offered:
                initial[field_name(kind, channel)] = channel in choice.channels
            initial[field_name(kind, "digest")] = choice.digest
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.offered = offered
        self.rows: list[tuple[str, list[tuple[forms.BoundField, str]], forms.BoundField | None]]
        self.rows = []
        for kind, label in Kind.choices:
            for channel in offered:
                self.fields[field_name(kind, channel)] = forms.BooleanField(
                    label=f"{label}:{Channel(channel).label}", required=False
                )
            if kind not in IMMEDIATE_KINDS:
                self.fields[field_name(kind, "digest")] = forms.BooleanField(
                    label=f"{label}:{_('每日汇总')}", required=False
                )
        for kind, label in Kind.choices:
            boxes = [
                (self[field_name(kind, channel)], str(Channel(channel).label))
                for channel in offered
            ]
            digest = self[field_name(kind, "digest")] if kind not in IMMEDIATE_KINDS else None
            self.rows.append((str(label), boxes, digest))

    def chosen(self) -> dict[str, Choice]:
        data = self.cleaned_data
        return {
            kind: Choice(
                frozenset(c for c in self.offered if data.get(field_name(kind, c))),
                digest=bool(data.get(field_name(kind, "digest"))),
            )
            for kind in Kind.values
        }


class StaffGroupForm(forms.Form):
    where = forms.ChoiceField(label=_("网格或社区"))
    robot = forms.ChoiceField(label=_("群机器人"))

    def __init__(
        self, *args: Any, communities: list[Area], grids: list[Grid], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        where: list[tuple[str, str]] = [("", str(_("请选择")))]
        where += [(f"community:{c.pk}", str(c)) for c in communities]
        where += [(f"grid:{g.pk}", f"{g.community}{g}") for g in grids]
        field = self.fields["where"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = where
        names = sorted(robots())
        robot = self.fields["robot"]
        assert isinstance(robot, forms.ChoiceField)
        robot.choices = [("", str(_("请选择")))] + [(n, n) for n in names]
        if not names:
            robot.help_text = _("还没有配置群机器人:请运维人员在 LINLI_WECOM_ROBOTS 中添加。")
