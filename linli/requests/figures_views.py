"""The figures page: 三率 and counts of a place the user can see, over a date range."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.selectors import capabilities_of
from linli.areas.models import Area, AreaKind
from linli.core.dates import QueryDateField
from linli.core.replica import replica_reads
from linli.core.roles import Capability
from linli.requests.figures import PlaceChoice, figure_places_for_user, figures_for_user

MAX_RANGE_DAYS = 366 * 5


class DateInput(forms.DateInput):
    input_type = "date"


class FiguresForm(forms.Form):
    """The place and an inclusive date range, as people pick them (the selector's end is
    the day after ``date_to``)."""

    place = forms.CharField(required=False)
    date_from = QueryDateField(label=gettext_lazy("从"), widget=DateInput())
    date_to = QueryDateField(label=gettext_lazy("至"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_from > date_to:
                raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
            if (date_to - date_from).days > MAX_RANGE_DAYS:
                raise forms.ValidationError(_("统计区间最长五年,请缩短日期范围。"))
        return cleaned


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month_start(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last_day = (_next_month_start(dt.date(year, month, 1)) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


def quick_ranges(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """本月 / 上月 / 近六个月 / 今年, each as (label, first day, last day)."""
    last_month_end = _month_start(today) - dt.timedelta(days=1)
    return [
        (_("本月"), _month_start(today), _next_month_start(today) - dt.timedelta(days=1)),
        (_("上月"), _month_start(last_month_end), last_month_end),
        (_("近六个月"), _months_before(today, 6) + dt.timedelta(days=1), today),
        (_("今年"), dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)),
    ]


def _default_choice(choices: list[PlaceChoice]) -> PlaceChoice | None:
    """A community when the user has one (the page people come for), else the first."""
    for choice in choices:
        if isinstance(choice.place, Area) and choice.place.kind == AreaKind.COMMUNITY:
            return choice
    return choices[0] if choices else None


@replica_reads
@login_required
def figures(request: HttpRequest) -> HttpResponse:
    if Capability.REQUESTS_VIEW not in capabilities_of(request.user):
        raise PermissionDenied(_("您没有查看诉求统计的权限。"))
    choices = figure_places_for_user(request.user)
    today = timezone.localdate()
    _label, month_first, month_last = quick_ranges(today)[0]
    default = _default_choice(choices)
    data = {
        "place": default.key if default else "",
        "date_from": month_first.isoformat(),
        "date_to": month_last.isoformat(),
        **{key: value for key, value in request.GET.items() if value},
    }
    form = FiguresForm(data)
    chosen = next((c for c in choices if c.key == data["place"]), None)
    if chosen is None and request.GET.get("place"):
        raise Http404  # outside what the user may see, or no such place
    result = None
    if chosen is not None and form.is_valid():
        result = figures_for_user(
            request.user,
            chosen.place,
            form.cleaned_data["date_from"],
            form.cleaned_data["date_to"] + dt.timedelta(days=1),
        )
    place_key = chosen.key if chosen else ""
    context = {
        "form": form,
        "choices": choices,
        "chosen": chosen,
        "figures": result,
        "date_from": data["date_from"],
        "date_to": data["date_to"],
        "last_day": form.cleaned_data["date_to"] if result is not None else None,
        "quick_links": [
            {
                "label": label,
                "query": urlencode(
                    {
                        "place": place_key,
                        "date_from": first.isoformat(),
                        "date_to": last.isoformat(),
                    }
                ),
                "active": data["date_from"] == first.isoformat()
                and data["date_to"] == last.isoformat(),
            }
            for label, first, last in quick_ranges(today)
        ],
    }
    return render(request, "requests/figures.html", context)
