"""The kinds the issue names; the admin may add, rename or retire them."""

from __future__ import annotations

from typing import Any

from django.db import migrations

KINDS = [
    ("clinic", "义诊", 10),
    ("talk", "讲座/宣讲", 20),
    ("cleanup", "环境整治", 30),
    ("management", "社区管理", 40),
    ("culture", "文体", 50),
    ("party_joint", "党建联建", 60),
    ("other", "其他", 90),
]


def add_kinds(apps: Any, schema_editor: Any) -> None:
    ActivityKind = apps.get_model("activities", "ActivityKind")
    for code, name, order in KINDS:
        ActivityKind.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
