from __future__ import annotations

from huey.contrib.djhuey import db_task

from linli.imports.models import ImportJob
from linli.imports.services import import_job_check, import_job_run


@db_task()  # type: ignore[untyped-decorator]
def check_import(job_id: int) -> None:
    """The dry run of an uploaded sheet."""
    import_job_check(job=ImportJob.objects.select_related("community").get(pk=job_id))


@db_task()  # type: ignore[untyped-decorator]
def run_import(job_id: int) -> None:
    """The all-or-nothing import of a checked sheet."""
    import_job_run(job=ImportJob.objects.select_related("community", "created_by").get(pk=job_id))
