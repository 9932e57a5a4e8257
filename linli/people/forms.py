from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.areas.forms import grid_field, grid_filter_choices
from linli.areas.models import Area, AreaKind
from linli.areas.selectors import GridPicker, area_labels
from linli.people.models import (
    ConsentMethod,
    ConsentPurpose,
    Gender,
    Household,
    Relation,
    Resident,
    Tag,
)
from linli.people.selectors import household_label_map
from linli.people.services import ConsentGiver, ResidentData


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名,或完整手机号/身份证号"), "type": "search"}
        ),
    )
    grid = grid_field()
    building = forms.TypedChoiceField(label=_("楼栋"), required=False, coerce=int, empty_value=None)
    tag = forms.TypedChoiceField(label=_("标签"), required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        *args: Any,
        picker: GridPicker,
        buildings: list[tuple[int, str]],
        tags: list[tuple[int, str]],
        buildings_by_grid: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["grid"].choices = grid_filter_choices(picker)  # type: ignore[attr-defined]
        # Too many buildings to list: they are offered once a grid is chosen.
        first = [("", _("请先选网格"))] if buildings_by_grid else everything
        self.fields["building"].choices = first + buildings  # type: ignore[attr-defined]
        self.fields["tag"].choices = everything + tags  # type: ignore[attr-defined]


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    alias = forms.CharField(
        label=_("常用称呼"),
        max_length=50,
        required=False,
        help_text=_("邻里间的叫法,如“李奶奶”,可用于搜索。"),
    )
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(
        label=_("出生日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=18,
        help_text=_("18位,加密保存,页面上默认隐藏中间部分。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("手机号"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    household = forms.TypedChoiceField(
        label=_("住户"), required=False, coerce=int, empty_value=None
    )
    area = forms.TypedChoiceField(
        label=_("所属区域"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("暂不登记住户时必选:该居民归属的社区、小区或楼栋。"),
    )
    relation_to_head = forms.ChoiceField(
        label=_("与户主关系"), choices=Relation.choices, initial=Relation.HEAD
    )
    tags = forms.MultipleChoiceField(
        label=_("服务标签"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        households: list[Household],
        places: list[Area],
        tags: list[Tag],
        existing: Resident | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Editing never puts the stored ID or phone number into the page: the fields start
        # empty and an empty field keeps what is stored (revealing is audited elsewhere).
        self.existing = existing
        if existing is None:
            # A child under 14 is registered only with a guardian's consent, in this step.
            self.fields["guardian_name"] = forms.CharField(
                label=_("监护人姓名"),
                max_length=50,
                required=False,
                help_text=_("同住的父母或祖父母请填写其登记的姓名,系统会关联到该居民。"),
            )
            self.fields["guardian_relation"] = forms.CharField(
                label=_("与儿童的关系"),
                max_length=20,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("如:母亲")}),
            )
            # Not required: only a child's registration uses it (written when left out).
            self.fields["method"] = forms.ChoiceField(
                label=_("同意方式"),
                choices=ConsentMethod.choices,
                initial=ConsentMethod.WRITTEN,
                required=False,
            )
            self.fields["consent_note"] = forms.CharField(
                label=_("同意凭证说明"),
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("如:入户登记表第3页监护人签字")}),
            )
        if existing is not None:
            if existing.id_number:
                self.fields["id_number"].help_text = _(
                    "已登记 %(masked)s。不修改请留空,输入新号码则替换。"
                ) % {"masked": existing.id_number_masked}
            if existing.phone:
                self.fields["phone"].help_text = _(
                    "已登记 %(masked)s。不修改请留空,输入新号码则替换。"
                ) % {"masked": existing.phone_masked}
                self.fields["clear_phone"] = forms.BooleanField(
                    label=_("删除已登记的手机号"), required=False
                )
        labels = household_label_map(households)
        self.households = {h.pk: h for h in households}
        self.fields["household"].choices = [("", _("暂不登记住户"))] + [  # type: ignore[attr-defined]
            (h.pk, labels[h.pk]) for h in households
        ]
        place_labels = area_labels([p.path for p in places], top_kind=AreaKind.COMMUNITY)
        self.places = {p.pk: p for p in places}
        self.fields["area"].choices = [("", _("请选择"))] + [  # type: ignore[attr-defined]
            (p.pk, f"{place_labels[p.path]}({p.kind_label})") for p in places
        ]
        self.tag_objects = {str(t.pk): t for t in tags}
        self.fields["tags"].choices = [(str(t.pk), t.name) for t in tags]  # type: ignore[attr-defined]
        for tag in tags:
            if tag.detail_label:
                self.fields[f"tag_detail_{tag.pk}"] = forms.CharField(
                    label=tag.detail_label, required=False, max_length=100
                )

    def detail_fields(self) -> list[tuple[Tag, forms.BoundField]]:
        return [
            (tag, self[f"tag_detail_{tag.pk}"])
            for tag in self.tag_objects.values()
            if tag.detail_label
        ]

    def resident_data(self) -> ResidentData:
        data = self.cleaned_data
        household_id = data.get("household")
        return ResidentData(
            name=data["name"],
            alias=data.get("alias", ""),
            gender=data["gender"],
            birth_date=data["birth_date"],
            id_number=data.get("id_number", "") or self._kept("id_number"),
            phone="" if data.get("clear_phone") else (data.get("phone", "") or self._kept("phone")),
            household=self.households.get(household_id) if household_id else None,
            area=None if household_id else self.places.get(data.get("area") or 0),
            relation_to_head=data["relation_to_head"],
            notes=data.get("notes", ""),
        )

    def guardian_fields(self) -> list[forms.BoundField]:
        names = ("guardian_name", "guardian_relation", "method", "consent_note")
        return [self[name] for name in names if name in self.fields]

    def guardian_consent(self) -> ConsentGiver | None:
        """The guardian's consent as entered, or None when nothing was entered."""
        data = self.cleaned_data
        if not (data.get("guardian_name") or data.get("guardian_relation")):
            return None
        return ConsentGiver(
            name=data.get("guardian_name", ""),
            relation=data.get("guardian_relation", ""),
            method=data.get("method") or ConsentMethod.WRITTEN,
            note=data.get("consent_note", ""),
        )

    def _kept(self, field: str) -> str:
        value: str = getattr(self.existing, field, "") if self.existing is not None else ""
        return value

    def chosen_tags(self) -> dict[Tag, str]:
        chosen: dict[Tag, str] = {}
        for tag_id in self.cleaned_data.get("tags", []):
            tag = self.tag_objects[tag_id]
            chosen[tag] = self.cleaned_data.get(f"tag_detail_{tag.pk}", "") or ""
        return chosen


class HouseholdForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("单元"), coerce=int)
    room = forms.CharField(
        label=_("房号"),
        max_length=10,
        help_text=_("如 502 表示5层2号。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = area_labels([u.path for u in units])
        self.units = {u.pk: u for u in units}
        self.fields["unit"].choices = [("", _("请选择单元"))] + [  # type: ignore[attr-defined]
            (u.pk, labels[u.path]) for u in units
        ]

    def chosen_unit(self) -> Area:
        return self.units[self.cleaned_data["unit"]]


class EmergencyContactForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    relation = forms.CharField(
        label=_("关系"), max_length=20, widget=forms.TextInput(attrs={"placeholder": _("如:儿子")})
    )
    phone = forms.CharField(
        label=_("电话"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如:在太原打工")}),
    )


class ConsentForm(forms.Form):
    """Record a consent: for what, who gave it and how (recorder and time are automatic)."""

    purpose = forms.ChoiceField(label=_("授权用途"), choices=ConsentPurpose.choices)
    guardian = forms.TypedChoiceField(
        label=_("监护人(同户成年人)"), required=False, coerce=int, empty_value=None
    )
    given_by_name = forms.CharField(
        label=_("同意人姓名"),
        max_length=50,
        required=False,
        help_text=_("本人同意可留空;儿童的监护人不在本户时请填写姓名和关系。"),
    )
    given_by_relation = forms.CharField(
        label=_("与本人关系"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如:母亲、儿子(代签)")}),
    )
    method = forms.ChoiceField(
        label=_("同意方式"), choices=ConsentMethod.choices, initial=ConsentMethod.WRITTEN
    )
    note = forms.CharField(
        label=_("凭证说明"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如:知情同意书已归档,编号2026-031")}),
    )

    def __init__(self, *args: Any, guardians: list[Resident], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guardians = {g.pk: g for g in guardians}
        self.fields["guardian"].choices = [("", _("不是同户成员 / 本人同意"))] + [  # type: ignore[attr-defined]
            (g.pk, f"{g.name}({g.get_relation_to_head_display()})") for g in guardians
        ]
        if not guardians:
            del self.fields["guardian"]

    def chosen_guardian(self) -> Resident | None:
        pk = self.cleaned_data.get("guardian")
        return self.guardians.get(pk) if pk else None


class ConsentWithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("撤回原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如:监护人书面要求撤回")}),
    )


class AnonymiseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已核实本人(或监护人)的匿名化请求,知道此操作不可撤销。"), required=True
    )
