"""Forms only parse; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from linli.care.models import VISIT_LOG_KINDS, CareService, GlucoseContext, Mood, VisitKind
from linli.care.services import Readings
from linli.volunteers.models import Volunteer


def _number(
    label: StrOrPromise, placeholder: StrOrPromise, *, service: str, decimal: bool = False
) -> forms.Field:
    # ``data-service``: the service a reading proves was done; care-visit.js ticks it as the
    # reading is typed (the server refuses a reading without its service either way).
    attrs = {
        "data-service": service,
        "inputmode": "decimal" if decimal else "numeric",
        "placeholder": placeholder,
        "autocomplete": "off",
        "class": "reading-input",
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


class VisitForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("方式"),
        choices=[(kind.value, kind.label) for kind in VISIT_LOG_KINDS],
        initial=VisitKind.HOME,
        widget=forms.RadioSelect(attrs={"class": "toggle-input"}),
    )
    services = forms.MultipleChoiceField(
        label=_("做了什么(点选做过的)"),
        choices=CareService.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "toggle-input"}),
    )
    bp_systolic = _number(_("高压"), "mmHg", service=CareService.BLOOD_PRESSURE)
    bp_diastolic = _number(_("低压"), "mmHg", service=CareService.BLOOD_PRESSURE)
    pulse = _number(_("脉搏"), _("次/分"), service=CareService.BLOOD_PRESSURE)
    glucose = _number(_("血糖"), "mmol/L", service=CareService.BLOOD_SUGAR, decimal=True)
    glucose_context = forms.ChoiceField(
        label=_("测血糖时"),
        choices=GlucoseContext.choices,
        required=False,
        initial=GlucoseContext.FASTING,
        widget=forms.RadioSelect(attrs={"class": "toggle-input"}),
    )
    mood = forms.ChoiceField(
        label=_("精神状态"),
        choices=Mood.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "toggle-input"}),
    )
    note = forms.CharField(
        label=_("情况记录"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如:老人说最近睡得不好")}),
    )
    concern = forms.CharField(
        label=_("老人反映的困难"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如:楼道灯坏了,晚上看不见")}),
    )
    duration_minutes = forms.IntegerField(
        label=_("服务时长(分钟,不含路上)"),
        required=False,
        min_value=1,
        max_value=600,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("不填按默认")}),
    )

    def readings(self) -> Readings:
        data = self.cleaned_data
        return Readings(
            bp_systolic=data.get("bp_systolic"),
            bp_diastolic=data.get("bp_diastolic"),
            pulse=data.get("pulse"),
            glucose=data.get("glucose"),
            glucose_context=data.get("glucose_context") or "",
        )


class CarePlanForm(forms.Form):
    visits_per_week = forms.IntegerField(
        label=_("每周上门次数"),
        min_value=1,
        max_value=14,
        initial=2,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    services = forms.MultipleChoiceField(
        label=_("需要的服务"),
        choices=CareService.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    primary_volunteer = forms.ModelChoiceField(
        label=_("主责志愿者"), queryset=Volunteer.objects.none(), required=False
    )
    backup_volunteer = forms.ModelChoiceField(
        label=_("备岗志愿者"), queryset=Volunteer.objects.none(), required=False
    )
    notes = forms.CharField(
        label=_("注意事项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("例如:糖尿病,饮食少糖少油")}),
    )
    active = forms.BooleanField(label=_("计划有效"), required=False, initial=True)

    def __init__(self, *args: Any, volunteers: QuerySet[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary_volunteer"].queryset = volunteers  # type: ignore[attr-defined]
        self.fields["backup_volunteer"].queryset = volunteers  # type: ignore[attr-defined]


class AlertCloseForm(forms.Form):
    note = forms.CharField(
        label=_("处理情况"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("例如:已联系家属,陪同就医")}),
    )
