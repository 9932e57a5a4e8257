"""Forms only parse; the services validate and write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.party.models import MemberKind, PartyDayState, Position, PostKind

CONCERN_SLOTS = 5


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *MemberKind.choices]
    )
    organisation = forms.TypedChoiceField(
        label=_("党组织"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: object, organisations: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = [("", _("全部")), *organisations]  # type: ignore[attr-defined]


class PartyDayFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *PartyDayState.choices]
    )


class PartyDayPlanForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("党组织"), coerce=int)
    topic = forms.CharField(label=_("主题"), max_length=100)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    planned_for = forms.DateField(
        label=_("计划日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: object, organisations: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class PartyDayRecordForm(forms.Form):
    """The notebook: who came, and the small problems residents raised (each a request)."""

    held_on = forms.DateField(
        label=_("举办日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    members_present = forms.TypedMultipleChoiceField(
        label=_("到场党员"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    residents_present = forms.IntegerField(
        label=_("参加群众(人)"), min_value=0, max_value=10000, initial=0
    )
    summary = forms.CharField(
        label=_("活动记录"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: object,
        members: list[tuple[int, str]],
        places: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["members_present"].choices = members  # type: ignore[attr-defined]
        for n in range(1, CONCERN_SLOTS + 1):
            self.fields[f"concern_{n}"] = forms.CharField(
                label=_("群众反映 %(n)d") % {"n": n},
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"concern_{n}_place"] = forms.TypedChoiceField(
                label=_("位置 %(n)d") % {"n": n}, coerce=int, choices=places, required=False
            )

    def concern_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"concern_{n}"], self[f"concern_{n}_place"]) for n in range(1, CONCERN_SLOTS + 1)
        ]

    def concerns(self) -> list[tuple[str, int | None]]:
        rows: list[tuple[str, int | None]] = []
        for n in range(1, CONCERN_SLOTS + 1):
            text = (self.cleaned_data.get(f"concern_{n}") or "").strip()
            if text:
                rows.append((text, self.cleaned_data.get(f"concern_{n}_place")))
        return rows


class PeriodForm(forms.Form):
    area = forms.TypedChoiceField(label=_("区域"), required=False, coerce=int, empty_value=None)
    start = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: object, areas: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["area"].choices = [("", _("全部")), *areas]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data


class MemberForm(forms.Form):
    """Register a party member: a resident found by ID number, or a login (a cadre or a
    worker who lives elsewhere)."""

    organisation = forms.TypedChoiceField(label=_("所在党组织"), coerce=int)
    kind = forms.ChoiceField(label=_("党员类型"), choices=MemberKind.choices)
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=18,
        help_text=_("本社区登记在册的居民,按身份证号查找。"),
    )
    username = forms.CharField(
        label=_("或登录账号"),
        required=False,
        max_length=150,
        help_text=_("不住在本社区的党员(如在职党员),填写其登录账号。"),
    )
    position = forms.ChoiceField(label=_("职务"), choices=Position.choices, initial=Position.MEMBER)
    grid = forms.TypedChoiceField(label=_("服务网格"), required=False, coerce=int, empty_value=None)
    home_organisation = forms.CharField(
        label=_("原单位党组织"), required=False, max_length=100, help_text=_("双报到党员填写。")
    )
    reported_on = forms.DateField(
        label=_("报到日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("双报到党员填写。"),
    )

    def __init__(
        self,
        *args: object,
        organisations: list[tuple[int, str]],
        grids: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]
        self.fields["grid"].choices = [("", _("不指定")), *grids]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("id_number") and not cleaned.get("username"):
            raise forms.ValidationError(_("请填写身份证号或登录账号,二者选其一。"))
        return cleaned


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("先锋岗"), choices=PostKind.choices)
    buildings = forms.TypedMultipleChoiceField(
        label=_("负责楼栋"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args: object, buildings: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["buildings"].choices = buildings  # type: ignore[attr-defined]
