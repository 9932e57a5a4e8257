"""Forms of the group-chat intake page: they only parse what staff paste and pick."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area, AreaKind
from linli.core.forms import add_service_errors
from linli.requests.models import Category
from linli.triage.intake import MAX_BLOCK, MAX_DRAFTS, Action, intake_place
from linli.triage.model import CATEGORIES

__all__ = ["MAX_BLOCK", "Action", "DraftForm", "DraftFormSet", "PasteForm"]


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
    # Why it looks like a repeat: "place" (same building and category) or "text" (nearly
    # the same words, for a message that names no place).
    duplicate_why = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput())
    # The number of an earlier draft of the same paste that this one repeats.
    same_as = forms.IntegerField(required=False, widget=forms.HiddenInput())
    same_why = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput())
    confidence = forms.FloatField(required=False, widget=forms.HiddenInput())
    # What triage read ("safety|1": category code, urgent): a different choice by staff is
    # recorded as a correction that ``linli triage train`` learns from.
    read = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput())
    # The buildings an ambiguous number may mean ("a12,a34"): the draft asks which.
    candidates = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput())

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
        self.ambiguous: list[Area] = []
        self.community: Area | None = next(
            (a for a in places if a.kind == AreaKind.COMMUNITY), None
        )
        raw = str(self["candidates"].value() or "")
        keys = [k for k in raw.split(",") if k in self.areas]
        if len(keys) > 1:
            self._ask_which(keys, place_labels)

    def _ask_which(self, keys: list[str], place_labels: dict[str, str]) -> None:
        """An ambiguous building number: offer only the buildings it may mean (each named
        with its compound), and 'none of these' — not every place of the community."""
        self.ambiguous = [self.areas[k] for k in keys]
        number = self.ambiguous[0].name
        choices: list[tuple[str, object]] = [
            (k, place_labels.get(self.areas[k].path, self.areas[k].name)) for k in keys
        ]
        if self.community is not None:
            choices.append((f"a{self.community.pk}", _("都不是 / 不清楚,先交社区派单")))
        field = self.fields["place"]
        field.choices = choices  # type: ignore[attr-defined]
        field.widget = forms.RadioSelect(choices=choices)
        field.label = _("哪个小区的%(building)s") % {"building": number}
        field.error_messages["required"] = _("请选择是哪个小区的%(building)s。") % {
            "building": number
        }

    def ask_reason(self) -> str:
        """Why the draft asks for the compound, in one sentence for staff."""
        if not self.ambiguous:
            return ""
        number = self.ambiguous[0].name
        choices = self.fields["place"].choices  # type: ignore[attr-defined]
        labels = [str(label).removesuffix(number).strip() for _k, label in choices]
        labels = labels[: len(self.ambiguous)]
        return _(
            "%(count)d个小区都有%(building)s(%(which)s),消息里没说是哪个小区。单元和房号已按消息保留。"
        ) % {
            "count": len(self.ambiguous),
            "building": number,
            "which": "、".join(labels),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        area = self.areas.get(cleaned.get("place") or "")
        unit_number = cleaned.get("unit")
        if self.ambiguous and area is not None and area == self.community:
            # "None of these": the unit and room kept for the ambiguous building go too.
            unit_number, cleaned["room"] = None, ""
        room = (cleaned.get("room") or "").strip()
        if area is not None:
            try:
                area, room = intake_place(area, unit_number, room)
            except ValidationError as exc:
                add_service_errors(self, exc)
        cleaned["location"] = area
        cleaned["room"] = room
        if cleaned.get("action") == Action.LINK and not cleaned.get("duplicate"):
            self.add_error("action", _("没有可以并入的诉求,请登记为新诉求或不登记。"))
        return cleaned

    def triage_read(self) -> tuple[str, bool] | None:
        """(category code, urgent) as triage read the message, when known."""
        code, _sep, urgent = str(self.cleaned_data.get("read") or "").partition("|")
        if code not in CATEGORIES or urgent not in ("0", "1"):
            return None
        return code, urgent == "1"

    def chosen_category(self) -> Category:
        return self.categories[self.cleaned_data["category"]]


DraftFormSet = forms.formset_factory(
    DraftForm, extra=0, max_num=MAX_DRAFTS, absolute_max=MAX_DRAFTS
)
