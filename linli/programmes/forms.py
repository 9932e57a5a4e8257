from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.people.models import ConsentMethod
from linli.programmes.models import WEEKDAY_NAMES, Phase, Site, Slot, SlotKind
from linli.programmes.services import PhaseData, PickupData, SlotData
from linli.volunteers.models import Volunteer

PICKUP_ROWS = 3


class EnrolForm(forms.Form):
    phase = forms.ModelChoiceField(label=_("报名阶段"), queryset=Phase.objects.none())
    child = forms.ChoiceField(label=_("孩子"))
    guardian_relation = forms.CharField(label=_("您与孩子的关系"), max_length=20)
    consent = forms.BooleanField(
        label=_("我作为监护人,同意社区为托管登记和照看孩子处理孩子的个人信息"),
        error_messages={"required": _("未满十四周岁的孩子须监护人同意后才能报名。")},
    )
    health_consent = forms.BooleanField(
        label=_("同意登记孩子的过敏与健康提示(健康信息)"), required=False
    )
    allergies = forms.CharField(label=_("过敏情况"), max_length=500, required=False)
    health_notes = forms.CharField(
        label=_("健康提示"), max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        phases: Any,
        children: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        phase_field = self.fields["phase"]
        assert isinstance(phase_field, forms.ModelChoiceField)
        phase_field.queryset = phases
        child_field = self.fields["child"]
        assert isinstance(child_field, forms.ChoiceField)
        child_field.choices = [(str(pk), name) for pk, name in children]
        for n in range(1, PICKUP_ROWS + 1):
            required = n == 1
            self.fields[f"pickup{n}_name"] = forms.CharField(
                label=_("接送人%(n)s 姓名") % {"n": n}, max_length=50, required=required
            )
            self.fields[f"pickup{n}_relation"] = forms.CharField(
                label=_("接送人%(n)s 关系") % {"n": n}, max_length=20, required=required
            )
            self.fields[f"pickup{n}_phone"] = forms.CharField(
                label=_("接送人%(n)s 电话") % {"n": n}, max_length=20, required=required
            )

    def pickups(self) -> list[PickupData]:
        data = self.cleaned_data
        return [
            PickupData(
                name=data.get(f"pickup{n}_name") or "",
                relation=data.get(f"pickup{n}_relation") or "",
                phone=data.get(f"pickup{n}_phone") or "",
            )
            for n in range(1, PICKUP_ROWS + 1)
        ]

    @property
    def consent_method(self) -> str:
        return ConsentMethod.ONLINE


class SignOutForm(forms.Form):
    pickup_name = forms.CharField(label=_("来接孩子的人"), max_length=50)


class IncidentForm(forms.Form):
    description = forms.CharField(
        label=_("事件经过"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )
    action_taken = forms.CharField(
        label=_("处理情况"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("发给家长的消息"), max_length=250, widget=forms.Textarea({"rows": 2})
    )


WEEKDAY_CHOICES = [(str(n), label) for n, label in WEEKDAY_NAMES.items()]


class ProgrammeForm(forms.Form):
    site = forms.ModelChoiceField(label=_("党群服务站"), queryset=Site.objects.none())
    name = forms.CharField(label=_("项目名称"), max_length=80)
    description = forms.CharField(
        label=_("简介"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = sites


class PhaseForm(forms.Form):
    name = forms.CharField(label=_("阶段名称"), max_length=60, initial=_("第一期"))
    start_date = forms.DateField(label=_("开始日期"), widget=forms.DateInput({"type": "date"}))
    end_date = forms.DateField(label=_("结束日期"), widget=forms.DateInput({"type": "date"}))
    weekdays = forms.MultipleChoiceField(
        label=_("开放日"),
        choices=WEEKDAY_CHOICES,
        initial=["1", "2", "3", "4", "5"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择开放日(周一到周日)。")},
    )
    opens_at = forms.TimeField(
        label=_("每日开始时间"), widget=forms.TimeInput({"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=_("每日结束时间"), widget=forms.TimeInput({"type": "time"}, format="%H:%M")
    )
    # Bounds are the service's (Chinese messages naming the rule), not the form's.
    capacity = forms.IntegerField(label=_("名额"), max_value=100_000)
    min_age = forms.IntegerField(label=_("最小年龄"), initial=6, max_value=100)
    max_age = forms.IntegerField(label=_("最大年龄"), initial=14, max_value=100)
    fee = forms.DecimalField(
        label=_("费用(元,免费填 0)"),
        initial=Decimal(0),
        max_digits=8,
        decimal_places=2,
    )

    def data_for_service(self) -> PhaseData:
        data = self.cleaned_data
        return PhaseData(
            name=data["name"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            capacity=data["capacity"],
            weekdays="".join(data["weekdays"]),
            min_age=data["min_age"],
            max_age=data["max_age"],
            fee=data["fee"],
        )

    @staticmethod
    def initial_for(phase: Phase) -> dict[str, Any]:
        return {
            "name": phase.name,
            "start_date": phase.start_date,
            "end_date": phase.end_date,
            "weekdays": list(phase.weekdays),
            "opens_at": phase.opens_at,
            "closes_at": phase.closes_at,
            "capacity": phase.capacity,
            "min_age": phase.min_age,
            "max_age": phase.max_age,
            "fee": phase.fee,
        }


class VolunteerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}({obj.get_kind_display()})"


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("周几"),
        choices=[("", _("每个开放日")), *WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    starts_at = forms.TimeField(
        label=_("开始"), widget=forms.TimeInput({"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("结束"), widget=forms.TimeInput({"type": "time"}, format="%H:%M")
    )
    kind = forms.ChoiceField(label=_("内容"), choices=SlotKind.choices)
    title = forms.CharField(label=_("标题(可不填)"), max_length=60, required=False)
    volunteer = VolunteerChoiceField(
        label=_("志愿者"), queryset=Volunteer.objects.none(), required=False
    )
    teacher_name = forms.CharField(label=_("或授课老师"), max_length=50, required=False)

    def __init__(self, *args: Any, volunteers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        volunteer_field = self.fields["volunteer"]
        assert isinstance(volunteer_field, forms.ModelChoiceField)
        volunteer_field.queryset = volunteers

    def data_for_service(self) -> SlotData:
        data = self.cleaned_data
        return SlotData(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            kind=data["kind"],
            title=data["title"],
            weekday=data["weekday"],
            volunteer=data["volunteer"],
            teacher_name=data["teacher_name"],
        )

    @staticmethod
    def initial_for(slot: Slot) -> dict[str, Any]:
        return {
            "weekday": slot.weekday or "",
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "kind": slot.kind,
            "title": slot.title,
            "volunteer": slot.volunteer_id,
            "teacher_name": slot.teacher_name,
        }


class DutyForm(forms.Form):
    day = forms.TypedChoiceField(label=_("日期"), coerce=dt.date.fromisoformat)
    slot = forms.ModelChoiceField(
        label=_("课程"),
        queryset=Slot.objects.none(),
        required=False,
        empty_label=_("全天值班"),
    )
    volunteer = VolunteerChoiceField(label=_("志愿者"), queryset=Volunteer.objects.none())

    def __init__(
        self, *args: Any, days: list[dt.date], slots: Any, volunteers: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        day_field = self.fields["day"]
        assert isinstance(day_field, forms.TypedChoiceField)
        day_field.choices = [
            (d.isoformat(), f"{d:%m-%d} {WEEKDAY_NAMES[d.isoweekday()]}") for d in days
        ]
        slot_field = self.fields["slot"]
        assert isinstance(slot_field, forms.ModelChoiceField)
        slot_field.queryset = slots
        volunteer_field = self.fields["volunteer"]
        assert isinstance(volunteer_field, forms.ModelChoiceField)
        volunteer_field.queryset = volunteers


class SatisfactionForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("满意度"),
        choices=[
            (5, _("5 非常满意")),
            (4, _("4 满意")),
            (3, _("3 一般")),
            (2, _("2 不太满意")),
            (1, _("1 不满意")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("满意度请选择 1 到 5 分。")},
    )
    comment = forms.CharField(
        label=_("意见和建议(可不填)"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
