"""The service tags that later features key on by code. Admins may add more."""

from __future__ import annotations

from typing import Any

from django.db import migrations

BUILTIN_TAGS = [
    # code, name, group, detail label
    ("living_alone", "独居老人", "care", ""),
    ("empty_nest", "空巢老人", "care", ""),
    ("advanced_age", "高龄老人", "care", ""),
    ("limited_mobility", "行动不便", "care", ""),
    ("chronic_illness", "慢性病", "care", "患何种慢性病"),
    ("left_behind_child", "留守儿童", "care", ""),
    ("disability", "残疾", "welfare", "残疾类别和等级"),
    ("subsistence", "低保", "welfare", ""),
    ("special_hardship", "特困供养", "welfare", ""),
    ("relocated", "搬迁户", "housing", "原居住村"),
    ("tenant", "租户", "housing", ""),
    ("party_member", "党员", "party", ""),
    ("volunteer", "志愿者", "party", ""),
    ("veteran", "退役军人", "other", ""),
]


def create_tags(apps: Any, schema_editor: Any) -> None:
    Tag = apps.get_model("people", "Tag")
    for order, (code, name, group, detail_label) in enumerate(BUILTIN_TAGS):
        Tag.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "detail_label": detail_label,
                "builtin": True,
                "sort_order": (order + 1) * 10,
            },
        )


def remove_tags(apps: Any, schema_editor: Any) -> None:
    Tag = apps.get_model("people", "Tag")
    Tag.objects.filter(builtin=True, resident_links__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(create_tags, remove_tags)]
