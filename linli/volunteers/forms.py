"""Forms only parse; the services validate and write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Grid
from linli.core.dates import QueryDateField
from linli.volunteers.models import (
    SLOT_ORDER,
    DaySlot,
    HoursStatus,
    TeamKind,
    VolunteerKind,
    Weekday,
)


def slot_choices() -> list[tuple[str, str]]:
    labels = dict(DaySlot.choices)
    return [
        (f"{day}-{slot}", f"{label}{labels[slot]}")
        for day, label in Weekday.choices
        for slot in SLOT_ORDER
    ]


def parse_slot(value: str) -> tuple[int, str]:
    day, _sep, slot = value.partition("-")
    return int(day), slot


class VolunteerSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *VolunteerKind.choices]
    )
    team = forms.TypedChoiceField(label=_("队伍"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: object, teams: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].choices = [("", _("全部")), *teams]  # type: ignore[attr-defined]


class VolunteerForm(forms.Form):
    kind = forms.ChoiceField(label=_("志愿者类型"), choices=VolunteerKind.choices)
    grid = forms.ModelChoiceField(
        label=_("所在网格"), queryset=Grid.objects.none(), required=False, empty_label=_("未指定")
    )
    active = forms.BooleanField(label=_("在册"), required=False)
    skills = forms.CharField(
        label=_("技能"),
        required=False,
        max_length=300,
        help_text=_("用顿号或逗号分隔,例如:量血压、理发、维修"),
    )
    availability = forms.MultipleChoiceField(
        label=_("每周可服务时段"),
        required=False,
        choices=slot_choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, grids: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["grid"].queryset = grids  # type: ignore[attr-defined]

    def skill_names(self) -> list[str]:
        raw: str = self.cleaned_data.get("skills") or ""
        for separator in (",", ",", ";", ";", " "):
            raw = raw.replace(separator, "、")
        return [part.strip() for part in raw.split("、") if part.strip()]

    def slots(self) -> list[tuple[int, str]]:
        return [parse_slot(value) for value in self.cleaned_data.get("availability") or []]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("队伍名称"), max_length=60)
    kind = forms.ChoiceField(label=_("队伍类型"), choices=TeamKind.choices)
    description = forms.CharField(label=_("简介"), max_length=200, required=False)


class TeamJoinForm(forms.Form):
    team = forms.TypedChoiceField(label=_("队伍"), coerce=int)
    is_leader = forms.BooleanField(label=_("任队长"), required=False)

    def __init__(self, *args: object, teams: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].choices = teams  # type: ignore[attr-defined]


class HoursClaimForm(forms.Form):
    """A volunteer's claim of service given outside the system (phone-first)."""

    served_on = QueryDateField(label=_("服务日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=_("开始时间"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    hours = forms.DecimalField(
        label=_("服务时长(小时)"),
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
        decimal_places=1,
        help_text=_("按实际服务时间填写,不含往返路途;可填 0.5 小时的整数倍,如 1.5。"),
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    content = forms.CharField(
        label=_("服务内容"),
        max_length=200,
        help_text=_("做了什么,例如:为独居老人理发、清理楼道小广告"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    place = forms.CharField(label=_("服务地点"), max_length=100, required=False)

    def started_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["served_on"], self.cleaned_data["start"])
        )

    def minutes(self) -> int:
        return int(self.cleaned_data["hours"] * 60)


class HoursReviewFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            (HoursStatus.SUBMITTED, _("待审核")),
            ("all", _("全部")),
            *[c for c in HoursStatus.choices if c[0] != HoursStatus.SUBMITTED],
        ],
    )
    q = forms.CharField(label=_("姓名或内容"), required=False, max_length=50)
    grid = forms.TypedChoiceField(label=_("网格"), required=False, coerce=int, empty_value=None)
    since = QueryDateField(
        label=_("服务日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = QueryDateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, grids: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["grid"].choices = [("", _("全部")), *grids]  # type: ignore[attr-defined]


class HoursRejectForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=200)
