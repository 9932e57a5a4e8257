"""Keep the community a plan's person lives in on the plan (docs/scaling.md, session 33):
added empty, filled from the people's places in one statement, then indexed."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Left


def fill(apps: Any, schema_editor: Any) -> None:
    # The rule of services.plans_place_refresh as it stood when this was written, on the
    # historical models: a community's path is the first three steps (of four characters)
    # of the path of any place in it.
    Area = apps.get_model("areas", "Area")
    CarePlan = apps.get_model("care", "CarePlan")
    Resident = apps.get_model("people", "Resident")
    community = (
        Area.objects.filter(kind="community", path=Left(OuterRef("area__path"), 12))
        .order_by()
        .values("pk")[:1]
    )
    CarePlan.objects.update(
        community=Subquery(
            Resident.objects.filter(pk=OuterRef("resident_id"))
            .order_by()
            .annotate(community=Subquery(community))
            .values("community")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("care", "0003_careplan_due"),
        ("people", "0005_resident_area"),
    ]

    operations = [
        migrations.AddField(
            model_name="careplan",
            name="community",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="areas.area",
                verbose_name="社区",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="careplan",
            index=models.Index(
                fields=["community", "active", "due_at"],
                include=["resident"],
                name="care_plan_community_due",
            ),
        ),
    ]
