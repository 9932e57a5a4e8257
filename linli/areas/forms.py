"""Form pieces about places, shared by the pages that filter by them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.areas.selectors import GridPicker


def grid_field() -> forms.TypedChoiceField:
    """A grid filter; its options come from :func:`grid_filter_choices`."""
    return forms.TypedChoiceField(label=_("网格"), required=False, coerce=int, empty_value=None)


def grid_filter_choices(picker: GridPicker) -> list[tuple[Any, str]]:
    """The grid select's options: 「全部」 and the grids offered, or only 「请先选社区」 while a
    place must be chosen first (too many grids to list)."""
    if (place := picker.ask_first) is not None:
        return [("", gettext("请先选%(place)s") % {"place": place})]
    return [("", gettext("全部")), *((g.pk, g.name) for g in picker.grids)]
