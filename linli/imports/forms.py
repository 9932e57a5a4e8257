from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=(), required=False)
    community = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("导入到社区"))
    file = forms.FileField(label=_("名册文件(.xlsx 或 .csv)"))
    update_existing = forms.BooleanField(
        label=_("更新已登记居民(按身份证号匹配,用本表内容覆盖)"), required=False
    )

    def __init__(
        self, *args: Any, communities: list[Area], kinds: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = kinds
        if kinds:
            kind_field.initial = kinds[0][0]
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Area.objects.filter(pk__in=[c.pk for c in communities]).order_by("path")
        if len(communities) == 1:
            field.initial = communities[0].pk

    def clean_kind(self) -> str:
        """Residents when left out (the upload form before there were other kinds)."""
        return str(self.cleaned_data.get("kind") or "residents")
