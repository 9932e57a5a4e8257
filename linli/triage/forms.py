"""Forms of the group-chat intake page: they only parse what staff paste and pick."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area, AreaKind
from linli.areas.selectors import area_label
from linli.requests.forms import narrow_to_unit
from linli.requests.models import Category

MAX_BLOCK = 20000


class PasteForm(forms.Form):
    block = forms.CharField(
        label=_("群聊记录"),
        max_length=MAX_BLOCK,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "placeholder": _(
                    "在微信群里多选消息 → 复制,粘贴到这里。如:\n张三 10:32\n3号楼二单元的垃圾挡道了"
                ),
            }
        ),
        error_messages={
            "required": _("请粘贴群聊记录。"),
            "max_length": _("一次最多粘贴 %(limit_value)d 字,请分几次处理。"),
        },
    )
    community = forms.TypedChoiceField(label=_("社区"), coerce=int)

    def __init__(self, *args: Any, communities: Sequence[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communities = {c.pk: c for c in communities}
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]  # type: ignore[attr-defined]
        self.fields["community"].error_messages["invalid_choice"] = _("请选择社区。")
        if communities:
            self.fields["community"].initial = communities[0].pk
        if len(communities) == 1:
            self.fields["community"].widget = forms.HiddenInput()

    def chosen_community(self) -> Area:
        return self.communities[self.cleaned_data["community"]]


class Action:
    FILE = "file"
    LINK = "link"
    SKIP = "skip"


class DraftForm(forms.Form):
    """One proposed request: what triage read, for staff to confirm or correct."""

    action = forms.ChoiceField(
        label=_("处理"),
        choices=[
            (Action.FILE, _("登记为新诉求")),
            (Action.LINK, _("重复反映,并入已有诉求")),
            (Action.SKIP, _("不登记")),
        ],
    )
    sender = forms.CharField(label=_("反映人"), max_length=50, required=False)
    sent_at = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput())
    text = forms.CharField(
        label=_("内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写反映的内容。")},
    )
    category = forms.TypedChoiceField(label=_("类别"), coerce=int)
    place = forms.ChoiceField(label=_("位置"))
    unit = forms.IntegerField(
        label=_("单元"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    room = forms.CharField(
        label=_("房号"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    urgent = forms.BooleanField(label=_("紧急"), required=False)
    duplicate = forms.IntegerField(required=False, widget=forms.HiddenInput())
    # The number of an earlier draft of the same paste that this one repeats.
    same_as = forms.IntegerField(required=False, widget=forms.HiddenInput())
    confidence = forms.FloatField(required=False, widget=forms.HiddenInput())

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
                _("位置不明,先交社区派单")
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
        room = (cleaned.get("room") or "").strip()
        if room and area is not None:
            if area.kind != AreaKind.UNIT:
                self.add_error("room", _("房号要和单元号一起填写。"))
            elif area.floors and area.flats_per_floor and not area.room_exists(room):
                self.add_error(
                    "room", _("%(unit)s没有%(room)s室。") % {"unit": area_label(area), "room": room}
                )
        cleaned["location"] = area
        cleaned["room"] = room
        if cleaned.get("action") == Action.LINK and not cleaned.get("duplicate"):
            self.add_error("action", _("没有可以并入的诉求,请登记为新诉求或不登记。"))
        return cleaned

    def chosen_category(self) -> Category:
        return self.categories[self.cleaned_data["category"]]


DraftFormSet = forms.formset_factory(DraftForm, extra=0, max_num=200, absolute_max=200)
