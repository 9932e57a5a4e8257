"""Every record written before the review step counted in totals, certificates and
rankings: it becomes approved, so no total changes on upgrade."""

from typing import Any

from django.db import migrations
from django.db.models import F


def approve_existing(apps: Any, schema_editor: Any) -> None:
    ServiceRecord = apps.get_model("volunteers", "ServiceRecord")
    ServiceRecord.objects.filter(status="submitted").update(
        status="approved", reviewed_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0004_service_hours_review")]

    operations = [migrations.RunPython(approve_existing, migrations.RunPython.noop)]
