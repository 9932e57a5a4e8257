"""Keep each plan's last home visit and due moment on the plan (docs/scaling.md, session
30): added empty, filled from the visits in one statement, then required and indexed."""

import datetime as dt
from typing import Any

from django.db import migrations, models
from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce


def fill(apps: Any, schema_editor: Any) -> None:
    # The rule of services.plans_due_refresh as it stood when this was written, on the
    # historical models: a migration must not change with the code after it.
    CarePlan = apps.get_model("care", "CarePlan")
    Visit = apps.get_model("care", "Visit")
    last_home = Subquery(
        Visit.objects.filter(resident_id=OuterRef("resident_id"), kind="home")
        .order_by("-visited_at")
        .values("visited_at")[:1],
        output_field=DateTimeField(),
    )
    interval = Case(
        *[When(visits_per_week=n, then=Value(dt.timedelta(days=7) / n)) for n in range(1, 15)],
        output_field=DurationField(),
    )
    CarePlan.objects.update(
        last_home_visit_at=last_home,
        due_at=Coalesce(
            ExpressionWrapper(last_home + interval, output_field=DateTimeField()),
            F("created_at"),
            output_field=DateTimeField(),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_alter_visit_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="careplan",
            name="last_home_visit_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="上次上门走访"
            ),
        ),
        migrations.AddField(
            model_name="careplan",
            name="due_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="应走访时间"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="careplan",
            name="due_at",
            field=models.DateTimeField(editable=False, verbose_name="应走访时间"),
        ),
        migrations.AddIndex(
            model_name="careplan",
            index=models.Index(fields=["active", "due_at"], name="care_plan_active_due"),
        ),
    ]
