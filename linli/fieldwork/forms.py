from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linli.core.dates import QueryDateField, check_query_date
from linli.fieldwork.models import FindingOutcome, PostingKind
from linli.requests.models import Category

Choices = list[tuple[Any, str]]
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthField(forms.CharField):
    """A month as ``2026-11``, cleaned to the month's first day."""

    def clean(self, value: Any) -> dt.date | None:
        raw = str(super().clean(value) or "").strip()
        if not raw:
            return None
        match = MONTH_PATTERN.match(raw)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValidationError(_("请输入正确的月份,如 2026-11。"))
        month = dt.date(int(match.group(1)), int(match.group(2)), 1)
        check_query_date(month)
        return month


class MonthForm(forms.Form):
    month = MonthField(label=_("月份"), required=False, widget=forms.TextInput({"type": "month"}))


class VisitForm(forms.Form):
    posting = forms.TypedChoiceField(label=_("包片/联点"), coerce=int)
    visited_on = forms.DateField(
        label=_("下沉日期"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    households_count = forms.IntegerField(label=_("走访户数"), min_value=0, max_value=500)
    households = forms.CharField(
        label=_("走访住户"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("如:向阳花园1号楼2单元502 王家"),
    )
    listened_to = forms.CharField(
        label=_("倾听对象"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("听了谁的意见:居民、楼栋长、商户……"),
    )
    notes = forms.CharField(
        label=_("民情日记"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )
    building = forms.TypedChoiceField(
        label=_("问题所在楼栋"), coerce=int, required=False, empty_value=None
    )
    concerns = forms.CharField(
        label=_("收集的问题"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("每行一条,每条都会转为诉求,按常规流程派单办理。"),
    )

    def __init__(self, *args: Any, postings: Choices, buildings: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posting_field: Any = self.fields["posting"]
        posting_field.choices = postings
        building_field: Any = self.fields["building"]
        building_field.choices = [("", _("不指定(小区或社区)")), *buildings]

    def concern_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["concerns"].splitlines() if line.strip()]


class PlanForm(forms.Form):
    posting = forms.TypedChoiceField(label=_("包片/联点"), coerce=int)
    month = MonthField(label=_("月份"), widget=forms.TextInput({"type": "month"}))
    planned_on = forms.DateField(
        label=_("计划日期"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("计划内容"), required=False, max_length=200)

    def __init__(self, *args: Any, postings: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["posting"]
        field.choices = postings


class PatrolCheckForm(forms.Form):
    buildings = forms.TypedMultipleChoiceField(
        label=_("已巡查楼栋"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    places = forms.CharField(
        label=_("其他点位"),
        required=False,
        max_length=200,
        help_text=_("如:健身广场、地下车库、垃圾站"),
    )

    def __init__(self, *args: Any, buildings: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["buildings"]
        field.choices = buildings


class FindingForm(forms.Form):
    category = forms.TypedChoiceField(label=_("类别"), coerce=int, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("发现的问题"), max_length=500, widget=forms.Textarea({"rows": 2})
    )
    building = forms.TypedChoiceField(label=_("楼栋"), coerce=int, required=False, empty_value=None)
    photo = forms.ImageField(label=_("照片"), required=False)
    outcome = forms.ChoiceField(
        label=_("处理方式"),
        choices=FindingOutcome.choices,
        widget=forms.RadioSelect,
        initial=FindingOutcome.FILED,
    )

    def __init__(self, *args: Any, buildings: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category: Any = self.fields["category"]
        category.choices = [
            (c.pk, c.name) for c in Category.objects.filter(is_active=True).order_by("sort_order")
        ]
        building: Any = self.fields["building"]
        building.choices = [("", _("不指定")), *buildings]


class FinishForm(forms.Form):
    note = forms.CharField(label=_("巡查小结"), required=False, max_length=500)


class FiguresForm(forms.Form):
    start = QueryDateField(
        label=_("开始日期"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = QueryDateField(
        label=_("结束日期"), required=False, widget=forms.DateInput({"type": "date"})
    )
    area = forms.TypedChoiceField(label=_("区域"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, areas: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["area"]
        field.choices = [("", _("全部")), *areas]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(_("开始日期不能晚于结束日期。"))
        return data


class PostingForm(forms.Form):
    """Link a cadre to a compound (包片) or a grid (联点)."""

    cadre = forms.TypedChoiceField(label=_("干部"), coerce=int)
    kind = forms.ChoiceField(label=_("类型"), choices=PostingKind.choices)
    compound = forms.TypedChoiceField(
        label=_("包片小区"), required=False, coerce=int, empty_value=None
    )
    grid = forms.TypedChoiceField(label=_("联点网格"), required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        *args: object,
        cadres: list[tuple[int, str]],
        compounds: list[tuple[int, str]],
        grids: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        fields: Any = self.fields
        fields["cadre"].choices = cadres
        fields["compound"].choices = [("", _("—")), *compounds]
        fields["grid"].choices = [("", _("—")), *grids]
