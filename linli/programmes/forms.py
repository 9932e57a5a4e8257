from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.people.models import ConsentMethod
from linli.programmes.models import Phase
from linli.programmes.services import PickupData

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
