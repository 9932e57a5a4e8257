"""Forms of the request pages: they parse what people type and pick; services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.areas.forms import grid_field, grid_filter_choices
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import GridPicker, area_label, child_by_number
from linli.organisations.models import Organisation
from linli.people.models import Resident
from linli.requests.models import Category, Channel, Feedback, Mediation, Satisfaction
from linli.requests.selectors import ReportPlace, propose_place
from linli.requests.services import MAX_PHOTOS
from linli.requests.workflow import Status

Choices = list[tuple[str, str]]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos from one file input; each is checked by the service."""

    widget = MultiplePhotoInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS})
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


def photo_input() -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


# --- resident: report a problem ------------------------------------------------------------


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("遇到了什么问题"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("如:3单元楼道灯坏了,晚上看不见路。")}
        ),
        error_messages={"required": _("请描述遇到的问题。")},
    )
    place = forms.ChoiceField(label=_("在哪里"), widget=forms.RadioSelect)
    urgent = forms.BooleanField(
        label=_("需要马上有人来"),
        required=False,
        help_text=_("漏水、断电、有人受伤等紧急情况请勾选,社区会在2小时内处理。"),
    )
    photos = MultiplePhotoField(label=_("照片(可选,可多张)"))

    def __init__(self, *args: Any, places: Sequence[ReportPlace], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = {p.key: p for p in places}
        self.fields["place"].choices = [(p.key, p.label) for p in places]  # type: ignore[attr-defined]
        self.fields["place"].error_messages["required"] = _("请选择问题所在的位置。")
        self.fields["place"].error_messages["invalid_choice"] = _("请选择问题所在的位置。")
        if places:
            self.fields["place"].initial = propose_place("", places)
        self.main_keys = {"unit", "home", "building", "compound"}

    def main_places(self) -> list[Any]:
        """The radios shown at once: the unit's common area, home, building, compound."""
        return [r for r in self["place"] if r.data["value"] in self.main_keys]

    def other_places(self) -> list[Any]:
        """The compound's other buildings, collapsed."""
        return [r for r in self["place"] if r.data["value"] not in self.main_keys]

    def chosen_place(self) -> ReportPlace:
        return self.places[self.cleaned_data["place"]]


class ClearUrgentForm(forms.Form):
    """A dispatcher clears an urgent flag that was a false alarm: the reason is required."""

    reason = forms.CharField(
        label=_("不紧急的理由"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如:说的是上周的事,现在没事了")}),
        error_messages={"required": _("请写明为什么不是紧急情况。")},
    )


# --- staff: file on someone's behalf -------------------------------------------------------

FILING_CHANNELS = [
    Channel.PHONE,
    Channel.PATROL,
    Channel.PARTY_DAY,
    Channel.SINK_DOWN,
    Channel.VISIT,
    Channel.CHAT,
]


class FileRequestForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("来源"), choices=[(c.value, c.label) for c in FILING_CHANNELS]
    )
    reporter = forms.TypedChoiceField(
        label=_("反映人(已登记居民)"), required=False, coerce=int, empty_value=None
    )
    reporter_name = forms.CharField(
        label=_("反映人姓名"),
        required=False,
        max_length=50,
        help_text=_("未登记的居民,或不愿留名时可写“匿名”。"),
    )
    place = forms.ChoiceField(label=_("位置"))
    unit = forms.IntegerField(
        label=_("单元号"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": _("如 2")}),
    )
    room = forms.CharField(
        label=_("房号"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("如 502")}),
    )
    category = forms.TypedChoiceField(
        label=_("类别"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("不确定可不选,系统会按反映内容自动分诊。"),
    )
    urgent = forms.BooleanField(label=_("紧急(需要马上有人去)"), required=False)
    text = forms.CharField(
        label=_("反映内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写反映的内容。")},
    )
    photos = MultiplePhotoField(label=_("照片(可选)"))

    def __init__(
        self,
        *args: Any,
        communities: Sequence[Area],
        buildings: Sequence[Area],
        building_labels: dict[str, str],
        residents: Sequence[tuple[Resident, str]],
        categories: Sequence[Category],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {f"c{c.pk}": c for c in communities} | {f"b{b.pk}": b for b in buildings}
        self.fields["place"].choices = [  # type: ignore[attr-defined]
            ("", _("请选择楼栋")),
            *[(f"b{b.pk}", building_labels.get(b.path, b.name)) for b in buildings],
            *[
                (f"c{c.pk}", _("位置不明,先交社区派单(%(name)s)") % {"name": c.name})
                for c in communities
            ],
        ]
        self.fields["place"].error_messages["required"] = _("请选择位置。")
        self.fields["place"].error_messages["invalid_choice"] = _("请选择位置。")
        self.residents = {r.pk: r for r, _label in residents}
        self.fields["reporter"].choices = [  # type: ignore[attr-defined]
            ("", _("不选(未登记或匿名)")),
            *[(r.pk, f"{r.name}({label})" if label else r.name) for r, label in residents],
        ]
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = [("", _("不确定"))] + [  # type: ignore[attr-defined]
            (c.pk, c.name) for c in categories
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        area = self.areas.get(cleaned.get("place") or "")
        unit_number, room = cleaned.get("unit"), (cleaned.get("room") or "").strip()
        if area is not None and unit_number is not None:
            if area.kind != AreaKind.BUILDING:
                self.add_error("unit", _("位置不明时不用填单元号。"))
            else:
                unit = child_by_number(area, AreaKind.UNIT, unit_number)
                if unit is None:
                    self.add_error(
                        "unit",
                        _("%(building)s没有%(n)d单元。")
                        % {"building": area.name, "n": unit_number},
                    )
                else:
                    area = unit
        if room and area is not None:
            if area.kind != AreaKind.UNIT:
                self.add_error("room", _("房号要和单元号一起填写。"))
            elif area.floors and area.flats_per_floor and not area.room_exists(room):
                self.add_error(
                    "room",
                    _("%(unit)s没有%(room)s室。") % {"unit": area_label(area), "room": room},
                )
        cleaned["location"] = area
        cleaned["room"] = room
        if not cleaned.get("reporter") and not (cleaned.get("reporter_name") or "").strip():
            self.add_error("reporter_name", _("请选择已登记的居民,或填写反映人姓名。"))
        return cleaned

    def chosen_reporter(self) -> Resident | None:
        pk = self.cleaned_data.get("reporter")
        return self.residents.get(pk) if pk else None

    def chosen_category(self) -> Category | None:
        pk = self.cleaned_data.get("category")
        return self.categories.get(pk) if pk else None


# --- one request: transitions, follow-up, mediation ----------------------------------------


class TransitionForm(forms.Form):
    """Any move of a request: ``to`` plus whatever that move needs (the service checks)."""

    # Free text: an unknown state is the service's to refuse (409), like any invalid move.
    to = forms.CharField(max_length=20, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    assignee = forms.TypedChoiceField(
        label=_("承办人"), required=False, coerce=int, empty_value=None
    )
    organisation = forms.TypedChoiceField(
        label=_("或交给单位/服务队"), required=False, coerce=int, empty_value=None
    )
    photo = forms.ImageField(
        label=_("现场照片(可选)"),
        required=False,
        widget=photo_input(),
        error_messages={"invalid_image": _("无法识别的图片文件,请重新拍照上传。")},
    )

    def __init__(
        self,
        *args: Any,
        assignees: Sequence[User] = (),
        organisations: Sequence[Organisation] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.assignees = {u.pk: u for u in assignees}
        self.organisations = {o.pk: o for o in organisations}
        self.fields["assignee"].choices = [("", _("请选择"))] + [  # type: ignore[attr-defined]
            (u.pk, str(u)) for u in assignees
        ]
        self.fields["organisation"].choices = [("", _("不交给单位"))] + [  # type: ignore[attr-defined]
            (o.pk, str(o)) for o in organisations
        ]
        self.fields["assignee"].error_messages["invalid_choice"] = _(
            "这个人不负责这里,请重新选择。"
        )

    def chosen_assignee(self) -> User | None:
        pk = self.cleaned_data.get("assignee")
        return self.assignees.get(pk) if pk else None

    def chosen_organisation(self) -> Organisation | None:
        pk = self.cleaned_data.get("organisation")
        return self.organisations.get(pk) if pk else None


class FeedbackForm(forms.Form):
    resolved = forms.TypedChoiceField(
        label=_("问题解决了吗"),
        choices=[("yes", _("解决了")), ("no", _("还没解决"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择问题是否解决。")},
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意、基本满意或不满意。")},
    )
    comment = forms.CharField(
        label=_("意见或建议"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    via = forms.ChoiceField(
        choices=Feedback.Via.choices,
        initial=Feedback.Via.REPORTER,
        required=False,
        widget=forms.HiddenInput,
    )


class FollowUpForm(FeedbackForm):
    """Staff recording a follow-up by phone or visit (回访)."""

    via = forms.ChoiceField(
        label=_("回访方式"),
        choices=[(Feedback.Via.PHONE, _("电话回访")), (Feedback.Via.VISIT, _("上门回访"))],
        initial=Feedback.Via.PHONE,
        widget=forms.RadioSelect,
    )


class MediationStartForm(forms.Form):
    parties = forms.CharField(
        label=_("当事人"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("每行一位,如:张某(3号楼502)")}),
        error_messages={"required": _("请填写当事人,每行一位。")},
    )


class MediationSessionForm(forms.Form):
    held_on = forms.DateField(
        label=_("调解日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写调解日期。"), "invalid": _("请填写正确的日期。")},
    )
    mediators = forms.CharField(
        label=_("调解人"),
        max_length=200,
        error_messages={"required": _("请填写调解人。")},
    )
    notes = forms.CharField(
        label=_("调解经过"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写调解经过。")},
    )


class MediationConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("调解结果"),
        choices=[("", _("请选择"))]
        + [(v, label) for v, label in Mediation.Outcome.choices if v != Mediation.Outcome.PENDING],
        error_messages={"required": _("请选择调解结果。")},
    )
    agreement_text = forms.CharField(
        label=_("协议内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("达成协议的必须填写。"),
    )


# --- the dispatcher's queue ----------------------------------------------------------------


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None)
    grid = grid_field()
    channel = forms.ChoiceField(label=_("来源"), required=False)
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("内容关键词或编号")}),
    )

    def __init__(
        self,
        *args: Any,
        categories: Sequence[Category],
        picker: GridPicker,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            *everything,
            ("waiting", _("待派单")),
            ("open", _("办理中(未办结)")),
            *Status.choices,
        ]
        self.fields["channel"].choices = everything + list(Channel.choices)  # type: ignore[attr-defined]
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = everything + [  # type: ignore[attr-defined]
            (c.pk, c.name) for c in categories
        ]
        self.fields["grid"].choices = grid_filter_choices(picker)  # type: ignore[attr-defined]


# --- dispatcher: change a request's category or place --------------------------------------


class ReclassifyForm(forms.Form):
    """Category and place of a request, as a dispatcher corrects them."""

    category = forms.TypedChoiceField(label=_("类别"), coerce=int)
    place = forms.ChoiceField(label=_("位置"))
    unit = forms.IntegerField(
        label=_("单元号"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": _("如 2")}),
    )
    room = forms.CharField(
        label=_("房号"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("如 502")}),
    )
    note = forms.CharField(label=_("说明(可选)"), required=False, max_length=200)

    def __init__(
        self,
        *args: Any,
        categories: Sequence[Category],
        places: Sequence[Area],
        place_labels: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = [(c.pk, c.name) for c in categories]  # type: ignore[attr-defined]
        self.areas = {f"a{a.pk}": a for a in places}
        self.fields["place"].choices = [  # type: ignore[attr-defined]
            (
                f"a{a.pk}",
                _("位置不明(%(name)s)") % {"name": a.name}
                if a.kind == AreaKind.COMMUNITY
                else place_labels.get(a.path, a.name),
            )
            for a in places
        ]
        self.fields["place"].error_messages["invalid_choice"] = _("请选择位置。")
        self.fields["category"].error_messages["invalid_choice"] = _("请选择类别。")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        area = self.areas.get(cleaned.get("place") or "")
        unit_number = cleaned.get("unit")
        area = narrow_to_unit(self, area, unit_number)
        cleaned["location"] = area
        cleaned["room"] = (cleaned.get("room") or "").strip()
        return cleaned

    def chosen_category(self) -> Category:
        return self.categories[self.cleaned_data["category"]]


def narrow_to_unit(form: forms.Form, area: Area | None, unit_number: int | None) -> Area | None:
    """The unit ``unit_number`` of the chosen building, or ``area`` itself with an error
    on the form's ``unit`` field when the number does not fit (shared by the reclassify
    form and the intake drafts)."""
    if area is None or unit_number is None:
        return area
    if area.kind != AreaKind.BUILDING:
        form.add_error("unit", _("选择楼栋后才能填单元号。"))
        return area
    unit = child_by_number(area, AreaKind.UNIT, unit_number)
    if unit is None:
        form.add_error(
            "unit", _("%(building)s没有%(n)d单元。") % {"building": area.name, "n": unit_number}
        )
        return area
    return Area.objects.get(pk=unit.pk)
