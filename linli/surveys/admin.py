from __future__ import annotations

from django.contrib import admin

from linli.core.admin_base import LinliModelAdmin, LinliTabularInline
from linli.surveys.models import Question, Survey


class QuestionInline(LinliTabularInline[Question, Survey]):
    model = Question
    extra = 0


@admin.register(Survey)
class SurveyAdmin(LinliModelAdmin[Survey]):
    list_display = ["title", "community", "status", "opened_at", "closed_at"]
    list_filter = ["status"]
    inlines = [QuestionInline]
