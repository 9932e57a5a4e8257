from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from linli.areas.models import Area, AreaKind, Grid
from linli.surveys.models import Question, Survey
from linli.surveys.services import CODE_LENGTH, SCALE_MAX, SCALE_MIN, RawAnswer


class SurveyForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("社区"))
    title = forms.CharField(label=_("标题"), max_length=100)
    intro = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience_area = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        label=_("调查范围"),
        required=False,
        empty_label=_("全社区"),
    )
    audience_grid = forms.ModelChoiceField(
        queryset=Grid.objects.none(), label=_("只调查一个网格"), required=False
    )
    sample_size = forms.IntegerField(
        label=_("随机抽样户数"),
        required=False,
        min_value=1,
        help_text=_("留空则调查范围内的每一户都会收到答题码。"),
    )
    named = forms.BooleanField(
        label=_("实名调查"),
        required=False,
        help_text=_("默认匿名:答卷不记录是哪一户、哪一位居民。"),
    )
    use_template = forms.BooleanField(
        label=_("使用“获得感·幸福感·安全感”模板"), required=False, initial=True
    )

    def __init__(self, *args: Any, communities: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["community"].queryset = communities
        if communities.count() == 1:
            fields["community"].initial = communities.first()
        paths = [c.path for c in communities]
        inside = Area.objects.filter(
            kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING], depth__gt=0
        ).order_by("path")
        areas = Area.objects.none()
        for path in paths:
            areas = areas | inside.filter(path__startswith=path)
        fields["audience_area"].queryset = areas.order_by("path")
        fields["audience_grid"].queryset = Grid.objects.filter(community__in=communities).order_by(
            "code"
        )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("题目"), max_length=200)
    choices = forms.CharField(
        label=_("选项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("选择题填写,每行一个选项。"),
    )
    dimension = forms.CharField(
        label=_("指标"), required=False, max_length=20, help_text=_("如 获得感、幸福感、安全感。")
    )
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)

    def choice_list(self) -> list[str]:
        return list(str(self.cleaned_data.get("choices") or "").splitlines())


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("答题码"),
        max_length=CODE_LENGTH + 4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("答题码印在社区发放的调查通知上,共 %(n)d 位。") % {"n": CODE_LENGTH},
    )


class AnswerForm(forms.Form):
    """One field per question, built from the survey."""

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.order_by("position"))
        for question in self.questions:
            name = f"q{question.pk}"
            label = f"{question.position}. {question.text}"
            options = [(str(i), c) for i, c in enumerate(question.choices)]
            field: forms.Field
            if question.kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(choices=options, widget=forms.RadioSelect)
            elif question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=options, widget=forms.CheckboxSelectMultiple
                )
            elif question.kind == Question.Kind.SCALE:
                field = forms.ChoiceField(
                    choices=[(str(n), str(n)) for n in range(SCALE_MAX, SCALE_MIN - 1, -1)],
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                )
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
            # The service decides what is required (one message for every channel).
            field.required = False
            field.label = label
            self.fields[name] = field

    def raw_answers(self) -> dict[int, RawAnswer]:
        answers: dict[int, RawAnswer] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == Question.Kind.SINGLE:
                answers[question.pk] = RawAnswer(choices=[int(value)] if value else [])
            elif question.kind == Question.Kind.MULTIPLE:
                answers[question.pk] = RawAnswer(choices=[int(v) for v in value or []])
            elif question.kind == Question.Kind.SCALE:
                answers[question.pk] = RawAnswer(scale=int(value) if value else None)
            else:
                answers[question.pk] = RawAnswer(text=str(value or ""))
        return answers
