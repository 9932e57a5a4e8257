from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linli.reports.content import ReportContent
from linli.reports.periods import Period, parse_period


class ReportChoiceForm(forms.Form):
    """Which area and period to draft a report for."""

    area = forms.ChoiceField(
        label=_("区域或网格"),
        choices=[],
        error_messages={"invalid_choice": _("请选择您辖区内的区域"), "required": _("请选择区域")},
    )
    period = forms.CharField(
        label=_("报告期"),
        max_length=10,
        help_text=_("月:2026-11;季度:2026-Q4;年:2026"),
        error_messages={"required": _("请填写报告期")},
    )

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = places

    def clean_period(self) -> Period:
        value = str(self.cleaned_data.get("period") or "")
        try:
            return parse_period(value)
        except ValidationError as error:
            raise ValidationError(error.messages[0]) from error


class ReportTextForm(forms.Form):
    """One textarea per section of the draft; the figures are not editable."""

    def __init__(self, *args: Any, content: ReportContent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in content.sections:
            self.fields[f"section_{section.key}"] = forms.CharField(
                label=section.title,
                initial=section.text,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages={
                    "required": _("这一段不能为空"),
                    "max_length": _("这一段最多5000字"),
                },
            )

    def texts(self) -> dict[str, str]:
        return {
            name.removeprefix("section_"): str(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("section_")
        }
