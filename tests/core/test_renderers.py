"""The quick select renderer writes what Django's own templates write."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from linli.areas.models import Area, area_add
from linli.core.renderers import QuickSelectRenderer

CHOICES: list[tuple[Any, Any]] = [
    ("", "全部"),
    (1, "1号楼"),
    ("2", 'a "quoted" <b>label</b> & more'),
    (3, mark_safe("&nbsp;&nbsp;缩进的楼栋")),
    ("单元", (("u1", "1单元"), ("u2", "2<单元>"))),
    (None, "没有值"),
]


class Marked:
    """An object that calls itself safe HTML: the template escapes its str() anyway."""

    def __html__(self) -> str:
        return "<b>raw</b>"

    def __str__(self) -> str:
        return "<b>raw</b>"


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    required = forms.ChoiceField(choices=CHOICES)
    many = forms.MultipleChoiceField(choices=CHOICES[1:4], required=False)
    styled = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(
            attrs={"class": 'x"y', "data-on": True, "data-off": False, "data-n": None, "size": 3}
        ),
    )
    disabled = forms.ChoiceField(choices=CHOICES, disabled=True)
    yes_no = forms.NullBooleanField()
    lazy = forms.ChoiceField(
        choices=[("a", gettext_lazy("全部")), (gettext_lazy("组"), [("b", "乙")])]
    )
    # Labels the template localises or escapes by their str(): left to it.
    dated = forms.ChoiceField(
        choices=[("d", dt.date(2024, 1, 2)), ("t", dt.datetime(2024, 1, 2, 23, 30, tzinfo=dt.UTC))]
    )
    numbered = forms.ChoiceField(choices=[(1, 1234567), (2, 2.5)])
    marked = forms.ChoiceField(choices=[("h", Marked())])
    typed = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int)
    # Options through another template: left to Django.
    other = forms.ChoiceField(
        choices=CHOICES[:3],
        widget=type(
            "Other", (forms.Select,), {"option_template_name": "django/forms/widgets/input.html"}
        ),
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "2", "required": "u2", "many": ["1", "2"], "styled": "", "yes_no": "true"},
        {"plain": "<script>", "typed": "2", "yes_no": "false"},
    ],
)
def test_every_select_reads_as_djangos_templates_write_it(data: dict[str, Any]) -> None:
    quick = Everything(data or None, renderer=QuickSelectRenderer())
    django = Everything(data or None, renderer=DjangoTemplates())
    for name in Everything.base_fields:
        assert str(quick[name]) == str(django[name]), name


@pytest.mark.django_db
def test_a_model_choice_select_too(db: None) -> None:
    area_add(None, kind="county", name="<县>", code="141181")

    class Placed(forms.Form):
        area = forms.ModelChoiceField(queryset=Area.objects.all())

    quick = str(Placed({"area": "1"}, renderer=QuickSelectRenderer())["area"])
    assert quick == str(Placed({"area": "1"}, renderer=DjangoTemplates())["area"])
    assert "&lt;县&gt;" in quick


def test_a_context_of_another_shape_is_left_to_the_template() -> None:
    quick, django = QuickSelectRenderer(), DjangoTemplates()
    template = "django/forms/widgets/select.html"
    assert quick.render(template, {}) == django.render(template, {})
    # A widget that is no choice widget (no options) but names the select template.
    widget = {"name": "x", "attrs": {"id": "id_x"}}
    assert quick.render(template, {"widget": widget}) == django.render(template, {"widget": widget})


def test_it_is_the_projects_renderer() -> None:
    assert settings.FORM_RENDERER == "linli.core.renderers.QuickSelectRenderer"
    assert isinstance(get_default_renderer(), QuickSelectRenderer)
