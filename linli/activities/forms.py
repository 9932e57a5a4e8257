"""Forms only parse; the services validate and write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.activities.models import ActivityKind, Audience, Status
from linli.areas.models import Area, Grid
from linli.care.models import GlucoseContext
from linli.care.services import Readings
from linli.core.dates import QueryDateField, check_query_datetime
from linli.core.forms import RecordChoicesField
from linli.organisations.models import Organisation
from linli.people.models import Resident
from linli.volunteers.models import Team, Volunteer


class LocalDateTimeField(forms.DateTimeField):
    """A phone's date-and-time picker, read in the site's time zone, 1900–2100."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    default_error_messages = {"invalid": _("请输入正确的日期和时间,如 2026-11-01 09:00。")}

    def to_python(self, value: Any) -> dt.datetime | None:
        parsed: dt.datetime | None = super().to_python(value)
        if parsed is not None:
            check_query_datetime(parsed)
        return parsed


class ActivitySearchForm(forms.Form):
    q = forms.CharField(label=_("活动名称"), required=False, max_length=50)
    kind = forms.ModelChoiceField(
        label=_("类型"), required=False, queryset=ActivityKind.objects.all(), empty_label=_("全部")
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Status.choices]
    )


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ModelChoiceField(
        label=_("活动类型"), queryset=ActivityKind.objects.filter(active=True)
    )
    community = forms.ModelChoiceField(label=_("主办社区"), queryset=Area.objects.none())
    place = forms.ModelChoiceField(
        label=_("活动地点"), queryset=Area.objects.none(), required=False, empty_label=_("社区内")
    )
    place_detail = forms.CharField(
        label=_("具体地点"),
        max_length=100,
        required=False,
        help_text=_("例如:小区广场、党群服务站"),
    )
    starts_at = LocalDateTimeField(label=_("开始时间"))
    ends_at = LocalDateTimeField(label=_("结束时间"))
    capacity = forms.IntegerField(
        label=_("名额"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_("不限名额请留空"),
    )
    audience = forms.ChoiceField(label=_("面向对象"), choices=Audience.choices)
    audience_grid = forms.ModelChoiceField(
        label=_("面向网格"), queryset=Grid.objects.none(), required=False, empty_label=_("不限")
    )
    organisers = RecordChoicesField(
        label=_("主办单位"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = RecordChoicesField(
        label=_("协办/共建单位"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    team = forms.ModelChoiceField(
        label=_("志愿服务队"), queryset=Team.objects.none(), required=False, empty_label=_("无")
    )
    description = forms.CharField(
        label=_("活动简介"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: Any, communities: Any, places: Any, grids: Any, teams: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["audience_grid"].queryset = grids  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("改为"), choices=Status.choices)
    reason = forms.CharField(label=_("取消原因"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("活动总结"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PhoneSignupForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("居民"), queryset=Resident.objects.none())

    def __init__(self, *args: Any, residents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents  # type: ignore[attr-defined]


class HelperForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("志愿者"), queryset=Volunteer.objects.none())
    role = forms.CharField(label=_("分工"), max_length=50, required=False)

    def __init__(self, *args: Any, volunteers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers  # type: ignore[attr-defined]


SERVED_ROWS = 6
CLINIC_SERVICES = ["量血压", "测血糖", "健康咨询"]


class ServedForm(forms.Form):
    """Up to six rows of (service, people served)."""

    def __init__(self, *args: Any, initial_rows: list[tuple[str, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = initial_rows + [("", 0)] * (SERVED_ROWS - len(initial_rows))
        for i, (name, count) in enumerate(rows[:SERVED_ROWS]):
            self.fields[f"service_{i}"] = forms.CharField(
                label=_("服务项目"), max_length=30, required=False, initial=name
            )
            self.fields[f"count_{i}"] = forms.IntegerField(
                label=_("人数"),
                min_value=0,
                max_value=100000,
                required=False,
                initial=count or None,
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"service_{i}"], self[f"count_{i}"]) for i in range(SERVED_ROWS)]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for i in range(SERVED_ROWS):
            name = (self.cleaned_data.get(f"service_{i}") or "").strip()
            count = self.cleaned_data.get(f"count_{i}")
            if name and count:
                counts[name] = counts.get(name, 0) + int(count)
        return counts


class FiguresForm(forms.Form):
    area = forms.ModelChoiceField(label=_("区域"), queryset=Area.objects.none(), required=False)
    start = QueryDateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = QueryDateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]


class FollowupForm(forms.Form):
    text = forms.CharField(
        label=_("需要跟进的问题"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    resident = forms.ModelChoiceField(
        label=_("相关居民"), queryset=Resident.objects.none(), required=False, empty_label=_("无")
    )

    def __init__(self, *args: Any, residents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents  # type: ignore[attr-defined]


def _reading(label: Any, unit: Any, *, decimal: bool = False) -> forms.Field:
    attrs = {
        "inputmode": "decimal" if decimal else "numeric",
        "placeholder": unit,
        "autocomplete": "off",
    }
    if decimal:
        return forms.DecimalField(
            label=label,
            required=False,
            max_digits=4,
            decimal_places=1,
            widget=forms.TextInput(attrs=attrs),
        )
    return forms.IntegerField(label=label, required=False, widget=forms.TextInput(attrs=attrs))


class ReadingForm(forms.Form):
    """One attendee's readings at a free clinic; care's service checks the values."""

    resident = forms.ModelChoiceField(
        label=_("居民(已签到)"), queryset=Resident.objects.none(), empty_label=_("请选择")
    )
    bp_systolic = _reading(_("高压"), "mmHg")
    bp_diastolic = _reading(_("低压"), "mmHg")
    pulse = _reading(_("脉搏"), _("次/分"))
    glucose = _reading(_("血糖"), "mmol/L", decimal=True)
    glucose_context = forms.ChoiceField(
        label=_("测血糖时"),
        choices=GlucoseContext.choices,
        required=False,
        initial=GlucoseContext.FASTING,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, residents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents  # type: ignore[attr-defined]

    def readings(self) -> Readings:
        data = self.cleaned_data
        return Readings(
            bp_systolic=data.get("bp_systolic"),
            bp_diastolic=data.get("bp_diastolic"),
            pulse=data.get("pulse"),
            glucose=data.get("glucose"),
            glucose_context=(data.get("glucose_context") or "")
            if data.get("glucose") is not None
            else "",
        )
