"""The rules every installation starts from; admins tune them in the admin."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# kind: (threshold, window_days) — a copy, as migrations must not import app code.
DEFAULTS = {
    "hotspot": (3, 14),
    "category_rise": (4, 7),
    "assignee_overdue": (3, 0),
    "elder_unvisited": (7, 0),
    "alert_unacknowledged": (2, 7),
    "repeated_dissatisfaction": (2, 90),
    "grid_unpatrolled": (2, 0),
}


def seed(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("earlywarning", "WarningRule")
    for kind, (threshold, window) in DEFAULTS.items():
        rule.objects.get_or_create(
            kind=kind, defaults={"threshold": threshold, "window_days": window}
        )


class Migration(migrations.Migration):
    dependencies = [("earlywarning", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
